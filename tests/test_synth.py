from __future__ import annotations

import pandas as pd
from tests.conftest import SAMPLE

import evalkit
from evalkit.data import synth
from evalkit.scales import DISCOMFORT, STSS, find_instruments, score


def _files(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_sample_is_exactly_what_the_generator_writes(tmp_path):
    synth.write(tmp_path, seed=2026)
    made = _files(tmp_path)
    assert made == _files(SAMPLE)
    assert "instruments/partner_safety.toml" in made and "partner_safety.csv" in made
    for name in made:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_leaving_instruments_out_changes_no_other_file(tmp_path):
    # The partner answers come from their own random stream.
    synth.write(tmp_path, seed=2026, instruments=False)
    made = _files(tmp_path)
    assert made == [n for n in _files(SAMPLE)
                    if n not in ("instruments/partner_safety.toml", "partner_safety.csv")]
    for name in made:
        if name != "README.md":
            assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_synth_command_can_leave_instruments_out(tmp_path):
    from evalkit.cli import main

    assert main(["synth", "--out", str(tmp_path), "--participants", "30",
                 "--no-instruments"]) == 0
    assert not (tmp_path / "instruments").exists()
    assert not (tmp_path / "partner_safety.csv").exists()


def test_seed_changes_the_data(tmp_path):
    a = synth.generate(seed=1)["attendance"]
    b = synth.generate(seed=2)["attendance"]
    assert not a.equals(b)


def test_structure_of_the_sample():
    ds = evalkit.load(SAMPLE)
    assert ds.participants["site"].nunique() == 3
    assert ds.sessions["cohort_id"].nunique() == 12
    # The data end at SAMPLE_END: every cohort but the last has run its 24 weeks; the last is
    # still running, nothing is dated later, and only its members are still on the programme.
    weeks = ds.sessions.groupby("cohort_id")["programme_week"].max()
    assert (weeks.drop("c12") == 24).all() and 12 < weeks["c12"] < 24
    assert ds.sessions["session_date"].max() <= synth.SAMPLE_END
    ongoing = ds.participants.loc[ds.participants["exit_reason"] == "ongoing", "cohort_id"]
    assert len(ongoing) >= 5 and set(ongoing) == {"c12"}
    assert "completed" not in set(ds.participants.loc[ds.participants["cohort_id"] == "c12",
                                                      "exit_reason"])
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
    partners = synth.make_partner_safety(3, tables)
    assert 0.35 < partners["participant_id"].nunique() / 2000 < 0.7
    sessions = tables["sessions"]
    n_weeks = sessions.groupby("cohort_id").size()
    first = pd.to_datetime(sessions["session_date"]).groupby(sessions["cohort_id"]).min()
    running = first + pd.Timedelta(weeks=23) > synth.SAMPLE_END  # week 24 not yet due
    assert (n_weeks[~running] == 24).all() and (n_weeks[running] < 24).all()
    assert running.sum() >= 5
    assert len(tables["participants"]) == 2000
    # One register row per participant per session of their cohort that was held.
    held = sessions.loc[sessions["cancelled"] == "false", ["cohort_id", "session_id"]]
    expected = tables["participants"][["participant_id", "cohort_id"]].merge(held, on="cohort_id")
    assert len(tables["attendance"]) == len(expected)
    pd.testing.assert_frame_equal(tables["curriculum"], synth.make_curriculum())


def _partner_answers(folder=SAMPLE):
    """The partner answers read as text and checked against the spec's contract by hand."""
    (spec,), problems = find_instruments(folder)
    assert problems == []
    text = pd.read_csv(folder / "partner_safety.csv", dtype=str, keep_default_na=False)
    assert tuple(text.columns) == spec.contract().column_names
    return spec, text


def test_partner_answers_keep_their_contract():
    spec, text = _partner_answers()
    participants = pd.read_csv(SAMPLE / "participants.csv", dtype=str)
    assert text["participant_id"].isin(participants["participant_id"]).all()
    assert set(text["wave"]) == set(spec.waves)
    assert not text.duplicated(["participant_id", "wave"]).any()
    answers = text[list(spec.items)]
    cells = answers.to_numpy().ravel()
    filled = pd.Series(cells[cells != ""]).astype(int)
    assert filled.between(spec.min, spec.max).all()
    assert set(filled) == set(range(spec.min, spec.max + 1))
    assert (answers == "").any().any()  # some items left blank
    dates = pd.to_datetime(text["response_date"], format="%Y-%m-%d")
    assert dates.max() <= synth.SAMPLE_END
    by_wave = text.groupby("wave")["participant_id"].nunique()
    # Partner contact often fails: about half at intake, fewer at exit, fewer at follow-up.
    assert 0.35 * len(participants) <= by_wave["intake"] <= 0.7 * len(participants)
    assert by_wave["intake"] > by_wave["exit"] > by_wave["follow_up"] >= 10
    # Nothing about the partner herself: the participant's id, the wave, the date, the answers.
    assert list(text.columns[:3]) == ["participant_id", "wave", "response_date"]


def test_partner_scores_improve_for_completers_and_some_worsen():
    spec, text = _partner_answers()
    forms = text.replace("", None).astype({c: "Int64" for c in spec.items})
    scored = score(forms, spec)
    assert scored["total"].isna().sum() >= 1  # an unscored form
    assert (scored["total_answered"] < spec.n_items).sum() > scored["total"].isna().sum()
    wide = scored.pivot(index="participant_id", columns="wave", values="total")
    exit_reason = pd.read_csv(SAMPLE / "participants.csv", index_col="participant_id")[
        "exit_reason"]
    change = (wide["exit"] - wide["intake"]).dropna()
    completers = change[exit_reason.reindex(change.index) == "completed"]
    assert len(change) >= 25 and completers.mean() < -2
    assert (change > 0).sum() >= 3  # some partners report things getting worse
    assert change[exit_reason.reindex(change.index) != "completed"].mean() > completers.mean()
    assert wide["exit"].notna().sum() > len(change)  # some reached only at exit
