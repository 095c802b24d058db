"""Accountability measures against a hand-worked timeline (dates worked out in the comments)."""

from __future__ import annotations

import numpy as np
import pytest

import evalkit
from evalkit.analyses import accountability
from evalkit.errors import MissingDataError

# Written out of date order on purpose: the library must sort.
EVENTS = """
process_id,event_date,event_type,actor,demand_id
A,2020-03-01,response_received,responsible_person,
A,2020-01-01,demand_set,survivor_support,d1
A,2020-01-01,demand_set,survivor_support,d2
A,2020-01-10,message_sent,contact_group,
A,2020-02-10,message_sent,contact_group,
A,2020-03-05,meeting_scheduled,contact_group,
A,2020-03-20,meeting_held,contact_group,
A,2020-04-01,meeting_scheduled,contact_group,
A,2020-04-15,meeting_missed,responsible_person,
A,2020-05-01,message_sent,contact_group,
A,2020-06-01,demand_met,contact_group,d1
A,2021-01-01,demand_refused,responsible_person,d2
B,2021-06-30,message_sent,contact_group,
C,2019-03-01,message_sent,contact_group,
C,2019-01-01,message_sent,contact_group,
C,2019-02-01,demand_met,contact_group,d1
C,2019-04-01,demand_set,survivor_support,d1
C,2019-05-01,demand_set,survivor_support,d2
C,2019-07-01,process_closed,contact_group,
"""


@pytest.fixture
def dataset(tmp_path):
    (tmp_path / "accountability_events.csv").write_text(EVENTS.strip() + "\n")
    return evalkit.load(tmp_path)


@pytest.fixture
def measures(dataset):
    return accountability.process_measures(dataset).set_index("process_id")


def test_first_response_and_answered_messages(measures):
    a = measures.loc["A"]
    # first message 2020-01-10, first response 2020-03-01: 21 + 29 (leap February) + 1 = 51 days
    assert a["days_to_first_response"] == 51
    # 10 Jan: next message 10 Feb comes first (unanswered); 10 Feb: answered on 1 Mar;
    # 1 May: nothing after it
    assert (a["messages"], a["messages_answered"]) == (3, 1)
    assert a["answered_share"] == pytest.approx(1 / 3)


def test_longest_silence_runs_to_the_end_of_the_record(measures):
    # A: 10 Jan, 1 Mar (response), 20 Mar (meeting held), 1 Jun (demand met), 1 Jan 2021
    # (demand refused), 30 Jun 2021 (the latest event in the file) -> gaps 51, 19, 73, 214, 180
    assert measures.loc["A", "longest_silence_days"] == 214
    # C never responds: 1 Jan, 1 Feb (demand marked met), closed 1 Jul -> gaps 31, 150
    assert measures.loc["C", "longest_silence_days"] == 150


def test_meetings_and_demands(measures, dataset):
    a = measures.loc["A"]
    assert (a["meetings_scheduled"], a["meetings_held"], a["meetings_missed"]) == (2, 1, 1)
    assert (a["demands_set"], a["demands_met"], a["demands_refused"],
            a["demands_outstanding"]) == (2, 1, 1, 0)
    table = accountability.demands(dataset).set_index(["process_id", "demand_id"])
    # d1: 1 Jan -> 1 Jun 2020 = 31 + 29 + 31 + 30 + 31 = 152; d2: 1 Jan 2020 -> 1 Jan 2021 = 366
    assert table.loc[("A", "d1"), "days_open"] == 152
    assert table.loc[("A", "d2"), "days_open"] == 366
    # C d2 outstanding until the process closed: 1 May -> 1 Jul = 61
    assert table.loc[("C", "d2"), ["outcome", "days_open"]].tolist() == ["outstanding", 61]
    assert measures.loc["C", "longest_open_demand_days"] == 61


def test_demand_met_before_it_was_set_is_flagged_not_timed(dataset):
    table = accountability.demands(dataset).set_index(["process_id", "demand_id"])
    assert table.loc[("C", "d1"), "problem"] == "outcome dated before the demand was set"
    assert np.isnan(table.loc[("C", "d1"), "days_open"])
    problems = accountability.data_problems(dataset)
    assert problems[["process_id", "demand_id"]].values.tolist() == [["C", "d1"]]


def test_single_event_and_no_response(measures):
    b = measures.loc["B"]
    assert np.isnan(b["days_to_first_response"]) and b["messages"] == 1
    assert b["longest_silence_days"] == 0 and not b["closed"]
    c = measures.loc["C"]
    assert np.isnan(c["days_to_first_response"]) and c["messages_answered"] == 0
    assert c["closed"] and str(c["closed_date"].date()) == "2019-07-01"


def test_summary_metrics(measures):
    summary = accountability.accountability_summary(measures.reset_index())
    values = dict(zip(summary["metric"], summary["value"], strict=True))
    assert values == {
        "processes": 3, "processes_with_response": 1, "processes_closed": 1,
        "median_days_to_first_response": 51.0,
        # answered shares: A 1/3, B 0/1, C 0/2 -> median 0; longest silences 214, 0, 150 -> 150
        "median_answered_share": 0.0, "median_longest_silence_days": 150.0,
        "meetings_scheduled": 2, "meetings_held": 1,
        "meetings_missed": 1, "demands_set": 4, "demands_met": 2, "demands_refused": 1,
        "demands_outstanding": 1}


def test_demand_outcomes_and_meetings(dataset, measures):
    outcomes = accountability.demand_outcomes(accountability.demands(dataset), len(measures))
    # A d1 met (152 days), A d2 refused (366), C d1 met (dates impossible: no days), C d2
    # outstanding (61)
    assert outcomes["outcome"].tolist() == ["met", "refused", "outstanding"]
    assert outcomes["demands"].tolist() == [2, 1, 1]
    assert outcomes["demands_set"].unique().tolist() == [4]
    assert outcomes["share"].tolist() == pytest.approx([0.5, 0.25, 0.25])
    assert outcomes["median_days_open"].tolist() == [152, 366, 61]
    meetings = accountability.meeting_counts(measures.reset_index())
    assert meetings[["meetings_were", "meetings"]].values.tolist() == [
        ["scheduled", 2], ["held", 1], ["missed", 1]]


def test_timeline_lanes_and_end_of_record(dataset):
    table = accountability.timeline(dataset)
    assert table.groupby("process_id")["lane"].first().to_dict() == {"A": 0, "B": 1, "C": 2}
    ends = table.groupby("process_id")["end_of_record"].first().dt.strftime("%Y-%m-%d")
    # A and B are open: their record runs to the latest event in the file (B's, 30 June 2021)
    assert ends.to_dict() == {"A": "2021-06-30", "B": "2021-06-30", "C": "2019-07-01"}
    # events in date order within each process
    c = table[table["process_id"] == "C"]["event_date"]
    assert c.is_monotonic_increasing and len(c) == 6


# Edge cases, one process each, in a file of their own.
# E: a response before any message; a response on the day of the group's second message; a
#    message from someone other than the contact group; a meeting missed; a demand met that was
#    never set; the process closes on the day of the last response.
EDGES = """
process_id,event_date,event_type,actor,demand_id
E,2021-09-01,response_received,responsible_person,
E,2022-01-01,message_sent,contact_group,
E,2022-01-15,message_sent,survivor_support,
E,2022-02-01,message_sent,contact_group,
E,2022-02-01,response_received,responsible_person,
E,2022-02-15,demand_met,contact_group,d9
E,2022-03-01,message_sent,contact_group,
E,2022-03-05,meeting_scheduled,contact_group,
E,2022-03-15,meeting_missed,responsible_person,
E,2022-04-01,response_received,responsible_person,
E,2022-04-01,process_closed,contact_group,
"""


@pytest.fixture
def edges(tmp_path):
    (tmp_path / "accountability_events.csv").write_text(EDGES.strip() + "\n")
    return evalkit.load(tmp_path)


def test_a_response_on_the_day_of_the_next_message_answers_the_next_one(edges):
    e = accountability.process_measures(edges).set_index("process_id").loc["E"]
    # The group's messages: 1 Jan, 1 Feb, 1 Mar (the survivor-support message is not one).
    # 1 Jan: the 1 Feb response comes on the day of the next message, so it answers that one;
    # 1 Feb: answered the same day; 1 Mar (the last): answered on 1 Apr, the day the process
    # closed, which is still inside the record. -> 2 of 3.
    assert (e["messages"], e["messages_answered"]) == (3, 2)
    assert e["answered_share"] == pytest.approx(2 / 3)
    # The September response came before any message: the first response is 1 Feb, 31 days on.
    assert e["days_to_first_response"] == 31
    # Engagement after the first message: responses on 1 Feb and 1 Apr and the demand met on
    # 15 Feb (a missed meeting is not engagement, nor is the response before the first message);
    # end of record 1 Apr -> gaps 31, 14, 45, 0.
    assert e["longest_silence_days"] == 45


def test_a_demand_never_set_is_a_problem_and_still_counted(edges):
    table = accountability.demands(edges)
    assert table[["demand_id", "outcome", "problem"]].values.tolist() == [
        ["d9", "met", "outcome recorded but the demand was never set"]]
    assert np.isnan(table.loc[0, "days_open"])
    e = accountability.process_measures(edges).iloc[0]
    # every demand with an outcome is one of the demands counted: outcomes add up to the total
    assert (e["demands_set"], e["demands_met"], e["demands_refused"],
            e["demands_outstanding"]) == (1, 1, 0, 0)


def _assert_declared(result):
    assert sorted(result) == sorted(spec.name for spec in accountability.TABLES)
    for spec in accountability.TABLES:
        if not isinstance(result[spec.name], str):
            spec.check(result[spec.name])


def test_compute_returns_exactly_the_declared_tables(dataset):
    result = accountability.compute(dataset)
    _assert_declared(result)
    per_process = result["process_measures"].set_index("process_id")
    assert per_process.loc["A", "first_message"] == "2020-01-10"
    assert per_process.loc["B", "answered_share"] == 0
    assert result["accountability_timeline"]["event_date"].iloc[0] == "2020-01-01"
    assert result["demand_problems"]["demand_id"].tolist() == ["d1"]


def test_compute_on_the_sample_returns_the_declared_tables():
    dataset = evalkit.load("data/sample")
    result = accountability.compute(dataset)
    _assert_declared(result)
    summary = result["accountability_summary"].set_index("metric")["value"]
    assert summary["processes"] == dataset.accountability_events["process_id"].nunique()


def test_missing_events_file_is_named(tmp_path):
    (tmp_path / "curriculum.csv").write_text(
        "module,module_session,session_title,exercise_id,exercise_title,planned_minutes,"
        "optional_exercise\nm1,1,Opening,x1,First,30,false\n")
    dataset = evalkit.load(tmp_path)
    assert accountability.ANALYSIS.missing(dataset) == "needs accountability_events.csv"
    with pytest.raises(MissingDataError, match="accountability_events.csv"):
        accountability.process_measures(dataset)
