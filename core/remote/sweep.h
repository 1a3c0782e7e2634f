/*
 * Sweeps: the runs a set of axes gives, and each run's command.
 *
 * A grid axis `lr=0.1,0.01,0.001` takes each value; a random axis
 * `wd=loguniform(1e-5,1e-2)` draws one value per run (uniform(a,b),
 * loguniform(a,b) with 0 < a < b, randint(a,b) inclusive, choice(x,y,...)).
 * The runs are the grid's cartesian product (in the order the axes were
 * given, the last varying fastest), each repeated `trials` times, every run
 * drawing its own random values from a generator seeded with `seed`, so a
 * sweep is reproducible from its seed (kept on its runs).
 *
 * A run's command is the sweep's with `{KEY}` replaced by the run's value
 * of KEY wherever it appears in a word; a key no word names is appended as
 * `--KEY=VALUE`, the form argparse and most CLIs take.  Values are printed
 * as typed (grid, choice) or with 4 significant digits (random reals).
 * Nothing here launches or queues (queue.h does).
 */
#ifndef RY_SWEEP_H
#define RY_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "runs/run.h"

typedef struct ry_sweep ry_sweep;

/* An empty sweep (one run of the bare command).  Free with ry_sweep_free. */
ry_sweep *ry_sweep_new(void);
void ry_sweep_free(ry_sweep *s);

/* Add a grid axis "KEY=V1,V2,..." or a random one "KEY=DIST(ARGS)".
 * RY_EINVAL, saying what was wrong and the form expected, for a bad spec
 * or a key given twice. */
int ry_sweep_add_grid(ry_sweep *s, const char *spec);
int ry_sweep_add_random(ry_sweep *s, const char *spec);

/* How many runs: grid product x trials (trials >= 1). */
size_t ry_sweep_count(const ry_sweep *s, int trials);

/* "lr x bs: 3 x 2, wd random, 2 trials": what the runs are made of. */
char *ry_sweep_describe(const ry_sweep *s, int trials);

/* Run i's (0 <= i < count) values, in axis order, into *values (free with
 * ry_track_kv_free-compatible ry_sweep_values_free). */
void ry_sweep_values(const ry_sweep *s, int trials, uint64_t seed, size_t i, ry_kv **values, size_t *n);
void ry_sweep_values_free(ry_kv *values, size_t n);

/* The command for those values (see above): a NULL-terminated copy of
 * argv.  Free with ry_sweep_argv_free. */
char **ry_sweep_argv(char *const *argv, const ry_kv *values, size_t n);
void ry_sweep_argv_free(char **argv);

#endif
