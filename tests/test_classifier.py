"""Labels in, labels out (astro_cyclic._classifier): what every classifier of the package checks in y."""

import numpy as np
import pandas as pd
import pytest

from astro_cyclic import CyclicClassifier, PeriodSearch, RichardsForestClassifier, clean_light_curve
from astro_cyclic.datasets import make_periodic_variables


@pytest.fixture(scope="module")
def stars():
    return make_periodic_variables(4, classes=["RRab", "EA"], random_state=0).light_curves


@pytest.mark.parametrize("estimator", [CyclicClassifier, RichardsForestClassifier])
@pytest.mark.parametrize("y, match", [
    (np.array([1.0, np.nan, 2.0, 1.0]), "y has 1 missing labels \\(None or NaN\\), the first at position 1"),
    (np.array(["EA", None, "RR", "EA"], dtype=object), "y has 1 missing labels .* at position 1"),
    (pd.Series(["EA", "RR", np.nan, None]), "y has 2 missing labels .* at position 2"),
    (["EA", 1, "RR", "EA"], "y mixes label types \\(string 'EA', number 1\\)"),
])
def test_bad_labels_are_named_before_any_work(stars, estimator, y, match):
    with pytest.raises(ValueError, match=match):
        estimator().fit(stars, y)


def test_scoring_checks_the_labels_too(stars):
    clf = RichardsForestClassifier(n_estimators=5, random_state=0).fit(stars, ["EA", "RR"] * 2)
    assert clf.score(stars, ["EA", "RR"] * 2) == 1.0
    with pytest.raises(ValueError, match="y mixes label types"):
        clf.score(stars, ["EA", 1, "RR", "EA"])


def test_predict_table_has_the_probabilities_the_period_and_its_source(stars):
    from astropy import units as u

    clf = RichardsForestClassifier(n_estimators=5, random_state=0).fit(stars, ["EA", "RR"] * 2)
    without_period = stars[0].with_period(None)
    table = clf.predict_table([stars[1], without_period])
    assert table.colnames == ["star_id", "n_points", "period", "period_source", "period_flags", "predicted_class",
                              "proba_EA", "proba_RR"]
    # The searched star's flags are those of the search's chosen candidate; a catalogue period has none.
    expected = PeriodSearch().candidates(clean_light_curve(without_period))["flags"][0]
    assert table["period_flags"].tolist() == ["", expected] and expected.startswith("chosen")
    assert table["period"].unit == u.day and table["period_source"].tolist() == ["catalogue", "search"]
    assert table["period"][0] == stars[1].period
    proba = np.column_stack([table["proba_EA"], table["proba_RR"]])
    np.testing.assert_allclose(proba, clf.predict_proba([stars[1], without_period]))
    assert table["predicted_class"].tolist() == clf.predict([stars[1], without_period]).tolist()
    assert table.meta["model"] == "RichardsForestClassifier" and table.meta["classes"] == ["EA", "RR"]
    assert table.meta["params"]["n_estimators"] == "5"
