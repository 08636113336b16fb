/* test-spec.c: unit tests for spec/ (config.json parsing and validation):
 * the document as a whole, the top-level fields and process, and the
 * hostile-input limits (size, depth, strings, arrays, UTF-8, duplicate
 * keys, integer overflow). The other sections are in test-spec-fields.c,
 * the default config in test-spec-default.c. Standalone TAP (helpers in
 * test-spec.h); meant to run under ASan/UBSan/LeakSanitizer. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-spec.h"

/* ---- a complete, valid config ---- */

/* `runc spec` output, plus every field spec.h models. */
static const char full_config[] =
    "{\n"
    "  'ociVersion': '1.0.2-dev',\n"
    "  'process': {\n"
    "    'terminal': true,\n"
    "    'user': { 'uid': 1000, 'gid': 4294967295, 'additionalGids': [5, 0, 100],\n"
    "              'umask': 18, 'username': 'ignored' },\n"
    "    'args': [ 'sh', '-c', 'echo \\u00e9t\\u00e9 \\ud83d\\ude00' ],\n"
    "    'env': [ 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',\n"
    "             'TERM=xterm', 'EMPTY=', 'EQ=a=b' ],\n"
    "    'cwd': '/home/user',\n"
    "    'capabilities': {\n"
    "      'bounding': [ 'CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE' ],\n"
    "      'effective': [ 'CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE' ],\n"
    "      'permitted': [ 'CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE' ],\n"
    "      'ambient': [ 'CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE' ]\n"
    "    },\n"
    "    'rlimits': [\n"
    "      { 'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 1024 },\n"
    "      { 'type': 'RLIMIT_CORE', 'hard': 18446744073709551615, 'soft': 0 }\n"
    "    ],\n"
    "    'noNewPrivileges': true,\n"
    "    'oomScoreAdj': -1000,\n"
    "    'apparmorProfile': 'ignored',\n"
    "    'selinuxLabel': 'ignored'\n"
    "  },\n"
    "  'root': { 'path': 'rootfs', 'readonly': true },\n"
    "  'hostname': 'runc',\n"
    "  'domainname': 'example.org',\n"
    "  'mounts': [\n"
    "    { 'destination': '/proc', 'type': 'proc', 'source': 'proc' },\n"
    "    { 'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs',\n"
    "      'options': [ 'nosuid', 'strictatime', 'mode=755', 'size=65536k' ] },\n"
    "    { 'destination': '/dev/pts', 'type': 'devpts', 'source': 'devpts',\n"
    "      'options': [ 'nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5' ] "
    "},\n"
    "    { 'destination': '/data', 'options': [ 'rbind' ],\n"
    "      'uidMappings': [ { 'containerID': 0, 'hostID': 1000, 'size': 1 } ] }\n"
    "  ],\n"
    "  'annotations': { 'org.opencontainers.image.os': 'linux', 'com.example.empty': '' },\n"
    "  'vm': {\n"
    "    'hypervisor': { 'path': '/usr/bin/qemu', 'parameters': [ '-m', '1G' ] },\n"
    "    'kernel': { 'path': '/boot/vmlinux', 'parameters': [ 'console=ttyS0', 'ro' ],\n"
    "                'initrd': '/boot/initrd.img' },\n"
    "    'image': { 'path': '/img.raw', 'format': 'raw' }\n"
    "  },\n"
    "  'hooks': { 'prestart': [ { 'path': '/bin/true', 'args': [ 'true' ], 'timeout': 5 } ] },\n"
    "  'linux': {\n"
    "    'resources': { 'devices': [ { 'allow': false, 'access': 'rwm' } ],\n"
    "                   'memory': { 'limit': 1500000000, 'swap': -1 } },\n"
    "    'namespaces': [ { 'type': 'pid' }, { 'type': 'network' }, { 'type': 'ipc' },\n"
    "                    { 'type': 'uts' }, { 'type': 'mount' } ],\n"
    "    'maskedPaths': [ '/proc/acpi', '/proc/kcore', '/sys/firmware' ],\n"
    "    'readonlyPaths': [ '/proc/bus', '/proc/sys' ],\n"
    "    'seccomp': null\n"
    "  },\n"
    "  'x-unknown-extension': { 'a': [ 1, 2.5, -3, true, null, 'x' ] }\n"
    "}\n";

static void test_full_config(struct tap *t)
{
	static const char *const args[] = {"sh", "-c", "echo \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80",
					   NULL};
	static const char *const env[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
	    "EMPTY=", "EQ=a=b", NULL};
	static const char *const dev_opts[] = {"nosuid", "strictatime", "mode=755", "size=65536k",
					       NULL};
	static const char *const none[] = {NULL};
	static const char *const rbind[] = {"rbind", NULL};
	static const char *const params[] = {"console=ttyS0", "ro", NULL};
	autospec struct spec *s = expect_ok(t, "full config parses", full_config);
	const struct spec_process *p;

	if (s == NULL)
		return;
	p = &s->process;
	CHECK(t, streq(s->oci_version, "1.0.2-dev"), "full: ociVersion");
	CHECK(t, streq(s->root.path, "rootfs") && s->root.readonly, "full: root");
	CHECK(t, s->has_process, "full: has_process");
	CHECK(t, p->terminal, "full: process.terminal");
	CHECK(t, strv_eq(p->args, p->n_args, args), "full: process.args, with \\u escapes");
	CHECK(t, strv_eq(p->env, p->n_env, env), "full: process.env");
	CHECK(t, streq(p->cwd, "/home/user"), "full: process.cwd");
	CHECK(t, p->user.uid == 1000 && p->user.gid == UINT32_MAX, "full: process.user uid/gid");
	CHECK(t,
	      p->user.n_additional_gids == 3 && p->user.additional_gids[0] == 5 &&
		  p->user.additional_gids[1] == 0 && p->user.additional_gids[2] == 100,
	      "full: process.user.additionalGids");
	CHECK(t, p->user.has_umask && p->user.umask == 022, "full: process.user.umask");
	CHECK(t, p->no_new_privileges, "full: process.noNewPrivileges");
	CHECK(t,
	      p->n_rlimits == 2 && streq(p->rlimits[0].type, "RLIMIT_NOFILE") &&
		  p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 1024,
	      "full: process.rlimits[0]");
	CHECK(t,
	      streq(p->rlimits[1].type, "RLIMIT_CORE") && p->rlimits[1].soft == 0 &&
		  p->rlimits[1].hard == UINT64_MAX,
	      "full: process.rlimits[1] with hard = 2^64-1");
	CHECK(t, p->has_oom_score_adj && p->oom_score_adj == -1000, "full: process.oomScoreAdj");
	CHECK(t, streq(s->hostname, "runc") && streq(s->domainname, "example.org"),
	      "full: hostname and domainname");
	CHECK(t, s->n_mounts == 4, "full: four mounts");
	if (s->n_mounts == 4) {
		CHECK(t,
		      streq(s->mounts[0].destination, "/proc") &&
			  streq(s->mounts[0].type, "proc") && streq(s->mounts[0].source, "proc") &&
			  strv_eq(s->mounts[0].options, s->mounts[0].n_options, none),
		      "full: mounts[0], absent options are an empty NULL-terminated list");
		CHECK(t,
		      streq(s->mounts[1].destination, "/dev") &&
			  strv_eq(s->mounts[1].options, s->mounts[1].n_options, dev_opts),
		      "full: mounts[1].options");
		CHECK(t,
		      streq(s->mounts[3].destination, "/data") && s->mounts[3].type == NULL &&
			  s->mounts[3].source == NULL &&
			  strv_eq(s->mounts[3].options, s->mounts[3].n_options, rbind),
		      "full: mounts[3] without type/source");
		CHECK(t,
		      s->mounts[3].n_uid_mappings == 1 &&
			  s->mounts[3].uid_mappings[0].host_id == 1000 &&
			  s->mounts[3].uid_mappings[0].size == 1 &&
			  s->mounts[3].n_gid_mappings == 0,
		      "full: mounts[3].uidMappings");
	}
	CHECK(t, s->n_annotations == 2, "full: two annotations");
	CHECK(t, streq(spec_annotation(s, "org.opencontainers.image.os"), "linux"),
	      "full: spec_annotation finds a key");
	CHECK(t, streq(spec_annotation(s, "com.example.empty"), ""),
	      "full: spec_annotation with an empty value");
	CHECK(t, spec_annotation(s, "nope") == NULL, "full: spec_annotation on a missing key");
	CHECK(t, s->has_vm_kernel, "full: has_vm_kernel");
	CHECK(t,
	      streq(s->vm_kernel.path, "/boot/vmlinux") &&
		  strv_eq(s->vm_kernel.parameters, s->vm_kernel.n_parameters, params) &&
		  streq(s->vm_kernel.initrd, "/boot/initrd.img"),
	      "full: vm.kernel");
}

#define BASE	  "'ociVersion': '1.0.2', 'root': { 'path': 'rootfs' }"
#define WITH(x)	  "{" BASE ", " x "}"
#define PROC(x)	  WITH("'process': { 'args': ['sh'], 'cwd': '/', " x " }")
#define USER(x)	  PROC("'user': { " x " }")
#define RLIM(x)	  PROC("'rlimits': [ " x " ]")
#define NOFILE	  "{ 'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 2 }"
#define MOUNT(x)  WITH("'mounts': [ { 'destination': '/proc' }, { " x " } ]")
#define KERNEL(x) WITH("'vm': { 'kernel': { " x " } }")

static void test_minimal(struct tap *t)
{
	autospec struct spec *s = expect_ok(t, "minimal config parses", "{" BASE "}");

	if (s == NULL)
		return;
	CHECK(t,
	      !s->has_process && !s->has_vm_kernel && s->hostname == NULL &&
		  s->domainname == NULL && s->mounts == NULL && s->n_mounts == 0 &&
		  s->annotations == NULL && !s->root.readonly,
	      "minimal: absent optional fields are NULL/false/0");
	CHECK(t, s->process.args == NULL && s->vm_kernel.path == NULL,
	      "minimal: no process, no vm kernel");
}

static void test_process_defaults(struct tap *t)
{
	autospec struct spec *s = expect_ok(t, "process with only args and cwd",
					    WITH("'process': { 'args': ['sh'], 'cwd': '/' }"));
	const struct spec_process *p;

	if (s == NULL)
		return;
	p = &s->process;
	CHECK(t,
	      s->has_process && p->n_args == 1 && streq(p->args[0], "sh") && p->args[1] == NULL &&
		  streq(p->cwd, "/"),
	      "process defaults: args and cwd");
	CHECK(t, p->env != NULL && p->env[0] == NULL && p->n_env == 0,
	      "process defaults: absent env is an empty NULL-terminated list");
	CHECK(t,
	      !p->terminal && p->user.uid == 0 && p->user.gid == 0 &&
		  p->user.additional_gids == NULL && !p->user.has_umask && !p->no_new_privileges &&
		  p->rlimits == NULL && !p->has_oom_score_adj,
	      "process defaults: everything else zero");
}

static void test_nulls(struct tap *t)
{
	autospec struct spec *s = expect_ok(
	    t, "null in optional fields means absent",
	    WITH("'process': { 'args': ['sh'], 'cwd': '/', 'env': null, 'terminal': null, "
		 "'user': null, 'rlimits': null, 'oomScoreAdj': null }, 'hostname': null, "
		 "'mounts': null, 'annotations': null, 'vm': { 'kernel': null }"));

	if (s == NULL)
		return;
	CHECK(t,
	      s->hostname == NULL && s->mounts == NULL && s->annotations == NULL &&
		  !s->has_vm_kernel && !s->process.has_oom_score_adj && s->process.env != NULL &&
		  s->process.env[0] == NULL,
	      "nulls: fields read as absent");
}

static void test_umask_and_oom(struct tap *t)
{
	autospec struct spec *a = expect_ok(t, "umask 511 (0777) accepted", USER("'umask': 511"));
	autospec struct spec *b =
	    expect_ok(t, "oomScoreAdj 1000 accepted", PROC("'oomScoreAdj': 1000"));
	autospec struct spec *c =
	    expect_ok(t, "oomScoreAdj -0 accepted as 0", PROC("'oomScoreAdj': -0"));
	autospec struct spec *d =
	    expect_ok(t, "vm without kernel", WITH("'vm': { 'hypervisor': { 'path': '/q' } }"));
	autospec struct spec *e =
	    expect_ok(t, "64-byte hostname accepted",
		      WITH("'hostname': "
			   "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"));

	CHECK(t, a != NULL && a->process.user.has_umask && a->process.user.umask == 0777,
	      "umask 511 stored");
	CHECK(t, b != NULL && b->process.oom_score_adj == 1000, "oomScoreAdj 1000 stored");
	CHECK(t, c != NULL && c->process.has_oom_score_adj && c->process.oom_score_adj == 0,
	      "oomScoreAdj -0 stored as 0");
	CHECK(t, d != NULL && !d->has_vm_kernel, "vm without kernel: has_vm_kernel false");
	CHECK(t, e != NULL && e->hostname != NULL && strlen(e->hostname) == 64,
	      "64-byte hostname stored");
}

struct error_case {
	const char *desc;
	const char *json;
	const char *want;
};

static const struct error_case error_cases[] = {
    /* the document as a whole */
    {"top-level array", "[]", "config.json: expected a JSON object at the top level, got array"},
    {"top-level string", "'x'", "config.json: expected a JSON object at the top level, got string"},
    {"top-level number", "42", "config.json: expected a JSON object at the top level, got number"},
    {"top-level null", "null", "config.json: expected a JSON object at the top level, got null"},
    {"whitespace only", " \n\t ", "config.json: line 1: invalid JSON: parse error: premature EOF"},
    {"truncated document", "{\n'ociVersion':\n\n",
     "config.json: line 2: invalid JSON: parse error: premature EOF"},
    {"trailing garbage", "{" BASE "} x",
     "config.json: line 1: invalid JSON: parse error: trailing garbage"},
    {"two top-level values", "{" BASE "}\n{}",
     "config.json: line 2: invalid JSON: parse error: trailing garbage"},
    {"syntax error on line 3", "{\n'ociVersion': '1',\n'root': tru }",
     "config.json: line 3: invalid JSON: lexical error: invalid string in json text."},
    {"trailing comma", "{ 'a': [1,] }",
     "config.json: line 1: invalid JSON: parse error: unallowed token at this point in JSON text"},
    {"comments are not JSON", "{ /* c */ " BASE " }",
     "config.json: line 1: invalid JSON: lexical error: probable comment found in input text, "
     "comments are not enabled."},
    {"invalid UTF-8 in a string", "{ 'hostname': 'a\xff' }",
     "config.json: line 1: invalid JSON: lexical error: invalid bytes in UTF8 string."},
    {"truncated UTF-8 sequence", "{ 'hostname': '\xe2\x82' }",
     "config.json: line 1: invalid JSON: lexical error: invalid bytes in UTF8 string."},
    {"overlong UTF-8 encoding of '/'", WITH("'hostname': '\xc0\xaf'"),
     "config.json: hostname: string is not valid UTF-8"},
    {"overlong 3-byte UTF-8 encoding", WITH("'hostname': '\xe0\x80\xaf'"),
     "config.json: hostname: string is not valid UTF-8"},
    {"UTF-8 encoded surrogate", WITH("'process': { 'args': ['\xed\xa0\x80'], 'cwd': '/' }"),
     "config.json: process.args[0]: string is not valid UTF-8"},
    {"UTF-8 above U+10FFFF", WITH("'hostname': '\xf4\x90\x80\x80'"),
     "config.json: hostname: string is not valid UTF-8"},
    {"UTF-8 lead byte 0xf5", WITH("'hostname': '\xf5\x80\x80\x80'"),
     "config.json: hostname: string is not valid UTF-8"},
    {"lone low surrogate escape", WITH("'hostname': '\\udc00'"),
     "config.json: hostname: string is not valid UTF-8"},
    {"overlong UTF-8 in a key", WITH("'linux': { '\xc1\x81': 1 }"),
     "config.json: linux: key is not valid UTF-8"},
    {"invalid UTF-8 in a key", "{ 'a\xfe': 1 }",
     "config.json: line 1: invalid JSON: lexical error: invalid bytes in UTF8 string."},
    {"UTF-8 byte-order mark", "\xef\xbb\xbf{" BASE "}",
     "config.json: line 1: invalid JSON: lexical error: invalid char in json text."},
    {"raw control character in a string", "{ 'hostname': 'a\tb' }",
     "config.json: line 1: invalid JSON: lexical error: invalid character inside string."},
    {"leading zero", "{ 'a': 01 }",
     "config.json: line 1: invalid JSON: parse error: after key and value, inside map, "
     "I expect ',' or '}'"},
    {"NUL escape in a string", WITH("'hostname': 'a\\u0000b'"),
     "config.json: hostname: string contains a NUL byte"},
    {"NUL escape in an array element", PROC("'env': [ 'A=1', '\\u0000' ]"),
     "config.json: process.env[1]: string contains a NUL byte"},
    {"NUL escape in a key", WITH("'linux': { 'x\\u0000': 1 }"),
     "config.json: linux: key contains a NUL byte"},
    {"NUL escape in an ignored section", WITH("'linux': { 'a': ['\\u0000'] }"),
     "config.json: linux.a[0]: string contains a NUL byte"},

    /* duplicate keys */
    {"duplicate top-level key", "{ 'ociVersion': '1', 'ociVersion': '2', 'root': { 'path': 'r' } }",
     "config.json: duplicate key \"ociVersion\""},
    {"duplicate key in process", PROC("'cwd': '/tmp'"),
     "config.json: process: duplicate key \"cwd\""},
    {"duplicate key in an ignored section",
     WITH("'linux': { 'namespaces': [ { 'type': 'pid' }, { 'type': 'uts', 'type': 'ipc' } ] }"),
     "config.json: linux.namespaces[1]: duplicate key \"type\""},
    {"duplicate annotation, first duplicate reported",
     WITH("'annotations': { 'b': '1', 'a.b': '1', 'c': '1', 'a.b': '2', 'b': '2' }"),
     "config.json: annotations: duplicate key \"a.b\""},

    /* ociVersion, root */
    {"ociVersion missing", "{ 'root': { 'path': 'r' } }",
     "config.json: ociVersion: required field missing"},
    {"ociVersion is a number", "{ 'ociVersion': 1.0, 'root': { 'path': 'r' } }",
     "config.json: ociVersion: expected a string, got number"},
    {"ociVersion is null", "{ 'ociVersion': null, 'root': { 'path': 'r' } }",
     "config.json: ociVersion: expected a string, got null"},
    {"root missing", "{ 'ociVersion': '1' }", "config.json: root: required field missing"},
    {"root is a string", "{ 'ociVersion': '1', 'root': 'rootfs' }",
     "config.json: root: expected an object, got string"},
    {"root.path missing", "{ 'ociVersion': '1', 'root': { 'readonly': true } }",
     "config.json: root.path: required field missing"},
    {"root.path empty", "{ 'ociVersion': '1', 'root': { 'path': '' } }",
     "config.json: root.path: must be a non-empty string"},
    {"root.readonly is a string",
     "{ 'ociVersion': '1', 'root': { 'path': 'r', 'readonly': 'yes' } }",
     "config.json: root.readonly: expected a boolean, got string"},

    /* process */
    {"process is an array", WITH("'process': []"),
     "config.json: process: expected an object, got array"},
    {"process.args missing", WITH("'process': { 'cwd': '/' }"),
     "config.json: process.args: required field missing"},
    {"process.args empty", WITH("'process': { 'args': [], 'cwd': '/' }"),
     "config.json: process.args: must contain at least one element"},
    {"process.args is a string", WITH("'process': { 'args': 'sh', 'cwd': '/' }"),
     "config.json: process.args: expected an array, got string"},
    {"process.args null", WITH("'process': { 'args': null, 'cwd': '/' }"),
     "config.json: process.args: expected an array, got null"},
    {"process.args[0] empty", WITH("'process': { 'args': [''], 'cwd': '/' }"),
     "config.json: process.args[0]: must be a non-empty string"},
    {"process.args[0] is a number", WITH("'process': { 'args': [1], 'cwd': '/' }"),
     "config.json: process.args[0]: expected a string, got number"},
    {"process.args[2] is an object", WITH("'process': { 'args': ['a', 'b', {}], 'cwd': '/' }"),
     "config.json: process.args[2]: expected a string, got object"},
    {"process.env is an object", PROC("'env': {}"),
     "config.json: process.env: expected an array, got object"},
    {"process.env entry without =", PROC("'env': [ 'A=1', 'FOO' ]"),
     "config.json: process.env[1]: expected \"NAME=VALUE\", got \"FOO\""},
    {"process.env entry with empty name", PROC("'env': [ '=x' ]"),
     "config.json: process.env[0]: expected \"NAME=VALUE\", got \"=x\""},
    {"process.env entry quoted safely", PROC("'env': [ 'a\\u0001\\\\b\\'' ]"),
     "config.json: process.env[0]: expected \"NAME=VALUE\", got \"a\\x01\\\\b\\\"\""},
    {"process.env entry is a boolean", PROC("'env': [ true ]"),
     "config.json: process.env[0]: expected a string, got boolean"},
    {"process.cwd missing", WITH("'process': { 'args': ['sh'] }"),
     "config.json: process.cwd: required field missing"},
    {"process.cwd relative", WITH("'process': { 'args': ['sh'], 'cwd': 'tmp' }"),
     "config.json: process.cwd: must be an absolute path, got \"tmp\""},
    {"process.cwd empty", WITH("'process': { 'args': ['sh'], 'cwd': '' }"),
     "config.json: process.cwd: must be an absolute path, got \"\""},
    {"process.terminal is a number", PROC("'terminal': 1"),
     "config.json: process.terminal: expected a boolean, got number"},
    {"process.noNewPrivileges is a string", PROC("'noNewPrivileges': 'true'"),
     "config.json: process.noNewPrivileges: expected a boolean, got string"},

    /* process.user and integers */
    {"process.user is an array", PROC("'user': []"),
     "config.json: process.user: expected an object, got array"},
    {"uid 4294967296 overflows uint32", USER("'uid': 4294967296"),
     "config.json: process.user.uid: 4294967296 is out of range (maximum 4294967295)"},
    {"uid with 30 digits", USER("'uid': 123456789012345678901234567890"),
     "config.json: process.user.uid: 123456789012345678901234567890 is out of range "
     "(maximum 4294967295)"},
    {"negative uid", USER("'uid': -1"),
     "config.json: process.user.uid: expected a non-negative integer, got -1"},
    {"fractional uid", USER("'uid': 1.5"),
     "config.json: process.user.uid: expected an integer, got 1.5"},
    {"uid 1.0 is not an integer", USER("'uid': 1.0"),
     "config.json: process.user.uid: expected an integer, got 1.0"},
    {"uid with an exponent", USER("'uid': 1e3"),
     "config.json: process.user.uid: expected an integer, got 1e3"},
    {"uid is a string", USER("'uid': '0'"),
     "config.json: process.user.uid: expected a number, got string"},
    {"negative gid", USER("'gid': -5"),
     "config.json: process.user.gid: expected a non-negative integer, got -5"},
    {"additionalGids is a number", USER("'additionalGids': 5"),
     "config.json: process.user.additionalGids: expected an array, got number"},
    {"additionalGids[1] overflows", USER("'additionalGids': [1, 4294967296]"),
     "config.json: process.user.additionalGids[1]: 4294967296 is out of range "
     "(maximum 4294967295)"},
    {"additionalGids[0] is a string", USER("'additionalGids': ['wheel']"),
     "config.json: process.user.additionalGids[0]: expected a number, got string"},
    {"umask above 0777", USER("'umask': 512"),
     "config.json: process.user.umask: 512 is out of range (maximum 511)"},
    {"negative umask", USER("'umask': -18"),
     "config.json: process.user.umask: expected a non-negative integer, got -18"},

    /* process.rlimits */
    {"rlimits is an object", PROC("'rlimits': {}"),
     "config.json: process.rlimits: expected an array, got object"},
    {"rlimits[0] is a string", RLIM("'RLIMIT_NOFILE'"),
     "config.json: process.rlimits[0]: expected an object, got string"},
    {"unknown rlimit type",
     RLIM(NOFILE ", { 'type': 'RLIMIT_CPU', 'soft': 1, 'hard': 1 }, "
		 "{ 'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 1 }"),
     "config.json: process.rlimits[2].type: unknown rlimit \"RLIMIT_FOO\""},
    {"lowercase rlimit type", RLIM("{ 'type': 'rlimit_nofile', 'soft': 1, 'hard': 1 }"),
     "config.json: process.rlimits[0].type: unknown rlimit \"rlimit_nofile\""},
    {"rlimit type missing", RLIM("{ 'soft': 1, 'hard': 1 }"),
     "config.json: process.rlimits[0].type: required field missing"},
    {"rlimit type is a number", RLIM("{ 'type': 7, 'soft': 1, 'hard': 1 }"),
     "config.json: process.rlimits[0].type: expected a string, got number"},
    {"duplicate rlimit type",
     RLIM("{ 'type': 'RLIMIT_CORE', 'soft': 1, 'hard': 1 }, " NOFILE ", " NOFILE),
     "config.json: process.rlimits[2].type: duplicate rlimit \"RLIMIT_NOFILE\" "
     "(already set at index 1)"},
    {"rlimit soft missing", RLIM("{ 'type': 'RLIMIT_NOFILE', 'hard': 1 }"),
     "config.json: process.rlimits[0].soft: required field missing"},
    {"rlimit hard missing", RLIM("{ 'type': 'RLIMIT_NOFILE', 'soft': 1 }"),
     "config.json: process.rlimits[0].hard: required field missing"},
    {"rlimit hard null", RLIM("{ 'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': null }"),
     "config.json: process.rlimits[0].hard: expected a number, got null"},
    {"rlimit soft greater than hard", RLIM("{ 'type': 'RLIMIT_NOFILE', 'soft': 10, 'hard': 5 }"),
     "config.json: process.rlimits[0]: soft limit 10 is greater than hard limit 5"},
    {"rlimit 2^64 overflows uint64",
     RLIM("{ 'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 18446744073709551616 }"),
     "config.json: process.rlimits[0].hard: 18446744073709551616 is out of range "
     "(maximum 18446744073709551615)"},
    {"rlimit 10^20 overflows uint64",
     RLIM("{ 'type': 'RLIMIT_NOFILE', 'soft': 100000000000000000000, 'hard': 1 }"),
     "config.json: process.rlimits[0].soft: 100000000000000000000 is out of range "
     "(maximum 18446744073709551615)"},
    {"negative rlimit", RLIM("{ 'type': 'RLIMIT_NOFILE', 'soft': -1, 'hard': 1 }"),
     "config.json: process.rlimits[0].soft: expected a non-negative integer, got -1"},
    {"fractional rlimit", RLIM("{ 'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 2.5 }"),
     "config.json: process.rlimits[0].hard: expected an integer, got 2.5"},

    /* process.oomScoreAdj */
    {"oomScoreAdj 1001", PROC("'oomScoreAdj': 1001"),
     "config.json: process.oomScoreAdj: 1001 is out of range (-1000 to 1000)"},
    {"oomScoreAdj -1001", PROC("'oomScoreAdj': -1001"),
     "config.json: process.oomScoreAdj: -1001 is out of range (-1000 to 1000)"},
    {"oomScoreAdj beyond int64", PROC("'oomScoreAdj': -9223372036854775809"),
     "config.json: process.oomScoreAdj: -9223372036854775809 is out of range (-1000 to 1000)"},
    {"oomScoreAdj fractional", PROC("'oomScoreAdj': -2.5"),
     "config.json: process.oomScoreAdj: expected an integer, got -2.5"},
    {"oomScoreAdj is a string", PROC("'oomScoreAdj': '5'"),
     "config.json: process.oomScoreAdj: expected a number, got string"},

    /* hostname, domainname */
    {"hostname 65 bytes",
     WITH("'hostname': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"),
     "config.json: hostname: 65 bytes is longer than the 64-byte limit"},
    {"hostname is a number", WITH("'hostname': 5"),
     "config.json: hostname: expected a string, got number"},
    {"domainname 65 bytes",
     WITH("'domainname': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"),
     "config.json: domainname: 65 bytes is longer than the 64-byte limit"},
    {"domainname is an array", WITH("'domainname': []"),
     "config.json: domainname: expected a string, got array"},

    /* mounts */
    {"mounts is an object", WITH("'mounts': {}"),
     "config.json: mounts: expected an array, got object"},
    {"mounts[1] is a string", WITH("'mounts': [ { 'destination': '/a' }, '/b' ]"),
     "config.json: mounts[1]: expected an object, got string"},
    {"mount destination missing", MOUNT("'type': 'tmpfs'"),
     "config.json: mounts[1].destination: required field missing"},
    {"mount destination relative", MOUNT("'destination': 'proc'"),
     "config.json: mounts[1].destination: must be an absolute path, got \"proc\""},
    {"mount type is a number", MOUNT("'destination': '/x', 'type': 1"),
     "config.json: mounts[1].type: expected a string, got number"},
    {"mount source is a boolean", MOUNT("'destination': '/x', 'source': false"),
     "config.json: mounts[1].source: expected a string, got boolean"},
    {"mount options is a string", MOUNT("'destination': '/x', 'options': 'ro'"),
     "config.json: mounts[1].options: expected an array, got string"},
    {"mount options[1] is a number", MOUNT("'destination': '/x', 'options': ['ro', 1]"),
     "config.json: mounts[1].options[1]: expected a string, got number"},

    /* annotations */
    {"annotations is an array", WITH("'annotations': []"),
     "config.json: annotations: expected an object, got array"},
    {"annotation value is a number", WITH("'annotations': { 'org.example.key': 1 }"),
     "config.json: annotations[\"org.example.key\"]: expected a string, got number"},
    {"annotation with a plain key", WITH("'annotations': { 'a': 'x', 'b_c-d': {} }"),
     "config.json: annotations.b_c-d: expected a string, got object"},
    {"annotation key quoted safely", WITH("'annotations': { 'a\\'b\\\\': null }"),
     "config.json: annotations[\"a\\\"b\\\\\"]: expected a string, got null"},

    /* vm */
    {"vm is a string", WITH("'vm': 'qemu'"), "config.json: vm: expected an object, got string"},
    {"vm.kernel is an array", WITH("'vm': { 'kernel': [] }"),
     "config.json: vm.kernel: expected an object, got array"},
    {"vm.kernel.path missing", KERNEL("'initrd': '/i'"),
     "config.json: vm.kernel.path: required field missing"},
    {"vm.kernel.path empty", KERNEL("'path': ''"),
     "config.json: vm.kernel.path: must be a non-empty string"},
    {"vm.kernel.parameters[0] is a number", KERNEL("'path': '/k', 'parameters': [1]"),
     "config.json: vm.kernel.parameters[0]: expected a string, got number"},
    {"vm.kernel.initrd is an object", KERNEL("'path': '/k', 'initrd': {}"),
     "config.json: vm.kernel.initrd: expected a string, got object"},
};

static void test_error_table(struct tap *t)
{
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++)
		expect_error(t, error_cases[i].desc, error_cases[i].json, error_cases[i].want);
}

static void test_edge_inputs(struct tap *t)
{
	static const char nul_in_text[] = "{\"ociVersion\":\"1\",\0\"root\":{}}";
	autofree char *ok = sq("{" BASE "}");
	autospec struct spec *s = NULL;
	struct uerr err;
	int r;

	expect_error_buf(t, "empty input", "", 0, "config.json: empty input");
	expect_error_buf(t, "empty input with a NULL buffer", NULL, 0, "config.json: empty input");
	expect_error_buf(
	    t, "raw NUL byte between tokens", nul_in_text, sizeof(nul_in_text) - 1,
	    "config.json: line 1: invalid JSON: lexical error: invalid char in json text.");
	expect_error_buf(t, "valid prefix, input cut in the middle of a string", ok, 20,
			 "config.json: line 1: invalid JSON: parse error: premature EOF");
	memset(&err, 0, sizeof(err));
	r = spec_parse(ok, strlen(ok), "bundle/config.json", &s, &err);
	CHECK(t, r == 0 && s != NULL, "spec_parse with another name");
	spec_free(s);
	s = NULL;
	memset(&err, 0, sizeof(err));
	r = spec_parse("[]", 2, "my.json", &s, &err);
	CHECK(t,
	      r < 0 && strcmp(err.msg,
			      "my.json: expected a JSON object at the top level, got array") == 0,
	      "the name argument prefixes errors");
	spec_free(NULL);
	report(t, true, NULL, "spec_free(NULL) is a no-op");
	CHECK(t, spec_annotation(NULL, "a") == NULL, "spec_annotation(NULL, ...) is NULL");
}

/* ---- limits ---- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_repeat(struct sbuf *b, const char *s, size_t times)
{
	for (size_t i = 0; i < times; i++)
		sb_puts(b, s);
}

/* {BASE, "x": [[[...]]]} with `arrays` nested arrays, in a key the
 * parser ignores: the document nests arrays + 1 deep. */
static void nested(struct sbuf *b, size_t arrays)
{
	sb_puts(b, "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"x\":");
	sb_repeat(b, "[", arrays);
	sb_repeat(b, "]", arrays);
	sb_puts(b, "}");
}

static void test_depth(struct tap *t)
{
	struct sbuf b = {0};
	autospec struct spec *s = NULL;

	nested(&b, SPEC_MAX_DEPTH - 1);
	s = expect_ok_buf(t, "nesting of exactly SPEC_MAX_DEPTH (64) accepted", b.p, b.len);
	b.len = 0;
	nested(&b, SPEC_MAX_DEPTH);
	expect_error_like(t, "nesting of 65 rejected", b.p, b.len, "config.json: x[0][0]",
			  "[0]: nesting is deeper than 64 levels");
	b.len = 0;
	nested(&b, 10000);
	expect_error_like(t, "nesting of 10000 rejected without recursion", b.p, b.len,
			  "config.json: x[0]", ": nesting is deeper than 64 levels");
	b.len = 0;
	sb_repeat(&b, "{\"a\":", 10000);
	expect_error_like(t, "10000 nested objects rejected", b.p, b.len, "config.json: a.a.a.a",
			  ".a: nesting is deeper than 64 levels");
	b.len = 0;
	sb_repeat(&b, "[", 200000);
	expect_error_like(t, "200000 unclosed arrays rejected", b.p, b.len, "config.json: [0][0]",
			  ": nesting is deeper than 64 levels");
	free(b.p);
}

static void test_array_limit(struct tap *t)
{
	struct sbuf b = {0};
	autospec struct spec *s = NULL;

	sb_puts(&b, "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"linux\":{\"x\":[0");
	sb_repeat(&b, ",0", SPEC_MAX_ARRAY - 1);
	sb_puts(&b, "]}}");
	s = expect_ok_buf(t, "array of exactly SPEC_MAX_ARRAY (65536) elements accepted", b.p,
			  b.len);
	b.len = 0;
	sb_puts(&b, "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"linux\":{\"x\":[0");
	sb_repeat(&b, ",0", SPEC_MAX_ARRAY);
	sb_puts(&b, "]}}");
	expect_error_buf(t, "array of 65537 elements rejected", b.p, b.len,
			 "config.json: linux.x: array has more than 65536 elements");
	b.len = 0;
	sb_puts(&b, "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"linux\":{\"x\":[[]");
	sb_repeat(&b, ",{}", SPEC_MAX_ARRAY);
	sb_puts(&b, "]}}");
	expect_error_buf(t, "array of 65537 containers rejected", b.p, b.len,
			 "config.json: linux.x: array has more than 65536 elements");
	b.len = 0;
	sb_puts(&b, "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"annotations\":{");
	for (unsigned int i = 0; i <= SPEC_MAX_ARRAY; i++) {
		char kv[40];

		snprintf(kv, sizeof(kv), "%s\"k%u\":\"\"", i ? "," : "", i);
		sb_puts(&b, kv);
	}
	sb_puts(&b, "}}");
	expect_error_buf(t, "object of 65537 members rejected", b.p, b.len,
			 "config.json: annotations: object has more than 65536 members");
	b.len = 0;
	sb_puts(&b, "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"linux\":{");
	for (unsigned int i = 0; i < 50000; i++) {
		char kv[40];

		snprintf(kv, sizeof(kv), "\"k%u\":%u,", i, i);
		sb_puts(&b, kv);
	}
	sb_puts(&b, "\"k49999\":1}}");
	expect_error_buf(t, "duplicate key at the end of a 50001-member object", b.p, b.len,
			 "config.json: linux: duplicate key \"k49999\"");
	free(b.p);
}

static void test_string_limit(struct tap *t)
{
	struct sbuf b = {0};
	autospec struct spec *s = NULL;

	sb_puts(&b, "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"annotations\":{\"a\":\"");
	sb_repeat(&b, "x", SPEC_MAX_STRING);
	sb_puts(&b, "\"}}");
	s = expect_ok_buf(t, "string of exactly SPEC_MAX_STRING bytes accepted", b.p, b.len);
	CHECK(t, s != NULL && strlen(spec_annotation(s, "a")) == SPEC_MAX_STRING,
	      "string of SPEC_MAX_STRING bytes kept whole");
	b.len = 0;
	sb_puts(&b, "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"annotations\":{\"a\":\"");
	sb_repeat(&b, "x", SPEC_MAX_STRING + 1);
	sb_puts(&b, "\"}}");
	expect_error_buf(t, "string of SPEC_MAX_STRING + 1 bytes rejected", b.p, b.len,
			 "config.json: annotations.a: string is longer than 262144 bytes");
	b.len = 0;
	sb_puts(&b, "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"annotations\":{\"");
	sb_repeat(&b, "k", SPEC_MAX_STRING + 1);
	sb_puts(&b, "\":\"\"}}");
	expect_error_buf(t, "key of SPEC_MAX_STRING + 1 bytes rejected", b.p, b.len,
			 "config.json: annotations: key is longer than 262144 bytes");
	b.len = 0;
	sb_puts(&b, "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"linux\":{\"n\":");
	sb_repeat(&b, "9", SPEC_MAX_STRING + 1);
	sb_puts(&b, "}}");
	expect_error_buf(t, "number of SPEC_MAX_STRING + 1 digits rejected", b.p, b.len,
			 "config.json: linux.n: number is longer than 262144 bytes");
	b.len = 0;
	sb_puts(&b,
		"{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],"
		"\"cwd\":\"/\",\"user\":{\"uid\":");
	sb_repeat(&b, "9", 5000);
	sb_puts(&b, "}}}");
	expect_error_like(t, "5000-digit uid rejected with a short message", b.p, b.len,
			  "config.json: process.user.uid: 9999",
			  "9... is out of range (maximum 4294967295)");
	free(b.p);
}

/* ---- the hostile inputs of the issue, each with its exact message ---- */

/* "config.json: " + first + rest * times + ": " + tail */
static char *repeated_msg(const char *first, const char *rest, size_t times, const char *tail)
{
	struct sbuf b = {0};

	sb_puts(&b, "config.json: ");
	sb_puts(&b, first);
	sb_repeat(&b, rest, times);
	sb_puts(&b, ": ");
	sb_puts(&b, tail);
	return b.p;
}

static void test_hostile(struct tap *t, const char *dir)
{
	const size_t mb100 = 100u * 1024 * 1024;
	struct sbuf b = {0};
	autofree char *want_arrays =
	    repeated_msg("x", "[0]", SPEC_MAX_DEPTH - 1, "nesting is deeper than 64 levels");
	autofree char *want_objects =
	    repeated_msg("a", ".a", SPEC_MAX_DEPTH - 1, "nesting is deeper than 64 levels");
	autofree char *huge = calloc(mb100, 1); /* zero pages, never read */
	char path[4200], want[4400];
	struct spec *s = NULL;
	struct uerr err = {0};
	autoclose int fd = -1;
	int r;

	nested(&b, 10000);
	expect_error_buf(t, "10,000-deep arrays: exact message", b.p, b.len, want_arrays);
	b.len = 0;
	sb_repeat(&b, "{\"a\":", 10000);
	sb_puts(&b, "1");
	sb_repeat(&b, "}", 10000);
	expect_error_buf(t, "10,000-deep objects: exact message", b.p, b.len, want_objects);
	free(b.p);

	if (huge != NULL)
		expect_error_buf(
		    t, "100 MB buffer refused before parsing", huge, mb100,
		    "config.json: 104857600 bytes is larger than the 4194304-byte limit");
	snprintf(path, sizeof(path), "%s/huge.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	r = fd < 0 ? -1 : ftruncate(fd, (off_t)mb100); /* sparse */
	r = r < 0 ? r : spec_load(path, &s, &err);
	snprintf(want, sizeof(want), "%s: 104857600 bytes is larger than the 4194304-byte limit",
		 path);
	report(t, r < 0 && s == NULL && strcmp(err.msg, want) == 0, err.msg,
	       "spec_load refuses a 100 MB file without reading it");
	spec_free(s);
	unlink(path);
}

/* ---- spec_load ---- */

static int write_file(const char *path, const char *data, size_t len)
{
	autoclose int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* A valid config padded with spaces to exactly `size` bytes. */
static char *padded_config(size_t size)
{
	static const char head[] = "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"}";
	char *buf = malloc(size);

	if (buf == NULL)
		abort();
	memset(buf, ' ', size);
	memcpy(buf, head, sizeof(head) - 1);
	buf[size - 1] = '}';
	return buf;
}

static void test_load(struct tap *t, const char *dir)
{
	char path[4200], want[4400];
	autofree char *big = padded_config(SPEC_MAX_FILE_SIZE + 1);
	autofree char *good = sq(full_config);
	autospec struct spec *s = NULL;
	struct spec *tmp = NULL;
	struct uerr err;
	int r;

	snprintf(path, sizeof(path), "%s/config.json", dir);
	r = write_file(path, good, strlen(good));
	memset(&err, 0, sizeof(err));
	r = r < 0 ? r : spec_load(path, &s, &err);
	CHECK(t, r == 0 && s != NULL && streq(s->hostname, "runc"), "spec_load reads a file");

	snprintf(path, sizeof(path), "%s/max.json", dir);
	big[SPEC_MAX_FILE_SIZE - 1] = '}';
	r = write_file(path, big, SPEC_MAX_FILE_SIZE);
	memset(&err, 0, sizeof(err));
	r = r < 0 ? r : spec_load(path, &tmp, &err);
	CHECK(t, r == 0 && tmp != NULL, "spec_load accepts exactly SPEC_MAX_FILE_SIZE bytes");
	spec_free(tmp);
	tmp = NULL;

	snprintf(path, sizeof(path), "%s/big.json", dir);
	r = write_file(path, big, SPEC_MAX_FILE_SIZE + 1);
	memset(&err, 0, sizeof(err));
	r = r < 0 ? r : spec_load(path, &tmp, &err);
	snprintf(want, sizeof(want), "%s: 4194305 bytes is larger than the 4194304-byte limit",
		 path);
	report(t, r < 0 && tmp == NULL && strcmp(err.msg, want) == 0, err.msg,
	       "spec_load refuses a 4194305-byte file");

	memset(&err, 0, sizeof(err));
	r = spec_parse(big, SPEC_MAX_FILE_SIZE + 1, "config.json", &tmp, &err);
	report(t,
	       r < 0 && tmp == NULL &&
		   strcmp(err.msg, "config.json: 4194305 bytes is larger than the "
				   "4194304-byte limit") == 0,
	       err.msg, "spec_parse refuses a 4194305-byte buffer");

	memset(&err, 0, sizeof(err));
	r = spec_load("/dev/zero", &tmp, &err);
	report(t,
	       r < 0 && tmp == NULL &&
		   strcmp(err.msg, "/dev/zero: larger than the 4194304-byte limit") == 0,
	       err.msg, "spec_load stops reading an endless file at the limit");

	snprintf(path, sizeof(path), "%s/missing.json", dir);
	memset(&err, 0, sizeof(err));
	r = spec_load(path, &tmp, &err);
	snprintf(want, sizeof(want), "%s: open: No such file or directory", path);
	report(t, r < 0 && tmp == NULL && err.errnum == ENOENT && strcmp(err.msg, want) == 0,
	       err.msg, "spec_load on a missing file");

	memset(&err, 0, sizeof(err));
	r = spec_load(dir, &tmp, &err);
	report(t, r < 0 && tmp == NULL && err.errnum == EISDIR, err.msg,
	       "spec_load on a directory");

	snprintf(path, sizeof(path), "%s/empty.json", dir);
	r = write_file(path, "", 0);
	memset(&err, 0, sizeof(err));
	r = r < 0 ? r : spec_load(path, &tmp, &err);
	snprintf(want, sizeof(want), "%s: empty input", path);
	report(t, r < 0 && tmp == NULL && strcmp(err.msg, want) == 0, err.msg,
	       "spec_load on an empty file");

	snprintf(path, sizeof(path), "%s/bad.json", dir);
	r = write_file(path, "{\n\"ociVersion\": \"1\",\n]", 22);
	memset(&err, 0, sizeof(err));
	r = r < 0 ? r : spec_load(path, &tmp, &err);
	snprintf(want, sizeof(want),
		 "%s: line 3: invalid JSON: parse error: invalid object key "
		 "(must be a string)",
		 path);
	report(t, r < 0 && tmp == NULL && strcmp(err.msg, want) == 0, err.msg,
	       "spec_load names the file and line of a syntax error");
}

static void remove_dir(const char *dir)
{
	static const char *const names[] = {"config.json", "max.json", "big.json",
					    "empty.json",  "bad.json", NULL};
	char path[4200];

	for (size_t i = 0; names[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* Every prefix of a valid config must fail cleanly (no crash, no leak,
 * a message), and the whole must succeed. */
static void test_prefixes(struct tap *t)
{
	autofree char *json = sq(full_config);
	size_t len = strlen(json);
	size_t bad = 0, trailing_ws = 0;

	while (trailing_ws < len && strchr(" \n", json[len - 1 - trailing_ws]) != NULL)
		trailing_ws++;
	for (size_t n = 0; n < len - trailing_ws; n++) {
		struct spec *s = NULL;
		struct uerr err = {0};

		if (spec_parse(json, n, "config.json", &s, &err) == 0 || s != NULL ||
		    strncmp(err.msg, "config.json: ", 13) != 0)
			bad++;
		spec_free(s);
	}
	CHECK(t, bad == 0, "every truncation of the full config fails with a message");
}

int main(void)
{
	struct tap t = {0};
	char dir[] = "/tmp/test-spec.XXXXXX";

	test_full_config(&t);
	test_minimal(&t);
	test_process_defaults(&t);
	test_nulls(&t);
	test_umask_and_oom(&t);
	test_error_table(&t);
	test_edge_inputs(&t);
	test_depth(&t);
	test_array_limit(&t);
	test_string_limit(&t);
	test_prefixes(&t);
	if (mkdtemp(dir) == NULL) {
		report(&t, false, strerror(errno), "mkdtemp");
	} else {
		test_load(&t, dir);
		test_hostile(&t, dir);
		remove_dir(dir);
	}
	return tap_finish(&t);
}
