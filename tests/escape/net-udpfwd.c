/* net-udpfwd.c: a hostile guest program (static) behind a UDP port
 * forward to its port 5353 (tests/escape/net.sh). For each datagram
 * "attack PORT" that comes through the forward, from the address and port
 * the guest sees the host's client as (the gateway, 10.0.2.2, for one on
 * the host's loopback), it first tries to reach the host's loopback
 * through that flow:
 *   fwd-port-to-loopback-port    from 5353 to 10.0.2.2:PORT (a host
 *                                listener on 127.0.0.1 that sent nothing)
 *   other-port-to-loopback-port  from 5354 to 10.0.2.2:PORT
 *   other-port-to-client         from 5354 to the client's address and port
 *   fwd-port-to-client-port-elsewhere
 *                                from 5353 to 10.0.2.99 (routed through
 *                                the gateway), the client's port
 * each datagram saying "escaped:NAME", then answers "reply:" and the
 * datagram from 5353 to where it came from, the one thing that must pass.
 * Prints "ready" once bound. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int bound(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("net-udpfwd: bind");
		exit(1);
	}
	return s;
}

static void attack(int s, const char *name, struct sockaddr_in to)
{
	char msg[128];
	int len = snprintf(msg, sizeof(msg), "escaped:%s", name);

	if (sendto(s, msg, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		perror("net-udpfwd: sendto"); /* refused on the way: fine */
}

int main(void)
{
	int fwd = bound(5353), other = bound(5354);
	char buf[2048], out[2048 + 6];

	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct sockaddr_in from, to;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fwd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &fl);
		unsigned port;

		if (n < 0)
			return perror("net-udpfwd: recvfrom"), 1;
		buf[n] = '\0';
		if (sscanf(buf, "attack %u", &port) != 1 || port == 0 || port > 65535)
			continue;
		printf("from %s:%u, attacking port %u\n", inet_ntoa(from.sin_addr),
		       ntohs(from.sin_port), port);
		fflush(stdout);
		to = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port) };
		inet_pton(AF_INET, "10.0.2.2", &to.sin_addr);
		attack(fwd, "fwd-port-to-loopback-port", to);
		attack(other, "other-port-to-loopback-port", to);
		attack(other, "other-port-to-client", from);
		to = from;
		inet_pton(AF_INET, "10.0.2.99", &to.sin_addr);
		attack(fwd, "fwd-port-to-client-port-elsewhere", to);
		memcpy(out, "reply:", 6);
		memcpy(out + 6, buf, (size_t)n);
		if (sendto(fwd, out, (size_t)n + 6, 0, (struct sockaddr *)&from, fl) < 0)
			return perror("net-udpfwd: sendto"), 1;
	}
}
