/*
 * libgit2 at runyard's boundary (git_internal.h): initialised once, its
 * last error turned into a message in ry_error_last().  Nothing else here:
 * reading provenance is gitprov.c's, packing code is codepack.c's.
 */
#include "git/git_internal.h"
#include "base/error.h"

#include <git2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	git_libgit2_init();
}

void ry_git__init(void)
{
	pthread_once(&once, init);
}

int ry_git__fail(int code, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return ry_error_set(code, "%s: %s", what, e && e->message ? e->message : "unknown error");
}
