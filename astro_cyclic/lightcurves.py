"""Light-curve adapters: everything a user holds becomes clean float64 arrays.

Every input format that astro_cyclic accepts passes through :func:`as_light_curve`
once, at the edge of the package. Internally a light curve is a
:class:`StarLightCurve`: times in days, magnitudes, magnitude errors, all float64
NumPy arrays, the band of each observation when a star is observed in several,
plus an optional catalogue period (days) and a star identifier.
Units (`~astropy.time.Time`, `~astropy.units.Quantity`) are converted here and
nowhere else.
"""

import numbers
import warnings
from collections.abc import Mapping

import numpy as np
from astropy import units as u
from astropy.table import Table
from astropy.time import Time, TimeDelta

__all__ = [
    "StarLightCurve",
    "LightCurveError",
    "LightCurveWarning",
    "as_light_curve",
    "as_light_curves",
    "light_curves_from_table",
    "clean_light_curve",
    "DEFAULT_SENTINELS",
]

#: Magnitudes that surveys write for "no measurement" (MACHO -99, ASAS 99.999,
#: OGLE/EROS 99.0, ...). Values with ``abs(mag) >= 90`` are treated the same way,
#: since no real magnitude is that large.
DEFAULT_SENTINELS = (99.0, -99.0, 99.999, -99.999, 999.0, -999.0, 9999.0)
#: Magnitudes. Smaller errors are raised to this: no photometry is that precise, and inverse-variance
#: weights (1 / err**2) of smaller ones overflow or swamp every other point.
MIN_ERROR = 1e-6
#: Days (under a millisecond). Points of one band closer in time than this are one epoch, merged by cleaning:
#: no exposure is shorter, and a near-zero phase gap or time difference is numerical noise downstream.
MIN_TIME_STEP = 1e-8
#: A time further than this many times the span of the central 80% of a star's times (at least a day) from
#: their median is a sentinel or a typo (a 0 or -99 among Julian dates), not an observation.
TIME_OUTLIER_FACTOR = 100

_MAG_COLUMNS = ("mag", "magnitude", "MAG", "Mag", "vmag", "rmag", "imag")
_FLUX_COLUMNS = ("flux", "FLUX", "pdcsap_flux", "sap_flux")
_MAG_ERR_COLUMNS = ("mag_err", "magerr", "err", "error", "e_mag", "mag_error")
_FLUX_ERR_COLUMNS = ("flux_err", "FLUX_ERR", "err", "error")
_PERIOD_KEYS = ("period", "PERIOD", "Period")

# 2.5 / ln(10): converts a relative flux error into a magnitude error.
_MAG_PER_LN_FLUX = 2.5 / np.log(10.0)


class LightCurveError(ValueError):
    """A light curve that cannot be used, with the star and the problem named."""


class LightCurveWarning(UserWarning):
    """Something in a light curve was set aside or changed on input, with the star and the reason named."""


class StarLightCurve:
    """One star's photometry: times, magnitudes, errors, optionally bands and a period.

    This is the package's own light-curve container. Other inputs (astropy
    `~astropy.timeseries.TimeSeries`, lightkurve ``LightCurve``, tuples of arrays,
    tables) are converted to it by :func:`as_light_curve`. Carrying the catalogue
    period inside the light curve is what lets it survive scikit-learn's
    `~sklearn.pipeline.Pipeline`, `~sklearn.model_selection.cross_val_score` and
    `~sklearn.model_selection.GridSearchCV`, which only split ``X`` and ``y``.

    Parameters
    ----------
    time : array-like or `~astropy.time.Time` or `~astropy.units.Quantity` ['time']
        Observation times. Plain numbers are taken as days.
    mag : array-like or `~astropy.units.Quantity` ['mag']
        Magnitudes (smaller is brighter).
    err : array-like or `~astropy.units.Quantity`, optional
        Magnitude uncertainties. When omitted, every point gets the same error
        (the standard deviation of ``mag``), so unweighted methods result.
    period : float or `~astropy.units.Quantity` ['time'], optional
        Period, in days when a plain number. ``None`` means "find it".
    star_id : str or int, optional
        Identifier used in error messages and outputs.
    band : array-like of str, optional
        The band (filter) of each observation, for a star observed in several
        (any names: ``"b"``, ``"r"``, ``"ztfg"``, ...). Every band shares the
        star's one period. None (the default) is a single-band light curve.
        :meth:`from_bands` builds one from a light curve per band.

    Attributes
    ----------
    bands : tuple of str
        The distinct band names, sorted; empty for a single-band light curve.

    Examples
    --------
    >>> import numpy as np
    >>> from astro_cyclic import StarLightCurve
    >>> t = np.linspace(0, 100, 300)
    >>> lc = StarLightCurve(t, 15 + 0.3 * np.sin(2 * np.pi * t / 0.6), 0.02 + 0 * t,
    ...                     period=0.6, star_id="RR-1")
    >>> lc
    <StarLightCurve RR-1: 300 points, period=0.6 d>
    >>> two = StarLightCurve(t, lc.mag, lc.err, band=np.where(t < 50, "b", "r"), period=0.6, star_id="RR-1")
    >>> two.bands, two
    (('b', 'r'), <StarLightCurve RR-1: 300 points in bands b, r, period=0.6 d>)
    """

    __slots__ = ("time", "mag", "err", "period", "star_id", "band")

    def __init__(self, time, mag, err=None, *, period=None, star_id=None, band=None):
        label = "star" if star_id is None else f"star {star_id!r}"
        self.time = _time_to_days(time, label)
        self.mag = _to_float_array(_strip_unit(mag, u.mag, label, "mag"), label, "mag")
        if err is None:
            finite = self.mag[np.isfinite(self.mag)]
            scale = float(np.std(finite)) if finite.size > 1 else 1.0
            err = np.full(self.mag.shape, scale if scale > 0 else 1.0)
        self.err = _to_float_array(_strip_unit(err, u.mag, label, "err"), label, "err")
        if not (self.time.shape == self.mag.shape == self.err.shape):
            raise LightCurveError(
                f"{label}: time, mag and err must have the same length, got "
                f"{self.time.size}, {self.mag.size} and {self.err.size}")
        self.period = _period_to_days(period, label)
        self.star_id = star_id
        self.band = _band_array(band, self.time.size, label)

    def __len__(self):
        return self.time.size

    @property
    def bands(self):
        return () if self.band is None else tuple(np.unique(self.band).tolist())

    def __repr__(self):
        name = "" if self.star_id is None else f" {self.star_id}"
        period = "unknown" if self.period is None else f"{self.period:.6g} d"
        bands = f" in bands {', '.join(self.bands)}" if self.band is not None else ""
        return f"<StarLightCurve{name}: {len(self)} points{bands}, period={period}>"

    def __eq__(self, other):
        if not isinstance(other, StarLightCurve):
            return NotImplemented
        same_bands = (self.band is None) == (other.band is None) and (
            self.band is None or np.array_equal(self.band, other.band))
        return (self.period == other.period and self.star_id == other.star_id and same_bands
                and all(np.array_equal(getattr(self, a), getattr(other, a), equal_nan=True)
                        for a in ("time", "mag", "err")))

    __hash__ = None

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state):
        object.__setattr__(self, "band", None)  # pickles from before bands existed
        for name, value in state.items():
            object.__setattr__(self, name, value)

    @property
    def label(self):
        """How error messages name this star."""
        return "star" if self.star_id is None else f"star {self.star_id!r}"

    def with_period(self, period):
        """Return a copy that carries ``period`` (days, or a time Quantity)."""
        return StarLightCurve(self.time, self.mag, self.err, period=period,
                              star_id=self.star_id, band=self.band)

    def select_band(self, band):
        """The observations of one band, as a single-band light curve with this star's period and id.

        Raises
        ------
        LightCurveError
            When the light curve has no such band (the message lists those it has).
        """
        if self.band is None:
            raise LightCurveError(f"{self.label} is a single-band light curve; it has no band {band!r}")
        keep = self.band == band
        if not keep.any():
            raise LightCurveError(f"{self.label} has no band {band!r}; its bands are {', '.join(self.bands)}")
        return StarLightCurve(self.time[keep], self.mag[keep], self.err[keep], period=self.period,
                              star_id=self.star_id)

    @classmethod
    def from_bands(cls, light_curves, *, period=None, star_id=None, **columns):
        """One multi-band light curve from a light curve per band.

        Parameters
        ----------
        light_curves : mapping
            Band name -> light curve, in any single-band form
            :func:`as_light_curve` accepts.
        period : float or `~astropy.units.Quantity` ['time'], optional
            The star's period; default the one the bands carry (they must agree).
        star_id : str or int, optional
            Default the id the bands carry (they must agree).
        **columns
            Column names for tabular bands, as in :func:`as_light_curve`.

        Returns
        -------
        StarLightCurve
            All observations in time order, each with its band.

        Examples
        --------
        >>> import numpy as np
        >>> blue = (np.array([0.0, 1.0, 2.0]), np.array([15.0, 15.3, 15.1]))
        >>> red = (np.array([0.5, 1.5]), np.array([14.2, 14.4]))
        >>> lc = StarLightCurve.from_bands({"b": blue, "r": red}, period=0.7, star_id="V1")
        >>> lc.band.tolist(), lc.time.tolist()
        (['b', 'r', 'b', 'r', 'b'], [0.0, 0.5, 1.0, 1.5, 2.0])
        """
        label = "star" if star_id is None else f"star {star_id!r}"
        if not light_curves:
            raise LightCurveError(f"{label}: no bands given")
        parts = {}
        for name, item in light_curves.items():
            lc = as_light_curve(item, star_id=star_id, band_column=None, **columns)
            if lc.band is not None:
                raise LightCurveError(f"{label}: band {name!r} is itself a multi-band light curve")
            parts[str(name)] = lc
        for what, given in (("period", period), ("star_id", star_id)):
            carried = {getattr(lc, what) for lc in parts.values()} - {None}
            if given is None and len(carried) > 1:
                raise LightCurveError(f"{label}: the bands carry different {what}s {sorted(map(str, carried))}; "
                                      f"give {what}=")
        period = period if period is not None else next(
            (lc.period for lc in parts.values() if lc.period is not None), None)
        star_id = star_id if star_id is not None else next(
            (lc.star_id for lc in parts.values() if lc.star_id is not None), None)
        time = np.concatenate([lc.time for lc in parts.values()])
        order = np.argsort(time, kind="stable")
        band = np.concatenate([np.full(len(lc), name) for name, lc in parts.items()])
        return cls(time[order], np.concatenate([lc.mag for lc in parts.values()])[order],
                   np.concatenate([lc.err for lc in parts.values()])[order], period=period, star_id=star_id,
                   band=band[order])


def _bands_of(light_curves):
    """The bands of a set of light curves, sorted: () when all are single-band.

    Mixing single- and multi-band light curves is an error naming a
    single-band one: its magnitudes would be read as no band of the others.
    """
    banded = [lc for lc in light_curves if lc.band is not None]
    if not banded:
        return ()
    if len(banded) < len(light_curves):
        plain = next(lc for lc in light_curves if lc.band is None)
        raise ValueError(f"{plain.label} has no band labels while other stars have bands; give every star its "
                         "bands, or use one band (StarLightCurve.select_band)")
    return tuple(sorted(set().union(*(lc.bands for lc in banded))))


def _band_array(band, n, label):
    """Band names of ``n`` observations as a str array, or None; missing names are an error."""
    if band is None:
        return None
    values = np.ma.asarray(band)
    if np.ma.is_masked(values):
        raise LightCurveError(f"{label}: {int(np.ma.getmaskarray(values).sum())} observations have no band")
    values = np.asarray(values.astype(str)).reshape(-1)
    if values.size != n:
        raise LightCurveError(f"{label}: band has {values.size} entries for {n} observations")
    if np.any(np.char.strip(values) == ""):
        raise LightCurveError(f"{label}: some observations have an empty band name")
    return values


def _strip_unit(value, unit, label, name):
    if isinstance(value, u.Quantity):
        try:
            return value.to_value(unit)
        except u.UnitConversionError:
            raise LightCurveError(
                f"{label}: {name} has unit {value.unit}, which is not a magnitude; "
                "pass fluxes through a table or LightCurve so they are converted") from None
    return value


def _to_float_array(value, label, name):
    if isinstance(value, (str, bytes)) or value is None:
        raise LightCurveError(f"{label}: {name} must be an array of numbers, got {type(value).__name__}")
    if np.ma.isMaskedArray(value):
        value = np.ma.filled(value.astype(float), np.nan)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise LightCurveError(
            f"{label}: {name} must be an array of numbers, got {type(value).__name__}") from None
    if arr.ndim != 1:
        raise LightCurveError(f"{label}: {name} must be one-dimensional, got shape {arr.shape}")
    return arr


def _time_to_days(time, label):
    if isinstance(time, Time):
        # JD keeps the scale the user chose; only differences and phases matter here.
        return _to_float_array(np.asarray(time.jd, dtype=np.float64), label, "time")
    if isinstance(time, TimeDelta):
        return _to_float_array(time.to_value(u.day), label, "time")
    if isinstance(time, u.Quantity):
        try:
            return _to_float_array(time.to_value(u.day), label, "time")
        except u.UnitConversionError:
            raise LightCurveError(f"{label}: time has unit {time.unit}, not a time") from None
    return _to_float_array(time, label, "time")


def _period_to_days(period, label):
    if period is None:
        return None
    if isinstance(period, u.Quantity):
        try:
            period = period.to_value(u.day)
        except u.UnitConversionError:
            raise LightCurveError(f"{label}: period has unit {period.unit}, not a time") from None
    if isinstance(period, (bool, np.bool_)) or not isinstance(period, (numbers.Real, np.ndarray)):
        raise LightCurveError(f"{label}: period must be a number of days, got {type(period).__name__}")
    period = float(np.asarray(period).item())
    if not np.isfinite(period) or period <= 0:
        raise LightCurveError(f"{label}: period must be a positive finite number of days, got {period}")
    return period


def _meta_period(meta):
    for key in _PERIOD_KEYS:
        if meta and key in meta and meta[key] is not None:
            return meta[key]
    return None


def _pick(colnames, wanted, candidates, label, what):
    if wanted is not None:
        if wanted not in colnames:
            raise LightCurveError(f"{label}: no column {wanted!r} for {what}; columns are {list(colnames)}")
        return wanted
    for name in candidates:
        if name in colnames:
            return name
    return None


def _from_table(table, *, time_column, mag_column, flux_column, err_column, label):
    """Read a table (TimeSeries, LightCurve, Table, QTable) into time, mag, err arrays."""
    colnames = table.colnames
    if time_column in colnames:
        time = table[time_column]
    elif hasattr(table, "time"):
        time = table.time
    else:
        raise LightCurveError(f"{label}: no time column {time_column!r}; columns are {colnames}")
    time = time if isinstance(time, (Time, TimeDelta)) else _with_unit(time)

    mag_name = _pick(colnames, mag_column, () if flux_column else _MAG_COLUMNS, label, "magnitudes")
    flux_name = None
    if mag_name is None:
        flux_name = _pick(colnames, flux_column, _FLUX_COLUMNS, label, "fluxes")
    if mag_name is None and flux_name is None:
        raise LightCurveError(
            f"{label}: found neither a magnitude nor a flux column among {colnames}; "
            "name one with mag_column= or flux_column=")
    if mag_name is not None:
        err_name = _pick(colnames, err_column, _MAG_ERR_COLUMNS, label, "errors")
    else:
        err_name = _pick(colnames, err_column, (flux_name + "_err",) + _FLUX_ERR_COLUMNS, label, "errors")
    err = _column_values(table[err_name]) if err_name else None
    if err is not None and not np.isfinite(err).any():
        err = None  # lightkurve fills a missing flux_err with NaN: treat it as absent
    if mag_name is not None:
        values = _with_unit(table[mag_name])
        if isinstance(values, u.Quantity) and values.unit.physical_type != "dimensionless" \
                and not values.unit.is_equivalent(u.mag):
            # A column called "mag" that holds fluxes would be a silent wrong answer.
            raise LightCurveError(f"{label}: column {mag_name!r} has unit {values.unit}, not magnitudes")
        return time, _column_values(values), err
    flux = _column_values(table[flux_name])
    with np.errstate(invalid="ignore"):
        unusable = np.isfinite(flux) & (flux <= 0)
    if unusable.any():
        warnings.warn(f"{label}: {unusable.sum()} of {flux.size} fluxes are zero or negative and have no "
                      "magnitude; those points are left out", LightCurveWarning, stacklevel=4)
    return (time,) + flux_to_mag(flux, err)


def _lightkurve_flagged(lc):
    """Points of a lightkurve ``LightCurve`` whose ``quality`` has a bit of lightkurve's default bitmask.

    lightkurve drops them itself when it reads a mission file (``quality_bitmask="default"``); a light
    curve read with another bitmask, or built by hand, may still hold them.
    """
    if "quality" not in lc.colnames:
        return None
    from lightkurve.utils import KeplerQualityFlags, TessQualityFlags

    mission = str((lc.meta or {}).get("MISSION", (lc.meta or {}).get("TELESCOP", ""))).upper()
    bitmask = TessQualityFlags.DEFAULT_BITMASK if "TESS" in mission else KeplerQualityFlags.DEFAULT_BITMASK
    return (np.ma.filled(np.ma.asarray(lc["quality"]), 0).astype(np.int64) & bitmask) != 0


def _with_unit(column):
    """A plain Table column that declares a unit becomes a Quantity, so the unit is honoured."""
    if isinstance(column, u.Quantity) or getattr(column, "unit", None) is None:
        return column if isinstance(column, u.Quantity) else np.asarray(column)
    return u.Quantity(column)


def _column_values(column):
    if isinstance(column, u.Quantity):
        return column.value
    values = np.ma.asarray(column)
    return np.ma.filled(values.astype(float), np.nan) if np.ma.isMaskedArray(values) else np.asarray(values, float)


def flux_to_mag(flux, flux_err=None):
    """Convert fluxes (any positive unit) to magnitudes with zero point 0.

    ``mag = -2.5 log10(flux)`` and ``err = 2.5 / ln(10) * flux_err / flux``. The
    classifiers are invariant to the zero point (a constant magnitude offset)
    unless a :class:`~astro_cyclic.CyclicClassifier` is asked for
    ``apparent_magnitude=True``, when these instrumental magnitudes must not be
    mixed with calibrated ones. Non-positive fluxes have no magnitude and become
    NaN, which cleaning removes.
    """
    flux = np.asarray(flux, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        positive = flux > 0
        mag = np.where(positive, -2.5 * np.log10(np.where(positive, flux, 1.0)), np.nan)
        err = None
        if flux_err is not None:
            err = np.where(positive, _MAG_PER_LN_FLUX * np.asarray(flux_err, float) / np.where(positive, flux, 1.0),
                           np.nan)
    return mag, err


def as_light_curve(obj, *, period=None, star_id=None, time_column="time", mag_column=None,
                   flux_column=None, err_column=None, band_column="band"):
    """Convert one light curve, in any supported form, to a `StarLightCurve`.

    Parameters
    ----------
    obj : StarLightCurve, TimeSeries, lightkurve.LightCurve, Table, or tuple
        Supported forms:

        * `StarLightCurve`: returned as is (with ``period``/``star_id`` applied);
          a `~astro_cyclic.PreparedStar` gives its cleaned light curve.
        * astropy `~astropy.timeseries.TimeSeries`, `~astropy.table.Table` or
          `~astropy.table.QTable`: a time column (``time_column``, or the
          TimeSeries' own ``time``), a magnitude column (``mag_column``, else the
          first of ``mag``, ``magnitude``, ...) or a flux column (``flux_column``,
          else ``flux``, ``pdcsap_flux``, ``sap_flux``), and an optional error
          column. A period in ``meta['period']`` is used when ``period`` is not
          given. A column ``band_column`` (default ``band``) makes it one
          multi-band star, each row observed in the band it names.
        * a mapping of band name to single-band light curves in any of these
          forms: one multi-band star (:meth:`StarLightCurve.from_bands`).
        * lightkurve ``LightCurve`` (a TimeSeries): its ``flux`` and ``flux_err``
          are converted to magnitudes with :func:`flux_to_mag` (normalised or not:
          only the zero point differs). Folded light curves are not accepted,
          since the times are needed to cut segments in time order.
        * ``(time, mag)`` or ``(time, mag, err)``: arrays, `~astropy.time.Time` or
          `~astropy.units.Quantity`.
    period : float or `~astropy.units.Quantity` ['time'], optional
        Catalogue period, days when a plain number. Overrides one carried by ``obj``.
    star_id : str or int, optional
        Identifier; overrides one carried by ``obj``.
    time_column, mag_column, flux_column, err_column : str, optional
        Column names for tabular input.
    band_column : str or None, default "band"
        Column of the band of each row; a table without it (or
        ``band_column=None``) is a single-band light curve.

    Returns
    -------
    StarLightCurve

    Raises
    ------
    LightCurveError
        When the object is of an unsupported type or its parts do not fit together.

    Examples
    --------
    >>> import numpy as np
    >>> from astropy.timeseries import TimeSeries
    >>> from astropy.time import Time
    >>> import astropy.units as u
    >>> ts = TimeSeries(time=Time(2459000 + np.arange(50.0), format="jd"),
    ...                 data={"mag": np.sin(np.arange(50.0)) * u.mag})
    >>> ts.meta["period"] = 3.2 * u.day
    >>> as_light_curve(ts, star_id="V1")
    <StarLightCurve V1: 50 points, period=3.2 d>
    """
    from .prepare import PreparedStar

    label = "star" if star_id is None else f"star {star_id!r}"
    if isinstance(obj, PreparedStar):
        obj = obj.light_curve
    if isinstance(obj, StarLightCurve):
        if period is None and star_id is None:
            return obj
        return StarLightCurve(obj.time, obj.mag, obj.err,
                              period=obj.period if period is None else period,
                              star_id=obj.star_id if star_id is None else star_id, band=obj.band)
    if isinstance(obj, Mapping):
        return StarLightCurve.from_bands(obj, period=period, star_id=star_id, time_column=time_column,
                                         mag_column=mag_column, flux_column=flux_column, err_column=err_column)
    if isinstance(obj, Table):  # TimeSeries and lightkurve.LightCurve are Tables too
        if type(obj).__name__.startswith("Folded"):
            raise LightCurveError(f"{label}: a folded light curve has lost its times; pass the unfolded one")
        meta = obj.meta or {}
        if star_id is None:
            star_id = meta.get("star_id", meta.get("OBJECT", meta.get("TARGETID")))
            label = "star" if star_id is None else f"star {star_id!r}"
        is_lightkurve = type(obj).__module__.startswith("lightkurve")
        time, mag, err = _from_table(
            obj, time_column=time_column, mag_column=mag_column,
            flux_column=flux_column if not is_lightkurve else (flux_column or "flux"),
            err_column=err_column if not is_lightkurve else (err_column or "flux_err"),
            label=label)
        if period is None:
            period = _meta_period(meta)
        band = None
        if band_column is not None and band_column in obj.colnames:
            band = obj[band_column]
        flagged = _lightkurve_flagged(obj) if is_lightkurve else None
        if flagged is not None and flagged.any():
            warnings.warn(f"{label}: {flagged.sum()} of {flagged.size} points have quality flags of lightkurve's "
                          "default bitmask and are left out", LightCurveWarning, stacklevel=2)
            mag = np.where(flagged, np.nan, mag)  # cleaning drops them, and counts them as not finite
        return StarLightCurve(time, mag, err, period=period, star_id=star_id, band=band)
    if isinstance(obj, (tuple, list)) and len(obj) in (2, 3) and not isinstance(obj[0], numbers.Number):
        return StarLightCurve(*obj, period=period, star_id=star_id)
    raise LightCurveError(
        f"{label}: cannot read a light curve from {type(obj).__name__}; use a StarLightCurve, an "
        "astropy TimeSeries or Table, a lightkurve LightCurve, or a (time, mag[, err]) tuple")


def as_light_curves(X, *, periods=None, star_ids=None, **columns):
    """Convert a collection of light curves with :func:`as_light_curve`.

    Parameters
    ----------
    X : iterable
        Light curves in any form :func:`as_light_curve` accepts. A single light
        curve (a table, or a tuple of arrays) is refused, so that a tuple
        ``(t, mag, err)`` is never misread as three light curves.
    periods, star_ids : sequence, optional
        One per light curve.
    **columns
        Column names passed to :func:`as_light_curve`.

    Returns
    -------
    list of StarLightCurve
    """
    items = _collection_items(X)
    for what, values in (("periods", periods), ("star_ids", star_ids)):
        if values is not None and len(values) != len(items):
            raise ValueError(f"{what} has {len(values)} entries for {len(items)} light curves")
    out = []
    for i, item in enumerate(items):
        star_id = star_ids[i] if star_ids is not None else None
        out.append(as_light_curve(item, period=None if periods is None else periods[i],
                                  star_id=_position_id(item, i) if star_id is None else star_id, **columns))
    return out


def _collection_items(X):
    """The items of a collection of light curves, as a list; a single light curve is refused.

    So that a tuple ``(t, mag, err)`` is never misread as three light curves.
    """
    from .prepare import PreparedStar

    if isinstance(X, (Table, StarLightCurve, PreparedStar, str, bytes)) or X is None:
        raise TypeError(
            f"X must be a list of light curves, got a single {type(X).__name__}; wrap it in a list")
    if isinstance(X, np.ndarray) and X.dtype != object:
        raise TypeError(
            "X must be a list (or object array) of light curves of any length, got a numeric "
            f"array of shape {X.shape}; pass e.g. [(t1, mag1, err1), (t2, mag2, err2), ...]")
    return list(X)


def _position_id(item, i):
    """The star id of item ``i`` of a collection: its position, for the forms that carry no id of their own
    (tuples of arrays), so that errors can point at them; None for the forms that carry one."""
    from .prepare import PreparedStar

    return None if isinstance(item, (StarLightCurve, PreparedStar, Table, Mapping)) else i


def light_curves_from_table(table, id_column, *, periods=None, **columns):
    """Split a table of many stars' observations (one row per observation) into light curves.

    Survey archives (ZTF, Gaia, OGLE, ASAS-SN) often deliver photometry as one
    long table with a star identifier column; this groups it by star.

    Parameters
    ----------
    table : `~astropy.table.Table`, `~astropy.timeseries.TimeSeries` or `~astropy.table.QTable`
        Rows of observations, in any order.
    id_column : str
        Column identifying the star of each row.
    periods : dict, optional
        Catalogue period of each star id (days, or a time Quantity); stars
        missing from it get their period searched.
    **columns
        ``time_column``, ``mag_column``, ``flux_column``, ``err_column`` as in
        :func:`as_light_curve`.

    Returns
    -------
    list of StarLightCurve
        One per star, sorted by star id (astropy's ``group_by`` order), each
        with ``star_id`` set.

    Examples
    --------
    >>> from astropy.table import Table
    >>> rows = Table({"id": ["a", "b", "a", "b", "a"], "time": [1.0, 1.5, 2.0, 2.5, 3.0],
    ...               "mag": [15.0, 12.0, 15.2, 12.1, 15.1]})
    >>> light_curves_from_table(rows, "id", periods={"a": 0.7})
    [<StarLightCurve a: 3 points, period=0.7 d>, <StarLightCurve b: 2 points, period=unknown>]
    """
    if id_column not in table.colnames:
        raise LightCurveError(f"no star id column {id_column!r}; columns are {table.colnames}")
    grouped = table.group_by(id_column)
    periods = periods or {}
    out = []
    for key, group in zip(grouped.groups.keys, grouped.groups):
        star_id = key[id_column]
        star_id = star_id.item() if hasattr(star_id, "item") else star_id
        out.append(as_light_curve(group, period=periods.get(star_id), star_id=star_id, **columns))
    return out


def _point_checks(lc, sentinels=DEFAULT_SENTINELS):
    """Per point: all values finite; error positive; magnitude or error a survey sentinel (see clean_light_curve)."""
    t, m, e = lc.time, lc.mag, lc.err
    finite = np.isfinite(t) & np.isfinite(m) & np.isfinite(e)
    with np.errstate(invalid="ignore"):
        positive = e > 0
        sentinel = np.isin(m, np.asarray(sentinels, float)) | (np.abs(m) >= 90) | (e >= 90)
    return finite, positive, sentinel


def clean_light_curve(lc, *, min_points=10, sentinels=DEFAULT_SENTINELS):
    """Remove unusable points and return a time-sorted `StarLightCurve`.

    Points are dropped when a value is not finite, the error is not positive,
    the magnitude is a survey sentinel (one of ``sentinels``, or
    ``abs(mag) >= 90``) or the error is (``err >= 90``). Errors below
    :data:`MIN_ERROR` (1e-6 mag) are raised to it. A time further from the
    median time than :data:`TIME_OUTLIER_FACTOR` (100) times the span of the
    central 80% of the times (at least one day) is a time sentinel (a 0 or
    -99 among Julian dates): it is dropped with a :class:`LightCurveWarning`
    naming the star, since one such point would stretch the period search over
    millions of days. Times are sorted; points at the same time (in the same
    band; less than :data:`MIN_TIME_STEP`, 1e-8 d, apart) are merged into
    their inverse-variance weighted mean, since a duplicated epoch would
    otherwise give a zero phase gap and double weight.

    Parameters
    ----------
    lc : StarLightCurve
    min_points : int
        Fewest points a usable light curve keeps after cleaning.
    sentinels : sequence of float
        Magnitudes meaning "no measurement".

    Returns
    -------
    StarLightCurve

    Raises
    ------
    LightCurveError
        Naming the star, when fewer than ``min_points`` points survive (with the
        count of each reason), or when the magnitudes are constant.
    """
    t, m, e = lc.time, lc.mag, lc.err
    if t.size == 0:
        raise LightCurveError(f"{lc.label}: the light curve is empty")
    finite, positive, sentinel = _point_checks(lc, sentinels)
    keep = finite & positive & ~sentinel
    outlier = np.zeros_like(keep)
    if keep.any():
        outlier[keep] = _time_outliers(t[keep])
        keep &= ~outlier
    if keep.sum() < min_points:
        reasons = [f"{(~finite).sum()} not finite",
                   f"{(finite & ~positive).sum()} with error <= 0",
                   f"{(finite & positive & sentinel).sum()} sentinel magnitudes or errors",
                   f"{outlier.sum()} times far from the others"]
        raise LightCurveError(
            f"{lc.label}: only {keep.sum()} of {t.size} points are usable ({', '.join(reasons)}); "
            f"at least {min_points} are needed")
    if outlier.any():
        shown = ", ".join(f"{v:.10g}" for v in t[outlier][:5]) + (", ..." if outlier.sum() > 5 else "")
        warnings.warn(f"{lc.label}: dropped {outlier.sum()} time(s) far from all the others ({shown}; the others "
                      f"span {np.ptp(t[keep]):.6g} d about {np.median(t[keep]):.10g}): time sentinels?",
                      LightCurveWarning, stacklevel=2)
    band = lc.band
    t, m, e = t[keep], m[keep], np.maximum(e[keep], MIN_ERROR)
    names, code = (None, np.zeros(t.size, dtype=int)) if band is None else np.unique(band[keep], return_inverse=True)
    n_kept = t.size
    t, m, e, code = _merge_same_epochs(t, m, e, code)
    if t.size < min_points:
        raise LightCurveError(f"{lc.label}: only {t.size} distinct times remain after merging the {n_kept - t.size} "
                              f"repeated epochs; at least {min_points} are needed")
    if np.ptp(m) == 0:
        raise LightCurveError(f"{lc.label}: all {m.size} magnitudes are equal ({m[0]}); a constant "
                              "light curve has no shape to classify")
    if np.ptp(t) == 0:
        raise LightCurveError(f"{lc.label}: all times are equal")
    return StarLightCurve(t, m, e, period=lc.period, star_id=lc.star_id,
                          band=None if names is None else names[code])


def _time_outliers(t):
    """Times far from the bulk of ``t``: see :data:`TIME_OUTLIER_FACTOR`."""
    if t.size < 5:
        return np.zeros(t.size, dtype=bool)
    low, median, high = np.percentile(t, [10, 50, 90])
    return np.abs(t - median) > TIME_OUTLIER_FACTOR * max(high - low, 1.0)


def _merge_same_epochs(t, m, e, code):
    """Points of one band less than :data:`MIN_TIME_STEP` apart merged into their inverse-variance weighted
    mean (at the group's first time); everything sorted by time, then band."""
    order = np.lexsort((t, code))  # by band, then time: one band's repeated epochs side by side
    t, m, e, code = t[order], m[order], e[order], code[order]
    starts = np.r_[True, (np.diff(t) >= MIN_TIME_STEP) | (np.diff(code) != 0)]
    if not starts.all():
        group = np.cumsum(starts) - 1
        # Weights relative to each group's smallest error: 1 / err**2 itself overflows for tiny errors.
        smallest = np.minimum.reduceat(e, np.flatnonzero(starts))
        w = (smallest[group] / e) ** 2
        wsum = np.bincount(group, weights=w)
        m = np.bincount(group, weights=w * m) / wsum
        t, e, code = t[starts], smallest / np.sqrt(wsum), code[starts]
    order = np.lexsort((code, t))
    return t[order], m[order], e[order], code[order]
