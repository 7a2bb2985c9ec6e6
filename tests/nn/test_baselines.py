"""Tests for astro_cyclic.nn.baselines: GRU and LSTM classifiers."""

import warnings

import pytest
import torch

from _helpers import assert_finite_logits_for_one, assert_gradients_reach

from astro_cyclic.nn.baselines import GRUClassifier, LSTMClassifier, RecurrentClassifier


@pytest.mark.parametrize("cls", [GRUClassifier, LSTMClassifier])
@pytest.mark.parametrize("n", [1, 3, 7, 33, 120, 200, 257])
def test_any_length_and_batch_of_one(cls, n):
    torch.manual_seed(0)
    net = cls(4, hidden=6).eval()
    assert_finite_logits_for_one(net, n, 4)


@pytest.mark.parametrize("cls", [GRUClassifier, LSTMClassifier])
def test_defaults_and_hparams(cls):
    net = cls(3)
    assert net.rnn.num_layers == 2 and net.rnn.hidden_size == 24
    assert net.rnn.dropout == pytest.approx(0.15) and net.dropout.p == pytest.approx(0.15)
    assert net.rnn.batch_first
    assert net.hparams == dict(name=cls.architecture, n_classes=3, n_channels=2, n_aux=3,
                               depth=2, hidden=24, dropout=0.15)


def test_single_layer_dropout_no_warning_and_still_active():
    torch.manual_seed(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net = GRUClassifier(3, depth=1, hidden=8, dropout=0.5)
    assert net.rnn.dropout == 0.0
    x, aux = torch.randn(4, 2, 10), torch.randn(4, 3)
    assert not torch.equal(net.train()(x, aux), net(x, aux))
    net.eval()
    assert torch.equal(net(x, aux), net(x, aux))


def test_uses_last_state_of_top_layer():
    torch.manual_seed(2)
    net = LSTMClassifier(3, hidden=5, depth=2).eval()
    x, aux = torch.randn(2, 2, 9), torch.randn(2, 3)
    with torch.no_grad():
        outputs, _ = net.rnn(x.transpose(1, 2))
        expected = net.linear2(torch.relu(net.linear1(torch.cat([outputs[:, -1], aux], 1))))
        torch.testing.assert_close(net(x, aux), expected)


@pytest.mark.parametrize("cls", [GRUClassifier, LSTMClassifier])
def test_gradients_reach_first_layer(cls):
    torch.manual_seed(3)
    net = cls(3, hidden=6)
    x, aux = torch.randn(2, 2, 12), torch.randn(2, 3)
    assert_gradients_reach(net, [net.rnn.weight_ih_l0], x, aux, [0, 1])


def test_rnn_is_not_shift_invariant():
    # The acyclic topology the paper contrasts with: a shift changes the output.
    torch.manual_seed(4)
    net = GRUClassifier(3, hidden=6).eval()
    x, aux = torch.randn(1, 2, 20), torch.randn(1, 3)
    with torch.no_grad():
        assert (net(x, aux) - net(torch.roll(x, 5, -1), aux)).abs().max() > 1e-4


def test_errors_and_no_aux():
    with pytest.raises(ValueError, match="cell must be one of"):
        RecurrentClassifier(3, cell="rnn")
    with pytest.raises(ValueError, match="GRUClassifier: hidden"):
        GRUClassifier(3, hidden=0)
    with pytest.raises(ValueError, match="n_classes"):
        LSTMClassifier(1)
    net = GRUClassifier(2, n_aux=0, n_channels=3, hidden=4)
    assert net(torch.randn(2, 3, 5), None).shape == (2, 2)
    with pytest.raises(ValueError, match="aux"):
        GRUClassifier(2)(torch.randn(2, 2, 5), torch.randn(2, 2))
