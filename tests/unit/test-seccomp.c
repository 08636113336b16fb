/* test-seccomp.c: the UML kernel process's seccomp allow-list
 * (runtime/seccomp_uml.c). Each case forks a child that installs the filter,
 * makes one call and reports its result and errno through a pipe; calls off
 * the list must kill the child with SIGSYS instead. The child does nothing
 * else after installing (no stdio, no exit handlers: _exit), so that
 * sanitizer runtimes make no syscalls of their own under the filter.
 *
 * The cases run twice: once with an exec fd and personality the build-time
 * filters do not fit (built by libseccomp at run time), once with
 * SECCOMP_UML_EXEC_FD and SECCOMP_UML_PERSONA (the build-time copy, as in
 * umlrun). The copy must equal what libseccomp builds now, and the
 * run-time build must be taken whenever an input differs. */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/cleanup.h"
#include "runtime/seccomp_uml.h"
#include "tests/unit/tap.h"

#define X32_SYSCALL_BIT 0x40000000L
#define INSTALL_FAILED 100

struct ctx {
	int exec_fd; /* /bin/true, O_PATH|O_CLOEXEC: the exec the filter allows */
	int other_fd; /* /bin/true again: an exec it must refuse */
	int file_fd; /* /bin/true, O_RDONLY: an fd ioctl and fcntl can act on */
	char dir[64]; /* scratch directory for mknod */
	long persona; /* personality the child sets before installing, or -1 */
	const char *pass; /* names the pass in the test descriptions */
};

struct outcome {
	int signal;  /* signal that killed the child, 0 if it exited */
	int status;  /* its exit status */
	int reported; /* 1 if the call returned and reported */
	long ret;
	int err;
};

typedef long (*call_fn)(const struct ctx *c);

static void child(const struct ctx *c, call_fn fn, int wr)
{
	struct rlimit no_core = { 0, 0 };
	struct uerr e = { 0 };
	struct {
		long ret;
		int err;
	} r;

	setrlimit(RLIMIT_CORE, &no_core); /* SIGSYS would dump core */
	if (c->persona >= 0 && personality((unsigned long)c->persona) < 0)
		_exit(INSTALL_FAILED);
	if (seccomp_uml_install(c->exec_fd, &e) < 0) {
		if (write(STDERR_FILENO, e.msg, strlen(e.msg)) < 0)
			_exit(INSTALL_FAILED);
		_exit(INSTALL_FAILED);
	}
	errno = 0;
	r.ret = fn(c);
	r.err = errno;
	if (write(wr, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	_exit(0);
}

static struct outcome run(const struct ctx *c, call_fn fn)
{
	struct outcome o = { .signal = -1, .status = -1 };
	struct {
		long ret;
		int err;
	} r;
	autoclose int rd = -1;
	autoclose int wr = -1;
	int p[2], st;
	pid_t pid;

	fflush(stdout);
	if (pipe2(p, O_CLOEXEC) < 0)
		return o;
	rd = p[0];
	wr = p[1];
	pid = fork();
	if (pid < 0)
		return o;
	if (pid == 0)
		child(c, fn, wr);
	close(steal_fd(wr));
	if (read(rd, &r, sizeof(r)) == (ssize_t)sizeof(r)) {
		o.reported = 1;
		o.ret = r.ret;
		o.err = r.err;
	}
	if (waitpid(pid, &st, 0) != pid)
		return o;
	o.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return o;
}

static int refused_with(struct outcome o, int errnum)
{
	return o.signal == 0 && o.reported && o.ret == -1 && o.err == errnum;
}

static int succeeded(struct outcome o)
{
	return o.signal == 0 && o.reported && o.ret >= 0;
}

static int killed(struct outcome o)
{
	return o.signal == SIGSYS && !o.reported;
}

/* ---- the calls ---- */

static long socket_inet(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
}

static long socket_inet6(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_socket, AF_INET6, SOCK_DGRAM, 0);
}

static long socket_netlink(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 0);
}

static long socket_packet(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_socket, AF_PACKET, SOCK_RAW, 0);
}

static long socket_inet_high_bits(const struct ctx *c)
{
	(void)c;
	/* The kernel reads an int: junk in the upper half must not matter. */
	return syscall(SYS_socket, 0xffffffff00000000L | AF_INET, SOCK_STREAM, 0);
}

static long socket_unix(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static long socketpair_unix(const struct ctx *c)
{
	int sv[2];

	(void)c;
	return syscall(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, sv);
}

static long socketpair_inet(const struct ctx *c)
{
	int sv[2];

	(void)c;
	return syscall(SYS_socketpair, AF_INET, SOCK_STREAM, 0, sv);
}

static long exec_execve(const struct ctx *c)
{
	char *argv[] = { "true", NULL };
	char *envp[] = { NULL };

	(void)c;
	return syscall(SYS_execve, "/bin/true", argv, envp);
}

static long exec_other_fd(const struct ctx *c)
{
	char *argv[] = { "true", NULL };
	char *envp[] = { NULL };

	return syscall(SYS_execveat, c->other_fd, "", argv, envp, AT_EMPTY_PATH);
}

static long exec_fd_without_empty_path(const struct ctx *c)
{
	char *argv[] = { "true", NULL };
	char *envp[] = { NULL };

	return syscall(SYS_execveat, c->exec_fd, "", argv, envp, 0);
}

static long exec_fd_empty_path(const struct ctx *c)
{
	char *argv[] = { "true", NULL };
	char *envp[] = { NULL };

	return syscall(SYS_execveat, c->exec_fd, "", argv, envp, AT_EMPTY_PATH);
}

static long sys_mount(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL);
}

static long sys_kexec_load(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_kexec_load, 0, 0, NULL, 0);
}

static long sys_bpf(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_bpf, 0, NULL, 0);
}

static long sys_add_key(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_add_key, "user", "k", "v", 1, -1);
}

static long sys_setns(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_setns, 0, 0);
}

static long sys_seccomp(const struct ctx *c)
{
	(void)c;
	/* Loading more filters would be allowed only while installing. */
	return syscall(SYS_seccomp, 0 /* SECCOMP_SET_MODE_STRICT */, 0, NULL);
}

static long sys_setsockopt(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_setsockopt, 0, SOL_SOCKET, SO_REUSEADDR, NULL, 0);
}

static long unshare_user(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_unshare, CLONE_NEWUSER);
}

static long clone_newuser(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, NULL, NULL, 0);
}

static long clone_newnet(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, NULL, NULL, 0);
}

static long clone_parent(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_clone, CLONE_PARENT, 0, NULL, NULL, 0);
}

static long clone_plain(const struct ctx *c)
{
	long pid;

	(void)c;
	pid = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0)
		_exit(0);
	return pid > 0 && syscall(SYS_wait4, pid, NULL, 0, NULL) == pid ? pid : -1;
}

static long clone3_any(const struct ctx *c)
{
	struct clone_args a = { .exit_signal = SIGCHLD };

	(void)c;
	return syscall(SYS_clone3, &a, sizeof(a));
}

static long ioctl_tiocsti(const struct ctx *c)
{
	char ch = 'x';

	(void)c;
	return syscall(SYS_ioctl, 0, TIOCSTI, &ch);
}

static long ioctl_tcgets(const struct ctx *c)
{
	struct termios t;

	/* An allowed request reaches the kernel: a non-tty says ENOTTY. */
	return syscall(SYS_ioctl, c->file_fd, TCGETS, &t);
}

static long ioctl_tiocsctty_steal(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_ioctl, 0, TIOCSCTTY, 1);
}

static long prctl_dumpable(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static long prctl_pdeathsig(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

static long personality_query(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_personality, 0xffffffffUL);
}

static long personality_linux32(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_personality, PER_LINUX32);
}

static long ptrace_attach(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_ptrace, PTRACE_ATTACH, getppid(), NULL, NULL);
}

static long ptrace_seize(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_ptrace, PTRACE_SEIZE, getppid(), NULL, NULL);
}

static long mknod_chardev(const struct ctx *c)
{
	char p[96];

	snprintf(p, sizeof(p), "%s/null", c->dir);
	return syscall(SYS_mknodat, AT_FDCWD, p, S_IFCHR | 0600, makedev(1, 3));
}

static long mknod_blockdev(const struct ctx *c)
{
	char p[96];

	snprintf(p, sizeof(p), "%s/sda", c->dir);
	return syscall(SYS_mknodat, AT_FDCWD, p, S_IFBLK | 0600, makedev(8, 0));
}

static long mknod_fifo(const struct ctx *c)
{
	char p[96];

	snprintf(p, sizeof(p), "%s/fifo", c->dir);
	return syscall(SYS_mknodat, AT_FDCWD, p, S_IFIFO | 0600, 0);
}

static long prlimit_other(const struct ctx *c)
{
	struct rlimit r;

	(void)c;
	return syscall(SYS_prlimit64, getppid(), RLIMIT_NOFILE, NULL, &r);
}

static long prlimit_self(const struct ctx *c)
{
	struct rlimit r;

	(void)c;
	return syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &r);
}

static long fcntl_setlease(const struct ctx *c)
{
	return syscall(SYS_fcntl, c->file_fd, F_SETLEASE, F_RDLCK);
}

static long fcntl_getfl(const struct ctx *c)
{
	return syscall(SYS_fcntl, c->file_fd, F_GETFL);
}

static long arch_prctl_cpuid(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_arch_prctl, 0x1012 /* ARCH_SET_CPUID */, 0);
}

static long x32_getpid(const struct ctx *c)
{
	(void)c;
	return syscall(X32_SYSCALL_BIT | SYS_getpid);
}

static long int80_getpid(const struct ctx *c)
{
	long ax = 20; /* i386 getpid */

	(void)c;
	__asm__ volatile("int $0x80" : "+a"(ax) : : "memory");
	return ax;
}

static long ptrace_traceme(const struct ctx *c)
{
	(void)c;
	return syscall(SYS_ptrace, PTRACE_TRACEME, 0, NULL, NULL);
}

/* ---- cases ---- */

static int make_ctx(struct ctx *c)
{
	snprintf(c->dir, sizeof(c->dir), "/tmp/test-seccomp.XXXXXX");
	if (mkdtemp(c->dir) == NULL)
		return -1;
	c->exec_fd = open("/bin/true", O_PATH | O_CLOEXEC);
	c->other_fd = open("/bin/true", O_PATH | O_CLOEXEC);
	c->file_fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
	return c->exec_fd < 0 || c->other_fd < 0 || c->file_fd < 0 ? -1 : 0;
}

static void test_install_checks_cloexec(struct tap *t, const struct ctx *c)
{
	autoclose int fd = open("/bin/true", O_PATH);
	struct uerr e = { 0 };
	int r;

	/* Refused before anything is loaded, so this process stays unfiltered. */
	r = seccomp_uml_install(fd, &e);
	TAP_OK(t, r < 0 && strstr(e.msg, "close-on-exec") != NULL,
	       "an exec fd without FD_CLOEXEC is refused (%s)", e.msg);
	r = seccomp_uml_install(-1, &e);
	TAP_OK(t, r < 0 && e.errnum == EBADF, "a negative exec fd is refused (%s)", e.msg);
	(void)c;
}

static void test_sockets(struct tap *t, const struct ctx *c)
{
	TAP_OK(t, refused_with(run(c, socket_inet), EPERM), "socket(AF_INET) fails with EPERM");
	TAP_OK(t, refused_with(run(c, socket_inet6), EPERM), "socket(AF_INET6) fails with EPERM");
	TAP_OK(t, refused_with(run(c, socket_netlink), EPERM), "socket(AF_NETLINK) fails with EPERM");
	TAP_OK(t, refused_with(run(c, socket_packet), EPERM), "socket(AF_PACKET) fails with EPERM");
	TAP_OK(t, refused_with(run(c, socket_inet_high_bits), EPERM),
	       "socket(AF_INET with junk in the upper 32 bits) fails with EPERM");
	TAP_OK(t, succeeded(run(c, socket_unix)), "socket(AF_UNIX) works");
	TAP_OK(t, succeeded(run(c, socketpair_unix)), "socketpair(AF_UNIX, SOCK_SEQPACKET) works");
	TAP_OK(t, refused_with(run(c, socketpair_inet), EPERM), "socketpair(AF_INET) fails with EPERM");
	TAP_OK(t, killed(run(c, sys_setsockopt)), "setsockopt (off the list) kills with SIGSYS");
}

static void test_exec(struct tap *t, const struct ctx *c)
{
	struct outcome o;

	TAP_OK(t, refused_with(run(c, exec_execve), EPERM), "execve(\"/bin/true\") fails with EPERM");
	TAP_OK(t, refused_with(run(c, exec_other_fd), EPERM),
	       "execveat(another fd, \"\", AT_EMPTY_PATH) fails with EPERM");
	TAP_OK(t, refused_with(run(c, exec_fd_without_empty_path), EPERM),
	       "execveat(exec_fd, \"\", 0) fails with EPERM");
	o = run(c, exec_fd_empty_path);
	TAP_OK(t, o.signal == 0 && !o.reported && o.status == 0,
	       "execveat(exec_fd, \"\", AT_EMPTY_PATH) runs /bin/true, which exits 0 "
	       "(signal %d, status %d, reported %d)", o.signal, o.status, o.reported);
}

static void test_off_the_list(struct tap *t, const struct ctx *c)
{
	struct outcome o;

	TAP_OK(t, killed(run(c, sys_mount)), "mount kills with SIGSYS");
	TAP_OK(t, killed(run(c, sys_kexec_load)), "kexec_load kills with SIGSYS");
	TAP_OK(t, killed(run(c, sys_bpf)), "bpf kills with SIGSYS");
	TAP_OK(t, killed(run(c, sys_add_key)), "add_key kills with SIGSYS");
	TAP_OK(t, killed(run(c, sys_setns)), "setns kills with SIGSYS");
	TAP_OK(t, killed(run(c, sys_seccomp)), "seccomp (more filters) kills with SIGSYS");
	o = run(c, x32_getpid);
	TAP_OK(t, killed(o), "an x32 syscall kills with SIGSYS (signal %d)", o.signal);
	o = run(c, int80_getpid);
	TAP_OK(t, killed(o), "a 32-bit int 0x80 syscall kills with SIGSYS (signal %d)", o.signal);
}

static void test_namespaces(struct tap *t, const struct ctx *c)
{
	TAP_OK(t, refused_with(run(c, unshare_user), EPERM), "unshare(CLONE_NEWUSER) fails with EPERM");
	TAP_OK(t, refused_with(run(c, clone_newuser), EPERM), "clone(CLONE_NEWUSER) fails with EPERM");
	TAP_OK(t, refused_with(run(c, clone_newnet), EPERM), "clone(CLONE_NEWNET) fails with EPERM");
	TAP_OK(t, refused_with(run(c, clone_parent), EPERM), "clone(CLONE_PARENT) fails with EPERM");
	TAP_OK(t, succeeded(run(c, clone_plain)), "clone(CLONE_FILES|SIGCHLD), a stub's, works");
	TAP_OK(t, refused_with(run(c, clone3_any), ENOSYS),
	       "clone3 fails with ENOSYS (glibc falls back to clone)");
}

static void test_argument_filters(struct tap *t, const struct ctx *c)
{
	struct outcome o;

	TAP_OK(t, refused_with(run(c, ioctl_tiocsti), EPERM), "ioctl(TIOCSTI) fails with EPERM");
	TAP_OK(t, refused_with(run(c, ioctl_tcgets), ENOTTY),
	       "ioctl(TCGETS) reaches the kernel (ENOTTY on a file)");
	TAP_OK(t, refused_with(run(c, ioctl_tiocsctty_steal), EPERM),
	       "ioctl(TIOCSCTTY, 1) (stealing a tty) fails with EPERM");
	TAP_OK(t, refused_with(run(c, prctl_dumpable), EPERM), "prctl(PR_SET_DUMPABLE) fails with EPERM");
	TAP_OK(t, succeeded(run(c, prctl_pdeathsig)), "prctl(PR_SET_PDEATHSIG) works");
	o = run(c, personality_query);
	TAP_OK(t, succeeded(o) && o.ret == (c->persona >= 0 ? c->persona : personality(0xffffffff)),
	       "personality(0xffffffff) returns the current persona");
	TAP_OK(t, refused_with(run(c, personality_linux32), EPERM),
	       "personality(PER_LINUX32) fails with EPERM");
	TAP_OK(t, refused_with(run(c, ptrace_attach), EPERM), "ptrace(PTRACE_ATTACH) fails with EPERM");
	TAP_OK(t, refused_with(run(c, ptrace_seize), EPERM), "ptrace(PTRACE_SEIZE) fails with EPERM");
	TAP_OK(t, succeeded(run(c, ptrace_traceme)), "ptrace(PTRACE_TRACEME), a stub's, works");
	TAP_OK(t, refused_with(run(c, mknod_chardev), EPERM), "mknodat(S_IFCHR) fails with EPERM");
	TAP_OK(t, refused_with(run(c, mknod_blockdev), EPERM), "mknodat(S_IFBLK) fails with EPERM");
	TAP_OK(t, succeeded(run(c, mknod_fifo)), "mknodat(S_IFIFO) works");
	TAP_OK(t, refused_with(run(c, prlimit_other), EPERM),
	       "prlimit64 on another process fails with EPERM");
	TAP_OK(t, succeeded(run(c, prlimit_self)), "prlimit64 on itself works");
	TAP_OK(t, refused_with(run(c, fcntl_setlease), EPERM), "fcntl(F_SETLEASE) fails with EPERM");
	TAP_OK(t, succeeded(run(c, fcntl_getfl)), "fcntl(F_GETFL) works");
	TAP_OK(t, refused_with(run(c, arch_prctl_cpuid), EPERM),
	       "arch_prctl(ARCH_SET_CPUID) fails with EPERM");
}

static int same_prog(const struct sock_fprog *a, const struct sock_fprog *b)
{
	return a->len == b->len && a->len > 0 &&
	       memcmp(a->filter, b->filter, a->len * sizeof(a->filter[0])) == 0;
}

/* The build-time copy is what libseccomp builds now for its inputs. */
static void test_baked_copy(struct tap *t)
{
	struct sock_fprog baked[2], built[2], other[2];
	struct uerr e = { 0 };
	int r;

	seccomp_uml_baked(baked);
	r = seccomp_uml_build_bpf(SECCOMP_UML_EXEC_FD, SECCOMP_UML_PERSONA, built, &e);
	TAP_OK(t, r == 0, "libseccomp builds the filters for the build-time inputs (%s)",
	       r == 0 ? "ok" : e.msg);
	if (r < 0)
		return;
	TAP_OK(t, same_prog(&baked[0], &built[0]),
	       "the build-time argument filter is byte-identical to libseccomp's (%u/%u insns)",
	       baked[0].len, built[0].len);
	TAP_OK(t, same_prog(&baked[1], &built[1]),
	       "the build-time syscall filter is byte-identical to libseccomp's (%u/%u insns)",
	       baked[1].len, built[1].len);
	free(built[0].filter);
	free(built[1].filter);
	r = seccomp_uml_build_bpf(SECCOMP_UML_EXEC_FD, PER_LINUX, other, &e);
	TAP_OK(t, r == 0 && !same_prog(&baked[0], &other[0]) && same_prog(&baked[1], &other[1]),
	       "another personality gives another argument filter, the same syscall filter");
	if (r == 0) {
		free(other[0].filter);
		free(other[1].filter);
	}
	TAP_OK(t, seccomp_uml_baked_fits(SECCOMP_UML_EXEC_FD, SECCOMP_UML_PERSONA),
	       "the build-time copy is taken for its own inputs");
	TAP_OK(t, !seccomp_uml_baked_fits(SECCOMP_UML_EXEC_FD, PER_LINUX) &&
			  !seccomp_uml_baked_fits(SECCOMP_UML_EXEC_FD,
						  SECCOMP_UML_PERSONA | ADDR_COMPAT_LAYOUT) &&
			  !seccomp_uml_baked_fits(SECCOMP_UML_EXEC_FD + 1, SECCOMP_UML_PERSONA),
	       "the run-time build is taken for another personality or exec fd");
}

/* Another personality with the build-time exec fd: only a filter built for
 * that personality lets it be set again, and the exec still works. */
static long personality_same(const struct ctx *c)
{
	return syscall(SYS_personality, (unsigned long)c->persona);
}

static void test_fallback(struct tap *t, const struct ctx *baked)
{
	struct ctx c = *baked;
	struct outcome o;

	c.persona = SECCOMP_UML_PERSONA | ADDR_COMPAT_LAYOUT;
	o = run(&c, personality_same);
	TAP_OK(t, succeeded(o) && o.ret == c.persona,
	       "fallback: with another personality, setting it again works (filter built for it)");
	TAP_OK(t, refused_with(run(&c, personality_linux32), EPERM),
	       "fallback: personality(PER_LINUX32) fails with EPERM");
	o = run(&c, exec_fd_empty_path);
	TAP_OK(t, o.signal == 0 && !o.reported && o.status == 0,
	       "fallback: execveat(exec_fd, \"\", AT_EMPTY_PATH) runs /bin/true");
	c.persona = SECCOMP_UML_PERSONA;
	o = run(&c, personality_same);
	TAP_OK(t, succeeded(o) && o.ret == c.persona,
	       "build-time copy: setting its own personality again works");
}

/* Keeps fd SECCOMP_UML_EXEC_FD free for the second pass. */
static int move_off(int *fd)
{
	int nfd;

	if (*fd != SECCOMP_UML_EXEC_FD)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, SECCOMP_UML_EXEC_FD + 1);
	if (nfd < 0)
		return -1;
	close(*fd);
	*fd = nfd;
	return 0;
}

static void run_cases(struct tap *t, const struct ctx *c)
{
	printf("# %s\n", c->pass);
	test_install_checks_cloexec(t, c);
	test_sockets(t, c);
	test_exec(t, c);
	test_off_the_list(t, c);
	test_namespaces(t, c);
	test_argument_filters(t, c);
}

int main(void)
{
	struct tap t = { 0 };
	struct ctx c = { .exec_fd = -1, .other_fd = -1, .file_fd = -1, .persona = -1 };
	struct ctx b;
	char p[96];

	if (make_ctx(&c) < 0 || move_off(&c.exec_fd) < 0 || move_off(&c.other_fd) < 0 ||
	    move_off(&c.file_fd) < 0) {
		perror("test-seccomp: setting up");
		return 1;
	}
	c.pass = "filters built at run time (exec fd and personality of this process)";
	run_cases(&t, &c);
	snprintf(p, sizeof(p), "%s/fifo", c.dir);
	unlink(p); /* made by the first pass's mknodat case */
	test_baked_copy(&t);
	b = c;
	b.pass = "filters built at build time (SECCOMP_UML_EXEC_FD, SECCOMP_UML_PERSONA)";
	b.persona = SECCOMP_UML_PERSONA;
	b.exec_fd = dup3(c.exec_fd, SECCOMP_UML_EXEC_FD, O_CLOEXEC);
	if (b.exec_fd != SECCOMP_UML_EXEC_FD) {
		perror("test-seccomp: dup3");
		return 1;
	}
	run_cases(&t, &b);
	test_fallback(&t, &b);
	snprintf(p, sizeof(p), "%s/fifo", c.dir);
	unlink(p);
	rmdir(c.dir);
	close(b.exec_fd);
	close(c.exec_fd);
	close(c.other_fd);
	close(c.file_fd);
	return tap_done(&t);
}
