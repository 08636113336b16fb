/* linux.c: config.json's "linux": namespaces (known types, each once,
 * absolute paths), uid/gid mappings, sysctl, devices, maskedPaths and
 * readonlyPaths (absolute), cgroupsPath, rootfsPropagation (known modes)
 * and mountLabel. linux.resources and linux.seccomp have files of their
 * own. */
#include "sections.h"

#include <stdlib.h>
#include <string.h>

static const char *const ns_names[SPEC_NS_TYPES] = {
    [SPEC_NS_PID] = "pid",	 [SPEC_NS_NETWORK] = "network", [SPEC_NS_MOUNT] = "mount",
    [SPEC_NS_IPC] = "ipc",	 [SPEC_NS_UTS] = "uts",		[SPEC_NS_USER] = "user",
    [SPEC_NS_CGROUP] = "cgroup", [SPEC_NS_TIME] = "time",
};

/* as runc accepts them; "" means the runtime's default */
static const char *const propagations[] = {
    "", "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable",
};

void spec_linux_free(struct spec_linux *l)
{
	for (size_t i = 0; l->namespaces != NULL && i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	spec_kv_free(l->sysctl, l->n_sysctl);
	for (size_t i = 0; l->devices != NULL && i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	spec_resources_free(&l->resources);
	spec_seccomp_free(&l->seccomp);
	spec_strv_free(l->masked_paths);
	spec_strv_free(l->readonly_paths);
	free(l->cgroups_path);
	free(l->rootfs_propagation);
	free(l->mount_label);
}

/* ---- namespaces ---- */

static int walk_namespace(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			  void *item)
{
	struct spec_namespace *ns = item;
	int type;

	if (walk_enum_field(w, at, obj, "type", true, ns_names, SPEC_NS_TYPES, "namespace type",
			    &type) < 0)
		return -1;
	ns->type = (enum spec_ns_type)type;
	if (walk_string_field(w, at, obj, "path", false, &ns->path) < 0)
		return -1;
	return ns->path == NULL ? 0 : walk_check_absolute(w, AT_KEY(at, "path"), ns->path);
}

static int walk_namespaces(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			   struct spec_linux *l)
{
	size_t first[SPEC_NS_TYPES];

	if (walk_array_of(w, at, obj, "namespaces", sizeof(*l->namespaces), walk_namespace,
			  &l->namespaces, &l->n_namespaces) < 0)
		return -1;
	for (size_t i = 0; i < SPEC_NS_TYPES; i++)
		first[i] = SIZE_MAX;
	for (size_t i = 0; i < l->n_namespaces; i++) {
		enum spec_ns_type t = l->namespaces[i].type;

		if (first[t] != SIZE_MAX)
			return walk_fail(w, AT_KEY(AT_INDEX(AT_KEY(at, "namespaces"), i), "type"),
					 "duplicate namespace type \"%s\" (already set at index "
					 "%zu)",
					 ns_names[t], first[t]);
		first[t] = i;
	}
	return 0;
}

/* ---- id mappings ---- */

static int walk_id_mapping(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			   void *item)
{
	struct spec_id_mapping *m = item;

	if (walk_u32_field(w, at, obj, "containerID", true, &m->container_id) < 0 ||
	    walk_u32_field(w, at, obj, "hostID", true, &m->host_id) < 0 ||
	    walk_u32_field(w, at, obj, "size", true, &m->size) < 0)
		return -1;
	if ((uint64_t)m->container_id + m->size > (uint64_t)UINT32_MAX + 1 ||
	    (uint64_t)m->host_id + m->size > (uint64_t)UINT32_MAX + 1)
		return walk_fail(w, at,
				 "range of %u ids from %u (container) or %u (host) ends "
				 "beyond 4294967295",
				 m->size, m->container_id, m->host_id);
	return 0;
}

int walk_id_mappings(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		     const char *key, struct spec_id_mapping **out, size_t *n)
{
	return walk_array_of(w, at, obj, key, sizeof(**out), walk_id_mapping, out, n) < 0 ? -1 : 0;
}

/* ---- devices ---- */

static int walk_device(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		       void *item)
{
	static const char *const types[] = {"c", "b", "u", "p"};
	struct spec_device *d = item;
	bool need_numbers;
	int type;

	if (walk_string_field(w, at, obj, "path", true, &d->path) < 0 ||
	    walk_check_absolute(w, AT_KEY(at, "path"), d->path) < 0)
		return -1;
	if (walk_enum_field(w, at, obj, "type", true, types, 4, "device type", &type) < 0)
		return -1;
	d->type = types[type][0];
	need_numbers = d->type != 'p';
	if (walk_int_field(w, at, obj, "major", need_numbers, INT64_MIN, INT64_MAX, &d->major) <
		0 ||
	    walk_int_field(w, at, obj, "minor", need_numbers, INT64_MIN, INT64_MAX, &d->minor) < 0)
		return -1;
	if (walk_opt_u64_field(w, at, obj, "fileMode", UINT32_MAX, &d->file_mode) < 0 ||
	    walk_opt_u64_field(w, at, obj, "uid", UINT32_MAX, &d->uid) < 0 ||
	    walk_opt_u64_field(w, at, obj, "gid", UINT32_MAX, &d->gid) < 0)
		return -1;
	return 0;
}

/* ---- the section ---- */

static int walk_sysctl(struct walk *w, const struct json_loc *at, const struct json_value *obj,
		       struct spec_linux *l)
{
	if (walk_kv_field(w, at, obj, "sysctl", &l->sysctl, &l->n_sysctl) < 0)
		return -1;
	for (size_t i = 0; i < l->n_sysctl; i++)
		if (l->sysctl[i].key[0] == '\0')
			return walk_fail(w, AT_KEY(at, "sysctl"), "empty sysctl name");
	return 0;
}

static int walk_propagation(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			    struct spec_linux *l)
{
	const char *key = "rootfsPropagation";

	if (walk_string_field(w, at, obj, key, false, &l->rootfs_propagation) < 0)
		return -1;
	if (l->rootfs_propagation == NULL)
		return 0;
	return walk_name(w, AT_KEY(at, key), l->rootfs_propagation, propagations,
			 sizeof(propagations) / sizeof(propagations[0]), "rootfs propagation") < 0
		   ? -1
		   : 0;
}

int walk_linux(struct walk *w, const struct json_value *top, struct spec *s)
{
	const struct json_loc *at = AT_KEY(NULL, "linux");
	struct spec_linux *l = &s->linux_;
	const struct json_value *obj;
	int r = walk_object_field(w, NULL, top, "linux", false, &obj);

	if (r <= 0)
		return r;
	s->has_linux = true;
	if (walk_namespaces(w, at, obj, l) < 0 ||
	    walk_id_mappings(w, at, obj, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) < 0 ||
	    walk_id_mappings(w, at, obj, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) < 0 ||
	    walk_sysctl(w, at, obj, l) < 0)
		return -1;
	if (walk_array_of(w, at, obj, "devices", sizeof(*l->devices), walk_device, &l->devices,
			  &l->n_devices) < 0)
		return -1;
	if (walk_resources(w, at, obj, l) < 0 || walk_seccomp(w, at, obj, l) < 0)
		return -1;
	if (walk_paths_field(w, at, obj, "maskedPaths", &l->masked_paths, &l->n_masked_paths) < 0 ||
	    walk_paths_field(w, at, obj, "readonlyPaths", &l->readonly_paths,
			     &l->n_readonly_paths) < 0)
		return -1;
	if (walk_string_field(w, at, obj, "cgroupsPath", false, &l->cgroups_path) < 0 ||
	    walk_propagation(w, at, obj, l) < 0 ||
	    walk_string_field(w, at, obj, "mountLabel", false, &l->mount_label) < 0)
		return -1;
	return 0;
}
