"""Reader for the EROS-1 LMC variable-star light curves (RAMP variable_stars kit).

The data are four files in ``<data_home>/eros1/``, as distributed in the
``data/`` folder of https://github.com/ramp-kits/variable_stars:

``train.csv``, ``test.csv``
    One row per star. The first column is the star identifier
    (``<patch>_<star>``, e.g. ``"135_9613"``); ``type`` is the class (1
    eclipsing binary, 2 Cepheid, 3 RR Lyrae, 4 Mira), ``quality`` a visual
    quality grade (higher is better), ``period`` the period found by the
    survey's search, in days, and ``div_period`` the integer a human found it
    must be divided by.
``train_varlength_features.csv.gz``, ``test_varlength_features.csv.gz``
    Same identifiers; columns ``time_points_{b,r}`` (days),
    ``light_points_{b,r}`` (magnitudes) and ``error_points_{b,r}``
    (magnitudes), each a string holding a list of numbers such as
    ``"[290.3, 291.35]"``.

Only the standard library (`csv`, `gzip`, `json`) and NumPy are used, so that
pandas is not needed.
"""

import csv
import gzip
import json
import operator

import numpy as np
from sklearn.utils import Bunch

from .._validation import validate_option
from ._base import _bands_argument, _star, get_data_home
from ._download import RemoteFile, ensure_files

__all__ = ["EROS1_CLASSES", "EROS1_FILES", "EROS1_SOURCE", "load_eros1"]

#: Class names for the survey's ``type`` codes.
EROS1_CLASSES = {1: "EB", 2: "Cepheid", 3: "RRLyrae", 4: "Mira"}

#: Public place the files can be downloaded from.
EROS1_SOURCE = "https://github.com/ramp-kits/variable_stars (data/)"

_SUBFOLDER = "eros1"
_RAW = "https://raw.githubusercontent.com/ramp-kits/variable_stars/master/data/"
_SHA256 = {
    "train.csv": "3c78f865ae57abe6b5024666e93bab0d36015962db8f90baecfaf73db160a9ce",
    "train_varlength_features.csv.gz": "6b812b6d0c8122298a606e624a65f81cbf91a2d38267d081219b10d2c9573991",
    "test.csv": "93ff2d1bbe170d59202b443712dec7260351bb26ea49eb7930399f272ad847f6",
    "test_varlength_features.csv.gz": "d30fac6cd628f4fcd430f8b0ab42192fbcdf0968ab1d67d728ada81971f4b97e",
}

#: Files read by :func:`load_eros1`, with their URLs and SHA-256 (of the public release).
EROS1_FILES = tuple(RemoteFile(name, _RAW + name, digest) for name, digest in _SHA256.items())
_BANDS = ("b", "r")
_SUBSETS = ("all", "train", "test")
_STATIC_COLUMNS = ("type", "quality", "period", "div_period")


def _files(split):
    return f"{split}.csv", f"{split}_varlength_features.csv.gz"


def load_eros1(*, data_home=None, band="r", subset="all", min_quality=None, download=False):
    """Load the EROS-1 light curves of 3,641 labelled LMC variable stars.

    EROS-1 photographed the Large Magellanic Cloud with the 1 m ESO Schmidt
    telescope at La Silla from 1990 to 1994, in a blue and a red band. The
    RAMP "variable_stars" challenge released light curves of 3,641 visually
    classified variables (about 120 points per band): 2,231 RR Lyrae, 736
    Cepheids, 439 eclipsing binaries and 235 Miras, split into 2,912 training
    and 729 test stars.

    Class names: survey ``type`` 1 is ``"EB"`` (eclipsing binary), 2
    ``"Cepheid"``, 3 ``"RRLyrae"``, 4 ``"Mira"`` (see `EROS1_CLASSES`).

    The light curves are returned as stored, without cleaning (the package's
    preprocessing does that); only the structure of the files is checked.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Folder holding ``eros1/``; see :func:`get_data_home`.
    band : {"r", "b"} or sequence of them
        Photometric band: red or blue; several, e.g. ``("b", "r")``, give
        multi-band light curves (each observation with its band; see
        :class:`~astro_cyclic.StarLightCurve`).
    subset : {"all", "train", "test"}
        The challenge's training stars, its test stars, or both (training
        stars first).
    min_quality : int, optional
        Keep only stars whose visual quality grade is at least this (grades run
        from 0 to 3, higher meaning a better signal to background).
    download : bool
        If True, the files of ``subset`` missing from the data folder are
        downloaded from `EROS1_SOURCE` first and checked against their recorded
        SHA-256 (see `EROS1_FILES`). Files already there are never overwritten.

    Returns
    -------
    data : sklearn.utils.Bunch
        With fields

        light_curves : list of StarLightCurve
            Times (days, in the survey's own time origin), magnitudes and
            magnitude errors in ``band`` (in every band of it, each
            observation labelled with its band); each carries its catalogue
            period (``period / div_period``, days) and ``star_id``.
        target : numpy.ndarray of str
            Class names (``"EB"``, ``"Cepheid"``, ``"RRLyrae"``, ``"Mira"``).
        periods : numpy.ndarray of float
            Catalogue periods in days.
        star_ids : numpy.ndarray of str
            Identifiers such as ``"135_9613"``.
        quality : numpy.ndarray of int
            Visual quality grades (0-3).
        subset : numpy.ndarray of str
            ``"train"`` or ``"test"`` for each star.
        class_names : list of str
            Sorted class names.
        band : str or tuple of str
            The ``band`` argument (a tuple for several bands).
        DESCR : str
            A description of the data set.
        source : str
            Where the files can be downloaded.

    Raises
    ------
    DatasetNotFoundError
        When a file is missing (and ``download`` is False); the message says
        where it was looked for, how to choose the folder and where to
        download the data.
    DatasetChecksumError
        When a downloaded file does not match its recorded checksum.
    ValueError
        For an invalid argument, or a row that cannot be read or whose arrays
        differ in length (the star and the file are named).

    References
    ----------
    .. [1] Aubourg, E. et al. 1993, "Evidence for gravitational microlensing by
       dark objects in the Galactic halo", Nature 365, 623 (the EROS survey).
    .. [2] Kégl, B., Moniez, M., Gramfort, A., Benbouzid, D. & Cherti, M.,
       "RAMP on variable star type prediction",
       https://github.com/ramp-kits/variable_stars.

    Examples
    --------
    >>> from astro_cyclic.datasets import load_eros1
    >>> data = load_eros1(band="r")  # doctest: +SKIP
    >>> len(data.light_curves), data.class_names  # doctest: +SKIP
    (3641, ['Cepheid', 'EB', 'Mira', 'RRLyrae'])
    >>> load_eros1(band=("b", "r")).light_curves[0].bands  # doctest: +SKIP
    ('b', 'r')
    """
    band, bands = _bands_argument(band, _BANDS)
    subset = validate_option(subset, _SUBSETS, "subset")
    if min_quality is not None:
        try:
            min_quality = operator.index(min_quality)
        except TypeError:
            raise ValueError(f"min_quality must be an integer grade (0-3) or None, got {min_quality!r}") from None

    folder = get_data_home(data_home) / _SUBFOLDER
    splits = ("train", "test") if subset == "all" else (subset,)
    every_file = _files("train") + _files("test")
    # Only the files of the requested subset are needed (and fetched).
    needed = [f for f in EROS1_FILES if any(f.name in _files(split) for split in splits)]
    ensure_files(folder, needed, download=download, dataset=_SUBFOLDER, source=EROS1_SOURCE,
                 listed=every_file)

    light_curves, labels, periods, star_ids, quality, subsets = [], [], [], [], [], []
    for split in splits:
        static_name, series_name = _files(split)
        rows = _read_static(folder / static_name)
        if min_quality is not None:
            rows = [row for row in rows if row[2] >= min_quality]
        series = {b: _read_series(folder / series_name, b, {row[0] for row in rows}) for b in bands}
        for star_id, code, grade, period in rows:
            if any(star_id not in series[b] for b in bands):
                raise ValueError(f"star {star_id!r} of {static_name} has no light curve in {series_name}")
            light_curves.append(_star({b: series[b][star_id] for b in bands}, multiband=len(bands) > 1,
                                      period=period, star_id=star_id))
            labels.append(EROS1_CLASSES[code])
            periods.append(period)
            star_ids.append(star_id)
            quality.append(grade)
            subsets.append(split)

    target = np.array(labels, dtype=str)
    return Bunch(
        light_curves=light_curves,
        target=target,
        periods=np.array(periods, dtype=float),
        star_ids=np.array(star_ids, dtype=str),
        quality=np.array(quality, dtype=int),
        subset=np.array(subsets, dtype=str),
        class_names=sorted(set(labels)),
        band=band,
        DESCR=_describe(band, subset, min_quality, target),
        source=EROS1_SOURCE,
    )


def _read_static(path):
    """Read ``train.csv``/``test.csv``: (star_id, type code, quality, period) per star."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{path.name} is empty")
        missing = [c for c in _STATIC_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{path.name} lacks the column(s) {missing}; its columns are {header}")
        idx = [header.index(c) for c in _STATIC_COLUMNS]
        rows = []
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            star_id = row[0]
            try:
                code, grade, period, divisor = (float(row[i]) for i in idx)
            except (ValueError, IndexError):
                raise ValueError(f"star {star_id!r} in {path.name} (line {line}): cannot read "
                                 f"{', '.join(_STATIC_COLUMNS)} as numbers") from None
            if code not in EROS1_CLASSES:
                raise ValueError(f"star {star_id!r} in {path.name} (line {line}): unknown type {row[idx[0]]!r}; "
                                 f"known types are {EROS1_CLASSES}")
            true_period = period / divisor if divisor else np.nan
            if not (np.isfinite(true_period) and true_period > 0):
                raise ValueError(f"star {star_id!r} in {path.name} (line {line}): period {row[idx[2]]!r} / "
                                 f"div_period {row[idx[3]]!r} is not a positive number of days")
            rows.append((star_id, int(code), int(grade), true_period))
    return rows


def _parse_list(text):
    """Parse ``"[1.0, 2.5]"`` into a float array; NaN/inf written by Python are accepted."""
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        # Python writes non-finite floats as nan/inf, which JSON spells NaN/Infinity.
        values = json.loads(text.replace("nan", "NaN").replace("inf", "Infinity"))
    if not isinstance(values, list):
        raise ValueError("not a list")
    return np.array(values, dtype=float)


def _read_series(path, band, wanted):
    """Read the light curves in ``band`` of the stars in ``wanted`` from a ``*_varlength_features.csv.gz``."""
    columns = [f"{kind}_points_{band}" for kind in ("time", "light", "error")]
    series = {}
    try:
        with gzip.open(path, "rt", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise ValueError(f"{path.name} is empty")
            missing = [c for c in columns if c not in header]
            if missing:
                raise ValueError(f"{path.name} lacks the column(s) {missing}; its columns are {header}")
            idx = [header.index(c) for c in columns]
            for row in reader:
                if not row or row[0] not in wanted:
                    continue  # stars filtered out are not parsed
                star_id = row[0]
                try:
                    arrays = [_parse_list(row[i]) for i in idx]
                except (ValueError, TypeError, IndexError):
                    raise ValueError(f"star {star_id!r} in {path.name}: cannot parse "
                                     f"{', '.join(columns)} as lists of numbers") from None
                sizes = [a.size for a in arrays]
                if len(set(sizes)) != 1:
                    detail = ", ".join(f"{c} has {n}" for c, n in zip(columns, sizes))
                    raise ValueError(f"star {star_id!r} in {path.name}: arrays differ in length ({detail})")
                series[star_id] = arrays
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        # A truncated or corrupt download: say which file, not just "CRC check failed".
        raise ValueError(f"cannot read {path}: {exc}; download it again from {EROS1_SOURCE}") from exc
    return series


def _describe(band, subset, min_quality, target):
    names, counts = np.unique(target, return_counts=True)
    summary = ", ".join(f"{n} {c}" for n, c in zip(names, counts))
    names = {"r": "red", "b": "blue"}
    band_name = " and ".join(names[b] for b in band) if isinstance(band, tuple) else names[band]
    quality = "" if min_quality is None else f", visual quality >= {min_quality}"
    return (
        "EROS-1 Large Magellanic Cloud variable stars (1990-1994, ESO 1 m Schmidt photographic plates), "
        "as released for the RAMP 'variable_stars' challenge.\n"
        f"Band: {band_name} ({', '.join(band) if isinstance(band, tuple) else band}); subset: {subset}{quality}; "
        f"{target.size} stars: {summary}.\n"
        "Times in days (survey time origin), magnitudes and errors in mag, not cleaned. "
        "Periods are the catalogue's period / div_period, in days.\n"
        f"Source: {EROS1_SOURCE}."
    )
