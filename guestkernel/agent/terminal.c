/* terminal.c: processes with a terminal (process.terminal, exec -t): a
 * guest pty whose slave is the process's stdin, stdout, stderr and
 * controlling terminal, and whose master the agent relays like a pipe; and
 * window size changes from the host (P_RESIZE). */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "../../runtime/cleanup.h"

int terminal_open(const struct agent_process *c, int *master, int *slave, struct aerr *e)
{
	autoclose int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	char name[64];
	int s;

	if (m < 0)
		return aerr_set(e, errno, "open /dev/ptmx");
	if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof(name)) != 0)
		return aerr_set(e, errno, "set up the pty");
	if (c->rows && c->cols) {
		struct winsize ws = { .ws_row = c->rows, .ws_col = c->cols };

		if (ioctl(m, TIOCSWINSZ, &ws) < 0)
			return aerr_set(e, errno, "set the pty's size");
	}
	s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return aerr_set(e, errno, "open %s", name);
	if (fcntl(m, F_SETFL, O_NONBLOCK) < 0) {
		close(s);
		return aerr_set(e, errno, "set the pty non-blocking");
	}
	*master = steal_fd(m);
	*slave = s;
	return 0;
}

int terminal_resize(struct proctab *t, const struct frame *f, struct aerr *e)
{
	struct winsize ws = { 0 };
	uint16_t rc[2];

	if (f->len != sizeof(rc))
		return aerr_set(e, 0, "protocol error: resize frame of %u bytes", f->len);
	memcpy(rc, f->payload, sizeof(rc));
	for (size_t i = 0; i < AGENT_NPROC; i++) {
		struct proc *p = &t->p[i];

		if (!p->used || p->sid != f->sid || !p->tty || p->out_fd < 0)
			continue;
		ws.ws_row = rc[0];
		ws.ws_col = rc[1];
		/* the kernel sends SIGWINCH to the pty's foreground group */
		ioctl(p->out_fd, TIOCSWINSZ, &ws);
	}
	return 0;
}
