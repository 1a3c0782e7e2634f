/*
 * The app's side of an import (import_bar.h): parsing `:import`, the bar
 * that shows runs done of total (a bar when the plugin says how many, else
 * a spinner with the count), Esc on the runs screen or `:import cancel` to
 * stop it, and the result.  The work happens in work/import.c; the result's
 * wording is text/present.c's.  Errors are shown as one sanitised line;
 * their whole text (an exec plugin's stderr tail) waits in `:messages`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/draw.h"
#include "app/import_bar.h"
#include "app/tui.h"
#include "text/text.h"
#include "work/import.h"
#include "work/job.h"

bool tui_import_bar_active(const struct tui_ctx *c)
{
	return c->import != NULL;
}

bool tui_import_bar_cancel(struct tui_ctx *c)
{
	if (!c->import)
		return false;
	tui_import_cancel(c->import);
	tui_msg(c, "cancelling the import of %s ...", tui_import_label(c->import));
	c->dirty |= TUI_REDRAW;
	return true;
}

static int start(struct tui_ctx *c, const char *plugin, const char *source)
{
	char msg[256];
	if (ry_store_readonly(c->st)) {
		tui_error(c, "read-only workspace: cannot import into it");
		return TUI_REDRAW;
	}
	c->import = tui_import_start(ry_store_path(c->st), plugin, source, msg, sizeof msg);
	if (!c->import) {
		tui_error(c, "import not started: %s", msg);
		return TUI_REDRAW;
	}
	c->import_started = ry_monotonic();
	free(c->import_log);
	c->import_log = NULL;
	tui_msg(c, "importing through plugin %s; keep browsing (Esc on the runs screen cancels)", plugin);
	return TUI_REDRAW;
}

int tui_import_bar_command(struct tui_ctx *c, const char *arg)
{
	size_t n = 0;
	char **w = tui_job_split_command(arg, &n);
	int r = TUI_REDRAW;
	if (!w) {
		tui_error(c, ":import: unterminated quote");
		return TUI_REDRAW;
	}
	if (n == 1 && !strcmp(w[0], "cancel")) {
		if (!tui_import_bar_cancel(c))
			tui_error(c, "no import is running");
	} else if (n < 1 || n > 2) {
		tui_error(c, ":import needs PLUGIN SOURCE, e.g. :import mlflow http://host:5000 (or :import cancel)");
	} else if (c->import) {
		tui_error(c, "an import is running (%s); :import cancel stops it", tui_import_label(c->import));
	} else if (n == 1) {
		const char *uri = !strcmp(w[0], "mlflow") ? getenv("MLFLOW_TRACKING_URI") : NULL;
		if (uri && *uri)
			r = start(c, w[0], uri);
		else if (!strcmp(w[0], "mlflow"))
			tui_error(c, ":import mlflow needs a SOURCE, or MLFLOW_TRACKING_URI set");
		else
			tui_error(c, ":import %s needs a SOURCE (a path or URL)", w[0]);
	} else {
		r = start(c, w[0], w[1]);
	}
	ry_strings_free(w, n);
	return r;
}

int tui_import_bar_poll(struct tui_ctx *c)
{
	struct tui_import_state s;
	if (!c->import)
		return 0;
	if (!tui_import_poll(c->import, &s))
		return TUI_REDRAW; /* the spinner, the count */
	free(c->import_log);
	c->import_log = tui_import_messages(c->import);
	tui_import_free(c->import);
	c->import = NULL;
	if (s.rc && !s.cancelling)
		tui_error(c, "%s", s.line);
	else
		tui_msg(c, "%s", s.line);
	return TUI_RELOAD;
}

int tui_import_bar_rows(const struct tui_ctx *c)
{
	return c->import ? 1 : 0;
}

/* "[#####.....]" of `cells` cells, done of total. */
static void bar_text(const struct tui_ctx *c, char *out, size_t n, int64_t done, int64_t total, int cells)
{
	int full = total > 0 ? (int)((done > total ? total : done) * cells / total) : 0;
	size_t o = 0;
	out[o++] = '[';
	for (int i = 0; i < cells && o + 4 < n; i++) {
		const char *g = i < full ? (c->utf8 ? "\xe2\x96\x88" : "#") : (c->utf8 ? "\xe2\x96\x91" : ".");
		size_t gl = strlen(g);
		memcpy(out + o, g, gl);
		o += gl;
	}
	out[o++] = ']';
	out[o] = '\0';
}

void tui_import_bar_draw(struct tui_ctx *c, int y)
{
	static const char *const spin_utf8[] = { "\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8",
	                                         "\xe2\xa0\xbc", "\xe2\xa0\xb4", "\xe2\xa0\xa6", "\xe2\xa0\xa7" };
	static const char *const spin_ascii[] = { "|", "/", "-", "\\" };
	struct tui_import_state s;
	char progress[256], hint[64], line[1024];
	if (!c->import)
		return;
	tui_import_poll(c->import, &s);
	double t = ry_monotonic() - c->import_started;
	int frame = (int)(t * 4);
	const char *spin = c->utf8 ? spin_utf8[frame % 8] : spin_ascii[frame % 4];
	if (s.total > 0) {
		char bar[128];
		bar_text(c, bar, sizeof bar, s.runs, s.total, 20);
		snprintf(progress, sizeof progress, "%s %lld/%lld runs", bar, (long long)s.runs, (long long)s.total);
	} else {
		snprintf(progress, sizeof progress, "%s %lld runs", spin, (long long)(s.runs > 0 ? s.runs : 0));
	}
	snprintf(hint, sizeof hint, "%s", s.cancelling ? "cancelling..." :
	         c->nviews == 1 ? "Esc cancels" : ":import cancel stops it");
	snprintf(line, sizeof line, " import %s  %s  %.0fs  %s", tui_import_label(c->import), progress, t, hint);
	tui_draw_fill(c, y, 0, c->cols, TUI_COLOR_HEADER);
	tui_draw_text(c, y, 0, c->cols, line, TUI_COLOR_HEADER);
}

char *tui_import_bar_log(struct tui_ctx *c)
{
	char *text = c->import ? tui_import_messages(c->import) : c->import_log ? ry_xstrdup(c->import_log) : NULL;
	if (text && !*text) {
		free(text);
		text = NULL;
	}
	return text;
}

void tui_import_bar_close(struct tui_ctx *c)
{
	tui_import_free(c->import);
	c->import = NULL;
	free(c->import_log);
	c->import_log = NULL;
}
