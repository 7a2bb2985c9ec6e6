import pickle

import numpy as np
import pytest
from astropy import units as u
from astropy.table import QTable, Table
from astropy.time import Time
from astropy.timeseries import TimeSeries

from astro_cyclic import (LightCurveError, LightCurveWarning, StarLightCurve, as_light_curve, as_light_curves,
                          clean_light_curve)
from astro_cyclic.lightcurves import flux_to_mag


@pytest.fixture
def arrays():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 50, 40))
    return t, 15 + np.sin(t), np.full(t.size, 0.02)


def test_tuple_and_repr(arrays):
    lc = as_light_curve(arrays, period=2.5, star_id="V1")
    assert isinstance(lc, StarLightCurve)
    assert lc.time.dtype == np.float64 and len(lc) == 40
    assert lc.period == 2.5
    assert repr(lc) == "<StarLightCurve V1: 40 points, period=2.5 d>"


def test_quantities_converted_at_the_edge(arrays):
    t, mag, err = arrays
    lc = as_light_curve((t * 24 * u.hour, mag * u.mag, err * u.mag), period=36 * u.hour)
    np.testing.assert_allclose(lc.time, t)
    assert lc.period == pytest.approx(1.5)


def test_time_object_gives_days(arrays):
    t, mag, err = arrays
    lc = as_light_curve((Time(2450000 + t, format="jd"), mag, err))
    np.testing.assert_allclose(lc.time - 2450000, t, atol=1e-8)


def test_timeseries_with_meta_period(arrays):
    t, mag, err = arrays
    ts = TimeSeries(time=Time(2450000 + t, format="jd"), data={"mag": mag * u.mag, "mag_err": err * u.mag})
    ts.meta["period"] = 0.75 * u.day
    lc = as_light_curve(ts)
    assert lc.period == pytest.approx(0.75)
    np.testing.assert_allclose(lc.err, err)


def test_table_with_named_columns(arrays):
    t, mag, err = arrays
    table = Table({"hjd": t, "V": mag, "sigV": err})
    lc = as_light_curve(table, time_column="hjd", mag_column="V", err_column="sigV", period=1.0)
    np.testing.assert_allclose(lc.mag, mag)
    with pytest.raises(LightCurveError, match="no column 'I'"):
        as_light_curve(table, time_column="hjd", mag_column="I")


def test_flux_table_converted_to_magnitudes(arrays):
    t, _, _ = arrays
    flux = np.full(t.size, 100.0)
    table = QTable({"time": t * u.day, "flux": flux * u.electron / u.s, "flux_err": np.ones(t.size) * u.electron / u.s})
    lc = as_light_curve(table)
    np.testing.assert_allclose(lc.mag, -5.0)
    np.testing.assert_allclose(lc.err, 2.5 / np.log(10) / 100)


def test_magnitude_column_with_flux_unit_is_refused(arrays):
    t, mag, _ = arrays
    table = QTable({"time": t * u.day, "mag": mag * u.Jy})
    with pytest.raises(LightCurveError, match="not magnitudes"):
        as_light_curve(table)


def test_nonpositive_flux_has_no_magnitude():
    mag, err = flux_to_mag([10.0, 0.0, -1.0], [1.0, 1.0, 1.0])
    assert np.isfinite(mag[0]) and np.isnan(mag[1:]).all() and np.isnan(err[1:]).all()


def test_lightkurve_lightcurve_as_is(arrays):
    lk = pytest.importorskip("lightkurve")
    t, mag, _ = arrays
    flux = 10 ** (-0.4 * (mag - 15))
    lc_lk = lk.LightCurve(time=Time(2459000 + t, format="jd"), flux=flux, flux_err=0.01 * flux)
    lc = as_light_curve(lc_lk, period=3.0)
    np.testing.assert_allclose(lc.mag - lc.mag.mean(), mag - mag.mean(), atol=1e-10)
    np.testing.assert_allclose(lc.err, 2.5 / np.log(10) * 0.01)
    # normalised flux only moves the zero point
    norm = as_light_curve(lc_lk.normalize())
    np.testing.assert_allclose(norm.mag - norm.mag.mean(), lc.mag - lc.mag.mean(), atol=1e-10)


def test_flux_table_with_negative_fluxes_warns_and_names_the_star(arrays):
    t, _, _ = arrays
    flux = np.full(t.size, 100.0)
    flux[:3] = [-5.0, 0.0, -1.0]
    with pytest.warns(LightCurveWarning, match="star 'F1': 3 of 40 fluxes are zero or negative"):
        lc = as_light_curve(Table({"time": t, "flux": flux}), star_id="F1")
    assert np.isnan(lc.mag[:3]).all() and np.isfinite(lc.mag[3:]).all()


def test_lightkurve_quality_flags_of_the_default_bitmask_are_left_out(arrays):
    lk = pytest.importorskip("lightkurve")
    t, mag, _ = arrays
    flux = 10 ** (-0.4 * (mag - 15))
    quality = np.zeros(t.size, dtype=int)
    quality[[0, 5]] = 1  # attitude tweak: in Kepler's default bitmask
    quality[7] = 2 ** 13  # cosmic ray in collateral data: not in the default bitmask, kept as lightkurve keeps it
    lc_lk = lk.LightCurve(time=t, flux=flux, flux_err=0.01 * flux, quality=quality)
    with pytest.warns(LightCurveWarning, match="2 of 40 points have quality flags"):
        lc = as_light_curve(lc_lk, star_id="K1")
    assert np.isnan(lc.mag[[0, 5]]).all() and np.isfinite(np.delete(lc.mag, [0, 5])).all()
    assert len(clean_light_curve(lc)) == 38


def test_lightkurve_without_errors_gets_uniform_errors(arrays):
    lk = pytest.importorskip("lightkurve")
    t, mag, _ = arrays
    lc = as_light_curve(lk.LightCurve(time=t, flux=10 ** (-0.4 * mag)))
    assert np.all(np.isfinite(lc.err)) and np.ptp(lc.err) == 0


def test_folded_lightkurve_is_refused(arrays):
    lk = pytest.importorskip("lightkurve")
    t, mag, _ = arrays
    folded = lk.LightCurve(time=t, flux=10 ** (-0.4 * mag)).fold(period=2.0)
    with pytest.raises(LightCurveError, match="folded"):
        as_light_curve(folded)


@pytest.mark.parametrize("bad, match", [
    ((np.arange(5.0), np.arange(4.0)), "same length"),
    (("abc", np.arange(3.0)), "array of numbers"),
    (42, "cannot read a light curve"),
    ({"t": [1, 2]}, "cannot read a light curve"),
])
def test_wrong_inputs(bad, match):
    with pytest.raises(LightCurveError, match=match):
        as_light_curve(bad, star_id="S")


@pytest.mark.parametrize("period", [0.0, -1.0, np.nan, np.inf, "1 day", True])
def test_bad_period(arrays, period):
    with pytest.raises(LightCurveError, match="star 'S'.*period"):
        as_light_curve(arrays, period=period, star_id="S")


def test_as_light_curves_refuses_single_curve(arrays):
    with pytest.raises(TypeError, match="single"):
        as_light_curves(StarLightCurve(*arrays))
    with pytest.raises(TypeError, match="numeric array"):
        as_light_curves(np.zeros((3, 10)))
    lcs = as_light_curves([arrays, arrays], periods=[1.0, 2.0])
    assert [lc.star_id for lc in lcs] == [0, 1] and [lc.period for lc in lcs] == [1.0, 2.0]


def test_cleaning_removes_bad_points_and_sorts():
    t = np.array([5.0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12])
    mag = np.array([15.1, 15.0, np.nan, 99.0, 15.3, -99.999, 15.2, 15.4, 15.0, 15.5, 15.1, 15.2])
    err = np.array([0.1, 0.1, 0.1, 0.1, 0.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    lc = clean_light_curve(StarLightCurve(t, mag, err), min_points=5)
    np.testing.assert_array_equal(lc.time, [1, 5, 7, 8, 9, 10, 11, 12])
    assert np.all(np.diff(lc.time) > 0)


def test_duplicate_times_are_merged_by_weight():
    t = np.array([0.0, 1, 1, 2, 3])
    lc = clean_light_curve(StarLightCurve(t, [1.0, 2.0, 4.0, 3.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0]), min_points=3)
    np.testing.assert_array_equal(lc.time, [0, 1, 2, 3])
    assert lc.mag[1] == pytest.approx(3.0) and lc.err[1] == pytest.approx(1 / np.sqrt(2))


def test_time_sentinels_are_dropped_with_a_warning_naming_the_star():
    """One time of 0 or -99 among Julian dates would stretch the period search over 2.4 million days."""
    rng = np.random.default_rng(3)
    t = np.sort(2450000 + rng.uniform(0, 1000, 60))
    mag = 15 + 0.3 * np.sin(2 * np.pi * t / 0.7)
    bad = StarLightCurve(np.r_[0.0, t, -99.0], np.r_[15.0, mag, 15.0], star_id="JD-1")
    with pytest.warns(LightCurveWarning, match=r"star 'JD-1': dropped 2 time\(s\) far from all the others \(0, -99;"):
        lc = clean_light_curve(bad)
    np.testing.assert_array_equal(lc.time, t)
    # A season observed years after the rest is not an outlier.
    late = np.r_[t, t[-1] + 7300.0]
    assert len(clean_light_curve(StarLightCurve(late, np.r_[mag, 15.0]))) == late.size


def test_duplicate_times_out_of_order_are_merged():
    """Found by tests/test_properties.py: duplicates not adjacent in the input order were kept, with zero gaps."""
    lc = clean_light_curve(StarLightCurve([1.0, 0, 1, 0, 1], [15.0, 15.8, 15.8, 15.8, 15.8], [0.02] * 5),
                           min_points=2)
    np.testing.assert_array_equal(lc.time, [0, 1])
    assert lc.mag[1] == pytest.approx((15.0 + 15.8 + 15.8) / 3)


def test_extreme_errors_give_finite_merged_points():
    """Duplicate epochs with errors near the float64 limits merged to NaN magnitudes or zero/infinite errors."""
    t = np.array([0.0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9])
    mag = np.array([15.0, 15.1, 15.2, 15.3, 15.1, 15.0, 15.2, 15.4, 15.0, 15.1, 15.3, 15.2])
    for tiny, huge in [(1e-160, 1e160), (1e-300, 1e300), (5e-324, 1e308)]:
        err = np.array([0.1, tiny, tiny, huge, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
        lc = clean_light_curve(StarLightCurve(t, mag, err), min_points=5)
        assert np.all(np.isfinite(lc.mag)) and np.all(np.isfinite(lc.err)) and np.all(lc.err > 0)
        assert lc.time.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]  # the huge error is a sentinel: dropped
        assert lc.mag[1] == pytest.approx(15.15) and lc.mag[2] == pytest.approx(15.1)


@pytest.mark.parametrize("mag, err, match", [
    (np.full(20, np.nan), np.full(20, 0.1), "only 0 of 20 points.*20 not finite"),
    (np.linspace(14, 15, 20), np.zeros(20), "only 0 of 20.*20 with error <= 0"),
    (np.linspace(14, 15, 20), np.full(20, 99.999), "only 0 of 20.*20 sentinel magnitudes or errors"),
    (np.linspace(14, 15, 4), np.full(4, 0.1), "only 4 of 4"),
    (np.full(20, 15.0), np.full(20, 0.1), "all 20 magnitudes are equal"),
])
def test_cleaning_errors_name_star_and_problem(mag, err, match):
    lc = StarLightCurve(np.arange(mag.size, dtype=float), mag, err, star_id="OGLE-1")
    with pytest.raises(LightCurveError, match="star 'OGLE-1': " + match):
        clean_light_curve(lc)


def test_empty_light_curve():
    with pytest.raises(LightCurveError, match="star 'E': the light curve is empty"):
        clean_light_curve(StarLightCurve([], [], [], star_id="E"))


def test_pickle_round_trip(arrays):
    lc = StarLightCurve(*arrays, period=1.5, star_id="P")
    assert pickle.loads(pickle.dumps(lc)) == lc


def test_long_table_split_by_star():
    from astro_cyclic import light_curves_from_table

    rng = np.random.default_rng(3)
    ids = rng.choice(["OGLE-2", "OGLE-1"], size=50)
    table = Table({"star": ids, "hjd": rng.uniform(0, 100, 50), "I": rng.normal(16, 0.2, 50),
                   "sigI": np.full(50, 0.01)})
    lcs = light_curves_from_table(table, "star", periods={"OGLE-1": 0.5 * u.day}, time_column="hjd",
                                  mag_column="I", err_column="sigI")
    assert [lc.star_id for lc in lcs] == ["OGLE-1", "OGLE-2"]
    assert [len(lc) for lc in lcs] == [np.sum(ids == "OGLE-1"), np.sum(ids == "OGLE-2")]
    assert lcs[0].period == 0.5 and lcs[1].period is None
    np.testing.assert_array_equal(np.sort(lcs[1].mag), np.sort(table["I"][ids == "OGLE-2"]))
    with pytest.raises(LightCurveError, match="no star id column 'id'"):
        light_curves_from_table(table, "id")


def test_plain_table_column_units_are_honoured(arrays):
    t, mag, err = arrays
    table = Table({"time": t * 24.0, "mag": mag, "mag_err": err})
    table["time"].unit = u.hour
    np.testing.assert_allclose(as_light_curve(table).time, t)
    table["mag"].unit = u.Jy
    with pytest.raises(LightCurveError, match="not magnitudes"):
        as_light_curve(table)


# ------------------------------------------------------------------ several bands
def _two_band_table(n=12):
    t = np.arange(n, dtype=float)
    return Table({"time": t, "mag": 15 + np.sin(t), "mag_err": np.full(n, 0.02),
                  "band": np.where(np.arange(n) % 3 == 0, "b", "r")})


def test_a_table_with_a_band_column_is_one_multiband_star():
    lc = as_light_curve(_two_band_table(), star_id="V1")
    assert lc.bands == ("b", "r") and lc.band.tolist()[:4] == ["b", "r", "r", "b"]
    assert repr(lc) == "<StarLightCurve V1: 12 points in bands b, r, period=unknown>"
    assert as_light_curve(_two_band_table(), band_column=None).band is None  # read as one band on request
    with pytest.raises(LightCurveError, match="no band 'g'; its bands are b, r"):
        lc.select_band("g")
    red = lc.select_band("r")
    assert red.band is None and len(red) == 8 and red.star_id == "V1"


def test_a_mapping_of_bands_and_a_long_table_with_bands():
    from astro_cyclic import light_curves_from_table

    table = _two_band_table()
    by_band = {"b": table[table["band"] == "b"], "r": table[table["band"] == "r"]}
    for name in by_band:
        del by_band[name]["band"]
    joined = as_light_curve(by_band, period=0.5)
    assert joined == as_light_curve(table, period=0.5)
    table["id"] = np.where(np.arange(12) < 6, "x", "y")
    stars = light_curves_from_table(table, "id")
    assert [s.bands for s in stars] == [("b", "r"), ("b", "r")] and [len(s) for s in stars] == [6, 6]
    with pytest.raises(LightCurveError, match="different periods"):
        StarLightCurve.from_bands({"b": StarLightCurve([0, 1.0], [1, 2.0], period=1.0),
                                   "r": StarLightCurve([0, 1.0], [1, 2.0], period=2.0)})


def test_band_labels_are_checked():
    with pytest.raises(LightCurveError, match="band has 2 entries for 3 observations"):
        StarLightCurve([0, 1, 2.0], [1, 2, 3.0], band=["b", "r"])
    with pytest.raises(LightCurveError, match="1 observations have no band"):
        StarLightCurve([0, 1, 2.0], [1, 2, 3.0], band=np.ma.array(["b", "r", "r"], mask=[0, 1, 0]))
    with pytest.raises(LightCurveError, match="empty band name"):
        StarLightCurve([0, 1, 2.0], [1, 2, 3.0], band=["b", "", "r"])


def test_cleaning_keeps_bands_and_merges_repeated_epochs_within_a_band_only():
    t = np.array([3.0, 1.0, 1.0, 2.0, 1.0, 4.0, 5.0])
    band = np.array(["r", "b", "r", "b", "b", "r", "b"])
    mag = np.array([10.0, 1.0, 20.0, 2.0, 3.0, 11.0, 4.0])
    err = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    clean = clean_light_curve(StarLightCurve(t, mag, err, band=band, star_id="v"), min_points=3)
    # At t=1 the two b points merge (mean 2), the r point stays its own observation.
    assert clean.time.tolist() == [1.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert clean.band.tolist() == ["b", "r", "b", "r", "r", "b"]
    np.testing.assert_allclose(clean.mag, [2.0, 20.0, 2.0, 10.0, 11.0, 4.0])
    np.testing.assert_allclose(clean.err[0], 1 / np.sqrt(2))
    assert pickle.loads(pickle.dumps(clean)) == clean
    assert np.array_equal(clean.with_period(2.0).band, clean.band)
