/* state.h: the runtime's state directory: its root, one directory per sandbox. */
#ifndef UMLRUN_STATE_H
#define UMLRUN_STATE_H

#include "error.h"

/* The default root: /run/umlrun for root, $XDG_RUNTIME_DIR/umlrun otherwise
 * (falling back to /tmp/umlrun-UID). Returns a malloc'd string. */
char *state_default_root(void);

/* Checks an id like runc does: 1-1024 chars of [A-Za-z0-9_+.-], not "." or "..". */
int state_check_id(const char *id, struct uerr *err);

/* Creates ROOT (0700, parents as needed) and ROOT/ID exclusively.
 * Fails with a clear error when the id exists. *path gets ROOT/ID (malloc'd). */
int state_create(const char *root, const char *id, char **path, struct uerr *err);

/* Removes a sandbox directory and everything below it. */
int state_remove(const char *path, struct uerr *err);

#endif
