"""Reader for the ASAS training set of Richards et al. (2012).

The data are two files in ``<data_home>/asas_richards2012/``, as distributed in
the ``asas_training/`` folder of https://github.com/cesium-ml/cesium-data:

``asas_training_set.tar.gz``
    A gzipped tar archive holding one text file per star,
    ``asas_training_set/<id>.dat``. Each line is ``time,mag,err``: the time in
    HJD - 2,450,000 (days), the ASAS V magnitude and its error (mag). The public
    release has no header, comment, blank line or sentinel value (810 files,
    50 to 1,772 points each; times 1868-5169, i.e. late 2000 to 2009); lines
    starting with ``#`` and blank lines are nevertheless skipped, and
    whitespace is accepted as separator as well as commas.
``asas_training_set_classes.dat``
    CSV with header ``filename,class``: the star's id (the file name without
    ``.dat``) and its class name (see `ASAS_CLASSES`).

The archive is read in memory with `tarfile`; nothing is extracted to disk.
"""

import csv
import tarfile

import numpy as np
from sklearn.utils import Bunch

from .._validation import check_number
from ..lightcurves import StarLightCurve
from ._base import get_data_home
from ._download import RemoteFile, ensure_files
from .selection import select_classes

__all__ = ["ASAS_CLASSES", "ASAS_SOURCE", "ASAS_FILES", "load_asas_richards2012"]

#: Class names used in ``asas_training_set_classes.dat`` and what they mean
#: (Richards et al. 2012, ApJS 203, 32, table 1 and sect. 2; names as written
#: by the release, descriptions in GCVS terms).
ASAS_CLASSES = {
    "Beta_Cephei": "beta Cephei pulsating variable (BCEP)",
    "Beta_Lyrae": "beta Lyrae eclipsing binary (EB)",
    "Beta_Persei": "Algol-type (beta Persei) detached eclipsing binary (EA)",
    "ChemPeculiar": "chemically peculiar rotating star (alpha2 CVn / Ap-Bp)",
    "ClassT_Tauri": "classical T Tauri star (CTTS)",
    "Classical_Cepheid": "classical (delta Cephei, Population I) Cepheid (DCEP)",
    "Delta_Scuti": "delta Scuti pulsating variable (DSCT)",
    "Ellipsoidal": "ellipsoidal variable (ELL)",
    "Herbig_AEBE": "Herbig Ae/Be pre-main-sequence star",
    "LSP": "red giant with a long secondary period",
    "Mira": "Mira (omicron Ceti) long-period variable (M)",
    "MultiMode_Cepheid": "multi-mode (double-mode) Cepheid (DCEPS/CEP(B))",
    "PopII_Cepheid": "Population II Cepheid (W Virginis / BL Herculis, CW)",
    "Pulsating_Be": "pulsating Be star",
    "RCB": "R Coronae Borealis star",
    "RR_Lyrae_DM": "double-mode RR Lyrae (RRd)",
    "RR_Lyrae_FM": "fundamental-mode RR Lyrae (RRab)",
    "RR_Lyrae_FO": "first-overtone RR Lyrae (RRc)",
    "RSG": "red supergiant (semi-regular SRc / irregular Lc)",
    "RS_CVn": "RS Canum Venaticorum active binary",
    "RV_Tauri": "RV Tauri pulsating supergiant (alternating deep and shallow minima)",
    "SARG_A": "small-amplitude red giant, group A (Wray et al. 2004 / Soszynski et al. 2004)",
    "SARG_B": "small-amplitude red giant, group B (Wray et al. 2004 / Soszynski et al. 2004)",
    "SX_Phe": "SX Phoenicis (Population II delta Scuti) star",
    "S_Doradus": "S Doradus star (luminous blue variable)",
    "Semireg_PV": "semi-regular pulsating variable (SR)",
    "W_Ursae_Maj": "W Ursae Majoris contact eclipsing binary (EW)",
    "Weakline_T_Tauri": "weak-line T Tauri star (WTTS)",
}

#: Public place the files can be downloaded from.
ASAS_SOURCE = "https://github.com/cesium-ml/cesium-data (asas_training/)"

_SUBFOLDER = "asas_richards2012"
_ARCHIVE = "asas_training_set.tar.gz"
_CLASSES_FILE = "asas_training_set_classes.dat"
_BASE_URL = "https://github.com/cesium-ml/cesium-data/raw/main/asas_training/"

#: Files read by :func:`load_asas_richards2012`, their URLs and SHA-256 (of the
#: public release; the archive's MD5, 02c65e90d23999ec1c59ad56a78de477, is the
#: one cesium's own fetcher checks).
ASAS_FILES = (
    RemoteFile(_ARCHIVE, _BASE_URL + _ARCHIVE,
               "6c66c4435b03576a3b20416fac9b7b9453d2a9189e1af745733816a0715e08fd"),
    RemoteFile(_CLASSES_FILE, _BASE_URL + _CLASSES_FILE,
               "572f628cccf3ce529326c085034ed310c79503fba3a9ac2447e2959ae540d85f"),
)


def load_asas_richards2012(*, data_home=None, min_class_size=None, download=False):
    """Load the 810 ASAS V-band light curves of the Richards et al. (2012) training set.

    The All Sky Automated Survey (ASAS-3) observed the southern sky and the
    north up to declination +28 deg in the V band from 2000 to 2009. Richards
    et al. (2012) assembled a training set of 810 ASAS stars with known
    variability class, in 28 classes (91 Miras down to one S Doradus, one SX
    Phe and one ellipsoidal variable), to classify 50,124 ASAS sources.
    Keeping the 20 classes with at least 10 stars leaves 784 stars
    (``min_class_size=10``).

    No periods are distributed with the set: ``periods`` is all NaN and the
    light curves carry ``period=None``, so that the package searches them.
    Class names are kept as the release writes them (``"RR_Lyrae_FM"``,
    ``"W_Ursae_Maj"``, ...); their meanings are in `ASAS_CLASSES`. The light
    curves are returned as stored (the package's preprocessing cleans them).

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Folder holding ``asas_richards2012/``; see :func:`get_data_home`.
    min_class_size : int, optional
        Keep only classes with at least this many stars.
    download : bool
        If True, files missing from the data folder are downloaded from
        `ASAS_SOURCE` (and checked against their recorded SHA-256) first.
        Files already there are never overwritten.

    Returns
    -------
    data : sklearn.utils.Bunch
        With fields

        light_curves : list of StarLightCurve
            Times (HJD - 2,450,000, days), V magnitudes and errors; ``period``
            is None, ``star_id`` the ASAS training-set id (e.g. ``"215153"``).
        target : numpy.ndarray of str
            Class names (keys of `ASAS_CLASSES`).
        periods : numpy.ndarray of float
            All NaN (no catalogue periods).
        star_ids : numpy.ndarray of str
            ASAS training-set ids.
        class_names : list of str
            Sorted class names present.
        class_descriptions : dict
            ``{class name: meaning}`` for the classes present.
        band : str
            ``"V"``.
        DESCR : str
            A description of the data set.
        source : str
            Where the files can be downloaded.

    Raises
    ------
    DatasetNotFoundError
        When a file is missing (and ``download`` is False).
    DatasetChecksumError
        When a downloaded file does not match its recorded checksum.
    ValueError
        For an invalid argument, a star listed without a light curve in the
        archive, a class file row that cannot be read, or a light-curve line
        that is not three numbers (the star, file and line are named).

    References
    ----------
    .. [1] Richards, J. W. et al. 2012, "Construction of a calibrated
       probabilistic classification catalog: application to 50k variable
       sources in the All-Sky Automated Survey", ApJS 203, 32.
    .. [2] Pojmanski, G. 2002, "The All Sky Automated Survey. Catalog of
       variable stars. I. 0h-6h quarter of the southern hemisphere", AcA 52, 397.

    Examples
    --------
    >>> from astro_cyclic.datasets import load_asas_richards2012
    >>> data = load_asas_richards2012(min_class_size=10)  # doctest: +SKIP
    >>> len(data.light_curves), len(data.class_names)  # doctest: +SKIP
    (784, 20)
    """
    if min_class_size is not None:
        check_number(min_class_size, "min_class_size (a positive integer or None)", min_val=1)
    folder = get_data_home(data_home) / _SUBFOLDER
    ensure_files(folder, ASAS_FILES, download=download, dataset=_SUBFOLDER, source=ASAS_SOURCE)

    ids, labels = _read_classes(folder / _CLASSES_FILE)
    if min_class_size is not None:
        keep, _ = select_classes(labels, min_count=min_class_size)
        ids, labels = [ids[i] for i in keep], [labels[i] for i in keep]
    series = _read_archive(folder / _ARCHIVE, set(ids))

    light_curves = []
    for star_id in ids:
        if star_id not in series:
            raise ValueError(f"star {star_id!r} of {_CLASSES_FILE} has no light curve "
                             f"('{star_id}.dat') in {_ARCHIVE}")
        time, mag, err = series[star_id]
        light_curves.append(StarLightCurve(time, mag, err, period=None, star_id=star_id))

    target = np.array(labels, dtype=str)
    class_names = sorted(set(labels))
    return Bunch(
        light_curves=light_curves,
        target=target,
        periods=np.full(len(ids), np.nan),
        star_ids=np.array(ids, dtype=str),
        class_names=class_names,
        class_descriptions={name: ASAS_CLASSES.get(name, "not documented") for name in class_names},
        band="V",
        DESCR=_describe(target, min_class_size),
        source=ASAS_SOURCE,
    )


def _read_classes(path):
    """Read ``filename,class`` rows: the lists of star ids and class names, in file order."""
    ids, labels = [], []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        if header[:2] != ["filename", "class"]:
            raise ValueError(f"{path.name} must start with the header 'filename,class', got {header}")
        for line, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 2 or not row[0].strip() or not row[1].strip():
                raise ValueError(f"{path.name} (line {line}): expected 'filename,class', got {row}")
            star_id = row[0].strip()
            if star_id.endswith(".dat"):
                star_id = star_id[:-4]
            ids.append(star_id)
            labels.append(row[1].strip())
    if len(set(ids)) != len(ids):
        seen = set()
        twice = sorted({i for i in ids if i in seen or seen.add(i)})
        raise ValueError(f"{path.name} lists star(s) {twice[:5]} more than once")
    return ids, labels


def _parse_star(text, star_id, member):
    """Parse one ``<id>.dat``: lines of three numbers, comments (``#``) and blank lines skipped."""
    rows = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    tokens = "\n".join(rows).replace(",", " ").split()
    if len(tokens) == 3 * len(rows):
        try:
            return np.array(tokens, dtype=float).reshape(-1, 3).T
        except ValueError:
            pass
    # Only a bad file gets here: find the first bad line to name it.
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.replace(",", " ").split()
        try:
            if len(fields) != 3:
                raise ValueError
            [float(v) for v in fields]
        except ValueError:
            raise ValueError(f"star {star_id!r} in {_ARCHIVE} ({member}, line {number}): expected "
                             f"'time,mag,err' as three numbers, got {line.strip()!r}") from None
    raise AssertionError("unreachable: every line parsed")  # pragma: no cover


def _read_archive(path, wanted):
    """Read the light curves of the stars in ``wanted`` from the tar archive, without extracting it."""
    series = {}
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                name = member.name.rsplit("/", 1)[-1]
                if not name.endswith(".dat") or name[:-4] not in wanted:
                    continue
                star_id = name[:-4]
                raw = archive.extractfile(member).read()
                text = raw.decode("ascii")
                series[star_id] = _parse_star(text, star_id, member.name)
    except (tarfile.TarError, OSError, EOFError, UnicodeDecodeError) as exc:
        # A truncated download: say which file and where to get it again.
        raise ValueError(f"cannot read {path}: {exc}; download it again from {ASAS_SOURCE}") from exc
    return series


def _describe(target, min_class_size):
    names, counts = np.unique(target, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    summary = ", ".join(f"{names[i]} {counts[i]}" for i in order)
    selection = "" if min_class_size is None else f" (classes with >= {min_class_size} stars)"
    return (
        "ASAS-3 V-band light curves of the training set of Richards et al. (2012, ApJS 203, 32).\n"
        f"{target.size} stars in {names.size} classes{selection}: {summary}.\n"
        "Times in HJD - 2450000 (days), V magnitudes and errors in mag, not cleaned. "
        "No catalogue periods: they must be searched.\n"
        f"Source: {ASAS_SOURCE}."
    )
