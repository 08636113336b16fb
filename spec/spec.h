/* spec.h: the OCI runtime-spec config.json as typed C structs.
 * spec/config.c parses and validates it (yajl); spec/ owns these types. */
#ifndef UMLRUN_SPEC_H
#define UMLRUN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../runtime/error.h"

/* Hostile-input limits, enforced by the parser. */
#define SPEC_MAX_FILE_SIZE (4u * 1024 * 1024) /* bytes of config.json */
#define SPEC_MAX_DEPTH 64                      /* nesting of arrays/objects */
#define SPEC_MAX_STRING (256u * 1024)          /* bytes in one string */
#define SPEC_MAX_ARRAY 65536                   /* elements in one array */

struct spec_kv {
	char *key;
	char *value;
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
	char *type; /* "RLIMIT_NOFILE"... validated against the known names */
	uint64_t soft;
	uint64_t hard;
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
};

struct spec_root {
	char *path; /* as written in config.json (relative to the bundle or absolute) */
	bool readonly;
};

struct spec_mount {
	char *destination; /* absolute */
	char *type;        /* may be NULL */
	char *source;      /* may be NULL */
	char **options;    /* NULL-terminated */
	size_t n_options;
};

struct spec_vm_kernel {
	char *path;        /* NULL when absent */
	char **parameters; /* NULL-terminated */
	size_t n_parameters;
	char *initrd; /* NULL when absent */
};

struct spec {
	char *oci_version;
	struct spec_root root;
	bool has_process;
	struct spec_process process;
	char *hostname;   /* NULL when absent */
	char *domainname; /* NULL when absent */
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_kv *annotations;
	size_t n_annotations;
	bool has_vm_kernel;
	struct spec_vm_kernel vm_kernel;
};

/* Parses and validates the JSON text buf[0..len). `name` prefixes every
 * error ("config.json: process.args[0]: must be a non-empty string").
 * On success *out owns everything; free it with spec_free(). */
int spec_parse(const char *buf, size_t len, const char *name, struct spec **out,
	       struct uerr *err);

/* Reads `path` (at most SPEC_MAX_FILE_SIZE bytes) and parses it. */
int spec_load(const char *path, struct spec **out, struct uerr *err);

void spec_free(struct spec *s);

/* Looks up an annotation; NULL when absent. */
const char *spec_annotation(const struct spec *s, const char *key);

#endif
