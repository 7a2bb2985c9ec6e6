"""benchmarks/paper_protocol.py: the paper's protocol from the command line, on a tiny synthetic survey."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from astro_cyclic.datasets import make_periodic_variables
from paper_protocol import _with_searched_periods, main

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "paper_protocol.py"


def _cli(*args, cwd):
    # One torch thread: the test network is tiny, and two busy OpenMP pools on a 2-core CI slow it badly.
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=cwd, env=env,
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


def test_searched_models_get_the_searched_periods_of_the_same_stars(tmp_path):
    # The synthetic survey carries true periods; rf-searched must train on PeriodSearch()'s instead.
    args = ("--dataset", "synthetic", "--n-stars", "40", "--models", "rf,rf-searched", "--n-splits", "1",
            "--output", str(tmp_path / "res"), "--name", "searched", "--quiet")
    assert main(list(args)) == 0
    saved = json.loads((tmp_path / "res" / "searched.json").read_text())
    assert list(saved["summary"]) == ["rf", "rf-searched"]
    assert "periods found by PeriodSearch()" in saved["metadata"]["dataset"]
    assert saved["metadata"]["models"]["rf-searched"]["own_inputs"] is True
    assert "own_inputs" not in saved["metadata"]["models"]["rf"]


def test_searched_periods_replace_the_catalogue_periods_only_when_asked(tmp_path):
    survey = make_periodic_variables(6, classes=["RRab"], n_points=(150, 200), random_state=1)
    true = np.array([lc.period for lc in survey.light_curves])
    wrong = [lc.with_period(3 * lc.period) for lc in survey.light_curves]
    kept = _with_searched_periods(wrong, False, str(tmp_path / "cache"))
    assert [lc.period for lc in kept] == list(3 * true)
    searched = np.array([lc.period for lc in _with_searched_periods(wrong, False, str(tmp_path / "cache"),
                                                                    replace=True)])
    np.testing.assert_allclose(searched, true, rtol=0.01)


def test_benchmark_help_explains_the_full_protocol():
    result = _cli("--help", cwd=None)
    assert result.returncode == 0
    assert "--dataset" in result.stdout and "--n-splits" in result.stdout and "hours" in result.stdout


def test_unknown_models_are_refused_before_loading_data(tmp_path, capsys):
    code = main(["--dataset", "eros1", "--data-home", str(tmp_path / "nowhere"),
                 "--models", "itcn,xgboost", "--output", str(tmp_path / "o")])
    assert code == 1
    assert "xgboost" in capsys.readouterr().err


def test_missing_real_data_is_a_clear_error(tmp_path, capsys):
    code = main(["--dataset", "asas", "--data-home", str(tmp_path / "nowhere"), "--output", str(tmp_path / "o"),
                 "--quiet"])
    assert code == 1
    assert "ASTRO_CYCLIC_DATA" in capsys.readouterr().err


def test_rf_pretrained_is_the_forest_given_the_pretrained_networks_features(tmp_path):
    args = ("--dataset", "synthetic", "--n-stars", "40", "--models", "rf,rf-pretrained", "--n-splits", "1",
            "--output", str(tmp_path / "res"), "--name", "pre", "--quiet")
    assert main(list(args)) == 0
    saved = json.loads((tmp_path / "res" / "pre.json").read_text())
    assert list(saved["summary"]) == ["rf", "rf-pretrained"]
    assert saved["metadata"]["models"]["rf-pretrained"]["params"]["extra_features"] == "PretrainedFeatures()"
