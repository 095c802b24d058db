"""The lists a programme manager acts on (internal audience only): the drop-out list, the
follow-up list with dates, and the partner safety list with the date of the answer that worsened.
Every expected value is worked by hand in the comments from the small folders below.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from tests.test_attendance import PARTICIPANTS, SESSIONS, _write
from tests.test_outcomes import _folder

import evalkit
from evalkit.analyses import attendance, outcomes
from evalkit.publish import render
from evalkit.publish.policy import Policy


@pytest.fixture
def weekly(tmp_path):
    """One cohort (k1) of six weekly sessions from 2024-03-04, week 4 cancelled; a second cohort
    (k2, site south) of two sessions. Five held sessions in k1.

    U: attends weeks 1-2, then unnotified absences in weeks 3 and 5 (week 4 cancelled, so a run of
       2), attends week 6; ongoing.
    V: attends week 1, unnotified absences in weeks 2, 3 (run of 2), then notified 5, 6; withdrew.
    W: attends weeks 1, 2, 3 and 5, absent notified week 6; excluded.
    X: no register row at all; withdrew (last attended: none).
    Y: k2, attends its first session, unnotified absence at the second; ongoing (a run of 1 only).
    Z: attends everything; completed.
    """
    _write(tmp_path, "participants", f"""
{PARTICIPANTS}
U,north,k1,probation,25-34,2024-03,ongoing
V,north,k1,self,35-44,2024-03,withdrew
W,north,k1,court_mandated,18-24,2024-03,excluded
X,north,k1,other,unknown,2024-03,withdrew
Y,south,k2,self,45-54,2024-03,ongoing
Z,north,k1,probation,25-34,2024-03,completed
""")
    dates = {1: "2024-03-04", 2: "2024-03-11", 3: "2024-03-18", 4: "2024-03-25",
             5: "2024-04-01", 6: "2024-04-08"}
    rows = [f"k1-{w},k1,north,{w},m1,{w},{d},group,f1,{'true' if w == 4 else 'false'}"
            for w, d in dates.items()]
    rows += ["k2-1,k2,south,1,m1,1,2024-03-05,group,f1,false",
             "k2-2,k2,south,2,m1,2,2024-03-12,group,f1,false"]
    _write(tmp_path, "sessions", SESSIONS + "\n" + "\n".join(rows))
    register = {
        "U": {1: "attended", 2: "late", 3: "absent_unnotified", 5: "absent_unnotified",
              6: "attended"},
        "V": {1: "attended", 2: "absent_unnotified", 3: "absent_unnotified",
              5: "absent_notified", 6: "absent_notified"},
        "W": {1: "attended", 2: "attended", 3: "left_early", 5: "attended",
              6: "absent_notified"},
        "Z": {w: "attended" for w in (1, 2, 3, 5, 6)},
    }
    lines = [f"{pid},k1-{w},{status}" for pid, weeks in register.items()
             for w, status in weeks.items()]
    lines += ["Y,k2-1,attended", "Y,k2-2,absent_unnotified"]
    _write(tmp_path, "attendance", "participant_id,session_id,status\n" + "\n".join(lines))
    return evalkit.load(tmp_path)


# --- the drop-out list -----------------------------------------------------------------------------

def test_dropout_list_by_hand(weekly):
    table = attendance.dropout_list(weekly)
    # Withdrew or excluded: V, W, X (U, Y ongoing; Z completed). Ordered by the date they were
    # last seen, never-seen people first: X (none), V (week 1, 2024-03-04), W (week 5,
    # 2024-04-01). Scheduled: the 5 held sessions of k1.
    assert table["participant_id"].tolist() == ["X", "V", "W"]
    assert table["exit_reason"].tolist() == ["withdrew", "withdrew", "excluded"]
    assert pd.isna(table["last_attended_week"].iloc[0])
    assert table["last_attended_week"].iloc[1:].tolist() == [1, 5]
    assert table["last_attended_date"].tolist() == [None, "2024-03-04", "2024-04-01"]
    assert table["attended"].tolist() == [0, 1, 4]
    assert table["scheduled"].tolist() == [5, 5, 5]
    assert table[["cohort_id", "site", "referral_route"]].iloc[2].tolist() == \
        ["k1", "north", "court_mandated"]


def test_someone_who_never_attended_reads_never_on_the_page_and_empty_in_the_csv(weekly,
                                                                              tmp_path):
    from evalkit.publish.page import Page

    results = tmp_path / "results"
    page = Page(dataset=weekly, audience="internal", results_dir=results)
    lists = page.run("attendance")
    # X never attended: the page says "never" for the week and the date, not "n/a", and
    # without the n/a footnote (nothing here is "cannot be computed").
    shown = lists["dropouts"]
    html = render.table_html(shown, ["participant_id", "last_attended_week",
                                     "last_attended_date"], None)
    first = html.split("<tbody>")[1].split("</tr>")[0]
    assert ">X<" in first and first.count(">never<") == 2
    assert "n/a" not in html
    text = render.table_text(shown, ["participant_id", "last_attended_week",
                                     "last_attended_date"]).splitlines()
    assert text[2].split() == ["X", "never", "never"]
    # The CSV keeps both cells empty (no week 0, no word), and V's week stays a whole number.
    csv = pd.read_csv(results / "dropouts.csv", dtype=str, keep_default_na=False)
    x, v = csv.set_index("participant_id").loc[["X", "V"], ["last_attended_week",
                                                            "last_attended_date"]].to_numpy()
    assert x.tolist() == ["", ""] and v.tolist() == ["1", "2024-03-04"]


def test_dropout_list_is_internal_and_counts_the_sample():
    spec = attendance.ANALYSIS.spec("dropouts")
    assert spec.shown_to == ("internal",)
    table = attendance.compute(evalkit.load("data/sample"))["dropouts"]
    # participants.csv of the sample: 31 withdrew + 8 excluded (counted with cut | sort | uniq).
    people = pd.read_csv("data/sample/participants.csv")
    expected = people[people["exit_reason"].isin(["withdrew", "excluded"])]
    assert len(table) == len(expected) == 39
    assert sorted(table["participant_id"]) == sorted(expected["participant_id"])


# --- the follow-up list ----------------------------------------------------------------------------

def test_follow_up_list_gives_the_dates_of_missed_and_last_attended_sessions(weekly):
    table = attendance.follow_up_list(weekly)
    # Runs of 2+ unnotified absences: U (weeks 3, 5: week 4 was cancelled), V (weeks 2, 3).
    # U is still on the programme, so U comes first.
    assert table["participant_id"].tolist() == ["U", "V"]
    assert table["active"].tolist() == [True, False]
    assert table["missed_dates"].tolist() == ["2024-03-18, 2024-04-01", "2024-03-11, 2024-03-18"]
    # U last attended week 6 (2024-04-08), V week 1 (2024-03-04).
    assert table["last_attended_date"].tolist() == ["2024-04-08", "2024-03-04"]
    assert table["last_attended_week"].tolist() == [6, 1]


def test_follow_up_page_says_how_many_are_shown_of_how_many(weekly):
    from evalkit.publish.page import Page

    page = Page(dataset=weekly, audience="internal")
    shown = page.run("attendance")["follow_up"]
    active = shown.where(active=True)
    left = shown.where(active=False)
    assert (len(active), len(left)) == (1, 1)
    html = render.table_html(active, None, "x")
    assert "2024-03-18, 2024-04-01" in re.sub(r"<[^>]+>", "", html)  # dates sit in spans


# --- the partner safety list -----------------------------------------------------------------------

def test_safety_list_gives_the_date_of_the_answer_that_worsened_and_whole_scores(tmp_path):
    dataset = _folder(tmp_path, higher_is="better")
    answers = pd.read_csv(tmp_path / "hand.csv", dtype=str, keep_default_na=False)
    # Dates of our own: the "after" forms of r1 and r2 were answered on these days.
    dates = {("r1", "before"): "2024-01-10", ("r1", "after"): "2024-05-02",
             ("r2", "before"): "2024-01-11", ("r2", "after"): "2024-05-20",
             ("r3", "before"): "2024-01-12", ("r3", "after"): "2024-05-21",
             ("r4", "before"): "2024-01-13", ("r4", "after"): "2024-05-22"}
    answers.insert(2, "response_date", [dates[(p, w)] for p, w in
                                        zip(answers["participant_id"], answers["wave"],
                                            strict=True)])
    answers.to_csv(tmp_path / "hand.csv", index=False)
    dataset = evalkit.load(tmp_path)
    safety = outcomes.compute(dataset)["partner_safety_list"].sort_values("participant_id")
    # Higher is better here, so the falls of r1 (11 -> 6) and r2 (18 -> 13) worsened; the
    # answer that worsened is the "after" one.
    assert safety["answered"].tolist() == ["2024-05-02", "2024-05-20"]
    shown = Policy("internal").apply(safety.reset_index(drop=True),
                                     outcomes.ANALYSIS.spec("partner_safety_list"))
    assert shown.text["before"].tolist() == ["11", "18"]
    assert shown.text["after"].tolist() == ["6", "13"]
    html = render.table_html(shown, None, None)
    assert ">rc<" not in html and ">latest score<" in html and ">latest answer<" in html


def test_a_long_run_of_missed_sessions_reads_as_its_first_and_last_date(weekly):
    table = attendance.follow_up_list(weekly, min_run=1).set_index("participant_id")
    # With min_run 1, Y's single missed session (2024-03-12) counts; U's weeks 3 and 5 stay one
    # run of two (week 4 was cancelled, so it does not break the run).
    assert table.loc["Y", "missed_dates"] == "2024-03-12"
    assert table.loc["U", "missed_dates"] == "2024-03-18, 2024-04-01"


def test_dates_of_a_run():
    # Three or more missed sessions read as "first to last"; one or two as the dates.
    assert attendance._dates_of_run(pd.Series(["2024-01-01", "2024-01-08", "2024-01-15"])) == \
        "2024-01-01 to 2024-01-15"
    assert attendance._dates_of_run(pd.Series(["2024-01-01"])) == "2024-01-01"
