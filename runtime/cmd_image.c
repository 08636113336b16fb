/* cmd_image.c: `umlrun image`: `build` makes an ext4 root image from a
 * directory (imgbuild.c); `commit` folds a COW file's changes, a stopped
 * container's or a named one, into a new image or into its base
 * (cow_merge.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "commands.h"
#include "container.h"
#include "cow.h"
#include "imgbuild.h"
#include "rootmode.h"

static const char usage[] =
	"Usage: umlrun image build [OPTIONS] DIR IMAGE\n"
	"       umlrun image commit ID|COWFILE NEWIMAGE\n"
	"       umlrun image commit --in-place ID|COWFILE\n"
	"\n"
	"Root filesystem images, for bundles whose root is an ext4 image (the\n"
	"guest boots it on ubd0 with a copy-on-write file).\n"
	"\n"
	"build: makes a sparse ext4 image of the directory DIR with mke2fs -d,\n"
	"without root. Files keep the owners the caller sees.\n"
	"  --size N[KMGT]    filesystem size (default: the sizes of DIR's files, each\n"
	"                    rounded up to 4K, times 1.5, plus 64M, rounded up to 4M)\n"
	"  --owner UID:GID   files owned by the caller are owned by UID:GID in the\n"
	"                    image; files of other owners by the overflow id (65534)\n"
	"  --manifest FILE   then set owners and modes: lines \"PATH MODE UID GID\"\n"
	"  --force           replace an existing IMAGE\n"
	"\n"
	"commit: writes NEWIMAGE: the base image with the changes in the COW file\n"
	"COWFILE (an argument with a slash), or in the COW file of the stopped\n"
	"container ID. The base is the image the COW file was made from.\n"
	"  --in-place        write the changes into the base image itself and remove\n"
	"                    the COW file (destructive)\n"
	"\n"
	"  -h, --help        show this help\n";

enum { OPT_SIZE = 256, OPT_OWNER, OPT_MANIFEST, OPT_FORCE, OPT_IN_PLACE };

static int parse_owner(const char *s, struct imgbuild_opts *o)
{
	unsigned long long u, g;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	u = strtoull(s, &end, 10);
	if (errno != 0 || *end != ':' || end[1] < '0' || end[1] > '9')
		return -1;
	g = strtoull(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || u > 4294967294ULL || g > 4294967294ULL)
		return -1;
	o->map_owner = true;
	o->uid = (uid_t)u;
	o->gid = (gid_t)g;
	return 0;
}

static int image_build(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ "manifest", required_argument, NULL, OPT_MANIFEST },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct imgbuild_opts o = { 0 };
	struct uerr err = { 0 };
	sigset_t stop, old;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SIZE:
			if (rootmode_parse_size(optarg, &o.size) < 0 || o.size == 0) {
				uerr_set(&err, 0, "image build: --size \"%s\": want a size like 512M or 2G",
					 optarg);
				return cmd_fail(g, &err);
			}
			break;
		case OPT_OWNER:
			if (parse_owner(optarg, &o) < 0) {
				uerr_set(&err, 0, "image build: --owner \"%s\": want UID:GID, two numbers like 0:0",
					 optarg);
				return cmd_fail(g, &err);
			}
			break;
		case OPT_MANIFEST:
			o.manifest = optarg;
			break;
		case OPT_FORCE:
			o.force = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cmd_usage_error(usage);
		}
	}
	if (argc - optind != 2)
		return cmd_usage_error(usage);
	o.dir = argv[optind];
	o.image = argv[optind + 1];
	/* a signal ends mke2fs, then umlrun once the temporary image is gone */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop, &old);
	r = imgbuild(&o, &err);
	if (r < 0) {
		uerr_prefix(&err, "image build");
		cmd_fail(g, &err);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r < 0 ? 1 : 0;
}

#define COMMIT_WAIT_MS 10000

/* The COW file and base of container ID: STATE/root.cow, and the base it
 * was made from (STATE/root.image, else what the COW file records). */
static int container_cow(const struct global_opts *g, const char *id, char **cow, char **base,
			 struct uerr *err)
{
	__attribute__((cleanup(container_free))) struct container c = { 0 };
	autofree char *link = NULL;
	struct stat st;
	enum ctr_status s;

	if (container_load(g->root, id, &c, err) < 0) {
		if (stat(id, &st) == 0)
			return uerr_set(err, 0, "container \"%s\" does not exist (for the COW file, write ./%s)",
					id, id);
		return -1;
	}
	s = container_status(&c);
	if (s != CS_STOPPED)
		return uerr_set(err, 0, "container %s is %s: stop it before commit", id,
				container_status_name(s));
	/* its monitor, once the kernel is gone, hands the COW file back */
	if (!proc_wait_gone(c.pid, c.pid_start, COMMIT_WAIT_MS))
		return uerr_set(err, 0, "container %s is stopped, but its sandbox is still shutting down: try again",
				id);
	if (asprintf(&link, "%s/%s", c.dir, ROOTMODE_STATE_COW) < 0) {
		link = NULL;
		return uerr_set(err, ENOMEM, "%s", id);
	}
	if (lstat(link, &st) < 0 && errno == ENOENT)
		return uerr_set(err, 0, "container %s does not boot from an image (no %s)", id,
				link);
	/* a kept COW file is a symlink to the user's: that is the one to use */
	*cow = realpath(link, NULL);
	if (*cow == NULL)
		return uerr_set(err, errno, "container %s: COW file %s", id, link);
	free(link);
	if (asprintf(&link, "%s/%s", c.dir, ROOTMODE_STATE_IMAGE) < 0) {
		link = NULL;
		return uerr_set(err, ENOMEM, "%s", id);
	}
	*base = realpath(link, NULL);
	return 0;
}

static int commit(const struct global_opts *g, const char *what, const char *out, bool in_place,
		  struct uerr *err)
{
	autofree char *cow = NULL;
	autofree char *base = NULL;
	struct cow_info ci;

	if (strchr(what, '/') == NULL) {
		if (container_cow(g, what, &cow, &base, err) < 0)
			return -1;
	} else {
		cow = strdup(what);
		if (cow == NULL)
			return uerr_set(err, ENOMEM, "%s", what);
	}
	if (cow_read(cow, &ci, err) < 0)
		return -1;
	if (base == NULL && (base = strdup(ci.backing)) == NULL)
		return uerr_set(err, ENOMEM, "%s", what);
	if (!in_place)
		return cow_merge(cow, base, out, err);
	if (cow_merge_in_place(cow, base, err) < 0)
		return -1;
	fprintf(stderr, "umlrun: the changes in %s are now in %s; the COW file is removed\n", cow,
		base);
	return 0;
}

static int image_commit(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "in-place", no_argument, NULL, OPT_IN_PLACE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct uerr err = { 0 };
	bool in_place = false;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_IN_PLACE:
			in_place = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cmd_usage_error(usage);
		}
	}
	if (argc - optind != (in_place ? 1 : 2))
		return cmd_usage_error(usage);
	if (commit(g, argv[optind], in_place ? NULL : argv[optind + 1], in_place, &err) < 0) {
		uerr_prefix(&err, "image commit");
		return cmd_fail(g, &err);
	}
	return 0;
}

int cmd_image(const struct global_opts *g, int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error(usage);
	if (strcmp(argv[1], "build") == 0)
		return image_build(g, argc - 1, argv + 1);
	if (strcmp(argv[1], "commit") == 0)
		return image_commit(g, argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	fputs(usage, stderr);
	fprintf(stderr, "umlrun: image: unknown command \"%s\" (build or commit)\n", argv[1]);
	return 1;
}
