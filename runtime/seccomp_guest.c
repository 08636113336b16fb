/* seccomp_guest.c: linux.seccomp -> libseccomp filter -> classic BPF in a
 * memfd -> bytes for the agent (see seccomp_guest.h). Rule semantics
 * follow runc: errnoRet defaults to EPERM, rules whose action is the
 * default action are dropped, conditions on distinct arguments are ANDed
 * in one rule, several conditions on the same argument make one rule each. */
#define _GNU_SOURCE
#include "seccomp_guest.h"

#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

#define AT "linux.seccomp"
/* The kernel's BPF_MAXINSNS. */
#define MAX_INSNS 4096

static void cleanup_ctx(scmp_filter_ctx *ctx)
{
	if (*ctx != NULL)
		seccomp_release(*ctx);
}

/* The libseccomp action for a spec action; -1 with err for the refused. */
static int action_of(enum spec_seccomp_action a, const struct spec_u64 *errno_ret, const char *at,
		     uint32_t *out, struct uerr *err)
{
	uint32_t data = errno_ret->set ? (uint32_t)errno_ret->value : EPERM;

	switch (a) {
	case SPEC_SCMP_ACT_KILL:
	case SPEC_SCMP_ACT_KILL_THREAD:
		*out = SCMP_ACT_KILL_THREAD;
		return 0;
	case SPEC_SCMP_ACT_KILL_PROCESS:
		*out = SCMP_ACT_KILL_PROCESS;
		return 0;
	case SPEC_SCMP_ACT_TRAP:
		*out = SCMP_ACT_TRAP;
		return 0;
	case SPEC_SCMP_ACT_ERRNO:
		*out = SCMP_ACT_ERRNO(data);
		return 0;
	case SPEC_SCMP_ACT_TRACE: /* no tracer in the guest: the call fails with ENOSYS */
		*out = SCMP_ACT_TRACE(data);
		return 0;
	case SPEC_SCMP_ACT_ALLOW:
		*out = SCMP_ACT_ALLOW;
		return 0;
	case SPEC_SCMP_ACT_LOG:
		*out = SCMP_ACT_LOG;
		return 0;
	case SPEC_SCMP_ACT_NOTIFY:
		break;
	}
	return uerr_set(err, 0,
			"config.json: %s: SCMP_ACT_NOTIFY is not supported: no seccomp agent can "
			"reach the guest",
			at);
}

static enum scmp_compare op_of(enum spec_seccomp_op op)
{
	switch (op) {
	case SPEC_SCMP_CMP_NE:
		return SCMP_CMP_NE;
	case SPEC_SCMP_CMP_LT:
		return SCMP_CMP_LT;
	case SPEC_SCMP_CMP_LE:
		return SCMP_CMP_LE;
	case SPEC_SCMP_CMP_EQ:
		return SCMP_CMP_EQ;
	case SPEC_SCMP_CMP_GE:
		return SCMP_CMP_GE;
	case SPEC_SCMP_CMP_GT:
		return SCMP_CMP_GT;
	case SPEC_SCMP_CMP_MASKED_EQ:
		break;
	}
	return SCMP_CMP_MASKED_EQ;
}

static bool same_index_twice(const struct spec_seccomp_syscall *s)
{
	for (size_t i = 0; i < s->n_args; i++)
		for (size_t j = i + 1; j < s->n_args; j++)
			if (s->args[i].index == s->args[j].index)
				return true;
	return false;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr,
		    const struct spec_seccomp_arg *args, size_t n, const char *name, size_t idx,
		    struct uerr *err)
{
	struct scmp_arg_cmp cmp[6];
	int r;

	for (size_t i = 0; i < n; i++)
		cmp[i] = (struct scmp_arg_cmp){.arg = args[i].index,
					       .op = op_of(args[i].op),
					       .datum_a = args[i].value,
					       .datum_b = args[i].value_two};
	r = seccomp_rule_add_array(ctx, action, nr, (unsigned int)n, cmp);
	if (r < 0)
		return uerr_set(err, -r, "config.json: " AT ".syscalls[%zu]: \"%s\"", idx, name);
	return 0;
}

static int add_syscall(scmp_filter_ctx ctx, uint32_t def, const struct spec_seccomp_syscall *s,
		       size_t idx, struct uerr *err)
{
	char at[64];
	uint32_t action;
	bool split = same_index_twice(s);

	snprintf(at, sizeof(at), AT ".syscalls[%zu].action", idx);
	if (action_of(s->action, &s->errno_ret, at, &action, err) < 0)
		return -1;
	if (action == def)
		return 0;
	for (size_t i = 0; i < s->n_names; i++) {
		int nr = seccomp_syscall_resolve_name(s->names[i]);

		if (nr == __NR_SCMP_ERROR)
			continue; /* unknown to this libseccomp: skipped, as runc does */
		if (s->n_args == 0 || !split) {
			if (add_rule(ctx, action, nr, s->args, s->n_args, s->names[i], idx, err) <
			    0)
				return -1;
			continue;
		}
		for (size_t j = 0; j < s->n_args; j++)
			if (add_rule(ctx, action, nr, &s->args[j], 1, s->names[i], idx, err) < 0)
				return -1;
	}
	return 0;
}

static int filter_flags(const struct spec_seccomp *sc, uint32_t *flags)
{
	*flags = 0;
	for (size_t i = 0; i < sc->n_flags; i++) {
		if (strcmp(sc->flags[i], "SECCOMP_FILTER_FLAG_LOG") == 0)
			*flags |= SECCOMP_FILTER_FLAG_LOG;
		else if (strcmp(sc->flags[i], "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			*flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		/* TSYNC: every guest process gets the filter before exec, single
		 * threaded; WAIT_KILLABLE_RECV: only with a listener */
	}
	return 0;
}

/* Exports ctx's BPF through a memfd into bpf. */
static int export_bpf(scmp_filter_ctx ctx, struct pbuf *bpf, struct uerr *err)
{
	autoclose int fd = memfd_create("umlrun-seccomp", MFD_CLOEXEC);
	struct stat st;
	size_t done = 0;
	int r;

	if (fd < 0)
		return uerr_set(err, errno, "memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return uerr_set(err, -r, "config.json: " AT ": exporting the filter");
	if (fstat(fd, &st) < 0)
		return uerr_set(err, errno, "fstat");
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0)
		return uerr_set(err, 0, "config.json: " AT ": libseccomp exported %lld bytes",
				(long long)st.st_size);
	if ((size_t)st.st_size / sizeof(struct sock_filter) > MAX_INSNS)
		return uerr_set(
		    err, 0,
		    "config.json: " AT
		    ": the filter compiles to %zu BPF instructions, more than the kernel's %d",
		    (size_t)st.st_size / sizeof(struct sock_filter), MAX_INSNS);
	if (pbuf_reserve(bpf, (size_t)st.st_size) < 0)
		return uerr_set(err, errno, "malloc");
	while (done < (size_t)st.st_size) {
		ssize_t n =
		    pread(fd, bpf->data + bpf->len + done, (size_t)st.st_size - done, (off_t)done);

		if (n <= 0)
			return uerr_set(err, n < 0 ? errno : EIO, "reading the exported filter");
		done += (size_t)n;
	}
	bpf->len += done;
	return 0;
}

int seccomp_guest_compile(const struct spec_seccomp *sc, struct pbuf *bpf, uint32_t *flags,
			  struct uerr *err)
{
	__attribute__((cleanup(cleanup_ctx))) scmp_filter_ctx ctx = NULL;
	uint32_t def;

	if (sc->listener_path != NULL)
		return uerr_set(
		    err, 0,
		    "config.json: " AT
		    ".listenerPath: not supported: no seccomp agent can reach the guest");
	if (action_of(sc->default_action, &sc->default_errno_ret, AT ".defaultAction", &def, err) <
	    0)
		return -1;
	ctx = seccomp_init(def);
	if (ctx == NULL)
		return uerr_set(err, ENOMEM, "seccomp_init");
	/* no_new_privs is the agent's to set (process.noNewPrivileges) */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0)
		return uerr_set(err, 0, "seccomp_attr_set");
	for (size_t i = 0; i < sc->n_syscalls; i++)
		if (add_syscall(ctx, def, &sc->syscalls[i], i, err) < 0)
			return -1;
	filter_flags(sc, flags);
	return export_bpf(ctx, bpf, err);
}
