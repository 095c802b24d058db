"""Reading a data folder's files as text, before any checking."""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import EvalkitError, Problem
from .contracts import CONTRACTS


@dataclass
class RawFile:
    """One input file read as text, before validation."""

    name: str  # contract name
    label: str  # what messages call it: 'attendance.csv' or 'workbook.xlsx, sheet attendance'
    frame: pd.DataFrame | None
    problems: list[Problem]


def _read_csv_text(path: Path, label: str, name: str) -> RawFile:
    data = path.read_bytes()
    if not data.lstrip(b"\xef\xbb\xbf").strip():
        return RawFile(name, label, None, [Problem(label, None, "the file is empty (no header row)")])
    try:
        header = data.decode("utf-8-sig").splitlines()[0]
    except UnicodeDecodeError:
        return RawFile(
            name, label, None,
            [Problem(label, None, "the file is not UTF-8 text; save it as 'CSV UTF-8'")],
        )
    if "," not in header:
        for sep, word in ((";", "semicolons"), ("\t", "tabs")):
            if sep in header:
                return RawFile(
                    name, label, None,
                    [Problem(label, None, f"the columns are separated by {word}, not commas; "
                             "save the file as comma-separated CSV")],
                )
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_filter=False,
            encoding="utf-8-sig", skipinitialspace=False,
        )
    except pd.errors.ParserError as exc:
        # The parser's message names the line and field counts, never a value.
        match = re.search(r"line (\d+), saw (\d+)", str(exc))
        rule = "a row has more fields than the header"
        rows: tuple[int, ...] = ()
        if match:
            rows = (int(match.group(1)),)
            rule += f" ({match.group(2)} fields)"
        return RawFile(name, label, None, [Problem(label, None, rule, rows, len(rows))])
    return RawFile(name, label, frame, [])


def _excel_cell_text(value, kind: str | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime | pd.Timestamp | _dt.date):
        return value.strftime("%Y-%m" if kind == "month" else "%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_workbook(path: Path) -> Iterator[RawFile]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object, header=0, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise EvalkitError(
            f"{path.name}: the workbook could not be read ({exc.__class__.__name__}); "
            "save it again as .xlsx"
        ) from None
    by_name = {sheet.strip().lower(): sheet for sheet in sheets}
    unknown = [s for key, s in by_name.items() if key not in CONTRACTS]
    for sheet in unknown:
        label = f"{path.name}, sheet '{sheet}'"
        hint = difflib.get_close_matches(sheet.strip().lower(), CONTRACTS, n=1)
        if hint:
            yield RawFile("", label, None, [Problem(
                label, None, f"unknown sheet name; did you mean '{hint[0]}'?")])
        else:
            yield RawFile("", label, None, [Problem(
                label, None, "sheet ignored: not one of evalkit's files", severity="warning")])
    for name, contract in CONTRACTS.items():
        if name not in by_name:
            continue
        label = f"{path.name}, sheet '{by_name[name]}'"
        frame = sheets[by_name[name]]
        if frame.columns.size == 0:
            yield RawFile(name, label, None, [Problem(label, None, "the sheet is empty")])
            continue
        kinds = {c.name: c.kind for c in contract.columns}
        text = pd.DataFrame(
            {
                str(col).strip(): [_excel_cell_text(v, kinds.get(str(col).strip())) for v in frame[col]]
                for col in frame.columns
            },
            dtype=str,
        )
        yield RawFile(name, label, text, [])


def read_raw(data_dir: str | Path) -> tuple[list[RawFile], list[Problem]]:
    """Read every known file of a folder as text; returns the files and folder-level problems."""
    folder = Path(data_dir)
    if not folder.exists():
        raise EvalkitError(f"data folder not found: {folder}")
    if not folder.is_dir():
        raise EvalkitError(f"not a folder: {folder}")
    csvs = {p.name.lower(): p for p in sorted(folder.glob("*.csv")) if p.is_file()}
    workbooks = sorted(p for p in folder.glob("*.xlsx") if p.is_file() and not p.name.startswith("~$"))
    problems: list[Problem] = []
    raws: list[RawFile] = []
    if csvs and workbooks:
        problems.append(Problem(
            folder.name, None,
            "the folder holds both CSV files and a workbook; keep one or the other",
        ))
        return raws, problems
    if len(workbooks) > 1:
        problems.append(Problem(
            folder.name, None, "the folder holds more than one .xlsx workbook; keep one"))
        return raws, problems
    if workbooks:
        return list(_read_workbook(workbooks[0])), problems
    for filename, path in csvs.items():
        stem = filename[:-4]
        if stem in CONTRACTS:
            raws.append(_read_csv_text(path, path.name, stem))
            continue
        hint = difflib.get_close_matches(stem, CONTRACTS, n=1, cutoff=0.75)
        if hint:
            problems.append(Problem(path.name, None, f"unknown file name; did you mean '{hint[0]}.csv'?"))
        else:
            problems.append(Problem(
                path.name, None, "file ignored: not one of evalkit's files", severity="warning"))
    return raws, problems

