"""Secondary-trauma analysis against hand counts, published cut-offs and independent computations.

The statistics (Welch, regression, correlations, alpha) are tested in ``tests/stats/``; here we test
what the analysis decides: which forms count at which wave, which wave is the latest, how forms
fall into bands, the supervision window, which pairs are correlated and over which family Holm
runs, and what happens when a file is absent.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint
from tests.conftest import answers_summing_to

import evalkit
from evalkit.analyses import instrument, secondary_trauma
from evalkit.io.contracts import PROQOL_ITEMS, STSS_ITEMS
from evalkit.publish.policy import Policy
from evalkit.scales import PROQOL, STSS

STSS_HEADER = "practitioner_id,wave,response_date," + ",".join(STSS_ITEMS)
PROQOL_HEADER = "practitioner_id,wave,response_date," + ",".join(PROQOL_ITEMS)
BANDS = ["little_or_none", "mild", "moderate", "high", "severe"]


def _forms(dataset, spec=STSS):
    """Scored forms with the practitioner attributes, as the analysis scores them."""
    return instrument.scored(dataset, spec, attributes=secondary_trauma.ATTRIBUTES)


def _write(folder, name, text):
    (folder / f"{name}.csv").write_text(text.strip() + "\n")


def _stss_row(pid, wave, date, total=None, answers=None):
    if answers is None:
        answers = answers_summing_to(total, 17)
    cells = ["" if a is None else str(a) for a in answers]
    return ",".join([pid, wave, date, *cells])


def _holm(p):
    """Holm's step-down adjustment written out (Holm 1979); missing p-values stay missing and do
    not count towards the family."""
    p = np.asarray(p, dtype=float)
    adjusted = np.full(len(p), np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    running = 0.0
    for rank, index in enumerate(tested[np.argsort(p[tested])]):
        running = max(running, min(1.0, (len(tested) - rank) * p[index]))
        adjusted[index] = running
    return adjusted


PRACTITIONERS = """
practitioner_id,site,gender,role,experience_band,supervision_frequency
s1,north,woman,facilitator,<1,weekly
s2,north,man,facilitator,1-2,monthly
s3,south,woman,supervisor,3-5,weekly
s4,south,man,facilitator,10+,none
s5,south,woman,partner_support,1-2,monthly
"""


@pytest.fixture
def small(tmp_path):
    """Five practitioners. 2024 totals: 27, 28, 38, 49, and s5's form half-filled (unscored).
    2025 (s1-s3 only): 30, 25, 44. s5 is not in supervision.csv."""
    _write(tmp_path, "practitioners", PRACTITIONERS)
    rows = [_stss_row("s1", "2024", "2024-03-01", 27), _stss_row("s2", "2024", "2024-03-02", 28),
            _stss_row("s3", "2024", "2024-03-03", 38), _stss_row("s4", "2024", "2024-03-04", 49),
            _stss_row("s5", "2024", "2024-03-05", answers=[3] * 8 + [None] * 9),
            _stss_row("s1", "2025", "2025-03-01", 30), _stss_row("s2", "2025", "2025-03-01", 25),
            _stss_row("s3", "2025", "2025-03-20", 44)]
    _write(tmp_path, "stss", "\n".join([STSS_HEADER, *rows]))
    # s1: 2 sessions in 2024-03 (the form's month), 4 in 2023-04 (the 12th month back counting
    # the form's own: inside), 8 in 2023-03 (the 13th: outside), 5 in 2024-04 (after the form:
    # outside).
    _write(tmp_path, "supervision", """
practitioner_id,month,sessions,kind
s1,2024-03,2,individual
s1,2023-04,4,group
s1,2023-03,8,individual
s1,2024-04,5,individual
s2,2024-01,6,co_worker_check_in
s3,2024-02,0,individual
""")
    return evalkit.load(tmp_path)


def test_band_counts_by_hand(small):
    bands = instrument.bands(STSS, _forms(small))
    assert bands["band"].unique().tolist() == list(secondary_trauma.STSS_BANDS)
    assert bands["wave"].tolist() == ["2024"] * 5 + ["2025"] * 5
    bands = bands.set_index(["wave", "band"])
    # Bride (2007): little or none below 28, mild 28-37, moderate 38-43, high 44-48, severe 49+.
    # 2024: 27 | 28 | 38 | 49 (s5 unscored) -> one in each band but "high", every band listed.
    assert bands.loc["2024"].index.tolist() == BANDS
    assert bands.loc["2024", "n"].tolist() == [1, 1, 1, 0, 1]
    assert bands.loc["2024", "scored"].unique().tolist() == [4]
    assert bands.loc[("2024", "mild"), "share"] == 0.25
    low, high = proportion_confint(1, 4, method="wilson")
    assert bands.loc[("2024", "mild"), ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [low, high])
    # 2025: 30 mild, 25 little or none, 44 high
    assert bands.loc["2025", "n"].tolist() == [1, 1, 0, 1, 0]


def test_coverage_and_clinical_share_by_hand(small):
    forms = _forms(small)
    coverage = secondary_trauma.coverage(forms, ["total"]).set_index("wave")
    assert coverage.loc["2024", ["forms", "scored", "unscored"]].tolist() == [5, 4, 1]
    assert coverage.loc["2025", ["forms", "scored", "unscored"]].tolist() == [3, 3, 0]
    # 38 or more (Bride 2007): 2024 -> 38 and 49 of 4; 2025 -> 44 of 3.
    share = secondary_trauma.share_at_or_above(forms).set_index("wave")
    assert share.loc["2024", ["scored", "at_or_above"]].tolist() == [4, 2]
    assert share.loc["2025", "share"] == pytest.approx(1 / 3)
    low, high = proportion_confint(2, 4, method="wilson")
    assert share.loc["2024", ["ci_low", "ci_high"]].tolist() == pytest.approx([low, high])


def test_supervision_window_is_the_twelve_months_up_to_the_form(small):
    forms = _forms(small)
    first = forms[forms["wave"] == "2024"]
    per_month = secondary_trauma.supervision_per_month(small, first)
    # s1: 2 + 4 = 6 -> 0.5 a month (not 14/12 with 2023-03, not 4/12 without the form's month,
    # not 11/12 with the month after); s2: 6 (all kinds count) -> 0.5; s3: 0; s4, s5: no rows -> 0
    assert per_month.tolist() == [0.5, 0.5, 0.0, 0.0, 0.0]
    assert per_month.index.equals(first.index)


def test_wave_change_uses_practitioners_in_both_waves(small):
    result = secondary_trauma.compute(small, min_cell=5)
    change = result["wellbeing_wave_change"]
    assert sorted(change["subscale"]) == sorted(secondary_trauma.STSS_SUBSCALES)
    total = change.set_index("subscale").loc["total"]
    # pairs: s1 27->30, s2 28->25, s3 38->44 (s4 and s5 answered 2024 only)
    assert total["comparison"] == "2025_vs_2024"
    assert total["n"] == 3
    assert total["mean_change"] == pytest.approx((3 - 3 + 6) / 3)
    # Holm runs over the subscales of the one scale
    assert change["p_holm"].to_numpy() == pytest.approx(_holm(change["p"]), nan_ok=True)


def test_comparisons_and_distribution_use_the_latest_wave(small):
    result = secondary_trauma.compute(small, min_cell=3)
    distribution = result["sts_distribution"].set_index(["factor", "group"])
    # 2025: s1 (woman) 30, s2 (man) 25, s3 (woman) 44; in 2024 there were two men scored.
    assert distribution.loc[("gender", "woman"), "n"] == 2
    assert distribution.loc[("gender", "man"), "n"] == 1
    # groups this small have no percentiles (one person's score would be one)
    assert distribution[["q1", "median", "q3"]].isna().all().all()


def test_comparisons_refuse_two_forms_from_one_person(small):
    with pytest.raises(ValueError, match="one wave"):
        secondary_trauma.group_comparisons(_forms(small),
                                           outcomes={"STSS total": "total"})


def test_waves_are_ordered_by_median_response_date(tmp_path):
    # "spring" was surveyed in April 2024 (one late return in December), "autumn" in October
    # (one early return in March). By median date spring comes first; by label, by earliest or by
    # latest date autumn would.
    rows = [_stss_row("s1", "spring", "2024-04-01", 20), _stss_row("s2", "spring", "2024-04-02", 30),
            _stss_row("s3", "spring", "2024-04-03", 40), _stss_row("s4", "spring", "2024-12-01", 50),
            _stss_row("s5", "autumn", "2024-03-01", 45), _stss_row("s1", "autumn", "2024-10-01", 25),
            _stss_row("s2", "autumn", "2024-10-02", 35), _stss_row("s3", "autumn", "2024-10-03", 48)]
    _write(tmp_path, "stss", "\n".join([STSS_HEADER, *rows]))
    _write(tmp_path, "practitioners", PRACTITIONERS)
    dataset = evalkit.load(tmp_path)
    forms = _forms(dataset)
    assert secondary_trauma.ordered_waves(forms) == ["spring", "autumn"]
    assert secondary_trauma.latest_wave(forms)["practitioner_id"].tolist() == [
        "s5", "s1", "s2", "s3"]
    result = secondary_trauma.compute(dataset, min_cell=3)
    assert result["sts_clinical"]["wave"].tolist() == ["spring", "autumn"]
    assert result["sts_bands"]["wave"].iloc[0] == "spring"
    total = result["wellbeing_wave_change"].set_index("subscale").loc["total"]
    # s1 20->25, s2 30->35, s3 40->48
    assert total["comparison"] == "autumn_vs_spring"
    assert (total["n"], total["mean_change"]) == (3, pytest.approx(6))
    # Changes 5, 5, 8: SD sqrt(3), so t = 6 / (sqrt(3) / sqrt(3)) = 6 on 2 df. SDs of the waves:
    # 10 (20, 30, 40) and sqrt(133) (25, 35, 48), so d_av = 6 / ((10 + sqrt(133)) / 2) = 0.5573.
    assert (total["t"], total["df"]) == (pytest.approx(6), 2)
    assert total["d_av"] == pytest.approx(6 / ((10 + 133 ** 0.5) / 2), abs=1e-9)
    spec = secondary_trauma.ANALYSIS.spec("wellbeing_wave_change")
    table = result["wellbeing_wave_change"]
    assert {"t", "df", "d_av"} <= set(Policy("research", 3).apply(table, spec).csv().columns)
    assert not {"t", "df", "d_av"} & set(Policy("funder", 3).apply(table, spec).csv().columns)
    # the distribution describes the latest wave: s5, s1, s2, s3
    gender = result["sts_distribution"].query("factor == 'gender'")
    assert gender["n"].sum() == 4
    # and so do the comparisons: three women and one man in autumn, so with groups of at least
    # 3 one group is left out (in spring, two and two, both would be)
    comparisons = result["wellbeing_comparisons"].set_index(["outcome", "factor"])
    assert comparisons.loc[("STSS total", "gender"), "groups_left_out"] == 1


def test_forms_without_practitioners_file_are_scored_but_not_compared(tmp_path):
    _write(tmp_path, "stss", "\n".join([STSS_HEADER, _stss_row("s1", "2024", "2024-03-01", 40),
                                        _stss_row("s2", "2024", "2024-03-02", 30)]))
    dataset = evalkit.load(tmp_path)
    forms = _forms(dataset)
    assert forms["total"].tolist() == [40.0, 30.0]
    assert "gender" not in forms
    result = secondary_trauma.compute(dataset, min_cell=5)
    _assert_declared(result)
    reasons = {name: value for name, value in result.items() if isinstance(value, str)}
    assert reasons == {
        "proqol_bands": "needs proqol.csv",
        "sts_distribution": "needs stss.csv and practitioners.csv",
        "wellbeing_comparisons": "needs practitioners.csv",
        "sts_regression": "needs stss.csv and practitioners.csv",
        "sts_regression_fit": "needs stss.csv and practitioners.csv",
        "sts_regression_residuals": "needs stss.csv and practitioners.csv",
        "wellbeing_wave_change": "needs two survey waves",
    }
    assert result["sts_clinical"][["scored", "at_or_above"]].values.tolist() == [[2, 1]]


# ProQOL 5 (Stamm 2010): compassion satisfaction items 3, 6, 12, 16, 18, 20, 22, 24, 27, 30;
# burnout 1, 4, 8, 10, 15, 17, 19, 21, 26, 29 (1, 4, 15, 17, 29 reverse-scored);
# secondary traumatic stress 2, 5, 7, 9, 11, 13, 14, 23, 25, 28. Raw sums: 22 or less low,
# 23-41 moderate, 42 or more high.
COMPASSION = (3, 6, 12, 16, 18, 20, 22, 24, 27, 30)


def _proqol_row(pid, wave, date, compassion):
    """Every answer 2 except the compassion items, which add up to ``compassion``. Burnout is
    then 5 x 4 (reversed) + 5 x 2 = 30 (moderate); secondary traumatic stress 20 (low)."""
    answers = [2] * 30
    for item, answer in zip(COMPASSION, answers_summing_to(compassion, 10), strict=True):
        answers[item - 1] = answer
    return ",".join([pid, wave, date, *map(str, answers)])


@pytest.fixture
def both(tmp_path):
    _write(tmp_path, "practitioners", PRACTITIONERS)
    _write(tmp_path, "stss", "\n".join([STSS_HEADER, *(
        _stss_row(f"s{i}", "2024", "2024-03-01", total)
        for i, total in enumerate((27, 28, 38, 49), start=1))]))
    _write(tmp_path, "proqol", "\n".join([PROQOL_HEADER, *(
        _proqol_row(f"s{i}", "2024", "2024-03-01", total)
        for i, total in enumerate((22, 23, 41, 42), start=1))]))
    return evalkit.load(tmp_path)


def test_proqol_bands_by_hand(both):
    result = secondary_trauma.compute(both, min_cell=3)
    table = result["proqol_bands"].set_index(["subscale", "band"])
    # compassion satisfaction 22 low, 23 and 41 moderate, 42 high
    assert table.loc["compassion_satisfaction", "n"].tolist() == [1, 2, 1]
    assert table.loc["burnout", "n"].tolist() == [0, 4, 0]  # every band listed
    assert table.loc["secondary_traumatic_stress", "n"].tolist() == [4, 0, 0]
    assert table["scored"].unique().tolist() == [4]


def test_both_scales_are_stacked_stss_first(both):
    result = secondary_trauma.compute(both, min_cell=3)
    coverage = result["wellbeing_coverage"]
    assert coverage.columns[0] == "scale"
    assert coverage["scale"].tolist() == ["STSS"] + ["ProQOL 5"] * 3
    assert coverage["subscale"].tolist() == ["total", *secondary_trauma.PROQOL_SUBSCALES]
    assert coverage["forms"].tolist() == [4] * 4
    subscales = result["wellbeing_subscales"]
    assert subscales["scale"].tolist() == ["STSS"] * 4 + ["ProQOL 5"] * 3
    # mean compassion satisfaction (22 + 23 + 41 + 42) / 4
    assert subscales.set_index("subscale").loc["compassion_satisfaction", "mean"] == 32


def _assert_declared(result):
    assert sorted(result) == sorted(spec.name for spec in secondary_trauma.TABLES)
    for spec in secondary_trauma.TABLES:
        if not isinstance(result[spec.name], str):
            spec.check(result[spec.name])


@pytest.fixture(scope="module")
def sample_result():
    return secondary_trauma.compute(evalkit.load("data/sample"), min_cell=5)


def test_compute_on_the_sample_returns_the_declared_tables(sample_result):
    _assert_declared(sample_result)
    assert all(not isinstance(v, str) for v in sample_result.values())


def test_correlations_never_pair_a_subscale_with_its_own_total(sample_result):
    table = sample_result["wellbeing_correlations"]
    pairs = set(zip(table["x"], table["y"], strict=True))
    stss_parts = ("stss_intrusion", "stss_avoidance", "stss_arousal")
    for part in stss_parts:
        assert (part, "stss_total") not in pairs and ("stss_total", part) not in pairs
    # subscales of one scale with each other, and the total with other measures, are kept
    assert ("stss_intrusion", "stss_avoidance") in pairs
    assert ("stss_total", "burnout") in pairs
    # Holm runs over the whole matrix (one family)
    assert table["p_holm"].to_numpy() == pytest.approx(_holm(table["p"]), nan_ok=True)


def test_group_comparisons_adjust_within_each_outcome(sample_result):
    table = sample_result["wellbeing_comparisons"]
    assert table["outcome"].nunique() == 3
    for _, part in table.groupby("outcome"):
        assert part["p_holm"].to_numpy() == pytest.approx(_holm(part["p"]), nan_ok=True)


def test_practitioners_who_answered_only_the_proqol_keep_their_attributes():
    from tests.conftest import SAMPLE

    import evalkit
    from evalkit.analyses import secondary_trauma

    dataset = evalkit.load(SAMPLE)
    stss = dataset.stss
    latest = secondary_trauma.ordered_waves(stss.assign(wave=stss["wave"].astype(str)))[-1]
    dropped = set(stss.loc[stss["wave"].astype(str) == latest, "practitioner_id"].astype(str)[:5])
    fewer = dataset.replace(stss=stss[~(stss["practitioner_id"].astype(str).isin(dropped)
                                        & (stss["wave"].astype(str) == latest))])
    forms = {"stss": _forms(fewer),
             "proqol": _forms(fewer, PROQOL)}
    table = secondary_trauma._latest_outcomes(forms)
    proqol_only = table[table["practitioner_id"].isin(dropped)]
    assert len(proqol_only) == 5 and proqol_only["gender"].notna().all()


def test_correlations_pair_scores_from_one_survey_round(tmp_path):
    """STSS given in 2024 and 2025, the ProQOL only in 2024: the STSS-ProQOL correlation must pair
    the 2024 forms. The 2024 STSS totals rise with compassion satisfaction (r = 1 by
    construction); the 2025 totals fall, so pairing 2025 with 2024 would give a negative r."""
    _write(tmp_path, "practitioners", PRACTITIONERS)
    stss_2024 = (20, 30, 40, 50, 60)
    stss_2025 = (60, 50, 40, 30, 20)
    compassion = (15, 20, 25, 30, 35)
    _write(tmp_path, "stss", "\n".join([STSS_HEADER, *(
        _stss_row(f"s{i}", "2024", "2024-03-01", total)
        for i, total in enumerate(stss_2024, start=1)), *(
        _stss_row(f"s{i}", "2025", "2025-03-01", total)
        for i, total in enumerate(stss_2025, start=1))]))
    _write(tmp_path, "proqol", "\n".join([PROQOL_HEADER, *(
        _proqol_row(f"s{i}", "2024", "2024-03-01", total)
        for i, total in enumerate(compassion, start=1))]))
    dataset = evalkit.load(tmp_path)
    assert secondary_trauma.shared_latest_wave(
        [_forms(dataset),
         _forms(dataset, PROQOL)]) == "2024"
    scores = secondary_trauma.scale_scores(dataset)
    assert scores["stss_total"].tolist() == list(stss_2024)
    table = secondary_trauma.compute(dataset, min_cell=3)["wellbeing_correlations"]
    pair = table[(table["x"] == "stss_total") & (table["y"] == "compassion_satisfaction")]
    assert pair["n"].tolist() == [5]
    assert pair["r"].iloc[0] == pytest.approx(1.0)
    # the STSS alone still uses its own latest wave everywhere else
    assert secondary_trauma.latest_wave(
        _forms(dataset))["wave"].unique().tolist() == ["2025"]


def test_questionnaires_without_a_shared_round_are_not_correlated(tmp_path):
    _write(tmp_path, "practitioners", PRACTITIONERS)
    _write(tmp_path, "stss", "\n".join([STSS_HEADER, *(
        _stss_row(f"s{i}", "2025", "2025-03-01", total)
        for i, total in enumerate((20, 30, 40, 50, 60), start=1))]))
    _write(tmp_path, "proqol", "\n".join([PROQOL_HEADER, *(
        _proqol_row(f"s{i}", "2024", "2024-03-01", total)
        for i, total in enumerate((15, 20, 25, 30, 35), start=1))]))
    result = secondary_trauma.compute(evalkit.load(tmp_path), min_cell=3)
    assert result["wellbeing_correlations"] == \
        "needs a survey wave that the STSS and ProQOL share"


def test_regression_fit_is_one_row_of_its_own_for_research_only(sample_result):
    from evalkit.publish.policy import Policy

    model, fit = sample_result["sts_regression"], sample_result["sts_regression_fit"]
    assert len(fit) == 1
    assert not {"r2", "f", "f_p", "n_model", "merged", "note"} & set(model.columns)
    row = fit.iloc[0]
    # the two tables describe the same model: its rows and its coefficients
    assert model.loc[model["term"] == "Intercept", "n"].item() == row["n"]
    assert row["coefficients"] == len(model) - 1 == row["f_df1"]
    assert row["f_df2"] == row["n"] - row["coefficients"] - 1
    # the overall F from R squared: (R2 / df1) / ((1 - R2) / df2)
    assert row["f"] == pytest.approx(row["r2"] / row["f_df1"]
                                     / ((1 - row["r2"]) / row["f_df2"]), rel=1e-10)
    spec = next(s for s in secondary_trauma.TABLES if s.name == "sts_regression_fit")
    assert not Policy("funder").sees(spec) and Policy("research").sees(spec)
    assert spec.shown_to == ("research", "internal")


def test_box_percentiles_need_5_scores_and_tails_need_10_in_every_audience():
    """A group of 4 would show one person's score as a quartile; the 10th and 90th percentiles
    of 9 scores lie next to the lowest and highest. Type-7 quantiles, checked by hand: of
    1..5 the quartiles are 2, 3, 4; of 1..10 the 10th percentile is 1.9 and the 90th 9.1."""
    from evalkit.analyses.secondary_trauma import distribution_by_group

    forms = pd.DataFrame({"total": [*range(1, 5), *range(1, 6), *range(1, 10), *range(1, 11)],
                          "role": ["a"] * 4 + ["b"] * 5 + ["c"] * 9 + ["d"] * 10})
    table = distribution_by_group(forms, between=["role"]).set_index("group")
    assert table.loc["a", ["p10", "q1", "median", "q3", "p90"]].isna().all()
    assert table.loc["b", ["q1", "median", "q3"]].tolist() == [2, 3, 4]
    assert table.loc[["b", "c"], ["p10", "p90"]].isna().all().all()
    assert table.loc["d", "p10"] == pytest.approx(1.9) and table.loc["d", "p90"] == pytest.approx(9.1)
    assert table["n"].tolist() == [4, 5, 9, 10]


# --- the residual plot: research audience only ---------------------------------------------------

_RESIDUAL_FORMS = pd.DataFrame({
    "total": [30.0, 32, 35, 31, 58, 40, 41, 44, 39, 42, 45, 20],
    "role": list("aaaaaabbbbbb")})


def test_residuals_and_cooks_distance_equal_statsmodels_formula_fit():
    """An independent fit (statsmodels' formula interface, R's lm by another road): residuals
    from the two group means, and Cook's distance compared with 4 / n = 4 / 12 strictly."""
    import statsmodels.formula.api as smf

    from evalkit.analyses.secondary_trauma import regression_residuals

    table = regression_residuals(_RESIDUAL_FORMS, dv="total", between=["role"], min_cell=3)
    fit = smf.ols("total ~ C(role)", data=_RESIDUAL_FORMS).fit()
    cooks = fit.get_influence().cooks_distance[0]
    order = np.argsort(fit.fittedvalues.to_numpy(), kind="stable")
    # group means by hand: a = 226 / 6 = 37.667, b = 231 / 6 = 38.5
    assert sorted(set(table["fitted"].round(3))) == [37.667, 38.5]
    np.testing.assert_allclose(table["residual"], fit.resid.to_numpy()[order], atol=1e-10)
    np.testing.assert_allclose(table["cooks_d"], cooks[order], atol=1e-10)
    assert (table["n"] == 12).all() and table["cooks_line"].iloc[0] == pytest.approx(1 / 3)
    assert table["influential"].tolist() == (cooks[order] > 1 / 3).tolist()
    # 58 and 20 lie far from their group means: both marked, the others not
    assert table["influential"].sum() == 2
    marked = table.loc[table["influential"], "residual"].round(3).tolist()
    assert sorted(marked) == [-18.5, 20.333]


def test_residual_chart_marks_the_points_above_the_line_and_says_only_how_many():
    import matplotlib.pyplot as plt

    from evalkit.analyses.secondary_trauma import regression_residuals
    from evalkit.publish import charts

    table = regression_residuals(_RESIDUAL_FORMS, dv="total", between=["role"], min_cell=3)
    figure, ax = plt.subplots()
    charts.residuals_vs_fitted(table, ax=ax)
    sizes = [len(c.get_offsets()) for c in ax.collections]
    assert sorted(sizes) == [2, 10]
    alt = figure.evalkit_alt
    assert "12 people" in alt and "2 with a Cook's distance above 4 / n (0.333) are marked" in alt
    # a summary: no fitted value, residual or score of anyone
    for value in [*table["fitted"], *table["residual"], *_RESIDUAL_FORMS["total"]]:
        for text in (f"{value:.1f}", f"{value:.0f}.", f"{abs(value):.2f}"):
            assert text not in alt
    plt.close(figure)


def test_the_residual_table_is_declared_for_research_only():
    from evalkit.publish.policy import Policy

    spec = next(s for s in secondary_trauma.TABLES if s.name == "sts_regression_residuals")
    assert spec.shown_to == ("research",)
    assert [Policy(a).sees(spec) for a in ("funder", "research", "internal")] == \
        [False, True, False]
    assert not spec.funder_columns and not any(c.kind == "id" for c in spec.columns)


def test_residual_plot_reaches_the_research_report_and_never_the_funder_or_team(sample_reports):
    """Rendered reports of the sample: the research report has the table and the chart; the
    funder report (page, results, codebook) has neither, nor has the team's."""
    research = sample_reports("research")
    assert (research / "results" / "sts_regression_residuals.csv").exists()
    page = html.unescape((research / "report.html").read_text(encoding="utf-8"))
    assert "Scatter of residuals against fitted values, one point per person (28 people)" in page
    for audience in ("funder", "internal"):
        out = sample_reports(audience)
        assert not list(out.rglob("sts_regression_residuals*")), audience
        for path in out.rglob("*"):
            if path.is_file() and path.suffix in (".html", ".csv", ".md", ".txt", ".json"):
                text = html.unescape(path.read_text(encoding="utf-8", errors="replace"))
                assert "Scatter of residuals" not in text, (audience, path.name)
                assert "sts_regression_residuals" not in text or audience == "internal", \
                    (audience, path.name)
    funder = html.unescape((sample_reports("funder") / "report.html").read_text(encoding="utf-8"))
    assert "Residuals of the regression" not in funder and "Cook" not in funder
