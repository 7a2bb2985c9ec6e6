"""Can the iTCN add to the forest? A network trained as a correction to the forest's probabilities.

On small training sets the random forest on Richards et al. (2011) features
beats every network (ASAS, 470 training stars: 79.2% against 65.9%), and
averaging the two (``itcn+rf``) lands between them. This experiment asks
whether the network can at least *add* to the forest: its logits are

    log p_forest(star) * w + network(segment),

with the last layer of the network's head initialised to zero and ``w``
(learnt) to 1, so training starts from the forest's own answer and the
network only has to learn a residual. On the training and validation stars
``p_forest`` is the forest's out-of-bag probability (trees that never saw
the star), so the network learns from the forest's honest errors, not from
its memorised training labels; on test stars it is the forest's ordinary
probability. The iTCN chooses its epoch on the split's validation stars as
in the benchmark.

Both rows run on the SAME splits as ``paper_protocol.py`` (the same seeds);
the forest row is the benchmark's ``rf`` and its forest is the one inside
the residual model (same features, parameters and seed). Writes
``forest_residual_<dataset>.{json,md}`` under ``benchmarks/results/``::

    python benchmarks/forest_residual.py --dataset asas --data-home ../shared/data --cache-dir /tmp/bm_cache

Research tooling, not package API: the residual model reaches the
classifier's private ``_build_module`` and ``_network_log_proba``, and it
tells stars apart by their labels (which must be unique).
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import RandomForestClassifier

from harness import run_benchmark, write_results
from paper_protocol import DATASETS, _load_benchmark_data

from astro_cyclic import CyclicClassifier, RichardsFeatures, RichardsForestClassifier, as_light_curves
from astro_cyclic.nn import build_network
from astro_cyclic.nn._training import segment_log_proba
from astro_cyclic.prepare import prepare_light_curves
from astro_cyclic.preprocess import n_channels


class _SharedTable(dict):
    """Star label -> forest log-probabilities; copies (sklearn's clone deep-copies parameters) share it."""

    def __deepcopy__(self, memo):
        return self


class _ForestLogProba(RichardsFeatures):
    """The forest's log-probabilities of each star, looked up by label, as the network's star features."""

    def __init__(self, period_search=None, *, min_points=10, memory=None, bands=None, table=None):
        super().__init__(period_search, min_points=min_points, memory=memory, bands=bands)
        self.table = table

    def fit(self, X, y=None):
        return self

    def transform(self, stars):
        missing = [star.light_curve.label for star in stars if star.light_curve.label not in self.table]
        if missing:
            raise KeyError(f"no forest probabilities for stars {missing[:5]}")
        return np.stack([self.table[star.light_curve.label] for star in stars])


class _Residual(torch.nn.Module):
    """``w * log p_forest + network(x, other aux)``; the log-probabilities arrive standardised, last in aux."""

    def __init__(self, network, mean, scale):
        super().__init__()
        self.network = network
        self.n_classes = len(mean)
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))
        self.weight = torch.nn.Parameter(torch.tensor(1.0))

    def forward(self, x, aux):
        log_proba = aux[:, -self.n_classes:] * self.scale + self.mean
        return self.network(x, aux[:, :-self.n_classes]) + self.weight * log_proba


class _ResidualITCN(CyclicClassifier):
    def _build_module(self, architecture):
        n_classes = self.classes_.size
        n_aux = self.standardizer_.aux_mean_.size - n_classes
        network = build_network(architecture, n_classes=n_classes, n_channels=n_channels(self.bands_), n_aux=n_aux,
                                segment_length=self.segment_length, **self.network_params_)
        # Zero output layer: training starts from the forest's answer.
        for parameter in dict(network.named_modules())[network.head_layers[-1]].parameters():
            torch.nn.init.zeros_(parameter)
        return _Residual(network, self.standardizer_.aux_mean_[-n_classes:],
                         self.standardizer_.aux_scale_[-n_classes:])

    def _network_log_proba(self, segments):
        if not len(segments):
            return np.empty((0, self.classes_.size))
        return segment_log_proba(self.module_, segments, device=self.device_)


class ForestResidualClassifier(ClassifierMixin, BaseEstimator):
    """The iTCN learning a correction to a random forest's out-of-bag log-probabilities.

    Parameters
    ----------
    n_estimators, max_features, min_samples_leaf : as for RichardsForestClassifier.
    eps : float
        Added to the probabilities before the logarithm (an unseen class is not minus infinity).
    max_epochs : int
    train_split : as for CyclicClassifier (the harness gives the split's validation stars).
    memory : str, optional
        Cache of the Richards features.
    random_state : int, optional
        Seeds the forest (as the benchmark's ``rf``) and the network.
    n_jobs : int, optional
    """

    def __init__(self, n_estimators=500, *, max_features="sqrt", min_samples_leaf=1, eps=0.01, max_epochs=40,
                 train_split=0.2, memory=None, random_state=None, n_jobs=None, device="auto"):
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.eps = eps
        self.max_epochs = max_epochs
        self.train_split = train_split
        self.memory = memory
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.device = device

    def _features(self, light_curves):
        stars = prepare_light_curves(light_curves, min_points=10)
        return self.features_.transform(stars)

    def fit(self, X, y):
        light_curves = as_light_curves(X)
        labels = [lc.label for lc in light_curves]
        if len(set(labels)) != len(labels):
            raise ValueError("ForestResidualClassifier tells stars apart by label: the labels must be unique")
        y = np.asarray(y)
        stars = prepare_light_curves(light_curves, min_points=10)
        self.features_ = RichardsFeatures(memory=self.memory).fit(stars)
        # RichardsForestClassifier's forest (same parameters and seed, so the same trees), with the
        # out-of-bag probabilities kept.
        self.forest_ = RandomForestClassifier(
            n_estimators=self.n_estimators, max_features=self.max_features, min_samples_leaf=self.min_samples_leaf,
            random_state=self.random_state, n_jobs=self.n_jobs, oob_score=True)
        self.forest_.fit(self.features_.transform(stars), y)
        self.classes_ = self.forest_.classes_
        # A class too small to be out of bag for every star leaves NaN rows (sklearn warns): uniform then.
        oob = np.nan_to_num(self.forest_.oob_decision_function_, nan=1.0 / self.classes_.size)
        self.table_ = _SharedTable(zip(labels, np.log(oob + self.eps)))
        self.network_ = _ResidualITCN(
            star_features=_ForestLogProba(table=self.table_), max_epochs=self.max_epochs,
            train_split=self.train_split, random_state=self.random_state, n_jobs=self.n_jobs, device=self.device)
        self.network_.fit(light_curves, y)
        self.history_, self.best_epoch_ = self.network_.history_, self.network_.best_epoch_
        self.forest_weight_ = float(self.network_.module_.weight.detach())
        return self

    def predict_proba(self, X):
        light_curves = as_light_curves(X)
        proba = self.forest_.predict_proba(self._features(light_curves))
        # Unseen stars get the whole forest's probabilities (the training stars keep their out-of-bag ones).
        for lc, row in zip(light_curves, np.log(proba + self.eps)):
            self.table_.setdefault(lc.label, row)
        return self.network_.predict_proba(light_curves)

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def build_parser():
    p = argparse.ArgumentParser(prog="python benchmarks/forest_residual.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="asas", type=str.lower, choices=list(DATASETS))
    p.add_argument("--data-home", default=None, help="folder holding the survey data")
    p.add_argument("--n-splits", type=int, default=8, help="the first N of the benchmark's 8 splits")
    p.add_argument("--seed", type=int, default=0, help="seed of the splits, as in paper_protocol.py")
    p.add_argument("--max-epochs", type=int, default=40)
    p.add_argument("--threads", type=int, default=2, help="torch and forest threads")
    p.add_argument("--device", default="auto")
    p.add_argument("--cache-dir", default=None, help="cache of the Richards features and searched periods")
    p.add_argument("--output", default="benchmarks/results")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("-q", "--quiet", action="store_true")
    return p


def main(argv=None):
    from astro_cyclic.model_selection import stratified_star_splits

    args = build_parser().parse_args(argv)
    if not 1 <= args.n_splits <= 8:
        raise SystemExit("forest_residual.py: error: --n-splits is 1 to 8 (the benchmark has 8 splits)")
    name = f"forest_residual_{args.dataset}"
    cache = args.cache_dir or str(Path(args.output) / ".cache" / name)
    args.n_stars, args.min_class_size = 700, 10  # the paper protocol's defaults for its other data sets
    light_curves, target, description = _load_benchmark_data(args, not args.quiet, cache)
    splits = stratified_star_splits(target, n_splits=8, random_state=args.seed)[:args.n_splits]
    models = {"rf": RichardsForestClassifier(random_state=args.seed, memory=cache, n_jobs=args.threads),
              "itcn-on-rf": ForestResidualClassifier(max_epochs=args.max_epochs, memory=cache, random_state=args.seed,
                                                     n_jobs=args.threads, device=args.device)}
    Path(args.output).mkdir(parents=True, exist_ok=True)
    result = run_benchmark(as_light_curves(light_curves), target, models, splits=splits, reference="rf",
                           checkpoint=Path(args.output) / f"{name}.checkpoint.jsonl", progress=not args.quiet,
                           dataset=description)
    write_results(result, args.output, name, overwrite=args.overwrite)
    for model in models:
        rows = [split["models"][model] for split in result["splits"]]
        print(f"{model:>12}: " + " ".join(f"{row['accuracy']:.4f}" for row in rows)
              + f"  mean {np.mean([row['accuracy'] for row in rows]):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
