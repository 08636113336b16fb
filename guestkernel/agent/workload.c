/* workload.c: starting a process, the container's (sid 0) or an exec one,
 * the same way: its three stdio pipes, and everything the child does
 * between fork and exec (session, stdio, signals, pids cgroup, oom score,
 * rlimits (limits.c), capabilities, credentials, umask, cwd,
 * no_new_privs, seccomp (privs.c), environment, exec). */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runtime/cleanup.h"

extern char **environ;

/* Child side: report a setup failure on the process's stderr and exit. */
static _Noreturn void child_fail(int code, const char *what, const char *arg, int err)
{
	dprintf(STDERR_FILENO, "umlrun: %s \"%s\": %s\n", what, arg, strerror(err));
	_exit(code);
}

/* Child side: a privilege or limit step failed. */
static _Noreturn void child_fail_step(const char *what, int err)
{
	dprintf(STDERR_FILENO, "umlrun: %s: %s\n", what, strerror(err));
	_exit(127);
}

static void child_reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* fails harmlessly for KILL, STOP, libc-internal */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void child_set_creds(const struct agent_process *c)
{
	char id[16];

	if (setgroups(c->n_groups, (const gid_t *)c->groups) < 0) {
		snprintf(id, sizeof(id), "%zu", c->n_groups);
		child_fail(127, "setgroups", id, errno);
	}
	if (setgid(c->gid) < 0) {
		snprintf(id, sizeof(id), "%u", c->gid);
		child_fail(127, "setgid", id, errno);
	}
	if (setuid(c->uid) < 0) {
		snprintf(id, sizeof(id), "%u", c->uid);
		child_fail(127, "setuid", id, errno);
	}
}

static bool env_has_path(char *const *env)
{
	for (; *env != NULL; env++) {
		if (strncmp(*env, "PATH=", 5) == 0)
			return true;
	}
	return false;
}

/* Runs in the child after fork: never returns. stdio[] are the child ends. */
static _Noreturn void child_exec(const struct agent_process *c, const struct spawn_env *env,
				 const int stdio[3], int gate)
{
	char *default_path_env[] = { AGENT_DEFAULT_PATH, NULL };
	const char *cwd = c->cwd ? c->cwd : "/";
	const char *what = "";

	setsid();
	for (int i = 0; i < 3; i++) {
		if (dup2(stdio[i], i) < 0)
			_exit(127);
	}
	if (c->terminal && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
		child_fail_step("make the pty the controlling terminal", errno);
	child_reset_signals();
	if (limits_child_apply(c, env, &what) < 0 || privs_child_before_creds(c, env, &what) < 0 ||
	    privs_child_keepcaps(c, 1, &what) < 0)
		child_fail_step(what, errno);
	child_set_creds(c);
	if (privs_child_keepcaps(c, 0, &what) < 0)
		child_fail_step(what, errno);
	if (c->has_umask)
		umask((mode_t)(c->umask & 0777));
	if (chdir(cwd) < 0)
		child_fail(127, "chdir", cwd, errno);
	if (privs_child_after_creds(c, env, &what) < 0)
		child_fail_step(what, errno);
	/* execvpe searches the PATH of environ and passes the container's env
	 * unchanged; without a PATH of its own the process gets the default
	 * for the lookup only. */
	environ = env_has_path(c->env) ? c->env : default_path_env;
	if (gate >= 0) { /* created, not started: wait for the go (EOF: never) */
		char go;
		ssize_t n;

		do
			n = read(gate, &go, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(0);
	}
	execvpe(c->args[0], c->args, c->env);
	child_fail(errno == ENOENT ? 127 : 126, "exec", c->args[0], errno);
}

static int make_pipe(int p[2], const char *what, struct aerr *e)
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return aerr_set(e, errno, "pipe for process %s", what);
	return 0;
}

/* workload_spawn() for a process with a terminal: one pty instead of the
 * three pipes. */
static int spawn_with_terminal(struct proc *p, const struct agent_process *c,
			       const struct spawn_env *env, int gate, struct aerr *e)
{
	autoclose int master = -1, slave = -1, in = -1;
	pid_t pid;

	if (terminal_open(c, &master, &slave, e) < 0)
		return -1;
	in = fcntl(master, F_DUPFD_CLOEXEC, 3);
	if (in < 0)
		return aerr_set(e, errno, "dup the pty");
	pid = fork();
	if (pid < 0)
		return aerr_set(e, errno, "fork process");
	if (pid == 0)
		child_exec(c, env, (const int[3]){ slave, slave, slave }, gate);
	p->pid = pid;
	p->tty = true;
	p->in_fd = steal_fd(in);
	p->out_fd = steal_fd(master);
	p->err_fd = -1;
	return 0;
}

/* Starts c in slot p (pid, pipes); SIGCHLD must already be blocked
 * (proctab_open). With gate >= 0 the child does all its set-up, then waits
 * for one byte on gate before exec (so that `start` costs only the exec),
 * and exits 0 if the gate closes without one. */
int workload_spawn(struct proc *p, const struct agent_process *c, const struct spawn_env *env,
		   int gate, struct aerr *e)
{
	autoclose int in_r = -1, in_w = -1, out_r = -1, out_w = -1, err_r = -1, err_w = -1;
	int fds[2];
	pid_t pid;

	if (c->terminal)
		return spawn_with_terminal(p, c, env, gate, e);
	if (make_pipe(fds, "stdin", e) < 0)
		return -1;
	in_r = fds[0], in_w = fds[1];
	if (make_pipe(fds, "stdout", e) < 0)
		return -1;
	out_r = fds[0], out_w = fds[1];
	if (make_pipe(fds, "stderr", e) < 0)
		return -1;
	err_r = fds[0], err_w = fds[1];
	if (fcntl(in_w, F_SETFL, O_NONBLOCK) < 0 || fcntl(out_r, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(err_r, F_SETFL, O_NONBLOCK) < 0)
		return aerr_set(e, errno, "set process pipes non-blocking");
	pid = fork();
	if (pid < 0)
		return aerr_set(e, errno, "fork process");
	if (pid == 0)
		child_exec(c, env, (const int[3]){ in_r, out_w, err_w }, gate);
	p->pid = pid;
	p->in_fd = steal_fd(in_w);
	p->out_fd = steal_fd(out_r);
	p->err_fd = steal_fd(err_r);
	return 0;
}
