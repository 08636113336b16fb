/* hostfs.c: directory rootfs over UML hostfs (see hostfs.h). */
#define _GNU_SOURCE
#include "hostfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../runtime/cleanup.h"

int hostfs_check_rootfs(const char *rootfs, const char *field, struct uerr *err)
{
	struct stat st;

	if (stat(rootfs, &st) < 0)
		return uerr_set(err, errno, "%s %s", field, rootfs);
	if (!S_ISDIR(st.st_mode))
		return uerr_set(err, 0, "%s %s: not a directory", field, rootfs);
	return 0;
}

int hostfs_prepare(const char *rootfs, const char *state_dir, char **hostfs_root,
		   struct uerr *err)
{
	autofree char *link = NULL;

	if (asprintf(&link, "%s/rootfs", state_dir) < 0)
		return uerr_set(err, errno, "asprintf");
	if (symlink(rootfs, link) < 0)
		return uerr_set(err, errno, "symlink %s", link);
	*hostfs_root = steal_ptr(link);
	return 0;
}
