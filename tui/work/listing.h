/*
 * The runs table's list, computed on a thread of its own, so that a
 * keystroke never waits for a filter, a sort or a re-listing over every
 * run of a big workspace (at 10^6 runs one costs 100-200 ms).  The worker
 * owns a store connection of its own and runs ry_runlist_open for the
 * newest request only: a request made while one runs interrupts it
 * (ry_store_interrupt), one that is still waiting is simply replaced.
 * The main loop picks the result up (tui_listing_take) and shows it; the
 * worker never draws and decides nothing about what is shown.
 *
 * Test hook: RUNYARD_TEST_LISTING_DELAY_MS=N makes the worker wait N ms
 * before each evaluation, and again between the first rows and the whole
 * list (still cancellable), so that tests can see the "filtering…" and
 * "counting…" states and the cancelling of a stale request on a small
 * workspace.  RUNYARD_TEST_LISTING_TRACE=FILE appends a line to FILE as
 * each evaluation starts ("start FILTER") and ends ("end kept FILTER",
 * or "end dropped FILTER" for a stale or failed one), so tests wait for
 * the worker instead of sleeping.  Tests only; not user settings.
 */
#ifndef TUI_WORK_LISTING_H
#define TUI_WORK_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "query/runlist.h"

struct tui_listing;

/* Start the worker for the workspace at db_path (copied); it opens its
 * connection on the first request.  NULL if the thread cannot start. */
struct tui_listing *tui_listing_new(const char *db_path);

/* Ask for the list of experiment_id's runs (0: all) by filter and sort
 * (copied; NULL for none), replacing any earlier request.  With first >
 * 0 the worker lists the first `first` runs before the whole list and
 * hands them over as a partial result: the screen fills while the rest is
 * counted (the parts' sets it read are kept on the worker's connection,
 * so the whole list costs little more).  Returns the request's number
 * (increasing from 1). */
unsigned tui_listing_submit(struct tui_listing *w, int64_t experiment_id, const char *filter, const char *sort,
                            size_t first);

/* Read the list index on the worker's connection when it has nothing
 * else to do (ry_runlist_warm), so the first filter does not pay a cold
 * read of it.  Returns at once. */
void tui_listing_warm(struct tui_listing *w);

/* Drop the request in progress, if any (its result never comes). */
void tui_listing_cancel(struct tui_listing *w);

/* The newest request's result, once: true with *out (caller frees with
 * ry_runlist_free; NULL when it failed, then msg holds why), *ms the time
 * the evaluation took and *partial whether it is only the first runs (the
 * whole list comes later).  False while it runs or when nothing new. */
bool tui_listing_take(struct tui_listing *w, unsigned *gen, ry_runlist **out, bool *partial, double *ms, char *msg,
                      size_t n);

/* A request is waiting or running. */
bool tui_listing_busy(struct tui_listing *w);

/* The test hook is set: every list goes to the worker. */
bool tui_listing_test_delay(void);

/* The page cache of a worker's own connection (this one's, the parallel
 * screen's loader): their scans are bigger than any cache (the OS keeps
 * the file's pages), and the app must stay under 100 MB resident at 10^6
 * runs. */
#define TUI_WORKER_CACHE_KIB 4096

/* Give memory freed by this thread back to the system (where the C
 * library can): after a cache was cut or a big list dropped. */
void tui_listing_trim(void);
/* Once, before any thread starts: blocks of 128 KiB and more each get a
 * mapping of their own, given back to the system when freed. */
void tui_listing_malloc_init(void);

/* Interrupt, join and free; NULL ok. */
void tui_listing_free(struct tui_listing *w);

#endif
