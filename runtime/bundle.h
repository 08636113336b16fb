/* bundle.h: an OCI bundle on disk: its directory, config.json and rootfs,
 * and the guest kernel and initramfs it will boot. */
#ifndef UMLRUN_BUNDLE_H
#define UMLRUN_BUNDLE_H

#include <stdbool.h>

#include "../spec/spec.h"
#include "error.h"

struct bundle {
	char *dir;    /* absolute, canonical */
	char *rootfs; /* absolute; with `image`, the image file (canonical) */
	bool image;   /* the root is an ext4 image (see rootmode.h) */
	struct spec *spec;
};

/* The annotation that names a root image instead of root.path. */
#define BUNDLE_IMAGE_ANNOTATION "run.umlrun.root.image"

/* Opens DIR: checks it, loads DIR/config.json, resolves root.path (or the
 * run.umlrun.root.image annotation): a directory, or a regular file, which
 * is booted as an ext4 image. */
int bundle_open(const char *dir, struct bundle *b, struct uerr *err);
void bundle_close(struct bundle *b);

/* Chooses the kernel: --kernel (cli), else vm.kernel.path (relative paths
 * are relative to the bundle), else $UMLRUN_KERNEL, else the built-in
 * default; then checks it is an executable regular file. */
int bundle_kernel(const struct bundle *b, const char *cli, char **kernel, struct uerr *err);

/* The agent initramfs: $UMLRUN_INITRAMFS, else the built-in default. */
int bundle_initramfs(char **path, struct uerr *err);

#endif
