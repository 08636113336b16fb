/* evil-kernel.c: stands in for an attacker who has code execution in the UML
 * kernel. umlrun runs it as the kernel (--kernel), so it gets exactly the
 * kernel process's confinement. It tries host attacks and prints one line
 * per attack to its stdout (the kernel log): "ATTACK name: blocked (why)"
 * or "ATTACK name: ESCAPED (what)". Each attack runs in its own child, so
 * one that seccomp kills (SIGSYS) counts as blocked and the rest still run.
 * Attacks that would hurt the host if they worked aim at the test's own
 * directory (the canary). The test leaves the targets in a file
 * "targets" at the root of the bundle's rootfs, found through the hostfs=
 * argument umlrun gives the kernel. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *name, int escaped, const char *detail)
{
	printf("ATTACK %s: %s (%s)\n", name, escaped ? "ESCAPED" : "blocked", detail);
	fflush(stdout);
}

static void try_read(const char *name, const char *path)
{
	char buf[256] = { 0 };
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		report(name, 0, strerror(errno));
		return;
	}
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		report(name, 0, strerror(errno));
	else
		report(name, 1, buf);
	close(fd);
}

static void try_create(const char *name, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		report(name, 0, strerror(errno));
		return;
	}
	if (write(fd, "owned\n", 6) != 6)
		report(name, 0, strerror(errno));
	else
		report(name, 1, path);
	close(fd);
}

struct targets {
	char secret[512], canary[512], port[16], hostpid[16], abstract[128];
};

static void a_read_secret(const struct targets *t) { try_read("read-host-secret", t->secret); }
static void a_write_canary(const struct targets *t)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/owned", t->canary);
	try_create("write-host-canary", p);
}
static void a_read_passwd(const struct targets *t) { (void)t; try_read("read-host-passwd", "/etc/passwd"); }
static void a_write_view(const struct targets *t) { (void)t; try_create("write-view-root", "/owned"); }
static void a_write_kernel(const struct targets *t) { (void)t; try_create("write-kernel-binary", "/linux"); }
static void a_signal(const struct targets *t)
{
	if (kill(atoi(t->hostpid), 0) == 0)
		report("signal-host-process", 1, t->hostpid);
	else
		report("signal-host-process", 0, strerror(errno));
}
static void a_ptrace(const struct targets *t)
{
	if (ptrace(PTRACE_ATTACH, atoi(t->hostpid), 0, 0) == 0) {
		ptrace(PTRACE_DETACH, atoi(t->hostpid), 0, 0);
		report("ptrace-host-process", 1, t->hostpid);
	} else {
		report("ptrace-host-process", 0, strerror(errno));
	}
}
static void a_tcp(const struct targets *t)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(t->port)) };

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (s < 0)
		report("tcp-host-loopback", 0, strerror(errno));
	else if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		report("tcp-host-loopback", 1, t->port);
	else
		report("tcp-host-loopback", 0, strerror(errno));
}
static void a_abstract(const struct targets *t)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(t->abstract);

	memcpy(sa.sun_path + 1, t->abstract, len);
	if (s < 0)
		report("abstract-unix-socket", 0, strerror(errno));
	else if (connect(s, (struct sockaddr *)&sa,
			 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) == 0)
		report("abstract-unix-socket", 1, t->abstract);
	else
		report("abstract-unix-socket", 0, strerror(errno));
}
static void a_mount(const struct targets *t)
{
	/* on the canary: if this ever works, only the test's dir is covered */
	if (mount("none", t->canary, "tmpfs", 0, NULL) == 0)
		report("mount", 1, t->canary);
	else
		report("mount", 0, strerror(errno));
}
static void a_setuid(const struct targets *t)
{
	(void)t;
	if (setuid(0) == 0 && getuid() == 0)
		report("become-host-root", 1, "setuid(0)");
	else
		report("become-host-root", 0, "not root");
}
static void a_fds(const struct targets *t)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char extra[128] = "";
	int n = 0;

	(void)t;
	if (d == NULL) {
		report("leaked-fds", 0, "no /proc/self/fd");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd <= 4 || fd == dirfd(d))
			continue;
		n++;
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "%d ", fd);
	}
	closedir(d);
	report("leaked-fds", n > 0, n ? extra : "only 0-4");
}
static void a_proc(const struct targets *t)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/%s/cmdline", t->hostpid);
	try_read("see-host-process", p);
}
static void a_exec(const struct targets *t)
{
	char *argv[] = { "/linux", NULL };

	(void)t;
	execv("/linux", argv);
	report("exec-again", 0, strerror(errno));
}

static const struct {
	const char *name;
	void (*fn)(const struct targets *);
} attacks[] = {
	{ "read-host-secret", a_read_secret }, { "write-host-canary", a_write_canary },
	{ "read-host-passwd", a_read_passwd }, { "write-view-root", a_write_view },
	{ "write-kernel-binary", a_write_kernel }, { "signal-host-process", a_signal },
	{ "ptrace-host-process", a_ptrace }, { "tcp-host-loopback", a_tcp },
	{ "abstract-unix-socket", a_abstract }, { "mount", a_mount },
	{ "become-host-root", a_setuid }, { "leaked-fds", a_fds },
	{ "see-host-process", a_proc }, { "exec-again", a_exec },
};

int main(int argc, char **argv)
{
	char path[4200] = "/nonexistent";
	struct targets t = { 0 };
	FILE *f;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "hostfs=", 7) == 0)
			snprintf(path, sizeof(path), "%s/targets", argv[i] + 7);
	f = fopen(path, "r");
	if (f == NULL) {
		printf("ATTACK setup: no targets file\n");
		return 2;
	}
	if (fscanf(f, "%511s %511s %15s %15s %127s", t.secret, t.canary, t.port, t.hostpid,
		   t.abstract) != 5) {
		printf("ATTACK setup: bad targets file\n");
		return 2;
	}
	fclose(f);
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			attacks[i].fn(&t);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0) {
			report(attacks[i].name, 0, "could not fork");
			continue;
		}
		if (WIFSIGNALED(status))
			report(attacks[i].name, 0, WTERMSIG(status) == SIGSYS ? "killed by seccomp"
									   : strsignal(WTERMSIG(status)));
	}
	printf("ATTACK done\n");
	return 0;
}
