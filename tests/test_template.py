"""The data-entry workbook (``evalkit template``): exact headers, drop-down lists and checks from
the contracts, no data, never written over a file, and a filled-in copy that passes
``evalkit validate`` as it is and loads exactly as the CSV files do.
"""

from __future__ import annotations

import datetime as dt
import os

import openpyxl
import pandas as pd
import pytest

import evalkit
from evalkit.cli import main
from evalkit.data.quality import quality_report
from evalkit.data.template import README_SHEET, write_template
from evalkit.io.contracts import CONTRACTS

SAMPLE = "data/sample"


def _typed(value: str, kind: str):
    """A cell as someone typing into Excel would leave it: dates as dates, numbers as numbers."""
    if value == "":
        return None
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "month":
        return dt.date.fromisoformat(value + "-01")
    if kind in ("int", "item"):
        return int(value)
    if kind == "bool":
        return value == "true"
    return value


def _fill_with_the_sample(book_path):
    book = openpyxl.load_workbook(book_path)
    for name, contract in CONTRACTS.items():
        frame = pd.read_csv(f"{SAMPLE}/{name}.csv", dtype=str, keep_default_na=False)
        sheet = book[name]
        header = [c.value for c in sheet[1]]
        kinds = {c.name: c.kind for c in contract.columns}
        for row in frame.itertuples(index=False):
            values = dict(zip(frame.columns, row, strict=True))
            sheet.append([_typed(values.get(column, ""), kinds[column]) for column in header])
    book.save(book_path)


def test_one_sheet_per_file_with_the_exact_headers_and_no_data(tmp_path):
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    assert book.sheetnames == [README_SHEET, *CONTRACTS]
    for name, contract in CONTRACTS.items():
        sheet = book[name]
        assert [c.value for c in sheet[1]] == list(contract.column_names)
        assert sheet.max_row == 1  # the header only


def test_every_category_column_has_its_drop_down_list_and_dates_and_numbers_are_checked(tmp_path):
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    sessions = book["sessions"]
    rules = {str(r.sqref).split(":")[0]: r for r in sessions.data_validations.dataValidation}
    # sessions: D programme_week (whole, 1 or more), G session_date, H delivery_mode, J cancelled.
    assert rules["H2"].type == "list" and rules["H2"].formula1 == '"group,individual"'
    assert rules["J2"].type == "list" and rules["J2"].formula1 == '"true,false"'
    assert rules["G2"].type == "date" and rules["G2"].formula2 == "TODAY()"
    assert rules["D2"].type == "whole" and rules["D2"].formula1 == "1"
    for name, contract in CONTRACTS.items():
        lists = {str(r.sqref).split(":")[0]: r.formula1
                 for r in book[name].data_validations.dataValidation if r.type == "list"}
        for index, col in enumerate(contract.columns, start=1):
            if col.kind == "category":
                cell = f"{openpyxl.utils.get_column_letter(index)}2"
                assert lists[cell] == '"' + ",".join(col.categories) + '"', (name, col.name)
    # Items: whole numbers 1 to 5, blank allowed.
    item = next(r for r in book["stss"].data_validations.dataValidation
                if str(r.sqref).startswith("D2"))
    assert (item.type, item.formula1, item.formula2, item.allow_blank) == ("whole", "1", "5", True)


def test_the_read_me_describes_every_column(tmp_path):
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    rows = [tuple(c.value for c in row[:2]) for row in book[README_SHEET].iter_rows()]
    for name, contract in CONTRACTS.items():
        for col in contract.columns:
            assert (name, col.name) in rows


def test_a_filled_in_template_passes_validate_and_loads_like_the_csv_files(tmp_path):
    folder = tmp_path / "programme"
    folder.mkdir()
    book = write_template(folder / "programme.xlsx")
    _fill_with_the_sample(book)
    report = quality_report(folder)
    assert not report.errors, report.text()
    assert main(["validate", str(folder)]) == 0
    from_book, from_csv = evalkit.load(folder), evalkit.load(SAMPLE)
    for name in CONTRACTS:
        pd.testing.assert_frame_equal(getattr(from_book, name), getattr(from_csv, name),
                                      check_categorical=False)


def test_an_empty_template_is_a_valid_folder_with_nothing_in_it(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    write_template(folder / "programme.xlsx")
    assert not quality_report(folder).errors


def test_it_never_writes_over_a_file(tmp_path, capsys):
    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"the user's own workbook")
    assert main(["template", "--out", str(target)]) == 2
    assert target.read_bytes() == b"the user's own workbook"
    assert "already exists" in capsys.readouterr().err
    link = tmp_path / "link.xlsx"
    os.symlink(tmp_path / "nowhere.xlsx", link)
    assert main(["template", "--out", str(link)]) == 2
    assert not (tmp_path / "nowhere.xlsx").exists()
    # Nothing is left behind: no temporary file beside the target.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.xlsx", "mine.xlsx"]


def test_the_command_writes_a_new_file(tmp_path, capsys):
    assert main(["template", "--out", str(tmp_path / "new.xlsx")]) == 0
    assert (tmp_path / "new.xlsx").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.xlsx"]
    assert main(["template", "--out", str(tmp_path / "new.csv")]) == 2


@pytest.mark.parametrize("bad", ["ParticipantID"])
def test_a_changed_header_is_refused_by_validate(tmp_path, bad):
    folder = tmp_path / "changed"
    folder.mkdir()
    path = write_template(folder / "programme.xlsx")
    book = openpyxl.load_workbook(path)
    book["participants"]["A1"] = bad
    book["participants"].append(["p1", "north", "c1", "self", "25-34", dt.date(2024, 1, 1),
                                 "ongoing"])
    book.save(path)
    assert quality_report(folder).errors
