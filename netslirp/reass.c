/* reass.c: netslirp's own reassembly of the guest's IPv4 fragments: the
 * datagrams in progress (struct nsl_reass, in struct nsl), the checks each
 * fragment passes and the one unfragmented frame a complete datagram
 * becomes for libslirp (engine.c), whose own reassembly never runs. The
 * guest is hostile: at most NSL_REASS_SLOTS datagrams (the oldest gives
 * way), none older than NSL_REASS_TIMEOUT_MS (checked as fragments come),
 * none over the 65535 bytes of an IPv4 total length. A fragment that
 * overlaps one held (RFC 5722's rule, as Linux has it for IPv4) or does not
 * fit its datagram (empty, a non-last one not a multiple of 8 bytes, past
 * the last one, a second last one) gives up the whole datagram; a
 * duplicate (nothing that is not held already) is dropped alone. */
#include "reass.h"

#include "csum.h"

#include <stdlib.h>
#include <string.h>

#define ETH_HLEN    14
#define IP_MAX_HLEN 60
#define IP_MAX_LEN  65535
#define IP_MF	    0x2000
#define IP_OFFMASK  0x1fff
/* A datagram's buffer: its payload at PAYLOAD_AT, its headers before it. */
#define PAYLOAD_AT (ETH_HLEN + IP_MAX_HLEN)
#define BUF_SIZE   (PAYLOAD_AT + NSL_REASS_MAX_PAYLOAD)

/* One fragment, as parsed: its payload is [off, end) of its datagram's. */
struct frag {
	const uint8_t *ip;
	size_t hlen, off, end;
	bool mf;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
};

bool nsl_reass_is_fragment(const uint8_t *f, size_t len)
{
	return len >= ETH_HLEN + 20 && f[12] == 0x08 && f[13] == 0x00 &&
	       (nsl_get16(f + ETH_HLEN + 6) & (IP_MF | IP_OFFMASK)) != 0;
}

/* A fragment's header, checked as libslirp checks an unfragmented one:
 * version, header length, total length within the frame (Ethernet padding
 * may follow), header checksum. */
static bool parse(const uint8_t *f, size_t len, struct frag *fr)
{
	const uint8_t *ip = f + ETH_HLEN;
	size_t hlen, tlen;
	unsigned flags;

	if (!nsl_reass_is_fragment(f, len) || (ip[0] >> 4) != 4)
		return false;
	hlen = (size_t)(ip[0] & 0xf) * 4;
	tlen = nsl_get16(ip + 2);
	if (hlen < 20 || tlen < hlen || tlen > len - ETH_HLEN ||
	    nsl_fold(nsl_sum16(ip, hlen, 0)) != 0)
		return false;
	flags = nsl_get16(ip + 6);
	*fr = (struct frag){ .ip = ip,
			     .hlen = hlen,
			     .off = (size_t)(flags & IP_OFFMASK) * 8,
			     .mf = (flags & IP_MF) != 0,
			     .id = (uint16_t)nsl_get16(ip + 4),
			     .proto = ip[9] };
	fr->end = fr->off + (tlen - hlen);
	memcpy(&fr->src, ip + 12, 4);
	memcpy(&fr->dst, ip + 16, 4);
	return true;
}

static void give_up(struct nsl_reass_dgram *d, unsigned long long *dropped)
{
	*dropped += d->n_frags;
	d->used = false;
}

static void expire(struct nsl_reass *r, int64_t now_ms, unsigned long long *dropped)
{
	for (size_t i = 0; i < NSL_REASS_SLOTS; i++) {
		struct nsl_reass_dgram *d = &r->d[i];

		if (d->used && now_ms - d->first_ms >= NSL_REASS_TIMEOUT_MS)
			give_up(d, dropped);
	}
}

/* The datagram in progress that fr belongs to (source, destination,
 * protocol, id), or NULL. */
static struct nsl_reass_dgram *find(struct nsl_reass *r, const struct frag *fr)
{
	for (size_t i = 0; i < NSL_REASS_SLOTS; i++) {
		struct nsl_reass_dgram *d = &r->d[i];

		if (d->used && d->id == fr->id && d->proto == fr->proto && d->src == fr->src &&
		    d->dst == fr->dst)
			return d;
	}
	return NULL;
}

/* A free slot for fr's datagram, the oldest one given up if none is;
 * NULL when out of memory. */
static struct nsl_reass_dgram *dgram_new(struct nsl_reass *r, const struct frag *fr, int64_t now_ms,
					 unsigned long long *dropped)
{
	struct nsl_reass_dgram *d = NULL;

	for (size_t i = 0; i < NSL_REASS_SLOTS; i++) {
		struct nsl_reass_dgram *c = &r->d[i];

		if (!c->used) {
			d = c;
			break;
		}
		if (d == NULL || c->seq < d->seq)
			d = c;
	}
	if (d->used)
		give_up(d, dropped);
	if (d->buf == NULL && (d->buf = malloc(BUF_SIZE)) == NULL)
		return NULL;
	d->used = true;
	d->proto = fr->proto;
	d->id = fr->id;
	d->src = fr->src;
	d->dst = fr->dst;
	d->seq = r->seq++;
	d->first_ms = now_ms;
	d->n_frags = 0;
	d->got = d->max_end = d->total = d->hlen = 0;
	d->have_last = false;
	memset(d->map, 0, sizeof(d->map));
	return d;
}

/* Whether fr can be part of a datagram at all, and of d (NULL: a new
 * one). Not: an empty fragment, a non-last one not a multiple of 8 bytes,
 * over the IPv4 total length, past the last fragment, a last fragment
 * short of what is held or other than the last one held. */
static bool fits(const struct nsl_reass_dgram *d, const struct frag *fr)
{
	if (fr->end == fr->off || (fr->mf && (fr->end - fr->off) % 8 != 0) ||
	    fr->end + fr->hlen > IP_MAX_LEN)
		return false;
	if (d == NULL)
		return true;
	if (!fr->mf)
		return fr->end >= d->max_end && (!d->have_last || fr->end == d->total);
	return !d->have_last || fr->end <= d->total;
}

/* How many of the 8-byte blocks [a, b) are held. Offsets are multiples of
 * 8 and only the last fragment ends within a block: two fragments overlap
 * exactly when they share a block. */
static size_t blocks_held(const uint8_t *map, size_t a, size_t b)
{
	size_t n = 0;

	for (size_t i = a; i < b; i++)
		n += (map[i / 8] >> (i % 8)) & 1;
	return n;
}

static void store(struct nsl_reass_dgram *d, const struct frag *fr, const uint8_t *f)
{
	memcpy(d->buf + PAYLOAD_AT + fr->off, fr->ip + fr->hlen, fr->end - fr->off);
	for (size_t i = fr->off / 8; i < (fr->end + 7) / 8; i++)
		d->map[i / 8] |= (uint8_t)(1u << (i % 8));
	d->got += fr->end - fr->off;
	d->n_frags++;
	if (fr->end > d->max_end)
		d->max_end = fr->end;
	if (!fr->mf) {
		d->have_last = true;
		d->total = fr->end;
	}
	if (fr->off == 0) { /* its headers (and IP options) are the datagram's */
		d->hlen = fr->hlen;
		memcpy(d->buf + PAYLOAD_AT - fr->hlen - ETH_HLEN, f, ETH_HLEN + fr->hlen);
	}
}

/* Once every byte up to the last fragment's end is held (none overlap, so
 * counting them is enough), the frame for libslirp: the first fragment's
 * headers with the whole length, no fragment bits and a new checksum;
 * its length, or 0. */
static size_t complete(struct nsl_reass_dgram *d, uint8_t **out, unsigned long long *dropped)
{
	uint8_t *ip;
	size_t tlen;

	if (!d->have_last || d->got != d->total || d->hlen == 0)
		return 0;
	tlen = d->hlen + d->total;
	if (tlen > IP_MAX_LEN) { /* the first fragment's options made it too long */
		give_up(d, dropped);
		return 0;
	}
	ip = d->buf + PAYLOAD_AT - d->hlen;
	nsl_put16(ip + 2, (unsigned)tlen);
	ip[6] = ip[7] = 0;
	ip[10] = ip[11] = 0;
	nsl_put16(ip + 10, nsl_fold(nsl_sum16(ip, d->hlen, 0)));
	d->used = false; /* buf stays valid until the next call */
	*out = ip - ETH_HLEN;
	return ETH_HLEN + tlen;
}

size_t nsl_reass_in(struct nsl_reass *r, const uint8_t *f, size_t len, int64_t now_ms,
		    uint8_t **out, unsigned long long *dropped)
{
	struct nsl_reass_dgram *d;
	struct frag fr;
	size_t a, b, held;

	expire(r, now_ms, dropped);
	if (!parse(f, len, &fr)) {
		++*dropped;
		return 0;
	}
	d = find(r, &fr);
	if (!fits(d, &fr)) {
		if (d)
			give_up(d, dropped);
		++*dropped;
		return 0;
	}
	if (d == NULL && (d = dgram_new(r, &fr, now_ms, dropped)) == NULL) {
		++*dropped;
		return 0;
	}
	a = fr.off / 8;
	b = (fr.end + 7) / 8;
	held = blocks_held(d->map, a, b);
	if (held == b - a) { /* a duplicate: nothing new */
		++*dropped;
		return 0;
	}
	if (held > 0) { /* an overlap */
		give_up(d, dropped);
		++*dropped;
		return 0;
	}
	store(d, &fr, f);
	return complete(d, out, dropped);
}

size_t nsl_reass_held(const struct nsl_reass *r)
{
	size_t n = 0;

	for (size_t i = 0; i < NSL_REASS_SLOTS; i++)
		n += r->d[i].used;
	return n;
}

void nsl_reass_fini(struct nsl_reass *r)
{
	for (size_t i = 0; i < NSL_REASS_SLOTS; i++) {
		free(r->d[i].buf);
		r->d[i].buf = NULL;
		r->d[i].used = false;
	}
}
