/* logfile.h: a detached container's output log in its state directory
 * (STATE/container.log), with a size cap: past the cap the file is rotated
 * to container.log.1 (one generation kept), so a chatty service uses at
 * most twice the cap. `umlrun logs` reads both. */
#ifndef UMLRUN_LOGFILE_H
#define UMLRUN_LOGFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

#define LOGFILE_NAME "container.log"
#define LOGFILE_OLD "container.log.1"
#define LOGFILE_CAP (8u * 1024 * 1024)

struct logfile {
	int dirfd;  /* the state directory */
	int fd;     /* container.log, O_APPEND */
	off_t size;
	off_t cap;
};

int logfile_open(struct logfile *l, const char *dir, off_t cap, struct uerr *err);
/* Appends; rotates past the cap. Errors (a full disk) drop the bytes. */
void logfile_write(struct logfile *l, const void *buf, size_t n);
void logfile_close(struct logfile *l);

#endif
