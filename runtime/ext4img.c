/* ext4img.c: is this file a whole ext2/3/4 image? (see ext4img.h). The
 * superblock is little-endian; the fields used: s_blocks_count_lo (0x04),
 * s_log_block_size (0x18), s_magic (0x38), s_feature_incompat (0x60),
 * s_blocks_count_hi (0x150, with INCOMPAT_64BIT). */
#define _GNU_SOURCE
#include "ext4img.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

#define SB_SIZE 1024
#define INCOMPAT_64BIT 0x80
#define MAX_LOG_BLOCK_SIZE 6 /* 64 KiB blocks */

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

int ext4img_check_sb(const uint8_t *sb, uint64_t file_size, const char *name,
		     uint64_t *fs_bytes, struct uerr *err)
{
	uint64_t blocks = le32(sb + 0x04);
	uint32_t log = le32(sb + 0x18);

	if ((uint16_t)(sb[0x38] | sb[0x39] << 8) != EXT4IMG_MAGIC)
		return uerr_set(err, 0, "%s is not an ext4 image (no ext2/3/4 superblock)", name);
	if (le32(sb + 0x60) & INCOMPAT_64BIT)
		blocks |= (uint64_t)le32(sb + 0x150) << 32;
	if (log > MAX_LOG_BLOCK_SIZE)
		return uerr_set(err, 0, "%s is not an ext4 image (its superblock says %u-byte blocks)",
				name, log < 32 ? 1024U << log : 0U);
	if (blocks == 0 || blocks > (UINT64_MAX >> (10 + log)))
		return uerr_set(err, 0, "%s is not an ext4 image (its superblock says %llu blocks)",
				name, (unsigned long long)blocks);
	*fs_bytes = blocks << (10 + log);
	if (file_size < *fs_bytes)
		return uerr_set(err, 0, "image %s is truncated: its ext4 superblock says %llu bytes, the file has %llu",
				name, (unsigned long long)*fs_bytes, (unsigned long long)file_size);
	return 0;
}

int ext4img_check(const char *path, struct uerr *err)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	uint8_t sb[SB_SIZE];
	uint64_t fs_bytes;
	struct stat st;
	size_t got = 0;

	if (fd < 0)
		return uerr_set(err, errno, "image %s", path);
	if (fstat(fd, &st) < 0)
		return uerr_set(err, errno, "image %s", path);
	if (!S_ISREG(st.st_mode))
		return uerr_set(err, 0, "image %s is not a regular file", path);
	while (got < sizeof(sb)) {
		ssize_t n = pread(fd, sb + got, sizeof(sb) - got, EXT4IMG_SB_OFFSET + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return uerr_set(err, errno, "image %s: read", path);
		if (n == 0)
			return uerr_set(err, 0, "%s is not an ext4 image (%lld bytes: too short for a superblock)",
					path, (long long)st.st_size);
		got += (size_t)n;
	}
	return ext4img_check_sb(sb, (uint64_t)st.st_size, path, &fs_bytes, err);
}
