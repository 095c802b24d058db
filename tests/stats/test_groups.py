"""Group comparisons against R (t.test, oneway.test, wilcox.test, kruskal.test) and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from evalkit.stats.groups import compare_groups

from .reference import r_output, stats_input

R = r_output("groups")
R_EFFECT = r_output("effect_sizes")
DATA = stats_input("groups")


def _two(reference, row):
    assert row["test"] == "Welch t" and row["effect"] == "hedges_g"
    assert row["n"] == reference["n"] and row["groups"] == 2
    assert row["statistic"] == pytest.approx(reference["statistic"], rel=1e-10)
    assert row["df1"] == pytest.approx(reference["df1"], rel=1e-10)
    assert row["p"] == pytest.approx(reference["p"], rel=1e-10)
    assert row["effect_size"] == pytest.approx(reference["hedges_g"], rel=1e-10)
    assert row["rank_statistic"] == reference["rank_statistic"]
    assert row["rank_p"] == pytest.approx(reference["rank_p"], rel=1e-10)
    assert row["rank_effect_size"] == pytest.approx(reference["rank_biserial"], rel=1e-10)


def test_two_groups_equal_r_with_exact_rank_test():
    # "woman" comes first in the rows, "man" first in category order: R's factor order too
    row = compare_groups(DATA, dv="score", between="pair").iloc[0]
    assert R["pair"]["first"] == "man" and R["pair"]["rank_exact"]
    _two(R["pair"], row)
    assert row["smallest_group"] == 9 and row["note"] == ""


def test_two_groups_with_ties_equal_r_normal_rank_test_with_continuity_correction():
    row = compare_groups(DATA, dv="tied", between="pair").iloc[0]
    assert not R["tied"]["rank_exact"]
    _two(R["tied"], row)


def test_category_order_sets_the_sign_of_the_effects():
    data = DATA.assign(pair=pd.Categorical(DATA["pair"], categories=["woman", "man"]))
    row = compare_groups(data, dv="score", between="pair").iloc[0]
    assert row["statistic"] == pytest.approx(-R["pair"]["statistic"], rel=1e-10)
    assert row["effect_size"] == pytest.approx(-R["pair"]["hedges_g"], rel=1e-10)
    assert row["rank_effect_size"] == pytest.approx(-R["pair"]["rank_biserial"], rel=1e-10)


def test_three_groups_equal_r_oneway_test_and_kruskal_test():
    row = compare_groups(DATA, dv="score", between="trio").iloc[0]
    reference = R["trio"]
    assert (row["test"], row["effect"], row["rank_effect"]) == ("Welch ANOVA", "eta_squared",
                                                                "epsilon_squared")
    for column, key in (("statistic", "statistic"), ("df1", "df1"), ("df2", "df2"), ("p", "p"),
                        ("effect_size", "eta_squared"), ("rank_statistic", "rank_statistic"),
                        ("rank_p", "rank_p"), ("rank_effect_size", "epsilon_squared")):
        assert row[column] == pytest.approx(reference[key], rel=1e-10), column


def test_a_group_without_variance_among_three_gives_a_note_and_the_rank_test():
    data = pd.DataFrame({"s": [1, 1, 1, 2, 3, 4, 5, 6, 7], "g": list("aaabbbccc")})
    row = compare_groups(data, dv="s", between="g").iloc[0]
    assert np.isnan(row["statistic"]) and np.isnan(row["p"]) and "do not vary" in row["note"]
    # Kruskal-Wallis by hand: rank sums 6, 15, 24; H = 12/90 * (36 + 225 + 576)/3 - 30 = 7.2,
    # divided by the tie correction 1 - (27 - 3)/(729 - 9)
    assert row["rank_statistic"] == pytest.approx(7.2 / (1 - 24 / 720), rel=1e-12)
    # eta squared by hand: group means 1, 3, 6; grand mean 10/3
    assert row["effect_size"] == pytest.approx(38 / 42, rel=1e-12)


def test_small_groups_are_left_out_and_counted_never_named():
    data = pd.DataFrame({"score": [30, 32, 35, 40, 41, 44, 50],
                         "group": ["a", "a", "a", "b", "b", "b", "c"]})
    row = compare_groups(data, dv="score", between="group").iloc[0]
    assert (row["groups"], row["groups_left_out"], row["n"], row["smallest_group"]) == (2, 1, 6, 3)
    alone = compare_groups(data[data["group"] != "b"], dv="score", between="group").iloc[0]
    assert np.isnan(alone["p"]) and "fewer than two groups" in alone["note"]
    assert "c" not in alone["note"].split()
    with pytest.raises(ValueError, match="min_group"):
        compare_groups(data, dv="score", between="group", min_group=1)


def test_a_group_of_exactly_min_group_is_compared_and_one_smaller_left_out():
    data = pd.DataFrame({"group": ["a"] * 5 + ["b"] * 6 + ["c"] * 4,
                         "score": [1, 2, 3, 4, 5, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4]})
    table = compare_groups(data, dv="score", between="group", min_group=5)
    assert table["groups"].tolist() == [2]          # a (exactly 5) and b; c (4) left out
    assert table["groups_left_out"].tolist() == [1]
    assert table["smallest_group"].tolist() == [5]


@pytest.mark.parametrize("case, dv", [("pair", "score"), ("tied", "tied")])
def test_two_group_effect_size_intervals_equal_base_r(case, dv):
    # tools/r/effect_sizes.R: noncentral-t interval of d times J; Fisher z for the rank-biserial
    row = compare_groups(DATA, dv=dv, between="pair").iloc[0]
    reference = R_EFFECT[case]
    for column, key in (("effect_size", "hedges_g"), ("effect_size_ci_low", "hedges_g_ci_low"),
                        ("effect_size_ci_high", "hedges_g_ci_high"),
                        ("rank_effect_size", "rank_biserial"),
                        ("rank_effect_size_ci_low", "rank_biserial_ci_low"),
                        ("rank_effect_size_ci_high", "rank_biserial_ci_high")):
        assert row[column] == pytest.approx(reference[key], rel=1e-7), column


def test_eta_squared_interval_equals_base_r_noncentral_f():
    row = compare_groups(DATA, dv="score", between="trio").iloc[0]
    reference = R_EFFECT["trio"]
    assert row["effect_size"] == pytest.approx(reference["eta_squared"], rel=1e-10)
    assert row["effect_size_ci_low"] == reference["eta_squared_ci_low"] == 0  # F below pf(.975)
    assert row["effect_size_ci_high"] == pytest.approx(reference["eta_squared_ci_high"], rel=1e-7)
    assert np.isnan(row["rank_effect_size_ci_low"])  # no interval for epsilon squared


def test_group_adapter_equals_pingouin_called_directly():
    # second oracle: pingouin without the adapter (the adapter adds order, min_group, notes)
    rows = DATA.dropna(subset=["pair"])
    man, woman = (rows.loc[rows["pair"] == g, "score"].to_numpy() for g in ("man", "woman"))
    row = compare_groups(DATA, dv="score", between="pair").iloc[0]
    welch = pg.ttest(man, woman, correction=True).iloc[0]
    assert (row["statistic"], row["df1"], row["p"]) == pytest.approx(
        (welch["T"], welch["dof"], welch["p_val"]), rel=1e-12)
    assert row["effect_size"] == pytest.approx(pg.compute_effsize(man, woman, eftype="hedges"))
    assert row["rank_effect_size"] == pytest.approx(pg.mwu(man, woman)["RBC"].iloc[0])
    trio = DATA.dropna(subset=["trio"])
    three = compare_groups(DATA, dv="score", between="trio").iloc[0]
    welch3 = pg.welch_anova(trio, dv="score", between="trio").iloc[0]
    assert (three["statistic"], three["df2"], three["p"]) == pytest.approx(
        (welch3["F"], welch3["ddof2"], welch3["p_unc"]), rel=1e-12)
    assert three["rank_statistic"] == pytest.approx(
        pg.kruskal(trio, dv="score", between="trio")["H"].iloc[0], rel=1e-12)
