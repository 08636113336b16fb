/* cmd_service.c: commands for long-running (detached) containers: `logs`
 * (the capped output log), `stop` (SIGTERM, then SIGKILL after a grace
 * time) and `attach` (the process's input and output, until a detach
 * key sequence). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "commands.h"
#include "container.h"
#include "ctlsock.h"
#include "logfile.h"
#include "monitor.h"
#include "tty.h"

#define DETACH_1 0x10 /* Ctrl-P */
#define DETACH_2 0x11 /* Ctrl-Q */

/* Copies fd from its current offset to stdout; returns the new offset. */
static off_t copy_out(int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
	fflush(stdout);
	return lseek(fd, 0, SEEK_CUR);
}

static int open_in(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

int cmd_logs(const struct global_opts *g, int argc, char **argv)
{
	static const char usage[] =
		"Usage: umlrun logs [-f] CONTAINER-ID\n\n"
		"Prints the output of a detached container (run -d), kept in its state\n"
		"directory with a size cap.\n\n"
		"Options:\n"
		"  -f, --follow  keep printing new output until the container stops\n";
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct container c;
	struct uerr err = { 0 };
	autoclose int old = -1, cur = -1;
	bool follow = false;
	struct stat st, now;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		if (opt == 'f')
			follow = true;
		else if (opt == 'h')
			return fputs(usage, stdout), 0;
		else
			return cmd_usage_error(usage);
	}
	if (argc - optind != 1)
		return cmd_usage_error(usage);
	if (container_load(g->root, argv[optind], &c, &err) < 0)
		return cmd_fail(g, &err);
	old = open_in(c.dir, LOGFILE_OLD);
	cur = open_in(c.dir, LOGFILE_NAME);
	if (cur < 0) {
		uerr_set(&err, 0, "container \"%s\" has no log (only run -d keeps one)", c.id);
		container_free(&c);
		return cmd_fail(g, &err);
	}
	if (old >= 0)
		copy_out(old);
	copy_out(cur);
	while (follow) {
		bool stopped = container_status(&c) == CS_STOPPED;

		copy_out(cur);
		/* rotated: the old file is complete; go on with the new one */
		if (fstat(cur, &st) == 0 && (old = open_in(c.dir, LOGFILE_NAME)) >= 0 &&
		    fstat(old, &now) == 0 && now.st_ino != st.st_ino) {
			copy_out(cur);
			close(cur);
			cur = steal_fd(old);
			continue;
		}
		cleanup_closep(&old);
		if (stopped)
			break;
		usleep(100000);
	}
	container_free(&c);
	return 0;
}

int cmd_stop(const struct global_opts *g, int argc, char **argv)
{
	static const char usage[] =
		"Usage: umlrun stop [-t N] CONTAINER-ID\n\n"
		"Stops a container: SIGTERM to its process, then SIGKILL if it still runs\n"
		"after N seconds (default 10). The container stays, stopped, until delete.\n\n"
		"Options:\n"
		"  -t, --time N  seconds to wait before SIGKILL\n";
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct container c;
	struct uerr err = { 0 };
	long grace = 10;
	char *end;
	int opt, r = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+t:h", opts, NULL)) != -1) {
		if (opt == 't') {
			grace = strtol(optarg, &end, 10);
			if (*end || grace < 0 || grace > 86400)
				return cmd_usage_error(usage);
		} else if (opt == 'h') {
			return fputs(usage, stdout), 0;
		} else {
			return cmd_usage_error(usage);
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(usage);
	if (container_load(g->root, argv[optind], &c, &err) < 0)
		return cmd_fail(g, &err);
	if (container_status(&c) != CS_STOPPED &&
	    ctl_call(c.dir, c.id, CTL_KILL, SIGTERM, 0, &err) < 0 && container_status(&c) != CS_STOPPED)
		r = -1;
	for (long i = 0; r == 0 && i < grace * 10 && container_status(&c) != CS_STOPPED; i++)
		usleep(100000);
	if (r == 0 && container_status(&c) != CS_STOPPED) {
		if (ctl_call(c.dir, c.id, CTL_KILL, SIGKILL, 0, &err) < 0 &&
		    proc_alive(c.pid, c.pid_start))
			kill(c.pid, SIGKILL);
		for (int i = 0; i < 100 && container_status(&c) != CS_STOPPED; i++)
			usleep(100000);
	}
	container_free(&c);
	return r < 0 ? cmd_fail(g, &err) : 0;
}

/* Forwards stdin to the container, minus the detach sequence Ctrl-P
 * Ctrl-Q; returns 1 when it was typed, 0 at EOF, -1 on error. */
static int forward_input(int sock, bool *held)
{
	char in[4096], out[4096 + 1];
	ssize_t n = read(STDIN_FILENO, in, sizeof(in));
	size_t m = 0;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 2 : -1;
	if (n == 0)
		return 0;
	for (ssize_t i = 0; i < n; i++) {
		if (*held) {
			*held = false;
			if (in[i] == DETACH_2)
				return 1;
			out[m++] = DETACH_1;
		}
		if (in[i] == DETACH_1)
			*held = true;
		else
			out[m++] = in[i];
	}
	if (m > 0 && ctl_send(sock, CTL_INPUT, 0, 0, out, m, NULL, 0) < 0)
		return -1;
	return 2;
}

int cmd_attach(const struct global_opts *g, int argc, char **argv)
{
	static const char usage[] =
		"Usage: umlrun attach CONTAINER-ID\n\n"
		"Connects the terminal to a running detached container's process: its\n"
		"output appears, and what is typed is its input. Ctrl-P Ctrl-Q detaches\n"
		"and leaves the container running. Exits with the process's exit code\n"
		"when it ends while attached.\n";
	__attribute__((cleanup(tty_restore))) struct host_tty tty = HOST_TTY_INIT;
	const int out_fd = STDOUT_FILENO;
	autoclose int sock = -1, sigfd = -1;
	struct container c;
	struct uerr err = { 0 };
	struct ctl_msg h;
	char msg[600];
	bool held = false, in_open = true;
	sigset_t set;
	int r;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		return fputs(usage, stdout), 0;
	if (argc != 2)
		return cmd_usage_error(usage);
	if (container_load(g->root, argv[1], &c, &err) < 0)
		return cmd_fail(g, &err);
	sock = ctl_connect(c.dir, c.id, &err);
	container_free(&c);
	if (sock < 0)
		return cmd_fail(g, &err);
	if (ctl_send(sock, CTL_ATTACH, 0, 0, NULL, 0, &out_fd, 1) < 0 ||
	    (r = ctl_recv(sock, &h, msg, sizeof(msg) - 1, NULL, NULL)) <= 0)
		return cmd_fail(g, &(struct uerr){ errno, "attach: the container's monitor is gone" });
	if (h.op == CTL_ERR) {
		msg[h.len] = '\0';
		uerr_set(&err, 0, "%s", msg);
		return cmd_fail(g, &err);
	}
	if (isatty(STDIN_FILENO) && tty_make_raw(STDIN_FILENO, &tty, &err) < 0)
		return cmd_fail(g, &err);
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	ctl_send_resize(sock, tty.size_fd);
	for (;;) {
		struct pollfd p[3] = { { .fd = sock, .events = POLLIN },
				       { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
				       { .fd = sigfd, .events = POLLIN } };
		struct signalfd_siginfo si;

		if (poll(p, 3, -1) < 0 && errno != EINTR)
			return cmd_fail(g, &(struct uerr){ errno, "poll" });
		if (p[2].revents && read(sigfd, &si, sizeof(si)) > 0)
			ctl_send_resize(sock, tty.size_fd);
		if (p[1].revents) {
			r = forward_input(sock, &held);
			if (r == 1)
				return 0; /* detached */
			if (r <= 0)
				in_open = false;
		}
		if (!p[0].revents)
			continue;
		r = ctl_recv(sock, &h, msg, sizeof(msg) - 1, NULL, NULL);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r > 0 && h.op == CTL_EXIT)
			return h.arg < 0 ? 1 : monitor_exit_code(h.arg);
		return r == 0 ? 0 : cmd_fail(g, &(struct uerr){ 0, "attach: unexpected reply" });
	}
}
