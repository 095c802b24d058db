"""Mixed models against R's lme4/lmerTest (Satterthwaite t tests, REML; likelihood-ratio tests
on ML fits), and least squares with merged categories against R's lm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.stats.models import interaction_test, mixed_model, ols_regression

from .reference import r_output, stats_input

R = r_output("models")
OLS = r_output("ols")
WAVES = ["pre", "post", "follow_up"]
R_TERMS = {"(Intercept)": "Intercept", "wavepost": "wave=post",
           "wavefollow_up": "wave=follow_up", "genderwoman": "gender=woman",
           "wavepost:genderwoman": "wave=post x gender=woman",
           "wavefollow_up:genderwoman": "wave=follow_up x gender=woman"}


def _mixed(name, **options):
    data = stats_input({"balanced": "mixed_balanced", "singular": "mixed_singular"}.get(
        name, "mixed_unbalanced"))
    return mixed_model(data, value="score", subject="subject", time="wave", levels=WAVES,
                       **options)


@pytest.mark.parametrize("name,options", [
    ("balanced", {}),
    ("unbalanced", {}),
    ("unbalanced_by_gender", {"by": "gender", "min_group": 5}),
    ("singular", {}),
])
def test_mixed_model_equals_lmertest_satterthwaite(name, options):
    table = _mixed(name, **options)
    reference = R[name]
    expected = pd.DataFrame(reference["terms"])
    assert table["term"].tolist() == [R_TERMS[t] for t in expected["term"]]
    for column in ("estimate", "se", "df", "t", "p", "ci_low", "ci_high"):
        # lmerTest differentiates numerically (about 1e-7 relative); the requirement is 1e-3
        assert table[column].to_numpy() == pytest.approx(expected[column].to_numpy(),
                                                         rel=1e-5), column
    assert table["n_obs"].iloc[0] == reference["n_obs"]
    assert table["n_subjects"].iloc[0] == reference["n_subjects"]
    assert table["subject_variance"].iloc[0] == pytest.approx(reference["subject_variance"],
                                                              rel=1e-5, abs=1e-9)
    assert table["residual_variance"].iloc[0] == pytest.approx(reference["residual_variance"],
                                                               rel=1e-5)
    assert table["converged"].all()


def test_satterthwaite_df_differ_from_a_large_sample_z_test():
    # unbalanced: wave=post has 52.4 df; a Wald z test would give p = 0.00735, not 0.00980
    row = _mixed("unbalanced").set_index("term").loc["wave=post"]
    assert row["df"] == pytest.approx(52.4029063234705, rel=1e-5)
    assert row["p"] == pytest.approx(0.00980156547258055, rel=1e-5)


def test_by_group_leaves_out_small_groups_and_counts_their_subjects():
    table = _mixed("unbalanced_by_gender", by="gender", min_group=5)
    assert table["left_out"].iloc[0] == 3  # the three non_binary subjects
    assert table["n_obs"].iloc[0] == R["unbalanced_by_gender"]["n_obs"]


def test_singular_fit_is_said_and_gives_least_squares_df():
    table = _mixed("singular")
    assert R["singular"]["singular"] and table["subject_variance"].iloc[0] == 0
    assert "singular" in table["note"].iloc[0]
    assert table["df"].tolist() == pytest.approx([33.0, 33.0, 33.0])  # 36 forms - 3 effects


def test_mixed_model_without_enough_data_is_a_note():
    data = stats_input("mixed_balanced")
    two = data[data["subject"].isin(["b01", "b02"])]
    table = mixed_model(two, value="score", subject="subject", time="wave", levels=WAVES)
    assert table["term"].tolist() == ["Intercept", "wave=post", "wave=follow_up"]
    assert table["estimate"].isna().all() and "fewer than three subjects" in table["note"].iloc[0]
    assert not table["converged"].any()
    one_wave = mixed_model(data, value="score", subject="subject", time="wave", levels=["pre"])
    assert "two time points" in one_wave["note"].iloc[0]


def test_interaction_test_equals_r_likelihood_ratio_on_ml_fits():
    data = stats_input("mixed_unbalanced")
    row = interaction_test(data, value="score", subject="subject", time="wave", levels=WAVES,
                           by="gender", min_group=5).iloc[0]
    reference = R["interaction_gender"]
    assert (row["factor"], row["n_subjects"], row["left_out"]) == ("gender", 37, 3)
    assert row["df"] == reference["df"]
    assert row["chi2"] == pytest.approx(reference["chi2"], rel=1e-5)
    assert row["p"] == pytest.approx(reference["p"], rel=1e-5)


def test_interaction_test_notes_instead_of_raising():
    data = stats_input("mixed_unbalanced")
    absent = interaction_test(data, value="score", subject="subject", time="wave",
                              levels=WAVES, by="role").iloc[0]
    assert np.isnan(absent["p"]) and "no column 'role'" in absent["note"]
    one_group = interaction_test(data, value="score", subject="subject", time="wave",
                                 levels=WAVES, by="gender", min_group=20).iloc[0]
    assert np.isnan(one_group["p"]) and "fewer than two groups" in one_group["note"]


# --- least squares ----------------------------------------------------------------------------

ORDERS = {"experience_band": ["<1", "1-2", "3-5", "6-10", "10+"],
          "supervision_frequency": ["weekly", "fortnightly", "monthly", "less_than_monthly",
                                    "none"]}
FACTORS = ["gender", "role", "experience_band", "supervision_frequency"]


def _ols():
    return ols_regression(stats_input("ols_forms"), outcome="total", factors=FACTORS,
                          ordered=ORDERS, covariates=["sessions"])


def _r_term(term: str) -> str:
    if term == "(Intercept)":
        return "Intercept"
    for factor in FACTORS:
        if term.startswith(factor):
            return f"{factor}={term[len(factor):]}"
    return term


def test_ols_after_merging_equals_r_lm():
    table = _ols().set_index("term")
    expected = pd.DataFrame(OLS["terms"])
    expected["term"] = expected["term"].map(_r_term)
    expected = expected.set_index("term")
    assert sorted(table.index) == sorted(expected.index)
    for column in ("estimate", "se", "t", "p", "ci_low", "ci_high"):
        assert table.loc[expected.index, column].to_numpy() == pytest.approx(
            expected[column].to_numpy(), rel=1e-9), column
    first = table.iloc[0]
    for column in ("n_model", "r2", "adj_r2", "f", "f_df1", "f_df2", "f_p"):
        assert first[column] == pytest.approx(OLS[column], rel=1e-9), column


def test_ols_merges_drops_and_references_as_worked_out_by_hand():
    table = _ols().set_index("term")
    # references: most frequent after merging, ties (case_manager, facilitator, supervisor at
    # 30) alphabetical
    references = table.dropna(subset=["n"]).groupby("factor")["reference"].first()
    assert references.to_dict() == {"gender": "woman", "role": "case_manager",
                                    "experience_band": "6-10|10+",
                                    "supervision_frequency": "fortnightly", "sessions": ""}
    sizes = {f"{factor}={level}": n for factor, counts in zip(FACTORS, OLS["level_sizes"],
                                                                strict=True)
             for level, n in counts.items()}
    for term, n in sizes.items():
        if term in table.index:
            assert table.loc[term, "n"] == n, term
    first = table.iloc[0]
    assert first["dropped"] == 3  # manager 2 + partner_support 1: "other" of 3 < 5
    merged = first["merged"]
    for text in ("gender: non_binary + prefer_not_to_say -> other",
                 "role: manager + partner_support (3 rows) dropped",
                 "experience_band: <1 + 1-2 -> <1|1-2",  # the smaller neighbour, not 3-5
                 "experience_band: 6-10 + 10+ -> 6-10|10+",  # 10+ fell to 4 after the drop
                 "supervision_frequency: less_than_monthly + none -> less_than_monthly|none"):
        assert text in merged
    assert bool(first["underpowered"])  # 90 forms, 10 coefficients
    assert "2 rows with a missing value" in first["note"]


def test_ordered_merge_goes_to_the_smaller_neighbour_and_a_lone_category_leaves():
    forms = pd.DataFrame({
        "total": np.arange(20, dtype=float),
        "band": ["a"] * 6 + ["b"] * 2 + ["c"] * 4 + ["d"] * 8,
        "site": ["x"] * 20})
    table = ols_regression(forms, outcome="total", factors=["band", "site"],
                           ordered={"band": ["a", "b", "c", "d"]}, min_cell=5)
    # b (2) merges with c (4, smaller than a's 6) -> b|c (6)
    assert set(table["term"]) == {"Intercept", "band=a", "band=b|c"}
    assert table["reference"].iloc[1] == "d"  # the most frequent
    assert "site has one category" in table["note"].iloc[0]
    assert table.set_index("term").loc["band=b|c", "estimate"] == pytest.approx(
        np.mean(np.arange(6, 12)) - np.mean(np.arange(12, 20)))


def test_ordered_factor_needs_its_order():
    forms = pd.DataFrame({"total": [1.0, 2.0], "band": ["a", "b"]})
    with pytest.raises(ValueError, match="order"):
        ols_regression(forms, outcome="total", factors=["band"], ordered=["band"])


def test_merging_is_repeated_after_rows_are_dropped():
    # band is merged first and has nothing small; role's "other" (c 2 + d 2 = 4 < 5) is then
    # dropped, which takes band "x" from 6 down to 2: a second pass must merge it.
    forms = pd.DataFrame({
        "total": np.arange(24, dtype=float),
        "band": ["x"] * 6 + ["y"] * 9 + ["z"] * 9,
        "role": ["c", "c", "d", "d"] + ["a"] * 10 + ["b"] * 10})
    table = ols_regression(forms, outcome="total", factors=["band", "role"],
                           ordered={"band": ["x", "y", "z"]}, min_cell=5)
    first = table.iloc[0]
    assert first["dropped"] == 4 and first["n_model"] == 20
    assert "band: x + y -> x|y" in first["merged"]
    assert set(table["term"]) == {"Intercept", "band=z", "role=b"}


def test_a_category_of_exactly_min_cell_stays_and_power_is_counted_per_coefficient():
    # "b" has 5 = min_cell rows: not below it, so it stays, and "other" of exactly 5 is kept.
    forms = pd.DataFrame({
        "total": np.arange(20, dtype=float),
        "role": ["a"] * 10 + ["b"] * 5 + ["c"] * 3 + ["d"] * 2})
    table = ols_regression(forms, outcome="total", factors=["role"], min_cell=5)
    assert table["term"].tolist() == ["Intercept", "role=b", "role=other"]
    assert table["dropped"].iloc[0] == 0
    # 20 rows for 2 coefficients: exactly 10 per coefficient is enough
    assert not table["underpowered"].iloc[0]
    assert ols_regression(forms.iloc[1:], outcome="total", factors=["role"],
                          min_cell=5)["underpowered"].iloc[0]


def test_a_missing_first_level_is_said():
    data = stats_input("mixed_balanced")
    table = mixed_model(data[data["wave"] != "pre"], value="score", subject="subject",
                        time="wave", levels=WAVES)
    assert table["term"].tolist() == ["Intercept", "wave=follow_up"]
    assert "'post' is the reference" in table["note"].iloc[0]


def test_a_regression_with_nobody_left_gives_a_note_not_an_error():
    from evalkit.stats.models import ols_regression

    data = pd.DataFrame({"y": [10.0, 12.0, 11.0], "g": ["a", "b", "c"]})
    table = ols_regression(data, outcome="y", factors=["g"], min_cell=5)
    assert table["estimate"].isna().all()
    assert "no model" in table["note"].iloc[0] or table["n_model"].iloc[0] == 0
