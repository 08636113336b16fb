/* test-tcpwin.c: unit tests of the libslirp that umlrun-netslirp links
 * (netslirp/libslirp: Debian's source with TCP window scaling added, RFC
 * 7323). A real libslirp with real sockets on the host's loopback; this
 * test plays the guest, frame by frame:
 *   - a guest SYN with a window scale gets a SYN-ACK with libslirp's own;
 *   - host to guest, libslirp then sends more than 64 KiB unacknowledged
 *     into the guest's scaled window, and not past it;
 *   - guest to host, the window libslirp advertises, scaled, is over 64 KiB;
 *   - a guest SYN without the option gets none back, and the window stays
 *     unscaled (64 KiB at most in flight);
 *   - a port forward's SYN (libslirp opens the connection) asks for it. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libslirp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../netslirp/csum.h"
#include "../../netslirp/pollev.h"
#include "tap.h"

#define MAX_FRAMES 4096
#define GUEST_IP "10.0.2.15"
#define HOST_IP "10.0.2.2"
#define GUEST_PORT 40000

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* ---- the frames libslirp sends to the guest ---------------------------------- */

struct frame {
	uint8_t *d;
	size_t len;
};

struct world {
	Slirp *slirp;
	struct frame f[MAX_FRAMES];
	size_t n;
	struct pollfd pfd[256];
	size_t n_pfd;
};

static ssize_t cb_send(const void *buf, size_t len, void *opaque)
{
	struct world *w = opaque;

	if (w->n < MAX_FRAMES) {
		w->f[w->n].d = malloc(len);
		memcpy(w->f[w->n].d, buf, len);
		w->f[w->n++].len = len;
	}
	return (ssize_t)len;
}

static void frames_clear(struct world *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->f[i].d);
	w->n = 0;
}

static void frames_drop_first(struct world *w, size_t k)
{
	for (size_t i = 0; i < k; i++)
		free(w->f[i].d);
	memmove(w->f, w->f + k, (w->n - k) * sizeof(w->f[0]));
	w->n -= k;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	fprintf(stderr, "libslirp: guest error: %s\n", msg);
}

static int64_t cb_clock(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* libslirp's timers (RA, DNS) never need to fire here. */
static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	(void)cb, (void)cb_opaque, (void)opaque;
	return malloc(1);
}

static void cb_timer_free(void *t, void *opaque)
{
	(void)opaque;
	free(t);
}

static void cb_timer_mod(void *t, int64_t when, void *opaque)
{
	(void)t, (void)when, (void)opaque;
}

static void cb_fd(int fd, void *opaque)
{
	(void)fd, (void)opaque;
}

static void cb_notify(void *opaque)
{
	(void)opaque;
}

static int cb_add_poll(int fd, int ev, void *opaque)
{
	struct world *w = opaque;

	w->pfd[w->n_pfd] = (struct pollfd){ .fd = fd, .events = nsl_to_poll(ev) };
	return (int)w->n_pfd++;
}

static int cb_get_revents(int idx, void *opaque)
{
	struct world *w = opaque;

	return nsl_from_poll(w->pfd[idx].revents);
}

/* One round of libslirp's loop: its sockets, its timers (fast and slow
 * TCP timers run from here). */
static void spin(struct world *w, int timeout_ms)
{
	uint32_t t = (uint32_t)timeout_ms;
	int r;

	w->n_pfd = 0;
	slirp_pollfds_fill(w->slirp, &t, cb_add_poll, w);
	r = poll(w->pfd, w->n_pfd, timeout_ms);
	slirp_pollfds_poll(w->slirp, r < 0, cb_get_revents, w);
}

static const SlirpCb callbacks = {
    .send_packet = cb_send,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_fd,
    .unregister_poll_fd = cb_fd,
    .notify = cb_notify,
};

static void world_init(struct world *w)
{
	SlirpConfig cfg = { 0 };

	memset(w, 0, sizeof(*w));
	cfg.version = 1;
	cfg.in_enabled = true;
	inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
	inet_pton(AF_INET, HOST_IP, &cfg.vhost);
	inet_pton(AF_INET, GUEST_IP, &cfg.vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
	cfg.if_mtu = 1500;
	cfg.if_mru = 1500;
	w->slirp = slirp_new(&cfg, &callbacks, w);
}

static void world_free(struct world *w)
{
	frames_clear(w);
	slirp_cleanup(w->slirp);
}

/* ---- frames from the guest ----------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	nsl_put16(p, v >> 16);
	nsl_put16(p + 2, v & 0xffff);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)nsl_get16(p) << 16 | nsl_get16(p + 2);
}

/* ARP: libslirp learns the guest's MAC address before it sends it IP. */
static void guest_arp(struct world *w)
{
	uint8_t f[42] = { 0 };

	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	nsl_put16(f + 12, 0x0806);
	nsl_put16(f + 14, 1);
	nsl_put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	nsl_put16(f + 20, 1); /* request */
	memcpy(f + 22, guest_mac, 6);
	inet_pton(AF_INET, GUEST_IP, f + 28);
	inet_pton(AF_INET, HOST_IP, f + 38);
	slirp_input(w->slirp, f, sizeof(f));
}

/* A TCP segment from the guest to 10.0.2.2. wscale < 0: no option. */
static void guest_tcp(struct world *w, unsigned sport, unsigned dport, uint32_t seq, uint32_t ack,
		      unsigned flags, unsigned win, int wscale, size_t payload)
{
	size_t optlen = (flags & 0x02) ? (wscale >= 0 ? 8 : 4) : 0;
	size_t tcplen = 20 + optlen + payload, len = 14 + 20 + tcplen;
	uint8_t *f = calloc(1, len), *ip = f + 14, *tcp = ip + 20, ph[12];

	memset(f, 0x52, 6); /* libslirp's own MAC does not matter to it */
	memcpy(f + 6, guest_mac, 6);
	nsl_put16(f + 12, 0x0800);
	ip[0] = 0x45;
	nsl_put16(ip + 2, (unsigned)(20 + tcplen));
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	inet_pton(AF_INET, GUEST_IP, ip + 12);
	inet_pton(AF_INET, HOST_IP, ip + 16);
	nsl_put16(ip + 10, nsl_fold(nsl_sum16(ip, 20, 0)));
	nsl_put16(tcp, sport);
	nsl_put16(tcp + 2, dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (uint8_t)((20 + optlen) / 4 << 4);
	tcp[13] = (uint8_t)flags;
	nsl_put16(tcp + 14, win);
	if (optlen) {
		tcp[20] = 2; /* MSS 1460 */
		tcp[21] = 4;
		nsl_put16(tcp + 22, 1460);
	}
	if (optlen == 8) {
		tcp[24] = 1; /* NOP, window scale */
		tcp[25] = 3;
		tcp[26] = 3;
		tcp[27] = (uint8_t)wscale;
	}
	memset(tcp + 20 + optlen, 'x', payload);
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	nsl_put16(ph + 10, (unsigned)tcplen);
	nsl_put16(tcp + 16, nsl_fold(nsl_sum16(tcp, tcplen, nsl_sum16(ph, 12, 0))));
	slirp_input(w->slirp, f, (int)len);
	free(f);
}

/* ---- frames to the guest, parsed --------------------------------------------- */

struct seg {
	uint32_t seq, ack;
	unsigned flags, win, sport, dport;
	int wscale; /* -1: no option */
	size_t payload;
};

static bool parse(const struct frame *fr, struct seg *s)
{
	const uint8_t *ip = fr->d + 14, *tcp, *o, *end;

	if (fr->len < 54 || nsl_get16(fr->d + 12) != 0x0800 || ip[9] != 6)
		return false;
	tcp = ip + (ip[0] & 0xf) * 4;
	end = tcp + (tcp[12] >> 4) * 4;
	s->sport = nsl_get16(tcp);
	s->dport = nsl_get16(tcp + 2);
	s->seq = get32(tcp + 4);
	s->ack = get32(tcp + 8);
	s->flags = tcp[13];
	s->win = nsl_get16(tcp + 14);
	s->payload = nsl_get16(ip + 2) - (size_t)(end - ip);
	s->wscale = -1;
	for (o = tcp + 20; o < end && *o != 0;) {
		if (*o == 1) {
			o++;
			continue;
		}
		if (o + 1 >= end || o[1] < 2)
			break;
		if (o[0] == 3 && o[1] == 3)
			s->wscale = o[2];
		o += o[1];
	}
	return true;
}

/* The last segment of the flow to guest port gport with all of flags. */
static bool last_seg(struct world *w, unsigned gport, unsigned flags, struct seg *out)
{
	bool found = false;
	struct seg s;

	for (size_t i = 0; i < w->n; i++)
		if (parse(&w->f[i], &s) && s.dport == gport && (s.flags & flags) == flags) {
			*out = s;
			found = true;
		}
	return found;
}

/* ---- host side ----------------------------------------------------------------- */

static int listener(unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* The guest's handshake with a host listener through 10.0.2.2; the
 * SYN-ACK into *synack, the host's end of the connection returned. */
static int handshake(struct world *w, int lfd, unsigned port, unsigned gport, int wscale,
		     struct seg *synack)
{
	int c = -1;

	guest_tcp(w, gport, port, 1000, 0, 0x02, 65535, wscale, 0);
	for (int i = 0; i < 200 && !last_seg(w, gport, 0x12, synack); i++)
		spin(w, 10);
	if (!last_seg(w, gport, 0x12, synack))
		return -1;
	guest_tcp(w, gport, port, 1001, synack->seq + 1, 0x10, 65535, -1, 0);
	spin(w, 0);
	c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	return c;
}

/* Host to guest: the host has plenty to send; the guest acknowledges each
 * segment of a round (libslirp's congestion window grows by one per
 * acknowledgement) with its window at 65535, only once the round is over.
 * The most libslirp sends past the guest's last acknowledgement is what
 * its window lets be in flight. *acked: the guest's last ACK number. */
static size_t in_flight(struct world *w, int c, unsigned sport, unsigned gport, uint32_t *acked)
{
	static char buf[1 << 16];
	size_t most = 0;
	struct seg s;

	memset(buf, 'h', sizeof(buf));
	for (int round = 0; round < 16; round++) {
		uint32_t end = *acked;

		while (send(c, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
			;
		for (int i = 0; i < 10; i++)
			spin(w, 2);
		for (size_t i = 0; i < w->n; i++)
			if (parse(&w->f[i], &s) && s.dport == gport && s.payload &&
			    (int32_t)(s.seq + (uint32_t)s.payload - end) > 0)
				end = s.seq + (uint32_t)s.payload;
		if ((size_t)(end - *acked) > most)
			most = end - *acked;
		size_t seen = w->n;

		for (size_t i = 0; i < seen; i++)
			if (parse(&w->f[i], &s) && s.dport == gport && s.payload)
				guest_tcp(w, gport, sport, 1001, s.seq + (uint32_t)s.payload, 0x10,
					  65535, -1, 0);
		*acked = end;
		frames_drop_first(w, seen); /* what the ACKs released is the next round's */
	}
	return most;
}

int main(void)
{
#ifndef UMLRUN_BUNDLED_LIBSLIRP
	printf("ok 1 - # SKIP configure --with-libslirp=system: that libslirp has no window "
	       "scaling\n1..1\n");
	return 0;
#endif
	struct tap t = { 0 };
	struct world w;
	struct seg sa, s;
	unsigned port;
	int lfd = listener(&port), c;
	size_t flight;
	uint32_t acked;

	if (lfd < 0) {
		perror("test-tcpwin: listener");
		return 1;
	}

	/* 1. A guest that scales its window (shift 7: 65535 means 8 MiB). */
	world_init(&w);
	guest_arp(&w);
	c = handshake(&w, lfd, port, GUEST_PORT, 7, &sa);
	TAP_OK(&t, c >= 0, "a guest SYN through 10.0.2.2 reaches the host listener");
	TAP_OK(&t, sa.wscale >= 0, "libslirp's SYN-ACK carries a window scale (got %d)", sa.wscale);
	TAP_OK(&t, sa.wscale >= 2 && sa.wscale <= 14,
	       "its shift opens a window over 64 KiB, within RFC 7323's 14 (got %d)", sa.wscale);
	TAP_OK(&t, sa.win <= 65535 && sa.win > 0, "the SYN-ACK's own window is unscaled (%u)",
	       sa.win);
	frames_clear(&w);
	acked = sa.seq + 1;
	flight = c >= 0 ? in_flight(&w, c, port, GUEST_PORT, &acked) : 0;
	TAP_OK(
	    &t, flight > 65535,
	    "host to guest: more than 64 KiB in flight into the guest's scaled window (%zu bytes)",
	    flight);
	TAP_OK(&t, flight <= (size_t)65535 << 7, "and no more than the guest's window (%zu bytes)",
	       flight);

	/* guest to host: data from the guest; libslirp's ACK advertises its
	 * window in units of 2^shift */
	frames_clear(&w);
	guest_tcp(&w, GUEST_PORT, port, 1001, acked, 0x18, 65535, -1, 1000);
	for (int i = 0; i < 20; i++)
		spin(&w, 5);
	TAP_OK(&t, last_seg(&w, GUEST_PORT, 0x10, &s) && s.ack == 2001,
	       "libslirp acknowledges the guest's 1000 bytes (ack %u)", s.ack - 1001 + 1000);
	TAP_OK(&t, sa.wscale >= 0 && ((size_t)s.win << sa.wscale) > 65535,
	       "guest to host: libslirp's scaled window is over 64 KiB (%u << %d)", s.win,
	       sa.wscale);
	char sink[4096];
	TAP_OK(&t, c >= 0 && recv(c, sink, sizeof(sink), 0) == 1000,
	       "the host reads the guest's 1000 bytes");
	if (c >= 0)
		close(c);
	world_free(&w);

	/* 2. A guest that does not scale: nor does libslirp (RFC 7323 2.2). */
	world_init(&w);
	guest_arp(&w);
	c = handshake(&w, lfd, port, GUEST_PORT + 1, -1, &sa);
	TAP_OK(&t, c >= 0, "a guest SYN without window scale reaches the host listener");
	TAP_OK(&t, sa.wscale == -1, "libslirp's SYN-ACK carries no window scale (got %d)",
	       sa.wscale);
	frames_clear(&w);
	acked = sa.seq + 1;
	flight = c >= 0 ? in_flight(&w, c, port, GUEST_PORT + 1, &acked) : 0;
	TAP_OK(&t, flight > 0 && flight <= 65535,
	       "host to guest: at most the unscaled 64 KiB in flight (%zu bytes)", flight);
	frames_clear(&w);
	guest_tcp(&w, GUEST_PORT + 1, port, 1001, acked, 0x18, 65535, -1, 1000);
	for (int i = 0; i < 20; i++)
		spin(&w, 5);
	TAP_OK(&t, last_seg(&w, GUEST_PORT + 1, 0x10, &s) && s.win <= 65535 && s.ack == 2001,
	       "guest to host: libslirp's window is the unscaled field (%u)", s.win);
	if (c >= 0)
		close(c);
	world_free(&w);

	/* 3. A port forward: libslirp opens the connection, its SYN asks. */
	{
		struct in_addr any = { htonl(INADDR_LOOPBACK) }, guest;
		unsigned fport;
		int probe = listener(&fport), cl;
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = any };

		close(probe); /* a free port, most likely still free below */
		world_init(&w);
		guest_arp(&w);
		inet_pton(AF_INET, GUEST_IP, &guest);
		TAP_OK(&t, slirp_add_hostfwd(w.slirp, 0, any, (int)fport, guest, 80) == 0,
		       "a host forward 127.0.0.1:%u -> guest:80", fport);
		a.sin_port = htons((uint16_t)fport);
		cl = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		connect(cl, (struct sockaddr *)&a, sizeof(a));
		for (int i = 0; i < 100; i++) {
			spin(&w, 10);
			bool syn = false;
			for (size_t k = 0; k < w.n; k++)
				if (parse(&w.f[k], &s) && s.flags == 0x02 && s.dport == 80) {
					syn = true;
					break;
				}
			if (syn)
				break;
		}
		bool seen = false;
		for (size_t k = 0; k < w.n && !seen; k++)
			seen = parse(&w.f[k], &s) && s.flags == 0x02 && s.dport == 80;
		TAP_OK(&t, seen, "the host's connect makes libslirp send the guest a SYN");
		TAP_OK(&t, seen && s.wscale >= 2 && s.wscale <= 14,
		       "the forward's SYN asks for a window scale (got %d)", seen ? s.wscale : -2);
		close(cl);
		world_free(&w);
	}
	close(lfd);
	return tap_done(&t);
}
