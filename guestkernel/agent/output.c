/* output.c: a process's stdout and stderr: forwarding what its pipes hold
 * as P_STDOUT/P_STDERR frames carrying its sid, and the final drain of an
 * exec process that has exited. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* Forwards one chunk from *fd; closes it at EOF. Returns the bytes
 * forwarded, 0 when the pipe is empty or at EOF, -1 on error. */
int output_forward(struct channel *ch, uint16_t sid, int *fd, uint8_t type, struct aerr *e)
{
	uint8_t buf[AGENT_OUT_CHUNK];
	ssize_t n;

	do
		n = read(*fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n < 0 && errno == EIO) /* a pty master whose slave side is all closed */
		n = 0;
	if (n < 0)
		return aerr_set(e, errno, "read %s of process %u",
				type == P_STDOUT ? "stdout" : "stderr", sid);
	if (n == 0) {
		close(*fd);
		*fd = -1;
		return 0;
	}
	if (channel_send(ch, type, sid, buf, (size_t)n, e) < 0)
		return -1;
	return (int)n;
}

/* Forwards what the pipe holds now, then closes it. At most the pipe's
 * capacity is read: that is all the exited process can have left in it,
 * and a background child still writing must not keep the drain going. */
static int drain_one(struct channel *ch, uint16_t sid, int *fd, uint8_t type, struct aerr *e)
{
	int cap;
	long left;
	int r = 1;

	if (*fd < 0)
		return 0;
	cap = fcntl(*fd, F_GETPIPE_SZ);
	left = cap > 0 ? cap : 1L << 20;
	while (*fd >= 0 && left > 0 && r > 0) {
		r = output_forward(ch, sid, fd, type, e);
		left -= r;
	}
	if (r < 0)
		return -1;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return 0;
}

/* The final output of an exited exec process: what it wrote before it
 * exited all arrives; later output of children that still hold its pipes
 * is dropped (they get EPIPE). */
int output_drain(struct channel *ch, struct proc *p, struct aerr *e)
{
	if (drain_one(ch, p->sid, &p->out_fd, P_STDOUT, e) < 0)
		return -1;
	return drain_one(ch, p->sid, &p->err_fd, P_STDERR, e);
}
