/*
 * Allocation that cannot fail.  runyard is an application: when memory runs
 * out there is nothing sensible left to do but restore the terminal and exit
 * with a message, so these never return NULL and callers do not check.
 */
#ifndef RY_ALLOC_H
#define RY_ALLOC_H

#include <stddef.h>

void *ry_xmalloc(size_t n);
void *ry_xcalloc(size_t n, size_t size);
void *ry_xrealloc(void *p, size_t n);
/* Grows an array of `*cap` elements of `size` bytes to hold at least `need`. */
void *ry_xgrow(void *p, size_t *cap, size_t need, size_t size);
char *ry_xstrdup(const char *s);          /* NULL in, NULL out */
char *ry_xstrndup(const char *s, size_t n);
char *ry_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a message, run the fatal hook (the TUI restores the terminal there)
 * and exit(1).  Used for out-of-memory and broken invariants. */
_Noreturn void ry_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called by ry_fatal before exiting; NULL to unset.  Only one hook. */
void ry_set_fatal_hook(void (*hook)(void));

#endif
