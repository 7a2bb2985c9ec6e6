"""Tests for astro_cyclic.nn.layers: symmetry padding, padded convolution, down-sampling."""

import numpy as np
import pytest
import torch

from astro_cyclic.nn.layers import (AdaptivePolyphaseDownsample, ConvHead, MaxPoolDownsample,
                                    Pad1d, PaddedConv1d, check_inputs, circular_max_pool,
                                    circular_pad, zero_pad)


def numpy_conv(x, weight, bias, dilation, left, right, circular):
    """Reference padded 1-D convolution (cross-correlation, as torch) with explicit loops.

    ``x`` (C_in, N), ``weight`` (C_out, C_in, K). Output position ``i`` reads
    input positions ``i - left + k * dilation``; out-of-range positions wrap
    round the ring (circular) or read zero.
    """
    c_out, _, k_size = weight.shape
    n = x.shape[1]
    out = np.empty((c_out, n + left + right - (k_size - 1) * dilation))
    for i in range(out.shape[1]):
        acc = bias.astype(float).copy()
        for k in range(k_size):
            j = i - left + k * dilation
            if circular:
                column = x[:, j % n]
            elif 0 <= j < n:
                column = x[:, j]
            else:
                continue
            acc += weight[:, :, k] @ column
        out[:, i] = acc
    return out


@pytest.mark.parametrize("n, left, right", [(1, 5, 3), (3, 8, 0), (4, 0, 9), (5, 2, 2), (6, 0, 0)])
def test_circular_pad_wraps_any_number_of_times(n, left, right):
    x = torch.arange(2 * n, dtype=torch.float32).reshape(1, 2, n)
    got = circular_pad(x, left, right).numpy()
    expected = x.numpy()[..., np.arange(-left, n + right) % n]
    np.testing.assert_array_equal(got, expected)
    assert got.shape[-1] == left + n + right


def test_circular_pad_small_example_and_errors():
    out = circular_pad(torch.tensor([1.0, 2.0, 3.0]), 4, 2)
    assert out.tolist() == [3.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="empty"):
        circular_pad(torch.zeros(1, 2, 0), 1, 1)
    with pytest.raises(ValueError, match=">= 0"):
        circular_pad(torch.zeros(1, 2, 3), -1, 0)


def test_zero_pad_and_pad_module():
    x = torch.ones(1, 1, 3)
    assert zero_pad(x, 2, 1).tolist() == [[[0.0, 0.0, 1.0, 1.0, 1.0, 0.0]]]
    assert Pad1d(2, 1, "zeros")(x).tolist() == zero_pad(x, 2, 1).tolist()
    assert Pad1d(7, 0, "CIRCULAR")(x).shape[-1] == 10
    with pytest.raises(ValueError, match="mode"):
        Pad1d(1, 1, "reflect")


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("mode", ["circular", "zeros"])
@pytest.mark.parametrize("n, kernel_size, dilation", [(3, 5, 4), (5, 3, 8), (1, 2, 1), (7, 4, 2)])
def test_padded_conv_matches_numpy(causal, mode, n, kernel_size, dilation):
    # The pads (K-1)*d = 16, 16, 1, 6 exceed (or equal) N in most cases: the
    # circular case must wrap more than once and still be an exact circular
    # convolution.
    torch.manual_seed(1)
    conv = PaddedConv1d(2, 3, kernel_size, dilation=dilation, causal=causal, mode=mode)
    x = torch.randn(1, 2, n)
    with torch.no_grad():
        got = conv(x)[0].double().numpy()
        weight = conv.conv.weight.double().numpy()  # weight-norm recomposed g * v / |v|
        bias = conv.conv.bias.double().numpy()
    total = (kernel_size - 1) * dilation
    left = total if causal else total // 2
    expected = numpy_conv(x[0].double().numpy(), weight, bias, dilation, left, total - left,
                          circular=mode == "circular")
    assert got.shape == (3, n)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("causal", [True, False])
def test_circular_conv_commutes_with_cyclic_shift(causal):
    torch.manual_seed(2)
    conv = PaddedConv1d(2, 4, 5, dilation=3, causal=causal, mode="circular")
    x = torch.randn(2, 2, 11)
    with torch.no_grad():
        y = conv(x)
        for s in range(11):
            torch.testing.assert_close(conv(torch.roll(x, s, -1)), torch.roll(y, s, -1),
                                       atol=1e-5, rtol=1e-5)


def test_padded_conv_is_weight_normalised():
    conv = PaddedConv1d(2, 3, 5)
    names = set(dict(conv.named_parameters()))
    assert names == {"conv.bias", "conv.parametrizations.weight.original0",
                     "conv.parametrizations.weight.original1"}


def test_circular_max_pool():
    x = torch.tensor([[[1.0, 5.0, 2.0, 0.0]]])
    assert circular_max_pool(x).tolist() == [[[5.0, 5.0, 2.0, 1.0]]]
    single = torch.tensor([[[3.0]]])
    assert circular_max_pool(single).tolist() == [[[3.0]]]


def test_max_pool_downsample_lengths_and_wrap():
    x = torch.tensor([[[1.0, 4.0, 2.0, 3.0, 9.0]]])
    # Odd length on a ring: the last element is pooled with the first.
    assert MaxPoolDownsample(circular=True)(x).tolist() == [[[4.0, 3.0, 9.0]]]
    # On a line the last element is pooled alone.
    assert MaxPoolDownsample(circular=False)(x).tolist() == [[[4.0, 3.0, 9.0]]]
    y = torch.tensor([[[0.0, 4.0, 2.0, 3.0, -9.0]]])
    assert MaxPoolDownsample(circular=True)(y).tolist() == [[[4.0, 3.0, 0.0]]]
    assert MaxPoolDownsample(circular=False)(y).tolist() == [[[4.0, 3.0, -9.0]]]
    for circular in (True, False):
        assert MaxPoolDownsample(circular)(torch.ones(1, 2, 1)).shape == (1, 2, 1)
        assert MaxPoolDownsample(circular)(torch.ones(1, 2, 8)).shape == (1, 2, 4)


def test_max_pool_downsample_equivariant_to_even_shifts_only():
    torch.manual_seed(3)
    pool = MaxPoolDownsample(circular=True)
    x = torch.randn(1, 3, 12)
    y = pool(x)
    for s in range(0, 12, 2):
        torch.testing.assert_close(pool(torch.roll(x, s, -1)), torch.roll(y, s // 2, -1))
    shifted = pool(torch.roll(x, 1, -1))
    assert not any(torch.equal(shifted, torch.roll(y, t, -1)) for t in range(6))


def _is_cyclic_shift(a, b):
    return any(torch.equal(a, torch.roll(b, t, -1)) for t in range(b.shape[-1]))


@pytest.mark.parametrize("n", [2, 8, 14])
def test_aps_output_is_shifted_under_every_shift(n):
    torch.manual_seed(4)
    aps = AdaptivePolyphaseDownsample()
    x = torch.randn(3, 4, n)
    y = aps(x)
    assert y.shape == (3, 4, n // 2)
    for s in range(n):
        ys = aps(torch.roll(x, s, -1))
        for b in range(3):
            assert _is_cyclic_shift(ys[b], y[b]), (s, b)


def test_aps_picks_larger_norm_component_per_sample():
    # After the stride-1 max pool, sample 0 has more energy in its odd
    # positions (10^2 + 1 vs 10^2), sample 1 in its even ones. Each sample
    # must make its own choice.
    x = torch.tensor([[[0.0, 0.0, 10.0, 1.0]], [[1.0, 0.0, 0.0, 10.0]]])
    z = circular_max_pool(x)  # [[0, 10, 10, 1], [1, 0, 10, 10]]
    got = AdaptivePolyphaseDownsample()(x)
    torch.testing.assert_close(got[0], z[0, :, 1::2])
    torch.testing.assert_close(got[1], z[1, :, 0::2])
    # Batch independence: the same result one sample at a time.
    for b in range(2):
        torch.testing.assert_close(AdaptivePolyphaseDownsample()(x[b:b + 1])[0], got[b])


@pytest.mark.parametrize("n", [1, 3, 7])
def test_aps_odd_length_only_pools(n):
    torch.manual_seed(5)
    x = torch.randn(2, 3, n)
    torch.testing.assert_close(AdaptivePolyphaseDownsample()(x), circular_max_pool(x))


def test_conv_head_broadcasts_aux_position_wise():
    torch.manual_seed(6)
    head = ConvHead(4, 3, 5, 2)
    features, aux = torch.randn(2, 4, 7), torch.randn(2, 3)
    out = head(features, aux)
    assert out.shape == (2, 2, 7)
    # Position-wise: position 3 alone gives the same logits.
    torch.testing.assert_close(head(features[..., 3:4], aux)[..., 0], out[..., 3])
    assert ConvHead(4, 0, 5, 2)(features, features.new_zeros(2, 0)).shape == (2, 2, 7)


def test_check_inputs_messages():
    x, aux = torch.zeros(2, 2, 5), torch.zeros(2, 3)
    assert check_inputs(x, aux, 2, 3, "Net") is aux
    assert check_inputs(x, None, 2, 0, "Net").shape == (2, 0)
    with pytest.raises(ValueError, match=r"Net: x must have shape \(batch, 2, N\)"):
        check_inputs(torch.zeros(2, 3, 5), aux, 2, 3, "Net")
    with pytest.raises(ValueError, match="N = 0"):
        check_inputs(torch.zeros(2, 2, 0), aux, 2, 3, "Net")
    with pytest.raises(ValueError, match=r"aux must have shape \(2, 3\)"):
        check_inputs(x, torch.zeros(1, 3), 2, 3, "Net")
    with pytest.raises(ValueError, match="aux"):
        check_inputs(x, None, 2, 3, "Net")


def _gather_pad(x, left, right):
    # The former implementation: gather every position modulo N.
    index = torch.arange(-left, x.shape[-1] + right) % x.shape[-1]
    return x.index_select(-1, index)


@pytest.mark.parametrize("n, left, right", [(7, 0, 0), (7, 3, 0), (7, 7, 2), (5, 23, 11), (1, 4, 4), (200, 256, 0)])
def test_circular_pad_equals_the_gather_it_replaced(n, left, right):
    x = torch.randn(2, 3, n)
    assert torch.equal(circular_pad(x, left, right), _gather_pad(x, left, right))
