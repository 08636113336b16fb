/* launch.h: one sandbox from bundle to exit, as its monitor: boots it
 * (sandbox.h), keeps its state.json current, runs the create-time hooks and
 * the monitor loop (monitor.h). Used in the foreground by `run` and in the
 * detached monitor process by `create`. */
#ifndef UMLRUN_LAUNCH_H
#define UMLRUN_LAUNCH_H

#include <stdbool.h>

#include "error.h"
#include "sandbox.h"

struct launch_opts {
	struct sandbox_opts so;
	bool autostart;  /* start the process as soon as the guest is ready */
	bool keep_state; /* the state dir outlives the sandbox, for `delete` */
	int notify_fd;   /* gets DETACH_READY (detach.h) once the container is created; -1 */
	bool stdio;      /* relay the container's stdio to fds 0-2 */
	bool tty;        /* run -t: give the process a terminal */
	const char *console_socket; /* send the terminal's pty master there */
	bool logs;       /* detached service: output to STATE/container.log */
	long timeout_ms; /* run --timeout: > 0 kills the sandbox after it */
	const char *stats_file; /* run --stats: write the run's figures there */
};

/* Returns the exit code (the process's, 128+N for signal N), or -1 with
 * err. *created tells whether the container reached "created" (when it did
 * not, nothing of it is left). */
int launch(const struct launch_opts *o, bool *created, struct uerr *err);

#endif
