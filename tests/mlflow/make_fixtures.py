#!/usr/bin/python3
"""Write the MLflow fixtures of runyard's tests with MLflow's own client.

    make_fixtures.py TRACKING_URI            write the whole fixture
    make_fixtures.py TRACKING_URI --more     log more points to run 'alpha'

TRACKING_URI is a file store (file:DIR/mlruns), an SQLite store
(sqlite:///DIR/mlflow.db) or a tracking server URL: the same calls write the
same data to each, so a test can import all of them and compare.  Every
time and value is fixed (runs get their own ids in each store: compare by
experiment and run name).  Needs MLflow on PYTHONPATH (the kit's
mlflow-src and vendor folders).
"""
import math
import sys

from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

T0 = 1700000000000  # ms: every timestamp is T0 + something


def tags(user, extra=None):
    t = {"mlflow.user": user, "mlflow.source.name": "train.py", "mlflow.source.type": "LOCAL"}
    t.update(extra or {})
    return t


def run(c, exp, name, start, params=(), tag=None, user="ada"):
    r = c.create_run(exp, start_time=T0 + start, tags=tags(user, tag), run_name=name)
    rid = r.info.run_id
    if params:
        c.log_batch(rid, params=[Param(k, v) for k, v in params])
    return rid


def log(c, rid, key, points):
    """points: (step, ms after T0, value), logged in this order in batches."""
    ms = [Metric(key, v, T0 + t, s) for s, t, v in points]
    for i in range(0, len(ms), 200):
        c.log_batch(rid, metrics=ms[i:i + 200])


def write(c):
    vision = c.create_experiment("vision baseline")
    nlp = c.create_experiment("nlp")
    scratch = c.create_experiment("scratch")

    a = run(c, vision, "alpha", 1000,
            params=[("lr", "0.001"), ("optim/name", "adam"), ("batch size", "32")],
            tag={"team name": "vision & co", "data/source": "s3://bucket/x", "note": "line one\nline two"})
    # several hundred steps, timestamps rising with the step
    log(c, a, "loss", [(s, 2000 + 10 * s, 1.0 / (s + 1)) for s in range(400)])
    log(c, a, "final/score", [(0, 9000, 0.91)])
    log(c, a, "odd", [(0, 100, float("nan")), (1, 200, float("inf")), (2, 300, float("-inf")), (3, 400, 0.5)])
    c.set_terminated(a, "FINISHED", end_time=T0 + 10000)

    b = run(c, vision, "beta", 2000, params=[("lr", "0.01")], tag={"team name": "vision & co"})
    # several values at one step, and steps logged out of order: the
    # newest point of "acc" is step 7, logged before steps 3 and 5
    log(c, b, "acc", [(0, 100, 0.1), (7, 200, 0.7), (3, 300, 0.3), (5, 400, 0.5)])
    log(c, b, "acc", [(5, 500, 0.55), (5, 600, 0.56)])
    log(c, b, "nested/deep/key", [(s, 1000 + s, float(s)) for s in range(300)])
    c.set_terminated(b, "FAILED", end_time=T0 + 20000)

    k = run(c, nlp, "gamma", 3000, params=[("model", "bert-base")], user="grace")
    log(c, k, "loss", [(s, 100 * s, 3.0 - s * 0.01) for s in range(250)])
    c.set_terminated(k, "KILLED", end_time=T0 + 30000)

    live = run(c, nlp, "delta", 4000, params=[("model", "gpt-tiny")])
    log(c, live, "loss", [(0, 10, 5.0), (1, 20, 4.0)])  # left RUNNING

    gone = run(c, nlp, "deleted-run", 5000)
    log(c, gone, "loss", [(0, 10, 1.0)])
    c.set_terminated(gone, "FINISHED", end_time=T0 + 6000)
    c.delete_run(gone)

    s = run(c, scratch, "in-deleted-experiment", 6000)
    log(c, s, "loss", [(0, 10, 1.0)])
    c.set_terminated(s, "FINISHED", end_time=T0 + 7000)
    c.delete_experiment(scratch)

    m = "fixture-model"
    c.create_registered_model(m, tags={"owner": "vision team", "task": "classification"},
                              description="The fixture's model.")
    v1 = c.create_model_version(m, "runs:/%s/model" % a, run_id=a, tags={"stage note": "first"},
                                description="From alpha.")
    v2 = c.create_model_version(m, "runs:/%s/model" % b, run_id=b, description="From beta.")
    c.set_model_version_tag(m, v2.version, "validated", "no")
    c.set_registered_model_alias(m, "champion", v1.version)


def more(c):
    """Ten more steps of alpha's loss and a new metric: alpha alone changes."""
    exp = c.get_experiment_by_name("vision baseline").experiment_id
    (r,) = c.search_runs([exp], "attributes.run_name = 'alpha'")
    log(c, r.info.run_id, "loss", [(s, 2000 + 10 * s, 1.0 / (s + 1)) for s in range(400, 410)])
    log(c, r.info.run_id, "extra", [(0, 20000, 1.5)])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    uri = sys.argv[1]
    c = MlflowClient(tracking_uri=uri, registry_uri=uri)
    if sys.argv[2:] == ["--more"]:
        more(c)
    else:
        write(c)


if __name__ == "__main__":
    main()
