/* test-guestcfg.c: unit tests of what the host prepares for the guest from
 * config.json: mount options split by libmount (mountopts.c), the guest's
 * memory and kernel parameters (vmparams.c), the seccomp program
 * (seccomp_guest.c) and the refusals of agentcfg.c, each naming its path. */
#include <linux/filter.h>
#include <string.h>
#include <sys/mount.h>

#include "../../runtime/agentcfg.h"
#include "../../runtime/mountopts.h"
#include "../../runtime/seccomp_guest.h"
#include "../../runtime/vmparams.h"
#include "tap.h"

static void test_mountopts(struct tap *t)
{
	struct uerr err = {0};
	struct mountopts o;
	char *tmp[] = {"rw",	   "rprivate", "nosuid", "nodev",     "tmpcopyup",
		       "size=64m", "x-foo",    "noexec", "mode=1777", NULL};
	char *bind[] = {"rbind", "ro", NULL};
	char *pts[] = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "gid=5", NULL};
	char *bad[] = {"ro", "size=1m,mode=700", NULL};

	TAP_OK(t, mountopts_parse(tmp, "mounts[0]", &o, &err) == 0, "tmpfs options parse: %s",
	       err.msg);
	TAP_OK(t, o.flags == (MS_NOSUID | MS_NODEV | MS_NOEXEC), "flags %#lx", o.flags);
	TAP_OK(t, o.propagation == (MS_PRIVATE | MS_REC), "rprivate is propagation %#lx",
	       o.propagation);
	TAP_OK(t, !o.bind, "not a bind mount");
	TAP_OK(t, o.data && strcmp(o.data, "size=64m,mode=1777") == 0,
	       "data keeps fs options, drops tmpcopyup and x-*: %s", o.data ? o.data : "(null)");
	mountopts_free(&o);

	TAP_OK(t,
	       mountopts_parse(bind, "mounts[1]", &o, &err) == 0 && o.bind &&
		   o.flags == MS_RDONLY && o.data == NULL,
	       "rbind,ro: bind, read-only");
	mountopts_free(&o);
	TAP_OK(t,
	       mountopts_parse(pts, "mounts[2]", &o, &err) == 0 &&
		   o.flags == (MS_NOSUID | MS_NOEXEC) && o.data &&
		   strcmp(o.data, "newinstance,ptmxmode=0666,gid=5") == 0,
	       "devpts options");
	mountopts_free(&o);
	TAP_OK(t, mountopts_parse(NULL, "mounts[3]", &o, &err) == 0 && o.flags == 0 && !o.data,
	       "no options");
	TAP_OK(t,
	       mountopts_parse(bad, "config.json: mounts[4]", &o, &err) < 0 &&
		   strstr(err.msg, "config.json: mounts[4].options[1]: \"size=1m,mode=700\""),
	       "a comma inside one option is refused: %s", err.msg);
}

static struct spec *parse(const char *json)
{
	struct spec *s = NULL;
	struct uerr err = {0};

	if (spec_parse(json, strlen(json), "config.json", &s, &err) < 0) {
		printf("# parse failed: %s\n", err.msg);
		return NULL;
	}
	return s;
}

#define PROC                                                                                       \
	"\"process\": {\"args\": [\"true\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": "     \
	"0}}, \"root\": {\"path\": \"rootfs\"}"

static void test_vmparams(struct tap *t)
{
	struct uerr err = {0};
	const char *const *params = NULL;
	unsigned long mib = 0;
	struct spec *s;

	s = parse("{\"ociVersion\": \"1.0.2\", " PROC
		  ", \"linux\": {\"resources\": {\"memory\": {\"limit\": 134742016}}}}");
	TAP_OK(t, s && vmparams_mem_mib(s, 64, &mib, &err) == 0 && mib == 128,
	       "128.5 MiB rounds down to 128: %lu", mib);
	spec_free(s);
	s = parse("{\"ociVersion\": \"1.0.2\", " PROC
		  ", \"linux\": {\"resources\": {\"memory\": {\"limit\": 1048576}}}}");
	TAP_OK(t, s && vmparams_mem_mib(s, 64, &mib, &err) == 0 && mib == VMPARAMS_MIN_MEM_MIB,
	       "1 MiB is raised to the minimum: %lu", mib);
	spec_free(s);
	s = parse("{\"ociVersion\": \"1.0.2\", " PROC
		  ", \"linux\": {\"resources\": {\"memory\": {\"limit\": -1}}}}");
	TAP_OK(t, s && vmparams_mem_mib(s, 64, &mib, &err) == 0 && mib == 64, "-1: the default");
	spec_free(s);

	s = parse("{\"ociVersion\": \"1.0.2\", " PROC
		  ", \"vm\": {\"kernel\": {\"path\": \"k\", \"parameters\": [\"quiet\", "
		  "\"loglevel=3\"]}}}");
	TAP_OK(t,
	       s && vmparams_check(s, &params, &err) == 0 && params &&
		   strcmp(params[1], "loglevel=3") == 0 && params[2] == NULL,
	       "harmless parameters pass");
	spec_free(s);
	const char *refused[] = {"con0=fd:0,fd:1",
				 "ssl1=pts",
				 "hostfs=/",
				 "ubd0=/etc/shadow",
				 "vec0:transport=tap",
				 "umid=x",
				 "uml_dir=/tmp",
				 "mem=1G",
				 "initrd=/x",
				 "rdinit=/bin/sh",
				 "init=/bin/sh",
				 "console=ttyS0",
				 "a b",
				 "--help"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char json[512];

		snprintf(json, sizeof(json),
			 "{\"ociVersion\": \"1.0.2\", " PROC
			 ", \"vm\": {\"kernel\": {\"path\": \"k\", \"parameters\": [\"quiet\", "
			 "\"%s\"]}}}",
			 refused[i]);
		s = parse(json);
		err.msg[0] = '\0';
		TAP_OK(t,
		       s && vmparams_check(s, &params, &err) < 0 &&
			   strstr(err.msg, "config.json: vm.kernel.parameters[1]: \"") &&
			   strstr(err.msg, refused[i]),
		       "refused: %s", err.msg);
		spec_free(s);
	}
	s = parse("{\"ociVersion\": \"1.0.2\", " PROC
		  ", \"vm\": {\"kernel\": {\"path\": \"k\", \"initrd\": \"i.cpio\"}}}");
	TAP_OK(t,
	       s && vmparams_check(s, &params, &err) < 0 &&
		   strcmp(err.msg, "config.json: vm.kernel.initrd: a custom initrd is not "
				   "supported: umlrun's agent is the initrd") == 0,
	       "vm.kernel.initrd is refused: %s", err.msg);
	spec_free(s);
}

static int build(const char *json, struct pbuf *out, struct uerr *err)
{
	struct spec *s = parse(json);
	int r;

	if (s == NULL)
		return -2;
	r = agentcfg_build(s, NULL, out, err);
	spec_free(s);
	return r;
}

static int has_tag(const struct pbuf *b, uint16_t want, uint32_t *len)
{
	size_t pos = 0;
	uint16_t tag;
	const uint8_t *d;
	uint32_t l;

	while (proto_tlv_next(b->data, b->len, &pos, &tag, &d, &l) > 0)
		if (tag == want) {
			if (len)
				*len = l;
			return 1;
		}
	return 0;
}

static void test_agentcfg(struct tap *t)
{
	struct uerr err = {0};
	struct pbuf b = {0};
	uint32_t len = 0;

	TAP_OK(
	    t,
	    build(
		"{\"ociVersion\": \"1.0.2\", " PROC
		", \"mounts\": [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": "
		"\"/srv\", \"options\": [\"rbind\"]},"
		" {\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"size=1m\"]}],"
		" \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		" {\"names\": [\"mkdir\", \"mkdirat\", \"no_such_call\"], \"action\": "
		"\"SCMP_ACT_ERRNO\", \"errnoRet\": 38}]},"
		" \"resources\": {\"pids\": {\"limit\": 20}}, \"sysctl\": {\"kernel.shmmax\": "
		"\"1\"}}}",
		&b, &err) == 0,
	    "a config with mounts, seccomp, pids and sysctl builds: %s", err.msg);
	TAP_OK(t, has_tag(&b, T_MOUNT, NULL), "the tmpfs mount is sent");
	TAP_OK(t, has_tag(&b, T_SECCOMP, &len) && len % sizeof(struct sock_filter) == 0 && len > 0,
	       "a BPF program is sent (%u bytes)", len);
	TAP_OK(t, has_tag(&b, T_PIDS_MAX, NULL) && has_tag(&b, T_SYSCTL, NULL), "pids and sysctl");
	pbuf_free(&b);
	b = (struct pbuf){0};

	TAP_OK(t,
	       build("{\"ociVersion\": \"1.0.2\", " PROC
		     ", \"mounts\": [{\"destination\": \"/m\", \"type\": \"ext4\", \"source\": "
		     "\"/dev/sda\"}]}",
		     &b, &err) < 0 &&
		   strstr(err.msg, "config.json: mounts[0].type: \"ext4\": not supported"),
	       "ext4 is refused: %s", err.msg);
	pbuf_free(&b);
	b = (struct pbuf){0};
	TAP_OK(t,
	       build("{\"ociVersion\": \"1.0.2\", " PROC
		     ", \"linux\": {\"sysctl\": {\"kernel/../../x\": \"1\"}}}",
		     &b, &err) < 0 &&
		   strstr(err.msg, "config.json: linux.sysctl: \"kernel/../../x\""),
	       "a sysctl name with .. is refused: %s", err.msg);
	pbuf_free(&b);
	b = (struct pbuf){0};
	TAP_OK(t,
	       build("{\"ociVersion\": \"1.0.2\", " PROC
		     ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", "
		     "\"listenerPath\": \"/run/agent.sock\"}}}",
		     &b, &err) < 0 &&
		   strstr(err.msg, "config.json: linux.seccomp.listenerPath"),
	       "a seccomp listener is refused: %s", err.msg);
	pbuf_free(&b);
}

/* The configs runc, crun and podman write build for the guest as they are. */
static void test_real_configs(struct tap *t)
{
	static const char *const files[] = {
	    "runc-default.json",   "runc-rootless.json", "crun-default.json",  "crun-rootless.json",
	    "podman-default.json", "podman-like.json",	 "podman-options.json"};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4096];
		struct spec *s = NULL;
		struct uerr err = {0};
		struct pbuf b = {0};
		const char *const *params;
		unsigned long mib;

		snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/spec/%s", UMLRUN_SRCDIR,
			 files[i]);
		TAP_OK(t,
		       spec_load(path, &s, &err) == 0 && agentcfg_build(s, NULL, &b, &err) == 0 &&
			   vmparams_mem_mib(s, 64, &mib, &err) == 0 &&
			   vmparams_check(s, &params, &err) == 0,
		       "%s builds for the guest: %s", files[i], err.msg);
		if (s && strncmp(files[i], "podman", 6) == 0)
			TAP_OK(t, has_tag(&b, T_SECCOMP, NULL), "%s: its seccomp profile compiles",
			       files[i]);
		pbuf_free(&b);
		spec_free(s);
	}
}

int main(void)
{
	struct tap t = {0};

	test_mountopts(&t);
	test_vmparams(&t);
	test_agentcfg(&t);
	test_real_configs(&t);
	return tap_done(&t);
}
