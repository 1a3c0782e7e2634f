/*
 * Simulated hosts (core-internal): hosts the workspace marks simulated
 * (hosts.simulated = 1; the demo's) are names, not machines.  They are never
 * connected to: a probe answers with a canned inventory built from the
 * host's labels and max_gpus, with the GPUs the workspace's running runs on
 * it hold shown in use; sync settles their runs by the planned end the run
 * carries in its `simulated` tag (Unix seconds), and cancel marks them
 * killed.  Used by hosts.c and launch.c only.
 */
#ifndef RY_SIMULATED_H
#define RY_SIMULATED_H

#include <stdbool.h>

#include "remote/hosts.h"
#include "remote/launch.h"
#include "runs/run.h"
#include "store/store.h"

/* The tag a run on a simulated host carries: when it ends, Unix seconds. */
#define RY_SIMULATED_TAG "simulated"

/* The probe output (in the probe script's format, ry_host_parse_probe) that
 * simulated host `h` answers with, given the workspace's running runs on it
 * (st may be NULL: all GPUs free).  Caller frees. */
char *ry_simulated__probe_text(const ry_host *h, ry_store *st);

/* Answer a probe of simulated host h without connecting: parses its canned
 * probe into the record and marks it probed and reachable. */
void ry_simulated__probe(ry_host *h);

/* Settle run r on a simulated host: finished at its planned end once that
 * has passed (rep->settled), else left running (rep->simulated).  0 or an
 * RY_E* code. */
int ry_simulated__sync(ry_store *st, const ry_run *r, ry_sync_report *rep);

/* Cancel run r on a simulated host: killed now, no connection. */
int ry_simulated__cancel(ry_store *st, const ry_run *r);

#endif
