/*
 * The user's editor on a temporary file (editor.h).  The editor command is
 * shell text, as git reads $EDITOR ("code --wait" and "vim -u NONE" work);
 * the file's path is quoted into it.  system() runs it, which also keeps
 * Ctrl-C in the editor from reaching runyard (it ignores SIGINT and
 * SIGQUIT while it waits).  The terminal is lent through screen.c, which
 * knows how to put it back.  This file knows nothing of notes or runs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/editor.h"
#include "app/screen.h"
#include "app/tui.h"
#include "base/shell.h"

#define EDIT_MAX (1024 * 1024) /* more than any note; what is beyond is not read */

static void say(char *why, size_t whyn, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t whyn, const char *fmt, ...)
{
	va_list ap;
	if (!why || !whyn)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whyn, fmt, ap);
	va_end(ap);
}

static const char *editor_command(void)
{
	const char *e = getenv("VISUAL");
	if (!e || !*e)
		e = getenv("EDITOR");
	return e && *e ? e : "vi";
}

/* The temporary file holding text (and a final newline, as editors like
 * it); its path in path, or -1 with errno. */
static int write_temp(const char *text, char *path, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(path, n, "%s/runyard-note-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		return -1;
	}
	size_t len = text ? strlen(text) : 0;
	int bad = len && fwrite(text, 1, len, f) != len;
	if (len && text[len - 1] != '\n')
		bad |= fputc('\n', f) == EOF;
	if (fclose(f) != 0 || bad) {
		unlink(path);
		return -1;
	}
	return 0;
}

/* What the file holds, without trailing blank lines and spaces. */
static char *read_back(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = ry_xmalloc(EDIT_MAX + 1);
	size_t len = fread(buf, 1, EDIT_MAX, f);
	fclose(f);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ' ||
	               buf[len - 1] == '\t'))
		len--;
	buf[len] = '\0';
	return buf;
}

enum tui_edit_result tui_edit_text(struct tui_ctx *c, const char *text, char **out, char *why, size_t whyn)
{
	char path[4096];
	*out = NULL;
	if (c->headless) {
		say(why, whyn, "a script has no terminal for an editor");
		return TUI_EDIT_NO_EDITOR;
	}
	if (write_temp(text, path, sizeof path) < 0) {
		say(why, whyn, "cannot write a temporary file for the editor: %s", strerror(errno));
		return TUI_EDIT_NO_EDITOR;
	}
	const char *ed = editor_command();
	ry_buf cmd = RY_BUF_INIT;
	ry_buf_printf(&cmd, "%s ", ed);
	ry_shell_quote(&cmd, path);
	tui_screen_suspend();
	int st = system(ry_buf_cstr(&cmd));
	tui_screen_resume(c);
	ry_buf_free(&cmd);
	enum tui_edit_result r = TUI_EDIT_SAVED;
	if (st == -1) {
		say(why, whyn, "cannot start the editor: %s", strerror(errno));
		r = TUI_EDIT_NO_EDITOR;
	} else if (WIFEXITED(st) && (WEXITSTATUS(st) == 127 || WEXITSTATUS(st) == 126)) {
		/* The shell's words for "not found" and "not executable". */
		say(why, whyn, "cannot run the editor '%s' (set $VISUAL or $EDITOR)", ed);
		r = TUI_EDIT_NO_EDITOR;
	} else if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
		say(why, whyn, "the editor '%s' exited with status %d", ed, WEXITSTATUS(st));
		r = TUI_EDIT_FAILED;
	} else if (!WIFEXITED(st)) {
		say(why, whyn, "the editor '%s' was killed by signal %d", ed, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		r = TUI_EDIT_FAILED;
	} else if (!(*out = read_back(path))) {
		say(why, whyn, "cannot read back the edited file: %s", strerror(errno));
		r = TUI_EDIT_FAILED;
	}
	unlink(path);
	return r;
}
