/* agentcfg.c: the P_CONFIG TLV list built from a parsed config.json. */
#include "agentcfg.h"

#include <errno.h>
#include <string.h>

static int add_process(const struct spec_process *p, char *const *args, struct pbuf *out)
{
	bool has_path = false;

	for (char *const *a = args; *a; a++)
		if (proto_tlv_str(out, T_ARG, *a) < 0)
			return -1;
	for (size_t i = 0; i < p->n_env; i++) {
		if (strncmp(p->env[i], "PATH=", 5) == 0)
			has_path = true;
		if (proto_tlv_str(out, T_ENV, p->env[i]) < 0)
			return -1;
	}
	if (!has_path &&
	    proto_tlv_str(out, T_ENV, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0)
		return -1;
	if (proto_tlv_str(out, T_CWD, p->cwd ? p->cwd : "/") < 0 ||
	    proto_tlv_u32(out, T_UID, p->user.uid) < 0 || proto_tlv_u32(out, T_GID, p->user.gid) < 0)
		return -1;
	for (size_t i = 0; i < p->user.n_additional_gids; i++)
		if (proto_tlv_u32(out, T_GROUP, p->user.additional_gids[i]) < 0)
			return -1;
	if (p->user.has_umask && proto_tlv_u32(out, T_UMASK, p->user.umask) < 0)
		return -1;
	return 0;
}

static int add_config(const struct spec *spec, char *const *args, struct pbuf *out)
{
	if (add_process(&spec->process, args, out) < 0)
		return -1;
	if (spec->hostname && proto_tlv_str(out, T_HOSTNAME, spec->hostname) < 0)
		return -1;
	if (spec->domainname && proto_tlv_str(out, T_DOMAINNAME, spec->domainname) < 0)
		return -1;
	if (spec->root.readonly) {
		uint8_t one = 1;

		if (proto_tlv(out, T_ROOT_RO, &one, 1) < 0)
			return -1;
	}
	return proto_tlv_str(out, T_ROOT_SRC, "");
}

int agentcfg_build(const struct spec *spec, char *const *args_override, struct pbuf *out,
		   struct uerr *err)
{
	char *const *args = spec->process.args;

	if (args_override != NULL && args_override[0] != NULL)
		args = args_override;
	if (args == NULL || args[0] == NULL)
		return uerr_set(err, 0, "config.json: process.args: no command to run");
	if (add_config(spec, args, out) < 0)
		return uerr_set(err, errno, "encoding the agent configuration");
	if (pbuf_pending(out) > PROTO_MAX_HOST_PAYLOAD)
		return uerr_set(err, 0, "config.json: process: args and env are larger than %u bytes",
				PROTO_MAX_HOST_PAYLOAD);
	return 0;
}

int agentcfg_exec(const struct spec_process *p, struct pbuf *out, struct uerr *err)
{
	if (p->args == NULL || p->args[0] == NULL)
		return uerr_set(err, 0, "exec: no command to run");
	if (add_process(p, p->args, out) < 0)
		return uerr_set(err, errno, "encoding the exec request");
	if (pbuf_pending(out) > 128 * 1024)
		return uerr_set(err, 0, "exec: args and env are larger than %u bytes", 128 * 1024);
	return 0;
}
