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

#define NSL_DEFAULT_MTU 1500
#define NSL_MIN_MTU 1280     /* IPv6's minimum, so the guest keeps IPv6 */
#define NSL_MAX_MTU 65520    /* below libslirp's 65521 and UML's 65535 */
#define NSL_ETH_HLEN 14
#define NSL_MAX_FORWARDS 64
#define NSL_MAX_TIMERS 16
/* Frames for the guest that wait for room on the link, in bytes. */
#define NSL_TXQ_MAX_BYTES (8u * 1024 * 1024)

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
	bool restricted;    /* libslirp's restricted mode (fuzzing without a netns) */
	struct nsl_forward fwd[NSL_MAX_FORWARDS];
	size_t n_fwd;
};

/* One guest-bound frame waiting for room on the link. */
struct nsl_txf {
	struct nsl_txf *next;
	size_t len;
	uint8_t data[];
};

struct nsl_timer {
	bool used;
	bool armed;
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms;
};

struct nsl {
	Slirp *slirp;
	struct nsl_opts opts;
	int link_fd;              /* the current connection from the guest, -1: none */
	struct nsl_txf *txq_head; /* guest-bound frames waiting for POLLOUT */
	struct nsl_txf *txq_tail;
	size_t txq_bytes;
	unsigned long long rx_frames, rx_dropped, tx_frames, tx_dropped;
	struct nsl_timer timers[NSL_MAX_TIMERS];
	struct pollfd *pfd; /* libslirp's fds for this round */
	size_t n_pfd, cap_pfd;
};

/* Creates the libslirp instance (10.0.2.0/24, gateway .2, DNS .3; IPv6
 * fd00::/64 when o->ipv6) and adds the port forwards. On failure returns -1
 * and writes a one-line reason to msg. */
int nsl_init(struct nsl *n, const struct nsl_opts *o, char *msg, size_t msg_cap);
void nsl_fini(struct nsl *n);

/* One frame from the guest. Anything goes: a frame too short, too long or
 * malformed is counted and dropped, never trusted. */
void nsl_frame_in(struct nsl *n, const uint8_t *frame, size_t len);

/* A new connection from the guest replaces the old one (the guest downed
 * and upped its NIC); frames queued for the old one are dropped. Takes fd. */
void nsl_link_set(struct nsl *n, int fd);
/* Sends queued frames while the link takes them. */
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
