"""Name-based construction of every network in :mod:`astro_cyclic.nn`.

Other parts of the package (training, command line, saved models) refer to
networks by name; :func:`build_network` turns a name and hyper-parameters
into a module, applying each architecture's defaults and refusing
hyper-parameters the architecture would silently ignore.

References
----------
.. [1] Zhang, K. & Bloom, J. S. 2020, "Cyclic-Permutation Invariant Networks for
   Modeling Periodic Sequential Data: Application to Variable Star
   Classification", NeurIPS 2020 Workshop on Machine Learning and the Physical
   Sciences; arXiv:2011.01243 (architectures: section 2; defaults: Appendix A).
"""

from .._validation import check_number, validate_option
from .baselines import GRUClassifier, LSTMClassifier
from .iresnet import IResNet, ResNet
from .itcn import ITCN, TCN

__all__ = ["ARCHITECTURES", "validate_architecture", "build_network"]

#: Architecture name -> network class (called as ``cls(n_classes, **hyper)``).
ARCHITECTURES = {
    "itcn": ITCN,
    "tcn": TCN,
    "iresnet": IResNet,
    "resnet": ResNet,
    "gru": GRUClassifier,
    "lstm": LSTMClassifier,
}

# Optional hyper-parameters each architecture uses; any other one must be None.
_USES = {
    "itcn": ("depth", "hidden", "kernel_size", "dropout"),
    "tcn": ("depth", "hidden", "kernel_size", "dropout"),
    "iresnet": ("depth", "hidden", "kernel_size", "dropout", "max_hidden", "pooling"),
    "resnet": ("depth", "hidden", "kernel_size", "dropout", "max_hidden", "pooling"),
    "gru": ("depth", "hidden", "dropout"),
    "lstm": ("depth", "hidden", "dropout"),
}
# Only the TCNs size themselves from the segment length (default depth).
_USES_SEGMENT_LENGTH = ("itcn", "tcn")


def validate_architecture(name):
    """Return the canonical (lower-case) architecture name.

    Parameters
    ----------
    name : str
        Architecture name, case-insensitive: one of ``"gru"``, ``"iresnet"``,
        ``"itcn"``, ``"lstm"``, ``"resnet"``, ``"tcn"``.

    Returns
    -------
    str
        The lower-cased name.

    Raises
    ------
    ValueError
        If ``name`` is not a string or not a known architecture; the message
        lists the valid names.

    Examples
    --------
    >>> validate_architecture("iTCN")
    'itcn'
    """
    return validate_option(name, ARCHITECTURES, "architecture")


def build_network(name, *, n_classes, n_channels=2, n_aux=3, segment_length=200, depth=None,
                  hidden=None, kernel_size=None, dropout=None, max_hidden=None, pooling=None):
    """Build a classifier network by architecture name.

    ``None`` for a hyper-parameter means "the architecture's default". A
    hyper-parameter the architecture does not use must be left as None.

    ==========  =====================================================  ==========================
    name        defaults                                               not used (must be None)
    ==========  =====================================================  ==========================
    itcn, tcn   kernel_size 5, hidden 24, dropout 0.25, depth: the     max_hidden, pooling
                smallest D with ``(K-1)(2**(D+1)-2)`` above
                segment_length (5 for K=5, L=200)
    iresnet     depth 4, hidden 16, max_hidden 64, kernel_size 5,      --
                dropout 0.25, pooling "aps" ("max": the paper's
                variant)
    resnet      as iresnet, pooling "max" (the only choice)            --
    gru, lstm   depth 2, hidden 24, dropout 0.15                       kernel_size, max_hidden,
                                                                       pooling
    ==========  =====================================================  ==========================

    The paper found no dropout best for its CNNs on 10^5-star training sets.
    Survey sets are often far smaller: on EROS-1 (about 1,700 training stars)
    dropout 0.25 raised the iTCN's per-star validation accuracy from 88.0% to
    91.8%, so the CNNs default to it; pass ``dropout=0`` for the paper's setting.

    Parameters
    ----------
    name : str
        Architecture name (case-insensitive), a key of :data:`ARCHITECTURES`.
    n_classes : int
        Number of classes (>= 2).
    n_channels : int, optional
        Input channels per position (default 2: phase gap, normalised magnitude).
    n_aux : int, optional
        Number of auxiliary inputs (default 3: standardised segment mean, std,
        log10 period); 0 allowed.
    segment_length : int, optional
        Points per folded segment (>= 1). Sets the default (i)TCN depth; the
        networks accept any sequence length ``N >= 1`` regardless.
    depth : int, optional
        Residual blocks (CNNs) or stacked recurrent layers (RNNs), >= 1.
    hidden : int, optional
        Hidden channels / state size (>= 1); initial width for (i)ResNet.
    kernel_size : int, optional
        Convolution kernel size (>= 2); CNNs only.
    dropout : float, optional
        Dropout probability in ``[0, 1)``.
    max_hidden : int, optional
        Maximum width of the (i)ResNet (>= ``hidden``).
    pooling : {"aps", "max"}, optional
        (i)ResNet down-sampling.

    Returns
    -------
    torch.nn.Module
        The network; ``forward(x, aux)`` maps x (B, n_channels, N) and aux
        (B, n_aux) to logits (B, n_classes). Its ``hparams`` attribute holds
        the resolved arguments, so ``build_network(**net.hparams)`` rebuilds it.

    Raises
    ------
    ValueError
        Unknown architecture, a hyper-parameter the architecture does not use,
        or an out-of-range value (the message names the parameter).

    References
    ----------
    .. [1] Zhang & Bloom 2020, arXiv:2011.01243.

    Examples
    --------
    >>> net = build_network("itcn", n_classes=5)
    >>> net.hparams["depth"], net.receptive_field
    (5, 248)
    """
    arch = validate_architecture(name)
    segment_length = check_number(segment_length, "segment_length", min_val=1, owner=f"build_network({arch!r})")
    optional = dict(depth=depth, hidden=hidden, kernel_size=kernel_size, dropout=dropout,
                    max_hidden=max_hidden, pooling=pooling)
    unused = [key for key, value in optional.items()
              if value is not None and key not in _USES[arch]]
    if unused:
        raise ValueError(
            f"build_network: architecture {arch!r} does not use {', '.join(unused)}; "
            f"leave {'it' if len(unused) == 1 else 'them'} as None "
            f"(it uses: {', '.join(_USES[arch])})")
    kwargs = {key: value for key, value in optional.items() if value is not None}
    if arch in _USES_SEGMENT_LENGTH:
        kwargs["segment_length"] = segment_length
    return ARCHITECTURES[arch](n_classes, n_channels=n_channels, n_aux=n_aux, **kwargs)
