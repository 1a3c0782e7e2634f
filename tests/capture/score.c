/*
 * The capture accuracy test (issue 14): scores zero-code capture on the
 * corpus in tests/capture/corpus (metrics/corpus.h) and prints recall,
 * precision and step agreement per file and in total.  Exits 1 when the
 * total misses a target: recall 0.95, precision 0.97, step 0.95.
 * Usage: score [CORPUS_DIR]; without one, $srcdir/tests/capture/corpus.
 */
#include "metrics/corpus.h"
#include "base/error.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static void print_score(void *payload, const ry_corpus_score *s)
{
	(void)payload;
	printf("%-28s recall %.3f  precision %.3f  step %.3f  (%lld expected, %lld recorded, %lld found)\n",
	       s->name, ry_corpus_recall(s), ry_corpus_precision(s), ry_corpus_step(s), (long long)s->expected,
	       (long long)s->recorded, (long long)s->matched);
}

int main(int argc, char **argv)
{
	const char *srcdir = getenv("srcdir");
	char dflt[4096];
	ry_corpus_score t;
	snprintf(dflt, sizeof dflt, "%s/tests/capture/corpus", srcdir && *srcdir ? srcdir : ".");
	if (ry_corpus_score_dir(argc > 1 ? argv[1] : dflt, print_score, NULL, &t)) {
		fprintf(stderr, "score: %s\n", ry_error_last());
		return 1;
	}
	print_score(NULL, &t);
	bool ok = ry_corpus_recall(&t) >= 0.95 && ry_corpus_precision(&t) >= 0.97 && ry_corpus_step(&t) >= 0.95;
	if (!ok)
		printf("FAIL: the targets are recall >= 0.95, precision >= 0.97, step >= 0.95\n");
	return ok ? 0 : 1;
}
