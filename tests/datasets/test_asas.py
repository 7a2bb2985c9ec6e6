import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from astro_cyclic import StarLightCurve
from astro_cyclic.datasets import ASAS_CLASSES, DatasetNotFoundError, load_asas_richards2012
from astro_cyclic.datasets.asas import ASAS_SOURCE

# ---------------------------------------------------------------------------
# Real data (skipped when absent)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def asas_home(data_home):
    if not (Path(data_home) / "asas_richards2012").is_dir():
        pytest.skip(f"real survey data not found: no asas_richards2012/ in {data_home}")
    return data_home


@pytest.fixture(scope="module")
def asas(asas_home):
    return load_asas_richards2012(data_home=asas_home)


def test_real_counts(asas):
    assert len(asas.light_curves) == asas.target.size == asas.star_ids.size == 810
    assert len(asas.class_names) == 28
    counts = dict(zip(*np.unique(asas.target, return_counts=True)))
    assert counts["Mira"] == 91 and counts["Classical_Cepheid"] == 89 and counts["RR_Lyrae_FM"] == 86
    assert counts["S_Doradus"] == counts["SX_Phe"] == counts["Ellipsoidal"] == 1
    assert set(asas.class_names) == set(ASAS_CLASSES)  # every class is documented
    assert asas.band == "V" and asas.source == ASAS_SOURCE
    assert len(set(asas.star_ids)) == 810


def test_real_light_curves(asas):
    assert np.all(np.isnan(asas.periods))
    sizes = [len(lc) for lc in asas.light_curves]
    assert min(sizes) == 50 and max(sizes) == 1772
    for lc, star_id in zip(asas.light_curves, asas.star_ids):
        assert isinstance(lc, StarLightCurve) and lc.period is None and lc.star_id == star_id
    # First line of asas_training_set/215153.dat (the first star of the class file, a Mira).
    first = asas.light_curves[0]
    assert asas.star_ids[0] == "215153" and asas.target[0] == "Mira"
    assert (first.time[0], first.mag[0], first.err[0]) == (2629.52836, 9.511, 0.042)
    times = np.concatenate([lc.time for lc in asas.light_curves])
    assert 1800 < times.min() and times.max() < 5200  # HJD - 2450000, 2000-2009
    assert all(np.all(np.isfinite(lc.mag)) and np.all(lc.err > 0) for lc in asas.light_curves)


def test_real_min_class_size(asas_home, asas):
    big = load_asas_richards2012(data_home=asas_home, min_class_size=10)
    assert len(big.light_curves) == 784 and len(big.class_names) == 20
    assert set(big.star_ids) <= set(asas.star_ids)
    assert "10 stars" in big.DESCR or ">= 10" in big.DESCR
    assert all(np.sum(big.target == name) >= 10 for name in big.class_names)


# ---------------------------------------------------------------------------
# Offline: tiny files in the same format
# ---------------------------------------------------------------------------


def _write_home(root, stars, *, classes=None, extra_members=()):
    """stars: {id: (class, text of <id>.dat)}; writes the archive and the class file."""
    folder = root / "asas_richards2012"
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "asas_training_set.tar.gz", "w:gz") as tar:
        for star_id, (_, text) in list(stars.items()) + list(extra_members):
            data = text.encode()
            info = tarfile.TarInfo(f"asas_training_set/{star_id}.dat")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    lines = ["filename,class"] + [f"{i},{c}" for i, (c, _) in stars.items()] if classes is None else classes
    (folder / "asas_training_set_classes.dat").write_text("\n".join(lines) + "\n")
    return folder


def _series(n, seed):
    rng = np.random.default_rng(seed)
    t = np.round(np.sort(rng.uniform(2000, 4000, n)), 5)
    m = np.round(12 + 0.4 * np.sin(t), 3)
    e = np.round(rng.uniform(0.02, 0.05, n), 3)
    return t, m, e, "".join(f"{a},{b},{c}\n" for a, b, c in zip(t, m, e))


def test_fake_parsing(tmp_path):
    t1, m1, e1, text1 = _series(12, 1)
    t2, m2, e2, text2 = _series(15, 2)
    # Comments, blank lines and whitespace separators are accepted.
    text2 = "# ASAS star 2\n\n" + text2.replace(",", " ", 3) + "\n"
    _write_home(tmp_path, {"100": ("Mira", text1), "200": ("RR_Lyrae_FM", text2)},
                extra_members=[("999", ("x", "1,2,3\n"))])  # not in the class file: ignored
    data = load_asas_richards2012(data_home=tmp_path)
    assert data.star_ids.tolist() == ["100", "200"] and data.target.tolist() == ["Mira", "RR_Lyrae_FM"]
    np.testing.assert_array_equal(data.light_curves[0].time, t1)
    np.testing.assert_array_equal(data.light_curves[1].mag, m2)
    np.testing.assert_array_equal(data.light_curves[1].err, e2)
    assert data.class_descriptions["Mira"].startswith("Mira")
    assert load_asas_richards2012(data_home=tmp_path, min_class_size=2).target.size == 0


def test_missing_file_message(tmp_path, monkeypatch):
    monkeypatch.delenv("ASTRO_CYCLIC_DATA", raising=False)
    with pytest.raises(DatasetNotFoundError) as info:
        load_asas_richards2012(data_home=tmp_path)
    message = str(info.value)
    assert "asas_training_set.tar.gz" in message and str(tmp_path / "asas_richards2012") in message
    assert "ASTRO_CYCLIC_DATA" in message and "cesium-ml/cesium-data" in message
    assert "download=True" in message


def test_malformed_line_names_star_and_line(tmp_path):
    _, _, _, good = _series(10, 3)
    _write_home(tmp_path, {"300": ("Mira", good), "301": ("Mira", good + "2500.1,12.3\n")})
    with pytest.raises(ValueError, match=r"star '301'.*asas_training_set/301\.dat, line 11"):
        load_asas_richards2012(data_home=tmp_path)


def test_star_without_light_curve(tmp_path):
    _, _, _, good = _series(10, 4)
    _write_home(tmp_path, {"400": ("Mira", good)},
                classes=["filename,class", "400,Mira", "401,RSG"])
    with pytest.raises(ValueError, match=r"'401'.*no light curve"):
        load_asas_richards2012(data_home=tmp_path)


def test_bad_class_file(tmp_path):
    _, _, _, good = _series(10, 5)
    _write_home(tmp_path, {"500": ("Mira", good)}, classes=["id;class", "500;Mira"])
    with pytest.raises(ValueError, match="filename,class"):
        load_asas_richards2012(data_home=tmp_path)


def test_corrupt_archive_names_the_file(tmp_path):
    _, _, _, good = _series(10, 6)
    folder = _write_home(tmp_path, {"600": ("Mira", good)})
    (folder / "asas_training_set.tar.gz").write_bytes(b"\x1f\x8b truncated")
    with pytest.raises(ValueError, match="asas_training_set.tar.gz"):
        load_asas_richards2012(data_home=tmp_path)


@pytest.mark.parametrize("value", [0, 2.5, True, "10"])
def test_invalid_min_class_size(tmp_path, value):
    """Out of range: ValueError; not an integer: TypeError (scikit-learn's check_scalar)."""
    with pytest.raises((ValueError, TypeError), match="min_class_size"):
        load_asas_richards2012(data_home=tmp_path, min_class_size=value)
