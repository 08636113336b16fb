/* proc.c: the process table: slot 0 for the container's process (sid 0),
 * AGENT_MAX_EXEC slots for exec processes, lookup by sid, the SIGCHLD
 * signalfd, and reaping: PID 1 reaps every zombie and records the wait
 * status of the ones in the table. */
#include "agent.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static void proc_init(struct proc *p)
{
	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->in_fd = p->out_fd = p->err_fd = -1;
}

void proctab_init(struct proctab *t)
{
	for (size_t i = 0; i < AGENT_NPROC; i++)
		proc_init(&t->p[i]);
	t->p[0].used = true; /* sid 0 takes stdin before it is spawned */
	t->sig_fd = -1;
}

/* Blocks SIGCHLD (before the first fork, so none is lost) and opens the
 * signalfd that reports it. */
int proctab_open(struct proctab *t, struct aerr *e)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return aerr_set(e, errno, "block SIGCHLD");
	t->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (t->sig_fd < 0)
		return aerr_set(e, errno, "signalfd");
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Frees a slot: closes its pipes and drops its stdin buffer. */
void proc_release(struct proc *p)
{
	close_fd(&p->in_fd);
	close_fd(&p->out_fd);
	close_fd(&p->err_fd);
	pbuf_free(&p->in.buf);
	proc_init(p);
}

void proctab_close(struct proctab *t)
{
	for (size_t i = 0; i < AGENT_NPROC; i++)
		proc_release(&t->p[i]);
	close_fd(&t->sig_fd);
}

/* The process sid, or NULL if no slot holds it (never started, or an exec
 * process whose exit was already reported). sid 0 is always found. */
struct proc *proc_find(struct proctab *t, uint16_t sid)
{
	if (sid == 0)
		return &t->p[0];
	for (size_t i = 1; i < AGENT_NPROC; i++) {
		if (t->p[i].used && t->p[i].sid == sid)
			return &t->p[i];
	}
	return NULL;
}

/* A free exec slot, now holding sid; NULL if all are taken. */
struct proc *proc_alloc(struct proctab *t, uint16_t sid)
{
	for (size_t i = 1; i < AGENT_NPROC; i++) {
		struct proc *p = &t->p[i];

		if (!p->used) {
			proc_init(p);
			p->used = true;
			p->sid = sid;
			return p;
		}
	}
	return NULL;
}

bool proctab_has_exec(const struct proctab *t)
{
	for (size_t i = 1; i < AGENT_NPROC; i++) {
		if (t->p[i].used)
			return true;
	}
	return false;
}

static void record_exit(struct proctab *t, pid_t pid, int status)
{
	for (size_t i = 0; i < AGENT_NPROC; i++) {
		struct proc *p = &t->p[i];

		if (p->used && !p->exited && p->pid == pid) {
			p->exited = true;
			p->status = status;
			return;
		}
	}
}

/* Empties the signalfd and reaps every zombie (orphans included). */
int proctab_reap(struct proctab *t, struct aerr *e)
{
	struct signalfd_siginfo si;
	pid_t pid;
	int status;

	while (read(t->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	if (errno != EAGAIN && errno != EINTR)
		return aerr_set(e, errno, "read signalfd");
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		record_exit(t, pid, status);
	/* The container process's end is the container's end: leftover
	 * processes (daemons, orphans, exec processes) die now, so its output
	 * pipes reach EOF and every exec process gets reaped. */
	if (t->p[0].exited)
		kill(-1, SIGKILL);
	return 0;
}
