"""Mixed models against R's lme4/lmerTest (Satterthwaite t tests, REML; likelihood-ratio tests
on ML fits), and least squares with merged categories against R's lm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.stats.models import (
    interaction_test,
    mixed_model,
    mixed_model_fit,
    ols_fit,
    ols_regression,
)

from .reference import r_output, stats_input

R = r_output("models")
OLS = r_output("ols")
WAVES = ["pre", "post", "follow_up"]
R_TERMS = {"(Intercept)": "Intercept", "wavepost": "wave=post",
           "wavefollow_up": "wave=follow_up", "genderwoman": "gender=woman",
           "wavepost:genderwoman": "wave=post x gender=woman",
           "wavefollow_up:genderwoman": "wave=follow_up x gender=woman"}


def _data(name):
    return stats_input({"balanced": "mixed_balanced", "singular": "mixed_singular"}.get(
        name, "mixed_unbalanced"))


def _mixed(name, **options):
    return mixed_model(_data(name), dv="score", within="wave", subject="subject", levels=WAVES,
                       **options)


def _mixed_fit(name, **options):
    fit = mixed_model_fit(_data(name), dv="score", within="wave", subject="subject",
                          levels=WAVES, **options)
    assert len(fit) == 1
    return fit.iloc[0]


@pytest.mark.parametrize("name,options", [
    ("balanced", {}),
    ("unbalanced", {}),
    ("unbalanced_by_gender", {"between": "gender", "min_group": 5}),
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
    # model-level statistics are not repeated on the coefficient rows
    assert not {"n_obs", "subject_variance", "residual_variance", "converged", "note"} & set(
        table.columns)
    fit = _mixed_fit(name, **options)
    assert fit["n_obs"] == reference["n_obs"]
    assert fit["n_subjects"] == reference["n_subjects"]
    assert table["n_subjects"].iloc[0] == reference["n_subjects"]  # the intercept: everyone
    assert fit["subject_variance"] == pytest.approx(reference["subject_variance"],
                                                    rel=1e-5, abs=1e-9)
    assert fit["residual_variance"] == pytest.approx(reference["residual_variance"], rel=1e-5)
    assert fit["reml_criterion"] == pytest.approx(reference["reml_criterion"], rel=1e-7)
    # lme4's AIC/BIC of a REML fit: REMLcrit + 2k, + log(n) k; k = fixed effects + 2 variances
    k = len(table) + 2
    assert fit["aic"] == pytest.approx(reference["reml_criterion"] + 2 * k, rel=1e-7)
    assert fit["bic"] == pytest.approx(reference["reml_criterion"]
                                       + np.log(reference["n_obs"]) * k, rel=1e-7)
    total = reference["subject_variance"] + reference["residual_variance"]
    assert fit["icc"] == pytest.approx(reference["subject_variance"] / total, rel=1e-4,
                                       abs=1e-9)
    assert bool(fit["converged"])


def test_satterthwaite_df_differ_from_a_large_sample_z_test():
    # unbalanced: wave=post has 52.4 df; a Wald z test would give p = 0.00735, not 0.00980
    row = _mixed("unbalanced").set_index("term").loc["wave=post"]
    assert row["df"] == pytest.approx(52.4029063234705, rel=1e-5)
    assert row["p"] == pytest.approx(0.00980156547258055, rel=1e-5)


def test_by_group_leaves_out_small_groups_and_counts_their_subjects():
    fit = _mixed_fit("unbalanced_by_gender", between="gender", min_group=5)
    assert fit["left_out"] == 3  # the three non_binary subjects
    assert fit["n_obs"] == R["unbalanced_by_gender"]["n_obs"]
    assert _mixed_fit("unbalanced_by_gender", between="gender", min_group=3)["left_out"] == 0


def test_singular_fit_is_said_and_gives_least_squares_df():
    table = _mixed("singular")
    fit = _mixed_fit("singular")
    assert R["singular"]["singular"] and fit["subject_variance"] == 0 and fit["icc"] == 0
    assert "singular" in fit["note"]
    assert table["df"].tolist() == pytest.approx([33.0, 33.0, 33.0])  # 36 forms - 3 effects


def test_mixed_model_without_enough_data_is_a_note():
    data = stats_input("mixed_balanced")
    two = data[data["subject"].isin(["b01", "b02"])]
    table = mixed_model(two, dv="score", within="wave", subject="subject", levels=WAVES)
    fit = mixed_model_fit(two, dv="score", within="wave", subject="subject",
                          levels=WAVES).iloc[0]
    assert table["term"].tolist() == ["Intercept", "wave=post", "wave=follow_up"]
    assert table["estimate"].isna().all() and "fewer than three subjects" in fit["note"]
    assert not fit["converged"] and np.isnan(fit["aic"])
    one_wave = mixed_model_fit(data, dv="score", within="wave", subject="subject",
                               levels=["pre"])
    assert "two time points" in one_wave["note"].iloc[0]
    with pytest.raises(ValueError, match="'points'"):
        mixed_model(data, dv="points", within="wave", subject="subject", levels=WAVES)


def test_interaction_test_equals_r_likelihood_ratio_on_ml_fits():
    data = stats_input("mixed_unbalanced")
    row = interaction_test(data, dv="score", within="wave", subject="subject", levels=WAVES,
                           between="gender", min_group=5).iloc[0]
    reference = R["interaction_gender"]
    assert (row["factor"], row["n_subjects"], row["left_out"]) == ("gender", 37, 3)
    assert row["df"] == reference["df"]
    assert row["chi2"] == pytest.approx(reference["chi2"], rel=1e-5)
    assert row["p"] == pytest.approx(reference["p"], rel=1e-5)


def test_interaction_test_notes_instead_of_raising():
    data = stats_input("mixed_unbalanced")
    absent = interaction_test(data, dv="score", within="wave", subject="subject",
                              levels=WAVES, between="role").iloc[0]
    assert np.isnan(absent["p"]) and "no column 'role'" in absent["note"]
    one_group = interaction_test(data, dv="score", within="wave", subject="subject",
                                 levels=WAVES, between="gender", min_group=20).iloc[0]
    assert np.isnan(one_group["p"]) and "fewer than two groups" in one_group["note"]


# --- least squares ----------------------------------------------------------------------------

ORDERS = {"experience_band": ["<1", "1-2", "3-5", "6-10", "10+"],
          "supervision_frequency": ["weekly", "fortnightly", "monthly", "less_than_monthly",
                                    "none"]}
FACTORS = ["gender", "role", "experience_band", "supervision_frequency"]


OLS_OPTIONS = {"dv": "total", "between": FACTORS, "ordered": ORDERS, "covar": ["sessions"]}


def _ols():
    return ols_regression(stats_input("ols_forms"), **OLS_OPTIONS)


def _ols_fit(data=None, **options):
    fit = ols_fit(stats_input("ols_forms") if data is None else data,
                  **(options or OLS_OPTIONS))
    assert len(fit) == 1
    return fit.iloc[0]


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
    assert not {"r2", "f", "n_model", "note", "merged"} & set(table.columns)
    fit = _ols_fit()
    assert fit["n"] == OLS["n_model"]
    for column in ("r2", "adj_r2", "f", "f_df1", "f_df2", "f_p"):
        assert fit[column] == pytest.approx(OLS[column], rel=1e-9), column
    # R's AIC(lm) counts sigma: -2 logLik + 2 (coefficients + intercept + 1)
    k = fit["coefficients"] + 2
    assert fit["aic"] == pytest.approx(-2 * fit["log_likelihood"] + 2 * k, rel=1e-12)
    assert fit["bic"] == pytest.approx(-2 * fit["log_likelihood"] + np.log(fit["n"]) * k,
                                       rel=1e-12)
    # residual df: n - coefficients - intercept
    assert fit["f_df2"] == fit["n"] - fit["coefficients"] - 1


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
    first = _ols_fit()
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
    options = {"dv": "total", "between": ["band", "site"],
               "ordered": {"band": ["a", "b", "c", "d"]}, "min_cell": 5}
    table = ols_regression(forms, **options)
    # b (2) merges with c (4, smaller than a's 6) -> b|c (6)
    assert set(table["term"]) == {"Intercept", "band=a", "band=b|c"}
    assert table["reference"].iloc[1] == "d"  # the most frequent
    assert "site has one category" in _ols_fit(forms, **options)["note"]
    assert table.set_index("term").loc["band=b|c", "estimate"] == pytest.approx(
        np.mean(np.arange(6, 12)) - np.mean(np.arange(12, 20)))


def test_ordered_factor_needs_its_order():
    forms = pd.DataFrame({"total": [1.0, 2.0], "band": ["a", "b"]})
    with pytest.raises(ValueError, match="order"):
        ols_regression(forms, dv="total", between=["band"], ordered=["band"])


def test_merging_is_repeated_after_rows_are_dropped():
    # band is merged first and has nothing small; role's "other" (c 2 + d 2 = 4 < 5) is then
    # dropped, which takes band "x" from 6 down to 2: a second pass must merge it.
    forms = pd.DataFrame({
        "total": np.arange(24, dtype=float),
        "band": ["x"] * 6 + ["y"] * 9 + ["z"] * 9,
        "role": ["c", "c", "d", "d"] + ["a"] * 10 + ["b"] * 10})
    options = {"dv": "total", "between": ["band", "role"], "ordered": {"band": ["x", "y", "z"]},
               "min_cell": 5}
    table = ols_regression(forms, **options)
    first = _ols_fit(forms, **options)
    assert first["dropped"] == 4 and first["n"] == 20
    assert "band: x + y -> x|y" in first["merged"]
    assert set(table["term"]) == {"Intercept", "band=z", "role=b"}


def test_a_category_of_exactly_min_cell_stays_and_power_is_counted_per_coefficient():
    # "b" has 5 = min_cell rows: not below it, so it stays, and "other" of exactly 5 is kept.
    forms = pd.DataFrame({
        "total": np.arange(20, dtype=float),
        "role": ["a"] * 10 + ["b"] * 5 + ["c"] * 3 + ["d"] * 2})
    options = {"dv": "total", "between": ["role"], "min_cell": 5}
    table = ols_regression(forms, **options)
    assert table["term"].tolist() == ["Intercept", "role=b", "role=other"]
    assert _ols_fit(forms, **options)["dropped"] == 0
    # 20 rows for 2 coefficients: exactly 10 per coefficient is enough
    assert not _ols_fit(forms, **options)["underpowered"]
    assert _ols_fit(forms.iloc[1:], **options)["underpowered"]


def test_a_missing_first_level_is_said():
    data = stats_input("mixed_balanced")
    later = data[data["wave"] != "pre"]
    table = mixed_model(later, dv="score", within="wave", subject="subject", levels=WAVES)
    fit = mixed_model_fit(later, dv="score", within="wave", subject="subject", levels=WAVES)
    assert table["term"].tolist() == ["Intercept", "wave=follow_up"]
    assert "'post' is the reference" in fit["note"].iloc[0]


def test_a_regression_with_nobody_left_gives_a_note_not_an_error():
    from evalkit.stats.models import ols_regression

    data = pd.DataFrame({"y": [10.0, 12.0, 11.0], "g": ["a", "b", "c"]})
    table = ols_regression(data, dv="y", between=["g"], min_cell=5)
    fit = _ols_fit(data, dv="y", between=["g"], min_cell=5)
    assert table["estimate"].isna().all()
    assert fit["dropped"] == 3 and fit["n"] == 0 and np.isnan(fit["r2"])


@pytest.mark.parametrize("name", ["balanced", "unbalanced"])
def test_mixed_model_estimates_equal_statsmodels_mixedlm(name):
    # second oracle for what statsmodels can do: the REML estimates, the two variances and (when
    # balanced) the SEs; statsmodels has no Satterthwaite df, which R's lmerTest checks above
    import statsmodels.formula.api as smf

    data = _data(name)
    direct = smf.mixedlm("score ~ C(wave, Treatment('pre'))", data,
                         groups=data["subject"]).fit(reml=True, method="powell")
    table = _mixed(name).set_index("term")
    fit = _mixed_fit(name)
    for term, level in (("Intercept", "Intercept"),
                        ("wave=post", "C(wave, Treatment('pre'))[T.post]"),
                        ("wave=follow_up", "C(wave, Treatment('pre'))[T.follow_up]")):
        assert table.loc[term, "estimate"] == pytest.approx(direct.fe_params[level], rel=1e-4)
        if name == "balanced":
            # statsmodels' SEs come from the joint Hessian of the fixed effects and the variance
            # parameters; lme4's (above) from the fixed effects given the variances. Balanced, the
            # two coincide; unbalanced they differ by about 0.1%, so only estimates are compared.
            assert table.loc[term, "se"] == pytest.approx(direct.bse_fe[level], rel=1e-3)
    assert fit["residual_variance"] == pytest.approx(direct.scale, rel=1e-3)
    assert fit["subject_variance"] == pytest.approx(float(direct.cov_re.iloc[0, 0]), rel=1e-3)
