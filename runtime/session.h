/* session.h: the host side of one guest session: the agent handshake, the
 * workload's stdio relay, signal forwarding and the exit status. */
#ifndef UMLRUN_SESSION_H
#define UMLRUN_SESSION_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "proto.h"

struct session {
	int ctl;              /* host end of the control socketpair */
	pid_t vm;             /* UML kernel process */
	int sigfd;            /* signalfd: SIGCHLD + the signals to forward */
	int in_fd;            /* workload stdin source, -1 for none */
	int out_fd;           /* workload stdout sink */
	int err_fd;           /* workload stderr sink */
	const struct pbuf *config; /* P_CONFIG payload (TLV list) */
	int boot_timeout_ms;  /* for HELLO and READY */
};

/* Runs the session to its end. Returns the exit code umlrun should exit
 * with (the workload's, 128+N for signal N), or -1 with err when the
 * sandbox failed (the guest kernel died, the agent reported an error, ...).
 * The UML process has exited or been killed when this returns. */
int session_run(const struct session *s, struct uerr *err);

/* The signals umlrun forwards to the workload. */
extern const int session_forwarded_signals[];

#endif
