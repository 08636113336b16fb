/* container.c: state.json of one container (see container.h). The file is
 * umlrun's own and lives in a 0700 directory, but it is still parsed with
 * bounds: a corrupt file is an error, never a crash. */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "cleanup.h"
#include "jsonw.h"

#define STATE_FILE "state.json"
#define STATE_MAX (1024 * 1024)

static const char *const status_names[] = { "creating", "created", "running", "paused",
					    "stopped" };

const char *container_status_name(enum ctr_status s)
{
	return status_names[s];
}

char *container_now(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];
	char *out = NULL;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	if (asprintf(&out, "%s.%09ldZ", buf, ts.tv_nsec) < 0)
		return NULL;
	return out;
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	autoclose int fd = -1;
	ssize_t n;
	char state;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold anything */
	if (p == NULL || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
				"%*d %*d %*d %*d %*d %llu", &state, &start) != 2)
		return 0;
	if (state == 'Z' || state == 'X')
		return 0;
	return start;
}

bool proc_alive(pid_t pid, unsigned long long start)
{
	unsigned long long now = proc_start_time(pid);

	return now != 0 && now == start;
}

bool proc_wait_gone(pid_t pid, unsigned long long start, int ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0 && proc_alive(pid, start)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		poll(&p, 1, ms);
	}
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < ms / 10 && proc_alive(pid, start); i++)
		usleep(10000);
	return !proc_alive(pid, start);
}

enum ctr_status container_status(const struct container *c)
{
	if (c->status == CS_STOPPED)
		return CS_STOPPED;
	if (!proc_alive(c->pid, c->pid_start))
		return CS_STOPPED;
	return c->status;
}

static void print_annotations(FILE *f, const struct container *c)
{
	fputs("{", f);
	for (size_t i = 0; i < c->n_annotations; i++) {
		fputs(i ? "," : "", f);
		jsonw_str(f, c->annotations[i].key);
		fputs(":", f);
		jsonw_str(f, c->annotations[i].value);
	}
	fputs("}", f);
}

void container_print_state(FILE *f, const struct container *c)
{
	enum ctr_status s = container_status(c);

	fputs("{\n  \"ociVersion\": \"1.0.2\",\n  \"id\": ", f);
	jsonw_str(f, c->id);
	fprintf(f, ",\n  \"pid\": %d,\n  \"status\": ", s == CS_STOPPED ? 0 : (int)c->pid);
	jsonw_str(f, container_status_name(s));
	fputs(",\n  \"bundle\": ", f);
	jsonw_str(f, c->bundle);
	fputs(",\n  \"rootfs\": ", f);
	jsonw_str(f, c->rootfs);
	fputs(",\n  \"created\": ", f);
	jsonw_str(f, c->created);
	if (s == CS_STOPPED && c->has_exit) /* beyond the runtime-spec: the exit */
		fprintf(f, ",\n  \"exitCode\": %d", WIFEXITED(c->exit_status) ?
							WEXITSTATUS(c->exit_status) :
							128 + WTERMSIG(c->exit_status));
	fputs(",\n  \"owner\": \"\",\n  \"annotations\": ", f);
	print_annotations(f, c);
	fputs("\n}\n", f);
}

int container_save(const struct container *c, struct uerr *err)
{
	autofree char *path = NULL, *tmp = NULL;
	autofclose FILE *f = NULL;
	int fd;

	if (asprintf(&path, "%s/" STATE_FILE, c->dir) < 0 ||
	    asprintf(&tmp, "%s/." STATE_FILE ".%d", c->dir, (int)getpid()) < 0)
		return uerr_set(err, ENOMEM, "state file");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return uerr_set(err, errno, "%s", tmp);
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(tmp);
		return uerr_set(err, errno, "%s", tmp);
	}
	fputs("{\"ociVersion\":\"1.0.2\",\"id\":", f);
	jsonw_str(f, c->id);
	fputs(",\"status\":", f);
	jsonw_str(f, container_status_name(c->status));
	fprintf(f, ",\"pid\":%d,\"bundle\":", (int)c->pid);
	jsonw_str(f, c->bundle);
	fputs(",\"rootfs\":", f);
	jsonw_str(f, c->rootfs);
	fputs(",\"created\":", f);
	jsonw_str(f, c->created);
	fputs(",\"annotations\":", f);
	print_annotations(f, c);
	fprintf(f, ",\"umlrun\":{\"pidStart\":%llu,\"vmPid\":%d,\"vmStart\":%llu", c->pid_start,
		(int)c->vm_pid, c->vm_start);
	if (c->has_exit)
		fprintf(f, ",\"exitStatus\":%d", c->exit_status);
	fputs("}}\n", f);
	if (fflush(f) != 0 || ferror(f)) {
		int e = errno;

		unlink(tmp);
		return uerr_set(err, e, "writing %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return uerr_set(err, e, "rename %s", path);
	}
	return 0;
}

static int read_small(const char *path, char **out, struct uerr *err)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	autofree char *buf = NULL;
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	buf = malloc(STATE_MAX + 1);
	if (buf == NULL)
		return uerr_set(err, ENOMEM, "%s", path);
	while ((n = read(fd, buf + len, STATE_MAX - len)) > 0)
		len += (size_t)n;
	if (n < 0)
		return uerr_set(err, errno, "%s", path);
	if (len == STATE_MAX)
		return uerr_set(err, 0, "%s: too large", path);
	buf[len] = '\0';
	*out = steal_ptr(buf);
	return 0;
}

static char *get_str(yajl_val root, const char **path)
{
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);
	const char *s = v ? YAJL_GET_STRING(v) : NULL;

	return s ? strdup(s) : NULL;
}

static long long get_int(yajl_val root, const char **path, bool *ok)
{
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);

	if (v == NULL || !YAJL_IS_INTEGER(v)) {
		*ok = false;
		return 0;
	}
	return YAJL_GET_INTEGER(v);
}

static void cleanup_yajl(yajl_val *v)
{
	if (*v)
		yajl_tree_free(*v);
}

static int decode(yajl_val root, struct container *c, const char *path, struct uerr *err)
{
	const char *p_status[] = { "status", NULL }, *p_bundle[] = { "bundle", NULL },
		   *p_rootfs[] = { "rootfs", NULL }, *p_created[] = { "created", NULL },
		   *p_pid[] = { "pid", NULL }, *p_ann[] = { "annotations", NULL },
		   *p_pstart[] = { "umlrun", "pidStart", NULL }, *p_vm[] = { "umlrun", "vmPid", NULL },
		   *p_vmstart[] = { "umlrun", "vmStart", NULL },
		   *p_exit[] = { "umlrun", "exitStatus", NULL };
	autofree char *status = get_str(root, p_status);
	yajl_val ann;
	bool ok = true, exit_ok = true;
	size_t i;

	c->bundle = get_str(root, p_bundle);
	c->rootfs = get_str(root, p_rootfs);
	c->created = get_str(root, p_created);
	c->pid = (pid_t)get_int(root, p_pid, &ok);
	c->pid_start = (unsigned long long)get_int(root, p_pstart, &ok);
	c->vm_pid = (pid_t)get_int(root, p_vm, &ok);
	c->vm_start = (unsigned long long)get_int(root, p_vmstart, &ok);
	c->exit_status = (int)get_int(root, p_exit, &exit_ok);
	c->has_exit = exit_ok;
	if (!ok || status == NULL || c->bundle == NULL || c->rootfs == NULL || c->created == NULL)
		return uerr_set(err, 0, "%s: corrupt state file", path);
	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(status, status_names[i]) == 0)
			c->status = (enum ctr_status)i;
	ann = yajl_tree_get(root, p_ann, yajl_t_object);
	if (ann == NULL || YAJL_GET_OBJECT(ann)->len == 0)
		return 0;
	c->annotations = calloc(YAJL_GET_OBJECT(ann)->len, sizeof(*c->annotations));
	if (c->annotations == NULL)
		return uerr_set(err, ENOMEM, "%s", path);
	for (i = 0; i < YAJL_GET_OBJECT(ann)->len; i++) {
		yajl_val v = YAJL_GET_OBJECT(ann)->values[i];
		const char *val = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
		struct spec_kv *kv = &c->annotations[c->n_annotations];

		if (val == NULL)
			continue;
		kv->key = strdup(YAJL_GET_OBJECT(ann)->keys[i]);
		kv->value = strdup(val);
		if (kv->key == NULL || kv->value == NULL)
			return uerr_set(err, ENOMEM, "%s", path);
		c->n_annotations++;
	}
	return 0;
}

int container_load(const char *root, const char *id, struct container *c, struct uerr *err)
{
	__attribute__((cleanup(cleanup_yajl))) yajl_val tree = NULL;
	autofree char *path = NULL, *text = NULL;
	char ebuf[256];
	int r;

	memset(c, 0, sizeof(*c));
	if (strchr(id, '/') || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || id[0] == '\0')
		return uerr_set(err, 0, "container \"%s\" does not exist", id);
	c->id = strdup(id);
	if (c->id == NULL || asprintf(&c->dir, "%s/%s", root, id) < 0)
		return uerr_set(err, ENOMEM, "container %s", id);
	if (asprintf(&path, "%s/" STATE_FILE, c->dir) < 0)
		return uerr_set(err, ENOMEM, "container %s", id);
	r = read_small(path, &text, err);
	if (r == -ENOENT || r == -ENOTDIR)
		return uerr_set(err, 0, "container \"%s\" does not exist", id);
	if (r < -1)
		return uerr_set(err, -r, "%s", path);
	if (r < 0)
		return -1;
	tree = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (tree == NULL || !YAJL_IS_OBJECT(tree))
		return uerr_set(err, 0, "%s: corrupt state file", path);
	return decode(tree, c, path, err);
}

void container_free(struct container *c)
{
	for (size_t i = 0; i < c->n_annotations; i++) {
		free(c->annotations[i].key);
		free(c->annotations[i].value);
	}
	free(c->annotations);
	free(c->id);
	free(c->dir);
	free(c->bundle);
	free(c->rootfs);
	free(c->created);
	memset(c, 0, sizeof(*c));
}
