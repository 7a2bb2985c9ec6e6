"""The pretrained models shipped with the package: listed, checked, loaded, predicting, fine-tuned."""

import numpy as np
import pytest

from astro_cyclic import CyclicClassifier, pretrained_models
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.pretrained import PRETRAINED_MODELS, load_pretrained, model_card

NAME = "itcn-sim-asas-eros1"


def test_the_shipped_model_is_listed_with_its_card():
    assert NAME in pretrained_models() and pretrained_models() == sorted(PRETRAINED_MODELS)
    card = model_card(NAME)
    assert card["n_stars"] >= 100_000 and sum(card["classes"].values()) == card["n_stars"]
    assert card["command"].startswith("python benchmarks/pretrain.py") and card["versions"]["torch"]


def test_from_pretrained_predicts_the_simulated_classes_at_once():
    clf = CyclicClassifier.from_pretrained(NAME)
    assert clf.pretrained == NAME and sorted(clf.classes_) == sorted(model_card(NAME)["classes"])
    data = make_periodic_variables(14, classes=["RRab", "Mira"], random_state=0)
    proba = clf.predict_proba(data.light_curves)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    # Simulated from other templates, but the same physics: the Miras and RR Lyrae are recognised.
    assert np.mean(clf.predict(data.light_curves) == data.target) >= 0.7


def test_fit_fine_tunes_the_shipped_model_on_other_classes():
    data = make_periodic_variables(40, classes=["RRab", "EA"], n_points=(40, 150), random_state=1)
    clf = CyclicClassifier.from_pretrained(NAME, max_epochs=1, train_split=None, random_state=0)
    assert clf.fit(data.light_curves, data.target).classes_.tolist() == ["EA", "RRab"]


def test_a_file_that_does_not_match_its_checksum_is_refused(monkeypatch):
    monkeypatch.setitem(PRETRAINED_MODELS, NAME, PRETRAINED_MODELS[NAME] | {"sha256": "0" * 64})
    with pytest.raises(ValueError, match="SHA-256 .* is not the 0000.* recorded for the pretrained model"):
        load_pretrained(NAME)
    with pytest.raises(ValueError, match="pretrained model must be one of 'itcn-sim-asas-eros1'"):
        model_card("itcn-nonexistent")


def test_from_pretrained_trains_with_the_default_settings_not_those_of_pretraining():
    clf = CyclicClassifier.from_pretrained(NAME, max_epochs=7)
    defaults = CyclicClassifier().get_params()
    assert model_card(NAME)["history"] and clf.max_epochs == 7
    for key in ("train_split", "n_iter_no_change", "verbose", "n_jobs", "random_state", "learning_rate"):
        assert clf.get_params()[key] == defaults[key], key
