"""Paired change and the signed-rank test against R (t.test, wilcox.test), Fisher's analysis of
Darwin's maize and hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.stats.paired import paired_change, wave_changes, wide, wilcoxon_signed_rank

from .reference import r_output, stats_input

R = r_output("paired")
CASES = stats_input("paired_cases")
NAMES = sorted(CASES["case"].unique())


def _case(name):
    rows = CASES[CASES["case"] == name]
    return rows["before"].to_numpy(), rows["after"].to_numpy()


@pytest.mark.parametrize("name", NAMES)
def test_paired_t_interval_and_effect_sizes_equal_r(name):
    before, after = _case(name)
    row = paired_change(before, after).iloc[0]
    reference = R[name]
    assert row["n"] == reference["n"]
    for column in ("mean_before", "mean_after", "mean_change", "t", "df", "p", "ci_low",
                   "ci_high", "d_z", "d_av"):
        assert row[column] == pytest.approx(reference[column], rel=1e-9, abs=1e-12), column
    assert row["note"] == ""


@pytest.mark.parametrize("name", NAMES)
def test_signed_rank_test_equals_r_on_rounded_differences(name):
    # R: wilcox.test(d[d != 0], exact = (n <= 50 and no ties), correct = FALSE) on round(d, 9)
    before, after = _case(name)
    row = paired_change(before, after).iloc[0]
    reference = R[name]
    assert row["wilcoxon_v"] == reference["wilcoxon_v"]
    assert row["wilcoxon_p"] == pytest.approx(reference["wilcoxon_p"], rel=1e-9)
    assert row["wilcoxon_method"] == reference["wilcoxon_method"]
    test = wilcoxon_signed_rank(after - before).iloc[0]
    assert test["n_nonzero"] == reference["wilcoxon_n_nonzero"]


def test_float_noise_does_not_separate_equal_changes():
    # Mean scores (sixths) whose equal changes differ in the last bits. Unrounded, R itself gives
    # V = 102, p = 0.425; after rounding to 1e-9 the ties are ties again: V = 92.5, p = 0.2655.
    before, after = _case("float_ties")
    diff = after - before
    assert np.unique(diff).size > np.unique(np.round(diff, 9)).size  # the noise is really there
    row = wilcoxon_signed_rank(diff).iloc[0]
    assert row["v"] == 92.5 and R["float_ties"]["r_default_unrounded_v"] == 102
    assert row["p"] == pytest.approx(0.265533065312876, rel=1e-9)


def test_exact_p_at_fifty_pairs_and_normal_beyond():
    n50 = wilcoxon_signed_rank(np.subtract(*_case("n50")[::-1])).iloc[0]
    assert n50["method"] == "exact" and n50["n_nonzero"] == 50
    # R's wilcox.test switches to the normal approximation at 50 already (p = 0.18761)
    assert n50["p"] == pytest.approx(0.190959744362186, rel=1e-9)
    n60 = wilcoxon_signed_rank(np.subtract(*_case("n60")[::-1])).iloc[0]
    assert n60["method"] == "normal approximation with tie correction"


def test_wilcoxon_on_darwins_maize_differences():
    # Cross- minus self-fertilised heights (eighths of an inch) as analysed by Fisher (1935): the
    # exact two-sided signed-rank p is 0.0413 with W+ = 96 (W- = 24).
    diff = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    row = wilcoxon_signed_rank(diff).iloc[0]
    assert row["v"] == 96 and row["p"] == pytest.approx(0.0413, abs=5e-5)


def test_signed_rank_by_hand_with_zeros_and_ties():
    # differences 0, 0, 1, -1, 2, 2, 3: zeros dropped, |d| = 1, 1, 2, 2, 3 -> ranks 1.5, 1.5,
    # 3.5, 3.5, 5; V = 1.5 + 3.5 + 3.5 + 5 = 13.5; mean 7.5; var = 5*6*11/24 - (6 + 6)/48 = 13.5
    row = wilcoxon_signed_rank([0, 0, 1, -1, 2, 2, 3]).iloc[0]
    assert row["n_nonzero"] == 5 and row["v"] == 13.5
    from scipy.stats import norm

    assert row["p"] == pytest.approx(2 * norm.sf(6 / np.sqrt(13.5)), rel=1e-12)
    nothing = wilcoxon_signed_rank([0.0, 0.0]).iloc[0]
    assert nothing["n_nonzero"] == 0 and np.isnan(nothing["p"]) and nothing["method"] == ""


def test_paired_change_by_hand_small_example():
    # changes -1, -1, 0, -1: mean -0.75, sd 0.5, t = -0.75 / (0.5 / 2) = -3 on 3 df
    # sd(before) = sd(3, 4, 5, 4) = 0.8165, sd(after) = sd(2, 3, 5, 3) = 1.2583
    row = paired_change([3.0, 4.0, 5.0, 4.0], [2.0, 3.0, 5.0, 3.0]).iloc[0]
    assert (row["mean_change"], row["t"], row["df"], row["d_z"]) == pytest.approx(
        (-0.75, -3.0, 3.0, -1.5))
    assert row["d_av"] == pytest.approx(-0.75 / ((0.816496580927726 + 1.258305739211792) / 2))
    assert row["p"] == pytest.approx(0.0576688856224, rel=1e-10)  # R: 2 * pt(-3, 3)


def test_paired_change_drops_incomplete_pairs_and_refuses_tiny_samples():
    row = paired_change([3, np.nan, 4, 5], [2, 3, np.nan, 4]).iloc[0]
    assert row["n"] == 2 and row["mean_change"] == -1.0
    assert np.isnan(row["t"]) and "fewer than 3" in row["note"]
    assert paired_change([], [])["note"].iloc[0] == "no complete pairs"
    with pytest.raises(ValueError, match="same length"):
        paired_change([1, 2, 3], [1, 2])


def test_identical_changes_say_t_is_undefined():
    row = paired_change([1, 2, 3, 4], [2, 3, 4, 5]).iloc[0]
    assert np.isnan(row["t"]) and "undefined" in row["note"] and row["mean_change"] == 1.0
    # four changes of +1 tie, so no exact p: the normal approximation, z = (10 - 5) / sqrt(7.5
    # - 60/48) = 2, p = 0.0455
    assert row["wilcoxon_method"] == "normal approximation with tie correction"
    assert row["wilcoxon_p"] == pytest.approx(0.04550026389635842, rel=1e-12)


def test_wave_changes_give_each_group_and_comparison_its_own_pairs():
    # Two groups built from two R cases: each group's row must equal R's result for its case.
    parts = []
    for group, name in (("g1", "likert_zeros"), ("g2", "n60")):
        rows = CASES[CASES["case"] == name]
        for wave, column in (("before", "before"), ("after", "after")):
            parts.append(pd.DataFrame({"person": group + rows["subject"].astype(str),
                                       "group": group, "wave": wave,
                                       "score": rows[column].to_numpy()}))
    long = pd.concat(parts, ignore_index=True)
    long = long[~((long["person"] == "g11") & (long["wave"] == "after"))]  # one pair broken
    table = wave_changes(long, subject="person", wave="wave", value="score",
                         comparisons={"change": ("before", "after")}, by="group")
    assert table[["group", "comparison"]].to_numpy().tolist() == [["g1", "change"],
                                                                  ["g2", "change"]]
    assert table["n"].tolist() == [29, 60]
    g2 = table.set_index("group").loc["g2"]
    assert g2["t"] == pytest.approx(R["n60"]["t"], rel=1e-9)
    assert g2["wilcoxon_p"] == pytest.approx(R["n60"]["wilcoxon_p"], rel=1e-9)


def test_wide_refuses_two_rows_for_one_subject_and_wave():
    long = pd.DataFrame({"id": ["a", "a"], "wave": ["pre", "pre"], "score": [1.0, 2.0]})
    with pytest.raises(ValueError, match="more than one row"):
        wide(long, subject="id", value="score", waves=["pre"])


def test_wide_refuses_rows_that_say_nobody():
    """A missing id must not become a person called 'nan' whose forms pair up."""
    from evalkit.stats.paired import wide

    forms = pd.DataFrame({"person": ["a", None, "a", None], "wave": ["pre", "pre", "post", "post"],
                          "score": [3.0, 2.0, 4.0, 1.0]})
    with pytest.raises(ValueError, match="missing"):
        wide(forms, subject="person", value="score", waves=["pre", "post"])
