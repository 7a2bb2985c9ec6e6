import json
import subprocess
import sys

import pytest

from astro_cyclic.cli import main


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "astro_cyclic.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_demo_as_a_user_runs_it(tmp_path):
    out = tmp_path / "demo"
    result = run("demo", "--n-stars", "140", "--epochs", "3", "--output", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "per-star test accuracy" in result.stdout and "confusion matrix" in result.stdout
    assert (out / "confusion_matrix.png").stat().st_size > 1000
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n_test"] == 28 and 0 <= metrics["accuracy"] <= 1
    assert (out / "model.pt").is_file()


def test_demo_never_overwrites_silently(tmp_path, capsys):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    with pytest.raises(SystemExit, match="not empty.*--overwrite"):
        main(["demo", "--output", str(out)])
    assert (out / "precious.txt").read_text() == "keep me"


def test_missing_real_data_is_a_clear_error(tmp_path, capsys):
    code = main(["demo", "--dataset", "eros1", "--data-home", str(tmp_path / "nowhere"),
                 "--output", str(tmp_path / "o")])
    assert code == 1
    assert "ASTRO_CYCLIC_DATA" in capsys.readouterr().err


def test_help():
    result = subprocess.run([sys.executable, "-m", "astro_cyclic.cli", "demo", "--help"], capture_output=True,
                            text=True)
    assert result.returncode == 0 and "--dataset" in result.stdout


def test_benchmark_rejects_unknown_models_before_loading_data(tmp_path, capsys):
    code = main(["benchmark", "--dataset", "eros1", "--data-home", str(tmp_path / "nowhere"),
                 "--models", "itcn,xgboost", "--output", str(tmp_path / "o")])
    assert code == 1
    assert "xgboost" in capsys.readouterr().err


def test_benchmark_missing_real_data_is_a_clear_error(tmp_path, capsys):
    code = main(["benchmark", "--dataset", "asas", "--data-home", str(tmp_path / "nowhere"),
                 "--output", str(tmp_path / "o"), "--quiet"])
    assert code == 1
    assert "ASTRO_CYCLIC_DATA" in capsys.readouterr().err
