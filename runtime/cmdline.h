/* cmdline.h: the UML kernel's command line (argv) for one sandbox. */
#ifndef UMLRUN_CMDLINE_H
#define UMLRUN_CMDLINE_H

#include "error.h"

/* Host fd numbers the UML process gets for its channels. */
#define UML_FD_LOG 3 /* kernel console output (con0) */
#define UML_FD_CTL 4 /* agent control line (ssl0) */

/* Default delay-loop calibration: UML never busy-waits on hardware, so any
 * plausible value works and skipping calibration saves boot time. */
#define UML_DEFAULT_LPJ 10000000UL

struct uml_args {
	const char *kernel;      /* argv[0] */
	const char *initrd;      /* agent initramfs */
	const char *hostfs_root; /* host directory the guest's hostfs is rooted at */
	const char *uml_dir;     /* writable dir for UML's pid file and mconsole */
	const char *umid;
	const char *ubd_cow;     /* with ubd_backing: ubd0=COW,BACKING; NULL: no disk */
	const char *ubd_backing;
	unsigned long mem_mib;
	unsigned long lpj;
	const char *const *extra; /* NULL-terminated, appended last; may be NULL */
	const char *const *params; /* vm.kernel.parameters (vmparams.c checked them),
				    * NULL-terminated, after extra; may be NULL */
};

/* Builds a NULL-terminated, malloc'd argv (free with uml_argv_free).
 * Paths go into comma- and space-separated UML options, so a path holding
 * whitespace, a comma or a control character is refused with an error. */
int uml_argv_build(const struct uml_args *a, char ***argv, struct uerr *err);
void uml_argv_free(char **argv);

#endif
