/* cow.h: User Mode Linux's copy-on-write block device files (`ubdN=COW,BASE`),
 * read and written the way the kernel does (arch/um/drivers/cow_user.c,
 * ubd_kern.c). Version 3 only: a big-endian packed header (magic, version,
 * base mtime and size, sector size, alignment, format, base path), then a
 * bitmap with one bit per sector of the base (bit i in byte i/8, least
 * significant first) at the header's size rounded up to the alignment, then
 * the data: sector s at data_offset + s * sectorsize. A set bit means the
 * sector's contents live in the COW file, not in the base.
 * cow.c owns the format; cow_merge.c folds a COW file into an image. */
#ifndef UMLRUN_COW_H
#define UMLRUN_COW_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define COW_MAGIC 0x4f4f4f4dU /* "MOOO" */
#define COW_VERSION 3
#define COW_PATH_MAX 4096    /* the backing_file field, NUL included */
#define COW_HEADER_SIZE 4128 /* sizeof(struct cow_header_v3) */
#define COW_SECTOR_SIZE 512
#define COW_ALIGNMENT 4096 /* what UML uses when it makes one: PAGE_SIZE */

struct cow_info {
	char path[COW_PATH_MAX];    /* the COW file, as cow_read was given it (for messages) */
	char backing[COW_PATH_MAX]; /* the base, by the path the header records */
	uint32_t mtime;             /* the base's mtime (seconds, 32 bits) when made */
	uint64_t size;              /* the base's size in bytes when made */
	uint32_t sectorsize;
	uint32_t alignment;
	uint64_t sectors;       /* DIV_ROUND(size, sectorsize): bits in the bitmap */
	uint64_t bitmap_offset; /* ROUND_UP(COW_HEADER_SIZE, alignment) */
	uint64_t bitmap_len;    /* DIV_ROUND(sectors, 8) */
	uint64_t data_offset;   /* ROUND_UP(bitmap_offset + bitmap_len, alignment) */
	uint64_t file_size;     /* of the COW file itself */
};

/* Makes a new COW file at PATH for BACKING as the kernel's init_cow_file
 * does: the header records BACKING made absolute (its directory resolved),
 * its mtime and size; sector size 512, alignment 4096; an empty bitmap; the
 * file extended (sparse) to data_offset + size. PATH must not exist (never
 * followed if it is a symlink); it is made 0600. On failure nothing is left
 * at PATH. */
int cow_create(const char *path, const char *backing, struct uerr *err);

/* Reads and checks PATH's header: version 3, sane sector size, alignment
 * and size, an absolute NUL-terminated base path, and a file long enough to
 * hold the bitmap. Hostile files give an error naming PATH. */
int cow_read(const char *path, struct cow_info *out, struct uerr *err);

/* Whether BACKING is still the base INFO was made from: same size and
 * mtime, compared as the kernel compares them (else it refuses to boot). */
int cow_check_backing(const struct cow_info *info, const char *backing, struct uerr *err);

/* Rewrites only the header's base path field of the COW file PATH (the
 * kernel rewrites it when its command line names the base by another
 * path). NEW_BACKING must be absolute and shorter than COW_PATH_MAX.
 * Refused while a kernel holds the COW file open. */
int cow_set_backing(const char *path, const char *new_backing, struct uerr *err);

/* Writes a new image OUT: BASE with every sector whose bit is set in the
 * COW file replaced by the COW's copy (what uml_moo does). BASE must match
 * the COW (cow_check_backing) and is only read. OUT must not exist; it
 * appears whole or not at all (a temporary file in its directory, renamed),
 * and stays as sparse as BASE. Refused while a kernel holds the COW open. */
int cow_merge(const char *cow_path, const char *base_path, const char *out_path,
	      struct uerr *err);

/* Destructive: writes the COW's sectors into BASE itself, then removes the
 * COW file PATH (it no longer matches its base). An interrupted merge
 * leaves BASE partly updated. Refused while a kernel holds either open. */
int cow_merge_in_place(const char *cow_path, const char *base_path, struct uerr *err);

/* ---- the pieces, for cow_merge.c and tests ---- */

/* cow_read on an open file; NAME is for messages. */
int cow_read_fd(int fd, const char *name, struct cow_info *out, struct uerr *err);

/* cow_check_backing on an open base. */
int cow_check_backing_fd(const struct cow_info *info, int fd, const char *name,
			 struct uerr *err);

/* Takes an open file description lock (shared, or exclusive with WRITE)
 * on all of FD; the kernel holds a conflicting POSIX lock on a COW file
 * (and a shared one on its base) while it runs. */
int cow_lock(int fd, bool write, const char *name, struct uerr *err);

/* pread until LEN bytes or the end of the file: returns how many, or -1. */
ssize_t cow_pread_full(int fd, void *buf, size_t len, off_t off);

/* pwrite all of LEN bytes, or -1. */
int cow_pwrite_all(int fd, const void *buf, size_t len, off_t off);

#endif
