/* vm.c: the UML kernel process: fork, confine the basics, exec (see vm.h). */
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
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Runs in the child between fork and exec; returns errno on failure.
 * Each step is labelled so the parent can say which one failed. */
static int child_setup(const struct vm_spawn *s, pid_t parent, const char **step)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t all;
	int log_fd, ctl_fd, null_fd;

	*step = "setpgid";
	if (setpgid(0, 0) < 0)
		return errno;
	*step = "prctl(PR_SET_PDEATHSIG)";
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return errno;
	if (getppid() != parent)
		return *step = "parent exited", ESRCH;
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
	return 0;
}

int vm_start(const struct vm_spawn *s, pid_t *pid_out, struct uerr *err)
{
	autoclose int rd = -1;
	autoclose int wr = -1;
	int p[2], status, e;
	pid_t parent = getpid(), pid;
	struct {
		int err;
		char step[64];
	} report;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return uerr_set(err, errno, "pipe2");
	rd = p[0];
	wr = p[1];
	pid = fork();
	if (pid < 0)
		return uerr_set(err, errno, "fork");
	if (pid == 0) {
		const char *step = "exec";
		char tmp[4200];
		char *envp[] = { tmp, NULL };

		snprintf(tmp, sizeof(tmp), "TMPDIR=%s", s->tmpdir);
		memset(&report, 0, sizeof(report));
		report.err = child_setup(s, parent, &step);
		if (report.err == 0) {
			execve(s->argv[0], s->argv, envp);
			report.err = errno;
			step = "exec";
		}
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
			return uerr_set(err, e, "kernel %s", s->argv[0]);
		return uerr_set(err, e, "starting kernel %s: %s", s->argv[0], report.step);
	}
	*pid_out = pid;
	return 0;
}

void vm_kill(pid_t pid)
{
	if (pid > 0)
		kill(-pid, SIGKILL);
}
