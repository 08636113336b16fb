/* pollev.h: libslirp's poll events (SLIRP_POLL_*) to poll(2)'s and back,
 * for netslirp's loop (engine.c) and the tests that drive libslirp. */
#ifndef UMLRUN_NETSLIRP_POLLEV_H
#define UMLRUN_NETSLIRP_POLLEV_H

#include <libslirp.h>
#include <poll.h>
#include <stddef.h>

static const struct {
	int slirp;
	short poll;
} nsl_pollev[] = {
	{ SLIRP_POLL_IN, POLLIN },   { SLIRP_POLL_OUT, POLLOUT }, { SLIRP_POLL_PRI, POLLPRI },
	{ SLIRP_POLL_ERR, POLLERR }, { SLIRP_POLL_HUP, POLLHUP },
};

static inline short nsl_to_poll(int ev)
{
	short p = 0;

	for (size_t i = 0; i < sizeof(nsl_pollev) / sizeof(nsl_pollev[0]); i++)
		p |= (ev & nsl_pollev[i].slirp) ? nsl_pollev[i].poll : 0;
	return p;
}

static inline int nsl_from_poll(short r)
{
	int ev = 0;

	for (size_t i = 0; i < sizeof(nsl_pollev) / sizeof(nsl_pollev[0]); i++)
		ev |= (r & nsl_pollev[i].poll) ? nsl_pollev[i].slirp : 0;
	return ev;
}

#endif
