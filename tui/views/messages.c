/*
 * A pager over a block of text the app keeps (today: what the last import
 * said, `:messages`), wrapped to the window's width.  The text arrives
 * sanitised and is sanitised again where it is drawn; this view reads
 * nothing from the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/draw.h"
#include "app/tui.h"
#include "text/text.h"

struct messages_priv {
	char *title;
	char *text;             /* owned copy */
	char **rows;            /* text wrapped to `width` columns */
	size_t n, cap;
	int width;
	struct tui_list list;   /* a pager over rows */
};

static void rows_free(struct messages_priv *p)
{
	ry_strings_free(p->rows, p->n);
	p->rows = NULL;
	p->n = p->cap = 0;
}

static void push_row(struct messages_priv *p, const char *s, size_t len)
{
	p->rows = ry_xgrow(p->rows, &p->cap, p->n + 1, sizeof *p->rows);
	p->rows[p->n++] = ry_xstrndup(s, len);
}

/* Split each line into pieces of at most `width` columns, at character
 * boundaries. */
static void wrap(struct messages_priv *p, int width)
{
	rows_free(p);
	p->width = width;
	for (const char *line = p->text; *line;) {
		size_t len = strcspn(line, "\n");
		const char *s = line, *end = line + len;
		do {
			const char *q = s;
			int cols = 0;
			while (q < end) {
				size_t cl = 1;
				while (q + cl < end && ((unsigned char)q[cl] & 0xc0) == 0x80)
					cl++;
				char one[8] = "";
				memcpy(one, q, cl < sizeof one ? cl : sizeof one - 1);
				int w = tui_text_width(one);
				if (cols + w > width && q > s)
					break;
				cols += w;
				q += cl;
			}
			push_row(p, s, (size_t)(q - s));
			s = q;
		} while (s < end);
		line = *end ? end + 1 : end;
	}
}

static int messages_open(struct tui_view *v, struct tui_ctx *c, void *arg)
{
	const struct tui_messages_arg *a = arg;
	struct messages_priv *p = ry_xcalloc(1, sizeof *p);
	(void)c;
	v->priv = p;
	p->title = ry_xstrdup(a->title ? a->title : "Messages");
	p->text = ry_xstrdup(a->text ? a->text : "");
	tui_list_init(&p->list, true);
	return 0;
}

static void messages_done(struct tui_view *v, struct tui_ctx *c)
{
	struct messages_priv *p = v->priv;
	(void)c;
	if (!p)
		return;
	rows_free(p);
	free(p->title);
	free(p->text);
	free(p);
}

static void messages_draw(struct tui_view *v, struct tui_ctx *c, int y, int h)
{
	struct messages_priv *p = v->priv;
	int width = c->cols > 4 ? c->cols - 2 : 1;
	if (width != p->width || !p->rows)
		wrap(p, width);
	tui_draw_text(c, y, 1, c->cols - 1, p->title, TUI_COLOR_HEADER);
	size_t rows = h > 1 ? (size_t)h - 1 : 1;
	tui_list_fit(&p->list, p->n, rows);
	for (size_t i = 0; i < rows && p->list.top + i < p->n; i++)
		tui_draw_text(c, y + 1 + (int)i, 1, width, p->rows[p->list.top + i], TUI_COLOR_DEFAULT);
}

static int messages_action(struct tui_view *v, struct tui_ctx *c, enum tui_action a)
{
	struct messages_priv *p = v->priv;
	size_t page = v->rows > 2 ? (size_t)v->rows - 2 : 1;
	(void)c;
	if (tui_list_action(&p->list, a, page))
		return TUI_REDRAW;
	return TUI_UNHANDLED;
}

static void messages_status(struct tui_view *v, struct tui_ctx *c, char *out, size_t n)
{
	struct messages_priv *p = v->priv;
	(void)c;
	snprintf(out, n, " %zu lines: j/k scroll, q back", p->n);
}

const struct tui_view_ops tui_view_messages = {
	.name = "messages",
	.keymap = TUI_KM_HELP,
	.open = messages_open,
	.draw = messages_draw,
	.action = messages_action,
	.status = messages_status,
	.done = messages_done,
};
