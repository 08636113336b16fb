/* state.c: creation and removal of the per-sandbox state directories. */
#define _GNU_SOURCE
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

char *state_default_root(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *s = NULL;

	if (geteuid() == 0)
		return strdup("/run/umlrun");
	if (xdg != NULL && xdg[0] == '/') {
		if (asprintf(&s, "%s/umlrun", xdg) < 0)
			return NULL;
		return s;
	}
	if (asprintf(&s, "/tmp/umlrun-%u", (unsigned)geteuid()) < 0)
		return NULL;
	return s;
}

int state_check_id(const char *id, struct uerr *err)
{
	size_t n = strlen(id);

	if (n == 0 || n > 1024)
		return uerr_set(err, 0, "container id must be 1 to 1024 characters long");
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return uerr_set(err, 0, "invalid container id \"%s\"", id);
	for (const char *p = id; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_+.-", *p)))
			return uerr_set(err, 0,
					"invalid container id \"%s\": only letters, digits and _+.- are allowed",
					id);
	}
	return 0;
}

static int mkdir_p(const char *path, mode_t mode, struct uerr *err)
{
	autofree char *copy = strdup(path);

	if (copy == NULL)
		return uerr_set(err, errno, "strdup");
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return uerr_set(err, errno, "mkdir %s", copy);
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return uerr_set(err, errno, "mkdir %s", copy);
	return 0;
}

int state_create(const char *root, const char *id, char **path, struct uerr *err)
{
	autofree char *p = NULL;
	struct stat st;

	if (mkdir_p(root, 0700, err) < 0)
		return -1;
	if (stat(root, &st) < 0)
		return uerr_set(err, errno, "state root %s", root);
	if (!S_ISDIR(st.st_mode))
		return uerr_set(err, 0, "state root %s: not a directory", root);
	if (asprintf(&p, "%s/%s", root, id) < 0)
		return uerr_set(err, errno, "asprintf");
	if (mkdir(p, 0700) < 0) {
		if (errno == EEXIST)
			return uerr_set(err, 0, "container \"%s\" already exists (%s)", id, p);
		return uerr_set(err, errno, "mkdir %s", p);
	}
	*path = steal_ptr(p);
	return 0;
}

static int remove_at(int parent, const char *name, struct uerr *err)
{
	autoclose int fd = -1;
	autoclosedir DIR *d = NULL;
	struct dirent *de;

	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return uerr_set(err, errno, "unlink %s", name);
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return uerr_set(err, errno, "open %s", name);
	d = fdopendir(fd);
	if (d == NULL)
		return uerr_set(err, errno, "opendir %s", name);
	fd = -1; /* owned by d now */
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (remove_at(dirfd(d), de->d_name, err) < 0)
			return -1;
	}
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return uerr_set(err, errno, "rmdir %s", name);
	return 0;
}

int state_remove(const char *path, struct uerr *err)
{
	return remove_at(AT_FDCWD, path, err);
}
