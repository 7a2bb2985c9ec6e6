"""The speed-ups of the prediction path give the same numbers as the plain code they replace."""

import numpy as np
import pytest
import torch

from astro_cyclic import CyclicClassifier, clean_light_curve
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.nn import ITCN, IResNet
from astro_cyclic.nn.layers import circular_pad
from astro_cyclic.period import _harmonic_chi2
from astro_cyclic.preprocess import fold_segment, segment_bounds, segment_light_curves


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def fitted():
    data = make_periodic_variables(40, classes=["RRab", "EA", "EW"], n_points=(30, 260), random_state=0)
    clf = CyclicClassifier(hidden=8, max_epochs=2, validation_fraction=0, random_state=0, device="cpu")
    return clf.fit(data.light_curves, data.target), data


def _gather_pad(x, left, right):
    # The former implementation: gather every position modulo N.
    index = torch.arange(-left, x.shape[-1] + right) % x.shape[-1]
    return x.index_select(-1, index)


@pytest.mark.parametrize("n, left, right", [(7, 0, 0), (7, 3, 0), (7, 7, 2), (5, 23, 11), (1, 4, 4), (200, 256, 0)])
def test_circular_pad_equals_the_gather_it_replaced(n, left, right):
    x = torch.randn(2, 3, n)
    assert torch.equal(circular_pad(x, left, right), _gather_pad(x, left, right))


@pytest.mark.parametrize("net", [ITCN(5, kernel_size=5, depth=7, hidden=24, dropout=0.0),
                                 IResNet(5, hidden=8, max_hidden=16, pooling="max")])
def test_cached_weight_inference_equals_the_plain_forward(net):
    """parametrize.cached() with inference_mode (the prediction path) == the plain forward, to 1e-5."""
    net.eval()
    x, aux = torch.randn(16, 2, 200), torch.randn(16, 3)
    with torch.no_grad():
        reference = net(x, aux)
    with torch.inference_mode(), torch.nn.utils.parametrize.cached():
        fast = net(x, aux)
    assert torch.allclose(fast, reference, atol=1e-5, rtol=0)


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


def test_batched_harmonic_chi2_equals_lstsq():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 900, 300))
    mag = 15 + 0.3 * np.sin(2 * np.pi * t / 0.61) + rng.normal(0, 0.03, t.size)
    w = np.full(t.size, 1 / 0.03 ** 2)
    freqs = np.array([0.5, 1 / 0.61, 2 / 0.61, 3.7])
    for f, chi2 in zip(freqs, _harmonic_chi2(t, mag, w, freqs, 3)):
        arg = 2 * np.pi * f * (t - t[0])
        k = np.arange(1, 4)
        design = np.hstack([np.ones((t.size, 1)), np.cos(np.outer(arg, k)), np.sin(np.outer(arg, k))])
        coef, *_ = np.linalg.lstsq(design * np.sqrt(w)[:, None], mag * np.sqrt(w), rcond=None)
        expected = np.sum(w * (mag - design @ coef) ** 2)
        assert chi2 == pytest.approx(expected, rel=1e-9)


def test_streaming_equals_predict_proba_and_reads_lazily(fitted):
    clf, data = fitted
    expected = clf.predict_proba(data.light_curves)
    consumed = []

    def stars():
        for lc in data.light_curves:
            consumed.append(1)
            yield lc

    stream = clf.iter_predict_proba(stars(), chunk_size=16)
    first = next(stream)
    assert len(consumed) == 16  # only the first chunk was read
    chunks = [first, *stream]
    assert [c.shape[0] for c in chunks] == [16, 16, 8]
    # float32 rounding only: chunks change the batch sizes the convolutions see
    np.testing.assert_allclose(np.vstack(chunks), expected, rtol=0, atol=1e-6)
    # predict_proba accepts a generator too
    np.testing.assert_allclose(clf.predict_proba(lc for lc in data.light_curves), expected, rtol=0, atol=1e-6)


def test_streaming_names_tuples_by_position_in_the_whole_stream(fitted):
    clf, data = fitted
    good = [(lc.time, lc.mag, lc.err) for lc in data.light_curves[:5]]
    bad = (np.arange(3.0), np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="star 5"):
        list(clf.iter_predict_proba(iter(good + [bad]), chunk_size=2))


def test_streaming_rejects_bad_chunk_size_and_single_light_curves(fitted):
    clf, data = fitted
    with pytest.raises(ValueError, match="chunk_size == 0, must be >= 1"):
        next(clf.iter_predict_proba(data.light_curves, chunk_size=0))
    with pytest.raises(TypeError, match="single StarLightCurve"):
        next(clf.iter_predict_proba(data.light_curves[0]))
    with pytest.raises(TypeError, match="iterable of light curves"):
        next(clf.iter_predict_proba(3))
