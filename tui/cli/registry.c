/*
 * Shared by the registry subcommands: version numbers, failures, and padded
 * printing of outside text (sanitised first, so escape sequences never reach
 * the terminal).
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cli/registry.h"

void cli_reg_put_padded(FILE *f, const char *s, int width)
{
	char *safe = ry_sanitize_dup(s ? s : "-");
	int cols = 0;
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	for (const char *p = safe; *p;) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, strlen(p), &ps);
		int w;
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&ps, 0, sizeof ps);
			n = 1;
			w = 1;
		} else {
			w = wcwidth(wc);
			w = w < 0 ? 1 : w;
		}
		p += n;
		cols += w;
	}
	fputs(safe, f);
	for (; cols < width; cols++)
		fputc(' ', f);
	free(safe);
}

bool cli_reg_parse_version(const char *s, bool allow_none, int64_t *out)
{
	char *end;
	long long v;
	if (!s || !*s)
		return false;
	if (allow_none && (!strcmp(s, "none") || !strcmp(s, "unset"))) {
		*out = 0;
		return true;
	}
	if (*s == 'v' || *s == 'V')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	v = strtoll(s, &end, 10);
	if (*end || v < 0 || (v == 0 && !allow_none))
		return false;
	*out = v;
	return true;
}

int cli_reg_fail(ry_store *st, int code)
{
	int rc = cli_fail(code);
	ry_store_close(st);
	return rc;
}
