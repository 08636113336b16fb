/* bundle.h: an OCI bundle on disk: its directory, config.json and rootfs,
 * and the guest kernel and initramfs it will boot. */
#ifndef UMLRUN_BUNDLE_H
#define UMLRUN_BUNDLE_H

#include "../spec/spec.h"
#include "error.h"

struct bundle {
	char *dir;    /* absolute, canonical */
	char *rootfs; /* absolute */
	struct spec *spec;
};

/* Opens DIR: checks it, loads DIR/config.json, resolves root.path. */
int bundle_open(const char *dir, struct bundle *b, struct uerr *err);
void bundle_close(struct bundle *b);

/* Chooses the kernel: --kernel (cli), else vm.kernel.path (relative paths
 * are relative to the bundle), else $UMLRUN_KERNEL, else the built-in
 * default; then checks it is an executable regular file. */
int bundle_kernel(const struct bundle *b, const char *cli, char **kernel, struct uerr *err);

/* The agent initramfs: $UMLRUN_INITRAMFS, else the built-in default. */
int bundle_initramfs(char **path, struct uerr *err);

#endif
