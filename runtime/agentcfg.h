/* agentcfg.h: encodes what the guest agent needs from the bundle (P_CONFIG). */
#ifndef UMLRUN_AGENTCFG_H
#define UMLRUN_AGENTCFG_H

#include "../spec/spec.h"
#include "error.h"
#include "proto.h"

/* Fills `out` with the P_CONFIG TLV list: spec->process (args replaced by
 * args_override when it is non-NULL and non-empty), the names, root,
 * mounts, and linux (sysctl, masked and read-only paths, seccomp compiled
 * to BPF, pids.limit). Bad input gets an error naming the JSON path. */
int agentcfg_build(const struct spec *spec, char *const *args_override, struct pbuf *out,
		   struct uerr *err);

/* Appends a T_MOUNT that makes the guest apply a host bind mount's flags
 * (MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC) at dest (binds.h). */
int agentcfg_bind(struct pbuf *out, uint32_t index, const char *dest, unsigned long flags,
		  struct uerr *err);

/* Fills `out` with the P_EXEC TLV list for process p (args, env, cwd, user,
 * rlimits, noNewPrivileges, capabilities, oomScoreAdj); the container's
 * seccomp filter and pids cgroup apply to it in the guest as well. */
int agentcfg_exec(const struct spec_process *p, struct pbuf *out, struct uerr *err);

#endif
