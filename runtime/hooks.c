/* hooks.c: running OCI hooks (see hooks.h). */
#define _GNU_SOURCE
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "clock.h"

#define HOOK_OUTPUT_MAX 2048
#define HOOK_DEFAULT_TIMEOUT_S 120

static char *state_json(const struct container *c, enum ctr_status status, size_t *len)
{
	struct container copy = *c;
	char *buf = NULL;
	FILE *f;

	copy.status = status;
	f = open_memstream(&buf, len);
	if (f == NULL)
		return NULL;
	container_print_state(f, &copy);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static _Noreturn void hook_child(const struct spec_hook *h, int in, int out)
{
	char *argv0[] = { h->path, NULL };
	char *noenv[] = { NULL };
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	execve(h->path, h->n_args ? h->args : argv0, h->env ? h->env : noenv);
	dprintf(2, "exec %s: %s", h->path, strerror(errno));
	_exit(127);
}

/* Collects the hook's output and waits for it, up to the timeout. */
static int hook_wait(pid_t pid, int out, int timeout_s, char *buf, size_t cap, int *status)
{
	long deadline = now_ms() + (long)timeout_s * 1000;
	size_t got = 0;
	bool eof = false, exited = false;

	for (;;) {
		struct pollfd p = { .fd = eof ? -1 : out, .events = POLLIN };
		long left = deadline - now_ms();

		if (!exited && waitpid(pid, status, WNOHANG) == pid) {
			exited = true;
			/* take what is left of its output without waiting long (a
			 * child of the hook may still hold the pipe) */
			deadline = now_ms() + 100;
			left = 100;
		}
		if (exited && (eof || left <= 0))
			break;
		if (left <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			buf[got] = '\0';
			return -1;
		}
		if (poll(&p, 1, eof ? 10 : (int)(left < 100 ? left : 100)) > 0) {
			char tmp[512];
			ssize_t n = read(out, tmp, sizeof(tmp));

			if (n <= 0) {
				eof = true;
				continue;
			}
			for (ssize_t i = 0; i < n && got + 1 < cap; i++)
				buf[got++] = (tmp[i] == '\n' || tmp[i] == '\r') ? ' ' : tmp[i];
		}
	}
	buf[got] = '\0';
	return 0;
}

static int run_one(const struct spec_hook *h, const char *kind, const char *json, size_t len,
		   struct uerr *err)
{
	autoclose int in_r = -1, in_w = -1, out_r = -1, out_w = -1;
	int p[2], status = 0, timeout = h->has_timeout ? h->timeout : HOOK_DEFAULT_TIMEOUT_S;
	char output[HOOK_OUTPUT_MAX];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return uerr_set(err, errno, "%s hook %s: pipe", kind, h->path);
	in_r = p[0];
	in_w = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return uerr_set(err, errno, "%s hook %s: pipe", kind, h->path);
	out_r = p[0];
	out_w = p[1];
	pid = fork();
	if (pid < 0)
		return uerr_set(err, errno, "%s hook %s: fork", kind, h->path);
	if (pid == 0)
		hook_child(h, in_r, out_w);
	cleanup_closep(&in_r);
	cleanup_closep(&out_w);
	/* the state is small: it fits the pipe; a hook that does not read it
	 * gets EPIPE on our side, which is fine */
	(void)!write(in_w, json, len < 65536 ? len : 65536);
	cleanup_closep(&in_w);
	if (hook_wait(pid, out_r, timeout, output, sizeof(output), &status) < 0)
		return uerr_set(err, 0, "%s hook %s timed out after %d s%s%s", kind, h->path,
				timeout, output[0] ? ": " : "", output);
	if (WIFSIGNALED(status))
		return uerr_set(err, 0, "%s hook %s was killed by signal %d%s%s", kind, h->path,
				WTERMSIG(status), output[0] ? ": " : "", output);
	if (WEXITSTATUS(status) != 0)
		return uerr_set(err, 0, "%s hook %s failed with exit status %d%s%s", kind, h->path,
				WEXITSTATUS(status), output[0] ? ": " : "", output);
	return 0;
}

int hooks_run(const struct spec *s, enum spec_hook_kind kind, const struct container *c,
	      enum ctr_status status, struct uerr *err)
{
	const struct spec_hooks *hs = &s->hooks[kind];
	autofree char *json = NULL;
	size_t len = 0;

	if (hs->n_hooks == 0)
		return 0;
	json = state_json(c, status, &len);
	if (json == NULL)
		return uerr_set(err, errno, "%s hooks: state JSON", spec_hook_kind_name(kind));
	for (size_t i = 0; i < hs->n_hooks; i++)
		if (run_one(&hs->hooks[i], spec_hook_kind_name(kind), json, len, err) < 0)
			return -1;
	return 0;
}

int hooks_run_create(const struct spec *s, const struct container *c, struct uerr *err)
{
	static const enum spec_hook_kind order[] = { SPEC_HOOK_PRESTART, SPEC_HOOK_CREATE_RUNTIME,
						     SPEC_HOOK_CREATE_CONTAINER };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (hooks_run(s, order[i], c, CS_CREATING, err) < 0)
			return -1;
	return 0;
}

void hooks_run_logged(const struct container *c, enum spec_hook_kind kind, enum ctr_status status,
		      const struct log_ctx *log)
{
	autofree char *path = NULL;
	struct spec *s = NULL;
	struct uerr err = { 0 };
	char msg[sizeof(err.msg) + 16];

	if (asprintf(&path, "%s/config.json", c->bundle) < 0)
		return;
	if (spec_load(path, &s, &err) == 0 && hooks_run(s, kind, c, status, &err) == 0) {
		spec_free(s);
		return;
	}
	if (s)
		spec_free(s);
	snprintf(msg, sizeof(msg), "warning: %s", err.msg);
	log_error(log, msg);
}
