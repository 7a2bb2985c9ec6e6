"""The preparation stage: cleaned light curves, their periods and where each came from."""

import pickle

import numpy as np
import pytest
from astropy import units as u
from astropy.table import Table

from astro_cyclic import (PERIOD_SOURCES, LightCurveError, PeriodSearch, PreparedStar, StarLightCurve, periods_of,
                          prepare_light_curve, prepare_light_curves)


class CountingSearch(PeriodSearch):
    """A PeriodSearch that counts its calls."""

    calls = 0

    def __call__(self, lc):
        type(self).calls += 1
        return super().__call__(lc)


@pytest.fixture
def arrays():
    rng = np.random.default_rng(0)
    t = np.sort(rng.uniform(0, 60, 150))
    mag = 15 + 0.3 * np.sin(2 * np.pi * t / 0.537) + rng.normal(0, 0.02, t.size)
    return t, mag, np.full(t.size, 0.02)


def test_each_source_of_the_period(arrays):
    t, mag, err = arrays
    carried = StarLightCurve(t, mag, err, period=0.5, star_id="a")
    stars = prepare_light_curves([carried, (t, mag, err), (t, mag, err)], periods=[None, None, 2.0 * u.day])
    assert [s.period_source for s in stars] == ["catalogue", "search", "table"]
    assert stars[0].period == 0.5 and stars[2].period == 2.0
    assert stars[1].period == pytest.approx(0.537, rel=1e-3)
    assert [s.star_id for s in stars] == ["a", 1, 2]  # tuples are named by their position
    np.testing.assert_array_equal(periods_of(stars), [s.period for s in stars])
    assert set(PERIOD_SOURCES) == {"catalogue", "table", "search"}


def test_periods_by_star_id_take_precedence(arrays):
    t, mag, err = arrays
    lcs = [StarLightCurve(t, mag, err, period=0.5, star_id="a"), StarLightCurve(t, mag, err, star_id="b")]
    stars = prepare_light_curves(lcs, periods={"a": 0.25, "b": 0.537})
    assert [(s.period, s.period_source) for s in stars] == [(0.25, "table"), (0.537, "table")]


def test_cleaning_is_applied_once(arrays):
    t, mag, err = arrays
    mag = mag.copy()
    mag[:3] = 99.0  # survey sentinels
    (star,) = prepare_light_curves([StarLightCurve(t[::-1], mag[::-1], err, period=0.537)])
    assert len(star) == t.size - 3 and np.all(np.diff(star.light_curve.time) > 0)


def test_a_prepared_star_is_not_prepared_again(arrays):
    CountingSearch.calls = 0
    search = CountingSearch()
    (star,) = prepare_light_curves([arrays], period_search=search)
    assert CountingSearch.calls == 1
    again = prepare_light_curves([star], period_search=search)
    assert again[0] is star and CountingSearch.calls == 1
    # asking for more points than it was cleaned with cleans again (and keeps the period and its source)
    stricter = prepare_light_curve(star, period_search=search, min_points=20)
    assert stricter is not star and stricter.period == star.period and stricter.period_source == "search"
    assert CountingSearch.calls == 1
    with pytest.raises(LightCurveError, match="at least 500 are needed"):
        prepare_light_curve(star, min_points=500)


def test_errors_name_the_star(arrays):
    t, mag, err = arrays
    with pytest.raises(LightCurveError, match="star 'flat': all 150 magnitudes are equal"):
        prepare_light_curves([StarLightCurve(t, np.full(t.size, 15.0), err, star_id="flat")])
    with pytest.raises(LightCurveError, match=r"star 1: only 3 of 3 points"):
        prepare_light_curves([arrays, (t[:3], mag[:3], err[:3])])
    with pytest.raises(TypeError, match="got a single StarLightCurve; wrap it in a list"):
        prepare_light_curves(StarLightCurve(t, mag, err))
    with pytest.raises(ValueError, match="periods has 1 entries for 2 light curves"):
        prepare_light_curves([arrays, arrays], periods=[1.0])


def test_tables_and_round_trips(arrays):
    t, mag, err = arrays
    table = Table({"time": t * u.day, "mag": mag * u.mag, "mag_err": err * u.mag}, meta={"period": 0.537 * u.day})
    (star,) = prepare_light_curves([table])
    assert star.period_source == "catalogue" and star.period == pytest.approx(0.537)
    assert pickle.loads(pickle.dumps(star)) == star
    assert repr(star) == "<PreparedStar: 150 points, period=0.537 d (catalogue)>"
    with pytest.raises(TypeError, match="period set"):
        PreparedStar(StarLightCurve(t, mag, err), "search", 10)
    with pytest.raises(ValueError, match="period_source must be one of 'catalogue', 'table', 'search'; got 'guess'"):
        PreparedStar(star.light_curve, "guess", 10)


# ------------------------------------------------------------------ implausible periods (issue 14, item 4)
@pytest.mark.parametrize("period, why", [(1e-12, "shorter than 0.001 d"), (1e-6, "shorter than 0.001 d"),
                                         (1e6, "more than 10 times"), (10.5 * 99, "more than 10 times")])
def test_periods_the_sampling_cannot_support_are_refused_with_the_star_named(period, why):
    t = np.arange(0.0, 100.0) + 0.013 * (np.arange(100) % 3)  # nightly, finest spacing 0.987 d
    lc = StarLightCurve(t, 15 + np.sin(t), period=period, star_id="odd-1")
    with pytest.raises(LightCurveError, match=f"star 'odd-1': its catalogue period, .* {why}"):
        prepare_light_curve(lc)
    with pytest.raises(LightCurveError, match=f"its table period, .* {why}"):
        prepare_light_curve(lc.with_period(None), period=period)
    assert prepare_light_curve(lc.with_period(0.61)).period == 0.61  # plausible: accepted


def test_float32_julian_dates_cannot_carry_a_short_period():
    t = np.float32(2459000.0) + np.sort(np.random.default_rng(0).uniform(0, 300, 200)).astype(np.float32)
    lc = StarLightCurve(t.astype(np.float64), 15 + np.sin(2 * np.pi * t / 0.643), period=0.643, star_id="f32")
    with pytest.raises(LightCurveError, match="less than 10 times the 0.25 d its times are rounded to; .*float32"):
        prepare_light_curve(lc)
    days = np.sort(np.random.default_rng(1).choice(np.arange(2459000.0, 2459400.0), 200, replace=False))
    whole_days = StarLightCurve(days, np.sin(days / 3), period=5.0, star_id="d")  # nights rounded to the day
    with pytest.raises(LightCurveError, match="the 1 d its times are rounded to"):
        prepare_light_curve(whole_days)
    assert prepare_light_curve(whole_days.with_period(20.0)).period == 20.0
    # A regular cadence is not rounding: every step equal, or steps from an arbitrary start (a spacecraft's
    # 30-minute cadence with a gap): a 0.1 d period folds on exact times.
    cadence = 2455000.3717 + 0.0204 * np.r_[np.arange(300), np.arange(400, 700)]
    for t in (np.linspace(0.0, 30.0, 200), cadence):
        regular = StarLightCurve(t, 15 + np.sin(2 * np.pi * t / 0.1), period=0.1, star_id="r")
        assert prepare_light_curve(regular).period == 0.1
    # Without a catalogue period the search found rounding noise (0.134 d for this 0.643 d star): now refused.
    with pytest.raises(LightCurveError, match="star 'f32': its searched period, .* is less than 10 times the 0.25 d"):
        prepare_light_curve(lc.with_period(None))


def test_fine_irregular_sampling_over_a_long_span_is_not_taken_for_rounding():
    rng = np.random.default_rng(3)
    t = np.sort(rng.uniform(0, 3000, 400))
    t = np.sort(np.r_[t, t[:50] + 0.005])  # pairs of visits 0.005 d apart, spread over 3,000 days
    lc = StarLightCurve(t, 15 + np.sin(2 * np.pi * t / 0.03), period=0.03, star_id="dsct")
    assert prepare_light_curve(lc).period == 0.03
