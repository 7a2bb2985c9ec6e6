"""The registry of data sets by name (astro_cyclic.datasets.registry)."""

import numpy as np
import pytest

from astro_cyclic.datasets import DATASETS, load_dataset, make_periodic_variables


def test_every_registered_data_set_loads_or_says_where_its_data_are(tmp_path):
    for name in DATASETS:
        if name == "synthetic":
            data = load_dataset(name, n_stars=12, classes=["RRab", "EA"], random_state=3)
            expected = make_periodic_variables(12, classes=["RRab", "EA"], random_state=3)
            np.testing.assert_array_equal(data.target, expected.target)
            assert data.light_curves == expected.light_curves
            continue
        with pytest.raises(FileNotFoundError, match=str(tmp_path)):
            load_dataset(name, data_home=tmp_path)


def test_unknown_names_list_the_registered_ones():
    with pytest.raises(ValueError,
                       match="dataset must be one of 'synthetic', 'eros1', 'eros1_2band', 'asas'; got 'ogle'"):
        load_dataset("ogle")


def test_real_eros1_by_name(data_home):
    data = load_dataset("EROS1", data_home=data_home)
    assert len(data.light_curves) == 3641 and data.description == "EROS-1 red band (catalogue periods)"
