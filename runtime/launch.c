/* launch.c: a sandbox's monitor side (see launch.h). */
#define _GNU_SOURCE
#include "launch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "clock.h"
#include "container.h"
#include "ctlsock.h"
#include "detach.h"
#include "hooks.h"
#include "monitor.h"
#include "tty.h"

struct launch_state {
	struct sandbox *sb;
	struct container ctr; /* borrows the sandbox's strings */
	const struct launch_opts *o;
	bool created;
	struct host_tty tty;
};

/* process.terminal (or run -t): the guest process gets a pty; on the host
 * it is the console socket's pty or the caller's terminal in raw mode. */
static int terminal_setup(void *arg, struct spec *spec, struct uerr *err)
{
	struct launch_state *l = arg;
	struct spec_process *p = &spec->process;
	uint16_t rows, cols;

	if (l->o->tty)
		p->terminal = true;
	if (!p->terminal)
		return 0;
	if (l->o->console_socket) {
		/* a detached monitor is a session leader: the pty becomes its
		 * controlling terminal, and resizes reach it as SIGWINCH */
		if (tty_console_socket(l->o->console_socket, l->o->notify_fd >= 0, &l->tty, err) < 0)
			return -1;
	} else if (l->o->notify_fd >= 0 && !l->o->logs) {
		return uerr_set(err, 0, "config.json: process.terminal: a detached container "
					"needs --console-socket to get its terminal");
	} else if (l->o->stdio && isatty(STDIN_FILENO)) {
		if (tty_make_raw(STDIN_FILENO, &l->tty, err) < 0)
			return -1;
	}
	if (tty_size(l->tty.size_fd, &rows, &cols)) {
		p->has_console_size = true;
		p->console_size = (struct spec_console_size){ .height = rows, .width = cols };
	}
	return 0;
}

static int on_ready(void *arg, struct uerr *err)
{
	struct launch_state *l = arg;

	if (hooks_run_create(l->sb->b.spec, &l->ctr, err) < 0)
		return -1;
	l->ctr.status = CS_CREATED;
	if (container_save(&l->ctr, err) < 0)
		return -1;
	l->created = true;
	if (l->o->notify_fd >= 0 && write(l->o->notify_fd, &(char){ DETACH_READY }, 1) != 1)
		return uerr_set(err, errno, "telling the caller the container is created");
	return 0;
}

static void on_status(void *arg, enum ctr_status s, int exit)
{
	struct launch_state *l = arg;
	struct uerr ignored;

	l->ctr.status = s;
	if (s == CS_STOPPED && exit >= 0) {
		l->ctr.has_exit = true;
		l->ctr.exit_status = exit;
	}
	container_save(&l->ctr, &ignored);
}

/* run --stats: wall time; the guest CPU time and peak memory of the
 * container's processes (as the guest measured them; null when the guest
 * did not report, e.g. after --timeout); the bytes of the guest's Ethernet
 * frames each way, as netslirp counted them (null in network mode none);
 * the exit. */
static void write_stats(const char *path, long t0, int ret, const struct container *c,
			const struct proto_usage *u, const struct net_sandbox *net)
{
	double wall = (double)(now_ms() - t0) / 1000.0;
	autofclose FILE *f = NULL;
	struct net_bytes nb;
	struct uerr err;
	int net_known = net_sandbox_bytes(net, &nb, &err);

	if (net_known < 0)
		fprintf(stderr, "umlrun: --stats: network bytes unknown: %s\n", err.msg);
	f = fopen(path, "we");
	if (f == NULL) {
		fprintf(stderr, "umlrun: --stats %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "{\n  \"wallSeconds\": %.3f,\n", wall);
	if (u)
		fprintf(f, "  \"guestCpuSeconds\": %.6f,\n  \"guestPeakMemoryBytes\": %llu,\n",
			(double)u->cpu_us / 1e6, (unsigned long long)u->maxrss_kb * 1024);
	else
		fputs("  \"guestCpuSeconds\": null,\n  \"guestPeakMemoryBytes\": null,\n", f);
	if (net_known == 0)
		fprintf(f, "  \"netBytesIn\": %llu,\n  \"netBytesOut\": %llu,\n", nb.in, nb.out);
	else /* no network, or netslirp did not answer: unknown, not 0 */
		fputs("  \"netBytesIn\": null,\n  \"netBytesOut\": null,\n", f);
	fprintf(f, "  \"timedOut\": %s,\n  \"exitCode\": %d",
		ret == MONITOR_TIMEOUT_EXIT && !c->has_exit ? "true" : "false", ret < 0 ? -1 : ret);
	if (c->has_exit)
		fprintf(f, ",\n  \"waitStatus\": %d", c->exit_status);
	fputs("\n}\n", f);
}

static void launch_state_release(struct launch_state *l)
{
	tty_restore(&l->tty);
}

int launch(const struct launch_opts *o, bool *created, struct uerr *err)
{
	__attribute__((cleanup(sandbox_release))) struct sandbox sb = SANDBOX_INIT;
	__attribute__((cleanup(launch_state_release))) struct launch_state l = {
		.sb = &sb, .o = o, .tty = HOST_TTY_INIT
	};
	struct sandbox_opts so = o->so;
	__attribute__((cleanup(logfile_close))) struct logfile log = { .dirfd = -1, .fd = -1 };
	long t0 = now_ms();
	struct proto_usage usage = { 0 };
	bool usage_known = false;
	autofree char *stamp = NULL;
	struct monitor m;
	struct uerr disk_err;
	int ret;

	*created = false;
	so.terminal_setup = terminal_setup;
	so.terminal_arg = &l;
	if (sandbox_boot(&sb, &so, err) < 0)
		return -1;
	stamp = container_now();
	l.ctr = (struct container){ .id = sb.id, .dir = sb.state_dir, .bundle = sb.b.dir,
				    .rootfs = sb.b.rootfs, .created = stamp, .pid = getpid(),
				    .pid_start = proc_start_time(getpid()), .vm_pid = sb.vm,
				    .vm_start = proc_start_time(sb.vm), .status = CS_CREATING,
				    .annotations = sb.b.spec->annotations,
				    .n_annotations = sb.b.spec->n_annotations };
	if (stamp == NULL || container_save(&l.ctr, err) < 0)
		return stamp ? -1 : uerr_set(err, ENOMEM, "timestamp");
	m = (struct monitor){ .ctl = sb.ctl[0], .vm = sb.vm, .sigfd = sb.sigfd,
			      .listen_fd = sb.listen_fd, .in_fd = o->stdio ? STDIN_FILENO : -1,
			      .out_fd = o->stdio ? STDOUT_FILENO : -1,
			      .err_fd = o->stdio ? STDERR_FILENO : -1, .winsize_fd = l.tty.size_fd,
			      .config = &sb.config,
			      .boot_timeout_ms = SANDBOX_BOOT_TIMEOUT_MS, .autostart = o->autostart,
			      .mconsole = SANDBOX_MCONSOLE, .mconsole_reply_dir = SANDBOX_MC_DIR,
			      .on_ready = on_ready,
			      .on_status = on_status, .arg = &l };
	if (l.tty.owned >= 0) /* the console socket's pty is the process's stdio */
		m.in_fd = m.out_fd = m.err_fd = l.tty.owned;
	if (o->logs) { /* a service: no stdin, output to the capped log */
		if (logfile_open(&log, sb.state_dir, LOGFILE_CAP, err) < 0)
			return -1;
		m.in_fd = -1;
		m.log = &log;
	}
	m.timeout_ms = o->timeout_ms;
	m.usage = &usage;
	m.usage_known = &usage_known;
	ret = monitor_run(&m, err);
	if (o->stats_file)
		write_stats(o->stats_file, t0, ret, &l.ctr, usage_known ? &usage : NULL, sb.net);
	sb.vm = 0; /* reaped by the monitor */
	if (rootmode_check_log(&sb.root, "kernel.log", &disk_err) < 0) { /* cwd: the state dir */
		fprintf(stderr, "umlrun: %s\n", disk_err.msg);
		if (ret == 0) /* the workload succeeded, but its writes are lost */
			ret = 1;
	}
	cleanup_closep(&sb.listen_fd);
	unlink(CTL_SOCK_NAME); /* the cwd is the state dir */
	sandbox_show_log(&sb, o->so.log, ret < 0);
	*created = l.created;
	sb.keep_state = o->keep_state && l.created;
	return ret;
}
