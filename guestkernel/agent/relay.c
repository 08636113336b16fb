/* relay.c: the event loop while the workload runs: host frames (stdin,
 * stdin EOF, signals) in, stdout/stderr frames and stdin acks out, SIGCHLD
 * reaping (PID 1 reaps every orphan). Returns once the workload has exited
 * and both of its output pipes have reached EOF. */
#include "agent.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

enum { PFD_TTY, PFD_SIG, PFD_IN, PFD_OUT, PFD_ERR, PFD_N };

static int on_host_frame(struct agent *a, uint8_t type, const uint8_t *p, uint32_t len)
{
	int sig;

	switch (type) {
	case P_STDIN:
		return stdin_add(&a->in, p, len, &a->err);
	case P_STDIN_EOF:
		a->in.eof = true;
		return 0;
	case P_SIGNAL:
		sig = agent_signal_number(p, len, &a->err);
		if (sig < 0)
			return -1;
		if (!a->wl.exited && kill(a->wl.pid, sig) < 0 && errno != ESRCH)
			return aerr_set(&a->err, errno, "kill workload with signal %d", sig);
		return 0;
	default:
		return aerr_set(&a->err, 0, "protocol error: unexpected frame type %u while running",
				type);
	}
}

/* Handles every complete frame already in the receive buffer. */
static int on_buffered_frames(struct agent *a)
{
	uint8_t type;
	const uint8_t *p;
	uint32_t len;
	int r;

	while ((r = channel_next(&a->ch, &type, &p, &len, &a->err)) > 0) {
		if (on_host_frame(a, type, p, len) < 0)
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

/* Forwards one chunk of stdout or stderr; closes the pipe at EOF. */
static int on_output(struct agent *a, int *fd, uint8_t type)
{
	uint8_t buf[AGENT_OUT_CHUNK];
	ssize_t n;

	do
		n = read(*fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n < 0)
		return aerr_set(&a->err, errno, "read workload %s",
				type == P_STDOUT ? "stdout" : "stderr");
	if (n == 0) {
		close(*fd);
		*fd = -1;
		return 0;
	}
	return channel_send(&a->ch, type, buf, (size_t)n, &a->err);
}

static void reap(struct workload *w)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == w->pid) {
			w->exited = true;
			w->status = status;
		}
	}
	/* The workload's end is the container's end: leftover processes
	 * (daemons, orphans) die now so the output pipes reach EOF. */
	if (w->exited)
		kill(-1, SIGKILL);
}

static int on_sigchld(struct agent *a)
{
	struct signalfd_siginfo si;

	while (read(a->wl.sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	if (errno != EAGAIN && errno != EINTR)
		return aerr_set(&a->err, errno, "read signalfd");
	reap(&a->wl);
	return 0;
}

static bool revents(const struct pollfd *p)
{
	return p->fd >= 0 && (p->revents & (POLLIN | POLLOUT | POLLHUP | POLLERR)) != 0;
}

static void fill_pollfds(const struct agent *a, struct pollfd pfd[PFD_N])
{
	pfd[PFD_TTY] = (struct pollfd){ .fd = a->ch.fd, .events = POLLIN };
	pfd[PFD_SIG] = (struct pollfd){ .fd = a->wl.sig_fd, .events = POLLIN };
	pfd[PFD_IN] = (struct pollfd){
		.fd = stdin_wants_write(&a->in, a->wl.in_fd) ? a->wl.in_fd : -1,
		.events = POLLOUT,
	};
	pfd[PFD_OUT] = (struct pollfd){ .fd = a->wl.out_fd, .events = POLLIN };
	pfd[PFD_ERR] = (struct pollfd){ .fd = a->wl.err_fd, .events = POLLIN };
}

static int relay_once(struct agent *a)
{
	struct pollfd pfd[PFD_N];

	fill_pollfds(a, pfd);
	if (poll(pfd, PFD_N, -1) < 0)
		return errno == EINTR ? 0 : aerr_set(&a->err, errno, "poll");
	if (revents(&pfd[PFD_SIG]) && on_sigchld(a) < 0)
		return -1;
	if (revents(&pfd[PFD_OUT]) && on_output(a, &a->wl.out_fd, P_STDOUT) < 0)
		return -1;
	if (revents(&pfd[PFD_ERR]) && on_output(a, &a->wl.err_fd, P_STDERR) < 0)
		return -1;
	if (revents(&pfd[PFD_TTY]) && on_tty(a) < 0)
		return -1;
	if (stdin_pump(&a->in, &a->wl.in_fd, &a->err) < 0)
		return -1;
	return stdin_send_ack(&a->in, &a->ch, &a->err);
}

int relay_run(struct agent *a)
{
	/* frames that arrived together with P_START, and stdin the host sent
	 * before it, go first */
	if (on_buffered_frames(a) < 0 || stdin_pump(&a->in, &a->wl.in_fd, &a->err) < 0 ||
	    stdin_send_ack(&a->in, &a->ch, &a->err) < 0)
		return -1;
	while (!a->wl.exited || a->wl.out_fd >= 0 || a->wl.err_fd >= 0) {
		if (relay_once(a) < 0)
			return -1;
	}
	return 0;
}
