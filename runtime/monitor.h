/* monitor.h: the life of one sandbox after its kernel process started: the
 * agent handshake, the container process and `exec` processes with their
 * stdio relays, signal forwarding, the control socket (start, kill, exec,
 * pause, resume) and the exit status. `umlrun run` runs it in the
 * foreground; `umlrun create` runs it in a detached monitor process. */
#ifndef UMLRUN_MONITOR_H
#define UMLRUN_MONITOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "container.h"
#include "logfile.h"
#include "error.h"
#include "proto.h"

struct monitor {
	int ctl;              /* host end of the guest line */
	pid_t vm;             /* UML kernel process */
	int sigfd;            /* signalfd: SIGCHLD + monitor_forwarded_signals */
	int listen_fd;        /* control socket, -1 for none */
	int in_fd;            /* the container process's stdin, -1 for none */
	int out_fd;           /* ... its stdout */
	int err_fd;           /* ... its stderr */
	int winsize_fd;       /* a terminal whose size the process's follows (on
			       * SIGWINCH), -1 for none */
	struct logfile *log;  /* detached: the process's output goes here */
	long timeout_ms;      /* > 0: kill the sandbox this long after start */
	struct proto_usage *usage; /* filled when the guest reports it; may be NULL */
	bool *usage_known;
	const struct pbuf *config; /* P_CONFIG payload (TLV list) */
	int boot_timeout_ms;  /* for HELLO and READY */
	bool autostart;       /* start the process as soon as the guest is ready */
	const char *mconsole; /* kernel's mconsole socket, relative to the cwd */
	const char *mconsole_reply_dir; /* see mconsole.h */
	/* The guest is ready and waits for start; a negative return (with err
	 * set) ends the sandbox. May be NULL. */
	int (*on_ready)(void *arg, struct uerr *err);
	/* The status changed (running, paused, stopped; exit is the wait
	 * status when stopped, -1 when unknown). May be NULL. */
	void (*on_status)(void *arg, enum ctr_status s, int exit);
	void *arg;
};

/* The exit code after --timeout, as timeout(1). */
#define MONITOR_TIMEOUT_EXIT 124

/* Runs the sandbox to its end. Returns the exit code (the container
 * process's, 128+N for signal N, MONITOR_TIMEOUT_EXIT after the timeout),
 * or -1 with err when the sandbox failed.
 * The kernel process has exited or been killed when this returns. */
int monitor_run(const struct monitor *m, struct uerr *err);

/* The signals the monitor forwards to the container process. */
extern const int monitor_forwarded_signals[];

/* Exit code for a wait status: the code, or 128+N for signal N. */
int monitor_exit_code(int status);

#endif
