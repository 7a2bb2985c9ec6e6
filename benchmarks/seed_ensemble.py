"""Does averaging iTCNs trained with different seeds close the gap to the random forest?

Run from the repository root, after ``python benchmarks/paper_protocol.py --dataset eros1``
has filled ``benchmarks/results/benchmark_eros1.checkpoint.jsonl``::

    python benchmarks/seed_ensemble.py fit --splits 0,1,2,3 --data-home ../shared/data   # one process
    python benchmarks/seed_ensemble.py fit --splits 4,5,6,7 --data-home ../shared/data   # another
    python benchmarks/seed_ensemble.py report --data-home ../shared/data

``fit`` trains, on each named split of the benchmark (``--dataset``: EROS-1 red
band, or ``eros1_2band`` for both bands; the same 8 per-star splits),
``--extra-seeds`` more iTCNs with the default settings and seeds
``split.seed + 1``, ``split.seed + 2``, ...; each fit's test probabilities go to
``benchmarks/results/seed_ensemble_<dataset>/split<k>_seed<j>.json`` (one file
per fit, so processes never write the same file, and a stopped run resumes).
``report`` reads them with the benchmark's own iTCN (seed offset 0) and random
forest rows from ``benchmark_<dataset>.checkpoint.jsonl`` and writes
``seed_ensemble_<dataset>.{json,md}``:
per split the accuracy of each single iTCN, of their mean probabilities, and
of that mean averaged with the forest's, and the paired differences to the
forest. Not part of the test suite; about 150 s per fit on one core (red band), 330 s (both bands).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
DATASETS = ("eros1", "eros1_2band")


def _data(dataset, data_home):
    from astro_cyclic.model_selection import stratified_star_splits
    from astro_cyclic.datasets import load_dataset

    # As paper_protocol.py loads them (seed 0), so that the stars and the splits are the benchmark's.
    data = load_dataset(dataset, data_home=data_home, random_state=0)
    target = np.asarray(data.target)
    return data, target, stratified_star_splits(target, n_splits=8, random_state=0)


def fit(args):
    import torch

    from astro_cyclic import CyclicClassifier

    torch.set_num_threads(1)
    data, target, splits = _data(args.dataset, args.data_home)
    out = RESULTS / f"seed_ensemble_{args.dataset}"
    out.mkdir(parents=True, exist_ok=True)
    stars = list(data.light_curves)
    for k in (int(s) for s in args.splits.split(",")):
        split = splits[k]
        train, val, test = split[0], split[1], split[2]
        fit_idx = np.concatenate([train, val])
        for offset in range(1, args.extra_seeds + 1):
            path = out / f"split{k}_seed{offset}.json"
            if path.exists():
                continue
            # The split's validation fraction, drawn with a seed of its own (so other validation stars than
            # run_benchmark's network of the same split).
            clf = CyclicClassifier("itcn", random_state=split.seed + offset, train_split=split.validation_fraction)
            start = time.perf_counter()
            clf.fit([stars[i] for i in fit_idx], target[fit_idx])
            seconds = time.perf_counter() - start
            proba = clf.predict_proba([stars[i] for i in test])
            accuracy = float(np.mean(clf.classes_[proba.argmax(1)] == target[test]))
            path.write_text(json.dumps({"split": k, "split_seed": split.seed, "seed": split.seed + offset,
                                        "classes": [str(c) for c in clf.classes_], "accuracy": accuracy,
                                        "fit_seconds": seconds, "proba": proba.tolist()}))
            print(f"split {k}, seed offset {offset}: accuracy {accuracy:.4f}, fit {seconds:.0f} s", flush=True)
    return 0


def report(args):
    # The benchmark's own summaries and split keys, so the figures are computed as in its tables.
    from harness import _split_key, describe_machine
    from astro_cyclic.model_selection import mean_std, paired_difference

    data, target, splits = _data(args.dataset, args.data_home)
    classes = np.unique(target)
    checkpoint = RESULTS / f"benchmark_{args.dataset}.checkpoint.jsonl"
    rows = [json.loads(line) for line in checkpoint.read_text().splitlines() if line.strip()]
    base = {(r["split"], r["model"]): r["row"] for r in rows}
    per_split = []
    for k, split in enumerate(splits):
        key = _split_key(k, split.seed, split[2])
        files = sorted((RESULTS / f"seed_ensemble_{args.dataset}").glob(f"split{k}_seed*.json"))
        if not files or (key, "itcn") not in base or (key, "rf") not in base:
            continue
        truth = target[split[2]]
        singles = [np.asarray(base[(key, "itcn")]["proba"])]
        for path in files:
            entry = json.loads(path.read_text())
            assert entry["classes"] == [str(c) for c in classes] and entry["split_seed"] == split.seed
            singles.append(np.asarray(entry["proba"]))
        forest = np.asarray(base[(key, "rf")]["proba"])
        mean = np.mean(singles, axis=0)

        def accuracy(proba):
            return float(np.mean(classes[proba.argmax(1)] == truth))

        per_split.append({"split": k, "n_itcn": len(singles), "itcn_single": [accuracy(p) for p in singles],
                          "itcn_ensemble": accuracy(mean), "rf": accuracy(forest),
                          "itcn_ensemble+rf": accuracy((mean + forest) / 2),
                          "itcn_seed0+rf": accuracy((singles[0] + forest) / 2)})
    if not per_split:
        raise SystemExit("no split has both extra iTCN fits and benchmark rows; run 'fit' first")

    rf = [s["rf"] for s in per_split]
    result = {"dataset": data.description, "splits": per_split, "machine": describe_machine(), "summary": {}}
    for key in ("itcn_ensemble", "itcn_ensemble+rf", "itcn_seed0+rf", "rf"):
        values = [s[key] for s in per_split]
        result["summary"][key] = {"accuracy": mean_std(values), "difference_to_rf": paired_difference(values, rf)}
    result["summary"]["itcn_single"] = {"accuracy": mean_std([a for s in per_split for a in s["itcn_single"]])}
    (RESULTS / f"seed_ensemble_{args.dataset}.json").write_text(json.dumps(result, indent=1))

    n_itcn = sorted({s["n_itcn"] for s in per_split})
    lines = [f"# iTCN seed ensembles on {data.description} (benchmarks/seed_ensemble.py)", "",
             f"{len(per_split)} of the benchmark's 8 splits; {'/'.join(map(str, n_itcn))} iTCNs per split (the "
             "benchmark's own and extra seeds), default settings. Accuracy: per-star test accuracy, mean ± std over "
             "splits; Δ vs rf: median paired difference to the random forest, 1-sigma range.", "",
             "| model | accuracy | Δ vs rf |", "|---|---|---|"]
    single = result["summary"]["itcn_single"]["accuracy"]
    lines.append(f"| one iTCN (mean ± std over every fit) | {100 * single['mean']:.1f}% ± {100 * single['std']:.1f}% "
                 "| |")
    for key, label in (("itcn_ensemble", "mean of the iTCNs"), ("itcn_seed0+rf", "one iTCN + rf"),
                       ("itcn_ensemble+rf", "mean of the iTCNs + rf"), ("rf", "rf")):
        s = result["summary"][key]
        acc, diff = s["accuracy"], s["difference_to_rf"]
        std = "" if acc["std"] is None else f" ± {100 * acc['std']:.1f}%"
        delta = "(reference)" if key == "rf" else \
            f"{100 * diff['median']:+.1f} (+{100 * diff['plus']:.1f}/-{100 * diff['minus']:.1f})"
        lines.append(f"| {label} | {100 * acc['mean']:.1f}%{std} | {delta} |")
    lines += ["", "| split | single iTCNs | mean of iTCNs | rf | mean + rf |", "|---|---|---|---|---|"]
    for s in per_split:
        lines.append(f"| {s['split']} | {', '.join(f'{100 * a:.1f}' for a in s['itcn_single'])} | "
                     f"{100 * s['itcn_ensemble']:.1f} | {100 * s['rf']:.1f} | {100 * s['itcn_ensemble+rf']:.1f} |")
    m = result["machine"]
    lines += ["", f"Machine: {m.get('cpu')}, {m.get('cpu_count')} cores; one torch thread per fit."]
    (RESULTS / f"seed_ensemble_{args.dataset}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("fit", help="train the extra iTCNs of some splits")
    p.add_argument("--splits", default="0,1,2,3,4,5,6,7", help="comma-separated split numbers (0-7)")
    p.add_argument("--extra-seeds", type=int, default=2, help="iTCNs per split besides the benchmark's (2)")
    p.add_argument("--data-home", default=None)
    p.add_argument("--dataset", default="eros1", choices=DATASETS)
    p = sub.add_parser("report", help="combine the fits with the benchmark's rows; write JSON and markdown")
    p.add_argument("--data-home", default=None)
    p.add_argument("--dataset", default="eros1", choices=DATASETS)
    args = parser.parse_args(argv)
    return fit(args) if args.command == "fit" else report(args)


if __name__ == "__main__":
    sys.exit(main())
