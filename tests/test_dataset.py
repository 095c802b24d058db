"""The frozen, typed Dataset: copies out, shared id categories, header-only files, reporting
periods and a programme's own questionnaires.

Expected values are worked by hand from the small folders written here (see the comments), or
computed independently of evalkit with plain pandas merges on the raw CSV text.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from tests.conftest import SAMPLE

import evalkit
from evalkit.analyses import attendance
from evalkit.cli import main
from evalkit.data.dataset import Dataset
from evalkit.errors import UsageError
from evalkit.io.contracts import CONTRACTS, Column, FileContract


def _write(folder, name, text):
    (folder / f"{name}.csv").write_text(text.strip() + "\n")


@pytest.fixture(scope="module")
def sample():
    return evalkit.load(SAMPLE)


# --- typed and frozen ------------------------------------------------------------------------------


def test_every_file_is_a_typed_property_and_there_is_no_getattr():
    for name in CONTRACTS:
        assert isinstance(getattr(Dataset, name), property), name
        assert "DataFrame" in Dataset.__dict__[name].fget.__annotations__["return"]
    assert "__getattr__" not in Dataset.__dict__


def test_dataset_cannot_be_changed(sample):
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample.sessions = sample.sessions  # type: ignore[misc]
    with pytest.raises(TypeError):
        sample.tables["sessions"] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        sample.instruments["x"] = None  # type: ignore[index]


def test_in_place_edit_of_a_returned_frame_changes_nothing(sample):
    before = attendance.attendance_summary(sample).set_index("metric")["value"]
    sessions = sample.sessions
    # Cancel every session of the first cohort in place, on the returned frame.
    first = sessions["cohort_id"] == sessions["cohort_id"].iloc[0]
    sessions.loc[first, "cancelled"] = True
    sessions["programme_week"] += 100
    assert sessions["cancelled"].sum() > sample.sessions["cancelled"].sum()
    fresh = pd.read_csv(SAMPLE / "sessions.csv", dtype=str, keep_default_na=False)
    assert int(sample.sessions["cancelled"].sum()) == int((fresh["cancelled"] == "true").sum())
    assert sample.sessions["programme_week"].max() == int(fresh["programme_week"].astype(int).max())
    after = attendance.attendance_summary(sample).set_index("metric")["value"]
    pd.testing.assert_series_equal(before, after)


def test_cancelling_sessions_gives_new_figures_without_a_stale_cache(sample):
    """Issue 14 item 9: cancelling sessions must change the rate at once (no cached register)."""
    attendance.attendance_summary(sample)  # anything a cache would have kept is made now
    sessions = sample.sessions
    first = sessions["cohort_id"] == sessions["cohort_id"].iloc[0]
    sessions.loc[first, "cancelled"] = True
    edited = sample.replace(sessions=sessions)
    figures = attendance.attendance_summary(edited).set_index("metric")["value"]
    # Independently: plain pandas on the raw text, with the same sessions cancelled.
    raw_sessions = pd.read_csv(SAMPLE / "sessions.csv", dtype=str, keep_default_na=False)
    raw_sessions["held"] = (raw_sessions["cancelled"] == "false") & (
        raw_sessions["cohort_id"] != raw_sessions["cohort_id"].iloc[0])
    register = pd.read_csv(SAMPLE / "attendance.csv", dtype=str, keep_default_na=False).merge(
        raw_sessions[["session_id", "held"]], on="session_id")
    held_rows = register[register["held"]]
    present = held_rows["status"].isin(["attended", "late", "left_early"])
    assert figures["participant_sessions"] == len(held_rows)
    assert figures["attendance_rate"] == pytest.approx(present.mean(), rel=1e-12)
    assert figures["participant_sessions"] < len(attendance.participant_sessions(sample))


def test_the_register_spans_the_dates_of_the_sessions_it_names(sample):
    # Read independently of the loader: the register of cohort c02 alone spans c02's sessions,
    # not every session in sessions.csv; curriculum.csv has no dates at all.
    raw_sessions = pd.read_csv(SAMPLE / "sessions.csv", dtype=str, keep_default_na=False)
    c02 = raw_sessions.loc[raw_sessions["cohort_id"] == "c02", ["session_id", "session_date"]]
    register = sample.attendance[sample.attendance["session_id"].astype(str).isin(c02["session_id"])]
    summary = sample.replace(attendance=register).summary().set_index("file")
    register_row = summary.loc["attendance.csv"]
    assert (register_row["first_date"], register_row["last_date"]) == (
        c02["session_date"].min(), c02["session_date"].max())
    assert c02["session_date"].max() < raw_sessions["session_date"].max()
    assert pd.isna(summary.loc["curriculum.csv", "first_date"])
    # A register whose sessions file is absent has no dates to borrow.
    assert pd.isna(sample.replace(sessions=None).summary().set_index("file").loc[
        "attendance.csv", "first_date"])


def test_replace_returns_a_new_dataset(sample):
    smaller = sample.replace(supervision=None)
    assert not smaller.has("supervision") and sample.has("supervision")
    assert smaller.source == sample.source and smaller.notices == sample.notices


# --- ids as shared categoricals --------------------------------------------------------------------


@pytest.mark.parametrize(("child", "column", "parent", "parent_column"), [
    ("attendance", "participant_id", "participants", "participant_id"),
    ("attendance", "session_id", "sessions", "session_id"),
    ("delivery", "session_id", "sessions", "session_id"),
    ("delivery", "exercise_id", "curriculum", "exercise_id"),
    ("discomfort", "practitioner_id", "practitioners", "practitioner_id"),
    ("stss", "practitioner_id", "practitioners", "practitioner_id"),
    ("proqol", "practitioner_id", "practitioners", "practitioner_id"),
    ("supervision", "practitioner_id", "practitioners", "practitioner_id"),
    ("sessions", "cohort_id", "participants", "cohort_id"),
])
def test_ids_share_their_parent_categories(sample, child, column, parent, parent_column):
    ids, parent_ids = sample.tables[child][column], sample.tables[parent][parent_column]
    assert isinstance(ids.dtype, pd.CategoricalDtype)
    assert ids.dtype == parent_ids.dtype
    assert ids.cat.categories is parent_ids.cat.categories
    # The codes are positions in the parent's categories: equal codes mean equal ids.
    raw = pd.read_csv(SAMPLE / f"{parent}.csv", dtype=str, keep_default_na=False)[parent_column]
    assert list(parent_ids.cat.categories) == sorted(set(raw))
    child_raw = pd.read_csv(SAMPLE / f"{child}.csv", dtype=str, keep_default_na=False)[column]
    assert list(ids.astype(str)) == list(child_raw)


def test_ids_of_a_folder_without_the_parent_file_have_their_own_categories(sample_copy):
    (sample_copy / "participants.csv").unlink()
    (sample_copy / "attendance.csv").unlink()
    (sample_copy / "sessions.csv").unlink()
    (sample_copy / "delivery.csv").unlink()
    ds = evalkit.load(sample_copy)
    raw = pd.read_csv(sample_copy / "stss.csv", dtype=str)["practitioner_id"]
    assert list(ds.stss["practitioner_id"].astype(str)) == list(raw)


# --- header-only files ------------------------------------------------------------------------------


def test_header_only_register_counts_as_absent(sample_copy, capsys):
    path = sample_copy / "attendance.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    ds = evalkit.load(sample_copy)
    assert not ds.has("attendance") and ds.has("participants")
    assert "attendance" not in ds.present
    assert len(ds.attendance) == 0 and list(ds.attendance.columns) == [
        c.name for c in CONTRACTS["attendance"].columns]
    summary = ds.summary().set_index("file")
    assert not summary.loc["attendance.csv", "present"]
    assert summary.loc["attendance.csv", "rows"] == 0
    notice = [p for p in ds.notices if p.file == "attendance.csv"]
    assert [p.rule for p in notice] == ["has a header but no rows: its analyses are left out"]
    assert main(["validate", str(sample_copy)]) == 0
    out = capsys.readouterr().out
    assert "attendance.csv: has a header but no rows: its analyses are left out" in out
    assert re.search(r"attendance\.csv +header only, no rows", out)


def test_header_only_file_without_a_line_end_is_read(sample_copy):
    path = sample_copy / "supervision.csv"
    path.write_text(path.read_text().splitlines()[0])
    ds = evalkit.load(sample_copy)
    assert not ds.has("supervision") and len(ds.supervision) == 0


# --- reporting periods -----------------------------------------------------------------------------


@pytest.fixture
def periods(tmp_path):
    """Sessions s1 (January), s2 and s3 (February), s4 (February, cancelled), s5 (March).

    Participants, for the period February 2024:
    A  c1, rows on s1 and s2                     -> kept (a row on s2)
    B  c1, a row on s1 only                      -> left out
    C  c2, started 2024-03, no rows              -> left out (started after the period)
    D  c1, no rows; c1 held s2                   -> kept
    E  c3, no rows; c3's only session s4 was cancelled -> left out
    F  c2, started 2024-02, a row on s3          -> kept
    G  c3, a row on the cancelled s4             -> kept (a row on a kept session)
    H  c4, a row on s5 (March) only              -> left out
    """
    _write(tmp_path, "participants", """
participant_id,site,cohort_id,referral_route,age_band,start_month,exit_reason
A,north,c1,probation,25-34,2024-01,ongoing
B,north,c1,self,35-44,2024-01,withdrew
C,north,c2,self,35-44,2024-03,ongoing
D,north,c1,other,unknown,2024-01,ongoing
E,south,c3,self,55+,2024-01,ongoing
F,north,c2,self,18-24,2024-02,ongoing
G,south,c3,self,18-24,2024-01,ongoing
H,south,c4,self,18-24,2024-01,ongoing
""")
    _write(tmp_path, "sessions", """
session_id,cohort_id,site,programme_week,module,module_session,session_date,delivery_mode,facilitator_ids,cancelled
s1,c1,north,1,m1,1,2024-01-10,group,f1,false
s2,c1,north,2,m1,2,2024-02-10,group,f1,false
s3,c2,north,1,m1,1,2024-02-20,group,f1,false
s4,c3,south,1,m1,1,2024-02-29,group,f1,true
s5,c4,south,1,m1,1,2024-03-01,group,f1,false
""")
    _write(tmp_path, "attendance", """
participant_id,session_id,status
A,s1,attended
A,s2,attended
B,s1,absent_unnotified
F,s3,late
G,s4,absent_notified
H,s5,attended
""")
    _write(tmp_path, "curriculum", """
module,module_session,session_title,exercise_id,exercise_title,planned_minutes,optional_exercise
m1,1,Opening,x1,First,30,false
""")
    _write(tmp_path, "delivery", """
session_id,exercise_id,delivered_minutes
s1,x1,30
s2,x1,25
s5,x1,30
""")
    _write(tmp_path, "practitioners", """
practitioner_id,site,gender,role,experience_band,supervision_frequency
f1,north,woman,facilitator,3-5,weekly
f2,north,man,facilitator,1-2,monthly
""")
    items = ",".join(["3"] * 13)
    _write(tmp_path, "discomfort", f"""
practitioner_id,wave,response_date,{",".join(f"d{i:02d}" for i in range(1, 14))}
f1,pre,2024-01-31,{items}
f1,post,2024-02-01,{items}
f2,pre,2024-02-29,{items}
f2,post,2024-03-01,{items}
""")
    _write(tmp_path, "supervision", """
practitioner_id,month,sessions,kind
f1,2023-12,1,individual
f1,2024-02,2,individual
f1,2024-03,3,individual
""")
    _write(tmp_path, "accountability_events", """
process_id,event_date,event_type,actor,demand_id
P1,2024-01-05,message_sent,contact_group,
P1,2024-02-03,response_received,responsible_person,
P1,2024-03-01,meeting_held,contact_group,
P2,2024-01-09,message_sent,contact_group,
P3,2024-03-02,message_sent,contact_group,
""")
    return evalkit.load(tmp_path)


def test_restrict_to_period_follows_the_documented_rules(periods):
    february = periods.restrict_to_period("2024-02", pd.Period("2024-02", "M"))
    assert february.period == (pd.Period("2024-02", "M"), pd.Period("2024-02", "M"))
    assert sorted(february.sessions["session_id"].astype(str)) == ["s2", "s3", "s4"]
    assert sorted(map(tuple, february.attendance[["participant_id", "session_id"]]
                      .astype(str).to_numpy())) == [("A", "s2"), ("F", "s3"), ("G", "s4")]
    assert sorted(february.participants["participant_id"].astype(str)) == ["A", "D", "F", "G"]
    assert february.delivery["session_id"].astype(str).tolist() == ["s2"]
    assert len(february.curriculum) == 1 and len(february.practitioners) == 2
    forms = february.discomfort[["practitioner_id", "wave"]].astype(str).to_numpy().tolist()
    assert forms == [["f1", "post"], ["f2", "pre"]]
    assert february.supervision["month"].astype(str).tolist() == ["2023-12", "2024-02"]
    events = february.accountability_events
    assert events["process_id"].astype(str).tolist() == ["P1", "P1"]
    assert events["event_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-05", "2024-02-03"]
    # The original is unchanged, and categories are kept.
    assert len(periods.sessions) == 5
    assert february.attendance["participant_id"].dtype == periods.participants[
        "participant_id"].dtype


def test_restrict_to_period_includes_both_ends_and_refuses_bad_months(periods):
    spring = periods.restrict_to_period("2024-01", "2024-03")
    assert len(spring.sessions) == 5 and len(spring.participants) == 7  # all but E
    with pytest.raises(UsageError, match="starts after it ends"):
        periods.restrict_to_period("2024-03", "2024-02")
    with pytest.raises(UsageError, match="YYYY-MM"):
        periods.restrict_to_period("March", "2024-02")


# --- a programme's own questionnaires --------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """Stands in for an instrument spec: what the data layer uses is its name and contract."""

    name: str

    def contract(self) -> FileContract:
        return FileContract(self.name, "A short wellbeing check.", (
            Column("participant_id", "id", "participant", references=("participants",
                                                                      "participant_id")),
            Column("wave", "category", "wave", ("start", "end")),
            Column("response_date", "date", "date", required=False, nullable=True),
            *(Column(f"i{k:02d}", "item", f"item {k}", minimum=0, maximum=4, nullable=True)
              for k in (1, 2, 3)),
        ), key=("participant_id", "wave"), optional=True)


@pytest.fixture
def own_instrument(sample_copy, monkeypatch):
    from evalkit.scales import custom

    (sample_copy / "instruments").mkdir()
    (sample_copy / "instruments" / "wellbeing.toml").write_text("# spec read by the stub\n")
    monkeypatch.setattr(custom, "find_instruments",
                        lambda folder: ([_Spec("wellbeing")], []))
    _write(sample_copy, "wellbeing", """
participant_id,wave,i01,i02,i03
p0001,start,0,4,2
p0001,end,1,,3
p0002,start,4,4,4
""")
    return sample_copy


def test_own_instrument_is_loaded_typed_and_linked(own_instrument):
    ds = evalkit.load(own_instrument)
    assert list(ds.instruments) == ["wellbeing"] and ds.has("wellbeing")
    answers = ds.responses("wellbeing")
    assert answers["i02"].tolist() == [4, pd.NA, 4]
    assert answers["i02"].dtype == "Int64"
    assert answers["participant_id"].dtype == ds.participants["participant_id"].dtype
    assert list(answers["wave"].cat.categories) == ["start", "end"]
    assert "response_date" in answers and answers["response_date"].isna().all()
    assert not [p for p in ds.notices if "wellbeing" in p.file or "instruments" in p.file]
    summary = ds.summary().set_index("file")
    assert summary.loc["wellbeing.csv", "rows"] == 3
    with pytest.raises(KeyError, match="no instrument named"):
        ds.responses("nothing")
    # Undated forms stay in any period; the register follows the period's rules.
    spring = ds.restrict_to_period("2024-03", "2024-05")
    assert len(spring.responses("wellbeing")) == 3
    assert spring.instruments == ds.instruments


def test_own_instrument_forms_are_restricted_by_their_dates(own_instrument):
    _write(own_instrument, "wellbeing", """
participant_id,wave,response_date,i01,i02,i03
p0001,start,2024-02-10,0,4,2
p0001,end,2024-05-01,1,,3
p0002,start,,4,4,4
""")
    ds = evalkit.load(own_instrument)
    spring = ds.restrict_to_period("2024-03", "2024-05")
    kept = spring.responses("wellbeing")[["participant_id", "wave"]].astype(str)
    assert kept.to_numpy().tolist() == [["p0001", "end"], ["p0002", "start"]]


def test_own_instrument_answers_are_checked_like_any_file(own_instrument, capsys):
    _write(own_instrument, "wellbeing", """
participant_id,wave,i01,i02,i03
p0001,start,0,9,2
p9999,end,1,,3
p0001,start,4,4,4
""")
    assert main(["validate", str(own_instrument)]) == 1
    out = capsys.readouterr().out
    assert "wellbeing.csv, column 'i02', row 2 (1 in all): is out of range" in out
    assert "wellbeing.csv, column 'participant_id', row 3 (1 in all): id not found in " \
           "participants.csv" in out
    assert "wellbeing.csv, column 'participant_id, wave', rows 2, 4" in out
    assert "p9999" not in out


def test_spec_without_answers_and_answers_without_spec(own_instrument, monkeypatch, capsys):
    from evalkit.scales import custom

    (own_instrument / "wellbeing.csv").rename(own_instrument / "wellbeing_2025.csv")
    monkeypatch.setattr(custom, "find_instruments", lambda folder: ([_Spec("wellbeing")], []))
    ds, problems = evalkit.validate_folder(own_instrument)
    rules = {p.file: p.rule for p in problems}
    assert "wellbeing.csv, which is not in the data folder" in rules["instruments/wellbeing.toml"]
    assert "no instrument spec instruments/wellbeing_2025.toml" in rules["wellbeing_2025.csv"]
    assert not ds.instruments
    assert all(p.severity == "warning" for p in problems)


def test_instrument_may_not_take_a_builtin_name(own_instrument, monkeypatch):
    from evalkit.scales import custom

    monkeypatch.setattr(custom, "find_instruments", lambda folder: ([_Spec("stss")], []))
    _, problems = evalkit.validate_folder(own_instrument)
    assert any("may not take the name" in p.rule for p in problems if p.severity == "error")


def test_top_level_exports():
    for name in ("load", "validate_folder", "Dataset", "EvalkitError", "DataValidationError",
                 "Problem", "UsageError"):
        assert name in evalkit.__all__ and hasattr(evalkit, name)
    assert "evalkit.data" in evalkit.__doc__ and "evalkit.publish" in evalkit.__doc__


def test_loaded_tables_use_little_memory(sample):
    """Ids are small integer codes, not one string object per row."""
    register = sample.attendance
    assert register["participant_id"].cat.codes.dtype.itemsize <= 2
    assert np.dtype(register["status"].cat.codes.dtype).itemsize == 1


def test_a_dataset_can_be_copied_and_pickled(sample):
    import copy
    import pickle

    for twin in (copy.deepcopy(sample), pickle.loads(pickle.dumps(sample))):
        assert twin.present == sample.present
        pd.testing.assert_frame_equal(twin.attendance, sample.attendance)


def test_frames_given_to_a_dataset_are_not_shared_with_the_caller(sample):
    sessions = sample.sessions
    edited = sample.replace(sessions=sessions)
    held = int((~edited.sessions["cancelled"]).sum())
    sessions.loc[:, "cancelled"] = True  # the caller keeps editing its own frame
    assert int((~edited.sessions["cancelled"]).sum()) == held > 0


def test_attendance_figures_do_not_depend_on_shared_categories(sample):
    """Tables built by hand (ids as plain text) give the same figures as loaded ones."""
    def as_text(frame, *columns):
        return frame.astype(dict.fromkeys(columns, "str"))

    by_hand = sample.replace(
        participants=as_text(sample.participants, "participant_id", "cohort_id"),
        sessions=as_text(sample.sessions, "session_id", "cohort_id"),
        attendance=as_text(sample.attendance, "participant_id", "session_id"))
    pd.testing.assert_frame_equal(attendance.attendance_summary(by_hand),
                                  attendance.attendance_summary(sample))
    pd.testing.assert_frame_equal(attendance.retention(attendance.participant_progress(by_hand)),
                                  attendance.retention(attendance.participant_progress(sample)))
    progress = attendance.participant_progress(by_hand)
    expected = attendance.participant_progress(sample)
    assert progress["scheduled"].tolist() == expected["scheduled"].tolist()
    assert progress["last_week_attended"].tolist() == expected["last_week_attended"].tolist()


def test_a_period_without_data_is_said_not_crashed_on():
    """Issue 23: --period 2019-01:2019-12 (no forms in it) failed in the outcome analysis
    (merging float against text on 'wave'); each analysis now says the period holds no rows."""
    from evalkit.analyses._base import registry
    from evalkit.publish.page import Page

    page = Page("data/sample", audience="funder", period="2019-01:2019-12")
    published = page.run("outcomes")
    assert published.note == ("needs partner_safety.csv, which has no rows in the period "
                              "2019-01 to 2019-12")
    reasons = {name: analysis.missing(page.dataset) for name, analysis in registry().items()}
    assert reasons["discomfort"] == ("needs discomfort.csv, which has no rows in the period "
                                     "2019-01 to 2019-12")
    assert reasons["secondary_trauma"].endswith("which have no rows in the period 2019-01 to "
                                                "2019-12")
    # Without a period, a missing file is only missing.
    assert registry()["discomfort"].missing(page.dataset.replace(discomfort=None)) == \
        "needs discomfort.csv"
