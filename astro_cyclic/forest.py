"""`RichardsForestClassifier`: the random-forest baseline on Richards et al. (2011) features."""

from sklearn.base import BaseEstimator
from sklearn.ensemble import RandomForestClassifier
from sklearn.utils.validation import check_is_fitted

from ._classifier import LightCurveClassifierMixin
from ._threads import thread_limits
from .features import RichardsFeatures
from .lightcurves import _collection_items
from .prepare import periods_of, prepare_light_curves

__all__ = ["RichardsForestClassifier"]


class RichardsForestClassifier(LightCurveClassifierMixin, BaseEstimator):
    """Random forest on the Richards et al. (2011) features of raw light curves.

    The classical baseline for variable-star classification: each light curve
    becomes the features of :class:`~astro_cyclic.features.RichardsFeatures`
    (its catalogue period, or one found by ``period_search``), and a
    scikit-learn `~sklearn.ensemble.RandomForestClassifier` classifies them.
    It takes the same inputs as :class:`~astro_cyclic.CyclicClassifier`, so the
    two compare directly.

    Parameters
    ----------
    n_estimators : int, default 500
        Trees in the forest.
    max_features : {"sqrt", "log2"}, int, float or None, default "sqrt"
        Features considered at each split.
    min_samples_leaf : int or float, default 1
        Fewest training stars in a leaf.
    class_weight : dict, "balanced", "balanced_subsample" or None
        Weights of the classes.
    period_search : PeriodSearch, optional
        How periods are found for light curves that carry none (default
        ``PeriodSearch()``).
    min_points : int, default 10
        Fewest usable points a light curve needs after cleaning.
    memory : str, path or joblib.Memory, optional
        Cache of the features (see :class:`~astro_cyclic.features.RichardsFeatures`).
    random_state : int, optional
        Seeds the forest.
    n_jobs : int, optional
        Parallel jobs of the forest, and the BLAS threads while the features
        are computed (in this process); ``None`` is one.

    Attributes
    ----------
    classes_ : ndarray
        The class labels, as given in ``y``.
    features_ : RichardsFeatures
        The fitted feature transformer.
    forest_ : sklearn.ensemble.RandomForestClassifier
        The fitted forest.
    feature_names_ : ndarray of str
        Names of the features, aligned with ``feature_importances_``.
    feature_importances_ : ndarray
        Impurity-based importance of each feature.
    periods_ : ndarray
        Period (days) of each training star. Prediction leaves the estimator
        unchanged (the periods of other stars come from
        :func:`~astro_cyclic.prepare_light_curves`).

    References
    ----------
    .. [1] Richards, J. W., Starr, D. L., Butler, N. R., et al. 2011, ApJ, 733, 10

    Examples
    --------
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> from astro_cyclic.forest import RichardsForestClassifier
    >>> data = make_periodic_variables(20, classes=["RRab", "EA"], random_state=0)
    >>> clf = RichardsForestClassifier(n_estimators=20, random_state=0)
    >>> clf.fit(data.light_curves, data.target).classes_
    array(['EA', 'RRab'], dtype='<U4')
    >>> clf.predict_proba(data.light_curves[:3]).shape
    (3, 2)
    """

    def __init__(self, n_estimators=500, *, max_features="sqrt", min_samples_leaf=1, class_weight=None,
                 period_search=None, min_points=10, memory=None, random_state=None, n_jobs=None):
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.class_weight = class_weight
        self.period_search = period_search
        self.min_points = min_points
        self.memory = memory
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y):
        """Compute the features of light curves ``X`` and grow the forest on labels ``y``.

        Parameters
        ----------
        X : list of light curves
            Any form accepted by :func:`astro_cyclic.as_light_curve`, of any lengths.
        y : array-like, shape (n_stars,)
            Class labels (strings or integers).

        Returns
        -------
        self
        """
        light_curves = _collection_items(X)
        y_idx = self._encode_labels(len(light_curves), y)
        with thread_limits(self.n_jobs):
            stars = prepare_light_curves(light_curves, period_search=self.period_search, min_points=self.min_points)
            # Fitted on the training stars: a multi-band forest learns their bands (its columns) here.
            self.features_ = RichardsFeatures(self.period_search, min_points=self.min_points,
                                              memory=self.memory).fit(stars)
            features = self.features_.transform(stars)
        self.periods_ = periods_of(stars)
        class_weight = self.class_weight
        if isinstance(class_weight, dict):
            # The forest sees class indices; translate the user's label-keyed weights.
            lookup = {label: i for i, label in enumerate(self.classes_.tolist())}
            class_weight = {lookup[k]: v for k, v in class_weight.items() if k in lookup}
        self.forest_ = RandomForestClassifier(
            n_estimators=self.n_estimators, max_features=self.max_features, min_samples_leaf=self.min_samples_leaf,
            class_weight=class_weight, random_state=self.random_state, n_jobs=self.n_jobs)
        self.forest_.fit(features, y_idx)
        self.feature_names_ = self.features_.get_feature_names_out()
        return self

    @property
    def feature_importances_(self):
        """Impurity-based importance of each feature, aligned with ``feature_names_``."""
        check_is_fitted(self)
        return self.forest_.feature_importances_

    def predict_proba(self, X):
        """Class probabilities, shape (n_stars, n_classes); columns follow ``classes_``."""
        check_is_fitted(self)
        with thread_limits(self.n_jobs):
            return self.forest_.predict_proba(self.features_.transform(X))
