import threading

import numpy as np
import pytest
from astropy.timeseries import LombScargle

pytest.importorskip("nifty_ls", reason="the reused-plan periodogram needs nifty-ls (the 'fast' extra)")

from astro_cyclic import _periodogram  # noqa: E402
from astro_cyclic._periodogram import nifty_power  # noqa: E402


@pytest.mark.parametrize("n_points, n_frequencies, epoch", [(1000, 200_000, 2_450_000.0), (60, 100_000, 0.0)])
@pytest.mark.parametrize("weighted", [True, False])
def test_power_is_nifty_ls_power_through_astropy(n_points, n_frequencies, epoch, weighted):
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 900, n_points)) + epoch
    mag = 15 + 0.3 * np.sin(2 * np.pi * t / 0.61) + rng.normal(0, 0.1, n_points)
    err = rng.uniform(0.05, 0.2, n_points) if weighted else None
    frequency = np.linspace(1 / 900, 20, n_frequencies)
    expected = LombScargle(t, mag, err).power(frequency, method="fastnifty", method_kwds={"nthreads": 1},
                                              assume_regular_frequency=True)
    power = nifty_power(t, mag, err, frequency[0], frequency[1] - frequency[0], n_frequencies)
    # FINUFFT's requested precision is 1e-9; reused plans agree far better than that (bit for bit, mostly).
    np.testing.assert_allclose(power, expected, rtol=0, atol=1e-9)
    assert abs(1 / frequency[np.argmax(power)] - 0.61) < 1e-3


def test_plans_are_reused_per_grid_length_and_bounded():
    _periodogram._local.__dict__.clear()
    first = _periodogram._plans(1_000)
    assert _periodogram._plans(1_000) is first
    for n in range(2_000, 2_000 + 100 * _periodogram.MAX_PLANS_PER_THREAD, 100):
        _periodogram._plans(n)
    assert len(_periodogram._local.plans) == _periodogram.MAX_PLANS_PER_THREAD
    assert 1_000 not in _periodogram._local.plans  # the least recently used went first


def test_threads_get_their_own_plans_and_equal_powers():
    # A plan holds work arrays, so threads running at once must not share one.
    rng = np.random.default_rng(2)
    stars = [(np.sort(rng.uniform(0, 500, 300)), rng.normal(size=300)) for _ in range(8)]
    plans, powers = {}, {}

    def work(i):
        t, mag = stars[i]
        powers[i] = nifty_power(t, mag, None, 0.002, 0.001, 5_000)
        plans[i] = _periodogram._plans(5_000)[0]  # kept alive, so no two share an id

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(stars))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(plan) for plan in plans.values()}) == len(stars)
    for i, (t, mag) in enumerate(stars):
        # Another thread's plan: equal far within FINUFFT's 1e-9 (a plan's memory alignment may differ).
        np.testing.assert_allclose(powers[i], nifty_power(t, mag, None, 0.002, 0.001, 5_000), rtol=0, atol=1e-12)


@pytest.mark.parametrize("version, usable", [("1.1.0", True), ("1.4.2", True), ("1.0.3", False), ("2.0.0", False),
                                             ("main", False)])
def test_private_helpers_are_called_only_for_known_versions(monkeypatch, version, usable):
    import nifty_ls

    _periodogram.reusable_plans_available.cache_clear()
    monkeypatch.setattr(nifty_ls, "__version__", version)
    try:
        assert _periodogram.reusable_plans_available() is usable
    finally:
        _periodogram.reusable_plans_available.cache_clear()


def test_missing_helpers_fall_back_to_astropys_fastnifty(monkeypatch):
    """A nifty-ls of a version not known here still gives the same periodogram, through astropy's method."""
    import nifty_ls

    from astro_cyclic import period
    from astro_cyclic.period import lomb_scargle_power

    rng = np.random.default_rng(2)
    t = np.sort(rng.uniform(0, 300, 200))
    mag = 15 + 0.3 * np.sin(2 * np.pi * t / 0.61) + rng.normal(0, 0.1, t.size)
    err = np.full(t.size, 0.1)
    frequency = np.linspace(1 / 300, 20, 20_000)
    reused = lomb_scargle_power(t, mag, err, frequency, "fastnifty")

    def broken(*args, **kwargs):
        raise AssertionError("the reused-plan path was taken")

    _periodogram.reusable_plans_available.cache_clear()
    monkeypatch.setattr(nifty_ls, "__version__", "2.0.0")  # a version whose private helpers may differ
    monkeypatch.setattr(period, "nifty_power", broken)
    try:
        assert not _periodogram.reusable_plans_available()
        fallback = lomb_scargle_power(t, mag, err, frequency, "fastnifty")
    finally:
        _periodogram.reusable_plans_available.cache_clear()
    np.testing.assert_allclose(fallback, reused, rtol=0, atol=1e-9)
