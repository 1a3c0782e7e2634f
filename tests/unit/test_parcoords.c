/* Parallel coordinates and scatter (tui/widgets/parcoords.c): axis
 * scaling (linear, log, categorical), brushes and the filter text they
 * stand for, levels and ranks, the density raster, the scatter cursor,
 * and the SVG (tui/widgets/svg.c). */
#include "testutil.h"
#include "widgets/parcoords.h"
#include "widgets/svg.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <time.h>

#include "analysis/analysis.h"
#include "store/store_internal.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void test_axis__empty_and_all_missing(void **state)
{
	(void)state;
	tui_axis ax;
	double v[] = { NAN, NAN };
	tui_axis_numeric(&ax, "x", "params.x", v, 0, -1);
	assert_int_equal(ax.kind, TUI_AXIS_LINEAR);
	tui_axis_free(&ax);
	tui_axis_numeric(&ax, "x", "params.x", v, 2, -1);
	assert_true(isnan(tui_axis_pos(&ax, 0)));
	assert_false(tui_axis_brushed(&ax));
	assert_null(tui_axis_brush_clause(&ax));
	tui_axis_free(&ax);
	tui_axis_free(&ax); /* twice is fine */
}

static void test_axis__linear_and_log_chosen_by_span(void **state)
{
	(void)state;
	tui_axis ax;
	double lin[] = { 1, 2, 3 }, lr[] = { 0.001, 0.01, 0.1 }, zero[] = { 0, 1, 1000 };
	tui_axis_numeric(&ax, "x", "params.x", lin, 3, -1);
	assert_int_equal(ax.kind, TUI_AXIS_LINEAR);
	NEAR(tui_axis_pos(&ax, 1), 0.5);
	tui_axis_free(&ax);
	tui_axis_numeric(&ax, "lr", "params.lr", lr, 3, -1);
	assert_int_equal(ax.kind, TUI_AXIS_LOG); /* spans two decades */
	NEAR(tui_axis_pos(&ax, 0), 0);
	NEAR(tui_axis_pos(&ax, 1), 0.5);
	NEAR(tui_axis_pos(&ax, 2), 1);
	NEAR(tui_axis_value_at(&ax, 0.5), 0.01);
	ax.flip = true;
	NEAR(tui_axis_y(&ax, 0), 1);
	tui_axis_free(&ax);
	tui_axis_numeric(&ax, "x", "params.x", zero, 3, -1);
	assert_int_equal(ax.kind, TUI_AXIS_LINEAR); /* a 0 cannot go on a log axis */
	tui_axis_free(&ax);
	tui_axis_numeric(&ax, "x", "params.x", zero, 3, 1);
	assert_int_equal(ax.kind, TUI_AXIS_LOG);   /* forced: the 0 is missing */
	assert_true(isnan(tui_axis_pos(&ax, 0)));
	tui_axis_free(&ax);
}

static void test_axis__categories_evenly_spaced_numbers_first(void **state)
{
	(void)state;
	tui_axis ax;
	char *t[] = { "sgd", "adam", NULL, "adam", "128", "32" };
	tui_axis_category(&ax, "opt", "params.opt", t, 6);
	assert_int_equal(ax.kind, TUI_AXIS_CATEGORY);
	assert_int_equal(ax.ncats, 4);
	assert_string_equal(ax.cats[0], "32");
	assert_string_equal(ax.cats[1], "128");
	assert_string_equal(ax.cats[2], "adam");
	assert_string_equal(ax.cats[3], "sgd");
	NEAR(tui_axis_pos(&ax, 0), 1);
	NEAR(tui_axis_pos(&ax, 1), 2.0 / 3);
	assert_true(isnan(tui_axis_pos(&ax, 2)));
	assert_int_equal(tui_axis_cat(&ax, 4), 1);
	tui_axis_free(&ax);
}

static void test_brush__numeric_clause(void **state)
{
	(void)state;
	tui_axis ax;
	double v[] = { 0, 2.5, 5, 10 };
	tui_axis_numeric(&ax, "x", "params.x", v, 4, -1);
	tui_axis_brush_move(&ax, 0, 1);
	tui_axis_brush_move(&ax, 0, 1); /* bottom up two twentieths: 1 */
	char *s = tui_axis_brush_clause(&ax);
	assert_string_equal(s, "params.x >= 1");
	free(s);
	assert_false(tui_axis_in_brush(&ax, 0));
	assert_true(tui_axis_in_brush(&ax, 1));
	tui_axis_brush_move(&ax, 1, -1); /* top down one: 9.5 */
	s = tui_axis_brush_clause(&ax);
	assert_string_equal(s, "params.x >= 1 and params.x <= 9.5");
	free(s);
	assert_false(tui_axis_in_brush(&ax, 3));
	/* the ends never cross */
	for (int i = 0; i < 40; i++)
		tui_axis_brush_move(&ax, 0, 1);
	assert_true(ax.blo <= ax.bhi);
	tui_axis_brush_clear(&ax);
	assert_null(tui_axis_brush_clause(&ax));
	/* on a flipped axis the screen's top end is the low values */
	ax.flip = true;
	tui_axis_brush_move(&ax, 1, -1);
	s = tui_axis_brush_clause(&ax);
	assert_string_equal(s, "params.x >= 0.5");
	free(s);
	tui_axis_free(&ax);
}

static void test_brush__bounds_rounded_outwards(void **state)
{
	(void)state;
	tui_axis ax;
	double v[] = { 0.001, 0.1 };
	char err[128];
	tui_axis_numeric(&ax, "lr", "params.lr", v, 2, -1);
	assert_true(tui_axis_brush_parse(&ax, "0.00123456789..0.0456789", err, sizeof err));
	char *s = tui_axis_brush_clause(&ax);
	double lo, hi;
	assert_int_equal(sscanf(s, "params.lr >= %lf and params.lr <= %lf", &lo, &hi), 2);
	assert_true(lo <= 0.00123456789 * (1 + 1e-12));
	assert_true(hi >= 0.0456789 * (1 - 1e-12));
	assert_true(strlen(s) < 60); /* short, not 17 digits */
	free(s);
	assert_false(tui_axis_brush_parse(&ax, "abc", err, sizeof err));
	assert_false(tui_axis_brush_parse(&ax, "-1..0.01", err, sizeof err)); /* a log axis */
	assert_true(tui_axis_brush_parse(&ax, "..0.01", err, sizeof err));
	s = tui_axis_brush_clause(&ax);
	assert_string_equal(s, "params.lr <= 0.01");
	free(s);
	tui_axis_free(&ax);
}

static void test_brush__categorical_clause_quotes_values(void **state)
{
	(void)state;
	tui_axis ax;
	char *t[] = { "adam", "sgd", "it\"s x" };
	char err[128];
	tui_axis_category(&ax, "opt", "params.opt", t, 3);
	tui_axis_brush_move(&ax, 1, -1); /* top down one value */
	char *s = tui_axis_brush_clause(&ax);
	assert_string_equal(s, "(params.opt = adam or params.opt = \"it\\\"s x\")");
	free(s);
	assert_true(tui_axis_in_brush(&ax, 0));
	assert_false(tui_axis_in_brush(&ax, 1));
	assert_true(tui_axis_brush_parse(&ax, "sgd", err, sizeof err));
	s = tui_axis_brush_clause(&ax);
	assert_string_equal(s, "(params.opt = sgd)");
	free(s);
	assert_false(tui_axis_brush_parse(&ax, "rmsprop", err, sizeof err));
	tui_axis_free(&ax);
	/* text that reads as a number, or a word of the language, stays text */
	char *u[] = { "1.10", "and", "vit-b/16" };
	tui_axis_category(&ax, "v", "params.v", u, 3);
	assert_true(tui_axis_brush_parse(&ax, "and,vit-b/16", err, sizeof err));
	s = tui_axis_brush_clause(&ax);
	assert_string_equal(s, "(params.v = \"and\" or params.v = vit-b/16)");
	free(s);
	assert_true(tui_axis_brush_parse(&ax, "1.10", err, sizeof err));
	s = tui_axis_brush_clause(&ax);
	assert_string_equal(s, "(params.v = \"1.10\")");
	free(s);
	tui_axis_free(&ax);
}

static void test_filter__base_and_clauses(void **state)
{
	(void)state;
	tui_axis a, b;
	double v[] = { 0, 10 };
	char *t[] = { "x", "y" };
	tui_axis_numeric(&a, "n", "params.n", v, 2, -1);
	tui_axis_category(&b, "c", "params.c", t, 2);
	tui_axis *ax[] = { &a, &b };
	assert_null(tui_pc_filter(NULL, ax, 2));
	char *s = tui_pc_filter("status = finished", ax, 2);
	assert_string_equal(s, "status = finished");
	free(s);
	tui_axis_brush_move(&a, 0, 1);
	tui_axis_brush_move(&b, 0, 1);
	s = tui_pc_filter("status = finished or lr < 1", ax, 2);
	assert_string_equal(s, "(status = finished or lr < 1) and params.n >= 0.5 and (params.c = y)");
	free(s);
	tui_axis_free(&a);
	tui_axis_free(&b);
}

static void test_levels__gradient_and_ranks_follow_the_goal(void **state)
{
	(void)state;
	double m[] = { 1, 2, 3, NAN };
	int8_t lv[4];
	uint8_t rk[4];
	tui_pc_levels(m, 4, 1, lv, rk);
	assert_int_equal(lv[0], 0);
	assert_int_equal(lv[1], 2);
	assert_int_equal(lv[2], TUI_PC_LEVELS - 1);
	assert_int_equal(lv[3], -1);
	assert_int_equal(rk[2], 1);
	assert_int_equal(rk[0], 3);
	assert_int_equal(rk[3], 0);
	tui_pc_levels(m, 4, -1, lv, rk); /* lower is better */
	assert_int_equal(lv[0], TUI_PC_LEVELS - 1);
	assert_int_equal(rk[0], 1);
	tui_pc_levels(m, 4, 0, lv, rk);  /* no goal: no ranks */
	assert_int_equal(rk[0] + rk[1] + rk[2], 0);
}

/* The five ranks over many runs, ties to the earlier run, as a full sort
 * would give them. */
static void test_levels__ranks_of_many_runs_match_a_sort(void **state)
{
	(void)state;
	enum { N = 1000 };
	double *m = malloc(N * sizeof *m);
	int8_t *lv = malloc(N * sizeof *lv);
	uint8_t *rk = malloc(N * sizeof *rk);
	for (int i = 0; i < N; i++)
		m[i] = i % 7 == 3 ? NAN : (double)((i * 37) % 101); /* ties: each value about 10 times */
	for (int goal = -1; goal <= 1; goal += 2) {
		tui_pc_levels(m, N, goal, lv, rk);
		/* expected: by value (best first), then by index */
		int want[TUI_PC_RANKED], nw = 0;
		for (int r = 0; r < TUI_PC_RANKED; r++) {
			int best = -1;
			for (int i = 0; i < N; i++) {
				bool taken = false;
				for (int k = 0; k < nw; k++)
					taken |= want[k] == i;
				if (isnan(m[i]) || taken)
					continue;
				if (best < 0 || goal * m[i] > goal * m[best])
					best = i;
			}
			want[nw++] = best;
		}
		int ranked = 0;
		for (int i = 0; i < N; i++)
			ranked += rk[i] > 0;
		assert_int_equal(ranked, TUI_PC_RANKED);
		for (int r = 0; r < TUI_PC_RANKED; r++)
			assert_int_equal(rk[want[r]], r + 1);
	}
	free(m);
	free(lv);
	free(rk);
}

static void test_render__counts_lines_and_marks_the_best(void **state)
{
	(void)state;
	tui_axis a, b;
	double x[] = { 0, 0, 0, 1 }, y[] = { 1, 1, 1, 0 };
	int8_t lv[] = { 0, 0, 0, 4 };
	uint8_t rk[] = { 0, 0, 0, 1 };
	tui_axis_numeric(&a, "a", "params.a", x, 4, 0);
	tui_axis_numeric(&b, "b", "params.b", y, 4, 0);
	tui_axis *ax[] = { &a, &b };
	tui_pc pc;
	tui_pc_render(&pc, 10, 5, ax, 2, lv, rk, false);
	assert_int_equal(pc.shown, 4);
	assert_int_equal(pc.axis_col[0], 0);
	assert_int_equal(pc.axis_col[1], 9);
	/* three lines from bottom left to top right share every cell */
	assert_int_equal(pc.cells[4 * 10 + 0].count, 3);
	assert_int_equal(pc.maxcount, 4); /* where the best crosses them */
	assert_int_equal(pc.cells[2 * 10 + 4].count, 4);
	assert_string_equal(pc.cells[4 * 10 + 0].glyph, "#"); /* the densest: ASCII shade */
	/* the best one runs from top left to bottom right, its rank on both axes */
	assert_int_equal(pc.cells[0].marker, '1');
	assert_int_equal(pc.cells[4 * 10 + 9].marker, '1');
	assert_true(pc.cells[0].ranked);
	assert_int_equal(pc.cells[4 * 10 + 0].level, 0);
	tui_pc_free(&pc);
	/* a brush leaves the others out */
	tui_axis_brush_move(&a, 0, 1);
	tui_pc_render(&pc, 10, 5, ax, 2, lv, rk, true);
	assert_int_equal(pc.shown, 1);
	assert_int_equal(pc.cells[4 * 10 + 0].count, 0);
	assert_true((unsigned char)pc.cells[2 * 10 + 5].glyph[0] == 0xe2); /* braille */
	tui_pc_free(&pc);
	tui_pc_render(&pc, 0, 0, ax, 2, lv, rk, true); /* no room: no cells, no crash */
	assert_int_equal(pc.shown, 0);
	tui_pc_free(&pc);
	tui_axis_free(&a);
	tui_axis_free(&b);
}

static void test_render__ten_thousand_runs_fast(void **state)
{
	(void)state;
	enum { N = 10000, NAX = 6 };
	tui_axis axes[NAX], *ap[NAX];
	double *v = malloc(N * sizeof *v);
	int8_t *lv = malloc(N * sizeof *lv);
	uint8_t *rk = malloc(N * sizeof *rk);
	srand(7);
	for (int k = 0; k < NAX; k++) {
		for (int i = 0; i < N; i++)
			v[i] = k == 1 ? pow(10, -5 + 4.0 * rand() / RAND_MAX) : (double)rand() / RAND_MAX;
		tui_axis_numeric(&axes[k], "k", "params.k", v, N, -1);
		ap[k] = &axes[k];
	}
	assert_int_equal(axes[1].kind, TUI_AXIS_LOG);
	tui_pc_levels(axes[NAX - 1].val, N, 1, lv, rk);
	tui_pc pc;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tui_pc_render(&pc, 200, 45, ap, NAX, lv, rk, true);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("# 10,000 runs x 6 axes at 200x45: %.1f ms\n", ms);
	assert_int_equal(pc.shown, N);
	assert_true(pc.maxcount > 1);
	/* density: shades spread over the plot, the densest cell is shade 3 */
	int dense = 0, sparse = 0;
	for (int c = 0; c < pc.w * pc.h; c++) {
		dense += pc.cells[c].shade == 3;
		sparse += pc.cells[c].count && pc.cells[c].shade < 3;
	}
	assert_true(dense > 0 && sparse > 0);
	assert_true(ms < 1000); /* a generous bound for a loaded machine; the bench reports the real figure */
	tui_pc_free(&pc);
	for (int k = 0; k < NAX; k++)
		tui_axis_free(&axes[k]);
	free(v);
	free(lv);
	free(rk);
}

static void test_density__log_shade_spans_a_line_to_the_densest(void **state)
{
	(void)state;
	assert_int_equal(tui_pc_log_shade(0, 1000), 0);
	assert_int_equal(tui_pc_log_shade(1, 1000), 0);    /* one line among thousands: the faintest, still shown */
	assert_int_equal(tui_pc_log_shade(1000, 1000), TUI_PC_SHADES - 1);
	assert_int_equal(tui_pc_log_shade(1, 1), 0);
	int prev = 0;
	for (int c = 1; c <= 100000; c *= 3) { /* never darker for fewer lines */
		int sh = tui_pc_log_shade(c, 100000);
		assert_true(sh >= prev && sh < TUI_PC_SHADES);
		prev = sh;
	}
	/* log, not linear: 100 of 10^4 lines is already the middle */
	assert_int_equal(tui_pc_log_shade(100, 10000), 2);
	assert_string_equal(tui_pc_shade_glyph(TUI_PC_SHADES - 1, true), "█");
	assert_string_equal(tui_pc_shade_glyph(0, false), ":");
	assert_string_equal(tui_pc_shade_glyph(-1, false), "."); /* brushed out */
	assert_string_equal(tui_pc_shade_glyph(99, false), "@");
}

/* 2,000 lines bottom-left to top-right and 1,000 top-left to bottom-right
 * over two axes: past TUI_PC_DENSITY_MIN, counted per cell by bins. */
static void test_density__bins_count_each_line_once_and_keep_the_brushed_out(void **state)
{
	(void)state;
	enum { N = 3000 };
	double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
	int8_t *lv = malloc(N * sizeof *lv);
	uint8_t *rk = calloc(N, sizeof *rk);
	for (int i = 0; i < N; i++) {
		x[i] = i < 2000 ? 0 : 1;
		y[i] = i < 2000 ? 1 : 0;
		lv[i] = i < 2000 ? 0 : 4;
	}
	rk[2500] = 1;
	tui_axis a, b;
	tui_axis_numeric(&a, "a", "params.a", x, N, 0);
	tui_axis_numeric(&b, "b", "params.b", y, N, 0);
	tui_axis *ax[] = { &a, &b };
	tui_pc pc;
	tui_pc_render(&pc, 10, 5, ax, 2, lv, rk, false);
	assert_true(pc.density);
	assert_int_equal(pc.shown, N);
	assert_int_equal(pc.out, 0);
	assert_int_equal(pc.cells[4 * 10 + 0].count, 2000); /* bottom left: the first lines, once each */
	assert_int_equal(pc.cells[0 * 10 + 0].count, 1000); /* top left: the others */
	assert_int_equal(pc.cells[2 * 10 + 4].count + pc.cells[2 * 10 + 5].count >= N, 1); /* they cross mid-plot */
	assert_int_equal(pc.maxcount, N);
	assert_int_equal(pc.cells[4 * 10 + 0].level, 0);
	assert_int_equal(pc.cells[0].level, 4);
	assert_int_equal(pc.cells[0].marker, '1'); /* the best still marked by rank */
	assert_string_equal(pc.cells[4 * 10 + 0].glyph, tui_pc_shade_glyph(tui_pc_log_shade(2000, N), false));
	assert_string_equal(pc.cells[4 * 10 + 5].glyph, " "); /* nothing passes there */
	tui_pc_free(&pc);
	/* brush a off its bottom: the first 2,000 are brushed out, drawn faintly */
	tui_axis_brush_move(&a, 0, 1);
	tui_pc_render(&pc, 10, 5, ax, 2, lv, rk, true);
	assert_true(pc.density);
	assert_int_equal(pc.shown, 1000);
	assert_int_equal(pc.out, 2000);
	assert_int_equal(pc.cells[4 * 10 + 0].count, 0);
	assert_int_equal(pc.cells[4 * 10 + 0].out, 2000);
	assert_string_equal(pc.cells[4 * 10 + 0].glyph, tui_pc_shade_glyph(-1, true));
	assert_int_equal(pc.cells[0].count, 1000);
	assert_string_equal(pc.cells[0].glyph, tui_pc_shade_glyph(TUI_PC_SHADES - 1, true)); /* the densest in */
	assert_int_equal(pc.maxcount, 1000); /* shades are relative to the brushed-in lines */
	tui_pc_free(&pc);
	tui_axis_free(&a);
	tui_axis_free(&b);
	free(x);
	free(y);
	free(lv);
	free(rk);
}

/* A cell an axis shares between two segments counts each line once. */
static void test_density__an_axis_between_two_segments_counts_once(void **state)
{
	(void)state;
	enum { N = 2500 };
	double *v = malloc(N * sizeof *v);
	for (int i = 0; i < N; i++)
		v[i] = i % 2; /* two values: lines at the top and at the bottom */
	tui_axis ax[3], *ap[3];
	for (int k = 0; k < 3; k++) {
		tui_axis_numeric(&ax[k], "k", "params.k", v, N, 0);
		ap[k] = &ax[k];
	}
	tui_pc pc;
	tui_pc_render(&pc, 21, 5, ap, 3, NULL, NULL, true);
	assert_true(pc.density);
	int mid = pc.axis_col[1];
	assert_int_equal(mid, 10);
	for (int col = 0; col < 21; col++) {
		assert_int_equal(pc.cells[0 * 21 + col].count, N / 2);
		assert_int_equal(pc.cells[4 * 21 + col].count, N / 2);
		assert_int_equal(pc.cells[2 * 21 + col].count, 0);
	}
	tui_pc_free(&pc);
	for (int k = 0; k < 3; k++)
		tui_axis_free(&ax[k]);
	free(v);
}

/* 100,000 runs over seven axes at the bench's plot size: density, fast. */
static void test_density__hundred_thousand_runs(void **state)
{
	(void)state;
	enum { N = 100000, NAX = 7 };
	tui_axis axes[NAX], *ap[NAX];
	double *v = malloc(N * sizeof *v);
	int8_t *lv = malloc(N * sizeof *lv);
	uint8_t *rk = malloc(N * sizeof *rk);
	srand(11);
	for (int k = 0; k < NAX; k++) {
		for (int i = 0; i < N; i++)
			v[i] = (double)rand() / RAND_MAX;
		tui_axis_numeric(&axes[k], "k", "params.k", v, N, 0);
		ap[k] = &axes[k];
	}
	tui_pc_levels(axes[NAX - 1].val, N, 1, lv, rk);
	tui_pc pc;
	struct timespec t0, t1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	tui_pc_render(&pc, 108, 33, ap, NAX, lv, rk, true);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("# 100,000 runs x 7 axes at 108x33, density: %.1f ms CPU\n", ms);
	assert_true(pc.density);
	assert_int_equal(pc.shown, N);
	int shades[TUI_PC_SHADES] = { 0 };
	for (int c = 0; c < pc.w * pc.h; c++)
		if (pc.cells[c].count)
			shades[pc.cells[c].shade]++;
	assert_true(shades[TUI_PC_SHADES - 1] > 0); /* the densest cells read as the darkest */
	assert_true(ms < 1000);                     /* generous: the bench reports the real figure */
	tui_pc_free(&pc);
	for (int k = 0; k < NAX; k++)
		tui_axis_free(&axes[k]);
	free(v);
	free(lv);
	free(rk);
}

/* A plot of over 255 dot rows keeps them in 2 bytes a run, a shorter one
 * in 1 (0xff: missing): runs missing a value stay undrawn in both, and a
 * short plot drawn again after a tall one over the same axes is what it was. */
static void test_density__rows_in_a_byte_or_two_draw_the_same(void **state)
{
	(void)state;
	enum { N = 3000 };
	double *x = malloc(N * sizeof *x), *m = malloc(N * sizeof *m);
	char **t = malloc(N * sizeof *t);
	static char *const opts[] = { "adam", "sgd", "rmsprop" };
	size_t missing = 0;
	for (int i = 0; i < N; i++) {
		x[i] = i % 17 == 0 ? NAN : (double)(i * 7919 % 1000);
		t[i] = i % 23 == 0 ? NULL : opts[i % 3];
		m[i] = (double)(i * 104729 % 997) / 997;
		missing += i % 17 == 0 || i % 23 == 0;
	}
	tui_axis ax[3];
	tui_axis_numeric(&ax[0], "x", "params.x", x, N, 0);
	tui_axis_category(&ax[1], "opt", "params.opt", t, N);
	tui_axis_numeric(&ax[2], "m", "metrics.m", m, N, 0);
	tui_axis *ap[] = { &ax[0], &ax[1], &ax[2] };
	tui_pc tall, shrt, again;
	tui_pc_render(&shrt, 40, 20, ap, 3, NULL, NULL, true); /* 80 dot rows */
	tui_pc_render(&tall, 40, 80, ap, 3, NULL, NULL, true); /* 320 */
	tui_pc_render(&again, 40, 20, ap, 3, NULL, NULL, true);
	assert_true(tall.density && shrt.density);
	assert_int_equal(tall.shown, N - missing);
	assert_int_equal(shrt.shown, N - missing);
	long sum = 0;
	for (int c = 0; c < 40 * 20; c++)
		sum += shrt.cells[c].count;
	assert_true(sum > 0);
	for (int c = 0; c < 40 * 20; c++) {
		assert_int_equal(again.cells[c].count, shrt.cells[c].count);
		assert_string_equal(again.cells[c].glyph, shrt.cells[c].glyph);
	}
	tui_pc_free(&tall);
	tui_pc_free(&shrt);
	tui_pc_free(&again);
	for (int k = 0; k < 3; k++)
		tui_axis_free(&ax[k]);
	free(x);
	free(m);
	free(t);
}

/* ---- memory: the parallel screen's table is columnar ---------------------- */

/* Bytes this process has allocated and not freed (the heap and malloc's
 * own mmaps): what a load keeps, exactly, whatever else the machine does
 * (RSS would also count the workspace's mapped pages). */
static size_t heap_in_use(void)
{
#ifdef __GLIBC__
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
#else
	return 0;
#endif
}

static size_t mem_base, mem_peak;

static void mem_progress(void *payload, size_t done, size_t total, size_t nruns)
{
	(void)payload, (void)done, (void)total, (void)nruns;
	size_t now = heap_in_use();
	mem_peak = now > mem_peak ? now : mem_peak;
}

/* The table of 100,000 runs behind the plot, its axes, colours and a
 * rendered plot: 2 numeric params, 2 text params with a few values and
 * the metric.  Columnar it holds 8 bytes a run for the ids (and 8 of
 * names left NULL, untouched calloc), 8 a number, 4 a text (lent to its
 * axis), 1 a dot row an axis, 2 for the colour level and rank: ~56 bytes
 * a run (it was ~75 with 4-byte colours, copied codes and 2-byte rows).
 * Per-run strings (~40 bytes each a text column), cells (24 bytes) or an
 * 8-byte position and a copy of the values an axis were over 200. */
static void test_memory__a_parallel_table_of_100k_runs_is_columnar(void **state)
{
	(void)state;
	enum { N = 100000, BUDGET = 60 }; /* bytes a run, kept and at any column read */
#ifndef __GLIBC__
	skip(); /* mallinfo2 is glibc's */
#endif
	struct ry_test_ws ws;
	ry_test_ws_open(&ws);
	char *sql = ry_xasprintf(
		"INSERT INTO experiments(id, name, created) VALUES (1, 'e', 0);"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		" INSERT INTO runs(id, uuid, experiment_id, name, status, created)"
		"  SELECT i, 'u' || i, 1, 'r' || i, 'finished', i FROM n;"
		"INSERT INTO params(run_id, key, value, num) SELECT id, 'lr', CAST(1e-4 * (1 + id %% 97) AS TEXT),"
		"  1e-4 * (1 + id %% 97) FROM runs;"
		"INSERT INTO params(run_id, key, value, num) SELECT id, 'depth', CAST(id %% 13 AS TEXT), id %% 13 FROM runs;"
		"INSERT INTO params(run_id, key, value, num) SELECT id, 'opt',"
		"  CASE id %% 3 WHEN 0 THEN 'adam' WHEN 1 THEN 'sgd' ELSE 'adamw-with-a-long-name' END, NULL FROM runs;"
		"INSERT INTO params(run_id, key, value, num) SELECT id, 'act', CASE id %% 2 WHEN 0 THEN 'relu' ELSE 'gelu' END,"
		"  NULL FROM runs;"
		"INSERT INTO metric_summary(run_id, key, n, last_step, last, min, max)"
		"  SELECT id, 'val_acc', 1, 0, (id * 37 %% 1000) / 1000.0, 0, 1 FROM runs;", N);
	if (ry_store__exec(ws.st, sql) != 0)
		fail_msg("fixture: %s", ry_error_last());
	free(sql);
	assert_int_equal(ry_store_set_cache_kib(ws.st, 1024), 0);
	static const char *const fields[] = { "lr", "depth", "opt", "act" };
	ry_analysis_load_options o = RY_ANALYSIS_LOAD_OPTIONS_INIT;
	o.no_names = true;
	o.progress = mem_progress;
	ry_analysis *a = NULL;
	/* once to fill the page cache and malloc's arenas, then measured */
	assert_int_equal(ry_analysis_load_with(&a, ws.st, 0, NULL, fields, 4, "val_acc", &o), 0);
	ry_analysis_free(a);
	mem_base = mem_peak = heap_in_use();
	assert_int_equal(ry_analysis_load_with(&a, ws.st, 0, NULL, fields, 4, "val_acc", &o), 0);
	assert_int_equal(a->n, N);
	assert_false(a->cols[2].numeric);
	assert_int_equal(a->cols[2].nvalues, 3);
	tui_axis axes[TUI_PC_MAX_AXES], *ap[TUI_PC_MAX_AXES];
	size_t nax = tui_pc_axes_build(axes, a);
	assert_int_equal(nax, 5);
	int8_t *lv = malloc(N * sizeof *lv);
	uint8_t *rk = malloc(N * sizeof *rk);
	tui_pc_levels(a->metric.num, N, 1, lv, rk);
	for (size_t k = 0; k < nax; k++)
		ap[k] = &axes[k];
	tui_pc pc;
	tui_pc_render(&pc, 108, 33, ap, nax, lv, rk, true);
	assert_true(pc.density);
	assert_int_equal(pc.shown, N);
	size_t kept = heap_in_use() - mem_base, peak = mem_peak - mem_base;
	print_message("# parallel table of %d runs x %zu axes: %.1f bytes a run kept, %.1f at the worst column read\n",
	              N, nax, (double)kept / N, (double)peak / N);
	assert_true(kept < (size_t)BUDGET * N);
	assert_true(peak < (size_t)BUDGET * N);
	tui_pc_free(&pc);
	for (size_t k = 0; k < nax; k++)
		tui_axis_free(&axes[k]);
	free(lv);
	free(rk);
	ry_analysis_free(a);
	ry_test_ws_close(&ws);
}

static void test_scatter__nearest_in_a_direction(void **state)
{
	(void)state;
	double x[] = { 0.5, 0.9, 0.6, 0.1, NAN }, y[] = { 0.5, 0.5, 0.9, 0.5, 0.5 };
	assert_int_equal(tui_scatter_nearest(x, y, 5, 0, 1, 0), 1);
	assert_int_equal(tui_scatter_nearest(x, y, 5, 0, 0, 1), 2);
	assert_int_equal(tui_scatter_nearest(x, y, 5, 0, -1, 0), 3);
	assert_int_equal(tui_scatter_nearest(x, y, 5, 0, 0, -1), -1); /* nothing below */
	assert_int_equal(tui_scatter_nearest(x, y, 5, -1, 0, 0), 0);  /* nearest the centre */
	assert_int_equal(tui_scatter_nearest(x, y, 0, -1, 0, 0), -1);
	tui_pc pc;
	uint8_t rk[] = { 1, 0, 0, 0, 0 };
	tui_scatter_render(&pc, 11, 11, x, y, 5, NULL, rk, false);
	assert_int_equal(pc.shown, 4);
	assert_int_equal(pc.cells[5 * 11 + 5].marker, '*');
	tui_pc_free(&pc);
}

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void test_svg__one_polyline_per_run_drawn(void **state)
{
	(void)state;
	tui_axis a, b, m;
	double x[] = { 1, 2, NAN, 4 }, mv[] = { 0.1, 0.5, 0.7, 0.9 };
	char *t[] = { "a<b", "c", "c", "d&e" }, *names[] = { "r1", "r\"2", "r3", NULL };
	int8_t lv[4];
	uint8_t rk[4];
	tui_axis_numeric(&a, "x", "params.x", x, 4, -1);
	tui_axis_category(&b, "opt", "params.opt", t, 4);
	tui_axis_numeric(&m, "acc", "metrics.acc", mv, 4, -1);
	tui_axis *ax[] = { &a, &b, &m };
	tui_pc_levels(mv, 4, 1, lv, rk);
	ry_buf buf = RY_BUF_INIT;
	size_t lines = tui_pc_svg(&buf, 800, 400, ax, 3, lv, rk, names);
	const char *s = ry_buf_cstr(&buf);
	assert_int_equal(lines, 3); /* the run without x is left out */
	assert_int_equal(count(s, "<polyline"), 3);
	assert_int_equal(count(s, "<line"), 3);  /* an axis each */
	assert_true(!strncmp(s, "<?xml", 5));
	assert_non_null(strstr(s, "a&lt;b"));
	assert_non_null(strstr(s, "d&amp;e"));
	assert_non_null(strstr(s, "r&quot;2"));
	assert_non_null(strstr(s, tui_pc_level_rgb[TUI_PC_LEVELS - 1])); /* the best's colour */
	assert_non_null(strstr(s, "</svg>"));
	ry_buf_free(&buf);
	ry_buf b2 = RY_BUF_INIT;
	tui_svg_escape(&b2, "\x1b[31mx\x01");
	assert_string_equal(ry_buf_cstr(&b2), "[31mx"); /* no control characters in XML */
	ry_buf_free(&b2);
	tui_axis_free(&a);
	tui_axis_free(&b);
	tui_axis_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_axis__empty_and_all_missing),
		cmocka_unit_test(test_axis__linear_and_log_chosen_by_span),
		cmocka_unit_test(test_axis__categories_evenly_spaced_numbers_first),
		cmocka_unit_test(test_brush__numeric_clause),
		cmocka_unit_test(test_brush__bounds_rounded_outwards),
		cmocka_unit_test(test_brush__categorical_clause_quotes_values),
		cmocka_unit_test(test_filter__base_and_clauses),
		cmocka_unit_test(test_levels__gradient_and_ranks_follow_the_goal),
		cmocka_unit_test(test_levels__ranks_of_many_runs_match_a_sort),
		cmocka_unit_test(test_render__counts_lines_and_marks_the_best),
		cmocka_unit_test(test_render__ten_thousand_runs_fast),
		cmocka_unit_test(test_density__log_shade_spans_a_line_to_the_densest),
		cmocka_unit_test(test_density__bins_count_each_line_once_and_keep_the_brushed_out),
		cmocka_unit_test(test_density__an_axis_between_two_segments_counts_once),
		cmocka_unit_test(test_density__hundred_thousand_runs),
		cmocka_unit_test(test_density__rows_in_a_byte_or_two_draw_the_same),
		cmocka_unit_test(test_memory__a_parallel_table_of_100k_runs_is_columnar),
		cmocka_unit_test(test_scatter__nearest_in_a_direction),
		cmocka_unit_test(test_svg__one_polyline_per_run_drawn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
