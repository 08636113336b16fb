/* privs.c: a process's privileges in the guest, set in the child between
 * fork and exec, in runc's order: the seccomp filter first if there is no
 * no_new_privs (installing it needs CAP_SYS_ADMIN then), the bounding set,
 * keep-caps across the uid change (workload.c), then the effective,
 * permitted and inheritable sets, the ambient set, no_new_privs, and the
 * seccomp filter last when no_new_privs allows it without privilege. The
 * guest kernel applies all of it; the agent links only libc, so these are
 * raw prctl/capset/seccomp calls. */
#include "agent.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int install_seccomp(const struct spawn_env *env, const char **what)
{
	struct sock_fprog prog = {
	    .len = (unsigned short)(env->seccomp_len / sizeof(struct sock_filter)),
	    .filter = (struct sock_filter *)env->seccomp,
	};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, env->seccomp_flags, &prog) < 0) {
		*what = "install the seccomp filter";
		return -1;
	}
	return 0;
}

static int drop_bounding(uint64_t keep, const char **what)
{
	for (unsigned long cap = 0; cap < 64; cap++) {
		if (keep & (1ull << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL) /* past the kernel's last capability */
				return 0;
			*what = "drop from the capability bounding set";
			return -1;
		}
	}
	return 0;
}

static int set_caps(const struct agent_caps *c, const char **what)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2] = {
	    {(uint32_t)c->effective, (uint32_t)c->permitted, (uint32_t)c->inheritable},
	    {(uint32_t)(c->effective >> 32), (uint32_t)(c->permitted >> 32),
	     (uint32_t)(c->inheritable >> 32)},
	};

	if (syscall(SYS_capset, &h, d) < 0) {
		*what = "capset (effective, permitted, inheritable)";
		return -1;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		*what = "clear the ambient capabilities";
		return -1;
	}
	/* As runc: an ambient capability that is not both permitted and
	 * inheritable is not raised, and that is not an error (runc's own
	 * default config lists ambient capabilities without inheritable ones). */
	for (unsigned long cap = 0; cap < 64; cap++)
		if (c->ambient & (1ull << cap))
			(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
	return 0;
}

int privs_child_before_creds(const struct agent_process *p, const struct spawn_env *env,
			     const char **what)
{
	if (env->seccomp != NULL && !p->no_new_privs && install_seccomp(env, what) < 0)
		return -1;
	if (p->has_caps && drop_bounding(p->caps.bounding, what) < 0)
		return -1;
	return 0;
}

int privs_child_keepcaps(const struct agent_process *p, int on, const char **what)
{
	if (p->has_caps && prctl(PR_SET_KEEPCAPS, (unsigned long)on, 0, 0, 0) < 0) {
		*what = "keep capabilities across the uid change";
		return -1;
	}
	return 0;
}

int privs_child_after_creds(const struct agent_process *p, const struct spawn_env *env,
			    const char **what)
{
	if (p->has_caps && set_caps(&p->caps, what) < 0)
		return -1;
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		*what = "set no_new_privs";
		return -1;
	}
	if (env->seccomp != NULL && p->no_new_privs && install_seccomp(env, what) < 0)
		return -1;
	return 0;
}
