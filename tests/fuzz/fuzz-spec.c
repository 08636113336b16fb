/* fuzz-spec.c: libFuzzer entry point for spec_parse(). Every input must
 * either parse into a struct spec that keeps the promises of spec.h, or
 * fail with a one-line "config.json: " message; never crash, leak, hang
 * or trip ASan/UBSan. tests/fuzz/run.sh builds and runs it over a copy of
 * the seeds in tests/fuzz/corpus/spec/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

static void check_strv(char *const *v, size_t n)
{
	check(v != NULL && v[n] == NULL);
	for (size_t i = 0; i < n; i++)
		check(v[i] != NULL);
}

static void check_linux(const struct spec_linux *l)
{
	unsigned int seen = 0;

	for (size_t i = 0; i < l->n_namespaces; i++) {
		check((unsigned int)l->namespaces[i].type < SPEC_NS_TYPES);
		check(!(seen & (1u << l->namespaces[i].type))); /* each type once */
		seen |= 1u << l->namespaces[i].type;
		check(l->namespaces[i].path == NULL || l->namespaces[i].path[0] == '/');
	}
	if (l->masked_paths != NULL)
		for (size_t i = 0; i < l->n_masked_paths; i++)
			check(l->masked_paths[i][0] == '/');
	for (size_t i = 0; i < l->n_devices; i++)
		check(l->devices[i].path[0] == '/' && strchr("cbup", l->devices[i].type) != NULL);
	if (!l->has_seccomp)
		return;
	for (size_t i = 0; i < l->seccomp.n_syscalls; i++) {
		const struct spec_seccomp_syscall *c = &l->seccomp.syscalls[i];

		check(c->n_names > 0);
		check_strv(c->names, c->n_names);
		for (size_t k = 0; k < c->n_args; k++)
			check(c->args[k].index < 6);
	}
}

/* The promises spec.h makes about a parsed config. */
static void check_spec(const struct spec *s)
{
	check(s->oci_version != NULL && s->root.path != NULL && s->root.path[0] != '\0');
	if (s->has_process) {
		const struct spec_process *p = &s->process;

		check(p->n_args >= 1 && p->args[0][0] != '\0');
		check_strv(p->args, p->n_args);
		check_strv(p->env, p->n_env);
		check(p->cwd[0] == '/');
		for (size_t i = 0; i < p->n_rlimits; i++)
			check(p->rlimits[i].soft <= p->rlimits[i].hard);
		check(p->capabilities.bounding >> (SPEC_CAP_LAST + 1) == 0);
	}
	for (size_t i = 0; i < s->n_mounts; i++) {
		check(s->mounts[i].destination[0] == '/');
		check_strv(s->mounts[i].options, s->mounts[i].n_options);
	}
	for (size_t k = 0; k < SPEC_HOOK_KINDS; k++)
		for (size_t i = 0; i < s->hooks[k].n_hooks; i++) {
			const struct spec_hook *h = &s->hooks[k].hooks[i];

			check(h->path[0] == '/' && (!h->has_timeout || h->timeout > 0));
			check_strv(h->args, h->n_args);
			check_strv(h->env, h->n_env);
		}
	if (s->has_linux)
		check_linux(&s->linux_);
	(void)spec_annotation(s, "org.opencontainers.image.os");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec *s = NULL;
	struct uerr err = {0};
	int r = spec_parse((const char *)data, size, "config.json", &s, &err);

	if (r == 0) {
		check(s != NULL);
		check_spec(s);
	} else {
		check(r == -1 && s == NULL && strncmp(err.msg, "config.json: ", 13) == 0);
		check(memchr(err.msg, '\n', strnlen(err.msg, sizeof(err.msg))) == NULL);
	}
	spec_free(s);
	return 0;
}
