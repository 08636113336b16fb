/* config.c: config.json -> struct spec. Reads the file under the size
 * limit, lets json.c build a bounded tree, then walks the fields spec.h
 * models with type and range checks. Fields of the runtime-spec that are
 * not modelled yet (linux, hooks, process.capabilities...) and unknown
 * keys are ignored. JSON null in an optional field means "absent", as in
 * Go's encoding/json that runc and friends use. */
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../runtime/cleanup.h"
#include "json.h"

#define SPEC_MAX_HOSTNAME 64 /* HOST_NAME_MAX, and the same for domainname */
#define QUOTE_MAX	  64 /* bytes of a user string quoted in a message */

static const char *const rlimit_names[] = {
    "RLIMIT_AS",     "RLIMIT_CORE",   "RLIMIT_CPU",	   "RLIMIT_DATA",
    "RLIMIT_FSIZE",  "RLIMIT_LOCKS",  "RLIMIT_MEMLOCK",	   "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",   "RLIMIT_NOFILE", "RLIMIT_NPROC",	   "RLIMIT_RSS",
    "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
};

#define N_RLIMITS (sizeof(rlimit_names) / sizeof(rlimit_names[0]))

/* ---- freeing ---- */

static void strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

static void process_free(struct spec_process *p)
{
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	free(p->user.additional_gids);
	for (size_t i = 0; p->rlimits != NULL && i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
}

static void mounts_free(struct spec_mount *m, size_t n)
{
	for (size_t i = 0; m != NULL && i < n; i++) {
		free(m[i].destination);
		free(m[i].type);
		free(m[i].source);
		strv_free(m[i].options);
	}
	free(m);
}

void spec_free(struct spec *s)
{
	if (s == NULL)
		return;
	free(s->oci_version);
	free(s->root.path);
	process_free(&s->process);
	free(s->hostname);
	free(s->domainname);
	mounts_free(s->mounts, s->n_mounts);
	for (size_t i = 0; s->annotations != NULL && i < s->n_annotations; i++) {
		free(s->annotations[i].key);
		free(s->annotations[i].value);
	}
	free(s->annotations);
	strv_free(s->vm_kernel.parameters);
	free(s->vm_kernel.path);
	free(s->vm_kernel.initrd);
	free(s);
}

static void spec_freep(struct spec **s)
{
	spec_free(*s);
}

const char *spec_annotation(const struct spec *s, const char *key)
{
	if (s == NULL || key == NULL)
		return NULL;
	for (size_t i = 0; i < s->n_annotations; i++)
		if (strcmp(s->annotations[i].key, key) == 0)
			return s->annotations[i].value;
	return NULL;
}

/* ---- walking the tree ---- */

struct walk {
	const char *name;
	struct uerr *err;
};

#define AT_KEY(parent, k)   (&(const struct json_loc){.up = (parent), .key = (k)})
#define AT_INDEX(parent, i) (&(const struct json_loc){.up = (parent), .index = (i)})

static int __attribute__((format(printf, 3, 4)))
fail(struct walk *w, const struct json_loc *at, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_error(w->err, w->name, at, "%s", msg);
}

static int oom(struct walk *w)
{
	return uerr_set(w->err, ENOMEM, "%s", w->name);
}

static int expect(struct walk *w, const struct json_loc *at, const struct json_value *v,
		  enum json_type t)
{
	if (v->type == t)
		return 0;
	return fail(w, at, "expected %s, got %s", json_type_article(t), json_type_name(v->type));
}

/* Finds obj[key]. Returns 1 with *v set, 0 when absent (or null, for an
 * optional field), -1 when a required field is missing. */
static int field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		 const char *key, bool required, const struct json_value **v)
{
	*v = json_get(obj, key);
	if (*v != NULL && ((*v)->type != JSON_NULL || required))
		return 1;
	*v = NULL;
	if (required)
		return fail(w, AT_KEY(at, key), "required field missing");
	return 0;
}

static int read_string(struct walk *w, const struct json_loc *at, const struct json_value *v,
		       char **out)
{
	if (expect(w, at, v, JSON_STRING) < 0)
		return -1;
	*out = strdup(v->text);
	return *out != NULL ? 0 : oom(w);
}

static int string_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			const char *key, bool required, char **out)
{
	const struct json_value *v;
	int r = field(w, at, obj, key, required, &v);

	if (r <= 0)
		return r;
	return read_string(w, AT_KEY(at, key), v, out);
}

static int bool_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		      const char *key, bool *out)
{
	const struct json_value *v;
	int r = field(w, at, obj, key, false, &v);

	if (r <= 0)
		return r;
	if (expect(w, AT_KEY(at, key), v, JSON_BOOL) < 0)
		return -1;
	*out = v->boolean;
	return 0;
}

/* numbers are quoted in messages up to QUOTE_MAX digits */
static const char *ellipsis(const struct json_value *v)
{
	return v->len > QUOTE_MAX ? "..." : "";
}

static int read_uint(struct walk *w, const struct json_loc *at, const struct json_value *v,
		     uint64_t max, uint64_t *out)
{
	if (expect(w, at, v, JSON_NUMBER) < 0)
		return -1;
	switch (json_to_u64(v, max, out)) {
	case JSON_INT_OK:
		return 0;
	case JSON_INT_NOT_INTEGER:
		return fail(w, at, "expected an integer, got %.*s%s", QUOTE_MAX, v->text,
			    ellipsis(v));
	case JSON_INT_NEGATIVE:
		return fail(w, at, "expected a non-negative integer, got %.*s%s", QUOTE_MAX,
			    v->text, ellipsis(v));
	case JSON_INT_RANGE:
		break;
	}
	return fail(w, at, "%.*s%s is out of range (maximum %" PRIu64 ")", QUOTE_MAX, v->text,
		    ellipsis(v), max);
}

static int read_int(struct walk *w, const struct json_loc *at, const struct json_value *v,
		    int64_t min, int64_t max, int64_t *out)
{
	if (expect(w, at, v, JSON_NUMBER) < 0)
		return -1;
	switch (json_to_i64(v, min, max, out)) {
	case JSON_INT_OK:
		return 0;
	case JSON_INT_NOT_INTEGER:
	case JSON_INT_NEGATIVE:
		return fail(w, at, "expected an integer, got %.*s%s", QUOTE_MAX, v->text,
			    ellipsis(v));
	case JSON_INT_RANGE:
		break;
	}
	return fail(w, at, "%.*s%s is out of range (%" PRId64 " to %" PRId64 ")", QUOTE_MAX,
		    v->text, ellipsis(v), min, max);
}

/* An unsigned field up to max; returns 1 when present, 0 when absent. */
static int uint_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		      const char *key, bool required, uint64_t max, uint64_t *out)
{
	const struct json_value *v;
	int r = field(w, at, obj, key, required, &v);

	if (r <= 0)
		return r;
	return read_uint(w, AT_KEY(at, key), v, max, out) < 0 ? -1 : 1;
}

static int u32_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     const char *key, uint32_t *out)
{
	uint64_t val;
	int r = uint_field(w, at, obj, key, false, UINT32_MAX, &val);

	if (r > 0)
		*out = (uint32_t)val;
	return r;
}

/* A NULL-terminated copy of an array of strings; *out is owned by the
 * caller as soon as it is set, and stays NULL-terminated throughout. */
static int read_strv(struct walk *w, const struct json_loc *at, const struct json_value *v,
		     char ***out, size_t *n)
{
	char **strv;

	if (expect(w, at, v, JSON_ARRAY) < 0)
		return -1;
	strv = calloc((size_t)v->len + 1, sizeof(*strv));
	if (strv == NULL)
		return oom(w);
	*out = strv;
	for (uint32_t i = 0; i < v->len; i++)
		if (read_string(w, AT_INDEX(at, i), &v->items[i], &strv[i]) < 0)
			return -1;
	*n = v->len;
	return 0;
}

/* An absent optional string array reads as an empty one, so users can
 * always walk it up to the NULL. */
static int strv_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		      const char *key, bool required, char ***out, size_t *n)
{
	const struct json_value *v;
	int r = field(w, at, obj, key, required, &v);

	if (r < 0)
		return r;
	if (r > 0)
		return read_strv(w, AT_KEY(at, key), v, out, n);
	*n = 0;
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? 0 : oom(w);
}

static int object_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			const char *key, bool required, const struct json_value **v)
{
	int r = field(w, at, obj, key, required, v);

	if (r <= 0)
		return r;
	return expect(w, AT_KEY(at, key), *v, JSON_OBJECT) < 0 ? -1 : 1;
}

static int check_absolute(struct walk *w, const struct json_loc *at, const char *path)
{
	char quoted[QUOTE_MAX + 16];

	if (path[0] == '/')
		return 0;
	json_quote(quoted, sizeof(quoted), path, strlen(path), QUOTE_MAX);
	return fail(w, at, "must be an absolute path, got %s", quoted);
}

static int check_nonempty(struct walk *w, const struct json_loc *at, const char *s)
{
	return s[0] != '\0' ? 0 : fail(w, at, "must be a non-empty string");
}

/* ---- the modelled fields ---- */

static int walk_root(struct walk *w, const struct json_value *top, struct spec_root *root)
{
	const struct json_loc *at = AT_KEY(NULL, "root");
	const struct json_value *obj;

	if (object_field(w, NULL, top, "root", true, &obj) < 0)
		return -1;
	if (string_field(w, at, obj, "path", true, &root->path) < 0 ||
	    check_nonempty(w, AT_KEY(at, "path"), root->path) < 0)
		return -1;
	return bool_field(w, at, obj, "readonly", &root->readonly);
}

static int walk_env(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		    struct spec_process *p)
{
	const struct json_loc *env_at = AT_KEY(at, "env");
	char quoted[QUOTE_MAX + 16];

	if (strv_field(w, at, obj, "env", false, &p->env, &p->n_env) < 0)
		return -1;
	for (size_t i = 0; i < p->n_env; i++) {
		const char *eq = strchr(p->env[i], '=');

		if (eq != NULL && eq != p->env[i])
			continue;
		json_quote(quoted, sizeof(quoted), p->env[i], strlen(p->env[i]), QUOTE_MAX);
		return fail(w, AT_INDEX(env_at, i), "expected \"NAME=VALUE\", got %s", quoted);
	}
	return 0;
}

static int walk_args(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     struct spec_process *p)
{
	const struct json_loc *args_at = AT_KEY(at, "args");

	if (strv_field(w, at, obj, "args", true, &p->args, &p->n_args) < 0)
		return -1;
	if (p->n_args == 0)
		return fail(w, args_at, "must contain at least one element");
	return check_nonempty(w, AT_INDEX(args_at, 0), p->args[0]);
}

static int walk_gids(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     struct spec_user *u)
{
	const struct json_loc *gids_at = AT_KEY(at, "additionalGids");
	const struct json_value *v;
	int r = field(w, at, obj, "additionalGids", false, &v);

	if (r <= 0)
		return r;
	if (expect(w, gids_at, v, JSON_ARRAY) < 0)
		return -1;
	if (v->len == 0)
		return 0;
	u->additional_gids = calloc(v->len, sizeof(*u->additional_gids));
	if (u->additional_gids == NULL)
		return oom(w);
	for (uint32_t i = 0; i < v->len; i++) {
		uint64_t gid;

		if (read_uint(w, AT_INDEX(gids_at, i), &v->items[i], UINT32_MAX, &gid) < 0)
			return -1;
		u->additional_gids[i] = (uint32_t)gid;
	}
	u->n_additional_gids = v->len;
	return 0;
}

static int walk_user(struct walk *w, const struct json_loc *proc_at, const struct json_value *proc,
		     struct spec_user *u)
{
	const struct json_loc *at = AT_KEY(proc_at, "user");
	const struct json_value *obj;
	uint64_t umask;
	int r = object_field(w, proc_at, proc, "user", false, &obj);

	if (r <= 0)
		return r;
	if (u32_field(w, at, obj, "uid", &u->uid) < 0 ||
	    u32_field(w, at, obj, "gid", &u->gid) < 0 || walk_gids(w, at, obj, u) < 0)
		return -1;
	r = uint_field(w, at, obj, "umask", false, 0777, &umask);
	if (r > 0) {
		u->has_umask = true;
		u->umask = (uint32_t)umask;
	}
	return r < 0 ? -1 : 0;
}

static int rlimit_index(const char *type)
{
	for (size_t i = 0; i < N_RLIMITS; i++)
		if (strcmp(type, rlimit_names[i]) == 0)
			return (int)i;
	return -1;
}

static int walk_rlimit(struct walk *w, const struct json_loc *at, const struct json_value *v,
		       struct spec_rlimit *rl, size_t first[N_RLIMITS], size_t index)
{
	const struct json_loc *type_at = AT_KEY(at, "type");
	char quoted[QUOTE_MAX + 16];
	int k;

	if (expect(w, at, v, JSON_OBJECT) < 0 ||
	    string_field(w, at, v, "type", true, &rl->type) < 0)
		return -1;
	k = rlimit_index(rl->type);
	json_quote(quoted, sizeof(quoted), rl->type, strlen(rl->type), QUOTE_MAX);
	if (k < 0)
		return fail(w, type_at, "unknown rlimit %s", quoted);
	if (first[k] != SIZE_MAX)
		return fail(w, type_at, "duplicate rlimit %s (already set at index %zu)", quoted,
			    first[k]);
	first[k] = index;
	if (uint_field(w, at, v, "soft", true, UINT64_MAX, &rl->soft) < 0 ||
	    uint_field(w, at, v, "hard", true, UINT64_MAX, &rl->hard) < 0)
		return -1;
	if (rl->soft > rl->hard)
		return fail(w, at, "soft limit %" PRIu64 " is greater than hard limit %" PRIu64,
			    rl->soft, rl->hard);
	return 0;
}

static int walk_rlimits(struct walk *w, const struct json_loc *proc_at,
			const struct json_value *proc, struct spec_process *p)
{
	const struct json_loc *at = AT_KEY(proc_at, "rlimits");
	const struct json_value *v;
	size_t first[N_RLIMITS];
	int r = field(w, proc_at, proc, "rlimits", false, &v);

	if (r <= 0)
		return r;
	if (expect(w, at, v, JSON_ARRAY) < 0)
		return -1;
	if (v->len == 0)
		return 0;
	p->rlimits = calloc(v->len, sizeof(*p->rlimits));
	if (p->rlimits == NULL)
		return oom(w);
	p->n_rlimits = v->len;
	for (size_t i = 0; i < N_RLIMITS; i++)
		first[i] = SIZE_MAX;
	for (uint32_t i = 0; i < v->len; i++)
		if (walk_rlimit(w, AT_INDEX(at, i), &v->items[i], &p->rlimits[i], first, i) < 0)
			return -1;
	return 0;
}

static int walk_oom_score_adj(struct walk *w, const struct json_loc *proc_at,
			      const struct json_value *proc, struct spec_process *p)
{
	const struct json_value *v;
	int64_t adj;
	int r = field(w, proc_at, proc, "oomScoreAdj", false, &v);

	if (r <= 0)
		return r;
	if (read_int(w, AT_KEY(proc_at, "oomScoreAdj"), v, -1000, 1000, &adj) < 0)
		return -1;
	p->has_oom_score_adj = true;
	p->oom_score_adj = (int)adj;
	return 0;
}

static int walk_process(struct walk *w, const struct json_value *top, struct spec *s)
{
	const struct json_loc *at = AT_KEY(NULL, "process");
	struct spec_process *p = &s->process;
	const struct json_value *obj;
	int r = object_field(w, NULL, top, "process", false, &obj);

	if (r <= 0)
		return r;
	s->has_process = true;
	if (walk_args(w, at, obj, p) < 0 || walk_env(w, at, obj, p) < 0)
		return -1;
	if (string_field(w, at, obj, "cwd", true, &p->cwd) < 0 ||
	    check_absolute(w, AT_KEY(at, "cwd"), p->cwd) < 0)
		return -1;
	if (bool_field(w, at, obj, "terminal", &p->terminal) < 0 ||
	    walk_user(w, at, obj, &p->user) < 0 ||
	    bool_field(w, at, obj, "noNewPrivileges", &p->no_new_privileges) < 0 ||
	    walk_rlimits(w, at, obj, p) < 0 || walk_oom_score_adj(w, at, obj, p) < 0)
		return -1;
	return 0;
}

static int name_field(struct walk *w, const struct json_value *top, const char *key, char **out)
{
	size_t len;

	if (string_field(w, NULL, top, key, false, out) < 0)
		return -1;
	if (*out == NULL)
		return 0;
	len = strlen(*out);
	if (len <= SPEC_MAX_HOSTNAME)
		return 0;
	return fail(w, AT_KEY(NULL, key), "%zu bytes is longer than the %d-byte limit", len,
		    SPEC_MAX_HOSTNAME);
}

static int walk_mount(struct walk *w, const struct json_loc *at, const struct json_value *v,
		      struct spec_mount *m)
{
	if (expect(w, at, v, JSON_OBJECT) < 0)
		return -1;
	if (string_field(w, at, v, "destination", true, &m->destination) < 0 ||
	    check_absolute(w, AT_KEY(at, "destination"), m->destination) < 0)
		return -1;
	if (string_field(w, at, v, "type", false, &m->type) < 0 ||
	    string_field(w, at, v, "source", false, &m->source) < 0)
		return -1;
	return strv_field(w, at, v, "options", false, &m->options, &m->n_options);
}

static int walk_mounts(struct walk *w, const struct json_value *top, struct spec *s)
{
	const struct json_loc *at = AT_KEY(NULL, "mounts");
	const struct json_value *v;
	int r = field(w, NULL, top, "mounts", false, &v);

	if (r <= 0)
		return r;
	if (expect(w, at, v, JSON_ARRAY) < 0)
		return -1;
	if (v->len == 0)
		return 0;
	s->mounts = calloc(v->len, sizeof(*s->mounts));
	if (s->mounts == NULL)
		return oom(w);
	s->n_mounts = v->len;
	for (uint32_t i = 0; i < v->len; i++)
		if (walk_mount(w, AT_INDEX(at, i), &v->items[i], &s->mounts[i]) < 0)
			return -1;
	return 0;
}

static int walk_annotations(struct walk *w, const struct json_value *top, struct spec *s)
{
	const struct json_loc *at = AT_KEY(NULL, "annotations");
	const struct json_value *obj;
	int r = object_field(w, NULL, top, "annotations", false, &obj);

	if (r <= 0 || obj->len == 0)
		return r;
	s->annotations = calloc(obj->len, sizeof(*s->annotations));
	if (s->annotations == NULL)
		return oom(w);
	s->n_annotations = obj->len;
	for (uint32_t i = 0; i < obj->len; i++) {
		const struct json_member *m = &obj->members[i];
		struct spec_kv *kv = &s->annotations[i];

		if (read_string(w, AT_KEY(at, m->key), &m->value, &kv->value) < 0)
			return -1;
		kv->key = strdup(m->key);
		if (kv->key == NULL)
			return oom(w);
	}
	return 0;
}

/* vm.hypervisor and vm.image are accepted and ignored for now. */
static int walk_vm(struct walk *w, const struct json_value *top, struct spec *s)
{
	const struct json_loc *vm_at = AT_KEY(NULL, "vm");
	const struct json_loc *at = AT_KEY(vm_at, "kernel");
	struct spec_vm_kernel *k = &s->vm_kernel;
	const struct json_value *vm, *obj;
	int r = object_field(w, NULL, top, "vm", false, &vm);

	if (r <= 0)
		return r;
	r = object_field(w, vm_at, vm, "kernel", false, &obj);
	if (r <= 0)
		return r;
	s->has_vm_kernel = true;
	if (string_field(w, at, obj, "path", true, &k->path) < 0 ||
	    check_nonempty(w, AT_KEY(at, "path"), k->path) < 0)
		return -1;
	if (strv_field(w, at, obj, "parameters", false, &k->parameters, &k->n_parameters) < 0)
		return -1;
	return string_field(w, at, obj, "initrd", false, &k->initrd);
}

static int walk_spec(struct walk *w, const struct json_value *top, struct spec *s)
{
	if (top->type != JSON_OBJECT)
		return fail(w, NULL, "expected a JSON object at the top level, got %s",
			    json_type_name(top->type));
	if (string_field(w, NULL, top, "ociVersion", true, &s->oci_version) < 0 ||
	    walk_root(w, top, &s->root) < 0 || walk_process(w, top, s) < 0 ||
	    name_field(w, top, "hostname", &s->hostname) < 0 ||
	    name_field(w, top, "domainname", &s->domainname) < 0 || walk_mounts(w, top, s) < 0 ||
	    walk_annotations(w, top, s) < 0 || walk_vm(w, top, s) < 0)
		return -1;
	return 0;
}

/* ---- entry points ---- */

static int too_big(struct uerr *err, const char *name, size_t len)
{
	return uerr_set(err, 0, "%s: %zu bytes is larger than the %u-byte limit", name, len,
			(unsigned int)SPEC_MAX_FILE_SIZE);
}

int spec_parse(const char *buf, size_t len, const char *name, struct spec **out, struct uerr *err)
{
	struct json_doc doc __attribute__((cleanup(json_doc_release))) = {.arena = NULL};
	struct spec *s __attribute__((cleanup(spec_freep))) = NULL;
	struct walk w = {.name = name != NULL ? name : "config.json", .err = err};

	*out = NULL;
	if (len > SPEC_MAX_FILE_SIZE)
		return too_big(err, w.name, len);
	if (buf == NULL && len > 0)
		return uerr_set(err, EINVAL, "%s", w.name);
	if (json_parse(buf, len, w.name, &doc, err) < 0)
		return -1;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return oom(&w);
	if (walk_spec(&w, &doc.root, s) < 0)
		return -1;
	*out = steal_ptr(s);
	return 0;
}

/* Reads at most SPEC_MAX_FILE_SIZE + 1 bytes, whatever fstat says: the
 * file may be a pipe, a /proc file or grow under us. */
static int read_limited(int fd, const char *path, char **buf, size_t *len, struct uerr *err)
{
	const size_t limit = (size_t)SPEC_MAX_FILE_SIZE + 1;
	autofree char *data = NULL;
	size_t cap = 0, n = 0, want;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return uerr_set(err, errno, "%s: fstat", path);
	if (S_ISDIR(st.st_mode))
		return uerr_set(err, EISDIR, "%s", path);
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > SPEC_MAX_FILE_SIZE)
		return too_big(err, path, (size_t)st.st_size);
	/* a regular file's size + 1 sees EOF without growing the buffer */
	want = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
	while (n < limit) {
		ssize_t r;

		if (n == cap) {
			size_t ncap = cap > 0 ? cap * 2 : want;
			char *p;

			ncap = ncap > limit ? limit : ncap;
			p = realloc(data, ncap);
			if (p == NULL)
				return uerr_set(err, ENOMEM, "%s", path);
			data = p;
			cap = ncap;
		}
		r = read(fd, data + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return uerr_set(err, errno, "%s: read", path);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n >= limit)
		return uerr_set(err, 0, "%s: larger than the %u-byte limit", path,
				(unsigned int)SPEC_MAX_FILE_SIZE);
	*buf = steal_ptr(data);
	*len = n;
	return 0;
}

int spec_load(const char *path, struct spec **out, struct uerr *err)
{
	autoclose int fd = -1;
	autofree char *buf = NULL;
	size_t len = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return uerr_set(err, errno, "%s: open", path);
	if (read_limited(fd, path, &buf, &len, err) < 0)
		return -1;
	return spec_parse(buf, len, path, out, err);
}
