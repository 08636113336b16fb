/* spec.h: the OCI runtime-spec config.json as typed C structs, and the
 * default config that `umlrun spec` writes. spec/config.c parses and
 * validates it (yajl), with one file per section (process.c, hooks.c,
 * linux.c, resources.c, seccomp.c, vm.c); spec/ owns these types.
 *
 * Every field of the runtime-spec that users send is parsed and checked,
 * whether or not umlrun honours it yet; unknown keys are ignored (forward
 * compatibility, as runc does). Absent optional strings are NULL; absent
 * string arrays are empty NULL-terminated lists when their section is
 * present (NULL otherwise); absent arrays of structs are NULL with a count
 * of 0. JSON null in an optional field means absent, as in Go. */
#ifndef UMLRUN_SPEC_H
#define UMLRUN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../runtime/error.h"

/* Hostile-input limits, enforced by the parser. */
#define SPEC_MAX_FILE_SIZE (4u * 1024 * 1024) /* bytes of config.json */
#define SPEC_MAX_DEPTH	   64		      /* nesting of arrays/objects */
#define SPEC_MAX_STRING	   (256u * 1024)      /* bytes in one string */
#define SPEC_MAX_ARRAY	   65536	      /* elements in one array */

struct spec_kv {
	char *key;
	char *value;
};

/* Optional scalars that remember whether config.json gave them. */
struct spec_bool {
	bool set;
	bool value;
};

struct spec_u64 {
	bool set;
	uint64_t value;
};

struct spec_i64 {
	bool set;
	int64_t value;
};

struct spec_user {
	uint32_t uid;
	uint32_t gid;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	bool has_umask;
	uint32_t umask;
};

struct spec_rlimit {
	char *type;   /* "RLIMIT_NOFILE"... validated against the known names */
	int resource; /* RLIMIT_NOFILE... of <sys/resource.h> */
	uint64_t soft;
	uint64_t hard;
};

/* Capability sets as bit masks: bit N is capability N (CAP_CHOWN = 0...
 * SPEC_CAP_LAST). Absent sets are empty. */
#define SPEC_CAP_LAST 40 /* CAP_CHECKPOINT_RESTORE */

struct spec_capabilities {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
};

/* "CAP_CHOWN" for 0...; NULL above SPEC_CAP_LAST. */
const char *spec_cap_name(unsigned int cap);

struct spec_console_size {
	uint16_t height;
	uint16_t width;
};

struct spec_process {
	bool terminal;
	char **args; /* NULL-terminated, n_args >= 1 */
	size_t n_args;
	char **env; /* NULL-terminated, each "KEY=VALUE" */
	size_t n_env;
	char *cwd; /* absolute */
	struct spec_user user;
	bool no_new_privileges;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_capabilities;
	struct spec_capabilities capabilities;
	bool has_console_size;
	struct spec_console_size console_size;
	char *apparmor_profile; /* NULL when absent */
	char *selinux_label;	/* NULL when absent */
};

struct spec_root {
	char *path; /* as written in config.json (relative to the bundle or absolute) */
	bool readonly;
};

struct spec_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct spec_mount {
	char *destination; /* absolute */
	char *type;	   /* may be NULL */
	char *source;	   /* may be NULL */
	char **options;	   /* NULL-terminated, as written ("ro", "mode=755"...) */
	size_t n_options;
	struct spec_id_mapping *uid_mappings; /* idmapped mounts */
	size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
};

/* ---- hooks ---- */

enum spec_hook_kind {
	SPEC_HOOK_PRESTART,
	SPEC_HOOK_CREATE_RUNTIME,
	SPEC_HOOK_CREATE_CONTAINER,
	SPEC_HOOK_START_CONTAINER,
	SPEC_HOOK_POSTSTART,
	SPEC_HOOK_POSTSTOP,
	SPEC_HOOK_KINDS,
};

/* "prestart", "createRuntime"...: the key in config.json's "hooks". */
const char *spec_hook_kind_name(enum spec_hook_kind kind);

struct spec_hook {
	char *path;  /* absolute */
	char **args; /* NULL-terminated, may be empty */
	size_t n_args;
	char **env; /* NULL-terminated, each "NAME=VALUE" */
	size_t n_env;
	bool has_timeout;
	int timeout; /* seconds, > 0 */
};

struct spec_hooks {
	struct spec_hook *hooks;
	size_t n_hooks;
};

/* ---- linux ---- */

enum spec_ns_type {
	SPEC_NS_PID,
	SPEC_NS_NETWORK,
	SPEC_NS_MOUNT,
	SPEC_NS_IPC,
	SPEC_NS_UTS,
	SPEC_NS_USER,
	SPEC_NS_CGROUP,
	SPEC_NS_TIME,
	SPEC_NS_TYPES,
};

struct spec_namespace {
	enum spec_ns_type type; /* each type at most once */
	char *path;		/* absolute; NULL: a new namespace */
};

struct spec_device {
	char *path;    /* absolute */
	char type;     /* 'c', 'b', 'u' or 'p' */
	int64_t major; /* 0 for 'p' */
	int64_t minor;
	struct spec_u64 file_mode; /* uint32; podman includes the S_IFMT bits */
	struct spec_u64 uid;	   /* <= UINT32_MAX */
	struct spec_u64 gid;
};

/* linux.resources.devices: a cgroup device rule. */
struct spec_device_rule {
	bool allow;
	char type;	       /* 'a' (all, also when absent), 'c' or 'b' */
	struct spec_i64 major; /* unset: any */
	struct spec_i64 minor;
	char *access; /* a non-empty subset of "rwm"; NULL: all */
};

struct spec_memory {
	struct spec_i64 limit; /* bytes; -1: unlimited */
	struct spec_i64 reservation;
	struct spec_i64 swap;
	struct spec_i64 kernel;
	struct spec_i64 kernel_tcp;
	struct spec_u64 swappiness; /* 0..100 */
	struct spec_bool disable_oom_killer;
	struct spec_bool use_hierarchy;
	struct spec_bool check_before_update;
};

struct spec_cpu {
	struct spec_u64 shares;
	struct spec_i64 quota;
	struct spec_u64 burst;
	struct spec_u64 period;
	struct spec_i64 realtime_runtime;
	struct spec_u64 realtime_period;
	char *cpus; /* "0-3,5"; syntax checked; NULL when absent */
	char *mems;
	struct spec_i64 idle;
};

struct spec_weight_device {
	int64_t major;
	int64_t minor;
	struct spec_u64 weight; /* uint16 */
	struct spec_u64 leaf_weight;
};

struct spec_throttle_device {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};

struct spec_block_io {
	struct spec_u64 weight; /* uint16 */
	struct spec_u64 leaf_weight;
	struct spec_weight_device *weight_device;
	size_t n_weight_device;
	struct spec_throttle_device *throttle_read_bps;
	size_t n_throttle_read_bps;
	struct spec_throttle_device *throttle_write_bps;
	size_t n_throttle_write_bps;
	struct spec_throttle_device *throttle_read_iops;
	size_t n_throttle_read_iops;
	struct spec_throttle_device *throttle_write_iops;
	size_t n_throttle_write_iops;
};

struct spec_hugepage_limit {
	char *page_size; /* "2MB"... */
	uint64_t limit;
};

struct spec_net_priority {
	char *name;
	uint32_t priority;
};

struct spec_rdma {
	char *device;
	struct spec_u64 hca_handles; /* uint32 */
	struct spec_u64 hca_objects;
};

struct spec_resources {
	struct spec_device_rule *devices;
	size_t n_devices;
	bool has_memory;
	struct spec_memory memory;
	bool has_cpu;
	struct spec_cpu cpu;
	bool has_pids;
	int64_t pids_limit; /* <= 0: unlimited */
	bool has_block_io;
	struct spec_block_io block_io;
	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	bool has_network;
	struct spec_u64 net_class_id; /* uint32 */
	struct spec_net_priority *net_priorities;
	size_t n_net_priorities;
	struct spec_rdma *rdma;
	size_t n_rdma;
	struct spec_kv *unified; /* cgroup v2 file -> value */
	size_t n_unified;
};

enum spec_seccomp_action {
	SPEC_SCMP_ACT_KILL,
	SPEC_SCMP_ACT_KILL_PROCESS,
	SPEC_SCMP_ACT_KILL_THREAD,
	SPEC_SCMP_ACT_TRAP,
	SPEC_SCMP_ACT_ERRNO,
	SPEC_SCMP_ACT_TRACE,
	SPEC_SCMP_ACT_ALLOW,
	SPEC_SCMP_ACT_LOG,
	SPEC_SCMP_ACT_NOTIFY,
};

enum spec_seccomp_op {
	SPEC_SCMP_CMP_NE,
	SPEC_SCMP_CMP_LT,
	SPEC_SCMP_CMP_LE,
	SPEC_SCMP_CMP_EQ,
	SPEC_SCMP_CMP_GE,
	SPEC_SCMP_CMP_GT,
	SPEC_SCMP_CMP_MASKED_EQ,
};

struct spec_seccomp_arg {
	unsigned int index; /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	enum spec_seccomp_op op;
};

struct spec_seccomp_syscall {
	char **names; /* NULL-terminated, at least one */
	size_t n_names;
	enum spec_seccomp_action action;
	struct spec_u64 errno_ret; /* only with ERRNO or TRACE; <= 65535 */
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	enum spec_seccomp_action default_action;
	struct spec_u64 default_errno_ret; /* only with ERRNO or TRACE; <= 65535 */
	char **architectures;		   /* "SCMP_ARCH_X86_64"..., known names */
	size_t n_architectures;
	char **flags; /* "SECCOMP_FILTER_FLAG_LOG"..., known names */
	size_t n_flags;
	char *listener_path; /* NULL when absent */
	char *listener_metadata;
	struct spec_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
	struct spec_kv *sysctl;
	size_t n_sysctl;
	struct spec_device *devices;
	size_t n_devices;
	bool has_resources;
	struct spec_resources resources;
	bool has_seccomp;
	struct spec_seccomp seccomp;
	char **masked_paths; /* NULL-terminated, absolute */
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *cgroups_path;	  /* NULL when absent */
	char *rootfs_propagation; /* "rprivate"...; NULL when absent */
	char *mount_label;
};

/* ---- vm ---- */

struct spec_vm_kernel {
	char *path;	   /* non-empty; relative paths are below the bundle */
	char **parameters; /* NULL-terminated */
	size_t n_parameters;
	char *initrd; /* NULL when absent */
};

struct spec_vm_hypervisor {
	char *path; /* absolute */
	char **parameters;
	size_t n_parameters;
};

struct spec_vm_image {
	char *path;   /* absolute */
	char *format; /* "raw", "qcow2", "vdi", "vmdk" or "vhd" */
};

struct spec {
	char *oci_version;
	struct spec_root root;
	bool has_process;
	struct spec_process process;
	char *hostname;	  /* NULL when absent */
	char *domainname; /* NULL when absent */
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_kv *annotations;
	size_t n_annotations;
	bool has_vm_kernel;
	struct spec_vm_kernel vm_kernel;
	bool has_vm_hypervisor;
	struct spec_vm_hypervisor vm_hypervisor;
	bool has_vm_image;
	struct spec_vm_image vm_image;
	struct spec_hooks hooks[SPEC_HOOK_KINDS]; /* indexed by enum spec_hook_kind */
	bool has_linux;
	struct spec_linux linux_; /* "linux" is a predefined macro in GNU C */
};

/* Parses and validates the JSON text buf[0..len). `name` prefixes every
 * error ("config.json: process.args[0]: must be a non-empty string").
 * On success *out owns everything; free it with spec_free(). */
int spec_parse(const char *buf, size_t len, const char *name, struct spec **out, struct uerr *err);

/* Reads `path` (at most SPEC_MAX_FILE_SIZE bytes) and parses it. */
int spec_load(const char *path, struct spec **out, struct uerr *err);

void spec_free(struct spec *s);

/* Looks up an annotation; NULL when absent. */
const char *spec_annotation(const struct spec *s, const char *key);

/* ---- the default config (spec/default.c) ---- */

struct spec_default_opts {
	bool rootless; /* as `runc spec --rootless` */
	uint32_t uid;  /* host ids mapped to 0 when rootless (geteuid, getegid) */
	uint32_t gid;
};

/* The config.json `runc spec` writes (adjusted for rootless use as
 * `runc spec --rootless` does), as text in a malloc'ed, NUL-terminated
 * buffer of *len bytes that ends with a newline. */
int spec_default_json(const struct spec_default_opts *o, char **out, size_t *len, struct uerr *err);

#endif
