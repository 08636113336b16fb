/* landlock.c: confines the host-side UML kernel process with Landlock. Owns
 * the ABI probe, the mapping of LL_* rights to Landlock access rights for each
 * ABI, the ruleset (filesystem rules, TCP bind/connect denial, scoping) and
 * local copies of the UAPI definitions newer than the build host's headers
 * (Debian 12's linux-libc-dev only knows ABI <= 2). In test builds the
 * probe can be told Landlock is unavailable (testknob.h). */
#define _GNU_SOURCE
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#if __has_include(<linux/landlock.h>)
#include <linux/landlock.h>
#endif

#include "cleanup.h"
#include "testknob.h"

/* ---- UAPI (include/uapi/linux/landlock.h), carried for old headers ------ */

/* Syscall numbers >= 424 are the same on every architecture but alpha. */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
/* enum landlock_rule_type members; a macro is harmless if the enum has them */
#ifndef LANDLOCK_RULE_PATH_BENEATH
#define LANDLOCK_RULE_PATH_BENEATH 1
#endif
#ifndef LANDLOCK_RULE_NET_PORT
#define LANDLOCK_RULE_NET_PORT 2 /* ABI 4; unused: no port is ever allowed */
#endif

/* ABI 1 */
#ifndef LANDLOCK_ACCESS_FS_EXECUTE
#define LANDLOCK_ACCESS_FS_EXECUTE     (1ULL << 0)
#define LANDLOCK_ACCESS_FS_WRITE_FILE  (1ULL << 1)
#define LANDLOCK_ACCESS_FS_READ_FILE   (1ULL << 2)
#define LANDLOCK_ACCESS_FS_READ_DIR    (1ULL << 3)
#define LANDLOCK_ACCESS_FS_REMOVE_DIR  (1ULL << 4)
#define LANDLOCK_ACCESS_FS_REMOVE_FILE (1ULL << 5)
#define LANDLOCK_ACCESS_FS_MAKE_CHAR   (1ULL << 6)
#define LANDLOCK_ACCESS_FS_MAKE_DIR    (1ULL << 7)
#define LANDLOCK_ACCESS_FS_MAKE_REG    (1ULL << 8)
#define LANDLOCK_ACCESS_FS_MAKE_SOCK   (1ULL << 9)
#define LANDLOCK_ACCESS_FS_MAKE_FIFO   (1ULL << 10)
#define LANDLOCK_ACCESS_FS_MAKE_BLOCK  (1ULL << 11)
#define LANDLOCK_ACCESS_FS_MAKE_SYM    (1ULL << 12)
#endif
/* ABI 2 */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
/* ABI 3 */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
/* ABI 4 */
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
/* ABI 5 */
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
/* ABI 6 */
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
/* ABI 7 only added landlock_restrict_self() logging flags: nothing needed. */

/* struct landlock_ruleset_attr as of ABI 6. Own names, so that whichever
 * version the system header declares does not clash. The kernel reads only
 * the prefix whose size is passed (see create_ruleset()). */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;  /* ABI 1 */
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

_Static_assert(sizeof(struct ll_ruleset_attr) == 24, "landlock_ruleset_attr layout");
_Static_assert(sizeof(struct ll_path_beneath_attr) == 12, "landlock_path_beneath_attr layout");

/* ---- rights ---------------------------------------------------------------- */

#define FS_ABI1                                                                                    \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                              \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |                              \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |                          \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |                              \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |                              \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |                            \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)

/* The rights that apply to a non-directory (the kernel's ACCESS_FILE). */
#define FS_FILE                                                                                    \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                              \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |                              \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)

#define FS_FOR_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

#define FS_FOR_WRITE                                                                               \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |                             \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_DIR |                               \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |                             \
	 LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REMOVE_FILE |                            \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REFER)

#define FS_FOR_EXEC LANDLOCK_ACCESS_FS_EXECUTE

#define LL_ALL (LL_READ | LL_WRITE | LL_EXEC)

/* Every filesystem right the ABI knows. */
static uint64_t handled_fs(int abi)
{
	uint64_t h = FS_ABI1;

	if (abi >= 2)
		h |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		h |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return h;
}

/* The Landlock rights a rule grants on an object of type `mode`. */
static uint64_t rule_rights(unsigned access, mode_t mode, uint64_t handled)
{
	uint64_t a = 0;

	if (access & LL_READ)
		a |= FS_FOR_READ;
	if (access & LL_WRITE)
		a |= FS_FOR_WRITE;
	if (access & LL_EXEC)
		a |= FS_FOR_EXEC;
	if ((access & (LL_READ | LL_WRITE)) == (LL_READ | LL_WRITE) &&
	    (S_ISCHR(mode) || S_ISDIR(mode)))
		a |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (!S_ISDIR(mode))
		a &= FS_FILE; /* else add_rule fails with EINVAL */
	return a & handled;   /* likewise for rights the ABI does not know */
}

/* ---- status ---------------------------------------------------------------- */

static void reason_add(char *buf, size_t size, const char *item)
{
	size_t len = strnlen(buf, size);

	if (len < size)
		snprintf(buf + len, size - len, "%s%s", strchr(buf, ':') ? ", " : ": ", item);
}

static void status_for_abi(struct ll_status *st, int abi)
{
	memset(st, 0, sizeof(*st));
	st->abi = abi;
	st->fs = true;
	st->net = abi >= 4;
	st->scoped = abi >= 6;
	if (abi >= 6)
		return;
	snprintf(st->reason, sizeof(st->reason), "Landlock ABI %d", abi);
	if (abi < 4)
		reason_add(st->reason, sizeof(st->reason), "no network rules");
	reason_add(st->reason, sizeof(st->reason), "no socket/signal scoping");
	if (abi < 5)
		reason_add(st->reason, sizeof(st->reason), "no device ioctl control");
	if (abi < 3)
		reason_add(st->reason, sizeof(st->reason), "no truncate control");
	if (abi < 2)
		reason_add(st->reason, sizeof(st->reason), "cross-directory rename/link denied");
}

static void status_unavailable(struct ll_status *st, int errnum)
{
	memset(st, 0, sizeof(*st));
	if (errnum == ENOSYS)
		snprintf(st->reason, sizeof(st->reason),
			 "Landlock unavailable: not built into the host kernel");
	else if (errnum == EOPNOTSUPP)
		snprintf(st->reason, sizeof(st->reason),
			 "Landlock unavailable: disabled at boot (not in lsm=)");
	else
		snprintf(st->reason, sizeof(st->reason), "Landlock ABI query failed: %s",
			 strerror(errnum));
}

/* Fills st; returns the ABI (> 0) or -errno. */
static int probe_abi(struct ll_status *st)
{
	long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	int errnum = errno;

#ifdef UMLRUN_TEST_KNOBS
	if (testknob_disabled("landlock")) { /* as a host without it in lsm= */
		memset(st, 0, sizeof(*st));
		snprintf(st->reason, sizeof(st->reason), "Landlock unavailable: " TESTKNOB_REASON);
		return -EOPNOTSUPP;
	}
#endif
	if (v > 0) {
		status_for_abi(st, (int)v);
		return (int)v;
	}
	if (v == 0)
		errnum = EPROTO; /* no kernel returns this */
	status_unavailable(st, errnum);
	return -errnum;
}

int landlock_probe(struct ll_status *st)
{
	int r = probe_abi(st);

	if (r > 0 || r == -ENOSYS || r == -EOPNOTSUPP)
		return 0;
	errno = -r;
	return -1;
}

/* ---- confinement ------------------------------------------------------------ */

/* Validates a rule and opens its path; returns an O_PATH fd or -1. */
static int open_rule(const struct ll_rule *r, struct stat *sb, struct uerr *err)
{
	autoclose int fd = -1;

	if (r->path == NULL || r->path[0] == '\0')
		return uerr_set(err, EINVAL, "landlock: rule with an empty path");
	if (r->access & ~(unsigned)LL_ALL)
		return uerr_set(err, EINVAL, "landlock: rule %s: unknown access bits %#x", r->path,
				r->access & ~(unsigned)LL_ALL);
	fd = open(r->path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return uerr_set(err, errno, "landlock: rule path %s", r->path);
	if (fstat(fd, sb) < 0)
		return uerr_set(err, errno, "landlock: stat %s", r->path);
	return steal_fd(fd);
}

/* Rule errors must not depend on whether the host has Landlock. */
static int check_rules(const struct ll_rule *rules, size_t n, struct uerr *err)
{
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		autoclose int fd = open_rule(&rules[i], &sb, err);

		if (fd < 0)
			return -1;
	}
	return 0;
}

static int create_ruleset(int abi, struct uerr *err)
{
	struct ll_ruleset_attr attr = { .handled_access_fs = handled_fs(abi) };
	size_t size = offsetof(struct ll_ruleset_attr, handled_access_net);
	int fd;

	if (abi >= 4) {
		attr.handled_access_net =
		    LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	fd = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0U);
	if (fd < 0)
		return uerr_set(err, errno, "landlock: creating the ruleset (ABI %d)", abi);
	return fd;
}

static int add_rule(int ruleset, const struct ll_rule *r, uint64_t handled, struct uerr *err)
{
	struct ll_path_beneath_attr pb;
	struct stat sb;
	autoclose int fd = open_rule(r, &sb, err);

	if (fd < 0)
		return -1;
	pb.allowed_access = rule_rights(r->access, sb.st_mode, handled);
	pb.parent_fd = fd;
	if (pb.allowed_access == 0)
		return 0; /* nothing granted; the kernel rejects empty rules (ENOMSG) */
	if (syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0U) < 0)
		return uerr_set(err, errno, "landlock: adding the rule for %s", r->path);
	return 0;
}

static int restrict_self(int ruleset, struct uerr *err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return uerr_set(err, errno, "landlock: setting no_new_privs");
	if (syscall(__NR_landlock_restrict_self, ruleset, 0U) < 0)
		return uerr_set(err, errno, "landlock: restricting self");
	return 0;
}

int landlock_confine(const struct ll_rule *rules, size_t n, bool required, struct ll_status *st,
		     struct uerr *err)
{
	struct ll_status s;
	autoclose int ruleset = -1;
	int abi;

	if (st != NULL)
		memset(st, 0, sizeof(*st));
	if (rules == NULL && n > 0)
		return uerr_set(err, EINVAL, "landlock: no rule array");
	abi = probe_abi(&s);
	if (abi < 0 && abi != -ENOSYS && abi != -EOPNOTSUPP)
		return uerr_set(err, -abi, "landlock: querying the ABI version");
	if (abi < 0) {
		if (check_rules(rules, n, err) < 0)
			return -1;
		if (required)
			return uerr_set(err, -abi, "landlock: required, but %s", s.reason);
		if (st != NULL)
			*st = s;
		return 0;
	}
	ruleset = create_ruleset(abi, err);
	if (ruleset < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (add_rule(ruleset, &rules[i], handled_fs(abi), err) < 0)
			return -1;
	if (restrict_self(ruleset, err) < 0)
		return -1;
	if (st != NULL)
		*st = s;
	return 0;
}
