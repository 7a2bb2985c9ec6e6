"""benchmarks/class_aware_period.py: how a candidate period is chosen, or the candidates averaged."""

import numpy as np

from astro_cyclic import StarLightCurve
from class_aware_period import WRONG, _choose, _marginal_accuracy, _wrong_folds


class _Model:
    def __init__(self, classes):
        self.classes_ = np.asarray(classes)


def test_wrong_folds_leave_out_the_period_itself_and_keep_the_best_candidates():
    lc = StarLightCurve(np.arange(20.0), np.sin(np.arange(20.0)), star_id="s")
    folds = _wrong_folds([lc], [np.array([0.5, 0.502, 1.0 / 3, 1.0, 2.0])], [0.5], 2)
    assert [fold.period for fold in folds] == [1.0 / 3, 1.0]  # 0.502 d is within 1% of 0.5 d
    assert _wrong_folds([lc], [np.array([0.5])], [0.5], 2) == []


def test_the_choice_follows_the_confidence_the_bic_or_the_right_fold():
    proba = [np.array([[0.6, 0.4], [0.2, 0.8], [0.7, 0.3]])]
    delta_bic = [np.array([0.0, 30.0, 2.0])]
    assert _choose(proba, delta_bic, None, None).tolist() == [0]  # the search's own choice
    assert _choose(proba, delta_bic, 0.0, None).tolist() == [1]  # the surest fold
    assert _choose(proba, delta_bic, 1.0, None).tolist() == [0]  # 30 in BIC outweighs the confidence
    # With a WRONG column (the second): the fold least likely to be a wrong one.
    assert _choose(proba, delta_bic, 0.0, 1).tolist() == [2]


def test_averaging_weighs_folds_by_bic_and_by_being_right():
    model = _Model(["RRab", WRONG, "EA"])
    proba = [np.array([[0.5, 0.0, 0.5 - 1e-3], [0.0, 0.1, 0.9]])]
    # Equal BIC: the second fold's EA wins; a strong BIC penalty on it leaves the first fold's RRab.
    assert _marginal_accuracy(model, proba, [np.array([0.0, 0.0])], np.array(["EA"]), 1.0) == 1.0
    assert _marginal_accuracy(model, proba, [np.array([0.0, 40.0])], np.array(["RRab"]), 1.0) == 1.0
    # A fold judged wrong counts for nothing.
    wrong = [np.array([[0.5, 0.0, 0.5 - 1e-3], [0.0, 1.0, 0.0]])]
    assert _marginal_accuracy(model, wrong, [np.array([0.0, 0.0])], np.array(["RRab"]), 1.0) == 1.0
