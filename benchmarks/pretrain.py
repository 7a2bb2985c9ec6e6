"""Pretrain a network on a simulated survey grounded in real parameters, and write it with its model card.

Run from the repository root (this is the command that made the shipped model)::

    python benchmarks/pretrain.py --data-home ../shared/data --n-stars 100000 --threads 2 --max-epochs 4 \\
        --output astro_cyclic/pretrained/itcn-sim-asas-eros1

The survey is :func:`astro_cyclic.datasets.simulate_survey` (OGLE-III and
MACHO parameters, all eleven classes): a fraction ``--asas-fraction`` of the
stars on ASAS cadences (V band), the rest on EROS-1 cadences in the red band
only, so that the model is single-band and takes either survey's stars. The
cadence stars lend only their time stamps and magnitude level (for the
errors), never their labels or shapes. With ``--two-band --asas-fraction 0`` the
stars keep both EROS-1 bands and the network takes both (a two-band model for
``eros1_2band``); delta Scuti stars are left out, as their periods cannot be
folded from EROS-1's time stamps (rounded to 0.01 d). The network is a default
``CyclicClassifier`` (iTCN) trained on the simulated stars' true periods
with 2% of them held out to choose the best epoch. With ``--periods searched``
it is trained on the periods ``PeriodSearch()`` finds in each simulated star
instead, aliases and half orbits included, as users without a catalogue
period fold their stars; stars whose search fails or whose found period their
sampling cannot fold are left out, and the card counts them.

Writes ``OUTPUT.pt`` (the package's safe model format) and ``OUTPUT.json``
(the model card: classes, cadences, bands, sizes, training history, cost,
machine, versions, commit, this command). The card's
``accuracy_on_real_sets`` is measured afterwards, by fine-tuning the model in
the benchmarks (``paper_protocol.py --models ...,itcn-pretrained``; see the
docs' benchmarks page), and added to the card with the files it comes from.
Not part of the test suite.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed

from harness import _git_commit, _versions, describe_machine

from astro_cyclic import CyclicClassifier, prepare_light_curve
from astro_cyclic.datasets import load_ogle3_catalogue, simulate_survey
from astro_cyclic.datasets.simulated_survey import SIMULATED_CLASSES


def simulate(n_stars, asas_fraction, data_home, seed, two_band=False):
    """The mixed survey: ASAS cadences (V) and EROS-1 red-band cadences, shuffled; with ``two_band``, EROS-1
    cadences in both bands only."""
    catalogue = load_ogle3_catalogue(data_home=data_home)
    n_asas = int(round(n_stars * asas_fraction))
    parts = []
    if n_asas:
        parts.append(simulate_survey(n_asas, cadences="asas", catalogue=catalogue, data_home=data_home,
                                     random_state=seed))
    if n_stars - n_asas:
        # Both EROS-1 bands together are stamped to 0.01 d, too coarse to fold delta Scuti periods (under
        # 0.1 d; check_period refuses them), so the two-band survey leaves that class out.
        classes = [c for c in SIMULATED_CLASSES if c != "DSCT"] if two_band else None
        eros = simulate_survey(n_stars - n_asas, cadences="eros1", classes=classes, catalogue=catalogue,
                               data_home=data_home, random_state=seed + 1)
        if not two_band:
            eros.light_curves = [lc.select_band("r") for lc in eros.light_curves]
        parts.append(eros)
    light_curves = [lc for part in parts for lc in part.light_curves]
    target = np.concatenate([part.target for part in parts])
    order = np.random.default_rng(seed).permutation(len(light_curves))
    return [light_curves[i] for i in order], target[order], n_asas


def _searched(lc):
    """``lc`` cleaned and folded on the period PeriodSearch() finds; None when that fails."""
    try:
        return prepare_light_curve(lc.with_period(None))
    except ValueError:  # LightCurveError included: the search failed, or its period cannot be folded
        return None


def search_periods(light_curves, target, threads):
    """The stars on their searched periods (prepared, so that fit does not search again), their labels, and
    how many stars of each class were left out."""
    stars = Parallel(n_jobs=threads, batch_size=256)(delayed(_searched)(lc) for lc in light_curves)
    kept = np.array([star is not None for star in stars])
    classes, counts = np.unique(target[~kept], return_counts=True)
    return [s for s in stars if s is not None], target[kept], {str(c): int(n) for c, n in zip(classes, counts)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-home", default=None, help="folder of the catalogues and survey cadences")
    p.add_argument("--n-stars", type=int, default=100_000)
    p.add_argument("--asas-fraction", type=float, default=0.6)
    p.add_argument("--max-epochs", type=int, default=4)
    p.add_argument("--threads", type=int, default=2, help="torch and BLAS threads (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--two-band", action="store_true",
                   help="EROS-1 cadences in both bands (blue and red), for a two-band network; needs "
                        "--asas-fraction 0 (ASAS is single-band)")
    p.add_argument("--periods", choices=("true", "searched"), default="true",
                   help="fold the simulated stars on their true periods (default) or on those PeriodSearch() finds")
    p.add_argument("--output", required=True, help="path without extension of the model and its card")
    args = p.parse_args(argv)
    if args.two_band and args.asas_fraction:
        p.error("--two-band takes EROS-1 cadences only: give --asas-fraction 0")
    command = "python benchmarks/pretrain.py " + " ".join(argv if argv is not None else sys.argv[1:])

    start = time.perf_counter()
    light_curves, target, n_asas = simulate(args.n_stars, args.asas_fraction, args.data_home, args.seed,
                                            two_band=args.two_band)
    simulated = time.perf_counter() - start
    print(f"simulated {len(light_curves)} stars in {simulated:.0f} s", flush=True)
    searched, left_out = 0.0, {}
    if args.periods == "searched":
        start = time.perf_counter()
        light_curves, target, left_out = search_periods(light_curves, target, args.threads)
        searched = time.perf_counter() - start
        print(f"searched periods in {searched:.0f} s; left out {left_out}", flush=True)

    clf = CyclicClassifier(max_epochs=args.max_epochs, train_split=0.02, n_iter_no_change=args.max_epochs,
                           n_jobs=args.threads, device="cpu" if not torch.cuda.is_available() else "auto",
                           random_state=args.seed, verbose=1)
    start = time.perf_counter()
    clf.fit(light_curves, target)
    trained = time.perf_counter() - start
    print(f"trained in {trained:.0f} s; best epoch {clf.best_epoch_}", flush=True)

    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    clf.save(output.with_suffix(".pt"), overwrite=True)
    classes, counts = np.unique(target, return_counts=True)
    best = clf.history_[clf.best_epoch_]  # best_epoch_ counts from 0
    card = {
        "name": output.name,
        "architecture": clf.architecture,
        "classes": {str(c): int(n) for c, n in zip(classes, counts)},
        "n_stars": len(light_curves),
        "cadences": {"asas (V band)": n_asas,
                     f"eros1 ({'blue and red bands' if args.two_band else 'red band'})": len(light_curves) - n_asas},
        "bands": "EROS-1 blue and red" if args.two_band else "single-band (a star's one band)",
        "simulator": "astro_cyclic.datasets.simulate_survey: OGLE-III catalogue parameters (pulsators, long-period "
                     "variables), MACHO eclipsing-binary periods with a two-sphere model",
        "periods": ("the simulated stars' true periods" if args.periods == "true" else
                    "the periods PeriodSearch() finds in each simulated star"),
        "left_out_by_period_search": left_out,
        "validation": "2% of the simulated stars, held out by class",
        "best_epoch": clf.best_epoch_,
        "validation_accuracy_simulated": best.get("val_accuracy"),
        "history": clf.history_,
        "seconds": {"simulate": round(simulated, 1), "search_periods": round(searched, 1),
                    "train": round(trained, 1)},
        "threads": args.threads,
        "machine": describe_machine(),
        "versions": _versions(),
        "commit": _git_commit(),
        "command": command,
    }
    output.with_suffix(".json").write_text(json.dumps(card, indent=1, default=str) + "\n")
    print(json.dumps({k: card[k] for k in ("best_epoch", "validation_accuracy_simulated", "seconds")}))


if __name__ == "__main__":
    main()
