/* mounts.c: config.json's mounts (proc, sysfs, tmpfs, devpts, mqueue,
 * cgroup2...: flags and data were split by libmount on the host), then
 * linux.readonlyPaths (bind + read-only remount) and linux.maskedPaths
 * (/dev/null over files, an empty read-only tmpfs over directories). All of
 * it runs after the switch into the container's root, so paths and
 * symlinks resolve inside it, as they would for the workload. */
#include "agent.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

bool mounts_has_dest(const struct agent_config *c, const char *dest)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (strcmp(c->mounts[i].dest, dest) == 0)
			return true;
	return false;
}

/* mkdir -p: each missing component of dir is created 0755. */
static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	size_t len = strlen(dir);

	if (len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = saved;
		if (saved == '\0')
			return 0;
	}
}

/* A host bind mount, in place on the host inside the rootfs (see
 * runtime/binds.h): the guest mounts that path of its hostfs root as its
 * own hostfs mount, with the bind's flags (so a read-write bind works in a
 * read-only root, and noexec is the guest kernel's). */
static int bind_flags(const struct agent_mount *m, bool image, struct aerr *e)
{
	char real[PATH_MAX];
	struct stat st;

	/* an image root: the host made the mountpoint in a skeleton hostfs
	 * root at DEST exactly (directories only); make it in the image too */
	if (image && mkdir_p(m->dest) < 0)
		return aerr_set(e, errno, "mounts[%u]: bind destination %s", m->index, m->dest);
	/* hostfs takes a path below its root: the one the host resolved */
	if (realpath(m->dest, real) == NULL || stat(real, &st) < 0)
		return aerr_set(e, errno, "mounts[%u]: bind destination %s", m->index, m->dest);
	if (S_ISDIR(st.st_mode)) {
		if (mount("none", real, "hostfs", m->flags, image ? m->dest : real) < 0)
			return aerr_set(e, errno, "mounts[%u]: hostfs %s", m->index, real);
		return 0;
	}
	if (image)
		return aerr_set(e, ENOTDIR, "mounts[%u]: bind destination %s in the image", m->index,
				m->dest);
	/* a file: hostfs mounts directories only; bind it onto itself */
	if (mount(real, real, NULL, MS_BIND, NULL) < 0)
		return aerr_set(e, errno, "mounts[%u]: bind %s", m->index, real);
	if (m->flags && mount(NULL, real, NULL, MS_REMOUNT | MS_BIND | m->flags, NULL) < 0)
		return aerr_set(e, errno, "mounts[%u]: remount %s", m->index, real);
	return 0;
}

static int mount_one(const struct agent_mount *m, bool image, struct aerr *e)
{
	struct stat st;

	if (strcmp(m->type, "bind") == 0)
		return bind_flags(m, image, e);
	if (mkdir_p(m->dest) < 0 || stat(m->dest, &st) < 0)
		return aerr_set(e, errno, "config.json: mounts[%u]: destination %s", m->index,
				m->dest);
	if (!S_ISDIR(st.st_mode))
		return aerr_set(e, ENOTDIR, "config.json: mounts[%u]: destination %s", m->index,
				m->dest);
	if (mount(m->source, m->dest, m->type, m->flags, m->data) < 0)
		return aerr_set(e, errno, "config.json: mounts[%u]: mount %s on %s%s%s", m->index,
				m->type, m->dest, m->data ? " with " : "", m->data ? m->data : "");
	if (m->propagation && mount(NULL, m->dest, NULL, m->propagation, NULL) < 0)
		return aerr_set(e, errno, "config.json: mounts[%u]: propagation of %s", m->index,
				m->dest);
	return 0;
}

int mounts_apply(const struct agent_config *c, struct aerr *e)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (mount_one(&c->mounts[i], c->root_kind == AGENT_ROOT_IMAGE, e) < 0)
			return -1;
	return 0;
}

/* Returns 1 with *st filled, 0 if path does not exist (nothing to do, as
 * runc does), -1 on error. */
static int stat_path(const char *what, size_t i, const char *path, struct stat *st, struct aerr *e)
{
	if (stat(path, st) == 0)
		return 1;
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	return aerr_set(e, errno, "config.json: linux.%s[%zu]: %s", what, i, path);
}

/* The flags of the mount holding path that a read-only remount must keep. */
static unsigned long kept_flags(const char *path)
{
	static const struct {
		unsigned long st, ms;
	} map[] = { { ST_NOSUID, MS_NOSUID },	    { ST_NODEV, MS_NODEV },
		    { ST_NOEXEC, MS_NOEXEC },	    { ST_NOATIME, MS_NOATIME },
		    { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME } };
	struct statvfs sv;
	unsigned long flags = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (sv.f_flag & map[i].st)
			flags |= map[i].ms;
	return flags;
}

static int protect(const char *path, size_t i, struct aerr *e)
{
	struct stat st;
	int r = stat_path("readonlyPaths", i, path, &st, e);

	if (r <= 0)
		return r;
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(path, path, NULL,
		  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | kept_flags(path), NULL) < 0)
		return aerr_set(e, errno, "config.json: linux.readonlyPaths[%zu]: %s", i, path);
	return 0;
}

static int mask(const char *path, size_t i, struct aerr *e)
{
	struct stat st;
	int r = stat_path("maskedPaths", i, path, &st, e);

	if (r <= 0)
		return r;
	if (S_ISDIR(st.st_mode))
		r = mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "mode=0555");
	else
		r = mount("/dev/null", path, NULL, MS_BIND, NULL);
	if (r < 0)
		return aerr_set(e, errno, "config.json: linux.maskedPaths[%zu]: %s", i, path);
	return 0;
}

int mounts_mask_and_protect(const struct agent_config *c, struct aerr *e)
{
	for (size_t i = 0; i < c->n_ro_paths; i++)
		if (protect(c->ro_paths[i], i, e) < 0)
			return -1;
	for (size_t i = 0; i < c->n_masked; i++)
		if (mask(c->masked[i], i, e) < 0)
			return -1;
	return 0;
}
