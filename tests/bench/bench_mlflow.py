#!/usr/bin/env python3
"""The MLflow side of tests/bench/bench_mlflow.sh.

  bench_mlflow.py populate URL RUNS METRICS STEPS THREADS
      RUNS runs in experiment "bench", each with METRICS metrics of STEPS
      steps, 5 params and 5 tags, FINISHED: written with REST runs/log-batch
      directly (1,000 metrics a request, the server's limit), THREADS at once.
  bench_mlflow.py read URL
      what MLflow's own Python client does to read the same: search_runs,
      then get_metric_history per run per key.  Prints "SECONDS POINTS".
"""
import json
import sys
import threading
import time
import urllib.request


def post(url, path, body):
    r = urllib.request.Request(url + "/api/2.0/mlflow/" + path, data=json.dumps(body).encode(),
                               headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(r, timeout=600) as resp:
        return json.loads(resp.read() or b"{}")


def populate(url, runs, metrics, steps, threads):
    exp = post(url, "experiments/create", {"name": "bench"})["experiment_id"]
    t0 = 1700000000000
    todo = list(range(runs))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop()
            rid = post(url, "runs/create", {"experiment_id": exp, "run_name": f"run-{i:04d}",
                                            "start_time": t0 + i})["run"]["info"]["run_id"]
            pts = [{"key": f"m{k}", "value": (i + k + s) / 1000.0, "timestamp": t0 + s * 10, "step": s}
                   for k in range(metrics) for s in range(steps)]
            # 1,000 entities a request: the first carries the params and tags too
            post(url, "runs/log-batch", {"run_id": rid, "metrics": pts[:990],
                                         "params": [{"key": f"p{k}", "value": str(i * k)} for k in range(5)],
                                         "tags": [{"key": f"t{k}", "value": f"v{i}"} for k in range(5)]})
            for b in range(990, len(pts), 1000):
                post(url, "runs/log-batch", {"run_id": rid, "metrics": pts[b:b + 1000]})
            post(url, "runs/update", {"run_id": rid, "status": "FINISHED", "end_time": t0 + steps * 10})

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def read(url):
    from mlflow.tracking import MlflowClient
    c = MlflowClient(url)
    t = time.monotonic()
    exp = c.get_experiment_by_name("bench")
    points = 0
    token = None
    while True:
        page = c.search_runs([exp.experiment_id], max_results=1000, page_token=token)
        for r in page:
            for k in r.data.metrics:
                points += len(c.get_metric_history(r.info.run_id, k))
        token = page.token
        if not token:
            break
    print(f"{time.monotonic() - t:.3f} {points}")


if __name__ == "__main__":
    if sys.argv[1] == "populate":
        populate(sys.argv[2], *map(int, sys.argv[3:7]))
    else:
        read(sys.argv[2])
