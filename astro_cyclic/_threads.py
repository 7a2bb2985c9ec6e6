"""CPU threads: how many torch and the BLAS/OpenMP libraries may use during ``fit`` and ``predict``.

torch starts as many intra-op threads as the machine has cores, and OpenMP
threads spin while they wait for work. On a machine that other jobs keep busy
(a shared cluster node, a laptop) those threads fight the other jobs for the
cores: on this project's 2-core machine, beside three CPU-bound processes,
``fit`` on 80 stars took 17 times as long with torch's default threads as with
one. So the estimators take scikit-learn's ``n_jobs`` and hold torch and the
BLAS/OpenMP pools (through threadpoolctl) to that many threads while they
work, and give back the previous settings afterwards.

The settings are process-wide (torch and the BLAS libraries have no
per-thread setting): two threads of one process that run estimators with
different ``n_jobs`` at the same time share whichever was set last.
"""

import sys
from contextlib import contextmanager

from joblib import effective_n_jobs

__all__ = ["resolve_n_jobs", "thread_limits"]

_controller = None


def resolve_n_jobs(n_jobs):
    """The number of threads ``n_jobs`` means, as in scikit-learn.

    ``None`` is 1 (unless inside a joblib ``parallel_config`` that says
    otherwise); ``-1`` is every core this process may use; ``-2`` all but one,
    and so on.

    Raises
    ------
    ValueError
        When ``n_jobs`` is 0 or not an integer.

    Examples
    --------
    >>> resolve_n_jobs(None), resolve_n_jobs(2)
    (1, 2)
    >>> resolve_n_jobs(0)
    Traceback (most recent call last):
    ...
    ValueError: n_jobs must be None or a non-zero integer (-1: all cores), got 0
    """
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0):
        raise ValueError(f"n_jobs must be None or a non-zero integer (-1: all cores), got {n_jobs!r}")
    return max(1, int(effective_n_jobs(n_jobs)))


@contextmanager
def thread_limits(n_jobs):
    """Hold torch's intra-op threads and the BLAS/OpenMP pools to ``n_jobs`` threads inside the block.

    torch is limited only when it is already imported (the random forest
    never imports it). The previous settings are restored on leaving.

    Yields
    ------
    int
        The number of threads.
    """
    global _controller
    n = resolve_n_jobs(n_jobs)
    if _controller is None:
        # Finding the loaded libraries takes milliseconds; do it once. Libraries loaded later (none
        # that matter: numpy's BLAS and torch's OpenMP are loaded before the first fit) are not seen.
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    torch = sys.modules.get("torch")
    previous = None if torch is None else torch.get_num_threads()
    with _controller.limit(limits=n):
        try:
            if torch is not None and previous != n:
                torch.set_num_threads(n)
            yield n
        finally:
            if torch is not None and torch.get_num_threads() != previous:
                torch.set_num_threads(previous)
