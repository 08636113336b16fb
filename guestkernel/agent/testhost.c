/* testhost.c: a minimal host side for testing the agent by hand (not part of
 * the product). Boots the UML kernel with the agent's initramfs, configures
 * it to run ARGS with PATH=/bin in / of ROOTFS, relays stdin (within the
 * stdin window), stdout and stderr, and exits with the workload's status
 * (128+N if killed by signal N).
 * Usage: testhost KERNEL INITRAMFS ROOTFS ARGS...
 * The kernel log goes to /tmp/umltest/testhost-PID.log, kept on failure or
 * when TESTHOST_KEEPLOG is set. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime/proto.h"

#define UML_DIR "/tmp/umltest"

struct host {
	int sock;
	pid_t kpid;
	char log[256];
	struct proto_rx rx;
	struct pbuf tx;
	char **args;
	bool started;    /* P_START sent */
	bool stdin_done; /* stdin EOF sent (or stdin no longer wanted) */
	bool exited;
	uint32_t inflight; /* stdin bytes sent, not acked */
	int status;
};

static _Noreturn void die(struct host *h, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "testhost: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (h != NULL && h->log[0] != '\0')
		fprintf(stderr, " (kernel log: %s)", h->log);
	fputc('\n', stderr);
	if (h != NULL && h->kpid > 0)
		kill(h->kpid, SIGKILL);
	exit(125);
}

static void write_all(struct host *h, int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die(h, "write fd %d: %s", fd, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

static void start_kernel(struct host *h, char **argv)
{
	int sv[2], logfd;
	char initrd[4096], hostfs[4096], umid[64];

	mkdir(UML_DIR, 0700);
	snprintf(h->log, sizeof(h->log), UML_DIR "/testhost-%d.log", (int)getpid());
	logfd = open(h->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0)
		die(h, "open %s: %s", h->log, strerror(errno));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die(h, "socketpair: %s", strerror(errno));
	snprintf(initrd, sizeof(initrd), "initrd=%s", argv[2]);
	snprintf(hostfs, sizeof(hostfs), "hostfs=%s", argv[3]);
	snprintf(umid, sizeof(umid), "umid=testhost-%d", (int)getpid());
	h->kpid = fork();
	if (h->kpid < 0)
		die(h, "fork: %s", strerror(errno));
	if (h->kpid == 0) {
		char *kargv[] = { argv[1], "mem=64M", initrd, hostfs, "con=null",
				  "con0=null,fd:3", "ssl=null", "ssl0=fd:4", umid,
				  "uml_dir=" UML_DIR, "lpj=10000000", NULL };
		int nul = open("/dev/null", O_RDONLY);

		if (nul < 0 || dup2(nul, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0 ||
		    dup2(logfd, 3) < 0 || dup2(sv[1], 4) < 0)
			_exit(127);
		setenv("TMPDIR", "/dev/shm", 1);
		/* UML's static glibc registers rseq, its ptrace stub children
		 * inherit the registration, and once the stub's address space
		 * no longer maps it the host (6.18 here) SIGSEGVs the stub on
		 * its first signal: "wait_stub_done : failed to wait for
		 * SIGTRAP" and a panic before /init runs. */
		setenv("GLIBC_TUNABLES", "glibc.pthread.rseq=0", 1);
		execv(argv[1], kargv);
		dprintf(2, "testhost: exec %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	close(logfd);
	close(sv[1]);
	h->sock = sv[0];
	if (fcntl(h->sock, F_SETFL, O_NONBLOCK) < 0)
		die(h, "fcntl: %s", strerror(errno));
}

static void send_frame(struct host *h, uint8_t type, const void *p, size_t n)
{
	if (proto_frame(&h->tx, type, p, n) < 0)
		die(h, "out of memory");
}

static void send_config(struct host *h)
{
	struct pbuf c = { 0 };

	for (char **a = h->args; *a != NULL; a++)
		proto_tlv_str(&c, T_ARG, *a);
	proto_tlv_str(&c, T_ENV, "PATH=/bin");
	proto_tlv_str(&c, T_CWD, "/");
	proto_tlv_u32(&c, T_UID, 0);
	proto_tlv_u32(&c, T_GID, 0);
	proto_tlv_str(&c, T_ROOT_SRC, "");
	send_frame(h, P_CONFIG, c.data, c.len);
	pbuf_free(&c);
}

static uint32_t payload_u32(struct host *h, const uint8_t *p, uint32_t len)
{
	uint32_t v;

	if (len != sizeof(v))
		die(h, "bad u32 payload of %u bytes", len);
	memcpy(&v, p, sizeof(v));
	return v;
}

static void on_frame(struct host *h, uint8_t type, const uint8_t *p, uint32_t len)
{
	switch (type) {
	case P_HELLO:
		if (len != sizeof(PROTO_HELLO_MAGIC) + 4 ||
		    memcmp(p, PROTO_HELLO_MAGIC, sizeof(PROTO_HELLO_MAGIC)) != 0 ||
		    payload_u32(h, p + sizeof(PROTO_HELLO_MAGIC), 4) != PROTO_VERSION)
			die(h, "bad HELLO");
		send_config(h);
		break;
	case P_READY:
		send_frame(h, P_START, NULL, 0);
		h->started = true;
		break;
	case P_STARTED:
		payload_u32(h, p, len);
		break;
	case P_STDOUT:
		write_all(h, STDOUT_FILENO, p, len);
		break;
	case P_STDERR:
		write_all(h, STDERR_FILENO, p, len);
		break;
	case P_STDIN_ACK: {
		uint32_t n = payload_u32(h, p, len);

		if (n > h->inflight)
			die(h, "guest acked %u stdin bytes, only %u in flight", n, h->inflight);
		h->inflight -= n;
		break;
	}
	case P_EXIT:
		h->status = (int)payload_u32(h, p, len);
		h->exited = true;
		h->stdin_done = true;
		break;
	case P_ERROR:
		die(h, "guest error: %.*s", (int)len, (const char *)p);
	default:
		die(h, "unexpected frame type %u", type);
	}
}

static void on_sock_readable(struct host *h)
{
	size_t avail;
	uint8_t *p = proto_rx_space(&h->rx, &avail), type;
	const uint8_t *payload;
	uint32_t len;
	ssize_t n = read(h->sock, p, avail);
	int r;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0)
		die(h, "read socket: %s", strerror(errno));
	if (n == 0)
		die(h, "guest closed the channel without an exit status");
	proto_rx_commit(&h->rx, (size_t)n);
	while ((r = proto_rx_next(&h->rx, &type, &payload, &len)) > 0)
		on_frame(h, type, payload, len);
	if (r < 0)
		die(h, "malformed frame from guest");
}

static void flush_tx(struct host *h)
{
	ssize_t n = write(h->sock, h->tx.data + h->tx.off, pbuf_pending(&h->tx));

	if (n < 0 && errno != EAGAIN && errno != EINTR)
		die(h, "write socket: %s", strerror(errno));
	if (n > 0)
		pbuf_consume(&h->tx, (size_t)n);
}

static void on_stdin(struct host *h)
{
	static uint8_t buf[64 * 1024];
	size_t room = PROTO_STDIN_WINDOW - h->inflight;
	ssize_t n = read(STDIN_FILENO, buf, room < sizeof(buf) ? room : sizeof(buf));

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		send_frame(h, P_STDIN_EOF, NULL, 0);
		h->stdin_done = true;
		return;
	}
	send_frame(h, P_STDIN, buf, (size_t)n);
	h->inflight += (uint32_t)n;
}

static void run(struct host *h)
{
	while (!h->exited) {
		bool want_in = h->started && !h->stdin_done && h->inflight < PROTO_STDIN_WINDOW &&
			       pbuf_pending(&h->tx) < PROTO_STDIN_WINDOW;
		struct pollfd p[2] = {
			{ .fd = h->sock,
			  .events = POLLIN | (pbuf_pending(&h->tx) ? POLLOUT : 0) },
			{ .fd = want_in ? STDIN_FILENO : -1, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			die(h, "poll: %s", strerror(errno));
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			on_sock_readable(h);
		if (p[1].revents)
			on_stdin(h);
		if (pbuf_pending(&h->tx))
			flush_tx(h);
	}
}

int main(int argc, char **argv)
{
	struct host h = { .sock = -1 };
	int kst;

	if (argc < 5) {
		fprintf(stderr, "usage: testhost KERNEL INITRAMFS ROOTFS ARGS...\n");
		return 125;
	}
	signal(SIGPIPE, SIG_IGN);
	h.args = argv + 4;
	if (proto_rx_init(&h.rx, PROTO_MAX_GUEST_PAYLOAD) < 0)
		die(&h, "out of memory");
	start_kernel(&h, argv);
	run(&h);
	close(h.sock);
	if (waitpid(h.kpid, &kst, 0) < 0)
		die(&h, "waitpid kernel: %s", strerror(errno));
	if (!(WIFEXITED(kst) && WEXITSTATUS(kst) == 0))
		fprintf(stderr, "testhost: kernel ended with wait status 0x%x\n", kst);
	if (getenv("TESTHOST_KEEPLOG") == NULL)
		unlink(h.log);
	if (WIFSIGNALED(h.status))
		return 128 + WTERMSIG(h.status);
	return WEXITSTATUS(h.status);
}
