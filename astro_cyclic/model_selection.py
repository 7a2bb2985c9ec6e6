"""Splitting STARS, never segments: repeated stratified splits, a network's validation stars, paired comparisons.

A star's segments are not independent examples, so every split here is of
stars. The benchmark protocol of Zhang & Bloom (2020) [1]_ draws repeated
stratified train/validation/test splits (:func:`stratified_star_splits`) and
compares two models by their accuracy differences within each split
(:func:`paired_difference`), which cancels the noise of which stars land in
the test set. :class:`ValidationStars` makes a
:class:`~astro_cyclic.CyclicClassifier` validate on chosen stars
(``train_split=ValidationStars(...)``), as scikit-learn's
`~sklearn.model_selection.PredefinedSplit` does for a cross-validation, and
:func:`clone_for_split` sets a model up for one split (its seed and its
validation stars).

References
----------
.. [1] Zhang, K. & Bloom, J. S. 2020, arXiv:2011.01243 (Table 1 and its caption).
"""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from ._validation import check_number

__all__ = ["StarSplit", "ValidationStars", "clone_for_split", "mean_std", "paired_difference",
           "stratified_star_splits"]

# Percentiles of a normal distribution at -1 and +1 sigma, the paper's "1-sigma range".
_LOW, _HIGH = 15.865525393145708, 84.13447460685429


class ValidationStars:
    """A ``train_split`` that holds out the given stars for validation.

    Parameters
    ----------
    indices : array-like of int
        Positions, in the ``X`` given to ``fit``, of the validation stars.

    Examples
    --------
    >>> split = ValidationStars([1, 3])
    >>> split(["a", "b", "a", "b", "a"])
    (array([0, 2, 4]), array([1, 3]))
    """

    def __init__(self, indices):
        self.indices = indices

    def __repr__(self):
        return f"ValidationStars({np.asarray(self.indices).tolist()})"

    def __call__(self, y):
        """Training and validation positions among the ``len(y)`` stars."""
        n = len(y)
        val = np.unique(np.asarray(self.indices, dtype=int))
        if val.size != np.asarray(self.indices).size:
            raise ValueError("ValidationStars: a star is named twice")
        if val.size and (val[0] < 0 or val[-1] >= n):
            raise ValueError(f"ValidationStars: indices must be positions 0..{n - 1} of the stars given to fit")
        return np.setdiff1d(np.arange(n), val), val


class StarSplit(tuple):
    """One split of the stars: a ``(train, val, test)`` tuple of sorted star indices.

    It unpacks as a plain 3-tuple and also carries what is needed to make a
    :class:`~astro_cyclic.CyclicClassifier` hold out exactly ``val`` itself.

    Attributes
    ----------
    train, val, test : ndarray of int
    seed : int
        The split's seed: it drew the split and seeds every model fitted on it.
    validation_fraction : float
        Fraction of the training-plus-validation stars that are ``val``
        (``ceil(validation_fraction * n)`` is ``val.size``): as a network's
        ``train_split``, with ``random_state=seed``, it draws exactly ``val``.
    """

    def __new__(cls, train, val, test, *, seed, validation_fraction):
        self = super().__new__(cls, (train, val, test))
        self.seed = int(seed)
        self.validation_fraction = float(validation_fraction)
        return self

    def __getnewargs_ex__(self):
        return tuple(self), {"seed": self.seed, "validation_fraction": self.validation_fraction}

    @property
    def train(self):
        return self[0]

    @property
    def val(self):
        return self[1]

    @property
    def test(self):
        return self[2]

    @property
    def fit_stars(self):
        """The training and validation stars together, sorted: what a model of this split is fitted on."""
        return np.sort(np.concatenate([self[0], self[1]]))


def stratified_star_splits(target, n_splits=8, test_size=0.2, val_size=0.2, random_state=0):
    """Randomised, stratified train/validation/test splits of the stars.

    Split ``k`` has its own seed (from ``random_state``). The test stars are
    drawn first, stratified by class; the validation stars are then drawn
    from the rest with exactly the call :class:`~astro_cyclic.CyclicClassifier`
    makes for its own hold-out (``train_split``, a fraction of the stars given
    to ``fit``, stratified, seeded by ``random_state``). So a network fitted on
    ``train`` and ``val`` together with ``train_split=split.validation_fraction``
    and ``random_state=split.seed`` validates on exactly ``val``;
    :func:`clone_for_split` says so directly, with
    ``train_split=ValidationStars(...)``.

    Parameters
    ----------
    target : array-like, shape (n_stars,)
        Class of each star.
    n_splits : int, default 8
        Number of splits (the paper uses 8).
    test_size, val_size : float, default 0.2
        Fractions of all stars in the test and validation sets (the paper's
        60/20/20).
    random_state : int, default 0
        The same value gives the same splits.

    Returns
    -------
    splits : list of StarSplit
        Each unpacks as ``(train_idx, val_idx, test_idx)``: disjoint, sorted
        indices into ``target`` that together cover every star.

    Raises
    ------
    ValueError
        For invalid sizes, or a class too small to appear in every part.

    Examples
    --------
    >>> splits = stratified_star_splits(["a"] * 10 + ["b"] * 10, n_splits=2)
    >>> train, val, test = splits[0]
    >>> len(train), len(val), len(test)
    (12, 4, 4)
    """
    target = np.asarray(target)
    if target.ndim != 1:
        raise ValueError(f"target must be one-dimensional, got shape {target.shape}")
    check_number(n_splits, "n_splits", min_val=1)
    test_size = check_number(test_size, "test_size", numbers.Real, min_val=0, max_val=1, include_boundaries="neither")
    val_size = check_number(val_size, "val_size", numbers.Real, min_val=0, max_val=1, include_boundaries="neither")
    if test_size + val_size >= 1:
        raise ValueError(f"test_size + val_size must be below 1, got {test_size} + {val_size}")
    check_number(random_state, "random_state")
    classes, counts = np.unique(target, return_counts=True)
    # Test and validation draws are both stratified: each needs >= 2 stars per class.
    if classes.size < 2 or counts.min() < 3:
        small = {str(c): int(n) for c, n in zip(classes, counts) if n < 3}
        raise ValueError(f"every class needs at least 3 stars to be split into train, validation and test, "
                         f"and there must be two classes; classes too small: {small or 'none'} "
                         f"(of {classes.size} classes)")
    # Validation as a fraction of the stars left after the test draw: 0.2 / 0.8 = 0.25 for 60/20/20.
    validation_fraction = val_size / (1 - test_size)
    # Independent seeds per split; consecutive integers from nearby random_state values would share splits.
    seeds = np.random.SeedSequence(int(random_state)).generate_state(n_splits) % (2**31 - 1)
    stars = np.arange(target.size)
    splits = []
    for seed in seeds.tolist():
        try:
            train_val, test = train_test_split(stars, test_size=test_size, stratify=target, random_state=seed)
            train_val = np.sort(train_val)
            # The estimator's own call: train_test_split over positions 0..n-1 of the stars it is given.
            local_train, local_val = train_test_split(np.arange(train_val.size), test_size=validation_fraction,
                                                      stratify=target[train_val], random_state=seed)
        except ValueError as exc:
            raise ValueError(f"cannot draw stratified splits of {target.size} stars in {classes.size} classes "
                             f"(smallest class: {counts.min()} stars): {exc}") from None
        splits.append(StarSplit(np.sort(train_val[local_train]), np.sort(train_val[local_val]), np.sort(test),
                                seed=seed, validation_fraction=validation_fraction))
    return splits


def clone_for_split(estimator, split):
    """An unfitted clone of ``estimator`` set up for one split of the stars.

    It gets the split's seed as its ``random_state`` (when it has one), so a
    split is one reproducible draw for every model alike; an estimator with a
    ``train_split`` parameter (:class:`~astro_cyclic.CyclicClassifier`) gets
    ``ValidationStars`` naming the split's validation stars, so it chooses its
    best epoch on exactly them. Fit it on ``split.fit_stars`` and score it on
    ``split.test``; a model without ``train_split`` (the random forest) simply
    trains on the training and validation stars together.

    Parameters
    ----------
    estimator : estimator
        Not changed; a :func:`sklearn.base.clone` of it is returned.
    split : StarSplit
        From :func:`stratified_star_splits`.

    Returns
    -------
    estimator
        The configured clone.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from astro_cyclic import CyclicClassifier
    >>> split = stratified_star_splits(["a"] * 10 + ["b"] * 10, n_splits=1)[0]
    >>> clf = clone_for_split(CyclicClassifier(), split)
    >>> clf.random_state == split.seed
    True
    >>> train, val = clf.train_split(np.zeros(split.fit_stars.size))
    >>> bool(np.array_equal(split.fit_stars[val], split.val))
    True
    >>> clone_for_split(LogisticRegression(), split).random_state == split.seed
    True
    """
    if not isinstance(split, StarSplit):
        raise TypeError(f"split must be a StarSplit from stratified_star_splits, got {type(split).__name__}")
    estimator = clone(estimator)
    params = estimator.get_params(deep=False)
    if "random_state" in params:
        estimator.set_params(random_state=split.seed)
    if "train_split" in params:
        # Positions of the validation stars among the stars the clone is fitted on.
        estimator.set_params(train_split=ValidationStars(np.searchsorted(split.fit_stars, split.val)))
    return estimator


def mean_std(values):
    """Mean and sample standard deviation of the values that are not None.

    The standard deviation has ``ddof=1``: the splits are a sample of the
    possible partitions.

    Returns
    -------
    dict
        ``mean``, ``std`` (None for fewer than two values) and ``n``.

    Examples
    --------
    >>> mean_std([0.9, 0.92, None])
    {'mean': 0.91, 'std': 0.014142135623730963, 'n': 2}
    """
    values = np.asarray([v for v in values if v is not None], dtype=float)
    if not values.size:
        return {"mean": None, "std": None, "n": 0}
    std = float(np.std(values, ddof=1)) if values.size > 1 else None
    return {"mean": float(np.mean(values)), "std": std, "n": int(values.size)}


def paired_difference(values, reference):
    """Differences between two models' scores on the same splits, summarised as in the paper's Table 1.

    Parameters
    ----------
    values, reference : array-like, shape (n_splits,)
        The two models' scores, split by split.

    Returns
    -------
    dict
        ``median``, the 16th and 84th percentiles (``p16``, ``p84``) and their
        distances from the median (``plus``, ``minus``: the "1-sigma" range),
        ``mean``, ``std`` (ddof=1) and the ``per_split`` differences.

    Examples
    --------
    >>> d = paired_difference([0.93, 0.94, 0.92], [0.92, 0.92, 0.92])
    >>> round(d["median"], 3), d["per_split"]
    (0.01, [0.010000000000000009, 0.019999999999999907, 0.0])
    """
    diff = np.asarray(values, dtype=float) - np.asarray(reference, dtype=float)
    median, low, high = np.percentile(diff, [50, _LOW, _HIGH])
    return {"median": float(median), "p16": float(low), "p84": float(high),
            "plus": float(high - median), "minus": float(median - low),
            "mean": float(np.mean(diff)), "std": float(np.std(diff, ddof=1)) if diff.size > 1 else None,
            "per_split": diff.tolist()}
