/*
 * The workspace schema and its forward migrations.
 *
 * Each entry of `migrations` takes a workspace from version i to i+1; they
 * run in order inside one transaction, so a workspace is either fully
 * migrated or untouched.  Never edit a released migration: add a new one.
 *
 * Metrics are the big table (10^7..10^8 points).  They are stored as chunks
 * of up to RY_METRICS_CHUNK points per (run, key) in a WITHOUT ROWID table
 * clustered on (run_id, key_id, chunk) (schema 9; metric_keys names the
 * ids), each chunk a compact delta/varint blob
 * (see metrics.c and docs/storage.md), plus one summary row per (run, key)
 * holding count, last, min and max so that listing, sorting and filtering
 * never decode a chunk.
 */
#include "store/store_internal.h"
#include "base/error.h"

#include <stddef.h>
#include <stdio.h>

static const char *const migrations[] = {
	/* 0 -> 1: the first schema (DESIGN.md's data model). */
	"CREATE TABLE experiments("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  created REAL NOT NULL);"
	"CREATE TABLE runs("
	"  id INTEGER PRIMARY KEY,"
	"  uuid TEXT NOT NULL UNIQUE,"
	"  experiment_id INTEGER NOT NULL REFERENCES experiments(id),"
	"  name TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('queued','running','finished','failed','killed','lost')),"
	"  command TEXT,"
	"  host TEXT,"
	"  gpus TEXT,"
	"  started REAL,"
	"  ended REAL,"
	"  exit_code INTEGER,"
	"  git_commit TEXT,"
	"  git_branch TEXT,"
	"  git_dirty INTEGER,"
	"  notes TEXT,"
	"  cost_rate REAL,"
	"  cost_total REAL,"
	"  source TEXT NOT NULL DEFAULT 'local',"
	"  remote_dir TEXT,"
	"  log_offset INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX runs_by_experiment ON runs(experiment_id);"
	"CREATE INDEX runs_by_name ON runs(name);"
	"CREATE TABLE params("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
	"CREATE TABLE tags("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
	"CREATE TABLE metrics("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  chunk INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  step_min INTEGER NOT NULL,"
	"  step_max INTEGER NOT NULL,"
	"  ts_min REAL NOT NULL,"
	"  ts_max REAL NOT NULL,"
	"  data BLOB NOT NULL,"
	"  PRIMARY KEY (run_id, key, chunk)) WITHOUT ROWID;"
	"CREATE TABLE artifacts("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  PRIMARY KEY (run_id, path)) WITHOUT ROWID;"
	"CREATE TABLE hosts("
	"  name TEXT PRIMARY KEY,"
	"  ssh_alias TEXT,"
	"  price_per_hour REAL,"
	"  gpu_price_per_hour REAL,"
	"  labels TEXT);"
	"CREATE TABLE models("
	"  name TEXT PRIMARY KEY,"
	"  description TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE model_versions("
	"  model TEXT NOT NULL REFERENCES models(name),"
	"  version INTEGER NOT NULL,"
	"  run_id INTEGER REFERENCES runs(id),"
	"  artifact_sha256 TEXT NOT NULL,"
	"  created REAL NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (model, version));"
	"CREATE TABLE aliases("
	"  model TEXT NOT NULL REFERENCES models(name),"
	"  alias TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  PRIMARY KEY (model, alias));"
	"CREATE TABLE events("
	"  id INTEGER PRIMARY KEY,"
	"  ts REAL NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  detail TEXT);",

	/* 1 -> 2: what listing 100k runs fast and tracking need.
	 * - params.num: the value as a number when it is one, so `lr < 0.01`
	 *   compares numerically and can use an index;
	 * - metric_summary: last/min/max/count per (run, key), never decoded
	 *   from chunks on the list path;
	 * - runs gain created, cwd, pid bookkeeping, git remote and diff, ingest
	 *   offsets and malformed-line counts;
	 * - settings: workspace-level key/value (remembered columns, budgets). */
	"ALTER TABLE params ADD COLUMN num REAL;"
	"UPDATE params SET num = CAST(value AS REAL)"
	"  WHERE value GLOB '*[0-9]*' AND NOT value GLOB '*[^0-9eE.+-]*';"
	"CREATE INDEX params_by_key_num ON params(key, num);"
	"CREATE INDEX params_by_key_value ON params(key, value);"
	"CREATE INDEX tags_by_key_value ON tags(key, value);"
	"CREATE TABLE metric_summary("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  last_step INTEGER NOT NULL,"
	"  last REAL,"
	"  min REAL,"
	"  max REAL,"
	"  first_ts REAL,"
	"  last_ts REAL,"
	"  PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
	"CREATE INDEX metric_summary_by_key ON metric_summary(key, last);"
	"INSERT INTO metric_summary(run_id, key, n, last_step, last, min, max, first_ts, last_ts)"
	"  SELECT run_id, key, sum(n), max(step_max), NULL, NULL, NULL, min(ts_min), max(ts_max)"
	"  FROM metrics GROUP BY run_id, key;"
	"ALTER TABLE runs ADD COLUMN created REAL;"
	"UPDATE runs SET created = coalesce(started, 0);"
	"ALTER TABLE runs ADD COLUMN cwd TEXT;"
	"ALTER TABLE runs ADD COLUMN pid INTEGER;"
	"ALTER TABLE runs ADD COLUMN pid_start TEXT;"
	"ALTER TABLE runs ADD COLUMN run_host TEXT;"
	"ALTER TABLE runs ADD COLUMN git_remote TEXT;"
	"ALTER TABLE runs ADD COLUMN git_diff TEXT;"
	"ALTER TABLE runs ADD COLUMN git_diff_truncated INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE runs ADD COLUMN metrics_offset INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE runs ADD COLUMN malformed_lines INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE runs ADD COLUMN time_limit REAL;"
	"ALTER TABLE runs ADD COLUMN heartbeat REAL;"
	"CREATE INDEX runs_by_created ON runs(created);"
	"CREATE INDEX runs_by_status ON runs(status);"
	"ALTER TABLE experiments ADD COLUMN settings TEXT;"
	"ALTER TABLE hosts ADD COLUMN max_gpus INTEGER;"
	"ALTER TABLE hosts ADD COLUMN workdir TEXT;"
	"ALTER TABLE models ADD COLUMN created REAL;"
	"ALTER TABLE models ADD COLUMN tags TEXT;"
	"ALTER TABLE model_versions ADD COLUMN artifact_path TEXT;"
	"ALTER TABLE model_versions ADD COLUMN size INTEGER;"
	"ALTER TABLE model_versions ADD COLUMN tags TEXT;"
	"CREATE INDEX events_by_subject ON events(subject, ts);"
	"CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);",

	/* 2 -> 3: indexes measured on 100k-run workspaces.
	 * - the experiments pane aggregates runs per experiment: a covering index
	 *   keeps that to an index scan instead of reading every (wide) run row;
	 * - sorting and filtering on metrics.KEY.min / .max use their own index
	 *   the way .last uses metric_summary_by_key. */
	"CREATE INDEX runs_by_experiment_cost ON runs(experiment_id, status, started, cost_rate, cost_total);"
	"CREATE INDEX metric_summary_by_key_min ON metric_summary(key, min);"
	"CREATE INDEX metric_summary_by_key_max ON metric_summary(key, max);",

	/* 3 -> 4: the run list's index.  Listing newest first with a filter on
	 * status, duration, cost, host or name read every (wide) run row by
	 * rowid in created order: 60-70 ms per keystroke of the live filter at
	 * 100k runs.  This index holds the columns those fields are computed
	 * from, in list order with the id as tie-break, so a filtered list is
	 * one scan of ~9 MB per 100k runs that never touches the table.  The
	 * plain created index stays for the unfiltered list, which needs only
	 * ids: a fifth of the pages to read into a cold cache at start. */
	"CREATE INDEX runs_listing ON runs(created, id, experiment_id, status, started, ended,"
	" cost_rate, cost_total, host, name);",

	/* 4 -> 5: what a local run's ingest needs to go on where a killed
	 * tracker stopped (core/metrics/ingest.h, resumable ingest): its capture
	 * settings and the numbering state, written with each batch. */
	"ALTER TABLE runs ADD COLUMN ingest_state TEXT;",

	/* 5 -> 6: plugins (issue 12).
	 * - imports: which run a tracker plugin's run became, and the
	 *   fingerprint the source gave it, so an unchanged run is skipped
	 *   without reading its histories again (was a tag lookup per run);
	 * - models.source / model_versions.source_uri: a model imported from a
	 *   tracker, and where a version's artifact lives when this workspace
	 *   holds only its record (artifact_sha256 is then ''), and the same
	 *   for a run's artifacts (artifacts.uri, sha256 '');
	 * - deployments: a registry version deployed to a serving target. */
	"CREATE TABLE imports("
	"  plugin TEXT NOT NULL,"
	"  ext_id TEXT NOT NULL,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  fingerprint TEXT,"
	"  PRIMARY KEY (plugin, ext_id)) WITHOUT ROWID;"
	"CREATE INDEX imports_by_run ON imports(run_id);"
	"INSERT OR IGNORE INTO imports(plugin, ext_id, run_id)"
	"  SELECT substr(r.source, 8), t.value, r.id FROM runs r JOIN tags t"
	"  ON t.run_id = r.id AND t.key = substr(r.source, 8) || '.run_id'"
	"  WHERE r.source LIKE 'plugin:%';"
	"ALTER TABLE models ADD COLUMN source TEXT;"
	"ALTER TABLE model_versions ADD COLUMN source_uri TEXT;"
	"ALTER TABLE artifacts ADD COLUMN uri TEXT;"
	"CREATE TABLE deployments("
	"  id INTEGER PRIMARY KEY,"
	"  model TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  alias TEXT,"
	"  target TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  handle TEXT,"
	"  endpoint TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('starting','ready','failed','stopped')),"
	"  created REAL NOT NULL,"
	"  updated REAL NOT NULL,"
	"  detail TEXT);"
	"CREATE INDEX deployments_by_model ON deployments(model, version);",

	/* 6 -> 7: simulated hosts (issue 13).  The demo's hosts are names, not
	 * machines: marked here, they are never connected to (a probe gets a
	 * canned answer, their runs settle by themselves; core/remote/
	 * simulated.h).  Every host there was before is a real one. */
	"ALTER TABLE hosts ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0;",

	/* 7 -> 8: the run queue (issue 15).  A queued run is a run (status
	 * queued, source 'queue': params, tags, code recorded as for any run)
	 * plus what its launch needs later, here until it starts: the hosts it
	 * may go to ('*': any), GPUs, its sweep's parallel cap, the command's
	 * words (NUL-separated; a command holding a secret is refused at
	 * queueing, so none is stored) and the code pack kept for it. */
	"CREATE TABLE queue("
	"  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,"
	"  sweep TEXT,"
	"  hosts TEXT NOT NULL,"
	"  gpus INTEGER NOT NULL,"
	"  max_parallel INTEGER NOT NULL DEFAULT 0,"
	"  argv BLOB NOT NULL,"
	"  pack TEXT NOT NULL,"
	"  subdir TEXT NOT NULL DEFAULT '',"
	"  queued REAL NOT NULL,"
	"  tries INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT);"
	"CREATE INDEX queue_in_order ON queue(queued, run_id);",

	/* 8 -> 9: the experiments pane's counts and costs, maintained (issue
	 * 18).  Counting them per experiment from runs cost 1.2 s at 10^6 runs
	 * on every refresh of the pane.  One row per experiment holds what
	 * ry_experiments_list shows, kept exact by triggers on runs, so every
	 * writer (tracker, sync, import, delete, a move between experiments)
	 * is covered without each path knowing.  What a run adds:
	 * - nruns 1; nrunning 1 while its status is 'running';
	 * - settled (status not 'running') with a cost_total: ncost 1 and
	 *   cost_settled its total;
	 * - running with a cost_rate and a start: nrate 1, rate its rate and
	 *   rate_started rate * started, so the cost accrued "now" over all of
	 *   them is (now * rate - rate_started) / 3600, from two numbers.
	 * A sum whose count falls to 0 is set to exactly 0 rather than
	 * subtracted, so rounding never accumulates across a workspace's life.
	 * `ended` changes no figure (a settled run's cost is its cost_total),
	 * so updates of it fire nothing.  Built here from existing runs. */
	"CREATE TABLE experiment_stats("
	"  experiment_id INTEGER PRIMARY KEY REFERENCES experiments(id) ON DELETE CASCADE,"
	"  nruns INTEGER NOT NULL DEFAULT 0,"
	"  nrunning INTEGER NOT NULL DEFAULT 0,"
	"  ncost INTEGER NOT NULL DEFAULT 0,"
	"  cost_settled REAL NOT NULL DEFAULT 0,"
	"  nrate INTEGER NOT NULL DEFAULT 0,"
	"  rate REAL NOT NULL DEFAULT 0,"
	"  rate_started REAL NOT NULL DEFAULT 0);"
	"INSERT INTO experiment_stats(experiment_id, nruns, nrunning, ncost, cost_settled, nrate, rate, rate_started)"
	"  SELECT e.id, count(r.id), coalesce(sum(r.status = 'running'), 0),"
	"    coalesce(sum(r.status <> 'running' AND r.cost_total IS NOT NULL), 0),"
	"    coalesce(sum(CASE WHEN r.status <> 'running' THEN r.cost_total END), 0),"
	"    coalesce(sum(r.status = 'running' AND r.cost_rate IS NOT NULL AND r.started IS NOT NULL), 0),"
	"    coalesce(sum(CASE WHEN r.status = 'running' AND r.started IS NOT NULL THEN r.cost_rate END), 0),"
	"    coalesce(sum(CASE WHEN r.status = 'running' THEN r.cost_rate * r.started END), 0)"
	"  FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.id GROUP BY e.id;"
	"CREATE TRIGGER experiment_stats_new AFTER INSERT ON experiments BEGIN"
	"  INSERT OR IGNORE INTO experiment_stats(experiment_id) VALUES (new.id);"
	" END;"
	"CREATE TRIGGER experiment_stats_gone AFTER DELETE ON experiments BEGIN"
	"  DELETE FROM experiment_stats WHERE experiment_id = old.id;"
	" END;"
	/* The same two statements, for a run arriving (+1) and leaving (-1):
	 * written out per trigger because a trigger cannot call a function. */
#define RY_STATS_ADD(R, SIGN) \
	"  INSERT OR IGNORE INTO experiment_stats(experiment_id) VALUES (" R ".experiment_id);" \
	"  UPDATE experiment_stats SET" \
	"    nruns = nruns " SIGN " 1," \
	"    nrunning = nrunning " SIGN " (" R ".status = 'running')," \
	"    ncost = ncost " SIGN " (" R ".status <> 'running' AND " R ".cost_total IS NOT NULL)," \
	"    cost_settled = CASE WHEN ncost " SIGN " (" R ".status <> 'running' AND " R ".cost_total IS NOT NULL) = 0" \
	"      THEN 0 ELSE cost_settled " SIGN " CASE WHEN " R ".status <> 'running'" \
	"        THEN coalesce(" R ".cost_total, 0) ELSE 0 END END," \
	"    nrate = nrate " SIGN " (" R ".status = 'running' AND " R ".cost_rate IS NOT NULL AND " R ".started IS NOT NULL)," \
	"    rate = CASE WHEN nrate " SIGN " (" R ".status = 'running' AND " R ".cost_rate IS NOT NULL" \
	"        AND " R ".started IS NOT NULL) = 0" \
	"      THEN 0 ELSE rate " SIGN " CASE WHEN " R ".status = 'running' AND " R ".started IS NOT NULL" \
	"        THEN coalesce(" R ".cost_rate, 0) ELSE 0 END END," \
	"    rate_started = CASE WHEN nrate " SIGN " (" R ".status = 'running' AND " R ".cost_rate IS NOT NULL" \
	"        AND " R ".started IS NOT NULL) = 0" \
	"      THEN 0 ELSE rate_started " SIGN " CASE WHEN " R ".status = 'running'" \
	"        THEN coalesce(" R ".cost_rate * " R ".started, 0) ELSE 0 END END" \
	"  WHERE experiment_id = " R ".experiment_id;"
	"CREATE TRIGGER experiment_stats_run_in AFTER INSERT ON runs BEGIN"
	RY_STATS_ADD("new", "+")
	" END;"
	"CREATE TRIGGER experiment_stats_run_out AFTER DELETE ON runs BEGIN"
	RY_STATS_ADD("old", "-")
	" END;"
	"CREATE TRIGGER experiment_stats_run_change"
	"  AFTER UPDATE OF experiment_id, status, cost_rate, cost_total, started ON runs BEGIN"
	RY_STATS_ADD("old", "-")
	RY_STATS_ADD("new", "+")
	" END;",
#undef RY_STATS_ADD

	/* 9 -> 10: metric chunks at 10^6 runs (issue 18).  A sweep of 10^6
	 * runs logs a few points per series, where a chunk row's overhead is
	 * most of its bytes: the key's text (now an id from metric_keys), four
	 * range columns no reader used (steps and times are in the blob) and
	 * two REALs among them.  Chunks written from now on are codec version 2
	 * (count in the row only, regular columns folded); the version 1 blobs
	 * moved here as they are stay readable.  docs/storage.md, "Metric
	 * storage at scale", has the figures. */
	"CREATE TABLE metric_keys("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE);"
	"INSERT INTO metric_keys(key)"
	"  SELECT key FROM metrics UNION SELECT key FROM metric_summary ORDER BY 1;"
	"CREATE TABLE metric_chunks("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  key_id INTEGER NOT NULL,"
	"  chunk INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  data BLOB NOT NULL,"
	"  PRIMARY KEY (run_id, key_id, chunk)) WITHOUT ROWID;"
	"INSERT INTO metric_chunks(run_id, key_id, chunk, n, data)"
	"  SELECT m.run_id, k.id, m.chunk, m.n, m.data FROM metrics AS m JOIN metric_keys AS k ON k.key = m.key"
	"  ORDER BY 1, 2, 3;"
	"DROP TABLE metrics;",

	/* 10 -> 11: bulk ingest at 10^6 runs (issue 18).  At a few points a
	 * series a flush writes a chunk row and a summary row per series, and
	 * the summary's three (key, last|min|max) indexes were half of that: an
	 * entry each at a random place.  One index, (key, last, min, max),
	 * takes their place: the runs sorted by a metric (its last value) are
	 * still a walk of it, and the min and max of a key's runs are read from
	 * it without the table.  Sorting by .min, .max or .best sorts every run
	 * (query/runlist.c, on the TUI's worker).  Both metric tables are
	 * rebuilt to make their reference to runs DEFERRABLE INITIALLY DEFERRED:
	 * checked at commit (the writer checks each run before it writes, and a
	 * deleted run still takes its rows along at once), so a statement that
	 * inserts many rows needs no statement journal to undo itself, which
	 * cost more than the rows it saved.  docs/storage.md, "Ingest rate". */
	"DROP INDEX metric_summary_by_key_min;"
	"DROP INDEX metric_summary_by_key_max;"
	"DROP INDEX metric_summary_by_key;"
	"CREATE TABLE metric_summary_11("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
	"  key TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  last_step INTEGER NOT NULL,"
	"  last REAL,"
	"  min REAL,"
	"  max REAL,"
	"  first_ts REAL,"
	"  last_ts REAL,"
	"  PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
	"INSERT INTO metric_summary_11 SELECT run_id, key, n, last_step, last, min, max, first_ts, last_ts"
	"  FROM metric_summary ORDER BY run_id, key;"
	"DROP TABLE metric_summary;"
	"ALTER TABLE metric_summary_11 RENAME TO metric_summary;"
	"CREATE INDEX metric_summary_by_key ON metric_summary(key, last, run_id, min, max);"
	"CREATE TABLE metric_chunks_11("
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
	"  key_id INTEGER NOT NULL,"
	"  chunk INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  data BLOB NOT NULL,"
	"  PRIMARY KEY (run_id, key_id, chunk)) WITHOUT ROWID;"
	"INSERT INTO metric_chunks_11 SELECT run_id, key_id, chunk, n, data FROM metric_chunks"
	"  ORDER BY run_id, key_id, chunk;"
	"DROP TABLE metric_chunks;"
	"ALTER TABLE metric_chunks_11 RENAME TO metric_chunks;",
};

int ry_store__migrate(sqlite3 *db, int from, int target)
{
	int max = (int)(sizeof migrations / sizeof migrations[0]);
	char *err = NULL;
	if (target > max || from < 0 || from > target)
		return ry_error_set(RY_ESCHEMA, "cannot migrate a workspace from schema %d to %d", from, target);
	for (int v = from; v < target; v++) {
		char pragma[64];
		if (sqlite3_exec(db, migrations[v], NULL, NULL, &err) != SQLITE_OK) {
			int rc = ry_error_set(RY_ESCHEMA, "migrating the workspace from schema %d to %d failed: %s",
			                      v, v + 1, err ? err : "unknown error");
			sqlite3_free(err);
			return rc;
		}
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(db, pragma, NULL, NULL, NULL) != SQLITE_OK)
			return ry_error_set(RY_ESCHEMA, "cannot record schema version %d: %s", v + 1, sqlite3_errmsg(db));
	}
	return 0;
}
