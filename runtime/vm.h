/* vm.h: starting and stopping the UML kernel process of one sandbox. */
#ifndef UMLRUN_VM_H
#define UMLRUN_VM_H

#include <sys/types.h>

#include "error.h"

struct vm_spawn {
	char **argv;        /* from uml_argv_build(); argv[0] is the kernel */
	int log_fd;         /* kernel console; also the process's stdout/stderr */
	int ctl_fd;         /* the guest end of the control socketpair */
	int cpu;            /* host CPU to pin the whole UML tree to, -1: none */
	const char *tmpdir; /* where UML creates its (unlinked) memory file */
};

/* Forks and execs the kernel in a new process group, with ASLR off, pinned,
 * no core dumps, a clean signal state and only fds 0-4 open. It dies with
 * its parent (PR_SET_PDEATHSIG). Exec failures come back as errors. */
int vm_start(const struct vm_spawn *s, pid_t *pid, struct uerr *err);

/* SIGKILLs the whole UML process group (kernel and guest-process stubs). */
void vm_kill(pid_t pid);

#endif
