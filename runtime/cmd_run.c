/* cmd_run.c: the commands that bring a container up: `run` (and the short
 * form `umlrun BUNDLE`), `create` (which forks the detached monitor) and
 * `start`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "commands.h"
#include "container.h"
#include "binds.h"
#include "ctlsock.h"
#include "detach.h"
#include "hooks.h"
#include "launch.h"
#include "net.h"
#include "state.h"

static const char usage_run[] =
	"Usage: umlrun run [OPTIONS] CONTAINER-ID\n"
	"\n"
	"Creates and starts a container from a bundle, attached to umlrun's\n"
	"stdin, stdout and stderr, and exits with the workload's exit code\n"
	"(128+N when it was killed by signal N). The container is deleted when\n"
	"it exits.\n"
	"\n"
	"Options:\n"
	"  -b, --bundle DIR    bundle directory (default: the current directory)\n"
	"  -d, --detach        create and start the container, then return\n"
	"  -t, --tty           give the process a terminal (process.terminal)\n"
	"  -v, --volume SRC:DST[:ro]  bind the host path SRC at DST (repeatable)\n"
	"      --timeout DURATION  kill the sandbox DURATION after start (5s, 2m,\n"
	"                      1h, 500ms; plain seconds) and exit 124\n"
	"      --stats FILE    write the run's figures to FILE as JSON\n"
	"  -p, --publish [ADDR:]HOST:GUEST[/udp]  forward a host port to the guest\n"
	"                      (network mode slirp; repeatable)\n"
	"      --pid-file FILE write the monitor's pid to FILE\n"
	"      --console-socket SOCKET  send the terminal's pty master to SOCKET\n"
	"      --no-pivot      accepted for compatibility; no effect\n"
	"      --no-new-keyring  accepted for compatibility; no effect\n"
	"  -h, --help          show this help\n";

static const char usage_create[] =
	"Usage: umlrun create [OPTIONS] CONTAINER-ID\n"
	"\n"
	"Creates a container: starts its monitor process, boots the guest and\n"
	"mounts its root, and returns once the container waits for `start`.\n"
	"The monitor keeps umlrun's stdin, stdout and stderr for the workload.\n"
	"\n"
	"Options:\n"
	"  -b, --bundle DIR    bundle directory (default: the current directory)\n"
	"      --pid-file FILE write the monitor's pid to FILE\n"
	"      --console-socket SOCKET  send the terminal's pty master to SOCKET\n"
	"      --no-pivot      accepted for compatibility; no effect\n"
	"      --no-new-keyring  accepted for compatibility; no effect\n"
	"  -h, --help          show this help\n";

enum { OPT_PID_FILE = 256, OPT_CONSOLE_SOCKET, OPT_NO_PIVOT, OPT_NO_NEW_KEYRING, OPT_TIMEOUT,
       OPT_STATS,
       OPT_PRESERVE_FDS };

struct up_opts {
	const char *bundle;
	const char *pid_file;
	const char *id;
	const char *console_socket;
	bool detach;
	bool tty;
	long timeout_ms;
	const char *stats;
	char *volumes[BINDS_MAX + 1]; /* -v values, NULL-terminated */
	size_t n_volumes;
	char *ports[NET_MAX_PORTS + 1]; /* -p values (run only), NULL-terminated */
	size_t n_ports;
};

static int create_detached(const struct global_opts *g, const struct up_opts *u);
static int start_container(const struct global_opts *g, const char *id);

int cmd_fail(const struct global_opts *g, const struct uerr *err)
{
	log_error(&g->log, err->msg);
	return 1;
}

int cmd_usage_error(const char *usage)
{
	fputs(usage, stderr);
	return 1;
}

/* "1.5s", "500ms", "2m", "1h", "30" (seconds) to milliseconds, > 0. */
static int parse_duration(const char *s, long *ms)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = { { "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 }, { "h", 3600000 } };
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) == 0 && v * units[i].scale < 1e12) {
			*ms = (long)(v * units[i].scale);
			return *ms > 0 ? 0 : -1;
		}
	}
	return -1;
}

static int parse_up(int argc, char **argv, const char *usage, bool allow_detach,
		    struct up_opts *u)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "detach", no_argument, NULL, 'd' },
		{ "tty", no_argument, NULL, 't' },
		{ "volume", required_argument, NULL, 'v' },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "stats", required_argument, NULL, OPT_STATS },
		{ "publish", required_argument, NULL, 'p' },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
		{ "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*u = (struct up_opts){ .bundle = "." };
	optind = 1;
	while ((c = getopt_long(argc, argv, allow_detach ? "+b:dp:tv:h" : "+b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			u->bundle = optarg;
			break;
		case 'd':
			if (!allow_detach)
				goto bad;
			u->detach = true;
			break;
		case 'p': /* run only, like -d; net.c checks the value */
			if (!allow_detach)
				goto bad;
			if (u->n_ports == NET_MAX_PORTS) {
				fprintf(stderr, "umlrun %s: more than %d -p options\n", argv[0],
					NET_MAX_PORTS);
				return -1;
			}
			u->ports[u->n_ports++] = optarg;
			break;
		case OPT_PID_FILE:
			u->pid_file = optarg;
			break;
		case 't':
			if (!allow_detach)
				goto bad;
			u->tty = true;
			break;
		case 'v':
			if (!allow_detach)
				goto bad;
			if (u->n_volumes == BINDS_MAX) {
				fprintf(stderr, "umlrun %s: more than %d -v options\n", argv[0],
					BINDS_MAX);
				return -1;
			}
			u->volumes[u->n_volumes++] = optarg;
			break;
		case OPT_CONSOLE_SOCKET:
			u->console_socket = optarg;
			break;
		case OPT_TIMEOUT:
			if (!allow_detach || parse_duration(optarg, &u->timeout_ms) < 0) {
				fprintf(stderr, "umlrun %s: --timeout %s: expected a duration such as "
						"30s, 5m, 1h or 500ms\n", argv[0], optarg);
				return -1;
			}
			break;
		case OPT_STATS:
			if (!allow_detach)
				goto bad;
			u->stats = optarg;
			break;
		case OPT_NO_PIVOT:
		case OPT_NO_NEW_KEYRING:
		case OPT_PRESERVE_FDS:
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "umlrun %s: exactly one CONTAINER-ID is required\n", argv[0]);
		goto bad;
	}
	u->id = argv[optind];
	return 1;
bad:
	fputs(usage, stderr);
	return -1;
}


int cmd_run(const struct global_opts *g, int argc, char **argv)
{
	struct launch_opts o = { .so = { .root = g->root, .kernel = g->kernel, .log = &g->log,
					 .listen = true },
				 .autostart = true, .notify_fd = -1, .stdio = true };
	struct uerr err = { 0 };
	struct up_opts u;
	bool created;
	int r = parse_up(argc, argv, usage_run, true, &u);

	if (r <= 0)
		return r < 0 ? 1 : 0;
	if (u.detach) {
		r = create_detached(g, &u);
		return r != 0 ? r : start_container(g, u.id);
	}
	o.so.bundle = u.bundle;
	o.so.id = u.id;
	o.tty = u.tty;
	o.console_socket = u.console_socket;
	o.timeout_ms = u.timeout_ms;
	o.stats_file = u.stats;
	o.so.ports = u.ports;
	o.so.volumes = u.volumes;
	if (u.pid_file && detach_write_pid_file(u.pid_file, getpid(), &err) < 0)
		return cmd_fail(g, &err);
	r = launch(&o, &created, &err);
	return r < 0 ? cmd_fail(g, &err) : r;
}

int cmd_bundle(const struct global_opts *g, int argc, char **argv)
{
	struct launch_opts o = { .so = { .root = g->root, .bundle = argv[0], .args = argv + 1,
					 .kernel = g->kernel, .log = &g->log, .listen = true },
				 .autostart = true, .notify_fd = -1, .stdio = true };
	struct uerr err = { 0 };
	bool created;
	int r;

	/* umlrun BUNDLE -t [COMMAND...] */
	if (argc > 1 && (strcmp(argv[1], "-t") == 0 || strcmp(argv[1], "--tty") == 0)) {
		o.tty = true;
		o.so.args = argv + 2;
	}
	r = launch(&o, &created, &err);
	return r < 0 ? cmd_fail(g, &err) : r;
}

/* The detached monitor: a new session, the sandbox, and its exit code as
 * the process's. Its parent learns "created" (DETACH_READY on notify) or the
 * error (the message, once everything is cleaned up). */
static _Noreturn void monitor_main(const struct global_opts *g, const struct up_opts *u,
				   int notify)
{
	struct launch_opts o = { .so = { .root = g->root, .bundle = u->bundle, .id = u->id,
					 .kernel = g->kernel, .log = &g->log, .listen = true,
					 .ports = u->ports, .volumes = u->volumes },
				 .keep_state = true, .notify_fd = notify, .stdio = true,
				 .tty = u->tty, .console_socket = u->console_socket,
				 /* run -d: a service, whose output goes to its log */
				 .logs = u->detach && u->console_socket == NULL,
				 .timeout_ms = u->timeout_ms };
	struct uerr err = { 0 };
	bool created;
	int r;

	setsid();
	if (o.logs) { /* a service keeps nothing of its caller's stdio */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			close(null);
		}
	}
	r = launch(&o, &created, &err);
	if (!created) {
		/* nothing is left of the container now: hand the error over */
		(void)!write(notify, err.msg, strnlen(err.msg, sizeof(err.msg)));
		_exit(1);
	}
	if (r < 0)
		log_error(&g->log, err.msg);
	_exit(r < 0 ? 1 : r);
}

/* Forks the monitor and waits until the container is created or failed. */
static int create_detached(const struct global_opts *g, const struct up_opts *u)
{
	struct uerr err = { 0 };
	int p[2];
	char buf[sizeof(err.msg)];
	pid_t pid;

	if (state_check_id(u->id, &err) < 0)
		return cmd_fail(g, &err);
	if (pipe2(p, O_CLOEXEC) < 0) {
		uerr_set(&err, errno, "pipe");
		return cmd_fail(g, &err);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		uerr_set(&err, errno, "fork");
		close(p[0]);
		close(p[1]);
		return cmd_fail(g, &err);
	}
	if (pid == 0) {
		close(p[0]);
		monitor_main(g, u, p[1]);
	}
	close(p[1]);
	if (detach_wait_ready(p[0], buf, sizeof(buf))) {
		if (u->pid_file && detach_write_pid_file(u->pid_file, pid, &err) < 0) {
			kill(pid, SIGKILL);
			return cmd_fail(g, &err);
		}
		return 0;
	}
	waitpid(pid, NULL, 0);
	if (buf[0] == '\0')
		snprintf(buf, sizeof(buf), "create %s: the monitor process died", u->id);
	uerr_set(&err, 0, "%s", buf);
	return cmd_fail(g, &err);
}

int cmd_create(const struct global_opts *g, int argc, char **argv)
{
	struct up_opts u;
	int r = parse_up(argc, argv, usage_create, false, &u);

	if (r <= 0)
		return r < 0 ? 1 : 0;
	return create_detached(g, &u);
}

/* startContainer hooks, the release of the process, poststart hooks. */
static int start_hooks_and_release(const struct global_opts *g, const struct container *c,
				   struct uerr *err)
{
	autofree char *path = NULL;
	struct spec *s = NULL;
	int r;

	if (asprintf(&path, "%s/config.json", c->bundle) < 0)
		return uerr_set(err, ENOMEM, "start");
	if (spec_load(path, &s, err) < 0)
		return -1;
	r = hooks_run(s, SPEC_HOOK_START_CONTAINER, c, CS_CREATED, err);
	spec_free(s);
	if (r < 0)
		return -1;
	if (ctl_call(c->dir, c->id, CTL_START, 0, 0, err) < 0)
		return -1;
	hooks_run_logged(c, SPEC_HOOK_POSTSTART, CS_RUNNING, &g->log);
	return 0;
}

static int start_container(const struct global_opts *g, const char *id)
{
	struct uerr err = { 0 };
	struct container c;
	enum ctr_status s;
	int r;

	if (container_load(g->root, id, &c, &err) < 0)
		return cmd_fail(g, &err);
	s = container_status(&c);
	if (s != CS_CREATED) {
		uerr_set(&err, 0, "cannot start a container that is %s", container_status_name(s));
		container_free(&c);
		return cmd_fail(g, &err);
	}
	r = start_hooks_and_release(g, &c, &err);
	container_free(&c);
	return r < 0 ? cmd_fail(g, &err) : 0;
}

int cmd_start(const struct global_opts *g, int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs("Usage: umlrun start CONTAINER-ID\n\nStarts the process of a created "
		      "container.\n", stdout);
		return 0;
	}
	if (argc != 2) {
		fputs("Usage: umlrun start CONTAINER-ID\n", stderr);
		return 1;
	}
	return start_container(g, argv[1]);
}
