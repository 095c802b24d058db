from __future__ import annotations

import numpy as np
import pandas as pd
from tests.conftest import SAMPLE

import evalkit
from evalkit.data import synth
from evalkit.scales import DISCOMFORT, STSS, score


def test_sample_is_exactly_what_the_generator_writes(tmp_path):
    synth.write(tmp_path, seed=2026)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in SAMPLE.iterdir())
    for name in made:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_seed_changes_the_data(tmp_path):
    a = synth.generate(seed=1)["attendance"]
    b = synth.generate(seed=2)["attendance"]
    assert not a.equals(b)


def test_structure_of_the_sample():
    ds = evalkit.load(SAMPLE)
    assert ds.participants["site"].nunique() == 3
    assert ds.sessions["cohort_id"].nunique() == 12
    assert (ds.sessions.groupby("cohort_id")["programme_week"].max() == 24).all()
    respect = ds.sessions[ds.sessions["module"] == "sexual_respect"]
    assert sorted(respect["programme_week"].unique()) == [13, 14, 15]
    assert 110 <= len(ds.participants) <= 150 and len(ds.practitioners) == 36
    assert {"withdrew", "excluded", "completed"} <= set(ds.participants["exit_reason"])
    assert ds.sessions["cancelled"].sum() >= 1
    statuses = ds.attendance["status"].value_counts()
    assert statuses["absent_notified"] > 0 and statuses["absent_unnotified"] > 0
    # Attendance falls over the programme.
    merged = ds.attendance.merge(ds.sessions[["session_id", "programme_week"]], on="session_id")
    present = merged["status"].isin(["attended", "late", "left_early"])
    by_week = present.groupby(merged["programme_week"]).mean()
    assert by_week.loc[1:4].mean() > by_week.loc[21:24].mean() + 0.1
    # Some delivery runs short.
    joined = ds.delivery.merge(ds.curriculum, on="exercise_id")
    assert (joined["delivered_minutes"] < joined["planned_minutes"]).mean() > 0.1


def test_discomfort_mostly_falls_but_not_for_everyone():
    ds = evalkit.load(SAMPLE)
    scored = score(ds.discomfort, DISCOMFORT)
    wide = scored.pivot(index="practitioner_id", columns="wave", values="discomfort")
    change = (wide["post"] - wide["pre"]).dropna()
    assert change.mean() < -0.2
    assert (change > 0).sum() >= 2
    assert wide["follow_up"].isna().sum() >= 3  # missing waves
    assert ds.discomfort[list(DISCOMFORT.items)].isna().any().any()  # missing items


def test_stss_spreads_over_bands_and_follows_supervision():
    ds = evalkit.load(SAMPLE)
    scored = score(ds.stss, STSS).merge(ds.practitioners, on="practitioner_id")
    assert scored["total_band"].nunique() >= 4
    less = scored["supervision_frequency"].isin(["less_than_monthly", "none"])
    assert scored.loc[less, "total"].mean() > scored.loc[~less, "total"].mean()


def test_contact_group_pattern_is_present():
    events = evalkit.load(SAMPLE).accountability_events
    cp1 = events[events["process_id"] == "cp1"].sort_values("event_date")
    first_message = cp1.loc[cp1["event_type"] == "message_sent", "event_date"].min()
    first_reply = cp1.loc[cp1["event_type"] == "response_received", "event_date"].min()
    assert (first_reply - first_message).days >= 150
    assert (cp1["event_type"] == "meeting_missed").sum() >= 2
    assert (cp1["event_type"] == "demand_met").sum() == 0
    assert events["process_id"].nunique() == 6


def test_large_run_scales(tmp_path):
    tables = synth.generate(seed=3, participants=2000)
    n_weeks = tables["sessions"].groupby("cohort_id").size()
    assert (n_weeks == 24).all()
    assert len(tables["participants"]) == 2000
    assert np.isclose(len(tables["attendance"]) / 2000, 24, atol=1.0)
    pd.testing.assert_frame_equal(tables["curriculum"], synth.make_curriculum())
