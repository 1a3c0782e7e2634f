/* A run's log as a terminal shows it (tui/text/logtext.c), on the bytes
 * tqdm, Keras 2 and Lightning really write. */
#include "testutil.h"
#include "text/logtext.h"

/* tqdm 4.x (std.tqdm.status_printer + close): "\r" + bar padded to the
 * last width, then "\n" on close. */
static const char tqdm_bytes[] =
	"\r  0%|          | 0/4 [00:00<?, ?it/s]"
	"\r 25%|\xe2\x96\x88\xe2\x96\x8c        | 1/4 [00:00<00:00,  9.91it/s]"
	"\r 50%|\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88     | 2/4 [00:00<00:00,  9.93it/s]"
	"\r100%|\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88"
	"\xe2\x96\x88\xe2\x96\x88| 4/4 [00:00<00:00,  9.95it/s, loss=0.213]\n"
	"done\n";
#define TQDM_FINAL "100%|\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88" \
	"\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88| 4/4 [00:00<00:00,  9.95it/s, loss=0.213]"

/* Keras 2.x Progbar at a tty (_dynamic_display): "\b" * previous width,
 * "\r", the new line padded with spaces to the previous width, "\n" at the
 * end of the epoch.  Standalone Keras 2.0-2.2 wrote the "\b" run alone. */
static const char keras_bytes[] =
	"Epoch 1/2\n"
	"1/3 [=========>....................] - ETA: 0s - loss: 0.6931"
	"\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r"
	"2/3 [===================>..........] - ETA: 0s - loss: 0.5012"
	"\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\r"
	"3/3 [==============================] - 1s 12ms/step - loss: 0.4010 - val_loss: 0.3821\n";
#define KERAS_FINAL "3/3 [==============================] - 1s 12ms/step - loss: 0.4010 - val_loss: 0.3821"

static const char keras_old_bytes[] = /* "\b" only, no "\r" */
	"1/2 [==============>...............] - ETA: 1s - loss: 0.9000"
	"\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b"
	"2/2 [==============================] - 2s 1s/step - loss: 0.8000 - val_loss: 0.7500\n";

/* Lightning's TQDMProgressBar: the main bar at position 0, the validation
 * bar at position 1 (tqdm's moveto: "\n" down, "\x1b[A" back up), closed
 * with leave=False ("\r" + spaces + "\r"), then the main bar's last state
 * with the epoch's metrics. */
static const char lightning_bytes[] =
	"\rEpoch 0:   0%|          | 0/2 [00:00<?, ?it/s]"
	"\rEpoch 0:  50%|\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88     | 1/2 [00:00<00:00, 41.2it/s, v_num=0]"
	"\n\rValidation: 0it [00:00, ?it/s]\x1b[A"
	"\n\r                                \r\x1b[A"
	"\rEpoch 0: 100%|\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88"
	"\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88| 2/2 [00:00<00:00, 40.1it/s, v_num=0, val_loss=0.430]\n";

static tui_logtext *render_all(const char *s, size_t len)
{
	tui_logtext *lt = tui_logtext_new();
	tui_logtext_feed(lt, s, len);
	tui_logtext_finish(lt);
	return lt;
}

static const char *text(const tui_logtext *lt, size_t i)
{
	const struct tui_logtext_line *l = tui_logtext_line(lt, i);
	assert_non_null(l);
	return l->text;
}

static void test_logtext__empty_and_null(void **state)
{
	(void)state;
	tui_logtext_free(NULL);
	tui_logtext *lt = render_all("", 0);
	assert_int_equal(tui_logtext_count(lt), 0);
	assert_null(tui_logtext_line(lt, 0));
	assert_null(tui_logtext_partial(lt));
	tui_logtext_free(lt);
}

/* Dropping lines before any were fed (fuzz_logtext: memmove from a NULL
 * array, which clang's UBSan stops on) keeps the renderer usable. */
static void test_logtext__drop_before_anything_was_fed(void **state)
{
	(void)state;
	tui_logtext *lt = tui_logtext_new();
	tui_logtext_drop(lt);
	assert_int_equal(tui_logtext_count(lt), 0);
	tui_logtext_feed(lt, "a\n", 2);
	assert_int_equal(tui_logtext_count(lt), 1);
	tui_logtext_drop(lt);
	assert_int_equal(tui_logtext_count(lt), 0);
	tui_logtext_free(lt);
}

/* A combining mark right after tabs past the end of the line (fuzz_logtext:
 * it was joined to a cell beyond the line's cells, a heap read and write
 * out of bounds that ASan stops on): there is no character to join, the
 * line is the 'a', the blanks and the 'b'. */
static void test_logtext__mark_after_tabs_joins_nothing(void **state)
{
	(void)state;
	static const char in[] = "a\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\xcc\x81" "b\n";
	tui_logtext *lt = render_all(in, sizeof in - 1);
	assert_int_equal(tui_logtext_count(lt), 1);
	const char *t = text(lt, 0);
	assert_int_equal(strlen(t), 161);
	assert_int_equal(t[0], 'a');
	assert_int_equal(t[159], ' ');
	assert_int_equal(t[160], 'b');
	tui_logtext_free(lt);
}

static void test_logtext__plain_lines_and_crlf(void **state)
{
	(void)state;
	tui_logtext *lt = render_all("a\r\nb\n\nlast", 10);
	assert_int_equal(tui_logtext_count(lt), 4);
	assert_string_equal(text(lt, 0), "a");
	assert_string_equal(text(lt, 1), "b");
	assert_string_equal(text(lt, 2), "");
	assert_string_equal(text(lt, 3), "last"); /* no newline at the end: still a line */
	tui_logtext_free(lt);
}

static void test_logtext__tqdm_shows_the_last_redraw(void **state)
{
	(void)state;
	tui_logtext *lt = render_all(tqdm_bytes, sizeof tqdm_bytes - 1);
	assert_int_equal(tui_logtext_count(lt), 2);
	assert_string_equal(text(lt, 0), TQDM_FINAL);
	assert_string_equal(text(lt, 1), "done");
	tui_logtext_free(lt);
}

static void test_logtext__keras_backspaces_overwrite(void **state)
{
	(void)state;
	tui_logtext *lt = render_all(keras_bytes, sizeof keras_bytes - 1);
	assert_int_equal(tui_logtext_count(lt), 2);
	assert_string_equal(text(lt, 0), "Epoch 1/2");
	assert_string_equal(text(lt, 1), KERAS_FINAL);
	tui_logtext_free(lt);
	lt = render_all(keras_old_bytes, sizeof keras_old_bytes - 1);
	assert_int_equal(tui_logtext_count(lt), 1);
	assert_string_equal(text(lt, 0), "2/2 [==============================] - 2s 1s/step - loss: 0.8000 - val_loss: 0.7500");
	tui_logtext_free(lt);
}

static void test_logtext__lightning_ends_with_val_loss(void **state)
{
	(void)state;
	tui_logtext *lt = render_all(lightning_bytes, sizeof lightning_bytes - 1);
	size_t n = tui_logtext_count(lt);
	assert_true(n >= 1);
	assert_non_null(strstr(text(lt, n - 1), "val_loss=0.430]"));
	assert_non_null(strstr(text(lt, n - 1), "Epoch 0: 100%"));
	for (size_t i = 0; i < n; i++) /* never the raw bytes */
		assert_null(strpbrk(text(lt, i), "\r\x1b\b"));
	tui_logtext_free(lt);
}

/* tqdm 4.67's nested bars (tests/helpers/train_nested.sh): the inner bar at
 * position 1 is reached with "\n" and left with "\x1b[A"; closed with
 * leave=False it is blanked.  A terminal ends with the outer bar's last
 * state and the next line, not every redraw. */
#define BLK "\xe2\x96\x88"
static const char nested_bytes[] =
	"\repoch:   0%|          | 0/2 [00:00<?, ?it/s]"
	"\n\rbatch:   0%|          | 0/3 [00:00<?, ?it/s]\x1b[A"
	"\n\rbatch:  33%|" BLK "\xe2\x96\x8e      | 1/3 [00:00<00:00,  9.95it/s]\x1b[A"
	"\n\rbatch: 100%|" BLK BLK BLK BLK BLK BLK BLK BLK BLK BLK "| 3/3 [00:00<00:00,  9.92it/s]\x1b[A"
	"\n\r                                                    \x1b[A"
	"\repoch:  50%|" BLK BLK BLK BLK BLK "     | 1/2 [00:00<00:00,  3.31it/s, loss=0.402]"
	"\n\rbatch:   0%|          | 0/3 [00:00<?, ?it/s]\x1b[A"
	"\n\r                                                    \x1b[A"
	"\repoch: 100%|" BLK BLK BLK BLK BLK BLK BLK BLK BLK BLK "| 2/2 [00:00<00:00,  3.30it/s, loss=0.213]\n"
	"done\n";

static void test_logtext__nested_tqdm_bars_end_in_their_last_state(void **state)
{
	(void)state;
	tui_logtext *lt = render_all(nested_bytes, sizeof nested_bytes - 1);
	assert_int_equal(tui_logtext_count(lt), 2);
	assert_string_equal(text(lt, 0), "epoch: 100%|" BLK BLK BLK BLK BLK BLK BLK BLK BLK BLK
	                                 "| 2/2 [00:00<00:00,  3.30it/s, loss=0.213]");
	assert_string_equal(text(lt, 1), "done");
	tui_logtext_free(lt);
}

/* ESC [ n A goes n rows up (rich, pip); ESC [ 2K blanks the row; the
 * cursor goes no higher than the first row; colour survives a row being
 * redrawn from above. */
static void test_logtext__cursor_up_n_and_erase_line(void **state)
{
	(void)state;
	static const char s[] = "\x1b[32mA\x1b[0m-one\nB-one\nC-one\x1b[2A\rA\x1b[1B\r\x1b[2KB-two\n\nD\x1b[9A\rZ";
	tui_logtext *lt = render_all(s, sizeof s - 1);
	assert_int_equal(tui_logtext_count(lt), 4);
	assert_string_equal(text(lt, 0), "Z-one");
	assert_string_equal(text(lt, 1), "B-two");
	assert_string_equal(text(lt, 2), "C-one");
	assert_string_equal(text(lt, 3), "D");
	tui_logtext_free(lt);
	static const char g[] = "\x1b[32mgreen\x1b[0m\nx\x1b[A\rG";
	lt = render_all(g, sizeof g - 1);
	assert_string_equal(text(lt, 0), "Green");
	assert_int_equal(tui_logtext_line(lt, 0)->nspans, 1); /* G takes the pen's plain; "reen" stays green */
	assert_int_equal(tui_logtext_line(lt, 0)->spans[0].start, 1);
	assert_int_equal(tui_logtext_line(lt, 0)->spans[0].attr.fg, 2);
	tui_logtext_free(lt);
}

/* A follower sees each bar once it can no longer change: after output
 * has moved up a row, the last row is held back until the end. */
static void test_logtext__held_rows_wait_for_the_follower(void **state)
{
	(void)state;
	tui_logtext *lt = tui_logtext_new();
	tui_logtext_feed(lt, nested_bytes, sizeof nested_bytes - 1);
	assert_int_equal(tui_logtext_count(lt), 1);
	assert_non_null(strstr(text(lt, 0), "epoch: 100%"));
	tui_logtext_drop(lt);
	assert_int_equal(tui_logtext_count(lt), 0);
	tui_logtext_finish(lt);
	assert_int_equal(tui_logtext_count(lt), 1);
	assert_string_equal(text(lt, 0), "done");
	tui_logtext_free(lt);
}

/* However the bytes are split between feeds, the lines are the same. */
static void test_logtext__any_split_gives_the_same_lines(void **state)
{
	(void)state;
	const char *all[] = { tqdm_bytes, keras_bytes, lightning_bytes, nested_bytes,
	                      "\x1b[1;31mred\x1b[0m \xe6\x97\xa5\xe6\x9c\xac x\x1b]0;t\x07y\xf0\x9f\x98\x80\n" };
	for (size_t f = 0; f < sizeof all / sizeof all[0]; f++) {
		size_t len = strlen(all[f]);
		tui_logtext *whole = render_all(all[f], len);
		for (size_t chunk = 1; chunk <= 7; chunk++) {
			tui_logtext *lt = tui_logtext_new();
			for (size_t i = 0; i < len; i += chunk)
				tui_logtext_feed(lt, all[f] + i, i + chunk <= len ? chunk : len - i);
			tui_logtext_finish(lt);
			assert_int_equal(tui_logtext_count(lt), tui_logtext_count(whole));
			for (size_t i = 0; i < tui_logtext_count(lt); i++) {
				assert_string_equal(text(lt, i), text(whole, i));
				assert_int_equal(tui_logtext_line(lt, i)->nspans, tui_logtext_line(whole, i)->nspans);
			}
			tui_logtext_free(lt);
		}
		tui_logtext_free(whole);
	}
}

static void test_logtext__partial_is_the_line_being_redrawn(void **state)
{
	(void)state;
	tui_logtext *lt = tui_logtext_new();
	tui_logtext_feed(lt, "\r 10%|#", 7);
	assert_int_equal(tui_logtext_count(lt), 0);
	assert_string_equal(tui_logtext_partial(lt)->text, " 10%|#");
	tui_logtext_feed(lt, "\r 20%|##", 8);
	assert_string_equal(tui_logtext_partial(lt)->text, " 20%|##");
	tui_logtext_feed(lt, "\n", 1);
	assert_null(tui_logtext_partial(lt));
	assert_int_equal(tui_logtext_count(lt), 1);
	tui_logtext_drop(lt);
	assert_int_equal(tui_logtext_count(lt), 0);
	tui_logtext_free(lt);
}

static void test_logtext__sgr_becomes_spans(void **state)
{
	(void)state;
	const char s[] = "\x1b[31mred\x1b[0m plain \x1b[1;38;5;196mB\x1b[38;2;0;255;0mG\x1b[m end";
	tui_logtext *lt = render_all(s, sizeof s - 1);
	const struct tui_logtext_line *l = tui_logtext_line(lt, 0);
	assert_string_equal(l->text, "red plain BG end");
	assert_int_equal(l->nspans, 3);
	assert_int_equal(l->spans[0].start, 0);
	assert_int_equal(l->spans[0].end, 3);
	assert_int_equal(l->spans[0].attr.fg, 1);
	assert_int_equal(l->spans[0].attr.bg, TUI_LOGTEXT_NOCOLOR);
	assert_int_equal(l->spans[1].attr.fg, 196);
	assert_int_equal(l->spans[1].attr.flags, TUI_LOGTEXT_BOLD);
	assert_int_equal(l->spans[2].attr.fg, 46); /* #00ff00 in the 6x6x6 cube */
	ry_buf b = RY_BUF_INIT;
	tui_logtext_put(&b, l, false);
	assert_string_equal(ry_buf_cstr(&b), "red plain BG end");
	ry_buf_clear(&b);
	tui_logtext_put(&b, l, true);
	assert_string_equal(ry_buf_cstr(&b), "\x1b[0;38;5;1mred\x1b[0m plain \x1b[0;1;38;5;196mB\x1b[0m"
	                                     "\x1b[0;1;38;5;46mG\x1b[0m end");
	ry_buf_free(&b);
	tui_logtext_free(lt);
}

static void test_logtext__other_sequences_are_dropped(void **state)
{
	(void)state;
	const char s[] = "\x1b[2J\x1b[H\x1b[?25lhi\x1b]0;title\x07\x1b(B!\x1b]8;;http://x\x1b\\link\x1b""7.";
	tui_logtext *lt = render_all(s, sizeof s - 1);
	assert_int_equal(tui_logtext_count(lt), 1);
	assert_string_equal(text(lt, 0), "hi!link.");
	tui_logtext_free(lt);
}

static void test_logtext__controls_and_bad_utf8_are_inert(void **state)
{
	(void)state;
	const char s[] = "a\x07" "b\xff" "c\xc2\x85" "d\xe2\x80\xae" "e\x7f";
	tui_logtext *lt = render_all(s, sizeof s - 1);
	assert_string_equal(text(lt, 0), "a^Gb\\xFFc\\u0085d<U+202E>e^?");
	tui_logtext_free(lt);
	/* a lone ESC at the very end, and a cut UTF-8 character */
	lt = render_all("x\x1b", 2);
	assert_string_equal(text(lt, 0), "x");
	tui_logtext_free(lt);
	lt = render_all("y\xe6\x97", 3);
	assert_string_equal(text(lt, 0), "y\\xE6\\x97");
	tui_logtext_free(lt);
}

static void test_logtext__erase_tab_and_combining(void **state)
{
	(void)state;
	const char s[] = "progress 99%\r\x1b[2Kdone\n"  /* rich: \r + erase line */
	                 "abcdef\r\x1b[Kxy\n"
	                 "a\tb\n"
	                 "e\xcc\x81\bE\n";                /* e + combining acute, backspace, E */
	tui_logtext *lt = render_all(s, sizeof s - 1);
	assert_int_equal(tui_logtext_count(lt), 4);
	assert_string_equal(text(lt, 0), "done");
	assert_string_equal(text(lt, 1), "xy");
	assert_string_equal(text(lt, 2), "a       b");
	assert_string_equal(text(lt, 3), "E");
	tui_logtext_free(lt);
}

static void test_logtext__huge_line_is_bounded(void **state)
{
	(void)state;
	size_t n = 40000;
	char *s = ry_xmalloc(n);
	memset(s, 'x', n);
	tui_logtext *lt = render_all(s, n);
	assert_true(tui_logtext_count(lt) >= 2);
	size_t total = 0;
	for (size_t i = 0; i < tui_logtext_count(lt); i++) {
		assert_true(tui_logtext_line(lt, i)->len <= 16384);
		total += tui_logtext_line(lt, i)->len;
	}
	assert_int_equal(total, n);
	tui_logtext_free(lt);
	free(s);
}

/* Random bytes: every line is valid UTF-8 with no control byte. */
static void test_logtext__random_bytes_never_reach_the_terminal(void **state)
{
	(void)state;
	unsigned seed = 13;
	char buf[512];
	for (int round = 0; round < 2000; round++) {
		for (size_t i = 0; i < sizeof buf; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned v = (seed >> 16) & 0xff;
			/* plenty of the interesting bytes */
			buf[i] = v < 40 ? "\r\n\b\x1b[];m\t\x07"[v % 11] : (char)v;
		}
		tui_logtext *lt = render_all(buf, sizeof buf);
		for (size_t i = 0; i < tui_logtext_count(lt); i++) {
			const struct tui_logtext_line *l = tui_logtext_line(lt, i);
			assert_true(ry_utf8_valid(l->text, l->len));
			assert_int_equal(strlen(l->text), l->len);
			for (size_t k = 0; k < l->len; k++)
				assert_false((unsigned char)l->text[k] < 0x20 || l->text[k] == 0x7f);
			for (size_t k = 0; k < l->nspans; k++)
				assert_true(l->spans[k].start < l->spans[k].end && l->spans[k].end <= l->len);
		}
		tui_logtext_free(lt);
	}
}

static void test_logtext__raw_escape_shows_every_byte(void **state)
{
	(void)state;
	ry_buf b = RY_BUF_INIT;
	const char s[] = "a\rb\bc\td\x1b[31m\\e\n\x07\xff";
	tui_logtext_escape(&b, s, sizeof s - 1);
	assert_string_equal(ry_buf_cstr(&b), "a\\rb\\bc\\td\\e[31m\\\\e\n^G\\xFF");
	ry_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logtext__empty_and_null),
		cmocka_unit_test(test_logtext__drop_before_anything_was_fed),
		cmocka_unit_test(test_logtext__mark_after_tabs_joins_nothing),
		cmocka_unit_test(test_logtext__plain_lines_and_crlf),
		cmocka_unit_test(test_logtext__tqdm_shows_the_last_redraw),
		cmocka_unit_test(test_logtext__keras_backspaces_overwrite),
		cmocka_unit_test(test_logtext__lightning_ends_with_val_loss),
		cmocka_unit_test(test_logtext__nested_tqdm_bars_end_in_their_last_state),
		cmocka_unit_test(test_logtext__cursor_up_n_and_erase_line),
		cmocka_unit_test(test_logtext__held_rows_wait_for_the_follower),
		cmocka_unit_test(test_logtext__any_split_gives_the_same_lines),
		cmocka_unit_test(test_logtext__partial_is_the_line_being_redrawn),
		cmocka_unit_test(test_logtext__sgr_becomes_spans),
		cmocka_unit_test(test_logtext__other_sequences_are_dropped),
		cmocka_unit_test(test_logtext__controls_and_bad_utf8_are_inert),
		cmocka_unit_test(test_logtext__erase_tab_and_combining),
		cmocka_unit_test(test_logtext__huge_line_is_bounded),
		cmocka_unit_test(test_logtext__random_bytes_never_reach_the_terminal),
		cmocka_unit_test(test_logtext__raw_escape_shows_every_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
