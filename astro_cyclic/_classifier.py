"""What every light-curve classifier of the package shares: labels in, labels out, honest scores."""

import numbers

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
        y = column_or_1d(_check_labels(y), warn=True)
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

    def predict_table(self, X):
        """Predictions for light curves ``X`` as an astropy Table, one row per star.

        Parameters
        ----------
        X : list of light curves
            Any form accepted by :func:`astro_cyclic.as_light_curve`, or prepared stars.

        Returns
        -------
        astropy.table.Table
            Columns ``star_id``, ``n_points`` (after cleaning), ``period``
            (days, with its unit), ``period_source`` (``"catalogue"``,
            ``"table"`` or ``"search"``), ``period_flags`` (for a searched
            period, the flags of :meth:`~astro_cyclic.PeriodSearch.candidates`,
            e.g. ``"chosen,doubled"`` or ``"chosen,daily"``; empty otherwise;
            finding them searches those stars' periods once more),
            ``predicted_class`` and one ``proba_<class>`` column per class of
            ``classes_``;
            ``meta`` records the estimator, its parameters, the classes and
            the astro_cyclic version. This is the table ``astro-cyclic
            predict`` writes (with the file of each star).

        Examples
        --------
        >>> from astro_cyclic import RichardsForestClassifier
        >>> from astro_cyclic.datasets import make_periodic_variables
        >>> data = make_periodic_variables(20, classes=["RRab", "EA"], random_state=0)
        >>> clf = RichardsForestClassifier(n_estimators=20, random_state=0).fit(data.light_curves, data.target)
        >>> table = clf.predict_table(data.light_curves[:2])
        >>> table.colnames  # doctest: +NORMALIZE_WHITESPACE
        ['star_id', 'n_points', 'period', 'period_source', 'period_flags', 'predicted_class', 'proba_EA',
         'proba_RRab']
        >>> str(table["period"].unit)
        'd'
        """
        from .prepare import prepare_light_curves

        check_is_fitted(self)
        stars = prepare_light_curves(X, period_search=self.period_search, min_points=self.min_points)
        return prediction_table(stars, self, self.predict_proba(stars))

    def score(self, X, y, sample_weight=None):
        """Per-star accuracy. Labels never seen in ``fit`` are an error, not a silent miss."""
        check_is_fitted(self)
        unseen = np.setdiff1d(np.unique(_check_labels(y)), self.classes_)
        if unseen.size:
            raise ValueError(f"y has labels not seen during fit: {unseen.tolist()}; "
                             f"the classifier knows {self.classes_.tolist()}")
        return super().score(X, y, sample_weight=sample_weight)


def _check_labels(y):
    """``y`` as an array, or a ValueError naming what is wrong with the labels.

    numpy would make a NaN label a class of its own, turn ``['EA', 1]`` into
    the strings ``'EA'`` and ``'1'``, and fail inside ``np.unique`` on a
    ``None`` among strings; each is said here instead, with the position.
    """
    values = np.asarray(y, dtype=object).ravel().tolist()
    missing = [i for i, v in enumerate(values) if v is None or (isinstance(v, numbers.Real) and v != v)]  # NaN
    if missing:
        raise ValueError(f"y has {len(missing)} missing labels (None or NaN), the first at position {missing[0]}; "
                         "give every star a class, or leave the unlabelled stars out")
    first = {}
    for v in values:
        first.setdefault(_label_kind(v), v)
    if len(first) > 1:
        raise ValueError(f"y mixes label types ({', '.join(f'{kind} {v!r}' for kind, v in first.items())}); give "
                         "every label as one type (all strings, or all numbers)")
    return np.asarray(y)


def _label_kind(value):
    if isinstance(value, (str, bytes)):
        return "string"
    return "number" if isinstance(value, numbers.Number) else type(value).__name__


def star_table(stars):
    """``star_id``, ``n_points``, ``period`` (days) and ``period_source`` of prepared ``stars``."""
    from astropy import units as u
    from astropy.table import Table

    return Table({"star_id": [str(star.star_id) for star in stars],
                  "n_points": np.array([len(star) for star in stars], dtype=int),
                  "period": np.array([star.period for star in stars], dtype=float) * u.day,
                  "period_source": [star.period_source for star in stars]})


def prediction_table(stars, estimator, proba):
    """The per-star prediction table of prepared ``stars`` by the fitted ``estimator`` (see ``predict_table``)."""
    from . import __version__
    from .period import PeriodSearch

    search = estimator.period_search or PeriodSearch()
    classes = np.asarray(estimator.classes_)
    table = star_table(stars)
    table["period_flags"] = [search.candidates(star.light_curve.with_period(None))["flags"][0]
                             if star.period_source == "search" else "" for star in stars]
    table["predicted_class"] = [str(v) for v in classes[np.argmax(proba, axis=1)]]
    for j, label in enumerate(classes.tolist()):
        table[f"proba_{label}"] = proba[:, j]
    table.meta.update({"model": type(estimator).__name__,
                       "params": {name: repr(value) for name, value in estimator.get_params(deep=False).items()},
                       "astro_cyclic_version": __version__, "classes": [str(c) for c in classes.tolist()],
                       "description": "Per-star class probabilities; period in days; period_source: table "
                                      "(given beside the light curves), catalogue (carried by the light "
                                      "curve) or search (found by the period search); period_flags: how "
                                      "the search chose a searched period (doubled: twice the periodogram "
                                      "peak; daily: near 1, 2 or 3 cycles per day)"})
    return table
