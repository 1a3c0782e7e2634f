/* Formatting helpers both front ends show values with, and the UTF-8 decoder
 * every output that promises UTF-8 relies on. */
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

/* base64 of S without and with padding: the RFC 4648 test vectors. */
static void test_buf_base64__rfc4648_vectors(void **state)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const padded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	static const char *const bare[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy" };
	(void)state;
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		ry_buf b = RY_BUF_INIT;
		ry_buf_base64(&b, in[i], strlen(in[i]), true);
		assert_string_equal(ry_buf_cstr(&b), padded[i]);
		ry_buf_clear(&b);
		ry_buf_base64(&b, in[i], strlen(in[i]), false);
		assert_string_equal(ry_buf_cstr(&b), bare[i]);
		ry_buf_free(&b);
	}
}

#define FFFD "\xef\xbf\xbd"

/* scrub S (LEN bytes, may hold NUL) and compare with WANT */
static void expect_scrub(const char *s, size_t len, const char *want)
{
	ry_buf b = RY_BUF_INIT;
	ry_utf8_scrub(&b, s, len);
	assert_string_equal(ry_buf_cstr(&b), want);
	assert_true(ry_utf8_valid(b.ptr, b.len));
	ry_buf_free(&b);
}
#define SCRUB(lit, want) expect_scrub(lit, sizeof lit - 1, want)

static void test_utf8__empty_and_ascii(void **state)
{
	ry_buf b = RY_BUF_INIT;
	(void)state;
	assert_true(ry_utf8_valid("", 0));
	ry_utf8_scrub(&b, "", 0);
	assert_string_equal(ry_buf_cstr(&b), "");
	ry_buf_free(&b);
	SCRUB("plain {\"json\": 1}", "plain {\"json\": 1}");
}

static void test_utf8__next_decodes_each_length(void **state)
{
	uint32_t cp;
	(void)state;
	assert_int_equal(ry_utf8_next("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(ry_utf8_next("\xc3\xa9", 2, &cp), 2);     /* é */
	assert_int_equal(cp, 0xe9);
	assert_int_equal(ry_utf8_next("\xe6\x97\xa5", 3, &cp), 3); /* 日 */
	assert_int_equal(cp, 0x65e5);
	assert_int_equal(ry_utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	/* the edges of each range are valid */
	assert_int_equal(ry_utf8_next("\xc2\x80", 2, &cp), 2);
	assert_int_equal(cp, 0x80);
	assert_int_equal(ry_utf8_next("\xe0\xa0\x80", 3, &cp), 3);
	assert_int_equal(cp, 0x800);
	assert_int_equal(ry_utf8_next("\xed\x9f\xbf", 3, &cp), 3);
	assert_int_equal(cp, 0xd7ff);
	assert_int_equal(ry_utf8_next("\xee\x80\x80", 3, &cp), 3);
	assert_int_equal(cp, 0xe000);
	assert_int_equal(ry_utf8_next("\xef\xbf\xbd", 3, &cp), 3); /* U+FFFD itself is fine */
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(ry_utf8_next("\xf4\x8f\xbf\xbf", 4, &cp), 4);
	assert_int_equal(cp, 0x10ffff);
}

static void test_utf8__next_invalid_parts(void **state)
{
	uint32_t cp;
	(void)state;
	assert_int_equal(ry_utf8_next("\x80", 1, &cp), 1);          /* lone continuation */
	assert_int_equal(cp, RY_UTF8_INVALID);
	assert_int_equal(ry_utf8_next("\xc0\xaf", 2, &cp), 1);      /* overlong: C0 never starts */
	assert_int_equal(cp, RY_UTF8_INVALID);
	assert_int_equal(ry_utf8_next("\xe0\x80\xaf", 3, &cp), 1);  /* overlong 3-byte */
	assert_int_equal(cp, RY_UTF8_INVALID);
	assert_int_equal(ry_utf8_next("\xed\xa0\x80", 3, &cp), 1);  /* surrogate D800 */
	assert_int_equal(cp, RY_UTF8_INVALID);
	assert_int_equal(ry_utf8_next("\xf4\x90\x80\x80", 4, &cp), 1); /* past U+10FFFF */
	assert_int_equal(cp, RY_UTF8_INVALID);
	assert_int_equal(ry_utf8_next("\xf5\x80\x80\x80", 4, &cp), 1);
	assert_int_equal(cp, RY_UTF8_INVALID);
	assert_int_equal(ry_utf8_next("\xe6\x97", 2, &cp), 2);      /* cut short by the end */
	assert_int_equal(cp, RY_UTF8_INVALID);
	assert_int_equal(ry_utf8_next("\xf0\x9f\x98" "A", 4, &cp), 3); /* cut short by a byte */
	assert_int_equal(cp, RY_UTF8_INVALID);
	/* len is honoured: the bytes after it are not looked at */
	assert_int_equal(ry_utf8_next("\xe6\x97\xa5", 2, &cp), 2);
	assert_int_equal(cp, RY_UTF8_INVALID);
}

static void test_utf8__valid(void **state)
{
	(void)state;
	assert_true(ry_utf8_valid("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", 12));
	assert_true(ry_utf8_valid("a\0b", 3));
	assert_false(ry_utf8_valid("caf\xe9", 4));
	assert_false(ry_utf8_valid("\xed\xbf\xbf", 3));             /* surrogate DFFF */
	assert_false(ry_utf8_valid("\xe6\x97\xa5", 2));             /* truncated by len */
}

/* One U+FFFD for each maximal subpart: the same text Python's
 * bytes.decode("utf-8", "replace") gives, so scripts see what they expect. */
static void test_utf8_scrub__replaces_each_invalid_part(void **state)
{
	(void)state;
	SCRUB("caf\xe9", "caf" FFFD);
	SCRUB("\xff\xfe", FFFD FFFD);
	SCRUB("/\xc0\xaf/", "/" FFFD FFFD "/");                  /* overlong '/' */
	SCRUB("\xe0\x80\xaf", FFFD FFFD FFFD);
	SCRUB("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD);
	SCRUB("su\xed\xa0\x80r", "su" FFFD FFFD FFFD "r");          /* surrogate */
	SCRUB("\xed\xa0\xbd\xed\xb8\x80", FFFD FFFD FFFD FFFD FFFD FFFD); /* CESU pair */
	SCRUB("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);            /* U+110000 */
	SCRUB("end\xe6\x97", "end" FFFD);                          /* truncated at the end */
	SCRUB("\xe6\x97" "A", FFFD "A");                           /* truncated before ASCII */
	SCRUB("\xf0\x9f\x98\xe6\x97\xa5", FFFD "\xe6\x97\xa5");    /* truncated before 日 */
	SCRUB("\"\xe9\":\"\\u00e9\"", "\"" FFFD "\":\"\\u00e9\""); /* JSON structure untouched */
}

static void test_utf8_scrub__valid_text_unchanged(void **state)
{
	(void)state;
	SCRUB("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");
	SCRUB("\xef\xbf\xbd", FFFD);
	SCRUB("\x1b[2J\x7f", "\x1b[2J\x7f"); /* controls are valid UTF-8: escaping them is JSON's job */
}

/* ry_sanitize shares the decoder: every byte of an invalid part shows as
 * \xNN, so a surrogate or an overlong is shown, never passed on. */
static void test_sanitize__invalid_bytes_shown(void **state)
{
	char *s;
	(void)state;
	s = ry_sanitize_dup("caf\xe9 \xed\xa0\x80 \xc0\xaf \xe6\x97");
	assert_string_equal(s, "caf\\xE9 \\xED\\xA0\\x80 \\xC0\\xAF \\xE6\\x97");
	free(s);
	s = ry_sanitize_dup("caf\xc3\xa9 \xe6\x97\xa5 \x1b[2J \xc2\x9b");
	assert_string_equal(s, "caf\xc3\xa9 \xe6\x97\xa5 ^[[2J \\u009B");
	free(s);
}

static void test_split_words__trims_and_drops_empty_words(void **state)
{
	(void)state;
	char **v;
	size_t n;
	const char *list = " a, b c ,,d,  ,";
	ry_split_words(list, strlen(list), ',', &v, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b c");
	assert_string_equal(v[2], "d");
	ry_strings_free(v, n);
	ry_split_words("x,y", 1, ',', &v, &n); /* only len bytes are read */
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "x");
	ry_strings_free(v, n);
	ry_split_words(" , ", 3, ',', &v, &n);
	assert_int_equal(n, 0);
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_bytes__binary_units),
		cmocka_unit_test(test_format_duration__compact),
		cmocka_unit_test(test_utf8__empty_and_ascii),
		cmocka_unit_test(test_utf8__next_decodes_each_length),
		cmocka_unit_test(test_utf8__next_invalid_parts),
		cmocka_unit_test(test_utf8__valid),
		cmocka_unit_test(test_utf8_scrub__replaces_each_invalid_part),
		cmocka_unit_test(test_utf8_scrub__valid_text_unchanged),
		cmocka_unit_test(test_sanitize__invalid_bytes_shown),
		cmocka_unit_test(test_buf_base64__rfc4648_vectors),
		cmocka_unit_test(test_split_words__trims_and_drops_empty_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
