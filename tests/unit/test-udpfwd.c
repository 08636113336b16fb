/* test-udpfwd.c: unit tests of netslirp's UDP forwards (netslirp/udpfwd.c),
 * with real sockets on the host's loopback and a stand-in for the rest of
 * netslirp (the guest's link, the poll set, the clock): the frames built
 * for the guest (addresses, ports, checksums, fragments, its MAC address),
 * the replies taken from the guest (only the exact reverse of a flow; lying
 * lengths, fragments, bad checksums and every other destination left to
 * libslirp), several clients and forwards, expiry and LRU eviction. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../netslirp/udpfwd.h"
#include "tap.h"

#define GUEST_PORT 5353
#define MAX_FRAMES 16

/* ---- the rest of netslirp, stood in for ------------------------------------ */

static struct {
	uint8_t *f;
	size_t len;
} frames[MAX_FRAMES];
static size_t n_frames;
static int64_t now_ms = 1000000;

void nsl_tx_frame(struct nsl *n, const uint8_t *frame, size_t len)
{
	(void)n;
	if (n_frames == MAX_FRAMES)
		return;
	frames[n_frames].f = malloc(len);
	memcpy(frames[n_frames].f, frame, len);
	frames[n_frames++].len = len;
}

int nsl_poll_add(struct nsl *n, int fd, short events)
{
	if (n->n_pfd == n->cap_pfd) {
		n->cap_pfd = n->cap_pfd ? n->cap_pfd * 2 : 8;
		n->pfd = realloc(n->pfd, n->cap_pfd * sizeof(*n->pfd));
	}
	n->pfd[n->n_pfd] = (struct pollfd){ .fd = fd, .events = events };
	return (int)n->n_pfd++;
}

int64_t nsl_now_ms(void)
{
	return now_ms;
}

static void frames_clear(void)
{
	for (size_t i = 0; i < n_frames; i++)
		free(frames[i].f);
	n_frames = 0;
}

/* ---- helpers ----------------------------------------------------------------- */

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned csum(const uint8_t *p, size_t len, unsigned long s)
{
	for (; len > 1; p += 2, len -= 2)
		s += get16(p);
	if (len)
		s += (unsigned)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

static unsigned udp_csum(const uint8_t *addrs, const uint8_t *udp, size_t ulen)
{
	unsigned long s = 17 + ulen;

	for (int i = 0; i < 8; i += 2)
		s += get16(addrs + i);
	return csum(udp, ulen, s);
}

/* A UDP socket on addr, port 0; its port in *port. */
static int udp_socket(const char *addr, unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, addr, &a.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		perror("udp_socket");
		exit(1);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static unsigned fwd_port(const struct nsl *n, size_t i)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	getsockname(n->udpfwd->fwd[i].fd, (struct sockaddr *)&a, &len);
	return ntohs(a.sin_port);
}

/* fd sends len bytes to 127.0.0.1:port, and netslirp takes them (one poll
 * round); returns how many frames went to the guest. */
static size_t send_in(struct nsl *n, int fd, unsigned port, const void *data, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	frames_clear();
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (sendto(fd, data, len, 0, (struct sockaddr *)&a, sizeof(a)) != (ssize_t)len)
		perror("sendto");
	n->n_pfd = 0;
	nsl_udpfwd_poll_add(n);
	poll(n->pfd, n->n_pfd, 5000);
	nsl_udpfwd_poll_done(n);
	return n_frames;
}

/* What a frame for the guest says, once it checked out. */
struct seen {
	uint8_t dmac[6];
	char src[INET_ADDRSTRLEN];
	unsigned sport, dport;
	const uint8_t *data;
	size_t len;
};

/* Whether frame i is a whole, valid IPv4 UDP datagram from the gateway's
 * MAC to 10.0.2.15: checksums, lengths; into *s. */
static bool frame_ok(size_t i, struct seen *s)
{
	const uint8_t *f = frames[i].f, *ip = f + 14, *udp = ip + 20;
	static const uint8_t gw[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

	if (frames[i].len < 42 || get16(f + 12) != 0x0800 || memcmp(f + 6, gw, 6) != 0 ||
	    ip[0] != 0x45 || get16(ip + 2) != frames[i].len - 14 || (get16(ip + 6) & 0x3fff) ||
	    ip[9] != 17 || csum(ip, 20, 0) != 0 || memcmp(ip + 16, "\x0a\x00\x02\x0f", 4) != 0 ||
	    get16(udp + 4) != frames[i].len - 34 || get16(udp + 6) == 0 ||
	    udp_csum(ip + 12, udp, get16(udp + 4)) != 0)
		return false;
	memcpy(s->dmac, f, 6);
	inet_ntop(AF_INET, ip + 12, s->src, sizeof(s->src));
	s->sport = get16(udp);
	s->dport = get16(udp + 2);
	s->data = udp + 8;
	s->len = frames[i].len - 42;
	return true;
}

/* The guest's datagram from 10.0.2.15:sport to dst:dport, as a frame in f;
 * returns its length. */
static size_t guest_frame(uint8_t *f, unsigned sport, const char *dst, unsigned dport,
			  const char *text)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	size_t len = strlen(text);

	memset(f, 0, 42);
	memcpy(f, "\x52\x55\x0a\x00\x02\x02\x02\x00\x00\x00\x00\x01", 12);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)(28 + len));
	ip[8] = 64;
	ip[9] = 17;
	inet_pton(AF_INET, "10.0.2.15", ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	put16(ip + 10, csum(ip, 20, 0));
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (unsigned)(8 + len));
	memcpy(udp + 8, text, len);
	put16(udp + 6, udp_csum(ip + 12, udp, 8 + len));
	return 42 + len;
}

/* The IPv4 header checksum of f, after a change to its header. */
static void ip_resum(uint8_t *f)
{
	put16(f + 24, 0);
	put16(f + 24, csum(f + 14, (size_t)(f[14] & 0xf) * 4, 0));
}

/* What fd received (nothing: -1), and from which port. */
static ssize_t got(int fd, char *buf, size_t cap, unsigned *from_port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	ssize_t r = recvfrom(fd, buf, cap - 1, MSG_DONTWAIT, (struct sockaddr *)&a, &len);

	if (r >= 0) {
		buf[r] = '\0';
		if (from_port)
			*from_port = ntohs(a.sin_port);
	}
	return r;
}

/* Whether the guest's reply of text to dst:dport from sport is taken and
 * reaches fd (exactly, from 127.0.0.1:want_from). */
static bool reply_reaches(struct nsl *n, int fd, unsigned sport, const char *dst, unsigned dport,
			  const char *text, unsigned want_from)
{
	uint8_t f[2048];
	char buf[2048];
	unsigned from = 0;
	size_t len = guest_frame(f, sport, dst, dport, text);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (!nsl_udpfwd_frame_in(n, f, len))
		return false;
	poll(&p, 1, 5000);
	return got(fd, buf, sizeof(buf), &from) == (ssize_t)strlen(text) && strcmp(buf, text) == 0 &&
	       from == want_from;
}

static struct nsl fresh(bool offload, unsigned mtu)
{
	return (struct nsl){ .link_fd = -1, .opts = { .mtu = mtu, .offload = offload } };
}

static void add_forward(struct tap *t, struct nsl *n, const char *addr, unsigned guest_port)
{
	struct nsl_forward f = { .udp = true, .guest_port = (uint16_t)guest_port };

	inet_pton(AF_INET, addr, &f.host_addr);
	TAP_OK(t, nsl_udpfwd_add(n, &f) == 0, "forward %s:0 -> %u/udp opens", addr, guest_port);
}

static void fini(struct nsl *n)
{
	nsl_udpfwd_fini(n);
	free(n->pfd);
	frames_clear();
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_to_guest_and_back(struct tap *t)
{
	struct nsl n = fresh(true, 1500);
	struct seen s;
	unsigned cport, fport;
	int c;
	uint8_t arp[42] = { 0 };

	add_forward(t, &n, "127.0.0.1", GUEST_PORT);
	fport = fwd_port(&n, 0);
	c = udp_socket("127.0.0.1", &cport);
	TAP_OK(t, send_in(&n, c, fport, "hello", 5) == 1 && frame_ok(0, &s),
	       "a loopback client's datagram reaches the guest as one valid frame");
	TAP_OK(t, strcmp(s.src, "10.0.2.2") == 0 && s.sport == cport && s.dport == GUEST_PORT,
	       "from the gateway and the client's port (%s:%u), to the guest port (%u)", s.src,
	       s.sport, s.dport);
	TAP_OK(t, s.len == 5 && memcmp(s.data, "hello", 5) == 0, "the payload as sent");
	TAP_OK(t, memcmp(s.dmac, "\xff\xff\xff\xff\xff\xff", 6) == 0,
	       "to the broadcast MAC while the guest's is unknown");

	/* the guest's ARP request (sender 10.0.2.15) tells its MAC */
	memcpy(arp, "\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x07\x08\x06", 14);
	inet_pton(AF_INET, "10.0.2.15", arp + 14 + 14);
	TAP_OK(t, !nsl_udpfwd_frame_in(&n, arp, sizeof(arp)), "an ARP frame goes on to libslirp");
	TAP_OK(t, send_in(&n, c, fport, "again", 5) == 1 && frame_ok(0, &s) &&
			  memcmp(s.dmac, "\x02\x00\x00\x00\x00\x07", 6) == 0 &&
			  s.sport == cport,
	       "then to the guest's MAC, the same flow");

	TAP_OK(t, reply_reaches(&n, c, GUEST_PORT, "10.0.2.2", cport, "reply", fport),
	       "the exact reverse reaches the client, from the forward's port");
	fini(&n);
	close(c);
}

/* A variant of the exact reverse that must not be taken, nor reach the
 * client. */
static void refused(struct tap *t, struct nsl *n, int c, const uint8_t *f, size_t len,
		    const char *what)
{
	char buf[256];

	TAP_OK(t, !nsl_udpfwd_frame_in(n, f, len) && got(c, buf, sizeof(buf), NULL) < 0,
	       "left to libslirp: %s", what);
}

/* The exact reverse (a 1-byte payload), changed at off: a byte or a 16-bit
 * word set to val, or a byte xor'ed with it; then without a UDP checksum
 * (so that the change is what must refuse it) and with the IPv4 header
 * checksum made valid again, where asked. */
static const struct variant {
	const char *what;
	size_t off;
	enum { SET8, SET16, FLIP } op;
	unsigned val;
	bool no_udp_sum, resum;
} variants[] = {
	{ "from another guest address", 29, SET8, 16, true, true },
	{ "a first fragment (MF)", 20, SET16, 0x2000, false, true },
	{ "a later fragment", 20, SET16, 0x0001, false, true },
	{ "a bad IPv4 header checksum", 24, FLIP, 1, false, false },
	{ "a bad UDP checksum", 40, FLIP, 1, false, false },
	{ "TCP", 23, SET8, 6, false, true },
	{ "another EtherType", 12, SET16, 0x86dd, false, false },
	{ "IP version 6 in an IPv4 frame", 14, SET8, 0x65, false, false },
	{ "a header length under 20", 14, SET8, 0x44, false, true },
	{ "a header length past the total length", 14, SET8, 0x4f, false, true },
	{ "a total length past the frame", 16, SET16, 30, false, true },
	{ "a total length under the headers", 16, SET16, 27, false, true },
	{ "a UDP length past the IPv4 datagram", 38, SET16, 10, true, false },
	{ "a UDP length under 8", 38, SET16, 7, true, false },
};

static void test_only_the_exact_reverse(struct tap *t)
{
	struct nsl n = fresh(true, 1500);
	unsigned cport, fport;
	uint8_t f[2048], g[2048];
	bool taken = false;
	size_t len;
	int c;

	add_forward(t, &n, "127.0.0.1", GUEST_PORT);
	fport = fwd_port(&n, 0);
	c = udp_socket("127.0.0.1", &cport);
	send_in(&n, c, fport, "hello", 5);

	len = guest_frame(f, GUEST_PORT + 1, "10.0.2.2", cport, "x");
	refused(t, &n, c, f, len, "from another guest port");
	len = guest_frame(f, GUEST_PORT, "10.0.2.2", cport + 1, "x");
	refused(t, &n, c, f, len, "to another gateway port");
	len = guest_frame(f, GUEST_PORT, "10.0.2.3", cport, "x");
	refused(t, &n, c, f, len, "to another address (DNS)");
	len = guest_frame(f, GUEST_PORT, "127.0.0.1", cport, "x");
	refused(t, &n, c, f, len, "to the client's real address");

	len = guest_frame(f, GUEST_PORT, "10.0.2.2", cport, "x");
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		const struct variant *v = &variants[i];

		memcpy(g, f, len);
		if (v->op == SET8)
			g[v->off] = (uint8_t)v->val;
		else if (v->op == SET16)
			put16(g + v->off, v->val);
		else
			g[v->off] ^= (uint8_t)v->val;
		if (v->no_udp_sum)
			put16(g + 40, 0);
		if (v->resum)
			ip_resum(g);
		refused(t, &n, c, g, len, v->what);
	}
	for (size_t cut = 0; cut < len; cut++)
		taken = taken || nsl_udpfwd_frame_in(&n, f, cut);
	TAP_OK(t, !taken && got(c, (char *)g, sizeof(g), NULL) < 0,
	       "left to libslirp: the frame cut anywhere");

	/* Ethernet padding past the datagram, no UDP checksum, IP options:
	 * still the reverse */
	len = guest_frame(f, GUEST_PORT, "10.0.2.2", cport, "padded");
	memset(f + len, 0, 10);
	TAP_OK(t, nsl_udpfwd_frame_in(&n, f, len + 10) &&
			  got(c, (char *)g, sizeof(g), NULL) == 6 && memcmp(g, "padded", 6) == 0,
	       "taken: Ethernet padding past the datagram");
	len = guest_frame(f, GUEST_PORT, "10.0.2.2", cport, "nosum");
	put16(f + 40, 0);
	TAP_OK(t, nsl_udpfwd_frame_in(&n, f, len) && got(c, (char *)g, sizeof(g), NULL) == 5,
	       "taken: no UDP checksum (0)");
	len = guest_frame(g, GUEST_PORT, "10.0.2.2", cport, "options");
	memcpy(f, g, 34);
	memset(f + 34, 1, 4); /* four NOPs */
	memcpy(f + 38, g + 34, len - 34);
	f[14] = 0x46;
	put16(f + 16, (unsigned)(len - 14 + 4));
	ip_resum(f);
	TAP_OK(t, nsl_udpfwd_frame_in(&n, f, len + 4) && got(c, (char *)g, sizeof(g), NULL) == 7,
	       "taken: IPv4 options");
	fini(&n);
	close(c);
}

static void test_clients_and_forwards(struct tap *t)
{
	struct nsl n = fresh(true, 1500);
	unsigned p1, p2, f1, f2, seen1, seen2, seen3, seen_f2;
	struct seen s;
	int c1, c2, c3;
	char addr3[INET_ADDRSTRLEN] = "";

	add_forward(t, &n, "127.0.0.1", GUEST_PORT);
	add_forward(t, &n, "127.0.0.1", GUEST_PORT); /* a second one to the same guest port */
	f1 = fwd_port(&n, 0);
	f2 = fwd_port(&n, 1);
	c1 = udp_socket("127.0.0.1", &p1);
	c2 = udp_socket("127.0.0.1", &p2);
	send_in(&n, c1, f1, "one", 3);
	seen1 = frame_ok(0, &s) ? s.sport : 0;
	send_in(&n, c2, f1, "two", 3);
	seen2 = frame_ok(0, &s) ? s.sport : 0;
	TAP_OK(t, seen1 == p1 && seen2 == p2, "two clients, each seen with its own port");
	TAP_OK(t, reply_reaches(&n, c2, GUEST_PORT, "10.0.2.2", seen2, "to-two", f1) &&
			  reply_reaches(&n, c1, GUEST_PORT, "10.0.2.2", seen1, "to-one", f1),
	       "each gets its own reply");

	/* 127.0.0.2 with client 1's port: the gateway port is taken */
	c3 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	{
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(p1) };

		inet_pton(AF_INET, "127.0.0.2", &a.sin_addr);
		if (bind(c3, (struct sockaddr *)&a, sizeof(a)) < 0)
			perror("bind 127.0.0.2");
	}
	send_in(&n, c3, f1, "three", 5);
	seen3 = frame_ok(0, &s) ? s.sport : 0;
	TAP_OK(t, strcmp(s.src, "10.0.2.2") == 0 && seen3 != 0 && seen3 != p1,
	       "127.0.0.2 with a port the gateway shows for another client: another port (%u)",
	       seen3);
	TAP_OK(t, reply_reaches(&n, c3, GUEST_PORT, "10.0.2.2", seen3, "to-three", f1) &&
			  reply_reaches(&n, c1, GUEST_PORT, "10.0.2.2", seen1, "to-one", f1),
	       "and each gets its own reply");

	/* client 1 to the second forward: the same guest port */
	send_in(&n, c1, f2, "via-2", 5);
	seen_f2 = frame_ok(0, &s) ? s.sport : 0;
	TAP_OK(t, seen_f2 != 0 && seen_f2 != seen1 && seen_f2 != seen3,
	       "the same client to another forward of the same guest port: another port (%u)",
	       seen_f2);
	TAP_OK(t, reply_reaches(&n, c1, GUEST_PORT, "10.0.2.2", seen_f2, "back-2", f2) &&
			  reply_reaches(&n, c1, GUEST_PORT, "10.0.2.2", seen1, "back-1", f1),
	       "replies come from the forward each flow came through");

	/* a client on another host address is seen as it is */
	{
		struct ifaddrs *ifa, *i;
		int c4;
		unsigned p4;

		if (getifaddrs(&ifa) == 0) {
			for (i = ifa; i; i = i->ifa_next)
				if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
				    !(i->ifa_flags & 0x8 /* IFF_LOOPBACK */)) {
					inet_ntop(AF_INET,
						  &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
						  addr3, sizeof(addr3));
					break;
				}
			freeifaddrs(ifa);
		}
		if (addr3[0] && (strncmp(addr3, "10.0.2.", 7) != 0)) {
			c4 = udp_socket(addr3, &p4);
			send_in(&n, c4, f1, "four", 4);
			TAP_OK(t, frame_ok(0, &s) && strcmp(s.src, addr3) == 0 && s.sport == p4,
			       "a client on %s is seen as it is (%s:%u)", addr3, s.src, s.sport);
			TAP_OK(t, reply_reaches(&n, c4, GUEST_PORT, addr3, p4, "to-four", f1),
			       "and its reply reaches it");
			close(c4);
		} else {
			TAP_OK(t, true, "# SKIP no other IPv4 address on this host");
		}
	}
	fini(&n);
	close(c1);
	close(c2);
	close(c3);
}

static void test_expiry_and_eviction(struct tap *t)
{
	struct nsl n = fresh(true, 1500);
	static int c[NSL_UDP_FLOWS + 1];
	static unsigned port[NSL_UDP_FLOWS + 1];
	unsigned fport, cport;
	int c0;
	bool all = true;

	add_forward(t, &n, "127.0.0.1", GUEST_PORT);
	fport = fwd_port(&n, 0);
	c0 = udp_socket("127.0.0.1", &cport);
	send_in(&n, c0, fport, "x", 1);
	now_ms += NSL_UDP_FLOW_EXPIRE_MS - 1;
	TAP_OK(t, reply_reaches(&n, c0, GUEST_PORT, "10.0.2.2", cport, "late", fport),
	       "a reply just before the flow expires is taken");
	now_ms += NSL_UDP_FLOW_EXPIRE_MS - 1;
	TAP_OK(t, reply_reaches(&n, c0, GUEST_PORT, "10.0.2.2", cport, "later", fport),
	       "it kept the flow alive");
	now_ms += NSL_UDP_FLOW_EXPIRE_MS;
	TAP_OK(t, !reply_reaches(&n, c0, GUEST_PORT, "10.0.2.2", cport, "expired", fport),
	       "after %d s without a datagram it is not", NSL_UDP_FLOW_EXPIRE_MS / 1000);
	close(c0);

	for (size_t i = 0; i <= NSL_UDP_FLOWS; i++) {
		c[i] = udp_socket("127.0.0.1", &port[i]);
		now_ms++;
		if (i < NSL_UDP_FLOWS)
			all = all && send_in(&n, c[i], fport, "f", 1) == 1;
	}
	TAP_OK(t, all, "%d clients reach the guest", NSL_UDP_FLOWS);
	now_ms++;
	TAP_OK(t, reply_reaches(&n, c[0], GUEST_PORT, "10.0.2.2", port[0], "keep", fport),
	       "a reply to the first keeps its flow the most recent");
	send_in(&n, c[NSL_UDP_FLOWS], fport, "g", 1);
	TAP_OK(t, !reply_reaches(&n, c[1], GUEST_PORT, "10.0.2.2", port[1], "gone", fport),
	       "one more client: the least recently used flow gives way");
	TAP_OK(t, reply_reaches(&n, c[0], GUEST_PORT, "10.0.2.2", port[0], "kept", fport) &&
			  reply_reaches(&n, c[2], GUEST_PORT, "10.0.2.2", port[2], "kept", fport) &&
			  reply_reaches(&n, c[NSL_UDP_FLOWS], GUEST_PORT, "10.0.2.2",
					port[NSL_UDP_FLOWS], "new", fport),
	       "the others and the new one are answered");
	for (size_t i = 0; i <= NSL_UDP_FLOWS; i++)
		close(c[i]);
	fini(&n);
}

/* The n_frames frames in order make the fragments of one datagram: into
 * buf (its IPv4 payload: the UDP header on); returns its length, 0 if not. */
static size_t reassemble(uint8_t *buf, size_t cap, size_t max_ip)
{
	size_t at = 0;

	for (size_t i = 0; i < n_frames; i++) {
		const uint8_t *ip = frames[i].f + 14;
		size_t part = frames[i].len - 34;
		unsigned off = get16(ip + 6);

		if (ip[0] != 0x45 || csum(ip, 20, 0) != 0 || get16(ip + 2) != part + 20 ||
		    (off & 0x1fff) * 8 != at || !(off & 0x2000) != (i == n_frames - 1) ||
		    part + 20 > max_ip || at + part > cap || get16(ip + 4) != get16(frames[0].f + 18))
			return 0;
		memcpy(buf + at, ip + 20, part);
		at += part;
	}
	return at;
}

static void test_fragments(struct tap *t)
{
	static uint8_t data[NSL_UDP_MAX_DATA], buf[65536];
	unsigned cport, fport;
	struct nsl n = fresh(false, 1280);
	size_t len;
	int c;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	add_forward(t, &n, "127.0.0.1", GUEST_PORT);
	fport = fwd_port(&n, 0);
	c = udp_socket("127.0.0.1", &cport);
	TAP_OK(t, send_in(&n, c, fport, data, 3000) == 3,
	       "3000 bytes at MTU 1280 without the offload: three fragments");
	len = reassemble(buf, sizeof(buf), 1280);
	TAP_OK(t, len == 3008 && get16(buf + 4) == 3008 && memcmp(buf + 8, data, 3000) == 0 &&
			  udp_csum(frames[0].f + 26, buf, len) == 0,
	       "in order, at most the MTU each, one datagram with a valid checksum");
	fini(&n);

	n = fresh(true, 1500);
	add_forward(t, &n, "127.0.0.1", GUEST_PORT);
	fport = fwd_port(&n, 0);
	TAP_OK(t, send_in(&n, c, fport, data, 3000) == 1,
	       "with the offload the same datagram is one frame");
	TAP_OK(t, send_in(&n, c, fport, data, sizeof(data)) == 2,
	       "a datagram of %zu bytes: two fragments of at most %d", sizeof(data), NSL_MAX_MTU);
	len = reassemble(buf, sizeof(buf), NSL_MAX_MTU);
	TAP_OK(t, len == sizeof(data) + 8 && memcmp(buf + 8, data, sizeof(data)) == 0 &&
			  udp_csum(frames[0].f + 26, buf, len) == 0,
	       "reassembled: the datagram, checksum valid");
	TAP_OK(t, send_in(&n, c, fport, "", 0) == 1 && get16(frames[0].f + 38) == 8,
	       "an empty datagram goes too");
	fini(&n);
	close(c);
}

static void test_bind_fails(struct tap *t)
{
	struct nsl n = fresh(true, 1500);
	struct nsl_forward f = { .udp = true, .guest_port = 53 };
	unsigned port;
	int busy = udp_socket("127.0.0.1", &port);

	inet_pton(AF_INET, "127.0.0.1", &f.host_addr);
	f.host_port = (uint16_t)port;
	errno = 0;
	TAP_OK(t, nsl_udpfwd_add(&n, &f) < 0 && errno == EADDRINUSE,
	       "a port in use: the forward fails with EADDRINUSE");
	fini(&n);
	close(busy);
}

int main(void)
{
	struct tap t = { 0 };

	test_to_guest_and_back(&t);
	test_only_the_exact_reverse(&t);
	test_clients_and_forwards(&t);
	test_expiry_and_eviction(&t);
	test_fragments(&t);
	test_bind_fails(&t);
	frames_clear();
	return tap_done(&t);
}
