"""Shared statistics against independent computations and published worked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from evalkit.stats.groups import compare_groups
from evalkit.stats.paired import paired_change
from evalkit.stats.reliability import cronbach_alpha, reliable_change

RNG = np.random.default_rng(2026)


def test_paired_change_matches_scipy_paired_t_and_wilcoxon():
    before = RNG.normal(3.4, 0.7, 40)
    after = before - 0.3 + RNG.normal(0, 0.5, 40)
    result = paired_change(before, after)
    t = st.ttest_rel(after, before)
    assert result["t"] == pytest.approx(t.statistic)
    assert result["p"] == pytest.approx(t.pvalue)
    ci = t.confidence_interval(0.95)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert result["wilcoxon_p"] == pytest.approx(st.wilcoxon(after, before).pvalue)
    diff = after - before
    assert result["d_z"] == pytest.approx(diff.mean() / diff.std(ddof=1))
    assert result["d_av"] == pytest.approx(
        diff.mean() / ((before.std(ddof=1) + after.std(ddof=1)) / 2))


def test_wilcoxon_on_darwins_maize_differences():
    # Darwin's cross- minus self-fertilised plant heights (eighths of an inch), as analysed by
    # Fisher (1935); the exact two-sided signed-rank p is 0.0413 (W = 24).
    diff = np.array([6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75], dtype=float)
    result = paired_change(np.zeros(15), diff)
    assert result["wilcoxon_p"] == pytest.approx(0.0413, abs=5e-5)
    assert result["mean_change"] == pytest.approx(20.933, abs=1e-3)


def test_paired_change_drops_incomplete_pairs_and_refuses_tiny_samples():
    result = paired_change([3, np.nan, 4, 5], [2, 3, np.nan, 4])
    assert result["n"] == 2
    assert np.isnan(result["t"]) and "fewer than 3" in result["note"]
    assert result["mean_change"] == pytest.approx(-1.0)
    assert paired_change([], [])["note"] == "no complete pairs"


def test_paired_change_with_identical_changes_says_t_is_undefined():
    result = paired_change([1, 2, 3, 4], [2, 3, 4, 5])
    assert np.isnan(result["t"]) and "undefined" in result["note"]
    assert result["mean_change"] == 1.0


def _alpha_by_covariances(block: np.ndarray) -> float:
    # alpha = k * mean covariance / (mean variance + (k - 1) * mean covariance)
    cov = np.cov(block, rowvar=False)
    k = cov.shape[0]
    mean_var = np.trace(cov) / k
    mean_cov = (cov.sum() - np.trace(cov)) / (k * (k - 1))
    return k * mean_cov / (mean_var + (k - 1) * mean_cov)


def test_cronbach_alpha_against_the_covariance_formula_and_feldt_interval():
    trait = RNG.normal(size=60)
    block = pd.DataFrame({f"i{k}": np.clip(np.round(3 + trait + RNG.normal(size=60)), 1, 5)
                          for k in range(6)})
    block.iloc[3, 2] = np.nan  # listwise: 59 complete forms
    result = cronbach_alpha(block)
    complete = block.dropna().to_numpy()
    alpha = _alpha_by_covariances(complete)
    assert result["n"] == 59
    assert result["alpha"] == pytest.approx(alpha)
    # Feldt (1965): 1 - (1 - alpha) * F quantiles with (n - 1, (n - 1)(k - 1)) df
    df1, df2 = 58, 58 * 5
    low = 1 - (1 - alpha) * st.f.ppf(0.975, df1, df2)
    high = 1 - (1 - alpha) * st.f.ppf(0.025, df1, df2)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high), abs=1e-3)


@pytest.mark.parametrize("block,note", [
    (pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]}), "do not vary"),
    (pd.DataFrame({"a": [1, 2], "b": [2, 3]}), "too few"),
    (pd.DataFrame({"a": [1, 2, 3, 4]}), "too few"),
])
def test_cronbach_alpha_undefined_cases_are_said_not_raised(block, note):
    result = cronbach_alpha(block)
    assert np.isnan(result["alpha"]) and note in result["note"]


def test_reliable_change_hand_worked():
    # sd_pre 0.6, reliability 0.84: SE = 0.6 * 0.4 = 0.24; S_diff = 0.3394; RC of -0.8 = -2.357
    rc = reliable_change([3.4, 3.0, 2.0], [2.6, 2.9, 3.0], sd_pre=0.6, reliability=0.84)
    assert rc == pytest.approx([-0.8 / 0.33941, -0.1 / 0.33941, 1.0 / 0.33941], rel=1e-4)
    with pytest.raises(ValueError):
        reliable_change([1], [2], sd_pre=1, reliability=1)


def _welch_by_hand(a, b):
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    t = (a.mean() - b.mean()) / np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return t, df, 2 * st.t.sf(abs(t), df)


def test_two_group_comparison_matches_welch_formula():
    a, b = RNG.normal(40, 8, 14), RNG.normal(34, 12, 9)
    data = pd.DataFrame({"score": np.r_[a, b], "group": ["a"] * 14 + ["b"] * 9})
    result = compare_groups(data, "score", "group")
    t, df, p = _welch_by_hand(a, b)
    assert (result["statistic"], result["df1"], result["p"]) == pytest.approx((t, df, p))
    pooled = np.sqrt((13 * a.var(ddof=1) + 8 * b.var(ddof=1)) / 21)
    assert result["effect_size"] == pytest.approx((a.mean() - b.mean()) / pooled * (1 - 3 / 83))
    greater = sum((x > y) + 0.5 * (x == y) for x in a for y in b)
    assert result["rank_effect_size"] == pytest.approx(2 * greater / (14 * 9) - 1)


def test_welch_anova_matches_welch_1951_formula():
    groups = [RNG.normal(m, s, n) for m, s, n in ((30, 5, 8), (36, 9, 11), (33, 4, 6))]
    data = pd.DataFrame({"score": np.concatenate(groups),
                         "group": np.repeat(["x", "y", "z"], [8, 11, 6])})
    w = np.array([len(g) / g.var(ddof=1) for g in groups])
    means = np.array([g.mean() for g in groups])
    k = 3
    grand = (w * means).sum() / w.sum()
    lam = ((1 - w / w.sum()) ** 2 / np.array([len(g) - 1 for g in groups])).sum()
    f = ((w * (means - grand) ** 2).sum() / (k - 1)) / (1 + 2 * (k - 2) / (k**2 - 1) * lam)
    df2 = (k**2 - 1) / (3 * lam)
    result = compare_groups(data, "score", "group")
    assert (result["statistic"], result["df2"]) == pytest.approx((f, df2))
    assert result["p"] == pytest.approx(st.f.sf(f, k - 1, df2))
    h = st.kruskal(*groups).statistic
    assert result["rank_effect_size"] == pytest.approx(h / 24)


def test_group_of_one_is_left_out_and_counted():
    data = pd.DataFrame({"score": [30, 32, 35, 40, 41, 44, 50],
                         "group": ["a", "a", "a", "b", "b", "b", "c"]})
    result = compare_groups(data, "score", "group")
    assert result["groups"] == 2 and result["groups_left_out"] == 1 and result["n"] == 6
    alone = compare_groups(data[data["group"] != "b"], "score", "group")
    assert np.isnan(alone["p"]) and "fewer than two groups" in alone["note"]
