/* bundle.c: locating and checking a bundle and the files it boots with. */
#define _GNU_SOURCE
#include "bundle.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../hostfs/hostfs.h"
#include "cleanup.h"
#include "paths.h"

static char *join(const char *dir, const char *path)
{
	char *s = NULL;

	if (path[0] == '/')
		return strdup(path);
	if (asprintf(&s, "%s/%s", dir, path) < 0)
		return NULL;
	return s;
}

/* root.path, or the image annotation: a directory (hostfs) or an image. */
static int open_root(struct bundle *b, const char *dir, struct uerr *err)
{
	const char *image = spec_annotation(b->spec, BUNDLE_IMAGE_ANNOTATION);
	const char *field = image ? BUNDLE_IMAGE_ANNOTATION : "root.path";
	autofree char *path = join(dir, image ? image : b->spec->root.path);
	struct stat st;

	if (path == NULL)
		return uerr_set(err, errno, "malloc");
	if (image && image[0] == '\0')
		return uerr_set(err, 0, "annotation %s: empty", field);
	if (stat(path, &st) < 0)
		return uerr_set(err, errno, "%s %s", field, path);
	if (S_ISREG(st.st_mode)) {
		/* canonical: the COW file records it (see cow.h) */
		b->rootfs = realpath(path, NULL);
		b->image = true;
		return b->rootfs ? 0 : uerr_set(err, errno, "%s %s", field, path);
	}
	if (image)
		return uerr_set(err, 0, "annotation %s: %s: not a regular file", field, path);
	if (hostfs_check_rootfs(path, field, err) < 0)
		return -1;
	b->rootfs = steal_ptr(path);
	return 0;
}

int bundle_open(const char *dir, struct bundle *b, struct uerr *err)
{
	autofree char *real = NULL;
	autofree char *config = NULL;
	struct stat st;

	memset(b, 0, sizeof(*b));
	real = realpath(dir, NULL);
	if (real == NULL)
		return uerr_set(err, errno, "bundle %s", dir);
	if (stat(real, &st) < 0)
		return uerr_set(err, errno, "bundle %s", dir);
	if (!S_ISDIR(st.st_mode))
		return uerr_set(err, 0, "bundle %s: not a directory", dir);
	if (asprintf(&config, "%s/config.json", real) < 0)
		return uerr_set(err, errno, "asprintf");
	if (spec_load(config, &b->spec, err) < 0)
		return -1;
	if (open_root(b, real, err) < 0) {
		bundle_close(b);
		return -1;
	}
	b->dir = steal_ptr(real);
	return 0;
}

void bundle_close(struct bundle *b)
{
	spec_free(b->spec);
	free(b->rootfs);
	free(b->dir);
	memset(b, 0, sizeof(*b));
}

static int check_exec(const char *what, const char *path, struct uerr *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return uerr_set(err, errno, "%s %s", what, path);
	if (!S_ISREG(st.st_mode))
		return uerr_set(err, 0, "%s %s: not a regular file", what, path);
	if (access(path, X_OK) < 0)
		return uerr_set(err, 0, "%s %s: not executable", what, path);
	return 0;
}

int bundle_kernel(const struct bundle *b, const char *cli, char **kernel, struct uerr *err)
{
	const char *what = "kernel";
	const char *env = getenv("UMLRUN_KERNEL");
	autofree char *path = NULL;
	autofree char *real = NULL;

	if (cli != NULL) {
		what = "--kernel";
		path = strdup(cli);
	} else if (b->spec->has_vm_kernel && b->spec->vm_kernel.path != NULL) {
		what = "vm.kernel.path";
		path = join(b->dir, b->spec->vm_kernel.path);
	} else if (env != NULL && env[0] != '\0') {
		what = "$UMLRUN_KERNEL";
		path = strdup(env);
	} else {
		path = strdup(UMLRUN_DEFAULT_KERNEL);
	}
	if (path == NULL)
		return uerr_set(err, errno, "malloc");
	if (check_exec(what, path, err) < 0)
		return -1;
	real = realpath(path, NULL);
	if (real == NULL)
		return uerr_set(err, errno, "%s %s", what, path);
	*kernel = steal_ptr(real);
	return 0;
}

int bundle_initramfs(char **out, struct uerr *err)
{
	const char *env = getenv("UMLRUN_INITRAMFS");
	const char *path = (env && env[0]) ? env : UMLRUN_DEFAULT_INITRAMFS;
	char *real = realpath(path, NULL);

	if (real == NULL)
		return uerr_set(err, errno, "agent initramfs %s", path);
	if (access(real, R_OK) < 0) {
		free(real);
		return uerr_set(err, errno, "agent initramfs %s", path);
	}
	*out = real;
	return 0;
}
