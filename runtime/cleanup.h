/* cleanup.h: __attribute__((cleanup)) helpers, so error paths need no gotos. */
#ifndef UMLRUN_CLEANUP_H
#define UMLRUN_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

/* Closes *fd if open and marks it closed, so it can also end an fd early. */
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
		*fd = -1;
	}
}

static inline void cleanup_fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}

static inline void cleanup_closedirp(DIR **d)
{
	if (*d != NULL)
		closedir(*d);
}

#define autofree __attribute__((cleanup(cleanup_freep)))
#define autoclose __attribute__((cleanup(cleanup_closep)))
#define autofclose __attribute__((cleanup(cleanup_fclosep)))
#define autoclosedir __attribute__((cleanup(cleanup_closedirp)))

/* Hands ownership out of an auto-cleaned variable. */
#define steal_ptr(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define steal_fd(fd) ({ int _fd = (fd); (fd) = -1; _fd; })

#endif
