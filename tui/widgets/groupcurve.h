/*
 * A group's curve on an x axis its runs do not share: wall-clock time,
 * time since each run's start, or another metric such as epoch.  On the
 * step axis runs of one config log the same steps and core's
 * ry_group_curve pairs them exactly; on these the x of one run's points
 * seldom equals another's, so the x range is cut into buckets (a couple a
 * plot column) and each bucket aggregates the runs that have a point in
 * it.  Each run gets one vote per bucket, the mean of its points there, so
 * a run that logs more often does not weigh more; the bucket's mean, std,
 * min and max are over those votes and its x is the mean of the runs' mean
 * x there.  Pure computation, unit-tested without a terminal.
 */
#ifndef TUI_WIDGETS_GROUPCURVE_H
#define TUI_WIDGETS_GROUPCURVE_H

#include <stddef.h>

/* One point of the curve: a bucket with runs in it. */
typedef struct tui_groupcurve_point {
	double x;
	size_t n;                    /* runs with a finite point in the bucket */
	double mean, std, min, max;  /* std: sample (n - 1), NaN for n == 1 */
} tui_groupcurve_point;

/* The curve of nruns runs' points, run r's (x[r][i], y[r][i]) for i <
 * n[r] in any order, over [lo, hi] cut into buckets buckets (hi > lo; else
 * one bucket at lo); points with a non-finite x or y, or x outside the
 * range, are left out.  Writes at most buckets points to out, ascending by
 * x, one per bucket that has any; returns the count.  Linear in the points
 * (no sort): a pass per run, then one over the buckets. */
size_t tui_groupcurve_bucket(const double *const *x, const double *const *y, const size_t *n, size_t nruns,
                             double lo, double hi, size_t buckets, tui_groupcurve_point *out);

#endif
