"""Classifying and featurising dask collections (astro_cyclic.scale)."""

import pickle

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
db = pytest.importorskip("dask.bag")
dd = pytest.importorskip("dask.dataframe")

from astro_cyclic import CyclicClassifier, LightCurveError, RichardsFeatures, RichardsForestClassifier  # noqa: E402
from astro_cyclic.datasets import make_periodic_variables  # noqa: E402
from astro_cyclic.prepare import periods_of, prepare_light_curves  # noqa: E402
from astro_cyclic.scale import (LAYOUTS, predict_bag, predict_dataframe, transform_bag,  # noqa: E402
                                transform_dataframe, validate_layout)

CLASSES = ["RRab", "EA", "Mira"]


@pytest.fixture(scope="module")
def survey():
    return make_periodic_variables(36, classes=CLASSES, n_points=(30, 150), random_state=3)


@pytest.fixture(scope="module")
def network(survey):
    return CyclicClassifier(module__hidden=8, max_epochs=2, batch_size=32, segment_length=50, random_state=0).fit(
        survey.light_curves, survey.target)


@pytest.fixture(scope="module")
def forest(survey):
    return RichardsForestClassifier(n_estimators=20, random_state=0).fit(survey.light_curves, survey.target)


@pytest.fixture(scope="module")
def features(survey):
    return RichardsFeatures().fit(survey.light_curves)


def long_table(light_curves, *, periods=True, seed=0):
    """One row per observation, rows of all stars shuffled together."""
    rows = pd.concat([pd.DataFrame({"oid": lc.star_id, "time": lc.time, "mag": lc.mag, "err": lc.err,
                                    **({"period": lc.period} if periods else {})}) for lc in light_curves])
    return rows.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def nested_table(light_curves):
    return pd.DataFrame({"oid": [lc.star_id for lc in light_curves], "time": [lc.time for lc in light_curves],
                         "mag": [lc.mag for lc in light_curves], "err": [lc.err for lc in light_curves],
                         "period": [lc.period for lc in light_curves]})


def proba_columns(estimator):
    return [f"proba_{label}" for label in estimator.classes_]


def check_against_in_process(result, estimator, light_curves, id_column):
    """``result`` (a pandas frame from the dask path) equals predict_proba in this process, star by star."""
    result = result.set_index(id_column).loc[[lc.star_id for lc in light_curves]]
    np.testing.assert_allclose(result[proba_columns(estimator)].to_numpy(), estimator.predict_proba(light_curves),
                               rtol=0, atol=1e-6)
    np.testing.assert_array_equal(result["predicted"].to_numpy(), estimator.predict(light_curves))
    np.testing.assert_array_equal(result["period"].to_numpy(), [lc.period for lc in light_curves])


# ----------------------------------------------------------- a real cluster
@pytest.fixture
def client():
    # Function scope: a live client becomes dask's default scheduler, which the other tests must not get.
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield client


def test_local_cluster_matches_in_process_predict_proba(client, network, forest, survey):
    """Two worker processes: the bag and DataFrame results equal in-process predict_proba to 1e-6."""
    lcs = survey.light_curves
    bag = db.from_sequence(lcs, npartitions=4)
    records = predict_bag(network, bag).compute()
    assert [r["star_id"] for r in records] == [lc.star_id for lc in lcs]  # the bag's order is kept
    check_against_in_process(pd.DataFrame(records), network, lcs, "star_id")
    # scattered to both workers beforehand instead of one graph key
    check_against_in_process(pd.DataFrame(predict_bag(forest, bag, client=client).compute()), forest, lcs,
                             "star_id")
    df = dd.from_pandas(long_table(lcs), npartitions=3)
    result = predict_dataframe(network, df, id_column="oid", period_column="period", client=client).compute()
    assert len(result) == len(lcs)
    check_against_in_process(result, network, lcs, "oid")
    assert set(client.run(lambda: __import__("os").getpid()).values()).isdisjoint({__import__("os").getpid()})


# --------------------------------------------------- local schedulers
def test_bag_of_any_light_curve_form_with_both_classifiers(network, forest, survey):
    lcs = survey.light_curves[:12]
    items = [lcs[0], (lcs[1].time, lcs[1].mag, lcs[1].err)] + lcs[2:]  # a tuple carries no period, no id
    for estimator in (network, forest):
        records = predict_bag(estimator, db.from_sequence(items, npartitions=3)).compute(scheduler="synchronous")
        assert records[1]["star_id"] is None
        proba = np.array([[r[c] for c in proba_columns(estimator)] for r in records])
        np.testing.assert_allclose(proba, estimator.predict_proba(items), rtol=0, atol=1e-6)
        # the tuple's period was searched, the others are the catalogue's
        assert records[1]["period"] > 0 and records[2]["period"] == lcs[2].period


def test_long_dataframe_with_threads_and_no_catalogue_periods(forest, survey):
    """Rows of a star spread over partitions are grouped; threads sharing one model each get their stars'
    periods (prediction changes no estimator, so the model needs no per-thread copy)."""
    lcs = survey.light_curves[:10]
    df = dd.from_pandas(long_table(lcs, periods=False, seed=1), npartitions=4)
    result = predict_dataframe(forest, df, id_column="oid").compute(scheduler="threads", num_workers=2)
    bare = [type(lc)(lc.time, lc.mag, lc.err, star_id=lc.star_id) for lc in lcs]
    expected = forest.predict_proba(bare)
    result = result.set_index("oid").loc[[lc.star_id for lc in lcs]]
    np.testing.assert_allclose(result[proba_columns(forest)].to_numpy(), expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(result["period"].to_numpy(),
                               periods_of(prepare_light_curves(bare, period_search=forest.period_search)))


def test_long_dataframe_indexed_by_star_needs_no_shuffle(network, survey):
    lcs = survey.light_curves[:8]
    indexed = dd.from_pandas(long_table(lcs).set_index("oid").sort_index(), npartitions=3, sort=True)
    assert indexed.known_divisions
    out = predict_dataframe(network, indexed, id_column="oid", period_column="period")
    assert "shuffle" not in str(dict(out.__dask_graph__()).keys())
    check_against_in_process(out.compute(scheduler="synchronous"), network, lcs, "oid")


def test_nested_dataframe_from_parquet_and_results_to_parquet(network, survey, tmp_path):
    lcs = survey.light_curves[:9]
    nested_table(lcs).to_parquet(tmp_path / "stars.parquet")
    df = dd.read_parquet(tmp_path / "stars.parquet")
    result = predict_dataframe(network, df, id_column="oid", layout="nested", period_column="period")
    result.to_parquet(tmp_path / "predictions", compute_kwargs={"scheduler": "synchronous"})
    check_against_in_process(pd.read_parquet(tmp_path / "predictions"), network, lcs, "oid")


def test_features_of_bag_and_dataframes_equal_transform(features, survey):
    lcs = survey.light_curves[:6]
    expected = features.transform(lcs)
    names = list(features.get_feature_names_out())
    rows = transform_bag(features, db.from_sequence(lcs, npartitions=2)).compute(scheduler="synchronous")
    np.testing.assert_allclose(pd.DataFrame(rows)[names].to_numpy(), expected, equal_nan=True)
    with dask.config.set({"dataframe.convert-string": False}):
        nested = dd.from_pandas(nested_table(lcs), npartitions=2)
    for df, layout in ((nested, "nested"), (dd.from_pandas(long_table(lcs), npartitions=2), "long")):
        out = transform_dataframe(features, df, id_column="oid", layout=layout, period_column="period")
        out = out.compute(scheduler="synchronous").set_index("oid").loc[[lc.star_id for lc in lcs]]
        assert list(out.columns) == ["period", *names]
        np.testing.assert_allclose(out[names].to_numpy(), expected, equal_nan=True)


def test_model_is_one_key_of_the_graph(network, survey):
    """However many partitions, the network's weights are in one graph entry, which all tasks share."""
    weights = max(network.module_.state_dict().values(), key=lambda t: t.numel()).numpy().tobytes()
    bag = db.from_sequence(survey.light_curves, npartitions=12)
    df = dd.from_pandas(long_table(survey.light_curves), npartitions=6)
    for collection in (predict_bag(network, bag), predict_dataframe(network, df, id_column="oid")):
        graph = dict(collection.__dask_graph__())
        holders = [key for key, value in graph.items() if weights in pickle.dumps(value)]
        assert len(holders) == 1 and "astro-cyclic-model-" in str(holders[0])
        assert len(graph) > 12


# ------------------------------------------------------------------ errors
def test_clear_errors(network, features, survey):
    lcs = survey.light_curves[:4]
    df = dd.from_pandas(long_table(lcs), npartitions=2)
    with pytest.raises(ValueError, match="no star id column 'star'.*columns are"):
        predict_dataframe(network, df, id_column="star")
    with pytest.raises(ValueError, match="mag_column='flux' is not a column"):
        predict_dataframe(network, df, id_column="oid", mag_column="flux")
    with pytest.raises(ValueError, match="layout must be one of 'long', 'nested'; got 'wide'"):
        predict_dataframe(network, df, id_column="oid", layout="wide")
    with pytest.raises(TypeError, match="expected a dask.bag.Bag"):
        predict_bag(network, lcs)
    with pytest.raises(TypeError, match="expected a dask.dataframe.DataFrame"):
        predict_dataframe(network, long_table(lcs), id_column="oid")
    with pytest.raises(TypeError, match="classifier with predict_proba"):
        predict_bag(features, db.from_sequence(lcs))
    with pytest.raises(TypeError, match="transform and get_feature_names_out"):
        transform_bag(network, db.from_sequence(lcs))
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        predict_bag(CyclicClassifier(), db.from_sequence(lcs))
    text = dd.from_pandas(nested_table(lcs), npartitions=1)  # from_pandas turned the arrays into text
    with pytest.raises(ValueError, match="column 'time' holds text, not arrays"):
        predict_dataframe(network, text, id_column="oid", layout="nested")
    rows = long_table(lcs)
    rows.loc[rows.oid == lcs[0].star_id, "period"] = np.linspace(1, 2, int((rows.oid == lcs[0].star_id).sum()))
    with pytest.raises(LightCurveError, match=f"star '{lcs[0].star_id}': its rows give different periods"):
        predict_dataframe(network, dd.from_pandas(rows, npartitions=1), id_column="oid",
                          period_column="period").compute(scheduler="synchronous")


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_validate_layout_accepts_every_registered_name(name):
    assert validate_layout(name.upper()) == name
