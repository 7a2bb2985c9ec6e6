"""benchmarks/pooled_paired.py: paired differences of two models pooled over several runs."""

import json

import pytest

from pooled_paired import main


def _run(path, pairs):
    splits = [{"models": {"rf": {"accuracy": a}, "rf-pretrained": {"accuracy": b}}} for a, b in pairs]
    path.write_text(json.dumps({"metadata": {"dataset": "tiny", "split_seeds": [1]}, "splits": splits}))
    return str(path)


def test_runs_are_reported_one_by_one_and_pooled_over_every_split(tmp_path):
    first = _run(tmp_path / "a.json", [(0.70, 0.75), (0.80, 0.80)])
    second = _run(tmp_path / "b.json", [(0.60, 0.55), (0.90, 0.95), (0.50, 0.60)])
    assert main([first, second, "--reference", "rf", "--model", "rf-pretrained", "--name", "p",
                 "--output", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "p.json").read_text())
    pooled = result["pooled"]
    assert pooled["n_splits"] == 5 and (pooled["wins"], pooled["ties"], pooled["losses"]) == (3, 1, 1)
    assert pooled["difference_median"] == pytest.approx(0.05) and pooled["reference_mean"] == pytest.approx(0.70)
    assert [run["n_splits"] for run in result["runs"]] == [2, 3]
    assert result["runs"][0]["accuracy_pairs"] == [[0.70, 0.75], [0.80, 0.80]]
    assert "| **all splits** | 5 | 70.0% | 73.0% |" in (tmp_path / "p.md").read_text()


def test_a_model_missing_from_a_run_is_named(tmp_path):
    run = _run(tmp_path / "a.json", [(0.7, 0.8)])
    with pytest.raises(ValueError, match="a.json: no model 'itcn'"):
        main([run, "--reference", "itcn", "--model", "rf", "--name", "p", "--output", str(tmp_path)])


def _splits(path, seeds, accuracy):
    splits = [{"seed": seed, "test": [1, 2], "models": {"rf-pretrained": {"accuracy": a}}}
              for seed, a in zip(seeds, accuracy)]
    path.write_text(json.dumps({"metadata": {"dataset": "tiny"}, "splits": splits}))
    return str(path)


def test_one_model_is_compared_across_two_runs_with_the_same_splits(tmp_path):
    true = _splits(tmp_path / "true.json", [1, 2, 3], [0.70, 0.80, 0.90])
    searched = _splits(tmp_path / "searched.json", [1, 2, 3], [0.75, 0.80, 0.80])
    assert main(["--reference", "rf-pretrained", "--model", "rf-pretrained", "--labels", "true,searched",
                 "--name", "p", "--output", str(tmp_path), "--reference-runs", true, "--", searched]) == 0
    result = json.loads((tmp_path / "p.json").read_text())
    assert (result["pooled"]["wins"], result["pooled"]["ties"], result["pooled"]["losses"]) == (1, 1, 1)
    assert result["runs"][0]["reference_file"] == "true.json"
    assert "| run | splits | true | searched |" in (tmp_path / "p.md").read_text()


def test_runs_with_other_splits_are_refused(tmp_path):
    true = _splits(tmp_path / "true.json", [1, 2], [0.7, 0.8])
    other = _splits(tmp_path / "other.json", [1, 5], [0.7, 0.8])
    with pytest.raises(ValueError, match="do not hold the same splits"):
        main(["--reference", "rf-pretrained", "--model", "rf-pretrained", "--name", "p", "--output", str(tmp_path),
              "--reference-runs", true, "--", other])
