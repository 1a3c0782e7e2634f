/*
 * The parallel-coordinates screen's data, read on a thread of its own:
 * 100,000 runs' params and metric take a second or more to read, and the
 * app keeps its keys meanwhile (Esc leaves at once).  The worker opens its
 * own store connection, chooses the axes when none are named (on a sample
 * of the newest runs), reads the table with ry_analysis_load_with, builds
 * its axes and colour levels (sorting 10^5 category values is work too)
 * and lists the metrics one could colour by; progress and the result go into a
 * mutex-guarded slot the view polls.  It never draws.
 */
#ifndef TUI_WORK_ANALYSIS_LOAD_H
#define TUI_WORK_ANALYSIS_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "widgets/parcoords.h"

struct tui_analysis_load;

/* What to read (strings copied): the runs of experiment_id (0: all) that
 * filter shows, the fields (nfields 0: choose up to `axes` params, those
 * ry_analysis_shared_params picks from the newest `sample` runs), the
 * target metric (NULL: the main one). */
struct tui_analysis_load_spec {
	const char *db_path;
	int64_t experiment_id;
	const char *filter;
	const char *const *fields;
	size_t nfields;
	const char *metric;
	size_t axes, sample;
};

/* Start the worker.  NULL with msg filled if the thread cannot start. */
struct tui_analysis_load *tui_analysis_load_start(const struct tui_analysis_load_spec *spec, char *msg, size_t n);

/* Where it stands. */
struct tui_analysis_load_state {
	bool done;            /* finished: rc and, on success, the result are final */
	int rc;               /* once done: 0 or an RY_E* code (msg says why) */
	bool choosing;        /* still choosing the axes on the sample */
	size_t cols_done, cols_total; /* column reads done of total, over nruns runs */
	size_t nruns;         /* runs the filter shows (0 until listed) */
	char msg[512];        /* once done and failed: the error */
};
/* Copy the state into *out; returns out->done. */
bool tui_analysis_load_poll(struct tui_analysis_load *l, struct tui_analysis_load_state *out);

/* What a finished load hands over; every pointer owned by the taker. */
struct tui_analysis_loaded {
	ry_analysis *a;                    /* ry_analysis_free */
	tui_axis axes[TUI_PC_MAX_AXES];    /* tui_axis_free each */
	size_t nax;
	int8_t *level;                     /* tui_pc_levels of the metric, a->n each; free */
	uint8_t *rank;                     /* 1..TUI_PC_RANKED the best, 0 the rest */
	char **fields;                     /* the fields read: as named, or as chosen; ry_strings_free */
	size_t nfields;
	bool chosen;                       /* the fields were chosen, not named */
	char **metrics;                    /* the metric keys the runs log, sorted; ry_strings_free */
	size_t nmetrics;
};
/* Once done with rc 0: move the result into *out and return true; false
 * before that, after a failure, or when taken already. */
bool tui_analysis_load_take(struct tui_analysis_load *l, struct tui_analysis_loaded *out);

/* Stop and forget it: returns at once.  A worker still reading stops at
 * its next column and frees what it read itself.  NULL ok. */
void tui_analysis_load_free(struct tui_analysis_load *l);

#endif
