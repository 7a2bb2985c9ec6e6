"""Recurrent baselines: GRU and LSTM classifiers of folded light curves.

These are the phase-space RNN baselines of Zhang & Bloom (2020, Table 1). A
recurrent network reads the sequence in one direction from a fixed starting
point, so it cannot be invariant to cyclic shifts (its "acyclic topology").

References
----------
.. [1] Zhang, K. & Bloom, J. S. 2020, "Cyclic-Permutation Invariant Networks for
   Modeling Periodic Sequential Data: Application to Variable Star
   Classification", NeurIPS 2020 Workshop on Machine Learning and the Physical
   Sciences; arXiv:2011.01243.
.. [2] Cho, K. et al. 2014, "Learning Phrase Representations using RNN
   Encoder-Decoder for Statistical Machine Translation", EMNLP, 1724.
.. [3] Hochreiter, S. & Schmidhuber, J. 1997, "Long Short-Term Memory",
   Neural Computation, 9, 1735.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_choice, check_dropout, check_int
from .layers import check_inputs

__all__ = ["RecurrentClassifier", "GRUClassifier", "LSTMClassifier"]

_CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}


class RecurrentClassifier(nn.Module):
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

    #: Registry name, set by subclasses.
    architecture = None

    def __init__(self, n_classes, *, n_channels=2, n_aux=3, depth=2, hidden=24, dropout=0.15,
                 cell):
        super().__init__()
        owner = type(self).__name__
        n_classes = check_int(n_classes, "n_classes", 2, owner)
        n_channels = check_int(n_channels, "n_channels", 1, owner)
        n_aux = check_int(n_aux, "n_aux", 0, owner)
        depth = check_int(depth, "depth", 1, owner)
        hidden = check_int(hidden, "hidden", 1, owner)
        dropout = check_dropout(dropout, owner)
        cell = check_choice(cell, "cell", _CELLS, owner)

        self.n_channels = n_channels
        self.n_aux = n_aux
        self.n_classes = n_classes
        # PyTorch warns (and does nothing) for inter-layer dropout with one layer.
        self.rnn = _CELLS[cell](n_channels, hidden, num_layers=depth, batch_first=True,
                                dropout=dropout if depth > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.linear1 = nn.Linear(hidden + n_aux, hidden)
        self.linear2 = nn.Linear(hidden, n_classes)
        self.hparams = dict(name=self.architecture, n_classes=n_classes, n_channels=n_channels,
                            n_aux=n_aux, depth=depth, hidden=hidden, dropout=dropout)

    def forward(self, x, aux):
        """Class logits.

        Parameters
        ----------
        x : torch.Tensor, shape (B, n_channels, N)
            Folded segment(s), any ``N >= 1`` (same layout as the CNNs).
        aux : torch.Tensor, shape (B, n_aux)
            Auxiliary inputs (None allowed when ``n_aux == 0``).

        Returns
        -------
        torch.Tensor, shape (B, n_classes)
            Unnormalised log-probabilities.
        """
        aux = check_inputs(x, aux, self.n_channels, self.n_aux, type(self).__name__)
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
