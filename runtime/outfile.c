/* outfile.c: files that appear whole or not at all (see outfile.h). */
#define _GNU_SOURCE
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

int outfile_open(struct outfile *o, const char *dest, struct uerr *err)
{
	mode_t mask;

	*o = (struct outfile){ .fd = -1 };
	o->dest = strdup(dest);
	if (o->dest == NULL || asprintf(&o->path, "%s.tmp-XXXXXX", dest) < 0) {
		o->path = NULL;
		return uerr_set(err, ENOMEM, "%s", dest);
	}
	o->fd = mkostemp(o->path, O_CLOEXEC);
	if (o->fd < 0) {
		int saved = errno;

		free(o->path);
		o->path = NULL;
		return uerr_set(err, saved, "%s: creating a temporary file next to it", dest);
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(o->fd, 0666 & ~mask) < 0)
		return uerr_set(err, errno, "%s: chmod", o->path);
	return 0;
}

/* Makes a rename in the directory of PATH durable. */
static int sync_dir(const char *path, struct uerr *err)
{
	autofree char *copy = strdup(path);
	autoclose int fd = -1;

	if (copy == NULL)
		return uerr_set(err, ENOMEM, "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return uerr_set(err, errno, "%s: syncing its directory", path);
	return 0;
}

int outfile_commit(struct outfile *o, bool replace, struct uerr *err)
{
	int r;

	if (fsync(o->fd) < 0 || close(steal_fd(o->fd)) < 0)
		return uerr_set(err, errno, "%s: write", o->dest);
	if (replace) {
		r = rename(o->path, o->dest);
	} else {
		r = renameat2(AT_FDCWD, o->path, AT_FDCWD, o->dest, RENAME_NOREPLACE);
		if (r < 0 && (errno == EINVAL || errno == ENOSYS)) {
			/* no RENAME_NOREPLACE here: link() refuses an existing name too */
			r = link(o->path, o->dest);
			if (r == 0)
				unlink(o->path);
		}
	}
	if (r < 0 && errno == EEXIST)
		return uerr_set(err, 0, "%s exists", o->dest);
	if (r < 0)
		return uerr_set(err, errno, "%s: rename from %s", o->dest, o->path);
	free(o->path);
	o->path = NULL;
	return sync_dir(o->dest, err);
}

void outfile_discard(struct outfile *o)
{
	int saved = errno;

	cleanup_closep(&o->fd);
	if (o->path != NULL)
		unlink(o->path);
	free(o->path);
	free(o->dest);
	*o = (struct outfile){ .fd = -1 };
	errno = saved;
}
