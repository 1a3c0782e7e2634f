/* The config file (core/base/config.c): parse, then read every entry back. */
#include "fuzz.h"

#include "base/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	ry_config *c = NULL;
	if (ry_config_parse(&c, text, "fuzz.conf") == 0) {
		for (size_t i = 0; i < ry_config_nsections(c); i++) {
			const char *sec = ry_config_section(c, i);
			for (size_t j = 0; j < ry_config_nentries(c, sec); j++) {
				const char *k, *v;
				ry_config_entry(c, sec, j, &k, &v);
				(void)ry_config_get(c, sec, k);
			}
		}
		(void)ry_config_get(c, "hosts", "gpu1");
	}
	ry_config_free(c);
	free(text);
	return 0;
}
