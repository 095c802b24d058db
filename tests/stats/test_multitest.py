"""Holm's adjustment against R's p.adjust and by hand."""

from __future__ import annotations

import numpy as np
import pytest

from evalkit.stats.multitest import holm

from .reference import r_output


def test_holm_equals_r_p_adjust_on_a_correlation_family():
    pairs = r_output("correlation")["pearson"]
    p = np.array([pair["p"] for pair in pairs])
    assert holm(p) == pytest.approx([pair["p_holm"] for pair in pairs], rel=1e-12)


def test_holm_by_hand_differs_from_bonferroni():
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 -> 0.02, 0.03, 0.06, 0.04 -> monotone 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_missing_p_values_stay_missing_and_do_not_enlarge_the_family():
    adjusted = holm([0.01, np.nan, 0.04])
    assert np.isnan(adjusted[1])
    assert adjusted[[0, 2]] == pytest.approx([0.02, 0.04])
    assert holm([]).size == 0
    with pytest.raises(ValueError):
        holm([1.2])
