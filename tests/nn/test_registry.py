"""Tests for astro_cyclic.nn.registry (and the package-level interface)."""

import doctest

import pytest
import torch

import astro_cyclic.nn as acnn
from astro_cyclic.nn import (ARCHITECTURES, GRUClassifier, IResNet, ITCN, LSTMClassifier, ResNet,
                             TCN, build_network, validate_architecture)

NAMES = ["itcn", "tcn", "iresnet", "resnet", "gru", "lstm"]
# Small networks keep the suite fast; every architecture uses depth and hidden.
SMALL = dict(depth=2, hidden=4)


def test_architecture_names():
    assert sorted(ARCHITECTURES) == sorted(NAMES)
    assert ARCHITECTURES["itcn"] is ITCN and ARCHITECTURES["lstm"] is LSTMClassifier


def test_validate_architecture():
    assert validate_architecture("iTCN") == "itcn"
    assert validate_architecture("LSTM") == "lstm"
    expected = "architecture must be one of 'itcn', 'tcn', 'iresnet', 'resnet', 'gru', 'lstm'"
    with pytest.raises(ValueError, match=expected) as info:
        validate_architecture("transformer")
    assert "'transformer'" in str(info.value)
    with pytest.raises(ValueError, match=expected):
        validate_architecture(None)


@pytest.mark.parametrize("name, cls", [("itcn", ITCN), ("tcn", TCN), ("iresnet", IResNet),
                                       ("resnet", ResNet), ("gru", GRUClassifier),
                                       ("lstm", LSTMClassifier)])
def test_build_returns_class(name, cls):
    net = build_network(name.upper(), n_classes=3)
    assert type(net) is cls and net.hparams["name"] == name


def test_defaults():
    itcn = build_network("itcn", n_classes=3)
    assert (itcn.hparams["depth"], itcn.hparams["hidden"], itcn.hparams["kernel_size"],
            itcn.hparams["dropout"]) == (5, 24, 5, 0.25)
    assert build_network("tcn", n_classes=3, segment_length=100).hparams["depth"] == 4  # 120 > 100
    assert build_network("tcn", n_classes=3, kernel_size=2).hparams["depth"] == 7      # 254 > 200
    iresnet = build_network("iresnet", n_classes=3).hparams
    assert (iresnet["depth"], iresnet["hidden"], iresnet["max_hidden"], iresnet["kernel_size"],
            iresnet["dropout"], iresnet["pooling"]) == (4, 16, 64, 5, 0.25, "aps")
    assert build_network("iresnet", n_classes=3, pooling="max").invariance_step == 8
    assert build_network("resnet", n_classes=3).hparams["pooling"] == "max"
    for name in ("gru", "lstm"):
        hp = build_network(name, n_classes=3).hparams
        assert (hp["depth"], hp["hidden"], hp["dropout"]) == (2, 24, 0.15)


@pytest.mark.parametrize("name, param, value", [
    ("itcn", "max_hidden", 32), ("tcn", "pooling", "max"), ("itcn", "pooling", "aps"),
    ("gru", "kernel_size", 3), ("lstm", "max_hidden", 64), ("gru", "pooling", "max"),
])
def test_unused_parameter_rejected(name, param, value):
    with pytest.raises(ValueError, match=rf"'{name}' does not use {param}"):
        build_network(name, n_classes=3, **{param: value})


def test_several_unused_parameters_listed():
    with pytest.raises(ValueError, match="kernel_size, max_hidden"):
        build_network("lstm", n_classes=3, kernel_size=3, max_hidden=8)


@pytest.mark.parametrize("name, kwargs, match", [
    ("itcn", dict(depth=0), "depth"), ("tcn", dict(hidden=0), "hidden"),
    ("iresnet", dict(kernel_size=1), "kernel_size"), ("resnet", dict(dropout=1.0), "dropout"),
    ("gru", dict(dropout=-0.1), "dropout"), ("lstm", dict(n_classes=1), "n_classes"),
    ("itcn", dict(depth=True), "depth"), ("iresnet", dict(pooling="avg"), "pooling"),
    ("itcn", dict(segment_length=0), "segment_length"), ("gru", dict(hidden=2.5), "hidden"),
    ("resnet", dict(pooling="aps"), "pooling='aps'"), ("tcn", dict(dropout="0.1"), "dropout"),
    ("iresnet", dict(hidden=32, max_hidden=16), "max_hidden"), ("lstm", dict(n_aux=-1), "n_aux"),
])
def test_bad_values_rejected(name, kwargs, match):
    """Out of range: ValueError; of the wrong type (True, 2.5, "0.1"): TypeError, as sklearn's check_scalar."""
    kwargs = {"n_classes": 3, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        build_network(name, **kwargs)


def test_dropout_depth_hidden_kernel_accepted_by_all_conv_nets():
    for name in ("itcn", "tcn", "iresnet", "resnet"):
        net = build_network(name, n_classes=3, depth=2, hidden=4, kernel_size=3, dropout=0.1)
        assert net.hparams["kernel_size"] == 3 and net.hparams["dropout"] == 0.1


@pytest.mark.parametrize("name", NAMES)
def test_hparams_rebuild_same_architecture(name):
    net = build_network(name, n_classes=4, n_channels=3, n_aux=2, **SMALL)
    clone = build_network(**net.hparams)
    clone.load_state_dict(net.state_dict())
    x, aux = torch.randn(2, 3, 11), torch.randn(2, 2)
    net.eval(), clone.eval()
    with torch.no_grad():
        torch.testing.assert_close(net(x, aux), clone(x, aux))


@pytest.mark.parametrize("name", NAMES)
def test_every_length_batch_one_and_per_sample_determinism(name):
    torch.manual_seed(0)
    net = build_network(name, n_classes=3, **SMALL).eval()
    for n in (1, 3, 7, 33, 120, 200, 257):
        x, aux = torch.randn(3, 2, n), torch.randn(3, 3)
        with torch.no_grad():
            batch = net(x, aux)
            assert batch.shape == (3, 3) and torch.isfinite(batch).all()
            # No batch statistics: each sample's output is the same alone.
            for b in range(3):
                torch.testing.assert_close(net(x[b:b + 1], aux[b:b + 1]), batch[b:b + 1],
                                           atol=1e-5, rtol=1e-5)


def _first_layer_parameters(net):
    if hasattr(net, "blocks"):
        return list(net.blocks[0].conv1.conv.parameters())
    return [net.rnn.weight_ih_l0, net.rnn.bias_ih_l0]


@pytest.mark.parametrize("name", NAMES)
def test_gradients_flow_to_first_layer(name):
    torch.manual_seed(1)
    net = build_network(name, n_classes=3, **SMALL)
    x, aux = torch.randn(4, 2, 24), torch.randn(4, 3)
    torch.nn.functional.cross_entropy(net(x, aux), torch.tensor([0, 1, 2, 0])).backward()
    params = _first_layer_parameters(net)
    assert len(params) >= 2
    for param in params:
        assert torch.isfinite(param.grad).all() and param.grad.abs().sum() > 0


@pytest.mark.parametrize("module", ["layers", "itcn", "iresnet", "baselines", "registry"])
def test_docstring_examples(module):
    mod = getattr(acnn, module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
