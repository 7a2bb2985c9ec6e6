"""Tests for astro_cyclic.nn.iresnet: APS invariance, max-pool invariance claim, ResNet twin."""

import pytest
import torch

from _helpers import assert_finite_logits_for_one, assert_gradients_reach, shift_differences

from astro_cyclic.nn.iresnet import IResNet, ResNet
from astro_cyclic.nn.layers import AdaptivePolyphaseDownsample, MaxPoolDownsample


def small(cls, **kwargs):
    return cls(4, hidden=8, max_hidden=16, **kwargs).eval()


@pytest.mark.parametrize("n", [64, 50, 37, 6, 1])
def test_iresnet_aps_invariant_to_every_cyclic_shift(n):
    # 64 halves three times; 50 becomes odd (25) after one halving and is not
    # halved again; 37 is odd from the start (no halving at all).
    torch.manual_seed(0)
    net = small(IResNet)
    assert net.pooling == "aps" and net.invariance_step == 1
    assert shift_differences(net, n, range(n)).max() <= 1e-5


@pytest.mark.parametrize("n, length", [(64, 8), (50, 25), (37, 37), (12, 3), (1, 1)])
def test_aps_feature_map_lengths(n, length):
    net = small(IResNet)
    assert net.feature_maps(torch.zeros(1, 2, n)).shape == (1, 16, length)


def test_iresnet_max_invariant_only_to_multiples_of_step():
    # depth 4 -> 3 down-samplings by 2 -> invariant to shifts by multiples of
    # 2**3 = 8 when N is divisible by 8; not to a shift by 1.
    torch.manual_seed(1)
    net = small(IResNet, pooling="max")
    assert net.invariance_step == 8
    diffs = shift_differences(net, 64, range(64))
    assert diffs[::8].max() <= 1e-5
    assert diffs[1] > 1e-4
    assert diffs.max() > 1e-4


def test_iresnet_max_step_follows_depth():
    torch.manual_seed(2)
    net = IResNet(3, hidden=4, max_hidden=8, depth=3, pooling="max").eval()
    assert net.invariance_step == 4
    diffs = shift_differences(net, 36, range(36))
    assert diffs[::4].max() <= 1e-5
    assert diffs[2] > 1e-4  # 2 is not a multiple of 4


@pytest.mark.parametrize("n, length", [(64, 8), (37, 5), (1, 1)])
def test_max_feature_map_lengths(n, length):
    # ceil(N / 2) at each of the depth - 1 = 3 stages: 37 -> 19 -> 10 -> 5.
    for cls in (IResNet, ResNet):
        kwargs = {"pooling": "max"} if cls is IResNet else {}
        assert small(cls, **kwargs).feature_maps(torch.zeros(1, 2, n)).shape == (1, 16, length)


def test_resnet_not_invariant():
    torch.manual_seed(3)
    net = small(ResNet)
    assert net.invariance_step is None
    diffs = shift_differences(net, 64, range(64))
    assert diffs.max() > 1e-4
    assert diffs[8::8].max() > 1e-4  # zero padding breaks even the pooling-aligned shifts


def test_channel_schedule_and_downsample_layers():
    net = IResNet(3, hidden=4, max_hidden=12, depth=4)
    widths = [block.conv2.conv.out_channels for block in net.blocks]
    assert widths == [4, 8, 12, 12]
    assert [block.skip is not None for block in net.blocks] == [True, True, True, False]
    assert len(net.downsamples) == 3
    assert all(isinstance(d, AdaptivePolyphaseDownsample) for d in net.downsamples)
    resnet = ResNet(3, depth=2)
    assert len(resnet.downsamples) == 1 and isinstance(resnet.downsamples[0], MaxPoolDownsample)
    assert not resnet.downsamples[0].circular
    assert len(IResNet(3, depth=1).downsamples) == 0


def test_constructor_errors():
    with pytest.raises(ValueError, match=r"max_hidden \(8\) must be >= hidden \(16\)"):
        IResNet(3, max_hidden=8)
    with pytest.raises(ValueError, match="iresnet"):
        ResNet(3, pooling="aps")
    with pytest.raises(ValueError, match="pooling must be one of"):
        IResNet(3, pooling="avg")
    with pytest.raises(ValueError, match="kernel_size"):
        ResNet(3, kernel_size=1)
    with pytest.raises(ValueError, match="depth"):
        IResNet(3, depth=0)


def test_hparams_and_state_dict_twins():
    iresnet, resnet = IResNet(3, pooling="MAX"), ResNet(3)
    assert iresnet.hparams == dict(name="iresnet", n_classes=3, n_channels=2, n_aux=3, depth=4,
                                   hidden=16, max_hidden=64, kernel_size=5, dropout=0.25,
                                   pooling="max")
    assert resnet.hparams["pooling"] == "max"
    resnet.load_state_dict(iresnet.state_dict())


@pytest.mark.parametrize("pooling", ["aps", "max"])
@pytest.mark.parametrize("n", [1, 3, 7, 33, 120, 200, 257])
def test_any_length_and_batch_of_one(pooling, n):
    torch.manual_seed(4)
    for net in (small(IResNet, pooling=pooling), small(ResNet)):
        assert_finite_logits_for_one(net, n, 4)


@pytest.mark.parametrize("cls", [IResNet, ResNet])
def test_gradients_reach_first_convolution(cls):
    torch.manual_seed(5)
    net = cls(3, hidden=4, max_hidden=8, depth=3)
    x, aux = torch.randn(2, 2, 16), torch.randn(2, 3)
    assert_gradients_reach(net, net.blocks[0].conv1.conv.parameters(), x, aux, [1, 2])
