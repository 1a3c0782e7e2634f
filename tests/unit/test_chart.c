/* Charts: decimation, ticks and labels, braille and ASCII rendering, gaps,
 * log y, EMA smoothing and speed (tui/widgets/chart.c). */
#include "testutil.h"
#include "widgets/chart.h"

#include <math.h>
#include <float.h>
#include <time.h>

/* The plot as text, one line per row ("\n"-separated), for messages. */
static char *plot_text(const tui_chart *c)
{
	ry_buf b = RY_BUF_INIT;
	for (int r = 0; r < c->h; r++) {
		for (int col = 0; col < c->w; col++)
			ry_buf_puts(&b, c->cells[r * c->w + col].glyph);
		ry_buf_putc(&b, '\n');
	}
	return ry_buf_detach(&b);
}

static int lit_cells_in_column(const tui_chart *c, int col)
{
	int n = 0;
	for (int r = 0; r < c->h; r++)
		n += c->cells[r * c->w + col].color >= 0;
	return n;
}

static bool row_has_lit(const tui_chart *c, int r)
{
	for (int col = 0; col < c->w; col++)
		if (c->cells[r * c->w + col].color >= 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------- decimate */

static void test_decimate__degenerate(void **state)
{
	double y[3] = { 1, 2, 3 }, ox[4], oy[4], nan3[3] = { NAN, INFINITY, -INFINITY };
	(void)state;
	assert_int_equal(tui_chart_decimate(NULL, NULL, 0, 2, ox, oy), 0);
	assert_int_equal(tui_chart_decimate(NULL, y, 3, 0, ox, oy), 0);
	assert_int_equal(tui_chart_decimate(NULL, y, 0, 2, ox, oy), 0);
	assert_int_equal(tui_chart_decimate(NULL, nan3, 3, 2, ox, oy), 0);
	/* few points: copied, x NULL means the index */
	assert_int_equal(tui_chart_decimate(NULL, y, 3, 2, ox, oy), 3);
	assert_true(ox[0] == 0 && ox[2] == 2 && oy[1] == 2);
}

static void test_decimate__spike_survives(void **state)
{
	enum { N = 100000, B = 100 };
	double *x = ry_xmalloc(N * sizeof *x), *y = ry_xmalloc(N * sizeof *y);
	double ox[2 * B], oy[2 * B], hi = -INFINITY, lo = INFINITY;
	size_t n;
	(void)state;
	for (size_t i = 0; i < N; i++) {
		x[i] = (double)i * 0.5;
		y[i] = sin((double)i / 1000.0);
	}
	y[54321] = 100;   /* one-point spike */
	y[77777] = -80;   /* one-point dip */
	y[100] = NAN;     /* dropped, not fatal */
	n = tui_chart_decimate(x, y, N, B, ox, oy);
	assert_true(n <= 2 * B);
	assert_true(n >= B);
	for (size_t i = 0; i < n; i++) {
		if (oy[i] > hi) hi = oy[i];
		if (oy[i] < lo) lo = oy[i];
		assert_true(isfinite(oy[i]));
		if (i)
			assert_true(ox[i] >= ox[i - 1]);
	}
	assert_true(hi == 100);
	assert_true(lo == -80);
	free(x);
	free(y);
}

static void test_decimate__gaps_survive(void **state)
{
	enum { N = 100000, B = 120 };
	double *y = ry_xmalloc(N * sizeof *y), ox[2 * B], oy[2 * B];
	double few[6] = { 1, NAN, NAN, 2, INFINITY, 3 }, fx[6], fy[6];
	size_t n, nans = 0;
	tui_series s;
	tui_chart_opts o = { false, 0, true, 0, 0 };
	tui_chart c;
	(void)state;
	/* few points: copied, one NaN per run of missing values */
	assert_int_equal(tui_chart_decimate(NULL, few, 6, 3, fx, fy), 5);
	assert_true(fy[0] == 1 && isnan(fy[1]) && fy[2] == 2 && isnan(fy[3]) && fy[4] == 3);
	assert_true(fx[2] == 3 && fx[4] == 5);
	/* leading and trailing missing values are no gap */
	few[0] = NAN;
	few[5] = NAN;
	few[4] = 7;
	assert_int_equal(tui_chart_decimate(NULL, few, 6, 3, fx, fy), 2);
	assert_true(fy[0] == 2 && fy[1] == 7);

	for (size_t i = 0; i < N; i++)
		y[i] = (i >= 40000 && i < 60000) ? NAN : (double)(i % 100);
	n = tui_chart_decimate(NULL, y, N, B, ox, oy);
	assert_true(n <= 2 * B);
	for (size_t i = 0; i < n; i++)
		nans += isnan(oy[i]);
	assert_int_equal(nans, 1);
	/* and a chart of the decimated points still has the hole */
	s = (tui_series){ ox, oy, n, 0, 0 };
	tui_chart_render(&c, 60, 5, &s, 1, &o);
	for (int col = 26; col <= 33; col++)
		assert_int_equal(lit_cells_in_column(&c, col), 0);
	assert_true(lit_cells_in_column(&c, 10) > 0 && lit_cells_in_column(&c, 50) > 0);
	tui_chart_free(&c);
	free(y);
}

static void test_decimate__unsorted_x_comes_out_sorted_by_bucket(void **state)
{
	double x[8] = { 7, 0, 6, 1, 5, 2, 4, 3 }, y[8] = { 70, 0, 60, 10, 50, 20, 40, 30 };
	double ox[4], oy[4];
	size_t n;
	(void)state;
	n = tui_chart_decimate(x, y, 8, 2, ox, oy);
	assert_int_equal(n, 4);
	assert_true(ox[0] == 0 && oy[0] == 0);
	assert_true(ox[1] == 3 && oy[1] == 30);
	assert_true(ox[2] == 4 && oy[2] == 40);
	assert_true(ox[3] == 7 && oy[3] == 70);
}

/* ---------------------------------------------------------------- ticks */

static void expect_ticks(double lo, double hi, int max, const char *want)
{
	double t[16];
	char l[16][16];
	ry_buf b = RY_BUF_INIT;
	int n = tui_chart_ticks(lo, hi, max, t, l);
	for (int i = 0; i < n; i++)
		ry_buf_printf(&b, "%s%s", i ? " " : "", l[i]);
	if (strcmp(ry_buf_cstr(&b), want))
		fail_msg("ticks(%g, %g, %d) = \"%s\", want \"%s\"", lo, hi, max, ry_buf_cstr(&b), want);
	ry_buf_free(&b);
}

static void test_ticks__ranges(void **state)
{
	(void)state;
	expect_ticks(0, 1, 6, "0 0.2 0.4 0.6 0.8 1");
	expect_ticks(1, 0, 6, "0 0.2 0.4 0.6 0.8 1");           /* reversed */
	expect_ticks(0, 1000, 5, "0 500 1k");
	expect_ticks(0, 1500, 4, "0 500 1k 1.5k");
	expect_ticks(0, 5e-5, 6, "0 1e-05 2e-05 3e-05 4e-05 5e-05");
	expect_ticks(0.001, 0.005, 5, "0.001 0.002 0.003 0.004 0.005");
	expect_ticks(0, 3e9, 4, "0 1G 2G 3G");
	expect_ticks(-3, 2, 6, "-3 -2 -1 0 1 2");
	expect_ticks(-1, 1, 5, "-1 -0.5 0 0.5 1");
	expect_ticks(-0.3, 0.3, 4, "-0.2 0 0.2");
	expect_ticks(0.51, 0.99, 1, "0.75");                     /* no multiple inside: the middle */                     /* no multiple inside */
	expect_ticks(2.3, 2.7, 3, "2.4 2.6");
	expect_ticks(1e6, 3.5e6, 6, "1M 1.5M 2M 2.5M 3M 3.5M");
	expect_ticks(5, 5, 6, "5");                              /* zero width */
	expect_ticks(0.000123, 0.000123, 6, "0.000123");
	expect_ticks(1e20, 5e20, 3, "2e+20 4e+20");
}

static void test_ticks__degenerate_and_extreme(void **state)
{
	double t[16];
	char l[16][16];
	(void)state;
	assert_int_equal(tui_chart_ticks(NAN, 1, 5, t, l), 0);
	assert_int_equal(tui_chart_ticks(0, INFINITY, 5, t, l), 0);
	assert_int_equal(tui_chart_ticks(0, 1, 0, t, l), 0);
	assert_int_equal(tui_chart_ticks(0, 1, 5, NULL, l), 0);
	assert_int_equal(tui_chart_ticks(0, 1, 5, t, NULL), 6 > 5 ? 3 : 0); /* 0 .5 1 */
	assert_int_equal(tui_chart_ticks(0, 1, 100, t, l), 11);            /* capped at 16 */
	{
		int n = tui_chart_ticks(-DBL_MAX, DBL_MAX, 5, t, l);
		assert_true(n >= 1 && n <= 5);
		for (int i = 0; i < n; i++)
			assert_true(isfinite(t[i]));
	}
	{
		int n = tui_chart_ticks(1e-300, 3e-300, 4, t, l);
		assert_true(n >= 1 && n <= 4);
	}
}

/* Random ranges: never more than max, inside [lo, hi], increasing, labels
 * distinct and short. */
static void test_ticks__property(void **state)
{
	unsigned seed = 7;
	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		double t[16], lo, hi, scale;
		char l[16][16];
		int max, n;
		seed = seed * 1103515245 + 12345;
		scale = pow(10, (int)((seed >> 16) % 30) - 15);
		seed = seed * 1103515245 + 12345;
		lo = ((double)(seed >> 8 & 0xffff) / 65536.0 - 0.5) * scale * 10;
		seed = seed * 1103515245 + 12345;
		hi = lo + (double)(seed >> 8 & 0xffff) / 65536.0 * scale;
		max = 1 + (int)(seed % 12);
		n = tui_chart_ticks(lo, hi, max, t, l);
		assert_true(n >= 1 && n <= max);
		for (int i = 0; i < n; i++) {
			assert_true(t[i] >= lo - (hi - lo) * 1e-6 - 1e-300);
			assert_true(t[i] <= hi + (hi - lo) * 1e-6 + 1e-300);
			assert_true(strlen(l[i]) < 16);
			if (i) {
				assert_true(t[i] > t[i - 1]);
				if (!strcmp(l[i], l[i - 1]))
					fail_msg("[%g, %g] max %d: duplicate label %s", lo, hi, max, l[i]);
			}
		}
	}
}

static void expect_time_ticks(double lo, double hi, int max, bool absolute, const char *want)
{
	double t[16];
	char l[16][16];
	ry_buf b = RY_BUF_INIT;
	int n = tui_chart_time_ticks(lo, hi, max, absolute, t, l);
	for (int i = 0; i < n; i++) {
		ry_buf_printf(&b, "%s%s", i ? " " : "", l[i]);
		assert_true(t[i] >= lo - 1e-9 && t[i] <= hi + 1e-9);
	}
	if (strcmp(ry_buf_cstr(&b), want))
		fail_msg("time_ticks(%.17g, %.17g, %d) = \"%s\", want \"%s\"", lo, hi, max,
		         ry_buf_cstr(&b), want);
	ry_buf_free(&b);
}

static void test_time_ticks__durations_and_clock(void **state)
{
	const double day = 1795392000; /* 2026-11-23 00:00:00 UTC */
	double t[16];
	char l[16][16];
	(void)state;
	expect_time_ticks(0, 3600, 5, false, "0 15m 30m 45m 1h");
	expect_time_ticks(0, 90, 4, false, "0 30s 1m 1m30s");
	expect_time_ticks(0, 5400, 4, false, "0 30m 1h 1h30m");
	expect_time_ticks(0, 3 * 86400, 4, false, "0 1d 2d 3d");
	expect_time_ticks(-60, 60, 3, false, "-1m 0 1m");
	expect_time_ticks(0, 0.5, 6, false, "0 0.1s 0.2s 0.3s 0.4s 0.5s");
	expect_time_ticks(100, 100, 6, false, "1m40s");
	expect_time_ticks(0, 200 * 86400, 4, false, "0 90d 180d");
	setenv("TZ", "UTC", 1);
	tzset();
	expect_time_ticks(day, day + 6 * 3600, 4, true, "00:00 02:00 04:00 06:00");
	expect_time_ticks(day + 10, day + 100, 4, true, "00:00:30 00:01:00 00:01:30");
	expect_time_ticks(day - 86400, day + 86400 * 2, 4, true, "11-22 11-23 11-24 11-25");
	setenv("TZ", "UTC-2", 1); /* two hours east: ticks at local round hours */
	tzset();
	expect_time_ticks(day, day + 6 * 3600, 4, true, "02:00 04:00 06:00 08:00");
	unsetenv("TZ");
	tzset();
	assert_int_equal(tui_chart_time_ticks(NAN, 1, 4, true, t, l), 0);
	assert_int_equal(tui_chart_time_ticks(0, 1e300, 4, false, t, l) <= 4, 1);
	assert_int_equal(tui_chart_time_ticks(-1e300, 1e300, 4, true, t, l) <= 4, 1);
}

static void test_label__short_forms(void **state)
{
	char out[16];
	(void)state;
	tui_chart_label(1500, 500, out);      assert_string_equal(out, "1.5k");
	tui_chart_label(2000, 500, out);      assert_string_equal(out, "2k");
	tui_chart_label(2e-5, 1e-5, out);     assert_string_equal(out, "2e-05");
	tui_chart_label(1.5e-5, 5e-6, out);   assert_string_equal(out, "1.5e-05");
	tui_chart_label(0.001, 0.001, out);   assert_string_equal(out, "0.001");
	tui_chart_label(-0.0, 1, out);        assert_string_equal(out, "0");
	tui_chart_label(1e-17, 0.1, out);     assert_string_equal(out, "0");
	tui_chart_label(2.5e6, 5e5, out);     assert_string_equal(out, "2.5M");
	tui_chart_label(-42, 2, out);         assert_string_equal(out, "-42");
	tui_chart_label(1e15, 1e15, out);     assert_string_equal(out, "1e+15");
	tui_chart_label(0.1234567, 0, out);   assert_string_equal(out, "0.1235");
	tui_chart_label(NAN, 1, out);         assert_string_equal(out, "nan");
	tui_chart_label(-INFINITY, 1, out);   assert_string_equal(out, "-inf");
	tui_chart_label(-DBL_MAX, 1, out);    assert_true(strlen(out) < 16);
}

/* ---------------------------------------------------------------- markers */

/* Cells holding marker letter m, and whether they all belong to colour
 * color and sit on row `row` (-1: any row). */
static int marker_cells(const tui_chart *c, char m, int color, int row, bool *right_place)
{
	int n = 0;
	*right_place = true;
	for (int r = 0; r < c->h; r++) {
		for (int col = 0; col < c->w; col++) {
			const tui_chart_cell *cell = &c->cells[r * c->w + col];
			if (!cell->marker || cell->glyph[0] != m)
				continue;
			n++;
			if (cell->color != color || cell->glyph[1] || (row >= 0 && r != row))
				*right_place = false;
		}
	}
	return n;
}

static void test_marker__letters(void **state)
{
	(void)state;
	assert_int_equal(tui_chart_marker(0), 'a');
	assert_int_equal(tui_chart_marker(11), 'l');
	assert_int_equal(tui_chart_marker(25), 'z');
	assert_int_equal(tui_chart_marker(26), 'A');
	assert_int_equal(tui_chart_marker(1000), '?');
}

/* No marker asked for, none drawn: charts without markers are as before. */
static void test_marker__none_without_marker(void **state)
{
	double y[40];
	for (int i = 0; i < 40; i++)
		y[i] = i;
	tui_series s = { NULL, y, 40, 0, 0 };
	tui_chart_opts o = { false, 0, true, 0, 0 };
	tui_chart c;
	(void)state;
	tui_chart_render(&c, 60, 10, &s, 1, &o);
	for (int i = 0; i < c.w * c.h; i++)
		assert_false(c.cells[i].marker);
	tui_chart_free(&c);
}

/* Three flat lines at three levels: each line carries its own letter, in
 * its colour, on its own row, several times across the plot, in braille
 * and in ASCII alike. */
static void test_marker__on_each_line_at_regular_points(void **state)
{
	double lo[50], mid[50], hi[50];
	for (int i = 0; i < 50; i++) {
		lo[i] = 0;
		mid[i] = 5;
		hi[i] = 10;
	}
	(void)state;
	for (int utf8 = 0; utf8 < 2; utf8++) {
		tui_series s[3] = { { NULL, lo, 50, 0, 'a' }, { NULL, mid, 50, 1, 'b' }, { NULL, hi, 50, 2, 'c' } };
		tui_chart_opts o = { false, 0, utf8, 0, 0 };
		tui_chart c;
		bool ok;
		tui_chart_render(&c, 72, 11, s, 3, &o);
		char *txt = plot_text(&c);
		int rlo = tui_chart_row_of(&c, 0), rmid = tui_chart_row_of(&c, 5), rhi = tui_chart_row_of(&c, 10);
		assert_true(rhi < rmid && rmid < rlo);
		if (marker_cells(&c, 'a', 0, rlo, &ok) < 4 || !ok)
			fail_msg("series a's markers are not on its line:\n%s", txt);
		if (marker_cells(&c, 'b', 1, rmid, &ok) < 4 || !ok)
			fail_msg("series b's markers are not on its line:\n%s", txt);
		if (marker_cells(&c, 'c', 2, rhi, &ok) < 4 || !ok)
			fail_msg("series c's markers are not on its line:\n%s", txt);
		/* evenly spaced: the gaps between one series' markers are equal */
		int prev = -1, gap = -1;
		for (int col = 0; col < c.w; col++) {
			if (!c.cells[rmid * c.w + col].marker)
				continue;
			if (prev >= 0 && gap >= 0)
				assert_int_equal(col - prev, gap);
			if (prev >= 0)
				gap = col - prev;
			prev = col;
		}
		free(txt);
		tui_chart_free(&c);
	}
}

/* Twelve identical curves, the worst case for overlap: each letter is
 * still on the plot, and no cell holds two. */
static void test_marker__twelve_overlapping_series_all_shown(void **state)
{
	double y[30];
	tui_series s[12];
	for (int i = 0; i < 30; i++)
		y[i] = sin(i / 5.0);
	for (size_t k = 0; k < 12; k++)
		s[k] = (tui_series){ NULL, y, 30, (int)k, tui_chart_marker(k) };
	(void)state;
	for (int w = 12; w <= 200; w += 47) {
		tui_chart_opts o = { false, 0, true, 0, 0 };
		tui_chart c;
		bool ok;
		tui_chart_render(&c, w, 8, s, 12, &o);
		for (size_t k = 0; k < 12; k++) {
			if (marker_cells(&c, tui_chart_marker(k), (int)k, -1, &ok) < 1 || !ok) {
				char *txt = plot_text(&c);
				fail_msg("width %d: no marker %c:\n%s", w, tui_chart_marker(k), txt);
			}
		}
		tui_chart_free(&c);
	}
}

/* A series of one point, or one that ends early, still gets its letter
 * (at its last point), and sparse points get markers between them too. */
static void test_marker__short_and_sparse_series(void **state)
{
	double x1 = 3, y1 = 2, xs[3] = { 0, 50, 100 }, ys[3] = { 0, 10, 0 }, yl[101];
	for (int i = 0; i <= 100; i++)
		yl[i] = 5;
	tui_series s[3] = { { &x1, &y1, 1, 0, 'a' }, { xs, ys, 3, 1, 'b' }, { NULL, yl, 101, 2, 'c' } };
	tui_chart_opts o = { false, 0, false, 0, 0 };
	tui_chart c;
	bool ok;
	(void)state;
	tui_chart_render(&c, 80, 12, s, 3, &o);
	char *txt = plot_text(&c);
	if (marker_cells(&c, 'a', 0, -1, &ok) != 1 || !ok)
		fail_msg("the one-point series has no single marker:\n%s", txt);
	if (marker_cells(&c, 'b', 1, -1, &ok) < 3 || !ok)
		fail_msg("the sparse series has too few markers:\n%s", txt);
	free(txt);
	tui_chart_free(&c);
}

/* ---------------------------------------------------------------- render */

static void test_render__known_braille_line(void **state)
{
	double x[4] = { 0, 1, 2, 3 }, y[4] = { 0, 1, 2, 3 };
	tui_series s = { x, y, 4, 5, 0 };
	tui_chart_opts o = { false, 0, true, 0, 0 };
	tui_chart c;
	(void)state;
	tui_chart_render(&c, 2, 1, &s, 1, &o);
	/* 4x4 dots, a diagonal from bottom left to top right:
	 * cell 0 has dots (0,3) and (1,2): 0x40|0x20 -> U+2860
	 * cell 1 has dots (0,1) and (1,0): 0x02|0x08 -> U+280A */
	assert_string_equal(c.cells[0].glyph, "\xe2\xa1\xa0");
	assert_string_equal(c.cells[1].glyph, "\xe2\xa0\x8a");
	assert_int_equal(c.cells[0].color, 5);
	assert_int_equal(c.npoints, 4);
	tui_chart_free(&c);
	tui_chart_free(&c); /* twice is harmless */
}

static void test_render__flat_line_and_zero_range(void **state)
{
	double y[5] = { 5, 5, 5, 5, 5 };
	tui_series s = { NULL, y, 5, 0, 0 };
	tui_chart_opts o = { false, 0, true, 0, 0 };
	tui_chart c;
	(void)state;
	tui_chart_render(&c, 3, 1, &s, 1, &o);
	assert_true(c.ymin < 5 && c.ymax > 5);  /* expanded around the value */
	for (int i = 0; i < 3; i++)
		assert_string_equal(c.cells[i].glyph, "\xe2\xa0\xa4"); /* row 2 of both columns */
	/* a tick at 5 exists and sits in the only row */
	{
		bool found = false;
		for (int i = 0; i < c.nyticks; i++)
			if (!strcmp(c.ytick_labels[i], "5"))
				found = c.ytick_rows[i] == 0;
		assert_true(found);
	}
	tui_chart_free(&c);
}

static void test_render__nan_and_inf_are_gaps(void **state)
{
	enum { N = 100 };
	double y[N];
	tui_series s = { NULL, y, N, 1, 0 };
	tui_chart_opts o = { false, 0, true, 0, 0 };
	tui_chart c;
	char *txt;
	(void)state;
	for (int i = 0; i < N; i++)
		y[i] = (i % 2) ? 1 : 2;
	for (int i = 40; i < 60; i++)
		y[i] = i == 50 ? INFINITY : NAN;
	tui_chart_render(&c, 50, 4, &s, 1, &o);
	txt = plot_text(&c);
	/* ~2 points per cell: cells 21..28 hold only missing points */
	for (int col = 21; col <= 28; col++)
		if (lit_cells_in_column(&c, col))
			fail_msg("column %d should be a gap:\n%s", col, txt);
	assert_true(lit_cells_in_column(&c, 5) > 0);
	assert_true(lit_cells_in_column(&c, 45) > 0);
	assert_int_equal(c.npoints, 80);
	free(txt);
	tui_chart_free(&c);
}

static void test_render__degenerate_inputs(void **state)
{
	double nan[4] = { NAN, NAN, NAN, NAN }, one = 3, x1 = 10;
	tui_series all_nan = { NULL, nan, 4, 0, 0 };
	tui_series single = { &x1, &one, 1, 2, 0 };
	tui_series empty = { NULL, NULL, 0, 3, 0 };
	tui_chart_opts o = { true, 0.5, true, 0, 0 };
	tui_chart c;
	int lit = 0;
	(void)state;

	tui_chart_render(&c, 10, 5, NULL, 0, NULL);
	assert_non_null(c.cells);
	assert_true(c.xmin == 0 && c.xmax == 1 && c.ymin == 0 && c.ymax == 1);
	assert_true(c.nyticks > 0 && c.nxticks > 0);
	tui_chart_free(&c);

	tui_chart_render(&c, 10, 5, &all_nan, 1, &o);
	for (int i = 0; i < 50; i++)
		assert_int_equal(c.cells[i].color, -1);
	tui_chart_free(&c);

	tui_chart_render(&c, 10, 5, &empty, 1, &o);
	assert_int_equal(c.npoints, 0);
	tui_chart_free(&c);

	o.log_y = false;
	tui_chart_render(&c, 10, 5, &single, 1, &o);
	for (int i = 0; i < 50; i++)
		lit += c.cells[i].color == 2;
	assert_int_equal(lit, 1);
	assert_true(c.xmin < 10 && c.xmax > 10 && c.ymin < 3 && c.ymax > 3);
	tui_chart_free(&c);

	tui_chart_render(&c, 0, 5, &single, 1, &o);
	assert_null(c.cells);
	assert_int_equal(c.w, 0);
	tui_chart_free(&c);
	tui_chart_render(&c, 7, -1, &single, 1, &o);
	assert_null(c.cells);
	tui_chart_free(&c);
	tui_chart_render(&c, 1, 1, &single, 1, &o);
	assert_int_equal(c.cells[0].color, 2);
	tui_chart_free(&c);
}

static void test_render__log_y(void **state)
{
	enum { N = 51 };
	double y[N];
	tui_series s = { NULL, y, N, 0, 0 };
	tui_chart_opts o = { true, 0, true, 0, 0 };
	tui_chart c;
	char labels[256] = "";
	(void)state;
	for (int i = 0; i < N; i++)
		y[i] = pow(10, i / 10.0); /* 1 .. 1e5 */
	y[3] = 0;                   /* non-positive: a gap on a log axis */
	y[4] = -5;
	tui_chart_render(&c, 40, 24, &s, 1, &o);
	assert_true(c.ymin < 0 && c.ymin > -0.5);  /* log10 units */
	assert_true(c.ymax > 5 && c.ymax < 5.5);
	for (int i = 0; i < c.nyticks; i++) {
		strcat(labels, c.ytick_labels[i]);
		strcat(labels, " ");
		if (i)
			assert_true(c.ytick_rows[i] < c.ytick_rows[i - 1]);
	}
	assert_string_equal(labels, "1 10 100 1k 10k 100k ");
	/* exponential data on a log axis is a straight line: equal rises per
	 * column, so the middle of the x range is near the middle row */
	{
		int mid = c.w / 2, r;
		for (r = 0; r < c.h && c.cells[r * c.w + mid].color < 0; r++)
			;
		assert_true(abs(r - c.h / 2) <= 2);
	}
	assert_int_equal(c.npoints, N - 2);
	tui_chart_free(&c);

	/* two decades in a tall chart: 1-2-5 steps */
	for (int i = 0; i < N; i++)
		y[i] = 1 + i * 2;  /* 1 .. 101 */
	tui_chart_render(&c, 40, 40, &s, 1, &o);
	labels[0] = '\0';
	for (int i = 0; i < c.nyticks; i++) {
		strcat(labels, c.ytick_labels[i]);
		strcat(labels, " ");
	}
	assert_string_equal(labels, "1 2 5 10 20 50 100 ");
	tui_chart_free(&c);

	/* everything non-positive: empty, no crash */
	for (int i = 0; i < N; i++)
		y[i] = -i;
	tui_chart_render(&c, 40, 24, &s, 1, &o);
	assert_int_equal(c.npoints, 0);
	assert_true(c.nyticks >= 1);
	tui_chart_free(&c);

	/* under two decades: linear values placed on the log axis */
	for (int i = 0; i < N; i++)
		y[i] = 2 + i * 0.1;
	tui_chart_render(&c, 40, 24, &s, 1, &o);
	assert_true(c.nyticks >= 2);
	for (int i = 0; i < c.nyticks; i++)
		assert_true(c.yticks[i] >= c.ymin && c.yticks[i] <= c.ymax);
	tui_chart_free(&c);
}

static void test_ema__tensorboard_debiasing(void **state)
{
	double y[5] = { 1, 0, 0, NAN, 0 }, c[4] = { 3, 3, 3, 3 }, same[2] = { 1, 2 };
	(void)state;
	tui_chart_ema(y, 5, 0.5);
	assert_true(fabs(y[0] - 1) < 1e-12);               /* no pull towards 0 */
	assert_true(fabs(y[1] - 0.25 / 0.75) < 1e-12);
	assert_true(fabs(y[2] - 0.125 / 0.875) < 1e-12);
	assert_true(isnan(y[3]));                          /* skipped, left alone */
	assert_true(fabs(y[4] - 0.0625 / 0.9375) < 1e-12);
	tui_chart_ema(c, 4, 0.99);
	for (int i = 0; i < 4; i++)
		assert_true(fabs(c[i] - 3) < 1e-9);
	tui_chart_ema(same, 2, 0);
	assert_true(same[0] == 1 && same[1] == 2);
	tui_chart_ema(same, 2, 5);                         /* clamped to 0.999 */
	assert_true(isfinite(same[1]) && same[1] > 1 && same[1] < 2);
	tui_chart_ema(NULL, 2, 0.5);
}

static void test_render__ema_narrows_noise(void **state)
{
	enum { N = 2000 };
	double y[N];
	tui_series s = { NULL, y, N, 0, 0 };
	tui_chart_opts raw = { false, 0, true, 0, 0 }, smooth = { false, 0.95, true, 0, 0 };
	tui_chart a, b;
	(void)state;
	for (int i = 0; i < N; i++)
		y[i] = 10 + (((i + 1) * 7919) % 13 == 0 ? 5 : 0) - (i % 2);
	tui_chart_render(&a, 60, 12, &s, 1, &raw);
	tui_chart_render(&b, 60, 12, &s, 1, &smooth);
	assert_true(b.ymax - b.ymin < (a.ymax - a.ymin) / 2);
	assert_true(y[1] == 9); /* the caller's data is not touched */
	tui_chart_free(&a);
	tui_chart_free(&b);
}

static void test_render__ascii_fallback(void **state)
{
	double up[20], spike[20];
	tui_series s[2] = { { NULL, up, 20, 0, 0 }, { NULL, spike, 20, 1, 0 } };
	tui_chart_opts o = { false, 0, false, 0, 0 };
	tui_chart c;
	char *txt;
	(void)state;
	for (int i = 0; i < 20; i++) {
		up[i] = i * 3;
		spike[i] = i == 10 ? 57 : 0;
	}
	tui_chart_render(&c, 10, 6, &s[0], 1, &o); /* about two levels per column */
	txt = plot_text(&c);
	for (const char *p = txt; *p; p++)
		assert_non_null(strchr(" .-'|/\\\n", *p));
	if (!strchr(txt, '/'))               /* a steep rise */
		fail_msg("no '/' in\n%s", txt);
	assert_null(strchr(txt, '\\'));      /* nothing falls */
	free(txt);
	tui_chart_free(&c);

	tui_chart_render(&c, 20, 6, &s[1], 1, &o);
	txt = plot_text(&c);
	assert_true(row_has_lit(&c, 0));     /* the spike reaches the top */
	assert_non_null(strchr(txt, '\\'));  /* and comes down */
	free(txt);
	tui_chart_free(&c);

	/* both: the series drawn last owns a shared cell */
	tui_chart_render(&c, 20, 6, s, 2, &o);
	assert_int_equal(c.cells[5 * 20 + 0].color, 1); /* (0,0) shared by both */
	tui_chart_free(&c);
}

static void test_render__unsorted_x(void **state)
{
	/* the ends are 5 and 3, but 0 and 10 lie in between */
	double x[5] = { 5, 0, 10, 2, 3 }, y[5] = { 1, 2, 3, 4, 5 };
	tui_series s = { x, y, 5, 0, 0 };
	tui_chart_opts o = { false, 0, true, 0, 0 };
	tui_chart c;
	(void)state;
	tui_chart_render(&c, 20, 5, &s, 1, &o);
	assert_true(c.xmin < 0 && c.xmin > -0.5);
	assert_true(c.xmax > 10 && c.xmax < 10.5);
	assert_true(lit_cells_in_column(&c, 0) > 0);
	assert_true(lit_cells_in_column(&c, 19) > 0);
	assert_int_equal(c.npoints, 5);
	tui_chart_free(&c);
}

static void test_render__time_axis_labels(void **state)
{
	double x[3] = { 0, 1800, 3600 }, y[3] = { 1, 2, 3 };
	tui_series s = { x, y, 3, 0, 0 };
	tui_chart_opts o = { false, 0, true, 0, 0 };
	tui_chart c;
	bool saw_hour = false;
	(void)state;
	tui_chart_render(&c, 60, 10, &s, 1, &o);
	tui_chart_time_axis(&c, false);
	for (int i = 0; i < c.nxticks; i++)
		if (!strcmp(c.xtick_labels[i], "1h")) {
			saw_hour = true;
			assert_true(c.xtick_cols[i] >= c.w - 2);
		}
	assert_true(saw_hour);
	assert_int_equal(tui_chart_col_of(&c, 0), 0);
	assert_int_equal(tui_chart_col_of(&c, 1e9), c.w - 1);
	assert_int_equal(tui_chart_row_of(&c, -1e9), c.h - 1);
	assert_int_equal(tui_chart_row_of(&c, NAN), 0);
	tui_chart_free(&c);
}

static void test_render__ticks_are_placed(void **state)
{
	double x[3] = { 0, 500, 1000 }, y[3] = { -1, 0, 1 };
	tui_series s = { x, y, 3, 0, 0 };
	tui_chart_opts o = { false, 0, true, 0, 0 };
	tui_chart c;
	(void)state;
	tui_chart_render(&c, 120, 30, &s, 1, &o);
	assert_true(c.nxticks >= 3 && c.nxticks <= 10);
	assert_true(c.nyticks >= 3 && c.nyticks <= 8);
	for (int i = 0; i < c.nxticks; i++) {
		assert_true(c.xtick_cols[i] >= 0 && c.xtick_cols[i] < c.w);
		if (i)
			assert_true(c.xtick_cols[i] > c.xtick_cols[i - 1]);
		if (!strcmp(c.xtick_labels[i], "0"))
			assert_true(c.xtick_cols[i] <= 1);
		if (!strcmp(c.xtick_labels[i], "1k"))
			assert_true(c.xtick_cols[i] >= c.w - 2);
	}
	for (int i = 0; i < c.nyticks; i++) {
		assert_true(c.ytick_rows[i] >= 0 && c.ytick_rows[i] < c.h);
		if (!strcmp(c.ytick_labels[i], "0"))
			assert_true(abs(c.ytick_rows[i] - c.h / 2) <= 1);
	}
	tui_chart_free(&c);
}

/* Hostile numbers in every position: no crash, no undefined conversion,
 * only glyphs the chart makes, colours of the series drawn, finite ticks. */
static void test_render__extreme_values_property(void **state)
{
	static const double vals[] = { NAN, INFINITY, -INFINITY, DBL_MAX, -DBL_MAX, 5e-324, -5e-324,
	                               1e-308, 0, -0.0, 1, -1, 1e300, -1e300, 3.5, 1e15 };
	unsigned seed = 2026;
	(void)state;
	for (int iter = 0; iter < 4000; iter++) {
		double x[3][12], y[3][12], d[24], dx[24], dy[24];
		tui_series s[3];
		tui_chart_opts o;
		tui_chart c;
		int w, h;
		size_t n = 0;
		seed = seed * 1103515245 + 12345;
		w = (int)(seed >> 16) % 9;
		h = (int)(seed >> 20) % 5;
		o.log_y = seed & 1;
		o.utf8 = seed & 2;
		o.ema = (seed & 4) ? 0.9 : 0;
		for (int k = 0; k < 3; k++) {
			size_t len = 0;
			for (int i = 0; i < 12; i++) {
				seed = seed * 1103515245 + 12345;
				x[k][i] = (seed & 8) ? vals[(seed >> 8) % 16] : (double)i;
				y[k][i] = vals[(seed >> 16) % 16] * ((seed & 16) ? 1 : (double)(i + 1));
				len++;
			}
			s[k] = (tui_series){ (seed & 32) ? NULL : x[k], y[k], len, k + 10, 0 };
		}
		tui_chart_render(&c, w, h, s, 3, &o);
		for (int i = 0; i < c.w * c.h; i++) {
			const tui_chart_cell *cell = &c.cells[i];
			assert_true(cell->color == -1 || (cell->color >= 10 && cell->color <= 12));
			if (cell->color == -1)
				assert_string_equal(cell->glyph, " ");
			else if (o.utf8)
				assert_true((unsigned char)cell->glyph[0] == 0xe2 && strlen(cell->glyph) == 3);
			else
				assert_non_null(strchr(".-'|/\\", cell->glyph[0]));
		}
		for (int i = 0; i < c.nyticks; i++) {
			if (!isfinite(c.yticks[i]))
				fail_msg("iter %d log %d ema %g y [%g, %g] tick %d of %d = %g", iter, o.log_y, o.ema, c.ymin, c.ymax, i, c.nyticks, c.yticks[i]);
			assert_true(c.ytick_rows[i] >= 0 && (c.h == 0 || c.ytick_rows[i] < c.h));
		}
		for (int i = 0; i < c.nxticks; i++)
			assert_true(c.xtick_cols[i] >= 0 && (c.w == 0 || c.xtick_cols[i] < c.w));
		tui_chart_time_axis(&c, seed & 64);
		tui_chart_free(&c);
		for (int i = 0; i < 24; i++) {
			seed = seed * 1103515245 + 12345;
			d[i] = vals[(seed >> 12) % 16];
		}
		{
			size_t b = 1 + seed % 5;
			n = tui_chart_decimate((seed & 128) ? NULL : d, d, 24, b, dx, dy);
			assert_true(n <= 2 * b);
		}
	}
}

/* 12 series of 100k points into 120x30 must take a few milliseconds, and a
 * single-point spike in 100k points still reaches the top row. */
static void test_render__speed_and_spikes_at_scale(void **state)
{
	enum { NS = 12, N = 100000 };
	double *x = ry_xmalloc(N * sizeof *x), *y[NS], best = 1e9;
	tui_series s[NS];
	tui_chart_opts o = { false, 0.6, true, 0, 0 };
	tui_chart c;
	(void)state;
	for (size_t i = 0; i < N; i++)
		x[i] = (double)i;
	for (int k = 0; k < NS; k++) {
		y[k] = ry_xmalloc(N * sizeof *y[k]);
		for (size_t i = 0; i < N; i++)
			y[k][i] = 2.0 / (1 + i / 5000.0) + 0.05 * k + 0.01 * sin((double)i);
		s[k] = (tui_series){ x, y[k], N, k, 0 };
	}
	y[3][61234] = 50;
	/* CPU time of this thread, so a busy machine does not fail the test */
	for (int rep = 0; rep < 5; rep++) {
		struct timespec a, b;
		double dt;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
		tui_chart_render(&c, 120, 30, s, NS, &o);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
		dt = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
		if (dt < best)
			best = dt;
		if (rep < 4)
			tui_chart_free(&c);
	}
	print_message("render 12 x 100k points into 120x30: %.2f ms CPU (best of 5)\n", best * 1e3);
	assert_true(best < 0.05); /* ~4 ms in an optimised build; generous for sanitizers */
	assert_int_equal(c.npoints, (size_t)NS * N);
	for (int smooth = 1; smooth >= 0; smooth--) {
		/* the highest lit cell is the spike's, in the top row, at its x */
		int top = -1;
		o.ema = smooth ? 0.6 : 0;
		tui_chart_free(&c);
		tui_chart_render(&c, 120, 30, s, NS, &o);
		for (int i = 0; i < c.w * c.h && top < 0; i++)
			if (c.cells[i].color >= 0)
				top = i;
		assert_int_equal(top / c.w, 0);
		assert_int_equal(c.cells[top].color, 3);
		assert_true(abs(top % c.w - 73) <= 1); /* 61234 of 100000 over 120 columns */
		for (int i = 0; i < 3 * c.w; i++)      /* nothing else near the top */
			if (c.cells[i].color >= 0)
				assert_true(abs(i % c.w - 73) <= 1);
	}
	tui_chart_free(&c);
	for (int k = 0; k < NS; k++)
		free(y[k]);
	free(x);
}

/* ---------------------------------------------------------------- analysis */

static void test_cursor__value_at_or_before(void **state)
{
	const double x[] = { 0, 10, 20, 20, 30, NAN, 50 };
	const double y[] = { 1, 2, 3, 4, NAN, 6, 7 };
	(void)state;
	assert_int_equal(tui_chart_at_or_before(NULL, NULL, 0, 5), -1);   /* degenerate: nothing */
	assert_int_equal(tui_chart_at_or_before(x, y, 7, -1), -1);        /* before the first point */
	assert_int_equal(tui_chart_at_or_before(x, y, 7, NAN), -1);
	assert_int_equal(tui_chart_at_or_before(x, y, 7, 0), 0);          /* exactly on a point */
	assert_int_equal(tui_chart_at_or_before(x, y, 7, 15), 1);         /* between: the one before */
	assert_int_equal(tui_chart_at_or_before(x, y, 7, 20), 3);         /* equal x: the last logged */
	assert_int_equal(tui_chart_at_or_before(x, y, 7, 35), 3);         /* a NaN value is passed over */
	assert_int_equal(tui_chart_at_or_before(x, y, 7, 45), 3);         /* so is a NaN x */
	assert_int_equal(tui_chart_at_or_before(x, y, 7, 1e9), 6);        /* past the end: the last */
	assert_int_equal(tui_chart_at_or_before(NULL, y, 4, 2.5), 2);     /* x NULL: the index */
	/* x need not ascend (another metric as x) */
	const double ux[] = { 5, 1, 9, 3 };
	assert_int_equal(tui_chart_at_or_before(ux, NULL, 4, 4), 3);
	assert_int_equal(tui_chart_at_or_before(ux, NULL, 4, 6), 0);
}

static void test_pair__by_step(void **state)
{
	/* loss every step 0..5; tokens at steps 0, 2, 4; epoch from step 3 */
	const double ystep[] = { 0, 1, 2, 3, 4, 5 };
	const double tstep[] = { 0, 2, 4 }, tval[] = { 100, 300, 500 };
	const double estep[] = { 3 }, eval_[] = { 1 };
	double ox[6];
	(void)state;
	assert_int_equal(tui_chart_pair_by_step(ystep, 0, tstep, tval, 3, ox), 0);
	assert_int_equal(tui_chart_pair_by_step(ystep, 6, tstep, tval, 3, ox), 6);
	assert_true(ox[0] == 100 && ox[1] == 100 && ox[2] == 300 && ox[3] == 300 && ox[4] == 500 && ox[5] == 500);
	/* before the x metric's first point: NaN, a gap */
	assert_int_equal(tui_chart_pair_by_step(ystep, 6, estep, eval_, 1, ox), 3);
	assert_true(isnan(ox[0]) && isnan(ox[2]) && ox[3] == 1 && ox[5] == 1);
	/* no x metric at all */
	assert_int_equal(tui_chart_pair_by_step(ystep, 6, NULL, NULL, 0, ox), 0);
	assert_true(isnan(ox[5]));
	/* in place: x over the y steps (as the views call it) */
	double inplace[] = { 0, 1, 2, 3, 4, 5 };
	tui_chart_pair_by_step(inplace, 6, tstep, tval, 3, inplace);
	assert_true(inplace[1] == 100 && inplace[3] == 300 && inplace[5] == 500);
	/* equal steps: the last logged; one going back in step is passed over */
	const double dstep[] = { 0, 2, 2, 1 }, dval[] = { 1, 2, 3, 9 };
	tui_chart_pair_by_step(ystep, 6, dstep, dval, 4, ox);
	assert_true(ox[1] == 1 && ox[2] == 3 && ox[5] == 3);
}

static void test_time__duration_and_clock(void **state)
{
	char out[16];
	(void)state;
	tui_chart_duration(NAN, out);
	assert_string_equal(out, "?");
	tui_chart_duration(0, out);
	assert_string_equal(out, "0s");
	tui_chart_duration(45, out);
	assert_string_equal(out, "45s");
	tui_chart_duration(750, out);
	assert_string_equal(out, "12m30s");
	tui_chart_duration(3900, out);
	assert_string_equal(out, "1h05m");
	tui_chart_duration(3600, out);
	assert_string_equal(out, "1h00m");
	tui_chart_duration(183600, out);
	assert_string_equal(out, "2d03h");
	tui_chart_duration(-3900, out);
	assert_string_equal(out, "-1h05m");
	tui_chart_duration(1e300, out);
	assert_string_equal(out, "?");
	setenv("TZ", "UTC", 1);
	tzset();
	tui_chart_clock(1764590703, out); /* 2025-12-01 12:05:03 UTC */
	assert_string_equal(out, "12:05:03");
	tui_chart_clock(NAN, out);
	assert_string_equal(out, "?");
}

static tui_chart_nav nav_drawn(double lo, double hi, int w)
{
	tui_chart_nav n;
	memset(&n, 0, sizeof n);
	n.vlo = n.dlo = lo;
	n.vhi = n.dhi = hi;
	n.vw = w;
	return n;
}

static void test_nav__cursor_moves_and_clamps(void **state)
{
	tui_chart_nav n;
	(void)state;
	memset(&n, 0, sizeof n);
	tui_chart_nav_move(&n, 1); /* nothing drawn yet: nothing to move over */
	assert_false(n.cursor_on);
	n = nav_drawn(0, 100, 101); /* a cell is one unit */
	tui_chart_nav_move(&n, 1);  /* the first move shows it at the right edge */
	assert_true(n.cursor_on);
	assert_true(n.cursor == 100);
	tui_chart_nav_move(&n, -1);
	assert_true(fabs(n.cursor - 99) < 1e-9);
	tui_chart_nav_move(&n, -1000);
	assert_true(n.cursor == 0);
	tui_chart_nav_move(&n, 1);
	assert_true(fabs(n.cursor - 1) < 1e-9);
	assert_false(tui_chart_nav_page(&n, 1)); /* unzoomed: a quarter of the plot */
	assert_true(fabs(n.cursor - 26) < 1e-9);
	n = nav_drawn(0, 100, 101);
	tui_chart_nav_move(&n, -1); /* shown at the edge, then moved */
	assert_true(fabs(n.cursor - 99) < 1e-9);
}

static void test_nav__zoom_ranges(void **state)
{
	tui_chart_nav n = nav_drawn(0, 100, 101);
	double lo, hi;
	tui_chart_opts o = { false, 0, true, 0, 0 };
	(void)state;
	assert_false(tui_chart_nav_range(&n, &lo, &hi));
	/* zoom in around the middle (no cursor) */
	assert_true(tui_chart_nav_zoom(&n, 0.5));
	assert_true(tui_chart_nav_range(&n, &lo, &hi));
	assert_true(fabs(lo - 25) < 1e-9 && fabs(hi - 75) < 1e-9);
	tui_chart_nav_opts(&n, &o);
	assert_true(o.xlo == lo && o.xhi == hi);
	/* zoom in around a cursor near the edge: it stays where it is on screen,
	 * the range inside the data */
	n = nav_drawn(0, 100, 101);
	n.cursor_on = true;
	n.cursor = 90;
	assert_true(tui_chart_nav_zoom(&n, 0.5));
	assert_true(fabs(n.zlo - 45) < 1e-9 && fabs(n.zhi - 95) < 1e-9);
	n.vlo = n.zlo; n.vhi = n.zhi;
	n.cursor = 100 - 1e-9;
	assert_true(tui_chart_nav_zoom(&n, 0.5));
	assert_true(n.zhi <= 100 && n.zlo >= 0);
	/* zooming out to all the data resets */
	assert_true(tui_chart_nav_zoom(&n, 8));
	assert_false(n.zoomed);
	assert_false(tui_chart_nav_zoom(&n, 2));
	tui_chart_nav_opts(&n, &o);
	assert_true(o.xlo == 0 && o.xhi == 0);
	/* mark and zoom, either way round; an empty range only clears the mark */
	n = nav_drawn(0, 100, 101);
	n.cursor_on = true;
	n.cursor = 60;
	assert_false(tui_chart_nav_mark(&n));
	assert_true(n.marking);
	n.cursor = 20;
	assert_true(tui_chart_nav_mark(&n));
	assert_false(n.marking);
	assert_true(tui_chart_nav_range(&n, &lo, &hi) && lo == 20 && hi == 60);
	/* page: a screenful on, within the data, the cursor along */
	n.vlo = 20; n.vhi = 60;
	assert_true(tui_chart_nav_page(&n, 1));
	assert_true(n.zlo == 60 && n.zhi == 100 && n.cursor == 60);
	assert_false(tui_chart_nav_page(&n, 1)); /* at the end */
	assert_true(tui_chart_nav_page(&n, -1));
	assert_true(n.zlo == 20 && n.zhi == 60);
	tui_chart_nav_mark(&n);
	assert_false(tui_chart_nav_mark(&n)); /* the same spot twice */
	assert_true(n.zoomed);
	tui_chart_nav_reset(&n);
	assert_false(n.zoomed || n.marking);
	/* names */
	n.xaxis = TUI_CHART_X_REL;
	assert_string_equal(tui_chart_nav_axis_name(&n), "relative time");
	n.xaxis = TUI_CHART_X_METRIC;
	snprintf(n.xmetric, sizeof n.xmetric, "tokens");
	assert_string_equal(tui_chart_nav_axis_name(&n), "tokens");
}

static void test_render__zoomed_range_refits_y(void **state)
{
	/* y = x on 0..99: zoomed to 10..20, the range is exactly that and the
	 * y axis fits 10..20, not 0..99 */
	double x[100], y[100];
	tui_chart c;
	tui_chart_opts o = { false, 0, true, 10, 20 };
	(void)state;
	for (int i = 0; i < 100; i++)
		x[i] = y[i] = i;
	tui_series s = { x, y, 100, 0, 0 };
	tui_chart_render(&c, 40, 10, &s, 1, &o);
	assert_true(c.xmin == 10 && c.xmax == 20);
	assert_true(c.ymin > 9 && c.ymin < 10 && c.ymax > 20 && c.ymax < 21);
	assert_int_equal((int)c.npoints, 11);
	assert_int_equal(tui_chart_col_of(&c, 10), 0);
	assert_int_equal(tui_chart_col_of(&c, 20), 39);
	tui_chart_free(&c);
	/* nothing inside the range: an empty chart, no crash */
	tui_chart_opts far = { false, 0, true, 1000, 2000 };
	tui_chart_render(&c, 40, 10, &s, 1, &far);
	assert_int_equal((int)c.npoints, 0);
	tui_chart_free(&c);
}

static void test_rank__metrics(void **state)
{
	(void)state;
	assert_int_equal(tui_chart_metric_rank("lr", true), 0);
	assert_int_equal(tui_chart_metric_rank("val_acc", false), 1);
	assert_int_equal(tui_chart_metric_rank("loss", false), 1);
	assert_int_equal(tui_chart_metric_rank("lr", false), 2);
}

/* A band: lighter dots around the line, in the y range, under the line. */
static void test_chart_band_fills_under_the_line(void **state)
{
	double y[10], lo[10], hi[10];
	tui_series s = { NULL, y, 10, 3, 'a' };
	tui_band b = { lo, hi };
	tui_chart_opts o = { false, 0, false, 0, 0 };
	tui_chart c;
	size_t nband = 0, nline = 0;
	(void)state;
	for (int i = 0; i < 10; i++) {
		y[i] = 1;
		lo[i] = 0;
		hi[i] = 2;
	}
	for (int utf8 = 0; utf8 < 2; utf8++) {
		o.utf8 = utf8;
		tui_chart_render_bands(&c, 20, 9, &s, &b, 1, &o);
		assert_true(c.ymin <= 0 && c.ymax >= 2);
		nband = nline = 0;
		for (int i = 0; i < c.w * c.h; i++) {
			if (c.cells[i].band) {
				nband++;
				assert_int_equal(c.cells[i].color, 3);
				if (!utf8)
					assert_string_equal(c.cells[i].glyph, ":");
			} else if (c.cells[i].color == 3) {
				nline++;
			}
		}
		assert_true(nband > 20); /* most of the plot */
		assert_true(nline >= 10);  /* the line is there, over it */
		tui_chart_free(&c);
	}
	/* without bands: as tui_chart_render */
	tui_chart_render_bands(&c, 20, 9, &s, NULL, 1, &o);
	for (int i = 0; i < c.w * c.h; i++)
		assert_false(c.cells[i].band);
	tui_chart_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chart_band_fills_under_the_line),
		cmocka_unit_test(test_decimate__degenerate),
		cmocka_unit_test(test_decimate__spike_survives),
		cmocka_unit_test(test_decimate__gaps_survive),
		cmocka_unit_test(test_decimate__unsorted_x_comes_out_sorted_by_bucket),
		cmocka_unit_test(test_ticks__ranges),
		cmocka_unit_test(test_ticks__degenerate_and_extreme),
		cmocka_unit_test(test_ticks__property),
		cmocka_unit_test(test_time_ticks__durations_and_clock),
		cmocka_unit_test(test_label__short_forms),
		cmocka_unit_test(test_render__known_braille_line),
		cmocka_unit_test(test_render__flat_line_and_zero_range),
		cmocka_unit_test(test_render__nan_and_inf_are_gaps),
		cmocka_unit_test(test_render__degenerate_inputs),
		cmocka_unit_test(test_render__log_y),
		cmocka_unit_test(test_ema__tensorboard_debiasing),
		cmocka_unit_test(test_render__ema_narrows_noise),
		cmocka_unit_test(test_render__ascii_fallback),
		cmocka_unit_test(test_marker__letters),
		cmocka_unit_test(test_marker__none_without_marker),
		cmocka_unit_test(test_marker__on_each_line_at_regular_points),
		cmocka_unit_test(test_marker__twelve_overlapping_series_all_shown),
		cmocka_unit_test(test_marker__short_and_sparse_series),
		cmocka_unit_test(test_render__unsorted_x),
		cmocka_unit_test(test_render__time_axis_labels),
		cmocka_unit_test(test_render__ticks_are_placed),
		cmocka_unit_test(test_render__extreme_values_property),
		cmocka_unit_test(test_render__speed_and_spikes_at_scale),
		cmocka_unit_test(test_cursor__value_at_or_before),
		cmocka_unit_test(test_pair__by_step),
		cmocka_unit_test(test_time__duration_and_clock),
		cmocka_unit_test(test_nav__cursor_moves_and_clamps),
		cmocka_unit_test(test_nav__zoom_ranges),
		cmocka_unit_test(test_render__zoomed_range_refits_y),
		cmocka_unit_test(test_rank__metrics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
