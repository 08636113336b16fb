/* binds.h: bind mounts of host paths into the guest (config.json mounts of
 * type "bind" and `run -v SRC:DST[:ro]`). They are made on the host, in the
 * kernel process's own mount namespace: the source is mounted over the
 * destination inside the jail's view of the rootfs, so the guest reaches it
 * through the same hostfs root, and the host path is the only new thing the
 * kernel process can see. The guest then remounts it with the mount's
 * flags (ro, nosuid, nodev, noexec), which its kernel enforces. */
#ifndef UMLRUN_BINDS_H
#define UMLRUN_BINDS_H

#include <stdbool.h>
#include <stddef.h>

#include "../spec/spec.h"
#include "error.h"

#define BINDS_MAX 64

struct bind_mount {
	char *source; /* absolute, canonical host path */
	char *dest;   /* absolute path in the container */
	bool ro;
	bool dir;     /* the source is a directory (else a file) */
	unsigned long guest_flags; /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC */
	char *view_path; /* set by binds_check_plain(): the path in the jail's view */
};

struct binds {
	struct bind_mount b[BINDS_MAX];
	size_t n;
	size_t n_config; /* b[0..n_config) come from config.json, the rest from -v */
};

/* Collects config.json's bind mounts, then the `-v SRC:DST[:ro]` values
 * (NULL-terminated, may be NULL). Errors name the JSON path or the -v
 * value; a missing source is an error. */
int binds_collect(const struct spec *s, char *const *volumes, struct binds *out, struct uerr *err);

/* Creates each destination that does not exist yet in the rootfs (a
 * directory or an empty file, like the source), as runc does. Paths are
 * resolved inside the rootfs: symlinks in it cannot lead outside. */
int binds_make_mountpoints(const struct binds *b, const char *rootfs, struct uerr *err);

/* For a read-only root: each read-write bind's destination must be a
 * plain path in the rootfs (no symlinks), so that the kernel process can be
 * allowed to write beneath exactly VIEW_ROOT + destination (Landlock);
 * fills view_path. */
int binds_check_plain(struct binds *b, const char *rootfs, const char *view_root,
		      struct uerr *err);

void binds_free(struct binds *b);

#endif
