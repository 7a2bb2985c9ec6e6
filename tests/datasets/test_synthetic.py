import numpy as np
import pytest
from astropy.timeseries import LombScargle

from astro_cyclic import StarLightCurve
from astro_cyclic.datasets import SYNTHETIC_CLASSES, make_periodic_variables
from astro_cyclic.datasets.synthetic import CLASS_RANGES, CLASSES


@pytest.fixture(scope="module")
def survey():
    return make_periodic_variables(140, random_state=np.random.default_rng(11))


def test_class_constants():
    assert SYNTHETIC_CLASSES == CLASSES
    assert list(CLASSES) == sorted(CLASSES) == sorted(CLASS_RANGES)
    assert set(CLASSES) == {"RRab", "RRc", "Cepheid", "DSCT", "EA", "EW", "Mira"}


def test_same_seed_same_data_other_seed_differs():
    a = make_periodic_variables(30, random_state=3)
    b = make_periodic_variables(30, random_state=3)
    c = make_periodic_variables(30, random_state=4)
    assert a.light_curves == b.light_curves
    np.testing.assert_array_equal(a.target, b.target)
    np.testing.assert_array_equal(a.periods, b.periods)
    assert a.light_curves != c.light_curves
    assert not np.array_equal(a.periods, c.periods)
    # A Generator seeded alike gives the same data as well.
    d = make_periodic_variables(30, random_state=np.random.default_rng(3))
    e = make_periodic_variables(30, random_state=np.random.default_rng(3))
    assert d.light_curves == e.light_curves


def test_bunch_fields(survey):
    n = 140
    assert len(survey.light_curves) == n
    assert all(isinstance(lc, StarLightCurve) for lc in survey.light_curves)
    for field in ("target", "periods", "amplitudes", "magnitudes", "star_ids"):
        assert survey[field].shape == (n,), field
    assert survey.class_names == sorted(CLASSES)
    assert len(set(survey.star_ids)) == n
    assert survey.target.dtype.kind == "U"
    assert "Synthetic" in survey.DESCR
    for lc, period, star_id in zip(survey.light_curves, survey.periods, survey.star_ids):
        assert lc.period == period
        assert lc.star_id == star_id


def test_balanced_counts_remainder_to_first_classes():
    data = make_periodic_variables(600, random_state=0)
    names, counts = np.unique(data.target, return_counts=True)
    assert names.tolist() == sorted(CLASSES)
    assert counts.tolist() == [86] * 5 + [85] * 2  # 600 = 7 * 85 + 5
    small = make_periodic_variables(10, classes=["RRc", "EA", "Mira"], random_state=0)
    assert dict(zip(*np.unique(small.target, return_counts=True))) == {"EA": 4, "Mira": 3, "RRc": 3}
    # Stars are shuffled, not grouped by class.
    assert len(set(data.target[:20])) > 3


def test_class_subset():
    data = make_periodic_variables(20, classes=["RRc", "EA"], random_state=1)
    assert data.class_names == ["EA", "RRc"]
    assert set(data.target) == {"EA", "RRc"}
    single = make_periodic_variables(5, classes="Mira", random_state=1)
    assert set(single.target) == {"Mira"}


def test_unknown_class_lists_valid_names():
    with pytest.raises(ValueError, match="Quasar") as info:
        make_periodic_variables(10, classes=["RRab", "Quasar"])
    assert str(sorted(CLASSES)) in str(info.value)


@pytest.mark.parametrize("kwargs", [dict(n_stars=0), dict(n_points=(1, 5)), dict(n_points=(50, 40)),
                                    dict(baseline=(800, 600)), dict(baseline=0), dict(noise=-1),
                                    dict(classes=[])])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        make_periodic_variables(**({"n_stars": 10} | kwargs))


def test_periods_within_class_ranges(survey):
    for name in CLASSES:
        periods = survey.periods[survey.target == name]
        amplitudes = survey.amplitudes[survey.target == name]
        low, high = CLASS_RANGES[name]["period"]
        assert periods.size == 20
        assert np.all((periods >= low) & (periods <= high)), name
        low, high = CLASS_RANGES[name]["amplitude"]
        assert np.all((amplitudes >= low) & (amplitudes <= high)), name


def test_cadence_has_seasons_and_nights(survey):
    for lc in survey.light_curves:
        t = lc.time
        assert 40 <= t.size <= 400
        assert np.all(np.diff(t) > 0)
        assert t.min() > 7999 and np.ptp(t) <= 1500 + 0.3
        gaps = np.diff(t)
        # Baselines of at least 600 d always include a seasonal gap of 4-5 months.
        assert gaps.max() > 60
        # Each observing season lasts at most 8 months.
        seasons = np.split(t, np.flatnonzero(gaps > 60) + 1)
        assert max(np.ptp(s) for s in seasons) < 245
        # Observations happen at night: within +-0.15 d of the star's nightly time.
        night_phase = (t - t[0] + 0.5) % 1.0
        assert np.all(np.abs(night_phase - 0.5) <= 0.3 + 1e-9)


def test_n_points_range_and_fixed():
    data = make_periodic_variables(50, n_points=(30, 35), random_state=2)
    sizes = np.array([len(lc) for lc in data.light_curves])
    assert sizes.min() >= 30 and sizes.max() <= 35 and np.unique(sizes).size > 1
    fixed = make_periodic_variables(10, n_points=500, baseline=(600, 700), random_state=2)
    assert {len(lc) for lc in fixed.light_curves} == {500}  # more points than clear nights is fine


def test_errors_follow_magnitude(survey):
    for lc in survey.light_curves:
        assert np.all(lc.err >= 0.005) and np.all(lc.err <= 0.3)
        assert np.all(np.isfinite(lc.mag))
    mags = np.concatenate([lc.mag for lc in survey.light_curves])
    errs = np.concatenate([lc.err for lc in survey.light_curves])
    # Fainter stars have larger errors.
    assert np.median(errs[mags > 18]) > 2 * np.median(errs[mags < 16])
    assert 13 < survey.magnitudes.min() and survey.magnitudes.max() < 19.01


def test_noise_matches_quoted_errors():
    data = make_periodic_variables(20, classes=["EA"], n_points=400, random_state=8)
    # Most points of a detached binary lie on its flat out-of-eclipse level.
    # Eclipses only add faint outliers, so the scatter of the points brighter
    # than the median, in units of their quoted errors, is that of the noise
    # (a little above 1 since eclipse points nudge the median faintwards).
    residuals = np.concatenate([(lc.mag - np.median(lc.mag)) / lc.err for lc in data.light_curves])
    bright_side = residuals[residuals < 0]
    assert np.sqrt(np.mean(bright_side ** 2)) == pytest.approx(1.0, abs=0.1)


def _brightening_fraction(lc, n_bins=40):
    """Fraction of the cycle over which a phase-binned light curve gets brighter."""
    phase = (lc.time / lc.period) % 1.0
    bins = np.minimum((phase * n_bins).astype(int), n_bins - 1)
    means = np.bincount(bins, lc.mag, n_bins) / np.maximum(np.bincount(bins, minlength=n_bins), 1)
    return np.mean(np.diff(np.append(means, means[0])) < 0)


def test_shapes_are_physical():
    data = make_periodic_variables(70, n_points=400, noise=0.005, random_state=4)
    by_class = {name: [lc for lc, t in zip(data.light_curves, data.target) if t == name] for name in CLASSES}
    # RR Lyrae (ab) rise in ~15 % of the cycle; RRc are near-symmetric.
    assert np.median([_brightening_fraction(lc) for lc in by_class["RRab"]]) < 0.3
    assert np.median([_brightening_fraction(lc) for lc in by_class["RRc"]]) > 0.35
    # Miras vary by magnitudes.
    assert min(np.ptp(lc.mag) for lc in by_class["Mira"]) > 2.0
    # Detached binaries are flat outside their eclipses.
    for lc in by_class["EA"]:
        assert np.mean(np.abs(lc.mag - np.median(lc.mag)) < 4 * lc.err) > 0.7


def test_rrc_period_recoverable_with_lomb_scargle():
    data = make_periodic_variables(20, classes=["RRc"], random_state=np.random.default_rng(2024))
    good = 0
    for lc in data.light_curves:
        # 3 samples per peak width (1 / baseline) locate a peak to ~1e-4 in
        # relative frequency, far inside 1 %, and keep the test fast.
        frequency, power = LombScargle(lc.time, lc.mag, lc.err).autopower(
            minimum_frequency=1.0 / 50.0, maximum_frequency=1.0 / 0.05, samples_per_peak=3, method="fast")
        best = 1.0 / frequency[np.argmax(power)]
        good += abs(best - lc.period) / lc.period < 0.01
    assert good >= 16


def test_bands_have_the_colours_and_amplitude_ratios_of_their_class():
    data = make_periodic_variables(140, classes=["RRab", "EA", "Mira"], n_points=(300, 400), noise=0.005,
                                   bands=("g", "r"), random_state=0)
    colour, ratio = {}, {}
    for lc, name in zip(data.light_curves, data.target):
        assert lc.bands == ("g", "r") and lc.period is not None
        g, r = lc.select_band("g"), lc.select_band("r")
        colour.setdefault(name, []).append(np.median(g.mag) - np.median(r.mag))
        ratio.setdefault(name, []).append(np.ptp(g.mag) / np.ptp(r.mag))
    assert 1.2 < np.median(colour["Mira"]) < 2.2 and 0.15 < np.median(colour["RRab"]) < 0.45
    assert 1.15 < np.median(ratio["RRab"]) < 1.45 and 0.9 < np.median(ratio["EA"]) < 1.15
    with pytest.raises(ValueError, match="band must be one of 'g', 'r', 'i'"):
        make_periodic_variables(5, bands=("g", "u"))
