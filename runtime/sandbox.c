/* sandbox.c: everything one sandbox needs before its monitor loop: the
 * bundle, the state directory, the kernel's jail and command line, the
 * signal set-up and the kernel process itself; and the release of all of
 * it (see sandbox.h). */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../hostfs/hostfs.h"
#include "agentcfg.h"
#include "check.h"
#include "jail.h"
#include "bundle.h"
#include "cleanup.h"
#include "cmdline.h"
#include "cpu.h"
#include "ctlsock.h"
#include "monitor.h"
#include "net.h"
#include "state.h"
#include "vm.h"
#include "vmparams.h"

#define DEFAULT_MEM_MIB 64

void sandbox_release(struct sandbox *c)
{
	struct uerr ignored;

	if (c->vm > 0) { /* started but never handed to a monitor */
		vm_kill(c->vm);
		waitpid(c->vm, NULL, 0);
		c->vm = 0;
	}
	net_sandbox_free(c->net); /* netslirp ends with its sandbox */
	c->net = NULL;
	rootmode_release(&c->root); /* the kernel is gone */
	if (c->state_dir && !c->keep_state)
		state_remove(c->state_dir, &ignored);
	cleanup_closep(&c->log_fd);
	cleanup_closep(&c->ctl[0]);
	cleanup_closep(&c->ctl[1]);
	cleanup_closep(&c->sigfd);
	cleanup_closep(&c->listen_fd);
	cleanup_closep(&c->jail.idmap_userns_fd);
	overlay_layers_free(&c->ovl);
	binds_free(&c->binds);
	uml_argv_free(c->argv);
	uml_argv_free(c->argv_nojail);
	if (c->shm_made)
		state_remove(c->shm_dir, &ignored);
	free(c->shm_dir);
	free(c->stage);
	pbuf_free(&c->config);
	free(c->uml_dir);
	free(c->mc_dir);
	free(c->hostfs_root);
	free(c->state_dir);
	free(c->initramfs);
	free(c->kernel);
	free(c->id);
	bundle_close(&c->b);
}

static char *generate_id(const char *bundle_dir)
{
	autofree char *copy = strdup(bundle_dir);
	char name[48], *out = NULL;
	unsigned int rnd = 0;
	size_t n = 0;

	if (copy == NULL)
		return NULL;
	for (const char *p = basename(copy); *p && n < sizeof(name) - 1; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
			name[n++] = *p;
	name[n] = '\0';
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned int)getpid();
	if (asprintf(&out, "%s-%08x", n ? name : "umlrun", rnd) < 0)
		return NULL;
	return out;
}

/* Prints the last lines of the kernel log, so a failed boot can be diagnosed
 * after the state directory is gone. */
static void show_kernel_log(const struct sandbox *c, const struct log_ctx *log, int max_lines)
{
	autofree char *path = NULL;
	autofclose FILE *f = NULL;
	char line[512], ring[8][512];
	int n = 0;

	if (asprintf(&path, "%s/kernel.log", c->state_dir) < 0)
		return;
	f = fopen(path, "re");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (max_lines < 0)
			fprintf(stderr, "umlrun: kernel: %s\n", line);
		else
			snprintf(ring[n++ % 8], sizeof(ring[0]), "%s", line);
	}
	(void)log;
	for (int i = n > max_lines ? n - max_lines : 0; max_lines >= 0 && i < n; i++)
		fprintf(stderr, "umlrun: kernel: %s\n", ring[i % 8]);
}

static int setup_signals(struct sandbox *c, struct uerr *err)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (const int *s = monitor_forwarded_signals; *s; s++)
		sigaddset(&set, *s);
	sigaddset(&set, SIGWINCH); /* the terminal's size: see monitor.h */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return uerr_set(err, errno, "sigprocmask");
	c->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (c->sigfd < 0)
		return uerr_set(err, errno, "signalfd");
	return 0;
}

static char *state_path(const struct sandbox *c, const char *name, mode_t mode, struct uerr *err)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", c->state_dir, name) < 0) {
		uerr_set(err, errno, "asprintf");
		return NULL;
	}
	if (mkdir(p, mode) < 0) {
		uerr_set(err, errno, "mkdir %s", p);
		free(p);
		return NULL;
	}
	return p;
}

/* Describes the kernel process's jail. Invoked as root, the kernel runs as
 * an unprivileged per-sandbox uid, and reaches the rootfs through an
 * idmapped mount that shows the rootfs owner's files as that uid's.
 * Invoked by a user, a user namespace maps that user to itself. */
static int setup_jail(struct sandbox *c, unsigned long ticket, unsigned long mem_mib,
		      struct uerr *err)
{
	struct jail *j = &c->jail;
	struct stat st;

	c->stage = state_path(c, "stage", 0755, err);
	c->uml_dir = c->stage ? state_path(c, "uml", 0700, err) : NULL;
	c->mc_dir = c->uml_dir ? state_path(c, SANDBOX_MC_DIR, 0755, err) : NULL;
	if (c->mc_dir == NULL)
		return -1;
	*j = (struct jail){ .stage = c->stage, .kernel = c->kernel, .initrd = c->initramfs,
			    .rootfs = c->b.image ? NULL : c->b.rootfs,
			    .rootfs_ro = c->b.spec->root.readonly || c->root.kind != ROOT_HOSTFS,
			    .uml_dir = c->uml_dir, .mc_dir = c->mc_dir, .tmp_mib = mem_mib + 16,
			    .binds = c->binds.b, .n_binds = c->binds.n,
			    .idmap_userns_fd = -1 };
	switch (jail_elf_is_dynamic(c->kernel, err)) {
	case -1:
		return -1;
	case 1:
		j->host_libs = true;
		break;
	}
	if (geteuid() != 0) {
		j->userns = true;
		j->run_uid = geteuid();
		j->run_gid = getegid();
		return 0;
	}
	/* the image's owner, like a rootfs's, is mapped to the kernel's uid */
	j->run_uid = JAIL_ROOT_ID_BASE + (uid_t)(ticket % JAIL_ROOT_ID_COUNT);
	j->run_gid = (gid_t)j->run_uid;
	if (chown(c->uml_dir, j->run_uid, j->run_gid) < 0)
		return uerr_set(err, errno, "chown %s", c->uml_dir);
	if (stat(c->b.rootfs, &st) < 0)
		return uerr_set(err, errno, "root.path %s", c->b.rootfs);
	j->idmap_userns_fd = jail_idmap_userns(st.st_uid, st.st_gid, j->run_uid, j->run_gid, err);
	if (j->idmap_userns_fd < 0)
		return -1;
	/* overlayfs cannot be idmapped: rebuild it from its layers */
	switch (c->b.image ? 0 : overlay_layers(c->b.rootfs, &c->ovl, err)) {
	case -1:
		return -1;
	case 1:
		j->ovl_lowers = c->ovl.lowers;
		j->n_ovl_lowers = c->ovl.n_lowers;
		j->ovl_options = c->ovl.options;
		j->ovl_upper_mib = SANDBOX_OVERLAY_UPPER_MIB;
		break;
	}
	return 0;
}

/* Host bind mounts (config.json and run -v): checked, their mountpoints
 * made in the rootfs, and the guest told to apply their flags. They exist
 * only in the jail's view, so the sandbox cannot run without it. */
static int add_binds(struct sandbox *c, char *const *volumes, struct uerr *err)
{
	if (binds_collect(c->b.spec, volumes, &c->binds, err) < 0)
		return -1;
	for (size_t i = c->binds.n_config; i < c->binds.n; i++)
		if (agentcfg_bind(&c->config, (uint32_t)(1000 + i), c->binds.b[i].dest,
				  c->binds.b[i].guest_flags, err) < 0)
			return -1;
	if (c->binds.n == 0)
		return 0;
	c->require_namespaces = true;
	/* an image root: mountpoints in a skeleton hostfs root (setup_image) */
	for (size_t i = 0; c->b.image && i < c->binds.n; i++)
		if (!c->binds.b[i].dir)
			return uerr_set(err, 0, "bind mount %s: %s is a file; with an image root (%s), only directories can be bound",
					c->binds.b[i].dest, c->binds.b[i].source, c->b.rootfs);
	if (c->b.image)
		return 0;
	if (binds_make_mountpoints(&c->binds, c->b.rootfs, err) < 0)
		return -1;
	return c->b.spec->root.readonly ? binds_check_plain(&c->binds, c->b.rootfs, JAIL_ROOTFS, err) :
					  0;
}

/* An image root: its COW file, bound into the view next to the image.
 * hostfs serves only the bind mounts: its root is a skeleton of their
 * mountpoints in the state dir (without binds, an empty directory). */
static int setup_image(struct sandbox *c, struct uerr *err)
{
	char *skeleton;

	if (!c->b.image)
		return 0;
	if (rootmode_prepare(&c->root, c->state_dir, geteuid() == 0, c->jail.run_uid,
			     c->jail.run_gid, err) < 0)
		return -1;
	c->jail.image = c->root.image;
	c->jail.cow = c->root.cow;
	skeleton = state_path(c, "binds", 0755, err);
	if (skeleton == NULL)
		return -1;
	c->hostfs_root = skeleton;
	c->jail.rootfs = skeleton;
	if (binds_make_mountpoints(&c->binds, skeleton, err) < 0)
		return -1;
	return binds_check_plain(&c->binds, skeleton, JAIL_ROOTFS, err);
}

/* The memory file's directory should the kernel run without namespaces (an
 * unprivileged caller who allowed it): a private one in /dev/shm, so that
 * Landlock grants no more of it. Otherwise unused. */
static int setup_shm(struct sandbox *c, struct uerr *err)
{
	char tmpl[] = "/dev/shm/umlrun-XXXXXX";

	if (c->require_namespaces || geteuid() == 0) {
		c->shm_dir = strdup(c->uml_dir);
		return c->shm_dir ? 0 : uerr_set(err, errno, "malloc");
	}
	if (mkdtemp(tmpl) == NULL)
		return uerr_set(err, errno, "mkdtemp %s", tmpl);
	c->shm_dir = strdup(tmpl);
	if (c->shm_dir == NULL) {
		rmdir(tmpl);
		return uerr_set(err, ENOMEM, "malloc");
	}
	c->shm_made = true;
	return 0;
}

static int prepare(struct sandbox *c, const struct sandbox_opts *o, struct uerr *err)
{
	autofree char *log_path = NULL;
	struct uml_args ua = { 0 };
	const char *const *kernel_params = NULL;
	unsigned long mem_mib = DEFAULT_MEM_MIB;
	const char *require;
	bool unconfined;
	unsigned long ticket;
	int cpu;

	if (bundle_open(o->bundle, &c->b, err) < 0)
		return -1;
	if (!c->b.spec->has_process)
		return uerr_set(err, 0, "config.json: process: required to run a container");
	if (o->terminal_setup && o->terminal_setup(o->terminal_arg, c->b.spec, err) < 0)
		return -1;
	require = spec_annotation(c->b.spec, "run.umlrun.require");
	if (require && check_parse_require(require, &c->require_namespaces,
					   &c->require_landlock, err) < 0)
		return -1;
	/* no namespaces: refused unless the user accepts what that exposes */
	if (check_parse_allow(spec_annotation(c->b.spec, CHECK_ALLOW_ANNOTATION),
			      getenv(CHECK_ALLOW_ENV), &unconfined, err) < 0)
		return -1;
	if (!unconfined)
		c->require_namespaces = true;
	if (bundle_kernel(&c->b, o->kernel, &c->kernel, err) < 0 ||
	    bundle_initramfs(&c->initramfs, err) < 0)
		return -1;
	if (agentcfg_build(c->b.spec, o->args, &c->config, err) < 0)
		return -1;
	if (rootmode_select(&c->b, &c->root, err) < 0 ||
	    rootmode_encode(&c->root, &c->config, err) < 0)
		return -1;
	if (add_binds(c, o->volumes, err) < 0)
		return -1;
	/* network: checked before anything is created */
	if (net_sandbox_config(c->b.spec, o->ports, &c->config, &c->net, err) < 0)
		return -1;
	if (vmparams_mem_mib(c->b.spec, DEFAULT_MEM_MIB, &mem_mib, err) < 0 ||
	    vmparams_check(c->b.spec, &kernel_params, err) < 0)
		return -1;
	c->id = o->id ? strdup(o->id) : generate_id(c->b.dir);
	if (c->id == NULL)
		return uerr_set(err, errno, "malloc");
	if (state_check_id(c->id, err) < 0 || state_create(o->root, c->id, &c->state_dir, err) < 0)
		return -1;
	if (!c->b.image && hostfs_prepare(c->b.rootfs, c->state_dir, &c->hostfs_root, err) < 0)
		return -1;
	if (asprintf(&log_path, "%s/kernel.log", c->state_dir) < 0)
		return uerr_set(err, errno, "asprintf");
	c->log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (c->log_fd < 0)
		return uerr_set(err, errno, "%s", log_path);
	cpu = cpu_pick(o->root, &ticket, err);
	if (cpu < 0)
		return -1;
	if (setup_jail(c, ticket, mem_mib, err) < 0)
		return -1;
	if (setup_image(c, err) < 0 || setup_shm(c, err) < 0)
		return -1;
	if (net_sandbox_listen(c->net, c->uml_dir, JAIL_UML_DIR, c->jail.run_uid, c->jail.run_gid,
			       err) < 0)
		return -1;
	ua = (struct uml_args){ .kernel = JAIL_KERNEL,
				.initrd = JAIL_INITRD,
				.hostfs_root = JAIL_ROOTFS,
				.uml_dir = JAIL_UML_DIR,
				.umid = "u",
				.mem_mib = mem_mib,
				.params = kernel_params };
	if (c->b.image) {
		ua.ubd_cow = JAIL_COW;
		ua.ubd_backing = JAIL_IMAGE;
	}
	ua.extra = c->net->extra; /* the guest NIC, if any */
	if (uml_argv_build(&ua, &c->argv, err) < 0)
		return -1;
	ua.kernel = c->kernel;
	ua.initrd = c->initramfs;
	ua.hostfs_root = c->hostfs_root;
	ua.uml_dir = c->uml_dir;
	if (c->b.image) {
		ua.ubd_cow = c->root.cow;
		ua.ubd_backing = c->root.image;
	}
	ua.extra = c->net->extra_nojail;
	if (uml_argv_build(&ua, &c->argv_nojail, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->ctl) < 0)
		return uerr_set(err, errno, "socketpair");
	if (fcntl(c->ctl[0], F_SETFL, O_NONBLOCK) < 0)
		return uerr_set(err, errno, "fcntl");
	log_debug(o->log, "sandbox %s: state %s, kernel %s, cpu %d", c->id, c->state_dir, c->kernel,
		  cpu);
	return cpu;
}

#define LL_MAX_RULES (14 + BINDS_MAX)

/* What the kernel process may touch, as Landlock rules: the kernel (read,
 * exec), the initramfs, the rootfs (writable only if declared), its runtime
 * dir and memory-file dir, /dev/null and its ptys. Nothing else. */
static size_t landlock_rules(const struct sandbox *c, bool jailed, struct ll_rule *r)
{
	unsigned root = LL_READ | (c->jail.rootfs_ro ? 0 : LL_WRITE);
	size_t n = 0;

	r[n++] = (struct ll_rule){ jailed ? JAIL_KERNEL : c->kernel, LL_READ | LL_EXEC };
	r[n++] = (struct ll_rule){ jailed ? JAIL_INITRD : c->initramfs, LL_READ };
	/* unjailed, hostfs reaches the rootfs through the state dir's link */
	r[n++] = (struct ll_rule){ jailed ? JAIL_ROOTFS : c->hostfs_root, root };
	if (c->b.image) {
		r[n++] = (struct ll_rule){ jailed ? JAIL_IMAGE : c->root.image, LL_READ };
		r[n++] = (struct ll_rule){ jailed ? JAIL_COW : c->root.cow, LL_READ | LL_WRITE };
	}
	r[n++] = (struct ll_rule){ jailed ? JAIL_UML_DIR : c->uml_dir, LL_READ | LL_WRITE };
	r[n++] = (struct ll_rule){ jailed ? JAIL_TMP : c->shm_dir, LL_READ | LL_WRITE };
	r[n++] = (struct ll_rule){ "/dev/null", LL_READ | LL_WRITE };
	/* the jail's private devpts; never the host's terminals */
	if (jailed)
		r[n++] = (struct ll_rule){ "/dev/pts", LL_READ | LL_WRITE };
	/* host CPU features; jailed, the proc of the sandbox's pid namespace,
	 * otherwise only the host's cpuinfo */
	r[n++] = (struct ll_rule){ jailed ? JAIL_PROC : "/proc/cpuinfo", LL_READ };
	/* a read-write bind in a read-only root: writable beneath it only
	 * (its path has no symlink in the rootfs: binds_check_plain()) */
	for (size_t i = 0; jailed && root == LL_READ && i < c->binds.n; i++)
		if (!c->binds.b[i].ro && c->binds.b[i].view_path)
			r[n++] = (struct ll_rule){ c->binds.b[i].view_path, LL_READ | LL_WRITE };
	if (c->jail.host_libs) { /* a dynamically linked kernel */
		r[n++] = (struct ll_rule){ "/lib", LL_READ | LL_EXEC };
		r[n++] = (struct ll_rule){ "/usr", LL_READ | LL_EXEC };
		if (access("/lib64", F_OK) == 0)
			r[n++] = (struct ll_rule){ "/lib64", LL_READ | LL_EXEC };
	}
	return n;
}

int sandbox_boot(struct sandbox *c, const struct sandbox_opts *o, struct uerr *err)
{
	struct vm_layers layers;
	struct vm_spawn vs;
	struct ll_rule rules[LL_MAX_RULES], rules_nojail[LL_MAX_RULES];
	size_t n_rules, n_rules_nojail;
	int cpu;

	cpu = prepare(c, o, err);
	if (cpu < 0)
		return -1;
	if (setup_signals(c, err) < 0)
		return -1;
	if (o->listen) {
		c->listen_fd = ctl_listen(c->state_dir, err);
		if (c->listen_fd < 0)
			return -1;
	}
	/* The kernel's mconsole socket is reached by a path relative to the
	 * state dir, which is the kernel process's cwd (or its "/" when jailed,
	 * where the uml dir is /uml): see mconsole.h. */
	if (chdir(c->state_dir) < 0)
		return uerr_set(err, errno, "chdir %s", c->state_dir);
	n_rules = landlock_rules(c, true, rules);
	n_rules_nojail = landlock_rules(c, false, rules_nojail);
	vs = (struct vm_spawn){ .argv = c->argv, .argv_nojail = c->argv_nojail, .log_fd = c->log_fd,
				.ctl_fd = c->ctl[1], .cpu = cpu, .tmpdir_nojail = c->shm_dir,
				.state_dir = c->state_dir,
				.jail = &c->jail, .ll_rules = rules, .n_ll_rules = n_rules,
				.ll_rules_nojail = rules_nojail, .n_ll_rules_nojail = n_rules_nojail,
				.require_namespaces = c->require_namespaces,
				.require_landlock = c->require_landlock };
	if (vm_start(&vs, &c->vm, &layers, err) < 0)
		return -1;
	c->root.booted = true;
	if (!layers.namespaces)
		log_debug(o->log, "sandbox runs without namespaces: %s", layers.why_not);
	/* after the kernel, so its jail's init stays umlrun's first child */
	if (net_sandbox_start(c->net, c->jail.run_uid, c->jail.run_gid, c->log_fd, c->state_dir,
			      err) < 0)
		return -1;
	cleanup_closep(&c->jail.idmap_userns_fd);
	cleanup_closep(&c->ctl[1]);
	return 0;
}

void sandbox_show_log(const struct sandbox *c, const struct log_ctx *log, bool failed)
{
	if (log && log->debug)
		show_kernel_log(c, log, -1);
	else if (failed)
		show_kernel_log(c, log, 5);
}
