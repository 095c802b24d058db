"""Discomfort change against hand-worked examples and independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.anova import AnovaRM

import evalkit
from evalkit.analyses import discomfort as change
from evalkit.data.contracts import DISCOMFORT_ITEMS

HEADER = "practitioner_id,wave,response_date," + ",".join(DISCOMFORT_ITEMS)


def _row(pid, wave, answers):
    if not isinstance(answers, list):
        answers = [answers] * 13
    date = {"pre": "2024-01-10", "post": "2024-03-10", "follow_up": "2024-09-10"}[wave]
    return ",".join([pid, wave, date, *("" if a is None else str(a) for a in answers)])


def _load(tmp_path, rows, practitioners=None):
    (tmp_path / "discomfort.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    if practitioners:
        (tmp_path / "practitioners.csv").write_text(practitioners.strip() + "\n")
    return change.discomfort_scores(evalkit.load(tmp_path))


@pytest.fixture
def four(tmp_path):
    """p1-p3 have every wave; p4 only pre (one wave only); p5's post form is blank (unscored)."""
    rows = [
        _row("p1", "pre", 4), _row("p1", "post", 3), _row("p1", "follow_up", 3),
        _row("p2", "pre", 3), _row("p2", "post", 3), _row("p2", "follow_up", 2),
        _row("p3", "pre", [5] * 12 + [4]), _row("p3", "post", 2), _row("p3", "follow_up", 2),
        _row("p4", "pre", 2),
        _row("p5", "pre", 3), _row("p5", "post", [None] * 13),
    ]
    return _load(tmp_path, rows)


def test_scores_follow_the_missing_item_rule(four):
    p3 = four[(four["practitioner_id"] == "p3") & (four["wave"] == "pre")]
    assert p3["discomfort"].iloc[0] == pytest.approx(64 / 13)
    blank = four[(four["practitioner_id"] == "p5") & (four["wave"] == "post")]
    assert np.isnan(blank["discomfort"].iloc[0]) and blank["discomfort_answered"].iloc[0] == 0


def test_paired_change_uses_complete_pairs_only(four):
    table = change.discomfort_change(four).set_index("comparison")
    # post vs pre: p1 4->3, p2 3->3, p3 64/13->2; p4 has no post, p5's post is unscored
    assert table.loc["post_vs_pre", "n"] == 3
    assert table.loc["post_vs_pre", "mean_change"] == pytest.approx((-1 + 0 + (2 - 64 / 13)) / 3)
    assert table.loc["follow_up_vs_pre", "n"] == 3
    patterns = change.wave_patterns(four).set_index("waves")["practitioners"].to_dict()
    assert patterns == {"pre, post, follow_up": 3, "pre": 2}


def test_fewer_than_three_pairs_says_no_test(tmp_path):
    scores = _load(tmp_path, [_row("p1", "pre", 4), _row("p1", "post", 3),
                              _row("p2", "pre", 3), _row("p2", "post", 1)])
    row = change.discomfort_change(scores).set_index("comparison").loc["post_vs_pre"]
    assert row["n"] == 2 and np.isnan(row["p"]) and "no test" in row["note"]
    assert change.discomfort_change(scores).set_index("comparison").loc[
        "follow_up_vs_pre", "note"] == "no complete pairs"
    assert "fewer than three" in change.repeated_measures(scores)["note"]


def _holm(p):
    order = np.argsort(p)
    adjusted = np.empty(len(p))
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def test_item_change_holm_adjustment_by_hand():
    assert _holm(np.array([0.01, 0.04, 0.03, 0.005])) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    scores = change.discomfort_scores(evalkit.load("data/sample"))
    items = change.item_change(scores)
    assert items["p_holm"].to_numpy() == pytest.approx(_holm(items["p"].to_numpy()))
    assert (items["p_holm"] >= items["p"]).all()


def _simulated(n=40, seed=3, complete=True):
    rng = np.random.default_rng(seed)
    person = rng.normal(0, 0.6, n)
    rows = []
    for i in range(n):
        for wave, shift in zip(change.WAVES, (0.0, -0.5, -0.3), strict=False):
            if not complete and wave == "follow_up" and i % 4 == 0:
                continue
            rows.append({"practitioner_id": f"p{i:03d}", "wave": wave,
                         "discomfort": 3.2 + shift + person[i] + rng.normal(0, 0.4)})
    return pd.DataFrame(rows)


def test_repeated_measures_anova_matches_statsmodels_and_greenhouse_geisser_by_hand():
    scores = _simulated()
    result = change.repeated_measures(scores)
    reference = AnovaRM(scores, "discomfort", "practitioner_id", within=["wave"]).fit()
    row = reference.anova_table.iloc[0]
    assert result["F"] == pytest.approx(row["F Value"])
    assert (result["df1"], result["df2"]) == (row["Num DF"], row["Den DF"])
    assert result["p"] == pytest.approx(row["Pr > F"])
    # Greenhouse-Geisser epsilon from orthonormal contrasts of the covariance matrix
    wide = scores.pivot(index="practitioner_id", columns="wave", values="discomfort")
    contrasts = np.linalg.qr(np.vstack([np.ones(3), np.eye(3)[:2]]).T)[0][:, 1:].T
    transformed = contrasts @ np.cov(wide.to_numpy(), rowvar=False) @ contrasts.T
    eigen = np.linalg.eigvalsh(transformed)
    assert result["epsilon"] == pytest.approx(eigen.sum() ** 2 / (2 * (eigen**2).sum()))
    assert result["n_complete"] == 40


def test_mixed_model_on_balanced_data_recovers_the_wave_means():
    scores = _simulated()
    table = change.mixed_model(scores).set_index("term")
    means = scores.groupby("wave")["discomfort"].mean()
    assert table.loc["wave=post", "coef"] == pytest.approx(means["post"] - means["pre"], abs=1e-6)
    assert table.loc["wave=follow_up", "coef"] == pytest.approx(
        means["follow_up"] - means["pre"], abs=1e-6)


def test_mixed_model_keeps_practitioners_with_a_missing_wave():
    scores = _simulated(complete=False)
    table = change.mixed_model(scores)
    assert table.attrs["n_practitioners"] == 40 and table.attrs["n_forms"] == 110
    assert change.repeated_measures(scores)["n_complete"] == 30


def test_mixed_model_interaction_test_and_small_groups():
    scores = _simulated()
    scores["gender"] = np.where(scores["practitioner_id"].str[-1].isin(list("01234")), "woman",
                                "man")
    scores.loc[scores["practitioner_id"] == "p039", "gender"] = "non_binary"
    table = change.mixed_model(scores, by="gender", min_group=5)
    assert table.attrs["left_out"] == 1 and table.attrs["lr_df"] == 2
    assert 0 <= table.attrs["lr_p"] <= 1
    assert "wave=post x gender=woman" in set(table["term"])
    tests = change.interaction_tests(scores, factors=("gender", "role"), min_group=5)
    assert tests.set_index("factor").loc["gender", "p"] == pytest.approx(table.attrs["lr_p"])
    # no "role" column: reported as a note, not raised
    assert tests.set_index("factor").loc["role", "note"] != ""


def test_reliable_change_hand_worked():
    # pre scores 2, 3, 4, 3 (sd = 0.8165); reliability 0.75 -> S_diff = sqrt(2) * 0.8165 * 0.5
    # = 0.5774; changes -1.5, 0, +1.2, -0.5 -> RC -2.598, 0, 2.078, -0.866
    scores = pd.DataFrame({"practitioner_id": list("aabbccdd"), "wave": ["pre", "post"] * 4,
                           "discomfort": [2, 0.5, 3, 3, 4, 5.2, 3, 2.5]})
    rci = change.reliable_change_table(scores, reliability=0.75)
    assert rci["rc"].to_numpy() == pytest.approx([-2.598, 0, 2.078, -0.866], abs=1e-3)
    assert rci["category"].tolist() == ["reliably_improved", "no_reliable_change",
                                        "reliably_worse", "no_reliable_change"]
    assert rci.attrs["threshold"] == pytest.approx(1.96 * 0.57735, abs=1e-4)
    summary = change.rci_summary(rci)
    assert summary["n"].tolist() == [1, 2, 1] and summary["assessed"].unique().tolist() == [4]


def test_identical_answers_make_alpha_undefined_and_say_so(tmp_path):
    scores = _load(tmp_path, [_row(f"p{i}", w, 3) for i in range(4) for w in ("pre", "post")])
    assert np.isnan(change.default_reliability(scores))
    with pytest.raises(ValueError, match="supply a reliability"):
        change.reliable_change_table(scores)
    row = change.discomfort_change(scores).iloc[0]
    assert row["mean_change"] == 0 and "undefined" in row["note"]


def test_item_means_put_the_hardest_situation_first(four):
    table = change.item_means(four)
    assert table["mean_pre"].is_monotonic_decreasing
    assert table.loc[0, "item"] in DISCOMFORT_ITEMS[:12]  # p3 answered 5 on d01-d12
    assert table.loc[0, "n_pre"] == 5
