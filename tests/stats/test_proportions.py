"""Proportions: Wilson intervals against R's prop.test, the cluster interval against
survey::svyciprop, and counts by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.stats.proportions import cluster_rate_table, prevalence, rate_table, wilson_interval

from .reference import r_output, stats_input


def _wilson(k, n, **options):
    counts = pd.DataFrame({"k": np.atleast_1d(k), "n": np.atleast_1d(n)})
    table = wilson_interval(counts, successes="k", trials="n", **options)
    return table["ci_low"].to_numpy(), table["ci_high"].to_numpy()

R = r_output("proportions")


@pytest.mark.parametrize("case", R["wilson_prop_test"], ids=lambda c: f"{c['successes']}/"
                         f"{c['trials']}")
def test_wilson_interval_equals_r_prop_test(case):
    low, high = _wilson(case["successes"], case["trials"])
    assert float(low[0]) == pytest.approx(case["ci_low"], abs=1e-12)
    assert float(high[0]) == pytest.approx(case["ci_high"], abs=1e-12)


def test_wilson_interval_at_90_percent_by_the_formula():
    # Wilson (1927): (p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), z = 1.6449
    z, k, n = 1.6448536269514722, 8, 10
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    low, high = _wilson(k, n, confidence=0.90)
    assert (float(low[0]), float(high[0])) == pytest.approx((centre - half, centre + half), abs=1e-12)


def test_wilson_interval_is_missing_without_trials_and_refuses_impossible_counts():
    low, high = _wilson([0, 3], [0, 7])
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert low[1] == pytest.approx(0.15821985525147)  # R, 3 of 7
    with pytest.raises(ValueError, match="between 0 and the trials"):
        _wilson(5, 4)
    with pytest.raises(ValueError, match="no column"):
        wilson_interval(pd.DataFrame({"k": [1]}), successes="k", trials="n")


def test_wilson_interval_keeps_the_frame_and_adds_the_interval():
    counts = pd.DataFrame({"week": [1, 2], "k": [3, 8], "n": [7, 10]})
    table = wilson_interval(counts, successes="k", trials="n")
    assert table.columns.tolist() == ["week", "k", "n", "ci_low", "ci_high"]
    assert table["week"].tolist() == [1, 2] and "ci_low" not in counts


def test_rate_table_counts_by_hand_with_r_interval():
    # site a: 3 of 7 present; site b: 8 of 10
    data = pd.DataFrame({"site": ["a"] * 7 + ["b"] * 10,
                         "present": [1, 1, 1, 0, 0, 0, 0] + [1] * 8 + [0] * 2})
    table = rate_table(data, dv="present", between="site").set_index("site")
    assert table.loc["a", ["trials", "successes"]].tolist() == [7, 3]
    assert table.loc["b", "rate"] == 0.8
    assert table.loc["a", ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [0.15821985525147, 0.749541635472343], abs=1e-12)  # R prop.test(3, 7, correct = FALSE)
    overall = rate_table(data, dv="present")
    assert overall[["trials", "successes"]].iloc[0].tolist() == [17, 11]


def test_rate_table_refuses_a_success_column_that_is_not_boolean():
    with pytest.raises(ValueError, match="True/False or 0/1"):
        rate_table(pd.DataFrame({"present": [0, 2]}), dv="present")


def _check_cluster_row(row, reference):
    assert row["clusters"] == reference["clusters"]
    assert row["trials"] == reference["trials"]
    assert row["successes"] == reference["successes"]
    assert row["rate"] == pytest.approx(reference["rate"], rel=1e-9)
    assert row["ci_low"] == pytest.approx(reference["ci_low"], rel=1e-9)
    assert row["ci_high"] == pytest.approx(reference["ci_high"], rel=1e-9)


def test_cluster_interval_equals_svyciprop_logit_overall():
    data = stats_input("attendance_clusters")
    table = cluster_rate_table(data, dv="attended", subject="participant")
    _check_cluster_row(table.iloc[0], R["cluster_overall"])


def test_cluster_interval_equals_svyciprop_per_group_including_four_clusters():
    # west has 4 clusters: R uses t on 3 df (3.18), so a normal quantile (1.96) would be far off.
    data = stats_input("attendance_clusters")
    table = cluster_rate_table(data, dv="attended", subject="participant",
                               between="site").set_index("site")
    assert list(table.index) == ["east", "north", "south", "west"]
    for site, reference in R["cluster_by_site"].items():
        _check_cluster_row(table.loc[site], reference)


def test_cluster_interval_is_wider_than_wilson_for_clustered_attendance():
    # Sessions of the same person are alike; treating them as independent understates the width.
    data = stats_input("attendance_clusters")
    cluster = cluster_rate_table(data, dv="attended", subject="participant").iloc[0]
    wilson = rate_table(data, dv="attended").iloc[0]
    assert (cluster["ci_high"] - cluster["ci_low"]) > 1.5 * (wilson["ci_high"] - wilson["ci_low"])


def test_cluster_interval_undefined_cases_are_missing_not_errors():
    one = pd.DataFrame({"person": ["a"] * 4, "present": [1, 0, 1, 1]})
    row = cluster_rate_table(one, dv="present", subject="person").iloc[0]
    assert row["rate"] == 0.75 and np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
    everyone = pd.DataFrame({"person": list("aabb"), "present": [1, 1, 1, 1]})
    row = cluster_rate_table(everyone, dv="present", subject="person").iloc[0]
    assert row["rate"] == 1.0 and np.isnan(row["ci_low"])


def test_prevalence_lists_every_category_with_zeros_and_counts_by_hand():
    forms = pd.DataFrame({
        "wave": ["2024"] * 8 + ["2025"] * 3,
        "band": ["low", "low", "low", "high", "moderate", "moderate", "moderate", None,
                 "low", "low", "low"]})
    table = prevalence(forms, dv="band", between="wave",
                       categories=["low", "moderate", "high"]).set_index(["wave", "category"])
    assert table["n"].tolist() == [3, 3, 1, 3, 0, 0]
    assert table.loc["2024", "total"].unique().tolist() == [7]  # the unbanded form is not counted
    assert table.loc[("2025", "high"), "share"] == 0.0
    # 3 of 7: R prop.test(3, 7, correct = FALSE)
    assert table.loc[("2024", "low"), ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [0.15821985525147, 0.749541635472343], abs=1e-12)
    assert table.loc[("2025", "high"), "ci_high"] == pytest.approx(0.5614970317550454, rel=1e-9)


def test_prevalence_takes_category_order_from_a_categorical_and_refuses_unknown_values():
    forms = pd.DataFrame({"band": pd.Categorical(["b", "a"], categories=["c", "b", "a"])})
    assert prevalence(forms, dv="band")["category"].tolist() == ["c", "b", "a"]
    with pytest.raises(ValueError, match="outside the categories"):
        prevalence(pd.DataFrame({"band": ["a", "z"]}), dv="band", categories=["a"])
