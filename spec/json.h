/* json.h: a small read-only JSON tree for hostile input, built with yajl's
 * callback API under the limits of spec.h, plus the "a.b[0].c" paths that
 * name a value in error messages. Private to spec/. */
#ifndef UMLRUN_SPEC_JSON_H
#define UMLRUN_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../runtime/error.h"

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member;

struct json_value {
	enum json_type type;
	/* bytes of text (string, number), elements (array), members (object) */
	uint32_t len;
	union {
		bool boolean;
		const char *text; /* string or number as written; NUL-terminated,
				   * never contains a NUL byte itself */
		const struct json_value *items;
		const struct json_member *members; /* in document order */
	};
};

struct json_member {
	const char *key; /* NUL-terminated, unique within its object */
	uint32_t key_len;
	struct json_value value;
};

struct json_arena;

/* A parsed document; all memory is owned by the arena. */
struct json_doc {
	struct json_value root;
	struct json_arena *arena;
};

/* Where a value sits in the document: a chain of object keys and array
 * indexes from the value up to the root (the root itself is NULL). */
struct json_loc {
	const struct json_loc *up;
	const char *key; /* NULL when this step is an array index */
	size_t index;
};

/* Parses buf[0..len) into doc, enforcing SPEC_MAX_DEPTH, SPEC_MAX_STRING,
 * SPEC_MAX_ARRAY (for arrays and objects alike), valid UTF-8, no NUL in
 * strings, no duplicate keys and nothing after the top-level value.
 * The caller checks SPEC_MAX_FILE_SIZE. Errors are prefixed with `name`. */
int json_parse(const char *buf, size_t len, const char *name, struct json_doc *doc,
	       struct uerr *err);

void json_doc_release(struct json_doc *doc);

/* obj[key] or NULL; obj must be a JSON_OBJECT. */
const struct json_value *json_get(const struct json_value *obj, const char *key);

/* "string", "array"... and "a string", "an array"... */
const char *json_type_name(enum json_type t);
const char *json_type_article(enum json_type t);

enum json_int_status {
	JSON_INT_OK,
	JSON_INT_NOT_INTEGER, /* fraction or exponent */
	JSON_INT_NEGATIVE,    /* only from json_to_u64 */
	JSON_INT_RANGE,
};

/* Converts a JSON_NUMBER's text exactly, with overflow checks. */
enum json_int_status json_to_u64(const struct json_value *v, uint64_t max, uint64_t *out);
enum json_int_status json_to_i64(const struct json_value *v, int64_t min, int64_t max,
				 int64_t *out);

/* Writes s[0..len) into buf for a one-line message: escapes quotes,
 * backslashes and control bytes, cuts after `max` bytes with "...". */
void json_quote(char *buf, size_t size, const char *s, size_t len, size_t max);

/* Formats `at` as "process.rlimits[2].type"; "" for the root. Keys that
 * are not plain identifiers are written as ["key"]. */
void json_loc_format(const struct json_loc *at, char *buf, size_t size);

/* uerr_set(err, 0, "NAME: PATH: fmt...") or "NAME: fmt..." at the root. */
int json_error(struct uerr *err, const char *name, const struct json_loc *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
