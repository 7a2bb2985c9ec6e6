"""Richards et al. (2011) features: analytic cases and the scikit-learn contract."""

import pickle

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline

from astro_cyclic import LightCurveError, PeriodSearch, StarLightCurve, prepare_light_curves
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.features import FEATURE_NAMES, RichardsFeatures, richards_features


def _times(rng, n=600, span=300.0):
    return np.sort(rng.uniform(0, span, n))


def _sinusoid(rng, amplitude=0.4, period=0.61, noise=0.01, n=600):
    t = _times(rng, n)
    mag = 15 + amplitude * np.sin(2 * np.pi * t / period + 0.3) + rng.normal(0, noise, t.size)
    return t, mag, np.full(t.size, noise)


def test_feature_names_unique_and_cesium_style():
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    for name in ("freq1_freq", "freq1_amplitude4", "freq3_rel_phase4", "freq_varrat", "stetson_k",
                 "qso_log_chi2nuNULL_chi2nu", "flux_percentile_ratio_mid80", "small_kurtosis"):
        assert name in FEATURE_NAMES


def test_pure_sinusoid():
    rng = np.random.default_rng(0)
    amplitude, period = 0.4, 0.61
    t, mag, err = _sinusoid(rng, amplitude, period)
    f = richards_features(t, mag, err, period)
    assert f["freq1_freq"] == pytest.approx(1 / period)
    assert f["freq1_amplitude1"] == pytest.approx(amplitude, abs=0.003)
    # Higher harmonics of a pure sinusoid: noise only, ~ noise * sqrt(2 / n).
    for j in (2, 3, 4):
        assert f[f"freq1_amplitude{j}"] < 0.003
    assert f["amplitude"] == pytest.approx(amplitude, abs=0.03)  # half range = A plus extreme noise
    assert f["std"] == pytest.approx(amplitude / np.sqrt(2), rel=0.03)
    assert abs(f["skew"]) < 0.1
    # Fraction beyond 1 std of a sinusoid: |sin| > 1/sqrt(2) half the time.
    assert f["percent_beyond_1_std"] == pytest.approx(0.5, abs=0.05)
    assert f["freq_varrat"] == pytest.approx(0.01 ** 2 / (amplitude ** 2 / 2), rel=0.2)
    assert f["linear_trend"] == pytest.approx(0, abs=1e-5)
    assert f["freq_model_max_delta_mags"] == 0 and f["freq_model_min_delta_mags"] == 0
    assert f["freq_model_phi1_phi2"] == pytest.approx(1, abs=0.02)  # symmetric rise and fall
    assert f["stetson_k"] == pytest.approx(np.sqrt(8) / np.pi / 0.798, rel=0.02)  # <|sin|>/rms(sin)
    assert f["freq1_signif"] > 20
    assert f["medperc90_2p_p"] == pytest.approx(1, abs=0.1)  # twice the period explains nothing more


def test_relative_phases_follow_definition():
    # m = A1 sin(x) + A2 sin(2x + phi2): PH_2 = phi2 - 2 * 0; shift time: unchanged.
    rng = np.random.default_rng(1)
    t = _times(rng)
    period, phi2 = 0.77, 1.1
    x = 2 * np.pi * t / period
    for shift in (0.0, 0.2):
        xs = x + 2 * np.pi * shift
        mag = 14 + 0.5 * np.sin(xs) + 0.2 * np.sin(2 * xs + phi2) + 0.1 * np.sin(3 * xs - 0.5)
        mag = mag + rng.normal(0, 0.002, t.size)
        f = richards_features(t, mag, np.full(t.size, 0.002), period)
        assert f["freq1_amplitude2"] == pytest.approx(0.2, abs=1e-3)
        assert f["freq1_amplitude3"] == pytest.approx(0.1, abs=1e-3)
        assert f["freq1_rel_phase2"] == pytest.approx(phi2, abs=0.01)
        assert f["freq1_rel_phase3"] == pytest.approx(-0.5, abs=0.02)


def test_prewhitening_finds_second_and_third_frequency():
    rng = np.random.default_rng(2)
    t = _times(rng, 800)
    mag = (15 + 0.5 * np.sin(2 * np.pi * 1.9 * t) + 0.2 * np.sin(2 * np.pi * 0.37 * t + 1)
           + 0.1 * np.sin(2 * np.pi * 5.3 * t) + rng.normal(0, 0.01, t.size))
    f = richards_features(t, mag, np.full(t.size, 0.01), 1 / 1.9)
    assert f["freq2_freq"] == pytest.approx(0.37, rel=1e-3)
    assert f["freq3_freq"] == pytest.approx(5.3, rel=1e-4)
    assert f["freq2_amplitude1"] == pytest.approx(0.2, abs=0.01)
    assert f["freq3_amplitude1"] == pytest.approx(0.1, abs=0.01)
    assert f["freq_amplitude_ratio_21"] == pytest.approx(0.4, abs=0.02)
    assert f["freq_frequency_ratio_31"] == pytest.approx(5.3 / 1.9, rel=1e-4)
    assert f["scatter_res_raw"] < 0.1
    assert f["freq_rrd"] == 0


def test_double_mode_rr_lyrae_flag():
    rng = np.random.default_rng(3)
    t = _times(rng, 800)
    f1 = 1 / 0.36
    mag = 15 + 0.3 * np.sin(2 * np.pi * f1 * t) + 0.2 * np.sin(2 * np.pi * 0.746 * f1 * t)
    mag += rng.normal(0, 0.01, t.size)
    assert richards_features(t, mag, np.full(t.size, 0.01), 1 / f1)["freq_rrd"] == 1


def test_gaussian_noise_statistics():
    rng = np.random.default_rng(4)
    n = 4000
    t = np.sort(rng.uniform(0, 500, n))
    mag = 16 + rng.normal(0, 0.05, n)
    err = np.full(n, 0.05)
    f = richards_features(t, mag, err, 3.3)
    assert f["percent_beyond_1_std"] == pytest.approx(0.3173, abs=0.02)
    assert f["std"] == pytest.approx(np.std(mag))
    assert f["skew"] == pytest.approx(stats.skew(mag))
    assert f["small_kurtosis"] == pytest.approx(stats.kurtosis(mag, bias=False))
    assert f["median_absolute_deviation"] == pytest.approx(np.median(np.abs(mag - np.median(mag))))
    # Stetson on correct errors: E[sgn(z^2 - 1) sqrt|z^2 - 1|] for z ~ N(0, 1), K -> 1.
    z = np.random.default_rng(5).normal(size=400_000)
    expected_j = np.mean(np.sign(z ** 2 - 1) * np.sqrt(np.abs(z ** 2 - 1)))
    assert f["stetson_j"] == pytest.approx(expected_j, abs=0.05)
    assert f["stetson_k"] == pytest.approx(1.0, abs=0.03)
    assert f["freq1_signif"] < 5
    assert f["freq_varrat"] > 0.95
    assert f["p2p_ssqr_diff_over_var"] == pytest.approx(2.0, abs=0.1)  # von Neumann ratio of white noise
    # A quasar-like damped random walk is not preferred over white noise here.
    assert f["qso_log_chi2nuNULL_chi2nu"] < 0.5


def test_flux_features_against_hand_computation():
    rng = np.random.default_rng(6)
    t = np.sort(rng.uniform(0, 100, 300))
    mag = 17 + rng.gamma(2.0, 0.1, t.size)
    f = richards_features(t, mag, np.full(t.size, 0.02), 2.0)
    flux = 10 ** (-0.4 * mag)
    p = lambda q: np.percentile(flux, q)  # noqa: E731
    for k in (20, 35, 50, 65, 80):
        assert f[f"flux_percentile_ratio_mid{k}"] == pytest.approx(
            (p(50 + k / 2) - p(50 - k / 2)) / (p(95) - p(5)), rel=1e-9)
    assert f["percent_difference_flux_percentile"] == pytest.approx((p(95) - p(5)) / p(50), rel=1e-9)
    med = np.median(flux)
    assert f["percent_amplitude"] == pytest.approx(max(flux.max() - med, med - flux.min()) / med, rel=1e-9)
    assert f["percent_close_to_median"] == np.mean(np.abs(mag - np.median(mag)) < 0.1 * np.ptp(mag))
    assert f["skew"] > 0.5  # gamma-distributed: skewed to faint magnitudes


def test_line_trend_and_slopes():
    rng = np.random.default_rng(7)
    t = np.sort(rng.uniform(0, 200, 400))
    slope = 0.003
    mag = 15 + slope * t + rng.normal(0, 0.002, t.size)
    f = richards_features(t, mag, np.full(t.size, 0.002), 5.0)
    assert f["linear_trend"] == pytest.approx(slope, rel=0.01)
    assert f["max_slope"] == pytest.approx(np.max(np.abs(np.diff(mag) / np.diff(t))))
    # Strictly increasing magnitudes over the last 30 points: pair_slope_trend = 1.
    mag_up = 15 + 0.01 * t
    assert richards_features(t, mag_up, np.full(t.size, 0.01), 5.0)["pair_slope_trend"] == 1


def test_exact_line_max_slope():
    t = np.array([0.0, 1.0, 1.5, 4.0, 5.0, 7.0, 8.0, 9.5, 10.0, 12.0, 13.0, 15.0])
    mag = np.array([1.0, 1.2, 0.7, 0.9, 0.9, 1.1, 1.0, 0.8, 1.3, 1.0, 0.95, 1.05])
    f = richards_features(t, mag, np.full(t.size, 0.1), 3.0)
    assert f["max_slope"] == pytest.approx(1.0)  # (1.3 - 0.8) / 0.5
    assert f["amplitude"] == pytest.approx(0.3)
    assert f["pair_slope_trend"] == pytest.approx((5 - 5) / 11)


def test_eclipsing_binary_unequal_minima():
    rng = np.random.default_rng(8)
    t = _times(rng, 800)
    period = 1.3
    phase = (t / period) % 1
    mag = 12 + 0.4 * np.cos(4 * np.pi * phase) + 0.1 * np.cos(2 * np.pi * phase) + rng.normal(0, 0.005, t.size)
    f = richards_features(t, mag, np.full(t.size, 0.005), period)
    # Minima of light (faint) at phase 0 (0.5 + ...) and 0.5: depths 0.5 and 0.3 mag.
    assert f["freq_model_min_delta_mags"] == pytest.approx(0.2, abs=0.01)
    assert f["freq_model_max_delta_mags"] == pytest.approx(0.0, abs=0.01)
    assert f["freq1_amplitude2"] == pytest.approx(0.4, abs=0.005)
    # Found at half the period, the 2P model recovers the unequal minima.
    g = richards_features(t, mag, np.full(t.size, 0.005), period / 2)
    assert g["medperc90_2p_p"] < 0.2


def test_transformer_uses_catalogue_period_and_search():
    rng = np.random.default_rng(9)
    t, mag, err = _sinusoid(rng, 0.3, 0.4123, n=300)
    with_period = StarLightCurve(t, mag, err, period=0.5)  # the catalogue wins, even when wrong
    without = (t, mag, err)
    tr = RichardsFeatures().fit([with_period, without])
    stars = prepare_light_curves([with_period, without])
    assert [star.period_source for star in stars] == ["catalogue", "search"]
    assert stars[0].period == 0.5
    assert stars[1].period == pytest.approx(0.4123, rel=1e-4)
    features = tr.transform([with_period, without])
    col = list(tr.get_feature_names_out()).index("freq1_freq")
    assert features[0, col] == pytest.approx(2.0)
    np.testing.assert_allclose(tr.transform([without]), features[1:])
    np.testing.assert_array_equal(tr.transform(stars), features)  # prepared stars: the same features
    assert tr.n_features_out_ == len(FEATURE_NAMES) == features.shape[1]


def test_memory_caches_each_star_once(tmp_path, monkeypatch):
    from astro_cyclic.features import richards as module

    rng = np.random.default_rng(4)
    stars = [StarLightCurve(*_sinusoid(rng, 0.2, period, n=150), period=period) for period in (0.31, 0.57, 1.9)]
    expected = RichardsFeatures().fit_transform(stars)
    calls = []
    original = module.richards_features
    monkeypatch.setattr(module, "richards_features", lambda *a, **k: calls.append(1) or original(*a, **k))
    cached = RichardsFeatures(memory=tmp_path / "cache").fit(stars)
    first = cached.transform(stars[:2])
    assert len(calls) == 2
    # Another transformer with the same settings and cache folder reuses both stars, computes the third.
    again = RichardsFeatures(memory=str(tmp_path / "cache")).fit_transform(stars)
    assert len(calls) == 3
    np.testing.assert_array_equal(again[:2], first)
    np.testing.assert_array_equal(again, expected)
    # A different period is a different key, never a stale hit.
    moved = StarLightCurve(stars[0].time, stars[0].mag, stars[0].err, period=0.62)
    cached.transform([moved])
    assert len(calls) == 4
    with pytest.raises(ValueError, match="memory"):
        RichardsFeatures(memory=3).fit_transform(stars)


def test_transformer_errors():
    t = np.arange(8.0)
    with pytest.raises(LightCurveError, match="at least 10"):
        RichardsFeatures().fit_transform([(t, np.sin(t), np.ones(8))])
    with pytest.raises(ValueError, match="min_points"):
        RichardsFeatures(min_points=2).fit([(t, np.sin(t))])
    with pytest.raises(TypeError, match="list of light curves"):
        RichardsFeatures().fit(StarLightCurve(t, np.sin(t)))
    with pytest.raises(Exception, match="not fitted"):
        RichardsFeatures().transform([(t, np.sin(t))])


def test_sklearn_contract_clone_params_pipeline_pickle():
    data = make_periodic_variables(24, classes=["RRc", "EA"], n_points=(60, 120), random_state=0)
    tr = RichardsFeatures(PeriodSearch(min_period=0.1), min_points=12)
    assert clone(tr).get_params()["min_points"] == 12
    assert tr.get_params()["period_search__min_period"] == 0.1
    tr.set_params(period_search__samples_per_peak=4)
    assert tr.period_search.samples_per_peak == 4
    pipe = Pipeline([("features", tr), ("forest", RandomForestClassifier(n_estimators=20, random_state=0))])
    pipe.fit(data.light_curves, data.target)
    assert pipe.score(data.light_curves, data.target) == 1.0
    again = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(again.predict(data.light_curves), pipe.predict(data.light_curves))
    np.testing.assert_array_equal(pipe[:-1].get_feature_names_out(), FEATURE_NAMES)


# ------------------------------------------------------------------ several bands
def test_multiband_features_are_per_band_plus_colours():
    data = make_periodic_variables(6, classes=["RRab", "EA"], n_points=(150, 200), bands=("g", "r"),
                                   random_state=0)
    features = RichardsFeatures().fit(data.light_curves)
    names = features.get_feature_names_out().tolist()
    assert features.bands_ == ("g", "r") and len(names) == 2 * len(FEATURE_NAMES) + 1
    assert names[0] == f"g_{FEATURE_NAMES[0]}" and names[-1] == "color_g_r"
    X = features.transform(data.light_curves)
    lc = data.light_curves[0]
    g, r = lc.select_band("g"), lc.select_band("r")
    np.testing.assert_allclose(X[0, -1], np.median(g.mag) - np.median(r.mag))
    one = RichardsFeatures().fit([g]).transform([g])[0]
    np.testing.assert_allclose(X[0, :len(FEATURE_NAMES)], one, rtol=1e-9, equal_nan=True)
    # A star without its g observations: NaN g columns and colour, the r columns as before.
    red_only = StarLightCurve(r.time, r.mag, r.err, band=np.full(len(r), "r"), period=r.period)
    row = features.transform([red_only])[0]
    assert np.isnan(row[:len(FEATURE_NAMES)]).all() and np.isnan(row[-1])
    np.testing.assert_allclose(row[len(FEATURE_NAMES):-1], X[0, len(FEATURE_NAMES):-1], rtol=1e-9, equal_nan=True)
    with pytest.raises(ValueError, match="fitted on single-band light curves"):
        RichardsFeatures().fit([g]).transform([lc])


def test_multiband_forest_learns_its_bands_in_fit():
    from astro_cyclic import RichardsForestClassifier

    data = make_periodic_variables(30, classes=["RRab", "Mira"], n_points=(60, 100), bands=("g", "r"),
                                   random_state=3)
    forest = RichardsForestClassifier(n_estimators=20, random_state=0).fit(data.light_curves, data.target)
    assert forest.feature_names_[-1] == "color_g_r"
    assert forest.score(data.light_curves, data.target) == 1.0
