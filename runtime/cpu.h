/* cpu.h: choice of the host CPU a sandbox is pinned to. */
#ifndef UMLRUN_CPU_H
#define UMLRUN_CPU_H

#include "error.h"

/* Picks the next CPU, round robin over the CPUs this process may use, with
 * the counter kept (under flock) in ROOT/cpu.next so that concurrent
 * sandboxes spread over the host. Returns the CPU number, or -1 with err.
 * *ticket gets the sandbox's sequence number (before the modulo). */
int cpu_pick(const char *root, unsigned long *ticket, struct uerr *err);

#endif
