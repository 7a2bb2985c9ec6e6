"""PyTorch networks for folded light curves: invariant CNNs and their baselines.

Six architectures, built by name with :func:`build_network`:

* ``"itcn"`` / ``"tcn"``: temporal convolutional networks with circular or
  zero padding (:class:`ITCN`, :class:`TCN`);
* ``"iresnet"`` / ``"resnet"``: residual CNNs with down-sampling
  (:class:`IResNet`, :class:`ResNet`);
* ``"gru"`` / ``"lstm"``: recurrent baselines.

Every network's ``forward(x, aux)`` takes ``x`` of shape (B, n_channels, N)
for any ``N >= 1`` -- channels (phase gap, normalised magnitude) of a
phase-sorted folded segment -- and ``aux`` of shape (B, n_aux), and returns
logits (B, n_classes). The invariant networks and their ablation baselines
are those of Zhang & Bloom (2020) [1]_.

References
----------
.. [1] Zhang, K. & Bloom, J. S. 2020, "Cyclic-Permutation Invariant Networks for
   Modeling Periodic Sequential Data: Application to Variable Star
   Classification", NeurIPS 2020 Workshop on Machine Learning and the Physical
   Sciences; arXiv:2011.01243.
"""

from .baselines import GRUClassifier, LSTMClassifier, RecurrentClassifier
from .iresnet import IResNet, ResidualConvNet, ResNet
from .itcn import ITCN, TCN, TemporalConvNet, default_depth, receptive_field
from .registry import ARCHITECTURES, NETWORK_PARAMS, build_network, network_params, validate_architecture

__all__ = [
    "ARCHITECTURES",
    "validate_architecture",
    "build_network",
    "network_params",
    "NETWORK_PARAMS",
    "ITCN",
    "TCN",
    "TemporalConvNet",
    "IResNet",
    "ResNet",
    "ResidualConvNet",
    "GRUClassifier",
    "LSTMClassifier",
    "RecurrentClassifier",
    "receptive_field",
    "default_depth",
]
