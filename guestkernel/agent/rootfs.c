/* rootfs.c: the guest's filesystem setup: devtmpfs and fds 0-2 at boot, then
 * the guest-wide limits (limits.c), the container root on /newroot (hostfs,
 * hostfs under a tmpfs overlay, or the ext4 image on ubd0)
 * with proc, sys, dev, dev/pts and dev/shm inside it (each left to
 * config.json when one of its mounts has that destination), the switch
 * into it, config.json's mounts, read-only and masked paths (mounts.c),
 * and the UTS names. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEVPTS_OPTS "newinstance,ptmxmode=0666,mode=0620,gid=5"

int do_mount(const char *src, const char *target, const char *type, unsigned long flags,
		    const char *data, struct aerr *e)
{
	if (mount(src, target, type, flags, data) < 0)
		return aerr_set(e, errno, "mount %s on %s", type, target);
	return 0;
}

/* Opens /dev/null on fd if it is closed, so later opens never land on 0-2. */
static int ensure_fd_open(int fd, struct aerr *e)
{
	int n;

	if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
		return 0;
	n = open("/dev/null", O_RDWR);
	if (n < 0)
		return aerr_set(e, errno, "open /dev/null");
	if (n != fd) {
		int r = dup2(n, fd);

		close(n);
		if (r < 0)
			return aerr_set(e, errno, "dup2 /dev/null to fd %d", fd);
	}
	return 0;
}

int rootfs_early(struct aerr *e)
{
	if (do_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", e) < 0)
		return -1;
	for (int fd = 0; fd <= 2; fd++) {
		if (ensure_fd_open(fd, e) < 0)
			return -1;
	}
	return 0;
}

/* Returns 1 if dir exists (creating it if allowed), 0 if it is missing and
 * may not be created, -1 on error. */
static int ensure_dir(const char *dir, bool create, struct aerr *e)
{
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return aerr_set(e, ENOTDIR, "mountpoint %s", dir);
		return 1;
	}
	if (errno != ENOENT)
		return aerr_set(e, errno, "stat %s", dir);
	if (!create)
		return 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return aerr_set(e, errno, "mkdir %s", dir);
	return 1;
}

/* Mounts type on dir unless dir is missing from a read-only root: returns 1
 * if mounted, 0 if skipped, -1 on error. */
static int mount_in_root(const char *dir, const char *type, unsigned long flags, const char *data,
			 bool writable, struct aerr *e)
{
	int r = ensure_dir(dir, writable, e);

	if (r <= 0)
		return r;
	return do_mount(type, dir, type, flags, data, e) < 0 ? -1 : 1;
}

static int make_symlink(const char *target, const char *path, struct aerr *e)
{
	if (symlink(target, path) < 0 && errno != EEXIST)
		return aerr_set(e, errno, "symlink %s", path);
	return 0;
}

/* /dev/pts, /dev/shm and the usual /dev symlinks on the fresh devtmpfs.
 * The host link's node goes away (the agent keeps its open fd), so the
 * workload does not stumble onto the protocol stream. */
static int populate_dev(const struct agent_config *c, struct aerr *e)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", AGENT_NEWROOT "/dev/fd" },
		{ "/proc/self/fd/0", AGENT_NEWROOT "/dev/stdin" },
		{ "/proc/self/fd/1", AGENT_NEWROOT "/dev/stdout" },
		{ "/proc/self/fd/2", AGENT_NEWROOT "/dev/stderr" },
	};

	if (ensure_dir(AGENT_NEWROOT "/dev/pts", true, e) < 0 ||
	    (!mounts_has_dest(c, "/dev/pts") &&
	     do_mount("devpts", AGENT_NEWROOT "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		      DEVPTS_OPTS, e) < 0))
		return -1;
	if (ensure_dir(AGENT_NEWROOT "/dev/shm", true, e) < 0 ||
	    (!mounts_has_dest(c, "/dev/shm") &&
	     do_mount("shm", AGENT_NEWROOT "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777",
		      e) < 0))
		return -1;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (make_symlink(links[i][0], links[i][1], e) < 0)
			return -1;
	}
	if (unlink(AGENT_NEWROOT AGENT_TTY) < 0 && errno != ENOENT)
		return aerr_set(e, errno, "unlink %s", AGENT_NEWROOT AGENT_TTY);
	return 0;
}

/* The bundle's directory read-only, under a tmpfs that takes the writes. */
static int mount_overlay_root(const char *src, uint64_t upper, struct aerr *e)
{
	char opts[64] = "mode=0755";

	if (upper)
		snprintf(opts, sizeof(opts), "mode=0755,size=%llu", (unsigned long long)upper);
	if (ensure_dir(AGENT_LOWER, true, e) < 0 || ensure_dir(AGENT_UPPER, true, e) < 0)
		return -1;
	if (mount("none", AGENT_LOWER, "hostfs", MS_RDONLY, src) < 0)
		return aerr_set(e, errno, "mount hostfs root \"%s\" read-only", src);
	if (do_mount("upper", AGENT_UPPER, "tmpfs", MS_NOSUID | MS_NODEV, opts, e) < 0 ||
	    ensure_dir(AGENT_UPPER "/data", true, e) < 0 ||
	    ensure_dir(AGENT_UPPER "/work", true, e) < 0)
		return -1;
	return do_mount("overlay", AGENT_NEWROOT, "overlay", 0,
			"lowerdir=" AGENT_LOWER ",upperdir=" AGENT_UPPER "/data,workdir=" AGENT_UPPER
			"/work",
			e);
}

static int mount_root_fs(const struct agent_config *c, struct aerr *e)
{
	const char *src = c->root_src ? c->root_src : "";
	unsigned long ro = c->root_ro ? MS_RDONLY : 0;

	switch (c->root_kind) {
	case AGENT_ROOT_IMAGE:
		/* no background zeroing of inode tables: it would fill the COW */
		if (mount(AGENT_ROOT_DEV, AGENT_NEWROOT, "ext4", ro, "noinit_itable") < 0)
			return aerr_set(e, errno, "mount the root image (%s, ext4)", AGENT_ROOT_DEV);
		return 0;
	case AGENT_ROOT_OVERLAY:
		return mount_overlay_root(src, c->root_upper, e);
	default:
		if (mount("none", AGENT_NEWROOT, "hostfs", ro, src) < 0)
			return aerr_set(e, errno, "mount hostfs root \"%s\"", src);
		return 0;
	}
}

static int mount_root(const struct agent_config *c, struct aerr *e)
{
	bool writable = !c->root_ro;
	int r;

	if (mount_root_fs(c, e) < 0)
		return -1;
	if (!mounts_has_dest(c, "/proc") &&
	    mount_in_root(AGENT_NEWROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
			  writable, e) < 0)
		return -1;
	if (!mounts_has_dest(c, "/sys") &&
	    mount_in_root(AGENT_NEWROOT "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
			  writable, e) < 0)
		return -1;
	r = mount_in_root(AGENT_NEWROOT "/dev", "devtmpfs", MS_NOSUID, "mode=0755", writable, e);
	if (r < 0)
		return -1;
	return r > 0 ? populate_dev(c, e) : 0;
}

/* pivot_root(2) refuses the initramfs, so move the new root over "/". */
static int switch_root(struct aerr *e)
{
	if (chdir(AGENT_NEWROOT) < 0)
		return aerr_set(e, errno, "chdir %s", AGENT_NEWROOT);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return aerr_set(e, errno, "move %s to /", AGENT_NEWROOT);
	if (chroot(".") < 0)
		return aerr_set(e, errno, "chroot %s", AGENT_NEWROOT);
	if (chdir("/") < 0)
		return aerr_set(e, errno, "chdir / in the new root");
	return 0;
}

static int set_names(const struct agent_config *c, struct aerr *e)
{
	if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
		return aerr_set(e, errno, "sethostname \"%s\"", c->hostname);
	if (c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0)
		return aerr_set(e, errno, "setdomainname \"%s\"", c->domainname);
	return 0;
}

void rootfs_finish(const struct agent_config *c)
{
	sync(); /* hostfs writes live in the guest page cache until now */
	/* a clean file system in the COW file, ready to commit */
	if (c->root_kind == AGENT_ROOT_IMAGE)
		mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL);
}

int rootfs_setup(const struct agent_config *c, struct spawn_env *env, struct aerr *e)
{
	if (limits_setup(c, env, e) < 0 || mount_root(c, e) < 0 || switch_root(e) < 0)
		return -1;
	if (mounts_apply(c, e) < 0 || mounts_mask_and_protect(c, e) < 0)
		return -1;
	return set_names(c, e);
}
