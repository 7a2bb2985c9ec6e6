"""Splits of stars (astro_cyclic.model_selection): drawing them, a network's validation stars, a model per split."""

import numpy as np
import pytest

from astro_cyclic import CyclicClassifier
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.model_selection import (StarSplit, ValidationStars, clone_for_split, mean_std, paired_difference,
                                          stratified_star_splits)

# Unbalanced classes, so that stratification is visible.
TARGET = np.array(["RRab"] * 50 + ["EA"] * 30 + ["Mira"] * 20)[np.random.default_rng(1).permutation(100)]


def test_validation_stars_is_the_validation_set_of_fit():
    data = make_periodic_variables(30, classes=["RRab", "EA"], random_state=0)
    chosen = [1, 4, 7, 10, 20, 29]
    clf = CyclicClassifier(module__hidden=4, max_epochs=1, random_state=0, train_split=ValidationStars(chosen))
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
    clf = CyclicClassifier(module__hidden=4, max_epochs=3, train_split=None, random_state=0)
    clf.fit(data.light_curves, data.target)
    assert len(clf.history_) == 3 and clf.best_epoch_ == 2 and "val_accuracy" not in clf.history_[0]


def test_summaries():
    assert mean_std([None]) == {"mean": None, "std": None, "n": 0}
    d = paired_difference([0.95, 0.93, 0.94, 0.96], [0.93, 0.93, 0.93, 0.93])
    assert d["median"] == pytest.approx(0.015) and d["per_split"] == pytest.approx([0.02, 0.0, 0.01, 0.03])
    assert d["p16"] <= d["median"] <= d["p84"]


def test_splits_are_disjoint_cover_all_stars_and_are_sorted():
    splits = stratified_star_splits(TARGET, n_splits=8)
    assert len(splits) == 8
    for train, val, test in splits:
        joined = np.concatenate([train, val, test])
        assert np.array_equal(np.sort(joined), np.arange(TARGET.size))
        assert (train.size, val.size, test.size) == (60, 20, 20)
        for part in (train, val, test):
            assert np.all(np.diff(part) > 0)


def test_splits_are_stratified():
    overall = {c: np.mean(TARGET == c) for c in np.unique(TARGET)}
    for split in stratified_star_splits(TARGET, n_splits=4):
        for part in split:
            for c, fraction in overall.items():
                assert np.mean(TARGET[part] == c) == pytest.approx(fraction, abs=0.05)


def test_splits_are_reproducible_and_differ_between_splits_and_seeds():
    a = stratified_star_splits(TARGET, n_splits=3, random_state=7)
    b = stratified_star_splits(TARGET, n_splits=3, random_state=7)
    for s, t in zip(a, b):
        assert s.seed == t.seed and all(np.array_equal(x, y) for x, y in zip(s, t))
    assert not np.array_equal(a[0].test, a[1].test)
    # Nearby seeds must not share splits (they would if split k used seed random_state + k).
    c = stratified_star_splits(TARGET, n_splits=3, random_state=8)
    assert not any(np.array_equal(s.test, t.test) for s in a for t in c)


def test_split_val_is_what_the_network_holds_out_itself():
    # Regression guard: the protocol relies on CyclicClassifier drawing exactly the split's val stars.
    for split in stratified_star_splits(TARGET, n_splits=3):
        train_val = np.sort(np.concatenate([split.train, split.val]))
        clf = CyclicClassifier(train_split=split.validation_fraction, random_state=split.seed)
        y_idx = np.unique(TARGET[train_val], return_inverse=True)[1]
        clf.classes_ = np.unique(TARGET[train_val])
        _, val_local = clf._split(y_idx, split.seed)
        assert np.array_equal(np.sort(train_val[val_local]), split.val)


def test_split_is_a_plain_three_tuple_that_pickles():
    import pickle

    split = stratified_star_splits(TARGET, n_splits=1)[0]
    assert isinstance(split, StarSplit) and len(split) == 3
    back = pickle.loads(pickle.dumps(split))
    assert back.seed == split.seed and np.array_equal(back.test, split.test)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_splits": 0}, "n_splits"), ({"test_size": 1.2}, "test_size"), ({"test_size": 0.5, "val_size": 0.5}, "below 1"),
])
def test_split_arguments_are_checked(kwargs, match):
    with pytest.raises(ValueError, match=match):
        stratified_star_splits(TARGET, **kwargs)


def test_a_class_too_small_to_split_is_a_clear_error():
    with pytest.raises(ValueError, match="at least 3 stars.*'b': 2"):
        stratified_star_splits(["a"] * 10 + ["b"] * 2)


def test_clone_for_split_seeds_the_clone_and_names_the_split_validation_stars():
    from sklearn.ensemble import RandomForestClassifier

    split = stratified_star_splits(TARGET, n_splits=2, random_state=4)[1]
    template = CyclicClassifier(module__hidden=8)
    clf = clone_for_split(template, split)
    assert clf is not template and template.random_state is None and template.train_split == 0.2
    assert clf.random_state == split.seed and clf.module__hidden == 8
    train, val = clf.train_split(TARGET[split.fit_stars])
    assert np.array_equal(split.fit_stars[val], split.val) and np.array_equal(split.fit_stars[train], split.train)
    # A model without train_split only gets the seed.
    forest = clone_for_split(RandomForestClassifier(n_estimators=3), split)
    assert forest.random_state == split.seed and forest.n_estimators == 3
    with pytest.raises(TypeError, match="StarSplit"):
        clone_for_split(template, (split.train, split.val, split.test))
