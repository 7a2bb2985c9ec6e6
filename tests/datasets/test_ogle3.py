import numpy as np
import pytest

from astro_cyclic.datasets import DatasetNotFoundError, read_ogle3

# Lines in the layout of OGLE-III ident.dat: ID, field, database number, mode, RA, Dec, cross-ids.
_IDENT = """\
OGLE-LMC-RRLYR-00001  LMC100.1  12345  RRab  05:14:03.85 -69:12:35.5  OGLE051403.85-691235.5  1.3441.15
OGLE-LMC-RRLYR-00002  LMC100.1  12346  RRc   05:14:10.12 -69:13:01.0
OGLE-LMC-RRLYR-00003  LMC101.2  22001  RRab  05:20:00.00 -70:00:00.0  OGLE052000.00-700000.0
"""
# RRab.dat / RRc.dat: ID, I, V (-99.99 = none), P, sigma P, T0, amplitude, ...
_RRAB = """\
OGLE-LMC-RRLYR-00001  18.912  19.456  0.5678901  0.0000012  2167.12345  0.712
OGLE-LMC-RRLYR-00003  19.001 -99.99   0.6012345  0.0000020  2170.54321  0.650
"""
_RRC = "OGLE-LMC-RRLYR-00002  18.700  19.100  0.3301234  0.0000010  2168.00000  0.350\n"


def _phot(n, seed):
    rng = np.random.default_rng(seed)
    t = np.round(np.sort(rng.uniform(2100, 4900, n)), 5)
    m = np.round(19 + 0.3 * np.sin(t), 3)
    e = np.round(rng.uniform(0.02, 0.08, n), 3)
    return t, m, e, "".join(f"{a:.5f} {b:.3f} {c:.3f}\n" for a, b, c in zip(t, m, e))


@pytest.fixture
def ogle_folder(tmp_path):
    folder = tmp_path / "lmc" / "rrlyr"
    (folder / "phot" / "I").mkdir(parents=True)
    (folder / "phot" / "V").mkdir(parents=True)
    (folder / "ident.dat").write_text(_IDENT)
    (folder / "RRab.dat").write_text(_RRAB)
    (folder / "RRc.dat").write_text(_RRC)
    curves = {}
    for k, star in enumerate(["OGLE-LMC-RRLYR-00001", "OGLE-LMC-RRLYR-00002", "OGLE-LMC-RRLYR-00003"]):
        t, m, e, text = _phot(10 + k, seed=k)
        (folder / "phot" / "I" / f"{star}.dat").write_text(text)
        curves[star] = (t, m, e)
    # V photometry for the first star only (as is common in OGLE-III).
    (folder / "phot" / "V" / "OGLE-LMC-RRLYR-00001.dat").write_text(_phot(6, seed=9)[3])
    return folder, curves


def test_parsing(ogle_folder):
    folder, curves = ogle_folder
    data = read_ogle3(folder)
    assert data.star_ids.tolist() == list(curves)
    assert data.target.tolist() == ["RRab", "RRc", "RRab"]
    assert data.fields.tolist() == ["LMC100.1", "LMC100.1", "LMC101.2"]
    np.testing.assert_allclose(data.periods, [0.5678901, 0.3301234, 0.6012345])
    assert data.ra[0] == pytest.approx(15 * (5 + 14 / 60 + 3.85 / 3600))
    assert data.dec[0] == pytest.approx(-(69 + 12 / 60 + 35.5 / 3600))
    for lc, (star, (t, m, e)) in zip(data.light_curves, curves.items()):
        assert lc.star_id == star
        np.testing.assert_array_equal(lc.time, t)
        np.testing.assert_array_equal(lc.mag, m)
        np.testing.assert_array_equal(lc.err, e)
    assert data.light_curves[1].period == pytest.approx(0.3301234)
    assert data.missing == [] and data.band == "I" and "OGLE-III" in data.DESCR


def test_missing_photometry_policies(ogle_folder):
    folder, _ = ogle_folder
    with pytest.warns(UserWarning, match="2 star.*OGLE-LMC-RRLYR-00002, OGLE-LMC-RRLYR-00003"):
        data = read_ogle3(folder, band="V")
    assert data.star_ids.tolist() == ["OGLE-LMC-RRLYR-00001"] and len(data.light_curves[0]) == 6
    assert data.missing == ["OGLE-LMC-RRLYR-00002", "OGLE-LMC-RRLYR-00003"]
    with pytest.raises(DatasetNotFoundError, match="OGLE-LMC-RRLYR-00002"):
        read_ogle3(folder, band="V", missing="raise")
    assert len(read_ogle3(folder, band="V", missing="ignore").light_curves) == 1


def test_type_from_period_file_when_ident_has_none(tmp_path):
    folder = tmp_path / "ecl"
    (folder / "phot" / "I").mkdir(parents=True)
    (folder / "ident.dat").write_text("OGLE-LMC-ECL-00001  LMC100.1  555  05:00:00.00 -69:00:00.0\n"
                                      "OGLE-LMC-ECL-00002  LMC100.1  556  05:00:01.00 -69:00:01.0\n")
    (folder / "EC.dat").write_text("OGLE-LMC-ECL-00001  17.1  17.5  1.2345  0.0001\n")
    for star in ("OGLE-LMC-ECL-00001", "OGLE-LMC-ECL-00002"):
        (folder / "phot" / "I" / f"{star}.dat").write_text(_phot(5, 1)[3])
    data = read_ogle3(folder)
    assert data.target.tolist() == ["EC", "ecl"]  # period file name, else the folder name
    assert data.periods[0] == 1.2345 and np.isnan(data.periods[1])
    assert data.light_curves[1].period is None


def test_missing_ident_or_phot(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="ident.dat.*astrouw.edu.pl"):
        read_ogle3(tmp_path)
    (tmp_path / "ident.dat").write_text(_IDENT)
    with pytest.raises(DatasetNotFoundError, match=r"phot/I"):
        read_ogle3(tmp_path)


def test_malformed_lines_name_star_and_file(ogle_folder):
    folder, _ = ogle_folder
    path = folder / "phot" / "I" / "OGLE-LMC-RRLYR-00002.dat"
    path.write_text(path.read_text() + "2500.0 19.1\n")
    with pytest.raises(ValueError, match=r"'OGLE-LMC-RRLYR-00002'.*OGLE-LMC-RRLYR-00002\.dat, line 12"):
        read_ogle3(folder)
    (folder / "RRc.dat").write_text("OGLE-LMC-RRLYR-00002  18.7  19.1  fast\n")
    with pytest.raises(ValueError, match=r"'OGLE-LMC-RRLYR-00002' in RRc\.dat \(line 1\)"):
        read_ogle3(folder)
    (folder / "ident.dat").write_text("OGLE-LMC-RRLYR-00009  LMC100.1  1  RRab  somewhere\n")
    with pytest.raises(ValueError, match=r"'OGLE-LMC-RRLYR-00009' in ident\.dat \(line 1\)"):
        read_ogle3(folder)


@pytest.mark.parametrize("kwargs, match", [(dict(band="R"), "band"), (dict(missing="skip"), "missing")])
def test_invalid_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        read_ogle3(tmp_path, **kwargs)


def test_two_bands_keep_each_star_with_the_bands_it_has(ogle_folder):
    folder, curves = ogle_folder
    data = read_ogle3(folder, band=("I", "V"))
    assert data.band == ("I", "V") and "I+V band" in data.DESCR and data.missing == []
    first, second = data.light_curves[0], data.light_curves[1]
    assert first.bands == ("I", "V") and len(first) == 10 + 6
    assert second.bands == ("I",) and len(second) == 11
    np.testing.assert_array_equal(first.select_band("I").mag, curves["OGLE-LMC-RRLYR-00001"][1])
