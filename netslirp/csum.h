/* csum.h: the Internet checksum (RFC 1071) and big-endian field access for
 * the frames netslirp parses and builds itself (reass.c, udpfwd.c). */
#ifndef UMLRUN_NETSLIRP_CSUM_H
#define UMLRUN_NETSLIRP_CSUM_H

#include <stddef.h>
#include <stdint.h>

static inline unsigned nsl_get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static inline void nsl_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* s plus the 16-bit words of p (len bytes; an odd last byte padded). */
static inline uint64_t nsl_sum16(const uint8_t *p, size_t len, uint64_t s)
{
	for (; len > 1; p += 2, len -= 2)
		s += nsl_get16(p);
	if (len)
		s += (unsigned)p[0] << 8;
	return s;
}

/* The checksum of a sum: its ones' complement, folded to 16 bits; 0 when
 * the sum covered a checksum that holds. */
static inline unsigned nsl_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~(unsigned)s & 0xffff;
}

#endif
