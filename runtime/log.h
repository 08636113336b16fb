/* log.h: umlrun's own diagnostics: stderr, plus the --log file (text or
 * json lines, as runc writes them) when one is given. */
#ifndef UMLRUN_LOG_H
#define UMLRUN_LOG_H

#include <stdbool.h>

struct log_ctx {
	const char *file; /* --log, NULL for none */
	bool json;        /* --log-format json */
	bool debug;       /* --debug */
};

void log_error(const struct log_ctx *l, const char *msg);
void log_debug(const struct log_ctx *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
