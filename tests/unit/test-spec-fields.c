/* test-spec-fields.c: unit tests for the sections of config.json that
 * spec/ parses beyond the basics of test-spec.c: process capabilities,
 * consoleSize and LSM labels, hooks, linux (namespaces, mappings, sysctl,
 * devices, paths, resources, seccomp), mount id mappings and vm. Each
 * error case asserts the exact message, JSON path included. Also parses
 * the real configs of the fuzz corpus (runc, crun, podman output).
 * Standalone TAP (helpers in test-spec.h); meant to run under ASan. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <sys/resource.h>

#include "test-spec.h"

#ifndef UMLRUN_SRCDIR
#define UMLRUN_SRCDIR "."
#endif

#define BIT(n) (UINT64_C(1) << (n))

/* ---- every section, filled ---- */

static const char full_config[] =
    "{ 'ociVersion': '1.1.0',\n"
    "  'process': { 'args': ['sh'], 'cwd': '/', 'terminal': true,\n"
    "    'consoleSize': { 'height': 25, 'width': 65535 },\n"
    "    'capabilities': { 'bounding': ['CAP_CHOWN', 'CAP_CHECKPOINT_RESTORE'],\n"
    "      'effective': ['CAP_KILL'], 'inheritable': [], 'permitted': ['CAP_KILL', 'CAP_KILL'],\n"
    "      'ambient': null, 'x-future-set': ['CAP_NOPE'] },\n"
    "    'rlimits': [ { 'type': 'RLIMIT_NPROC', 'soft': 10, 'hard': 20 } ],\n"
    "    'apparmorProfile': 'umlrun-default',\n"
    "    'selinuxLabel': 'system_u:system_r:container_t:s0' },\n"
    "  'root': { 'path': 'rootfs' },\n"
    "  'mounts': [ { 'destination': '/data', 'type': 'bind', 'source': '/srv',\n"
    "    'options': ['rbind', 'idmap'],\n"
    "    'uidMappings': [ { 'containerID': 0, 'hostID': 1000, 'size': 1 } ],\n"
    "    'gidMappings': [ { 'containerID': 0, 'hostID': 100, 'size': 2 },\n"
    "                     { 'containerID': 2, 'hostID': 200, 'size': 3 } ] } ],\n"
    "  'hooks': {\n"
    "    'prestart': [ { 'path': '/usr/bin/true', 'args': ['true', 'x'], 'env': ['A=1'],\n"
    "                    'timeout': 5 } ],\n"
    "    'createRuntime': [ { 'path': '/a' }, { 'path': '/b', 'timeout': 2147483647 } ],\n"
    "    'createContainer': [ { 'path': '/c' } ], 'startContainer': null, 'poststart': [],\n"
    "    'poststop': [ { 'path': '/d', 'args': null } ], 'x-future-hook': 1 },\n"
    "  'linux': {\n"
    "    'namespaces': [ { 'type': 'pid' }, { 'type': 'network', 'path': '/run/netns/x' },\n"
    "      { 'type': 'mount' }, { 'type': 'ipc' }, { 'type': 'uts' }, { 'type': 'user' },\n"
    "      { 'type': 'cgroup' }, { 'type': 'time' } ],\n"
    "    'uidMappings': [ { 'containerID': 0, 'hostID': 100000, 'size': 65536 } ],\n"
    "    'gidMappings': [ { 'containerID': 0, 'hostID': 100000, 'size': 65536 },\n"
    "                     { 'containerID': 65536, 'hostID': 4294967295, 'size': 1 } ],\n"
    "    'sysctl': { 'net.ipv4.ip_forward': '1', 'kernel.msgmax': '65536' },\n"
    "    'devices': [ { 'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229,\n"
    "                   'fileMode': 438, 'uid': 0, 'gid': 4294967295 },\n"
    "                 { 'path': '/dev/fifo', 'type': 'p' } ],\n"
    "    'resources': {\n"
    "      'devices': [ { 'allow': false, 'access': 'rwm' },\n"
    "                   { 'allow': true, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'wr' } ],\n"
    "      'memory': { 'limit': 268435456, 'reservation': 1, 'swap': -1, 'kernel': 0,\n"
    "                  'kernelTCP': 0, 'swappiness': 100, 'disableOOMKiller': true,\n"
    "                  'useHierarchy': false, 'checkBeforeUpdate': true },\n"
    "      'cpu': { 'shares': 1024, 'quota': 150000, 'burst': 0, 'period': 100000,\n"
    "               'realtimeRuntime': -1, 'realtimePeriod': 0, 'cpus': '0-3,5',\n"
    "               'mems': '', 'idle': 1 },\n"
    "      'pids': { 'limit': -1 },\n"
    "      'blockIO': { 'weight': 500, 'leafWeight': 300,\n"
    "        'weightDevice': [ { 'major': 8, 'minor': 0, 'weight': 600 } ],\n"
    "        'throttleReadBpsDevice': [ { 'major': 8, 'minor': 0, 'rate': 1048576 } ],\n"
    "        'throttleWriteIOPSDevice': [ { 'major': 8, 'minor': 16, 'rate': 100 } ] },\n"
    "      'hugepageLimits': [ { 'pageSize': '2MB', 'limit': 209715200 } ],\n"
    "      'network': { 'classID': 1048577, 'priorities': [ { 'name': 'eth0', 'priority': 500 } ] "
    "},\n"
    "      'rdma': { 'mlx5_1': { 'hcaHandles': 3, 'hcaObjects': 10000 } },\n"
    "      'unified': { 'io.weight': 'default 100', 'memory.high': '1G' } },\n"
    "    'seccomp': { 'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,\n"
    "      'architectures': [ 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32' ],\n"
    "      'flags': [ 'SECCOMP_FILTER_FLAG_LOG' ], 'listenerPath': '/run/seccomp.sock',\n"
    "      'listenerMetadata': 'meta',\n"
    "      'syscalls': [ { 'names': [ 'read', 'write' ], 'action': 'SCMP_ACT_ALLOW' },\n"
    "        { 'names': [ 'personality' ], 'action': 'SCMP_ACT_ALLOW', 'args': [\n"
    "          { 'index': 0, 'value': 4294967295, 'op': 'SCMP_CMP_EQ' },\n"
    "          { 'index': 5, 'value': 1, 'valueTwo': 18446744073709551615,\n"
    "            'op': 'SCMP_CMP_MASKED_EQ' } ] },\n"
    "        { 'names': [ 'mount' ], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1,\n"
    "          'comment': 'ignored' },\n"
    "        { 'names': [ 'ptrace' ], 'action': 'SCMP_ACT_TRACE', 'errnoRet': 65535 } ] },\n"
    "    'maskedPaths': [ '/proc/kcore' ], 'readonlyPaths': [ '/proc/sys', '/proc/bus' ],\n"
    "    'cgroupsPath': 'system.slice:umlrun:abc', 'rootfsPropagation': 'rslave',\n"
    "    'mountLabel': 'system_u:object_r:container_file_t:s0',\n"
    "    'personality': { 'domain': 'LINUX' }, 'intelRdt': { 'closID': 'x' } },\n"
    "  'vm': { 'hypervisor': { 'path': '/usr/bin/qemu', 'parameters': [ '-m', '1G' ] },\n"
    "          'kernel': { 'path': 'vmlinux' },\n"
    "          'image': { 'path': '/img.qcow2', 'format': 'qcow2' } } }\n";

static void test_full_process(struct tap *t, const struct spec *s)
{
	const struct spec_process *p = &s->process;
	const struct spec_capabilities *c = &p->capabilities;

	CHECK(t,
	      p->has_console_size && p->console_size.height == 25 && p->console_size.width == 65535,
	      "process.consoleSize");
	CHECK(t, p->has_capabilities && c->bounding == (BIT(0) | BIT(40)),
	      "process.capabilities.bounding: CAP_CHOWN (0) and CAP_CHECKPOINT_RESTORE (40)");
	CHECK(t, c->effective == BIT(5) && c->permitted == BIT(5),
	      "process.capabilities effective/permitted: CAP_KILL, repeated names accepted");
	CHECK(t, c->inheritable == 0 && c->ambient == 0, "empty and null capability sets");
	CHECK(t, p->n_rlimits == 1 && p->rlimits[0].resource == RLIMIT_NPROC,
	      "rlimit type mapped to RLIMIT_NPROC");
	CHECK(t,
	      streq(p->apparmor_profile, "umlrun-default") &&
		  streq(p->selinux_label, "system_u:system_r:container_t:s0"),
	      "process.apparmorProfile and selinuxLabel");
	CHECK(t,
	      streq(spec_cap_name(0), "CAP_CHOWN") &&
		  streq(spec_cap_name(40), "CAP_CHECKPOINT_RESTORE") && spec_cap_name(41) == NULL,
	      "spec_cap_name");
}

static void test_full_hooks(struct tap *t, const struct spec *s)
{
	static const char *const args[] = {"true", "x", NULL};
	static const char *const env[] = {"A=1", NULL};
	static const char *const none[] = {NULL};
	const struct spec_hooks *h = s->hooks;
	const struct spec_hook *pre = h[SPEC_HOOK_PRESTART].hooks;

	CHECK(t,
	      h[SPEC_HOOK_PRESTART].n_hooks == 1 && streq(pre[0].path, "/usr/bin/true") &&
		  strv_eq(pre[0].args, pre[0].n_args, args) &&
		  strv_eq(pre[0].env, pre[0].n_env, env) && pre[0].has_timeout &&
		  pre[0].timeout == 5,
	      "hooks.prestart[0]");
	CHECK(t,
	      h[SPEC_HOOK_CREATE_RUNTIME].n_hooks == 2 &&
		  streq(h[SPEC_HOOK_CREATE_RUNTIME].hooks[0].path, "/a") &&
		  !h[SPEC_HOOK_CREATE_RUNTIME].hooks[0].has_timeout &&
		  strv_eq(h[SPEC_HOOK_CREATE_RUNTIME].hooks[0].args,
			  h[SPEC_HOOK_CREATE_RUNTIME].hooks[0].n_args, none) &&
		  h[SPEC_HOOK_CREATE_RUNTIME].hooks[1].timeout == 2147483647,
	      "hooks.createRuntime: absent args are empty, timeout up to INT_MAX");
	CHECK(t,
	      h[SPEC_HOOK_CREATE_CONTAINER].n_hooks == 1 &&
		  h[SPEC_HOOK_START_CONTAINER].n_hooks == 0 &&
		  h[SPEC_HOOK_START_CONTAINER].hooks == NULL &&
		  h[SPEC_HOOK_POSTSTART].n_hooks == 0 && h[SPEC_HOOK_POSTSTOP].n_hooks == 1 &&
		  streq(h[SPEC_HOOK_POSTSTOP].hooks[0].path, "/d"),
	      "hooks: createContainer, null startContainer, empty poststart, poststop");
	CHECK(t,
	      streq(spec_hook_kind_name(SPEC_HOOK_CREATE_RUNTIME), "createRuntime") &&
		  spec_hook_kind_name(SPEC_HOOK_KINDS) == NULL,
	      "spec_hook_kind_name");
}

static void test_full_linux(struct tap *t, const struct spec *s)
{
	static const char *const ro[] = {"/proc/sys", "/proc/bus", NULL};
	const struct spec_linux *l = &s->linux_;

	CHECK(t, s->has_linux, "has_linux");
	CHECK(t,
	      l->n_namespaces == 8 && l->namespaces[0].type == SPEC_NS_PID &&
		  l->namespaces[0].path == NULL && l->namespaces[1].type == SPEC_NS_NETWORK &&
		  streq(l->namespaces[1].path, "/run/netns/x") &&
		  l->namespaces[7].type == SPEC_NS_TIME,
	      "linux.namespaces");
	CHECK(t,
	      l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 100000 &&
		  l->uid_mappings[0].size == 65536 && l->n_gid_mappings == 2 &&
		  l->gid_mappings[1].container_id == 65536 &&
		  l->gid_mappings[1].host_id == UINT32_MAX,
	      "linux.uidMappings and gidMappings");
	CHECK(t,
	      l->n_sysctl == 2 && streq(l->sysctl[0].key, "net.ipv4.ip_forward") &&
		  streq(l->sysctl[0].value, "1") && streq(l->sysctl[1].key, "kernel.msgmax"),
	      "linux.sysctl in document order");
	CHECK(t,
	      l->n_devices == 2 && streq(l->devices[0].path, "/dev/fuse") &&
		  l->devices[0].type == 'c' && l->devices[0].major == 10 &&
		  l->devices[0].minor == 229 && l->devices[0].file_mode.set &&
		  l->devices[0].file_mode.value == 0666 && l->devices[0].gid.value == UINT32_MAX &&
		  l->devices[1].type == 'p' && !l->devices[1].file_mode.set,
	      "linux.devices, a fifo without major/minor");
	CHECK(t,
	      l->n_masked_paths == 1 && streq(l->masked_paths[0], "/proc/kcore") &&
		  strv_eq(l->readonly_paths, l->n_readonly_paths, ro),
	      "linux.maskedPaths and readonlyPaths");
	CHECK(t,
	      streq(l->cgroups_path, "system.slice:umlrun:abc") &&
		  streq(l->rootfs_propagation, "rslave") &&
		  streq(l->mount_label, "system_u:object_r:container_file_t:s0"),
	      "linux.cgroupsPath, rootfsPropagation and mountLabel");
}

static void test_full_resources(struct tap *t, const struct spec *s)
{
	const struct spec_resources *r = &s->linux_.resources;
	const struct spec_memory *m = &r->memory;
	const struct spec_cpu *c = &r->cpu;
	const struct spec_block_io *b = &r->block_io;

	CHECK(t, s->linux_.has_resources, "linux.resources present");
	CHECK(t,
	      r->n_devices == 2 && !r->devices[0].allow && r->devices[0].type == 'a' &&
		  !r->devices[0].major.set && streq(r->devices[0].access, "rwm") &&
		  r->devices[1].allow && r->devices[1].type == 'c' &&
		  r->devices[1].major.value == 1 && r->devices[1].minor.value == 3 &&
		  streq(r->devices[1].access, "wr"),
	      "linux.resources.devices, absent type means all");
	CHECK(t,
	      r->has_memory && m->limit.set && m->limit.value == 268435456 && m->swap.value == -1 &&
		  m->kernel.set && m->kernel.value == 0 && m->swappiness.value == 100 &&
		  m->disable_oom_killer.set && m->disable_oom_killer.value &&
		  m->use_hierarchy.set && !m->use_hierarchy.value && m->check_before_update.value,
	      "linux.resources.memory");
	CHECK(t,
	      r->has_cpu && c->shares.value == 1024 && c->quota.value == 150000 && c->burst.set &&
		  c->period.value == 100000 && c->realtime_runtime.value == -1 &&
		  streq(c->cpus, "0-3,5") && streq(c->mems, "") && c->idle.value == 1,
	      "linux.resources.cpu");
	CHECK(t, r->has_pids && r->pids_limit == -1, "linux.resources.pids.limit");
	CHECK(t,
	      r->has_block_io && b->weight.value == 500 && b->leaf_weight.value == 300 &&
		  b->n_weight_device == 1 && b->weight_device[0].weight.value == 600 &&
		  !b->weight_device[0].leaf_weight.set && b->n_throttle_read_bps == 1 &&
		  b->throttle_read_bps[0].rate == 1048576 && b->n_throttle_write_bps == 0 &&
		  b->n_throttle_write_iops == 1 && b->throttle_write_iops[0].minor == 16,
	      "linux.resources.blockIO");
	CHECK(t,
	      r->n_hugepage_limits == 1 && streq(r->hugepage_limits[0].page_size, "2MB") &&
		  r->hugepage_limits[0].limit == 209715200,
	      "linux.resources.hugepageLimits");
	CHECK(t,
	      r->has_network && r->net_class_id.value == 1048577 && r->n_net_priorities == 1 &&
		  streq(r->net_priorities[0].name, "eth0") && r->net_priorities[0].priority == 500,
	      "linux.resources.network");
	CHECK(t,
	      r->n_rdma == 1 && streq(r->rdma[0].device, "mlx5_1") &&
		  r->rdma[0].hca_handles.value == 3 && r->rdma[0].hca_objects.value == 10000,
	      "linux.resources.rdma");
	CHECK(t,
	      r->n_unified == 2 && streq(r->unified[1].key, "memory.high") &&
		  streq(r->unified[1].value, "1G"),
	      "linux.resources.unified");
}

static void test_full_seccomp(struct tap *t, const struct spec *s)
{
	static const char *const arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
					     NULL};
	const struct spec_seccomp *sc = &s->linux_.seccomp;
	const struct spec_seccomp_syscall *c = sc->syscalls;

	CHECK(t,
	      s->linux_.has_seccomp && sc->default_action == SPEC_SCMP_ACT_ERRNO &&
		  sc->default_errno_ret.set && sc->default_errno_ret.value == 38,
	      "linux.seccomp.defaultAction and defaultErrnoRet");
	CHECK(t,
	      strv_eq(sc->architectures, sc->n_architectures, arches) && sc->n_flags == 1 &&
		  streq(sc->flags[0], "SECCOMP_FILTER_FLAG_LOG") &&
		  streq(sc->listener_path, "/run/seccomp.sock") &&
		  streq(sc->listener_metadata, "meta"),
	      "linux.seccomp architectures, flags, listener");
	if (sc->n_syscalls != 4) {
		CHECK(t, sc->n_syscalls == 4, "linux.seccomp.syscalls: four rules");
		return;
	}
	CHECK(t,
	      c[0].n_names == 2 && streq(c[0].names[1], "write") &&
		  c[0].action == SPEC_SCMP_ACT_ALLOW && !c[0].errno_ret.set && c[0].n_args == 0,
	      "linux.seccomp.syscalls[0]");
	CHECK(t,
	      c[1].n_args == 2 && c[1].args[0].index == 0 && c[1].args[0].value == UINT32_MAX &&
		  c[1].args[0].op == SPEC_SCMP_CMP_EQ && c[1].args[1].index == 5 &&
		  c[1].args[1].value_two == UINT64_MAX &&
		  c[1].args[1].op == SPEC_SCMP_CMP_MASKED_EQ,
	      "linux.seccomp.syscalls[1].args");
	CHECK(t,
	      c[2].action == SPEC_SCMP_ACT_ERRNO && c[2].errno_ret.value == 1 &&
		  c[3].action == SPEC_SCMP_ACT_TRACE && c[3].errno_ret.value == 65535,
	      "linux.seccomp.syscalls errnoRet with ERRNO and TRACE");
}

static void test_full(struct tap *t)
{
	autospec struct spec *s = expect_ok(t, "config with every section parses", full_config);
	const struct spec_mount *m;

	if (s == NULL)
		return;
	test_full_process(t, s);
	test_full_hooks(t, s);
	test_full_linux(t, s);
	test_full_resources(t, s);
	test_full_seccomp(t, s);
	m = s->mounts;
	CHECK(t,
	      s->n_mounts == 1 && m[0].n_uid_mappings == 1 &&
		  m[0].uid_mappings[0].host_id == 1000 && m[0].n_gid_mappings == 2 &&
		  m[0].gid_mappings[1].container_id == 2 && m[0].gid_mappings[1].host_id == 200 &&
		  m[0].gid_mappings[1].size == 3,
	      "mounts[0] uidMappings and gidMappings");
	CHECK(t,
	      s->has_vm_hypervisor && streq(s->vm_hypervisor.path, "/usr/bin/qemu") &&
		  s->vm_hypervisor.n_parameters == 2 && s->has_vm_kernel &&
		  streq(s->vm_kernel.path, "vmlinux") && s->has_vm_image &&
		  streq(s->vm_image.path, "/img.qcow2") && streq(s->vm_image.format, "qcow2"),
	      "vm.hypervisor, vm.kernel (relative) and vm.image");
}

#define BASE	   "'ociVersion': '1.0.2', 'root': { 'path': 'rootfs' }"
#define WITH(x)	   "{" BASE ", " x "}"
#define PROC(x)	   WITH("'process': { 'args': ['sh'], 'cwd': '/', " x " }")
#define HOOKS(x)   WITH("'hooks': { " x " }")
#define LINUX(x)   WITH("'linux': { " x " }")
#define RES(x)	   LINUX("'resources': { " x " }")
#define SECCOMP(x) LINUX("'seccomp': { " x " }")
#define ALLOW	   "'defaultAction': 'SCMP_ACT_ALLOW'"
#define SYSCALL(x) SECCOMP(ALLOW ", 'syscalls': [ { " x " } ]")
#define ARG(x)	   SYSCALL("'names': ['read'], 'action': 'SCMP_ACT_ALLOW', 'args': [ { " x " } ]")

static void test_defaults(struct tap *t)
{
	autospec struct spec *s = expect_ok(t, "empty linux, hooks and resources",
					    LINUX("'resources': {}, 'seccomp': null"));
	autospec struct spec *e = expect_ok(t, "minimal config", "{" BASE "}");

	if (s != NULL)
		CHECK(t,
		      s->has_linux && s->linux_.has_resources && !s->linux_.has_seccomp &&
			  !s->linux_.resources.has_memory && s->linux_.n_namespaces == 0 &&
			  s->linux_.namespaces == NULL && s->linux_.masked_paths != NULL &&
			  s->linux_.masked_paths[0] == NULL && s->linux_.cgroups_path == NULL,
		      "empty linux: absent fields are NULL/false/0, absent path lists empty");
	if (e != NULL)
		CHECK(t,
		      !e->has_linux && !e->has_vm_hypervisor && !e->has_vm_image &&
			  e->hooks[SPEC_HOOK_PRESTART].hooks == NULL &&
			  !e->process.has_capabilities && e->process.apparmor_profile == NULL,
		      "minimal: no linux, vm, hooks or capabilities");
}

struct error_case {
	const char *desc;
	const char *json;
	const char *want;
};

static const struct error_case error_cases[] = {
    /* process */
    {"consoleSize is a string", PROC("'consoleSize': '80x25'"),
     "config.json: process.consoleSize: expected an object, got string"},
    {"consoleSize.height missing", PROC("'consoleSize': { 'width': 80 }"),
     "config.json: process.consoleSize.height: required field missing"},
    {"consoleSize.width 65536", PROC("'consoleSize': { 'height': 1, 'width': 65536 }"),
     "config.json: process.consoleSize.width: 65536 is out of range (maximum 65535)"},
    {"capabilities is an array", PROC("'capabilities': []"),
     "config.json: process.capabilities: expected an object, got array"},
    {"capabilities.bounding is a string", PROC("'capabilities': { 'bounding': 'CAP_KILL' }"),
     "config.json: process.capabilities.bounding: expected an array, got string"},
    {"unknown capability", PROC("'capabilities': { 'effective': [ 'CAP_KILL', 'CAP_FOO' ] }"),
     "config.json: process.capabilities.effective[1]: unknown capability \"CAP_FOO\""},
    {"lowercase capability", PROC("'capabilities': { 'permitted': [ 'cap_kill' ] }"),
     "config.json: process.capabilities.permitted[0]: unknown capability \"cap_kill\""},
    {"capability without the CAP_ prefix", PROC("'capabilities': { 'inheritable': [ 'KILL' ] }"),
     "config.json: process.capabilities.inheritable[0]: unknown capability \"KILL\""},
    {"capability is a number", PROC("'capabilities': { 'ambient': [ 5 ] }"),
     "config.json: process.capabilities.ambient[0]: expected a string, got number"},
    {"apparmorProfile is a number", PROC("'apparmorProfile': 1"),
     "config.json: process.apparmorProfile: expected a string, got number"},
    {"selinuxLabel is a boolean", PROC("'selinuxLabel': true"),
     "config.json: process.selinuxLabel: expected a string, got boolean"},

    /* hooks */
    {"hooks is an array", WITH("'hooks': []"), "config.json: hooks: expected an object, got array"},
    {"hooks.prestart is an object", HOOKS("'prestart': {}"),
     "config.json: hooks.prestart: expected an array, got object"},
    {"hooks.poststop[0] is a string", HOOKS("'poststop': [ '/bin/true' ]"),
     "config.json: hooks.poststop[0]: expected an object, got string"},
    {"hook path missing", HOOKS("'createRuntime': [ { 'args': ['x'] } ]"),
     "config.json: hooks.createRuntime[0].path: required field missing"},
    {"hook path relative", HOOKS("'createContainer': [ { 'path': 'true' } ]"),
     "config.json: hooks.createContainer[0].path: must be an absolute path, got \"true\""},
    {"hook args[1] is a number", HOOKS("'startContainer': [ { 'path': '/x', 'args': ['x', 1] } ]"),
     "config.json: hooks.startContainer[0].args[1]: expected a string, got number"},
    {"hook env without =", HOOKS("'poststart': [ { 'path': '/x', 'env': ['X'] } ]"),
     "config.json: hooks.poststart[0].env[0]: expected \"NAME=VALUE\", got \"X\""},
    {"hook timeout 0", HOOKS("'prestart': [ { 'path': '/x' }, { 'path': '/y', 'timeout': 0 } ]"),
     "config.json: hooks.prestart[1].timeout: must be greater than zero, got 0"},
    {"hook timeout negative", HOOKS("'prestart': [ { 'path': '/x', 'timeout': -5 } ]"),
     "config.json: hooks.prestart[0].timeout: must be greater than zero, got -5"},
    {"hook timeout fractional", HOOKS("'prestart': [ { 'path': '/x', 'timeout': 1.5 } ]"),
     "config.json: hooks.prestart[0].timeout: expected an integer, got 1.5"},
    {"hook timeout above INT_MAX", HOOKS("'prestart': [ { 'path': '/x', 'timeout': 2147483648 } ]"),
     "config.json: hooks.prestart[0].timeout: 2147483648 is out of range (maximum 2147483647)"},
    {"hook timeout beyond int64",
     HOOKS("'prestart': [ { 'path': '/x', 'timeout': 99999999999999999999 } ]"),
     "config.json: hooks.prestart[0].timeout: 99999999999999999999 is out of range "
     "(-9223372036854775808 to 9223372036854775807)"},
    {"hook timeout is a string", HOOKS("'prestart': [ { 'path': '/x', 'timeout': '5' } ]"),
     "config.json: hooks.prestart[0].timeout: expected a number, got string"},

    /* linux */
    {"linux is an array", WITH("'linux': []"), "config.json: linux: expected an object, got array"},
    {"namespaces is an object", LINUX("'namespaces': {}"),
     "config.json: linux.namespaces: expected an array, got object"},
    {"namespaces[0] is a string", LINUX("'namespaces': [ 'pid' ]"),
     "config.json: linux.namespaces[0]: expected an object, got string"},
    {"unknown namespace type", LINUX("'namespaces': [ { 'type': 'pid' }, { 'type': 'net' } ]"),
     "config.json: linux.namespaces[1].type: unknown namespace type \"net\""},
    {"namespace type missing", LINUX("'namespaces': [ { 'path': '/proc/1/ns/pid' } ]"),
     "config.json: linux.namespaces[0].type: required field missing"},
    {"duplicate namespace type",
     LINUX("'namespaces': [ { 'type': 'pid' }, { 'type': 'ipc' }, { 'type': 'pid' } ]"),
     "config.json: linux.namespaces[2].type: duplicate namespace type \"pid\" (already set at "
     "index 0)"},
    {"namespace path relative",
     LINUX("'namespaces': [ { 'type': 'network', 'path': 'proc/1/ns/net' } ]"),
     "config.json: linux.namespaces[0].path: must be an absolute path, got \"proc/1/ns/net\""},
    {"uidMappings containerID missing", LINUX("'uidMappings': [ { 'hostID': 1, 'size': 1 } ]"),
     "config.json: linux.uidMappings[0].containerID: required field missing"},
    {"gidMappings hostID negative",
     LINUX("'gidMappings': [ { 'containerID': 0, 'hostID': -1, 'size': 1 } ]"),
     "config.json: linux.gidMappings[0].hostID: expected a non-negative integer, got -1"},
    {"uidMappings size overflows uint32",
     LINUX("'uidMappings': [ { 'containerID': 0, 'hostID': 0, 'size': 4294967296 } ]"),
     "config.json: linux.uidMappings[0].size: 4294967296 is out of range (maximum 4294967295)"},
    {"uidMappings range past 2^32",
     LINUX("'uidMappings': [ { 'containerID': 4294967295, 'hostID': 0, 'size': 2 } ]"),
     "config.json: linux.uidMappings[0]: range of 2 ids from 4294967295 (container) or 0 (host) "
     "ends beyond 4294967295"},
    {"sysctl is an array", LINUX("'sysctl': []"),
     "config.json: linux.sysctl: expected an object, got array"},
    {"sysctl value is a number", LINUX("'sysctl': { 'net.ipv4.ip_forward': 1 }"),
     "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got number"},
    {"sysctl empty name", LINUX("'sysctl': { '': '1' }"),
     "config.json: linux.sysctl: empty sysctl name"},
    {"device path relative", LINUX("'devices': [ { 'path': 'dev/x', 'type': 'c' } ]"),
     "config.json: linux.devices[0].path: must be an absolute path, got \"dev/x\""},
    {"device type unknown", LINUX("'devices': [ { 'path': '/dev/x', 'type': 'x' } ]"),
     "config.json: linux.devices[0].type: unknown device type \"x\""},
    {"device type missing", LINUX("'devices': [ { 'path': '/dev/x' } ]"),
     "config.json: linux.devices[0].type: required field missing"},
    {"char device without major",
     LINUX("'devices': [ { 'path': '/dev/x', 'type': 'c', 'minor': 1 } ]"),
     "config.json: linux.devices[0].major: required field missing"},
    {"device fileMode overflows uint32",
     LINUX("'devices': [ { 'path': '/dev/x', 'type': 'p', 'fileMode': 4294967296 } ]"),
     "config.json: linux.devices[0].fileMode: 4294967296 is out of range (maximum 4294967295)"},
    {"device uid overflows uint32",
     LINUX("'devices': [ { 'path': '/dev/x', 'type': 'p', 'uid': 4294967296 } ]"),
     "config.json: linux.devices[0].uid: 4294967296 is out of range (maximum 4294967295)"},
    {"maskedPaths[1] relative", LINUX("'maskedPaths': [ '/proc/acpi', 'proc/kcore' ]"),
     "config.json: linux.maskedPaths[1]: must be an absolute path, got \"proc/kcore\""},
    {"readonlyPaths[0] is a number", LINUX("'readonlyPaths': [ 1 ]"),
     "config.json: linux.readonlyPaths[0]: expected a string, got number"},
    {"cgroupsPath is a number", LINUX("'cgroupsPath': 5"),
     "config.json: linux.cgroupsPath: expected a string, got number"},
    {"rootfsPropagation unknown", LINUX("'rootfsPropagation': 'bogus'"),
     "config.json: linux.rootfsPropagation: unknown rootfs propagation \"bogus\""},
    {"mountLabel is an array", LINUX("'mountLabel': []"),
     "config.json: linux.mountLabel: expected a string, got array"},

    /* linux.resources */
    {"resources is a string", LINUX("'resources': 'none'"),
     "config.json: linux.resources: expected an object, got string"},
    {"device rule allow missing", RES("'devices': [ { 'access': 'rwm' } ]"),
     "config.json: linux.resources.devices[0].allow: required field missing"},
    {"device rule allow is a string", RES("'devices': [ { 'allow': 'yes' } ]"),
     "config.json: linux.resources.devices[0].allow: expected a boolean, got string"},
    {"device rule type u", RES("'devices': [ { 'allow': true, 'type': 'u' } ]"),
     "config.json: linux.resources.devices[0].type: unknown device type \"u\""},
    {"device rule access rwx", RES("'devices': [ { 'allow': true, 'access': 'rwx' } ]"),
     "config.json: linux.resources.devices[0].access: expected a combination of \"r\", \"w\" "
     "and \"m\", got \"rwx\""},
    {"device rule access rr", RES("'devices': [ { 'allow': true, 'access': 'rr' } ]"),
     "config.json: linux.resources.devices[0].access: expected a combination of \"r\", \"w\" "
     "and \"m\", got \"rr\""},
    {"device rule access empty", RES("'devices': [ { 'allow': true, 'access': '' } ]"),
     "config.json: linux.resources.devices[0].access: expected a combination of \"r\", \"w\" "
     "and \"m\", got \"\""},
    {"device rule major fractional", RES("'devices': [ { 'allow': true, 'major': 1.5 } ]"),
     "config.json: linux.resources.devices[0].major: expected an integer, got 1.5"},
    {"memory.limit with an exponent", RES("'memory': { 'limit': 1.5e9 }"),
     "config.json: linux.resources.memory.limit: expected an integer, got 1.5e9"},
    {"memory.limit overflows int64", RES("'memory': { 'limit': 9223372036854775808 }"),
     "config.json: linux.resources.memory.limit: 9223372036854775808 is out of range "
     "(-9223372036854775808 to 9223372036854775807)"},
    {"memory.swappiness 101", RES("'memory': { 'swappiness': 101 }"),
     "config.json: linux.resources.memory.swappiness: 101 is out of range (maximum 100)"},
    {"memory.disableOOMKiller is a string", RES("'memory': { 'disableOOMKiller': 'true' }"),
     "config.json: linux.resources.memory.disableOOMKiller: expected a boolean, got string"},
    {"cpu.shares negative", RES("'cpu': { 'shares': -1 }"),
     "config.json: linux.resources.cpu.shares: expected a non-negative integer, got -1"},
    {"cpu.period overflows uint64", RES("'cpu': { 'period': 18446744073709551616 }"),
     "config.json: linux.resources.cpu.period: 18446744073709551616 is out of range (maximum "
     "18446744073709551615)"},
    {"cpu.cpus with a letter", RES("'cpu': { 'cpus': '0-3,a' }"),
     "config.json: linux.resources.cpu.cpus: expected a list like \"0-3,5\", got \"0-3,a\""},
    {"cpu.cpus descending range", RES("'cpu': { 'cpus': '3-1' }"),
     "config.json: linux.resources.cpu.cpus: expected a list like \"0-3,5\", got \"3-1\""},
    {"cpu.mems trailing comma", RES("'cpu': { 'mems': '1,' }"),
     "config.json: linux.resources.cpu.mems: expected a list like \"0-3,5\", got \"1,\""},
    {"cpu.cpus huge number", RES("'cpu': { 'cpus': '99999999999999999999999' }"),
     "config.json: linux.resources.cpu.cpus: expected a list like \"0-3,5\", got "
     "\"99999999999999999999999\""},
    {"pids.limit missing", RES("'pids': {}"),
     "config.json: linux.resources.pids.limit: required field missing"},
    {"pids.limit is a string", RES("'pids': { 'limit': 'max' }"),
     "config.json: linux.resources.pids.limit: expected a number, got string"},
    {"blockIO.weight 65536", RES("'blockIO': { 'weight': 65536 }"),
     "config.json: linux.resources.blockIO.weight: 65536 is out of range (maximum 65535)"},
    {"weightDevice major missing", RES("'blockIO': { 'weightDevice': [ { 'minor': 0 } ] }"),
     "config.json: linux.resources.blockIO.weightDevice[0].major: required field missing"},
    {"throttle rate negative",
     RES("'blockIO': { 'throttleReadBpsDevice': [ { 'major': 8, 'minor': 0, 'rate': -1 } ] }"),
     "config.json: linux.resources.blockIO.throttleReadBpsDevice[0].rate: expected a "
     "non-negative integer, got -1"},
    {"throttle rate missing",
     RES("'blockIO': { 'throttleWriteIOPSDevice': [ { 'major': 8, 'minor': 0 } ] }"),
     "config.json: linux.resources.blockIO.throttleWriteIOPSDevice[0].rate: required field "
     "missing"},
    {"hugepageLimits pageSize missing", RES("'hugepageLimits': [ { 'limit': 1 } ]"),
     "config.json: linux.resources.hugepageLimits[0].pageSize: required field missing"},
    {"hugepageLimits limit missing", RES("'hugepageLimits': [ { 'pageSize': '2MB' } ]"),
     "config.json: linux.resources.hugepageLimits[0].limit: required field missing"},
    {"network.classID overflows uint32", RES("'network': { 'classID': 4294967296 }"),
     "config.json: linux.resources.network.classID: 4294967296 is out of range (maximum "
     "4294967295)"},
    {"network priority name empty",
     RES("'network': { 'priorities': [ { 'name': '', 'priority': 1 } ] }"),
     "config.json: linux.resources.network.priorities[0].name: must be a non-empty string"},
    {"rdma device is a number", RES("'rdma': { 'mlx5_1': 3 }"),
     "config.json: linux.resources.rdma.mlx5_1: expected an object, got number"},
    {"rdma hcaHandles overflows uint32", RES("'rdma': { 'mlx5_1': { 'hcaHandles': 4294967296 } }"),
     "config.json: linux.resources.rdma.mlx5_1.hcaHandles: 4294967296 is out of range (maximum "
     "4294967295)"},
    {"unified value is a number", RES("'unified': { 'memory.high': 1 }"),
     "config.json: linux.resources.unified[\"memory.high\"]: expected a string, got number"},

    /* linux.seccomp */
    {"seccomp is an array", LINUX("'seccomp': []"),
     "config.json: linux.seccomp: expected an object, got array"},
    {"seccomp defaultAction missing", SECCOMP("'architectures': []"),
     "config.json: linux.seccomp.defaultAction: required field missing"},
    {"seccomp defaultAction unknown", SECCOMP("'defaultAction': 'SCMP_ACT_FOO'"),
     "config.json: linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_FOO\""},
    {"seccomp defaultAction is a number", SECCOMP("'defaultAction': 0"),
     "config.json: linux.seccomp.defaultAction: expected a string, got number"},
    {"seccomp defaultErrnoRet with ALLOW", SECCOMP(ALLOW ", 'defaultErrnoRet': 1"),
     "config.json: linux.seccomp.defaultErrnoRet: only allowed with SCMP_ACT_ERRNO or "
     "SCMP_ACT_TRACE, not SCMP_ACT_ALLOW"},
    {"seccomp defaultErrnoRet 65536",
     SECCOMP("'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 65536"),
     "config.json: linux.seccomp.defaultErrnoRet: 65536 is out of range (maximum 65535)"},
    {"seccomp architecture unknown",
     SECCOMP(ALLOW ", 'architectures': [ 'SCMP_ARCH_X86_64', 'SCMP_ARCH_Z80' ]"),
     "config.json: linux.seccomp.architectures[1]: unknown seccomp architecture "
     "\"SCMP_ARCH_Z80\""},
    {"seccomp flag unknown", SECCOMP(ALLOW ", 'flags': [ 'SECCOMP_FILTER_FLAG_BOGUS' ]"),
     "config.json: linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_BOGUS\""},
    {"seccomp listenerPath is a number", SECCOMP(ALLOW ", 'listenerPath': 1"),
     "config.json: linux.seccomp.listenerPath: expected a string, got number"},
    {"seccomp syscalls is an object", SECCOMP(ALLOW ", 'syscalls': {}"),
     "config.json: linux.seccomp.syscalls: expected an array, got object"},
    {"syscall names missing", SYSCALL("'action': 'SCMP_ACT_ALLOW'"),
     "config.json: linux.seccomp.syscalls[0].names: required field missing"},
    {"syscall names empty", SYSCALL("'names': [], 'action': 'SCMP_ACT_ALLOW'"),
     "config.json: linux.seccomp.syscalls[0].names: must contain at least one element"},
    {"syscall name empty", SYSCALL("'names': [ 'read', '' ], 'action': 'SCMP_ACT_ALLOW'"),
     "config.json: linux.seccomp.syscalls[0].names[1]: must be a non-empty string"},
    {"syscall action missing", SYSCALL("'names': [ 'read' ]"),
     "config.json: linux.seccomp.syscalls[0].action: required field missing"},
    {"syscall action unknown", SYSCALL("'names': [ 'read' ], 'action': 'allow'"),
     "config.json: linux.seccomp.syscalls[0].action: unknown seccomp action \"allow\""},
    {"syscall errnoRet with KILL",
     SYSCALL("'names': [ 'read' ], 'action': 'SCMP_ACT_KILL', 'errnoRet': 1"),
     "config.json: linux.seccomp.syscalls[0].errnoRet: only allowed with SCMP_ACT_ERRNO or "
     "SCMP_ACT_TRACE, not SCMP_ACT_KILL"},
    {"syscall errnoRet negative",
     SYSCALL("'names': [ 'read' ], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': -1"),
     "config.json: linux.seccomp.syscalls[0].errnoRet: expected a non-negative integer, got -1"},
    {"syscall arg index 6", ARG("'index': 6, 'value': 0, 'op': 'SCMP_CMP_EQ'"),
     "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (maximum 5)"},
    {"syscall arg index missing", ARG("'value': 0, 'op': 'SCMP_CMP_EQ'"),
     "config.json: linux.seccomp.syscalls[0].args[0].index: required field missing"},
    {"syscall arg value missing", ARG("'index': 0, 'op': 'SCMP_CMP_EQ'"),
     "config.json: linux.seccomp.syscalls[0].args[0].value: required field missing"},
    {"syscall arg value overflows uint64",
     ARG("'index': 0, 'value': 18446744073709551616, 'op': 'SCMP_CMP_EQ'"),
     "config.json: linux.seccomp.syscalls[0].args[0].value: 18446744073709551616 is out of "
     "range (maximum 18446744073709551615)"},
    {"syscall arg valueTwo negative",
     ARG("'index': 0, 'value': 0, 'valueTwo': -1, 'op': 'SCMP_CMP_MASKED_EQ'"),
     "config.json: linux.seccomp.syscalls[0].args[0].valueTwo: expected a non-negative "
     "integer, got -1"},
    {"syscall arg op unknown", ARG("'index': 0, 'value': 0, 'op': 'SCMP_CMP_FOO'"),
     "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "
     "\"SCMP_CMP_FOO\""},
    {"syscall arg op missing", ARG("'index': 0, 'value': 0"),
     "config.json: linux.seccomp.syscalls[0].args[0].op: required field missing"},

    /* mounts, vm */
    {"mount uidMappings size missing",
     WITH("'mounts': [ { 'destination': '/x', 'uidMappings': [ { 'containerID': 0, "
	  "'hostID': 0 } ] } ]"),
     "config.json: mounts[0].uidMappings[0].size: required field missing"},
    {"mount gidMappings is an object",
     WITH("'mounts': [ { 'destination': '/x', 'gidMappings': {} } ]"),
     "config.json: mounts[0].gidMappings: expected an array, got object"},
    {"vm.hypervisor.path relative", WITH("'vm': { 'hypervisor': { 'path': 'qemu' } }"),
     "config.json: vm.hypervisor.path: must be an absolute path, got \"qemu\""},
    {"vm.hypervisor.path missing", WITH("'vm': { 'hypervisor': { 'parameters': [] } }"),
     "config.json: vm.hypervisor.path: required field missing"},
    {"vm.hypervisor.parameters[0] is a number",
     WITH("'vm': { 'hypervisor': { 'path': '/q', 'parameters': [ 1 ] } }"),
     "config.json: vm.hypervisor.parameters[0]: expected a string, got number"},
    {"vm.image.format unknown", WITH("'vm': { 'image': { 'path': '/i', 'format': 'iso' } }"),
     "config.json: vm.image.format: unknown image format \"iso\""},
    {"vm.image.format missing", WITH("'vm': { 'image': { 'path': '/i' } }"),
     "config.json: vm.image.format: required field missing"},
    {"vm.image.path relative", WITH("'vm': { 'image': { 'path': 'i.raw', 'format': 'raw' } }"),
     "config.json: vm.image.path: must be an absolute path, got \"i.raw\""},
};

static void test_error_table(struct tap *t)
{
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++)
		expect_error(t, error_cases[i].desc, error_cases[i].json, error_cases[i].want);
}

/* Every prefix of the full config must fail cleanly (no crash, no leak of
 * a half-filled section, a message), and the whole must succeed. */
static void test_prefixes(struct tap *t)
{
	autofree char *json = sq(full_config);
	size_t len = strlen(json), bad = 0;

	while (len > 0 && strchr(" \n", json[len - 1]) != NULL)
		len--;
	for (size_t n = 0; n < len; n++) {
		struct spec *s = NULL;
		struct uerr err = {0};

		if (spec_parse(json, n, "config.json", &s, &err) == 0 || s != NULL ||
		    strncmp(err.msg, "config.json: ", 13) != 0)
			bad++;
		spec_free(s);
	}
	CHECK(t, bad == 0, "every truncation of the every-section config fails with a message");
}

/* ---- the real configs of the fuzz corpus ---- */

static void free_names(struct dirent **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int is_json(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
}

/* "x" + "[0]" * 63 or "a" + ".a" * 63: where 64 levels of nesting end */
static void deep_path(char *buf, size_t size, const char *first, const char *step)
{
	size_t len = (size_t)snprintf(buf, size, "%s", first);

	for (int i = 0; i < SPEC_MAX_DEPTH - 1 && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s", step);
}

/* The message expected for a hostile seed, after "PATH: " */
static void hostile_message(const char *name, char *buf, size_t size)
{
	static const struct {
		const char *name;
		const char *msg;
	} msgs[] = {
	    {"hostile-duplicate-key.json", "process: duplicate key \"cwd\""},
	    {"hostile-nul.json", "hostname: string contains a NUL byte"},
	    {"hostile-overflow.json",
	     "process.user.uid: 4294967296 is out of range (maximum 4294967295)"},
	    {"hostile-surrogate.json", "hostname: string is not valid UTF-8"},
	    {"hostile-unknown-names.json",
	     "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\""},
	    {"hostile-utf8.json", "hostname: string is not valid UTF-8"},
	    {"hostile-wrong-types.json", "process.args: expected an array, got string"},
	};
	char deep[256];

	snprintf(buf, size, "(no expected message for %s)", name);
	if (strcmp(name, "hostile-deep-arrays.json") == 0 ||
	    strcmp(name, "hostile-deep-objects.json") == 0) {
		bool arrays = strstr(name, "arrays") != NULL;

		deep_path(deep, sizeof(deep), arrays ? "x" : "a", arrays ? "[0]" : ".a");
		snprintf(buf, size, "%s: nesting is deeper than 64 levels", deep);
	}
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (strcmp(name, msgs[i].name) == 0)
			snprintf(buf, size, "%s", msgs[i].msg);
}

static void test_corpus(struct tap *t)
{
	const char *dir = UMLRUN_SRCDIR "/tests/fuzz/corpus/spec";
	struct dirent **names = NULL;
	unsigned int real = 0;
	int n = scandir(dir, &names, is_json, alphasort);

	if (n < 0) {
		report(t, false, strerror(errno), "scan %s", dir);
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		bool hostile = strncmp(name, "hostile-", 8) == 0;
		struct spec *s = NULL;
		struct uerr err = {0};
		char path[4200];
		int r;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		r = spec_load(path, &s, &err);
		if (hostile) {
			char msg[512], want[4800];

			hostile_message(name, msg, sizeof(msg));
			snprintf(want, sizeof(want), "%s: %s", path, msg);
			report(t, r < 0 && s == NULL && strcmp(err.msg, want) == 0, err.msg,
			       "corpus: %s is refused: %s", name, msg);
		} else
			report(t, r == 0 && s != NULL, err.msg, "corpus: %s parses", name);
		real += !hostile;
		spec_free(s);
	}
	free_names(names, n);
	CHECK(t, real >= 6, "corpus: at least six real configs (runc, crun, podman)");
}

int main(void)
{
	struct tap t = {0};

	test_full(&t);
	test_defaults(&t);
	test_error_table(&t);
	test_prefixes(&t);
	test_corpus(&t);
	return tap_finish(&t);
}
