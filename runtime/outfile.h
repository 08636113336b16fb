/* outfile.h: a new file that appears whole or not at all: written as a
 * temporary file next to its destination (DEST.tmp-XXXXXX), then renamed
 * onto it. Until committed, the temporary file is removed on every path. */
#ifndef UMLRUN_OUTFILE_H
#define UMLRUN_OUTFILE_H

#include <stdbool.h>

#include "error.h"

struct outfile {
	char *dest; /* where it goes */
	char *path; /* the temporary file, NULL once committed or discarded */
	int fd;     /* open read-write on it */
};

/* Creates the temporary file for DEST, mode 0666 less the umask. */
int outfile_open(struct outfile *o, const char *dest, struct uerr *err);

/* Syncs the file and renames it onto DEST; with REPLACE an existing DEST
 * is replaced, else it is an error (checked atomically). */
int outfile_commit(struct outfile *o, bool replace, struct uerr *err);

/* Removes the temporary file if still there and frees O. */
void outfile_discard(struct outfile *o);

#define autooutfile __attribute__((cleanup(outfile_discard)))

#endif
