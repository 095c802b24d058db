"""Discomfort analysis against hand-worked folders and independent computations.

The statistics themselves (paired t, Wilcoxon, alpha's formula, RM-ANOVA, the mixed model) are
tested in ``tests/stats/``; here we test what the analysis does with them: which forms are scored
and paired, which waves are compared and in which direction, which practitioners enter each model,
the family Holm adjusts over, and how reliable change is classified for a checklist where lower
is better.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

import evalkit
from evalkit.analyses import discomfort, instrument
from evalkit.io.contracts import DISCOMFORT_ITEMS
from evalkit.scales import DISCOMFORT

HEADER = "practitioner_id,wave,response_date," + ",".join(DISCOMFORT_ITEMS)
PRACTITIONERS = "practitioner_id,site,gender,role,experience_band,supervision_frequency"
DATES = {"pre": "2024-01-10", "post": "2024-03-10", "follow_up": "2024-09-10"}


def _row(pid, wave, answers):
    if not isinstance(answers, list):
        answers = [answers] * 13
    return ",".join([pid, wave, DATES[wave], *("" if a is None else str(a) for a in answers)])


def _write(folder, rows, practitioners=None):
    (folder / "discomfort.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    if practitioners:
        (folder / "practitioners.csv").write_text("\n".join([PRACTITIONERS, *practitioners])
                                                  + "\n")
    return evalkit.load(folder)


def _holm(p):
    """Holm's step-down adjustment written out (Holm 1979), independent of the library."""
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    adjusted = np.empty(len(p))
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def _change(scores):
    """Change between the discomfort analysis's comparisons, from the instrument pipeline."""
    return instrument.change(DISCOMFORT, scores, comparisons=discomfort.COMPARISONS)


def _counts(people):
    """Reliable-change counts after preparation, as ``discomfort_rci`` lists them."""
    return instrument.reliable_change_counts(DISCOMFORT, people, comparisons=["post_vs_pre"])


def _alpha_before(dataset):
    """Alpha of the checklist before preparation (the reliable-change default)."""
    alphas = instrument.consistency(DISCOMFORT, dataset)
    return float(alphas.loc[alphas["wave"] == "pre", "alpha"].iloc[0])


def test_hand_written_holm_matches_a_worked_example():
    # p = 0.01, 0.04, 0.03, 0.005 -> sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1
    # = 0.02, 0.03, 0.06, 0.04 -> running maximum 0.02, 0.03, 0.06, 0.06
    assert _holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


@pytest.fixture
def four_folder(tmp_path):
    """p1-p3 have every wave; p4 only pre; p5's post form is blank (unscored). No
    practitioners.csv."""
    rows = [
        _row("p1", "pre", 4), _row("p1", "post", 3), _row("p1", "follow_up", 3),
        _row("p2", "pre", 3), _row("p2", "post", 3), _row("p2", "follow_up", 2),
        _row("p3", "pre", [5] * 12 + [4]), _row("p3", "post", 2), _row("p3", "follow_up", 2),
        _row("p4", "pre", 2),
        _row("p5", "pre", 3), _row("p5", "post", [None] * 13),
    ]
    return _write(tmp_path, rows)


@pytest.fixture
def four(four_folder):
    return instrument.scored(four_folder, DISCOMFORT, items=True)


def test_scores_follow_the_missing_item_rule(four):
    p3 = four[(four["practitioner_id"] == "p3") & (four["wave"] == "pre")]
    assert p3["discomfort"].iloc[0] == pytest.approx(64 / 13)
    blank = four[(four["practitioner_id"] == "p5") & (four["wave"] == "post")]
    assert np.isnan(blank["discomfort"].iloc[0]) and blank["discomfort_answered"].iloc[0] == 0


def test_paired_change_uses_complete_pairs_only(four):
    table = _change(four).set_index("comparison")
    assert table.index.tolist() == ["post_vs_pre", "follow_up_vs_pre"]
    # post vs pre: p1 4->3, p2 3->3, p3 64/13->2 (later minus earlier, so negative is less
    # discomfort); p4 has no post and p5's post is unscored.
    post = table.loc["post_vs_pre"]
    assert post["n"] == 3
    assert post["mean_before"] == pytest.approx((4 + 3 + 64 / 13) / 3)
    assert post["mean_after"] == pytest.approx(8 / 3)
    assert post["mean_change"] == pytest.approx((-1 + 0 + (2 - 64 / 13)) / 3)
    reference = st.ttest_rel([3, 3, 2], [4, 3, 64 / 13])
    assert (post["t"], post["df"], post["p"]) == pytest.approx(
        (reference.statistic, 2, reference.pvalue))
    follow_up = table.loc["follow_up_vs_pre"]
    assert follow_up["n"] == 3
    assert follow_up["mean_change"] == pytest.approx((-1 - 1 + (2 - 64 / 13)) / 3)
    patterns = discomfort.wave_patterns(four).set_index("waves")
    assert patterns["practitioners"].to_dict() == {"pre, post, follow_up": 3, "pre": 2}
    assert patterns["in_anova"].to_dict() == {"pre, post, follow_up": True, "pre": False}


def test_holm_runs_over_the_two_comparisons(four):
    table = _change(four).set_index("comparison")
    post = st.ttest_rel([3, 3, 2], [4, 3, 64 / 13]).pvalue  # 0.2669
    follow_up = st.ttest_rel([3, 2, 2], [4, 3, 64 / 13]).pvalue  # 0.1247
    # Holm: the smaller p doubled (0.2494), the larger max(itself, 0.2494) = 0.2669.
    # (Bonferroni would double both, giving 0.5337 for post_vs_pre.)
    assert table["p_holm"].to_numpy() == pytest.approx(_holm([post, follow_up]))
    assert table.loc["post_vs_pre", "p_holm"] == pytest.approx(post)
    assert table.loc["follow_up_vs_pre", "p_holm"] == pytest.approx(2 * follow_up)


def test_wave_means_by_hand(four):
    means = instrument.means(DISCOMFORT, four, waves=discomfort.WAVES).set_index("wave")
    # pre: 4, 3, 64/13, 2, 3; post: 3, 3, 2 (p5 unscored); follow_up: 3, 2, 2
    assert means["n"].to_dict() == {"pre": 5, "post": 3, "follow_up": 3}
    assert means.loc["pre", "mean"] == pytest.approx((12 + 64 / 13) / 5)
    sd = np.std([3, 2, 2], ddof=1)
    half = st.t.ppf(0.975, 2) * sd / np.sqrt(3)
    assert means.loc["follow_up", ["ci_low", "ci_high"]].tolist() == pytest.approx(
        [7 / 3 - half, 7 / 3 + half])


def test_item_means_put_the_hardest_situation_first(four):
    table = discomfort.item_means(four)
    pre = table[table["wave"] == "pre"]
    # Before preparation d01-d12 average (4 + 3 + 5 + 2 + 3) / 5 = 3.4 and d13 3.2 (p3 answered 4)
    assert pre["n"].unique().tolist() == [5]
    assert pre["mean"].is_monotonic_decreasing
    assert pre["item"].tolist()[-1] == 13
    assert pre.loc[pre["item"] == 13, "mean"].item() == pytest.approx(3.2)
    assert pre.loc[pre["item"] == 1, "mean"].item() == pytest.approx(3.4)
    # every item is listed at every wave, with the item's rows together
    assert len(table) == 13 * 3
    assert table["item"].iloc[:3].nunique() == 1


def test_fewer_than_three_pairs_says_no_test(tmp_path):
    dataset = _write(tmp_path, [_row("p1", "pre", 4), _row("p1", "post", 3),
                                _row("p2", "pre", 3), _row("p2", "post", 1)])
    result = discomfort.compute(dataset, min_cell=5)
    change = result["discomfort_change"].set_index("comparison")
    assert change.loc["post_vs_pre", "n"] == 2 and np.isnan(change.loc["post_vs_pre", "p"])
    assert "no test" in change.loc["post_vs_pre", "note"]
    assert change.loc["follow_up_vs_pre", "note"] == "no complete pairs"
    anova = result["discomfort_anova"].iloc[0]
    assert anova["n"] == 0 and "fewer than three" in anova["note"]


# --- reliable change -----------------------------------------------------------------------------------

# Pre scores 2, 3, 4, 3 (SD = 0.8165); reliability 0.75 -> S_diff = sqrt(2) * 0.8165 * 0.5
# = 0.5774 (Jacobson & Truax 1991); changes -1.5, 0, +1.2, -0.5 -> RC -2.598, 0, 2.078, -0.866.
# Lower discomfort is better, so an RC below -1.96 is a reliable improvement.
HAND = pd.DataFrame({"practitioner_id": list("aabbccdd"), "wave": ["pre", "post"] * 4,
                     "discomfort": [2, 0.5, 3, 3, 4, 5.2, 3, 2.5]})


def test_reliable_change_hand_worked():
    people = instrument.reliable_change_people(DISCOMFORT, HAND, reliability=0.75)
    assert people["practitioner_id"].tolist() == list("abcd")
    assert people["rc"].to_numpy() == pytest.approx([-2.598, 0, 2.078, -0.866], abs=1e-3)
    assert people["category"].astype(str).tolist() == [
        "reliably_improved", "no_reliable_change", "reliably_worse", "no_reliable_change"]
    assert people["sd_before"].unique() == pytest.approx([np.sqrt(2 / 3)])
    assert people["threshold"].unique() == pytest.approx([1.96 * 0.57735], abs=1e-4)
    summary = _counts(people)
    assert summary["category"].tolist() == ["reliably_improved", "no_reliable_change",
                                            "reliably_worse"]
    assert summary["n"].tolist() == [1, 2, 1]
    assert summary["assessed"].unique().tolist() == [4]
    assert summary["share"].tolist() == pytest.approx([0.25, 0.5, 0.25])


def test_an_rc_exactly_at_the_criterion_is_not_reliable():
    # Move the criterion onto a's RC (2.598): |RC| > criterion is reliable, equality is not.
    rc = instrument.reliable_change_people(DISCOMFORT, HAND, reliability=0.75)["rc"]
    at = instrument.reliable_change_people(DISCOMFORT, HAND, reliability=0.75,
                                           criterion=abs(float(rc.iloc[0])))
    assert at["category"].astype(str).tolist()[0] == "no_reliable_change"
    # the threshold in scale points is then a's own change, 1.5
    assert at["threshold"].iloc[0] == pytest.approx(1.5)
    below = instrument.reliable_change_people(DISCOMFORT, HAND, reliability=0.75, criterion=2.5)
    assert below["category"].astype(str).tolist() == [
        "reliably_improved", "no_reliable_change", "no_reliable_change", "no_reliable_change"]


def test_default_reliability_is_alpha_before_preparation(tmp_path):
    # Three practitioners whose pre answers differ item by item (post answers are all equal, so
    # a reliability taken from the post wave would be undefined).
    pre = {"p1": [1, 2] * 6 + [1], "p2": [3, 3] * 6 + [2], "p3": [4, 5] * 6 + [5]}
    rows = [_row(pid, "pre", answers) for pid, answers in pre.items()]
    rows += [_row(pid, "post", 2) for pid in pre]
    dataset = _write(tmp_path, rows)
    scores = instrument.scored(dataset, DISCOMFORT)
    items = np.array(list(pre.values()), dtype=float)
    k = items.shape[1]
    alpha = k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / items.sum(axis=1).var(ddof=1))
    assert _alpha_before(dataset) == pytest.approx(alpha)
    people = instrument.reliable_change_people(DISCOMFORT, scores, dataset)
    assert people["reliability"].unique() == pytest.approx([alpha])
    assert people["sd_before"].unique() == pytest.approx([np.std(items.mean(axis=1), ddof=1)])


def test_identical_answers_make_alpha_undefined_and_say_so(tmp_path):
    dataset = _write(tmp_path, [_row(f"p{i}", w, 3) for i in range(4) for w in ("pre", "post")])
    scores = instrument.scored(dataset, DISCOMFORT)
    assert np.isnan(_alpha_before(dataset))
    people = instrument.reliable_change_people(DISCOMFORT, scores, dataset)
    assert people.empty
    summary = _counts(people)
    assert summary["n"].tolist() == [0, 0, 0] and summary["share"].isna().all()
    row = _change(scores).iloc[0]
    assert row["mean_change"] == 0 and "undefined" in row["note"]
    reliability = instrument.consistency(DISCOMFORT, dataset)
    assert reliability["alpha"].isna().all() and (reliability["note"] != "").all()


# --- models on every scored form, and the folder as a whole ---------------------------------------------

@pytest.fixture(scope="module")
def forty(tmp_path_factory):
    """40 practitioners: every one answers pre and post; every fourth (p000, p004, ...) misses
    follow-up -> 30 complete cases, 110 forms. Gender: woman for ids ending 0-4, man otherwise,
    except p038 and p039 (non-binary: a group of two); experience alternates 1-2 / 3-5."""
    rng = np.random.default_rng(3)
    folder = tmp_path_factory.mktemp("forty")
    rows, people = [], []
    for i in range(40):
        pid = f"p{i:03d}"
        level = 3.2 + rng.normal(0, 0.6)
        for wave, shift in zip(discomfort.WAVES, (0.0, -0.5, -0.3), strict=True):
            if wave == "follow_up" and i % 4 == 0:
                continue
            answers = np.clip(np.rint(level + shift + rng.normal(0, 0.8, 13)), 1, 5)
            rows.append(_row(pid, wave, [int(a) for a in answers]))
        gender = "non_binary" if i >= 38 else ("woman" if i % 10 < 5 else "man")
        people.append(f"{pid},north,{gender},facilitator,{('1-2', '3-5')[i % 2]},monthly")
    dataset = _write(folder, rows, people)
    return dataset, discomfort.compute(dataset, min_cell=5)


def _assert_declared(result):
    assert sorted(result) == sorted(spec.name for spec in discomfort.TABLES)
    for spec in discomfort.TABLES:
        if not isinstance(result[spec.name], str):
            spec.check(result[spec.name])


def test_models_use_the_right_practitioners(forty):
    _, result = forty
    _assert_declared(result)
    patterns = result["discomfort_waves"].set_index("waves")["practitioners"].to_dict()
    assert patterns == {"pre, post, follow_up": 30, "pre, post": 10}
    # The ANOVA and pairwise tests use complete cases; the mixed model every scored form.
    assert result["discomfort_anova"]["n"].tolist() == [30]
    assert result["discomfort_pairwise"]["n"].unique().tolist() == [30]
    model = result["discomfort_mixed_model"]
    fit = result["discomfort_mixed_model_fit"]
    # fit statistics in their own one-row table, not repeated on the coefficient rows
    assert len(fit) == 1 and "n_obs" not in model and "residual_variance" not in model
    assert fit["n_obs"].tolist() == [110] and fit["n_subjects"].tolist() == [40]
    # per term: everyone has a form for the intercept; the 40 with a post form, the 30 with a
    # follow-up form
    assert model.set_index("term")["n_subjects"].to_dict() == {
        "Intercept": 40, "wave=post": 40, "wave=follow_up": 30}
    change = result["discomfort_change"].set_index("comparison")["n"].to_dict()
    assert change == {"post_vs_pre": 40, "follow_up_vs_pre": 30}


def test_interactions_leave_out_small_groups(forty):
    _, result = forty
    tests = result["discomfort_interactions"].set_index("factor")
    assert tests.index.tolist() == ["gender", "experience_band"]
    # gender: 20 women, 18 men and two non-binary practitioners, left out below min_cell = 5;
    # the wave x gender interaction has (3 - 1) x (2 - 1) = 2 degrees of freedom.
    assert tests.loc["gender", ["n_subjects", "smallest_group", "left_out", "df"]].tolist() == \
        [38, 18, 2, 2]
    assert tests.loc["experience_band", ["n_subjects", "left_out", "df"]].tolist() == [40, 0, 2]


def test_item_change_holm_runs_over_the_thirteen_items(forty):
    dataset, result = forty
    items = result["discomfort_item_change"]
    assert items["item"].tolist() == list(range(1, 14))
    assert items["p_holm"].to_numpy() == pytest.approx(_holm(items["p"]))
    assert items["wilcoxon_p_holm"].to_numpy() == pytest.approx(_holm(items["wilcoxon_p"]))
    # the first item's test pairs each practitioner's post answer with their own pre answer
    raw = dataset.discomfort.pivot(index="practitioner_id", columns="wave", values="d01")
    reference = st.ttest_rel(raw["post"].astype(float), raw["pre"].astype(float))
    assert items.loc[0, ["n", "t", "p"]].tolist() == pytest.approx(
        [40, reference.statistic, reference.pvalue])


def test_without_practitioners_file_interactions_say_why(four_folder):
    result = discomfort.compute(four_folder, min_cell=5)
    _assert_declared(result)
    tests = result["discomfort_interactions"]
    assert tests["factor"].tolist() == ["gender", "experience_band"]
    assert tests["p"].isna().all() and (tests["note"] != "").all()
    assert result["discomfort_people"]["practitioner_id"].tolist() == [
        "p1", "p2", "p3", "p4", "p5"]


def test_compute_on_the_sample_returns_the_declared_tables():
    result = discomfort.compute(evalkit.load("data/sample"), min_cell=5)
    _assert_declared(result)
    assert all(isinstance(v, pd.DataFrame) for v in result.values())


def test_model_fit_statistics_are_for_research_only(forty):
    from evalkit.publish.policy import Policy

    spec = next(s for s in discomfort.TABLES if s.name == "discomfort_mixed_model_fit")
    assert spec.shown_to == ("research", "internal")
    assert not Policy("funder").sees(spec)
    shown = Policy("research").apply(forty[1]["discomfort_mixed_model_fit"], spec).csv()
    assert {"icc", "aic", "bic", "reml_criterion"} <= set(shown.columns)


def test_sample_size_planning_equals_statsmodels_from_the_sd_of_the_changes():
    """An independent route: the SD of the post - pre changes by pandas, the paired t test's
    sample size by statsmodels (not pingouin, which the analysis calls)."""
    import math

    from statsmodels.stats.power import TTestPower
    from tests.conftest import SAMPLE

    dataset = evalkit.load(SAMPLE)
    table = discomfort.compute(dataset)["discomfort_sample_size"]
    scores = instrument.scored(dataset, DISCOMFORT)
    wide = scores.pivot(index="practitioner_id", columns="wave", values="discomfort")
    changes = (wide["post"] - wide["pre"]).dropna()
    assert table["pairs_observed"].tolist() == [len(changes)] * 3
    assert table["sd_change"].tolist() == pytest.approx([changes.std(ddof=1)] * 3, rel=1e-12)
    for _, row in table.iterrows():
        d = row["change"] / changes.std(ddof=1)
        n = TTestPower().solve_power(effect_size=d, alpha=0.05, power=0.8,
                                     alternative="two-sided")
        assert row["d"] == pytest.approx(d, rel=1e-12)
        assert row["n"] == math.ceil(n)
    assert table["n"].is_monotonic_decreasing  # a larger change needs fewer people
