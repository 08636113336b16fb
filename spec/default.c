/* default.c: the starter config.json of `umlrun spec`: the one `runc spec`
 * writes (same fields, order and layout; the hostname is "umlrun"), and
 * with opts->rootless the changes `runc spec --rootless` makes: no network
 * namespace, a user namespace mapping the caller's ids to 0, no device
 * cgroup rules, no gid=5 for devpts and /sys bind-mounted from the host. */
#include "spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#define OCI_VERSION "1.0.2-dev" /* what runc 1.1 writes */

struct gen {
	yajl_gen g;
	yajl_gen_status st; /* the first failure; later calls do nothing */
};

static void gen_str(struct gen *g, const char *s)
{
	if (g->st == yajl_gen_status_ok)
		g->st = yajl_gen_string(g->g, (const unsigned char *)s, strlen(s));
}

static void gen_int(struct gen *g, long long n)
{
	if (g->st == yajl_gen_status_ok)
		g->st = yajl_gen_integer(g->g, n);
}

static void gen_bool(struct gen *g, bool b)
{
	if (g->st == yajl_gen_status_ok)
		g->st = yajl_gen_bool(g->g, b);
}

static void gen_open(struct gen *g, char c)
{
	if (g->st == yajl_gen_status_ok)
		g->st = c == '{' ? yajl_gen_map_open(g->g) : yajl_gen_array_open(g->g);
}

static void gen_close(struct gen *g, char c)
{
	if (g->st == yajl_gen_status_ok)
		g->st = c == '}' ? yajl_gen_map_close(g->g) : yajl_gen_array_close(g->g);
}

/* "key": "value" */
static void gen_kv(struct gen *g, const char *key, const char *value)
{
	gen_str(g, key);
	gen_str(g, value);
}

/* "key": ["a", "b"...] from a NULL-terminated list, leaving out `skip` */
static void gen_strv(struct gen *g, const char *key, const char *const *v, const char *skip)
{
	gen_str(g, key);
	gen_open(g, '[');
	for (; *v != NULL; v++)
		if (skip == NULL || strcmp(*v, skip) != 0)
			gen_str(g, *v);
	gen_close(g, ']');
}

static void gen_process(struct gen *g)
{
	static const char *const env[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
	    NULL};
	static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					   NULL};
	static const char *const sh[] = {"sh", NULL};
	static const char *const sets[] = {"bounding", "effective", "permitted", "ambient", NULL};

	gen_str(g, "process");
	gen_open(g, '{');
	gen_str(g, "terminal");
	gen_bool(g, true);
	gen_str(g, "user");
	gen_open(g, '{');
	gen_str(g, "uid");
	gen_int(g, 0);
	gen_str(g, "gid");
	gen_int(g, 0);
	gen_close(g, '}');
	gen_strv(g, "args", sh, NULL);
	gen_strv(g, "env", env, NULL);
	gen_kv(g, "cwd", "/");
	gen_str(g, "capabilities");
	gen_open(g, '{');
	for (const char *const *set = sets; *set != NULL; set++)
		gen_strv(g, *set, caps, NULL);
	gen_close(g, '}');
	gen_str(g, "rlimits");
	gen_open(g, '[');
	gen_open(g, '{');
	gen_kv(g, "type", "RLIMIT_NOFILE");
	gen_str(g, "hard");
	gen_int(g, 1024);
	gen_str(g, "soft");
	gen_int(g, 1024);
	gen_close(g, '}');
	gen_close(g, ']');
	gen_str(g, "noNewPrivileges");
	gen_bool(g, true);
	gen_close(g, '}');
}

struct default_mount {
	const char *destination;
	const char *type;
	const char *source;
	const char *options[8];
};

static const struct default_mount mounts[] = {
    {"/proc", "proc", "proc", {NULL}},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
    {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
    {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* rootless: a user namespace may not mount sysfs, so bind the host's */
static const struct default_mount rootless_sys = {
    "/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro", NULL}};

static void gen_mounts(struct gen *g, bool rootless)
{
	gen_str(g, "mounts");
	gen_open(g, '[');
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		const struct default_mount *m = &mounts[i];

		if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &rootless_sys;
		gen_open(g, '{');
		gen_kv(g, "destination", m->destination);
		gen_kv(g, "type", m->type);
		gen_kv(g, "source", m->source);
		if (m->options[0] != NULL) /* "options" is omitted when empty */
			gen_strv(g, "options", m->options, rootless ? "gid=5" : NULL);
		gen_close(g, '}');
	}
	gen_close(g, ']');
}

static void gen_id_mapping(struct gen *g, const char *key, uint32_t host_id)
{
	gen_str(g, key);
	gen_open(g, '[');
	gen_open(g, '{');
	gen_str(g, "containerID");
	gen_int(g, 0);
	gen_str(g, "hostID");
	gen_int(g, host_id);
	gen_str(g, "size");
	gen_int(g, 1);
	gen_close(g, '}');
	gen_close(g, ']');
}

static void gen_linux(struct gen *g, const struct spec_default_opts *o)
{
	static const char *const namespaces[] = {"pid", "network", "ipc", "uts", "mount", NULL};
	static const char *const masked[] = {"/proc/acpi",
					     "/proc/asound",
					     "/proc/kcore",
					     "/proc/keys",
					     "/proc/latency_stats",
					     "/proc/timer_list",
					     "/proc/timer_stats",
					     "/proc/sched_debug",
					     "/sys/firmware",
					     "/proc/scsi",
					     NULL};
	static const char *const readonly[] = {
	    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

	gen_str(g, "linux");
	gen_open(g, '{');
	if (o->rootless) {
		gen_id_mapping(g, "uidMappings", o->uid);
		gen_id_mapping(g, "gidMappings", o->gid);
	} else {
		gen_str(g, "resources");
		gen_open(g, '{');
		gen_str(g, "devices");
		gen_open(g, '[');
		gen_open(g, '{');
		gen_str(g, "allow");
		gen_bool(g, false);
		gen_kv(g, "access", "rwm");
		gen_close(g, '}');
		gen_close(g, ']');
		gen_close(g, '}');
	}
	gen_str(g, "namespaces");
	gen_open(g, '[');
	for (const char *const *ns = namespaces; *ns != NULL; ns++) {
		if (o->rootless && strcmp(*ns, "network") == 0)
			continue;
		gen_open(g, '{');
		gen_kv(g, "type", *ns);
		gen_close(g, '}');
	}
	if (o->rootless) {
		gen_open(g, '{');
		gen_kv(g, "type", "user");
		gen_close(g, '}');
	}
	gen_close(g, ']');
	gen_strv(g, "maskedPaths", masked, NULL);
	gen_strv(g, "readonlyPaths", readonly, NULL);
	gen_close(g, '}');
}

static void yajl_gen_freep(yajl_gen *g)
{
	if (*g != NULL)
		yajl_gen_free(*g);
}

int spec_default_json(const struct spec_default_opts *o, char **out, size_t *len, struct uerr *err)
{
	yajl_gen y __attribute__((cleanup(yajl_gen_freep))) = yajl_gen_alloc(NULL);
	struct gen g = {.g = y, .st = yajl_gen_status_ok};
	const unsigned char *buf;
	size_t n;
	char *copy;

	*out = NULL;
	*len = 0;
	if (y == NULL)
		return uerr_set(err, ENOMEM, "default config");
	yajl_gen_config(y, yajl_gen_beautify, 1);
	yajl_gen_config(y, yajl_gen_indent_string, "\t");
	gen_open(&g, '{');
	gen_kv(&g, "ociVersion", OCI_VERSION);
	gen_process(&g);
	gen_str(&g, "root");
	gen_open(&g, '{');
	gen_kv(&g, "path", "rootfs");
	gen_str(&g, "readonly");
	gen_bool(&g, true);
	gen_close(&g, '}');
	gen_kv(&g, "hostname", "umlrun");
	gen_mounts(&g, o->rootless);
	gen_linux(&g, o);
	gen_close(&g, '}');
	if (g.st == yajl_gen_status_ok)
		g.st = yajl_gen_get_buf(y, &buf, &n);
	if (g.st != yajl_gen_status_ok)
		return uerr_set(err, 0, "default config: JSON generator error %d", (int)g.st);
	copy = malloc(n + 2);
	if (copy == NULL)
		return uerr_set(err, ENOMEM, "default config");
	memcpy(copy, buf, n);
	if (n == 0 || copy[n - 1] != '\n')
		copy[n++] = '\n';
	copy[n] = '\0';
	*out = copy;
	*len = n;
	return 0;
}
