/* log.c: error and debug messages to stderr and the --log file. */
#define _GNU_SOURCE
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"

static void json_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static void to_file(const struct log_ctx *l, const char *level, const char *msg)
{
	autofclose FILE *f = NULL;
	char ts[64];
	struct timespec now;
	struct tm tm;

	if (l == NULL || l->file == NULL)
		return;
	f = fopen(l->file, "ae");
	if (f == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (l->json) {
		fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level);
		json_escape(f, msg);
		fprintf(f, "\",\"time\":\"%s\"}\n", ts);
	} else {
		fprintf(f, "time=\"%s\" level=%s msg=\"", ts, level);
		json_escape(f, msg);
		fprintf(f, "\"\n");
	}
}

void log_error(const struct log_ctx *l, const char *msg)
{
	fprintf(stderr, "umlrun: %s\n", msg);
	to_file(l, "error", msg);
}

void log_debug(const struct log_ctx *l, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (l == NULL || !l->debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "umlrun: debug: %s\n", msg);
	to_file(l, "debug", msg);
}
