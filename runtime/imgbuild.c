/* imgbuild.c: `umlrun image build` (see imgbuild.h). mke2fs -d copies the
 * tree into a temporary image next to the destination; with an owner
 * mapping it runs in a new user namespace whose only mapping is
 * "UID caller 1", so the caller's files are recorded as UID and all others
 * as the overflow id. debugfs then sets the root directory's mode (mke2fs
 * makes it 0755) and the manifest's owners and modes. The tools run by
 * execvp, without a shell; their stderr becomes the error message. */
#define _GNU_SOURCE
#include "imgbuild.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "ext4img.h"
#include "manifest.h"
#include "outfile.h"

#define MIB (1024ULL * 1024)
#define BLOCK 4096ULL
#define MAX_DEPTH 512

uint64_t imgbuild_default_size(uint64_t tree_bytes)
{
	uint64_t s = tree_bytes + tree_bytes / 2 + 64 * MIB;

	return (s + 4 * MIB - 1) / (4 * MIB) * (4 * MIB);
}

/* ---- the tree: how much it holds ---- */

struct tree {
	uint64_t bytes;   /* file and directory sizes, each rounded up to a block */
	uint64_t entries; /* inodes it needs */
};

static int walk(int dfd, const char *path, unsigned depth, struct tree *t, struct uerr *err)
{
	autoclosedir DIR *d = NULL;
	struct dirent *e;
	int fd;

	if (depth > MAX_DEPTH)
		return uerr_set(err, 0, "%s: nested more than %d directories deep", path, MAX_DEPTH);
	fd = dup(dfd);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		return uerr_set(err, saved, "%s", path);
	}
	while ((errno = 0, e = readdir(d)) != NULL) {
		autofree char *sub = NULL;
		autoclose int subfd = -1;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return uerr_set(err, errno, "%s/%s", path, e->d_name);
		t->entries++;
		if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ||
		    (S_ISLNK(st.st_mode) && st.st_size >= 60)) /* shorter ones live in the inode */
			t->bytes += ((uint64_t)st.st_size + BLOCK - 1) / BLOCK * BLOCK;
		if (!S_ISDIR(st.st_mode))
			continue;
		if (asprintf(&sub, "%s/%s", path, e->d_name) < 0) {
			sub = NULL;
			return uerr_set(err, ENOMEM, "%s", path);
		}
		subfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (subfd < 0)
			return uerr_set(err, errno, "%s", sub);
		if (walk(subfd, sub, depth + 1, t, err) < 0)
			return -1;
	}
	if (errno != 0)
		return uerr_set(err, errno, "%s", path);
	return 0;
}

/* ---- running mke2fs and debugfs ---- */

struct tool {
	char *const *argv;
	int in;                 /* stdin, or -1 for /dev/null */
	bool userns;            /* run in a user namespace mapping uid:gid to the caller */
	uid_t uid;
	gid_t gid;
	char stderr_text[700];  /* the start of its stderr, one line */
};

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	if (close(fd) < 0 || n != (ssize_t)strlen(text))
		return -1;
	return 0;
}

/* In the child: a user namespace where the caller is t->uid:t->gid. */
static int enter_userns(const struct tool *t)
{
	uid_t outer_uid = geteuid();
	gid_t outer_gid = getegid();
	char map[64];

	if (unshare(CLONE_NEWUSER) < 0)
		return dprintf(2, "--owner: cannot make a user namespace: unshare: %s\n",
			       strerror(errno)), -1;
	if (write_file("/proc/self/setgroups", "deny") < 0)
		return dprintf(2, "--owner: /proc/self/setgroups: %s\n", strerror(errno)), -1;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)t->uid, (unsigned)outer_uid);
	if (write_file("/proc/self/uid_map", map) < 0)
		return dprintf(2, "--owner: uid_map \"%u %u 1\": %s\n", (unsigned)t->uid,
			       (unsigned)outer_uid, strerror(errno)), -1;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)t->gid, (unsigned)outer_gid);
	if (write_file("/proc/self/gid_map", map) < 0)
		return dprintf(2, "--owner: gid_map \"%u %u 1\": %s\n", (unsigned)t->gid,
			       (unsigned)outer_gid, strerror(errno)), -1;
	return 0;
}

/* The start of FD's contents as one line: newlines become "; ". Lines
 * for which SKIP says so are left out. */
static void slurp(int fd, char *out, size_t len, bool (*skip)(const char *line))
{
	char buf[4096], *line, *save = NULL;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	size_t used = 0;

	out[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int w;

		if (line[strspn(line, " \t")] == '\0' || (skip && skip(line)))
			continue;
		w = snprintf(out + used, len - used, "%s%s", used ? "; " : "", line);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

/* debugfs's banner, "debugfs 1.47.0 (5-Feb-2023)", is not an error. */
static bool is_banner(const char *line)
{
	return strncmp(line, "debugfs ", 8) == 0 && line[8] >= '0' && line[8] <= '9';
}

/* The signals that end a build. The caller may block them while it runs
 * (cmd_image.c does): one that arrives is then passed on to the running
 * tool, and left pending, so that it ends the caller after the temporary
 * image is gone. */
static void stop_signals(sigset_t *s)
{
	sigemptyset(s);
	sigaddset(s, SIGINT);
	sigaddset(s, SIGTERM);
	sigaddset(s, SIGHUP);
	sigaddset(s, SIGQUIT);
}

static bool interrupted(void)
{
	sigset_t stop, pending;

	stop_signals(&stop);
	if (sigpending(&pending) < 0)
		return false;
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&stop, sig) == 1 && sigismember(&pending, sig) == 1)
			return true;
	return false;
}

/* Waits for the tool PID; a stop signal is passed on to it (see above). */
static int tool_wait(pid_t pid, const char *name, int *status, struct uerr *err)
{
	const struct timespec tick = { .tv_nsec = 20 * 1000 * 1000 };
	sigset_t stop;

	stop_signals(&stop);
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		int sig;

		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return uerr_set(err, errno, "waitpid %s", name);
		sig = sigtimedwait(&stop, NULL, &tick);
		if (sig <= 0)
			continue;
		kill(pid, sig);
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
		raise(sig); /* pending again, for the caller */
		return uerr_set(err, 0, "interrupted by signal %d while %s ran", sig, name);
	}
}

/* Runs T; fails when it cannot run or exits non-zero. T->stderr_text
 * gets what it wrote to stderr either way. */
static int tool_run(struct tool *t, struct uerr *err)
{
	autoclose int errfd = memfd_create("umlrun-tool-stderr", MFD_CLOEXEC);
	int status;
	pid_t pid;

	t->stderr_text[0] = '\0';
	if (errfd < 0)
		return uerr_set(err, errno, "memfd_create");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return uerr_set(err, errno, "fork");
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		sigset_t none;

		sigemptyset(&none);
		if (null < 0 || dup2(t->in >= 0 ? t->in : null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(errfd, 2) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
			_exit(126);
		if (t->userns && enter_userns(t) < 0)
			_exit(126);
		execvp(t->argv[0], t->argv);
		dprintf(2, "cannot run %s (from e2fsprogs): %s\n", t->argv[0], strerror(errno));
		_exit(127);
	}
	if (tool_wait(pid, t->argv[0], &status, err) < 0)
		return -1;
	slurp(errfd, t->stderr_text, sizeof(t->stderr_text),
	      strcmp(t->argv[0], "debugfs") == 0 ? is_banner : NULL);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* the child's own failures: before the tool ran */
	if (WIFEXITED(status) && WEXITSTATUS(status) >= 126 && t->stderr_text[0] != '\0')
		return uerr_set(err, 0, "%s", t->stderr_text);
	if (t->stderr_text[0] != '\0')
		return uerr_set(err, 0, "%s failed: %s", t->argv[0], t->stderr_text);
	if (WIFSIGNALED(status))
		return uerr_set(err, 0, "%s was killed by signal %d", t->argv[0], WTERMSIG(status));
	return uerr_set(err, 0, "%s exited with status %d", t->argv[0], WEXITSTATUS(status));
}

/* ---- the debugfs script: root mode, manifest ---- */

/* The type of PATH inside the tree, resolved as inside the image (symlinks
 * relative to the tree's root; the last one not followed). */
static int tree_type(int dfd, const char *path, mode_t *type)
{
	struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	const char *rel = path + strspn(path, "/");
	autoclose int fd = (int)syscall(SYS_openat2, dfd, *rel ? rel : ".", &how, sizeof(how));
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	*type = st.st_mode & S_IFMT;
	return 0;
}

static int write_script(int script, int dfd, const struct imgbuild_opts *o,
			const struct manifest *m, mode_t root_mode, struct uerr *err)
{
	int r = 0;

	if ((root_mode & 07777) != 0755)
		r |= dprintf(script, "sif / mode 0%o\n", (unsigned)(S_IFDIR | (root_mode & 07777)));
	for (size_t i = 0; i < m->n; i++) {
		const struct manifest_entry *e = &m->e[i];
		mode_t type;

		if (tree_type(dfd, e->path, &type) < 0)
			return uerr_set(err, errno == ENOENT ? 0 : errno, "%s:%u: %s is not in %s%s",
					o->manifest, e->line, e->path, o->dir,
					errno == ENOENT ? "" : " (or cannot be looked up)");
		r |= dprintf(script, "sif %s mode 0%o\nsif %s uid %u\nsif %s gid %u\n", e->path,
			     (unsigned)(type | e->mode), e->path, (unsigned)e->uid, e->path,
			     (unsigned)e->gid);
	}
	if (r < 0)
		return uerr_set(err, errno, "writing the debugfs script");
	return 0;
}

/* ---- the image ---- */

static unsigned read_overflow_id(const char *path)
{
	autofclose FILE *f = fopen(path, "re");
	unsigned v = 65534;

	if (f == NULL || fscanf(f, "%u", &v) != 1)
		return 65534;
	return v;
}

/* mke2fs -E root_owner=: the tree's root's owner as mke2fs sees it. */
static void root_owner(const struct imgbuild_opts *o, const struct stat *st, char *buf,
		       size_t len)
{
	unsigned uid = (unsigned)st->st_uid, gid = (unsigned)st->st_gid;

	if (o->map_owner) {
		uid = st->st_uid == geteuid() ? (unsigned)o->uid
					      : read_overflow_id("/proc/sys/kernel/overflowuid");
		gid = st->st_gid == getegid() ? (unsigned)o->gid
					      : read_overflow_id("/proc/sys/kernel/overflowgid");
	}
	snprintf(buf, len, "root_owner=%u:%u", uid, gid);
}

static int check_target(const struct imgbuild_opts *o, struct uerr *err)
{
	struct stat st;

	if (lstat(o->image, &st) < 0)
		return errno == ENOENT ? 0 : uerr_set(err, errno, "%s", o->image);
	if (!o->force)
		return uerr_set(err, 0, "%s exists: use --force to replace it", o->image);
	if (!S_ISREG(st.st_mode))
		return uerr_set(err, 0, "%s exists and is not a regular file: not replacing it",
				o->image);
	return 0;
}

/* mke2fs gives a filesystem one inode per 8 KiB (under 3 MiB), 4 KiB
 * (under 512 MiB) or 16 KiB: enough unless the tree is many small files. */
static uint64_t default_inodes(uint64_t size)
{
	return size / (size < 3 * MIB ? 8192 : size < 512 * MIB ? 4096 : 16384);
}

static int run_mke2fs(const struct imgbuild_opts *o, const struct stat *root,
		      const struct tree *t, uint64_t size, const char *image, struct uerr *err)
{
	char size_arg[32], owner_arg[48], inodes_arg[24];
	uint64_t want_inodes = t->entries + t->entries / 4 + 1024;
	char *argv[] = { "mke2fs", "-q", "-t", "ext4", "-b", "4096", "-I", "256", "-E", owner_arg,
			 "-d", (char *)o->dir, "-F", NULL, NULL, NULL, NULL, NULL };
	struct tool mk = { .argv = argv, .in = -1, .userns = o->map_owner, .uid = o->uid,
			   .gid = o->gid };
	int n = 13;

	root_owner(o, root, owner_arg, sizeof(owner_arg));
	snprintf(size_arg, sizeof(size_arg), "%lluk", (unsigned long long)(size / 1024));
	snprintf(inodes_arg, sizeof(inodes_arg), "%llu", (unsigned long long)want_inodes);
	if (want_inodes > default_inodes(size)) {
		argv[n++] = "-N";
		argv[n++] = inodes_arg;
	}
	argv[n++] = (char *)image;
	argv[n++] = size_arg;
	return tool_run(&mk, err);
}

static int run_debugfs(const struct imgbuild_opts *o, int script, const char *image,
		       struct uerr *err)
{
	char *argv[] = { "debugfs", "-w", "-f", "-", (char *)image, NULL };
	struct tool dbg = { .argv = argv, .in = script };

	if (lseek(script, 0, SEEK_END) == 0)
		return 0; /* nothing to change */
	if (lseek(script, 0, SEEK_SET) < 0)
		return uerr_set(err, errno, "lseek");
	if (tool_run(&dbg, err) < 0)
		return -1;
	/* it reports failed commands on stderr, and exits 0 */
	if (dbg.stderr_text[0] != '\0')
		return uerr_set(err, 0, "debugfs failed%s%s: %s", o->manifest ? " applying " : "",
				o->manifest ? o->manifest : "", dbg.stderr_text);
	return 0;
}

int imgbuild(const struct imgbuild_opts *o, struct uerr *err)
{
	__attribute__((cleanup(manifest_free))) struct manifest m = { 0 };
	autooutfile struct outfile out = { .fd = -1 };
	autoclose int dfd = -1;
	autoclose int script = -1;
	struct tree t = { 0 };
	struct stat st;
	uint64_t size;

	dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &st) < 0)
		return uerr_set(err, errno, "directory %s", o->dir);
	if (check_target(o, err) < 0)
		return -1;
	if (o->manifest != NULL && manifest_read(o->manifest, &m, err) < 0)
		return -1;
	script = memfd_create("umlrun-debugfs-script", MFD_CLOEXEC);
	if (script < 0)
		return uerr_set(err, errno, "memfd_create");
	if (write_script(script, dfd, o, &m, st.st_mode, err) < 0 ||
	    walk(dfd, o->dir, 0, &t, err) < 0)
		return -1;
	size = o->size ? o->size : imgbuild_default_size(t.bytes);
	if (size < MIB)
		return uerr_set(err, 0, "image size %llu bytes is too small: want at least 1M",
				(unsigned long long)size);
	if (outfile_open(&out, o->image, err) < 0 ||
	    run_mke2fs(o, &st, &t, size, out.path, err) < 0 ||
	    run_debugfs(o, script, out.path, err) < 0)
		return -1;
	if (ext4img_check(out.path, err) < 0)
		return uerr_prefix(err, "mke2fs made a bad image");
	if (interrupted())
		return uerr_set(err, 0, "interrupted by a signal");
	return outfile_commit(&out, o->force, err);
}
