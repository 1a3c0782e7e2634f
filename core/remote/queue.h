/*
 * The run queue: runs waiting for GPUs, started in order as GPUs free up on
 * any host they may go to.
 *
 * A queued run is a run from the moment it is queued (status queued,
 * source 'queue', with its command, params, tags and git commit), so the
 * runs list, filters and the TUI show it like any other; the queue table
 * holds what its launch needs later (the hosts it may use, GPUs, its
 * sweep's parallel cap, the command's words, the code pack kept when it
 * was queued: it runs the code as it was then).  A command holding a
 * secret param is refused at queueing: its words would have to be stored.
 *
 * A drain pass (ry_queue_drain) probes the hosts the waiting runs may use,
 * all at once, and starts each run that fits, oldest first (a later run
 * that fits where an earlier one does not goes ahead: nothing is left idle
 * behind a big one); GPUs come from the host's free, unleased ones
 * (lease.h), so a drain never takes a GPU another launch holds.  Only one
 * process drains a workspace at a time (a lock file beside it); a drainer
 * stopped mid-launch leaves that run to sync to settle (launch.h), so
 * nothing is started twice or lost.  The CLI's `queue --drain` and the
 * full-screen app call it.
 */
#ifndef RY_QUEUE_H
#define RY_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "git/codepack.h"
#include "remote/inventory.h"
#include "remote/launch.h"
#include "runs/run.h"
#include "store/store.h"

typedef struct ry_queue_spec {
	const char *experiment;  /* NULL: "default" */
	const char *name;        /* NULL: generated */
	const char *sweep;       /* the sweep id it belongs to (tag "sweep"), or NULL */
	const char *hosts;       /* "gpu2,gpu8", or "any" */
	int gpus;                /* per run */
	int max_parallel;        /* runs of its sweep running at once at most; 0: no cap */
	double time_limit;       /* seconds; 0 none */
	char *const *argv;       /* the command, NULL-terminated */
	const ry_kv *params;     /* set on the run after those the command's words give (a sweep's values) */
	size_t nparams;
	const ry_codepack *pack; /* the code, kept (ry_codepack_keep) at pack_path */
	const char *pack_path;
	const char *cwd;         /* where it was queued from, recorded on the run */
} ry_queue_spec;

/* Queue one run; *run_id is the new run's.  RY_EINVAL for a command with a
 * secret param or no command, RY_ENOTFOUND for a host not in inv. */
int ry_queue_add(ry_store *st, ry_inventory *inv, const ry_queue_spec *q, int64_t *run_id);

typedef struct ry_queue_item {
	int64_t run_id;
	int position;            /* 1 = next to start */
	char *run_name;          /* owned */
	char *experiment;        /* owned */
	char *sweep;             /* owned, NULL when none */
	char *hosts;             /* owned: "gpu2,gpu8" or "any" */
	int gpus;
	int max_parallel;
	double queued;           /* Unix time */
	int tries;               /* drain passes that found no room for it */
	char *last_error;        /* owned: why it did not start last time, or NULL */
} ry_queue_item;

/* The waiting runs, in the order they start.  Free with ry_queue_items_free. */
int ry_queue_list(ry_store *st, ry_queue_item **items, size_t *n);
void ry_queue_items_free(ry_queue_item *items, size_t n);

/* Take run_id out of the queue: it becomes killed, noted "cancelled while
 * queued".  RY_ENOTFOUND when it is not waiting (started, or not queued). */
int ry_queue_cancel(ry_store *st, int64_t run_id);

/* Whether host name is in hosts ("gpu2,gpu8", or "any"). */
bool ry_queue_host_allowed(const char *hosts, const char *name);

/* Copies of the hosts of all[0..n) that runs may go to -- allowed by one of
 * host lists hosts[0..nhosts) (ry_queue_host_allowed) and not a simulated
 * demo host -- probed with po now: *np of them, the caller's to free with
 * ry_hosts_free(pr, *np). */
ry_host *ry_queue_probe_allowed(const ry_host *all, size_t n, const char *const *hosts, size_t nhosts,
                                const ry_hosts_probe_options *po, size_t *np);

/* The placement rule a drain pass (and a sweep's plan) applies to one
 * probed host h: whether it takes a run allowed on `hosts` needing `gpus`
 * GPUs, on top of the `used` ones this pass already gave out there --
 * allowed, reachable, and that many free GPUs (ry_host_free_gpus).  When
 * it does and idx is not NULL, idx[0..gpus) are the GPUs it would give;
 * when an allowed host does not and why is not NULL, why gets "HOST:
 * unreachable" or "HOST: 0 of 2 GPUs free" ("; " between). */
bool ry_queue_host_takes(const ry_host *h, const char *hosts, int gpus, int used, int *idx, ry_buf *why);

typedef struct ry_queue_report {
	int started;             /* runs started this pass */
	int waiting;             /* still waiting after it */
	int failed;              /* runs whose launch failed (the run is failed, with the reason) */
	bool busy;               /* another process is draining: this pass did nothing */
	char *errors;            /* owned: one line per failed launch or unreachable host, or NULL */
	char *log;               /* owned: "NAME on HOST, GPUs 0,1" per run started, or NULL */
} ry_queue_report;

void ry_queue_report_clear(ry_queue_report *r);

/* One drain pass (see above).  0, or an RY_E* code when the queue itself
 * could not be read; a host down or a launch failing is reported in rep. */
int ry_queue_drain(ry_store *st, ry_inventory *inv, const ry_remote_options *o, ry_queue_report *rep);

#endif
