/* engine.c: netslirp's libslirp glue: the instance and its addresses, the
 * port forwards, the callbacks (frames to the guest, timers, clock, poll
 * set), the guest-bound frame queue and the guest's frame input, which is
 * what a hostile guest controls and what tests/fuzz/fuzz-netslirp.c drives.
 * No globals: everything lives in struct nsl. */
#define _GNU_SOURCE
#include "netslirp.h"

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

/* ---- frames to the guest ------------------------------------------------ */

static void txq_drop_all(struct nsl *n)
{
	while (n->txq_head) {
		struct nsl_txf *f = n->txq_head;

		n->txq_head = f->next;
		free(f);
	}
	n->txq_tail = NULL;
	n->txq_bytes = 0;
}

/* 1 sent, 0 the link is full, -1 the link failed. */
static int link_send(int fd, const void *buf, size_t len)
{
	ssize_t r;

	do
		r = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r >= 0)
		return 1;
	if (errno == EAGAIN || errno == ENOBUFS)
		return 0;
	return -1;
}

void nsl_link_flush(struct nsl *n)
{
	while (n->txq_head && n->link_fd >= 0) {
		struct nsl_txf *f = n->txq_head;
		int r = link_send(n->link_fd, f->data, f->len);

		if (r == 0)
			return;
		if (r < 0) { /* the guest went away: it reconnects on "up" */
			close(n->link_fd);
			n->link_fd = -1;
			txq_drop_all(n);
			return;
		}
		n->tx_frames++;
		n->txq_head = f->next;
		if (n->txq_head == NULL)
			n->txq_tail = NULL;
		n->txq_bytes -= f->len;
		free(f);
	}
}

static void txq_push(struct nsl *n, const void *buf, size_t len)
{
	struct nsl_txf *f;

	if (n->txq_bytes + len > NSL_TXQ_MAX_BYTES) {
		n->tx_dropped++;
		return;
	}
	f = malloc(sizeof(*f) + len);
	if (f == NULL) {
		n->tx_dropped++;
		return;
	}
	f->next = NULL;
	f->len = len;
	memcpy(f->data, buf, len);
	if (n->txq_tail)
		n->txq_tail->next = f;
	else
		n->txq_head = f;
	n->txq_tail = f;
	n->txq_bytes += len;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct nsl *n = opaque;
	int r;

	if (n->link_fd < 0) { /* the NIC is down: the frame is lost, as on a wire */
		n->tx_dropped++;
		return (ssize_t)len;
	}
	if (n->txq_head == NULL) {
		r = link_send(n->link_fd, buf, len);
		if (r > 0) {
			n->tx_frames++;
			return (ssize_t)len;
		}
		if (r < 0) {
			close(n->link_fd);
			n->link_fd = -1;
			n->tx_dropped++;
			return (ssize_t)len;
		}
	}
	txq_push(n, buf, len); /* keeps the order behind frames already queued */
	return (ssize_t)len;
}

void nsl_link_set(struct nsl *n, int fd)
{
	if (n->link_fd >= 0)
		close(n->link_fd);
	txq_drop_all(n);
	n->link_fd = fd;
}

/* ---- frames from the guest ---------------------------------------------- */

void nsl_frame_in(struct nsl *n, const uint8_t *frame, size_t len)
{
	/* An Ethernet header, and no more than the MTU allows (plus a VLAN
	 * tag). libslirp checks the rest; the fuzz target holds it to that. */
	if (len < NSL_ETH_HLEN || len > (size_t)n->opts.mtu + NSL_ETH_HLEN + 4) {
		n->rx_dropped++;
		return;
	}
	/* IPv4 fragments: libslirp 4.7's reassembly (ip_reass) crashes on
	 * malformed ones (found by tests/fuzz/fuzz-netslirp.c: a fragment at
	 * offset 8 of an ICMP echo). The guest's TCP never fragments (path MTU
	 * discovery); what is lost is UDP datagrams above the MTU. */
	if (len >= NSL_ETH_HLEN + 20 && frame[12] == 0x08 && frame[13] == 0x00 &&
	    ((frame[NSL_ETH_HLEN + 6] << 8 | frame[NSL_ETH_HLEN + 7]) & 0x3fff) != 0) {
		n->rx_dropped++;
		return;
	}
	n->rx_frames++;
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

static short to_poll(int ev)
{
	short p = 0;

	p |= (ev & SLIRP_POLL_IN) ? POLLIN : 0;
	p |= (ev & SLIRP_POLL_OUT) ? POLLOUT : 0;
	p |= (ev & SLIRP_POLL_PRI) ? POLLPRI : 0;
	p |= (ev & SLIRP_POLL_ERR) ? POLLERR : 0;
	p |= (ev & SLIRP_POLL_HUP) ? POLLHUP : 0;
	return p;
}

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
	return nsl_poll_add(opaque, fd, to_poll(events));
}

static int cb_get_revents(int idx, void *opaque)
{
	struct nsl *n = opaque;
	short r;
	int ev = 0;

	if (idx < 0 || (size_t)idx >= n->n_pfd)
		return 0;
	r = n->pfd[idx].revents;
	ev |= (r & POLLIN) ? SLIRP_POLL_IN : 0;
	ev |= (r & POLLOUT) ? SLIRP_POLL_OUT : 0;
	ev |= (r & POLLPRI) ? SLIRP_POLL_PRI : 0;
	ev |= (r & POLLERR) ? SLIRP_POLL_ERR : 0;
	ev |= (r & POLLHUP) ? SLIRP_POLL_HUP : 0;
	return ev;
}

int nsl_poll_prepare(struct nsl *n, int timeout_ms)
{
	uint32_t t = timeout_ms < 0 ? UINT32_MAX : (uint32_t)timeout_ms;
	int64_t now = nsl_now_ms();

	n->n_pfd = 0;
	slirp_pollfds_fill(n->slirp, &t, cb_add_poll, n);
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
	cfg.if_mtu = o->mtu;
	cfg.if_mru = o->mtu;
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
		if (slirp_add_hostfwd(n->slirp, f->udp, f->host_addr, f->host_port, guest,
				      f->guest_port) < 0) {
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
	if (n->link_fd >= 0)
		close(n->link_fd);
	n->link_fd = -1;
	txq_drop_all(n);
	free(n->pfd);
	n->pfd = NULL;
	n->n_pfd = n->cap_pfd = 0;
}
