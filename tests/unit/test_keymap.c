/* Keymaps and the prompt's line editor (tui/app/keymap.c, tui/app/prompt.c): key
 * names, the built-in bindings, user overrides through the config path,
 * per-view fallback, what help lists, and editing keys.  No terminal. */
#include "testutil.h"
#include <curses.h>

#include "app/keymap.h"
#include "app/prompt.h"

static void test_key_parse__unknown_names_fail(void **state)
{
	(void)state;
	assert_int_equal(tui_key_parse(""), -1);
	assert_int_equal(tui_key_parse("NoSuchKey"), -1);
	assert_int_equal(tui_key_parse("C-"), -1);
	assert_int_equal(tui_key_parse("C-1"), -1);
	assert_int_equal(tui_key_parse("ab"), -1);
}

static void test_key_parse__names_chars_and_control(void **state)
{
	(void)state;
	assert_int_equal(tui_key_parse("j"), 'j');
	assert_int_equal(tui_key_parse("?"), '?');
	assert_int_equal(tui_key_parse("Space"), ' ');
	assert_int_equal(tui_key_parse("enter"), '\n');
	assert_int_equal(tui_key_parse("LBracket"), '[');
	assert_int_equal(tui_key_parse("C-d"), 4);
	assert_int_equal(tui_key_parse("PgDn"), TUI_KEY_FN | KEY_NPAGE);
	assert_int_equal(tui_key_parse("\xc3\xa9"), 0xe9); /* é */
	char name[32];
	tui_key_name(TUI_KEY_FN | KEY_NPAGE, name, sizeof name);
	assert_string_equal(name, "PgDn");
	tui_key_name(4, name, sizeof name);
	assert_string_equal(name, "C-d");
	tui_key_name('[', name, sizeof name);
	assert_string_equal(name, "[");
	tui_key_name(0xe9, name, sizeof name);
	assert_string_equal(name, "\xc3\xa9");
}

static void test_defaults__every_view_falls_back_to_generic(void **state)
{
	(void)state;
	tui_keymaps *km = tui_keymap_new();
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_MAIN, 'j'), TUI_ACT_MOVE_DOWN);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_COMPARE, 'j'), TUI_ACT_MOVE_DOWN);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_MAIN, '/'), TUI_ACT_FILTER);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_DETAIL, '/'), TUI_ACT_SEARCH);
	/* h/l are left/right on every screen (issue 13): compare's log-y is y */
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_COMPARE, 'l'), TUI_ACT_MOVE_RIGHT);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_COMPARE, 'y'), TUI_ACT_LOG_Y);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_REGISTRY, 'h'), TUI_ACT_MOVE_LEFT);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_REGISTRY, 'H'), TUI_ACT_HISTORY);
	/* a view binding overrides the generic one (no default does now: bind one) */
	char err[128];
	assert_int_equal(tui_keymap_bind(km, "compare", "l", "log-y", err, sizeof err), 0);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_COMPARE, 'l'), TUI_ACT_LOG_Y);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_MAIN, 'l'), TUI_ACT_MOVE_RIGHT);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_COMPARE, '['), TUI_ACT_EMA_LESS);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_MAIN, 'Z'), TUI_ACT_NONE);
	tui_keymap_free(km);
}

static void test_keys_for__lists_only_reachable_keys(void **state)
{
	(void)state;
	tui_keymaps *km = tui_keymap_new();
	char keys[128];
	assert_int_equal(tui_keymap_keys_for(km, TUI_KM_MAIN, TUI_ACT_MOVE_DOWN, true, keys, sizeof keys), 2);
	assert_string_equal(keys, "j, Down");
	/* with compare's l bound to log-y, move-right is only reachable with Right */
	char err[128];
	assert_int_equal(tui_keymap_bind(km, "compare", "l", "log-y", err, sizeof err), 0);
	tui_keymap_keys_for(km, TUI_KM_COMPARE, TUI_ACT_MOVE_RIGHT, true, keys, sizeof keys);
	assert_string_equal(keys, "Right");
	assert_int_equal(tui_keymap_keys_for(km, TUI_KM_MAIN, TUI_ACT_LOG_Y, true, keys, sizeof keys), 0);
	tui_keymap_free(km);
}

static void test_config__user_bindings_override_and_errors_name_the_entry(void **state)
{
	(void)state;
	tui_keymaps *km = tui_keymap_new();
	ry_config *cfg = NULL;
	char err[256] = "";
	assert_int_equal(ry_config_parse(&cfg,
	                                 "[keys]\nJ = page-down\nj = none\n[keys main]\nx = compare\n"
	                                 "[keys detail]\nq = no-such-action\n[keys nowhere]\nk = move-up\n",
	                                 "test"), 0);
	assert_int_equal(tui_keymap_apply_config(km, cfg, err, sizeof err), 2);
	assert_non_null(strstr(err, "no-such-action"));
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_MAIN, 'J'), TUI_ACT_PAGE_DOWN);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_MAIN, 'j'), TUI_ACT_NONE);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_MAIN, 'x'), TUI_ACT_COMPARE);
	assert_int_equal(tui_keymap_lookup(km, TUI_KM_DETAIL, 'q'), TUI_ACT_BACK); /* bad entry ignored */
	ry_config_free(cfg);
	assert_int_equal(tui_keymap_bind(km, "main", "Nope", "quit", err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown key 'Nope'"));
	tui_keymap_free(km);
}

static void test_actions__names_and_help_come_from_one_table(void **state)
{
	(void)state;
	for (int a = 0; a < TUI_ACT_COUNT; a++) {
		assert_non_null(tui_action_name((enum tui_action)a));
		assert_true(strlen(tui_action_help((enum tui_action)a)) > 5);
	}
	assert_string_equal(tui_action_name(TUI_ACT_COMPARE), "compare");
	assert_string_equal(tui_action_name(TUI_ACT_COUNT), "?");
}

static void test_prompt__editing_keys(void **state)
{
	(void)state;
	struct tui_prompt p;
	memset(&p, 0, sizeof p);
	tui_prompt_set(&p, "/", "lr < 0.1");
	assert_int_equal(tui_prompt_key(&p, '5'), TUI_PROMPT_EDITED);
	assert_string_equal(tui_prompt_text(&p), "lr < 0.15");
	assert_int_equal(tui_prompt_key(&p, 1), TUI_PROMPT_MOVED);         /* C-a */
	assert_int_equal(tui_prompt_key(&p, 0x65e5), TUI_PROMPT_EDITED);  /* 日 */
	assert_string_equal(tui_prompt_text(&p), "\xe6\x97\xa5lr < 0.15");
	assert_int_equal(tui_prompt_key(&p, TUI_KEY_FN | KEY_RIGHT), TUI_PROMPT_MOVED);
	assert_int_equal(tui_prompt_key(&p, TUI_KEY_FN | KEY_LEFT), TUI_PROMPT_MOVED);
	assert_int_equal(tui_prompt_key(&p, TUI_KEY_FN | KEY_BACKSPACE), TUI_PROMPT_EDITED);
	assert_string_equal(tui_prompt_text(&p), "lr < 0.15"); /* the whole multibyte char went */
	assert_int_equal(tui_prompt_key(&p, 5), TUI_PROMPT_MOVED);         /* C-e */
	assert_int_equal(tui_prompt_key(&p, 23), TUI_PROMPT_EDITED);       /* C-w */
	assert_string_equal(tui_prompt_text(&p), "lr < ");
	assert_int_equal(tui_prompt_key(&p, 0x1b5b), TUI_PROMPT_EDITED);
	assert_int_equal(tui_prompt_key(&p, 0x9b), TUI_PROMPT_IGNORED);    /* C1 control */
	assert_int_equal(tui_prompt_key(&p, 3), TUI_PROMPT_IGNORED);       /* C-c */
	assert_int_equal(tui_prompt_key(&p, 21), TUI_PROMPT_EDITED);       /* C-u */
	assert_string_equal(tui_prompt_text(&p), "");
	assert_int_equal(tui_prompt_key(&p, TUI_KEY_FN | KEY_BACKSPACE), TUI_PROMPT_MOVED);
	assert_int_equal(tui_prompt_key(&p, '\n'), TUI_PROMPT_DONE);
	assert_int_equal(tui_prompt_key(&p, 27), TUI_PROMPT_CANCEL);
	tui_prompt_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_parse__unknown_names_fail),
		cmocka_unit_test(test_key_parse__names_chars_and_control),
		cmocka_unit_test(test_defaults__every_view_falls_back_to_generic),
		cmocka_unit_test(test_keys_for__lists_only_reachable_keys),
		cmocka_unit_test(test_config__user_bindings_override_and_errors_name_the_entry),
		cmocka_unit_test(test_actions__names_and_help_come_from_one_table),
		cmocka_unit_test(test_prompt__editing_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
