"""RichardsForestClassifier: accuracy on the synthetic survey and the scikit-learn contract."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from astro_cyclic import PeriodSearch
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.features import FEATURE_NAMES
from astro_cyclic.forest import RichardsForestClassifier


# A coarse grid for the freq2/freq3 searches keeps these tests fast; the catalogue period is f1.
FAST = PeriodSearch(min_period=0.25, samples_per_peak=2)


@pytest.fixture(scope="module")
def survey():
    return make_periodic_variables(140, classes=["RRab", "EA", "DSCT"], n_points=(60, 200), random_state=3)


def test_accuracy_well_above_chance(survey):
    X, y = survey.light_curves, survey.target
    clf = RichardsForestClassifier(n_estimators=100, period_search=FAST, random_state=0).fit(X[:100], y[:100])
    assert clf.score(X[100:], y[100:]) > 0.8  # chance is 1/3
    np.testing.assert_array_equal(clf.classes_, ["DSCT", "EA", "RRab"])
    np.testing.assert_allclose(clf.periods_, survey.periods[:100])  # catalogue periods of the training stars
    proba = clf.predict_proba(X[100:])
    assert proba.shape == (40, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert list(clf.feature_names_) == list(FEATURE_NAMES)
    assert clf.feature_importances_.shape == (len(FEATURE_NAMES),)
    assert clf.feature_importances_.sum() == pytest.approx(1)


def test_found_periods_and_string_labels_round_trip():
    data = make_periodic_variables(16, classes=["RRc", "EA"], n_points=80, random_state=1)
    stripped = [(lc.time, lc.mag, lc.err) for lc in data.light_curves]  # no catalogue period
    clf = RichardsForestClassifier(n_estimators=10, period_search=PeriodSearch(min_period=0.2),
                                   random_state=0).fit(stripped, data.target)
    assert clf.periods_.shape == (16,) and np.all(clf.periods_ > 0)
    periods = clf.periods_.copy()
    assert set(clf.predict(stripped[:5])) <= {"RRc", "EA"}
    np.testing.assert_array_equal(clf.periods_, periods)  # prediction leaves the fitted periods alone


def test_score_refuses_unseen_labels(survey):
    X, y = survey.light_curves[:30], survey.target[:30]
    clf = RichardsForestClassifier(n_estimators=10, period_search=FAST, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="not seen during fit"):
        clf.score(X[:3], ["Mira", "EA", "EA"])


def test_fit_errors(survey):
    X = survey.light_curves[:10]
    with pytest.raises(ValueError, match="single class"):
        RichardsForestClassifier(n_estimators=5).fit(X, ["EA"] * 10)
    with pytest.raises(ValueError, match="labels"):
        RichardsForestClassifier(n_estimators=5).fit(X, survey.target[:9])


def test_clone_pickle_gridsearch(survey):
    X, y = survey.light_curves[:30], survey.target[:30]
    clf = RichardsForestClassifier(n_estimators=20, class_weight="balanced", period_search=FAST, random_state=0)
    cloned = clone(clf)
    assert repr(cloned) == repr(clf) and cloned.period_search is not clf.period_search
    assert cloned.get_params()["period_search__min_period"] == 0.25
    search = GridSearchCV(clf, {"n_estimators": [5, 20]}, cv=2).fit(X, y)
    assert search.best_params_["n_estimators"] in (5, 20)
    fitted = search.best_estimator_
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))
    np.testing.assert_allclose(again.feature_importances_, fitted.feature_importances_)


def test_dict_class_weight_uses_labels(survey):
    X, y = survey.light_curves[:30], survey.target[:30]
    clf = RichardsForestClassifier(n_estimators=5, class_weight={"EA": 2.0, "RRab": 1.0, "DSCT": 1.0},
                                   period_search=FAST, random_state=0).fit(X, y)
    assert clf.forest_.class_weight == {1: 2.0, 2: 1.0, 0: 1.0}


def test_save_and_load_without_pickle_predict_the_same(survey, tmp_path):
    X, y = survey.light_curves, survey.target
    clf = RichardsForestClassifier(n_estimators=15, period_search=FAST, random_state=0,
                                   class_weight={"EA": 2.0}).fit(X[:60], y[:60])
    path = tmp_path / "forest.pt"
    clf.save(path)
    loaded = RichardsForestClassifier.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X[60:]), clf.predict_proba(X[60:]))
    assert loaded.get_params()["class_weight"] == {"EA": 2.0} and loaded.classes_.tolist() == clf.classes_.tolist()
    np.testing.assert_array_equal(loaded.periods_, clf.periods_)
    assert clone(loaded).get_params(deep=False).keys() == clf.get_params(deep=False).keys()
    assert loaded.period_search.get_params() == FAST.get_params() and loaded.n_estimators == 15
    with pytest.raises(FileExistsError, match="overwrite=True"):
        clf.save(path)
    # The codec's checksum guards forests as it guards networks.
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "bad.pt").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="bad.pt"):
        RichardsForestClassifier.load(tmp_path / "bad.pt")


def test_a_multiband_forest_round_trips_with_its_bands(tmp_path):
    data = make_periodic_variables(30, classes=["RRab", "EA"], bands=("g", "r"), random_state=1)
    clf = RichardsForestClassifier(n_estimators=10, period_search=FAST, random_state=0)
    clf.fit(data.light_curves, data.target).save(tmp_path / "two.pt")
    loaded = RichardsForestClassifier.load(tmp_path / "two.pt")
    assert loaded.features_.bands_ == ("g", "r") and list(loaded.feature_names_) == list(clf.feature_names_)
    np.testing.assert_array_equal(loaded.predict_proba(data.light_curves), clf.predict_proba(data.light_curves))
