"""Holm's adjustment against R's p.adjust, statsmodels and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from evalkit.stats.multitest import holm

from .reference import r_output


def _holm(p, column="p"):
    return holm(pd.DataFrame({column: p}), p=column)[f"{column}_holm"].to_numpy()


def test_holm_equals_r_p_adjust_on_a_correlation_family():
    pairs = r_output("correlation")["pearson"]
    p = np.array([pair["p"] for pair in pairs])
    assert _holm(p) == pytest.approx([pair["p_holm"] for pair in pairs], rel=1e-12)
    # second oracle: statsmodels
    assert _holm(p) == pytest.approx(multipletests(p, method="holm")[1], rel=1e-12)


def test_holm_by_hand_differs_from_bonferroni():
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 -> 0.02, 0.03, 0.06, 0.04 -> monotone 0.06
    assert _holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_missing_p_values_stay_missing_and_do_not_enlarge_the_family():
    adjusted = _holm([0.01, np.nan, 0.04])
    assert np.isnan(adjusted[1])
    assert adjusted[[0, 2]] == pytest.approx([0.02, 0.04])
    assert _holm([]).size == 0
    assert np.isnan(_holm([np.nan, np.nan])).all()
    with pytest.raises(ValueError):
        _holm([1.2])


def test_the_frame_comes_back_whole_with_the_named_column_adjusted():
    tests = pd.DataFrame({"test": ["a", "b"], "wilcoxon_p": [0.04, 0.01], "p": [0.5, 0.5]})
    adjusted = holm(tests, p="wilcoxon_p")
    assert adjusted.columns.tolist() == ["test", "wilcoxon_p", "p", "wilcoxon_p_holm"]
    assert adjusted["wilcoxon_p_holm"].tolist() == pytest.approx([0.04, 0.02])
    assert "wilcoxon_p_holm" not in tests  # the input is not changed
    with pytest.raises(ValueError, match="no column"):
        holm(tests, p="rank_p")
