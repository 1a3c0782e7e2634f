/*
 * Colour themes: the built-in default table, the parser for theme files
 * (`element = fg on bg [attrs]` lines) and the search for a theme by name.
 * Also the mapping of 256-colour indexes onto 8- and 16-colour terminals.
 *
 * Pure data: nothing here talks to curses.  The app turns entries into
 * colour pairs (and honours NO_COLOR) when it starts or switches theme.
 * A theme file with any error is rejected as a whole, leaving the default,
 * so a typo never produces a half-applied, possibly unreadable screen.
 */
#include "widgets/theme.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/util.h"

#ifndef RY_DATADIR
#define RY_DATADIR "/usr/local/share/runyard"
#endif

/* Theme files are a few dozen lines; anything this big is not one. */
#define THEME_MAX_BYTES (256 * 1024)

static const char *const element_names[TUI_COLOR_COUNT] = {
#define TUI_COLOR_NAME(id, name) name,
	TUI_COLORS(TUI_COLOR_NAME)
#undef TUI_COLOR_NAME
};

enum { B = TUI_ATTR_BOLD, U = TUI_ATTR_UNDERLINE, R = TUI_ATTR_REVERSE, D = TUI_ATTR_DIM };

/* Keep in step with themes/default.theme (a unit test compares them). */
static const struct tui_theme_entry default_entries[TUI_COLOR_COUNT] = {
	[TUI_COLOR_DEFAULT]      = { -1,  -1, 0 },
	[TUI_COLOR_TITLE]        = { 231, 24, B },
	[TUI_COLOR_STATUSBAR]    = { 252, 236, 0 },
	[TUI_COLOR_HEADER]       = { 75,  -1, B },
	[TUI_COLOR_CURSOR]       = { 231, 25, B },
	[TUI_COLOR_MARKED]       = { 214, -1, B },
	[TUI_COLOR_BORDER]       = { 240, -1, 0 },
	[TUI_COLOR_DIM]          = { 244, -1, 0 },
	[TUI_COLOR_ERROR]        = { 203, -1, B },
	[TUI_COLOR_KEY]          = { 81,  -1, B },
	[TUI_COLOR_PANE_ACTIVE]  = { 75,  -1, B },
	[TUI_COLOR_RUN_RUNNING]  = { 75,  -1, B },
	[TUI_COLOR_RUN_FINISHED] = { 78,  -1, 0 },
	[TUI_COLOR_RUN_FAILED]   = { 203, -1, B },
	[TUI_COLOR_RUN_KILLED]   = { 173, -1, 0 },
	[TUI_COLOR_RUN_QUEUED]   = { 245, -1, 0 },
	[TUI_COLOR_RUN_LOST]     = { 140, -1, 0 },
	[TUI_COLOR_DIFF]         = { 222, -1, B },
	[TUI_COLOR_METRIC_BEST]  = { 120, -1, B },
	[TUI_COLOR_DELTA_GOOD]   = { 78,  -1, 0 },
	[TUI_COLOR_DELTA_BAD]    = { 203, -1, 0 },
	[TUI_COLOR_CHART_AXIS]   = { 244, -1, 0 },
	[TUI_COLOR_SERIES_1]     = { 39,  -1, 0 },
	[TUI_COLOR_SERIES_2]     = { 214, -1, 0 },
	[TUI_COLOR_SERIES_3]     = { 77,  -1, 0 },
	[TUI_COLOR_SERIES_4]     = { 204, -1, 0 },
	[TUI_COLOR_SERIES_5]     = { 141, -1, 0 },
	[TUI_COLOR_SERIES_6]     = { 44,  -1, 0 },
	[TUI_COLOR_SERIES_7]     = { 227, -1, 0 },
	[TUI_COLOR_SERIES_8]     = { 167, -1, 0 },
	[TUI_COLOR_SERIES_9]     = { 153, -1, 0 },
	[TUI_COLOR_SERIES_10]    = { 106, -1, 0 },
	[TUI_COLOR_SERIES_11]    = { 213, -1, 0 },
	[TUI_COLOR_SERIES_12]    = { 180, -1, 0 },
	[TUI_COLOR_SEARCH_MATCH] = { 16,  220, 0 },
};

void tui_theme_default(struct tui_theme *t)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "default");
	memcpy(t->e, default_entries, sizeof t->e);
}

const char *tui_theme_element_name(enum tui_color c)
{
	return (unsigned)c < TUI_COLOR_COUNT ? element_names[c] : NULL;
}

enum tui_color tui_theme_series(size_t i)
{
	return (enum tui_color)(TUI_COLOR_SERIES_1 + (int)(i % TUI_THEME_NSERIES));
}

void tui_theme_no_color(struct tui_theme *t)
{
	for (int i = 0; i < TUI_COLOR_COUNT; i++) {
		struct tui_theme_entry *e = &t->e[i];
		/* A bar or highlight told apart only by its background would
		 * vanish without colour; reverse video keeps it visible. */
		if (e->bg >= 0 && i != TUI_COLOR_DEFAULT)
			e->attrs |= TUI_ATTR_REVERSE;
		e->fg = e->bg = -1;
	}
}

/* ---------------------------------------------------------------- colours */

static const struct { const char *name; short c; } color_names[] = {
	{ "default", -1 }, { "black", 0 }, { "red", 1 }, { "green", 2 }, { "yellow", 3 },
	{ "blue", 4 }, { "magenta", 5 }, { "cyan", 6 }, { "white", 7 },
	{ "gray", 8 }, { "grey", 8 },
};

/* A colour word: a name, bright-NAME / brightNAME, grayN / greyN (N 0-23, the
 * 256-colour grey ramp), a number 0-255 or colorN.  Returns false and sets
 * *range when it was a number out of range (so the error can say so). */
static bool parse_color(const char *w, short *out, bool *range)
{
	const char *num = NULL;
	char *end;
	long v;
	*range = false;
	for (size_t i = 0; i < sizeof color_names / sizeof color_names[0]; i++) {
		if (!strcasecmp(w, color_names[i].name)) {
			*out = color_names[i].c;
			return true;
		}
	}
	if (!strncasecmp(w, "bright", 6)) {
		const char *base = w + 6 + (w[6] == '-');
		for (size_t i = 1; i <= 8; i++) {
			if (!strcasecmp(base, color_names[i].name)) {
				*out = (short)(color_names[i].c + 8);
				return true;
			}
		}
		return false;
	}
	if (!strncasecmp(w, "gray", 4) || !strncasecmp(w, "grey", 4)) {
		if (!isdigit((unsigned char)w[4]))
			return false;
		v = strtol(w + 4, &end, 10);
		if (*end)
			return false;
		if (v > 23) {
			*range = true;
			return false;
		}
		*out = (short)(232 + v);
		return true;
	}
	if (!strncasecmp(w, "color", 5) || !strncasecmp(w, "colour", 6))
		num = w + (tolower((unsigned char)w[4]) == 'u' ? 6 : 5);
	else if (isdigit((unsigned char)w[0]))
		num = w;
	if (!num || !isdigit((unsigned char)num[0]))
		return false;
	errno = 0;
	v = strtol(num, &end, 10);
	if (*end)
		return false;
	if (errno || v > 255) {
		*range = true;
		return false;
	}
	*out = (short)v;
	return true;
}

static const struct { const char *name; unsigned a; } attr_names[] = {
	{ "bold", TUI_ATTR_BOLD }, { "underline", TUI_ATTR_UNDERLINE },
	{ "reverse", TUI_ATTR_REVERSE }, { "dim", TUI_ATTR_DIM }, { "normal", 0 },
};

static bool parse_attr(const char *w, unsigned *attrs)
{
	for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
		if (!strcasecmp(w, attr_names[i].name)) {
			*attrs |= attr_names[i].a;
			return true;
		}
	}
	return false;
}

/* xterm's default palette for the 16 basic colours. */
static const unsigned char basic_rgb[16][3] = {
	{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
	{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
	{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
	{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};

static void rgb_of(short c, int rgb[3])
{
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };
	if (c < 16) {
		for (int i = 0; i < 3; i++)
			rgb[i] = basic_rgb[c][i];
	} else if (c < 232) {
		c -= 16;
		rgb[0] = level[c / 36];
		rgb[1] = level[(c / 6) % 6];
		rgb[2] = level[c % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
}

static bool is_grey_basic(int i)
{
	return i == 0 || i == 7 || i == 8 || i == 15;
}

short tui_theme_color_for(short c, int ncolors)
{
	int rgb[3], lo, hi, best = 0, n;
	long best_d = -1;
	bool chromatic;
	if (c < 0 || ncolors < 8)
		return -1;
	if (c > 255)
		c = 255;
	if (c < ncolors)
		return c;
	n = ncolors >= 16 ? 16 : 8;
	if (c < 16)
		return (short)(c & 7);
	rgb_of(c, rgb);
	lo = hi = rgb[0];
	for (int i = 1; i < 3; i++) {
		if (rgb[i] < lo) lo = rgb[i];
		if (rgb[i] > hi) hi = rgb[i];
	}
	/* Plain nearest-RGB sends most muted colours to black or white; keeping
	 * coloured things coloured (and greys grey) reads far better. */
	chromatic = hi - lo >= 48;
	for (int i = 0; i < n; i++) {
		long d = 0;
		if (is_grey_basic(i) == chromatic)
			continue;
		for (int k = 0; k < 3; k++) {
			static const int wgt[3] = { 3, 4, 2 };
			long diff = rgb[k] - basic_rgb[i][k];
			d += wgt[k] * diff * diff;
		}
		if (best_d < 0 || d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return (short)best;
}

/* ---------------------------------------------------------------- parsing */

static void set_err(char *err, size_t errn, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errn, const char *fmt, ...)
{
	va_list ap;
	if (!err || errn == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errn, fmt, ap);
	va_end(ap);
}

/* A word from the file, made safe to show in an error message. */
static char *quote_word(const char *w)
{
	ry_buf b = RY_BUF_INIT;
	size_t n = strlen(w);
	ry_sanitize(&b, w, n > 40 ? 40 : n, false);
	if (n > 40)
		ry_buf_puts(&b, "...");
	return ry_buf_detach(&b);
}

#define MAX_WORDS 16

/* Split on blanks and commas; returns the count, or -1 if there are too many. */
static int split_words(char *s, char **w)
{
	int n = 0;
	for (char *tok = strtok(s, " \t,"); tok; tok = strtok(NULL, " \t,")) {
		if (n == MAX_WORDS)
			return -1;
		w[n++] = tok;
	}
	return n;
}

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Parse the right-hand side of one line; on error writes what is wrong
 * (without the FILE:LINE prefix) to msg. */
static bool parse_value(char *v, struct tui_theme_entry *e, char *msg, size_t msgn)
{
	char *w[MAX_WORDS], *q;
	int n = split_words(v, w), i = 0;
	bool range;
	short c;

	e->fg = e->bg = -1;
	e->attrs = 0;
	if (n < 0) {
		snprintf(msg, msgn, "too many words after '='");
		return false;
	}
	if (n == 0) {
		snprintf(msg, msgn, "missing colours after '=' (expected 'fg on bg [attributes]')");
		return false;
	}
	if (strcasecmp(w[0], "on")) {
		unsigned ignored = 0;
		if (parse_color(w[0], &c, &range)) {
			e->fg = c;
			i++;
		} else if (range) {
			goto out_of_range;
		} else if (!parse_attr(w[0], &ignored)) {
			/* attributes alone (monochrome) are fine; anything else is not */
			q = quote_word(w[0]);
			snprintf(msg, msgn, "unknown colour '%s'", q);
			free(q);
			return false;
		}
	}
	if (i < n && !strcasecmp(w[i], "on")) {
		if (++i == n) {
			snprintf(msg, msgn, "missing background colour after 'on'");
			return false;
		}
		if (!parse_color(w[i], &c, &range)) {
			if (range)
				goto out_of_range;
			q = quote_word(w[i]);
			snprintf(msg, msgn, "unknown colour '%s'", q);
			free(q);
			return false;
		}
		e->bg = c;
		i++;
	}
	for (; i < n; i++) {
		if (!parse_attr(w[i], &e->attrs)) {
			q = quote_word(w[i]);
			if (!strcasecmp(w[i], "on"))
				snprintf(msg, msgn, "colours must come before attributes ('fg on bg bold')");
			else if (parse_color(w[i], &c, &range))
				snprintf(msg, msgn, "unexpected colour '%s' (write 'fg on bg')", q);
			else
				snprintf(msg, msgn, "unknown attribute '%s' (use bold, underline, reverse, dim)", q);
			free(q);
			return false;
		}
	}
	return true;

out_of_range:
	q = quote_word(w[i]);
	snprintf(msg, msgn, "colour '%s' out of range (0-255, grey0-grey23)", q);
	free(q);
	return false;
}

static int element_of(const char *name)
{
	for (int i = 0; i < TUI_COLOR_COUNT; i++)
		if (!strcasecmp(name, element_names[i]))
			return i;
	return -1;
}

/* "dir/solarized-dark.theme" -> "solarized-dark" */
static void name_from_path(char *out, size_t n, const char *path)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t len;
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	len = dot && !strcmp(dot, ".theme") ? (size_t)(dot - base) : strlen(base);
	if (len >= n)
		len = n - 1;
	memcpy(out, base, len);
	out[len] = '\0';
}

int tui_theme_parse(struct tui_theme *t, const char *text, const char *filename, char *err, size_t errn)
{
	struct tui_theme th;
	char *copy, *line, *next, msg[256];
	int lineno = 0;
	const char *fname = filename ? filename : "<theme>";

	if (err && errn)
		err[0] = '\0';
	tui_theme_default(&th);
	if (filename) {
		char *safe = ry_sanitize_dup(filename);
		name_from_path(th.name, sizeof th.name, safe);
		free(safe);
	}
	copy = ry_xstrdup(text ? text : "");
	for (line = copy; line; line = next) {
		char *eq, *key, *hash;
		struct tui_theme_entry e;
		int idx;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		line = trim(line);
		if (!*line)
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			snprintf(msg, sizeof msg, "expected 'element = fg on bg [attributes]'");
			goto fail;
		}
		*eq = '\0';
		key = trim(line);
		if (!*key) {
			snprintf(msg, sizeof msg, "missing element name before '='");
			goto fail;
		}
		if ((idx = element_of(key)) < 0) {
			char *q = quote_word(key);
			snprintf(msg, sizeof msg, "unknown element '%s'", q);
			free(q);
			goto fail;
		}
		if (!parse_value(eq + 1, &e, msg, sizeof msg))
			goto fail;
		th.e[idx] = e;
	}
	free(copy);
	*t = th;
	return 0;

fail:
	free(copy);
	{
		char *safe = ry_sanitize_dup(fname);
		set_err(err, errn, "%s:%d: %s", safe, lineno, msg);
		free(safe);
	}
	tui_theme_default(t);
	return -1;
}

/* ---------------------------------------------------------------- loading */

static int load_file(struct tui_theme *t, const char *path, char *err, size_t errn)
{
	FILE *f = fopen(path, "rb");
	ry_buf b = RY_BUF_INIT;
	char chunk[4096];
	size_t k;
	int rc;
	char *safe = ry_sanitize_dup(path);

	if (!f) {
		set_err(err, errn, "cannot read theme %s: %s", safe, strerror(errno));
		free(safe);
		return -1;
	}
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + k > THEME_MAX_BYTES) {
			set_err(err, errn, "%s: too large for a theme file (over %d KiB)", safe,
			        THEME_MAX_BYTES / 1024);
			goto fail;
		}
		ry_buf_put(&b, chunk, k);
	}
	if (ferror(f)) {
		set_err(err, errn, "cannot read theme %s: %s", safe, strerror(errno));
		goto fail;
	}
	if (memchr(ry_buf_cstr(&b), '\0', b.len)) {
		set_err(err, errn, "%s: not a text file", safe);
		goto fail;
	}
	fclose(f);
	rc = tui_theme_parse(t, ry_buf_cstr(&b), path, err, errn);
	ry_buf_free(&b);
	free(safe);
	return rc;
fail:
	fclose(f);
	ry_buf_free(&b);
	free(safe);
	tui_theme_default(t);
	return -1;
}

static bool valid_name(const char *s)
{
	if (!*s || *s == '.' || strlen(s) > 48)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

int tui_theme_load(struct tui_theme *t, const char *name_or_path, char *err, size_t errn)
{
	const char *name = name_or_path && *name_or_path ? name_or_path : "default";
	const char *env = getenv("RUNYARD_THEMES");
	const char *suffix;
	ry_buf looked = RY_BUF_INIT;
	char **dirs = NULL;
	size_t ndirs = 0, cap = 0;
	int rc = -1;

	if (err && errn)
		err[0] = '\0';
	tui_theme_default(t);
	if (strchr(name, '/'))
		return load_file(t, name, err, errn);
	if (!valid_name(name)) {
		char *q = quote_word(name);
		set_err(err, errn, "invalid theme name '%s' (use a name like 'light' or a path)", q);
		free(q);
		return -1;
	}
	suffix = strlen(name) > 6 && !strcmp(name + strlen(name) - 6, ".theme") ? "" : ".theme";

	/* Search order: $RUNYARD_THEMES (a colon-separated list), the user's
	 * data dir, then the installed themes. */
	if (env && *env) {
		char *copy = ry_xstrdup(env), *save = NULL;
		for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			dirs = ry_xgrow(dirs, &cap, ndirs + 1, sizeof *dirs);
			dirs[ndirs++] = ry_xstrdup(d);
		}
		free(copy);
	}
	{
		char *dd = ry_data_dir();
		dirs = ry_xgrow(dirs, &cap, ndirs + 2, sizeof *dirs);
		dirs[ndirs++] = ry_xasprintf("%s/themes", dd);
		dirs[ndirs++] = ry_xstrdup(RY_DATADIR "/themes");
		free(dd);
	}
	{
		/* Beside the binary: the build tree (./runyard, ./themes) and an
		 * install moved from its prefix (DESTDIR, a relocated tree). */
		char exe[4096];
		ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
		char *slash = len > 0 ? (exe[len] = '\0', strrchr(exe, '/')) : NULL;
		if (slash) {
			*slash = '\0';
			dirs = ry_xgrow(dirs, &cap, ndirs + 2, sizeof *dirs);
			dirs[ndirs++] = ry_xasprintf("%s/themes", exe);
			dirs[ndirs++] = ry_xasprintf("%s/../share/runyard/themes", exe);
		}
	}
	for (size_t i = 0; i < ndirs; i++) {
		char *path = ry_xasprintf("%s/%s%s", dirs[i], name, suffix);
		FILE *f = fopen(path, "rb");
		if (f) {
			fclose(f);
			rc = load_file(t, path, err, errn);
			snprintf(t->name, sizeof t->name, "%s", name);
			free(path);
			goto out;
		}
		free(path);
		if (looked.len)
			ry_buf_puts(&looked, ", ");
		ry_buf_puts(&looked, dirs[i]);
	}
	if (!strcmp(name, "default")) {
		rc = 0; /* the built-in table is the default theme */
	} else {
		char *safe = ry_sanitize_dup(ry_buf_cstr(&looked));
		set_err(err, errn, "theme '%s' not found (looked in %s)", name, safe);
		free(safe);
	}
out:
	ry_strings_free(dirs, ndirs);
	ry_buf_free(&looked);
	return rc;
}
