import numpy as np
import pytest
from sklearn.utils import Bunch

from astro_cyclic.datasets import make_periodic_variables, select_classes, take_stars

_Y = np.array(["A"] * 10 + ["B"] * 5 + ["C"] * 2 + ["D"] * 1)


def test_min_count_drops_rare_classes():
    idx, labels = select_classes(_Y, min_count=5)
    assert idx.tolist() == list(range(15))
    assert labels.tolist() == _Y[:15].tolist()
    idx, labels = select_classes(_Y)
    assert idx.tolist() == list(range(18)) and labels.tolist() == _Y.tolist()


def test_max_count_is_random_seeded_and_ordered():
    idx, labels = select_classes(_Y, max_count=3, random_state=0)
    counts = dict(zip(*np.unique(labels, return_counts=True)))
    assert counts == {"A": 3, "B": 3, "C": 2, "D": 1}
    assert np.all(np.diff(idx) > 0)  # original order kept
    np.testing.assert_array_equal(_Y[idx], labels)
    again, _ = select_classes(_Y, max_count=3, random_state=0)
    np.testing.assert_array_equal(idx, again)
    draws = {tuple(select_classes(_Y, max_count=3, random_state=s)[0]) for s in range(10)}
    assert len(draws) > 1
    gen, _ = select_classes(_Y, max_count=3, random_state=np.random.default_rng(1))
    assert gen.size == 9


def test_groups_then_counts():
    groups = {"AB": ["A", "B"], "CD": ["C", "D"]}
    idx, labels = select_classes(_Y, groups=groups, min_count=4)
    assert idx.tolist() == list(range(15)) and set(labels) == {"AB"}
    idx, labels = select_classes(_Y, groups={"long name for C": "C"}, min_count=2)
    assert labels[-1] == "long name for C" and idx.size == 17  # D (1 star) dropped, name not truncated
    idx, labels = select_classes(_Y, groups=groups, max_count=4, random_state=3)
    assert dict(zip(*np.unique(labels, return_counts=True))) == {"AB": 4, "CD": 3}


def test_invalid_arguments():
    with pytest.raises(ValueError, match="min_count"):
        select_classes(_Y, min_count=0)
    with pytest.raises(TypeError, match="max_count .* must be an instance of int, not float"):
        select_classes(_Y, max_count=2.5)
    with pytest.raises(ValueError, match="two groups"):
        select_classes(_Y, groups={"X": ["A"], "Y": ["A"]})
    with pytest.raises(TypeError, match="groups"):
        select_classes(_Y, groups=[("X", "A")])
    with pytest.raises(ValueError, match="one-dimensional"):
        select_classes(_Y.reshape(2, 9))


def test_take_stars_on_a_loader_bunch():
    data = make_periodic_variables(40, n_points=(20, 40), random_state=0)
    idx, labels = select_classes(data.target, groups={"RRLyr": ["RRab", "RRc"]}, max_count=5, random_state=0)
    small = take_stars(data, idx, labels)
    assert len(small.light_curves) == small.target.size == idx.size
    assert small.class_names == sorted(set(labels.tolist())) and "RRLyr" in small.class_names
    assert (small.target == "RRLyr").sum() == 5
    for key, value in data.items():
        if isinstance(value, np.ndarray) and value.shape[:1] == data.target.shape and key != "target":
            np.testing.assert_array_equal(small[key], value[idx])
    assert small.light_curves[0] is data.light_curves[idx[0]]
    with pytest.raises(ValueError, match="labels"):
        take_stars(data, idx, labels[:-1])


def test_take_stars_keeps_other_fields():
    data = Bunch(target=np.array(["x", "y"]), DESCR="d", band="r", light_curves=["a", "b"])
    out = take_stars(data, [1])
    assert out.DESCR == "d" and out.band == "r" and out.light_curves == ["b"] and out.target.tolist() == ["y"]
