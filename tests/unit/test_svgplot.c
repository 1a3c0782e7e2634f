/* SVG line charts (tui/widgets/svgplot.c): one polyline per series holding
 * its finite points, gaps and log y left out, text escaped, the theme's
 * 256-colour numbers as RGB; long series reduced per pixel column with
 * their extremes kept; bands.  tests/cli/test_plot.sh parses whole files. */
#include "testutil.h"
#include "widgets/svgplot.h"

#include <math.h>

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The points of the polyline of series i, as "x,y" pairs. */
static size_t points_of(const char *svg, size_t i)
{
	char tag[64];
	snprintf(tag, sizeof tag, "data-series=\"%zu\"", i);
	const char *p = strstr(svg, tag);
	assert_non_null(p);
	p = strstr(p, "points=\"");
	assert_non_null(p);
	p += 8;
	size_t n = 0;
	for (; *p && *p != '"'; p++)
		n += *p == ',';
	return n;
}

static void test_svgplot__no_series_still_a_document(void **state)
{
	(void)state;
	ry_buf b = RY_BUF_INIT;
	struct tui_svgplot p = { 0 };
	tui_svgplot_write(&b, &p);
	assert_non_null(strstr(ry_buf_cstr(&b), "<?xml version=\"1.0\""));
	assert_non_null(strstr(ry_buf_cstr(&b), "</svg>\n"));
	assert_int_equal(count(ry_buf_cstr(&b), "<polyline"), 0);
	ry_buf_free(&b);
}

static void test_svgplot__one_polyline_per_series_with_its_points(void **state)
{
	(void)state;
	double x[5] = { 0, 1, 2, 3, 4 }, y1[5] = { 5, 4, 3, 2, 1 }, y2[5] = { 1, NAN, 3, INFINITY, 5 };
	struct tui_svgplot_series s[3] = {
		{ "a", x, y1, 5, 0x00afff, NULL, NULL }, { "b", x, y2, 5, 0xffaf00, NULL, NULL },
		{ "c", x, y1, 0, 0x5fd75f, NULL, NULL },
	};
	struct tui_svgplot p = { .title = "loss", .xlabel = "step", .s = s, .ns = 3 };
	ry_buf b = RY_BUF_INIT;
	tui_svgplot_write(&b, &p);
	const char *svg = ry_buf_cstr(&b);
	assert_int_equal(count(svg, "<polyline"), 3);
	assert_int_equal(points_of(svg, 0), 5);
	assert_int_equal(points_of(svg, 1), 3); /* NaN and inf are gaps */
	assert_int_equal(points_of(svg, 2), 0);
	assert_non_null(strstr(svg, "stroke=\"#00afff\""));
	assert_non_null(strstr(svg, "stroke=\"#ffaf00\""));
	ry_buf_free(&b);
}

static void test_svgplot__log_y_leaves_out_non_positive(void **state)
{
	(void)state;
	double x[4] = { 0, 1, 2, 3 }, y[4] = { 1, 0, -1, 100 };
	struct tui_svgplot_series s = { "r", x, y, 4, 0, NULL, NULL };
	struct tui_svgplot p = { .log_y = true, .s = &s, .ns = 1 };
	ry_buf b = RY_BUF_INIT;
	tui_svgplot_write(&b, &p);
	assert_int_equal(points_of(ry_buf_cstr(&b), 0), 2);
	assert_non_null(strstr(ry_buf_cstr(&b), ">100<"));
	ry_buf_free(&b);
}

static void test_svgplot__text_is_escaped(void **state)
{
	(void)state;
	double x[1] = { 0 }, y[1] = { 1 };
	struct tui_svgplot_series s = { "<a&b>\"\x1b", x, y, 1, 0, NULL, NULL };
	struct tui_svgplot p = { .title = "x<y", .s = &s, .ns = 1 };
	ry_buf b = RY_BUF_INIT;
	tui_svgplot_write(&b, &p);
	assert_non_null(strstr(ry_buf_cstr(&b), "&lt;a&amp;b&gt;&quot;<")); /* the control character left out */
	assert_non_null(strstr(ry_buf_cstr(&b), "x&lt;y"));
	assert_null(strstr(ry_buf_cstr(&b), "\x1b"));
	ry_buf_free(&b);
}

static void test_svgplot__xterm_colours(void **state)
{
	(void)state;
	assert_int_equal(tui_svgplot_xterm_rgb(39), 0x00afff);
	assert_int_equal(tui_svgplot_xterm_rgb(214), 0xffaf00);
	assert_int_equal(tui_svgplot_xterm_rgb(9), 0xff0000);
	assert_int_equal(tui_svgplot_xterm_rgb(232), 0x080808);
	assert_int_equal(tui_svgplot_xterm_rgb(-1), 0x808080);
}

static void test_svgplot__decimate_nothing_is_nothing(void **state)
{
	(void)state;
	double x[1], y[1];
	assert_int_equal(tui_svgplot_decimate(NULL, NULL, 0, x, y), 0);
}

static void test_svgplot__decimate_keeps_a_line_of_one_point_a_column(void **state)
{
	(void)state;
	double x[4] = { 0.5, 1.5, 2.5, 3.5 }, y[4] = { 3, 1, 4, 1 }, ox[4], oy[4];
	assert_int_equal(tui_svgplot_decimate(x, y, 4, ox, oy), 4);
	for (int i = 0; i < 4; i++) {
		assert_true(ox[i] == x[i]);
		assert_true(oy[i] == y[i]);
	}
}

/* A column's first, lowest, highest and last point, in their order. */
static void test_svgplot__decimate_keeps_first_min_max_last_in_order(void **state)
{
	(void)state;
	/* column 0: first 5, max 9 (index 2), min 1 (index 4), last 6; column 1: one point */
	double x[7] = { 0.0, 0.1, 0.2, 0.3, 0.4, 0.9, 1.2 }, y[7] = { 5, 7, 9, 4, 1, 6, 2 }, ox[7], oy[7];
	size_t n = tui_svgplot_decimate(x, y, 7, ox, oy);
	assert_int_equal(n, 5);
	double want[5] = { 5, 9, 1, 6, 2 };
	for (size_t i = 0; i < n; i++)
		assert_true(oy[i] == want[i]);
	assert_true(ox[1] == 0.2 && ox[2] == 0.4);
}

/* In place, on a long noisy line: at most 4 points a column, the global
 * extremes kept, x still ascending. */
static void test_svgplot__decimate_in_place_bounded_and_extremes_kept(void **state)
{
	(void)state;
	enum { N = 100000, W = 500 };
	double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
	double mn = INFINITY, mx = -INFINITY;
	unsigned r = 12345;
	for (size_t i = 0; i < N; i++) {
		r = r * 1103515245u + 12345u;
		x[i] = (double)i * W / N;
		y[i] = (double)(r >> 8 & 0xffff) / 100.0;
		mn = y[i] < mn ? y[i] : mn;
		mx = y[i] > mx ? y[i] : mx;
	}
	size_t n = tui_svgplot_decimate(x, y, N, x, y);
	assert_true(n <= 4 * W);
	assert_true(n >= 2 * W);
	bool got_mn = false, got_mx = false;
	for (size_t i = 0; i < n; i++) {
		got_mn |= y[i] == mn;
		got_mx |= y[i] == mx;
		if (i)
			assert_true(x[i] >= x[i - 1]);
	}
	assert_true(got_mn && got_mx);
	free(x);
	free(y);
}

/* The "x,y" pairs of series i's polyline, parsed. */
static size_t coords_of(const char *svg, size_t i, double *xs, double *ys, size_t cap)
{
	char tag[64];
	snprintf(tag, sizeof tag, "class=\"series\" data-series=\"%zu\"", i);
	const char *p = strstr(svg, tag);
	assert_non_null(p);
	p = strstr(p, "points=\"") + 8;
	size_t n = 0;
	while (*p != '"' && n < cap) {
		char *end;
		xs[n] = strtod(p, &end);
		ys[n] = strtod(end + 1, &end);
		n++;
		p = end;
		while (*p == ' ')
			p++;
	}
	return n;
}

/* 12 runs x 100,000 points: 12 polylines of at most 4 points a pixel
 * column, each still reaching its extremes (the plot's top and bottom for
 * the global max and min). */
static void test_svgplot__long_series_written_per_pixel_column(void **state)
{
	(void)state;
	enum { NS = 12, N = 100000 };
	double *x = malloc(N * sizeof *x), *y[NS];
	struct tui_svgplot_series s[NS];
	for (size_t i = 0; i < N; i++)
		x[i] = (double)i;
	for (size_t k = 0; k < NS; k++) {
		y[k] = malloc(N * sizeof *y[k]);
		for (size_t i = 0; i < N; i++)
			y[k][i] = sin((double)i / 1000.0 + (double)k) * (1 + (double)k) + ((i * 7919 + k) % 101) / 50.0;
		if (k == 3)
			y[k][54321] = 1000; /* a spike: the global max */
		if (k == 7)
			y[k][123] = -1000;  /* the global min */
		s[k] = (struct tui_svgplot_series){ "r", x, y[k], N, 0x00afff, NULL, NULL };
	}
	struct tui_svgplot p = { .title = "loss", .s = s, .ns = NS, .width = 800, .height = 480 };
	ry_buf b = RY_BUF_INIT;
	tui_svgplot_write(&b, &p);
	const char *svg = ry_buf_cstr(&b);
	assert_int_equal(count(svg, "<polyline"), NS);
	double *xs = malloc(N * sizeof *xs), *ys = malloc(N * sizeof *ys);
	double top = INFINITY, bottom = -INFINITY;
	for (size_t k = 0; k < NS; k++) {
		size_t n = coords_of(svg, k, xs, ys, N);
		assert_true(n <= 4 * 800);
		assert_true(n > 100);
		for (size_t i = 0; i < n; i++) {
			top = ys[i] < top ? ys[i] : top;
			bottom = ys[i] > bottom ? ys[i] : bottom;
		}
		if (k == 3 || k == 7) { /* the spike is in its own line */
			double t = INFINITY, bt = -INFINITY;
			for (size_t i = 0; i < n; i++) {
				t = ys[i] < t ? ys[i] : t;
				bt = ys[i] > bt ? ys[i] : bt;
			}
			assert_true(k == 3 ? t == 36.0 : bt == 480.0 - 48.0);
		}
	}
	/* the plot is 36..432 px high: max at the top, min at the bottom */
	assert_true(top == 36.0);
	assert_true(bottom == 432.0);
	assert_true(b.len < 12 * 4 * 800 * 16);
	free(xs);
	free(ys);
	for (size_t k = 0; k < NS; k++)
		free(y[k]);
	free(x);
	ry_buf_free(&b);
}

/* A band: a polygon under its line, its extremes in the y range. */
static void test_svgplot__band_is_a_polygon_in_the_range(void **state)
{
	(void)state;
	double x[3] = { 0, 1, 2 }, y[3] = { 1, 2, 3 }, lo[3] = { 0, 1, 2 }, hi[3] = { 2, 3, 10 };
	struct tui_svgplot_series s = { "g", x, y, 3, 0x00afff, lo, hi };
	struct tui_svgplot p = { .s = &s, .ns = 1 };
	ry_buf b = RY_BUF_INIT;
	tui_svgplot_write(&b, &p);
	const char *svg = ry_buf_cstr(&b);
	assert_int_equal(count(svg, "<polygon class=\"band\""), 1);
	assert_true(strstr(svg, "<polygon") < strstr(svg, "<polyline")); /* under the line */
	assert_non_null(strstr(svg, ">10<"));                             /* hi's 10 is on the y axis */
	ry_buf_free(&b);
}

/* A fixed x range (a zoom): the axis spans it, points outside are left out
 * and the y range fits what is inside. */
static void test_svgplot__fixed_x_range_is_the_zoom(void **state)
{
	(void)state;
	double x[6] = { 0, 10, 20, 30, 40, 50 }, y[6] = { 100, 5, 4, 3, 2, 1 };
	struct tui_svgplot_series s = { "r", x, y, 6, 0, NULL, NULL };
	struct tui_svgplot p = { .s = &s, .ns = 1, .xlo = 10, .xhi = 40 };
	ry_buf b = RY_BUF_INIT;
	tui_svgplot_write(&b, &p);
	const char *svg = ry_buf_cstr(&b);
	assert_int_equal(points_of(svg, 0), 4);
	assert_null(strstr(svg, ">100<"));          /* the y axis fits 2..5, not the 100 outside */
	assert_non_null(strstr(svg, ">10<"));       /* x ticks from 10 */
	assert_non_null(strstr(svg, ">40<"));       /* to 40 */
	assert_null(strstr(svg, ">50<"));
	ry_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svgplot__no_series_still_a_document),
		cmocka_unit_test(test_svgplot__one_polyline_per_series_with_its_points),
		cmocka_unit_test(test_svgplot__log_y_leaves_out_non_positive),
		cmocka_unit_test(test_svgplot__text_is_escaped),
		cmocka_unit_test(test_svgplot__xterm_colours),
		cmocka_unit_test(test_svgplot__decimate_nothing_is_nothing),
		cmocka_unit_test(test_svgplot__decimate_keeps_a_line_of_one_point_a_column),
		cmocka_unit_test(test_svgplot__decimate_keeps_first_min_max_last_in_order),
		cmocka_unit_test(test_svgplot__decimate_in_place_bounded_and_extremes_kept),
		cmocka_unit_test(test_svgplot__long_series_written_per_pixel_column),
		cmocka_unit_test(test_svgplot__band_is_a_polygon_in_the_range),
		cmocka_unit_test(test_svgplot__fixed_x_range_is_the_zoom),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
