"""Data sets: a built-in synthetic survey and loaders for real survey data.

:func:`make_periodic_variables` needs no download. Loaders of real surveys
(:func:`load_eros1`) read files from the data folder given by
:func:`get_data_home` (argument ``data_home=``, else the ``ASTRO_CYCLIC_DATA``
environment variable, else ``~/.astro_cyclic/data``) and raise
:class:`DatasetNotFoundError`, naming where to get the data, when they are
missing. Importing this module reads no file.
"""

from ._base import DatasetNotFoundError, get_data_home
from .eros1 import load_eros1
from .synthetic import CLASSES as SYNTHETIC_CLASSES
from .synthetic import make_periodic_variables

__all__ = [
    "DatasetNotFoundError",
    "SYNTHETIC_CLASSES",
    "get_data_home",
    "load_eros1",
    "make_periodic_variables",
]
