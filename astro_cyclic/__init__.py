"""astro_cyclic: classify periodic variable stars with cyclic-permutation invariant networks.

Importing the package reads no file, opens no connection and imports neither
torch nor scikit-learn: the public names below are loaded on first use
(PEP 562), so that ``astro-cyclic --help`` and scripts that need one function
start in a fraction of a second.
"""

import importlib

__version__ = "0.1.0.dev0"

# Public name -> the module that defines it. The data flow, in order: light curves,
# prepared stars (cleaned, with their periods), periods, features, classifiers.
_EXPORTS = {
    "LightCurveError": ".lightcurves",
    "LightCurveWarning": ".lightcurves",
    "StarLightCurve": ".lightcurves",
    "as_light_curve": ".lightcurves",
    "as_light_curves": ".lightcurves",
    "light_curves_from_table": ".lightcurves",
    "clean_light_curve": ".lightcurves",
    "PERIOD_SOURCES": ".prepare",
    "PreparedStar": ".prepare",
    "prepare_light_curve": ".prepare",
    "prepare_light_curves": ".prepare",
    "periods_of": ".prepare",
    "check_period": ".prepare",
    "PERIOD_METHODS": ".period",
    "PeriodSearch": ".period",
    "find_period": ".period",
    "period_candidates": ".period",
    "RichardsFeatures": ".features",
    "PretrainedFeatures": ".features",
    "CyclicClassifier": ".estimators",
    "RichardsForestClassifier": ".forest",
    "pretrained_models": ".pretrained",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
