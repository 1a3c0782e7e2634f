/* What output bytes mean to a terminal (core/base/term.c): the tokenizer
 * over the whole input, fed as it would arrive in two reads, and the
 * one-line overlay the scanner uses. */
#include "fuzz.h"

#include "base/term.h"

static void tokens(const char *s, size_t n, bool at_end)
{
	size_t col = 0;
	while (n) {
		ry_term_token t;
		size_t k = ry_term_next(&t, s, n, at_end);
		if (!k)
			break; /* cut: wait for more */
		if (k > n)
			abort();
		col = ry_term_column(t.kind, col);
		if (t.nparams > RY_TERM_MAX_PARAMS)
			abort();
		s += k, n -= k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest;
	size_t nrest, n = fuzz_split(data, size, &rest, &nrest);
	tokens((const char *)data, n, false);
	tokens((const char *)data, size, true);
	ry_buf b = RY_BUF_INIT;
	ry_term_overlay(&b, (const char *)data, size);
	ry_term_overlay(&b, (const char *)rest, nrest);
	ry_buf_free(&b);
	return 0;
}
