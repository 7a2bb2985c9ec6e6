"""
Reproduce the benchmark on EROS-1, small
========================================

Zhang & Bloom (2020) compare models on repeated, stratified 60/20/20
train/validation/test splits of the *stars*, the same splits for every model,
and compare accuracies pairwise within each split: which stars land in the test
set moves every model's accuracy together, and the paired differences cancel
that. :mod:`astro_cyclic.model_selection` has the pieces a user needs to
compare models on their own stars this way; ``benchmarks/paper_protocol.py``
in the repository runs the paper's full protocol with them.

This page runs it in a configuration small enough for a documentation build:
at most 80 stars per class (169 of them to train on in each split), two
splits, the default networks trained for 30 epochs with thinning augmentation,
and a small forest. With so few training stars every model is far below what it
reaches with the full protocol (2,184 training stars: 92-94%, see the
benchmarks page); the page shows the workflow and the outputs.

The real light curves of EROS-1 (the RAMP "variable_stars" release, four
classes, about 120 points per star in each band) are read from the data folder
(``data_home=`` or the ``ASTRO_CYCLIC_DATA`` environment variable; see
:func:`~astro_cyclic.datasets.get_data_home`). When they are not there the page
falls back to the built-in synthetic survey and says so.
"""

# %%
# Load the stars
# --------------
import numpy as np

from astro_cyclic.datasets import (DatasetNotFoundError, load_eros1, make_periodic_variables,
                                   select_classes, take_stars)

try:
    data = load_eros1(band="r", subset="test")
    dataset = "EROS-1 red band, RAMP test stars"
except DatasetNotFoundError as exc:
    print("EROS-1 not found, using the synthetic survey instead:\n", exc)
    data = make_periodic_variables(320, classes=["Cepheid", "EA", "Mira", "RRab"], random_state=0)
    dataset = "synthetic survey"

# At most 80 stars of each class keeps the page fast; select_classes draws them at random.
indices, labels = select_classes(data.target, max_count=80, random_state=0)
small = take_stars(data, indices, labels)
classes, counts = np.unique(small.target, return_counts=True)
print(dataset, "--", dict(zip(classes.tolist(), counts.tolist())))

# %%
# The splits and the models
# -------------------------
# :func:`~astro_cyclic.model_selection.stratified_star_splits` draws the splits; each
# carries a seed that also seeds every model fitted on it. The networks hold
# out exactly the split's validation stars to choose their best epoch; the
# random forest needs no validation set and trains on training and validation
# stars together.
from astro_cyclic import CyclicClassifier, RichardsForestClassifier
from astro_cyclic.model_selection import clone_for_split, stratified_star_splits

splits = stratified_star_splits(small.target, n_splits=2, random_state=0)
print([len(part) for part in splits[0]], "stars in train/val/test")

# Thinning (each training segment loses up to 20% of its points at every epoch) matters with few stars.
network = dict(max_epochs=30, thin_fraction=0.2)
models = {
    "itcn": CyclicClassifier("itcn", **network),
    "tcn": CyclicClassifier("tcn", **network),
    "rf": RichardsForestClassifier(n_estimators=100),
}

# %%
# Fit every model on every split
# ------------------------------
# :func:`~astro_cyclic.model_selection.clone_for_split` gives each model the
# split's seed and, for a network, exactly the split's validation stars. Each
# clone is fitted on the training and validation stars (``split.fit_stars``)
# and predicts the test stars.
stars = small.light_curves
predictions = {name: [] for name in models}
for split in splits:
    fit_stars = [stars[i] for i in split.fit_stars]
    test_stars = [stars[i] for i in split.test]
    for name, model in models.items():
        clf = clone_for_split(model, split).fit(fit_stars, small.target[split.fit_stars])
        predictions[name].append(clf.predict(test_stars))

# %%
# The summary
# -----------
# Per model: accuracy, mean and standard deviation over the splits
# (:func:`~astro_cyclic.model_selection.mean_std`), and the median paired
# difference to the reference model, the iTCN
# (:func:`~astro_cyclic.model_selection.paired_difference`).
from astro_cyclic.model_selection import mean_std, paired_difference

accuracy = {name: [np.mean(y_pred == small.target[split.test]) for y_pred, split in zip(predicted, splits)]
            for name, predicted in predictions.items()}
for name, values in accuracy.items():
    stats = mean_std(values)
    line = f"{name:5s} accuracy {stats['mean']:.3f} +/- {stats['std']:.3f}"
    if name != "itcn":
        line += f"   paired difference to itcn: median {paired_difference(values, accuracy['itcn'])['median']:+.3f}"
    print(line)

# %%
# Which classes are confused
# --------------------------
# The reference model's confusion matrix, summed over the splits: the
# diagonal of each row is its accuracy on that true class.
import matplotlib.pyplot as plt

from astro_cyclic.visualization import plot_confusion_matrix

y_true = np.concatenate([small.target[split.test] for split in splits])
y_pred = np.concatenate(predictions["itcn"])
fig, ax = plt.subplots(figsize=(5, 4.2), layout="constrained")
plot_confusion_matrix(y_true, y_pred, labels=classes, ax=ax)
ax.set_title(f"iTCN, {len(splits)} splits summed ({dataset})", fontsize=9)

# %%
# The full protocol
# -----------------
# The paper's configuration (all stars, 8 splits, default networks) takes
# hours on two CPU cores; from the repository root, run it with::
#
#     python benchmarks/paper_protocol.py --dataset eros1 --data-home ../shared/data --models itcn,tcn,rf
#
# It also checkpoints every fit, records the machine and versions, and writes
# a JSON file, a markdown table and figures.
# Committed results live in ``benchmarks/results/``; the random forest's run is
# on the :doc:`benchmarks page </user_guide/benchmarks>`.
