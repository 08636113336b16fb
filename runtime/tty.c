/* tty.c: the host side of a container's terminal (see tty.h). */
#define _GNU_SOURCE
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"

static int send_fd(const char *path, int fd, const char *name, struct uerr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	autoclose int sock = -1;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)name, strlen(name) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;

	if (strlen(path) >= sizeof(sa.sun_path))
		return uerr_set(err, ENAMETOOLONG, "--console-socket %s", path);
	strcpy(sa.sun_path, path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return uerr_set(err, errno, "socket");
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return uerr_set(err, errno, "--console-socket %s", path);
	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &m, MSG_NOSIGNAL) < 0)
		return uerr_set(err, errno, "--console-socket %s: sending the pty", path);
	return 0;
}

static int raw(int fd, struct termios *saved, const char *what, struct uerr *err)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return uerr_set(err, errno, "%s: tcgetattr", what);
	if (saved)
		*saved = t;
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return uerr_set(err, errno, "%s: tcsetattr", what);
	return 0;
}

int tty_console_socket(const char *path, bool ctty, struct host_tty *t, struct uerr *err)
{
	autoclose int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	autoclose int slave = -1;
	char name[64];

	if (master < 0)
		return uerr_set(err, errno, "open /dev/ptmx");
	if (grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)))
		return uerr_set(err, errno, "set up a pty");
	slave = open(name, O_RDWR | O_CLOEXEC | (ctty ? 0 : O_NOCTTY));
	if (slave < 0)
		return uerr_set(err, errno, "open %s", name);
	if (ctty)
		ioctl(slave, TIOCSCTTY, 0); /* best effort: resizes then reach us */
	/* the guest's pty does the line discipline; this one passes bytes */
	if (raw(slave, NULL, name, err) < 0)
		return -1;
	if (send_fd(path, master, name, err) < 0)
		return -1;
	t->owned = t->fd = t->size_fd = steal_fd(slave);
	return 0;
}

int tty_make_raw(int fd, struct host_tty *t, struct uerr *err)
{
	if (raw(fd, &t->saved, "the terminal", err) < 0)
		return -1;
	t->saved_fd = fd;
	t->fd = t->size_fd = fd;
	return 0;
}

void tty_restore(struct host_tty *t)
{
	if (t->saved_fd >= 0)
		tcsetattr(t->saved_fd, TCSAFLUSH, &t->saved);
	t->saved_fd = -1;
	if (t->owned >= 0)
		close(t->owned);
	t->owned = t->fd = t->size_fd = -1;
}

bool tty_size(int fd, uint16_t *rows, uint16_t *cols)
{
	struct winsize ws;

	if (fd < 0 || ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}
