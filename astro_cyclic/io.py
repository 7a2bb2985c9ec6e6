"""Light curves and star tables from files: CSV, ECSV, plain text, FITS tables, lightkurve FITS.

What users hold on disk becomes the package's `~astro_cyclic.StarLightCurve`
here, and nowhere else; units and column choices are then handled by
:func:`astro_cyclic.as_light_curve`. The file formats are one registry,
:data:`FILE_FORMATS` (name -> file-name suffixes and reader), resolved by
:func:`validate_file_format`.

A star's identifier is, in this order: the value of ``id_column`` when the file
has that column (a file may then hold many stars, one per identifier), the
``star_id``, ``OBJECT`` or ``TARGETID`` entry of the file's metadata (FITS
header), else the file name without its suffix.
"""

import re
import warnings
from collections import namedtuple
from pathlib import Path

import numpy as np
from astropy import units as u
from astropy.io import ascii as astropy_ascii
from astropy.io import fits
from astropy.table import Table

from ._atomic import write_atomically
from ._validation import validate_option
from .lightcurves import LightCurveError, as_light_curve, light_curves_from_table

__all__ = [
    "FILE_FORMATS",
    "TABLE_OUTPUT_FORMATS",
    "find_light_curve_files",
    "read_light_curves",
    "read_star_table",
    "validate_file_format",
    "validate_output_folder",
    "validate_output_path",
    "write_atomically",
    "write_light_curve",
    "write_table",
]

#: Time columns tried, in order, when ``time_column`` is not given.
TIME_COLUMNS = ("time", "TIME", "Time", "t", "mjd", "MJD", "hjd", "HJD", "bjd", "BJD", "jd", "JD")
#: Star-identifier columns tried, in order, in label and period tables when no id column is named.
TABLE_ID_COLUMNS = ("star_id", "id", "ID", "filename", "name", "object", "OBJECT", "source_id")
# Metadata (FITS header) keys that name the star, in order of preference.
_ID_KEYS = ("star_id", "OBJECT", "TARGETID")
# astropy names the columns of a file without a header row col1, col2, ...
_NO_HEADER_NAME = re.compile(r"col\d+$")
# lightkurve product types that are not light curves of one star in time order.
_LIGHTKURVE_REFUSED = {"Folded": "a folded light curve, whose times are lost; pass the unfolded one",
                       "KeplerTargetPixelFile": "a target pixel file, not a light curve",
                       "TessTargetPixelFile": "a target pixel file, not a light curve"}

# Time formats that files (lightkurve's among them) write as the unit of a time column, in days.
_TIME_FORMAT_UNITS = {"jd", "mjd", "bjd", "hjd", "btjd", "bkjd", "tjd"}

_Format = namedtuple("_Format", ["suffixes", "reader", "description"])


def _read_csv(path):
    table = Table.read(path, format="ascii.csv")
    if table.colnames and all(_is_number(name) for name in table.colnames):
        # No header row: the first data row was taken for column names.
        table = Table.read(path, format="ascii.no_header", delimiter=",")
    return table


def _read_ecsv(path):
    return Table.read(path, format="ascii.ecsv")


def _read_ascii(path):
    # astropy guesses the delimiter and whether there is a header row (then col1, col2, ...).
    return Table.read(path, format="ascii")


def _read_fits(path):
    with fits.open(path) as hdus:
        kind = _lightkurve_kind(hdus)
        if kind in _LIGHTKURVE_REFUSED:
            raise LightCurveError(f"this is {_LIGHTKURVE_REFUSED[kind]}")
        primary = hdus[0].header
        tables = [i for i, hdu in enumerate(hdus) if isinstance(hdu, (fits.BinTableHDU, fits.TableHDU))]
    if kind not in (None, "generic"):
        # A mission or high-level-science product: lightkurve knows its flux column, time
        # reference and quality flags.
        return _import_lightkurve().read(path)
    if not tables:
        raise LightCurveError("the FITS file has no table extension")
    with warnings.catch_warnings():
        # lightkurve's own files declare time formats (jd, btjd) as units, which FITS does not know;
        # they are repaired below. hdu= is explicit so that astropy does not warn about several tables.
        warnings.simplefilter("ignore", u.UnitsWarning)
        table = Table.read(path, format="fits", hdu=tables[0])
    for column in table.itercols():
        if isinstance(column.unit, u.UnrecognizedUnit):
            # Times in a time format are days; any other unknown unit could not be converted anyway,
            # and the column's name says whether it holds magnitudes or fluxes.
            column.unit = u.day if column.unit.name.lower() in _TIME_FORMAT_UNITS else None
    for key in _ID_KEYS:
        if key not in table.meta and _header_value(primary, key) is not None:
            table.meta[key] = _header_value(primary, key)
    return table


#: File formats: name -> (file-name suffixes, reader of one file into a table, description).
FILE_FORMATS = {
    "csv": _Format((".csv",), _read_csv, "comma-separated values, with or without a header row"),
    "ecsv": _Format((".ecsv",), _read_ecsv, "astropy's enhanced CSV (units, times and metadata kept)"),
    "ascii": _Format((".dat", ".txt", ".tbl"), _read_ascii,
                     "text table; astropy guesses the delimiter and whether there is a header row"),
    "fits": _Format((".fits", ".fit", ".fts", ".fits.gz", ".fit.gz", ".fts.gz"), _read_fits,
                    "FITS table (first table extension), or a Kepler/K2/TESS or other lightkurve-readable "
                    "light-curve file, read with lightkurve"),
}

#: Formats of written tables: file-name suffix -> astropy format name.
TABLE_OUTPUT_FORMATS = {".csv": "ascii.csv", ".ecsv": "ascii.ecsv"}


def validate_file_format(name, path=None):
    """Return the :data:`FILE_FORMATS` name for ``name``, resolving ``"auto"`` from ``path``'s suffix.

    Parameters
    ----------
    name : str
        A key of :data:`FILE_FORMATS` (case-insensitive) or ``"auto"``.
    path : str or path-like, optional
        The file, needed for ``"auto"``.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        Listing the valid names, or the suffixes known to ``"auto"``.

    Examples
    --------
    >>> validate_file_format("auto", "lcs/OGLE-LMC-RRLYR-00001.fits.gz")
    'fits'
    >>> validate_file_format("CSV")
    'csv'
    """
    key = validate_option(name, ["auto", *FILE_FORMATS], "file format")
    if key == "auto":
        if path is None:
            raise ValueError("format 'auto' needs the file name to choose a reader")
        lower = Path(path).name.lower()
        for fmt, spec in FILE_FORMATS.items():
            if lower.endswith(spec.suffixes):
                return fmt
        known = ", ".join(s for spec in FILE_FORMATS.values() for s in spec.suffixes)
        raise ValueError(f"unknown file type {Path(path).name!r}: supported suffixes are {known} "
                         "(or name the format with --format)")
    return key


def find_light_curve_files(folder, *, format="auto"):
    """Every light-curve file under ``folder`` (recursively), sorted.

    Parameters
    ----------
    folder : str or path-like
    format : str
        ``"auto"`` collects the suffixes of every :data:`FILE_FORMATS` entry
        (case-insensitive), a format name only that format's.

    Returns
    -------
    list of pathlib.Path
        Hidden files and folders (names starting with ``.``) are skipped.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b.csv", "a.FITS", "sub/c.ecsv", "notes.md"):
    ...     (folder / name).parent.mkdir(exist_ok=True)
    ...     (folder / name).touch()
    >>> [p.relative_to(folder).as_posix() for p in find_light_curve_files(folder)]
    ['a.FITS', 'b.csv', 'sub/c.ecsv']
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}")
    formats = FILE_FORMATS if format == "auto" else [validate_file_format(format)]
    suffixes = tuple(s for fmt in formats for s in FILE_FORMATS[fmt].suffixes)
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith(suffixes)
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def read_light_curves(path, *, format="auto", time_column=None, mag_column=None, flux_column=None,
                      err_column=None, id_column=None, band_column="band"):
    """Read the light curve(s) in one file.

    Parameters
    ----------
    path : str or path-like
        A file of any :data:`FILE_FORMATS` format.
    format : str
        A key of :data:`FILE_FORMATS`, or ``"auto"`` (from the suffix).
    time_column : str, optional
        Column of the times; default the first of :data:`TIME_COLUMNS` present
        (a TimeSeries' own time for ECSV and lightkurve files). Plain numbers
        are days; a declared unit or a `~astropy.time.Time` column is converted.
    mag_column, flux_column, err_column : str, optional
        Columns of the magnitudes, or of the fluxes (converted to magnitudes),
        and of their errors; the defaults are those of
        :func:`astro_cyclic.as_light_curve`. A file without a header row is
        read as time, magnitude and (when present) error in its first three
        columns.
    id_column : str, optional
        When the file has this column, its rows are grouped by it into one
        light curve per star.
    band_column : str or None, default "band"
        When the file has this column, each row is an observation in the band
        it names, and each star one multi-band light curve.

    Returns
    -------
    list of StarLightCurve
        One per star, each with ``star_id`` a string. A catalogue period in the
        file's metadata (``period``, days unless it has a unit) travels with it.

    Raises
    ------
    LightCurveError
        When the file cannot be read as a light curve, with the problem named.
    FileNotFoundError
        When there is no such file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "RR-7.csv"
    >>> t = np.linspace(0, 50, 120)
    >>> rows = [f"{ti},{15 + 0.4 * np.sin(2 * np.pi * ti / 0.55)},0.02" for ti in t]
    >>> _ = path.write_text("hjd,vmag,e_vmag\\n" + "\\n".join(rows))
    >>> read_light_curves(path, time_column="hjd", mag_column="vmag", err_column="e_vmag")
    [<StarLightCurve RR-7: 120 points, period=unknown>]
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    fmt = validate_file_format(format, path)
    try:
        table = FILE_FORMATS[fmt].reader(path)
    except (LightCurveError, FileNotFoundError):
        raise
    except Exception as exc:  # every reader raises its own kinds for a damaged or foreign file
        raise LightCurveError(f"cannot read it as {fmt} ({type(exc).__name__}: {exc})") from None
    if not table.colnames or len(table) == 0:
        raise LightCurveError("the file holds no data rows")
    columns = {"mag_column": mag_column, "flux_column": flux_column, "err_column": err_column,
               "band_column": band_column}
    if table.colnames and all(_NO_HEADER_NAME.match(name) for name in table.colnames) and not any(
            (time_column, mag_column, flux_column)):
        time_column = "col1"
        columns["mag_column"] = "col2"
        if len(table.colnames) > 2 and err_column is None:
            columns["err_column"] = "col3"
    if time_column is None:
        time_column = next((name for name in TIME_COLUMNS if name in table.colnames), "time")
    try:
        if id_column is not None and id_column in table.colnames:
            stars = light_curves_from_table(table, id_column, time_column=time_column, **columns)
            return [as_light_curve(lc, star_id=str(lc.star_id)) for lc in stars]
        return [as_light_curve(table, star_id=_star_id(table.meta, path), time_column=time_column, **columns)]
    except LightCurveError:
        raise
    except (TypeError, ValueError) as exc:  # e.g. text in a column of numbers
        raise LightCurveError(f"a column holds values that are not numbers ({exc}); columns are "
                              f"{table.colnames}") from None


def _star_id(meta, path):
    for key in _ID_KEYS:
        value = _header_value(meta or {}, key)
        if value is not None:
            return str(value)
    name = path.name
    for spec in FILE_FORMATS.values():
        for suffix in sorted(spec.suffixes, key=len, reverse=True):
            if name.lower().endswith(suffix):
                return name[:-len(suffix)]
    return path.stem


def _header_value(header, key):
    """A header or metadata value that says something: not missing, undefined or blank."""
    value = header.get(key) if hasattr(header, "get") else None
    if value is None or isinstance(value, fits.card.Undefined):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _is_number(text):
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def _lightkurve_kind(hdus):
    """lightkurve's name for the product in ``hdus``, or None when lightkurve is not installed."""
    try:
        detect = _import_lightkurve().io.detect.detect_filetype
    except ImportError:
        return None
    return detect(hdus)


def _import_lightkurve():
    with warnings.catch_warnings():
        # lightkurve warns on import about optional parts (e.g. its PRF model without
        # oktopus) that reading light curves never uses.
        warnings.simplefilter("ignore")
        import lightkurve
        import lightkurve.io.detect  # noqa: F401
    return lightkurve


def read_star_table(path, value_column, *, id_column=None, unit=None):
    """Read a table of one value per star (labels, catalogue periods) into a dict.

    Parameters
    ----------
    path : str or path-like
        A CSV, ECSV or text table (any :data:`FILE_FORMATS` format).
    value_column : str
        Column of the values.
    id_column : str, optional
        Column of the star identifiers; default the first of
        :data:`TABLE_ID_COLUMNS` present.
    unit : `~astropy.units.Unit`, optional
        When given, values are numbers in this unit: a column with a declared
        unit (ECSV) is converted to it, plain numbers are taken as in it.
        Otherwise values are strings.

    Returns
    -------
    dict
        Star identifier (str) -> value (str, or float with ``unit``).

    Raises
    ------
    ValueError
        For a missing column, a missing or non-numeric value, or a star listed
        twice with different values, naming the row or star.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import astropy.units as u
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "periods.csv"
    >>> _ = path.write_text("star_id,period\\n007,0.5\\nV2,12\\n")
    >>> read_star_table(path, "period", unit=u.day)
    {'007': 0.5, 'V2': 12.0}
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such table: {path}")
    fmt = validate_file_format("auto", path)
    try:
        if fmt in ("csv", "ascii"):
            # Every column as text, so that an identifier such as 007 keeps its leading zeros.
            table = Table.read(path, format="ascii.csv" if fmt == "csv" else "ascii", fast_reader=False,
                               converters={"*": [astropy_ascii.convert_numpy(str)]})
        else:
            table = FILE_FORMATS[fmt].reader(path)
    except Exception as exc:  # every reader raises its own kinds for a damaged or foreign file
        raise ValueError(f"{path}: cannot read it as {fmt} ({type(exc).__name__}: {exc})") from None
    if id_column is None:
        id_column = next((name for name in TABLE_ID_COLUMNS if name in table.colnames), None)
        if id_column is None:
            raise ValueError(f"{path}: no star id column ({', '.join(TABLE_ID_COLUMNS)}) among {table.colnames}; "
                             "name it with --table-id-column")
    for name in (id_column, value_column):
        if name not in table.colnames:
            raise ValueError(f"{path}: no column {name!r}; columns are {table.colnames}")
    values = table[value_column]
    if unit is not None:
        values = _numbers_in_unit(values, unit, path, value_column)
    out = {}
    for row, (star, value) in enumerate(zip(table[id_column], values), start=1):
        if np.ma.is_masked(star) or np.ma.is_masked(value) or (unit is None and not str(value).strip()):
            raise ValueError(f"{path}: row {row} has no {id_column if np.ma.is_masked(star) else value_column}")
        star = str(star).strip()
        value = str(value).strip() if unit is None else value
        if star in out and out[star] != value:
            raise ValueError(f"{path}: star {star!r} is listed twice, with {value_column} "
                             f"{out[star]!r} and {value!r}")
        out[star] = value
    return out


def _numbers_in_unit(column, unit, path, name):
    values = u.Quantity(column) if getattr(column, "unit", None) is not None else column
    if isinstance(values, u.Quantity):
        try:
            return [float(v) for v in values.to_value(unit)]
        except u.UnitConversionError:
            raise ValueError(f"{path}: column {name!r} has unit {values.unit}, not {unit}") from None
    out = []
    for row, value in enumerate(values, start=1):
        if np.ma.is_masked(value):
            out.append(value)
            continue
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            raise ValueError(f"{path}: row {row} of column {name!r} is {str(value)!r}, not a number") from None
    return out


def validate_output_path(path, *, overwrite=False, suffixes=tuple(TABLE_OUTPUT_FORMATS)):
    """Check, before any work, that a file can be written to ``path``: the one output policy.

    Parameters
    ----------
    path : str or path-like
    overwrite : bool
        Allow replacing an existing file.
    suffixes : sequence of str or None, default the :data:`TABLE_OUTPUT_FORMATS` suffixes
        The suffixes allowed (compared in lower case); None allows any.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        For an unknown suffix (the valid ones are listed).
    FileExistsError
        When the file exists and ``overwrite`` is false.
    """
    path = Path(path)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise ValueError(f"cannot write {path}: its suffix must be one of {', '.join(suffixes)}")
    if path.is_dir():
        raise ValueError(f"cannot write {path}: it is a folder")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another name or pass --overwrite to replace it")
    return path


def validate_output_folder(path, *, overwrite=False):
    """Check, before any work, that files can be written into the folder ``path``, and create it.

    The folder counterpart of :func:`validate_output_path`: a folder that
    holds files already is refused unless ``overwrite`` (its files may then be
    replaced, each atomically; others are kept).

    Parameters
    ----------
    path : str or path-like
    overwrite : bool
        Allow writing into a folder that is not empty.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        When ``path`` is a file.
    FileExistsError
        When the folder is not empty and ``overwrite`` is false.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"cannot write into {path}: it exists and is not a folder")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise FileExistsError(f"output folder {path} is not empty; choose another or pass --overwrite to replace "
                              "its files")
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_table(table, path, *, overwrite=False):
    """Write ``table`` as CSV or ECSV, chosen by the suffix of ``path``, atomically.

    ECSV keeps units (e.g. a period in days) and the table's metadata; CSV
    keeps only the values. The table is written to a temporary file in the
    same folder and renamed to ``path`` once complete, so ``path`` never
    holds a half-written table, and an existing file is replaced only by a
    complete new one.

    Parameters
    ----------
    table : `~astropy.table.Table`
    path : str or path-like
    overwrite : bool
        Replace an existing file; without it an existing file is an error.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import astropy.units as u
    >>> from astropy.table import Table
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "periods.ecsv"
    >>> write_table(Table({"star_id": ["V1"], "period": [0.5] * u.day}), path)
    >>> Table.read(path)["period"].unit
    Unit("d")
    """
    path = validate_output_path(path, overwrite=overwrite)
    write_atomically(path, lambda tmp: table.write(tmp, format=TABLE_OUTPUT_FORMATS[path.suffix.lower()]))


def write_light_curve(light_curve, path, *, overwrite=False):
    """Write one light curve to a CSV or ECSV file that :func:`read_light_curves` reads back.

    Columns ``time`` (days), ``mag`` and ``mag_err`` (magnitudes), and
    ``band`` for a multi-band light curve; ECSV keeps the units and, in its
    metadata, the star id and the period (days) when the light curve carries
    them. Written atomically (see :func:`write_table`).

    Parameters
    ----------
    light_curve : any form accepted by :func:`~astro_cyclic.as_light_curve`
    path : str or path-like
        Ends in ``.csv`` or ``.ecsv``.
    overwrite : bool
        Replace an existing file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from astro_cyclic import StarLightCurve
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "V1.ecsv"
    >>> write_light_curve(StarLightCurve(np.arange(5.0), np.ones(5), period=0.7, star_id="V1"), path)
    >>> read_light_curves(path)
    [<StarLightCurve V1: 5 points, period=0.7 d>]
    """
    lc = as_light_curve(light_curve)
    meta = {key: value for key, value in (("star_id", lc.star_id), ("period", lc.period)) if value is not None}
    table = Table({"time": lc.time * u.day, "mag": lc.mag * u.mag, "mag_err": lc.err * u.mag}, meta=meta)
    if lc.band is not None:
        table["band"] = lc.band
    write_table(table, path, overwrite=overwrite)
