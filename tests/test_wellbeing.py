"""Secondary-trauma analyses against hand counts and independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st
from tests.conftest import answers_summing_to

import evalkit
from evalkit.analyses import secondary_trauma as wellbeing
from evalkit.scales import PROQOL, STSS
from evalkit.stats.correlation import correlation_matrix, scale_correlations

STSS_HEADER = "practitioner_id,wave,response_date," + ",".join(STSS.items)


def _write(folder, name, text):
    (folder / f"{name}.csv").write_text(text.strip() + "\n")


def _stss_row(pid, wave, date, total=None, answers=None):
    if answers is None:
        answers = answers_summing_to(total, 17)
    cells = ["" if a is None else str(a) for a in answers]
    return ",".join([pid, wave, date, *cells])


@pytest.fixture
def small(tmp_path):
    """Five practitioners. 2024 totals: 27, 28, 38, 49, and s5's form half-filled (unscored).
    2025 (s1-s3 only): 30, 25, 44. s5 is not in supervision.csv."""
    _write(tmp_path, "practitioners", """
practitioner_id,site,gender,role,experience_band,supervision_frequency
s1,north,woman,facilitator,<1,weekly
s2,north,man,facilitator,1-2,monthly
s3,south,woman,supervisor,3-5,weekly
s4,south,man,facilitator,10+,none
s5,south,woman,partner_support,1-2,monthly
""")
    rows = [_stss_row("s1", "2024", "2024-03-01", 27), _stss_row("s2", "2024", "2024-03-02", 28),
            _stss_row("s3", "2024", "2024-03-03", 38), _stss_row("s4", "2024", "2024-03-04", 49),
            _stss_row("s5", "2024", "2024-03-05", answers=[3] * 8 + [None] * 9),
            _stss_row("s1", "2025", "2025-03-01", 30), _stss_row("s2", "2025", "2025-03-01", 25),
            _stss_row("s3", "2025", "2025-03-20", 44)]
    _write(tmp_path, "stss", "\n".join([STSS_HEADER, *rows]))
    # s1: 2 sessions in 2024-03 (the form's month), 4 in 2023-04 (12 months back: inside),
    # 8 in 2023-03 (13 months back: outside), 5 in 2024-04 (after the form: outside).
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


def test_band_prevalence_counts_by_hand(small):
    forms = wellbeing.scored_forms(small, STSS)
    bands = wellbeing.sts_bands(forms).set_index(["wave", "band"])
    # 2024: scored forms 27 | 28 | 38 | 49 (s5 unscored) -> one in each band but "high"
    assert bands.loc["2024", "n"].tolist() == [1, 1, 1, 0, 1]
    assert bands.loc["2024", "scored"].unique().tolist() == [4]
    assert bands.loc[("2024", "mild"), "percent"] == 0.25
    # 2025: 30 mild, 25 little, 44 high
    assert bands.loc["2025", "n"].tolist() == [1, 1, 0, 1, 0]
    coverage = wellbeing.scoring_coverage(forms, ["total"]).set_index("wave")
    assert coverage.loc["2024", ["forms", "scored", "unscored"]].tolist() == [5, 4, 1]
    share = wellbeing.share_at_or_above(forms).set_index("wave")
    assert share.loc["2024", ["scored", "at_or_above"]].tolist() == [4, 2]
    assert share.loc["2025", "share"] == pytest.approx(1 / 3)


def test_supervision_window_is_the_twelve_months_up_to_the_form(small):
    forms = wellbeing.scored_forms(small, STSS)
    first = forms[forms["wave"] == "2024"]
    per_month = wellbeing.supervision_per_month(small, first)
    # s1: 2 + 4 = 6 -> 0.5 a month; s2: 6 -> 0.5; s3: 0; s4 and s5: no rows -> 0
    assert per_month.tolist() == [0.5, 0.5, 0.0, 0.0, 0.0]


def test_wave_change_uses_practitioners_in_both_waves(small):
    forms = wellbeing.scored_forms(small, STSS)
    change = wellbeing.wave_change(forms, ["total"], "2024", "2025").iloc[0]
    # pairs: s1 27->30, s2 28->25, s3 38->44
    assert change["n"] == 3
    assert change["mean_change"] == pytest.approx((3 - 3 + 6) / 3)


def test_forms_without_practitioners_file_are_scored_but_not_compared(tmp_path):
    _write(tmp_path, "stss", "\n".join([STSS_HEADER, _stss_row("s1", "2024", "2024-03-01", 40)]))
    dataset = evalkit.load(tmp_path)
    forms = wellbeing.scored_forms(dataset, STSS)
    assert forms["total"].tolist() == [40.0]
    with pytest.raises(ValueError, match="practitioners.csv"):
        wellbeing.group_comparisons(forms)


def test_comparisons_refuse_two_forms_from_one_person(small):
    with pytest.raises(ValueError, match="one wave"):
        wellbeing.group_comparisons(wellbeing.scored_forms(small, STSS))


def test_regression_matches_least_squares_by_hand():
    rng = np.random.default_rng(5)
    n = 40
    forms = pd.DataFrame({
        "practitioner_id": [f"p{i}" for i in range(n)],
        "gender": rng.choice(["man", "woman"], n),
        "role": rng.choice(["facilitator", "supervisor", "manager"], n),
        "experience_band": ["3-5"] * n,  # one category only: must be left out
        "sessions": rng.poisson(2, n).astype(float),
    })
    forms["total"] = 35 + 5 * (forms["gender"] == "woman") - 2 * forms["sessions"] + rng.normal(
        0, 4, n)
    table = wellbeing.stss_regression(forms, factors=("gender", "role", "experience_band"),
                                      covariates=("sessions",))
    design = np.column_stack([
        np.ones(n), forms["gender"] == "woman", forms["role"] == "manager",
        forms["role"] == "supervisor", forms["sessions"]]).astype(float)
    # statsmodels orders dummies alphabetically against the first category (facilitator, man)
    design = design[:, [0, 1, 3, 2, 4]]
    coef, *_ = np.linalg.lstsq(design, forms["total"].to_numpy(), rcond=None)
    order = table.set_index("term")["coef"]
    assert order.loc[["Intercept", "gender=woman", "role=manager", "role=supervisor",
                      "sessions"]].to_numpy() == pytest.approx(coef[[0, 1, 3, 2, 4]])
    assert table.attrs["left_out"] == ["experience_band"]
    residual = forms["total"] - design @ coef
    assert table.attrs["r2"] == pytest.approx(
        1 - (residual**2).sum() / ((forms["total"] - forms["total"].mean()) ** 2).sum())


def test_correlations_match_numpy_on_complete_pairs():
    rng = np.random.default_rng(9)
    frame = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])
    frame.loc[[2, 5], "b"] = np.nan
    table = scale_correlations(frame, ["a", "b", "c"]).set_index(["x", "y"])
    complete = frame[["a", "b"]].dropna()
    assert table.loc[("a", "b"), "n"] == 28
    assert table.loc[("a", "b"), "r"] == pytest.approx(np.corrcoef(complete.T)[0, 1])
    exact = st.pearsonr(complete["a"], complete["b"]).confidence_interval()  # Fisher z as well
    assert table.loc[("a", "b"), ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [exact.low, exact.high])
    matrix = correlation_matrix(table.reset_index())
    assert matrix.loc["c", "a"] == pytest.approx(np.corrcoef(frame["a"], frame["c"])[0, 1])


def test_proqol_bands_cover_every_subscale_and_band():
    dataset = evalkit.load("data/sample")
    table = wellbeing.proqol_bands(wellbeing.scored_forms(dataset, PROQOL))
    assert set(table["subscale"]) == set(PROQOL.subscales)
    assert table.groupby(["wave", "subscale"]).size().eq(3).all()
    sums = table.groupby(["wave", "subscale"])["percent"].sum()
    assert np.allclose(sums, 1.0)


def test_regression_drops_small_categories_when_asked():
    rng = np.random.default_rng(2)
    forms = pd.DataFrame({"practitioner_id": [f"p{i}" for i in range(30)],
                          "gender": pd.Categorical(["man"] * 14 + ["woman"] * 14 + ["non_binary"] * 2),
                          "total": rng.normal(35, 8, 30)})
    table = wellbeing.stss_regression(forms, factors=("gender",), min_group=5)
    assert table.attrs["dropped"] == 2 and table.attrs["n"] == 28
    assert list(table["term"]) == ["Intercept", "gender=woman"]


def test_per_scale_stacks_both_scales_in_order(small):
    forms = wellbeing.scored_forms(small, STSS)
    proqol = forms.assign(**{name: forms["total"] for name in PROQOL.subscales})
    table = wellbeing.per_scale(wellbeing.scoring_coverage, forms, proqol,
                                stss_subscales=["total"])
    assert table.columns[0] == "scale"
    assert table["scale"].tolist() == ["STSS"] * 2 + ["ProQOL 5"] * 6
    assert table["subscale"].tolist()[:2] == ["total", "total"]
