import csv

import numpy as np
import pytest

from astro_cyclic.datasets import DatasetNotFoundError, read_asassn

_CATALOG_HEADER = ["asassn_name", "Other Names", "id", "raj2000", "dej2000", "l", "b", "mean_vmag",
                   "amplitude", "period", "variable_type", "class_probability"]
_LC_HEADER = "HJD,UT Date,Camera,FWHM,Limit,mag,mag_err,flux(mJy),flux_err,Filter"


def _catalog(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(_CATALOG_HEADER)
        w.writerows(rows)


def _lc_lines(n, seed, band="V"):
    rng = np.random.default_rng(seed)
    t = np.round(np.sort(rng.uniform(2457000, 2459000, n)), 5)
    m = np.round(14 + 0.2 * np.sin(t), 3)
    e = np.round(rng.uniform(0.01, 0.03, n), 3)
    lines = [f"{a:.5f},2016-01-01T00:00:00,bd,1.5,17.2,{b:.3f},{c:.3f},5.0,0.1,{band}" for a, b, c in zip(t, m, e)]
    return t, m, e, lines


@pytest.fixture
def asassn(tmp_path):
    _catalog(tmp_path / "catalog.csv", [
        ["ASASSN-V J000001.00+000001.0", "", "AP1001", 0.004, 0.0003, 96.0, -60.0, 14.0, 0.4, 0.5612,
         "RRAB", 0.98],
        ["ASASSN-V J000002.00+000002.0", "", "AP1002", 0.008, 0.0006, 96.0, -60.0, 13.0, 0.3, "",
         "YSO", 0.75],
        ["ASASSN-V J000003.00+000003.0", "", "AP1003", 0.012, 0.0009, 96.0, -60.0, 12.5, 0.2, 0.3301,
         "EW", 0.91],
    ])
    folder = tmp_path / "lc"
    folder.mkdir()
    t1, m1, e1, lines1 = _lc_lines(8, 1)
    _, _, _, g_lines = _lc_lines(4, 2, band="g")
    extra = ["2458500.00000,2019-01-01T00:00:00,bd,1.5,17.1,>17.1,99.990,0.1,0.2,V",  # upper limit
             "2458501.00000,2019-01-02T00:00:00,bd,1.5,17.1,99.990,99.990,0.1,0.2,V"]  # sentinel
    (folder / "AP1001.csv").write_text("\n".join(["# ASAS-SN Sky Patrol", _LC_HEADER] + lines1 + g_lines + extra)
                                       + "\n")
    t2, m2, e2, lines2 = _lc_lines(6, 3)
    (folder / "AP1002.csv").write_text("\n".join([_LC_HEADER] + lines2) + "\n")
    return tmp_path, folder, (t1, m1, e1), (t2, m2, e2)


def test_parsing_and_missing_warning(asassn):
    root, folder, (t1, m1, e1), (t2, m2, e2) = asassn
    with pytest.warns(UserWarning, match="1 star.*AP1003"):
        data = read_asassn(root / "catalog.csv", folder, band="V")
    assert data.star_ids.tolist() == ["AP1001", "AP1002"] and data.target.tolist() == ["RRAB", "YSO"]
    np.testing.assert_array_equal(data.periods[:1], [0.5612])
    assert np.isnan(data.periods[1]) and data.light_curves[1].period is None
    assert data.light_curves[0].period == 0.5612
    np.testing.assert_array_equal(data.light_curves[0].time, t1)
    np.testing.assert_array_equal(data.light_curves[0].mag, m1)
    np.testing.assert_array_equal(data.light_curves[1].err, e2)
    assert data.n_upper_limits.tolist() == [1, 0]
    assert data.missing == ["AP1003"]
    np.testing.assert_allclose(data.class_probability, [0.98, 0.75])
    with pytest.warns(UserWarning):
        both = read_asassn(root / "catalog.csv", folder)  # band=None: V and g points, each with its filter
    assert len(both.light_curves[0]) == 8 + 4 and both.light_curves[0].bands == ("V", "g")
    with pytest.warns(UserWarning):
        pair = read_asassn(root / "catalog.csv", folder, band=("g", "v"))
    assert pair.band == ("g", "V") and pair.light_curves[0] == both.light_curves[0]


def test_min_class_probability_and_missing_policies(asassn):
    root, folder, *_ = asassn
    data = read_asassn(root / "catalog.csv", folder, min_class_probability=0.95, band="V")
    # AP1002 (0.75) and AP1003 (0.91) are cut, so no star lacks a light curve and nothing warns.
    assert data.star_ids.tolist() == ["AP1001"] and data.missing == []
    with pytest.raises(DatasetNotFoundError, match="AP1003"):
        read_asassn(root / "catalog.csv", folder, min_class_probability=0.9, missing="raise")
    assert len(read_asassn(root / "catalog.csv", folder, band="V", missing="ignore").light_curves) == 2


def test_name_column_with_spaces(asassn):
    root, folder, *_ = asassn
    (folder / "ASASSN-V_J000003.00+000003.0.csv").write_text("\n".join([_LC_HEADER] + _lc_lines(5, 4)[3]))
    with pytest.warns(UserWarning, match="2 star"):
        data = read_asassn(root / "catalog.csv", folder, id_column="asassn_name", band="V")
    assert data.star_ids.tolist() == ["ASASSN-V J000003.00+000003.0"] and data.target.tolist() == ["EW"]


def test_errors_name_star_and_file(asassn):
    root, folder, *_ = asassn
    (folder / "AP1002.csv").write_text("\n".join([_LC_HEADER, "2457000.1,x,bd,1,17,abc,0.01,1,0.1,V"]))
    with pytest.raises(ValueError, match=r"'AP1002' \(AP1002\.csv, line 2\)"):
        read_asassn(root / "catalog.csv", folder, missing="ignore")
    (folder / "AP1002.csv").write_text("HJD,mag,mag_err\n2457000.1,14.0,0.01\n")
    with pytest.raises(ValueError, match=r"'AP1002'.*no Filter column"):
        read_asassn(root / "catalog.csv", folder, band="V", missing="ignore")
    _catalog(root / "bad.csv", [["ASASSN-V J1", "", "AP1001", 0, 0, 0, 0, 14, 0.4, "slow", "RRAB", 0.9]])
    with pytest.raises(ValueError, match=r"'AP1001' in bad\.csv \(line 2\)"):
        read_asassn(root / "bad.csv", folder)
    (root / "noid.csv").write_text("name,period,variable_type\nx,1,EW\n")
    with pytest.raises(ValueError, match="identifier columns"):
        read_asassn(root / "noid.csv", folder)


def test_missing_inputs(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="asas-sn.osu.edu"):
        read_asassn(tmp_path / "nope.csv", tmp_path)
    _catalog(tmp_path / "catalog.csv", [])
    with pytest.raises(DatasetNotFoundError, match="light-curve folder"):
        read_asassn(tmp_path / "catalog.csv", tmp_path / "nope")


@pytest.mark.parametrize("kwargs, match", [(dict(missing="skip"), "missing"),
                                           (dict(min_class_probability=1.5), "min_class_probability")])
def test_invalid_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        read_asassn(tmp_path / "c.csv", tmp_path, **kwargs)
