/* seccomp_uml.h: the seccomp allow-list of the UML kernel process. */
#ifndef UMLRUN_SECCOMP_UML_H
#define UMLRUN_SECCOMP_UML_H

#include "error.h"

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

#endif
