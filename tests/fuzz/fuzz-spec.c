/* fuzz-spec.c: libFuzzer entry point for spec_parse(). Every input must
 * either parse or fail with a "config.json: " message; never crash, leak
 * or hang. Build from the top of the tree with
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *     tests/fuzz/fuzz-spec.c spec/config.c spec/json.c runtime/error.c -lyajl
 * and run it on a copy of the seeds in tests/fuzz/spec-corpus/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec *s = NULL;
	struct uerr err = {0};
	int r = spec_parse((const char *)data, size, "config.json", &s, &err);

	if (r == 0 && s == NULL)
		abort();
	if (r < 0 && (s != NULL || strncmp(err.msg, "config.json: ", 13) != 0))
		abort();
	if (r == 0)
		(void)spec_annotation(s, "org.opencontainers.image.os");
	spec_free(s);
	return 0;
}
