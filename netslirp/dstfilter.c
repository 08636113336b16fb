/* dstfilter.c: the destinations a guest's frame may not have. libslirp
 * translates only the addresses of its own network (10.0.2.0/24,
 * fd00::/64; disable_host_loopback covers the gateway's): a frame
 * addressed to 127.0.0.1 or ::1 itself went out of a host socket to the
 * host's loopback, whatever the sandbox's setting. So the guest's frames
 * to the loopback networks, "this host" (0.0.0.0/8, ::) and IPv4-mapped
 * or -compatible IPv6 addresses are dropped here before libslirp sees
 * them; and the DNS address (10.0.2.3, fd00::3), which libslirp sends on
 * to the host's resolver (a loopback address on many hosts), takes TCP
 * and UDP to port 53 only. */
#include "dstfilter.h"

#include <string.h>

#define ETH_HLEN 14
#define PROTO_TCP 6
#define PROTO_UDP 17
#define DNS_PORT 53

/* The destination port of a TCP or UDP header at l4 (ports come first in
 * both); -1 when the frame is too short to hold it. */
static int dst_port(const uint8_t *f, size_t len, size_t l4)
{
	if (l4 + 4 > len)
		return -1;
	return f[l4 + 2] << 8 | f[l4 + 3];
}

static bool ipv4_forbidden(const uint8_t *f, size_t len)
{
	static const uint8_t dns[4] = { 10, 0, 2, 3 };
	const uint8_t *ip = f + ETH_HLEN, *dst = ip + 16;
	size_t ihl;

	if (len < ETH_HLEN + 20)
		return false; /* libslirp drops it */
	if (dst[0] == 127 || dst[0] == 0)
		return true;
	if (memcmp(dst, dns, 4) != 0 || (ip[9] != PROTO_TCP && ip[9] != PROTO_UDP))
		return false;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	/* only a first fragment, or none, holds the ports: the others of a
	 * datagram to the DNS address go too */
	if (((ip[6] << 8 | ip[7]) & 0x1fff) != 0)
		return true;
	return dst_port(f, len, ETH_HLEN + ihl) != DNS_PORT;
}

static bool ipv6_forbidden(const uint8_t *f, size_t len)
{
	static const uint8_t zero[12] = { 0 };
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t dns[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3 };
	const uint8_t *ip = f + ETH_HLEN, *dst = ip + 24;

	if (len < ETH_HLEN + 40)
		return false; /* libslirp drops it */
	/* ::/96 (::, ::1, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped) */
	if (memcmp(dst, zero, 12) == 0 || memcmp(dst, mapped, 12) == 0)
		return true;
	if (memcmp(dst, dns, 16) != 0 || (ip[6] != PROTO_TCP && ip[6] != PROTO_UDP))
		return false;
	return dst_port(f, len, ETH_HLEN + 40) != DNS_PORT;
}

bool nsl_dst_forbidden(const uint8_t *f, size_t len)
{
	if (len < ETH_HLEN)
		return false;
	if (f[12] == 0x08 && f[13] == 0x00)
		return ipv4_forbidden(f, len);
	if (f[12] == 0x86 && f[13] == 0xdd)
		return ipv6_forbidden(f, len);
	return false;
}
