/* testknob.h: UMLRUN_TEST_DISABLE, a switch of test builds only
 * (configure --enable-test-knobs defines UMLRUN_TEST_KNOBS). It makes the
 * kernel process's spawn behave as if a confinement layer were unavailable
 * on the host, so that the escape tests can run in the degraded
 * configurations a real host may impose (see tests/run). A comma list:
 *   namespaces  the clone into new namespaces fails with EPERM, as on a host
 *               that refuses unprivileged user namespaces (vm.c);
 *   landlock    the Landlock ABI probe says unavailable (landlock.c);
 *   seccomp     no seccomp filter is loaded (vm.c).
 * Every use is inside #ifdef UMLRUN_TEST_KNOBS: production builds contain
 * neither the variable's name nor any of this. */
#ifndef UMLRUN_TESTKNOB_H
#define UMLRUN_TESTKNOB_H

#include "config.h"

#ifdef UMLRUN_TEST_KNOBS
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define TESTKNOB_VAR "UMLRUN_TEST_DISABLE"
#define TESTKNOB_REASON "disabled by " TESTKNOB_VAR " (test build)"
#define TESTKNOB_LAYERS "namespaces, landlock, seccomp"

/* Whether the comma list's item p[0..len) is `name`. */
static inline bool testknob_item_is(const char *p, size_t len, const char *name)
{
	return strlen(name) == len && strncmp(p, name, len) == 0;
}

/* Whether `layer` is listed. No allocation: safe between fork and exec. */
static inline bool testknob_disabled(const char *layer)
{
	const char *p = getenv(TESTKNOB_VAR);

	for (size_t len = 0; p != NULL && *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (testknob_item_is(p, len, layer))
			return true;
	}
	return false;
}

/* A misspelt layer must not silently leave the layer on. */
static inline int testknob_check(struct uerr *err)
{
	const char *p = getenv(TESTKNOB_VAR);

	for (size_t len = 0; p != NULL && *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (!testknob_item_is(p, len, "namespaces") && !testknob_item_is(p, len, "landlock") &&
		    !testknob_item_is(p, len, "seccomp"))
			return uerr_set(err, 0, TESTKNOB_VAR "=%s: unknown layer \"%.*s\" (known: %s)",
					getenv(TESTKNOB_VAR), (int)len, p, TESTKNOB_LAYERS);
	}
	return 0;
}
#endif

#endif
