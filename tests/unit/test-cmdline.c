/* test-cmdline.c: unit tests of the UML argv builder. */
#include <string.h>

#include "../../runtime/cmdline.h"
#include "tap.h"

static int has(char **argv, const char *s)
{
	for (; *argv; argv++)
		if (strcmp(*argv, s) == 0)
			return 1;
	return 0;
}

int main(void)
{
	struct tap t = { 0 };
	struct uerr err = { 0 };
	struct uml_args a = { .kernel = "/k/linux", .initrd = "/k/init.cpio",
			      .hostfs_root = "/run/umlrun/x/rootfs", .uml_dir = "/run/umlrun/x",
			      .umid = "u", .mem_mib = 64 };
	char **argv = NULL;

	TAP_OK(&t, uml_argv_build(&a, &argv, &err) == 0, "valid arguments build");
	TAP_OK(&t, strcmp(argv[0], "/k/linux") == 0, "argv[0] is the kernel");
	TAP_OK(&t, has(argv, "mem=64M"), "mem=64M");
	TAP_OK(&t, has(argv, "initrd=/k/init.cpio"), "initrd=");
	TAP_OK(&t, has(argv, "hostfs=/run/umlrun/x/rootfs"), "hostfs=");
	TAP_OK(&t, has(argv, "con=null") && has(argv, "con0=null,fd:3"), "console to fd 3 only");
	TAP_OK(&t, has(argv, "ssl=null") && has(argv, "ssl0=fd:4"), "control line on fd 4");
	TAP_OK(&t, has(argv, "umid=u") && has(argv, "uml_dir=/run/umlrun/x"), "umid and uml_dir");
	TAP_OK(&t, has(argv, "lpj=10000000"), "lpj skips calibration");
	uml_argv_free(argv);
	argv = NULL;

	a.hostfs_root = "/a b";
	TAP_OK(&t, uml_argv_build(&a, &argv, &err) < 0 && strstr(err.msg, "hostfs root \"/a b\"") &&
			   argv == NULL,
	       "space in a path is refused: %s", err.msg);
	a.hostfs_root = "/a,append";
	TAP_OK(&t, uml_argv_build(&a, &argv, &err) < 0 && strstr(err.msg, "commas"),
	       "comma in a path is refused");
	a.hostfs_root = "relative";
	TAP_OK(&t, uml_argv_build(&a, &argv, &err) < 0 && strstr(err.msg, "absolute"),
	       "relative path is refused");
	a.hostfs_root = "/ok";
	a.mem_mib = 8;
	TAP_OK(&t, uml_argv_build(&a, &argv, &err) < 0 && strstr(err.msg, "16 MiB"),
	       "too little memory is refused");
	return tap_done(&t);
}
