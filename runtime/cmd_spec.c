/* cmd_spec.c: `umlrun spec [-b DIR] [--rootless]`: writes the default
 * config.json of spec/default.c into the bundle directory, as `runc spec`
 * does, and refuses to overwrite one that exists. */
#define _GNU_SOURCE
#include "cmd_spec.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../spec/spec.h"
#include "cleanup.h"

static const char usage_spec[] =
    "Usage: umlrun spec [OPTIONS]\n"
    "\n"
    "Writes a starter config.json into the bundle directory, as `runc spec`\n"
    "does: it runs \"sh\" in ./rootfs. It never overwrites an existing\n"
    "config.json.\n"
    "\n"
    "Options:\n"
    "  -b, --bundle DIR  bundle directory (default: the current directory)\n"
    "      --rootless    a config for unprivileged use: a user namespace mapping\n"
    "                    the caller's uid and gid to 0, no network namespace\n"
    "  -h, --help        show this help\n";

enum { OPT_ROOTLESS = 256 };

/* Writes all of buf to fd. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_config(const char *bundle, const char *json, size_t len, struct uerr *err)
{
	autoclose int dir = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	autoclose int fd = -1;

	if (dir < 0)
		return uerr_set(err, errno, "%s", bundle);
	/* O_EXCL | O_NOFOLLOW: never through an existing file or symlink */
	fd = openat(dir, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		return uerr_set(err, 0, "%s/config.json exists: remove it first", bundle);
	if (fd < 0)
		return uerr_set(err, errno, "%s/config.json", bundle);
	if (write_all(fd, json, len) < 0 || close(steal_fd(fd)) < 0) {
		int saved = errno;

		unlinkat(dir, "config.json", 0);
		return uerr_set(err, saved, "%s/config.json: write", bundle);
	}
	return 0;
}

int cmd_spec_main(int argc, char **argv, struct uerr *err)
{
	static const struct option opts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"rootless", no_argument, NULL, OPT_ROOTLESS},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct spec_default_opts o = {.uid = geteuid(), .gid = getegid()};
	const char *bundle = ".";
	autofree char *json = NULL;
	size_t len;
	int c;

	optind = 0; /* a full rescan: getopt may have run before */
	while ((c = getopt_long(argc, argv, "+b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case OPT_ROOTLESS:
			o.rootless = true;
			break;
		case 'h':
			fputs(usage_spec, stdout);
			return 0;
		default:
			fputs(usage_spec, stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fputs(usage_spec, stderr);
		return uerr_set(err, 0, "spec: unexpected argument \"%s\"", argv[optind]);
	}
	if (spec_default_json(&o, &json, &len, err) < 0)
		return -1;
	return write_config(bundle, json, len, err);
}
