"""How good are the searched periods of the ASAS benchmark set? Per class: aliases of one day, lengths.

The ASAS training set of Richards et al. (2012) has no catalogue periods, so the
benchmark finds them with the package's default ``PeriodSearch`` (and caches
them, as ``benchmarks/paper_protocol.py --dataset asas`` does). This prints, per class,
the fraction of stars whose searched frequency lies within 0.5% of 0.5, 1, 2 or
3 cycles per day (the daily-sampling alias family), the median period and the
median number of points. Run from the repository root::

    python benchmarks/asas_periods.py [--data-home ../shared/data]
"""

import argparse

import numpy as np

from astro_cyclic import clean_light_curve
from paper_protocol import _with_searched_periods
from astro_cyclic.datasets import load_asas_richards2012


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None, help="folder with asas_richards2012 (default: $ASTRO_CYCLIC_DATA)")
    parser.add_argument("--cache", default="benchmarks/results/.cache/benchmark_asas",
                        help="the benchmark's cache of searched periods (default: the one the benchmark uses)")
    args = parser.parse_args(argv)
    data = load_asas_richards2012(data_home=args.data_home, min_class_size=10)
    light_curves = _with_searched_periods(data.light_curves, True, args.cache)
    period = np.array([lc.period for lc in light_curves])
    points = np.array([clean_light_curve(lc).time.size for lc in light_curves])
    frequency = 1 / period
    alias = np.zeros(period.size, dtype=bool)
    for k in (0.5, 1, 2, 3):
        alias |= np.abs(frequency - k) < 0.005 * k
    print(f"{period.size} stars; median {np.median(points):.0f} points, {np.mean(points < 200):.1%} under 200; "
          f"{alias.mean():.1%} of searched periods on the one-day alias family")
    print(f"{'class':18s} {'stars':>5s} {'alias':>6s} {'median P (d)':>13s} {'points':>7s}")
    for label in np.unique(data.target):
        m = data.target == label
        print(f"{label:18s} {m.sum():5d} {alias[m].mean():6.2f} {np.median(period[m]):13.3f} "
              f"{np.median(points[m]):7.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
