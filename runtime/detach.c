/* detach.c: the ready report and the pid file of a detached child (see
 * detach.h). */
#define _GNU_SOURCE
#include "detach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cleanup.h"

bool detach_wait_ready(int fd, char *msg, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < cap && (n = read(fd, msg + got, cap - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
		if (msg[0] == DETACH_READY)
			break;
	}
	close(fd);
	msg[got] = '\0';
	return got > 0 && msg[0] == DETACH_READY;
}

int detach_write_pid_file(const char *file, pid_t pid, struct uerr *err)
{
	autofree char *tmp = NULL;
	autoclose int fd = -1;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	if (asprintf(&tmp, "%s.tmp%d", file, (int)getpid()) < 0)
		return uerr_set(err, ENOMEM, "--pid-file");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return uerr_set(err, errno, "--pid-file %s", tmp);
	if (write(fd, buf, (size_t)n) != n || rename(tmp, file) < 0) {
		int e = errno;

		unlink(tmp);
		return uerr_set(err, e, "--pid-file %s", file);
	}
	return 0;
}
