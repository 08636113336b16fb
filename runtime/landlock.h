/* landlock.h: confining the host-side UML kernel process with Landlock
 * (filesystem rules, TCP bind/connect denial, abstract unix socket and
 * signal scoping), degrading with the Landlock ABI the host kernel offers. */
#ifndef UMLRUN_LANDLOCK_H
#define UMLRUN_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum { LL_READ = 1, LL_WRITE = 2, LL_EXEC = 4 };

struct ll_rule {
	const char *path; /* a file or a directory (beneath) */
	unsigned access;  /* LL_* bits */
};

struct ll_status {
	int abi;	  /* 0: unavailable */
	bool fs;	  /* filesystem rules enforced */
	bool net;	  /* TCP bind/connect denied */
	bool scoped;	  /* abstract unix sockets and signals scoped */
	char reason[160]; /* why something is off, e.g. "Landlock ABI 3: no network rules" */
};

/* Fills st with what landlock_confine() would enforce here, without confining.
 * Landlock not built in (ENOSYS) or disabled at boot (EOPNOTSUPP) is not an
 * error: abi is 0 and reason says why. Any other failure of the version query
 * returns -1 with errno set (and reason naming it). */
int landlock_probe(struct ll_status *st);

/* Confines the calling thread (and its future children) to `rules`:
 * every filesystem access right the ABI knows is handled; LL_READ grants
 * read_file/read_dir, LL_WRITE grants write_file, truncate, make_* (reg, dir,
 * sock, fifo, sym), remove_*, refer, LL_EXEC grants execute; ioctl_dev is
 * granted with LL_READ|LL_WRITE (both) on paths that are char devices or dirs.
 * Rights that do not apply to a non-directory path are masked off for it.
 * make_char and make_block are handled and never granted.
 * TCP bind and connect are denied (no net rules) when ABI >= 4; abstract unix
 * sockets and signals are scoped when ABI >= 6. Sets PR_SET_NO_NEW_PRIVS.
 * Call it before creating threads: other threads stay unconfined.
 * If `required` is true, an unavailable Landlock is an error; otherwise st
 * says so and 0 is returned without confining. Rule paths are checked (a
 * missing one is an error naming it) whether or not Landlock is available.
 * st may be NULL. Returns 0, or -1 with err set. */
int landlock_confine(const struct ll_rule *rules, size_t n, bool required, struct ll_status *st,
		     struct uerr *err);

#endif
