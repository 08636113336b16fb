/* overlay.h: a root filesystem that is an overlayfs mount (podman's and
 * containerd's "merged" directories). Overlayfs cannot be idmapped itself,
 * so a root-invoked sandbox rebuilds it inside the jail from idmapped
 * read-only copies of its layers, with a private tmpfs upper layer: the
 * guest may write, the writes stay in the sandbox, and the host's layers
 * never change. This file finds the layers (with libmount). */
#ifndef UMLRUN_OVERLAY_H
#define UMLRUN_OVERLAY_H

#include <stddef.h>

#include "error.h"

#define OVERLAY_MAX_LAYERS 128

struct overlay_layers {
	char **lowers;  /* top first: the mount's upperdir, then its lowerdirs */
	size_t n_lowers;
	char *options;  /* options to keep: "metacopy=on,redirect_dir=..."; may be "" */
};

/* Fills *out when PATH is the root of an overlay mount: 1. Returns 0 when
 * it is not, -1 with err when its layers cannot be used (relative layer
 * paths, too many layers). */
int overlay_layers(const char *path, struct overlay_layers *out, struct uerr *err);

void overlay_layers_free(struct overlay_layers *l);

#endif
