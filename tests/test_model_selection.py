"""Splits of stars (astro_cyclic.model_selection)."""

import numpy as np
import pytest

from astro_cyclic import CyclicClassifier
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.model_selection import ValidationStars, mean_std, paired_difference


def test_validation_stars_is_the_validation_set_of_fit():
    data = make_periodic_variables(30, classes=["RRab", "EA"], random_state=0)
    chosen = [1, 4, 7, 10, 20, 29]
    clf = CyclicClassifier(hidden=4, max_epochs=1, random_state=0, train_split=ValidationStars(chosen))
    clf.fit(data.light_curves, data.target)
    # The validation loss recorded is the model's loss on exactly those stars.
    logp = clf.predict_log_proba([data.light_curves[i] for i in chosen])
    truth = np.searchsorted(clf.classes_, data.target[chosen])
    assert clf.history_[0]["val_loss"] == pytest.approx(-logp[np.arange(len(chosen)), truth].mean(), rel=1e-5)
    train, val = ValidationStars(chosen)(data.target)
    np.testing.assert_array_equal(val, chosen)
    assert np.intersect1d(train, val).size == 0 and train.size + val.size == 30


def test_a_callable_train_split_is_checked():
    data = make_periodic_variables(20, classes=["RRab", "EA"], random_state=0)
    with pytest.raises(ValueError, match="ValidationStars: indices must be positions 0..19"):
        CyclicClassifier(max_epochs=1, train_split=ValidationStars([25])).fit(data.light_curves, data.target)
    with pytest.raises(ValueError, match="train_split must return disjoint"):
        clf = CyclicClassifier(max_epochs=1, train_split=lambda y: ([0, 1, 2], [2, 3]))
        clf.fit(data.light_curves, data.target)
    with pytest.raises(ValueError, match=r"train_split \(a fraction, None or a callable\) == 1.5"):
        CyclicClassifier(max_epochs=1, train_split=1.5).fit(data.light_curves, data.target)


def test_no_validation_trains_every_epoch():
    data = make_periodic_variables(20, classes=["RRab", "EA"], random_state=0)
    clf = CyclicClassifier(hidden=4, max_epochs=3, train_split=None, random_state=0)
    clf.fit(data.light_curves, data.target)
    assert len(clf.history_) == 3 and clf.best_epoch_ == 2 and "val_accuracy" not in clf.history_[0]


def test_summaries():
    assert mean_std([None]) == {"mean": None, "std": None, "n": 0}
    d = paired_difference([0.95, 0.93, 0.94, 0.96], [0.93, 0.93, 0.93, 0.93])
    assert d["median"] == pytest.approx(0.015) and d["per_split"] == pytest.approx([0.02, 0.0, 0.01, 0.03])
    assert d["p16"] <= d["median"] <= d["p84"]
