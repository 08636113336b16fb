/* vm.c: the UML kernel process: fork, confine the basics, exec (see vm.h).
 * Test builds can start it as if namespaces or seccomp were unavailable
 * (testknob.h). */
#define _GNU_SOURCE
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "check.h"
#include "seccomp_uml.h"
#include "testknob.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Runs in the child between fork and exec; returns errno on failure.
 * Each step is labelled so the parent can say which one failed. */
static int child_setup(const struct vm_spawn *s, bool jailed, const char **step, char *msg,
		       size_t msg_cap)
{
	struct rlimit no_core = { 0, 0 };
	struct ll_status ll;
	struct uerr llerr;
	struct jail j;
	sigset_t all;
	int log_fd, ctl_fd, null_fd;

	*step = "setpgid";
	if (setpgid(0, 0) < 0)
		return errno;
	*step = "prctl(PR_SET_PDEATHSIG)";
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return errno;
	*step = "personality(ADDR_NO_RANDOMIZE)";
	if (personality(ADDR_NO_RANDOMIZE) < 0)
		return errno;
	if (s->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(s->cpu, &set);
		*step = "sched_setaffinity";
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			return errno;
	}
	*step = "setrlimit(RLIMIT_CORE)";
	if (setrlimit(RLIMIT_CORE, &no_core) < 0)
		return errno;
	sigemptyset(&all);
	*step = "sigprocmask";
	if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
		return errno;
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* SIG_IGN would survive exec */

	/* Move the fds out of the way, then into their fixed numbers. */
	*step = "fcntl(F_DUPFD)";
	if (jailed) {
		j = *s->jail;
		if (j.idmap_userns_fd >= 0 &&
		    (j.idmap_userns_fd = fcntl(j.idmap_userns_fd, F_DUPFD_CLOEXEC, 10)) < 0)
			return errno;
	}
	log_fd = fcntl(s->log_fd, F_DUPFD_CLOEXEC, 10);
	ctl_fd = fcntl(s->ctl_fd, F_DUPFD_CLOEXEC, 10);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (log_fd < 0 || ctl_fd < 0 || null_fd < 0)
		return errno;
	*step = "dup2";
	if (dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0 ||
	    dup2(log_fd, 3) < 0 || dup2(ctl_fd, 4) < 0)
		return errno;
	*step = "close_range";
	if (close_range(5, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return errno;
	if (jailed) {
		const char *failed = jail_enter(&j);

		if (failed != NULL) {
			*step = failed;
			return errno ? errno : EPERM;
		}
		/* Changing credentials cleared the parent-death signal. */
		*step = "prctl(PR_SET_PDEATHSIG)";
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			return errno;
	}
	/* Landlock last but for seccomp: it also sets no_new_privs. */
	*step = "landlock";
	if (landlock_confine(jailed ? s->ll_rules : s->ll_rules_nojail,
			     jailed ? s->n_ll_rules : s->n_ll_rules_nojail, s->require_landlock, &ll,
			     &llerr) < 0) {
		snprintf(msg, msg_cap, "%s", llerr.msg);
		*step = msg;
		return llerr.errnum ? llerr.errnum : EPERM;
	}
	*step = "prctl(PR_SET_NO_NEW_PRIVS)";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return errno;
	return 0;
}

/* PID 1 of the sandbox's pid namespace: reaps until the kernel process
 * exits, then exits with its status (128+N for signal N). The kernel is not
 * PID 1 itself, because a pid namespace's init ignores its own abort(),
 * and a panicking UML kernel aborts. */
static int init_wait(pid_t kernel)
{
	int status;
	pid_t p;

	close_range(0, ~0U, 0);
	for (;;) {
		p = waitpid(-1, &status, 0);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			return 1;
		if (p != kernel)
			continue;
		if (WIFEXITED(status))
			return WEXITSTATUS(status);
		return 128 + WTERMSIG(status);
	}
}

/* The last step: the seccomp allow-list, then the only exec it allows,
 * execveat() of the kernel through a close-on-exec fd. That fd goes to
 * SECCOMP_UML_EXEC_FD, the number the build-time filters are made for (the
 * fds from 5 up are close-on-exec leftovers by now, but for the report pipe
 * *report_fd, moved out of the way if it is there). Returns an errno. */
static int exec_kernel(char *const *argv, char *const *envp, int *report_fd, const char **step,
		       char *msg, size_t msg_cap)
{
	struct uerr e = { 0 };
	int kfd = open(argv[0], O_PATH | O_CLOEXEC);
	bool filter = true;
	int fd;

#ifdef UMLRUN_TEST_KNOBS
	filter = !testknob_disabled("seccomp");
#endif
	*step = "exec";
	if (kfd < 0)
		return errno;
	if (kfd != SECCOMP_UML_EXEC_FD) {
		*step = "fcntl(F_DUPFD)";
		if (*report_fd == SECCOMP_UML_EXEC_FD) {
			fd = fcntl(*report_fd, F_DUPFD_CLOEXEC, SECCOMP_UML_EXEC_FD + 1);
			if (fd < 0)
				return errno;
			*report_fd = fd; /* the old one goes with dup3 */
		}
		*step = "dup3";
		if (dup3(kfd, SECCOMP_UML_EXEC_FD, O_CLOEXEC) < 0)
			return errno;
		close(kfd);
		kfd = SECCOMP_UML_EXEC_FD;
		*step = "exec";
	}
	if (filter && seccomp_uml_install(kfd, &e) < 0) {
		snprintf(msg, msg_cap, "%s", e.msg);
		*step = msg;
		return e.errnum ? e.errnum : EPERM;
	}
	syscall(SYS_execveat, kfd, "", argv, envp, AT_EMPTY_PATH);
	return errno;
}

/* fork(), or a clone into the jail's namespaces. */
static pid_t spawn(const struct vm_spawn *s, bool jailed)
{
	if (!jailed)
		return fork();
#ifdef UMLRUN_TEST_KNOBS
	if (testknob_disabled("namespaces")) {
		errno = EPERM; /* as kernel.unprivileged_userns_clone=0 answers */
		return -1;
	}
#endif
	return (pid_t)syscall(SYS_clone, (unsigned long)jail_clone_flags(s->jail) | SIGCHLD, NULL,
			      NULL, NULL, NULL);
}

int vm_start(const struct vm_spawn *s, pid_t *pid_out, struct vm_layers *layers,
	     struct uerr *err)
{
	autoclose int rd = -1;
	autoclose int wr = -1;
	bool jailed = s->jail != NULL;
	int p[2], status, e;
	pid_t pid;
	struct {
		int err;
		char step[sizeof(((struct uerr *)0)->msg)];
	} report;
	ssize_t n;
	bool refused;

#ifdef UMLRUN_TEST_KNOBS
	if (testknob_check(err) < 0)
		return -1;
#endif
	if (pipe2(p, O_CLOEXEC) < 0)
		return uerr_set(err, errno, "pipe2");
	rd = p[0];
	wr = p[1];
	memset(layers, 0, sizeof(*layers));
	pid = spawn(s, jailed);
	refused = pid < 0 && jailed && geteuid() != 0 &&
		  (errno == EPERM || errno == EINVAL || errno == ENOSPC || errno == EUSERS ||
		   errno == EACCES);
	/* Only an unprivileged caller may fall back, and only if it allowed
	 * it (check.h): the jail is also where a root caller's kernel process
	 * gives up root. */
	if (refused && s->require_namespaces)
		return uerr_set(err, errno,
				"clone into new namespaces: the host refuses them to unprivileged users; without them the kernel process would reach your own unix sockets, so umlrun runs it so only if you set %s=namespaces (or the annotation %s; bind mounts need namespaces regardless); see umlrun check",
				CHECK_ALLOW_ENV, CHECK_ALLOW_ANNOTATION);
	if (refused) {
		snprintf(layers->why_not, sizeof(layers->why_not),
			 "the host refused new namespaces (%s)", strerror(errno));
		jailed = false;
		pid = spawn(s, jailed);
	}
	if (pid < 0)
		return uerr_set(err, errno, jailed ? "clone into new namespaces" : "fork");
	layers->namespaces = jailed;
	if (pid == 0) {
		char *const *argv = jailed ? s->argv : s->argv_nojail;
		const char *step = "exec";
		char tmp[4200], tag[4200];
		char *envp[] = { tmp, "GLIBC_TUNABLES=glibc.pthread.rseq=0", tag, NULL };

		/* Static glibc's rseq registration must not reach UML's stubs:
		 * they crash at the first guest process otherwise. */
		snprintf(tmp, sizeof(tmp), "TMPDIR=%s", jailed ? JAIL_TMP : s->tmpdir_nojail);
		/* Names the sandbox in the process's environment, for ps and leak checks. */
		snprintf(tag, sizeof(tag), "UMLRUN_STATE=%s", s->state_dir);
		memset(&report, 0, sizeof(report));
		errno = 0;
		report.err = child_setup(s, jailed, &step, report.step, sizeof(report.step));
		if (report.err == 0 && jailed) {
			pid_t kernel = fork();

			if (kernel < 0) {
				report.err = errno;
				step = "fork the kernel process";
			} else if (kernel > 0) {
				_exit(init_wait(kernel));
			} else if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
				report.err = errno;
				step = "prctl(PR_SET_PDEATHSIG)";
			}
		}
		if (report.err == 0)
			report.err = exec_kernel(argv, envp, &wr, &step, report.step,
						 sizeof(report.step));
		if (step != report.step)
			snprintf(report.step, sizeof(report.step), "%s", step);
		if (write(wr, &report, sizeof(report)) < 0)
			_exit(126);
		_exit(126);
	}
	close(steal_fd(wr));
	do
		n = read(rd, &report, sizeof(report));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(report)) {
		waitpid(pid, &status, 0);
		e = report.err;
		report.step[sizeof(report.step) - 1] = '\0';
		if (strcmp(report.step, "exec") == 0)
			return uerr_set(err, e, "kernel %s", s->argv_nojail[0]);
		return uerr_set(err, e, "starting kernel %s: %s", s->argv_nojail[0], report.step);
	}
	*pid_out = pid;
	return 0;
}

void vm_kill(pid_t pid)
{
	if (pid > 0)
		kill(-pid, SIGKILL);
}
