"""Paired change and the signed-rank test against R (t.test, wilcox.test), Fisher's analysis of
Darwin's maize and hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats as st

from evalkit.stats.paired import by_subject, paired_change, wave_changes, wilcoxon_signed_rank

from .reference import r_output, stats_input

R = r_output("paired")
R_EFFECT = r_output("effect_sizes")
CASES = stats_input("paired_cases")
NAMES = sorted(CASES["case"].unique())


def _case(name):
    rows = CASES[CASES["case"] == name]
    return rows["before"].to_numpy(), rows["after"].to_numpy()


def _long(before, after):
    """The two arrays as a long table (subject, wave, score), as the statistics take them."""
    before, after = np.asarray(before, float), np.asarray(after, float)
    ids = np.arange(before.size)
    return pd.DataFrame({"id": np.concatenate([ids, ids]),
                         "wave": ["before"] * before.size + ["after"] * after.size,
                         "score": np.concatenate([before, after])})


def _paired(before, after, **options):
    return paired_change(_long(before, after), dv="score", within="wave", subject="id",
                         levels=["before", "after"], **options)


def _signed_rank(differences):
    differences = np.asarray(differences, float)
    return wilcoxon_signed_rank(_long(np.zeros(differences.size), differences), dv="score",
                                within="wave", subject="id", levels=["before", "after"])


@pytest.mark.parametrize("name", NAMES)
def test_paired_t_interval_and_effect_sizes_equal_r(name):
    before, after = _case(name)
    row = _paired(before, after).iloc[0]
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
    row = _paired(before, after).iloc[0]
    reference = R[name]
    assert row["wilcoxon_v"] == reference["wilcoxon_v"]
    assert row["wilcoxon_p"] == pytest.approx(reference["wilcoxon_p"], rel=1e-9)
    assert row["wilcoxon_method"] == reference["wilcoxon_method"]
    test = _signed_rank(after - before).iloc[0]
    assert test["n_nonzero"] == reference["wilcoxon_n_nonzero"]


def test_float_noise_does_not_separate_equal_changes():
    # Mean scores (sixths) whose equal changes differ in the last bits. Unrounded, R itself gives
    # V = 102, p = 0.425; after rounding to 1e-9 the ties are ties again: V = 92.5, p = 0.2655.
    before, after = _case("float_ties")
    diff = after - before
    assert np.unique(diff).size > np.unique(np.round(diff, 9)).size  # the noise is really there
    row = _signed_rank(diff).iloc[0]
    assert row["v"] == 92.5 and R["float_ties"]["r_default_unrounded_v"] == 102
    assert row["p"] == pytest.approx(0.265533065312876, rel=1e-9)


def test_exact_p_at_fifty_pairs_and_normal_beyond():
    n50 = _signed_rank(np.subtract(*_case("n50")[::-1])).iloc[0]
    assert n50["method"] == "exact" and n50["n_nonzero"] == 50
    # R's wilcox.test switches to the normal approximation at 50 already (p = 0.18761)
    assert n50["p"] == pytest.approx(0.190959744362186, rel=1e-9)
    n60 = _signed_rank(np.subtract(*_case("n60")[::-1])).iloc[0]
    assert n60["method"] == "normal approximation with tie correction"


def test_wilcoxon_on_darwins_maize_differences():
    # Cross- minus self-fertilised heights (eighths of an inch) as analysed by Fisher (1935): the
    # exact two-sided signed-rank p is 0.0413 with W+ = 96 (W- = 24).
    diff = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    row = _signed_rank(diff).iloc[0]
    assert row["v"] == 96 and row["p"] == pytest.approx(0.0413, abs=5e-5)


def test_signed_rank_by_hand_with_zeros_and_ties():
    # differences 0, 0, 1, -1, 2, 2, 3: zeros dropped, |d| = 1, 1, 2, 2, 3 -> ranks 1.5, 1.5,
    # 3.5, 3.5, 5; V = 1.5 + 3.5 + 3.5 + 5 = 13.5; mean 7.5; var = 5*6*11/24 - (6 + 6)/48 = 13.5
    row = _signed_rank([0, 0, 1, -1, 2, 2, 3]).iloc[0]
    assert row["n_nonzero"] == 5 and row["v"] == 13.5
    from scipy.stats import norm

    assert row["p"] == pytest.approx(2 * norm.sf(6 / np.sqrt(13.5)), rel=1e-12)
    nothing = _signed_rank([0.0, 0.0]).iloc[0]
    assert nothing["n_nonzero"] == 0 and np.isnan(nothing["p"]) and nothing["method"] == ""


def test_paired_change_by_hand_small_example():
    # changes -1, -1, 0, -1: mean -0.75, sd 0.5, t = -0.75 / (0.5 / 2) = -3 on 3 df
    # sd(before) = sd(3, 4, 5, 4) = 0.8165, sd(after) = sd(2, 3, 5, 3) = 1.2583
    row = _paired([3.0, 4.0, 5.0, 4.0], [2.0, 3.0, 5.0, 3.0]).iloc[0]
    assert (row["mean_change"], row["t"], row["df"], row["d_z"]) == pytest.approx(
        (-0.75, -3.0, 3.0, -1.5))
    assert row["d_av"] == pytest.approx(-0.75 / ((0.816496580927726 + 1.258305739211792) / 2))
    assert row["p"] == pytest.approx(0.0576688856224, rel=1e-10)  # R: 2 * pt(-3, 3)


def test_paired_change_drops_incomplete_pairs_and_refuses_tiny_samples():
    row = _paired([3, np.nan, 4, 5], [2, 3, np.nan, 4]).iloc[0]
    assert row["n"] == 2 and row["mean_change"] == -1.0
    assert np.isnan(row["t"]) and "fewer than 3" in row["note"]
    assert _paired([], [])["note"].iloc[0] == "no complete pairs"


def test_identical_changes_say_t_is_undefined():
    row = _paired([1, 2, 3, 4], [2, 3, 4, 5]).iloc[0]
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
    table = wave_changes(long, dv="score", within="wave", subject="person",
                         comparisons={"change": ("before", "after")}, between="group")
    assert table[["group", "comparison"]].to_numpy().tolist() == [["g1", "change"],
                                                                  ["g2", "change"]]
    assert table["n"].tolist() == [29, 60]
    g2 = table.set_index("group").loc["g2"]
    assert g2["t"] == pytest.approx(R["n60"]["t"], rel=1e-9)
    assert g2["wilcoxon_p"] == pytest.approx(R["n60"]["wilcoxon_p"], rel=1e-9)


def test_by_subject_refuses_two_rows_for_one_subject_and_wave():
    long = pd.DataFrame({"id": ["a", "a"], "wave": ["pre", "pre"], "score": [1.0, 2.0]})
    with pytest.raises(ValueError, match="more than one row"):
        by_subject(long, dv="score", subject="id", levels=["pre"])


def test_by_subject_refuses_rows_that_say_nobody():
    """A missing id must not become a person called 'nan' whose forms pair up."""
    from evalkit.stats.paired import by_subject

    forms = pd.DataFrame({"person": ["a", None, "a", None], "wave": ["pre", "pre", "post", "post"],
                          "score": [3.0, 2.0, 4.0, 1.0]})
    with pytest.raises(ValueError, match="missing"):
        by_subject(forms, dv="score", subject="person", levels=["pre", "post"])


@pytest.mark.parametrize("name", NAMES)
def test_effect_size_intervals_equal_base_r_noncentral_t(name):
    # tools/r/effect_sizes.R: uniroot over pt(t, n - 1, ncp) = 0.975 and 0.025, divided by
    # sqrt(n) for d_z and rescaled by sd(d) / sd_av for d_av. R's pnt warns that it may lose
    # precision in the far tail, so the tolerance is 1e-7 rather than 1e-9.
    before, after = _case(name)
    row = _paired(before, after).iloc[0]
    reference = R_EFFECT[name]
    for column in ("d_z", "d_z_ci_low", "d_z_ci_high", "d_av", "d_av_ci_low", "d_av_ci_high"):
        assert row[column] == pytest.approx(reference[column], rel=1e-7, abs=1e-9), column
    assert row["d_z_ci_low"] < row["d_z"] < row["d_z_ci_high"]


@pytest.mark.parametrize("name", NAMES)
def test_paired_adapter_equals_pingouin_and_scipy(name):
    # second oracle: the library calls themselves, without the adapter's conventions
    before, after = _case(name)
    row = _paired(before, after).iloc[0]
    test = pg.ttest(after, before, paired=True).iloc[0]
    assert row["t"] == pytest.approx(test["T"], rel=1e-12)
    assert row["p"] == pytest.approx(test["p_val"], rel=1e-12)
    # pingouin rounds CI95 to two decimals; the adapter's interval must round to it
    assert [round(row["ci_low"], 2), round(row["ci_high"], 2)] == pytest.approx(
        list(test["CI95"]), abs=1e-9)
    d = np.round(after - before, 9)
    d = d[d != 0]
    exact = d.size <= 50 and np.unique(np.abs(d)).size == d.size
    scipy_p = st.wilcoxon(d, correction=False, method="exact" if exact else "approx").pvalue
    assert row["wilcoxon_p"] == pytest.approx(scipy_p, rel=1e-12)


def test_effect_size_interval_by_hand_for_a_known_t():
    # t = 2 on 10 df: pt(2, 10, ncp = -0.18352) = 0.975 and pt(2, 10, ncp = 4.10114) = 0.025
    # (R, uniroot); the row's d_z interval is that over sqrt(11)
    from evalkit.stats.effect_sizes import noncentral_t_interval

    low, high = noncentral_t_interval(2.0, 10)
    assert st.nct.cdf(2.0, 10, low) == pytest.approx(0.975, abs=1e-12)
    assert st.nct.cdf(2.0, 10, high) == pytest.approx(0.025, abs=1e-12)
    assert (low, high) == pytest.approx((-0.183517, 4.101135), abs=1e-6)


@pytest.mark.parametrize("names", [{"dv": "total"}, {"within": "time"}, {"subject": "person"}])
def test_a_missing_column_is_named_by_every_paired_function(names):
    long = _long(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.5, 5.0]))
    options = {"dv": "score", "within": "wave", "subject": "id", "levels": ["before", "after"]}
    options.update(names)
    (missing,) = names.values()
    for function in (paired_change, wilcoxon_signed_rank, by_subject):
        with pytest.raises(ValueError, match=f"'{missing}'"):
            function(long, **options)
