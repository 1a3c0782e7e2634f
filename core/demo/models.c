/*
 * The demo's model registry: after the runs are seeded, a few finished runs
 * of the image and churn experiments get a small artifact file (through the
 * real artifact store, so cards, verify and export work on them) and are
 * registered through the registry API, leaving the audit trail a team's
 * registry has after a few weeks: versions, a champion and a challenger, a
 * gated promotion that moved the champion, an alias moved by hand and a
 * gated promotion that was refused.  The image sweep's best run has an
 * artifact but is left unregistered: the candidate the README's
 * `runyard promote ... --if-better val_acc:max` promotes.
 *
 * Which runs: picked by their real metric summaries (best, second and
 * third best, worst, and an early run below them as the baseline), so a
 * gate behaves as it would for a user.  At most five artifacts per experiment whatever the demo's size, so
 * benchmark-sized demos stay fast.  It writes no run and no metric.
 */
#include "demo/demo_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/error.h"
#include "registry/artifact.h"
#include "registry/registry.h"
#include "store/store_internal.h"

struct model_plan {
	const char *experiment, *model, *description, *metric, *artifact;
};

static const struct model_plan models[] = {
	{ "cifar10-resnet", "cifar10-classifier",
	  "CIFAR-10 image classifier served to the photo-tagging service; champion = in production",
	  "val_acc", "model.pt" },
	{ "churn-xgboost", "churn-model",
	  "Weekly churn scores for the retention team (xgboost, 1.2M customers)",
	  "val_auc", "model.json" },
};

enum { PICK_FIRST, PICK_BEST, PICK_SECOND, PICK_THIRD, PICK_WORST, NPICK };

/* Finished runs of the experiment by their metric's last value: the best,
 * the second and third best, the worst and, as the baseline, the earliest
 * of the rest, so that each gate below goes the way the story says (all 0
 * where there are too few runs). */
static int pick_runs(ry_store *st, const struct model_plan *m, int64_t pick[NPICK])
{
	sqlite3_stmt *s = ry_store__stmt(st,
		"SELECT r.id FROM runs r JOIN experiments e ON e.id = r.experiment_id "
		"JOIN metric_summary ms ON ms.run_id = r.id AND ms.key = ?2 "
		"WHERE e.name = ?1 AND r.status = 'finished' AND ms.last IS NOT NULL ORDER BY ms.last DESC, r.id");
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc;
	memset(pick, 0, NPICK * sizeof *pick);
	sqlite3_bind_text(s, 1, m->experiment, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, m->metric, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ids = ry_xgrow(ids, &cap, n + 1, sizeof *ids);
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(ids);
		return ry_store__sqlerr(st, "picking the demo's model runs");
	}
	if (n >= NPICK) {
		pick[PICK_BEST] = ids[0];
		pick[PICK_SECOND] = ids[1];
		pick[PICK_THIRD] = ids[2];
		pick[PICK_WORST] = ids[n - 1];
		pick[PICK_FIRST] = ids[3];
		for (size_t i = 4; i + 1 < n; i++)
			if (ids[i] < pick[PICK_FIRST])
				pick[PICK_FIRST] = ids[i];
	}
	free(ids);
	return 0;
}

/* A small file that is the same for the same run and seed, stored as the
 * run's artifact.  Not a real model, and it says so. */
static int put_artifact(ry_store *st, const struct model_plan *m, int64_t run_id, uint64_t seed)
{
	const char *tmp = getenv("TMPDIR");
	char *path = ry_xasprintf("%s/runyard-demo-artifact-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char sha[65];
	int64_t size;
	uint64_t x = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)run_id;
	ry_buf b = RY_BUF_INIT;
	int fd = mkstemp(path), rc = 0;

	if (fd < 0) {
		rc = ry_error_set(RY_EIO, "demo: cannot make a temp file from %s: %s; set TMPDIR to a writable "
		                  "directory", path, strerror(errno));
		free(path);
		return rc;
	}
	ry_buf_printf(&b, "runyard demo artifact (not a real model): %s of run %lld, experiment %s\n", m->artifact,
	              (long long)run_id, m->experiment);
	for (int i = 0; i < 2048; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		ry_buf_putc(&b, (char)('a' + (x % 26)));
		if (i % 64 == 63)
			ry_buf_putc(&b, '\n');
	}
	if (write(fd, ry_buf_cstr(&b), b.len) != (ssize_t)b.len)
		rc = ry_error_set(RY_EIO, "demo: cannot write %s: %s", path, strerror(errno));
	close(fd);
	if (!rc && !(rc = ry_artifact_put(st, path, sha, &size)))
		rc = ry_artifact_record(st, run_id, m->artifact, sha, size);
	unlink(path);
	free(path);
	ry_buf_free(&b);
	return rc;
}

static int promote(ry_store *st, const struct model_plan *m, int64_t run_id, const char *alias, bool gated,
                   const char *note)
{
	ry_promote_opts o = RY_PROMOTE_OPTS_INIT;
	o.run_id = run_id;
	o.model = m->model;
	o.artifact = m->artifact;
	o.alias = alias;
	o.gate_metric = gated ? m->metric : NULL;
	o.gate_goal = 1;
	o.note = note;
	return ry_registry_promote(st, &o, NULL);
}

static int seed_model(ry_store *st, const struct model_plan *m, bool churn, uint64_t seed)
{
	int64_t pick[NPICK];
	int rc;
	if ((rc = pick_runs(st, m, pick)) || !pick[PICK_FIRST])
		return rc;
	for (int i = 0; i < NPICK; i++)
		if ((churn ? i <= PICK_SECOND : true) && (rc = put_artifact(st, m, pick[i], seed)))
			return rc;
	if ((rc = promote(st, m, pick[PICK_FIRST], "champion", false, "first version: the baseline recipe")) ||
	    (rc = ry_registry_model_update(st, m->model, m->description, "team=ml-platform")))
		return rc;
	if (churn) {
		/* a challenger that won its A/B test: the champion moved by hand */
		if ((rc = promote(st, m, pick[PICK_BEST], "challenger", false, "feature set v4 candidate")) ||
		    (rc = promote(st, m, pick[PICK_SECOND], NULL, false, "kept for the ablation")))
			return rc;
		int64_t v = 0;
		if ((rc = ry_registry_alias_get(st, m->model, "challenger", &v)) ||
		    (rc = ry_registry_alias_set(st, m->model, "champion", v, RY_ALIAS_ANY,
		                                "challenger won the two-week A/B test", NULL)))
			return rc;
		return 0;
	}
	if ((rc = promote(st, m, pick[PICK_THIRD], "challenger", false, "runner-up of the first sweep")))
		return rc;
	rc = promote(st, m, pick[PICK_SECOND], "champion", true, "beats the baseline on val_acc");
	if (rc && rc != RY_EREFUSED) /* refused only on a tie */
		return rc;
	/* a gated promotion of a worse run: refused, and the refusal audited */
	rc = promote(st, m, pick[PICK_WORST], "champion", true, "try the cheaper model");
	return rc == RY_EREFUSED ? 0 : rc;
}

int ry_demo__models(ry_store *st, uint64_t seed)
{
	int rc = 0;
	for (size_t i = 0; i < sizeof models / sizeof *models && !rc; i++)
		rc = seed_model(st, &models[i], i == 1, seed);
	return rc;
}
