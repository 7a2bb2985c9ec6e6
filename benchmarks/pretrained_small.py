"""300 labelled stars: the shipped pretrained network fine-tuned against a network from scratch, over several draws.

Run from the repository root::

    python benchmarks/pretrained_small.py --data-home ../shared/data [--n-draws 8] [--threads 2]

The setting of the pretraining tutorial (``docs/tutorials/plot_06_pretrained.py``),
repeated: EROS-1 red band with catalogue periods; per draw, 300 training stars
and 600 other test stars drawn stratified by class (``train_test_split``
with the draw's seed; the tutorial is draw 0), then the default
``CyclicClassifier`` from scratch and ``CyclicClassifier.from_pretrained``
(learning rate 0.002) each trained for at most 20 epochs with the draw's seed
(each holds out 20% of its 300 stars for its best epoch). Reports both test
accuracies per draw and their paired difference (median and 16th-84th
percentile range). Writes ``benchmarks/results/pretrained_small_eros1.{json,md}``.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from harness import _git_commit, _versions, describe_machine, provenance_line

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv=None):
    import torch
    from sklearn.model_selection import train_test_split

    from astro_cyclic import CyclicClassifier, pretrained_models
    from astro_cyclic.datasets import load_eros1

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--n-draws", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=pretrained_models()[0])
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--name", default="pretrained_small_eros1")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    data = load_eros1(data_home=args.data_home, band="r")
    rows = []
    for draw in range(args.n_draws):
        train, rest = train_test_split(np.arange(len(data.target)), train_size=300, stratify=data.target,
                                       random_state=draw)
        _, test = train_test_split(rest, test_size=600, stratify=data.target[rest], random_state=draw)
        X_train, y_train = [data.light_curves[i] for i in train], data.target[train]
        X_test, y_test = [data.light_curves[i] for i in test], data.target[test]
        settings = dict(max_epochs=20, random_state=draw, n_jobs=args.threads)
        row = {"draw": draw}
        for label, model in (("scratch", CyclicClassifier(**settings)),
                             ("fine_tuned", CyclicClassifier.from_pretrained(args.model, learning_rate=0.002,
                                                                             **settings))):
            start = time.perf_counter()
            model.fit(X_train, y_train)
            row[f"{label}_seconds"] = time.perf_counter() - start
            row[label] = float(np.mean(model.predict(X_test) == y_test))
        rows.append(row)
        print(f"draw {draw}: scratch {row['scratch']:.3f}, fine-tuned {row['fine_tuned']:.3f}", file=sys.stderr)

    diff = np.array([row["fine_tuned"] - row["scratch"] for row in rows])
    summary = {"scratch_mean": float(np.mean([r["scratch"] for r in rows])),
               "fine_tuned_mean": float(np.mean([r["fine_tuned"] for r in rows])),
               "difference_median": float(np.median(diff)),
               "difference_16": float(np.percentile(diff, 16)), "difference_84": float(np.percentile(diff, 84)),
               "fine_tuned_better": int(np.sum(diff > 0)), "n_draws": len(rows)}
    result = {"what": "EROS-1 red band, 300 training / 600 test stars per draw, 20 epochs at most", "model": args.model,
              "rows": rows, "summary": summary, "commit": _git_commit(), "machine": describe_machine(),
              "threads": args.threads, "versions": _versions()}
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / f"{args.name}.json").write_text(json.dumps(result, indent=1))
    lines = [f"# 300 labelled EROS-1 stars: from scratch against fine-tuned from {args.model}", "",
             f"{result['what']}; the same stars and seed for both in each draw. {args.threads} threads.", "",
             "| draw | from scratch | fine-tuned | difference |", "|---|---|---|---|"]
    lines += [f"| {r['draw']} | {r['scratch']:.1%} | {r['fine_tuned']:.1%} | {r['fine_tuned'] - r['scratch']:+.1%} |"
              for r in rows]
    lines += [f"| mean / median difference | {summary['scratch_mean']:.1%} | {summary['fine_tuned_mean']:.1%} | "
              f"{summary['difference_median']:+.1%} ({summary['difference_16']:+.1%} to "
              f"{summary['difference_84']:+.1%}) |", "",
              f"Fine-tuned better in {summary['fine_tuned_better']} of {summary['n_draws']} draws. "
              + provenance_line(result["commit"], result["machine"])]
    (args.output / f"{args.name}.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
