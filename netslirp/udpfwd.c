/* udpfwd.c: netslirp's UDP port forwards (`run -p HOST:GUEST/udp`), in
 * place of libslirp's. It owns the forwards' host sockets, a flow table of
 * their clients and the frames between them and the guest.
 *
 * libslirp shows a client on the host's 127.0.0.1 to the guest as the
 * gateway, 10.0.2.2, and refuses the guest's reply to it while the host's
 * loopback is closed (disable_host_loopback, the default): such a client
 * got no reply. Here each client (its address and port, per forward) is a
 * flow; the guest sees a client on another host address as it is, and one
 * on the host's loopback (or one whose address and port another flow of
 * the same guest port shows) as 10.0.2.2 and a port of the flow. Only the
 * exact reverse of a flow, from the forward's guest port to what the guest
 * saw, is taken from the guest and sent to the client from the forward's
 * socket; all else the guest sends goes to libslirp as before, so the
 * gateway still leads nowhere. At most NSL_UDP_FLOWS flows (the least
 * recently used gives way), each gone after NSL_UDP_FLOW_EXPIRE_MS idle.
 * Frames from the guest are parsed as hostile; IPv4 fragments never get
 * here (engine.c). */
#define _GNU_SOURCE
#include "udpfwd.h"

#include "csum.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define GATEWAY	  0x0a000202u /* 10.0.2.2 */
#define GUEST	  0x0a00020fu /* 10.0.2.15 */
#define VNET	  0x0a000200u /* 10.0.2.0/24 */
#define EPHEMERAL 49152u      /* to 65535: the gateway ports of flows */
_Static_assert(NSL_UDP_FLOWS < 65536 - EPHEMERAL, "a gateway port is always free");
#define IP_OFF	NSL_ETH_HLEN
#define UDP_OFF (IP_OFF + 20) /* in the frames built here: no IP options */

/* libslirp's gateway MAC address (52:55 and the gateway's IPv4 address) */
static const uint8_t gateway_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)nsl_get16(p) << 16 | nsl_get16(p + 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	nsl_put16(p, v >> 16);
	nsl_put16(p + 2, v & 0xffff);
}

/* The UDP checksum of the datagram at udp (ulen bytes) between the IPv4
 * addresses at addrs (source, destination); 0 when it checks. */
static unsigned udp_sum(const uint8_t *addrs, const uint8_t *udp, size_t ulen)
{
	return nsl_fold(nsl_sum16(udp, ulen, nsl_sum16(addrs, 8, 17 + (uint64_t)ulen)));
}

/* ---- the flow table ------------------------------------------------------ */

static bool live(const struct nsl_udpflow *fl, int64_t now)
{
	return fl->used && now - fl->last_ms < NSL_UDP_FLOW_EXPIRE_MS;
}

/* The live flow the guest sees as addr:port behind guest_port, if any. */
static struct nsl_udpflow *flow_seen_as(struct nsl_udpfwd *u, unsigned guest_port, uint32_t addr,
					unsigned port, int64_t now)
{
	for (size_t i = 0; i < NSL_UDP_FLOWS; i++) {
		struct nsl_udpflow *fl = &u->flow[i];

		if (live(fl, now) && u->fwd[fl->fwd].guest_port == guest_port &&
		    ntohl(fl->seen_addr.s_addr) == addr && fl->seen_port == port)
			return fl;
	}
	return NULL;
}

/* Whether the guest may see a client as it is: not on the host's loopback,
 * nor where the guest would take it for a neighbour or itself. */
static bool shown_as_is(uint32_t addr)
{
	return (addr >> 24) != 127 && (addr >> 24) != 0 && (addr & 0xffffff00u) != VNET &&
	       addr < 0xe0000000u;
}

/* Where the guest sees fl's datagrams come from: the client itself when it
 * may and no other flow of the guest port shows that, else the gateway and
 * the client's port, else the gateway and an ephemeral port no flow of the
 * guest port shows there (NSL_UDP_FLOWS < 16384: one is free). */
static void flow_show(struct nsl_udpfwd *u, struct nsl_udpflow *fl, int64_t now)
{
	unsigned gp = u->fwd[fl->fwd].guest_port, port = ntohs(fl->client.sin_port);
	uint32_t addr = ntohl(fl->client.sin_addr.s_addr);

	if (!shown_as_is(addr) || flow_seen_as(u, gp, addr, port, now))
		addr = GATEWAY;
	while (port == 0 || flow_seen_as(u, gp, addr, port, now)) {
		port = u->next_port < EPHEMERAL ? EPHEMERAL : u->next_port;
		u->next_port = (uint16_t)(port + 1);
	}
	fl->seen_addr.s_addr = htonl(addr);
	fl->seen_port = (uint16_t)port;
}

/* The flow of a datagram from client to forward fwd: found, or made in a
 * free slot, an expired one or the least recently used one. */
static struct nsl_udpflow *flow_of_client(struct nsl_udpfwd *u, size_t fwd,
					  const struct sockaddr_in *client, int64_t now)
{
	struct nsl_udpflow *slot = NULL;

	for (size_t i = 0; i < NSL_UDP_FLOWS; i++) {
		struct nsl_udpflow *fl = &u->flow[i];

		if (!live(fl, now)) {
			slot = slot && !live(slot, now) ? slot : fl;
			continue;
		}
		if (fl->fwd == fwd && fl->client.sin_addr.s_addr == client->sin_addr.s_addr &&
		    fl->client.sin_port == client->sin_port) {
			fl->last_ms = now;
			return fl;
		}
		if (slot == NULL || (live(slot, now) && fl->last_ms < slot->last_ms))
			slot = fl;
	}
	*slot = (struct nsl_udpflow){ .used = true, .fwd = (uint16_t)fwd, .last_ms = now };
	slot->client.sin_family = AF_INET;
	slot->client.sin_addr = client->sin_addr;
	slot->client.sin_port = client->sin_port;
	flow_show(u, slot, now);
	return slot;
}

/* ---- host to guest ----------------------------------------------------------- */

/* Sends the IPv4 datagram of ip_len bytes in u->pkt (Ethernet header
 * included), in fragments when the guest takes less. */
static void send_fragmented(struct nsl *n, struct nsl_udpfwd *u, size_t ip_len)
{
	size_t max = n->opts.offload ? NSL_MAX_MTU : n->opts.mtu, chunk = (max - 20) & ~(size_t)7;
	uint8_t *fr = u->frag, *ip = fr + IP_OFF;

	if (ip_len <= max) {
		nsl_tx_frame(n, u->pkt, NSL_ETH_HLEN + ip_len);
		return;
	}
	memcpy(fr, u->pkt, UDP_OFF);
	for (size_t off = 0; off < ip_len - 20; off += chunk) {
		size_t part = ip_len - 20 - off < chunk ? ip_len - 20 - off : chunk;
		bool more = off + part < ip_len - 20;

		memcpy(fr + UDP_OFF, u->pkt + UDP_OFF + off, part);
		nsl_put16(ip + 2, (unsigned)(20 + part));
		nsl_put16(ip + 6, (unsigned)(off / 8) | (more ? 0x2000 : 0));
		nsl_put16(ip + 10, 0);
		nsl_put16(ip + 10, nsl_fold(nsl_sum16(ip, 20, 0)));
		nsl_tx_frame(n, fr, UDP_OFF + part);
	}
}

/* The payload of len bytes at u->pkt + UDP_OFF + 8 goes to the guest as
 * fl's datagram. */
static void to_guest(struct nsl *n, struct nsl_udpfwd *u, const struct nsl_udpflow *fl, size_t len)
{
	uint8_t *f = u->pkt, *ip = f + IP_OFF, *udp = f + UDP_OFF;
	size_t ulen = 8 + len;
	unsigned sum;

	memcpy(f, u->guest_mac, 6);
	memcpy(f + 6, gateway_mac, 6);
	nsl_put16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	nsl_put16(ip + 2, (unsigned)(20 + ulen));
	nsl_put16(ip + 4, u->ip_id++);
	ip[8] = 64; /* TTL */
	ip[9] = 17; /* UDP */
	memcpy(ip + 12, &fl->seen_addr, 4);
	put32(ip + 16, GUEST);
	nsl_put16(ip + 10, nsl_fold(nsl_sum16(ip, 20, 0)));
	nsl_put16(udp, fl->seen_port);
	nsl_put16(udp + 2, u->fwd[fl->fwd].guest_port);
	nsl_put16(udp + 4, (unsigned)ulen);
	nsl_put16(udp + 6, 0);
	sum = udp_sum(ip + 12, udp, ulen);
	nsl_put16(udp + 6, sum ? sum : 0xffff); /* 0 would say: no checksum */
	u->to_guest++;
	send_fragmented(n, u, 20 + ulen);
}

/* Takes up to NSL_UDP_RX_BURST datagrams from forward i's socket. */
static void read_forward(struct nsl *n, struct nsl_udpfwd *u, size_t i)
{
	for (int k = 0; k < NSL_UDP_RX_BURST; k++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(u->fwd[i].fd, u->pkt + UDP_OFF + 8, NSL_UDP_MAX_DATA,
				     MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return; /* EAGAIN: all taken */
		if (fl != sizeof(from) || from.sin_family != AF_INET) {
			u->dropped++;
			continue;
		}
		to_guest(n, u, flow_of_client(u, i, &from, nsl_now_ms()), (size_t)r);
	}
}

/* ---- guest to host --------------------------------------------------------- */

/* A guest's frame as an IPv4 UDP datagram. */
struct guest_udp {
	const uint8_t *ip, *udp;
	size_t ulen;
};

/* Whether f (len bytes, all untrusted) is an unfragmented IPv4 UDP
 * datagram from the guest's address whose lengths hold: the IPv4 header
 * within the total length, the total length within the frame, the UDP
 * length within the total length. Checksums are checked later. */
static bool parse_guest_udp(const uint8_t *f, size_t len, struct guest_udp *d)
{
	const uint8_t *ip = f + IP_OFF;
	size_t hl, total;

	if (len < IP_OFF + 28 || nsl_get16(f + 12) != 0x0800 || (ip[0] >> 4) != 4)
		return false;
	hl = (size_t)(ip[0] & 0xf) * 4;
	total = nsl_get16(ip + 2);
	if (hl < 20 || total < hl + 8 || total > len - IP_OFF || (nsl_get16(ip + 6) & 0x3fff) != 0 ||
	    ip[9] != 17 || get32(ip + 12) != GUEST)
		return false;
	d->ip = ip;
	d->udp = ip + hl;
	d->ulen = nsl_get16(d->udp + 4);
	return d->ulen >= 8 && d->ulen <= total - hl;
}

/* The guest's MAC address, from its IPv4 and ARP frames. */
static void learn_mac(struct nsl_udpfwd *u, const uint8_t *f, size_t len)
{
	bool from_guest = false;

	if (len >= IP_OFF + 20 && nsl_get16(f + 12) == 0x0800)
		from_guest = get32(f + IP_OFF + 12) == GUEST;
	else if (len >= IP_OFF + 28 && nsl_get16(f + 12) == 0x0806)
		from_guest = get32(f + IP_OFF + 14) == GUEST; /* the sender's address */
	if (from_guest && !(f[6] & 1))
		memcpy(u->guest_mac, f + 6, 6);
}

bool nsl_udpfwd_frame_in(struct nsl *n, const uint8_t *f, size_t len)
{
	struct nsl_udpfwd *u = n->udpfwd;
	struct nsl_udpflow *fl;
	struct guest_udp d;
	int64_t now;

	if (u == NULL)
		return false;
	learn_mac(u, f, len);
	if (!parse_guest_udp(f, len, &d))
		return false;
	now = nsl_now_ms();
	fl = flow_seen_as(u, nsl_get16(d.udp), get32(d.ip + 16), nsl_get16(d.udp + 2), now);
	/* a reply whose checksums fail goes to libslirp, which drops it */
	if (fl == NULL || nsl_fold(nsl_sum16(d.ip, (size_t)(d.ip[0] & 0xf) * 4, 0)) != 0 ||
	    (nsl_get16(d.udp + 6) != 0 && udp_sum(d.ip + 12, d.udp, d.ulen) != 0))
		return false;
	fl->last_ms = now;
	if (sendto(u->fwd[fl->fwd].fd, d.udp + 8, d.ulen - 8, MSG_DONTWAIT,
		   (const struct sockaddr *)&fl->client, sizeof(fl->client)) < 0)
		u->dropped++;
	else
		u->to_host++;
	return true;
}

/* ---- sockets, poll set ------------------------------------------------------- */

int nsl_udpfwd_add(struct nsl *n, const struct nsl_forward *f)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = f->host_addr,
				 .sin_port = htons(f->host_port) };
	struct nsl_udpfwd *u = n->udpfwd;
	int fd, e;

	if (u == NULL) {
		u = calloc(1, sizeof(*u));
		if (u == NULL)
			return -1;
		memset(u->guest_mac, 0xff, sizeof(u->guest_mac));
		n->udpfwd = u;
	}
	if (u->n_fwd == NSL_MAX_FORWARDS) {
		errno = ENOSPC;
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	u->fwd[u->n_fwd++] = (struct nsl_udpfwd_sock){ .fd = fd, .pfd = -1,
						       .guest_port = f->guest_port };
	return 0;
}

void nsl_udpfwd_fini(struct nsl *n)
{
	struct nsl_udpfwd *u = n->udpfwd;

	for (size_t i = 0; u && i < u->n_fwd; i++)
		close(u->fwd[i].fd);
	free(u);
	n->udpfwd = NULL;
}

void nsl_udpfwd_poll_add(struct nsl *n)
{
	struct nsl_udpfwd *u = n->udpfwd;

	for (size_t i = 0; u && i < u->n_fwd; i++)
		u->fwd[i].pfd = nsl_poll_add(n, u->fwd[i].fd, POLLIN);
}

void nsl_udpfwd_poll_done(struct nsl *n)
{
	struct nsl_udpfwd *u = n->udpfwd;

	for (size_t i = 0; u && i < u->n_fwd; i++) {
		int p = u->fwd[i].pfd;

		u->fwd[i].pfd = -1;
		if (p >= 0 && (size_t)p < n->n_pfd && (n->pfd[p].revents & (POLLIN | POLLERR)))
			read_forward(n, u, i);
	}
}
