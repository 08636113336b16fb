/* test-reass.c: unit tests of netslirp's IPv4 reassembly (netslirp/reass.c),
 * alone, with made-up times: fragments in order, out of order, duplicated,
 * overlapping (the datagram given up), too long, with IP options and
 * Ethernet padding, the largest datagram, datagrams kept apart by their
 * key, eviction of the oldest, the timeout, bad lengths and headers, and
 * random sequences: valid datagrams shuffled with duplicates (each comes
 * out once, byte for byte) and hostile fragments (whatever comes out is a
 * well-formed frame); the suite's ASan/UBSan pass runs it too. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../netslirp/reass.h"
#include "tap.h"

#define ETH    14
#define UDP    17
#define ICMP   1
#define TO     NSL_REASS_TIMEOUT_MS
#define MAXLEN (ETH + 60 + 65535 + 64)

/* Payload bytes: datagram id's payload starts at data[id % 4096]. */
static uint8_t data[65536 + 4096];
static uint8_t frame[MAXLEN];
static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

struct ctx {
	struct nsl_reass r;
	unsigned long long dropped;
	int64_t now;
	uint8_t *out;
};

/* One fragment, as the tests describe it; hlen 0 means 20. */
struct frag {
	uint16_t id;
	size_t off, len;
	bool mf;
	uint8_t proto; /* 0: UDP */
	size_t hlen;
	uint8_t src_last; /* 0: 10.0.2.15 */
};

/* to the gateway's MAC, from the guest's, IPv4 */
static const uint8_t eth_hdr[ETH] = "\x52\x55\x0a\x00\x02\x02\x52\x54\x00\x12\x34\x56\x08\x00";

static unsigned sum16(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* fr as an Ethernet frame in f (IP options: NOPs); its length. */
static size_t build(uint8_t *f, const struct frag *fr)
{
	size_t hlen = fr->hlen ? fr->hlen : 20, tlen = hlen + fr->len;
	unsigned fo = (unsigned)(fr->off / 8) | (fr->mf ? 0x2000 : 0), sum;
	uint8_t *ip = f + ETH;

	memcpy(f, eth_hdr, ETH);
	memset(ip, 1, hlen);
	ip[0] = (uint8_t)(0x40 | hlen / 4);
	ip[1] = 0;
	ip[2] = (uint8_t)(tlen >> 8);
	ip[3] = (uint8_t)tlen;
	ip[4] = (uint8_t)(fr->id >> 8);
	ip[5] = (uint8_t)fr->id;
	ip[6] = (uint8_t)(fo >> 8);
	ip[7] = (uint8_t)fo;
	ip[8] = 64;
	ip[9] = fr->proto ? fr->proto : UDP;
	ip[10] = ip[11] = 0;
	memcpy(ip + 12, (uint8_t[]){ 10, 0, 2, fr->src_last ? fr->src_last : 15 }, 4);
	memcpy(ip + 16, (uint8_t[]){ 10, 0, 2, 2 }, 4);
	sum = ~sum16(ip, hlen) & 0xffff;
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	memcpy(ip + hlen, data + fr->id % 4096 + fr->off, fr->len);
	return ETH + tlen;
}

static size_t feed_raw(struct ctx *c, const uint8_t *f, size_t len)
{
	return nsl_reass_in(&c->r, f, len, c->now, &c->out, &c->dropped);
}

/* Feeds fr; the length of the datagram it completed, or 0. */
static size_t feed(struct ctx *c, struct frag fr)
{
	return feed_raw(c, frame, build(frame, &fr));
}

static void ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->now = 1000;
}

static void ctx_reset(struct ctx *c)
{
	nsl_reass_fini(&c->r);
	ctx_init(c);
}

/* Runs one test with a fresh context. */
static void run(struct tap *t, void (*test)(struct tap *, struct ctx *))
{
	struct ctx c;

	ctx_init(&c);
	test(t, &c);
	nsl_reass_fini(&c.r);
}

/* c holds so many datagrams and has dropped so many frames. */
static bool counts(const struct ctx *c, size_t held, unsigned long long dropped)
{
	if (nsl_reass_held(&c->r) == held && c->dropped == dropped)
		return true;
	printf("# %zu held, %llu dropped; want %zu, %llu\n", nsl_reass_held(&c->r), c->dropped,
	       held, dropped);
	return false;
}

/* The frame c->out of got bytes is datagram id (proto, IP header hlen,
 * total payload bytes) whole: the first fragment's headers, one
 * unfragmented datagram, a valid checksum, every payload byte. */
static bool is_datagram(const struct ctx *c, size_t got, uint16_t id, uint8_t proto, size_t hlen,
			size_t total)
{
	const uint8_t *f = c->out, *ip = f + ETH;
	size_t tlen = hlen + total;

	if (got != ETH + tlen) {
		printf("# frame of %zu bytes, want %zu\n", got, ETH + tlen);
		return false;
	}
	return memcmp(f, eth_hdr, ETH) == 0 && ip[0] == (0x40 | hlen / 4) &&
	       ((size_t)ip[2] << 8 | ip[3]) == tlen && ((unsigned)ip[4] << 8 | ip[5]) == id &&
	       ip[6] == 0 && ip[7] == 0 && ip[9] == proto && sum16(ip, hlen) == 0xffff &&
	       memcmp(ip + 12, (uint8_t[]){ 10, 0, 2, 15, 10, 0, 2, 2 }, 8) == 0 &&
	       (hlen == 20 || ip[20] == 1) && memcmp(ip + hlen, data + id % 4096, total) == 0;
}

static void test_in_order(struct tap *t, struct ctx *c)
{
	size_t a, b, got;

	a = feed(c, (struct frag){ .id = 1, .off = 0, .len = 1480, .mf = true });
	b = feed(c, (struct frag){ .id = 1, .off = 1480, .len = 1480, .mf = true });
	TAP_OK(t, a == 0 && b == 0 && counts(c, 1, 0), "in order: held until the last");
	got = feed(c, (struct frag){ .id = 1, .off = 2960, .len = 1040 });
	TAP_OK(t, is_datagram(c, got, 1, UDP, 20, 4000), "in order: one 4000-byte datagram");
	TAP_OK(t, counts(c, 0, 0), "in order: nothing dropped or left");
}

static void test_out_of_order(struct tap *t, struct ctx *c)
{
	size_t got;

	feed(c, (struct frag){ .id = 7, .off = 2960, .len = 3 });
	feed(c, (struct frag){ .id = 7, .off = 1480, .len = 1480, .mf = true });
	got = feed(c, (struct frag){ .id = 7, .off = 0, .len = 1480, .mf = true });
	TAP_OK(t, is_datagram(c, got, 7, UDP, 20, 2963), "last, middle, first: the datagram");
	TAP_OK(t, counts(c, 0, 0), "out of order: nothing dropped");
}

static void test_duplicate(struct tap *t, struct ctx *c)
{
	size_t d1, d2, d3, got;

	feed(c, (struct frag){ .id = 2, .off = 0, .len = 16, .mf = true });
	d1 = feed(c, (struct frag){ .id = 2, .off = 0, .len = 16, .mf = true });
	/* nothing new either: within what is held */
	d2 = feed(c, (struct frag){ .id = 2, .off = 8, .len = 8, .mf = true });
	feed(c, (struct frag){ .id = 2, .off = 24, .len = 5 });
	d3 = feed(c, (struct frag){ .id = 2, .off = 24, .len = 5 });
	TAP_OK(t, d1 == 0 && d2 == 0 && d3 == 0 && counts(c, 1, 3),
	       "duplicates are dropped alone (dropped %llu)", c->dropped);
	got = feed(c, (struct frag){ .id = 2, .off = 16, .len = 8, .mf = true });
	TAP_OK(t, is_datagram(c, got, 2, UDP, 20, 29), "the datagram completes after duplicates");
}

static void test_overlap(struct tap *t, struct ctx *c)
{
	size_t got;

	feed(c, (struct frag){ .id = 3, .off = 0, .len = 1480, .mf = true });
	feed(c, (struct frag){ .id = 3, .off = 1472, .len = 1480, .mf = true });
	TAP_OK(t, counts(c, 0, 2),
	       "an overlap gives the datagram up, both fragments dropped (%llu)", c->dropped);
	feed(c, (struct frag){ .id = 3, .off = 1480, .len = 1480, .mf = true });
	got = feed(c, (struct frag){ .id = 3, .off = 2960, .len = 40 });
	TAP_OK(t, got == 0 && counts(c, 1, 2), "the rest of it never completes");

	/* teardrop: the second fragment starts inside the first, ends before */
	ctx_reset(c);
	feed(c, (struct frag){ .id = 4, .off = 0, .len = 48, .mf = true });
	got = feed(c, (struct frag){ .id = 4, .off = 24, .len = 4 });
	TAP_OK(t, got == 0 && counts(c, 0, 2),
	       "teardrop (a last fragment inside the first) is dropped");

	/* the same offset, a longer fragment: part new, part held */
	ctx_reset(c);
	feed(c, (struct frag){ .id = 5, .off = 8, .len = 8, .mf = true });
	feed(c, (struct frag){ .id = 5, .off = 8, .len = 16, .mf = true });
	feed(c, (struct frag){ .id = 5, .off = 0, .len = 8, .mf = true });
	got = feed(c, (struct frag){ .id = 5, .off = 24, .len = 8 });
	TAP_OK(t, got == 0 && counts(c, 1, 2),
	       "a fragment growing a held one over the next is an overlap");
}

static void test_too_long(struct tap *t, struct ctx *c)
{
	size_t got;

	/* ping of death: the last fragment ends past 65535 */
	feed(c, (struct frag){ .id = 9, .off = 0, .len = 1480, .mf = true, .proto = ICMP });
	got = feed(c, (struct frag){ .id = 9, .off = 65528, .len = 16, .proto = ICMP });
	TAP_OK(t, got == 0 && counts(c, 0, 2), "a fragment past 65535 bytes gives its datagram up");

	/* the largest datagram: 65535 bytes in all */
	ctx_reset(c);
	feed(c, (struct frag){ .id = 10, .off = 0, .len = 65000, .mf = true });
	got = feed(c, (struct frag){ .id = 10, .off = 65000, .len = 515 });
	TAP_OK(t, is_datagram(c, got, 10, UDP, 20, 65515), "a datagram of 65535 bytes completes");

	/* fragments that fit but the first's options make it too long */
	ctx_reset(c);
	feed(c, (struct frag){ .id = 11, .off = 65504, .len = 8 });
	feed(c, (struct frag){ .id = 11, .off = 8, .len = 65496, .mf = true });
	got = feed(c, (struct frag){ .id = 11, .off = 0, .len = 8, .mf = true, .hlen = 60 });
	TAP_OK(t, got == 0 && counts(c, 0, 3),
	       "over 65535 bytes with the first fragment's header: given up");
}

static void test_options_and_padding(struct tap *t, struct ctx *c)
{
	size_t len, got;

	feed(c, (struct frag){ .id = 12, .off = 0, .len = 1472, .mf = true, .hlen = 28 });
	got = feed(c, (struct frag){ .id = 12, .off = 1472, .len = 100, .hlen = 24 });
	TAP_OK(t, is_datagram(c, got, 12, UDP, 28, 1572),
	       "IP options: the first fragment's header and options");

	/* a 6-byte last fragment in a frame padded to Ethernet's 60 bytes */
	feed(c, (struct frag){ .id = 13, .off = 0, .len = 8, .mf = true });
	len = build(frame, &(struct frag){ .id = 13, .off = 8, .len = 6 });
	memset(frame + len, 0xee, 60 - len);
	got = feed_raw(c, frame, 60);
	TAP_OK(t, is_datagram(c, got, 13, UDP, 20, 14), "Ethernet padding is not payload");
}

static void test_keys(struct tap *t, struct ctx *c)
{
	size_t a, b, d;

	/* id 20 as UDP and as ICMP, and from another source: three datagrams */
	feed(c, (struct frag){ .id = 20, .off = 0, .len = 16, .mf = true });
	feed(c, (struct frag){ .id = 20, .off = 0, .len = 24, .mf = true, .proto = ICMP });
	feed(c, (struct frag){ .id = 20, .off = 0, .len = 8, .mf = true, .src_last = 16 });
	TAP_OK(t, counts(c, 3, 0), "protocol and source keep apart");
	a = feed(c, (struct frag){ .id = 20, .off = 24, .len = 3, .proto = ICMP });
	a = is_datagram(c, a, 20, ICMP, 20, 27);
	b = feed(c, (struct frag){ .id = 20, .off = 16, .len = 5 });
	b = is_datagram(c, b, 20, UDP, 20, 21);
	d = feed(c, (struct frag){ .id = 21, .off = 8, .len = 5 });
	TAP_OK(t, a && b && d == 0 && counts(c, 2, 0), "each completes on its own");
}

static void test_eviction(struct tap *t, struct ctx *c)
{
	size_t got;

	for (uint16_t id = 100; id < 100 + NSL_REASS_SLOTS; id++) {
		feed(c, (struct frag){ .id = id, .off = 0, .len = 8, .mf = true });
		c->now++;
	}
	TAP_OK(t, counts(c, NSL_REASS_SLOTS, 0), "%d datagrams held", NSL_REASS_SLOTS);
	feed(c, (struct frag){ .id = 200, .off = 0, .len = 8, .mf = true });
	TAP_OK(t, counts(c, NSL_REASS_SLOTS, 1), "one more evicts one (dropped %llu)", c->dropped);
	got = feed(c, (struct frag){ .id = 100, .off = 8, .len = 3 });
	TAP_OK(t, got == 0, "the oldest was the one evicted");
	/* that fragment evicted the next oldest, 101 */
	got = feed(c, (struct frag){ .id = 102, .off = 8, .len = 3 });
	TAP_OK(t, is_datagram(c, got, 102, UDP, 20, 11), "the others still complete");
	got = feed(c, (struct frag){ .id = 200, .off = 8, .len = 3 });
	TAP_OK(t, is_datagram(c, got, 200, UDP, 20, 11), "and so does the newest");
}

static void test_timeout(struct tap *t, struct ctx *c)
{
	size_t got;

	feed(c, (struct frag){ .id = 30, .off = 0, .len = 8, .mf = true });
	c->now += TO - 1;
	got = feed(c, (struct frag){ .id = 30, .off = 8, .len = 8 });
	TAP_OK(t, is_datagram(c, got, 30, UDP, 20, 16), "complete just within the timeout");

	feed(c, (struct frag){ .id = 31, .off = 0, .len = 8, .mf = true });
	feed(c, (struct frag){ .id = 31, .off = 8, .len = 8, .mf = true });
	c->now += TO;
	got = feed(c, (struct frag){ .id = 31, .off = 16, .len = 8 });
	TAP_OK(t, got == 0 && counts(c, 1, 2),
	       "after the timeout the datagram is given up (dropped %llu)", c->dropped);
	c->now += TO;
	feed(c, (struct frag){ .id = 32, .off = 0, .len = 8, .mf = true });
	TAP_OK(t, counts(c, 1, 3), "an unrelated fragment expires them");
}

/* frame (len bytes) is dropped alone: nothing held, one more dropped. */
static void dropped_alone(struct tap *t, struct ctx *c, size_t len, const char *what)
{
	unsigned long long before = c->dropped;
	size_t got = feed_raw(c, frame, len);

	TAP_OK(t, got == 0 && counts(c, 0, before + 1), "dropped: %s", what);
}

static void test_bad_headers(struct tap *t, struct ctx *c)
{
	struct frag f = { .id = 40, .off = 8, .len = 16, .mf = true };
	size_t len;

	len = build(frame, &f);
	frame[ETH + 11] ^= 1;
	dropped_alone(t, c, len, "a bad header checksum");
	len = build(frame, &f);
	dropped_alone(t, c, len - 1, "a total length past the frame");
	len = build(frame, &f);
	frame[ETH + 2] = 0;
	frame[ETH + 3] = 19;
	frame[ETH + 10] = frame[ETH + 11] = 0;
	frame[ETH + 10] = (uint8_t)(~sum16(frame + ETH, 20) >> 8);
	frame[ETH + 11] = (uint8_t)~sum16(frame + ETH, 20);
	dropped_alone(t, c, len, "a total length under the header's");
	len = build(frame, &f);
	frame[ETH] = 0x44;
	dropped_alone(t, c, len, "a header length of 16");
	len = build(frame, &f);
	frame[ETH] = 0x65;
	dropped_alone(t, c, len, "version 6");
	len = build(frame, &(struct frag){ .id = 40, .off = 8, .len = 8, .hlen = 60 });
	dropped_alone(t, c, ETH + 40, "a header longer than the frame");
	TAP_OK(t, !nsl_reass_is_fragment(frame, ETH + 19), "a frame too short is no fragment");
}

static void test_bad_lengths(struct tap *t, struct ctx *c)
{
	feed(c, (struct frag){ .id = 50, .off = 0, .len = 8, .mf = true });
	feed(c, (struct frag){ .id = 50, .off = 8, .len = 0, .mf = true });
	TAP_OK(t, counts(c, 0, 2), "an empty fragment gives up");
	feed(c, (struct frag){ .id = 51, .off = 8, .len = 0 });
	TAP_OK(t, counts(c, 0, 3), "an empty last fragment too");
	feed(c, (struct frag){ .id = 52, .off = 0, .len = 8, .mf = true });
	feed(c, (struct frag){ .id = 52, .off = 8, .len = 12, .mf = true });
	TAP_OK(t, counts(c, 0, 5), "a non-last fragment of 12 bytes gives up");
	feed(c, (struct frag){ .id = 53, .off = 8, .len = 16, .mf = true });
	feed(c, (struct frag){ .id = 53, .off = 32, .len = 8 });
	feed(c, (struct frag){ .id = 53, .off = 40, .len = 8, .mf = true });
	TAP_OK(t, counts(c, 0, 8), "a fragment past the last gives up (dropped %llu)", c->dropped);
	feed(c, (struct frag){ .id = 54, .off = 16, .len = 16, .mf = true });
	feed(c, (struct frag){ .id = 54, .off = 8, .len = 4 });
	TAP_OK(t, counts(c, 0, 10), "a last fragment short of what is held gives up");
	feed(c, (struct frag){ .id = 55, .off = 16, .len = 8 });
	feed(c, (struct frag){ .id = 55, .off = 32, .len = 8 });
	TAP_OK(t, counts(c, 0, 12), "a second last fragment gives up");
}

/* Datagrams of random sizes cut into random fragments, shuffled together,
 * some fragments sent twice before their datagram's last one: each
 * datagram comes out once, whole; only the duplicates are dropped. */
static void test_random_valid(struct tap *t)
{
	enum { ROUNDS = 300, PER = 4, MAXF = 256 };
	static struct frag fr[PER * MAXF];
	size_t total[PER], done[PER], last[PER], bad = 0, wrong = 0, left = 0;
	unsigned long long dups = 0, dropped = 0;
	struct ctx c;

	for (int round = 0; round < ROUNDS; round++) {
		size_t n = 0;

		ctx_init(&c);
		for (size_t d = 0; d < PER; d++) {
			uint16_t id = (uint16_t)(round * PER + d);
			size_t off = 0, step;

			total[d] = 9 + rnd() % (round % 10 == 0 ? NSL_REASS_MAX_PAYLOAD - 8 : 5000);
			done[d] = 0;
			while (off < total[d]) {
				step = 8 * (1 + rnd() % (round % 10 == 0 ? 2000 : 200));
				if (off == 0 && step >= total[d]) /* two fragments at least */
					step = (total[d] - 1) / 8 * 8;
				else if (off + step >= total[d] || n == PER * MAXF - 1)
					step = total[d] - off;
				fr[n++] = (struct frag){ .id = id,
							 .off = off,
							 .len = step,
							 .mf = off + step < total[d] };
				off += step;
			}
		}
		for (size_t i = n; i-- > 1;) { /* shuffle */
			size_t j = rnd() % (i + 1);
			struct frag x = fr[i];

			fr[i] = fr[j];
			fr[j] = x;
		}
		for (size_t i = 0; i < n; i++)
			last[fr[i].id % PER] = i;
		for (size_t i = 0; i < n; i++) {
			size_t d = fr[i].id % PER, got = feed(&c, fr[i]);

			if (got &&
			    (done[d]++ || !is_datagram(&c, got, fr[i].id, UDP, 20, total[d])))
				bad++;
			if (i != last[d] && rnd() % 8 == 0) {
				bad += feed(&c, fr[i]) != 0;
				dups++;
			}
		}
		for (size_t d = 0; d < PER; d++)
			wrong += done[d] != 1;
		left += nsl_reass_held(&c.r);
		dropped += c.dropped;
		nsl_reass_fini(&c.r);
	}
	TAP_OK(t, bad == 0, "random datagrams: every one out whole (%zu bad)", bad);
	TAP_OK(t, wrong == 0 && left == 0, "random datagrams: each once, none left (%zu, %zu)",
	       wrong, left);
	TAP_OK(t, dropped == dups, "random datagrams: the %llu duplicates dropped (%llu)", dups,
	       dropped);
}

/* A random, mostly hostile fragment: random offsets, lengths, flags, keys,
 * header lengths, corrupted bytes, truncated frames; half of them of
 * small datagrams that may complete. Its frame length. */
static size_t hostile(void)
{
	struct frag f = { .id = (uint16_t)(rnd() % 4),
			  .proto = rnd() % 2 ? UDP : ICMP,
			  .hlen = 20 + 4 * (rnd() % 11 == 0 ? rnd() % 11 : 0),
			  .mf = rnd() % 3 != 0 };
	size_t len;
	unsigned k;

	if (rnd() % 2) { /* small datagrams of 8-byte fragments: some complete */
		f.off = 8 * (rnd() % 4);
		f.len = f.mf ? 8 : 1 + rnd() % 8;
	} else {
		f.off = 8 * (rnd() % 4 == 0 ? rnd() % 8192 : rnd() % 64);
		k = rnd() % 15;
		if (k == 0)
			f.len = rnd() % 65536;
		else if (k < 4)
			f.len = rnd() % 40;
		else
			f.len = 8 * (rnd() % 200);
	}
	if (f.hlen + f.len > 65535)
		f.len = 65535 - f.hlen;
	if (f.off + f.len > 65536)
		f.off = 0;
	if (f.off == 0 && !f.mf)
		f.mf = true;
	len = build(frame, &f);
	if (rnd() % 10 == 0)
		frame[ETH + rnd() % 20] ^= (uint8_t)(1u << rnd() % 8);
	if (rnd() % 10 == 0)
		len = ETH + 20 + rnd() % (len - ETH - 19);
	return len;
}

/* Hostile sequences: whatever comes out is one well-formed unfragmented
 * frame; never more than the slots are held. */
static void test_random_hostile(struct tap *t)
{
	size_t bad = 0, out = 0, over = 0;
	struct ctx c;

	ctx_init(&c);
	for (int i = 0; i < 200000; i++) {
		size_t len = hostile(), got;
		const uint8_t *ip;
		size_t hlen, tlen;

		c.now += rnd() % 100 == 0 ? rnd() % (2 * TO) : rnd() % 3;
		if (!nsl_reass_is_fragment(frame, len))
			continue;
		got = feed_raw(&c, frame, len);
		over += nsl_reass_held(&c.r) > NSL_REASS_SLOTS;
		if (got == 0)
			continue;
		out++;
		ip = c.out + ETH;
		hlen = (size_t)(ip[0] & 0xf) * 4;
		tlen = (size_t)ip[2] << 8 | ip[3];
		bad += !(ip[0] >> 4 == 4 && hlen >= 20 && tlen >= hlen && got == ETH + tlen &&
			 ip[6] == 0 && ip[7] == 0 && sum16(ip, hlen) == 0xffff);
	}
	TAP_OK(t, bad == 0 && over == 0,
	       "hostile fragments: %zu datagrams out, all well-formed (%zu bad)", out, bad);
	nsl_reass_fini(&c.r);
}

int main(void)
{
	struct tap t = { 0 };

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rnd();
	run(&t, test_in_order);
	run(&t, test_out_of_order);
	run(&t, test_duplicate);
	run(&t, test_overlap);
	run(&t, test_too_long);
	run(&t, test_options_and_padding);
	run(&t, test_keys);
	run(&t, test_eviction);
	run(&t, test_timeout);
	run(&t, test_bad_headers);
	run(&t, test_bad_lengths);
	test_random_valid(&t);
	test_random_hostile(&t);
	return tap_done(&t);
}
