/* cmdline.c: builds the UML kernel argv: memory, initrd, hostfs root, the
 * console and control channels, and the fast-boot settings. */
#define _GNU_SOURCE
#include "cmdline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

void uml_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

static int check_path(const char *what, const char *p, struct uerr *err)
{
	if (p == NULL || p[0] != '/')
		return uerr_set(err, 0, "%s \"%s\": must be an absolute path", what, p ? p : "");
	for (const unsigned char *c = (const unsigned char *)p; *c; c++) {
		if (*c <= ' ' || *c == ',' || *c == 0x7f)
			return uerr_set(err, 0,
					"%s \"%s\": the UML command line cannot carry whitespace, commas or control characters",
					what, p);
	}
	return 0;
}

static void cleanup_argvp(char ***argv)
{
	uml_argv_free(*argv);
}

int uml_argv_build(const struct uml_args *a, char ***out, struct uerr *err)
{
	__attribute__((cleanup(cleanup_argvp))) char **argv = NULL;
	size_t n = 0;

	if (check_path("kernel", a->kernel, err) < 0 ||
	    check_path("initrd", a->initrd, err) < 0 ||
	    check_path("hostfs root", a->hostfs_root, err) < 0 ||
	    check_path("UML directory", a->uml_dir, err) < 0)
		return -1;
	if (a->ubd_cow && (check_path("COW file", a->ubd_cow, err) < 0 ||
			   check_path("root image", a->ubd_backing, err) < 0))
		return -1;
	if (a->umid == NULL || a->umid[0] == '\0' || strpbrk(a->umid, " ,/") != NULL)
		return uerr_set(err, 0, "invalid umid \"%s\"", a->umid ? a->umid : "");
	if (a->mem_mib < 16)
		return uerr_set(err, 0, "guest memory %lu MiB is below the 16 MiB minimum", a->mem_mib);

	argv = calloc(MAX_ARGS + 1, sizeof(*argv));
	if (argv == NULL)
		return uerr_set(err, errno, "calloc");
#define ADD(...)                                                              \
	do {                                                                  \
		if (n >= MAX_ARGS)                                            \
			return uerr_set(err, 0, "too many kernel arguments"); \
		if (asprintf(&argv[n], __VA_ARGS__) < 0) {                    \
			argv[n] = NULL;                                       \
			return uerr_set(err, errno, "asprintf");              \
		}                                                             \
		n++;                                                          \
	} while (0)
	ADD("%s", a->kernel);
	ADD("mem=%luM", a->mem_mib);
	ADD("initrd=%s", a->initrd);
	ADD("hostfs=%s", a->hostfs_root);
	ADD("con=null");
	ADD("con0=null,fd:%d", UML_FD_LOG);
	ADD("ssl=null");
	ADD("ssl0=fd:%d", UML_FD_CTL);
	ADD("umid=%s", a->umid);
	ADD("uml_dir=%s", a->uml_dir);
	ADD("lpj=%lu", a->lpj ? a->lpj : UML_DEFAULT_LPJ);
	ADD("rdinit=/init");
	if (a->ubd_cow)
		ADD("ubd0=%s,%s", a->ubd_cow, a->ubd_backing);
	for (const char *const *e = a->extra; e && *e; e++)
		ADD("%s", *e);
	for (const char *const *e = a->params; e && *e; e++)
		ADD("%s", *e);
#undef ADD
	*out = argv;
	argv = NULL;
	return 0;
}
