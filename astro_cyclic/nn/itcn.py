"""Temporal convolutional networks: the invariant iTCN and the ordinary TCN.

Both are stacks of the residual blocks of Bai et al. (2018): two dilated,
weight-normalised causal convolutions with dilation ``2**(n-1)`` in block
``n``. They differ only in the padding and in how the per-position logits are
reduced:

* :class:`ITCN` pads each convolution with the sequence itself (symmetry
  padding), so every layer is a circular convolution, and averages the logits
  over all positions -- the prediction is exactly invariant to the initial
  phase of the folded light curve (Zhang & Bloom 2020, section 2).
* :class:`TCN` pads with zeros and classifies from the last position only
  (the grey arrows of Fig. 2a of the paper exist only in the iTCN).

The two classes have identical parameters, so ``tcn.load_state_dict(
itcn.state_dict())`` works; with :meth:`TemporalConvNet.feature_maps` this
reproduces the paper's Fig. 1 (same weights, circular vs zero padding).

References
----------
.. [1] Zhang, K. & Bloom, J. S. 2020, arXiv:2011.01243 (full reference in
   :mod:`astro_cyclic.nn`).
.. [2] Bai, S., Kolter, J. Z. & Koltun, V. 2018, "An Empirical Evaluation of
   Generic Convolutional and Recurrent Networks for Sequence Modeling",
   arXiv:1803.01271.
"""

from torch import nn

from ._base import SequenceClassifier
from .._validation import check_fraction, check_number, validate_option
from .layers import PAD_MODES, ConvHead, _ConvResidualBlock, check_sequence

__all__ = ["receptive_field", "default_depth", "TemporalBlock", "TemporalConvNet", "ITCN", "TCN"]


def receptive_field(kernel_size, depth):
    """Receptive field ``L = (K - 1) * (2**(D + 1) - 2)`` of a (i)TCN, in positions.

    Each of the ``D`` residual blocks holds two convolutions of dilation
    ``2**(n-1)``, each of which widens the field by ``(K - 1) * 2**(n-1)``:
    ``L = (K - 1) * sum_n 2 * 2**(n-1)`` (Zhang & Bloom 2020, section 2). The
    output at one position depends on that position and the ``L`` before it.

    Parameters
    ----------
    kernel_size : int
        Convolution kernel size ``K`` (>= 1).
    depth : int
        Number of residual blocks ``D`` (>= 1).

    Returns
    -------
    int
        The receptive field ``L``, in sequence positions (phase-sorted points).

    Examples
    --------
    >>> receptive_field(5, 5)
    248
    >>> receptive_field(2, 4)  # the network of the paper's Fig. 1
    30
    """
    kernel_size = check_number(kernel_size, "kernel_size", min_val=1, owner="receptive_field")
    depth = check_number(depth, "depth", min_val=1, owner="receptive_field")
    return (kernel_size - 1) * (2 ** (depth + 1) - 2)


def default_depth(kernel_size, segment_length):
    """Smallest depth whose receptive field exceeds the segment length.

    The paper requires ``L > segment_length`` "such that each feature vector
    in the output layer has complete information over the input sequence".
    (Strictly, ``L >= segment_length - 1`` would already suffice, since the
    output position itself is not counted in ``L``; we keep the paper's
    criterion.)

    Parameters
    ----------
    kernel_size : int
        Convolution kernel size ``K`` (>= 2; with ``K = 1`` the field never grows).
    segment_length : int
        Number of points per folded segment the network is meant for (>= 1).

    Returns
    -------
    int
        Smallest ``D >= 1`` with ``(K - 1) * (2**(D + 1) - 2) > segment_length``.

    Examples
    --------
    >>> default_depth(5, 200)   # 4 * 62 = 248 > 200, while 4 * 30 = 120 is not
    5
    >>> default_depth(2, 200)   # 1 * 254 > 200
    7
    """
    kernel_size = check_number(kernel_size, "kernel_size", min_val=2, owner="default_depth")
    segment_length = check_number(segment_length, "segment_length", min_val=1, owner="default_depth")
    depth = 1
    while receptive_field(kernel_size, depth) <= segment_length:
        depth += 1
    return depth


class TemporalBlock(_ConvResidualBlock):
    """Residual block of the TCN (Bai et al. 2018, Fig. 1b).

    ``conv(d) -> ReLU -> dropout -> conv(d) -> ReLU -> dropout``, added to the
    input (through a 1x1 convolution when the channel count changes), then
    ReLU. Both convolutions are causal and weight-normalised.

    Parameters
    ----------
    in_channels, out_channels : int
        Channel counts.
    kernel_size : int
        Kernel size ``K``.
    dilation : int
        Dilation ``d``; each convolution is padded by ``(K - 1) * d`` on the left.
    dropout : float
        Dropout probability after each convolution.
    mode : {"circular", "zeros"}
        Padding of the convolutions.

    References
    ----------
    .. [2] Bai, Kolter & Koltun 2018, arXiv:1803.01271.
    """

    def __init__(self, in_channels, out_channels, kernel_size, dilation, dropout, mode):
        super().__init__(in_channels, out_channels, kernel_size, dropout, mode, dilation=dilation,
                         causal=True)


class TemporalConvNet(SequenceClassifier):
    """Stack of dilated residual blocks with a per-position classification head.

    Use :class:`ITCN` (circular padding, mean over positions) or :class:`TCN`
    (zero padding, last position); this base class holds everything they share.

    Parameters
    ----------
    n_classes : int
        Number of classes (>= 2).
    n_channels : int, optional
        Input channels per position; by default 2: phase gap ``dphase`` and
        normalised magnitude of the phase-sorted folded segment.
    n_aux : int, optional
        Number of auxiliary inputs (default 3: standardised segment mean,
        standard deviation and log10 period); 0 allowed.
    segment_length : int, optional
        Segment length (points) the network is designed for; only used to
        choose the default ``depth``. Inputs of any length ``N >= 1`` work.
    depth : int or None, optional
        Number of residual blocks ``D``. None: :func:`default_depth`, the
        smallest depth whose receptive field exceeds ``segment_length``.
    hidden : int, optional
        Channels of every block and of the head's hidden layer.
    kernel_size : int, optional
        Kernel size ``K`` (>= 2).
    dropout : float, optional
        Dropout probability inside the blocks, in ``[0, 1)``. The paper found
        0 best on its large training sets; 0.25 is better on small ones (see
        :func:`~astro_cyclic.nn.build_network`).
    padding : {"circular", "zeros"}
        Set by the subclasses.

    Attributes
    ----------
    blocks : torch.nn.ModuleList of TemporalBlock
        Block ``n`` (1-based) has dilation ``2**(n-1)``.
    head : ConvHead
        Auxiliary concatenation and two 1x1 convolutions.
    receptive_field : int
        ``(K - 1) * (2**(D + 1) - 2)``, in positions.
    hparams : dict
        Resolved keyword arguments; ``build_network(**hparams)`` rebuilds a
        network with the same architecture (and parameter shapes).

    References
    ----------
    .. [1] Zhang & Bloom 2020, arXiv:2011.01243, section 2 and Fig. 2.
    .. [2] Bai, Kolter & Koltun 2018, arXiv:1803.01271.
    """

    def __init__(self, n_classes, *, n_channels=2, n_aux=3, segment_length=200, depth=None,
                 hidden=24, kernel_size=5, dropout=0.25, padding):
        super().__init__(n_classes, n_channels, n_aux)
        owner = type(self).__name__
        segment_length = check_number(segment_length, "segment_length", min_val=1, owner=owner)
        hidden = check_number(hidden, "hidden", min_val=1, owner=owner)
        kernel_size = check_number(kernel_size, "kernel_size", min_val=2, owner=owner)
        dropout = check_fraction(dropout, "dropout", owner=owner)
        if depth is None:
            depth = default_depth(kernel_size, segment_length)
        depth = check_number(depth, "depth", min_val=1, owner=owner)

        self.padding = validate_option(padding, PAD_MODES, "padding", owner=owner)
        self.receptive_field = receptive_field(kernel_size, depth)
        self.blocks = nn.ModuleList(
            TemporalBlock(self.n_channels if n == 0 else hidden, hidden, kernel_size, 2 ** n,
                          dropout, padding)
            for n in range(depth))
        self.head = ConvHead(hidden, self.n_aux, hidden, self.n_classes)
        self.hparams = self._hparams(segment_length=segment_length, depth=depth, hidden=hidden,
                                     kernel_size=kernel_size, dropout=dropout)

    def feature_maps(self, x):
        """Output of the last residual block at every position.

        Parameters
        ----------
        x : torch.Tensor, shape (B, n_channels, N)
            Folded segment(s), ``N >= 1``.

        Returns
        -------
        torch.Tensor, shape (B, hidden, N)
            Feature maps. For the iTCN they are equivariant (a cyclic shift of
            ``x`` shifts them); for the TCN the first ``receptive_field``
            positions are distorted by the zero padding (paper's Fig. 1).
        """
        check_sequence(x, self.n_channels, type(self).__name__)
        return self._body(x)

    def _body(self, x):
        # forward() validates once and calls this directly.
        h = x
        for block in self.blocks:
            h = block(h)
        return h

    def _logits(self, x, aux):
        # forward() has validated x and aux.
        h = self._body(x)
        if self.padding == "circular":
            # Averaging the predictions made for every initial phase is what
            # turns the equivariant feature map into an invariant output.
            return self.head(h, aux).mean(dim=-1)
        # The causal TCN's last position is the only one that has seen the
        # whole sequence (when N <= receptive_field + 1).
        return self.head(h[..., -1:], aux)[..., 0]


class ITCN(TemporalConvNet):
    """Cyclic-permutation invariant TCN (Zhang & Bloom 2020).

    Dilated residual blocks with symmetry (circular) padding; the per-position
    logits are averaged over all positions, so the output is exactly invariant
    to any cyclic shift ``torch.roll(x, s, dims=-1)`` of the input, for any
    length ``N >= 1`` (also when ``N`` is shorter than the pads: the padding
    wraps round the ring as often as needed).

    Parameters
    ----------
    n_classes : int
        Number of classes (>= 2).
    **kwargs
        ``n_channels``, ``n_aux``, ``segment_length``, ``depth``, ``hidden``,
        ``kernel_size``, ``dropout``; see :class:`TemporalConvNet`.

    Examples
    --------
    >>> import torch
    >>> net = ITCN(4, hidden=8).eval()
    >>> x, aux = torch.randn(2, 2, 50), torch.randn(2, 3)
    >>> torch.allclose(net(x, aux), net(torch.roll(x, 7, dims=-1), aux), atol=1e-5)
    True

    References
    ----------
    .. [1] Zhang & Bloom 2020, arXiv:2011.01243.
    """

    architecture = "itcn"

    def __init__(self, n_classes, **kwargs):
        super().__init__(n_classes, padding="circular", **kwargs)


class TCN(TemporalConvNet):
    """Ordinary (non-invariant) TCN, the ablation baseline of the iTCN.

    Same parameters as :class:`ITCN` (a state dict of one loads into the
    other), but causal zero padding and classification from the last position.

    Parameters
    ----------
    n_classes : int
        Number of classes (>= 2).
    **kwargs
        See :class:`TemporalConvNet`.

    References
    ----------
    .. [1] Zhang & Bloom 2020, arXiv:2011.01243.
    .. [2] Bai, Kolter & Koltun 2018, arXiv:1803.01271.
    """

    architecture = "tcn"

    def __init__(self, n_classes, **kwargs):
        super().__init__(n_classes, padding="zeros", **kwargs)
