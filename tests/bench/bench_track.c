/*
 * Tracking benchmarks (issue 4): scalar capture MB/s over realistic training
 * log text, JSONL ingest points/s (parse only, and end to end into a real
 * workspace file), printed one figure per line.  The `runyard run` overhead
 * on 1 GB of output is measured by tests/bench/bench_run_overhead.sh.
 *
 * usage: bench_track [MB_OF_LOG] [JSONL_POINTS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runyard.h"
#include "metrics/ingest.h"

static int64_t sunk;

/* CPU seconds of this process: on a shared machine wall time measures the
 * neighbours as much as the code, so both are printed. */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void count_point(void *payload, const char *key, int64_t step, double ts, double value)
{
	(void)payload; (void)key; (void)step; (void)ts; (void)value;
	sunk++;
}

/* A mix of the line shapes a training job prints, most without metrics. */
static char *make_log(size_t want, size_t *len)
{
	ry_buf b = RY_BUF_INIT;
	unsigned seed = 1;
	for (int i = 0; b.len < want; i++) {
		seed = seed * 1103515245u + 12345u;
		double x = (seed >> 8) / 16777216.0;
		switch (i % 8) {
		case 0:
			ry_buf_printf(&b, "epoch %d step=%d loss=%.6f acc=%.4f lr=%.2e\n", i / 800, i, x, 1 - x, 3e-4 * x);
			break;
		case 1:
			ry_buf_printf(&b, "2026-11-23 01:%02d:%02d,123 INFO data.loader: prefetched %d batches from shard %d\n",
			              i % 60, i % 60, i % 97, i % 13);
			break;
		case 2:
			ry_buf_printf(&b, "Epoch %d/100\n", i / 8);
			break;
		case 3:
			ry_buf_printf(&b, "1875/1875 [==============================] - 3s 2ms/step - loss: %.4f - accuracy: %.4f"
			              " - val_loss: %.4f - val_accuracy: %.4f\n", x, 1 - x, x * 1.1, 0.9 - x / 10);
			break;
		case 4:
			ry_buf_printf(&b, "Epoch %d: 100%%|##########| 938/938 [00:12<00:00, 75.2it/s, loss=%.3f, v_num=0]\n",
			              i / 8, x);
			break;
		case 5:
			ry_buf_printf(&b, "WARNING: the tokenizer emitted %d tokens longer than the model maximum; truncating\n",
			              i % 1000);
			break;
		case 6:
			ry_buf_printf(&b, "{'loss': %.4f, 'learning_rate': 4.8e-05, 'epoch': %.2f}\n", x, i / 1000.0);
			break;
		default:
			ry_buf_printf(&b, "  saving checkpoint to /scratch/runs/exp42/ckpt-%06d.pt (%.1f MB)\n", i, 100 * x);
			break;
		}
	}
	*len = b.len;
	return ry_buf_detach(&b);
}

/* What most of a job's output is: log lines without a metric (timestamps,
 * paths, warnings), which capture has to read and drop. */
static char *make_chatter(size_t want, size_t *len)
{
	ry_buf b = RY_BUF_INIT;
	for (int i = 0; b.len < want; i++) {
		switch (i % 4) {
		case 0:
			ry_buf_printf(&b, "INFO 2026-11-23 01:02:%02d worker %d: processed batch of 512 examples, "
			              "prefetch queue depth %d\n", i % 60, i % 8, i % 5);
			break;
		case 1:
			ry_buf_printf(&b, "2026-11-23 01:%02d:%02d,123 INFO data.loader: prefetched %d batches from shard %d\n",
			              i % 60, i % 60, i % 97, i % 13);
			break;
		case 2:
			ry_buf_printf(&b, "Downloading https://huggingface.co/bert-base/resolve/main/shard-%05d.bin "
			              "to /scratch/cache\n", i);
			break;
		default:
			ry_buf_printf(&b, "WARNING: the tokenizer emitted %d tokens longer than the model maximum; truncating\n",
			              i % 1000);
			break;
		}
	}
	*len = b.len;
	return ry_buf_detach(&b);
}

static char *make_jsonl(int64_t points, size_t *len, int per_line)
{
	ry_buf b = RY_BUF_INIT;
	for (int64_t s = 0; s * per_line < points; s++)
		ry_buf_printf(&b, "{\"step\": %lld, \"loss\": %.6f, \"acc\": %.6f, \"lr\": %.3e, \"grad_norm\": %.4f}\n",
		              (long long)s, 1.0 / (s + 1), 1 - 1.0 / (s + 2), 1e-3 / (1 + s / 1000.0), 0.5 + (s % 7) * 0.1);
	*len = b.len;
	return ry_buf_detach(&b);
}

static void feed(ry_ingest *in, const char *data, size_t len, bool jsonl)
{
	const size_t chunk = 65536; /* what a pipe read returns */
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		if (jsonl)
			ry_ingest_jsonl(in, data + off, n);
		else
			ry_ingest_log(in, data + off, n);
	}
}

/* Feed `text` (freed here) to a scalar-capturing ingest; print MB/s. */
static int capture(char *text, size_t len, const ry_ingest_options *o, const char *what)
{
	ry_ingest *in;
	double t0, t, c0, c;
	sunk = 0;
	if (ry_ingest_new(&in, NULL, 1, o)) {
		fprintf(stderr, "%s\n", ry_error_last());
		free(text);
		return 1;
	}
	t0 = ry_monotonic();
	c0 = cpu_now();
	feed(in, text, len, false);
	ry_ingest_flush(in, true);
	t = ry_monotonic() - t0;
	c = cpu_now() - c0;
	printf("%s: %.0f MB/s wall, %.0f MB/s CPU (%.0f MB, %lld points, %.2f s)\n", what,
	       len / 1048576.0 / t, len / 1048576.0 / c, len / 1048576.0, (long long)sunk, t);
	ry_ingest_free(in);
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)atol(argv[1]) : 200;
	int64_t points = argc > 2 ? atoll(argv[2]) : 2000000;
	ry_ingest_options o = RY_INGEST_OPTIONS_INIT;
	ry_ingest *in;
	size_t len;
	double t0, t, c0, c;
	char *text;

	/* 1. scalar capture over log text, then over chatter without metrics */
	o.on_point = count_point;
	text = make_log(mb << 20, &len);
	if (capture(text, len, &o, "scalar capture"))
		return 1;
	text = make_chatter(mb << 20, &len);
	if (capture(text, len, &o, "scalar capture, log lines without metrics"))
		return 1;

	/* 2. JSONL parse only */
	text = make_jsonl(points, &len, 4);
	sunk = 0;
	if (ry_ingest_new(&in, NULL, 1, &o))
		return 1;
	t0 = ry_monotonic();
	c0 = cpu_now();
	feed(in, text, len, true);
	ry_ingest_flush(in, true);
	t = ry_monotonic() - t0;
	c = cpu_now() - c0;
	printf("JSONL parse: %.0f points/s wall, %.0f points/s CPU (%lld points, %.2f s)\n", sunk / t, sunk / c,
	       (long long)sunk, t);
	ry_ingest_free(in);

	/* 3. JSONL end to end: parse, write, commit into a real workspace file,
	 * flushed every 64k lines as `runyard run` would every 0.5 s. */
	{
		char dir[] = "/tmp/runyard-bench-XXXXXX";
		ry_store *st;
		ry_run_spec spec = RY_RUN_SPEC_INIT;
		int64_t id;
		ry_ingest_options so = RY_INGEST_OPTIONS_INIT;
		if (!mkdtemp(dir))
			return 1;
		char *db = ry_xasprintf("%s/ws.db", dir);
		if (ry_store_open(&st, db, RY_STORE_CREATE) || ry_run_create(st, &spec, &id, NULL) ||
		    ry_ingest_new(&in, st, id, &so)) {
			printf("JSONL end to end: unavailable (%s)\n", ry_error_last());
		} else {
			const size_t batch = 64 * 1024 * 80; /* ~64k lines */
			int rc = 0;
			t0 = ry_monotonic();
			c0 = cpu_now();
			for (size_t off = 0; off < len && !rc; off += batch) {
				feed(in, text + off, len - off < batch ? len - off : batch, true);
				rc = ry_ingest_flush(in, false);
			}
			if (!rc)
				rc = ry_ingest_flush(in, true);
			t = ry_monotonic() - t0;
			c = cpu_now() - c0;
			if (rc)
				printf("JSONL end to end: failed (%s)\n", ry_error_last());
			else
				printf("JSONL end to end: %.0f points/s wall, %.0f points/s CPU (%lld points into SQLite, "
				       "%.2f s)\n", ry_ingest_points(in) / t, ry_ingest_points(in) / c,
				       (long long)ry_ingest_points(in), t);
			ry_ingest_free(in);
		}
		ry_store_close(st);
		char *cmd = ry_xasprintf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
		free(cmd);
		free(db);
	}
	free(text);
	return 0;
}
