/* test-ext4img.c: unit tests of runtime/ext4img.c (is a file a whole ext4
 * image?) on hand-made superblocks and, when mke2fs is installed, on a
 * real image; and of runtime/manifest.c (image manifests). */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime/cleanup.h"
#include "../../runtime/ext4img.h"
#include "../../runtime/manifest.h"
#include "scratch.h"
#include "tap.h"

static bool has(const struct uerr *e, const char *s)
{
	return strstr(e->msg, s) != NULL;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

/* A superblock: BLOCKS blocks of 1024 << LOG bytes; HI and the 64bit
 * feature when SIXTYFOUR. */
static void sb(uint8_t *s, uint32_t blocks, uint32_t log, uint32_t hi, bool sixtyfour)
{
	memset(s, 0, 1024);
	put32(s + 0x04, blocks);
	put32(s + 0x18, log);
	s[0x38] = 0x53;
	s[0x39] = 0xef;
	put32(s + 0x60, sixtyfour ? 0x80 | 0x40 : 0x40);
	put32(s + 0x150, hi);
}

/* Writes an image file of SIZE bytes (sparse) with superblock S. */
static void image(const char *path, const uint8_t *s, off_t size)
{
	autoclose int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || pwrite(fd, s, 1024, 1024) != 1024 || ftruncate(fd, size) < 0)
		fprintf(stderr, "cannot write %s\n", path);
}

static void test_superblocks(struct tap *t)
{
	struct uerr err = { 0 };
	uint8_t s[1024];
	uint64_t bytes = 0;

	sb(s, 100, 0, 0, false);
	image(in_dir("ok.img"), s, 102400);
	TAP_OK(t, ext4img_check(in_dir("ok.img"), &err) == 0, "100 1K blocks in 102400 bytes: %s",
	       err.msg);
	image(in_dir("long.img"), s, 200000);
	TAP_OK(t, ext4img_check(in_dir("long.img"), &err) == 0,
	       "a file longer than its filesystem is fine: %s", err.msg);
	image(in_dir("short.img"), s, 50000);
	TAP_OK(t, ext4img_check(in_dir("short.img"), &err) < 0 &&
			  has(&err, "short.img is truncated: its ext4 superblock says 102400 bytes, the file has 50000"),
	       "truncated: %s", err.msg);
	sb(s, 10, 2, 0, false);
	image(in_dir("4k.img"), s, 40960);
	TAP_OK(t, ext4img_check(in_dir("4k.img"), &err) == 0, "4K blocks: %s", err.msg);
	image(in_dir("4k-short.img"), s, 40959);
	TAP_OK(t, ext4img_check(in_dir("4k-short.img"), &err) < 0 && has(&err, "40960 bytes"),
	       "4K blocks, one byte short: %s", err.msg);

	sb(s, 5, 2, 1, true);
	TAP_OK(t, ext4img_check_sb(s, 1ULL << 50, "x", &bytes, &err) == 0 &&
			  bytes == ((1ULL << 32) + 5) * 4096,
	       "64bit: s_blocks_count_hi counts (%llu bytes)", (unsigned long long)bytes);
	TAP_OK(t, ext4img_check_sb(s, 5 * 4096, "x", &bytes, &err) < 0 && has(&err, "truncated"),
	       "64bit: a file of the low count only is truncated: %s", err.msg);
	sb(s, 5, 2, 1, false);
	TAP_OK(t, ext4img_check_sb(s, 5 * 4096, "x", &bytes, &err) == 0 && bytes == 5 * 4096,
	       "without the 64bit feature, s_blocks_count_hi is ignored: %s", err.msg);
	sb(s, 0xffffffff, 6, 0xffffffff, true);
	TAP_OK(t, ext4img_check_sb(s, UINT64_MAX, "x", &bytes, &err) < 0,
	       "2^64 blocks of 64K do not overflow: %s", err.msg);
	sb(s, 100, 7, 0, false);
	TAP_OK(t, ext4img_check_sb(s, 1ULL << 40, "x", &bytes, &err) < 0 &&
			  has(&err, "not an ext4 image"),
	       "128K blocks: %s", err.msg);
	sb(s, 100, 0xffffffff, 0, false);
	TAP_OK(t, ext4img_check_sb(s, 1ULL << 40, "x", &bytes, &err) < 0 &&
			  has(&err, "not an ext4 image"),
	       "log block size 2^32-1: %s", err.msg);
	sb(s, 0, 0, 0, false);
	TAP_OK(t, ext4img_check_sb(s, 1ULL << 40, "x", &bytes, &err) < 0, "0 blocks: %s", err.msg);
}

static void test_not_images(struct tap *t)
{
	struct uerr err = { 0 };
	uint8_t zero[1024] = { 0 };

	image(in_dir("zero.img"), zero, 1 << 20);
	TAP_OK(t, ext4img_check(in_dir("zero.img"), &err) < 0 &&
			  has(&err, "zero.img is not an ext4 image"),
	       "zeros: %s", err.msg);
	image(in_dir("tiny.img"), zero, 0);
	truncate(in_dir("tiny.img"), 100);
	TAP_OK(t, ext4img_check(in_dir("tiny.img"), &err) < 0 && has(&err, "not an ext4 image"),
	       "100 bytes: %s", err.msg);
	TAP_OK(t, ext4img_check(in_dir("missing.img"), &err) < 0 && has(&err, "missing.img") &&
			  err.errnum == ENOENT,
	       "a missing file: %s", err.msg);
	mkdir(in_dir("d.img"), 0755);
	TAP_OK(t, ext4img_check(in_dir("d.img"), &err) < 0 && has(&err, "not a regular file"),
	       "a directory: %s", err.msg);
	mkfifo(in_dir("fifo.img"), 0644);
	TAP_OK(t, ext4img_check(in_dir("fifo.img"), &err) < 0 && has(&err, "not a regular file"),
	       "a FIFO, without blocking: %s", err.msg);
}

/* A real image from mke2fs, whole and cut short. */
static void test_mke2fs(struct tap *t)
{
	struct uerr err = { 0 };
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execlp("mke2fs", "mke2fs", "-q", "-t", "ext4", "-F", in_dir("real.img"), "8M", NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		TAP_OK(t, 1, "# SKIP mke2fs did not run");
		return;
	}
	TAP_OK(t, ext4img_check(in_dir("real.img"), &err) == 0, "an image from mke2fs: %s",
	       err.msg);
	truncate(in_dir("real.img"), (8 << 20) - 4096);
	TAP_OK(t, ext4img_check(in_dir("real.img"), &err) < 0 &&
			  has(&err, "says 8388608 bytes, the file has 8384512"),
	       "the same, 4K shorter: %s", err.msg);
}

static int parse(const char *text, struct manifest_entry *e, struct uerr *err)
{
	int r = manifest_parse_line("m.txt", 7, text, e, err);

	return r;
}

static void test_manifest_lines(struct tap *t)
{
	struct manifest_entry e = { 0 };
	struct uerr err = { 0 };

	TAP_OK(t, parse("/bin/su 4755 0 0", &e, &err) == 1 && strcmp(e.path, "/bin/su") == 0 &&
			  e.mode == 04755 && e.uid == 0 && e.gid == 0 && e.line == 7,
	       "PATH MODE UID GID: %s", err.msg);
	free(e.path);
	TAP_OK(t, parse("  \t/home/u\t0700  1000 4294967294", &e, &err) == 1 && e.mode == 0700 &&
			  e.uid == 1000 && e.gid == 4294967294U,
	       "blanks and tabs between fields: %s", err.msg);
	free(e.path);
	TAP_OK(t, parse("", &e, &err) == 0 && parse("   ", &e, &err) == 0 &&
			  parse("# a comment", &e, &err) == 0 && parse("  # indented", &e, &err) == 0,
	       "blank and comment lines are skipped");
	TAP_OK(t, parse("/x 0644 0", &e, &err) < 0 && has(&err, "m.txt:7: want \"PATH MODE UID GID\", found 3 fields"),
	       "3 fields: %s", err.msg);
	TAP_OK(t, parse("/x 0644 0 0 extra", &e, &err) < 0 && has(&err, "more than 4"),
	       "5 fields: %s", err.msg);
	TAP_OK(t, parse("x 0644 0 0", &e, &err) < 0 && has(&err, "m.txt:7: path \"x\" is not absolute"),
	       "a relative path: %s", err.msg);
	TAP_OK(t, parse("/a/../b 0644 0 0", &e, &err) < 0 && has(&err, "\"..\""),
	       "a .. component: %s", err.msg);
	TAP_OK(t, parse("/a/./b 0644 0 0", &e, &err) < 0, "a . component: %s", err.msg);
	TAP_OK(t, parse("/a/..b 0644 0 0", &e, &err) == 1, "\"..b\" is a name: %s", err.msg);
	free(e.path);
	TAP_OK(t, parse("/a\"b 0644 0 0", &e, &err) < 0 && has(&err, "quote"),
	       "a quote in a path: %s", err.msg);
	TAP_OK(t, parse("/x 0648 0 0", &e, &err) < 0 && has(&err, "mode \"0648\""),
	       "mode with an 8: %s", err.msg);
	TAP_OK(t, parse("/x 10000 0 0", &e, &err) < 0 && has(&err, "at most 7777"),
	       "mode with type bits: %s", err.msg);
	TAP_OK(t, parse("/x 0777777777777777777 0 0", &e, &err) < 0, "a huge mode: %s", err.msg);
	TAP_OK(t, parse("/x -1 0 0", &e, &err) < 0, "mode -1: %s", err.msg);
	TAP_OK(t, parse("/x 0644 -1 0", &e, &err) < 0 && has(&err, "uid \"-1\""), "uid -1: %s",
	       err.msg);
	TAP_OK(t, parse("/x 0644 4294967295 0", &e, &err) < 0 && has(&err, "uid"),
	       "uid 2^32-1: %s", err.msg);
	TAP_OK(t, parse("/x 0644 0 99999999999999999999", &e, &err) < 0 && has(&err, "gid"),
	       "a huge gid: %s", err.msg);
	TAP_OK(t, parse("/x 0644 0x10 0", &e, &err) < 0, "a hex uid: %s", err.msg);
}

static void test_manifest_file(struct tap *t)
{
	struct manifest m = { 0 };
	struct uerr err = { 0 };
	FILE *f;

	f = fopen(in_dir("good.txt"), "w");
	fputs("# owners\n/ 0755 0 0\n\n/etc/shadow 0640 0 42\n/home/u 0700 1000 1000", f);
	fclose(f);
	TAP_OK(t, manifest_read(in_dir("good.txt"), &m, &err) == 0 && m.n == 3 &&
			  m.e[1].line == 4 && m.e[2].uid == 1000,
	       "a manifest of 3 entries, the last without a newline: %s", err.msg);
	manifest_free(&m);
	f = fopen(in_dir("bad.txt"), "w");
	fputs("/ 0755 0 0\n/etc 0755 0 0\n/etc/x 0755 zero 0\n", f);
	fclose(f);
	TAP_OK(t, manifest_read(in_dir("bad.txt"), &m, &err) < 0 && has(&err, "bad.txt:3: uid") &&
			  m.n == 0 && m.e == NULL,
	       "an error names FILE:LINE, and nothing is kept: %s", err.msg);
	f = fopen(in_dir("nul.txt"), "w");
	fwrite("/x 0644 0 0\n/y\0 0644 0 0\n", 1, 25, f);
	fclose(f);
	TAP_OK(t, manifest_read(in_dir("nul.txt"), &m, &err) < 0 && has(&err, "nul.txt:2: holds a NUL"),
	       "a NUL byte: %s", err.msg);
	TAP_OK(t, manifest_read(in_dir("none.txt"), &m, &err) < 0 && has(&err, "none.txt"),
	       "a missing manifest: %s", err.msg);
}

int main(void)
{
	struct tap t = { 0 };

	if (scratch_make("ext4") < 0) {
		TAP_OK(&t, 0, "mkdtemp %s: %s", scratch_dir, strerror(errno));
		return tap_done(&t);
	}
	test_superblocks(&t);
	test_not_images(&t);
	test_mke2fs(&t);
	test_manifest_lines(&t);
	test_manifest_file(&t);
	scratch_remove();
	return tap_done(&t);
}
