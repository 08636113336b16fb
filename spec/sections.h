/* sections.h: the walkers of config.json's sections, one file each, and
 * the functions that free what they filled. Each walker reads its key of
 * the top-level object `top` into s; the free functions accept a
 * half-filled (or zeroed) struct. Private to spec/. */
#ifndef UMLRUN_SPEC_SECTIONS_H
#define UMLRUN_SPEC_SECTIONS_H

#include "walk.h"

/* process.c: "process" */
int walk_process(struct walk *w, const struct json_value *top, struct spec *s);
void spec_process_free(struct spec_process *p);

/* hooks.c: "hooks" */
int walk_hooks(struct walk *w, const struct json_value *top, struct spec *s);
void spec_hooks_free(struct spec_hooks hooks[SPEC_HOOK_KINDS]);

/* linux.c: "linux", apart from resources and seccomp */
int walk_linux(struct walk *w, const struct json_value *top, struct spec *s);
void spec_linux_free(struct spec_linux *l);

/* linux.c: [{containerID, hostID, size}] (also used by mounts) */
int walk_id_mappings(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     const char *key, struct spec_id_mapping **out, size_t *n);

/* resources.c: "linux.resources" */
int walk_resources(struct walk *w, const struct json_loc *linux_at,
		   const struct json_value *linux_obj, struct spec_linux *l);
void spec_resources_free(struct spec_resources *r);

/* seccomp.c: "linux.seccomp" */
int walk_seccomp(struct walk *w, const struct json_loc *linux_at,
		 const struct json_value *linux_obj, struct spec_linux *l);
void spec_seccomp_free(struct spec_seccomp *sc);

/* vm.c: "vm" */
int walk_vm(struct walk *w, const struct json_value *top, struct spec *s);
void spec_vm_free(struct spec *s);

#endif
