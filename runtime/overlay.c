/* overlay.c: finding an overlay mount's layers in mountinfo (see overlay.h). */
#define _GNU_SOURCE
#include "overlay.h"

#include <errno.h>
#include <libmount.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

static void cleanup_table(struct libmnt_table **t)
{
	if (*t)
		mnt_unref_table(*t);
}

static int add_layer(struct overlay_layers *l, const char *path, size_t len, const char *opt,
		     struct uerr *err)
{
	char *p;

	if (len == 0)
		return 0; /* "::" separates data-only layers: keep the order */
	if (path[0] != '/')
		return uerr_set(err, 0, "root.path: overlay %s \"%.*s\" is relative: cannot rebuild it",
				opt, (int)len, path);
	if (l->n_lowers == OVERLAY_MAX_LAYERS)
		return uerr_set(err, 0, "root.path: overlay has more than %d layers",
				OVERLAY_MAX_LAYERS);
	p = malloc(len + 1);
	if (p == NULL)
		return uerr_set(err, ENOMEM, "overlay layers");
	/* mountinfo escapes ':' and '\' in layer paths with '\' */
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (path[i] == '\\' && i + 1 < len)
			i++;
		p[n++] = path[i];
	}
	p[n] = '\0';
	l->lowers[l->n_lowers++] = p;
	return 0;
}

static int split_lowers(struct overlay_layers *l, const char *v, size_t vlen, struct uerr *err)
{
	size_t start = 0;

	for (size_t i = 0; i <= vlen; i++) {
		if (i < vlen && v[i] == '\\') {
			i++;
			continue;
		}
		if (i == vlen || v[i] == ':') {
			if (add_layer(l, v + start, i - start, "lowerdir", err) < 0)
				return -1;
			start = i + 1;
		}
	}
	return 0;
}

/* Options of the original mount that change how layers are read. */
static int keep_options(struct overlay_layers *l, const char *optstr, struct uerr *err)
{
	static const char *const keep[] = { "metacopy", "redirect_dir", "userxattr", NULL };
	size_t cap = strlen(optstr) + 1, used = 0;

	l->options = calloc(1, cap);
	if (l->options == NULL)
		return uerr_set(err, ENOMEM, "overlay options");
	for (const char *const *k = keep; *k; k++) {
		char *v = NULL;
		size_t vlen = 0;

		if (mnt_optstr_get_option(optstr, *k, &v, &vlen) != 0)
			continue;
		used += (size_t)snprintf(l->options + used, cap - used, "%s%s%s%.*s",
					 used ? "," : "", *k, v && vlen ? "=" : "", (int)vlen,
					 v ? v : "");
	}
	return 0;
}

static int parse_layers(const char *optstr, const char *path, struct overlay_layers *out,
			struct uerr *err)
{
	char *v = NULL;
	size_t vlen = 0;

	out->lowers = calloc(OVERLAY_MAX_LAYERS, sizeof(char *));
	if (out->lowers == NULL)
		return uerr_set(err, ENOMEM, "overlay layers");
	if (mnt_optstr_get_option(optstr, "upperdir", &v, &vlen) == 0 &&
	    add_layer(out, v, vlen, "upperdir", err) < 0)
		return -1;
	if (mnt_optstr_get_option(optstr, "lowerdir", &v, &vlen) != 0)
		return uerr_set(err, 0, "root.path: overlay mount %s has no lowerdir", path);
	if (split_lowers(out, v, vlen, err) < 0)
		return -1;
	return keep_options(out, optstr, err);
}

int overlay_layers(const char *path, struct overlay_layers *out, struct uerr *err)
{
	__attribute__((cleanup(cleanup_table))) struct libmnt_table *t = mnt_new_table();
	struct libmnt_fs *fs;
	const char *optstr;

	memset(out, 0, sizeof(*out));
	if (t == NULL)
		return uerr_set(err, ENOMEM, "libmount");
	if (mnt_table_parse_file(t, "/proc/self/mountinfo") != 0)
		return uerr_set(err, errno, "reading /proc/self/mountinfo");
	fs = mnt_table_find_target(t, path, MNT_ITER_BACKWARD);
	if (fs == NULL || mnt_fs_get_fstype(fs) == NULL ||
	    strcmp(mnt_fs_get_fstype(fs), "overlay") != 0 || mnt_fs_get_root(fs) == NULL ||
	    strcmp(mnt_fs_get_root(fs), "/") != 0)
		return 0;
	optstr = mnt_fs_get_fs_options(fs);
	if (optstr == NULL)
		return uerr_set(err, 0, "root.path: overlay mount %s has no options", path);
	if (parse_layers(optstr, path, out, err) < 0) {
		overlay_layers_free(out);
		return -1;
	}
	return 1;
}

void overlay_layers_free(struct overlay_layers *l)
{
	for (size_t i = 0; i < l->n_lowers; i++)
		free(l->lowers[i]);
	free(l->lowers);
	free(l->options);
	memset(l, 0, sizeof(*l));
}
