/* seccomp.c: config.json's "linux.seccomp": defaultAction and
 * defaultErrnoRet, architectures, flags, listenerPath/listenerMetadata and
 * syscalls [{names, action, errnoRet, args [{index, value, valueTwo, op}]}],
 * every name checked against the ones runc and libseccomp know. */
#include "sections.h"

#include <stdlib.h>

static const char *const actions[] = {
    [SPEC_SCMP_ACT_KILL] = "SCMP_ACT_KILL",
    [SPEC_SCMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
    [SPEC_SCMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
    [SPEC_SCMP_ACT_TRAP] = "SCMP_ACT_TRAP",
    [SPEC_SCMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
    [SPEC_SCMP_ACT_TRACE] = "SCMP_ACT_TRACE",
    [SPEC_SCMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
    [SPEC_SCMP_ACT_LOG] = "SCMP_ACT_LOG",
    [SPEC_SCMP_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static const char *const ops[] = {
    [SPEC_SCMP_CMP_NE] = "SCMP_CMP_NE",
    [SPEC_SCMP_CMP_LT] = "SCMP_CMP_LT",
    [SPEC_SCMP_CMP_LE] = "SCMP_CMP_LE",
    [SPEC_SCMP_CMP_EQ] = "SCMP_CMP_EQ",
    [SPEC_SCMP_CMP_GE] = "SCMP_CMP_GE",
    [SPEC_SCMP_CMP_GT] = "SCMP_CMP_GT",
    [SPEC_SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const char *const arches[] = {
    "SCMP_ARCH_X86",	 "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",		"SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",	"SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",	 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",	 "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	"SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",	 "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	"SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",	 "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
};

static const char *const filter_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

#define N(a)	     (sizeof(a) / sizeof((a)[0]))
#define SECCOMP_ARGS 6 /* arguments of a system call */

void spec_seccomp_free(struct spec_seccomp *sc)
{
	spec_strv_free(sc->architectures);
	spec_strv_free(sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	for (size_t i = 0; sc->syscalls != NULL && i < sc->n_syscalls; i++) {
		spec_strv_free(sc->syscalls[i].names);
		free(sc->syscalls[i].args);
	}
	free(sc->syscalls);
}

/* An action and its errno: errnoRet only goes with ERRNO and TRACE (the
 * runtime-spec says to fail otherwise), and fits the 16 bits of
 * SECCOMP_RET_DATA. */
static int walk_action(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		       const char *action_key, const char *errno_key,
		       enum spec_seccomp_action *action, struct spec_u64 *errno_ret)
{
	int a;

	if (walk_enum_field(w, at, obj, action_key, true, actions, N(actions), "seccomp action",
			    &a) < 0 ||
	    walk_opt_u64_field(w, at, obj, errno_key, UINT16_MAX, errno_ret) < 0)
		return -1;
	*action = (enum spec_seccomp_action)a;
	if (errno_ret->set && a != SPEC_SCMP_ACT_ERRNO && a != SPEC_SCMP_ACT_TRACE)
		return walk_fail(w, AT_KEY(at, errno_key),
				 "only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
				 actions[a]);
	return 0;
}

static int walk_arg(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		    void *item)
{
	struct spec_seccomp_arg *arg = item;
	uint64_t index;
	int op;

	if (walk_uint_field(w, at, obj, "index", true, SECCOMP_ARGS - 1, &index) < 0 ||
	    walk_uint_field(w, at, obj, "value", true, UINT64_MAX, &arg->value) < 0 ||
	    walk_uint_field(w, at, obj, "valueTwo", false, UINT64_MAX, &arg->value_two) < 0 ||
	    walk_enum_field(w, at, obj, "op", true, ops, N(ops), "seccomp operator", &op) < 0)
		return -1;
	arg->index = (unsigned int)index;
	arg->op = (enum spec_seccomp_op)op;
	return 0;
}

static int walk_syscall(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			void *item)
{
	const struct json_loc *names_at = AT_KEY(at, "names");
	struct spec_seccomp_syscall *sc = item;

	if (walk_strv_field(w, at, obj, "names", true, &sc->names, &sc->n_names) < 0)
		return -1;
	if (sc->n_names == 0)
		return walk_fail(w, names_at, "must contain at least one element");
	for (size_t i = 0; i < sc->n_names; i++)
		if (walk_check_nonempty(w, AT_INDEX(names_at, i), sc->names[i]) < 0)
			return -1;
	if (walk_action(w, at, obj, "action", "errnoRet", &sc->action, &sc->errno_ret) < 0)
		return -1;
	return walk_array_of(w, at, obj, "args", sizeof(*sc->args), walk_arg, &sc->args,
			     &sc->n_args) < 0
		   ? -1
		   : 0;
}

/* A string array whose elements are all known names. */
static int names_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		       const char *key, const char *const *names, size_t n, const char *what,
		       char ***out, size_t *count)
{
	if (walk_strv_field(w, at, obj, key, false, out, count) < 0)
		return -1;
	for (size_t i = 0; i < *count; i++)
		if (walk_name(w, AT_INDEX(AT_KEY(at, key), i), (*out)[i], names, n, what) < 0)
			return -1;
	return 0;
}

int walk_seccomp(struct walk *w, const struct json_loc *linux_at,
		 const struct json_value *linux_obj, struct spec_linux *l)
{
	const struct json_loc *at = AT_KEY(linux_at, "seccomp");
	struct spec_seccomp *sc = &l->seccomp;
	const struct json_value *obj;
	int r = walk_object_field(w, linux_at, linux_obj, "seccomp", false, &obj);

	if (r <= 0)
		return r;
	l->has_seccomp = true;
	if (walk_action(w, at, obj, "defaultAction", "defaultErrnoRet", &sc->default_action,
			&sc->default_errno_ret) < 0)
		return -1;
	if (names_field(w, at, obj, "architectures", arches, N(arches), "seccomp architecture",
			&sc->architectures, &sc->n_architectures) < 0 ||
	    names_field(w, at, obj, "flags", filter_flags, N(filter_flags), "seccomp flag",
			&sc->flags, &sc->n_flags) < 0)
		return -1;
	if (walk_string_field(w, at, obj, "listenerPath", false, &sc->listener_path) < 0 ||
	    walk_string_field(w, at, obj, "listenerMetadata", false, &sc->listener_metadata) < 0)
		return -1;
	return walk_array_of(w, at, obj, "syscalls", sizeof(*sc->syscalls), walk_syscall,
			     &sc->syscalls, &sc->n_syscalls) < 0
		   ? -1
		   : 0;
}
