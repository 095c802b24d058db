"""Load and validate a data folder.

:func:`load` reads every known file of a folder (CSV files, or one XLSX workbook with a sheet per
file), checks it against :mod:`evalkit.contracts` and the privacy guard, and returns a
:class:`Dataset` of typed DataFrames. All problems are collected before anything is raised, so the
user sees the whole list at once. Input files are only ever read.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ROWS_SHOWN, DataValidationError, Problem
from ..privacy import guard as privacy
from .contracts import CONTRACTS, DEMAND_EVENT_TYPES, ID_MAX_LENGTH, Column, FileContract
from .dataset import Dataset
from .read import RawFile, read_raw

ORDERED_CATEGORIES = {"age_band", "experience_band", "supervision_frequency", "wave"}
_INT_PATTERN = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_PATTERN = re.compile(r"^\d{4}-\d{2}$")
_TEXT_KINDS = ("id", "id_list", "label", "title")






# --- reading raw text ----------------------------------------------------------------------------












# --- checking one file ---------------------------------------------------------------------------


def _rows(mask: np.ndarray | pd.Series) -> tuple[tuple[int, ...], int]:
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    # Spreadsheet numbering: the header is row 1.
    return tuple(int(p) + 2 for p in positions[:ROWS_SHOWN]), int(positions.size)


class _Checker:
    """Collects problems for one file while converting its columns."""

    def __init__(self, label: str):
        self.label = label
        self.problems: list[Problem] = []

    def flag(self, column: str | None, mask, rule: str, severity: str = "error") -> None:
        rows, n = _rows(mask)
        if n:
            self.problems.append(Problem(self.label, column, rule, rows, n, severity))

    def note(self, column: str | None, rule: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.label, column, rule, severity=severity))


def _by_unique(values: pd.Series, check) -> np.ndarray:
    """Apply a per-value check to the distinct values only and spread the result back."""
    codes, uniques = pd.factorize(values)
    result = np.asarray(check(pd.Series(uniques, dtype=object)), dtype=bool)
    return result[codes] if len(codes) else np.zeros(0, bool)


def _convert(col: Column, text: pd.Series, check: _Checker, today: _dt.date) -> pd.Series:
    blank = (text == "").to_numpy()
    if not col.nullable:
        check.flag(col.name, blank, "is blank; a value is required")
    kind = col.kind

    if kind in ("id", "label", "title", "id_list"):
        email, phone = privacy.identifying_value_mask(text)
        check.flag(col.name, email, "looks like an email address; remove direct identifiers")
        check.flag(col.name, phone, "looks like a phone number; remove direct identifiers")
        if kind == "id":
            bad = _by_unique(text, lambda u: u.str.contains(r"\s", regex=True)
                             | (u.str.len() > ID_MAX_LENGTH))
            check.flag(col.name, bad & ~blank,
                       f"is not a valid id (no spaces, at most {ID_MAX_LENGTH} characters)")
        if kind == "id_list":
            bad = _by_unique(text, lambda u: u.map(_bad_id_list))
            check.flag(col.name, bad & ~blank,
                       "is not a list of ids joined by ';' (no spaces inside an id)")
        return text.where(~blank, None).astype("string")

    if kind == "category":
        lowered = text.str.lower()
        allowed = set(col.categories)
        bad = _by_unique(lowered, lambda u: ~u.isin(allowed)) & ~blank
        check.flag(col.name, bad, "is not one of: " + ", ".join(col.categories))
        dtype = pd.CategoricalDtype(list(col.categories), ordered=col.name in ORDERED_CATEGORIES)
        return lowered.where(~blank & ~bad, None).astype(dtype)

    if kind == "bool":
        lowered = text.str.lower()
        mapping = {"true": True, "false": False}
        bad = _by_unique(lowered, lambda u: ~u.isin(mapping)) & ~blank
        check.flag(col.name, bad, "is not true or false")
        return lowered.map(mapping).astype("boolean")

    if kind in ("int", "item"):
        return _convert_int(col, text, blank, check)

    if kind == "date":
        return _convert_date(col, text, blank, check, today, "%Y-%m-%d", _DATE_PATTERN, "YYYY-MM-DD")
    if kind == "month":
        return _convert_date(col, text, blank, check, today, "%Y-%m", _MONTH_PATTERN, "YYYY-MM")
    raise ValueError(f"unknown column kind {kind!r}")  # a contract bug, not a data problem


def _bad_id_list(value: str) -> bool:
    if value == "":
        return False
    parts = value.split(";")
    return any(not p.strip() or re.search(r"\s", p.strip()) or len(p.strip()) > ID_MAX_LENGTH
               for p in parts)


def _spread(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Values computed per distinct cell, spread back to every row."""
    return values[codes] if len(codes) else np.zeros(0, values.dtype)


def _convert_int(col: Column, text: pd.Series, blank: np.ndarray, check: _Checker) -> pd.Series:
    codes, uniques = pd.factorize(text)
    u = pd.Series(uniques, dtype="string")
    ok = u.str.match(_INT_PATTERN).fillna(False).astype(bool)
    parsed_u = pd.to_numeric(u.where(ok), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    parsed = _spread(parsed_u, codes)
    not_int = np.isnan(parsed) & ~blank
    lo, hi = col.minimum, col.maximum
    out_of_range = np.zeros(len(text), bool)
    if lo is not None:
        out_of_range |= parsed < lo
    if hi is not None:
        out_of_range |= parsed > hi
    if lo is not None and hi is not None:
        span = f"from {lo} to {hi}"
    elif lo is not None:
        span = f"of at least {lo}"
    else:
        span = f"of at most {hi}"
    check.flag(col.name, not_int, f"is not a whole number {span}")
    check.flag(col.name, out_of_range, f"is out of range: must be a whole number {span}")
    parsed[not_int | out_of_range] = np.nan
    return pd.Series(parsed, index=text.index).round().astype("Int64")


def _convert_date(col, text, blank, check, today, fmt, pattern, shape) -> pd.Series:
    codes, uniques = pd.factorize(text)
    u = pd.Series(uniques, dtype="string")
    ok = u.str.match(pattern).fillna(False).astype(bool)
    parsed_u = pd.to_datetime(u.where(ok), format=fmt, errors="coerce")
    # Check the range before converting to nanoseconds, which cannot hold years after 2262.
    too_late = (parsed_u > pd.Timestamp(today)).to_numpy()
    too_early = (parsed_u < pd.Timestamp("1900-01-01")).to_numpy()
    parsed_u = parsed_u.where(~(too_late | too_early)).astype("datetime64[ns]")
    parsed = pd.Series(_spread(parsed_u.to_numpy(), codes), index=text.index,
                       dtype="datetime64[ns]")
    future, ancient = _spread(too_late, codes), _spread(too_early, codes)
    invalid = parsed.isna().to_numpy() & ~blank & ~future & ~ancient
    check.flag(col.name, invalid, f"is not a real date in the form {shape}")
    check.flag(col.name, future, "is in the future")
    check.flag(col.name, ancient, "is before 1900")
    if fmt == "%Y-%m":
        return parsed.dt.to_period("M")
    return parsed


def _check_columns(contract: FileContract, raw: RawFile, check: _Checker) -> dict[str, str]:
    """Match the header to the contract; returns {contract column: header as written}."""
    header = {str(c).strip().lower(): str(c) for c in raw.frame.columns}
    known = set(contract.column_names)
    matched = {name: header[name] for name in contract.column_names if name in header}
    for written_key, written in header.items():
        if written_key in known:
            continue
        reason = privacy.identifier_column_reason(written)
        if reason:
            check.note(written, f"looks like {reason}; evalkit refuses direct identifiers and "
                       "free text: delete this column before loading")
    for col in contract.columns:
        if col.name in matched or not col.required:
            continue
        leftovers = [h for h in header if h not in known]
        hint = difflib.get_close_matches(col.name, leftovers, n=1, cutoff=0.6)
        if hint:
            check.note(col.name, f"required column is missing; did you mean '{header[hint[0]]}'?")
        else:
            check.note(col.name, "required column is missing")
    for written_key, written in header.items():
        if written_key not in known and not privacy.identifier_column_reason(written):
            close = difflib.get_close_matches(written_key, known, n=1, cutoff=0.6)
            if not close or close[0] in matched:
                check.note(written, "column ignored: not part of this file's contract",
                           severity="warning")
    return matched


def _check_file(contract: FileContract, raw: RawFile, today: _dt.date) -> tuple[pd.DataFrame | None, list[Problem]]:
    check = _Checker(raw.label)
    matched = _check_columns(contract, raw, check)
    structural_error = any(p.severity == "error" for p in check.problems)
    frame = raw.frame
    typed = {}
    for col in contract.columns:
        if col.name not in matched:
            typed[col.name] = pd.Series(pd.NA, index=frame.index, dtype="string")
            continue
        text = frame[matched[col.name]].str.strip()
        typed[col.name] = _convert(col, text, check, today)
    table = pd.DataFrame(typed)
    if contract.key and len(table) and all(k in matched for k in contract.key):
        codes = np.zeros(len(table), dtype=np.int64)
        for key_col in contract.key:
            c, u = pd.factorize(table[key_col])
            codes = codes * (len(u) + 1) + (c + 1)
        dup = pd.Series(codes).duplicated(keep=False).to_numpy()
        check.flag(", ".join(contract.key), dup,
                   "duplicate key: each (" + ", ".join(contract.key) + ") must appear once")
    if structural_error:
        # Columns are missing or refused: report what else is wrong, but hand back no table.
        return None, check.problems
    if contract.name == "accountability_events":
        needs_demand = table["event_type"].isin(DEMAND_EVENT_TYPES).to_numpy()
        check.flag("demand_id", needs_demand & table["demand_id"].isna().to_numpy(),
                   "is blank on a demand event; demand_set, demand_met and demand_refused need a demand_id")
    if contract.name == "sessions":
        dup = table.duplicated(["cohort_id", "programme_week"], keep=False).to_numpy()
        check.flag("programme_week", dup, "two sessions of one cohort share a programme_week")
    return table, check.problems


def _check_references(tables: dict[str, pd.DataFrame | None], labels: dict[str, str]) -> list[Problem]:
    problems = []
    for name, contract in CONTRACTS.items():
        table = tables.get(name)
        if table is None:
            continue
        for required in contract.requires:
            if required not in labels:
                problems.append(Problem(
                    labels[name], None,
                    f"needs {CONTRACTS[required].filename}, which is missing: "
                    "its ids refer to that file",
                ))
        for col in contract.columns:
            if col.references is None:
                continue
            parent_name, parent_col = col.references
            parent = tables.get(parent_name)
            if parent is None:
                continue
            known = pd.Index(parent[parent_col].dropna().unique())
            values = table[col.name]
            if col.kind == "id_list":
                def missing(u, known=known):
                    return u.map(lambda v: isinstance(v, str) and any(
                        p.strip() not in known for p in v.split(";") if p.strip()))
            else:
                def missing(u, known=known):
                    return ~u.isin(known) & u.notna()
            bad = _by_unique(values, missing)
            if bad.any():
                rows, n = _rows(bad)
                problems.append(Problem(
                    labels[name], col.name,
                    f"id not found in {CONTRACTS[parent_name].filename} ({parent_col})", rows, n,
                ))
    return problems


def validate_folder(data_dir: str | Path, today: _dt.date | None = None) -> tuple[Dataset, list[Problem]]:
    """Read and check a folder; returns the dataset (with what could be typed) and every problem.

    Use :func:`load` to get an error instead; this is what ``evalkit validate`` reports from.
    """
    today = today or _dt.date.today()
    raws, problems = read_raw(data_dir)
    tables: dict[str, pd.DataFrame | None] = dict.fromkeys(CONTRACTS)
    labels: dict[str, str] = {}
    for raw in raws:
        problems.extend(raw.problems)
        if raw.frame is None or not raw.name:
            continue
        labels[raw.name] = raw.label
        table, file_problems = _check_file(CONTRACTS[raw.name], raw, today)
        problems.extend(file_problems)
        tables[raw.name] = table
    problems.extend(_check_references(tables, labels))
    notices = [p for p in problems if p.severity != "error"]
    return Dataset(str(data_dir), tables, notices), problems


def load(data_dir: str | Path, today: _dt.date | None = None) -> Dataset:
    """Load and validate a data folder.

    Parameters
    ----------
    data_dir
        Folder of CSV files (``participants.csv``, ``attendance.csv``, ...) or of one XLSX workbook
        with a sheet per file. Every file is optional.
    today
        Dates after this day are refused (default: the real today).

    Returns
    -------
    Dataset
        Typed tables: categoricals for labels from fixed lists, real dates, nullable integers.

    Raises
    ------
    DataValidationError
        Listing every problem found: file, column, rows and the rule broken, never a value.

    Examples
    --------
    >>> ds = load("data/sample")  # run from the project folder
    >>> sorted(ds.attendance["status"].cat.categories)[:2]
    ['absent_notified', 'absent_unnotified']
    """
    dataset, problems = validate_folder(data_dir, today)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataValidationError(Path(data_dir).name or str(data_dir), problems)
    return dataset
