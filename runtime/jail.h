/* jail.h: the kernel process's view of the host: new namespaces and a
 * pivot_root into a staging tmpfs holding only what the sandbox needs. */
#ifndef UMLRUN_JAIL_H
#define UMLRUN_JAIL_H

#include <stdbool.h>
#include <sys/types.h>

#include "binds.h"
#include "error.h"

/* Paths inside the view. The UML command line uses only these. */
#define JAIL_KERNEL "/linux"
#define JAIL_INITRD "/initramfs.cpio"
#define JAIL_ROOTFS "/rootfs"
#define JAIL_UML_DIR "/uml"
#define JAIL_MC_DIR "/mc" /* the monitor's mconsole reply sockets, read-only */
#define JAIL_TMP "/tmp"
#define JAIL_PROC "/proc"
/* An image root's base (read-only) and its COW file: not in "/", whose
 * files UML cannot name as a COW's base (absolutize() in cow_user.c). */
#define JAIL_DISK_DIR "/disk"
#define JAIL_IMAGE JAIL_DISK_DIR "/base.img"
#define JAIL_COW JAIL_DISK_DIR "/root.cow"

/* Root-invoked sandboxes run their kernel as host uid/gid
 * JAIL_ROOT_ID_BASE + (sandbox sequence number % JAIL_ROOT_ID_COUNT). */
#define JAIL_ROOT_ID_BASE 0x70000000u
#define JAIL_ROOT_ID_COUNT 65536u

/* Host processes (UML runs one stub process per guest address space) a
 * root-invoked sandbox may have: RLIMIT_NPROC of its own uid. */
#define JAIL_ROOT_MAX_PROCS 1024

struct jail {
	const char *stage;  /* empty directory to mount the staging tmpfs on */
	const char *kernel; /* host paths bound into the view */
	const char *initrd;
	const char *rootfs;  /* NULL: JAIL_ROOTFS stays an empty directory */
	bool rootfs_ro;
	const char *image;   /* an image root (or NULL): bound at JAIL_IMAGE, read-only */
	const char *cow;     /* its COW file, bound at JAIL_COW */
	bool host_libs;      /* a dynamically linked kernel: bind /lib, /lib64, /usr read-only */
	const char *uml_dir; /* writable by run_uid */
	const char *mc_dir;  /* bound read-only at JAIL_MC_DIR */
	unsigned long tmp_mib; /* size of /tmp, which holds UML's memory file */
	bool userns;         /* unprivileged: a user namespace maps run_uid to itself */
	uid_t run_uid;       /* host ids the kernel runs as */
	gid_t run_gid;
	int idmap_userns_fd; /* >= 0: attach the rootfs through an idmapped mount */
	/* With idmap_userns_fd: the rootfs is an overlay mount, rebuilt from
	 * these idmapped read-only layers (top first) and a tmpfs upper layer
	 * of ovl_upper_mib (see overlay.h). */
	const struct bind_mount *binds; /* host paths mounted inside the rootfs */
	size_t n_binds;
	char *const *ovl_lowers;
	size_t n_ovl_lowers;
	const char *ovl_options;
	unsigned long ovl_upper_mib;
};

/* 1 if the ELF executable at PATH names a program interpreter (is
 * dynamically linked), 0 if not, -1 with err if it is not readable ELF. */
int jail_elf_is_dynamic(const char *path, struct uerr *err);

/* The clone flags for the kernel process. */
int jail_clone_flags(const struct jail *j);

/* Creates a user namespace whose only mapping is FROM -> TO (uid and gid)
 * and returns an fd for it, for idmapped mounts. Needs root. */
int jail_idmap_userns(uid_t from_uid, gid_t from_gid, uid_t to_uid, gid_t to_gid,
		      struct uerr *err);

/* In the cloned child: maps the user namespace (if any), builds the view,
 * pivots into it, takes the run ids and drops every capability (bounding,
 * effective, permitted, inheritable, ambient). Returns a step name on failure
 * (errno set), NULL on success. Async-signal-safe enough for a child of a
 * single-threaded parent. */
const char *jail_enter(const struct jail *j);

#endif
