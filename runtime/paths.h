/* paths.h: install-time defaults, set by the build (see Makefile.am). */
#ifndef UMLRUN_PATHS_H
#define UMLRUN_PATHS_H

#ifndef UMLRUN_DEFAULT_KERNEL
#define UMLRUN_DEFAULT_KERNEL "/usr/local/libexec/umlrun/linux"
#endif
#ifndef UMLRUN_DEFAULT_INITRAMFS
#define UMLRUN_DEFAULT_INITRAMFS "/usr/local/libexec/umlrun/initramfs.cpio"
#endif

#endif
