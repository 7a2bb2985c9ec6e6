r"""The light-curve features of Richards et al. (2011), as a scikit-learn transformer.

Richards et al. (2011, ApJ 733, 10; "R11" below) describe a star by about sixty
numbers: *non-periodic* features (their Table 4: amplitude, spread, skewness,
flux percentiles, variability indices, a quasar model) and *periodic* features
(their Table 5: the three strongest frequencies, a four-harmonic model of each,
and statistics of the light curve folded on the period). A random forest on
them was the state of the art before deep learning, and remains the baseline to
beat. The names follow `cesium <https://cesium-ml.org>`_ (the reference
implementation by the same group) wherever cesium computes the same quantity, so
that features can be compared by name.

Every feature below is one column of :data:`FEATURE_NAMES`. Magnitudes are
written :math:`m_i` at times :math:`t_i` (days) with errors :math:`\sigma_i`
(mag), weights :math:`w_i = \sigma_i^{-2}`, :math:`n` points, and fluxes
:math:`F_i = 10^{-0.4 m_i}` (any zero point: every flux feature is a ratio).
:math:`P_q(x)` is the q-th percentile (linear interpolation) and
:math:`\mathrm{MAD}(x) = \mathrm{median}|x - \mathrm{median}(x)|`.

Non-periodic features (R11 Table 4)
-----------------------------------
``amplitude`` (mag)
    Half the range, :math:`(\max m - \min m) / 2`.
``flux_percentile_ratio_mid20``, ``_mid35``, ``_mid50``, ``_mid65``, ``_mid80``
    :math:`(P_{50+k/2}(F) - P_{50-k/2}(F)) / (P_{95}(F) - P_5(F))` for
    :math:`k` = 20, 35, 50, 65, 80 (dimensionless; Eyer 2005).
``linear_trend`` (mag/day)
    Slope of the straight line fitted jointly with the four-harmonic model at
    :math:`f_1` (weighted least squares), so that the periodic signal does not
    leak into the slope. For a straight line it is that line's slope.
``max_slope`` (mag/day)
    :math:`\max_i |m_{i+1} - m_i| / (t_{i+1} - t_i)` over consecutive points.
``median_absolute_deviation`` (mag)
    :math:`\mathrm{MAD}(m)`.
``percent_amplitude`` (dimensionless)
    Largest departure of the flux from its median, relative to the median:
    :math:`\max(|F_{max} - \tilde F|, |\tilde F - F_{min}|) / \tilde F`.
``percent_beyond_1_std`` (fraction)
    Fraction of points farther than one weighted standard deviation from the
    weighted mean (R11 "beyond1std"); 0.317 for Gaussian noise.
``percent_close_to_median`` (fraction)
    Fraction of points within :math:`0.1 (\max m - \min m)` of the median
    (R11 "median_buffer_range_percentage", window as in cesium).
``percent_difference_flux_percentile`` (dimensionless)
    :math:`(P_{95}(F) - P_5(F)) / P_{50}(F)`.
``pair_slope_trend`` (fraction, -1 to 1)
    Among the last 30 consecutive magnitude differences in time order, the
    fraction that increase minus the fraction that decrease (R11 Table 4).
``qso_log_chi2_qsonu``, ``qso_log_chi2nuNULL_chi2nu`` (dimensionless)
    Fit of a damped random walk (Butler & Bloom 2011), the model of quasar
    variability, with the fixed SDSS g-band parameters of cesium
    (:math:`\log_{10}\tau = 2.92`, :math:`\log_{10}\mathrm{var} = -4.10`):
    :math:`\ln(\chi^2_{QSO}/\nu)` and :math:`\ln(\chi^2_{False}/\chi^2_{QSO})`,
    where :math:`\chi^2_{QSO}` is the generalised-least-squares :math:`\chi^2`
    under the covariance :math:`C = L + \mathrm{diag}(\sigma^2)`,
    :math:`\chi^2_{False}/\nu = \mathrm{Tr}(C^{-1})\,\mathrm{Var}(m)/\nu` its
    expectation for a non-quasar, and :math:`\nu = n - 1`.
``skew`` (dimensionless)
    Sample skewness :math:`g_1 = m_3 / m_2^{3/2}` (biased, as `scipy.stats.skew`).
``small_kurtosis`` (dimensionless)
    Bias-corrected excess kurtosis :math:`G_2`, reliable down to a few points
    (as ``scipy.stats.kurtosis(bias=False)``).
``std`` (mag)
    Standard deviation of the magnitudes (``ddof=0``).
``stetson_j``, ``stetson_k`` (dimensionless)
    Stetson (1996) variability indices with :math:`\delta_i =
    \sqrt{n/(n-1)}\,(m_i - \bar m)/\sigma_i` about Stetson's iteratively
    reweighted mean :math:`\bar m`:
    :math:`J = \langle \mathrm{sgn}(\delta^2 - 1)\sqrt{|\delta^2 - 1|}\rangle`
    (about 0 for pure noise) and :math:`K = \langle|\delta|\rangle /
    \sqrt{\langle\delta^2\rangle} / 0.798` (1 for Gaussian noise; divided by
    :math:`\sqrt{2/\pi} \approx 0.798` as in cesium).

Periodic features (R11 Table 5)
-------------------------------
``freq1_freq`` (1/day)
    :math:`f_1 = 1/P`, the catalogue period when the light curve carries one,
    else the one found by the package's `~astro_cyclic.PeriodSearch`.
``freq2_freq``, ``freq3_freq`` (1/day)
    Highest peaks of the Lomb-Scargle periodogram (same grid and backend as the
    period search, peak refined by parabolic interpolation) of the residuals
    after subtracting the model at :math:`f_1`, then at :math:`f_1` and
    :math:`f_2` ("prewhitening").
``freq{i}_amplitude{j}`` (mag), i = 1-3, j = 1-4
    Semi-amplitude :math:`A_{ij} = \sqrt{a_{ij}^2 + b_{ij}^2}` of harmonic j of
    frequency i in the weighted least-squares model
    :math:`\sum_j a_{ij}\sin(2\pi j f_i t) + b_{ij}\cos(2\pi j f_i t)` (plus a
    constant, and a line for :math:`f_1`).
``freq{i}_rel_phase{j}`` (radians in [-pi, pi]), j = 2-4
    :math:`PH_{ij} = \phi_{ij} - j\,\phi_{i1}` wrapped, with
    :math:`\phi_{ij} = \arctan(b_{ij}, a_{ij})`: the phase of harmonic j
    relative to the fundamental, independent of the time origin. For
    :math:`f_1` this is R11's definition; for :math:`f_2, f_3` the reference is
    the frequency's own fundamental, as in cesium (R11 refer all to
    :math:`f_1`).
``freq1_signif`` (Gaussian sigma)
    Significance of :math:`f_1`: the false-alarm probability of a single
    sinusoid at :math:`f_1`, :math:`(1 - p)^{(n-3)/2}` with :math:`p` the
    generalised Lomb-Scargle power (Zechmeister & Kürster 2009), expressed as
    the equivalent two-sided Gaussian deviation.
``freq_signif_ratio_21``, ``freq_signif_ratio_31``
    Significance of :math:`f_2`, :math:`f_3` (on their residuals) over that of
    :math:`f_1`.
``freq_frequency_ratio_21``, ``freq_frequency_ratio_31``
    :math:`f_2/f_1`, :math:`f_3/f_1`.
``freq_amplitude_ratio_21``, ``freq_amplitude_ratio_31``
    :math:`A_{21}/A_{11}`, :math:`A_{31}/A_{11}`.
``freq_varrat`` (fraction)
    Weighted variance of the residuals after the :math:`f_1` model over the
    weighted variance of the magnitudes about their weighted mean.
``freq_y_offset`` (mag)
    Constant term of the :math:`f_1` model (line evaluated at the weighted mean
    time) minus the weighted mean magnitude: how far the harmonic model's
    mean sits from the data mean under uneven sampling.
``freq_model_max_delta_mags``, ``freq_model_min_delta_mags`` (mag)
    From the :math:`f_1` harmonic model over one cycle: the magnitude
    difference between its two brightest maxima of light, and between its two
    faintest minima of light (0 when it has only one); large for eclipsing
    binaries with unequal eclipses.
``freq_model_phi1_phi2`` (dimensionless)
    Starting at the faintest minimum of light of that model, the phase from
    the next maximum of light to the next minimum, over the phase from that
    minimum to the following maximum.
``freq_rrd`` (0 or 1)
    1 when :math:`f_2/f_1` or :math:`f_3/f_1`, or its inverse, lies within
    0.0035 of 0.746, the period ratio of double-mode RR Lyrae (RRd).
``freq_n_alias`` (count)
    How many of :math:`f_1, f_2, f_3` have periods near 1, 1/2, 1/3 or 1/4
    day with a significance below R11's empirical cut (ASAS daily aliases;
    cut constants as in cesium).
``fold2P_slope_10percentile``, ``fold2P_slope_90percentile`` (mag/day)
    10th and 90th percentiles, over the observation times, of the slope of a
    model with eight harmonics of :math:`f_1/2` (twice the period; plus a
    line), which follows eclipsing binaries whatever period was found.
``medperc90_2p_p`` (dimensionless)
    :math:`P_{90}|r_{2P}| / P_{90}|r_{P}|`: residuals of that 2P model over
    those of the :math:`f_1` model (Dubath et al. 2011). Below 1 when the
    true period is twice :math:`1/f_1`.
``p2p_scatter_2praw``
    Sum of squared differences of consecutive magnitudes folded at
    :math:`2/f_1` over that in time order (Dubath et al. 2011).
``p2p_scatter_over_mad``
    :math:`\mathrm{median}|\Delta m| / \mathrm{MAD}(m)` in time order.
``p2p_scatter_pfold_over_mad``
    The same with the magnitudes folded at :math:`1/f_1`.
``p2p_ssqr_diff_over_var``
    :math:`\sum (\Delta m)^2 / ((n-1)\,\mathrm{Var}(m))` in time order (the von
    Neumann ratio).
``scatter_res_raw``
    :math:`\mathrm{MAD}` of the residuals after the three frequency models over
    :math:`\mathrm{MAD}(m)` (Dubath et al. 2011).

Differences from cesium (see ``tests/features/test_richards_cesium.py``):
cesium fits eight regularised harmonics and adds a 0.05 mag systematic error
to the weights, so its amplitudes and phases differ slightly; its
``freq_varrat`` divides by the sum of squared *raw* magnitudes (it depends on
the zero point); its ``freq1_signif`` evaluates the F distribution at half the
power times the degrees of freedom rather than at the F statistic; its
``stetson_j``/``stetson_k`` ignore the errors (a fixed 0.1 mag); its
``freq_model_phi1_phi2`` divides where it should subtract; and its 2P features
prewhiten two more frequencies, which this implementation skips for speed.

References
----------
.. [1] Richards, J. W., Starr, D. L., Butler, N. R., et al. 2011, ApJ, 733, 10
.. [2] Butler, N. R. & Bloom, J. S. 2011, AJ, 141, 93
.. [3] Dubath, P., Rimoldini, L., Süveges, M., et al. 2011, MNRAS, 414, 2602
.. [4] Stetson, P. B. 1996, PASP, 108, 851
.. [5] Zechmeister, M. & Kürster, M. 2009, A&A, 496, 577
.. [6] Eyer, L. 2005, arXiv:astro-ph/0511458
"""

import os

import numpy as np
from scipy.linalg import lapack
from scipy.special import ndtri_exp
from sklearn.utils.validation import check_is_fitted, check_memory

from ._base import StarFeatures
from ..lightcurves import _bands_of, as_light_curves
from ..prepare import prepare_light_curves
from ..period import PeriodSearch, frequency_grid, lomb_scargle_power, validate_period_method

__all__ = ["FEATURE_NAMES", "RichardsFeatures", "richards_features"]

_N_HARMONICS = 4
_N_HARMONICS_2P = 8  # twice the harmonics at half the frequency: the 2P model nests the P model
_FLUX_MID = (20, 35, 50, 65, 80)
_PAIR_SLOPE_POINTS = 30
_RRD_RATIO, _RRD_TOLERANCE = 0.746, 0.0035
# Butler & Bloom (2011) damped-random-walk parameters for SDSS g at 19 mag, as in cesium.
_QSO_LOG_VAR, _QSO_LOG_TAU = -4.10, 2.92
# R11's daily-alias cuts (period, period range, alpha_1, alpha_2), values from cesium.
_ALIASES = ((1.0, 0.92, 1.08, 8.191855, -7.976243),
            (0.5, 0.48, 0.52, 2.438913, 0.9837243),
            (1 / 3, 0.325, 0.342, 2.95749, -4.285432),
            (0.25, 0.245, 0.255, 1.347657, 2.326338))
_MODEL_GRID = np.arange(512) / 512.0  # phases on which the f1 model's extrema are located

_NONPERIODIC = (
    "amplitude",
    *[f"flux_percentile_ratio_mid{k}" for k in _FLUX_MID],
    "linear_trend", "max_slope", "median_absolute_deviation", "pair_slope_trend", "percent_amplitude",
    "percent_beyond_1_std", "percent_close_to_median", "percent_difference_flux_percentile",
    "qso_log_chi2_qsonu", "qso_log_chi2nuNULL_chi2nu", "skew", "small_kurtosis", "std", "stetson_j", "stetson_k",
)
_PERIODIC = (
    *[name for i in (1, 2, 3) for name in (
        f"freq{i}_freq", *[f"freq{i}_amplitude{j}" for j in range(1, 5)],
        *[f"freq{i}_rel_phase{j}" for j in range(2, 5)])],
    "freq1_signif", "freq_signif_ratio_21", "freq_signif_ratio_31",
    "freq_frequency_ratio_21", "freq_frequency_ratio_31", "freq_amplitude_ratio_21", "freq_amplitude_ratio_31",
    "freq_varrat", "freq_y_offset", "freq_model_max_delta_mags", "freq_model_min_delta_mags",
    "freq_model_phi1_phi2", "freq_rrd", "freq_n_alias",
    "fold2P_slope_10percentile", "fold2P_slope_90percentile", "medperc90_2p_p",
    "p2p_scatter_2praw", "p2p_scatter_over_mad", "p2p_scatter_pfold_over_mad", "p2p_ssqr_diff_over_var",
    "scatter_res_raw",
)

#: Names of the columns :class:`RichardsFeatures` produces, in order.
FEATURE_NAMES = _NONPERIODIC + _PERIODIC


def _ratio(num, den):
    """``num / den``, NaN where the denominator is 0 (a degenerate light curve, not an error)."""
    return float(num) / float(den) if den != 0 else np.nan


# ------------------------------------------------------------------------------------ non-periodic
def _stetson_mean(m, w, alpha=2.0, beta=2.0, tol=1e-10, n_max=50):
    """Stetson's (1996) mean: weights shrink for points many sigma from the mean, so outliers barely count.

    Iterated to an absolute tolerance (mag), so the result does not depend on the
    magnitude zero point (cesium stops at a tolerance relative to the mean).
    """
    mu = np.median(m)
    for _ in range(n_max):
        weights = w / (1.0 + (np.abs(m - mu) * np.sqrt(w) / alpha) ** beta)
        diff = np.dot(weights, m) / weights.sum() - mu
        mu += diff
        if abs(diff) < tol:
            break
    return mu


def _qso_features(t, m, w):
    """ln(chi2_qso/nu) and ln(chi2_false/chi2_qso) of the Butler & Bloom (2011) damped random walk.

    The DRW covariance L = s0 R, with R_ij = exp(-|t_i - t_j| / tau), has a
    tridiagonal inverse T / s0, so C^-1 = (L + W^-1)^-1 = T (T + s0 W)^-1 W
    needs only tridiagonal solves (LAPACK ``pttrf``/``pttrs``): O(n), no n x n matrix.
    """
    n = m.size
    tau = 10.0 ** _QSO_LOG_TAU
    s0 = 0.5 * 10.0 ** _QSO_LOG_VAR * tau
    dt = np.diff(t)
    r = np.exp(-dt / tau)
    e = r / -np.expm1(-2.0 * dt / tau)  # r / (1 - r^2) without cancellation for dt << tau
    t_diag = np.ones(n)
    t_diag[:-1] += r * e
    t_diag[1:] += r * e
    t_off = -e
    a_diag = t_diag + s0 * w
    d, l_sub, info = lapack.dpttrf(a_diag, t_off)
    if info != 0:
        return np.nan, np.nan
    rhs = np.column_stack([w * m, w])
    z, info = lapack.dpttrs(d, l_sub, rhs)
    if info != 0:
        return np.nan, np.nan
    tz = t_diag[:, None] * z
    tz[1:] += t_off[:, None] * z[:-1]
    tz[:-1] += t_off[:, None] * z[1:]
    u, u0 = tz[:, 0], tz[:, 1]  # C^-1 m and C^-1 1
    x0 = u.sum() / u0.sum()  # generalised-least-squares mean magnitude
    nu = n - 1.0
    chi2_qso = np.dot(m - x0, u - u0 * x0) / nu
    # Diagonal and first off-diagonal of Z = A^-1 from the forward (d) and backward LDL pivots:
    # Z_ii = 1 / (f_i + g_i - a_ii) and Z_i,i+1 = -l_i Z_i+1,i+1.
    g, _, _ = lapack.dpttrf(a_diag[::-1], t_off[::-1])
    z_diag = 1.0 / (d + g[::-1] - a_diag)
    z_off = -l_sub * z_diag[1:]
    diag_c = t_diag * z_diag
    diag_c[:-1] += t_off * z_off
    diag_c[1:] += t_off * z_off
    chi2_false = np.dot(diag_c, w) * np.var(m) / nu
    if not (chi2_qso > 0 and chi2_false > 0):
        return np.nan, np.nan
    return np.log(chi2_qso), np.log(chi2_false / chi2_qso)


def _nonperiodic_features(t, m, e):
    w = 1.0 / e ** 2
    n = m.size
    out = {}
    median = np.median(m)
    out["amplitude"] = 0.5 * np.ptp(m)
    # Fluxes relative to the median's: every flux feature is a ratio, and this avoids
    # overflow for instrumental magnitudes far from 0.
    flux = 10.0 ** (-0.4 * (m - median))
    levels = [5, 95, 50] + [q for k in _FLUX_MID for q in (50 + k / 2, 50 - k / 2)]
    pct = np.percentile(flux, levels)
    f5, f95, f50 = pct[:3]
    for i, k in enumerate(_FLUX_MID):
        out[f"flux_percentile_ratio_mid{k}"] = _ratio(pct[3 + 2 * i] - pct[4 + 2 * i], f95 - f5)
    out["max_slope"] = np.max(np.abs(np.diff(m) / np.diff(t)))
    out["median_absolute_deviation"] = np.median(np.abs(m - median))
    tail = np.diff(m[-(_PAIR_SLOPE_POINTS + 1):])
    out["pair_slope_trend"] = (np.count_nonzero(tail > 0) - np.count_nonzero(tail < 0)) / tail.size
    f_med = np.median(flux)
    out["percent_amplitude"] = max(flux.max() - f_med, f_med - flux.min()) / f_med
    wmean = np.dot(w, m) / w.sum()
    wstd = np.sqrt(np.dot(w, (m - wmean) ** 2) / w.sum())
    out["percent_beyond_1_std"] = np.mean(np.abs(m - wmean) > wstd)
    out["percent_close_to_median"] = np.mean(np.abs(m - median) < 0.1 * np.ptp(m))
    out["percent_difference_flux_percentile"] = _ratio(f95 - f5, f50)
    out["qso_log_chi2_qsonu"], out["qso_log_chi2nuNULL_chi2nu"] = _qso_features(t, m, w)
    dev = m - m.mean()
    m2, m3, m4 = np.mean(dev ** 2), np.mean(dev ** 3), np.mean(dev ** 4)
    out["skew"] = _ratio(m3, m2 ** 1.5)
    g2 = _ratio(m4, m2 ** 2) - 3.0
    out["small_kurtosis"] = ((n + 1) * g2 + 6.0) * (n - 1) / ((n - 2) * (n - 3)) if n > 3 else np.nan
    out["std"] = np.sqrt(m2)
    delta = np.sqrt(n / (n - 1.0)) * (m - _stetson_mean(m, w)) / e
    p = delta ** 2 - 1.0
    out["stetson_j"] = np.mean(np.sign(p) * np.sqrt(np.abs(p)))
    out["stetson_k"] = _ratio(np.mean(np.abs(delta)), np.sqrt(np.mean(delta ** 2))) / 0.798
    return out


# ---------------------------------------------------------------------------------------- periodic
def _harmonic_fit(t, y, sw, frequency, n_harmonics, trend):
    """Weighted least-squares fit of a constant (and a line) plus harmonics of ``frequency``.

    ``t`` is relative to a reference time, ``sw`` the square roots of the weights,
    ``trend`` the time about which a line is fitted, or None for no line.
    Returns the coefficients (constant, [slope (mag/day),] sin_1..sin_H, cos_1..cos_H)
    and the model at ``t``.
    """
    arg = np.outer(2.0 * np.pi * frequency * t, np.arange(1, n_harmonics + 1))
    columns = [np.ones((t.size, 1))]
    scale = 1.0
    if trend is not None:
        # Times scaled to [-1, 1] keep the normal equations as well conditioned as the harmonics.
        scale = max(float(np.max(np.abs(t - trend))), 1e-12)
        columns.append(((t - trend) / scale)[:, None])
    design = np.concatenate(columns + [np.sin(arg), np.cos(arg)], axis=1)
    weighted = design * sw[:, None]
    # Normal equations solved through an eigendecomposition of the small Gram matrix: a
    # pseudo-inverse like lstsq's (directions with singular value below 1e-6 of the largest
    # are dropped, as when a harmonic aliases another), but tens of times faster than an
    # SVD of the tall design matrix.
    gram = weighted.T @ weighted
    vals, vecs = np.linalg.eigh(gram)
    keep = vals > vals[-1] * 1e-12
    coef = vecs[:, keep] @ ((vecs[:, keep].T @ (weighted.T @ (y * sw))) / vals[keep])
    model = design @ coef
    if trend is not None:
        coef[1] /= scale
    return coef, model


def _amplitudes_phases(coef, n_harmonics):
    """Semi-amplitudes A_j and phases relative to the fundamental, PH_j = phi_j - j phi_1 (wrapped)."""
    a, b = coef[-2 * n_harmonics:-n_harmonics], coef[-n_harmonics:]
    amplitude = np.hypot(a, b)
    phase = np.arctan2(b, a)
    rel = phase - np.arange(1, n_harmonics + 1) * phase[0]
    return amplitude, np.arctan2(np.sin(rel), np.cos(rel))


def _significance(y, sw, frequency, t):
    """Two-sided Gaussian sigma of the single-sinusoid false-alarm probability (1 - p)^((n - 3) / 2)."""
    _, model = _harmonic_fit(t, y, sw, frequency, 1, None)
    yw = y * sw
    chi0 = np.sum((yw - sw * np.dot(sw, yw) / np.dot(sw, sw)) ** 2)
    chi2 = np.sum(((y - model) * sw) ** 2)
    if chi0 <= 0 or chi2 <= 0:
        return np.inf if chi2 <= 0 < chi0 else 0.0
    log_fap = 0.5 * (y.size - 3) * np.log(min(chi2 / chi0, 1.0))
    # Worked in logs: a strong signal has a false-alarm probability far below 1e-300.
    return float(max(-ndtri_exp(log_fap - np.log(2.0)), 0.0))


def _next_frequency(t, y, err, grid, method):
    """Highest Lomb-Scargle peak of ``y``, refined by a parabola through the top three grid points."""
    power = lomb_scargle_power(t, y, err, grid, method)
    k = int(np.argmax(power))
    if 0 < k < grid.size - 1 and np.all(np.isfinite(power[k - 1:k + 2])):
        left, top, right = power[k - 1:k + 2]
        curvature = left - 2 * top + right
        if curvature < 0:
            return grid[k] + 0.5 * (left - right) / curvature * (grid[1] - grid[0])
    return grid[k]


def _model_shape(amplitude, rel_phase):
    """Extrema of the f1 harmonic model over one cycle: (max_delta, min_delta, phi1_phi2)."""
    k = np.arange(1, amplitude.size + 1)
    curve = (amplitude * np.sin(2 * np.pi * np.outer(_MODEL_GRID, k) + rel_phase)).sum(axis=1)
    before, after = np.roll(curve, 1), np.roll(curve, -1)
    # In magnitudes a local maximum of the curve is a minimum of light.
    faint = np.flatnonzero((curve > before) & (curve >= after))
    bright = np.flatnonzero((curve < before) & (curve <= after))
    if faint.size == 0 or bright.size == 0:
        return 0.0, 0.0, np.nan
    faint_mags, bright_mags = np.sort(curve[faint]), np.sort(curve[bright])
    min_delta = faint_mags[-1] - faint_mags[-2] if faint.size > 1 else 0.0
    max_delta = bright_mags[1] - bright_mags[0] if bright.size > 1 else 0.0
    # Extrema in phase order from the faintest minimum: minimum, maximum, minimum, maximum.
    start = _MODEL_GRID[faint[np.argmax(curve[faint])]]
    ext_phase = np.concatenate([_MODEL_GRID[faint], _MODEL_GRID[bright]])
    is_faint = np.concatenate([np.ones(faint.size, bool), np.zeros(bright.size, bool)])
    order = np.argsort((ext_phase - start) % 1.0)
    ext_phase, is_faint = (ext_phase - start)[order] % 1.0, is_faint[order]
    max1 = ext_phase[np.argmax(~is_faint)]
    after_max = np.flatnonzero(is_faint & (ext_phase > max1))
    min2 = ext_phase[after_max[0]] if after_max.size else 1.0
    after_min = np.flatnonzero(~is_faint & (ext_phase > min2))
    max2 = ext_phase[after_min[0]] if after_min.size else max1 + 1.0
    return max_delta, min_delta, _ratio(min2 - max1, max2 - min2)


def _n_alias(frequencies, significances):
    count = 0
    for f, signif in zip(frequencies, significances):
        period = 1.0 / f
        for centre, low, high, alpha1, alpha2 in _ALIASES:
            # Exactly at the alias the cut is infinite: any significance counts.
            cut = np.inf if period == centre else alpha1 / abs(period - centre) ** 0.25 + alpha2
            if low <= period <= high and signif < cut:
                count += 1
                break
    return count


def _fold_diff(m, t, frequency):
    """Consecutive magnitude differences after folding at 1 / ``frequency``."""
    return np.diff(m[np.argsort(((t - t[0]) * frequency) % 1.0, kind="stable")])


def _periodic_features(t, m, e, f1, grid, method):
    n = m.size
    w = 1.0 / e ** 2
    sw = 1.0 / e
    tt = t - t[0]  # small numbers keep the harmonic arguments precise
    tbar = np.dot(w, tt) / w.sum()
    wmean = np.dot(w, m) / w.sum()
    n_harm = max(1, min(_N_HARMONICS, (n - 3) // 2))
    out = {}

    coef1, model1 = _harmonic_fit(tt, m, sw, f1, n_harm, tbar)
    resid = [m - model1]
    freqs, amps, signifs = [f1], [], [_significance(m, sw, f1, tt)]
    amp, rel = _amplitudes_phases(coef1, n_harm)
    amps.append(amp)
    rels = [rel]
    out["linear_trend"] = coef1[1]
    out["freq_y_offset"] = coef1[0] - wmean
    out["freq_varrat"] = _ratio(np.dot(w, resid[0] ** 2), np.dot(w, (m - wmean) ** 2))
    for _ in range(2):
        y = resid[-1]
        f = _next_frequency(t, y, e, grid, method)
        coef, model = _harmonic_fit(tt, y, sw, f, n_harm, None)
        amp, rel = _amplitudes_phases(coef, n_harm)
        freqs.append(f)
        amps.append(amp)
        rels.append(rel)
        signifs.append(_significance(y, sw, f, tt))
        resid.append(y - model)

    for i in range(3):
        out[f"freq{i + 1}_freq"] = freqs[i]
        for j in range(_N_HARMONICS):
            out[f"freq{i + 1}_amplitude{j + 1}"] = amps[i][j] if j < n_harm else 0.0
        for j in range(1, _N_HARMONICS):
            out[f"freq{i + 1}_rel_phase{j + 1}"] = rels[i][j] if j < n_harm else 0.0
    out["freq1_signif"] = signifs[0]
    for i in (2, 3):
        out[f"freq_signif_ratio_{i}1"] = _ratio(signifs[i - 1], signifs[0])
        out[f"freq_frequency_ratio_{i}1"] = freqs[i - 1] / f1
        out[f"freq_amplitude_ratio_{i}1"] = _ratio(amps[i - 1][0], amps[0][0])
    (out["freq_model_max_delta_mags"], out["freq_model_min_delta_mags"],
     out["freq_model_phi1_phi2"]) = _model_shape(amps[0], rels[0])
    ratios = np.array(freqs[1:]) / f1
    near = np.minimum(np.abs(ratios - _RRD_RATIO), np.abs(1.0 / ratios - _RRD_RATIO))
    out["freq_rrd"] = float(np.any(near < _RRD_TOLERANCE))
    out["freq_n_alias"] = float(_n_alias(freqs, signifs))

    # The 2P model: twice the harmonics at half the frequency, so it contains the P model.
    n_harm_2p = max(1, min(_N_HARMONICS_2P, (n - 4) // 2))
    f_half = 0.5 * f1
    coef2, model2 = _harmonic_fit(tt, m, sw, f_half, n_harm_2p, tbar)
    k = np.arange(1, n_harm_2p + 1)
    arg = np.outer(2 * np.pi * f_half * tt, k)
    a, b = coef2[2:2 + n_harm_2p], coef2[2 + n_harm_2p:]
    slope = (2 * np.pi * f_half) * (np.cos(arg) @ (k * a) - np.sin(arg) @ (k * b))
    out["fold2P_slope_10percentile"], out["fold2P_slope_90percentile"] = np.percentile(slope, [10, 90])
    out["medperc90_2p_p"] = _ratio(np.percentile(np.abs(m - model2), 90), np.percentile(np.abs(resid[0]), 90))

    dm = np.diff(m)
    mad = np.median(np.abs(m - np.median(m)))
    ssq = np.dot(dm, dm)
    d2p = _fold_diff(m, t, f_half)
    out["p2p_scatter_2praw"] = _ratio(np.dot(d2p, d2p), ssq)
    out["p2p_scatter_over_mad"] = _ratio(np.median(np.abs(dm)), mad)
    out["p2p_scatter_pfold_over_mad"] = _ratio(np.median(np.abs(_fold_diff(m, t, f1))), mad)
    out["p2p_ssqr_diff_over_var"] = _ratio(ssq, (n - 1) * np.var(m))
    r3 = resid[-1]
    out["scatter_res_raw"] = _ratio(np.median(np.abs(r3 - np.median(r3))), mad)
    return out


def richards_features(time, mag, err, period, *, period_search=None):
    """Richards et al. (2011) features of one cleaned light curve.

    Parameters
    ----------
    time : ndarray
        Observation times, days, increasing and distinct (as
        :func:`astro_cyclic.clean_light_curve` leaves them).
    mag, err : ndarray
        Magnitudes and their errors (> 0), mag.
    period : float
        Period, days; ``1 / period`` is ``freq1_freq``.
    period_search : PeriodSearch, optional
        Whose frequency grid and Lomb-Scargle method search ``freq2_freq`` and
        ``freq3_freq`` (default ``PeriodSearch()``).

    Returns
    -------
    dict
        Feature name -> float, for every name of :data:`FEATURE_NAMES`; see
        the module documentation for each definition and unit.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> t = np.sort(rng.uniform(0, 200, 300))
    >>> mag = 15 + 0.5 * np.sin(2 * np.pi * t / 0.7) + rng.normal(0, 0.01, t.size)
    >>> feats = richards_features(t, mag, np.full(t.size, 0.01), 0.7)
    >>> round(feats["freq1_amplitude1"], 2), round(feats["freq1_freq"] * 0.7, 6)
    (0.5, 1.0)
    """
    search = period_search if period_search is not None else PeriodSearch()
    time, mag, err = (np.asarray(a, dtype=np.float64) for a in (time, mag, err))
    method = validate_period_method(search.method)
    grid = frequency_grid(time, min_period=search.min_period, max_period=search.max_period,
                          samples_per_peak=search.samples_per_peak, n_frequencies=search.n_frequencies)
    out = _nonperiodic_features(time, mag, err)
    out.update(_periodic_features(time, mag, err, 1.0 / float(period), grid, method))
    return {name: float(out[name]) for name in FEATURE_NAMES}


def _feature_vector(time, mag, err, period, period_search):
    """:func:`richards_features` as an array in :data:`FEATURE_NAMES` order (the unit a cache stores)."""
    values = richards_features(time, mag, err, period, period_search=period_search)
    return np.array([values[name] for name in FEATURE_NAMES], dtype=np.float64)


class RichardsFeatures(StarFeatures):
    """Richards et al. (2011) features of raw light curves, as a scikit-learn transformer.

    Each light curve is cleaned (:func:`astro_cyclic.clean_light_curve`), its
    period is the catalogue period it carries or else one found by
    ``period_search`` (once per star), and :func:`richards_features` computes
    the :data:`FEATURE_NAMES` columns, whose definitions, units and
    references are in the :mod:`astro_cyclic.features.richards` documentation.

    A star observed in several bands gets the features of each band (columns
    named ``<band>_<feature>``, computed on that band's observations with the
    star's one period) and its colours, ``color_<b1>_<b2>``: the median
    magnitude of band b1 minus that of band b2, for consecutive bands. A band
    a star lacks (or has fewer than ``min_points`` observations in) gives NaN
    columns, which scikit-learn's tree ensembles accept.

    Parameters
    ----------
    period_search : PeriodSearch, optional
        Finds periods of light curves without one, and sets the frequency grid
        and Lomb-Scargle method of the ``freq2``/``freq3`` searches (default
        ``PeriodSearch()``).
    min_points : int, default 10
        Fewest usable points a light curve needs after cleaning.
    memory : str, path or joblib.Memory, optional
        Cache of each star's features, keyed by its cleaned data, period and
        ``period_search`` (as the ``memory`` of :class:`sklearn.pipeline.Pipeline`):
        repeated fits on overlapping stars, such as the splits of a
        benchmark, compute each star once. None (the default) caches nothing.
    bands : sequence of str, optional
        The bands of multi-band light curves, in column order; an empty
        sequence means single-band light curves. None (the default) takes
        them from the light curves given to ``fit``.

    Attributes
    ----------
    bands_ : tuple of str
        The bands of the output columns; empty for single-band light curves.
    feature_names_out_ : ndarray of str
        Names of the output columns (:data:`FEATURE_NAMES`, per band for
        several bands, and the colours).
    n_features_out_ : int
        Number of output columns.

    Examples
    --------
    >>> from astro_cyclic.datasets import make_periodic_variables
    >>> from astro_cyclic.features import RichardsFeatures
    >>> data = make_periodic_variables(6, classes=["RRab", "EA"], random_state=0)
    >>> features = RichardsFeatures().fit(data.light_curves)
    >>> features.transform(data.light_curves).shape == (6, features.n_features_out_)
    True
    >>> features.get_feature_names_out()[:2]
    array(['amplitude', 'flux_percentile_ratio_mid20'], dtype=object)
    """

    def __init__(self, period_search=None, *, min_points=10, memory=None, bands=None):
        self.period_search = period_search
        self.min_points = min_points
        self.memory = memory
        self.bands = bands

    def fit(self, X, y=None):
        """Check the parameters and the light curves; the features need no training.

        Parameters
        ----------
        X : list of light curves
            Any form accepted by :func:`astro_cyclic.as_light_curve`.
        y : ignored

        Returns
        -------
        self
        """
        self._check_params()
        light_curves = as_light_curves(X)
        if self.bands is not None:
            self.bands_ = tuple(str(b) for b in self.bands)
        else:
            self.bands_ = _bands_of(light_curves)
        names = list(FEATURE_NAMES)
        if self.bands_:
            names = [f"{band}_{name}" for band in self.bands_ for name in FEATURE_NAMES]
            names += [f"color_{a}_{b}" for a, b in zip(self.bands_[:-1], self.bands_[1:])]
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)
        return self

    def transform(self, X):
        """Features of each light curve.

        Parameters
        ----------
        X : list of light curves
            Any form accepted by :func:`astro_cyclic.prepare_light_curves`;
            prepared stars are not cleaned again, nor their periods searched.

        Returns
        -------
        ndarray, shape (n_stars, n_features)
            One column per name of :data:`FEATURE_NAMES`. Non-finite values (a
            ratio with a zero denominator, say) are NaN, which scikit-learn's
            tree ensembles accept.
        """
        check_is_fitted(self)
        self._check_params()
        search = self.period_search if self.period_search is not None else PeriodSearch()
        stars = prepare_light_curves(X, period_search=search, min_points=self.min_points)
        # check_memory takes str but not pathlib paths.
        memory = os.fspath(self.memory) if isinstance(self.memory, os.PathLike) else self.memory
        compute = check_memory(memory).cache(_feature_vector)
        bands = getattr(self, "bands_", ())  # objects pickled before bands existed are single-band
        features = np.empty((len(stars), self.n_features_out_))
        for i, star in enumerate(stars):
            lc = star.light_curve
            if not bands:
                if lc.band is not None:
                    raise ValueError(f"{lc.label} has bands {', '.join(lc.bands)}, but the features were fitted "
                                     "on single-band light curves; give one band (StarLightCurve.select_band)")
                features[i] = compute(lc.time, lc.mag, lc.err, float(star.period), search)
            else:
                features[i] = self._multiband_vector(star, bands, compute, search)
        features[~np.isfinite(features)] = np.nan
        return features

    def _multiband_vector(self, star, bands, compute, search):
        """Each band's features with the star's period, then the colours of consecutive bands."""
        lc = star.light_curve
        self._check_bands(lc, bands)
        out = np.full((len(bands), len(FEATURE_NAMES)), np.nan)
        medians = np.full(len(bands), np.nan)
        for k, band in enumerate(bands):
            keep = lc.band == band
            if keep.sum() < self.min_points:
                continue  # too few observations for this band's features: NaN, which the forest accepts
            time, mag, err = lc.time[keep], lc.mag[keep], lc.err[keep]
            medians[k] = np.median(mag)
            try:
                out[k] = compute(time, mag, err, float(star.period), search)
            except ValueError:  # e.g. a band of constant magnitudes: its features are undefined
                continue
        return np.concatenate([out.ravel(), medians[:-1] - medians[1:]])
