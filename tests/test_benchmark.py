"""The benchmark protocol (Zhang & Bloom 2020, Table 1): per-star splits, the run, its files, the command."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from astro_cyclic import CyclicClassifier, RichardsForestClassifier
from astro_cyclic.benchmark import run_benchmark, write_results
from astro_cyclic.model_selection import StarSplit, stratified_star_splits
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.model_selection import ValidationStars

# Unbalanced classes, so that stratification is visible.
TARGET = np.array(["RRab"] * 50 + ["EA"] * 30 + ["Mira"] * 20)[np.random.default_rng(1).permutation(100)]


def test_splits_are_disjoint_cover_all_stars_and_are_sorted():
    splits = stratified_star_splits(TARGET, n_splits=8)
    assert len(splits) == 8
    for train, val, test in splits:
        joined = np.concatenate([train, val, test])
        assert np.array_equal(np.sort(joined), np.arange(TARGET.size))
        assert (train.size, val.size, test.size) == (60, 20, 20)
        for part in (train, val, test):
            assert np.all(np.diff(part) > 0)


def test_splits_are_stratified():
    overall = {c: np.mean(TARGET == c) for c in np.unique(TARGET)}
    for split in stratified_star_splits(TARGET, n_splits=4):
        for part in split:
            for c, fraction in overall.items():
                assert np.mean(TARGET[part] == c) == pytest.approx(fraction, abs=0.05)


def test_splits_are_reproducible_and_differ_between_splits_and_seeds():
    a = stratified_star_splits(TARGET, n_splits=3, random_state=7)
    b = stratified_star_splits(TARGET, n_splits=3, random_state=7)
    for s, t in zip(a, b):
        assert s.seed == t.seed and all(np.array_equal(x, y) for x, y in zip(s, t))
    assert not np.array_equal(a[0].test, a[1].test)
    # Nearby seeds must not share splits (they would if split k used seed random_state + k).
    c = stratified_star_splits(TARGET, n_splits=3, random_state=8)
    assert not any(np.array_equal(s.test, t.test) for s in a for t in c)


def test_split_val_is_what_the_network_holds_out_itself():
    # Regression guard: the protocol relies on CyclicClassifier drawing exactly the split's val stars.
    for split in stratified_star_splits(TARGET, n_splits=3):
        train_val = np.sort(np.concatenate([split.train, split.val]))
        clf = CyclicClassifier(train_split=split.validation_fraction, random_state=split.seed)
        y_idx = np.unique(TARGET[train_val], return_inverse=True)[1]
        clf.classes_ = np.unique(TARGET[train_val])
        _, val_local = clf._split(y_idx, split.seed)
        assert np.array_equal(np.sort(train_val[val_local]), split.val)


def test_split_is_a_plain_three_tuple_that_pickles():
    import pickle

    split = stratified_star_splits(TARGET, n_splits=1)[0]
    assert isinstance(split, StarSplit) and len(split) == 3
    back = pickle.loads(pickle.dumps(split))
    assert back.seed == split.seed and np.array_equal(back.test, split.test)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_splits": 0}, "n_splits"), ({"test_size": 1.2}, "test_size"), ({"test_size": 0.5, "val_size": 0.5}, "below 1"),
])
def test_split_arguments_are_checked(kwargs, match):
    with pytest.raises(ValueError, match=match):
        stratified_star_splits(TARGET, **kwargs)


def test_a_class_too_small_to_split_is_a_clear_error():
    with pytest.raises(ValueError, match="at least 3 stars.*'b': 2"):
        stratified_star_splits(["a"] * 10 + ["b"] * 2)


@pytest.fixture(scope="module")
def survey():
    return make_periodic_variables(60, classes=["RRab", "EA", "Cepheid"], n_points=(60, 120), random_state=0)


@pytest.fixture(scope="module")
def result(survey):
    models = {"itcn": CyclicClassifier(max_epochs=1, hidden=4, device="cpu"),
              "rf": RichardsForestClassifier(n_estimators=10)}
    splits = stratified_star_splits(survey.target, n_splits=2, random_state=0)
    return run_benchmark(survey.light_curves, survey.target, models, splits=splits, progress=False,
                         ensembles={"itcn+rf": ("itcn", "rf")}, dataset="tiny synthetic")


def test_run_is_json_able_with_metadata(result, survey):
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    meta = result["metadata"]
    assert meta["dataset"] == "tiny synthetic" and meta["n_stars"] == 60 and meta["n_splits"] == 2
    assert meta["classes"] == ["Cepheid", "EA", "RRab"]
    assert meta["class_counts"] == {"Cepheid": 20, "EA": 20, "RRab": 20}
    assert meta["reference"] == "itcn" and meta["wall_seconds"] > 0
    assert set(meta["versions"]) >= {"astro_cyclic", "torch", "numpy", "sklearn", "astropy"}
    assert set(meta["machine"]) >= {"platform", "cpu_count", "torch_threads", "devices"}
    assert meta["models"]["itcn"]["params"]["hidden"] == 4
    assert meta["git_commit"] is None or len(meta["git_commit"]) == 40


def test_run_scores_every_model_on_the_same_splits(result, survey):
    for split in result["splits"]:
        assert set(split["models"]) == {"itcn", "rf", "itcn+rf"}
        assert split["y_test"] == survey.target[split["test"]].tolist()
        for name, row in split["models"].items():
            assert len(row["y_pred"]) == len(split["test"])
            assert row["accuracy"] == pytest.approx(np.mean(np.array(row["y_pred"]) == split["y_test"]))
            assert np.sum(row["confusion_matrix"]) == len(split["test"])
            assert set(row["per_class_accuracy"]) == {"Cepheid", "EA", "RRab"}
            assert row["fit_seconds"] > 0 and row["predict_seconds"] > 0
            # Probabilities in metadata["classes"] order, and the prediction is their argmax.
            proba = np.asarray(row["proba"])
            assert proba.shape == (len(split["test"]), 3)
            np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-5)
            assert row["y_pred"] == np.array(result["metadata"]["classes"])[proba.argmax(axis=1)].tolist()
        assert split["models"]["itcn"]["epochs"] == 1 and split["models"]["rf"]["epochs"] is None
        # The network validated on exactly the split's validation stars.
        assert split["models"]["itcn"]["val_matches_split"] is True


def test_summary_has_the_paired_differences(result):
    summary = result["summary"]
    ref = [s["models"]["itcn"]["accuracy"] for s in result["splits"]]
    rf = [s["models"]["rf"]["accuracy"] for s in result["splits"]]
    diff = summary["rf"]["accuracy_difference_to_reference"]
    assert diff["per_split"] == pytest.approx(np.subtract(rf, ref))
    assert diff["median"] == pytest.approx(np.median(np.subtract(rf, ref)))
    assert diff["p16"] <= diff["median"] <= diff["p84"]
    assert diff["plus"] == pytest.approx(diff["p84"] - diff["median"])
    assert diff["minus"] == pytest.approx(diff["median"] - diff["p16"])
    assert summary["itcn"]["accuracy_difference_to_reference"]["median"] == 0
    assert summary["rf"]["accuracy"]["mean"] == pytest.approx(np.mean(rf))
    assert summary["rf"]["accuracy"]["std"] == pytest.approx(np.std(rf, ddof=1))
    assert np.sum(summary["rf"]["confusion_matrix_sum"]) == sum(len(s["test"]) for s in result["splits"])


def test_soft_vote_ensemble_is_what_votingclassifier_predicts(result, survey):
    from sklearn.ensemble import VotingClassifier

    split = result["splits"][0]
    rows = split["models"]
    np.testing.assert_allclose(rows["itcn+rf"]["proba"],
                               (np.asarray(rows["itcn"]["proba"]) + np.asarray(rows["rf"]["proba"])) / 2, atol=2e-6)
    assert rows["itcn+rf"]["members"] == ["itcn", "rf"]
    assert rows["itcn+rf"]["fit_seconds"] == pytest.approx(rows["itcn"]["fit_seconds"] + rows["rf"]["fit_seconds"])
    assert result["metadata"]["models"]["itcn+rf"]["members"] == ["itcn", "rf"]
    # The same members, fitted by scikit-learn's own soft-voting ensemble on the same stars and seed.
    fit = np.sort(split["train"] + split["val"])
    seed = split["seed"]
    validation = ValidationStars(np.searchsorted(fit, split["val"]))
    vote = VotingClassifier([("itcn", CyclicClassifier(max_epochs=1, hidden=4, device="cpu", random_state=seed,
                                                       train_split=validation)),
                             ("rf", RichardsForestClassifier(n_estimators=10, random_state=seed))], voting="soft")
    vote.fit([survey.light_curves[i] for i in fit], survey.target[fit])
    proba = vote.predict_proba([survey.light_curves[i] for i in split["test"]])
    np.testing.assert_allclose(proba, rows["itcn+rf"]["proba"], atol=1e-5)


def test_checkpoint_resumes_without_refitting(survey, tmp_path, monkeypatch):
    splits = stratified_star_splits(survey.target, n_splits=2, random_state=3)
    models = {"rf": RichardsForestClassifier(n_estimators=10)}
    checkpoint = tmp_path / "run.jsonl"
    first = run_benchmark(survey.light_curves, survey.target, models, splits=splits[:1], reference="rf",
                          checkpoint=checkpoint, progress=False)
    assert len(checkpoint.read_text().splitlines()) == 1 and first["metadata"]["resumed_fits"] == 0
    # A run stopped mid-write leaves a partial last line: ignored, the fit is redone.
    with checkpoint.open("a") as handle:
        handle.write('{"split": "1:')
    fits = []
    original = RichardsForestClassifier.fit
    monkeypatch.setattr(RichardsForestClassifier, "fit", lambda self, X, y: fits.append(1) or original(self, X, y))
    both = run_benchmark(survey.light_curves, survey.target, models, splits=splits, reference="rf",
                         checkpoint=checkpoint, progress=False)
    assert len(fits) == 1 and both["metadata"]["resumed_fits"] == 1
    assert both["splits"][0]["models"]["rf"] == first["splits"][0]["models"]["rf"]
    again = run_benchmark(survey.light_curves, survey.target, models, splits=splits, reference="rf",
                          checkpoint=checkpoint, progress=False)
    assert len(fits) == 1 and again["metadata"]["resumed_fits"] == 2
    assert again["summary"]["rf"]["accuracy"] == both["summary"]["rf"]["accuracy"]
    with pytest.raises(ValueError, match="other parameters"):
        run_benchmark(survey.light_curves, survey.target, {"rf": RichardsForestClassifier(n_estimators=11)},
                      splits=splits, reference="rf", checkpoint=checkpoint, progress=False)


def test_run_checks_its_arguments(survey):
    splits = stratified_star_splits(survey.target, n_splits=1)
    with pytest.raises(ValueError, match="reference 'itcn' is not one of"):
        run_benchmark(survey.light_curves, survey.target, {"rf": RichardsForestClassifier()}, splits=splits)
    with pytest.raises(ValueError, match="at least two of the models"):
        run_benchmark(survey.light_curves, survey.target, {"rf": RichardsForestClassifier()}, splits=splits,
                      reference="rf", ensembles={"vote": ("rf", "gru")})
    bad = [(splits[0][0], splits[0][0], splits[0][2])]
    with pytest.raises(ValueError, match="disjoint"):
        run_benchmark(survey.light_curves, survey.target, {"rf": RichardsForestClassifier()}, splits=bad,
                      reference="rf")


def test_writers_produce_three_files_and_never_overwrite(result, tmp_path):
    paths = write_results(result, tmp_path / "out", "tiny")
    json_path, md_path, png_path = paths
    assert [p.name for p in paths] == ["tiny.json", "tiny.md", "tiny_confusion.png"]
    assert json.loads(json_path.read_text()) == result
    markdown = md_path.read_text()
    assert "| model | accuracy | balanced accuracy | Δ accuracy vs itcn | Cepheid | EA | RRab |" in markdown
    assert "| rf |" in markdown and "(reference)" in markdown and '"git_commit"' in markdown
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png_path.stat().st_size > 1000

    md_path.write_text("keep me")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_results(result, tmp_path / "out", "tiny")
    assert md_path.read_text() == "keep me"
    write_results(result, tmp_path / "out", "tiny", overwrite=True)
    assert md_path.read_text() != "keep me"


def _cli(*args, cwd):
    # One torch thread: the test network is tiny, and two busy OpenMP pools on a 2-core CI slow it badly.
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "astro_cyclic.cli", "benchmark", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_benchmark_command_on_the_synthetic_survey(tmp_path):
    args = ("--dataset", "synthetic", "--n-stars", "70", "--models", "itcn,rf", "--n-splits", "2",
            "--max-epochs", "1", "--output", str(tmp_path / "res"), "--name", "small")
    result = _cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "reference" in result.stdout and "paired difference" in result.stdout
    saved = json.loads((tmp_path / "res" / "small.json").read_text())
    assert saved["metadata"]["n_splits"] == 2 and list(saved["summary"]) == ["itcn", "rf", "itcn+rf"]
    assert (tmp_path / "res" / "small_confusion.png").is_file() and (tmp_path / "res" / "small.md").is_file()
    assert len((tmp_path / "res" / "small.checkpoint.jsonl").read_text().splitlines()) == 4
    # A second run refuses before training anything.
    again = _cli(*args, cwd=tmp_path)
    assert again.returncode != 0 and "--overwrite" in again.stderr
    # With --overwrite it resumes every fit from the checkpoint and rewrites the same results.
    again = _cli(*args, "--overwrite", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    resumed = json.loads((tmp_path / "res" / "small.json").read_text())
    assert resumed["metadata"]["resumed_fits"] == 4 and resumed["summary"] == saved["summary"]


def test_benchmark_help_explains_the_full_protocol():
    result = _cli("--help", cwd=None)
    assert result.returncode == 0
    assert "--dataset" in result.stdout and "--n-splits" in result.stdout and "hours" in result.stdout


def test_checkpoints_written_before_a_parameter_rename_still_resume(tmp_path):
    """Rows written when train_split was validation_fraction, and before n_jobs existed, are the same
    configuration; a parameter that changes results is still refused."""
    from astro_cyclic.benchmark import _read_checkpoint, _safe

    model = CyclicClassifier()
    old = _safe(model.get_params(deep=False))
    old["validation_fraction"] = old.pop("train_split")
    del old["n_jobs"]
    path = tmp_path / "b.checkpoint.jsonl"
    path.write_text(json.dumps({"split": "0:1:ab", "model": "itcn", "params": old, "row": {"accuracy": 0.9}}) + "\n")
    assert _read_checkpoint(path, {"itcn": model}) == {("0:1:ab", "itcn"): {"accuracy": 0.9}}
    with pytest.raises(ValueError, match="holds results of model 'itcn' with other parameters"):
        _read_checkpoint(path, {"itcn": CyclicClassifier(hidden=8)})
