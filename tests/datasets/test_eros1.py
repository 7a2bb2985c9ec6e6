import csv
import gzip
from pathlib import Path

import numpy as np
import pytest

from astro_cyclic import StarLightCurve
from astro_cyclic.datasets import DatasetNotFoundError, get_data_home, load_eros1
from astro_cyclic.datasets.eros1 import EROS1_CLASSES, EROS1_SOURCE

# ---------------------------------------------------------------------------
# Real data (skipped when absent)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def eros1_home(data_home):
    if not (Path(data_home) / "eros1").is_dir():
        pytest.skip(f"real survey data not found: no eros1/ in {data_home}")
    return data_home


@pytest.fixture(scope="module")
def eros1_red(eros1_home):
    return load_eros1(data_home=eros1_home)


def test_real_counts(eros1_red):
    data = eros1_red
    assert len(data.light_curves) == data.target.size == 3641
    assert dict(zip(*np.unique(data.subset, return_counts=True))) == {"train": 2912, "test": 729}
    assert dict(zip(*np.unique(data.target, return_counts=True))) == {
        "RRLyrae": 2231, "Cepheid": 736, "EB": 439, "Mira": 235}
    assert data.class_names == ["Cepheid", "EB", "Mira", "RRLyrae"]
    assert data.band == "r" and data.source == EROS1_SOURCE
    assert set(data.quality) <= {0, 1, 2, 3}
    assert len(set(data.star_ids)) == 3641
    assert data.subset[:2912].tolist() == ["train"] * 2912  # training stars first


def test_real_periods_and_light_curves(eros1_red):
    data = eros1_red
    assert np.all(data.periods > 0)
    for lc, period, star_id in zip(data.light_curves, data.periods, data.star_ids):
        assert isinstance(lc, StarLightCurve)
        assert lc.period == period and lc.star_id == star_id
    # First row of train.csv: period 2.35495 d found by the survey, div_period 7, type 3, quality 1.
    i = data.star_ids.tolist().index("135_9613")
    assert data.periods[i] == pytest.approx(2.35495 / 7)
    assert data.target[i] == "RRLyrae" and data.quality[i] == 1 and data.subset[i] == "train"
    lc = data.light_curves[i]
    assert len(lc) == 124
    assert lc.time[0] == 290.34 and lc.mag[0] == 18.75 and lc.err[0] == 0.16
    # Median periods order the classes as physics does.
    median = {name: np.median(data.periods[data.target == name]) for name in data.class_names}
    assert median["RRLyrae"] < 1 < median["Cepheid"] < median["Mira"]


def test_every_real_star_is_prepared_with_its_catalogue_period(eros1_home, eros1_red):
    """The period rules of preparation accept the whole survey, in each band and in both: a stricter reading
    of its rounding (0.01 d) once refused 138_6541's 0.0668 d period and stopped every fit on EROS-1."""
    from astro_cyclic import prepare_light_curves

    both = load_eros1(data_home=eros1_home, band=("b", "r"))
    for data in (eros1_red, both):
        stars = prepare_light_curves(data.light_curves)
        assert len(stars) == 3641 and {star.period_source for star in stars} == {"catalogue"}


def test_real_bands_differ_and_subsets(eros1_home, eros1_red):
    blue = load_eros1(data_home=eros1_home, band="b", subset="test")
    assert blue.band == "b" and len(blue.light_curves) == 729
    assert set(blue.subset) == {"test"}
    red_test = [lc for lc, s in zip(eros1_red.light_curves, eros1_red.subset) if s == "test"]
    np.testing.assert_array_equal(blue.star_ids, [lc.star_id for lc in red_test])
    np.testing.assert_array_equal(blue.periods, [lc.period for lc in red_test])
    assert not any(b == r for b, r in zip(blue.light_curves, red_test))
    assert np.median([np.mean(b.mag) - np.mean(r.mag) for b, r in zip(blue.light_curves, red_test)]) != 0


def test_real_two_bands_are_both_bands_of_each_star(eros1_home, eros1_red):
    both = load_eros1(data_home=eros1_home, band=("b", "r"), subset="test")
    blue = load_eros1(data_home=eros1_home, band="b", subset="test")
    red_test = [lc for lc, s in zip(eros1_red.light_curves, eros1_red.subset) if s == "test"]
    assert both.band == ("b", "r") and len(both.light_curves) == 729 and "blue and red" in both.DESCR
    for lc, b, r in zip(both.light_curves[:50], blue.light_curves, red_test):
        assert lc.bands == ("b", "r") and lc.period == r.period and lc.star_id == r.star_id
        assert lc.select_band("b") == StarLightCurve(b.time, b.mag, b.err, period=b.period, star_id=b.star_id)
        assert len(lc) == len(b) + len(r) and np.all(np.diff(lc.time) >= 0)


# ---------------------------------------------------------------------------
# Offline: tiny files in the same format
# ---------------------------------------------------------------------------

_STATIC_HEADER = ["Unnamed: 0", "patch_id", "star_id_b", "star_id_r", "magnitude_b", "magnitude_r",
                  "period", "frequency", "type", "quality", "div_period"]
_SERIES_HEADER = ["", "time_points_b", "time_points_r", "light_points_b", "light_points_r",
                  "error_points_b", "error_points_r", "bkg_points_b", "bkg_points_r",
                  "polltn_points_b", "polltn_points_r"]


def _star(star_id, type_code, quality, period, div, n=12, seed=0):
    rng = np.random.default_rng(seed)
    t_b = np.round(np.sort(rng.uniform(0, 1000, n)), 2)
    t_r = np.round(t_b + 0.04, 2)
    m_b = np.round(18 + 0.3 * np.sin(2 * np.pi * t_b / (period / div)), 2)
    m_r = np.round(m_b - 0.4, 2)
    e = np.round(rng.uniform(0.05, 0.2, n), 2)
    static = [star_id, 1.0, 2.0, 3.0, 18.0, 17.6, period, 1 / period, float(type_code), float(quality), float(div)]
    series = {"t_b": t_b, "t_r": t_r, "m_b": m_b, "m_r": m_r, "e_b": e, "e_r": e + 0.01}
    return static, series


def _list(values):
    return str([float(v) for v in values])


def _write_split(folder, split, stars, *, override=None):
    """Write ``<split>.csv`` and ``<split>_varlength_features.csv.gz``; ``override`` edits series cells."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{split}.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(_STATIC_HEADER)
        for static, _ in stars:
            w.writerow(static)
    with gzip.open(folder / f"{split}_varlength_features.csv.gz", "wt", newline="") as f:
        w = csv.writer(f)
        w.writerow(_SERIES_HEADER)
        for static, s in stars:
            row = [static[0], _list(s["t_b"]), _list(s["t_r"]), _list(s["m_b"]), _list(s["m_r"]),
                   _list(s["e_b"]), _list(s["e_r"]), "[0.0]", "[0.0]", "[0.0]", "[0.0]"]
            for (star_id, column), text in (override or {}).items():
                if star_id == static[0]:
                    row[_SERIES_HEADER.index(column)] = text
            w.writerow(row)


@pytest.fixture
def fake_home(tmp_path):
    train = [_star("1_10", 3, 2, 1.2, 2, seed=1), _star("1_11", 1, 0, 3.0, 1, seed=2),
             _star("2_12", 2, 3, 50.0, 5, seed=3)]
    test = [_star("3_13", 4, 1, 300.0, 1, seed=4), _star("3_14", 3, 2, 0.55, 1, seed=5)]
    _write_split(tmp_path / "eros1", "train", train)
    _write_split(tmp_path / "eros1", "test", test)
    return tmp_path, train + test


def test_fake_parsing(fake_home):
    home, stars = fake_home
    data = load_eros1(data_home=home)
    assert data.star_ids.tolist() == ["1_10", "1_11", "2_12", "3_13", "3_14"]
    assert data.target.tolist() == ["RRLyrae", "EB", "Cepheid", "Mira", "RRLyrae"]
    assert data.subset.tolist() == ["train"] * 3 + ["test"] * 2
    assert data.quality.tolist() == [2, 0, 3, 1, 2]
    np.testing.assert_allclose(data.periods, [0.6, 3.0, 10.0, 300.0, 0.55])
    for lc, (static, series) in zip(data.light_curves, stars):
        assert lc.star_id == static[0] and lc.period == static[6] / static[10]
        np.testing.assert_array_equal(lc.time, series["t_r"])
        np.testing.assert_array_equal(lc.mag, series["m_r"])
        np.testing.assert_array_equal(lc.err, series["e_r"])
    blue = load_eros1(data_home=home, band="b")
    for lc, (_, series) in zip(blue.light_curves, stars):
        np.testing.assert_array_equal(lc.time, series["t_b"])
        np.testing.assert_array_equal(lc.mag, series["m_b"])
    assert "EROS-1" in data.DESCR and "red" in data.DESCR and "blue" in blue.DESCR
    assert set(EROS1_CLASSES.values()) == {"EB", "Cepheid", "RRLyrae", "Mira"}


def test_fake_subsets_and_quality(fake_home):
    home, _ = fake_home
    assert load_eros1(data_home=home, subset="train").star_ids.tolist() == ["1_10", "1_11", "2_12"]
    assert load_eros1(data_home=home, subset="test").star_ids.tolist() == ["3_13", "3_14"]
    good = load_eros1(data_home=home, min_quality=2)
    assert good.star_ids.tolist() == ["1_10", "2_12", "3_14"]
    assert np.all(good.quality >= 2)


def test_env_var_is_used(fake_home, monkeypatch):
    home, _ = fake_home
    monkeypatch.setenv("ASTRO_CYCLIC_DATA", str(home))
    assert get_data_home() == home
    assert len(load_eros1().light_curves) == 5


def test_not_cleaned_and_nan_parsed(tmp_path):
    static, series = _star("5_50", 3, 1, 0.5, 1, n=5)
    override = {("5_50", "light_points_r"): "[18.1, nan, 99.0, 18.2, 18.3]"}
    _write_split(tmp_path / "eros1", "train", [(static, series)], override=override)
    lc = load_eros1(data_home=tmp_path, subset="train").light_curves[0]
    assert np.isnan(lc.mag[1]) and lc.mag[2] == 99.0  # left for the package's cleaning step


def test_missing_file_message(tmp_path, monkeypatch):
    monkeypatch.delenv("ASTRO_CYCLIC_DATA", raising=False)
    with pytest.raises(DatasetNotFoundError) as info:
        load_eros1(data_home=tmp_path)
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert "train.csv" in message and str(tmp_path / "eros1") in message
    assert "ASTRO_CYCLIC_DATA" in message and "data_home" in message
    assert "https://github.com/ramp-kits/variable_stars" in message
    # Only the files of the requested subset are required.
    static, series = _star("1_1", 3, 1, 0.5, 1)
    _write_split(tmp_path / "eros1", "test", [(static, series)])
    assert len(load_eros1(data_home=tmp_path, subset="test").light_curves) == 1
    (tmp_path / "eros1" / "test_varlength_features.csv.gz").unlink()
    with pytest.raises(DatasetNotFoundError, match="test_varlength_features.csv.gz"):
        load_eros1(data_home=tmp_path, subset="test")


def test_mismatched_lengths_name_the_star(tmp_path):
    good = _star("1_1", 3, 1, 0.5, 1, seed=1)
    bad = _star("7_77", 2, 1, 5.0, 1, seed=2)
    override = {("7_77", "error_points_r"): _list(bad[1]["e_r"][:-1])}
    _write_split(tmp_path / "eros1", "train", [good, bad], override=override)
    with pytest.raises(ValueError, match=r"'7_77'.*train_varlength_features\.csv\.gz") as info:
        load_eros1(data_home=tmp_path, subset="train")
    assert "error_points_r has 11" in str(info.value)
    # The other band of the same star is intact and loads.
    assert len(load_eros1(data_home=tmp_path, subset="train", band="b").light_curves) == 2


def test_unparsable_row_names_the_star(tmp_path):
    star = _star("8_88", 1, 1, 2.0, 1)
    _write_split(tmp_path / "eros1", "test", [star], override={("8_88", "time_points_r"): "[1.0, 2.0, oops]"})
    with pytest.raises(ValueError, match=r"'8_88'.*test_varlength_features"):
        load_eros1(data_home=tmp_path, subset="test")


def test_bad_static_row_names_the_star(tmp_path):
    static, series = _star("9_99", 3, 1, 0.5, 1)
    static[_STATIC_HEADER.index("div_period")] = "x"
    _write_split(tmp_path / "eros1", "test", [(static, series)])
    with pytest.raises(ValueError, match=r"'9_99' in test\.csv"):
        load_eros1(data_home=tmp_path, subset="test")


def test_star_without_light_curve(tmp_path):
    a, b = _star("1_1", 3, 1, 0.5, 1), _star("1_2", 3, 1, 0.5, 1)
    _write_split(tmp_path / "eros1", "test", [a, b])
    with gzip.open(tmp_path / "eros1" / "test_varlength_features.csv.gz", "rt", newline="") as f:
        rows = list(csv.reader(f))
    with gzip.open(tmp_path / "eros1" / "test_varlength_features.csv.gz", "wt", newline="") as f:
        csv.writer(f).writerows(rows[:2])  # drop star 1_2
    with pytest.raises(ValueError, match="'1_2'.*no light curve"):
        load_eros1(data_home=tmp_path, subset="test")


def test_corrupt_gzip_names_the_file(tmp_path):
    _write_split(tmp_path / "eros1", "test", [_star("1_1", 3, 1, 0.5, 1)])
    (tmp_path / "eros1" / "test_varlength_features.csv.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="test_varlength_features.csv.gz"):
        load_eros1(data_home=tmp_path, subset="test")


@pytest.mark.parametrize("kwargs, match", [
    (dict(band="g"), "band must be one of 'b', 'r'; got 'g'"),
    (dict(subset="validation"), "subset must be one of 'all', 'train', 'test'; got 'validation'"),
    (dict(min_quality=1.5), "min_quality"),
])
def test_invalid_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_eros1(data_home=tmp_path, **kwargs)


def test_get_data_home(tmp_path, monkeypatch):
    assert get_data_home(tmp_path / "x") == tmp_path / "x"
    monkeypatch.setenv("ASTRO_CYCLIC_DATA", str(tmp_path / "env"))
    assert get_data_home() == tmp_path / "env"
    assert get_data_home(str(tmp_path)) == tmp_path  # the argument wins
    monkeypatch.setenv("ASTRO_CYCLIC_DATA", "")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home() == tmp_path / ".astro_cyclic" / "data"
    assert not (tmp_path / ".astro_cyclic").exists()  # never created
