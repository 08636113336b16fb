/* rootmode.c: the guest's root filesystem mode and the image mode's COW
 * file (see rootmode.h). */
#define _GNU_SOURCE
#include "rootmode.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cow.h"
#include "ext4img.h"
#include "jail.h"

int rootmode_parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default:
		return -1;
	}
	if (*end == 'i' && shift) /* "64Mi" */
		end++;
	if (*end == 'B' && shift) /* "64MB", "64MiB" */
		end++;
	if (*end != '\0' || v > (UINT64_MAX >> shift))
		return -1;
	*bytes = (uint64_t)v << shift;
	return 0;
}

/* An annotation path is relative to the bundle directory. */
static char *bundle_path(const struct bundle *b, const char *p)
{
	char *s = NULL;

	if (p[0] == '/')
		return strdup(p);
	return asprintf(&s, "%s/%s", b->dir, p) < 0 ? NULL : s;
}

static int select_overlay(const struct bundle *b, struct rootmode *r, struct uerr *err)
{
	const char *on = spec_annotation(b->spec, ROOTMODE_OVERLAY_ANNOTATION);
	const char *size = spec_annotation(b->spec, ROOTMODE_OVERLAY_SIZE_ANNOTATION);

	if (on == NULL && size == NULL)
		return 0;
	if (on == NULL || strcmp(on, "false") == 0) {
		if (size != NULL)
			return uerr_set(err, 0, "annotation %s: needs %s=true",
					ROOTMODE_OVERLAY_SIZE_ANNOTATION, ROOTMODE_OVERLAY_ANNOTATION);
		return 0;
	}
	if (strcmp(on, "true") != 0)
		return uerr_set(err, 0, "annotation %s: \"%s\": want true or false",
				ROOTMODE_OVERLAY_ANNOTATION, on);
	if (b->image)
		return uerr_set(err, 0, "annotation %s: only for directory roots (%s is an image, which has its own COW file)",
				ROOTMODE_OVERLAY_ANNOTATION, b->rootfs);
	if (size != NULL && (rootmode_parse_size(size, &r->upper_bytes) < 0 ||
			     r->upper_bytes < 1024 * 1024))
		return uerr_set(err, 0, "annotation %s: \"%s\": want a size of at least 1M, like 64M or 1G",
				ROOTMODE_OVERLAY_SIZE_ANNOTATION, size);
	/* a read-only root needs no upper layer */
	r->kind = b->spec->root.readonly ? ROOT_HOSTFS : ROOT_OVERLAY;
	return 0;
}

int rootmode_select(const struct bundle *b, struct rootmode *r, struct uerr *err)
{
	const char *cow = spec_annotation(b->spec, ROOTMODE_COW_ANNOTATION);

	*r = (struct rootmode){ .kind = ROOT_HOSTFS };
	if (select_overlay(b, r, err) < 0)
		return -1;
	if (!b->image) {
		if (cow != NULL)
			return uerr_set(err, 0, "annotation %s: only for image roots (%s is a directory)",
					ROOTMODE_COW_ANNOTATION, b->rootfs);
		return 0;
	}
	if (ext4img_check(b->rootfs, err) < 0)
		return -1;
	r->kind = ROOT_IMAGE;
	r->image = b->rootfs;
	if (cow == NULL)
		return 0;
	if (cow[0] == '\0')
		return uerr_set(err, 0, "annotation %s: empty", ROOTMODE_COW_ANNOTATION);
	r->cow = bundle_path(b, cow);
	if (r->cow == NULL)
		return uerr_set(err, errno, "malloc");
	r->cow_kept = true;
	return 0;
}

int rootmode_encode(const struct rootmode *r, struct pbuf *config, struct uerr *err)
{
	uint8_t kind = (uint8_t)r->kind;

	if (r->kind == ROOT_HOSTFS)
		return 0;
	if (proto_tlv(config, T_ROOT_KIND, &kind, 1) < 0 ||
	    (r->upper_bytes && proto_tlv(config, T_ROOT_UPPER, &r->upper_bytes,
					 sizeof(r->upper_bytes)) < 0))
		return uerr_set(err, ENOMEM, "agent configuration");
	return 0;
}

/* A COW file the user kept: it must be a COW of this image, unchanged. The
 * kernel records the base by its path in the jail (JAIL_IMAGE) until the
 * sandbox ends; a sandbox whose monitor was killed leaves that. */
static int check_kept(const struct rootmode *r, struct uerr *err)
{
	autoclose int fd = -1;
	struct cow_info ci;

	fd = open(r->cow, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return uerr_set(err, errno, "annotation %s: %s", ROOTMODE_COW_ANNOTATION, r->cow);
	/* another sandbox's kernel holds it (as UML locks its disks) */
	if (cow_read_fd(fd, r->cow, &ci, err) < 0 || cow_lock(fd, true, r->cow, err) < 0)
		return -1;
	if (strcmp(ci.backing, r->image) != 0 && strcmp(ci.backing, JAIL_IMAGE) != 0)
		return uerr_set(err, 0, "COW file %s was made from %s, not from %s", r->cow,
				ci.backing, r->image);
	return cow_check_backing(&ci, r->image, err);
}

static int state_link(const char *state_dir, const char *name, const char *target,
		      struct uerr *err)
{
	autofree char *link = NULL;

	if (asprintf(&link, "%s/%s", state_dir, name) < 0)
		return uerr_set(err, errno, "asprintf");
	if (symlink(target, link) < 0)
		return uerr_set(err, errno, "symlink %s", link);
	return 0;
}

int rootmode_prepare(struct rootmode *r, const char *state_dir, bool chown_to, uid_t uid,
		     gid_t gid, struct uerr *err)
{
	struct stat st;

	if (r->kind != ROOT_IMAGE)
		return 0;
	if (r->cow_kept && lstat(r->cow, &st) == 0) {
		if (check_kept(r, err) < 0)
			return -1;
	} else if (r->cow_kept) {
		if (errno != ENOENT)
			return uerr_set(err, errno, "annotation %s: %s", ROOTMODE_COW_ANNOTATION,
					r->cow);
		if (cow_create(r->cow, r->image, err) < 0)
			return -1;
		r->cow_made = true;
	} else {
		if (asprintf(&r->cow, "%s/%s", state_dir, ROOTMODE_STATE_COW) < 0) {
			r->cow = NULL;
			return uerr_set(err, errno, "asprintf");
		}
		if (cow_create(r->cow, r->image, err) < 0)
			return -1;
		r->cow_made = true;
	}
	if ((r->cow_kept && state_link(state_dir, ROOTMODE_STATE_COW, r->cow, err) < 0) ||
	    state_link(state_dir, ROOTMODE_STATE_IMAGE, r->image, err) < 0)
		return -1;
	if (!chown_to)
		return 0;
	if (lstat(r->cow, &st) < 0)
		return uerr_set(err, errno, "%s", r->cow);
	if (lchown(r->cow, uid, gid) < 0)
		return uerr_set(err, errno, "chown %s", r->cow);
	r->cow_uid = st.st_uid;
	r->cow_gid = st.st_gid;
	r->cow_chowned = true;
	return 0;
}

void rootmode_release(struct rootmode *r)
{
	struct uerr ignored;

	if (r->kind == ROOT_IMAGE && r->cow != NULL && r->cow_made && !r->booted) {
		unlink(r->cow);
	} else if (r->kind == ROOT_IMAGE && r->cow != NULL) {
		/* the kernel saw the base at JAIL_IMAGE and wrote that down
		 * (cow_set_backing checks the header is a COW's first) */
		(void)cow_set_backing(r->cow, r->image, &ignored);
		if (r->cow_chowned && lchown(r->cow, r->cow_uid, r->cow_gid) < 0)
			fprintf(stderr, "umlrun: chown %s back to %u:%u: %s\n", r->cow,
				(unsigned)r->cow_uid, (unsigned)r->cow_gid, strerror(errno));
	}
	free(r->cow);
	r->cow = NULL;
}

int rootmode_check_log(const struct rootmode *r, const char *kernel_log, struct uerr *err)
{
	autofclose FILE *f = NULL;
	char line[512];
	int e = 0;

	if (r->kind != ROOT_IMAGE || (f = fopen(kernel_log, "re")) == NULL)
		return 0;
	/* the block layer's words for a failed request (blk-core.c) */
	while (e != ENOSPC && fgets(line, sizeof(line), f)) {
		if (strstr(line, "critical space allocation error, dev ubda"))
			e = ENOSPC;
		else if (strstr(line, "I/O error, dev ubda"))
			e = EIO;
	}
	if (e == 0)
		return 0;
	return uerr_set(err, e, "root image %s: the guest's writes to its COW file %s failed",
			r->image, r->cow);
}
