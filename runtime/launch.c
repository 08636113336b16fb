/* launch.c: a sandbox's monitor side (see launch.h). */
#define _GNU_SOURCE
#include "launch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "container.h"
#include "ctlsock.h"
#include "hooks.h"
#include "monitor.h"

struct launch_state {
	struct sandbox *sb;
	struct container ctr; /* borrows the sandbox's strings */
	const struct launch_opts *o;
	bool created;
};

static int on_ready(void *arg, struct uerr *err)
{
	struct launch_state *l = arg;

	if (hooks_run_create(l->sb->b.spec, &l->ctr, err) < 0)
		return -1;
	l->ctr.status = CS_CREATED;
	if (container_save(&l->ctr, err) < 0)
		return -1;
	l->created = true;
	if (l->o->notify_fd >= 0 && write(l->o->notify_fd, "K", 1) != 1)
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

int launch(const struct launch_opts *o, bool *created, struct uerr *err)
{
	__attribute__((cleanup(sandbox_release))) struct sandbox sb = SANDBOX_INIT;
	struct launch_state l = { .sb = &sb, .o = o };
	autofree char *stamp = NULL;
	struct monitor m;
	int ret;

	*created = false;
	if (sandbox_boot(&sb, &o->so, err) < 0)
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
			      .err_fd = o->stdio ? STDERR_FILENO : -1, .config = &sb.config,
			      .boot_timeout_ms = SANDBOX_BOOT_TIMEOUT_MS, .autostart = o->autostart,
			      .mconsole = SANDBOX_MCONSOLE, .mconsole_reply_dir = SANDBOX_MC_DIR,
			      .on_ready = on_ready,
			      .on_status = on_status, .arg = &l };
	ret = monitor_run(&m, err);
	sb.vm = 0; /* reaped by the monitor */
	cleanup_closep(&sb.listen_fd);
	unlink(CTL_SOCK_NAME); /* the cwd is the state dir */
	sandbox_show_log(&sb, o->so.log, ret < 0);
	*created = l.created;
	sb.keep_state = o->keep_state && l.created;
	return ret;
}
