/*
 * What every fuzz target shares: the input as a NUL-terminated string, and
 * a split of one input into two (for parsers that take two texts, or a feed
 * that arrives in two reads).  Targets include config.h through the build's
 * -include, like every runyard file.
 */
#ifndef RY_FUZZ_H
#define RY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data[0..size) as a malloc'd C string (an embedded NUL ends it early, as
 * it would a file read with fgets or a string from the network). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Where to cut the input in two: after the first "\n@@\n" line if there is
 * one (seeds write their two parts that way), else at the middle.  *rest
 * and *nrest get the second part. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, const uint8_t **rest, size_t *nrest)
{
	for (size_t i = 0; i + 4 <= size; i++) {
		if (!memcmp(data + i, "\n@@\n", 4)) {
			*rest = data + i + 4;
			*nrest = size - i - 4;
			return i;
		}
	}
	*rest = data + size / 2;
	*nrest = size - size / 2;
	return size / 2;
}

#endif
