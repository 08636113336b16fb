/* json.c: builds the bounded JSON tree of json.h from yajl's callback
 * (SAX) events, and owns the JSON-path/quoting helpers for error messages.
 * Tree memory lives in an arena so freeing a document is one walk over a
 * list of blocks, whatever the input looked like. */
#include "json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "../runtime/cleanup.h"
#include "spec.h"

/* ---- arena ---- */

#define ARENA_BLOCK (64u * 1024)

struct json_arena {
	struct json_arena *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

static void arena_free(struct json_arena *a)
{
	while (a != NULL) {
		struct json_arena *next = a->next;

		free(a);
		a = next;
	}
}

static struct json_arena *arena_block(size_t cap)
{
	struct json_arena *b = malloc(sizeof(*b) + cap);

	if (b == NULL)
		return NULL;
	b->next = NULL;
	b->used = 0;
	b->cap = cap;
	return b;
}

/* Big requests get a block of their own, linked behind the current head
 * so the head's free space keeps being used. */
static void *arena_alloc(struct json_arena **a, size_t size, size_t align)
{
	struct json_arena *b = *a;
	size_t off;

	if (b != NULL) {
		off = (b->used + align - 1) & ~(align - 1);
		if (off <= b->cap && size <= b->cap - off) {
			b->used = off + size;
			return (char *)b->data + off;
		}
	}
	if (size > ARENA_BLOCK / 4) {
		struct json_arena *big = arena_block(size);

		if (big == NULL)
			return NULL;
		big->used = size;
		if (b != NULL) {
			big->next = b->next;
			b->next = big;
		} else {
			*a = big;
		}
		return big->data;
	}
	b = arena_block(ARENA_BLOCK);
	if (b == NULL)
		return NULL;
	b->next = *a;
	b->used = size;
	*a = b;
	return b->data;
}

/* ---- fixed-size message buffers ---- */

struct fbuf {
	char *p;
	size_t size;
	size_t len;
};

static void fb_putc(struct fbuf *b, char c)
{
	if (b->len + 1 < b->size)
		b->p[b->len++] = c;
	if (b->size > 0)
		b->p[b->len] = '\0';
}

static void fb_puts(struct fbuf *b, const char *s)
{
	while (*s != '\0')
		fb_putc(b, *s++);
}

static void fb_quote(struct fbuf *b, const char *s, size_t len, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t cut = len > max ? max : len;

	/* never split a UTF-8 sequence (yajl validated the input) */
	while (cut < len && cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	fb_putc(b, '"');
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			fb_putc(b, '\\');
			fb_putc(b, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			fb_puts(b, "\\x");
			fb_putc(b, hex[c >> 4]);
			fb_putc(b, hex[c & 0xf]);
		} else {
			fb_putc(b, (char)c);
		}
	}
	if (cut < len)
		fb_puts(b, "...");
	fb_putc(b, '"');
}

void json_quote(char *buf, size_t size, const char *s, size_t len, size_t max)
{
	struct fbuf b = {.p = buf, .size = size};

	if (size > 0)
		buf[0] = '\0';
	fb_quote(&b, s, len, max);
}

#define PATH_KEY_MAX 64

static bool is_plain_key(const char *key)
{
	size_t i;

	for (i = 0; key[i] != '\0'; i++) {
		char c = key[i];

		if (i >= PATH_KEY_MAX)
			return false;
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
		    c != '_' && c != '-')
			return false;
	}
	return i > 0;
}

static void fb_loc(struct fbuf *b, const struct json_loc *at)
{
	char num[32];

	if (at == NULL)
		return;
	fb_loc(b, at->up);
	if (at->key == NULL) {
		snprintf(num, sizeof(num), "[%zu]", at->index);
		fb_puts(b, num);
	} else if (is_plain_key(at->key)) {
		if (at->up != NULL)
			fb_putc(b, '.');
		fb_puts(b, at->key);
	} else {
		fb_putc(b, '[');
		fb_quote(b, at->key, strlen(at->key), PATH_KEY_MAX);
		fb_putc(b, ']');
	}
}

void json_loc_format(const struct json_loc *at, char *buf, size_t size)
{
	struct fbuf b = {.p = buf, .size = size};

	if (size > 0)
		buf[0] = '\0';
	fb_loc(&b, at);
}

static int json_verror(struct uerr *err, const char *name, const struct json_loc *at,
		       const char *fmt, va_list ap)
{
	char path[512];
	char msg[768];

	json_loc_format(at, path, sizeof(path));
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (path[0] == '\0')
		return uerr_set(err, 0, "%s: %s", name, msg);
	return uerr_set(err, 0, "%s: %s: %s", name, path, msg);
}

int json_error(struct uerr *err, const char *name, const struct json_loc *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	json_verror(err, name, at, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- tree access ---- */

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	size_t len = strlen(key);

	if (obj == NULL || obj->type != JSON_OBJECT)
		return NULL;
	for (uint32_t i = 0; i < obj->len; i++) {
		const struct json_member *m = &obj->members[i];

		if (m->key_len == len && memcmp(m->key, key, len) == 0)
			return &m->value;
	}
	return NULL;
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL:
		return "null";
	case JSON_BOOL:
		return "boolean";
	case JSON_NUMBER:
		return "number";
	case JSON_STRING:
		return "string";
	case JSON_ARRAY:
		return "array";
	case JSON_OBJECT:
		return "object";
	}
	return "unknown";
}

const char *json_type_article(enum json_type t)
{
	switch (t) {
	case JSON_NULL:
		return "null";
	case JSON_BOOL:
		return "a boolean";
	case JSON_NUMBER:
		return "a number";
	case JSON_STRING:
		return "a string";
	case JSON_ARRAY:
		return "an array";
	case JSON_OBJECT:
		return "an object";
	}
	return "unknown";
}

/* ---- numbers ---- */

static enum json_int_status parse_digits(const char *p, const char *end, uint64_t max,
					 uint64_t *out)
{
	uint64_t acc = 0;

	if (p == end)
		return JSON_INT_NOT_INTEGER;
	for (; p < end; p++) {
		unsigned int d;

		if (*p < '0' || *p > '9')
			return JSON_INT_NOT_INTEGER;
		d = (unsigned int)(*p - '0');
		if (d > max || acc > (max - d) / 10)
			return JSON_INT_RANGE;
		acc = acc * 10 + d;
	}
	*out = acc;
	return JSON_INT_OK;
}

static bool is_integer_text(const struct json_value *v)
{
	return v->type == JSON_NUMBER && strpbrk(v->text, ".eE") == NULL;
}

enum json_int_status json_to_u64(const struct json_value *v, uint64_t max, uint64_t *out)
{
	if (!is_integer_text(v))
		return JSON_INT_NOT_INTEGER;
	if (v->text[0] == '-')
		return JSON_INT_NEGATIVE;
	return parse_digits(v->text, v->text + v->len, max, out);
}

enum json_int_status json_to_i64(const struct json_value *v, int64_t min, int64_t max, int64_t *out)
{
	const char *p = v->text;
	bool neg;
	uint64_t mag;
	int64_t val;
	enum json_int_status st;

	if (!is_integer_text(v))
		return JSON_INT_NOT_INTEGER;
	neg = p[0] == '-';
	if (neg)
		p++;
	st = parse_digits(p, v->text + v->len, neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX, &mag);
	if (st != JSON_INT_OK)
		return st;
	if (!neg)
		val = (int64_t)mag;
	else if (mag == (uint64_t)INT64_MAX + 1)
		val = INT64_MIN;
	else
		val = -(int64_t)mag;
	if (val < min || val > max)
		return JSON_INT_RANGE;
	*out = val;
	return JSON_INT_OK;
}

/* ---- building the tree from yajl events ---- */

/* One open array or object. Its children collect in `buf`, a scratch
 * vector that stays with the nesting level and is reused by the next
 * container at that level; on close they are copied into the arena. */
struct frame {
	enum json_type type;
	uint32_t n;
	void *buf;
	size_t cap; /* bytes */
};

struct builder {
	const char *name;
	struct uerr *err;
	struct json_arena *arena;
	size_t depth;
	struct json_value root;
	struct frame frames[SPEC_MAX_DEPTH];
};

static void builder_release(struct builder *b)
{
	for (size_t i = 0; i < SPEC_MAX_DEPTH; i++)
		free(b->frames[i].buf);
	arena_free(b->arena);
}

static struct json_member *frame_members(const struct frame *f)
{
	return f->buf;
}

static struct json_value *frame_items(const struct frame *f)
{
	return f->buf;
}

/* The location of the value being parsed at nesting `level` (0: the
 * top-level value, which has no path). */
static const struct json_loc *builder_loc(const struct builder *b,
					  struct json_loc locs[SPEC_MAX_DEPTH], size_t level)
{
	for (size_t i = 0; i < level; i++) {
		const struct frame *f = &b->frames[i];

		locs[i].up = i > 0 ? &locs[i - 1] : NULL;
		locs[i].key = NULL;
		locs[i].index = f->n;
		if (f->type == JSON_OBJECT)
			locs[i].key = f->n > 0 ? frame_members(f)[f->n - 1].key : "";
	}
	return level > 0 ? &locs[level - 1] : NULL;
}

/* Records an error at nesting `level` and returns 0 to cancel yajl. */
static int __attribute__((format(printf, 3, 4)))
builder_fail(struct builder *b, size_t level, const char *fmt, ...)
{
	struct json_loc locs[SPEC_MAX_DEPTH];
	va_list ap;

	va_start(ap, fmt);
	json_verror(b->err, b->name, builder_loc(b, locs, level), fmt, ap);
	va_end(ap);
	return 0;
}

static int builder_oom(struct builder *b)
{
	uerr_set(b->err, ENOMEM, "%s", b->name);
	return 0;
}

static bool frame_reserve(struct frame *f, size_t elem)
{
	size_t need = ((size_t)f->n + 1) * elem;
	size_t cap;
	void *p;

	if (need <= f->cap)
		return true;
	cap = f->cap > 0 ? f->cap * 2 : 16 * elem;
	while (cap < need)
		cap *= 2;
	p = realloc(f->buf, cap);
	if (p == NULL)
		return false;
	f->buf = p;
	f->cap = cap;
	return true;
}

/* Is there room for one more element in the innermost array? */
static int builder_room(struct builder *b)
{
	const struct frame *f;

	if (b->depth == 0)
		return 1;
	f = &b->frames[b->depth - 1];
	if (f->type == JSON_ARRAY && f->n >= SPEC_MAX_ARRAY)
		return builder_fail(b, b->depth - 1, "array has more than %u elements",
				    (unsigned int)SPEC_MAX_ARRAY);
	return 1;
}

static int builder_add(struct builder *b, const struct json_value *v)
{
	struct frame *f;

	if (b->depth == 0) {
		b->root = *v;
		return 1;
	}
	f = &b->frames[b->depth - 1];
	if (f->type == JSON_OBJECT) {
		frame_members(f)[f->n - 1].value = *v;
		return 1;
	}
	if (!builder_room(b))
		return 0;
	if (!frame_reserve(f, sizeof(*v)))
		return builder_oom(b);
	frame_items(f)[f->n++] = *v;
	return 1;
}

static char *builder_text(struct builder *b, const char *s, size_t len)
{
	char *copy = arena_alloc(&b->arena, len + 1, 1);

	if (copy == NULL)
		return NULL;
	if (len > 0)
		memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

/* yajl checks only the shape of UTF-8 sequences: it lets overlong forms,
 * UTF-16 surrogates (also made by decoding a lone "\udc00") and code
 * points above U+10FFFF through. This is the full check of RFC 3629. */
static bool utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t n;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			lo = c == 0xe0 ? 0xa0 : 0x80;
			hi = c == 0xed ? 0x9f : 0xbf;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			lo = c == 0xf0 ? 0x90 : 0x80;
			hi = c == 0xf4 ? 0x8f : 0xbf;
		} else {
			return false;
		}
		if (len - i <= n || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += n + 1;
	}
	return true;
}

static int builder_scalar_text(struct builder *b, enum json_type t, const char *s, size_t len)
{
	struct json_value v = {.type = t};

	if (len > SPEC_MAX_STRING)
		return builder_fail(b, b->depth, "%s is longer than %u bytes",
				    t == JSON_STRING ? "string" : "number",
				    (unsigned int)SPEC_MAX_STRING);
	if (len > 0 && memchr(s, '\0', len) != NULL)
		return builder_fail(b, b->depth, "string contains a NUL byte");
	if (!utf8_valid((const unsigned char *)s, len))
		return builder_fail(b, b->depth, "string is not valid UTF-8");
	v.len = (uint32_t)len;
	v.text = builder_text(b, s, len);
	if (v.text == NULL)
		return builder_oom(b);
	return builder_add(b, &v);
}

static int on_null(void *ctx)
{
	struct json_value v = {.type = JSON_NULL};

	return builder_add(ctx, &v);
}

static int on_boolean(void *ctx, int val)
{
	struct json_value v = {.type = JSON_BOOL, .boolean = val != 0};

	return builder_add(ctx, &v);
}

static int on_number(void *ctx, const char *s, size_t len)
{
	return builder_scalar_text(ctx, JSON_NUMBER, s, len);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	return builder_scalar_text(ctx, JSON_STRING, (const char *)s, len);
}

static int builder_open(struct builder *b, enum json_type t)
{
	struct frame *f;

	if (b->depth >= SPEC_MAX_DEPTH)
		return builder_fail(b, b->depth, "nesting is deeper than %d levels",
				    SPEC_MAX_DEPTH);
	if (!builder_room(b))
		return 0;
	f = &b->frames[b->depth++];
	f->type = t;
	f->n = 0;
	return 1;
}

static int on_start_map(void *ctx)
{
	return builder_open(ctx, JSON_OBJECT);
}

static int on_start_array(void *ctx)
{
	return builder_open(ctx, JSON_ARRAY);
}

static int on_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct builder *b = ctx;
	struct frame *f = &b->frames[b->depth - 1];
	struct json_member *m;
	char *copy;

	if (len > SPEC_MAX_STRING)
		return builder_fail(b, b->depth - 1, "key is longer than %u bytes",
				    (unsigned int)SPEC_MAX_STRING);
	if (len > 0 && memchr(key, '\0', len) != NULL)
		return builder_fail(b, b->depth - 1, "key contains a NUL byte");
	if (!utf8_valid(key, len))
		return builder_fail(b, b->depth - 1, "key is not valid UTF-8");
	if (f->n >= SPEC_MAX_ARRAY)
		return builder_fail(b, b->depth - 1, "object has more than %u members",
				    (unsigned int)SPEC_MAX_ARRAY);
	if (!frame_reserve(f, sizeof(*m)))
		return builder_oom(b);
	copy = builder_text(b, (const char *)key, len);
	if (copy == NULL)
		return builder_oom(b);
	m = &frame_members(f)[f->n++];
	m->key = copy;
	m->key_len = (uint32_t)len;
	m->value = (struct json_value){.type = JSON_NULL};
	return 1;
}

static int cmp_member_ptr(const void *pa, const void *pb)
{
	const struct json_member *a = *(const struct json_member *const *)pa;
	const struct json_member *b = *(const struct json_member *const *)pb;
	int c;

	if (a->key_len != b->key_len)
		return a->key_len < b->key_len ? -1 : 1;
	c = memcmp(a->key, b->key, a->key_len);
	if (c != 0)
		return c;
	return (a > b) - (a < b);
}

/* Sorts the keys (O(n log n), objects may be big) and reports the
 * duplicate whose second occurrence comes first in the document. */
static int builder_check_keys(struct builder *b, const struct frame *f)
{
	autofree const struct json_member **sorted = NULL;
	const struct json_member *dup = NULL;
	char quoted[128];

	if (f->n < 2)
		return 1;
	sorted = malloc(f->n * sizeof(*sorted));
	if (sorted == NULL)
		return builder_oom(b);
	for (uint32_t i = 0; i < f->n; i++)
		sorted[i] = &frame_members(f)[i];
	qsort(sorted, f->n, sizeof(*sorted), cmp_member_ptr);
	for (uint32_t i = 1; i < f->n; i++) {
		const struct json_member *x = sorted[i - 1], *y = sorted[i];

		if (x->key_len == y->key_len && memcmp(x->key, y->key, x->key_len) == 0 &&
		    (dup == NULL || y < dup))
			dup = y;
	}
	if (dup == NULL)
		return 1;
	json_quote(quoted, sizeof(quoted), dup->key, dup->key_len, PATH_KEY_MAX);
	return builder_fail(b, b->depth - 1, "duplicate key %s", quoted);
}

static int builder_close(struct builder *b)
{
	struct frame *f = &b->frames[b->depth - 1];
	struct json_value v = {.type = f->type, .len = f->n};
	size_t elem =
	    f->type == JSON_OBJECT ? sizeof(struct json_member) : sizeof(struct json_value);

	if (f->type == JSON_OBJECT && !builder_check_keys(b, f))
		return 0;
	if (f->n > 0) {
		void *copy = arena_alloc(&b->arena, f->n * elem, _Alignof(max_align_t));

		if (copy == NULL)
			return builder_oom(b);
		memcpy(copy, f->buf, f->n * elem);
		if (f->type == JSON_OBJECT)
			v.members = copy;
		else
			v.items = copy;
	}
	b->depth--;
	return builder_add(b, &v);
}

static int on_end_container(void *ctx)
{
	return builder_close(ctx);
}

static const yajl_callbacks builder_callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number, /* digits as text: no lossy double/long long */
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end_container,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_container,
};

static void yajl_freep(yajl_handle *h)
{
	if (*h != NULL)
		yajl_free(*h);
}

/* 1-based line of byte offset `off` */
static size_t line_of(const char *buf, size_t len, size_t off)
{
	size_t line = 1;

	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++)
		line += buf[i] == '\n';
	return line;
}

static int syntax_error(yajl_handle h, const char *buf, size_t len, bool at_eof, const char *name,
			struct uerr *err)
{
	unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)buf, len);
	size_t off = len;
	size_t n;

	if (at_eof) {
		/* "premature EOF" belongs to the last token, not to the
		 * blank lines after it */
		while (off > 0 && strchr(" \t\r\n", buf[off - 1]) != NULL)
			off--;
	} else {
		off = yajl_get_bytes_consumed(h);
	}
	if (msg == NULL)
		return uerr_set(err, 0, "%s: line %zu: invalid JSON", name, line_of(buf, len, off));
	n = strlen((char *)msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	uerr_set(err, 0, "%s: line %zu: invalid JSON: %s", name, line_of(buf, len, off),
		 (char *)msg);
	yajl_free_error(h, msg);
	return -1;
}

int json_parse(const char *buf, size_t len, const char *name, struct json_doc *doc,
	       struct uerr *err)
{
	struct builder b __attribute__((cleanup(builder_release))) = {
	    .name = name,
	    .err = err,
	};
	yajl_handle h __attribute__((cleanup(yajl_freep))) = NULL;
	yajl_status st;
	bool at_eof = false;

	doc->arena = NULL;
	doc->root = (struct json_value){.type = JSON_NULL};
	if (len == 0)
		return uerr_set(err, 0, "%s: empty input", name);
	h = yajl_alloc(&builder_callbacks, NULL, &b);
	if (h == NULL)
		return uerr_set(err, ENOMEM, "%s", name);
	/* yajl 2 defaults are strict: no comments, UTF-8 validated, no
	 * trailing garbage, one value; spelled out so nobody relaxes them */
	yajl_config(h, yajl_allow_comments, 0);
	yajl_config(h, yajl_dont_validate_strings, 0);
	yajl_config(h, yajl_allow_trailing_garbage, 0);
	yajl_config(h, yajl_allow_multiple_values, 0);
	yajl_config(h, yajl_allow_partial_values, 0);
	st = yajl_parse(h, (const unsigned char *)buf, len);
	if (st == yajl_status_ok) {
		at_eof = true;
		st = yajl_complete_parse(h);
	}
	if (st == yajl_status_client_canceled)
		return -1; /* the callback set err */
	if (st != yajl_status_ok)
		return syntax_error(h, buf, len, at_eof, name, err);
	doc->root = b.root;
	doc->arena = steal_ptr(b.arena);
	return 0;
}

void json_doc_release(struct json_doc *doc)
{
	arena_free(doc->arena);
	doc->arena = NULL;
}
