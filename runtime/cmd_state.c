/* cmd_state.c: the commands that look at or act on an existing container
 * through its state.json and its monitor: state, list, kill, delete,
 * pause and resume. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "commands.h"
#include "container.h"
#include "ctlsock.h"
#include "hooks.h"
#include "jsonw.h"
#include "state.h"

#define KILL_WAIT_MS 10000

static void cleanup_container(struct container *c)
{
	container_free(c);
}
#define autocontainer __attribute__((cleanup(cleanup_container)))

static bool want_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return true;
		}
	}
	return false;
}

int cmd_state(const struct global_opts *g, int argc, char **argv)
{
	static const char usage[] = "Usage: umlrun state CONTAINER-ID\n\n"
				    "Prints the container's state as runtime-spec state JSON.\n";
	autocontainer struct container c = { 0 };
	struct uerr err = { 0 };

	if (want_help(argc, argv, usage))
		return 0;
	if (argc != 2)
		return cmd_usage_error(usage);
	if (container_load(g->root, argv[1], &c, &err) < 0)
		return cmd_fail(g, &err);
	container_print_state(stdout, &c);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char ***names)
{
	for (char **p = *names; p && *p; p++)
		free(*p);
	free(*names);
}

/* The ids under the state root, sorted; a missing root is an empty list. */
static int list_ids(const char *root, char ***out, struct uerr *err)
{
	autoclosedir DIR *d = opendir(root);
	__attribute__((cleanup(free_names))) char **names = calloc(1, sizeof(char *));
	struct dirent *de;
	size_t n = 0;

	if (names == NULL)
		return uerr_set(err, ENOMEM, "list");
	if (d == NULL && errno != ENOENT)
		return uerr_set(err, errno, "%s", root);
	while (d && (de = readdir(d)) != NULL) {
		char **grown;

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		grown = realloc(names, (n + 2) * sizeof(char *));
		if (grown == NULL)
			return uerr_set(err, ENOMEM, "list");
		names = grown;
		names[n] = strdup(de->d_name);
		if (names[n] == NULL)
			return uerr_set(err, ENOMEM, "list");
		names[++n] = NULL;
	}
	qsort(names, n, sizeof(char *), compare_names);
	*out = steal_ptr(names);
	return 0;
}

int cmd_list(const struct global_opts *g, int argc, char **argv)
{
	static const char usage[] =
		"Usage: umlrun list [OPTIONS]\n\nLists the containers under the state root.\n\n"
		"Options:\n"
		"  -f, --format FORMAT  table (default) or json\n"
		"  -q, --quiet          print only the container ids\n";
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	__attribute__((cleanup(free_names))) char **ids = NULL;
	struct uerr err = { 0 };
	bool json = false, quiet = false, first = true;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "table") != 0)
				return cmd_usage_error(usage);
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cmd_usage_error(usage);
		}
	}
	if (optind != argc)
		return cmd_usage_error(usage);
	if (list_ids(g->root, &ids, &err) < 0)
		return cmd_fail(g, &err);
	if (json)
		fputs("[", stdout);
	else if (!quiet)
		printf("%-24s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	for (char **id = ids; *id; id++) {
		autocontainer struct container ct = { 0 };
		struct uerr ignored;
		enum ctr_status s;

		if (container_load(g->root, *id, &ct, &ignored) < 0)
			continue; /* being created or deleted right now */
		s = container_status(&ct);
		if (quiet) {
			puts(ct.id);
		} else if (json) {
			fputs(first ? "" : ",", stdout);
			container_print_state(stdout, &ct);
		} else {
			printf("%-24s %-8d %-10s %-40s %-32s %s\n", ct.id,
			       s == CS_STOPPED ? 0 : (int)ct.pid, container_status_name(s),
			       ct.bundle, ct.created, "");
		}
		first = false;
	}
	if (json)
		fputs("]\n", stdout);
	return 0;
}

/* "KILL", "SIGKILL", "kill" or "9" to a signal number; -1 if unknown. */
static int parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {
		{ "HUP", SIGHUP },     { "INT", SIGINT },   { "QUIT", SIGQUIT },   { "ILL", SIGILL },
		{ "TRAP", SIGTRAP },   { "ABRT", SIGABRT }, { "IOT", SIGIOT },     { "BUS", SIGBUS },
		{ "FPE", SIGFPE },     { "KILL", SIGKILL }, { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
		{ "USR2", SIGUSR2 },   { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },   { "TERM", SIGTERM },
		{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
		{ "TSTP", SIGTSTP },   { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },   { "URG", SIGURG },
		{ "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
		{ "WINCH", SIGWINCH }, { "IO", SIGIO },     { "PWR", SIGPWR },     { "SYS", SIGSYS },
	};
	char *end;
	long n;

	if (isdigit((unsigned char)s[0])) {
		n = strtol(s, &end, 10);
		return (*end == '\0' && n > 0 && n < NSIG) ? (int)n : -1;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].sig;
	return -1;
}

/* SIGKILL ends the sandbox however wedged the guest is: the monitor kills
 * the kernel process itself; if the monitor cannot be reached, it is
 * killed, and its kernel process dies with it (PR_SET_PDEATHSIG). */
static int kill_container(const struct container *c, int sig, bool all, struct uerr *err)
{
	if (ctl_call(c->dir, c->id, CTL_KILL, sig, all ? CTL_KILL_ALL : 0, err) == 0)
		return 0;
	if (sig != SIGKILL)
		return -1;
	if (proc_alive(c->pid, c->pid_start) && kill(c->pid, SIGKILL) < 0 && errno != ESRCH)
		return uerr_set(err, errno, "kill monitor %d", (int)c->pid);
	return 0;
}

int cmd_kill(const struct global_opts *g, int argc, char **argv)
{
	static const char usage[] =
		"Usage: umlrun kill [OPTIONS] CONTAINER-ID [SIGNAL]\n\n"
		"Sends SIGNAL (default SIGTERM; a name like KILL or SIGKILL, or a number)\n"
		"to the container's process. SIGKILL always ends the container.\n\n"
		"Options:\n"
		"  -a, --all            signal every process in the container\n"
		"  -s, --signal SIGNAL  the signal, instead of the positional one\n";
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "signal", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	autocontainer struct container c = { 0 };
	struct uerr err = { 0 };
	const char *signame = NULL;
	bool all = false;
	int opt, sig;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+as:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			all = true;
			break;
		case 's':
			signame = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cmd_usage_error(usage);
		}
	}
	if (argc - optind < 1 || argc - optind > 2 || (signame && argc - optind == 2))
		return cmd_usage_error(usage);
	if (argc - optind == 2)
		signame = argv[optind + 1];
	sig = signame ? parse_signal(signame) : SIGTERM;
	if (sig < 0) {
		uerr_set(&err, 0, "kill: unknown signal \"%s\"", signame);
		return cmd_fail(g, &err);
	}
	if (container_load(g->root, argv[optind], &c, &err) < 0)
		return cmd_fail(g, &err);
	if (container_status(&c) == CS_STOPPED) {
		uerr_set(&err, 0, "container \"%s\" is not running", c.id);
		return cmd_fail(g, &err);
	}
	return kill_container(&c, sig, all, &err) < 0 ? cmd_fail(g, &err) : 0;
}

int cmd_delete(const struct global_opts *g, int argc, char **argv)
{
	static const char usage[] =
		"Usage: umlrun delete [OPTIONS] CONTAINER-ID\n\n"
		"Deletes a stopped (or created) container and everything it left.\n\n"
		"Options:\n"
		"  -f, --force  kill a running container first\n";
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	autocontainer struct container c = { 0 };
	autofree char *dir = NULL;
	struct uerr err = { 0 };
	bool force = false;
	enum ctr_status s;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			force = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cmd_usage_error(usage);
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(usage);
	if (container_load(g->root, argv[optind], &c, &err) < 0) {
		/* a create that died early may have left a directory without
		 * state.json: remove it, as runc does */
		if (state_check_id(argv[optind], &(struct uerr){ 0 }) == 0 &&
		    asprintf(&dir, "%s/%s", g->root, argv[optind]) >= 0 && access(dir, F_OK) == 0 &&
		    force)
			return state_remove(dir, &err) < 0 ? cmd_fail(g, &err) : 0;
		return force ? 0 : cmd_fail(g, &err);
	}
	s = container_status(&c);
	if ((s == CS_RUNNING || s == CS_PAUSED) && !force) {
		uerr_set(&err, 0, "cannot delete container \"%s\" that is not stopped: %s", c.id,
			 container_status_name(s));
		return cmd_fail(g, &err);
	}
	if (s != CS_STOPPED && kill_container(&c, SIGKILL, true, &err) < 0)
		return cmd_fail(g, &err);
	if (!proc_wait_gone(c.pid, c.pid_start, KILL_WAIT_MS) && kill(c.pid, SIGKILL) == 0)
		proc_wait_gone(c.pid, c.pid_start, KILL_WAIT_MS);
	/* the kernel process dies with its monitor; wait for that too */
	proc_wait_gone(c.vm_pid, c.vm_start, KILL_WAIT_MS);
	if (state_remove(c.dir, &err) < 0)
		return cmd_fail(g, &err);
	hooks_run_logged(&c, SPEC_HOOK_POSTSTOP, CS_STOPPED, &g->log);
	return 0;
}

static int pause_resume(const struct global_opts *g, int argc, char **argv, bool pause)
{
	autocontainer struct container c = { 0 };
	struct uerr err = { 0 };
	char usage[128];
	enum ctr_status s;

	snprintf(usage, sizeof(usage), "Usage: umlrun %s CONTAINER-ID\n\n%s the container.\n",
		 argv[0], pause ? "Suspends every process of" : "Resumes");
	if (want_help(argc, argv, usage))
		return 0;
	if (argc != 2)
		return cmd_usage_error(usage);
	if (container_load(g->root, argv[1], &c, &err) < 0)
		return cmd_fail(g, &err);
	s = container_status(&c);
	if (s != (pause ? CS_RUNNING : CS_PAUSED)) {
		uerr_set(&err, 0, "container \"%s\" is %s, not %s", c.id, container_status_name(s),
			 pause ? "running" : "paused");
		return cmd_fail(g, &err);
	}
	if (ctl_call(c.dir, c.id, pause ? CTL_PAUSE : CTL_RESUME, 0, 0, &err) < 0)
		return cmd_fail(g, &err);
	return 0;
}

int cmd_pause(const struct global_opts *g, int argc, char **argv)
{
	return pause_resume(g, argc, argv, true);
}

int cmd_resume(const struct global_opts *g, int argc, char **argv)
{
	return pause_resume(g, argc, argv, false);
}
