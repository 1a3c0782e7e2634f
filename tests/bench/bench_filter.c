/*
 * The compound filter on an existing workspace (not a test; build with
 * `make tests/bench/bench_filter`): opens WORKSPACE once and lists the runs
 * a filter selects REPS times on that one connection, printing wall and CPU
 * time of each.  The first evaluation reads every part of the filter; the
 * later ones find the parts' sets kept on the connection (query/idset.c),
 * as the live filter's next keystroke or a sort change does.  Run it on a
 * copy of a workspace: it only reads, but nothing here needs the original.
 * PLAN picks how the list is read where the filter has a driver set
 * (query_internal.h): auto (the cost decides), walk (the index walk, as
 * before the id-driven path) or ids (always from the set's ids); LIMIT
 * lists a first page, as the TUI's first screenful does.
 * Usage: bench_filter WORKSPACE [FILTER [REPS [SORT [PLAN [LIMIT]]]]]
 */
#include "runyard.h"
#include "query/query_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	ry_store *st = NULL;
	if (argc < 2) {
		fprintf(stderr, "usage: bench_filter WORKSPACE [FILTER [REPS [SORT [auto|walk|ids [LIMIT]]]]]\n");
		return 2;
	}
	const char *filter = argc > 2 ? argv[2] : "val_acc > 0.9 and optimizer = adam and lr < 0.01 and status = finished";
	int reps = argc > 3 ? atoi(argv[3]) : 5;
	const char *plan = argc > 5 ? argv[5] : "auto";
	size_t limit = argc > 6 ? (size_t)atol(argv[6]) : 0;
	ry_runlist__by_ids = !strcmp(plan, "walk") ? 1 : !strcmp(plan, "ids") ? 2 : 0;
	if (ry_store_open(&st, argv[1], RY_STORE_READONLY) < 0) {
		fprintf(stderr, "bench_filter: %s\n", ry_error_last());
		return 1;
	}
	printf("filter: %s\n", filter);
	for (int r = 0; r < reps; r++) {
		ry_runlist_options o = RY_RUNLIST_OPTIONS_INIT;
		ry_runlist *l = NULL;
		o.filter = filter;
		o.sort = argc > 4 && *argv[4] ? argv[4] : NULL;
		o.limit = limit;
		double t = ry_monotonic(), c = cpu_now();
		if (ry_runlist_open(&l, st, &o) < 0) {
			fprintf(stderr, "bench_filter: %s\n", ry_error_last());
			ry_store_close(st);
			return 1;
		}
		printf("%s %zu runs  %8.1f ms wall  %8.1f ms CPU\n", r ? "again:" : "first:", ry_runlist_count(l),
		       (ry_monotonic() - t) * 1000, (cpu_now() - c) * 1000);
		ry_runlist_free(l);
	}
	ry_store_close(st);
	return 0;
}
