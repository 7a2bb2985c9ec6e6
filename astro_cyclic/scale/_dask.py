"""Classify and featurise catalogues held in dask collections.

A fitted estimator is put in the task graph once, as a single key (or
broadcast to every worker beforehand with ``client=``), and every partition
of the catalogue is then processed in one call of the estimator, so the
network sees whole batches. The functions return lazy dask collections and
run on whichever scheduler is active: a `distributed.Client` of a
`~distributed.LocalCluster`, of a cluster the user connected to, or dask's
local schedulers.
"""

import uuid

import dask
import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._validation import validate_option
from ..lightcurves import LightCurveError, StarLightCurve, as_light_curve
from ..prepare import periods_of, prepare_light_curves

__all__ = ["LAYOUTS", "predict_bag", "predict_dataframe", "transform_bag", "transform_dataframe",
           "validate_layout"]

#: Column of the star identifiers in results computed from a bag.
BAG_ID = "star_id"
#: Prefix of the per-class probability columns; the class label follows it.
PROBA_PREFIX = "proba_"


# ---------------------------------------------------------------- layouts
def _star_ids(part, id_column):
    return part.index if id_column == part.index.name and id_column not in part.columns else part[id_column]


def _long_light_curves(part, id_column, time_column, mag_column, err_column, period_column):
    """One row per observation: group the rows of each star (all in this partition)."""
    ids = _star_ids(part, id_column)
    codes, uniques = pd.factorize(ids, sort=False)
    if (codes < 0).any():
        raise LightCurveError(f"{int((codes < 0).sum())} rows have no star id (column {id_column!r})")
    order = np.argsort(codes, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(codes[order])) + 1]
    stops = np.r_[starts[1:], order.size]
    time = part[time_column].to_numpy(dtype=np.float64)[order]
    mag = part[mag_column].to_numpy(dtype=np.float64)[order]
    err = None if err_column is None else part[err_column].to_numpy(dtype=np.float64)[order]
    period = None if period_column is None else part[period_column].to_numpy(dtype=np.float64)[order]
    light_curves = []
    for star_id, start, stop in zip(uniques, starts, stops):
        star_period = None
        if period is not None:
            values = period[start:stop]
            finite = values[np.isfinite(values)]
            if finite.size and np.any(finite != finite[0]):
                raise LightCurveError(f"star {star_id!r}: its rows give different periods in column "
                                      f"{period_column!r} ({np.unique(finite)[:4].tolist()} ...)")
            star_period = float(finite[0]) if finite.size else None
        light_curves.append(StarLightCurve(time[start:stop], mag[start:stop],
                                           None if err is None else err[start:stop],
                                           period=star_period, star_id=star_id))
    return uniques, light_curves


def _nested_light_curves(part, id_column, time_column, mag_column, err_column, period_column):
    """One row per star, whose time, magnitude and error cells hold arrays."""
    ids = _star_ids(part, id_column)
    periods = (np.full(len(part), np.nan) if period_column is None
               else part[period_column].to_numpy(dtype=np.float64))
    errors = [None] * len(part) if err_column is None else part[err_column]
    light_curves = []
    for star_id, time, mag, err, period in zip(ids, part[time_column], part[mag_column], errors, periods):
        light_curves.append(StarLightCurve(np.asarray(time, dtype=np.float64), np.asarray(mag, dtype=np.float64),
                                           None if err is None else np.asarray(err, dtype=np.float64),
                                           period=float(period) if np.isfinite(period) else None,
                                           star_id=star_id))
    return ids, light_curves


#: How the rows of a dask DataFrame hold light curves: name -> reader of one partition.
LAYOUTS = {
    "long": _long_light_curves,
    "nested": _nested_light_curves,
}


def validate_layout(name):
    """Return the canonical (lower-case) name of a DataFrame layout.

    Parameters
    ----------
    name : str
        ``"long"`` (one row per observation, with a star id column) or
        ``"nested"`` (one row per star, whose cells hold arrays).

    Raises
    ------
    ValueError
        Listing the valid names.

    Examples
    --------
    >>> validate_layout("Long")
    'long'
    """
    return validate_option(name, LAYOUTS, "layout")


# --------------------------------------------------------- the estimators
def _prepared(estimator, light_curves):
    """The stars as the estimator prepares them, and the periods (days) it folds on.

    Every estimator of the package prepares its input with
    :func:`~astro_cyclic.prepare_light_curves` and its own ``period_search``
    and ``min_points``, and takes prepared stars as they are; so the stars are
    prepared once here, and their periods join the results. Another estimator
    gets the light curves as they are, and NaN periods.
    """
    if not (hasattr(estimator, "period_search") and hasattr(estimator, "min_points")):
        return light_curves, np.full(len(light_curves), np.nan)
    stars = prepare_light_curves(light_curves, period_search=estimator.period_search,
                                 min_points=estimator.min_points)
    return stars, periods_of(stars)


def _classify(estimator, light_curves):
    stars, periods = _prepared(estimator, light_curves)
    proba = estimator.predict_proba(stars)
    columns = {"predicted": np.asarray(estimator.classes_)[np.argmax(proba, axis=1)], "period": periods}
    columns.update({f"{PROBA_PREFIX}{label}": proba[:, i] for i, label in enumerate(estimator.classes_)})
    return columns


def _featurise(transformer, light_curves):
    stars, periods = _prepared(transformer, light_curves)
    features = transformer.transform(stars)
    columns = {"period": periods}
    columns.update({str(name): features[:, i] for i, name in enumerate(transformer.get_feature_names_out())})
    return columns


_METHODS = {"classify": _classify, "featurise": _featurise}


def _empty_columns(estimator, method):
    """The result columns of zero stars, with the dtypes a partition returns."""
    if method == "classify":
        columns = {"predicted": np.asarray(estimator.classes_)[:0], "period": np.empty(0)}
        columns.update({f"{PROBA_PREFIX}{label}": np.empty(0) for label in estimator.classes_})
    else:
        columns = {"period": np.empty(0)}
        columns.update({str(name): np.empty(0) for name in estimator.get_feature_names_out()})
    return columns


def _table(id_name, id_dtype, ids, columns):
    frame = pd.DataFrame({id_name: pd.Series(np.asarray(ids, dtype=object), dtype=id_dtype)})
    for name, values in columns.items():
        values = np.asarray(values)
        frame[name] = values.astype(object) if values.dtype.kind == "U" else values
    return frame


def _run(estimator, method, light_curves, ids, id_name, id_dtype):
    if not light_curves:
        columns = _empty_columns(estimator, method)
    else:
        columns = _METHODS[method](estimator, light_curves)
    return _table(id_name, id_dtype, ids, columns)


# ------------------------------------------------------------ partitions
def _bag_partition(items, estimator, method):
    light_curves = [as_light_curve(item) for item in items]
    frame = _run(estimator, method, light_curves, [lc.star_id for lc in light_curves], BAG_ID, object)
    return frame.to_dict("records")


def _frame_partition(part, estimator, method, reader, id_column, id_dtype, columns):
    ids, light_curves = reader(part, id_column, *columns)
    return _run(estimator, method, light_curves, ids, id_column, id_dtype)


def _shared(estimator, client):
    """The estimator as one graph key, or as a future already on every worker of ``client``."""
    if client is not None:
        return client.scatter(estimator, broadcast=True, hash=False)
    # One key holding the model: a worker fetches it once, however many partitions it runs.
    return dask.delayed(estimator, name=f"astro-cyclic-model-{uuid.uuid4().hex}", traverse=False)


def _check_classifier(estimator):
    if not (hasattr(estimator, "predict_proba") and hasattr(estimator, "fit")):
        raise TypeError(f"estimator must be a classifier with predict_proba, got {type(estimator).__name__}")
    check_is_fitted(estimator)
    if not hasattr(estimator, "classes_"):
        raise TypeError(f"{type(estimator).__name__} has no classes_ to name the probability columns")


def _check_transformer(transformer):
    if not (hasattr(transformer, "transform") and hasattr(transformer, "get_feature_names_out")):
        raise TypeError("transformer must have transform and get_feature_names_out, got "
                        f"{type(transformer).__name__}")
    check_is_fitted(transformer)


def _map_bag(estimator, bag, method, client):
    import dask.bag as db

    if not isinstance(bag, db.Bag):
        raise TypeError(f"expected a dask.bag.Bag of light curves, got {type(bag).__name__}")
    return bag.map_partitions(_bag_partition, _shared(estimator, client), method)


def _map_frame(estimator, df, method, *, id_column, layout, time_column, mag_column, err_column, period_column,
               grouped, client):
    import dask.dataframe as dd

    if not isinstance(df, dd.DataFrame):
        raise TypeError(f"expected a dask.dataframe.DataFrame, got {type(df).__name__}")
    layout = validate_layout(layout)
    in_index = id_column == df.index.name and id_column not in df.columns
    if id_column not in df.columns and not in_index:
        raise ValueError(f"no star id column {id_column!r}; columns are {list(df.columns)} "
                         f"and the index is {df.index.name!r}")
    if err_column is None and "err" in df.columns:
        err_column = "err"
    for role, name in (("time_column", time_column), ("mag_column", mag_column), ("err_column", err_column),
                       ("period_column", period_column)):
        if name is not None and name not in df.columns:
            raise ValueError(f"{role}={name!r} is not a column; columns are {list(df.columns)}")
    if layout == "nested":
        for name in (time_column, mag_column, err_column):
            if name is not None and pd.api.types.is_string_dtype(df[name].dtype) and df[name].dtype != object:
                raise ValueError(
                    f"column {name!r} holds text, not arrays: dask converts object columns to strings when "
                    "a DataFrame is made from pandas; create it inside "
                    "dask.config.set({'dataframe.convert-string': False}), or read Parquet list columns")
    if layout == "long" and not grouped and not (in_index and df.known_divisions):
        # A star's rows may lie in several partitions: bring each star's rows together.
        if in_index:
            df = df.reset_index()
        df = df.shuffle(on=id_column)
        in_index = False
    id_dtype = (df.index if in_index else df[id_column]).dtype
    meta = _table(id_column, id_dtype, [], _empty_columns(estimator, method))
    return df.map_partitions(_frame_partition, _shared(estimator, client), method, LAYOUTS[layout], id_column,
                             id_dtype, (time_column, mag_column, err_column, period_column),
                             meta=meta, align_dataframes=False)


# ------------------------------------------------------------ public API
_FRAME_PARAMETERS = """    id_column : str, default "star_id"
        Column (or the index's name) holding each star's identifier.
    layout : {"long", "nested"}, default "long"
        ``"long"``: one row per observation (a survey's photometry table);
        the rows of a star may be in any partition and any order, and are
        brought together with a shuffle on ``id_column`` unless ``grouped``.
        ``"nested"``: one row per star, whose time, magnitude and error
        cells hold arrays (as ``dask.dataframe.read_parquet`` reads list
        columns; ``dask.dataframe.from_pandas`` turns such cells into text
        unless called inside ``dask.config.set({"dataframe.convert-string":
        False})``). See :data:`LAYOUTS`.
    time_column, mag_column : str, default "time", "mag"
        Times (days) and magnitudes. Convert fluxes first with
        :func:`astro_cyclic.lightcurves.flux_to_mag`.
    err_column : str, optional
        Magnitude errors; default the column ``"err"`` when there is one,
        else every point of a star gets the same error.
    period_column : str, optional
        Catalogue period (days) of each star (in long layout repeated on its
        rows; NaN where unknown). Stars without one have it searched.
    grouped : bool, default False
        Long layout only: True when each star's rows are all in one partition
        already (files holding whole stars), which skips the shuffle. It is
        skipped too when ``id_column`` is the index with known divisions.
    client : distributed.Client, optional
        When given, the estimator is scattered to every worker of the client
        before the graph runs (``broadcast=True``); otherwise it is one key of
        the graph, fetched once by each worker that needs it."""


def predict_bag(estimator, bag, *, client=None):
    """Classify the light curves of a dask bag with a fitted classifier.

    Parameters
    ----------
    estimator : CyclicClassifier, RichardsForestClassifier or classifier
        Fitted; any classifier of raw light curves with ``predict_proba`` and
        ``classes_``.
    bag : dask.bag.Bag
        Light curves in any form :func:`astro_cyclic.as_light_curve` accepts.
        Give each a ``star_id`` (``StarLightCurve(..., star_id=...)`` or
        ``meta["star_id"]``) to name it in the results.
    client : distributed.Client, optional
        Scatter the estimator to every worker of ``client`` first
        (``broadcast=True``); otherwise it is one key of the graph, fetched
        once by each worker that needs it.

    Returns
    -------
    dask.bag.Bag
        One dict per light curve, in the order of ``bag``: ``star_id`` (None
        when the light curve has none), ``predicted`` (the most probable
        class), ``period`` (the period used, days) and ``proba_<class>``, the
        probability of each class of ``estimator.classes_``.
        ``.to_dataframe()`` turns it into a dask DataFrame (e.g. to write
        Parquet).

    Notes
    -----
    Use a `distributed.Client` (a `~distributed.LocalCluster` or any
    cluster): dask's default scheduler for bags, a local process pool, sends
    the estimator with every task instead of once per worker.

    Examples
    --------
    >>> import dask.bag as db
    >>> from astro_cyclic import RichardsForestClassifier
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> from astro_cyclic.scale import predict_bag
    >>> data = make_periodic_variables(20, classes=["RRab", "EA"], random_state=0)
    >>> clf = RichardsForestClassifier(n_estimators=10, random_state=0).fit(data.light_curves, data.target)
    >>> records = predict_bag(clf, db.from_sequence(data.light_curves, npartitions=2))
    >>> first = records.compute(scheduler="synchronous")[0]
    >>> sorted(first)
    ['period', 'predicted', 'proba_EA', 'proba_RRab', 'star_id']
    >>> first["star_id"], first["predicted"] == data.target[0]
    ('synth-00000', True)
    """
    _check_classifier(estimator)
    return _map_bag(estimator, bag, "classify", client)


def transform_bag(transformer, bag, *, client=None):
    """Compute the features of the light curves of a dask bag with a fitted transformer.

    Parameters
    ----------
    transformer : RichardsFeatures or transformer
        Fitted; any transformer of raw light curves with ``transform`` and
        ``get_feature_names_out``.
    bag : dask.bag.Bag
        Light curves in any form :func:`astro_cyclic.as_light_curve` accepts.
    client : distributed.Client, optional
        See :func:`predict_bag`.

    Returns
    -------
    dask.bag.Bag
        One dict per light curve, in the order of ``bag``: ``star_id``,
        ``period`` (days; NaN when the transformer does not report it) and one
        entry per feature name.

    Examples
    --------
    >>> import dask.bag as db
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> from astro_cyclic.features import RichardsFeatures
    >>> from astro_cyclic.scale import transform_bag
    >>> data = make_periodic_variables(4, random_state=0)
    >>> features = RichardsFeatures().fit(data.light_curves)
    >>> rows = transform_bag(features, db.from_sequence(data.light_curves)).compute(scheduler="synchronous")
    >>> len(rows), bool(rows[0]["period"] == data.periods[0])
    (4, True)
    """
    _check_transformer(transformer)
    return _map_bag(transformer, bag, "featurise", client)


def predict_dataframe(estimator, df, *, id_column="star_id", layout="long", time_column="time", mag_column="mag",
                      err_column=None, period_column=None, grouped=False, client=None):
    """Classify the stars of a dask DataFrame with a fitted classifier.

    Parameters
    ----------
    estimator : CyclicClassifier, RichardsForestClassifier or classifier
        Fitted; any classifier of raw light curves with ``predict_proba`` and
        ``classes_``.
    df : dask.dataframe.DataFrame
        The catalogue's photometry, in one of the :data:`LAYOUTS`.
{frame_parameters}

    Returns
    -------
    dask.dataframe.DataFrame
        One row per star: ``id_column``, ``predicted`` (the most probable
        class), ``period`` (the period used, days) and ``proba_<class>``, the
        probability of each class of ``estimator.classes_``. Rows come in
        partition order, which a shuffle changes; join on ``id_column``.
        Write it with ``.to_parquet(path)``.

    Raises
    ------
    ValueError
        When a named column is missing or ``layout`` is unknown.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from astro_cyclic import RichardsForestClassifier
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> from astro_cyclic.scale import predict_dataframe
    >>> data = make_periodic_variables(20, classes=["RRab", "EA"], random_state=0)
    >>> clf = RichardsForestClassifier(n_estimators=10, random_state=0).fit(data.light_curves, data.target)
    >>> rows = pd.concat([pd.DataFrame({{"star_id": lc.star_id, "time": lc.time, "mag": lc.mag, "err": lc.err,
    ...                                 "period": lc.period}}) for lc in data.light_curves])
    >>> df = dd.from_pandas(rows, npartitions=3)
    >>> result = predict_dataframe(clf, df, period_column="period").compute(scheduler="synchronous")
    >>> list(result.columns)
    ['star_id', 'predicted', 'period', 'proba_EA', 'proba_RRab']
    >>> len(result)
    20
    """
    _check_classifier(estimator)
    return _map_frame(estimator, df, "classify", id_column=id_column, layout=layout, time_column=time_column,
                      mag_column=mag_column, err_column=err_column, period_column=period_column, grouped=grouped,
                      client=client)


def transform_dataframe(transformer, df, *, id_column="star_id", layout="long", time_column="time",
                        mag_column="mag", err_column=None, period_column=None, grouped=False, client=None):
    """Compute the features of the stars of a dask DataFrame with a fitted transformer.

    Parameters
    ----------
    transformer : RichardsFeatures or transformer
        Fitted; any transformer of raw light curves with ``transform`` and
        ``get_feature_names_out``.
    df : dask.dataframe.DataFrame
        The catalogue's photometry, in one of the :data:`LAYOUTS`.
{frame_parameters}

    Returns
    -------
    dask.dataframe.DataFrame
        One row per star: ``id_column``, ``period`` (days; NaN when the
        transformer does not report it) and one column per feature name.

    Examples
    --------
    >>> import dask
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> from astro_cyclic.features import RichardsFeatures
    >>> from astro_cyclic.scale import transform_dataframe
    >>> data = make_periodic_variables(4, random_state=0)
    >>> stars = pd.DataFrame({{"star_id": [lc.star_id for lc in data.light_curves],
    ...                       "time": [lc.time for lc in data.light_curves],
    ...                       "mag": [lc.mag for lc in data.light_curves]}})
    >>> features = RichardsFeatures().fit(data.light_curves)
    >>> with dask.config.set({{"dataframe.convert-string": False}}):  # keep the arrays as arrays
    ...     df = dd.from_pandas(stars, npartitions=2)
    >>> out = transform_dataframe(features, df, layout="nested")
    >>> out.compute(scheduler="synchronous").shape == (4, 2 + features.n_features_out_)
    True
    """
    _check_transformer(transformer)
    return _map_frame(transformer, df, "featurise", id_column=id_column, layout=layout, time_column=time_column,
                      mag_column=mag_column, err_column=err_column, period_column=period_column, grouped=grouped,
                      client=client)


# The DataFrame parameters are documented once (python -OO strips docstrings: nothing to fill then).
for _function in (predict_dataframe, transform_dataframe):
    if _function.__doc__:
        _function.__doc__ = _function.__doc__.format(frame_parameters=_FRAME_PARAMETERS)
