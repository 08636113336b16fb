/* evil-kernel.c: stands in for an attacker who has code execution in the UML
 * kernel. umlrun runs it as the kernel (--kernel), so it gets exactly the
 * kernel process's confinement. It tries host attacks and prints one line
 * per attack to its stdout (the kernel log): "ATTACK name: blocked (why)"
 * or "ATTACK name: ESCAPED (what)". The test leaves the targets in a file
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

int main(int argc, char **argv)
{
	char secret[512] = "", canary[512] = "", port[16] = "", hostpid[16] = "", abstract[128] = "";
	char targets[4200] = "/nonexistent";
	FILE *f;
	int n = 0;
	DIR *d;
	struct dirent *de;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "hostfs=", 7) == 0)
			snprintf(targets, sizeof(targets), "%s/targets", argv[i] + 7);
	f = fopen(targets, "r");
	if (f == NULL) {
		printf("ATTACK setup: no targets file\n");
		return 2;
	}
	if (fscanf(f, "%511s %511s %15s %15s %127s", secret, canary, port, hostpid, abstract) != 5) {
		printf("ATTACK setup: bad targets file\n");
		return 2;
	}
	fclose(f);

	try_read("read-host-secret", secret);
	{
		char p[600];

		snprintf(p, sizeof(p), "%s/owned", canary);
		try_create("write-host-canary", p);
	}
	try_read("read-host-passwd", "/etc/passwd");
	try_create("write-view-root", "/owned");
	try_create("write-kernel-binary", "/linux");

	/* signal and trace a host process */
	if (kill(atoi(hostpid), 0) == 0)
		report("signal-host-process", 1, hostpid);
	else
		report("signal-host-process", 0, strerror(errno));
	if (ptrace(PTRACE_ATTACH, atoi(hostpid), 0, 0) == 0)
		report("ptrace-host-process", 1, hostpid);
	else
		report("ptrace-host-process", 0, strerror(errno));

	/* host loopback TCP service */
	{
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };

		inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
		if (s < 0)
			report("tcp-host-loopback", 0, strerror(errno));
		else if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			report("tcp-host-loopback", 1, port);
		else
			report("tcp-host-loopback", 0, strerror(errno));
		if (s >= 0)
			close(s);
	}
	/* host abstract unix socket */
	{
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		size_t len = strlen(abstract);

		memcpy(sa.sun_path + 1, abstract, len);
		if (s < 0)
			report("abstract-unix-socket", 0, strerror(errno));
		else if (connect(s, (struct sockaddr *)&sa,
				 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) == 0)
			report("abstract-unix-socket", 1, abstract);
		else
			report("abstract-unix-socket", 0, strerror(errno));
		if (s >= 0)
			close(s);
	}
	/* privileges */
	if (mount("none", "/tmp", "tmpfs", 0, NULL) == 0)
		report("mount", 1, "tmpfs on /tmp");
	else
		report("mount", 0, strerror(errno));
	if (setuid(0) == 0 && getuid() == 0)
		report("become-host-root", 1, "setuid(0)");
	else
		report("become-host-root", 0, "not root");
	/* leaked fds: only 0-4 are declared */
	d = opendir("/proc/self/fd");
	if (d != NULL) {
		char extra[128] = "";

		while ((de = readdir(d)) != NULL) {
			int fd = atoi(de->d_name);

			if (de->d_name[0] == '.' || fd <= 4 || fd == dirfd(d))
				continue;
			n++;
			snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "%d ", fd);
		}
		closedir(d);
		report("leaked-fds", n > 0, n ? extra : "only 0-4");
	} else {
		report("leaked-fds", 0, "no /proc/self/fd");
	}
	/* host processes visible? */
	{
		char p[64];

		snprintf(p, sizeof(p), "/proc/%s/cmdline", hostpid);
		try_read("see-host-process", p);
	}
	printf("ATTACK done\n");
	return 0;
}
