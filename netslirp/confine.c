/* confine.c: netslirp's own confinement, applied once its privileged set-up
 * (the port forwards' listening sockets) is done and before it reads the
 * first frame from the guest: an unprivileged uid when started as root, no
 * capabilities (bounding set included), no_new_privs, rlimits, Landlock
 * (no filesystem access but reading the host's resolv.conf for libslirp's
 * DNS forwarding; abstract unix sockets and signals scoped) and a seccomp
 * allow-list whose default is to kill the process.
 *
 * The allow-list was found by tracing netslirp (strace -f -c) through the
 * integration tests: bulk TCP both ways, UDP and TCP forwards, DNS, ping,
 * the guest downing and upping its NIC. Guest frames can only make libslirp
 * open AF_INET/AF_INET6 sockets; everything else is refused. */
#define _GNU_SOURCE
#include "netslirp.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- Landlock UAPI, carried: Debian 12's headers know ABI <= 2 ------------- */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#define NSL_LL_VERSION (1U << 0)
#define NSL_LL_RULE_PATH_BENEATH 1
#define NSL_LL_READ_FILE (1ULL << 2)
#define NSL_LL_SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define NSL_LL_SCOPE_SIGNAL (1ULL << 1)

struct nsl_ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct nsl_ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define FAIL(...)                                  \
	do {                                       \
		snprintf(msg, msg_cap, __VA_ARGS__); \
		return -1;                         \
	} while (0)

/* Every filesystem right the ABI knows. */
static uint64_t ll_fs_rights(int abi)
{
	if (abi >= 5)
		return (1ULL << 16) - 1;
	if (abi >= 3)
		return (1ULL << 15) - 1;
	if (abi == 2)
		return (1ULL << 14) - 1;
	return (1ULL << 13) - 1;
}

static int confine_landlock(const char *resolv_conf, bool required, char *msg, size_t msg_cap)
{
	struct nsl_ll_ruleset_attr attr = { 0 };
	size_t attr_size;
	int abi, rs, e;

	abi = (int)syscall(__NR_landlock_create_ruleset, NULL, 0, NSL_LL_VERSION);
	if (abi < 0) {
		if (!required && (errno == ENOSYS || errno == EOPNOTSUPP))
			return 0;
		FAIL("landlock: %s", strerror(errno));
	}
	attr.handled_access_fs = ll_fs_rights(abi);
	attr_size = sizeof(uint64_t); /* ABI 1-3 */
	if (abi >= 4)
		attr_size = 2 * sizeof(uint64_t); /* no network rules: libslirp is the network */
	if (abi >= 6) {
		attr.scoped = NSL_LL_SCOPE_ABSTRACT_UNIX | NSL_LL_SCOPE_SIGNAL;
		attr_size = sizeof(attr);
	}
	rs = (int)syscall(__NR_landlock_create_ruleset, &attr, attr_size, 0);
	if (rs < 0)
		FAIL("landlock: create ruleset: %s", strerror(errno));
	if (resolv_conf != NULL) {
		struct nsl_ll_path_beneath pb = { .allowed_access = NSL_LL_READ_FILE };

		pb.parent_fd = open(resolv_conf, O_PATH | O_CLOEXEC);
		/* A host without resolv.conf: libslirp's DNS forwarding then
		 * answers nothing, which is what it would do anyway. */
		if (pb.parent_fd >= 0) {
			e = (int)syscall(__NR_landlock_add_rule, rs, NSL_LL_RULE_PATH_BENEATH, &pb, 0);
			close(pb.parent_fd);
			if (e < 0) {
				e = errno;
				close(rs);
				FAIL("landlock: rule for %s: %s", resolv_conf, strerror(e));
			}
		}
	}
	e = (int)syscall(__NR_landlock_restrict_self, rs, 0);
	if (e < 0) {
		e = errno;
		close(rs);
		FAIL("landlock: restrict self: %s", strerror(e));
	}
	close(rs);
	return 0;
}

/* ---- seccomp -------------------------------------------------------------- */

static const int allowed[] = {
	/* the link, the guest's sockets, libslirp's poll loop */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
	SCMP_SYS(recvmmsg), SCMP_SYS(sendmmsg), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(close), SCMP_SYS(connect), SCMP_SYS(accept), SCMP_SYS(accept4),
	SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockopt), SCMP_SYS(shutdown),
	/* resolv.conf for DNS forwarding (Landlock limits which file) */
	SCMP_SYS(openat), SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(stat),
	SCMP_SYS(lseek),
	/* memory (glib) and time */
	SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(brk),
	SCMP_SYS(madvise), SCMP_SYS(mprotect), SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday), SCMP_SYS(clock_nanosleep), SCMP_SYS(futex),
	SCMP_SYS(getrandom), SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getppid),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	/* a poll interrupted by a ptrace stop (strace -p) resumes with it */
	SCMP_SYS(restart_syscall),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
};

/* Allowed only with these first arguments. */
static int add_arg_rules(scmp_filter_ctx ctx)
{
	const struct {
		int nr;
		unsigned arg;
		uint64_t mask, val;
	} r[] = {
		/* libslirp's sockets; ping uses SOCK_DGRAM/IPPROTO_ICMP */
		{ SCMP_SYS(socket), 0, 0xffffffffULL, AF_INET },
		{ SCMP_SYS(socket), 0, 0xffffffffULL, AF_INET6 },
		{ SCMP_SYS(fcntl), 1, 0xffffffffULL, F_GETFL },
		{ SCMP_SYS(fcntl), 1, 0xffffffffULL, F_SETFL },
		{ SCMP_SYS(fcntl), 1, 0xffffffffULL, F_GETFD },
		{ SCMP_SYS(fcntl), 1, 0xffffffffULL, F_SETFD },
		{ SCMP_SYS(ioctl), 1, 0xffffffffULL, FIONREAD },
		{ SCMP_SYS(ioctl), 1, 0xffffffffULL, FIONBIO },
	};

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		struct scmp_arg_cmp c = { .arg = r[i].arg, .op = SCMP_CMP_MASKED_EQ,
					  .datum_a = r[i].mask, .datum_b = r[i].val };
		int rc = seccomp_rule_add_exact_array(ctx, SCMP_ACT_ALLOW, r[i].nr, 1, &c);

		if (rc < 0)
			return rc;
	}
	return 0;
}

static int confine_seccomp(char *msg, size_t msg_cap)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = 0;

	if (ctx == NULL)
		FAIL("seccomp_init failed");
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0; rc == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	if (rc == 0)
		rc = add_arg_rules(ctx);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		FAIL("seccomp: %s", strerror(-rc));
	return 0;
}

/* ---- ids, capabilities, limits ----------------------------------------------- */

static int drop_privileges(uid_t uid, gid_t gid, char *msg, size_t msg_cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	/* the bounding set first: dropping it needs CAP_SETPCAP, which the
	 * uid change takes away (a user's netslirp has nothing to drop) */
	for (int c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL && errno != EPERM)
			FAIL("prctl(PR_CAPBSET_DROP): %s", strerror(errno));
	if (uid != (uid_t)-1) {
		if (setgroups(0, NULL) < 0)
			FAIL("setgroups: %s", strerror(errno));
		if (setresgid(gid, gid, gid) < 0)
			FAIL("setresgid %u: %s", (unsigned)gid, strerror(errno));
		if (setresuid(uid, uid, uid) < 0)
			FAIL("setresuid %u: %s", (unsigned)uid, strerror(errno));
		/* changing credentials cleared it */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			FAIL("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		FAIL("prctl(PR_CAP_AMBIENT_CLEAR_ALL): %s", strerror(errno));
	if (syscall(SYS_capset, &hdr, data) < 0)
		FAIL("capset: %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		FAIL("prctl(PR_SET_DUMPABLE): %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		FAIL("prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
	return 0;
}

static int set_limits(char *msg, size_t msg_cap)
{
	/* sockets libslirp may hold for the guest; no core files; no children */
	const struct {
		int res;
		rlim_t v;
	} l[] = { { RLIMIT_NOFILE, 4096 }, { RLIMIT_CORE, 0 }, { RLIMIT_NPROC, 0 } };

	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		struct rlimit cur, want = { l[i].v, l[i].v };

		if (getrlimit(l[i].res, &cur) == 0 && cur.rlim_max < want.rlim_max)
			want.rlim_cur = want.rlim_max = cur.rlim_max;
		if (setrlimit(l[i].res, &want) < 0)
			FAIL("setrlimit(%d): %s", l[i].res, strerror(errno));
	}
	return 0;
}

int nsl_confine(uid_t uid, gid_t gid, const char *resolv_conf, bool require_landlock, char *msg,
		size_t msg_cap)
{
	if (drop_privileges(uid, gid, msg, msg_cap) < 0 || set_limits(msg, msg_cap) < 0)
		return -1;
	if (confine_landlock(resolv_conf, require_landlock, msg, msg_cap) < 0)
		return -1;
	return confine_seccomp(msg, msg_cap);
}
