"""The bad-input corpus: malformed folders that `evalkit validate` must reject clearly.

Each case changes a copy of the sample in one way. For every case: exit status 1, the message names
the file, the column and the rows, never shows the offending value, and prints no traceback.
"""

from __future__ import annotations

import csv
import gzip
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import SAMPLE

from evalkit.cli import main

MARK = "Zq7Secret"  # a value that must never appear in any message


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def _write(folder: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")


def _set(folder, name, column, rows, value):
    frame = _read(folder, name)
    frame.loc[rows, column] = value
    _write(folder, name, frame)


@dataclass
class Case:
    id: str
    mutate: object  # callable(folder)
    file: str
    column: str | None
    rows: tuple[int, ...] = ()  # spreadsheet rows (header = 1) that must be named
    secret: str | None = None  # value that must not be echoed
    phrase: str | None = None  # words the message must hold
    status: int = 1  # exit status of evalkit validate


def _rename_column(old, new, name):
    def mutate(folder):
        _write(folder, name, _read(folder, name).rename(columns={old: new}))
    return mutate


def _drop_column(column, name):
    def mutate(folder):
        _write(folder, name, _read(folder, name).drop(columns=[column]))
    return mutate


def _add_column(column, value, name):
    def mutate(folder):
        frame = _read(folder, name)
        frame[column] = value
        _write(folder, name, frame)
    return mutate


def _setter(name, column, rows, value):
    return lambda folder: _set(folder, name, column, list(rows), value)


def _duplicate_row(name, row):
    def mutate(folder):
        frame = _read(folder, name)
        _write(folder, name, pd.concat([frame, frame.iloc[[row]]], ignore_index=True))
    return mutate


def _empty_file(name):
    return lambda folder: (folder / f"{name}.csv").write_bytes(b"")


def _semicolons(name):
    def mutate(folder):
        _read(folder, name).to_csv(folder / f"{name}.csv", index=False, sep=";")
    return mutate


def _workbook_without(sheet):
    def mutate(folder):
        with pd.ExcelWriter(folder / "programme.xlsx") as writer:
            for path in sorted(folder.glob("*.csv")):
                if path.stem != sheet:
                    pd.read_csv(path, dtype=str, keep_default_na=False).to_excel(
                        writer, sheet_name=path.stem, index=False)
        for path in folder.glob("*.csv"):
            path.unlink()
    return mutate


def _ragged(name):
    def mutate(folder):
        with open(folder / f"{name}.csv", "a", newline="") as handle:
            csv.writer(handle).writerow(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"])
    return mutate


def _short_row(name, row):
    """Cut the last fields off one data row (0-based), as a hand edit in a text editor might."""
    def mutate(folder):
        path = folder / f"{name}.csv"
        lines = path.read_text().splitlines()
        lines[row + 1] = ",".join(lines[row + 1].split(",")[:2])
        path.write_text("\n".join(lines) + "\n")
    return mutate


def _latin1(name):
    def mutate(folder):
        path = folder / f"{name}.csv"
        text = path.read_text(encoding="utf-8").replace("north", "n\u00f6rth", 1)
        path.write_bytes(text.encode("latin-1"))
    return mutate


def _without_header(name, first_row=None):
    """Save a file without its header row: its first row is data (optionally a planted one)."""
    def mutate(folder):
        frame = _read(folder, name)
        if first_row is not None:
            frame.iloc[0] = first_row[: frame.shape[1]]
        frame.to_csv(folder / f"{name}.csv", index=False, header=False, lineterminator="\n")
    return mutate


def _header_cell(name, position, cell):
    """Replace one header cell (0-based position) by ``cell``."""
    def mutate(folder):
        frame = _read(folder, name)
        columns = list(frame.columns)
        columns[position] = cell
        frame.columns = columns
        _write(folder, name, frame)
    return mutate


# A first row of data that names a person, as a header-less export from a case system would.
_PERSON_ROW = [f"{MARK} Smith", "07700 900123", "AB123456C", "SW1A 1AA", "1984-03-02",
               "someone@example.org", "x", "y", "z", "w"]


CASES = [
    Case("missing_column", _drop_column("status", "attendance"), "attendance.csv", "status"),
    Case("misspelt_column", _rename_column("participant_id", "partcipant_id", "participants"),
         "participants.csv", "participant_id"),
    Case("bad_category", _setter("attendance", "status", [4, 9], MARK), "attendance.csv",
         "status", (6, 11), MARK),
    Case("bad_referral_route", _setter("participants", "referral_route", [2], MARK),
         "participants.csv", "referral_route", (4,), MARK),
    Case("item_out_of_range_high", _setter("stss", "stss03", [0], "6"), "stss.csv", "stss03", (2,)),
    Case("item_out_of_range_zero", _setter("proqol", "pq11", [3], "0"), "proqol.csv", "pq11", (5,)),
    Case("item_not_integer", _setter("discomfort", "d05", [1], "2.5"), "discomfort.csv", "d05",
         (3,), "2.5"),
    Case("item_text", _setter("discomfort", "d07", [2], MARK), "discomfort.csv", "d07", (4,), MARK),
    Case("duplicate_key_attendance", _duplicate_row("attendance", 7), "attendance.csv",
         "participant_id, session_id", (9,)),
    Case("duplicate_participant", _duplicate_row("participants", 0), "participants.csv",
         "participant_id", (2,)),
    Case("duplicate_survey_wave", _duplicate_row("stss", 3), "stss.csv",
         "practitioner_id, wave", (5,)),
    Case("orphan_participant", _setter("attendance", "participant_id", [5], "p9999x"),
         "attendance.csv", "participant_id", (7,), "p9999x"),
    Case("orphan_session", _setter("delivery", "session_id", [0], "zz-w99"), "delivery.csv",
         "session_id", (2,), "zz-w99"),
    Case("orphan_practitioner", _setter("discomfort", "practitioner_id", [0], "s99x"),
         "discomfort.csv", "practitioner_id", (2,), "s99x"),
    Case("orphan_facilitator", _setter("sessions", "facilitator_ids", [3], "s01;s98x"),
         "sessions.csv", "facilitator_ids", (5,), "s98x"),
    Case("impossible_date", _setter("sessions", "session_date", [6], "2024-02-30"), "sessions.csv",
         "session_date", (8,), "2024-02-30"),
    Case("wrong_date_format", _setter("discomfort", "response_date", [0], "03/02/2024"),
         "discomfort.csv", "response_date", (2,), "03/02/2024"),
    Case("future_date", _setter("accountability_events", "event_date", [2], "2999-01-01"),
         "accountability_events.csv", "event_date", (4,), "2999-01-01"),
    Case("future_month", _setter("supervision", "month", [1], "2999-05"), "supervision.csv",
         "month", (3,), "2999-05"),
    Case("identifier_column", _add_column("client_surname", MARK, "participants"),
         "participants.csv", "client_surname", (), MARK),
    Case("free_text_column", _add_column("notes", MARK, "attendance"), "attendance.csv", "notes",
         (), MARK),
    Case("email_in_cell", _setter("participants", "cohort_id", [3], "someone@example.org"),
         "participants.csv", "cohort_id", (5,), "someone@example.org"),
    Case("phone_in_cell", _setter("practitioners", "site", [1], "+44 7700 900123"),
         "practitioners.csv", "site", (3,), "7700 900123"),
    Case("empty_file", _empty_file("sessions"), "sessions.csv", None),
    Case("semicolon_delimited", _semicolons("curriculum"), "curriculum.csv", None),
    Case("xlsx_missing_sheet", _workbook_without("sessions"), "attendance", None),
    Case("negative_minutes", _setter("delivery", "delivered_minutes", [4], "-57"), "delivery.csv",
         "delivered_minutes", (6,), "-57"),
    Case("minutes_too_large", _setter("delivery", "delivered_minutes", [1], "999"), "delivery.csv",
         "delivered_minutes", (3,), "999"),
    Case("blank_required", _setter("participants", "site", [7], ""), "participants.csv", "site",
         (9,)),
    Case("bad_boolean", _setter("sessions", "cancelled", [2], "maybe"), "sessions.csv",
         "cancelled", (4,), "maybe"),
    Case("id_with_space", _setter("practitioners", "practitioner_id", [0], "s 01"),
         "practitioners.csv", "practitioner_id", (2,)),
    Case("demand_without_id", _setter("accountability_events", "demand_id", [0], ""),
         "accountability_events.csv", "demand_id", (2,)),
    Case("ragged_row", _ragged("participants"), "participants.csv", None),
    Case("not_utf8", _latin1("practitioners"), "practitioners.csv", None),
    Case("unknown_file_name", lambda f: (f / "attendence.csv").write_text("a\n1\n"),
         "attendence.csv", None),
    Case("duplicate_header", _header_cell("participants", 6, "site"), "participants.csv",
         "site", (), None, "appears more than once"),
    Case("line_break_in_header", lambda f: (f / "sessions.csv").write_text(
        '"session\nid",cohort_id\nx,y\n'), "sessions.csv", None, (), None, "line break"),
    Case("short_row", _short_row("attendance", 1500), "attendance.csv", None, (1502,), None,
         "fewer fields than the header"),
    # Issue 11 item 6: a file without its header row; no cell of its first row may be shown.
    Case("no_header_participants", _without_header("participants", _PERSON_ROW),
         "participants.csv", None, (), MARK, "no header row"),
    Case("no_header_register", _without_header("attendance"), "attendance.csv", None, (),
         "p0001", "no header row"),
    Case("no_header_practitioners", _without_header("practitioners", _PERSON_ROW),
         "practitioners.csv", None, (), "AB123456C", "no header row"),
    # An unknown header cell is shown only when it could be a column name.
    Case("identifier_header_not_shown", _add_column(f"client surname {MARK}", "x", "participants"),
         "participants.csv", None, (), MARK, "column 8 (its header is not shown)"),
    Case("misspelt_header_not_shown", _header_cell("attendance", 2, "st@tus"),
         "attendance.csv", "status", (), "st@tus", "column 3 (its header is not shown) looks like it"),
    Case("header_cell_phone", _header_cell("sessions", 3, "07700 900123"), "sessions.csv",
         "programme_week", (), "07700 900123", "required column is missing"),
    # Issue 11 item 9: huge whole numbers give the out-of-range problem, never an overflow.
    Case("huge_programme_week", _setter("sessions", "programme_week", [3],
                                        "12345678901234567890123"),
         "sessions.csv", "programme_week", (5,), "12345678901234567890123", "out of range"),
    Case("huge_negative_minutes", _setter("delivery", "delivered_minutes", [2],
                                          "-99999999999999999999999"),
         "delivery.csv", "delivered_minutes", (4,), "99999999999999999999999", "out of range"),
    Case("huge_item", _setter("stss", "stss05", [1], "400000000000000000000000000000.0"),
         "stss.csv", "stss05", (3,), "400000000000000000000000000000", "out of range"),
    Case("huge_supervision_sessions", _setter("supervision", "sessions", [0], "9" * 40),
         "supervision.csv", "sessions", (2,), "9" * 40, "out of range"),
]


# --- issue 23: crashes, false all-clears, identifiers that got through, unclear messages --------


def _write_spec(text_of):
    """Put the sample's own instrument (its spec and answers) in the folder, the spec edited."""
    def mutate(folder):
        (folder / "instruments").mkdir()
        spec = (SAMPLE / "instruments" / "partner_safety.toml").read_text()
        (folder / "instruments" / "partner_safety.toml").write_text(text_of(spec))
    return mutate


def _remove_all(folder):
    for path in folder.iterdir():
        path.unlink()


def _replace_file(name, make):
    def mutate(folder):
        (folder / f"{name}.csv").unlink()
        make(folder / f"{name}.csv")
    return mutate


def _workbook(sheets):
    """A folder holding only a workbook with these sheets: {sheet name: (file, rows)}."""
    def mutate(folder):
        frames = {sheet: _read(folder, name) for sheet, name in sheets.items()}
        _remove_all(folder)
        with pd.ExcelWriter(folder / "programme.xlsx") as writer:
            for sheet, frame in frames.items():
                frame.to_excel(writer, sheet_name=sheet, index=False)
    return mutate


def _cp1252(name):
    def mutate(folder):
        path = folder / f"{name}.csv"
        path.write_bytes(path.read_text().replace("north", "n\u00f6rth \u20ac", 1)
                         .encode("cp1252"))
    return mutate


def _day_first_dates(name, column):
    def mutate(folder):
        frame = _read(folder, name)
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%d/%m/%Y")
        _write(folder, name, frame)
    return mutate


def _rename_everywhere(old, new):
    def mutate(folder):
        for path in folder.glob("*.csv"):
            path.write_text(path.read_text().replace(old, new))
    return mutate


SHEETS = {name: name for name in ("participants", "sessions", "attendance")}

CASES += [
    # Without item labels (whose count would not match), as in the attack: the old code then
    # built 100 million item columns (12.8 GB).
    Case("spec_items_huge", _write_spec(lambda t: re.sub(
        r"item_labels = \[.*?\]\n", "", t.replace("items = 8", "items = 100000000"),
        flags=re.S)),
         "instruments/partner_safety.toml", None, (), None, "at most 200"),
    Case("spec_answer_range_huge", _write_spec(lambda t: t.replace("max = 4", "max = 10**9")
                                                .replace("max = 10**9", "max = 1000000000")),
         "instruments/partner_safety.toml", None, (), None, "from -1000 to 1000"),
    Case("spec_many_waves", _write_spec(lambda t: t.replace(
        'waves = ["intake", "exit", "follow_up"]',
        "waves = [" + ", ".join(f'"w{i}"' for i in range(500)) + "]")),
         "instruments/partner_safety.toml", None, (), None, "at most 20"),
    Case("empty_folder", _remove_all, "data", None, (), None, "holds none of evalkit's files"),
    Case("workbook_sheet1_only", _workbook({"Sheet1": "participants"}), "programme.xlsx", None,
         (), "p0001", "none of evalkit's sheets"),
    Case("folder_named_like_a_file", _replace_file("participants", lambda p: p.mkdir()),
         "participants.csv", None, (), None, "is a folder, not a file"),
    Case("broken_link", _replace_file("participants",
                                      lambda p: p.symlink_to(p.parent / "gone.csv")),
         "participants.csv", None, (), None, "link to a file that does not exist"),
    Case("two_sheets_one_file", _workbook({"participants": "participants",
                                           "Participants ": "participants"}),
         "programme.xlsx", None, (), "p0001",
         "sheets 'participants' and 'Participants ' are both read as participants"),
    Case("nul_in_label", _setter("practitioners", "site", [2], f"north\x00{MARK}"),
         "practitioners.csv", "site", (4,), MARK, "hidden characters"),
    Case("zero_width_in_label", _setter("participants", "site", [5], "nor\u200bth"),
         "participants.csv", "site", (7,), "nor\u200bth", "hidden characters"),
    Case("bidi_in_label", _setter("sessions", "module", [1], f"\u202e{MARK}"),
         "sessions.csv", "module", (3,), MARK, "hidden characters"),
    Case("zero_width_in_id", _setter("practitioners", "practitioner_id", [0], "s0\u200b1"),
         "practitioners.csv", "practitioner_id", (2,), "s0\u200b1", "hidden characters"),
    Case("sheet_name_with_a_phone", _workbook({**SHEETS, f"{MARK} 07700 900123": "sessions"}),
         "programme.xlsx, sheet 4", None, (), "07700 900123", "sheet ignored", status=0),
    Case("cohort_id_with_a_date_of_birth",
         _rename_everywhere(",c01,", ",SMITH_J_1984-03-02,"), "participants.csv", "cohort_id",
         (2, 3), "SMITH_J_1984-03-02", "looks like a full date"),
    Case("cohort_id_with_a_name_and_date", _rename_everywhere(",c02,", ",JaneDoe-2023-01-09,"),
         "sessions.csv", "cohort_id", (), "JaneDoe-2023-01-09", "looks like a full date"),
    Case("misspelt_header_wording",
         _rename_column("referral_route", "referal_route", "participants"), "participants.csv",
         "referral_route", (), None, "found 'referal_route' (column 4): rename it to "
         "'referral_route'"),
    Case("header_with_a_space", _rename_column("participant_id", "Participant ID", "participants"),
         "participants.csv", "participant_id", (), None,
         "found 'Participant ID' (column 1): rename it to 'participant_id'"),
    Case("not_utf8_cp1252", _cp1252("practitioners"), "practitioners.csv", None, (), None,
         "save it again as 'CSV UTF-8 (Comma delimited)'"),
    Case("uk_dates", _day_first_dates("sessions", "session_date"), "sessions.csv",
         "session_date", (2, 3), None, "is written day first (DD/MM/YYYY)"),
    Case("workbook_and_a_csv", lambda f: _workbook(SHEETS)(f) or _write(
        f, "stss", _read(SAMPLE, "stss")), "data", None, (), None,
         "(programme.xlsx) and CSV files (stss.csv)"),
]
# Further attacks of our own (issue 23).
CASES += [
    Case("huge_cell", _setter("practitioners", "site", [0], MARK + "x" * 3_000_000),
         "practitioners.csv", None, (), MARK, "a cell is far too long"),
    Case("header_longer_than_64_kb", _add_column("x" * 70_000, "1", "curriculum"),
         "curriculum.csv", None, (), "x" * 100, "the first row is longer than 64 KB"),
    Case("escape_in_a_file_name", lambda f: (f / "\x1b[2Jattendence.csv").write_text("a\n1\n"),
         "\\x1b[2Jattendence.csv", None, (), "\x1b", "rename it to 'attendance.csv'"),
    Case("utf16_file", lambda f: (f / "stss.csv").write_bytes(
        (f / "stss.csv").read_text().encode("utf-16")), "stss.csv", None, (), None,
         "is not UTF-8 text"),
    Case("compressed_file", lambda f: (f / "stss.csv").write_bytes(
        gzip.compress((f / "stss.csv").read_bytes())), "stss.csv", None, (), None,
         "is not UTF-8 text"),
    Case("link_loop", _replace_file("participants", lambda p: p.symlink_to(p.name)),
         "participants.csv", None, (), None, "is a link to a file that does not exist"),
]
# Identifiers written in ways that got through before (issue 23), in a label column.
_VARIANTS = ["07700.900.123", "07700/900123", "44 7700 900123", "AB-12-34-56-C",
             "943.476.5919", "19840302", "02.03.84", "john@ex\u00e4mple.org"]
CASES += [Case(f"identifier_variant_{i}", _setter("practitioners", "site", [3], value),
               "practitioners.csv", "site", (5,), value, "looks like")
          for i, value in enumerate(_VARIANTS)]
# A site named by a street address or after a person (issue 20): the funder report prints
# site labels, so they pass the guard before anything else.
CASES += [Case("site_is_a_street_address", _setter("participants", "site", [4], "12 High Street"),
               "participants.csv", "site", (6,), "High Street", "looks like a street address"),
          Case("site_is_a_titled_name", _setter("practitioners", "site", [1], "Mrs Patel"),
               "practitioners.csv", "site", (3,), "Patel", "looks like a person's name")]
# Column names that were only ignored, now refused (issue 23).
_NAMES = ["mob_no", "nat_ins_no", "bday", "pc", "house_no", "reason_text", "alias", "aka",
          "known_as", "keyworker", "victim", "IP", "geo", "prisoner_no", "custody_ref"]
CASES += [Case(f"identifier_column_{name}", _add_column(name, MARK, "participants"),
               "participants.csv", name, (), MARK, "evalkit refuses direct identifiers")
          for name in _NAMES]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_rejects_clearly(case: Case, sample_copy: Path, capsys):
    case.mutate(sample_copy)
    before = {p.name: p.read_bytes() for p in sample_copy.iterdir() if p.is_file()}
    status = main(["validate", str(sample_copy)])
    out, err = capsys.readouterr()
    text = out + err
    assert status == case.status, text
    problems = text.split("Problems (", 1)[-1] if "Problems (" in text else text
    assert case.file in problems, problems
    if case.column:
        assert f"'{case.column}'" in problems, problems
    for row in case.rows:
        assert f"row {row}" in problems or f", {row}" in problems or f"rows {row}" in problems, problems
    if case.phrase:
        assert case.phrase in problems, problems
    if case.secret:
        assert case.secret not in text
    assert "Traceback" not in text
    # Validation reads and never writes.
    assert {p.name: p.read_bytes() for p in sample_copy.iterdir() if p.is_file()} == before


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


def test_command_line_prints_no_traceback(sample_copy: Path):
    _setter("attendance", "status", [0], MARK)(sample_copy)
    done = subprocess.run([sys.executable, "-m", "evalkit.cli", "validate", str(sample_copy)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "attendance.csv, column 'status', row 2" in done.stdout
    assert MARK not in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_all_problems_reported_together(sample_copy: Path, capsys):
    _setter("attendance", "status", [0], MARK)(sample_copy)
    _setter("stss", "stss01", [0], "9")(sample_copy)
    _drop_column("site", "practitioners")(sample_copy)
    assert main(["validate", str(sample_copy)]) == 1
    out = capsys.readouterr().out
    assert "attendance.csv, column 'status'" in out
    assert "stss.csv, column 'stss01'" in out
    assert "practitioners.csv, column 'site'" in out


def test_row_list_is_truncated_to_ten(sample_copy: Path, capsys):
    _setter("attendance", "status", range(0, 30), MARK)(sample_copy)
    main(["validate", str(sample_copy)])
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "column 'status'" in ln)
    assert "and 20 more (30 in all)" in line
    assert line.count(",") < 16


def test_ignored_header_cells_are_shown_only_when_they_could_be_names(sample_copy, capsys):
    """Issue 11 item 6: warnings about extra columns never print a header cell that may be data."""
    frame = _read(sample_copy, "participants")
    frame["someone@example.org"] = "x"
    frame[f"{MARK} Smith"] = "x"
    frame["cohort_size"] = "x"
    _write(sample_copy, "participants", frame)
    assert main(["validate", str(sample_copy)]) == 0
    out = capsys.readouterr().out
    assert "someone@example.org" not in out and MARK not in out
    assert "participants.csv: column 8 (its header is not shown): column ignored" in out
    assert "participants.csv: column 9 (its header is not shown): column ignored" in out
    assert "participants.csv, column 'cohort_size': column ignored" in out


def test_header_only_files_pass_with_a_warning(sample_copy, capsys):
    """Issue 11 item 10: a register with a header and no rows is treated as absent, with a note."""
    for name in ("attendance", "delivery"):
        path = sample_copy / f"{name}.csv"
        path.write_text(path.read_text().splitlines()[0] + "\n")
    assert main(["validate", str(sample_copy)]) == 0
    out = capsys.readouterr().out
    assert "attendance.csv: has a header but no rows: its analyses are left out" in out
    assert "delivery.csv: has a header but no rows: its analyses are left out" in out


def test_labels_with_dollar_signs_reach_charts_as_plain_text(sample_copy, monkeypatch):
    """A site called 'north $\\q$ east' passed validate, then mathtext failed on it in a chart."""
    import matplotlib.pyplot as plt

    from evalkit.publish import charts, page

    site = r"north $\q$ east"
    for name in ("participants", "practitioners", "sessions"):
        frame = _read(sample_copy, name)
        frame["site"] = frame["site"].replace("north", site)
        _write(sample_copy, name, frame)
    assert main(["validate", str(sample_copy)]) == 0
    drawn = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    original = plt.Figure.savefig

    def savefig(figure, *args, **kwargs):
        drawn.extend(t.get_text() for ax in figure.axes for t in ax.get_yticklabels())
        return original(figure, *args, **kwargs)

    monkeypatch.setattr(plt.Figure, "savefig", savefig)
    sheet = page.Page(sample_copy, audience="internal")
    attendance = sheet.run("attendance")
    sheet.chart(charts.rate_by_group, attendance["attendance_by_group"], factor="site")
    assert any(site in label for label in drawn), drawn
