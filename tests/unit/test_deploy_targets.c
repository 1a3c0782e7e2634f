/*
 * ry_deploy_targets: the [target NAME] sections of a config, as the
 * registry screen's deploy picker lists them.
 */
#include "testutil.h"

static ry_config *parse(const char *text)
{
	ry_config *cfg = NULL;
	assert_int_equal(ry_config_parse(&cfg, text, "test"), 0);
	return cfg;
}

static void test_deploy_targets__none_configured_is_empty(void **state)
{
	(void)state;
	ry_config *cfg = parse("theme = light\n[host gpu1]\nprice_per_hour = 1\n");
	ry_deploy_options o = RY_DEPLOY_OPTIONS_INIT;
	ry_deploy_target *t = (ry_deploy_target *)1;
	size_t n = 99;
	o.cfg = cfg;
	assert_int_equal(ry_deploy_targets(&o, &t, &n), 0);
	assert_null(t);
	assert_int_equal(n, 0);
	ry_deploy_targets_free(NULL, 0);
	ry_config_free(cfg);
}

static void test_deploy_targets__file_order_kind_and_where(void **state)
{
	(void)state;
	ry_config *cfg = parse("[target staging]\nkind = ssh\nhost = gpu-box-1\n"
	                       "[host gpu-box-1]\nprice_per_hour = 2\n"
	                       "[target prod]\nkind = http\nurl = https://deploy.example.org/v1\n"
	                       "[target half]\nhost = h\nurl = u\n"
	                       "[targets]\nkind = ssh\n");
	ry_deploy_options o = RY_DEPLOY_OPTIONS_INIT;
	ry_deploy_target *t = NULL;
	size_t n = 0;
	o.cfg = cfg;
	assert_int_equal(ry_deploy_targets(&o, &t, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(t[0].name, "staging");
	assert_string_equal(t[0].kind, "ssh");
	assert_string_equal(t[0].where, "gpu-box-1");
	assert_string_equal(t[1].name, "prod");
	assert_string_equal(t[1].kind, "http");
	assert_string_equal(t[1].where, "https://deploy.example.org/v1");
	/* no kind: listed (deploying to it says what is missing); host wins */
	assert_string_equal(t[2].name, "half");
	assert_null(t[2].kind);
	assert_string_equal(t[2].where, "h");
	ry_deploy_targets_free(t, n);
	ry_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deploy_targets__none_configured_is_empty),
		cmocka_unit_test(test_deploy_targets__file_order_kind_and_where),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
