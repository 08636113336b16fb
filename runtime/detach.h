/* detach.h: handing work to a child that outlives the command (create's
 * monitor, exec --detach's session): the child reports one byte 'K' when
 * it is ready, or its error text, on a pipe; the command writes the pid
 * file clients wait on. */
#ifndef UMLRUN_DETACH_H
#define UMLRUN_DETACH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

#define DETACH_READY 'K'

/* Reads the child's report from fd (and closes it): true when it is ready;
 * otherwise msg (cap bytes) holds its error text, empty if it said nothing
 * (it died). */
bool detach_wait_ready(int fd, char *msg, size_t cap);

/* Writes PID to FILE atomically (a temporary file, then rename), as runc
 * does; errors name --pid-file. */
int detach_write_pid_file(const char *file, pid_t pid, struct uerr *err);

#endif
