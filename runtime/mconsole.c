/* mconsole.c: the UML management console protocol (see mconsole.h and the
 * kernel's arch/um/drivers/mconsole.h): datagrams of struct
 * mconsole_request, answered by one or more struct mconsole_reply. */
#define _GNU_SOURCE
#include "mconsole.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"

#define MC_MAGIC 0xcafebabe
#define MC_VERSION 2
#define MC_MAX_DATA 512

struct mc_request {
	uint32_t magic;
	uint32_t version;
	uint32_t len;
	char data[MC_MAX_DATA];
};

struct mc_reply {
	uint32_t err;
	uint32_t more;
	uint32_t len;
	char data[MC_MAX_DATA];
};

static void cleanup_unlinkp(char **path)
{
	if (*path != NULL)
		unlink(*path);
}

/* An O_PATH fd of the kernel's socket, reached without symlinks and
 * without leaving the cwd. */
static int open_kernel_socket(const char *sock_rel, struct uerr *err)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
	autoclose int fd = (int)syscall(SYS_openat2, AT_FDCWD, sock_rel, &how, sizeof(how));
	struct stat st;

	if (fd < 0)
		return uerr_set(err, errno, "management console %s", sock_rel);
	if (fstat(fd, &st) < 0)
		return uerr_set(err, errno, "management console %s", sock_rel);
	if (!S_ISSOCK(st.st_mode))
		return uerr_set(err, 0, "management console %s: not a socket", sock_rel);
	return steal_fd(fd);
}

int mconsole_cmd(const char *sock_rel, const char *reply_dir, const char *cmd, char *reply,
		 size_t cap, int timeout_ms, struct uerr *err)
{
	struct sockaddr_un self = { .sun_family = AF_UNIX }, peer = { .sun_family = AF_UNIX };
	__attribute__((cleanup(cleanup_unlinkp))) char *bound = NULL;
	struct mc_request req = { .magic = MC_MAGIC, .version = MC_VERSION };
	autoclose int fd = -1, kfd = -1;
	size_t used = 0;
	mode_t old_mask;
	int r;

	if (cap > 0)
		reply[0] = '\0';
	if (strlen(cmd) >= MC_MAX_DATA || strlen(sock_rel) >= sizeof(peer.sun_path))
		return uerr_set(err, EINVAL, "mconsole command");
	req.len = (uint32_t)strlen(cmd);
	memcpy(req.data, cmd, req.len);
	kfd = open_kernel_socket(sock_rel, err);
	if (kfd < 0)
		return -1;
	snprintf(peer.sun_path, sizeof(peer.sun_path), "/proc/self/fd/%d", kfd);
	if ((size_t)snprintf(self.sun_path, sizeof(self.sun_path), "%s/c%d", reply_dir,
			     (int)getpid()) >= sizeof(self.sun_path))
		return uerr_set(err, ENAMETOOLONG, "mconsole client socket");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return uerr_set(err, errno, "socket");
	unlink(self.sun_path);
	/* the kernel may run as another uid: it needs write access to answer */
	old_mask = umask(0);
	r = bind(fd, (struct sockaddr *)&self, sizeof(self));
	umask(old_mask);
	if (r < 0)
		return uerr_set(err, errno, "bind %s", self.sun_path);
	bound = self.sun_path;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&peer, sizeof(peer)) < 0)
		return uerr_set(err, errno, "management console %s", sock_rel);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct mc_reply r;
		ssize_t n;
		int pr = poll(&p, 1, timeout_ms);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return uerr_set(err, pr < 0 ? errno : ETIMEDOUT, "management console \"%s\"",
					cmd);
		n = recv(fd, &r, sizeof(r), 0);
		if (n < (ssize_t)offsetof(struct mc_reply, data) || r.len > MC_MAX_DATA ||
		    (size_t)n < offsetof(struct mc_reply, data) + r.len)
			return uerr_set(err, EBADMSG, "management console reply");
		for (uint32_t i = 0; i < r.len && used + 1 < cap; i++)
			reply[used++] = (r.data[i] >= 0x20 && r.data[i] < 0x7f) ? r.data[i] : ' ';
		if (cap > 0)
			reply[used] = '\0';
		if (r.err)
			return uerr_set(err, 0, "management console \"%s\": %s", cmd,
					cap ? reply : "refused");
		if (!r.more)
			return 0;
	}
}
