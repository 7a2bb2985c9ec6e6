"""Reader for the public format of the OGLE-III Catalogue of Variable Stars (OIII-CVS).

The OGLE-III catalogue (Soszynski, Udalski et al. 2008-2011, Acta Astronomica;
https://www.astrouw.edu.pl/ogle/ogle3/OIII-CVS/, e.g. ``lmc/rrlyr/``,
``lmc/cep/``, ``smc/lpv/``) distributes each class of variable stars in a
folder holding:

``ident.dat``
    One line per star, whitespace-separated, in this order: the star's ID
    (``OGLE-LMC-RRLYR-00001``), the OGLE-III field (``LMC100.1``), the star's
    number in the OGLE-III photometric database, the mode or type
    (``RRab``, ``RRc``, ``F``, ``1O``, ``Mira``, ...; some catalogues leave it
    out), right ascension ``hh:mm:ss.ss`` and declination ``+dd:mm:ss.s``
    (J2000), then cross-identifications (OGLE-II, MACHO, GCVS, ...) which may
    be blank and are not read.
``<subtype>.dat`` (optional; e.g. ``RRab.dat``, ``cepF.dat``, ``cep1O.dat``)
    Parameters of the stars of one mode or type, whitespace-separated: ID,
    intensity-mean I magnitude, V magnitude (``-99.99`` when not measured),
    period (days), its uncertainty, epoch of maximum light or of minimum,
    amplitudes and Fourier parameters. Only the ID (first column) and the
    period (fourth column) are read; for multi-mode stars this is the first,
    longest listed period. Lines of other ``*.dat`` files whose first word
    is not a star of ``ident.dat`` are ignored.
``phot/I/<ID>.dat``, ``phot/V/<ID>.dat``
    The photometry of each star in each band (the catalogue's ``phot.tar.gz``
    unpacked), one observation per line: time (HJD - 2,450,000 in OGLE-III;
    the reader returns times as stored), magnitude, error. Lines starting
    with ``#`` and blank lines are skipped.

The star's class (``target``) is the mode/type of ``ident.dat``; when that
column is absent, the name of the period file listing the star
(``RRab.dat`` -> ``"RRab"``); when neither gives one, the class is the
folder's name (``rrlyr``).
"""

import re
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._validation import validate_option
from ._base import DatasetNotFoundError, _bands_argument, _star

__all__ = ["OGLE3_SOURCE", "read_ogle3"]

#: Public place of the OGLE-III Catalogue of Variable Stars.
OGLE3_SOURCE = "https://www.astrouw.edu.pl/ogle/ogle3/OIII-CVS/"

_FIELD = re.compile(r"^[A-Z]{3}\d+(\.\d+)?$")
_RA = re.compile(r"^\d{1,2}:\d{2}:\d{2}(\.\d*)?$")
_DEC = re.compile(r"^[+-]?\d{1,2}:\d{2}:\d{2}(\.\d*)?$")
_NOT_PERIOD_FILES = {"ident.dat"}
_BANDS = ("I", "V")
_MISSING = ("warn", "raise", "ignore")


def _sexagesimal(text, hours):
    """``"05:14:03.85"`` -> degrees (times 15 for hours)."""
    sign = -1.0 if text.startswith("-") else 1.0
    d, m, s = (float(v) for v in text.lstrip("+-").split(":"))
    return sign * (d + m / 60.0 + s / 3600.0) * (15.0 if hours else 1.0)


def _read_ident(path):
    """Rows of ident.dat: (star ID, field, type or None, RA deg, Dec deg), in file order."""
    stars = []
    with open(path) as f:
        for number, line in enumerate(f, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            tokens = line.split()
            # RA is located by its shape: the columns before it (field, database number,
            # type) are not all present in every catalogue.
            ra_at = next((i for i, tok in enumerate(tokens[1:], start=1) if _RA.match(tok)), None)
            if ra_at is None or ra_at + 1 >= len(tokens) or not _DEC.match(tokens[ra_at + 1]):
                raise ValueError(f"star {tokens[0]!r} in {path.name} (line {number}): expected "
                                 f"'ID field number [type] RA Dec ...' with RA as hh:mm:ss and Dec as "
                                 f"dd:mm:ss, got {line.strip()!r}")
            before = tokens[1:ra_at]
            # Field names look like LMC100.1 / BLG101.2; the database number is all digits;
            # whatever else stands before RA is the type.
            field = next((tok for tok in before if _FIELD.match(tok)), "")
            kind = next((tok for tok in reversed(before) if tok != field and not tok.isdigit()), None)
            stars.append((tokens[0], field, kind, _sexagesimal(tokens[ra_at], True),
                          _sexagesimal(tokens[ra_at + 1], False)))
    ids = [s[0] for s in stars]
    if len(set(ids)) != len(ids):
        seen = set()
        twice = sorted({i for i in ids if i in seen or seen.add(i)})
        raise ValueError(f"{path.name} lists star(s) {twice[:5]} more than once")
    return stars


def _read_periods(folder, known):
    """``{ID: (period or NaN, subtype)}`` from the optional ``<subtype>.dat`` files of ``folder``."""
    periods = {}
    for path in sorted(folder.glob("*.dat")):
        if path.name in _NOT_PERIOD_FILES:
            continue
        subtype = path.stem
        with open(path) as f:
            for number, line in enumerate(f, start=1):
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                tokens = line.split()
                if tokens[0] not in known:
                    # Not a table of this catalogue's stars (or another data file): ignore the line.
                    continue
                try:
                    period = float(tokens[3])
                except (IndexError, ValueError):
                    raise ValueError(f"star {tokens[0]!r} in {path.name} (line {number}): expected "
                                     f"'ID I V P ...' with the period (days) in the fourth column, "
                                     f"got {line.strip()!r}") from None
                if not (np.isfinite(period) and period > 0):
                    period = np.nan  # -99.99 and similar mean "not determined"
                periods.setdefault(tokens[0], (period, subtype))
    return periods


def _read_photometry(path, star_id):
    rows = []
    with open(path) as f:
        for number, line in enumerate(f, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            tokens = line.split()
            try:
                if len(tokens) < 3:
                    raise ValueError
                rows.append((float(tokens[0]), float(tokens[1]), float(tokens[2])))
            except ValueError:
                raise ValueError(f"star {star_id!r} ({path}, line {number}): expected 'time mag err', "
                                 f"got {line.strip()!r}") from None
    return np.array(rows, dtype=float).reshape(-1, 3).T


def read_ogle3(folder, *, band="I", missing="warn"):
    """Read one class folder of the OGLE-III Catalogue of Variable Stars.

    See the module documentation for the files and the columns assumed: the
    star IDs, fields, types and coordinates come from ``ident.dat``, periods
    from the optional ``<subtype>.dat`` files, light curves from
    ``phot/<band>/<ID>.dat``. Stars are returned in the order of
    ``ident.dat``; light curves as stored (the package's preprocessing cleans
    them; OGLE writes no sentinel magnitudes in these files).

    Parameters
    ----------
    folder : str or os.PathLike
        The class folder (holding ``ident.dat`` and ``phot/``).
    band : {"I", "V"} or sequence of them
        Photometric band (sub-folder of ``phot/``). OGLE-III observed mostly
        in I; many stars have few or no V points. Both, ``("I", "V")``, give
        multi-band light curves (each observation with its band); a star with
        photometry in only one of them keeps that one.
    missing : {"warn", "raise", "ignore"}
        What to do with stars of ``ident.dat`` that have no photometry file
        in ``band``: skip them with one warning listing them (default, since
        V photometry is often missing), raise `DatasetNotFoundError`, or skip
        them silently. Their IDs are in the result's ``missing`` field.

    Returns
    -------
    data : sklearn.utils.Bunch
        With fields

        light_curves : list of StarLightCurve
            Times (as stored: HJD - 2,450,000 for OGLE-III), magnitudes and
            errors in ``band``; each carries its catalogue period (None when
            unknown) and the OGLE ID as ``star_id``.
        target : numpy.ndarray of str
            Types/modes (``"RRab"``, ``"1O"``, ...).
        periods : numpy.ndarray of float
            Days; NaN when no period file lists the star.
        star_ids, fields : numpy.ndarray of str
            OGLE IDs and the fields of the stars, from ``ident.dat``.
        ra, dec : numpy.ndarray of float
            J2000 coordinates in degrees.
        class_names : list of str
            Sorted class names present.
        missing : list of str
            IDs skipped for want of photometry.
        band : str or tuple of str
            The ``band`` argument (a tuple for several bands).
        DESCR : str
            A description of the data set.
        source : str
            Where the catalogue can be downloaded.

    Raises
    ------
    DatasetNotFoundError
        When ``ident.dat`` or ``phot/<band>/`` is missing, or a photometry file
        is missing and ``missing="raise"``.
    ValueError
        For an invalid argument, or a line that cannot be read (the star, the
        file and the line are named).

    Warns
    -----
    UserWarning
        When stars have no photometry file and ``missing="warn"``.

    References
    ----------
    .. [1] Udalski, A., Szymanski, M. K., Soszynski, I. & Poleski, R. 2008,
       "The Optical Gravitational Lensing Experiment. Final reductions of the
       OGLE-III data", AcA 58, 69.
    .. [2] Soszynski, I. et al. 2009, "The OGLE-III Catalog of Variable Stars.
       III. RR Lyrae stars in the Large Magellanic Cloud", AcA 59, 1.

    Examples
    --------
    >>> from astro_cyclic.datasets import read_ogle3
    >>> data = read_ogle3("OIII-CVS/lmc/rrlyr", band="I")  # doctest: +SKIP
    """
    band, bands = _bands_argument(band, _BANDS)
    missing = validate_option(missing, _MISSING, "missing")
    folder = Path(folder).expanduser()
    ident_path = folder / "ident.dat"
    phot_folders = {b: folder / "phot" / b for b in bands}
    phot_folder = phot_folders[bands[0]] if len(bands) == 1 else folder / "phot"
    if not ident_path.is_file():
        raise DatasetNotFoundError(f"OGLE-III file 'ident.dat' not found in {folder}; download the class "
                                   f"folder from {OGLE3_SOURCE}")
    for path in phot_folders.values():
        if not path.is_dir():
            raise DatasetNotFoundError(f"OGLE-III photometry folder {path} not found; unpack the "
                                       f"catalogue's phot.tar.gz (from {OGLE3_SOURCE}) into {folder}")

    stars = _read_ident(ident_path)
    periods = _read_periods(folder, {s[0] for s in stars})
    present = {s[0]: [b for b in bands if (phot_folders[b] / f"{s[0]}.dat").is_file()] for s in stars}
    absent = [s[0] for s in stars if not present[s[0]]]
    if absent and missing == "raise":
        raise DatasetNotFoundError(f"{len(absent)} star(s) of {ident_path} have no photometry in "
                                   f"{phot_folder}: {', '.join(absent[:10])}{' ...' if len(absent) > 10 else ''}")
    if absent and missing == "warn":
        warnings.warn(f"{len(absent)} star(s) of {ident_path} have no {'/'.join(bands)}-band photometry in "
                      f"{phot_folder} and are skipped: {', '.join(absent[:10])}"
                      f"{' ...' if len(absent) > 10 else ''}", UserWarning, stacklevel=2)
    skip = set(absent)

    light_curves, labels, star_periods, ids, fields, ra, dec = [], [], [], [], [], [], []
    for star_id, field, kind, alpha, delta in stars:
        if star_id in skip:
            continue
        period, subtype = periods.get(star_id, (np.nan, None))
        label = kind or subtype or folder.name
        photometry = {b: _read_photometry(phot_folders[b] / f"{star_id}.dat", star_id) for b in present[star_id]}
        light_curves.append(_star(photometry, multiband=len(bands) > 1, period=None if np.isnan(period) else period,
                                  star_id=star_id))
        labels.append(label)
        star_periods.append(period)
        ids.append(star_id)
        fields.append(field)
        ra.append(alpha)
        dec.append(delta)

    target = np.array(labels, dtype=str)
    names, counts = np.unique(target, return_counts=True)
    summary = ", ".join(f"{n} {c}" for n, c in zip(names, counts))
    return Bunch(
        light_curves=light_curves,
        target=target,
        periods=np.array(star_periods, dtype=float),
        star_ids=np.array(ids, dtype=str),
        fields=np.array(fields, dtype=str),
        ra=np.array(ra, dtype=float),
        dec=np.array(dec, dtype=float),
        class_names=sorted(set(labels)),
        missing=absent,
        band=band,
        DESCR=(f"OGLE-III Catalogue of Variable Stars, folder {folder.name!r}, {'+'.join(bands)} band: "
               f"{target.size} stars ({summary}); {len(absent)} without photometry skipped.\n"
               f"Times as stored (HJD - 2450000), magnitudes and errors in mag, not cleaned.\n"
               f"Source: {OGLE3_SOURCE}."),
        source=OGLE3_SOURCE,
    )
