"""Epoch time of DistributedDataParallel training on 2 CPU processes against 1 process.

Usage::

    python benchmarks/scale_ddp_epoch.py --n-stars 2000 --max-epochs 2 --repeats 2 \\
        --output benchmarks/results/scale_ddp.json

Runs ``benchmarks/train_ddp.py`` alone and under
``torchrun --standalone --nproc-per-node 2`` in turn (``--repeats`` times each,
interleaved so that both see the same machine load), every process with one
torch thread (``OMP_NUM_THREADS=1``), on the synthetic survey with the
default iTCN. The global batch is the same (``--batch-size``), so both take
the same optimisation steps; the time per epoch is the fit time (which
includes cutting the segments, a second or so) over the epochs run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def run(n_processes, train_args, workdir, tag):
    metrics = Path(workdir) / f"{tag}.json"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    launcher = [sys.executable] if n_processes == 1 else [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(n_processes)]
    script = Path(__file__).resolve().parent / "train_ddp.py"
    subprocess.run([*launcher, str(script), *train_args, "--metrics", str(metrics)], env=env, check=True)
    out = json.loads(metrics.read_text())
    return {key: out[key] for key in ("world_size", "fit_seconds", "epochs", "seconds_per_epoch", "test_accuracy")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-stars", type=int, default=2000)
    parser.add_argument("--max-epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    train_args = ["--dataset", "synthetic", "--n-stars", str(args.n_stars), "--max-epochs", str(args.max_epochs),
                  "--batch-size", str(args.batch_size), "--validation-fraction", "0", "--device", "cpu",
                  "--random-state", "0"]
    runs = {"1": [], "2": []}
    with tempfile.TemporaryDirectory() as workdir:
        for repeat in range(args.repeats):
            for n in (1, 2):
                runs[str(n)].append(run(n, train_args, workdir, f"{n}-{repeat}"))
                print(runs[str(n)][-1], file=sys.stderr)
    best = {n: min(r["seconds_per_epoch"] for r in values) for n, values in runs.items()}
    result = {"train_args": train_args, "runs": runs, "best_seconds_per_epoch": best,
              "speedup_2_vs_1": best["1"] / best["2"], "cpus": os.cpu_count(),
              "load_average_1min_at_end": os.getloadavg()[0]}
    print(json.dumps({k: result[k] for k in ("best_seconds_per_epoch", "speedup_2_vs_1")}, indent=1))
    if args.output:
        Path(args.output).write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
