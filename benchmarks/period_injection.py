"""Injection and recovery: the period search on simulated stars sampled on REAL survey cadences, per class.

Run from the repository root::

    python benchmarks/period_injection.py --data-home ../shared/data [--per-class 100]

``simulate_survey`` draws each class's stars from real catalogue parameters
(OGLE-III periods, amplitudes and Fourier shapes; MACHO eclipsing-binary
periods) onto the time stamps, bands and error-magnitude relation of real
stars of a survey: here EROS-1 (blue and red, searched together) and ASAS
(V). Every star is searched with the default ``PeriodSearch()`` on one
thread. Unlike the EROS-1 recovery table (``period_recovery.py``), the true
period is known exactly here, so a miss is the search's, not the
catalogue's. Counted per class: found (within 1% of the true period; for the
long-period variables, of their primary period), at half or twice it, on the
daily alias (within 0.02 cycles per day of 1, 2 or 3 per day).

Writes ``benchmarks/results/period_injection.{json,md}`` with the machine,
versions and commit. Not part of the test suite (``tests/test_period.py``
holds a small version of it, with thresholds).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from harness import _git_commit, _versions, describe_machine, provenance_line
from period_recovery import _near_daily

RESULTS = Path(__file__).resolve().parent / "results"
CADENCES = ("eros1", "asas")


def _outcomes(found, true):
    ratio = np.asarray(found) / np.asarray(true)
    return {"found": np.abs(ratio - 1) < 0.01, "half": np.abs(2 * ratio - 1) < 0.01,
            "double": np.abs(ratio / 2 - 1) < 0.01, "daily": np.array([_near_daily(p) for p in found])}


def main(argv=None):
    import threadpoolctl

    from astro_cyclic import PeriodSearch, clean_light_curve
    from astro_cyclic.datasets import SIMULATED_CLASSES, simulate_survey

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--per-class", type=int, default=100, help="simulated stars per class and cadence")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--name", default="period_injection")
    args = parser.parse_args(argv)

    classes = sorted(SIMULATED_CLASSES)
    search = PeriodSearch()
    rows = []
    for cadence in CADENCES:
        data = simulate_survey(args.per_class * len(classes), cadences=cadence, data_home=args.data_home,
                               random_state=args.seed)
        found, seconds = [], 0.0
        with threadpoolctl.threadpool_limits(1):
            for lc in data.light_curves:
                lc = clean_light_curve(lc)
                start = time.perf_counter()
                found.append(search(lc))
                seconds += time.perf_counter() - start
        outcome = _outcomes(found, data.periods)
        row = {"cadence": cadence, "n_stars": len(found), "ms_per_star": 1e3 * seconds / len(found),
               "all": float(outcome["found"].mean())}
        for c in classes:
            mine = data.target == c
            row[c] = {key: float(value[mine].mean()) for key, value in outcome.items()}
        rows.append(row)
        print(f"{cadence}: found {row['all']:.3f}; " + ", ".join(f"{c} {row[c]['found']:.2f}" for c in classes),
              file=sys.stderr)

    result = {"what": "PeriodSearch() on simulate_survey stars (true periods known) on real cadences; found = within "
                      "1% of the true (primary) period",
              "per_class": args.per_class, "seed": args.seed, "classes": classes, "rows": rows,
              "commit": _git_commit(), "machine": describe_machine(), "threads": 1, "versions": _versions()}
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / f"{args.name}.json").write_text(json.dumps(result, indent=1))
    lines = [f"# Injection and recovery of periods on real cadences ({args.per_class} simulated stars per class)", "",
             "Found: within 1% of the true period (long-period variables: the primary one); in brackets: at half "
             "the true period / at twice it / within 0.02 cycles per day of 1, 2 or 3 per day (the daily alias family; "
             "true periods there count too). `PeriodSearch()`, one thread.", "",
             "| cadence | all | " + " | ".join(classes) + " | ms per star |",
             "|---|---|" + "---|" * len(classes) + "---|"]
    for row in rows:
        cells = [f"{row[c]['found']:.0%} ({row[c]['half']:.0%}/{row[c]['double']:.0%}/{row[c]['daily']:.0%})"
                 for c in classes]
        lines.append(f"| {row['cadence']} | {row['all']:.1%} | " + " | ".join(cells) + f" | {row['ms_per_star']:.1f} |")
    lines += ["", provenance_line(result["commit"], result["machine"])]
    (args.output / f"{args.name}.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
