/* SVG line charts (tui/widgets/svgplot.c): one polyline per series holding
 * its finite points, gaps and log y left out, text escaped, the theme's
 * 256-colour numbers as RGB.  tests/cli/test_plot.sh parses whole files. */
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
		{ "a", x, y1, 5, 0x00afff }, { "b", x, y2, 5, 0xffaf00 }, { "c", x, y1, 0, 0x5fd75f },
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
	struct tui_svgplot_series s = { "r", x, y, 4, 0 };
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
	struct tui_svgplot_series s = { "<a&b>\"\x1b", x, y, 1, 0 };
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svgplot__no_series_still_a_document),
		cmocka_unit_test(test_svgplot__one_polyline_per_series_with_its_points),
		cmocka_unit_test(test_svgplot__log_y_leaves_out_non_positive),
		cmocka_unit_test(test_svgplot__text_is_escaped),
		cmocka_unit_test(test_svgplot__xterm_colours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
