/* sandbox.h: one sandbox's host-side resources up to a running kernel
 * process: bundle, state directory, jail, kernel command line, signal set-up
 * and control socket. The commands (run, create) hand the result to the
 * monitor loop (monitor.h). */
#ifndef UMLRUN_SANDBOX_H
#define UMLRUN_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "bundle.h"
#include "error.h"
#include "jail.h"
#include "log.h"
#include "net.h"
#include "overlay.h"
#include "proto.h"
#include "rootmode.h"

struct sandbox_opts {
	const char *root;      /* state root */
	const char *bundle;    /* bundle directory */
	const char *id;        /* NULL: generated from the bundle's name */
	char *const *args;     /* replaces process.args when non-empty */
	const char *kernel;    /* --kernel, or NULL */
	bool listen;           /* open the control socket */
	char *const *volumes;  /* run -v SRC:DST[:ro] values (binds.h); may be NULL */
	char *const *ports;    /* run -p HOST:GUEST[/udp] values (net.h); NULL-terminated, may be NULL */
	const struct log_ctx *log;
	/* Called once config.json is loaded, before the agent's configuration
	 * is encoded: sets up the process's terminal (it may change
	 * process.terminal and process.consoleSize). May be NULL. */
	int (*terminal_setup)(void *arg, struct spec *spec, struct uerr *err);
	void *terminal_arg;
};

/* Everything a sandbox creates, released in reverse by sandbox_release(). */
struct sandbox {
	struct bundle b;
	char *id;
	char *kernel;
	char *initramfs;
	char *state_dir;
	char *hostfs_root;
	char *uml_dir;
	char *mc_dir;
	char *stage;
	char *shm_dir;         /* without namespaces: a private dir for the memory file */
	bool shm_made;
	char **argv;
	char **argv_nojail;
	struct jail jail;
	struct overlay_layers ovl; /* an overlay rootfs rebuilt in the jail */
	struct binds binds;        /* host paths mounted into the rootfs */
	struct rootmode root;      /* hostfs, overlay or image root (rootmode.h) */
	struct pbuf config;
	int log_fd;
	int ctl[2];
	int sigfd;
	int listen_fd;
	pid_t vm;              /* the kernel process once started */
	struct net_sandbox *net; /* the guest's network and its netslirp (net.h) */
	bool keep_state;       /* the state dir outlives the release */
	bool require_namespaces; /* from the run.umlrun.require annotation */
	bool require_landlock;
};

#define SANDBOX_INIT                                                                        \
	{ .log_fd = -1, .ctl = { -1, -1 }, .sigfd = -1, .listen_fd = -1,                    \
	  .jail.idmap_userns_fd = -1 }

/* The kernel's mconsole socket, relative to the state dir (the cwd of the
 * monitor after sandbox_boot). */
#define SANDBOX_MCONSOLE "uml/u/mconsole"
/* The monitor's mconsole reply sockets: a directory the kernel process sees
 * read-only at the same relative path (see jail.h JAIL_MC_DIR). */
#define SANDBOX_MC_DIR "mc"

/* Size cap of the private upper layer of a rebuilt overlay rootfs. */
#define SANDBOX_OVERLAY_UPPER_MIB 1024

/* How long the guest agent gets to say hello and to mount the root. */
#define SANDBOX_BOOT_TIMEOUT_MS 30000

/* Validates the bundle, creates the state directory, blocks the monitor's
 * signals into c->sigfd, changes the cwd to the state directory and starts
 * the kernel process. On failure everything made so far is released by
 * sandbox_release(). */
int sandbox_boot(struct sandbox *c, const struct sandbox_opts *o, struct uerr *err);

/* Prints the kernel log's tail (after a failure) or all of it (--debug). */
void sandbox_show_log(const struct sandbox *c, const struct log_ctx *log, bool failed);

/* Closes and frees everything; removes the state dir unless keep_state. */
void sandbox_release(struct sandbox *c);

#endif
