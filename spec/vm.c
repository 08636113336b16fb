/* vm.c: config.json's "vm": kernel {path, parameters, initrd},
 * hypervisor {path (absolute), parameters} and image {path (absolute),
 * format (raw, qcow2, vdi, vmdk, vhd)}. vm.kernel.path may be relative
 * (to the bundle), an umlrun extension of the runtime-spec. */
#include "sections.h"

#include <stdlib.h>

static const char *const image_formats[] = {"raw", "qcow2", "vdi", "vmdk", "vhd"};

void spec_vm_free(struct spec *s)
{
	spec_strv_free(s->vm_kernel.parameters);
	free(s->vm_kernel.path);
	free(s->vm_kernel.initrd);
	free(s->vm_hypervisor.path);
	spec_strv_free(s->vm_hypervisor.parameters);
	free(s->vm_image.path);
	free(s->vm_image.format);
}

static int walk_kernel(struct walk *w, const struct json_loc *vm_at, const struct json_value *vm,
		       struct spec *s)
{
	const struct json_loc *at = AT_KEY(vm_at, "kernel");
	struct spec_vm_kernel *k = &s->vm_kernel;
	const struct json_value *obj;
	int r = walk_object_field(w, vm_at, vm, "kernel", false, &obj);

	if (r <= 0)
		return r;
	s->has_vm_kernel = true;
	if (walk_string_field(w, at, obj, "path", true, &k->path) < 0 ||
	    walk_check_nonempty(w, AT_KEY(at, "path"), k->path) < 0)
		return -1;
	if (walk_strv_field(w, at, obj, "parameters", false, &k->parameters, &k->n_parameters) < 0)
		return -1;
	return walk_string_field(w, at, obj, "initrd", false, &k->initrd);
}

static int walk_hypervisor(struct walk *w, const struct json_loc *vm_at,
			   const struct json_value *vm, struct spec *s)
{
	const struct json_loc *at = AT_KEY(vm_at, "hypervisor");
	struct spec_vm_hypervisor *h = &s->vm_hypervisor;
	const struct json_value *obj;
	int r = walk_object_field(w, vm_at, vm, "hypervisor", false, &obj);

	if (r <= 0)
		return r;
	s->has_vm_hypervisor = true;
	if (walk_string_field(w, at, obj, "path", true, &h->path) < 0 ||
	    walk_check_absolute(w, AT_KEY(at, "path"), h->path) < 0)
		return -1;
	return walk_strv_field(w, at, obj, "parameters", false, &h->parameters, &h->n_parameters);
}

static int walk_image(struct walk *w, const struct json_loc *vm_at, const struct json_value *vm,
		      struct spec *s)
{
	const struct json_loc *at = AT_KEY(vm_at, "image");
	struct spec_vm_image *img = &s->vm_image;
	const struct json_value *obj;
	int r = walk_object_field(w, vm_at, vm, "image", false, &obj);

	if (r <= 0)
		return r;
	s->has_vm_image = true;
	if (walk_string_field(w, at, obj, "path", true, &img->path) < 0 ||
	    walk_check_absolute(w, AT_KEY(at, "path"), img->path) < 0 ||
	    walk_string_field(w, at, obj, "format", true, &img->format) < 0)
		return -1;
	return walk_name(w, AT_KEY(at, "format"), img->format, image_formats,
			 sizeof(image_formats) / sizeof(image_formats[0]), "image format") < 0
		   ? -1
		   : 0;
}

int walk_vm(struct walk *w, const struct json_value *top, struct spec *s)
{
	const struct json_loc *at = AT_KEY(NULL, "vm");
	const struct json_value *vm;
	int r = walk_object_field(w, NULL, top, "vm", false, &vm);

	if (r <= 0)
		return r;
	if (walk_kernel(w, at, vm, s) < 0 || walk_hypervisor(w, at, vm, s) < 0 ||
	    walk_image(w, at, vm, s) < 0)
		return -1;
	return 0;
}
