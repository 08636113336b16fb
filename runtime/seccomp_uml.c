/* seccomp_uml.c: the seccomp allow-list of the UML kernel process (see
 * seccomp_uml.h). Owns which host syscalls the 6.12 UML kernel, its helper
 * threads (ubd io thread, SIGIO thread) and its stub processes may make, with
 * which arguments, and how the filter is built and loaded.
 *
 * Guest syscalls never reach this filter: UML runs guest code in stub
 * processes traced with PTRACE_SYSEMU, which stops at and skips each guest
 * syscall before seccomp runs. What the filter sees is UML itself: glibc,
 * the kernel's own host calls and the stubs' mmap/munmap/mprotect.
 *
 * The list was found by running workloads (boot, hostfs file I/O, 10 MiB
 * through stdio, signals, fork loops, sleep, panic, poweroff, guest OOM, ubd
 * and COW ubd with discard, vector NICs over the fd and bess transports)
 * under a filter whose default action was SCMP_ACT_NOTIFY, recording every
 * (syscall, arguments) pair, then checked against the dynamic imports of the
 * kernel binary and the UML sources (arch/um/os-Linux, drivers/ubd_user.c,
 * vector_user.c, chan_user.c, cow_user.c, mconsole_user.c, fs/hostfs).
 * If the kernel config, its drivers or its libc change, redo that.
 *
 * Two stacked filters, because libseccomp cannot express "kill if the
 * syscall is off the list, EPERM if its arguments are wrong" in one: an
 * unconditional rule replaces a syscall's conditional rules, and one rule
 * cannot compare the same argument twice. The kernel runs every filter and
 * keeps the most severe verdict (KILL_PROCESS > ERRNO > ALLOW):
 *  - the argument filter (loaded first): default ERRNO(EPERM); allows each
 *    listed syscall, the argument-checked ones only with allowed arguments;
 *  - the syscall filter (loaded second): default and bad-architecture action
 *    KILL_PROCESS (32-bit int 0x80 and x32 calls die too); allows each listed
 *    syscall whatever its arguments; execve, unshare EPERM; clone3 ENOSYS.
 * The argument filter also allows seccomp(2), to load the second filter;
 * the syscall filter kills it from then on.
 *
 * Building them with libseccomp costs about 1 ms per start, and they depend
 * on two values only: the exec fd and the personality. So the build runs
 * runtime/seccomp-gen (seccomp_gen.c, this file compiled with
 * SECCOMP_UML_GEN), which exports both as BPF for SECCOMP_UML_EXEC_FD and
 * SECCOMP_UML_PERSONA into the generated seccomp_uml_bpf.h; the install
 * loads those with seccomp(2) when its inputs are those, and builds with
 * libseccomp otherwise. tests/unit/test-seccomp checks that the copy equals
 * what libseccomp builds at run time.
 */
#define _GNU_SOURCE
#include "seccomp_uml.h"

#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

#ifndef SECCOMP_UML_GEN
#include "runtime/seccomp_uml_bpf.h"

_Static_assert(SECCOMP_UML_BAKED_FD == SECCOMP_UML_EXEC_FD &&
		   SECCOMP_UML_BAKED_PERSONA == SECCOMP_UML_PERSONA,
	       "seccomp_uml_bpf.h is stale: rebuild it");
#endif
_Static_assert(SECCOMP_UML_PERSONA == (PER_LINUX | ADDR_NO_RANDOMIZE),
	       "SECCOMP_UML_PERSONA is what vm.c sets");

#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif

/* For arguments the kernel declares int/unsigned int: it ignores the upper
 * 32 bits, so compare only the lower ones. */
#define INT_MASK 0xffffffffULL

/* clone() flags UML never uses: new namespaces (CLONE_NEWTIME does not fit
 * clone()'s flags, it overlaps the exit signal byte), and CLONE_PARENT,
 * which would make a sibling of the kernel outside its control. */
#define CLONE_DENIED                                                             \
	((uint64_t)(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
		    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_PARENT))

/* Syscalls allowed with any arguments. */
static const int any_args[] = {
	/* fd I/O: console and control fds, hostfs files, ubd images (the io
	 * thread's pread/pwrite), the physical-memory file; readv/writev:
	 * vector NICs without mmsg (vec=0) */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(lseek), SCMP_SYS(close),
	/* hostfs operations, the umid directory, the O_TMPFILE memory file,
	 * ubd/COW images (getcwd/chdir: cow_user.c absolutizes the backing
	 * path; fsync/fdatasync/fallocate: flush, discard, write-zeroes) */
	SCMP_SYS(openat), SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(statfs),
	SCMP_SYS(getdents64), SCMP_SYS(access), SCMP_SYS(readlink),
	SCMP_SYS(getcwd), SCMP_SYS(chdir), SCMP_SYS(mkdir), SCMP_SYS(rmdir),
	SCMP_SYS(unlink), SCMP_SYS(rename), SCMP_SYS(renameat2), SCMP_SYS(link),
	SCMP_SYS(symlink), SCMP_SYS(chmod), SCMP_SYS(fchmod), SCMP_SYS(chown),
	SCMP_SYS(fchown), SCMP_SYS(truncate), SCMP_SYS(ftruncate),
	SCMP_SYS(utimensat), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
	SCMP_SYS(fallocate),
	/* memory: guest physical memory is a shared file mapping; stubs map,
	 * unmap and protect guest pages (with PROT_EXEC); MADV_REMOVE frees
	 * guest pages; brk for malloc */
	SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(madvise),
	SCMP_SYS(brk),
	/* signals: SIGALRM timer, SIGIO, SIGSEGV in stubs; sigsuspend when
	 * idle and in the SIGWINCH thread (glibc's pause()); kill: stubs
	 * SIGSTOP themselves, the kernel kills its stubs and helpers, SIGTERMs
	 * its process group and SIGABRTs itself on panic (which processes it
	 * can reach is the pid namespace's business) */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigsuspend), SCMP_SYS(sigaltstack), SCMP_SYS(kill),
	SCMP_SYS(restart_syscall),
	/* process: identity checks (getpgrp: is a tty's SIGWINCH ours), setsid
	 * at start and in the SIGWINCH thread, reaping stubs and helpers, exit
	 * of a clone()d helper whose function returns (glibc calls exit) and of
	 * the kernel (exit_group) */
	SCMP_SYS(getpid), SCMP_SYS(getppid), SCMP_SYS(getpgrp), SCMP_SYS(setsid),
	SCMP_SYS(uname), SCMP_SYS(wait4), SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* glibc start-up (static and dynamic) */
	SCMP_SYS(set_tid_address), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	/* time: clock_gettime if the vDSO cannot answer; the POSIX interval
	 * timer that drives the guest */
	SCMP_SYS(clock_gettime), SCMP_SYS(timer_create), SCMP_SYS(timer_settime),
	SCMP_SYS(timer_gettime),
	/* IRQ emulation: one epoll set; the SIGIO thread polls */
	SCMP_SYS(epoll_create), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait),
	SCMP_SYS(poll),
	/* AF_UNIX sockets only (see socket below): mconsole (bind, recvfrom,
	 * sendto), vector bess transport (connect), vector I/O (sendmmsg,
	 * recvmmsg) */
	SCMP_SYS(bind), SCMP_SYS(connect), SCMP_SYS(sendto), SCMP_SYS(recvfrom),
	SCMP_SYS(sendmmsg), SCMP_SYS(recvmmsg),
	/* guest /dev/urandom and early random seeding */
	SCMP_SYS(getrandom),
};

/* Syscalls refused with an errno by the syscall filter (allowed by the
 * argument filter so that this errno, not EPERM, is what the caller sees). */
static const struct {
	int nr;
	int errnum;
} refused[] = {
	/* No exec once started: a guest reboot, which re-execs the kernel,
	 * makes UML exit instead (and so do its helper programs: xterm,
	 * port-helper, tap scripts, none of which umlrun uses). */
	{ SCMP_SYS(execve), EPERM },
	/* UML never makes namespaces. */
	{ SCMP_SYS(unshare), EPERM },
	/* Its flags are in memory, out of the filter's reach; on ENOSYS glibc
	 * falls back to clone, whose flags are checked. */
	{ SCMP_SYS(clone3), ENOSYS },
};

/* An allowed (syscall, arguments) combination: every comparison must hold.
 * A syscall with several entries is allowed if any entry matches. */
struct arg_rule {
	int nr;
	unsigned int n;
	struct scmp_arg_cmp cmp[2];
};

#define ARG_IS(i, mask, val) \
	{ .arg = (i), .op = SCMP_CMP_MASKED_EQ, .datum_a = (mask), .datum_b = (val) }
#define RULE1(sys, c0) { SCMP_SYS(sys), 1, { c0 } }
#define RULE2(sys, c0, c1) { SCMP_SYS(sys), 2, { c0, c1 } }
#define IOCTL(req) RULE1(ioctl, ARG_IS(1, INT_MASK, req))
#define FCNTL(cmd) RULE1(fcntl, ARG_IS(1, INT_MASK, cmd))
#define PTRACE(req) RULE1(ptrace, ARG_IS(0, ~0ULL, req))

static const struct arg_rule arg_rules[] = {
	/* No AF_INET/AF_INET6/AF_NETLINK/AF_PACKET...: mconsole, the vector
	 * bess transport and os_pipe() use AF_UNIX only. */
	RULE1(socket, ARG_IS(0, INT_MASK, AF_UNIX)),
	RULE1(socketpair, ARG_IS(0, INT_MASK, AF_UNIX)),
	/* fork() for the ptrace checks at boot, stubs (CLONE_FILES|SIGCHLD),
	 * ubd io and SIGIO threads (CLONE_VM|CLONE_FILES): no namespaces. */
	RULE1(clone, ARG_IS(0, CLONE_DENIED, 0)),
	/* Its own limits only: RLIMIT_STACK at start, RLIMIT_CORE report. */
	RULE1(prlimit64, ARG_IS(0, INT_MASK, 0)),
	/* Stubs and helpers die with the kernel. */
	RULE1(prctl, ARG_IS(0, INT_MASK, PR_SET_PDEATHSIG)),
	/* glibc TLS set-up (and reads of it); not ARCH_SET_CPUID, vDSO moves */
	RULE1(arch_prctl, ARG_IS(0, INT_MASK, ARCH_SET_FS)),
	RULE1(arch_prctl, ARG_IS(0, INT_MASK, ARCH_GET_FS)),
	RULE1(arch_prctl, ARG_IS(0, INT_MASK, ARCH_SET_GS)),
	RULE1(arch_prctl, ARG_IS(0, INT_MASK, ARCH_GET_GS)),
	/* hostfs mknod: regular files, FIFOs and sockets only. A device node
	 * made on the host would give the guest the host device through
	 * hostfs. */
	RULE1(mknodat, ARG_IS(2, S_IFMT, 0)),
	RULE1(mknodat, ARG_IS(2, S_IFMT, S_IFREG)),
	RULE1(mknodat, ARG_IS(2, S_IFMT, S_IFIFO)),
	RULE1(mknodat, ARG_IS(2, S_IFMT, S_IFSOCK)),
	/* fcntl: O_NONBLOCK/O_ASYNC, FD_CLOEXEC, SIGIO routing, umid lock */
	FCNTL(F_GETFD), FCNTL(F_SETFD), FCNTL(F_GETFL), FCNTL(F_SETFL),
	FCNTL(F_GETLK), FCNTL(F_SETLK), FCNTL(F_SETOWN), FCNTL(F_SETSIG),
	/* ioctl: termios on console ttys (isatty, tcgetattr, tcsetattr),
	 * window size and the SIGWINCH thread (TIOCGPGRP, TIOCSPGRP, TIOCSCTTY
	 * without stealing), host ptys (openpty, and the boot-time check that
	 * ptys deliver SIGIO), size of a ubd backed by a block device. Not
	 * TIOCSTI, TIOCLINUX, TIOCSETD, TUN*, SIOC*. */
	IOCTL(TCGETS), IOCTL(TCSETS), IOCTL(TCSETSW), IOCTL(TCSETSF),
	IOCTL(TIOCGWINSZ), IOCTL(TIOCGPGRP), IOCTL(TIOCSPGRP),
	RULE2(ioctl, ARG_IS(1, INT_MASK, TIOCSCTTY), ARG_IS(2, ~0ULL, 0)),
	IOCTL(TIOCGPTN), IOCTL(TIOCSPTLCK), IOCTL(TIOCGPTPEER), IOCTL(BLKGETSIZE),
	/* UML needs ptrace for its stubs: each stub PTRACE_TRACEMEs to the
	 * kernel, which drives it with SYSEMU, register access and CONT/KILL.
	 * No PTRACE_ATTACH/SEIZE or PEEK/POKEDATA, so only processes that
	 * asked for it can be traced; but ptrace of non-children is prevented
	 * by the pid namespace and Landlock's scoping, not here. */
	PTRACE(PTRACE_TRACEME), PTRACE(PTRACE_PEEKUSER), PTRACE(PTRACE_POKEUSER),
	PTRACE(PTRACE_CONT), PTRACE(PTRACE_KILL), PTRACE(PTRACE_GETREGS),
	PTRACE(PTRACE_SETREGS), PTRACE(PTRACE_GETFPREGS), PTRACE(PTRACE_SETFPREGS),
	PTRACE(PTRACE_SYSCALL), PTRACE(PTRACE_SYSEMU),
	PTRACE(PTRACE_SYSEMU_SINGLESTEP), PTRACE(PTRACE_SETOPTIONS),
	PTRACE(PTRACE_GETSIGINFO), PTRACE(PTRACE_GETREGSET),
	PTRACE(PTRACE_SETREGSET),
};

static void release_ctx(scmp_filter_ctx *ctx)
{
	if (*ctx != NULL)
		seccomp_release(*ctx);
}

#define autoctx __attribute__((cleanup(release_ctx)))

static int rule_error(int rc, int nr, const char *what, struct uerr *err)
{
	autofree char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

	return uerr_set(err, -rc, "seccomp: %s rule for %s", what, name ? name : "?");
}

static int new_ctx(uint32_t def, scmp_filter_ctx *out, struct uerr *err)
{
	scmp_filter_ctx ctx = seccomp_init(def);
	int rc;

	if (ctx == NULL)
		return uerr_set(err, ENOMEM, "seccomp_init");
	/* Errors from the kernel come back as themselves; we set no_new_privs
	 * ourselves (the argument filter forbids the second load's prctl);
	 * binary-tree dispatch, as the kernel process makes many syscalls. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0) {
		seccomp_release(ctx);
		return uerr_set(err, -rc, "seccomp: setting filter attributes");
	}
	*out = ctx;
	return 0;
}

static int allow_all(scmp_filter_ctx ctx, const int *nrs, size_t n, struct uerr *err)
{
	for (size_t i = 0; i < n; i++) {
		int rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nrs[i], 0);

		if (rc < 0)
			return rule_error(rc, nrs[i], "allow", err);
	}
	return 0;
}

static int add_arg_rule(scmp_filter_ctx ctx, int nr, unsigned int n,
			const struct scmp_arg_cmp *cmp, struct uerr *err)
{
	int rc = seccomp_rule_add_exact_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);

	return rc < 0 ? rule_error(rc, nr, "argument", err) : 0;
}

/* Default EPERM: allows every listed syscall, argument-checked ones only
 * with allowed arguments. */
static int build_arg_filter(int exec_fd, unsigned long persona, scmp_filter_ctx *out,
			    struct uerr *err)
{
	autoctx scmp_filter_ctx ctx = NULL;
	const struct scmp_arg_cmp exec[] = {
		ARG_IS(0, INT_MASK, (uint64_t)(unsigned int)exec_fd),
		ARG_IS(4, INT_MASK, AT_EMPTY_PATH),
	};
	const struct scmp_arg_cmp query = ARG_IS(0, INT_MASK, 0xffffffffULL);
	const struct scmp_arg_cmp same = ARG_IS(0, INT_MASK, persona & INT_MASK);

	if (new_ctx(SCMP_ACT_ERRNO(EPERM), &ctx, err) < 0)
		return -1;
	if (allow_all(ctx, any_args, sizeof(any_args) / sizeof(any_args[0]), err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (allow_all(ctx, &refused[i].nr, 1, err) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(arg_rules) / sizeof(arg_rules[0]); i++)
		if (add_arg_rule(ctx, arg_rules[i].nr, arg_rules[i].n, arg_rules[i].cmp, err) < 0)
			return -1;
	/* The one exec: the kernel binary, by fd. */
	if (add_arg_rule(ctx, SCMP_SYS(execveat), 2, exec, err) < 0)
		return -1;
	/* personality: a query, or setting what is already set. */
	if (add_arg_rule(ctx, SCMP_SYS(personality), 1, &query, err) < 0 ||
	    add_arg_rule(ctx, SCMP_SYS(personality), 1, &same, err) < 0)
		return -1;
	/* Only until the syscall filter is loaded; that one kills it. */
	if (allow_all(ctx, (const int[]){ SCMP_SYS(seccomp) }, 1, err) < 0)
		return -1;
	*out = steal_ptr(ctx);
	return 0;
}

/* Default KILL_PROCESS: allows every listed syscall whatever its arguments
 * (the argument filter checks those), refuses the refused ones. */
static int build_syscall_filter(scmp_filter_ctx *out, struct uerr *err)
{
	autoctx scmp_filter_ctx ctx = NULL;
	int rc;

	if (new_ctx(SCMP_ACT_KILL_PROCESS, &ctx, err) < 0)
		return -1;
	if (allow_all(ctx, any_args, sizeof(any_args) / sizeof(any_args[0]), err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(arg_rules) / sizeof(arg_rules[0]); i++) {
		/* Several entries per syscall: add it once. */
		if (i > 0 && arg_rules[i - 1].nr == arg_rules[i].nr)
			continue;
		if (allow_all(ctx, &arg_rules[i].nr, 1, err) < 0)
			return -1;
	}
	if (allow_all(ctx, (const int[]){ SCMP_SYS(execveat), SCMP_SYS(personality) }, 2, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(refused[i].errnum), refused[i].nr, 0);
		if (rc < 0)
			return rule_error(rc, refused[i].nr, "errno", err);
	}
	*out = steal_ptr(ctx);
	return 0;
}

static int check_exec_fd(int exec_fd, struct uerr *err)
{
	int flags;

	if (exec_fd < 0)
		return uerr_set(err, EBADF, "seccomp: kernel exec fd %d", exec_fd);
	flags = fcntl(exec_fd, F_GETFD);
	if (flags < 0)
		return uerr_set(err, errno, "seccomp: kernel exec fd %d", exec_fd);
	if (!(flags & FD_CLOEXEC))
		return uerr_set(err, 0, "seccomp: kernel exec fd %d must be close-on-exec", exec_fd);
	return 0;
}

/* Writes ctx's BPF to a memfd (libseccomp 2.5 exports to an fd only) and
 * reads it back into out->filter, malloc'd. */
static int export_bpf(scmp_filter_ctx ctx, const char *what, struct sock_fprog *out,
		      struct uerr *err)
{
	autoclose int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	autofree struct sock_filter *buf = NULL;
	struct stat st;
	size_t done = 0;
	ssize_t n;
	int rc;

	if (fd < 0)
		return uerr_set(err, errno, "seccomp: memfd_create");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return uerr_set(err, -rc, "seccomp: exporting the %s filter", what);
	if (fstat(fd, &st) < 0)
		return uerr_set(err, errno, "seccomp: exporting the %s filter", what);
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0 ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return uerr_set(err, 0, "seccomp: the %s filter's BPF has %lld bytes", what,
				(long long)st.st_size);
	buf = malloc((size_t)st.st_size);
	if (buf == NULL)
		return uerr_set(err, ENOMEM, "seccomp: exporting the %s filter", what);
	while (done < (size_t)st.st_size) {
		n = pread(fd, (char *)buf + done, (size_t)st.st_size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return uerr_set(err, n < 0 ? errno : EIO, "seccomp: reading the %s filter's BPF",
					what);
		done += (size_t)n;
	}
	out->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	out->filter = steal_ptr(buf);
	return 0;
}

int seccomp_uml_build_bpf(int exec_fd, unsigned long persona, struct sock_fprog progs[2],
			  struct uerr *err)
{
	autoctx scmp_filter_ctx args = NULL;
	autoctx scmp_filter_ctx list = NULL;

	progs[0] = (struct sock_fprog){ 0 };
	progs[1] = (struct sock_fprog){ 0 };
	if (build_arg_filter(exec_fd, persona, &args, err) < 0 ||
	    build_syscall_filter(&list, err) < 0)
		return -1;
	if (export_bpf(args, "argument", &progs[0], err) < 0)
		return -1;
	if (export_bpf(list, "syscall", &progs[1], err) < 0) {
		free(progs[0].filter);
		progs[0] = (struct sock_fprog){ 0 };
		return -1;
	}
	return 0;
}

#ifdef SECCOMP_UML_GEN
bool seccomp_uml_baked_fits(int exec_fd, unsigned long persona)
{
	(void)exec_fd;
	(void)persona;
	return false;
}

void seccomp_uml_baked(struct sock_fprog progs[2])
{
	progs[0] = (struct sock_fprog){ 0 };
	progs[1] = (struct sock_fprog){ 0 };
}
#else
bool seccomp_uml_baked_fits(int exec_fd, unsigned long persona)
{
	return exec_fd == SECCOMP_UML_BAKED_FD && persona == SECCOMP_UML_BAKED_PERSONA;
}

void seccomp_uml_baked(struct sock_fprog progs[2])
{
	progs[0] = (struct sock_fprog){
		.len = sizeof(baked_args) / sizeof(baked_args[0]),
		.filter = (struct sock_filter *)baked_args,
	};
	progs[1] = (struct sock_fprog){
		.len = sizeof(baked_list) / sizeof(baked_list[0]),
		.filter = (struct sock_filter *)baked_list,
	};
}
#endif

/* Loads the build-time programs: what seccomp_load does with our
 * attributes (no TSYNC, no LOG, no SPEC_ALLOW: flags 0). */
static int install_baked(struct uerr *err)
{
	struct sock_fprog progs[2];

	seccomp_uml_baked(progs);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return uerr_set(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &progs[0]) < 0)
		return uerr_set(err, errno, "seccomp: loading the argument filter");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &progs[1]) < 0)
		return uerr_set(err, errno, "seccomp: loading the syscall filter");
	return 0;
}

int seccomp_uml_install(int exec_fd, struct uerr *err)
{
	autoctx scmp_filter_ctx args = NULL;
	autoctx scmp_filter_ctx list = NULL;
	int persona, rc;

	if (check_exec_fd(exec_fd, err) < 0)
		return -1;
	persona = personality(0xffffffff);
	if (persona < 0)
		return uerr_set(err, errno, "seccomp: personality query");
	if (seccomp_uml_baked_fits(exec_fd, (unsigned long)persona))
		return install_baked(err);
	/* Build both before loading either: a failure leaves nothing loaded. */
	if (build_arg_filter(exec_fd, (unsigned long)persona, &args, err) < 0 ||
	    build_syscall_filter(&list, err) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return uerr_set(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	rc = seccomp_load(args);
	if (rc < 0)
		return uerr_set(err, -rc, "seccomp: loading the argument filter");
	rc = seccomp_load(list);
	if (rc < 0)
		return uerr_set(err, -rc, "seccomp: loading the syscall filter");
	return 0;
}
