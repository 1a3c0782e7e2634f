/*
 * Quoting for the POSIX shell on a remote host.  Every piece of a remote
 * command that did not come from a string literal in runyard's source (a
 * path, a run name, a param value, a user's command argument) goes through
 * here, so `$(rm -rf ~)` or `'; reboot'` reaches the program as the literal
 * bytes the user typed.
 */
#ifndef RY_SHELL_H
#define RY_SHELL_H

#include "base/buf.h"

/* Append `s` to `b` as one shell word: wrapped in single quotes, each
 * embedded ' written as '\''.  The empty string becomes ''.  NULL is
 * treated as "". */
void ry_shell_quote(ry_buf *b, const char *s);

/* Like ry_shell_quote, but plain words (letters, digits, and _ . / : @ % +
 * = , -) are appended as they are, for commands shown to a user. */
void ry_shell_quote_soft(ry_buf *b, const char *s);

/* A freshly allocated quoted copy of `s` (caller frees). */
char *ry_shell_quote_dup(const char *s);

/* Append argv[0..argc) as space-separated quoted words. */
void ry_shell_quote_argv(ry_buf *b, int argc, char *const *argv);

/* Append a command line that any login shell (sh, bash, zsh, csh, tcsh,
 * fish) turns into `sh -c CMD`, CMD being a POSIX sh command line: csh
 * and tcsh expand `!` and refuse newlines even inside single quotes, so
 * those bytes (and every other one sh would see specially in double
 * quotes, controls and non-ASCII) travel as printf %b octal escapes:
 * `exec sh -c 'eval "$(printf %b "...\0047...")"'`.  Trailing newlines of
 * CMD are dropped, which does not change what it runs. */
void ry_shell_wrap_for_login_shell(ry_buf *b, const char *cmd);

#endif
