"""Train a `CyclicClassifier` on a named data set on one or several processes, timed and scored.

The research entry point behind ``benchmarks/scale_ddp_epoch.py``: a data
set of :data:`astro_cyclic.datasets.DATASETS`, a stratified test hold-out,
and a JSON file of timings and scores. (Users train on their own files with
``torchrun ... -m astro_cyclic.cli fit ... --distributed``.) Run it alone for
one process, or under torchrun for several (gloo on CPUs, NCCL on GPUs)::

    torchrun --nproc-per-node 2 benchmarks/train_ddp.py --dataset synthetic --n-stars 2000 \\
        --max-epochs 10 --output model.pt --metrics metrics.json

or, where the ``torchrun`` script is not on the path,
``python -m torch.distributed.run --nproc-per-node 2 benchmarks/train_ddp.py ...``.
On several machines, give torchrun ``--nnodes``, ``--node-rank`` and
``--rdzv-endpoint`` (see the torchrun documentation). Every process loads
the same data and holds out the same test stars; rank 0 alone evaluates the
test stars and writes the model file and the metrics.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from sklearn.model_selection import train_test_split

from astro_cyclic import CyclicClassifier
from astro_cyclic.datasets import load_dataset


def _parser():
    parser = argparse.ArgumentParser(
        prog="python benchmarks/train_ddp.py",
        description="Train a CyclicClassifier, in parallel when started by torchrun "
                    "(DistributedDataParallel; gloo on CPUs, NCCL on GPUs).")
    parser.add_argument("--dataset", default="synthetic", help="a name of astro_cyclic.datasets.DATASETS")
    parser.add_argument("--n-stars", type=int, default=2000, help="stars of the synthetic survey")
    parser.add_argument("--data-seed", type=int, default=0, help="seed of the synthetic survey")
    parser.add_argument("--classes", help="comma-separated classes of the synthetic survey (default: all)")
    parser.add_argument("--data-home", help="folder of the real data sets (see astro_cyclic.datasets)")
    parser.add_argument("--test-fraction", type=float, default=0.2,
                        help="stars held out (stratified) and scored by rank 0")
    parser.add_argument("--architecture", default="itcn")
    parser.add_argument("--segment-length", type=int, default=200)
    parser.add_argument("--hidden", type=int)
    parser.add_argument("--depth", type=int)
    parser.add_argument("--dropout", type=float)
    parser.add_argument("--thin-fraction", type=float, default=0.0)
    parser.add_argument("--max-epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=64,
                        help="segments per step over ALL processes; each takes its share")
    parser.add_argument("--learning-rate", type=float, default=0.005)
    parser.add_argument("--validation-fraction", type=float, default=0.2)
    parser.add_argument("--n-iter-no-change", type=int, default=20)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--threads", type=int,
                        help="torch threads per process (default: OMP_NUM_THREADS, which torchrun sets to 1)")
    parser.add_argument("--output", type=Path, help="model file written by rank 0")
    parser.add_argument("--metrics", type=Path, help="JSON file of timings and scores written by rank 0")
    parser.add_argument("--verbose", type=int, default=0)
    return parser


def main(argv=None):
    """Parse the arguments, train, and let rank 0 report and write the files.

    Returns
    -------
    dict
        The metrics (on every rank; only rank 0 has the test accuracy).
    """
    args = _parser().parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    elif "OMP_NUM_THREADS" in os.environ:
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    classes = None if args.classes is None else args.classes.split(",")
    data = load_dataset(args.dataset, data_home=args.data_home, n_stars=args.n_stars, classes=classes,
                        random_state=args.data_seed)
    light_curves, target = data.light_curves, data.target
    stars = np.arange(len(light_curves))
    # The same seed on every rank, so all train on the same stars.
    train, test = train_test_split(stars, test_size=args.test_fraction, stratify=target,
                                   random_state=args.random_state)
    clf = CyclicClassifier(
        args.architecture, segment_length=args.segment_length, module__hidden=args.hidden, module__depth=args.depth,
        module__dropout=args.dropout, thin_fraction=args.thin_fraction, max_epochs=args.max_epochs,
        batch_size=args.batch_size, learning_rate=args.learning_rate,
        train_split=args.validation_fraction or None, n_iter_no_change=args.n_iter_no_change,
        device=args.device, random_state=args.random_state, verbose=args.verbose, distributed="auto")
    start = time.perf_counter()
    clf.fit([light_curves[i] for i in train], target[train])
    fit_seconds = time.perf_counter() - start
    parallel = dist.is_available() and dist.is_initialized()
    rank, world_size = (dist.get_rank(), dist.get_world_size()) if parallel else (0, 1)
    metrics = {"dataset": args.dataset, "n_train": int(train.size), "n_test": int(test.size),
               "world_size": world_size, "device": str(clf.device_), "threads_per_process": torch.get_num_threads(),
               "fit_seconds": fit_seconds, "epochs": len(clf.history_), "best_epoch": clf.best_epoch_,
               "seconds_per_epoch": fit_seconds / len(clf.history_), "history": clf.history_}
    if rank == 0:
        test_lcs = [light_curves[i] for i in test]
        metrics["test_accuracy"] = float(clf.score(test_lcs, target[test]))
        metrics["test_proba"] = clf.predict_proba(test_lcs).tolist()
        if args.output is not None:
            clf.save(args.output, overwrite=True)
        if args.metrics is not None:
            args.metrics.write_text(json.dumps(metrics, indent=1))
        print(f"{world_size} process(es) on {clf.device_}: {len(clf.history_)} epochs in {fit_seconds:.1f} s "
              f"({metrics['seconds_per_epoch']:.2f} s/epoch), best epoch {clf.best_epoch_}, "
              f"test accuracy {metrics['test_accuracy']:.4f} on {test.size} stars", file=sys.stderr)
    if parallel:
        dist.barrier()  # no process leaves (and tears the group down) while rank 0 still writes
        dist.destroy_process_group()
    return metrics


if __name__ == "__main__":
    main()
