/* errmsg.c: formatting of the agent's one-line failure messages (struct
 * aerr), which become the P_ERROR or P_EXEC_FAIL text and the console's
 * last words. */
#include "agent.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int aerr_set(struct aerr *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (errnum != 0 && (size_t)n < sizeof(e->msg) - 1)
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(errnum));
	e->errnum = errnum;
	return -1;
}

int aerr_prefix(struct aerr *e, const char *prefix)
{
	char msg[sizeof(e->msg)];

	memcpy(msg, e->msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	/* a message too long for the prefix loses its end */
	if (snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, msg) < 0)
		e->msg[0] = '\0';
	return -1;
}
