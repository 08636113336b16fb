/* prewarm.c: reads the workload's executable once while the container is
 * only created, so that `start` does not wait for hostfs to bring it into
 * the guest's page cache. Best effort: failures are ignored (the exec
 * reports them properly later). */
#include "agent.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runtime/cleanup.h"

static void read_file(const char *path)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	void *p;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (p != MAP_FAILED)
		munmap(p, (size_t)st.st_size);
}

/* The PATH the workload will use: its env's, else the default. */
static const char *search_path(const struct agent_config *c)
{
	for (size_t i = 0; i < c->proc.n_env; i++)
		if (strncmp(c->proc.env[i], "PATH=", 5) == 0)
			return c->proc.env[i] + 5;
	return AGENT_DEFAULT_PATH + 5;
}

void prewarm_workload(const struct agent_config *c)
{
	const char *cmd = c->proc.n_args ? c->proc.args[0] : NULL, *p;
	char path[4096];

	if (cmd == NULL || cmd[0] == '\0')
		return;
	if (strchr(cmd, '/')) {
		read_file(cmd);
		return;
	}
	for (p = search_path(c); *p;) {
		size_t n = strcspn(p, ":");

		if (n > 0 && n + strlen(cmd) + 2 < sizeof(path)) {
			snprintf(path, sizeof(path), "%.*s/%s", (int)n, p, cmd);
			if (access(path, X_OK) == 0) {
				read_file(path);
				return;
			}
		}
		p += n + (p[n] == ':');
	}
}
