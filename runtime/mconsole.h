/* mconsole.h: a client for UML's management console (the guest kernel's
 * mconsole socket, UMLDIR/UMID/mconsole), used for pause (stop) and resume
 * (go). */
#ifndef UMLRUN_MCONSOLE_H
#define UMLRUN_MCONSOLE_H

#include "error.h"

/* Sends one command and waits (up to timeout_ms) for its final reply.
 * `sock_rel` is the mconsole socket's path relative to the caller's cwd
 * and to the kernel process's cwd, which must agree: the kernel answers
 * the address our socket is bound to, resolved in its own view. `reply`
 * (cap bytes) gets the reply text. A command the kernel refuses is an
 * error with its reply as the message. */
int mconsole_cmd(const char *sock_rel, const char *cmd, char *reply, size_t cap, int timeout_ms,
		 struct uerr *err);

#endif
