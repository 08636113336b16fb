/* net.h: a sandbox's network on the host side: the mode and options from
 * config.json's annotations and `run -p`, the guest's addresses handed to
 * the agent, the UML vector NIC argument, and the umlrun-netslirp process
 * with its listening socket and its byte counts. See umlrun(8), NETWORKING. */
#ifndef UMLRUN_NET_H
#define UMLRUN_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../spec/spec.h"
#include "error.h"
#include "proto.h"

#define NET_MAX_PORTS 64
#define NET_DEFAULT_MTU 1500
#define NET_MIN_MTU 1280
#define NET_MAX_MTU 65520
/* The guest's NIC as UML names it, and its one socket in the jail view. */
#define NET_GUEST_IFACE "vec0"
#define NET_SOCK_NAME "net.sock"

/* Addresses inside the guest (libslirp's usual ones). */
#define NET_GUEST_ADDR "10.0.2.15"
#define NET_GUEST_PREFIX 24
#define NET_GATEWAY "10.0.2.2"
#define NET_DNS "10.0.2.3"
#define NET_DNS6 "fd00::3"
/* The gateway's name in the guest's /etc/hosts, with host-loopback on. */
#define NET_HOST_NAME "host.umlrun.internal"

enum net_mode { NET_SLIRP, NET_NONE };

struct net_port {
	bool udp;
	struct in_addr host_addr; /* INADDR_ANY unless given */
	uint16_t host_port;
	uint16_t guest_port;
};

struct net_config {
	enum net_mode mode;
	bool host_loopback;
	bool ipv6;
	bool offload; /* frames to the guest over its MTU (net.c) */
	unsigned mtu;
	struct net_port ports[NET_MAX_PORTS];
	size_t n_ports;
};

/* The network of a sandbox: run.umlrun.net (slirp|none; default: none when
 * config.json asks for a new network namespace, slirp otherwise),
 * run.umlrun.net.host-loopback, .ipv6, .offload (true|false), .mtu, .ports,
 * and the ports given to `run -p` (cli_ports, NULL-terminated, may be NULL).
 * Errors name the annotation or option and the bad value. */
int net_config_build(const struct spec *s, char *const *cli_ports, struct net_config *nc,
		     struct uerr *err);

/* Parses a comma-separated [ADDR:]HOST:GUEST[/tcp|/udp] list into nc,
 * `field` naming its source in errors. */
int net_parse_ports(const char *list, const char *field, struct net_config *nc,
		    struct uerr *err);

/* The forwards as "HOST:GUEST/PROTO,..." (with ADDR: unless any); malloc'd. */
char *net_format_ports(const struct net_config *nc);

/* Appends the agent's T_NET_* TLVs (proto.h) for the guest's interface,
 * addresses, route, resolv.conf and hosts. */
int net_agent_tlvs(const struct net_config *nc, const char *hostname, struct pbuf *out);

/* The UML argument for the guest NIC reaching SOCK_PATH (as the kernel
 * process sees it); malloc'd, or NULL with err. */
char *net_uml_arg(const struct net_config *nc, const char *sock_path, struct uerr *err);

/* The running netslirp of a sandbox. */
struct net_proc {
	int listen_fd; /* bound at sock_path before the kernel starts */
	int lifeline;  /* write end: netslirp exits when it closes */
	int ctl;       /* seqpacket: netslirp's readiness, then its byte counts */
	char *sock_path;
	pid_t pid;
};

#define NET_PROC_INIT { .listen_fd = -1, .lifeline = -1, .ctl = -1 }

/* The bytes of the Ethernet frames netslirp passed: in, to the guest; out,
 * from the guest (every frame it sent, dropped ones too). */
struct net_bytes {
	unsigned long long in, out;
};

/* Binds and listens on SOCK_PATH (owned by uid/gid, mode 0600), before the
 * kernel starts, so the guest's NIC can connect whenever it comes up. */
int net_listen(struct net_proc *np, const char *sock_path, uid_t uid, gid_t gid,
	       struct uerr *err);

/* Starts umlrun-netslirp on np->listen_fd and waits until it listens on
 * the forwarded ports or failed (its error is returned). It runs as
 * run_uid/run_gid when started by root, accepts only the kernel process's
 * connections (peer_uid), logs to log_fd, and carries UMLRUN_STATE=state_dir
 * in its environment, like the kernel process. */
int net_start(struct net_proc *np, const struct net_config *nc, uid_t run_uid, gid_t run_gid,
	      uid_t peer_uid, int log_fd, const char *state_dir, struct uerr *err);

/* Asks the running netslirp for its byte counts so far (it takes what the
 * guest left on its link first); waits up to NET_BYTES_TIMEOUT_MS. */
#define NET_BYTES_TIMEOUT_MS 5000
int net_read_bytes(const struct net_proc *np, struct net_bytes *b, struct uerr *err);

/* Kills and reaps netslirp, closes the socket and removes its path. */
void net_stop(struct net_proc *np);

/* ---- one sandbox's network, as sandbox.c uses it ---- */
struct net_sandbox {
	struct net_config cfg;
	struct net_proc proc;
	char *arg;                 /* the NIC argument, path inside the jail view */
	char *arg_nojail;          /* the same with the host path */
	const char *extra[2];      /* uml_args.extra: { arg, NULL } or { NULL } */
	const char *extra_nojail[2];
};

/* Builds the sandbox's network config from the spec and `run -p` ports,
 * appends its T_NET_* TLVs to the agent config, and records the effective
 * forwards in the spec's run.umlrun.net.ports annotation (which `umlrun
 * state` lists). *out is malloc'd; free with net_sandbox_free(). */
int net_sandbox_config(struct spec *s, char *const *cli_ports, struct pbuf *agent_config,
		       struct net_sandbox **out, struct uerr *err);

/* Slirp mode: the listening socket in UML_DIR (reached by the kernel as
 * JAIL_UML_DIR_PATH/net.sock) and the NIC arguments. Nothing in mode none. */
int net_sandbox_listen(struct net_sandbox *ns, const char *uml_dir, const char *jail_uml_dir,
		       uid_t uid, gid_t gid, struct uerr *err);

/* Slirp mode: starts netslirp (see net_start). Nothing in mode none. */
int net_sandbox_start(struct net_sandbox *ns, uid_t run_uid, gid_t run_gid, int log_fd,
		      const char *state_dir, struct uerr *err);

/* The sandbox's byte counts (see net_read_bytes): 0 with *b filled, 1 in
 * mode none (no network, nothing counted), -1 with err. */
int net_sandbox_bytes(const struct net_sandbox *ns, struct net_bytes *b, struct uerr *err);

void net_sandbox_free(struct net_sandbox *ns);

#endif
