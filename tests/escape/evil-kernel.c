/* evil-kernel.c: stands in for an attacker who has code execution in the UML
 * kernel. umlrun runs it as the kernel (--kernel), so it gets exactly the
 * kernel process's confinement. It prints to its stdout (the kernel log)
 * first the confinement it finds itself under:
 *   "ATTACK layers: namespaces=on landlock=on seccomp=on uid=N"
 * then one line per host attack:
 *   "ATTACK name: blocked by LAYER (why)" or "ATTACK name: ESCAPED (what)"
 * and last "ATTACK done: N attacks". LAYER names the layer that refused
 * the call, as `umlrun check` names them (seccomp, namespaces, landlock,
 * unprivileged-kernel, capabilities; closed-fds: the fds umlrun closes
 * before exec), found from the errno, the probed layers and what plain
 * permissions would allow: a filter's
 * verdict comes before the call runs; a path, process or address missing
 * from the staging view or the sandbox's namespaces is the namespaces';
 * a refusal that uid permissions explain is unprivileged-kernel's; what is
 * left is Landlock's. "unknown" means none of these explains it.
 * Each attack runs in its own child, so one that seccomp kills (SIGSYS)
 * counts as blocked and the rest still run. Attacks that would hurt the
 * host if they worked aim at the test's own files (the canary). The test
 * leaves the targets in a file "targets" at the root of the bundle's rootfs,
 * found through the hostfs= argument umlrun gives the kernel. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

struct targets {
	char secret[512], canary[512], port[16], hostpid[16], abstract[128];
	char hostuid[16], unixsock[108], pty[64], shm[128];
};

/* What this process is confined by, probed at start. */
static struct {
	bool view;     /* in the staging view: new mount (and so pid, net) namespaces */
	bool landlock; /* a readable path outside its rules is refused */
	bool seccomp;  /* a filter is loaded */
} layers;

static const char *kernel_path = "/linux"; /* argv[0]: the kernel as this process sees it */

/* From the exec's auxiliary vector: the filter may kill a geteuid() call. */
static uid_t euid(void)
{
	return (uid_t)getauxval(AT_EUID);
}

static void report(const char *name, const char *layer, const char *detail)
{
	int len = (int)strcspn(detail, "\n"); /* one line */

	if (layer != NULL)
		printf("ATTACK %s: blocked by %s (%.*s)\n", name, layer, len, detail);
	else
		printf("ATTACK %s: ESCAPED (%.*s)\n", name, len, detail);
	fflush(stdout);
}

/* Missing from this process's world: only the sandbox's namespaces do that. */
static const char *absent_layer(void)
{
	return layers.view ? "namespaces" : "unknown";
}

/* The directory holding `path` ("/" for a top-level name). */
static void dir_of(const char *path, char *dir, size_t size)
{
	char *slash;

	snprintf(dir, size, "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		slash[slash == dir] = '\0';
}

/* Which layer refused an open of `path` (R_OK, W_OK; a file that does not
 * exist yet is checked on its directory) with errnum. */
static const char *path_layer(const char *path, int mode, int errnum)
{
	char dir[600];

	switch (errnum) {
	case ENOENT:
	case ENOTDIR:
	case EROFS: /* the view binds the kernel and initramfs read-only */
		return absent_layer();
	case EACCES:
	case EPERM:
		if (access(path, F_OK) < 0) {
			dir_of(path, dir, sizeof(dir));
			path = dir;
			mode |= X_OK;
		}
		/* access() checks uid permissions only: Landlock has no hook on it */
		if (access(path, mode) < 0 && errno == EACCES)
			return "unprivileged-kernel";
		return layers.landlock ? "landlock" : "unknown";
	}
	return "unknown";
}

/* Which layer refused a signal or ptrace of host process `pid`. */
static const char *process_layer(const struct targets *t, int errnum)
{
	if (errnum == ESRCH)
		return absent_layer();
	if (errnum != EPERM)
		return "unknown";
	if (euid() != (uid_t)atol(t->hostuid))
		return "unprivileged-kernel"; /* uid permissions come before LSMs */
	return layers.landlock ? "landlock" : "unknown";
}

/* Reports a refused call on `path` or of a host process, by errno (taken
 * first: finding the layer changes it). */
static void blocked_path(const char *name, const char *path, int mode)
{
	int e = errno;

	report(name, path_layer(path, mode, e), strerror(e));
}
static void blocked_process(const char *name, const struct targets *t)
{
	int e = errno;

	report(name, process_layer(t, e), strerror(e));
}

static void try_read(const char *name, const char *path)
{
	char buf[256] = { 0 };
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		blocked_path(name, path, R_OK);
		return;
	}
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		blocked_path(name, path, R_OK);
	else
		report(name, NULL, buf);
	close(fd);
}

static void try_create(const char *name, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		blocked_path(name, path, W_OK);
		return;
	}
	if (write(fd, "owned\n", 6) != 6)
		blocked_path(name, path, W_OK);
	else
		report(name, NULL, path);
	close(fd);
}

/* An AF_UNIX connect to `addr` of `len` bytes; returns 0 or an errno. */
static int unix_connect(const struct sockaddr_un *addr, socklen_t len)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	int e = 0;

	if (s < 0)
		return errno;
	if (connect(s, (const struct sockaddr *)addr, len) < 0)
		e = errno;
	close(s);
	return e;
}

static void a_read_secret(const struct targets *t) { try_read("read-host-secret", t->secret); }
static void a_write_canary(const struct targets *t)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/owned", t->canary);
	try_create("write-host-canary", p);
}
static void a_read_passwd(const struct targets *t) { (void)t; try_read("read-host-passwd", "/etc/passwd"); }
static void a_write_view(const struct targets *t) { (void)t; try_create("write-view-root", "/owned"); }
static void a_write_kernel(const struct targets *t)
{
	char dir[600];
	int fd = open(kernel_path, O_WRONLY);

	(void)t;
	if (fd >= 0) {
		report("write-kernel-binary", NULL, kernel_path);
		close(fd);
		return;
	}
	if (errno != ETXTBSY) {
		blocked_path("write-kernel-binary", kernel_path, W_OK);
		return;
	}
	/* the running binary cannot be written: replace it instead */
	dir_of(kernel_path, dir, sizeof(dir));
	if (unlink(kernel_path) == 0)
		report("write-kernel-binary", NULL, "unlinked the running kernel");
	else
		blocked_path("write-kernel-binary", dir, W_OK | X_OK);
}
static void a_signal(const struct targets *t)
{
	if (kill(atoi(t->hostpid), 0) == 0)
		report("signal-host-process", NULL, t->hostpid);
	else
		blocked_process("signal-host-process", t);
}
static void a_ptrace(const struct targets *t)
{
	if (ptrace(PTRACE_ATTACH, atoi(t->hostpid), 0, 0) == 0) {
		ptrace(PTRACE_DETACH, atoi(t->hostpid), 0, 0);
		report("ptrace-host-process", NULL, t->hostpid);
	} else if (errno == EPERM && layers.seccomp) {
		report("ptrace-host-process", "seccomp", "PTRACE_ATTACH refused by the filter");
	} else {
		blocked_process("ptrace-host-process", t);
	}
}
static void a_tcp(const struct targets *t)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(t->port)) };

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (s < 0 && errno == EPERM && layers.seccomp)
		report("tcp-host-loopback", "seccomp", "socket(AF_INET) refused by the filter");
	else if (s < 0)
		report("tcp-host-loopback", "unknown", strerror(errno));
	else if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		report("tcp-host-loopback", NULL, t->port);
	else if (errno == ENETUNREACH || errno == ECONNREFUSED)
		report("tcp-host-loopback", absent_layer(), strerror(errno));
	else
		report("tcp-host-loopback", errno == EACCES && layers.landlock ? "landlock" : "unknown",
		       strerror(errno));
}
static void a_abstract(const struct targets *t)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(t->abstract);
	int e;

	memcpy(sa.sun_path + 1, t->abstract, len);
	e = unix_connect(&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len));
	if (e == 0)
		report("abstract-unix-socket", NULL, t->abstract);
	else /* abstract names are per network namespace; Landlock scopes them */
		report("abstract-unix-socket",
		       e == ECONNREFUSED ? absent_layer() : e == EPERM && layers.landlock ? "landlock" : "unknown",
		       strerror(e));
}
static void a_unix_path(const struct targets *t)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int e;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", t->unixsock);
	e = unix_connect(&sa, sizeof(sa));
	if (e == 0)
		report("connect-host-unix-socket", NULL, t->unixsock);
	else
		report("connect-host-unix-socket", path_layer(t->unixsock, W_OK, e), strerror(e));
}
static void a_shm(const struct targets *t)
{
	char p[200];

	snprintf(p, sizeof(p), "/dev/shm/%s", t->shm);
	try_create("write-host-shm", p);
}
static void a_pty(const struct targets *t)
{
	char buf[256] = { 0 };
	int fd = open(t->pty, O_RDONLY | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		blocked_path("read-host-terminal", t->pty, R_OK);
		return;
	}
	/* the test typed a line into its terminal: reading it is the escape */
	if (read(fd, buf, sizeof(buf) - 1) > 0 && strstr(buf, "top-secret") != NULL)
		report("read-host-terminal", NULL, buf);
	else /* a pty of the sandbox's private devpts with the same number */
		report("read-host-terminal", absent_layer(), "not the host's terminal");
	close(fd);
}
static void a_mount(const struct targets *t)
{
	/* on the canary: if this ever works, only the test's dir is covered */
	if (mount("none", t->canary, "tmpfs", 0, NULL) == 0)
		report("mount", NULL, t->canary);
	else
		report("mount", errno == EPERM ? "capabilities" : "unknown", strerror(errno));
}
static void a_setuid(const struct targets *t)
{
	(void)t;
	if (setuid(0) == 0 && getuid() == 0)
		report("become-host-root", NULL, "setuid(0)");
	else
		report("become-host-root", errno == EPERM ? "capabilities" : "unknown", strerror(errno));
}
static void a_fds(const struct targets *t)
{
	char extra[128] = "";
	int n = 0;

	(void)t;
	/* fcntl, not /proc/self/fd: Landlock hides the host's /proc */
	for (int fd = 5; fd < 4096; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		n++;
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "%d ", fd);
	}
	if (n > 0)
		report("leaked-fds", NULL, extra);
	else
		report("leaked-fds", "closed-fds", "only 0-4");
}
static void a_proc(const struct targets *t)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/%s/cmdline", t->hostpid);
	try_read("see-host-process", p);
}
static void a_exec(const struct targets *t)
{
	char *argv[] = { (char *)kernel_path, "exec-again", NULL };

	(void)t;
	execv(kernel_path, argv);
	if (errno == EPERM && layers.seccomp)
		report("exec-again", "seccomp", "execve refused by the filter");
	else
		blocked_path("exec-again", kernel_path, X_OK);
}

static const struct {
	const char *name;
	void (*fn)(const struct targets *);
} attacks[] = {
	{ "read-host-secret", a_read_secret }, { "write-host-canary", a_write_canary },
	{ "read-host-passwd", a_read_passwd }, { "write-view-root", a_write_view },
	{ "write-kernel-binary", a_write_kernel }, { "signal-host-process", a_signal },
	{ "ptrace-host-process", a_ptrace }, { "tcp-host-loopback", a_tcp },
	{ "abstract-unix-socket", a_abstract }, { "connect-host-unix-socket", a_unix_path },
	{ "write-host-shm", a_shm }, { "read-host-terminal", a_pty },
	{ "mount", a_mount }, { "become-host-root", a_setuid }, { "leaked-fds", a_fds },
	{ "see-host-process", a_proc }, { "exec-again", a_exec },
};

/* Runs fn in a child; returns its exit status, or 128 + the signal. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int probe_view(void) { return access("/linux", F_OK) == 0 && access("/rootfs", F_OK) == 0; }
static int probe_landlock(void)
{
	/* "/" is readable by uid permissions, and no Landlock rule grants it */
	return access("/", R_OK) == 0 && open("/", O_RDONLY | O_DIRECTORY) < 0 && errno == EACCES;
}
/* The filter refuses prctl(PR_GET_SECCOMP) (or kills the caller). */
static int probe_seccomp(void) { return prctl(PR_GET_SECCOMP) != 0; }

int main(int argc, char **argv)
{
	char path[4200] = "/nonexistent";
	struct targets t = { 0 };
	FILE *f;

	if (argc == 2 && strcmp(argv[1], "exec-again") == 0) {
		report("exec-again", NULL, "the kernel ran itself again");
		return 0;
	}
	kernel_path = argv[0];
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "hostfs=", 7) == 0)
			snprintf(path, sizeof(path), "%s/targets", argv[i] + 7);
	f = fopen(path, "r");
	if (f == NULL) {
		printf("ATTACK setup: no targets file\n");
		return 2;
	}
	if (fscanf(f, "%511s %511s %15s %15s %127s %15s %107s %63s %127s", t.secret, t.canary,
		   t.port, t.hostpid, t.abstract, t.hostuid, t.unixsock, t.pty, t.shm) != 9) {
		printf("ATTACK setup: bad targets file\n");
		return 2;
	}
	fclose(f);
	layers.view = in_child(probe_view) == 1;
	layers.landlock = in_child(probe_landlock) == 1;
	layers.seccomp = in_child(probe_seccomp) != 0;
	printf("ATTACK layers: namespaces=%s landlock=%s seccomp=%s uid=%u\n",
	       layers.view ? "on" : "off", layers.landlock ? "on" : "off",
	       layers.seccomp ? "on" : "off", (unsigned)euid());
	fflush(stdout); /* else each child prints it again */
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			attacks[i].fn(&t);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0) {
			report(attacks[i].name, "unknown", "could not fork");
			continue;
		}
		if (WIFSIGNALED(status))
			report(attacks[i].name, WTERMSIG(status) == SIGSYS ? "seccomp" : "unknown",
			       WTERMSIG(status) == SIGSYS ? "killed by the filter" : strsignal(WTERMSIG(status)));
	}
	printf("ATTACK done: %zu attacks\n", sizeof(attacks) / sizeof(attacks[0]));
	return 0;
}
