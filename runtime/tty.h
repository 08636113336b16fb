/* tty.h: the host side of a container process's terminal. The guest has
 * the real pty (the agent's); on the host, the process's stdio is either
 * the caller's terminal, switched to raw mode and restored afterwards, or
 * the slave of a new host pty whose master goes to a --console-socket
 * (the runc protocol, used by conmon). Either way the guest follows the
 * host terminal's window size. */
#ifndef UMLRUN_TTY_H
#define UMLRUN_TTY_H

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

#include "error.h"

struct host_tty {
	int fd;           /* the container's stdin/stdout on the host, -1: none */
	int size_fd;      /* whose window size the guest follows, -1: none */
	int owned;        /* a pty slave we opened (console socket), -1 */
	int saved_fd;     /* a terminal switched to raw mode, -1 */
	struct termios saved;
};

#define HOST_TTY_INIT { .fd = -1, .size_fd = -1, .owned = -1, .saved_fd = -1 }

/* Opens a host pty, sends its master over the unix socket at PATH with
 * SCM_RIGHTS (as runc does) and keeps the slave, in raw mode, as t->fd.
 * With ctty, the slave becomes the caller's controlling terminal (the
 * caller must be a session leader without one), so that SIGWINCH tells it
 * about resizes. */
int tty_console_socket(const char *path, bool ctty, struct host_tty *t, struct uerr *err);

/* Switches the terminal on fd to raw mode; tty_restore() undoes it. */
int tty_make_raw(int fd, struct host_tty *t, struct uerr *err);

/* Restores the saved terminal settings and closes what t owns. */
void tty_restore(struct host_tty *t);

/* The window size of the terminal on fd: true when it has one. */
bool tty_size(int fd, uint16_t *rows, uint16_t *cols);

#endif
