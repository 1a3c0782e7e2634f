/*
 * Bucketed group curves (groupcurve.h): the points are sorted by bucket
 * and run, then each bucket's runs are folded to one vote each.  It does
 * not read the store: the group chart reads each run's history and puts it
 * on the axis (views/series.h) first.
 */
#include "widgets/groupcurve.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/alloc.h"

struct bp {
	size_t bucket, run;
	double x, y;
};

static int cmp_bp(const void *a, const void *b)
{
	const struct bp *p = a, *q = b;
	if (p->bucket != q->bucket)
		return p->bucket < q->bucket ? -1 : 1;
	return p->run < q->run ? -1 : p->run > q->run;
}

size_t tui_groupcurve_bucket(const double *x, const double *y, const size_t *run, size_t n, double lo,
                             double hi, size_t buckets, tui_groupcurve_point *out)
{
	struct bp *pts = ry_xmalloc((n ? n : 1) * sizeof *pts);
	double *votes = ry_xmalloc((n ? n : 1) * sizeof *votes);
	size_t m = 0, np = 0;
	if (buckets < 1)
		buckets = 1;
	bool one = !(hi > lo);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]) || x[i] < lo || (!one && x[i] > hi) || (one && x[i] != lo))
			continue;
		size_t b = one ? 0 : (size_t)((x[i] - lo) / (hi - lo) * (double)buckets);
		pts[m++] = (struct bp){ b < buckets ? b : buckets - 1, run[i], x[i], y[i] };
	}
	if (m)
		qsort(pts, m, sizeof *pts, cmp_bp);
	for (size_t i = 0; i < m;) {
		size_t nv = 0;
		double sx = 0;
		/* one vote per run: its mean value (and x) in the bucket */
		size_t j = i;
		while (j < m && pts[j].bucket == pts[i].bucket) {
			size_t k = j;
			double vy = 0, vx = 0;
			for (; k < m && pts[k].bucket == pts[i].bucket && pts[k].run == pts[j].run; k++) {
				vy += pts[k].y;
				vx += pts[k].x;
			}
			votes[nv++] = vy / (double)(k - j);
			sx += vx / (double)(k - j);
			j = k;
		}
		tui_groupcurve_point *o = &out[np++];
		double sum = 0, ss = 0;
		o->min = o->max = votes[0];
		for (size_t v = 0; v < nv; v++) {
			sum += votes[v];
			o->min = votes[v] < o->min ? votes[v] : o->min;
			o->max = votes[v] > o->max ? votes[v] : o->max;
		}
		o->n = nv;
		o->x = sx / (double)nv;
		o->mean = sum / (double)nv;
		for (size_t v = 0; v < nv; v++)
			ss += (votes[v] - o->mean) * (votes[v] - o->mean);
		o->std = nv > 1 ? sqrt(ss / (double)(nv - 1)) : NAN;
		i = j;
	}
	free(pts);
	free(votes);
	return np;
}
