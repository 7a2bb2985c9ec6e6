"""Fetch the public files of a survey data set into the data home, once.

Every real-data loader records, for each file it reads, the public URL it can
be downloaded from and (where known) its SHA-256. With ``download=True`` a
loader calls :func:`ensure_files`, which downloads only the files that are
missing; a file already on disk is never overwritten nor re-checked, so a
user's own copy (or a newer release) is left alone.

Downloads are streamed into a temporary file beside the target and renamed
into place only after the checksum matched, so an interrupted or corrupt
transfer never leaves a half-written file that a later call would take for
the real one. Nothing here runs at import time.
"""

import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path

from ._base import _not_found

__all__ = ["DatasetChecksumError", "RemoteFile", "ensure_files", "fetch_file", "sha256sum"]

# Bytes per read when streaming: large enough to be fast, small enough to keep memory flat.
_CHUNK = 1 << 20
_TIMEOUT = 60  # seconds without data before urlopen gives up


class DatasetChecksumError(ValueError):
    """A downloaded file's SHA-256 differs from the one recorded for it.

    The message names the file, the URL and both checksums. The download is
    discarded, so nothing is left in the data home.
    """


class RemoteFile:
    """Where one data file can be downloaded, and its expected SHA-256.

    Parameters
    ----------
    name : str
        Path of the file inside the data set's folder (may contain ``/``).
    url : str
        Public URL serving the file's bytes.
    sha256 : str, optional
        Hexadecimal SHA-256 of the file; ``None`` skips the check.
    """

    __slots__ = ("name", "url", "sha256")

    def __init__(self, name, url, sha256=None):
        self.name = name
        self.url = url
        self.sha256 = sha256

    def __repr__(self):
        return f"RemoteFile({self.name!r}, {self.url!r}, sha256={self.sha256!r})"


def sha256sum(path):
    """Return the hexadecimal SHA-256 of a file.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from astro_cyclic.datasets._download import sha256sum
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "x.txt"
    ...     _ = p.write_bytes(b"abc")
    ...     sha256sum(p)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_file(url, path, *, sha256=None):
    """Download ``url`` to ``path`` through a temporary file, checking its SHA-256.

    The parent folder is created if needed. The bytes are streamed to a
    temporary file in the same folder (so the final rename is atomic on the
    same file system) and hashed on the way; the file is renamed to ``path``
    only when the checksum matches.

    Parameters
    ----------
    url : str
    path : str or os.PathLike
        Destination. An existing file there is replaced only after a
        successful, verified download (:func:`ensure_files` never calls this
        for a file that exists).
    sha256 : str, optional
        Expected hexadecimal SHA-256; ``None`` skips the check.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    DatasetChecksumError
        When the checksum differs; the temporary file is removed.
    OSError
        When the transfer fails (`urllib.error.URLError` derives from it); the
        temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=_TIMEOUT) as response:
            for block in iter(lambda: response.read(_CHUNK), b""):
                digest.update(block)
                out.write(block)
        found = digest.hexdigest()
        if sha256 is not None and found.lower() != sha256.lower():
            raise DatasetChecksumError(
                f"checksum mismatch for {path.name} downloaded from {url}: expected SHA-256 {sha256}, "
                f"got {found}. The download was discarded; the server may serve a different "
                f"version of the file, or the transfer was corrupted.")
        os.replace(tmp_name, path)
    except BaseException:
        # Also on KeyboardInterrupt: never leave a partial file behind.
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
        raise
    return path


def ensure_files(folder, remote_files, *, download, dataset, source, listed=None):
    """Check that every file a loader needs is in ``folder``, downloading the missing ones if allowed.

    Parameters
    ----------
    folder : pathlib.Path
        The data set's folder in the data home.
    remote_files : sequence of RemoteFile
        The files needed, in the order they are checked.
    download : bool
        When False, the first missing file raises `DatasetNotFoundError`. When
        True, missing files are fetched with :func:`fetch_file`; files already
        present are left untouched.
    dataset, source : str
        Name of the data set and its public source, for the error message.
    listed : sequence of str, optional
        How the message lists the files needed (e.g. with a wildcard for many
        light-curve files); the names of ``remote_files`` by default.

    Raises
    ------
    DatasetNotFoundError
        A file is missing and ``download`` is False.
    DatasetChecksumError, OSError
        From :func:`fetch_file`.
    """
    folder = Path(folder)
    names = [f.name for f in remote_files] if listed is None else list(listed)
    for remote in remote_files:
        target = folder / remote.name
        if target.is_file():
            continue
        if not download:
            raise _not_found(remote.name, folder, dataset=dataset, source=source, files=names,
                             download_hint=True)
        fetch_file(remote.url, target, sha256=remote.sha256)
