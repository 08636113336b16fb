/* monitor.c: the sandbox's event loop (see monitor.h). Everything the guest
 * sends is untrusted: lengths are bounded by proto_rx, each frame is checked
 * against the phase and its sid against the process table, and guest text
 * is sanitised. Control-socket clients are the user's own commands. */
#define _GNU_SOURCE
#include "monitor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ctlsock.h"
#include "mconsole.h"
#include "tty.h"
#include "vm.h"

const int monitor_forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, 0 };

#define EXIT_GRACE_MS 3000 /* after P_EXIT, how long the guest gets to power off */
#define MAX_PROCS 65       /* the container process + 64 exec processes */
#define MAX_CLIENTS 80
#define MCONSOLE_TIMEOUT_MS 5000

enum phase { PH_HELLO, PH_READY, PH_CREATED, PH_RUNNING, PH_DONE };

/* One guest process: sid 0 is the container's, the others come from exec. */
struct mproc {
	bool used;
	uint16_t sid;
	int in_fd, out_fd, err_fd; /* owned, except for sid 0 */
	bool stdin_open;
	size_t inflight; /* stdin bytes sent, not yet acknowledged */
	bool out_open, err_open;
	int client; /* index of the client waiting for it, -1 */
};

struct mclient {
	int fd;   /* -1: free slot */
	int proc; /* exec: index of its process, -1 */
};

struct mon {
	const struct monitor *m;
	enum phase phase;
	struct proto_rx rx;
	struct pbuf out; /* frames queued for the agent */
	bool ctl_eof;
	struct mproc procs[MAX_PROCS];
	struct mclient clients[MAX_CLIENTS];
	int start_client; /* waiting for P_STARTED of sid 0, -1 */
	int attach_client; /* `umlrun attach`: gets sid 0's output, sends input; -1 */
	int attach_fd;
	long started_ms;   /* when sid 0 started, for the timeout */
	bool timed_out;
	bool resize_pending; /* a SIGWINCH came before the agent could take it */
	uint16_t next_sid;
	bool vm_exited;
	int vm_status;
	bool have_exit;
	int exit_status;
	int pending_sig; /* signal received before the process started */
	struct uerr *err;
	bool failed;
	uint8_t *cbuf; /* control message buffer */
};

static int fail(struct mon *x, int errnum, const char *fmt, const char *arg)
{
	if (!x->failed)
		uerr_set(x->err, errnum, fmt, arg);
	x->failed = true;
	x->phase = PH_DONE;
	return -1;
}

static void set_status(struct mon *x, enum ctr_status s, int exit)
{
	if (x->m->on_status)
		x->m->on_status(x->m->arg, s, exit);
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
	if (*open && fd >= 0 && write_all(fd, p, n) < 0)
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

/* ---- clients ---------------------------------------------------------- */

static void client_reply(struct mon *x, int ci, uint32_t op, int32_t arg, const char *msg)
{
	struct mclient *c = &x->clients[ci];

	if (c->fd >= 0)
		ctl_send(c->fd, op, arg, 0, msg, msg ? strlen(msg) : 0, NULL, 0);
}

static void client_close(struct mon *x, int ci)
{
	struct mclient *c = &x->clients[ci];

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->proc >= 0)
		x->procs[c->proc].client = -1;
	c->proc = -1;
	if (x->start_client == ci)
		x->start_client = -1;
	if (x->attach_client == ci) {
		x->attach_client = -1;
		if (x->attach_fd >= 0)
			close(x->attach_fd);
		x->attach_fd = -1;
	}
}

static void client_error(struct mon *x, int ci, const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	client_reply(x, ci, CTL_ERR, 0, msg);
	client_close(x, ci);
}

/* ---- processes -------------------------------------------------------- */

static struct mproc *proc_by_sid(struct mon *x, uint16_t sid)
{
	for (int i = 0; i < MAX_PROCS; i++)
		if (x->procs[i].used && x->procs[i].sid == sid)
			return &x->procs[i];
	return NULL;
}

static void proc_free(struct mon *x, struct mproc *p)
{
	if (p->sid != 0) {
		if (p->in_fd >= 0)
			close(p->in_fd);
		if (p->out_fd >= 0)
			close(p->out_fd);
		if (p->err_fd >= 0)
			close(p->err_fd);
	}
	if (p->client >= 0)
		x->clients[p->client].proc = -1;
	memset(p, 0, sizeof(*p));
	p->in_fd = p->out_fd = p->err_fd = p->client = -1;
}

static void queue_signal(struct mon *x, uint16_t sid, uint8_t flags, int sig)
{
	proto_frame_to(&x->out, P_SIGNAL, sid, flags, &(uint32_t){ (uint32_t)sig }, 4);
}

static void queue_resize(struct mon *x)
{
	uint16_t ws[2];

	x->resize_pending = false;
	if (x->phase <= PH_RUNNING && tty_size(x->m->winsize_fd, &ws[0], &ws[1]))
		proto_frame_to(&x->out, P_RESIZE, 0, 0, ws, sizeof(ws));
}

/* ---- guest frames ----------------------------------------------------- */

static int on_exec_frame(struct mon *x, uint8_t type, uint16_t sid, const uint8_t *p,
			 uint32_t len)
{
	struct mproc *pr = proc_by_sid(x, sid);
	char msg[512];
	int32_t v;

	if (pr == NULL) /* a process we no longer track: its frames are moot */
		return type == P_STDOUT || type == P_STDERR || type == P_STDIN_ACK ||
			       type == P_EXIT || type == P_STARTED || type == P_EXEC_FAIL ?
		       0 :
		       fail(x, 0, "guest agent: %s", "protocol violation");
	switch (type) {
	case P_STARTED:
		if (len != 4)
			break;
		memcpy(&v, p, 4);
		if (pr->client >= 0)
			client_reply(x, pr->client, CTL_STARTED, v, NULL);
		return 0;
	case P_EXEC_FAIL:
		sanitize(msg, sizeof(msg), p, len);
		if (pr->client >= 0)
			client_error(x, pr->client, "exec: %s", msg);
		proc_free(x, pr);
		return 0;
	case P_STDOUT:
		relay_out(pr->out_fd, &pr->out_open, p, len);
		return 0;
	case P_STDERR:
		relay_out(pr->err_fd, &pr->err_open, p, len);
		return 0;
	case P_STDIN_ACK:
		if (len != 4)
			break;
		memcpy(&v, p, 4);
		pr->inflight = (size_t)(uint32_t)v > pr->inflight ? 0 : pr->inflight - (uint32_t)v;
		return 0;
	case P_EXIT:
		if (len != 4)
			break;
		memcpy(&v, p, 4);
		if (pr->client >= 0) {
			int ci = pr->client;

			client_reply(x, ci, CTL_EXIT, v, NULL);
			client_close(x, ci);
		}
		proc_free(x, pr);
		return 0;
	}
	return fail(x, 0, "guest agent: %s", "protocol violation");
}

static int start_process(struct mon *x)
{
	if (x->pending_sig == SIGKILL || x->pending_sig == SIGTERM || x->pending_sig == SIGINT) {
		x->have_exit = true;
		x->exit_status = x->pending_sig; /* as if killed by it */
		x->phase = PH_DONE;
		return 0;
	}
	if (proto_frame(&x->out, P_START, NULL, 0) < 0)
		return fail(x, errno, "%s", "queueing start");
	x->phase = PH_RUNNING;
	return 0;
}

static int on_frame(struct mon *x, uint8_t type, uint16_t sid, const uint8_t *p, uint32_t len)
{
	struct mproc *init = &x->procs[0];
	uint32_t v;

	if (sid != 0 && x->phase == PH_RUNNING)
		return on_exec_frame(x, type, sid, p, len);
	if (sid != 0)
		return fail(x, 0, "guest agent: %s", "protocol violation");
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
		if (proto_frame(&x->out, P_CONFIG, x->m->config->data + x->m->config->off,
				pbuf_pending(x->m->config)) < 0)
			return fail(x, errno, "%s", "queueing config");
		x->phase = PH_READY;
		return 0;
	case P_READY:
		if (x->phase != PH_READY)
			break;
		x->phase = PH_CREATED;
		if (x->resize_pending)
			queue_resize(x);
		if (x->m->on_ready && x->m->on_ready(x->m->arg, x->err) < 0) {
			x->failed = true;
			x->phase = PH_DONE;
			return -1;
		}
		return x->m->autostart ? start_process(x) : 0;
	case P_STARTED:
		if (x->phase != PH_RUNNING || len != 4)
			break;
		if (x->start_client >= 0) {
			int ci = x->start_client;

			client_reply(x, ci, CTL_OK, 0, NULL);
			client_close(x, ci);
		}
		x->started_ms = now_ms();
		set_status(x, CS_RUNNING, -1);
		return 0;
	case P_STDOUT:
	case P_STDERR:
		if (x->phase != PH_RUNNING)
			break;
		if (x->m->log)
			logfile_write(x->m->log, p, len);
		else if (type == P_STDOUT)
			relay_out(init->out_fd, &init->out_open, p, len);
		else
			relay_out(init->err_fd, &init->err_open, p, len);
		if (x->attach_fd >= 0) {
			bool open = true;

			relay_out(x->attach_fd, &open, p, len);
			if (!open)
				client_close(x, x->attach_client);
		}
		return 0;
	case P_STDIN_ACK:
		if (x->phase != PH_RUNNING || len != 4)
			break;
		memcpy(&v, p, 4);
		init->inflight = v > init->inflight ? 0 : init->inflight - v;
		return 0;
	case P_EXIT:
		if (x->phase != PH_RUNNING || (len != 4 && len != 4 + sizeof(struct proto_usage)))
			break;
		memcpy(&x->exit_status, p, 4);
		if (len > 4 && x->m->usage) {
			memcpy(x->m->usage, p + 4, sizeof(*x->m->usage));
			x->m->usage_known[0] = true;
		}
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

static int read_ctl(struct mon *x)
{
	for (;;) {
		size_t avail;
		uint8_t *space = proto_rx_space(&x->rx, &avail);
		ssize_t n = read(x->m->ctl, space, avail);
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
			if (on_frame(x, type, x->rx.sid, payload, len) < 0)
				return -1;
		}
		if (x->phase == PH_DONE)
			return 0;
	}
}

static void flush_ctl(struct mon *x)
{
	while (pbuf_pending(&x->out) > 0) {
		ssize_t n = write(x->m->ctl, x->out.data + x->out.off, pbuf_pending(&x->out));

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

static void read_stdin(struct mon *x, struct mproc *p)
{
	uint8_t buf[65536];
	ssize_t n = read(p->in_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0 && errno == EIO) /* a terminal whose other end hung up */
		queue_signal(x, p->sid, 0, SIGHUP);
	if (n <= 0) {
		p->stdin_open = false;
		proto_frame_to(&x->out, P_STDIN_EOF, p->sid, 0, NULL, 0);
		return;
	}
	if (proto_frame_to(&x->out, P_STDIN, p->sid, 0, buf, (size_t)n) == 0)
		p->inflight += (size_t)n;
}

static void on_signal(struct mon *x)
{
	struct signalfd_siginfo si;

	while (read(x->m->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGWINCH) {
			/* the agent takes resizes once its config is in (from
			 * P_READY on); earlier ones are sent then */
			if (x->phase < PH_CREATED)
				x->resize_pending = true;
			else
				queue_resize(x);
			continue;
		}
		if (si.ssi_signo == SIGCHLD) {
			int st;

			if (!x->vm_exited && waitpid(x->m->vm, &st, WNOHANG) == x->m->vm) {
				x->vm_exited = true;
				x->vm_status = st;
			}
			continue;
		}
		if (x->phase == PH_RUNNING)
			queue_signal(x, 0, 0, (int)si.ssi_signo);
		else if (x->phase < PH_RUNNING)
			x->pending_sig = (int)si.ssi_signo;
	}
}

/* ---- control requests ------------------------------------------------- */

static void do_kill(struct mon *x, int ci, int sig, bool all)
{
	if (sig <= 0 || sig >= NSIG)
		return client_error(x, ci, "kill: invalid signal %s", "number");
	if (sig == SIGKILL) { /* the guest may be wedged: end it from here */
		vm_kill(x->m->vm);
		x->have_exit = true;
		x->exit_status = SIGKILL;
		x->phase = PH_DONE;
	} else if (x->phase == PH_RUNNING) {
		queue_signal(x, 0, all ? PROTO_SIGNAL_ALL : 0, sig);
	} else if (x->phase == PH_CREATED && (sig == SIGTERM || sig == SIGINT)) {
		x->pending_sig = sig;
		start_process(x); /* ends the sandbox as if the process died of it */
	} else if (x->phase < PH_CREATED) {
		x->pending_sig = sig;
	}
	client_reply(x, ci, CTL_OK, 0, NULL);
	client_close(x, ci);
}

static void do_exec(struct mon *x, int ci, const uint8_t *tlv, size_t len, int *fds, size_t n_fds)
{
	struct mproc *p = NULL;

	if (n_fds != 3) {
		for (size_t i = 0; i < n_fds; i++)
			close(fds[i]);
		return client_error(x, ci, "exec: %s", "stdin, stdout and stderr must be passed");
	}
	if (x->phase != PH_RUNNING) {
		for (size_t i = 0; i < 3; i++)
			close(fds[i]);
		return client_error(x, ci, "exec: %s", "the container is not running");
	}
	for (int i = 1; i < MAX_PROCS && p == NULL; i++)
		if (!x->procs[i].used)
			p = &x->procs[i];
	if (p == NULL) {
		for (size_t i = 0; i < 3; i++)
			close(fds[i]);
		return client_error(x, ci, "exec: %s", "too many exec processes in this container");
	}
	do {
		x->next_sid = (uint16_t)(x->next_sid % PROTO_MAX_SID + 1);
	} while (proc_by_sid(x, x->next_sid) != NULL);
	*p = (struct mproc){ .used = true, .sid = x->next_sid, .in_fd = fds[0], .out_fd = fds[1],
			     .err_fd = fds[2], .stdin_open = true, .out_open = true,
			     .err_open = true, .client = ci };
	x->clients[ci].proc = (int)(p - x->procs);
	if (proto_frame_to(&x->out, P_EXEC, p->sid, 0, tlv, len) < 0) {
		proc_free(x, p);
		return client_error(x, ci, "exec: %s", "out of memory");
	}
}

static void do_pause(struct mon *x, int ci, bool pause)
{
	struct uerr e = { 0 };
	char reply[128];

	if (x->m->mconsole == NULL || x->phase != PH_RUNNING)
		return client_error(x, ci, "%s", "the container is not running");
	flush_ctl(x);
	if (mconsole_cmd(x->m->mconsole, x->m->mconsole_reply_dir, pause ? "stop" : "go", reply,
			 sizeof(reply), MCONSOLE_TIMEOUT_MS, &e) < 0)
		return client_error(x, ci, "%s", e.msg);
	set_status(x, pause ? CS_PAUSED : CS_RUNNING, -1);
	client_reply(x, ci, CTL_OK, 0, NULL);
	client_close(x, ci);
}

/* One attach client at a time: it gets the process's output (as well as
 * the log) and may send input and resizes until it detaches. */
static void do_attach(struct mon *x, int ci, int *fds, size_t n_fds)
{
	if (n_fds != 1) {
		for (size_t i = 0; i < n_fds; i++)
			close(fds[i]);
		return client_error(x, ci, "attach: %s", "pass exactly one fd");
	}
	if (x->phase != PH_RUNNING || x->attach_client >= 0) {
		close(fds[0]);
		return client_error(x, ci, "attach: %s", x->phase != PH_RUNNING ?
						       "the container is not running" :
						       "another client is attached");
	}
	x->attach_client = ci;
	x->attach_fd = fds[0];
	client_reply(x, ci, CTL_OK, 0, NULL);
}

/* A client's CTL_RESIZE, for process sid's terminal. */
static void forward_resize(struct mon *x, uint16_t sid, int32_t arg)
{
	uint16_t ws[2];

	if (x->phase != PH_RUNNING)
		return;
	ctl_resize_decode(arg, ws);
	proto_frame_to(&x->out, P_RESIZE, sid, 0, ws, sizeof(ws));
}

static void on_client(struct mon *x, int ci)
{
	struct mclient *c = &x->clients[ci];
	struct ctl_msg h;
	int fds[3];
	size_t n_fds = 0;
	int r = ctl_recv(c->fd, &h, x->cbuf, CTL_MAX_PAYLOAD, fds, &n_fds);

	if (r < 0 && errno == EAGAIN)
		return;
	if (r <= 0) { /* hung up: an exec client takes its process with it */
		if (c->proc >= 0 && x->phase == PH_RUNNING)
			queue_signal(x, x->procs[c->proc].sid, 0, SIGKILL);
		return client_close(x, ci);
	}
	if (h.op != CTL_EXEC && h.op != CTL_ATTACH)
		for (size_t i = 0; i < n_fds; i++)
			close(fds[i]);
	if (ci == x->attach_client) {
		if (h.op == CTL_INPUT && x->phase == PH_RUNNING && h.len > 0 &&
		    proto_frame_to(&x->out, P_STDIN, 0, 0, x->cbuf, h.len) == 0)
			x->procs[0].inflight += h.len;
		if (h.op == CTL_RESIZE)
			forward_resize(x, 0, h.arg);
		return;
	}
	if (c->proc >= 0) { /* an exec connection only forwards signals */
		if (h.op == CTL_SIGNAL && h.arg > 0 && h.arg < NSIG)
			queue_signal(x, x->procs[c->proc].sid, 0, h.arg);
		if (h.op == CTL_RESIZE)
			forward_resize(x, x->procs[c->proc].sid, h.arg);
		return;
	}
	switch (h.op) {
	case CTL_START:
		if (x->phase != PH_CREATED)
			return client_error(x, ci, "%s", x->phase == PH_RUNNING ?
						       "the container is already running" :
						       "the container is not created");
		x->start_client = ci;
		start_process(x);
		if (x->phase == PH_DONE) {
			client_reply(x, ci, CTL_OK, 0, NULL);
			client_close(x, ci);
		}
		return;
	case CTL_KILL:
		return do_kill(x, ci, h.arg, h.flags & CTL_KILL_ALL);
	case CTL_EXEC:
		return do_exec(x, ci, x->cbuf, h.len, fds, n_fds);
	case CTL_PAUSE:
	case CTL_RESUME:
		return do_pause(x, ci, h.op == CTL_PAUSE);
	case CTL_ATTACH:
		return do_attach(x, ci, fds, n_fds);
	default:
		return client_error(x, ci, "%s", "unknown request");
	}
}

static void on_accept(struct mon *x)
{
	int fd;

	while ((fd = accept4(x->m->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		int ci;

		for (ci = 0; ci < MAX_CLIENTS && x->clients[ci].fd >= 0; ci++)
			;
		if (ci == MAX_CLIENTS) {
			ctl_send(fd, CTL_ERR, 0, 0, "too many clients", 16, NULL, 0);
			close(fd);
			continue;
		}
		x->clients[ci] = (struct mclient){ .fd = fd, .proc = -1 };
	}
}

/* ---- the loop --------------------------------------------------------- */

enum { TAG_CTL, TAG_SIG, TAG_LISTEN, TAG_CLIENT, TAG_STDIN };

/* One poll round; timeout_ms < 0 waits forever. */
static void step(struct mon *x, int timeout_ms)
{
	struct pollfd pfd[3 + MAX_CLIENTS + MAX_PROCS];
	int tag[3 + MAX_CLIENTS + MAX_PROCS], idx[3 + MAX_CLIENTS + MAX_PROCS];
	int n = 0;

	tag[n] = TAG_CTL;
	pfd[n++] = (struct pollfd){ .fd = x->ctl_eof ? -1 : x->m->ctl,
				    .events = POLLIN | (pbuf_pending(&x->out) ? POLLOUT : 0) };
	tag[n] = TAG_SIG;
	pfd[n++] = (struct pollfd){ .fd = x->m->sigfd, .events = POLLIN };
	if (x->m->listen_fd >= 0) {
		tag[n] = TAG_LISTEN;
		pfd[n++] = (struct pollfd){ .fd = x->m->listen_fd, .events = POLLIN };
	}
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (x->clients[i].fd < 0)
			continue;
		if (i == x->attach_client && x->procs[0].inflight >= PROTO_STDIN_WINDOW)
			continue; /* its input waits for the guest to catch up */
		tag[n] = TAG_CLIENT;
		idx[n] = i;
		pfd[n++] = (struct pollfd){ .fd = x->clients[i].fd, .events = POLLIN };
	}
	for (int i = 0; x->phase == PH_RUNNING && i < MAX_PROCS; i++) {
		struct mproc *p = &x->procs[i];

		if (!p->used || !p->stdin_open || p->in_fd < 0 || p->inflight >= PROTO_STDIN_WINDOW ||
		    pbuf_pending(&x->out) >= PROTO_STDIN_WINDOW)
			continue;
		tag[n] = TAG_STDIN;
		idx[n] = i;
		pfd[n++] = (struct pollfd){ .fd = p->in_fd, .events = POLLIN };
	}
	if (poll(pfd, (nfds_t)n, timeout_ms) < 0)
		return;
	for (int i = 0; i < n && x->phase != PH_DONE; i++) {
		if (pfd[i].revents == 0)
			continue;
		switch (tag[i]) {
		case TAG_SIG:
			on_signal(x);
			break;
		case TAG_CTL:
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				read_ctl(x);
			break;
		case TAG_LISTEN:
			on_accept(x);
			break;
		case TAG_CLIENT:
			if (x->clients[idx[i]].fd == pfd[i].fd)
				on_client(x, idx[i]);
			break;
		case TAG_STDIN:
			if (x->procs[idx[i]].used && x->procs[idx[i]].in_fd == pfd[i].fd)
				read_stdin(x, &x->procs[idx[i]]);
			break;
		}
	}
	flush_ctl(x);
}

int monitor_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static void describe_vm_exit(struct mon *x)
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

static void mon_init(struct mon *x, const struct monitor *m, struct uerr *err)
{
	memset(x, 0, sizeof(*x));
	x->m = m;
	x->err = err;
	x->phase = PH_HELLO;
	x->start_client = -1;
	x->attach_client = -1;
	x->attach_fd = -1;
	for (int i = 0; i < MAX_PROCS; i++)
		proc_free(x, &x->procs[i]);
	for (int i = 0; i < MAX_CLIENTS; i++)
		x->clients[i] = (struct mclient){ .fd = -1, .proc = -1 };
	x->procs[0] = (struct mproc){ .used = true, .sid = 0, .in_fd = m->in_fd,
				      .out_fd = m->out_fd, .err_fd = m->err_fd,
				      .stdin_open = m->in_fd >= 0, .out_open = true,
				      .err_open = true, .client = -1 };
}

static void mon_release(struct mon *x)
{
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (x->clients[i].fd >= 0 && x->clients[i].proc >= 0)
			client_reply(x, i, CTL_ERR, 0, "the container exited");
		if (i == x->attach_client)
			client_reply(x, i, CTL_EXIT, x->have_exit ? x->exit_status : -1, NULL);
		client_close(x, i);
	}
	for (int i = 1; i < MAX_PROCS; i++)
		if (x->procs[i].used)
			proc_free(x, &x->procs[i]);
	proto_rx_free(&x->rx);
	pbuf_free(&x->out);
	free(x->cbuf);
}

int monitor_run(const struct monitor *m, struct uerr *err)
{
	__attribute__((cleanup(mon_release))) struct mon x;
	long deadline = now_ms() + m->boot_timeout_ms;

	mon_init(&x, m, err);
	x.cbuf = malloc(CTL_MAX_PAYLOAD);
	if (x.cbuf == NULL || proto_rx_init(&x.rx, PROTO_MAX_GUEST_PAYLOAD) < 0)
		return uerr_set(err, errno, "malloc");
	while (x.phase != PH_DONE) {
		long left = deadline - now_ms();
		bool booting = x.phase < PH_CREATED;

		if (booting && left <= 0) {
			fail(&x, 0, "guest agent did not answer within %s", x.phase == PH_HELLO ?
				     "the boot timeout (is the kernel a UML kernel?)" : "the boot timeout");
			break;
		}
		if (m->timeout_ms > 0 && x.started_ms > 0) {
			long t = x.started_ms + m->timeout_ms - now_ms();

			if (t <= 0) { /* as timeout(1): kill, and say so in the exit code */
				vm_kill(m->vm);
				x.timed_out = true;
				x.phase = PH_DONE;
				break;
			}
			left = t;
		}
		step(&x, booting || (m->timeout_ms > 0 && x.started_ms > 0) ? (int)left : -1);
		if (x.ctl_eof && x.phase != PH_DONE) {
			/* The kernel closed the line: wait for its exit status. */
			while (!x.vm_exited && waitpid(m->vm, &x.vm_status, 0) < 0 && errno == EINTR)
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
	set_status(&x, CS_STOPPED, x.have_exit && !x.failed ? x.exit_status : -1);
	/* Give the guest its poweroff, then make sure nothing is left. */
	deadline = now_ms() + EXIT_GRACE_MS;
	while (!x.vm_exited && now_ms() < deadline) {
		struct pollfd pfd = { .fd = m->sigfd, .events = POLLIN };

		if (poll(&pfd, 1, (int)(deadline - now_ms())) > 0)
			on_signal(&x);
	}
	vm_kill(m->vm);
	if (!x.vm_exited)
		waitpid(m->vm, NULL, 0);
	if (x.failed)
		return -1;
	if (x.timed_out)
		return MONITOR_TIMEOUT_EXIT;
	return x.have_exit ? monitor_exit_code(x.exit_status) : 1;
}
