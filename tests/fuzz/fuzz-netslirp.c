/* fuzz-netslirp.c: libFuzzer target for umlrun-netslirp's frame input path
 * (netslirp/engine.c: nsl_frame_in -> libslirp, IPv4 fragments through
 * netslirp/reass.c), which is what a hostile guest controls. An input is
 * a sequence of frames, each a 2-byte little-endian length and that many
 * bytes; a fresh instance per input
 * takes them (a TCP SYN's MSS option may be rewritten), then one poll round
 * runs (sockets, timers) and what it sends to the guest (queued, pure ACKs
 * merged: the parser of libslirp's frames) is drained. It runs in an empty network namespace when it
 * can make one (so libslirp's real sockets reach nothing), otherwise in
 * libslirp's restricted mode. Built and run by tests/fuzz/run.sh. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../netslirp/netslirp.h"

static bool restricted;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		restricted = true;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* inputs of odd sizes run with --offload (frames over the MTU to the
	 * guest, its IPv4 SYNs' MSS raised) */
	struct nsl_opts o = { .mtu = NSL_DEFAULT_MTU, .ipv6 = true, .offload = size & 1,
			      .restricted = restricted };
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
	return 0;
}
