"""Cronbach's alpha against psych::alpha and psych::alpha.ci (Feldt), reliable change by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.stats.reliability import (
    RC_CATEGORIES,
    cronbach_alpha,
    reliable_change,
    reliable_change_category,
)

from .reference import r_output, stats_input

R = r_output("reliability")


def test_alpha_and_feldt_interval_equal_psych_at_full_precision():
    row = cronbach_alpha(stats_input("alpha_items")).iloc[0]
    assert (row["items"], row["n"]) == (R["items"], R["n"])  # listwise: 57 of 60
    assert row["alpha"] == pytest.approx(R["alpha"], rel=1e-12)
    # full precision: a 3-decimal rounding would be off by up to 5e-4
    assert row["ci_low"] == pytest.approx(R["ci_low"], abs=1e-12)
    assert row["ci_high"] == pytest.approx(R["ci_high"], abs=1e-12)
    assert row["note"] == ""


def test_feldt_interval_follows_the_confidence_asked_for():
    row = cronbach_alpha(stats_input("alpha_items"), confidence=0.90).iloc[0]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((R["ci_low_90"], R["ci_high_90"]),
                                                            abs=1e-12)


def test_alpha_by_the_covariance_formula():
    # alpha = k * mean covariance / (mean variance + (k - 1) * mean covariance)
    block = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    cov = np.cov(block.to_numpy(), rowvar=False)
    mean_var, mean_cov = np.trace(cov) / 3, (cov.sum() - np.trace(cov)) / 6
    assert cronbach_alpha(block)["alpha"].iloc[0] == pytest.approx(
        3 * mean_cov / (mean_var + 2 * mean_cov))


@pytest.mark.parametrize("block,note", [
    (pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]}), "do not vary"),
    (pd.DataFrame({"a": [1, 2], "b": [2, 3]}), "fewer than two items or three"),
    (pd.DataFrame({"a": [1, 2, 3, 4]}), "fewer than two items or three"),
])
def test_undefined_alpha_is_a_note_not_an_error(block, note):
    row = cronbach_alpha(block).iloc[0]
    assert np.isnan(row["alpha"]) and np.isnan(row["ci_low"]) and note in row["note"]


def test_reliable_change_hand_worked():
    # sd_pre 0.6, reliability 0.84: SE = 0.6 * 0.4 = 0.24; S_diff = sqrt(2) * 0.24 = 0.33941
    rc = reliable_change([3.4, 3.0, 2.0, np.nan], [2.6, 2.9, 3.0, 1.0], sd_pre=0.6,
                         reliability=0.84)
    assert rc[:3] == pytest.approx([-0.8 / 0.339411255, -0.1 / 0.339411255,
                                    1.0 / 0.339411255], rel=1e-8)
    assert np.isnan(rc[3])


@pytest.mark.parametrize("kwargs,message", [
    ({"sd_pre": 1.0, "reliability": 1.0}, "reliability"),
    ({"sd_pre": 1.0, "reliability": -0.1}, "reliability"),
    ({"sd_pre": 0.0, "reliability": 0.8}, "sd_pre"),
])
def test_reliable_change_refuses_impossible_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        reliable_change([1.0], [2.0], **kwargs)
    with pytest.raises(ValueError, match="same length"):
        reliable_change([1.0, 2.0], [2.0], sd_pre=1.0, reliability=0.8)


def test_a_change_exactly_at_the_criterion_is_not_reliable():
    rc = [-1.96, 1.96, -1.9600001, 1.9600001, 0.0, np.nan]
    worse_is_higher = reliable_change_category(rc)
    assert list(worse_is_higher) == ["no_reliable_change", "no_reliable_change",
                                     "reliably_improved", "reliably_worse",
                                     "no_reliable_change", np.nan]
    assert list(worse_is_higher.categories) == list(RC_CATEGORIES)


def test_direction_follows_the_meaning_of_a_higher_score():
    better = reliable_change_category([-3.0, 3.0], higher_is="better")
    assert list(better) == ["reliably_worse", "reliably_improved"]
    assert list(reliable_change_category([2.5], criterion=3.0)) == ["no_reliable_change"]
    with pytest.raises(ValueError, match="higher_is"):
        reliable_change_category([1.0], higher_is="lower")
