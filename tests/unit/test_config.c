/* config.c: the INI reader behind prices, budgets, keys and patterns. */
#include "testutil.h"
#include "base/config.h"

static void test_config_parse__empty_text_has_top_section(void **state)
{
	ry_config *c;
	assert_int_equal(ry_config_parse(&c, "", "t"), 0);
	assert_int_equal(ry_config_nsections(c), 1);
	assert_string_equal(ry_config_section(c, 0), "");
	assert_null(ry_config_get(c, "", "theme"));
	assert_int_equal(ry_config_nentries(c, "nope"), 0);
	ry_config_free(c);
	ry_config_free(NULL);
}

static void test_config_parse__sections_keys_and_order(void **state)
{
	ry_config *c;
	const char *k, *v;
	const char *text =
		"# comment\n"
		"theme = solarized-dark\n"
		"budget_per_run=50\n"
		"; another comment\n"
		"[host   gpu-box-1 ]\n"
		"  price_per_hour = 2.5  \n"
		"labels = a100, big\n"
		"workdir = \"/scratch/me runs\"\n"
		"[keys]\r\n"
		"j = move-down\r\n"
		"[host gpu-box-1]\n"
		"max_gpus = 4\n"
		"price_per_hour = 3\n";
	assert_int_equal(ry_config_parse(&c, text, "t"), 0);
	assert_string_equal(ry_config_get(c, "", "theme"), "solarized-dark");
	assert_string_equal(ry_config_get(c, "", "budget_per_run"), "50");
	assert_int_equal(ry_config_nsections(c), 3);
	assert_string_equal(ry_config_section(c, 1), "host gpu-box-1");
	assert_string_equal(ry_config_section(c, 2), "keys");
	/* a repeated key replaces in place; a repeated section continues */
	assert_string_equal(ry_config_get(c, "host gpu-box-1", "price_per_hour"), "3");
	assert_string_equal(ry_config_get(c, "host gpu-box-1", "labels"), "a100, big");
	assert_string_equal(ry_config_get(c, "host gpu-box-1", "workdir"), "/scratch/me runs");
	assert_string_equal(ry_config_get(c, "keys", "j"), "move-down");
	assert_int_equal(ry_config_nentries(c, "host gpu-box-1"), 4);
	ry_config_entry(c, "host gpu-box-1", 0, &k, &v);
	assert_string_equal(k, "price_per_hour");
	ry_config_entry(c, "host gpu-box-1", 3, &k, &v);
	assert_string_equal(k, "max_gpus");
	assert_string_equal(v, "4");
	ry_config_entry(c, "host gpu-box-1", 9, &k, &v);
	assert_null(k);
	ry_config_free(c);
}

static void test_config_parse__errors_name_file_and_line(void **state)
{
	ry_config *c = (ry_config *)1;
	assert_int_equal(ry_config_parse(&c, "a = 1\nthis is not valid\n", "my.conf"), RY_EINVAL);
	assert_null(c);
	assert_non_null(strstr(ry_error_last(), "my.conf:2"));
	assert_int_equal(ry_config_parse(&c, "[host x\n", "f"), RY_EINVAL);
	assert_non_null(strstr(ry_error_last(), "f:1"));
	assert_int_equal(ry_config_parse(&c, "[]\n", "f"), RY_EINVAL);
	assert_int_equal(ry_config_parse(&c, " = 3\n", "f"), RY_EINVAL);
	assert_int_equal(ry_config_parse(&c, "two words = 3\n", "f"), RY_EINVAL);
	assert_int_equal(ry_config_parse(&c, "[x] junk\n", "f"), RY_EINVAL);
	/* a value may be empty and may contain '=' */
	assert_int_equal(ry_config_parse(&c, "a =\nb = x=y\n", "f"), 0);
	assert_string_equal(ry_config_get(c, "", "a"), "");
	assert_string_equal(ry_config_get(c, "", "b"), "x=y");
	ry_config_free(c);
}

static void test_config_load__missing_default_is_empty_explicit_is_error(void **state)
{
	char *dir = ry_test_tmpdir();
	char *path = ry_xasprintf("%s/config", dir);
	ry_config *c;
	FILE *f;
	unsetenv("RUNYARD_CONFIG");
	setenv("XDG_CONFIG_HOME", dir, 1);
	assert_int_equal(ry_config_load(&c, NULL), 0);
	assert_int_equal(ry_config_nentries(c, ""), 0);
	ry_config_free(c);
	assert_int_equal(ry_config_load(&c, path), RY_ENOTFOUND);
	setenv("RUNYARD_CONFIG", path, 1);
	assert_int_equal(ry_config_load(&c, NULL), RY_ENOTFOUND);
	f = fopen(path, "w");
	fputs("[host a]\nprice_per_hour = 1\n", f);
	fclose(f);
	assert_int_equal(ry_config_load(&c, NULL), 0);
	assert_string_equal(ry_config_get(c, "host a", "price_per_hour"), "1");
	ry_config_free(c);
	f = fopen(path, "w");
	fwrite("a = 1\0b\n", 1, 8, f);
	fclose(f);
	assert_int_equal(ry_config_load(&c, path), RY_EINVAL);
	unsetenv("RUNYARD_CONFIG");
	char *def = ry_config_default_path();
	assert_non_null(strstr(def, "/runyard/config"));
	free(def);
	free(path);
	ry_test_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_parse__empty_text_has_top_section),
		cmocka_unit_test(test_config_parse__sections_keys_and_order),
		cmocka_unit_test(test_config_parse__errors_name_file_and_line),
		cmocka_unit_test(test_config_load__missing_default_is_empty_explicit_is_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
