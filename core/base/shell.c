/*
 * Shell quoting (see shell.h).  Single quotes are the one POSIX quoting form
 * in which no character is special, so the only work is splitting around
 * embedded single quotes; the one exception is a login shell that is not
 * POSIX (csh, tcsh), which ry_shell_wrap_for_login_shell gets past.  This
 * module does not run anything.
 */
#include "base/shell.h"
#include "base/alloc.h"

#include <string.h>

void ry_shell_quote(ry_buf *b, const char *s)
{
	ry_buf_putc(b, '\'');
	for (; s && *s; s++) {
		if (*s == '\'')
			ry_buf_puts(b, "'\\''");
		else
			ry_buf_putc(b, *s);
	}
	ry_buf_putc(b, '\'');
}

char *ry_shell_quote_dup(const char *s)
{
	ry_buf b = RY_BUF_INIT;
	ry_shell_quote(&b, s);
	return ry_buf_detach(&b);
}

void ry_shell_quote_argv(ry_buf *b, int argc, char *const *argv)
{
	for (int i = 0; i < argc; i++) {
		if (i)
			ry_buf_putc(b, ' ');
		ry_shell_quote(b, argv[i]);
	}
}

void ry_shell_quote_soft(ry_buf *b, const char *s)
{
	if (s && *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+=,-") == strlen(s))
		ry_buf_puts(b, s);
	else
		ry_shell_quote(b, s);
}

void ry_shell_wrap_for_login_shell(ry_buf *b, const char *cmd)
{
	/* Inside the outer single quotes nothing may be ' or ! or a newline
	 * (csh), nor \\ or \' (fish); inside sh's double quotes nothing may be
	 * $ ` " or \.  Octal escapes \0NNN are none of those. */
	ry_buf_puts(b, "exec sh -c 'eval \"$(printf %b \"");
	for (const unsigned char *p = (const unsigned char *)(cmd ? cmd : ""); *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || strchr("'!$`\"\\", *p))
			ry_buf_printf(b, "\\0%03o", *p);
		else
			ry_buf_putc(b, (char)*p);
	}
	ry_buf_puts(b, "\")\"'");
}
