/*
 * Grouped listings (group.h): runs bucketed by one field's value or by
 * their config (params minus seed-like ones), and per group and column the
 * count, mean, std, median and IQR.
 *
 * Columns are read one at a time, compactly (ry_runlist__colread: a
 * type byte and a double a run, each distinct text once, one index scan):
 * at 10^6 runs a cell a run and column was ~100 MB for four columns.  The
 * config signature reads params in one scan of its primary key.  Bucketing is a hash of the value's exact text; each
 * column's values are then scattered into per-group segments and each
 * segment sorted once for its quantiles.  Nothing here is per group SQL, so
 * 100k runs in 1,000 groups cost what 100k runs in 3 do.
 */
#include "base/dtoa.h"
#include "query/group.h"
#include "query/runlist.h"
#include "query/query_internal.h"
#include "metrics/metrics.h"
#include "store/store_internal.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct group {
	char *value;   /* exact text (NULL: runs without the key) */
	char *label;   /* as shown; NULL with value */
	bool num;      /* a number: orders by vnum */
	double vnum;
	size_t n, fill;
	int64_t *ids;
	ry_group_stats *stats; /* nfields */
	size_t rank;   /* position in value order */
};

struct ry_grouping {
	struct group *g;
	size_t ng, nfields;
	size_t *order; /* shown position -> group */
	char *field;   /* canonical field name; NULL for config */
};

bool ry_group_seed_like(const char *key)
{
	size_t n;
	if (!key)
		return false;
	n = strlen(key);
	if (!strcasecmp(key, "seed") || !strcasecmp(key, "random_state") || !strncasecmp(key, "seed_", 5))
		return true;
	return n > 5 && (!strcasecmp(key + n - 5, "_seed") || !strcasecmp(key + n - 5, ".seed"));
}

bool ry_group_key_is_config(const char *key)
{
	return key && (!strcmp(key, "config") || !strcmp(key, "-seed"));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double quantile(const double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)floor(pos);
	double frac = pos - (double)lo;
	return lo + 1 < n ? v[lo] + frac * (v[lo + 1] - v[lo]) : v[lo];
}

void ry_group_stats_compute(ry_group_stats *s, double *vals, size_t n, size_t nmissing)
{
	double sum = 0, ss = 0, mean;
	memset(s, 0, sizeof *s);
	s->n = n;
	s->nmissing = nmissing;
	if (!n) {
		s->mean = s->std = s->min = s->max = s->median = s->q1 = s->q3 = NAN;
		return;
	}
	qsort(vals, n, sizeof *vals, cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += vals[i];
	mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (vals[i] - mean) * (vals[i] - mean); /* two passes: no cancellation */
	s->mean = mean;
	s->std = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
	s->min = vals[0];
	s->max = vals[n - 1];
	s->median = quantile(vals, n, 0.5);
	s->q1 = quantile(vals, n, 0.25);
	s->q3 = quantile(vals, n, 0.75);
}

/* ---- bucketing ---------------------------------------------------------- */

struct table {
	uint32_t *slot; /* group index + 1; 0 empty */
	size_t mask;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The group for value (NULL: missing), made on first sight. */
static size_t bucket(ry_grouping *gr, struct table *t, size_t *cap, const char *value, const char *label,
                     bool num, double vnum)
{
	size_t h = value ? (size_t)hash_str(value) & t->mask : 0;
	if (value) {
		while (t->slot[h] && (!gr->g[t->slot[h] - 1].value || strcmp(gr->g[t->slot[h] - 1].value, value)))
			h = (h + 1) & t->mask;
		if (t->slot[h])
			return t->slot[h] - 1;
	} else {
		for (size_t i = 0; i < gr->ng; i++)
			if (!gr->g[i].value)
				return i;
	}
	gr->g = ry_xgrow(gr->g, cap, gr->ng + 1, sizeof *gr->g);
	memset(&gr->g[gr->ng], 0, sizeof gr->g[gr->ng]);
	gr->g[gr->ng].value = value ? ry_xstrdup(value) : NULL;
	gr->g[gr->ng].label = value ? ry_xstrdup(label ? label : value) : NULL;
	gr->g[gr->ng].num = num;
	gr->g[gr->ng].vnum = vnum;
	if (value)
		t->slot[h] = (uint32_t)gr->ng + 1;
	return gr->ng++;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Each run's config signature: "k=v k=v" of its params, by key, without
 * the seed-like ones (one scan of params' primary key, in run order). */
static int config_signatures(ry_store *st, const int64_t *ids, size_t n, char **sig)
{
	int64_t *sorted = ry_xmalloc((n ? n : 1) * sizeof *sorted);
	size_t *row_of;
	ry_buf *b = ry_xcalloc(n ? n : 1, sizeof *b);
	sqlite3_stmt *s = NULL;
	int rc = 0, step;
	memcpy(sorted, ids, n * sizeof *ids);
	qsort(sorted, n, sizeof *sorted, cmp_id);
	/* sorted position -> first row with that id (ids may repeat) */
	row_of = ry_xmalloc((n ? n : 1) * sizeof *row_of);
	for (size_t i = 0; i < n; i++) {
		int64_t *at = bsearch(&ids[i], sorted, n, sizeof *sorted, cmp_id);
		while (at > sorted && at[-1] == ids[i])
			at--;
		row_of[at - sorted] = i;
	}
	if (sqlite3_prepare_v2(ry_store__db(st), "SELECT run_id, key, value FROM params ORDER BY run_id, key", -1,
	                       &s, NULL) != SQLITE_OK) {
		rc = ry_store__sqlerr(st, "preparing the config grouping");
		goto done;
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		const char *key = (const char *)sqlite3_column_text(s, 1);
		int64_t *at;
		if (!key || ry_group_seed_like(key) || !(at = bsearch(&id, sorted, n, sizeof *sorted, cmp_id)))
			continue;
		while (at > sorted && at[-1] == id)
			at--;
		ry_buf *o = &b[row_of[at - sorted]];
		const char *v = (const char *)sqlite3_column_text(s, 2);
		ry_buf_printf(o, "%s%s=%s", o->len ? " " : "", key, v ? v : "");
	}
	if (step != SQLITE_DONE)
		rc = ry_store__sqlerr(st, "reading params for the config grouping");
done:
	sqlite3_finalize(s);
	for (size_t i = 0; i < n; i++) {
		int64_t *at = bsearch(&ids[i], sorted, n, sizeof *sorted, cmp_id);
		while (at > sorted && at[-1] == ids[i])
			at--;
		size_t first = row_of[at - sorted];
		sig[i] = rc ? NULL : ry_xstrdup(ry_buf_cstr(&b[first]));
	}
	for (size_t i = 0; i < n; i++)
		ry_buf_free(&b[i]);
	free(b);
	free(row_of);
	free(sorted);
	return rc;
}

/* Value order: numbers by value, then text by bytes, the missing last. */
static int cmp_value(const struct group *a, const struct group *b)
{
	if (!a->value || !b->value)
		return !a->value - !b->value;
	if (a->num != b->num)
		return a->num ? -1 : 1;
	if (a->num && a->vnum != b->vnum)
		return a->vnum < b->vnum ? -1 : 1;
	return strcmp(a->value, b->value);
}

static const ry_grouping *sort_gr;
static size_t sort_j;
static bool sort_desc;

static int cmp_order(const void *pa, const void *pb)
{
	const struct group *a = &sort_gr->g[*(const size_t *)pa], *b = &sort_gr->g[*(const size_t *)pb];
	if (sort_j < sort_gr->nfields) {
		double x = a->stats[sort_j].mean, y = b->stats[sort_j].mean;
		if (isnan(x) != isnan(y))
			return isnan(x) ? 1 : -1;
		if (!isnan(x) && x != y)
			return (x < y) != sort_desc ? -1 : 1;
	}
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static int cmp_value_idx(const void *pa, const void *pb)
{
	return cmp_value(&sort_gr->g[*(const size_t *)pa], &sort_gr->g[*(const size_t *)pb]);
}

void ry_grouping_sort(ry_grouping *g, size_t j, bool descending)
{
	if (!g)
		return;
	sort_gr = g;
	sort_j = j;
	sort_desc = descending;
	for (size_t i = 0; i < g->ng; i++)
		g->order[i] = i;
	qsort(g->order, g->ng, sizeof *g->order, cmp_order);
}

int ry_grouping_open(ry_grouping **out, ry_store *st, const int64_t *ids, size_t n, const char *key,
                     ry_field *const *fields, size_t nfields)
{
	ry_grouping *gr;
	ry_field *kf = NULL;
	ry_colread *col = NULL;
	char **sig = NULL;
	size_t cap = 0, *gof = NULL, *off = NULL;
	struct table t = { NULL, 0 };
	double *vals = NULL;
	bool config = ry_group_key_is_config(key);
	int rc;

	*out = NULL;
	if (!key || !*key)
		return ry_error_set(RY_EINVAL, "group: name a param, a tag (tags.KEY) or config");
	if (!config) {
		if ((rc = ry_field_parse(&kf, st, key)))
			return rc;
		if ((rc = ry_runlist__colread(&col, st, ids, n, kf)))
			goto fail;
	}
	if (config) {
		sig = ry_xcalloc(n ? n : 1, sizeof *sig);
		if ((rc = config_signatures(st, ids, n, sig)))
			goto fail;
	}

	gr = ry_xcalloc(1, sizeof *gr);
	gr->nfields = nfields;
	gr->field = kf ? ry_xstrdup(ry_field_name(kf)) : NULL;
	{
		size_t tc = 16;
		while (tc < 2 * n)
			tc <<= 1;
		t.slot = ry_xcalloc(tc, sizeof *t.slot);
		t.mask = tc - 1;
	}
	gof = ry_xmalloc((n ? n : 1) * sizeof *gof);
	for (size_t i = 0; i < n; i++) {
		char exact[64], label[256];
		if (config) {
			gof[i] = bucket(gr, &t, &cap, sig[i], NULL, false, 0);
		} else {
			ry_cell c = { RY_CELL_NULL, 0, NULL };
			const char *text = NULL;
			c.type = ry_runlist__colread_get(col, i, &c.num, &text);
			if (c.type == RY_CELL_NUM) {
				/* the shortest of 15 or 17 digits that reads back */
				ry_dtoa_15_or_17(c.num, exact);
				ry_cell_format(kf, &c, 0, label, sizeof label);
				gof[i] = bucket(gr, &t, &cap, exact, label, true, c.num);
			} else if (c.type == RY_CELL_TEXT) {
				gof[i] = bucket(gr, &t, &cap, text, NULL, false, 0);
			} else {
				gof[i] = bucket(gr, &t, &cap, NULL, NULL, false, 0);
			}
		}
		gr->g[gof[i]].n++;
	}
	ry_runlist__colread_free(col);
	col = NULL;
	for (size_t k = 0; k < gr->ng; k++) {
		gr->g[k].ids = ry_xmalloc((gr->g[k].n ? gr->g[k].n : 1) * sizeof *gr->g[k].ids);
		gr->g[k].stats = ry_xcalloc(nfields ? nfields : 1, sizeof *gr->g[k].stats);
	}
	for (size_t i = 0; i < n; i++) {
		struct group *g = &gr->g[gof[i]];
		g->ids[g->fill++] = ids[i];
	}
	/* Each column: finite values scattered into per-group segments. */
	off = ry_xmalloc((gr->ng + 1) * sizeof *off);
	vals = ry_xmalloc((n ? n : 1) * sizeof *vals);
	for (size_t j = 0; j < nfields; j++) {
		double v;
		const char *text;
		if ((rc = ry_runlist__colread(&col, st, ids, n, fields[j]))) {
			ry_grouping_free(gr);
			goto fail;
		}
		size_t *cnt = ry_xcalloc(gr->ng + 1, sizeof *cnt);
		for (size_t i = 0; i < n; i++)
			if (ry_runlist__colread_get(col, i, &v, &text) == RY_CELL_NUM && isfinite(v))
				cnt[gof[i]]++;
		off[0] = 0;
		for (size_t k = 0; k < gr->ng; k++)
			off[k + 1] = off[k] + cnt[k];
		memset(cnt, 0, (gr->ng + 1) * sizeof *cnt);
		for (size_t i = 0; i < n; i++)
			if (ry_runlist__colread_get(col, i, &v, &text) == RY_CELL_NUM && isfinite(v))
				vals[off[gof[i]] + cnt[gof[i]]++] = v;
		ry_runlist__colread_free(col);
		col = NULL;
		for (size_t k = 0; k < gr->ng; k++)
			ry_group_stats_compute(&gr->g[k].stats[j], vals + off[k], cnt[k], gr->g[k].n - cnt[k]);
		free(cnt);
	}
	/* Value order, remembered as each group's rank. */
	gr->order = ry_xmalloc((gr->ng ? gr->ng : 1) * sizeof *gr->order);
	for (size_t k = 0; k < gr->ng; k++)
		gr->order[k] = k;
	sort_gr = gr;
	qsort(gr->order, gr->ng, sizeof *gr->order, cmp_value_idx);
	for (size_t k = 0; k < gr->ng; k++)
		gr->g[gr->order[k]].rank = k;
	*out = gr;
	rc = 0;
	goto done;
fail:
	gr = NULL;
done:
	free(vals);
	free(off);
	free(gof);
	free(t.slot);
	if (sig)
		for (size_t i = 0; i < n; i++)
			free(sig[i]);
	free(sig);
	ry_runlist__colread_free(col);
	ry_field_free(kf);
	return rc;
}

void ry_grouping_free(ry_grouping *g)
{
	if (!g)
		return;
	for (size_t k = 0; k < g->ng; k++) {
		free(g->g[k].value);
		free(g->g[k].label);
		free(g->g[k].ids);
		free(g->g[k].stats);
	}
	free(g->g);
	free(g->order);
	free(g->field);
	free(g);
}

size_t ry_grouping_count(const ry_grouping *g)
{
	return g ? g->ng : 0;
}

size_t ry_grouping_nfields(const ry_grouping *g)
{
	return g ? g->nfields : 0;
}

static const struct group *at(const ry_grouping *g, size_t i)
{
	return &g->g[g->order[i]];
}

const char *ry_grouping_value(const ry_grouping *g, size_t i)
{
	return at(g, i)->label;
}

size_t ry_grouping_nruns(const ry_grouping *g, size_t i)
{
	return at(g, i)->n;
}

const int64_t *ry_grouping_ids(const ry_grouping *g, size_t i)
{
	return at(g, i)->ids;
}

const ry_group_stats *ry_grouping_stats(const ry_grouping *g, size_t i, size_t j)
{
	return &at(g, i)->stats[j];
}

char *ry_grouping_filter(const ry_grouping *g, size_t i)
{
	const struct group *gp = at(g, i);
	ry_buf b = RY_BUF_INIT;
	if (!g->field)
		return NULL;
	if (!gp->value) {
		ry_buf_printf(&b, "not %s", g->field);
	} else if (gp->num) {
		ry_buf_printf(&b, "%s = %s", g->field, gp->value);
	} else {
		ry_buf_printf(&b, "%s = \"", g->field);
		for (const char *s = gp->value; *s; s++) {
			if (*s == '"' || *s == '\\')
				ry_buf_putc(&b, '\\');
			ry_buf_putc(&b, *s);
		}
		ry_buf_putc(&b, '"');
	}
	return ry_buf_detach(&b);
}

/* ---- a group's curve ---------------------------------------------------- */

struct sv {
	int64_t step;
	double v;
};

static int cmp_sv(const void *a, const void *b)
{
	const struct sv *x = a, *y = b;
	return x->step < y->step ? -1 : x->step > y->step;
}

int ry_group_curve(ry_store *st, const int64_t *ids, size_t n, const char *key, ry_group_point **out,
                   size_t *np)
{
	ry_point *buf = NULL;
	size_t cap = 0, nall = 0, allcap = 0, npts = 0;
	struct sv *all = NULL;
	ry_group_point *pts = NULL;
	int rc = 0;
	*out = NULL;
	*np = 0;
	for (size_t r = 0; r < n; r++) {
		size_t got = 0;
		if ((rc = ry_metrics_read_into(st, ids[r], key, &buf, &cap, &got)))
			goto done;
		for (size_t i = 0; i < got; i++) {
			if (!isfinite(buf[i].value))
				continue;
			all = ry_xgrow(all, &allcap, nall + 1, sizeof *all);
			all[nall].step = buf[i].step;
			all[nall++].v = buf[i].value;
		}
	}
	if (nall)
		qsort(all, nall, sizeof *all, cmp_sv);
	pts = ry_xmalloc((nall ? nall : 1) * sizeof *pts);
	for (size_t i = 0; i < nall;) {
		size_t j = i;
		double sum = 0, ss = 0, mean, mn = all[i].v, mx = all[i].v;
		for (; j < nall && all[j].step == all[i].step; j++) {
			sum += all[j].v;
			mn = all[j].v < mn ? all[j].v : mn;
			mx = all[j].v > mx ? all[j].v : mx;
		}
		mean = sum / (double)(j - i);
		for (size_t k = i; k < j; k++)
			ss += (all[k].v - mean) * (all[k].v - mean);
		pts[npts].step = all[i].step;
		pts[npts].n = j - i;
		pts[npts].mean = mean;
		pts[npts].std = j - i > 1 ? sqrt(ss / (double)(j - i - 1)) : NAN;
		pts[npts].min = mn;
		pts[npts].max = mx;
		npts++;
		i = j;
	}
	*out = pts;
	*np = npts;
	pts = NULL;
done:
	free(pts);
	free(all);
	free(buf);
	return rc;
}
