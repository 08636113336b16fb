/* netslirp.h: umlrun-netslirp, the user-mode network of one sandbox. It
 * joins libslirp to the guest's vector NIC (UML's `bess` transport: one
 * unix seqpacket message per Ethernet frame, no header). Shared between the
 * libslirp glue (engine.c, which the fuzz target drives too), the
 * confinement (confine.c) and the daemon's loop (main.c). */
#ifndef UMLRUN_NETSLIRP_H
#define UMLRUN_NETSLIRP_H

#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libslirp.h>

#include "reass.h"

#define NSL_DEFAULT_MTU 1500
#define NSL_MIN_MTU 1280     /* IPv6's minimum, so the guest keeps IPv6 */
#define NSL_MAX_MTU 65520    /* below libslirp's 65521 and UML's 65535 */
#define NSL_ETH_HLEN 14
#define NSL_MAX_FORWARDS 64
#define NSL_MAX_TIMERS 16
/* Frames for the guest that wait for the link: at most so many bytes and
 * frames; they go NSL_TX_BATCH to a sendmmsg. */
#define NSL_TXQ_MAX_BYTES (8u * 1024 * 1024)
#define NSL_TXQ_MAX_FRAMES 4096
#define NSL_TX_BATCH 32
/* How far back a pure ACK looks for its flow's waiting one to replace. */
#define NSL_ACK_MERGE_SCAN 64
/* With --offload, the MSS option of the guest's TCP SYNs (engine.c). */
#define NSL_OFFLOAD_MSS 32000
/* libslirp's own MTU at most (engine.c, nsl_init): TCP segments of 32 KiB,
 * several in flight in a scaled window (netslirp/libslirp). */
#define NSL_SLIRP_MTU 32800

struct nsl_forward {
	bool udp;
	struct in_addr host_addr; /* INADDR_ANY: every host address */
	uint16_t host_port;
	uint16_t guest_port;
};

struct nsl_opts {
	unsigned mtu;
	bool host_loopback; /* the gateway address reaches the host's 127.0.0.1 */
	bool ipv6;
	bool offload;       /* the guest takes frames over its MTU (engine.c) */
	bool restricted;    /* libslirp's restricted mode (fuzzing without a netns) */
	struct nsl_forward fwd[NSL_MAX_FORWARDS];
	size_t n_fwd;
};

/* One guest-bound frame waiting for the link. */
struct nsl_txf {
	size_t len;
	uint8_t flow[36];  /* a TCP frame's addresses and ports, flow_len bytes */
	uint8_t flow_len;  /* 0: not TCP */
	bool pure_ack;     /* ACK alone, no data */
	uint32_t ack;
	uint8_t data[];
};

struct nsl_timer {
	bool used;
	bool armed;
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms;
};

struct nsl_udpfwd;

struct nsl {
	Slirp *slirp;
	struct nsl_udpfwd *udpfwd; /* the UDP port forwards (udpfwd.c); NULL: none */
	struct nsl_opts opts;
	int link_fd;              /* the current connection from the guest, -1: none */
	struct nsl_txf **txq;     /* guest-bound frames: a ring of NSL_TXQ_MAX_FRAMES */
	size_t txq_head, txq_n, txq_bytes;
	unsigned long long rx_frames, rx_dropped, tx_frames, tx_dropped, tx_merged;
	/* Ethernet frame bytes: every frame the guest sent (rx, "out" in
	 * umlrun's --stats) and every frame handed to its link (tx, "in") */
	unsigned long long rx_bytes, tx_bytes;
	struct nsl_timer timers[NSL_MAX_TIMERS];
	struct pollfd *pfd; /* libslirp's fds for this round */
	size_t n_pfd, cap_pfd;
	struct nsl_reass reass; /* the guest's IPv4 fragments (reass.c) */
};

/* Creates the libslirp instance (10.0.2.0/24, gateway .2, DNS .3; IPv6
 * fd00::/64 when o->ipv6) and adds the port forwards. On failure returns -1
 * and writes a one-line reason to msg. */
int nsl_init(struct nsl *n, const struct nsl_opts *o, char *msg, size_t msg_cap);
void nsl_fini(struct nsl *n);

/* One frame from the guest. Anything goes: a frame too short, too long or
 * malformed is counted (rx_bytes too) and dropped, never trusted. IPv4
 * fragments are reassembled here (reass.c): libslirp gets the whole
 * datagram, never a fragment. With --offload an IPv4 TCP SYN's MSS option
 * is rewritten in place. */
void nsl_frame_in(struct nsl *n, uint8_t *frame, size_t len);

/* A new connection from the guest replaces the old one (the guest downed
 * and upped its NIC); frames queued for the old one are dropped. Takes fd. */
void nsl_link_set(struct nsl *n, int fd);
/* Sends the waiting frames while the link takes them (the loop calls it
 * before it sleeps; POLLOUT while txq_n). */
void nsl_link_flush(struct nsl *n);

/* libslirp's poll set for one round: fills n->pfd, returns the timeout in ms
 * (also bounded by the next timer); then nsl_poll_done() after poll(). */
int nsl_poll_prepare(struct nsl *n, int timeout_ms);
void nsl_poll_done(struct nsl *n, bool poll_failed);
/* Adds one more fd to this round's set (after nsl_poll_prepare); returns
 * its index in n->pfd, or -1 when out of memory. */
int nsl_poll_add(struct nsl *n, int fd, short events);

/* Runs the timers that are due. */
void nsl_timers_run(struct nsl *n);

int64_t nsl_now_ms(void);

/* confine.c: called once the sockets that need privileges are made.
 * Drops to uid/gid (if != (uid_t)-1), clears capabilities, sets
 * no_new_privs and rlimits, confines the filesystem with Landlock to
 * reading resolv_conf (NULL: nothing) and loads the seccomp allow-list.
 * Returns -1 with a reason in msg. */
int nsl_confine(uid_t uid, gid_t gid, const char *resolv_conf, bool require_landlock, char *msg,
		size_t msg_cap);

#endif
