/*
 * The meta.yaml reader of the MLflow file store (plugins/mlflow/files/
 * yaml.c) on the exact shapes yaml.safe_dump writes for MLflow -- a run's,
 * an experiment's, a registered model's with its nested aliases, a model
 * version's -- and on the styles of scalar it uses for awkward strings
 * (quoted, folded over lines, escaped).  What MLflow never writes is an
 * error naming the line.
 */
#include "testutil.h"
#include "plugins/mlflow/files/yaml.h"

static mlf_yaml *parse_ok(const char *text)
{
	mlf_yaml *y = NULL;
	char *why = NULL;
	int rc = mlf_yaml_parse(&y, text, strlen(text), &why);
	if (rc)
		fail_msg("parse failed: %s", why);
	assert_non_null(y);
	return y;
}

static void parse_fails(const char *text, const char *want)
{
	mlf_yaml *y = NULL;
	char *why = NULL;
	assert_int_equal(mlf_yaml_parse(&y, text, strlen(text), &why), -1);
	assert_null(y);
	assert_non_null(why);
	if (!strstr(why, want))
		fail_msg("error '%s' lacks '%s'", why, want);
	free(why);
}

static void test_yaml__empty_text_is_an_error(void **state)
{
	(void)state;
	parse_fails("", "line 1: no 'key: value' lines");
	parse_fails("\n\n", "no 'key: value' lines");
}

static void test_yaml__a_runs_meta(void **state)
{
	(void)state;
	mlf_yaml *y = parse_ok("artifact_uri: file:///tmp/fx/mlruns/1/abc/artifacts\n"
	                       "end_time: null\n"
	                       "entry_point_name: ''\n"
	                       "experiment_id: '120949133345884504'\n"
	                       "lifecycle_stage: active\n"
	                       "run_id: bd236631729c4ab58f8a14322163b2a7\n"
	                       "run_name: gamma\n"
	                       "source_type: 4\n"
	                       "start_time: 1700000003000\n"
	                       "status: 5\n"
	                       "tags: []\n"
	                       "user_id: grace\n");
	int64_t v = 0;
	assert_string_equal(mlf_yaml_str(y, "artifact_uri"), "file:///tmp/fx/mlruns/1/abc/artifacts");
	assert_null(mlf_yaml_str(y, "end_time"));
	assert_int_equal(mlf_yaml_int(y, "end_time", &v), 1);
	assert_string_equal(mlf_yaml_str(y, "entry_point_name"), "");
	assert_string_equal(mlf_yaml_str(y, "experiment_id"), "120949133345884504");
	assert_int_equal(mlf_yaml_int(y, "experiment_id", &v), 0);
	assert_true(v == 120949133345884504LL);
	assert_int_equal(mlf_yaml_int(y, "start_time", &v), 0);
	assert_true(v == 1700000003000LL);
	assert_int_equal(mlf_yaml_int(y, "status", &v), 0);
	assert_int_equal(v, 5);
	assert_null(mlf_yaml_str(y, "tags"));
	assert_int_equal(mlf_yaml_int(y, "run_name", &v), -1);
	assert_null(mlf_yaml_str(y, "absent"));
	assert_int_equal(mlf_yaml_int(y, "absent", &v), 1);
	mlf_yaml_free(y);
}

static void test_yaml__a_registered_models_meta_with_nested_aliases(void **state)
{
	(void)state;
	mlf_yaml *y = parse_ok("aliases:\n"
	                       "  champion: '1'\n"
	                       "  prod: '2'\n"
	                       "creation_timestamp: 1796613016034\n"
	                       "description: The fixture's model.\n"
	                       "name: fixture-model\n");
	assert_true(mlf_yaml_is_map(y, "aliases"));
	assert_null(mlf_yaml_str(y, "aliases"));
	assert_string_equal(mlf_yaml_nested(y, "aliases", "champion"), "1");
	assert_string_equal(mlf_yaml_nested(y, "aliases", "prod"), "2");
	assert_null(mlf_yaml_nested(y, "aliases", "name"));
	/* keys after the nested block are top level again */
	assert_string_equal(mlf_yaml_str(y, "description"), "The fixture's model.");
	assert_string_equal(mlf_yaml_str(y, "name"), "fixture-model");
	assert_null(mlf_yaml_nested(y, "name", "x"));
	mlf_yaml_free(y);

	y = parse_ok("aliases: {}\nname: m\n");
	assert_true(mlf_yaml_is_map(y, "aliases"));
	assert_string_equal(mlf_yaml_str(y, "name"), "m");
	mlf_yaml_free(y);
}

static void test_yaml__a_model_versions_meta(void **state)
{
	(void)state;
	mlf_yaml *y = parse_ok("aliases: []\n"
	                       "current_stage: None\n"
	                       "description: null\n"
	                       "name: fixture-model\n"
	                       "run_id: 3dd20532511c455aa55e4d752be5b752\n"
	                       "run_link: null\n"
	                       "source: runs:/3dd20532511c455aa55e4d752be5b752/model\n"
	                       "status: READY\n"
	                       "version: 2\n");
	int64_t v = 0;
	assert_string_equal(mlf_yaml_str(y, "current_stage"), "None");
	assert_null(mlf_yaml_str(y, "description"));
	assert_string_equal(mlf_yaml_str(y, "source"), "runs:/3dd20532511c455aa55e4d752be5b752/model");
	assert_int_equal(mlf_yaml_int(y, "version", &v), 0);
	assert_int_equal(v, 2);
	mlf_yaml_free(y);
}

/* What safe_dump writes for strings that are not plain (checked against
 * PyYAML 6 output). */
static void test_yaml__quoted_and_folded_scalars(void **state)
{
	(void)state;
	mlf_yaml *y = parse_ok("a: 'x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x\n"
	                       "  x x x '\n"
	                       "b: 'line one\n"
	                       "\n"
	                       "  line two'\n"
	                       "c: \"h\\xE9llo \\u2603 tab\\there \\\"q\\\" back\\\\slash \\abell\"\n"
	                       "d: it's\n"
	                       "e: 'it''s'\n"
	                       "f: 'x\n"
	                       "\n"
	                       "\n"
	                       "  new para w\n"
	                       "  w '\n"
	                       "g: \"long double quoted \\\n"
	                       "  \\ continued\"\n"
	                       "h: plain folded over\n"
	                       "  two lines\n"
	                       "i: '123'\n"
	                       "j: 'null'\n"
	                       "k: \xe2\x98\x83 snow\n"
	                       "l: '#hash'\n");
	assert_string_equal(mlf_yaml_str(y, "a"), "x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x ");
	assert_string_equal(mlf_yaml_str(y, "b"), "line one\nline two");
	assert_string_equal(mlf_yaml_str(y, "c"), "h\xc3\xa9llo \xe2\x98\x83 tab\there \"q\" back\\slash \abell");
	assert_string_equal(mlf_yaml_str(y, "d"), "it's");
	assert_string_equal(mlf_yaml_str(y, "e"), "it's");
	assert_string_equal(mlf_yaml_str(y, "f"), "x\n\nnew para w w ");
	assert_string_equal(mlf_yaml_str(y, "g"), "long double quoted  continued");
	assert_string_equal(mlf_yaml_str(y, "h"), "plain folded over two lines");
	assert_string_equal(mlf_yaml_str(y, "i"), "123");
	assert_string_equal(mlf_yaml_str(y, "j"), "null");
	assert_string_equal(mlf_yaml_str(y, "k"), "\xe2\x98\x83 snow");
	assert_string_equal(mlf_yaml_str(y, "l"), "#hash");
	mlf_yaml_free(y);
}

static void test_yaml__what_mlflow_never_writes_is_refused_with_its_line(void **state)
{
	(void)state;
	parse_fails("a: 1\ntags:\n- x\n", "line 2: a sequence");
	parse_fails("a: [1, 2]\n", "line 1: a YAML construct MLflow does not write");
	parse_fails("a: |\n  text\n", "line 1: a YAML construct");
	parse_fails("a: &x 1\n", "line 1: a YAML construct");
	parse_fails("---\na: 1\n", "line 1:");
	parse_fails("a: 1\n  b: 2\n", "line 2:");
	parse_fails("a: 'open\nb: 2\n", "unterminated quoted string");
	parse_fails("a: \"open", "line 1: unterminated quoted string");
	parse_fails("a: 1\na: 2\n", "line 2: a key given twice");
	parse_fails("just text\n", "line 1: expected 'key: value'");
	parse_fails("a: b: c\n", "line 1: a mapping inside a plain value");
	parse_fails("a: \"\\q\"\n", "unknown escape");
	parse_fails("a: x\n\tb: y\n", "line 2: a tab in the indentation");
	parse_fails("a: 'x\xc2\x85y'\n", "a Unicode line separator");

	mlf_yaml *y = NULL;
	char *why = NULL;
	assert_int_equal(mlf_yaml_parse(&y, "a: 1\0\n", 6, &why), -1);
	assert_non_null(strstr(why, "a NUL byte"));
	free(why);
}

/* The parser reads len bytes, not up to a NUL (fuzz_mlflow_yaml found
 * "[]" and "---" looked for past the end): "a: [" of "a: []" is a flow
 * sequence cut short, not an empty one. */
static void test_yaml__reads_only_len_bytes(void **state)
{
	mlf_yaml *y = NULL;
	char *why = NULL;
	(void)state;
	assert_int_equal(mlf_yaml_parse(&y, "a: []", 4, &why), -1);
	assert_null(y);
	assert_non_null(why);
	free(why);
	why = NULL;
	assert_int_equal(mlf_yaml_parse(&y, "--- ", 2, &why), -1);
	assert_non_null(strstr(why, "sequence"));
	free(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml__empty_text_is_an_error),
		cmocka_unit_test(test_yaml__reads_only_len_bytes),
		cmocka_unit_test(test_yaml__a_runs_meta),
		cmocka_unit_test(test_yaml__a_registered_models_meta_with_nested_aliases),
		cmocka_unit_test(test_yaml__a_model_versions_meta),
		cmocka_unit_test(test_yaml__quoted_and_folded_scalars),
		cmocka_unit_test(test_yaml__what_mlflow_never_writes_is_refused_with_its_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
