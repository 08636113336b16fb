/* logfile.c: the capped output log of a detached container (see logfile.h). */
#define _GNU_SOURCE
#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

static int open_log(int dirfd)
{
	return openat(dirfd, LOGFILE_NAME, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		      0600);
}

int logfile_open(struct logfile *l, const char *dir, off_t cap, struct uerr *err)
{
	autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	*l = (struct logfile){ .dirfd = -1, .fd = -1, .cap = cap };
	if (dfd < 0)
		return uerr_set(err, errno, "%s", dir);
	l->fd = open_log(dfd);
	if (l->fd < 0 || fstat(l->fd, &st) < 0)
		return uerr_set(err, errno, "%s/" LOGFILE_NAME, dir);
	l->size = st.st_size;
	l->dirfd = steal_fd(dfd);
	return 0;
}

static void rotate(struct logfile *l)
{
	int fd;

	if (renameat(l->dirfd, LOGFILE_NAME, l->dirfd, LOGFILE_OLD) < 0)
		return;
	fd = open_log(l->dirfd);
	if (fd < 0)
		return;
	close(l->fd);
	l->fd = fd;
	l->size = 0;
}

void logfile_write(struct logfile *l, const void *buf, size_t n)
{
	const char *p = buf;

	if (l->fd < 0)
		return;
	if (l->size >= l->cap)
		rotate(l);
	while (n > 0) {
		ssize_t w = write(l->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
		l->size += w;
	}
}

void logfile_close(struct logfile *l)
{
	if (l->fd >= 0)
		close(l->fd);
	if (l->dirfd >= 0)
		close(l->dirfd);
	l->fd = l->dirfd = -1;
}
