"""Richards features against cesium (BSD-3), an independent implementation of the same paper.

cesium fits its own periodic model (eight regularised harmonics, 0.05 mag
systematic error added to the weights) and finds its own first frequency, so
the comparison passes cesium's ``freq1_freq`` to `richards_features` and then
checks each feature with a tolerance that matches how the two definitions
differ:

* exact (relative 1e-8, absolute 1e-8): every non-periodic feature that does not need the
  periodic model, the QSO features, and the folding features at the same f1.
  The errors are a constant 0.1 mag, the value cesium's Stetson indices assume
  (cesium ignores the errors there), so those agree to 1e-3 as they stand and
  to 1e-6 once cesium's iterated Stetson mean is run to convergence.
* harmonic amplitudes (relative 15 %, or 0.01 mag absolute below 0.05 mag) and
  relative phases (0.05 rad, for harmonics above 0.05 mag only: the phase of a
  noise-level harmonic is random): cesium's regularisation shrinks the higher
  harmonics.
* model-based statistics (varrat, y offset, trend, 2P slopes and residual
  ratios): tolerances below, on light curves that the two models fit alike.
* not compared, by definition: ``freq1_signif`` and the significance ratios
  (cesium evaluates the F distribution at half the power times the degrees of
  freedom, not at the F statistic), ``freq_model_*`` (cesium's extrema depend
  on an arbitrary starting phase and its phi1_phi2 divides where it should
  subtract), ``freq2``/``freq3`` of pure noise, and cesium's raw-magnitude
  ``freq_varrat`` (it depends on the zero point, so the comparison feeds
  cesium mean-subtracted magnitudes: every other feature is unchanged by that).
"""

import warnings

import numpy as np
import pytest

from astro_cyclic.features import FEATURE_NAMES, richards_features

cesium_featurize = pytest.importorskip("cesium.featurize")
dask = pytest.importorskip("dask")

EXACT = ("amplitude", "flux_percentile_ratio_mid20", "flux_percentile_ratio_mid35",
         "flux_percentile_ratio_mid50", "flux_percentile_ratio_mid65", "flux_percentile_ratio_mid80",
         "max_slope", "median_absolute_deviation", "percent_amplitude", "percent_beyond_1_std",
         "percent_close_to_median", "percent_difference_flux_percentile", "qso_log_chi2_qsonu",
         "qso_log_chi2nuNULL_chi2nu", "skew", "std", "p2p_scatter_over_mad",
         "p2p_ssqr_diff_over_var", "p2p_scatter_2praw", "p2p_scatter_pfold_over_mad", "freq_n_alias")


def _light_curves():
    """Five fixed light curves: (t, mag, err, true period, kind)."""
    rng = np.random.default_rng(2011)
    specs = [(0.4, 0.61, "sine"), (0.5, 0.55, "rrlyrae"), (0.3, 3.7, "two"), (0.2, 0.3, "sine"),
             (0.8, 11.0, "rrlyrae")]
    out = []
    for amplitude, period, kind in specs:
        t = np.sort(rng.uniform(0, 400, 400))
        x = 2 * np.pi * t / period
        if kind == "sine":
            signal = np.sin(x)
        elif kind == "rrlyrae":
            signal = np.sin(x) + 0.4 * np.sin(2 * x + 0.7) + 0.2 * np.sin(3 * x + 1.9)
        else:
            signal = np.sin(x) + 0.3 * np.sin(2 * np.pi * t / 1.3)
        mag = 15 + amplitude * signal + rng.normal(0, 0.03, t.size)
        out.append((t, mag, np.full(t.size, 0.1), period, kind))
    return out


@pytest.fixture(scope="module")
def both():
    lcs = _light_curves()
    names = [n for n in FEATURE_NAMES if n not in ("pair_slope_trend", "small_kurtosis", "freq_rrd")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cesium's own deprecation warnings are not ours to fail on
        table = cesium_featurize.featurize_time_series(
            [lc[0] for lc in lcs], [lc[1] - lc[1].mean() for lc in lcs], [lc[2] for lc in lcs],
            features_to_use=names, scheduler=dask.get)
    table.columns = table.columns.get_level_values(0)
    cesium = [table.iloc[i].to_dict() for i in range(len(lcs))]
    mine = [richards_features(t, m, e, 1.0 / c["freq1_freq"]) for (t, m, e, _, _), c in zip(lcs, cesium)]
    return lcs, mine, cesium


def test_cesium_finds_the_true_frequency(both):
    lcs, _, cesium = both
    for (t, _, _, period, _), c in zip(lcs, cesium):
        # Within 5 % of a cycle over the baseline: the same peak, so the comparison is fair.
        assert abs(c["freq1_freq"] - 1 / period) * np.ptp(t) < 0.05


@pytest.mark.parametrize("name", EXACT)
def test_exact_agreement(both, name):
    _, mine, cesium = both
    np.testing.assert_allclose([m[name] for m in mine], [c[name] for c in cesium], rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("name", ["stetson_j", "stetson_k"])
def test_stetson_agreement(both, name):
    # Same formula; cesium stops iterating Stetson's mean after 20 steps or at a tolerance
    # relative to the mean magnitude, this one at 1e-10 mag: within 1e-3 as cesium stands,
    # and to 1e-6 once cesium's own mean is iterated to convergence.
    from cesium.features.stetson import stetson_mean

    lcs, mine, cesium = both
    np.testing.assert_allclose([m[name] for m in mine], [c[name] for c in cesium], rtol=1e-3)
    for (_, mag, err, _, _), m in zip(lcs, mine):
        n = mag.size
        x = mag - mag.mean()
        delta = np.sqrt(n / (n - 1)) * (x - stetson_mean(x, 1 / 0.1 ** 2, tol=1e-14, nmax=1000)) / err
        p = delta ** 2 - 1
        converged = (np.mean(np.sign(p) * np.sqrt(np.abs(p))) if name == "stetson_j"
                     else np.mean(np.abs(delta)) / np.sqrt(np.mean(delta ** 2)) / 0.798)
        assert m[name] == pytest.approx(converged, rel=1e-6)


def test_harmonic_amplitudes_and_phases(both):
    _, mine, cesium = both
    for m, c in zip(mine, cesium):
        for j in range(1, 5):
            a_mine, a_ces = m[f"freq1_amplitude{j}"], c[f"freq1_amplitude{j}"]
            if a_ces > 0.05:
                assert a_mine == pytest.approx(a_ces, rel=0.15)
                if j > 1:
                    diff = np.angle(np.exp(1j * (m[f"freq1_rel_phase{j}"] - c[f"freq1_rel_phase{j}"])))
                    assert abs(diff) < 0.05
            else:
                assert a_mine == pytest.approx(a_ces, abs=0.01)
        assert m["freq1_amplitude1"] == pytest.approx(c["freq1_amplitude1"], rel=0.03)


def test_model_statistics(both):
    lcs, mine, cesium = both
    for (_, _, _, _, kind), m, c in zip(lcs, mine, cesium):
        assert m["freq_y_offset"] == pytest.approx(c["freq_y_offset"], abs=0.005)
        assert m["linear_trend"] == pytest.approx(c["linear_trend"], abs=5e-5)
        assert m["medperc90_2p_p"] == pytest.approx(c["medperc90_2p_p"], abs=0.08)
        for q in (10, 90):
            name = f"fold2P_slope_{q}percentile"
            assert m[name] == pytest.approx(c[name], rel=0.15)
        if kind != "rrlyrae":
            # cesium's regularised fit leaves part of a non-sinusoidal signal in the residuals
            # (its freq2 then returns to f1), so residual statistics compare only for sinusoids.
            assert m["freq_varrat"] == pytest.approx(c["freq_varrat"], rel=0.1)
            assert m["scatter_res_raw"] == pytest.approx(c["scatter_res_raw"], rel=0.15)


def test_second_frequency_of_a_multiperiodic_star(both):
    lcs, mine, cesium = both
    (i,) = [k for k, lc in enumerate(lcs) if lc[4] == "two"]
    assert mine[i]["freq2_freq"] == pytest.approx(1 / 1.3, rel=1e-3)
    assert mine[i]["freq2_freq"] == pytest.approx(cesium[i]["freq2_freq"], rel=1e-3)
    assert mine[i]["freq2_amplitude1"] == pytest.approx(cesium[i]["freq2_amplitude1"], rel=0.05)
    assert mine[i]["freq_amplitude_ratio_21"] == pytest.approx(cesium[i]["freq_amplitude_ratio_21"], rel=0.05)
