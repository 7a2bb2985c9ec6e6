"""Base class holding the interface shared by every network in :mod:`astro_cyclic.nn`.

Every classifier maps a batch of folded segments ``x`` (B, n_channels, N) and
auxiliary inputs ``aux`` (B, n_aux) to logits (B, n_classes). The base class
checks and stores those three sizes, validates ``(x, aux)`` in
:meth:`SequenceClassifier.forward` and builds the common part of ``hparams``;
the subclasses only build their layers and compute the logits.
"""

from torch import nn

from .._validation import check_number
from .layers import check_inputs

__all__ = ["SequenceClassifier"]


class SequenceClassifier(nn.Module):
    """Base of the networks: checked sizes, validated ``forward(x, aux)``, ``hparams``.

    Subclasses set :attr:`architecture` and implement ``_logits(x, aux)``,
    which receives inputs already validated by :func:`~.layers.check_inputs`
    (``aux`` is an empty (B, 0) tensor when ``n_aux == 0`` and None was given).

    Parameters
    ----------
    n_classes : int
        Number of classes (>= 2).
    n_channels : int
        Input channels per position (>= 1).
    n_aux : int
        Number of auxiliary inputs (>= 0).

    Attributes
    ----------
    n_classes, n_channels, n_aux : int
        The checked sizes.

    Raises
    ------
    ValueError
        If a size is not an integer in range; the message names the parameter
        and the subclass.
    """

    #: Registry name, set by subclasses.
    architecture = None
    #: Sub-modules that map the body's features (and the auxiliary inputs) to logits: what
    #: ``CyclicClassifier(fine_tune="head")`` trains; the last one's output is the logits, so it is
    #: the layer a new set of classes replaces.
    head_layers = ("head.conv1", "head.conv2")

    def __init__(self, n_classes, n_channels, n_aux):
        super().__init__()
        owner = type(self).__name__
        self.n_classes = check_number(n_classes, "n_classes", min_val=2, owner=owner)
        self.n_channels = check_number(n_channels, "n_channels", min_val=1, owner=owner)
        self.n_aux = check_number(n_aux, "n_aux", min_val=0, owner=owner)

    def _hparams(self, **specific):
        """``dict(name=architecture, n_classes, n_channels, n_aux, **specific)``."""
        return dict(name=self.architecture, n_classes=self.n_classes,
                    n_channels=self.n_channels, n_aux=self.n_aux, **specific)

    def forward(self, x, aux):
        """Class logits.

        Parameters
        ----------
        x : torch.Tensor, shape (B, n_channels, N)
            Folded segment(s), any ``N >= 1``.
        aux : torch.Tensor, shape (B, n_aux)
            Auxiliary inputs (None allowed when ``n_aux == 0``).

        Returns
        -------
        torch.Tensor, shape (B, n_classes)
            Unnormalised log-probabilities.

        Raises
        ------
        ValueError
            If ``x`` or ``aux`` does not have the shape the network was built for.
        """
        aux = check_inputs(x, aux, self.n_channels, self.n_aux, type(self).__name__)
        return self._logits(x, aux)

    def _logits(self, x, aux):
        raise NotImplementedError
