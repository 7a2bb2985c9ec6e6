"""Model files: one codec for the estimators the package saves.

A model file is a torch archive read back with ``torch.load(weights_only=True)``,
so reading a file cannot run code. It holds plain values only:

``format``, ``format_version``
    What estimator the file holds, and the layout of this codec (version 2
    added the checksum; version 1 files are still read).
``versions``
    JSON: the astro_cyclic, torch and numpy versions that wrote the file.
``config``
    JSON: the estimator's parameters and its fitted state other than tensors.
``tensors``
    Name -> tensor (a network's weights).
``sha256``
    A SHA-256 digest of ``config`` and of every tensor (name, dtype, shape,
    bytes). torch's zip reader checks no CRC, so a damaged or altered file can
    load as a different model: a file whose content does not match its digest
    is refused, naming the file.

Files are written under a temporary name of their own in the target folder
and renamed into place once complete, so a model file is never half written,
and two processes saving to one path never share a temporary file.
"""

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import torch

from ._atomic import write_atomically

__all__ = ["CODEC_VERSION", "content_digest", "jsonable", "model_file_format", "params_from_json", "params_to_json",
           "read_model_file", "write_model_file"]

#: The version of the file layout this module writes.
CODEC_VERSION = 2
_READABLE_VERSIONS = (1, 2)


def content_digest(config_text, tensors):
    """SHA-256 (hex) of a model file's configuration text and tensors.

    Examples
    --------
    >>> len(content_digest("{}", {"w": torch.zeros(2)}))
    64
    """
    digest = hashlib.sha256(config_text.encode())
    for name in sorted(tensors):
        tensor = tensors[name].detach().cpu().contiguous()
        digest.update(f"\0{name}\0{tensor.dtype}\0{tuple(tensor.shape)}\0".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def write_model_file(path, *, format, config, tensors, overwrite=False):
    """Write a model file atomically.

    Parameters
    ----------
    path : str or path-like
    format : str
        What the file holds, e.g. ``"astro_cyclic.CyclicClassifier"``.
    config : dict
        JSON-able parameters and fitted state.
    tensors : dict of str to torch.Tensor
    overwrite : bool
        Replace an existing file (only once the new one is complete).

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``overwrite`` is false.
    OSError
        Naming ``path``, when it cannot be written (a read-only folder, a full
        disk); an existing file is left as it was.
    """
    from . import __version__

    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    config_text = json.dumps(config, allow_nan=False)
    tensors = {name: tensor.detach().cpu() for name, tensor in tensors.items()}
    payload = {
        "format": format, "format_version": CODEC_VERSION,
        "versions": json.dumps({"astro_cyclic": __version__, "torch": torch.__version__, "numpy": np.__version__}),
        "config": config_text, "tensors": tensors, "sha256": content_digest(config_text, tensors),
    }
    if not path.parent.is_dir():  # a model is saved into an existing folder; write_atomically would make one
        raise OSError(f"cannot write the model file {path}: there is no folder {path.parent}")

    def save(tmp):
        try:
            torch.save(payload, tmp)
        except RuntimeError as exc:  # torch reports a full disk as a RuntimeError
            raise OSError(str(exc)) from None

    write_atomically(path, save)


def _load_payload(path):
    """The raw content of a model file, or an error naming it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for truncated or foreign files
        raise ValueError(f"{path} is not a readable astro_cyclic model file ({type(exc).__name__}: {exc})") \
            from None


def model_file_format(path):
    """The estimator a model file holds (its ``format``, e.g. ``"astro_cyclic.CyclicClassifier"``).

    Raises
    ------
    FileNotFoundError
    ValueError
        Naming the file, when it is not a readable astro_cyclic model file.
    """
    payload = _load_payload(path)
    if not isinstance(payload, dict) or not str(payload.get("format", "")).startswith("astro_cyclic."):
        raise ValueError(f"{path} is not an astro_cyclic model file")
    return payload["format"]


def params_to_json(params):
    """An estimator's ``get_params(deep=False)`` as JSON takes it: a ``period_search`` as its parameters,
    a ``class_weight`` dict as [label, weight] pairs (labels need not be strings), a path (``pretrained``) as
    a string; labels that JSON cannot hold are an error."""
    params = {name: os.fspath(value) if isinstance(value, os.PathLike) else value for name, value in params.items()}
    if params.get("period_search") is not None:
        params["period_search"] = params["period_search"].get_params()
    if isinstance(params.get("class_weight"), dict):
        params["class_weight"] = {"__pairs__": jsonable([[k, v] for k, v in params["class_weight"].items()])}
    return params


def params_from_json(params):
    """The inverse of :func:`params_to_json`."""
    from .period import PeriodSearch

    params = dict(params)
    if params.get("period_search") is not None:
        params["period_search"] = PeriodSearch(**params["period_search"])
    if isinstance(params.get("class_weight"), dict) and "__pairs__" in params["class_weight"]:
        params["class_weight"] = {k: v for k, v in params["class_weight"]["__pairs__"]}
    return params


def jsonable(value):
    """``value`` with numpy scalars as Python ones, or a ValueError when JSON cannot hold it (a class label)."""
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    value = value.item() if isinstance(value, np.generic) else value
    try:
        json.dumps(value)
    except TypeError:
        raise ValueError("class labels must be strings, integers, floats or booleans to be saved") from None
    return value


def read_model_file(path, *, format):
    """Read and verify a model file written by :func:`write_model_file`.

    Returns
    -------
    config : dict
    tensors : dict of str to torch.Tensor

    Raises
    ------
    FileNotFoundError
    ValueError
        Naming the file: not a readable model file, another estimator's file,
        an unknown version, or a content that does not match its checksum.
    """
    payload = _load_payload(path)
    if not isinstance(payload, dict) or payload.get("format") != format:
        raise ValueError(f"{path} is not an astro_cyclic model file of a {format.rsplit('.', 1)[-1]}")
    version = payload.get("format_version")
    if version not in _READABLE_VERSIONS:
        raise ValueError(f"{path} has model format version {version}; this astro_cyclic reads versions "
                         f"{', '.join(map(str, _READABLE_VERSIONS))}")
    config_text = payload.get("config")
    # Version 1 kept the network's weights under "state_dict" and had no checksum.
    tensors = payload.get("tensors" if version >= 2 else "state_dict")
    if not isinstance(config_text, str) or not isinstance(tensors, dict):
        raise ValueError(f"{path} is not a complete astro_cyclic model file (no configuration or weights)")
    if version >= 2 and payload.get("sha256") != content_digest(config_text, tensors):
        raise ValueError(f"{path}: the content does not match the checksum it was saved with; the file was "
                         "damaged or altered after it was written")
    try:
        config = json.loads(config_text)
    except ValueError as exc:
        raise ValueError(f"{path}: the configuration is not JSON ({exc})") from None
    if not isinstance(config, dict):
        raise ValueError(f"{path}: the configuration is not a JSON object")
    return config, tensors
