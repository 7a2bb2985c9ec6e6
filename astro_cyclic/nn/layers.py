"""Building blocks for cyclic-permutation invariant (and ordinary) 1-D CNNs.

A period-folded light curve is a ring: the phase after the last point is the
first point again. Zhang & Bloom (2020) embed this in a CNN with "symmetry
padding": a convolution's input is padded with the sequence itself (the other
end of the ring) instead of zeros, which turns every convolution into a
circular convolution. Circular convolutions, point-wise non-linearities and
residual sums all commute with cyclic shifts (they are *equivariant*), so a
global mean over positions at the end of the network is exactly *invariant*
to the initial phase.

This module provides the padding, the padded (weight-normalised) convolution,
the two down-sampling layers (max pooling, and adaptive polyphase sampling,
which keeps exact invariance through down-sampling), and the classification
head shared by all convolutional networks in :mod:`astro_cyclic.nn`.

All tensors are laid out ``(batch, channels, positions)``.

References
----------
.. [1] Zhang, K. & Bloom, J. S. 2020, arXiv:2011.01243 (full reference in
   :mod:`astro_cyclic.nn`).
.. [2] Bai, S., Kolter, J. Z. & Koltun, V. 2018, arXiv:1803.01271 (full reference
   in :mod:`astro_cyclic.nn.itcn`).
.. [3] Chaman, A. & Dokmanic, I. 2021, "Truly shift-invariant convolutional
   neural networks", CVPR, 3773.
.. [4] Salimans, T. & Kingma, D. P. 2016, "Weight Normalization: A Simple
   Reparameterization to Accelerate Training of Deep Neural Networks",
   NeurIPS 29; arXiv:1602.07868.
"""

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

from .._validation import check_number, validate_option

__all__ = [
    "PAD_MODES",
    "circular_pad",
    "zero_pad",
    "Pad1d",
    "PaddedConv1d",
    "circular_max_pool",
    "MaxPoolDownsample",
    "AdaptivePolyphaseDownsample",
    "ConvHead",
    "check_sequence",
    "check_inputs",
]

#: Padding modes: ``"circular"`` (symmetry padding, invariant networks) and
#: ``"zeros"`` (ordinary zero padding, their non-invariant twins).
PAD_MODES = ("circular", "zeros")


def circular_pad(x, left, right):
    """Pad the last axis of ``x`` with the sequence itself (symmetry padding).

    Position ``j`` of the result is ``x[..., (j - left) mod N]``, so the
    sequence is treated as a ring. Unlike ``torch.nn.functional.pad(...,
    mode="circular")``, the pad may be longer than the sequence: it then wraps
    round the ring as many times as needed. That case is routine here, since
    dilated convolutions on short light-curve segments have pads
    ``(K - 1) * dilation`` far longer than ``N``.

    Parameters
    ----------
    x : torch.Tensor, shape (..., N)
        Sequence(s) to pad, ``N >= 1``.
    left, right : int
        Number of positions to add before and after the sequence (>= 0).

    Returns
    -------
    torch.Tensor, shape (..., left + N + right)
        The padded sequence.

    Raises
    ------
    ValueError
        If the sequence is empty or a pad is negative.

    Examples
    --------
    >>> import torch
    >>> circular_pad(torch.tensor([1.0, 2.0, 3.0]), 4, 2)
    tensor([3., 1., 2., 3., 1., 2., 3., 1., 2.])
    """
    n = x.shape[-1]
    if n < 1:
        raise ValueError("circular_pad: cannot pad an empty sequence")
    if left < 0 or right < 0:
        raise ValueError(f"circular_pad: pads must be >= 0, got left={left}, right={right}")
    # One concatenation of slices and whole copies of the ring: a single
    # contiguous copy, several times faster on the CPU than gathering the
    # positions modulo N with index_select (0.6 vs 2.8 ms for a 128 x 24 x 200
    # batch padded by 256, benchmarks/results/performance.md), and exact for
    # pads longer than N (the ring is then repeated).
    pieces = [x[..., n - left % n:]] if left % n else []
    pieces.extend([x] * (left // n + 1 + right // n))
    if right % n:
        pieces.append(x[..., :right % n])
    return pieces[0] if len(pieces) == 1 else torch.cat(pieces, dim=-1)


def zero_pad(x, left, right):
    """Pad the last axis of ``x`` with zeros (the ordinary, non-invariant choice).

    Parameters
    ----------
    x : torch.Tensor, shape (..., N)
        Sequence(s) to pad.
    left, right : int
        Number of zeros to add before and after the sequence (>= 0).

    Returns
    -------
    torch.Tensor, shape (..., left + N + right)
        The padded sequence.
    """
    if left < 0 or right < 0:
        raise ValueError(f"zero_pad: pads must be >= 0, got left={left}, right={right}")
    return F.pad(x, (left, right))


class Pad1d(nn.Module):
    """Fixed padding of the last axis, circular (symmetry) or with zeros.

    Parameters
    ----------
    left, right : int
        Number of positions added before and after the sequence (>= 0).
    mode : {"circular", "zeros"}
        ``"circular"`` pads with the sequence itself (see :func:`circular_pad`);
        ``"zeros"`` pads with zeros.
    """

    def __init__(self, left, right, mode):
        super().__init__()
        self.left = check_number(left, "left", min_val=0, owner="Pad1d")
        self.right = check_number(right, "right", min_val=0, owner="Pad1d")
        self.mode = validate_option(mode, PAD_MODES, "mode", owner="Pad1d")

    def forward(self, x):
        """Pad ``x`` of shape (B, C, N) to (B, C, left + N + right)."""
        if self.mode == "circular":
            return circular_pad(x, self.left, self.right)
        return zero_pad(x, self.left, self.right)

    def extra_repr(self):
        return f"left={self.left}, right={self.right}, mode={self.mode!r}"


class PaddedConv1d(nn.Module):
    """Weight-normalised 1-D convolution whose output has the input's length.

    The input is first padded by ``(kernel_size - 1) * dilation`` positions,
    either all on the left (``causal=True``, the TCN convention: output ``i``
    depends on inputs ``<= i``) or split as evenly as possible ("same"
    padding, left gets the smaller half when the total is odd). With
    ``mode="circular"`` the result is a circular convolution, which commutes
    with every cyclic shift of the input.

    Weight normalisation [4]_ is used instead of batch normalisation, as in the
    TCN [2]_: it does not mix samples, so an output never depends on the other
    members of the (possibly tiny, length-bucketed) batch.

    Parameters
    ----------
    in_channels, out_channels : int
        Number of input and output channels.
    kernel_size : int
        Kernel size, >= 1.
    dilation : int, optional
        Spacing between kernel taps, >= 1.
    causal : bool, optional
        Put the whole pad on the left (True) or centre it (False).
    mode : {"circular", "zeros"}, optional
        Padding mode, see :class:`Pad1d`.

    Attributes
    ----------
    pad : Pad1d
        The padding layer (no parameters).
    conv : torch.nn.Conv1d
        The convolution, weight-normalised with
        `torch.nn.utils.parametrizations.weight_norm` (its parameters are
        ``conv.bias``, ``conv.parametrizations.weight.original0`` (the norm
        ``g``) and ``conv.parametrizations.weight.original1`` (the direction
        ``v``)).

    References
    ----------
    .. [2] Bai, Kolter & Koltun 2018, arXiv:1803.01271.
    .. [4] Salimans & Kingma 2016, arXiv:1602.07868.
    """

    def __init__(self, in_channels, out_channels, kernel_size, *, dilation=1, causal=False,
                 mode="circular"):
        super().__init__()
        kernel_size = check_number(kernel_size, "kernel_size", min_val=1, owner="PaddedConv1d")
        dilation = check_number(dilation, "dilation", min_val=1, owner="PaddedConv1d")
        total = (kernel_size - 1) * dilation
        left = total if causal else total // 2
        self.pad = Pad1d(left, total - left, mode)
        self.conv = weight_norm(nn.Conv1d(in_channels, out_channels, kernel_size,
                                          dilation=dilation))

    def forward(self, x):
        """Convolve ``x`` of shape (B, in_channels, N) to (B, out_channels, N)."""
        return self.conv(self.pad(x))


class _ConvResidualBlock(nn.Module):
    """Two padded convolutions with a residual connection (base of the networks' blocks).

    ``conv -> ReLU -> dropout -> conv -> ReLU -> dropout``, added to the input
    (through a 1x1 convolution when the channel count changes), then ReLU. Both
    convolutions are :class:`PaddedConv1d`, so the output has the input's
    length. The subclasses choose the padding: causal and dilated (TCN) or
    "same" (ResNet).

    Parameters
    ----------
    in_channels, out_channels : int
        Channel counts.
    kernel_size : int
        Kernel size ``K``.
    dropout : float
        Dropout probability after each convolution.
    mode : {"circular", "zeros"}
        Padding of the convolutions.
    dilation : int, optional
        Dilation of both convolutions.
    causal : bool, optional
        Whether the convolutions are causal (see :class:`PaddedConv1d`).
    """

    def __init__(self, in_channels, out_channels, kernel_size, dropout, mode, *, dilation=1,
                 causal=False):
        super().__init__()
        self.conv1 = PaddedConv1d(in_channels, out_channels, kernel_size, dilation=dilation,
                                  causal=causal, mode=mode)
        self.conv2 = PaddedConv1d(out_channels, out_channels, kernel_size, dilation=dilation,
                                  causal=causal, mode=mode)
        self.dropout = nn.Dropout(dropout)
        # A 1x1 convolution is position-wise, hence harmless to invariance.
        self.skip = nn.Conv1d(in_channels, out_channels, 1) if in_channels != out_channels else None

    def forward(self, x):
        """Map (B, in_channels, N) to (B, out_channels, N)."""
        out = self.dropout(F.relu(self.conv1(x)))
        out = self.dropout(F.relu(self.conv2(out)))
        res = x if self.skip is None else self.skip(x)
        return F.relu(out + res)


def circular_max_pool(x):
    """Stride-1 max pooling of kernel 2 on a ring: ``y[i] = max(x[i], x[(i+1) mod N])``.

    This is the first half of adaptive polyphase sampling [3]_. It is
    equivariant to every cyclic shift and keeps the length ``N`` (for
    ``N = 1`` it returns ``x``).

    Parameters
    ----------
    x : torch.Tensor, shape (..., N)
        Input sequence(s).

    Returns
    -------
    torch.Tensor, shape (..., N)
        The pooled sequence(s).

    References
    ----------
    .. [3] Chaman, A. & Dokmanic, I. 2021, CVPR, 3773; arXiv:2011.14214.
    """
    return torch.maximum(x, torch.roll(x, -1, dims=-1))


class MaxPoolDownsample(nn.Module):
    """Max pooling with kernel 2 and stride 2, halving the sequence length.

    This is the down-sampling of the paper's ResNet and iResNet [1]_. It is
    equivariant only to *even* cyclic shifts of an even-length input (a shift
    by ``2s`` becomes a shift by ``s``); an odd shift changes which pairs are
    pooled together.

    Odd lengths: with ``circular=True`` the last element is pooled with the
    first one (the ring closes), giving ``(N + 1) // 2`` outputs; with
    ``circular=False`` the last element is pooled alone (``ceil_mode``), also
    ``(N + 1) // 2`` outputs. A length-1 input is returned unchanged.

    Parameters
    ----------
    circular : bool
        Whether the sequence is a ring (invariant networks) or a line.

    References
    ----------
    .. [1] Zhang, K. & Bloom, J. S. 2020, arXiv:2011.01243, section 2.
    """

    def __init__(self, circular):
        super().__init__()
        self.circular = bool(circular)

    def forward(self, x):
        """Downsample ``x`` of shape (B, C, N) to (B, C, ceil(N / 2))."""
        if self.circular and x.shape[-1] % 2 == 1:
            x = circular_pad(x, 0, 1)
        return F.max_pool1d(x, kernel_size=2, stride=2, ceil_mode=True)

    def extra_repr(self):
        return f"circular={self.circular}"


class AdaptivePolyphaseDownsample(nn.Module):
    """Adaptive polyphase sampling (APS): exactly shift-invariant down-sampling by 2.

    Following Chaman & Dokmanic (2021) [3]_, the input is max-pooled with kernel
    2 and *stride 1* on the ring (:func:`circular_max_pool`), and then split
    into its two polyphase components ``z[0::2]`` and ``z[1::2]``. Each sample
    keeps the component with the larger l2 norm (over channels and positions).
    A cyclic shift of the input by ``s`` shifts both components (and swaps
    them when ``s`` is odd), so the selected component is the same one, shifted
    by ``floor(s / 2)`` or ``ceil(s / 2)``. Hence a network of circular
    convolutions, APS layers and a final global mean is exactly invariant to
    every cyclic shift -- not only to multiples of ``2**n_downsamplings`` as
    with strided max pooling.

    Odd lengths: polyphase components of an odd-length ring are not defined
    (a shift by one would not map the even component onto the odd one), so for
    odd ``N`` (including ``N = 1``) the layer only applies the stride-1
    circular max pool and keeps the length ``N``. This is still equivariant,
    hence invariance is preserved; the network just works at a finer
    resolution from that stage on.

    Notes
    -----
    The selection is computed per sample, so the output never depends on the
    rest of the batch. Ties (equal norms) are resolved in favour of the even
    component; an exact tie between *different* components is the only case
    where invariance can fail, and floating-point near-ties (relative
    difference ~1e-7) could in principle flip the choice after a shift. For
    real-valued data this has negligible probability.

    References
    ----------
    .. [3] Chaman, A. & Dokmanic, I. 2021, "Truly shift-invariant convolutional
       neural networks", CVPR, 3773; arXiv:2011.14214.
    """

    def forward(self, x):
        """Downsample ``x`` of shape (B, C, N) to (B, C, N // 2), or (B, C, N) if N is odd."""
        z = circular_max_pool(x)
        n = z.shape[-1]
        if n % 2 == 1:
            return z
        even, odd = z[..., 0::2], z[..., 1::2]
        # Squared norms order the components the same way as norms and avoid
        # a sqrt; sum over channels and positions, one value per sample.
        take_odd = odd.pow(2).sum(dim=(-2, -1)) > even.pow(2).sum(dim=(-2, -1))
        return torch.where(take_odd[:, None, None], odd, even)


class ConvHead(nn.Module):
    """Per-position classifier: auxiliary inputs appended, then two 1x1 convolutions.

    The auxiliary (per-star, position-independent) inputs are broadcast to
    every position and concatenated to the features, then a kernel-size-1
    convolution to ``hidden`` channels, ReLU, and a kernel-size-1 convolution
    to ``n_classes`` logits (the "classification" layer of Fig. 2a in [1]_).
    Being position-wise, the head is equivariant; the caller decides how the
    per-position logits are reduced (global mean for invariant networks).

    Parameters
    ----------
    in_channels : int
        Feature channels coming from the convolutional body.
    n_aux : int
        Number of auxiliary inputs (0 allowed).
    hidden : int
        Width of the hidden 1x1 convolution.
    n_classes : int
        Number of output classes.

    References
    ----------
    .. [1] Zhang, K. & Bloom, J. S. 2020, arXiv:2011.01243, Fig. 2a.
    """

    def __init__(self, in_channels, n_aux, hidden, n_classes):
        super().__init__()
        self.n_aux = n_aux
        self.conv1 = nn.Conv1d(in_channels + n_aux, hidden, 1)
        self.conv2 = nn.Conv1d(hidden, n_classes, 1)

    def forward(self, features, aux):
        """Per-position logits.

        Parameters
        ----------
        features : torch.Tensor, shape (B, in_channels, M)
            Feature map.
        aux : torch.Tensor, shape (B, n_aux)
            Auxiliary inputs.

        Returns
        -------
        torch.Tensor, shape (B, n_classes, M)
            Logits at every position.
        """
        if self.n_aux:
            features = torch.cat(
                [features, aux[:, :, None].expand(-1, -1, features.shape[-1])], dim=1)
        return self.conv2(F.relu(self.conv1(features)))


def check_sequence(x, n_channels, owner):
    """Validate a batch of sequences ``x`` of shape (B, n_channels, N), N >= 1.

    Parameters
    ----------
    x : torch.Tensor
        Folded light-curve segment(s).
    n_channels : int
        Channels the network was built for.
    owner : str
        Network name for the error message.

    Raises
    ------
    ValueError
        If ``x`` is not a 3-D tensor with ``n_channels`` channels and at least
        one position.
    """
    if not isinstance(x, torch.Tensor) or x.dim() != 3 or x.shape[1] != n_channels:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{owner}: x must have shape (batch, {n_channels}, N), got {shape}")
    if x.shape[-1] < 1:
        raise ValueError(f"{owner}: x has no positions (N = 0); segments need N >= 1")


def check_inputs(x, aux, n_channels, n_aux, owner):
    """Validate the ``(x, aux)`` pair given to a network's ``forward``.

    Parameters
    ----------
    x : torch.Tensor, shape (B, n_channels, N)
        Folded light-curve segment(s), ``N >= 1``.
    aux : torch.Tensor, shape (B, n_aux), or None
        Auxiliary inputs; may be None only when ``n_aux == 0``.
    n_channels, n_aux : int
        What the network was built for.
    owner : str
        Network name for the error message.

    Returns
    -------
    torch.Tensor, shape (B, n_aux)
        ``aux``, or an empty (B, 0) tensor when ``n_aux == 0`` and ``aux`` is None.

    Raises
    ------
    ValueError
        If a shape does not match; the message gives expected and actual shapes.
    """
    check_sequence(x, n_channels, owner)
    if aux is None and n_aux == 0:
        return x.new_zeros((x.shape[0], 0))
    if (not isinstance(aux, torch.Tensor) or aux.dim() != 2
            or aux.shape[0] != x.shape[0] or aux.shape[1] != n_aux):
        shape = tuple(aux.shape) if isinstance(aux, torch.Tensor) else type(aux).__name__
        raise ValueError(
            f"{owner}: aux must have shape ({x.shape[0]}, {n_aux}) to match x, got {shape}")
    return aux
