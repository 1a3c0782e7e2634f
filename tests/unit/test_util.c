/* Formatting helpers both front ends show values with. */
#include "testutil.h"

static void expect_bytes(int64_t b, const char *want)
{
	char out[32];
	ry_format_bytes(b, out, sizeof out);
	assert_string_equal(out, want);
}

static void test_format_bytes__binary_units(void **state)
{
	(void)state;
	expect_bytes(0, "0 B");
	expect_bytes(1023, "1023 B");
	expect_bytes(1024, "1.0 KiB");
	expect_bytes(1536, "1.5 KiB");
	expect_bytes(81920LL << 20, "80.0 GiB");
	expect_bytes(3LL << 40, "3.0 TiB");
	expect_bytes(-1, "?");
}

static void test_format_duration__compact(void **state)
{
	char out[32];
	(void)state;
	ry_format_duration(45, out, sizeof out);
	assert_string_equal(out, "45s");
	ry_format_duration(3 * 3600 + 5 * 60, out, sizeof out);
	assert_string_equal(out, "3h05m");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_bytes__binary_units),
		cmocka_unit_test(test_format_duration__compact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
