/* clock.h: the monotonic clock in milliseconds, for deadlines (boot,
 * timeouts, hooks, run --stats). */
#ifndef UMLRUN_CLOCK_H
#define UMLRUN_CLOCK_H

#include <time.h>

static inline long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

#endif
