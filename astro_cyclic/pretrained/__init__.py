"""Pretrained models shipped with the package, loaded by name.

Each model is a :class:`~astro_cyclic.CyclicClassifier` file in the package's
safe format (weights as tensors, everything else JSON, read with
``torch.load(weights_only=True)``: no pickle, nothing executed, readable by
later versions of torch and scikit-learn) beside its model card (JSON: the
simulated classes and cadences, training history and cost, machine, versions,
commit and the command that made it). The registry records each file's
SHA-256; a file that does not match is refused. Nothing is read until a model
is asked for.
"""

import hashlib
import json
from importlib import resources
from pathlib import Path

from .._validation import validate_option

__all__ = ["PRETRAINED_MODELS", "load_pretrained", "model_card", "pretrained_models"]

#: Name -> the model file in this folder, its SHA-256 and what it is.
PRETRAINED_MODELS = {
    "itcn-sim-asas-eros1": {
        "file": "itcn-sim-asas-eros1.pt",
        "sha256": "9432c236756d1cab741aa4b83af5fc0261331deda2eb6b81d02d19552500166a",
        "description": "iTCN (default settings, single band) pretrained on 100,000 simulate_survey stars of 11 "
                       "classes on ASAS (V) and EROS-1 (red) cadences",
    },
}


def pretrained_models():
    """Names of the pretrained models shipped with the package.

    Returns
    -------
    list of str
        Sorted names, for :meth:`astro_cyclic.CyclicClassifier.from_pretrained`
        and ``CyclicClassifier(pretrained=name)``.

    Examples
    --------
    >>> from astro_cyclic import pretrained_models
    >>> isinstance(pretrained_models(), list)
    True
    """
    return sorted(PRETRAINED_MODELS)


def _path(name):
    name = validate_option(name, tuple(PRETRAINED_MODELS), "pretrained model")
    entry = PRETRAINED_MODELS[name]
    path = Path(resources.files(__name__) / entry["file"])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != entry["sha256"]:
        raise ValueError(f"{path}: SHA-256 {digest} is not the {entry['sha256']} recorded for the pretrained "
                         f"model {name!r}; reinstall astro_cyclic")
    return path


def model_card(name):
    """The model card of a pretrained model, as a dict (see the module's description)."""
    path = _path(name)
    return json.loads(path.with_suffix(".json").read_text())


def load_pretrained(model, *, device="cpu"):
    """A fitted :class:`~astro_cyclic.CyclicClassifier` from a shipped model's name or a model file's path.

    Raises
    ------
    ValueError
        When ``model`` is neither a shipped model's name (they are listed) nor
        an existing file, or the file is not a usable model.
    """
    from ..estimators import CyclicClassifier

    if isinstance(model, str) and model in PRETRAINED_MODELS:
        return CyclicClassifier.load(_path(model), device=device)
    if not Path(model).is_file():
        names = ", ".join(map(repr, pretrained_models())) or "none"
        raise ValueError(f"pretrained={str(model)!r} is neither a pretrained model's name (shipped: {names}) "
                         "nor a model file written by CyclicClassifier.save")
    return CyclicClassifier.load(model, device=device)
