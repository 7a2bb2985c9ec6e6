"""
scikit-learn: Pipeline, GridSearchCV and cross_val_score
========================================================

:class:`~astro_cyclic.CyclicClassifier`, :class:`~astro_cyclic.RichardsForestClassifier`
and :class:`~astro_cyclic.RichardsFeatures` are scikit-learn estimators whose
``X`` is a list of raw light curves of any lengths. scikit-learn's tools split
``X`` and ``y`` by star, which is what a fair evaluation needs (never split the
segments of one star between training and test), and the catalogue period of
each star travels inside its light curve, so it survives the splitting.

The survey here is small (200 stars) so that the page builds in a minute or
two; with so few stars the networks are narrow (16 channels instead of 24) and
train on all their training stars for 30 epochs (``train_split=None``: no
stars held out to choose an epoch), and the grid shows what thinning
augmentation is worth.
"""

# %%
# Data
# ----
import numpy as np

from astro_cyclic import CyclicClassifier, RichardsFeatures
from astro_cyclic.datasets import make_periodic_variables

classes = ["EA", "EW", "RRab", "RRc"]
survey = make_periodic_variables(200, classes=classes, random_state=3)
X, y = survey.light_curves, survey.target
print(len(X), "stars;", X[0])

# %%
# A Pipeline from light curves to a linear model
# ----------------------------------------------
# :class:`~astro_cyclic.RichardsFeatures` is a transformer: raw light curves in,
# one row of Richards et al. (2011) features per star out. Any tabular model
# can follow it. Some features are undefined for some stars (a ratio with a
# zero denominator) and come out as NaN, so the pipeline imputes them before
# scaling.
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

pipeline = make_pipeline(RichardsFeatures(), SimpleImputer(), StandardScaler(),
                         LogisticRegression(max_iter=2000))
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
scores = cross_val_score(pipeline, X, y, cv=cv)
print("Richards features + logistic regression, 3-fold accuracy:", np.round(scores, 3))

# %%
# cross_val_score on a network
# ----------------------------
# The same call works for the network. Each fold trains a fresh clone. By
# default the classifier holds out 20% of its training stars to choose the best
# epoch (``train_split``); with 130 training stars per fold every star counts,
# so here it trains on all of them for 30 epochs.
net = CyclicClassifier("itcn", module__hidden=16, max_epochs=30, segment_length=100, train_split=None,
                       random_state=0)
scores = cross_val_score(net, X, y, cv=cv)
print("iTCN, 3-fold accuracy:", np.round(scores, 3))

# %%
# GridSearchCV over network hyper-parameters
# ------------------------------------------
# The architecture and its hyper-parameters are ordinary estimator parameters
# (as in skorch), so a grid can cross architectures and training settings:
# here the invariant iTCN against its zero-padded twin, the TCN, each with and
# without thinning augmentation (every epoch, each segment loses up to 30% of
# its points). Parameters of the period search are reachable as
# ``period_search__<name>`` when a :class:`~astro_cyclic.PeriodSearch` is given.
from sklearn.model_selection import GridSearchCV

grid = GridSearchCV(
    CyclicClassifier(module__hidden=16, max_epochs=30, segment_length=100, train_split=None, random_state=0),
    param_grid={"architecture": ["itcn", "tcn"], "thin_fraction": [0.0, 0.3]},
    cv=StratifiedKFold(n_splits=2, shuffle=True, random_state=0),
)
grid.fit(X, y)
for params, mean in zip(grid.cv_results_["params"], grid.cv_results_["mean_test_score"]):
    print(f"{params}  mean accuracy {mean:.3f}")
print("best:", grid.best_params_)

# %%
# The scores of every candidate, with their spread over the folds:
import matplotlib.pyplot as plt

results = grid.cv_results_
names = [f"{p['architecture']}, thinning {p['thin_fraction']}" for p in results["params"]]
fig, ax = plt.subplots(figsize=(5.5, 2.8), layout="constrained")
ax.barh(names, results["mean_test_score"], xerr=results["std_test_score"], color="C0", capsize=3)
ax.set_xlabel("mean accuracy over the folds")
ax.set_xlim(0, 1)

# %%
# ``grid.best_estimator_`` is refitted on all the stars and classifies new
# ones like any classifier:
new_stars = make_periodic_variables(40, classes=classes, random_state=4)
print("best model on 40 new stars:", grid.best_estimator_.score(new_stars.light_curves, new_stars.target))

# %%
# For a real comparison of settings use the paper's protocol rather than one
# grid: repeated stratified splits with paired comparisons (see the benchmark
# tutorial), since the spread between splits is often larger than the
# differences between settings.
