"""Accountability measures against a hand-worked timeline (dates worked out in the comments)."""

from __future__ import annotations

import numpy as np
import pytest

import evalkit
from evalkit.analyses import accountability

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
    values = dict(zip(summary["metric"], summary["value"], strict=False))
    assert {k: values[k] for k in accountability.SUMMARY_METRICS} == {
        "processes": 3, "processes_with_response": 1, "processes_closed": 1,
        "median_days_to_first_response": 51.0, "meetings_scheduled": 2, "meetings_held": 1,
        "meetings_missed": 1, "demands_set": 4, "demands_met": 2, "demands_refused": 1,
        "demands_outstanding": 1}


def test_funder_summary_hides_small_counts_and_medians(measures):
    summary = accountability.accountability_summary(measures.reset_index())
    protected = dict(zip(*accountability.protect_summary(summary, 5).T.values, strict=False))
    # three processes: below the threshold, so every count is hidden and no median shown
    assert all(v == "<5" for k, v in protected.items() if not k.startswith("median"))
    assert all(np.isnan(v) for k, v in protected.items() if k.startswith("median"))
    protected = dict(zip(*accountability.protect_summary(summary, 2).T.values, strict=False))
    assert protected["processes"] == "3"
    # 1 process with a response is below 2: hidden (its complement, 2 without one, is not shown)
    assert protected["processes_with_response"] == "<2"
    assert np.isnan(protected["median_days_to_first_response"])
    assert protected["demands_set"] == "4"
    outcomes = [protected[f"demands_{o}"] for o in ("met", "refused", "outstanding")]
    assert sum(o.startswith(("<", "[")) for o in outcomes) != 1
