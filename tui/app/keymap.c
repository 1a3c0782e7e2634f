/*
 * Keymaps: key names, the default bindings and the lookup from a key to an
 * action.  The defaults below are written in the config file's own
 * language and parsed at start by ry_config_parse, then the user's config
 * is applied through the very same tui_keymap_bind path, so anything the
 * defaults do a user can undo.  This module knows nothing of what an action
 * does; views handle actions and the help view lists bindings from here.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/keymap.h"
#include "base/alloc.h"
#include "base/error.h"

/* Key names that are not a single printable character.  `[`, `]`, `=` and
 * `#` have names because the config language gives them meaning. */
static const struct { const char *name; int key; } key_names[] = {
	{ "Up", TUI_KEY_FN | KEY_UP },       { "Down", TUI_KEY_FN | KEY_DOWN },
	{ "Left", TUI_KEY_FN | KEY_LEFT },   { "Right", TUI_KEY_FN | KEY_RIGHT },
	{ "PgUp", TUI_KEY_FN | KEY_PPAGE },  { "PgDn", TUI_KEY_FN | KEY_NPAGE },
	{ "Home", TUI_KEY_FN | KEY_HOME },   { "End", TUI_KEY_FN | KEY_END },
	{ "Backspace", TUI_KEY_FN | KEY_BACKSPACE },
	{ "Delete", TUI_KEY_FN | KEY_DC },   { "Insert", TUI_KEY_FN | KEY_IC },
	{ "BackTab", TUI_KEY_FN | KEY_BTAB },
	{ "F1", TUI_KEY_FN | KEY_F(1) },     { "F2", TUI_KEY_FN | KEY_F(2) },
	{ "F3", TUI_KEY_FN | KEY_F(3) },     { "F4", TUI_KEY_FN | KEY_F(4) },
	{ "F5", TUI_KEY_FN | KEY_F(5) },     { "F10", TUI_KEY_FN | KEY_F(10) },
	{ "Enter", '\n' },  { "Tab", '\t' },  { "Esc", 27 },  { "Space", ' ' },
	{ "LBracket", '[' }, { "RBracket", ']' }, { "Equals", '=' }, { "Hash", '#' },
	{ "Semicolon", ';' },
};

/* The defaults, in the config file's language. */
static const char default_bindings[] =
	"[keys]\n"
	"j = move-down\n"        "Down = move-down\n"
	"k = move-up\n"          "Up = move-up\n"
	"h = move-left\n"        "Left = move-left\n"
	"l = move-right\n"       "Right = move-right\n"
	"PgDn = page-down\n"     "C-f = page-down\n"
	"PgUp = page-up\n"       "C-b = page-up\n"
	"C-d = half-page-down\n" "C-u = half-page-up\n"
	"g = move-first\n"       "Home = move-first\n"
	"G = move-last\n"        "End = move-last\n"
	"Tab = focus-next\n"
	"Enter = enter\n"
	"q = back\n"             "Esc = escape\n"
	"Q = quit\n"
	"? = help\n"             "F1 = help\n"
	"F2 = toggle-hints\n"
	": = command\n"
	"f = search\n"
	"n = search-next\n"      "N = search-prev\n"
	"C-l = refresh\n"        "F5 = refresh\n"
	"\n[keys main]\n"
	"/ = filter\n"
	"s = sort-asc\n"         "S = sort-desc\n"
	"Space = mark\n"         "u = unmark-all\n"
	"V = mark-range\n"       "A = mark-all\n"
	"c = compare\n"
	"C = columns\n"
	"H = hosts\n"
	"L = launch\n"
	"K = cancel-run\n"
	"R = registry\n"
	"P = promote\n"
	"y = copy\n"
	"p = parallel\n"
	"x = scatter\n"
	"e = edit-notes\n"
	"t = tag-add\n"          "T = tag-remove\n"
	"E = rename\n"
	"D = delete-run\n"
	"X = export-view\n"
	"\n[keys detail]\n"
	"P = promote\n"
	"e = edit-notes\n"
	"F = follow\n"
	"/ = search\n"
	"w = toggle-wrap\n"
	"r = toggle-raw\n"
	"c = chart-run\n"
	"y = copy\n"
	"t = tag-add\n"          "T = tag-remove\n"
	"E = rename\n"
	"D = delete-run\n"
	"\n[keys compare]\n"
	"i = toggle-same\n"
	"b = baseline\n"
	"m = metric-next\n"      "p = metric-prev\n"
	"M = metric-pick\n"
	"x = x-axis\n"
	"LBracket = smooth-less\n" "RBracket = smooth-more\n"
	"y = log-y\n"
	"< = cursor-left\n"     "> = cursor-right\n"
	"H = cursor-page-left\n" "L = cursor-page-right\n"
	"z = zoom-mark\n"
	"+ = zoom-in\n"         "- = zoom-out\n"
	"Z = zoom-reset\n"
	"v = small-multiples\n"
	"X = export-view\n"
	"B = band\n"
	"\n[keys help]\n"
	"/ = search\n"
	"\n[keys hosts]\n"
	"r = refresh\n"
	"p = probe-host\n"
	"L = launch\n"
	"\n[keys launch]\n"
	"L = launch\n"
	"\n[keys picker]\n"
	"Space = toggle\n"
	"J = item-down\n"        "K = item-up\n"
	"/ = search\n"
	"\n[keys registry]\n"
	"H = history\n"
	"r = goto-run\n"
	"a = alias-move\n"
	"x = alias-delete\n"
	"e = export\n"
	"E = describe\n"
	"/ = search\n"
	"d = deploy\n"
	"D = deployments\n"
	"U = undeploy\n"
	"L = deploy-logs\n"
	"\n[keys promote]\n"
	"P = promote\n"
	"\n[keys charts]\n"
	"M = metric-pick\n"
	"x = x-axis\n"
	"LBracket = smooth-less\n" "RBracket = smooth-more\n"
	"y = log-y\n"
	"< = cursor-left\n"     "> = cursor-right\n"
	"H = cursor-page-left\n" "L = cursor-page-right\n"
	"z = zoom-mark\n"
	"+ = zoom-in\n"         "- = zoom-out\n"
	"Z = zoom-reset\n"
	"X = export-view\n"
	"Left = cursor-left\n"  "Right = cursor-right\n"
	"\n[keys parallel]\n"
	"< = axis-left\n"       "> = axis-right\n"
	"v = axis-flip\n"
	"K = brush-top-up\n"    "J = brush-top-down\n"
	"k = brush-bottom-up\n" "Up = brush-bottom-up\n"
	"j = brush-bottom-down\n" "Down = brush-bottom-down\n"
	"b = brush-bounds\n"
	"x = brush-clear\n"
	"m = metric-next\n"
	"\n[keys scatter]\n"
	"RBracket = param-next\n" "LBracket = param-prev\n"
	"X = log-x\n"
	"y = log-y\n";

static const char *const action_names[] = {
#define TUI_ACTION_NAME(id, name, help) name,
	TUI_ACTIONS(TUI_ACTION_NAME)
#undef TUI_ACTION_NAME
};
static const char *const action_help[] = {
#define TUI_ACTION_HELP(id, name, help) help,
	TUI_ACTIONS(TUI_ACTION_HELP)
#undef TUI_ACTION_HELP
};
static const char *const keymap_names[] = {
#define TUI_KEYMAP_NAME(id, name) name,
	TUI_KEYMAPS(TUI_KEYMAP_NAME)
#undef TUI_KEYMAP_NAME
};

struct binding {
	int key;
	enum tui_action action;
};

struct keymap {
	struct binding *b; /* in binding order; later bindings of a key replace earlier */
	size_t n, cap;
};

struct tui_keymaps {
	struct keymap map[TUI_KM_COUNT];
};

const char *tui_action_name(enum tui_action a)
{
	return (unsigned)a < TUI_ACT_COUNT ? action_names[a] : "?";
}

const char *tui_action_help(enum tui_action a)
{
	return (unsigned)a < TUI_ACT_COUNT ? action_help[a] : "";
}

int tui_key_parse(const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (!strcasecmp(key_names[i].name, name))
			return key_names[i].key;
	if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && len == 3) {
		int ch = name[2];
		if (ch >= 'a' && ch <= 'z')
			return ch - 'a' + 1;
		if (ch >= 'A' && ch <= 'Z')
			return ch - 'A' + 1;
		return -1;
	}
	/* A single character, possibly multibyte UTF-8. */
	unsigned char c0 = (unsigned char)name[0];
	if (len == 1 && c0 > ' ' && c0 < 0x7f)
		return c0;
	if (c0 >= 0xc0 && len >= 2 && len <= 4) {
		int need = c0 >= 0xf0 ? 4 : c0 >= 0xe0 ? 3 : 2;
		if ((int)len != need)
			return -1;
		int cp = c0 & (0x3f >> (need - 1));
		for (int i = 1; i < need; i++)
			cp = (cp << 6) | ((unsigned char)name[i] & 0x3f);
		return cp;
	}
	return -1;
}

void tui_key_name(int key, char *out, size_t n)
{
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		/* Prefer the plain character for brackets and friends in help. */
		if (key_names[i].key == key && (key & TUI_KEY_FN || key <= ' ' || key == 127)) {
			snprintf(out, n, "%s", key_names[i].name);
			return;
		}
	}
	if (key >= 1 && key <= 26)
		snprintf(out, n, "C-%c", 'a' + key - 1);
	else if (key & TUI_KEY_FN)
		snprintf(out, n, "key%d", key & ~TUI_KEY_FN);
	else if (key < 0x80)
		snprintf(out, n, "%c", key);
	else {
		/* Encode the code point as UTF-8. */
		char b[5] = "";
		if (key < 0x800) {
			b[0] = (char)(0xc0 | (key >> 6)); b[1] = (char)(0x80 | (key & 0x3f));
		} else if (key < 0x10000) {
			b[0] = (char)(0xe0 | (key >> 12)); b[1] = (char)(0x80 | ((key >> 6) & 0x3f));
			b[2] = (char)(0x80 | (key & 0x3f));
		} else {
			b[0] = (char)(0xf0 | (key >> 18)); b[1] = (char)(0x80 | ((key >> 12) & 0x3f));
			b[2] = (char)(0x80 | ((key >> 6) & 0x3f)); b[3] = (char)(0x80 | (key & 0x3f));
		}
		snprintf(out, n, "%s", b);
	}
}

static int map_by_name(const char *name)
{
	for (int i = 0; i < TUI_KM_COUNT; i++)
		if (!strcmp(keymap_names[i], name))
			return i;
	return -1;
}

static int action_by_name(const char *name)
{
	for (int i = 0; i < TUI_ACT_COUNT; i++)
		if (!strcmp(action_names[i], name))
			return i;
	return -1;
}

int tui_keymap_bind(tui_keymaps *km, const char *map, const char *keyname,
                    const char *action, char *err, size_t errn)
{
	int m = map_by_name(map), key = tui_key_parse(keyname), a = action_by_name(action);
	if (m < 0) {
		snprintf(err, errn, "unknown keymap '%s' (use generic, main, detail, compare, help, picker, registry, promote, charts, parallel, scatter)", map);
		return -1;
	}
	if (key < 0) {
		snprintf(err, errn, "unknown key '%s' (a character, C-x, or a name such as PgDn, Space, LBracket)",
		         keyname);
		return -1;
	}
	if (a < 0) {
		snprintf(err, errn, "unknown action '%s' for key '%s' (press ? in runyard for the list)",
		         action, keyname);
		return -1;
	}
	struct keymap *k = &km->map[m];
	for (size_t i = 0; i < k->n; i++) {
		if (k->b[i].key == key) {
			k->b[i].action = (enum tui_action)a;
			return 0;
		}
	}
	k->b = ry_xgrow(k->b, &k->cap, k->n + 1, sizeof *k->b);
	k->b[k->n].key = key;
	k->b[k->n].action = (enum tui_action)a;
	k->n++;
	return 0;
}

int tui_keymap_apply_config(tui_keymaps *km, const ry_config *cfg, char *err, size_t errn)
{
	int bad = 0;
	char e[256];
	for (size_t s = 0; s < ry_config_nsections(cfg); s++) {
		const char *sec = ry_config_section(cfg, s);
		const char *map;
		if (!strcmp(sec, "keys"))
			map = "generic";
		else if (!strncmp(sec, "keys ", 5))
			map = sec + 5;
		else
			continue;
		for (size_t i = 0; i < ry_config_nentries(cfg, sec); i++) {
			const char *key, *value;
			ry_config_entry(cfg, sec, i, &key, &value);
			if (tui_keymap_bind(km, map, key, value, e, sizeof e) < 0) {
				if (!bad++ && err)
					snprintf(err, errn, "[%s] %s", sec, e);
			}
		}
	}
	return bad;
}

tui_keymaps *tui_keymap_new(void)
{
	tui_keymaps *km = ry_xcalloc(1, sizeof *km);
	ry_config *cfg = NULL;
	char err[256];
	if (ry_config_parse(&cfg, default_bindings, "built-in key bindings") < 0)
		ry_fatal("built-in key bindings: %s", ry_error_last());
	if (tui_keymap_apply_config(km, cfg, err, sizeof err))
		ry_fatal("built-in key bindings: %s", err);
	ry_config_free(cfg);
	return km;
}

void tui_keymap_free(tui_keymaps *km)
{
	if (!km)
		return;
	for (int i = 0; i < TUI_KM_COUNT; i++)
		free(km->map[i].b);
	free(km);
}

static bool map_find(const struct keymap *k, int key, enum tui_action *a)
{
	for (size_t i = 0; i < k->n; i++) {
		if (k->b[i].key == key) {
			*a = k->b[i].action;
			return true;
		}
	}
	return false;
}

enum tui_action tui_keymap_lookup(const tui_keymaps *km, enum tui_keymap_id map, int key)
{
	enum tui_action a;
	if (map != TUI_KM_GENERIC && map_find(&km->map[map], key, &a))
		return a;
	if (map_find(&km->map[TUI_KM_GENERIC], key, &a))
		return a;
	return TUI_ACT_NONE;
}

int tui_keymap_keys_for(const tui_keymaps *km, enum tui_keymap_id map, enum tui_action a,
                        bool include_generic, char *out, size_t n)
{
	int count = 0;
	size_t len = 0;
	out[0] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		enum tui_keymap_id m = pass ? TUI_KM_GENERIC : map;
		if (pass && (!include_generic || map == TUI_KM_GENERIC))
			break;
		const struct keymap *k = &km->map[m];
		for (size_t i = 0; i < k->n; i++) {
			enum tui_action eff;
			if (k->b[i].action != a)
				continue;
			/* A generic binding the view overrides is not reachable here. */
			if (pass && map_find(&km->map[map], k->b[i].key, &eff) && eff != a)
				continue;
			if (pass && map_find(&km->map[map], k->b[i].key, &eff))
				continue; /* already listed in the first pass */
			char name[32];
			tui_key_name(k->b[i].key, name, sizeof name);
			int w = snprintf(out + len, n - len, "%s%s", count ? ", " : "", name);
			if (w < 0 || (size_t)w >= n - len)
				return count;
			len += (size_t)w;
			count++;
		}
	}
	return count;
}

void tui_keymap_print(const tui_keymaps *km, FILE *f)
{
	for (int m = 0; m < TUI_KM_COUNT; m++) {
		const struct keymap *k = &km->map[m];
		for (size_t i = 0; i < k->n; i++) {
			char name[32];
			tui_key_name(k->b[i].key, name, sizeof name);
			fprintf(f, "%s\t%s\t%s\n", keymap_names[m], name, action_names[k->b[i].action]);
		}
	}
}
