"""Recurrent baselines: GRU and LSTM classifiers of folded light curves.

These are the phase-space RNN baselines of Zhang & Bloom (2020, Table 1). A
recurrent network reads the sequence in one direction from a fixed starting
point, so it cannot be invariant to cyclic shifts (its "acyclic topology").

References
----------
.. [1] Zhang, K. & Bloom, J. S. 2020, arXiv:2011.01243 (full reference in
   :mod:`astro_cyclic.nn`).
.. [2] Cho, K. et al. 2014, "Learning Phrase Representations using RNN
   Encoder-Decoder for Statistical Machine Translation", EMNLP, 1724.
.. [3] Hochreiter, S. & Schmidhuber, J. 1997, "Long Short-Term Memory",
   Neural Computation, 9, 1735.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._base import SequenceClassifier
from .._validation import check_fraction, check_number, validate_option

__all__ = ["RecurrentClassifier", "GRUClassifier", "LSTMClassifier"]

_CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}


class RecurrentClassifier(SequenceClassifier):
    """Stacked GRU or LSTM over the sequence, then an MLP on (last state, aux).

    The top layer's last hidden state is concatenated with the auxiliary
    inputs and passed through ``Linear(hidden) -> ReLU -> Linear(n_classes)``.

    Parameters
    ----------
    n_classes : int
        Number of classes (>= 2).
    n_channels : int, optional
        Input channels per position (default 2: phase gap and normalised
        magnitude).
    n_aux : int, optional
        Number of auxiliary inputs (default 3); 0 allowed.
    depth : int, optional
        Number of stacked recurrent layers (>= 1).
    hidden : int, optional
        Hidden state size of every recurrent layer and of the MLP.
    dropout : float, optional
        Dropout probability in ``[0, 1)``, applied to the outputs of every
        recurrent layer: between layers (PyTorch's ``dropout`` argument) and
        on the top layer's last state before the MLP. The latter makes the
        setting meaningful for ``depth = 1`` too, where PyTorch's inter-layer
        dropout would silently do nothing. The paper found 0.15 best for
        both GRU and LSTM on all three datasets (its Appendix A).
    cell : {"gru", "lstm"}
        Set by the subclasses.

    References
    ----------
    .. [1] Zhang & Bloom 2020, arXiv:2011.01243, Table 1 and Appendix A.
    """

    head_layers = ("linear1", "linear2")

    def __init__(self, n_classes, *, n_channels=2, n_aux=3, depth=2, hidden=24, dropout=0.15,
                 cell):
        super().__init__(n_classes, n_channels, n_aux)
        owner = type(self).__name__
        depth = check_number(depth, "depth", min_val=1, owner=owner)
        hidden = check_number(hidden, "hidden", min_val=1, owner=owner)
        dropout = check_fraction(dropout, "dropout", owner=owner)
        cell = validate_option(cell, _CELLS, "cell", owner=owner)

        # PyTorch warns (and does nothing) for inter-layer dropout with one layer.
        self.rnn = _CELLS[cell](self.n_channels, hidden, num_layers=depth, batch_first=True,
                                dropout=dropout if depth > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.linear1 = nn.Linear(hidden + self.n_aux, hidden)
        self.linear2 = nn.Linear(hidden, self.n_classes)
        self.hparams = self._hparams(depth=depth, hidden=hidden, dropout=dropout)

    def _logits(self, x, aux):
        # forward() has validated x (same (B, n_channels, N) layout as the CNNs) and aux.
        _, state = self.rnn(x.transpose(1, 2))
        h_n = state[0] if isinstance(state, tuple) else state  # LSTM returns (h_n, c_n)
        last = self.dropout(h_n[-1])
        return self.linear2(F.relu(self.linear1(torch.cat([last, aux], dim=1))))


class GRUClassifier(RecurrentClassifier):
    """GRU baseline (Cho et al. 2014); see :class:`RecurrentClassifier`.

    Parameters
    ----------
    n_classes : int
        Number of classes (>= 2).
    **kwargs
        ``n_channels``, ``n_aux``, ``depth``, ``hidden``, ``dropout``.

    References
    ----------
    .. [2] Cho et al. 2014, EMNLP, 1724.
    """

    architecture = "gru"

    def __init__(self, n_classes, **kwargs):
        super().__init__(n_classes, cell="gru", **kwargs)


class LSTMClassifier(RecurrentClassifier):
    """LSTM baseline (Hochreiter & Schmidhuber 1997); see :class:`RecurrentClassifier`.

    Parameters
    ----------
    n_classes : int
        Number of classes (>= 2).
    **kwargs
        ``n_channels``, ``n_aux``, ``depth``, ``hidden``, ``dropout``.

    References
    ----------
    .. [3] Hochreiter & Schmidhuber 1997, Neural Computation, 9, 1735.
    """

    architecture = "lstm"

    def __init__(self, n_classes, **kwargs):
        super().__init__(n_classes, cell="lstm", **kwargs)
