/* limits.c: limits the guest kernel enforces on the container. Guest-wide,
 * before the switch into the container's root: a /proc of the agent's own
 * (kept as an fd, so every process's /proc/self is reachable whatever its
 * root holds), linux.sysctl, and the pids cgroup of
 * linux.resources.pids.limit (cgroup2 on /cgroup of the initramfs, one
 * child group "container" that every process the agent starts joins). Per
 * process, in the child before exec: the cgroup, oomScoreAdj, rlimits. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runtime/cleanup.h"

#define AGENT_PROC   "/proc"
#define AGENT_CGROUP "/cgroup"
#define CGROUP_NAME  "container"

/* Writes s to dirfd/path (which must exist). */
static int write_at(int dirfd, const char *path, const char *s)
{
	autoclose int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(s);

	if (fd < 0)
		return -1;
	if (write(fd, s, len) != (ssize_t)len)
		return -1;
	return 0;
}

static int open_dir(const char *dir, int *fd, struct aerr *e)
{
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return aerr_set(e, errno, "open %s", dir);
	return 0;
}

static int mount_proc(struct spawn_env *env, struct aerr *e)
{
	if (mkdir(AGENT_PROC, 0555) < 0 && errno != EEXIST)
		return aerr_set(e, errno, "mkdir %s", AGENT_PROC);
	if (do_mount("proc", AGENT_PROC, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, e) < 0)
		return -1;
	return open_dir(AGENT_PROC, &env->proc_fd, e);
}

/* "net.ipv4.ip_forward" -> "sys/net/ipv4/ip_forward" (below /proc); keys
 * already in path form ("net/ipv4/conf/eth0.1/forwarding") keep their dots. */
static int sysctl_path(const char *key, char *buf, size_t size, struct aerr *e)
{
	bool slashes = strchr(key, '/') != NULL;
	int n = snprintf(buf, size, "sys/%s", key);

	if (n < 0 || (size_t)n >= size)
		return aerr_set(e, 0, "config.json: linux.sysctl: \"%s\": name too long", key);
	for (char *p = buf + 4; *p && !slashes; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

static int write_sysctls(const struct agent_config *c, int proc_fd, struct aerr *e)
{
	for (size_t i = 0; i < c->n_sysctls; i++) {
		const struct agent_sysctl *s = &c->sysctls[i];
		char path[512];
		struct stat st;

		if (sysctl_path(s->key, path, sizeof(path), e) < 0)
			return -1;
		if (fstatat(proc_fd, path, &st, 0) < 0 || !S_ISREG(st.st_mode))
			return aerr_set(
			    e, 0, "config.json: linux.sysctl: \"%s\": no such sysctl in the guest",
			    s->key);
		if (write_at(proc_fd, path, s->value) < 0)
			return aerr_set(e, errno,
					"config.json: linux.sysctl: \"%s\": writing \"%s\"", s->key,
					s->value);
	}
	return 0;
}

static int setup_pids_cgroup(const struct agent_config *c, struct spawn_env *env, struct aerr *e)
{
	char max[32];

	if (!c->has_pids_max)
		return 0;
	if (mkdir(AGENT_CGROUP, 0755) < 0 && errno != EEXIST)
		return aerr_set(e, errno, "mkdir %s", AGENT_CGROUP);
	if (do_mount("cgroup2", AGENT_CGROUP, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
		     e) < 0)
		return -1;
	if (write_at(AT_FDCWD, AGENT_CGROUP "/cgroup.subtree_control", "+pids") < 0)
		return aerr_set(e, errno,
				"linux.resources.pids.limit: enabling the guest's pids controller");
	if (mkdir(AGENT_CGROUP "/" CGROUP_NAME, 0755) < 0)
		return aerr_set(e, errno, "mkdir %s", AGENT_CGROUP "/" CGROUP_NAME);
	snprintf(max, sizeof(max), "%" PRIu64, c->pids_max);
	if (write_at(AT_FDCWD, AGENT_CGROUP "/" CGROUP_NAME "/pids.max", max) < 0)
		return aerr_set(e, errno, "config.json: linux.resources.pids.limit: %s", max);
	return open_dir(AGENT_CGROUP "/" CGROUP_NAME, &env->cgroup_fd, e);
}

int limits_setup(const struct agent_config *c, struct spawn_env *env, struct aerr *e)
{
	env->seccomp = c->seccomp;
	env->seccomp_len = c->seccomp_len;
	env->seccomp_flags = c->seccomp_flags;
	if (mount_proc(env, e) < 0 || write_sysctls(c, env->proc_fd, e) < 0)
		return -1;
	return setup_pids_cgroup(c, env, e);
}

int limits_child_apply(const struct agent_process *p, const struct spawn_env *env,
		       const char **what)
{
	if (env->cgroup_fd >= 0 && write_at(env->cgroup_fd, "cgroup.procs", "0") < 0) {
		*what = "join the pids cgroup";
		return -1;
	}
	if (p->has_oom_score) {
		char v[16];

		snprintf(v, sizeof(v), "%d", (int)p->oom_score);
		if (env->proc_fd < 0 || write_at(env->proc_fd, "self/oom_score_adj", v) < 0) {
			*what = "oomScoreAdj";
			return -1;
		}
	}
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};

		if (setrlimit((int)p->rlimits[i].resource, &rl) < 0) {
			*what = "setrlimit";
			return -1;
		}
	}
	return 0;
}
