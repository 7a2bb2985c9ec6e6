"""`RichardsForestClassifier`: the random-forest baseline on Richards et al. (2011) features.

Saved models hold the trees as plain arrays (each node's children, feature,
threshold, ... and each node's class values) in the package's model-file codec
(``_persistence.py``), not as a pickle: loading runs no code, and a file
written with one scikit-learn version loads with another, because the trees
are rebuilt through ``sklearn.tree._tree.Tree``'s documented state (the node
fields the running scikit-learn knows, a field it lacks left at zero). A forest
with :class:`~astro_cyclic.features.PretrainedFeatures` holds that network's
weights and configuration too (as a classifier's file does), so the file stands
alone.
"""

import copy

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.utils.validation import check_is_fitted

from ._classifier import LightCurveClassifierMixin
from ._persistence import jsonable, params_from_json, params_to_json, read_model_file, write_model_file
from ._threads import thread_limits
from .features import PretrainedFeatures, RichardsFeatures
from .lightcurves import _collection_items
from .prepare import periods_of, prepare_light_curves

__all__ = ["RichardsForestClassifier"]

_FILE_FORMAT = "astro_cyclic.RichardsForestClassifier"


class RichardsForestClassifier(LightCurveClassifierMixin, BaseEstimator):
    """Random forest on the Richards et al. (2011) features of raw light curves.

    The classical baseline for variable-star classification: each light curve
    becomes the features of :class:`~astro_cyclic.features.RichardsFeatures`
    (its catalogue period, or one found by ``period_search``), and a
    scikit-learn `~sklearn.ensemble.RandomForestClassifier` classifies them.
    It takes the same inputs as :class:`~astro_cyclic.CyclicClassifier`, so the
    two compare directly.

    ``extra_features`` adds columns beside the Richards features, for example
    :class:`~astro_cyclic.features.PretrainedFeatures`: what a network
    pretrained on a large simulated survey has learnt, which a few hundred
    labelled stars cannot teach and fine-tuning on them partly forgets.

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
    extra_features : transformer, optional
        A scikit-learn transformer of light curves whose output columns are
        appended to the Richards features, such as
        ``PretrainedFeatures("itcn-sim-asas-eros1")``. It is cloned and fitted
        on the training stars, and given the stars already prepared, so it
        sees the forest's periods; its ``min_points`` and ``n_jobs``, where
        it has them, are the forest's. A forest whose extra features are not
        :class:`~astro_cyclic.features.PretrainedFeatures` cannot be saved.
    random_state : int, optional
        Seeds the forest.
    n_jobs : int, optional
        Parallel jobs of the forest, and the BLAS (and torch) threads while the
        features are computed (in this process); ``None`` is one.

    Attributes
    ----------
    classes_ : ndarray
        The class labels, as given in ``y``.
    features_ : RichardsFeatures
        The fitted feature transformer.
    extra_features_ : transformer or None
        The fitted ``extra_features``.
    forest_ : sklearn.ensemble.RandomForestClassifier
        The fitted forest.
    feature_names_ : ndarray of str
        Names of the features (the Richards features, then the extra ones),
        aligned with ``feature_importances_``.
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
                 period_search=None, min_points=10, memory=None, extra_features=None, random_state=None,
                 n_jobs=None):
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.class_weight = class_weight
        self.period_search = period_search
        self.min_points = min_points
        self.memory = memory
        self.extra_features = extra_features
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
            self.extra_features_ = None
            if self.extra_features is not None:
                self.extra_features_ = self._with_forest_settings(clone(self.extra_features)).fit(stars)
            features = self._features(stars)
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
        self.feature_names_ = self._feature_names()
        return self

    def _with_forest_settings(self, transformer):
        """``transformer`` with the forest's cleaning and threads where it takes them: the stars it is given are
        prepared with the forest's ``min_points``, and the forest's ``n_jobs`` holds whenever it runs."""
        params = transformer.get_params(deep=False)
        settings = {name: getattr(self, name) for name in ("min_points", "n_jobs") if name in params}
        return transformer.set_params(**settings) if settings else transformer

    def _features(self, stars):
        """The forest's input columns for prepared stars: Richards features, then the extra ones."""
        features = self.features_.transform(stars)
        extra_features = getattr(self, "extra_features_", None)  # forests pickled before extra features had none
        if extra_features is None:
            return features
        # A shallow copy takes the forest's present n_jobs without changing the fitted transformer.
        extra = np.asarray(self._with_forest_settings(copy.copy(extra_features)).transform(stars), dtype=np.float64)
        if extra.ndim != 2 or extra.shape[0] != len(stars):
            raise ValueError(f"extra_features gave an array of shape {extra.shape} for {len(stars)} stars; "
                             "a transformer of light curves returns one row per star")
        return np.hstack([features, extra])

    def _feature_names(self):
        names = self.features_.get_feature_names_out()
        if self.extra_features_ is None:
            return names
        try:
            extra = self.extra_features_.get_feature_names_out()
        except AttributeError:  # a transformer that does not name its columns: numbered
            extra = [f"extra_{i}" for i in range(self.forest_.n_features_in_ - names.size)]
        return np.concatenate([names, np.asarray(extra, dtype=object)])

    @property
    def feature_importances_(self):
        """Impurity-based importance of each feature, aligned with ``feature_names_``."""
        check_is_fitted(self)
        return self.forest_.feature_importances_

    def predict_proba(self, X):
        """Class probabilities, shape (n_stars, n_classes); columns follow ``classes_``."""
        check_is_fitted(self)
        with thread_limits(self.n_jobs):
            stars = prepare_light_curves(X, period_search=self.period_search, min_points=self.min_points)
            return self.forest_.predict_proba(self._features(stars))

    def save(self, path, *, overwrite=False):
        """Write the fitted forest to ``path`` (no pickle; see the module notes).

        Parameters
        ----------
        path : str or path-like
        overwrite : bool
            Replace an existing file; without it an existing file is an error.

        Raises
        ------
        FileExistsError
        OSError
            Naming the file, when it cannot be written; an existing file is kept.
        """
        check_is_fitted(self)
        params = params_to_json(self.get_params(deep=False))
        params["memory"] = None  # a cache folder of this machine; it changes no result
        extra_tensors = {}
        if self.extra_features_ is not None:
            if not isinstance(self.extra_features_, PretrainedFeatures):
                raise ValueError(f"cannot save a forest whose extra_features is a "
                                 f"{type(self.extra_features_).__name__}; only PretrainedFeatures can be saved")
            network_config, state_dict = self.extra_features_.network_._to_config()
            extra_params = params_to_json(self.extra_features_.get_params(deep=False))
            params["extra_features"] = {"pretrained": extra_params, "bands": list(self.extra_features_.bands_),
                                        "network": network_config}
            extra_tensors = {f"extra_features.{name}": tensor for name, tensor in state_dict.items()}
        trees = [tree.tree_.__getstate__() for tree in self.forest_.estimators_]
        config = {"params": params, "classes": jsonable(self.classes_.tolist()),
                  "classes_dtype": self.classes_.dtype.str, "bands": list(self.features_.bands_),
                  "n_features": int(self.forest_.n_features_in_),
                  "node_fields": list(trees[0]["nodes"].dtype.names),
                  "node_counts": [int(t["node_count"]) for t in trees],
                  "max_depths": [int(t["max_depth"]) for t in trees]}
        nodes = np.concatenate([t["nodes"] for t in trees])
        tensors = {f"nodes.{field}": _tensor(nodes[field]) for field in config["node_fields"]}
        tensors["values"] = _tensor(np.concatenate([t["values"] for t in trees]))
        tensors["periods"] = _tensor(self.periods_)
        tensors |= extra_tensors
        write_model_file(path, format=_FILE_FORMAT, config=config, tensors=tensors, overwrite=overwrite)

    @classmethod
    def load(cls, path):
        """Read a forest written by :meth:`save`.

        Raises
        ------
        ValueError
            Naming the file, when it is not a complete astro_cyclic forest file,
            or its content does not match the checksum it was saved with.
        """
        config, tensors = read_model_file(path, format=_FILE_FORMAT)
        try:
            return cls._from_config(config, tensors)
        except (KeyError, TypeError, ValueError, IndexError, RuntimeError) as exc:
            raise ValueError(f"{path}: not a usable RichardsForestClassifier file "
                             f"({type(exc).__name__}: {exc})") from None

    @classmethod
    def _from_config(cls, config, tensors):
        from sklearn.tree import DecisionTreeClassifier
        from sklearn.tree._tree import NODE_DTYPE, Tree

        params = params_from_json(config["params"])
        extra = params.get("extra_features")
        if extra is not None:
            params["extra_features"] = PretrainedFeatures(**params_from_json(extra["pretrained"]))
        self = cls(**params)
        self.classes_ = np.asarray(config["classes"], dtype=np.dtype(config["classes_dtype"]))
        n_classes, n_features = self.classes_.size, int(config["n_features"])
        self.features_ = RichardsFeatures(self.period_search, min_points=self.min_points,
                                          bands=tuple(config["bands"])).fit([])
        self.extra_features_ = None
        n_given = self.features_.n_features_out_
        if extra is not None:
            self.extra_features_ = _pretrained_features(self.extra_features, extra, tensors)
            n_given += self.extra_features_.n_features_out_
        if n_given != n_features:
            raise ValueError(f"the file's trees take {n_features} features, its bands and extra features give "
                             f"{n_given}")
        values = tensors["values"].numpy()
        if not np.all(np.isfinite(values)):
            raise ValueError("the trees' class values are not finite")
        fields = {name: tensors[f"nodes.{name}"].numpy() for name in config["node_fields"]}
        self.forest_ = RandomForestClassifier(
            n_estimators=self.n_estimators, max_features=self.max_features, min_samples_leaf=self.min_samples_leaf,
            random_state=self.random_state, n_jobs=self.n_jobs)
        self.forest_.estimators_ = []
        start = 0
        for count, depth in zip(config["node_counts"], config["max_depths"]):
            nodes = np.zeros(count, dtype=NODE_DTYPE)
            for name in NODE_DTYPE.names:
                if name in fields:
                    nodes[name] = fields[name][start:start + count]
            tree = Tree(n_features, np.array([n_classes], dtype=np.intp), 1)
            tree.__setstate__({"max_depth": depth, "node_count": count, "nodes": nodes,
                               "values": np.ascontiguousarray(values[start:start + count])})
            estimator = DecisionTreeClassifier(max_features=self.max_features,
                                               min_samples_leaf=self.min_samples_leaf)
            estimator.tree_, estimator.n_outputs_, estimator.n_features_in_ = tree, 1, n_features
            estimator.classes_, estimator.n_classes_ = np.arange(n_classes), n_classes
            self.forest_.estimators_.append(estimator)
            start += count
        if start != values.shape[0]:
            raise ValueError(f"the node counts add up to {start}, the file holds {values.shape[0]} nodes")
        self.forest_.estimator_ = DecisionTreeClassifier()
        self.forest_.classes_, self.forest_.n_classes_ = np.arange(n_classes), n_classes
        self.forest_.n_outputs_, self.forest_.n_features_in_ = 1, n_features
        self.feature_names_ = self._feature_names()
        self.periods_ = tensors["periods"].numpy().astype(np.float64)
        return self


def _pretrained_features(unfitted, saved, tensors):
    """The fitted PretrainedFeatures of a forest file, from the network saved in it (not from its ``model``,
    which may name a file of another machine)."""
    from .estimators import CyclicClassifier

    prefix = "extra_features."
    state_dict = {name[len(prefix):]: tensor for name, tensor in tensors.items() if name.startswith(prefix)}
    features = clone(unfitted)
    features._check_params()
    features._set_network(CyclicClassifier._from_config(saved["network"], state_dict, "cpu"))
    features._set_bands(tuple(saved["bands"]))
    return features


def _tensor(array):
    import torch

    return torch.from_numpy(np.ascontiguousarray(array))
