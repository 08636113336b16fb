/* mconsole.h: a client for UML's management console (the guest kernel's
 * mconsole socket, UMLDIR/UMID/mconsole), used for pause (stop) and resume
 * (go). */
#ifndef UMLRUN_MCONSOLE_H
#define UMLRUN_MCONSOLE_H

#include "error.h"

/* Sends one command and waits (up to timeout_ms) for its final reply.
 * `sock_rel` is the kernel's mconsole socket, relative to the cwd; it lives
 * in a directory the (hostile) kernel controls, so it is opened without
 * following any symlink, and must be a socket. Our reply socket is bound in
 * `reply_dir`, relative to the cwd: the kernel answers that address,
 * resolved in its own view, so the kernel's cwd must show the same
 * directory at the same relative path, and must not be able to change it.
 * `reply` (cap bytes) gets the reply text. A command the kernel refuses is
 * an error with its reply as the message. */
int mconsole_cmd(const char *sock_rel, const char *reply_dir, const char *cmd, char *reply,
		 size_t cap, int timeout_ms, struct uerr *err);

#endif
