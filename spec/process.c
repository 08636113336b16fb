/* process.c: config.json's "process": args, env, cwd, terminal and
 * consoleSize, user, rlimits (known RLIMIT_* names), capabilities (known
 * CAP_* names), noNewPrivileges, oomScoreAdj, apparmorProfile and
 * selinuxLabel. Owns the rlimit and capability name tables. */
#include "sections.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

#define N_RLIMITS (sizeof(rlimits) / sizeof(rlimits[0]))

/* indexed by capability number, as in <linux/capability.h> */
static const char *const cap_names[SPEC_CAP_LAST + 1] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

const char *spec_cap_name(unsigned int cap)
{
	return cap <= SPEC_CAP_LAST ? cap_names[cap] : NULL;
}

void spec_process_free(struct spec_process *p)
{
	spec_strv_free(p->args);
	spec_strv_free(p->env);
	free(p->cwd);
	free(p->user.additional_gids);
	for (size_t i = 0; p->rlimits != NULL && i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
}

static int walk_args(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     struct spec_process *p)
{
	const struct json_loc *args_at = AT_KEY(at, "args");

	if (walk_strv_field(w, at, obj, "args", true, &p->args, &p->n_args) < 0)
		return -1;
	if (p->n_args == 0)
		return walk_fail(w, args_at, "must contain at least one element");
	return walk_check_nonempty(w, AT_INDEX(args_at, 0), p->args[0]);
}

static int walk_gids(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     struct spec_user *u)
{
	const struct json_loc *gids_at = AT_KEY(at, "additionalGids");
	const struct json_value *v;
	int r = walk_array_field(w, at, obj, "additionalGids", false, &v);

	if (r <= 0 || v->len == 0)
		return r;
	u->additional_gids = calloc(v->len, sizeof(*u->additional_gids));
	if (u->additional_gids == NULL)
		return walk_oom(w);
	for (uint32_t i = 0; i < v->len; i++) {
		uint64_t gid;

		if (walk_uint(w, AT_INDEX(gids_at, i), &v->items[i], UINT32_MAX, &gid) < 0)
			return -1;
		u->additional_gids[i] = (uint32_t)gid;
	}
	u->n_additional_gids = v->len;
	return 0;
}

static int walk_user(struct walk *w, const struct json_loc *proc_at, const struct json_value *proc,
		     struct spec_user *u)
{
	const struct json_loc *at = AT_KEY(proc_at, "user");
	const struct json_value *obj;
	uint64_t umask;
	int r = walk_object_field(w, proc_at, proc, "user", false, &obj);

	if (r <= 0)
		return r;
	if (walk_u32_field(w, at, obj, "uid", false, &u->uid) < 0 ||
	    walk_u32_field(w, at, obj, "gid", false, &u->gid) < 0 || walk_gids(w, at, obj, u) < 0)
		return -1;
	r = walk_uint_field(w, at, obj, "umask", false, 0777, &umask);
	if (r > 0) {
		u->has_umask = true;
		u->umask = (uint32_t)umask;
	}
	return r < 0 ? -1 : 0;
}

static int walk_rlimit(struct walk *w, const struct json_loc *at, const struct json_value *v,
		       struct spec_rlimit *rl, size_t first[N_RLIMITS], size_t index)
{
	const struct json_loc *type_at = AT_KEY(at, "type");
	char quoted[QUOTED_SIZE];
	size_t k;

	if (walk_expect(w, at, v, JSON_OBJECT) < 0 ||
	    walk_string_field(w, at, v, "type", true, &rl->type) < 0)
		return -1;
	for (k = 0; k < N_RLIMITS; k++)
		if (strcmp(rl->type, rlimits[k].name) == 0)
			break;
	walk_quote(quoted, rl->type);
	if (k == N_RLIMITS)
		return walk_fail(w, type_at, "unknown rlimit %s", quoted);
	if (first[k] != SIZE_MAX)
		return walk_fail(w, type_at, "duplicate rlimit %s (already set at index %zu)",
				 quoted, first[k]);
	first[k] = index;
	rl->resource = rlimits[k].resource;
	if (walk_uint_field(w, at, v, "soft", true, UINT64_MAX, &rl->soft) < 0 ||
	    walk_uint_field(w, at, v, "hard", true, UINT64_MAX, &rl->hard) < 0)
		return -1;
	if (rl->soft > rl->hard)
		return walk_fail(w, at,
				 "soft limit %" PRIu64 " is greater than hard limit %" PRIu64,
				 rl->soft, rl->hard);
	return 0;
}

static int walk_rlimits(struct walk *w, const struct json_loc *proc_at,
			const struct json_value *proc, struct spec_process *p)
{
	const struct json_loc *at = AT_KEY(proc_at, "rlimits");
	const struct json_value *v;
	size_t first[N_RLIMITS];
	int r = walk_array_field(w, proc_at, proc, "rlimits", false, &v);

	if (r <= 0 || v->len == 0)
		return r;
	p->rlimits = calloc(v->len, sizeof(*p->rlimits));
	if (p->rlimits == NULL)
		return walk_oom(w);
	p->n_rlimits = v->len;
	for (size_t i = 0; i < N_RLIMITS; i++)
		first[i] = SIZE_MAX;
	for (uint32_t i = 0; i < v->len; i++)
		if (walk_rlimit(w, AT_INDEX(at, i), &v->items[i], &p->rlimits[i], first, i) < 0)
			return -1;
	return 0;
}

/* One capability set: an array of known names, as a bit mask. Names may
 * repeat (runc accepts that too). */
static int walk_cap_set(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			const char *key, uint64_t *mask)
{
	const struct json_loc *set_at = AT_KEY(at, key);
	const struct json_value *v;
	int r = walk_array_field(w, at, obj, key, false, &v);

	if (r <= 0)
		return r;
	for (uint32_t i = 0; i < v->len; i++) {
		const struct json_loc *item_at = AT_INDEX(set_at, i);
		int cap;

		if (walk_expect(w, item_at, &v->items[i], JSON_STRING) < 0)
			return -1;
		cap = walk_name(w, item_at, v->items[i].text, cap_names, SPEC_CAP_LAST + 1,
				"capability");
		if (cap < 0)
			return -1;
		*mask |= UINT64_C(1) << cap;
	}
	return 0;
}

static int walk_capabilities(struct walk *w, const struct json_loc *proc_at,
			     const struct json_value *proc, struct spec_process *p)
{
	const struct json_loc *at = AT_KEY(proc_at, "capabilities");
	struct spec_capabilities *c = &p->capabilities;
	const struct json_value *obj;
	int r = walk_object_field(w, proc_at, proc, "capabilities", false, &obj);

	if (r <= 0)
		return r;
	p->has_capabilities = true;
	if (walk_cap_set(w, at, obj, "bounding", &c->bounding) < 0 ||
	    walk_cap_set(w, at, obj, "effective", &c->effective) < 0 ||
	    walk_cap_set(w, at, obj, "inheritable", &c->inheritable) < 0 ||
	    walk_cap_set(w, at, obj, "permitted", &c->permitted) < 0 ||
	    walk_cap_set(w, at, obj, "ambient", &c->ambient) < 0)
		return -1;
	return 0;
}

static int walk_console_size(struct walk *w, const struct json_loc *proc_at,
			     const struct json_value *proc, struct spec_process *p)
{
	const struct json_loc *at = AT_KEY(proc_at, "consoleSize");
	const struct json_value *obj;
	uint64_t height, width;
	int r = walk_object_field(w, proc_at, proc, "consoleSize", false, &obj);

	if (r <= 0)
		return r;
	if (walk_uint_field(w, at, obj, "height", true, UINT16_MAX, &height) < 0 ||
	    walk_uint_field(w, at, obj, "width", true, UINT16_MAX, &width) < 0)
		return -1;
	p->has_console_size = true;
	p->console_size.height = (uint16_t)height;
	p->console_size.width = (uint16_t)width;
	return 0;
}

static int walk_oom_score_adj(struct walk *w, const struct json_loc *proc_at,
			      const struct json_value *proc, struct spec_process *p)
{
	int64_t adj;
	int r = walk_int_field(w, proc_at, proc, "oomScoreAdj", false, -1000, 1000, &adj);

	if (r > 0) {
		p->has_oom_score_adj = true;
		p->oom_score_adj = (int)adj;
	}
	return r < 0 ? -1 : 0;
}

int walk_process(struct walk *w, const struct json_value *top, struct spec *s)
{
	const struct json_loc *at = AT_KEY(NULL, "process");
	struct spec_process *p = &s->process;
	const struct json_value *obj;
	int r = walk_object_field(w, NULL, top, "process", false, &obj);

	if (r <= 0)
		return r;
	s->has_process = true;
	if (walk_args(w, at, obj, p) < 0 ||
	    walk_strv_field(w, at, obj, "env", false, &p->env, &p->n_env) < 0 ||
	    walk_check_env(w, AT_KEY(at, "env"), p->env, p->n_env) < 0)
		return -1;
	if (walk_string_field(w, at, obj, "cwd", true, &p->cwd) < 0 ||
	    walk_check_absolute(w, AT_KEY(at, "cwd"), p->cwd) < 0)
		return -1;
	if (walk_bool_field(w, at, obj, "terminal", &p->terminal) < 0 ||
	    walk_console_size(w, at, obj, p) < 0 || walk_user(w, at, obj, &p->user) < 0 ||
	    walk_bool_field(w, at, obj, "noNewPrivileges", &p->no_new_privileges) < 0 ||
	    walk_rlimits(w, at, obj, p) < 0 || walk_oom_score_adj(w, at, obj, p) < 0 ||
	    walk_capabilities(w, at, obj, p) < 0)
		return -1;
	if (walk_string_field(w, at, obj, "apparmorProfile", false, &p->apparmor_profile) < 0 ||
	    walk_string_field(w, at, obj, "selinuxLabel", false, &p->selinux_label) < 0)
		return -1;
	return 0;
}
