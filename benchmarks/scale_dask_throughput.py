"""Throughput of classifying a catalogue with dask (LocalCluster) against in-process ``predict_proba``.

Usage::

    python benchmarks/scale_dask_throughput.py --n-stars 2000 --workers 2 --output benchmarks/results/scale_dask.json

A CyclicClassifier (iTCN, default size) is trained briefly on a separate
synthetic survey (the speed of inference does not depend on how well it was
trained), then ``--n-stars`` other synthetic stars, which carry their periods,
are classified: in this process with one torch thread, and with
:func:`astro_cyclic.scale.predict_bag` and :func:`~astro_cyclic.scale.predict_dataframe`
(long layout, with its shuffle) on a `distributed.LocalCluster` of ``--workers``
processes of one thread each. Each is timed ``--repeats`` times, interleaved,
and the best time is kept; the cluster's start-up is timed apart. The results
are checked to agree with in-process ``predict_proba`` to 1e-6.
"""

import argparse
import json
import os
import platform
import time

import numpy as np
import pandas as pd
import torch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-stars", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    import dask.bag as db
    import dask.dataframe as dd
    import distributed

    from astro_cyclic import CyclicClassifier
    from astro_cyclic.datasets import make_periodic_variables
    from astro_cyclic.scale import predict_bag, predict_dataframe

    train = make_periodic_variables(300, random_state=1)
    clf = CyclicClassifier(max_epochs=2, random_state=0, device="cpu").fit(train.light_curves, train.target)
    stars = make_periodic_variables(args.n_stars, random_state=2).light_curves
    columns = [f"proba_{c}" for c in clf.classes_]
    rows = pd.concat([pd.DataFrame({"star_id": lc.star_id, "time": lc.time, "mag": lc.mag, "err": lc.err,
                                    "period": lc.period}) for lc in stars], ignore_index=True)

    timings = {"in_process": [], "bag": [], "dataframe_long": []}
    start = time.perf_counter()
    with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        client.run(lambda: __import__("astro_cyclic.scale._dask"))  # imports are start-up, not throughput
        startup = time.perf_counter() - start
        bag = db.from_sequence(stars, npartitions=args.partitions).persist()
        df = dd.from_pandas(rows, npartitions=args.partitions).persist()
        for _ in range(args.repeats):
            start = time.perf_counter()
            expected = clf.predict_proba(stars)
            timings["in_process"].append(time.perf_counter() - start)

            start = time.perf_counter()
            records = predict_bag(clf, bag).compute()
            timings["bag"].append(time.perf_counter() - start)
            got = np.array([[r[c] for c in columns] for r in records])
            assert np.abs(got - expected).max() <= 1e-6

            start = time.perf_counter()
            frame = predict_dataframe(clf, df, period_column="period").compute()
            timings["dataframe_long"].append(time.perf_counter() - start)
            frame = frame.set_index("star_id").loc[[lc.star_id for lc in stars]]
            assert np.abs(frame[columns].to_numpy() - expected).max() <= 1e-6

    best = {name: min(values) for name, values in timings.items()}
    result = {
        "n_stars": args.n_stars, "n_points": int(len(rows)), "workers": args.workers,
        "threads_per_worker": 1, "partitions": args.partitions, "cluster_startup_s": startup,
        "seconds": timings, "best_seconds": best,
        "stars_per_second": {name: args.n_stars / value for name, value in best.items()},
        "speedup_vs_in_process": {name: best["in_process"] / value for name, value in best.items()},
        "machine": {"cpus": os.cpu_count(), "load_average_1min": os.getloadavg()[0],
                    "python": platform.python_version(), "torch": torch.__version__},
    }
    print(json.dumps({k: result[k] for k in ("best_seconds", "stars_per_second", "speedup_vs_in_process",
                                             "cluster_startup_s")}, indent=1))
    if args.output:
        with open(args.output, "w") as fh:
            json.dump(result, fh, indent=1)
    return result


if __name__ == "__main__":
    main()
