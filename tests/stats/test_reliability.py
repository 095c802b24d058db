"""Cronbach's alpha against psych::alpha and psych::alpha.ci (Feldt), reliable change by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
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
    items = stats_input("alpha_items")
    row = cronbach_alpha(items).iloc[0]
    assert (row["items"], row["n"]) == (R["items"], R["n"])  # listwise: 57 of 60
    assert row["alpha"] == pytest.approx(R["alpha"], rel=1e-12)
    # full precision: a 3-decimal rounding would be off by up to 5e-4
    assert row["ci_low"] == pytest.approx(R["ci_low"], abs=1e-12)
    assert row["ci_high"] == pytest.approx(R["ci_high"], abs=1e-12)
    assert row["note"] == ""
    # the same with the items named, and the second oracle: pingouin (alpha at full precision)
    named = cronbach_alpha(items.assign(extra=1.0), items=list(items.columns)).iloc[0]
    assert named["alpha"] == row["alpha"] and named["n"] == row["n"]
    assert pg.cronbach_alpha(items.dropna())[0] == pytest.approx(R["alpha"], rel=1e-12)
    with pytest.raises(ValueError, match="'q99'"):
        cronbach_alpha(items, items=["q99"])


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


def _long(before, after, ids=None):
    """One row per person and wave from two lists of scores (NaN: that form is missing)."""
    ids = list(ids or [f"p{i}" for i in range(len(before))])
    return pd.DataFrame({"person": ids * 2, "wave": ["pre"] * len(ids) + ["post"] * len(ids),
                         "score": [*before, *after]})


def _rc(before, after, **options):
    return reliable_change(_long(before, after), dv="score", within="wave", subject="person",
                           levels=["pre", "post"], **options)


def test_reliable_change_hand_worked():
    # sd_pre 0.6, reliability 0.84: SE = 0.6 * 0.4 = 0.24; S_diff = sqrt(2) * 0.24 = 0.33941
    table = _rc([3.4, 3.0, 2.0, np.nan], [2.6, 2.9, 3.0, 1.0], sd_pre=0.6, reliability=0.84)
    assert table["person"].tolist() == ["p0", "p1", "p2"]  # p3 has no baseline
    assert table["rc"].to_numpy() == pytest.approx([-0.8 / 0.339411255, -0.1 / 0.339411255,
                                                    1.0 / 0.339411255], rel=1e-8)
    assert table["category"].tolist() == ["reliably_improved", "no_reliable_change",
                                          "reliably_worse"]
    assert table["threshold"].iloc[0] == pytest.approx(1.96 * 0.339411255, rel=1e-8)
    # without sd_pre: the SD of the complete pairs' baselines, 3.4, 3.0, 2.0 -> 0.72111
    own = _rc([3.4, 3.0, 2.0, np.nan], [2.6, 2.9, 3.0, 1.0], reliability=0.84)
    assert own["sd_before"].iloc[0] == pytest.approx(np.std([3.4, 3.0, 2.0], ddof=1))


@pytest.mark.parametrize("reliability", [1.0, -0.1, float("nan")])
def test_reliable_change_cannot_be_judged_without_a_usable_reliability(reliability):
    assert _rc([1.0, 2.0, 3.0], [2.0, 2.0, 2.0], reliability=reliability).empty
    assert not _rc([1.0, 2.0, 3.0], [2.0, 2.0, 2.0], reliability=0.0).empty


def test_reliable_change_refuses_impossible_parameters_and_missing_columns():
    with pytest.raises(ValueError, match="sd_pre"):
        _rc([1.0, 2.0], [2.0, 3.0], sd_pre=0.0, reliability=0.8)
    with pytest.raises(ValueError, match="'total'"):
        reliable_change(_long([1.0], [2.0]), dv="total", within="wave", subject="person",
                        levels=["pre", "post"], reliability=0.8)
    with pytest.raises(ValueError, match="earlier, later"):
        reliable_change(_long([1.0], [2.0]), dv="score", within="wave", subject="person",
                        levels=["pre"], reliability=0.8)


def test_a_change_exactly_at_the_criterion_is_not_reliable():
    people = pd.DataFrame({"rc": [-1.96, 1.96, -1.9600001, 1.9600001, 0.0, np.nan]})
    table = reliable_change_category(people)
    assert table["rc"].equals(people["rc"])  # the frame is kept, category added
    assert list(table["category"]) == ["no_reliable_change", "no_reliable_change",
                                       "reliably_improved", "reliably_worse",
                                       "no_reliable_change", np.nan]
    assert list(table["category"].cat.categories) == list(RC_CATEGORIES)


def test_direction_follows_the_meaning_of_a_higher_score():
    two = pd.DataFrame({"index": [-3.0, 3.0]})
    better = reliable_change_category(two, rc="index", higher_is="better")
    assert list(better["category"]) == ["reliably_worse", "reliably_improved"]
    one = pd.DataFrame({"rc": [2.5]})
    assert list(reliable_change_category(one, criterion=3.0)["category"]) == [
        "no_reliable_change"]
    with pytest.raises(ValueError, match="higher_is"):
        reliable_change_category(one, higher_is="lower")
    with pytest.raises(ValueError, match="'rci'"):
        reliable_change_category(one, rc="rci")


# --- clinically significant change (Jacobson and Truax, 1991), worked by hand ----------------------

def test_cutoffs_a_b_c_by_hand_in_both_directions():
    from evalkit.stats.reliability import clinical_cutoffs

    # baseline 25, 30, 35: M1 = 30, S1 = 5; norms M0 = 15, S0 = 4
    def cutoffs(values, **options):
        table = clinical_cutoffs(pd.DataFrame({"score": values}), dv="score", **options)
        assert len(table) == 1
        return table.iloc[0]

    worse = cutoffs([25.0, 30.0, 35.0, np.nan], functional_mean=15, functional_sd=4)
    assert worse["a"] == pytest.approx(20.0)          # 30 - 2 * 5
    assert worse["b"] == pytest.approx(23.0)          # 15 + 2 * 4
    assert worse["c"] == pytest.approx(195 / 9)       # (4 * 30 + 5 * 15) / (4 + 5)
    assert worse["criterion"] == "c" and worse["cutoff"] == worse["c"]
    # higher is better: a functional population scores higher (M0 = 45, S0 = 4)
    better = cutoffs([25.0, 30.0, 35.0], higher_is="better", functional_mean=45,
                     functional_sd=4)
    assert (better["a"], better["b"]) == pytest.approx((40.0, 37.0))
    assert better["c"] == pytest.approx((4 * 30 + 5 * 45) / 9)
    only_a = cutoffs([25.0, 30.0, 35.0])
    assert only_a["criterion"] == "a" and np.isnan(only_a["b"]) and np.isnan(only_a["c"])
    with pytest.raises(ValueError, match="both"):
        cutoffs([1.0, 2.0], functional_mean=1.0)


def test_clinical_change_categories_by_hand_with_a_score_at_the_cutoff():
    from evalkit.stats.reliability import clinical_change

    # baselines 20, 24, 28, 32, 26, 26: M1 = 26, S1 = sqrt(80 / 5) = 4; reliability 0.8 gives
    # S_diff = sqrt(2) * 4 * sqrt(0.2) = 2.530, reliable beyond 1.96 * 2.530 = 4.96 points.
    # Criterion a = 26 - 2 * 4 = 18.
    a = 18.0
    long = _long([20.0, 24.0, 28.0, 32.0, 26.0, 26.0], [12.0, 23.0, 20.0, 40.0, a, a - 0.01],
                 ids=list("abcdef"))
    table = clinical_change(long, dv="score", within="wave", subject="person",
                            levels=["pre", "post"], reliability=0.8)
    assert table["person"].tolist() == list("abcdef")
    assert table["cutoff"].iloc[0] == pytest.approx(a)
    assert table["criterion"].iloc[0] == "a"
    # a: -8 reliable, 12 below 17.61 -> recovered; b: -1 -> unchanged; c: -8, 20 above the
    # cut-off -> improved; d: +8 -> deteriorated; e: -8 reliable but exactly at the cut-off,
    # which is not crossing -> improved; f: just below it -> recovered
    assert table["category"].tolist() == ["recovered", "unchanged", "improved", "deteriorated",
                                          "improved", "recovered"]
    assert list(table["category"].cat.categories) == ["recovered", "improved", "unchanged",
                                                      "deteriorated"]


def test_clinical_change_when_higher_is_better_and_with_norms():
    from evalkit.stats.reliability import clinical_change

    # wellbeing, higher better: baselines 10, 14, 18 (M1 = 14, S1 = 4); norms 30 (SD 4):
    # c = (4 * 14 + 4 * 30) / 8 = 22. S_diff = sqrt(2) * 4 * sqrt(0.5) = 4, reliable beyond 7.84.
    long = _long([10.0, 14.0, 18.0], [23.0, 22.0, 8.0], ids=list("xyz"))
    table = clinical_change(long, dv="score", within="wave", subject="person",
                            levels=["pre", "post"], reliability=0.5, higher_is="better",
                            functional_mean=30, functional_sd=4)
    assert table["cutoff"].iloc[0] == pytest.approx(22.0)
    # x: +13 reliable, 23 > 22 -> recovered; y: +8 reliable, exactly 22 -> improved;
    # z: -10 reliable -> deteriorated
    assert table["category"].tolist() == ["recovered", "improved", "deteriorated"]


def test_category_shares_have_wilson_intervals_by_hand():
    from evalkit.stats.proportions import prevalence
    from evalkit.stats.reliability import CS_CATEGORIES

    people = pd.DataFrame({"category": pd.Categorical(
        ["recovered"] * 3 + ["unchanged"] * 7, categories=list(CS_CATEGORIES))})
    table = prevalence(people, dv="category").set_index("category")
    # Wilson for 3 of 10, z = 1.959964: (3 + z^2/2 -/+ z sqrt(3 * 7 / 10 + z^2/4)) / (10 + z^2)
    z = 1.959963984540054
    centre, half = 3 + z * z / 2, z * np.sqrt(2.1 + z * z / 4)
    assert table.loc["recovered", "ci_low"] == pytest.approx((centre - half) / (10 + z * z))
    assert table.loc["recovered", "ci_high"] == pytest.approx((centre + half) / (10 + z * z))
    assert table.loc["improved", "n"] == 0 and table.loc["improved", "total"] == 10


def test_functional_norms_in_a_spec_switch_the_outcome_table_to_criterion_c():
    import evalkit
    from evalkit.analyses import instrument
    from evalkit.scales import parse_instrument

    text = open("data/sample/instruments/partner_safety.toml").read()
    spec, problems = parse_instrument("functional_mean = 4.0\nfunctional_sd = 3.0\n" + text,
                                      name="partner_safety")
    assert not problems and (spec.functional_mean, spec.functional_sd) == (4.0, 3.0)
    half, problems = parse_instrument("functional_mean = 4.0\n" + text, name="partner_safety")
    assert half is None and any("functional" in str(p) for p in problems)
    dataset = evalkit.load("data/sample")
    forms = instrument.scored(dataset, "partner_safety")
    people = instrument.reliable_change_people(spec, forms, dataset)
    table = instrument.clinical_change_counts(spec, forms, people)
    exit_rows = table[table["comparison"] == "exit_vs_intake"]
    baseline = forms.pivot(index="participant_id", columns="wave", values="total")[
        ["intake", "exit"]].dropna()["intake"]
    m1, s1 = baseline.mean(), baseline.std(ddof=1)
    assert set(table["criterion"]) == {"c"}
    assert exit_rows["cutoff"].iloc[0] == pytest.approx((3.0 * m1 + s1 * 4.0) / (3.0 + s1))
    assert exit_rows["n"].sum() == exit_rows["assessed"].iloc[0] == len(baseline)
