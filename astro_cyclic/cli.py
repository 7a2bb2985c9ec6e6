"""The ``astro-cyclic`` command."""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

__all__ = ["main"]

DEMO_DATASETS = ("synthetic", "eros1")
BENCHMARK_DATASETS = ("eros1", "asas", "synthetic")
BENCHMARK_MODELS = ("itcn", "iresnet", "tcn", "resnet", "gru", "lstm", "rf", "hybrid")
#: Soft-vote ensembles scored from their members' probabilities whenever all members run (no further fits).
BENCHMARK_ENSEMBLES = {"itcn+rf": ("itcn", "rf"), "hybrid+rf": ("hybrid", "rf")}

# How to run the paper's protocol, and what it costs: shown by ``astro-cyclic benchmark --help``.
BENCHMARK_DESCRIPTION = """\
Run the benchmark protocol of Zhang & Bloom (2020), Table 1: the same N randomised, stratified
60/20/20 train/validation/test splits of the STARS for every model; per-star test accuracy, balanced
accuracy, per-class accuracy and confusion matrices; mean and standard deviation over splits; and each
model's accuracy minus the reference's (itcn, else the first model), paired within splits: median
and 1-sigma (16th-84th percentile) range. Networks validate on the split's validation stars to choose
their best epoch; the random forest trains on training plus validation stars. Writes NAME.json,
NAME.md and NAME_confusion.png to --output.

Models: the six networks, rf (random forest on Richards et al. 2011 features) and hybrid (the iTCN
with the star's Richards features among its auxiliary inputs). When all their members run, the
soft-vote ensembles itcn+rf and hybrid+rf (mean of the members' probabilities, as sklearn's
VotingClassifier(voting="soft")) are scored too, at no further cost. Every finished fit is appended
to OUTPUT/NAME.checkpoint.jsonl, and a run started again with the same options resumes from it.

The full protocol (all eight models, 8 splits, 100 epochs at most) is

    astro-cyclic benchmark --dataset eros1 --data-home DATA

(or python benchmarks/paper_protocol.py --dataset eros1 from the repository root). It trains 56
networks (7 x 8 splits) on 2,913 stars each and takes hours on a 2-core CPU: one epoch of one
network on EROS-1 took 3-13 s there (itcn about 4 s), so up to 100 epochs each makes roughly 5-15 h,
plus about 2 min per split for the random forest (its Richards features). Time a small run first,
e.g. --models itcn,rf --n-splits 1 --max-epochs 2 (about 2 min), and scale by epochs, models and
splits. A CUDA GPU is used automatically when torch sees one (--device).
"""


def _output_dir(path, overwrite):
    """Create the output folder; refuse a non-empty one unless ``overwrite``."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise SystemExit(f"astro-cyclic: error: output {path} exists and is not a folder")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise SystemExit(f"astro-cyclic: error: output folder {path} is not empty; choose another with "
                         "--output or pass --overwrite to replace its files")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _load_demo_data(args):
    from .datasets import load_eros1, make_periodic_variables

    if args.dataset == "synthetic":
        data = make_periodic_variables(args.n_stars, random_state=args.seed)
        return data.light_curves, data.target, "synthetic survey"
    data = load_eros1(data_home=args.data_home, band="r")
    return data.light_curves, data.target, "EROS-1 red band"


def demo(args):
    """Train and evaluate a classifier on a built-in or real data set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import balanced_accuracy_score, confusion_matrix
    from sklearn.model_selection import train_test_split

    from . import CyclicClassifier
    from .visualization import plot_confusion_matrix

    out = _output_dir(args.output, args.overwrite)
    light_curves, target, name = _load_demo_data(args)
    # The paper's protocol: stratified 60/20/20 split of STARS; the estimator holds
    # out its own validation stars (0.25 of the remaining 80%).
    train_idx, test_idx = train_test_split(np.arange(len(target)), test_size=0.2, stratify=target,
                                           random_state=args.seed)
    clf = CyclicClassifier(args.architecture, segment_length=args.segment_length, max_epochs=args.epochs,
                           validation_fraction=0.25, random_state=args.seed, verbose=args.verbose)
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
    matrix = confusion_matrix(y_test, y_pred, labels=labels)
    width = max(len(str(v)) for v in labels) + 2
    print("confusion matrix (rows: true, columns: predicted)")
    print(" " * width + "".join(f"{str(v):>{width}}" for v in labels))
    for label, row in zip(labels, matrix):
        print(f"{str(label):>{width}}" + "".join(f"{v:>{width}}" for v in row))

    fig, ax = plt.subplots(figsize=(6, 5))
    plot_confusion_matrix(y_test, y_pred, labels=labels, ax=ax)
    ax.set_title(f"{clf.architecture} on {name}: accuracy {accuracy:.1%}")
    fig.tight_layout()
    fig.savefig(out / "confusion_matrix.png", dpi=120)
    plt.close(fig)
    clf.save(out / "model.pt", overwrite=args.overwrite)
    metrics = {"dataset": args.dataset, "architecture": clf.architecture, "seed": args.seed,
               "n_train": int(train_idx.size), "n_test": int(test_idx.size), "accuracy": accuracy,
               "balanced_accuracy": balanced, "majority_fraction": majority, "fit_seconds": fit_seconds,
               "epochs": len(clf.history_), "best_epoch": clf.best_epoch_}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(f"wrote {out / 'confusion_matrix.png'}, {out / 'model.pt'} and {out / 'metrics.json'}")
    return 0


def _load_benchmark_data(args, progress):
    """Light curves, labels and a description of the benchmark's data set."""
    from .datasets import load_asas_richards2012, load_eros1, make_periodic_variables

    if args.dataset == "synthetic":
        data = make_periodic_variables(args.n_stars, random_state=args.seed)
        return data.light_curves, data.target, f"synthetic survey ({args.n_stars} stars, seed {args.seed})"
    if args.dataset == "eros1":
        data = load_eros1(data_home=args.data_home, band="r")
        return data.light_curves, data.target, "EROS-1 red band (catalogue periods)"
    data = load_asas_richards2012(data_home=args.data_home, min_class_size=args.min_class_size)
    return (_with_searched_periods(data.light_curves, progress), data.target,
            f"ASAS (Richards et al. 2012), classes with >= {args.min_class_size} stars (searched periods)")


def _with_searched_periods(light_curves, progress):
    """Attach the package's period search result to light curves that carry no period.

    Every model would run the same default search on every fit and prediction; doing it
    once here spares (models x splits x 2) searches and gives every model the same periods.
    """
    from tqdm.auto import tqdm

    from .lightcurves import clean_light_curve
    from .period import PeriodSearch

    search = PeriodSearch()
    out = []
    for lc in tqdm(light_curves, desc="period search", disable=not progress, file=sys.stderr):
        out.append(lc if lc.period is not None else lc.with_period(search(clean_light_curve(lc))))
    return out


def _benchmark_models(args, feature_cache):
    """The models named by --models, and the ensembles all of whose members are among them."""
    from . import CyclicClassifier, RichardsForestClassifier
    from .features import RichardsFeatures

    names = [name.strip().lower() for name in args.models.split(",") if name.strip()]
    unknown = sorted(set(names) - set(BENCHMARK_MODELS))
    if unknown or not names:
        raise ValueError(f"unknown model(s) {unknown} in --models; choose from {', '.join(BENCHMARK_MODELS)}")
    if len(set(names)) != len(names):
        raise ValueError(f"--models names a model twice: {args.models}")
    models = {}
    for name in names:
        if name == "rf":
            models[name] = RichardsForestClassifier(random_state=args.seed, memory=feature_cache)
            continue
        # random_state is replaced by each split's seed in run_benchmark.
        kwargs = {} if args.max_epochs is None else {"max_epochs": args.max_epochs}
        if name == "hybrid":
            # The iTCN with the star's Richards features among its auxiliary inputs.
            kwargs["star_features"] = RichardsFeatures(memory=feature_cache)
        models[name] = CyclicClassifier("itcn" if name == "hybrid" else name, device=args.device,
                                        random_state=args.seed, **kwargs)
    ensembles = {name: members for name, members in BENCHMARK_ENSEMBLES.items()
                 if all(member in models for member in members)}
    return models, ensembles


def benchmark(args):
    """Run the paper's benchmark protocol (Table 1) and write its results."""
    from .benchmark import result_paths, run_benchmark, stratified_star_splits, write_results

    name = args.name or f"benchmark_{args.dataset}"
    # Refuse before hours of training, not after.
    taken = [str(p) for p in result_paths(args.output, name) if p.exists()]
    if taken and not args.overwrite:
        raise SystemExit(f"astro-cyclic: error: {', '.join(taken)} exist(s); choose another --name or --output, "
                         "or pass --overwrite")
    progress = not args.quiet
    Path(args.output).mkdir(parents=True, exist_ok=True)
    checkpoint = Path(args.output) / f"{name}.checkpoint.jsonl"
    # Features are cached per star, so the forest and the hybrid compute each star once for all splits.
    feature_cache = str(Path(args.cache_dir) if args.cache_dir else Path(args.output) / ".cache" / name)
    models, ensembles = _benchmark_models(args, feature_cache)
    light_curves, target, description = _load_benchmark_data(args, progress)
    splits = stratified_star_splits(target, n_splits=args.n_splits, random_state=args.seed)
    reference = "itcn" if "itcn" in models else next(iter(models))
    classes = np.unique(target)
    print(f"{description}: {len(target)} stars, {classes.size} classes; {len(splits)} splits x "
          f"{len(models)} models ({', '.join(models)}); ensembles: {', '.join(ensembles) or 'none'}; "
          f"reference {reference}; checkpoint {checkpoint}")
    result = run_benchmark(light_curves, target, models, splits=splits, reference=reference, ensembles=ensembles,
                           checkpoint=checkpoint, progress=progress, dataset=description)
    paths = write_results(result, args.output, name, overwrite=args.overwrite)
    for model, entry in result["summary"].items():
        acc, diff = entry["accuracy"], entry["accuracy_difference_to_reference"]
        std = "" if acc["std"] is None else f" ± {acc['std']:.3f}"
        paired = "reference" if model == reference else \
            f"paired difference {diff['median']:+.3f} (+{diff['plus']:.3f}/-{diff['minus']:.3f})"
        print(f"{model:>9}: accuracy {acc['mean']:.3f}{std}, {paired}, fit {entry['fit_seconds']['mean']:.1f} s")
    print(f"total {result['metadata']['wall_seconds']:.0f} s; wrote {', '.join(str(p) for p in paths)}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="astro-cyclic", description="Classify periodic variable stars with cyclic-permutation invariant networks.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="train and evaluate a classifier on a built-in or real data set",
                       description="Train a classifier on a stratified 60/20/20 per-star split and report its "
                                   "per-star test accuracy, a confusion matrix, a figure and the saved model.")
    p.add_argument("--dataset", choices=DEMO_DATASETS, default="synthetic",
                   help="synthetic survey (default, no data needed) or EROS-1 (red band, catalogue periods)")
    p.add_argument("--data-home", default=None,
                   help="folder holding the survey data (default: $ASTRO_CYCLIC_DATA or ~/.astro_cyclic/data)")
    p.add_argument("--output", default="astro_cyclic_output", help="folder for the figure, model and metrics")
    p.add_argument("--overwrite", action="store_true", help="replace files in a non-empty output folder")
    p.add_argument("--architecture", default="itcn", help="network (itcn, iresnet, tcn, resnet, gru, lstm)")
    p.add_argument("--segment-length", type=int, default=200, help="points per segment (L)")
    p.add_argument("--epochs", type=int, default=60, help="maximum training epochs")
    p.add_argument("--n-stars", type=int, default=700, help="stars in the synthetic survey")
    p.add_argument("--seed", type=int, default=0, help="random seed for the data, split and training")
    p.add_argument("-v", "--verbose", action="count", default=0, help="show a progress bar")
    p.set_defaults(func=demo)

    p = sub.add_parser("benchmark", help="the paper's protocol: every model on the same repeated per-star splits",
                       description=BENCHMARK_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", choices=BENCHMARK_DATASETS, default="eros1",
                   help="eros1 (red band, catalogue periods; default), asas (Richards et al. 2012, periods "
                        "searched) or synthetic (no data needed)")
    p.add_argument("--data-home", default=None,
                   help="folder holding the survey data (default: $ASTRO_CYCLIC_DATA or ~/.astro_cyclic/data)")
    p.add_argument("--models", default=",".join(BENCHMARK_MODELS),
                   help=f"comma-separated models (default: all: {','.join(BENCHMARK_MODELS)})")
    p.add_argument("--n-splits", type=int, default=8, help="number of splits (default 8, as in the paper)")
    p.add_argument("--max-epochs", type=int, default=None,
                   help="maximum training epochs of the networks (default: the package's, 100)")
    p.add_argument("--device", default="auto", help="device of the networks: auto (default), cpu or cuda")
    p.add_argument("--min-class-size", type=int, default=10, help="asas: keep classes with at least this many "
                                                                  "stars (default 10)")
    p.add_argument("--n-stars", type=int, default=700, help="synthetic: number of stars (default 700)")
    p.add_argument("--seed", type=int, default=0, help="seed of the splits (and the synthetic survey)")
    p.add_argument("--output", default="benchmarks/results", help="folder for the results "
                                                                  "(default benchmarks/results)")
    p.add_argument("--name", default=None, help="base name of the result files (default benchmark_DATASET)")
    p.add_argument("--cache-dir", default=None, help="cache of the Richards features of every star (default "
                                                     "OUTPUT/.cache/NAME); safe to delete")
    p.add_argument("--overwrite", action="store_true", help="replace existing result files of that name")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=benchmark)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, FileExistsError) as exc:
        print(f"astro-cyclic: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
