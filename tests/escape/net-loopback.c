/* net-loopback.c: a hostile guest program (static) that addresses the
 * host's loopback directly (tests/escape/net.sh). The guest's own stack
 * keeps 127.0.0.1 and ::1 to itself, so it writes raw Ethernet frames to
 * vec0 (AF_PACKET), with valid checksums, each 3 times:
 *   udp-127.0.0.1        UDP to 127.0.0.1:U4
 *   udp-0.0.0.0          UDP to 0.0.0.0:U4 ("this host": its loopback)
 *   tcp-127.0.0.1        a TCP SYN to 127.0.0.1:T4
 *   udp-::1              UDP to [::1]:U6
 *   tcp-::1              a TCP SYN to [::1]:T6
 *   udp-::ffff:127.0.0.1 UDP to the IPv4-mapped 127.0.0.1:U4
 *   udp-::127.0.0.1      UDP to the IPv4-compatible 127.0.0.1:U4
 * Each UDP payload is "escaped:NAME". Usage: net-loopback U4 T4 U6 T6;
 * prints "sent" at the end. */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static uint8_t frame[256];

static uint32_t sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (; n > 1; p += 2, n -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The TCP or UDP header + payload at l4 (len bytes), its checksum over
 * the pseudo-header of addresses src/dst (alen bytes each). */
static void l4_sum(uint8_t *l4, size_t len, const uint8_t *src, const uint8_t *dst, size_t alen,
		   uint8_t proto, size_t sum_at)
{
	uint32_t s = sum(src, alen, 0);
	uint16_t c;

	s = sum(dst, alen, s) + proto + (uint32_t)len;
	l4[sum_at] = l4[sum_at + 1] = 0;
	c = fold(sum(l4, len, s));
	l4[sum_at] = (uint8_t)(c >> 8);
	l4[sum_at + 1] = (uint8_t)c;
}

/* The TCP SYN or UDP datagram carrying name, at l4; returns its length. */
static size_t l4_fill(uint8_t *l4, uint8_t proto, unsigned port, const char *name)
{
	size_t len;

	l4[0] = 0x9c;
	l4[1] = 0x41; /* source port 40001 */
	l4[2] = (uint8_t)(port >> 8);
	l4[3] = (uint8_t)port;
	if (proto == 6) {
		memset(l4 + 4, 0, 16);
		l4[7] = 1;	  /* seq */
		l4[12] = 5 << 4; /* header length */
		l4[13] = 0x02;	  /* SYN */
		l4[14] = 0xff;	  /* window */
		return 20;
	}
	len = 8 + strlen("escaped:") + strlen(name);
	l4[4] = (uint8_t)(len >> 8);
	l4[5] = (uint8_t)len;
	sprintf((char *)l4 + 8, "escaped:%s", name);
	return len;
}

static size_t v4(const char *dst, uint8_t proto, unsigned port, const char *name)
{
	uint8_t *ip = frame + 14, *l4 = ip + 20;
	size_t len = l4_fill(l4, proto, port, name);

	frame[12] = 0x08;
	frame[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + len) >> 8);
	ip[3] = (uint8_t)(20 + len);
	ip[8] = 64;
	ip[9] = proto;
	inet_pton(AF_INET, "10.0.2.15", ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	uint16_t c = fold(sum(ip, 20, 0));
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	l4_sum(l4, len, ip + 12, ip + 16, 4, proto, proto == 6 ? 16 : 6);
	return 14 + 20 + len;
}

static size_t v6(const char *dst, uint8_t proto, unsigned port, const char *name)
{
	uint8_t *ip = frame + 14, *l4 = ip + 40;
	size_t len = l4_fill(l4, proto, port, name);

	frame[12] = 0x86;
	frame[13] = 0xdd;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[4] = (uint8_t)(len >> 8);
	ip[5] = (uint8_t)len;
	ip[6] = proto;
	ip[7] = 64;
	inet_pton(AF_INET6, "fd00::15", ip + 8);
	inet_pton(AF_INET6, dst, ip + 24);
	l4_sum(l4, len, ip + 8, ip + 24, 16, proto, proto == 6 ? 16 : 6);
	return 14 + 40 + len;
}

int main(int argc, char **argv)
{
	static const uint8_t gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	unsigned u4, t4, u6, t6;
	int s = socket(AF_PACKET, SOCK_RAW, 0);

	if (argc != 5 || s < 0)
		return fprintf(stderr, "usage: net-loopback U4 T4 U6 T6 (as root)\n"), 1;
	u4 = (unsigned)atoi(argv[1]);
	t4 = (unsigned)atoi(argv[2]);
	u6 = (unsigned)atoi(argv[3]);
	t6 = (unsigned)atoi(argv[4]);
	sll.sll_ifindex = (int)if_nametoindex("vec0");
	memcpy(frame, gw_mac, 6);
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6);
	for (int round = 0; round < 3; round++) {
		struct {
			int v6;
			const char *dst;
			uint8_t proto;
			unsigned port;
			const char *name;
		} a[] = {
			{ 0, "127.0.0.1", 17, u4, "udp-127.0.0.1" },
			{ 0, "0.0.0.0", 17, u4, "udp-0.0.0.0" },
			{ 0, "127.0.0.1", 6, t4, "tcp-127.0.0.1" },
			{ 1, "::1", 17, u6, "udp-::1" },
			{ 1, "::1", 6, t6, "tcp-::1" },
			{ 1, "::ffff:127.0.0.1", 17, u4, "udp-::ffff:127.0.0.1" },
			{ 1, "::127.0.0.1", 17, u4, "udp-::127.0.0.1" },
		};

		for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
			size_t n = a[i].v6 ? v6(a[i].dst, a[i].proto, a[i].port, a[i].name)
					   : v4(a[i].dst, a[i].proto, a[i].port, a[i].name);

			if (sendto(s, frame, n, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
				perror("net-loopback: sendto");
		}
	}
	printf("sent\n");
	return 0;
}
