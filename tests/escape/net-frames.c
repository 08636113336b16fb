/* net-frames.c: a hostile guest program (static, run as guest root) that
 * sends malformed Ethernet frames out of vec0 through an AF_PACKET socket:
 * random bytes, truncated headers, bogus IPv4/IPv6/ARP/TCP/UDP/ICMP
 * headers with lying lengths, TCP SYNs with mangled options (netslirp
 * rewrites their MSS), IPv4 fragments with valid headers that overlap,
 * repeat, run past 65535 bytes or complete (netslirp reassembles them),
 * runt and jumbo frames. umlrun-netslirp must drop them and keep serving
 * (tests/escape/net.sh). Usage: net-frames N */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

/* An IPv4 or IPv6 TCP SYN to the gateway in f, options of random kinds
 * and lengths (an MSS among them, maybe at an odd offset, maybe running
 * past the header), a header length that may lie; returns its length. */
static size_t tcp_syn(unsigned char *f, int v6)
{
	size_t ip = 14, tcp = ip + (v6 ? 40 : 20), o = tcp + 20, hl = (rnd() % 11 + 5) * 4;

	memset(f, 0xff, 6);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		f[ip] = 0x60;
		f[ip + 4] = 0;
		f[ip + 5] = (unsigned char)(hl + rnd() % 8);
		f[ip + 6] = 6;
	} else {
		f[ip] = 0x45;
		f[ip + 2] = 0;
		f[ip + 3] = (unsigned char)(20 + hl + rnd() % 8);
		f[ip + 6] = (unsigned char)(rnd() % 2 ? 0x40 : 0);
		f[ip + 7] = 0;
		f[ip + 9] = 6;
		memcpy(f + ip + 16, (unsigned char[]){ 10, 0, 2, 2 }, 4);
	}
	f[tcp + 12] = (unsigned char)(hl << 2);
	f[tcp + 13] = (unsigned char)(0x02 | (rnd() % 2 ? 0x10 : 0));
	while (o < tcp + 60) {
		unsigned k = rnd() % 4;

		f[o] = k == 0 ? 1 : k == 1 ? 2 : (unsigned char)rnd();
		f[o + 1] = k == 1 && rnd() % 2 ? 4 : (unsigned char)(rnd() % 8);
		o += k == 0 ? 1 : 2 + rnd() % 4;
	}
	return tcp + hl + rnd() % 16;
}

/* An IPv4 fragment of a UDP or ICMP datagram to the gateway in f, its
 * header checksum valid: ids, offsets and lengths from small sets, so
 * that fragments meet, overlap, repeat, complete a datagram or end past
 * 65535 bytes; some with IP options. Returns its length. */
static size_t ipv4_fragment(unsigned char *f)
{
	size_t ip = 14, hl = rnd() % 8 == 0 ? 20 + 4 * (rnd() % 11) : 20;
	size_t plen = rnd() % 4 == 0 ? rnd() % 1480 : 8 * (rnd() % 8);
	unsigned off = rnd() % 8 == 0 ? 8191 - rnd() % 4 : rnd() % 16; /* 8-byte units */
	unsigned fo = off | (rnd() % 3 ? 0x2000 : 0), sum = 0;

	if (hl + plen > 1500)
		plen = 1500 - hl;
	memset(f, 0xff, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + ip, 1, hl); /* options: NOPs */
	f[ip] = (unsigned char)(0x40 | hl / 4);
	f[ip + 1] = 0;
	f[ip + 2] = (unsigned char)((hl + plen) >> 8);
	f[ip + 3] = (unsigned char)(hl + plen);
	f[ip + 4] = 0;
	f[ip + 5] = (unsigned char)(rnd() % 4);
	f[ip + 6] = (unsigned char)((fo ? fo : 1) >> 8);
	f[ip + 7] = (unsigned char)(fo ? fo : 1);
	f[ip + 8] = 64;
	f[ip + 9] = rnd() % 2 ? 1 : 17;
	f[ip + 10] = f[ip + 11] = 0;
	memcpy(f + ip + 12, (unsigned char[]){ 10, 0, 2, 15, 10, 0, 2, 2 }, 8);
	for (size_t i = 0; i < hl; i += 2)
		sum += (unsigned)f[ip + i] << 8 | f[ip + i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[ip + 10] = (unsigned char)(~sum >> 8);
	f[ip + 11] = (unsigned char)~sum;
	return ip + hl + plen;
}

int main(int argc, char **argv)
{
	static const unsigned short types[] = { 0x0800, 0x86dd, 0x0806, 0x8100, 0x0000, 0xffff };
	static const unsigned char protos[] = { 6, 17, 1, 58, 0, 255 };
	unsigned char f[9000];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	long n = argc > 1 ? atol(argv[1]) : 20000, sent = 0;
	int s = socket(AF_PACKET, SOCK_RAW, 0);

	if (s < 0 || (sll.sll_ifindex = (int)if_nametoindex("vec0")) == 0 ||
	    bind(s, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("net-frames: socket/vec0");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		size_t len = rnd() % 1515;
		unsigned char *ip = f + 14;

		for (size_t j = 0; j < sizeof(f); j++)
			f[j] = (unsigned char)rnd();
		if (i % 3 == 0) { /* a plausible header with lies further in */
			unsigned short t = types[rnd() % 6];

			memset(f, 0xff, 6);
			f[12] = (unsigned char)(t >> 8);
			f[13] = (unsigned char)t;
			if (t == 0x0800) {
				ip[0] = (unsigned char)(0x40 | (rnd() % 16));
				ip[9] = protos[rnd() % 6];
				memcpy(ip + 16, (unsigned char[]){ 10, 0, 2, (unsigned char)(rnd() % 4 + 1) }, 4);
			} else if (t == 0x86dd) {
				ip[0] = 0x60;
				ip[6] = protos[rnd() % 6];
			}
		}
		if (i % 3 == 1) /* a TCP SYN whose options netslirp reads: MSS, lies */
			len = tcp_syn(f, rnd() % 2);
		if (i % 3 == 2 && rnd() % 2) /* fragments netslirp reassembles */
			len = ipv4_fragment(f);
		if (i % 101 == 0)
			len = rnd() % 14;
		if (send(s, f, len, 0) >= 0)
			sent++;
	}
	printf("net-frames: sent %ld of %ld\n", sent, n);
	return 0;
}
