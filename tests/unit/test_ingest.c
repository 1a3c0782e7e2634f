/* Ingest: the scalar scanner per pattern family, steps, user regexes, JSON
 * lines (malformed, NaN/Infinity, invalid UTF-8, over-long lines, params),
 * chunking independence.  Points go to a callback so these tests need no
 * store. */
#include "testutil.h"
#include "metrics/ingest.h"
#include "metrics/ingest_internal.h"

#include <math.h>
#include <pthread.h>

struct pt {
	char key[64];
	int64_t step;
	double ts, value;
};

struct sink {
	struct pt v[4096];
	size_t n;
	char params[16][2][64];
	size_t nparams;
};

static void on_point(void *payload, const char *key, int64_t step, double ts, double value)
{
	struct sink *s = payload;
	if (s->n < 4096) {
		snprintf(s->v[s->n].key, sizeof s->v[s->n].key, "%s", key);
		s->v[s->n].step = step;
		s->v[s->n].ts = ts;
		s->v[s->n].value = value;
		s->n++;
	}
}

static void on_param(void *payload, const char *key, const char *value)
{
	struct sink *s = payload;
	if (s->nparams < 16) {
		snprintf(s->params[s->nparams][0], 64, "%s", key);
		snprintf(s->params[s->nparams][1], 64, "%s", value);
		s->nparams++;
	}
}

static ry_ingest *mk(struct sink *s, const char *patterns)
{
	ry_ingest_options o = RY_INGEST_OPTIONS_INIT;
	ry_ingest *in;
	memset(s, 0, sizeof *s);
	o.on_point = on_point;
	o.on_param = on_param;
	o.payload = s;
	o.patterns = patterns;
	if (ry_ingest_new(&in, NULL, 1, &o) != 0)
		fail_msg("ry_ingest_new: %s", ry_error_last());
	return in;
}

static size_t scan(const char *line, ry_scalar *sc, bool *has_step, int64_t *step)
{
	return ry_ingest_scan(line, strlen(line), sc, 16, has_step, step);
}

static void expect_pair(const ry_scalar *sc, const char *key, double v)
{
	char k[128];
	snprintf(k, sizeof k, "%.*s", (int)sc->keylen, sc->key);
	assert_string_equal(k, key);
	if (isnan(v))
		assert_true(isnan(sc->value));
	else
		assert_true(fabs(sc->value - v) <= 1e-12 * fabs(v));
}

/* The scanner's class table is built on first use; the app's workers
 * ingest on several threads, so the first uses may come at once.  Runs
 * first in this process so that the table is not built yet; under
 * ThreadSanitizer (make tsan-check) an unguarded build is a report. */
static pthread_barrier_t scan_barrier;
static void *scan_thread(void *arg)
{
	ry_scalar sc[16];
	bool hs = false;
	int64_t st = 0;
	size_t *found = arg;
	pthread_barrier_wait(&scan_barrier);
	*found = ry_ingest_scan("step=7 loss=0.25 acc=0.5", 24, sc, 16, &hs, &st);
	if (!hs || st != 7)
		*found = 0;
	return NULL;
}

static void test_scan__first_use_from_threads_at_once(void **state)
{
	enum { N = 4 };
	pthread_t t[N];
	size_t found[N] = { 0 };
	(void)state;
	assert_int_equal(pthread_barrier_init(&scan_barrier, NULL, N), 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(pthread_create(&t[i], NULL, scan_thread, &found[i]), 0);
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(found[i], 2);
	}
	pthread_barrier_destroy(&scan_barrier);
}

static void test_scan__empty_and_prose_give_nothing(void **state)
{
	ry_scalar sc[16];
	bool hs;
	int64_t st;
	(void)state;
	assert_int_equal(ry_ingest_scan("", 0, sc, 16, &hs, &st), 0);
	assert_false(hs);
	assert_int_equal(scan("Loaded 500 images from disk in 3.2s", sc, &hs, &st), 0);
	assert_int_equal(scan("12:30:45 time: 12:30:45 eta=3s", sc, &hs, &st), 0);
	assert_int_equal(scan("1875/1875 [=====] - 3s 2ms/step", sc, &hs, &st), 0);
	assert_false(hs);
	assert_int_equal(scan("version: 1.2.3 name=bob", sc, &hs, &st), 0);
}

static void test_scan__colon_form(void **state)
{
	ry_scalar sc[16];
	bool hs;
	int64_t st;
	(void)state;
	assert_int_equal(scan("loss: 0.31", sc, &hs, &st), 1);
	expect_pair(&sc[0], "loss", 0.31);
	assert_false(hs);
	assert_int_equal(scan("INFO:root:train/loss : -1.5e-3, acc: 91.5%", sc, &hs, &st), 2);
	expect_pair(&sc[0], "train/loss", -1.5e-3);
	expect_pair(&sc[1], "acc", 91.5);
}

static void test_scan__epoch_word_gives_step(void **state)
{
	ry_scalar sc[16];
	bool hs;
	int64_t st;
	(void)state;
	assert_int_equal(scan("epoch 3 val_acc=0.91", sc, &hs, &st), 1);
	expect_pair(&sc[0], "val_acc", 0.91);
	assert_true(hs);
	assert_int_equal(st, 3);
}

static void test_scan__step_equals_form(void **state)
{
	ry_scalar sc[16];
	bool hs;
	int64_t st;
	(void)state;
	assert_int_equal(scan("step=100 loss=0.2 acc=0.8", sc, &hs, &st), 2);
	expect_pair(&sc[0], "loss", 0.2);
	expect_pair(&sc[1], "acc", 0.8);
	assert_int_equal(st, 100);
	/* step beats epoch when both appear */
	assert_int_equal(scan("epoch=2 global_step=740 lr = 3e-4", sc, &hs, &st), 1);
	expect_pair(&sc[0], "lr", 3e-4);
	assert_int_equal(st, 740);
}

static void test_scan__keras_line(void **state)
{
	ry_scalar sc[16];
	bool hs;
	int64_t st;
	(void)state;
	assert_int_equal(scan("Epoch 2/10 1875/1875 [====] - 3s 2ms/step - loss: 0.4 - accuracy: 0.9 - val_loss: 0.35",
	                      sc, &hs, &st), 3);
	assert_true(hs);
	assert_int_equal(st, 2);
	expect_pair(&sc[0], "loss", 0.4);
	expect_pair(&sc[1], "accuracy", 0.9);
	expect_pair(&sc[2], "val_loss", 0.35);
}

static void test_scan__tqdm_brackets_and_dicts(void **state)
{
	ry_scalar sc[16];
	bool hs;
	int64_t st;
	(void)state;
	assert_int_equal(scan("Epoch 3: 100%|##########| 10/10 [00:01<00:00, 9.5it/s, loss=0.123, v_num=0]",
	                      sc, &hs, &st), 1);
	expect_pair(&sc[0], "loss", 0.123);
	assert_int_equal(st, 3);
	assert_int_equal(scan("{'loss': 0.25, 'learning_rate': 5e-05, 'epoch': 0.5}", sc, &hs, &st), 3);
	expect_pair(&sc[0], "loss", 0.25);
	expect_pair(&sc[1], "learning_rate", 5e-05);
	expect_pair(&sc[2], "epoch", 0.5); /* fractional: a metric, not a step */
	assert_false(hs);
}

static void test_scan__nan_and_inf(void **state)
{
	ry_scalar sc[16];
	bool hs;
	int64_t st;
	(void)state;
	assert_int_equal(scan("loss=nan grad=-inf (val: 2)", sc, &hs, &st), 3);
	assert_true(isnan(sc[0].value));
	assert_true(isinf(sc[1].value) && sc[1].value < 0);
	expect_pair(&sc[2], "val", 2);
}

static void test_scan__numbers_exact(void **state)
{
	ry_scalar sc[16];
	bool hs;
	int64_t st;
	(void)state;
	const char *nums[] = { "0.1", "123456789.123456789", "1e-300", "0.000000000000000000000000001",
	                       "9007199254740993", "3.14159265358979323846", "-0", "1E5" };
	for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
		char line[128];
		snprintf(line, sizeof line, "x=%s", nums[i]);
		assert_int_equal(scan(line, sc, &hs, &st), 1);
		assert_true(sc[0].value == strtod(nums[i], NULL));
	}
}

static void test_log__steps_counters_and_keras_context(void **state)
{
	struct sink s;
	ry_ingest *in = mk(&s, NULL);
	(void)state;
	const char *text = "loss: 1.0\nloss: 0.9\n"       /* counter: 0, 1 */
	                   "Epoch 5/10\n"                  /* context step 5 */
	                   "100/100 - loss: 0.5 - accuracy: 0.7\n"
	                   "loss: 0.4\n"                   /* counter again: 6 */
	                   "step=9 loss=0.3\n";
	ry_ingest_log(in, text, strlen(text));
	ry_ingest_flush(in, true);
	assert_int_equal(s.n, 6);
	assert_int_equal(s.v[0].step, 0);
	assert_int_equal(s.v[1].step, 1);
	assert_string_equal(s.v[2].key, "loss");
	assert_int_equal(s.v[2].step, 5);
	assert_string_equal(s.v[3].key, "accuracy");
	assert_int_equal(s.v[3].step, 5);
	assert_int_equal(s.v[4].step, 6);
	assert_int_equal(s.v[5].step, 9);
	assert_true(s.v[0].ts > 1e9);
	ry_ingest_free(in);
}

static void test_log__chunking_and_carriage_returns(void **state)
{
	struct sink s;
	ry_ingest *in = mk(&s, NULL);
	(void)state;
	const char *text = "a=1\r\nprogress loss=9\rprogress loss=8\rdone loss=0.5\n\x1b[1mb\x1b[0m: 2";
	for (size_t i = 0; text[i]; i++) /* one byte at a time */
		ry_ingest_log(in, text + i, 1);
	assert_int_equal(s.n, 2); /* "b: 2" waits for its newline */
	ry_ingest_flush(in, true);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[0].key, "a");
	assert_string_equal(s.v[1].key, "loss");
	assert_true(s.v[1].value == 0.5);
	assert_string_equal(s.v[2].key, "b");
	ry_ingest_free(in);
}

static void test_log__overlong_line_skipped(void **state)
{
	struct sink s;
	ry_ingest *in = mk(&s, NULL);
	size_t big = RY_INGEST_MAX_LINE + 100;
	char *junk = malloc(big);
	(void)state;
	memset(junk, 'x', big);
	memcpy(junk, "loss=1 ", 7);
	ry_ingest_log(in, junk, big / 2);
	ry_ingest_log(in, junk + big / 2, big - big / 2);
	ry_ingest_log(in, " loss=3\nloss=2\n", 15);
	ry_ingest_flush(in, true);
	assert_int_equal(s.n, 1);
	assert_true(s.v[0].value == 2);
	free(junk);
	ry_ingest_free(in);
}

static void test_patterns__plain_and_named_groups(void **state)
{
	struct sink s;
	ry_ingest *in = mk(&s, "perplexity = PPL is ([0-9.]+)\n"
	                       "# a comment\n"
	                       "kv = <(?<key>[a-z0-9]+)~(?<value>[0-9.]+)>\n"
	                       "both = at (?<step>[0-9]+): bleu (?<bleu>[0-9.]+)\n");
	(void)state;
	const char *text = "PPL is 12.5\n<f1~0.7> <auc~0.9>\nat 40: bleu 27.1\n";
	ry_ingest_log(in, text, strlen(text));
	ry_ingest_flush(in, true);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.v[0].key, "perplexity");
	assert_true(s.v[0].value == 12.5);
	assert_string_equal(s.v[1].key, "f1");
	assert_string_equal(s.v[2].key, "auc");
	assert_true(s.v[2].value == 0.9);
	assert_string_equal(s.v[3].key, "bleu");
	assert_int_equal(s.v[3].step, 40);
	ry_ingest_free(in);
}

static void test_patterns__bad_ones_refused(void **state)
{
	(void)state;
	assert_int_equal(ry_ingest_check_patterns("x = (?:a)([0-9]+)"), RY_EINVAL);
	assert_non_null(strstr(ry_error_last(), "POSIX"));
	assert_int_equal(ry_ingest_check_patterns("x = no group"), RY_EINVAL);
	assert_int_equal(ry_ingest_check_patterns("x = ([0-9]+"), RY_EINVAL);
	assert_int_equal(ry_ingest_check_patterns("just a regex"), RY_EINVAL);
	assert_int_equal(ry_ingest_check_patterns("k = (?<key>[a-z]+)"), RY_EINVAL);
	assert_int_equal(ry_ingest_check_patterns("ok = v([0-9]+)\nbuiltin = off\n"), 0);
}

static void test_patterns__builtin_off_and_capture_off(void **state)
{
	struct sink s;
	ry_ingest *in = mk(&s, "builtin = off\nv = value ([0-9]+)");
	ry_ingest_options o = RY_INGEST_OPTIONS_INIT;
	(void)state;
	ry_ingest_log(in, "loss: 1\nstep 7 value 3\n", 23);
	ry_ingest_flush(in, true);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].key, "v");
	assert_int_equal(s.v[0].step, 7);
	ry_ingest_free(in);

	memset(&s, 0, sizeof s);
	o.scalars = false;
	o.on_point = on_point;
	o.payload = &s;
	assert_int_equal(ry_ingest_new(&in, NULL, 1, &o), 0);
	ry_ingest_log(in, "loss: 1\n", 8);
	ry_ingest_jsonl(in, "{\"loss\": 2}\n", 12);
	ry_ingest_flush(in, true);
	assert_int_equal(s.n, 1); /* JSONL is still read */
	ry_ingest_free(in);
}

static void test_jsonl__points_steps_ts(void **state)
{
	struct sink s;
	ry_ingest *in = mk(&s, NULL);
	(void)state;
	const char *text = "{\"step\": 10, \"loss\": 0.3, \"val_acc\": 0.8}\n"
	                   "{\"loss\": 0.2, \"ts\": 1700000000.5, \"name\": \"x\", \"ok\": true}\n"
	                   "{\"step\": 12, \"train\": {\"loss\": 1}}\n";
	ry_ingest_jsonl(in, text, strlen(text));
	ry_ingest_flush(in, true);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.v[0].key, "loss");
	assert_int_equal(s.v[0].step, 10);
	assert_string_equal(s.v[1].key, "val_acc");
	assert_int_equal(s.v[2].step, 11); /* no step: the key's previous + 1 */
	assert_true(s.v[2].ts == 1700000000.5);
	assert_string_equal(s.v[3].key, "train/loss");
	assert_int_equal(ry_ingest_malformed(in), 0);
	assert_int_equal(ry_ingest_points(in), 4);
	ry_ingest_free(in);
}

static void test_jsonl__malformed_counted_never_fatal(void **state)
{
	struct sink s;
	ry_ingest *in = mk(&s, NULL);
	(void)state;
	const char *text = "not json\n"
	                   "{\"loss\": 0.3\n"            /* truncated */
	                   "[1, 2]\n"                   /* not an object */
	                   "\n   \n"                    /* blank: not counted */
	                   "{\"loss\": \"\xff\xfe\"}\n" /* invalid UTF-8 */
	                   "{\"loss\": 0.1}\n";
	ry_ingest_jsonl(in, text, strlen(text));
	ry_ingest_flush(in, true);
	assert_int_equal(ry_ingest_malformed(in), 4);
	assert_int_equal(s.n, 1);
	ry_ingest_free(in);
}

static void test_jsonl__python_nan_infinity(void **state)
{
	struct sink s;
	ry_ingest *in = mk(&s, NULL);
	(void)state;
	const char *text = "{\"step\": 1, \"a\": NaN, \"b\": Infinity, \"c\": -Infinity, \"d\": \"NaN\"}\n";
	ry_ingest_jsonl(in, text, strlen(text));
	ry_ingest_flush(in, true);
	assert_int_equal(s.n, 3);
	assert_true(isnan(s.v[0].value));
	assert_true(isinf(s.v[1].value) && s.v[1].value > 0);
	assert_true(isinf(s.v[2].value) && s.v[2].value < 0);
	assert_int_equal(ry_ingest_malformed(in), 0);
	ry_ingest_free(in);
}

static void test_jsonl__overlong_line_counted(void **state)
{
	struct sink s;
	ry_ingest *in = mk(&s, NULL);
	size_t big = RY_INGEST_MAX_LINE + 10;
	char *junk = malloc(big);
	(void)state;
	memset(junk, ' ', big);
	junk[0] = '{';
	for (size_t off = 0; off < big; off += 4096)
		ry_ingest_jsonl(in, junk + off, big - off < 4096 ? big - off : 4096);
	ry_ingest_jsonl(in, "}\n{\"x\": 1}\n", 11);
	ry_ingest_flush(in, true);
	assert_int_equal(ry_ingest_malformed(in), 1);
	assert_int_equal(s.n, 1);
	free(junk);
	ry_ingest_free(in);
}

static void test_jsonl__params_and_log_dedup(void **state)
{
	struct sink s;
	ry_ingest *in = mk(&s, NULL);
	(void)state;
	const char *j = "{\"_params\": {\"lr\": 0.01, \"opt\": \"adam\", \"deep\": true, \"n\": null}}\n"
	                "{\"step\": 1, \"loss\": 0.5}\n";
	ry_ingest_jsonl(in, j, strlen(j));
	ry_ingest_log(in, "loss: 0.5 acc: 0.1\n", 19); /* loss is JSONL's now */
	ry_ingest_flush(in, true);
	assert_int_equal(s.nparams, 3);
	assert_string_equal(s.params[0][0], "lr");
	assert_string_equal(s.params[0][1], "0.01");
	assert_string_equal(s.params[1][1], "adam");
	assert_string_equal(s.params[2][1], "true");
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[1].key, "acc");
	ry_ingest_free(in);
}

/* Feed text as one JSONL file and flush. */
static void feed_jsonl(ry_ingest *in, const char *text, size_t len)
{
	ry_ingest_jsonl(in, text, len);
	ry_ingest_flush(in, true);
}

/* A step that is not an integer in [0, 2^53] makes its line malformed: it is
 * counted and none of its points are stored (never renumbered prev + 1). */
static void test_jsonl__bad_steps_make_the_line_malformed(void **state)
{
	static const char *const bad[] = {
		"{\"step\": 1e30, \"loss\": 9}\n",
		"{\"step\": \"5\", \"loss\": 9}\n",
		"{\"step\": NaN, \"loss\": 9}\n",
		"{\"step\": Infinity, \"loss\": 9}\n",
		"{\"step\": -Infinity, \"loss\": 9}\n",
		"{\"step\": -3, \"loss\": 9}\n",
		"{\"step\": 1.5, \"loss\": 9}\n",
		"{\"step\": true, \"loss\": 9}\n",
		"{\"step\": false, \"loss\": 9}\n",
		"{\"step\": [1], \"loss\": 9}\n",
		"{\"step\": {\"n\": 1}, \"loss\": 9}\n",
		"{\"step\": 9007199254740994, \"loss\": 9}\n", /* 2^53 + 2 */
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct sink s;
		ry_ingest *in = mk(&s, NULL);
		const char *ok = "{\"step\": 4, \"loss\": 1}\n";
		feed_jsonl(in, ok, strlen(ok));
		ry_ingest_jsonl(in, bad[i], strlen(bad[i]));
		ry_ingest_jsonl(in, "{\"loss\": 2}\n", 12);
		ry_ingest_flush(in, true);
		if (ry_ingest_malformed(in) != 1 || s.n != 2)
			fail_msg("%s: %lld malformed, %zu points", bad[i], (long long)ry_ingest_malformed(in), s.n);
		assert_int_equal(s.v[1].step, 5); /* the bad line took no step */
		assert_true(s.v[1].value == 2);
		ry_ingest_free(in);
	}
}

static void test_jsonl__good_steps_kept_exactly(void **state)
{
	struct sink s;
	ry_ingest *in = mk(&s, NULL);
	(void)state;
	const char *text = "{\"step\": 0, \"a\": 1}\n"
	                   "{\"step\": 7.0, \"a\": 1}\n"
	                   "{\"step\": 1e2, \"a\": 1}\n"
	                   "{\"step\": 9007199254740992, \"a\": 1}\n" /* 2^53 */
	                   "{\"step\": null, \"b\": 1}\n"             /* null: auto-numbered */
	                   "{\"b\": 1}\n";
	feed_jsonl(in, text, strlen(text));
	assert_int_equal(ry_ingest_malformed(in), 0);
	assert_int_equal(s.n, 6);
	assert_int_equal(s.v[0].step, 0);
	assert_int_equal(s.v[1].step, 7);
	assert_int_equal(s.v[2].step, 100);
	assert_int_equal(s.v[3].step, INT64_C(9007199254740992));
	assert_string_equal(s.v[4].key, "b");
	assert_int_equal(s.v[4].step, 0);
	assert_int_equal(s.v[5].step, 1);
	ry_ingest_free(in);
}

/* A key runyard would have to alter to store is refused: that value is not
 * stored, the line counts as malformed once, its other values are kept. */
static void test_jsonl__bad_keys_counted_not_altered(void **state)
{
	char longkey[300], line[700];
	static const char text[] =
		"{\"step\": 1, \"lo\\u0000ss\": 9, \"acc\": 1}\n"   /* NUL: not "lo" */
		"{\"step\": 2, \"a\\u001bb\": 9, \"acc\": 2}\n"     /* ESC */
		"{\"step\": 3, \"a\\tb\": 9, \"acc\": 3}\n"         /* TAB */
		"{\"step\": 4, \"a\x01" "b\": 9, \"acc\": 4}\n"     /* a raw control byte */
		"{\"step\": 5, \"\": 9, \"acc\": 5}\n"              /* empty */
		"{\"step\": 6, \"x\": {\"\": 9}, \"acc\": 6}\n"     /* empty inner key */
		"{\"step\": 7, \"st\\u0000ep\": 9, \"acc\": 7}\n"   /* not "st", not a step */
		"{\"step\\u0000\": 100, \"acc\": 8}\n"              /* not the step either */
		"{\"_params\": {\"l\\u0000r\": 1, \"ok\": 2}}\n"    /* a param key too */
		"{\"step\": 9, \"c1\\u0085\": 9, \"acc\": 9}\n";    /* a C1 control */
	struct sink s;
	ry_ingest *in = mk(&s, NULL);
	(void)state;
	feed_jsonl(in, text, sizeof text - 1);
	assert_int_equal(ry_ingest_malformed(in), 10);
	assert_int_equal(s.n, 9);
	for (size_t i = 0; i < s.n; i++) {
		assert_string_equal(s.v[i].key, "acc");
		assert_true(s.v[i].value == (double)(i + 1));
	}
	assert_int_equal(s.v[7].step, 8); /* the step-like key was no step */
	assert_int_equal(s.nparams, 1);
	assert_string_equal(s.params[0][0], "ok");
	ry_ingest_free(in);

	/* MAX_KEY (200) bytes is the longest key kept, flattened names included */
	memset(longkey, 'k', sizeof longkey);
	in = mk(&s, NULL);
	snprintf(line, sizeof line, "{\"%.200s\": 1, \"%.201s\": 2, \"%.100s\": {\"%.100s\": 3}}\n",
	         longkey, longkey, longkey, longkey);
	feed_jsonl(in, line, strlen(line));
	assert_int_equal(ry_ingest_malformed(in), 1);
	assert_int_equal(s.n, 1);
	assert_true(s.v[0].value == 1);
	ry_ingest_free(in);
}

/* Remote sync makes a new ingest every round and goes on with
 * ry_ingest_continue_steps: the rules above hold there too, and the run's
 * malformed count adds up over the rounds instead of being replaced by the
 * last round's. */
static void test_jsonl__sync_rounds_keep_rules_and_count(void **state)
{
	static const char *const rounds[] = {
		"{\"step\": 3, \"loss\": 1}\n{\"step\": 1.5, \"loss\": 9}\n",
		"{\"step\": \"5\", \"loss\": 9}\n{\"loss\": 2}\n{\"lo\\u0000ss\": 9}\n",
		"{\"loss\": 3}\n",
	};
	struct ry_test_ws ws;
	ry_run_spec spec = RY_RUN_SPEC_INIT;
	ry_metric_summary *sum = NULL;
	size_t nsum = 0;
	ry_run *r = NULL;
	int64_t id;
	(void)state;
	ry_test_ws_open(&ws);
	assert_int_equal(ry_run_create(ws.st, &spec, &id, NULL), 0);
	for (size_t i = 0; i < sizeof rounds / sizeof *rounds; i++) {
		ry_ingest_options io = RY_INGEST_OPTIONS_INIT;
		ry_ingest *in = NULL;
		assert_int_equal(ry_ingest_new(&in, ws.st, id, &io), 0);
		assert_int_equal(ry_ingest_continue_steps(in), 0);
		ry_ingest_jsonl(in, rounds[i], strlen(rounds[i]));
		assert_int_equal(ry_ingest_flush(in, true), 0);
		ry_ingest_free(in);
	}
	assert_int_equal(ry_run_get(&r, ws.st, id), 0);
	assert_int_equal(r->malformed_lines, 3);
	ry_run_free(r);
	assert_int_equal(ry_metrics_summaries(ws.st, id, &sum, &nsum), 0);
	assert_int_equal(nsum, 1);
	assert_string_equal(sum[0].key, "loss");
	assert_int_equal(sum[0].n, 3);
	assert_int_equal(sum[0].last_step, 5);
	ry_metric_summaries_free(sum, nsum);
	ry_test_ws_close(&ws);
}

/* Random bytes biased towards the scanner's syntax, in random chunks: the
 * parsers must never crash or read out of bounds (ASan builds check that). */
static void test_ingest__random_input_never_crashes(void **state)
{
	static const char alphabet[] = "ab_.:=- \t\r\n0123456789eE+-.nainf{}[]\",'\x1b\xff\xc3\xa9/%|";
	struct sink s;
	ry_ingest *in = mk(&s, "x = v([0-9]+)\nkv = (?<key>[a-z]+)~(?<value>[0-9]+)");
	unsigned seed = 12345;
	char buf[4096];
	(void)state;
	for (int round = 0; round < 400; round++) {
		size_t n = 0, len;
		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % sizeof buf;
		for (; n < len; n++) {
			seed = seed * 1103515245u + 12345u;
			buf[n] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		if (round % 2)
			ry_ingest_log(in, buf, len);
		else
			ry_ingest_jsonl(in, buf, len);
		s.n = 0; /* the sink only keeps the first 4096 points */
	}
	ry_ingest_flush(in, true);
	ry_ingest_free(in);
}

/* The prefilter that lets ry_ingest_scan skip lines must never drop one the
 * full scanner finds something in.  Random lines made of the tokens that
 * matter (keys, step words, separators, numbers, timestamps, quotes, blanks)
 * at every length, so anchors fall on every byte of the 16-byte blocks and
 * their tails, are scanned both ways and must agree. */
static void test_scan__prefilter_agrees_with_the_full_scanner(void **state)
{
	/* words, glue, numbers, ends: mostly in that order, so pairs are common */
	static const char *const words[] = {
		"loss", "val_acc", "Epoch", "epoch", "step", "STEP", "global_step", "iter", "iteration", "x2",
		"worker", "depth", "batch", "top5", "a.b/c", "_k", "v_num", "T", "2026-11-23", "01:02:03",
		"e", "n", "p", "h", "r", "I", "N", "3s", "1.2.3",
	};
	static const char *const glue[] = {
		":", "=", ": ", " = ", " ", "  ", "\t", "'", "\"", "' ", "\":", "-", "/", "(",
	};
	static const char *const numbers[] = {
		"0", "3", "12", "0.5", "-1e-3", "+2", ".5", "nan", "inf", "NaN", "Infinity", "2/10", "-", "1.",
	};
	static const char *const ends[] = { " ", ", ", ")", "|", " - ", "%", "\t", "'", "x", "" };
	static const char *const *const classes[] = { words, glue, numbers, ends };
	static const size_t sizes[] = { sizeof words / sizeof words[0], sizeof glue / sizeof glue[0],
	                                sizeof numbers / sizeof numbers[0], sizeof ends / sizeof ends[0] };
	unsigned seed = 4242;
	char line[200];
	size_t agreed = 0, with_pairs = 0;
	(void)state;
	for (int round = 0; round < 200000; round++) {
		size_t n = 0, want, cls = 3;
		seed = seed * 1103515245u + 12345u;
		want = (seed >> 16) % 64;
		while (n < want) {
			seed = seed * 1103515245u + 12345u;
			cls = (seed >> 16) % 4 ? (cls + 1) % 4 : (seed >> 20) % 4;
			seed = seed * 1103515245u + 12345u;
			const char *t = classes[cls][(seed >> 16) % sizes[cls]];
			size_t tl = strlen(t);
			if (n + tl >= sizeof line)
				break;
			memcpy(line + n, t, tl);
			n += tl;
		}
		ry_scalar a[16], b[16];
		bool ha, hb;
		int64_t sa = 0, sb = 0;
		size_t na = ry_ingest_scan(line, n, a, 16, &ha, &sa);
		size_t nb = ry_ingest__scan_unfiltered(line, n, b, 16, &hb, &sb);
		if (na != nb || ha != hb || (ha && sa != sb))
			fail_msg("prefilter disagrees on '%.*s': %zu vs %zu pairs, step %d/%lld vs %d/%lld", (int)n, line,
			         na, nb, ha, (long long)sa, hb, (long long)sb);
		for (size_t i = 0; i < na && i < 16; i++) {
			assert_true(a[i].key == b[i].key && a[i].keylen == b[i].keylen);
			assert_memory_equal(&a[i].value, &b[i].value, sizeof a[i].value);
		}
		agreed++;
		with_pairs += nb > 0 || hb;
	}
	/* the generator must exercise both sides, or agreeing proves little */
	assert_true(with_pairs > agreed / 5 && with_pairs < agreed * 4 / 5);
}

/* Lines a job prints all the time pass the prefilter untouched by the
 * scanner, and the shortest real pairs still count. */
static void test_scan__prefilter_edges(void **state)
{
	ry_scalar sc[4];
	bool hs;
	int64_t st;
	(void)state;
	assert_int_equal(scan("INFO 2026-11-23 01:02:03 worker 3: processed batch of 512 examples", sc, &hs, &st), 0);
	assert_false(hs);
	assert_int_equal(scan("a:1", sc, &hs, &st), 1);
	assert_int_equal(scan("x 2026-11-23 01:02:03 waiting for the next shard: a:1", sc, &hs, &st), 1);
	expect_pair(&sc[0], "a", 1);
	assert_int_equal(scan("1234567890123456 step 7", sc, &hs, &st), 0);
	assert_true(hs);
	assert_int_equal(st, 7);
	assert_int_equal(scan("padding to sixteen bytes, then epoch\t3", sc, &hs, &st), 0);
	assert_true(hs);
	assert_int_equal(st, 3);
}

/* One capture policy for every run: the experiment's saved patterns, then
 * the config's [patterns], then the command line's; capture off (flag or
 * saved) means no patterns; a broken config section is left out, said in a
 * warning. */
static ry_config *config_from(const char *dir, const char *text)
{
	char *path = ry_xasprintf("%s/config", dir);
	FILE *f = fopen(path, "w");
	ry_config *cfg = NULL;
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(ry_config_load(&cfg, path), 0);
	free(path);
	return cfg;
}

static void test_capture__one_policy_for_every_run(void **state)
{
	struct ry_test_ws ws;
	ry_ingest_options io = RY_INGEST_OPTIONS_INIT;
	char *pat = NULL, *warn = NULL;
	int64_t exp;
	(void)state;
	ry_test_ws_open(&ws);
	ry_config *cfg = config_from(ws.dir, "[patterns]\nbleu = BLEU ([0-9.]+)\n");
	ry_config *bad = config_from(ws.dir, "[patterns]\nbad = (?:x)(1)\n");
	assert_int_equal(ry_experiment_ensure(ws.st, "e", &exp), 0);
	assert_int_equal(ry_experiment_setting_set(ws.st, exp, "patterns", "ppl = PPL ([0-9.]+)"), 0);

	io.patterns = "acc = ACC ([0-9.]+)\n";
	assert_int_equal(ry_ingest_options_for_run(&io, &pat, &warn, ws.st, exp, cfg), 0);
	assert_true(io.scalars);
	assert_string_equal(pat, "ppl = PPL ([0-9.]+)\nbleu = BLEU ([0-9.]+)\nacc = ACC ([0-9.]+)\n");
	assert_ptr_equal(io.patterns, pat);
	assert_null(warn);
	free(pat);

	/* no experiment, no config, no flags: the built-in scanner alone */
	io = (ry_ingest_options)RY_INGEST_OPTIONS_INIT;
	assert_int_equal(ry_ingest_options_for_run(&io, &pat, NULL, ws.st, 0, NULL), 0);
	assert_true(io.scalars);
	assert_null(pat);
	assert_null(io.patterns);

	/* a broken config section is left out and said */
	io = (ry_ingest_options)RY_INGEST_OPTIONS_INIT;
	assert_int_equal(ry_ingest_options_for_run(&io, &pat, &warn, ws.st, exp, bad), 0);
	assert_string_equal(pat, "ppl = PPL ([0-9.]+)\n");
	assert_non_null(warn);
	assert_non_null(strstr(warn, "[patterns] are not used"));
	free(pat);
	free(warn);

	/* --no-capture, or capture saved off: nothing scanned, no patterns */
	io = (ry_ingest_options)RY_INGEST_OPTIONS_INIT;
	io.scalars = false;
	io.patterns = "acc = ACC ([0-9.]+)\n";
	assert_int_equal(ry_ingest_options_for_run(&io, &pat, NULL, ws.st, exp, cfg), 0);
	assert_false(io.scalars);
	assert_null(io.patterns);
	assert_null(pat);
	assert_int_equal(ry_experiment_setting_set(ws.st, exp, "capture", "off"), 0);
	io = (ry_ingest_options)RY_INGEST_OPTIONS_INIT;
	assert_int_equal(ry_ingest_options_for_run(&io, &pat, NULL, ws.st, exp, cfg), 0);
	assert_false(io.scalars);
	assert_null(pat);

	ry_config_free(cfg);
	ry_config_free(bad);
	ry_test_ws_close(&ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan__first_use_from_threads_at_once),
		cmocka_unit_test(test_scan__empty_and_prose_give_nothing),
		cmocka_unit_test(test_scan__colon_form),
		cmocka_unit_test(test_scan__epoch_word_gives_step),
		cmocka_unit_test(test_scan__step_equals_form),
		cmocka_unit_test(test_scan__keras_line),
		cmocka_unit_test(test_scan__tqdm_brackets_and_dicts),
		cmocka_unit_test(test_scan__nan_and_inf),
		cmocka_unit_test(test_scan__numbers_exact),
		cmocka_unit_test(test_scan__prefilter_agrees_with_the_full_scanner),
		cmocka_unit_test(test_scan__prefilter_edges),
		cmocka_unit_test(test_log__steps_counters_and_keras_context),
		cmocka_unit_test(test_log__chunking_and_carriage_returns),
		cmocka_unit_test(test_log__overlong_line_skipped),
		cmocka_unit_test(test_patterns__plain_and_named_groups),
		cmocka_unit_test(test_patterns__bad_ones_refused),
		cmocka_unit_test(test_patterns__builtin_off_and_capture_off),
		cmocka_unit_test(test_jsonl__points_steps_ts),
		cmocka_unit_test(test_jsonl__malformed_counted_never_fatal),
		cmocka_unit_test(test_jsonl__python_nan_infinity),
		cmocka_unit_test(test_jsonl__overlong_line_counted),
		cmocka_unit_test(test_jsonl__params_and_log_dedup),
		cmocka_unit_test(test_jsonl__bad_steps_make_the_line_malformed),
		cmocka_unit_test(test_jsonl__good_steps_kept_exactly),
		cmocka_unit_test(test_jsonl__bad_keys_counted_not_altered),
		cmocka_unit_test(test_jsonl__sync_rounds_keep_rules_and_count),
		cmocka_unit_test(test_ingest__random_input_never_crashes),
		cmocka_unit_test(test_capture__one_policy_for_every_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
