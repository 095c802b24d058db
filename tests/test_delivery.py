"""Delivery fidelity against a hand-worked folder (minutes worked out in the comments)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.analyses import delivery
from evalkit.errors import MissingDataError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SESSIONS = ("session_id,cohort_id,site,programme_week,module,module_session,session_date,"
            "delivery_mode,facilitator_ids,cancelled")


def _write(folder, name, text):
    (folder / f"{name}.csv").write_text(text.strip() + "\n")


def _folder(tmp_path, *, with_delivery=True, with_curriculum=True):
    """Module m2, session 2 plans x1 (30 min), x2 (20) and the optional x3 (10): 50 core minutes.

    s1 (f1;f2): x1 40, x2 10, x3 10 -> credited 30 + 10 = 40 of 50 = 0.8 (running over on x1
        does not make up for cutting x2; the optional x3 does not count).
    s2 (f2;f1): x1 30 only -> x2 was left out: 30 of 50 = 0.6.
    s3 (f1;f2): no delivery row at all -> not recorded, left out (not 0).
    s4 (f1;f2): cancelled -> neither recorded nor "not recorded".
    s5 (f3): x1 30, x2 20 -> 50 of 50 = 1.0.
    s6: a session of m1, which has no exercise plan -> not in the fidelity tables.
    """
    _write(tmp_path, "sessions", f"""
{SESSIONS}
s1,c1,north,8,m2,2,2024-03-01,group,f1;f2,false
s2,c2,north,8,m2,2,2024-03-02,group,f2;f1,false
s3,c3,north,8,m2,2,2024-03-03,group,f1;f2,false
s4,c4,north,8,m2,2,2024-03-04,group,f1;f2,true
s5,c5,south,8,m2,2,2024-03-05,group,f3,false
s6,c5,south,1,m1,1,2024-01-05,group,f3,false
""")
    if with_curriculum:
        _write(tmp_path, "curriculum", """
module,module_session,session_title,exercise_id,exercise_title,planned_minutes,optional_exercise
m2,2,Closing,x1,First,30,false
m2,2,Closing,x2,Second,20,false
m2,2,Closing,x3,Extra,10,true
""")
    if with_delivery:
        _write(tmp_path, "delivery", """
session_id,exercise_id,delivered_minutes
s1,x1,40
s1,x2,10
s1,x3,10
s2,x1,30
s5,x1,30
s5,x2,20
""")
    return evalkit.load(tmp_path)


@pytest.fixture
def folder(tmp_path):
    return _folder(tmp_path)


def test_session_fidelity_by_hand(folder):
    sessions = delivery.session_fidelity(folder).set_index("session_id")
    assert list(sessions.index) == ["s1", "s2", "s3", "s5"]  # s4 cancelled, s6 has no plan
    assert sessions.loc["s1", ["planned_minutes", "credited_minutes"]].tolist() == [50, 40]
    assert sessions.loc["s1", "fidelity"] == pytest.approx(0.8)
    assert sessions.loc["s2", "fidelity"] == pytest.approx(0.6)
    assert not sessions.loc["s3", "recorded"] and np.isnan(sessions.loc["s3", "fidelity"])
    assert sessions.loc["s5", "fidelity"] == pytest.approx(1.0)


def test_delivery_fidelity_by_hand(folder):
    table = delivery.delivery_fidelity(folder)
    assert table.drop(columns=["mean_fidelity", "min_fidelity"]).values.tolist() == [
        ["m2", 2, "Closing", 3, 1, 1]]  # s1, s2, s5 recorded; s5 in full; s3 not recorded
    # mean of 0.8, 0.6 and 1.0; lowest 0.6
    assert table.loc[0, "mean_fidelity"] == pytest.approx(0.8)
    assert table.loc[0, "min_fidelity"] == pytest.approx(0.6)


def test_exercise_fidelity_by_hand(folder):
    table = delivery.exercise_fidelity(folder).set_index("exercise_id")
    columns = ["sessions", "full_share", "cut_short_share", "not_delivered_share",
               "mean_share_delivered"]
    # x1 over the 3 recorded sessions: 40 (capped at 30), 30, 30 -> in full every time.
    assert table.loc["x1", columns].tolist() == pytest.approx([3, 1, 0, 0, 1])
    # x2: 10 of 20 (cut short), left out, 20 of 20 -> a third each; mean share (0.5 + 0 + 1) / 3.
    assert table.loc["x2", columns].tolist() == pytest.approx([3, 1 / 3, 1 / 3, 1 / 3, 0.5])
    # x3 (optional): in full in s1, left out in s2 and s5.
    assert table.loc["x3", columns].tolist() == pytest.approx([3, 1 / 3, 0, 2 / 3, 1 / 3])
    # the optional exercise is never "most cut short"
    assert delivery.most_cut_short(folder)["exercise_id"].tolist() == ["x2", "x1"]


def test_facilitator_pairs_ignore_the_order_of_ids(folder):
    table = delivery.facilitator_pair_fidelity(folder).set_index("facilitators")
    # f1;f2 ran s1 (0.8) and, written f2;f1, s2 (0.6); s3 was not recorded.
    assert table.loc["f1 and f2", "sessions"] == 2
    assert table.loc["f1 and f2", "mean_fidelity"] == pytest.approx(0.7)
    assert table.loc["f3", ["sessions", "mean_fidelity"]].tolist() == [1, 1.0]
    assert len(table) == 2


def test_without_delivery_records_every_session_is_unrecorded(tmp_path):
    dataset = _folder(tmp_path, with_delivery=False)
    assert delivery.ANALYSIS.missing(dataset) == "needs delivery.csv"
    table = delivery.delivery_fidelity(dataset)
    assert table.loc[0, ["sessions", "sessions_not_recorded"]].tolist() == [0, 4]
    assert np.isnan(table.loc[0, "mean_fidelity"])


def test_missing_curriculum_is_named(tmp_path):
    dataset = _folder(tmp_path, with_curriculum=False, with_delivery=False)
    assert delivery.ANALYSIS.missing(dataset) == "needs curriculum.csv and delivery.csv"
    with pytest.raises(MissingDataError, match="curriculum.csv"):
        delivery.delivery_fidelity(dataset)


def _assert_declared(result):
    assert sorted(result) == sorted(spec.name for spec in delivery.TABLES)
    for spec in delivery.TABLES:
        if not isinstance(result[spec.name], str):
            spec.check(result[spec.name])


def test_compute_returns_exactly_the_declared_tables(folder):
    result = delivery.compute(folder)
    _assert_declared(result)
    assert result["exercise_fidelity"]["exercise_title"].tolist() == ["First", "Second", "Extra"]


def test_sample_matches_an_independent_computation():
    """Mean fidelity per module session recomputed from the raw CSV files with plain pandas."""
    sessions = pd.read_csv(SAMPLE / "sessions.csv", dtype={"cancelled": str})
    curriculum = pd.read_csv(SAMPLE / "curriculum.csv", dtype={"optional_exercise": str})
    delivered = pd.read_csv(SAMPLE / "delivery.csv")
    held = sessions[sessions["cancelled"].str.lower() != "true"]
    core = curriculum[curriculum["optional_exercise"].str.lower() != "true"]
    plan = held.merge(core, on=["module", "module_session"])
    plan = plan.merge(delivered, on=["session_id", "exercise_id"], how="left")
    recorded = set(delivered["session_id"])
    plan = plan[plan["session_id"].isin(recorded)]
    plan["credited"] = np.minimum(plan["delivered_minutes"].fillna(0), plan["planned_minutes"])
    per_session = plan.groupby(["module", "module_session", "session_id"])[
        ["credited", "planned_minutes"]].sum()
    per_session["fidelity"] = per_session["credited"] / per_session["planned_minutes"]
    expected = per_session.groupby(["module", "module_session"])["fidelity"].mean()

    result = delivery.compute(evalkit.load(SAMPLE))
    _assert_declared(result)
    table = result["delivery_fidelity"].set_index(["module", "module_session"])
    assert len(table) == len(expected)
    assert table["mean_fidelity"].to_numpy() == pytest.approx(
        expected.reindex(table.index).to_numpy())
