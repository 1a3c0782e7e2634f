/*
 * The analysis table and its statistics (analysis.h).  The table is one
 * run listing (query/runlist) and one fetch of the chosen columns, so a
 * filter means here what it means in the runs table; the statistics are
 * plain arithmetic over its columns and never touch the store.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/util.h"
#include "metrics/metrics.h"
#include "query/keys.h"
#include "query/runlist.h"

static void col_free(ry_analysis_col *c)
{
	free(c->name);
	free(c->label);
	free(c->num);
	free(c->code);
	ry_strings_free(c->values, c->nvalues);
}

void ry_analysis_free(ry_analysis *a)
{
	if (!a)
		return;
	for (size_t j = 0; j < a->ncols; j++)
		col_free(&a->cols[j]);
	col_free(&a->metric);
	if (a->names)
		for (size_t i = 0; i < a->n; i++)
			free(a->names[i]);
	free(a->names);
	free(a->cols);
	free(a->ids);
	free(a);
}

/* A column of the table from a compact read: numeric when every value
 * present is a number. */
static void col_fill(ry_analysis_col *c, const ry_field *f, ry_column *v)
{
	c->name = ry_xstrdup(ry_field_name(f));
	c->label = ry_xstrdup(ry_field_label(f));
	c->numeric = v->num != NULL;
	c->num = v->num;
	c->code = v->code;
	c->values = v->texts;
	c->nvalues = v->ntexts;
	memset(v, 0, sizeof *v);
}

/* The default target: the first main metric with a goal. */
static char *default_metric(ry_store *st, int64_t experiment_id)
{
	char **keys = NULL, *m = NULL;
	size_t nk = 0;
	if (ry_keys_main_metrics(st, experiment_id, &keys, &nk) < 0)
		return NULL;
	for (size_t i = 0; i < nk && !m; i++)
		if (ry_metric_goal_in(st, experiment_id, keys[i]))
			m = ry_xstrdup(keys[i]);
	if (!m && nk)
		m = ry_xstrdup(keys[0]);
	ry_strings_free(keys, nk);
	return m;
}

int ry_analysis_load(ry_analysis **out, ry_store *st, int64_t experiment_id, const char *filter,
                     const char *const *fields, size_t nfields, const char *metric)
{
	return ry_analysis_load_with(out, st, experiment_id, filter, fields, nfields, metric, NULL);
}

int ry_analysis_load_newest(ry_analysis **out, ry_store *st, int64_t experiment_id, const char *filter,
                            const char *const *fields, size_t nfields, const char *metric, size_t limit)
{
	ry_analysis_load_options o = RY_ANALYSIS_LOAD_OPTIONS_INIT;
	o.limit = limit;
	return ry_analysis_load_with(out, st, experiment_id, filter, fields, nfields, metric, &o);
}

static bool cancelled(const ry_analysis_load_options *o)
{
	return o->cancel && atomic_load(o->cancel);
}

int ry_analysis_load_with(ry_analysis **out, ry_store *st, int64_t experiment_id, const char *filter,
                          const char *const *fields, size_t nfields, const char *metric,
                          const ry_analysis_load_options *opts)
{
	static const ry_analysis_load_options no_options = RY_ANALYSIS_LOAD_OPTIONS_INIT;
	const ry_analysis_load_options *op = opts ? opts : &no_options;
	char **defaults = NULL, *dmetric = NULL;
	size_t ndefaults = 0, nf = 0;
	ry_field **f = NULL;
	ry_runlist *l = NULL;
	ry_cell *cells = NULL;
	ry_analysis *a = NULL;
	int rc;

	*out = NULL;
	if (!fields || !nfields) {
		if ((rc = ry_keys_varying_params(st, experiment_id, &defaults, &ndefaults)) < 0)
			return rc;
		/* params by name, never a metric of the same key */
		for (size_t i = 0; i < ndefaults; i++) {
			char *q = ry_field_param_name(defaults[i]);
			free(defaults[i]);
			defaults[i] = q;
		}
		fields = (const char *const *)defaults;
		nfields = ndefaults;
	}
	if (!metric && !(metric = dmetric = default_metric(st, experiment_id))) {
		rc = ry_error_set(RY_EINVAL, "no metric to analyse: the runs log none (name one with --metric)");
		goto out;
	}
	f = ry_xcalloc(nfields + 2, sizeof *f);
	for (; nf < nfields; nf++)
		if ((rc = ry_field_parse(&f[nf], st, fields[nf])) < 0)
			goto out;
	if ((rc = ry_field_parse(&f[nf], st, metric)) < 0)
		goto out;
	if (ry_field_kind_of(f[nf]) != RY_FIELD_METRIC || ry_field_agg(f[nf]) == RY_AGG_COUNT) {
		rc = ry_error_set(RY_EINVAL, "'%s' is not a metric (the target is a metric: val_acc, loss.min, ...)",
		                  metric);
		goto out;
	}
	nf++;
	if (!op->no_names) {
		if ((rc = ry_field_parse(&f[nf], st, "name")) < 0)
			goto out;
		nf++;
	}

	ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
	o.experiment_id = experiment_id;
	o.filter = filter;
	o.limit = op->limit;
	if (cancelled(op)) {
		rc = ry_error_set(RY_ERROR, "cancelled");
		goto out;
	}
	if ((rc = ry_runlist_open(&l, st, &o)) < 0)
		goto out;
	a = ry_xcalloc(1, sizeof *a);
	a->n = ry_runlist_count(l);
	a->ids = ry_runlist_take_ids(l);
	l = NULL;
	/* One column at a time, each compact (8 bytes a run for numbers, 4
	 * for texts): a table of 10^6 runs never holds a cell or a string a
	 * run, only its columns' values. */
	a->ncols = nfields;
	a->cols = ry_xcalloc(nfields ? nfields : 1, sizeof *a->cols);
	/* with no_names, all NULL: calloc's untouched pages cost no memory */
	a->names = ry_xcalloc(a->n ? a->n : 1, sizeof *a->names);
	if (op->progress)
		op->progress(op->payload, 0, nf, a->n);
	for (size_t j = 0; j < nf; j++) {
		if (cancelled(op)) {
			rc = ry_error_set(RY_ERROR, "cancelled");
			goto out;
		}
		if (j <= nfields) {
			ry_column v;
			if ((rc = ry_runlist_fetch_column(st, a->ids, a->n, f[j], &v)) < 0)
				goto out;
			col_fill(j < nfields ? &a->cols[j] : &a->metric, f[j], &v);
		} else {
			/* the names, for the CLI's titles: one string a run anyway */
			cells = ry_xcalloc(a->n ? a->n : 1, sizeof *cells);
			if ((rc = ry_runlist_fetch(st, a->ids, a->n, &f[j], 1, cells)) < 0)
				goto out;
			for (size_t i = 0; i < a->n; i++)
				if (cells[i].type == RY_CELL_TEXT) {
					a->names[i] = cells[i].text;
					cells[i].text = NULL;
					cells[i].type = RY_CELL_NULL;
				}
			ry_cells_clear(cells, a->n);
		}
		if (op->progress)
			op->progress(op->payload, j + 1, nf, a->n);
	}
	a->goal = ry_metric_goal_in(st, experiment_id, ry_field_key(f[nfields]));
	*out = a;
	a = NULL;
	rc = 0;
out:
	if (cells)
		ry_cells_clear(cells, a ? a->n : 0);
	free(cells);
	ry_analysis_free(a);
	ry_runlist_free(l);
	for (size_t j = 0; f && j < nfields + 2; j++)
		ry_field_free(f[j]);
	free(f);
	free(dmetric);
	ry_strings_free(defaults, ndefaults);
	return rc;
}

long ry_analysis_best(const ry_analysis *a)
{
	return a && a->metric.num ? ry_metric_best_index(a->metric.num, a->n, a->goal) : -1;
}

/* ---- statistics ------------------------------------------------------------- */

struct ranked {
	double v;
	size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return x->v < y->v ? -1 : x->v > y->v ? 1 : (x->i > y->i) - (x->i < y->i);
}

/* Average ranks; returns sum(t^3 - t) over the ties (for Kruskal-Wallis). */
static double ranks_ties(const double *v, size_t n, double *ranks)
{
	struct ranked *r = ry_xmalloc((n ? n : 1) * sizeof *r);
	size_t m = 0;
	double ties = 0;
	for (size_t i = 0; i < n; i++) {
		ranks[i] = NAN;
		if (isfinite(v[i]))
			r[m++] = (struct ranked){ v[i], i };
	}
	qsort(r, m, sizeof *r, cmp_ranked);
	for (size_t i = 0; i < m;) {
		size_t k = i;
		while (k + 1 < m && r[k + 1].v == r[i].v)
			k++;
		double avg = (double)(i + k) / 2 + 1, t = (double)(k - i + 1);
		ties += t * t * t - t;
		for (size_t j = i; j <= k; j++)
			ranks[r[j].i] = avg;
		i = k + 1;
	}
	free(r);
	return ties;
}

void ry_stats_ranks(const double *v, size_t n, double *ranks)
{
	ranks_ties(v, n, ranks);
}

double ry_stats_pearson(const double *x, const double *y, size_t n)
{
	double sx = 0, sy = 0, m = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i])) {
			sx += x[i];
			sy += y[i];
			m++;
		}
	if (m < 3)
		return NAN;
	double mx = sx / m, my = sy / m, sxx = 0, syy = 0, sxy = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i])) {
			double dx = x[i] - mx, dy = y[i] - my;
			sxx += dx * dx;
			syy += dy * dy;
			sxy += dx * dy;
		}
	if (sxx <= 0 || syy <= 0)
		return NAN;
	double r = sxy / sqrt(sxx * syy);
	return r > 1 ? 1 : r < -1 ? -1 : r;
}

double ry_stats_spearman(const double *x, const double *y, size_t n)
{
	/* Rank only the pairs where both sides are finite. */
	double *px = ry_xmalloc((n ? n : 1) * sizeof *px), *py = ry_xmalloc((n ? n : 1) * sizeof *py);
	double *rx = ry_xmalloc((n ? n : 1) * sizeof *rx), *ry = ry_xmalloc((n ? n : 1) * sizeof *ry);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i])) {
			px[m] = x[i];
			py[m++] = y[i];
		}
	ry_stats_ranks(px, m, rx);
	ry_stats_ranks(py, m, ry);
	double r = ry_stats_pearson(rx, ry, m);
	free(px);
	free(py);
	free(rx);
	free(ry);
	return r;
}

/* The values in groups: counts, the groups that have any, the total. */
static size_t grouped(const int *group, const double *y, size_t n, int ngroups, size_t *count, int *nonempty)
{
	size_t m = 0;
	*nonempty = 0;
	for (int g = 0; g < ngroups; g++)
		count[g] = 0;
	for (size_t i = 0; i < n; i++)
		if (group[i] >= 0 && group[i] < ngroups && isfinite(y[i])) {
			if (!count[group[i]]++)
				(*nonempty)++;
			m++;
		}
	return m;
}

double ry_stats_eta(const int *group, const double *y, size_t n, int ngroups)
{
	if (ngroups < 2)
		return NAN;
	size_t *count = ry_xcalloc((size_t)ngroups, sizeof *count);
	double *sum = ry_xcalloc((size_t)ngroups, sizeof *sum), total = 0, ss_tot = 0, ss_b = 0, r = NAN;
	int ne;
	size_t m = grouped(group, y, n, ngroups, count, &ne);
	if (m >= 3 && ne >= 2) {
		for (size_t i = 0; i < n; i++)
			if (group[i] >= 0 && group[i] < ngroups && isfinite(y[i])) {
				sum[group[i]] += y[i];
				total += y[i];
			}
		double mean = total / (double)m;
		for (size_t i = 0; i < n; i++)
			if (group[i] >= 0 && group[i] < ngroups && isfinite(y[i]))
				ss_tot += (y[i] - mean) * (y[i] - mean);
		for (int g = 0; g < ngroups; g++)
			if (count[g]) {
				double d = sum[g] / (double)count[g] - mean;
				ss_b += (double)count[g] * d * d;
			}
		r = ss_tot > 0 ? sqrt(ss_b / ss_tot) : NAN;
		if (r > 1)
			r = 1;
	}
	free(count);
	free(sum);
	return r;
}

double ry_stats_kruskal(const int *group, const double *y, size_t n, int ngroups)
{
	if (ngroups < 2)
		return NAN;
	size_t *count = ry_xcalloc((size_t)ngroups, sizeof *count);
	double *rsum = ry_xcalloc((size_t)ngroups, sizeof *rsum), h = NAN;
	int ne;
	size_t m = grouped(group, y, n, ngroups, count, &ne);
	if (m >= 3 && ne >= 2) {
		double *v = ry_xmalloc(m * sizeof *v), *rk = ry_xmalloc(m * sizeof *rk);
		int *g = ry_xmalloc(m * sizeof *g);
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (group[i] >= 0 && group[i] < ngroups && isfinite(y[i])) {
				v[k] = y[i];
				g[k++] = group[i];
			}
		double ties = ranks_ties(v, m, rk), N = (double)m;
		for (size_t i = 0; i < m; i++)
			rsum[g[i]] += rk[i];
		double s = 0;
		for (int j = 0; j < ngroups; j++)
			if (count[j])
				s += rsum[j] * rsum[j] / (double)count[j];
		h = 12 / (N * (N + 1)) * s - 3 * (N + 1);
		double corr = 1 - ties / (N * N * N - N);
		h = corr > 0 ? h / corr : NAN;
		if (h < 0)
			h = 0; /* rounding */
		free(v);
		free(rk);
		free(g);
	}
	free(count);
	free(rsum);
	return h;
}

/* ---- importance ------------------------------------------------------------- */

static int cmp_importance(const void *a, const void *b)
{
	const ry_importance *x = a, *y = b;
	bool nx = isnan(x->effect), ny = isnan(y->effect);
	if (nx != ny)
		return nx - ny;
	if (!nx && x->effect != y->effect)
		return x->effect < y->effect ? 1 : -1;
	return strcmp(x->label, y->label);
}

/* Group numbers for a text column: the index of each value among its
 * distinct values, sorted -- its code. */
static int text_groups(const ry_analysis_col *c, size_t n, int *group)
{
	for (size_t i = 0; i < n; i++)
		group[i] = c->code[i];
	return (int)c->nvalues;
}

void ry_analysis_importance(const ry_analysis *a, ry_importance **out, size_t *nout)
{
	ry_importance *v = ry_xcalloc(a->ncols ? a->ncols : 1, sizeof *v);
	int *group = ry_xmalloc((a->n ? a->n : 1) * sizeof *group);
	for (size_t j = 0; j < a->ncols; j++) {
		const ry_analysis_col *c = &a->cols[j];
		ry_importance *r = &v[j];
		r->label = ry_xstrdup(c->label);
		r->categorical = !c->numeric;
		r->pearson = r->spearman = r->eta = r->kw_h = r->effect = NAN;
		if (c->numeric) {
			for (size_t i = 0; i < a->n; i++)
				r->n += isfinite(c->num[i]) && isfinite(a->metric.num[i]);
			r->pearson = ry_stats_pearson(c->num, a->metric.num, a->n);
			r->spearman = ry_stats_spearman(c->num, a->metric.num, a->n);
			r->effect = fabs(r->spearman);
		} else {
			r->ngroups = text_groups(c, a->n, group);
			for (size_t i = 0; i < a->n; i++)
				r->n += group[i] >= 0 && isfinite(a->metric.num[i]);
			r->eta = ry_stats_eta(group, a->metric.num, a->n, r->ngroups);
			r->kw_h = ry_stats_kruskal(group, a->metric.num, a->n, r->ngroups);
			if (isfinite(r->kw_h) && r->n > 1) {
				double e = r->kw_h / (double)(r->n - 1);
				r->effect = sqrt(e > 1 ? 1 : e);
			}
		}
	}
	free(group);
	qsort(v, a->ncols, sizeof *v, cmp_importance);
	*out = v;
	*nout = a->ncols;
}

void ry_importance_free(ry_importance *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].label);
	free(v);
}

static bool has_value(const ry_analysis_col *col, size_t i)
{
	return col->numeric ? !isnan(col->num[i]) : col->code[i] >= 0;
}

void ry_analysis_shared_params(const ry_analysis *a, size_t max, char ***out, size_t *nout)
{
	ry_importance *imp = NULL;
	size_t ni = 0, most = 0, n = 0;
	bool *keep = ry_xmalloc((a->n ? a->n : 1) * sizeof *keep), *next = ry_xmalloc((a->n ? a->n : 1) * sizeof *next);
	char **v = ry_xcalloc(max ? max : 1, sizeof *v);
	for (size_t j = 0; j < a->ncols; j++) {
		size_t k = 0;
		for (size_t i = 0; i < a->n; i++)
			k += has_value(&a->cols[j], i) && !isnan(a->metric.num[i]);
		most = k > most ? k : most;
	}
	for (size_t i = 0; i < a->n; i++)
		keep[i] = !isnan(a->metric.num[i]);
	ry_analysis_importance(a, &imp, &ni);
	for (size_t r = 0; r < ni && n < max; r++)
		for (size_t j = 0; j < a->ncols; j++) {
			if (strcmp(a->cols[j].label, imp[r].label))
				continue;
			size_t k = 0;
			for (size_t i = 0; i < a->n; i++)
				k += next[i] = keep[i] && has_value(&a->cols[j], i);
			if (k && 2 * k >= most) {
				memcpy(keep, next, a->n * sizeof *keep);
				v[n++] = ry_xstrdup(a->cols[j].name);
			}
			break;
		}
	ry_importance_free(imp, ni);
	free(keep);
	free(next);
	*out = v;
	*nout = n;
}
