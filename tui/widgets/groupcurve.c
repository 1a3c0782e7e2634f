/*
 * Bucketed group curves (groupcurve.h): each run's points are summed per
 * bucket, then folded into the buckets as one vote each.  It does not read
 * the store: the group chart reads each run's history and puts it on the
 * axis (views/series.h) first.
 */
#include "widgets/groupcurve.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/alloc.h"

size_t tui_groupcurve_bucket(const double *const *x, const double *const *y, const size_t *n, size_t nruns,
                             double lo, double hi, size_t buckets, tui_groupcurve_point *out)
{
	if (buckets < 1)
		buckets = 1;
	bool one = !(hi > lo);
	/* one run's sums per bucket (and which buckets it touched, to fold
	 * and clear only those); every run's votes folded per bucket with
	 * Welford's update, which keeps the std exact for large values */
	double *ry = ry_xcalloc(buckets, sizeof *ry), *rx = ry_xcalloc(buckets, sizeof *rx);
	size_t *rn = ry_xcalloc(buckets, sizeof *rn), *touched = ry_xmalloc(buckets * sizeof *touched);
	tui_groupcurve_point *acc = ry_xcalloc(buckets, sizeof *acc);
	double *m2 = ry_xcalloc(buckets, sizeof *m2), *sx = ry_xcalloc(buckets, sizeof *sx);
	for (size_t r = 0; r < nruns; r++) {
		size_t nt = 0;
		for (size_t i = 0; i < n[r]; i++) {
			double px = x[r][i], py = y[r][i];
			if (!isfinite(px) || !isfinite(py) || px < lo || (!one && px > hi) || (one && px != lo))
				continue;
			size_t b = one ? 0 : (size_t)((px - lo) / (hi - lo) * (double)buckets);
			b = b < buckets ? b : buckets - 1;
			if (!rn[b]++)
				touched[nt++] = b;
			ry[b] += py;
			rx[b] += px;
		}
		for (size_t t = 0; t < nt; t++) {
			size_t b = touched[t];
			double v = ry[b] / (double)rn[b], d;
			tui_groupcurve_point *a = &acc[b];
			a->n++;
			d = v - a->mean;
			a->mean += d / (double)a->n;
			m2[b] += d * (v - a->mean);
			a->min = a->n == 1 || v < a->min ? v : a->min;
			a->max = a->n == 1 || v > a->max ? v : a->max;
			sx[b] += rx[b] / (double)rn[b];
			ry[b] = rx[b] = 0;
			rn[b] = 0;
		}
	}
	size_t np = 0;
	for (size_t b = 0; b < buckets; b++) {
		if (!acc[b].n)
			continue;
		out[np] = acc[b];
		out[np].x = sx[b] / (double)acc[b].n;
		out[np].std = acc[b].n > 1 ? sqrt(m2[b] / (double)(acc[b].n - 1)) : NAN;
		np++;
	}
	free(ry);
	free(rx);
	free(rn);
	free(touched);
	free(acc);
	free(m2);
	free(sx);
	return np;
}
