/* check.c: probes of the confinement layers for `umlrun check`, and the
 * run.umlrun.require annotation's syntax. A test build reports the layers
 * UMLRUN_TEST_DISABLE turns off as off (testknob.h). */
#define _GNU_SOURCE
#include "check.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "jail.h"
#include "landlock.h"
#include "testknob.h"

/* Tries the kernel process's namespaces in a child; returns 0 or an errno. */
static int probe_namespaces(bool userns)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return errno;
	if (pid == 0) {
		int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID |
			    (userns ? CLONE_NEWUSER : 0);

		_exit(unshare(flags) < 0 ? (errno & 0xff) : 0);
	}
	if (waitpid(pid, &st, 0) < 0)
		return errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : EINVAL;
}

int check_layers(struct layer *l, int max)
{
	bool root = geteuid() == 0;
	struct ll_status ll;
	int n = 0, e;

	if (max < 6)
		return 0;
	l[n] = (struct layer){ "unprivileged-kernel", true, "" };
	if (root)
		snprintf(l[n].detail, sizeof(l[n].detail),
			 "invoked as root: the kernel runs as uid/gid %u + sandbox number",
			 JAIL_ROOT_ID_BASE);
	else
		snprintf(l[n].detail, sizeof(l[n].detail), "the kernel runs as uid %u",
			 (unsigned)geteuid());
	n++;
	e = probe_namespaces(!root);
	l[n] = (struct layer){ "namespaces", e == 0, "" };
	snprintf(l[n].detail, sizeof(l[n].detail), "%s%s", root ? "" : "user, ",
		 e == 0 ? "mount, pid, ipc, uts, net; pivot_root into a staging view"
			: strerror(e));
	if (e != 0 && !root)
		snprintf(l[n].detail, sizeof(l[n].detail),
			 "unprivileged namespaces refused (%s): sandboxes refuse to start unless "
			 CHECK_ALLOW_ENV "=namespaces", strerror(e));
#ifdef UMLRUN_TEST_KNOBS
	if (testknob_disabled("namespaces"))
		l[n] = (struct layer){ "namespaces", false, TESTKNOB_REASON };
#endif
	n++;
	landlock_probe(&ll);
	l[n] = (struct layer){ "landlock", ll.abi > 0, "" };
	snprintf(l[n].detail, sizeof(l[n].detail), "ABI %d: filesystem %s, TCP %s, scoping %s%s%s",
		 ll.abi, ll.fs ? "on" : "off", ll.net ? "denied" : "off",
		 ll.scoped ? "on" : "off", ll.reason[0] ? "; " : "", ll.reason);
	n++;
	l[n++] = (struct layer){ "seccomp", true,
				 "allow-list on the kernel process (libseccomp); exec only via its fd" };
#ifdef UMLRUN_TEST_KNOBS
	if (testknob_disabled("seccomp"))
		l[n - 1] = (struct layer){ "seccomp", false, TESTKNOB_REASON };
#endif
	l[n++] = (struct layer){ "capabilities", true, "all dropped; no_new_privs" };
	l[n++] = (struct layer){ "rlimits", true, "no core dumps" };
	return n;
}

void check_print(const struct layer *l, int n)
{
	printf("%-20s %-4s %s\n", "LAYER", "", "DETAIL");
	for (int i = 0; i < n; i++)
		printf("%-20s %-4s %s\n", l[i].name, l[i].on ? "on" : "off", l[i].detail);
}

int check_parse_require(const char *value, bool *ns, bool *ll, struct uerr *err)
{
	autofree char *copy = strdup(value);
	char *save = NULL;

	if (copy == NULL)
		return uerr_set(err, errno, "strdup");
	*ns = *ll = false;
	for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (strcmp(t, "namespaces") == 0)
			*ns = true;
		else if (strcmp(t, "landlock") == 0)
			*ll = true;
		else
			return uerr_set(err, 0,
					"config.json: annotations.run.umlrun.require: unknown layer \"%s\" (known: %s)",
					t, CHECK_LAYERS);
	}
	return 0;
}

int check_parse_allow(const char *annotation, const char *env, bool *unconfined,
		      struct uerr *err)
{
	const char *const values[] = { annotation, env };
	const char *const names[] = { "config.json: annotations." CHECK_ALLOW_ANNOTATION,
				      "$" CHECK_ALLOW_ENV };

	*unconfined = false;
	for (size_t i = 0; i < 2; i++) {
		autofree char *copy = values[i] ? strdup(values[i]) : NULL;
		char *save = NULL;

		if (values[i] && copy == NULL)
			return uerr_set(err, errno, "strdup");
		for (char *t = copy ? strtok_r(copy, ", ", &save) : NULL; t;
		     t = strtok_r(NULL, ", ", &save)) {
			if (strcmp(t, "namespaces") != 0)
				return uerr_set(err, 0, "%s: \"%s\" cannot be allowed to degrade (only: namespaces)",
						names[i], t);
			*unconfined = true;
		}
	}
	return 0;
}
