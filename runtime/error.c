/* error.c: formatting of struct uerr messages. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int uerr_set(struct uerr *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (errnum != 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(errnum));
	e->errnum = errnum;
	return -1;
}

int uerr_prefix(struct uerr *e, const char *fmt, ...)
{
	char buf[2 * sizeof(e->msg) + 2];
	size_t n, old = strnlen(e->msg, sizeof(e->msg) - 1);
	va_list ap;
	int r;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	r = vsnprintf(buf, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = r < 0 ? 0 : ((size_t)r < sizeof(e->msg) ? (size_t)r : sizeof(e->msg) - 1);
	memcpy(buf + n, ": ", 2);
	memcpy(buf + n + 2, e->msg, old);
	n += 2 + old;
	if (n > sizeof(e->msg) - 1)
		n = sizeof(e->msg) - 1;
	memcpy(e->msg, buf, n);
	e->msg[n] = '\0';
	return -1;
}
