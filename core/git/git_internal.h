/*
 * Internal to core/git/: libgit2 set up and its errors translated, once for
 * both users (gitprov.c, codepack.c).  The only other header besides the
 * two modules' .c files that names libgit2; never included from outside
 * core/git/.
 */
#ifndef RY_GIT_INTERNAL_H
#define RY_GIT_INTERNAL_H

/* Initialise libgit2 once per process, thread-safely (a background thread
 * may pack code while the UI reads provenance); it is never shut down, so
 * callers need not pair anything. */
void ry_git__init(void);

/* Set the error "<fmt...>: <libgit2's last message>" with `code` and return
 * code: the one place libgit2's errors become runyard's. */
int ry_git__fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
