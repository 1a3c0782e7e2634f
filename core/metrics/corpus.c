/*
 * Scores capture on a corpus of logs (the rules are in corpus.h): reads a
 * log and its expected points, feeds the log to a fresh ingest in 4096-byte
 * chunks (what a pipe hands the tracker at a time) with the points going to
 * a callback, then matches recorded against expected points.  It knows
 * nothing of the scanner's rules; it only counts what the ingest recorded.
 */
#include "metrics/corpus.h"
#include "metrics/ingest.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 4096

struct point {
	char *key;
	bool has_step;
	int64_t step;
	double value;
	bool used;
};

struct points {
	struct point *v;
	size_t n, cap;
};

static void points_add(struct points *p, const char *key, size_t kl, bool has_step, int64_t step, double v)
{
	p->v = ry_xgrow(p->v, &p->cap, p->n + 1, sizeof *p->v);
	p->v[p->n++] = (struct point){ ry_xstrndup(key, kl), has_step, step, v, false };
}

static void points_free(struct points *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].key);
	free(p->v);
}

static int read_file(const char *path, ry_buf *out)
{
	FILE *f = fopen(path, "rb");
	char tmp[65536];
	size_t n;
	if (!f)
		return ry_error_set(RY_EIO, "cannot read %s: %s", path, strerror(errno));
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		ry_buf_put(out, tmp, n);
	fclose(f);
	return 0;
}

/* key<TAB>step<TAB>value lines. */
static int parse_expected(const char *path, const char *s, struct points *out)
{
	int line = 0;
	while (*s) {
		const char *nl = strchr(s, '\n'), *end = nl ? nl : s + strlen(s);
		const char *t1 = memchr(s, '\t', (size_t)(end - s));
		const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(end - t1 - 1)) : NULL;
		char num[64];
		line++;
		if (end == s) {
			s = nl ? nl + 1 : end;
			continue;
		}
		if (!t2 || t1 == s || (size_t)(end - t2 - 1) >= sizeof num)
			return ry_error_set(RY_EINVAL, "%s:%d: want key<TAB>step<TAB>value", path, line);
		bool has_step = !(t2 - t1 - 1 == 1 && t1[1] == '-');
		int64_t step = has_step ? strtoll(t1 + 1, NULL, 10) : 0;
		memcpy(num, t2 + 1, (size_t)(end - t2 - 1));
		num[end - t2 - 1] = '\0';
		points_add(out, s, (size_t)(t1 - s), has_step, step, strtod(num, NULL));
		s = nl ? nl + 1 : end;
	}
	return 0;
}

static void on_point(void *payload, const char *key, int64_t step, double ts, double value)
{
	(void)ts;
	points_add(payload, key, strlen(key), true, step, value);
}

static bool same_value(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* Match each expected point to an unused recorded one: first at the same
 * step, then at any step (a point found at the wrong step still counts as
 * found, but not towards step agreement). */
static void match(struct points *exp, struct points *rec, ry_corpus_score *s)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < exp->n; i++) {
			struct point *e = &exp->v[i];
			if (e->used || (pass == 0 && !e->has_step))
				continue;
			for (size_t j = 0; j < rec->n; j++) {
				struct point *r = &rec->v[j];
				if (r->used || strcmp(r->key, e->key) || !same_value(r->value, e->value))
					continue;
				if (pass == 0 && r->step != e->step)
					continue;
				r->used = e->used = true;
				s->matched++;
				if (e->has_step) {
					s->stepped++;
					s->step_ok += r->step == e->step;
				}
				break;
			}
		}
	}
}

int ry_corpus_score_file(const char *log_path, const char *expected_path, ry_corpus_score *out)
{
	ry_buf log = RY_BUF_INIT, exp = RY_BUF_INIT;
	struct points e = { 0 }, r = { 0 };
	ry_ingest_options o = RY_INGEST_OPTIONS_INIT;
	ry_ingest *in = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = read_file(log_path, &log)) || (rc = read_file(expected_path, &exp)) ||
	    (rc = parse_expected(expected_path, ry_buf_cstr(&exp), &e)))
		goto done;
	o.on_point = on_point;
	o.payload = &r;
	if ((rc = ry_ingest_new(&in, NULL, 0, &o)))
		goto done;
	for (size_t off = 0; off < log.len; off += CHUNK)
		ry_ingest_log(in, log.ptr + off, log.len - off < CHUNK ? log.len - off : CHUNK);
	if ((rc = ry_ingest_flush(in, true)))
		goto done;
	out->expected = (int64_t)e.n;
	out->recorded = (int64_t)r.n;
	out->bytes = log.len;
	match(&e, &r, out);
done:
	ry_ingest_free(in);
	points_free(&e);
	points_free(&r);
	ry_buf_free(&log);
	ry_buf_free(&exp);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ry_corpus_score_dir(const char *dir, ry_corpus_each_fn each, void *payload, ry_corpus_score *total)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	memset(total, 0, sizeof *total);
	snprintf(total->name, sizeof total->name, "total");
	if (!d)
		return ry_error_set(RY_EIO, "cannot read the corpus %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 4 && !strcmp(de->d_name + l - 4, ".log") && l - 4 < sizeof total->name) {
			names = ry_xgrow(names, &cap, n + 1, sizeof *names);
			names[n++] = ry_xstrndup(de->d_name, l - 4);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	size_t scored = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char *lp = ry_xasprintf("%s/%s.log", dir, names[i]), *ep = ry_xasprintf("%s/%s.expected", dir, names[i]);
		FILE *f = fopen(ep, "r");
		if (f) {
			ry_corpus_score s;
			fclose(f);
			if (!(rc = ry_corpus_score_file(lp, ep, &s))) {
				snprintf(s.name, sizeof s.name, "%s", names[i]);
				if (each)
					each(payload, &s);
				total->expected += s.expected;
				total->recorded += s.recorded;
				total->matched += s.matched;
				total->stepped += s.stepped;
				total->step_ok += s.step_ok;
				total->bytes += s.bytes;
				scored++;
			}
		}
		free(lp);
		free(ep);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!rc && !scored)
		rc = ry_error_set(RY_EIO, "the corpus %s holds no NAME.log with a NAME.expected", dir);
	return rc;
}

static double ratio(int64_t a, int64_t b)
{
	return b ? (double)a / (double)b : 1.0;
}

double ry_corpus_recall(const ry_corpus_score *s)
{
	return ratio(s->matched, s->expected);
}

double ry_corpus_precision(const ry_corpus_score *s)
{
	return ratio(s->matched, s->recorded);
}

double ry_corpus_step(const ry_corpus_score *s)
{
	return ratio(s->step_ok, s->stepped);
}
