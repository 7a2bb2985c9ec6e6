"""300 labelled stars: the shipped pretrained network fine-tuned against a network from scratch, over several draws.

Run from the repository root::

    python benchmarks/pretrained_small.py --data-home ../shared/data [--n-draws 8] [--threads 2]
    python benchmarks/pretrained_small.py --data-home ../shared/data --n-draws 6 --models rf,rf_pretrained \
        --name pretrained_small_eros1_forest

The setting of the pretraining tutorial (``docs/tutorials/plot_06_pretrained.py``),
repeated: EROS-1 red band with catalogue periods; per draw, 300 training stars
and 600 other test stars drawn stratified by class (``train_test_split``
with the draw's seed; the tutorial is draw 0), then the default
``CyclicClassifier`` from scratch and ``CyclicClassifier.from_pretrained``
(learning rate 0.002) each trained for at most 20 epochs with the draw's seed
(each holds out 20% of its 300 stars for its best epoch). ``--models`` may
name instead, or also, ``rf`` (``RichardsForestClassifier``, 500 trees, the
draw's seed) and ``rf_pretrained`` (the same forest with
``extra_features=PretrainedFeatures(model)``). Reports each model's test
accuracy per draw and its paired difference to the first model (median and
16th-84th percentile range). Writes ``benchmarks/results/NAME.{json,md}``
(default ``pretrained_small_eros1``).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from harness import _git_commit, _versions, describe_machine, provenance_line

RESULTS = Path(__file__).resolve().parent / "results"
#: The models a draw can train, and their column names.
LABELS = {"scratch": "from scratch", "fine_tuned": "fine-tuned", "rf": "forest",
          "rf_pretrained": "forest + pretrained features"}
MODELS = tuple(LABELS)


def main(argv=None):
    import torch
    from sklearn.model_selection import train_test_split

    from astro_cyclic import CyclicClassifier, PretrainedFeatures, RichardsForestClassifier, pretrained_models
    from astro_cyclic.datasets import load_eros1
    from astro_cyclic.model_selection import paired_difference

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--n-draws", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=pretrained_models()[0])
    parser.add_argument("--models", default="scratch,fine_tuned",
                        help=f"comma-separated, the first is the reference: {', '.join(MODELS)}")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--cache-dir", default=None, help="cache of the forests' Richards features (safe to delete)")
    parser.add_argument("--name", default="pretrained_small_eros1")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.models.split(",") if name.strip()]
    if not names or set(names) - set(MODELS):
        parser.error(f"--models {args.models!r}: choose from {', '.join(MODELS)}")
    torch.set_num_threads(args.threads)

    def make(name, seed):
        settings = dict(random_state=seed, n_jobs=args.threads)
        if name == "scratch":
            return CyclicClassifier(max_epochs=20, **settings)
        if name == "fine_tuned":
            return CyclicClassifier.from_pretrained(args.model, learning_rate=0.002, max_epochs=20, **settings)
        extra = PretrainedFeatures(args.model) if name == "rf_pretrained" else None
        return RichardsForestClassifier(extra_features=extra, memory=args.cache_dir, **settings)

    data = load_eros1(data_home=args.data_home, band="r")
    rows = []
    for draw in range(args.n_draws):
        train, rest = train_test_split(np.arange(len(data.target)), train_size=300, stratify=data.target,
                                       random_state=draw)
        _, test = train_test_split(rest, test_size=600, stratify=data.target[rest], random_state=draw)
        X_train, y_train = [data.light_curves[i] for i in train], data.target[train]
        X_test, y_test = [data.light_curves[i] for i in test], data.target[test]
        row = {"draw": draw}
        for name in names:
            model = make(name, draw)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            row[f"{name}_seconds"] = time.perf_counter() - start
            row[name] = float(np.mean(model.predict(X_test) == y_test))
        rows.append(row)
        print(f"draw {draw}: " + ", ".join(f"{name} {row[name]:.3f}" for name in names), file=sys.stderr)

    reference, others = names[0], names[1:]
    summary = {f"{name}_mean": float(np.mean([r[name] for r in rows])) for name in names}
    for name in others:
        paired = paired_difference([row[name] for row in rows], [row[reference] for row in rows])
        summary[name + "_difference"] = {key: paired[key] for key in ("median", "p16", "p84")} | {
            "better": int(np.sum(np.asarray(paired["per_split"]) > 0)), "n_draws": len(rows)}
    result = {"what": "EROS-1 red band, 300 training / 600 test stars per draw, networks 20 epochs at most",
              "model": args.model, "models": names, "rows": rows, "summary": summary, "commit": _git_commit(),
              "machine": describe_machine(), "threads": args.threads, "versions": _versions()}
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / f"{args.name}.json").write_text(json.dumps(result, indent=1))
    labels = [LABELS[name] for name in names]
    lines = [f"# 300 labelled EROS-1 stars: {', '.join(labels)} ({args.model})", "",
             f"{result['what']}; the same stars and seed for every model in each draw; threads: {args.threads}. "
             f"Difference: each model minus {LABELS[reference]}, paired within draws.", "",
             "| draw | " + " | ".join(labels) + "".join(f" | {LABELS[n]} difference" for n in others) + " |",
             "|---" * (1 + len(names) + len(others)) + "|"]
    lines += [f"| {r['draw']} | " + " | ".join(f"{r[n]:.1%}" for n in names)
              + "".join(f" | {r[n] - r[reference]:+.1%}" for n in others) + " |" for r in rows]
    lines += ["| mean / median difference | " + " | ".join(f"{summary[n + '_mean']:.1%}" for n in names)
              + "".join(" | {median:+.1%} ({p16:+.1%} to {p84:+.1%})".format(**summary[n + "_difference"])
                        for n in others) + " |", ""]
    lines += [f"{LABELS[n]} better in {summary[n + '_difference']['better']} of {len(rows)} draws. " for n in others]
    lines[-1] += provenance_line(result["commit"], result["machine"])
    (args.output / f"{args.name}.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
