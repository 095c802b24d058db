from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from tests.conftest import SAMPLE

import evalkit
from evalkit.cli import main
from evalkit.errors import DataValidationError, EvalkitError
from evalkit.io.contracts import CONTRACTS


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_sample_loads_with_typed_columns():
    ds = evalkit.load(SAMPLE)
    assert set(ds.present) == set(CONTRACTS)
    assert isinstance(ds.attendance["status"].dtype, pd.CategoricalDtype)
    assert list(ds.attendance["status"].cat.categories) == list(
        CONTRACTS["attendance"].column("status").categories)
    assert ds.sessions["session_date"].dtype == "datetime64[ns]"
    assert isinstance(ds.participants["start_month"].dtype, pd.PeriodDtype)
    assert ds.stss["stss01"].dtype == "Int64"
    assert ds.sessions["cancelled"].dtype == "boolean"
    assert ds.practitioners["experience_band"].cat.ordered


def test_loading_never_modifies_input(sample_copy):
    before = _digest(sample_copy)
    evalkit.load(sample_copy)
    assert _digest(sample_copy) == before


def test_byte_order_mark_is_tolerated(sample_copy):
    path = sample_copy / "participants.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    ds = evalkit.load(sample_copy)
    assert "participant_id" in ds.participants.columns
    assert len(ds.participants) == len(evalkit.load(SAMPLE).participants)


def test_workbook_gives_the_same_tables_as_csv(sample_copy):
    from_csv = evalkit.load(sample_copy)
    with pd.ExcelWriter(sample_copy / "programme.xlsx") as writer:
        for path in sorted(sample_copy.glob("*.csv")):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            if path.stem == "sessions":  # Excel users type real dates and booleans
                frame["session_date"] = pd.to_datetime(frame["session_date"])
                frame["cancelled"] = frame["cancelled"] == "true"
            frame.to_excel(writer, sheet_name=path.stem, index=False)
    for path in sample_copy.glob("*.csv"):
        path.unlink()
    from_xlsx = evalkit.load(sample_copy)
    for name in CONTRACTS:
        pd.testing.assert_frame_equal(from_csv.tables[name], from_xlsx.tables[name],
                                      check_dtype=True, obj=name)


def test_absent_files_are_allowed(sample_copy):
    (sample_copy / "supervision.csv").unlink()
    (sample_copy / "accountability_events.csv").unlink()
    ds = evalkit.load(sample_copy)
    assert ds.supervision is None and not ds.has("accountability_events")
    summary = ds.summary().set_index("file")
    assert not summary.loc["supervision.csv", "present"]


def test_missing_and_empty_folders(tmp_path):
    with pytest.raises(EvalkitError, match="not found"):
        evalkit.load(tmp_path / "nope")
    # Issue 23: an empty folder is not "no problems": nothing in it could be checked.
    with pytest.raises(DataValidationError, match="holds none of evalkit's files"):
        evalkit.load(tmp_path)


def test_categories_are_case_insensitive_and_trimmed(sample_copy):
    path = sample_copy / "attendance.csv"
    frame = pd.read_csv(path, dtype=str)
    frame.loc[0, "status"] = " Attended "
    frame.to_csv(path, index=False)
    ds = evalkit.load(sample_copy)
    assert ds.attendance.loc[0, "status"] == "attended"


def test_error_lists_rows_in_spreadsheet_numbering(sample_copy):
    path = sample_copy / "practitioners.csv"
    frame = pd.read_csv(path, dtype=str)
    frame.loc[[0, 5], "role"] = "wizard"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as info:
        evalkit.load(sample_copy)
    problem = next(p for p in info.value.problems if p.column == "role")
    assert problem.rows == (2, 7) and problem.n_rows == 2
    assert "wizard" not in str(info.value)


def test_did_you_mean_for_a_misspelt_column(sample_copy):
    path = sample_copy / "sessions.csv"
    frame = pd.read_csv(path, dtype=str)
    frame.rename(columns={"programme_week": "program_week"}).to_csv(path, index=False)
    with pytest.raises(DataValidationError,
                       match=r"found 'program_week' \(column 4\): rename it to 'programme_week'"):
        evalkit.load(sample_copy)


def test_header_only_file_is_an_empty_table(sample_copy):
    path = sample_copy / "supervision.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    ds = evalkit.load(sample_copy)
    assert len(ds.supervision) == 0


def test_ragged_row_deep_in_a_large_file_is_numbered(tmp_path):
    """Rows are numbered as a spreadsheet shows them even when the file is parsed in blocks."""
    from evalkit.io.read import read_csv_file

    rows = [f"p{i:07d},c{i % 97:03d}-w01,attended" for i in range(120_000)]
    rows[100_000] += ",extra"
    path = tmp_path / "attendance.csv"
    path.write_text("participant_id,session_id,status\n" + "\n".join(rows) + "\n")
    raw = read_csv_file(path, path.name, CONTRACTS["attendance"])
    assert raw.table is None
    [problem] = raw.problems
    assert problem.rows == (100_002,) and "more fields than the header" in problem.rule


def test_workbook_sheet_without_header_is_refused_without_values(sample_copy):
    with pd.ExcelWriter(sample_copy / "programme.xlsx") as writer:
        for path in sorted(sample_copy.glob("*.csv")):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            frame.to_excel(writer, sheet_name=path.stem, index=False,
                           header=path.stem != "practitioners")
    for path in sample_copy.glob("*.csv"):
        path.unlink()
    with pytest.raises(DataValidationError) as info:
        evalkit.load(sample_copy)
    message = str(info.value)
    assert "sheet 'practitioners': the first row holds none of this file's column names" in message
    assert "s01" not in message


def test_raw_text_frame_keeps_the_header_as_written(sample_copy):
    from evalkit.io.read import read_raw

    path = sample_copy / "practitioners.csv"
    path.write_text(path.read_text().replace("practitioner_id", "Practitioner_ID", 1))
    raws, _ = read_raw(sample_copy)
    raw = next(r for r in raws if r.name == "practitioners")
    frame = raw.frame
    assert list(frame.columns)[0] == "Practitioner_ID"
    original = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert frame.to_numpy().tolist() == original.to_numpy().tolist()


def test_windows_line_ends_and_quoted_cells_load_the_same(sample_copy):
    path = sample_copy / "curriculum.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.to_csv(path, index=False, lineterminator="\r\n", quoting=1)  # every cell quoted
    pd.testing.assert_frame_equal(evalkit.load(sample_copy).curriculum,
                                  evalkit.load(SAMPLE).curriculum)


def test_a_line_break_inside_a_label_is_refused_not_misread(sample_copy):
    path = sample_copy / "practitioners.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[2, "site"] = "north\nside"
    frame.to_csv(path, index=False)
    dataset, problems = evalkit.validate_folder(sample_copy)
    # The quoted line break is one cell: rows keep their numbers, nothing shifts.
    assert len(pd.read_csv(path, dtype=str)) == len(dataset.practitioners)
    assert all("fields" not in p.rule for p in problems)


# --- issue 23 -------------------------------------------------------------------------------------


def _cr_only(folder, name):
    path = folder / f"{name}.csv"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))


@pytest.mark.parametrize("name", ["participants", "attendance", "curriculum"])
def test_old_mac_line_ends_load_the_same(sample_copy, name):
    """CR-only line ends (an old Mac CSV) ended in 'internal error' (exit 3)."""
    _cr_only(sample_copy, name)
    pd.testing.assert_frame_equal(evalkit.load(sample_copy).tables[name],
                                  evalkit.load(SAMPLE).tables[name])


def test_old_mac_line_ends_in_validate_and_pseudonymise(sample_copy, tmp_path, capsys):
    from evalkit.privacy.keys import write_key

    _cr_only(sample_copy, "participants")
    assert main(["validate", str(sample_copy)]) == 0
    key = write_key(tmp_path / "keys" / "k.key")
    assert main(["pseudonymise", str(sample_copy), str(tmp_path / "out"),
                 "--key-file", str(key)]) == 0
    assert len(evalkit.load(tmp_path / "out").participants) == 130


def test_a_missing_folder_exits_2_from_validate_as_from_report(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope")]) == 2
    assert "data folder not found" in capsys.readouterr().err


def test_unreadable_files_say_why_in_the_file_list(sample_copy, capsys):
    """Files that could not be read were listed as 'absent'."""
    frame = pd.read_csv(sample_copy / "curriculum.csv", dtype=str)
    frame.to_csv(sample_copy / "curriculum.csv", sep=";", index=False)
    path = sample_copy / "practitioners.csv"
    path.write_bytes(path.read_text().replace("north", "n\u00f6rth", 1).encode("cp1252"))
    assert main(["validate", str(sample_copy)]) == 1
    files = capsys.readouterr().out.split("Files:")[1].split("\n\n")[0]
    lines = {line.split()[0]: line for line in files.strip().splitlines()}
    assert "not read: the columns are separated by semicolons" in lines["curriculum.csv"]
    assert "not read: the file is not UTF-8 text" in lines["practitioners.csv"]
    assert "CSV UTF-8 (Comma delimited)" in lines["practitioners.csv"]
    assert "absent" not in files


def test_day_first_dates_are_named_and_not_counted_as_blank(sample_copy, capsys):
    frame = pd.read_csv(sample_copy / "sessions.csv", dtype=str)
    frame["session_date"] = pd.to_datetime(frame["session_date"]).dt.strftime("%d/%m/%Y")
    frame.to_csv(sample_copy / "sessions.csv", index=False)
    assert main(["validate", str(sample_copy)]) == 1
    out = capsys.readouterr().out
    assert "column 'session_date', rows 2, 3" in out
    assert "is written day first (DD/MM/YYYY); evalkit needs YYYY-MM-DD" in out
    assert "not a real date" not in out
    assert "session_date" not in out.split("Blank cells:")[1].split("Problems")[0]


def test_validate_accepts_a_period(capsys):
    assert main(["validate", "data/sample", "--period", "2019-01:2019-12"]) == 0
    out = capsys.readouterr().out
    assert "Period: 2019-01 to 2019-12" in out
    assert "sessions.csv                no rows in the period" in out
    assert main(["validate", "data/sample", "--period", "2000-01:2000-12"]) == 0
    out = capsys.readouterr().out
    assert "the period 2000-01 to 2000-12 holds no sessions, forms or events" in out
    assert main(["validate", "data/sample", "--period", "2019-13:2019-12"]) == 2


def _help(*command):
    from evalkit.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    return (sub[command[0]] if command else parser).format_help()


def test_help_describes_every_argument():
    report = " ".join(_help("report").split())
    assert "data folder to report on (default data/sample" in report
    assert "--audience {funder,research,internal} funder (default)" in report
    assert "also write report.pdf beside report.html" in report
    validate = " ".join(_help("validate").split())
    assert "data_dir data folder to check" in validate and "--period FROM:TO" in validate
    synth = " ".join(_help("synth").split())
    assert "Write a folder of invented data" in synth


def test_whole_numbers_beside_a_blank_are_written_as_whole_numbers(tmp_path):
    """A funder's count column with a withheld (blank) cell: 115, not 115.0."""
    from evalkit.io.writer import write_csv

    table = pd.DataFrame({"retained": pd.Series([115, float("nan"), "<5"], dtype=object),
                          "group": ["a", None, "=x"]})
    path = write_csv(table, tmp_path / "t.csv")
    assert path.read_text(encoding="utf-8").splitlines() == ["retained,group", "115,a", ",",
                                                             "<5,'=x"]
