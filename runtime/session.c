/* session.c: host side of the agent protocol (see session.h). Everything the
 * guest sends is untrusted: lengths are bounded by proto_rx, each frame type
 * is checked against the session's phase, and guest text is sanitised. */
#define _GNU_SOURCE
#include "session.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

const int session_forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, 0 };

#define EXIT_GRACE_MS 3000 /* after P_EXIT, how long the guest gets to power off */

enum phase { PH_HELLO, PH_READY, PH_RUNNING, PH_DONE };

struct sess {
	const struct session *s;
	enum phase phase;
	struct proto_rx rx;
	struct pbuf out;      /* frames queued for the agent */
	bool ctl_eof;
	bool stdin_open;
	size_t stdin_inflight;
	bool stdout_open, stderr_open;
	bool vm_exited;
	int vm_status;
	bool have_exit;
	int exit_status;
	int pending_sig; /* signal received before the workload started */
	struct uerr *err;
	bool failed;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int fail(struct sess *x, int errnum, const char *fmt, const char *arg)
{
	if (!x->failed)
		uerr_set(x->err, errnum, fmt, arg);
	x->failed = true;
	x->phase = PH_DONE;
	return -1;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				poll(&pfd, 1, -1);
				continue;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void relay_out(int fd, bool *open, const uint8_t *p, size_t n)
{
	if (*open && write_all(fd, p, n) < 0)
		*open = false; /* EPIPE and friends: drop the rest, like a closed pipe */
}

/* Keeps printable ASCII of a guest message; everything else becomes '?'. */
static void sanitize(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t i;

	if (cap == 0)
		return;
	for (i = 0; i < n && i + 1 < cap; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[i] = '\0';
}

static int on_frame(struct sess *x, uint8_t type, const uint8_t *p, uint32_t len)
{
	uint32_t v;

	switch (type) {
	case P_HELLO:
		if (x->phase != PH_HELLO)
			return fail(x, 0, "guest kernel restarted (%s)", "a second agent hello");
		if (len < sizeof(PROTO_HELLO_MAGIC) + 4 ||
		    memcmp(p, PROTO_HELLO_MAGIC, sizeof(PROTO_HELLO_MAGIC)) != 0)
			return fail(x, 0, "guest agent: %s", "bad hello (is the initramfs umlrun's?)");
		memcpy(&v, p + sizeof(PROTO_HELLO_MAGIC), 4);
		if (v != PROTO_VERSION)
			return fail(x, 0, "guest agent: %s", "protocol version mismatch");
		if (proto_frame(&x->out, P_CONFIG, x->s->config->data + x->s->config->off,
				pbuf_pending(x->s->config)) < 0)
			return fail(x, errno, "%s", "queueing config");
		x->phase = PH_READY;
		return 0;
	case P_READY:
		if (x->phase != PH_READY)
			break;
		if (x->pending_sig == SIGKILL || x->pending_sig == SIGTERM ||
		    x->pending_sig == SIGINT) {
			x->have_exit = true;
			x->exit_status = x->pending_sig; /* as if killed by it */
			x->phase = PH_DONE;
			return 0;
		}
		if (proto_frame(&x->out, P_START, NULL, 0) < 0)
			return fail(x, errno, "%s", "queueing start");
		x->phase = PH_RUNNING;
		return 0;
	case P_STARTED:
		if (x->phase != PH_RUNNING || len != 4)
			break;
		return 0;
	case P_STDOUT:
	case P_STDERR:
		if (x->phase != PH_RUNNING)
			break;
		if (type == P_STDOUT)
			relay_out(x->s->out_fd, &x->stdout_open, p, len);
		else
			relay_out(x->s->err_fd, &x->stderr_open, p, len);
		return 0;
	case P_STDIN_ACK:
		if (x->phase != PH_RUNNING || len != 4)
			break;
		memcpy(&v, p, 4);
		x->stdin_inflight = v > x->stdin_inflight ? 0 : x->stdin_inflight - v;
		return 0;
	case P_EXIT:
		if (x->phase != PH_RUNNING || len != 4)
			break;
		memcpy(&x->exit_status, p, 4);
		x->have_exit = true;
		x->phase = PH_DONE;
		return 0;
	case P_ERROR: {
		char msg[512];

		sanitize(msg, sizeof(msg), p, len);
		return fail(x, 0, "guest: %s", msg);
	}
	default:
		break;
	}
	return fail(x, 0, "guest agent: %s", "protocol violation");
}

static int read_ctl(struct sess *x)
{
	for (;;) {
		size_t avail;
		uint8_t *space = proto_rx_space(&x->rx, &avail);
		ssize_t n = read(x->s->ctl, space, avail);
		const uint8_t *payload;
		uint32_t len;
		uint8_t type;
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			x->ctl_eof = true;
			return 0;
		}
		if (n == 0) {
			x->ctl_eof = true;
			return 0;
		}
		proto_rx_commit(&x->rx, (size_t)n);
		while (x->phase != PH_DONE && (r = proto_rx_next(&x->rx, &type, &payload, &len)) != 0) {
			if (r < 0)
				return fail(x, 0, "guest agent: %s", "malformed frame");
			if (on_frame(x, type, payload, len) < 0)
				return -1;
		}
		if (x->phase == PH_DONE)
			return 0;
	}
}

static void flush_ctl(struct sess *x)
{
	while (pbuf_pending(&x->out) > 0) {
		ssize_t n = write(x->s->ctl, x->out.data + x->out.off, pbuf_pending(&x->out));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				pbuf_consume(&x->out, pbuf_pending(&x->out)); /* guest gone */
			return;
		}
		pbuf_consume(&x->out, (size_t)n);
	}
}

static void read_stdin(struct sess *x)
{
	uint8_t buf[65536];
	ssize_t n = read(x->s->in_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		x->stdin_open = false;
		proto_frame(&x->out, P_STDIN_EOF, NULL, 0);
		return;
	}
	if (proto_frame(&x->out, P_STDIN, buf, (size_t)n) == 0)
		x->stdin_inflight += (size_t)n;
}

static void on_signal(struct sess *x)
{
	struct signalfd_siginfo si;

	while (read(x->s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			int st;

			if (!x->vm_exited && waitpid(x->s->vm, &st, WNOHANG) == x->s->vm) {
				x->vm_exited = true;
				x->vm_status = st;
			}
			continue;
		}
		if (x->phase == PH_RUNNING)
			proto_frame_u32(&x->out, P_SIGNAL, si.ssi_signo);
		else if (x->phase < PH_RUNNING)
			x->pending_sig = (int)si.ssi_signo;
	}
}

/* One poll round; timeout_ms < 0 waits forever. */
static void step(struct sess *x, int timeout_ms)
{
	struct pollfd pfd[3];
	int n = 0, ictl, isig, iin = -1;

	ictl = n;
	pfd[n++] = (struct pollfd){ .fd = x->ctl_eof ? -1 : x->s->ctl,
				    .events = POLLIN | (pbuf_pending(&x->out) ? POLLOUT : 0) };
	isig = n;
	pfd[n++] = (struct pollfd){ .fd = x->s->sigfd, .events = POLLIN };
	if (x->phase == PH_RUNNING && x->stdin_open && x->stdin_inflight < PROTO_STDIN_WINDOW &&
	    pbuf_pending(&x->out) < PROTO_STDIN_WINDOW) {
		iin = n;
		pfd[n++] = (struct pollfd){ .fd = x->s->in_fd, .events = POLLIN };
	}
	if (poll(pfd, (nfds_t)n, timeout_ms) < 0)
		return;
	if (pfd[isig].revents)
		on_signal(x);
	if (pfd[ictl].revents & (POLLIN | POLLHUP | POLLERR))
		read_ctl(x);
	if (iin >= 0 && pfd[iin].revents)
		read_stdin(x);
	flush_ctl(x);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static void describe_vm_exit(struct sess *x)
{
	char what[64];

	if (WIFSIGNALED(x->vm_status))
		snprintf(what, sizeof(what), "was killed by signal %d", WTERMSIG(x->vm_status));
	else
		snprintf(what, sizeof(what), "exited with status %d", WEXITSTATUS(x->vm_status));
	fail(x, 0, x->phase == PH_HELLO ? "guest kernel %s before the agent started" :
					  "guest kernel %s before the workload finished",
	     what);
}

int session_run(const struct session *s, struct uerr *err)
{
	struct sess x = { .s = s, .phase = PH_HELLO, .err = err, .stdin_open = s->in_fd >= 0,
			  .stdout_open = true, .stderr_open = true };
	long deadline = now_ms() + s->boot_timeout_ms;
	int ret;

	if (proto_rx_init(&x.rx, PROTO_MAX_GUEST_PAYLOAD) < 0)
		return uerr_set(err, errno, "malloc");
	while (x.phase != PH_DONE) {
		long left = deadline - now_ms();

		if (x.phase < PH_RUNNING && left <= 0) {
			fail(&x, 0, "guest agent did not answer within %s", x.phase == PH_HELLO ?
				     "the boot timeout (is the kernel a UML kernel?)" : "the boot timeout");
			break;
		}
		step(&x, x.phase < PH_RUNNING ? (int)left : -1);
		if (x.ctl_eof && x.phase != PH_DONE) {
			/* The kernel closed the line: wait for its exit status. */
			while (!x.vm_exited && waitpid(s->vm, &x.vm_status, 0) < 0 && errno == EINTR)
				;
			x.vm_exited = true;
			describe_vm_exit(&x);
		} else if (x.vm_exited && x.phase != PH_DONE) {
			read_ctl(&x); /* take what the guest wrote before it died */
			if (x.phase != PH_DONE)
				describe_vm_exit(&x);
		}
	}
	flush_ctl(&x);
	/* Give the guest its poweroff, then make sure nothing is left. */
	deadline = now_ms() + EXIT_GRACE_MS;
	while (!x.vm_exited && now_ms() < deadline) {
		struct pollfd pfd = { .fd = s->sigfd, .events = POLLIN };

		if (poll(&pfd, 1, (int)(deadline - now_ms())) > 0)
			on_signal(&x);
	}
	vm_kill(s->vm);
	if (!x.vm_exited)
		waitpid(s->vm, NULL, 0);
	proto_rx_free(&x.rx);
	pbuf_free(&x.out);
	if (x.failed)
		return -1;
	ret = x.have_exit ? exit_code(x.exit_status) : 1;
	return ret;
}
