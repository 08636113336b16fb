/* channel.c: the agent's end of the host link: opening /dev/ttyS0 in raw
 * mode, sending complete frames, and reassembling received frames with
 * runtime/proto.c. Owns the tty fd and its buffers; nothing else touches them. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../../runtime/cleanup.h"

static int tty_make_raw(int fd, const char *path, struct aerr *e)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return aerr_set(e, errno, "tcgetattr %s", path);
	cfmakeraw(&t);
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	t.c_cflag &= ~(tcflag_t)CSIZE;
	t.c_cflag |= CS8 | CREAD | CLOCAL;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return aerr_set(e, errno, "tcsetattr %s", path);
	if (tcflush(fd, TCIFLUSH) < 0)
		return aerr_set(e, errno, "tcflush %s", path);
	return 0;
}

int channel_open(struct channel *ch, const char *path, struct aerr *e)
{
	autoclose int fd = -1;

	memset(ch, 0, sizeof(*ch));
	ch->fd = -1;
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return aerr_set(e, errno, "open %s", path);
	if (tty_make_raw(fd, path, e) < 0)
		return -1;
	if (proto_rx_init(&ch->rx, PROTO_MAX_HOST_PAYLOAD) < 0)
		return aerr_set(e, errno, "allocate receive buffer");
	ch->fd = steal_fd(fd);
	return 0;
}

void channel_close(struct channel *ch)
{
	if (ch->fd >= 0)
		close(ch->fd);
	ch->fd = -1;
	proto_rx_free(&ch->rx);
	pbuf_free(&ch->tx);
}

static int wait_fd(int fd, short events, struct aerr *e)
{
	struct pollfd p = { .fd = fd, .events = events };

	while (poll(&p, 1, -1) < 0) {
		if (errno != EINTR)
			return aerr_set(e, errno, "poll " AGENT_TTY);
	}
	return 0;
}

/* Writes every queued byte, waiting for the tty as needed. */
static int channel_flush(struct channel *ch, struct aerr *e)
{
	while (pbuf_pending(&ch->tx) > 0) {
		ssize_t n = write(ch->fd, ch->tx.data + ch->tx.off, pbuf_pending(&ch->tx));

		if (n > 0) {
			pbuf_consume(&ch->tx, (size_t)n);
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			if (wait_fd(ch->fd, POLLOUT, e) < 0)
				return -1;
		} else {
			return aerr_set(e, n < 0 ? errno : EIO, "write " AGENT_TTY);
		}
	}
	return 0;
}

int channel_send(struct channel *ch, uint8_t type, uint16_t sid, const void *payload, size_t len,
		 struct aerr *e)
{
	if (len > PROTO_MAX_GUEST_PAYLOAD)
		return aerr_set(e, EMSGSIZE, "frame type %u", type);
	if (proto_frame_to(&ch->tx, type, sid, 0, payload, len) < 0)
		return aerr_set(e, errno, "queue frame type %u", type);
	return channel_flush(ch, e);
}

int channel_send_u32(struct channel *ch, uint8_t type, uint16_t sid, uint32_t v, struct aerr *e)
{
	return channel_send(ch, type, sid, &v, sizeof(v), e);
}

/* Waits until the tty driver has handed every written byte to the host, so
 * nothing is lost when the guest powers off right after. */
int channel_drain(struct channel *ch)
{
	while (tcdrain(ch->fd) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/* One non-blocking read into the frame buffer: returns the byte count, 0 if
 * nothing was available, -1 on error or when the host hung up. */
int channel_fill(struct channel *ch, struct aerr *e)
{
	size_t avail;
	uint8_t *p = proto_rx_space(&ch->rx, &avail);
	ssize_t n;

	if (avail == 0)
		return aerr_set(e, 0, "protocol error: receive buffer full");
	do
		n = read(ch->fd, p, avail);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n < 0)
		return aerr_set(e, errno, "read " AGENT_TTY);
	if (n == 0)
		return aerr_set(e, 0, "read " AGENT_TTY ": host closed the channel");
	proto_rx_commit(&ch->rx, (size_t)n);
	return (int)n;
}

/* Takes one buffered frame: 1 with a frame, 0 if more bytes are needed,
 * -1 if the stream does not parse. */
int channel_next(struct channel *ch, struct frame *f, struct aerr *e)
{
	int r = proto_rx_next(&ch->rx, &f->type, &f->payload, &f->len);

	if (r < 0)
		return aerr_set(e, 0, "protocol error: malformed frame from host");
	if (r > 0) {
		f->sid = ch->rx.sid;
		f->flags = ch->rx.flags;
	}
	return r;
}

/* Blocks until one frame has arrived. */
int channel_recv(struct channel *ch, struct frame *f, struct aerr *e)
{
	for (;;) {
		int r = channel_next(ch, f, e);

		if (r != 0)
			return r < 0 ? -1 : 0;
		r = channel_fill(ch, e);
		if (r < 0)
			return -1;
		if (r == 0 && wait_fd(ch->fd, POLLIN, e) < 0)
			return -1;
	}
}
