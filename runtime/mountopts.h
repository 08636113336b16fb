/* mountopts.h: config.json mount options ("ro", "nosuid", "mode=755"...)
 * split with libmount into mount(2) flags, propagation flags and the
 * filesystem's data string, on the host, so the static guest agent gets
 * them ready to use. */
#ifndef UMLRUN_MOUNTOPTS_H
#define UMLRUN_MOUNTOPTS_H

#include <stdbool.h>

#include "error.h"

struct mountopts {
	unsigned long flags;	   /* MS_* for mount(2), without bind/remount/propagation */
	unsigned long propagation; /* MS_PRIVATE|MS_SHARED|MS_SLAVE|MS_UNBINDABLE, | MS_REC */
	bool bind;		   /* "bind" or "rbind" was given */
	char *data;		   /* filesystem options joined by ",", or NULL */
};

/* Parses the NULL-terminated options (may be NULL). Userspace-only options
 * (x-*, defaults, nofail...) and the OCI runtimes' own extensions
 * (tmpcopyup, idmap...) are dropped. `at` names the JSON path in errors.
 * Free with mountopts_free(). */
int mountopts_parse(char *const *options, const char *at, struct mountopts *out, struct uerr *err);
void mountopts_free(struct mountopts *o);

#endif
