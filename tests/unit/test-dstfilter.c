/* test-dstfilter.c: netslirp's forbidden destinations (netslirp/dstfilter.c):
 * IPv4 and IPv6 frames to each kind of address and port, what must pass,
 * and short or odd frames (left to libslirp). */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../../netslirp/dstfilter.h"
#include "tap.h"

static uint8_t f[128];

/* An IPv4 frame to dst, protocol proto, destination port port (TCP/UDP);
 * returns its length. */
static size_t v4(const char *dst, uint8_t proto, uint16_t port)
{
	memset(f, 0, sizeof(f));
	f[12] = 0x08;
	f[14] = 0x45;
	f[23] = proto;
	inet_pton(AF_INET, "10.0.2.15", f + 26);
	inet_pton(AF_INET, dst, f + 30);
	f[34 + 2] = (uint8_t)(port >> 8);
	f[34 + 3] = (uint8_t)port;
	return 34 + 20;
}

static size_t v6(const char *dst, uint8_t proto, uint16_t port)
{
	memset(f, 0, sizeof(f));
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[20] = proto;
	inet_pton(AF_INET6, "fd00::15", f + 22);
	inet_pton(AF_INET6, dst, f + 38);
	f[54 + 2] = (uint8_t)(port >> 8);
	f[54 + 3] = (uint8_t)port;
	return 54 + 20;
}

int main(void)
{
	struct tap t = { 0 };
	static const char *const v4_no[] = { "127.0.0.1", "127.1.2.3", "127.255.255.255",
					     "0.0.0.0", "0.1.2.3" };
	static const char *const v4_yes[] = { "10.0.2.2", "8.8.8.8", "192.168.1.1", "126.255.255.255",
					      "128.0.0.1", "1.0.0.0" };
	static const char *const v6_no[] = { "::1", "::", "::127.0.0.1", "::ffff:127.0.0.1",
					     "::ffff:0.0.0.0", "::ffff:8.8.8.8" };
	static const char *const v6_yes[] = { "fd00::2", "2001:db8::1", "fe80::1", "ff02::1",
					      "64:ff9b::7f00:1" };
	size_t len;

	for (size_t i = 0; i < sizeof(v4_no) / sizeof(v4_no[0]); i++) {
		TAP_OK(&t, nsl_dst_forbidden(f, v4(v4_no[i], 17, 9)), "UDP to %s dropped", v4_no[i]);
		TAP_OK(&t, nsl_dst_forbidden(f, v4(v4_no[i], 6, 22)), "TCP to %s dropped", v4_no[i]);
		TAP_OK(&t, nsl_dst_forbidden(f, v4(v4_no[i], 1, 0)), "ICMP to %s dropped", v4_no[i]);
	}
	for (size_t i = 0; i < sizeof(v4_yes) / sizeof(v4_yes[0]); i++)
		TAP_OK(&t, !nsl_dst_forbidden(f, v4(v4_yes[i], 6, 80)), "TCP to %s passes", v4_yes[i]);
	for (size_t i = 0; i < sizeof(v6_no) / sizeof(v6_no[0]); i++) {
		TAP_OK(&t, nsl_dst_forbidden(f, v6(v6_no[i], 17, 9)), "UDP to %s dropped", v6_no[i]);
		TAP_OK(&t, nsl_dst_forbidden(f, v6(v6_no[i], 58, 0)), "ICMPv6 to %s dropped", v6_no[i]);
	}
	for (size_t i = 0; i < sizeof(v6_yes) / sizeof(v6_yes[0]); i++)
		TAP_OK(&t, !nsl_dst_forbidden(f, v6(v6_yes[i], 6, 80)), "TCP to %s passes", v6_yes[i]);

	/* the DNS address: port 53 over TCP and UDP, and ICMP (libslirp answers) */
	TAP_OK(&t, !nsl_dst_forbidden(f, v4("10.0.2.3", 17, 53)), "UDP 10.0.2.3:53 passes");
	TAP_OK(&t, !nsl_dst_forbidden(f, v4("10.0.2.3", 6, 53)), "TCP 10.0.2.3:53 passes");
	TAP_OK(&t, !nsl_dst_forbidden(f, v4("10.0.2.3", 1, 0)), "ping 10.0.2.3 passes");
	TAP_OK(&t, nsl_dst_forbidden(f, v4("10.0.2.3", 17, 5353)), "UDP 10.0.2.3:5353 dropped");
	TAP_OK(&t, nsl_dst_forbidden(f, v4("10.0.2.3", 6, 22)), "TCP 10.0.2.3:22 dropped");
	TAP_OK(&t, !nsl_dst_forbidden(f, v6("fd00::3", 17, 53)), "UDP [fd00::3]:53 passes");
	TAP_OK(&t, nsl_dst_forbidden(f, v6("fd00::3", 6, 8080)), "TCP [fd00::3]:8080 dropped");
	TAP_OK(&t, !nsl_dst_forbidden(f, v4("10.0.2.2", 6, 22)), "TCP 10.0.2.2:22 left to libslirp");

	/* IP options move the ports */
	len = v4("10.0.2.3", 17, 0);
	f[14] = 0x46;
	f[38 + 2] = 0;
	f[38 + 3] = 53;
	TAP_OK(&t, !nsl_dst_forbidden(f, len + 4), "UDP 10.0.2.3:53 after 4 bytes of options passes");
	f[38 + 3] = 54;
	TAP_OK(&t, nsl_dst_forbidden(f, len + 4), "UDP 10.0.2.3:54 after options dropped");
	/* a later fragment to the DNS address has no ports: dropped */
	len = v4("10.0.2.3", 17, 53);
	f[20] = 0x00;
	f[21] = 0x10;
	TAP_OK(&t, nsl_dst_forbidden(f, len), "a later fragment to 10.0.2.3 dropped");
	/* the ports cut off */
	len = v4("10.0.2.3", 17, 53);
	TAP_OK(&t, nsl_dst_forbidden(f, 34 + 2), "UDP to 10.0.2.3 without its ports dropped");

	/* short and other frames: libslirp's to drop */
	len = v4("127.0.0.1", 17, 9);
	TAP_OK(&t, !nsl_dst_forbidden(f, 33), "a short IPv4 frame is left to libslirp");
	TAP_OK(&t, nsl_dst_forbidden(f, 34), "an IPv4 header alone to 127.0.0.1 dropped");
	TAP_OK(&t, !nsl_dst_forbidden(f, 10), "a frame shorter than Ethernet's header is left");
	len = v6("::1", 17, 9);
	TAP_OK(&t, !nsl_dst_forbidden(f, 53), "a short IPv6 frame is left to libslirp");
	f[12] = 0x08;
	f[13] = 0x06;
	TAP_OK(&t, !nsl_dst_forbidden(f, len), "ARP passes");
	return tap_done(&t);
}
