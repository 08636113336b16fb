/* cow.c: the UML COW file format (see cow.h): making a COW file as the
 * kernel's init_cow_file does, reading and checking its header, matching it
 * against its base, and rewriting the base path it records. */
#define _GNU_SOURCE
#include "cow.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

/* Field offsets of the packed struct cow_header_v3. */
enum {
	H_MAGIC = 0,
	H_VERSION = 4,
	H_MTIME = 8,
	H_SIZE = 12,
	H_SECTORSIZE = 20,
	H_ALIGNMENT = 24,
	H_FORMAT = 28,
	H_BACKING = 32,
};

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

int cow_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

ssize_t cow_pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static uint64_t div_round(uint64_t x, uint64_t len)
{
	return x / len + (x % len != 0);
}

/* The kernel's cow_sizes() for version 3, in 64 bits. */
static void layout(struct cow_info *c)
{
	c->sectors = div_round(c->size, c->sectorsize);
	c->bitmap_offset = div_round(COW_HEADER_SIZE, c->alignment) * c->alignment;
	c->bitmap_len = div_round(c->sectors, 8);
	c->data_offset = div_round(c->bitmap_offset + c->bitmap_len, c->alignment) * c->alignment;
}

/* os_file_size() and os_file_modtime(): a block device's size is its
 * device size. */
static int base_size(int fd, const struct stat *st, const char *name, uint64_t *size,
		     struct uerr *err)
{
	if (S_ISREG(st->st_mode)) {
		*size = (uint64_t)st->st_size;
		return 0;
	}
	if (!S_ISBLK(st->st_mode))
		return uerr_set(err, 0, "base image %s is not a regular file", name);
	if (ioctl(fd, BLKGETSIZE64, size) < 0)
		return uerr_set(err, errno, "base image %s: size", name);
	return 0;
}

int cow_lock(int fd, bool write, const char *name, struct uerr *err)
{
	struct flock l = { .l_type = write ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET };

	if (fcntl(fd, F_OFD_SETLK, &l) == 0)
		return 0;
	if (errno != EAGAIN && errno != EACCES)
		return 0; /* no locks here (the kernel would not lock either) */
	l = (struct flock){ .l_type = write ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK && l.l_pid > 0)
		return uerr_set(err, 0, "%s is in use by process %d (a running sandbox?): stop it first",
				name, (int)l.l_pid);
	return uerr_set(err, 0, "%s is in use (locked by another process): stop its sandbox first",
			name);
}

int cow_read_fd(int fd, const char *name, struct cow_info *out, struct uerr *err)
{
	uint8_t h[COW_HEADER_SIZE];
	uint32_t version, format;
	const char *backing = (const char *)h + H_BACKING;
	struct stat st;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "%s", name);
	if (fstat(fd, &st) < 0)
		return uerr_set(err, errno, "COW file %s", name);
	if (!S_ISREG(st.st_mode))
		return uerr_set(err, 0, "COW file %s is not a regular file", name);
	n = cow_pread_full(fd, h, sizeof(h), 0);
	if (n < 0)
		return uerr_set(err, errno, "COW file %s: read", name);
	if (n < H_MTIME || get32(h + H_MAGIC) != COW_MAGIC)
		return uerr_set(err, 0, "%s is not a UML COW file (no COW magic number)", name);
	version = get32(h + H_VERSION);
	if (version != COW_VERSION)
		return uerr_set(err, 0, "COW file %s has version %u: only version %d is supported",
				name, version, COW_VERSION);
	if (n < COW_HEADER_SIZE)
		return uerr_set(err, 0, "COW file %s is truncated: %zd bytes, shorter than its %d-byte header",
				name, n, COW_HEADER_SIZE);
	/* the kernel takes 4 zero bytes here as the broken pre-2006 layout */
	if (memcmp(backing, "\0\0\0\0", 4) == 0)
		return uerr_set(err, 0, "COW file %s: its base path is empty (or it has the broken 64-bit layout of 2005)",
				name);
	if (memchr(backing, '\0', COW_PATH_MAX) == NULL)
		return uerr_set(err, 0, "COW file %s: its base path is not NUL-terminated", name);
	if (backing[0] != '/')
		return uerr_set(err, 0, "COW file %s: its base path \"%s\" is not absolute", name,
				backing);
	format = get32(h + H_FORMAT);
	if (format != 0)
		return uerr_set(err, 0, "COW file %s: unknown COW format %u (only 0, the bitmap)",
				name, format);
	memcpy(out->backing, backing, COW_PATH_MAX);
	out->mtime = get32(h + H_MTIME);
	out->size = get64(h + H_SIZE);
	out->sectorsize = get32(h + H_SECTORSIZE);
	out->alignment = get32(h + H_ALIGNMENT);
	out->file_size = (uint64_t)st.st_size;
	if (out->sectorsize < 512 || out->sectorsize > 65536 ||
	    (out->sectorsize & (out->sectorsize - 1)) != 0)
		return uerr_set(err, 0, "COW file %s: sector size %u is not a power of two from 512 to 65536",
				name, out->sectorsize);
	if (out->alignment == 0)
		return uerr_set(err, 0, "COW file %s: alignment is 0", name);
	layout(out);
	/* the kernel keeps these offsets in an int */
	if (out->data_offset > INT_MAX)
		return uerr_set(err, 0, "COW file %s: its data would start at byte %llu, past the kernel's limit (alignment %u, base size %llu)",
				name, (unsigned long long)out->data_offset, out->alignment,
				(unsigned long long)out->size);
	if (out->file_size < out->bitmap_offset + out->bitmap_len)
		return uerr_set(err, 0, "COW file %s is truncated: its bitmap ends at byte %llu, the file has %llu",
				name, (unsigned long long)(out->bitmap_offset + out->bitmap_len),
				(unsigned long long)out->file_size);
	return 0;
}

int cow_read(const char *path, struct cow_info *out, struct uerr *err)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return uerr_set(err, errno, "COW file %s", path);
	return cow_read_fd(fd, path, out, err);
}

int cow_check_backing_fd(const struct cow_info *info, int fd, const char *name,
			 struct uerr *err)
{
	struct stat st;
	uint64_t size;

	if (fstat(fd, &st) < 0)
		return uerr_set(err, errno, "base image %s", name);
	if (base_size(fd, &st, name, &size, err) < 0)
		return -1;
	/* backing_file_mismatch(): the 64-bit mtime against the header's 32 */
	if (size != info->size || (long long)st.st_mtime != (long long)info->mtime)
		return uerr_set(err, 0, "COW file %s was made from a different version of %s (size %llu, mtime %u; now size %llu, mtime %lld): the base image changed since",
				info->path, name, (unsigned long long)info->size, info->mtime,
				(unsigned long long)size, (long long)st.st_mtime);
	return 0;
}

int cow_check_backing(const struct cow_info *info, const char *backing, struct uerr *err)
{
	autoclose int fd = open(backing, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return uerr_set(err, errno, "base image %s", backing);
	return cow_check_backing_fd(info, fd, backing, err);
}

/* The kernel's absolutize(): the directory part resolved, the last
 * component kept as given. */
static int absolutize(const char *path, char out[COW_PATH_MAX], struct uerr *err)
{
	autofree char *dir = NULL;
	autofree char *real = NULL;
	const char *slash = strrchr(path, '/');
	const char *last = slash ? slash + 1 : path;
	int n;

	if (*last == '\0' || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
		return uerr_set(err, 0, "base image \"%s\": not a file name", path);
	if (slash == path)
		dir = strdup("/");
	else
		dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	if (dir == NULL)
		return uerr_set(err, errno, "malloc");
	real = realpath(dir, NULL);
	if (real == NULL)
		return uerr_set(err, errno, "base image %s", path);
	n = snprintf(out, COW_PATH_MAX, "%s/%s", strcmp(real, "/") == 0 ? "" : real, last);
	if (n < 0 || n >= COW_PATH_MAX)
		return uerr_set(err, 0, "base image %s: its absolute path is longer than a COW file can record (%d bytes)",
				path, COW_PATH_MAX - 1);
	return 0;
}

/* Removes what cow_create made at PATH, and only that. */
static void undo_create(int fd, const char *path)
{
	struct stat a, b;
	int saved = errno;

	if (fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		unlink(path);
	errno = saved;
}

int cow_create(const char *path, const char *backing, struct uerr *err)
{
	struct cow_info c = { .sectorsize = COW_SECTOR_SIZE, .alignment = COW_ALIGNMENT };
	uint8_t h[COW_HEADER_SIZE] = { 0 };
	autoclose int base = -1;
	autoclose int fd = -1;
	struct stat st;

	if (absolutize(backing, c.backing, err) < 0)
		return -1;
	base = open(c.backing, O_RDONLY | O_CLOEXEC);
	if (base < 0 || fstat(base, &st) < 0)
		return uerr_set(err, errno, "base image %s", c.backing);
	if (base_size(base, &st, c.backing, &c.size, err) < 0)
		return -1;
	c.mtime = (uint32_t)st.st_mtime;
	layout(&c);
	if (c.data_offset > INT_MAX)
		return uerr_set(err, 0, "base image %s: too large for a COW file (%llu bytes)",
				c.backing, (unsigned long long)c.size);
	put32(h + H_MAGIC, COW_MAGIC);
	put32(h + H_VERSION, COW_VERSION);
	put32(h + H_MTIME, c.mtime);
	put64(h + H_SIZE, c.size);
	put32(h + H_SECTORSIZE, c.sectorsize);
	put32(h + H_ALIGNMENT, c.alignment);
	put32(h + H_FORMAT, 0);
	memcpy(h + H_BACKING, c.backing, strlen(c.backing) + 1);

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return uerr_set(err, 0, "COW file %s exists", path);
	if (fd < 0)
		return uerr_set(err, errno, "COW file %s", path);
	/* the last byte sets the size; the bitmap stays a zeroed hole. No
	 * fsync: a COW file outlives no host crash (nor do UML's writes to
	 * it, but for the guest's own flushes), and it costs a sandbox's
	 * start milliseconds on a disk */
	if (cow_pwrite_all(fd, h, sizeof(h), 0) < 0 ||
	    cow_pwrite_all(fd, "", 1, (off_t)(c.data_offset + c.size - 1)) < 0) {
		undo_create(fd, path);
		return uerr_set(err, errno, "COW file %s", path);
	}
	if (close(steal_fd(fd)) < 0) {
		int saved = errno;

		unlink(path);
		return uerr_set(err, saved, "COW file %s", path);
	}
	return 0;
}

int cow_set_backing(const char *path, const char *new_backing, struct uerr *err)
{
	char field[COW_PATH_MAX] = { 0 };
	autoclose int fd = -1;
	struct cow_info info;
	size_t len = strlen(new_backing);

	if (new_backing[0] != '/')
		return uerr_set(err, 0, "COW file %s: the base path \"%s\" is not absolute", path,
				new_backing);
	if (len >= COW_PATH_MAX)
		return uerr_set(err, 0, "COW file %s: the base path is longer than %d bytes", path,
				COW_PATH_MAX - 1);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return uerr_set(err, errno, "COW file %s", path);
	if (cow_lock(fd, true, path, err) < 0 || cow_read_fd(fd, path, &info, err) < 0)
		return -1;
	memcpy(field, new_backing, len);
	if (cow_pwrite_all(fd, field, sizeof(field), H_BACKING) < 0)
		return uerr_set(err, errno, "COW file %s: write", path);
	return 0;
}
