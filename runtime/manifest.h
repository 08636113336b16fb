/* manifest.h: an image manifest (`umlrun image build --manifest FILE`):
 * owners and modes to set on paths of a new image, one "PATH MODE UID GID"
 * line each (MODE octal permission bits, at most 7777; PATH absolute inside
 * the image); blank lines and lines starting with # are skipped. */
#ifndef UMLRUN_MANIFEST_H
#define UMLRUN_MANIFEST_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct manifest_entry {
	char *path;
	mode_t mode; /* permission bits only */
	uid_t uid;
	gid_t gid;
	unsigned line;
};

struct manifest {
	struct manifest_entry *e;
	size_t n;
};

/* Parses FILE strictly: errors are "FILE:LINE: what is wrong". */
int manifest_read(const char *file, struct manifest *m, struct uerr *err);

/* Parses one line (no newline) into E; LINE and FILE are for messages.
 * Returns 1 for an entry, 0 for a blank or comment line, -1 on error. */
int manifest_parse_line(const char *file, unsigned line, const char *text,
			struct manifest_entry *e, struct uerr *err);

void manifest_free(struct manifest *m);

#endif
