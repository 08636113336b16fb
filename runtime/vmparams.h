/* vmparams.h: what config.json decides about the guest kernel itself: its
 * memory (linux.resources.memory.limit -> mem=) and the extra command-line
 * parameters of vm.kernel.parameters; and the refusal of the vm fields
 * umlrun cannot honour (vm.kernel.initrd, vm.hypervisor, vm.image). */
#ifndef UMLRUN_VMPARAMS_H
#define UMLRUN_VMPARAMS_H

#include "../spec/spec.h"
#include "error.h"

#define VMPARAMS_MIN_MEM_MIB	32
#define VMPARAMS_MAX_MEM_MIB	(64ul * 1024)
#define VMPARAMS_MAX_PARAMS	32
#define VMPARAMS_MAX_PARAMS_LEN 1024 /* bytes of all parameters together */

/* The guest's memory in MiB: def_mib without a memory limit (absent or
 * -1); otherwise the limit rounded down to whole MiB and raised to
 * VMPARAMS_MIN_MEM_MIB; a limit above VMPARAMS_MAX_MEM_MIB is an error. */
int vmparams_mem_mib(const struct spec *s, unsigned long def_mib, unsigned long *mib,
		     struct uerr *err);

/* Checks vm.kernel.parameters (none may touch what umlrun's sandbox sets:
 * consoles, channels, devices, host paths, memory, init) and the other vm
 * fields; returns the parameters (NULL-terminated, borrowed from s, or
 * NULL when there are none) in *params. */
int vmparams_check(const struct spec *s, const char *const **params, struct uerr *err);

#endif
