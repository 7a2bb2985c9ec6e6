"""RichardsForestClassifier: accuracy on the synthetic survey and the scikit-learn contract."""

import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.model_selection import GridSearchCV

from astro_cyclic import CyclicClassifier, PeriodSearch, StarLightCurve, as_light_curves
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.features import FEATURE_NAMES, PretrainedFeatures
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


class _PointCounts(TransformerMixin, BaseEstimator):
    """Extra features of light curves that are not PretrainedFeatures: the number of points."""

    def __init__(self, flat=False):
        self.flat = flat

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        counts = np.array([len(lc) for lc in as_light_curves(X)], dtype=float)
        return counts if self.flat else counts[:, None]


def test_extra_features_join_the_richards_features_and_a_saved_forest_holds_their_network(survey, tmp_path):
    X, y = survey.light_curves, survey.target
    model = tmp_path / "itcn.pt"
    CyclicClassifier.from_pretrained("itcn-sim-asas-eros1").save(model)
    clf = RichardsForestClassifier(n_estimators=20, period_search=FAST, extra_features=PretrainedFeatures(model),
                                   random_state=0).fit(X[:60], y[:60])
    width = clf.extra_features_.n_features_out_
    assert clf.forest_.n_features_in_ == len(FEATURE_NAMES) + width
    assert list(clf.feature_names_[-2:]) == [f"pretrained_{width - 2}", f"pretrained_{width - 1}"]
    assert clf.feature_importances_[len(FEATURE_NAMES):].sum() > 0  # the trees split on them
    assert clf.extra_features is not clf.extra_features_ and not hasattr(clf.extra_features, "network_")
    proba = clf.predict_proba(X[60:])
    clf.save(tmp_path / "forest.pt")
    model.unlink()  # the forest's file needs no other
    loaded = RichardsForestClassifier.load(tmp_path / "forest.pt")
    np.testing.assert_array_equal(loaded.predict_proba(X[60:]), proba)
    assert loaded.get_params()["extra_features__model"] == str(model)
    assert list(loaded.feature_names_) == list(clf.feature_names_)


def test_other_extra_features_fit_and_predict_but_are_not_saved(survey, tmp_path):
    X, y = survey.light_curves[:30], survey.target[:30]
    clf = RichardsForestClassifier(n_estimators=10, period_search=FAST, extra_features=_PointCounts(),
                                   random_state=0).fit(X, y)
    assert clf.feature_names_[-1] == "extra_0" and clf.predict_proba(X).shape == (30, 3)
    with pytest.raises(ValueError, match="extra_features is a _PointCounts; only PretrainedFeatures"):
        clf.save(tmp_path / "forest.pt")
    assert not (tmp_path / "forest.pt").exists()
    with pytest.raises(ValueError, match=r"extra_features gave an array of shape \(30,\) for 30 stars"):
        clf.set_params(extra_features=_PointCounts(flat=True)).fit(X, y)


def test_a_forest_with_pretrained_features_takes_its_own_cleaning_and_threads(survey, monkeypatch):
    X, y = list(survey.light_curves[:30]), survey.target[:30]
    short = X[0]
    X[0] = StarLightCurve(short.time[:8], short.mag[:8], short.err[:8], period=short.period, star_id="short")
    threads = []
    embed = CyclicClassifier.embed

    def recording_embed(network, stars):
        threads.append(network.n_jobs)
        return embed(network, stars)

    monkeypatch.setattr(CyclicClassifier, "embed", recording_embed)
    # Eight points: too few for PretrainedFeatures' own min_points (10), enough for the forest's (5).
    clf = RichardsForestClassifier(n_estimators=10, period_search=FAST, min_points=5, random_state=0,
                                   extra_features=PretrainedFeatures()).fit(X, y)
    assert threads == [None] and clf.extra_features_.min_points == 5
    clf.predict_proba(X[:3])
    clf.set_params(n_jobs=2).predict_proba(X[:3])  # the forest's present n_jobs, not the one it was fitted with
    assert threads == [None, None, 2] and clf.extra_features_.n_jobs is None


def test_a_two_band_forest_with_pretrained_features_round_trips(tmp_path):
    data = make_periodic_variables(20, classes=["RRab", "EA"], bands=("g", "r"), random_state=1)
    clf = RichardsForestClassifier(n_estimators=10, period_search=FAST, extra_features=PretrainedFeatures(),
                                   random_state=0).fit(data.light_curves, data.target)
    assert clf.extra_features_.bands_ == ("g", "r") and clf.feature_names_[-1].startswith("r_pretrained_")
    clf.save(tmp_path / "two.pt")
    loaded = RichardsForestClassifier.load(tmp_path / "two.pt")
    assert loaded.extra_features_.bands_ == ("g", "r") and list(loaded.feature_names_) == list(clf.feature_names_)
    np.testing.assert_array_equal(loaded.predict_proba(data.light_curves), clf.predict_proba(data.light_curves))
    assert loaded.extra_features_.transform([]).shape == (0, clf.extra_features_.n_features_out_)
