/* mountopts.c: config.json mount options to mount(2) flags and data, with
 * util-linux libmount's option maps (see mountopts.h). */
#define _GNU_SOURCE
#include "mountopts.h"

#include <errno.h>
#include <libmount/libmount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"

#define PROPAGATION (MS_PRIVATE | MS_SHARED | MS_SLAVE | MS_UNBINDABLE)

/* Options of runc, crun and podman that are instructions to the runtime,
 * not to the kernel ("idmap" may carry "=MAPPINGS"). */
static bool runtime_only(const char *opt, size_t len)
{
	static const char *const names[] = {
	    "tmpcopyup", "notmpcopyup", "copy-symlink", "src-nofollow", "rro", "rrw", "z",
	    "Z",	 "U",		"idmap",	"ridmap"};
	const char *eq = memchr(opt, '=', len);
	size_t name_len = eq ? (size_t)(eq - opt) : len;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		bool is_idmap = strstr(names[i], "idmap") != NULL;

		if (strlen(names[i]) == name_len && memcmp(opt, names[i], name_len) == 0 &&
		    (eq == NULL || is_idmap))
			return true;
	}
	return false;
}

/* Joins the options with ",", rejecting ones libmount could misread. */
static int join_options(char *const *options, const char *at, char **out, struct uerr *err)
{
	size_t total = 1;
	char *s, *p;

	for (size_t i = 0; options && options[i]; i++) {
		const char *o = options[i];

		if (o[0] == '\0' || strpbrk(o, ",\"") != NULL)
			return uerr_set(err, 0, "%s.options[%zu]: \"%s\": invalid mount option", at,
					i, o);
		total += strlen(o) + 1;
	}
	s = p = calloc(1, total);
	if (s == NULL)
		return uerr_set(err, errno, "%s.options", at);
	for (size_t i = 0; options && options[i]; i++) {
		size_t n = strlen(options[i]);

		if (runtime_only(options[i], n))
			continue;
		if (p != s)
			*p++ = ',';
		memcpy(p, options[i], n);
		p += n;
	}
	*p = '\0';
	*out = s;
	return 0;
}

int mountopts_parse(char *const *options, const char *at, struct mountopts *out, struct uerr *err)
{
	autofree char *all = NULL, *user = NULL, *vfs = NULL, *fs = NULL;
	unsigned long flags = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (join_options(options, at, &all, err) < 0)
		return -1;
	if (all[0] == '\0')
		return 0;
	r = mnt_split_optstr(all, &user, &vfs, &fs, 0, 0);
	if (r < 0)
		return uerr_set(err, -r, "%s.options: \"%s\"", at, all);
	if (vfs != NULL) {
		r = mnt_optstr_get_flags(vfs, &flags, mnt_get_builtin_optmap(MNT_LINUX_MAP));
		if (r < 0)
			return uerr_set(err, -r, "%s.options: \"%s\"", at, vfs);
	}
	out->bind = (flags & MS_BIND) != 0;
	out->propagation = flags & PROPAGATION;
	if (out->propagation)
		out->propagation |= flags & MS_REC;
	out->flags =
	    flags & ~(unsigned long)(PROPAGATION | MS_REC | MS_BIND | MS_REMOUNT | MS_MOVE);
	out->data = steal_ptr(fs);
	return 0;
}

void mountopts_free(struct mountopts *o)
{
	free(o->data);
	o->data = NULL;
}
