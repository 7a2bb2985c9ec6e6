"""The benchmark protocol of Zhang & Bloom (2020), Table 1, on EROS-1, ASAS or the synthetic survey.

Run from the repository root::

    python benchmarks/paper_protocol.py --dataset eros1 --data-home ../shared/data
    python benchmarks/paper_protocol.py --dataset asas --models itcn,rf --n-splits 8
    python benchmarks/paper_protocol.py --help

Every model (default: the six networks, the Richards random forest and the
hybrid) is trained and tested on the same 8 stratified 60/20/20 per-star
splits; results go to ``benchmarks/results/benchmark_<dataset>.json``, ``.md``
and ``_confusion.png``, every finished fit to ``<name>.checkpoint.jsonl`` (a
stopped run resumes from it). The full protocol takes many hours on a 2-core
CPU; ``--help`` says how long and how to time a small run first. Not part of
the test suite; ``tests/benchmarks/`` runs it on a tiny synthetic survey.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from astro_cyclic.datasets import DATASETS
from harness import result_paths, run_benchmark, write_results

BENCHMARK_MODELS = ("itcn", "iresnet", "tcn", "resnet", "gru", "lstm", "rf", "hybrid")
#: Fine-tuned from --pretrained: every layer, or the head only. Run only when named in --models.
PRETRAINED_MODELS = {"itcn-pretrained": "all", "itcn-pretrained-head": "head"}
#: The forest given also --pretrained's frozen pooled features (PretrainedFeatures). Run only when named.
RF_PRETRAINED = "rf-pretrained"
#: A model name with this suffix (itcn-searched, rf-searched, ...) is that model given the same stars with
#: periods found by PeriodSearch() instead of the catalogue's: paired over the same splits with the others.
SEARCHED = "-searched"
#: Soft-vote ensembles scored from their members' probabilities whenever all members run (no further fits).
BENCHMARK_ENSEMBLES = {"itcn+rf": ("itcn", "rf"), "hybrid+rf": ("hybrid", "rf")}

# How to run the paper's protocol, and what it costs: shown by --help.
BENCHMARK_DESCRIPTION = """\
Run the benchmark protocol of Zhang & Bloom (2020), Table 1: the same N randomised, stratified
60/20/20 train/validation/test splits of the STARS for every model; per-star test accuracy, balanced
accuracy, per-class accuracy and confusion matrices; mean and standard deviation over splits; and each
model's accuracy minus the reference's (itcn, else the first model), paired within splits: median
and 1-sigma (16th-84th percentile) range. Networks validate on the split's validation stars to choose
their best epoch; the random forest trains on training plus validation stars. Writes NAME.json,
NAME.md and NAME_confusion.png to --output.

Models: the six networks, rf (random forest on Richards et al. 2011 features) and hybrid (the iTCN
with the star's Richards features among its auxiliary inputs); itcn-pretrained(-head), fine-tuned
from --pretrained; rf-pretrained, the forest given also the frozen --pretrained network's pooled
features (astro_cyclic.PretrainedFeatures). Any of them with the suffix -searched (itcn-searched,
rf-searched) trains and predicts on the same stars with periods found by the package's
PeriodSearch() instead of the catalogue's (searched once per star and cached). When all their members run, the
soft-vote ensembles itcn+rf and hybrid+rf (mean of the members' probabilities, as sklearn's
VotingClassifier(voting="soft")) are scored too, at no further cost. Every finished fit is appended
to OUTPUT/NAME.checkpoint.jsonl, and a run started again with the same options resumes from it.

The full protocol (all eight models, 8 splits, 40 epochs at most) is

    python benchmarks/paper_protocol.py --dataset eros1 --data-home DATA

from the repository root. It trains 56
networks (7 x 8 splits) on 2,913 stars each and takes hours on a 2-core CPU: one epoch of one
network on EROS-1 took 3-13 s there (itcn about 4 s), so up to 40 epochs each makes roughly 2-8 h,
plus about 2 min per split for the random forest (its Richards features). Time a small run first,
e.g. --models itcn,rf --n-splits 1 --max-epochs 2 (about 2 min), and scale by epochs, models and
splits. A CUDA GPU is used automatically when torch sees one (--device).
"""


def _load_benchmark_data(args, progress, cache=None):
    """Light curves, labels and a description of the benchmark's data set; periods searched once where missing."""
    from astro_cyclic.datasets import load_dataset

    data = load_dataset(args.dataset, data_home=args.data_home, n_stars=args.n_stars, random_state=args.seed,
                        min_class_size=args.min_class_size)
    if all(lc.period is not None for lc in data.light_curves):
        return data.light_curves, data.target, data.description
    return (_with_searched_periods(data.light_curves, progress, cache), data.target,
            f"{data.description} (searched periods)")


def _with_searched_periods(light_curves, progress, cache, *, replace=False):
    """Attach the package's period search result to light curves that carry no period (all, with ``replace``).

    Every model would run the same default search on every fit and prediction; doing it
    once here spares (models x splits x 2) searches and gives every model the same periods.
    The periods are cached with the features, so a resumed run does not search again.
    """
    from sklearn.utils.validation import check_memory
    from tqdm.auto import tqdm

    from astro_cyclic import PeriodSearch, clean_light_curve

    search = PeriodSearch()
    find = check_memory(cache).cache(_searched_period)
    out = []
    for lc in tqdm(light_curves, desc="period search", disable=not progress, file=sys.stderr):
        if lc.period is None or replace:
            clean = clean_light_curve(lc)
            lc = lc.with_period(find(clean.time, clean.mag, clean.err, clean.band, search))
        out.append(lc)
    return out


def _searched_period(time, mag, err, band, search):
    """The period ``search`` finds for a cleaned light curve (all its bands), days (the unit the cache stores)."""
    from astro_cyclic import StarLightCurve

    return search(StarLightCurve(time, mag, err, band=band))


def _benchmark_models(args, feature_cache):
    """The models named by --models, and the ensembles all of whose members are among them."""
    from astro_cyclic import CyclicClassifier, PretrainedFeatures, RichardsFeatures, RichardsForestClassifier

    names = [name.strip().lower() for name in args.models.split(",") if name.strip()]
    valid = BENCHMARK_MODELS + tuple(PRETRAINED_MODELS) + (RF_PRETRAINED,)
    unknown = sorted({name for name in names if name.removesuffix(SEARCHED) not in valid})
    if unknown or not names:
        raise ValueError(f"unknown model(s) {unknown} in --models; choose from {', '.join(valid)}, "
                         f"each also with the suffix {SEARCHED}")
    if len(set(names)) != len(names):
        raise ValueError(f"--models names a model twice: {args.models}")
    models = {}
    for full_name in names:
        name = full_name.removesuffix(SEARCHED)
        if name in ("rf", RF_PRETRAINED):
            extra = PretrainedFeatures(args.pretrained) if name == RF_PRETRAINED else None
            models[full_name] = RichardsForestClassifier(random_state=args.seed, memory=feature_cache,
                                                         extra_features=extra)
            continue
        # random_state is replaced by each split's seed (clone_for_split in run_benchmark).
        kwargs = {"apparent_magnitude": args.apparent_magnitude}
        if args.max_epochs is not None:
            kwargs["max_epochs"] = args.max_epochs
        if name == "hybrid":
            # The iTCN with the star's Richards features among its auxiliary inputs.
            kwargs["star_features"] = RichardsFeatures(memory=feature_cache)
        if name in PRETRAINED_MODELS:
            # The pretrained network's own input settings (the shipped models take no mean magnitude),
            # whatever --apparent-magnitude says for the networks trained from scratch.
            pretrained = CyclicClassifier.from_pretrained(args.pretrained)
            kwargs.update(pretrained=args.pretrained, fine_tune=PRETRAINED_MODELS[name],
                          learning_rate=args.fine_tune_learning_rate, apparent_magnitude=pretrained.apparent_magnitude)
        architecture = "itcn" if name == "hybrid" or name in PRETRAINED_MODELS else name
        models[full_name] = CyclicClassifier(architecture, device=args.device, random_state=args.seed, **kwargs)
    ensembles = {name: members for name, members in BENCHMARK_ENSEMBLES.items()
                 if all(member in models for member in members)}
    return models, ensembles


def benchmark(args):
    """Run the paper's benchmark protocol (Table 1) and write its results."""
    from astro_cyclic.model_selection import stratified_star_splits

    name = args.name or f"benchmark_{args.dataset}"
    # Refuse before hours of training, not after.
    taken = [str(p) for p in result_paths(args.output, name) if p.exists()]
    if taken and not args.overwrite:
        raise SystemExit(f"paper_protocol: error: {', '.join(taken)} exist(s); choose another --name or --output, "
                         "or pass --overwrite")
    progress = not args.quiet
    Path(args.output).mkdir(parents=True, exist_ok=True)
    checkpoint = Path(args.output) / f"{name}.checkpoint.jsonl"
    # Features are cached per star, so the forest and the hybrid compute each star once for all splits.
    feature_cache = str(Path(args.cache_dir) if args.cache_dir else Path(args.output) / ".cache" / name)
    models, ensembles = _benchmark_models(args, feature_cache)
    light_curves, target, description = _load_benchmark_data(args, progress, feature_cache)
    model_inputs = {}
    if any(name.endswith(SEARCHED) for name in models):
        searched = _with_searched_periods(light_curves, progress, feature_cache, replace=True)
        model_inputs = {name: searched for name in models if name.endswith(SEARCHED)}
        description += f"; models named *{SEARCHED}: periods found by PeriodSearch()"
    splits = stratified_star_splits(target, n_splits=args.n_splits, random_state=args.seed)
    reference = "itcn" if "itcn" in models else next(iter(models))
    classes = np.unique(target)
    print(f"{description}: {len(target)} stars, {classes.size} classes; {len(splits)} splits x "
          f"{len(models)} models ({', '.join(models)}); ensembles: {', '.join(ensembles) or 'none'}; "
          f"reference {reference}; checkpoint {checkpoint}")
    result = run_benchmark(light_curves, target, models, splits=splits, reference=reference, ensembles=ensembles,
                           checkpoint=checkpoint, progress=progress, dataset=description, model_inputs=model_inputs)
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
    p = argparse.ArgumentParser(prog="python benchmarks/paper_protocol.py", description=BENCHMARK_DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="eros1", type=str.lower, choices=list(DATASETS),
                   help="eros1 (red band, catalogue periods; default), eros1_2band (blue and red bands), asas "
                        "(Richards et al. 2012, periods searched) or synthetic (no data needed)")
    p.add_argument("--data-home", default=None,
                   help="folder holding the survey data (default: $ASTRO_CYCLIC_DATA or ~/.astro_cyclic/data)")
    p.add_argument("--models", default=",".join(BENCHMARK_MODELS),
                   help=f"comma-separated models (default: all: {','.join(BENCHMARK_MODELS)})")
    p.add_argument("--n-splits", type=int, default=8, help="number of splits (default 8, as in the paper)")
    p.add_argument("--max-epochs", type=int, default=None,
                   help="maximum training epochs of the networks (default: the package's, 40)")
    p.add_argument("--device", default="auto", help="device of the networks: auto (default), cpu or cuda")
    p.add_argument("--min-class-size", type=int, default=10, help="asas: keep classes with at least this many "
                                                                  "stars (default 10)")
    p.add_argument("--n-stars", type=int, default=700, help="synthetic: number of stars (default 700)")
    p.add_argument("--seed", type=int, default=0, help="seed of the splits (and the synthetic survey)")
    p.add_argument("--pretrained", default="itcn-sim-asas-eros1",
                   help="the itcn-pretrained models start from this pretrained model, and rf-pretrained "
                        "takes its features (a name of "
                        "astro_cyclic.pretrained_models() or a model file; default itcn-sim-asas-eros1)")
    p.add_argument("--fine-tune-learning-rate", type=float, default=0.002,
                   help="initial learning rate of the itcn-pretrained models (default 0.002)")
    p.add_argument("--apparent-magnitude", action="store_true",
                   help="give the networks the segments' mean magnitudes (CyclicClassifier(apparent_magnitude="
                        "True)), as the committed red-band and ASAS tables were run")
    p.add_argument("--output", default="benchmarks/results", help="folder for the results "
                                                                  "(default benchmarks/results)")
    p.add_argument("--name", default=None, help="base name of the result files (default benchmark_DATASET)")
    p.add_argument("--cache-dir", default=None, help="cache of the Richards features of every star (default "
                                                     "OUTPUT/.cache/NAME); safe to delete")
    p.add_argument("--overwrite", action="store_true", help="replace existing result files of that name")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return benchmark(args)
    except (ValueError, OSError) as exc:  # bad input, missing data, a full disk: said, not traced
        print(f"paper_protocol: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
