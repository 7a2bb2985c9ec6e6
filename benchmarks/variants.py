"""Compare variants of the classifier on the paper protocol's splits, judged on validation stars.

A design choice (an input, an augmentation, a width) is made on the
validation stars of the benchmark's splits, never on its test stars; this
script fits each named variant of :class:`~astro_cyclic.CyclicClassifier` on
the first ``--n-splits`` of the SAME 8 per-star splits as
``paper_protocol.py`` (the same seeds), through the same harness, and writes
``variants_<name>.{json,md}`` under ``benchmarks/results/``: per variant the
validation accuracy at the kept epoch (what the choice looks at), the test
accuracy, and the paired test differences to the first variant. For example::

    python benchmarks/variants.py --dataset eros1_2band --data-home ../shared/data --n-splits 1 \\
        --name zero_point --variant 'offset-free={}' --variant 'apparent={"apparent_magnitude": true}'

Each variant is a name and the JSON of the keyword arguments it adds to
``CyclicClassifier()`` (spelt as its parameters, ``module__hidden`` too). A
checkpoint makes a stopped run resume.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from harness import run_benchmark, write_results
from paper_protocol import DATASETS, _load_benchmark_data


def _variant(text):
    name, sep, params = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"a variant is NAME=JSON, got {text!r}")
    try:
        params = json.loads(params)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"variant {name!r}: its parameters are not JSON ({exc})") from None
    if not isinstance(params, dict):
        raise argparse.ArgumentTypeError(f"variant {name!r}: its parameters must be a JSON object")
    return name.strip(), params


def build_parser():
    p = argparse.ArgumentParser(prog="python benchmarks/variants.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="eros1_2band", type=str.lower, choices=list(DATASETS))
    p.add_argument("--data-home", default=None, help="folder holding the survey data")
    p.add_argument("--variant", action="append", type=_variant, required=True,
                   help="NAME=JSON of CyclicClassifier keyword arguments; two or more; the first is the reference")
    p.add_argument("--n-splits", type=int, default=1, help="the first N of the benchmark's 8 splits (default 1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the splits, as in paper_protocol.py")
    p.add_argument("--device", default="auto")
    p.add_argument("--name", required=True, help="results are variants_<dataset>_<name>.{json,md}")
    p.add_argument("--output", default="benchmarks/results")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("-q", "--quiet", action="store_true")
    return p


def main(argv=None):
    from astro_cyclic import CyclicClassifier
    from astro_cyclic.model_selection import stratified_star_splits

    args = build_parser().parse_args(argv)
    names = [name for name, _ in args.variant]
    if len(set(names)) != len(names) or len(names) < 2:
        raise SystemExit("variants.py: error: give two or more variants with different names")
    if not 1 <= args.n_splits <= 8:
        raise SystemExit("variants.py: error: --n-splits is 1 to 8 (the benchmark has 8 splits)")
    name = f"variants_{args.dataset}_{args.name}"
    args.n_stars, args.min_class_size = 700, 10  # the paper protocol's defaults for its other data sets
    light_curves, target, description = _load_benchmark_data(args, not args.quiet)
    splits = stratified_star_splits(target, n_splits=8, random_state=args.seed)[:args.n_splits]
    try:
        models = {variant: CyclicClassifier(device=args.device, random_state=args.seed, **params)
                  for variant, params in args.variant}
    except TypeError as exc:
        raise SystemExit(f"variants.py: error: {exc}") from None
    Path(args.output).mkdir(parents=True, exist_ok=True)
    result = run_benchmark(light_curves, target, models, splits=splits, reference=names[0],
                           checkpoint=Path(args.output) / f"{name}.checkpoint.jsonl", progress=not args.quiet,
                           dataset=description)
    paths = write_results(result, args.output, name, overwrite=args.overwrite)
    lines = ["", "## Validation stars (what a choice between variants looks at)", "",
             "| variant | parameters | validation accuracy (kept epoch) | test accuracy |", "|---|---|---|---|"]
    for variant, params in args.variant:
        rows = [split["models"][variant] for split in result["splits"]]
        val = np.mean([row["val_accuracy"] for row in rows])
        test = np.mean([row["accuracy"] for row in rows])
        lines.append(f"| {variant} | `{json.dumps(params)}` | {val:.4f} | {test:.4f} |")
        print(f"{variant:>20}: validation {val:.4f}, test {test:.4f}, fit {rows[0]['fit_seconds']:.0f} s")
    markdown = next(path for path in paths if path.suffix == ".md")
    markdown.write_text(markdown.read_text() + "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
