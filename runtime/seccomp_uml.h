/* seccomp_uml.h: the seccomp allow-list of the UML kernel process. */
#ifndef UMLRUN_SECCOMP_UML_H
#define UMLRUN_SECCOMP_UML_H

#include <linux/filter.h>
#include <stdbool.h>

#include "error.h"

/* The fd number the kernel process's exec fd has when the filters come
 * from the build-time copy (see seccomp_uml_install): vm.c puts it there
 * (0-4 are the kernel's stdio, log and control fds). */
#define SECCOMP_UML_EXEC_FD 5

/* The personality the build-time copy is made for: what vm.c sets in the
 * kernel process before installing the filters. */
#define SECCOMP_UML_PERSONA 0x0040000UL /* PER_LINUX | ADDR_NO_RANDOMIZE */

/* Installs the allow-list on the calling thread (inherited by the kernel
 * process after exec, and by its helper threads and stub processes).
 * Sets no_new_privs first (seccomp requires it without CAP_SYS_ADMIN, and
 * it keeps any later exec from gaining privileges).
 *
 * After this call:
 * - a syscall off the list kills the whole process (SIGSYS), as does any
 *   32-bit (int 0x80) or x32 syscall;
 * - a listed syscall with arguments outside its filter fails with EPERM
 *   (e.g. socket(AF_INET), clone(CLONE_NEWUSER), ioctl(TIOCSTI));
 * - execve and unshare fail with EPERM, clone3 with ENOSYS (so that glibc
 *   falls back to clone, whose flags can be checked);
 * - the only exec allowed is execveat(exec_fd, "", argv, envp,
 *   AT_EMPTY_PATH): start the kernel exactly that way, right after this.
 *
 * exec_fd must be close-on-exec (checked), typically an O_PATH|O_CLOEXEC
 * fd of the kernel binary. Caveat: seccomp cannot see the pathname, and an
 * absolute pathname makes execveat ignore dirfd, so a compromised kernel
 * could still execveat() another binary it can reach; that image runs
 * under this same filter with no_new_privs. Restricting which files may be
 * executed at all is Landlock's job (LANDLOCK_ACCESS_FS_EXECUTE), not this
 * filter's.
 *
 * Returns 0, or -1 with *err set (nothing installed, or for a failure
 * between the two filters, a process that can no longer do much: callers
 * must treat any failure as fatal for the child). */
int seccomp_uml_install(int exec_fd, struct uerr *err);

/* The two filters depend on exec_fd and the personality only. For
 * exec_fd == SECCOMP_UML_EXEC_FD and personality SECCOMP_UML_PERSONA,
 * seccomp_uml_install loads programs generated at build time
 * (runtime/seccomp_gen.c) with no libseccomp call; otherwise it builds them
 * with libseccomp. Says whether the build-time copy fits. */
bool seccomp_uml_baked_fits(int exec_fd, unsigned long persona);

/* The build-time programs: [0] the argument filter, [1] the syscall filter
 * (static storage, do not free). */
void seccomp_uml_baked(struct sock_fprog progs[2]);

/* Builds both filters for exec_fd and persona with libseccomp and exports
 * their BPF into progs[0] (argument filter) and progs[1] (syscall filter),
 * malloc'd: free each .filter. For the generator and the tests. */
int seccomp_uml_build_bpf(int exec_fd, unsigned long persona, struct sock_fprog progs[2],
			  struct uerr *err);

#endif
