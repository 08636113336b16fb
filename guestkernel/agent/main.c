/* main.c: the agent's life as PID 1 of the guest, in protocol order:
 * HELLO, CONFIG, root setup, READY, START (or an early kill), STARTED, the
 * relay loop (exec processes come and go in it), EXIT of sid 0 last, power
 * off. Any failure sends P_ERROR and powers off; a failed exec does not. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime/cleanup.h"

static void agent_init(struct agent *a)
{
	memset(a, 0, sizeof(*a));
	a->ch.fd = -1;
	a->spawn.proc_fd = -1;
	a->spawn.cgroup_fd = -1;
	proctab_init(&a->procs);
}

int agent_signal_number(const uint8_t *payload, uint32_t len, struct aerr *e)
{
	uint32_t sig;

	if (len != sizeof(sig))
		return aerr_set(e, 0, "protocol error: signal frame of %u bytes", len);
	memcpy(&sig, payload, sizeof(sig));
	if (sig == 0 || sig >= NSIG)
		return aerr_set(e, 0, "protocol error: bad signal number %u", sig);
	return (int)sig;
}

static int send_hello(struct agent *a)
{
	uint8_t hello[sizeof(PROTO_HELLO_MAGIC) + sizeof(uint32_t)];
	uint32_t version = PROTO_VERSION;

	memcpy(hello, PROTO_HELLO_MAGIC, sizeof(PROTO_HELLO_MAGIC)); /* with its NUL */
	memcpy(hello + sizeof(PROTO_HELLO_MAGIC), &version, sizeof(version));
	return channel_send(&a->ch, P_HELLO, 0, hello, sizeof(hello), &a->err);
}

static int recv_config(struct agent *a)
{
	struct frame f;

	if (channel_recv(&a->ch, &f, &a->err) < 0)
		return -1;
	if (f.type != P_CONFIG)
		return aerr_set(&a->err, 0, "protocol error: frame type %u before config", f.type);
	return config_decode(&a->cfg, f.payload, f.len, &a->err);
}

/* P_SIGNAL before P_START: returns 1 if it ends the container (SIGKILL or
 * SIGTERM for sid 0 or for all), 0 to keep waiting, -1 on error. Nothing
 * runs yet, so the other signals have no one to go to. */
static int early_signal(struct agent *a, const struct frame *f)
{
	int sig = agent_signal_number(f->payload, f->len, &a->err);

	if (sig < 0)
		return -1;
	if (f->sid != 0 && !(f->flags & PROTO_SIGNAL_ALL))
		return 0;
	if (sig != SIGKILL && sig != SIGTERM)
		return 0;
	a->procs.p[0].status = sig & 0x7f; /* the wait status of a death by sig */
	return 1;
}

/* Waits for P_START: returns 0 to run the workload, 1 if a SIGKILL or
 * SIGTERM came first (sid 0's status then holds the matching wait status). */
static int wait_start(struct agent *a)
{
	struct frame f;
	int r;

	for (;;) {
		if (channel_recv(&a->ch, &f, &a->err) < 0)
			return -1;
		switch (f.type) {
		case P_START:
			return 0;
		case P_STDIN:
		case P_STDIN_EOF:
			r = stdin_frame(&a->procs, &a->ch, &f, &a->err);
			break;
		case P_SIGNAL:
			r = early_signal(a, &f);
			break;
		case P_EXEC:
			r = exec_refuse_early(a, &f);
			break;
		case P_RESIZE: /* the pre-forked process already has its pty */
			r = terminal_resize(&a->procs, &f, &a->err);
			break;
		default:
			return aerr_set(&a->err, 0, "protocol error: frame type %u before start",
					f.type);
		}
		if (r != 0)
			return r;
	}
}

/* Forks the container's process at create time; it waits on the gate. */
static int prespawn_workload(struct agent *a, int *gate_w)
{
	struct proc *c = &a->procs.p[0];
	autoclose int gate_r = -1;
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return aerr_set(&a->err, errno, "pipe for the start gate");
	gate_r = p[0];
	*gate_w = p[1];
	if (proctab_open(&a->procs, &a->err) < 0 ||
	    workload_spawn(c, &a->cfg.proc, &a->spawn, gate_r, &a->err) < 0)
		return -1;
	return 0;
}

static int run_workload(struct agent *a, int *gate_w)
{
	struct proc *c = &a->procs.p[0];

	if (write(*gate_w, "g", 1) != 1)
		return aerr_set(&a->err, errno, "release the container's process");
	close(*gate_w);
	*gate_w = -1;
	if (channel_send_u32(&a->ch, P_STARTED, 0, (uint32_t)c->pid, &a->err) < 0)
		return -1;
	return relay_run(a);
}

/* P_EXIT(0): the wait status, then what the processes used in the guest. */
static int send_exit(struct agent *a)
{
	uint8_t buf[sizeof(int32_t) + sizeof(struct proto_usage)];
	struct proto_usage u = { 0 };
	struct rusage ru;
	int32_t status = a->procs.p[0].status;

	if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
		u = (struct proto_usage){
			.cpu_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec +
				  (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec,
			.maxrss_kb = (uint64_t)ru.ru_maxrss,
		};
	memcpy(buf, &status, sizeof(status));
	memcpy(buf + sizeof(status), &u, sizeof(u));
	return channel_send(&a->ch, P_EXIT, 0, buf, sizeof(buf), &a->err);
}

static int agent_run(struct agent *a)
{
	autoclose int gate_w = -1;
	int r;

	if (rootfs_early(&a->err) < 0 || channel_open(&a->ch, AGENT_TTY, &a->err) < 0)
		return -1;
	if (send_hello(a) < 0 || recv_config(a) < 0)
		return -1;
	if (rootfs_setup(&a->cfg, &a->spawn, &a->err) < 0)
		return -1;
	if (net_setup(&a->cfg, &a->err) < 0) /* net.c */
		return -1;
	if (prespawn_workload(a, &gate_w) < 0)
		return -1;
	if (channel_send(&a->ch, P_READY, 0, NULL, 0, &a->err) < 0)
		return -1;
	r = wait_start(a);
	if (r < 0)
		return -1;
	if (r == 0 && run_workload(a, &gate_w) < 0)
		return -1;
	if (r == 1) { /* killed before start: the waiting child exits at EOF */
		int ignored;

		cleanup_closep(&gate_w);
		waitpid(a->procs.p[0].pid, &ignored, 0);
	}
	net_drain(&a->cfg); /* the data the workload sent, out before power-off */
	rootfs_finish(&a->cfg);
	return send_exit(a);
}

static _Noreturn void power_off(struct agent *a)
{
	if (a->ch.fd >= 0)
		channel_drain(&a->ch);
	sync();
	reboot(RB_POWER_OFF);
	fprintf(stderr, "umlrun-agent: power off: %s\n", strerror(errno));
	_exit(1);
}

/* Setup or protocol failure: tell the host (best effort) and the console. */
static _Noreturn void agent_fail(struct agent *a)
{
	struct aerr ignored;

	fprintf(stderr, "umlrun-agent: %s\n", a->err.msg);
	if (a->ch.fd >= 0)
		channel_send(&a->ch, P_ERROR, 0, a->err.msg, strlen(a->err.msg), &ignored);
	power_off(a);
}

int main(void)
{
	struct agent a;

	if (getpid() != 1) {
		fprintf(stderr, "umlrun-agent: must run as /init (PID 1) of a umlrun guest\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	agent_init(&a);
	if (agent_run(&a) < 0)
		agent_fail(&a);
	power_off(&a);
}
