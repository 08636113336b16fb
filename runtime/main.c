/* main.c: the umlrun command line: global options and command dispatch. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "config.h"
#include "check.h"
#include "cleanup.h"
#include "log.h"
#include "cmd_spec.h"
#include "commands.h"
#include "state.h"

static const char usage_main[] =
	"Usage: umlrun [GLOBAL OPTIONS] BUNDLE [COMMAND [ARG...]]\n"
	"       umlrun [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"Runs OCI bundles inside User Mode Linux guest kernels.\n"
	"\n"
	"The short form runs BUNDLE (a directory holding config.json) under a\n"
	"generated id, attached to the terminal; COMMAND replaces process.args.\n"
	"\n"
	"Commands:\n"
	"  run       create and start a container, and wait for it to exit\n"
	"  create    create a container (boot it and wait for start)\n"
	"  start     start the process of a created container\n"
	"  state     print a container's state JSON\n"
	"  list      list containers\n"
	"  ps        show a container's host processes\n"
	"  exec      run a new process in a running container\n"
	"  kill      send a signal to a container's process\n"
	"  pause     suspend a container\n"
	"  resume    resume a paused container\n"
	"  delete    delete a container\n"
	"  stop      stop a container: SIGTERM, then SIGKILL after a grace time\n"
	"  logs      print a detached container's output\n"
	"  attach    connect the terminal to a detached container\n"
	"  features  print the runtime-spec features document\n"
	"  spec      write a starter config.json\n"
	"  check     show which confinement layers this host provides\n"
	"  image     build an ext4 root image from a directory, or commit a COW\n"
	"            file's changes into an image:\n"
	"              image build [--size N] [--owner UID:GID] [--manifest FILE]\n"
	"                          [--force] DIR IMAGE\n"
	"              image commit ID|COWFILE NEWIMAGE\n"
	"              image commit --in-place ID|COWFILE\n"
	"\n"
	"Global options:\n"
	"  --root DIR           state directory (default /run/umlrun for root,\n"
	"                       $XDG_RUNTIME_DIR/umlrun otherwise)\n"
	"  --kernel PATH        UML kernel to boot (overrides vm.kernel.path)\n"
	"  --log FILE           also write errors to FILE\n"
	"  --log-format FORMAT  text (default) or json\n"
	"  --debug              print debug messages and the guest kernel log\n"
	"  --systemd-cgroup     accepted for compatibility; no effect\n"
	"  -h, --help           show this help\n"
	"  -v, --version        show the version\n";

enum { OPT_ROOT = 256, OPT_KERNEL, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD_CGROUP };

static int fail(const struct global_opts *g, const char *msg)
{
	log_error(&g->log, msg);
	return 1;
}

static int parse_global(int argc, char **argv, struct global_opts *g)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "debug", no_argument, NULL, OPT_DEBUG },
		{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+hv", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			g->root = optarg;
			break;
		case OPT_KERNEL:
			g->kernel = optarg;
			break;
		case OPT_LOG:
			g->log.file = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "json") == 0)
				g->log.json = true;
			else if (strcmp(optarg, "text") != 0)
				return fprintf(stderr, "umlrun: --log-format: \"%s\" is neither text nor json\n",
					       optarg), -1;
			break;
		case OPT_DEBUG:
			g->log.debug = true;
			break;
		case OPT_SYSTEMD_CGROUP:
			break;
		case 'h':
			fputs(usage_main, stdout);
			exit(0);
		case 'v':
			printf("umlrun version %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			fputs(usage_main, stderr);
			return -1;
		}
	}
	return optind;
}

static int cmd_check(const struct global_opts *g, int argc, char **argv)
{
	struct layer l[CHECK_MAX_LAYERS];
	int n;

	(void)g;
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs("Usage: umlrun check\n\nShows each confinement layer of the kernel process as\n"
		      "on or off on this host, with the reason.\n", stdout);
		return 0;
	}
	n = check_layers(l, CHECK_MAX_LAYERS);
	check_print(l, n);
	return 0;
}

static int cmd_spec(const struct global_opts *g, int argc, char **argv)
{
	struct uerr err = { 0 };
	int r = cmd_spec_main(argc, argv, &err);

	return r < 0 ? cmd_fail(g, &err) : r;
}

static const struct {
	const char *name;
	int (*fn)(const struct global_opts *, int, char **);
} commands[] = {
	{ "run", cmd_run },
	{ "create", cmd_create },
	{ "start", cmd_start },
	{ "state", cmd_state },
	{ "list", cmd_list },
	{ "ps", cmd_ps },
	{ "exec", cmd_exec },
	{ "kill", cmd_kill },
	{ "pause", cmd_pause },
	{ "resume", cmd_resume },
	{ "delete", cmd_delete },
	{ "stop", cmd_stop },
	{ "logs", cmd_logs },
	{ "attach", cmd_attach },
	{ "features", cmd_features },
	{ "check", cmd_check },
	{ "spec", cmd_spec },
	{ "image", cmd_image },
};

/* Makes sure fds 0-2 are open, so no file umlrun opens can land on them. */
static void ensure_stdio(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);

			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct global_opts g = { 0 };
	autofree char *root = NULL;
	struct stat st;
	int first;

	ensure_stdio();
	first = parse_global(argc, argv, &g);
	if (first < 0)
		return 1;
	if (first >= argc) {
		fputs(usage_main, stderr);
		return fail(&g, "no command or bundle given");
	}
	if (g.root == NULL) {
		root = state_default_root();
		if (root == NULL)
			return fail(&g, "out of memory");
		g.root = root;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[first], commands[i].name) == 0)
			return commands[i].fn(&g, argc - first, argv + first);
	if (strchr(argv[first], '/') != NULL || stat(argv[first], &st) == 0)
		return cmd_bundle(&g, argc - first, argv + first);
	fputs(usage_main, stderr);
	fprintf(stderr, "umlrun: \"%s\" is neither a command nor a bundle directory\n", argv[first]);
	return 1;
}
