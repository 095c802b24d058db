"""Load and validate a data folder.

:func:`load` reads every known file of a folder (CSV files, or one XLSX workbook with a sheet per
file), checks it against :mod:`evalkit.io.contracts` and the privacy guard, and returns a frozen
:class:`~evalkit.data.dataset.Dataset` of typed DataFrames. All problems are collected before
anything is raised, so the user sees the whole list at once. Input files are only ever read.

How it stays fast: :mod:`.read` hands over every column as integer codes into its distinct cells.
Every check (blank, id shape, category, number, date, identifiers, references) runs once per
distinct cell and is spread back to rows only when something is wrong, so the cost grows with the
number of distinct values, not of rows; typed columns are built by gathering per-distinct results
with the codes.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ROWS_SHOWN, DataValidationError, Problem, printable
from ..io.contracts import (
    CONTRACTS,
    DEMAND_EVENT_TYPES,
    ID_MAX_LENGTH,
    INT_MAX_DIGITS,
    Column,
    FileContract,
)
from ..io.read import (
    INSTRUMENTS_FOLDER,
    RawFile,
    dictionary_parts,
    read_csv_file,
    read_workbook,
    scan_folder,
)
from ..privacy import guard as privacy
from .dataset import Dataset

ORDERED_CATEGORIES = {"age_band", "experience_band", "supervision_frequency", "wave"}
_INT_PATTERN = r"^[+-]?\d+(?:\.0*)?$"
_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_MONTH_PATTERN = r"^\d{4}-\d{2}$"
_DAY_FIRST = {"%Y-%m-%d": r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$", "%Y-%m": r"^\d{1,2}[/.-]\d{4}$"}
_DAY_FIRST_RULE = {
    "%Y-%m-%d": "is written day first (DD/MM/YYYY); evalkit needs YYYY-MM-DD: in Excel select "
                "the column, Format Cells, Custom, type yyyy-mm-dd, then save as CSV UTF-8",
    "%Y-%m": "is written month first (MM/YYYY); evalkit needs YYYY-MM: in Excel select the "
             "column, Format Cells, Custom, type yyyy-mm, then save as CSV UTF-8",
}
#: Reasons of the identifier guard meant for free labels only (an id is checked by its own rules).
_LABEL_ONLY_REASONS = frozenset(getattr(privacy, "LABEL_ONLY_REASONS", ()))
_TEXT_KINDS = ("id", "id_list", "label", "title")
_PLAUSIBLE_HEADER = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")
_STRING = pd.StringDtype("pyarrow")


# --- problems --------------------------------------------------------------------------------------


def _rows(mask: np.ndarray) -> tuple[tuple[int, ...], int]:
    positions = np.flatnonzero(mask)
    # Spreadsheet numbering: the header is row 1.
    return tuple(int(p) + 2 for p in positions[:ROWS_SHOWN]), int(positions.size)


class _Checker:
    """Collects problems for one file while converting its columns."""

    def __init__(self, label: str):
        self.label = label
        self.problems: list[Problem] = []

    def flag(self, column: str | None, mask: np.ndarray, rule: str,
             severity: str = "error") -> None:
        rows, n = _rows(mask)
        if n:
            self.problems.append(Problem(self.label, column, rule, rows, n, severity))

    def flag_values(self, column: str, bad: np.ndarray, text: _Text, rule: str) -> None:
        """Flag the rows whose distinct value is marked in ``bad`` (one flag per distinct value)."""
        if bad.any():
            self.flag(column, bad[text.codes], rule)

    def note(self, column: str | None, rule: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.label, column, rule, severity=severity))


# --- one column as distinct values -----------------------------------------------------------------


@dataclass
class _Text:
    """A column's cells, trimmed, as codes into its distinct values: ``values[codes]``."""

    codes: np.ndarray
    values: pa.Array  # distinct, trimmed strings
    _objects: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def of(cls, column: pa.ChunkedArray | None, n_rows: int) -> _Text:
        if column is None:  # an optional column the file does not have: every cell blank
            return cls(np.zeros(n_rows, np.int32), pa.array([""], pa.string()))
        codes, values = dictionary_parts(column)
        trimmed = pc.utf8_trim_whitespace(values)
        if pc.all(pc.equal(trimmed, values)).as_py() is not False:
            return cls(codes, values)  # nothing to trim: the values are distinct already
        encoded = pc.dictionary_encode(trimmed)
        if len(encoded.dictionary) < len(values):  # cells equal once trimmed share one code
            remap = encoded.indices.to_numpy(zero_copy_only=False)
            codes = remap[codes].astype(np.int32, copy=False)
        return cls(codes, encoded.dictionary)

    @property
    def objects(self) -> np.ndarray:
        if self._objects is None:
            self._objects = self.values.to_numpy(zero_copy_only=False).astype(object)
        return self._objects

    @property
    def blank(self) -> np.ndarray:
        """Per distinct value: is it blank."""
        return pc.equal(self.values, "").to_numpy(zero_copy_only=False)

    def rows(self, per_value: np.ndarray) -> np.ndarray:
        return per_value[self.codes] if len(self.codes) else per_value[:0]


def _identifiers(col: Column, text: _Text, check: _Checker,
                 mask: np.ndarray | None = None) -> None:
    """Refuse cells that look like direct identifiers (checking each distinct value once, or
    those marked in ``mask``)."""
    values = text.values if mask is None else text.values.filter(pa.array(mask))
    if not len(values):
        return
    found = privacy.identifying_distinct(values)
    for reason, hits in found.items():
        if (col.kind in ("id", "id_list") and reason in _LABEL_ONLY_REASONS
                and not col.checked_as_label):
            continue
        hits = np.asarray(hits, dtype=bool)
        if not hits.any():
            continue
        bad = np.zeros(len(text.values), bool)
        if mask is None:
            bad[:] = hits
        else:
            bad[np.flatnonzero(mask)[hits]] = True
        check.flag_values(col.name, bad, text, privacy.identifier_rule(reason))


# --- converting one column -------------------------------------------------------------------------


def _convert(col: Column, text: _Text, check: _Checker, today: _dt.date, n_rows: int):
    """The typed column (ids are typed later, once their categories are known)."""
    blank = text.blank
    if not col.nullable:
        check.flag_values(col.name, blank, text, "is blank; a value is required")
    kind = col.kind

    if kind in _TEXT_KINDS:
        if kind != "id" or col.references is None:
            # A referring id is checked against its parent file first (see _Ids).
            _identifiers(col, text, check)
        if kind == "id":
            bad = (pc.match_substring_regex(text.values, r"\s").to_numpy(zero_copy_only=False)
                   | (pc.utf8_length(text.values).to_numpy(zero_copy_only=False) > ID_MAX_LENGTH))
            check.flag_values(col.name, bad & ~blank, text,
                              f"is not a valid id (no spaces, at most {ID_MAX_LENGTH} characters)")
            return None
        if kind == "id_list":
            bad = np.fromiter((_bad_id_list(v) for v in text.objects), bool, len(text.objects))
            check.flag_values(col.name, bad & ~blank, text,
                              "is not a list of ids joined by ';' (no spaces inside an id)")
        values = pc.if_else(pa.array(blank), pa.scalar(None, pa.string()), text.values)
        return pd.array(pc.take(values, pa.array(text.codes)), dtype=_STRING)

    if kind in ("category", "bool"):
        lowered = pc.utf8_lower(text.values)
        labels = col.categories if kind == "category" else ("false", "true")
        position = pc.index_in(lowered, value_set=pa.array(labels, pa.string()))
        position = _small(position.fill_null(-1).to_numpy(zero_copy_only=False), len(labels))
        bad = (position < 0) & ~blank
        rule = "is not one of: " + ", ".join(col.categories) if kind == "category" \
            else "is not true or false"
        check.flag_values(col.name, bad, text, rule)
        codes = text.rows(position)
        if kind == "bool":
            return pd.arrays.BooleanArray(codes == 1, codes < 0)
        dtype = pd.CategoricalDtype(list(col.categories), ordered=col.name in ORDERED_CATEGORIES)
        return pd.Categorical.from_codes(codes, dtype=dtype)

    if kind in ("int", "item"):
        return _convert_int(col, text, blank, check)
    if kind == "date":
        return _convert_date(col, text, blank, check, today, "%Y-%m-%d", _DATE_PATTERN,
                             "YYYY-MM-DD")
    if kind == "month":
        return _convert_date(col, text, blank, check, today, "%Y-%m", _MONTH_PATTERN, "YYYY-MM")
    raise ValueError(f"unknown column kind {kind!r}")  # a contract bug, not a data problem


def _release() -> None:
    """Give memory that pyarrow freed back to the system, so that numpy can use it."""
    pa.default_memory_pool().release_unused()


def _small(position: np.ndarray, n_categories: int) -> np.ndarray:
    """Category positions in the integer type pandas keeps for that many categories (no copy
    of millions of codes inside ``Categorical.from_codes``)."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(dtype).max:
            return position.astype(dtype, copy=False)
    return position.astype(np.int64, copy=False)


def _bad_id_list(value: str) -> bool:
    if value == "":
        return False
    return any(not p.strip() or re.search(r"\s", p.strip()) or len(p.strip()) > ID_MAX_LENGTH
               for p in value.split(";"))


def _convert_int(col: Column, text: _Text, blank: np.ndarray, check: _Checker) -> pd.array:
    shaped = pc.match_substring_regex(text.values, _INT_PATTERN).to_numpy(zero_copy_only=False)
    parsed = np.full(len(text.values), np.nan)
    too_long = np.zeros(len(text.values), bool)
    for i in np.flatnonzero(shaped):
        digits = text.objects[i].split(".")[0].lstrip("+-").lstrip("0")
        if len(digits) > INT_MAX_DIGITS:  # whatever its sign, far outside any range
            too_long[i] = True
        else:
            parsed[i] = float(int(text.objects[i].split(".")[0]))
    lo, hi = col.minimum, col.maximum
    out_of_range = too_long.copy()
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
    not_int = ~shaped & ~blank
    check.flag_values(col.name, not_int, text, f"is not a whole number {span}")
    check.flag_values(col.name, out_of_range, text,
                      f"is out of range: must be a whole number {span}")
    parsed[not_int | out_of_range] = np.nan
    values = text.rows(parsed)
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


def _convert_date(col, text: _Text, blank, check, today, fmt, pattern, shape):
    shaped = pc.match_substring_regex(text.values, pattern).to_numpy(zero_copy_only=False)
    candidates = pd.Series(np.where(shaped, text.objects, None), dtype=object)
    parsed_u = pd.to_datetime(candidates, format=fmt, errors="coerce")
    # Check the range before converting to nanoseconds, which cannot hold years after 2262.
    too_late = (parsed_u > pd.Timestamp(today)).to_numpy()
    too_early = (parsed_u < pd.Timestamp("1900-01-01")).to_numpy()
    parsed_u = parsed_u.where(~(too_late | too_early)).astype("datetime64[ns]")
    invalid = parsed_u.isna().to_numpy() & ~blank & ~too_late & ~too_early
    # Dates typed or exported the British way (02/03/2024, 2.3.2024) are named as such: they
    # are dates, only written in another order.
    day_first = pc.match_substring_regex(text.values, _DAY_FIRST[fmt]).to_numpy(
        zero_copy_only=False) & invalid
    check.flag_values(col.name, day_first, text, _DAY_FIRST_RULE[fmt])
    check.flag_values(col.name, invalid & ~day_first, text,
                      f"is not a real date in the form {shape}")
    check.flag_values(col.name, too_late, text, "is in the future")
    check.flag_values(col.name, too_early, text, "is before 1900")
    if fmt == "%Y-%m":
        ordinals = parsed_u.dt.to_period("M").array.asi8
        return pd.arrays.PeriodArray(text.rows(ordinals), dtype=pd.PeriodDtype("M"))
    return text.rows(parsed_u.to_numpy(dtype="datetime64[ns]"))


# --- the header ------------------------------------------------------------------------------------


def _shown(cell: str) -> str | None:
    """A header cell as messages may show it, or None when it must be referred to by position.

    A header cell is shown only when it could be a column name: short, letters, digits, ``_``
    and ``-``, and not like any identifying value (a header row may really be a row of data).
    """
    cell = cell.strip()
    if not _PLAUSIBLE_HEADER.fullmatch(cell):
        return None
    found = privacy.identifying_values(pd.Series([cell], dtype=object))
    if any(hits.any() for hits in found.values()):
        return None
    return cell


def _where(cell: str, position: int) -> tuple[str | None, str]:
    """(column for the Problem, prefix for the rule) naming an unknown header cell safely."""
    shown = _shown(cell)
    if shown is not None:
        return shown, ""
    return None, f"column {position + 1} (its header is not shown): "


def _squashed(cell: str) -> str:
    return re.sub(r"[^a-z0-9]", "", cell.lower())


def _rename_hint(cell: str, position: int, name: str) -> str:
    """What was found instead of the column ``name``, and what to rename it to.

    A header cell is quoted when it is the column's name written another way (``Participant
    ID``) or could be a column name (:func:`_shown`); otherwise only its position is given.
    """
    spelt_otherwise = _squashed(cell) == _squashed(name) and len(cell.strip()) <= 2 * len(name)
    shown = cell.strip() if spelt_otherwise else _shown(cell)
    if shown is None:
        return (f"column {position + 1} (its header is not shown) looks like it: if it holds "
                f"{name}, rename its header to '{name}'")
    return f"found '{printable(shown)}' (column {position + 1}): rename it to '{name}'"


def _check_columns(contract: FileContract, raw: RawFile, check: _Checker) -> dict[str, int]:
    """Match the header to the contract; returns {contract column: position in the file}."""
    known = set(contract.column_names)
    keys = [cell.strip().lower() for cell in raw.header]
    matched: dict[str, int] = {}
    unknown: list[int] = []
    for position, key in enumerate(keys):
        if key in known:
            if key in matched:
                check.note(key, "the column appears more than once in the header; keep one")
            else:
                matched[key] = position
        else:
            unknown.append(position)
    refused = set()
    for position in unknown:
        reason = privacy.identifier_column_reason(raw.header[position])
        if reason:
            refused.add(position)
            column, prefix = _where(raw.header[position], position)
            check.note(column, f"{prefix}looks like {reason}; evalkit refuses direct identifiers "
                       "and free text: delete this column before loading")
    candidates = {keys[p]: p for p in unknown if p not in refused and keys[p]}
    hinted = set()
    for col in contract.columns:
        if col.name in matched or not col.required:
            continue
        hint = difflib.get_close_matches(col.name, list(candidates), n=1, cutoff=0.6)
        if hint:
            position = candidates[hint[0]]
            hinted.add(position)
            check.note(col.name, "required column is missing; "
                       + _rename_hint(raw.header[position], position, col.name))
        else:
            check.note(col.name, "required column is missing")
    for position in unknown:
        if position in refused or position in hinted:
            continue
        if not keys[position]:
            check.note(None, f"column {position + 1} has no header: column ignored",
                       severity="warning")
            continue
        close = difflib.get_close_matches(keys[position], known, n=1, cutoff=0.6)
        if close and close[0] not in matched:
            continue  # reported as a missing column above
        column, prefix = _where(raw.header[position], position)
        check.note(column, f"{prefix}column ignored: not part of this file's contract",
                   severity="warning")
    return matched


# --- one file --------------------------------------------------------------------------------------


@dataclass
class _Checked:
    """One file after its own checks: typed columns, and ids still as text."""

    contract: FileContract
    label: str
    n_rows: int
    texts: dict[str, _Text]
    typed: dict[str, object]
    usable: bool  # False when columns are missing or refused: no table is handed back


def _check_file(contract: FileContract, raw: RawFile, today: _dt.date,
                check: _Checker) -> _Checked:
    matched = _check_columns(contract, raw, check)
    usable = not any(p.severity == "error" for p in check.problems)
    texts: dict[str, _Text] = {}
    typed: dict[str, object] = {}
    n = raw.n_rows
    columns = raw.release()
    for col in contract.columns:
        if col.name not in matched and col.required:
            continue
        position = matched.get(col.name)
        texts[col.name] = _Text.of(None if position is None else columns[position], n)
        if position is not None:
            columns[position] = None  # free the parsed text of this column
            _release()
        typed[col.name] = _convert(col, texts[col.name], check, today, n)
    del columns
    if contract.key and n and all(k in texts for k in contract.key):
        dup = _duplicated([_key_codes(contract.column(k), texts[k], typed[k])
                           for k in contract.key])
        check.flag(", ".join(contract.key), dup,
                   "duplicate key: each (" + ", ".join(contract.key) + ") must appear once")
    if usable and contract.name == "accountability_events":
        event = typed["event_type"]
        needs_demand = np.asarray(event.isin(DEMAND_EVENT_TYPES))
        check.flag("demand_id", needs_demand & texts["demand_id"].rows(texts["demand_id"].blank),
                   "is blank on a demand event; demand_set, demand_met and demand_refused need "
                   "a demand_id")
    if usable and contract.name == "sessions" and n:
        dup = _duplicated([texts["cohort_id"].codes,
                           _key_codes(contract.column("programme_week"),
                                      texts["programme_week"], typed["programme_week"])])
        check.flag("programme_week", dup, "two sessions of one cohort share a programme_week")
    return _Checked(contract, raw.label, n, texts, typed, usable)


def _key_codes(col: Column, text: _Text, typed) -> np.ndarray:
    if col.kind in _TEXT_KINDS:
        return text.codes
    return pd.factorize(typed)[0]


def _duplicated(parts: list[np.ndarray]) -> np.ndarray:
    """Rows whose combination of codes occurs more than once.

    Codes are combined into one 64-bit key per row, in place (a register of millions of rows
    needs one key array, not one per step); sorting the keys shows whether any repeats, which is
    several times faster than hashing, and the rows are looked for only when one does.
    """
    def combined() -> np.ndarray:
        key = np.zeros(len(parts[0]), dtype=np.int64)
        for part in parts:
            width = int(part.max()) + 2 if len(part) else 1
            if key.size and int(key.max()) > (2**62) // width:
                key = pd.factorize(key)[0].astype(np.int64)
            key *= width
            np.add(key, part, out=key, casting="unsafe")
            key += 1
        return key

    key = combined()
    key.sort()
    repeats = key[1:][key[1:] == key[:-1]]
    if not repeats.size:
        return np.zeros(len(parts[0]), bool)
    return np.isin(combined(), np.unique(repeats))


# --- ids across files ------------------------------------------------------------------------------


def _domain(contract: FileContract, col: Column) -> tuple[str, str]:
    """Which id columns share categories: a referring id its parent's, others by name."""
    if col.references is not None:
        return col.references
    if contract.key == (col.name,):
        return (contract.name, col.name)
    return ("", col.name)


class _Ids:
    """Categories of id columns, shared along references, built file by file (parents first).

    An id column that refers to another file takes that file's categories; ids of the same name
    that refer to nothing (``cohort_id``) share one set, the sorted union of their values. Only
    an invalid folder (ids missing from their parent file) gives a referring column categories of
    its own: the parent's followed by the missing ids.
    """

    def __init__(self, checkers: dict[str, _Checker]):
        self.checkers = checkers
        self.categories: dict[tuple[str, str], pa.Array] = {}
        self.dtypes: dict[tuple[str, str], pd.CategoricalDtype] = {}
        self.members: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.tables: dict[str, dict[str, object]] = {}
        self.problems: list[tuple[int, int, Problem]] = []
        self.parents: set[tuple[str, str]] = set()  # domains whose categories are a parent's

    def _dtype(self, categories: pa.Array) -> pd.CategoricalDtype:
        index = pd.Index(pd.array(categories, dtype=pd.StringDtype("pyarrow", na_value=np.nan)))
        return pd.CategoricalDtype(index, ordered=False)

    def _missing(self, order: int, item: _Checked, col: Column, text: _Text,
                 missing: np.ndarray) -> None:
        if missing.any():
            rows, n = _rows(text.rows(missing))
            parent_file, parent_col = col.references
            filename = CONTRACTS[parent_file].filename if parent_file in CONTRACTS \
                else f"{parent_file}.csv"
            self.problems.append((order, item.contract.columns.index(col), Problem(
                item.label, col.name, f"id not found in {filename} ({parent_col})", rows, n)))

    def type_file(self, order: int, item: _Checked) -> None:
        """Type the id columns of a checked file and check its references."""
        check = self.checkers[item.contract.name]
        self.tables[item.contract.name] = item.typed
        for col in item.contract.columns:
            text = item.texts.get(col.name)
            if text is None:
                continue
            if col.kind == "id_list" and col.references is not None:
                known = self.categories.get(col.references)
                if known is not None:
                    known = set(known.to_pylist())
                    missing = np.fromiter(
                        (any(p.strip() not in known for p in v.split(";") if p.strip())
                         for v in text.objects), bool, len(text.objects))
                    self._missing(order, item, col, text, missing)
            if col.kind == "id":
                item.typed[col.name] = self._type(order, item, col, text, check)
                del item.texts[col.name]  # free its codes before the next id column is typed

    def _type(self, order: int, item: _Checked, col: Column, text: _Text,
              check: _Checker) -> pd.Categorical:
        domain = _domain(item.contract, col)
        known = self.categories.get(domain)
        blank = text.blank
        from_parent = col.references is not None and col.references in self.parents
        if known is None or not from_parent:
            if col.references is not None:  # the parent file is absent: check every id here
                _identifiers(col, text, check)
        if known is None:
            filled = np.flatnonzero(~blank)
            order = pc.sort_indices(text.values.filter(pa.array(~blank))).to_numpy(
                zero_copy_only=False)
            categories = pc.take(text.values, pa.array(filled[order]))
            self.categories[domain], self.dtypes[domain] = categories, self._dtype(categories)
            self.members[domain] = [(item.contract.name, col.name)]
            if domain == (item.contract.name, col.name):
                self.parents.add(domain)
            # Each distinct value's category is its rank in the sorted order: no look-up needed.
            rank = np.full(len(text.values), -1, dtype=np.int64)
            rank[filled[order]] = np.arange(len(order))
            position = _small(rank, len(categories))
            return pd.Categorical.from_codes(text.rows(position), dtype=self.dtypes[domain])
        found = pc.index_in(text.values, value_set=known)
        new = pc.is_null(found).to_numpy(zero_copy_only=False) & ~blank
        if from_parent:
            # Ids found in the parent file were checked for identifiers there.
            if new.any():
                _identifiers(col, text, check, mask=new)
            self._missing(order, item, col, text, new)
            if new.any():  # an invalid folder: keep the missing ids as extra categories
                extra = text.values.filter(pa.array(new))
                categories = pa.concat_arrays([known, pc.take(extra, pc.sort_indices(extra))])
                return self._codes(text, categories, self._dtype(categories))
            return self._codes(text, known, self.dtypes[domain], found)
        if new.any():  # the same kind of id in another file: widen the shared categories
            values = pa.concat_arrays([known, text.values.filter(pa.array(new))])
            categories = pc.take(values, pc.sort_indices(values))
            self.categories[domain], self.dtypes[domain] = categories, self._dtype(categories)
            for name, column in self.members[domain]:
                self.tables[name][column] = pd.Categorical(
                    self.tables[name][column], dtype=self.dtypes[domain])
        self.members[domain].append((item.contract.name, col.name))
        return self._codes(text, self.categories[domain], self.dtypes[domain])

    @staticmethod
    def _codes(text: _Text, categories: pa.Array, dtype: pd.CategoricalDtype,
               found: pa.Array | None = None) -> pd.Categorical:
        if found is None:
            found = pc.index_in(text.values, value_set=categories)
        position = found.fill_null(-1)
        position = _small(position.to_numpy(zero_copy_only=False), len(categories))
        return pd.Categorical.from_codes(text.rows(position), dtype=dtype)

    def reference_problems(self) -> list[Problem]:
        return [problem for _, _, problem in sorted(self.problems, key=lambda f: f[:2])]


# --- the folder ------------------------------------------------------------------------------------


def _find_instruments(folder: Path) -> tuple[dict, dict[str, FileContract], list[Problem]]:
    """The programme's own questionnaires: {name: Instrument}, their contracts, spec problems."""
    if not (folder / INSTRUMENTS_FOLDER).is_dir():
        return {}, {}, []
    from ..scales import custom  # imported only when needed: scales load the statistics stack

    found, problems = custom.find_instruments(folder)
    instruments, contracts = {}, {}
    spec_folder = f"{INSTRUMENTS_FOLDER}/"
    for instrument in found:
        label = f"{spec_folder}{instrument.name}.toml"
        if instrument.name in CONTRACTS:
            problems.append(Problem(label, None, "an instrument may not take the name of one of "
                                    "evalkit's own files; rename the spec and its CSV file"))
            continue
        if not (folder / f"{instrument.name}.csv").is_file():
            problems.append(Problem(label, None, f"the spec describes {instrument.name}.csv, which "
                                    "is not in the data folder: the questionnaire is left out",
                                    severity="warning"))
            continue
        instruments[instrument.name] = instrument
        contracts[instrument.name] = instrument.contract()
    return instruments, contracts, list(problems)


def _order(contracts: dict[str, FileContract]) -> list[str]:
    """File names with every referenced file before the files that refer to it."""
    done: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done or name in path or name not in contracts:
            return
        for col in contracts[name].columns:
            if col.references is not None:
                visit(col.references[0], (*path, name))
        done.append(name)

    for name in contracts:
        visit(name, ())
    return done


def validate_folder(data_dir: str | Path,
                    today: _dt.date | None = None) -> tuple[Dataset, list[Problem]]:
    """Read and check a folder; returns the dataset (with what could be typed) and every problem.

    Use :func:`load` to get an error instead; this is what ``evalkit validate`` reports from.

    Parameters
    ----------
    data_dir
        Folder of CSV files or of one XLSX workbook; may hold ``instruments/<name>.toml`` specs of
        the programme's own questionnaires, whose answers are in ``<name>.csv``.
    today
        Dates after this day are refused (default: the real today).

    Returns
    -------
    tuple of (Dataset, list of Problem)
        Files with missing or refused columns are absent from the Dataset; the problems hold
        errors and warnings (``severity``).

    Examples
    --------
    >>> dataset, problems = validate_folder("data/sample")
    >>> [p for p in problems if p.severity == "error"]
    []
    """
    today = today or _dt.date.today()
    folder = Path(data_dir)
    instruments, extra, problems = _find_instruments(folder)
    scan = scan_folder(folder, extra)
    problems = scan.problems + problems
    contracts = {**CONTRACTS, **extra}
    if scan.workbook is not None:
        sheets = list(read_workbook(scan.workbook))
        by_name = {raw.name: raw for raw in sheets if raw.name}
        listed = [raw.name or raw.label for raw in sheets]
        file_problems = {raw.name or raw.label: list(raw.problems) for raw in sheets}
    else:
        by_name = {}
        listed = list(scan.order)
        file_problems = {name: [] for name in listed}
    checkers: dict[str, _Checker] = {}
    ids = _Ids(checkers)
    labels: dict[str, str] = {}
    tables: dict[str, pd.DataFrame] = {}
    usable: dict[str, _Checked] = {}
    for order, name in enumerate(_order(contracts)):
        raw = by_name.pop(name, None)
        if raw is None and name in scan.csv_files:
            # Read one file at a time, just before it is checked, so that only one file's text
            # is ever held in memory.
            path = scan.csv_files[name]
            raw = read_csv_file(path, path.name, contracts[name])
            file_problems[name] = list(raw.problems)
        if raw is None or raw.table is None:
            continue
        labels[name] = raw.label
        checkers[name] = _Checker(raw.label)
        item = _check_file(contracts[name], raw, today, checkers[name])
        ids.type_file(order, item)
        item.texts.clear()  # the typed columns are all that is kept
        _release()
        if raw.n_rows == 0:
            checkers[name].note(None, "has a header but no rows: its analyses are left out",
                                severity="warning")
        if item.usable:
            usable[name] = item
    for name in listed:  # file by file, in the order the folder lists them
        problems.extend(file_problems[name])
        if name in checkers:
            problems.extend(checkers[name].problems)
    problems.extend(ids.reference_problems())
    for name in labels:
        for required in contracts[name].requires:
            if required not in labels:
                state = "could not be read" if required in listed else "is missing"
                problems.append(Problem(
                    labels[name], None,
                    f"needs {contracts[required].filename}, which {state}: "
                    "its ids refer to that file",
                ))
    for name, item in usable.items():
        # Built last: a shared id column may have been widened by a later file.
        tables[name] = pd.DataFrame({c.name: item.typed[c.name] for c in item.contract.columns
                                     if c.name in item.typed}, copy=False)
    notices = [p for p in problems if p.severity != "error"]
    dataset = Dataset(str(data_dir), {n: t for n, t in tables.items() if n in CONTRACTS}, notices,
                      instruments={n: i for n, i in instruments.items() if n in tables},
                      responses={n: t for n, t in tables.items() if n in instruments})
    return dataset, problems


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
        Typed tables: categoricals for ids and for labels from fixed lists, real dates, nullable
        integers.

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
