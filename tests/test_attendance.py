"""Attendance, completion, drop-out and retention against hand-worked folders and a textbook.

Each fixture is a small data folder written out below; the expected figures are worked by hand in
the comments, never taken from the code under test. The pure statistics (Wilson, Kaplan-Meier,
log-rank, cluster interval formulas) are tested in ``tests/stats/``; here we test what the
analysis feeds them: which rows are participant-sessions, who is scheduled, who completed, who
dropped out, and when.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st
from statsmodels.stats.proportion import proportion_confint

import evalkit
from evalkit.analyses import attendance
from evalkit.errors import EvalkitError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
PARTICIPANTS = "participant_id,site,cohort_id,referral_route,age_band,start_month,exit_reason"
SESSIONS = ("session_id,cohort_id,site,programme_week,module,module_session,session_date,"
            "delivery_mode,facilitator_ids,cancelled")


def _write(folder, name, text):
    (folder / f"{name}.csv").write_text(text.strip() + "\n")


@pytest.fixture
def tiny(tmp_path):
    """One cohort of four (c1: four weeks, week 3 cancelled) and a cohort of one (E, c2).

    A attends 2 of c1's 3 held sessions; B attends none (withdrew); C all 3 (completed); D has no
    register row at all and moved away; E misses the only session of c2 (excluded). A also has a
    row marked ``attended`` on the cancelled week-3 session, which is not a participant-session:
    every figure below must be unchanged by it.
    """
    _write(tmp_path, "participants", f"""
{PARTICIPANTS}
A,north,c1,probation,25-34,2024-01,ongoing
B,north,c1,self,35-44,2024-01,withdrew
C,north,c1,court_mandated,18-24,2024-01,completed
D,north,c1,other,unknown,2024-01,moved_away
E,south,c2,self,55+,2024-01,excluded
""")
    _write(tmp_path, "sessions", f"""
{SESSIONS}
c1-1,c1,north,1,m1,1,2024-01-01,group,f1;f2,false
c1-2,c1,north,2,m1,2,2024-01-08,group,f1;f2,false
c1-3,c1,north,3,m2,1,2024-01-15,group,f1;f2,true
c1-4,c1,north,4,m2,2,2024-01-22,group,f1;f2,false
c2-1,c2,south,1,m1,1,2024-01-02,individual,f1,false
""")
    _write(tmp_path, "attendance", """
participant_id,session_id,status
A,c1-1,attended
A,c1-2,late
A,c1-3,attended
A,c1-4,absent_unnotified
B,c1-1,absent_unnotified
B,c1-2,absent_unnotified
B,c1-4,absent_notified
C,c1-1,left_early
C,c1-2,attended
C,c1-4,attended
E,c2-1,absent_unnotified
""")
    return evalkit.load(tmp_path)


@pytest.fixture
def five(tmp_path):
    """One cohort, six weeks, week 6 cancelled: five held sessions, so 4 of 5 is exactly 80%.

    P attends weeks 1-4 (4/5 = 80%: completes); Q weeks 1-3 (3/5) plus a row on the cancelled
    week; R all five; S is unnotified-absent in weeks 1-2 and 4-5 (two runs of 2, still on the
    programme); T is unnotified-absent in weeks 1-3 (a run of 3) and withdrew. The register is
    written in order of status, not of week, on purpose (runs must be read in week order).
    """
    _write(tmp_path, "participants", f"""
{PARTICIPANTS}
P,north,k1,probation,25-34,2024-01,completed
Q,north,k1,probation,25-34,2024-01,other
R,north,k1,self,35-44,2024-01,completed
S,north,k1,self,35-44,2024-01,ongoing
T,north,k1,court_mandated,18-24,2024-01,withdrew
""")
    _write(tmp_path, "sessions", SESSIONS + "\n" + "\n".join(
        f"k1-{w},k1,north,{w},m1,{w},2024-0{w}-01,group,f1,{'true' if w == 6 else 'false'}"
        for w in range(1, 7)))
    statuses = {
        "P": ["attended"] * 4 + ["absent_notified"],
        "Q": ["attended"] * 3 + ["absent_notified"] * 2 + ["attended"],
        "R": ["attended", "late", "left_early", "attended", "attended"],
        "S": ["absent_unnotified"] * 2 + ["attended"] + ["absent_unnotified"] * 2,
        "T": ["absent_unnotified"] * 3,
    }
    rows = [f"{pid},k1-{week},{status}" for pid, row in statuses.items()
            for week, status in enumerate(row, start=1)]
    rows = sorted(rows, key=lambda row: row.split(",")[2])
    _write(tmp_path, "attendance", "participant_id,session_id,status\n" + "\n".join(rows))
    return evalkit.load(tmp_path)


# --- participant-sessions and rates ---------------------------------------------------------------

def test_summary_by_hand(tiny):
    figures = attendance.attendance_summary(tiny).set_index("metric")
    value = figures["value"]
    # Held participant-sessions: A, B, C x 3 held sessions of c1 + E x 1 = 10 (A's row on the
    # cancelled session is not one); present: A 2 (attended, late), C 3 (left_early counts).
    assert value["participants"] == 5
    assert value["participant_sessions"] == 10
    assert value["sessions_attended"] == 5
    assert value["attendance_rate"] == pytest.approx(5 / 10)
    assert value["completed_recorded"] == 1  # C
    assert value["completion_rate_recorded"] == pytest.approx(1 / 5)
    assert value["completed_attendance"] == 1  # C 3/3; A 2/3 < 0.8; D 0/3 (no rows at all)
    assert value["completion_rate_attendance"] == pytest.approx(1 / 5)
    # B withdrew and E was excluded; D moved away, which is not dropping out.
    assert value["dropped_out"] == 2
    assert value["dropout_rate"] == pytest.approx(2 / 5)
    low, high = proportion_confint(2, 5, method="wilson")
    assert (figures.loc["dropout_rate", "ci_low"], figures.loc["dropout_rate", "ci_high"]) == \
        pytest.approx((low, high))


def test_attendance_rate_interval_treats_each_participant_as_a_cluster(tiny):
    # Clusters are the participants with a held session: A 2/3, B 0/3, C 3/3, E 0/1 (n = 4),
    # p = 5/10. Residuals y - p*m: 0.5, -1.5, 1.5, -0.5 (squares sum to 5), so
    # SE = sqrt(4/3 * 5) / 10 = 0.2582; on the logit scale the half-width is
    # t(0.975, 3) * SE / (p (1 - p)) = 3.1824 * 0.2582 / 0.25 = 3.2869 around logit(0.5) = 0:
    # the interval is expit(-/+ 3.2869) = 0.0360 to 0.9640 (svyciprop, method "logit").
    row = attendance.attendance_summary(tiny).set_index("metric").loc["attendance_rate"]
    half = st.t.ppf(0.975, 3) * np.sqrt(4 / 3 * 5) / 10 / 0.25
    assert row["ci_low"] == pytest.approx(1 / (1 + np.exp(half)), abs=1e-9)
    assert row["ci_high"] == pytest.approx(1 / (1 + np.exp(-half)), abs=1e-9)
    assert row["ci_low"] == pytest.approx(0.0360, abs=1e-4)


def test_weeks_with_a_cancelled_session(tiny):
    by_week = attendance.attendance_by_week(tiny).set_index("programme_week")
    assert list(by_week.index) == [1, 2, 3, 4]
    # Week 1: c1-1 and c2-1 held; A, B, C, E scheduled; A and C attended.
    assert by_week.loc[1, ["sessions_held", "sessions_cancelled", "scheduled", "attended"]] \
        .tolist() == [2, 0, 4, 2]
    low, high = proportion_confint(2, 4, method="wilson")
    assert by_week.loc[1, ["ci_low", "ci_high"]].tolist() == pytest.approx([low, high])
    # Week 3 was cancelled: nobody scheduled (A's row on it does not count) and no rate.
    assert by_week.loc[3, ["sessions_held", "sessions_cancelled", "scheduled", "attended"]] \
        .tolist() == [0, 1, 0, 0]
    assert np.isnan(by_week.loc[3, "attendance_rate"])
    # Week 4: A (unnotified), B (notified), C (attended).
    assert by_week.loc[4, "attendance_rate"] == pytest.approx(1 / 3)


def test_rates_by_group_by_hand(tiny):
    table = attendance.attendance_by_group(tiny).set_index(["factor", "group"])
    columns = ["participants", "scheduled", "attended"]
    # north: A, B, C (D has no register row) x 3 held = 9, attended 5; south: E, 1, 0.
    assert table.loc[("site", "north"), columns].tolist() == [3, 9, 5]
    assert table.loc[("site", "south"), columns].tolist() == [1, 1, 0]
    # m1: A, B, C x 2 + E x 1 = 7, attended A 2 + C 2; m2: week 4 only (week 3 cancelled).
    assert table.loc[("module", "m1"), columns].tolist() == [4, 7, 4]
    assert table.loc[("module", "m2"), columns].tolist() == [3, 3, 1]
    assert table.loc[("delivery_mode", "individual"), columns].tolist() == [1, 1, 0]
    assert table.loc[("referral_route", "court_mandated"), "attendance_rate"] == 1.0
    assert set(table.index.get_level_values("factor")) == set(attendance.GROUP_FACTORS)


def test_absences_by_hand(tiny):
    absences = attendance.absence_summary(tiny).set_index("metric")["value"]
    # Absences on held sessions: A wk4 unnotified; B wk1, wk2 unnotified, wk4 notified;
    # E unnotified -> 5 absences, 4 not notified.
    assert absences["absences"] == 5
    assert absences["absences_unnotified"] == 4
    assert absences["unnotified_share"] == pytest.approx(4 / 5)


# --- who completed ----------------------------------------------------------------------------------

def test_participant_without_register_rows_counts_as_absent(tiny):
    progress = attendance.participant_progress(tiny).set_index("participant_id")
    assert progress.loc["D", ["scheduled", "attended"]].tolist() == [3, 0]
    assert not progress.loc["D", "completed_attendance"]
    assert progress.loc["E", "scheduled"] == 1  # a cohort of one
    assert progress.loc["A", "attended"] == 2  # not 3: the cancelled session is not scheduled
    assert progress.loc["A", "attended_share"] == pytest.approx(2 / 3)
    assert progress["last_week_attended"].to_dict() == {"A": 2, "B": 0, "C": 4, "D": 0, "E": 0}


def test_completion_is_at_least_eighty_percent(five):
    progress = attendance.participant_progress(five).set_index("participant_id")
    assert progress["scheduled"].unique().tolist() == [5]  # week 6 was cancelled
    # P: 4 of 5 = 80% exactly, which counts ("at least"); Q: 3 of 5 (its cancelled-week row
    # does not count); R: 5 of 5; S: 1 of 5; T: 0 of 5.
    assert progress["attended"].to_dict() == {"P": 4, "Q": 3, "R": 5, "S": 1, "T": 0}
    assert progress["completed_attendance"].to_dict() == {
        "P": True, "Q": False, "R": True, "S": False, "T": False}
    summary = attendance.attendance_summary(five).set_index("metric")
    assert summary.loc["completion_rate_attendance", "value"] == pytest.approx(2 / 5)
    low, high = proportion_confint(2, 5, method="wilson")
    assert summary.loc["completion_rate_attendance", ["ci_low", "ci_high"]].tolist() == \
        pytest.approx([low, high])


def test_completion_threshold_is_inclusive_when_given(tiny):
    # With a threshold of two thirds, A (2 of 3) completes as well as C.
    progress = attendance.participant_progress(tiny, threshold=2 / 3).set_index("participant_id")
    assert progress["completed_attendance"].to_dict() == {
        "A": True, "B": False, "C": True, "D": False, "E": False}
    with pytest.raises(EvalkitError, match="threshold"):
        attendance.participant_progress(tiny, threshold=80)


def test_module_completion_counts_people_without_register_rows(tiny):
    table = attendance.module_completion(tiny)
    assert table["module"].tolist() == ["m1", "m2"]  # programme order
    table = table.set_index("module")
    # m1: A and C attended both c1 sessions; B none; D has no rows; E missed c2's only one
    # -> 2 of 5.
    assert table.loc["m1", ["participants", "completed"]].tolist() == [5, 2]
    # m2 was held in c1 only, in week 4 (week 3 cancelled): C attended -> 1 of 4 (A, B, C, D).
    assert table.loc["m2", ["participants", "completed"]].tolist() == [4, 1]
    low, high = proportion_confint(2, 5, method="wilson")
    assert table.loc["m1", ["ci_low", "ci_high"]].tolist() == pytest.approx([low, high])


# --- follow-up list --------------------------------------------------------------------------------

def test_follow_up_list_by_hand(tiny):
    flagged = attendance.follow_up_list(tiny)
    # B: unnotified in weeks 1 and 2 (a run of 2). A and E have a single one each.
    assert flagged["participant_id"].tolist() == ["B"]
    assert flagged.iloc[0][["cohort_id", "exit_reason", "longest_unnotified_run",
                            "active"]].tolist() == ["c1", "withdrew", 2, False]
    assert pd.isna(flagged["last_attended_week"].iloc[0])  # B never attended
    assert attendance.follow_up_list(tiny, min_run=3).empty


def test_follow_up_list_puts_active_participants_first(five):
    flagged = attendance.follow_up_list(five)
    # S (still on the programme, longest run 2: its four unnotified absences are weeks 1-2 and
    # 4-5) comes before T (withdrew, run of 3).
    assert flagged["participant_id"].tolist() == ["S", "T"]
    assert flagged["longest_unnotified_run"].tolist() == [2, 3]
    assert flagged["active"].tolist() == [True, False]
    assert flagged["last_attended_week"].iloc[0] == 3
    assert pd.isna(flagged["last_attended_week"].iloc[1])  # T never attended


def test_longest_runs_by_hand():
    runs = attendance.longest_runs(pd.Series([1, 1, 0, 1, 1, 1, 1, 0], dtype=bool),
                                   pd.Series(list("aaaaabbb")))
    # a: 1 1 0 1 1 -> 2 (the run does not continue into b); b: 1 1 0 -> 2
    assert runs.to_dict() == {"a": 2, "b": 2}


# --- retention ---------------------------------------------------------------------------------------

def test_retention_by_hand(tiny):
    progress = attendance.participant_progress(tiny)
    # Last week attended (time) and drop-out (event): A 2 no, B 0 yes, C 4 no, D 0 no (moved
    # away is censored), E 0 yes. At week 0: 5 at risk, 2 leave -> 3/5; no later drop-outs.
    km = attendance.retention(progress)
    assert km[["group_by", "group", "time", "at_risk", "events"]].values.tolist() == [
        ["all", "all", 0, 5, 2]]
    assert km.loc[0, "survival"] == pytest.approx(3 / 5)
    by_site = attendance.retention(progress, between="site").set_index("group")
    assert by_site.loc["north", ["at_risk", "events", "survival"]].tolist() == [4, 1, 0.75]
    assert by_site.loc["south", ["at_risk", "events", "survival"]].tolist() == [1, 1, 0.0]


def test_logrank_by_hand(tiny):
    progress = attendance.participant_progress(tiny)
    row = attendance.logrank(progress, between="site").iloc[0]
    # One event time (week 0): 5 at risk, 2 events; north has 4 at risk and 1 event.
    # Expected north = 2 * 4/5 = 1.6, O - E = -0.6; variance = 2 (4/5)(1/5)(5-2)/(5-1) = 0.24;
    # chi2 = 0.36 / 0.24 = 1.5 on 1 df. (With events and censoring swapped it would be 0.25.)
    assert row["factor"] == "site"
    assert (row["groups"], row["smallest_group"], row["df"]) == (2, 1, 1)
    assert row["chi2"] == pytest.approx(1.5)
    assert row["p"] == pytest.approx(st.chi2.sf(1.5, 1))


# Freireich et al. (1963) 6-MP leukaemia remission data as tabulated in Kleinbaum & Klein,
# Survival Analysis: A Self-Learning Text (3rd ed., 2012), chapter 2: the Kaplan-Meier estimates
# of the 6-MP group and the log-rank chi-square (16.79 on 1 df) are printed there. Here the
# remission weeks become the last programme week attended and relapse becomes dropping out.
SIX_MP_TIMES = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_EVENT = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PLACEBO_TIMES = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
CENSORED_REASONS = ("ongoing", "completed", "moved_away", "custody", "other")


@pytest.fixture
def six_mp(tmp_path):
    """42 participants in two sites (one cohort each, 35 weekly sessions); each attends one
    session, in the week of their remission time. Drop-outs alternate withdrew/excluded; the
    censored rotate through every other exit reason, moved away included."""
    people, register = [PARTICIPANTS], ["participant_id,session_id,status"]
    arms = [("sixmp", SIX_MP_TIMES, SIX_MP_EVENT),
            ("placebo", PLACEBO_TIMES, [1] * len(PLACEBO_TIMES))]
    for site, times, events in arms:
        for i, (time, event) in enumerate(zip(times, events, strict=True)):
            reason = ("withdrew", "excluded")[i % 2] if event else \
                CENSORED_REASONS[i % len(CENSORED_REASONS)]
            pid = f"{site}{i:02d}"
            people.append(f"{pid},{site},{site},probation,25-34,2024-01,{reason}")
            register.append(f"{pid},{site}-{time},attended")
    sessions = [SESSIONS] + [
        f"{site}-{w},{site},{site},{w},m1,{w},2024-01-01,group,f1,false"
        for site in ("sixmp", "placebo") for w in range(1, 36)]
    _write(tmp_path, "participants", "\n".join(people))
    _write(tmp_path, "sessions", "\n".join(sessions))
    _write(tmp_path, "attendance", "\n".join(register))
    return evalkit.load(tmp_path)


def test_retention_and_logrank_match_the_textbook(six_mp):
    progress = attendance.participant_progress(six_mp)
    assert int(progress["dropped_out"].sum()) == 9 + 21
    curves = attendance.retention(progress, between="site")
    six = curves[curves["group"] == "sixmp"].set_index("time")["survival"]
    published = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378,
                 23: 0.4482}
    assert list(six.index) == list(published)
    assert six.to_numpy() == pytest.approx(list(published.values()), abs=5e-5)
    # The placebo group has no censoring: S(t) = share with a time after t.
    placebo = curves[curves["group"] == "placebo"].set_index("time")["survival"]
    assert placebo.loc[8] == pytest.approx(8 / 21)
    row = attendance.logrank(progress, between="site").iloc[0]
    assert row["chi2"] == pytest.approx(16.79, abs=0.01)
    assert row["smallest_group"] == 21


# --- compute() and the sample ------------------------------------------------------------------------

def _assert_declared(result, analysis):
    assert sorted(result) == sorted(spec.name for spec in analysis.tables)
    for spec in analysis.tables:
        value = result[spec.name]
        if not isinstance(value, str):
            spec.check(value)  # raises when the columns differ from the declaration


def test_compute_returns_exactly_the_declared_tables(tiny):
    result = attendance.compute(tiny, min_cell=5)
    _assert_declared(result, attendance.ANALYSIS)
    assert all(isinstance(v, pd.DataFrame) for v in result.values())
    assert set(result["retention"]["group_by"]) == {"all", "site", "referral_route"}
    assert result["logrank"]["factor"].tolist() == ["site", "referral_route"]
    # the heat map: one row per participant with a held session, weeks 1, 2, 4 for c1
    matrix = result["attendance_matrix"]
    assert sorted(matrix.loc[matrix["row"] == matrix["row"].max(), "programme_week"]) == [1, 2, 4]
    assert result["attendance_matrix"]["row"].nunique() == 4


def test_missing_register_is_named(tmp_path):
    _write(tmp_path, "participants", f"{PARTICIPANTS}\nA,north,c1,self,25-34,2024-01,ongoing")
    dataset = evalkit.load(tmp_path)
    assert attendance.ANALYSIS.missing(dataset) == "needs sessions.csv and attendance.csv"
    with pytest.raises(EvalkitError, match="attendance.csv"):
        attendance.attendance_summary(dataset)


def test_sample_matches_an_independent_count():
    """The sample's headline figures recomputed from the raw CSV files with plain pandas."""
    people = pd.read_csv(SAMPLE / "participants.csv", dtype=str)
    sessions = pd.read_csv(SAMPLE / "sessions.csv", dtype=str)
    register = pd.read_csv(SAMPLE / "attendance.csv", dtype=str)
    held = sessions[sessions["cancelled"].str.lower() != "true"]
    rows = register.merge(held[["session_id"]], on="session_id")
    present = rows[rows["status"].isin(["attended", "late", "left_early"])]
    attended = present.groupby("participant_id").size().reindex(people["participant_id"],
                                                                fill_value=0).to_numpy()
    scheduled = held.groupby("cohort_id").size().reindex(people["cohort_id"]).to_numpy()
    completed = int((attended * 5 >= scheduled * 4).sum())  # at least 80%, in integers
    dropped = int(people["exit_reason"].isin(["withdrew", "excluded"]).sum())

    dataset = evalkit.load(SAMPLE)
    result = attendance.compute(dataset, min_cell=5)
    _assert_declared(result, attendance.ANALYSIS)
    value = result["attendance_summary"].set_index("metric")["value"]
    assert value["participants"] == len(people)
    assert value["participant_sessions"] == len(rows)
    assert value["sessions_attended"] == len(present)
    assert value["completed_attendance"] == completed
    assert value["dropped_out"] == dropped
    week = result["attendance_by_week"]
    assert week["scheduled"].sum() == len(rows)
    assert week["sessions_cancelled"].sum() == len(sessions) - len(held)


# --- retention at milestones (what a funder sees) ------------------------------------------------

def test_retention_milestones_by_hand(five):
    # Last week attended: P 4 (completed), Q 3 (its week-6 row is on a cancelled session; exit
    # "other": censored), R 5 (completed), S 3 (ongoing), T 0 (withdrew). The programme's last
    # held week is 5 (week 6 was cancelled). After week 4: T left; P and R completed and stayed;
    # Q and S were last seen in week 3 and are not followed to week 4: 2 of 3.
    progress = attendance.participant_progress(five)
    assert attendance.programme_length(five) == 5
    table = attendance.retention_milestones(progress, length=5)
    assert table[["group_by", "group", "week", "followed", "retained"]].values.tolist() == [
        ["all", "all", 4, 3, 2]]
    assert table.loc[0, "share"] == pytest.approx(2 / 3)
    low, high = proportion_confint(2, 3, method="wilson")
    assert (table.loc[0, "ci_low"], table.loc[0, "ci_high"]) == pytest.approx((low, high))
    # Every second week up to 5: weeks 2 and 4; by route (probation P, Q; self R, S; court T).
    by_route = attendance.retention_milestones(progress, length=5, between="referral_route",
                                               every=2).set_index(["group", "week"])
    assert by_route.loc[("court_mandated", 2), ["followed", "retained"]].tolist() == [1, 0]
    assert by_route.loc[("self", 2), ["followed", "retained"]].tolist() == [2, 2]
    assert by_route.loc[("self", 4), ["followed", "retained"]].tolist() == [1, 1]


def test_retention_milestones_leave_out_people_not_followed_to_the_week(tiny):
    # After week 4 (c1's last held week): B and E left at week 0; A (ongoing, last week 2) and
    # D (moved away, week 0) are not followed to week 4; C completed. 1 of 3 followed stayed.
    progress = attendance.participant_progress(tiny)
    row = attendance.retention_milestones(progress, length=4).iloc[0]
    assert (row["week"], row["followed"], row["retained"]) == (4, 3, 1)


def test_retention_milestones_equal_the_kaplan_meier_curve_without_censoring(six_mp):
    # Nobody in the placebo arm is censored, so the share still on after week w is the
    # Kaplan-Meier estimate there: the share whose time is after w (8/21 after week 8).
    progress = attendance.participant_progress(six_mp)
    table = attendance.retention_milestones(progress, length=35, between="site")
    placebo = table[table["group"] == "placebo"].set_index("week")
    times = np.array(PLACEBO_TIMES)
    for week in (4, 8, 12, 16, 20, 24, 28, 32):
        assert placebo.loc[week, "share"] == pytest.approx((times > week).sum() / 21)
        assert placebo.loc[week, "followed"] == 21


# Attack 4 of issue 20: survival shares read as exact counts. Each folder is written out in
# full; the funder report must give none of the counts away.

def _cohorts(tmp_path, people: list[tuple[str, str, str, int]], weeks: int = 24):
    """A folder of one cohort per site with ``weeks`` weekly sessions; each person is
    (site, referral route, exit reason, last week attended) and attends every week up to it."""
    sites = sorted({p[0] for p in people})
    _write(tmp_path, "participants", PARTICIPANTS + "\n" + "\n".join(
        f"p{i:03d},{site},c-{site},{route},25-34,2024-01,{reason}"
        for i, (site, route, reason, _) in enumerate(people)))
    _write(tmp_path, "sessions", SESSIONS + "\n" + "\n".join(
        f"c-{site}-{w},c-{site},{site},{w},m1,{w},2024-01-01,group,f1,false"
        for site in sites for w in range(1, weeks + 1)))
    _write(tmp_path, "attendance", "participant_id,session_id,status\n" + "\n".join(
        f"p{i:03d},c-{site}-{w},{'attended' if w <= last else 'absent_unnotified'}"
        for i, (site, _, _, last) in enumerate(people) for w in range(1, weeks + 1)))
    return tmp_path


def _funder(folder):
    from evalkit.publish.page import Page

    return Page(folder, audience="funder").run("attendance")


def _shown_shares(results, group):
    """Every share or survival figure a funder sees for ``group``."""
    found = []
    for table in results.values():
        if not table.available or "group" not in table.values:
            continue
        for column in ("share", "survival"):
            if column in table.values:
                rows = (table.values["group"].astype(str) == group).to_numpy()
                found += [v for v, s in zip(table.values.loc[rows, column],
                                            table.status.loc[rows, column], strict=True)
                          if s == "shown"]
    return found


def test_attack_all_self_referrals_withdrew_is_not_shown_as_zero(tmp_path):
    """Seven self-referrals all withdrew after week 4; everyone else stayed to the end."""
    people = [("north", "self", "withdrew", 4)] * 4 + [("south", "self", "withdrew", 4)] * 3
    people += [("north", "probation", "completed", 24)] * 20
    people += [("south", "court_mandated", "completed", 24)] * 20
    results = _funder(_cohorts(tmp_path, people))
    assert not results["retention"].available   # no exact curve for a funder
    assert 0.0 not in _shown_shares(results, "self")
    milestones = results["retention_milestones"].where(group_by="referral_route", group="self")
    assert (milestones.status["share"] != "shown").all()
    assert milestones.text.loc[milestones.values["week"] == 8, "retained"].tolist() == ["<5"]


def test_attack_five_of_six_left_does_not_give_one_person_away(tmp_path):
    """Six referred by children's services, five withdrew after week 4: 17% would be one person."""
    people = [("north", "childrens_services", "withdrew", 4)] * 5
    people += [("north", "childrens_services", "completed", 24)]
    people += [("north", "probation", "completed", 24)] * 20
    people += [("south", "court_mandated", "completed", 24)] * 20
    results = _funder(_cohorts(tmp_path, people))
    assert not any(round(float(v), 2) == round(1 / 6, 2)
                   for v in _shown_shares(results, "childrens_services"))
    rows = results["retention_milestones"].where(group="childrens_services")
    assert (rows.status["share"] != "shown").all()


def test_attack_everyone_minus_the_sites_does_not_give_one_exit(tmp_path):
    """Five north and one central participant left after week 3. With every site's share beside
    everyone's, everyone minus north and south would give central's single exit: so when one
    site's share is withheld at a week, every site's is, and everyone's alone is shown."""
    people = [("north", "probation", "withdrew", 3)] * 5 + [("central", "probation", "withdrew", 3)]
    people += [("north", "probation", "completed", 24)] * 15
    people += [("central", "probation", "completed", 24)] * 19
    people += [("south", "probation", "completed", 24)] * 20
    results = _funder(_cohorts(tmp_path, people))
    assert not results["retention"].available
    milestones = results["retention_milestones"]
    week4 = milestones.where(week=4)
    everyone = week4.where(group_by="all")
    assert everyone.status["share"].tolist() == ["shown"]        # 54 of 60
    assert (week4.where(group_by="site").status["share"] != "shown").all()
    # No shown figure of any site at week 4 could be subtracted from everyone's.
    sites = week4.where(group_by="site")
    assert set(sites.text["share"]) == {"\u2014"}
