#!/usr/bin/env python3
"""Fill a real MLflow tracking server with MLflow's own Python client, for
tests/mlflow/test_mlflow_rest.sh.  Each subcommand prints what the test
checks against.

  populate.py URL fixture          experiments, runs, registry; prints JSON ids
  populate.py URL more RUN_ID      three more points of loss, status -> FINISHED
  populate.py URL dump RUN_ID      one run as JSON: params, tags, histories, status
  populate.py URL find EXP NAME    the run ids named NAME in experiment EXP
  populate.py URL model NAME       a registered model's versions and aliases as JSON
"""
import json
import math
import sys

import mlflow
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

T0 = 1700000000000


def fixture(c):
    ids = {}
    e1 = c.create_experiment("vision", tags={"team": "cv"})
    e2 = c.create_experiment("nlp")
    # a finished run with every kind of key the issue names
    r = c.create_run(e1, start_time=T0, run_name="resnet-a", tags={"mlflow.user": "ada"})
    rid = r.info.run_id
    c.log_batch(rid, params=[Param("lr", "0.01"), Param("batch size", "64"), Param("opt/name", "sgd")],
                tags=[RunTag("team tag", "a b"), RunTag("data/split", "train/val"),
                      RunTag("mlflow.source.git.commit", "0123456789abcdef0123456789abcdef01234567")],
                metrics=[Metric("loss", v, T0 + 1000 * (s + 1), s) for s, v in enumerate([0.9, 0.5, 0.25])] +
                        [Metric("final/score", 0.75, T0 + 5000, 2),
                         Metric("weird", float("nan"), T0 + 1000, 0),
                         Metric("weird", float("inf"), T0 + 2000, 1),
                         Metric("weird", float("-inf"), T0 + 3000, 2)])
    c.set_terminated(rid, "FINISHED", end_time=T0 + 10000)
    ids["finished"] = rid
    for status, name in (("FAILED", "resnet-b"), ("KILLED", "resnet-c")):
        r = c.create_run(e1, start_time=T0 + 20000, run_name=name)
        c.log_batch(r.info.run_id, params=[Param("lr", "0.1")],
                    metrics=[Metric("loss", 1.5, T0 + 21000, 0), Metric("loss", 1.2, T0 + 22000, 1)])
        c.set_terminated(r.info.run_id, status, end_time=T0 + 30000)
        ids[status.lower()] = r.info.run_id
    r = c.create_run(e2, start_time=T0 + 40000, run_name="bert-live")
    c.log_batch(r.info.run_id, params=[Param("layers", "12")],
                metrics=[Metric("loss", 2.0, T0 + 41000, 0), Metric("loss", 1.8, T0 + 42000, 1)])
    ids["running"] = r.info.run_id
    # the registry: two versions, an alias, tags, descriptions
    c.create_registered_model("resnet", tags={"owner": "cv"}, description="image classifier")
    v1 = c.create_model_version("resnet", f"runs:/{ids['finished']}/model", run_id=ids["finished"],
                                description="first", tags={"stage": "test"})
    c.create_model_version("resnet", f"runs:/{ids['failed']}/model", run_id=ids["failed"])
    c.set_registered_model_alias("resnet", "champion", v1.version)
    # a name runyard's rules reject: skipped with a warning
    c.create_registered_model("bad name!")
    print(json.dumps(ids))


def more(c, rid):
    c.log_batch(rid, metrics=[Metric("loss", v, T0 + 50000 + s, 2 + s) for s, v in enumerate([1.0, 0.8, 0.6])])
    c.set_terminated(rid, "FINISHED", end_time=T0 + 60000)


def enc(v):
    return "nan" if math.isnan(v) else repr(v)


def dump(c, rid):
    r = c.get_run(rid)
    out = {"status": r.info.status, "name": r.info.run_name, "end_time": r.info.end_time,
           "experiment": c.get_experiment(r.info.experiment_id).name,
           "params": r.data.params, "tags": r.data.tags, "metrics": {}}
    for k in sorted(r.data.metrics):
        out["metrics"][k] = [[m.step, m.timestamp, enc(m.value)] for m in
                             sorted(c.get_metric_history(rid, k), key=lambda m: (m.step, m.timestamp))]
    print(json.dumps(out, sort_keys=True))


def find(c, exp, name):
    e = c.get_experiment_by_name(exp)
    if e is None:
        return
    for r in c.search_runs([e.experiment_id], filter_string=f"attributes.run_name = '{name}'"):
        print(r.info.run_id)


def model(c, name):
    m = c.get_registered_model(name)
    vs = c.search_model_versions(f"name='{name}'")
    print(json.dumps({"aliases": m.aliases,
                      "versions": sorted([[int(v.version), v.run_id, v.source, v.status] for v in vs])},
                     sort_keys=True))


def main():
    url, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    mlflow.set_tracking_uri(url)
    c = MlflowClient(url)
    {"fixture": lambda: fixture(c), "more": lambda: more(c, *args), "dump": lambda: dump(c, *args),
     "find": lambda: find(c, *args), "model": lambda: model(c, *args)}[cmd]()


if __name__ == "__main__":
    main()
