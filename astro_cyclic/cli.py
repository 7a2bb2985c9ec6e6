"""The ``astro-cyclic`` command: demo, period, fit, predict and evaluate."""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

__all__ = ["main"]


def _print_confusion_matrix(labels, matrix):
    width = max(len(str(v)) for v in labels) + 2
    print("confusion matrix (rows: true, columns: predicted)")
    print(" " * width + "".join(f"{str(v):>{width}}" for v in labels))
    for label, row in zip(labels, matrix):
        print(f"{str(label):>{width}}" + "".join(f"{v:>{width}}" for v in row))


def demo(args):
    """Train and evaluate a classifier on a built-in or real data set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import balanced_accuracy_score, confusion_matrix
    from sklearn.model_selection import train_test_split

    from . import CyclicClassifier
    from ._validation import validate_option
    from .datasets import load_dataset
    from .datasets.registry import DATASETS
    from .io import validate_output_folder, write_atomically
    from .nn import validate_architecture
    from .visualization import plot_confusion_matrix

    args.dataset = validate_option(args.dataset, DATASETS, "dataset")  # before any work
    validate_architecture(args.architecture)
    out = validate_output_folder(args.output, overwrite=args.overwrite)
    data = load_dataset(args.dataset, data_home=args.data_home, n_stars=args.n_stars, random_state=args.seed)
    light_curves, target, name = data.light_curves, data.target, data.description
    # The paper's protocol: stratified 60/20/20 split of STARS; the estimator holds
    # out its own validation stars (0.25 of the remaining 80%).
    train_idx, test_idx = train_test_split(np.arange(len(target)), test_size=0.2, stratify=target,
                                           random_state=args.seed)
    clf = CyclicClassifier(args.architecture, segment_length=args.segment_length, max_epochs=args.epochs,
                           train_split=0.25, random_state=args.seed, n_jobs=args.n_jobs, device=args.device,
                           verbose=0 if args.quiet else 1)
    print(f"{name}: {len(target)} stars, {np.unique(target).size} classes; "
          f"training {clf.architecture} on {train_idx.size} stars ({train_idx.size // 4} for validation)")
    start = time.perf_counter()
    clf.fit([light_curves[i] for i in train_idx], target[train_idx])
    fit_seconds = time.perf_counter() - start
    y_test = target[test_idx]
    y_pred = clf.predict([light_curves[i] for i in test_idx])
    accuracy = float(np.mean(y_pred == y_test))
    balanced = float(balanced_accuracy_score(y_test, y_pred))
    majority = float(np.max(np.unique(y_test, return_counts=True)[1]) / y_test.size)

    print(f"trained in {fit_seconds:.0f} s ({len(clf.history_)} epochs, best {clf.best_epoch_})")
    print(f"per-star test accuracy: {accuracy:.3f} (balanced {balanced:.3f}, majority class {majority:.3f}) "
          f"on {y_test.size} stars")
    labels = clf.classes_
    _print_confusion_matrix(labels, confusion_matrix(y_test, y_pred, labels=labels))

    fig, ax = plt.subplots(figsize=(6, 5))
    plot_confusion_matrix(y_test, y_pred, labels=labels, ax=ax)
    ax.set_title(f"{clf.architecture} on {name}: accuracy {accuracy:.1%}")
    fig.tight_layout()
    write_atomically(out / "confusion_matrix.png", lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)
    clf.save(out / "model.pt", overwrite=args.overwrite)
    _write_demo_files(out, [light_curves[i] for i in test_idx], y_test, args.overwrite)
    metrics = {"dataset": args.dataset, "architecture": clf.architecture, "seed": args.seed,
               "n_train": int(train_idx.size), "n_test": int(test_idx.size), "accuracy": accuracy,
               "balanced_accuracy": balanced, "majority_fraction": majority, "fit_seconds": fit_seconds,
               "epochs": len(clf.history_), "best_epoch": clf.best_epoch_}
    write_atomically(out / "metrics.json", lambda tmp: tmp.write_text(json.dumps(metrics, indent=2)))
    print(f"wrote {out / 'confusion_matrix.png'}, {out / 'model.pt'}, {out / 'metrics.json'}, and the test stars "
          f"as files: {out / 'test_lightcurves'}/ and {out / 'test_stars.csv'} (try astro-cyclic predict on them)")
    return 0


def _write_demo_files(out, light_curves, labels, overwrite):
    """The demo's test stars as files, for trying the file commands: one ECSV light curve per star (without its
    period, as most survey files come) and a table of star ids, classes and catalogue periods (days)."""
    from astropy.table import Table

    from .io import write_light_curve, write_table
    from .lightcurves import StarLightCurve

    folder = out / "test_lightcurves"
    for lc in light_curves:
        write_light_curve(StarLightCurve(lc.time, lc.mag, lc.err, star_id=lc.star_id), folder / f"{lc.star_id}.ecsv",
                          overwrite=overwrite)
    write_table(Table({"star_id": [str(lc.star_id) for lc in light_curves], "class": labels,
                       "period": [lc.period for lc in light_curves]}), out / "test_stars.csv", overwrite=overwrite)


# ---------------------------------------------------------------- files in, tables out
# period, fit, predict and evaluate read light-curve files. A file that cannot be used is
# reported at once (which file, what is wrong) and skipped, so the other files still get
# their results; the exit status is then 1.

#: Stars classified per call of the network: bounds memory and drives the progress bar.
PREDICT_CHUNK = 256
#: What `astro-cyclic fit --estimator` trains.
FIT_ESTIMATORS = ("network", "hybrid", "rf", "rf-pretrained")
#: The forests among them.
_FORESTS = ("rf", "rf-pretrained")
#: The network whose features rf-pretrained takes unless --pretrained names another.
DEFAULT_PRETRAINED = "itcn-sim-asas-eros1"


class _Problems:
    """Inputs that could not be used, each reported on stderr as it is found."""

    def __init__(self):
        self.items = []

    def add(self, path, message):
        from tqdm.auto import tqdm

        self.items.append((str(path), message))
        tqdm.write(f"astro-cyclic: error: {path}: {message}", file=sys.stderr)

    def exit_status(self, n_inputs):
        if not self.items:
            return 0
        print(f"astro-cyclic: {len(self.items)} problem(s) with {n_inputs} input file(s); the files named "
              "above were left out", file=sys.stderr)
        return 1


class _Star:
    """A prepared star (cleaned light curve, period, period source) and the file it came from."""

    __slots__ = ("prepared", "path")

    def __init__(self, prepared, path):
        self.prepared, self.path = prepared, path


def _input_files(args, problems):
    from .io import find_light_curve_files, validate_file_format

    if args.format.lower() != "auto":  # checked once, before any file (auto is resolved per file)
        validate_file_format(args.format)
    files = []
    for name in args.inputs:
        path = Path(name)
        if path.is_dir():
            found = find_light_curve_files(path, format=args.format)
            if not found:
                problems.add(path, "no light-curve files in this folder (see --format for the suffixes read)")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.add(path, "no such file or folder")
    return list(dict.fromkeys(files))  # a file named twice is read once


def _load_stars(args, files, problems, *, min_points, search, periods=None, catalogue=True):
    """Read and prepare (clean, give a period to) every star in ``files``.

    The period is the one in ``periods`` (the --period-table) for the star, else the
    one its file carries (when ``catalogue``), else found by ``search``.
    """
    from ._threads import thread_limits

    with thread_limits(args.n_jobs):  # the period search's least squares run on BLAS
        return _read_and_prepare(args, files, problems, min_points, search, periods, catalogue)


def _read_and_prepare(args, files, problems, min_points, search, periods, catalogue):
    from tqdm.auto import tqdm

    from .io import read_light_curves
    from .prepare import prepare_light_curve

    columns = {name: getattr(args, name) for name in ("time_column", "mag_column", "flux_column", "err_column",
                                                      "id_column", "band_column")}
    stars = []
    for path in tqdm(files, desc="reading light curves, finding periods", unit="file", disable=args.quiet,
                     file=sys.stderr):
        try:
            light_curves = read_light_curves(path, format=args.format, **columns)
        except (ValueError, FileNotFoundError) as exc:
            problems.add(path, str(exc))
            continue
        for lc in light_curves:
            if not catalogue:  # the search's period, not the file's (all its bands kept)
                lc = lc.with_period(None)
            try:
                prepared = prepare_light_curve(lc, period_search=search, min_points=min_points,
                                               period=None if periods is None else periods.get(lc.star_id))
            except ValueError as exc:
                problems.add(path, str(exc))
                continue
            stars.append(_Star(prepared, path))
    return stars


def _period_search(args):
    """The PeriodSearch the options ask for, or None when they are all at their defaults."""
    from .period import PeriodSearch, validate_period_method

    # Checked here, once, rather than failing on every star.
    validate_period_method(args.period_method)
    if not args.min_period > 0 or (args.max_period is not None and not args.max_period > args.min_period):
        raise ValueError(f"need 0 < --min-period < --max-period, got {args.min_period} and {args.max_period} days")
    settings = {"method": args.period_method, "min_period": args.min_period, "max_period": args.max_period}
    return None if settings == {"method": "auto", "min_period": 0.05, "max_period": None} \
        else PeriodSearch(**settings)


def _catalogue_periods(args):
    if args.period_table is None:
        return None
    from astropy import units as u

    from .io import read_star_table

    return read_star_table(args.period_table, args.period_column, id_column=args.table_id_column, unit=u.day)


def _labelled(stars, labels, label_path, problems):
    """The stars that have a label, and their labels; the others are reported in one message."""
    kept = [star for star in stars if star.prepared.star_id in labels]
    missing = [star for star in stars if star.prepared.star_id not in labels]
    if missing:
        shown = ", ".join(f"{s.prepared.star_id!r} ({s.path})" for s in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        problems.add(label_path, f"{len(missing)} star(s) have no label there and were left out: {shown}{more}")
    return kept, np.array([labels[star.prepared.star_id] for star in kept])


def _predict_proba(clf, stars, quiet):
    from tqdm.auto import tqdm

    parts = []
    with tqdm(total=len(stars), desc="classifying", unit="star", disable=quiet, file=sys.stderr) as bar:
        for start in range(0, len(stars), PREDICT_CHUNK):  # the network or the forest, a chunk at a time
            parts.append(clf.predict_proba([star.prepared for star in stars[start:start + PREDICT_CHUNK]]))
            bar.update(len(parts[-1]))
    return np.concatenate(parts)


def _with_files(table, stars):
    """``table`` (a row per star) with the file each star came from, after ``star_id``."""
    table.add_column([str(star.path) for star in stars], name="file", index=1)
    return table


def _star_table(stars):
    """The stars' id, file, points, period and its source."""
    from ._classifier import star_table

    return _with_files(star_table([star.prepared for star in stars]), stars)


def _prediction_table(stars, clf, proba, model_path):
    """``predict_table``'s table (columns and metadata), with the file each star came from and the model file."""
    from ._classifier import prediction_table

    table = _with_files(prediction_table([star.prepared for star in stars], clf, proba), stars)
    table.meta["model_file"] = str(model_path)
    return table


def _emit(table, path, overwrite):
    """Write ``table`` to ``path``, or as CSV to stdout when there is no path."""
    from .io import write_table

    if path is None:
        table.write(sys.stdout, format="ascii.csv")
        return
    write_table(table, path, overwrite=overwrite)
    print(f"wrote {len(table)} rows to {path}")


def _checked_output(path, overwrite, suffixes=None):
    """Refuse an output before any work (io.validate_output_path: wrong suffix, or an existing file without
    --overwrite); None when there is no output path. ``suffixes`` default to the table formats."""
    from .io import TABLE_OUTPUT_FORMATS, validate_output_path

    if path is None:
        return None
    return validate_output_path(path, overwrite=overwrite, suffixes=suffixes or tuple(TABLE_OUTPUT_FORMATS))


def period(args):
    """Find the period of every star in the given files."""
    from .period import PeriodSearch

    output = _checked_output(args.output, args.overwrite)
    search = _CandidateRecorder(_period_search(args) or PeriodSearch())
    problems = _Problems()
    files = _input_files(args, problems)
    stars = _load_stars(args, files, problems, min_points=args.min_points, search=search, catalogue=False)
    if stars:
        table = _star_table(stars)
        del table["period_source"]  # always "search" here
        # Every star here was searched, once, in order: its candidates are the recorder's, in the same order.
        chosen = [candidates[0] for candidates in search.tables]
        table["period_uncertainty"] = [row["uncertainty"] for row in chosen]
        table["period_uncertainty"].unit = table["period"].unit
        table["false_alarm_probability"] = [row["false_alarm_probability"] for row in chosen]
        table["flags"] = [row["flags"] for row in chosen]
        table["other_periods"] = [" ".join(f"{p:.6g}" for p in candidates["period"].value[1:])
                                  for candidates in search.tables]
        table.meta["description"] = (
            "Periods (days) found by astro-cyclic period, with their 1-sigma uncertainty, the false-alarm "
            "probability of the peak (Baluev 2008), flags (doubled: twice the periodogram peak, as for "
            "eclipsing binaries; daily: near 1, 2 or 3 cycles per day, where the daily alias of a long "
            "period lands) and the other candidate periods (days), best first")
        _emit(table, output, args.overwrite)
    return problems.exit_status(len(files))


class _CandidateRecorder:
    """A period search that keeps every star's candidate table (astro_cyclic.period.period_candidates)."""

    def __init__(self, search):
        self.search = search
        self.tables = []

    def __call__(self, lc):
        table = self.search.candidates(lc)
        self.tables.append(table)
        return float(table["period"][0])  # days


def fit(args):
    """Train a network on labelled light-curve files and save it."""
    from collections import Counter

    from sklearn.base import clone

    from . import CyclicClassifier, PretrainedFeatures, RichardsForestClassifier
    from .io import read_star_table, validate_output_path
    from .nn import validate_architecture
    from .period import PeriodSearch

    validate_architecture(args.architecture)  # before the files are read and their periods searched
    if args.distributed and args.estimator in _FORESTS:
        raise ValueError(f"--distributed trains networks; the random forest (--estimator {args.estimator}) uses "
                         "--n-jobs")
    if args.distributed and "WORLD_SIZE" not in os.environ:
        raise ValueError("--distributed trains on the processes that torchrun starts; run it as torchrun "
                         "--nproc-per-node N -m astro_cyclic.cli fit ... --distributed")
    model = validate_output_path(args.model, overwrite=args.overwrite, suffixes=None)  # before training, not after
    labels = read_star_table(args.labels, args.class_column, id_column=args.table_id_column)
    periods = _catalogue_periods(args)
    search = _period_search(args)
    class_weight = None if args.class_weight == "none" else args.class_weight
    if args.pretrained is not None and args.estimator != "rf-pretrained":
        raise ValueError(f"--pretrained gives rf-pretrained its network; --estimator {args.estimator} takes none")
    if args.estimator in _FORESTS:
        extra = None
        if args.estimator == "rf-pretrained":
            extra = PretrainedFeatures(args.pretrained or DEFAULT_PRETRAINED)
            clone(extra).fit()  # an unknown model name or file is said before the files are read
        clf = RichardsForestClassifier(class_weight=class_weight, period_search=search, min_points=args.min_points,
                                       extra_features=extra, random_state=args.seed, n_jobs=args.n_jobs)
    else:
        clf = CyclicClassifier(args.architecture, segment_length=args.segment_length, max_epochs=args.epochs,
                               batch_size=args.batch_size, train_split=args.validation_fraction or None,
                               class_weight=class_weight, period_search=search, min_points=args.min_points,
                               star_features="richards" if args.estimator == "hybrid" else None,
                               device=args.device, random_state=args.seed, n_jobs=args.n_jobs,
                               verbose=0 if args.quiet else 1, distributed=args.distributed)
    problems = _Problems()
    files = _input_files(args, problems)
    stars = _load_stars(args, files, problems, min_points=args.min_points, search=search or PeriodSearch(),
                        periods=periods)
    stars, y = _labelled(stars, labels, args.labels, problems)
    if not stars:
        raise ValueError("no labelled light curve could be used; nothing to train on")
    counts = ", ".join(f"{label} {n}" for label, n in sorted(Counter(y.tolist()).items()))
    # Under torchrun every process reads the files and trains; the first reports and writes.
    if _rank() == 0:
        print(f"training {_describe(clf)} on {len(stars)} stars ({counts})")
    start = time.perf_counter()
    clf.fit([star.prepared for star in stars], y)
    seconds = time.perf_counter() - start
    if _rank() == 0:
        clf.save(model, overwrite=args.overwrite)
        if args.estimator in _FORESTS:
            print(f"trained in {seconds:.0f} s ({clf.n_estimators} trees); wrote {model}")
        else:
            processes = f" on {clf.device_}" if not args.distributed else f", {_world_size()} processes"
            print(f"trained in {seconds:.0f} s ({len(clf.history_)} epochs, best {clf.best_epoch_}{processes}); "
                  f"wrote {model}")
    _leave_process_group()
    return problems.exit_status(len(files))


def _describe(clf):
    """How the messages name a model: its network (and "hybrid"), or the random forest."""
    if not hasattr(clf, "architecture"):
        if clf.extra_features is not None:
            return f"random forest (Richards features and the {clf.extra_features.model} network's features)"
        return "random forest (Richards features)"
    return f"{clf.architecture}{' hybrid (Richards features)' if clf.star_features is not None else ''}"


def _load_model(path, device):
    """The classifier a model file holds: a network (CyclicClassifier, the hybrid) or a random forest."""
    from . import CyclicClassifier, RichardsForestClassifier
    from ._persistence import model_file_format

    if model_file_format(path) == "astro_cyclic.RichardsForestClassifier":
        return RichardsForestClassifier.load(path)
    return CyclicClassifier.load(path, device=device)


def _rank():
    """This process's rank under torchrun (which sets RANK before the process group exists), else 0."""
    return int(os.environ.get("RANK", "0"))


def _world_size():
    return int(os.environ.get("WORLD_SIZE", "1"))


def _leave_process_group():
    """After training under torchrun: wait until rank 0 has written its files, then leave the group."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def predict(args):
    """Class probabilities for the stars in the given files, from a saved model."""
    from .period import PeriodSearch

    output = _checked_output(args.output, args.overwrite)
    clf = _load_model(args.model, args.device).set_params(n_jobs=args.n_jobs)
    periods = _catalogue_periods(args)
    problems = _Problems()
    files = _input_files(args, problems)
    stars = _load_stars(args, files, problems, min_points=clf.min_points,
                        search=clf.period_search or PeriodSearch(), periods=periods)
    if stars:
        proba = _predict_proba(clf, stars, args.quiet)
        _emit(_prediction_table(stars, clf, proba, args.model), output, args.overwrite)
    return problems.exit_status(len(files))


def evaluate(args):
    """Score a saved model on labelled light-curve files."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    from . import __version__
    from .io import read_star_table, write_atomically, write_table
    from .period import PeriodSearch

    output = _checked_output(args.output, args.overwrite, suffixes=(".json",))
    predictions = _checked_output(args.predictions, args.overwrite)
    labels = read_star_table(args.labels, args.class_column, id_column=args.table_id_column)
    clf = _load_model(args.model, args.device).set_params(n_jobs=args.n_jobs)
    periods = _catalogue_periods(args)
    problems = _Problems()
    files = _input_files(args, problems)
    stars = _load_stars(args, files, problems, min_points=clf.min_points,
                        search=clf.period_search or PeriodSearch(), periods=periods)
    stars, y_true = _labelled(stars, labels, args.labels, problems)
    if not stars:
        raise ValueError("no labelled light curve could be used; nothing to evaluate")
    proba = _predict_proba(clf, stars, args.quiet)
    classes = np.array([str(v) for v in clf.classes_])
    y_pred = classes[np.argmax(proba, axis=1)]
    # Rows and columns: every class the model knows plus any true class it never saw (always wrong).
    unseen = sorted(set(y_true.tolist()) - set(classes.tolist()))
    names = classes.tolist() + unseen
    matrix = confusion_matrix(y_true, y_pred, labels=names)
    accuracy = float(accuracy_score(y_true, y_pred))
    # sklearn's balanced accuracy (the mean recall of the true classes), from the matrix: its
    # balanced_accuracy_score warns whenever the model predicts a class absent from the truth.
    present = matrix.sum(axis=1) > 0
    balanced = float(np.mean(np.diag(matrix)[present] / matrix.sum(axis=1)[present]))
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=names, zero_division=0)
    per_class = {name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(n)}
                 for name, p, r, f, n in zip(names, precision, recall, f1, support)}
    print(f"{len(stars)} stars, {int(present.sum())} true classes; model {args.model} ({_describe(clf)})")
    print(f"per-star accuracy: {accuracy:.3f} (balanced {balanced:.3f})")
    if unseen:
        print(f"classes the model never saw (always counted wrong): {', '.join(unseen)}")
    _print_confusion_matrix(names, matrix)
    if output is not None:
        metrics = {"model": str(args.model), "astro_cyclic_version": __version__, "n_stars": len(stars),
                   "accuracy": accuracy, "balanced_accuracy": balanced, "per_class": per_class, "labels": names,
                   "confusion_matrix": matrix.tolist(), "unseen_classes": unseen, "problems": len(problems.items)}
        write_atomically(output, lambda tmp: tmp.write_text(json.dumps(metrics, indent=2)))
        print(f"wrote {output}")
    if predictions is not None:
        table = _prediction_table(stars, clf, proba, args.model)
        table["true_class"] = y_true
        write_table(table, predictions, overwrite=args.overwrite)
        print(f"wrote {len(table)} rows to {predictions}")
    return problems.exit_status(len(files))


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def _fraction(text):
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {value}")
    return value


# The option declarations name the choices of the package's registries (astro_cyclic.io.FILE_FORMATS,
# astro_cyclic.period.PERIOD_METHODS, astro_cyclic.nn.ARCHITECTURES) in their help instead of importing
# them: those modules import astropy, scikit-learn and torch, and --help must answer at once. The
# registries' own validators check the values when a command runs, before any work, and their errors
# list the valid names; tests/test_cli.py checks that the help texts name every registered choice.

def _add_input_options(p):
    g = p.add_argument_group("light-curve files")
    g.add_argument("inputs", nargs="+", metavar="PATH",
                   help="light-curve files, or folders searched recursively for them")
    g.add_argument("--format", default="auto",
                   help="file format: auto, csv, ecsv, ascii or fits; auto (default) goes by the suffix: .csv; .ecsv; "
                        ".dat, .txt, .tbl (ascii); "
                        ".fits, .fit, .fts, optionally .gz (FITS tables, and Kepler/K2/TESS light curves read "
                        "with lightkurve)")
    g.add_argument("--time-column", default=None,
                   help="column of the times (default: the first of time, TIME, t, mjd, hjd, bjd, jd, ...); "
                        "plain numbers are days")
    g.add_argument("--mag-column", default=None, help="column of the magnitudes (default: mag, magnitude, ...)")
    g.add_argument("--flux-column", default=None,
                   help="column of the fluxes, used when there are no magnitudes (default: flux, pdcsap_flux, ...)")
    g.add_argument("--err-column", default=None, help="column of the magnitude or flux errors (default: mag_err, "
                                                      "err, flux_err, ...)")
    g.add_argument("--band-column", default="band",
                   help="column of the band of each observation (default band): a file with it holds multi-band "
                        "light curves, one period per star from all its bands")
    g.add_argument("--id-column", default=None,
                   help="column of star ids: a file with it may hold many stars. Otherwise a star's id is the "
                        "file's OBJECT header (or star_id metadata), else the file name without its suffix")
    _add_run_options(g)


# Options that several sub-commands share, each declared once.
def _add_run_options(p):
    """-q/--quiet and --n-jobs: how a command runs, not what it computes."""
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument("--n-jobs", type=int, default=None, metavar="N",
                   help="CPU threads for the network and the numerical libraries (default 1, which stays fast on "
                        "a busy machine; -1: every core)")


def _add_device_option(p):
    p.add_argument("--device", default="auto", help="auto (default: CUDA when available), cpu or cuda")


def _add_overwrite_option(p, what):
    p.add_argument("--overwrite", action="store_true", help=f"replace {what}; without it nothing is replaced")


def _add_min_points_option(p):
    p.add_argument("--min-points", type=_positive_int, default=10,
                   help="fewest usable points a star needs (default 10)")


def _add_network_options(p):
    """What the network is and how long it trains: demo and fit."""
    p.add_argument("--architecture", default="itcn",
                   help="network: itcn (default), iresnet, tcn, resnet, gru or lstm")
    p.add_argument("--segment-length", type=_positive_int, default=200, help="points per segment, L (default 200)")
    p.add_argument("--epochs", type=_positive_int, default=40, help="maximum training epochs (default 40)")
    p.add_argument("--seed", type=int, default=0, help="seed of the data split and the training (default 0)")
    _add_device_option(p)


def _add_period_search_options(p):
    g = p.add_argument_group("period search (stars without a catalogue period)")
    g.add_argument("--period-method", default="auto",
                   help="Lomb-Scargle method: auto, fastnifty or fast (default auto: fastnifty when nifty-ls is "
                        "installed, else fast)")
    g.add_argument("--min-period", type=float, default=0.05, help="shortest period searched, days (default 0.05)")
    g.add_argument("--max-period", type=float, default=None,
                   help="longest period searched, days (default: each light curve's time span)")


def _add_table_options(p, labels):
    g = p.add_argument_group("tables of stars")
    if labels:
        g.add_argument("--labels", required=True, metavar="TABLE",
                       help="CSV/ECSV table of the stars' classes, one row per star")
        g.add_argument("--class-column", default="class", help="column of the classes in --labels (default class)")
    g.add_argument("--period-table", default=None, metavar="TABLE",
                   help="CSV/ECSV table of catalogue periods; stars not in it get their period searched")
    g.add_argument("--period-column", default="period",
                   help="column of the periods in --period-table, days unless the ECSV declares a unit "
                        "(default period)")
    g.add_argument("--table-id-column", default=None,
                   help="column of the star ids in the tables (default: the first of star_id, id, filename, "
                        "name, object, ...)")


def _add_fit_parsers(sub):
    """The period, fit, predict and evaluate sub-commands."""
    files_epilog = ("A file that cannot be used is reported on stderr (which file, what is wrong) and left out; the "
                    "others still get their results, and the exit status is then 1. Outputs are never replaced "
                    "without --overwrite.")
    p = sub.add_parser("period", help="find the period of every star in a set of light-curve files",
                       description="Find each star's period (Lomb-Scargle periodogram, best of its highest peaks "
                                   "under a harmonic model, doubled for eclipsing binaries) and write star_id, file, "
                                   "n_points, period (days).",
                       epilog="example: astro-cyclic period lightcurves/ --output periods.ecsv. " + files_epilog)
    _add_input_options(p)
    _add_period_search_options(p)
    _add_min_points_option(p)
    p.add_argument("-o", "--output", default=None,
                   help="table to write, .csv or .ecsv (default: CSV on standard output)")
    _add_overwrite_option(p, "an existing output file")
    p.set_defaults(func=period)

    p = sub.add_parser("fit", help="train a classifier on labelled light-curve files and save it",
                       description="Train a cyclic-permutation invariant network (or a baseline network, the "
                                   "hybrid, or the random forest on Richards features) on the stars of the given "
                                   "files, labelled by a table of star ids and classes, and save it for "
                                   "astro-cyclic predict and evaluate. Periods come from --period-table, from the "
                                   "files' metadata, or are searched.",
                       epilog="example: astro-cyclic fit lightcurves/ --labels classes.csv --model model.pt. "
                              + files_epilog)
    _add_input_options(p)
    _add_table_options(p, labels=True)
    _add_period_search_options(p)
    g = p.add_argument_group("model")
    g.add_argument("--model", required=True, help="file to write the trained model to (e.g. model.pt)")
    g.add_argument("--estimator", default="network", choices=list(FIT_ESTIMATORS),
                   help="network (default: --architecture), hybrid (the network with the stars' Richards "
                        "features among its inputs), rf (random forest on Richards features, 500 trees; the "
                        "network options do not apply) or rf-pretrained (the forest given also the frozen "
                        "--pretrained network's features)")
    g.add_argument("--pretrained", default=None,
                   help="rf-pretrained: a shipped pretrained model's name or a model file written by "
                        f"CyclicClassifier.save (default {DEFAULT_PRETRAINED})")
    _add_network_options(g)
    g.add_argument("--batch-size", type=_positive_int, default=64, help="segments per training batch (default 64)")
    g.add_argument("--validation-fraction", type=_fraction, default=0.2,
                   help="fraction of the stars held out to choose the best epoch (default 0.2; 0: keep the last)")
    g.add_argument("--class-weight", default="none", choices=["none", "balanced"],
                   help="weights of the classes in the loss (default none)")
    _add_min_points_option(g)
    g.add_argument("--distributed", action="store_true",
                   help="train on the processes torchrun started (DistributedDataParallel; gloo on CPUs, NCCL on "
                        "GPUs), e.g. torchrun --nproc-per-node 2 -m astro_cyclic.cli fit ... --distributed; "
                        "the first process writes the model")
    _add_overwrite_option(g, "an existing model file")
    p.set_defaults(func=fit)

    p = sub.add_parser("predict", help="class probabilities for light-curve files from a saved model",
                       description="Classify the stars of the given files with a model saved by astro-cyclic fit "
                                   "(CyclicClassifier or RichardsForestClassifier .save) and write one row per "
                                   "star: star_id, file, n_points, period (days), period_source, period_flags (how a "
                                   "searched period was chosen), predicted_class and proba_<class> for each class.",
                       epilog="example: astro-cyclic predict lightcurves/ --model model.pt --output "
                              "predictions.ecsv. " + files_epilog)
    _add_input_options(p)
    _add_table_options(p, labels=False)
    p.add_argument("--model", required=True, help="model file written by astro-cyclic fit")
    p.add_argument("-o", "--output", default=None,
                   help="table to write, .csv or .ecsv (default: CSV on standard output)")
    _add_device_option(p)
    _add_overwrite_option(p, "an existing output file")
    p.set_defaults(func=predict)

    p = sub.add_parser("evaluate", help="score a saved model on labelled light-curve files",
                       description="Classify the stars of the given files with a saved model and compare with their "
                                   "labels: per-star accuracy, balanced accuracy (mean recall of the classes) and "
                                   "the confusion matrix, printed; optionally written as JSON (--output) with the "
                                   "per-star predictions as a table (--predictions).",
                       epilog="example: astro-cyclic evaluate test_lightcurves/ --labels classes.csv --model "
                              "model.pt --output metrics.json. " + files_epilog)
    _add_input_options(p)
    _add_table_options(p, labels=True)
    p.add_argument("--model", required=True, help="model file written by astro-cyclic fit")
    p.add_argument("-o", "--output", default=None, help="JSON file for the metrics and confusion matrix")
    p.add_argument("--predictions", default=None, help="table of per-star predictions to write, .csv or .ecsv")
    _add_device_option(p)
    _add_overwrite_option(p, "existing output files")
    p.set_defaults(func=evaluate)


def build_parser():
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="astro-cyclic", description="Classify periodic variable stars with cyclic-permutation invariant networks.")
    parser.add_argument("--version", action="version", version=f"astro-cyclic {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="train and evaluate a classifier on a built-in or real data set",
                       description="Train a classifier on a stratified 60/20/20 per-star split and report its "
                                   "per-star test accuracy, a confusion matrix, a figure and the saved model.")
    p.add_argument("--dataset", default="synthetic",
                   help="synthetic (default, no data needed), eros1 (red band, catalogue periods), eros1_2band "
                        "(blue and red) or asas (periods searched); see astro_cyclic.datasets.DATASETS")
    p.add_argument("--data-home", default=None,
                   help="folder holding the survey data (default: $ASTRO_CYCLIC_DATA or ~/.astro_cyclic/data)")
    p.add_argument("--output", default="astro_cyclic_output", help="folder for the figure, model and metrics")
    _add_overwrite_option(p, "files in a non-empty output folder")
    _add_network_options(p)
    p.add_argument("--n-stars", type=_positive_int, default=700, help="stars in the synthetic survey (default 700)")
    _add_run_options(p)
    p.set_defaults(func=demo)
    _add_fit_parsers(sub)

    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, OSError) as exc:  # bad input, a missing or existing file, a full disk: said, not traced
        print(f"astro-cyclic: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
