/* walk.c: the typed readers of walk.h: type, range and form checks on
 * single JSON values, with errors that name the value's JSON path. */
#include "walk.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ---- */

int walk_fail(struct walk *w, const struct json_loc *at, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_error(w->err, w->name, at, "%s", msg);
}

int walk_oom(struct walk *w)
{
	return uerr_set(w->err, ENOMEM, "%s", w->name);
}

void walk_quote(char buf[QUOTED_SIZE], const char *s)
{
	json_quote(buf, QUOTED_SIZE, s, strlen(s), QUOTE_MAX);
}

int walk_expect(struct walk *w, const struct json_loc *at, const struct json_value *v,
		enum json_type t)
{
	if (v->type == t)
		return 0;
	return walk_fail(w, at, "expected %s, got %s", json_type_article(t),
			 json_type_name(v->type));
}

/* ---- fields ---- */

int walk_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
	       const char *key, bool required, const struct json_value **v)
{
	*v = json_get(obj, key);
	if (*v != NULL && ((*v)->type != JSON_NULL || required))
		return 1;
	*v = NULL;
	if (required)
		return walk_fail(w, AT_KEY(at, key), "required field missing");
	return 0;
}

static int typed_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		       const char *key, bool required, enum json_type t,
		       const struct json_value **v)
{
	int r = walk_field(w, at, obj, key, required, v);

	if (r <= 0)
		return r;
	return walk_expect(w, AT_KEY(at, key), *v, t) < 0 ? -1 : 1;
}

int walk_object_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		      const char *key, bool required, const struct json_value **v)
{
	return typed_field(w, at, obj, key, required, JSON_OBJECT, v);
}

int walk_array_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     const char *key, bool required, const struct json_value **v)
{
	return typed_field(w, at, obj, key, required, JSON_ARRAY, v);
}

int walk_string(struct walk *w, const struct json_loc *at, const struct json_value *v, char **out)
{
	if (walk_expect(w, at, v, JSON_STRING) < 0)
		return -1;
	*out = strdup(v->text);
	return *out != NULL ? 0 : walk_oom(w);
}

int walk_string_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		      const char *key, bool required, char **out)
{
	const struct json_value *v;
	int r = walk_field(w, at, obj, key, required, &v);

	if (r <= 0)
		return r;
	return walk_string(w, AT_KEY(at, key), v, out);
}

int walk_bool_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		    const char *key, bool *out)
{
	const struct json_value *v;
	int r = typed_field(w, at, obj, key, false, JSON_BOOL, &v);

	if (r <= 0)
		return r;
	*out = v->boolean;
	return 0;
}

int walk_opt_bool_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			const char *key, struct spec_bool *out)
{
	const struct json_value *v;
	int r = typed_field(w, at, obj, key, false, JSON_BOOL, &v);

	if (r <= 0)
		return r;
	out->set = true;
	out->value = v->boolean;
	return 0;
}

/* ---- integers ---- */

/* numbers are quoted in messages up to QUOTE_MAX digits */
static const char *ellipsis(const struct json_value *v)
{
	return v->len > QUOTE_MAX ? "..." : "";
}

int walk_uint(struct walk *w, const struct json_loc *at, const struct json_value *v, uint64_t max,
	      uint64_t *out)
{
	if (walk_expect(w, at, v, JSON_NUMBER) < 0)
		return -1;
	switch (json_to_u64(v, max, out)) {
	case JSON_INT_OK:
		return 0;
	case JSON_INT_NOT_INTEGER:
		return walk_fail(w, at, "expected an integer, got %.*s%s", QUOTE_MAX, v->text,
				 ellipsis(v));
	case JSON_INT_NEGATIVE:
		return walk_fail(w, at, "expected a non-negative integer, got %.*s%s", QUOTE_MAX,
				 v->text, ellipsis(v));
	case JSON_INT_RANGE:
		break;
	}
	return walk_fail(w, at, "%.*s%s is out of range (maximum %" PRIu64 ")", QUOTE_MAX, v->text,
			 ellipsis(v), max);
}

int walk_int(struct walk *w, const struct json_loc *at, const struct json_value *v, int64_t min,
	     int64_t max, int64_t *out)
{
	if (walk_expect(w, at, v, JSON_NUMBER) < 0)
		return -1;
	switch (json_to_i64(v, min, max, out)) {
	case JSON_INT_OK:
		return 0;
	case JSON_INT_NOT_INTEGER:
	case JSON_INT_NEGATIVE:
		return walk_fail(w, at, "expected an integer, got %.*s%s", QUOTE_MAX, v->text,
				 ellipsis(v));
	case JSON_INT_RANGE:
		break;
	}
	return walk_fail(w, at, "%.*s%s is out of range (%" PRId64 " to %" PRId64 ")", QUOTE_MAX,
			 v->text, ellipsis(v), min, max);
}

int walk_uint_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		    const char *key, bool required, uint64_t max, uint64_t *out)
{
	const struct json_value *v;
	int r = walk_field(w, at, obj, key, required, &v);

	if (r <= 0)
		return r;
	return walk_uint(w, AT_KEY(at, key), v, max, out) < 0 ? -1 : 1;
}

int walk_int_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		   const char *key, bool required, int64_t min, int64_t max, int64_t *out)
{
	const struct json_value *v;
	int r = walk_field(w, at, obj, key, required, &v);

	if (r <= 0)
		return r;
	return walk_int(w, AT_KEY(at, key), v, min, max, out) < 0 ? -1 : 1;
}

int walk_u32_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		   const char *key, bool required, uint32_t *out)
{
	uint64_t val;
	int r = walk_uint_field(w, at, obj, key, required, UINT32_MAX, &val);

	if (r > 0)
		*out = (uint32_t)val;
	return r;
}

int walk_opt_u64_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		       const char *key, uint64_t max, struct spec_u64 *out)
{
	int r = walk_uint_field(w, at, obj, key, false, max, &out->value);

	out->set = r > 0;
	return r < 0 ? -1 : 0;
}

int walk_opt_i64_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		       const char *key, int64_t min, int64_t max, struct spec_i64 *out)
{
	int r = walk_int_field(w, at, obj, key, false, min, max, &out->value);

	out->set = r > 0;
	return r < 0 ? -1 : 0;
}

/* ---- string arrays and maps ---- */

void spec_strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

void spec_kv_free(struct spec_kv *kv, size_t n)
{
	for (size_t i = 0; kv != NULL && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

int walk_strv(struct walk *w, const struct json_loc *at, const struct json_value *v, char ***out,
	      size_t *n)
{
	char **strv;

	if (walk_expect(w, at, v, JSON_ARRAY) < 0)
		return -1;
	strv = calloc((size_t)v->len + 1, sizeof(*strv));
	if (strv == NULL)
		return walk_oom(w);
	*out = strv;
	for (uint32_t i = 0; i < v->len; i++)
		if (walk_string(w, AT_INDEX(at, i), &v->items[i], &strv[i]) < 0)
			return -1;
	*n = v->len;
	return 0;
}

int walk_strv_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		    const char *key, bool required, char ***out, size_t *n)
{
	const struct json_value *v;
	int r = walk_field(w, at, obj, key, required, &v);

	if (r < 0)
		return r;
	if (r > 0)
		return walk_strv(w, AT_KEY(at, key), v, out, n);
	*n = 0;
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? 0 : walk_oom(w);
}

int walk_paths_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     const char *key, char ***out, size_t *n)
{
	if (walk_strv_field(w, at, obj, key, false, out, n) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (walk_check_absolute(w, AT_INDEX(AT_KEY(at, key), i), (*out)[i]) < 0)
			return -1;
	return 0;
}

int walk_check_env(struct walk *w, const struct json_loc *at, char *const *env, size_t n)
{
	char quoted[QUOTED_SIZE];

	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');

		if (eq != NULL && eq != env[i])
			continue;
		walk_quote(quoted, env[i]);
		return walk_fail(w, AT_INDEX(at, i), "expected \"NAME=VALUE\", got %s", quoted);
	}
	return 0;
}

int walk_kv_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		  const char *key, struct spec_kv **out, size_t *n)
{
	const struct json_loc *map_at = AT_KEY(at, key);
	const struct json_value *map;
	int r = walk_object_field(w, at, obj, key, false, &map);

	if (r <= 0 || map->len == 0)
		return r;
	*out = calloc(map->len, sizeof(**out));
	if (*out == NULL)
		return walk_oom(w);
	*n = map->len;
	for (uint32_t i = 0; i < map->len; i++) {
		const struct json_member *m = &map->members[i];
		struct spec_kv *kv = &(*out)[i];

		if (walk_string(w, AT_KEY(map_at, m->key), &m->value, &kv->value) < 0)
			return -1;
		kv->key = strdup(m->key);
		if (kv->key == NULL)
			return walk_oom(w);
	}
	return 0;
}

/* ---- arrays of objects ---- */

int walk_array_of(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		  const char *key, size_t elem, walk_item_fn fn, void *out, size_t *n)
{
	const struct json_loc *arr_at = AT_KEY(at, key);
	const struct json_value *v;
	char *items;
	int r = walk_array_field(w, at, obj, key, false, &v);

	if (r <= 0)
		return r;
	if (v->len == 0)
		return 1;
	items = calloc(v->len, elem);
	if (items == NULL)
		return walk_oom(w);
	memcpy(out, &items, sizeof(items)); /* *(T **)out = items, without type punning */
	*n = v->len;
	for (uint32_t i = 0; i < v->len; i++) {
		const struct json_loc *item_at = AT_INDEX(arr_at, i);

		if (walk_expect(w, item_at, &v->items[i], JSON_OBJECT) < 0 ||
		    fn(w, item_at, &v->items[i], items + i * elem) < 0)
			return -1;
	}
	return 1;
}

/* ---- names and forms ---- */

int walk_name(struct walk *w, const struct json_loc *at, const char *s, const char *const *names,
	      size_t n, const char *what)
{
	char quoted[QUOTED_SIZE];

	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(s, names[i]) == 0)
			return (int)i;
	walk_quote(quoted, s);
	return walk_fail(w, at, "unknown %s %s", what, quoted);
}

int walk_enum_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		    const char *key, bool required, const char *const *names, size_t n,
		    const char *what, int *out)
{
	const struct json_value *v;
	int r = typed_field(w, at, obj, key, required, JSON_STRING, &v);

	if (r <= 0)
		return r;
	r = walk_name(w, AT_KEY(at, key), v->text, names, n, what);
	if (r < 0)
		return -1;
	*out = r;
	return 1;
}

int walk_check_absolute(struct walk *w, const struct json_loc *at, const char *path)
{
	char quoted[QUOTED_SIZE];

	if (path[0] == '/')
		return 0;
	walk_quote(quoted, path);
	return walk_fail(w, at, "must be an absolute path, got %s", quoted);
}

int walk_check_nonempty(struct walk *w, const struct json_loc *at, const char *s)
{
	return s[0] != '\0' ? 0 : walk_fail(w, at, "must be a non-empty string");
}
