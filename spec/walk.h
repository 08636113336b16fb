/* walk.h: typed reads from the bounded JSON tree of json.h into the
 * structs of spec.h, each failure reported with the JSON path of the value
 * ("config.json: process.rlimits[2].type: unknown rlimit ..."). Shared by
 * the section walkers of spec/; private to spec/.
 *
 * Conventions: functions return -1 with w->err set on error. The *_field
 * readers look up obj[key]: JSON null in an optional field means "absent"
 * (as in Go's encoding/json, which runc and friends use). Outputs are
 * owned by the caller as soon as they are set, also on error, so the
 * section's free function can always clean up a half-filled struct. */
#ifndef UMLRUN_SPEC_WALK_H
#define UMLRUN_SPEC_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "spec.h"

#define QUOTE_MAX 64 /* bytes of a user string quoted in a message */

struct walk {
	const char *name; /* prefixes every message: "config.json" */
	struct uerr *err;
};

/* The location of obj[k] or arr[i] below `parent` (NULL: the top level),
 * as a compound literal that lives until the end of the enclosing block. */
#define AT_KEY(parent, k)   (&(const struct json_loc){.up = (parent), .key = (k)})
#define AT_INDEX(parent, i) (&(const struct json_loc){.up = (parent), .index = (i)})

int walk_fail(struct walk *w, const struct json_loc *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int walk_oom(struct walk *w);

/* Fails with "expected an object, got array" unless v has type t. */
int walk_expect(struct walk *w, const struct json_loc *at, const struct json_value *v,
		enum json_type t);

/* Finds obj[key]. Returns 1 with *v set, 0 when absent (or null, for an
 * optional field), -1 when a required field is missing. */
int walk_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
	       const char *key, bool required, const struct json_value **v);

/* Like walk_field, and checks the type: 1 present, 0 absent, -1. */
int walk_object_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		      const char *key, bool required, const struct json_value **v);
int walk_array_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     const char *key, bool required, const struct json_value **v);

/* Strings: a strdup'ed copy in *out (left NULL when absent). */
int walk_string(struct walk *w, const struct json_loc *at, const struct json_value *v, char **out);
int walk_string_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		      const char *key, bool required, char **out);

/* *out is left alone when the field is absent. */
int walk_bool_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		    const char *key, bool *out);
int walk_opt_bool_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			const char *key, struct spec_bool *out);

/* Integers, exactly, with range checks ("4294967296 is out of range
 * (maximum 4294967295)"); fractions and exponents are refused, as Go's
 * encoding/json refuses them for integer fields. */
int walk_uint(struct walk *w, const struct json_loc *at, const struct json_value *v, uint64_t max,
	      uint64_t *out);
int walk_int(struct walk *w, const struct json_loc *at, const struct json_value *v, int64_t min,
	     int64_t max, int64_t *out);
/* 1 when present (and *out set), 0 when absent, -1 on error. */
int walk_uint_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		    const char *key, bool required, uint64_t max, uint64_t *out);
int walk_int_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		   const char *key, bool required, int64_t min, int64_t max, int64_t *out);
int walk_u32_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		   const char *key, bool required, uint32_t *out);
/* Optional integers that remember whether they were given. */
int walk_opt_u64_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		       const char *key, uint64_t max, struct spec_u64 *out);
int walk_opt_i64_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		       const char *key, int64_t min, int64_t max, struct spec_i64 *out);

/* A NULL-terminated copy of an array of strings. An absent optional
 * array reads as an empty one, so users can always walk it to the NULL. */
int walk_strv(struct walk *w, const struct json_loc *at, const struct json_value *v, char ***out,
	      size_t *n);
int walk_strv_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		    const char *key, bool required, char ***out, size_t *n);

/* An array of absolute paths (maskedPaths...). */
int walk_paths_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     const char *key, char ***out, size_t *n);

/* Each element of "NAME=VALUE" form, NAME non-empty. */
int walk_check_env(struct walk *w, const struct json_loc *at, char *const *env, size_t n);

/* An object of strings ({"k": "v"...}) as a list, in document order. */
int walk_kv_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		  const char *key, struct spec_kv **out, size_t *n);

/* Reads one element of an array of objects into `item` (zeroed). */
typedef int (*walk_item_fn)(struct walk *w, const struct json_loc *at, const struct json_value *v,
			    void *item);

/* obj[key] as an array of `elem`-byte structs, each read by fn. `out` is
 * the address of the caller's `T *` (T of `elem` bytes): it gets the
 * calloc'ed array, and *n its length, before the first element is read, so
 * a free function sees every element, filled or still zero. An absent
 * field leaves both alone. Returns 1 present, 0 absent, -1. */
int walk_array_of(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		  const char *key, size_t elem, walk_item_fn fn, void *out, size_t *n);

/* Maps a string to its index in names[0..n): "unknown WHAT \"x\"". */
int walk_name(struct walk *w, const struct json_loc *at, const char *s, const char *const *names,
	      size_t n, const char *what);
/* Reads a string value and maps it as walk_name does; *out is the index. */
int walk_enum_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		    const char *key, bool required, const char *const *names, size_t n,
		    const char *what, int *out);

int walk_check_absolute(struct walk *w, const struct json_loc *at, const char *path);
int walk_check_nonempty(struct walk *w, const struct json_loc *at, const char *s);

/* "x" quoted for a message, cut after QUOTE_MAX bytes (each may take
 * four when escaped). */
#define QUOTED_SIZE (4 * QUOTE_MAX + 8)
void walk_quote(char buf[QUOTED_SIZE], const char *s);

void spec_strv_free(char **v);
void spec_kv_free(struct spec_kv *kv, size_t n);

#endif
