/*
 * Allocate-or-die wrappers (the htop xMalloc / tmux xmalloc habit).
 */
#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fatal_hook)(void);

void ry_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

_Noreturn void ry_fatal(const char *fmt, ...)
{
	va_list ap;
	if (fatal_hook)
		fatal_hook();
	fputs("runyard: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *ry_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		ry_fatal("out of memory allocating %zu bytes", n);
	return p;
}

void *ry_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		ry_fatal("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *ry_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		ry_fatal("out of memory allocating %zu bytes", n);
	return q;
}

void *ry_xgrow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap;
	if (need <= c)
		return p;
	if (c < 16)
		c = 16;
	while (c < need)
		c *= 2;
	if (size && c > (size_t)-1 / size)
		ry_fatal("allocation overflow (%zu x %zu)", c, size);
	*cap = c;
	return ry_xrealloc(p, c * size);
}

char *ry_xstrdup(const char *s)
{
	return s ? ry_xstrndup(s, strlen(s)) : NULL;
}

char *ry_xstrndup(const char *s, size_t n)
{
	char *d = ry_xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *ry_xasprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	int n;
	char *s;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		ry_fatal("bad format string");
	s = ry_xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return s;
}
