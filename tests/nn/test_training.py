"""The training loop and batched inference (astro_cyclic.nn._training)."""

import numpy as np
import pytest
import torch
from scipy.special import logsumexp

from astro_cyclic.nn import build_network
from astro_cyclic.nn._training import _batches, combine_segments, segment_log_proba, train_network
from astro_cyclic.preprocess import Segments, length_buckets


def _segments(rng, n_stars, lengths, n_classes=2):
    """Random segments (several per star, mixed lengths) whose class is the sign of their magnitude channel's
    mean: learnable in a few epochs."""
    channels, star, labels = [], [], rng.integers(0, n_classes, n_stars)
    for i in range(n_stars):
        for length in rng.choice(lengths, 2):
            x = rng.normal(size=(2, length)).astype(np.float32)
            x[1] += 1.5 if labels[i] else -1.5
            channels.append(x)
            star.append(i)
    star = np.array(star)
    return Segments(channels, np.zeros((star.size, 3), np.float32), star, n_stars), labels


def test_batches_hold_one_length_and_cover_every_segment_once():
    lengths = np.array([5, 7, 5, 9, 7, 5, 9, 9, 9, 5])
    batches = _batches(length_buckets(lengths), 3, np.random.default_rng(0))
    assert all(np.unique(lengths[b]).size == 1 and b.size <= 3 for b in batches)
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(lengths.size))
    # shuffled: another seed draws another order
    other = _batches(length_buckets(lengths), 3, np.random.default_rng(1))
    assert [b.tolist() for b in batches] != [b.tolist() for b in other]


def test_combine_segments_is_the_renormalised_mean_log_probability():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(5, 3))
    seg = logits - logsumexp(logits, axis=1, keepdims=True)
    star = np.array([0, 0, 2, 2, 2])
    out = combine_segments(seg, star, 3)
    expected0 = seg[:2].mean(axis=0) - logsumexp(seg[:2].mean(axis=0))
    np.testing.assert_allclose(out[0], expected0)
    np.testing.assert_allclose(np.exp(out).sum(axis=1)[[0, 2]], 1.0)
    np.testing.assert_allclose(out[1], np.log(np.full(3, 1 / 3)))  # a star without segments: uniform


def test_training_learns_restores_the_best_epoch_and_stops_early():
    rng = np.random.default_rng(3)
    train, y_train_star = _segments(rng, 40, [12, 20])
    val, y_val = _segments(rng, 20, [12, 20])
    torch.manual_seed(0)
    net = build_network("itcn", n_classes=2, segment_length=20, hidden=8)
    history, best = train_network(net, train, y_train_star[train.star], val, y_val, max_epochs=12, batch_size=8,
                                  n_iter_no_change=3, device=torch.device("cpu"), rng=np.random.default_rng(0))
    assert history[-1]["train_loss"] < 0.5 * history[0]["train_loss"]
    keys = [(h["val_accuracy"], -h["val_loss"]) for h in history]
    assert best == max(range(len(history)), key=keys.__getitem__)
    assert len(history) == 12 or len(history) - 1 - best == 3  # stopped 3 epochs after the best, or ran out
    # the weights kept are the best epoch's: they reproduce its validation loss
    star_logp = combine_segments(segment_log_proba(net, val, device=torch.device("cpu")), val.star, val.n_stars)
    assert -star_logp[np.arange(val.n_stars), y_val].mean() == pytest.approx(history[best]["val_loss"], rel=1e-6)


def test_plain_weights_predict_alike_and_follow_training():
    """The inference copy (weight normalisation folded) gives the module's outputs, and a module trained
    further gets a new copy."""
    from astro_cyclic.nn._training import plain_weights

    torch.manual_seed(0)
    net = build_network("itcn", n_classes=3, segment_length=50, hidden=8).eval()
    x, aux = torch.randn(8, 2, 50), torch.randn(8, 3)
    plain = plain_weights(net)
    assert plain_weights(net) is plain  # kept while the weights do not change
    with torch.no_grad():
        np.testing.assert_allclose(plain(x, aux).numpy(), net(x, aux).numpy(), rtol=0, atol=1e-5)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    net(x, aux).sum().backward()
    optimizer.step()
    again = plain_weights(net)
    assert again is not plain
    with torch.no_grad():
        np.testing.assert_allclose(again(x, aux).numpy(), net(x, aux).numpy(), rtol=0, atol=1e-5)
