/* binds.c: host bind mounts for the guest (see binds.h). */
#define _GNU_SOURCE
#include "binds.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "mountopts.h"

static int add(struct binds *out, const char *src, const char *dst, unsigned long flags,
	       const char *at, struct uerr *err)
{
	struct bind_mount *b;
	struct stat st;
	char *real;

	if (out->n == BINDS_MAX)
		return uerr_set(err, 0, "%s: more than %d bind mounts", at, BINDS_MAX);
	if (dst[0] != '/' || strcmp(dst, "/") == 0)
		return uerr_set(err, 0, "%s: destination \"%s\": must be an absolute path below /",
				at, dst);
	/* hostfs takes the path as is: no "..", "." or empty components */
	if (strstr(dst, "/../") || strstr(dst, "/./") || strstr(dst, "//") ||
	    (strlen(dst) >= 3 && strcmp(dst + strlen(dst) - 3, "/..") == 0) ||
	    (strlen(dst) >= 2 && strcmp(dst + strlen(dst) - 2, "/.") == 0))
		return uerr_set(err, 0, "%s: destination \"%s\": must not contain \".\", \"..\" or "
				"empty components", at, dst);
	real = realpath(src, NULL);
	if (real == NULL || stat(real, &st) < 0) {
		int e = errno;

		free(real);
		return uerr_set(err, e, "%s: source \"%s\"", at, src);
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		free(real);
		return uerr_set(err, 0, "%s: source \"%s\": not a directory or a regular file", at,
				src);
	}
	b = &out->b[out->n];
	*b = (struct bind_mount){ .source = real, .dest = strdup(dst), .dir = S_ISDIR(st.st_mode),
				  .ro = (flags & MS_RDONLY) != 0,
				  .guest_flags = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC) };
	if (b->dest == NULL) {
		free(real);
		return uerr_set(err, ENOMEM, "%s", at);
	}
	out->n++;
	return 0;
}

static bool is_bind(const struct spec_mount *m, const struct mountopts *o)
{
	return o->bind || (m->type && (strcmp(m->type, "bind") == 0 || strcmp(m->type, "rbind") == 0));
}

int binds_collect(const struct spec *s, char *const *volumes, struct binds *out, struct uerr *err)
{
	out->n = 0;
	for (size_t i = 0; i < s->n_mounts; i++) {
		__attribute__((cleanup(mountopts_free))) struct mountopts o = { 0 };
		const struct spec_mount *m = &s->mounts[i];
		char at[48];

		snprintf(at, sizeof(at), "config.json: mounts[%zu]", i);
		if (mountopts_parse(m->options, at, &o, err) < 0)
			return -1;
		if (!is_bind(m, &o))
			continue;
		if (m->source == NULL)
			return uerr_set(err, 0, "%s.source: required for a bind mount", at);
		if (add(out, m->source, m->destination, o.flags, at, err) < 0)
			return -1;
	}
	out->n_config = out->n;
	for (size_t i = 0; volumes && volumes[i]; i++) {
		autofree char *v = strdup(volumes[i]);
		char at[64], *dst, *mode;
		unsigned long flags = MS_NOSUID | MS_NODEV;

		if (v == NULL)
			return uerr_set(err, ENOMEM, "-v");
		snprintf(at, sizeof(at), "-v %.50s", volumes[i]);
		dst = strchr(v, ':');
		if (dst == NULL)
			return uerr_set(err, 0, "%s: expected SRC:DST[:ro]", at);
		*dst++ = '\0';
		mode = strchr(dst, ':');
		if (mode) {
			*mode++ = '\0';
			if (strcmp(mode, "ro") == 0)
				flags |= MS_RDONLY;
			else if (strcmp(mode, "rw") != 0)
				return uerr_set(err, 0, "%s: \"%s\": expected ro or rw", at, mode);
		}
		if (add(out, v, dst, flags, at, err) < 0)
			return -1;
	}
	return 0;
}

/* Opens PATH inside the directory ROOT, resolving it as if ROOT were "/". */
static int open_in_root(int root, const char *path, int flags)
{
	struct open_how how = { .flags = (unsigned long long)(flags | O_CLOEXEC),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

	return (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
}

/* mkdir -p of DEST's parent, then DEST itself (a directory or an empty
 * file, like the source), each component resolved inside ROOT. */
static int make_one(int root, const struct bind_mount *b, struct uerr *err)
{
	autofree char *copy = strdup(b->dest);
	autoclose int dir = -1;
	char *p, *slash;

	if (copy == NULL)
		return uerr_set(err, ENOMEM, "mountpoint");
	/* create the missing components one by one */
	for (p = copy + 1;; p = slash + 1) {
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		dir = open_in_root(root, copy, O_PATH);
		if (dir < 0 && errno == ENOENT) {
			char *base = strrchr(copy, '/');
			autoclose int parent = -1;

			*base = '\0';
			parent = open_in_root(root, copy[0] ? copy : "/", O_PATH | O_DIRECTORY);
			*base = '/';
			if (parent < 0)
				return uerr_set(err, errno, "mountpoint %s in the rootfs", b->dest);
			if (slash || b->dir) {
				if (mkdirat(parent, base + 1, 0755) < 0 && errno != EEXIST)
					return uerr_set(err, errno, "mkdir %s in the rootfs", copy);
			} else {
				int fd = openat(parent, base + 1,
						O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

				if (fd < 0 && errno != EEXIST)
					return uerr_set(err, errno, "create %s in the rootfs", copy);
				if (fd >= 0)
					close(fd);
			}
		} else if (dir < 0) {
			return uerr_set(err, errno, "mountpoint %s in the rootfs", copy);
		}
		cleanup_closep(&dir);
		if (slash == NULL)
			break;
		*slash = '/';
	}
	return 0;
}

int binds_make_mountpoints(const struct binds *b, const char *rootfs, struct uerr *err)
{
	autoclose int root = -1;

	if (b->n == 0)
		return 0;
	root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return uerr_set(err, errno, "root.path %s", rootfs);
	for (size_t i = 0; i < b->n; i++)
		if (make_one(root, &b->b[i], err) < 0)
			return -1;
	return 0;
}

int binds_check_plain(struct binds *b, const char *rootfs, const char *view_root,
		      struct uerr *err)
{
	autoclose int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		return uerr_set(err, errno, "root.path %s", rootfs);
	for (size_t i = 0; i < b->n; i++) {
		struct open_how how = { .flags = O_PATH | O_CLOEXEC,
					.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS };
		int fd;

		if (b->b[i].ro)
			continue;
		fd = (int)syscall(SYS_openat2, root, b->b[i].dest, &how, sizeof(how));
		if (fd < 0)
			return uerr_set(err, errno == ELOOP ? 0 : errno,
					"bind mount %s: in a read-only root, a read-write bind's "
					"destination must not pass through a symlink", b->b[i].dest);
		close(fd);
		if (asprintf(&b->b[i].view_path, "%s%s", view_root, b->b[i].dest) < 0)
			return uerr_set(err, ENOMEM, "bind mount %s", b->b[i].dest);
	}
	return 0;
}

void binds_free(struct binds *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->b[i].source);
		free(b->b[i].dest);
		free(b->b[i].view_path);
	}
	b->n = 0;
}
