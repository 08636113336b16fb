/* scratch.h: a private temporary directory for a unit test, under $TMPDIR
 * (or /tmp): made by scratch_make, named by scratch_dir, paths in it from
 * in_dir, removed with everything in it by scratch_remove. */
#ifndef UMLRUN_TEST_SCRATCH_H
#define UMLRUN_TEST_SCRATCH_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char scratch_dir[64];

/* Makes the directory, named after the test. Returns -1 on failure. */
static int scratch_make(const char *test)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(scratch_dir, sizeof(scratch_dir), "%s/umlrun-%s-XXXXXX",
		 tmp && strlen(tmp) < 32 ? tmp : "/tmp", test);
	return mkdtemp(scratch_dir) ? 0 : -1;
}

/* scratch_dir/NAME, in one of 8 rotating buffers. */
static char *in_dir(const char *name)
{
	static char bufs[8][512];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", scratch_dir, name);
	return b;
}

static int scratch_rm(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void scratch_remove(void)
{
	nftw(scratch_dir, scratch_rm, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
