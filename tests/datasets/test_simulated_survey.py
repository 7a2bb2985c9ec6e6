"""The survey simulator on real catalogue parameters: shapes, cadences, noise, binaries, long-period variables."""

import numpy as np
import pytest

from astro_cyclic import StarLightCurve
from astro_cyclic.datasets import SIMULATED_CLASSES, simulate_survey
from astro_cyclic.datasets.simulated_survey import _OGLE3_ROWS, _binary_magnitudes, _overlap

PULSATORS = ("Cepheid_1O", "Cepheid_F", "DSCT", "RRab", "RRc", "T2Cep")


@pytest.fixture(scope="module")
def catalogue(ogle3_catalogue):
    return ogle3_catalogue


def _cadences(n, *, n_points=300, error=0.01, bands=None, seed=0):
    """Light curves whose errors follow err = error * 10**(0.2 (mag - 15)), mags 13-18."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        t = np.sort(rng.uniform(0.0, 1500.0, n_points))
        mag = np.full(n_points, rng.uniform(13.0, 18.0))
        band = None if bands is None else np.asarray(bands)[rng.integers(0, len(bands), n_points)]
        out.append(StarLightCurve(t, mag, error * 10 ** (0.2 * (mag - 15.0)), star_id=f"field-{i}", band=band))
    return out


def _fourier(lc, period, n_harmonics=3):
    """Least-squares cosine series m = c + sum A_k cos(k x + phi_k); returns R21, phi21 (OGLE convention)."""
    x = 2 * np.pi * lc.time / period
    harmonics = [f(k * x) for k in range(1, n_harmonics + 1) for f in (np.cos, np.sin)]
    design = np.column_stack([np.ones_like(x)] + harmonics)
    coef, *_ = np.linalg.lstsq(design / lc.err[:, None], lc.mag / lc.err, rcond=None)
    a, b = coef[1::2], coef[2::2]
    amplitude, phase = np.hypot(a, b), np.arctan2(-b, a)
    return amplitude[1] / amplitude[0], (phase[1] - 2 * phase[0]) % (2 * np.pi), design @ coef


def _circular_median(angles):
    centre = np.angle(np.mean(np.exp(1j * angles)))
    return (centre + np.median((angles - centre + np.pi) % (2 * np.pi) - np.pi)) % (2 * np.pi)


@pytest.mark.parametrize("name", PULSATORS)
def test_each_pulsating_class_reproduces_the_catalogue_fourier_parameters(catalogue, name):
    data = simulate_survey(120, cadences=_cadences(40), classes=[name], catalogue=catalogue, random_state=1)
    fitted = np.array([_fourier(lc, lc.period)[:2] for lc in data.light_curves])
    kind, subtypes = _OGLE3_ROWS[name]
    rows = (catalogue["Type"] == kind) & np.isin(np.asarray(catalogue["Subtype"]).astype(str), subtypes)
    r21, phi21 = (np.ma.compressed(catalogue[c][rows]) for c in ("R21_1", "phi21_1"))
    if name == "DSCT":  # the file holds the delta Scuti stars' R21 and phi21 in each other's columns
        r21, phi21 = phi21, r21
    assert abs(np.median(fitted[:, 0]) - np.median(r21)) < 0.04
    difference = _circular_median(fitted[:, 1]) - _circular_median(phi21)
    assert abs((difference + np.pi) % (2 * np.pi) - np.pi) < 0.2
    assert 0.5 < np.median(data.periods) / np.median(np.ma.compressed(catalogue["P_1"][rows])) < 2


def test_stars_have_the_cadences_times_and_the_error_magnitude_relation(catalogue):
    cadences = _cadences(30)
    data = simulate_survey(60, cadences=cadences, classes=["RRab", "Mira"], catalogue=catalogue, random_state=2)
    times = {lc.star_id: lc.time for lc in cadences}
    for lc, donor in zip(data.light_curves, data.parameters["cadence_star"]):
        assert np.array_equal(lc.time, times[donor])
    log_ratio = np.concatenate([np.log10(lc.err / (0.01 * 10 ** (0.2 * (lc.mag - 15.0)))) for lc in data.light_curves])
    # Errors follow the relation at the star's true magnitude; the observed one scatters about it.
    assert abs(np.median(log_ratio)) < 0.02
    assert set(data.target) == {"Mira", "RRab"} and (data.target == "Mira").sum() == 30


def test_the_same_seed_gives_the_same_survey(catalogue):
    first, second = (simulate_survey(20, cadences=_cadences(5), catalogue=catalogue, binary_periods=[0.4, 3.0],
                                     random_state=3) for _ in range(2))
    assert all(a == b for a, b in zip(first.light_curves, second.light_curves))
    assert first.target.tolist() == second.target.tolist() and sorted(first.class_names) == sorted(SIMULATED_CLASSES)


def test_bands_take_the_class_amplitude_ratio_and_colour(catalogue):
    cadences = _cadences(20, error=1e-4, bands=("b", "r"))
    data = simulate_survey(40, cadences=cadences, classes=["RRab"], catalogue=catalogue, random_state=4)
    ratios, colours = [], []
    for lc, v_i in zip(data.light_curves, data.parameters["V_I"]):
        blue, red = lc.select_band("b"), lc.select_band("r")
        ratios.append(np.ptp(_fourier(blue, lc.period)[2]) / np.ptp(_fourier(red, lc.period)[2]))
        colours.append(np.mean(_fourier(blue, lc.period)[2]) - np.mean(_fourier(red, lc.period)[2]) - 0.6 * v_i)
    # A_b / A_r = 1.6 ** (1.0 - 0.4) for RR Lyrae; colour (V - I) * (1.0 - 0.4), up to the uneven sampling.
    assert np.median(ratios) == pytest.approx(1.6 ** 0.6, rel=0.03)
    assert abs(np.median(colours)) < 0.03
    assert data.light_curves[0].bands == ("b", "r")


def test_long_period_variables_change_from_cycle_to_cycle(catalogue):
    cadences = _cadences(20, n_points=600, error=1e-4)
    data = simulate_survey(40, cadences=cadences, classes=["Mira", "RRab"], catalogue=catalogue, random_state=5)
    residual = {name: [] for name in ("Mira", "RRab")}
    for lc, name, amplitude in zip(data.light_curves, data.target, data.amplitudes):
        residual[name].append(np.std(lc.mag - _fourier(lc, lc.period)[2]) / amplitude)
    # A strictly periodic star fits its series to the noise; a Mira's cycles do not repeat.
    assert np.median(residual["RRab"]) < 0.01 < 0.03 < np.median(residual["Mira"])


def test_eclipse_geometry_is_exact():
    # Overlap of discs: apart, one inside the other, and half-way (two unit discs at distance 0: full).
    assert _overlap(np.array(0.2), np.array(0.1), np.array(0.4)) == 0
    assert _overlap(np.array(0.2), np.array(0.1), np.array(0.05)) == pytest.approx(np.pi * 0.01)
    assert _overlap(np.array(1.0), np.array(1.0), np.array(1e-9)) == pytest.approx(np.pi, rel=1e-6)
    # Equal, equally bright small stars seen edge-on: the central eclipse hides half the light, 0.753 mag.
    geometry = {k: np.array([v]) for k, v in dict(r1=0.05, r2=0.05, incl=np.pi / 2, J=1.0).items()}
    depth = _binary_magnitudes(np.array([[0.0, 0.25, 0.5]]), geometry, 0.0)[0]
    assert depth[0] == pytest.approx(2.5 * np.log10(2), abs=1e-3) and depth[1] == pytest.approx(0, abs=1e-3)
    assert depth[2] == pytest.approx(depth[0])


def test_binaries_are_labelled_by_the_geometry_their_period_allows():
    data = simulate_survey(80, cadences=_cadences(10), classes=["EA", "EW"], binary_periods=[0.3, 0.35, 2.0, 8.0],
                           random_state=6)
    periods = {name: data.periods[data.target == name] for name in ("EA", "EW")}
    # Contact needs a short period (a giant's radius can make a 2-day system one, rarely).
    assert np.mean(periods["EW"] < 1) > 0.8 and np.median(periods["EA"]) > 1
    sums = [float(s.split()[1][3:]) + float(s.split()[2][3:]) for s in data.parameters["source"]]
    assert all((total >= 0.65) == (name == "EW") for total, name in zip(sums, data.target))
    assert np.all(data.amplitudes > 0)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="class must be one of .*RRab.*got .RRLyrae"):
        simulate_survey(10, cadences=_cadences(2), classes=["RRLyrae"])
    with pytest.raises(ValueError, match="cadence star 'short' has 5 usable points"):
        simulate_survey(10, cadences=[StarLightCurve(np.arange(5.0), np.zeros(5), np.ones(5), star_id="short")])
    with pytest.raises(ValueError, match="cadences"):
        simulate_survey(10, cadences="ztf")
    with pytest.raises(ValueError, match="band of cadence"):
        simulate_survey(10, cadences=_cadences(2, bands=("w1", "w2")), classes=["EA"], binary_periods=[1.0])


@pytest.mark.parametrize("survey", ["asas", "eros1", "macho"])
def test_every_survey_named_gives_its_cadences(survey, catalogue, data_home):
    """The surveys' own files, sentinels and all (MACHO stores missing errors as -99 or 0), are usable cadences."""
    data = simulate_survey(12, cadences=survey, classes=["RRab", "Mira"], catalogue=catalogue,
                           binary_periods=[1.0], data_home=data_home, random_state=5)
    assert len(data.light_curves) == 12
    for lc in data.light_curves:
        assert lc.time.size >= 10 and np.all(lc.err > 0) and np.all(np.isfinite(lc.mag))
    bands = {"asas": None, "eros1": ("b", "r"), "macho": ("b", "r")}[survey]
    assert all((lc.band is None) if bands is None else set(lc.bands) <= set(bands) for lc in data.light_curves)
