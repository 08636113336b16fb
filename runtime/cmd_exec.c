/* cmd_exec.c: `umlrun exec`: runs one more process in a running container.
 * The process is described by the container's config.json process with
 * the command line's changes, or by --process FILE. umlrun's stdin, stdout
 * and stderr are handed to the monitor, which relays them to the guest
 * process; this command forwards signals and exits with its exit code. */
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
#include <unistd.h>

#include "agentcfg.h"
#include "cleanup.h"
#include "commands.h"
#include "container.h"
#include "ctlsock.h"
#include "detach.h"
#include "monitor.h"
#include "tty.h"

static const char usage[] =
	"Usage: umlrun exec [OPTIONS] CONTAINER-ID [COMMAND [ARG...]]\n"
	"\n"
	"Runs a new process in a running container, attached to umlrun's stdin,\n"
	"stdout and stderr, and exits with its exit code (128+N for signal N).\n"
	"\n"
	"Options:\n"
	"  -p, --process FILE       the process as runtime-spec process JSON\n"
	"  -d, --detach             return once the process started\n"
	"      --pid-file FILE      write the pid to wait for to FILE\n"
	"  -e, --env KEY=VALUE      add or replace an environment variable\n"
	"      --cwd DIR            working directory in the container\n"
	"  -u, --user UID[:GID]     user and group to run as\n"
	"  -g, --additional-gids GID  add a supplementary group\n"
	"  -t, --tty                give the process a terminal\n"
	"      --console-socket SOCKET  with --tty: send its pty master to SOCKET\n"
	"      --preserve-fds N     accepted for compatibility; no effect\n"
	"      --no-new-privs, --cap CAP, --process-label L, --apparmor P\n"
	"                           accepted for compatibility; no effect\n"
	"  -h, --help               show this help\n";

enum { OPT_PID_FILE = 256, OPT_CWD, OPT_CONSOLE_SOCKET, OPT_PRESERVE_FDS, OPT_NO_NEW_PRIVS,
       OPT_CAP, OPT_LABEL };

#define MAX_OVERRIDES 256

struct exec_opts {
	const char *id;
	const char *process;
	const char *pid_file;
	const char *cwd;
	const char *user;
	char *env[MAX_OVERRIDES];
	size_t n_env;
	uint32_t gids[MAX_OVERRIDES];
	size_t n_gids;
	bool detach;
	bool tty;
	const char *console_socket;
	char **args;
};

static int parse(int argc, char **argv, struct exec_opts *o)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "env", required_argument, NULL, 'e' },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "tty", no_argument, NULL, 't' },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
		{ "cap", required_argument, NULL, OPT_CAP },
		{ "process-label", required_argument, NULL, OPT_LABEL },
		{ "apparmor", required_argument, NULL, OPT_LABEL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:de:u:g:th", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->process = optarg;
			break;
		case 'd':
			o->detach = true;
			break;
		case OPT_PID_FILE:
			o->pid_file = optarg;
			break;
		case 'e':
			if (o->n_env == MAX_OVERRIDES || strchr(optarg, '=') == NULL) {
				fprintf(stderr, "umlrun exec: --env %s: expected KEY=VALUE\n", optarg);
				return -1;
			}
			o->env[o->n_env++] = optarg;
			break;
		case OPT_CWD:
			o->cwd = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'g':
			errno = 0;
			if (o->n_gids == MAX_OVERRIDES ||
			    (o->gids[o->n_gids++] = (uint32_t)strtoul(optarg, &end, 10), *end) || errno) {
				fprintf(stderr, "umlrun exec: --additional-gids %s: not a gid\n", optarg);
				return -1;
			}
			break;
		case 't':
			o->tty = true;
			break;
		case OPT_CONSOLE_SOCKET:
			o->console_socket = optarg;
			break;
		case OPT_PRESERVE_FDS:
		case OPT_NO_NEW_PRIVS:
		case OPT_CAP:
		case OPT_LABEL:
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return -1;
	}
	o->id = argv[optind];
	o->args = argv + optind + 1;
	return 1;
}

static void cleanup_spec(struct spec **s)
{
	if (*s)
		spec_free(*s);
}

/* Parses a runtime-spec process object from FILE, through the config
 * parser (so its limits and checks apply). */
static int load_process_file(const char *path, struct spec **out, struct uerr *err)
{
	static const char head[] = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},\"process\":";
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	autofree char *buf = NULL;
	size_t len = sizeof(head) - 1;
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0)
		return uerr_set(err, errno, "--process %s", path);
	if (!S_ISREG(st.st_mode) || st.st_size > SPEC_MAX_FILE_SIZE)
		return uerr_set(err, 0, "--process %s: not a regular file of at most %u bytes", path,
				SPEC_MAX_FILE_SIZE);
	buf = malloc((size_t)st.st_size + sizeof(head) + 2);
	if (buf == NULL)
		return uerr_set(err, ENOMEM, "--process %s", path);
	memcpy(buf, head, len);
	while ((n = read(fd, buf + len, (size_t)st.st_size + sizeof(head) - len)) > 0)
		len += (size_t)n;
	if (n < 0)
		return uerr_set(err, errno, "--process %s", path);
	buf[len++] = '}';
	return spec_parse(buf, len, path, out, err);
}

/* Replaces or adds KEY=VALUE in a NULL-terminated env vector. */
static int env_set(struct spec_process *p, char *kv)
{
	size_t klen = (size_t)(strchr(kv, '=') - kv) + 1;
	char **grown;

	for (size_t i = 0; i < p->n_env; i++)
		if (strncmp(p->env[i], kv, klen) == 0) {
			p->env[i] = kv; /* the vector's strings are freed by spec_free: see below */
			return 0;
		}
	grown = realloc(p->env, (p->n_env + 2) * sizeof(char *));
	if (grown == NULL)
		return -1;
	p->env = grown;
	p->env[p->n_env++] = kv;
	p->env[p->n_env] = NULL;
	return 0;
}

static int parse_user(const char *s, struct spec_user *u, struct uerr *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || v > UINT32_MAX || (*end != '\0' && *end != ':'))
		return uerr_set(err, 0, "--user %s: expected UID[:GID] (numbers)", s);
	u->uid = (uint32_t)v;
	if (*end == ':') {
		s = end + 1;
		v = strtoul(s, &end, 10);
		if (errno || end == s || v > UINT32_MAX || *end != '\0')
			return uerr_set(err, 0, "--user %s: expected UID[:GID] (numbers)", s);
		u->gid = (uint32_t)v;
	}
	return 0;
}

/* A terminal's initial size: the caller's terminal (the console socket's
 * pty has none yet: its owner sets it, and resizes follow). */
static void set_console_size(struct spec_process *p, const struct exec_opts *o)
{
	uint16_t rows, cols;

	if (p->terminal && !o->console_socket && tty_size(STDIN_FILENO, &rows, &cols)) {
		p->has_console_size = true;
		p->console_size = (struct spec_console_size){ .height = rows, .width = cols };
	}
}

/* Builds the P_EXEC request from the options (and the bundle's process). */
static int build_request(const struct exec_opts *o, const struct container *c, struct pbuf *out,
			 struct uerr *err)
{
	__attribute__((cleanup(cleanup_spec))) struct spec *s = NULL;
	autofree char *cfg = NULL;
	struct spec_process p;
	char **saved_env;
	size_t saved_n;
	int r;

	if (o->process) {
		if (load_process_file(o->process, &s, err) < 0)
			return -1;
		if (o->tty)
			s->process.terminal = true;
		set_console_size(&s->process, o);
		return agentcfg_exec(&s->process, out, err);
	}
	if (asprintf(&cfg, "%s/config.json", c->bundle) < 0)
		return uerr_set(err, ENOMEM, "exec");
	if (spec_load(cfg, &s, err) < 0)
		return -1;
	if (o->args[0] == NULL)
		return uerr_set(err, 0, "exec: no command given (COMMAND or --process)");
	p = s->process;
	p.args = o->args;
	p.terminal = o->tty;
	set_console_size(&p, o);
	if (o->cwd)
		p.cwd = (char *)o->cwd;
	if (o->user && parse_user(o->user, &p.user, err) < 0)
		return -1;
	if (o->n_gids) {
		p.user.additional_gids = (uint32_t *)o->gids;
		p.user.n_additional_gids = o->n_gids;
	}
	/* env: a private vector of borrowed strings; the spec's own vector
	 * is restored before spec_free */
	saved_env = s->process.env;
	saved_n = s->process.n_env;
	p.env = calloc(saved_n + 1, sizeof(char *));
	if (p.env == NULL)
		return uerr_set(err, ENOMEM, "exec");
	memcpy(p.env, saved_env, saved_n * sizeof(char *));
	p.n_env = saved_n;
	for (size_t i = 0; i < o->n_env; i++)
		if (env_set(&p, o->env[i]) < 0) {
			free(p.env);
			return uerr_set(err, ENOMEM, "exec");
		}
	r = agentcfg_exec(&p, out, err);
	free(p.env);
	return r;
}


/* Sends the request and relays until the process exits. `started` (if
 * >= 0) gets one byte once the process runs. Returns the exit code or -1. */
static int exec_session(const struct exec_opts *o, const struct container *c,
			const struct pbuf *req, int started, struct uerr *err)
{
	__attribute__((cleanup(tty_restore))) struct host_tty tty = HOST_TTY_INIT;
	int fds[3] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO };
	autoclose int sock = ctl_connect(c->dir, c->id, err);
	autoclose int sigfd = -1;
	const char *pid_file = o->pid_file;
	struct ctl_msg h;
	char msg[600];
	sigset_t set;

	if (sock < 0)
		return -1;
	if (o->tty && o->console_socket) {
		/* detached, this process leads a new session: the pty becomes its
		 * controlling terminal and resizes reach it as SIGWINCH */
		if (tty_console_socket(o->console_socket, o->detach, &tty, err) < 0)
			return -1;
		fds[0] = fds[1] = fds[2] = tty.fd;
	} else if (o->tty && isatty(STDIN_FILENO) && tty_make_raw(STDIN_FILENO, &tty, err) < 0) {
		return -1;
	}
	sigemptyset(&set);
	for (const int *s = monitor_forwarded_signals; *s; s++)
		sigaddset(&set, *s);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		return uerr_set(err, errno, "signalfd");
	if (ctl_send(sock, CTL_EXEC, 0, 0, req->data + req->off, pbuf_pending(req), fds, 3) < 0)
		return uerr_set(err, errno, "exec: sending the request");
	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };
		struct signalfd_siginfo si;
		int r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return uerr_set(err, errno, "poll");
		}
		while (p[1].revents && read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo != SIGWINCH)
				ctl_send(sock, CTL_SIGNAL, (int32_t)si.ssi_signo, 0, NULL, 0, NULL, 0);
			else
				ctl_send_resize(sock, tty.size_fd);
		}
		if (!p[0].revents)
			continue;
		r = ctl_recv(sock, &h, msg, sizeof(msg) - 1, NULL, NULL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return uerr_set(err, 0, "exec: the container exited");
		switch (h.op) {
		case CTL_STARTED:
			if (pid_file && detach_write_pid_file(pid_file, getpid(), err) < 0)
				return -1;
			if (started >= 0) {
				(void)!write(started, &(char){ DETACH_READY }, 1);
				close(started);
				started = -1;
			}
			break;
		case CTL_EXIT:
			return monitor_exit_code(h.arg);
		case CTL_ERR:
			msg[h.len] = '\0';
			return uerr_set(err, 0, "%s", msg);
		default:
			return uerr_set(err, 0, "exec: unexpected reply %u", h.op);
		}
	}
}

/* --detach: a child keeps the session (and is the pid to wait for); the
 * parent returns once the process started, or with its error. */
static int exec_detached(const struct global_opts *g, const struct exec_opts *o,
			 const struct container *c, const struct pbuf *req)
{
	struct uerr err = { 0 };
	char buf[sizeof(err.msg)];
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return cmd_fail(g, &(struct uerr){ errno, "pipe" });
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return cmd_fail(g, &(struct uerr){ errno, "fork" });
	if (pid == 0) {
		int r;

		close(p[0]);
		if (o->tty && o->console_socket)
			setsid(); /* for the pty as controlling terminal */
		r = exec_session(o, c, req, p[1], &err);
		if (r < 0)
			(void)!write(p[1], err.msg, strnlen(err.msg, sizeof(err.msg)));
		_exit(r < 0 ? 1 : r);
	}
	close(p[1]);
	if (detach_wait_ready(p[0], buf, sizeof(buf)))
		return 0;
	uerr_set(&err, 0, "%s", buf[0] ? buf : "exec: the session process died");
	return cmd_fail(g, &err);
}

int cmd_exec(const struct global_opts *g, int argc, char **argv)
{
	struct exec_opts o = { 0 };
	struct container c;
	struct pbuf req = { 0 };
	struct uerr err = { 0 };
	int r = parse(argc, argv, &o);

	if (r <= 0)
		return r < 0 ? 1 : 0;
	if (container_load(g->root, o.id, &c, &err) < 0)
		return cmd_fail(g, &err);
	if (container_status(&c) != CS_RUNNING) {
		uerr_set(&err, 0, "cannot exec in container \"%s\": it is %s", c.id,
			 container_status_name(container_status(&c)));
		r = -1;
	} else {
		r = build_request(&o, &c, &req, &err);
	}
	if (r == 0 && o.detach)
		r = exec_detached(g, &o, &c, &req);
	else if (r == 0 && (r = exec_session(&o, &c, &req, -1, &err)) < 0)
		r = cmd_fail(g, &err);
	else if (r < 0)
		r = cmd_fail(g, &err);
	pbuf_free(&req);
	container_free(&c);
	return r;
}
