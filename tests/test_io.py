import numpy as np
import pytest
from astropy import units as u
from astropy.io import fits
from astropy.table import Table
from astropy.time import Time

from astro_cyclic import LightCurveError, StarLightCurve
from astro_cyclic.io import (
    FILE_FORMATS,
    find_light_curve_files,
    read_light_curves,
    read_star_table,
    validate_file_format,
    validate_output_path,
    write_table,
)

PERIOD = 0.6137


@pytest.fixture
def star():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 200, 150))
    mag = 15 + 0.4 * np.sin(2 * np.pi * t / PERIOD) + rng.normal(0, 0.02, t.size)
    return t, mag, np.full(t.size, 0.02)


def test_every_format_has_a_reader_and_auto_finds_it_by_suffix(tmp_path):
    for name, spec in FILE_FORMATS.items():
        assert callable(spec.reader) and spec.description
        for suffix in spec.suffixes:
            assert validate_file_format("auto", tmp_path / f"star{suffix.upper()}") == name
    with pytest.raises(ValueError, match=r"unknown file type 'star\.xlsx'.*\.csv.*\.fits"):
        validate_file_format("auto", "star.xlsx")
    with pytest.raises(ValueError, match="file format must be one of 'auto', 'csv', 'ecsv', 'ascii', 'fits'"):
        validate_file_format("parquet")


@pytest.mark.parametrize("suffix", [".csv", ".ecsv", ".fits", ".dat"])
def test_named_columns_in_every_format(tmp_path, star, suffix):
    t, mag, err = star
    path = tmp_path / f"V-12{suffix}"
    Table({"hjd": t, "vmag": mag, "e_vmag": err}).write(path, format="ascii.basic" if suffix == ".dat" else None)
    (lc,) = read_light_curves(path, time_column="hjd", mag_column="vmag", err_column="e_vmag")
    assert lc.star_id == "V-12"  # the file name without its suffix
    np.testing.assert_allclose(lc.time, t)
    np.testing.assert_allclose(lc.mag, mag)
    np.testing.assert_allclose(lc.err, err)


def test_default_column_names_and_upper_case_fits_time(tmp_path, star):
    t, mag, err = star
    Table({"TIME": t, "mag": mag, "mag_err": err}).write(tmp_path / "a.fits")
    (lc,) = read_light_curves(tmp_path / "a.fits")
    np.testing.assert_allclose(lc.time, t)


def test_file_without_header_row_is_time_mag_err(tmp_path, star):
    # The ASAS files of Richards et al. (2012) look like this: "1868.58427,12.91,0.063".
    t, mag, err = star
    for name in ("asas.dat", "asas.csv"):
        (tmp_path / name).write_text("\n".join(f"{a},{b},{c}" for a, b, c in zip(t, mag, err)) + "\n")
        (lc,) = read_light_curves(tmp_path / name)
        assert len(lc) == t.size  # the first row is data, not a header
        np.testing.assert_allclose(lc.err, err)


def test_ecsv_keeps_units_times_and_catalogue_period(tmp_path, star):
    t, mag, err = star
    table = Table({"time": Time(2450000 + t, format="jd"), "mag": mag * u.mag, "mag_err": err * u.mag})
    table.meta.update(period=PERIOD * 24 * u.hour, star_id="RR Lyr")
    table.write(tmp_path / "x.ecsv")
    (lc,) = read_light_curves(tmp_path / "x.ecsv")
    assert lc.star_id == "RR Lyr"
    assert lc.period == pytest.approx(PERIOD)
    np.testing.assert_allclose(lc.time - lc.time[0], t - t[0], atol=1e-6)


def test_flux_columns_become_magnitudes(tmp_path, star):
    t, mag, err = star
    flux = 10 ** (-0.4 * mag)
    Table({"time": t, "flux": flux, "flux_err": flux * err / 1.0857}).write(tmp_path / "f.csv")
    (lc,) = read_light_curves(tmp_path / "f.csv")
    np.testing.assert_allclose(lc.mag, mag)
    np.testing.assert_allclose(lc.err, err, rtol=1e-3)


def test_id_column_splits_a_file_into_stars(tmp_path, star):
    t, mag, err = star
    ids = np.where(np.arange(t.size) % 3 == 0, "a", "b")
    Table({"id": ids, "time": t, "mag": mag}).write(tmp_path / "survey.csv")
    stars = read_light_curves(tmp_path / "survey.csv", id_column="id")
    assert [(s.star_id, len(s)) for s in stars] == [("a", 50), ("b", 100)]


def test_lightkurve_written_fits(tmp_path, star):
    lk = pytest.importorskip("lightkurve")
    t, mag, err = star
    flux = 10 ** (-0.4 * (mag - 15))
    lc = lk.LightCurve(time=Time(2459000 + t, format="jd"), flux=flux, flux_err=flux * err / 1.0857)
    lc.to_fits(tmp_path / "lk.fits", OBJECT="V1")
    (read,) = read_light_curves(tmp_path / "lk.fits")
    assert read.star_id == "V1"  # the OBJECT header, not the file name
    # lightkurve writes the time format as the column's unit ("jd"): still days.
    np.testing.assert_allclose(read.time, 2459000 + t)
    np.testing.assert_allclose(read.mag, mag - 15, atol=1e-6)


def _spoc_like_file(path, t, flux, quality):
    """A minimal TESS SPOC light-curve file: what lightkurve recognises as a mission product."""
    primary = fits.PrimaryHDU()
    primary.header.update(TELESCOP="TESS", CREATOR="SPOC LightCurveExporterPipelineModule", ORIGIN="NASA/Ames",
                          OBJECT="TIC 12345", TICID=12345, SECTOR=1)
    columns = [fits.Column(name="TIME", format="D", unit="BJD - 2457000, days", array=t),
               fits.Column(name="SAP_FLUX", format="E", array=flux * 1.1),
               fits.Column(name="SAP_FLUX_ERR", format="E", array=np.ones_like(t)),
               fits.Column(name="PDCSAP_FLUX", format="E", array=flux),
               fits.Column(name="PDCSAP_FLUX_ERR", format="E", array=np.ones_like(t)),
               fits.Column(name="QUALITY", format="J", array=quality)]
    table = fits.BinTableHDU.from_columns(columns, name="LIGHTCURVE")
    table.header.update(BJDREFI=2457000, BJDREFF=0.0, TIMEUNIT="d", TIMESYS="TDB", TELAPSE=float(np.ptp(t)))
    fits.HDUList([primary, table]).writeto(path)


def test_mission_fits_goes_through_lightkurve(tmp_path):
    pytest.importorskip("lightkurve")
    t = 1000 + np.linspace(0, 27, 300)
    flux = 1000 * (1 + 0.05 * np.sin(2 * np.pi * t / 1.3))
    quality = np.zeros(t.size, dtype=np.int32)
    quality[:40] = 1  # attitude tweak: in lightkurve's default quality mask
    _spoc_like_file(tmp_path / "tess.fits", t, flux, quality)
    (lc,) = read_light_curves(tmp_path / "tess.fits")
    assert lc.star_id == "TIC 12345"
    assert len(lc) == 260  # flagged cadences dropped by lightkurve
    np.testing.assert_allclose(lc.mag, -2.5 * np.log10(flux[40:]), rtol=1e-6)  # PDCSAP, not SAP


@pytest.mark.parametrize("content, message", [
    (b"SIMPLE = this is not a FITS file" * 5, "cannot read it as fits"),
])
def test_damaged_fits_is_a_clear_error(tmp_path, content, message):
    (tmp_path / "bad.fits").write_bytes(content)
    with pytest.raises(LightCurveError, match=message):
        read_light_curves(tmp_path / "bad.fits")


@pytest.mark.parametrize("text, message", [
    ("", "no data rows"),
    ("time,mag\n1,abc\n2,3\n", "not numbers.*columns are \\['time', 'mag'\\]"),
    ("when,mag\n1,2\n2,3\n", "no time column 'time'"),
    ("time,colour\n1,2\n2,3\n", "neither a magnitude nor a flux column"),
])
def test_bad_csv_is_a_clear_error(tmp_path, text, message):
    (tmp_path / "bad.csv").write_text(text)
    with pytest.raises(LightCurveError, match=message):
        read_light_curves(tmp_path / "bad.csv")


def test_missing_and_unknown_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_light_curves(tmp_path / "gone.csv")
    (tmp_path / "star.xlsx").write_text("x")
    with pytest.raises(ValueError, match="unknown file type"):
        read_light_curves(tmp_path / "star.xlsx")
    # A forced format reads any suffix.
    (tmp_path / "star.lc").write_text("time,mag\n" + "\n".join(f"{i},{i % 3}" for i in range(12)))
    assert len(read_light_curves(tmp_path / "star.lc", format="csv")[0]) == 12


def test_folder_search_is_recursive_sorted_and_skips_hidden(tmp_path):
    for name in ("b.csv", "a.FITS", "sub/c.ecsv", "sub/deeper/d.fits.gz", "notes.md", ".git/e.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    found = [p.relative_to(tmp_path).as_posix() for p in find_light_curve_files(tmp_path)]
    assert found == ["a.FITS", "b.csv", "sub/c.ecsv", "sub/deeper/d.fits.gz"]
    assert [p.name for p in find_light_curve_files(tmp_path, format="ecsv")] == ["c.ecsv"]


def test_star_table_keeps_ids_as_text_and_reads_periods_in_days(tmp_path):
    (tmp_path / "labels.csv").write_text("filename,class,period\n007,RRab,0.5\n215153,Mira,300\n")
    assert read_star_table(tmp_path / "labels.csv", "class") == {"007": "RRab", "215153": "Mira"}
    assert read_star_table(tmp_path / "labels.csv", "period", unit=u.day) == {"007": 0.5, "215153": 300.0}
    Table({"name": ["a"], "P": [12.0] * u.hour}).write(tmp_path / "p.ecsv")
    assert read_star_table(tmp_path / "p.ecsv", "P", unit=u.day) == {"a": 0.5}


@pytest.mark.parametrize("text, message", [
    ("star_id,class\na,RRab\na,EA\n", "star 'a' is listed twice, with class 'RRab' and 'EA'"),
    ("star,class\na,RRab\n", "no star id column"),
    ("star_id,type\na,RRab\n", "no column 'class'"),
    ("star_id,class\na,\n", "row 1 has no class"),
])
def test_bad_star_tables(tmp_path, text, message):
    (tmp_path / "t.csv").write_text(text)
    with pytest.raises(ValueError, match=message):
        read_star_table(tmp_path / "t.csv", "class")


def test_non_numeric_period_names_the_row(tmp_path):
    (tmp_path / "p.csv").write_text("star_id,period\na,0.5\nb,unknown\n")
    with pytest.raises(ValueError, match="row 2 of column 'period' is 'unknown', not a number"):
        read_star_table(tmp_path / "p.csv", "period", unit=u.day)


def test_tables_are_never_overwritten_silently(tmp_path):
    table = Table({"star_id": ["a"], "period": [1.0] * u.day})
    write_table(table, tmp_path / "out" / "p.ecsv")
    assert Table.read(tmp_path / "out" / "p.ecsv")["period"].unit == u.day
    with pytest.raises(FileExistsError, match="--overwrite"):
        write_table(table, tmp_path / "out" / "p.ecsv")
    table["period"][0] = 2.0
    write_table(table, tmp_path / "out" / "p.ecsv", overwrite=True)
    assert Table.read(tmp_path / "out" / "p.ecsv")["period"][0] == 2.0
    with pytest.raises(ValueError, match="suffix must be one of .csv, .ecsv"):
        validate_output_path(tmp_path / "p.xlsx")


def test_read_light_curves_returns_package_light_curves(tmp_path, star):
    t, mag, err = star
    Table({"time": t, "mag": mag}).write(tmp_path / "s.csv")
    (lc,) = read_light_curves(tmp_path / "s.csv")
    assert isinstance(lc, StarLightCurve) and lc.period is None


def test_a_failed_write_keeps_the_old_file_and_names_the_path(tmp_path):
    """A full disk in the middle of a write: the previous file stays whole, no temporary file is left."""
    import errno

    from astro_cyclic.io import write_atomically

    path = tmp_path / "predictions.csv"
    path.write_text("the old, complete table\n")

    def full_disk(tmp):
        tmp.write_text("half a ta")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match=f"cannot write {path}: No space left on device"):
        write_atomically(path, full_disk)
    assert path.read_text() == "the old, complete table\n"
    assert [p.name for p in tmp_path.iterdir()] == ["predictions.csv"]


def test_a_writer_killed_mid_write_leaves_the_old_file_whole(tmp_path):
    """kill -9 during ``write_table(..., overwrite=True)`` (what ``predict -o`` does): the old table reads back
    whole, not truncated. Before, a killed write left 100 of 6,000 rows that read back without error."""
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "predictions.csv"
    Table({"star_id": ["old"] * 6000, "class": ["RRab"] * 6000}).write(path)
    before = path.read_bytes()
    script = f"""
import time
from astropy.table import Table
from astro_cyclic.io import write_atomically

def slow(tmp):
    with open(tmp, "w") as handle:
        handle.write("star_id,class\\n" + "new,EA\\n" * 100)
        handle.flush()
        print("writing", flush=True)
        time.sleep(60)

write_atomically({str(path)!r}, slow)
"""
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    time.sleep(0.1)
    assert path.read_bytes() == before
    # What a killed process cannot clean is a hidden temporary file beside it, never the table itself.
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["predictions.csv"]


def test_output_folder_policy(tmp_path):
    from astro_cyclic.io import validate_output_folder

    new = validate_output_folder(tmp_path / "a" / "b")
    assert new.is_dir() and validate_output_folder(new) == new  # empty: fine
    (new / "kept.txt").write_text("x")
    with pytest.raises(FileExistsError, match="not empty"):
        validate_output_folder(new)
    assert validate_output_folder(new, overwrite=True) == new and (new / "kept.txt").read_text() == "x"
    with pytest.raises(ValueError, match="is not a folder"):
        validate_output_folder(new / "kept.txt", overwrite=True)
