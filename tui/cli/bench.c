/*
 * `runyard bench`: build a benchmark-sized workspace in a temp dir and print
 * the figures the store is designed for, one per line, each with its target:
 * bulk metric ingest rate, bytes per stored point, open + list sorted by a
 * metric, filter, and reading one long metric history.
 *
 * Runs come from the demo generator (params, tags, statuses); the metric
 * points are ingested here, timed, through the same writer a tracked job
 * uses.  Timed figures are the median of a few repetitions.  The temp dir is
 * removed afterwards.  It measures; it does not tune anything.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include <sys/wait.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "app/bench.h"
#include "metrics/corpus.h"

static const char help[] =
	"usage: runyard bench [--runs N] [--points N] [--tui] [--corpus DIR] [--json]\n"
	"       runyard bench --scale [--tui] [--json]\n"
	"\n"
	"Build a workspace in a temp dir (removed afterwards) and print performance\n"
	"figures, one per line with its target:\n"
	"  - metric ingest rate: N points written in bulk through the metrics writer,\n"
	"    spread over every run; and 10 runs x up to 10^6 points (long series, in\n"
	"    a second workspace beside the first)\n"
	"  - bytes per stored point (metric chunks, for both shapes, and the whole\n"
	"    workspace file)\n"
	"  - open the workspace and list every run sorted by a metric with 5 metric\n"
	"    columns: first screen, and fetching all rows\n"
	"  - filter every run by a compound expression\n"
	"  - read one 100,000-point metric history\n"
	"Timed figures are the median of 5 repetitions.  The runs come from the demo\n"
	"generator; the metric points are spread over all runs (5 metrics each) plus\n"
	"one run with a 100,000-point history.\n"
	"\n"
	"Options:\n"
	"  --runs N    runs in the workspace (default 100000; 1 to 1000000)\n"
	"  --points N  metric points to ingest (default 10000000; 1000 to 100000000)\n"
	"  --scale     run the benchmark at 10^4, 10^5 and 10^6 runs, 20 points per\n"
	"              run (2*10^5, 2*10^6 and 2*10^7 points, plus the 100,000-point\n"
	"              history, and 10 runs x 10^6 points; not with --runs or\n"
	"              --points), and print every figure side by side, a column per\n"
	"              size, so the growth shows (capture is left out: it does not\n"
	"              depend on the size).  It takes long: 5 to 10 minutes on a\n"
	"              2-core machine, most of it seeding and ingesting 10^6 runs,\n"
	"              about 2 GB of disk at the largest size (one size at a time)\n"
	"              and 400 MB of memory\n"
	"  --tui       also measure the full-screen app on the same workspace, in a\n"
	"              fresh process (so its memory is its own): first frame, a live\n"
	"              filter keystroke, scrolling a page, parallel coordinates of\n"
	"              every run (the key to the loading screen, to the plot drawn\n"
	"              once the background load is in, Esc while loading, a redraw\n"
	"              that plots every line again, one brush key), :group optimizer,\n"
	"              compare of 12 runs with 100,000-point histories and the\n"
	"              chart, max RSS; CPU time beside the steps that compute;\n"
	"              with --scale, at each size, printed as it is measured\n"
	"  --corpus DIR  score zero-code capture on the logs in DIR (NAME.log with\n"
	"              NAME.expected; default: the source tree's tests/capture/corpus):\n"
	"              recall, precision and step agreement of the points found\n"
	"  --json      print one JSON object instead of lines (docs/json.md); with\n"
	"              --scale, {\"scale\": [one such object per size]}\n"
	"  --db PATH   ignored: bench builds its own workspace in $TMPDIR\n"
	"  -h, --help  print this help\n"
	"\n"
	"The workspace goes to $TMPDIR (default /tmp) and needs about 30 bytes per\n"
	"point of disk, plus about 100 bytes per run.\n"
	"\n"
	"Environment: RUNYARD_BENCH_SCALE=N,N,...  replaces --scale's sizes (run\n"
	"counts, and the 10-runs shape is then scaled with them); for tests only.\n"
	"\n"
	"Exit status: 0 ok (also when a target is missed), 1 the benchmark could\n"
	"not run, 2 bad usage.\n";

#define REPS 5
#ifndef RY_CAPTURE_CORPUS
#define RY_CAPTURE_CORPUS "tests/capture/corpus" /* set by the build to the source tree's */
#endif
#define SCREEN 50
#define HISTORY_MAX 100000
#define FEW_RUNS 10         /* the long-series shape: 10 runs... */
#define FEW_POINTS 1000000  /* ...of up to 10^6 points each */
#define SCALE_MAX 8

static const char *const metric_keys[5] = { "loss", "val_loss", "acc", "val_acc", "learning_rate" };
static const char filter_expr[] = "val_acc > 0.9 and optimizer = adam and lr < 0.01 and status = finished";
static const char sort_spec[] = "val_acc:desc";

struct figure {
	const char *name;  /* stable key for --json */
	const char *title; /* the label without this size's counts (--scale's rows) */
	char label[96];
	double value;
	const char *unit;
	double target;     /* NaN: informational */
	bool at_least;     /* target is a minimum (rates) rather than a maximum */
	double cpu;        /* the same figure from process CPU time; NaN if n/a */
	int64_t matches;   /* -1 unless it counts rows */
	const char *note;  /* shown after the figure, e.g. the filter */
};

struct bench {
	ry_store *st;
	char *dir, *path;
	size_t runs;
	uint64_t points, history;
	bool scale;        /* one of --scale's sizes */
	struct figure fig[16];
	size_t nfig;
};

static struct figure *add_figure(struct bench *b, const char *name, const char *title, const char *unit,
                                 double target, bool at_least)
{
	struct figure *f = &b->fig[b->nfig++];
	memset(f, 0, sizeof *f);
	f->name = name;
	f->title = title;
	f->unit = unit;
	f->target = target;
	f->at_least = at_least;
	f->cpu = NAN;
	f->matches = -1;
	return f;
}

/* CPU seconds of this process: on a shared machine wall time includes
 * waiting for a core; CPU time shows what the work itself cost. */
static double cpu_now(void)
{
	struct timespec t;
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0)
		return NAN;
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static bool figure_met(const struct figure *f)
{
	if (isnan(f->target))
		return true;
	return f->at_least ? f->value >= f->target : f->value <= f->target;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void say(bool quiet, const char *msg)
{
	if (!quiet) {
		fprintf(stderr, "%s\n", msg);
		fflush(stderr);
	}
}

/* A value shaped like training: decaying losses, saturating accuracies, a
 * cosine lr; float32 like a framework logs.  q in 0..1 is the run's quality. */
static double curve(size_t key, double t, double q, uint64_t *seed)
{
	double noise;
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	noise = ((double)(*seed >> 11) / 9007199254740992.0 - 0.5) * 0.04;
	switch (key) {
	case 0: return (double)(float)((0.05 + 2.25 * exp(-5 * t)) * (1 + noise));
	case 1: return (double)(float)((0.25 + (1 - q) + 2.0 * exp(-5 * t)) * (1 + noise / 2));
	case 2: return (double)(float)(0.1 + (q + 0.04 - 0.1) * (1 - exp(-6 * t)) + noise / 4);
	case 3: return (double)(float)(0.1 + (q - 0.1) * (1 - exp(-6 * t)) + noise / 8);
	default: return (double)(float)(0.1 * 0.5 * (1 + cos(M_PI * t)));
	}
}

/* Ingest `points` points into runs 1..runs of st: when history > 0, run
 * 1's "loss" gets that many and the rest is spread over every run's 5
 * metrics, run by run, step by step (how a sweep's runs arrive).  Sets
 * *wall and *cpu to the seconds it took. */
static int ingest_into(ry_store *st, size_t runs, uint64_t points, uint64_t history, double *wall, double *cpu)
{
	ry_metrics_writer *w;
	uint64_t series = (uint64_t)runs * 5 - (history > 0), rest = points - history;
	uint64_t base = rest / series, extra = rest % series, seed = 42, j = 0;
	double t0 = ry_monotonic(), c0 = cpu_now();
	int rc;

	if ((rc = ry_metrics_writer_new(&w, st)))
		return rc;
	if ((rc = ry_store_begin(st)))
		goto out;
	for (size_t r = 0; r < runs && !rc; r++) {
		int64_t id = (int64_t)r + 1;
		double q = 0.80 + 0.17 * (double)((r * 2654435761u) % 1000) / 1000.0;
		double start = 1.7e9 + (double)r * 90.0;
		uint64_t len[5], maxlen = 0;
		for (size_t k = 0; k < 5; k++) {
			bool longest = history > 0 && r == 0 && k == 0;
			len[k] = longest ? history : base + (j < extra);
			if (!longest)
				j++;
			if (len[k] > maxlen)
				maxlen = len[k];
		}
		for (uint64_t s = 0; s < maxlen && !rc; s++) {
			for (size_t k = 0; k < 5 && !rc; k++) {
				if (s >= len[k])
					continue;
				double t = len[k] > 1 ? (double)s / (double)(len[k] - 1) : 1.0;
				rc = ry_metrics_append(w, id, metric_keys[k], (int64_t)s * 10, start + (double)s * 1.5,
				                       curve(k, t, q, &seed));
				if (!rc && ry_metrics_pending(w) >= 1000000)
					rc = ry_metrics_flush(w);
			}
		}
	}
	if (!rc)
		rc = ry_metrics_flush(w);
	if (!rc)
		rc = ry_store_commit(st);
	else
		ry_store_rollback(st);
out:
	ry_metrics_writer_free(w);
	*wall = ry_monotonic() - t0;
	*cpu = cpu_now() - c0;
	return rc;
}

static int ingest(struct bench *b)
{
	double wall, cpu;
	int rc = ingest_into(b->st, b->runs, b->points, b->history, &wall, &cpu);
	if (!rc) {
		struct figure *f = add_figure(b, "ingest_points_per_s", "metric ingest, points spread over every run",
		                              "points/s", 1e6, true);
		snprintf(f->label, sizeof f->label, "metric ingest, bulk, %" PRIu64 " points", b->points);
		f->value = (double)b->points / wall;
		f->cpu = (double)b->points / cpu;
	}
	return rc;
}

static int storage(struct bench *b)
{
	int64_t bytes, points;
	struct figure *f;
	int rc = ry_metrics_storage(b->st, &bytes, &points);
	if (rc)
		return rc;
	if (points <= 0)
		return ry_error_set(RY_ERROR, "bench: no metric points were stored");
	f = add_figure(b, "bytes_per_point", "bytes per stored point (metric chunks)", "bytes", 12, false);
	snprintf(f->label, sizeof f->label, "bytes per stored point (metric chunks, whole pages)");
	f->value = (double)bytes / (double)points;
	return 0;
}

/* Whole-file size after a checkpoint: runs, params, summaries and indexes
 * included; informational. */
static void file_figure(struct bench *b)
{
	struct stat sb;
	struct figure *f;
	if (stat(b->path, &sb) != 0)
		return;
	f = add_figure(b, "file_bytes_per_point", "workspace file bytes per point", "bytes", NAN, false);
	snprintf(f->label, sizeof f->label, "workspace file bytes per point (all tables and indexes)");
	f->value = (double)sb.st_size / (double)b->points;
}

static int parse_fields(ry_store *st, ry_field **fields)
{
	int rc = 0;
	for (size_t k = 0; k < 5 && !rc; k++)
		rc = ry_field_parse(&fields[k], st, metric_keys[k]);
	return rc;
}

static void free_fields(ry_field **fields)
{
	for (size_t k = 0; k < 5; k++) {
		ry_field_free(fields[k]);
		fields[k] = NULL;
	}
}

/* Open the workspace cold (a fresh connection), list the first screen of
 * runs sorted by a metric with its total and fetch 5 metric columns for it;
 * separately, every run sorted with every row fetched. */
static int list(struct bench *b)
{
	double screen[REPS], all[REPS], cscreen[REPS], call[REPS];
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	size_t count = 0;
	int rc = 0;

	o.sort = sort_spec;
	for (int rep = 0; rep < 2 * REPS && !rc; rep++) {
		bool whole = rep >= REPS;
		ry_store *st = NULL;
		ry_runlist *l = NULL;
		ry_field *fields[5] = { NULL };
		ry_cell *cells = NULL;
		size_t n;
		double t0 = ry_monotonic(), c0 = cpu_now();

		if ((rc = ry_store_open(&st, b->path, 0)))
			break;
		/* The screen is a first page (the index on the sort key stops
		 * there) and the total it is a page of, as the TUI opens. */
		o.limit = whole ? 0 : SCREEN;
		if (!(rc = ry_runlist_open(&l, st, &o)) && !(rc = parse_fields(st, fields)) &&
		    !(rc = whole ? 0 : ry_runlist_total(st, &o, &count))) {
			if (whole)
				count = ry_runlist_count(l);
			n = whole ? count : ry_runlist_count(l);
			cells = calloc(n * 5 + 1, sizeof *cells);
			if (!cells)
				ry_fatal("out of memory");
			rc = ry_runlist_fetch(st, ry_runlist_ids(l), n, fields, 5, cells);
			if (!rc) {
				(whole ? all : screen)[whole ? rep - REPS : rep] = (ry_monotonic() - t0) * 1000.0;
				(whole ? call : cscreen)[whole ? rep - REPS : rep] = (cpu_now() - c0) * 1000.0;
			}
			ry_cells_clear(cells, n * 5);
			free(cells);
		}
		free_fields(fields);
		ry_runlist_free(l);
		ry_store_close(st);
	}
	if (rc)
		return rc;
	if (count != b->runs)
		return ry_error_set(RY_ERROR, "bench: the list returned %zu runs, expected %zu", count, b->runs);

	struct figure *f = add_figure(b, "list_first_screen_ms", "open + list by val_acc, first 50 rows", "ms", 100,
	                              false);
	snprintf(f->label, sizeof f->label, "open + list %zu runs by val_acc, first %d rows x 5 metrics",
	         b->runs, SCREEN);
	f->value = median(screen, REPS);
	f->cpu = median(cscreen, REPS);
	f = add_figure(b, "list_all_rows_ms", "open + list by val_acc, all rows", "ms", 100, false);
	snprintf(f->label, sizeof f->label, "open + list %zu runs by val_acc, all rows x 5 metrics", b->runs);
	f->value = median(all, REPS);
	f->cpu = median(call, REPS);
	return 0;
}

static int filter(struct bench *b)
{
	double t[REPS], c[REPS];
	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	int64_t matches = 0;
	int rc = 0;

	o.filter = filter_expr;
	for (int rep = 0; rep < REPS && !rc; rep++) {
		ry_runlist *l = NULL;
		double t0 = ry_monotonic(), c0 = cpu_now();
		if (!(rc = ry_runlist_open(&l, b->st, &o))) {
			matches = (int64_t)ry_runlist_count(l);
			t[rep] = (ry_monotonic() - t0) * 1000.0;
			c[rep] = (cpu_now() - c0) * 1000.0;
		}
		ry_runlist_free(l);
	}
	if (rc)
		return rc;
	struct figure *f = add_figure(b, "filter_ms", "filter by a compound expression", "ms", 50, false);
	snprintf(f->label, sizeof f->label, "filter %zu runs by a compound expression", b->runs);
	f->value = median(t, REPS);
	f->cpu = median(c, REPS);
	f->matches = matches;
	f->note = filter_expr;
	return 0;
}

static int history(struct bench *b)
{
	double t[REPS], c[REPS];
	int rc = 0;
	size_t n = 0;

	for (int rep = 0; rep < REPS && !rc; rep++) {
		ry_point *p = NULL;
		double t0 = ry_monotonic(), c0 = cpu_now();
		if (!(rc = ry_metrics_read(b->st, 1, "loss", &p, &n))) {
			t[rep] = (ry_monotonic() - t0) * 1000.0;
			c[rep] = (cpu_now() - c0) * 1000.0;
		}
		free(p);
	}
	if (rc)
		return rc;
	if (n != b->history)
		return ry_error_set(RY_ERROR, "bench: read %zu points of the long history, expected %" PRIu64, n,
		                    b->history);
	struct figure *f = add_figure(b, "history_ms", "read one long metric history", "ms", 5, false);
	snprintf(f->label, sizeof f->label, "read one %" PRIu64 "-point metric history", b->history);
	f->value = median(t, REPS);
	f->cpu = median(c, REPS);
	return 0;
}

/* Capture accuracy on the corpus of framework logs (metrics/corpus.h).  A
 * runyard installed away from its source tree has no corpus: the figures
 * are then left out, said on stderr. */
static int capture(struct bench *b, const char *dir)
{
	ry_corpus_score t;
	struct figure *f;
	struct stat sb;
	if (!dir) {
		if (stat(RY_CAPTURE_CORPUS, &sb) != 0) {
			fprintf(stderr, "runyard bench: no capture corpus at %s; give --corpus DIR\n", RY_CAPTURE_CORPUS);
			return 0;
		}
		dir = RY_CAPTURE_CORPUS;
	}
	if (ry_corpus_score_dir(dir, NULL, NULL, &t))
		return RY_EIO;
	f = add_figure(b, "capture_recall", "capture recall", "%", 95, true);
	snprintf(f->label, sizeof f->label, "capture recall, %lld points in %zu KiB of logs", (long long)t.expected,
	         t.bytes / 1024);
	f->value = 100 * ry_corpus_recall(&t);
	f = add_figure(b, "capture_precision", "capture precision", "%", 97, true);
	snprintf(f->label, sizeof f->label, "capture precision, %lld points recorded", (long long)t.recorded);
	f->value = 100 * ry_corpus_precision(&t);
	f = add_figure(b, "capture_step", "capture step agreement", "%", 95, true);
	snprintf(f->label, sizeof f->label, "capture step agreement (the framework's printed step)");
	f->value = 100 * ry_corpus_step(&t);
	return 0;
}

static void remove_workspace(struct bench *b)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		char *p = ry_xasprintf("%s%s", b->path, suffixes[i]);
		unlink(p);
		free(p);
	}
	rmdir(b->dir);
}

static void format_value(double v, char *out, size_t n)
{
	snprintf(out, n, v >= 1e5 ? "%.0f" : "%.2f", v);
}

static void print_text(const struct bench *b)
{
	printf("runyard bench: %zu runs, %" PRIu64 " metric points (median of %d runs per timing; "
	       "cpu = process CPU time)\n", b->runs, b->points, REPS);
	for (size_t i = 0; i < b->nfig; i++) {
		const struct figure *f = &b->fig[i];
		char value[32], cpu[32];
		format_value(f->value, value, sizeof value);
		printf("%-58s %11s %-8s", f->label, value, f->unit);
		if (!isnan(f->target)) {
			char target[32];
			format_value(f->target, target, sizeof target);
			if (strchr(target, '.') && !strcmp(strchr(target, '.'), ".00"))
				*strchr(target, '.') = '\0';
			printf("  target %s %s  %-6s", f->at_least ? ">=" : "<=", target, figure_met(f) ? "ok" : "MISSED");
		}
		if (!isnan(f->cpu)) {
			format_value(f->cpu, cpu, sizeof cpu);
			printf("  (cpu %s)", cpu);
		}
		if (f->matches >= 0)
			printf("  %" PRId64 " matches", f->matches);
		if (f->note)
			printf(": %s", f->note);
		putchar('\n');
	}
}

static cJSON *json_of(const struct bench *b)
{
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	cJSON_AddNumberToObject(o, "runs", (double)b->runs);
	cJSON_AddNumberToObject(o, "points", (double)b->points);
	cJSON_AddNumberToObject(o, "history_points", (double)b->history);
	for (size_t i = 0; i < b->nfig; i++) {
		const struct figure *f = &b->fig[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "name", f->name);
		cJSON_AddStringToObject(j, "label", f->label);
		cJSON_AddNumberToObject(j, "value", f->value);
		cJSON_AddStringToObject(j, "unit", f->unit);
		if (isnan(f->target)) {
			cJSON_AddNullToObject(j, "target");
			cJSON_AddNullToObject(j, "target_op");
			cJSON_AddNullToObject(j, "met");
		} else {
			cJSON_AddNumberToObject(j, "target", f->target);
			cJSON_AddStringToObject(j, "target_op", f->at_least ? ">=" : "<=");
			cJSON_AddBoolToObject(j, "met", figure_met(f));
		}
		cJSON_AddItemToObject(j, "cpu_value", cli_json_number(f->cpu));
		if (f->matches >= 0)
			cJSON_AddNumberToObject(j, "matches", (double)f->matches);
		if (f->note)
			cJSON_AddStringToObject(j, "expression", f->note);
		cJSON_AddItemToArray(arr, j);
	}
	cJSON_AddItemToObject(o, "figures", arr);
	return o;
}

/* --scale: the figures of every size side by side, a row per figure (the
 * first size's order), a column per size; "-" where a size lacks it. */
static void print_scale(const struct bench *b, size_t n)
{
	printf("runyard bench --scale: 20 metric points per run plus one %d-point history (median of %d runs "
	       "per timing; cpu = process CPU time)\n", HISTORY_MAX, REPS);
	printf("%-46s %-8s", "figure", "unit");
	for (size_t k = 0; k < n; k++) {
		char head[32];
		snprintf(head, sizeof head, "%zu runs", b[k].runs);
		printf(" %14s", head);
	}
	printf("  target\n");
	for (size_t i = 0; i < b[0].nfig; i++) {
		const struct figure *f0 = &b[0].fig[i];
		bool has_cpu = false;
		printf("%-46s %-8s", f0->title, f0->unit);
		for (size_t k = 0; k < n; k++) {
			const struct figure *f = NULL;
			char value[32] = "-";
			for (size_t j = 0; j < b[k].nfig && !f; j++)
				if (!strcmp(b[k].fig[j].name, f0->name))
					f = &b[k].fig[j];
			if (f) {
				format_value(f->value, value, sizeof value);
				if (!figure_met(f))
					strcat(value, "!");
				has_cpu |= !isnan(f->cpu);
			}
			printf(" %14s", value);
		}
		if (!isnan(f0->target))
			printf("  %s %g", f0->at_least ? ">=" : "<=", f0->target);
		putchar('\n');
		if (!has_cpu)
			continue;
		printf("%-46s %-8s", "  the same from CPU time", "");
		for (size_t k = 0; k < n; k++) {
			char value[32] = "-";
			for (size_t j = 0; j < b[k].nfig; j++)
				if (!strcmp(b[k].fig[j].name, f0->name) && !isnan(b[k].fig[j].cpu))
					format_value(b[k].fig[j].cpu, value, sizeof value);
			printf(" %14s", value);
		}
		putchar('\n');
	}
	printf("(! marks a missed target)\n");
}

/* ---- the full-screen app's figures (--tui) ---------------------------- */

static void tui_line(const char *what, double v, const char *unit, double target)
{
	printf("%-60s %10.2f %-4s (target <= %g) %s\n", what, v, unit, target, v <= target ? "ok" : "MISSED");
}

static void tui_cpu(double v)
{
	printf("%-60s %10.2f ms\n", "  CPU time of that step", v);
}

/* `bench --tui-workspace PATH` (internal): measure in this process and print. */
static int tui_figures(const char *path)
{
	struct tui_bench_figures f;
	char what[96];
	int rc = tui_bench_measure(path, NULL, 0, NULL, &f);
	if (rc < 0)
		return cli_fail(rc);
	tui_line("tui: first frame after start", f.first_frame_ms, "ms", 200);
	tui_cpu(f.first_frame_cpu_ms);
	printf("%-60s %10.2f ms\n", "  then the experiments pane filled", f.pane_ms);
	printf("%-60s %10.2f ms\n", "  then the filter's index read (next idle moment)", f.warm_ms);
	tui_line("tui: live filter keystroke to redrawn table (median)", f.filter_key_ms, "ms", 50);
	tui_line("tui: live filter keystroke to redrawn table (slowest)", f.filter_key_max_ms, "ms", 50);
	tui_cpu(f.filter_key_max_cpu_ms);
	tui_line("tui: scroll one page (mean of 20)", f.page_ms, "ms", 5);
	tui_cpu(f.page_cpu_ms);
	if (isnan(f.parallel_open_ms)) {
		printf("%-60s %10s\n", "tui: parallel coordinates", "not opened");
	} else {
		tui_line("tui: parallel coordinates: p to the loading screen drawn", f.parallel_open_ms, "ms", 50);
		snprintf(what, sizeof what, "tui: parallel coordinates of %zu runs: p to the plot drawn", f.parallel_rows);
		tui_line(what, f.parallel_ready_ms, "ms", 2000);
		tui_cpu(f.parallel_ready_cpu_ms);
		tui_line("  Esc while loading: back on the runs, drawn", f.parallel_esc_ms, "ms", 50);
		snprintf(what, sizeof what, "tui: parallel coordinates, %zu lines%s: plot again + draw", f.parallel_runs,
		         f.parallel_density ? " (density)" : "");
		tui_line(what, f.parallel_redraw_ms, "ms", 100);
		tui_cpu(f.parallel_redraw_cpu_ms);
		printf("%-60s %10.2f ms\n", "  draw again, nothing changed (the kept plot)", f.parallel_cached_ms);
		printf("%-60s %10.2f ms\n", "  one brush key: redraw + the runs table refiltered", f.parallel_brush_ms);
	}
	snprintf(what, sizeof what, "tui: compare %zu runs (%lld points) + draw the chart", f.compare_runs,
	         (long long)f.compare_points);
	tui_line(what, f.compare_ms, "ms", 100);
	tui_cpu(f.compare_cpu_ms);
	printf("%-60s %10.2f ms\n", "  reading the histories alone (core)", f.compare_read_ms);
	tui_line("tui: compare, one new point arrives: reload + redraw", f.compare_append_ms, "ms", 50);
	tui_line("tui: compare, move the chart cursor (legend reads every run)", f.cursor_ms, "ms", 50);
	tui_cpu(f.cursor_cpu_ms);
	tui_line("tui: compare, zoom in around the cursor", f.zoom_ms, "ms", 100);
	tui_cpu(f.zoom_cpu_ms);
	tui_line("tui: compare, small multiples of every metric", f.grid_ms, "ms", 200);
	tui_cpu(f.grid_cpu_ms);
	snprintf(what, sizeof what, "tui: :group optimizer, %zu runs in %zu groups, drawn", f.group_runs, f.groups);
	tui_line(what, f.group_ms, "ms", 200);
	tui_cpu(f.group_cpu_ms);
	tui_line("tui: grouped, :sort val_acc:desc (regroup, order by mean)", f.group_sort_ms, "ms", 200);
	tui_line("tui: max RSS", (double)f.max_rss_kb / 1024.0, "MB", 100);
	return 0;
}

/* Run the TUI figures in a fresh process so its max RSS is not the
 * ingest's. */
static int run_tui_figures(const char *path)
{
	pid_t pid;
	int wst;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return ry_error_set(RY_EIO, "cannot fork for the TUI figures: %s", strerror(errno));
	if (pid == 0) {
		execl("/proc/self/exe", "runyard", "bench", "--tui-workspace", path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
		return ry_error_set(RY_ERROR, "measuring the TUI failed (status %d)", WIFEXITED(wst) ? WEXITSTATUS(wst) : -1);
	return 0;
}

/* The 10-runs shape: a few long series (10 runs x up to 10^6 points, 5
 * metrics each) in a workspace of their own beside the big one, so that
 * neither shape's figures include the other's rows. */
static int few_runs(struct bench *b)
{
	ry_demo_options d = RY_DEMO_OPTIONS_INIT;
	ry_store *st = NULL;
	char *path = ry_xasprintf("%s/few.db", b->dir);
	/* --scale keeps this shape the same at every size (it does not depend
	 * on the big workspace, and a column that moved would read as growth),
	 * unless a test has capped the sizes */
	bool full = (b->scale && !getenv("RUNYARD_BENCH_SCALE")) || b->points / FEW_RUNS >= FEW_POINTS;
	uint64_t per_run = full ? FEW_POINTS : b->points / FEW_RUNS;
	uint64_t points = per_run * FEW_RUNS;
	int64_t bytes, stored;
	double wall, cpu;
	int rc;

	d.runs = FEW_RUNS;
	d.steps = 0;
	d.now = 1.7e9 + 30 * 86400.0;
	d.models = false;
	if (!(rc = ry_store_open(&st, path, RY_STORE_CREATE)) && !(rc = ry_demo_seed(st, &d)) &&
	    !(rc = ingest_into(st, FEW_RUNS, points, 0, &wall, &cpu)) &&
	    !(rc = ry_metrics_storage(st, &bytes, &stored))) {
		struct figure *f = add_figure(b, "ingest_few_runs_points_per_s", "metric ingest, 10 runs, long series",
		                              "points/s", 1e6, true);
		snprintf(f->label, sizeof f->label, "metric ingest, bulk, %d runs x %" PRIu64 " points", FEW_RUNS,
		         per_run);
		f->value = (double)points / wall;
		f->cpu = (double)points / cpu;
		f = add_figure(b, "bytes_per_point_few_runs", "bytes per stored point, 10 runs", "bytes", 12, false);
		snprintf(f->label, sizeof f->label, "bytes per stored point, %d runs (metric chunks)", FEW_RUNS);
		f->value = stored > 0 ? (double)bytes / (double)stored : NAN;
	}
	ry_store_close(st);
	{
		static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
		for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
			char *p = ry_xasprintf("%s%s", path, suffixes[i]);
			unlink(p);
			free(p);
		}
	}
	free(path);
	return rc;
}

/* One size: build the workspace in a fresh temp dir (b->dir, b->path; the
 * caller removes them) and take every figure.  1 when the temp dir cannot
 * be made (said), else 0 or an RY_E* code. */
static int bench_size(struct bench *b, const char *corpus, bool with_capture, bool quiet)
{
	ry_demo_options d = RY_DEMO_OPTIONS_INIT;
	const char *tmp = getenv("TMPDIR");
	char *tmpl = ry_xasprintf("%s/runyard-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char msg[96];
	int rc;

	if (!mkdtemp(tmpl)) {
		fprintf(stderr, "runyard: cannot make a temp dir from %s: %s; set TMPDIR to a writable directory\n",
		        tmpl, strerror(errno));
		free(tmpl);
		return 1;
	}
	b->dir = tmpl;
	b->path = ry_xasprintf("%s/bench.db", b->dir);

	if ((rc = ry_store_open(&b->st, b->path, RY_STORE_CREATE)))
		return rc;
	snprintf(msg, sizeof msg, "bench: seeding %zu runs...", b->runs);
	say(quiet, msg);
	d.runs = b->runs;
	d.steps = 0;
	d.now = 1.7e9 + 30 * 86400.0;
	d.models = false; /* no artifact files: the bench measures runs and metrics */
	{
		double t0 = ry_monotonic();
		struct figure *f;
		if ((rc = ry_demo_seed(b->st, &d)))
			return rc;
		f = add_figure(b, "seed_runs_s", "setup: seed the demo runs", "s", NAN, false);
		snprintf(f->label, sizeof f->label, "setup: seed %zu demo runs (params, tags, no metrics)", b->runs);
		f->value = ry_monotonic() - t0;
	}
	{
		/* A fresh workspace numbers its runs 1..N; ingest relies on it. */
		ry_run *last = NULL;
		if ((rc = ry_run_get(&last, b->st, (int64_t)b->runs)))
			return rc;
		ry_run_free(last);
	}
	say(quiet, "bench: ingesting metric points...");
	if ((rc = ingest(b)) || (rc = storage(b)))
		return rc;
	/* Close so the WAL is checkpointed: the list figure opens cold. */
	ry_store_close(b->st);
	b->st = NULL;
	file_figure(b);
	say(quiet, "bench: ingesting 10 runs' long series...");
	if ((rc = few_runs(b)))
		return rc;
	say(quiet, "bench: listing, filtering, reading...");
	if ((rc = list(b)))
		return rc;
	if ((rc = ry_store_open(&b->st, b->path, 0)) || (rc = filter(b)) || (rc = history(b)))
		return rc;
	if (!with_capture)
		return 0;
	say(quiet, "bench: scoring capture on the corpus...");
	return capture(b, corpus);
}

/* Close and remove one size's workspace; its figures stay. */
static void bench_clean(struct bench *b)
{
	ry_store_close(b->st);
	b->st = NULL;
	if (b->dir)
		remove_workspace(b);
	free(b->path);
	free(b->dir);
	b->path = b->dir = NULL;
}

/* --scale's sizes: 10^4, 10^5, 10^6 runs; RUNYARD_BENCH_SCALE (tests only)
 * replaces them with a comma-separated list of run counts. */
static size_t scale_sizes(size_t *runs, size_t max)
{
	const char *env = getenv("RUNYARD_BENCH_SCALE");
	size_t n = 0;
	if (!env || !*env) {
		runs[0] = 10000;
		runs[1] = 100000;
		runs[2] = 1000000;
		return 3;
	}
	while (*env && n < max) {
		char *end;
		unsigned long v = strtoul(env, &end, 10);
		if (end == env || v < 1 || v > 1000000)
			return 0;
		runs[n++] = (size_t)v;
		env = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return 0;
	}
	return n;
}

int cli_bench(int argc, char **argv, struct cli_global *g)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "points", required_argument, NULL, 'p' },
		{ "scale", no_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "tui", no_argument, NULL, 't' },
		{ "tui-workspace", required_argument, NULL, 'W' },
		{ "corpus", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt go = CLI_GETOPT_INIT("bench", help, NULL);
	struct bench *b;
	size_t sizes[SCALE_MAX], nsizes = 1;
	uint64_t runs = 100000, points = 10000000;
	bool json = false, tui = false, scale = false, sized = false, quiet;
	const char *corpus = NULL;
	int c, rc = 0;

	(void)g;
	while ((c = cli_getopt(&go, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'r':
			if (!cli_parse_count(optarg, 1, 1000000, &runs))
				return cli_bad_value("bench", "--runs", optarg, "a whole number from 1 to 1000000");
			sized = true;
			break;
		case 'p':
			if (!cli_parse_count(optarg, 1000, 100000000, &points))
				return cli_bad_value("bench", "--points", optarg, "a whole number from 1000 to 100000000");
			sized = true;
			break;
		case 'S':
			scale = true;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			tui = true;
			break;
		case 'W':
			return tui_figures(optarg);
		case 'C':
			corpus = optarg;
			break;
		default:
			return go.status;
		}
	}
	if (optind < argc)
		return cli_extra_arg("bench", argv[optind], NULL);
	if (scale && sized)
		return cli_usage("bench", "--scale sets the sizes itself (10^4, 10^5 and 10^6 runs, 20 points per "
		                 "run): leave out --runs and --points");
	if (scale) {
		nsizes = scale_sizes(sizes, SCALE_MAX);
		if (nsizes == 0)
			return cli_usage("bench", "RUNYARD_BENCH_SCALE is not a comma-separated list of run counts "
			                 "from 1 to 1000000");
	} else {
		if (points < runs * 5)
			return cli_usage("bench", "--points %" PRIu64 " is too few for %" PRIu64 " runs: give at least "
			                 "5 per run (%" PRIu64 ")", points, runs, runs * 5);
		sizes[0] = (size_t)runs;
	}

	quiet = json || !isatty(STDERR_FILENO);
	b = ry_xcalloc(nsizes, sizeof *b);
	for (size_t k = 0; k < nsizes && !rc; k++) {
		b[k].runs = sizes[k];
		b[k].scale = scale;
		/* --scale: 20 points per run at every size, the long history on top */
		b[k].history = scale ? HISTORY_MAX : points / 2 < HISTORY_MAX ? points / 2 : HISTORY_MAX;
		b[k].points = scale ? (uint64_t)sizes[k] * 20 + HISTORY_MAX : points;
		rc = bench_size(&b[k], corpus, !scale, quiet);
		ry_store_close(b[k].st);
		b[k].st = NULL;
		if (!rc && !scale && !json)
			print_text(&b[k]);
		if (!rc && tui && !json) {
			if (scale)
				printf("\n%zu runs, %" PRIu64 " points: the full-screen app\n", b[k].runs, b[k].points);
			rc = run_tui_figures(b[k].path);
		}
		bench_clean(&b[k]);
	}
	if (!rc && scale && !json) {
		if (tui)
			putchar('\n');
		print_scale(b, nsizes);
	}
	if (!rc && json) {
		if (scale) {
			cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
			for (size_t k = 0; k < nsizes; k++)
				cJSON_AddItemToArray(arr, json_of(&b[k]));
			cJSON_AddItemToObject(o, "scale", arr);
			rc = cli_json_print(o);
		} else {
			rc = cli_json_print(json_of(&b[0]));
		}
		free(b);
		return rc;
	}
	free(b);
	if (rc == 1)
		return 1;
	if (rc)
		return cli_fail(rc);
	return 0;
}
