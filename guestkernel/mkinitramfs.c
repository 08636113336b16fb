/* mkinitramfs.c: builds the guest's initramfs, an uncompressed "newc" cpio
 * archive holding /dev, /proc, /sys, /newroot, /dev/console and /init (the
 * agent). Every entry is owned by 0:0 with mtime 0, so the output depends
 * only on the agent binary.
 * Usage: mkinitramfs OUT.cpio INIT_BINARY */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../runtime/cleanup.h"

struct entry {
	const char *name; /* without the leading "/" */
	uint32_t mode;
	uint32_t rmajor, rminor;
	const void *data;
	size_t size;
};

struct archive {
	FILE *f;
	const char *path; /* for messages */
	uint32_t ino;
	uint64_t off; /* bytes written, for the 4-byte alignment */
};

static int fail(const char *what, const char *path, int err)
{
	fprintf(stderr, "mkinitramfs: %s %s: %s\n", what, path, strerror(err));
	return -1;
}

static int put(struct archive *a, const void *p, size_t n)
{
	if (n > 0 && fwrite(p, 1, n, a->f) != n)
		return fail("write", a->path, errno ? errno : EIO);
	a->off += n;
	return 0;
}

static int pad4(struct archive *a)
{
	static const char zeros[4];

	return put(a, zeros, (4 - a->off % 4) % 4);
}

static int put_entry(struct archive *a, const struct entry *en)
{
	char hdr[111];
	size_t namesize = strlen(en->name) + 1;
	uint32_t nlink = S_ISDIR(en->mode) ? 2 : 1;
	uint32_t ino = en->mode == 0 ? 0 : ++a->ino; /* the trailer has ino 0 */

	if (en->size > UINT32_MAX)
		return fail("archive", en->name, EFBIG);
	/* magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	 * devminor, rdevmajor, rdevminor, namesize, check */
	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, en->mode, 0u, 0u, nlink, 0u, (uint32_t)en->size, 0u, 0u, en->rmajor,
		 en->rminor, (uint32_t)namesize, 0u);
	if (put(a, hdr, 110) < 0 || put(a, en->name, namesize) < 0 || pad4(a) < 0)
		return -1;
	if (put(a, en->data, en->size) < 0 || pad4(a) < 0)
		return -1;
	return 0;
}

/* Reads the whole file at path into a malloc'd buffer. */
static int slurp(const char *path, void **data, size_t *size)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	autofree char *buf = NULL;
	struct stat st;
	size_t got = 0;

	if (fd < 0)
		return fail("open", path, errno);
	if (fstat(fd, &st) < 0)
		return fail("stat", path, errno);
	if (!S_ISREG(st.st_mode))
		return fail("read", path, S_ISDIR(st.st_mode) ? EISDIR : EINVAL);
	buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (buf == NULL)
		return fail("read", path, errno);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail("read", path, n < 0 ? errno : EIO);
		got += (size_t)n;
	}
	*data = steal_ptr(buf);
	*size = got;
	return 0;
}

static int write_archive(struct archive *a, const void *init, size_t init_size)
{
	const struct entry entries[] = {
		{ "dev", S_IFDIR | 0755, 0, 0, NULL, 0 },
		{ "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0 },
		{ "proc", S_IFDIR | 0755, 0, 0, NULL, 0 },
		{ "sys", S_IFDIR | 0755, 0, 0, NULL, 0 },
		{ "newroot", S_IFDIR | 0755, 0, 0, NULL, 0 },
		{ "init", S_IFREG | 0755, 0, 0, init, init_size },
		{ "TRAILER!!!", 0, 0, 0, NULL, 0 },
	};

	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		if (put_entry(a, &entries[i]) < 0)
			return -1;
	}
	return 0;
}

/* Flushes to disk and closes *fp (leaving it NULL on success). */
static int close_archive(FILE **fp, const char *path)
{
	if (fflush(*fp) != 0 || fsync(fileno(*fp)) < 0)
		return fail("write", path, errno);
	if (fclose(steal_ptr(*fp)) != 0)
		return fail("write", path, errno);
	return 0;
}

static int build(const char *out, const char *init_path)
{
	autofree void *init = NULL;
	autofree char *tmp = NULL;
	autofclose FILE *f = NULL;
	struct archive a = { 0 };
	size_t init_size = 0;

	if (slurp(init_path, &init, &init_size) < 0)
		return -1;
	tmp = malloc(strlen(out) + sizeof(".tmp"));
	if (tmp == NULL)
		return fail("create", out, errno);
	strcpy(stpcpy(tmp, out), ".tmp");
	f = fopen(tmp, "we");
	if (f == NULL)
		return fail("create", tmp, errno);
	a.f = f;
	a.path = tmp;
	if (write_archive(&a, init, init_size) < 0 || close_archive(&f, tmp) < 0) {
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, out) < 0) {
		int err = errno;

		unlink(tmp);
		return fail("rename to", out, err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mkinitramfs OUT.cpio INIT_BINARY\n");
		return 2;
	}
	return build(argv[1], argv[2]) < 0 ? 1 : 0;
}
