/* What output bytes do to a terminal (core/base/term.c): the tokens, the
 * cursor's column rules, and the one-line overlay the metric scanner reads
 * Keras' "\b" redraws through. */
#include "testutil.h"

static ry_term_token next(const char *s, bool at_end)
{
	ry_term_token t;
	memset(&t, 0, sizeof t);
	t.len = ry_term_next(&t, s, strlen(s), at_end);
	return t;
}

static void test_term__cut_sequences_wait_unless_at_end(void **state)
{
	(void)state;
	assert_int_equal(next("\x1b", false).len, 0);
	assert_int_equal(next("\x1b[3", false).len, 0);
	assert_int_equal(next("\x1b]0;title", false).len, 0);
	assert_int_equal(next("\xe2\x96", false).len, 0); /* a cut UTF-8 character */
	ry_term_token t = next("\x1b[3", true);
	assert_int_equal(t.kind, RY_TERM_IGNORED);
	assert_int_equal(t.len, 3);
	t = next("\xe2\x96", true);
	assert_int_equal(t.kind, RY_TERM_TEXT);
}

static void test_term__controls_and_text(void **state)
{
	(void)state;
	assert_int_equal(next("\n", false).kind, RY_TERM_NEWLINE);
	assert_int_equal(next("\r", false).kind, RY_TERM_CR);
	assert_int_equal(next("\b", false).kind, RY_TERM_BS);
	assert_int_equal(next("\t", false).kind, RY_TERM_TAB);
	assert_int_equal(next("\a", false).kind, RY_TERM_CONTROL);
	assert_int_equal(next("\x7f", false).kind, RY_TERM_CONTROL);
	ry_term_token t = next("\xe2\x96\x88x", false);
	assert_int_equal(t.kind, RY_TERM_TEXT);
	assert_int_equal(t.len, 3);
}

static void test_term__cursor_up_down_and_erase(void **state)
{
	(void)state;
	ry_term_token t = next("\x1b[A", false); /* tqdm's _term_move_up() */
	assert_int_equal(t.kind, RY_TERM_UP);
	assert_int_equal(t.params[0], 1);
	t = next("\x1b[3Arest", false);
	assert_int_equal(t.kind, RY_TERM_UP);
	assert_int_equal(t.params[0], 3);
	assert_int_equal(t.len, 4);
	assert_int_equal(next("\x1b[0A", false).params[0], 1);
	t = next("\x1b[2B", false);
	assert_int_equal(t.kind, RY_TERM_DOWN);
	assert_int_equal(t.params[0], 2);
	t = next("\x1b[K", false);
	assert_int_equal(t.kind, RY_TERM_ERASE);
	assert_int_equal(t.params[0], 0);
	assert_int_equal(next("\x1b[2K", false).params[0], 2);
}

static void test_term__sgr_and_other_sequences(void **state)
{
	(void)state;
	ry_term_token t = next("\x1b[1;38;5;208m", false);
	assert_int_equal(t.kind, RY_TERM_SGR);
	assert_int_equal(t.nparams, 4);
	assert_int_equal(t.params[3], 208);
	assert_int_equal(next("\x1b[m", false).nparams, 0);
	assert_int_equal(next("\x1b[?25l", false).kind, RY_TERM_IGNORED); /* private: hide the cursor */
	assert_int_equal(next("\x1b[10;4H", false).kind, RY_TERM_IGNORED);
	t = next("\x1b]0;title\x07" "after", false);
	assert_int_equal(t.kind, RY_TERM_IGNORED);
	assert_int_equal(t.len, 10);
	assert_int_equal(next("\x1b]8;;u\x1b\\x", false).len, 8);
	assert_int_equal(next("\x1b(B", false).len, 3);
	t = next("\x1b[1\x01", false); /* broken by a control byte: that byte is output */
	assert_int_equal(t.kind, RY_TERM_IGNORED);
	assert_int_equal(t.len, 3);
}

static void test_term__columns(void **state)
{
	(void)state;
	assert_int_equal(ry_term_column(RY_TERM_CR, 17), 0);
	assert_int_equal(ry_term_column(RY_TERM_BS, 0), 0);
	assert_int_equal(ry_term_column(RY_TERM_BS, 5), 4);
	assert_int_equal(ry_term_column(RY_TERM_TAB, 0), 8);
	assert_int_equal(ry_term_column(RY_TERM_TAB, 8), 16);
	assert_int_equal(ry_term_column(RY_TERM_TEXT, 5), 5);
}

static void overlay_is(const char *in, const char *want)
{
	ry_buf b = RY_BUF_INIT;
	ry_term_overlay(&b, in, strlen(in));
	assert_string_equal(b.ptr, want);
	assert_int_equal(b.len, strlen(want));
	ry_buf_free(&b);
}

static void test_term__overlay_one_line(void **state)
{
	(void)state;
	overlay_is("", "");
	overlay_is("abc", "abc");
	overlay_is("loss: 0.9\b\b\b0.5", "loss: 0.5");
	overlay_is("\b\bab", "ab");                        /* no further left than the start */
	overlay_is("1/2 ETA: 1s\rdone", "doneETA: 1s");    /* \r overwrites, the rest stays */
	overlay_is("long text\r\x1b[2Kshort", "short");     /* erased whole */
	overlay_is("abcdef\b\b\x1b[K", "abcd");            /* erased to the end */
	overlay_is("abcdef\b\b\x1b[1K", "     f");          /* erased to the cursor */
	overlay_is("\x1b[31mred\x1b[0m\a", "red");           /* no escape or control is a cell */
	overlay_is("a\tb", "a       b");
	overlay_is("a\t", "a");                             /* a tab alone writes nothing */
}

static void test_term__overlay_reuses_its_buffer(void **state)
{
	(void)state;
	ry_buf b = RY_BUF_INIT;
	ry_term_overlay(&b, "0123456789\b\bxy", 14);
	char *p = b.ptr;
	ry_term_overlay(&b, "short\b!", 7);
	assert_ptr_equal(b.ptr, p); /* the scanner's hot path does not allocate */
	assert_string_equal(b.ptr, "shor!");
	ry_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term__cut_sequences_wait_unless_at_end),
		cmocka_unit_test(test_term__controls_and_text),
		cmocka_unit_test(test_term__cursor_up_down_and_erase),
		cmocka_unit_test(test_term__sgr_and_other_sequences),
		cmocka_unit_test(test_term__columns),
		cmocka_unit_test(test_term__overlay_one_line),
		cmocka_unit_test(test_term__overlay_reuses_its_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
