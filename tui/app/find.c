/*
 * Find: one walk over a view's items that counts the matches and finds
 * the next or previous one, so `n` and `N` can say where they landed.
 * The walk is over every item each time: the views' lists are in memory
 * (the runs table hands over a bitmap it fetched once per search), and a
 * count is what makes "match 3/17" honest.  It draws nothing; the
 * highlight is the views' (tui_find_in says where).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/find.h"
#include "app/tui.h"
#include "text/text.h"

bool tui_find_step(struct tui_ctx *c, size_t n, size_t cur, int dir, tui_find_match_fn match, void *arg,
                   const char *what, size_t *to)
{
	size_t total = 0, before = 0, first = SIZE_MAX, last = SIZE_MAX, next = SIZE_MAX, prev = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		if (!match(c, i, arg))
			continue;
		total++;
		if (first == SIZE_MAX)
			first = i;
		last = i;
		if (i < cur) {
			before++;
			prev = i;
		} else if (i > cur && next == SIZE_MAX) {
			next = i;
		}
	}
	if (!total) {
		tui_error(c, "no %s contains '%s'", what, c->search);
		return false;
	}
	bool at_cur = cur < n && match(c, cur, arg), wrapped;
	size_t rank;
	if (dir == 0 && at_cur) {
		wrapped = false;
		*to = cur;
		rank = before + 1;
	} else if (dir >= 0) {
		wrapped = next == SIZE_MAX;
		*to = wrapped ? first : next;
		rank = wrapped ? 1 : before + (at_cur ? 1 : 0) + 1;
	} else {
		wrapped = prev == SIZE_MAX;
		*to = wrapped ? last : prev;
		rank = wrapped ? total : before;
	}
	if (wrapped && !(total == 1 && *to == cur))
		tui_msg(c, "match %zu/%zu (search wrapped to %s)", rank, total, dir >= 0 ? "top" : "bottom");
	else
		tui_msg(c, "match %zu/%zu", rank, total);
	return true;
}

bool tui_find_in(const struct tui_ctx *c, const char *text, int *col, int *w)
{
	if (!c->search[0] || !text)
		return false;
	const char *at = strcasestr(text, c->search);
	if (!at)
		return false;
	if (col) {
		char *pre = ry_xstrndup(text, (size_t)(at - text));
		*col = tui_text_width(pre);
		free(pre);
	}
	if (w) {
		char *m = ry_xstrndup(at, strlen(c->search));
		*w = tui_text_width(m);
		free(m);
	}
	return true;
}
