/* ctlsock.h: the control socket of a container's monitor (STATE/ctl.sock,
 * SOCK_SEQPACKET, in a 0700 directory). Clients (`start`, `kill`, `exec`,
 * `pause`, `resume`) send one request per connection; `exec` also passes
 * its stdin, stdout and stderr with SCM_RIGHTS and keeps the connection
 * open for signals and the exit status. */
#ifndef UMLRUN_CTLSOCK_H
#define UMLRUN_CTLSOCK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define CTL_SOCK_NAME "ctl.sock"
#define CTL_MAX_PAYLOAD (192u * 1024)

enum ctl_op {
	CTL_START = 1,  /* release the container's process */
	CTL_KILL = 2,   /* arg: signal; flags: CTL_KILL_ALL */
	CTL_EXEC = 3,   /* payload: P_EXEC TLV list; 3 fds attached */
	CTL_SIGNAL = 4, /* on an exec connection: arg: signal for that process */
	CTL_PAUSE = 5,
	CTL_RESUME = 6,
	CTL_RESIZE = 7, /* on an exec or attach connection: arg: rows << 16 | cols */
	CTL_ATTACH = 8, /* 1 fd attached: it gets the process's output from now on */
	CTL_INPUT = 9,  /* on an attach connection: payload: bytes for its stdin */
	/* replies */
	CTL_OK = 100,
	CTL_ERR = 101,     /* payload: message */
	CTL_STARTED = 102, /* arg: guest pid */
	CTL_EXIT = 103,    /* arg: wait status */
};

#define CTL_KILL_ALL 0x1

struct ctl_msg {
	uint32_t op;
	int32_t arg;
	uint32_t flags;
	uint32_t len; /* payload bytes that follow */
};

/* Sends one message, with up to 3 fds when fds != NULL. */
int ctl_send(int sock, uint32_t op, int32_t arg, uint32_t flags, const void *payload, size_t len,
	     const int *fds, size_t n_fds);

/* Receives one message: its payload into payload[0..cap), fds passed with
 * it into fds[0..*n_fds) (at most 3; with fds == NULL they are closed).
 * Returns 1 with a message, 0 at EOF, -1 on error (errno set; EAGAIN when
 * non-blocking and empty; EBADMSG for a malformed message). */
int ctl_recv(int sock, struct ctl_msg *hdr, void *payload, size_t cap, int *fds, size_t *n_fds);

/* Sends CTL_RESIZE with the window size of the terminal on tty_fd (nothing
 * when it has none). */
int ctl_send_resize(int sock, int tty_fd);

/* CTL_RESIZE's arg back to rows and cols. */
static inline void ctl_resize_decode(int32_t arg, uint16_t ws[2])
{
	ws[0] = (uint16_t)((uint32_t)arg >> 16);
	ws[1] = (uint16_t)arg;
}

/* Connects to DIR/ctl.sock of a container. */
int ctl_connect(const char *state_dir, const char *id, struct uerr *err);

/* Sends a request and waits for CTL_OK or CTL_ERR; an error reply fills
 * err with the monitor's message. */
int ctl_call(const char *state_dir, const char *id, uint32_t op, int32_t arg, uint32_t flags,
	     struct uerr *err);

/* Binds and listens on DIR/ctl.sock (non-blocking, close-on-exec). */
int ctl_listen(const char *state_dir, struct uerr *err);

#endif
