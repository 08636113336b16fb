/* agent.h: the guest agent's shared types. The agent is PID 1 of the UML
 * guest: it talks to the host runtime over /dev/ttyS0 (runtime/proto.h),
 * mounts the container root, runs the container's process and the `exec`
 * processes, and relays their stdio. All state lives in one struct agent,
 * passed down explicitly. */
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
/* An overlay root's layers, in the initramfs (out of the container's view). */
#define AGENT_LOWER "/lower"
#define AGENT_UPPER "/upper"
/* An image root's device: ubd0 (runtime/cmdline.c). */
#define AGENT_ROOT_DEV "/dev/ubda"
enum { AGENT_ROOT_HOSTFS = 0, AGENT_ROOT_IMAGE = 1, AGENT_ROOT_OVERLAY = 2 };
#define AGENT_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Bytes read from a process's stdout/stderr per P_STDOUT/P_STDERR frame. */
#define AGENT_OUT_CHUNK (16u * 1024)
/* Buffered stdin bound per process: the host's window plus one frame of slack. */
#define AGENT_STDIN_MAX (PROTO_STDIN_WINDOW + PROTO_MAX_HOST_PAYLOAD)
/* Exec processes running at once, besides the container's process (sid 0). */
#define AGENT_MAX_EXEC 64
#define AGENT_NPROC (1 + AGENT_MAX_EXEC)

/* A failure: one line for P_ERROR naming what failed, like runtime/error.h
 * (kept separate so the agent links only libc and runtime/proto.c). */
struct aerr {
	int errnum;
	char msg[512];
};

struct agent_rlimit {
	uint32_t resource; /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
};

/* Capability sets, bit N = capability N (T_CAPS). */
struct agent_caps {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
};

/* What to run: the process part of P_CONFIG, or one P_EXEC (config.c).
 * String vectors are NULL-terminated. */
struct agent_process {
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
	struct agent_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privs;
	bool has_caps; /* without: uid 0 keeps every capability, others none */
	struct agent_caps caps;
	bool has_oom_score;
	int32_t oom_score;
	bool terminal;        /* a guest pty as stdin, stdout and stderr */
	uint16_t rows, cols;  /* its initial size; 0: leave the default */
};

/* One config.json mount the guest performs (T_MOUNT, mounts.c). */
struct agent_mount {
	uint32_t index; /* in config.json's mounts[] */
	char *dest;
	char *type;
	char *source;
	char *data; /* NULL: none */
	unsigned long flags;
	unsigned long propagation; /* 0: leave it */
};

struct agent_sysctl {
	char *key; /* as in config.json: "net.ipv4.ip_forward" */
	char *value;
};

/* The guest's network (T_NET_*, net.c); iface NULL: loopback only. */
struct agent_net {
	char *iface;
	bool has_addr4;
	uint8_t addr4[4];
	uint8_t prefix;
	bool has_gw4;
	uint8_t gw4[4];
	uint32_t mtu; /* 0: leave it */
	bool ipv6;
	char *resolv; /* /etc/resolv.conf's text, NULL: leave it */
	char *hosts;  /* /etc/hosts's text, NULL: leave it */
};

/* The decoded P_CONFIG (config.c). */
struct agent_config {
	struct agent_process proc;
	char *hostname;   /* NULL: leave unset */
	char *domainname; /* NULL: leave unset */
	bool root_ro;
	char *root_src; /* NULL: "" */
	uint8_t root_kind;    /* enum root_kind (runtime/rootmode.h): 0 hostfs, 1 image, 2 overlay */
	uint64_t root_upper;  /* overlay: the upper tmpfs's size in bytes, 0: tmpfs's default */
	struct agent_net net;
	struct agent_mount *mounts;
	size_t n_mounts;
	struct agent_sysctl *sysctls;
	size_t n_sysctls;
	char **masked; /* NULL-terminated, or NULL */
	size_t n_masked;
	char **ro_paths;
	size_t n_ro_paths;
	uint8_t *seccomp; /* struct sock_filter[]; NULL: no filter */
	size_t seccomp_len;
	uint32_t seccomp_flags;
	bool has_pids_max;
	uint64_t pids_max;
};

/* What every process the agent starts gets besides its agent_process
 * (limits.c, privs.c): fds opened before the switch into the container's
 * root, and the container's seccomp filter (borrowed from the config). */
struct spawn_env {
	int proc_fd;   /* the initramfs's /proc: /proc/self/... of any process; -1: none */
	int cgroup_fd; /* the container's pids cgroup directory; -1: none */
	const uint8_t *seccomp;
	size_t seccomp_len;
	uint32_t seccomp_flags;
};

/* The serial line to the host (channel.c). */
struct channel {
	int fd; /* non-blocking */
	struct proto_rx rx;
	struct pbuf tx;
};

/* One received frame (channel.c); payload points into the receive buffer
 * and is valid until the next channel_fill(). */
struct frame {
	uint8_t type;
	uint8_t flags;
	uint16_t sid;
	const uint8_t *payload;
	uint32_t len;
};

/* Stdin bytes received from the host but not yet written to a process
 * (stdin.c), with the count to acknowledge. */
struct stdin_buf {
	struct pbuf buf;
	bool eof;         /* P_STDIN_EOF received */
	bool closed;      /* pipe closed (or never opened): drop and ack */
	uint32_t to_ack;  /* bytes consumed, not yet acknowledged */
};

/* One process the agent runs (proc.c), started by workload.c: sid 0 is
 * the container's process, 1..PROTO_MAX_SID are exec processes. The fds
 * are the agent's ends of its stdio pipes. */
struct proc {
	bool used; /* slot holds a process (slot 0, sid 0, always does) */
	uint16_t sid;
	pid_t pid;  /* -1 until spawned */
	int in_fd;  /* write end of stdin, non-blocking; -1 once closed */
	int out_fd; /* read end of stdout; -1 at EOF */
	int err_fd; /* read end of stderr; -1 at EOF */
	bool tty;   /* in_fd and out_fd are a pty master (err_fd is -1) */
	struct stdin_buf in;
	bool exited;
	int status; /* raw wait status, valid once exited */
};

/* The process table: slot 0 is sid 0, the others hold exec processes. */
struct proctab {
	struct proc p[AGENT_NPROC];
	int sig_fd; /* signalfd for SIGCHLD; -1 until proctab_open() */
};

struct agent {
	struct channel ch;
	struct agent_config cfg;
	struct proctab procs;
	struct spawn_env spawn;
	struct aerr err;
};

/* errmsg.c: fills *e from a printf format, appending ": strerror(errnum)"
 * when errnum != 0; always returns -1. */
int aerr_set(struct aerr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepends "prefix: " to e's message; returns -1. */
int aerr_prefix(struct aerr *e, const char *prefix);

/* channel.c */
int channel_open(struct channel *ch, const char *path, struct aerr *e);
void channel_close(struct channel *ch);
int channel_send(struct channel *ch, uint8_t type, uint16_t sid, const void *payload, size_t len,
		 struct aerr *e);
int channel_send_u32(struct channel *ch, uint8_t type, uint16_t sid, uint32_t v, struct aerr *e);
int channel_drain(struct channel *ch);
int channel_fill(struct channel *ch, struct aerr *e);
int channel_next(struct channel *ch, struct frame *f, struct aerr *e);
int channel_recv(struct channel *ch, struct frame *f, struct aerr *e);

/* config.c */
int config_decode(struct agent_config *c, const uint8_t *list, size_t len, struct aerr *e);
void config_free(struct agent_config *c);
int process_decode(struct agent_process *p, const uint8_t *list, size_t len, struct aerr *e);
void process_free(struct agent_process *p);

/* net.c: decodes a T_NET_* tag (1: not one), frees, and sets up loopback,
 * the NIC, its route, resolv.conf and hosts (after the switch into the root). */
int net_decode_tag(struct agent_net *n, uint16_t tag, const uint8_t *d, uint32_t len,
		   struct aerr *e);
void net_free(struct agent_net *n);
int net_setup(const struct agent_config *c, struct aerr *e);
/* netdrain.c: after the workload, waits (bounded) for the guest's TCP data
 * and FINs to be acknowledged by netslirp. */
void net_drain(const struct agent_config *c);

/* rootfs.c */
int rootfs_early(struct aerr *e);
int rootfs_setup(const struct agent_config *c, struct spawn_env *env, struct aerr *e);
/* After the workload: flushes the root's writes to the host, and leaves an
 * image root's file system clean (read-only). */
void rootfs_finish(const struct agent_config *c);
int do_mount(const char *src, const char *target, const char *type, unsigned long flags,
	     const char *data, struct aerr *e);

/* mounts.c: config.json's mounts (after the switch into the root), masked
 * and read-only paths, and whether a mount replaces one of the defaults. */
bool mounts_has_dest(const struct agent_config *c, const char *dest);
int mounts_apply(const struct agent_config *c, struct aerr *e);
int mounts_mask_and_protect(const struct agent_config *c, struct aerr *e);

/* limits.c: guest-wide (before the switch: /proc for the agent, sysctls,
 * the pids cgroup) and per process (in the child: cgroup, oom score,
 * rlimits; child_* functions return -1 with errno and *what set). */
int limits_setup(const struct agent_config *c, struct spawn_env *env, struct aerr *e);
int limits_child_apply(const struct agent_process *p, const struct spawn_env *env,
		       const char **what);

/* privs.c: in the child, around the credential change. */
int privs_child_before_creds(const struct agent_process *p, const struct spawn_env *env,
			     const char **what);
int privs_child_after_creds(const struct agent_process *p, const struct spawn_env *env,
			    const char **what);
int privs_child_keepcaps(const struct agent_process *p, int on, const char **what);

/* stdin.c */
int stdin_add(struct stdin_buf *in, const uint8_t *data, size_t len, struct aerr *e);
int stdin_pump(struct stdin_buf *in, int *fd, struct aerr *e);
void stdin_close(struct stdin_buf *in, int *fd);
int stdin_send_ack(struct stdin_buf *in, struct channel *ch, uint16_t sid, struct aerr *e);
bool stdin_wants_write(const struct stdin_buf *in, int fd);
int stdin_frame(struct proctab *t, struct channel *ch, const struct frame *f, struct aerr *e);

/* proc.c */
void proctab_init(struct proctab *t);
int proctab_open(struct proctab *t, struct aerr *e);
void proctab_close(struct proctab *t);
struct proc *proc_find(struct proctab *t, uint16_t sid);
struct proc *proc_alloc(struct proctab *t, uint16_t sid);
void proc_release(struct proc *p);
bool proctab_has_exec(const struct proctab *t);
int proctab_reap(struct proctab *t, struct aerr *e);

/* terminal.c: a process's guest pty (its master is the agent's end). */
int terminal_open(const struct agent_process *c, int *master, int *slave, struct aerr *e);
int terminal_resize(struct proctab *t, const struct frame *f, struct aerr *e);

/* workload.c */
int workload_spawn(struct proc *p, const struct agent_process *c, const struct spawn_env *env,
		   int gate, struct aerr *e);

/* output.c */
int output_forward(struct channel *ch, uint16_t sid, int *fd, uint8_t type, struct aerr *e);
int output_drain(struct channel *ch, struct proc *p, struct aerr *e);

/* exec.c */
int exec_start(struct agent *a, const struct frame *f);
int exec_refuse_early(struct agent *a, const struct frame *f);
int exec_finish(struct agent *a, struct proc *p);

/* relay.c */
int relay_run(struct agent *a);

/* main.c */
int agent_signal_number(const uint8_t *payload, uint32_t len, struct aerr *e);

#endif
