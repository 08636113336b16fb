/* config.c: config.json -> struct spec. Reads the file under the size
 * limit, lets json.c build a bounded tree, then walks it: the top-level
 * fields (ociVersion, root, hostname, domainname, mounts, annotations)
 * here, the sections in the files of sections.h. Unknown keys are
 * ignored. Owns spec_parse, spec_load and spec_free. */
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../runtime/cleanup.h"
#include "json.h"
#include "sections.h"

#define SPEC_MAX_HOSTNAME 64 /* HOST_NAME_MAX, and the same for domainname */

/* ---- freeing ---- */

static void mounts_free(struct spec_mount *m, size_t n)
{
	for (size_t i = 0; m != NULL && i < n; i++) {
		free(m[i].destination);
		free(m[i].type);
		free(m[i].source);
		spec_strv_free(m[i].options);
		free(m[i].uid_mappings);
		free(m[i].gid_mappings);
	}
	free(m);
}

void spec_free(struct spec *s)
{
	if (s == NULL)
		return;
	free(s->oci_version);
	free(s->root.path);
	spec_process_free(&s->process);
	free(s->hostname);
	free(s->domainname);
	mounts_free(s->mounts, s->n_mounts);
	spec_kv_free(s->annotations, s->n_annotations);
	spec_vm_free(s);
	spec_hooks_free(s->hooks);
	spec_linux_free(&s->linux_);
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

/* ---- the top-level fields ---- */

static int walk_root(struct walk *w, const struct json_value *top, struct spec_root *root)
{
	const struct json_loc *at = AT_KEY(NULL, "root");
	const struct json_value *obj;

	if (walk_object_field(w, NULL, top, "root", true, &obj) < 0)
		return -1;
	if (walk_string_field(w, at, obj, "path", true, &root->path) < 0 ||
	    walk_check_nonempty(w, AT_KEY(at, "path"), root->path) < 0)
		return -1;
	return walk_bool_field(w, at, obj, "readonly", &root->readonly);
}

static int name_field(struct walk *w, const struct json_value *top, const char *key, char **out)
{
	size_t len;

	if (walk_string_field(w, NULL, top, key, false, out) < 0)
		return -1;
	if (*out == NULL)
		return 0;
	len = strlen(*out);
	if (len <= SPEC_MAX_HOSTNAME)
		return 0;
	return walk_fail(w, AT_KEY(NULL, key), "%zu bytes is longer than the %d-byte limit", len,
			 SPEC_MAX_HOSTNAME);
}

static int walk_mount(struct walk *w, const struct json_loc *at, const struct json_value *v,
		      void *item)
{
	struct spec_mount *m = item;

	if (walk_string_field(w, at, v, "destination", true, &m->destination) < 0 ||
	    walk_check_absolute(w, AT_KEY(at, "destination"), m->destination) < 0)
		return -1;
	if (walk_string_field(w, at, v, "type", false, &m->type) < 0 ||
	    walk_string_field(w, at, v, "source", false, &m->source) < 0 ||
	    walk_strv_field(w, at, v, "options", false, &m->options, &m->n_options) < 0)
		return -1;
	if (walk_id_mappings(w, at, v, "uidMappings", &m->uid_mappings, &m->n_uid_mappings) < 0 ||
	    walk_id_mappings(w, at, v, "gidMappings", &m->gid_mappings, &m->n_gid_mappings) < 0)
		return -1;
	return 0;
}

static int walk_mounts(struct walk *w, const struct json_value *top, struct spec *s)
{
	return walk_array_of(w, NULL, top, "mounts", sizeof(*s->mounts), walk_mount, &s->mounts,
			     &s->n_mounts) < 0
		   ? -1
		   : 0;
}

static int walk_spec(struct walk *w, const struct json_value *top, struct spec *s)
{
	if (top->type != JSON_OBJECT)
		return walk_fail(w, NULL, "expected a JSON object at the top level, got %s",
				 json_type_name(top->type));
	if (walk_string_field(w, NULL, top, "ociVersion", true, &s->oci_version) < 0 ||
	    walk_root(w, top, &s->root) < 0 || walk_process(w, top, s) < 0 ||
	    name_field(w, top, "hostname", &s->hostname) < 0 ||
	    name_field(w, top, "domainname", &s->domainname) < 0 || walk_mounts(w, top, s) < 0 ||
	    walk_kv_field(w, NULL, top, "annotations", &s->annotations, &s->n_annotations) < 0 ||
	    walk_hooks(w, top, s) < 0 || walk_linux(w, top, s) < 0 || walk_vm(w, top, s) < 0)
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
		return walk_oom(&w);
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
