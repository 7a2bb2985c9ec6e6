"""
Classify lightkurve light curves with a fitted model
====================================================

`lightkurve <https://docs.lightkurve.org>`_ is the usual way to hold space- and
ground-based photometry in Python. A ``lightkurve.LightCurve`` is an astropy
`~astropy.timeseries.TimeSeries` with ``time``, ``flux`` and ``flux_err``
columns, and :class:`~astro_cyclic.CyclicClassifier` takes it as it is: the
fluxes become magnitudes (the zero point does not matter: the classifier is
invariant to a constant magnitude offset) and a period stored in ``meta["period"]`` travels with it.

This tutorial trains a small iTCN on the built-in synthetic survey, saves it,
loads it back, and classifies ``LightCurve`` objects built from arrays (so it
needs no download).
"""

# %%
# Train and save a classifier
# ---------------------------
# :func:`~astro_cyclic.datasets.make_periodic_variables` draws a labelled
# synthetic survey; each light curve carries its true period. The network is
# kept tiny (``module__hidden=16``, 15 epochs) so that this page builds in seconds; the
# defaults (24 hidden channels, up to 40 epochs with early stopping) are meant for
# real training sets.
import tempfile
from pathlib import Path

import numpy as np
from astropy.time import Time

from astro_cyclic import CyclicClassifier
from astro_cyclic.datasets import make_periodic_variables

classes = ["Cepheid", "EA", "RRab", "RRc"]
survey = make_periodic_variables(260, classes=classes, random_state=1)
train_lcs, train_y = survey.light_curves[:200], survey.target[:200]

clf = CyclicClassifier("itcn", module__hidden=16, max_epochs=15, random_state=0)
clf.fit(train_lcs, train_y)
print(f"trained for {len(clf.history_)} epochs, kept epoch {clf.best_epoch_}")

model_dir = Path(tempfile.mkdtemp())
clf.save(model_dir / "itcn.pt")

# %%
# :meth:`~astro_cyclic.CyclicClassifier.load` rebuilds the network from the
# file, which holds only tensors, numbers and strings and is read with
# ``torch.load(weights_only=True)``, so loading a file cannot run code.
model = CyclicClassifier.load(model_dir / "itcn.pt")
print(model.classes_)

# %%
# Build lightkurve objects
# ------------------------
# Here the ``LightCurve`` objects are made from the held-out synthetic stars'
# arrays; in practice they come from ``lightkurve.read`` or a search of an
# archive. Times are Julian dates; the magnitudes are turned into fluxes
# (``flux = 10**(-0.4 mag)``, with the matching flux error).
import lightkurve as lk

test_lcs, test_y = survey.light_curves[200:], survey.target[200:]


def to_lightkurve(star):
    flux = 10 ** (-0.4 * (star.mag - 15.0))
    lc = lk.LightCurve(time=Time(star.time + 2450000.0, format="jd"), flux=flux,
                       flux_err=flux * star.err / 1.0857)
    lc.meta["period"] = star.period  # days; a Quantity with a time unit works too
    return lc


lightcurves = [to_lightkurve(star) for star in test_lcs]
print(type(lightcurves[0]).__name__, len(lightcurves[0]), "points")

# %%
# lightkurve's own methods chain as usual; a normalised light curve is the same
# light curve to the classifier, since only the zero point changes.
lightcurves = [lc.normalize() for lc in lightcurves]

# %%
# Classify
# --------
# ``predict_proba`` has one column per class of ``model.classes_``. Each star's
# prediction combines all its segments (the mean of their log-probabilities).
proba = model.predict_proba(lightcurves)
predicted = model.classes_[proba.argmax(axis=1)]
for true, pred, p in list(zip(test_y, predicted, proba))[:6]:
    print(f"true {true:8s} predicted {pred:8s} p = {p.max():.2f}")
print(f"accuracy on {len(test_y)} held-out stars: {np.mean(predicted == test_y):.3f}")

# %%
# The classifier folds each star on the period it carries. A light curve that
# carries none gets one from the period search (see the next tutorial).
# :func:`~astro_cyclic.prepare_light_curves` is that step on its own: it
# cleans the light curves and gives each its period, saying where the period
# came from. The classifier takes the prepared stars as they are, so a period
# that was searched is searched once.
from astro_cyclic import prepare_light_curves

stars = prepare_light_curves(lightcurves, period_search=model.period_search)
for star in stars[:3]:
    print(star)
assert np.array_equal(model.predict_proba(stars), proba)

# %%
# ``predict_table`` gives the same answers as an astropy Table: the star, the
# period it was folded on and where that period came from, the predicted class
# and every class's probability (``astro-cyclic predict`` writes this table).
table = model.predict_table(lightcurves)
print(table[:4])

# %%
# Check one star as an astronomer would: the light curve folded on the period
# the classifier used (two cycles, error bars), the class probabilities, and
# the periodogram with the period search's candidates and their flags.
from astro_cyclic.visualization import plot_classification

axes = plot_classification(model, lightcurves[0])

# %%
# Folded light curves are refused
# -------------------------------
# ``lc.fold(period)`` returns a ``FoldedLightCurve`` whose times are phases.
# The classifier needs the times, because it cuts each light curve into
# segments in time order before folding, so it says so instead of guessing:
from astro_cyclic import LightCurveError

try:
    model.predict([lightcurves[0].fold(period=test_lcs[0].period)])
except LightCurveError as exc:
    print("LightCurveError:", exc)
