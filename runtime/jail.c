/* jail.c: namespaces, the staging view and the uid the kernel process runs
 * as (see jail.h). The view is a tmpfs holding the kernel and initramfs
 * (read-only), the rootfs (read-only unless declared writable), UML's
 * runtime dir, a tmpfs for its memory file, and a private devpts. Nothing
 * else of the host is reachable by path from the kernel process. */
#define _GNU_SOURCE
#include "jail.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

struct mount_attr_compat {
	unsigned long long attr_set;
	unsigned long long attr_clr;
	unsigned long long propagation;
	unsigned long long userns_fd;
};

int jail_clone_flags(const struct jail *j)
{
	return CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET |
	       (j->userns ? CLONE_NEWUSER : 0);
}

static int write_file(const char *path, const char *text)
{
	autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t n = strlen(text);

	if (fd < 0)
		return -1;
	return write(fd, text, n) == (ssize_t)n ? 0 : -1;
}

int jail_idmap_userns(uid_t from_uid, gid_t from_gid, uid_t to_uid, gid_t to_gid,
		      struct uerr *err)
{
	char path[64], map[64];
	int sync[2], fd = -1, e = 0;
	pid_t pid;

	if (pipe2(sync, O_CLOEXEC) < 0)
		return uerr_set(err, errno, "pipe2");
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(sync[0]);
		close(sync[1]);
		return uerr_set(err, e, "fork");
	}
	if (pid == 0) {
		char c;

		close(sync[1]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		/* wait until the parent has written the maps and opened the ns */
		while (read(sync[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(sync[0]);
	/* The child may not have unshared yet: retry until its ns differs. */
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)from_uid, (unsigned)to_uid);
	for (int i = 0; i < 10000; i++) {
		if (write_file(path, map) == 0) {
			e = 0;
			break;
		}
		e = errno;
		usleep(100);
	}
	if (e == 0) {
		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)from_gid, (unsigned)to_gid);
		if (write_file(path, map) < 0)
			e = errno;
	}
	if (e == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			e = errno;
	}
	close(sync[1]);
	waitpid(pid, NULL, 0);
	if (e != 0)
		return uerr_set(err, e, "idmapped rootfs: user namespace for uid %u -> %u",
				(unsigned)from_uid, (unsigned)to_uid);
	return fd;
}

/* ---- in the child ---- */

static int map_self(const struct jail *j)
{
	char map[64];

	if (write_file("/proc/self/setgroups", "deny") < 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)j->run_uid, (unsigned)j->run_uid);
	if (write_file("/proc/self/uid_map", map) < 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)j->run_gid, (unsigned)j->run_gid);
	return write_file("/proc/self/gid_map", map);
}

static int touch(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Binds SRC on DST, then applies MS_NOSUID and FLAGS (MS_RDONLY, MS_NODEV...). */
static int bind(const char *src, const char *dst, unsigned long flags)
{
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	return mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | flags, NULL);
}

static int attach_idmapped(const struct jail *j, const char *src, bool ro, const char *dst)
{
	struct mount_attr_compat attr = {
		.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			    (ro ? MOUNT_ATTR_RDONLY : 0),
		.userns_fd = (unsigned long long)j->idmap_userns_fd,
	};
	autoclose int tree = -1;

	tree = (int)syscall(SYS_open_tree, AT_FDCWD, src,
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return -1;
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
		    sizeof(attr)) < 0)
		return -1;
	return (int)syscall(SYS_move_mount, tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH);
}

static int idmapped_tree(const struct jail *j, const char *path)
{
	struct mount_attr_compat attr = {
		.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_RDONLY,
		.userns_fd = (unsigned long long)j->idmap_userns_fd,
	};
	autoclose int tree = -1;

	tree = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return -1;
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return -1;
	return steal_fd(tree);
}

struct fd_list {
	int fd[64];
	size_t n;
};

static void fd_list_close(struct fd_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		close(l->fd[i]);
	l->n = 0;
}

/* "metacopy=on,redirect_dir=follow" -> one fsconfig call each. */
static int set_overlay_options(int fs, const char *opts)
{
	char buf[256], *save = NULL;

	if (opts == NULL || snprintf(buf, sizeof(buf), "%s", opts) >= (int)sizeof(buf))
		return opts == NULL ? 0 : -1;
	for (char *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *v = strchr(o, '=');

		if (v)
			*v++ = '\0';
		if (syscall(SYS_fsconfig, fs, v ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, o, v, 0) < 0)
			return -1;
	}
	return 0;
}

static int overlay_config(int fs, const struct jail *j, struct fd_list *l)
{
	char path[64];

	for (size_t i = 0; i < j->n_ovl_lowers; i++) {
		int fd;

		if (l->n == sizeof(l->fd) / sizeof(l->fd[0])) {
			errno = E2BIG;
			return -1;
		}
		fd = idmapped_tree(j, j->ovl_lowers[i]);
		if (fd < 0)
			return -1;
		l->fd[l->n++] = fd;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "lowerdir+", path, 0) < 0)
			return -1;
	}
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "upperdir", "ovl/upper", 0) < 0 ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "workdir", "ovl/work", 0) < 0 ||
	    set_overlay_options(fs, j->ovl_options) < 0)
		return -1;
	return (int)syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
}

/* Rebuilds an overlay rootfs (see jail.h) on DST: its layers idmapped and
 * read-only, a private tmpfs for the upper and work dirs. */
static int attach_overlay(const struct jail *j, const char *dst)
{
	__attribute__((cleanup(fd_list_close))) struct fd_list l = { .n = 0 };
	autoclose int fs = -1, mnt = -1;
	char opts[96];

	snprintf(opts, sizeof(opts), "mode=0755,uid=%u,gid=%u,size=%lum", (unsigned)j->run_uid,
		 (unsigned)j->run_gid, j->ovl_upper_mib);
	if (mkdir("ovl", 0700) < 0 ||
	    mount("umlrun-ovl", "ovl", "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0 ||
	    mkdir("ovl/upper", 0755) < 0 || mkdir("ovl/work", 0755) < 0 ||
	    chown("ovl/upper", j->run_uid, j->run_gid) < 0)
		return -1;
	fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (fs < 0 || overlay_config(fs, j, &l) < 0)
		return -1;
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mnt < 0 ||
	    syscall(SYS_move_mount, mnt, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -1;
	/* the overlay keeps its upper layer; the view does not show it */
	if (umount2("ovl", MNT_DETACH) < 0)
		return -1;
	return rmdir("ovl");
}

/* Mounts each bind source over its destination inside the view's rootfs
 * (resolved as if the rootfs were "/", so its symlinks cannot point the
 * mount elsewhere): nosuid, nodev, read-only if asked, and idmapped like
 * the rootfs when the kernel runs as a per-sandbox uid. */
static int attach_binds(const struct jail *j)
{
	autoclose int root = -1;

	if (j->n_binds == 0)
		return 0;
	root = open("rootfs", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	for (size_t i = 0; i < j->n_binds; i++) {
		const struct bind_mount *b = &j->binds[i];
		struct open_how how = { .flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
					.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
		struct mount_attr_compat attr = {
			.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				    (b->ro ? MOUNT_ATTR_RDONLY : 0) |
				    (j->idmap_userns_fd >= 0 ? MOUNT_ATTR_IDMAP : 0),
			.userns_fd = (unsigned long long)(j->idmap_userns_fd >= 0 ? j->idmap_userns_fd : 0),
		};
		autoclose int target = -1, tree = -1;

		target = (int)syscall(SYS_openat2, root, b->dest, &how, sizeof(how));
		if (target < 0)
			return -1;
		tree = (int)syscall(SYS_open_tree, AT_FDCWD, b->source,
				    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (tree < 0 ||
		    syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
			    sizeof(attr)) < 0 ||
		    syscall(SYS_move_mount, tree, "", target, "",
			    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return -1;
	}
	return 0;
}

#define STEP(name, expr)               \
	do {                           \
		if ((expr) < 0)        \
			return (name); \
	} while (0)

static const char *build_view(const struct jail *j)
{
	char opts[128];

	STEP("make mounts private", mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	STEP("mount staging tmpfs", mount("umlrun", j->stage, "tmpfs", MS_NOSUID | MS_NODEV,
					  "mode=0755,size=64k,nr_inodes=64"));
	STEP("chdir staging", chdir(j->stage));
	STEP("create view", touch("linux", 0755));
	STEP("create view", touch("initramfs.cpio", 0644));
	STEP("create view", mkdir("rootfs", 0755));
	STEP("create view", mkdir("uml", 0755));
	STEP("create view", mkdir("mc", 0755));
	STEP("create view", mkdir("tmp", 0755));
	STEP("create view", mkdir("dev", 0755));
	STEP("create view", mkdir("dev/pts", 0755));
	STEP("create view", touch("dev/null", 0666));
	STEP("create view", symlink("pts/ptmx", "dev/ptmx"));
	STEP("create view", mkdir("oldroot", 0700));
	STEP("create view", mkdir("proc", 0555));
	STEP("bind kernel", bind(j->kernel, "linux", MS_RDONLY | MS_NODEV));
	STEP("bind initramfs", bind(j->initrd, "initramfs.cpio", MS_RDONLY | MS_NODEV | MS_NOEXEC));
	if (j->rootfs == NULL)
		; /* an image root: hostfs sees an empty directory */
	else if (j->idmap_userns_fd >= 0 && j->n_ovl_lowers > 0)
		STEP("rebuild overlay rootfs from idmapped layers", attach_overlay(j, "rootfs"));
	else if (j->idmap_userns_fd >= 0)
		STEP("attach idmapped rootfs", attach_idmapped(j, j->rootfs, j->rootfs_ro, "rootfs"));
	else
		STEP("bind rootfs", bind(j->rootfs, "rootfs", MS_NODEV | (j->rootfs_ro ? MS_RDONLY : 0)));
	if (j->image) {
		STEP("create view", mkdir(JAIL_DISK_DIR + 1, 0755));
		STEP("create view", touch(JAIL_IMAGE + 1, 0444));
		STEP("create view", touch(JAIL_COW + 1, 0600));
		/* as root, the image's owner is the kernel's uid (the COW is its own) */
		if (j->idmap_userns_fd >= 0)
			STEP("attach idmapped root image", attach_idmapped(j, j->image, true, JAIL_IMAGE + 1));
		else
			STEP("bind root image", bind(j->image, JAIL_IMAGE + 1, MS_RDONLY | MS_NODEV | MS_NOEXEC));
		STEP("bind COW file", bind(j->cow, JAIL_COW + 1, MS_NODEV | MS_NOEXEC));
	}
	STEP("bind mounts into the rootfs", attach_binds(j));
	STEP("bind UML directory", bind(j->uml_dir, "uml", MS_NODEV | MS_NOEXEC));
	STEP("bind mconsole reply directory", bind(j->mc_dir, "mc", MS_RDONLY | MS_NODEV | MS_NOEXEC));
	/* the one device node: UML's "null" channels open it */
	STEP("bind /dev/null", bind("/dev/null", "dev/null", MS_NOEXEC));
	snprintf(opts, sizeof(opts), "mode=0700,uid=%u,gid=%u,size=%lum", (unsigned)j->run_uid,
		 (unsigned)j->run_gid, j->tmp_mib);
	if (j->userns) /* ids as seen inside the user namespace are the same */
		snprintf(opts, sizeof(opts), "mode=0700,size=%lum", j->tmp_mib);
	STEP("mount memory tmpfs", mount("umlrun-mem", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts));
	STEP("mount devpts", mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
				   "newinstance,ptmxmode=0666,mode=0620"));
	/* UML reads /proc/cpuinfo (host CPU features) and its stubs'
	 * /proc/PID/stat; this proc shows only the sandbox's pid namespace. */
	STEP("mount proc", mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	if (j->host_libs) {
		static const char *const dirs[] = { "lib", "lib64", "usr" };
		char host[16];

		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			snprintf(host, sizeof(host), "/%s", dirs[i]);
			if (access(host, F_OK) < 0)
				continue;
			STEP("create view", mkdir(dirs[i], 0755));
			STEP("bind host libraries", bind(host, dirs[i], MS_RDONLY | MS_NODEV));
		}
	}
	STEP("pivot_root", (int)syscall(SYS_pivot_root, ".", "oldroot"));
	STEP("chdir /", chdir("/"));
	STEP("detach old root", umount2("/oldroot", MNT_DETACH));
	STEP("remove old root", rmdir("/oldroot"));
	STEP("make view read-only", mount(NULL, "/", NULL,
					  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
					  NULL));
	return NULL;
}

/* Empties the bounding set (so no exec can regain a capability), takes the
 * run ids, then clears every remaining capability set. */
static const char *drop_privileges(const struct jail *j)
{
	cap_t none;
	int r;

	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++)
		STEP("drop bounding capabilities", cap_drop_bound(c));
	if (!j->userns) { /* in a user namespace we already are run_uid */
		struct rlimit nproc = { JAIL_ROOT_MAX_PROCS, JAIL_ROOT_MAX_PROCS };

		/* the uid is this sandbox's own, so this caps the sandbox */
		STEP("setrlimit(RLIMIT_NPROC)", setrlimit(RLIMIT_NPROC, &nproc));
		STEP("setgroups", setgroups(0, NULL));
		STEP("setresgid", setresgid(j->run_gid, j->run_gid, j->run_gid));
		STEP("setresuid", setresuid(j->run_uid, j->run_uid, j->run_uid));
	}
	STEP("clear ambient capabilities", cap_reset_ambient());
	none = cap_init();
	if (none == NULL)
		return "cap_init";
	r = cap_set_proc(none);
	cap_free(none);
	STEP("clear capabilities", r);
	return NULL;
}

const char *jail_enter(const struct jail *j)
{
	const char *step;

	if (j->userns && map_self(j) < 0)
		return "write user namespace maps";
	step = build_view(j);
	if (step != NULL)
		return step;
	/* The uts namespace is private: give the kernel process a neutral name. */
	STEP("sethostname", sethostname("umlrun", 6));
	return drop_privileges(j);
}

int jail_elf_is_dynamic(const char *path, struct uerr *err)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char eh[64], ph[56];
	unsigned long long phoff;
	unsigned phentsize, phnum;

	if (fd < 0)
		return uerr_set(err, errno, "kernel %s", path);
	if (pread(fd, eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh, "\177ELF", 4) != 0 ||
	    eh[4] != 2 /* ELFCLASS64 */)
		return uerr_set(err, 0, "kernel %s: not a 64-bit ELF executable", path);
	memcpy(&phoff, eh + 32, 8);
	phentsize = (unsigned)eh[54] | (unsigned)eh[55] << 8;
	phnum = (unsigned)eh[56] | (unsigned)eh[57] << 8;
	if (phentsize < sizeof(ph))
		return uerr_set(err, 0, "kernel %s: malformed ELF program headers", path);
	for (unsigned i = 0; i < phnum && i < 256; i++) {
		unsigned type;

		if (pread(fd, ph, sizeof(ph), (off_t)(phoff + (unsigned long long)i * phentsize)) !=
		    (ssize_t)sizeof(ph))
			return uerr_set(err, 0, "kernel %s: truncated ELF program headers", path);
		memcpy(&type, ph, 4);
		if (type == 3 /* PT_INTERP */)
			return 1;
	}
	return 0;
}
