"""Shared test fixtures.

Real survey data are not part of the repository. Tests that need them take the
``data_home`` fixture, which skips the test, with the reason, when the data
cannot be found.
"""

import os
from pathlib import Path

import numpy as np
import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_ENV_VAR = "ASTRO_CYCLIC_DATA"
_SKIP_REASON = "real survey data not found: set ASTRO_CYCLIC_DATA or put it in ../shared/data"


def find_data_home():
    """Return the folder holding the real survey data, or None when it is absent.

    ``$ASTRO_CYCLIC_DATA`` when set, else ``<repo root>/../shared/data``.
    """
    env = os.environ.get(DATA_ENV_VAR)
    candidate = Path(env).expanduser() if env else REPO_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def data_home():
    """Folder holding the real survey data sets (one sub-folder each); skips when absent."""
    found = find_data_home()
    if found is None:
        pytest.skip(_SKIP_REASON)
    return found


@pytest.fixture(scope="session")
def ogle3_catalogue(data_home):
    """The real OGLE-III catalogue, read once (about 12 s) for every test that needs it."""
    from astro_cyclic.datasets import load_ogle3_catalogue

    return load_ogle3_catalogue(data_home=data_home)


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Run torch on one thread: the test networks are tiny, so threads only add overhead, and two
    busy-waiting OpenMP pools on CI's 2 cores (pytest plus a subprocess) can slow a test 50-fold."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(autouse=True)
def _seeded_global_generators():
    """Seed numpy's and torch's global generators before every test, so that a test (or library code)
    drawing from them without a generator of its own is repeatable and independent of test order."""
    np.random.seed(0)
    torch.manual_seed(0)
