/* hostfs.h: the directory-rootfs provider: validates the bundle's rootfs and
 * exposes it to the guest's hostfs through a fixed path in the state dir. */
#ifndef UMLRUN_HOSTFS_H
#define UMLRUN_HOSTFS_H

#include "../runtime/error.h"

/* Checks that `rootfs` (absolute) is a directory. `field` names where the
 * path came from, for the error ("root.path"). */
int hostfs_check_rootfs(const char *rootfs, const char *field, struct uerr *err);

/* Creates STATE_DIR/rootfs -> rootfs, so the UML command line carries only
 * paths the runtime chose. *hostfs_root gets that link's path (malloc'd). */
int hostfs_prepare(const char *rootfs, const char *state_dir, char **hostfs_root,
		   struct uerr *err);

#endif
