/* test-landlock.c: unit tests of runtime/landlock.c against the running kernel.
 * Each case forks a child that confines itself, runs its checks and sends the
 * outcomes back through a pipe; the parent (never confined) prints them as TAP.
 * Cases the running Landlock ABI cannot support are skipped. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include "../../runtime/cleanup.h"
#include "../../runtime/landlock.h"
#include "tap.h"

#define MAX_RULES  16
#define MAX_CHECKS 32
#define PATH_LEN   256

struct ctx {
	char dir[64]; /* /tmp/umlrun-landlock-XXXXXX: short, for sun_path */
	pid_t parent;
	int abi;
	uint16_t tcp_port; /* parent's TCP listener on 127.0.0.1 */
	char abstract[64]; /* parent's abstract unix listener, without the NUL */
	char paths[MAX_RULES][PATH_LEN];
	struct ll_rule rules[MAX_RULES];
	size_t nrules;
};

struct check {
	int want; /* errno expected, 0: success, -1: skipped */
	int got;
	bool plain; /* a condition, not an operation that "works" */
	char what[200];
};

struct report {
	bool overflow; /* more than MAX_CHECKS checks */
	int n;
	struct check chk[MAX_CHECKS + 1];
};

typedef void (*case_fn)(const struct ctx *c, struct report *r);

/* ---- helpers run in the confined child -------------------------------------- */

static struct check *record(struct report *r, int got, int want, const char *fmt, va_list ap)
{
	struct check *k = &r->chk[MAX_CHECKS]; /* scratch once full */

	if (r->n < MAX_CHECKS)
		k = &r->chk[r->n++];
	else
		r->overflow = true;
	k->got = got;
	k->want = want;
	vsnprintf(k->what, sizeof(k->what), fmt, ap);
	return k;
}

/* Records the outcome of `rc` (negative: failed with errno). */
__attribute__((format(printf, 4, 5))) static void expect(struct report *r, long rc, int want,
							 const char *fmt, ...)
{
	int got = rc < 0 ? errno : 0;
	va_list ap;

	va_start(ap, fmt);
	record(r, got, want, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void skip(struct report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(r, 0, -1, fmt, ap);
	va_end(ap);
}

static const char *ename(int e)
{
	const char *s = e ? strerrorname_np(e) : "success";

	return s ? s : "?";
}

/* Records a condition on values rather than the outcome of an operation. */
__attribute__((format(printf, 3, 4))) static void expect_that(struct report *r, bool ok,
							      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(r, ok ? 0 : EPROTO, 0, fmt, ap)->plain = true;
	va_end(ap);
}

/* Closes a successfully opened fd, keeping the result for expect(). */
static int closed(int fd)
{
	if (fd >= 0)
		close(fd);
	return fd;
}

static const char *at(const struct ctx *c, const char *rel, char *buf)
{
	snprintf(buf, PATH_LEN, "%s/%s", c->dir, rel);
	return buf;
}

static int open_at(const struct ctx *c, const char *rel, int flags)
{
	char p[PATH_LEN];

	return closed(open(at(c, rel, p), flags | O_CLOEXEC, 0644));
}

static int read_text(const char *path, const char *want)
{
	char buf[64] = { 0 };
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
		return -1;
	if (strcmp(buf, want) != 0)
		return errno = EBADMSG, -1;
	return 0;
}

static int write_text(const char *path, const char *text)
{
	autoclose int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	return 0;
}

/* Runs `path` and waits: 0 if it exited 0, else -1 with the execve errno
 * (EIO if it ran but failed). */
static int spawn(const char *path)
{
	int p[2], status, e = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *argv[] = { (char *)path, NULL }, *envp[] = { NULL };

		execve(path, argv, envp);
		e = errno;
		if (write(p[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], &e, sizeof(e)) != (ssize_t)sizeof(e))
		e = 0;
	close(p[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (e != 0)
		return errno = e, -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return errno = EIO, -1;
	return 0;
}

static int tcp_socket(int type)
{
	return socket(AF_INET, type | SOCK_CLOEXEC, 0);
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int inet_connect(uint16_t port)
{
	struct sockaddr_in a = loopback(port);
	autoclose int fd = tcp_socket(SOCK_STREAM);

	if (fd < 0)
		return -1;
	return connect(fd, (struct sockaddr *)&a, sizeof(a));
}

static int inet_bind(int type, uint16_t port)
{
	struct sockaddr_in a = loopback(port);
	autoclose int fd = tcp_socket(type);

	if (fd < 0)
		return -1;
	return bind(fd, (struct sockaddr *)&a, sizeof(a));
}

/* An AF_UNIX address: abstract when `abstract`, else a pathname. */
static socklen_t unix_addr(struct sockaddr_un *a, const char *name, bool abstract)
{
	size_t len = strnlen(name, sizeof(a->sun_path) - 2);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + (abstract ? 1 : 0), name, len);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

static int unix_connect(const char *name, bool abstract)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, name, abstract);
	autoclose int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	return connect(fd, (struct sockaddr *)&a, len);
}

/* A listening AF_UNIX socket; returns the fd or -1. */
static int unix_listen(const char *name, bool abstract)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, name, abstract);
	autoclose int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, len) < 0 || listen(fd, 4) < 0)
		return -1;
	return steal_fd(fd);
}

static int ioctl_tcgets(const char *path, int flags)
{
	struct termios tio;
	autoclose int fd = open(path, flags | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	return tcgetattr(fd, &tio);
}

/* Confines with the context's rules and checks the reported status. */
static bool confine(const struct ctx *c, struct report *r)
{
	struct ll_status st;
	struct uerr err = { 0 };
	int rc = landlock_confine(c->rules, c->nrules, true, &st, &err);

	expect(r, rc, 0, "landlock_confine with %zu rules%s%s%s", c->nrules, rc < 0 ? " (" : "",
	       rc < 0 ? err.msg : "", rc < 0 ? ")" : "");
	if (rc < 0)
		return false;
	expect_that(
	    r, st.abi == c->abi && st.fs && st.net == (c->abi >= 4) && st.scoped == (c->abi >= 6),
	    "status after confining: abi %d fs %d net %d scoped %d \"%s\"", st.abi, st.fs, st.net,
	    st.scoped, st.reason);
	return true;
}

/* ---- cases ------------------------------------------------------------------ */

static void case_fs(const struct ctx *c, struct report *r)
{
	char p[PATH_LEN], q[PATH_LEN];

	if (!confine(c, r))
		return;
	/* ro/: LL_READ */
	expect(r, read_text(at(c, "ro/file", p), "hello\n"), 0, "reading ro/file");
	expect(r, open_at(c, "ro", O_RDONLY | O_DIRECTORY), 0, "listing ro/");
	expect(r, open_at(c, "ro/file", O_WRONLY), EACCES, "opening ro/file for writing");
	expect(r, open_at(c, "ro/new", O_WRONLY | O_CREAT), EACCES, "creating ro/new");
	expect(r, unlink(at(c, "ro/file", p)), EACCES, "removing ro/file");
	if (c->abi >= 3)
		expect(r, truncate(at(c, "ro/file", p), 0), EACCES, "truncating ro/file");
	else
		skip(r, "truncate is not controlled below ABI 3");

	/* rw/: LL_READ | LL_WRITE */
	expect(r, write_text(at(c, "rw/new", p), "data\n"), 0, "creating and writing rw/new");
	expect(r, read_text(at(c, "rw/new", p), "data\n"), 0, "reading rw/new back");
	expect(r, truncate(at(c, "rw/new", p), 1), 0, "truncating rw/new");
	expect(r, mkdir(at(c, "rw/d", p), 0755), 0, "mkdir rw/d");
	expect(r, symlink("new", at(c, "rw/link", p)), 0, "symlink rw/link");
	expect(r, mkfifo(at(c, "rw/fifo", p), 0600), 0, "mkfifo rw/fifo");
	if (c->abi >= 2)
		expect(r, rename(at(c, "rw/new", p), at(c, "rw/d/new", q)), 0,
		       "moving rw/new into rw/d/ (refer)");
	else
		skip(r, "reparenting is always denied at ABI 1");
	expect(r, unlink(at(c, c->abi >= 2 ? "rw/d/new" : "rw/new", p)), 0, "removing the file");
	expect(r, unlink(at(c, "rw/link", p)), 0, "removing rw/link");
	expect(r, unlink(at(c, "rw/fifo", p)), 0, "removing rw/fifo");
	expect(r, rmdir(at(c, "rw/d", p)), 0, "rmdir rw/d");
	expect(r, mknod(at(c, "rw/null", p), S_IFCHR | 0600, makedev(1, 3)), EACCES,
	       "mknod of a char device in rw/ (make_char never granted)");

	/* secret/: no rule */
	expect(r, open_at(c, "secret/file", O_RDONLY), EACCES, "opening secret/file");
	expect(r, open_at(c, "secret", O_RDONLY | O_DIRECTORY), EACCES, "listing secret/");

	/* a regular-file rule given LL_READ|LL_WRITE|LL_EXEC (masked to file rights) */
	expect(r, open_at(c, "file", O_RDWR), 0, "opening the file rule's file read-write");
	expect(r, open_at(c, "sibling", O_RDONLY), EACCES, "opening its unlisted sibling");
}

static void case_exec(const struct ctx *c, struct report *r)
{
	char p[PATH_LEN];

	if (!confine(c, r))
		return;
	expect(r, spawn(at(c, "bin/true", p)), 0, "executing bin/true (LL_EXEC)");
	expect(r, spawn(at(c, "ro/true", p)), EACCES, "executing ro/true (LL_READ only)");
}

static void case_net(const struct ctx *c, struct report *r)
{
	if (!confine(c, r))
		return;
	expect(r, inet_connect(c->tcp_port), EACCES, "TCP connect to the parent's 127.0.0.1:%u",
	       c->tcp_port);
	expect(r, inet_bind(SOCK_STREAM, 0), EACCES, "TCP bind to 127.0.0.1:0");
	expect(r, inet_bind(SOCK_STREAM, c->tcp_port + 1), EACCES, "TCP bind to 127.0.0.1:%u",
	       c->tcp_port + 1);
	expect(r, inet_bind(SOCK_DGRAM, 0), 0, "UDP bind to 127.0.0.1:0 (not controlled)");
}

static void case_scope(const struct ctx *c, struct report *r)
{
	char p[PATH_LEN], own[80];
	autoclose int fd = -1;

	if (!confine(c, r))
		return;
	expect(r, kill(c->parent, 0), EPERM, "kill(parent, 0)");
	expect(r, kill(getpid(), 0), 0, "kill(self, 0)");
	expect(r, unix_connect(c->abstract, true), EPERM,
	       "connecting to the parent's abstract socket");
	snprintf(own, sizeof(own), "%s-child", c->abstract);
	fd = unix_listen(own, true);
	expect(r, fd < 0 ? -1 : unix_connect(own, true), 0,
	       "connecting to an abstract socket of its own domain");
	expect(r, unix_connect(at(c, "rw/p.sock", p), false), 0,
	       "connecting to the parent's pathname socket rw/p.sock");
	expect(r, closed(unix_listen(at(c, "rw/c.sock", p), false)), 0,
	       "binding a pathname socket in rw/");
	expect(r, closed(unix_listen(at(c, "ro/c.sock", p), false)), EACCES,
	       "binding a pathname socket in ro/");
}

static void case_dev(const struct ctx *c, struct report *r)
{
	autoclose int ptmx = -1;
	char pts[PATH_LEN];
	int n = -1;

	if (access("/dev/ptmx", F_OK) < 0 || access("/dev/pts", F_OK) < 0) {
		skip(r, "no /dev/ptmx or /dev/pts here");
		return;
	}
	if (!confine(c, r))
		return;
	ptmx = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	expect(r, ptmx, 0, "opening /dev/ptmx read-write");
	if (ptmx < 0)
		return;
	expect(r, ioctl(ptmx, TIOCGPTN, &n), 0, "ioctl TIOCGPTN on /dev/ptmx (rw char device)");
	expect(r, unlockpt(ptmx), 0, "unlockpt (ioctl TIOCSPTLCK)");
	snprintf(pts, sizeof(pts), "/dev/pts/%d", n);
	expect(r, ioctl_tcgets(pts, O_RDWR), 0, "tcgetattr on %s (rw rule on /dev/pts)", pts);
	expect(r, ioctl_tcgets("/dev/zero", O_RDONLY), EACCES,
	       "ioctl TCGETS on /dev/zero (LL_READ only: no ioctl_dev)");
	expect(r, ioctl_tcgets("/dev/null", O_RDWR), ENOTTY,
	       "ioctl TCGETS on /dev/null (rw: reaches the driver)");
}

static void case_bad_rules(const struct ctx *c, struct report *r)
{
	struct ll_rule rules[MAX_RULES + 1];
	struct uerr err = { 0 };
	char missing[PATH_LEN];
	int rc;

	memcpy(rules, c->rules, c->nrules * sizeof(rules[0]));
	rules[c->nrules] = (struct ll_rule){ at(c, "nope", missing), LL_READ };
	rc = landlock_confine(rules, c->nrules + 1, true, NULL, &err);
	expect_that(r, rc < 0 && err.errnum == ENOENT && strstr(err.msg, missing),
		    "a missing rule path is an error naming it: \"%s\"", err.msg);
	rules[c->nrules] = (struct ll_rule){ c->dir, 8 };
	rc = landlock_confine(rules, c->nrules + 1, true, NULL, &err);
	expect_that(r, rc < 0 && err.errnum == EINVAL, "unknown access bits are an error: \"%s\"",
		    err.msg);
	expect(r, open_at(c, "secret/file", O_RDONLY), 0, "nothing confined after the failures");
}

/* Makes landlock_create_ruleset() fail with `errnum`, as on a kernel without
 * Landlock (ENOSYS), with Landlock disabled at boot (EOPNOTSUPP) or behind a
 * seccomp policy (EPERM). Test-only filter: it does not check the arch. */
static int fake_landlock_errno(int errnum)
{
	struct sock_filter insns[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_landlock_create_ruleset, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)errnum),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(insns) / sizeof(insns[0]), .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static void absent(const struct ctx *c, struct report *r, int errnum)
{
	struct ll_rule missing = { "/nonexistent/umlrun-landlock", LL_READ };
	struct ll_status st;
	struct uerr err = { 0 };
	int rc;

	expect(r, fake_landlock_errno(errnum), 0, "faking %s with seccomp", ename(errnum));
	rc = landlock_probe(&st);
	expect_that(r, rc == 0 && st.abi == 0 && !st.fs && !st.net && !st.scoped,
		    "landlock_probe: unavailable, not an error: \"%s\"", st.reason);
	rc = landlock_confine(c->rules, c->nrules, false, &st, &err);
	expect_that(r, rc == 0 && st.abi == 0 && !st.fs && strstr(st.reason, "unavailable"),
		    "landlock_confine(required=false) returns 0, status \"%s\"", st.reason);
	expect(r, open_at(c, "secret/file", O_RDONLY), 0, "opening secret/file (not confined)");
	rc = landlock_confine(c->rules, c->nrules, true, &st, &err);
	expect_that(r, rc < 0 && err.errnum == errnum,
		    "landlock_confine(required=true) fails: \"%s\"", err.msg);
	rc = landlock_confine(&missing, 1, false, &st, &err);
	expect_that(r, rc < 0 && err.errnum == ENOENT && strstr(err.msg, missing.path),
		    "a missing rule path is still an error: \"%s\"", err.msg);
}

static void case_absent_enosys(const struct ctx *c, struct report *r)
{
	absent(c, r, ENOSYS);
}

static void case_absent_eopnotsupp(const struct ctx *c, struct report *r)
{
	absent(c, r, EOPNOTSUPP);
}

/* Any other failure of the version query is an error, required or not. */
static void case_blocked(const struct ctx *c, struct report *r)
{
	struct ll_status st;
	struct uerr err = { 0 };
	int rc;

	expect(r, fake_landlock_errno(EPERM), 0, "faking EPERM with seccomp");
	rc = landlock_probe(&st);
	expect_that(r, rc < 0 && errno == EPERM && st.abi == 0,
		    "landlock_probe fails with EPERM: \"%s\"", st.reason);
	rc = landlock_confine(c->rules, c->nrules, false, &st, &err);
	expect_that(r, rc < 0 && err.errnum == EPERM,
		    "landlock_confine(required=false) fails: \"%s\"", err.msg);
}

/* ---- parent ----------------------------------------------------------------- */

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static size_t read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void run_case(struct tap *t, const struct ctx *c, const char *name, case_fn fn)
{
	struct report r = { 0 };
	int p[2], status = 0;
	size_t got;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		TAP_OK(t, 0, "%s: pipe/fork: %s", name, strerror(errno));
		return;
	}
	if (pid == 0) {
		close(p[0]);
		fn(c, &r);
		_exit(write_all(p[1], &r, sizeof(r)) < 0 ? 1 : 0);
	}
	close(p[1]);
	got = read_all(p[0], &r, sizeof(r));
	close(p[0]);
	waitpid(pid, &status, 0);
	if (got != sizeof(r) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		TAP_OK(t, 0, "%s: child reported (status %#x)", name, status);
		return;
	}
	if (r.overflow)
		TAP_OK(t, 0, "%s: more than %d checks: raise MAX_CHECKS", name, MAX_CHECKS);
	for (int i = 0; i < r.n; i++) {
		const struct check *k = &r.chk[i];

		if (k->want < 0)
			TAP_OK(t, 1, "# SKIP %s: %s", name, k->what);
		else if (k->want == 0)
			TAP_OK(t, k->got == 0, "%s: %s%s%s%s", name, k->what,
			       k->plain ? "" : " works", k->got ? ", got " : "",
			       k->got ? ename(k->got) : "");
		else
			TAP_OK(t, k->got == k->want, "%s: %s fails with %s%s%s", name, k->what,
			       ename(k->want), k->got != k->want ? ", got " : "",
			       k->got != k->want ? ename(k->got) : "");
	}
}

static void run_case_from(struct tap *t, const struct ctx *c, int abi, const char *name, case_fn fn,
			  const char *why)
{
	if (c->abi < abi) {
		TAP_OK(t, 1, "# SKIP %s: Landlock ABI %d < %d: %s", name, c->abi, abi, why);
		return;
	}
	run_case(t, c, name, fn);
}

static int mkfile(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char p[PATH_LEN];
	autoclose int fd = -1;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		return -1;
	return 0;
}

static int copy_file(const char *from, const char *dir, const char *rel)
{
	char p[PATH_LEN], buf[8192];
	autoclose int in = open(from, O_RDONLY | O_CLOEXEC);
	autoclose int out = -1;
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	out = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_all(out, buf, (size_t)n) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

static int make_tree(const char *dir)
{
	static const char *const subdirs[] = { "ro", "rw", "secret", "bin" };
	char p[PATH_LEN];

	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, subdirs[i]);
		if (mkdir(p, 0755) < 0)
			return -1;
	}
	if (mkfile(dir, "ro/file", "hello\n", 0644) < 0 ||
	    mkfile(dir, "secret/file", "secret\n", 0644) < 0 ||
	    mkfile(dir, "file", "file\n", 0644) < 0 || mkfile(dir, "sibling", "x\n", 0644) < 0 ||
	    copy_file("/bin/true", dir, "bin/true") < 0 ||
	    copy_file("/bin/true", dir, "ro/true") < 0)
		return -1;
	return 0;
}

static void ctx_rule(struct ctx *c, const char *dir, const char *rel, unsigned rights)
{
	char *p = c->paths[c->nrules];

	if (c->nrules >= MAX_RULES)
		abort();
	if (dir != NULL)
		snprintf(p, PATH_LEN, "%s/%s", dir, rel);
	else
		snprintf(p, PATH_LEN, "%s", rel);
	if (dir == NULL && access(p, F_OK) < 0)
		return; /* optional host path */
	c->rules[c->nrules++] = (struct ll_rule){ p, rights };
}

static void ctx_rules(struct ctx *c)
{
	ctx_rule(c, c->dir, "ro", LL_READ);
	ctx_rule(c, c->dir, "rw", LL_READ | LL_WRITE);
	ctx_rule(c, c->dir, "bin", LL_READ | LL_EXEC);
	ctx_rule(c, c->dir, "file", LL_READ | LL_WRITE | LL_EXEC);
	ctx_rule(c, NULL, "/usr", LL_READ | LL_EXEC); /* ld.so and libc for bin/true */
	ctx_rule(c, NULL, "/etc", LL_READ);
	ctx_rule(c, NULL, "/dev/null", LL_READ | LL_WRITE);
	ctx_rule(c, NULL, "/dev/zero", LL_READ);
	ctx_rule(c, NULL, "/dev/ptmx", LL_READ | LL_WRITE);
	ctx_rule(c, NULL, "/dev/pts", LL_READ | LL_WRITE);
}

/* Parent-side listeners the confined children try to reach. */
static int listen_tcp(uint16_t *port)
{
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof(a);
	autoclose int fd = tcp_socket(SOCK_STREAM);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return steal_fd(fd);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	struct tap t = { 0 };
	struct ll_status st;
	autofree struct ctx *c = calloc(1, sizeof(*c));
	char p[PATH_LEN];
	autoclose int tcp = -1;
	autoclose int abstract = -1;
	autoclose int pathname = -1;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0); /* nothing buffered when forking */
	if (c == NULL)
		return 1;
	rc = landlock_probe(&st);
	TAP_OK(&t, rc == 0, "landlock_probe succeeds (abi %d, reason \"%s\")", st.abi, st.reason);
	if (st.abi == 0) {
		TAP_OK(&t, 1, "# SKIP Landlock unavailable: %s", st.reason);
		return tap_done(&t);
	}
	TAP_OK(&t,
	       st.fs && st.net == (st.abi >= 4) && st.scoped == (st.abi >= 6) &&
		   (st.abi >= 6) == (st.reason[0] == '\0'),
	       "probe status is consistent with ABI %d", st.abi);
	if (st.abi < 7)
		TAP_OK(&t, 1, "# SKIP host kernel has Landlock ABI %d, not 7", st.abi);
	else
		TAP_OK(&t, st.fs && st.net && st.scoped,
		       "probe reports ABI %d (7 on the 6.18 dev host) with fs, net and scoping",
		       st.abi);

	snprintf(c->dir, sizeof(c->dir), "/tmp/umlrun-landlock-XXXXXX");
	if (mkdtemp(c->dir) == NULL) {
		TAP_OK(&t, 0, "mkdtemp %s: %s", c->dir, strerror(errno));
		return tap_done(&t);
	}
	if (make_tree(c->dir) < 0) {
		TAP_OK(&t, 0, "setting up %s: %s", c->dir, strerror(errno));
		nftw(c->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		return tap_done(&t);
	}
	c->parent = getpid();
	c->abi = st.abi;
	snprintf(c->abstract, sizeof(c->abstract), "umlrun-landlock-%d", (int)c->parent);
	ctx_rules(c);
	tcp = listen_tcp(&c->tcp_port);
	abstract = unix_listen(c->abstract, true);
	pathname = unix_listen(at(c, "rw/p.sock", p), false);
	TAP_OK(&t, tcp >= 0 && abstract >= 0 && pathname >= 0,
	       "parent listens on 127.0.0.1:%u, @%s and rw/p.sock", c->tcp_port, c->abstract);

	run_case(&t, c, "fs", case_fs);
	run_case(&t, c, "exec", case_exec);
	run_case_from(&t, c, 4, "net", case_net, "no network rules");
	run_case_from(&t, c, 6, "scope", case_scope, "no abstract socket/signal scoping");
	run_case_from(&t, c, 5, "dev", case_dev, "no ioctl_dev right");
	run_case(&t, c, "rules", case_bad_rules);
	run_case(&t, c, "enosys", case_absent_enosys);
	run_case(&t, c, "eopnotsupp", case_absent_eopnotsupp);
	run_case(&t, c, "eperm", case_blocked);

	TAP_OK(&t, read_text(at(c, "secret/file", p), "secret\n") == 0 && kill(getpid(), 0) == 0,
	       "the parent stays unconfined");
	nftw(c->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done(&t);
}
