"""Property-based tests (hypothesis): any input either gives a clear error naming the problem, or finite outputs.

Over the adapters and cleaning (lightcurves), the preparation with a catalogue period (prepare), the folding
into segments (preprocess) and the Richards features (features). The examples are bounded so the module takes
seconds; hypothesis shrinks any failure to a minimal light curve.
"""

import warnings

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from astro_cyclic import LightCurveWarning, as_light_curve, clean_light_curve, prepare_light_curve
from astro_cyclic.features import richards_features
from astro_cyclic.preprocess import segment_light_curves

# Every float numpy holds, the awkward ones most often: NaN, infinities, zero, subnormals, near-overflow.
AWKWARD = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0.0, -0.0, 5e-324, 1e-300, 1e-160, 1e160, 1e300, 1.7e308, 99.999, -99.0]))
TIMES = st.one_of(st.floats(-1e7, 1e7), st.sampled_from([0.0, -99.0, 2450000.0, np.nan, np.inf]))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def light_curves(draw, min_size=0, max_size=60):
    n = draw(st.integers(min_size, max_size))
    base = np.cumsum(draw(hnp.arrays(np.float64, n, elements=st.floats(0.01, 30))))  # distinct, increasing
    # Mostly plausible points (so that cleaning keeps some), and anything at all at a few drawn positions.
    awkward = {}
    for name, elements in (("time", TIMES), ("mag", AWKWARD), ("err", AWKWARD)):
        where = draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=4)) if n else []
        awkward[name] = (where, draw(hnp.arrays(np.float64, len(where), elements=elements)))
    time, mag, err = base.copy(), 15 + np.sin(base), np.full(n, 0.02)
    for name, array in (("time", time), ("mag", mag), ("err", err)):
        where, values = awkward[name]
        array[where] = values
    if n > 1 and draw(st.booleans()):
        time[: n // 2] = time[n // 2: 2 * (n // 2)]  # duplicated epochs, merged by cleaning
    return time, mag, err


def _cleaned(arrays, min_points=5):
    """The cleaned light curve, or None when cleaning refused it with a named reason."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LightCurveWarning)  # time sentinels dropped: said, and allowed
            return clean_light_curve(as_light_curve(arrays, star_id="H"), min_points=min_points)
    except ValueError as exc:
        assert "star 'H'" in str(exc)
        event("refused by cleaning")
        return None


@SETTINGS
@given(light_curves())
def test_cleaning_refuses_with_the_star_named_or_gives_finite_sorted_points(arrays):
    lc = _cleaned(arrays)
    if lc is None:
        return
    assert np.all(np.isfinite(lc.time)) and np.all(np.isfinite(lc.mag))
    assert np.all(np.isfinite(lc.err)) and np.all(lc.err > 0)
    assert np.all(np.diff(lc.time) > 0) and len(lc) >= 5


@SETTINGS
@given(light_curves(min_size=5), st.one_of(st.floats(0.1, 50), st.sampled_from([1e-12, 1e-4, 1e6, 0.5])))
def test_preparing_and_folding_give_finite_segments(arrays, period):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LightCurveWarning)
            star = prepare_light_curve(as_light_curve(arrays, star_id="H", period=period), min_points=5)
    except ValueError as exc:
        assert "star 'H'" in str(exc)
        event("refused by preparation")
        return
    event("folded")
    segments = segment_light_curves([star.light_curve], [star.period], segment_length=16)
    assert all(np.all(np.isfinite(c)) for c in segments.channels)
    assert np.all(np.isfinite(segments.aux))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(light_curves(min_size=12))
def test_richards_features_are_finite_or_nan_never_infinite(arrays):
    """A feature undefined for a star (a ratio with a zero denominator, the damped random walk on epochs
    1e-282 d apart) is NaN, as documented (the forest takes NaN, the hybrid sets it to the training mean)."""
    lc = _cleaned(arrays, min_points=12)
    if lc is None:
        return
    period = max(np.ptp(lc.time) / 3, 0.2)
    try:
        features = richards_features(lc.time, lc.mag, lc.err, period)
    except ValueError as exc:  # e.g. a span too short to search the second and third frequencies
        assert str(exc)
        event("features refused")
        return
    event("features computed")
    assert not {name: value for name, value in features.items() if np.isinf(value)}
