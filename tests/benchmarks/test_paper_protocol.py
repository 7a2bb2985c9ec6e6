"""benchmarks/paper_protocol.py: the paper's protocol from the command line, on a tiny synthetic survey."""

import json
import os
import subprocess
import sys
from pathlib import Path

from paper_protocol import main

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
