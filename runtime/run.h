/* run.h: `umlrun run` / `umlrun BUNDLE`: one sandbox from bundle to exit code. */
#ifndef UMLRUN_RUN_H
#define UMLRUN_RUN_H

#include <stdbool.h>

#include "error.h"
#include "log.h"

struct run_opts {
	const char *root;      /* state root */
	const char *bundle;    /* bundle directory */
	const char *id;        /* NULL: generated from the bundle's name */
	char *const *args;     /* replaces process.args when non-empty */
	const char *kernel;    /* --kernel, or NULL */
	const struct log_ctx *log;
};

/* Returns the exit code to exit with (the workload's; 128+N when it was
 * killed by signal N), or -1 with err when the sandbox could not run. */
int run_bundle(const struct run_opts *o, struct uerr *err);

#endif
