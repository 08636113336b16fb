/* net.c: a sandbox's network on the host side (see net.h): the mode and
 * options from annotations and `run -p`, the agent's T_NET_* TLVs, the UML
 * NIC argument (vector driver, bess transport: the guest connects to a unix
 * seqpacket socket and reconnects at each "up", so the NIC never names a
 * host fd), and the umlrun-netslirp process with its control socket
 * (readiness, then the guest's byte counts for run --stats). */
#define _GNU_SOURCE
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "clock.h"
#include "paths.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef UMLRUN_DEFAULT_NETSLIRP
#define UMLRUN_DEFAULT_NETSLIRP "/usr/local/libexec/umlrun/umlrun-netslirp"
#endif

#define ANN_PREFIX "run.umlrun.net"

/* ---- options ------------------------------------------------------------ */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static int parse_port(const char *s, uint16_t *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* One [ADDR:]HOST:GUEST[/tcp|/udp]. */
static int parse_one_port(char *item, const char *field, struct net_config *nc, struct uerr *err)
{
	autofree char *copy = strdup(item);
	struct net_port p = { .host_addr.s_addr = htonl(INADDR_ANY) };
	char *proto, *guest, *host, *addr = NULL;

	if (copy == NULL)
		return uerr_set(err, ENOMEM, "%s", field);
	proto = strchr(copy, '/');
	if (proto) {
		*proto++ = '\0';
		if (strcmp(proto, "udp") == 0)
			p.udp = true;
		else if (strcmp(proto, "tcp") != 0)
			return uerr_set(err, 0, "%s: \"%s\": protocol must be tcp or udp", field, item);
	}
	guest = strrchr(copy, ':');
	if (guest == NULL)
		return uerr_set(err, 0, "%s: \"%s\": want HOST:GUEST[/udp]", field, item);
	*guest++ = '\0';
	host = strrchr(copy, ':');
	if (host) {
		*host++ = '\0';
		addr = copy;
	} else {
		host = copy;
	}
	if (addr && inet_pton(AF_INET, addr, &p.host_addr) != 1)
		return uerr_set(err, 0, "%s: \"%s\": \"%s\" is not an IPv4 address", field, item, addr);
	if (parse_port(host, &p.host_port) < 0 || parse_port(guest, &p.guest_port) < 0)
		return uerr_set(err, 0, "%s: \"%s\": port out of range (1-65535)", field, item);
	for (size_t i = 0; i < nc->n_ports; i++)
		if (nc->ports[i].host_port == p.host_port && nc->ports[i].udp == p.udp)
			return uerr_set(err, 0, "%s: \"%s\": host port %u/%s is forwarded twice", field,
					item, p.host_port, p.udp ? "udp" : "tcp");
	if (nc->n_ports == NET_MAX_PORTS)
		return uerr_set(err, 0, "%s: more than %d forwards", field, NET_MAX_PORTS);
	nc->ports[nc->n_ports++] = p;
	return 0;
}

int net_parse_ports(const char *list, const char *field, struct net_config *nc, struct uerr *err)
{
	autofree char *copy = strdup(list);
	char *save = NULL;

	if (copy == NULL)
		return uerr_set(err, ENOMEM, "%s", field);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *item = trim(tok);

		if (*item == '\0')
			continue;
		if (parse_one_port(item, field, nc, err) < 0)
			return -1;
	}
	return 0;
}

static int parse_bool(const char *key, const char *v, bool *out, struct uerr *err)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return uerr_set(err, 0, "annotation %s: \"%s\": want true or false", key, v);
	return 0;
}

static int apply_annotation(const char *key, const char *v, struct net_config *nc,
			    struct uerr *err)
{
	const char *sub = key + strlen(ANN_PREFIX);
	char field[160];

	if (strcmp(sub, "") == 0) {
		if (strcmp(v, "slirp") == 0)
			nc->mode = NET_SLIRP;
		else if (strcmp(v, "none") == 0)
			nc->mode = NET_NONE;
		else
			return uerr_set(err, 0, "annotation %s: \"%s\": want slirp or none", key, v);
		return 0;
	}
	if (strcmp(sub, ".host-loopback") == 0)
		return parse_bool(key, v, &nc->host_loopback, err);
	if (strcmp(sub, ".ipv6") == 0)
		return parse_bool(key, v, &nc->ipv6, err);
	if (strcmp(sub, ".offload") == 0)
		return parse_bool(key, v, &nc->offload, err);
	if (strcmp(sub, ".mtu") == 0) {
		char *end;
		long m;

		errno = 0;
		m = strtol(v, &end, 10);
		if (errno || end == v || *end || m < NET_MIN_MTU || m > NET_MAX_MTU)
			return uerr_set(err, 0, "annotation %s: \"%s\": want %d-%d", key, v,
					NET_MIN_MTU, NET_MAX_MTU);
		nc->mtu = (unsigned)m;
		return 0;
	}
	if (strcmp(sub, ".ports") == 0) {
		snprintf(field, sizeof(field), "annotation %s", key);
		return net_parse_ports(v, field, nc, err);
	}
	return uerr_set(err, 0,
			"annotation %s: unknown (known: run.umlrun.net, .host-loopback, .ipv6, .mtu, "
			".offload, .ports)",
			key);
}

int net_config_build(const struct spec *s, char *const *cli_ports, struct net_config *nc,
		     struct uerr *err)
{
	bool explicit_mode = false;

	*nc = (struct net_config){ .mode = NET_SLIRP, .ipv6 = true, .offload = true,
				   .mtu = NET_DEFAULT_MTU };
	/* OCI: a new network namespace has only loopback; none shares the
	 * host's network, whose unprivileged stand-in is slirp. A namespace
	 * path (set up by podman, CNI...) cannot be joined by a UML guest:
	 * slirp gives it a working network of its own. */
	for (size_t i = 0; s->has_linux && i < s->linux_.n_namespaces; i++)
		if (s->linux_.namespaces[i].type == SPEC_NS_NETWORK &&
		    s->linux_.namespaces[i].path == NULL)
			nc->mode = NET_NONE;
	for (size_t i = 0; i < s->n_annotations; i++) {
		const char *k = s->annotations[i].key;

		if (strncmp(k, ANN_PREFIX, strlen(ANN_PREFIX)) != 0 ||
		    (k[strlen(ANN_PREFIX)] != '\0' && k[strlen(ANN_PREFIX)] != '.'))
			continue;
		if (strcmp(k, ANN_PREFIX) == 0)
			explicit_mode = true;
		if (apply_annotation(k, s->annotations[i].value, nc, err) < 0)
			return -1;
	}
	for (char *const *p = cli_ports; p && *p; p++)
		if (net_parse_ports(*p, "-p", nc, err) < 0)
			return -1;
	if (nc->mode == NET_NONE && nc->n_ports > 0)
		return uerr_set(err, 0,
				"port forwards need network mode slirp, but it is none (%s); set the annotation run.umlrun.net=slirp",
				explicit_mode ? "annotation run.umlrun.net" :
						"config.json asks for a new network namespace");
	return 0;
}

char *net_format_ports(const struct net_config *nc)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < nc->n_ports; i++) {
		const struct net_port *p = &nc->ports[i];
		char a[INET_ADDRSTRLEN] = "";

		if (p->host_addr.s_addr != htonl(INADDR_ANY))
			inet_ntop(AF_INET, &p->host_addr, a, sizeof(a));
		fprintf(f, "%s%s%s%u:%u/%s", i ? "," : "", a, a[0] ? ":" : "", p->host_port,
			p->guest_port, p->udp ? "udp" : "tcp");
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- the guest's side ------------------------------------------------------ */

int net_agent_tlvs(const struct net_config *nc, const char *hostname, struct pbuf *out)
{
	uint8_t a4[5], gw[4], v6 = nc->ipv6 ? 1 : 0;
	autofree char *resolv = NULL, *hosts = NULL;

	if (nc->mode == NET_NONE)
		return 0;
	inet_pton(AF_INET, NET_GUEST_ADDR, a4);
	a4[4] = NET_GUEST_PREFIX;
	inet_pton(AF_INET, NET_GATEWAY, gw);
	if (asprintf(&resolv, "# umlrun-netslirp's DNS forwarder\nnameserver %s\n%s%s%s", NET_DNS,
		     nc->ipv6 ? "nameserver " : "", nc->ipv6 ? NET_DNS6 : "",
		     nc->ipv6 ? "\n" : "") < 0)
		return -1;
	if (asprintf(&hosts,
		     "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s%s%s%s%s%s",
		     hostname ? NET_GUEST_ADDR "\t" : "", hostname ? hostname : "",
		     hostname ? "\n" : "", nc->host_loopback ? NET_GATEWAY "\t" : "",
		     nc->host_loopback ? NET_HOST_NAME : "", nc->host_loopback ? "\n" : "") < 0)
		return -1;
	if (proto_tlv_str(out, T_NET_IFACE, NET_GUEST_IFACE) < 0 ||
	    proto_tlv(out, T_NET_ADDR4, a4, sizeof(a4)) < 0 ||
	    proto_tlv(out, T_NET_GW4, gw, sizeof(gw)) < 0 ||
	    proto_tlv_u32(out, T_NET_MTU, nc->mtu) < 0 || proto_tlv(out, T_NET_IPV6, &v6, 1) < 0 ||
	    proto_tlv_str(out, T_NET_RESOLV, resolv) < 0 ||
	    proto_tlv_str(out, T_NET_HOSTS, hosts) < 0)
		return -1;
	return 0;
}

/* Receive offload (run.umlrun.net.offload, default true): up to this MTU
 * the guest's NIC takes frames of up to 64 KiB whatever its MTU (the
 * vector driver's gro=1: 64 KiB receive buffers) and netslirp (--offload)
 * has libslirp send it TCP segments of up to 32 KiB; the guest's own frames
 * stay within its MTU. Host to guest at MTU 1500, the guest handles two
 * frames where it had 44 a window: twice the throughput. */
#define NET_OFFLOAD_MAX_MTU 16384
static bool net_offload(const struct net_config *nc)
{
	return nc->offload && nc->mtu <= NET_OFFLOAD_MAX_MTU;
}

/* The vector driver's ring depth: it keeps depth receive buffers of a full
 * frame each (and headers: 2 KiB at MTU 1500, 64 KiB with gro=1, 128 KiB
 * at MTU 65520) allocated in the guest: NET_RING_BYTES of them at most,
 * NET_DEPTH_MIN at least: a connection has 256 KiB in flight (netslirp's
 * windows), 8 frames of 32 KiB. At MTU 65520 depth 128 took 16 of the
 * guest's 64 MiB. */
#define NET_DEPTH_MAX 128
#define NET_DEPTH_MIN 16
#define NET_RING_BYTES (2u << 20)
static unsigned net_ring_depth(const struct net_config *nc)
{
	unsigned buf = 2048, depth;

	/* a frame, the driver's margins, the skb's tail */
	while (buf < (net_offload(nc) ? 65536 : nc->mtu + 512))
		buf *= 2;
	depth = NET_RING_BYTES / buf;
	return depth > NET_DEPTH_MAX ? NET_DEPTH_MAX : depth < NET_DEPTH_MIN ? NET_DEPTH_MIN : depth;
}

char *net_uml_arg(const struct net_config *nc, const char *sock_path, struct uerr *err)
{
	char *arg = NULL;

	if (strlen(sock_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		uerr_set(err, 0, "network socket path %s is longer than a unix socket allows",
			 sock_path);
	else if (asprintf(&arg, "vec0:transport=bess,dst=%s,mtu=%u,depth=%u%s", sock_path,
			  nc->mtu, net_ring_depth(nc), net_offload(nc) ? ",gro=1" : "") < 0)
		uerr_set(err, ENOMEM, "network argument");
	return arg;
}

/* ---- netslirp ------------------------------------------------------------ */

int net_listen(struct net_proc *np, const char *sock_path, uid_t uid, gid_t gid,
	       struct uerr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	autoclose int fd = -1;

	if (strlen(sock_path) >= sizeof(sa.sun_path))
		return uerr_set(err, 0, "network socket path %s is too long", sock_path);
	strcpy(sa.sun_path, sock_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return uerr_set(err, errno, "network socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return uerr_set(err, errno, "network socket %s", sock_path);
	np->sock_path = strdup(sock_path);
	if (np->sock_path == NULL)
		return uerr_set(err, ENOMEM, "network socket");
	if (chmod(sock_path, 0600) < 0 || (geteuid() == 0 && chown(sock_path, uid, gid) < 0))
		return uerr_set(err, errno, "network socket %s", sock_path);
	if (listen(fd, 4) < 0)
		return uerr_set(err, errno, "network socket %s", sock_path);
	np->listen_fd = steal_fd(fd);
	return 0;
}

/* $UMLRUN_NETSLIRP; next to a build tree's runtime/umlrun; the install path. */
static char *find_netslirp(struct uerr *err)
{
	const char *env = getenv("UMLRUN_NETSLIRP");
	char self[4096], *path = NULL;
	ssize_t n;

	if (env && env[0])
		path = strdup(env);
	if (path == NULL && (n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if (asprintf(&path, "%s/../netslirp/umlrun-netslirp", dirname(self)) < 0)
			path = NULL;
		if (path && access(path, X_OK) < 0) {
			free(path);
			path = NULL;
		}
	}
	if (path == NULL)
		path = strdup(UMLRUN_DEFAULT_NETSLIRP);
	if (path == NULL)
		uerr_set(err, ENOMEM, "umlrun-netslirp");
	else if (access(path, X_OK) < 0) {
		uerr_set(err, errno, "umlrun-netslirp %s", path);
		free(path);
		path = NULL;
	}
	return path;
}

#define MAX_NS_ARGS (24 + NET_MAX_PORTS * 2)

static void build_argv(const struct net_config *nc, char *exe, uid_t run_uid, gid_t run_gid,
		       uid_t peer_uid, char (*buf)[64], char **argv)
{
	size_t n = 0, b = 0;

#define NUM(fmt, v) (snprintf(buf[b], sizeof(buf[b]), fmt, v), buf[b++])
	argv[n++] = exe;
	argv[n++] = "--link-fd=3";
	argv[n++] = "--lifeline-fd=4";
	argv[n++] = "--ctl-fd=5";
	argv[n++] = NUM("--mtu=%u", nc->mtu);
	if (net_offload(nc))
		argv[n++] = "--offload";
	if (nc->host_loopback)
		argv[n++] = "--host-loopback";
	if (!nc->ipv6)
		argv[n++] = "--no-ipv6";
	if (geteuid() == 0) {
		argv[n++] = NUM("--uid=%u", (unsigned)run_uid);
		argv[n++] = NUM("--gid=%u", (unsigned)run_gid);
	}
	argv[n++] = NUM("--peer-uid=%u", (unsigned)peer_uid);
	for (size_t i = 0; i < nc->n_ports; i++) {
		const struct net_port *p = &nc->ports[i];
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &p->host_addr, a, sizeof(a));
		snprintf(buf[b], sizeof(buf[b]), "--forward=%s:%s:%u:%u", p->udp ? "udp" : "tcp", a,
			 p->host_port, p->guest_port);
		argv[n++] = buf[b++];
	}
	argv[n] = NULL;
#undef NUM
}

/* In the child: fds 3-5, its own session (no terminal signals), dies with
 * the monitor. Returns only on failure. */
static void exec_child(char *const *argv, int listen_fd, int life_rd, int ctl, int log_fd,
		       const char *state_dir)
{
	char tag[4200];
	char *envp[] = { tag, NULL };
	int l, r, w, g, nul;

	snprintf(tag, sizeof(tag), "UMLRUN_STATE=%s", state_dir);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || setsid() < 0)
		return;
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	l = fcntl(listen_fd, F_DUPFD_CLOEXEC, 10);
	r = fcntl(life_rd, F_DUPFD_CLOEXEC, 10);
	w = fcntl(ctl, F_DUPFD_CLOEXEC, 10);
	g = fcntl(log_fd, F_DUPFD_CLOEXEC, 10);
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (l < 0 || r < 0 || w < 0 || g < 0 || nul < 0)
		return;
	if (dup2(nul, 0) < 0 || dup2(g, 1) < 0 || dup2(g, 2) < 0 || dup2(l, 3) < 0 ||
	    dup2(r, 4) < 0 || dup2(w, 5) < 0)
		return;
	if (close_range(6, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return;
	execve(argv[0], argv, envp);
}

/* One message from netslirp's control socket, without its newline, in buf
 * (cap bytes): its length, 0 when netslirp closed the socket (it exited),
 * or -1 with errno (ETIMEDOUT: nothing within timeout_ms). */
static ssize_t ctl_recv(int fd, char *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	if (r <= 0)
		return -1;
	do
		n = recv(fd, buf, cap - 1, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return n;
}

/* netslirp's "ok" or "error: ..."; it only sets itself up, so
 * NET_READY_TIMEOUT_MS without a word means it is stuck. */
#define NET_READY_TIMEOUT_MS 30000
static int wait_ready(int fd, struct uerr *err)
{
	char buf[600];
	ssize_t n = ctl_recv(fd, buf, sizeof(buf), NET_READY_TIMEOUT_MS);

	if (n < 0 && errno == ETIMEDOUT)
		return uerr_set(err, 0, "umlrun-netslirp did not report ready in %d s",
				NET_READY_TIMEOUT_MS / 1000);
	if (n < 0)
		return uerr_set(err, errno, "umlrun-netslirp");
	if (strcmp(buf, "ok") == 0)
		return 0;
	if (strncmp(buf, "error: ", 7) == 0)
		return uerr_set(err, 0, "umlrun-netslirp: %s", buf + 7);
	return uerr_set(err, 0, "umlrun-netslirp exited before it was ready (see kernel.log)");
}

int net_start(struct net_proc *np, const struct net_config *nc, uid_t run_uid, gid_t run_gid,
	      uid_t peer_uid, int log_fd, const char *state_dir, struct uerr *err)
{
	autofree char *exe = find_netslirp(err);
	char nums[8 + NET_MAX_PORTS][64];
	char *argv[MAX_NS_ARGS];
	int life[2], ctl[2];
	autoclose int life_rd = -1, ctl_child = -1;
	pid_t pid;

	if (exe == NULL)
		return -1;
	build_argv(nc, exe, run_uid, run_gid, peer_uid, nums, argv);
	if (pipe2(life, O_CLOEXEC) < 0)
		return uerr_set(err, errno, "pipe2");
	life_rd = life[0];
	np->lifeline = life[1];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0)
		return uerr_set(err, errno, "socketpair");
	np->ctl = ctl[0];
	ctl_child = ctl[1];
	pid = fork();
	if (pid < 0)
		return uerr_set(err, errno, "fork umlrun-netslirp");
	if (pid == 0) {
		exec_child(argv, np->listen_fd, life_rd, ctl_child, log_fd, state_dir);
		_exit(127);
	}
	np->pid = pid;
	cleanup_closep(&ctl_child);
	cleanup_closep(&life_rd);
	return wait_ready(np->ctl, err);
}

int net_read_bytes(const struct net_proc *np, struct net_bytes *b, struct uerr *err)
{
	char buf[64];
	int end = -1;
	ssize_t n;

	if (np->ctl < 0)
		return uerr_set(err, 0, "umlrun-netslirp is not running");
	if (send(np->ctl, "bytes\n", 6, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return uerr_set(err, errno, "asking umlrun-netslirp for its byte counts");
	n = ctl_recv(np->ctl, buf, sizeof(buf), NET_BYTES_TIMEOUT_MS);
	if (n <= 0)
		return uerr_set(err, n < 0 ? errno : 0, "umlrun-netslirp's byte counts%s",
				n < 0 ? "" : ": it has exited");
	if (sscanf(buf, "bytes %llu %llu%n", &b->in, &b->out, &end) != 2 || buf[end] != '\0')
		return uerr_set(err, 0, "umlrun-netslirp's byte counts: bad answer");
	return 0;
}

/* netslirp's own limit is 10 s (netslirp/main.c, drain()); this one only
 * guards against a netslirp that never answers. */
#define NET_DRAIN_TIMEOUT_MS 12000

/* Once the kernel is gone, netslirp hands the host's sockets what the guest
 * sent last ("drain") and exits; any other answer (a late "bytes") is
 * skipped. */
static void net_drain(const struct net_proc *np)
{
	long deadline = now_ms() + NET_DRAIN_TIMEOUT_MS;
	char buf[64];

	if (np->ctl < 0 || send(np->ctl, "drain\n", 6, MSG_DONTWAIT | MSG_NOSIGNAL) != 6)
		return;
	for (long left; (left = deadline - now_ms()) > 0;)
		if (ctl_recv(np->ctl, buf, sizeof(buf), (int)left) <= 0 || strcmp(buf, "drained") == 0)
			return;
}

void net_stop(struct net_proc *np)
{
	if (np->pid > 0) {
		net_drain(np);
		kill(np->pid, SIGKILL);
		waitpid(np->pid, NULL, 0);
		np->pid = 0;
	}
	cleanup_closep(&np->lifeline);
	cleanup_closep(&np->ctl);
	cleanup_closep(&np->listen_fd);
	if (np->sock_path)
		unlink(np->sock_path);
	free(np->sock_path);
	np->sock_path = NULL;
}

/* ---- one sandbox's network ---------------------------------------------- */

/* Sets (or replaces) an annotation of the parsed spec. */
static int set_annotation(struct spec *s, const char *key, const char *value)
{
	struct spec_kv *kv;
	char *v = strdup(value), *k;

	if (v == NULL)
		return -1;
	for (size_t i = 0; i < s->n_annotations; i++)
		if (strcmp(s->annotations[i].key, key) == 0) {
			free(s->annotations[i].value);
			s->annotations[i].value = v;
			return 0;
		}
	k = strdup(key);
	kv = k ? realloc(s->annotations, (s->n_annotations + 1) * sizeof(*kv)) : NULL;
	if (kv == NULL) {
		free(k);
		free(v);
		return -1;
	}
	kv[s->n_annotations++] = (struct spec_kv){ .key = k, .value = v };
	s->annotations = kv;
	return 0;
}

int net_sandbox_config(struct spec *s, char *const *cli_ports, struct pbuf *agent_config,
		       struct net_sandbox **out, struct uerr *err)
{
	struct net_sandbox *ns = calloc(1, sizeof(*ns));
	autofree char *ports = NULL;

	if (ns == NULL)
		return uerr_set(err, ENOMEM, "network");
	ns->proc = (struct net_proc)NET_PROC_INIT;
	*out = ns;
	if (net_config_build(s, cli_ports, &ns->cfg, err) < 0)
		return -1;
	if (net_agent_tlvs(&ns->cfg, s->hostname, agent_config) < 0)
		return uerr_set(err, errno, "encoding the network configuration");
	if (ns->cfg.n_ports == 0)
		return 0;
	ports = net_format_ports(&ns->cfg);
	if (ports == NULL || set_annotation(s, ANN_PREFIX ".ports", ports) < 0)
		return uerr_set(err, ENOMEM, "network ports");
	return 0;
}

int net_sandbox_listen(struct net_sandbox *ns, const char *uml_dir, const char *jail_uml_dir,
		       uid_t uid, gid_t gid, struct uerr *err)
{
	autofree char *host = NULL, *jail = NULL;

	if (ns->cfg.mode == NET_NONE)
		return 0;
	if (asprintf(&host, "%s/" NET_SOCK_NAME, uml_dir) < 0 ||
	    asprintf(&jail, "%s/" NET_SOCK_NAME, jail_uml_dir) < 0)
		return uerr_set(err, ENOMEM, "network");
	if (net_listen(&ns->proc, host, uid, gid, err) < 0)
		return -1;
	ns->arg = net_uml_arg(&ns->cfg, jail, err);
	ns->arg_nojail = ns->arg ? net_uml_arg(&ns->cfg, host, err) : NULL;
	if (ns->arg_nojail == NULL)
		return -1;
	ns->extra[0] = ns->arg;
	ns->extra_nojail[0] = ns->arg_nojail;
	return 0;
}

int net_sandbox_start(struct net_sandbox *ns, uid_t run_uid, gid_t run_gid, int log_fd,
		      const char *state_dir, struct uerr *err)
{
	if (ns->cfg.mode == NET_NONE)
		return 0;
	return net_start(&ns->proc, &ns->cfg, run_uid, run_gid, run_uid, log_fd, state_dir, err);
}

int net_sandbox_bytes(const struct net_sandbox *ns, struct net_bytes *b, struct uerr *err)
{
	if (ns == NULL || ns->cfg.mode == NET_NONE)
		return 1;
	return net_read_bytes(&ns->proc, b, err);
}

void net_sandbox_free(struct net_sandbox *ns)
{
	if (ns == NULL)
		return;
	net_stop(&ns->proc);
	free(ns->arg);
	free(ns->arg_nojail);
	free(ns);
}
