/* cpu.c: round-robin CPU placement of sandboxes, shared through the state root. */
#define _GNU_SOURCE
#include "cpu.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cleanup.h"

static unsigned long next_ticket(const char *root, struct uerr *err, int *ok)
{
	autofree char *path = NULL;
	autoclose int fd = -1;
	char buf[32] = { 0 };
	unsigned long n = 0;
	ssize_t r;

	*ok = 0;
	if (asprintf(&path, "%s/cpu.next", root) < 0)
		return uerr_set(err, errno, "asprintf"), 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return uerr_set(err, errno, "%s", path), 0;
	if (flock(fd, LOCK_EX) < 0)
		return uerr_set(err, errno, "flock %s", path), 0;
	r = pread(fd, buf, sizeof(buf) - 1, 0);
	if (r > 0)
		n = strtoul(buf, NULL, 10);
	snprintf(buf, sizeof(buf), "%lu\n", n + 1);
	if (pwrite(fd, buf, strlen(buf), 0) < 0 || ftruncate(fd, (off_t)strlen(buf)) < 0)
		return uerr_set(err, errno, "write %s", path), 0;
	*ok = 1;
	return n; /* the lock goes with the fd */
}

int cpu_pick(const char *root, unsigned long *ticket_out, struct uerr *err)
{
	cpu_set_t set;
	unsigned long ticket;
	int count, ok, seen = 0;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return uerr_set(err, errno, "sched_getaffinity");
	count = CPU_COUNT(&set);
	if (count <= 0)
		return uerr_set(err, 0, "no usable CPU in this process's affinity mask");
	ticket = next_ticket(root, err, &ok);
	if (!ok)
		return -1;
	*ticket_out = ticket;
	ticket %= (unsigned long)count;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if ((unsigned long)seen++ == ticket)
			return cpu;
	}
	return uerr_set(err, 0, "CPU selection failed");
}
