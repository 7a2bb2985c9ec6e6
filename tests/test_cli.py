import json
import os
import subprocess
import sys

import numpy as np
import pytest
from astropy import units as u
from astropy.table import Table

from astro_cyclic import PeriodSearch, clean_light_curve
from astro_cyclic.cli import main
from astro_cyclic.io import read_light_curves
from astro_cyclic.datasets import make_periodic_variables

# One OpenMP thread in the subprocesses: two busy-waiting pools (pytest's and the child's) on a
# 2-core machine can slow a test many-fold.
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
SUBCOMMANDS = ("demo", "period", "fit", "predict", "evaluate")


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "astro_cyclic.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env=ENV)


def test_demo_as_a_user_runs_it(tmp_path):
    out = tmp_path / "demo"
    result = run("demo", "--n-stars", "70", "--epochs", "2", "--segment-length", "50", "--output", str(out),
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "per-star test accuracy" in result.stdout and "confusion matrix" in result.stdout
    assert (out / "confusion_matrix.png").stat().st_size > 1000
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n_test"] == 14 and 0 <= metrics["accuracy"] <= 1
    assert (out / "model.pt").is_file()
    # The test stars written as files, classified through the file commands, get the demo's answer.
    assert len(list((out / "test_lightcurves").glob("*.ecsv"))) == 14
    result = run("evaluate", str(out / "test_lightcurves"), "--labels", str(out / "test_stars.csv"),
                 "--period-table", str(out / "test_stars.csv"), "--model", str(out / "model.pt"),
                 "--output", str(tmp_path / "m.json"), "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "m.json").read_text())["accuracy"] == metrics["accuracy"]


def test_demo_never_overwrites_silently(tmp_path, capsys):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    assert main(["demo", "--output", str(out)]) == 1
    assert "not empty; choose another or pass --overwrite" in capsys.readouterr().err
    assert (out / "precious.txt").read_text() == "keep me"
    assert main(["demo", "--output", str(out / "precious.txt")]) == 1
    assert "is not a folder" in capsys.readouterr().err


def test_missing_real_data_is_a_clear_error(tmp_path, capsys):
    code = main(["demo", "--dataset", "eros1", "--data-home", str(tmp_path / "nowhere"),
                 "--output", str(tmp_path / "o")])
    assert code == 1
    assert "ASTRO_CYCLIC_DATA" in capsys.readouterr().err


@pytest.mark.parametrize("command, option", [("demo", "--dataset"), ("period", "--time-column"),
                                             ("fit", "--labels"), ("predict", "--period-table"),
                                             ("evaluate", "--predictions")])
def test_help_of_every_subcommand(command, option, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: astro-cyclic {command}") and option in out


def test_every_subcommand_is_listed_in_the_main_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert all(command in out for command in SUBCOMMANDS)


# ------------------------------------------------------------- light-curve files in, tables out
def _write_survey(folder, n_stars=24):
    """A small labelled survey as a user would hold it: CSV, ECSV (in a sub-folder) and FITS files."""
    survey = make_periodic_variables(n_stars, classes=["RRab", "EA"], n_points=(60, 120), random_state=3)
    (folder / "sub").mkdir(parents=True)
    for i, lc in enumerate(survey.light_curves):
        table = Table({"time": lc.time, "mag": lc.mag, "mag_err": lc.err})
        table.write(folder / ("sub" if i % 3 == 1 else ".") / f"{lc.star_id}{('.csv', '.ecsv', '.fits')[i % 3]}")
    return survey


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Files, a label table and a model trained on them by ``astro-cyclic fit``, once for the module."""
    root = tmp_path_factory.mktemp("cli")
    survey = _write_survey(root / "lcs")
    Table({"star_id": survey.star_ids, "class": survey.target, "period": survey.periods}).write(root / "labels.csv")
    result = run("fit", "lcs", "--labels", "labels.csv", "--period-table", "labels.csv", "--model", "model.pt",
                 "--epochs", "2", "--segment-length", "32", "--seed", "1", "--quiet", cwd=root)
    return root, survey, result


def test_fit_trains_on_every_labelled_file(trained):
    root, survey, result = trained
    assert result.returncode == 0, result.stderr
    assert "training itcn on 24 stars (EA 12, RRab 12)" in result.stdout
    assert (root / "model.pt").is_file()


def _fit_and_predict_a_forest(root, survey, capsys, estimator, name):
    """Fit a forest from the command line, predict with it, and check the table against the saved forest's own
    probabilities; the fit's first message and the loaded forest are returned."""
    from astro_cyclic import RichardsForestClassifier

    common = [str(root / "lcs"), "--labels", str(root / "labels.csv"), "--period-table", str(root / "labels.csv"),
              "-q"]
    assert main(["fit", *common, "--estimator", estimator, "--model", str(root / f"{name}.pt")]) == 0
    message = capsys.readouterr().out
    assert main(["predict", str(root / "lcs"), "--period-table", str(root / "labels.csv"), "--model",
                 str(root / f"{name}.pt"), "-o", str(root / f"{name}.ecsv"), "-q"]) == 0
    table = Table.read(root / f"{name}.ecsv")
    assert table.colnames[:2] == ["star_id", "file"] and "proba_EA" in table.colnames
    forest = RichardsForestClassifier.load(root / f"{name}.pt")
    by_id = {lc.star_id: lc for lc in survey.light_curves}
    expected = forest.predict_proba([by_id[i] for i in table["star_id"]])
    np.testing.assert_allclose(np.column_stack([table["proba_EA"], table["proba_RRab"]]), expected, atol=1e-12)
    return common, message, forest


def test_the_forest_and_the_hybrid_fit_save_predict_and_evaluate_like_the_network(trained, capsys):
    root, survey, _ = trained
    common, message, _ = _fit_and_predict_a_forest(root, survey, capsys, "rf", "forest")
    assert "training random forest (Richards features) on 24 stars" in message
    assert main(["evaluate", *common, "--model", str(root / "forest.pt"), "-o", str(root / "forest.json")]) == 0
    metrics = json.loads((root / "forest.json").read_text())
    assert metrics["accuracy"] == 1.0 and set(metrics["per_class"]["EA"]) == {"precision", "recall", "f1", "support"}
    assert main(["fit", *common, "--estimator", "hybrid", "--epochs", "1", "--segment-length", "32",
                 "--model", str(root / "hybrid.pt")]) == 0
    assert "training itcn hybrid (Richards features) on 24 stars" in capsys.readouterr().out


def test_the_forest_with_pretrained_features_fits_predicts_and_names_a_bad_model(trained, capsys):
    root, survey, _ = trained
    common, message, forest = _fit_and_predict_a_forest(root, survey, capsys, "rf-pretrained", "rfp")
    assert "and the itcn-sim-asas-eros1 network's features) on 24 stars" in message
    assert forest.extra_features_.n_features_out_ > 0
    # The model is refused before the files are read: a missing folder of light curves is not reached.
    missing = [str(root / "no-such-folder"), *common[1:]]
    assert main(["fit", *missing, "--estimator", "rf-pretrained", "--pretrained", "no-such-model",
                 "--model", str(root / "bad.pt")]) != 0
    err = capsys.readouterr().err
    assert "no-such-model" in err and "no-such-folder" not in err and not (root / "bad.pt").exists()
    assert main(["fit", *common, "--estimator", "rf", "--pretrained", "no-such-model",
                 "--model", str(root / "bad.pt")]) != 0
    assert "--estimator rf takes none" in capsys.readouterr().err


def test_predict_writes_one_row_per_good_file_and_names_the_bad_ones(trained):
    root, survey, _ = trained
    (root / "bad").mkdir(exist_ok=True)
    (root / "bad" / "text.csv").write_text("time,mag\n1,abc\n2,3\n")
    (root / "bad" / "corrupt.fits").write_bytes(b"\x00garbage" * 50)
    (root / "bad" / "short.csv").write_text("time,mag\n1,15.0\n2,15.2\n3,15.1\n")
    result = run("predict", "lcs", "bad/text.csv", "bad/corrupt.fits", "bad/short.csv", "missing.csv",
                 "--model", "model.pt", "--output", "predictions.csv", cwd=root)
    assert result.returncode == 1
    for name, why in [("bad/text.csv", "not numbers"), ("bad/corrupt.fits", "cannot read it as fits"),
                      ("bad/short.csv", "only 3 of 3 points are usable"), ("missing.csv", "no such file")]:
        assert f"astro-cyclic: error: {name}: " in result.stderr and why in result.stderr, result.stderr
    assert "5 problem(s)" not in result.stderr and "4 problem(s)" in result.stderr

    table = Table.read(root / "predictions.csv")
    assert table.colnames == ["star_id", "file", "n_points", "period", "period_source", "period_flags",
                              "predicted_class", "proba_EA", "proba_RRab"]
    assert sorted(table["star_id"]) == sorted(survey.star_ids)  # every good file, once
    proba = np.column_stack([table["proba_EA"], table["proba_RRab"]])
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert list(table["predicted_class"]) == list(np.array(["EA", "RRab"])[proba.argmax(axis=1)])
    assert set(table["period_source"]) == {"search"}
    # The model's period search (the default one) on each file, as from Python.
    search = PeriodSearch()
    expected = [search(clean_light_curve(read_light_curves(root / path)[0])) for path in table["file"]]
    np.testing.assert_allclose(table["period"], expected, rtol=1e-9)


def test_predict_uses_catalogue_periods_and_writes_ecsv_with_units(trained, capsys):
    root, survey, _ = trained
    out = root / "catalogue.ecsv"
    code = main(["predict", str(root / "lcs"), "--model", str(root / "model.pt"), "--period-table",
                 str(root / "labels.csv"), "--output", str(out), "--quiet"])
    assert code == 0
    table = Table.read(out)
    assert table["period"].unit == u.day and set(table["period_source"]) == {"table"}
    truth = dict(zip(survey.star_ids, survey.periods))
    np.testing.assert_allclose(table["period"].value, [truth[s] for s in table["star_id"]])
    # predict_table's columns and metadata, with the file of each star and the model file.
    assert table.meta["model"] == "CyclicClassifier" and table.meta["model_file"] == str(root / "model.pt")
    assert table.meta["params"]["architecture"] == "'itcn'" and "astro_cyclic_version" in table.meta
    assert table.colnames[:7] == ["star_id", "file", "n_points", "period", "period_source", "period_flags",
                                  "predicted_class"]


def test_predict_without_output_writes_csv_to_stdout(trained, capsys):
    root, survey, _ = trained
    code = main(["predict", str(root / "lcs" / "sub"), "--model", str(root / "model.pt"), "--quiet"])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("star_id,file,n_points,period,") and len(lines) == 1 + 8


def test_evaluate_prints_and_writes_the_scores(trained, capsys):
    root, survey, _ = trained
    code = main(["evaluate", str(root / "lcs"), "--labels", str(root / "labels.csv"), "--period-table",
                 str(root / "labels.csv"), "--model", str(root / "model.pt"), "--output", str(root / "m.json"),
                 "--predictions", str(root / "p.ecsv"), "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    metrics = json.loads((root / "m.json").read_text())
    table = Table.read(root / "p.ecsv")
    right = table["predicted_class"] == table["true_class"]
    assert metrics["accuracy"] == pytest.approx(right.mean())
    recall = [right[table["true_class"] == c].mean() for c in ("EA", "RRab")]
    assert metrics["balanced_accuracy"] == pytest.approx(np.mean(recall))
    assert metrics["labels"] == ["EA", "RRab"] and np.sum(metrics["confusion_matrix"]) == 24
    for c, r in zip(("EA", "RRab"), recall):
        called = table["predicted_class"] == c
        assert metrics["per_class"][c]["recall"] == pytest.approx(r)
        assert metrics["per_class"][c]["precision"] == pytest.approx(right[called].mean() if called.any() else 0)
        assert metrics["per_class"][c]["support"] == int(np.sum(table["true_class"] == c))
    assert f"per-star accuracy: {metrics['accuracy']:.3f}" in printed and "confusion matrix" in printed


def test_evaluate_reports_stars_without_labels_and_unseen_classes(trained, capsys):
    root, survey, _ = trained
    labels = Table.read(root / "labels.csv")
    labels["class"][labels["star_id"] == survey.star_ids[0]] = "Mira"  # a class the model never saw
    labels.remove_row(int(np.flatnonzero(labels["star_id"] == survey.star_ids[1])[0]))
    labels.write(root / "partial.csv")
    code = main(["evaluate", str(root / "lcs"), "--labels", str(root / "partial.csv"), "--model",
                 str(root / "model.pt"), "--output", str(root / "partial.json"), "--quiet"])
    assert code == 1
    captured = capsys.readouterr()
    assert f"1 star(s) have no label there and were left out: '{survey.star_ids[1]}'" in captured.err
    assert "never saw (always counted wrong): Mira" in captured.out
    metrics = json.loads((root / "partial.json").read_text())
    assert metrics["n_stars"] == 23 and metrics["labels"] == ["EA", "RRab", "Mira"]
    assert metrics["confusion_matrix"][2] == [1, 0, 0] or metrics["confusion_matrix"][2] == [0, 1, 0]


def test_outputs_are_never_overwritten_without_overwrite(trained, capsys):
    root, _, _ = trained
    out = root / "taken.csv"
    out.write_text("keep me")
    args = ["predict", str(root / "lcs" / "sub"), "--model", str(root / "model.pt"), "--output", str(out), "-q"]
    assert main(args) == 1
    assert "taken.csv exists" in capsys.readouterr().err and out.read_text() == "keep me"
    # fit refuses before reading any file or training: the input does not even exist.
    assert main(["fit", "nowhere", "--labels", "nowhere.csv", "--model", str(root / "model.pt")]) == 1
    assert "model.pt exists" in capsys.readouterr().err
    assert main(args + ["--overwrite"]) == 0
    assert len(Table.read(out)) == 8


def test_period_recovers_known_sine_periods(tmp_path):
    rng = np.random.default_rng(0)
    periods = {"sine-a": 0.3712, "sine-b": 7.913}
    for (name, period), suffix in zip(periods.items(), (".csv", ".ecsv")):
        t = np.sort(rng.uniform(0, 400, 150))
        vmag = 14 + 0.3 * np.sin(2 * np.pi * t / period) + rng.normal(0, 0.03, t.size)
        Table({"hjd": t, "vmag": vmag, "e_vmag": np.full(t.size, 0.03)}).write(tmp_path / f"{name}{suffix}")
    result = run("period", "sine-a.csv", "sine-b.ecsv", "--time-column", "hjd", "--mag-column", "vmag",
                 "--err-column", "e_vmag", "--output", "periods.ecsv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    table = Table.read(tmp_path / "periods.ecsv")
    assert table.colnames == ["star_id", "file", "n_points", "period", "period_uncertainty",
                              "false_alarm_probability", "flags", "other_periods"]
    assert table["period"].unit == table["period_uncertainty"].unit == u.day
    for row in table:
        assert row["period"] == pytest.approx(periods[row["star_id"]], rel=1e-3)
        assert row["false_alarm_probability"] < 1e-6 and row["flags"] == "chosen"
        assert len(row["other_periods"].split()) == 4


def test_period_files_with_time_sentinels_or_seconds_do_not_stop_the_others(tmp_path, capsys):
    """A 0 among Julian dates is dropped with a warning; times in seconds are refused with the file named;
    the good files still get their periods (before, one such file took 23 GB and stopped the run)."""
    rng = np.random.default_rng(4)
    t = np.sort(2450000 + rng.uniform(0, 400, 150))
    mag = 14 + 0.3 * np.sin(2 * np.pi * t / 0.61) + rng.normal(0, 0.03, t.size)
    Table({"time": t, "mag": mag}).write(tmp_path / "good.csv")
    Table({"time": np.r_[0.0, t], "mag": np.r_[14.0, mag]}).write(tmp_path / "sentinel.csv")
    Table({"time": (t - t[0]) * 86400.0 * 20, "mag": mag}).write(tmp_path / "seconds.csv")
    with pytest.warns(UserWarning, match="dropped 1 time\\(s\\) far from all the others \\(0;"):
        code = main(["period", str(tmp_path / "good.csv"), str(tmp_path / "sentinel.csv"),
                     str(tmp_path / "seconds.csv"), "-o", str(tmp_path / "periods.ecsv"), "-q"])
    assert code == 1
    assert "seconds.csv: star 'seconds': the times span" in capsys.readouterr().err
    table = Table.read(tmp_path / "periods.ecsv")
    assert table["star_id"].tolist() == ["good", "sentinel"]
    np.testing.assert_allclose(table["period"], 0.61, rtol=1e-3)


def test_period_reports_missing_inputs_and_empty_folders(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code = main(["period", str(tmp_path / "nowhere.csv"), str(tmp_path / "empty"), "-q"])
    assert code == 1
    err = capsys.readouterr().err
    assert "nowhere.csv: no such file or folder" in err and "empty: no light-curve files in this folder" in err


def test_bad_options_are_refused_before_any_file_is_read(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", "nowhere", "--labels", "l.csv", "--model", "m.pt", "--epochs", "0"])
    assert exit_info.value.code == 2 and "--epochs: must be a positive integer, got 0" in capsys.readouterr().err
    assert main(["period", "nowhere", "--min-period", "2", "--max-period", "1"]) == 1
    err = capsys.readouterr().err
    assert "need 0 < --min-period < --max-period" in err and "nowhere" not in err


def test_version_and_help_answer_without_the_heavy_libraries():
    """--help and --version import neither torch nor scikit-learn (they took 7.5 s when the CLI did)."""
    from astro_cyclic import __version__

    code = ("import sys\nfrom astro_cyclic.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in ('torch', 'sklearn', 'astropy.table', 'scipy.stats') if m in sys.modules)\n"
            "print('heavy:', heavy)")
    for args in (["--version"], ["--help"], ["fit", "--help"]):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                              env=ENV)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().endswith("heavy: []"), (args, done.stdout[-300:])
        if args == ["--version"]:
            assert done.stdout.startswith(f"astro-cyclic {__version__}")


def test_help_names_every_registered_choice(capsys):
    """The option help lists the registries' names as text (importing them would make --help slow)."""
    from astro_cyclic.io import FILE_FORMATS
    from astro_cyclic.nn import ARCHITECTURES
    from astro_cyclic.period import PERIOD_METHODS

    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in [*FILE_FORMATS, *PERIOD_METHODS, *ARCHITECTURES]:
        assert name in text, name
    from astro_cyclic.datasets import DATASETS

    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in DATASETS:
        assert name in text, name


@pytest.mark.parametrize("option, value, message", [("--architecture", "cnn", "architecture must be one of"),
                                                    ("--format", "xlsx", "file format must be one of"),
                                                    ("--period-method", "slow", "period method must be one of")])
def test_bad_choices_are_refused_before_any_work(tmp_path, capsys, option, value, message):
    (tmp_path / "labels.csv").write_text("star_id,class\na,RRab\n")
    code = main(["fit", str(tmp_path), "--labels", str(tmp_path / "labels.csv"), "--model",
                 str(tmp_path / "m.pt"), option, value])
    assert code == 1
    err = capsys.readouterr().err
    assert message in err and f"got '{value}'" in err


def test_files_with_a_band_column_fit_and_predict_as_multiband_stars(tmp_path):
    from astro_cyclic.io import write_light_curve

    survey = make_periodic_variables(24, classes=["RRab", "EA"], n_points=(60, 120), bands=("g", "r"),
                                     random_state=4)
    for lc in survey.light_curves:
        write_light_curve(lc, tmp_path / "lcs" / f"{lc.star_id}.csv")
    Table({"star_id": survey.star_ids, "class": survey.target, "period": survey.periods}).write(
        tmp_path / "labels.csv")
    result = run("fit", "lcs", "--labels", "labels.csv", "--period-table", "labels.csv", "--model", "model.pt",
                 "--epochs", "1", "--segment-length", "32", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    from astro_cyclic import CyclicClassifier

    assert CyclicClassifier.load(tmp_path / "model.pt").bands_ == ("g", "r")
    result = run("predict", "lcs", "--model", "model.pt", "--output", "p.csv", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(Table.read(tmp_path / "p.csv")) == 24
    # Read as one band (--band-column pointing elsewhere), the files are refused, not misread.
    result = run("predict", "lcs", "--model", "model.pt", "--band-column", "filter", "-q", cwd=tmp_path)
    assert result.returncode == 1 and "has no band labels" in result.stderr


def test_period_searches_all_bands_of_a_multiband_file(tmp_path):
    """Bands 3 mag apart observed on alternate nights: one band's magnitudes must not be read as another's."""
    from astro_cyclic import PeriodSearch, StarLightCurve

    rng = np.random.default_rng(7)
    nights = np.arange(200)
    t = np.sort(nights + rng.uniform(0.3, 0.4, nights.size))
    band = np.where(nights % 2 == 0, "g", "r")
    period = 0.41725
    mag = np.where(band == "g", 15.0, 12.0) + 0.3 * np.sin(2 * np.pi * t / period) + rng.normal(0, 0.02, t.size)
    Table({"time": t, "mag": mag, "err": np.full(t.size, 0.02), "band": band}).write(tmp_path / "star.csv")
    result = run("period", "star.csv", "--output", "periods.ecsv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    found = Table.read(tmp_path / "periods.ecsv")["period"][0]
    expected = PeriodSearch()(StarLightCurve(t, mag, np.full(t.size, 0.02), band=band))
    assert found == pytest.approx(expected, rel=1e-9) and found == pytest.approx(period, rel=1e-3)
