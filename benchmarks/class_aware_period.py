"""Let the trained classifier choose among the period search's candidates: measured on EROS-1, two bands.

Run from the repository root::

    python benchmarks/class_aware_period.py --data-home ../shared/data [--splits 0] [--models itcn,rf]

The period issue asks for a choice of period no peer makes: fold a star on
each candidate period and let the trained classifier judge. For each split of
``paper_protocol.py``'s 8 per-star splits (the same seeds), each model is fitted
on the split's training and validation stars with their catalogue periods (the
labelled stars a user trains on usually have them). Then for every validation
and test star, ``PeriodSearch(n_candidates=10).candidates`` gives the search's
chosen period and the other periodogram peaks with their BIC relative to the
chosen one (``delta_bic``), and the model gives class probabilities for the
star folded on each. Each candidate is scored

    log max_c p(c | star folded on it) - weight * delta_bic / 2

and the best score gives the star's period and class. With ``--wrong-folds N``
the models are also taught what a wrong fold looks like: each training star
(not the validation stars) is added again folded on up to N of its candidates
that are not within 1% of its catalogue period, labelled ``WRONG``; a
candidate is then scored by ``log(1 - p(WRONG | star folded on it))`` instead,
and the class is the most probable of the real classes. ``weight`` is chosen
on the validation stars among ``WEIGHTS`` (0 lets the classifier alone
decide); test stars are scored with it. The search's own choice is the first
candidate. Also reported: the class probabilities averaged over the
candidates, each weighted by ``exp(-weight * delta_bic / 2)`` (times
``1 - p(WRONG)``), the weight again chosen on the validation stars: a star's
period is then not chosen at all. Reported per model and split: test
accuracy with the catalogue periods, with the search's choice, with the
class-aware choice and averaged over the candidates, and the share of test
stars whose period is within 1% of the catalogue's.
Writes ``benchmarks/results/class_aware_period_eros1.{json,md}``.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
WEIGHTS = (0.0, 0.03, 0.1, 0.3, 1.0, 3.0)
#: Weights of delta_bic when the class probabilities are averaged over the candidates instead.
MARGINAL_WEIGHTS = (0.01, 0.03, 0.1, 0.3, 1.0)
N_CANDIDATES = 10
#: The label of the folds on a wrong period that ``--wrong-folds`` adds to the training stars.
WRONG = "(wrong period)"


def _candidates(light_curves, search):
    """Per star: candidate periods (days), the chosen one first, and their delta_bic."""
    from astro_cyclic import clean_light_curve

    periods, delta_bic = [], []
    for lc in light_curves:
        table = search.candidates(clean_light_curve(lc))
        periods.append(np.asarray(table["period"].value))
        delta_bic.append(np.asarray(table["delta_bic"]))
    return periods, delta_bic


def _folded_probabilities(model, light_curves, periods):
    """Class probabilities of every star folded on each of its candidate periods (a list of 2-D arrays)."""
    flat = [lc.with_period(p) for lc, candidates in zip(light_curves, periods) for p in candidates]
    proba = model.predict_proba(flat)
    bounds = np.cumsum([0] + [len(candidates) for candidates in periods])
    return [proba[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def _wrong_folds(light_curves, candidates, catalogue, n_wrong):
    """Each star folded on up to ``n_wrong`` of its candidates (best first) more than 1% off its catalogue period."""
    return [lc.with_period(p) for lc, periods, c in zip(light_curves, candidates, catalogue)
            for p in [p for p in periods if abs(p / c - 1) >= 0.01][:n_wrong]]


def _choose(proba, delta_bic, weight, wrong):
    """Index of the chosen candidate of each star; the search's own choice (the first) for ``weight=None``.

    A candidate's score is the model's confidence in the fold (its highest class probability, or with a
    ``wrong`` column the probability that the fold is not a wrong one) less ``weight * delta_bic / 2``.
    """
    if weight is None:
        return np.zeros(len(proba), int)
    confidence = ((lambda p: np.max(p, axis=1)) if wrong is None else (lambda p: 1 - p[:, wrong]))
    return np.array([int(np.argmax(np.log(confidence(p) + 1e-12) - weight * d / 2))
                     for p, d in zip(proba, delta_bic)])


def _real_classes(model):
    """The model's classes, and which of them are real (all but ``WRONG``)."""
    classes = np.asarray(model.classes_)
    return classes, classes != WRONG


def _summary(model, proba, delta_bic, periods, catalogue, target, weight):
    """Accuracy and share of periods within 1% of the catalogue's, for one weight."""
    classes, real = _real_classes(model)
    wrong = int(np.flatnonzero(~real)[0]) if not real.all() else None
    chosen = _choose(proba, delta_bic, weight, wrong)
    predicted = classes[real][[int(np.argmax(p[k][real])) for p, k in zip(proba, chosen)]]
    found = [abs(candidates[k] / c - 1) < 0.01 for candidates, k, c in zip(periods, chosen, catalogue)]
    return float(np.mean(predicted == target)), float(np.mean(found))


def _marginal_accuracy(model, proba, delta_bic, target, weight):
    """Accuracy of the class probabilities averaged over the candidates, each weighted by exp(-weight * delta_bic / 2)
    (and with a ``WRONG`` class, by the probability that its fold is not a wrong one), instead of choosing one."""
    classes, real = _real_classes(model)
    predicted = []
    for p, d in zip(proba, delta_bic):
        log_w = -weight * (d - d.min()) / 2 + np.log(1 - p[:, ~real].sum(axis=1) + 1e-12)
        w = np.exp(log_w - log_w.max())
        predicted.append(classes[real][int(np.argmax(w @ p[:, real]))])
    return float(np.mean(np.asarray(predicted) == target))


def main(argv=None):
    import threadpoolctl
    import torch

    from astro_cyclic import CyclicClassifier, PeriodSearch, RichardsForestClassifier, __version__
    from astro_cyclic.datasets import load_eros1
    from astro_cyclic.model_selection import clone_for_split, stratified_star_splits
    from harness import _git_commit, describe_machine

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--splits", default="0", help="comma-separated indices of the 8 splits (default 0)")
    parser.add_argument("--models", default="itcn,rf")
    parser.add_argument("--seed", type=int, default=0, help="seed of the splits, as in paper_protocol.py")
    parser.add_argument("--wrong-folds", type=int, default=0,
                        help="add each training star folded on up to N wrong candidates, labelled WRONG")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--name", default="class_aware_period_eros1")
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    data = load_eros1(data_home=args.data_home, band=("b", "r"))
    stars, target, catalogue = data.light_curves, data.target, data.periods
    splits = stratified_star_splits(target, n_splits=8, random_state=args.seed)
    models = {"itcn": CyclicClassifier("itcn"), "rf": RichardsForestClassifier()}
    models = {name: models[name] for name in args.models.split(",")}
    search = PeriodSearch(n_candidates=N_CANDIDATES)
    rows = []
    with threadpoolctl.threadpool_limits(1):
        for index in (int(s) for s in args.splits.split(",")):
            split = splits[index]
            start = time.perf_counter()
            parts = ("train", "val", "test") if args.wrong_folds else ("val", "test")
            candidates = {part: _candidates([stars[i] for i in getattr(split, part)], search) for part in parts}
            search_seconds = time.perf_counter() - start
            fit_stars, fit_target = [stars[i] for i in split.fit_stars], target[split.fit_stars]
            if args.wrong_folds:
                # Appended after the fit stars, so the split's validation stars keep their positions.
                wrong = _wrong_folds([stars[i] for i in split.train], candidates["train"][0],
                                     catalogue[split.train], args.wrong_folds)
                fit_stars, fit_target = fit_stars + wrong, np.r_[fit_target, [WRONG] * len(wrong)]
            for name, estimator in models.items():
                start = time.perf_counter()
                model = clone_for_split(estimator, split).fit(fit_stars, fit_target)
                fit_seconds = time.perf_counter() - start
                scored, averaged = {}, {}
                for part in ("val", "test"):
                    idx = getattr(split, part)
                    periods, delta_bic = candidates[part]
                    proba = _folded_probabilities(model, [stars[i] for i in idx], periods)
                    scored[part] = {w: _summary(model, proba, delta_bic, periods, catalogue[idx], target[idx], w)
                                    for w in (None, *WEIGHTS)}
                    averaged[part] = {w: _marginal_accuracy(model, proba, delta_bic, target[idx], w)
                                      for w in MARGINAL_WEIGHTS}
                weight = max(WEIGHTS, key=lambda w: scored["val"][w][0])
                marginal_weight = max(MARGINAL_WEIGHTS, key=lambda w: averaged["val"][w])
                test = split.test
                # The stars carry their catalogue periods; the most probable real class of each.
                classes, real = _real_classes(model)
                on_catalogue = classes[real][np.argmax(model.predict_proba([stars[i] for i in test])[:, real], axis=1)]
                row = {"split": index, "model": name, "wrong_folds": args.wrong_folds, "weight": weight,
                       "catalogue": float(np.mean(on_catalogue == target[test])),
                       "search": scored["test"][None][0], "class_aware": scored["test"][weight][0],
                       "found_search": scored["test"][None][1], "found_class_aware": scored["test"][weight][1],
                       "averaged": averaged["test"][marginal_weight], "averaged_weight": marginal_weight,
                       "averaged_by_weight": {str(w): [averaged["val"][w], averaged["test"][w]]
                                              for w in MARGINAL_WEIGHTS},
                       "val_by_weight": {str(w): scored["val"][w][0] for w in (None, *WEIGHTS)},
                       "test_by_weight": {str(w): scored["test"][w] for w in (None, *WEIGHTS)},
                       "fit_seconds": fit_seconds, "search_seconds": search_seconds}
                rows.append(row)
                print(json.dumps(row), flush=True)

    taught = (f", and on up to {args.wrong_folds} wrong folds of each training star labelled {WRONG!r}"
              if args.wrong_folds else "")
    result = {"what": f"EROS-1 both bands; models fitted on catalogue periods{taught}; PeriodSearch(n_candidates="
                      f"{N_CANDIDATES}) candidates; weight chosen on the validation stars",
              "rows": rows, "commit": _git_commit(), "machine": describe_machine(), "threads": 1,
              "versions": {"astro_cyclic": __version__, "torch": torch.__version__,
                           "python": sys.version.split()[0]}}
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / f"{args.name}.json").write_text(json.dumps(result, indent=1))
    header = ["model", "split", "catalogue periods", "search's choice", "class-aware choice",
              "class-aware - search", "weight (val)", "averaged over candidates", "averaged - search",
              "period found: search", "period found: class-aware"]
    lines = [f"# Class-aware period choice ({result['what']})", "",
             "Test accuracy per star; \"period found\": share of test stars within 1% of the catalogue period. "
             "One torch and BLAS thread.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        accuracies = (f"{100 * row[k]:.1f}%" for k in ("catalogue", "search", "class_aware"))
        cells = [row["model"], str(row["split"]), *accuracies,
                 f"{100 * (row['class_aware'] - row['search']):+.1f}", f"{row['weight']:g}",
                 f"{100 * row['averaged']:.1f}%", f"{100 * (row['averaged'] - row['search']):+.1f}",
                 *(f"{100 * row[k]:.1f}%" for k in ("found_search", "found_class_aware"))]
        lines.append("| " + " | ".join(cells) + " |")
    (args.output / f"{args.name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
