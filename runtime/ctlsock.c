/* ctlsock.c: messages on the monitor's control socket (see ctlsock.h). */
#define _GNU_SOURCE
#include "ctlsock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "tty.h"

int ctl_send(int sock, uint32_t op, int32_t arg, uint32_t flags, const void *payload, size_t len,
	     const int *fds, size_t n_fds)
{
	struct ctl_msg h = { .op = op, .arg = arg, .flags = flags, .len = (uint32_t)len };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)payload, len } };
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };

	if (len > CTL_MAX_PAYLOAD || n_fds > 3) {
		errno = EMSGSIZE;
		return -1;
	}
	if (fds != NULL && n_fds > 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n_fds * sizeof(int));
	}
	while (sendmsg(sock, &m, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int ctl_send_resize(int sock, int tty_fd)
{
	uint16_t rows, cols;

	if (!tty_size(tty_fd, &rows, &cols))
		return 0;
	return ctl_send(sock, CTL_RESIZE, (int32_t)((uint32_t)rows << 16 | cols), 0, NULL, 0, NULL,
			0);
}

static void take_fds(struct msghdr *m, int *fds, size_t *n_fds)
{
	size_t got = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		size_t n;
		int tmp[8];

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (n > 8)
			n = 8;
		memcpy(tmp, CMSG_DATA(c), n * sizeof(int));
		for (size_t i = 0; i < n; i++) {
			if (fds != NULL && got < 3)
				fds[got++] = tmp[i];
			else
				close(tmp[i]);
		}
	}
	if (n_fds)
		*n_fds = got;
}

int ctl_recv(int sock, struct ctl_msg *hdr, void *payload, size_t cap, int *fds, size_t *n_fds)
{
	struct iovec iov[2] = { { hdr, sizeof(*hdr) }, { payload, cap } };
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	ssize_t n;

	if (n_fds)
		*n_fds = 0;
	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	take_fds(&m, fds, n_fds);
	if (n == 0)
		return 0;
	if ((size_t)n < sizeof(*hdr) || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    hdr->len != (size_t)n - sizeof(*hdr)) {
		if (fds && n_fds)
			for (size_t i = 0; i < *n_fds; i++)
				close(fds[i]);
		if (n_fds)
			*n_fds = 0;
		errno = EBADMSG;
		return -1;
	}
	return 1;
}

static int sock_addr(const char *state_dir, struct sockaddr_un *sa, struct uerr *err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if ((size_t)snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/" CTL_SOCK_NAME, state_dir) >=
	    sizeof(sa->sun_path))
		return uerr_set(err, ENAMETOOLONG, "%s/" CTL_SOCK_NAME, state_dir);
	return 0;
}

int ctl_connect(const char *state_dir, const char *id, struct uerr *err)
{
	struct sockaddr_un sa;
	autoclose int fd = -1;

	if (sock_addr(state_dir, &sa, err) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return uerr_set(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			return uerr_set(err, 0, "container \"%s\" is not running", id);
		return uerr_set(err, errno, "connect %s", sa.sun_path);
	}
	return steal_fd(fd);
}

int ctl_call(const char *state_dir, const char *id, uint32_t op, int32_t arg, uint32_t flags,
	     struct uerr *err)
{
	autoclose int fd = ctl_connect(state_dir, id, err);
	struct ctl_msg h;
	char msg[512];
	int r;

	if (fd < 0)
		return -1;
	if (ctl_send(fd, op, arg, flags, NULL, 0, NULL, 0) < 0)
		return uerr_set(err, errno, "container \"%s\": sending the request", id);
	r = ctl_recv(fd, &h, msg, sizeof(msg) - 1, NULL, NULL);
	if (r < 0)
		return uerr_set(err, errno, "container \"%s\": reading the reply", id);
	if (r == 0)
		return uerr_set(err, 0, "container \"%s\": its monitor exited", id);
	if (h.op == CTL_ERR) {
		msg[h.len] = '\0';
		return uerr_set(err, 0, "%s", msg);
	}
	if (h.op != CTL_OK)
		return uerr_set(err, 0, "container \"%s\": unexpected reply %u", id, h.op);
	return 0;
}

int ctl_listen(const char *state_dir, struct uerr *err)
{
	struct sockaddr_un sa;
	autoclose int fd = -1;

	if (sock_addr(state_dir, &sa, err) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return uerr_set(err, errno, "socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return uerr_set(err, errno, "bind %s", sa.sun_path);
	if (listen(fd, 64) < 0)
		return uerr_set(err, errno, "listen %s", sa.sun_path);
	return steal_fd(fd);
}
