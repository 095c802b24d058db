"""Means with t intervals per group: by hand, and against scipy's t interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from evalkit.stats.describe import mean_table


def test_mean_and_t_interval_by_hand_and_against_scipy():
    data = pd.DataFrame({"wave": ["a"] * 4 + ["b"] * 3,
                         "score": [2.0, 4.0, 6.0, np.nan, 1.0, 2.0, 6.0]})
    table = mean_table(data, dv="score", between="wave").set_index("wave")
    # a: 2, 4, 6 (the blank is left out): mean 4, SD 2, half-width t(0.975, 2) * 2 / sqrt(3)
    assert table.loc["a", ["n", "mean", "sd"]].tolist() == [3, 4.0, 2.0]
    assert table.loc["a", "ci_high"] - 4.0 == pytest.approx(4.302652729911275 * 2 / np.sqrt(3))
    low, high = st.t.interval(0.9, 2, loc=3.0, scale=st.sem([1.0, 2.0, 6.0]))
    b = mean_table(data, dv="score", between="wave", confidence=0.9).set_index("wave").loc["b"]
    assert (b["ci_low"], b["ci_high"]) == pytest.approx((low, high), rel=1e-12)


def test_groups_in_the_order_given_and_a_group_without_values():
    data = pd.DataFrame({"wave": ["post", "pre", "pre"], "score": [5.0, 1.0, 3.0]})
    table = mean_table(data, dv="score", between="wave", order=["pre", "post", "follow_up"])
    assert table["wave"].tolist() == ["pre", "post", "follow_up"]
    assert table["n"].tolist() == [2, 1, 0]
    assert np.isnan(table.loc[1, "sd"]) and np.isnan(table.loc[2, "mean"])


def test_a_missing_column_is_named():
    data = pd.DataFrame({"wave": ["a"], "score": [1.0]})
    with pytest.raises(ValueError, match="'total'"):
        mean_table(data, dv="total", between="wave")
    with pytest.raises(ValueError, match="'site'"):
        mean_table(data, dv="score", between=["wave", "site"])
