/* The log renderer of both front ends (tui/text/logtext.c over
 * core/base/term.c): a run's log fed in two reads, every line checked to be
 * what the header promises (UTF-8 text without a control byte, spans in
 * order inside it) and printed with colour back, plus the raw view's
 * escaping. */
#include "fuzz.h"

#include "base/util.h"
#include "text/logtext.h"

static void check(const struct tui_logtext_line *l)
{
	size_t end = 0;
	if (!l)
		return;
	if (strlen(l->text) != l->len || !ry_utf8_valid(l->text, l->len))
		abort();
	for (size_t i = 0; i < l->len; i++)
		if ((unsigned char)l->text[i] < 0x20 || l->text[i] == 0x7f)
			abort();
	for (size_t i = 0; i < l->nspans; i++) {
		if (l->spans[i].start < end || l->spans[i].end < l->spans[i].start || l->spans[i].end > l->len)
			abort();
		end = l->spans[i].end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest;
	size_t nrest, n = fuzz_split(data, size, &rest, &nrest);
	tui_logtext *lt = tui_logtext_new();
	ry_buf b = RY_BUF_INIT;
	tui_logtext_feed(lt, (const char *)data, n);
	check(tui_logtext_partial(lt));
	tui_logtext_feed(lt, (const char *)rest, nrest);
	tui_logtext_finish(lt);
	for (size_t i = 0; i < tui_logtext_count(lt); i++) {
		check(tui_logtext_line(lt, i));
		tui_logtext_put(&b, tui_logtext_line(lt, i), true);
	}
	tui_logtext_drop(lt);
	tui_logtext_free(lt);
	ry_buf_clear(&b);
	tui_logtext_escape(&b, (const char *)data, size);
	ry_buf_free(&b);
	return 0;
}
