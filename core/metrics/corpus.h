/*
 * Capture accuracy on a corpus of console logs: each NAME.log (raw bytes as a
 * job printed them) beside NAME.expected (one point a line,
 * key<TAB>step<TAB>value, step '-' where the framework prints none) is fed
 * through the real log ingest (ry_ingest_log, in pipe-sized chunks) and the
 * points it records are compared with the expected ones.
 *
 * A recorded point matches an expected one with the same key and value
 * (relative 1e-9); matches at the expected step are taken first.  recall =
 * matched / expected, precision = matched / recorded, step = matched at the
 * printed step / matched with a printed step.  Used by the capture test
 * (tests/capture/score.c) and `runyard bench`.  It measures; it does not
 * change what is captured.
 */
#ifndef RY_CORPUS_H
#define RY_CORPUS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ry_corpus_score {
	char name[128];      /* file name without .log; "total" for the sum */
	int64_t expected;    /* points in .expected */
	int64_t recorded;    /* points the ingest recorded */
	int64_t matched;     /* recorded points that match an expected one */
	int64_t stepped;     /* matches whose expected point has a step */
	int64_t step_ok;     /* ... and were recorded at that step */
	size_t bytes;        /* size of the .log */
} ry_corpus_score;

/* Score one log against its expected file; 0 or RY_EIO / RY_EINVAL (the
 * message names the file and line). */
int ry_corpus_score_file(const char *log_path, const char *expected_path, ry_corpus_score *out);

/* Score every NAME.log in dir that has a NAME.expected, in name order.
 * each (may be NULL) is called per file; *total receives the sums.  RY_EIO
 * when dir cannot be read or holds no pair. */
typedef void (*ry_corpus_each_fn)(void *payload, const ry_corpus_score *s);
int ry_corpus_score_dir(const char *dir, ry_corpus_each_fn each, void *payload, ry_corpus_score *total);

/* The three ratios of s, 1.0 where the denominator is 0. */
double ry_corpus_recall(const ry_corpus_score *s);
double ry_corpus_precision(const ry_corpus_score *s);
double ry_corpus_step(const ry_corpus_score *s);

#endif
