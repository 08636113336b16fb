/* rootmode.h: how the guest gets its root filesystem: the bundle's
 * directory over hostfs (the default), the same directory read-only under
 * a guest overlay whose upper layer is a tmpfs (run.umlrun.root.overlay),
 * or an ext4 image on ubd0 with a per-sandbox copy-on-write file (root.path
 * or run.umlrun.root.image names a regular file). Owns the COW file's life:
 * made before boot, checked against its base, removed with the sandbox
 * unless the user named it (run.umlrun.root.cow). */
#ifndef UMLRUN_ROOTMODE_H
#define UMLRUN_ROOTMODE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bundle.h"
#include "error.h"
#include "proto.h"

/* The values of the agent's T_ROOT_KIND tag. */
enum root_kind { ROOT_HOSTFS = 0, ROOT_IMAGE = 1, ROOT_OVERLAY = 2 };

#define ROOTMODE_COW_ANNOTATION "run.umlrun.root.cow"
#define ROOTMODE_OVERLAY_ANNOTATION "run.umlrun.root.overlay"
#define ROOTMODE_OVERLAY_SIZE_ANNOTATION "run.umlrun.root.overlay.size"

/* The names in the state directory: the COW file (or a symlink to the
 * user's), and a symlink to the base image. */
#define ROOTMODE_STATE_COW "root.cow"
#define ROOTMODE_STATE_IMAGE "root.image"

struct rootmode {
	enum root_kind kind;
	const char *image;    /* ROOT_IMAGE: the base image (the bundle's rootfs) */
	char *cow;            /* ROOT_IMAGE: the COW file on the host */
	bool cow_kept;        /* named by the user: it outlives the sandbox */
	bool cow_made;        /* made by this sandbox */
	bool booted;          /* the kernel ran: a COW it made stays valid */
	bool cow_chowned;     /* given to the kernel's uid: handed back at release */
	uid_t cow_uid;        /* its owner before */
	gid_t cow_gid;
	uint64_t upper_bytes; /* ROOT_OVERLAY: size of the upper tmpfs; 0: tmpfs's default */
};

/* Chooses the mode from the bundle and its annotations and checks them:
 * an image must be a whole ext4 image; the annotations must parse. Creates
 * nothing. */
int rootmode_select(const struct bundle *b, struct rootmode *r, struct uerr *err);

/* Adds the agent's root tags (T_ROOT_KIND, T_ROOT_UPPER) to CONFIG. */
int rootmode_encode(const struct rootmode *r, struct pbuf *config, struct uerr *err);

/* ROOT_IMAGE: makes the sandbox's COW file in STATE_DIR, or checks the
 * user's (its base must be this image, unchanged since the COW was made),
 * and records both in STATE_DIR. With CHOWN, the COW is given to UID:GID
 * (the kernel's ids when invoked as root). Other modes: nothing. */
int rootmode_prepare(struct rootmode *r, const char *state_dir, bool chown_to, uid_t uid,
		     gid_t gid, struct uerr *err);

/* After the kernel process is gone: the COW file records the base by its
 * host path again (the kernel saw it at another path), and a user's COW
 * gets its owner back. A user's COW that this sandbox made but never
 * booted is removed (the state directory's goes with it). Frees R's
 * memory. */
void rootmode_release(struct rootmode *r);

/* ROOT_IMAGE: -1 with the cause when the kernel log (a path) shows that
 * writes to the COW file failed (a full disk, say): the guest lost them. */
int rootmode_check_log(const struct rootmode *r, const char *kernel_log, struct uerr *err);

/* "64M", "1G", "512k", "1048576": bytes. -1 on a malformed or overflowing
 * size. */
int rootmode_parse_size(const char *s, uint64_t *bytes);

#endif
