"""Time the period search a star without a catalogue period goes through, one band and two.

Run from the repository root::

    python benchmarks/period_cost.py [--n-stars 20]

On one core, over the 200,000-frequency grid the period issue sets its cost
target on (at most 40 ms per 1,000-point single-band star), per star:

* ``find_period``: the chosen period (periodogram, harmonic refit of the
  highest peaks, doubling test), what ``CyclicClassifier`` runs for a star
  without a period;
* ``period_candidates``: the same search and the table of candidates (each
  refined to its chi^2 minimum, with its uncertainty, false-alarm probability,
  Delta BIC and flags), what ``astro-cyclic period`` writes.

Synthetic survey stars (``make_periodic_variables``) of 1,000 points in one
band, and of 1,000 points shared between two bands (``g`` and ``r``, about 500
each). The two are timed in the same run, alternately, so the ratio of table to
search holds even on a busy machine; each figure is the best of several
repeats. Results go to ``benchmarks/results/period_cost.{json,md}`` with the
machine, versions and load averages. Not part of the test suite.
"""

import os

# One core for every library (set before numpy loads BLAS).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from astro_cyclic import clean_light_curve  # noqa: E402
from astro_cyclic.datasets import make_periodic_variables  # noqa: E402
from astro_cyclic.period import find_period, period_candidates  # noqa: E402
from harness import _git_commit, describe_machine  # noqa: E402
from harness import _versions as harness_versions  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
N_FREQUENCIES = 200_000
CLASSES = ["RRab", "RRc", "EA", "EW", "Cepheid"]


def _versions():
    import importlib.metadata as md

    return harness_versions() | {name: md.version(name) for name in ("scipy", "nifty-ls")}


def _ms_per_star(fn, stars, repeats):
    best = float("inf")
    fn(stars[0])  # warm-up: nifty-ls plans, imports
    for _ in range(repeats):
        start = time.perf_counter()
        for lc in stars:
            fn(lc)
        best = min(best, time.perf_counter() - start)
    return 1e3 * best / len(stars)


def measure(n_stars, repeats):
    rows = {}
    for name, bands in (("1 band, 1,000 points", None), ("2 bands, 1,000 points in all", ("g", "r"))):
        data = make_periodic_variables(n_stars, classes=CLASSES, n_points=1000, bands=bands, random_state=4)
        stars = [clean_light_curve(lc) for lc in data.light_curves]

        def search(lc):
            return find_period(lc.time, lc.mag, lc.err, band=lc.band, n_frequencies=N_FREQUENCIES)

        def table(lc):
            return period_candidates(lc.time, lc.mag, lc.err, band=lc.band, n_frequencies=N_FREQUENCIES)

        timings = {"search": [], "table": []}
        for _ in range(repeats):  # alternated, so that a busy spell slows both alike
            timings["search"].append(_ms_per_star(search, stars, 1))
            timings["table"].append(_ms_per_star(table, stars, 1))
        rows[name] = {"n_stars": n_stars, "search_ms": min(timings["search"]), "table_ms": min(timings["table"])}
        rows[name]["table_over_search"] = rows[name]["table_ms"] / rows[name]["search_ms"]
    return rows


def markdown(result):
    lines = ["# Cost of the period search (benchmarks/period_cost.py)", "",
             f"Per star, one thread, {N_FREQUENCIES:,} trial frequencies, best of {result['repeats']} repeats "
             f"over {result['n_stars']} synthetic stars ({', '.join(CLASSES)}). Target: the whole search at most "
             "40 ms per 1,000-point single-band star.", "",
             "| light curve | chosen period (find_period), ms | candidates table (period_candidates), ms "
             "| table / search |", "|---|---:|---:|---:|"]
    for name, row in result["rows"].items():
        lines.append(f"| {name} | {row['search_ms']:.1f} | {row['table_ms']:.1f} | {row['table_over_search']:.2f} |")
    m = result["machine"]
    lines += ["", f"Machine: {m['cpu']}, {m['usable_cpus']} usable cores; load average at start "
              f"{result['load_average_start']}, at end {result['load_average_end']}; "
              f"{', '.join(f'{k} {v}' for k, v in result['versions'].items())}; git {result['commit']}.", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-stars", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = {"n_stars": args.n_stars, "repeats": args.repeats, "n_frequencies": N_FREQUENCIES,
              "machine": describe_machine(), "versions": _versions(), "commit": _git_commit(),
              "load_average_start": [round(x, 2) for x in os.getloadavg()]}
    result["rows"] = measure(args.n_stars, args.repeats)
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "period_cost.json").write_text(json.dumps(result, indent=2) + "\n")
    text = markdown(result)
    (args.output / "period_cost.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
