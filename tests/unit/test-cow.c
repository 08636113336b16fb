/* test-cow.c: unit tests of runtime/cow.c and cow_merge.c: the header UML
 * writes, round trips, hostile headers, matching a base, rewriting the
 * base path, and merges (into a new image and in place) checked byte by
 * byte against the expected image, with the base left untouched.
 * With UMLRUN_TEST_KERNEL_COW and UMLRUN_TEST_KERNEL_BASE set (by
 * tests/integration/image.sh, after booting the real kernel), also checks
 * that cow_create writes what the kernel itself wrote for that base. */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime/cleanup.h"
#include "../../runtime/cow.h"
#include "scratch.h"
#include "tap.h"

#define SECTORS 100
#define BASE_SIZE (SECTORS * 512 + 100) /* a partial last sector */

static int write_file(const char *path, const void *data, size_t len)
{
	autoclose int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	return fd < 0 || write(fd, data, len) != (ssize_t)len ? -1 : 0;
}

/* The whole file, malloc'ed; *len gets its size. */
static char *read_file(const char *path, size_t *len)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;

	if (fd < 0 || fstat(fd, &st) < 0 || (buf = malloc((size_t)st.st_size + 1)) == NULL)
		return NULL;
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		return NULL;
	}
	*len = (size_t)st.st_size;
	return buf;
}

static int pwrite_at(const char *path, const void *data, size_t len, off_t off)
{
	autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);

	return fd < 0 || pwrite(fd, data, len, off) != (ssize_t)len ? -1 : 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Whether a temporary file (NAME.tmp-XXXXXX) was left in dir. */
static bool temp_left(void)
{
	autoclosedir DIR *d = opendir(scratch_dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp-") != NULL)
			return true;
	return false;
}

static bool has(const struct uerr *e, const char *s)
{
	return strstr(e->msg, s) != NULL;
}

/* Makes a base of BASE_SIZE pseudo-random bytes. */
static void make_base(const char *path, unsigned seed)
{
	char buf[BASE_SIZE];

	srand(seed);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(rand() & 0xff);
	write_file(path, buf, sizeof(buf));
}

/* Writes sector S into the COW file as the kernel does: its data at
 * data_offset + S * 512 and its bit in the bitmap. */
static int cow_write_sector(const char *cow, const struct cow_info *ci, uint64_t s,
			    const char *data)
{
	autoclose int fd = open(cow, O_RDWR | O_CLOEXEC);
	uint8_t byte;

	if (fd < 0 || pread(fd, &byte, 1, (off_t)(ci->bitmap_offset + s / 8)) != 1)
		return -1;
	byte |= (uint8_t)(1U << (s % 8));
	if (pwrite(fd, data, 512, (off_t)(ci->data_offset + s * 512)) != 512 ||
	    pwrite(fd, &byte, 1, (off_t)(ci->bitmap_offset + s / 8)) != 1)
		return -1;
	return 0;
}

static void test_create_read(struct tap *t)
{
	struct cow_info ci;
	struct uerr err = { 0 };
	uint8_t h[64];
	struct stat st;
	autofree char *real = NULL;
	autoclose int fd = -1;
	uint32_t v32;
	uint64_t v64;

	make_base(in_dir("base.img"), 1);
	stat(in_dir("base.img"), &st);
	real = realpath(in_dir("base.img"), NULL);
	TAP_OK(t, cow_create(in_dir("a.cow"), in_dir("base.img"), &err) == 0, "cow_create: %s",
	       err.msg);
	TAP_OK(t, cow_read(in_dir("a.cow"), &ci, &err) == 0, "cow_read of a new COW file: %s",
	       err.msg);
	TAP_OK(t, real && strcmp(ci.backing, real) == 0, "it records the base's absolute path (%s)",
	       ci.backing);
	TAP_OK(t, ci.size == BASE_SIZE && ci.mtime == (uint32_t)st.st_mtime,
	       "size %llu and mtime %u are the base's", (unsigned long long)ci.size, ci.mtime);
	TAP_OK(t, ci.sectorsize == 512 && ci.alignment == 4096,
	       "sector size 512 and alignment 4096, as UML makes them");
	TAP_OK(t, ci.sectors == SECTORS + 1 && ci.bitmap_offset == 8192 &&
			  ci.bitmap_len == (SECTORS + 1 + 7) / 8 && ci.data_offset == 12288,
	       "layout: %llu sectors, bitmap at 8192 (%llu bytes), data at 12288 (got %llu)",
	       (unsigned long long)ci.sectors, (unsigned long long)ci.bitmap_len,
	       (unsigned long long)ci.data_offset);
	TAP_OK(t, ci.file_size == ci.data_offset + BASE_SIZE,
	       "the file is extended to data_offset + size (%llu)",
	       (unsigned long long)ci.file_size);
	stat(in_dir("a.cow"), &st);
	TAP_OK(t, (st.st_mode & 0777) == 0600, "it is made 0600 (%o)", st.st_mode & 0777);
	TAP_OK(t, st.st_blocks * 512 < 64 * 1024, "it is sparse (%lld bytes allocated)",
	       (long long)st.st_blocks * 512);

	/* the raw header, big-endian and packed like struct cow_header_v3 */
	fd = open(in_dir("a.cow"), O_RDONLY | O_CLOEXEC);
	TAP_OK(t, fd >= 0 && pread(fd, h, sizeof(h), 0) == sizeof(h), "read the raw header");
	memcpy(&v32, h, 4);
	TAP_OK(t, be32toh(v32) == 0x4f4f4f4d && memcmp(h, "OOOM", 4) == 0, "magic at 0, big-endian");
	memcpy(&v32, h + 4, 4);
	TAP_OK(t, be32toh(v32) == 3, "version 3 at 4");
	memcpy(&v64, h + 12, 8);
	TAP_OK(t, be64toh(v64) == BASE_SIZE, "size at 12, 64 bits");
	memcpy(&v32, h + 24, 4);
	TAP_OK(t, be32toh(v32) == 4096 && h[28] == 0 && h[31] == 0, "alignment at 24, format 0 at 28");
	TAP_OK(t, memcmp(h + 32, real ? real : "", 16) == 0, "base path at 32");
}

static void test_create_refusals(struct tap *t)
{
	struct uerr err = { 0 };
	char buf[16];
	ssize_t n;

	TAP_OK(t, cow_create(in_dir("a.cow"), in_dir("base.img"), &err) < 0 && has(&err, "exists"),
	       "an existing COW file is refused: %s", err.msg);
	symlink(in_dir("victim"), in_dir("link.cow"));
	write_file(in_dir("victim"), "victim", 6);
	TAP_OK(t, cow_create(in_dir("link.cow"), in_dir("base.img"), &err) < 0,
	       "a symlink is never followed: %s", err.msg);
	n = readlink(in_dir("link.cow"), buf, sizeof(buf));
	TAP_OK(t, n > 0 && exists(in_dir("victim")), "the symlink and its target are left alone");
	TAP_OK(t, cow_create(in_dir("b.cow"), in_dir("nope.img"), &err) < 0 &&
			  has(&err, "nope.img") && !exists(in_dir("b.cow")),
	       "a missing base: error, nothing made: %s", err.msg);
	mkdir(in_dir("adir"), 0755);
	TAP_OK(t, cow_create(in_dir("b.cow"), in_dir("adir"), &err) < 0 &&
			  has(&err, "not a regular file") && !exists(in_dir("b.cow")),
	       "a directory as base: %s", err.msg);
}

static void test_relative_base(struct tap *t)
{
	autofree char *cwd = get_current_dir_name();
	autofree char *real = NULL;
	struct uerr err = { 0 };
	struct cow_info ci;
	char want[600];

	mkdir(in_dir("sub"), 0755);
	symlink("sub", in_dir("lnk"));
	make_base(in_dir("sub/rel.img"), 2);
	real = realpath(in_dir("sub"), NULL);
	snprintf(want, sizeof(want), "%s/rel.img", real ? real : "?");
	if (chdir(scratch_dir) < 0)
		return;
	TAP_OK(t, cow_create("rel.cow", "lnk/rel.img", &err) == 0 &&
			  cow_read("rel.cow", &ci, &err) == 0 && strcmp(ci.backing, want) == 0,
	       "a relative base is made absolute, its directory resolved (%s)", ci.backing);
	if (cwd && chdir(cwd) < 0)
		return;
}

static void test_efbig(struct tap *t)
{
	struct rlimit old, small;
	struct uerr err = { 0 };

	getrlimit(RLIMIT_FSIZE, &old);
	small = old;
	small.rlim_cur = 8192;
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &small);
	TAP_OK(t, cow_create(in_dir("big.cow"), in_dir("base.img"), &err) < 0 &&
			  has(&err, "big.cow") && has(&err, "File too large"),
	       "a failed write (EFBIG) names the path: %s", err.msg);
	setrlimit(RLIMIT_FSIZE, &old);
	TAP_OK(t, !exists(in_dir("big.cow")), "and leaves nothing behind");
}

/* On a full filesystem (a private 64 KiB tmpfs; needs root): ENOSPC names
 * the path and leaves nothing. */
static void test_enospc(struct tap *t)
{
	struct { int r, exists; char msg[1024]; } res = { 0 };
	int p[2];
	pid_t pid;

	if (geteuid() != 0 || pipe(p) < 0) {
		TAP_OK(t, 1, "# SKIP ENOSPC needs root for a private tmpfs");
		return;
	}
	mkdir(in_dir("full"), 0755);
	pid = fork();
	if (pid == 0) {
		struct uerr err = { 0 };
		char block[4096] = { 0 };
		int fd;

		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", in_dir("full"), "tmpfs", 0, "size=64k") < 0)
			_exit(77);
		fd = open(in_dir("full/fill"), O_WRONLY | O_CREAT, 0600);
		while (fd >= 0 && write(fd, block, sizeof(block)) > 0)
			;
		res.r = cow_create(in_dir("full/x.cow"), in_dir("base.img"), &err);
		res.exists = exists(in_dir("full/x.cow"));
		snprintf(res.msg, sizeof(res.msg), "%s", err.msg);
		write(p[1], &res, sizeof(res));
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &res, sizeof(res)) != sizeof(res)) {
		TAP_OK(t, 1, "# SKIP cannot mount a private tmpfs");
	} else {
		TAP_OK(t, res.r < 0 && strstr(res.msg, "full/x.cow: No space left on device") != NULL,
		       "on a full filesystem: %s", res.msg);
		TAP_OK(t, !res.exists, "and nothing is left");
	}
	close(p[0]);
	waitpid(pid, NULL, 0);
}

static void test_check_backing(struct tap *t)
{
	struct uerr err = { 0 };
	struct cow_info ci;
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = 1000000000 } };

	cow_read(in_dir("a.cow"), &ci, &err);
	TAP_OK(t, cow_check_backing(&ci, in_dir("base.img"), &err) == 0,
	       "the base matches its COW file: %s", err.msg);
	make_base(in_dir("base2.img"), 1);
	utimensat(AT_FDCWD, in_dir("base2.img"), ts, 0);
	TAP_OK(t, cow_check_backing(&ci, in_dir("base2.img"), &err) < 0 &&
			  has(&err, "was made from a different version of") &&
			  has(&err, "a.cow") && has(&err, "mtime 1000000000"),
	       "another mtime: %s", err.msg);
	truncate(in_dir("base2.img"), BASE_SIZE + 1);
	TAP_OK(t, cow_check_backing(&ci, in_dir("base2.img"), &err) < 0 &&
			  has(&err, "the base image changed since"),
	       "another size: %s", err.msg);
	TAP_OK(t, cow_check_backing(&ci, in_dir("gone.img"), &err) < 0 && has(&err, "gone.img"),
	       "a missing base: %s", err.msg);
}

static void test_set_backing(struct tap *t)
{
	char longp[COW_PATH_MAX + 10];
	struct uerr err = { 0 };
	struct cow_info before, after;
	size_t la, lb;
	autofree char *a = NULL;
	autofree char *b = NULL;

	cow_create(in_dir("s.cow"), in_dir("base.img"), &err);
	cow_read(in_dir("s.cow"), &before, &err);
	a = read_file(in_dir("s.cow"), &la);
	TAP_OK(t, cow_set_backing(in_dir("s.cow"), "/image/x", &err) == 0 &&
			  cow_read(in_dir("s.cow"), &after, &err) == 0 &&
			  strcmp(after.backing, "/image/x") == 0,
	       "cow_set_backing rewrites the base path: %s", err.msg);
	b = read_file(in_dir("s.cow"), &lb);
	TAP_OK(t, a && b && la == lb && memcmp(a, b, 32) == 0 && memcmp(a + 4128, b + 4128, la - 4128) == 0,
	       "and nothing else");
	TAP_OK(t, b && memchr(b + 32 + 8, 'x', 4096 - 8) == NULL,
	       "the old path's bytes are gone from the field");
	TAP_OK(t, cow_set_backing(in_dir("s.cow"), "rel/x", &err) < 0 && has(&err, "not absolute"),
	       "a relative path is refused: %s", err.msg);
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[COW_PATH_MAX] = '\0';
	TAP_OK(t, cow_set_backing(in_dir("s.cow"), longp, &err) < 0 && has(&err, "longer than"),
	       "a path of 4096 bytes is refused: %s", err.msg);
	TAP_OK(t, cow_set_backing(in_dir("base.img"), "/x", &err) < 0 && has(&err, "not a UML COW"),
	       "a non-COW file is not touched: %s", err.msg);
}

/* A hostile header: a valid one with LEN bytes at OFF replaced. */
static int hostile(const char *name, size_t off, const void *bytes, size_t len,
		   off_t truncate_to, struct uerr *err)
{
	struct cow_info ci;
	char *p = in_dir(name);

	err->msg[0] = '\0';
	unlink(p);
	if (cow_create(p, in_dir("base.img"), err) < 0)
		return 0;
	if (bytes && pwrite_at(p, bytes, len, (off_t)off) < 0)
		return 0;
	if (truncate_to >= 0 && truncate(p, truncate_to) < 0)
		return 0;
	return cow_read(p, &ci, err);
}

static void test_hostile(struct tap *t)
{
	struct uerr err = { 0 };
	uint32_t v;
	uint64_t v64;
	char noz[4096];

	TAP_OK(t, hostile("h.cow", 0, "MOOX", 4, -1, &err) < 0 && has(&err, "not a UML COW file") &&
			  has(&err, "h.cow"),
	       "bad magic: %s", err.msg);
	v = htobe32(1);
	TAP_OK(t, hostile("h.cow", 4, &v, 4, -1, &err) < 0 && has(&err, "version 1"),
	       "version 1: %s", err.msg);
	v = htobe32(2);
	TAP_OK(t, hostile("h.cow", 4, &v, 4, -1, &err) < 0 && has(&err, "version 2"),
	       "version 2: %s", err.msg);
	TAP_OK(t, hostile("h.cow", 0, NULL, 0, 100, &err) < 0 && has(&err, "truncated"),
	       "a header cut short: %s", err.msg);
	TAP_OK(t, hostile("h.cow", 0, NULL, 0, 2, &err) < 0 && has(&err, "not a UML COW"),
	       "a 2-byte file: %s", err.msg);
	v = htobe32(0xffffffffU);
	TAP_OK(t, hostile("h.cow", 24, &v, 4, -1, &err) < 0 && has(&err, "limit"),
	       "alignment 0xffffffff: %s", err.msg);
	v = htobe32(1U << 28);
	TAP_OK(t, hostile("h.cow", 24, &v, 4, -1, &err) < 0 && has(&err, "truncated"),
	       "alignment 256 MiB: the bitmap lies beyond the file: %s", err.msg);
	v = 0;
	TAP_OK(t, hostile("h.cow", 24, &v, 4, -1, &err) < 0 && has(&err, "alignment is 0"),
	       "alignment 0: %s", err.msg);
	v = htobe32(3);
	TAP_OK(t, hostile("h.cow", 20, &v, 4, -1, &err) < 0 && has(&err, "sector size 3"),
	       "sector size 3: %s", err.msg);
	v = 0;
	TAP_OK(t, hostile("h.cow", 20, &v, 4, -1, &err) < 0 && has(&err, "sector size 0"),
	       "sector size 0: %s", err.msg);
	v = htobe32(1U << 31);
	TAP_OK(t, hostile("h.cow", 20, &v, 4, -1, &err) < 0 && has(&err, "sector size"),
	       "sector size 2^31: %s", err.msg);
	memset(noz, 'a', sizeof(noz));
	noz[0] = '/';
	TAP_OK(t, hostile("h.cow", 32, noz, sizeof(noz), -1, &err) < 0 &&
			  has(&err, "not NUL-terminated"),
	       "a base path without NUL: %s", err.msg);
	TAP_OK(t, hostile("h.cow", 32, "\0\0\0\0", 4, -1, &err) < 0 && has(&err, "empty"),
	       "an empty base path (the broken 2005 layout): %s", err.msg);
	TAP_OK(t, hostile("h.cow", 32, "rel/x", 6, -1, &err) < 0 && has(&err, "not absolute"),
	       "a relative base path: %s", err.msg);
	v = htobe32(1);
	TAP_OK(t, hostile("h.cow", 28, &v, 4, -1, &err) < 0 && has(&err, "format 1"),
	       "COW format 1: %s", err.msg);
	v64 = htobe64(1ULL << 40);
	TAP_OK(t, hostile("h.cow", 12, &v64, 8, -1, &err) < 0 && has(&err, "truncated"),
	       "a 1 TiB base: the bitmap lies beyond the file: %s", err.msg);
	v64 = htobe64(UINT64_MAX);
	TAP_OK(t, hostile("h.cow", 12, &v64, 8, -1, &err) < 0 && has(&err, "limit"),
	       "a base of 2^64-1 bytes: %s", err.msg);
	TAP_OK(t, hostile("h.cow", 0, NULL, 0, 8192, &err) < 0 && has(&err, "truncated"),
	       "a file that ends before its bitmap: %s", err.msg);
	TAP_OK(t, hostile("h.cow", 0, NULL, 0, 8192 + 13, &err) == 0,
	       "one that ends right after it is fine: %s", err.msg);

	/* random headers with the right magic and version must not crash */
	int rejected = 0, accepted = 0;
	srand(42);
	for (int i = 0; i < 2000; i++) {
		uint8_t h[64];

		for (size_t j = 0; j < sizeof(h); j++)
			h[j] = (uint8_t)(rand() & 0xff);
		memcpy(h, "OOOM\0\0\0\3", 8);
		if (rand() % 2)
			h[32] = '/';
		if (hostile("r.cow", 0, h, sizeof(h), rand() % 3 ? -1 : rand() % 20000, &err) < 0)
			rejected++;
		else
			accepted++;
	}
	TAP_OK(t, rejected + accepted == 2000, "2000 random headers: %d rejected, %d accepted",
	       rejected, accepted);
}

/* A COW of base.img with sectors 0, 5-9, 63, 64 and the last (partial)
 * one written; *expected gets what the merged image must hold. */
static int make_cow(const char *cow, const char *base, char **expected, size_t *len)
{
	static const uint64_t written[] = { 0, 5, 6, 7, 8, 9, 63, 64, SECTORS };
	struct uerr err = { 0 };
	struct cow_info ci;
	char data[512];

	*expected = read_file(base, len);
	if (*expected == NULL || cow_create(cow, base, &err) < 0 || cow_read(cow, &ci, &err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(written) / sizeof(written[0]); i++) {
		uint64_t s = written[i];
		size_t n = s == SECTORS ? BASE_SIZE - SECTORS * 512 : 512;

		memset(data, 'A' + (int)i, sizeof(data));
		if (cow_write_sector(cow, &ci, s, data) < 0)
			return -1;
		memcpy(*expected + s * 512, data, n);
	}
	return 0;
}

static void test_merge(struct tap *t)
{
	autofree char *expected = NULL;
	autofree char *base_before = NULL;
	autofree char *got = NULL;
	autofree char *out2 = NULL;
	size_t elen = 0, blen = 0, glen = 0, olen = 0;
	struct uerr err = { 0 };

	make_base(in_dir("m.img"), 7);
	base_before = read_file(in_dir("m.img"), &blen);
	TAP_OK(t, make_cow(in_dir("m.cow"), in_dir("m.img"), &expected, &elen) == 0,
	       "made a COW file with sectors 0, 5-9, 63, 64 and the last, partial one written");
	TAP_OK(t, cow_merge(in_dir("m.cow"), in_dir("m.img"), in_dir("new.img"), &err) == 0,
	       "cow_merge: %s", err.msg);
	got = read_file(in_dir("new.img"), &glen);
	TAP_OK(t, got && glen == elen && memcmp(got, expected, elen) == 0,
	       "the new image is the base with the COW's sectors (%zu bytes)", glen);
	free(got);
	got = read_file(in_dir("m.img"), &glen);
	TAP_OK(t, got && glen == blen && memcmp(got, base_before, blen) == 0,
	       "the base is byte-identical to before");
	TAP_OK(t, !temp_left(), "no temporary file is left");

	write_file(in_dir("exists.img"), "keep", 4);
	TAP_OK(t, cow_merge(in_dir("m.cow"), in_dir("m.img"), in_dir("exists.img"), &err) < 0 &&
			  has(&err, "exists"),
	       "an existing output is refused: %s", err.msg);
	out2 = read_file(in_dir("exists.img"), &olen);
	TAP_OK(t, out2 && olen == 4 && memcmp(out2, "keep", 4) == 0 && !temp_left(),
	       "and left as it was");

	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = 1234567890 } };
	make_base(in_dir("m2.img"), 7);
	cow_create(in_dir("m2.cow"), in_dir("m2.img"), &err);
	utimensat(AT_FDCWD, in_dir("m2.img"), ts, 0);
	TAP_OK(t, cow_merge(in_dir("m2.cow"), in_dir("m2.img"), in_dir("new2.img"), &err) < 0 &&
			  has(&err, "different version") && !exists(in_dir("new2.img")) &&
			  !temp_left(),
	       "a changed base is refused, nothing made: %s", err.msg);
	TAP_OK(t, cow_merge(in_dir("m.img"), in_dir("m.img"), in_dir("new3.img"), &err) < 0 &&
			  has(&err, "not a UML COW") && !exists(in_dir("new3.img")),
	       "a non-COW file is refused: %s", err.msg);
	TAP_OK(t, cow_merge(in_dir("m.cow"), in_dir("m.img"), in_dir("nodir/x.img"), &err) < 0 &&
			  has(&err, "nodir/x.img"),
	       "an output in a missing directory: %s", err.msg);
}

static void test_merge_truncated(struct tap *t)
{
	autofree char *expected = NULL;
	size_t elen = 0;
	struct uerr err = { 0 };
	struct cow_info ci;
	uint8_t bit = 1U << (50 % 8);

	make_base(in_dir("tr.img"), 9);
	make_cow(in_dir("tr.cow"), in_dir("tr.img"), &expected, &elen);
	cow_read(in_dir("tr.cow"), &ci, &err);
	pwrite_at(in_dir("tr.cow"), &bit, 1, (off_t)(ci.bitmap_offset + 50 / 8));
	truncate(in_dir("tr.cow"), (off_t)(ci.data_offset + 20 * 512));
	TAP_OK(t, cow_merge(in_dir("tr.cow"), in_dir("tr.img"), in_dir("tr-new.img"), &err) < 0 &&
			  has(&err, "truncated") && has(&err, "sector") &&
			  !exists(in_dir("tr-new.img")) && !temp_left(),
	       "a set bit whose data is missing: error, nothing made: %s", err.msg);
}

static void test_merge_sparse(struct tap *t)
{
	struct uerr err = { 0 };
	struct cow_info ci;
	struct stat st;
	char data[512];

	/* 256 MiB, data only at the start and the end */
	write_file(in_dir("sp.img"), "start", 5);
	truncate(in_dir("sp.img"), 256 << 20);
	pwrite_at(in_dir("sp.img"), "end", 3, (256 << 20) - 3);
	cow_create(in_dir("sp.cow"), in_dir("sp.img"), &err);
	cow_read(in_dir("sp.cow"), &ci, &err);
	memset(data, 'Z', sizeof(data));
	cow_write_sector(in_dir("sp.cow"), &ci, 1000, data);
	TAP_OK(t, cow_merge(in_dir("sp.cow"), in_dir("sp.img"), in_dir("sp-new.img"), &err) == 0,
	       "merge of a sparse 256 MiB base: %s", err.msg);
	TAP_OK(t, stat(in_dir("sp-new.img"), &st) == 0 && st.st_size == 256 << 20 &&
			  st.st_blocks * 512 < 4 << 20,
	       "the new image stays sparse (%lld bytes allocated)", (long long)st.st_blocks * 512);
	char buf[8] = { 0 };
	autoclose int fd = open(in_dir("sp-new.img"), O_RDONLY | O_CLOEXEC);
	TAP_OK(t, fd >= 0 && pread(fd, buf, 5, 0) == 5 && memcmp(buf, "start", 5) == 0 &&
			  pread(fd, buf, 3, (256 << 20) - 3) == 3 && memcmp(buf, "end", 3) == 0 &&
			  pread(fd, buf, 1, 1000 * 512 + 7) == 1 && buf[0] == 'Z',
	       "with the base's data and the COW's sector");
}

/* Merges of COW files with plausible random headers, bitmaps and lengths,
 * each against a base that matches it: errors or whole images, no crash
 * (the ASan pass of tests/run runs this too). */
static void test_merge_fuzz(struct tap *t)
{
	static const uint32_t sectorsizes[] = { 512, 1024, 4096, 65536, 777 };
	static const uint32_t alignments[] = { 1, 7, 512, 4096, 65536, 0 };
	int merged = 0, refused = 0, bad = 0;
	struct uerr err = { 0 };

	srand(4242);
	for (int i = 0; i < 300; i++) {
		uint8_t h[COW_HEADER_SIZE] = { 0 }, junk[4096];
		uint32_t ss = sectorsizes[rand() % 5], al = alignments[rand() % 6];
		uint64_t size = (uint64_t)(rand() % 300000), be64;
		uint32_t be, mtime = (uint32_t)rand();
		struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = mtime } };
		char *base = in_dir("fz.img"), *cow = in_dir("fz.cow"), *out = in_dir("fz-new.img");
		off_t len = 4128 + rand() % 400000;
		struct stat st;
		int r;

		unlink(base);
		unlink(cow);
		unlink(out);
		write_file(base, "", 0);
		truncate(base, (off_t)size);
		utimensat(AT_FDCWD, base, ts, 0);
		memcpy(h, "OOOM\0\0\0\3", 8);
		be = htobe32(mtime);
		memcpy(h + 8, &be, 4);
		be64 = htobe64(size);
		memcpy(h + 12, &be64, 8);
		be = htobe32(ss);
		memcpy(h + 20, &be, 4);
		be = htobe32(al);
		memcpy(h + 24, &be, 4);
		snprintf((char *)h + 32, COW_PATH_MAX, "%s", base);
		write_file(cow, h, sizeof(h));
		for (off_t off = 4128; off < len; off += (off_t)sizeof(junk)) {
			for (size_t j = 0; j < sizeof(junk); j++)
				junk[j] = (uint8_t)(rand() % 4 ? 0 : rand() & 0xff);
			pwrite_at(cow, junk, sizeof(junk), off);
		}
		truncate(cow, len);
		r = cow_merge(cow, base, out, &err);
		if (r == 0 && stat(out, &st) == 0 && (uint64_t)st.st_size == size)
			merged++;
		else if (r < 0 && !exists(out) && err.msg[0] != '\0')
			refused++;
		else
			bad++;
	}
	TAP_OK(t, bad == 0 && !temp_left(),
	       "300 random COW files: %d merged, %d refused with an error, %d otherwise", merged,
	       refused, bad);
}

static void test_merge_in_place(struct tap *t)
{
	autofree char *expected = NULL;
	autofree char *got = NULL;
	size_t elen = 0, glen = 0;
	struct uerr err = { 0 };

	make_base(in_dir("ip.img"), 11);
	make_cow(in_dir("ip.cow"), in_dir("ip.img"), &expected, &elen);
	TAP_OK(t, cow_merge_in_place(in_dir("ip.cow"), in_dir("ip.img"), &err) == 0,
	       "cow_merge_in_place: %s", err.msg);
	got = read_file(in_dir("ip.img"), &glen);
	TAP_OK(t, got && glen == elen && memcmp(got, expected, elen) == 0,
	       "the base now holds the COW's sectors");
	TAP_OK(t, !exists(in_dir("ip.cow")), "the COW file, now invalid, is removed");
}

/* The kernel holds a POSIX write lock on a COW file while it runs. */
static void test_locked(struct tap *t)
{
	struct uerr err = { 0 };
	int ready[2], done[2];
	char c;
	pid_t pid;

	make_base(in_dir("lk.img"), 13);
	cow_create(in_dir("lk.cow"), in_dir("lk.img"), &err);
	if (pipe(ready) < 0 || pipe(done) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		int fd = open(in_dir("lk.cow"), O_RDWR);
		struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		fcntl(fd, F_SETLK, &l);
		write(ready[1], "x", 1);
		read(done[0], &c, 1);
		_exit(0);
	}
	read(ready[0], &c, 1);
	TAP_OK(t, cow_merge(in_dir("lk.cow"), in_dir("lk.img"), in_dir("lk-new.img"), &err) < 0 &&
			  has(&err, "in use") && !exists(in_dir("lk-new.img")),
	       "merge of a COW file a kernel holds is refused: %s", err.msg);
	TAP_OK(t, cow_set_backing(in_dir("lk.cow"), "/x", &err) < 0 && has(&err, "in use"),
	       "so is rewriting its base path: %s", err.msg);
	TAP_OK(t, cow_merge_in_place(in_dir("lk.cow"), in_dir("lk.img"), &err) < 0 &&
			  exists(in_dir("lk.cow")),
	       "and merging it in place: %s", err.msg);
	write(done[1], "x", 1);
	waitpid(pid, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}

/* Against a COW file the real kernel made for BASE. */
static void test_kernel_cow(struct tap *t)
{
	const char *kcow = getenv("UMLRUN_TEST_KERNEL_COW");
	const char *kbase = getenv("UMLRUN_TEST_KERNEL_BASE");
	struct cow_info k, m;
	struct uerr err = { 0 };
	autofree char *a = NULL;
	autofree char *b = NULL;
	size_t la = 0, lb = 0;

	if (kcow == NULL || kbase == NULL) {
		TAP_OK(t, 1, "# SKIP no kernel-made COW file (set by tests/integration/image.sh)");
		return;
	}
	TAP_OK(t, cow_read(kcow, &k, &err) == 0, "cow_read of the kernel's COW file: %s", err.msg);
	TAP_OK(t, cow_check_backing(&k, kbase, &err) == 0, "it matches its base: %s", err.msg);
	TAP_OK(t, cow_create(in_dir("mine.cow"), kbase, &err) == 0 &&
			  cow_read(in_dir("mine.cow"), &m, &err) == 0,
	       "cow_create on the same base: %s", err.msg);
	TAP_OK(t, strcmp(k.backing, m.backing) == 0 && k.mtime == m.mtime && k.size == m.size &&
			  k.sectorsize == m.sectorsize && k.alignment == m.alignment &&
			  k.bitmap_offset == m.bitmap_offset && k.bitmap_len == m.bitmap_len &&
			  k.data_offset == m.data_offset && k.file_size == m.file_size,
	       "every field and the file size are the kernel's (data at %llu, %llu bytes)",
	       (unsigned long long)m.data_offset, (unsigned long long)m.file_size);
	a = read_file(kcow, &la);
	b = read_file(in_dir("mine.cow"), &lb);
	TAP_OK(t, a && b && la >= 32 + strlen(k.backing) + 1 && memcmp(a, b, 32 + strlen(k.backing) + 1) == 0,
	       "the header bytes are the kernel's, up to the end of the base path");
}

int main(void)
{
	struct tap t = { 0 };

	if (scratch_make("cow") < 0) {
		TAP_OK(&t, 0, "mkdtemp %s: %s", scratch_dir, strerror(errno));
		return tap_done(&t);
	}
	test_create_read(&t);
	test_create_refusals(&t);
	test_relative_base(&t);
	test_efbig(&t);
	test_enospc(&t);
	test_check_backing(&t);
	test_set_backing(&t);
	test_hostile(&t);
	test_merge(&t);
	test_merge_truncated(&t);
	test_merge_sparse(&t);
	test_merge_fuzz(&t);
	test_merge_in_place(&t);
	test_locked(&t);
	test_kernel_cow(&t);
	scratch_remove();
	return tap_done(&t);
}
