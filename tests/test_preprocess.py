import numpy as np
import pytest

from astro_cyclic import StarLightCurve, clean_light_curve
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.preprocess import (Standardizer, fold_segment, length_buckets, segment_bounds, thin_segments,
                                     segment_light_curves)


@pytest.mark.parametrize("n, L, expected", [
    (200, 200, [(0, 200)]),
    (50, 200, [(0, 50)]),
    (400, 200, [(0, 200), (200, 400)]),
    (401, 200, [(0, 200), (200, 400), (201, 401)]),
])
def test_segment_bounds_use_every_point(n, L, expected):
    bounds = segment_bounds(n, L)
    assert bounds == expected
    covered = np.zeros(n, bool)
    for a, b in bounds:
        covered[a:b] = True
    assert covered.all()


def test_fold_segment_gaps_close_the_ring():
    rng = np.random.default_rng(0)
    t = np.sort(rng.uniform(0, 30, 57))
    mag = rng.normal(15, 0.3, t.size)
    channels, aux = fold_segment(t, mag, 0.77)
    gaps = channels[0] / t.size
    assert gaps.sum() == pytest.approx(1.0)  # the gaps go once round the circle
    assert np.all(gaps >= 0)
    assert channels[1].mean() == pytest.approx(0, abs=1e-12) and channels[1].std() == pytest.approx(1)
    assert aux == pytest.approx([mag.mean(), mag.std(), np.log10(0.77)])


def test_time_shift_is_a_cyclic_permutation():
    """Shifting the time origin rotates the folded sequence: what the invariant networks rely on."""
    rng = np.random.default_rng(2)
    t = np.sort(rng.uniform(0, 30, 40))
    mag = rng.normal(15, 0.3, t.size)
    period = 0.61
    c0, _ = fold_segment(t, mag, period)
    shifted = np.concatenate([t[1:], [t[0] + 31 * period]])  # first point observed one cycle later
    c1, _ = fold_segment(shifted, np.concatenate([mag[1:], mag[:1]]), period)
    matches = [s for s in range(t.size) if np.allclose(np.roll(c0, s, axis=1), c1, atol=1e-8)]
    assert len(matches) == 1


def test_segments_of_short_and_long_stars():
    rng = np.random.default_rng(4)
    lcs = [StarLightCurve(np.sort(rng.uniform(0, 100, n)), rng.normal(size=n), np.ones(n)) for n in (30, 450)]
    seg = segment_light_curves(lcs, [1.3, 0.4], 200)
    assert seg.lengths.tolist() == [30, 200, 200, 200]
    assert seg.star.tolist() == [0, 1, 1, 1]
    buckets = length_buckets(seg.lengths)
    assert {k: v.tolist() for k, v in buckets.items()} == {30: [0], 200: [1, 2, 3]}


def test_standardizer_round_trip():
    rng = np.random.default_rng(5)
    lcs = [StarLightCurve(np.sort(rng.uniform(0, 100, 80)), rng.normal(size=80), np.ones(80)) for _ in range(3)]
    seg = segment_light_curves(lcs, [1.1, 2.2, 3.3], 50)
    scaler = Standardizer().fit(seg)
    out = scaler.transform(seg)
    assert np.abs(out.aux.mean(axis=0)).max() < 1e-5
    again = Standardizer.from_dict(scaler.to_dict()).transform(seg)
    np.testing.assert_array_equal(again.aux, out.aux)
    np.testing.assert_array_equal(again.channels[0], out.channels[0])


def test_thinning_merges_gaps_exactly():
    """Thinning a segment must give what folding only the kept points gives."""
    rng = np.random.default_rng(6)
    t = np.sort(rng.uniform(0, 40, 60))
    mag = rng.normal(15, 0.4, t.size)
    seg = segment_light_curves([StarLightCurve(t, mag, np.ones(t.size))], [0.83], 200)
    thinned = thin_segments(seg, np.random.default_rng(0), 0.5)
    c = thinned.channels[0]
    assert 30 <= c.shape[1] < 60
    # recover which points were kept from the magnitudes, fold them directly, compare up to rotation
    phase = np.mod((t - t[0]) / 0.83, 1.0)
    order = np.argsort(phase)
    kept_mag = c[1] * thinned.aux[0, 1] + thinned.aux[0, 0]
    kept = np.sort([order[np.argmin(np.abs(mag[order] - m))] for m in kept_mag])
    direct, aux = fold_segment(t[kept], mag[kept], 0.83)
    assert any(np.allclose(np.roll(direct, s, axis=1), c, atol=1e-4) for s in range(c.shape[1]))
    np.testing.assert_allclose(thinned.aux[0], aux, rtol=1e-5)
    np.testing.assert_array_equal(thin_segments(seg, np.random.default_rng(0), 0.0).channels[0], seg.channels[0])


def test_segment_light_curves_equals_folding_each_segment():
    data = make_periodic_variables(30, classes=["RRab", "EA", "Cepheid"], n_points=(15, 900), random_state=4)
    light_curves = [clean_light_curve(lc) for lc in data.light_curves]
    segments = segment_light_curves(light_curves, data.periods, 200)
    k = 0
    for i, (lc, period) in enumerate(zip(light_curves, data.periods)):
        for start, stop in segment_bounds(len(lc), 200):
            channels, aux = fold_segment(lc.time[start:stop], lc.mag[start:stop], period)
            assert segments.star[k] == i
            np.testing.assert_array_equal(segments.channels[k], channels.astype(np.float32))
            np.testing.assert_array_equal(segments.aux[k], aux.astype(np.float32))
            k += 1
    assert k == len(segments)


def test_segment_light_curves_needs_one_period_per_star():
    lc = clean_light_curve(make_periodic_variables(2, classes=["EA"], random_state=0).light_curves[0])
    with pytest.raises(ValueError, match="one period per light curve"):
        segment_light_curves([lc], [1.0, 2.0], 200)


# ------------------------------------------------------------------ several bands
def _two_band_star(n=60, seed=0):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 50, n))
    band = np.where(rng.uniform(size=n) < 0.4, "b", "r")
    mag = np.where(band == "b", 16.0 + 0.6 * np.sin(2 * np.pi * t / 0.7), 15.0 + 0.4 * np.sin(2 * np.pi * t / 0.7))
    return StarLightCurve(t, mag, np.full(n, 0.02), band=band, period=0.7)


def test_multiband_segments_standardise_each_band_and_flag_it():
    from astro_cyclic.preprocess import n_aux, n_channels

    lc = _two_band_star()
    seg = segment_light_curves([lc], [lc.period], 200, bands=["b", "r"])
    c, aux = seg.channels[0], seg.aux[0]
    assert c.shape == (n_channels(["b", "r"]), 60) and aux.shape == (n_aux(["b", "r"]),) == (6,)
    is_b = c[3] == 1
    assert np.array_equal(c[3] + c[4], np.ones(60))  # every observation in exactly one band
    for row, rows in ((1, is_b), (2, ~is_b)):  # each band's own magnitude row, standardised within the band
        assert abs(c[row][rows].mean()) < 1e-5 and c[row][rows].std() == pytest.approx(1, abs=1e-5)
        assert not c[row][~rows].any()  # and 0 at the other band's observations
    blue, red = lc.mag[lc.band == "b"], lc.mag[lc.band == "r"]
    np.testing.assert_allclose(aux, [blue.mean(), red.mean(), blue.std(), red.std(), blue.mean() - red.mean(),
                                     np.log10(0.7)], rtol=1e-5)
    # The phase gaps are those of all observations together, as for one band.
    single = segment_light_curves([StarLightCurve(lc.time, lc.mag, lc.err, period=0.7)], [0.7], 200)
    np.testing.assert_array_equal(c[0], single.channels[0][0])


def test_a_band_missing_from_a_star_is_nan_in_its_aux_and_zero_in_its_flag():
    lc = _two_band_star().select_band("r")
    lc = StarLightCurve(lc.time, lc.mag, lc.err, band=np.full(len(lc), "r"), period=0.7)
    seg = segment_light_curves([lc], [0.7], 200, bands=["b", "r"])
    assert not seg.channels[0][[1, 3]].any() and np.isnan(seg.aux[0][[0, 2, 4]]).all()
    standardized = Standardizer().fit(segment_light_curves([_two_band_star()], [0.7], 200, bands=["b", "r"]))
    assert np.isfinite(standardized.transform(seg).aux).all()
    with pytest.raises(ValueError, match="band\\(s\\) r, which the model does not know"):
        segment_light_curves([lc], [0.7], 200, bands=["b", "g"])
    with pytest.raises(ValueError, match="has no band labels"):
        segment_light_curves([StarLightCurve(lc.time, lc.mag, period=0.7)], [0.7], 200, bands=["r"])


def test_thinning_a_multiband_segment_restandardises_each_band():
    lc = _two_band_star(n=120)
    seg = segment_light_curves([lc], [0.7], 200, bands=["b", "r"])
    thin = thin_segments(seg, np.random.default_rng(0), 0.5)
    c, aux = thin.channels[0], thin.aux[0]
    assert c.shape[1] < 120 and np.array_equal(c[3] + c[4], np.ones(c.shape[1]))
    assert c[0].sum() == pytest.approx(c.shape[1], rel=1e-5)  # the gaps still close the ring
    for row, flag in ((1, 3), (2, 4)):
        rows = c[flag] == 1
        assert abs(c[row][rows].mean()) < 1e-5 and c[row][rows].std() == pytest.approx(1, abs=1e-4)
        assert not c[row][~rows].any()
    np.testing.assert_allclose(aux[4], aux[0] - aux[1], rtol=1e-5)
    assert aux[5] == seg.aux[0][5]  # the period is kept exactly
    assert thin_segments(seg, np.random.default_rng(0), 0.0).channels[0] is seg.channels[0]
