/* cow_merge.c: folding a UML COW file into an image (see cow.h): a sparse
 * copy of the base (a reflink where the filesystem can), then every run of
 * set bitmap bits copied over from the COW file's data area. */
#define _GNU_SOURCE
#include "cow.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "outfile.h"

#define CHUNK (1024 * 1024)
#define BITMAP_CHUNK 65536

struct copier {
	bool no_cfr;  /* copy_file_range failed once: read and write */
	bool sparse;  /* the destination is a hole there: skip zero blocks */
	char *buf;    /* CHUNK bytes, for read and write */
};

static void copier_free(struct copier *c)
{
	free(c->buf);
}

static bool all_zero(const char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/* Copies LEN bytes from IN at IN_OFF to OUT at OUT_OFF. Returns the bytes
 * copied, fewer only at the end of IN, or -1 with errno set. */
static int64_t copy_range(struct copier *c, int in, uint64_t in_off, int out, uint64_t out_off,
			  uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t want = len - done;
		ssize_t n;

		if (!c->no_cfr) {
			loff_t io = (loff_t)(in_off + done), oo = (loff_t)(out_off + done);

			n = copy_file_range(in, &io, out, &oo, want > (1U << 30) ? (1U << 30) : want, 0);
			if (n > 0) {
				done += (uint64_t)n;
				continue;
			}
			if (n == 0)
				break;
			if (errno == EINTR)
				continue;
			if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
			    errno != EOPNOTSUPP && errno != EBADF)
				return -1;
			c->no_cfr = true;
		}
		if (c->buf == NULL && (c->buf = malloc(CHUNK)) == NULL)
			return -1;
		n = cow_pread_full(in, c->buf, want > CHUNK ? CHUNK : want, (off_t)(in_off + done));
		if (n <= 0) {
			if (n < 0)
				return -1;
			break;
		}
		if (!(c->sparse && all_zero(c->buf, (size_t)n)) &&
		    cow_pwrite_all(out, c->buf, (size_t)n, (off_t)(out_off + done)) < 0)
			return -1;
		done += (uint64_t)n;
	}
	return (int64_t)done;
}

/* BASE into the empty OUT: a reflink, or its data extents only. */
static int copy_base(int base, const char *base_name, int out, const char *out_name,
		     uint64_t size, struct uerr *err)
{
	__attribute__((cleanup(copier_free))) struct copier c = { .sparse = true };
	uint64_t off = 0;

	if (ioctl(out, FICLONE, base) == 0)
		return 0;
	while (off < size) {
		off_t data = lseek(base, (off_t)off, SEEK_DATA), hole;
		int64_t n;

		if (data < 0 && errno == ENXIO)
			break; /* only a hole is left */
		if (data < 0) {
			data = (off_t)off; /* no SEEK_DATA: all of it is data */
			hole = (off_t)size;
		} else {
			hole = lseek(base, data, SEEK_HOLE);
			if (hole < 0 || (uint64_t)hole > size)
				hole = (off_t)size;
		}
		n = copy_range(&c, base, (uint64_t)data, out, (uint64_t)data,
			       (uint64_t)(hole - data));
		if (n < 0)
			return uerr_set(err, errno, "copying %s to %s", base_name, out_name);
		if (n < hole - data)
			return uerr_set(err, 0, "%s shrank while it was being copied", base_name);
		off = (uint64_t)hole;
	}
	if (ftruncate(out, (off_t)size) < 0)
		return uerr_set(err, errno, "%s: setting its size", out_name);
	return 0;
}

/* Copies sectors [first, end) from the COW's data area into OUT. */
static int patch_run(struct copier *c, const struct cow_info *ci, int cow, int out,
		     const char *out_name, uint64_t first, uint64_t end, struct uerr *err)
{
	uint64_t off = first * ci->sectorsize;
	uint64_t len = (end - first) * ci->sectorsize;
	int64_t n;

	if (len > ci->size - off)
		len = ci->size - off; /* a partial last sector */
	n = copy_range(c, cow, ci->data_offset + off, out, off, len);
	if (n < 0)
		return uerr_set(err, errno, "copying sectors %llu-%llu of %s into %s",
				(unsigned long long)first, (unsigned long long)end - 1, ci->path,
				out_name);
	if ((uint64_t)n < len)
		return uerr_set(err, 0, "COW file %s is truncated: the data of sector %llu lies beyond its end",
				ci->path, (unsigned long long)(first + (uint64_t)n / ci->sectorsize));
	return 0;
}

/* Walks the bitmap and copies each run of set bits. */
static int patch(const struct cow_info *ci, int cow, int out, const char *out_name,
		 struct uerr *err)
{
	__attribute__((cleanup(copier_free))) struct copier c = { 0 };
	autofree uint8_t *bm = malloc(BITMAP_CHUNK);
	const uint64_t none = UINT64_MAX;
	uint64_t run = none;

	if (bm == NULL)
		return uerr_set(err, ENOMEM, "%s", ci->path);
	for (uint64_t pos = 0; pos < ci->bitmap_len; pos += BITMAP_CHUNK) {
		size_t n = ci->bitmap_len - pos > BITMAP_CHUNK ? BITMAP_CHUNK
							       : (size_t)(ci->bitmap_len - pos);
		ssize_t got = cow_pread_full(cow, bm, n, (off_t)(ci->bitmap_offset + pos));

		if (got < 0)
			return uerr_set(err, errno, "COW file %s: reading its bitmap", ci->path);
		if ((size_t)got < n)
			return uerr_set(err, 0, "COW file %s is truncated: its bitmap is cut short",
					ci->path);
		for (size_t i = 0; i < n; i++) {
			uint64_t s0 = (pos + i) * 8;
			bool whole = s0 + 8 <= ci->sectors;

			if (whole && bm[i] == (run == none ? 0x00 : 0xff))
				continue; /* nothing starts or ends in this byte */
			for (unsigned bit = 0; bit < 8 && s0 + bit < ci->sectors; bit++) {
				bool set = bm[i] & (1U << bit); /* ubd_test_bit() */

				if (set && run == none) {
					run = s0 + bit;
				} else if (!set && run != none) {
					if (patch_run(&c, ci, cow, out, out_name, run, s0 + bit, err) < 0)
						return -1;
					run = none;
				}
			}
		}
	}
	if (run != none && patch_run(&c, ci, cow, out, out_name, run, ci->sectors, err) < 0)
		return -1;
	return 0;
}

/* Opens and locks the COW file and the base, and checks they belong
 * together. */
static int open_pair(const char *cow_path, const char *base_path, bool in_place, int *cow,
		     int *base, struct cow_info *ci, struct uerr *err)
{
	*cow = open(cow_path, (in_place ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (*cow < 0)
		return uerr_set(err, errno, "COW file %s", cow_path);
	if (cow_lock(*cow, in_place, cow_path, err) < 0 || cow_read_fd(*cow, cow_path, ci, err) < 0)
		return -1;
	*base = open(base_path, (in_place ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (*base < 0)
		return uerr_set(err, errno, "base image %s", base_path);
	if (in_place && cow_lock(*base, true, base_path, err) < 0)
		return -1;
	return cow_check_backing_fd(ci, *base, base_path, err);
}

int cow_merge(const char *cow_path, const char *base_path, const char *out_path,
	      struct uerr *err)
{
	autooutfile struct outfile out = { .fd = -1 };
	autoclose int cow = -1;
	autoclose int base = -1;
	struct cow_info ci;
	struct stat st;

	if (open_pair(cow_path, base_path, false, &cow, &base, &ci, err) < 0)
		return -1;
	if (lstat(out_path, &st) == 0)
		return uerr_set(err, 0, "%s exists: choose another name for the new image", out_path);
	if (outfile_open(&out, out_path, err) < 0 ||
	    copy_base(base, base_path, out.fd, out.path, ci.size, err) < 0 ||
	    patch(&ci, cow, out.fd, out.path, err) < 0)
		return -1;
	if (outfile_commit(&out, false, err) < 0)
		return uerr_prefix(err, "new image");
	return 0;
}

int cow_merge_in_place(const char *cow_path, const char *base_path, struct uerr *err)
{
	autoclose int cow = -1;
	autoclose int base = -1;
	struct cow_info ci;

	if (open_pair(cow_path, base_path, true, &cow, &base, &ci, err) < 0 ||
	    patch(&ci, cow, base, base_path, err) < 0)
		return -1;
	if (fsync(base) < 0)
		return uerr_set(err, errno, "base image %s: write", base_path);
	/* its base has changed: the kernel would refuse it now */
	if (unlink(cow_path) < 0)
		return uerr_set(err, errno, "the changes are in %s, but removing COW file %s",
				base_path, cow_path);
	return 0;
}
