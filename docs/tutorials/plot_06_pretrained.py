"""
300 labelled stars: start from the shipped pretrained network
=============================================================

A survey team often has a few hundred labelled stars. A network trained on
them from random weights has little to learn from; one pretrained on a large
simulated survey (:func:`~astro_cyclic.datasets.simulate_survey`: real
OGLE-III and MACHO catalogue parameters on real ASAS and EROS-1 cadences)
already knows what pulsations, eclipses and long-period variability look
like, and only has to learn this survey's classes. This page trains both on
the same 300 stars of EROS-1 and tests them on the same other stars; then it
does the same for the random forest on Richards features, alone and given
what the pretrained network has learnt, which is the best of the four here.

EROS-1 (red band, catalogue periods) is read from the data folder
(``data_home=`` or the ``ASTRO_CYCLIC_DATA`` environment variable); when it is
not there the page falls back to the built-in synthetic survey and says so.
One split is a single draw: the :doc:`benchmarks
<../../user_guide/benchmarks>` page repeats it over six draws, and has the
comparison on the full splits.
"""

# %%
# 300 training stars
# ------------------
import numpy as np
from sklearn.model_selection import train_test_split

from astro_cyclic.datasets import DatasetNotFoundError, load_eros1, make_periodic_variables

try:
    data = load_eros1(band="r")
    dataset = "EROS-1 red band"
except DatasetNotFoundError as exc:
    print("EROS-1 not found, using the synthetic survey instead:\n", exc)
    data = make_periodic_variables(900, classes=["Cepheid", "EA", "Mira", "RRab"], random_state=0)
    dataset = "synthetic survey"

train, rest = train_test_split(np.arange(len(data.target)), train_size=300, stratify=data.target, random_state=0)
_, test = train_test_split(rest, test_size=600, stratify=data.target[rest], random_state=0)
X_train, y_train = [data.light_curves[i] for i in train], data.target[train]
X_test, y_test = [data.light_curves[i] for i in test], data.target[test]
classes, counts = np.unique(y_train, return_counts=True)
print(dataset, "training stars:", dict(zip(classes.tolist(), counts.tolist())), "; test stars:", len(test))

# %%
# The shipped model, as it is
# ---------------------------
# :meth:`~astro_cyclic.CyclicClassifier.from_pretrained` returns a fitted
# classifier: it predicts the simulated classes at once. Its model card says
# what it was trained on.
from astro_cyclic import CyclicClassifier, pretrained_models
from astro_cyclic.pretrained import model_card

name = pretrained_models()[0]
card = model_card(name)
print(name, "--", card["n_stars"], "simulated stars;", ", ".join(card["classes"]))
pretrained = CyclicClassifier.from_pretrained(name)
print("its predictions for five test stars:", pretrained.predict(X_test[:5]), "-- truth:", y_test[:5])

# %%
# Fine-tuned, and from scratch
# ----------------------------
# The same settings, the same seed, the same stars; ``fit`` on the pretrained
# classifier replaces its last layer by one for these classes and trains
# every layer from the pretrained weights.
settings = dict(max_epochs=20, random_state=0)
scratch = CyclicClassifier(**settings).fit(X_train, y_train)
tuned = CyclicClassifier.from_pretrained(name, learning_rate=0.002, **settings).fit(X_train, y_train)

for label, model in (("from scratch", scratch), ("fine-tuned from " + name, tuned)):
    print(f"{label:>40}: test accuracy {np.mean(model.predict(X_test) == y_test):.3f}")

# %%
# The forest, and the forest given the pretrained network's features
# --------------------------------------------------------------------
# With a few hundred stars the random forest on Richards features is hard to
# beat, and fine-tuning on so few stars also throws away part of what the
# pretrained network knew. :class:`~astro_cyclic.PretrainedFeatures` keeps
# the network frozen and hands the forest its pooled features
# (:meth:`~astro_cyclic.CyclicClassifier.embed`) beside the Richards ones.
# Nothing of the network is trained here. Both forests share a cache of the
# Richards features, so they are computed once.
import tempfile

from astro_cyclic import PretrainedFeatures, RichardsForestClassifier

with tempfile.TemporaryDirectory() as cache:  # removed with its cached features at the end of the block
    forest = RichardsForestClassifier(random_state=0, memory=cache).fit(X_train, y_train)
    forest_pretrained = RichardsForestClassifier(extra_features=PretrainedFeatures(name), random_state=0,
                                                 memory=cache).fit(X_train, y_train)
    models = {"network from scratch": scratch, "network fine-tuned": tuned, "forest": forest,
              "forest + pretrained features": forest_pretrained}
    predictions = {label: model.predict(X_test) for label, model in models.items()}
for label in ("forest", "forest + pretrained features"):
    print(f"{label:>30}: test accuracy {np.mean(predictions[label] == y_test):.3f}")

# %%
# Where the difference lies
# -------------------------
# Per-class accuracy (recall) of the four models on the test stars.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.5, 3.5))
width = 0.2
for k, (label, predicted) in enumerate(predictions.items()):
    recall = [np.mean(predicted[y_test == c] == c) for c in classes]
    ax.bar(np.arange(classes.size) + (k - 1.5) * width, recall, width, label=label)
ax.set_xticks(np.arange(classes.size), classes)
ax.set_ylabel("accuracy on the test stars")
ax.set_ylim(0, 1.05)
ax.legend(loc="lower right", fontsize=8)
ax.set_title(f"{dataset}: 300 training stars", fontsize=9)
fig.tight_layout()
