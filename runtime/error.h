/* error.h: the error struct every fallible function fills, and how to set it.
 * Convention (as in crun): functions return a negative value on error and
 * write a one-line, user-facing message naming the field, file or path. */
#ifndef UMLRUN_ERROR_H
#define UMLRUN_ERROR_H

#include <stddef.h>

struct uerr {
	int errnum;     /* errno behind the failure, 0 if none */
	char msg[1024]; /* one line, no trailing newline */
};

/* Sets *e from a printf format; appends ": strerror(errnum)" when errnum != 0.
 * Always returns -1 so callers can `return uerr_set(...)`. */
int uerr_set(struct uerr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with a printf-formatted context + ": ". */
int uerr_prefix(struct uerr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
