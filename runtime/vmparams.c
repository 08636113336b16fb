/* vmparams.c: the guest kernel's memory and extra parameters from
 * config.json (see vmparams.h). */
#include "vmparams.h"

#include <stdbool.h>
#include <string.h>

int vmparams_mem_mib(const struct spec *s, unsigned long def_mib, unsigned long *mib,
		     struct uerr *err)
{
	const struct spec_i64 *limit = &s->linux_.resources.memory.limit;
	uint64_t m;

	*mib = def_mib;
	if (!s->has_linux || !s->linux_.has_resources || !s->linux_.resources.has_memory ||
	    !limit->set || limit->value == -1)
		return 0;
	if (limit->value < 0)
		return uerr_set(
		    err, 0,
		    "config.json: linux.resources.memory.limit: %lld: must be -1 or a byte count",
		    (long long)limit->value);
	m = (uint64_t)limit->value / (1024 * 1024);
	if (m > VMPARAMS_MAX_MEM_MIB)
		return uerr_set(err, 0,
				"config.json: linux.resources.memory.limit: %lld bytes: the guest "
				"can have at most %lu MiB",
				(long long)limit->value, VMPARAMS_MAX_MEM_MIB);
	*mib = m < VMPARAMS_MIN_MEM_MIB ? VMPARAMS_MIN_MEM_MIB : (unsigned long)m;
	return 0;
}

/* Parameter names (the part before "=") that umlrun's sandbox owns: a name
 * ending in '*' is a prefix. */
static const struct {
	const char *name;
	const char *why;
} reserved[] = {
    {"con*", "the consoles are umlrun's"},
    {"ssl*", "the serial lines carry umlrun's agent protocol"},
    {"xterm", "the consoles are umlrun's"},
    {"stderr", "kernel messages go to umlrun's log"},
    {"mconsole*", "the management console is umlrun's"},
    {"hostfs", "the root filesystem is umlrun's"},
    {"ubd*", "host files cannot be attached as disks"},
    {"fake_ide", "host files cannot be attached as disks"},
    {"vec*", "network interfaces are umlrun's"},
    {"eth*", "network interfaces are umlrun's"},
    {"iomem", "host files cannot be mapped into the guest"},
    {"virtio_uml*", "host sockets cannot be attached as devices"},
    {"umid", "the sandbox's identity is umlrun's"},
    {"uml_dir", "the sandbox's runtime directory is umlrun's"},
    {"mem", "use linux.resources.memory.limit"},
    {"initrd", "umlrun's agent is the initrd"},
    {"rdinit", "umlrun's agent is the guest's init"},
    {"init", "umlrun's agent is the guest's init"},
    {"root*", "the root filesystem is umlrun's"},
    {"time-travel*", "the guest's clock is the host's"},
};

static const char *reserved_why(const char *p)
{
	size_t name_len = strcspn(p, "=");

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		const char *n = reserved[i].name;
		size_t len = strlen(n);
		bool prefix = n[len - 1] == '*';

		if (prefix ? strncmp(p, n, len - 1) == 0
			   : (name_len == len && strncmp(p, n, len) == 0))
			return reserved[i].why;
	}
	return NULL;
}

static int check_param(const char *p, size_t i, struct uerr *err)
{
	const char *why;

	if (p[0] == '\0' || p[0] == '-' || p[0] == '=')
		return uerr_set(
		    err, 0,
		    "config.json: vm.kernel.parameters[%zu]: \"%s\": not a kernel parameter", i, p);
	for (const unsigned char *c = (const unsigned char *)p; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			return uerr_set(err, 0,
					"config.json: vm.kernel.parameters[%zu]: \"%s\": "
					"whitespace or control characters would split it",
					i, p);
	why = reserved_why(p);
	if (why != NULL)
		return uerr_set(err, 0,
				"config.json: vm.kernel.parameters[%zu]: \"%s\": not allowed, it "
				"would break the sandbox (%s)",
				i, p, why);
	return 0;
}

int vmparams_check(const struct spec *s, const char *const **params, struct uerr *err)
{
	size_t total = 0;

	*params = NULL;
	if (s->has_vm_hypervisor)
		return uerr_set(err, 0,
				"config.json: vm.hypervisor: not supported: umlrun's hypervisor is "
				"the UML kernel itself (vm.kernel.path)");
	if (s->has_vm_image)
		return uerr_set(
		    err, 0, "config.json: vm.image: not supported: the guest's root is root.path");
	if (!s->has_vm_kernel)
		return 0;
	if (s->vm_kernel.initrd != NULL)
		return uerr_set(err, 0,
				"config.json: vm.kernel.initrd: a custom initrd is not supported: "
				"umlrun's agent is the initrd");
	if (s->vm_kernel.n_parameters > VMPARAMS_MAX_PARAMS)
		return uerr_set(err, 0,
				"config.json: vm.kernel.parameters: more than %d parameters",
				VMPARAMS_MAX_PARAMS);
	for (size_t i = 0; i < s->vm_kernel.n_parameters; i++) {
		if (check_param(s->vm_kernel.parameters[i], i, err) < 0)
			return -1;
		total += strlen(s->vm_kernel.parameters[i]) + 1;
	}
	if (total > VMPARAMS_MAX_PARAMS_LEN)
		return uerr_set(err, 0, "config.json: vm.kernel.parameters: longer than %d bytes",
				VMPARAMS_MAX_PARAMS_LEN);
	if (s->vm_kernel.n_parameters > 0)
		*params = (const char *const *)s->vm_kernel.parameters;
	return 0;
}
