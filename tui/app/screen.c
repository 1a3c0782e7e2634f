/*
 * Curses lifecycle, colours and signals.  Everything that must survive into
 * a signal handler lives in the few statics below (the only mutable globals
 * of the app): whether curses is active and whether a quit was requested.
 * Drawing belongs to draw.c and the views; this file only owns the terminal.
 */
#include <curses.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "app/screen.h"
#include "app/tui.h"

static volatile sig_atomic_t quit_requested;
static volatile sig_atomic_t curses_active;
static SCREEN *screen;
static FILE *headless_out, *headless_in;

/* How long a key is waited for before the store is polled and views tick. */
#define KEY_WAIT_MS 500

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

/* Ctrl-C, SIGTERM, SIGHUP and Ctrl-\ (SIGQUIT) all ask the main loop to
 * quit, which leaves through tui_screen_end like `Q` does: the terminal is
 * put back and the exit status is 0.  SIGQUIT's default (a core dump)
 * would leave the terminal in the alternate screen with the app's modes. */
static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Turn flow control off.  With IXON the terminal driver keeps Ctrl-S and
 * Ctrl-Q (XOFF, XON) for itself, and a stray Ctrl-S stops all output until
 * Ctrl-Q: the app looks hung.  raw() would clear IXON too, but also ISIG,
 * and Ctrl-C, Ctrl-Z and Ctrl-\ are meant to stay signals here.  Called
 * after the other mode calls and recorded with def_prog_mode, so curses
 * keeps it as the program's mode: endwin (on every way out, a fatal signal
 * included, and when Ctrl-Z suspends) puts back the terminal's own
 * settings, flow control included, and the refresh after a resume brings
 * this mode back. */
static void flow_control_off(void)
{
	struct termios t;
	if (tcgetattr(STDIN_FILENO, &t) == 0) {
		t.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	def_prog_mode();
}

void tui_screen_colors(struct tui_ctx *c)
{
	bool use_color = c->ncolors >= 8;
	struct tui_theme t = c->theme;
	if (!use_color)
		tui_theme_no_color(&t);
	for (int i = 0; i < TUI_COLOR_COUNT; i++) {
		const struct tui_theme_entry *e = &t.e[i];
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
			short fg = tui_theme_color_for(e->fg, c->ncolors), bg = tui_theme_color_for(e->bg, c->ncolors);
			/* On 8 or 16 colours a dark grey becomes black: on black or on
			 * the terminal's own (often black) background it would vanish
			 * (the separators on a vt100 or the Linux console), so such
			 * text takes the terminal's own colour. */
			if (fg >= 0 && (fg == bg || (fg == COLOR_BLACK && bg < 0)))
				fg = -1;
			init_pair((short)(i + 1), fg, bg);
			a |= COLOR_PAIR(i + 1);
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
	wtimeout(stdscr, KEY_WAIT_MS);
	if (!headless)
		flow_control_off();
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

void tui_screen_suspend(void)
{
	if (!curses_active)
		return;
	def_prog_mode();
	curses_active = 0;
	endwin();
	fflush(stdout);
}

void tui_screen_resume(struct tui_ctx *c)
{
	if (curses_active || !screen)
		return;
	reset_prog_mode();
	curses_active = 1;
	/* The program may have left anything on the screen, and the window
	 * may have changed size meanwhile. */
	clearok(curscr, TRUE);
	refresh();
	tui_screen_resize(c, 0, 0);
	c->dirty |= TUI_REDRAW;
}

void tui_screen_resize(struct tui_ctx *c, int rows, int cols)
{
	if (c->headless && rows > 0 && cols > 0)
		resizeterm(rows, cols);
	c->rows = LINES;
	c->cols = COLS;
}

bool tui_screen_key_pending(void)
{
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN);
}

void tui_screen_wait_short(bool on)
{
	wtimeout(stdscr, on ? 50 : KEY_WAIT_MS);
}

int tui_screen_getkey(struct tui_ctx *c)
{
	wint_t wc;
	/* Background work waiting to be shown shortens the wait for a key. */
	wtimeout(stdscr, c->wake_ms > 0 ? c->wake_ms : 500);
	int r = wget_wch(stdscr, &wc);
	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES)
		return TUI_KEY_FN | (int)wc;
	if (wc == '\r')
		return '\n';
	return (int)wc;
}
