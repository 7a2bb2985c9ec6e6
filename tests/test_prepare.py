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
