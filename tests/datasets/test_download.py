"""Download and cache: urllib is replaced by a fake serving local bytes; nothing touches the network."""

import hashlib
import io
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from astro_cyclic.datasets import (DatasetChecksumError, DatasetNotFoundError, load_asas_richards2012,
                                   load_eros1, load_macho, load_macho_catalog)
from astro_cyclic.datasets import asas as asas_module
from astro_cyclic.datasets._download import RemoteFile, ensure_files, fetch_file, sha256sum
from astro_cyclic.datasets.asas import ASAS_FILES
from astro_cyclic.datasets.eros1 import EROS1_FILES
from astro_cyclic.datasets.macho import MACHO_FILES


class FakeServer:
    """Stands in for `urllib.request.urlopen`: serves registered bytes and records the URLs asked for."""

    def __init__(self, files=None):
        self.files = dict(files or {})
        self.requests = []

    def __call__(self, url, timeout=None):
        self.requests.append(url)
        if url not in self.files:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)
        data = self.files[url]
        return io.BytesIO(data() if callable(data) else data)


@pytest.fixture
def server(monkeypatch):
    fake = FakeServer()
    monkeypatch.setattr(urllib.request, "urlopen", fake)
    return fake


def _sha(data):
    return hashlib.sha256(data).hexdigest()


def test_fetch_file_streams_and_verifies(tmp_path, server):
    payload = bytes(range(256)) * 10_000  # 2.5 MB: several read chunks
    server.files["https://example.org/a.bin"] = payload
    target = tmp_path / "sub" / "a.bin"
    assert fetch_file("https://example.org/a.bin", target, sha256=_sha(payload)) == target
    assert target.read_bytes() == payload and sha256sum(target) == _sha(payload)
    assert [p.name for p in target.parent.iterdir()] == ["a.bin"]  # no temporary file left


def test_checksum_mismatch_leaves_nothing(tmp_path, server):
    server.files["https://example.org/b.csv"] = b"tampered"
    with pytest.raises(DatasetChecksumError) as info:
        fetch_file("https://example.org/b.csv", tmp_path / "b.csv", sha256="0" * 64)
    message = str(info.value)
    assert "b.csv" in message and "https://example.org/b.csv" in message and "0" * 64 in message
    assert _sha(b"tampered") in message
    assert list(tmp_path.iterdir()) == []
    assert isinstance(info.value, ValueError)


def test_failed_transfer_leaves_nothing(tmp_path, server):
    with pytest.raises(urllib.error.URLError):
        fetch_file("https://example.org/missing.csv", tmp_path / "missing.csv")
    assert list(tmp_path.iterdir()) == []


def test_ensure_files_downloads_only_missing_and_never_overwrites(tmp_path, server):
    remote = [RemoteFile("x.txt", "https://example.org/x.txt", _sha(b"new x")),
              RemoteFile("d/y.txt", "https://example.org/y.txt", _sha(b"y"))]
    server.files.update({"https://example.org/x.txt": b"new x", "https://example.org/y.txt": b"y"})
    (tmp_path / "x.txt").write_bytes(b"user's own x")
    with pytest.raises(DatasetNotFoundError, match=r"d/y\.txt.*download=True"):
        ensure_files(tmp_path, remote, download=False, dataset="toy", source="example.org")
    assert server.requests == []  # download=False never fetches
    ensure_files(tmp_path, remote, download=True, dataset="toy", source="example.org")
    assert server.requests == ["https://example.org/y.txt"]
    assert (tmp_path / "x.txt").read_bytes() == b"user's own x"  # existing file untouched
    assert (tmp_path / "d" / "y.txt").read_bytes() == b"y"
    ensure_files(tmp_path, remote, download=True, dataset="toy", source="example.org")
    assert server.requests == ["https://example.org/y.txt"]  # cached: nothing fetched again


def _fake_asas_bytes():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for star_id, text in (("1", "1.0,10.0,0.1\n2.0,10.5,0.1\n"), ("2", "1.5,12.0,0.2\n2.5,12.1,0.2\n")):
            info = tarfile.TarInfo(f"asas_training_set/{star_id}.dat")
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text.encode()))
    return buffer.getvalue(), b"filename,class\n1,Mira\n2,RSG\n"


def test_loader_download_caches(tmp_path, server, monkeypatch):
    archive, classes = _fake_asas_bytes()
    files = (RemoteFile(ASAS_FILES[0].name, "https://example.org/asas.tar.gz", _sha(archive)),
             RemoteFile(ASAS_FILES[1].name, "https://example.org/classes.dat", _sha(classes)))
    monkeypatch.setattr(asas_module, "ASAS_FILES", files)
    server.files.update({"https://example.org/asas.tar.gz": archive, "https://example.org/classes.dat": classes})
    with pytest.raises(DatasetNotFoundError):
        load_asas_richards2012(data_home=tmp_path)  # download=False is the default
    data = load_asas_richards2012(data_home=tmp_path, download=True)
    assert data.target.tolist() == ["Mira", "RSG"] and len(server.requests) == 2
    assert (tmp_path / "asas_richards2012" / "asas_training_set.tar.gz").read_bytes() == archive
    load_asas_richards2012(data_home=tmp_path, download=True)
    assert len(server.requests) == 2  # second call reads the cache


def test_loader_checksum_error_keeps_data_home_clean(tmp_path, server, monkeypatch):
    archive, classes = _fake_asas_bytes()
    files = (RemoteFile(ASAS_FILES[0].name, "https://example.org/asas.tar.gz", "f" * 64),
             RemoteFile(ASAS_FILES[1].name, "https://example.org/classes.dat", _sha(classes)))
    monkeypatch.setattr(asas_module, "ASAS_FILES", files)
    server.files.update({"https://example.org/asas.tar.gz": archive, "https://example.org/classes.dat": classes})
    with pytest.raises(DatasetChecksumError, match="asas_training_set.tar.gz"):
        load_asas_richards2012(data_home=tmp_path, download=True)
    assert list((tmp_path / "asas_richards2012").iterdir()) == []


def test_recorded_sources_are_well_formed():
    for remote in EROS1_FILES + ASAS_FILES + MACHO_FILES:
        assert remote.url.startswith("https://") and remote.url.endswith(Path(remote.name).name)
        assert len(remote.sha256) == 64 and int(remote.sha256, 16) >= 0
    assert len(MACHO_FILES) == 16 and len(EROS1_FILES) == 4 and len(ASAS_FILES) == 2


def test_recorded_checksums_match_the_real_files(data_home, tmp_path, server):
    """Serve the real files at their recorded URLs: every loader downloads, verifies and then reads them."""
    sets = {"eros1": EROS1_FILES, "asas_richards2012": ASAS_FILES, "macho_sample": MACHO_FILES}
    for folder, remote_files in sets.items():
        for remote in remote_files:
            source = Path(data_home) / folder / remote.name
            if not source.is_file():
                pytest.skip(f"real survey data not found: no {folder}/{remote.name} in {data_home}")
            server.files[remote.url] = source.read_bytes
    asas = load_asas_richards2012(data_home=tmp_path, download=True)
    assert len(asas.light_curves) == 810
    macho = load_macho(data_home=tmp_path, download=True)
    assert len(macho.light_curves) == 15 and len(load_macho_catalog(data_home=tmp_path)) == 21474
    eros = load_eros1(data_home=tmp_path, subset="test", download=True)
    assert len(eros.light_curves) == 729
    assert not (tmp_path / "eros1" / "train.csv").exists()  # only the requested subset is fetched
    assert len(server.requests) == 2 + 16 + 2
    np.testing.assert_array_equal(asas.star_ids, load_asas_richards2012(data_home=data_home).star_ids)
