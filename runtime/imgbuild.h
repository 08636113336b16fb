/* imgbuild.h: `umlrun image build`: a sparse ext4 image made from a
 * directory by mke2fs -d, without root, then owners and modes from a
 * manifest set with debugfs. */
#ifndef UMLRUN_IMGBUILD_H
#define UMLRUN_IMGBUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct imgbuild_opts {
	const char *dir;      /* the tree to copy */
	const char *image;    /* the image to make */
	uint64_t size;        /* bytes; 0: imgbuild_default_size() */
	bool map_owner;       /* files of the caller become uid:gid */
	uid_t uid;
	gid_t gid;
	const char *manifest; /* or NULL */
	bool force;           /* replace an existing image */
};

/* Makes O->image. On failure nothing is left at O->image (an existing one
 * is kept), and the error names the file, line or tool that failed. */
int imgbuild(const struct imgbuild_opts *o, struct uerr *err);

/* The default size for a tree whose files take TREE_BYTES (each rounded up
 * to 4 KiB): 1.5 times that plus 64 MiB, rounded up to 4 MiB. */
uint64_t imgbuild_default_size(uint64_t tree_bytes);

#endif
