/*
 * ry_dtoa (core/base/dtoa.c) and cli_format_exact over it, the exact number
 * of CSV and JSON output: they must write byte for byte what the plain loop
 * wrote (the shortest of %.15g, %.16g, %.17g that reads back as the value)
 * for every kind of double, now that the digits come from Ryu's integer
 * scaling instead of printf.  Any difference fails, naming the double.
 */
#include "testutil.h"
#include "base/dtoa.h"
#include "cli/table.h"

/* The random sweeps' sizes: whole in the plain build, an eighth under the
 * sanitizers, whose pass looks for memory errors (the formatter's memory
 * use does not depend on the digits) and would take minutes. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SWEEP(n) ((n) / 8)
#else
#define SWEEP(n) (n)
#endif

#include <float.h>
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
	char a[64], b[RY_DTOA_SIZE], c[64];
	size_t n;
	reference(v, a, sizeof a);
	n = ry_dtoa(v, b);
	if (strcmp(a, b) || n != strlen(b))
		fail_msg("%.17g (%a): printf loop wrote [%s], ry_dtoa [%s] (length %zu)", v, v, a, b, n);
	cli_format_exact(v, c, sizeof c);
	if (strcmp(a, c))
		fail_msg("%.17g (%a): printf loop wrote [%s], cli_format_exact [%s]", v, v, a, c);
	/* the 15-or-17 rule core keeps (params from JSON, group keys) */
	snprintf(a, sizeof a, "%.15g", v);
	if (strtod(a, NULL) != v)
		snprintf(a, sizeof a, "%.17g", v);
	n = ry_dtoa_15_or_17(v, b);
	if (strcmp(a, b) || n != strlen(b))
		fail_msg("%.17g (%a): %%.15g-or-%%.17g is [%s], ry_dtoa_15_or_17 [%s]", v, v, a, b);
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static double from_bits(uint64_t b)
{
	double v;
	memcpy(&v, &b, sizeof v);
	return v;
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
	expect_same(-NAN);
	expect_same(from_bits(0x7ff0000000000001ull)); /* NaN payloads */
	expect_same(from_bits(0xfff8000000000123ull));
	expect_same(DBL_MAX);
	expect_same(-DBL_MAX);
	expect_same(DBL_MIN);
	expect_same(nextafter(DBL_MIN, 0));  /* the largest subnormal */
	expect_same(nextafter(DBL_MIN, 1));
	expect_same(-5e-324);
	expect_same(DBL_EPSILON);
	expect_same(1e15);
	expect_same(1e16);
	expect_same(1e17);
	expect_same(9007199254740993.0);
	expect_same(0.3);
	expect_same(1.1);
	expect_same(123456789012345678.0);
}

/* Cut to the caller's buffer, as snprintf would cut it. */
static void test_format_exact__cut_to_the_buffer(void **state)
{
	char b[8];
	(void)state;
	cli_format_exact(0.1234567890123, b, sizeof b);
	assert_string_equal(b, "0.12345");
	cli_format_exact(2.5, b, 1);
	assert_string_equal(b, "");
}

/* Every power of two and its neighbours (where the interval that reads back
 * is lopsided), subnormals among them, and runs of subnormal mantissas. */
static void test_format_exact__powers_of_two_and_subnormals(void **state)
{
	uint64_t x = 0x2545f4914f6cdd1dull;
	(void)state;
	for (int e = -1074; e <= 1023; e++) {
		double p = ldexp(1, e);
		expect_same(p);
		expect_same(-p);
		expect_same(nextafter(p, 0));
		expect_same(nextafter(p, INFINITY));
		expect_same(p * 3);
		expect_same(p * 5);
	}
	for (int i = 0; i < SWEEP(200000); i++) {
		uint64_t r = xorshift(&x);
		expect_same(from_bits(r & 0x000fffffffffffffull));           /* subnormal */
		expect_same(from_bits((r & 0x000fffffffffffffull) | 1ull << 52)); /* the smallest exponent */
		expect_same(from_bits(r >> (r & 63) & 0x000fffffffffffffull));  /* short subnormals */
	}
}

/* Millions of random bit patterns: every exponent, every sign. */
static void test_format_exact__random_bit_patterns(void **state)
{
	uint64_t x = 0x853c49e6748fea9bull;
	(void)state;
	for (int i = 0; i < SWEEP(2000000); i++) {
		double v = from_bits(xorshift(&x));
		expect_same(v);
	}
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
	for (int i = 0; i < SWEEP(300000); i++) {
		double v = from_bits(xorshift(&x));
		expect_same(v);
		double u = (double)(x >> 11) / 9007199254740992.0;
		expect_same(u);
		expect_same((float)u); /* metrics logged from float32 tensors */
		expect_same((float)(u * 10));
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

/* runs --json writes numbers and strings itself (cli/json.c) where it had
 * cJSON print them: the bytes must be cJSON_Print's, for every double
 * (cJSON's %.15g test is relative, so some 15-digit texts that do not read
 * back exactly are kept) and every string of bytes. */
static void expect_cjson_number(double v)
{
	cJSON *n = cli_json_number(v);
	char *want = cJSON_PrintUnformatted(n);
	ry_buf got = RY_BUF_INIT;
	cli_json_text_number(&got, v);
	if (strcmp(want, ry_buf_cstr(&got)))
		fail_msg("%.17g (%a): cJSON printed [%s], cli_json_text_number [%s]", v, v, want, ry_buf_cstr(&got));
	ry_buf_free(&got);
	cJSON_free(want);
	cJSON_Delete(n);
}

static void test_format_exact__json_numbers_as_cjson_prints_them(void **state)
{
	uint64_t x = 0x6a09e667f3bcc909ull;
	(void)state;
	expect_cjson_number(0.0);
	expect_cjson_number(-0.0);
	expect_cjson_number(NAN);
	expect_cjson_number(INFINITY);
	expect_cjson_number(5e-324);
	expect_cjson_number(DBL_MAX);
	expect_cjson_number(1e15);
	expect_cjson_number(123456789012345678.0);
	for (int e = -1074; e <= 1023; e++) {
		double p = ldexp(1, e);
		expect_cjson_number(p);
		expect_cjson_number(nextafter(p, 0));
		expect_cjson_number(nextafter(p, INFINITY));
		expect_cjson_number(nextafter(nextafter(p, 0), 0));
	}
	for (int i = 0; i < SWEEP(300000); i++) {
		double u = (double)(xorshift(&x) >> 11) / 9007199254740992.0;
		expect_cjson_number(from_bits(x));
		expect_cjson_number(u);
		expect_cjson_number((float)u);
		expect_cjson_number(1.7e9 + u * 1e8);
		expect_cjson_number((double)(int64_t)(x >> 20));
		expect_cjson_number((double)(x % 100000) / 1000);
	}
}

static void test_format_exact__json_strings_as_cjson_prints_them(void **state)
{
	uint64_t x = 0xbb67ae8584caa73bull;
	(void)state;
	for (int i = 0; i < SWEEP(20000); i++) {
		char s[24];
		size_t n = xorshift(&x) % sizeof s;
		for (size_t k = 0; k < n; k++) {
			unsigned char c = (unsigned char)(xorshift(&x) >> 56);
			s[k] = (char)(c ? c : 'a'); /* every byte but NUL: controls, quotes, UTF-8 and not */
		}
		s[n] = '\0';
		cJSON *str = cJSON_CreateString(s);
		char *want = cJSON_PrintUnformatted(str);
		ry_buf got = RY_BUF_INIT;
		cli_json_text_string(&got, s);
		if (strcmp(want, ry_buf_cstr(&got)))
			fail_msg("string %d: cJSON printed [%s], cli_json_text_string [%s]", i, want, ry_buf_cstr(&got));
		ry_buf_free(&got);
		cJSON_free(want);
		cJSON_Delete(str);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_exact__special_values),
		cmocka_unit_test(test_format_exact__cut_to_the_buffer),
		cmocka_unit_test(test_format_exact__decade_and_style_boundaries),
		cmocka_unit_test(test_format_exact__powers_of_two_and_subnormals),
		cmocka_unit_test(test_format_exact__random_bit_patterns),
		cmocka_unit_test(test_format_exact__random_doubles_match_the_printf_loop),
		cmocka_unit_test(test_format_exact__json_numbers_as_cjson_prints_them),
		cmocka_unit_test(test_format_exact__json_strings_as_cjson_prints_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
