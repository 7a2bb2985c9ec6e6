"""A synthetic ground-based survey of periodic variable stars.

:func:`make_periodic_variables` is the package's built-in data set: it needs no
download, is fully determined by its seed, and produces light curves whose
shapes, periods, amplitudes, cadence and noise resemble those of a real
ground-based survey, so that classifiers and period finders can be tried on it
before real data are at hand.
"""

import numpy as np
from sklearn.utils import Bunch

from .._validation import check_number, validate_option
from ..lightcurves import StarLightCurve

__all__ = ["CLASSES", "CLASS_RANGES", "SYNTHETIC_BANDS", "make_periodic_variables"]

#: Variability classes the generator knows, sorted by name.
CLASSES = ("Cepheid", "DSCT", "EA", "EW", "Mira", "RRab", "RRc")

#: For each class, the ranges (low, high) from which periods (days) and
#: amplitudes (peak-to-peak magnitudes; the primary eclipse depth for "EA") are
#: drawn, log-uniformly.
CLASS_RANGES = {
    "Cepheid": {"period": (3.0, 40.0), "amplitude": (0.3, 1.0)},
    "DSCT": {"period": (0.03, 0.2), "amplitude": (0.05, 0.3)},
    "EA": {"period": (1.0, 10.0), "amplitude": (0.3, 1.0)},
    "EW": {"period": (0.25, 0.6), "amplitude": (0.2, 0.7)},
    "Mira": {"period": (150.0, 500.0), "amplitude": (2.5, 6.0)},
    "RRab": {"period": (0.45, 0.85), "amplitude": (0.5, 1.2)},
    "RRc": {"period": (0.25, 0.42), "amplitude": (0.2, 0.5)},
}

# Survey design. Times are HJD - 2450000 (so about 8000 is late 2017).
_SURVEY_START = 8000.0
_YEAR = 365.25
_SEASON_DAYS = (213.0, 244.0)   # a star is observable ~7-8 months a year
_CLEAR_FRACTION = (0.55, 0.85)  # fraction of nights in season that are usable
_NIGHT_JITTER = 0.15            # days: exposure time within the night
_MAG_RANGE = (14.0, 19.0)       # mid-range magnitude of the star
_ERR_CLIP = (0.005, 0.3)        # photometric error floor and ceiling (mag)
_MIRA_CYCLE_SCATTER = (0.05, 0.25)  # mag, rms of the cycle-to-cycle mean changes
# Stars per block when building the night calendar: bounds memory (a block
# holds stars x nights numbers) for very large requests.
_CALENDAR_BLOCK = 1024
# Phases on which each star's template is evaluated to scale it to unit range.
_GRID = np.arange(720) / 720.0


def _loguniform(rng, low, high):
    return np.exp(rng.uniform(np.log(low), np.log(high)))


def _skewed_wave(phase, rise, sharpness):
    """Asymmetric pulsation wave, 1 at minimum light and 0 at maximum light.

    The phase is warped so that the light rises from minimum (phase 0) to
    maximum (phase ``rise``) in a fraction ``rise`` of the cycle and declines
    over the rest. Half a cosine cycle on each branch keeps the curve and its
    slope continuous. ``sharpness`` > 1 narrows the maximum, as in RR Lyrae
    and Cepheid light curves.
    """
    warped = np.where(phase < rise, 0.5 * phase / rise, 0.5 + 0.5 * (phase - rise) / (1.0 - rise))
    brightness = 0.5 * (1.0 - np.cos(2.0 * np.pi * warped))
    return 1.0 - brightness ** sharpness


def _circular_distance(phase, centre):
    return (phase - centre + 0.5) % 1.0 - 0.5


# Each class: a function drawing the per-star shape parameters (``rng``, periods)
# and a function giving the light-curve shape (larger = fainter) at phases in
# [0, 1) for those parameters. Shapes need not span exactly [0, 1]: every
# star's template is rescaled to unit peak-to-peak on a fine phase grid.

def _rrab_params(rng, periods):
    n = periods.size
    return {"rise": rng.uniform(0.12, 0.20, n), "sharpness": rng.uniform(1.3, 2.0, n)}


def _rrab_shape(phase, rise, sharpness):
    return _skewed_wave(phase, rise, sharpness)


def _sinusoid_params(r21, r31):
    def draw(rng, periods):
        n = periods.size
        return {"r21": rng.uniform(*r21, n), "phi21": rng.uniform(0.0, 2.0 * np.pi, n),
                "r31": rng.uniform(*r31, n), "phi31": rng.uniform(0.0, 2.0 * np.pi, n)}
    return draw


def _sinusoid_shape(phase, r21, phi21, r31, phi31):
    x = 2.0 * np.pi * phase
    return np.cos(x) + r21 * np.cos(2.0 * x + phi21) + r31 * np.cos(3.0 * x + phi31)


def _cepheid_params(rng, periods):
    n = periods.size
    rise = rng.uniform(0.22, 0.35, n)
    # Hertzsprung progression: the bump sits on the descending branch below
    # ~10 d, at maximum light near 10 d and on the rising branch above; it is
    # strong only for periods between about 6 and 16 d.
    offset = np.clip(0.075 * (10.0 - periods), -0.8 * rise, 0.35)
    in_progression = (periods > 6.0) & (periods < 16.0)
    bump = np.where(in_progression, rng.uniform(0.2, 0.35, n), rng.uniform(0.0, 0.05, n))
    return {"rise": rise, "sharpness": rng.uniform(1.3, 2.2, n), "bump": bump,
            "bump_phase": (rise + offset) % 1.0, "bump_width": rng.uniform(0.04, 0.07, n)}


def _cepheid_shape(phase, rise, sharpness, bump, bump_phase, bump_width):
    distance = _circular_distance(phase, bump_phase)
    return _skewed_wave(phase, rise, sharpness) - bump * np.exp(-0.5 * (distance / bump_width) ** 2)


def _ea_params(rng, periods):
    n = periods.size
    return {"width": rng.uniform(0.03, 0.10, n), "depth_ratio": rng.uniform(0.1, 0.8, n)}


def _ea_shape(phase, width, depth_ratio):
    def eclipse(centre):
        x = _circular_distance(phase, centre) / (0.5 * width)
        # Zero outside the eclipse, smooth contacts, rounded bottom.
        return np.clip(1.0 - x * x, 0.0, None) ** 1.5
    return eclipse(0.0) + depth_ratio * eclipse(0.5)


def _ew_params(rng, periods):
    return {"depth_ratio": rng.uniform(0.7, 1.0, periods.size)}


def _ew_shape(phase, depth_ratio):
    x = 2.0 * np.pi * phase
    # Ellipsoidal cos(2x) variation whose minimum at phase 0.5 is shallower.
    envelope = 0.5 * (1.0 + depth_ratio) + 0.5 * (1.0 - depth_ratio) * np.cos(x)
    return 0.5 * (1.0 + np.cos(2.0 * x)) * envelope


def _mira_params(rng, periods):
    n = periods.size
    return {"rise": rng.uniform(0.40, 0.48, n), "sharpness": np.ones(n)}


_SHAPES = {
    "Cepheid": (_cepheid_params, _cepheid_shape),
    "DSCT": (_sinusoid_params((0.02, 0.15), (0.0, 0.0)), _sinusoid_shape),
    "EA": (_ea_params, _ea_shape),
    "EW": (_ew_params, _ew_shape),
    "Mira": (_mira_params, _rrab_shape),
    "RRab": (_rrab_params, _rrab_shape),
    "RRc": (_sinusoid_params((0.05, 0.20), (0.0, 0.08)), _sinusoid_shape),
}


def _check_range(value, name, *, integer):
    """Turn ``value`` (a number or a (low, high) pair) into a validated pair."""
    kind = int if integer else float
    pair = (value, value) if np.ndim(value) == 0 else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be a number or a (low, high) pair, got {value!r}")
    try:
        low, high = (kind(v) for v in pair)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or a (low, high) pair, got {value!r}") from None
    if integer and any(v != kind(v) for v in pair):
        raise ValueError(f"{name} must hold whole numbers, got {value!r}")
    if not (np.isfinite(low) and np.isfinite(high)) or low > high:
        raise ValueError(f"{name} must satisfy low <= high, got {value!r}")
    return low, high


def _select_classes(classes):
    if classes is None:
        return list(CLASSES)
    if isinstance(classes, str):
        classes = [classes]
    classes = list(classes)
    unknown = sorted({str(c) for c in classes} - set(CLASSES))
    if unknown:
        raise ValueError(f"unknown class name(s) {unknown}; valid names are {sorted(CLASSES)}")
    if not classes:
        raise ValueError(f"classes must name at least one class among {sorted(CLASSES)}")
    return sorted(set(classes))


def _observation_times(rng, n_points, baselines):
    """Draw survey epochs (HJD - 2450000) for each star.

    Returns the flat array of times, star by star, each star's block sorted.
    """
    n_stars = n_points.size
    start = _SURVEY_START + rng.uniform(0.0, _YEAR, n_stars)
    season = rng.uniform(*_SEASON_DAYS, n_stars)
    # The light curve starts inside an observing season (night 0 is observable).
    season_phase = rng.uniform(0.0, 1.0, n_stars) * season
    clear = rng.uniform(*_CLEAR_FRACTION, n_stars)

    star_of_point = np.repeat(np.arange(n_stars), n_points)
    first_point = np.cumsum(n_points) - n_points
    rank_in_star = np.arange(star_of_point.size) - first_point[star_of_point]
    nights = np.empty(star_of_point.size)
    n_nights = int(np.ceil(baselines.max())) + 1
    calendar = np.arange(n_nights)
    for lo in range(0, n_stars, _CALENDAR_BLOCK):
        block = slice(lo, min(lo + _CALENDAR_BLOCK, n_stars))
        observable = ((calendar[None, :] + season_phase[block, None]) % _YEAR) < season[block, None]
        observable &= calendar[None, :] <= baselines[block, None]
        weather = rng.random((observable.shape[0], n_nights)) < clear[block, None]
        weather[:, 0] = True  # the first night of the light curve is the first one observed
        usable = observable & weather
        n_usable = usable.sum(axis=1)
        # A random order of the usable nights (unusable ones sort last): the
        # first n_points of it are the nights observed, one visit each.
        keys = rng.random(usable.shape)
        keys[~usable] = 2.0
        order = np.argsort(keys, axis=1)
        points = slice(first_point[block.start], first_point[block.stop - 1] + n_points[block.stop - 1])
        local_star = star_of_point[points] - block.start
        rank = rank_in_star[points]
        # A star needing more points than it has usable nights is visited
        # several times on some nights.
        available = n_usable[local_star]
        extra = np.floor(rng.random(rank.size) * available).astype(np.intp)
        rank = np.where(rank < available, rank, extra)
        nights[points] = order[local_star, rank]
    times = start[star_of_point] + nights + rng.uniform(-_NIGHT_JITTER, _NIGHT_JITTER, nights.size)
    order = np.lexsort((times, star_of_point))
    return times[order], star_of_point


#: Bands of the multi-band synthetic survey (``bands=``), with r the reference band.
SYNTHETIC_BANDS = ("g", "r", "i")
# Per class: the g - r colour (mag) and the ratio of g to r amplitudes, drawn uniformly in these ranges.
# Pulsators are hotter, so bluer, when bright: their amplitude grows towards the blue (Catelan & Smith
# 2015); eclipses of similar stars are nearly grey; Miras are very red with much larger blue amplitudes.
# r - i is taken as half of g - r, and the i amplitude as the r amplitude over the square root of the g ratio.
_BAND_PROPERTIES = {
    "RRab": {"g_r": (0.15, 0.45), "ratio": (1.2, 1.4)},
    "RRc": {"g_r": (0.1, 0.3), "ratio": (1.2, 1.4)},
    "Cepheid": {"g_r": (0.4, 0.9), "ratio": (1.3, 1.6)},
    "DSCT": {"g_r": (0.0, 0.3), "ratio": (1.2, 1.4)},
    "EA": {"g_r": (-0.2, 0.9), "ratio": (0.95, 1.1)},
    "EW": {"g_r": (0.2, 0.7), "ratio": (0.95, 1.05)},
    "Mira": {"g_r": (1.2, 2.2), "ratio": (1.3, 2.0)},
}


def make_periodic_variables(n_stars=600, *, classes=None, n_points=(40, 400), baseline=(600, 1500),
                            noise=0.02, bands=None, random_state=None):
    """Generate a labelled synthetic survey of periodic variable stars.

    Each star gets a light curve of a known class with a physically shaped
    template, a true period and amplitude drawn from the class's usual range, a
    random epoch, ground-survey cadence (observing seasons, weather, nightly
    visits) and magnitude-dependent Gaussian noise.

    Classes (periods P and amplitudes A, peak-to-peak, drawn log-uniformly in
    the ranges given; see `CLASS_RANGES`):

    ``"RRab"``
        Fundamental-mode RR Lyrae. P 0.45-0.85 d, A 0.5-1.2 mag. Sawtooth: the
        light rises in 12-20 % of the cycle and declines slowly; sharp maximum.
    ``"RRc"``
        First-overtone RR Lyrae. P 0.25-0.42 d, A 0.2-0.5 mag. Nearly
        sinusoidal: 2nd harmonic 5-20 % and 3rd 0-8 % of the fundamental.
    ``"Cepheid"``
        Classical Cepheid. P 3-40 d, A 0.3-1.0 mag. Asymmetric sawtooth (rise
        in 22-35 % of the cycle) with a bump that follows the Hertzsprung
        progression: strong for 6 < P < 16 d, on the descending branch below
        10 d and on the rising branch above.
    ``"DSCT"``
        Delta Scuti star. P 0.03-0.2 d, A 0.05-0.3 mag. Sinusoid with a 2nd
        harmonic of 2-15 %.
    ``"EA"``
        Detached (Algol-type) eclipsing binary. P 1-10 d; A is the primary
        eclipse depth, 0.3-1.0 mag. Two eclipses of the same width (3-10 % of
        the orbit) at phases 0 and 0.5, the secondary 10-80 % as deep; flat
        out of eclipse.
    ``"EW"``
        Contact (W UMa) binary. P 0.25-0.6 d, A 0.2-0.7 mag. Continuous
        variation ~ cos(4 pi phase) with unequal minima (depth ratio 0.7-1).
    ``"Mira"``
        Mira long-period variable. P 150-500 d, A 2.5-6 mag. Slightly
        asymmetric sinusoid (rise in 40-48 % of the cycle) whose mean magnitude
        wanders from cycle to cycle (rms 0.05-0.25 mag, varying smoothly).

    Cadence: each star is observable 7-8 months a year, starting inside a
    season, with no data in the gap; 55-85 % of its nights (a fraction drawn per
    star) are clear; the star is visited at most once a clear night (more only
    when it needs more points than it has clear nights), at a time jittered by
    up to +-0.15 d. All observations fall within ``baseline`` days of the
    first night.

    Photometry: the mid-range magnitude is uniform in 14-19; the error of each
    point is ``noise * 10**(0.2 * (mag - 16))`` clipped to [0.005, 0.3] mag,
    where ``mag`` is the noiseless magnitude, and Gaussian noise of that
    standard deviation is added.

    Parameters
    ----------
    n_stars : int
        Number of stars. They are split evenly among the classes; the
        remainder of ``n_stars / n_classes`` goes one star each to the first
        classes in alphabetical order. The stars are then shuffled.
    classes : sequence of str, optional
        Names of the classes to generate (default: all of `CLASSES`).
    n_points : int or (int, int)
        Number of observations per star, drawn uniformly (inclusive) in the
        range, or fixed.
    baseline : float or (float, float)
        Time span (days) within which each star is observed, drawn uniformly in
        the range. It includes the seasonal gaps.
    noise : float
        Photometric error (mag) of a 16th magnitude star.
    bands : sequence of str, optional
        Make multi-band stars in these of :data:`SYNTHETIC_BANDS` (``"g"``,
        ``"r"``, ``"i"``): each observation is in one band, drawn at random,
        with the star's shape and phase. The r band is the light curve
        described above; per class, the g - r colour and the ratio of g to r
        amplitude are drawn from ranges typical of the class (pulsators
        brighten more in the blue, eclipses are nearly grey, Miras are very
        red), r - i is half of g - r and the i amplitude is the r amplitude
        over the square root of the g ratio. Default: single-band stars.
    random_state : int, numpy.random.Generator or None
        Seed or generator. The same seed gives the same data set.

    Returns
    -------
    data : sklearn.utils.Bunch
        With fields

        light_curves : list of StarLightCurve
            Times in days (HJD - 2450000), magnitudes and errors; each carries
            its true ``period`` (days) and ``star_id``.
        target : numpy.ndarray of str, shape (n_stars,)
            Class names.
        periods : numpy.ndarray, shape (n_stars,)
            True periods in days (the orbital period for binaries).
        amplitudes : numpy.ndarray, shape (n_stars,)
            Peak-to-peak amplitudes in magnitudes (primary eclipse depth for EA).
        magnitudes : numpy.ndarray, shape (n_stars,)
            Mid-range magnitudes.
        star_ids : numpy.ndarray of str, shape (n_stars,)
            ``"synth-00000"``, ``"synth-00001"``, ...
        class_names : list of str
            The classes requested, sorted.
        DESCR : str
            Description of the data set.

    Raises
    ------
    ValueError
        For an unknown class name (the valid names are listed) or invalid sizes.

    References
    ----------
    .. [1] Catelan, M. & Smith, H. A. 2015, *Pulsating Stars*, Wiley-VCH.
    .. [2] Soszyński, I. et al. 2009, "The OGLE-III Catalog of Variable Stars.
       III. RR Lyrae Stars in the Large Magellanic Cloud", Acta Astron. 59, 1.
    .. [3] Soszyński, I. et al. 2008, "The OGLE-III Catalog of Variable Stars.
       I. Classical Cepheids in the Large Magellanic Cloud", Acta Astron. 58, 163.
    .. [4] Simon, N. R. & Lee, A. S. 1981, "The structural properties of
       Cepheid light curves", ApJ 248, 291.

    Examples
    --------
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> data = make_periodic_variables(14, random_state=0)
    >>> data.class_names
    ['Cepheid', 'DSCT', 'EA', 'EW', 'Mira', 'RRab', 'RRc']
    >>> data.target[:3]
    array(['DSCT', 'DSCT', 'Cepheid'], dtype='<U7')
    >>> lc = data.light_curves[0]
    >>> bool(lc.period == data.periods[0]), 40 <= len(lc) <= 400
    (True, True)
    """
    n_stars = check_number(n_stars, "n_stars", min_val=1)
    names = _select_classes(classes)
    points_lo, points_hi = _check_range(n_points, "n_points", integer=True)
    if points_lo < 2:
        raise ValueError(f"n_points must be at least 2, got {n_points!r}")
    base_lo, base_hi = _check_range(baseline, "baseline", integer=False)
    if base_lo <= 0:
        raise ValueError(f"baseline must be positive (days), got {baseline!r}")
    noise = float(noise)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a non-negative number of magnitudes, got {noise!r}")
    if bands is not None:
        bands = tuple(dict.fromkeys(validate_option(b, SYNTHETIC_BANDS, "band") for b in bands))
        if not bands:
            raise ValueError(f"bands must name at least one of {', '.join(map(repr, SYNTHETIC_BANDS))}")
    rng = np.random.default_rng(random_state)

    # Balanced classes, remainder to the first ones, then shuffled so that any
    # slice of the data set mixes classes.
    per_class = np.full(len(names), n_stars // len(names))
    per_class[: n_stars % len(names)] += 1
    codes = rng.permutation(np.repeat(np.arange(len(names)), per_class))

    period_lo = np.array([CLASS_RANGES[c]["period"][0] for c in names])[codes]
    period_hi = np.array([CLASS_RANGES[c]["period"][1] for c in names])[codes]
    amp_lo = np.array([CLASS_RANGES[c]["amplitude"][0] for c in names])[codes]
    amp_hi = np.array([CLASS_RANGES[c]["amplitude"][1] for c in names])[codes]
    periods = _loguniform(rng, period_lo, period_hi)
    amplitudes = _loguniform(rng, amp_lo, amp_hi)
    magnitudes = rng.uniform(*_MAG_RANGE, n_stars)
    phase0 = rng.uniform(0.0, 1.0, n_stars)  # random epoch of phase 0
    sizes = rng.integers(points_lo, points_hi + 1, n_stars)
    baselines = rng.uniform(base_lo, base_hi, n_stars)

    times, star = _observation_times(rng, sizes, baselines)
    cycles = (times - _SURVEY_START) / periods[star] + phase0[star]
    phase = cycles % 1.0

    # Template of every point, scaled per star to span [0, 1] (0 = brightest).
    template = np.empty(times.size)
    point_code = codes[star]
    for code, name in enumerate(names):
        members = np.flatnonzero(codes == code)
        if members.size == 0:
            continue
        draw, shape = _SHAPES[name]
        params = draw(rng, periods[members])
        on_grid = shape(_GRID[None, :], **{k: v[:, None] for k, v in params.items()})
        low, high = on_grid.min(axis=1), on_grid.max(axis=1)
        where = np.flatnonzero(point_code == code)
        # Position of each point's star within this class's members.
        slot = np.searchsorted(members, star[where])
        values = shape(phase[where], **{k: v[slot] for k, v in params.items()})
        template[where] = (values - low[slot]) / (high[slot] - low[slot])
    offset, scale = 0.0, 1.0
    band_of_point = None
    if bands is not None:
        g_r = np.array([rng.uniform(*_BAND_PROPERTIES[c]["g_r"]) for c in np.asarray(names)[codes]])
        ratio = np.array([rng.uniform(*_BAND_PROPERTIES[c]["ratio"]) for c in np.asarray(names)[codes]])
        band_of_point = np.asarray(bands)[rng.integers(0, len(bands), times.size)]
        colour = {"g": g_r, "r": np.zeros(n_stars), "i": -0.5 * g_r}
        gain = {"g": ratio, "r": np.ones(n_stars), "i": 1.0 / np.sqrt(ratio)}
        offset, scale = np.zeros(times.size), np.ones(times.size)
        for b in bands:
            on = band_of_point == b
            offset[on], scale[on] = colour[b][star[on]], gain[b][star[on]]
    true_mag = magnitudes[star] + offset + amplitudes[star] * scale * (template - 0.5)

    if "Mira" in names:
        true_mag += _mira_cycle_offsets(rng, codes == names.index("Mira"), star, cycles)

    err = np.clip(noise * 10.0 ** (0.2 * (true_mag - 16.0)), *_ERR_CLIP)
    mag = true_mag + err * rng.standard_normal(times.size)

    bounds = np.cumsum(sizes)[:-1]
    star_ids = np.array([f"synth-{i:05d}" for i in range(n_stars)])
    band_parts = [None] * n_stars if band_of_point is None else np.split(band_of_point, bounds)
    light_curves = [
        StarLightCurve(t, m, e, period=p, star_id=s, band=b)
        for t, m, e, p, s, b in zip(np.split(times, bounds), np.split(mag, bounds), np.split(err, bounds),
                                    periods.tolist(), star_ids.tolist(), band_parts)
    ]
    return Bunch(
        light_curves=light_curves,
        target=np.asarray(names)[codes],
        periods=periods,
        amplitudes=amplitudes,
        magnitudes=magnitudes,
        star_ids=star_ids,
        class_names=names,
        DESCR=_describe(n_stars, names, per_class, (points_lo, points_hi), (base_lo, base_hi), noise),
    )


def _mira_cycle_offsets(rng, is_mira, star, cycles):
    """Smooth cycle-to-cycle changes of the mean magnitude of Miras (mag)."""
    offsets = np.zeros(cycles.size)
    miras = np.flatnonzero(is_mira)
    if miras.size == 0:
        return offsets
    on_mira = np.flatnonzero(is_mira[star])
    slot = np.searchsorted(miras, star[on_mira])
    # Cycle counts start near 0 at the survey start (a night's jitter can take
    # them just below): shifting by one keeps every node index non-negative.
    c = cycles[on_mira] + 1.0
    first = np.floor(c).astype(np.intp)
    n_nodes = int(first.max()) + 2
    scatter = rng.uniform(*_MIRA_CYCLE_SCATTER, miras.size)
    nodes = rng.standard_normal((miras.size, n_nodes)) * scatter[:, None]
    frac = c - first
    # Linear interpolation between per-cycle values: no jumps at cycle edges.
    offsets[on_mira] = nodes[slot, first] * (1.0 - frac) + nodes[slot, first + 1] * frac
    return offsets


def _describe(n_stars, names, per_class, n_points, baseline, noise):
    counts = ", ".join(f"{name} {count}" for name, count in zip(names, per_class))
    return (
        "Synthetic ground-based survey of periodic variable stars (astro_cyclic).\n"
        f"{n_stars} stars: {counts}.\n"
        f"{n_points[0]}-{n_points[1]} points per star over {baseline[0]:g}-{baseline[1]:g} days; "
        "observing seasons of 7-8 months a year, 55-85 % clear nights, one visit a night "
        "jittered by +-0.15 d. Times in days (HJD - 2450000).\n"
        f"Mid-range magnitudes 14-19; errors {noise:g} * 10**(0.2 * (mag - 16)) mag clipped to "
        "[0.005, 0.3], Gaussian noise added.\n"
        "Periods and amplitudes are log-uniform in each class's range "
        "(astro_cyclic.datasets.synthetic.CLASS_RANGES); every light curve carries its true period."
    )
