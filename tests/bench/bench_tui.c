/*
 * The TUI benchmark as a program: `bench_tui WORKSPACE` measures the
 * full-screen app on an existing workspace (e.g. one made by
 * `runyard demo --runs 100000 --steps 24`, about 10^7 points), adding 12
 * runs with 100,000-point histories for the compare figure.  Prints one
 * figure per line with its target.  Built on demand: make tests/bench/bench_tui.
 */
#include <stdio.h>
#include <stdlib.h>

#include "runyard.h"
#include "app/bench.h"

static void line(const char *what, double v, const char *unit, double target)
{
	printf("%-58s %9.2f %-3s (target <= %g) %s\n", what, v, unit, target, v <= target ? "ok" : "MISSED");
}

static void cpu(double v)
{
	printf("%-58s %9.2f ms\n", "  CPU time of that step", v);
}

int main(int argc, char **argv)
{
	struct tui_bench_figures f;
	if (argc != 2) {
		fprintf(stderr, "usage: bench_tui WORKSPACE.db\n");
		return 2;
	}
	if (tui_bench_measure(argv[1], NULL, 0, NULL, &f) < 0) {
		fprintf(stderr, "bench_tui: %s\n", ry_error_last());
		return 1;
	}
	line("first frame after start", f.first_frame_ms, "ms", 200);
	cpu(f.first_frame_cpu_ms);
	printf("%-58s %9.2f ms\n", "  then the experiments pane filled (from idle)", f.pane_ms);
	printf("%-58s %9.2f ms\n", "  then the filter's index read (next idle moment)", f.warm_ms);
	line("live filter keystroke to redrawn table (median)", f.filter_key_ms, "ms", 50);
	line("live filter keystroke to redrawn table (slowest)", f.filter_key_max_ms, "ms", 50);
	cpu(f.filter_key_max_cpu_ms);
	if (f.filter_first_ms > 0)
		printf("%-58s %9.2f ms\n", "  its first rows on screen (background, from the last key)", f.filter_first_ms);
	if (f.filter_done_ms > 0)
		printf("%-58s %9.2f ms\n", "  the filtered list on screen (background, from the last key)", f.filter_done_ms);
	printf("%-58s %9.2f ms\n", "  the whole filter's query alone (core)", f.filter_core_ms);
	line("sort change on a metric column (s)", f.sort_key_ms, "ms", 50);
	cpu(f.sort_key_cpu_ms);
	if (f.sort_done_ms > f.sort_key_ms)
		printf("%-58s %9.2f ms\n", "  the sorted list on screen (background, from the key)", f.sort_done_ms);
	line("scroll to the end of the list (G)", f.last_key_ms, "ms", 50);
	cpu(f.last_key_cpu_ms);
	line("move the column cursor (l)", f.col_key_ms, "ms", 50);
	cpu(f.col_key_cpu_ms);
	line("change the columns (:columns)", f.columns_ms, "ms", 50);
	cpu(f.columns_cpu_ms);
	line("scroll one page (mean of 20)", f.page_ms, "ms", 5);
	cpu(f.page_cpu_ms);
	printf("%-58s %9.2f ms\n", "scroll one page (slowest)", f.page_max_ms);
	char what[96];
	snprintf(what, sizeof what, "parallel coordinates of %zu runs: p to the plot drawn", f.parallel_rows);
	line("parallel coordinates: p to the loading screen drawn", f.parallel_open_ms, "ms", 50);
	line(what, f.parallel_ready_ms, "ms", 2000);
	cpu(f.parallel_ready_cpu_ms);
	line("  Esc while loading: back on the runs, drawn", f.parallel_esc_ms, "ms", 50);
	snprintf(what, sizeof what, "parallel, %zu lines%s: plot again + draw", f.parallel_runs,
	         f.parallel_density ? " (density)" : "");
	line(what, f.parallel_redraw_ms, "ms", 100);
	cpu(f.parallel_redraw_cpu_ms);
	printf("%-58s %9.2f ms\n", "  draw again, nothing changed (the kept plot)", f.parallel_cached_ms);
	printf("%-58s %9.2f ms\n", "  one brush key: redraw + the runs table refiltered", f.parallel_brush_ms);
	snprintf(what, sizeof what, ":group optimizer, %zu runs in %zu groups, drawn", f.group_runs, f.groups);
	line(what, f.group_ms, "ms", 200);
	cpu(f.group_cpu_ms);
	snprintf(what, sizeof what, "open compare of %zu runs (%lld points) and draw the chart", f.compare_runs,
	         (long long)f.compare_points);
	line(what, f.compare_ms, "ms", 100);
	cpu(f.compare_cpu_ms);
	printf("%-58s %9.2f ms\n", "  reading the histories alone (core)", f.compare_read_ms);
	line("max RSS", (double)f.max_rss_kb / 1024.0, "MB", 100);
	printf("%-58s %9.2f MB\n", "  private memory (RssAnon) with compare open", (double)f.anon_rss_kb / 1024.0);
	return 0;
}
