/* exec.c: `exec` processes: starting one for P_EXEC (answered by
 * P_STARTED(sid, pid) or P_EXEC_FAIL(sid, text)), and reporting one that
 * has exited (its last output, stdin acks, then P_EXIT(sid)). An exec
 * process gets the container's seccomp filter and pids cgroup too. A process
 * that cannot be started is the host's to report: it never stops the agent. */
#include "agent.h"

#include <string.h>

#include "../../runtime/cleanup.h"

static void cleanup_process(struct agent_process *p)
{
	process_free(p);
}

/* Whether sid can be started now: 0, or -1 with e filled. */
static int exec_allowed(struct agent *a, uint16_t sid, struct aerr *e)
{
	if (sid == 0)
		return aerr_set(e, 0, "exec: sid 0 is the container's process");
	if (a->procs.p[0].exited)
		return aerr_set(e, 0, "exec: the container's process has exited");
	if (proc_find(&a->procs, sid) != NULL)
		return aerr_set(e, 0, "exec: sid %u is already running", sid);
	return 0;
}

/* Decodes and starts the process in a free slot, returned in *out. */
static int exec_spawn(struct agent *a, const struct frame *f, struct proc **out, struct aerr *e)
{
	__attribute__((cleanup(cleanup_process))) struct agent_process c = { 0 };
	struct proc *p;

	if (exec_allowed(a, f->sid, e) < 0 || process_decode(&c, f->payload, f->len, e) < 0)
		return -1;
	p = proc_alloc(&a->procs, f->sid);
	if (p == NULL)
		return aerr_set(e, 0, "exec: %u processes are already running", AGENT_MAX_EXEC);
	if (workload_spawn(p, &c, &a->spawn, -1, e) < 0) {
		proc_release(p);
		return aerr_prefix(e, "exec");
	}
	*out = p;
	return 0;
}

/* P_EXEC while the container runs. Returns -1 only when the host link
 * fails. */
int exec_start(struct agent *a, const struct frame *f)
{
	struct aerr e = { 0 };
	struct proc *p = NULL;

	if (exec_spawn(a, f, &p, &e) < 0)
		return channel_send(&a->ch, P_EXEC_FAIL, f->sid, e.msg, strlen(e.msg), &a->err);
	return channel_send_u32(&a->ch, P_STARTED, f->sid, (uint32_t)p->pid, &a->err);
}

/* Refuses P_EXEC before P_START. */
int exec_refuse_early(struct agent *a, const struct frame *f)
{
	static const char msg[] = "exec: the container has not started";

	return channel_send(&a->ch, P_EXEC_FAIL, f->sid, msg, sizeof(msg) - 1, &a->err);
}

/* An exec process has exited (and was reaped): forward what it left in its
 * pipes, acknowledge its unread stdin, report its wait status, free its slot. */
int exec_finish(struct agent *a, struct proc *p)
{
	int32_t status = p->status;
	uint16_t sid = p->sid;

	stdin_close(&p->in, &p->in_fd);
	if (output_drain(&a->ch, p, &a->err) < 0 ||
	    stdin_send_ack(&p->in, &a->ch, sid, &a->err) < 0)
		return -1;
	proc_release(p);
	return channel_send(&a->ch, P_EXIT, sid, &status, sizeof(status), &a->err);
}
