/* agent.h: the guest agent's shared types. The agent is PID 1 of the UML
 * guest: it talks to the host runtime over /dev/ttyS0 (runtime/proto.h),
 * mounts the container root, runs the workload and relays its stdio.
 * All state lives in one struct agent, passed down explicitly. */
#ifndef UMLRUN_AGENT_H
#define UMLRUN_AGENT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, execvpe, signalfd */
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../runtime/proto.h"

#define AGENT_TTY "/dev/ttyS0"
#define AGENT_NEWROOT "/newroot"
#define AGENT_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Bytes read from the workload's stdout/stderr per P_STDOUT/P_STDERR frame. */
#define AGENT_OUT_CHUNK (16u * 1024)
/* Buffered stdin bound: the host's window plus one frame of slack. */
#define AGENT_STDIN_MAX (PROTO_STDIN_WINDOW + PROTO_MAX_HOST_PAYLOAD)

/* A failure: one line for P_ERROR naming what failed, like runtime/error.h
 * (kept separate so the agent links only libc and runtime/proto.c). */
struct aerr {
	int errnum;
	char msg[512];
};

/* The decoded P_CONFIG (config.c). String vectors are NULL-terminated. */
struct agent_config {
	char **args;
	size_t n_args;
	char **env;
	size_t n_env;
	char *cwd; /* NULL: "/" */
	uint32_t uid;
	uint32_t gid;
	uint32_t *groups;
	size_t n_groups;
	bool has_umask;
	uint32_t umask;
	char *hostname;   /* NULL: leave unset */
	char *domainname; /* NULL: leave unset */
	bool root_ro;
	char *root_src; /* NULL: "" */
};

/* The serial line to the host (channel.c). */
struct channel {
	int fd; /* non-blocking */
	struct proto_rx rx;
	struct pbuf tx;
};

/* Stdin bytes received from the host but not yet written to the workload
 * (stdin.c), with the count to acknowledge. */
struct stdin_buf {
	struct pbuf buf;
	bool eof;         /* P_STDIN_EOF received */
	bool closed;      /* pipe closed (or never opened): drop and ack */
	uint32_t to_ack;  /* bytes consumed, not yet acknowledged */
};

/* The running workload (workload.c) and its stdio pipes (agent ends). */
struct workload {
	pid_t pid;
	int in_fd;  /* write end of stdin, non-blocking; -1 once closed */
	int out_fd; /* read end of stdout; -1 at EOF */
	int err_fd; /* read end of stderr; -1 at EOF */
	int sig_fd; /* signalfd for SIGCHLD */
	bool exited;
	int status; /* raw wait status, valid once exited */
};

struct agent {
	struct channel ch;
	struct agent_config cfg;
	struct stdin_buf in;
	struct workload wl;
	struct aerr err;
};

/* errmsg.c: fills *e from a printf format, appending ": strerror(errnum)"
 * when errnum != 0; always returns -1. */
int aerr_set(struct aerr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* channel.c */
int channel_open(struct channel *ch, const char *path, struct aerr *e);
void channel_close(struct channel *ch);
int channel_send(struct channel *ch, uint8_t type, const void *payload, size_t len, struct aerr *e);
int channel_send_u32(struct channel *ch, uint8_t type, uint32_t v, struct aerr *e);
int channel_drain(struct channel *ch);
int channel_fill(struct channel *ch, struct aerr *e);
int channel_next(struct channel *ch, uint8_t *type, const uint8_t **payload, uint32_t *len,
		 struct aerr *e);
int channel_recv(struct channel *ch, uint8_t *type, const uint8_t **payload, uint32_t *len,
		 struct aerr *e);

/* config.c */
int config_decode(struct agent_config *c, const uint8_t *list, size_t len, struct aerr *e);
void config_free(struct agent_config *c);

/* rootfs.c */
int rootfs_early(struct aerr *e);
int rootfs_setup(const struct agent_config *c, struct aerr *e);

/* stdin.c */
int stdin_add(struct stdin_buf *in, const uint8_t *data, size_t len, struct aerr *e);
int stdin_pump(struct stdin_buf *in, int *fd, struct aerr *e);
int stdin_send_ack(struct stdin_buf *in, struct channel *ch, struct aerr *e);
bool stdin_wants_write(const struct stdin_buf *in, int fd);

/* workload.c */
void workload_init(struct workload *w);
int workload_spawn(struct workload *w, const struct agent_config *c, struct aerr *e);
void workload_close(struct workload *w);

/* relay.c */
int relay_run(struct agent *a);

/* main.c */
int agent_signal_number(const uint8_t *payload, uint32_t len, struct aerr *e);

#endif
