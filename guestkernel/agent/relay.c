/* relay.c: the event loop while the container runs: host frames in
 * (stdin, stdin EOF and signals for a sid, exec requests), stdout/stderr
 * frames and stdin acks out for every process in the table, and SIGCHLD
 * reaping (PID 1 reaps every orphan). Returns once the container's process
 * has exited, both of its output pipes have reached EOF, and every exec
 * process has been reported exited, so the caller's P_EXIT(0) comes last. */
#include "agent.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>

/* poll slots: the tty, the signalfd, then stdin/stdout/stderr per table slot */
enum { PFD_TTY, PFD_SIG, PFD_PROC };
enum { PFD_IN, PFD_OUT, PFD_ERR, PFD_PER_PROC };
#define PFD_N (PFD_PROC + PFD_PER_PROC * AGENT_NPROC)

/* P_SIGNAL: to one process by sid (ignored if it is unknown or gone), or
 * with PROTO_SIGNAL_ALL to every process in the guest but the agent. */
static int on_signal(struct agent *a, const struct frame *f)
{
	int sig = agent_signal_number(f->payload, f->len, &a->err);
	struct proc *p;

	if (sig < 0)
		return -1;
	if (f->flags & PROTO_SIGNAL_ALL) {
		if (kill(-1, sig) < 0 && errno != ESRCH)
			return aerr_set(&a->err, errno, "kill every process with signal %d", sig);
		return 0;
	}
	p = proc_find(&a->procs, f->sid);
	if (p == NULL || p->exited || p->pid <= 0)
		return 0;
	if (kill(p->pid, sig) < 0 && errno != ESRCH)
		return aerr_set(&a->err, errno, "kill process %u with signal %d", f->sid, sig);
	return 0;
}

static int on_host_frame(struct agent *a, const struct frame *f)
{
	switch (f->type) {
	case P_STDIN:
	case P_STDIN_EOF:
		return stdin_frame(&a->procs, &a->ch, f, &a->err);
	case P_SIGNAL:
		return on_signal(a, f);
	case P_EXEC:
		return exec_start(a, f);
	case P_RESIZE:
		return terminal_resize(&a->procs, f, &a->err);
	default:
		return aerr_set(&a->err, 0, "protocol error: unexpected frame type %u while running",
				f->type);
	}
}

/* Handles every complete frame already in the receive buffer. */
static int on_buffered_frames(struct agent *a)
{
	struct frame f;
	int r;

	while ((r = channel_next(&a->ch, &f, &a->err)) > 0) {
		if (on_host_frame(a, &f) < 0)
			return -1;
	}
	return r;
}

/* Reads what the tty has and handles every complete frame. */
static int on_tty(struct agent *a)
{
	int r;

	while ((r = channel_fill(&a->ch, &a->err)) > 0) {
		if (on_buffered_frames(a) < 0)
			return -1;
	}
	return r;
}

/* Reaps, then reports every exec process that has exited. */
static int on_sigchld(struct agent *a)
{
	if (proctab_reap(&a->procs, &a->err) < 0)
		return -1;
	for (size_t i = 1; i < AGENT_NPROC; i++) {
		struct proc *p = &a->procs.p[i];

		if (p->used && p->exited && exec_finish(a, p) < 0)
			return -1;
	}
	return 0;
}

static bool revents(const struct pollfd *p)
{
	return p->fd >= 0 && (p->revents & (POLLIN | POLLOUT | POLLHUP | POLLERR)) != 0;
}

static void fill_pollfds(const struct agent *a, struct pollfd pfd[PFD_N])
{
	pfd[PFD_TTY] = (struct pollfd){ .fd = a->ch.fd, .events = POLLIN };
	pfd[PFD_SIG] = (struct pollfd){ .fd = a->procs.sig_fd, .events = POLLIN };
	for (size_t i = 0; i < AGENT_NPROC; i++) {
		const struct proc *p = &a->procs.p[i];
		struct pollfd *q = &pfd[PFD_PROC + PFD_PER_PROC * i];

		q[PFD_IN] = (struct pollfd){
			.fd = stdin_wants_write(&p->in, p->in_fd) ? p->in_fd : -1,
			.events = POLLOUT,
		};
		q[PFD_OUT] = (struct pollfd){ .fd = p->out_fd, .events = POLLIN };
		q[PFD_ERR] = (struct pollfd){ .fd = p->err_fd, .events = POLLIN };
	}
}

/* Forwards output the poll reported. A slot freed by on_sigchld() in the
 * same round has fd -1 and is skipped. */
static int on_outputs(struct agent *a, const struct pollfd pfd[PFD_N])
{
	for (size_t i = 0; i < AGENT_NPROC; i++) {
		struct proc *p = &a->procs.p[i];
		const struct pollfd *q = &pfd[PFD_PROC + PFD_PER_PROC * i];

		if (revents(&q[PFD_OUT]) && q[PFD_OUT].fd == p->out_fd &&
		    output_forward(&a->ch, p->sid, &p->out_fd, P_STDOUT, &a->err) < 0)
			return -1;
		if (revents(&q[PFD_ERR]) && q[PFD_ERR].fd == p->err_fd &&
		    output_forward(&a->ch, p->sid, &p->err_fd, P_STDERR, &a->err) < 0)
			return -1;
	}
	return 0;
}

/* Writes buffered stdin to every process and acknowledges what went. */
static int pump_stdin(struct agent *a)
{
	for (size_t i = 0; i < AGENT_NPROC; i++) {
		struct proc *p = &a->procs.p[i];

		if (!p->used)
			continue;
		if (stdin_pump(&p->in, &p->in_fd, &a->err) < 0 ||
		    stdin_send_ack(&p->in, &a->ch, p->sid, &a->err) < 0)
			return -1;
	}
	return 0;
}

static int relay_once(struct agent *a)
{
	struct pollfd pfd[PFD_N];

	fill_pollfds(a, pfd);
	if (poll(pfd, PFD_N, -1) < 0)
		return errno == EINTR ? 0 : aerr_set(&a->err, errno, "poll");
	if (revents(&pfd[PFD_SIG]) && on_sigchld(a) < 0)
		return -1;
	if (on_outputs(a, pfd) < 0)
		return -1;
	if (revents(&pfd[PFD_TTY]) && on_tty(a) < 0)
		return -1;
	return pump_stdin(a);
}

static bool relay_done(const struct agent *a)
{
	const struct proc *c = &a->procs.p[0];

	return c->exited && c->out_fd < 0 && c->err_fd < 0 && !proctab_has_exec(&a->procs);
}

int relay_run(struct agent *a)
{
	/* frames that arrived together with P_START, and stdin the host sent
	 * before it, go first */
	if (on_buffered_frames(a) < 0 || pump_stdin(a) < 0)
		return -1;
	while (!relay_done(a)) {
		if (relay_once(a) < 0)
			return -1;
	}
	return 0;
}
