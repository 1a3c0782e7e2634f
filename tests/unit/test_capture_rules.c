/* Capture rules a data scientist expects (issue 14, docs/tracking.md):
 * header-row tables, group labels, shares of a count, what is a count or a
 * sentence rather than a metric, progress bars, steps that go back, and
 * points printed again.  The lines are written for these tests in the
 * frameworks' formats, not copied from the corpus, so that they check the
 * rule rather than a file.  Points go to a callback: no store. */
#include "testutil.h"
#include "metrics/ingest.h"
#include "metrics/ingest_internal.h"

#include <math.h>

struct pt {
	char key[64];
	int64_t step;
	double value;
};

struct sink {
	struct pt v[256];
	size_t n;
};

static void on_point(void *payload, const char *key, int64_t step, double ts, double value)
{
	struct sink *s = payload;
	(void)ts;
	if (s->n < 256) {
		snprintf(s->v[s->n].key, sizeof s->v[s->n].key, "%s", key);
		s->v[s->n].step = step;
		s->v[s->n].value = value;
		s->n++;
	}
}

/* Feed text to a fresh ingest and flush it into s. */
static void capture(struct sink *s, const char *text)
{
	ry_ingest_options o = RY_INGEST_OPTIONS_INIT;
	ry_ingest *in;
	memset(s, 0, sizeof *s);
	o.on_point = on_point;
	o.payload = s;
	if (ry_ingest_new(&in, NULL, 1, &o) != 0)
		fail_msg("ry_ingest_new: %s", ry_error_last());
	ry_ingest_log(in, text, strlen(text));
	ry_ingest_flush(in, true);
	ry_ingest_free(in);
}

static void expect(const struct sink *s, size_t i, const char *key, int64_t step, double v)
{
	if (i >= s->n)
		fail_msg("point %zu missing (%zu points)", i, s->n);
	assert_string_equal(s->v[i].key, key);
	assert_int_equal(s->v[i].step, step);
	assert_true(fabs(s->v[i].value - v) <= 1e-12 * fabs(v));
}

static void test_table__header_names_the_rows_under_it(void **state)
{
	struct sink s;
	(void)state;
	capture(&s, "epoch     train_loss  valid_loss  error_rate  time\n"
	            "0         1.250000    0.800000    0.250000    01:02\n"
	            "1         0.700000    0.500000    0.125000    00:58\n"
	            "Better model found at epoch 1 with valid_loss value: 0.5.\n");
	assert_int_equal(s.n, 6);
	expect(&s, 0, "train_loss", 0, 1.25);
	expect(&s, 1, "valid_loss", 0, 0.8);
	expect(&s, 2, "error_rate", 0, 0.25);
	expect(&s, 5, "error_rate", 1, 0.125);
}

static void test_table__groups_units_counts_and_a_bar_after_the_row(void **state)
{
	struct sink s;
	(void)state;
	/* YOLO: the epoch column's "2/5" is the step, "3.1G" keeps its unit in
	 * the key, Instances and Size are counts; the validation header sits in
	 * its own bar, whose batch counter is not the epoch */
	capture(&s, "      Epoch    GPU_mem   box_loss  Instances       Size\n"
	            "\r        2/5      3.1G      0.950        120        640:  50%|##   | 4/8 [00:01<00:01]"
	            "\r        2/5      3.2G      0.900        130        640: 100%|#####| 8/8 [00:02<00:00]\n"
	            "\r       Class     Images  Box(P          R      mAP50):  50%|##  | 2/4 [00:00<00:00]"
	            "\r       Class     Images  Box(P          R      mAP50): 100%|####| 4/4 [00:00<00:00]\n"
	            "           all         64      0.610      0.520      0.555\n");
	assert_int_equal(s.n, 5);
	expect(&s, 0, "GPU_mem_G", 2, 3.2);
	expect(&s, 1, "box_loss", 2, 0.9);
	expect(&s, 2, "P", 2, 0.61);
	expect(&s, 3, "R", 2, 0.52);
	expect(&s, 4, "mAP50", 2, 0.555);
}

static void test_table__prose_and_other_shapes_are_no_table(void **state)
{
	struct sink s;
	(void)state;
	/* one blank between words: prose, not a header; a row needs as many
	 * cells as the header has columns */
	capture(&s, "Training the model now with three heads\n"
	            "1 2 3 4 5 6\n"
	            "loss  acc  lr\n"
	            "0.5  0.9\n"
	            "3 epochs completed in 0.1 hours\n");
	assert_int_equal(s.n, 0);
}

static void test_scan__a_tab_label_names_the_pairs_after_it(void **state)
{
	struct sink s;
	(void)state;
	capture(&s, "2024-05-01 09:00:00 - Dot-Product :\tPearson: 0.8125\tSpearman: 0.7500\n"
	            "INFO: loss: 0.25\n");
	assert_int_equal(s.n, 3);
	expect(&s, 0, "Dot-Product Pearson", 0, 0.8125);
	expect(&s, 1, "Dot-Product Spearman", 0, 0.75);
	expect(&s, 2, "loss", 0, 0.25); /* no tab: a log prefix, not a label */
}

static void test_scan__a_share_of_a_count_is_the_value(void **state)
{
	ry_scalar sc[16];
	bool hs;
	int64_t st;
	(void)state;
	const char *mnist = "Test: Accuracy: 512/1000 (51%), Avg loss: 1.5";
	assert_int_equal(ry_ingest_scan(mnist, strlen(mnist), sc, 16, &hs, &st), 2);
	assert_true(sc[0].value == 51);
	assert_int_equal(sc[0].keylen, 8);
	assert_true(sc[1].value == 1.5);
	/* a bare count: progress, correct of total */
	assert_int_equal(ry_ingest_scan("done: 16/16 batches", 19, sc, 16, &hs, &st), 0);
}

static void test_scan__counts_sentences_and_devices_are_no_metric(void **state)
{
	ry_scalar sc[16];
	bool hs;
	int64_t st;
	const char *none[] = {
		"IPU available: False, using: 0 IPUs",
		"Number of positive: 812, number of negative: 9188 in the train set: 10000",
		"Memory required for data: 1048576",
		"Stopping: no improvement above tol=0.001 for 5 epochs",
		"Created device /job:worker/device:GPU:0 with 1000 MB memory",
		"featurize: 100%|##########| 500/500 [00:02<00:00]",
	};
	(void)state;
	for (size_t i = 0; i < sizeof none / sizeof *none; i++)
		if (ry_ingest_scan(none[i], strlen(none[i]), sc, 16, &hs, &st) != 0)
			fail_msg("'%s' gave %.*s", none[i], (int)sc[0].keylen, sc[0].key);
	/* an integer before the next key is a value */
	assert_int_equal(ry_ingest_scan("errors: 3 acc: 0.5", 18, sc, 16, &hs, &st), 2);
	assert_true(sc[0].value == 3);
	/* a bar's percentage is not the epoch */
	const char *bar = "Epoch:  25%|##        | 1/4 [00:10<00:30]";
	ry_ingest_scan(bar, strlen(bar), sc, 16, &hs, &st);
	assert_false(hs);
}

static void test_log__a_step_printed_again_is_that_step(void **state)
{
	struct sink s;
	(void)state;
	/* a second fit prints its epochs from 1 again */
	capture(&s, "Epoch 1/2\nloss: 0.5\nEpoch 2/2\nloss: 0.4\nEpoch 1/2\nloss: 0.3\n");
	assert_int_equal(s.n, 3);
	expect(&s, 2, "loss", 1, 0.3);
}

static void test_log__a_key_twice_under_one_step_goes_on(void **state)
{
	struct sink s;
	(void)state;
	/* the printed step only goes up: a key printed twice under it takes
	 * the next step, never one it already has */
	capture(&s, "step=1 loss=0.1\nacc: 1.1\nacc: 2.1\nstep=2 loss=0.2\nacc: 1.2\nacc: 2.2\n");
	assert_int_equal(s.n, 6);
	expect(&s, 1, "acc", 1, 1.1);
	expect(&s, 2, "acc", 2, 2.1);
	expect(&s, 4, "acc", 3, 1.2);
	expect(&s, 5, "acc", 4, 2.2);
}

static void test_log__an_earlier_point_printed_again_is_one_point(void **state)
{
	struct sink s;
	(void)state;
	/* early stopping prints the best round again */
	capture(&s, "[1]\tvalid_0's l2: 0.5\n[2]\tvalid_0's l2: 0.25\n[3]\tvalid_0's l2: 0.3\n"
	            "Early stopping, best iteration is:\n[2]\tvalid_0's l2: 0.25\n");
	assert_int_equal(s.n, 3);
	expect(&s, 2, "valid_0's l2", 3, 0.3);
}

static void test_log__a_bar_showing_the_last_value_again_is_no_point(void **state)
{
	struct sink s;
	(void)state;
	capture(&s, "\rEpoch 0:  50%|#  | 1/2 [00:01, loss=0.9]\rEpoch 0: 100%|## | 2/2 [00:02, loss=0.8, val_acc=0.6]\n"
	            "\rEpoch 1:  50%|#  | 1/2 [00:01, loss=0.7, val_acc=0.6]"
	            "\rEpoch 1: 100%|## | 2/2 [00:02, loss=0.5, val_acc=0.6]\n"
	            "Epoch 2\nacc: 0.6\nEpoch 3\nacc: 0.6\n");
	assert_int_equal(s.n, 5);
	expect(&s, 0, "loss", 0, 0.8);
	expect(&s, 1, "val_acc", 0, 0.6);
	expect(&s, 2, "loss", 1, 0.5);
	/* printed as a line, the same value at a new step is a point */
	expect(&s, 3, "acc", 2, 0.6);
	expect(&s, 4, "acc", 3, 0.6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table__header_names_the_rows_under_it),
		cmocka_unit_test(test_table__groups_units_counts_and_a_bar_after_the_row),
		cmocka_unit_test(test_table__prose_and_other_shapes_are_no_table),
		cmocka_unit_test(test_scan__a_tab_label_names_the_pairs_after_it),
		cmocka_unit_test(test_scan__a_share_of_a_count_is_the_value),
		cmocka_unit_test(test_scan__counts_sentences_and_devices_are_no_metric),
		cmocka_unit_test(test_log__a_step_printed_again_is_that_step),
		cmocka_unit_test(test_log__a_key_twice_under_one_step_goes_on),
		cmocka_unit_test(test_log__an_earlier_point_printed_again_is_one_point),
		cmocka_unit_test(test_log__a_bar_showing_the_last_value_again_is_no_point),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
