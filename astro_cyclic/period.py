"""Period search: Lomb-Scargle over a frequency grid, then a harmonic-model check.

The periodogram is astropy's `~astropy.timeseries.LombScargle`. Its computation
method comes from one registry, :data:`PERIOD_METHODS`: ``"fastnifty"`` is the
non-uniform FFT of nifty-ls (Garrison et al. 2024), which registers itself as an
astropy method when installed and is several times faster than astropy's own
``"fast"`` (Press & Rybicki 1989) method; ``"auto"`` picks it when present.
For the classical periodogram (``nterms=1``) the nifty-ls computation is called
with its FINUFFT plans kept between stars (``astro_cyclic._periodogram``),
which gives the same power (within its 1e-9 precision) and saves building two plans per star.

A plain periodogram peak is a poor period for two common cases: eclipsing
binaries, whose strongest peak is at *half* the orbital period, and stars whose
peak is a daily alias. So the few highest peaks are refitted with a
multi-harmonic model (in the spirit of the multi-harmonic periodogram of
Schwarzenberg-Czerny 1996) and the best fit wins; then the light curve folded
at twice that period is tested for two different halves, which doubles the
period of most eclipsing binaries.

A star observed in several bands gets one period from all of them: each band
keeps its own mean, amplitude and phase, and the evidence adds up. The
periodogram is the sum of the bands' chi^2 reductions (each band's
Lomb-Scargle power times its chi^2 about the mean), the multiband periodogram
of VanderPlas & Ivezic (2015) [6]_ with no shared base term; the harmonic refit
and the doubling test likewise sum over the bands. Each band's periodogram is
nifty-ls's, so a two-band star costs two single-band searches.

References
----------
.. [1] Lomb, N. R. 1976, Ap&SS, 39, 447
.. [2] Scargle, J. D. 1982, ApJ, 263, 835
.. [3] VanderPlas, J. T. 2018, ApJS, 236, 16
.. [4] Garrison, L. H., Foreman-Mackey, D., Shih, Y., & Barnett, A. 2024, RNAAS, 8, 250
.. [5] Schwarzenberg-Czerny, A. 1996, ApJL, 460, L107
.. [6] VanderPlas, J. T. & Ivezic, Z. 2015, ApJ, 812, 18
"""

import importlib.util

import numpy as np
from scipy import stats
from astropy.timeseries import LombScargle
from sklearn.base import BaseEstimator

from ._validation import validate_option
from ._periodogram import nifty_power, reusable_plans_available
from .prepare import PERIOD_LIMIT_FACTOR, _time_quantum

__all__ = ["PERIOD_METHODS", "PeriodSearch", "find_period", "frequency_grid", "period_candidates",
           "validate_period_method"]


def _nifty_available():
    return importlib.util.find_spec("nifty_ls") is not None


#: Lomb-Scargle computation methods: name -> (astropy method for nterms=1,
#: astropy method for nterms>1, keyword arguments for the method).
#: One thread per call for nifty-ls: parallelism belongs to the caller, one star per worker.
PERIOD_METHODS = {
    "fastnifty": ("fastnifty", "fastnifty_chi2", {"nthreads": 1}),
    "fast": ("fast", "fastchi2", {}),
}


def validate_period_method(method):
    """Return the registry name for ``method``, resolving ``"auto"``.

    ``"auto"`` is ``"fastnifty"`` when nifty-ls is installed, else ``"fast"``.

    Raises
    ------
    ValueError
        Listing the valid names, when ``method`` is not one of them, or when
        ``"fastnifty"`` is asked for and nifty-ls is not installed.
    """
    name = validate_option(method, ["auto", *PERIOD_METHODS], "period method")
    if name == "auto":
        name = "fastnifty" if _nifty_available() else "fast"
    if name == "fastnifty" and not _nifty_available():
        raise ValueError("period method 'fastnifty' needs nifty-ls: pip install nifty-ls")
    if name == "fastnifty":
        import nifty_ls  # noqa: F401  (importing registers the method with astropy)
    return name


def _round_up_length(n):
    """The smallest ``m * 2**e >= n`` with ``m <= 16``: four significant bits, at most 12.5% above ``n``."""
    shift = max(0, n.bit_length() - 4)
    return -(-n >> shift) << shift


#: Most trial frequencies a grid sized by ``samples_per_peak`` may have: ten times what a 27-year
#: baseline searched down to 0.05 d needs. A longer grid means times that are not days (seconds), or a
#: sentinel time, and would take gigabytes: it is refused. ``n_frequencies=`` sets a grid of any length.
MAX_FREQUENCIES = 20_000_000


def frequency_grid(time, *, min_period=0.05, max_period=None, samples_per_peak=5, n_frequencies=None):
    """Regular frequency grid for a light curve, in cycles per day.

    Parameters
    ----------
    time : ndarray
        Observation times, days.
    min_period : float
        Shortest period searched, days (0.05 d reaches delta Scuti stars).
    max_period : float, optional
        Longest period searched, days; default the time baseline.
    samples_per_peak : float
        At least this many grid points across a peak of width ``1 / baseline``.
        The grid length is rounded up to a number with four significant bits
        (``m * 2**e``, ``8 <= m <= 16``; at most 12.5% more points), so that
        stars with similar baselines share a length and the fast periodogram
        reuses its FINUFFT plans between them.
    n_frequencies : int, optional
        Use exactly this many frequencies instead of ``samples_per_peak``.

    Returns
    -------
    ndarray
        Frequencies, 1/day, increasing and evenly spaced (needed by the fast methods).

    Raises
    ------
    ValueError
        When ``samples_per_peak`` asks for more than :data:`MAX_FREQUENCIES`.
    """
    baseline = float(np.ptp(time))
    if baseline <= 0:
        raise ValueError("cannot search a period: the times span zero days")
    if max_period is None:
        max_period = baseline
    if not 0 < min_period < max_period:
        raise ValueError(f"need 0 < min_period < max_period, got {min_period} and {max_period} days")
    f_min, f_max = 1.0 / max_period, 1.0 / min_period
    if n_frequencies is None:
        needed = (f_max - f_min) * samples_per_peak * baseline
        if not needed <= MAX_FREQUENCIES:
            raise ValueError(f"the times span {baseline:.6g} days: a search down to {min_period:g} d would need "
                             f"{needed:.3g} trial frequencies, more than the {MAX_FREQUENCIES:.3g} allowed; are the "
                             "times in days, and free of sentinel values? (n_frequencies= sets a grid of any length)")
        n_frequencies = _round_up_length(int(np.ceil(needed)) + 1)
    if n_frequencies < 2:
        raise ValueError(f"the frequency grid needs at least 2 frequencies, got {n_frequencies}")
    return np.linspace(f_min, f_max, int(n_frequencies))


#: Frequencies x points per block of :func:`_harmonic_chi2` (its arrays are about 12 floats per element).
_CHI2_CHUNK_ELEMENTS = 1_000_000


def _harmonic_design(tau, sw, frequencies, n_harmonics):
    """Weighted design matrices of a mean plus ``n_harmonics`` sinusoids, one per frequency.

    Columns: the mean, the cosines of harmonics 1..n, the sines of 1..n,
    each multiplied by ``sw`` (the square roots of the weights); ``tau`` the
    times from the chosen origin (days).

    Returns
    -------
    ndarray, shape (len(frequencies), len(tau), 2 * n_harmonics + 1)
    """
    arg = 2 * np.pi * np.asarray(frequencies, float)[:, None] * tau
    design = np.empty((arg.shape[0], tau.size, 2 * n_harmonics + 1))
    design[:, :, 0] = sw
    cos1, sin1 = np.cos(arg), np.sin(arg)
    cos_k, sin_k = cos1, sin1
    for k in range(1, n_harmonics + 1):
        if k > 1:
            # Angle addition: two trigonometric calls in all instead of two per harmonic.
            cos_k, sin_k = cos_k * cos1 - sin_k * sin1, sin_k * cos1 + cos_k * sin1
        np.multiply(cos_k, sw, out=design[:, :, k])
        np.multiply(sin_k, sw, out=design[:, :, n_harmonics + k])
    return design


def _harmonic_chi2(time, mag, weights, frequencies, n_harmonics):
    """Weighted least-squares chi^2 of a mean plus ``n_harmonics`` sinusoids, at each frequency.

    All frequencies are fitted at once (a stack of small normal-equation
    systems) rather than one ``lstsq`` call each: the same chi^2 to rounding
    (relative 1e-12), with a few numpy calls instead of a few per frequency.

    Parameters
    ----------
    time, mag, weights : ndarray, shape (n,)
        Times (days), magnitudes and weights (1 / err**2).
    frequencies : ndarray, shape (m,)
        Trial frequencies, 1/day.
    n_harmonics : int

    Returns
    -------
    ndarray, shape (m,)
    """
    frequencies = np.asarray(frequencies, float)
    # The design matrices take (frequencies x points x coefficients) floats: in chunks of frequencies, so
    # that a star of a million points needs tens of MB, not gigabytes.
    chunk = max(1, _CHI2_CHUNK_ELEMENTS // time.size)
    if frequencies.size > chunk:
        return np.concatenate([_harmonic_chi2(time, mag, weights, frequencies[i:i + chunk], n_harmonics)
                               for i in range(0, frequencies.size, chunk)])
    sw = np.sqrt(weights)
    design = _harmonic_design(time - time[0], sw, frequencies, n_harmonics)
    target = mag * sw
    # Normal equations: the columns (a mean and sinusoids over many cycles) are
    # nearly orthogonal, so the 7x7 systems are well conditioned.
    gram = np.matmul(design.transpose(0, 2, 1), design)
    coef = np.linalg.solve(gram, (target @ design)[:, :, None])
    # The residual itself, not |b|^2 - b.coef, which cancels badly for good fits.
    resid = target - np.matmul(design, coef)[:, :, 0]
    return np.einsum("fn,fn->f", resid, resid)


def lomb_scargle_power(time, mag, err, frequency, method, *, nterms=1):
    """Lomb-Scargle power on a regular grid with a registry method; NaN as ``-inf``.

    The one periodogram of the package (the period search and the Richards
    features): ``"fastnifty"`` with ``nterms=1`` runs nifty-ls with its
    FINUFFT plans kept between stars (when its version is one
    :mod:`astro_cyclic._periodogram` was written for), any other case astropy's
    ``LombScargle.power`` with the method of :data:`PERIOD_METHODS`.

    Parameters
    ----------
    time, mag : ndarray
        Times (days) and magnitudes, cleaned.
    err : ndarray or None
        Magnitude errors; unweighted when None.
    frequency : ndarray
        Regular grid, 1/day (from :func:`frequency_grid`).
    method : str
        A key of :data:`PERIOD_METHODS` (already validated).
    nterms : int
        Harmonics of the Lomb-Scargle model.

    Returns
    -------
    ndarray
        Power at each frequency.
    """
    if method == "fastnifty" and nterms == 1 and reusable_plans_available():
        # nifty-ls's periodogram (to its 1e-9 precision) without building two FINUFFT plans per star.
        power = nifty_power(time, mag, err, frequency[0], frequency[1] - frequency[0], frequency.size)
    else:
        single, multi, kwds = PERIOD_METHODS[method]
        power = LombScargle(time, mag, err, nterms=nterms).power(
            frequency, method=single if nterms == 1 else multi, method_kwds=kwds, assume_regular_frequency=True)
    return np.nan_to_num(np.asarray(power, dtype=float), nan=-np.inf)


def _top_peaks(power, n):
    """Indices of the ``n`` highest local maxima of ``power``."""
    inner = (power[1:-1] >= power[:-2]) & (power[1:-1] >= power[2:])
    peaks = np.flatnonzero(inner) + 1
    if peaks.size == 0:
        peaks = np.array([int(np.argmax(power))])
    return peaks[np.argsort(power[peaks])[::-1][:n]]


def _checked_light_curve(time, mag, err, n_harmonics):
    """The arrays as float64, or a ValueError saying what makes them unsearchable.

    Without these checks an empty light curve failed inside numpy, an infinite
    time overflowed, and all-NaN, constant or three-point light curves
    returned a period that meant nothing.
    """
    time, mag = np.asarray(time, dtype=np.float64), np.asarray(mag, dtype=np.float64)
    if time.ndim != 1 or mag.shape != time.shape:
        raise ValueError(f"time and mag must be one-dimensional arrays of one length, got shapes {time.shape} "
                         f"and {mag.shape}")
    if err is not None:
        err = np.asarray(err, dtype=np.float64)
        if err.shape != time.shape:
            raise ValueError(f"err must have the shape of time, {time.shape}, got {err.shape}")
        if not np.all(np.isfinite(err) & (err > 0)):
            raise ValueError("err must be finite and positive; clean the light curve first "
                             "(astro_cyclic.clean_light_curve)")
    bad = ~(np.isfinite(time) & np.isfinite(mag))
    if bad.any():
        raise ValueError(f"{int(bad.sum())} of {time.size} points have a non-finite time or magnitude; clean the "
                         "light curve first (astro_cyclic.clean_light_curve)")
    # The harmonic model that compares candidates has 2 * n_harmonics + 1 coefficients; fewer points fit anything.
    needed = 2 * n_harmonics + 2
    if time.size < needed:
        raise ValueError(f"need at least {needed} points to search a period with {n_harmonics} harmonics, "
                         f"got {time.size}")
    if np.ptp(mag) == 0:
        raise ValueError(f"all {mag.size} magnitudes are equal: a constant light curve has no period")
    return time, mag, err


def find_period(time, mag, err=None, *, band=None, method="auto", min_period=0.05, max_period=None,
                samples_per_peak=5, n_frequencies=None, nterms=1, n_candidates=5, n_harmonics=3,
                check_double=True, return_periodogram=False):
    """Find the period of a light curve.

    Parameters
    ----------
    time, mag : ndarray
        Times (days) and magnitudes, cleaned (finite).
    err : ndarray, optional
        Magnitude errors (> 0); unweighted when omitted.
    band : ndarray of str, optional
        The band of each point: one period is searched for all bands
        together, each band with its own mean and amplitude (see the module
        notes). Bands with fewer than ``2 * n_harmonics + 2`` points are left
        out of the search.
    method : str
        A key of :data:`PERIOD_METHODS` or ``"auto"``.
    min_period, max_period, samples_per_peak, n_frequencies
        The frequency grid, see :func:`frequency_grid`. When the times are
        rounded (every time and interval a whole multiple of one step, as
        EROS-1's 0.01 d), the search starts at 10 times that step if it is
        longer than ``min_period``: shorter periods would be rounding noise,
        and preparation refuses them (:func:`~astro_cyclic.prepare.check_period`).
    nterms : int
        Harmonics in the Lomb-Scargle model (1 is the classical periodogram).
    n_candidates : int
        Highest periodogram peaks refitted with the harmonic model. 1 with
        ``check_double=False`` gives the plain periodogram peak.
    n_harmonics : int
        Harmonics of the model used to compare candidates.
    check_double : bool
        Double the period when the light curve folded at twice the period has
        two significantly different halves (unequal eclipse depths, alternating
        maxima), as for most eclipsing binaries, whose periodogram peaks at
        half their period. The test is an F test of phase-binned means, made
        only when the times span :data:`MIN_DOUBLED_CYCLES` (3) cycles of the
        doubled period; the odd and even cycles must also differ
        :data:`DOUBLING_CONTRAST` (2) times more than alternate pairs of
        cycles do, so that a Mira's cycle-to-cycle changes are not taken for
        an orbit's two halves.
    return_periodogram : bool
        Also return the frequency grid (1/day) and the power.

    Returns
    -------
    period : float
        Days.
    frequency, power : ndarray
        Only with ``return_periodogram``.

    Raises
    ------
    ValueError
        Saying what is wrong: arrays of different lengths, non-finite values,
        errors that are not positive, fewer than ``2 * n_harmonics + 2``
        points, constant magnitudes, or times that span zero days.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> t = np.sort(rng.uniform(0, 300, 200))
    >>> mag = 15 + 0.4 * np.sin(2 * np.pi * t / 0.5672) + rng.normal(0, 0.05, t.size)
    >>> round(find_period(t, mag, np.full(t.size, 0.05)), 4)
    0.5672
    """
    search = _search(time, mag, err, band=band, method=method, min_period=min_period, max_period=max_period,
                     samples_per_peak=samples_per_peak, n_frequencies=n_frequencies, nterms=nterms,
                     n_candidates=n_candidates, n_harmonics=n_harmonics, check_double=check_double)
    period = 1.0 / search.best
    return (period, search.frequency, search.power) if return_periodogram else period


class _Search:
    """Everything one search computed: the grid, the power, the candidates and the choice."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def _search(time, mag, err, *, band, method, min_period, max_period, samples_per_peak, n_frequencies, nterms,
            n_candidates, n_harmonics, check_double):
    method = validate_period_method(method)
    time, mag, err = _checked_light_curve(time, mag, err, n_harmonics)
    min_period = _rounding_floor(time, min_period, max_period)
    frequency = frequency_grid(time, min_period=min_period, max_period=max_period,
                               samples_per_peak=samples_per_peak, n_frequencies=n_frequencies)
    weights = np.ones_like(mag) if err is None else 1.0 / np.asarray(err, float) ** 2
    groups = _band_groups(band, time.size, 2 * n_harmonics + 2)
    if groups is None:
        power = lomb_scargle_power(time, mag, err, frequency, method, nterms=nterms)
    else:
        power = _multiband_power(time, mag, err, weights, groups, frequency, method, nterms)
    candidates = frequency[_top_peaks(power, max(1, n_candidates))]
    parts = [(time, mag, weights)] if groups is None else [(time[g], mag[g], weights[g]) for g in groups]
    step = frequency[1] - frequency[0]
    best = candidates[0]
    if n_candidates > 1:
        best = _best_harmonic_candidate(parts, candidates, n_harmonics, step=step)
    # Doubling must leave MIN_DOUBLED_CYCLES cycles to compare: over fewer, unequal cycles of a Mira or a
    # semi-regular would pass for the two halves of a binary's orbit.
    span = float(np.ptp(time))
    doubled = bool(check_double and span * best / 2 >= MIN_DOUBLED_CYCLES
                   and _prefers_double(parts, best, origin=time[0]))
    if doubled:
        best = best / 2
    return _Search(time=time, mag=mag, err=err, parts=parts, frequency=frequency, power=power,
                   candidates=candidates, best=float(best), doubled=doubled, step=step, n_harmonics=n_harmonics)


def _rounding_floor(time, min_period, max_period):
    """The shortest period to search (days): ``min_period``, or more where the survey rounded its times.

    A survey that publishes its times rounded (EROS-1 to 0.01 d, some to whole nights) cannot carry a
    period under :data:`~astro_cyclic.prepare.PERIOD_LIMIT_FACTOR` (10) times the step, which
    preparation refuses (its phases would be rounding noise); a search that returned one would stop a
    whole fit, so the search starts there. Times rounded by float32 storage (a step equal to float32's
    spacing: 0.125-0.25 d for Julian dates) are not the survey's choice but a lost digit: they are
    searched over the full range, and preparation refuses their short periods with a message that
    says float32, rather than folding them on the best period left above 1-2 d.
    """
    quantum = _time_quantum(time)
    largest = np.float32(np.max(np.abs(time)))
    if np.isclose(quantum, float(np.spacing(largest)), rtol=1e-6, atol=0):
        return min_period
    floor = PERIOD_LIMIT_FACTOR * quantum * (1 + 1e-9)
    if floor <= min_period:
        return min_period
    longest = float(np.ptp(time)) if max_period is None else max_period
    if floor >= longest > 0:
        raise ValueError(f"the times are rounded to {quantum:.6g} d, so no period under {floor:.6g} d can be folded, "
                         f"and the longest period searched is {longest:.6g} d")
    return floor


#: Cycles per day of the solar and the sidereal day: ground surveys sample at these, and their
#: multiples shift a periodogram peak by k cycles per day (aliases).
DAY_FREQUENCIES = (1.0, 1.0027379)
# A chosen frequency this close (cycles/day) to k cycles per day is flagged "daily": the daily alias of
# any period longer than about 50 days lands within it.
_DAILY_WINDOW = 0.02


#: Cycles of the doubled period the light curve must span for the doubling test to be made.
MIN_DOUBLED_CYCLES = 3

#: How many times larger the odd/even cycles' difference must be than that between alternate pairs of cycles
#: for a period to be doubled (see ``_prefers_double``).
DOUBLING_CONTRAST = 2.0


def _in_daily_window(frequency):
    """Whether each frequency (1/day) is within the daily window of 1, 2 or 3 cycles per (solar or sidereal) day."""
    frequency = np.asarray(frequency, dtype=float)
    return np.any([np.abs(frequency - k * day) <= _DAILY_WINDOW for day in DAY_FREQUENCIES for k in (1, 2, 3)],
                  axis=0)


def period_candidates(time, mag, err=None, *, band=None, method="auto", min_period=0.05, max_period=None,
                      samples_per_peak=5, n_frequencies=None, nterms=1, n_candidates=5, n_harmonics=3,
                      check_double=True):
    """The chosen period and the other candidates, with their evidence and flags, as a table.

    The search is :func:`find_period`'s (same parameters): the first row is
    its chosen period, the others are the periodogram's highest peaks, best
    first, each moved from the frequency grid to the minimum of its harmonic
    model's chi^2 (Gauss-Newton steps). Each row says how good the period is and how it relates to the
    chosen one, so that a doubtful period is seen, not trusted.

    Parameters
    ----------
    time, mag, err, band, method, min_period, max_period, samples_per_peak, n_frequencies, nterms, \
n_candidates, n_harmonics, check_double
        As for :func:`find_period`.

    Returns
    -------
    astropy.table.Table
        One row per candidate, the chosen one first, with columns:

        - ``period`` (d) and ``frequency`` (1/d);
        - ``uncertainty`` (d): one-sigma uncertainty of the period, the
          Delta chi^2 = 1 half-width of the harmonic model's chi^2 linearised
          about the period (Gauss-Newton, the phases and amplitudes re-fitted,
          the chi^2 scaled to one per degree of freedom): the covariance a
          least-squares fit of the period would report. It is a local figure:
          it says nothing of the aliases, which the other rows show;
        - ``power``: the periodogram power at the frequency (for several
          bands, the summed chi^2 reduction normalised as one band's power);
        - ``false_alarm_probability``: of a peak this high in pure noise, by
          Baluev's (2008) bound over the searched frequency range (astropy's
          ``method="baluev"``); for several bands the bound is applied to the
          summed power as if it were one band's, an approximation;
        - ``delta_bic``: BIC of the harmonic model at this period minus the
          chosen one's (positive is worse);
        - ``flags``, comma-separated: ``chosen``; ``doubled`` (the chosen
          period is twice a periodogram peak, as for eclipsing binaries); the
          relation to the chosen period, ``half``, ``double``, ``harmonic`` (3
          or 4 times, or a third or a quarter) or ``alias`` (one or two cycles
          per day, solar or sidereal, away from it, or its reflection); and
          ``daily`` for a period within 0.02 cycles per day of 1, 2 or 3
          cycles per day, where the daily alias of any long period (a
          Mira's, say) lands.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> t = np.sort(np.floor(rng.uniform(0, 300, 150)) + rng.normal(0, 0.05, 150))  # nightly visits
    >>> mag = 15 + 0.4 * np.sin(2 * np.pi * t / 0.5672) + rng.normal(0, 0.05, t.size)
    >>> table = period_candidates(t, mag, np.full(t.size, 0.05))
    >>> print(f"{table['period'][0]:.4f}", table["flags"][0])
    0.5672 chosen
    >>> bool(table["false_alarm_probability"][0] < 1e-10), "alias" in table["flags"][1]
    (True, True)
    """
    from astropy import units as u
    from astropy.table import Table

    search = _search(time, mag, err, band=band, method=method, min_period=min_period, max_period=max_period,
                     samples_per_peak=samples_per_peak, n_frequencies=n_frequencies, nterms=nterms,
                     n_candidates=n_candidates, n_harmonics=n_harmonics, check_double=check_double)
    others = [float(f) for f in search.candidates if abs(f - search.best) > 3 * search.step]
    # The chosen frequency is find_period's answer, kept as it is; the other peaks are moved from the grid
    # to their chi^2 minimum, so that their Delta BIC is not the grid's rounding.
    fits = [_refined_frequency(search.parts, f, search.n_harmonics, search.step, iterations=0 if k == 0 else 3)
            for k, f in enumerate([search.best] + others)]
    frequencies, sigma, chi2 = (np.array(column) for column in zip(*fits))
    n_points = search.time.size
    grid = search.frequency
    power = np.interp(frequencies, grid, search.power)
    ls = LombScargle(search.time, search.mag, search.err)
    with np.errstate(all="ignore"):
        fap = np.asarray(ls.false_alarm_probability(np.clip(power, 0, 1), method="baluev",
                                                    minimum_frequency=grid[0], maximum_frequency=grid[-1]))
    flags = [_flags(f, search.best, search.step, chosen=k == 0, doubled=search.doubled)
             for k, f in enumerate(frequencies)]
    return Table({"period": 1.0 / frequencies * u.day, "frequency": frequencies / u.day,
                  "uncertainty": sigma / frequencies ** 2 * u.day, "power": power,
                  "false_alarm_probability": np.clip(fap, 0, 1),
                  "delta_bic": n_points * np.log(chi2 / chi2[0]), "flags": flags})


def _summed_chi2(parts, frequencies, n_harmonics):
    return sum(_harmonic_chi2(t, m, w, frequencies, n_harmonics) for t, m, w in parts)


def _linearised_fit(parts, frequency, n_harmonics):
    """Gauss-Newton quantities of the harmonic model's chi^2 as a function of frequency.

    Each band is fitted with its own mean and ``n_harmonics`` sinusoids at
    ``frequency``; with J the derivative of the model with respect to the
    frequency, made orthogonal to the linear parameters' columns (so that they
    are re-fitted as the frequency moves: the profile chi^2), the chi^2 near
    its minimum is chi^2_min + (Σ J.J) (δf - Σ J.r / Σ J.J)^2, r the weighted
    residuals.

    Returns
    -------
    chi2, gradient, information : float
        The chi^2 at ``frequency``, Σ J.r and Σ J.J, summed over the bands.
    """
    chi2 = gradient = information = 0.0
    k = np.arange(1, n_harmonics + 1)
    for time, mag, weights in parts:
        # Centred times only condition the system: the frequency's variance, once the phases are
        # re-fitted, does not depend on the time origin.
        tau = time - time.mean()
        sw = np.sqrt(weights)
        design = _harmonic_design(tau, sw, [frequency], n_harmonics)[0]
        target = mag * sw
        q, r = np.linalg.qr(design)
        projected = q.T @ target
        coef = np.linalg.solve(r, projected)
        resid = target - q @ projected
        a, b = coef[1:n_harmonics + 1], coef[n_harmonics + 1:]
        # d/df of a_k cos(2 pi k f tau) + b_k sin(...), from the weighted columns already built.
        cos, sin = design[:, 1:n_harmonics + 1], design[:, n_harmonics + 1:]
        jac = 2 * np.pi * tau * ((b * cos - a * sin) @ k)
        jac = jac - q @ (q.T @ jac)
        chi2 += float(resid @ resid)
        gradient += float(jac @ resid)
        information += float(jac @ jac)
    return chi2, gradient, information


def _refined_frequency(parts, frequency, n_harmonics, step, *, iterations):
    """A frequency moved to its chi^2 minimum by Gauss-Newton steps, its one-sigma uncertainty (1/day), its chi^2.

    The uncertainty is the Delta chi^2 = 1 half-width of the linearised
    (Gauss-Newton) chi^2, with the chi^2 scaled to one per degree of freedom:
    the covariance least-squares fitters report (``scipy.optimize.curve_fit``'s).
    It is read analytically, not from a grid, so it is as fine as the period
    and costs one fit instead of a scan. A step that would leave the peak
    (more than one grid ``step``) or raise the chi^2 is not taken.
    """
    chi2, gradient, information = _linearised_fit(parts, frequency, n_harmonics)
    for _ in range(iterations):
        if information <= 0:
            break
        delta = gradient / information
        if not 0 < abs(delta) <= step or frequency + delta <= 0:
            break
        trial = _linearised_fit(parts, frequency + delta, n_harmonics)
        if trial[0] >= chi2:
            break
        frequency, (chi2, gradient, information) = frequency + delta, trial
    n_points = sum(part[0].size for part in parts)
    dof = max(1, n_points - len(parts) * (2 * n_harmonics + 1))
    sigma = np.sqrt(chi2 / dof / information) if information > 0 else np.inf
    return float(frequency), float(sigma), chi2


def _flags(f, best, step, *, chosen, doubled):
    """How frequency ``f`` relates to the chosen ``best`` (see :func:`period_candidates`)."""
    tol = 3 * step
    flags = []
    if chosen:
        flags.append("chosen")
        if doubled:
            flags.append("doubled")
    else:
        if abs(f - 2 * best) <= tol:
            flags.append("half")
        if abs(f - best / 2) <= tol:
            flags.append("double")
        if any(abs(f - k * best) <= tol or abs(f - best / k) <= tol for k in (3, 4)):
            flags.append("harmonic")
        if any(abs(abs(f - best) - k * day) <= tol or abs(f + best - k * day) <= tol
               for day in DAY_FREQUENCIES for k in (1, 2)):
            flags.append("alias")
    if _in_daily_window(f):
        flags.append("daily")
    return ",".join(flags)


def _band_groups(band, n, min_points):
    """Indices of each band with at least ``min_points`` points, or None for a single-band search."""
    if band is None:
        return None
    band = np.asarray(band)
    if band.shape != (n,):
        raise ValueError(f"band must give one band per point, {n}, got shape {band.shape}")
    names, code = np.unique(band, return_inverse=True)
    if names.size < 2:
        return None
    groups = [np.flatnonzero(code == k) for k in range(names.size)]
    groups = [g for g in groups if g.size >= min_points]
    if not groups:
        raise ValueError(f"no band has the {min_points} points a period search needs "
                         f"(bands: {', '.join(map(str, names))})")
    return groups


def _multiband_power(time, mag, err, weights, groups, frequency, method, nterms):
    """Sum over the bands of each band's chi^2 reduction, normalised by the summed chi^2 about the means.

    A band's standard Lomb-Scargle power is its chi^2 reduction over its
    chi^2 about its (weighted) mean, so weighting each power by that chi^2
    adds up chi^2 reductions: the multiband periodogram with a model per band.
    """
    total = np.zeros(frequency.size)
    chi2_sum = 0.0
    for g in groups:
        w = weights[g]
        chi2_0 = float(np.sum(w * (mag[g] - np.sum(w * mag[g]) / np.sum(w)) ** 2))
        if chi2_0 <= 0:
            continue  # a constant band says nothing about the period
        power = lomb_scargle_power(time[g], mag[g], None if err is None else err[g], frequency, method,
                                   nterms=nterms)
        total += chi2_0 * power
        chi2_sum += chi2_0
    if chi2_sum == 0:
        raise ValueError("every band's magnitudes are constant: the light curve has no period")
    return total / chi2_sum


def _best_harmonic_candidate(parts, candidates, n_harmonics, step):
    """The candidate frequency whose harmonic model has the lowest BIC, refined.

    ``parts`` holds the (time, mag, weights) of each band (one part for a
    single band); each band is fitted with its own harmonic model and the
    chi^2 add up. The winner is then refined on a grid 20 times finer than
    the periodogram's over one grid step either side: the periodogram grid
    (``step``) is too coarse for long periods, where a step is a sizeable
    fraction of the frequency.
    """
    n_points = sum(part[0].size for part in parts)
    n_params = len(parts) * (2 * n_harmonics + 1)
    if n_params >= n_points:
        return candidates[0]

    # Gaussian BIC with the noise scale fitted too, n ln(chi2 / n) + k ln n; with equal
    # k for all candidates this ranks them by chi2, and it stays valid if k ever differs.
    bic = n_points * np.log(_summed_chi2(parts, candidates, n_harmonics) / n_points) + n_params * np.log(n_points)
    best = candidates[int(np.argmin(bic))]
    fine = best + np.linspace(-step, step, 41)
    fine = fine[fine > 0]
    return fine[int(np.argmin(_summed_chi2(parts, fine, n_harmonics)))]


def _binned_rss(phase, mag, weights, n_bins):
    """Weighted residual sum of squares about the mean of each phase bin."""
    bins = np.minimum((phase * n_bins).astype(int), n_bins - 1)
    wsum = np.bincount(bins, weights=weights, minlength=n_bins)
    means = np.bincount(bins, weights=weights * mag, minlength=n_bins) / np.where(wsum > 0, wsum, 1)
    resid = mag - means[bins]
    return float(np.sum(weights * resid ** 2)), int(np.count_nonzero(wsum))


def _prefers_double(parts, frequency, *, origin, p_value=1e-6):
    """Whether the light curve repeats at twice the period rather than at the period.

    Folded at twice the period, a light curve that truly repeats at the period
    shows the same shape twice; unequal eclipse depths or alternating maxima
    show two different halves. The phase-binned mean at twice the period (2B
    bins) nests the binned mean at the period (its bins tied in pairs), so an F
    test of the two residual sums decides. Binned means, unlike a few
    harmonics, follow narrow eclipses. The strict ``p_value`` was chosen on the
    synthetic survey: it doubles no RR Lyrae or Cepheid while catching about
    half of the eclipsing binaries. Several bands (``parts``, each a (time,
    mag, weights)) add their residual sums and bins; ``origin`` is the time of
    phase zero, common to the bands.

    Folding at twice the period splits the cycles into odd and even ones. A
    Mira's or a semi-regular's cycles differ from one another, so that split
    finds a difference too, but no larger than any other split of the cycles
    into two groups, whereas an orbit's two halves differ only between odd
    and even cycles. So the odd/even F statistic must also exceed
    :data:`DOUBLING_CONTRAST` times that of the split into
    alternate pairs of cycles (0, 1 | 2, 3 | 4, 5 ...), each of whose groups
    holds both halves of an orbit equally often.
    """
    f_odd_even, p_odd_even = _cycle_split_f_test(parts, frequency, origin, lambda cycle: cycle % 2)
    if not p_odd_even < p_value:
        return False
    f_pairs, _ = _cycle_split_f_test(parts, frequency, origin, lambda cycle: (cycle // 2) % 2)
    return bool(f_odd_even > DOUBLING_CONTRAST * f_pairs)


def _cycle_split_f_test(parts, frequency, origin, group):
    """F statistic and p-value of phase-binned means kept apart for two groups of cycles (``group(cycle)``: 0
    or 1) against binned means common to all cycles."""
    rss_single = rss_split = 0.0
    used_single = used_split = n_points = 0
    for time, mag, weights in parts:
        # Fine bins (about 5 points each, at most 40) keep steep rises from looking like two halves.
        n_bins = max(4, min(40, time.size // 5))
        cycles = (time - origin) * frequency
        cycle = np.floor(cycles)
        phase = cycles - cycle
        rss, used = _binned_rss(phase, mag, weights, n_bins)
        rss_single, used_single = rss_single + rss, used_single + used
        # Group g's phases go to [g/2, (g + 1)/2): 2B bins, B per group (for odd/even: the fold at 2P).
        rss, used = _binned_rss((phase + group(cycle)) / 2, mag, weights, 2 * n_bins)
        rss_split, used_split = rss_split + rss, used_split + used
        n_points += time.size
    extra, dof = used_split - used_single, n_points - used_split
    if extra <= 0 or dof <= 0 or rss_split <= 0:
        return 0.0, 1.0
    statistic = ((rss_single - rss_split) / extra) / (rss_split / dof)
    return float(statistic), float(stats.f.sf(statistic, extra, dof))


class PeriodSearch(BaseEstimator):
    """Settings of the period search, as a scikit-learn parameter object.

    Passed as ``CyclicClassifier(period_search=PeriodSearch(...))``; its
    parameters are then tunable as ``period_search__nterms`` and so on. See
    :func:`find_period` for each parameter.

    Examples
    --------
    >>> from astro_cyclic import PeriodSearch
    >>> PeriodSearch(min_period=0.1, nterms=2)
    PeriodSearch(min_period=0.1, nterms=2)
    """

    def __init__(self, method="auto", *, min_period=0.05, max_period=None, samples_per_peak=5,
                 n_frequencies=None, nterms=1, n_candidates=5, n_harmonics=3, check_double=True):
        self.method = method
        self.min_period = min_period
        self.max_period = max_period
        self.samples_per_peak = samples_per_peak
        self.n_frequencies = n_frequencies
        self.nterms = nterms
        self.n_candidates = n_candidates
        self.n_harmonics = n_harmonics
        self.check_double = check_double

    def __call__(self, lc):
        """Period (days) of a cleaned `~astro_cyclic.StarLightCurve` (all its bands together)."""
        try:
            return find_period(lc.time, lc.mag, lc.err, band=lc.band, **self.get_params())
        except ValueError as exc:
            raise ValueError(f"{lc.label}: {exc}") from None

    def candidates(self, lc):
        """The chosen period and the other candidates of a cleaned light curve: :func:`period_candidates`.

        Returns
        -------
        astropy.table.Table
            With ``meta["star_id"]``; the first row's period is what calling
            the search returns.
        """
        try:
            table = period_candidates(lc.time, lc.mag, lc.err, band=lc.band, **self.get_params())
        except ValueError as exc:
            raise ValueError(f"{lc.label}: {exc}") from None
        table.meta["star_id"] = lc.star_id
        return table
