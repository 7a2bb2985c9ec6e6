"""Residual CNNs with down-sampling: the invariant iResNet and the ordinary ResNet.

The network is ``depth`` residual blocks; after each of the first ``depth - 1``
blocks the sequence is down-sampled by 2 (so the output map is ``2**(depth-1)``
times shorter than the input, as in Zhang & Bloom 2020, section 2), and the
channel count doubles from ``hidden`` up to ``max_hidden``. A position-wise
head (auxiliary inputs appended, two 1x1 convolutions) gives logits at every
output position, which are averaged.

Invariance, for an input of length ``N``:

* :class:`IResNet` with ``pooling="aps"`` (default): circular convolutions
  and adaptive polyphase sampling (Chaman & Dokmanic 2021). The output is
  exactly invariant to **every** cyclic shift, for every ``N >= 1``. When an
  intermediate length is odd, that stage (and the later ones, since the
  length stays odd) only applies the stride-1 circular max pool and does not
  halve the length.
* :class:`IResNet` with ``pooling="max"`` (the paper's iResNet): circular
  convolutions and max pooling with kernel 2, stride 2. With ``m = depth - 1``
  down-samplings, the output is invariant to cyclic shifts by multiples of
  ``2**m`` whenever ``N`` is divisible by ``2**m`` (each pooling turns a shift
  by ``2s`` into a shift by ``s``). It is *not* invariant to other shifts in
  general (e.g. a shift by 1). :attr:`ResidualConvNet.invariance_step` gives
  ``2**m``.
* :class:`ResNet`: zero "same" padding and max pooling; invariant to no
  shift in general. Its logits are also averaged over positions.

References
----------
.. [1] Zhang, K. & Bloom, J. S. 2020, arXiv:2011.01243 (full reference in
   :mod:`astro_cyclic.nn`).
.. [2] He, K., Zhang, X., Ren, S. & Sun, J. 2016, "Deep Residual Learning for
   Image Recognition", CVPR, 770.
.. [3] Chaman, A. & Dokmanic, I. 2021, "Truly shift-invariant convolutional
   neural networks", CVPR, 3773; arXiv:2011.14214.
"""

from torch import nn

from ._base import SequenceClassifier
from .._validation import check_fraction, check_number, validate_option
from .layers import (PAD_MODES, AdaptivePolyphaseDownsample, ConvHead, MaxPoolDownsample,
                     _ConvResidualBlock, check_sequence)

__all__ = ["POOLINGS", "ResidualBlock", "ResidualConvNet", "IResNet", "ResNet"]

#: Down-sampling choices: adaptive polyphase sampling, or max pool stride 2.
POOLINGS = ("aps", "max")


class ResidualBlock(_ConvResidualBlock):
    """Residual block of two "same"-padded convolutions (no batch normalisation).

    ``conv -> ReLU -> dropout -> conv -> ReLU -> dropout``, added to the input
    (through a 1x1 convolution when the channel count changes), then ReLU.
    Convolutions are weight-normalised; batch normalisation is deliberately
    absent (batches are bucketed by length and can be tiny, and per-sample
    outputs must not depend on the batch).

    Parameters
    ----------
    in_channels, out_channels : int
        Channel counts.
    kernel_size : int
        Kernel size ``K``; the pad ``K - 1`` is split with the smaller half on
        the left when ``K`` is even.
    dropout : float
        Dropout probability after each convolution.
    mode : {"circular", "zeros"}
        Padding of the convolutions.

    References
    ----------
    .. [2] He et al. 2016, CVPR, 770.
    """

    def __init__(self, in_channels, out_channels, kernel_size, dropout, mode):
        super().__init__(in_channels, out_channels, kernel_size, dropout, mode, causal=False)


class ResidualConvNet(SequenceClassifier):
    """Residual blocks with down-sampling between them and a global-mean head.

    Use :class:`IResNet` or :class:`ResNet`; this base class holds what they share.

    Parameters
    ----------
    n_classes : int
        Number of classes (>= 2).
    n_channels : int, optional
        Input channels per position (default 2: phase gap and normalised
        magnitude of the phase-sorted folded segment).
    n_aux : int, optional
        Number of auxiliary inputs (default 3); 0 allowed.
    depth : int, optional
        Number of residual blocks ``D`` (>= 1); ``D - 1`` down-samplings.
    hidden : int, optional
        Channels of the first block; block ``n`` (1-based) has
        ``min(hidden * 2**(n-1), max_hidden)`` channels.
    max_hidden : int, optional
        Upper limit on the channel count (>= ``hidden``).
    kernel_size : int, optional
        Kernel size ``K`` (>= 2).
    dropout : float, optional
        Dropout probability inside the blocks, in ``[0, 1)``.
    pooling : {"aps", "max"}
        Down-sampling layer, see the module docstring.
    padding : {"circular", "zeros"}
        Set by the subclasses.

    Attributes
    ----------
    blocks : torch.nn.ModuleList of ResidualBlock
    downsamples : torch.nn.ModuleList
        ``D - 1`` down-sampling layers; ``downsamples[n]`` follows ``blocks[n]``.
    head : ConvHead
        Auxiliary concatenation and two 1x1 convolutions (hidden width = the
        last block's channel count).
    invariance_step : int or None
        Smallest cyclic shift (in positions) the output is guaranteed to be
        invariant to (for ``pooling="max"`` only when the input length is a
        multiple of it); None when not invariant (zero padding).
    hparams : dict
        Resolved keyword arguments; ``build_network(**hparams)`` rebuilds a
        network with the same architecture.

    References
    ----------
    .. [1] Zhang & Bloom 2020, arXiv:2011.01243, section 2.
    .. [3] Chaman & Dokmanic 2021, CVPR, 3773.
    """

    def __init__(self, n_classes, *, n_channels=2, n_aux=3, depth=4, hidden=16, max_hidden=64,
                 kernel_size=5, dropout=0.25, pooling, padding):
        super().__init__(n_classes, n_channels, n_aux)
        owner = type(self).__name__
        depth = check_number(depth, "depth", min_val=1, owner=owner)
        hidden = check_number(hidden, "hidden", min_val=1, owner=owner)
        max_hidden = check_number(max_hidden, "max_hidden", min_val=1, owner=owner)
        if max_hidden < hidden:
            raise ValueError(
                f"{owner}: max_hidden ({max_hidden}) must be >= hidden ({hidden})")
        kernel_size = check_number(kernel_size, "kernel_size", min_val=2, owner=owner)
        dropout = check_fraction(dropout, "dropout", owner=owner)
        pooling = validate_option(pooling, POOLINGS, "pooling", owner=owner)
        padding = validate_option(padding, PAD_MODES, "padding", owner=owner)
        if pooling == "aps" and padding != "circular":
            # APS is only shift-invariant on top of circular convolutions.
            raise ValueError(f"{owner}: pooling='aps' requires circular padding "
                             "(use the invariant 'iresnet' architecture)")

        self.padding = padding
        self.pooling = pooling
        widths = [min(hidden * 2 ** n, max_hidden) for n in range(depth)]
        self.blocks = nn.ModuleList(
            ResidualBlock(self.n_channels if n == 0 else widths[n - 1], widths[n], kernel_size,
                          dropout, padding)
            for n in range(depth))
        circular = padding == "circular"
        self.downsamples = nn.ModuleList(
            AdaptivePolyphaseDownsample() if pooling == "aps" else MaxPoolDownsample(circular)
            for _ in range(depth - 1))
        self.head = ConvHead(widths[-1], self.n_aux, widths[-1], self.n_classes)
        if not circular:
            self.invariance_step = None
        elif pooling == "aps":
            self.invariance_step = 1
        else:
            self.invariance_step = 2 ** (depth - 1)
        self.hparams = self._hparams(depth=depth, hidden=hidden, max_hidden=max_hidden,
                                     kernel_size=kernel_size, dropout=dropout, pooling=pooling)

    def feature_maps(self, x):
        """Output of the last residual block.

        Parameters
        ----------
        x : torch.Tensor, shape (B, n_channels, N)
            Folded segment(s), ``N >= 1``.

        Returns
        -------
        torch.Tensor, shape (B, C, M)
            ``C`` = last block's channels; ``M = ceil(N / 2**(depth-1))`` for
            max pooling; for APS, ``N`` is halved while it is even.
        """
        check_sequence(x, self.n_channels, type(self).__name__)
        return self._body(x)

    def _body(self, x):
        h = self.blocks[0](x)
        for down, block in zip(self.downsamples, self.blocks[1:]):
            h = block(down(h))
        return h

    def _logits(self, x, aux):
        # forward() has validated x and aux. The logits are the mean over
        # output positions of the per-position logits.
        return self.head(self._body(x), aux).mean(dim=-1)


class IResNet(ResidualConvNet):
    """Cyclic-permutation invariant ResNet (Zhang & Bloom 2020).

    Residual blocks with symmetry (circular) padding, down-sampling after each
    of the first ``depth - 1`` blocks, and a global mean over positions.

    Parameters
    ----------
    n_classes : int
        Number of classes (>= 2).
    pooling : {"aps", "max"}, optional
        ``"aps"`` (default): adaptive polyphase sampling; the output is exactly
        invariant to every cyclic shift. ``"max"``: the paper's max pooling
        (kernel 2, stride 2); invariant to shifts by multiples of
        ``2**(depth - 1)`` when the input length is divisible by it.
    **kwargs
        ``n_channels``, ``n_aux``, ``depth``, ``hidden``, ``max_hidden``,
        ``kernel_size``, ``dropout``; see :class:`ResidualConvNet`.

    Examples
    --------
    >>> import torch
    >>> net = IResNet(3, hidden=8, max_hidden=16).eval()
    >>> x, aux = torch.randn(2, 2, 50), torch.randn(2, 3)
    >>> torch.allclose(net(x, aux), net(torch.roll(x, 3, dims=-1), aux), atol=1e-5)
    True

    References
    ----------
    .. [1] Zhang & Bloom 2020, arXiv:2011.01243.
    .. [3] Chaman & Dokmanic 2021, CVPR, 3773.
    """

    architecture = "iresnet"

    def __init__(self, n_classes, *, pooling="aps", **kwargs):
        super().__init__(n_classes, pooling=pooling, padding="circular", **kwargs)


class ResNet(ResidualConvNet):
    """Ordinary (non-invariant) 1-D ResNet, the ablation baseline of the iResNet.

    Zero "same" padding and max pooling (kernel 2, stride 2; an odd last
    element is pooled alone); logits averaged over positions.

    Parameters
    ----------
    n_classes : int
        Number of classes (>= 2).
    pooling : {"max"}, optional
        Only max pooling; adaptive polyphase sampling is rejected because it
        buys nothing without circular padding.
    **kwargs
        See :class:`ResidualConvNet`.

    References
    ----------
    .. [1] Zhang & Bloom 2020, arXiv:2011.01243.
    .. [2] He et al. 2016, CVPR, 770.
    """

    architecture = "resnet"

    def __init__(self, n_classes, *, pooling="max", **kwargs):
        super().__init__(n_classes, pooling=pooling, padding="zeros", **kwargs)
