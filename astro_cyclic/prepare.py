"""The preparation stage: any accepted input to cleaned light curves with their periods.

Every consumer of light curves in the package (the network, the Richards
features, the forest, the command line, the Dask helpers) starts from the same
step: convert the input (:func:`~astro_cyclic.as_light_curve`), clean it
(:func:`~astro_cyclic.clean_light_curve`) and give it a period, the one it
carries or one found by a :class:`~astro_cyclic.PeriodSearch`. This module is
that step, written once. Its result, a :class:`PreparedStar`, records where the
period came from, and every estimator accepts prepared stars as they are, so
a caller who prepares once (to look at the periods, or to classify with two
models) pays for cleaning and the period search once.

A prepared star holds one :class:`~astro_cyclic.StarLightCurve`; a star
observed in several bands will hold them in that light curve, with one
period for all of them, so this stage and its callers need no other shape.
"""

import numpy as np

from ._validation import validate_option
from .lightcurves import (LightCurveError, StarLightCurve, _collection_items, _position_id, as_light_curve,
                          clean_light_curve)

__all__ = ["MIN_PERIOD", "PERIOD_LIMIT_FACTOR", "PERIOD_SOURCES", "PreparedStar", "check_period", "prepare_light_curve",
           "prepare_light_curves", "periods_of"]

#: Where a prepared star's period came from: ``"catalogue"``, carried by the light
#: curve itself (``StarLightCurve(period=...)``, ``meta["period"]``, a file's
#: metadata); ``"table"``, given beside the light curves (``periods=``, the command
#: line's ``--period-table``); ``"search"``, found by the period search.
PERIOD_SOURCES = ("catalogue", "table", "search")


class PreparedStar:
    """A cleaned light curve with its period and where that period came from.

    Made by :func:`prepare_light_curve`; accepted as a light curve by every
    estimator and function of the package, which then neither cleans it again
    nor searches its period.

    Attributes
    ----------
    light_curve : StarLightCurve
        Cleaned (sorted, sentinels and non-finite points removed, duplicate
        epochs merged); its ``period`` is set.
    period_source : str
        One of :data:`PERIOD_SOURCES`.
    min_points : int
        The ``min_points`` it was cleaned with (a consumer asking for more
        points cleans again and so refuses it with the usual message).
    """

    __slots__ = ("light_curve", "period_source", "min_points")

    def __init__(self, light_curve, period_source, min_points):
        if not isinstance(light_curve, StarLightCurve) or light_curve.period is None:
            raise TypeError("light_curve must be a StarLightCurve with its period set")
        validate_option(period_source, PERIOD_SOURCES, "period_source")
        self.light_curve = light_curve
        self.period_source = period_source
        self.min_points = min_points

    @property
    def period(self):
        """Period, days."""
        return self.light_curve.period

    @property
    def star_id(self):
        return self.light_curve.star_id

    def __len__(self):
        return len(self.light_curve)

    def __repr__(self):
        name = "" if self.star_id is None else f" {self.star_id}"
        return f"<PreparedStar{name}: {len(self)} points, period={self.period:.6g} d ({self.period_source})>"

    def __eq__(self, other):
        if not isinstance(other, PreparedStar):
            return NotImplemented
        return self.light_curve == other.light_curve and self.period_source == other.period_source

    __hash__ = None


def prepare_light_curve(light_curve, *, period_search=None, min_points=10, period=None):
    """Clean one light curve and give it a period.

    Parameters
    ----------
    light_curve : any form accepted by :func:`~astro_cyclic.as_light_curve`, or PreparedStar
        A :class:`PreparedStar` cleaned with at least ``min_points`` is
        returned as it is (unless ``period`` replaces its period).
    period_search : PeriodSearch, optional
        Finds the period of a light curve that carries none (default
        ``PeriodSearch()``).
    min_points : int, default 10
        Fewest usable points after cleaning.
    period : float or `~astropy.units.Quantity` ['time'], optional
        A period given beside the light curve (source ``"table"``); it takes
        precedence over the one the light curve carries.

    Returns
    -------
    PreparedStar

    Raises
    ------
    LightCurveError
        Naming the star, when it cannot be used (too few points, constant,
        ...), or when its period is one the sampling cannot support (see
        :func:`check_period`).
    ValueError
        Naming the star, when its period cannot be found.

    Examples
    --------
    >>> import numpy as np
    >>> from astro_cyclic import prepare_light_curve
    >>> t = np.linspace(0, 30, 200)
    >>> prepare_light_curve((t, 15 + 0.3 * np.sin(2 * np.pi * t / 0.61)))
    <PreparedStar: 200 points, period=0.61... d (search)>
    """
    if isinstance(light_curve, PreparedStar):
        if light_curve.min_points >= min_points and period is None:
            return light_curve
    lc = clean_light_curve(as_light_curve(light_curve), min_points=min_points)
    if period is not None:
        lc = lc.with_period(period)
        return PreparedStar(check_period(lc, "table"), "table", min_points)
    if isinstance(light_curve, PreparedStar):  # cleaned again for a larger min_points: same period, same source
        return PreparedStar(lc, light_curve.period_source, min_points)
    if lc.period is not None:
        return PreparedStar(check_period(lc, "catalogue"), "catalogue", min_points)
    if period_search is None:
        from .period import PeriodSearch

        period_search = PeriodSearch()
    # A found period is held to the same rules: on times rounded to 0.125 d (float32 Julian dates) the
    # search finds rounding noise, and this says so instead of folding on it.
    return PreparedStar(check_period(lc.with_period(period_search(lc)), "searched"), "search", min_points)


#: A period is refused when it is more than this many times the light curve's time span (no cycle to
#: fold) or less than this many times the quantum its times are rounded to (the phases would be rounding noise).
PERIOD_LIMIT_FACTOR = 10
#: Days. No period shorter than this (86 s) is refused only by the rules above: survey exposures last longer.
MIN_PERIOD = 1e-3


def _time_quantum(time):
    """What the times are rounded to: the smallest step when every step and every time is a whole
    multiple of it (float32 Julian dates, whole days), else the float64 spacing of the largest time.

    A regular cadence is not rounding: its times are exact, and a period folds on them however short it
    is against the step, so steps that are all equal, or times offset from multiples of the step (a
    spacecraft's cadence from an arbitrary start), are not taken for it.
    """
    unique = np.unique(time)
    steps = np.diff(unique)
    if steps.size:
        smallest = steps.min()
        ratio = steps / smallest
        # A fixed tolerance: a relative one would call any sampling quantized once the span is a
        # million times the smallest step (a 0.005 d step over 3,000 d would then refuse a 0.03 d star).
        multiples = np.all(np.abs(ratio - np.round(ratio)) < 1e-3)
        on_grid = np.all(np.abs(unique / smallest - np.round(unique / smallest)) < 1e-3)
        if multiples and on_grid and ratio.max() > 1.5:
            return float(smallest)
    return float(np.spacing(np.max(np.abs(time))))


def check_period(lc, source="catalogue"):
    """The cleaned light curve ``lc`` if its period is one its sampling can support.

    A period is refused when

    * it is more than :data:`PERIOD_LIMIT_FACTOR` (10) times the time span of
      the observations: not even a tenth of a cycle is then observed, and the
      fold is no light-curve shape;
    * it is shorter than :data:`MIN_PERIOD` (0.001 d, 86 s), which no survey
      exposure resolves (a period in other units than days, say);
    * it is less than 10 times the quantum the times are rounded to (when
      every time and every interval is a whole multiple of one step, and the
      intervals are not all equal: whole days, or float32 Julian dates, which
      resolve 0.125-0.25 d): the phases would then be rounding noise. A
      regular cadence (all steps equal, or steps from an arbitrary start) is
      exact, and is not taken for rounding.

    Searched periods are held to the same rules.

    Parameters
    ----------
    lc : StarLightCurve
        Cleaned (times sorted), with a period.
    source : str
        Where the period came from, for the message.

    Returns
    -------
    StarLightCurve
        ``lc`` itself.

    Raises
    ------
    LightCurveError
        Naming the star, the period and the limit it breaks.

    Examples
    --------
    >>> import numpy as np
    >>> from astro_cyclic import StarLightCurve
    >>> lc = StarLightCurve(np.arange(0.0, 100.0), np.sin(np.arange(100.0)), period=5000.0, star_id="V1")
    >>> check_period(lc)
    Traceback (most recent call last):
    ...
    astro_cyclic.lightcurves.LightCurveError: star 'V1': its catalogue period, 5000 d, is more than 10 times ...
    """
    span = float(lc.time[-1] - lc.time[0])
    where = f"{lc.label}: its {source} period, {lc.period:.6g} d,"
    if lc.period > PERIOD_LIMIT_FACTOR * span:
        raise LightCurveError(f"{where} is more than {PERIOD_LIMIT_FACTOR} times the {span:.6g} d its "
                              "observations span; no cycle can be folded")
    if lc.period < MIN_PERIOD:
        raise LightCurveError(f"{where} is shorter than {MIN_PERIOD} d, which no survey exposure resolves (is "
                              "it in days?)")
    quantum = _time_quantum(lc.time)
    if lc.period < PERIOD_LIMIT_FACTOR * quantum:
        raise LightCurveError(f"{where} is less than {PERIOD_LIMIT_FACTOR} times the {quantum:.6g} d its times "
                              "are rounded to; its phases would be rounding noise (are the times float32?)")
    return lc


def prepare_light_curves(X, *, period_search=None, min_points=10, periods=None):
    """Clean light curves and give each a period (:func:`prepare_light_curve` for each).

    Parameters
    ----------
    X : iterable of light curves
        Any forms accepted by :func:`~astro_cyclic.as_light_curves`, and
        :class:`PreparedStar` objects.
    period_search : PeriodSearch, optional
        For light curves that carry no period (default ``PeriodSearch()``).
    min_points : int, default 10
        Fewest usable points after cleaning.
    periods : sequence or dict, optional
        Periods given beside the light curves: one per light curve (``None``
        where unknown), or a mapping of star id to period. They take
        precedence over the periods the light curves carry.

    Returns
    -------
    list of PreparedStar
        In the order of ``X``. Tuples of arrays are named by their position.

    Examples
    --------
    >>> from astro_cyclic import prepare_light_curves
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> survey = make_periodic_variables(3, random_state=0)
    >>> stars = prepare_light_curves(survey.light_curves)
    >>> [star.period_source for star in stars]
    ['catalogue', 'catalogue', 'catalogue']
    >>> periods_of(stars).shape
    (3,)
    """
    items = _collection_items(X)
    if periods is not None and not isinstance(periods, dict) and len(periods) != len(items):
        raise ValueError(f"periods has {len(periods)} entries for {len(items)} light curves")
    if period_search is None:
        from .period import PeriodSearch

        period_search = PeriodSearch()
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, PreparedStar):
            item = as_light_curve(item, star_id=_position_id(item, i))
        if isinstance(periods, dict):
            given = periods.get(item.star_id)
        else:
            given = None if periods is None else periods[i]
        out.append(prepare_light_curve(item, period_search=period_search, min_points=min_points, period=given))
    return out


def periods_of(stars):
    """Periods (days) of prepared stars, as a float64 array.

    Examples
    --------
    >>> periods_of([])
    array([], dtype=float64)
    """
    return np.array([star.period for star in stars], dtype=np.float64)
