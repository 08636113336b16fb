/* stdin.c: each process's stdin flow control: routing P_STDIN and
 * P_STDIN_EOF by sid, buffering P_STDIN bytes (at most the host's window
 * plus one frame), writing them to the non-blocking stdin pipe, closing it
 * after P_STDIN_EOF, and acknowledging every byte consumed or dropped with
 * P_STDIN_ACK(sid) so the host's window for that process keeps moving. */
#include "agent.h"

#include <errno.h>
#include <termios.h>
#include <unistd.h>

int stdin_add(struct stdin_buf *in, const uint8_t *data, size_t len, struct aerr *e)
{
	if (in->eof)
		return aerr_set(e, 0, "protocol error: stdin data after stdin EOF");
	if (in->closed) { /* nobody reads stdin any more: drop, but ack */
		in->to_ack += (uint32_t)len;
		return 0;
	}
	if (len > AGENT_STDIN_MAX - pbuf_pending(&in->buf))
		return aerr_set(e, 0, "protocol error: host overran the stdin window");
	if (pbuf_add(&in->buf, data, len) < 0)
		return aerr_set(e, errno, "buffer stdin");
	return 0;
}

/* Closes the pipe and drops (acknowledging) what is still buffered. */
void stdin_close(struct stdin_buf *in, int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	in->closed = true;
	in->to_ack += (uint32_t)pbuf_pending(&in->buf);
	pbuf_free(&in->buf);
}

/* Writes what the pipe takes; closes it once drained after EOF, or when the
 * reader is gone (EPIPE). */
int stdin_pump(struct stdin_buf *in, int *fd, struct aerr *e)
{
	while (*fd >= 0 && pbuf_pending(&in->buf) > 0) {
		ssize_t n = write(*fd, in->buf.data + in->buf.off, pbuf_pending(&in->buf));

		if (n > 0) {
			pbuf_consume(&in->buf, (size_t)n);
			in->to_ack += (uint32_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			break;
		} else if (n < 0 && (errno == EPIPE || errno == EIO)) {
			stdin_close(in, fd);
		} else {
			return aerr_set(e, n < 0 ? errno : EIO, "write process stdin");
		}
	}
	if (*fd >= 0 && in->eof && pbuf_pending(&in->buf) == 0) {
		struct termios t;

		/* on a terminal, the end of input is its EOF character (^D):
		 * closing the agent's end alone would tell the process nothing */
		if (tcgetattr(*fd, &t) == 0) {
			cc_t eof = t.c_cc[VEOF] ? t.c_cc[VEOF] : 4;

			(void)!write(*fd, &eof, 1);
		}
		stdin_close(in, fd);
	}
	return 0;
}

int stdin_send_ack(struct stdin_buf *in, struct channel *ch, uint16_t sid, struct aerr *e)
{
	uint32_t n = in->to_ack;

	if (n == 0)
		return 0;
	in->to_ack = 0;
	return channel_send_u32(ch, P_STDIN_ACK, sid, n, e);
}

bool stdin_wants_write(const struct stdin_buf *in, int fd)
{
	return fd >= 0 && pbuf_pending(&in->buf) > 0;
}

/* P_STDIN or P_STDIN_EOF for process f->sid. Bytes for a process that is
 * unknown or already reported exited are dropped but acknowledged. */
int stdin_frame(struct proctab *t, struct channel *ch, const struct frame *f, struct aerr *e)
{
	struct proc *p = proc_find(t, f->sid);

	if (f->type == P_STDIN_EOF) {
		if (p != NULL)
			p->in.eof = true;
		return 0;
	}
	if (p == NULL)
		return f->len > 0 ? channel_send_u32(ch, P_STDIN_ACK, f->sid, f->len, e) : 0;
	return stdin_add(&p->in, f->payload, f->len, e);
}
