/*
 * The TUI's performance figures, measured by driving the real code paths
 * (views, keymaps, curses drawing) on a headless screen: a 120x40 terminal
 * drawn to /dev/null.  For `runyard bench` and tests/bench/bench_tui.
 */
#ifndef TUI_BENCH_H
#define TUI_BENCH_H

#include <stddef.h>
#include <stdint.h>

struct tui_bench_figures {
	double first_frame_ms;   /* open the workspace, build the main screen, draw it */
	double pane_ms;          /* then fill the experiments pane (after the first frame) */
	double warm_ms;          /* then, at the next idle moment, ready the filter's index */
	double filter_key_ms;    /* one keystroke in the live filter to redrawn table: median */
	double filter_key_max_ms;/* ... and the slowest keystroke */
	double filter_core_ms;   /* the whole filter's query alone (ry_runlist_open) */
	double page_ms;          /* scroll one page and redraw: mean over 20 pages */
	double page_max_ms;
	double compare_ms;       /* open compare of the runs and draw table + chart */
	double compare_read_ms;  /* reading the histories alone (ry_metrics_read) */
	double compare_append_ms;/* one new point on a compared run: reload and redraw */
	double cursor_ms;        /* compare: move the chart cursor (the legend reads every run there) */
	double zoom_ms;          /* compare: zoom in around the cursor (the chart built again) */
	double grid_ms;          /* compare: small multiples of every metric, drawn */
	double cursor_cpu_ms, zoom_cpu_ms, grid_cpu_ms;
	size_t compare_runs;
	int64_t compare_points;  /* points read for the chart */
	/* CPU time of this process for the same steps (wall time on a loaded
	 * machine includes waiting for other processes) */
	double first_frame_cpu_ms, filter_key_max_cpu_ms, page_cpu_ms, compare_cpu_ms;
	/* parallel coordinates of every run (issue 17): open (read the runs,
	 * rank the params, draw); plot again and draw (an axis flipped: every
	 * line rasterised; median of 5); draw the kept plot (median of 5); one
	 * brush key (plot again, and the runs table's filter narrowed); the
	 * lines drawn */
	double parallel_open_ms, parallel_redraw_ms, parallel_cached_ms, parallel_brush_ms;
	double parallel_redraw_cpu_ms; /* CPU time of plot again + draw (median) */
	/* p to the plot drawn: the background load in (its thread's CPU time
	 * counts too) and the first plot drawn; parallel_open_ms is p to the
	 * loading screen.  Esc pressed on the loading screen of a second open:
	 * back on the runs, drawn. */
	double parallel_ready_ms, parallel_ready_cpu_ms, parallel_esc_ms;
	size_t parallel_runs;          /* lines drawn */
	size_t parallel_rows;          /* runs read */
	bool parallel_density;         /* drawn as density */
	/* :group optimizer on the runs screen (issue 17): group every listed
	 * run and draw the group rows; then :sort by a metric (list again,
	 * regroup, order the groups by its mean, draw) */
	double group_ms, group_cpu_ms, group_sort_ms;
	size_t group_runs, groups;
	/* Every keystroke <= 50 ms at 10^6 runs (issue 18): what the key
	 * blocks for (to the redrawn screen), and when a list it asked for is
	 * computed in the background, when that list is on screen (from the
	 * key).  filter_done: from the filter's last keystroke.  sort: `s` on
	 * a metric column; last: `G` (end of the list); col: the column cursor
	 * moved (`l`); columns: `:columns` naming a new set. */
	double filter_done_ms, filter_first_ms; /* ... and when its first rows showed (0: not apart) */
	double sort_key_ms, sort_key_cpu_ms, sort_done_ms;
	double last_key_ms, last_key_cpu_ms;
	double col_key_ms, col_key_cpu_ms;
	double columns_ms, columns_cpu_ms;
	long max_rss_kb;
	long anon_rss_kb;        /* private (anonymous) memory with compare open; 0 if unknown */         /* getrusage max RSS of the process so far */
};

/* Measure on the workspace at db_path.  compare_ids: the runs to compare
 * (2..12); when n is 0, 12 runs with 100,000-point "loss" histories are
 * added to the workspace first (not timed).  The filter typed is `filter`
 * (NULL: "lr < 0.01 and status = finished").  0, or an RY_E* code with the
 * message in ry_error_last(). */
int tui_bench_measure(const char *db_path, const int64_t *compare_ids, size_t n, const char *filter,
                      struct tui_bench_figures *out);

#endif
