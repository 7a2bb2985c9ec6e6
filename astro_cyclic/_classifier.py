"""What every light-curve classifier of the package shares: labels in, labels out, honest scores."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_is_fitted, column_or_1d

__all__ = ["LightCurveClassifierMixin"]


class LightCurveClassifierMixin(ClassifierMixin):
    """Label handling, ``predict`` and ``score`` for classifiers of raw light curves.

    Subclasses implement ``fit`` (calling :meth:`_encode_labels`) and ``predict_proba``.
    """

    def _encode_labels(self, n_light_curves, y):
        """Set ``classes_`` from ``y`` and return each star's class index."""
        y = column_or_1d(np.asarray(y), warn=True)
        if y.size != n_light_curves:
            raise ValueError(f"X has {n_light_curves} light curves but y has {y.size} labels")
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(f"y has a single class ({self.classes_[0]!r}); a classifier needs at least two")
        return y_idx

    def predict(self, X):
        """Most probable class of each star, in the labels of ``y``."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Per-star accuracy. Labels never seen in ``fit`` are an error, not a silent miss."""
        check_is_fitted(self)
        unseen = np.setdiff1d(np.unique(np.asarray(y)), self.classes_)
        if unseen.size:
            raise ValueError(f"y has labels not seen during fit: {unseen.tolist()}; "
                             f"the classifier knows {self.classes_.tolist()}")
        return super().score(X, y, sample_weight=sample_weight)
