/* Theme files: parsing, errors with FILE:LINE, search by name, the shipped
 * themes, colour mapping for small terminals (tui/widgets/theme.c). */
#include "testutil.h"
#include "widgets/theme.h"

#include <sys/stat.h>

static const char *srcdir(void)
{
	const char *d = getenv("RUNYARD_SRCDIR");
	return d && *d ? d : RY_TEST_SRCDIR;
}

static char *write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char *path = ry_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return path;
}

static bool same_as_default(const struct tui_theme *t)
{
	struct tui_theme d;
	tui_theme_default(&d);
	return memcmp(t->e, d.e, sizeof d.e) == 0;
}

/* Parse text that must fail; returns the error message. */
static void expect_error(const char *text, const char *want)
{
	struct tui_theme t;
	char err[256] = "x";
	assert_int_equal(tui_theme_parse(&t, text, "t.theme", err, sizeof err), -1);
	assert_string_equal(err, want);
	assert_true(same_as_default(&t));
}

static void test_parse__degenerate(void **state)
{
	struct tui_theme t;
	char err[64] = "x";
	(void)state;
	assert_int_equal(tui_theme_parse(&t, NULL, NULL, err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_true(same_as_default(&t));
	assert_int_equal(tui_theme_parse(&t, "", "x.theme", NULL, 0), 0);
	assert_int_equal(tui_theme_parse(&t, "\n\n  # only comments\n\t\n", "x.theme", err, sizeof err), 0);
	assert_true(same_as_default(&t));
	assert_string_equal(t.name, "x");
	/* errors without an err buffer do not crash */
	assert_int_equal(tui_theme_parse(&t, "nope = red", "x.theme", NULL, 0), -1);
	assert_int_equal(tui_theme_parse(&t, "nope = red", "x.theme", err, 1), -1);
	assert_string_equal(err, "");
}

static void test_parse__good_file(void **state)
{
	struct tui_theme t;
	char err[256];
	const char *text =
		"# a comment\n"
		"\n"
		"title = bright-white on blue bold underline   # trailing comment\n"
		"CURSOR=black on brightyellow reverse\r\n"
		"  header =   color208   \n"
		"border = 240 on grey3\n"
		"dim = dim\n"
		"marked = on red\n"
		"error = default on default bold, dim\n"
		"key = Magenta\n"
		"search-match = colour17 on 255 normal\n"
		"title = bright-white on blue bold\n"; /* later line wins */
	(void)state;
	if (tui_theme_parse(&t, text, "/some/dir/mine.theme", err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_string_equal(t.name, "mine");
	assert_int_equal(t.e[TUI_COLOR_TITLE].fg, 15);
	assert_int_equal(t.e[TUI_COLOR_TITLE].bg, 4);
	assert_int_equal(t.e[TUI_COLOR_TITLE].attrs, TUI_ATTR_BOLD);
	assert_int_equal(t.e[TUI_COLOR_CURSOR].fg, 0);
	assert_int_equal(t.e[TUI_COLOR_CURSOR].bg, 11);
	assert_int_equal(t.e[TUI_COLOR_CURSOR].attrs, TUI_ATTR_REVERSE);
	assert_int_equal(t.e[TUI_COLOR_HEADER].fg, 208);
	assert_int_equal(t.e[TUI_COLOR_HEADER].bg, -1);
	assert_int_equal(t.e[TUI_COLOR_HEADER].attrs, 0);
	assert_int_equal(t.e[TUI_COLOR_BORDER].fg, 240);
	assert_int_equal(t.e[TUI_COLOR_BORDER].bg, 235);
	assert_int_equal(t.e[TUI_COLOR_DIM].fg, -1);
	assert_int_equal(t.e[TUI_COLOR_DIM].bg, -1);
	assert_int_equal(t.e[TUI_COLOR_DIM].attrs, TUI_ATTR_DIM);
	assert_int_equal(t.e[TUI_COLOR_MARKED].fg, -1);
	assert_int_equal(t.e[TUI_COLOR_MARKED].bg, 1);
	assert_int_equal(t.e[TUI_COLOR_ERROR].attrs, TUI_ATTR_BOLD | TUI_ATTR_DIM);
	assert_int_equal(t.e[TUI_COLOR_KEY].fg, 5);
	assert_int_equal(t.e[TUI_COLOR_SEARCH_MATCH].fg, 17);
	assert_int_equal(t.e[TUI_COLOR_SEARCH_MATCH].bg, 255);
	/* untouched elements keep the default */
	{
		struct tui_theme d;
		tui_theme_default(&d);
		assert_memory_equal(&t.e[TUI_COLOR_RUN_FAILED], &d.e[TUI_COLOR_RUN_FAILED],
		                    sizeof d.e[0]);
	}
}

static void test_parse__each_error_names_file_and_line(void **state)
{
	(void)state;
	expect_error("title = red\n\n# c\nfoo = red\n", "t.theme:4: unknown element 'foo'");
	expect_error("title = rde\n", "t.theme:1: unknown colour 'rde'");
	expect_error("title = red on bleu\n", "t.theme:1: unknown colour 'bleu'");
	expect_error("title = red on\n", "t.theme:1: missing background colour after 'on'");
	expect_error("\ntitle = red on blue blink\n",
	             "t.theme:2: unknown attribute 'blink' (use bold, underline, reverse, dim)");
	expect_error("title = bold on red\n",
	             "t.theme:1: colours must come before attributes ('fg on bg bold')");
	expect_error("title = red blue\n", "t.theme:1: unexpected colour 'blue' (write 'fg on bg')");
	expect_error("title = 256\n", "t.theme:1: colour '256' out of range (0-255, grey0-grey23)");
	expect_error("title = red on color999\n",
	             "t.theme:1: colour 'color999' out of range (0-255, grey0-grey23)");
	expect_error("title = grey24\n", "t.theme:1: colour 'grey24' out of range (0-255, grey0-grey23)");
	expect_error("title = 99999999999999999999\n",
	             "t.theme:1: colour '99999999999999999999' out of range (0-255, grey0-grey23)");
	expect_error("title =\n", "t.theme:1: missing colours after '=' (expected 'fg on bg [attributes]')");
	expect_error("a\nb\ntitle red\n", "t.theme:1: expected 'element = fg on bg [attributes]'");
	expect_error("= red\n", "t.theme:1: missing element name before '='");
	expect_error("title = -1\n", "t.theme:1: unknown colour '-1'");
	expect_error("title = bright-orange\n", "t.theme:1: unknown colour 'bright-orange'");
	expect_error("title = a b c d e f g h i j k l m n o p q\n", "t.theme:1: too many words after '='");
}

static void test_parse__error_text_is_sanitised(void **state)
{
	struct tui_theme t;
	char err[256];
	(void)state;
	assert_int_equal(tui_theme_parse(&t, "\033]0;pwned\007 = red\n", "evil\033.theme", err, sizeof err), -1);
	assert_null(strchr(err, '\033'));
	assert_null(strchr(err, '\007'));
	assert_string_equal(err, "evil^[.theme:1: unknown element '^[]0;pwned^G'");
	/* very long words are cut */
	{
		char text[400];
		memset(text, 'x', 300);
		strcpy(text + 300, " = red");
		assert_int_equal(tui_theme_parse(&t, text, "t", err, sizeof err), -1);
		assert_true(strlen(err) < 80);
	}
}

static void test_default_theme_file_matches_builtin(void **state)
{
	struct tui_theme t;
	char err[256] = "";
	char *path = ry_xasprintf("%s/themes/default.theme", srcdir());
	(void)state;
	if (tui_theme_load(&t, path, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_true(same_as_default(&t));
	free(path);
}

static bool names_every_element(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	bool seen[TUI_COLOR_COUNT] = { false };
	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		for (int i = 0; i < TUI_COLOR_COUNT; i++) {
			const char *n = tui_theme_element_name((enum tui_color)i);
			size_t k = strlen(n);
			if (!strncmp(line, n, k) && (line[k] == ' ' || line[k] == '='))
				seen[i] = true;
		}
	}
	fclose(f);
	for (int i = 0; i < TUI_COLOR_COUNT; i++)
		if (!seen[i]) {
			print_error("%s does not set %s\n", path, tui_theme_element_name((enum tui_color)i));
			return false;
		}
	return true;
}

static void test_shipped_themes_parse_by_name(void **state)
{
	static const char *names[] = { "default", "light", "solarized-dark", "high-contrast", "monochrome" };
	char *dir = ry_xasprintf("%s/themes", srcdir());
	(void)state;
	setenv("RUNYARD_THEMES", dir, 1);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct tui_theme t;
		char err[256] = "", *path = ry_xasprintf("%s/%s.theme", dir, names[i]);
		if (tui_theme_load(&t, names[i], err, sizeof err) != 0)
			fail_msg("%s: %s", names[i], err);
		assert_string_equal(err, "");
		assert_string_equal(t.name, names[i]);
		assert_true(names_every_element(path));
		if (!strcmp(names[i], "monochrome")) {
			for (int k = 0; k < TUI_COLOR_COUNT; k++) {
				assert_int_equal(t.e[k].fg, -1);
				assert_int_equal(t.e[k].bg, -1);
			}
			assert_true(t.e[TUI_COLOR_CURSOR].attrs & TUI_ATTR_REVERSE);
		} else if (strcmp(names[i], "default")) {
			assert_false(same_as_default(&t));
		}
		free(path);
	}
	free(dir);
}

static void test_load__search_order_and_failures(void **state)
{
	char *a = ry_test_tmpdir(), *b = ry_test_tmpdir(), *xdg = ry_test_tmpdir();
	char *env = ry_xasprintf("%s:%s", a, b), *p, *sub, err[512];
	struct tui_theme t;
	(void)state;
	setenv("RUNYARD_THEMES", env, 1);
	setenv("XDG_DATA_HOME", xdg, 1);
	free(write_file(a, "one.theme", "title = red\n", 12));
	free(write_file(b, "one.theme", "title = blue\n", 13));
	free(write_file(b, "two.theme", "title = green\n", 14));
	sub = ry_xasprintf("%s/runyard/themes", xdg);
	assert_int_equal(ry_mkdir_p(sub), 0);
	free(write_file(sub, "three.theme", "title = yellow\n", 15));

	assert_int_equal(tui_theme_load(&t, "one", err, sizeof err), 0);
	assert_int_equal(t.e[TUI_COLOR_TITLE].fg, 1);          /* first dir wins */
	assert_int_equal(tui_theme_load(&t, "two.theme", err, sizeof err), 0);
	assert_int_equal(t.e[TUI_COLOR_TITLE].fg, 2);
	assert_string_equal(t.name, "two.theme");
	assert_int_equal(tui_theme_load(&t, "three", err, sizeof err), 0);
	assert_int_equal(t.e[TUI_COLOR_TITLE].fg, 3);          /* user's data dir */

	/* by path */
	p = ry_xasprintf("%s/two.theme", b);
	assert_int_equal(tui_theme_load(&t, p, err, sizeof err), 0);
	assert_int_equal(t.e[TUI_COLOR_TITLE].fg, 2);
	free(p);

	/* not found: message lists where it looked, default is left */
	assert_int_equal(tui_theme_load(&t, "nosuch", err, sizeof err), -1);
	assert_non_null(strstr(err, "theme 'nosuch' not found (looked in "));
	assert_non_null(strstr(err, a));
	assert_non_null(strstr(err, sub));
	assert_true(same_as_default(&t));
	p = ry_xasprintf("%s/missing.theme", a);
	assert_int_equal(tui_theme_load(&t, p, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot read theme "));
	assert_non_null(strstr(err, "No such file"));
	free(p);
	assert_int_equal(tui_theme_load(&t, "bad name!", err, sizeof err), -1);
	assert_string_equal(err, "invalid theme name 'bad name!' (use a name like 'light' or a path)");
	assert_int_equal(tui_theme_load(&t, ".hidden", err, sizeof err), -1);

	/* "default" with no file anywhere is the built-in table; so are NULL and "" */
	assert_int_equal(tui_theme_load(&t, NULL, err, sizeof err), 0);
	assert_true(same_as_default(&t));
	assert_int_equal(tui_theme_load(&t, "", err, sizeof err), 0);

	/* a file with an error: FILE:LINE, default left */
	p = write_file(a, "broken.theme", "title = red\nwat = blue\n", 23);
	assert_int_equal(tui_theme_load(&t, "broken", err, sizeof err), -1);
	{
		char *want = ry_xasprintf("%s:2: unknown element 'wat'", p);
		assert_string_equal(err, want);
		free(want);
	}
	assert_true(same_as_default(&t));
	free(p);

	/* binary and oversized files are refused */
	p = write_file(a, "bin.theme", "title = red\0\x01\x02", 14);
	assert_int_equal(tui_theme_load(&t, "bin", err, sizeof err), -1);
	assert_non_null(strstr(err, ": not a text file"));
	free(p);
	{
		size_t n = 300 * 1024;
		char *big = ry_xmalloc(n);
		memset(big, '#', n);
		p = write_file(a, "big.theme", big, n);
		assert_int_equal(tui_theme_load(&t, "big", err, sizeof err), -1);
		assert_non_null(strstr(err, ": too large for a theme file"));
		free(big);
		free(p);
	}
	/* a directory named like a theme */
	p = ry_xasprintf("%s/dir.theme", b);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(tui_theme_load(&t, "dir", err, sizeof err), -1);
	assert_true(same_as_default(&t));
	free(p);

	unsetenv("RUNYARD_THEMES");
	unsetenv("XDG_DATA_HOME");
	free(env);
	free(sub);
	ry_test_rmdir(a);
	ry_test_rmdir(b);
	ry_test_rmdir(xdg);
}

static void test_color_for__small_terminals(void **state)
{
	(void)state;
	assert_int_equal(tui_theme_color_for(-1, 256), -1);
	assert_int_equal(tui_theme_color_for(-1, 8), -1);
	assert_int_equal(tui_theme_color_for(100, 256), 100);
	assert_int_equal(tui_theme_color_for(5, 8), 5);
	assert_int_equal(tui_theme_color_for(12, 16), 12);
	assert_int_equal(tui_theme_color_for(12, 8), 4);      /* bright blue -> blue */
	assert_int_equal(tui_theme_color_for(100, 0), -1);    /* no colours at all */
	assert_int_equal(tui_theme_color_for(196, 8), 1);     /* pure red */
	assert_int_equal(tui_theme_color_for(196, 16), 9);
	assert_int_equal(tui_theme_color_for(21, 8), 4);      /* pure blue */
	assert_int_equal(tui_theme_color_for(46, 8), 2);      /* pure green */
	assert_int_equal(tui_theme_color_for(226, 8), 3);     /* yellow */
	assert_int_equal(tui_theme_color_for(51, 16), 14);    /* bright cyan */
	assert_int_equal(tui_theme_color_for(16, 8), 0);      /* cube black */
	assert_int_equal(tui_theme_color_for(231, 16), 15);   /* cube white */
	assert_int_equal(tui_theme_color_for(232, 8), 0);     /* darkest grey */
	assert_int_equal(tui_theme_color_for(236, 16), 0);
	assert_int_equal(tui_theme_color_for(244, 16), 8);    /* mid grey */
	assert_int_equal(tui_theme_color_for(254, 8), 7);
	/* muted colours stay coloured rather than turning grey */
	{
		short c = tui_theme_color_for(24, 8);   /* deep steel blue */
		assert_true(c == 4 || c == 6);
		c = tui_theme_color_for(208, 8);        /* orange */
		assert_true(c == 1 || c == 3);
		c = tui_theme_color_for(140, 16);       /* muted purple */
		assert_true(c == 5 || c == 13 || c == 12);
	}
	/* every index maps into range */
	for (int c = 0; c < 256; c++) {
		short m8 = tui_theme_color_for((short)c, 8), m16 = tui_theme_color_for((short)c, 16);
		assert_true(m8 >= 0 && m8 < 8);
		assert_true(m16 >= 0 && m16 < 16);
	}
}

static void test_no_color_keeps_highlights_visible(void **state)
{
	struct tui_theme t;
	(void)state;
	tui_theme_default(&t);
	tui_theme_no_color(&t);
	for (int i = 0; i < TUI_COLOR_COUNT; i++) {
		assert_int_equal(t.e[i].fg, -1);
		assert_int_equal(t.e[i].bg, -1);
	}
	assert_true(t.e[TUI_COLOR_CURSOR].attrs & TUI_ATTR_REVERSE);
	assert_true(t.e[TUI_COLOR_STATUSBAR].attrs & TUI_ATTR_REVERSE);
	assert_false(t.e[TUI_COLOR_RUN_FINISHED].attrs & TUI_ATTR_REVERSE);
	assert_string_equal(tui_theme_element_name(TUI_COLOR_RUN_FAILED), "run-failed");
	assert_null(tui_theme_element_name(TUI_COLOR_COUNT));
}

/* Mutated theme files: never a crash, and either success with no message
 * or one safe line naming the file and line with the default left. */
static void test_parse__mutations_property(void **state)
{
	char *path = ry_xasprintf("%s/themes/default.theme", srcdir()), *orig;
	FILE *f = fopen(path, "rb");
	size_t len;
	unsigned seed = 42;
	(void)state;
	assert_non_null(f);
	orig = ry_xmalloc(65536);
	len = fread(orig, 1, 65535, f);
	orig[len] = '\0';
	fclose(f);
	for (int iter = 0; iter < 3000; iter++) {
		char *text = ry_xstrdup(orig), err[256];
		struct tui_theme t;
		int rc, edits = 1 + iter % 4;
		for (int k = 0; k < edits; k++) {
			seed = seed * 1103515245 + 12345;
			text[(seed >> 8) % len] = (char)(1 + (seed >> 20) % 255);
		}
		rc = tui_theme_parse(&t, text, "t.theme", err, sizeof err);
		if (rc == 0) {
			assert_string_equal(err, "");
		} else {
			assert_int_equal(rc, -1);
			assert_true(!strncmp(err, "t.theme:", 8));
			for (const char *p = err; *p; p++)
				assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
			assert_true(same_as_default(&t));
		}
		free(text);
	}
	free(orig);
	free(path);
}

/* Compare charts up to 12 runs: every colour theme gives each its own
 * colour (before, runs 7 to 12 reused the first six). */
static void test_series__twelve_distinct_slots(void **state)
{
	static const char *names[] = { "default", "light", "solarized-dark", "high-contrast" };
	char *dir = ry_xasprintf("%s/themes", srcdir());
	(void)state;
	assert_int_equal(TUI_THEME_NSERIES, 12);
	for (size_t i = 0; i < TUI_THEME_NSERIES; i++) {
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(tui_theme_series(i), tui_theme_series(j));
		assert_true(tui_theme_series(i) >= TUI_COLOR_SERIES_1 && tui_theme_series(i) <= TUI_COLOR_SERIES_12);
	}
	assert_int_equal(tui_theme_series(12), tui_theme_series(0)); /* cycles */
	setenv("RUNYARD_THEMES", dir, 1);
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		struct tui_theme t;
		char err[256] = "";
		if (tui_theme_load(&t, names[k], err, sizeof err) != 0)
			fail_msg("%s: %s", names[k], err);
		for (size_t i = 0; i < TUI_THEME_NSERIES; i++) {
			const struct tui_theme_entry *a = &t.e[tui_theme_series(i)];
			assert_true(a->fg >= 0);
			for (size_t j = 0; j < i; j++) {
				if (a->fg == t.e[tui_theme_series(j)].fg)
					fail_msg("%s: series-%zu and series-%zu share colour %d", names[k], i + 1, j + 1, a->fg);
			}
		}
	}
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse__degenerate),
		cmocka_unit_test(test_parse__good_file),
		cmocka_unit_test(test_parse__each_error_names_file_and_line),
		cmocka_unit_test(test_parse__error_text_is_sanitised),
		cmocka_unit_test(test_parse__mutations_property),
		cmocka_unit_test(test_default_theme_file_matches_builtin),
		cmocka_unit_test(test_shipped_themes_parse_by_name),
		cmocka_unit_test(test_load__search_order_and_failures),
		cmocka_unit_test(test_color_for__small_terminals),
		cmocka_unit_test(test_no_color_keeps_highlights_visible),
		cmocka_unit_test(test_series__twelve_distinct_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
