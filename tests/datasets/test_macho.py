import csv
from pathlib import Path

import numpy as np
import pytest

from astro_cyclic import StarLightCurve
from astro_cyclic.datasets import (MACHO_CLASSES, DatasetNotFoundError, load_macho, load_macho_catalog,
                                   select_classes)
from astro_cyclic.datasets.macho import MACHO_SOURCE

# ---------------------------------------------------------------------------
# Real data (skipped when absent)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def macho_home(data_home):
    if not (Path(data_home) / "macho_sample").is_dir():
        pytest.skip(f"real survey data not found: no macho_sample/ in {data_home}")
    return data_home


@pytest.fixture(scope="module")
def macho_red(macho_home):
    return load_macho(data_home=macho_home)


def test_real_counts(macho_red):
    data = macho_red
    assert len(data.light_curves) == data.target.size == 15
    assert dict(zip(*np.unique(data.target, return_counts=True))) == {
        "RRL AB": 6, "RRL C": 1, "RRL E": 1, "Ceph Fundamental": 3, "LPV WoodB": 2, "EB": 2}
    assert data.source == MACHO_SOURCE and data.band == "r"
    assert data.star_ids[0] == "1.3319.10"
    assert all(MACHO_CLASSES[c] == name for c, name in zip(data.class_codes, data.target))


def test_real_light_curves_and_periods(macho_home, macho_red):
    data = macho_red
    i = data.star_ids.tolist().index("1.3441.15")
    assert data.target[i] == "Ceph Fundamental" and data.periods[i] == pytest.approx(10.413375)
    for lc, period, star_id in zip(data.light_curves, data.periods, data.star_ids):
        assert isinstance(lc, StarLightCurve) and lc.period == period and lc.star_id == star_id
        assert np.all(lc.mag != -99) and 48000 < lc.time.min() and lc.time.max() < 52000  # MJD 1990-2001
    # LC_1.3319.10.csv: 1,184 epochs, 570 without a red measurement, 29 without a blue one.
    assert len(data.light_curves[0]) == 614
    blue = load_macho(data_home=macho_home, band="b")
    assert len(blue.light_curves[0]) == 1155 and blue.band == "b"
    np.testing.assert_array_equal(blue.star_ids, data.star_ids)
    assert blue.periods[i] == pytest.approx(10.413375)


def test_real_catalog(macho_home):
    cat = load_macho_catalog(data_home=macho_home)
    assert len(cat) == 21474
    counts = dict(zip(*np.unique(cat["classification"], return_counts=True)))
    assert counts == {1: 7405, 2: 1765, 3: 315, 4: 1185, 5: 683, 6: 315, 7: 822, 8: 1134, 9: 778,
                      10: 6835, 11: 237}
    # The code-to-name mapping agrees with the physics: median periods (days).
    median = {name: np.median(cat["period_r"][cat["class_name"] == name]) for name in MACHO_CLASSES.values()}
    assert median["RRL E"] < median["RRL C"] < median["RRL AB"] < 1 < median["Ceph 1st Overtone"]
    assert median["Ceph 1st Overtone"] < median["Ceph Fundamental"]
    assert median["LPV WoodA"] < median["LPV WoodB"] < median["LPV WoodC"] < median["LPV WoodD"]
    # Code 11 (RR Lyrae blends): RR Lyrae periods, but brighter than code 1 (light of another star).
    assert abs(median["RRL + GB"] / median["RRL AB"] - 1) < 0.05
    assert np.median(cat["magave_kv"][cat["classification"] == 11]) < np.median(
        cat["magave_kv"][cat["classification"] == 1])
    idx, labels = select_classes(cat["class_name"], groups={"LPV": [f"LPV Wood{x}" for x in "ABCD"]})
    assert (labels == "LPV").sum() == 315 + 822 + 1134 + 778 and idx.size == len(cat)


# ---------------------------------------------------------------------------
# Offline: tiny files in the same format
# ---------------------------------------------------------------------------

_CAT_HEADER = ["starid", "rarad", "decrad", "field", "tile", "seqn", "period_r", "period_b", "classification"]
_PHOT_HEADER = ["fieldid", "tileid", "seqn", "obsid", "dateobs", "exposure", "airmass", "rmag", "rerr",
                "rnormsky", "bmag", "berr", "bnormsky"]


def _write(root, catalog_rows, phot):
    folder = root / "macho_sample"
    (folder / "photometry" / "data_TAPquery").mkdir(parents=True, exist_ok=True)
    with open(folder / "macho_vs_catalog.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(_CAT_HEADER)
        w.writerows(catalog_rows)
    for name, rows in phot.items():
        with open(folder / "photometry" / "data_TAPquery" / f"LC_{name}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(_PHOT_HEADER)
            w.writerows(rows)
    return folder


def _phot_rows(field, tile, seqn, n=8, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        r, b = round(-5 + 0.3 * np.sin(k), 3), round(-4.5 + 0.3 * np.sin(k), 3)
        rows.append([field, tile, seqn, k, 49000 + 1.5 * k, 300.0, 1.3, r, round(rng.uniform(0.01, 0.1), 3),
                     0.0, b, 0.05, 0.0])
    rows[2][7:9] = [-99.0, -99.0]   # no red measurement on that epoch
    rows[3][8] = -99.0              # a red magnitude with an unusable error: kept for cleaning
    rows[5][10:12] = [-99.0, -99.0]  # no blue measurement
    return rows


@pytest.fixture
def fake_home(tmp_path):
    catalog = [[1, 1.3, -1.2, 2, 5000, 7, 0.55, 0.55, 1], [2, 1.3, -1.2, 2, 5000, 30, 120.0, 119.0, 8],
               [3, 1.3, -1.2, 2, 5001, 1, 1.1, 1.1, 10]]  # star 2.5001.1 has no photometry
    _write(tmp_path, catalog, {"2.5000.7": _phot_rows(2, 5000, 7, seed=1),
                               "2.5000.30": _phot_rows(2, 5000, 30, seed=2)})
    return tmp_path


def test_fake_parsing(fake_home):
    data = load_macho(data_home=fake_home)
    assert data.star_ids.tolist() == ["2.5000.7", "2.5000.30"]  # numeric order of the sequence number
    assert data.target.tolist() == ["RRL AB", "LPV WoodC"] and data.class_codes.tolist() == [1, 8]
    np.testing.assert_array_equal(data.periods, [0.55, 120.0])
    lc = data.light_curves[0]
    assert len(lc) == 7 and 49003.0 not in lc.time and lc.err[2] == -99.0
    blue = load_macho(data_home=fake_home, band="b")
    assert len(blue.light_curves[0]) == 7 and 49007.5 not in blue.light_curves[0].time
    assert blue.periods[1] == 119.0
    both = load_macho(data_home=fake_home, band=("r", "b"))
    assert both.band == ("r", "b") and both.periods[1] == 120.0  # the first band's period
    b_part, b_only = both.light_curves[0].select_band("b"), blue.light_curves[0]
    order = np.argsort(b_only.time, kind="stable")
    np.testing.assert_array_equal(b_part.time, b_only.time[order])
    np.testing.assert_array_equal(b_part.mag, b_only.mag[order])
    assert len(both.light_curves[0]) == 14 and both.light_curves[0].bands == ("b", "r")


def test_unlabelled_photometry_warns(fake_home):
    folder = fake_home / "macho_sample" / "photometry" / "data_TAPquery"
    (folder / "LC_9.9.9.csv").write_text((folder / "LC_2.5000.7.csv").read_text())
    (folder / "notes.txt").write_text("not photometry")
    with pytest.warns(UserWarning, match=r"LC_9\.9\.9\.csv"):
        data = load_macho(data_home=fake_home)
    assert len(data.light_curves) == 2


def test_malformed_photometry_names_star(fake_home):
    path = fake_home / "macho_sample" / "photometry" / "data_TAPquery" / "LC_2.5000.30.csv"
    lines = path.read_text().splitlines()
    lines[4] = lines[4].replace("49004.5", "yesterday")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"'2\.5000\.30' \(LC_2\.5000\.30\.csv, line 5\)"):
        load_macho(data_home=fake_home)


def test_missing_files(tmp_path, monkeypatch):
    monkeypatch.delenv("ASTRO_CYCLIC_DATA", raising=False)
    with pytest.raises(DatasetNotFoundError) as info:
        load_macho(data_home=tmp_path)
    message = str(info.value)
    assert "macho_vs_catalog.csv" in message and "ASTRO_CYCLIC_DATA" in message
    assert "sarajamal57/deepnets_vs" in message
    with pytest.raises(DatasetNotFoundError, match="macho_vs_catalog.csv"):
        load_macho_catalog(data_home=tmp_path)
    (tmp_path / "macho_sample").mkdir()
    (tmp_path / "macho_sample" / "macho_vs_catalog.csv").write_text(",".join(_CAT_HEADER) + "\n")
    with pytest.raises(DatasetNotFoundError, match="photometry/data_TAPquery"):
        load_macho(data_home=tmp_path)


def test_catalog_columns_checked(tmp_path):
    (tmp_path / "macho_sample").mkdir()
    (tmp_path / "macho_sample" / "macho_vs_catalog.csv").write_text("starid,field\n1,2\n")
    with pytest.raises(ValueError, match=r"lacks the column\(s\)"):
        load_macho_catalog(data_home=tmp_path)


def test_invalid_band(tmp_path):
    with pytest.raises(ValueError, match="band must be one of 'r', 'b'; got 'V'"):
        load_macho(data_home=tmp_path, band="V")
