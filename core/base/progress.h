/*
 * Progress of a long operation, reported to whoever started it (a TUI
 * background thread, the CLI's status line).  Here in base so that packing
 * code, probing hosts and moving files over SSH share one callback type
 * without knowing of each other.
 */
#ifndef RY_PROGRESS_H
#define RY_PROGRESS_H

/* frac in [0,1] (or -1 when unknown), `what` a short description (lent for
 * the call).  Called on the thread doing the work. */
typedef void (*ry_progress_fn)(double frac, const char *what, void *payload);

#endif
