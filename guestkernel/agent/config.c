/* config.c: decoding the P_CONFIG TLV list (enum proto_tag) into struct
 * agent_config, and a P_EXEC one (the process tags only) into struct
 * agent_process, and freeing them. Tags 20-59 carry what the guest
 * honours of config.json (rlimits, capabilities, mounts, seccomp...). The
 * host is trusted more than the guest, but every length is still checked:
 * a bad list is an error, not a crash. */
#include "agent.h"

#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/cleanup.h"

static int dup_string(const uint8_t *data, uint32_t len, char **out, const char *what,
		      struct aerr *e)
{
	char *s;

	if (memchr(data, '\0', len) != NULL)
		return aerr_set(e, 0, "%s contains a NUL byte", what);
	s = malloc((size_t)len + 1);
	if (s == NULL)
		return aerr_set(e, errno, "%s", what);
	memcpy(s, data, len);
	s[len] = '\0';
	*out = s;
	return 0;
}

static int set_string(char **field, const uint8_t *data, uint32_t len, const char *what,
		      struct aerr *e)
{
	char *s = NULL;

	if (dup_string(data, len, &s, what, e) < 0)
		return -1;
	free(*field);
	*field = s;
	return 0;
}

/* Appends to a NULL-terminated string vector of *n entries. */
static int push_string(char ***vec, size_t *n, const uint8_t *data, uint32_t len,
		       const char *what, struct aerr *e)
{
	autofree char *s = NULL;
	char **v;

	if (dup_string(data, len, &s, what, e) < 0)
		return -1;
	v = realloc(*vec, (*n + 2) * sizeof(*v));
	if (v == NULL)
		return aerr_set(e, errno, "%s", what);
	v[*n] = steal_ptr(s);
	v[*n + 1] = NULL;
	*vec = v;
	(*n)++;
	return 0;
}

static int get_u32(const uint8_t *data, uint32_t len, uint32_t *out, const char *what,
		   struct aerr *e)
{
	if (len != sizeof(*out))
		return aerr_set(e, 0, "%s has length %u, want 4", what, len);
	memcpy(out, data, sizeof(*out));
	return 0;
}

static int push_group(struct agent_process *p, const uint8_t *data, uint32_t len, struct aerr *e)
{
	uint32_t gid = 0, *g;

	if (get_u32(data, len, &gid, "group", e) < 0)
		return -1;
	g = realloc(p->groups, (p->n_groups + 1) * sizeof(*g));
	if (g == NULL)
		return aerr_set(e, errno, "group");
	g[p->n_groups++] = gid;
	p->groups = g;
	return 0;
}

static int push_rlimit(struct agent_process *p, const uint8_t *d, uint32_t len, struct aerr *e)
{
	struct agent_rlimit *r;

	if (len != 20)
		return aerr_set(e, 0, "rlimit has length %u, want 20", len);
	r = realloc(p->rlimits, (p->n_rlimits + 1) * sizeof(*r));
	if (r == NULL)
		return aerr_set(e, errno, "rlimit");
	p->rlimits = r;
	r = &r[p->n_rlimits++];
	memcpy(&r->resource, d, 4);
	memcpy(&r->soft, d + 4, 8);
	memcpy(&r->hard, d + 12, 8);
	return 0;
}

static int get_caps(struct agent_process *p, const uint8_t *d, uint32_t len, struct aerr *e)
{
	uint64_t v[5];

	if (len != sizeof(v))
		return aerr_set(e, 0, "caps has length %u, want %zu", len, sizeof(v));
	memcpy(v, d, sizeof(v));
	p->caps = (struct agent_caps){ v[0], v[1], v[2], v[3], v[4] };
	p->has_caps = true;
	return 0;
}

/* A process tag: 0 when handled, -1 on error, 1 when tag is not one. */
static int decode_process_tag(struct agent_process *p, uint16_t tag, const uint8_t *d, uint32_t len,
			      struct aerr *e)
{
	switch (tag) {
	case T_ARG:
		return push_string(&p->args, &p->n_args, d, len, "arg", e);
	case T_ENV:
		return push_string(&p->env, &p->n_env, d, len, "env", e);
	case T_CWD:
		return set_string(&p->cwd, d, len, "cwd", e);
	case T_UID:
		return get_u32(d, len, &p->uid, "uid", e);
	case T_GID:
		return get_u32(d, len, &p->gid, "gid", e);
	case T_GROUP:
		return push_group(p, d, len, e);
	case T_UMASK:
		p->has_umask = true;
		return get_u32(d, len, &p->umask, "umask", e);
	case T_RLIMIT:
		return push_rlimit(p, d, len, e);
	case T_NNP:
		if (len != 1)
			return aerr_set(e, 0, "no_new_privs has length %u, want 1", len);
		p->no_new_privs = d[0] != 0;
		return 0;
	case T_CAPS:
		return get_caps(p, d, len, e);
	case T_TERMINAL:
		if (len != 1)
			return aerr_set(e, 0, "terminal has length %u, want 1", len);
		p->terminal = d[0] != 0;
		return 0;
	case T_WINSIZE:
		if (len != 4)
			return aerr_set(e, 0, "winsize has length %u, want 4", len);
		memcpy(&p->rows, d, 2);
		memcpy(&p->cols, d + 2, 2);
		return 0;
	case T_OOM_SCORE:
		p->has_oom_score = true;
		return get_u32(d, len, (uint32_t *)&p->oom_score, "oom_score_adj", e);
	default:
		return 1;
	}
}

/* T_MOUNT: struct proto_mount, then its four strings. */
static int push_mount(struct agent_config *c, const uint8_t *d, uint32_t len, struct aerr *e)
{
	struct proto_mount h;
	struct agent_mount *m;
	const uint8_t *s = d + sizeof(h);

	if (len < sizeof(h))
		return aerr_set(e, 0, "mount has length %u", len);
	memcpy(&h, d, sizeof(h));
	if ((uint64_t)h.dest_len + h.type_len + h.source_len + h.data_len != len - sizeof(h) ||
	    h.dest_len == 0 || h.type_len == 0)
		return aerr_set(e, 0, "mount %u: bad lengths", h.index);
	m = realloc(c->mounts, (c->n_mounts + 1) * sizeof(*m));
	if (m == NULL)
		return aerr_set(e, errno, "mount");
	c->mounts = m;
	m = &m[c->n_mounts++];
	*m = (struct agent_mount){ .index = h.index, .flags = (unsigned long)h.flags,
				   .propagation = (unsigned long)h.propagation };
	if (dup_string(s, h.dest_len, &m->dest, "mount destination", e) < 0 ||
	    dup_string(s + h.dest_len, h.type_len, &m->type, "mount type", e) < 0 ||
	    dup_string(s + h.dest_len + h.type_len, h.source_len, &m->source, "mount source",
		       e) < 0)
		return -1;
	s += h.dest_len + h.type_len + h.source_len;
	if (h.data_len > 0 && dup_string(s, h.data_len, &m->data, "mount data", e) < 0)
		return -1;
	return 0;
}

/* T_SYSCTL: "key\0value". */
static int push_sysctl(struct agent_config *c, const uint8_t *d, uint32_t len, struct aerr *e)
{
	const uint8_t *nul = memchr(d, '\0', len);
	struct agent_sysctl *v;
	uint32_t klen;

	if (nul == NULL || nul == d)
		return aerr_set(e, 0, "sysctl without a key");
	klen = (uint32_t)(nul - d);
	v = realloc(c->sysctls, (c->n_sysctls + 1) * sizeof(*v));
	if (v == NULL)
		return aerr_set(e, errno, "sysctl");
	c->sysctls = v;
	v = &v[c->n_sysctls++];
	*v = (struct agent_sysctl){ 0 };
	if (dup_string(d, klen, &v->key, "sysctl key", e) < 0 ||
	    dup_string(nul + 1, len - klen - 1, &v->value, "sysctl value", e) < 0)
		return -1;
	return 0;
}

static int set_seccomp(struct agent_config *c, const uint8_t *d, uint32_t len, struct aerr *e)
{
	if (len == 0 || len % sizeof(struct sock_filter) != 0 ||
	    len / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return aerr_set(e, 0, "seccomp program of %u bytes", len);
	free(c->seccomp);
	c->seccomp = malloc(len);
	if (c->seccomp == NULL)
		return aerr_set(e, errno, "seccomp");
	memcpy(c->seccomp, d, len);
	c->seccomp_len = len;
	return 0;
}

static int get_u64(const uint8_t *data, uint32_t len, uint64_t *out, const char *what,
		   struct aerr *e)
{
	if (len != sizeof(*out))
		return aerr_set(e, 0, "%s has length %u, want 8", what, len);
	memcpy(out, data, sizeof(*out));
	return 0;
}

/* Decodes one TLV entry into ctx; -1 on error. */
typedef int decode_fn(void *ctx, uint16_t tag, const uint8_t *d, uint32_t len, struct aerr *e);

static int decode_config_tag(void *ctx, uint16_t tag, const uint8_t *d, uint32_t len,
			     struct aerr *e)
{
	struct agent_config *c = ctx;
	int r = decode_process_tag(&c->proc, tag, d, len, e);

	if (r <= 0)
		return r;
	switch (tag) {
	case T_HOSTNAME:
		return set_string(&c->hostname, d, len, "hostname", e);
	case T_DOMAINNAME:
		return set_string(&c->domainname, d, len, "domainname", e);
	case T_ROOT_RO:
		if (len != 1)
			return aerr_set(e, 0, "root_ro has length %u, want 1", len);
		c->root_ro = d[0] != 0;
		return 0;
	case T_ROOT_SRC:
		return set_string(&c->root_src, d, len, "root_src", e);
	case T_ROOT_KIND:
		if (len != 1 || d[0] > 2)
			return aerr_set(e, 0, "root_kind: length %u, want one byte 0-2", len);
		c->root_kind = d[0];
		return 0;
	case T_ROOT_UPPER:
		if (len != sizeof(c->root_upper))
			return aerr_set(e, 0, "root_upper has length %u, want 8", len);
		memcpy(&c->root_upper, d, sizeof(c->root_upper));
		return 0;
	case T_MOUNT:
		return push_mount(c, d, len, e);
	case T_SYSCTL:
		return push_sysctl(c, d, len, e);
	case T_MASKED:
		return push_string(&c->masked, &c->n_masked, d, len, "masked path", e);
	case T_RO_PATH:
		return push_string(&c->ro_paths, &c->n_ro_paths, d, len, "read-only path", e);
	case T_SECCOMP:
		return set_seccomp(c, d, len, e);
	case T_SECCOMP_FLAGS:
		return get_u32(d, len, &c->seccomp_flags, "seccomp flags", e);
	case T_PIDS_MAX:
		c->has_pids_max = true;
		return get_u64(d, len, &c->pids_max, "pids max", e);
	default:
		r = net_decode_tag(&c->net, tag, d, len, e); /* T_NET_* (net.c) */
		if (r <= 0)
			return r;
		return aerr_set(e, 0, "unknown tag %u", tag);
	}
}

/* P_EXEC: the process tags only (no hostname, no root). */
static int decode_exec_tag(void *ctx, uint16_t tag, const uint8_t *d, uint32_t len, struct aerr *e)
{
	int r = decode_process_tag(ctx, tag, d, len, e);

	if (r <= 0)
		return r;
	return aerr_set(e, 0, "tag %u is not allowed", tag);
}

static int decode_list(decode_fn *one, void *ctx, const uint8_t *list, size_t len, struct aerr *e)
{
	size_t pos = 0;
	uint16_t tag;
	const uint8_t *data;
	uint32_t dlen;
	int r;

	while ((r = proto_tlv_next(list, len, &pos, &tag, &data, &dlen)) > 0) {
		if (one(ctx, tag, data, dlen, e) < 0)
			return -1;
	}
	if (r < 0)
		return aerr_set(e, 0, "malformed TLV list at offset %zu", pos);
	return 0;
}

/* Checks a fully decoded process. */
static int process_check(struct agent_process *p, struct aerr *e)
{
	if (p->n_args == 0)
		return aerr_set(e, 0, "no process args");
	if (p->env == NULL) { /* no T_ENV: an empty, NULL-terminated vector */
		p->env = calloc(1, sizeof(*p->env));
		if (p->env == NULL)
			return aerr_set(e, errno, "env");
	}
	return 0;
}

int config_decode(struct agent_config *c, const uint8_t *list, size_t len, struct aerr *e)
{
	if (decode_list(decode_config_tag, c, list, len, e) < 0 || process_check(&c->proc, e) < 0)
		return aerr_prefix(e, "config");
	return 0;
}

int process_decode(struct agent_process *p, const uint8_t *list, size_t len, struct aerr *e)
{
	if (decode_list(decode_exec_tag, p, list, len, e) < 0 || process_check(p, e) < 0)
		return aerr_prefix(e, "exec");
	return 0;
}

static void free_vec(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void process_free(struct agent_process *p)
{
	free_vec(p->args, p->n_args);
	free_vec(p->env, p->n_env);
	free(p->cwd);
	free(p->groups);
	free(p->rlimits);
	memset(p, 0, sizeof(*p));
}

void config_free(struct agent_config *c)
{
	process_free(&c->proc);
	net_free(&c->net);
	free(c->hostname);
	free(c->domainname);
	free(c->root_src);
	for (size_t i = 0; i < c->n_mounts; i++) {
		free(c->mounts[i].dest);
		free(c->mounts[i].type);
		free(c->mounts[i].source);
		free(c->mounts[i].data);
	}
	free(c->mounts);
	for (size_t i = 0; i < c->n_sysctls; i++) {
		free(c->sysctls[i].key);
		free(c->sysctls[i].value);
	}
	free(c->sysctls);
	free_vec(c->masked, c->n_masked);
	free_vec(c->ro_paths, c->n_ro_paths);
	free(c->seccomp);
	memset(c, 0, sizeof(*c));
}
