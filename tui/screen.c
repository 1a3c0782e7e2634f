/*
 * Curses lifecycle, colours and signals.  Everything that must survive into
 * a signal handler lives in the few statics below (the only mutable globals
 * of the app): whether curses is active and whether a quit was requested.
 * Drawing belongs to draw.c and the views; this file only owns the terminal.
 */
#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "screen.h"
#include "tui.h"

static volatile sig_atomic_t quit_requested;
static volatile sig_atomic_t curses_active;
static SCREEN *screen;
static FILE *headless_out, *headless_in;

bool tui_screen_quit_requested(void)
{
	return quit_requested != 0;
}

static void on_quit_signal(int sig)
{
	(void)sig;
	quit_requested = 1;
}

/* A fatal signal: put the terminal back, then die of the same signal so the
 * exit status stays honest.  endwin is not async-signal-safe, but the
 * process is going down anyway and a wrecked terminal is the worse outcome
 * (htop and tmux do the same). */
static void on_fatal_signal(int sig)
{
	if (curses_active) {
		curses_active = 0;
		endwin();
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void fatal_hook(void)
{
	if (curses_active) {
		curses_active = 0;
		endwin();
	}
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int tui_screen_map_color(int color, int ncolors)
{
	if (color < 0 || ncolors >= 256 || color < ncolors)
		return color;
	int c16;
	if (color < 16) {
		c16 = color;
	} else if (color >= 232) {
		int level = color - 232; /* 0..23 grey ramp */
		c16 = level < 6 ? 0 : level < 14 ? 8 : level < 20 ? 7 : 15;
	} else {
		int v = color - 16, r = v / 36, g = (v / 6) % 6, b = v % 6;
		int mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
		if (mx == 0) {
			c16 = 0;
		} else {
			/* Keep the components that are close to the strongest one. */
			int bits = (r * 2 >= mx * 2 - 1 && r >= 2 ? 1 : 0) | (g * 2 >= mx * 2 - 1 && g >= 2 ? 2 : 0) |
			           (b * 2 >= mx * 2 - 1 && b >= 2 ? 4 : 0);
			if (!bits)
				bits = r == mx ? 1 : g == mx ? 2 : 4;
			c16 = bits + (mx >= 4 ? 8 : 0);
			if (bits == 7 && mx < 4)
				c16 = 8; /* dim grey */
		}
	}
	if (ncolors >= 16)
		return c16;
	/* 8 colours: bright variants fold onto their base; bright black is unreadable on
	 * black, so it becomes white. */
	if (c16 == 8)
		return 7;
	return c16 & 7;
}

void tui_screen_colors(struct tui_ctx *c)
{
	bool use_color = c->ncolors >= 8;
	for (int i = 0; i < TUI_COLOR_COUNT; i++) {
		const struct tui_theme_entry *e = &c->theme.e[i];
		attr_t a = A_NORMAL;
		if (e->attrs & TUI_ATTR_BOLD)
			a |= A_BOLD;
		if (e->attrs & TUI_ATTR_UNDERLINE)
			a |= A_UNDERLINE;
		if (e->attrs & TUI_ATTR_REVERSE)
			a |= A_REVERSE;
		if (e->attrs & TUI_ATTR_DIM)
			a |= A_DIM;
		if (use_color) {
			short fg = (short)tui_screen_map_color(e->fg, c->ncolors);
			short bg = (short)tui_screen_map_color(e->bg, c->ncolors);
			init_pair((short)(i + 1), fg, bg);
			a |= COLOR_PAIR(i + 1);
		} else {
			/* Without colour the cursor, bars and highlights must still be visible. */
			switch (i) {
			case TUI_COLOR_CURSOR: case TUI_COLOR_STATUSBAR: case TUI_COLOR_TITLE:
				a |= A_REVERSE;
				break;
			case TUI_COLOR_HEADER: case TUI_COLOR_METRIC_BEST: case TUI_COLOR_DIFF:
			case TUI_COLOR_ERROR: case TUI_COLOR_KEY: case TUI_COLOR_RUN_FAILED:
				a |= A_BOLD;
				break;
			case TUI_COLOR_MARKED: case TUI_COLOR_SEARCH_MATCH:
				a |= A_UNDERLINE;
				break;
			case TUI_COLOR_DIM:
				a |= A_DIM;
				break;
			default:
				break;
			}
		}
		c->attrs[i] = a;
	}
}

int tui_screen_init(struct tui_ctx *c, bool headless, int rows, int cols)
{
	if (headless) {
		char buf[16];
		const char *term = getenv("TERM");
		if (!term || !*term)
			term = "xterm-256color";
		snprintf(buf, sizeof buf, "%d", rows);
		setenv("LINES", buf, 1);
		snprintf(buf, sizeof buf, "%d", cols);
		setenv("COLUMNS", buf, 1);
		headless_out = fopen("/dev/null", "w");
		headless_in = fopen("/dev/null", "r");
		if (!headless_out || !headless_in) {
			fprintf(stderr, "runyard: cannot open /dev/null for headless drawing\n");
			return -1;
		}
		screen = newterm(term, headless_out, headless_in);
		if (!screen) {
			fprintf(stderr, "runyard: terminal type '%s' is unknown to curses\n", term);
			return -1;
		}
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			fprintf(stderr, "runyard: the full-screen app needs a terminal; "
			        "for scripts use the subcommands (see 'runyard --help')\n");
			return -1;
		}
		const char *term = getenv("TERM");
		screen = newterm(NULL, stdout, stdin);
		if (!screen) {
			fprintf(stderr, "runyard: cannot start the terminal '%s'; set TERM to a known type "
			        "such as xterm-256color\n", term ? term : "(unset)");
			return -1;
		}
	}
	set_term(screen);
	curses_active = 1;
	c->headless = headless;
	ry_set_fatal_hook(fatal_hook);
	install_signals();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	wtimeout(stdscr, 500);
	c->ncolors = 0;
	if (has_colors() && !(getenv("NO_COLOR") && *getenv("NO_COLOR"))) {
		start_color();
		use_default_colors();
		c->ncolors = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : COLORS >= 8 ? 8 : 0;
	}
	c->color = c->ncolors > 0;
	tui_screen_colors(c);
	c->rows = LINES;
	c->cols = COLS;
	return 0;
}

void tui_screen_end(struct tui_ctx *c)
{
	if (!screen)
		return;
	if (curses_active) {
		curses_active = 0;
		endwin();
	}
	delscreen(screen);
	screen = NULL;
	ry_set_fatal_hook(NULL);
	if (headless_out)
		fclose(headless_out);
	if (headless_in)
		fclose(headless_in);
	headless_out = headless_in = NULL;
	if (!c->headless)
		fflush(stdout);
}

void tui_screen_resize(struct tui_ctx *c, int rows, int cols)
{
	if (c->headless && rows > 0 && cols > 0)
		resizeterm(rows, cols);
	c->rows = LINES;
	c->cols = COLS;
}

int tui_screen_getkey(struct tui_ctx *c)
{
	wint_t wc;
	int r = wget_wch(stdscr, &wc);
	(void)c;
	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES)
		return TUI_KEY_FN | (int)wc;
	if (wc == '\r')
		return '\n';
	return (int)wc;
}
