/* config.c: decoding the P_CONFIG TLV list (enum proto_tag) into struct
 * agent_config, and freeing it. The host is trusted more than the guest, but
 * every length is still checked: a bad list is a setup error, not a crash. */
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
		return aerr_set(e, 0, "config: %s contains a NUL byte", what);
	s = malloc((size_t)len + 1);
	if (s == NULL)
		return aerr_set(e, errno, "config: %s", what);
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
		return aerr_set(e, errno, "config: %s", what);
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
		return aerr_set(e, 0, "config: %s has length %u, want 4", what, len);
	memcpy(out, data, sizeof(*out));
	return 0;
}

static int push_group(struct agent_config *c, const uint8_t *data, uint32_t len, struct aerr *e)
{
	uint32_t gid = 0, *g;

	if (get_u32(data, len, &gid, "group", e) < 0)
		return -1;
	g = realloc(c->groups, (c->n_groups + 1) * sizeof(*g));
	if (g == NULL)
		return aerr_set(e, errno, "config: group");
	g[c->n_groups++] = gid;
	c->groups = g;
	return 0;
}

static int decode_one(struct agent_config *c, uint16_t tag, const uint8_t *d, uint32_t len,
		      struct aerr *e)
{
	switch (tag) {
	case T_ARG:
		return push_string(&c->args, &c->n_args, d, len, "arg", e);
	case T_ENV:
		return push_string(&c->env, &c->n_env, d, len, "env", e);
	case T_CWD:
		return set_string(&c->cwd, d, len, "cwd", e);
	case T_UID:
		return get_u32(d, len, &c->uid, "uid", e);
	case T_GID:
		return get_u32(d, len, &c->gid, "gid", e);
	case T_GROUP:
		return push_group(c, d, len, e);
	case T_UMASK:
		c->has_umask = true;
		return get_u32(d, len, &c->umask, "umask", e);
	case T_HOSTNAME:
		return set_string(&c->hostname, d, len, "hostname", e);
	case T_DOMAINNAME:
		return set_string(&c->domainname, d, len, "domainname", e);
	case T_ROOT_RO:
		if (len != 1)
			return aerr_set(e, 0, "config: root_ro has length %u, want 1", len);
		c->root_ro = d[0] != 0;
		return 0;
	case T_ROOT_SRC:
		return set_string(&c->root_src, d, len, "root_src", e);
	default:
		return aerr_set(e, 0, "config: unknown tag %u", tag);
	}
}

int config_decode(struct agent_config *c, const uint8_t *list, size_t len, struct aerr *e)
{
	size_t pos = 0;
	uint16_t tag;
	const uint8_t *data;
	uint32_t dlen;
	int r;

	while ((r = proto_tlv_next(list, len, &pos, &tag, &data, &dlen)) > 0) {
		if (decode_one(c, tag, data, dlen, e) < 0)
			return -1;
	}
	if (r < 0)
		return aerr_set(e, 0, "config: malformed TLV list at offset %zu", pos);
	if (c->n_args == 0)
		return aerr_set(e, 0, "config: no process args");
	if (c->env == NULL) { /* no T_ENV: an empty, NULL-terminated vector */
		c->env = calloc(1, sizeof(*c->env));
		if (c->env == NULL)
			return aerr_set(e, errno, "config: env");
	}
	return 0;
}

static void free_vec(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void config_free(struct agent_config *c)
{
	free_vec(c->args, c->n_args);
	free_vec(c->env, c->n_env);
	free(c->cwd);
	free(c->groups);
	free(c->hostname);
	free(c->domainname);
	free(c->root_src);
	memset(c, 0, sizeof(*c));
}
