/* Which param names are secrets: the built-in rules with their near misses
 * (max_tokens, tokenizer, author), the key's last component, case and '-',
 * and the config's secret_params / public_params lists. */
#include "testutil.h"

static int builtin_only(void **state)
{
	(void)state;
	ry_redact_configure(NULL); /* not the config of whoever runs the tests */
	return 0;
}

static void test_redact__null_and_empty_are_not_secret(void **state)
{
	(void)state;
	assert_false(ry_redact_is_secret(NULL));
	assert_false(ry_redact_is_secret(""));
	assert_null(ry_redact_param_value("password", NULL));
}

static void test_redact__builtin_names_are_secret(void **state)
{
	static const char *const secret[] = {
		"password", "hf_token", "HF-TOKEN", "db.password", "AWS_SECRET_ACCESS_KEY", "api-key", "apiKey",
		"API_KEY", "access_key", "private-key", "credentials", "gcp_credential", "auth", "basic-auth",
		"pwd", "db_pwd", "passwd", "token", "access_token", "authToken", "hftoken", "client_secret",
		"model/ssh_passphrase", "Password", "secret_key_base", NULL,
	};
	(void)state;
	for (size_t i = 0; secret[i]; i++)
		if (!ry_redact_is_secret(secret[i]))
			fail_msg("'%s' should be a secret", secret[i]);
}

static void test_redact__near_misses_are_not_secret(void **state)
{
	static const char *const public[] = {
		"tokenizer", "max_tokens", "num_tokens", "max-new-tokens", "token_budget.n", "author", "authors",
		"lr", "epochs", "model.depth", "keyword", "pwdir", "cwd", "secret.lr", "passes", "key", NULL,
	};
	(void)state;
	for (size_t i = 0; public[i]; i++)
		if (ry_redact_is_secret(public[i]))
			fail_msg("'%s' should not be a secret", public[i]);
}

static void test_redact__param_value_is_the_mark_for_secrets(void **state)
{
	(void)state;
	assert_string_equal(ry_redact_param_value("hf_token", "xyz"), RY_REDACTED);
	assert_string_equal(ry_redact_param_value("lr", "0.1"), "0.1");
}

static void test_redact__config_adds_and_exempts_names(void **state)
{
	ry_config *cfg = NULL;
	(void)state;
	assert_int_equal(ry_config_parse(&cfg,
	                                 "[tracking]\n"
	                                 "secret_params = wandb_key, *Signature*, ,\n"
	                                 "public_params = auth, max-*\n",
	                                 "test"),
	                 0);
	ry_redact_configure(cfg);
	ry_config_free(cfg);
	assert_true(ry_redact_is_secret("WANDB-KEY"));
	assert_true(ry_redact_is_secret("s3.url_signature_v4"));
	assert_false(ry_redact_is_secret("wandb_key_file"));   /* a glob names the whole component */
	assert_false(ry_redact_is_secret("auth"));             /* exempt */
	assert_false(ry_redact_is_secret("max_password_len")); /* exempt wins over built-in */
	assert_true(ry_redact_is_secret("hf_token"));          /* built-ins still apply */
	ry_redact_configure(NULL);
	assert_false(ry_redact_is_secret("wandb_key"));
	assert_true(ry_redact_is_secret("auth"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact__null_and_empty_are_not_secret),
		cmocka_unit_test(test_redact__builtin_names_are_secret),
		cmocka_unit_test(test_redact__near_misses_are_not_secret),
		cmocka_unit_test(test_redact__param_value_is_the_mark_for_secrets),
		cmocka_unit_test(test_redact__config_adds_and_exempts_names),
	};
	return cmocka_run_group_tests(tests, builtin_only, NULL);
}
