"""Reader for the ASAS-SN catalogue of variable stars and ASAS-SN light curves.

Two inputs, both CSV with a header line:

The catalogue
    As exported from the ASAS-SN variable-stars database
    (https://asas-sn.osu.edu/variables; Jayasinghe et al. 2018-2021): one row
    per star with, among others, ``asassn_name``, an identifier column
    (``id``, ``source_id`` or ``asassn_id``), ``raj2000``, ``dej2000``
    (degrees), ``mean_vmag``, ``amplitude``, ``period`` (days; empty when
    none), ``variable_type`` (GCVS-like type such as ``RRAB``, ``EW``,
    ``SR``) and ``class_probability`` (0-1). Column names are matched without
    regard to case or surrounding spaces. Only the identifier, ``period``,
    ``variable_type`` and (when filtering on it) ``class_probability`` are
    required.
Light curves
    One file per star, ``<lightcurve_folder>/<identifier>.csv`` (spaces in the
    identifier may also be written ``_`` or dropped), in the ASAS-SN Sky
    Patrol layout: ``HJD,UT Date,Camera,FWHM,Limit,mag,mag_err,flux(mJy),
    flux_err`` and, in files mixing bands, ``Filter`` (``V`` or ``g``). An
    upper limit is written as a magnitude prefixed with ``>`` (``>17.25``),
    and ``99.99`` marks a magnitude or error that could not be measured.
    Lines starting with ``#`` before the header are skipped.
"""

import csv
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._validation import validate_option
from ..lightcurves import StarLightCurve
from ._base import DatasetNotFoundError, _bands_argument

__all__ = ["ASASSN_SOURCE", "read_asassn"]

#: Public place of the ASAS-SN variable-star catalogue and of Sky Patrol light curves.
ASASSN_SOURCE = "https://asas-sn.osu.edu/variables (catalogue), https://asas-sn.osu.edu/ (Sky Patrol light curves)"

_ID_COLUMNS = ("id", "source_id", "asassn_id", "asassn_name")
_SENTINEL = 99.99
_MISSING = ("warn", "raise", "ignore")
#: The filters of ASAS-SN Sky Patrol light curves.
_FILTERS = ("V", "g")


def _open_csv(path):
    """Read a CSV file, skipping ``#`` comment lines and blank lines; return (lower-case header, rows)."""
    with open(path, newline="") as f:
        lines = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise ValueError(f"{path} is empty")
    return [h.strip().lower() for h in header], list(reader)


def _read_catalog(path, id_column, min_class_probability):
    header, rows = _open_csv(path)
    if id_column is None:
        id_column = next((c for c in _ID_COLUMNS if c in header), None)
        if id_column is None:
            raise ValueError(f"{path.name} has none of the identifier columns {list(_ID_COLUMNS)}; "
                             f"its columns are {header} (pass id_column=)")
    id_column = id_column.strip().lower()
    needed = [id_column, "period", "variable_type"]
    if min_class_probability is not None:
        needed.append("class_probability")
    absent = [c for c in needed if c not in header]
    if absent:
        raise ValueError(f"{path.name} lacks the column(s) {absent}; its columns are {header}")
    col = {name: header.index(name) for name in needed}
    if "class_probability" in header:
        col["class_probability"] = header.index("class_probability")  # returned even when not filtered on

    stars = []
    for line, row in enumerate(rows, start=2):
        if len(row) < len(header):
            raise ValueError(f"{path.name} (line {line}): {len(row)} fields for {len(header)} columns")
        star_id = row[col[id_column]].strip()
        if not star_id:
            raise ValueError(f"{path.name} (line {line}): empty {id_column!r}")
        label = row[col["variable_type"]].strip()
        if not label:
            raise ValueError(f"star {star_id!r} in {path.name} (line {line}): empty variable_type")
        try:
            period = float(row[col["period"]]) if row[col["period"]].strip() else np.nan
            probability = (float(row[col["class_probability"]]) if "class_probability" in col
                           and row[col["class_probability"]].strip() else np.nan)
        except ValueError:
            raise ValueError(f"star {star_id!r} in {path.name} (line {line}): period or class_probability "
                             f"is not a number") from None
        if min_class_probability is not None and not probability >= min_class_probability:
            continue  # NaN probability fails the test too: an unscored star is not kept
        if not (np.isfinite(period) and period > 0):
            period = np.nan
        stars.append((star_id, label, period, probability))
    return stars, id_column


def _light_curve_path(folder, star_id):
    for name in (star_id, star_id.replace(" ", "_"), star_id.replace(" ", "")):
        path = folder / f"{name}.csv"
        if path.is_file():
            return path
    return None


def _read_light_curve(path, star_id, bands):
    """Read (time, mag, err, filters, number of upper limits) from a Sky Patrol CSV.

    ``bands``: the filters to keep (None: all); ``filters`` is None when the file has no Filter column.
    """
    header, rows = _open_csv(path)
    needed = ("hjd", "mag", "mag_err")
    absent = [c for c in needed if c not in header]
    if absent:
        raise ValueError(f"star {star_id!r} ({path.name}) lacks the column(s) {absent}; "
                         f"its columns are {header}")
    t_col, m_col, e_col = (header.index(c) for c in needed)
    f_col = header.index("filter") if "filter" in header else None
    if bands is not None and f_col is None:
        raise ValueError(f"star {star_id!r} ({path.name}) has no Filter column, so band={bands!r} "
                         "cannot be selected; pass band=None to keep every row")
    times, mags, errs, filters, limits = [], [], [], [], 0
    for line, row in enumerate(rows, start=2):
        if bands is not None and row[f_col].strip() not in bands:
            continue
        mag_text = row[m_col].strip()
        if mag_text.startswith(">"):
            limits += 1  # a non-detection: only an upper limit on the brightness
            continue
        try:
            t, m, e = float(row[t_col]), float(mag_text), float(row[e_col])
        except (ValueError, IndexError):
            raise ValueError(f"star {star_id!r} ({path.name}, line {line}): cannot read HJD, mag, mag_err "
                             f"as numbers: {row}") from None
        if m == _SENTINEL or e == _SENTINEL:
            continue
        times.append(t)
        mags.append(m)
        errs.append(e)
        if f_col is not None:
            filters.append(row[f_col].strip())
    return np.array(times), np.array(mags), np.array(errs), (None if f_col is None else np.array(filters)), limits


def read_asassn(catalog_csv, lightcurve_folder, *, min_class_probability=None, band=None,
                id_column=None, missing="warn"):
    """Read labelled ASAS-SN light curves: a variable-star catalogue CSV plus one CSV per star.

    See the module documentation for the formats assumed. Stars are returned
    in catalogue order. In the light curves, upper limits (``>`` magnitudes)
    and ``99.99`` sentinels are left out (they are not measurements); the
    rest is returned as stored, times in HJD.

    Parameters
    ----------
    catalog_csv : str or os.PathLike
        The catalogue export.
    lightcurve_folder : str or os.PathLike
        Folder of ``<identifier>.csv`` light curves.
    min_class_probability : float, optional
        Keep only stars whose ``class_probability`` is at least this (stars
        without one are dropped too).
    band : {"V", "g"} or sequence of them, optional
        Keep only the points in this filter (needs a ``Filter`` column), as
        single-band light curves; several, e.g. ``("V", "g")``, keep those
        filters as multi-band light curves. By default every point is kept,
        each labelled with its filter when the file has a ``Filter`` column
        (so V and g magnitudes are never mixed as one band).
    id_column : str, optional
        Catalogue column naming the light-curve files; by default the first of
        ``id``, ``source_id``, ``asassn_id``, ``asassn_name`` present.
    missing : {"warn", "raise", "ignore"}
        What to do with catalogue stars that have no light-curve file: skip
        them with one warning listing them (default), raise
        `DatasetNotFoundError`, or skip them silently.

    Returns
    -------
    data : sklearn.utils.Bunch
        With fields

        light_curves : list of StarLightCurve
            Times (HJD), magnitudes and errors; each carries the catalogue
            period (None when the catalogue has none) and its identifier.
        target : numpy.ndarray of str
            ``variable_type`` values.
        periods : numpy.ndarray of float
            Days, NaN when none.
        class_probability : numpy.ndarray of float
            The catalogue's ``class_probability`` (0-1), NaN when absent.
        star_ids : numpy.ndarray of str
            Catalogue identifiers.
        n_upper_limits : numpy.ndarray of int
            Upper limits left out of each light curve.
        class_names : list of str
            Sorted class names present.
        missing : list of str
            Identifiers skipped for want of a light-curve file.
        band : str, tuple of str or None
            The ``band`` argument (a tuple for several bands).
        DESCR : str
            A description of the data set.
        source : str
            Where the catalogue and light curves can be downloaded.

    Raises
    ------
    DatasetNotFoundError
        When the catalogue or the folder is missing, or a light curve is
        missing and ``missing="raise"``.
    ValueError
        For an invalid argument, a missing column, or a row that cannot be
        read (the star, the file and the line are named).

    Warns
    -----
    UserWarning
        When light curves are missing and ``missing="warn"``.

    References
    ----------
    .. [1] Jayasinghe, T. et al. 2018, "The ASAS-SN catalogue of variable stars
       I: The Serendipitous Survey", MNRAS 477, 3145.
    .. [2] Kochanek, C. S. et al. 2017, "The All-Sky Automated Survey for
       Supernovae (ASAS-SN) Light Curve Server v1.0", PASP 129, 104502.

    Examples
    --------
    >>> from astro_cyclic.datasets import read_asassn
    >>> data = read_asassn("asassn_variables.csv", "lightcurves/", band="V",
    ...                    min_class_probability=0.9)  # doctest: +SKIP
    """
    missing = validate_option(missing, _MISSING, "missing")
    band, bands = (None, None) if band is None else _bands_argument(band, _FILTERS)
    if min_class_probability is not None and not (0 <= min_class_probability <= 1):
        raise ValueError(f"min_class_probability must be between 0 and 1, got {min_class_probability!r}")
    catalog_csv = Path(catalog_csv).expanduser()
    folder = Path(lightcurve_folder).expanduser()
    if not catalog_csv.is_file():
        raise DatasetNotFoundError(f"ASAS-SN catalogue {catalog_csv} not found; export it from {ASASSN_SOURCE}")
    if not folder.is_dir():
        raise DatasetNotFoundError(f"ASAS-SN light-curve folder {folder} not found; download the light curves "
                                   f"from {ASASSN_SOURCE}")

    stars, id_column = _read_catalog(catalog_csv, id_column, min_class_probability)
    paths = {star[0]: _light_curve_path(folder, star[0]) for star in stars}
    absent = [star_id for star_id, path in paths.items() if path is None]
    listing = f"{', '.join(absent[:10])}{' ...' if len(absent) > 10 else ''}"
    if absent and missing == "raise":
        raise DatasetNotFoundError(f"{len(absent)} star(s) of {catalog_csv.name} have no light curve "
                                   f"'<{id_column}>.csv' in {folder}: {listing}")
    if absent and missing == "warn":
        warnings.warn(f"{len(absent)} star(s) of {catalog_csv.name} have no light curve in {folder} and are "
                      f"skipped: {listing}", UserWarning, stacklevel=2)

    light_curves, labels, periods, probabilities, ids, limits = [], [], [], [], [], []
    for star_id, label, period, probability in stars:
        if paths[star_id] is None:
            continue
        time, mag, err, filters, n_limits = _read_light_curve(paths[star_id], star_id, bands)
        light_curves.append(StarLightCurve(time, mag, err, period=None if np.isnan(period) else period,
                                           star_id=star_id, band=None if isinstance(band, str) else filters))
        labels.append(label)
        periods.append(period)
        probabilities.append(probability)
        ids.append(star_id)
        limits.append(n_limits)

    target = np.array(labels, dtype=str)
    names, counts = np.unique(target, return_counts=True)
    summary = ", ".join(f"{n} {c}" for n, c in zip(names, counts))
    cut = "" if min_class_probability is None else f", class_probability >= {min_class_probability}"
    return Bunch(
        light_curves=light_curves,
        target=target,
        periods=np.array(periods, dtype=float),
        class_probability=np.array(probabilities, dtype=float),
        star_ids=np.array(ids, dtype=str),
        n_upper_limits=np.array(limits, dtype=int),
        class_names=sorted(set(labels)),
        missing=absent,
        band=band,
        DESCR=(f"ASAS-SN variable stars from {catalog_csv.name}{cut}, band {'+'.join(bands or ['all'])}: "
               f"{target.size} "
               f"stars ({summary}); {len(absent)} without light curve skipped.\n"
               "Times in HJD, magnitudes and errors in mag; upper limits and 99.99 sentinels removed, "
               f"nothing else cleaned.\nSource: {ASASSN_SOURCE}."),
        source=ASASSN_SOURCE,
    )
