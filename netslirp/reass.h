/* reass.h: netslirp's reassembly of the guest's IPv4 fragments (reass.c),
 * which libslirp never sees: its own (ip_reass) crashes on malformed ones.
 * Apart from libslirp, so that tests/unit/test-reass.c drives it alone. */
#ifndef UMLRUN_NETSLIRP_REASS_H
#define UMLRUN_NETSLIRP_REASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NSL_REASS_SLOTS	     16	   /* datagrams in progress; the oldest goes */
#define NSL_REASS_TIMEOUT_MS 10000 /* from a datagram's first fragment */
/* The IPv4 total length is 16 bits, its header at least 20 bytes. */
#define NSL_REASS_MAX_PAYLOAD (65535 - 20)
#define NSL_REASS_BLOCKS      ((NSL_REASS_MAX_PAYLOAD + 7) / 8)

/* One datagram in progress: its payload at a fixed place in buf, the first
 * fragment's Ethernet and IPv4 headers right before it. */
struct nsl_reass_dgram {
	bool used;
	uint8_t proto;
	uint16_t id;
	uint32_t src, dst; /* as on the wire */
	uint64_t seq;	   /* order of creation: the lowest is evicted */
	int64_t first_ms;  /* when its first fragment came */
	unsigned n_frags;  /* fragments held */
	size_t got;	   /* payload bytes held */
	size_t max_end;	   /* the furthest end seen */
	size_t total;	   /* the payload's length, once the last came */
	bool have_last;
	size_t hlen; /* the offset 0 fragment's IP header; 0: not yet */
	/* allocated on first use, kept until fini */
	uint8_t *buf;
	/* the 8-byte blocks held */
	uint8_t map[(NSL_REASS_BLOCKS + 7) / 8];
};

struct nsl_reass {
	struct nsl_reass_dgram d[NSL_REASS_SLOTS];
	uint64_t seq;
};

/* Whether an Ethernet frame is an IPv4 fragment (MF or an offset set). */
bool nsl_reass_is_fragment(const uint8_t *f, size_t len);

/* Takes one fragment (a frame of which nsl_reass_is_fragment holds; all
 * the rest is checked) at time now_ms. Returns the length of the frame of
 * the datagram it completes, stored at *out until the next call: one
 * unfragmented IPv4 frame with the first fragment's headers. Returns 0
 * when the fragment is held or dropped. Adds to *dropped every frame
 * dropped (the fragment, or those of a datagram given up). */
size_t nsl_reass_in(struct nsl_reass *r, const uint8_t *f, size_t len, int64_t now_ms,
		    uint8_t **out, unsigned long long *dropped);

/* Datagrams in progress. */
size_t nsl_reass_held(const struct nsl_reass *r);

/* Frees the buffers (r may be all zeros). */
void nsl_reass_fini(struct nsl_reass *r);

#endif
