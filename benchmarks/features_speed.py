"""Time RichardsFeatures against cesium's featurize on the same light curves.

Run from the repository root::

    python benchmarks/features_speed.py [--n-stars 20]

For light curves of 200 and 1,000 points (synthetic survey stars, baselines
600-1500 days), it times per light curve, on one core:

* ``astro_cyclic`` with the period searched (no catalogue period): the
  package's period search plus the freq2/freq3 periodograms, i.e. three
  Lomb-Scargle periodograms;
* ``astro_cyclic`` with the catalogue period (two periodograms);
* cesium's ``featurize_time_series`` for the same features (those cesium
  has), with dask's synchronous scheduler.

Results go to ``benchmarks/results/features_speed.json`` and ``.md`` with the
machine's description. Not part of the test suite.
"""

import os

# One core for every library, so the comparison is per core (set before numpy loads BLAS).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import astro_cyclic  # noqa: E402
from astro_cyclic import StarLightCurve, clean_light_curve  # noqa: E402
from harness import describe_machine  # noqa: E402
from astro_cyclic.datasets import make_periodic_variables  # noqa: E402
from astro_cyclic.features import FEATURE_NAMES, RichardsFeatures  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _versions():
    import importlib.metadata as md

    out = {"python": platform.python_version(), "astro_cyclic": astro_cyclic.__version__}
    for name in ("numpy", "scipy", "astropy", "scikit-learn", "nifty-ls", "cesium", "dask"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    return out


def _light_curves(n_points, n_stars, seed):
    data = make_periodic_variables(n_stars, classes=["RRab", "RRc", "EA", "EW", "Cepheid"], n_points=n_points,
                                   random_state=seed)
    # Cleaned once here, so both libraries see exactly the same sorted, distinct points.
    return [clean_light_curve(lc) for lc in data.light_curves]


def _time_per_star(fn, items, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn(items)
        best = min(best, time.perf_counter() - start)
    return best / len(items)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-stars", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs (cesium: 1)")
    args = parser.parse_args(argv)

    try:
        import dask
        from cesium import featurize
        from cesium.features.graphs import GENERAL_FEATS, LOMB_SCARGLE_FEATS
        cesium_names = [n for n in FEATURE_NAMES if n in set(GENERAL_FEATS) | set(LOMB_SCARGLE_FEATS)]
    except ImportError:
        featurize = None

    rows = []
    for n_points in (200, 1000):
        lcs = _light_curves(n_points, args.n_stars, seed=n_points)
        searched = [StarLightCurve(lc.time, lc.mag, lc.err, star_id=lc.star_id) for lc in lcs]
        features = RichardsFeatures().fit(lcs)
        features.transform(lcs[:2])  # warm-up: imports, nifty-ls plans
        row = {"n_points": n_points, "n_stars": len(lcs),
               "astro_cyclic_search_ms": 1e3 * _time_per_star(features.transform, searched, args.repeats),
               "astro_cyclic_catalogue_ms": 1e3 * _time_per_star(features.transform, lcs, args.repeats)}
        if featurize is not None:
            def run_cesium(items):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    featurize.featurize_time_series([lc.time for lc in items], [lc.mag for lc in items],
                                                    [lc.err for lc in items], features_to_use=cesium_names,
                                                    scheduler=dask.get)
            run_cesium(lcs[:1])
            row["cesium_ms"] = 1e3 * _time_per_star(run_cesium, lcs, 1)
            row["cesium_over_astro_cyclic_search"] = row["cesium_ms"] / row["astro_cyclic_search_ms"]
            row["cesium_over_astro_cyclic_catalogue"] = row["cesium_ms"] / row["astro_cyclic_catalogue_ms"]
        rows.append(row)
        print(row)

    result = {"machine": describe_machine(), "versions": _versions(), "n_features": len(FEATURE_NAMES),
              "n_features_cesium": len(cesium_names) if featurize is not None else None, "results": rows,
              "notes": "ms per light curve, one core; astro_cyclic best of --repeats runs, cesium one run. "
                       "'search': period searched (3 periodograms); 'catalogue': catalogue period (2)."}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "features_speed.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = ["# Richards features: time per light curve (one core)", "",
             f"Machine: {result['machine']['platform']}, {result['machine']['cpu']}, "
             f"{result['machine']['cpu_count']} CPUs, load average {result['machine']['load_average']}", "",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in result["versions"].items()), "",
             "| points | stars | astro_cyclic, period searched (ms) | astro_cyclic, catalogue period (ms) "
             "| cesium (ms) | cesium / astro_cyclic (searched) |",
             "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        ces = f"{r['cesium_ms']:.1f}" if "cesium_ms" in r else "n/a"
        ratio = f"{r['cesium_over_astro_cyclic_search']:.1f}" if "cesium_ms" in r else "n/a"
        lines.append(f"| {r['n_points']} | {r['n_stars']} | {r['astro_cyclic_search_ms']:.1f} "
                     f"| {r['astro_cyclic_catalogue_ms']:.1f} | {ces} | {ratio} |")
    lines += ["", result["notes"], ""]
    (RESULTS / "features_speed.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
