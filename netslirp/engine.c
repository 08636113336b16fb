/* engine.c: netslirp's libslirp glue: the instance and its addresses, the
 * port forwards, the callbacks (frames to the guest, timers, clock, poll
 * set), the guest-bound frame ring (sent in bursts, pure ACKs merged), the
 * receive offload (frames over the guest's MTU) and the guest's frame
 * input (its IPv4 fragments reassembled by reass.c), which is what a
 * hostile guest controls and what tests/fuzz/fuzz-netslirp.c drives. No
 * globals: everything lives in struct nsl. */
#define _GNU_SOURCE
#include "netslirp.h"
#include "pollev.h"

#include "dstfilter.h"
#include "udpfwd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t nsl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- receive offload ----------------------------------------------------------- */

/* With --offload the guest's NIC takes frames of up to 64 KiB whatever its
 * MTU (UML's vector gro=1), and libslirp sends it TCP segments of up to
 * NSL_SLIRP_MTU: host to guest, the guest handles one frame where it had 22
 * of 1500 bytes, and does a fraction of the work per byte; its own frames
 * stay within its MTU. libslirp sizes a connection's segments by its own
 * MTU (NSL_SLIRP_MTU then) and the MSS option of the guest's SYN or
 * SYN-ACK: so those get NSL_OFFLOAD_MSS. A guest that forwards an IPv4
 * frame over its MTU to a smaller one fragments it (clear_df); an IPv6 one
 * it drops (umlrun(8): such a guest wants the offload off). */

/* A 16-bit word of a header covered by the checksum at sum changes from
 * old to new (RFC 1624). */
static void csum_replace(uint8_t *sum, unsigned old, unsigned new)
{
	unsigned s = (~((unsigned)sum[0] << 8 | sum[1]) & 0xffff) + (~old & 0xffff) + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	sum[0] = (uint8_t)(~s >> 8);
	sum[1] = (uint8_t)~s;
}

/* The TCP header of an unfragmented IPv4 TCP SYN, or of an IPv6 one
 * without extension headers: its offset, or 0. */
static size_t tcp_syn(const uint8_t *f, size_t len)
{
	size_t ip = NSL_ETH_HLEN, tcp;

	if (len >= ip + 40 && f[12] == 0x08 && f[13] == 0x00 && (f[ip] >> 4) == 4 &&
	    (f[ip] & 0xf) >= 5 && f[ip + 9] == 6 && (f[ip + 6] & 0x3f) == 0 && f[ip + 7] == 0)
		tcp = ip + (size_t)(f[ip] & 0xf) * 4;
	else if (len >= ip + 60 && f[12] == 0x86 && f[13] == 0xdd && (f[ip] >> 4) == 6 &&
		 f[ip + 6] == 6)
		tcp = ip + 40;
	else
		return 0;
	return tcp + 20 <= len && (f[tcp + 13] & 0x02) ? tcp : 0;
}

/* The value of a TCP SYN's MSS option: its offset (even from the TCP
 * header: one checksum word), or 0. */
static size_t syn_mss_offset(const uint8_t *f, size_t len, size_t tcp)
{
	size_t end = tcp + (size_t)(f[tcp + 12] >> 4) * 4, o;

	if (end > len)
		return 0;
	for (o = tcp + 20; o < end && f[o] != 0 /* EOL */;) {
		if (f[o] == 1) { /* NOP */
			o++;
			continue;
		}
		if (o + 1 >= end || f[o + 1] < 2 || o + f[o + 1] > end)
			return 0;
		if (f[o] == 2 && f[o + 1] == 4)
			return (o + 2 - tcp) % 2 == 0 ? o + 2 : 0;
		o += f[o + 1];
	}
	return 0;
}

/* A TCP SYN's MSS option becomes mss, and its checksum follows (the
 * pseudo-header does not hold it); anything else, or what does not parse,
 * stays as it is. */
static void syn_mss(uint8_t *f, size_t len, unsigned mss)
{
	size_t tcp = tcp_syn(f, len), o = tcp ? syn_mss_offset(f, len, tcp) : 0;
	unsigned old;

	if (o == 0)
		return;
	old = (unsigned)f[o] << 8 | f[o + 1];
	f[o] = (uint8_t)(mss >> 8);
	f[o + 1] = (uint8_t)mss;
	csum_replace(f + tcp + 16, old, mss);
}

/* An IPv4 frame over the guest's MTU reaches it whole; should the guest
 * forward it to a smaller MTU, it fragments it: DF goes. */
static void clear_df(const struct nsl *n, uint8_t *f, size_t len)
{
	size_t ip = NSL_ETH_HLEN;
	unsigned old;

	if (len <= (size_t)n->opts.mtu + NSL_ETH_HLEN || len < ip + 20 || f[12] != 0x08 ||
	    f[13] != 0x00 || !(f[ip + 6] & 0x40))
		return;
	old = (unsigned)f[ip + 6] << 8 | f[ip + 7];
	f[ip + 6] &= (uint8_t)~0x40;
	csum_replace(f + ip + 10, old, old & ~0x4000u);
}

/* ---- frames to the guest ------------------------------------------------ */

/* libslirp hands over one frame at a time; they wait in a ring and go to
 * the link NSL_TX_BATCH to a sendmmsg, once that many wait or when the loop
 * is about to sleep: the guest's NIC takes a burst per interrupt (its GRO
 * merges it), and pure ACKs waiting together can merge (txq_merge_ack). */

static void txq_pop(struct nsl *n)
{
	struct nsl_txf *f = n->txq[n->txq_head];

	n->txq[n->txq_head] = NULL;
	n->txq_head = (n->txq_head + 1) % NSL_TXQ_MAX_FRAMES;
	n->txq_n--;
	n->txq_bytes -= f->len;
	free(f);
}

static void txq_drop_all(struct nsl *n)
{
	while (n->txq_n)
		txq_pop(n);
	n->txq_head = 0;
}

static struct nsl_txf *txq_at(const struct nsl *n, size_t i)
{
	return n->txq[(n->txq_head + i) % NSL_TXQ_MAX_FRAMES];
}

static void link_fail(struct nsl *n)
{
	close(n->link_fd);
	n->link_fd = -1;
	txq_drop_all(n);
}

void nsl_link_flush(struct nsl *n)
{
	struct mmsghdr msg[NSL_TX_BATCH];
	struct iovec iov[NSL_TX_BATCH];

	while (n->txq_n && n->link_fd >= 0) {
		size_t k = n->txq_n < NSL_TX_BATCH ? n->txq_n : NSL_TX_BATCH;
		int r;

		for (size_t i = 0; i < k; i++) {
			struct nsl_txf *f = txq_at(n, i);

			iov[i] = (struct iovec){ f->data, f->len };
			msg[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		r = sendmmsg(n->link_fd, msg, (unsigned)k, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == ENOBUFS))
			return; /* the link is full: POLLOUT */
		if (r < 0) { /* the guest went away: it reconnects on "up" */
			link_fail(n);
			return;
		}
		for (int i = 0; i < r; i++) {
			n->tx_frames++;
			n->tx_bytes += txq_at(n, 0)->len;
			txq_pop(n);
		}
		if ((size_t)r < k)
			return;
	}
}

/* The TCP flow of a frame (addresses and ports) into f->flow, and whether
 * it is a pure ACK (ACK alone, no data): libslirp's own frames, parsed as
 * carefully as the guest's. Leaves f->flow_len 0 for anything else. */
static void tx_classify(const uint8_t *d, size_t len, struct nsl_txf *f)
{
	size_t ip = NSL_ETH_HLEN, tcp, payload, addr, alen;

	f->len = len;
	f->flow_len = 0;
	f->pure_ack = false;
	if (len >= ip + 40 && d[12] == 0x08 && d[13] == 0x00 && (d[ip] >> 4) == 4 &&
	    d[ip + 9] == 6) {
		tcp = ip + (size_t)(d[ip] & 0xf) * 4;
		payload = (size_t)(d[ip + 2] << 8 | d[ip + 3]);
		if (tcp < ip + 20 || payload < tcp - ip || ip + payload > len)
			return;
		payload -= tcp - ip;
		addr = ip + 12;
		alen = 8;
	} else if (len >= ip + 60 && d[12] == 0x86 && d[13] == 0xdd && (d[ip] >> 4) == 6 &&
		   d[ip + 6] == 6) {
		tcp = ip + 40;
		payload = (size_t)(d[ip + 4] << 8 | d[ip + 5]);
		if (tcp + payload > len)
			return;
		addr = ip + 8;
		alen = 32;
	} else {
		return;
	}
	if (tcp + 20 > len || payload < (size_t)(d[tcp + 12] >> 4) * 4)
		return;
	memcpy(f->flow, d + addr, alen);
	memcpy(f->flow + alen, d + tcp, 4);
	f->flow_len = (uint8_t)(alen + 4);
	f->pure_ack = d[tcp + 13] == 0x10 && payload == (size_t)(d[tcp + 12] >> 4) * 4;
	f->ack = (uint32_t)d[tcp + 8] << 24 | (uint32_t)d[tcp + 9] << 16 |
		 (uint32_t)d[tcp + 10] << 8 | d[tcp + 11];
}

/* libslirp acknowledges every segment from the guest at once. A pure ACK
 * whose flow's latest waiting frame is a pure ACK of the same size with a
 * lower number takes that frame's place: a newer cumulative ACK says all
 * it said. Duplicate ACKs (the same number: they signal loss) all go, and
 * an ACK never passes a frame of its flow that carries more. Returns
 * whether f was merged (and so is free to reuse). */
static bool txq_merge_ack(struct nsl *n, const struct nsl_txf *f, const uint8_t *d)
{
	if (!f->pure_ack)
		return false;
	for (size_t i = n->txq_n; i-- > 0 && n->txq_n - i <= NSL_ACK_MERGE_SCAN;) {
		struct nsl_txf *o = txq_at(n, i);

		if (o->flow_len != f->flow_len || memcmp(o->flow, f->flow, f->flow_len) != 0)
			continue;
		if (!o->pure_ack || o->len != f->len || (int32_t)(f->ack - o->ack) <= 0)
			return false;
		memcpy(o->data, d, f->len);
		o->ack = f->ack;
		n->tx_merged++;
		return true;
	}
	return false;
}

static void txq_push(struct nsl *n, const uint8_t *buf, size_t len)
{
	struct nsl_txf meta, *f;

	tx_classify(buf, len, &meta);
	if (txq_merge_ack(n, &meta, buf))
		return;
	if (n->txq_n == NSL_TXQ_MAX_FRAMES || n->txq_bytes + len > NSL_TXQ_MAX_BYTES ||
	    (f = malloc(sizeof(*f) + len)) == NULL) {
		n->tx_dropped++;
		return;
	}
	*f = meta;
	memcpy(f->data, buf, len);
	if (n->opts.offload)
		clear_df(n, f->data, len);
	n->txq[(n->txq_head + n->txq_n) % NSL_TXQ_MAX_FRAMES] = f;
	n->txq_n++;
	n->txq_bytes += len;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct nsl *n = opaque;

	if (n->link_fd < 0) /* the NIC is down: the frame is lost, as on a wire */
		n->tx_dropped++;
	else
		txq_push(n, buf, len);
	if (n->txq_n >= NSL_TX_BATCH) /* a burst of data: the guest starts on it */
		nsl_link_flush(n);
	return (ssize_t)len;
}

void nsl_tx_frame(struct nsl *n, const uint8_t *frame, size_t len)
{
	cb_send_packet(frame, len, n);
}

void nsl_link_set(struct nsl *n, int fd)
{
	if (n->link_fd >= 0)
		close(n->link_fd);
	txq_drop_all(n);
	n->link_fd = fd;
}

/* ---- frames from the guest ---------------------------------------------- */

void nsl_frame_in(struct nsl *n, uint8_t *frame, size_t len)
{
	/* An Ethernet header, and no more than the MTU allows (plus a VLAN
	 * tag). libslirp checks the rest; the fuzz target holds it to that.
	 * Every frame the guest sent counts in its bytes, kept or not. */
	n->rx_bytes += len;
	if (len < NSL_ETH_HLEN || len > (size_t)n->opts.mtu + NSL_ETH_HLEN + 4) {
		n->rx_dropped++;
		return;
	}
	/* IPv4 fragments (a UDP datagram over the guest's MTU) never reach
	 * libslirp: 4.7's reassembly (ip_reass) crashes on malformed ones
	 * (found by tests/fuzz/fuzz-netslirp.c: a fragment at offset 8 of an
	 * ICMP echo). Ours (reass.c) holds them until their datagram is
	 * complete, then hands libslirp that as one frame (over the MTU: it
	 * takes any size), which counts as one; each fragment given up counts
	 * as dropped. */
	if (nsl_reass_is_fragment(frame, len)) {
		len = nsl_reass_in(&n->reass, frame, len, nsl_now_ms(), &frame, &n->rx_dropped);
		if (len == 0)
			return;
	}
	if (nsl_dst_forbidden(frame, len)) { /* the host's loopback, whatever the address */
		n->rx_dropped++;
		return;
	}
	n->rx_frames++;
	if (nsl_udpfwd_frame_in(n, frame, len)) /* a reply to a UDP forward's client */
		return;
	if (n->opts.offload)
		syn_mss(frame, len, NSL_OFFLOAD_MSS);
	slirp_input(n->slirp, frame, (int)len);
}

/* ---- timers, clock, poll set ----------------------------------------------- */

static int64_t cb_clock_get_ns(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct nsl *n = opaque;

	for (size_t i = 0; i < NSL_MAX_TIMERS; i++) {
		struct nsl_timer *t = &n->timers[i];

		if (!t->used) {
			*t = (struct nsl_timer){ .used = true, .id = id, .cb_opaque = cb_opaque };
			return t;
		}
	}
	return NULL; /* libslirp makes one or two; it copes with NULL */
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct nsl_timer *t = timer;

	(void)opaque;
	if (t)
		*t = (struct nsl_timer){ 0 };
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct nsl_timer *t = timer;

	(void)opaque;
	if (t) {
		t->armed = true;
		t->expire_ms = expire_ms;
	}
}

/* The deprecated form: never used with version >= 4 configs. */
static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	(void)cb;
	(void)cb_opaque;
	(void)opaque;
	return NULL;
}

void nsl_timers_run(struct nsl *n)
{
	int64_t now = nsl_now_ms();

	for (size_t i = 0; i < NSL_MAX_TIMERS; i++) {
		struct nsl_timer *t = &n->timers[i];

		if (t->used && t->armed && t->expire_ms <= now) {
			t->armed = false;
			slirp_handle_timer(n->slirp, t->id, t->cb_opaque);
		}
	}
}

static void cb_guest_error(const char *msg, void *opaque)
{
	struct nsl *n = opaque;

	n->rx_dropped++;
	(void)msg; /* a hostile guest must not be able to flood a log */
}

static void cb_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void cb_notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_unregister_poll_fd,
	.notify = cb_notify,
	.timer_new_opaque = cb_timer_new_opaque,
};

int nsl_poll_add(struct nsl *n, int fd, short events)
{
	if (n->n_pfd == n->cap_pfd) {
		size_t cap = n->cap_pfd ? n->cap_pfd * 2 : 64;
		struct pollfd *p = realloc(n->pfd, cap * sizeof(*p));

		if (p == NULL)
			return -1; /* that socket sits this round out */
		n->pfd = p;
		n->cap_pfd = cap;
	}
	n->pfd[n->n_pfd] = (struct pollfd){ .fd = fd, .events = events };
	return (int)n->n_pfd++;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
	return nsl_poll_add(opaque, fd, nsl_to_poll(events));
}

static int cb_get_revents(int idx, void *opaque)
{
	struct nsl *n = opaque;

	if (idx < 0 || (size_t)idx >= n->n_pfd)
		return 0;
	return nsl_from_poll(n->pfd[idx].revents);
}

int nsl_poll_prepare(struct nsl *n, int timeout_ms)
{
	uint32_t t = timeout_ms < 0 ? UINT32_MAX : (uint32_t)timeout_ms;
	int64_t now = nsl_now_ms();

	n->n_pfd = 0;
	slirp_pollfds_fill(n->slirp, &t, cb_add_poll, n);
	nsl_udpfwd_poll_add(n);
	for (size_t i = 0; i < NSL_MAX_TIMERS; i++) {
		const struct nsl_timer *tm = &n->timers[i];

		if (tm->used && tm->armed) {
			int64_t d = tm->expire_ms - now;

			if (d < 0)
				d = 0;
			if ((uint64_t)d < t)
				t = (uint32_t)d;
		}
	}
	return t > 60000 ? 60000 : (int)t;
}

void nsl_poll_done(struct nsl *n, bool poll_failed)
{
	slirp_pollfds_poll(n->slirp, poll_failed ? 1 : 0, cb_get_revents, n);
	nsl_udpfwd_poll_done(n);
}

/* ---- the instance ---------------------------------------------------------- */

static void set_in4(struct in_addr *a, const char *s)
{
	inet_pton(AF_INET, s, a);
}

static void set_in6(struct in6_addr *a, const char *s)
{
	inet_pton(AF_INET6, s, a);
}

int nsl_init(struct nsl *n, const struct nsl_opts *o, char *msg, size_t msg_cap)
{
	SlirpConfig cfg = { 0 };
	struct in_addr guest;

	memset(n, 0, sizeof(*n));
	n->link_fd = -1;
	n->opts = *o;
	if (o->mtu < NSL_MIN_MTU || o->mtu > NSL_MAX_MTU) {
		snprintf(msg, msg_cap, "mtu %u: must be %u-%u", o->mtu, NSL_MIN_MTU, NSL_MAX_MTU);
		return -1;
	}
	n->txq = calloc(NSL_TXQ_MAX_FRAMES, sizeof(*n->txq));
	if (n->txq == NULL) {
		snprintf(msg, msg_cap, "out of memory");
		return -1;
	}
	cfg.version = 4;
	cfg.restricted = o->restricted;
	cfg.in_enabled = true;
	set_in4(&cfg.vnetwork, "10.0.2.0");
	set_in4(&cfg.vnetmask, "255.255.255.0");
	set_in4(&cfg.vhost, "10.0.2.2");
	set_in4(&cfg.vdhcp_start, "10.0.2.15");
	set_in4(&cfg.vnameserver, "10.0.2.3");
	cfg.in6_enabled = o->ipv6;
	set_in6(&cfg.vprefix_addr6, "fd00::");
	cfg.vprefix_len = 64;
	set_in6(&cfg.vhost6, "fd00::2");
	set_in6(&cfg.vnameserver6, "fd00::3");
	cfg.vhostname = "umlrun";
	/* libslirp sizes its TCP segments, both ways, by its own MTU. Without
	 * window scaling (the system's libslirp: 64 KiB in flight) one segment
	 * at MTU 65520 filled the window, and each waited for the other side's
	 * ACK of the last. At NSL_SLIRP_MTU several are in flight, and the
	 * guest acknowledges one while the next arrives (bench/net).
	 * --offload: segments to the guest over its MTU (the guest's own
	 * frames are still held to o->mtu, nsl_frame_in). */
	cfg.if_mtu = o->offload || o->mtu > NSL_SLIRP_MTU ? NSL_SLIRP_MTU : o->mtu;
	cfg.if_mru = cfg.if_mtu;
	cfg.disable_host_loopback = !o->host_loopback;
	cfg.enable_emu = false;
	n->slirp = slirp_new(&cfg, &callbacks, n);
	if (n->slirp == NULL) {
		snprintf(msg, msg_cap, "libslirp: slirp_new failed");
		return -1;
	}
	set_in4(&guest, "10.0.2.15");
	for (size_t i = 0; i < o->n_fwd; i++) {
		const struct nsl_forward *f = &o->fwd[i];

		errno = 0;
		if ((f->udp ? nsl_udpfwd_add(n, f) /* udpfwd.c, not libslirp's */
			    : slirp_add_hostfwd(n->slirp, false, f->host_addr, f->host_port, guest,
						f->guest_port)) < 0) {
			char host[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &f->host_addr, host, sizeof(host));
			snprintf(msg, msg_cap, "port forward %s:%u -> %u/%s: cannot listen on the host%s%s",
				 host, f->host_port, f->guest_port, f->udp ? "udp" : "tcp",
				 errno ? ": " : "", errno ? strerror(errno) : "");
			nsl_fini(n);
			return -1;
		}
	}
	return 0;
}

void nsl_fini(struct nsl *n)
{
	if (n->slirp)
		slirp_cleanup(n->slirp);
	n->slirp = NULL;
	nsl_udpfwd_fini(n);
	if (n->link_fd >= 0)
		close(n->link_fd);
	n->link_fd = -1;
	if (n->txq)
		txq_drop_all(n);
	free(n->txq);
	n->txq = NULL;
	free(n->pfd);
	n->pfd = NULL;
	n->n_pfd = n->cap_pfd = 0;
	nsl_reass_fini(&n->reass);
}
