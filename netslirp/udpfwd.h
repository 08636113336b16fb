/* udpfwd.h: netslirp's UDP port forwards (udpfwd.c): their host sockets,
 * the flow table that lets a guest's reply reach the client that sent the
 * datagram (and nothing else), and the hooks engine.c calls. */
#ifndef UMLRUN_NETSLIRP_UDPFWD_H
#define UMLRUN_NETSLIRP_UDPFWD_H

#include "netslirp.h"

/* Clients a forward answers at once: the least recently used gives way. */
#define NSL_UDP_FLOWS 256
/* A flow with no datagram either way for so long is gone (libslirp's
 * SO_EXPIRE for UDP). */
#define NSL_UDP_FLOW_EXPIRE_MS (240 * 1000)
/* Datagrams taken from one forward's socket per round. */
#define NSL_UDP_RX_BURST 64
/* The largest UDP payload over IPv4. */
#define NSL_UDP_MAX_DATA (65535 - 20 - 8)

/* One client of one forward. */
struct nsl_udpflow {
	bool used;
	uint16_t fwd;		   /* index in nsl_udpfwd.fwd */
	int64_t last_ms;	   /* last datagram either way */
	struct sockaddr_in client; /* the host side: where its datagrams come from */
	struct in_addr seen_addr;  /* where the guest sees them come from */
	uint16_t seen_port;	   /* (host order) */
};

struct nsl_udpfwd_sock {
	int fd;
	int pfd;	     /* its index in the poll set this round, -1: none */
	uint16_t guest_port; /* (host order) */
};

struct nsl_udpfwd {
	struct nsl_udpfwd_sock fwd[NSL_MAX_FORWARDS];
	size_t n_fwd;
	struct nsl_udpflow flow[NSL_UDP_FLOWS];
	uint8_t guest_mac[6]; /* broadcast until the guest's first IPv4 or ARP frame */
	uint16_t ip_id;
	uint16_t next_port;			       /* where the gateway-port search goes on */
	unsigned long long to_guest, to_host, dropped; /* datagrams */
	uint8_t pkt[NSL_ETH_HLEN + 65535];	       /* a datagram for the guest, as a frame */
	uint8_t frag[NSL_ETH_HLEN + NSL_MAX_MTU];      /* one fragment of it */
};

/* Opens f's host socket (bound to its address and port; the first call
 * makes n->udpfwd). Returns -1 with errno on failure. */
int nsl_udpfwd_add(struct nsl *n, const struct nsl_forward *f);
void nsl_udpfwd_fini(struct nsl *n);

/* Adds the forwards' sockets to this round's poll set (after libslirp's),
 * and, after poll(), reads what came to them and hands it to the guest. */
void nsl_udpfwd_poll_add(struct nsl *n);
void nsl_udpfwd_poll_done(struct nsl *n);

/* A frame from the guest: when it is the reply to a flow (an unfragmented,
 * valid IPv4 UDP datagram from 10.0.2.15, from the forward's guest port, to
 * the address and port the guest saw the flow's datagrams come from), its
 * payload goes to the flow's client from the forward's socket, and true is
 * returned; false for anything else, which goes on to libslirp. */
bool nsl_udpfwd_frame_in(struct nsl *n, const uint8_t *f, size_t len);

/* engine.c: a frame for the guest, queued as libslirp's own are. */
void nsl_tx_frame(struct nsl *n, const uint8_t *frame, size_t len);

#endif
