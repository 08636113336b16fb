/* vm.h: starting and stopping the UML kernel process of one sandbox. */
#ifndef UMLRUN_VM_H
#define UMLRUN_VM_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "jail.h"
#include "landlock.h"

struct vm_spawn {
	char **argv;        /* paths as seen inside the jail; argv[0] is the kernel */
	char **argv_nojail; /* the same with host paths, for hosts that refuse namespaces */
	int log_fd;         /* kernel console; also the process's stdout/stderr */
	int ctl_fd;         /* the guest end of the control socketpair */
	int cpu;            /* host CPU to pin the whole UML tree to, -1: none */
	const char *tmpdir_nojail; /* memory-file dir when not jailed */
	const char *state_dir;     /* exported as UMLRUN_STATE to the kernel process */
	const struct jail *jail;
	const struct ll_rule *ll_rules; /* Landlock rules, paths inside the jail */
	size_t n_ll_rules;
	const struct ll_rule *ll_rules_nojail; /* the same with host paths */
	size_t n_ll_rules_nojail;
	bool require_namespaces; /* no fallback when the host refuses them */
	bool require_landlock;   /* an unavailable Landlock is an error */
};

struct vm_layers {
	bool namespaces; /* the kernel runs in new namespaces and the staging view */
	char why_not[160];
};

/* Clones the kernel process into new namespaces (see jail.h), pinned, with
 * ASLR off, no core dumps, a clean signal state and only fds 0-4 open; it
 * dies with its parent. Where the host refuses the namespaces, it runs
 * without them and `layers` says why. Exec failures come back as errors. */
int vm_start(const struct vm_spawn *s, pid_t *pid, struct vm_layers *layers, struct uerr *err);

/* SIGKILLs the kernel process and everything in its process group. */
void vm_kill(pid_t pid);

#endif
