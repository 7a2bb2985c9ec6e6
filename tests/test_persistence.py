"""Model files (astro_cyclic._persistence): verified, atomic, readable across versions."""

import threading

import numpy as np
import pytest
import torch

from astro_cyclic import CyclicClassifier
from astro_cyclic._persistence import content_digest, read_model_file, write_model_file
from astro_cyclic.datasets import make_periodic_variables


@pytest.fixture(scope="module")
def model_and_stars():
    data = make_periodic_variables(30, classes=["RRab", "EA"], n_points=(40, 120), random_state=0)
    clf = CyclicClassifier(module__hidden=4, module__depth=2, max_epochs=1, segment_length=50, random_state=0)
    return clf.fit(data.light_curves, data.target), data.light_curves[:5]


def test_an_altered_file_is_refused_or_changes_nothing(model_and_stars, tmp_path):
    """Single-byte flips anywhere in the file: each is refused with the file named, or (a byte torch never
    reads, such as zip padding) loads the very same model. None loads a different one."""
    clf, stars = model_and_stars
    path = tmp_path / "model.pt"
    clf.save(path)
    expected = clf.predict_proba(stars)
    data = path.read_bytes()
    rng = np.random.default_rng(0)
    refused = 0
    for position in rng.choice(len(data), 60, replace=False):
        damaged = bytearray(data)
        damaged[position] ^= 1 << int(rng.integers(8))
        bad = tmp_path / "damaged.pt"
        bad.write_bytes(bytes(damaged))
        try:
            loaded = CyclicClassifier.load(bad)
        except ValueError as exc:
            assert str(bad) in str(exc)
            refused += 1
            continue
        np.testing.assert_array_equal(loaded.predict_proba(stars), expected)
    assert refused > 30  # most bytes matter


def test_a_tensor_changed_behind_the_checksum_is_refused(model_and_stars, tmp_path):
    clf, _ = model_and_stars
    path = tmp_path / "model.pt"
    clf.save(path)
    payload = torch.load(path, weights_only=True)
    name = next(iter(payload["tensors"]))
    payload["tensors"][name] = payload["tensors"][name] + 1e-3
    torch.save(payload, path)
    with pytest.raises(ValueError, match="does not match the checksum"):
        CyclicClassifier.load(path)


def test_version_1_files_still_load(model_and_stars, tmp_path):
    clf, stars = model_and_stars
    clf.save(tmp_path / "v2.pt")
    payload = torch.load(tmp_path / "v2.pt", weights_only=True)
    v1 = {"format": payload["format"], "format_version": 1, "versions": payload["versions"],
          "config": payload["config"], "state_dict": payload["tensors"]}
    torch.save(v1, tmp_path / "v1.pt")
    np.testing.assert_array_equal(CyclicClassifier.load(tmp_path / "v1.pt").predict_proba(stars),
                                  clf.predict_proba(stars))


def test_files_from_before_module_params_load_with_the_same_network(model_and_stars, tmp_path):
    """Files whose parameters say hidden=4, depth=2, kernel_size=None (before module__<name>) load unchanged."""
    clf, stars = model_and_stars
    config = dict(read_model_file_config(clf, tmp_path))
    params = {k: v for k, v in config["params"].items() if not k.startswith("module__")}
    params.update(hidden=4, depth=2, kernel_size=None, dropout=None, max_hidden=None, pooling=None)
    config["params"] = params
    config["network_params"] = {"hidden": 4, "depth": 2, "kernel_size": None, "dropout": None,
                                "max_hidden": None, "pooling": None}
    state = torch.load(tmp_path / "model.pt", weights_only=True)["tensors"]
    write_model_file(tmp_path / "old.pt", format="astro_cyclic.CyclicClassifier", config=config, tensors=state)
    old = CyclicClassifier.load(tmp_path / "old.pt")
    assert old.get_params()["module__hidden"] == 4 and "module__kernel_size" not in old.get_params()
    assert old.network_params_ == {"hidden": 4, "depth": 2}
    np.testing.assert_array_equal(old.predict_proba(stars), clf.predict_proba(stars))


def test_files_from_before_apparent_magnitude_load_with_the_mean_magnitude_input(tmp_path):
    """Networks saved before the parameter existed took the segments' mean magnitudes: they load so."""
    data = make_periodic_variables(30, classes=["RRab", "EA"], n_points=(40, 120), random_state=0)
    clf = CyclicClassifier(module__hidden=4, module__depth=2, max_epochs=1, segment_length=50, random_state=0,
                           apparent_magnitude=True).fit(data.light_curves, data.target)
    config = dict(read_model_file_config(clf, tmp_path))
    config["params"] = {k: v for k, v in config["params"].items() if k != "apparent_magnitude"}
    state = torch.load(tmp_path / "model.pt", weights_only=True)["tensors"]
    write_model_file(tmp_path / "old.pt", format="astro_cyclic.CyclicClassifier", config=config, tensors=state)
    old = CyclicClassifier.load(tmp_path / "old.pt")
    assert old.apparent_magnitude is True
    np.testing.assert_array_equal(old.predict_proba(data.light_curves), clf.predict_proba(data.light_curves))


def read_model_file_config(clf, folder):
    clf.save(folder / "model.pt")
    return read_model_file(folder / "model.pt", format="astro_cyclic.CyclicClassifier")[0]


def test_bad_configurations_name_the_file(tmp_path):
    path = tmp_path / "odd.pt"
    write_model_file(path, format="astro_cyclic.CyclicClassifier", config={"params": {}}, tensors={})
    with pytest.raises(ValueError, match=f"{path}: not a usable CyclicClassifier configuration"):
        CyclicClassifier.load(path)
    payload = torch.load(path, weights_only=True)
    payload["config"] = "{not json"
    payload["sha256"] = content_digest(payload["config"], payload["tensors"])
    torch.save(payload, path)
    with pytest.raises(ValueError, match="the configuration is not JSON"):
        read_model_file(path, format="astro_cyclic.CyclicClassifier")
    with pytest.raises(ValueError, match="not an astro_cyclic model file of a RichardsForestClassifier"):
        read_model_file(path, format="astro_cyclic.RichardsForestClassifier")


def test_files_that_would_answer_nan_are_refused(model_and_stars, tmp_path):
    """A NaN weight or a zero input scale, even under a matching checksum, is refused with the file named."""
    clf, _ = model_and_stars
    config = read_model_file_config(clf, tmp_path)
    tensors = torch.load(tmp_path / "model.pt", weights_only=True)["tensors"]
    name = next(iter(tensors))
    nan_weight = dict(tensors) | {name: torch.full_like(tensors[name], float("nan"))}
    write_model_file(tmp_path / "nan.pt", format="astro_cyclic.CyclicClassifier", config=config, tensors=nan_weight)
    with pytest.raises(ValueError, match=f"nan.pt: not a usable .*the network weights {name} are not finite"):
        CyclicClassifier.load(tmp_path / "nan.pt")
    zero_scale = dict(config)
    n_aux = len(config["standardizer"]["aux_scale"])
    zero_scale["standardizer"] = dict(config["standardizer"], aux_scale=[0.0] * n_aux)
    write_model_file(tmp_path / "zero.pt", format="astro_cyclic.CyclicClassifier", config=zero_scale, tensors=tensors)
    with pytest.raises(ValueError, match="zero.pt: not a usable .*non-positive scale"):
        CyclicClassifier.load(tmp_path / "zero.pt")
    unknown = dict(config, params=dict(config["params"], colour_channels=True))
    write_model_file(tmp_path / "unknown.pt", format="astro_cyclic.CyclicClassifier", config=unknown, tensors=tensors)
    with pytest.raises(ValueError, match="unknown.pt: not a usable .*colour_channels"):
        CyclicClassifier.load(tmp_path / "unknown.pt")
    missing = {k: v for k, v in config.items() if k != "classes"}
    write_model_file(tmp_path / "missing.pt", format="astro_cyclic.CyclicClassifier", config=missing, tensors=tensors)
    with pytest.raises(ValueError, match="missing.pt: not a usable .*KeyError: 'classes'"):
        CyclicClassifier.load(tmp_path / "missing.pt")


def test_writes_are_atomic_and_name_the_path(model_and_stars, tmp_path):
    clf, _ = model_and_stars
    with pytest.raises(OSError, match="cannot write the model file .*nowhere/model.pt"):
        clf.save(tmp_path / "nowhere" / "model.pt")
    # Two threads saving to one path: each write has its own temporary file, so none fails.
    path = tmp_path / "shared.pt"
    errors = []

    def save_many():
        try:
            for _ in range(10):
                clf.save(path, overwrite=True)
        except Exception as exc:  # noqa: BLE001 - any failure is the test's failure
            errors.append(exc)

    threads = [threading.Thread(target=save_many) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    CyclicClassifier.load(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.pt"]  # no temporary file left
