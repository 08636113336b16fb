/* fuzz-netslirp.c: libFuzzer target for umlrun-netslirp's frame input path
 * (netslirp/engine.c: nsl_frame_in -> libslirp, IPv4 fragments through
 * netslirp/reass.c), which is what a hostile guest controls. An input is
 * a sequence of frames, each a 2-byte little-endian length and that many
 * bytes; a fresh instance per input
 * takes them (a TCP SYN's MSS option may be rewritten), then one poll round
 * runs (sockets, timers) and what it sends to the guest (queued, pure ACKs
 * merged: the parser of libslirp's frames) is drained. It runs in an empty network namespace when it
 * can make one (so libslirp's real sockets reach nothing), otherwise in
 * libslirp's restricted mode. In the namespace each instance has a UDP
 * forward (netslirp/udpfwd.c) to guest port 5353 that a client on
 * 127.0.0.1:40000 sent to first, so that the guest's replies (seed
 * corpus/netslirp/udp-reply: 10.0.2.15:5353 -> 10.0.2.2:40000) take the
 * forward's path to the host. Built and run by tests/fuzz/run.sh. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../netslirp/netslirp.h"
#include "../../netslirp/udpfwd.h"

#define CLIENT_PORT 40000

static bool restricted;
static int client = -1; /* a UDP forward's client, in the namespace */

/* The namespace's loopback up, and the client on it. */
static void client_open(void)
{
	struct ifreq ifr = { .ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(CLIENT_PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCSIFFLAGS, &ifr) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("fuzz-netslirp: the forward's client");
		__builtin_trap();
	}
	client = s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		restricted = true;
	else
		client_open();
	return 0;
}

/* The client sends to the forward, and a poll round takes it: a flow. */
static void client_send(struct nsl *n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	if (getsockname(n->udpfwd->fwd[0].fd, (struct sockaddr *)&a, &len) < 0 ||
	    sendto(client, "query", 5, 0, (struct sockaddr *)&a, sizeof(a)) != 5)
		__builtin_trap();
	nsl_poll_prepare(n, 0);
	nsl_poll_done(n, poll(n->pfd, n->n_pfd, 1000) < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* inputs of odd sizes run with --offload (frames over the MTU to the
	 * guest, its IPv4 SYNs' MSS raised) */
	struct nsl_opts o = { .mtu = NSL_DEFAULT_MTU, .ipv6 = true, .offload = size & 1,
			      .restricted = restricted,
			      .fwd = { { .udp = true, .host_addr.s_addr = htonl(INADDR_LOOPBACK),
					 .guest_port = 5353 } },
			      .n_fwd = client >= 0 };
	struct nsl n;
	static uint8_t frame[65536];
	char msg[256], sink[70000];
	int sp[2];
	size_t pos = 0;

	if (nsl_init(&n, &o, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "fuzz-netslirp: %s\n", msg);
		__builtin_trap();
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) == 0)
		nsl_link_set(&n, sp[0]);
	else
		sp[1] = -1;
	if (client >= 0)
		client_send(&n);
	while (pos + 2 <= size) {
		size_t len = (size_t)data[pos] | (size_t)data[pos + 1] << 8;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		memcpy(frame, data + pos, len); /* nsl_frame_in may rewrite it */
		nsl_frame_in(&n, frame, len);
		pos += len;
		while (sp[1] >= 0 && recv(sp[1], sink, sizeof(sink), MSG_DONTWAIT) > 0)
			nsl_link_flush(&n);
	}
	nsl_poll_prepare(&n, 0);
	nsl_poll_done(&n, poll(n.pfd, n.n_pfd, 0) < 0);
	nsl_timers_run(&n);
	nsl_link_flush(&n);
	while (sp[1] >= 0 && recv(sp[1], sink, sizeof(sink), MSG_DONTWAIT) > 0)
		nsl_link_flush(&n);
	nsl_fini(&n);
	if (sp[1] >= 0)
		close(sp[1]);
	while (client >= 0 && recv(client, sink, sizeof(sink), MSG_DONTWAIT) >= 0)
		;
	return 0;
}
