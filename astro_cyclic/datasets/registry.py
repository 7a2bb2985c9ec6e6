"""The data sets that the demo and the benchmarks train on, by name.

One registry, read by ``astro-cyclic demo``, ``benchmarks/paper_protocol.py`` and
``benchmarks/train_ddp.py``: each name maps to a loader that
returns the light curves, the classes and a line that describes the set.
"""

from sklearn.utils import Bunch

from .._validation import validate_option

__all__ = ["DATASETS", "load_dataset"]


def _synthetic(*, data_home, n_stars, classes, random_state, min_class_size):
    from .synthetic import make_periodic_variables

    data = make_periodic_variables(n_stars, classes=classes, random_state=random_state)
    return data.light_curves, data.target, f"synthetic survey ({n_stars} stars, seed {random_state})"


def _eros1(*, data_home, n_stars, classes, random_state, min_class_size):
    from .eros1 import load_eros1

    data = load_eros1(data_home=data_home, band="r")
    return data.light_curves, data.target, "EROS-1 red band (catalogue periods)"


def _eros1_2band(*, data_home, n_stars, classes, random_state, min_class_size):
    from .eros1 import load_eros1

    data = load_eros1(data_home=data_home, band=("b", "r"))
    return data.light_curves, data.target, "EROS-1 blue and red bands (catalogue periods)"


def _asas(*, data_home, n_stars, classes, random_state, min_class_size):
    from .asas import load_asas_richards2012

    data = load_asas_richards2012(data_home=data_home, min_class_size=min_class_size)
    return (data.light_curves, data.target,
            f"ASAS (Richards et al. 2012), classes with >= {min_class_size} stars")


#: Data set name -> loader. ``synthetic`` needs no data; ``eros1`` (red band, with catalogue
#: periods), ``eros1_2band`` (the same stars in both bands) and ``asas`` (the Richards et al. 2012
#: training set, without periods) read ``data_home``.
DATASETS = {"synthetic": _synthetic, "eros1": _eros1, "eros1_2band": _eros1_2band, "asas": _asas}


def load_dataset(name, *, data_home=None, n_stars=700, classes=None, random_state=0, min_class_size=10):
    """Load a data set of :data:`DATASETS` by name.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS` (case-insensitive).
    data_home : str or path-like, optional
        Folder of the real data sets (see :func:`~astro_cyclic.datasets.get_data_home`).
    n_stars, classes, random_state
        The synthetic survey's size, classes (default all) and seed.
    min_class_size : int, default 10
        ASAS: keep the classes with at least this many stars.

    Returns
    -------
    sklearn.utils.Bunch
        ``light_curves``, ``target`` and ``description``.

    Examples
    --------
    >>> data = load_dataset("synthetic", n_stars=20, classes=["RRab", "EA"])
    >>> len(data.light_curves), data.description
    (20, 'synthetic survey (20 stars, seed 0)')
    """
    loader = DATASETS[validate_option(name, DATASETS, "dataset")]
    light_curves, target, description = loader(data_home=data_home, n_stars=n_stars, classes=classes,
                                               random_state=random_state, min_class_size=min_class_size)
    return Bunch(light_curves=light_curves, target=target, description=description)
