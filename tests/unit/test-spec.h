/* test-spec.h: the TAP helpers shared by the spec/ unit tests
 * (test-spec*.c): one "ok N - ..." / "not ok N - ..." line per case, with
 * a diagnostic line under a failure. JSON literals are written with ' for
 * " and converted by sq() to keep them readable. */
#ifndef UMLRUN_TEST_SPEC_H
#define UMLRUN_TEST_SPEC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cleanup.h"
#include "spec/spec.h"

struct tap {
	unsigned int n;
	unsigned int failed;
};

static inline void __attribute__((format(printf, 4, 5)))
report(struct tap *t, bool ok, const char *diag, const char *fmt, ...)
{
	va_list ap;

	t->n++;
	if (!ok)
		t->failed++;
	printf("%sok %u - ", ok ? "" : "not ", t->n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok && diag != NULL)
		printf("#   %s\n", diag);
}

/* 'x' -> "x": JSON in C strings without a forest of backslashes */
static inline char *sq(const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		abort();
	for (char *p = copy; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return copy;
}

static inline void spec_freep(struct spec **s)
{
	spec_free(*s);
}

#define autospec __attribute__((cleanup(spec_freep)))

static inline int parse_buf(const char *buf, size_t len, struct spec **s, struct uerr *err)
{
	memset(err, 0, sizeof(*err));
	return spec_parse(buf, len, "config.json", s, err);
}

/* Parses buf and checks the exact error message. */
static inline void expect_error_buf(struct tap *t, const char *desc, const char *buf, size_t len,
				    const char *want)
{
	autospec struct spec *s = NULL;
	struct uerr err;
	char diag[2200];
	int r = parse_buf(buf, len, &s, &err);
	bool ok = r < 0 && s == NULL && strcmp(err.msg, want) == 0;

	snprintf(diag, sizeof(diag), "rc %d, want \"%s\", got \"%s\"", r, want,
		 r < 0 ? err.msg : "(success)");
	report(t, ok, diag, "%s", desc);
}

static inline void expect_error(struct tap *t, const char *desc, const char *json_sq,
				const char *want)
{
	autofree char *json = sq(json_sq);

	expect_error_buf(t, desc, json, strlen(json), want);
}

/* Parses buf and checks that the message starts with `prefix` and
 * contains `needle` (for messages with long, generated paths). */
static inline void expect_error_like(struct tap *t, const char *desc, const char *buf, size_t len,
				     const char *prefix, const char *needle)
{
	autospec struct spec *s = NULL;
	struct uerr err;
	char diag[2200];
	int r = parse_buf(buf, len, &s, &err);
	bool ok = r < 0 && s == NULL && strncmp(err.msg, prefix, strlen(prefix)) == 0 &&
		  strstr(err.msg, needle) != NULL;

	snprintf(diag, sizeof(diag), "rc %d, want \"%s...%s\", got \"%.200s\"", r, prefix, needle,
		 r < 0 ? err.msg : "(success)");
	report(t, ok, diag, "%s", desc);
}

static inline struct spec *expect_ok_buf(struct tap *t, const char *desc, const char *buf,
					 size_t len)
{
	struct spec *s = NULL;
	struct uerr err;
	char diag[1100];
	int r = parse_buf(buf, len, &s, &err);

	snprintf(diag, sizeof(diag), "rc %d: %s", r, err.msg);
	report(t, r == 0 && s != NULL, diag, "%s", desc);
	return s;
}

static inline struct spec *expect_ok(struct tap *t, const char *desc, const char *json_sq)
{
	autofree char *json = sq(json_sq);

	return expect_ok_buf(t, desc, json, strlen(json));
}

static inline bool streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static inline bool strv_eq(char *const *v, size_t n, const char *const *want)
{
	size_t i;

	if (v == NULL)
		return false;
	for (i = 0; want[i] != NULL; i++)
		if (i >= n || !streq(v[i], want[i]))
			return false;
	return i == n && v[n] == NULL;
}

#define CHECK(t, cond, ...) report((t), (cond), #cond, __VA_ARGS__)

static inline int tap_finish(struct tap *t)
{
	printf("1..%u\n", t->n);
	if (t->failed > 0)
		printf("# %u of %u failed\n", t->failed, t->n);
	return t->failed > 0 ? 1 : 0;
}

#endif
