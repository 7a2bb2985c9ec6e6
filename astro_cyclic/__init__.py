"""astro_cyclic: classify periodic variable stars with cyclic-permutation invariant networks.

Importing the package reads no file and opens no connection.
"""

__version__ = "0.1.0.dev0"

from .lightcurves import (  # noqa: E402
    LightCurveError,
    StarLightCurve,
    as_light_curve,
    as_light_curves,
    light_curves_from_table,
    clean_light_curve,
)
from .period import PERIOD_METHODS, PeriodSearch, find_period  # noqa: E402
from .features import RichardsFeatures  # noqa: E402
from .estimators import CyclicClassifier  # noqa: E402
from .forest import RichardsForestClassifier  # noqa: E402

__all__ = [
    "CyclicClassifier",
    "LightCurveError",
    "PERIOD_METHODS",
    "PeriodSearch",
    "RichardsFeatures",
    "RichardsForestClassifier",
    "StarLightCurve",
    "as_light_curve",
    "as_light_curves",
    "clean_light_curve",
    "find_period",
    "light_curves_from_table",
]
