"""Pool the paired differences of two models over several paper_protocol.py runs (e.g. other split seeds).

Run from the repository root::

    python benchmarks/pooled_paired.py --reference rf --model rf-pretrained --name asas_rf_pretrained_pooled \
        benchmarks/results/benchmark_asas_pretrained.json benchmarks/results/asas_rf_pretrained_seed{1,2,3,4}.json

One run of the protocol is 8 splits of one seed; on a small set (ASAS: 157
test stars per split, so one star is 0.64 points) the paired differences of
one run are coarse, and a second seed can tell another story. This reads each
run's per-split accuracies of the two models (they must share the run's
splits), and reports per run and pooled over every split: the mean accuracies,
the median paired difference with its 16th-84th percentile range, and how
many splits the model wins, ties and loses. Writes ``NAME.json`` and
``NAME.md`` to ``--output``. Computes nothing new: the runs' JSON are its input.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from astro_cyclic.model_selection import paired_difference
from harness import _git_commit

RESULTS = Path(__file__).resolve().parent / "results"


def _run_rows(path, reference, model):
    result = json.loads(Path(path).read_text())
    try:
        pairs = [(split["models"][reference]["accuracy"], split["models"][model]["accuracy"])
                 for split in result["splits"]]
    except KeyError as exc:
        raise ValueError(f"{path}: no model {exc} in every split; it has "
                         f"{', '.join(result['splits'][0]['models'])}") from None
    return result["metadata"], np.array(pairs)


def _stats(pairs):
    paired = paired_difference(pairs[:, 1], pairs[:, 0])
    diff = np.asarray(paired["per_split"])
    return {"n_splits": len(diff), "reference_mean": float(pairs[:, 0].mean()), "model_mean": float(pairs[:, 1].mean()),
            **{f"difference_{key}": paired[key] for key in ("median", "p16", "p84", "mean")},
            "wins": int(np.sum(diff > 0)), "ties": int(np.sum(diff == 0)), "losses": int(np.sum(diff < 0))}


def _line(label, s):
    return (f"| {label} | {s['n_splits']} | {s['reference_mean']:.1%} | {s['model_mean']:.1%} | "
            f"{s['difference_median']:+.1%} ({s['difference_p16']:+.1%} to {s['difference_p84']:+.1%}) | "
            f"{s['difference_mean']:+.1%} | {s['wins']} / {s['ties']} / {s['losses']} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", help="result JSON files of benchmarks/paper_protocol.py")
    parser.add_argument("--reference", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--name", required=True)
    args = parser.parse_args(argv)

    runs, pooled = [], []
    for path in args.runs:
        metadata, pairs = _run_rows(path, args.reference, args.model)
        runs.append({"file": Path(path).name, "dataset": metadata["dataset"],
                     "split_seeds": metadata.get("split_seeds"), "git_commit": metadata.get("git_commit"),
                     **_stats(pairs)})
        pooled.append(pairs)
    total = _stats(np.vstack(pooled))
    result = {"reference": args.reference, "model": args.model, "runs": runs, "pooled": total,
              "commit": _git_commit()}
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / f"{args.name}.json").write_text(json.dumps(result, indent=1))
    lines = [f"# {args.model} against {args.reference}, paired within the splits of each run", "",
             f"{runs[0]['dataset']}. Each run is benchmarks/paper_protocol.py with its own split seed (its splits and "
             "the forests' seeds); difference: per split, the model's test accuracy minus the reference's.", "",
             f"| run | splits | {args.reference} | {args.model} | median difference (16th to 84th percentile) | "
             "mean difference | wins / ties / losses |", "|---|---|---|---|---|---|---|"]
    lines += [_line(run["file"], run) for run in runs]
    lines += [_line("**all splits**", total), "",
              f"Pooled by {Path(__file__).name} at commit {result['commit']}; each run's commit is in its JSON."]
    (args.output / f"{args.name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
