/* config.c: decoding the P_CONFIG TLV list (enum proto_tag) into struct
 * agent_config, and a P_EXEC one (the process tags only) into struct
 * agent_process, and freeing them. The host is trusted more than the guest,
 * but every length is still checked: a bad list is an error, not a crash. */
#include "agent.h"

#include <errno.h>
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
	default:
		return 1;
	}
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
	default:
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
	memset(p, 0, sizeof(*p));
}

void config_free(struct agent_config *c)
{
	process_free(&c->proc);
	free(c->hostname);
	free(c->domainname);
	free(c->root_src);
	memset(c, 0, sizeof(*c));
}
