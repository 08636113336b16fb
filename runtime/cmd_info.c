/* cmd_info.c: read-only reports: `ps` (the host processes of a container)
 * and `features` (the runtime-spec features document). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "cleanup.h"
#include "commands.h"
#include "config.h"
#include "container.h"
#include "jsonw.h"

#define MAX_PIDS 4096

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	autofclose FILE *f = NULL;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (f == NULL || fgets(buf, sizeof(buf), f) == NULL)
		return 0;
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

/* The monitor and all its descendants. */
static size_t sandbox_pids(pid_t monitor, pid_t *out, size_t max)
{
	size_t n = 0, before;

	out[n++] = monitor;
	do {
		autoclosedir DIR *d = opendir("/proc");
		struct dirent *de;

		before = n;
		while (d && (de = readdir(d)) != NULL && n < max) {
			pid_t pid = (pid_t)atoi(de->d_name), pp;
			bool known = false;

			if (pid <= 0)
				continue;
			for (size_t i = 0; i < n && !known; i++)
				known = out[i] == pid;
			if (known)
				continue;
			pp = parent_of(pid);
			for (size_t i = 0; i < n; i++)
				if (out[i] == pp) {
					out[n++] = pid;
					break;
				}
		}
	} while (n != before && n < max);
	return n;
}

int cmd_ps(const struct global_opts *g, int argc, char **argv)
{
	static const char usage[] =
		"Usage: umlrun ps [OPTIONS] CONTAINER-ID [PS-OPTIONS]\n\n"
		"Shows the host processes of a container: its monitor, kernel\n"
		"process and the kernel's helper processes.\n\n"
		"Options:\n"
		"  -f, --format FORMAT  table (default, through ps(1)) or json (pids)\n";
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct container c;
	struct uerr err = { 0 };
	pid_t pids[MAX_PIDS];
	bool json = false;
	size_t n = 0;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			json = strcmp(optarg, "json") == 0;
			if (!json && strcmp(optarg, "table") != 0)
				goto usage;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			goto usage;
		}
	}
	if (argc - optind < 1)
		goto usage;
	if (container_load(g->root, argv[optind], &c, &err) < 0)
		return cmd_fail(g, &err);
	if (container_status(&c) != CS_STOPPED)
		n = sandbox_pids(c.pid, pids, MAX_PIDS);
	container_free(&c);
	if (json) {
		fputs("[", stdout);
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		fputs("]\n", stdout);
		return 0;
	} else {
		/* ps -p PID,PID... with the caller's ps options (default -f) */
		size_t extra = (size_t)(argc - optind - 1);
		autofree char **args = calloc(extra + 5, sizeof(char *));
		autofree char *list = NULL;
		size_t k = 0, len = 0;
		pid_t child;
		int st;

		list = calloc(n + 1, 12);
		if (args == NULL || list == NULL)
			return cmd_fail(g, &(struct uerr){ ENOMEM, "out of memory" });
		for (size_t i = 0; i < n; i++)
			len += (size_t)sprintf(list + len, "%s%d", i ? "," : "", (int)pids[i]);
		args[k++] = "ps";
		if (extra == 0)
			args[k++] = "-f";
		for (size_t i = 0; i < extra; i++)
			args[k++] = argv[optind + 1 + i];
		args[k++] = "-p";
		args[k++] = n ? list : "0";
		fflush(stdout);
		child = fork();
		if (child == 0) {
			execvp("ps", args);
			_exit(127);
		}
		if (child < 0 || waitpid(child, &st, 0) < 0)
			return cmd_fail(g, &(struct uerr){ errno, "ps: cannot run ps(1)" });
		return 0;
	}
usage:
	fputs(usage, stderr);
	return 1;
}

static void str_array(const char *const *v)
{
	fputs("[", stdout);
	for (size_t i = 0; v[i]; i++) {
		fputs(i ? ", " : "", stdout);
		jsonw_str(stdout, v[i]);
	}
	fputs("]", stdout);
}

int cmd_features(const struct global_opts *g, int argc, char **argv)
{
	static const char *const hooks[] = { "prestart", "createRuntime", "createContainer",
					     "startContainer", "poststart", "poststop", NULL };
	static const char *const mount_opts[] = { "bind", "rbind", "ro", "rw", "nosuid", "suid",
						  "nodev", "dev", "noexec", "exec", NULL };
	static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid",
						  "user", "uts", NULL };
	struct layer l[CHECK_MAX_LAYERS];
	int n;

	(void)g;
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs("Usage: umlrun features\n\nPrints the runtime-spec features document.\n",
		      stdout);
		return 0;
	}
	n = check_layers(l, CHECK_MAX_LAYERS);
	fputs("{\n  \"ociVersionMin\": \"1.0.0\",\n  \"ociVersionMax\": \"1.2.0\",\n  \"hooks\": ",
	      stdout);
	str_array(hooks);
	fputs(",\n  \"mountOptions\": ", stdout);
	str_array(mount_opts);
	fputs(",\n  \"linux\": {\n    \"namespaces\": ", stdout);
	str_array(namespaces);
	fputs(",\n    \"cgroup\": { \"v1\": false, \"v2\": false, \"systemd\": false, "
	      "\"systemdUser\": false },\n"
	      "    \"apparmor\": { \"enabled\": false },\n"
	      "    \"selinux\": { \"enabled\": false }\n  },\n  \"annotations\": {\n"
	      "    \"run.umlrun.version\": \"" PACKAGE_VERSION "\",\n"
	      "    \"run.umlrun.require\": \"" CHECK_LAYERS "\"",
	      stdout);
	for (int i = 0; i < n; i++) {
		char key[96], val[600];

		snprintf(key, sizeof(key), "run.umlrun.layer.%s", l[i].name);
		snprintf(val, sizeof(val), "%s%s%s", l[i].on ? "on" : "off",
			 l[i].detail[0] ? ": " : "", l[i].detail);
		fputs(",\n    ", stdout);
		jsonw_str(stdout, key);
		fputs(": ", stdout);
		jsonw_str(stdout, val);
	}
	fputs("\n  }\n}\n", stdout);
	return 0;
}
