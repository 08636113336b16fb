/* agentcfg.c: the P_CONFIG TLV list built from a parsed config.json, and
 * the P_EXEC one for an exec process. What the guest honours travels here:
 * the process (args, env, cwd, user, rlimits, noNewPrivileges,
 * capabilities, oomScoreAdj), names, root, mounts (options split by
 * libmount, mountopts.c), linux.sysctl, maskedPaths, readonlyPaths,
 * seccomp (compiled to BPF, seccomp_guest.c) and pids.limit. */
#define _GNU_SOURCE
#include "agentcfg.h"

#include <errno.h>
#include <sys/mount.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "mountopts.h"
#include "seccomp_guest.h"

/* Encoding failures (ENOMEM) of the TLV helpers. */
#define ENC(x)                                                                                     \
	do {                                                                                       \
		if ((x) < 0)                                                                       \
			return uerr_set(err, errno, "encoding the agent configuration");           \
	} while (0)

static int add_rlimits(const struct spec_process *p, struct pbuf *out, struct uerr *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		uint8_t v[20];
		uint32_t res = (uint32_t)p->rlimits[i].resource;

		if (p->rlimits[i].soft > p->rlimits[i].hard)
			return uerr_set(err, 0,
					"config.json: process.rlimits[%zu]: soft limit %llu is "
					"above the hard limit %llu",
					i, (unsigned long long)p->rlimits[i].soft,
					(unsigned long long)p->rlimits[i].hard);
		memcpy(v, &res, 4);
		memcpy(v + 4, &p->rlimits[i].soft, 8);
		memcpy(v + 12, &p->rlimits[i].hard, 8);
		ENC(proto_tlv(out, T_RLIMIT, v, sizeof(v)));
	}
	return 0;
}

static int add_privileges(const struct spec_process *p, struct pbuf *out, struct uerr *err)
{
	if (p->no_new_privileges) {
		uint8_t one = 1;

		ENC(proto_tlv(out, T_NNP, &one, 1));
	}
	if (p->has_capabilities) {
		const struct spec_capabilities *c = &p->capabilities;
		uint64_t sets[5] = {c->bounding, c->effective, c->inheritable, c->permitted,
				    c->ambient};

		ENC(proto_tlv(out, T_CAPS, sets, sizeof(sets)));
	}
	if (p->has_oom_score_adj) {
		int32_t v = p->oom_score_adj;

		ENC(proto_tlv(out, T_OOM_SCORE, &v, sizeof(v)));
	}
	return 0;
}

static int add_process(const struct spec_process *p, char *const *args, struct pbuf *out,
		       struct uerr *err)
{
	bool has_path = false;

	for (char *const *a = args; *a; a++)
		ENC(proto_tlv_str(out, T_ARG, *a));
	for (size_t i = 0; i < p->n_env; i++) {
		if (strncmp(p->env[i], "PATH=", 5) == 0)
			has_path = true;
		ENC(proto_tlv_str(out, T_ENV, p->env[i]));
	}
	if (!has_path)
		ENC(proto_tlv_str(
		    out, T_ENV,
		    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	ENC(proto_tlv_str(out, T_CWD, p->cwd ? p->cwd : "/"));
	ENC(proto_tlv_u32(out, T_UID, p->user.uid));
	ENC(proto_tlv_u32(out, T_GID, p->user.gid));
	for (size_t i = 0; i < p->user.n_additional_gids; i++)
		ENC(proto_tlv_u32(out, T_GROUP, p->user.additional_gids[i]));
	if (p->user.has_umask)
		ENC(proto_tlv_u32(out, T_UMASK, p->user.umask));
	if (p->terminal) {
		uint8_t one = 1;
		uint16_t ws[2] = { p->console_size.height, p->console_size.width };

		ENC(proto_tlv(out, T_TERMINAL, &one, 1));
		if (p->has_console_size)
			ENC(proto_tlv(out, T_WINSIZE, ws, sizeof(ws)));
	}
	if (add_rlimits(p, out, err) < 0)
		return -1;
	return add_privileges(p, out, err);
}

/* The filesystem types the guest mounts for config.json; "cgroup" is the
 * guest's cgroup2 (the guest kernel has no cgroup v1 controllers). */
static const char *guest_fstype(const char *type)
{
	static const char *const ok[] = {"proc",   "sysfs",  "tmpfs",	"ramfs",
					 "devpts", "mqueue", "cgroup2", "devtmpfs"};

	if (strcmp(type, "cgroup") == 0)
		return "cgroup2";
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(type, ok[i]) == 0)
			return ok[i];
	return NULL;
}

static int encode_mount(uint32_t index, const char *dest, const char *type, const char *source,
			const struct mountopts *o, struct pbuf *out, struct uerr *err)
{
	const char *data = o->data ? o->data : "";
	struct proto_mount m = {.index = index,
				.dest_len = (uint32_t)strlen(dest),
				.type_len = (uint32_t)strlen(type),
				.source_len = (uint32_t)strlen(source),
				.data_len = (uint32_t)strlen(data),
				.flags = o->flags,
				.propagation = o->propagation};
	struct pbuf v = {0};
	int r;

	r = pbuf_add(&v, &m, sizeof(m)) < 0 || pbuf_add(&v, dest, m.dest_len) < 0 ||
	    pbuf_add(&v, type, m.type_len) < 0 || pbuf_add(&v, source, m.source_len) < 0 ||
	    pbuf_add(&v, data, m.data_len) < 0 || proto_tlv(out, T_MOUNT, v.data, v.len) < 0;
	pbuf_free(&v);
	if (r)
		return uerr_set(err, errno, "encoding the agent configuration");
	return 0;
}

/* One mounts[] entry: bind mounts of host paths are not mounted here (they
 * need the jail's view); /dev stays the guest's devtmpfs. */
static int add_mount(const struct spec_mount *m, size_t i, struct pbuf *out, struct uerr *err)
{
	__attribute__((cleanup(mountopts_free))) struct mountopts o = {0};
	char at[48];
	const char *type;

	snprintf(at, sizeof(at), "config.json: mounts[%zu]", i);
	if (mountopts_parse(m->options, at, &o, err) < 0)
		return -1;
	if (o.bind || (m->type && (strcmp(m->type, "bind") == 0 || strcmp(m->type, "rbind") == 0)))
		return agentcfg_bind(out, (uint32_t)i, m->destination, o.flags, err);
	if (m->type == NULL)
		return uerr_set(err, 0, "%s.type: required for a mount that is not a bind mount",
				at);
	type = guest_fstype(m->type);
	if (type == NULL)
		return uerr_set(err, 0,
				"%s.type: \"%s\": not supported in the guest (proc, sysfs, tmpfs, "
				"ramfs, devpts, mqueue, cgroup, cgroup2, devtmpfs or a bind mount)",
				at, m->type);
	if (strcmp(m->destination, "/") == 0)
		return uerr_set(err, 0, "%s.destination: \"/\": the root is root.path", at);
	if (strcmp(m->destination, "/dev") == 0 &&
	    (strcmp(type, "tmpfs") == 0 || strcmp(type, "devtmpfs") == 0))
		return 0;
	return encode_mount((uint32_t)i, m->destination, type, m->source ? m->source : type, &o,
			    out, err);
}

static int check_sysctl_key(const char *key, struct uerr *err)
{
	const char *p = key;

	if (key[0] == '\0' || key[0] == '/' || key[0] == '.')
		goto bad;
	for (; *p; p++) {
		if ((p[0] == '.' || p[0] == '/') && (p[1] == '\0' || p[1] == '.' || p[1] == '/'))
			goto bad;
	}
	if (strstr(key, "..") == NULL)
		return 0;
bad:
	return uerr_set(err, 0, "config.json: linux.sysctl: \"%s\": not a sysctl name", key);
}

static int add_linux(const struct spec_linux *l, struct pbuf *out, struct uerr *err)
{
	for (size_t i = 0; i < l->n_sysctl; i++) {
		const struct spec_kv *kv = &l->sysctl[i];
		size_t klen = strlen(kv->key), vlen = strlen(kv->value);
		autofree char *v = malloc(klen + 1 + vlen);

		if (check_sysctl_key(kv->key, err) < 0)
			return -1;
		if (v == NULL)
			return uerr_set(err, errno, "malloc");
		memcpy(v, kv->key, klen + 1);
		memcpy(v + klen + 1, kv->value, vlen);
		ENC(proto_tlv(out, T_SYSCTL, v, klen + 1 + vlen));
	}
	for (size_t i = 0; i < l->n_masked_paths; i++)
		ENC(proto_tlv_str(out, T_MASKED, l->masked_paths[i]));
	for (size_t i = 0; i < l->n_readonly_paths; i++)
		ENC(proto_tlv_str(out, T_RO_PATH, l->readonly_paths[i]));
	if (l->has_seccomp) {
		struct pbuf bpf = {0};
		uint32_t flags = 0;
		int r = seccomp_guest_compile(&l->seccomp, &bpf, &flags, err);

		if (r == 0 && (proto_tlv(out, T_SECCOMP, bpf.data, bpf.len) < 0 ||
			       (flags && proto_tlv_u32(out, T_SECCOMP_FLAGS, flags) < 0)))
			r = uerr_set(err, errno, "encoding the agent configuration");
		pbuf_free(&bpf);
		if (r < 0)
			return -1;
	}
	if (l->has_resources && l->resources.has_pids && l->resources.pids_limit > 0) {
		uint64_t max = (uint64_t)l->resources.pids_limit;

		ENC(proto_tlv(out, T_PIDS_MAX, &max, sizeof(max)));
	}
	return 0;
}

static int add_config(const struct spec *spec, char *const *args, struct pbuf *out,
		      struct uerr *err)
{
	if (add_process(&spec->process, args, out, err) < 0)
		return -1;
	if (spec->hostname)
		ENC(proto_tlv_str(out, T_HOSTNAME, spec->hostname));
	if (spec->domainname)
		ENC(proto_tlv_str(out, T_DOMAINNAME, spec->domainname));
	if (spec->root.readonly) {
		uint8_t one = 1;

		ENC(proto_tlv(out, T_ROOT_RO, &one, 1));
	}
	ENC(proto_tlv_str(out, T_ROOT_SRC, ""));
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (add_mount(&spec->mounts[i], i, out, err) < 0)
			return -1;
	return spec->has_linux ? add_linux(&spec->linux_, out, err) : 0;
}

int agentcfg_build(const struct spec *spec, char *const *args_override, struct pbuf *out,
		   struct uerr *err)
{
	char *const *args = spec->process.args;

	if (args_override != NULL && args_override[0] != NULL)
		args = args_override;
	if (args == NULL || args[0] == NULL)
		return uerr_set(err, 0, "config.json: process.args: no command to run");
	if (add_config(spec, args, out, err) < 0)
		return -1;
	if (pbuf_pending(out) > PROTO_MAX_HOST_PAYLOAD)
		return uerr_set(err, 0,
				"config.json: the agent configuration (process, mounts, "
				"seccomp...) is larger than %u bytes",
				PROTO_MAX_HOST_PAYLOAD);
	return 0;
}

int agentcfg_bind(struct pbuf *out, uint32_t index, const char *dest, unsigned long flags,
		  struct uerr *err)
{
	struct mountopts o = { .flags = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC) };

	return encode_mount(index, dest, "bind", dest, &o, out, err);
}

int agentcfg_exec(const struct spec_process *p, struct pbuf *out, struct uerr *err)
{
	if (p->args == NULL || p->args[0] == NULL)
		return uerr_set(err, 0, "exec: no command to run");
	if (add_process(p, p->args, out, err) < 0)
		return uerr_prefix(err, "exec");
	if (pbuf_pending(out) > 128 * 1024)
		return uerr_set(err, 0, "exec: args and env are larger than %u bytes", 128 * 1024);
	return 0;
}
