/* test-spec-default.c: unit tests for `umlrun spec`: the default config of
 * spec/default.c parses with our own parser (round trip) and has the
 * fields of `runc spec` (byte for byte, apart from the hostname, against
 * runc's output in the fuzz corpus), the rootless variant has runc's
 * changes, and cmd_spec_main writes it, refuses to overwrite, and reports
 * bad options and directories. Standalone TAP (helpers in test-spec.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/cmd_spec.h"
#include "test-spec.h"

#ifndef UMLRUN_SRCDIR
#define UMLRUN_SRCDIR "."
#endif

#define BIT(n) (UINT64_C(1) << (n))

static struct spec *parse_default(struct tap *t, const struct spec_default_opts *o, char **json_out)
{
	autofree char *json = NULL;
	struct spec *s = NULL;
	struct uerr err = {0};
	size_t len = 0;
	int r = spec_default_json(o, &json, &len, &err);

	report(t, r == 0 && json != NULL && len == strlen(json) && len > 0 && json[len - 1] == '\n',
	       err.msg, "spec_default_json (%s) makes NUL-terminated text ending in a newline",
	       o->rootless ? "rootless" : "root");
	if (r < 0)
		return NULL;
	r = spec_parse(json, len, "default config.json", &s, &err);
	report(t, r == 0 && s != NULL, err.msg, "the %s default config parses with spec_parse",
	       o->rootless ? "rootless" : "root");
	if (json_out != NULL)
		*json_out = steal_ptr(json);
	return s;
}

static const struct spec_mount *find_mount(const struct spec *s, const char *dest)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (streq(s->mounts[i].destination, dest))
			return &s->mounts[i];
	return NULL;
}

static bool has_option(const struct spec_mount *m, const char *opt)
{
	for (size_t i = 0; m != NULL && i < m->n_options; i++)
		if (streq(m->options[i], opt))
			return true;
	return false;
}

static void test_default(struct tap *t)
{
	static const char *const args[] = {"sh", NULL};
	static const char *const env[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
	    NULL};
	static const char *const dests[] = {"/proc",	   "/dev", "/dev/pts",	     "/dev/shm",
					    "/dev/mqueue", "/sys", "/sys/fs/cgroup", NULL};
	static const enum spec_ns_type ns[] = {SPEC_NS_PID, SPEC_NS_NETWORK, SPEC_NS_IPC,
					       SPEC_NS_UTS, SPEC_NS_MOUNT};
	/* CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10) */
	const uint64_t caps = BIT(29) | BIT(5) | BIT(10);
	struct spec_default_opts o = {.rootless = false, .uid = 1234, .gid = 5678};
	autospec struct spec *s = parse_default(t, &o, NULL);
	const struct spec_process *p;
	const struct spec_linux *l;
	bool ok = true;

	if (s == NULL)
		return;
	p = &s->process;
	l = &s->linux_;
	CHECK(t, streq(s->oci_version, "1.0.2-dev"), "default: ociVersion as runc's");
	CHECK(t,
	      s->has_process && p->terminal && strv_eq(p->args, p->n_args, args) &&
		  strv_eq(p->env, p->n_env, env) && streq(p->cwd, "/") && p->user.uid == 0 &&
		  p->user.gid == 0 && p->no_new_privileges,
	      "default: process runs sh as root in /, with a terminal and noNewPrivileges");
	CHECK(t,
	      p->has_capabilities && p->capabilities.bounding == caps &&
		  p->capabilities.effective == caps && p->capabilities.permitted == caps &&
		  p->capabilities.ambient == caps && p->capabilities.inheritable == 0,
	      "default: CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE");
	CHECK(t,
	      p->n_rlimits == 1 && p->rlimits[0].resource == RLIMIT_NOFILE &&
		  p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 1024,
	      "default: RLIMIT_NOFILE 1024");
	CHECK(t, streq(s->root.path, "rootfs") && s->root.readonly, "default: read-only ./rootfs");
	CHECK(t, streq(s->hostname, "umlrun"), "default: hostname umlrun");
	for (size_t i = 0; dests[i] != NULL; i++)
		ok = ok && i < s->n_mounts && streq(s->mounts[i].destination, dests[i]);
	CHECK(t, ok && s->n_mounts == 7,
	      "default: mounts proc, dev, devpts, shm, mqueue, sysfs, cgroup");
	CHECK(t,
	      has_option(find_mount(s, "/dev/pts"), "gid=5") &&
		  streq(find_mount(s, "/sys")->type, "sysfs") &&
		  has_option(find_mount(s, "/sys"), "ro") && find_mount(s, "/proc")->n_options == 0,
	      "default: devpts gid=5, read-only sysfs, proc without options");
	ok = l->n_namespaces == 5;
	for (size_t i = 0; ok && i < 5; i++)
		ok = l->namespaces[i].type == ns[i] && l->namespaces[i].path == NULL;
	CHECK(t, s->has_linux && ok, "default: new pid, network, ipc, uts and mount namespaces");
	CHECK(t,
	      l->has_resources && l->resources.n_devices == 1 && !l->resources.devices[0].allow &&
		  streq(l->resources.devices[0].access, "rwm"),
	      "default: device cgroup denies everything");
	CHECK(t, l->n_uid_mappings == 0 && l->n_gid_mappings == 0, "default: no id mappings");
	CHECK(t,
	      l->n_masked_paths == 10 && streq(l->masked_paths[0], "/proc/acpi") &&
		  streq(l->masked_paths[9], "/proc/scsi") && l->n_readonly_paths == 5 &&
		  streq(l->readonly_paths[4], "/proc/sysrq-trigger"),
	      "default: maskedPaths and readonlyPaths");
}

static void test_rootless(struct tap *t)
{
	struct spec_default_opts o = {.rootless = true, .uid = 1234, .gid = 5678};
	autospec struct spec *s = parse_default(t, &o, NULL);
	const struct spec_linux *l;
	const struct spec_mount *sys;
	bool net = false, user = false;

	if (s == NULL)
		return;
	l = &s->linux_;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		net = net || l->namespaces[i].type == SPEC_NS_NETWORK;
		user = user || l->namespaces[i].type == SPEC_NS_USER;
	}
	CHECK(t, l->n_namespaces == 5 && !net && user,
	      "rootless: a user namespace, no network namespace");
	CHECK(t,
	      l->n_uid_mappings == 1 && l->uid_mappings[0].container_id == 0 &&
		  l->uid_mappings[0].host_id == 1234 && l->uid_mappings[0].size == 1 &&
		  l->n_gid_mappings == 1 && l->gid_mappings[0].host_id == 5678 &&
		  l->gid_mappings[0].size == 1,
	      "rootless: the caller's uid and gid mapped to 0");
	CHECK(t, !l->has_resources, "rootless: no device cgroup rules");
	sys = find_mount(s, "/sys");
	CHECK(t,
	      !has_option(find_mount(s, "/dev/pts"), "gid=5") && sys != NULL &&
		  streq(sys->type, "none") && streq(sys->source, "/sys") &&
		  has_option(sys, "rbind") && has_option(sys, "ro"),
	      "rootless: devpts without gid=5, /sys bind-mounted read-only");
}

/* ---- against runc's own output (in the fuzz corpus) ---- */

static char *read_text(const char *path)
{
	autofclose FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = calloc(1, 65536);
	if (buf == NULL)
		return NULL;
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	return buf;
}

/* s with the first `from` replaced by `to` (malloc'ed); NULL if absent */
static char *replace_once(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t head, from_len = strlen(from), to_len = strlen(to);
	char *out;

	if (at == NULL)
		return NULL;
	head = (size_t)(at - s);
	out = malloc(strlen(s) - from_len + to_len + 1);
	if (out == NULL)
		abort();
	memcpy(out, s, head);
	memcpy(out + head, to, to_len);
	strcpy(out + head + to_len, at + from_len);
	return out;
}

static void compare_with_runc(struct tap *t, bool rootless, const char *file)
{
	struct spec_default_opts o = {.rootless = rootless, .uid = 0, .gid = 0};
	autofree char *json = NULL;
	autofree char *runc = NULL;
	autofree char *want = NULL;
	struct uerr err = {0};
	char path[4200];
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/spec/%s", UMLRUN_SRCDIR, file);
	runc = read_text(path);
	if (runc == NULL || spec_default_json(&o, &json, &len, &err) < 0) {
		report(t, false, runc == NULL ? path : err.msg, "read %s", file);
		return;
	}
	/* runc (run as root: ids 0) names the host "runc" and ends without a
	 * newline */
	want = replace_once(runc, "\"hostname\": \"runc\"", "\"hostname\": \"umlrun\"");
	json[len - 1] = '\0';
	report(t, want != NULL && strcmp(json, want) == 0, "texts differ",
	       "%s default is `runc spec%s` byte for byte, apart from the hostname",
	       rootless ? "rootless" : "root", rootless ? " --rootless" : "");
}

/* ---- cmd_spec_main ---- */

/* Runs cmd_spec_main with stdout and stderr sent to /dev/null. */
static int run_cmd(int argc, char **argv, struct uerr *err)
{
	int saved_out = dup(1), saved_err = dup(2);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int r;

	fflush(stdout);
	fflush(stderr);
	dup2(null, 1);
	dup2(null, 2);
	memset(err, 0, sizeof(*err));
	r = cmd_spec_main(argc, argv, err);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	close(null);
	return r;
}

static void test_cmd(struct tap *t, const char *dir)
{
	char config[4200], want[4400], missing[4200], link[4200], target[4200];
	char *write_argv[] = {"spec", "--bundle", (char *)dir, NULL};
	char *rootless_argv[] = {"spec", "-b", (char *)dir, "--rootless", NULL};
	char *help_argv[] = {"spec", "-h", NULL};
	char *bad_opt_argv[] = {"spec", "--bogus", NULL};
	char *extra_argv[] = {"spec", "-b", (char *)dir, "extra", NULL};
	char *missing_argv[] = {"spec", "-b", missing, NULL};
	autospec struct spec *s = NULL;
	struct spec *tmp = NULL;
	struct uerr err;
	struct stat before, after;
	int r;

	snprintf(config, sizeof(config), "%s/config.json", dir);
	snprintf(missing, sizeof(missing), "%s/nope", dir);

	r = run_cmd(3, write_argv, &err);
	CHECK(t, r == 0, "spec --bundle DIR writes config.json (rc %d: %s)", r, err.msg);
	memset(&err, 0, sizeof(err));
	r = spec_load(config, &s, &err);
	report(t, r == 0 && s != NULL && s->linux_.n_uid_mappings == 0 && s->linux_.has_resources,
	       err.msg, "the written config.json loads with spec_load");

	stat(config, &before);
	r = run_cmd(4, rootless_argv, &err);
	snprintf(want, sizeof(want), "%s/config.json exists: remove it first", dir);
	stat(config, &after);
	report(t, r == -1 && strcmp(err.msg, want) == 0, err.msg,
	       "an existing config.json is not overwritten: exact message");
	CHECK(t, before.st_size == after.st_size && before.st_ino == after.st_ino,
	      "the existing config.json is unchanged");

	unlink(config);
	r = run_cmd(4, rootless_argv, &err);
	memset(&err, 0, sizeof(err));
	r = r < 0 ? r : spec_load(config, &tmp, &err);
	report(t,
	       r == 0 && tmp != NULL && tmp->linux_.n_uid_mappings == 1 &&
		   tmp->linux_.uid_mappings[0].host_id == (uint32_t)geteuid() &&
		   tmp->linux_.gid_mappings[0].host_id == (uint32_t)getegid(),
	       err.msg, "spec --rootless maps the caller's euid and egid");
	spec_free(tmp);
	unlink(config);

	snprintf(link, sizeof(link), "%s/config.json", dir);
	snprintf(target, sizeof(target), "%s/target", dir);
	r = symlink(target, link);
	r = r < 0 ? r : run_cmd(3, write_argv, &err);
	report(t, r == -1 && strcmp(err.msg, want) == 0 && access(target, F_OK) < 0, err.msg,
	       "a dangling config.json symlink is refused, its target not created");
	unlink(link);

	r = run_cmd(3, missing_argv, &err);
	snprintf(want, sizeof(want), "%s: No such file or directory", missing);
	report(t, r == -1 && strcmp(err.msg, want) == 0, err.msg,
	       "a missing bundle directory: exact message");
	r = run_cmd(4, extra_argv, &err);
	report(t, r == -1 && strcmp(err.msg, "spec: unexpected argument \"extra\"") == 0, err.msg,
	       "an extra argument: exact message");
	CHECK(t, access(config, F_OK) < 0, "nothing written after an extra argument");
	r = run_cmd(2, help_argv, &err);
	CHECK(t, r == 0 && access(config, F_OK) < 0, "spec -h exits 0 and writes nothing");
	r = run_cmd(2, bad_opt_argv, &err);
	CHECK(t, r == 1, "an unknown option exits 1");
}

int main(void)
{
	struct tap t = {0};
	char dir[] = "/tmp/test-spec-default.XXXXXX";

	test_default(&t);
	test_rootless(&t);
	compare_with_runc(&t, false, "runc-default.json");
	compare_with_runc(&t, true, "runc-rootless.json");
	if (mkdtemp(dir) == NULL) {
		report(&t, false, strerror(errno), "mkdtemp");
	} else {
		test_cmd(&t, dir);
		rmdir(dir);
	}
	return tap_finish(&t);
}
