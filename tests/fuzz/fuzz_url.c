/* URLs written down by runyard (core/base/url.c): credentials stripped. */
#include "fuzz.h"

#include "base/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = fuzz_cstr(data, size);
	free(ry_url_strip_credentials(text));
	free(text);
	return 0;
}
