/*
 * A believable demo workspace: experiments, hosts with prices, runs with
 * params, tags, notes, git provenance, statuses (some failed, killed, one
 * running) and metric curves shaped like real training; simulated hosts
 * (never contacted) and, unless models is false, registered models with
 * artifacts, aliases and an audit trail.  Deterministic for a given seed.
 * Scales to benchmark sizes (10^5 runs, 10^7 points) quickly.
 */
#ifndef RY_DEMO_H
#define RY_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct ry_demo_options {
	unsigned version;
	size_t runs;       /* total runs; default 72 */
	size_t steps;      /* logged steps per run for the main curves; default 200 */
	uint64_t seed;     /* default 42 */
	double now;        /* 0: current time; runs are spread over the past weeks */
	/* optional progress callback, fraction 0..1 */
	void (*progress)(double fraction, void *payload);
	void *payload;
	bool models;       /* register models with artifacts (written to <db>.artifacts); default true */
} ry_demo_options;
#define RY_DEMO_OPTIONS_INIT { 1, 72, 200, 42, 0, NULL, NULL, true }

/* Seed `st` (adds to whatever is there).  0 or an RY_E* code. */
int ry_demo_seed(ry_store *st, const ry_demo_options *opts);

#endif
