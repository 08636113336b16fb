/* seccomp_guest.h: config.json's linux.seccomp compiled with libseccomp, on
 * the host, into the classic-BPF program the guest agent installs on every
 * process it starts (T_SECCOMP). The guest kernel is UML on this host's
 * architecture, so the program is built for the native architecture only:
 * guest processes cannot make syscalls of any other ABI. */
#ifndef UMLRUN_SECCOMP_GUEST_H
#define UMLRUN_SECCOMP_GUEST_H

#include <stdint.h>

#include "../spec/spec.h"
#include "error.h"
#include "proto.h"

/* Appends the program (struct sock_filter[]) to bpf and sets *flags to the
 * SECCOMP_FILTER_FLAG_* seccomp(2) should get. Syscall names this
 * libseccomp does not know are skipped (as runc does). Errors name the
 * JSON path: listenerPath and SCMP_ACT_NOTIFY are refused (no seccomp
 * agent can reach the guest). */
int seccomp_guest_compile(const struct spec_seccomp *sc, struct pbuf *bpf, uint32_t *flags,
			  struct uerr *err);

#endif
