/* ext4img.h: a quick check that a file is a whole ext2/3/4 image: its
 * superblock's magic number, and a file at least as long as the
 * filesystem's blocks say. It does not check the filesystem's contents
 * (that is e2fsck's job, and the guest kernel's). */
#ifndef UMLRUN_EXT4IMG_H
#define UMLRUN_EXT4IMG_H

#include <stdint.h>

#include "error.h"

#define EXT4IMG_SB_OFFSET 1024
#define EXT4IMG_MAGIC 0xEF53

/* PATH exists, is a regular file, holds an ext2/3/4 superblock and is not
 * shorter than blocks * block size. Errors: "X is not an ext4 image",
 * "image X is truncated: its ext4 superblock says N bytes, the file has M". */
int ext4img_check(const char *path, struct uerr *err);

/* The same on the superblock bytes SB (1024 of them) of a file of
 * FILE_SIZE bytes; *FS_BYTES gets blocks * block size. */
int ext4img_check_sb(const uint8_t *sb, uint64_t file_size, const char *name,
		     uint64_t *fs_bytes, struct uerr *err);

#endif
