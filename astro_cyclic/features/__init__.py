"""Hand-crafted light-curve features for classical machine-learning baselines.

:class:`RichardsFeatures` turns raw light curves into the features of Richards
et al. (2011, ApJ 733, 10), a scikit-learn transformer whose output feeds any
tabular classifier, such as the random forest of
:class:`astro_cyclic.forest.RichardsForestClassifier`; :class:`PretrainedFeatures`
gives the features a frozen pretrained network has learnt, for the same models.
"""

from .pretrained import PretrainedFeatures
from .richards import FEATURE_NAMES, RichardsFeatures, richards_features

__all__ = ["FEATURE_NAMES", "PretrainedFeatures", "RichardsFeatures", "richards_features"]
