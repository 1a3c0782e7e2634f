/*
 * Errors: one convention for all of core.
 *
 * A failing function returns a negative RY_E* code and leaves a message in a
 * thread-local slot that ry_error_last() returns.  The message is written for
 * the user: it says what was wrong and, where possible, what to do.  Library
 * errors (SQLite, libgit2, libssh2, libcurl) are translated into such a
 * message once, where core calls the library.
 */
#ifndef RY_ERROR_H
#define RY_ERROR_H

#include <stdarg.h>

enum {
	RY_OK = 0,
	RY_ERROR = -1,      /* generic failure of the operation (exit status 1) */
	RY_EINVAL = -2,     /* bad input from the user: usage, filter, value (exit 2) */
	RY_ENOTFOUND = -3,  /* the named thing does not exist (exit 1) */
	RY_EAMBIGUOUS = -4, /* a name or prefix matched more than one thing (exit 1) */
	RY_EEXISTS = -5,    /* the thing already exists (exit 1) */
	RY_EIO = -6,        /* file or network I/O failed (exit 1) */
	RY_ESCHEMA = -7,    /* workspace made by a newer runyard, or not a workspace (exit 1) */
	RY_ECORRUPT = -8,   /* data failed an integrity check (exit 1) */
	RY_EBUSY = -9,      /* held by another process: the workspace lock, a GPU lease (exit 1) */
	RY_EREFUSED = -10,  /* refused by a policy: host key, budget, gate (exit 1) */
	RY_ESTALE = -11,    /* changed meanwhile by another process: e.g. a run already settled (exit 1) */
};

/* Record an error; returns code so callers can `return ry_error_set(...)`.
 * ry_error_last() may be one of the arguments, to add context to it. */
int ry_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ry_error_vset(int code, const char *fmt, va_list ap);

/* The last error message of this thread; never NULL ("" if none).  The string
 * is lent until the next ry_error_set on this thread. */
const char *ry_error_last(void);

/* The code given with the last error of this thread (RY_OK if none). */
int ry_error_code(void);

void ry_error_clear(void);

/* Map an error code to the command-line exit status of the contract
 * (0 ok, 1 operation failed, 2 bad usage or bad input). */
int ry_error_exit_status(int code);

#endif
