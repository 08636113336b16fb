/* check.h: `umlrun check`: which confinement layers this host gives. */
#ifndef UMLRUN_CHECK_H
#define UMLRUN_CHECK_H

#include <stdbool.h>

#include "error.h"

/* Names accepted by the run.umlrun.require annotation. */
#define CHECK_LAYERS "namespaces, landlock"

struct layer {
	const char *name;
	bool on;
	char detail[512];
};

#define CHECK_MAX_LAYERS 8

/* Probes each layer (forking short-lived children where a probe needs one).
 * Returns the number of layers filled in. */
int check_layers(struct layer *out, int max);

/* Prints them as a table: name, on/off, detail. */
void check_print(const struct layer *l, int n);

/* Validates a run.umlrun.require value ("landlock,seccomp"); fills the
 * flags. Errors name the unknown layer. */
int check_parse_require(const char *value, bool *namespaces, bool *landlock, struct uerr *err);

/* The opt-in to run the kernel process without namespaces where the host
 * refuses them: without them it runs as the caller's own uid, beside the
 * caller's named unix sockets (D-Bus, ssh-agent...), which Landlock up to
 * ABI 7 cannot fence off. Off unless the annotation or the environment
 * variable lists "namespaces". */
#define CHECK_ALLOW_ANNOTATION "run.umlrun.allow-degraded"
#define CHECK_ALLOW_ENV "UMLRUN_ALLOW_DEGRADED"
int check_parse_allow(const char *annotation, const char *env, bool *unconfined,
		      struct uerr *err);

#endif
