"""runyard.py: report metrics, params and artifacts from a job run under
`runyard run` (or launched by runyard on a remote host).

Standard library only; copy it next to your script or put its directory on
PYTHONPATH (it is installed in $prefix/share/runyard/python).

    import runyard
    runyard.param(lr=0.01, optimizer="adam")
    for step in range(100):
        ...
        runyard.log(step=step, loss=loss, val_acc=acc)
    runyard.artifact("model.pt")

How it talks to runyard: runyard sets RUNYARD_METRICS to a file and this
module appends one JSON object per line to it:
    {"step": 10, "ts": 1700000000.1, "loss": 0.3}     log()
    {"_params": {"lr": 0.01}}                          param()
and RUNYARD_ARTIFACTS to a directory that artifact() copies files into;
runyard stores them, hashed, when the run ends.  Outside runyard (the
variables unset) every call does nothing, so a script runs unchanged.
"""

import json
import operator
import os
import shutil
import threading
import time

__all__ = ["log", "param", "artifact", "active"]

_lock = threading.Lock()
_file = None
_steps = {}


def active():
    """True when running under runyard (metrics are being recorded)."""
    return bool(os.environ.get("RUNYARD_METRICS"))


def _write(obj):
    global _file
    path = os.environ.get("RUNYARD_METRICS")
    if not path:
        return
    line = json.dumps(obj, allow_nan=True, default=str) + "\n"
    with _lock:
        if _file is None or _file.name != path:
            _file = open(path, "a", encoding="utf-8")
        _file.write(line)
        _file.flush()  # runyard reads the file twice a second


def _number(v):
    """A float from ints, floats, numpy scalars, 0-d tensors; None otherwise."""
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    item = getattr(v, "item", None)
    if callable(item):
        try:
            return _number(item())
        except (TypeError, ValueError, RuntimeError):
            return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


_MAX_STEP = 2 ** 53  # runyard takes integer steps in [0, 2**53]


def _step(step):
    """step as the int runyard stores; ValueError for one it would refuse.

    Accepts ints, numpy integers, and integral floats or 0-d tensors (3.0).
    int() alone would turn 1.5 into 1 and store the point at a step the
    job never reached; a bad step is a bug the caller should see at once.
    """
    if isinstance(step, bool):
        raise ValueError("runyard.log: step must be an integer, not %r" % step)
    try:
        n = operator.index(step)
    except TypeError:
        f = float(step)
        if not f.is_integer():
            raise ValueError("runyard.log: step must be an integer, not %r" % step)
        n = int(f)
    if not 0 <= n <= _MAX_STEP:
        raise ValueError("runyard.log: step must be from 0 to 2**53, not %r" % step)
    return n


def log(step=None, **metrics):
    """Record metric values, e.g. log(step=10, loss=0.3, val_acc=0.8).

    step: an integer from 0 to 2**53 (ValueError otherwise); when omitted
    each metric counts its own steps from 0.
    Values that are not numbers are skipped; NaN and inf are kept.
    """
    rec = {}
    if step is not None:
        rec["step"] = _step(step)
    rec["ts"] = time.time()
    for k, v in metrics.items():
        x = _number(v)
        if x is not None and k not in ("step", "ts"):
            rec[k] = x
    _write(rec)


def param(**kv):
    """Record run params, e.g. param(lr=0.01, layers=4, optimizer="adam").

    Numbers, strings and booleans are stored as given; anything else as its
    JSON (or str) form.  A later value of the same key replaces the earlier.
    """
    if kv:
        _write({"_params": kv})


def artifact(path, name=None):
    """Copy a file or directory into the run's artifacts; runyard stores it
    (content-addressed, sha256) when the run ends.  Returns the copy's path,
    or None outside runyard.  name: the artifact's path inside the run
    (default: the file's base name)."""
    outbox = os.environ.get("RUNYARD_ARTIFACTS")
    if not outbox:
        return None
    dest = os.path.join(outbox, name or os.path.basename(os.path.normpath(path)))
    parent = os.path.dirname(dest)
    if parent:
        os.makedirs(parent, exist_ok=True)
    if os.path.isdir(path):
        shutil.copytree(path, dest, dirs_exist_ok=True)
    else:
        shutil.copyfile(path, dest)
    return dest
