"""Tests for astro_cyclic.nn.itcn: receptive field, iTCN invariance, TCN twin."""

import pytest
import torch

from _helpers import assert_finite_logits_for_one, assert_gradients_reach, shift_differences

from astro_cyclic.nn.itcn import ITCN, TCN, default_depth, receptive_field


@pytest.mark.parametrize("kernel_size", [2, 3, 5, 7])
@pytest.mark.parametrize("depth", [1, 2, 5, 7])
def test_receptive_field_formula(kernel_size, depth):
    # L = (K-1) * sum_n 2 * 2**(n-1): two convolutions per block, dilation 2**(n-1).
    explicit = (kernel_size - 1) * sum(2 * 2 ** (n - 1) for n in range(1, depth + 1))
    assert receptive_field(kernel_size, depth) == explicit == (kernel_size - 1) * (2 ** (depth + 1) - 2)


def test_default_depth_values():
    assert receptive_field(5, 4) == 120 and receptive_field(5, 5) == 248
    assert default_depth(5, 200) == 5
    assert default_depth(2, 200) == 7   # 254 > 200 >= 126
    assert default_depth(3, 200) == 6   # 252 > 200 >= 124
    # The criterion is strict: L = 30 at D = 4 suffices for 29 points, not 30.
    assert receptive_field(2, 4) == 30
    assert default_depth(2, 29) == 4 and default_depth(2, 30) == 5


@pytest.mark.parametrize("kernel_size", [2, 3, 5, 7])
@pytest.mark.parametrize("segment_length", [1, 2, 50, 120, 200, 300, 1000])
def test_default_depth_is_smallest_sufficient(kernel_size, segment_length):
    depth = default_depth(kernel_size, segment_length)
    assert receptive_field(kernel_size, depth) > segment_length
    if depth > 1:
        assert receptive_field(kernel_size, depth - 1) <= segment_length


def test_default_depth_rejects_bad_values():
    with pytest.raises(ValueError, match="kernel_size"):
        default_depth(1, 200)
    with pytest.raises(ValueError, match="segment_length"):
        default_depth(5, 0)


def test_network_depth_defaults_from_segment_length():
    assert len(ITCN(3).blocks) == 5
    assert ITCN(3).receptive_field == 248
    assert len(TCN(3, kernel_size=2, segment_length=100).blocks) == 6
    assert len(ITCN(3, depth=2).blocks) == 2


def test_tcn_receptive_field_matches_network():
    # The last output position of the causal TCN must depend on exactly the
    # L = receptive_field positions before it (and itself), no more.
    torch.manual_seed(0)
    net = TCN(3, kernel_size=2, depth=3, hidden=6)
    span = net.receptive_field
    assert span == 14
    x = torch.randn(4, 2, 30, requires_grad=True)
    net.feature_maps(x)[..., -1].sum().backward()
    reach = x.grad.abs().sum(dim=(0, 1))
    first = 30 - 1 - span
    assert torch.all(reach[:first] == 0)
    assert torch.all(reach[first:] > 0)


@pytest.mark.parametrize("n", [64, 37, 5, 1])
def test_itcn_invariant_to_every_cyclic_shift(n):
    # N = 5 is far shorter than the pads (up to 4 * 16 = 64): symmetry padding
    # then wraps round the ring many times and must stay exact.
    torch.manual_seed(1)
    net = ITCN(4, hidden=8).eval()
    diffs = shift_differences(net, n, range(n))
    assert diffs.max() <= 1e-5


def test_itcn_feature_maps_are_equivariant():
    torch.manual_seed(2)
    net = ITCN(3, hidden=6, depth=3).eval()
    x = torch.randn(2, 2, 21)
    with torch.no_grad():
        ref = net.feature_maps(x)
        assert ref.shape == (2, 6, 21)
        for s in (1, 5, 20):
            torch.testing.assert_close(net.feature_maps(torch.roll(x, s, -1)),
                                       torch.roll(ref, s, -1), atol=1e-5, rtol=1e-5)


def test_tcn_not_invariant():
    torch.manual_seed(3)
    net = TCN(4, hidden=8).eval()
    assert shift_differences(net, 64, range(64)).max() > 1e-4


def test_tcn_state_dict_loads_into_itcn():
    torch.manual_seed(4)
    tcn, itcn = TCN(3, hidden=6, depth=3), ITCN(3, hidden=6, depth=3)
    tcn_state, itcn_state = tcn.state_dict(), itcn.state_dict()
    assert list(tcn_state) == list(itcn_state)
    assert all(tcn_state[k].shape == itcn_state[k].shape for k in tcn_state)
    itcn.load_state_dict(tcn_state)  # strict
    for key, value in itcn.state_dict().items():
        assert torch.equal(value, tcn_state[key])


def test_same_weights_differ_only_inside_receptive_field():
    # The paper's Fig. 1 setup: K = 2, depth 4 (receptive field 30), a
    # length-60 sine with two oscillations. With shared weights, positions
    # whose receptive field never reaches the padding agree exactly; the
    # first 30 positions of the TCN are distorted by zero padding.
    torch.manual_seed(5)
    itcn = ITCN(2, kernel_size=2, depth=4, hidden=8).eval()
    tcn = TCN(2, kernel_size=2, depth=4, hidden=8).eval()
    tcn.load_state_dict(itcn.state_dict())
    phase = torch.arange(60) / 60
    x = torch.stack([torch.full((60,), 1 / 60), torch.sin(4 * torch.pi * phase)])[None]
    with torch.no_grad():
        inv, ordinary = itcn.feature_maps(x), tcn.feature_maps(x)
    torch.testing.assert_close(inv[..., 30:], ordinary[..., 30:], atol=1e-6, rtol=1e-6)
    assert (inv[..., :30] - ordinary[..., :30]).abs().max() > 1e-3
    # Periodic input of period 30 gives a periodic iTCN feature map.
    torch.testing.assert_close(inv[..., :30], inv[..., 30:], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("cls", [ITCN, TCN])
@pytest.mark.parametrize("n", [1, 3, 7, 33, 120, 200, 257])
def test_any_length_and_batch_of_one(cls, n):
    torch.manual_seed(6)
    net = cls(5, hidden=4).eval()
    assert_finite_logits_for_one(net, n, 5)


@pytest.mark.parametrize("cls", [ITCN, TCN])
def test_gradients_reach_first_convolution(cls):
    torch.manual_seed(7)
    net = cls(3, hidden=6, depth=3)
    x, aux = torch.randn(2, 2, 16), torch.randn(2, 3)
    assert_gradients_reach(net, net.blocks[0].conv1.conv.parameters(), x, aux, [0, 2])


def test_no_aux_and_input_errors():
    torch.manual_seed(8)
    net = ITCN(3, n_aux=0, n_channels=1, hidden=4, depth=2)
    assert net(torch.randn(2, 1, 9), None).shape == (2, 3)
    with pytest.raises(ValueError, match=r"ITCN: x must have shape \(batch, 1, N\)"):
        net(torch.randn(2, 2, 9), None)
    with pytest.raises(ValueError, match="ITCN"):
        ITCN(3, kernel_size=1)
    with pytest.raises(ValueError, match="dropout"):
        TCN(3, dropout=1.0)


def test_hparams_and_dropout_in_train_mode():
    torch.manual_seed(9)
    net = ITCN(3, hidden=4, depth=2, dropout=0.5)
    assert net.hparams == dict(name="itcn", n_classes=3, n_channels=2, n_aux=3,
                               segment_length=200, depth=2, hidden=4, kernel_size=5, dropout=0.5)
    x, aux = torch.randn(2, 2, 12), torch.randn(2, 3)
    assert not torch.equal(net.train()(x, aux), net(x, aux))
    net.eval()
    assert torch.equal(net(x, aux), net(x, aux))
