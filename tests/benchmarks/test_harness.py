"""The research harness (benchmarks/harness.py): the paper's protocol run, its checkpoints, files and figure."""

import copy
import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier

from astro_cyclic import CyclicClassifier, PretrainedFeatures, RichardsForestClassifier
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.model_selection import StarSplit, ValidationStars, stratified_star_splits
from harness import plot_per_class_accuracy, run_benchmark, write_results


@pytest.fixture(scope="module")
def survey():
    return make_periodic_variables(60, classes=["RRab", "EA", "Cepheid"], n_points=(60, 120), random_state=0)


@pytest.fixture(scope="module")
def result(survey):
    models = {"itcn": CyclicClassifier(max_epochs=1, module__hidden=4, device="cpu"),
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
    assert meta["models"]["itcn"]["params"]["module__hidden"] == 4
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
    vote = VotingClassifier([("itcn", CyclicClassifier(max_epochs=1, module__hidden=4, device="cpu", random_state=seed,
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


class _PeriodRule(ClassifierMixin, BaseEstimator):
    """Calls a star "long" when its light curve's period exceeds 1 day: its answers show which inputs it got."""

    def fit(self, X, y):
        self.classes_ = np.array(["long", "short"])
        return self

    def predict(self, X):
        return np.array(["long" if lc.period > 1 else "short" for lc in X])


def test_a_model_with_its_own_inputs_gets_them_on_the_same_splits(survey):
    target = np.where(np.array([lc.period for lc in survey.light_curves]) > 1, "long", "short")
    tenfold = [lc.with_period(10 * lc.period) for lc in survey.light_curves]
    splits = stratified_star_splits(target, n_splits=2, random_state=0)
    result = run_benchmark(survey.light_curves, target, {"rule": _PeriodRule(), "rule-x10": _PeriodRule()},
                           splits=splits, reference="rule", model_inputs={"rule-x10": tenfold}, progress=False)
    for split in result["splits"]:
        assert split["models"]["rule"]["accuracy"] == 1.0
        assert set(split["models"]["rule-x10"]["y_pred"]) == {"long"}
        assert split["models"]["rule-x10"]["accuracy"] == np.mean(np.array(split["y_test"]) == "long") < 1
    models = result["metadata"]["models"]
    assert models["rule-x10"]["own_inputs"] is True and "own_inputs" not in models["rule"]
    with pytest.raises(ValueError, match="'gru', which is not one of the models"):
        run_benchmark(survey.light_curves, target, {"rule": _PeriodRule()}, splits=splits, reference="rule",
                      model_inputs={"gru": tenfold})
    with pytest.raises(ValueError, match="holds 59 light curves, not the 60 stars"):
        run_benchmark(survey.light_curves, target, {"rule": _PeriodRule()}, splits=splits, reference="rule",
                      model_inputs={"rule": tenfold[1:]})


def test_run_checks_its_arguments(survey):
    splits = stratified_star_splits(survey.target, n_splits=1)
    with pytest.raises(ValueError, match="reference 'itcn' is not one of"):
        run_benchmark(survey.light_curves, survey.target, {"rf": RichardsForestClassifier()}, splits=splits)
    with pytest.raises(ValueError, match="at least two of the models"):
        run_benchmark(survey.light_curves, survey.target, {"rf": RichardsForestClassifier()}, splits=splits,
                      reference="rf", ensembles={"vote": ("rf", "gru")})
    with pytest.raises(ValueError, match="must be a StarSplit"):
        run_benchmark(survey.light_curves, survey.target, {"rf": RichardsForestClassifier()},
                      splits=[tuple(splits[0])], reference="rf")
    bad = [StarSplit(splits[0][0], splits[0][0], splits[0][2], seed=1, validation_fraction=0.25)]
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


def test_checkpoints_written_before_a_parameter_rename_still_resume(tmp_path):
    """Rows written when train_split was validation_fraction, the network's hyper-parameters were hidden=None
    and so on, and before n_jobs existed, are the same configuration; a parameter that changes results is
    still refused."""
    from harness import _read_checkpoint, _safe

    model = CyclicClassifier()
    old = _safe(model.get_params(deep=False))
    old["validation_fraction"] = old.pop("train_split")
    del old["n_jobs"]
    old.update(depth=None, hidden=None, kernel_size=None, dropout=None, max_hidden=None, pooling=None)
    path = tmp_path / "b.checkpoint.jsonl"
    path.write_text(json.dumps({"split": "0:1:ab", "model": "itcn", "params": old, "row": {"accuracy": 0.9}}) + "\n")
    assert _read_checkpoint(path, {"itcn": model}) == {("0:1:ab", "itcn"): {"accuracy": 0.9}}
    with pytest.raises(ValueError, match="holds results of model 'itcn' with other parameters"):
        _read_checkpoint(path, {"itcn": CyclicClassifier(module__hidden=8)})
    old["hidden"] = 8
    path.write_text(json.dumps({"split": "0:1:ab", "model": "itcn", "params": old, "row": {"accuracy": 0.9}}) + "\n")
    rows = _read_checkpoint(path, {"itcn": CyclicClassifier(module__hidden=8)})
    assert rows == {("0:1:ab", "itcn"): {"accuracy": 0.9}}
    # Where the features are cached changes no result: a forest row resumes with another cache folder.
    forest = RichardsForestClassifier(memory=str(tmp_path / "cache-a"))
    row = {"split": "0:1:ab", "model": "rf", "params": _safe(forest.get_params(deep=False)), "row": {"accuracy": 1}}
    path.write_text(json.dumps(row) + "\n")
    assert _read_checkpoint(path, {"rf": RichardsForestClassifier(memory=str(tmp_path / "cache-b"))})
    # A forest row written before extra_features existed is a forest without them, and only that.
    del row["params"]["extra_features"]
    path.write_text(json.dumps(row) + "\n")
    assert _read_checkpoint(path, {"rf": RichardsForestClassifier()})
    with pytest.raises(ValueError, match="holds results of model 'rf' with other parameters"):
        _read_checkpoint(path, {"rf": RichardsForestClassifier(extra_features=PretrainedFeatures())})


# ------------------------------------------------------------------ the per-class figure
@pytest.fixture(scope="module")
def benchmark_result():
    """A real run_benchmark result, from models fast enough for a test."""
    data = make_periodic_variables(30, classes=["RRab", "EA", "EW"], random_state=0)
    models = {"guess": DummyClassifier(strategy="stratified"), "prior": DummyClassifier()}
    return run_benchmark(data.light_curves, data.target, models, reference="guess", progress=False,
                         splits=stratified_star_splits(data.target, n_splits=3), dataset="synthetic")


def _bars(ax):
    return [p for p in ax.patches if p.get_width() > 0]


def test_plot_per_class_accuracy_draws_means_with_std_error_bars(benchmark_result, tmp_path):
    json_path = write_results(benchmark_result, tmp_path, "bench")[0]
    ax = plot_per_class_accuracy(json_path, models=["prior", "guess"])  # from the JSON file, reordered
    classes = benchmark_result["metadata"]["classes"]
    heights = [bar.get_height() for bar in _bars(ax)]
    expected = [100 * benchmark_result["summary"][m]["per_class_accuracy"][c]["mean"]
                for m in ("prior", "guess") for c in classes]
    np.testing.assert_allclose(heights, expected)
    caps = [c for c in ax.containers if hasattr(c, "errorbar") and c.errorbar is not None]
    segments = np.concatenate([c.errorbar.lines[2][0].get_segments() for c in caps])
    spans = [s[1, 1] - s[0, 1] for s in segments]
    stds = [100 * benchmark_result["summary"][m]["per_class_accuracy"][c]["std"]
            for m in ("prior", "guess") for c in classes]
    np.testing.assert_allclose(spans, 2 * np.array(stds))
    n_ea = benchmark_result["metadata"]["class_counts"]["EA"]
    assert ax.get_xticklabels()[0].get_text() == f"EA\n({n_ea} stars)"
    assert ax.get_legend().get_texts()[0].get_text().startswith("prior (all stars")


def test_plot_per_class_accuracy_one_model_by_name(benchmark_result):
    ax = plot_per_class_accuracy(benchmark_result, models="guess")
    assert len(_bars(ax)) == len(benchmark_result["metadata"]["classes"])


def test_plot_per_class_accuracy_leaves_out_what_was_not_measured(benchmark_result):
    """A class absent from every test set has no mean, a single split no standard deviation."""
    result = copy.deepcopy(benchmark_result)
    per_class = result["summary"]["guess"]["per_class_accuracy"]
    per_class["EA"] = {"mean": None, "std": None, "n": 0}
    per_class["EW"]["std"] = None
    ax = plot_per_class_accuracy(result, models="guess")
    heights = [bar.get_height() for bar in ax.patches]
    assert np.isnan(heights[0]) and heights[1] == pytest.approx(100 * per_class["EW"]["mean"])
    bars = next(c for c in ax.containers if hasattr(c, "errorbar"))
    segments = bars.errorbar.lines[2][0].get_segments()
    assert np.isnan(segments[0]).all() and np.isnan(segments[1]).all() and np.isfinite(segments[2]).all()


def test_plot_per_class_accuracy_bad_input(benchmark_result):
    with pytest.raises(ValueError,
                       match=r"model\(s\) \['itcn'\] not in the benchmark result; the result has: guess, prior"):
        plot_per_class_accuracy(benchmark_result, models=["guess", "itcn"])
    with pytest.raises(ValueError, match="no model asked for"):
        plot_per_class_accuracy(benchmark_result, models=[])
    with pytest.raises(ValueError, match="result must be a benchmark result"):
        plot_per_class_accuracy({"accuracy": 0.9})
