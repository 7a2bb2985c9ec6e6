"""Does the forest gain from the pretrained network's view of each star folded on twice its period as well?

Run from the repository root::

    python benchmarks/pretrained_folds.py --data-home ../shared/data --cache-dir CACHE [--seeds 0,1,2,3,4]

The period search folds W UMa binaries (and some Algols) at half their orbit,
where the shipped network sees a delta Scuti-like sinusoid. Folded on twice
the found period, a binary shows two (possibly unequal) eclipses and a
pulsator two equal cycles. This script gives the ASAS forest of
``paper_protocol.py`` (500 trees, the splits and seeds of ``--seed S``, fitted
on the training and validation stars) three inputs per star, on the periods
the package's search finds: the Richards features alone; plus
``PretrainedFeatures`` on the found period (the benchmark's ``rf-pretrained``);
plus ``PretrainedFeatures`` on twice it. Reports each one's accuracy per split
seed and pooled, with the paired differences to the forest. Writes
``benchmarks/results/pretrained_folds_asas.{json,md}``.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from harness import _git_commit, describe_machine, provenance_line

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv=None):
    from sklearn.ensemble import RandomForestClassifier

    from astro_cyclic import PretrainedFeatures, RichardsFeatures, prepare_light_curves
    from astro_cyclic.model_selection import paired_difference, stratified_star_splits
    from astro_cyclic.prepare import PreparedStar
    from paper_protocol import _load_benchmark_data

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--cache-dir", required=True, help="cache of the searched periods and Richards features")
    parser.add_argument("--seeds", default="0,1,2,3,4", help="split seeds (paper_protocol.py --seed)")
    parser.add_argument("--model", default="itcn-sim-asas-eros1")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--name", default="pretrained_folds_asas")
    args = parser.parse_args(argv)

    ns = argparse.Namespace(dataset="asas", data_home=args.data_home, n_stars=700, seed=0, min_class_size=10)
    light_curves, target, description = _load_benchmark_data(ns, False, args.cache_dir)
    stars = prepare_light_curves(light_curves)
    doubled = [PreparedStar(star.light_curve.with_period(2 * star.period), star.period_source, star.min_points)
               for star in stars]
    richards = RichardsFeatures(memory=args.cache_dir).fit(stars).transform(stars)
    pretrained = PretrainedFeatures(args.model, n_jobs=args.threads).fit(stars)
    at_period, at_double = pretrained.transform(stars), pretrained.transform(doubled)
    inputs = {"rf": richards, "rf + pretrained (P)": np.hstack([richards, at_period]),
              "rf + pretrained (P and 2P)": np.hstack([richards, at_period, at_double])}

    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        for index, split in enumerate(stratified_star_splits(target, n_splits=8, random_state=seed)):
            fit, test = split.fit_stars, split.test
            row = {"seed": seed, "split": index}
            for name, X in inputs.items():
                forest = RandomForestClassifier(500, random_state=split.seed, n_jobs=args.threads)
                row[name] = float(np.mean(forest.fit(X[fit], target[fit]).predict(X[test]) == target[test]))
            rows.append(row)
            print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()),
                  file=sys.stderr)

    names = list(inputs)
    summary = {}
    for name in names:
        paired = paired_difference([r[name] for r in rows], [r["rf"] for r in rows])
        diff = np.asarray(paired["per_split"])
        summary[name] = {"mean": float(np.mean([r[name] for r in rows])), "difference_mean": paired["mean"],
                         "difference_median": paired["median"], "wins": int(np.sum(diff > 0)),
                         "losses": int(np.sum(diff < 0))}
    result = {"dataset": description, "model": args.model, "rows": rows, "summary": summary, "commit": _git_commit(),
              "machine": describe_machine()}
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / f"{args.name}.json").write_text(json.dumps(result, indent=1))
    lines = ["# ASAS forest with the pretrained network's features on the found period and on twice it", "",
             f"{description}; {len(rows)} splits (seeds {args.seeds}, 8 splits each); the same splits and forest "
             "seeds for every input. Difference: per split, minus the forest on the Richards features alone.", "",
             "| input | accuracy (mean) | mean difference | median difference | wins / losses |",
             "|---|---|---|---|---|"]
    lines += [f"| {n} | {s['mean']:.1%} | {s['difference_mean']:+.1%} | {s['difference_median']:+.1%} | "
              f"{s['wins']} / {s['losses']} |" for n, s in summary.items()]
    lines += ["", provenance_line(result["commit"], result["machine"])]
    (args.output / f"{args.name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
