"""Name-based construction of every network in :mod:`astro_cyclic.nn`.

Other parts of the package (training, command line, saved models) refer to
networks by name; :func:`build_network` turns a name and hyper-parameters
into a module, applying each architecture's defaults and refusing
hyper-parameters the architecture would silently ignore.

Each network class is the one place its hyper-parameters are declared: they
are the keyword arguments with defaults of its ``__init__`` (and of its base
classes'), read by :func:`network_params`. :class:`~astro_cyclic.CyclicClassifier`
takes them as ``module__<name>``, as skorch does.

References
----------
.. [1] Zhang, K. & Bloom, J. S. 2020, "Cyclic-Permutation Invariant Networks for
   Modeling Periodic Sequential Data: Application to Variable Star
   Classification", NeurIPS 2020 Workshop on Machine Learning and the Physical
   Sciences; arXiv:2011.01243 (architectures: section 2; defaults: Appendix A).
"""

import inspect

from .._validation import check_number, validate_option
from ._base import SequenceClassifier
from .baselines import GRUClassifier, LSTMClassifier
from .iresnet import IResNet, ResNet
from .itcn import ITCN, TCN

__all__ = ["ARCHITECTURES", "NETWORK_PARAMS", "build_network", "check_network_params", "network_params",
           "validate_architecture"]

#: Architecture name -> network class (called as ``cls(n_classes, **hyper)``).
ARCHITECTURES = {
    "itcn": ITCN,
    "tcn": TCN,
    "iresnet": IResNet,
    "resnet": ResNet,
    "gru": GRUClassifier,
    "lstm": LSTMClassifier,
}

# Keyword arguments of the network classes that the caller's data fixes, not hyper-parameters.
_SIZES = ("n_channels", "n_aux", "segment_length")


def _keyword_defaults(cls):
    """Keyword arguments with a default of ``cls.__init__`` and its bases' up to SequenceClassifier.

    An argument without a default (``padding``, ``cell``) is fixed by the
    concrete class, so it is no hyper-parameter; the first class to declare
    a name wins (ResNet's ``pooling="max"`` over its base's).
    """
    found = {}
    for klass in cls.__mro__:
        if klass is SequenceClassifier:
            break
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for param in inspect.signature(init).parameters.values():
            if param.kind is param.KEYWORD_ONLY and param.default is not param.empty:
                found.setdefault(param.name, param.default)
    return found


def network_params(name):
    """The hyper-parameters of an architecture, read from its class.

    Parameters
    ----------
    name : str
        Architecture name (case-insensitive), a key of :data:`ARCHITECTURES`.

    Returns
    -------
    tuple of str
        Keyword arguments of the network class a user may set (not the sizes
        ``n_channels``, ``n_aux`` and ``segment_length``, which the data fix).

    Examples
    --------
    >>> network_params("gru")
    ('depth', 'hidden', 'dropout')
    """
    defaults = _keyword_defaults(ARCHITECTURES[validate_architecture(name)])
    return tuple(key for key in defaults if key not in _SIZES)


#: Every architecture's hyper-parameters, each name once: what ``module__<name>`` may be.
NETWORK_PARAMS = tuple(dict.fromkeys(key for cls in ARCHITECTURES.values() for key in _keyword_defaults(cls)
                                     if key not in _SIZES))


def check_network_params(name, params, *, prefix=""):
    """The hyper-parameters ``params`` that ``name`` uses, checked; None values mean "the default".

    Parameters
    ----------
    name : str
        Architecture name.
    params : dict
        Hyper-parameter name -> value.
    prefix : str, optional
        How the caller spells the names (``"module__"`` for the estimator),
        used in the error message.

    Returns
    -------
    dict
        The items of ``params`` whose value is not None.

    Raises
    ------
    ValueError
        For a name that no architecture has, or one that ``name`` does not use
        (it would be silently ignored); the message lists the valid names.
    """
    arch = validate_architecture(name)
    uses = network_params(arch)
    unknown = [key for key in params if key not in NETWORK_PARAMS]
    if unknown:
        raise ValueError(f"unknown network hyper-parameter(s) {', '.join(prefix + k for k in unknown)}; "
                         f"the networks have: {', '.join(prefix + k for k in NETWORK_PARAMS)}")
    unused = [key for key, value in params.items() if value is not None and key not in uses]
    if unused:
        raise ValueError(
            f"architecture {arch!r} does not use {', '.join(prefix + k for k in unused)}; "
            f"leave {'it' if len(unused) == 1 else 'them'} unset "
            f"(it uses: {', '.join(prefix + k for k in uses)})")
    return {key: value for key, value in params.items() if value is not None}


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


def build_network(name, *, n_classes, n_channels=2, n_aux=3, segment_length=200, **hyper):
    """Build a classifier network by architecture name.

    A hyper-parameter left out, or None, takes the architecture's default. A
    hyper-parameter the architecture does not use must be left out (or None).

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
    **hyper
        The architecture's hyper-parameters (:func:`network_params`), checked
        by the network class:

        - ``depth`` (int >= 1): residual blocks (CNNs) or stacked recurrent
          layers (RNNs);
        - ``hidden`` (int >= 1): hidden channels or state size; the initial
          width of the (i)ResNet;
        - ``kernel_size`` (int >= 2): convolution kernel size, CNNs only;
        - ``dropout`` (float in ``[0, 1)``);
        - ``max_hidden`` (int >= ``hidden``): maximum width of the (i)ResNet;
        - ``pooling`` (``"aps"`` or ``"max"``): (i)ResNet down-sampling.

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
    try:
        kwargs = check_network_params(arch, hyper)
    except ValueError as exc:
        raise ValueError(f"build_network: {exc}") from None
    if "segment_length" in _keyword_defaults(ARCHITECTURES[arch]):  # the TCNs size their default depth by it
        kwargs["segment_length"] = segment_length
    return ARCHITECTURES[arch](n_classes, n_channels=n_channels, n_aux=n_aux, **kwargs)
