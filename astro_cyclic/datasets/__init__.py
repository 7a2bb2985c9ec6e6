"""Data sets: a built-in synthetic survey, loaders for real survey data, and readers of survey formats.

:func:`make_periodic_variables` needs no download. :func:`simulate_survey` draws stars from real
catalogue parameters (OGLE-III, MACHO) on real survey cadences. Loaders of real surveys
(:func:`load_eros1`, :func:`load_asas_richards2012`, :func:`load_macho`,
:func:`load_macho_catalog`, :func:`load_ogle3_catalogue`) read files from the data folder given by
:func:`get_data_home` (argument ``data_home=``, else the ``ASTRO_CYCLIC_DATA``
environment variable, else ``~/.astro_cyclic/data``) and raise
:class:`DatasetNotFoundError`, naming where to get the data, when they are
missing; with ``download=True`` they fetch the missing files from their public
source into that folder, checking each against its recorded SHA-256
(:class:`DatasetChecksumError` on a mismatch).

Readers of public survey formats (:func:`read_ogle3` for the OGLE-III
Catalogue of Variable Stars, :func:`read_asassn` for ASAS-SN catalogue and
light-curve CSVs) take the paths of files the user already has.

:func:`load_dataset` loads the data sets of :data:`DATASETS` by name, for the
command line and the torchrun entry point.

:func:`select_classes` and :func:`take_stars` choose classes and balance them
in any loader's result. Importing this module reads no file.
"""

from ._base import DatasetNotFoundError, get_data_home
from ._download import DatasetChecksumError
from .asas import ASAS_CLASSES, load_asas_richards2012
from .asassn import read_asassn
from .eros1 import load_eros1
from .macho import MACHO_CLASSES, load_macho, load_macho_catalog
from .ogle3 import read_ogle3
from .ogle3_catalogue import OGLE3_CATALOGUE_SOURCE, load_ogle3_catalogue
from .registry import DATASETS, load_dataset
from .selection import select_classes, take_stars
from .simulated_survey import SIMULATED_CLASSES, simulate_survey
from .synthetic import CLASSES as SYNTHETIC_CLASSES
from .synthetic import make_periodic_variables

__all__ = [
    "ASAS_CLASSES",
    "DATASETS",
    "DatasetChecksumError",
    "DatasetNotFoundError",
    "OGLE3_CATALOGUE_SOURCE",
    "MACHO_CLASSES",
    "SIMULATED_CLASSES",
    "SYNTHETIC_CLASSES",
    "get_data_home",
    "load_asas_richards2012",
    "load_dataset",
    "load_eros1",
    "load_macho",
    "load_macho_catalog",
    "load_ogle3_catalogue",
    "make_periodic_variables",
    "read_asassn",
    "read_ogle3",
    "select_classes",
    "simulate_survey",
    "take_stars",
]
