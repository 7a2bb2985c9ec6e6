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
many splits the model wins, ties and loses. Writes ``NAME.json`` (with each
run's per-split accuracy pairs, so that it stands without the runs' files)
and ``NAME.md`` to ``--output``. Computes nothing new: the runs' JSON are its input.

To compare one model across two sets of runs (the same protocol and split
seeds, e.g. the forest given the features of two different pretrained
networks), ``--reference-runs`` names, run by run, the files the reference is
read from; each must have the same splits (seeds and test stars) as its run::

    python benchmarks/pooled_paired.py --reference rf-pretrained --model rf-pretrained \
        --labels "true periods,searched periods" --reference-runs TRUE_SEED{0,1}.json -- SEARCHED_SEED{0,1}.json
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from astro_cyclic.model_selection import paired_difference
from harness import _git_commit, _split_key

RESULTS = Path(__file__).resolve().parent / "results"


def _accuracies(path, result, model):
    try:
        return [split["models"][model]["accuracy"] for split in result["splits"]]
    except KeyError as exc:
        raise ValueError(f"{path}: no model {exc} in every split; it has "
                         f"{', '.join(result['splits'][0]['models'])}") from None


def _split_keys(result):
    """How the harness identifies each split of a run (position, seed, test stars)."""
    return [_split_key(k, split["seed"], split["test"]) for k, split in enumerate(result["splits"])]


def _run_rows(path, reference, model, reference_path=None):
    """The run's metadata and its (reference, model) accuracy per split; the reference's from
    ``reference_path`` when given, which must hold the same splits."""
    result = json.loads(Path(path).read_text())
    other = result
    if reference_path is not None:
        other = json.loads(Path(reference_path).read_text())
        if _split_keys(other) != _split_keys(result):
            raise ValueError(f"{reference_path} and {path} do not hold the same splits (seeds and test stars): "
                             "run both with the same protocol options and --seed")
    return result["metadata"], np.column_stack([_accuracies(reference_path or path, other, reference),
                                                _accuracies(path, result, model)])


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
    parser.add_argument("--reference-runs", nargs="+",
                        help="read the reference from these runs, one per run in the same order (same splits)")
    parser.add_argument("--labels", help="how the table names the reference and the model: 'REFERENCE,MODEL' "
                                         "(default: their model names)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--name", required=True)
    args = parser.parse_args(argv)
    references = args.reference_runs or [None] * len(args.runs)
    if len(references) != len(args.runs):
        parser.error(f"--reference-runs names {len(references)} files for {len(args.runs)} runs")
    labels = (args.labels or f"{args.reference},{args.model}").split(",")
    if len(labels) != 2:
        parser.error(f"--labels takes two names separated by a comma, not {args.labels!r}")

    runs, pooled = [], []
    for path, reference_path in zip(args.runs, references):
        metadata, pairs = _run_rows(path, args.reference, args.model, reference_path)
        runs.append({"file": Path(path).name, "reference_file": reference_path and Path(reference_path).name,
                     "dataset": metadata["dataset"],
                     "split_seeds": metadata.get("split_seeds"), "git_commit": metadata.get("git_commit"),
                     **_stats(pairs), "accuracy_pairs": pairs.tolist()})
        pooled.append(pairs)
    total = _stats(np.vstack(pooled))
    result = {"reference": args.reference, "model": args.model, "labels": labels, "runs": runs, "pooled": total,
              "commit": _git_commit()}
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / f"{args.name}.json").write_text(json.dumps(result, indent=1))
    lines = [f"# {labels[1]} against {labels[0]}, paired within the splits of each run", "",
             f"{runs[0]['dataset']}. Each run is benchmarks/paper_protocol.py with its own split seed (its splits and "
             "the forests' seeds); difference: per split, the model's test accuracy minus the reference's.", "",
             f"| run | splits | {labels[0]} | {labels[1]} | median difference (16th to 84th percentile) | "
             "mean difference | wins / ties / losses |", "|---|---|---|---|---|---|---|"]
    lines += [_line(run["file"], run) for run in runs]
    lines += [_line("**all splits**", total), "",
              f"Pooled by {Path(__file__).name} at commit {result['commit']}; each run's commit is in its JSON."]
    (args.output / f"{args.name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
