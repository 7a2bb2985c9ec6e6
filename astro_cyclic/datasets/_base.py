"""Where data sets live on disk, and the error raised when one is missing.

Nothing here touches the file system at import time: the data folder is only
resolved (never created) when a loader asks for it.
"""

import os
from pathlib import Path

__all__ = ["DATA_ENV_VAR", "DatasetNotFoundError", "get_data_home"]

#: Environment variable naming the folder that holds the survey data sets.
DATA_ENV_VAR = "ASTRO_CYCLIC_DATA"

_DEFAULT_DATA_HOME = Path("~") / ".astro_cyclic" / "data"


class DatasetNotFoundError(FileNotFoundError):
    """A survey data file is not where the loader looked for it.

    The message names the missing file, the folder searched, how to point the
    loader at another folder, and where the data can be downloaded. It derives
    from `FileNotFoundError`, so ``except FileNotFoundError`` catches it too.
    """


def get_data_home(data_home=None):
    """Return the folder that holds the survey data sets.

    The folder is chosen, in order, from the ``data_home`` argument, the
    ``ASTRO_CYCLIC_DATA`` environment variable, and ``~/.astro_cyclic/data``.
    ``~`` is expanded. The folder is not created and need not exist: loaders
    check for the files they need and raise `DatasetNotFoundError` otherwise.

    Parameters
    ----------
    data_home : str or os.PathLike, optional
        Folder to use instead of the environment variable or the default.

    Returns
    -------
    pathlib.Path
        The data folder; each data set is a sub-folder of it (e.g. ``eros1/``).

    Examples
    --------
    >>> from astro_cyclic.datasets import get_data_home
    >>> get_data_home("/tmp/surveys").as_posix()
    '/tmp/surveys'
    """
    if data_home is None:
        # An empty variable (``ASTRO_CYCLIC_DATA=``) means "unset", not "the current folder".
        data_home = os.environ.get(DATA_ENV_VAR) or _DEFAULT_DATA_HOME
    return Path(os.fspath(data_home)).expanduser()


def _not_found(missing, folder, *, dataset, source, files=(), download_hint=False):
    """Build the `DatasetNotFoundError` for a missing data file.

    Parameters
    ----------
    missing : str
        Name of the file that is missing.
    folder : pathlib.Path
        Folder where it was looked for.
    dataset : str
        Name of the data set and of its sub-folder in the data home (``"eros1"``).
    source : str
        Public place the data can be downloaded from.
    files : sequence of str
        Every file the data set needs, listed so a user downloads them all at once.
    download_hint : bool
        Whether the loader can fetch the files itself (``download=True``), which
        the message then mentions.

    Returns
    -------
    DatasetNotFoundError
    """
    folder = Path(folder)
    env = os.environ.get(DATA_ENV_VAR)
    env_note = f"currently {env!r}" if env else "currently unset"
    needed = f" ({', '.join(files)})" if files else ""
    fetch = " (or pass download=True to fetch it there)" if download_hint else ""
    return DatasetNotFoundError(
        f"{dataset} data file {missing!r} not found in {folder}. Download the data set{needed} "
        f"from {source} into that folder{fetch}, or point astro_cyclic at the folder that holds "
        f"'{dataset}/' with the data_home= argument or the {DATA_ENV_VAR} environment "
        f"variable ({env_note}).")


def _bands_argument(band, valid):
    """A loader's ``band``: one name of ``valid``, or a sequence of them (several bands).

    Returns
    -------
    band : str or tuple of str
        What the loader records (a tuple only for two or more bands).
    bands : tuple of str
        The bands to read, without repeats.
    """
    from .._validation import validate_option

    if isinstance(band, str):
        band = validate_option(band, valid, "band")
        return band, (band,)
    bands = tuple(dict.fromkeys(validate_option(b, valid, "band") for b in band))
    if not bands:
        raise ValueError(f"band must name at least one of {', '.join(map(repr, valid))}")
    return (bands if len(bands) > 1 else bands[0]), bands


def _star(photometry, *, multiband, period, star_id):
    """One star from its ``(time, mag, err)`` per band: a multi-band light curve when the loader was asked
    for several bands, else the single band's light curve without band labels."""
    from ..lightcurves import StarLightCurve

    if not multiband:
        (arrays,) = photometry.values()
        return StarLightCurve(*arrays, period=period, star_id=star_id)
    return StarLightCurve.from_bands({band: tuple(arrays) for band, arrays in photometry.items()},
                                     period=period, star_id=star_id)
