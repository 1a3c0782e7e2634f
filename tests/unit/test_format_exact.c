/*
 * cli_format_exact, the exact number of CSV and JSON output: it must write
 * byte for byte what the plain loop wrote (the shortest of %.15g, %.16g,
 * %.17g that reads back as the value), for every kind of double, now that
 * it derives the shorter forms from one printf's 17 digits.
 */
#include "testutil.h"
#include "cli/table.h"

#include <math.h>

/* The definition the fast one must match. */
static void reference(double v, char *out, size_t n)
{
	if (isnan(v)) {
		snprintf(out, n, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(out, n, "%s", v > 0 ? "inf" : "-inf");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, n, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
}

static void expect_same(double v)
{
	char a[64], b[64];
	reference(v, a, sizeof a);
	cli_format_exact(v, b, sizeof b);
	if (strcmp(a, b))
		fail_msg("%.17g (%a): printf loop wrote [%s], cli_format_exact [%s]", v, v, a, b);
}

static void test_format_exact__special_values(void **state)
{
	(void)state;
	expect_same(NAN);
	expect_same(INFINITY);
	expect_same(-INFINITY);
	expect_same(0.0);
	expect_same(-0.0);
	expect_same(5e-324);       /* the smallest subnormal */
	expect_same(2.2250738585072014e-308);
	expect_same(1.7976931348623157e308);
	expect_same(0.1);
	expect_same(1.0 / 3);
	expect_same(2.0 / 3);
}

/* Where %g switches between fixed and exponent form, and where rounding
 * carries into a new decade (9.99..9 -> 10). */
static void test_format_exact__decade_and_style_boundaries(void **state)
{
	(void)state;
	for (int e = -330; e <= 310; e++) {
		double p = pow(10, e);
		expect_same(p);
		expect_same(-p);
		expect_same(nextafter(p, 0));
		expect_same(nextafter(p, INFINITY));
		expect_same(p * 9.999999999999999);
		expect_same(p * 9.9999999999999995);
		expect_same(p * 1.5);
		expect_same(p * 1.0000000000000002);
	}
	for (int64_t i = 999999999999990; i <= 1000000000000010; i++)
		expect_same((double)i);
}

/* Random bit patterns (every exponent), the numbers metrics and times hold
 * (values in [0, 1), Unix seconds with a fraction), short decimals, integers,
 * and halfway cases of the 16th and 17th digit. */
static void test_format_exact__random_doubles_match_the_printf_loop(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	(void)state;
	for (int i = 0; i < 300000; i++) {
		double v;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(&v, &x, sizeof v);
		if (isfinite(v))
			expect_same(v);
		double u = (double)(x >> 11) / 9007199254740992.0;
		expect_same(u);
		expect_same(1.7e9 + u * 1e8);
		expect_same(u * 3600 * 24);
		expect_same((double)(x % 100000) / 1000);
		expect_same((double)(int64_t)(x >> 20));
		expect_same((double)(x % 1000000) * 1e-7 + 0.5e-16);
		char buf[40];
		snprintf(buf, sizeof buf, "0.%015llu5", (unsigned long long)(x % 1000000000000000ull));
		expect_same(strtod(buf, NULL));
		snprintf(buf, sizeof buf, "1.%016llu5", (unsigned long long)(x % 10000000000000000ull));
		expect_same(strtod(buf, NULL));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_exact__special_values),
		cmocka_unit_test(test_format_exact__decade_and_style_boundaries),
		cmocka_unit_test(test_format_exact__random_doubles_match_the_printf_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
