/* Display width and fitting of outside text (tui/text/text.c). */
#include "testutil.h"
#include "text/text.h"

#define ELL "\xe2\x80\xa6" /* … */

static int fit(char *out, size_t n, const char *s, int cols, bool pad, bool right, bool utf8)
{
	int w = tui_text_fit(out, n, s, cols, pad, right, utf8);
	/* whatever came out, the claim about its width must be true */
	assert_int_equal(tui_text_width(out), w);
	return w;
}

static void test_width__null_and_empty(void **state)
{
	(void)state;
	assert_int_equal(tui_text_width(NULL), 0);
	assert_int_equal(tui_text_width(""), 0);
}

static void test_width__ascii_cjk_combining_emoji(void **state)
{
	(void)state;
	assert_int_equal(tui_text_width("hello"), 5);
	assert_int_equal(tui_text_width("日本語"), 6);
	assert_int_equal(tui_text_width("한국어"), 6);
	assert_int_equal(tui_text_width("ｆｕｌｌ"), 8);            /* fullwidth forms */
	assert_int_equal(tui_text_width("e\xcc\x81"), 1);            /* e + COMBINING ACUTE */
	assert_int_equal(tui_text_width("\xf0\x9f\x98\x80"), 2);     /* U+1F600 */
	assert_int_equal(tui_text_width("\xe2\x9c\x94"), 1);         /* U+2714 text-style */
	assert_int_equal(tui_text_width("a\xe2\x80\x8b" "b"), 2);    /* zero width space */
	assert_int_equal(tui_text_width("\xf0\xa0\x80\x80"), 2);     /* CJK ext B */
	assert_int_equal(tui_text_width("x\xff"), 2);                /* invalid byte: 1 */
	assert_int_equal(tui_text_cp_width(0x1b), 0);
	assert_int_equal(tui_text_cp_width(0x300), 0);
	assert_int_equal(tui_text_cp_width(0x4e00), 2);
	assert_int_equal(tui_text_cp_width(0xff61), 1);              /* halfwidth katakana */
	assert_int_equal(tui_text_cp_width(0x10ffff), 1);
}

static void test_fit__degenerate(void **state)
{
	char out[32] = "junk";
	(void)state;
	assert_int_equal(tui_text_fit(NULL, 0, "x", 3, false, false, true), 0);
	assert_int_equal(tui_text_fit(out, 0, "x", 3, false, false, true), 0);
	assert_string_equal(out, "junk"); /* n == 0: nothing may be written */
	assert_int_equal(fit(out, sizeof out, "abc", 0, true, false, true), 0);
	assert_string_equal(out, "");
	assert_int_equal(fit(out, sizeof out, "abc", -4, true, true, true), 0);
	assert_string_equal(out, "");
	assert_int_equal(fit(out, sizeof out, NULL, 3, true, false, true), 3);
	assert_string_equal(out, "   ");
	assert_int_equal(fit(out, sizeof out, "", 2, false, false, true), 0);
	assert_string_equal(out, "");
}

static void test_fit__ascii(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(fit(out, sizeof out, "hello", 5, false, false, true), 5);
	assert_string_equal(out, "hello");
	assert_int_equal(fit(out, sizeof out, "hello world", 5, false, false, true), 5);
	assert_string_equal(out, "hell" ELL);
	assert_int_equal(fit(out, sizeof out, "hello world", 5, false, false, false), 5);
	assert_string_equal(out, "hell~");
	assert_int_equal(fit(out, sizeof out, "hello", 1, false, false, true), 1);
	assert_string_equal(out, ELL);
	assert_int_equal(fit(out, sizeof out, "ab", 5, true, false, true), 5);
	assert_string_equal(out, "ab   ");
	assert_int_equal(fit(out, sizeof out, "ab", 5, false, false, true), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(fit(out, sizeof out, "ab", 5, false, true, true), 5);
	assert_string_equal(out, "   ab");
	assert_int_equal(fit(out, sizeof out, "abcdefgh", 5, true, true, true), 5);
	assert_string_equal(out, "abcd" ELL);
}

static void test_fit__cjk_never_split(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(fit(out, sizeof out, "日本語", 6, false, false, true), 6);
	assert_string_equal(out, "日本語");
	assert_int_equal(fit(out, sizeof out, "日本語", 5, false, false, true), 5);
	assert_string_equal(out, "日本" ELL);
	/* the second character would straddle the last column: a space instead */
	assert_int_equal(fit(out, sizeof out, "日本語", 4, false, false, true), 4);
	assert_string_equal(out, "日 " ELL);
	assert_int_equal(fit(out, sizeof out, "日本語", 2, false, false, true), 2);
	assert_string_equal(out, " " ELL);
	assert_int_equal(fit(out, sizeof out, "a日本", 4, true, false, true), 4);
	assert_string_equal(out, "a日" ELL);
	assert_int_equal(fit(out, sizeof out, "x日", 8, true, true, true), 8);
	assert_string_equal(out, "     x日");
}

static void test_fit__combining_stays_with_its_letter(void **state)
{
	char out[64];
	(void)state;
	/* é é é written as e + U+0301 */
	assert_int_equal(fit(out, sizeof out, "e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 3, false, false, true), 3);
	assert_string_equal(out, "e\xcc\x81" "e\xcc\x81" "e\xcc\x81");
	assert_int_equal(fit(out, sizeof out, "e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 2, false, false, true), 2);
	assert_string_equal(out, "e\xcc\x81" ELL);
}

static void test_fit__emoji(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(fit(out, sizeof out, "ok \xf0\x9f\x98\x80!", 6, false, false, true), 6);
	assert_string_equal(out, "ok \xf0\x9f\x98\x80!");
	assert_int_equal(fit(out, sizeof out, "ok \xf0\x9f\x98\x80!", 5, false, false, true), 5);
	assert_string_equal(out, "ok  " ELL);
}

static void test_fit__escape_sequences_are_shown_not_sent(void **state)
{
	char out[128];
	(void)state;
	assert_int_equal(fit(out, sizeof out, "\033[2J\033]0;pwned\007", 40, false, false, true), 17);
	assert_string_equal(out, "^[[2J^[]0;pwned^G");
	assert_null(strchr(out, '\033'));
	assert_int_equal(fit(out, sizeof out, "a\tb\nc\r", 40, false, false, true), 9);
	assert_string_equal(out, "a^Ib^Jc^M");
	/* cutting through the caret notation still yields safe text */
	assert_int_equal(fit(out, sizeof out, "\033\033\033\033", 4, false, false, true), 4);
	assert_string_equal(out, "^[^" ELL);
	/* C1 control CSI (U+009B) as UTF-8 */
	fit(out, sizeof out, "x\xc2\x9b" "31m", 40, false, false, true);
	assert_string_equal(out, "x\\u009B31m");
}

static void test_fit__invalid_utf8_and_rtl(void **state)
{
	char out[128];
	(void)state;
	fit(out, sizeof out, "a\xff" "b\xc3", 40, false, false, true);
	assert_string_equal(out, "a\\xFFb\\xC3");
	fit(out, sizeof out, "abc\xe2\x80\xae" "fed", 40, false, false, true); /* U+202E */
	assert_string_equal(out, "abc<U+202E>fed");
	fit(out, sizeof out, "\xe2\x81\xa6x\xe2\x81\xa9", 40, false, false, true); /* isolates */
	assert_string_equal(out, "<U+2066>x<U+2069>");
	/* an overlong encoding of '/' is not a slash */
	fit(out, sizeof out, "\xc0\xaf", 40, false, false, true);
	assert_string_equal(out, "\\xC0\\xAF");
}

static void test_fit__ascii_terminal_gets_question_marks(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(fit(out, sizeof out, "日本x", 10, true, false, false), 10);
	assert_string_equal(out, "??x       ");
	assert_int_equal(fit(out, sizeof out, "cafe\xcc\x81", 10, false, false, false), 4);
	assert_string_equal(out, "cafe");
	assert_int_equal(fit(out, sizeof out, "\xc3\xa9t\xc3\xa9 long", 4, false, false, false), 4);
	assert_string_equal(out, "?t?~");
	for (const char *p = out; *p; p++)
		assert_true((unsigned char)*p < 0x80);
}

static void test_fit__small_buffer_cuts_at_character_boundary(void **state)
{
	char out[8];
	(void)state;
	assert_int_equal(fit(out, 4, "hello", 10, false, false, true), 3);
	assert_string_equal(out, "hel");
	/* 3 bytes for one CJK character do not fit in n=3 (2 + NUL) */
	assert_int_equal(fit(out, 3, "日本", 10, false, false, true), 0);
	assert_string_equal(out, "");
	assert_int_equal(fit(out, 5, "日本", 10, false, false, true), 2);
	assert_string_equal(out, "日");
	/* an absurd width with a small buffer returns at once */
	assert_int_equal(fit(out, sizeof out, "ab", 2000000000, true, false, true), 7);
	assert_string_equal(out, "ab     ");
	assert_int_equal(fit(out, sizeof out, "ab", 2000000000, false, true, true), 7);
}

/* Random bytes in, at any width: never a control byte out, always valid
 * UTF-8, never wider than asked, exact when padding. */
static void test_fit__random_bytes_property(void **state)
{
	char in[64], out[512];
	unsigned seed = 12345;
	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (seed = seed * 1103515245 + 12345) >> 16 & 31;
		int cols = (int)((seed = seed * 1103515245 + 12345) >> 16 & 31);
		bool pad = iter & 1, right = iter & 2, utf8 = !(iter & 4);
		int w;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			/* bias towards interesting bytes */
			static const unsigned char pick[] = { 0x1b, 0x07, 0x9b, 0xe2, 0x80, 0xae, 0xe6, 0x97,
			                                      0xa5, 0xcc, 0x81, 0xf0, 0x9f, 0x98, 0xff, 'a' };
			in[i] = (char)((seed >> 20) & 1 ? pick[(seed >> 16) & 15] : (seed >> 8) & 0xff);
			if (!in[i])
				in[i] = 'z';
		}
		in[len] = '\0';
		w = fit(out, sizeof out, in, cols, pad, right, utf8);
		assert_true(w <= (cols > 0 ? cols : 0));
		if ((pad || right) && cols > 0)
			assert_int_equal(w, cols);
		for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
			assert_true(*p >= 0x20 && *p != 0x7f);
			if (!utf8)
				assert_true(*p < 0x80);
		}
		{
			char *again = ry_sanitize_dup(out); /* valid UTF-8 passes unchanged */
			assert_string_equal(again, out);
			free(again);
		}
	}
}

/* A plain model of tui_text_fit (UTF-8, no padding) over the fully
 * sanitised string, to check the real one, which sanitises only a prefix. */
static char *model_fit(const char *s, int cols)
{
	char *san = ry_sanitize_dup(s);
	ry_buf b = RY_BUF_INIT;
	size_t i = 0, len = strlen(san), cut = 0;
	int w = 0, cut_w = 0;
	bool cut_done = false;
	while (i < len) {
		uint32_t cp = 0;
		size_t k = 1;
		unsigned char c = (unsigned char)san[i];
		if (c >= 0xf0) { k = 4; cp = c & 7; }
		else if (c >= 0xe0) { k = 3; cp = c & 15; }
		else if (c >= 0xc0) { k = 2; cp = c & 31; }
		else cp = c;
		for (size_t j = 1; j < k; j++)
			cp = cp << 6 | ((unsigned char)san[i + j] & 63);
		if (!cut_done && w + tui_text_cp_width(cp) <= cols - 1) {
			cut = i + k;
			cut_w = w + tui_text_cp_width(cp);
		} else {
			cut_done = true;
		}
		w += tui_text_cp_width(cp);
		i += k;
	}
	if (w <= cols) {
		ry_buf_puts(&b, san);
	} else {
		ry_buf_put(&b, san, cut);
		for (int g = cut_w; g < cols - 1; g++)
			ry_buf_putc(&b, ' ');
		ry_buf_puts(&b, ELL);
	}
	free(san);
	return ry_buf_detach(&b);
}

static void test_fit__long_text_matches_model(void **state)
{
	static const char *pieces[] = { "a", "\xe6\x97\xa5", "\xcc\x81", "\x1b", "\xff", "\xe2\x80\xae",
	                                "\xf0\x9f\x98\x80", "\x80", "\xe2\x80", "xyz", " " };
	unsigned seed = 99;
	static char out[16384]; /* all of a sanitised input, combining marks included */
	(void)state;
	for (int iter = 0; iter < 3000; iter++) {
		ry_buf in = RY_BUF_INIT;
		int cols, len;
		char *want;
		seed = seed * 1103515245 + 12345;
		len = (int)(seed >> 16) % 600;
		cols = 1 + (int)((seed >> 8) % 120);
		for (int k = 0; k < len; k++) {
			seed = seed * 1103515245 + 12345;
			/* long runs of combining marks sometimes, to defeat the prefix guess */
			ry_buf_puts(&in, pieces[(iter % 7 == 0) ? 2 : (seed >> 16) % 11]);
		}
		if (iter % 7 == 0)
			ry_buf_puts(&in, "tail");
		want = model_fit(ry_buf_cstr(&in), cols);
		fit(out, sizeof out, ry_buf_cstr(&in), cols, false, false, true);
		if (strcmp(out, want))
			fail_msg("cols %d: got '%s' want '%s'", cols, out, want);
		free(want);
		ry_buf_free(&in);
	}
}

static void test_fit__megabyte_line_is_cheap(void **state)
{
	size_t n = 8 << 20;
	char *big = ry_xmalloc(n + 1), out[64];
	double t0;
	(void)state;
	memset(big, 'x', n);
	big[n] = '\0';
	big[0] = '\033';
	t0 = ry_monotonic();
	for (int i = 0; i < 1000; i++)
		fit(out, sizeof out, big, 20, true, false, true);
	assert_string_equal(out, "^[xxxxxxxxxxxxxxxxx" ELL);
	/* a thousand fits of an 8 MB line: sanitising it all would take seconds */
	assert_true(ry_monotonic() - t0 < 0.5);
	free(big);
}

static void expect_distinct(size_t n, const char *const *names, const char *want)
{
	char *out[8];
	ry_buf b = RY_BUF_INIT;
	tui_text_distinct(out, names, n);
	for (size_t i = 0; i < n; i++)
		ry_buf_printf(&b, "%s%s", i ? "|" : "", out[i]);
	assert_string_equal(ry_buf_cstr(&b), want);
	for (size_t i = 0; i < n; i++)
		free(out[i]);
	ry_buf_free(&b);
}

static void test_distinct__legend_labels(void **state)
{
	(void)state;
	expect_distinct(0, NULL, "");
	expect_distinct(1, (const char *[]){ "resnet-lr0.1" }, "resnet-lr0.1");
	expect_distinct(2, (const char *[]){ "resnet-lr0.1-bs64", "resnet-lr0.01-bs64" }, "lr0.1|lr0.01");
	expect_distinct(3, (const char *[]){ "exp/a_seed1", "exp/b_seed1", "exp/c_seed1" }, "a|b|c");
	/* shared bytes inside a word are kept: "run" is not a word of "run2" */
	expect_distinct(2, (const char *[]){ "run1", "run2" }, "run1|run2");
	expect_distinct(2, (const char *[]){ "same", "same" }, "same|same");
	/* one name is all shared words: nothing is dropped */
	expect_distinct(2, (const char *[]){ "base", "base-ft" }, "base|base-ft");
	expect_distinct(2, (const char *[]){ "lr=0.1 bs=32", "lr=0.3 bs=32" }, "0.1|0.3");
	expect_distinct(2, (const char *[]){ NULL, "x" }, "|x");
	/* outside text is sanitised first */
	expect_distinct(2, (const char *[]){ "job-\033[31mred", "job-blue" }, "^[[31mred|blue");
}

/* Word wrap: degenerate input, then a break at the last space that fits,
 * a word longer than the line cut, a wide character never split. */
static void test_wrap__degenerate(void **state)
{
	(void)state;
	assert_int_equal(tui_text_wrap(NULL, 10), 0);
	assert_int_equal(tui_text_wrap("", 10), 0);
	/* a line narrower than any character still takes one */
	assert_int_equal(tui_text_wrap("abc", 0), 1);
	assert_int_equal(tui_text_wrap("\xe4\xb8\xad\xe6\x96\x87", 1), 3);
}

static void test_wrap__at_words(void **state)
{
	(void)state;
	assert_int_equal(tui_text_wrap("short", 10), 5);
	/* "train.py --lr" fits in 13: the break is at the space after it */
	assert_int_equal(tui_text_wrap("train.py --lr 0.1", 13), 13);
	assert_int_equal(tui_text_wrap("train.py --lr 0.1", 12), 8);
	/* one word wider than the line: cut at the width */
	assert_int_equal(tui_text_wrap("--checkpoint-dir=/x", 8), 8);
	/* a leading space is no break */
	assert_int_equal(tui_text_wrap(" abcdefgh", 4), 4);
	/* a wide character is not split at the edge */
	assert_int_equal(tui_text_wrap("ab\xe4\xb8\xad" "cd", 3), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width__null_and_empty),
		cmocka_unit_test(test_width__ascii_cjk_combining_emoji),
		cmocka_unit_test(test_fit__degenerate),
		cmocka_unit_test(test_fit__ascii),
		cmocka_unit_test(test_fit__cjk_never_split),
		cmocka_unit_test(test_fit__combining_stays_with_its_letter),
		cmocka_unit_test(test_fit__emoji),
		cmocka_unit_test(test_fit__escape_sequences_are_shown_not_sent),
		cmocka_unit_test(test_fit__invalid_utf8_and_rtl),
		cmocka_unit_test(test_fit__ascii_terminal_gets_question_marks),
		cmocka_unit_test(test_fit__small_buffer_cuts_at_character_boundary),
		cmocka_unit_test(test_fit__random_bytes_property),
		cmocka_unit_test(test_fit__long_text_matches_model),
		cmocka_unit_test(test_fit__megabyte_line_is_cheap),
		cmocka_unit_test(test_distinct__legend_labels),
		cmocka_unit_test(test_wrap__degenerate),
		cmocka_unit_test(test_wrap__at_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
