/*
 * Benchmark of the full-screen app.  It builds the same context the app
 * builds, on a headless 120x40 screen, and times what a user waits for:
 * the first frame, a keystroke in the live filter, a page of scrolling,
 * and opening a 12-run compare with its chart.  Each figure includes the
 * curses work of the redraw (doupdate into /dev/null), so it covers
 * everything but the terminal's own rendering.  It measures; it does not
 * seed the runs (the bench command or program does), except for the long
 * histories of the runs to compare when none are given.
 */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/bench.h"
#include "app/screen.h"
#include "app/tui.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Twelve runs with long, training-shaped "loss" histories. */
static int add_long_runs(ry_store *st, int64_t *ids, size_t n, size_t points)
{
	ry_metrics_writer *w = NULL;
	int rc = ry_metrics_writer_new(&w, st);
	if (rc < 0)
		return rc;
	double t0 = ry_now() - 86400;
	for (size_t i = 0; i < n && rc == 0; i++) {
		ry_run_spec spec = RY_RUN_SPEC_INIT;
		char name[64];
		snprintf(name, sizeof name, "tui-bench-long-%zu", i + 1);
		spec.experiment = "tui-bench";
		spec.name = name;
		spec.status = "finished";
		rc = ry_run_create(st, &spec, &ids[i], NULL);
		uint64_t seed = 0x9e3779b97f4a7c15ULL * (i + 1);
		for (size_t k = 0; k < points && rc == 0; k++) {
			double t = (double)k / (double)points;
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			double noise = ((double)(seed >> 11) / 9007199254740992.0 - 0.5) * 0.1;
			double v = (0.05 + 0.1 * (double)i / (double)n + 2.2 * exp(-5 * t)) * (1 + noise);
			rc = ry_metrics_append(w, ids[i], "loss", (int64_t)k, t0 + (double)k * 0.5, v);
			if (rc == 0 && ry_metrics_pending(w) >= 200000)
				rc = ry_metrics_flush(w);
		}
	}
	if (rc == 0)
		rc = ry_metrics_flush(w);
	ry_metrics_writer_free(w);
	return rc;
}

/* CPU seconds used by this process: on a loaded machine wall time also
 * counts other processes, CPU time counts only ours. */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this thread: a key's own work, without the list worker
 * computing beside it (work/listing.h). */
static double thread_cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double last_cpu_ms;

static double draw_key(struct tui_ctx *c, int key)
{
	double t = ry_monotonic(), cpu = thread_cpu_now();
	int r = tui_app_key(c, key);
	if (r & TUI_POP)
		tui_view_pop(c);
	if (r & TUI_RELOAD)
		tui_app_reload(c);
	tui_app_draw(c);
	last_cpu_ms = (thread_cpu_now() - cpu) * 1000;
	double ms = (ry_monotonic() - t) * 1000;
	/* What the main loop does between keys (a person types far slower). */
	tui_app_idle(c);
	return ms;
}

/* While the runs screen computes a list in the background it says so in
 * its status ("filtering…"): idle (which picks the list up) and draw
 * until it is shown.  Milliseconds from t0 to the drawn list; 0 when
 * nothing was running. */
static double first_page_ms; /* when the first rows showed ("counting…"), from t0 */

static double wait_list(struct tui_ctx *c, double t0)
{
	struct tui_view *v = c->views[0];
	char st[1024];
	bool waited = false;
	first_page_ms = 0;
	for (int i = 0; i < 600000; i++) {
		st[0] = '\0';
		if (v->ops->status)
			v->ops->status(v, c, st, sizeof st);
		if (strstr(st, "counting") && !first_page_ms) {
			tui_app_draw(c);
			first_page_ms = (ry_monotonic() - t0) * 1000;
		}
		if (!strstr(st, "shown until it is done") && !strstr(st, "counting"))
			break;
		waited = true;
		struct timespec ts = { 0, 100000 };
		nanosleep(&ts, NULL);
		if (v->ops->tick)
			c->dirty |= v->ops->tick(v, c);
	}
	if (!waited)
		return 0;
	tui_app_draw(c);
	return (ry_monotonic() - t0) * 1000;
}

/* TUI_BENCH_DEBUG: resident memory after a stage (what makes the max). */
static void mem_note(const char *stage)
{
	if (!getenv("TUI_BENCH_DEBUG"))
		return;
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	fprintf(stderr, "after %s:", stage);
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmHWM:", 6) || !strncmp(line, "RssAnon:", 8) || !strncmp(line, "RssFile:", 8))
			fprintf(stderr, " %.*s", (int)strcspn(line, "\n"), line);
	fprintf(stderr, "\n");
	if (f)
		fclose(f);
}

/* Stage 0: the 12 runs with 100,000-point histories to compare, seeded
 * in a child so its buffers do not count in our max RSS. */
static int seed_long_runs(const char *db_path, int64_t long_ids[TUI_MAX_COMPARE])
{
	int pfd[2], rc = 0;
	if (pipe(pfd) < 0)
		return ry_error_set(RY_EIO, "cannot create a pipe for the benchmark: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		return ry_error_set(RY_EIO, "cannot fork for the benchmark: %s", strerror(errno));
	if (pid == 0) {
		ry_store *st = NULL;
		close(pfd[0]);
		rc = ry_store_open(&st, db_path, 0);
		if (rc == 0)
			rc = add_long_runs(st, long_ids, TUI_MAX_COMPARE, 100000);
		ry_store_close(st);
		if (rc == 0 && write(pfd[1], long_ids, TUI_MAX_COMPARE * sizeof *long_ids) !=
		                   (ssize_t)(TUI_MAX_COMPARE * sizeof *long_ids))
			rc = -1;
		if (rc < 0)
			fprintf(stderr, "runyard: %s\n", ry_error_last());
		_exit(rc < 0 ? 1 : 0);
	}
	close(pfd[1]);
	ssize_t got = read(pfd[0], long_ids, TUI_MAX_COMPARE * sizeof *long_ids);
	close(pfd[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	if (got != (ssize_t)(TUI_MAX_COMPARE * sizeof *long_ids) || !WIFEXITED(status) || WEXITSTATUS(status))
		return ry_error_set(RY_ERROR, "adding the long runs for the compare benchmark failed");
	return 0;
}

/* Stage 1: the first frame, everything the app does before the user sees
 * the runs, then the experiments pane.  0 or an RY_E* code (the screen is
 * ended when it fails after starting). */
static int measure_first_frame(struct tui_ctx *c, const char *db_path, struct tui_bench_figures *out)
{
	int rc;
	/* First frame: everything the app does before the user sees the runs. */
	double t0 = ry_monotonic(), cpu0 = cpu_now();
	rc = ry_store_open(&c->st, db_path, 0);
	if (rc < 0)
		return rc;
	c->km = tui_keymap_new();
	c->utf8 = true;
	tui_theme_default(&c->theme);
	if (tui_screen_init(c, true, 40, 120) < 0) {
		return ry_error_set(RY_ERROR, "cannot start a headless screen for the benchmark");
	}
	c->data_version = ry_store_data_version(c->st);
	if (!tui_view_push(c, &tui_view_main, NULL)) {
		rc = ry_error_set(RY_ERROR, "the main screen did not open: %s", c->msg);
		tui_screen_end(c);
		return rc;
	}
	tui_app_draw(c);
	out->first_frame_ms = (ry_monotonic() - t0) * 1000;
	out->first_frame_cpu_ms = (cpu_now() - cpu0) * 1000;
	/* The experiments pane (counts and cost over every run) fills from the
	 * first idle moment after that frame. */
	double tp = ry_monotonic();
	tui_app_idle(c);
	tui_app_draw(c);
	out->pane_ms = (ry_monotonic() - tp) * 1000;
	tp = ry_monotonic();
	tui_app_idle(c);
	out->warm_ms = (ry_monotonic() - tp) * 1000;

	return 0;
}

/* Stage 2: the live filter, keystroke by keystroke, and its query alone. */
static void measure_filter(struct tui_ctx *c, const char *filter, struct tui_bench_figures *out)
{
	/* Live filter: every keystroke re-runs the query and redraws. */
	double keys[256];
	size_t nk = 0;
	draw_key(c, '/');
	for (const char *p = filter; *p && nk < 256; p++) {
		keys[nk++] = draw_key(c, (unsigned char)*p);
		if (getenv("TUI_BENCH_DEBUG"))
			fprintf(stderr, "filter '%.*s': %.2f ms\n", (int)(p - filter + 1), filter, keys[nk - 1]);
		out->filter_key_max_cpu_ms = last_cpu_ms > out->filter_key_max_cpu_ms ? last_cpu_ms
		                                                                     : out->filter_key_max_cpu_ms;
	}
	out->filter_done_ms = wait_list(c, ry_monotonic() - (nk ? keys[nk - 1] : 0) / 1000);
	out->filter_first_ms = first_page_ms;
	if (nk) {
		double mx = 0;
		for (size_t i = 0; i < nk; i++)
			mx = keys[i] > mx ? keys[i] : mx;
		qsort(keys, nk, sizeof *keys, cmp_double);
		out->filter_key_ms = keys[nk / 2];
		out->filter_key_max_ms = mx;
	}
	draw_key(c, 27); /* Esc: back to every run */
	wait_list(c, ry_monotonic());
	{
		/* The same query alone, to tell the core's share from the screen's. */
		ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
		ry_runlist *l = NULL;
		o.filter = filter;
		double t = ry_monotonic();
		if (ry_runlist_open(&l, c->st, &o) == 0)
			out->filter_core_ms = (ry_monotonic() - t) * 1000;
		ry_runlist_free(l);
	}

}

/* Stage 2b: the keys that re-list or re-read the table at 10^6 runs: a
 * sort on the val_acc column (and back), `G` to the end and back, the
 * column cursor moved, and `:columns` naming another set (then the
 * remembered ones again). */
static void measure_keys(struct tui_ctx *c, struct tui_bench_figures *out)
{
	double t;
	tui_command_run(c, "columns val_acc,lr,optimizer");
	tui_app_draw(c);
	tui_app_idle(c);
	/* the column cursor from name onto val_acc, after the built-ins
	 * (status, name, created, duration, host, cost) */
	for (int i = 0; i < 5; i++)
		draw_key(c, 'l');
	t = ry_monotonic();
	out->sort_key_ms = draw_key(c, 'S');
	out->sort_key_cpu_ms = last_cpu_ms;
	out->sort_done_ms = wait_list(c, t);
	if (!out->sort_done_ms)
		out->sort_done_ms = out->sort_key_ms;
	out->last_key_ms = draw_key(c, 'G');
	out->last_key_cpu_ms = last_cpu_ms;
	draw_key(c, 'g');
	out->col_key_ms = draw_key(c, 'l');
	out->col_key_cpu_ms = last_cpu_ms;
	double cpu = thread_cpu_now();
	t = ry_monotonic();
	tui_command_run(c, "columns loss,val_acc,batch_size");
	tui_app_draw(c);
	out->columns_ms = (ry_monotonic() - t) * 1000;
	out->columns_cpu_ms = (thread_cpu_now() - cpu) * 1000;
	tui_command_run(c, "columns");
	tui_command_run(c, "sort");
	tui_app_draw(c);
	wait_list(c, ry_monotonic());
	tui_app_idle(c);
}

/* Stage 3b: group every run by optimizer, then sort the groups by a
 * metric, each drawn; back to the plain list after. */
static void measure_group(struct tui_ctx *c, struct tui_bench_figures *out)
{
	struct tui_view *v = c->views[c->nviews - 1];
	char status[512] = "";
	const char *at;
	double t = ry_monotonic(), cpu = cpu_now();
	tui_command_run(c, "group optimizer");
	tui_app_draw(c);
	out->group_ms = (ry_monotonic() - t) * 1000;
	out->group_cpu_ms = (cpu_now() - cpu) * 1000;
	if (v->ops->status)
		v->ops->status(v, c, status, sizeof status);
	/* "... group: optimizer  1/3 groups of 100000 runs" */
	if ((at = strstr(status, "group: ")) && (at = strchr(at, '/')))
		sscanf(at + 1, "%zu groups of %zu", &out->groups, &out->group_runs);
	t = ry_monotonic();
	tui_command_run(c, "sort val_acc:desc");
	tui_app_draw(c);
	wait_list(c, t);
	out->group_sort_ms = (ry_monotonic() - t) * 1000;
	tui_command_run(c, "group");
	tui_command_run(c, "sort");
	tui_app_draw(c);
	wait_list(c, ry_monotonic());
	tui_app_idle(c);
}

/* Stage 3: paging through the unfiltered list. */
static void measure_paging(struct tui_ctx *c, struct tui_bench_figures *out)
{
	/* Paging through the unfiltered list. */
	double sum = 0, mx = 0, csum = 0;
	for (int i = 0; i < 20; i++) {
		double t = draw_key(c, TUI_KEY_FN | KEY_NPAGE);
		csum += last_cpu_ms;
		sum += t;
		mx = t > mx ? t : mx;
	}
	out->page_ms = sum / 20;
	out->page_cpu_ms = csum / 20;
	if (getenv("TUI_BENCH_DEBUG")) {
		double td = ry_monotonic();
		for (int i = 0; i < 20; i++)
			tui_app_draw(c);
		fprintf(stderr, "draw only: %.2f ms\n", (ry_monotonic() - td) * 1000 / 20);
		td = ry_monotonic();
		for (int i = 0; i < 20; i++) {
			erase();
			wnoutrefresh(stdscr);
			doupdate();
		}
		fprintf(stderr, "erase+doupdate: %.2f ms\n", (ry_monotonic() - td) * 1000 / 20);
	}
	out->page_max_ms = mx;

}

/* Stage 3b: parallel coordinates of every run the table lists (the
 * filter cleared): open, redraw, one brush key; then back to the runs. */
static void measure_parallel(struct tui_ctx *c, struct tui_bench_figures *out)
{
	double frames[5];
	tui_command_run(c, "filter");
	tui_app_draw(c);
	wait_list(c, ry_monotonic());
	/* p: the loading screen at once, the plot when the background load is
	 * in (a headless screen's idle waits for it, as a script's does) */
	double t0 = ry_monotonic(), cpu0 = cpu_now();
	int r = tui_app_key(c, 'p');
	(void)r;
	tui_app_draw(c);
	out->parallel_open_ms = (ry_monotonic() - t0) * 1000;
	if (c->nviews < 2 || c->views[c->nviews - 1]->ops != &tui_view_parallel) {
		out->parallel_open_ms = NAN;
		return;
	}
	tui_app_idle(c);
	tui_app_draw(c);
	out->parallel_ready_ms = (ry_monotonic() - t0) * 1000;
	out->parallel_ready_cpu_ms = (cpu_now() - cpu0) * 1000;
	{
		struct tui_view *pv = c->views[c->nviews - 1];
		out->parallel_rows = tui_parallel_rows(pv);
	}
	/* Plotted again: an axis flipped (and back), every line rasterised. */
	double cpus[5];
	for (int i = 0; i < 5; i++) {
		frames[i] = draw_key(c, 'v');
		cpus[i] = last_cpu_ms;
	}
	draw_key(c, 'v');
	qsort(frames, 5, sizeof *frames, cmp_double);
	qsort(cpus, 5, sizeof *cpus, cmp_double);
	out->parallel_redraw_ms = frames[2];
	out->parallel_redraw_cpu_ms = cpus[2];
	/* Drawn again with nothing changed: the kept plot. */
	for (int i = 0; i < 5; i++) {
		double t = ry_monotonic();
		tui_app_draw(c);
		frames[i] = (ry_monotonic() - t) * 1000;
	}
	qsort(frames, 5, sizeof *frames, cmp_double);
	out->parallel_cached_ms = frames[2];
	out->parallel_runs = tui_parallel_shown(c->views[c->nviews - 1]);
	out->parallel_density = tui_parallel_density(c->views[c->nviews - 1]);
	out->parallel_brush_ms = draw_key(c, 'k');
	if (getenv("TUI_BENCH_DEBUG"))
		tui_screen_save(c, "/tmp/tui-bench-parallel.txt");
	draw_key(c, 'x'); /* the brush off again */
	draw_key(c, 'q');
	tui_command_run(c, "filter");
	tui_app_draw(c);
	/* open again and leave while it loads: no idle between, so the load
	 * is still in flight when Esc comes */
	tui_app_key(c, 'p');
	tui_app_draw(c);
	if (c->nviews > 1 && c->views[c->nviews - 1]->ops == &tui_view_parallel) {
		double te = ry_monotonic();
		int re = tui_app_key(c, 27);
		if (re & TUI_POP)
			tui_view_pop(c);
		tui_app_draw(c);
		out->parallel_esc_ms = (ry_monotonic() - te) * 1000;
		if (c->nviews > 1 && c->views[c->nviews - 1]->ops == &tui_view_parallel)
			draw_key(c, 'q');
	}
	tui_command_run(c, "filter");
	tui_app_draw(c);
	wait_list(c, ry_monotonic());
}

/* Stage 4: compare the runs (table and chart), then one new point on a
 * compared run as a live run brings it.  0 or an RY_E* code. */
static int measure_compare(struct tui_ctx *c, const int64_t *compare_ids, size_t n, struct tui_bench_figures *out)
{
	/* Compare: mark the runs, press c, draw table and chart. */
	tui_mark_clear(c);
	for (size_t i = 0; i < n; i++)
		tui_mark_toggle(c, compare_ids[i]);
	out->compare_ms = draw_key(c, 'c');
	out->compare_cpu_ms = last_cpu_ms;
	out->compare_runs = n;
	{
		double t = ry_monotonic();
		for (size_t i = 0; i < n; i++) {
			ry_point *pts = NULL;
			size_t np = 0;
			ry_metrics_read(c->st, compare_ids[i], "loss", &pts, &np);
			free(pts);
		}
		out->compare_read_ms = (ry_monotonic() - t) * 1000;
	}
	if (c->nviews > 1) {
		ry_store *st = c->st;
		for (size_t i = 0; i < n; i++) {
			ry_metric_summary *ms = NULL;
			size_t nms = 0;
			if (ry_metrics_summaries(st, compare_ids[i], &ms, &nms) == 0)
				for (size_t k = 0; k < nms; k++)
					if (!strcmp(ms[k].key, "loss"))
						out->compare_points += ms[k].n;
			ry_metric_summaries_free(ms, nms);
		}
	} else {
		return ry_error_set(RY_ERROR, "compare did not open: %s", c->msg);
	}

	/* A live run: one new point of the charted metric on a compared run,
	 * then what the app does when the workspace changes (reload, redraw). */
	if (c->nviews > 1) {
		struct tui_view *v = c->views[c->nviews - 1];
		ry_metrics_writer *w = NULL;
		if (ry_metrics_writer_new(&w, c->st) == 0 &&
		    ry_metrics_append(w, compare_ids[0], "loss", (int64_t)1 << 40, ry_now(), 0.5) == 0 &&
		    ry_metrics_flush(w) == 0) {
			double t = ry_monotonic();
			if (v->ops->reload)
				v->ops->reload(v, c);
			tui_app_draw(c);
			out->compare_append_ms = (ry_monotonic() - t) * 1000;
		}
		ry_metrics_writer_free(w);
	}

	/* Analysis: the cursor shown, then moved (the figure: a move, which
	 * reads every run's value there), a zoom, the small multiples. */
	if (c->nviews > 1) {
		draw_key(c, '>');
		out->cursor_ms = draw_key(c, '<');
		out->cursor_cpu_ms = last_cpu_ms;
		out->zoom_ms = draw_key(c, '+');
		out->zoom_cpu_ms = last_cpu_ms;
		out->grid_ms = draw_key(c, 'v');
		out->grid_cpu_ms = last_cpu_ms;
	}
	return 0;
}

int tui_bench_measure(const char *db_path, const int64_t *compare_ids, size_t n, const char *filter,
                      struct tui_bench_figures *out)
{
	struct tui_ctx ctx;
	struct tui_ctx *c = &ctx;
	int64_t long_ids[TUI_MAX_COMPARE];
	int rc = 0;
	memset(out, 0, sizeof *out);
	memset(c, 0, sizeof *c);
	if (!filter)
		filter = "lr < 0.01 and status = finished";
	if (n > TUI_MAX_COMPARE)
		n = TUI_MAX_COMPARE;
	if (n == 0) {
		if ((rc = seed_long_runs(db_path, long_ids)))
			return rc;
		compare_ids = long_ids;
		n = TUI_MAX_COMPARE;
	}
	if ((rc = measure_first_frame(c, db_path, out)))
		goto out;
	mem_note("first frame");
	measure_filter(c, filter, out);
	mem_note("filter");
	measure_keys(c, out);
	mem_note("keys");
	measure_paging(c, out);
	mem_note("paging");
	measure_parallel(c, out);
	mem_note("parallel");
	measure_group(c, out);
	mem_note("group");
	rc = measure_compare(c, compare_ids, n, out);
	mem_note("compare");

	/* Private memory with compare open: RSS also counts the workspace
	 * file's pages that SQLite maps (mmap_size), which are shared and
	 * reclaimable. */
	FILE *f = fopen("/proc/self/status", "r");
	if (f) {
		char line[256];
		while (fgets(line, sizeof line, f))
			if (!strncmp(line, "RssAnon:", 8))
				out->anon_rss_kb = strtol(line + 8, NULL, 10);
		fclose(f);
	}
	while (c->nviews > 0) {
		struct tui_view *v = c->views[--c->nviews];
		if (v->ops->done)
			v->ops->done(v, c);
		free(v);
	}
	tui_screen_end(c);
out: {
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		out->max_rss_kb = ru.ru_maxrss;
	}
	tui_prompt_free(&c->prompt);
	free(c->marked);
	tui_keymap_free(c->km);
	ry_store_close(c->st);
	return rc;
}
