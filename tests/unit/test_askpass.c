/* The passphrase broker (tui/work/askpass.c) with real threads: a worker asks,
 * this thread plays the main loop (pending, answer).  Questions come one at
 * a time, one answer serves every asker of the same key, Esc is remembered
 * per key, and cancel or shutdown never leaves an asker waiting. */
#include "testutil.h"
#include <pthread.h>
#include <time.h>

#include "work/askpass.h"

struct asker {
	struct tui_askpass_client cl;
	atomic_int cancel;
	const char *key;
	char buf[64];
	size_t size;
	int rc;
	atomic_int done;
	pthread_t th;
};

static void *ask_main(void *arg)
{
	struct asker *k = arg;
	k->rc = tui_askpass_fn(k->key, k->buf, k->size, &k->cl);
	atomic_store(&k->done, 1);
	return NULL;
}

static void ask_start_size(struct asker *k, struct tui_askpass *a, const char *key, size_t size)
{
	memset(k, 0, sizeof *k);
	k->cl.broker = a;
	k->cl.cancel = &k->cancel;
	k->key = key;
	k->size = size;
	memset(k->buf, 'x', sizeof k->buf);
	assert_int_equal(pthread_create(&k->th, NULL, ask_main, k), 0);
}

static void ask_start(struct asker *k, struct tui_askpass *a, const char *key)
{
	ask_start_size(k, a, key, sizeof k->buf);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void nap(void)
{
	struct timespec t = { 0, 5 * 1000 * 1000 };
	nanosleep(&t, NULL);
}

/* The question the main loop would show, waiting up to 5 s for one. */
static unsigned long wait_pending(struct tui_askpass *a, char *key, size_t n)
{
	double until = now() + 5;
	unsigned long id;
	while (!(id = tui_askpass_pending(a, key, n)) && now() < until)
		nap();
	return id;
}

static bool wait_done(struct asker *k, double secs)
{
	double until = now() + secs;
	while (!atomic_load(&k->done) && now() < until)
		nap();
	return atomic_load(&k->done);
}

static void test_askpass__no_broker_refuses(void **state)
{
	struct tui_askpass_client cl;
	char buf[8] = "";
	(void)state;
	memset(&cl, 0, sizeof cl);
	assert_int_not_equal(tui_askpass_fn("/k", buf, sizeof buf, NULL), 0);
	assert_int_not_equal(tui_askpass_fn("/k", buf, sizeof buf, &cl), 0);
	assert_int_equal(tui_askpass_pending(NULL, buf, sizeof buf), 0);
	tui_askpass_answer(NULL, 1, "x");
	tui_askpass_shutdown(NULL);
	tui_askpass_free(NULL);
}

static void test_askpass__headless_refuses_without_asking(void **state)
{
	struct tui_askpass *a = tui_askpass_new(false);
	struct tui_askpass_client cl;
	char buf[8] = "";
	(void)state;
	memset(&cl, 0, sizeof cl);
	cl.broker = a;
	assert_int_not_equal(tui_askpass_fn("/k", buf, sizeof buf, &cl), 0);
	assert_int_equal(atomic_load(&cl.asked), 0);
	assert_int_equal(tui_askpass_pending(a, buf, sizeof buf), 0);
	tui_askpass_free(a);
}

static void test_askpass__answer_reaches_the_asker(void **state)
{
	struct tui_askpass *a = tui_askpass_new(true);
	struct asker k;
	char key[64];
	unsigned long id;
	(void)state;
	ask_start(&k, a, "/home/u/.ssh/id_ed25519");
	id = wait_pending(a, key, sizeof key);
	assert_int_not_equal(id, 0);
	assert_string_equal(key, "/home/u/.ssh/id_ed25519");
	/* still the same question until answered */
	assert_int_equal(tui_askpass_pending(a, key, sizeof key), id);
	assert_false(atomic_load(&k.done));
	tui_askpass_answer(a, id, "secret words");
	assert_true(wait_done(&k, 5));
	pthread_join(k.th, NULL);
	assert_int_equal(k.rc, 0);
	assert_string_equal(k.buf, "secret words");
	assert_int_equal(atomic_load(&k.cl.asked), 1);
	assert_int_equal(tui_askpass_pending(a, key, sizeof key), 0);
	/* an answered key is not remembered: asked again next time */
	assert_false(tui_askpass_refused(a, "/home/u/.ssh/id_ed25519"));
	ask_start(&k, a, "/home/u/.ssh/id_ed25519");
	id = wait_pending(a, key, sizeof key);
	assert_int_not_equal(id, 0);
	tui_askpass_answer(a, id, "again");
	pthread_join(k.th, NULL);
	assert_int_equal(k.rc, 0);
	assert_string_equal(k.buf, "again");
	tui_askpass_free(a);
}

static void test_askpass__long_answer_is_cut_to_the_buffer(void **state)
{
	struct tui_askpass *a = tui_askpass_new(true);
	struct asker k;
	char key[64];
	(void)state;
	ask_start_size(&k, a, "/k", 4);
	tui_askpass_answer(a, wait_pending(a, key, sizeof key), "abcdefgh");
	pthread_join(k.th, NULL);
	assert_int_equal(k.rc, 0);
	assert_string_equal(k.buf, "abc");
	tui_askpass_free(a);
}

static void test_askpass__esc_refuses_the_key_for_the_session(void **state)
{
	struct tui_askpass *a = tui_askpass_new(true);
	struct asker k;
	char key[64];
	double t0;
	(void)state;
	ask_start(&k, a, "/k1");
	tui_askpass_answer(a, wait_pending(a, key, sizeof key), NULL);
	pthread_join(k.th, NULL);
	assert_int_not_equal(k.rc, 0);
	assert_true(tui_askpass_refused(a, "/k1"));
	/* asked again: refused at once, nothing shown */
	t0 = now();
	ask_start(&k, a, "/k1");
	assert_true(wait_done(&k, 2));
	pthread_join(k.th, NULL);
	assert_int_not_equal(k.rc, 0);
	assert_int_equal(atomic_load(&k.cl.asked), 0);
	assert_true(now() - t0 < 1.0);
	assert_int_equal(tui_askpass_pending(a, key, sizeof key), 0);
	/* another key is still asked */
	ask_start(&k, a, "/k2");
	assert_int_not_equal(wait_pending(a, key, sizeof key), 0);
	assert_string_equal(key, "/k2");
	tui_askpass_answer(a, tui_askpass_pending(a, key, sizeof key), "p2");
	pthread_join(k.th, NULL);
	assert_int_equal(k.rc, 0);
	tui_askpass_free(a);
}

static void test_askpass__one_question_at_a_time(void **state)
{
	struct tui_askpass *a = tui_askpass_new(true);
	struct asker k1, k2;
	char key[64];
	unsigned long id1, id2;
	(void)state;
	ask_start(&k1, a, "/first");
	id1 = wait_pending(a, key, sizeof key);
	assert_string_equal(key, "/first");
	ask_start(&k2, a, "/second");
	while (atomic_load(&k2.cl.asked) == 0)
		nap();
	/* the second waits its turn behind the first */
	assert_int_equal(tui_askpass_pending(a, key, sizeof key), id1);
	assert_string_equal(key, "/first");
	tui_askpass_answer(a, id1, "one");
	pthread_join(k1.th, NULL);
	id2 = wait_pending(a, key, sizeof key);
	assert_int_not_equal(id2, id1);
	assert_string_equal(key, "/second");
	assert_false(atomic_load(&k2.done));
	tui_askpass_answer(a, id2, "two");
	pthread_join(k2.th, NULL);
	assert_string_equal(k1.buf, "one");
	assert_string_equal(k2.buf, "two");
	tui_askpass_free(a);
}

static void test_askpass__one_answer_serves_every_asker_of_a_key(void **state)
{
	struct tui_askpass *a = tui_askpass_new(true);
	struct asker k[3];
	char key[64];
	(void)state;
	ask_start(&k[0], a, "/same");
	ask_start(&k[1], a, "/other");
	ask_start(&k[2], a, "/same");
	for (int i = 0; i < 3; i++)
		while (atomic_load(&k[i].cl.asked) == 0)
			nap();
	unsigned long id = tui_askpass_pending(a, key, sizeof key);
	/* Which was answered is known here, not from the asker's done flag:
	 * an answered asker may not have woken yet on a busy machine. */
	bool other_answered = false;
	if (strcmp(key, "/same")) { /* /other got in first: answer it */
		tui_askpass_answer(a, id, "o");
		other_answered = true;
		id = wait_pending(a, key, sizeof key);
	}
	assert_string_equal(key, "/same");
	tui_askpass_answer(a, id, "shared");
	pthread_join(k[0].th, NULL);
	pthread_join(k[2].th, NULL);
	assert_int_equal(k[0].rc, 0);
	assert_int_equal(k[2].rc, 0);
	assert_string_equal(k[0].buf, "shared");
	assert_string_equal(k[2].buf, "shared");
	if (!other_answered) {
		id = wait_pending(a, key, sizeof key);
		assert_string_equal(key, "/other");
		tui_askpass_answer(a, id, "o");
	}
	pthread_join(k[1].th, NULL);
	assert_string_equal(k[1].buf, "o");
	tui_askpass_free(a);
}

static void test_askpass__cancel_withdraws_the_question(void **state)
{
	struct tui_askpass *a = tui_askpass_new(true);
	struct asker k;
	char key[64];
	unsigned long id;
	double t0;
	(void)state;
	ask_start(&k, a, "/k");
	id = wait_pending(a, key, sizeof key);
	assert_int_not_equal(id, 0);
	t0 = now();
	atomic_store(&k.cancel, 1);
	assert_true(wait_done(&k, 2));
	assert_true(now() - t0 < 1.0);
	pthread_join(k.th, NULL);
	assert_int_not_equal(k.rc, 0);
	assert_int_equal(tui_askpass_pending(a, key, sizeof key), 0);
	/* a late answer to the withdrawn question is harmless, and a cancel
	 * is not a refusal of the key */
	tui_askpass_answer(a, id, "late");
	assert_false(tui_askpass_refused(a, "/k"));
	assert_int_equal(k.buf[0], 'x');
	tui_askpass_free(a);
}

static void test_askpass__shutdown_wakes_every_asker(void **state)
{
	struct tui_askpass *a = tui_askpass_new(true);
	struct asker k[3];
	char key[64];
	(void)state;
	for (int i = 0; i < 3; i++)
		ask_start(&k[i], a, i == 1 ? "/b" : "/a");
	for (int i = 0; i < 3; i++)
		while (atomic_load(&k[i].cl.asked) == 0)
			nap();
	tui_askpass_shutdown(a);
	for (int i = 0; i < 3; i++) {
		assert_true(wait_done(&k[i], 2));
		pthread_join(k[i].th, NULL);
		assert_int_not_equal(k[i].rc, 0);
	}
	assert_int_equal(tui_askpass_pending(a, key, sizeof key), 0);
	/* later questions are refused at once */
	ask_start(&k[0], a, "/c");
	assert_true(wait_done(&k[0], 2));
	pthread_join(k[0].th, NULL);
	assert_int_not_equal(k[0].rc, 0);
	tui_askpass_shutdown(a);
	tui_askpass_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_askpass__no_broker_refuses),
		cmocka_unit_test(test_askpass__headless_refuses_without_asking),
		cmocka_unit_test(test_askpass__answer_reaches_the_asker),
		cmocka_unit_test(test_askpass__long_answer_is_cut_to_the_buffer),
		cmocka_unit_test(test_askpass__esc_refuses_the_key_for_the_session),
		cmocka_unit_test(test_askpass__one_question_at_a_time),
		cmocka_unit_test(test_askpass__one_answer_serves_every_asker_of_a_key),
		cmocka_unit_test(test_askpass__cancel_withdraws_the_question),
		cmocka_unit_test(test_askpass__shutdown_wakes_every_asker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
