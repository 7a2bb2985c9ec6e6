import pickle

import numpy as np
import pytest
import torch
from astropy import units as u
from astropy.table import Table
from astropy.time import Time
from astropy.timeseries import TimeSeries
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from astro_cyclic import CyclicClassifier, LightCurveError, StarLightCurve, as_light_curves, prepare_light_curves
from astro_cyclic.prepare import periods_of
from astro_cyclic.datasets import make_periodic_variables
from astro_cyclic.features.richards import FEATURE_NAMES, RichardsFeatures

SMALL = dict(module__hidden=8, max_epochs=4, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def survey():
    return make_periodic_variables(90, classes=["RRab", "EA", "Mira"], n_points=(30, 260), random_state=1)


@pytest.fixture(scope="module")
def fitted(survey):
    return CyclicClassifier(**SMALL).fit(survey.light_curves, survey.target)


def test_fit_predict_in_user_labels(fitted, survey):
    assert fitted.classes_.tolist() == ["EA", "Mira", "RRab"]
    proba = fitted.predict_proba(survey.light_curves)
    assert proba.shape == (90, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    pred = fitted.predict(survey.light_curves)
    assert set(pred) <= set(fitted.classes_)
    np.testing.assert_array_equal(pred, fitted.classes_[proba.argmax(axis=1)])
    assert fitted.score(survey.light_curves, survey.target) == np.mean(pred == survey.target)
    assert fitted.periods_.shape == (90,)
    np.testing.assert_allclose(fitted.periods_, survey.periods)  # catalogue periods were used


def test_predict_table_is_predict_proba_with_the_star_and_its_period(fitted, survey):
    table = fitted.predict_table(survey.light_curves[:5])
    assert table["star_id"].tolist() == [str(lc.star_id) for lc in survey.light_curves[:5]]
    proba = np.column_stack([table[f"proba_{c}"] for c in fitted.classes_])
    np.testing.assert_array_equal(proba, fitted.predict_proba(survey.light_curves[:5]))
    assert table.meta["model"] == "CyclicClassifier" and table["period_source"].tolist() == ["catalogue"] * 5


def test_short_stars_are_classified(fitted, survey):
    short = [lc for lc in survey.light_curves if len(lc) < fitted.segment_length]
    assert len(short) > 10
    assert fitted.predict_proba(short).shape == (len(short), 3)


def test_segments_available(fitted, survey):
    logp, star = fitted.predict_segments(survey.light_curves[:5])
    assert logp.shape[1] == 3 and star.max() == 4
    assert np.bincount(star).tolist() == [max(1, -(-len(lc) // 200)) for lc in survey.light_curves[:5]]


def test_periods_found_when_not_given(fitted, survey):
    """Stars without a catalogue period are searched; prepared once, they are classified without a new search."""
    lcs = [StarLightCurve(lc.time, lc.mag, lc.err, star_id=lc.star_id) for lc in survey.light_curves[:6]]
    stars = prepare_light_curves(lcs, period_search=fitted.period_search, min_points=fitted.min_points)
    found = periods_of(stars)
    assert np.all(found > 0) and {star.period_source for star in stars} == {"search"}
    assert np.isclose(found, survey.periods[:6], rtol=0.01).sum() >= 4
    np.testing.assert_array_equal(fitted.predict_proba(stars), fitted.predict_proba(lcs))


def test_prediction_leaves_the_estimator_unchanged(fitted, survey):
    """scikit-learn's contract: predict reads the fitted state and writes none (here: no periods_ of the
    predicted stars, as there used to be)."""
    before = {key: (value.copy() if isinstance(value, np.ndarray) else value)
              for key, value in vars(fitted).items() if key != "module_"}
    weights = {k: v.clone() for k, v in fitted.module_.state_dict().items()}
    bare = [StarLightCurve(lc.time, lc.mag, lc.err) for lc in survey.light_curves[:5]]
    fitted.predict_proba(bare)
    fitted.predict_segments(bare)
    list(fitted.iter_predict_proba(bare, chunk_size=2))
    after = {key: value for key, value in vars(fitted).items() if key != "module_"}
    assert after.keys() == before.keys()
    np.testing.assert_array_equal(after["periods_"], before["periods_"])
    assert all(np.array_equal(v, fitted.module_.state_dict()[k]) for k, v in weights.items())


def test_two_threads_predicting_at_once_get_the_sequential_answers(fitted, survey):
    from concurrent.futures import ThreadPoolExecutor

    halves = [survey.light_curves[:45], [StarLightCurve(lc.time, lc.mag, lc.err) for lc in survey.light_curves[45:]]]
    sequential = [fitted.predict_proba(half) for half in halves]
    with ThreadPoolExecutor(2) as pool:
        for _ in range(3):
            parallel = list(pool.map(fitted.predict_proba, halves))
            for got, want in zip(parallel, sequential):
                np.testing.assert_array_equal(got, want)


def test_n_jobs_bounds_the_threads_and_restores_them(survey, monkeypatch):
    """torch runs on n_jobs threads inside fit and predict, and on what it had before outside them."""
    import torch

    seen = []
    original = CyclicClassifier._network_log_proba

    def spy(self, segments):
        seen.append(torch.get_num_threads())
        return original(self, segments)

    monkeypatch.setattr(CyclicClassifier, "_network_log_proba", spy)
    X, y = survey.light_curves[:30], survey.target[:30]
    torch.set_num_threads(1)  # the conftest's setting, made explicit
    clf = CyclicClassifier(**(SMALL | {"max_epochs": 1, "n_jobs": 2})).fit(X, y)
    assert torch.get_num_threads() == 1
    clf.predict_proba(X)
    assert seen == [2] and torch.get_num_threads() == 1
    clf.set_params(n_jobs=None).predict_proba(X)
    assert seen == [2, 1]


@pytest.mark.parametrize("bad", [0, 1.5, "2", True])
def test_bad_n_jobs_is_named(survey, bad):
    with pytest.raises(ValueError, match="n_jobs must be None or a non-zero integer"):
        CyclicClassifier(**(SMALL | {"n_jobs": bad})).fit(survey.light_curves[:20], survey.target[:20])


@pytest.mark.parametrize("architecture", ["itcn", "iresnet"])
def test_whole_pipeline_invariant_to_starting_phase(survey, architecture):
    """Move the first observation one cycle later: the folded sequence rotates, the answer must not change."""
    clf = CyclicClassifier(architecture, segment_length=400, **SMALL).fit(survey.light_curves, survey.target)
    lcs = [lc for lc in survey.light_curves if len(lc) < 200][:5]
    moved = []
    for lc in lcs:
        order = np.r_[1:len(lc), 0]
        time = lc.time.copy()
        time[0] += 7 * lc.period * np.ceil((time[-1] - time[0]) / lc.period)
        moved.append(StarLightCurve(time[order], lc.mag[order], lc.err[order], period=lc.period))
    np.testing.assert_allclose(clf.predict_proba(moved), clf.predict_proba(lcs), atol=1e-5)


def test_repeatable_with_seed(survey):
    a = CyclicClassifier(**SMALL).fit(survey.light_curves, survey.target).predict_proba(survey.light_curves)
    b = CyclicClassifier(**SMALL).fit(survey.light_curves, survey.target).predict_proba(survey.light_curves)
    np.testing.assert_array_equal(a, b)


def test_random_state_kinds(survey):
    X, y = survey.light_curves[:30], survey.target[:30]
    for state in (np.random.RandomState(0), np.random.default_rng(0)):
        clf = CyclicClassifier(**(SMALL | {"max_epochs": 1, "random_state": state}))
        assert clf.fit(X, y).predict(X).shape == (30,)
    with pytest.raises(ValueError, match="random_state must be"):
        CyclicClassifier(**(SMALL | {"random_state": "seed"})).fit(X, y)


def test_sklearn_contract(fitted, survey):
    params = fitted.get_params()
    assert params["module__hidden"] == 8 and params["architecture"] == "itcn"
    unfitted = clone(fitted)
    assert not hasattr(unfitted, "module_") and unfitted.get_params() == params
    assert unfitted.set_params(module__hidden=4).module__hidden == 4
    # A hyper-parameter not set before is added by set_params, as GridSearchCV does.
    assert unfitted.set_params(module__depth=3).get_params()["module__depth"] == 3
    clf = CyclicClassifier(**SMALL)
    assert clf.fit(survey.light_curves, survey.target) is clf
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(survey.light_curves),
                                  fitted.predict_proba(survey.light_curves))


def test_pipeline_gridsearch_cross_val(survey):
    X, y = list(survey.light_curves), survey.target
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    assert isinstance(X_train, list)
    pipe = Pipeline([("adapt", FunctionTransformer(as_light_curves)),
                     ("clf", CyclicClassifier(**(SMALL | {"max_epochs": 2})))])
    pipe.fit(X_train, y_train)
    assert pipe.predict(X_test).shape == (len(X_test),)
    grid = GridSearchCV(pipe, {"clf__module__hidden": [4, 8], "clf__module__kernel_size": [3]}, cv=2)
    grid.fit(X_train, y_train)
    assert grid.best_params_["clf__module__hidden"] in (4, 8)
    scores = cross_val_score(CyclicClassifier(**(SMALL | {"max_epochs": 2})), X, y, cv=2)
    assert scores.shape == (2,) and np.all((scores >= 0) & (scores <= 1))


def test_save_load_round_trip(fitted, survey, tmp_path):
    path = tmp_path / "model.pt"
    fitted.save(path)
    loaded = CyclicClassifier.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(survey.light_curves), fitted.predict_proba(survey.light_curves))
    assert loaded.get_params()["module__hidden"] == 8 and loaded.classes_.tolist() == fitted.classes_.tolist()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        fitted.save(path)
    fitted.save(path, overwrite=True)


def test_load_refuses_bad_files(fitted, tmp_path):
    good = tmp_path / "model.pt"
    fitted.save(good)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[:1000])
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a model at all")
    foreign = tmp_path / "foreign.pt"
    import torch

    torch.save({"weights": torch.zeros(3)}, foreign)
    for path in (truncated, garbage):
        with pytest.raises(ValueError, match="not a readable astro_cyclic model file"):
            CyclicClassifier.load(path)
    with pytest.raises(ValueError, match="not an astro_cyclic model file"):
        CyclicClassifier.load(foreign)
    with pytest.raises(FileNotFoundError, match="no model file"):
        CyclicClassifier.load(tmp_path / "missing.pt")


def test_inputs_as_timeseries_and_lightkurve(fitted, survey):
    lk = pytest.importorskip("lightkurve")
    lc = survey.light_curves[0]
    ts = TimeSeries(time=Time(2450000 + lc.time, format="jd"), data={"mag": lc.mag * u.mag, "mag_err": lc.err * u.mag})
    ts.meta["period"] = lc.period
    flux = 10 ** (-0.4 * lc.mag)
    lk_lc = lk.LightCurve(time=Time(2450000 + lc.time, format="jd"), flux=flux, flux_err=flux * lc.err / 1.0857)
    lk_lc.meta["PERIOD"] = lc.period
    expected = fitted.predict_proba([lc])
    np.testing.assert_allclose(fitted.predict_proba([ts]), expected, atol=1e-5)
    # Fluxes become magnitudes with zero point 0 (about -15 mag here): the same star to the classifier,
    # and so is a normalised light curve.
    np.testing.assert_allclose(fitted.predict_proba([lk_lc]), expected, atol=1e-5)
    np.testing.assert_allclose(fitted.predict_proba([lk_lc.normalize()]), expected, atol=1e-5)
    refit = CyclicClassifier(**SMALL).fit([lk_lc, ts] * 10, ["a", "b"] * 10)
    assert refit.classes_.tolist() == ["a", "b"]


def test_a_constant_magnitude_offset_changes_nothing_unless_apparent_magnitude(fitted, survey):
    """A zero point (+10 mag on every point) leaves the default model's probabilities as they are; with
    apparent_magnitude=True the segment means are an input, and the same shift changes the answer."""
    stars = survey.light_curves[:20]
    shifted = [StarLightCurve(lc.time, lc.mag + 10.0, lc.err, period=lc.period, star_id=lc.star_id) for lc in stars]
    np.testing.assert_allclose(fitted.predict_proba(shifted), fitted.predict_proba(stars), atol=1e-5)
    assert fitted.standardizer_.aux_mean_.size == 2  # scale and log10 period; no mean magnitude
    apparent = CyclicClassifier(apparent_magnitude=True, **SMALL).fit(survey.light_curves, survey.target)
    assert apparent.standardizer_.aux_mean_.size == 3
    assert np.abs(apparent.predict_proba(shifted) - apparent.predict_proba(stars)).max() > 1e-3
    with pytest.raises(ValueError, match="apparent_magnitude must be one of False, True; got 'yes'"):
        CyclicClassifier(apparent_magnitude="yes").fit(survey.light_curves, survey.target)


def test_errors(fitted, survey):
    X, y = survey.light_curves, survey.target
    with pytest.raises(ValueError, match="labels not seen during fit: \\['Cepheid'\\]"):
        fitted.score(X[:3], ["Cepheid", "EA", "EA"])
    with pytest.raises(ValueError, match="single class"):
        CyclicClassifier(**SMALL).fit(X[:10], ["EA"] * 10)
    with pytest.raises(ValueError, match="90 light curves but y has 3 labels"):
        CyclicClassifier(**SMALL).fit(X, y[:3])
    with pytest.raises(ValueError, match="architecture must be one of 'itcn', .*; got 'transformer'"):
        CyclicClassifier("transformer").fit(X, y)
    with pytest.raises(TypeError, match="got a numeric array of shape"):
        fitted.predict(np.zeros((3, 10)))
    with pytest.raises(ValueError, match="segment_length == 0, must be >= 1"):
        CyclicClassifier(segment_length=0).fit(X, y)
    bad = list(X[:3]) + [StarLightCurve(np.arange(20.0), np.full(20, np.nan), star_id="BAD-7")]
    with pytest.raises(LightCurveError, match="star 'BAD-7': only 0 of 20 points"):
        fitted.predict(bad)
    with pytest.raises(LightCurveError, match="star 3: period must be a positive"):
        as_light_curves([(X[0].time, X[0].mag)] * 4, periods=[1, 1, 1, -2.0])
    with pytest.raises(LightCurveError, match="star 1: time, mag and err must have the same length"):
        fitted.predict([(X[0].time, X[0].mag), (X[0].time, X[0].mag[:-1])])


def test_unfitted_raises(survey):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        CyclicClassifier().predict(survey.light_curves[:2])


def test_network_hyper_parameters_are_checked_before_any_data_work(survey):
    with pytest.raises(TypeError, match="unexpected keyword argument 'hidden'.*module__hidden"):
        CyclicClassifier(hidden=8)
    never_read = iter(())  # fit must refuse before it looks at the stars
    with pytest.raises(ValueError, match="unknown network hyper-parameter.*module__width.*module__hidden"):
        CyclicClassifier(module__width=8).fit(never_read, [])
    with pytest.raises(ValueError, match="'gru' does not use module__kernel_size.*uses: module__depth, module__hidden"):
        CyclicClassifier("gru", module__kernel_size=3).fit(never_read, [])
    # None is the architecture's default, set or not.
    none = CyclicClassifier("gru", module__kernel_size=None, max_epochs=1, random_state=0)
    assert none.fit(survey.light_curves[:20], survey.target[:20]).network_params_ == {}


def test_grid_search_over_module_params():
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    data = make_periodic_variables(24, classes=["RRab", "EA"], n_points=(40, 80), random_state=0)
    grid = GridSearchCV(CyclicClassifier(max_epochs=1, segment_length=40, random_state=0),
                        {"module__hidden": [2, 4]}, cv=StratifiedKFold(2))
    grid.fit(data.light_curves, data.target)
    assert [p["module__hidden"] for p in grid.cv_results_["params"]] == [2, 4]
    assert grid.best_estimator_.module_.hparams["hidden"] in (2, 4)


@pytest.mark.parametrize("architecture", ["tcn", "resnet", "gru", "lstm", "iresnet"])
def test_every_architecture_trains(survey, architecture):
    """Every architecture learns: its training loss falls over a few epochs."""
    clf = CyclicClassifier(architecture, **(SMALL | {"max_epochs": 4, "train_split": None}))
    clf.fit(survey.light_curves, survey.target)
    losses = [epoch["train_loss"] for epoch in clf.history_]
    assert losses[-1] < 0.9 * losses[0], losses
    assert clf.predict_proba(survey.light_curves[:4]).shape == (4, 3)


def test_real_eros1_beats_majority(data_home):
    from astro_cyclic.datasets import load_eros1

    data = load_eros1(data_home=data_home)
    idx = np.arange(len(data.target))
    train, test = train_test_split(idx, test_size=0.25, stratify=data.target, random_state=0)
    train = train[:1200]
    clf = CyclicClassifier(module__hidden=16, max_epochs=12, n_iter_no_change=6, random_state=0)
    clf.fit([data.light_curves[i] for i in train], data.target[train])
    accuracy = clf.score([data.light_curves[i] for i in test], data.target[test])
    majority = np.max(np.unique(data.target[test], return_counts=True)[1]) / test.size
    assert majority == pytest.approx(0.613, abs=0.01)
    assert accuracy > majority + 0.2


def test_learning_rate_schedules(survey):
    cosine = CyclicClassifier(**(SMALL | {"train_split": None})).fit(survey.light_curves, survey.target)
    # The rate each epoch trained with: 0.005 * (1 + cos(pi * epoch / max_epochs)) / 2, reaching 0 after the last.
    expected = 0.005 * (1 + np.cos(np.pi * np.arange(4) / 4)) / 2
    np.testing.assert_allclose([record["lr"] for record in cosine.history_], expected, rtol=1e-9)
    plateau = CyclicClassifier(lr_schedule="plateau", **(SMALL | {"max_epochs": 8, "train_split": None}))
    lrs = [record["lr"] for record in plateau.fit(survey.light_curves, survey.target).history_]
    assert lrs[0] == 0.005 and np.all(np.diff(lrs) <= 0) and set(lrs) <= {0.005, 0.0005, 0.00005}
    with pytest.raises(ValueError, match="lr_schedule must be one of 'cosine', 'plateau'; got 'step'"):
        CyclicClassifier(lr_schedule="step").fit(survey.light_curves, survey.target)


def test_thinning_augmentation(survey, monkeypatch):
    """Every epoch trains on freshly thinned segments (fewer points, the same segments), and the model differs
    from the one trained on whole segments with the same seed."""
    from astro_cyclic import estimators

    drawn = []

    def spy(segments, rng, max_fraction):
        thinned = estimators.thin_segments.__wrapped__(segments, rng, max_fraction)
        drawn.append((segments.lengths.sum(), thinned.lengths.sum(), len(segments), len(thinned)))
        return thinned

    spy.__wrapped__ = estimators.thin_segments
    monkeypatch.setattr(estimators, "thin_segments", spy)
    kwargs = SMALL | {"max_epochs": 3}
    clf = CyclicClassifier(thin_fraction=0.3, **kwargs).fit(survey.light_curves, survey.target)
    assert len(drawn) == 3
    assert all(kept < whole and n_before == n_after for whole, kept, n_before, n_after in drawn)
    assert len({kept for _, kept, _, _ in drawn}) == 3  # a new draw each epoch
    whole = CyclicClassifier(**kwargs).fit(survey.light_curves, survey.target)
    assert not np.allclose(clf.predict_proba(survey.light_curves[:3]), whole.predict_proba(survey.light_curves[:3]))
    with pytest.raises(ValueError, match="thin_fraction == 1.0, must be < 1"):
        CyclicClassifier(thin_fraction=1.0).fit(survey.light_curves, survey.target)


def test_hybrid_with_richards_features(survey, tmp_path):
    clf = CyclicClassifier(star_features="richards", **(SMALL | {"max_epochs": 2}))
    clf.fit(survey.light_curves, survey.target)
    assert clf.module_.hparams["n_aux"] == 2 + len(FEATURE_NAMES)  # scale, log10 period, features
    proba = clf.predict_proba(survey.light_curves[:5])
    clf.save(tmp_path / "hybrid.pt")
    np.testing.assert_array_equal(CyclicClassifier.load(tmp_path / "hybrid.pt").predict_proba(survey.light_curves[:5]),
                                  proba)
    # A RichardsFeatures instance gives the same model (here with a feature cache) and survives save/load.
    cached = CyclicClassifier(star_features=RichardsFeatures(memory=tmp_path / "cache"), **(SMALL | {"max_epochs": 2}))
    cached.fit(survey.light_curves, survey.target)
    np.testing.assert_allclose(cached.predict_proba(survey.light_curves[:5]), proba, atol=1e-6)
    cached.save(tmp_path / "cached.pt")
    loaded = CyclicClassifier.load(tmp_path / "cached.pt")
    assert isinstance(loaded.star_features, RichardsFeatures) and loaded.star_features.memory is None
    np.testing.assert_allclose(loaded.predict_proba(survey.light_curves[:5]), proba, atol=1e-6)
    with pytest.raises(ValueError, match=r"star_features \(or a RichardsFeatures\) must be one of None, 'richards'"):
        CyclicClassifier(star_features="cesium").fit(survey.light_curves, survey.target)


@pytest.fixture(scope="module")
def streaming():
    data = make_periodic_variables(40, classes=["RRab", "EA", "EW"], n_points=(30, 260), random_state=0)
    clf = CyclicClassifier(module__hidden=8, max_epochs=2, train_split=None, random_state=0, device="cpu")
    return clf.fit(data.light_curves, data.target), data


def test_streaming_equals_predict_proba_and_reads_lazily(streaming):
    clf, data = streaming
    expected = clf.predict_proba(data.light_curves)
    consumed = []

    def stars():
        for lc in data.light_curves:
            consumed.append(1)
            yield lc

    stream = clf.iter_predict_proba(stars(), chunk_size=16)
    first = next(stream)
    assert len(consumed) == 16  # only the first chunk was read
    chunks = [first, *stream]
    assert [c.shape[0] for c in chunks] == [16, 16, 8]
    # float32 rounding only: chunks change the batch sizes the convolutions see
    np.testing.assert_allclose(np.vstack(chunks), expected, rtol=0, atol=1e-6)
    # predict_proba accepts a generator too
    np.testing.assert_allclose(clf.predict_proba(lc for lc in data.light_curves), expected, rtol=0, atol=1e-6)


def test_streaming_names_tuples_by_position_in_the_whole_stream(streaming):
    clf, data = streaming
    good = [(lc.time, lc.mag, lc.err) for lc in data.light_curves[:5]]
    bad = (np.arange(3.0), np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="star 5"):
        list(clf.iter_predict_proba(iter(good + [bad]), chunk_size=2))


def test_streaming_rejects_bad_chunk_size_and_single_light_curves(streaming):
    clf, data = streaming
    with pytest.raises(ValueError, match="chunk_size == 0, must be >= 1"):
        next(clf.iter_predict_proba(data.light_curves, chunk_size=0))
    with pytest.raises(TypeError, match="single StarLightCurve"):
        next(clf.iter_predict_proba(data.light_curves[0]))
    with pytest.raises(TypeError, match="iterable of light curves"):
        next(clf.iter_predict_proba(3))


def test_fit_in_one_thread_while_another_predicts(fitted, survey):
    """Prediction switches nothing process-wide (torch's parametrize.cached() did, and a fit running
    meanwhile failed with "Trying to backward through the graph a second time")."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    stars = survey.light_curves[:30]
    expected = fitted.predict_proba(stars)
    stop = threading.Event()

    def predict_until_stopped():
        rounds = 0
        while not stop.is_set() or not rounds:
            np.testing.assert_array_equal(fitted.predict_proba(stars), expected)
            rounds += 1
        return rounds

    with ThreadPoolExecutor(1) as pool:
        predicting = pool.submit(predict_until_stopped)
        try:
            CyclicClassifier(**(SMALL | {"max_epochs": 2})).fit(survey.light_curves, survey.target)
        finally:
            stop.set()
        assert predicting.result() >= 1


# ------------------------------------------------------------------ several bands
@pytest.fixture(scope="module")
def two_band():
    data = make_periodic_variables(90, classes=["RRab", "EA", "Mira"], n_points=(40, 160), bands=("g", "r"),
                                   random_state=2)
    clf = CyclicClassifier(segment_length=400, **SMALL).fit(data.light_curves, data.target)
    return data, clf


def test_multiband_pipeline_is_invariant_to_a_common_phase_shift_of_all_bands(two_band):
    """Every rotation of the ring of all bands' observations (the first k observations, whatever their band,
    moved a whole number of cycles later) leaves the probabilities unchanged."""
    data, clf = two_band
    assert clf.bands_ == ("g", "r") and clf.module_.n_channels == 5  # gap, g and r magnitudes, g and r flags
    lc = next(lc for lc in data.light_curves if len(lc) < 80)
    expected = clf.predict_proba([lc])
    cycles = 3 * np.ceil((lc.time[-1] - lc.time[0]) / lc.period)
    moved = []
    for k in range(1, len(lc)):
        time = lc.time.copy()
        time[:k] += cycles * lc.period
        order = np.argsort(time, kind="stable")
        moved.append(StarLightCurve(time[order], lc.mag[order], lc.err[order], band=lc.band[order],
                                    period=lc.period))
    np.testing.assert_allclose(clf.predict_proba(moved), np.repeat(expected, len(moved), axis=0), atol=1e-5)


def test_multiband_model_takes_tables_with_a_band_column_and_stars_missing_a_band(two_band, tmp_path):
    data, clf = two_band
    lc = data.light_curves[0]
    table = Table({"time": lc.time, "mag": lc.mag, "mag_err": lc.err, "band": lc.band}, meta={"period": lc.period})
    np.testing.assert_allclose(clf.predict_proba([table]), clf.predict_proba([lc]), atol=1e-6)
    # A star seen in one band only is classified from that band: a valid distribution, not an error.
    only_r = lc.select_band("r")
    only_r = StarLightCurve(only_r.time, only_r.mag, only_r.err, band=np.full(len(only_r), "r"), period=lc.period)
    proba = clf.predict_proba([only_r])
    assert proba.shape == (1, 3) and np.isclose(proba.sum(), 1)
    clf.save(tmp_path / "two.pt")
    loaded = CyclicClassifier.load(tmp_path / "two.pt")
    assert loaded.bands_ == ("g", "r")
    np.testing.assert_array_equal(loaded.predict_proba([lc]), clf.predict_proba([lc]))


def test_multiband_model_is_invariant_to_a_common_zero_point_and_sees_colours(two_band):
    """The same offset in every band changes nothing; an offset of one band (a colour) is an input."""
    data, clf = two_band
    stars = data.light_curves[:20]

    def shifted(offsets):
        return [StarLightCurve(lc.time, lc.mag + np.where(lc.band == "g", offsets[0], offsets[1]), lc.err,
                               band=lc.band, period=lc.period) for lc in stars]

    expected = clf.predict_proba(stars)
    np.testing.assert_allclose(clf.predict_proba(shifted((7.0, 7.0))), expected, atol=1e-5)
    assert np.abs(clf.predict_proba(shifted((1.0, 0.0))) - expected).max() > 1e-4


def test_bands_are_never_mixed_silently(two_band, fitted, survey):
    data, clf = two_band
    with pytest.raises(ValueError, match="trained on single-band light curves; give it one band"):
        fitted.predict(data.light_curves[:2])
    with pytest.raises(ValueError, match="has no band labels, but the model takes bands g, r"):
        clf.predict(survey.light_curves[:2])
    with pytest.raises(ValueError, match="has no band labels while other stars have bands"):
        CyclicClassifier(**SMALL).fit(data.light_curves[:10] + survey.light_curves[:10],
                                      np.r_[data.target[:10], survey.target[:10]])


# ------------------------------------------------------------- fine-tuning
@pytest.fixture(scope="module")
def pretrained_file(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("pretrained") / "source.pt"
    fitted.save(path)
    return path


def _body(module):
    head = tuple(layer + "." for layer in module.head_layers)
    return {name: value for name, value in module.state_dict().items() if not name.startswith(head)}


def test_fine_tuning_the_head_keeps_the_pretrained_body_and_adds_a_head_for_new_classes(fitted, pretrained_file):
    data = make_periodic_variables(40, classes=["RRc", "EW"], n_points=(30, 200), random_state=5)
    clf = CyclicClassifier(**SMALL | dict(max_epochs=2), pretrained=str(pretrained_file), fine_tune="head")
    clf.fit(data.light_curves, data.target)
    assert clf.classes_.tolist() == ["EW", "RRc"] and clf.predict_proba(data.light_curves).shape == (40, 2)
    source, tuned = _body(fitted.module_), _body(clf.module_)
    assert source.keys() == tuned.keys() and all(torch.equal(source[k], tuned[k]) for k in source)
    # The scaling the network learnt its inputs with comes along; every layer is trainable again afterwards.
    assert clf.standardizer_.to_dict() == fitted.standardizer_.to_dict()
    assert all(p.requires_grad for p in clf.module_.parameters())


def test_fine_tuning_all_layers_starts_from_the_pretrained_weights(fitted, survey, pretrained_file):
    # One epoch at a vanishing rate: the same classes keep the pretrained network, head included.
    clf = CyclicClassifier(**SMALL | dict(max_epochs=1, learning_rate=1e-12, train_split=None),
                           pretrained=pretrained_file)
    clf.fit(survey.light_curves, survey.target)
    np.testing.assert_allclose(clf.predict_proba(survey.light_curves), fitted.predict_proba(survey.light_curves),
                               atol=1e-5)
    scratch = CyclicClassifier(**SMALL | dict(max_epochs=1, learning_rate=1e-12, train_split=None))
    assert not np.allclose(scratch.fit(survey.light_curves, survey.target).predict_proba(survey.light_curves),
                           fitted.predict_proba(survey.light_curves), atol=1e-3)


def test_from_pretrained_predicts_at_once_and_fine_tunes_with_fit(fitted, survey, pretrained_file):
    clf = CyclicClassifier.from_pretrained(pretrained_file, max_epochs=1)
    np.testing.assert_array_equal(clf.predict_proba(survey.light_curves), fitted.predict_proba(survey.light_curves))
    assert clf.pretrained == pretrained_file and clf.max_epochs == 1 and clone(clf).pretrained == pretrained_file
    data = make_periodic_variables(30, classes=["RRab", "DSCT"], n_points=(30, 200), random_state=6)
    assert clf.fit(data.light_curves, data.target).classes_.tolist() == ["DSCT", "RRab"]


def test_a_pretrained_model_of_another_shape_is_refused_with_the_differences(survey, pretrained_file):
    with pytest.raises(ValueError, match=r"has module__hidden=8; this classifier has module__hidden=16"):
        CyclicClassifier(**SMALL | dict(module__hidden=16), pretrained=pretrained_file).fit(
            survey.light_curves, survey.target)
    two_band = make_periodic_variables(30, classes=["RRab", "EA"], bands=("g", "r"), random_state=2)
    with pytest.raises(ValueError, match="takes single-band light curves, but .* in bands g, r"):
        CyclicClassifier(**SMALL, pretrained=pretrained_file).fit(two_band.light_curves, two_band.target)
    with pytest.raises(ValueError, match="fine_tune='head' trains the head of a pretrained network"):
        CyclicClassifier(fine_tune="head").fit(survey.light_curves, survey.target)
    with pytest.raises(ValueError, match="fine_tune must be one of 'all', 'head'"):
        CyclicClassifier(fine_tune="body", pretrained=pretrained_file).fit(survey.light_curves, survey.target)
    with pytest.raises(ValueError, match="neither a pretrained model's name .* nor a model file"):
        CyclicClassifier(pretrained="no-such-model").fit(survey.light_curves, survey.target)


def test_a_fine_tuned_classifier_saves_and_loads_with_its_pretrained_parameter(survey, pretrained_file, tmp_path):
    clf = CyclicClassifier(**SMALL | dict(max_epochs=1), pretrained=pretrained_file, fine_tune="head")
    clf.fit(survey.light_curves, survey.target).save(tmp_path / "tuned.pt")
    loaded = CyclicClassifier.load(tmp_path / "tuned.pt")
    assert loaded.pretrained == str(pretrained_file) and loaded.fine_tune == "head"
    np.testing.assert_array_equal(loaded.predict_proba(survey.light_curves), clf.predict_proba(survey.light_curves))


def test_both_estimators_fit_and_predict_tables_with_a_band_column():
    """The issue's promise: astropy Tables with a ``band`` column (each one multi-band star) go straight into
    fit and predict of the network and of the forest, and give what the StarLightCurves give."""
    from astro_cyclic import RichardsForestClassifier

    data = make_periodic_variables(24, classes=["RRab", "Mira"], n_points=(60, 100), bands=("g", "r"),
                                   random_state=5)
    tables = [Table({"time": lc.time, "mag": lc.mag, "mag_err": lc.err, "band": lc.band},
                    meta={"period": lc.period}) for lc in data.light_curves]
    network = CyclicClassifier(segment_length=32, **SMALL).fit(tables, data.target)
    forest = RichardsForestClassifier(n_estimators=10, random_state=0).fit(tables, data.target)
    assert network.bands_ == ("g", "r") and forest.feature_names_[-1] == "color_g_r"
    for estimator, from_stars in ((network, CyclicClassifier(segment_length=32, **SMALL)),
                                  (forest, RichardsForestClassifier(n_estimators=10, random_state=0))):
        from_stars.fit(data.light_curves, data.target)
        np.testing.assert_allclose(estimator.predict_proba(tables[:6]), from_stars.predict_proba(data.light_curves[:6]),
                                   atol=1e-6)


def test_embed_pools_the_learnt_features_invariantly_and_refuses_networks_without_feature_maps(fitted, survey):
    """One row per star: the pooled feature maps (invariant to the starting phase for the iTCN) and mean aux."""
    lcs = survey.light_curves[:4]
    features = fitted.embed(lcs)
    assert features.shape == (4, fitted.module_.hparams["hidden"] + fitted.standardizer_.aux_mean_.size)
    assert np.all(np.isfinite(features)) and np.ptp(features, axis=0).max() > 0
    lc = next(lc for lc in survey.light_curves if len(lc) < 150)  # one segment
    # A whole number of cycles later for the first third of the points: the same star at another starting phase.
    time = lc.time.copy()
    time[: lc.time.size // 3] += 3 * np.ceil((lc.time[-1] - lc.time[0]) / lc.period) * lc.period
    order = np.argsort(time, kind="stable")
    shifted = StarLightCurve(time[order], lc.mag[order], lc.err[order], period=lc.period)
    np.testing.assert_allclose(fitted.embed([shifted]), fitted.embed([lc]), atol=1e-5)
    gru = CyclicClassifier("gru", segment_length=32, **SMALL).fit(survey.light_curves[:20], survey.target[:20])
    with pytest.raises(ValueError, match="embed needs a network with feature maps"):
        gru.embed(lcs)
