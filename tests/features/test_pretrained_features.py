"""PretrainedFeatures: a frozen pretrained network's pooled features of light curves."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from astro_cyclic import CyclicClassifier, PeriodSearch, StarLightCurve
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.features import PretrainedFeatures

NAME = "itcn-sim-asas-eros1"
FAST = PeriodSearch(min_period=0.25, samples_per_peak=2)


@pytest.fixture(scope="module")
def survey():
    return make_periodic_variables(8, classes=["RRab", "EA"], n_points=(60, 180), random_state=3)


def test_the_features_are_the_networks_embedding_and_ignore_the_starting_phase(survey):
    lcs = survey.light_curves
    features = PretrainedFeatures(NAME).fit(lcs)
    out = features.transform(lcs)
    np.testing.assert_array_equal(out, CyclicClassifier.from_pretrained(NAME).embed(lcs))
    width = features.n_features_out_
    assert out.shape == (8, width) and features.bands_ == ()
    assert features.get_feature_names_out()[-1] == f"pretrained_{width - 1}"
    # The first third of the points a whole number of cycles later: the same star at another starting phase.
    lc = lcs[0]
    time = lc.time.copy()
    time[: time.size // 3] += 3 * np.ceil((lc.time[-1] - lc.time[0]) / lc.period) * lc.period
    order = np.argsort(time, kind="stable")
    shifted = StarLightCurve(time[order], lc.mag[order], lc.err[order], period=lc.period)
    np.testing.assert_allclose(features.transform([shifted]), out[:1], atol=1e-5)
    # Without a catalogue period the star's period is found by period_search, as everywhere else.
    found = FAST(StarLightCurve(lc.time, lc.mag, lc.err))
    searched = PretrainedFeatures(NAME, period_search=FAST).fit().transform([(lc.time, lc.mag, lc.err)])
    np.testing.assert_array_equal(searched, features.transform([lc.with_period(found)]))
    assert repr(clone(features)) == repr(features) and not hasattr(clone(features), "network_")


def test_a_single_band_network_embeds_each_band_with_the_stars_period():
    data = make_periodic_variables(6, classes=["RRab", "EA"], bands=("g", "r"), random_state=1)
    features = PretrainedFeatures(NAME).fit(data.light_curves)
    assert features.bands_ == ("g", "r") and features.get_feature_names_out()[0] == "g_pretrained_0"
    out = features.transform(data.light_curves)
    width = out.shape[1] // 2
    single = PretrainedFeatures(NAME).fit()
    for k, band in enumerate(features.bands_):
        np.testing.assert_allclose(out[:, k * width:(k + 1) * width],
                                   single.transform([lc.select_band(band) for lc in data.light_curves]))
    # Five g points are too few for that band: NaN columns, which the forest accepts; r as before.
    lc = data.light_curves[0]
    keep = (lc.band == "r") | (np.cumsum(lc.band == "g") <= 5)
    sparse = StarLightCurve(lc.time[keep], lc.mag[keep], lc.err[keep], period=lc.period, band=lc.band[keep],
                            star_id="sparse")
    row = features.transform([sparse])[0]
    assert np.all(np.isnan(row[:width]))
    np.testing.assert_allclose(row[width:], out[0, width:])
    other = make_periodic_variables(1, classes=["RRab"], bands=("g", "i"), random_state=2).light_curves
    with pytest.raises(ValueError, match=r"band\(s\) i, which the features do not know"):
        features.transform(other)


def test_unknown_models_networks_without_feature_maps_and_bad_parameters_are_refused(survey, tmp_path):
    with pytest.raises(ValueError, match=f"neither a pretrained model's name.*{NAME}"):
        PretrainedFeatures("no-such-model").fit()
    gru = CyclicClassifier("gru", segment_length=32, max_epochs=1, module__hidden=8, train_split=None,
                           random_state=0).fit(survey.light_curves, survey.target)
    gru.save(tmp_path / "gru.pt")
    with pytest.raises(ValueError, match="needs a network with feature maps"):
        PretrainedFeatures(tmp_path / "gru.pt").fit()
    with pytest.raises(TypeError, match="period_search must be a PeriodSearch"):
        PretrainedFeatures(period_search=0.3).fit()
    with pytest.raises(NotFittedError):
        PretrainedFeatures().transform(survey.light_curves)
