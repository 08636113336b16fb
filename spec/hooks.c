/* hooks.c: config.json's "hooks": for each stage (prestart,
 * createRuntime, createContainer, startContainer, poststart, poststop) a
 * list of {path (absolute), args, env ("NAME=VALUE"), timeout (> 0)}. */
#include "sections.h"

#include <limits.h>
#include <stdlib.h>

static const char *const kind_names[SPEC_HOOK_KINDS] = {
    [SPEC_HOOK_PRESTART] = "prestart",
    [SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
    [SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
    [SPEC_HOOK_START_CONTAINER] = "startContainer",
    [SPEC_HOOK_POSTSTART] = "poststart",
    [SPEC_HOOK_POSTSTOP] = "poststop",
};

const char *spec_hook_kind_name(enum spec_hook_kind kind)
{
	return (unsigned int)kind < SPEC_HOOK_KINDS ? kind_names[kind] : NULL;
}

void spec_hooks_free(struct spec_hooks hooks[SPEC_HOOK_KINDS])
{
	for (size_t k = 0; k < SPEC_HOOK_KINDS; k++) {
		struct spec_hook *h = hooks[k].hooks;

		for (size_t i = 0; h != NULL && i < hooks[k].n_hooks; i++) {
			free(h[i].path);
			spec_strv_free(h[i].args);
			spec_strv_free(h[i].env);
		}
		free(h);
	}
}

static int walk_hook(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     void *item)
{
	struct spec_hook *h = item;
	const struct json_value *v;
	int64_t timeout;
	int r;

	if (walk_string_field(w, at, obj, "path", true, &h->path) < 0 ||
	    walk_check_absolute(w, AT_KEY(at, "path"), h->path) < 0)
		return -1;
	if (walk_strv_field(w, at, obj, "args", false, &h->args, &h->n_args) < 0 ||
	    walk_strv_field(w, at, obj, "env", false, &h->env, &h->n_env) < 0 ||
	    walk_check_env(w, AT_KEY(at, "env"), h->env, h->n_env) < 0)
		return -1;
	r = walk_field(w, at, obj, "timeout", false, &v);
	if (r <= 0)
		return r;
	if (walk_int(w, AT_KEY(at, "timeout"), v, INT64_MIN, INT64_MAX, &timeout) < 0)
		return -1;
	if (timeout <= 0)
		return walk_fail(w, AT_KEY(at, "timeout"), "must be greater than zero, got %s",
				 v->text);
	if (timeout > INT_MAX)
		return walk_fail(w, AT_KEY(at, "timeout"), "%s is out of range (maximum %d)",
				 v->text, INT_MAX);
	h->has_timeout = true;
	h->timeout = (int)timeout;
	return 0;
}

int walk_hooks(struct walk *w, const struct json_value *top, struct spec *s)
{
	const struct json_loc *at = AT_KEY(NULL, "hooks");
	const struct json_value *obj;
	int r = walk_object_field(w, NULL, top, "hooks", false, &obj);

	if (r <= 0)
		return r;
	for (size_t k = 0; k < SPEC_HOOK_KINDS; k++) {
		struct spec_hooks *list = &s->hooks[k];

		if (walk_array_of(w, at, obj, kind_names[k], sizeof(*list->hooks), walk_hook,
				  &list->hooks, &list->n_hooks) < 0)
			return -1;
	}
	return 0;
}
