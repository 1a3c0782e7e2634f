/*
 * Metric ingest from a run's output: zero-code scalar capture from log text
 * ("loss: 0.31", "epoch 3 val_acc=0.91", Keras "Epoch 2/10 ... loss: 0.4 -
 * accuracy: 0.9") and structured JSON lines ({"step": 10, "loss": 0.3}).
 * Used by local tracking (runyard run) and by remote streaming alike: both
 * feed bytes as they arrive, in any chunking; partial lines are kept until
 * their newline.  Points go to a metrics writer and are flushed in batches.
 */
#ifndef RY_INGEST_H
#define RY_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct ry_ingest ry_ingest;

typedef struct ry_ingest_options {
	unsigned version;
	bool scalars;          /* parse scalars from log text (default true) */
	const char *patterns;  /* extra/replacement regexes, newline-separated,
	                          POSIX ERE with (?<key>..)/(?<value>..)-style
	                          named groups as documented in docs/guide.md;
	                          NULL: built-in patterns only */
} ry_ingest_options;
#define RY_INGEST_OPTIONS_INIT { 1, true, NULL }

/* Caller owns *out; free with ry_ingest_free (which flushes nothing). */
int ry_ingest_new(ry_ingest **out, ry_store *st, int64_t run_id, const ry_ingest_options *o);

/* Feed log bytes (scalar capture) / JSONL bytes.  Never fails on bad data:
 * malformed JSON lines are skipped and counted. */
int ry_ingest_log(ry_ingest *in, const char *data, size_t len);
int ry_ingest_jsonl(ry_ingest *in, const char *data, size_t len);

/* Write buffered points in one transaction; also stores the malformed-line
 * count on the run.  end=true also consumes a final line without newline. */
int ry_ingest_flush(ry_ingest *in, bool end);

int64_t ry_ingest_points(const ry_ingest *in);    /* points ingested so far */
int64_t ry_ingest_malformed(const ry_ingest *in); /* JSONL lines skipped */
void ry_ingest_free(ry_ingest *in);

#endif
