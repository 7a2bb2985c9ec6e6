"""Choose which classes (and how many stars of each) a benchmark uses.

Survey training sets are very unbalanced: the ASAS set of Richards et al.
(2012) has 91 Miras but a single S Doradus star, and the MACHO catalogue splits
long-period variables into four "Wood sequences" that a study may want as one
class. :func:`select_classes` does the three usual steps on any array of labels
(the ``target`` of a loader's Bunch), and :func:`take_stars` applies the result
to the whole Bunch.
"""


import numpy as np
from sklearn.utils import Bunch, check_random_state

from .._validation import check_number

__all__ = ["select_classes", "take_stars"]


def _group_map(groups):
    """Invert ``{new: [old, ...]}`` into ``{old: new}``, refusing a label claimed twice."""
    if groups is None:
        return {}
    if not isinstance(groups, dict):
        raise TypeError(f"groups must be a dict {{new_label: [old labels]}}, got {type(groups).__name__}")
    mapping = {}
    for new, olds in groups.items():
        if isinstance(olds, str):
            # A bare string would otherwise be iterated character by character.
            olds = [olds]
        for old in olds:
            if old in mapping and mapping[old] != new:
                raise ValueError(f"label {old!r} is put in two groups: {mapping[old]!r} and {new!r}")
            mapping[old] = new
    return mapping


def _check_count(value, name):
    if value is None:
        return None
    return check_number(value, f"{name} (a positive integer or None)", min_val=1)


def select_classes(target, *, min_count=None, max_count=None, groups=None, random_state=None):
    """Regroup labels, drop rare classes and cap large ones.

    The steps are done in this order:

    1. ``groups`` renames labels, merging several into one (labels not named
       keep their name);
    2. classes (after grouping) with fewer than ``min_count`` stars are
       dropped;
    3. classes with more than ``max_count`` stars keep a random subset of
       ``max_count`` of them, drawn without replacement with ``random_state``.

    Parameters
    ----------
    target : array-like of str or int, shape (n_stars,)
        Class labels, e.g. a loader's ``data.target``.
    min_count : int, optional
        Fewest stars a class must have to be kept.
    max_count : int, optional
        Most stars kept per class.
    groups : dict, optional
        ``{new_label: [old_label, ...]}``; e.g.
        ``{"LPV": ["LPV WoodA", "LPV WoodB", "LPV WoodC", "LPV WoodD"]}``.
        A label may belong to one group only.
    random_state : int, numpy.random.Generator, RandomState or None
        Seed for the draw of step 3 (only used when a class is capped).

    Returns
    -------
    indices : numpy.ndarray of int
        Positions in ``target`` of the stars kept, in increasing order (so the
        original order of the data set is preserved).
    labels : numpy.ndarray
        The (regrouped) labels of those stars: ``labels[i]`` belongs to star
        ``indices[i]``.

    Raises
    ------
    ValueError
        For an invalid count, or a label put in two groups.

    See Also
    --------
    take_stars : apply ``indices`` and ``labels`` to a loader's Bunch.

    Examples
    --------
    >>> from astro_cyclic.datasets import select_classes
    >>> y = ["RRab", "RRc", "RRab", "Mira", "RRab", "DSCT"]
    >>> idx, labels = select_classes(y, min_count=2, groups={"RRLyr": ["RRab", "RRc"]})
    >>> idx.tolist(), labels.tolist()
    ([0, 1, 2, 4], ['RRLyr', 'RRLyr', 'RRLyr', 'RRLyr'])
    >>> idx, labels = select_classes(y, max_count=1, random_state=0)
    >>> sorted(labels.tolist())
    ['DSCT', 'Mira', 'RRab', 'RRc']
    """
    target = np.asarray(target)
    if target.ndim != 1:
        raise ValueError(f"target must be one-dimensional, got shape {target.shape}")
    min_count = _check_count(min_count, "min_count")
    max_count = _check_count(max_count, "max_count")
    mapping = _group_map(groups)

    if mapping and target.size:
        # A new array, so numpy sizes the string dtype for the longest (possibly new) name.
        labels = np.array([mapping.get(label, label) for label in target.tolist()])
    else:
        labels = target.copy()

    keep = np.ones(target.size, dtype=bool)
    names, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if min_count is not None:
        keep &= counts[inverse] >= min_count
    if max_count is not None:
        # sklearn's helper does not take a Generator; accept one as numpy users expect.
        rng = random_state if isinstance(random_state, np.random.Generator) else check_random_state(random_state)
        for k in np.flatnonzero(counts > max_count):
            members = np.flatnonzero((inverse == k) & keep)
            if members.size > max_count:
                chosen = rng.choice(members, size=max_count, replace=False)
                dropped = np.setdiff1d(members, chosen)
                keep[dropped] = False
    indices = np.flatnonzero(keep)
    return indices, labels[indices]


def take_stars(data, indices, labels=None):
    """Return a copy of a loader's Bunch holding only the stars at ``indices``.

    Every per-star field (a list or array as long as ``data.target``) is
    indexed; other fields (``DESCR``, ``source``, ``band``, ...) are copied as
    they are, and ``class_names`` is recomputed.

    Parameters
    ----------
    data : sklearn.utils.Bunch
        As returned by a loader (``load_eros1``, ``load_asas_richards2012``, ...).
    indices : array-like of int
        Stars to keep, e.g. from :func:`select_classes`.
    labels : array-like, optional
        New labels for those stars (the second output of :func:`select_classes`);
        by default ``data.target[indices]``.

    Returns
    -------
    sklearn.utils.Bunch

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.utils import Bunch
    >>> from astro_cyclic.datasets import select_classes, take_stars
    >>> data = Bunch(target=np.array(["a", "b", "a"]), periods=np.array([1.0, 2.0, 3.0]),
    ...              light_curves=["lc0", "lc1", "lc2"], class_names=["a", "b"], DESCR="toy")
    >>> small = take_stars(data, *select_classes(data.target, min_count=2))
    >>> small.light_curves, small.periods.tolist(), small.class_names
    (['lc0', 'lc2'], [1.0, 3.0], ['a'])
    """
    indices = np.asarray(indices, dtype=int)
    n = len(data["target"])
    out = Bunch()
    for key, value in data.items():
        if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == n:
            out[key] = value[indices]
        elif isinstance(value, list) and len(value) == n:
            out[key] = [value[i] for i in indices]
        else:
            out[key] = value
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != indices.shape:
            raise ValueError(f"labels has {labels.size} entries but indices {indices.size}")
        out["target"] = labels
    if "class_names" in data:
        out["class_names"] = sorted(set(np.asarray(out["target"]).tolist()))
    return out
