"""Attendance, retention and delivery checked against hand-worked and published examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

import evalkit
from evalkit.analyses import attendance, delivery
from evalkit.errors import EvalkitError
from evalkit.stats.proportions import wilson_interval
from evalkit.stats.survival import kaplan_meier


def _write(folder, name, text):
    (folder / f"{name}.csv").write_text(text.strip() + "\n")


@pytest.fixture
def tiny(tmp_path):
    """One cohort, four weeks (week 3 cancelled), four participants (D has no register rows) and
    a cohort of one (E). Worked by hand in the comments of each test."""
    _write(tmp_path, "participants", """
participant_id,site,cohort_id,referral_route,age_band,start_month,exit_reason
A,north,c1,probation,25-34,2024-01,ongoing
B,north,c1,self,35-44,2024-01,withdrew
C,north,c1,court_mandated,18-24,2024-01,completed
D,north,c1,other,unknown,2024-01,ongoing
E,south,c2,self,55+,2024-01,excluded
""")
    _write(tmp_path, "sessions", """
session_id,cohort_id,site,programme_week,module,module_session,session_date,delivery_mode,facilitator_ids,cancelled
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
A,c1-4,absent_unnotified
B,c1-1,absent_unnotified
B,c1-2,absent_unnotified
B,c1-4,absent_notified
C,c1-1,left_early
C,c1-2,attended
C,c1-4,attended
E,c2-1,absent_unnotified
""")
    _write(tmp_path, "curriculum", """
module,module_session,session_title,exercise_id,exercise_title,planned_minutes,optional_exercise
m2,2,Closing,x1,First,30,false
m2,2,Closing,x2,Second,20,false
m2,2,Closing,x3,Extra,10,true
""")
    _write(tmp_path, "delivery", """
session_id,exercise_id,delivered_minutes
c1-4,x1,40
c1-4,x2,10
c1-4,x3,10
""")
    _write(tmp_path, "practitioners", """
practitioner_id,site,gender,role,experience_band,supervision_frequency
f1,north,woman,facilitator,3-5,weekly
f2,north,man,facilitator,1-2,monthly
""")
    return evalkit.load(tmp_path)


def test_wilson_matches_statsmodels():
    k = np.array([0, 1, 8, 50, 99, 100])
    n = np.array([10, 10, 10, 100, 100, 100])
    low, high = wilson_interval(k, n)
    ref_low, ref_high = proportion_confint(k, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, atol=1e-12)
    low0, high0 = wilson_interval(0, 0)
    assert np.isnan(low0) and np.isnan(high0)


def test_summary_by_hand(tiny):
    figures = attendance.attendance_summary(tiny).set_index("metric")["value"]
    # Held participant-sessions: A, B, C x 3 held sessions of c1, E x 1 = 10; present: A 2, C 3.
    assert figures["participants"] == 5
    assert figures["participant_sessions"] == 10
    assert figures["attendance_rate"] == pytest.approx(5 / 10)
    assert figures["completion_rate_recorded"] == pytest.approx(1 / 5)  # C
    assert figures["completion_rate_attendance"] == pytest.approx(1 / 5)  # C 3/3; A 2/3 < 0.8
    assert figures["dropout_rate"] == pytest.approx(2 / 5)  # B withdrew, E excluded


def test_participant_without_register_rows_counts_as_absent(tiny):
    progress = attendance.participant_progress(tiny).set_index("participant_id")
    assert progress.loc["D", "scheduled"] == 3 and progress.loc["D", "attended"] == 0
    assert progress.loc["E", "scheduled"] == 1  # a cohort of one
    assert progress.loc["A", "attended_share"] == pytest.approx(2 / 3)


def test_rates_by_week_and_cancelled_week(tiny):
    by_week = attendance.attendance_by(tiny, "programme_week").set_index("programme_week")
    assert list(by_week.index) == [1, 2, 4]  # week 3 was cancelled everywhere
    assert by_week.loc[1, "scheduled"] == 4 and by_week.loc[1, "attended"] == 2  # A, C of A,B,C,E
    assert by_week.loc[4, "attendance_rate"] == pytest.approx(1 / 3)
    low, high = proportion_confint(2, 4, method="wilson")
    assert by_week.loc[1, "ci_low"] == pytest.approx(low)
    assert attendance.weeks_without_sessions(tiny) == [3]
    by_mode = attendance.attendance_by(tiny, "delivery_mode").set_index("delivery_mode")
    assert by_mode.loc["individual", "scheduled"] == 1


def test_module_completion_by_hand(tiny):
    table = attendance.module_completion(tiny).set_index("module")
    # m1: A and C attended both c1 sessions; E's single session missed -> 2 of 5.
    assert table.loc["m1", "participants"] == 5 and table.loc["m1", "completed"] == 2
    # m2 held only in c1 (week 4): C attended -> 1 of 4 scheduled.
    assert table.loc["m2", "participants"] == 4 and table.loc["m2", "completed"] == 1


def test_follow_up_runs(tiny):
    flagged = attendance.follow_up_list(tiny)
    # B: unnotified in weeks 1 and 2 (run 2). A has a single one, E a single one.
    assert flagged["participant_id"].tolist() == ["B"]
    assert flagged["longest_unnotified_run"].tolist() == [2]
    runs = attendance.longest_runs(pd.Series([1, 1, 0, 1, 1, 1, 1, 0], dtype=bool),
                                   pd.Series(list("aaaaabbb")))
    assert runs.to_dict() == {"a": 2, "b": 2}


def test_retention_by_hand(tiny):
    km = attendance.retention(tiny)
    # Last week attended: A 2, B 0 (event), C 4, D 0, E 0 (event). At week 0: 5 at risk, 2 events.
    first = km.iloc[0]
    assert first["time"] == 0 and first["at_risk"] == 5 and first["events"] == 2
    assert first["survival"] == pytest.approx(3 / 5)
    assert attendance.logrank(tiny, "site").loc[0, "groups"] == 2


# Freireich et al. (1963) 6-MP leukaemia remission data as tabulated in Kleinbaum & Klein,
# Survival Analysis: A Self-Learning Text (3rd ed., 2012), chapter 2: KM estimates and the log-rank
# statistic (chi-square 16.79 on 1 df) are printed there.
SIX_MP_TIMES = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_EVENT = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PLACEBO_TIMES = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]


def test_kaplan_meier_matches_the_textbook():
    km = kaplan_meier(SIX_MP_TIMES, SIX_MP_EVENT).set_index("time")["survival"]
    published = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378,
                 23: 0.4482}
    for time, value in published.items():
        assert km.loc[time] == pytest.approx(value, abs=5e-4)


def test_logrank_matches_the_textbook():
    from statsmodels.duration.survfunc import survdiff

    times = np.array(SIX_MP_TIMES + PLACEBO_TIMES, dtype=float)
    events = np.array(SIX_MP_EVENT + [1] * len(PLACEBO_TIMES))
    groups = np.array(["6-MP"] * 21 + ["placebo"] * 21)
    chi2, _ = survdiff(times, events, groups)
    assert chi2 == pytest.approx(16.79, abs=0.01)


def test_kaplan_meier_band_contains_estimate_and_no_events():
    km = kaplan_meier(SIX_MP_TIMES, SIX_MP_EVENT)
    assert ((km["ci_low"] <= km["survival"]) & (km["survival"] <= km["ci_high"])).all()
    none = kaplan_meier([3, 4, 5], [0, 0, 0])
    assert none["survival"].tolist() == [1.0]


def test_fidelity_by_hand(tiny):
    per_session = delivery.session_fidelity(tiny)
    # Core exercises x1 (30 planned, 40 delivered -> 30 credited) and x2 (20, 10): 40 / 50.
    assert per_session["fidelity"].tolist() == [pytest.approx(0.8)]
    table = delivery.delivery_fidelity(tiny)
    assert table[["module", "module_session", "sessions"]].values.tolist() == [["m2", 2, 1]]
    exercises = delivery.exercise_fidelity(tiny).set_index("exercise_id")
    assert exercises.loc["x2", "cut_short_share"] == 1.0
    assert exercises.loc["x1", "full_share"] == 1.0
    assert delivery.most_cut_short(tiny)["exercise_id"].tolist()[0] == "x2"


def test_unrecorded_session_is_left_out_not_zero(tiny):
    tiny = tiny.replace(delivery=tiny.delivery.iloc[0:0])
    table = delivery.delivery_fidelity(tiny)
    assert table.loc[0, "sessions"] == 0 and table.loc[0, "sessions_not_recorded"] == 1


def test_missing_files_give_clear_errors(tiny):
    tiny = tiny.replace(attendance=None)
    with pytest.raises(EvalkitError, match="attendance.csv"):
        attendance.attendance_summary(tiny)
    tiny = tiny.replace(curriculum=None)
    with pytest.raises(EvalkitError, match="curriculum.csv"):
        delivery.delivery_fidelity(tiny)


def test_sample_week_table_has_the_required_columns():
    ds = evalkit.load("data/sample")
    table = attendance.attendance_by(ds, "programme_week")
    assert {"programme_week", "scheduled", "attended", "attendance_rate"} <= set(table.columns)
    assert table["attendance_rate"].between(0, 1).all()


def test_unnotified_share_by_hand(tiny):
    # Absences on held sessions: A wk4 unnotified; B wk1, wk2 unnotified, wk4 notified; E unnotified.
    assert attendance.unnotified_absence_share(tiny) == pytest.approx(4 / 5)
    assert attendance.module_completion(tiny)["module"].tolist() == ["m1", "m2"]
