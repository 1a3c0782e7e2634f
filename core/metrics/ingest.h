/*
 * Metric ingest from a run's output: zero-code scalar capture from log text
 * ("loss: 0.31", "epoch 3 val_acc=0.91", Keras "Epoch 2/10 ... loss: 0.4 -
 * accuracy: 0.9") and structured JSON lines ({"step": 10, "loss": 0.3}).
 * Used by local tracking (runyard run) and by remote streaming alike: both
 * feed bytes as they arrive, in any chunking; partial lines are kept until
 * their newline.  Points go to a metrics writer and are flushed in batches.
 *
 * Log text (ry_ingest_log).  docs/tracking.md has the full rules (multi-word
 * keys, units into keys, what is not a metric, [N] and N: steps, tqdm
 * counters, redraws, duplicates); in short: a hand-written scanner finds `key: number`,
 * `key=number`, `key = number` and `'key': number` pairs anywhere on a line
 * (keys: a letter or '_' then letters, digits, '_', '.', '/', '-'; numbers:
 * decimal, exponent, nan, inf; a value must end at a space or , ; ) ] } | %).
 * The words step, global_step, iter, iteration and epoch followed by an
 * integer (`step=100`, `epoch 3`, `Epoch 2/10`) give the line's step instead
 * of a metric (step > iter > epoch when several appear).  A line without a
 * step uses the last step seen on an earlier line if that is newer than the
 * key's last point (Keras prints "Epoch 2/10" on a line of its own), else the
 * key's previous step + 1, starting at 0.  Carriage returns are progress-bar
 * redraws: only the text after a line's last '\r' is read (what the terminal
 * finally shows).  Terminal escape sequences (colours) are removed.  Once a
 * key has arrived through JSON lines, log capture ignores it (no doubled
 * series).
 *
 * Extra patterns (ry_ingest_options.patterns, the config file's [patterns]
 * section, an experiment's "patterns" setting): lines of `NAME = REGEX`, REGEX
 * a POSIX extended regex.  Without named groups, group 1 is the value of
 * metric NAME.  Named groups are written (?<name>...) and may be `key` (the
 * metric name), `value`, `step`, or any other name (the group is the value of
 * the metric so named); NAME is then only a label.  Every match on a line
 * counts.  The entry `builtin = off` turns the built-in scanner off and keeps
 * the regexes.  (?:...) and other PCRE syntax is refused with a message.
 *
 * JSON lines (ry_ingest_jsonl): each line one object; every numeric field but
 * "step", "ts" and names starting with '_' is a metric (one nested object level is flattened as
 * "outer/inner"); strings, booleans and null are ignored; NaN, Infinity and
 * -Infinity as Python's json module writes them are accepted.  A line
 * {"_params": {...}} sets run params instead.  A line that is not a JSON
 * object, is not valid UTF-8, is longer than RY_INGEST_MAX_LINE or has a
 * "step" that is neither null nor an integer in [0, 2^53] is skipped and
 * counted as malformed.  A metric or param name that is empty, over 200
 * bytes or holds a control character (a \u0000 included) is refused, not
 * shortened: its value is dropped and the line counted once, its other
 * values kept.  docs/tracking.md has the table users read.
 */
#ifndef RY_INGEST_H
#define RY_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "store/store.h"

/* Longest line read; longer ones are skipped (JSONL: counted malformed). */
#define RY_INGEST_MAX_LINE (1u << 20)

typedef struct ry_ingest ry_ingest;

/* Where points go instead of the store (tests, benchmarks, previews).  key is
 * NUL-terminated and lent for the call. */
typedef void (*ry_ingest_point_fn)(void *payload, const char *key, int64_t step, double ts, double value);
typedef void (*ry_ingest_param_fn)(void *payload, const char *key, const char *value);

typedef struct ry_ingest_options {
	unsigned version;
	bool scalars;          /* parse scalars from log text (default true) */
	const char *patterns;  /* extra patterns, "NAME = REGEX" lines (above);
	                          NULL: built-in scanner only */
	ry_ingest_point_fn on_point; /* non-NULL: points go here, not to st */
	ry_ingest_param_fn on_param; /* with on_point: params go here */
	void *payload;
	bool keep_offsets;     /* resumable: store offsets and state (below) */
} ry_ingest_options;
#define RY_INGEST_OPTIONS_INIT { 3, true, NULL, NULL, NULL, NULL, false }

/* Caller owns *out; free with ry_ingest_free (which flushes nothing).  st may
 * be NULL when o->on_point is set.  RY_EINVAL for a bad pattern (the message
 * names it). */
int ry_ingest_new(ry_ingest **out, ry_store *st, int64_t run_id, const ry_ingest_options *o);

/* Check pattern text without ingesting anything: 0 or RY_EINVAL. */
int ry_ingest_check_patterns(const char *patterns);

/* The capture settings of a run (metrics/capture.c), one policy for local
 * tracking, remote sync and the CLI.  On entry io holds what the caller was
 * told: io->scalars false for --no-capture, io->patterns the command line's
 * --pattern lines (or NULL).  On return: scalars is off also when the
 * experiment saved "capture" = "off"; with it off there are no patterns
 * (JSON lines are still read); else io->patterns is the experiment's saved
 * "patterns", then cfg's [patterns] section, then the command line's lines.
 * *patterns owns the text io->patterns then points at (caller frees; may be
 * NULL).  st and cfg may be NULL, experiment_id <= 0 for none.  A [patterns]
 * section that does not compile is left out and *warning (may be NULL)
 * receives why (caller frees), so that a bad config never stops a run.
 * Returns 0. */
int ry_ingest_options_for_run(ry_ingest_options *io, char **patterns, char **warning, ry_store *st,
                              int64_t experiment_id, const ry_config *cfg);

/* Feed log bytes (scalar capture) / JSONL bytes.  Never fails on bad data:
 * malformed JSON lines are skipped and counted. */
int ry_ingest_log(ry_ingest *in, const char *data, size_t len);
int ry_ingest_jsonl(ry_ingest *in, const char *data, size_t len);

/* Write buffered points in one transaction; also stores the malformed-line
 * count on the run.  end=true also consumes a final line without newline. */
int ry_ingest_flush(ry_ingest *in, bool end);

/* ---- resumable ingest (local runs, whose tracker may be killed; remote
 * runs, which sync reads in rounds) ------------------------------------
 *
 * With keep_offsets, the feeds are taken to be the run's log and
 * metrics.jsonl files from their first byte, and every flush also stores,
 * in the same transaction as the points: runs.log_offset and
 * runs.metrics_offset, where the first line not yet taken whole begins; and
 * runs.ingest_state, what numbering later lines depends on (the capture
 * settings, the last step seen in the log, which keys came as JSON, whether
 * a feed is inside an over-long line; the keys' last steps are those of
 * metric_summary).  So whoever goes on from there gives the next points
 * exactly the steps the first ingest would have, and a crash between two
 * batches neither loses nor doubles a point. */

/* Go on where the last flush of run_id's resumable ingest stopped: *out
 * expects the log from byte *log_off and metrics.jsonl from *met_off.
 * *out is NULL (and 0 returned) when the run kept no state (started by an
 * older runyard, or nothing ingested yet).  Caller owns *out. */
int ry_ingest_resume(ry_ingest **out, ry_store *st, int64_t run_id, int64_t *log_off, int64_t *met_off);

/* Number each key's step-less points after the last step the run already
 * has for it (metric_summary), and count malformed lines on from the run's
 * malformed_lines, as an ingest that continues a run must (ry_ingest_resume
 * does it too; a new ingest of a run that has points but no state needs
 * it).  0 or an RY_E* code. */
int ry_ingest_continue_steps(ry_ingest *in);

int64_t ry_ingest_points(const ry_ingest *in);    /* points ingested so far */
/* JSONL lines counted malformed (a continued or resumed ingest: the run's
 * total) */
int64_t ry_ingest_malformed(const ry_ingest *in);
void ry_ingest_free(ry_ingest *in);               /* accepts NULL */

/* Is `key` fit to store as a metric, param or tag name as it is: not empty,
 * at most 200 bytes, valid UTF-8, no control character (C0, DEL, C1)?  The
 * rule every writer of outside keys applies (ingest here, plugins). */
bool ry_ingest_key_ok(const char *key);

/* ---- the scanner alone (unit tests, benchmarks) ----------------------- */

typedef struct ry_scalar {
	const char *key; /* points into the scanned line; not NUL-terminated */
	size_t keylen;
	double value;
	const char *unit; /* glued to the number ("ms" of "35.2ms"), unitlen 0: none */
	size_t unitlen;
	bool spaced;      /* "loss 4.2": no ':' or '=' */
	const char *group; /* a label the line gave its pairs ("Cosine-Similarity :\tPearson: 0.79"): */
	size_t grouplen;   /* the key is "group key"; grouplen 0: none */
} ry_scalar;

/* Scan one line (no newline) with the built-in rules.  Stores up to `max`
 * pairs in out and returns how many were found (may exceed max: the rest are
 * dropped).  has_step and step receive the line's step word, if any. */
size_t ry_ingest_scan(const char *line, size_t len, ry_scalar *out, size_t max,
                      bool *has_step, int64_t *step);

#endif
