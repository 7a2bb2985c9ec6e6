"""benchmarks/pretrain.py: pretraining on the periods the search finds."""

import numpy as np

from astro_cyclic import StarLightCurve
from pretrain import search_periods


def test_searched_periods_replace_the_true_ones_and_failures_are_counted_by_class():
    rng = np.random.default_rng(0)
    t = np.sort(rng.uniform(0, 60, 300))
    pulsator = StarLightCurve(t, 15 + 0.3 * np.sin(2 * np.pi * t / 0.61) + rng.normal(0, 0.01, t.size),
                              np.full(t.size, 0.01), period=0.5, star_id="p")  # a wrong catalogue period
    constant = StarLightCurve(t, np.full(t.size, 15.0), np.full(t.size, 0.01), period=1.0, star_id="c")
    stars, target, left_out = search_periods([constant, pulsator], np.array(["EB", "RRab"]), threads=1)
    assert [s.star_id for s in stars] == ["p"] and target.tolist() == ["RRab"] and left_out == {"EB": 1}
    assert stars[0].period_source == "search" and abs(stars[0].period - 0.61) < 1e-3
