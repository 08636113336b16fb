/* resources.c: config.json's "linux.resources": cgroup device rules,
 * memory, cpu, pids, blockIO, hugepageLimits, network, rdma and unified,
 * with the types and ranges of the runtime-spec (and of Go's encoding/json
 * for its integer types). */
#include "sections.h"

#include <stdlib.h>
#include <string.h>

void spec_resources_free(struct spec_resources *r)
{
	struct spec_block_io *b = &r->block_io;

	for (size_t i = 0; r->devices != NULL && i < r->n_devices; i++)
		free(r->devices[i].access);
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(b->weight_device);
	free(b->throttle_read_bps);
	free(b->throttle_write_bps);
	free(b->throttle_read_iops);
	free(b->throttle_write_iops);
	for (size_t i = 0; r->hugepage_limits != NULL && i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; r->net_priorities != NULL && i < r->n_net_priorities; i++)
		free(r->net_priorities[i].name);
	free(r->net_priorities);
	for (size_t i = 0; r->rdma != NULL && i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	spec_kv_free(r->unified, r->n_unified);
}

/* ---- devices ---- */

static bool access_valid(const char *access)
{
	static const char rwm[] = "rwm";
	bool seen[3] = {false, false, false};

	for (const char *p = access; *p != '\0'; p++) {
		const char *k = strchr(rwm, *p);

		if (k == NULL || seen[k - rwm])
			return false;
		seen[k - rwm] = true;
	}
	return access[0] != '\0';
}

static int check_access(struct walk *w, const struct json_loc *at, const char *access)
{
	char quoted[QUOTED_SIZE];

	if (access_valid(access))
		return 0;
	walk_quote(quoted, access);
	return walk_fail(w, at, "expected a combination of \"r\", \"w\" and \"m\", got %s", quoted);
}

static int walk_device_rule(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			    void *item)
{
	static const char *const types[] = {"a", "c", "b"};
	struct spec_device_rule *d = item;
	const struct json_value *v;
	int type = 0;

	if (walk_field(w, at, obj, "allow", true, &v) < 0 ||
	    walk_expect(w, AT_KEY(at, "allow"), v, JSON_BOOL) < 0)
		return -1;
	d->allow = v->boolean;
	if (walk_enum_field(w, at, obj, "type", false, types, 3, "device type", &type) < 0)
		return -1;
	d->type = types[type][0];
	if (walk_opt_i64_field(w, at, obj, "major", INT64_MIN, INT64_MAX, &d->major) < 0 ||
	    walk_opt_i64_field(w, at, obj, "minor", INT64_MIN, INT64_MAX, &d->minor) < 0 ||
	    walk_string_field(w, at, obj, "access", false, &d->access) < 0)
		return -1;
	return d->access == NULL ? 0 : check_access(w, AT_KEY(at, "access"), d->access);
}

/* ---- memory, cpu, pids ---- */

static int walk_memory(struct walk *w, const struct json_loc *res_at, const struct json_value *res,
		       struct spec_resources *r)
{
	const struct json_loc *at = AT_KEY(res_at, "memory");
	struct spec_memory *m = &r->memory;
	const struct json_value *obj;
	int ok = walk_object_field(w, res_at, res, "memory", false, &obj);

	if (ok <= 0)
		return ok;
	r->has_memory = true;
	if (walk_opt_i64_field(w, at, obj, "limit", INT64_MIN, INT64_MAX, &m->limit) < 0 ||
	    walk_opt_i64_field(w, at, obj, "reservation", INT64_MIN, INT64_MAX, &m->reservation) <
		0 ||
	    walk_opt_i64_field(w, at, obj, "swap", INT64_MIN, INT64_MAX, &m->swap) < 0 ||
	    walk_opt_i64_field(w, at, obj, "kernel", INT64_MIN, INT64_MAX, &m->kernel) < 0 ||
	    walk_opt_i64_field(w, at, obj, "kernelTCP", INT64_MIN, INT64_MAX, &m->kernel_tcp) < 0 ||
	    walk_opt_u64_field(w, at, obj, "swappiness", 100, &m->swappiness) < 0)
		return -1;
	if (walk_opt_bool_field(w, at, obj, "disableOOMKiller", &m->disable_oom_killer) < 0 ||
	    walk_opt_bool_field(w, at, obj, "useHierarchy", &m->use_hierarchy) < 0 ||
	    walk_opt_bool_field(w, at, obj, "checkBeforeUpdate", &m->check_before_update) < 0)
		return -1;
	return 0;
}

/* A cpuset list: "0-3,5,8-9"; numbers are decimal, ranges ascending. */
static bool cpuset_valid(const char *s)
{
	if (*s == '\0')
		return true; /* "" means "inherit", as in runc */
	for (;;) {
		unsigned long lo, hi;
		char *end;

		if (*s < '0' || *s > '9')
			return false;
		lo = strtoul(s, &end, 10);
		hi = lo;
		if (*end == '-') {
			s = end + 1;
			if (*s < '0' || *s > '9')
				return false;
			hi = strtoul(s, &end, 10);
		}
		if (lo > hi || hi >= 1u << 20)
			return false;
		if (*end == '\0')
			return true;
		if (*end != ',')
			return false;
		s = end + 1;
	}
}

static int cpuset_field(struct walk *w, const struct json_loc *at, const struct json_value *obj,
			const char *key, char **out)
{
	char quoted[QUOTED_SIZE];

	if (walk_string_field(w, at, obj, key, false, out) < 0)
		return -1;
	if (*out == NULL || cpuset_valid(*out))
		return 0;
	walk_quote(quoted, *out);
	return walk_fail(w, AT_KEY(at, key), "expected a list like \"0-3,5\", got %s", quoted);
}

static int walk_cpu(struct walk *w, const struct json_loc *res_at, const struct json_value *res,
		    struct spec_resources *r)
{
	const struct json_loc *at = AT_KEY(res_at, "cpu");
	struct spec_cpu *c = &r->cpu;
	const struct json_value *obj;
	int ok = walk_object_field(w, res_at, res, "cpu", false, &obj);

	if (ok <= 0)
		return ok;
	r->has_cpu = true;
	if (walk_opt_u64_field(w, at, obj, "shares", UINT64_MAX, &c->shares) < 0 ||
	    walk_opt_i64_field(w, at, obj, "quota", INT64_MIN, INT64_MAX, &c->quota) < 0 ||
	    walk_opt_u64_field(w, at, obj, "burst", UINT64_MAX, &c->burst) < 0 ||
	    walk_opt_u64_field(w, at, obj, "period", UINT64_MAX, &c->period) < 0 ||
	    walk_opt_i64_field(w, at, obj, "realtimeRuntime", INT64_MIN, INT64_MAX,
			       &c->realtime_runtime) < 0 ||
	    walk_opt_u64_field(w, at, obj, "realtimePeriod", UINT64_MAX, &c->realtime_period) < 0 ||
	    walk_opt_i64_field(w, at, obj, "idle", INT64_MIN, INT64_MAX, &c->idle) < 0)
		return -1;
	if (cpuset_field(w, at, obj, "cpus", &c->cpus) < 0 ||
	    cpuset_field(w, at, obj, "mems", &c->mems) < 0)
		return -1;
	return 0;
}

static int walk_pids(struct walk *w, const struct json_loc *res_at, const struct json_value *res,
		     struct spec_resources *r)
{
	const struct json_value *obj;
	int ok = walk_object_field(w, res_at, res, "pids", false, &obj);

	if (ok <= 0)
		return ok;
	r->has_pids = true;
	return walk_int_field(w, AT_KEY(res_at, "pids"), obj, "limit", true, INT64_MIN, INT64_MAX,
			      &r->pids_limit) < 0
		   ? -1
		   : 0;
}

/* ---- blockIO ---- */

static int walk_weight_device(struct walk *w, const struct json_loc *at,
			      const struct json_value *obj, void *item)
{
	struct spec_weight_device *d = item;

	if (walk_int_field(w, at, obj, "major", true, INT64_MIN, INT64_MAX, &d->major) < 0 ||
	    walk_int_field(w, at, obj, "minor", true, INT64_MIN, INT64_MAX, &d->minor) < 0 ||
	    walk_opt_u64_field(w, at, obj, "weight", UINT16_MAX, &d->weight) < 0 ||
	    walk_opt_u64_field(w, at, obj, "leafWeight", UINT16_MAX, &d->leaf_weight) < 0)
		return -1;
	return 0;
}

static int walk_throttle_device(struct walk *w, const struct json_loc *at,
				const struct json_value *obj, void *item)
{
	struct spec_throttle_device *d = item;

	if (walk_int_field(w, at, obj, "major", true, INT64_MIN, INT64_MAX, &d->major) < 0 ||
	    walk_int_field(w, at, obj, "minor", true, INT64_MIN, INT64_MAX, &d->minor) < 0 ||
	    walk_uint_field(w, at, obj, "rate", true, UINT64_MAX, &d->rate) < 0)
		return -1;
	return 0;
}

static int walk_block_io(struct walk *w, const struct json_loc *res_at,
			 const struct json_value *res, struct spec_resources *r)
{
	const struct json_loc *at = AT_KEY(res_at, "blockIO");
	struct spec_block_io *b = &r->block_io;
	const struct json_value *obj;
	int ok = walk_object_field(w, res_at, res, "blockIO", false, &obj);

	if (ok <= 0)
		return ok;
	r->has_block_io = true;
	if (walk_opt_u64_field(w, at, obj, "weight", UINT16_MAX, &b->weight) < 0 ||
	    walk_opt_u64_field(w, at, obj, "leafWeight", UINT16_MAX, &b->leaf_weight) < 0)
		return -1;
	if (walk_array_of(w, at, obj, "weightDevice", sizeof(*b->weight_device), walk_weight_device,
			  &b->weight_device, &b->n_weight_device) < 0 ||
	    walk_array_of(w, at, obj, "throttleReadBpsDevice", sizeof(*b->throttle_read_bps),
			  walk_throttle_device, &b->throttle_read_bps,
			  &b->n_throttle_read_bps) < 0 ||
	    walk_array_of(w, at, obj, "throttleWriteBpsDevice", sizeof(*b->throttle_write_bps),
			  walk_throttle_device, &b->throttle_write_bps,
			  &b->n_throttle_write_bps) < 0 ||
	    walk_array_of(w, at, obj, "throttleReadIOPSDevice", sizeof(*b->throttle_read_iops),
			  walk_throttle_device, &b->throttle_read_iops,
			  &b->n_throttle_read_iops) < 0 ||
	    walk_array_of(w, at, obj, "throttleWriteIOPSDevice", sizeof(*b->throttle_write_iops),
			  walk_throttle_device, &b->throttle_write_iops,
			  &b->n_throttle_write_iops) < 0)
		return -1;
	return 0;
}

/* ---- hugepageLimits, network, rdma ---- */

static int walk_hugepage_limit(struct walk *w, const struct json_loc *at,
			       const struct json_value *obj, void *item)
{
	struct spec_hugepage_limit *h = item;

	if (walk_string_field(w, at, obj, "pageSize", true, &h->page_size) < 0 ||
	    walk_check_nonempty(w, AT_KEY(at, "pageSize"), h->page_size) < 0 ||
	    walk_uint_field(w, at, obj, "limit", true, UINT64_MAX, &h->limit) < 0)
		return -1;
	return 0;
}

static int walk_net_priority(struct walk *w, const struct json_loc *at,
			     const struct json_value *obj, void *item)
{
	struct spec_net_priority *p = item;

	if (walk_string_field(w, at, obj, "name", true, &p->name) < 0 ||
	    walk_check_nonempty(w, AT_KEY(at, "name"), p->name) < 0 ||
	    walk_u32_field(w, at, obj, "priority", true, &p->priority) < 0)
		return -1;
	return 0;
}

static int walk_network(struct walk *w, const struct json_loc *res_at, const struct json_value *res,
			struct spec_resources *r)
{
	const struct json_loc *at = AT_KEY(res_at, "network");
	const struct json_value *obj;
	int ok = walk_object_field(w, res_at, res, "network", false, &obj);

	if (ok <= 0)
		return ok;
	r->has_network = true;
	if (walk_opt_u64_field(w, at, obj, "classID", UINT32_MAX, &r->net_class_id) < 0 ||
	    walk_array_of(w, at, obj, "priorities", sizeof(*r->net_priorities), walk_net_priority,
			  &r->net_priorities, &r->n_net_priorities) < 0)
		return -1;
	return 0;
}

/* "rdma": { "mlx5_1": { "hcaHandles": 3, "hcaObjects": 10000 } } */
static int walk_rdma(struct walk *w, const struct json_loc *res_at, const struct json_value *res,
		     struct spec_resources *r)
{
	const struct json_loc *at = AT_KEY(res_at, "rdma");
	const struct json_value *map;
	int ok = walk_object_field(w, res_at, res, "rdma", false, &map);

	if (ok <= 0 || map->len == 0)
		return ok;
	r->rdma = calloc(map->len, sizeof(*r->rdma));
	if (r->rdma == NULL)
		return walk_oom(w);
	r->n_rdma = map->len;
	for (uint32_t i = 0; i < map->len; i++) {
		const struct json_member *m = &map->members[i];
		const struct json_loc *dev_at = AT_KEY(at, m->key);
		struct spec_rdma *d = &r->rdma[i];

		if (walk_expect(w, dev_at, &m->value, JSON_OBJECT) < 0)
			return -1;
		d->device = strdup(m->key);
		if (d->device == NULL)
			return walk_oom(w);
		if (walk_opt_u64_field(w, dev_at, &m->value, "hcaHandles", UINT32_MAX,
				       &d->hca_handles) < 0 ||
		    walk_opt_u64_field(w, dev_at, &m->value, "hcaObjects", UINT32_MAX,
				       &d->hca_objects) < 0)
			return -1;
	}
	return 0;
}

int walk_resources(struct walk *w, const struct json_loc *linux_at,
		   const struct json_value *linux_obj, struct spec_linux *l)
{
	const struct json_loc *at = AT_KEY(linux_at, "resources");
	struct spec_resources *r = &l->resources;
	const struct json_value *obj;
	int ok = walk_object_field(w, linux_at, linux_obj, "resources", false, &obj);

	if (ok <= 0)
		return ok;
	l->has_resources = true;
	if (walk_array_of(w, at, obj, "devices", sizeof(*r->devices), walk_device_rule, &r->devices,
			  &r->n_devices) < 0)
		return -1;
	if (walk_memory(w, at, obj, r) < 0 || walk_cpu(w, at, obj, r) < 0 ||
	    walk_pids(w, at, obj, r) < 0 || walk_block_io(w, at, obj, r) < 0 ||
	    walk_network(w, at, obj, r) < 0 || walk_rdma(w, at, obj, r) < 0)
		return -1;
	if (walk_array_of(w, at, obj, "hugepageLimits", sizeof(*r->hugepage_limits),
			  walk_hugepage_limit, &r->hugepage_limits, &r->n_hugepage_limits) < 0 ||
	    walk_kv_field(w, at, obj, "unified", &r->unified, &r->n_unified) < 0)
		return -1;
	return 0;
}
