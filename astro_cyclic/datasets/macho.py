"""Reader for the MACHO LMC variable-star catalogue and MACHO TAP photometry.

The data live in ``<data_home>/macho_sample/``, as distributed in
https://github.com/sarajamal57/deepnets_vs (Jamal & Bloom 2020):

``macho_vs_catalog.csv``
    The MACHO LMC variable-star catalogue: 21,474 stars, one row each, with
    ``field``, ``tile``, ``seqn`` (together the MACHO star id
    ``field.tile.seqn``), ``starid`` (the survey's running number),
    ``rarad``/``decrad`` (radians), ``period_r``/``period_b`` (days),
    mean magnitudes and amplitudes, and ``classification`` (codes 1-11, see
    `MACHO_CLASSES`).
``photometry/data_TAPquery/LC_<field>.<tile>.<seqn>.csv``
    Photometry of one star as returned by the MACHO TAP service: one row per
    observation with ``dateobs`` (MJD), ``rmag``/``rerr`` (red) and
    ``bmag``/``berr`` (blue) among 37 columns. Magnitudes are MACHO
    instrumental magnitudes (about -10 to -1; the catalogue's ``magave_kv`` /
    ``magave_kr`` are the calibrated means). ``-99`` in a band's magnitude means
    the star was not measured in that band on that exposure; errors can also
    be ``-99`` or other negative numbers (unusable points).

Only the standard library (`csv`) and NumPy are used for the photometry; the
catalogue is returned as an astropy `~astropy.table.Table`.
"""

import csv
import re
import warnings

import numpy as np
from astropy.table import Table
from sklearn.utils import Bunch

from ._base import _bands_argument, _not_found, _star, get_data_home
from ._download import RemoteFile, ensure_files

__all__ = ["MACHO_CLASSES", "MACHO_SOURCE", "MACHO_FILES", "load_macho", "load_macho_catalog"]

#: Class names for the MACHO ``classification`` codes, as the MACHO project
#: lists them with its photometry release (acronyms of the MACHO variable-star
#: catalogue, Alcock et al. 2003). "LPV WoodA-D" are long-period variables on
#: the period-luminosity sequences A-D of Wood et al. (1999); "RRL E" are the
#: RR Lyrae "e" stars, proposed second-overtone pulsators; "RRL + GB" are
#: RR Lyrae blended with another star (GB most likely "giant branch"; the
#: expansion is not spelled out by the source).
MACHO_CLASSES = {
    1: "RRL AB",
    2: "RRL C",
    3: "RRL E",
    4: "Ceph Fundamental",
    5: "Ceph 1st Overtone",
    6: "LPV WoodA",
    7: "LPV WoodB",
    8: "LPV WoodC",
    9: "LPV WoodD",
    10: "EB",
    11: "RRL + GB",
}

#: Public place the files can be downloaded from.
MACHO_SOURCE = "https://github.com/sarajamal57/deepnets_vs (data/MACHO/, example_data/MACHO/)"

_SUBFOLDER = "macho_sample"
_CATALOG = "macho_vs_catalog.csv"
_PHOT_DIR = "photometry/data_TAPquery"
_RAW = "https://raw.githubusercontent.com/sarajamal57/deepnets_vs/master/"
_BANDS = ("r", "b")
_PHOT_NAME = re.compile(r"^LC_(\d+)\.(\d+)\.(\d+)\.csv$")

# SHA-256 of the public photometry files, by MACHO id.
_PHOT_SHA256 = {
    "1.3319.10": "1c857efce1364a2725ccab2248505f8f7ec6dbdf9555e24a0ba1f48c5a15c97a",
    "1.3441.1031": "d6852136b8a6e091ede3565c49dc908ad05d05823962d44f7926a13e03a89fcc",
    "1.3441.1214": "1830ec8dcb71a5fc9d6eb7ece30333ba34e756926a8c663329f27e00bca01706",
    "1.3441.15": "b819f136ff23f107c6c3a1b170b244e353a49312bbaf58384d6a4b1e076eda52",
    "1.3441.25": "13da242ae55dd2c148daec5481f98b3392457628893bf7e4f2a5cf93eaf23cf6",
    "1.3441.45": "6121c1266eea4630c4fff04c2a4ab4efe680231d983e28adfa473aba2b8629e1",
    "1.3442.1051": "0c978e594d9a5c4496f459d01538618daa854e23b442a00cdce9526e30515cc3",
    "1.3442.1106": "45c4a8cdf99bba4e75121032cd5e51e5615e8f2109b96e64386acc51d1eb32c5",
    "1.3442.1107": "31a6e006b6e4494a4697872fab1a19d8c2b2b199dd22692487ea2f209f73e7db",
    "1.3442.1243": "b9c22a82ec99f6a7e386cdc276b68b62bef8b906ab50297b06c4afc838b5ee86",
    "1.3442.1388": "d081238769737c90e31a63f5f77b484c2b3f68ed9f70d90139af6463585fc2cd",
    "1.3442.172": "2cec6d3d68497415b4f4b681520a36776bba518f732e95633b60fc72b78e8071",
    "1.3442.233": "9a921d135c36a838e354bce8ad5ad21657378f72e0552848dba14f18ca92e6f8",
    "1.3442.503": "1cdfcccac9eb9bb434d818bfcf6e4ae05fcec42dc80d86bb771c369ccd251873",
    "1.3443.26": "3141dcbaa6058ec8cb5cd6ae856834f592893a5a9aa428b32d43e96cf51fc85e",
}

_CATALOG_FILE = RemoteFile(_CATALOG, _RAW + "data/MACHO/initial_data/" + _CATALOG,
                           "4f33d1567ca40fec82d476ff0f69e1db59ad45b13d99b167b901dddf53d3f0bb")

#: Files read by :func:`load_macho`, with their URLs and SHA-256: the
#: catalogue and the 15 public photometry files.
MACHO_FILES = (_CATALOG_FILE,) + tuple(
    RemoteFile(f"{_PHOT_DIR}/LC_{star}.csv",
               f"{_RAW}example_data/MACHO/initial_data/{_PHOT_DIR}/LC_{star}.csv", digest)
    for star, digest in _PHOT_SHA256.items())

_PHOT_COLUMNS = {"r": ("dateobs", "rmag", "rerr"), "b": ("dateobs", "bmag", "berr")}
_MISSING_MAG = -99.0


def load_macho_catalog(*, data_home=None, download=False):
    """Load the MACHO LMC variable-star catalogue (21,474 stars) as a table.

    Useful for class statistics and periods of the whole catalogue; light
    curves are only available for the stars :func:`load_macho` returns.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Folder holding ``macho_sample/``; see :func:`get_data_home`.
    download : bool
        If True and the catalogue is missing, download it from `MACHO_SOURCE`
        (checking its recorded SHA-256). An existing file is never overwritten.

    Returns
    -------
    astropy.table.Table
        The catalogue's columns as stored (``field``, ``tile``, ``seqn``,
        ``classification``, ``period_r``, ``period_b``, ...), plus ``macho_id``
        (``"field.tile.seqn"``) and ``class_name`` (from `MACHO_CLASSES`;
        ``"unknown <code>"`` for a code not in it).

    Raises
    ------
    DatasetNotFoundError
        When the catalogue is missing (and ``download`` is False).
    ValueError
        When a needed column is absent.

    Examples
    --------
    >>> from astro_cyclic.datasets import load_macho_catalog
    >>> cat = load_macho_catalog()  # doctest: +SKIP
    >>> len(cat), (cat["class_name"] == "RRL AB").sum()  # doctest: +SKIP
    (21474, 7405)
    """
    folder = get_data_home(data_home) / _SUBFOLDER
    ensure_files(folder, (_CATALOG_FILE,), download=download, dataset=_SUBFOLDER, source=MACHO_SOURCE)
    return _read_catalog(folder / _CATALOG)


def _read_catalog(path):
    try:
        table = Table.read(path, format="ascii.csv", guess=False)
    except Exception as exc:  # astropy raises several types for a malformed CSV
        raise ValueError(f"cannot read {path}: {exc}; download it again from {MACHO_SOURCE}") from exc
    needed = ("field", "tile", "seqn", "classification", "period_r", "period_b")
    missing = [c for c in needed if c not in table.colnames]
    if missing:
        raise ValueError(f"{path.name} lacks the column(s) {missing}; its columns are {table.colnames}")
    ids = [f"{f}.{t}.{s}" for f, t, s in zip(table["field"], table["tile"], table["seqn"])]
    table["macho_id"] = ids
    table["class_name"] = [MACHO_CLASSES.get(int(code), f"unknown {code}") for code in table["classification"]]
    return table


def load_macho(*, data_home=None, band="r", download=False):
    """Load the MACHO LMC light curves that have photometry, labelled from the catalogue.

    The MACHO project monitored the Large Magellanic Cloud from 1992 to 1999
    in a red and a blue band. Its variable-star catalogue (see
    :func:`load_macho_catalog`) labels 21,474 stars; the public sample here
    holds the photometry of 15 of them (``photometry/data_TAPquery/``). Only
    those are returned, labelled with the catalogue's class (codes mapped to
    names by `MACHO_CLASSES`) and period in the chosen band.

    Observations with no measurement in ``band`` (magnitude ``-99``: the row
    exists because the other band was measured) are left out. Everything else
    is returned as stored: errors of ``-99`` or other negative values, and
    error values such as 9.999, are left for the package's cleaning step
    (:func:`~astro_cyclic.lightcurves.clean_light_curve` drops non-positive
    errors).

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Folder holding ``macho_sample/``; see :func:`get_data_home`.
    band : {"r", "b"} or sequence of them
        MACHO red or blue band; both, e.g. ``("r", "b")``, give multi-band
        light curves (each observation with its band) whose period is that
        of the first band listed that has one.
    download : bool
        If True, files missing from the data folder (the catalogue and the 15
        photometry files) are downloaded from `MACHO_SOURCE` first and checked
        against their recorded SHA-256. Existing files are never overwritten.

    Returns
    -------
    data : sklearn.utils.Bunch
        With fields

        light_curves : list of StarLightCurve
            Times (MJD), instrumental magnitudes and errors in ``band``; each
            carries the catalogue period in that band (``None`` when it is not
            positive) and the MACHO id as ``star_id``.
        target : numpy.ndarray of str
            Class names (values of `MACHO_CLASSES`).
        class_codes : numpy.ndarray of int
            The catalogue's ``classification`` codes.
        periods : numpy.ndarray of float
            ``period_r`` or ``period_b`` (days), NaN when not positive.
        star_ids : numpy.ndarray of str
            MACHO ids ``"field.tile.seqn"``, sorted.
        class_names : list of str
            Sorted class names present.
        band : str or tuple of str
            The ``band`` argument (a tuple for several bands).
        DESCR : str
            A description of the data set.
        source : str
            Where the files can be downloaded.

    Raises
    ------
    DatasetNotFoundError
        When the catalogue or the photometry folder is missing (and
        ``download`` is False).
    ValueError
        For an invalid band, a photometry file lacking a needed column or
        holding a value that is not a number (the star and file are named).

    Warns
    -----
    UserWarning
        When photometry files have no row in the catalogue; they are skipped.

    References
    ----------
    .. [1] Alcock, C. et al. 2003, the MACHO Project variable star catalogue of
       the LMC (class codes as listed with the MACHO photometry release,
       http://macho.nci.org.au/).
    .. [2] Jamal, S. & Bloom, J. S. 2020, "On neural architectures for
       astronomical time-series classification with application to variable
       stars", ApJS 250, 30.

    Examples
    --------
    >>> from astro_cyclic.datasets import load_macho
    >>> data = load_macho(band="r")  # doctest: +SKIP
    >>> len(data.light_curves)  # doctest: +SKIP
    15
    """
    band, bands = _bands_argument(band, _BANDS)
    folder = get_data_home(data_home) / _SUBFOLDER
    listed = (_CATALOG, f"{_PHOT_DIR}/LC_<field>.<tile>.<seqn>.csv")
    if download:
        ensure_files(folder, MACHO_FILES, download=True, dataset=_SUBFOLDER, source=MACHO_SOURCE)
    else:
        # The catalogue and at least the photometry folder must exist; which stars have
        # photometry is whatever the folder holds (a user may have fetched more).
        ensure_files(folder, (_CATALOG_FILE,), download=False, dataset=_SUBFOLDER,
                     source=MACHO_SOURCE, listed=listed)
        if not (folder / _PHOT_DIR).is_dir():
            raise _not_found(_PHOT_DIR + "/", folder, dataset=_SUBFOLDER, source=MACHO_SOURCE,
                             files=listed, download_hint=True)

    catalog = _read_catalog(folder / _CATALOG)
    rows = {macho_id: i for i, macho_id in enumerate(catalog["macho_id"])}
    files = {}
    for path in (folder / _PHOT_DIR).iterdir():
        macho_id = _star_from_name(path.name)
        if macho_id is not None and path.is_file():
            files[macho_id] = path
    unlabelled = sorted(set(files) - set(rows))
    if unlabelled:
        warnings.warn(f"{len(unlabelled)} MACHO photometry file(s) have no row in {_CATALOG} and are "
                      f"skipped: {', '.join(files[i].name for i in unlabelled)}", UserWarning, stacklevel=2)

    light_curves, codes, periods, star_ids = [], [], [], []
    for macho_id in sorted((i for i in files if i in rows), key=lambda s: tuple(map(int, s.split(".")))):
        row = catalog[rows[macho_id]]
        # Several bands: the period of the first band listed that has one.
        valid = [float(row[f"period_{b}"]) for b in bands]
        period = next((p for p in valid if np.isfinite(p) and p > 0), np.nan)
        photometry = {b: _read_photometry(files[macho_id], macho_id, b) for b in bands}
        light_curves.append(_star(photometry, multiband=len(bands) > 1, period=None if np.isnan(period) else period,
                                  star_id=macho_id))
        codes.append(int(row["classification"]))
        periods.append(period)
        star_ids.append(macho_id)

    labels = [MACHO_CLASSES.get(c, f"unknown {c}") for c in codes]
    target = np.array(labels, dtype=str)
    return Bunch(
        light_curves=light_curves,
        target=target,
        class_codes=np.array(codes, dtype=int),
        periods=np.array(periods, dtype=float),
        star_ids=np.array(star_ids, dtype=str),
        class_names=sorted(set(labels)),
        band=band,
        DESCR=_describe(band, target),
        source=MACHO_SOURCE,
    )


def _read_photometry(path, macho_id, band):
    """Read (time, mag, err) in ``band`` from one TAP file, dropping epochs not measured in that band."""
    columns = _PHOT_COLUMNS[band]
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in columns if c not in header]
        if missing:
            raise ValueError(f"star {macho_id!r} ({path.name}) lacks the column(s) {missing}; "
                             f"its columns are {header}")
        idx = [header.index(c) for c in columns]
        values = []
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            try:
                values.append([float(row[i]) for i in idx])
            except (ValueError, IndexError):
                raise ValueError(f"star {macho_id!r} ({path.name}, line {line}): cannot read "
                                 f"{', '.join(columns)} as numbers") from None
    data = np.array(values, dtype=float).reshape(-1, 3)
    measured = data[:, 1] != _MISSING_MAG
    time, mag, err = data[measured].T
    return time, mag, err


def _describe(band, target):
    names, counts = np.unique(target, return_counts=True)
    summary = ", ".join(f"{n} {c}" for n, c in zip(names, counts))
    names = {"r": "red", "b": "blue"}
    band_name = " and ".join(names[b] for b in band) if isinstance(band, tuple) else names[band]
    return (
        "MACHO Large Magellanic Cloud variable stars (1992-1999) with public TAP photometry, labelled "
        "from the MACHO variable-star catalogue.\n"
        f"Band: {band_name} ({', '.join(band) if isinstance(band, tuple) else band}); {target.size} stars: "
        f"{summary}.\n"
        "Times in MJD, MACHO instrumental magnitudes and errors in mag; epochs not measured in the band "
        "(magnitude -99) removed, nothing else cleaned. Periods are the catalogue's, in days.\n"
        f"Source: {MACHO_SOURCE}."
    )


def _star_from_name(name):
    """``"LC_1.3441.15.csv"`` -> ``"1.3441.15"`` (None when not a photometry file name)."""
    match = _PHOT_NAME.match(name)
    return None if match is None else ".".join(str(int(p)) for p in match.groups())
