/* The list widget: cursor lists and pagers moved by line, half page, page,
 * first and last, kept visible and clamped on resize and reload
 * (tui/widgets/list.c). */
#include "testutil.h"
#include "widgets/list.h"

static void test_list__empty_is_inert(void **state)
{
	(void)state;
	struct tui_list l;
	for (int pager = 0; pager < 2; pager++) {
		tui_list_init(&l, pager);
		tui_list_fit(&l, 0, 10);
		for (int s = TUI_LIST_DOWN; s <= TUI_LIST_LAST; s++) {
			assert_false(tui_list_move(&l, s, 0));
			assert_int_equal(l.cur, 0);
			assert_int_equal(l.top, 0);
		}
		tui_list_set(&l, 7);
		assert_int_equal(l.cur, 0);
		assert_int_equal(l.top, 0);
	}
}

static void test_list__zero_height_before_first_draw(void **state)
{
	(void)state;
	struct tui_list l;
	tui_list_init(&l, false);
	l.n = 5;
	tui_list_move(&l, TUI_LIST_LAST, 0);
	assert_int_equal(l.cur, 4);
	tui_list_move(&l, TUI_LIST_PAGE_UP, 0); /* page 0 and no height: one line */
	assert_int_equal(l.cur, 3);
	tui_list_init(&l, true);
	l.n = 5;
	tui_list_move(&l, TUI_LIST_LAST, 0);
	assert_true(l.top < 5);
	tui_list_fit(&l, 5, 3);
	assert_int_equal(l.top, 2);
}

static void test_list__cursor_lines_stop_at_the_ends(void **state)
{
	(void)state;
	struct tui_list l;
	tui_list_init(&l, false);
	tui_list_fit(&l, 3, 10);
	assert_false(tui_list_move(&l, TUI_LIST_UP, 0));
	assert_true(tui_list_move(&l, TUI_LIST_DOWN, 0));
	assert_true(tui_list_move(&l, TUI_LIST_DOWN, 0));
	assert_false(tui_list_move(&l, TUI_LIST_DOWN, 0));
	assert_int_equal(l.cur, 2);
	assert_int_equal(l.top, 0);
}

static void test_list__cursor_pages_and_half_pages(void **state)
{
	(void)state;
	struct tui_list l;
	tui_list_init(&l, false);
	tui_list_fit(&l, 100, 10);
	tui_list_move(&l, TUI_LIST_PAGE_DOWN, 8);
	assert_int_equal(l.cur, 8);
	assert_int_equal(l.top, 0); /* still on screen: the top stays */
	tui_list_move(&l, TUI_LIST_HALF_DOWN, 8);
	assert_int_equal(l.cur, 12);
	assert_int_equal(l.top, 3); /* just enough to show the cursor on the last row */
	tui_list_move(&l, TUI_LIST_HALF_UP, 8);
	assert_int_equal(l.cur, 8);
	assert_int_equal(l.top, 3);
	tui_list_move(&l, TUI_LIST_PAGE_UP, 8);
	assert_int_equal(l.cur, 0);
	assert_int_equal(l.top, 0);
	tui_list_move(&l, TUI_LIST_LAST, 8);
	assert_int_equal(l.cur, 99);
	assert_int_equal(l.top, 90);
	tui_list_move(&l, TUI_LIST_PAGE_DOWN, 8);
	assert_int_equal(l.cur, 99);
	tui_list_move(&l, TUI_LIST_FIRST, 8);
	assert_int_equal(l.cur, 0);
	assert_int_equal(l.top, 0);
	tui_list_move(&l, TUI_LIST_HALF_DOWN, 1); /* half of one line is one line */
	assert_int_equal(l.cur, 1);
}

static void test_list__page_scrolls_keeps_the_screen_row(void **state)
{
	(void)state;
	struct tui_list l;
	tui_list_init(&l, false);
	l.page_scrolls = true;
	tui_list_fit(&l, 100, 10);
	tui_list_move(&l, TUI_LIST_DOWN, 0);
	tui_list_move(&l, TUI_LIST_DOWN, 0);
	tui_list_move(&l, TUI_LIST_PAGE_DOWN, 9);
	assert_int_equal(l.cur, 11);
	assert_int_equal(l.top, 9);
	tui_list_move(&l, TUI_LIST_PAGE_UP, 9);
	assert_int_equal(l.cur, 2);
	assert_int_equal(l.top, 0);
	/* Near the end the top stops where the last row is the last item. */
	tui_list_set(&l, 95);
	tui_list_move(&l, TUI_LIST_PAGE_DOWN, 9);
	assert_int_equal(l.cur, 99);
	assert_int_equal(l.top, 90);
}

static void test_list__pager_scrolls_within_the_text(void **state)
{
	(void)state;
	struct tui_list l;
	tui_list_init(&l, true);
	tui_list_fit(&l, 30, 10);
	assert_false(tui_list_move(&l, TUI_LIST_UP, 0));
	tui_list_move(&l, TUI_LIST_DOWN, 0);
	assert_int_equal(l.top, 1);
	tui_list_move(&l, TUI_LIST_PAGE_DOWN, 9);
	assert_int_equal(l.top, 10);
	tui_list_move(&l, TUI_LIST_PAGE_DOWN, 9);
	assert_int_equal(l.top, 19);
	tui_list_move(&l, TUI_LIST_PAGE_DOWN, 9);
	assert_int_equal(l.top, 20); /* the last page, no blank tail */
	assert_false(tui_list_move(&l, TUI_LIST_DOWN, 0));
	tui_list_move(&l, TUI_LIST_HALF_UP, 9);
	assert_int_equal(l.top, 16);
	tui_list_move(&l, TUI_LIST_FIRST, 9);
	assert_int_equal(l.top, 0);
	tui_list_move(&l, TUI_LIST_LAST, 9);
	assert_int_equal(l.top, 20);
	assert_int_equal(l.cur, 0);
	/* Short text: nothing scrolls. */
	tui_list_fit(&l, 4, 10);
	assert_int_equal(l.top, 0);
	assert_false(tui_list_move(&l, TUI_LIST_PAGE_DOWN, 0));
}

static void test_list__reload_shrinks_and_resize_grows(void **state)
{
	(void)state;
	struct tui_list l;
	tui_list_init(&l, false);
	tui_list_fit(&l, 50, 10);
	tui_list_set(&l, 45);
	assert_int_equal(l.top, 36);
	tui_list_fit(&l, 20, 10); /* reload: fewer items */
	assert_int_equal(l.cur, 19);
	assert_int_equal(l.top, 10);
	tui_list_fit(&l, 20, 30); /* the terminal grew: everything shows */
	assert_int_equal(l.top, 0);
	assert_int_equal(l.cur, 19);
	tui_list_fit(&l, 20, 5);  /* it shrank: the cursor stays visible */
	assert_int_equal(l.top, 15);
	tui_list_fit(&l, 0, 5);   /* everything went away */
	assert_int_equal(l.cur, 0);
	assert_int_equal(l.top, 0);
}

static void test_list__set_scrolls_just_enough(void **state)
{
	(void)state;
	struct tui_list l;
	tui_list_init(&l, false);
	tui_list_fit(&l, 100, 10);
	tui_list_set(&l, 5);
	assert_int_equal(l.top, 0);
	tui_list_set(&l, 40);
	assert_int_equal(l.top, 31);
	tui_list_set(&l, 35);
	assert_int_equal(l.top, 31);
	tui_list_set(&l, 500);
	assert_int_equal(l.cur, 99);
	tui_list_init(&l, true);
	tui_list_fit(&l, 100, 10);
	tui_list_set(&l, 42);
	assert_int_equal(l.top, 42);
	tui_list_set(&l, 95);
	assert_int_equal(l.top, 90);
}

/* Any sequence of moves and fits leaves the cursor inside the list and on
 * screen, and no blank tail under a scrolled list. */
static void test_list__property_invariants(void **state)
{
	(void)state;
	unsigned seed = 12345;
	for (int round = 0; round < 2000; round++) {
		struct tui_list l;
		tui_list_init(&l, round & 1);
		l.page_scrolls = round & 2;
		for (int k = 0; k < 50; k++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = seed >> 8;
			if (r % 5 == 0)
				tui_list_fit(&l, r % 40, 1 + (r / 40) % 15);
			else
				tui_list_move(&l, (enum tui_list_step)(r % 8), (r / 8) % 12);
			if (!l.height)
				continue;
			if (l.n)
				assert_true(l.pager ? l.cur == 0 : l.cur < l.n);
			assert_true(l.top <= tui_list_max_top(&l));
			if (!l.pager && l.n) {
				assert_true(l.cur >= l.top);
				assert_true(l.cur < l.top + l.height);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list__empty_is_inert),
		cmocka_unit_test(test_list__zero_height_before_first_draw),
		cmocka_unit_test(test_list__cursor_lines_stop_at_the_ends),
		cmocka_unit_test(test_list__cursor_pages_and_half_pages),
		cmocka_unit_test(test_list__page_scrolls_keeps_the_screen_row),
		cmocka_unit_test(test_list__pager_scrolls_within_the_text),
		cmocka_unit_test(test_list__reload_shrinks_and_resize_grows),
		cmocka_unit_test(test_list__set_scrolls_just_enough),
		cmocka_unit_test(test_list__property_invariants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
