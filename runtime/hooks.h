/* hooks.h: OCI lifecycle hooks. They run on the host (the guest has its
 * own kernel and no host binaries), with the container's state JSON on
 * stdin, in the order the runtime-spec gives: prestart, createRuntime and
 * createContainer during create; startContainer during start, before the
 * process is released; poststart after it; poststop at delete. */
#ifndef UMLRUN_HOOKS_H
#define UMLRUN_HOOKS_H

#include "../spec/spec.h"
#include "container.h"
#include "error.h"
#include "log.h"

/* Runs the hooks of `kind` in order with c's state (status `status`). The
 * first failure (non-zero exit, signal, timeout, exec failure) stops them
 * and fills err with the hook, the reason and its output. */
int hooks_run(const struct spec *s, enum spec_hook_kind kind, const struct container *c,
	      enum ctr_status status, struct uerr *err);

/* prestart, createRuntime, createContainer (status "creating"). */
int hooks_run_create(const struct spec *s, const struct container *c, struct uerr *err);

/* Runs `kind` from the bundle's config.json; failures are logged as
 * warnings, as the runtime-spec asks for poststart and poststop. */
void hooks_run_logged(const struct container *c, enum spec_hook_kind kind, enum ctr_status status,
		      const struct log_ctx *log);

#endif
