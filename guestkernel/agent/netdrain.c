/* netdrain.c: the guest's TCP data on its way out when the container ends.
 * A workload that writes to a socket and exits at once leaves its data in
 * the guest kernel's send queue (the socket lives on, orphaned); powering
 * off then would lose it while the peer saw a clean close. So before the
 * agent reports the exit, it waits while the NIC's TCP sockets still have
 * data or a FIN that netslirp has not acknowledged (/proc/net/tcp, tcp6),
 * as long as that backlog keeps shrinking: NETDRAIN_STALL_MS without
 * progress, or NETDRAIN_MAX_MS in all, and it gives up. netslirp does the
 * same with what it holds once the kernel is gone (netslirp/main.c). */
#include "agent.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../runtime/cleanup.h"
#include "../../runtime/clock.h"

#define NETDRAIN_STALL_MS 2000
#define NETDRAIN_MAX_MS 30000
#define NETDRAIN_STEP_MS 5

/* TCP states (include/net/tcp_states.h) */
enum { ST_ESTABLISHED = 1, ST_FIN_WAIT1 = 4, ST_CLOSE_WAIT = 8, ST_LAST_ACK = 9,
       ST_CLOSING = 11 };

/* Whether a /proc/net/tcp{,6} local address is loopback (127/8, ::1 or
 * ::ffff:127/8): such connections never reach netslirp. The hex words are
 * the address's 32-bit words as the kernel holds them (host order, x86:
 * little-endian bytes). */
static bool is_loopback(const char *hex)
{
	size_t len = strlen(hex);

	if (len == 8)
		return strncmp(hex + 6, "7F", 2) == 0;
	if (len == 32)
		return strcmp(hex, "00000000000000000000000001000000") == 0 ||
		       (strncmp(hex, "0000000000000000FFFF0000", 24) == 0 &&
			strncmp(hex + 30, "7F", 2) == 0);
	return false;
}

/* The bytes and FINs that the guest's sockets in file have yet to see
 * acknowledged, added to *backlog. */
static void add_backlog(const char *file, unsigned long long *backlog)
{
	autofclose FILE *f = fopen(file, "re");
	char line[512];

	if (f == NULL || fgets(line, sizeof(line), f) == NULL) /* the heading */
		return;
	while (fgets(line, sizeof(line), f)) {
		char local[40];
		unsigned st, tx;

		if (sscanf(line, " %*u: %39[0-9A-F]:%*x %*[0-9A-F]:%*x %x %x:%*x", local, &st,
			   &tx) != 3 ||
		    is_loopback(local))
			continue;
		if (st == ST_ESTABLISHED || st == ST_CLOSE_WAIT)
			*backlog += tx;
		else if (st == ST_FIN_WAIT1 || st == ST_CLOSING || st == ST_LAST_ACK)
			*backlog += (unsigned long long)tx + 1;
	}
}

static unsigned long long backlog_now(void)
{
	unsigned long long b = 0;

	add_backlog("/proc/net/tcp", &b);
	add_backlog("/proc/net/tcp6", &b);
	return b;
}

void net_drain(const struct agent_config *c)
{
	const struct timespec step = { 0, NETDRAIN_STEP_MS * 1000000L };
	unsigned long long last, b;
	long start, progress;

	if (c->net.iface == NULL || (last = backlog_now()) == 0)
		return;
	start = progress = now_ms();
	for (;;) {
		long now;

		nanosleep(&step, NULL);
		b = backlog_now();
		now = now_ms();
		if (b == 0 || now - start >= NETDRAIN_MAX_MS)
			return;
		if (b < last)
			progress = now;
		else if (now - progress >= NETDRAIN_STALL_MS)
			return;
		last = b;
	}
}
