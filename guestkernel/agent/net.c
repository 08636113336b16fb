/* net.c: the guest's network, set up by the agent once the container's root
 * is mounted: loopback always; with T_NET_IFACE, the NIC (UML's vector
 * driver, backed by umlrun-netslirp on the host) with its MTU, IPv4 address
 * and default route (IPv6 comes from netslirp's router advertisements), TCP
 * receive buffers sized for netslirp's windows, and
 * /etc/resolv.conf and /etc/hosts. Those live on a private tmpfs and are
 * bind-mounted over the root's files, so the host's copy of the rootfs is
 * never written; a read-only root without them gets them through an
 * overlay on /etc whose upper layer is that tmpfs. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runtime/cleanup.h"

/* The guest's TCP receive buffers: min, default, max (tune_tcp). */
#define NET_TCP_RMEM "4096 1048576 1048576"

/* The private tmpfs, on the agent's own /dev for the moment of the set-up. */
#define NET_SCRATCH "/dev/.umlrun-net"

static int dup_str(char **field, const uint8_t *d, uint32_t len, const char *what, struct aerr *e)
{
	char *s;

	if (memchr(d, '\0', len) != NULL)
		return aerr_set(e, 0, "%s contains a NUL byte", what);
	s = malloc((size_t)len + 1);
	if (s == NULL)
		return aerr_set(e, errno, "%s", what);
	memcpy(s, d, len);
	s[len] = '\0';
	free(*field);
	*field = s;
	return 0;
}

int net_decode_tag(struct agent_net *n, uint16_t tag, const uint8_t *d, uint32_t len,
		   struct aerr *e)
{
	switch (tag) {
	case T_NET_IFACE:
		if (len == 0 || len >= IFNAMSIZ)
			return aerr_set(e, 0, "net interface name of %u bytes", len);
		return dup_str(&n->iface, d, len, "net interface", e);
	case T_NET_ADDR4:
		if (len != 5 || d[4] > 32)
			return aerr_set(e, 0, "net address has length %u, want 5", len);
		memcpy(n->addr4, d, 4);
		n->prefix = d[4];
		n->has_addr4 = true;
		return 0;
	case T_NET_GW4:
		if (len != 4)
			return aerr_set(e, 0, "net gateway has length %u, want 4", len);
		memcpy(n->gw4, d, 4);
		n->has_gw4 = true;
		return 0;
	case T_NET_MTU:
		if (len != 4)
			return aerr_set(e, 0, "net mtu has length %u, want 4", len);
		memcpy(&n->mtu, d, 4);
		return 0;
	case T_NET_IPV6:
		if (len != 1)
			return aerr_set(e, 0, "net ipv6 has length %u, want 1", len);
		n->ipv6 = d[0] != 0;
		return 0;
	case T_NET_RESOLV:
		return dup_str(&n->resolv, d, len, "resolv.conf", e);
	case T_NET_HOSTS:
		return dup_str(&n->hosts, d, len, "hosts", e);
	default:
		return 1;
	}
}

void net_free(struct agent_net *n)
{
	free(n->iface);
	free(n->resolv);
	free(n->hosts);
	memset(n, 0, sizeof(*n));
}

/* ---- interfaces ------------------------------------------------------------ */

static int if_up(int s, const char *name, struct aerr *e)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return aerr_set(e, errno, "net: interface %s", name);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return aerr_set(e, errno, "net: bring %s up", name);
	return 0;
}

static void set_in(struct sockaddr *sa, const uint8_t a[4])
{
	struct sockaddr_in *in = (struct sockaddr_in *)sa;

	memset(in, 0, sizeof(*in));
	in->sin_family = AF_INET;
	memcpy(&in->sin_addr, a, 4);
}

/* Best effort: a sysctl the guest kernel may lack. */
static void proc_write(const char *path, const char *text)
{
	autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0)
		(void)!write(fd, text, strlen(text));
}

static int configure_nic(int s, const struct agent_net *n, struct aerr *e)
{
	struct ifreq ifr = { 0 };
	struct rtentry rt = { 0 };
	uint8_t mask[4] = { 0 }, any[4] = { 0 };
	uint32_t m = n->prefix ? htonl(~0u << (32 - n->prefix)) : 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", n->iface);
	if (n->mtu) {
		ifr.ifr_mtu = (int)n->mtu;
		if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
			return aerr_set(e, errno, "net: mtu %u on %s", n->mtu, n->iface);
	}
	if (n->has_addr4) {
		set_in(&ifr.ifr_addr, n->addr4);
		if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
			return aerr_set(e, errno, "net: address on %s", n->iface);
		memcpy(mask, &m, 4);
		set_in(&ifr.ifr_netmask, mask);
		if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
			return aerr_set(e, errno, "net: netmask on %s", n->iface);
	}
	if (!n->ipv6) { /* best effort: netslirp sends no router advertisements anyway */
		char path[80];

		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", n->iface);
		proc_write(path, "1");
	}
	if (if_up(s, n->iface, e) < 0)
		return -1;
	if (!n->has_gw4)
		return 0;
	set_in(&rt.rt_dst, any);
	set_in(&rt.rt_genmask, any);
	set_in(&rt.rt_gateway, n->gw4);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	rt.rt_dev = n->iface;
	if (ioctl(s, SIOCADDRT, &rt) < 0 && errno != EEXIST)
		return aerr_set(e, errno, "net: default route via %s", n->iface);
	return 0;
}

/* The guest keeps its window open, and acknowledges a burst at once, only
 * if its receive buffer holds several windows of NIC buffers (a full
 * frame's each: 128 KiB at MTU 65520, 64 KiB with the receive offload).
 * The default buffer (128 KiB) held less than one of the 64 KiB windows of
 * the system's libslirp: 65 Mbit/s host to guest at MTU 65520. netslirp's
 * own libslirp has up to 256 KiB in flight (window scaling), and fills
 * what window the guest opens with data its reader has yet to take: with
 * a 4 MiB buffer (a window of 2 MiB, the frames' buffers twice that) one
 * download put a 64 MiB guest's TCP under memory pressure (3.4 MiB), its
 * window closed, and libslirp waited for its persist timer: 134 Mbit/s
 * (bench/net). 1 MiB holds 16 frames of either size. Best effort;
 * config.json's own net.ipv4.tcp_rmem (written before) stays. */
static void tune_tcp(const struct agent_config *c)
{
	for (size_t i = 0; i < c->n_sysctls; i++)
		if (strcmp(c->sysctls[i].key, "net.ipv4.tcp_rmem") == 0 ||
		    strcmp(c->sysctls[i].key, "net/ipv4/tcp_rmem") == 0)
			return;
	proc_write("/proc/sys/net/ipv4/tcp_rmem", NET_TCP_RMEM);
}

/* ---- resolv.conf and hosts ------------------------------------------------- */

static int write_file(const char *path, const char *text, struct aerr *e)
{
	autoclose int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return aerr_set(e, errno, "net: write %s", path);
	return 0;
}

/* 1 if /etc/NAME is there to bind over (a file, maybe through a symlink). */
static bool target_exists(const char *target)
{
	struct stat st;

	return stat(target, &st) == 0 && S_ISREG(st.st_mode);
}

static int bind_file(const char *name, const char *target, bool root_ro, struct aerr *e)
{
	char src[64];

	snprintf(src, sizeof(src), NET_SCRATCH "/upper/%s", name);
	if (!target_exists(target)) {
		if (root_ro)
			return 1; /* the overlay's job */
		/* a writable root gets the mountpoint, as runc does */
		if (write_file(target, "", e) < 0)
			return -1;
	}
	if (mount(src, target, NULL, MS_BIND, NULL) < 0)
		return aerr_set(e, errno, "net: bind %s", target);
	return 0;
}

static int overlay_etc(struct aerr *e)
{
	if (mount("umlrun-etc", "/etc", "overlay", 0,
		  "lowerdir=/etc,upperdir=" NET_SCRATCH "/upper,workdir=" NET_SCRATCH "/work") < 0)
		return aerr_set(e, errno, "net: overlay on /etc for resolv.conf and hosts");
	return 0;
}

static int name_files(const struct agent_config *c, struct aerr *e)
{
	const struct agent_net *n = &c->net;
	struct {
		const char *name, *target, *text;
	} f[] = { { "resolv.conf", "/etc/resolv.conf", n->resolv },
		  { "hosts", "/etc/hosts", n->hosts } };
	bool root_ro = c->root_ro;
	struct stat st;
	bool need_overlay = false;
	int r = 0;

	if (stat("/etc", &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "umlrun-agent: net: no /etc in the root: no resolv.conf or hosts\n");
		return 0;
	}
	if (stat("/dev", &st) < 0 || (mkdir(NET_SCRATCH, 0700) < 0 && errno != EEXIST)) {
		fprintf(stderr, "umlrun-agent: net: no /dev in the root: no resolv.conf or hosts\n");
		return 0;
	}
	if (mount("umlrun-net", NET_SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0755,size=64k") < 0)
		return aerr_set(e, errno, "net: tmpfs for resolv.conf and hosts");
	if (mkdir(NET_SCRATCH "/upper", 0755) < 0 || mkdir(NET_SCRATCH "/work", 0755) < 0)
		r = aerr_set(e, errno, "net: mkdir " NET_SCRATCH);
	for (size_t i = 0; r == 0 && i < sizeof(f) / sizeof(f[0]); i++) {
		char path[64];

		/* config.json's own mount of the file wins (podman's, say) */
		if (f[i].text == NULL || mounts_has_dest(c, f[i].target))
			continue;
		snprintf(path, sizeof(path), NET_SCRATCH "/upper/%s", f[i].name);
		r = write_file(path, f[i].text, e);
		if (r == 0)
			r = bind_file(f[i].name, f[i].target, root_ro, e);
		if (r == 1) {
			need_overlay = true;
			r = 0;
		}
	}
	if (r == 0 && need_overlay)
		r = overlay_etc(e);
	/* the binds and the overlay hold the tmpfs; its path goes */
	umount2(NET_SCRATCH, MNT_DETACH);
	rmdir(NET_SCRATCH);
	return r;
}

int net_setup(const struct agent_config *c, struct aerr *e)
{
	const struct agent_net *n = &c->net;
	autoclose int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return aerr_set(e, errno, "net: socket");
	if (if_up(s, "lo", e) < 0)
		return -1;
	if (n->iface == NULL) /* network mode none */
		return 0;
	if (configure_nic(s, n, e) < 0)
		return -1;
	tune_tcp(c);
	return name_files(c, e);
}
