"""The research harness behind the committed benchmarks: runs, checkpoints, provenance, result files.

Not part of the package: it is what ``benchmarks/paper_protocol.py`` and the
other scripts here use to run the protocol of Zhang & Bloom (2020), Table 1
[1]_, resume a run stopped after hours, and record where each number came
from. It is built on the package's public star splits and paired comparisons
(:mod:`astro_cyclic.model_selection`), which is what a user comparing models
on their own stars calls.

* :func:`run_benchmark` fits and scores every model on every split (each a
  :func:`~astro_cyclic.model_selection.clone_for_split` clone) and
  summarises: mean and standard deviation of each metric over the splits, and
  the median and 1-sigma range (16th to 84th percentile) of each model's
  accuracy minus the reference model's, as in the paper's Table 1.
* :func:`write_results` writes the result as JSON, a markdown table and a
  confusion-matrix figure; :func:`plot_per_class_accuracy` draws a result's
  per-class accuracies.
* :func:`describe_machine` is the machine record every benchmark here writes.

Scripts in this folder import it as ``harness`` (Python puts the script's
folder first on ``sys.path``); the tests in ``tests/benchmarks/`` do the same.

References
----------
.. [1] Zhang, K. & Bloom, J. S. 2020, "Cyclic-Permutation Invariant Networks for
   Modeling Periodic Sequential Data: Application to Variable Star
   Classification", NeurIPS 2020 Workshop on Machine Learning and the Physical
   Sciences; arXiv:2011.01243 (Table 1 and its caption).
"""

import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import balanced_accuracy_score, confusion_matrix

from astro_cyclic.io import write_atomically
from astro_cyclic.model_selection import StarSplit, clone_for_split, mean_std, paired_difference

__all__ = ["describe_machine", "plot_per_class_accuracy", "result_paths", "run_benchmark", "write_results"]

# The tag of every committed result file, kept from when the harness was the module astro_cyclic.benchmark.
_RESULT_FORMAT = "astro_cyclic.benchmark"
_RESULT_VERSION = 1


# ------------------------------------------------------------------ running
def _check_split(split, k, n_stars):
    """A split of ``n_stars`` stars, checked: a StarSplit with disjoint, non-empty parts."""
    if not isinstance(split, StarSplit):
        raise ValueError(f"split {k} must be a StarSplit from astro_cyclic.model_selection.stratified_star_splits, "
                         f"got {type(split).__name__}")
    joined = np.concatenate(list(split))
    if joined.size and (joined.min() < 0 or joined.max() >= n_stars):
        raise ValueError(f"split {k} has star indices outside 0..{n_stars - 1}")
    if np.unique(joined).size != joined.size:
        raise ValueError(f"split {k}: train, validation and test stars must be disjoint and not repeated")
    if not all(part.size for part in split):
        raise ValueError(f"split {k} has an empty train, validation or test part")
    return split


def _is_network(estimator):
    return "train_split" in estimator.get_params(deep=False)


def _safe(value):
    """``value`` made JSON-able: numpy scalars and arrays to Python, anything else to its repr."""
    if isinstance(value, dict):
        return {str(k): _safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return _safe(value.tolist())
    if isinstance(value, np.generic):
        return _safe(value.item())
    if isinstance(value, float):
        return value if np.isfinite(value) else None  # strict JSON has no NaN
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return repr(value)


def _split_key(k, seed, test):
    """What identifies a split in a checkpoint: position, seed and the test stars."""
    digest = hashlib.sha256(np.asarray(test, dtype=np.int64).tobytes()).hexdigest()[:16]
    return f"{k}:{seed}:{digest}"


# What a checkpoint's parameters are compared on: parameters that change no result (a cache folder;
# threads: float32 rounding only) are left out, and parameters renamed since a row was written are read
# under their new name.
_RESULT_NEUTRAL_PARAMS = ("n_jobs", "memory")
_RENAMED_PARAMS = {"validation_fraction": "train_split"}
# Parameters added since rows were written, and the value those rows were run with: the networks of the
# committed red-band and ASAS tables took the segments' mean magnitudes, and started from random weights;
# the forests had no extra features.
_ADDED_PARAMS = {"CyclicClassifier": {"apparent_magnitude": True, "pretrained": None, "fine_tune": "all"},
                 "RichardsForestClassifier": {"extra_features": None}}


def _comparable(params):
    from astro_cyclic.nn import NETWORK_PARAMS

    out = {}
    for key, value in params.items():
        if key in NETWORK_PARAMS:  # rows from before the network's hyper-parameters were spelt module__<name>
            if value is None:  # "the default", which module__ parameters say by being absent
                continue
            key = "module__" + key
        if key not in _RESULT_NEUTRAL_PARAMS:
            out[_RENAMED_PARAMS.get(key, key)] = value
    return out


def _read_checkpoint(path, models):
    """Rows of a checkpoint file: {(split key, model name): row}; rows of other models are left alone.

    A row of a model of the same name but other parameters is an error: mixing
    them would silently report two configurations as one.
    """
    rows = {}
    path = Path(path)
    if not path.exists():
        return rows
    params = {name: _comparable(_safe(model.get_params(deep=False))) for name, model in models.items()}
    text = path.read_text()
    lines = text.split("\n")
    if lines[-1]:
        # A run stopped mid-write leaves a partial last line (every row ends in a newline):
        # drop it from the file, so that the next row starts on a line of its own.
        with path.open("r+") as handle:
            handle.truncate(len(text.encode()) - len(lines[-1].encode()))
    for number, line in enumerate(lines[:-1], 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            key, name, row = entry["split"], entry["model"], entry["row"]
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"checkpoint {path}, line {number}, is not a benchmark row; "
                             "delete the file or choose another") from None
        if name not in models:
            continue
        stored = _ADDED_PARAMS.get(type(models[name]).__name__, {}) | _comparable(entry.get("params") or {})
        if stored != params[name]:
            raise ValueError(f"checkpoint {path} holds results of model {name!r} with other parameters; "
                             "delete it or choose another checkpoint file for this configuration")
        rows[(key, name)] = row
    return rows


def _append_checkpoint(path, key, name, model, row):
    line = json.dumps({"split": key, "model": name, "params": _safe(model.get_params(deep=False)),
                       "row": _safe(row)})
    with Path(path).open("a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _check_ensembles(ensembles, models):
    ensembles = dict(ensembles or {})
    for name, members in ensembles.items():
        if name in models:
            raise ValueError(f"ensemble {name!r} has the name of a model")
        missing = [m for m in members if m not in models]
        if len(members) < 2 or missing:
            raise ValueError(f"ensemble {name!r} must name at least two of the models {list(models)}; "
                             f"unknown: {missing}")
    return {name: tuple(members) for name, members in ensembles.items()}


def _soft_vote(rows, members, y_test, classes):
    """Mean of the members' test probabilities: what sklearn's ``VotingClassifier(voting="soft")`` predicts."""
    if any(rows[m].get("proba") is None for m in members):
        raise ValueError(f"ensemble members {members} must all have predict_proba")
    proba = np.mean([np.asarray(rows[m]["proba"]) for m in members], axis=0)
    y_pred = classes[np.argmax(proba, axis=1)]
    row = _score(y_test, y_pred, classes)
    row.update({"fit_seconds": sum(rows[m]["fit_seconds"] for m in members),
                "predict_seconds": sum(rows[m]["predict_seconds"] for m in members),
                "epochs": None, "best_epoch": None, "val_matches_split": None, "members": list(members),
                "y_pred": y_pred.tolist(), "proba": np.round(proba, 6).tolist()})
    return row


def _fit_and_score(estimator, X_fit, y_fit, X_test, y_test, classes):
    """Fit, predict the test stars (probabilities when the model has them) and score."""
    start = time.perf_counter()
    estimator.fit(X_fit, y_fit)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    proba = None
    if hasattr(estimator, "predict_proba"):
        own = np.asarray(estimator.predict_proba(X_test))
        # predict() is the argmax of predict_proba() for these estimators; one pass instead of two.
        y_pred = np.asarray(estimator.classes_)[np.argmax(own, axis=1)]
        proba = np.zeros((len(y_test), classes.size))
        proba[:, np.searchsorted(classes, estimator.classes_)] = own
    else:
        y_pred = np.asarray(estimator.predict(X_test))
    predict_seconds = time.perf_counter() - start
    history = getattr(estimator, "history_", None)
    row = _score(y_test, y_pred, classes)
    row.update({"fit_seconds": fit_seconds, "predict_seconds": predict_seconds,
                "epochs": None if history is None else len(history),
                "best_epoch": getattr(estimator, "best_epoch_", None),
                # The networks' per-star accuracy on the split's validation stars at the kept epoch: what
                # a choice between variants may look at (the test stars are for reporting).
                "val_accuracy": _best_val_accuracy(history, getattr(estimator, "best_epoch_", None)),
                "y_pred": y_pred.tolist(),
                "proba": None if proba is None else np.round(proba, 6).tolist()})
    return row


def _best_val_accuracy(history, best_epoch):
    if not history or best_epoch is None or "val_accuracy" not in history[best_epoch]:
        return None
    return float(history[best_epoch]["val_accuracy"])


def _score(y_true, y_pred, classes):
    matrix = confusion_matrix(y_true, y_pred, labels=classes)
    totals = matrix.sum(axis=1)
    per_class = {str(c): (float(matrix[i, i] / totals[i]) if totals[i] else None) for i, c in enumerate(classes)}
    return {"accuracy": float(np.mean(y_true == y_pred)),
            "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
            "per_class_accuracy": per_class, "confusion_matrix": matrix.tolist()}


def _summarise(per_split, names, classes, reference):
    summary = {}
    ref_acc = [s["models"][reference]["accuracy"] for s in per_split]
    for name in names:
        rows = [s["models"][name] for s in per_split]
        entry = {metric: mean_std([r[metric] for r in rows])
                 for metric in ("accuracy", "balanced_accuracy", "fit_seconds", "predict_seconds", "epochs")}
        entry["per_class_accuracy"] = {str(c): mean_std([r["per_class_accuracy"][str(c)] for r in rows])
                                       for c in classes}
        entry["confusion_matrix_sum"] = np.sum([r["confusion_matrix"] for r in rows], axis=0).tolist()
        entry["accuracy_difference_to_reference"] = paired_difference([r["accuracy"] for r in rows], ref_acc)
        summary[name] = entry
    return summary


def _git_commit():
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and len(commit) == 40 else None


def _versions():
    import astropy
    import sklearn
    import torch

    from astro_cyclic import __version__

    return {"python": platform.python_version(), "astro_cyclic": __version__, "torch": torch.__version__,
            "numpy": np.__version__, "sklearn": sklearn.__version__, "astropy": astropy.__version__}


def describe_machine():
    """The machine a benchmark runs on, for its record.

    Returns
    -------
    dict
        ``platform``, ``cpu`` (the CPU model from ``/proc/cpuinfo`` where it
        exists, else :func:`platform.processor`, else None), ``cpu_count``,
        ``usable_cpus`` (those this process may run on) and ``load_average``
        (1, 5 and 15 min; None where the system has none): a busy machine
        slows every timing, so results say how busy it was.

    Examples
    --------
    >>> from harness import describe_machine
    >>> sorted(describe_machine())
    ['cpu', 'cpu_count', 'load_average', 'platform', 'usable_cpus']
    """
    cpu = platform.processor() or None
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        load = list(os.getloadavg())
    except OSError:
        load = None
    return {"platform": platform.platform(), "cpu": cpu, "cpu_count": os.cpu_count(), "usable_cpus": usable,
            "load_average": load}


def provenance_line(commit, machine):
    """One markdown line saying where a result was measured: ``commit``, and ``machine`` as
    :func:`describe_machine` gives it (how busy it was included)."""
    return (f"Commit {commit}; {machine['cpu']} ({machine['usable_cpus']} usable CPUs, "
            f"load {machine['load_average']}).")


def _machine(models):
    import torch

    cuda = torch.cuda.is_available()
    # A network's device "auto" is CUDA when torch sees one (astro_cyclic.CyclicClassifier's rule).
    devices = sorted({("cuda" if cuda else "cpu") if m.device == "auto" else str(m.device)
                      for m in models.values() if _is_network(m)})
    gpu = torch.cuda.get_device_name(0) if any(d.startswith("cuda") for d in devices) else None
    return describe_machine() | {"torch_threads": torch.get_num_threads(), "devices": devices, "gpu": gpu}


def run_benchmark(light_curves, target, models, *, splits, reference="itcn", ensembles=None, checkpoint=None,
                  progress=True, dataset=None, model_inputs=None):
    """Fit and score every model on every split; summarise as in Zhang & Bloom (2020), Table 1.

    For each split and each model, a clone of the model is fitted on the
    split's training and validation stars together and predicts its test
    stars; every model with a ``random_state`` parameter gets the split's
    seed, so a split is a reproducible draw for all models alike.

    * A :class:`~astro_cyclic.CyclicClassifier` (the networks) gets
      ``train_split=ValidationStars(...)`` naming the split's ``val`` stars,
      on which it chooses its best epoch (``val_matches_split`` is True in
      the result).
    * Other models (the random forest) need no validation set and train on
      the training and validation stars.

    Parameters
    ----------
    light_curves : list of light curves
        Any form accepted by :func:`astro_cyclic.as_light_curves`.
    target : array-like, shape (n_stars,)
        Class labels.
    models : dict
        Model name -> unfitted estimator; it is cloned, never fitted itself.
    splits : list of StarSplit
        From :func:`~astro_cyclic.model_selection.stratified_star_splits`; the same for every model.
    reference : str, default "itcn"
        Name in ``models`` whose accuracy the others are compared to, pairwise
        per split (a model or an ensemble).
    ensembles : dict, optional
        Ensemble name -> names of two or more ``models`` with ``predict_proba``:
        scored on each split from the mean of its members' test probabilities,
        which is what :class:`sklearn.ensemble.VotingClassifier` with
        ``voting="soft"`` predicts from the same fitted members, so it costs no
        further fit. Its ``fit_seconds`` is the sum of its members'.
    checkpoint : str or path-like, optional
        A JSON-lines file: every finished fit is appended to it, and the fits
        it already holds (same split, model name and parameters) are read back
        instead of run again, so a long run that is stopped resumes where it
        stopped. A row of a model of the same name with other parameters is an
        error.
    progress : bool, default True
        Show a progress bar over splits x models, naming the current model.
    dataset : str, optional
        Name of the data set, recorded in the metadata.
    model_inputs : dict, optional
        Model name -> light curves that model gets instead of
        ``light_curves``: the same stars in the same order, otherwise prepared
        (for example with searched instead of catalogue periods), so that its
        row is paired with the others over the same splits. Recorded as
        ``own_inputs`` in the model's metadata.

    Returns
    -------
    result : dict
        Plain JSON-able: ``"metadata"`` (data set, stars, classes and counts,
        git commit, versions, machine, start time, wall time, model
        parameters, reference), ``"splits"`` (per split: seed, indices, test
        labels, and per model: accuracy, balanced accuracy, per-class
        accuracy (recall), confusion matrix, fit and predict seconds, epochs,
        test predictions and probabilities, columns in ``metadata["classes"]``
        order) and ``"summary"`` (per model: mean and standard
        deviation over splits of each metric, the summed confusion matrix and
        ``accuracy_difference_to_reference``: median, 16th and 84th
        percentiles, ``plus``/``minus`` about the median, of the per-split
        differences).

    Raises
    ------
    ValueError
        When ``reference`` is not a model name, ``models`` is empty, or a
        split is malformed.
    """
    from tqdm.auto import tqdm

    from astro_cyclic import as_light_curves

    if not models:
        raise ValueError("models is empty; give at least one name -> estimator")
    if reference not in models:
        raise ValueError(f"reference {reference!r} is not one of the models {list(models)}")
    ensembles = _check_ensembles(ensembles, models)
    light_curves = as_light_curves(light_curves)
    target = np.asarray(target)
    if target.shape != (len(light_curves),):
        raise ValueError(f"{len(light_curves)} light curves but target has shape {target.shape}")
    model_inputs = dict(model_inputs or {})
    for name in model_inputs:
        if name not in models:
            raise ValueError(f"model_inputs names {name!r}, which is not one of the models {list(models)}")
        model_inputs[name] = as_light_curves(model_inputs[name])
        if len(model_inputs[name]) != len(light_curves):
            raise ValueError(f"model_inputs[{name!r}] holds {len(model_inputs[name])} light curves, not the "
                             f"{len(light_curves)} stars of light_curves")
    parts = [_check_split(split, k, target.size) for k, split in enumerate(splits)]
    if not parts:
        raise ValueError("splits is empty")
    classes, counts = np.unique(target, return_counts=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    clock = time.perf_counter()

    done = {} if checkpoint is None else _read_checkpoint(checkpoint, models)
    names = list(models) + list(ensembles)
    per_split = []
    bar = tqdm(total=len(parts) * len(models), disable=not progress, unit="fit", file=sys.stderr)
    try:
        for k, split in enumerate(parts):
            train_val, test = split.fit_stars, split.test
            y_fit, y_test = target[train_val], target[test]
            key = _split_key(k, split.seed, test)
            record = {"split": k, "seed": split.seed, "train": split.train.tolist(), "val": split.val.tolist(),
                      "test": test.tolist(), "y_test": y_test.tolist(), "models": {}}
            for name, model in models.items():
                bar.set_description(f"split {k + 1}/{len(parts)} {name}")
                if (key, name) in done:
                    record["models"][name] = done[(key, name)]
                    bar.update()
                    continue
                # The split's seed, and for the networks exactly the split's validation stars.
                estimator = clone_for_split(model, split)
                network = _is_network(estimator)
                stars = model_inputs.get(name, light_curves)
                row = _fit_and_score(estimator, [stars[i] for i in train_val], y_fit, [stars[i] for i in test], y_test,
                                     classes)
                row["val_matches_split"] = True if network else None
                record["models"][name] = row
                if checkpoint is not None:
                    _append_checkpoint(checkpoint, key, name, model, row)
                bar.update()
                bar.set_postfix_str(f"{name} accuracy {row['accuracy']:.3f}")
            for name, members in ensembles.items():
                record["models"][name] = _soft_vote(record["models"], members, y_test, classes)
            per_split.append(record)
    finally:
        bar.close()

    metadata = {
        "format": _RESULT_FORMAT, "format_version": _RESULT_VERSION, "dataset": dataset,
        "n_stars": int(target.size), "classes": classes.tolist(),
        "class_counts": {str(c): int(n) for c, n in zip(classes, counts)},
        "n_splits": len(parts),
        "split_sizes": {"train": int(parts[0].train.size), "val": int(parts[0].val.size),
                        "test": int(parts[0].test.size)},
        # Every model's random_state was replaced by these, one per split.
        "split_seeds": [split.seed for split in parts],
        "reference": reference, "git_commit": _git_commit(), "versions": _versions(), "machine": _machine(models),
        "start_time": started.isoformat(timespec="seconds"),
        # This call's wall time: fits read back from a checkpoint are not in it (their fit_seconds are).
        "wall_seconds": time.perf_counter() - clock,
        "models": {name: {"class": type(model).__name__, "params": model.get_params(deep=False)}
                   | ({"own_inputs": True} if name in model_inputs else {})
                   for name, model in models.items()}
        | {name: {"class": "soft vote (mean probability)", "members": list(members)}
           for name, members in ensembles.items()},
        "resumed_fits": sum(1 for split in per_split for name in models
                            if (_split_key(split["split"], split["seed"], split["test"]), name) in done),
    }
    result = {"metadata": metadata, "summary": _summarise(per_split, names, classes, reference),
              "splits": per_split}
    return _safe(result)


# ------------------------------------------------------------------ writing
def result_paths(folder, name):
    """The JSON, markdown and figure paths :func:`write_results` writes for ``name`` in ``folder``."""
    folder = Path(folder)
    return folder / f"{name}.json", folder / f"{name}.md", folder / f"{name}_confusion.png"


def _pct(value):
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _pm(stats):
    if stats["mean"] is None:
        return "n/a"
    return _pct(stats["mean"]) if stats["std"] is None else f"{_pct(stats['mean'])} ± {_pct(stats['std'])}"


def _diff(d, is_reference):
    if is_reference:
        return "(reference)"
    return f"{100 * d['median']:+.1f}% (+{100 * d['plus']:.1f}/-{100 * d['minus']:.1f})"


def _markdown(result):
    meta, summary = result["metadata"], result["summary"]
    classes = [str(c) for c in meta["classes"]]
    lines = [f"# Benchmark: {meta['dataset'] or 'unnamed data set'}", "",
             f"{meta['n_stars']} stars, {len(classes)} classes, {meta['n_splits']} stratified per-star splits "
             f"(train/val/test {meta['split_sizes']['train']}/{meta['split_sizes']['val']}/"
             f"{meta['split_sizes']['test']} stars); the same splits for every model. Accuracy: mean ± standard "
             f"deviation over splits. Δ accuracy: median over splits of the paired difference to "
             f"{meta['reference']}, with the 1-sigma range (16th to 84th percentile) as +/-.", ""]
    header = ["model", "accuracy", "balanced accuracy", f"Δ accuracy vs {meta['reference']}",
              *classes, "fit time (s)", "epochs"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, entry in summary.items():
        fit = entry["fit_seconds"]["mean"]
        epochs = entry["epochs"]["mean"]
        cells = [name, _pm(entry["accuracy"]), _pm(entry["balanced_accuracy"]),
                 _diff(entry["accuracy_difference_to_reference"], name == meta["reference"]),
                 *(_pct(entry["per_class_accuracy"][c]["mean"]) for c in classes),
                 f"{fit:.1f}", "" if epochs is None else f"{epochs:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Per-class columns: accuracy (recall) of each true class, mean over splits.", "",
              "## Metadata", "", "```json",
              json.dumps({k: v for k, v in meta.items() if k != "models"}, indent=2), "```", "",
              "## Models", "", "```json", json.dumps(meta["models"], indent=2), "```", ""]
    return "\n".join(lines)


def write_results(result, folder, name, overwrite=False):
    """Write a :func:`run_benchmark` result as ``<name>.json``, ``<name>.md`` and ``<name>_confusion.png``.

    The markdown file holds the table (model, accuracy mean ± std, balanced
    accuracy, paired accuracy difference to the reference: median and
    1-sigma range, per-class accuracies, fit time, epochs) and the metadata;
    the figure is the reference model's confusion matrix summed over splits.

    Parameters
    ----------
    result : dict
        From :func:`run_benchmark`.
    folder : str or path-like
        Created when missing.
    name : str
        Base name of the files.
    overwrite : bool, default False
        Replace existing files; without it nothing is written when any of the
        three exists.

    Returns
    -------
    paths : tuple of pathlib.Path
        The JSON, markdown and figure paths.

    Raises
    ------
    FileExistsError
        When a file exists and ``overwrite`` is False.
    """
    if not name or Path(name).name != name:
        raise ValueError(f"name must be a plain file name without folders, got {name!r}")
    paths = result_paths(folder, name)
    taken = [str(p) for p in paths if p.exists()]
    if taken and not overwrite:
        raise FileExistsError(f"{', '.join(taken)} already exist(s); choose another name or pass overwrite=True")
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=1, allow_nan=False)  # fails here, before any file is touched
    markdown = _markdown(result)

    from matplotlib.figure import Figure  # no pyplot: no global figure state, no GUI backend needed

    from astro_cyclic.visualization import plot_confusion_matrix

    meta = result["metadata"]
    reference = meta["reference"]
    y_true = np.concatenate([s["y_test"] for s in result["splits"]])
    y_pred = np.concatenate([s["models"][reference]["y_pred"] for s in result["splits"]])
    fig = Figure(figsize=(1.2 * len(meta["classes"]) + 3, 1.0 * len(meta["classes"]) + 2.5))
    ax = fig.add_subplot()
    plot_confusion_matrix(y_true, y_pred, labels=np.asarray(meta["classes"]), ax=ax)
    accuracy = result["summary"][reference]["accuracy"]
    ax.set_title(f"{reference} on {meta['dataset'] or 'data set'}, {meta['n_splits']} splits summed\n"
                 f"accuracy {_pm(accuracy)}", fontsize=9)
    fig.tight_layout()

    # Each file whole or not at all, so an interrupted run leaves no half file.
    write_atomically(paths[0], lambda p: p.write_text(text))
    write_atomically(paths[1], lambda p: p.write_text(markdown))
    write_atomically(paths[2], lambda p: fig.savefig(p, dpi=120, format="png"))
    return paths


# ------------------------------------------------------------------ figures
def _load_result(result):
    """A benchmark result: the dict itself, or read from the JSON file :func:`write_results` wrote."""
    if isinstance(result, (str, os.PathLike)):
        with open(result) as fh:
            result = json.load(fh)
    if not isinstance(result, dict) or not isinstance(result.get("summary"), dict) \
            or not isinstance(result.get("metadata"), dict):
        raise ValueError("result must be a benchmark result: the dict from run_benchmark, "
                         "or the path of the JSON file write_results wrote (with 'metadata' and 'summary')")
    return result


def plot_per_class_accuracy(result, *, models=None, ax=None):
    """Per-class accuracy of each model of a benchmark, as grouped bars with the spread over splits.

    One group of bars per class (the class's number of stars under its
    name), one bar per model: the mean over the splits of the accuracy
    (recall) on that class's test stars, with an error bar of one sample
    standard deviation over the splits, as in
    ``result["summary"][model]["per_class_accuracy"][class]``. A class
    missing from every test set has no bar; a single split has no error bar.

    Parameters
    ----------
    result : dict or path-like
        The result of :func:`run_benchmark`, or the
        JSON file :func:`write_results` wrote.
    models : str or sequence of str, optional
        Models to show, in this order; default all of them.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        When ``result`` is not a benchmark result, or a model is not in it
        (the message lists the models it has).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.dummy import DummyClassifier
    >>> from astro_cyclic.model_selection import stratified_star_splits
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> data = make_periodic_variables(30, classes=["RRab", "EA", "EW"], random_state=0)
    >>> models = {"guess": DummyClassifier(strategy="stratified"), "prior": DummyClassifier()}
    >>> result = run_benchmark(data.light_curves, data.target, models, reference="guess", progress=False,
    ...                        splits=stratified_star_splits(data.target, n_splits=3))
    >>> ax = plot_per_class_accuracy(result)
    >>> ax.get_ylabel()
    'accuracy on the true class (%)'
    >>> plt.close(ax.figure)
    """
    result = _load_result(result)
    summary, meta = result["summary"], result["metadata"]
    names = list(summary) if models is None else [models] if isinstance(models, str) else list(models)
    missing = [name for name in names if name not in summary]
    if missing or not names:
        problem = f"model(s) {missing} not in the benchmark result" if missing else "no model asked for"
        raise ValueError(f"{problem}; the result has: {', '.join(summary)}")
    classes = [str(c) for c in meta.get("classes") or next(iter(summary.values()))["per_class_accuracy"]]
    counts = meta.get("class_counts") or {}
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(9.0, 4.5), layout="constrained")
    width = 0.8 / len(names)
    x = np.arange(len(classes))
    top = 100.0
    for k, name in enumerate(names):
        stats = [summary[name]["per_class_accuracy"].get(c) or {} for c in classes]
        mean = np.array([np.nan if s.get("mean") is None else 100 * s["mean"] for s in stats])
        std = np.array([np.nan if s.get("std") is None else 100 * s["std"] for s in stats])
        overall = summary[name]["accuracy"]
        label = name if overall.get("mean") is None else f"{name} (all stars {100 * overall['mean']:.1f}%)"
        # NaN heights and errors are simply not drawn.
        ax.bar(x + (k - (len(names) - 1) / 2) * width, mean, width, yerr=std,
               capsize=3, color=f"C{k % 10}", label=label, error_kw={"lw": 0.8})
        reach = mean + np.nan_to_num(std)
        if np.any(np.isfinite(reach)):
            top = max(top, float(np.nanmax(reach)))
    ax.set_xticks(x, [f"{c}\n({counts[c]} stars)" if c in counts else c for c in classes], fontsize=8)
    ax.set_ylim(0, 1.05 * top)
    ax.set_ylabel("accuracy on the true class (%)")
    ax.set_xlabel("true class")
    n_splits = meta.get("n_splits")
    ax.set_title(f"{meta.get('dataset') or 'benchmark'}: mean and std over {n_splits} splits", fontsize=9)
    # Beside the bars, never over them (the constrained layout makes room for it).
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, borderaxespad=0)
    return ax
