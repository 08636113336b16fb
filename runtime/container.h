/* container.h: a container's record in its state directory (state.json):
 * who its monitor is, its bundle, its status, and how to tell whether it
 * still runs. The monitor writes it; every other command reads it. */
#ifndef UMLRUN_CONTAINER_H
#define UMLRUN_CONTAINER_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "../spec/spec.h"
#include "error.h"

enum ctr_status { CS_CREATING, CS_CREATED, CS_RUNNING, CS_PAUSED, CS_STOPPED };

struct container {
	char *id;
	char *dir;     /* state directory */
	char *bundle;  /* absolute */
	char *rootfs;  /* absolute */
	char *created; /* RFC 3339, UTC */
	pid_t pid;     /* the monitor: what clients watch and signal */
	unsigned long long pid_start; /* its start time, against pid reuse */
	pid_t vm_pid;  /* the kernel process (the jail's init) */
	unsigned long long vm_start;
	enum ctr_status status; /* as recorded; see container_status() */
	bool has_exit;
	int exit_status; /* wait status of the container's process */
	struct spec_kv *annotations;
	size_t n_annotations;
};

/* Writes DIR/state.json atomically (write + rename). */
int container_save(const struct container *c, struct uerr *err);

/* Reads ROOT/ID/state.json. A missing container gives the error
 * `container "ID" does not exist`. */
int container_load(const char *root, const char *id, struct container *c, struct uerr *err);

void container_free(struct container *c);

/* The status a client should see: the recorded one, or stopped when the
 * monitor is gone. */
enum ctr_status container_status(const struct container *c);
const char *container_status_name(enum ctr_status s);

/* Prints the runtime-spec state JSON (what `umlrun state` prints). */
void container_print_state(FILE *f, const struct container *c);

/* The start time of a live (not zombie) process, 0 when it is gone. */
unsigned long long proc_start_time(pid_t pid);

/* True while the process that was started at `start` still runs. */
bool proc_alive(pid_t pid, unsigned long long start);

/* Waits until the process started at START is gone, at most MS; whether
 * it is. */
bool proc_wait_gone(pid_t pid, unsigned long long start, int ms);

/* The current time as RFC 3339 UTC with nanoseconds; malloc'ed. */
char *container_now(void);

#endif
