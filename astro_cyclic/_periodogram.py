"""The nifty-ls Lomb-Scargle periodogram with its FINUFFT plans kept between stars.

nifty-ls (Garrison et al. 2024) computes the classical periodogram with two
type-1 non-uniform FFTs, and builds two new FINUFFT plans on every call. For
one 1,000-point star on a 200,000-frequency grid, building them took about a
third of the call on this project's 2-core machine (``benchmarks/performance.py``
measures both paths side by side). A plan depends only on the grid length, so
here the plans are built once per grid length and thread and reused for every
later star with that length; the pre- and post-processing are nifty-ls's own
compiled helpers, so the power is nifty-ls's within FINUFFT's 1e-9 precision (checked in the tests
against ``LombScargle.power(method="fastnifty")``).

The helpers are private to nifty-ls, so they are called only for the nifty-ls
versions they were written against (:data:`NIFTY_LS_VERSIONS`) and when they
are present with the names used here (:func:`reusable_plans_available`);
otherwise the period search falls back to astropy's ``fastnifty`` method,
which calls nifty-ls through its public interface.

Plans are cached per thread (a plan holds its own work arrays, so two threads
must not share one) and at most :data:`MAX_PLANS_PER_THREAD` grid lengths are
kept, the least recently used dropped first: a plan for 200,000 frequencies
holds about 8 MB.

References
----------
.. [1] Garrison, L. H., Foreman-Mackey, D., Shih, Y., & Barnett, A. 2024, RNAAS, 8, 250
.. [2] Barnett, A. H., Magland, J., & af Klinteberg, L. 2019, SIAM J. Sci. Comput., 41, C479
"""

import functools
import threading
from collections import OrderedDict

import numpy as np

__all__ = ["MAX_PLANS_PER_THREAD", "NIFTY_LS_VERSIONS", "nifty_power", "reusable_plans_available"]

#: nifty-ls versions (from, below) whose private compiled helpers :func:`nifty_power` calls: 1.1 added them;
#: a new major version may change them.
NIFTY_LS_VERSIONS = ((1, 1), (2, 0))

#: Grid lengths whose FINUFFT plans each thread keeps.
MAX_PLANS_PER_THREAD = 4

# nifty-ls's settings for double precision (nifty_ls/finufft.py): precision 1e-9,
# upsampling 1.25 and FFTW_ESTIMATE planning (64), one thread: parallelism belongs
# to the caller, one star per worker.
_FINUFFT_KWARGS = {"eps": 1e-9, "upsampfac": 1.25, "fftw": 64, "nthreads": 1}

_local = threading.local()


@functools.cache
def reusable_plans_available():
    """Whether :func:`nifty_power` can run: nifty-ls and finufft importable, a version in
    :data:`NIFTY_LS_VERSIONS`, and the helpers it calls present.

    Examples
    --------
    >>> isinstance(reusable_plans_available(), bool)
    True
    """
    try:
        import finufft  # noqa: F401
        import nifty_ls
        from nifty_ls import cpu_helpers
    except ImportError:
        return False
    try:
        version = tuple(int(part) for part in nifty_ls.__version__.split(".")[:2])
    except (AttributeError, ValueError):  # a development version string we cannot read
        return False
    low, high = NIFTY_LS_VERSIONS
    return low <= version < high and all(
        hasattr(cpu_helpers, name) for name in ("process_finufft_inputs", "process_finufft_outputs", "NormKind"))


def _plans(n_frequencies):
    """(pair plan, single plan) of this thread for a grid of ``n_frequencies``."""
    cache = getattr(_local, "plans", None)
    if cache is None:
        cache = _local.plans = OrderedDict()
    if n_frequencies in cache:
        cache.move_to_end(n_frequencies)
        return cache[n_frequencies]
    import finufft

    # With a floating mean, nifty-ls transforms (y w, w) at t1 as a pair and w^2 at t2 = 2 t1.
    plans = (finufft.Plan(1, (n_frequencies,), n_trans=2, dtype=np.complex128, **_FINUFFT_KWARGS),
             finufft.Plan(1, (n_frequencies,), n_trans=1, dtype=np.complex128, **_FINUFFT_KWARGS))
    cache[n_frequencies] = plans
    while len(cache) > MAX_PLANS_PER_THREAD:
        cache.popitem(last=False)
    return plans


def nifty_power(time, mag, err, f0, df, n_frequencies):
    """Lomb-Scargle power on a regular grid: floating mean, standard normalisation.

    The same as ``LombScargle(time, mag, err).power(frequency,
    method="fastnifty")`` with astropy's defaults (``fit_mean=True``,
    ``center_data=True``, ``normalization="standard"``), computed with reused
    FINUFFT plans.

    Parameters
    ----------
    time, mag : ndarray, shape (n,)
        Times (days) and magnitudes.
    err : ndarray, shape (n,), or None
        Magnitude errors (> 0); unweighted when None.
    f0, df : float
        First frequency and grid step, 1/day.
    n_frequencies : int
        Grid length.

    Returns
    -------
    ndarray, shape (n_frequencies,)
        Power at ``f0 + df * arange(n_frequencies)``, between 0 and 1.
    """
    from nifty_ls import cpu_helpers

    t = np.ascontiguousarray(time, dtype=np.float64)
    y = np.ascontiguousarray(mag, dtype=np.float64).reshape(1, -1)
    dy = np.ones((1, 1)) if err is None else np.ascontiguousarray(err, dtype=np.float64).reshape(1, -1)
    n = t.size
    t1, t2 = np.empty_like(t), np.empty_like(t)
    yw_w = np.empty((2, n), dtype=np.complex128)
    w2 = np.empty((1, n), dtype=np.complex128)
    norm = np.empty(1)
    cpu_helpers.process_finufft_inputs(t1, t2, yw_w[:1], yw_w[1:], w2, norm, t, y, dy, float(f0), float(df),
                                       int(n_frequencies), True, True, False, 1)
    pair, single = _plans(int(n_frequencies))
    pair.setpts(t1)
    f1_fw = pair.execute(yw_w)
    single.setpts(t2)
    f2 = single.execute(w2).reshape(1, -1)
    power = np.empty((1, int(n_frequencies)))
    cpu_helpers.process_finufft_outputs(power, f1_fw[:1], f1_fw[1:], f2, norm, cpu_helpers.NormKind.Standard,
                                        True, 1)
    return power[0]
