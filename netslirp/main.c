/* main.c: umlrun-netslirp's command line and its one loop. umlrun starts it
 * (runtime/net.c) with a listening unix seqpacket socket the guest's vector
 * NIC connects to (UML's bess transport: a new connection at each "up"),
 * the read end of a pipe it exits on when the monitor is gone, and a unix
 * seqpacket control socket: netslirp reports readiness ("ok\n") or the
 * set-up error ("error: ...\n") on it, then answers each message umlrun
 * sends: "bytes" with "bytes IN OUT\n", the Ethernet frame bytes to and
 * from the guest so far (run --stats); "drain", once the kernel is gone,
 * with "drained\n" when what the guest sent has reached the host's
 * sockets (or stopped moving), and netslirp exits. See umlrun(8),
 * NETWORKING.
 *
 * The loop takes the guest's frames RX_BATCH to a recvmmsg; a batch's
 * writes to host TCP sockets are corked (below) and the frames libslirp
 * answers with go to the guest together (engine.c) before the next batch.
 *
 * Usage: umlrun-netslirp --link-fd N --lifeline-fd N --ctl-fd N
 *        [--mtu N] [--offload] [--host-loopback] [--no-ipv6] [--uid N --gid N]
 *        [--peer-uid N] [--resolv-conf PATH] [--forward PROTO:ADDR:HOST:GUEST]...
 */
#define _GNU_SOURCE
#include "netslirp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Frames taken from the link per round, so libslirp's sockets get a turn. */
#define RX_BATCH 32
#define RX_ROUND_MAX 256
/* Before answering for the byte counts, the frames waiting on the link are
 * taken, up to this many rounds (RX_ROUND_MAX frames each). */
#define CTL_DRAIN_ROUNDS 64
/* "drain": how long the guest's data may take to reach the host's sockets
 * without moving, and in all; poll steps meanwhile. */
#define DRAIN_STALL_MS 1000
#define DRAIN_MAX_MS 10000
#define DRAIN_STEP_MS 50

struct args {
	int link_fd, lifeline_fd, ctl_fd;
	uid_t uid, peer_uid;
	gid_t gid;
	const char *resolv_conf;
	struct nsl_opts o;
};

/* ---- libslirp's writes to host TCP sockets -------------------------------- */

/* libslirp writes each TCP segment of the guest to its host socket with a
 * send() of its own, on sockets it set TCP_NODELAY: every 1460 bytes went
 * through the host's TCP stack, and woke the peer, alone. This send()
 * takes libslirp's place (the executable's definition comes first in the
 * dynamic symbol lookup): while the loop takes a batch of frames from the
 * guest, a send() to a TCP socket gets MSG_MORE, and cork_push() then
 * pushes each such socket once (setting TCP_NODELAY again sends what
 * waits). Nothing else changes: send() still says what the kernel took. */
#define CORK_MAX 64

static struct {
	bool on;
	unsigned long long sent; /* bytes send() handed to the kernel: drain()'s progress */
	int n;
	struct {
		int fd;
		bool tcp;
	} s[CORK_MAX];
} cork;

/* Whether fd is a TCP socket, noted for cork_push(). */
static bool cork_note(int fd)
{
	int proto = 0;
	socklen_t len = sizeof(proto);

	for (int i = 0; i < cork.n; i++)
		if (cork.s[i].fd == fd)
			return cork.s[i].tcp;
	if (cork.n == CORK_MAX)
		return false;
	cork.s[cork.n].fd = fd;
	cork.s[cork.n].tcp = getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 &&
			     proto == IPPROTO_TCP;
	return cork.s[cork.n++].tcp;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	ssize_t r;

	if (cork.on && cork_note(fd))
		flags |= MSG_MORE;
	r = sendto(fd, buf, len, flags, NULL, 0);
	if (r > 0)
		cork.sent += (unsigned long long)r;
	return r;
}

static void cork_push(void)
{
	int one = 1;

	for (int i = 0; i < cork.n; i++)
		if (cork.s[i].tcp)
			setsockopt(cork.s[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	cork.n = 0;
	cork.on = false;
}

/* ---- the link -------------------------------------------------------------- */

struct rxbuf {
	struct mmsghdr msg[RX_BATCH];
	struct iovec iov[RX_BATCH];
	uint8_t *data; /* RX_BATCH * size */
	size_t size;
};

static _Noreturn void usage_fail(const char *what)
{
	fprintf(stderr, "umlrun-netslirp: %s (it is started by umlrun, see umlrun(8))\n", what);
	exit(2);
}

static long parse_num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		usage_fail(what);
	return v;
}

/* PROTO:ADDR:HOST:GUEST, as runtime/net.c writes it. */
static void parse_forward(const char *s, struct nsl_opts *o)
{
	char proto[4], addr[INET_ADDRSTRLEN];
	unsigned host, guest;
	struct nsl_forward *f;
	int end = 0;

	if (o->n_fwd == NSL_MAX_FORWARDS)
		usage_fail("too many --forward");
	f = &o->fwd[o->n_fwd];
	if (sscanf(s, "%3[a-z]:%15[0-9.]:%u:%u%n", proto, addr, &host, &guest, &end) != 4 ||
	    s[end] != '\0' || host < 1 || host > 65535 || guest < 1 || guest > 65535 ||
	    inet_pton(AF_INET, addr, &f->host_addr) != 1 ||
	    (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0))
		usage_fail("bad --forward");
	f->udp = strcmp(proto, "udp") == 0;
	f->host_port = (uint16_t)host;
	f->guest_port = (uint16_t)guest;
	o->n_fwd++;
}

static void parse_args(int argc, char **argv, struct args *a)
{
	enum { O_LINK = 256, O_LIFE, O_CTL, O_MTU, O_LOOP, O_NO6, O_OFFLOAD, O_UID, O_GID, O_PEER,
	       O_RESOLV, O_FWD };
	static const struct option opts[] = {
		{ "link-fd", required_argument, NULL, O_LINK },
		{ "lifeline-fd", required_argument, NULL, O_LIFE },
		{ "ctl-fd", required_argument, NULL, O_CTL },
		{ "mtu", required_argument, NULL, O_MTU },
		{ "host-loopback", no_argument, NULL, O_LOOP },
		{ "no-ipv6", no_argument, NULL, O_NO6 },
		{ "offload", no_argument, NULL, O_OFFLOAD },
		{ "uid", required_argument, NULL, O_UID },
		{ "gid", required_argument, NULL, O_GID },
		{ "peer-uid", required_argument, NULL, O_PEER },
		{ "resolv-conf", required_argument, NULL, O_RESOLV },
		{ "forward", required_argument, NULL, O_FWD },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a = (struct args){ .link_fd = -1, .lifeline_fd = -1, .ctl_fd = -1, .uid = (uid_t)-1,
			    .gid = (gid_t)-1, .peer_uid = (uid_t)-1,
			    .resolv_conf = "/etc/resolv.conf",
			    .o = { .mtu = NSL_DEFAULT_MTU, .ipv6 = true } };
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_LINK: a->link_fd = (int)parse_num(optarg, 0, 65535, "bad --link-fd"); break;
		case O_LIFE: a->lifeline_fd = (int)parse_num(optarg, 0, 65535, "bad --lifeline-fd"); break;
		case O_CTL: a->ctl_fd = (int)parse_num(optarg, 0, 65535, "bad --ctl-fd"); break;
		case O_MTU: a->o.mtu = (unsigned)parse_num(optarg, NSL_MIN_MTU, NSL_MAX_MTU, "bad --mtu"); break;
		case O_LOOP: a->o.host_loopback = true; break;
		case O_NO6: a->o.ipv6 = false; break;
		case O_OFFLOAD: a->o.offload = true; break;
		case O_UID: a->uid = (uid_t)parse_num(optarg, 0, 0x7fffffff, "bad --uid"); break;
		case O_GID: a->gid = (gid_t)parse_num(optarg, 0, 0x7fffffff, "bad --gid"); break;
		case O_PEER: a->peer_uid = (uid_t)parse_num(optarg, 0, 0x7fffffff, "bad --peer-uid"); break;
		case O_RESOLV: a->resolv_conf = optarg; break;
		case O_FWD: parse_forward(optarg, &a->o); break;
		default: usage_fail("bad option");
		}
	}
	if (optind != argc || a->link_fd < 0 || a->lifeline_fd < 0)
		usage_fail("--link-fd and --lifeline-fd are required");
	if ((a->uid == (uid_t)-1) != (a->gid == (gid_t)-1))
		usage_fail("--uid and --gid go together");
}

static void parse_self_test_args(int argc, char **argv, struct args *a)
{
	*a = (struct args){ .uid = (uid_t)-1, .gid = (gid_t)-1, .resolv_conf = "/etc/resolv.conf" };
	if (argc == 4) {
		a->uid = (uid_t)parse_num(argv[2], 0, 0x7fffffff, "bad uid");
		a->gid = (gid_t)parse_num(argv[3], 0, 0x7fffffff, "bad gid");
	} else if (argc != 2) {
		usage_fail("usage: --self-test [UID GID]");
	}
}

/* Readiness or the set-up error, on the control socket. */
static void report(int fd, const char *text)
{
	if (fd >= 0)
		(void)!send(fd, text, strlen(text), MSG_NOSIGNAL);
}

/* A connection from the guest's NIC; one from anyone else is refused. */
static void accept_link(struct nsl *n, int listen_fd, uid_t peer_uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int buf = 4 * 1024 * 1024;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (peer_uid != (uid_t)-1 &&
	    (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != peer_uid)) {
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	nsl_link_set(n, fd);
}

/* recvmmsg() returns the peer's close as empty messages, as it does an
 * empty frame (which the guest may send: nsl_frame_in drops it): only the
 * hang-up tells them apart. */
static bool link_closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP));
}

/* Takes up to RX_ROUND_MAX frames, RX_BATCH at a time, each batch's writes
 * to host sockets corked and its frames for the guest sent after it;
 * returns whether more may be waiting. */
static bool read_link(struct nsl *n, struct rxbuf *rx)
{
	for (int total = 0; n->link_fd >= 0 && total < RX_ROUND_MAX; total += RX_BATCH) {
		int got;

		for (int i = 0; i < RX_BATCH; i++) {
			rx->iov[i] = (struct iovec){ rx->data + (size_t)i * rx->size, rx->size };
			rx->msg[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &rx->iov[i],
								    .msg_iovlen = 1 } };
		}
		got = recvmmsg(n->link_fd, rx->msg, RX_BATCH, MSG_DONTWAIT, NULL);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			return false;
		if (got <= 0) { /* EOF: the guest downed its NIC; it reconnects on "up" */
			nsl_link_set(n, -1);
			return false;
		}
		cork.on = true; /* until cork_push() */
		for (int i = 0; i < got; i++) {
			if (rx->msg[i].msg_len == 0 && link_closed(n->link_fd)) {
				got = i;
				nsl_link_set(n, -1);
				break;
			}
			if (rx->msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				n->rx_dropped++;
				n->rx_bytes += rx->msg[i].msg_len;
			} else {
				nsl_frame_in(n, rx->iov[i].iov_base, rx->msg[i].msg_len);
			}
		}
		nsl_link_flush(n); /* the guest's ACKs first: it sends on */
		cork_push();
		if (got < RX_BATCH)
			return false;
	}
	return n->link_fd >= 0;
}

/* Whether libslirp still has data from the guest for a host socket (it
 * polls those for POLLOUT; this round's set, after nsl_poll_prepare). */
static bool host_writes_waiting(const struct nsl *n)
{
	for (size_t i = 0; i < n->n_pfd; i++)
		if (n->pfd[i].events & POLLOUT)
			return true;
	return false;
}

/* "drain": the kernel is gone, and what it sent last may still be on the
 * link or in libslirp's socket buffers (a workload that sends and exits).
 * Takes the frames left, then lets libslirp write to the host's sockets
 * until nothing waits, or nothing moved for DRAIN_STALL_MS (a peer that
 * does not read), or DRAIN_MAX_MS passed. Killing netslirp before would
 * lose that tail while the host's peer saw a clean close. */
static void drain(struct nsl *n, struct rxbuf *rx)
{
	int64_t start = nsl_now_ms(), moved = start;
	unsigned long long sent = cork.sent;

	for (int i = 0; i < CTL_DRAIN_ROUNDS && read_link(n, rx); i++)
		; /* bounded: a kernel still sending would never be done */
	for (;;) {
		int timeout = nsl_poll_prepare(n, DRAIN_STEP_MS), r;
		int64_t now = nsl_now_ms();

		if (!host_writes_waiting(n))
			return;
		if (cork.sent != sent) {
			sent = cork.sent;
			moved = now;
		}
		if (now - moved >= DRAIN_STALL_MS || now - start >= DRAIN_MAX_MS)
			return;
		r = poll(n->pfd, n->n_pfd, timeout);
		nsl_poll_done(n, r < 0);
		nsl_timers_run(n);
	}
}

/* A message from umlrun on the control socket: "bytes" asks for the byte
 * counts (frames the guest left on the link are taken first, so that a
 * count asked for once the guest is gone has all of them); "drain" for
 * drain(), then netslirp ends: returns 1. EOF: umlrun closed its end (the
 * lifeline ends netslirp). */
static int answer_ctl(struct nsl *n, int *ctl_fd, struct rxbuf *rx)
{
	char req[16], line[64];
	ssize_t r = recv(*ctl_fd, req, sizeof(req), MSG_DONTWAIT);
	int len;

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r <= 0) {
		close(*ctl_fd);
		*ctl_fd = -1;
		return 0;
	}
	if (r >= 5 && memcmp(req, "drain", 5) == 0) {
		drain(n, rx);
		(void)!send(*ctl_fd, "drained\n", 8, MSG_DONTWAIT | MSG_NOSIGNAL);
		return 1;
	}
	for (int i = 0; i < CTL_DRAIN_ROUNDS && read_link(n, rx); i++)
		;
	len = snprintf(line, sizeof(line), "bytes %llu %llu\n", n->tx_bytes, n->rx_bytes);
	(void)!send(*ctl_fd, line, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
	return 0;
}

static int run(struct nsl *n, const struct args *a)
{
	struct rxbuf rx = { .size = (size_t)a->o.mtu + NSL_ETH_HLEN + 4 + 1 };
	int ctl_fd = a->ctl_fd;

	rx.data = malloc(rx.size * RX_BATCH);
	if (rx.data == NULL)
		return 1;
	for (;;) {
		int timeout, i_listen, i_life, i_ctl = -1, i_link = -1, r;

		nsl_link_flush(n); /* what the last round queued, before sleeping */
		timeout = nsl_poll_prepare(n, -1);
		i_listen = nsl_poll_add(n, a->link_fd, POLLIN);
		i_life = nsl_poll_add(n, a->lifeline_fd, POLLIN);

		if (ctl_fd >= 0 && (i_ctl = nsl_poll_add(n, ctl_fd, POLLIN)) < 0)
			return 1;
		if (n->link_fd >= 0)
			i_link = nsl_poll_add(n, n->link_fd, POLLIN | (n->txq_n ? POLLOUT : 0));
		if (i_listen < 0 || i_life < 0 || (n->link_fd >= 0 && i_link < 0))
			return 1;
		r = poll(n->pfd, n->n_pfd, timeout);
		if (r < 0 && errno != EINTR)
			return 1;
		if (r > 0 && n->pfd[i_life].revents)
			return 0; /* the monitor is gone: so is the sandbox */
		if (r > 0 && i_link >= 0 && (n->pfd[i_link].revents & POLLOUT))
			nsl_link_flush(n);
		if (r > 0 && i_link >= 0 && (n->pfd[i_link].revents & (POLLIN | POLLHUP | POLLERR)))
			read_link(n, &rx);
		if (r > 0 && (n->pfd[i_listen].revents & POLLIN))
			accept_link(n, a->link_fd, a->peer_uid);
		if (r > 0 && i_ctl >= 0 && n->pfd[i_ctl].revents && answer_ctl(n, &ctl_fd, &rx))
			return 0; /* drained: the sandbox is gone */
		nsl_poll_done(n, r < 0);
		nsl_timers_run(n);
	}
}

/* --self-test: each forbidden operation in a child confined exactly as
 * the daemon is; one line per operation: "blocked" or "ESCAPED". Used by
 * tests/escape/net.sh. */
static int self_test(const struct args *a)
{
	static const char *const ops[] = { "execve /bin/sh", "open /etc/passwd",
					   "socket AF_UNIX", "socket AF_PACKET", "ptrace",
					   "fork", "kill init" };
	int escaped = 0;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char msg[512];
		int status, r = -1;
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			if (nsl_confine(a->uid, a->gid, a->resolv_conf, false, msg, sizeof(msg)) < 0)
				_exit(3);
			switch (i) {
			case 0: execl("/bin/sh", "sh", "-c", "true", (char *)NULL); break;
			case 1: r = open("/etc/passwd", O_RDONLY); break;
			case 2: r = socket(AF_UNIX, SOCK_STREAM, 0); break;
			case 3: r = socket(17 /* AF_PACKET */, SOCK_RAW, 0); break;
			case 4: r = (int)syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, getppid(), 0, 0); break;
			case 5: r = fork(); break;
			case 6: r = kill(1, 0); break;
			}
			_exit(r >= 0 ? 0 : 2);
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("%s: ESCAPED\n", ops[i]);
			escaped++;
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
			printf("%s: confinement failed\n", ops[i]);
			escaped++;
		} else {
			printf("%s: blocked (%s)\n", ops[i],
			       WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS ? "seccomp" : "refused");
		}
	}
	return escaped ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct nsl n;
	struct args a;
	char msg[512], line[560];

	if (argc >= 2 && strcmp(argv[1], "--self-test") == 0) {
		parse_self_test_args(argc, argv, &a);
		return self_test(&a);
	}
	parse_args(argc, argv, &a);
	signal(SIGPIPE, SIG_IGN);
	/* dies with the monitor even if the lifeline is never read */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
		return 1;
	if (nsl_init(&n, &a.o, msg, sizeof(msg)) < 0 ||
	    nsl_confine(a.uid, a.gid, a.resolv_conf, false, msg, sizeof(msg)) < 0) {
		snprintf(line, sizeof(line), "error: %s\n", msg);
		report(a.ctl_fd, line);
		return 1;
	}
	report(a.ctl_fd, "ok\n");
	return run(&n, &a);
}
