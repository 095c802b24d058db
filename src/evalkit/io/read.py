"""Reading a data folder's files as text, before any checking.

CSV files are parsed by pyarrow with every column read as text: nothing is converted or guessed
here (``01`` stays ``01``). Each column is dictionary-encoded while it is parsed, so a column holds
every distinct cell once plus one small integer per row; the checks in :mod:`.validate` then run
over the distinct cells only, whatever the number of rows. A workbook (one sheet per file) is read
with openpyxl and turned into the same text columns.

Nothing here ever puts a cell in a message: problems name the file, and spreadsheet rows where
they can (the header is row 1).
"""

from __future__ import annotations

import csv
import datetime as _dt
import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import EvalkitError, Problem, UsageError, printable
from .contracts import CONTRACTS, FileContract

#: The type every CSV column is read as: text, each distinct cell stored once.
TEXT = pa.dictionary(pa.int32(), pa.string())
_HEAD_BYTES = 1 << 16
_NOT_UTF8 = ("the file is not UTF-8 text (perhaps saved as Windows or Mac text); save it again as "
             "'CSV UTF-8 (Comma delimited)' (in Excel: File, Save As)")
_LINE_END = re.compile(rb"\r\n|\r|\n")
INSTRUMENTS_FOLDER = "instruments"


@dataclass
class RawFile:
    """One input file read as text, before validation.

    ``table`` holds one text column per header cell, named ``c0, c1, ...`` in header order (so a
    repeated or blank header cell is still a column of its own); ``header`` holds the header cells
    as written. Both are ``None``/empty when the file could not be read at all.

    Parameters
    ----------
    name
        The file's contract name (``"attendance"``); "" for a file that is not one of evalkit's.
    label
        What messages call it: ``"attendance.csv"`` or ``"workbook.xlsx, sheet 'attendance'"``.
    table
        The cells as dictionary-encoded text columns, or ``None`` when the file cannot be read.
    problems
        Why it could not be read (empty when it could).
    header
        The header cells as written.
    n_rows
        Rows below the header; set from ``table`` when one is given.

    Examples
    --------
    >>> raw = RawFile("practitioners", "practitioners.csv",
    ...               pa.table({"c0": ["p01", "p02"]}), [], ("practitioner_id",))
    >>> raw.n_rows, raw.frame.columns.tolist()
    (2, ['practitioner_id'])
    """

    name: str  # contract name
    label: str  # what messages call it: 'attendance.csv' or 'workbook.xlsx, sheet attendance'
    table: pa.Table | None
    problems: list[Problem]
    header: tuple[str, ...] = field(default=())

    n_rows: int = 0

    def __post_init__(self) -> None:
        if self.table is not None:
            self.n_rows = self.table.num_rows

    def column(self, position: int) -> tuple[np.ndarray, pa.Array]:
        """The column at ``position`` as ``(codes, values)``: ``values[codes]`` are the cells.

        Parameters
        ----------
        position
            The column's place in the header, from 0.

        Returns
        -------
        tuple of (ndarray, pyarrow.Array)
            Integer codes, one per row, and the distinct cells they point into.

        Examples
        --------
        >>> raw = RawFile("sessions", "sessions.csv", pa.table({"c0": ["a", "b", "a"]}), [])
        >>> codes, values = raw.column(0)
        >>> codes.tolist(), values.to_pylist()
        ([0, 1, 0], ['a', 'b'])
        """
        return dictionary_parts(self.table.column(position))

    def release(self) -> list[pa.ChunkedArray]:
        """Hand over the columns and forget the table.

        Each column's memory is then freed as soon as its caller drops it, so loading a large
        register never holds two copies.

        Returns
        -------
        list of pyarrow.ChunkedArray
            The columns in header order (empty when the file could not be read).

        Examples
        --------
        >>> raw = RawFile("sessions", "sessions.csv", pa.table({"c0": ["a", "b"]}), [])
        >>> len(raw.release()), raw.table
        (1, None)
        """
        columns = [] if self.table is None else list(self.table.columns)
        self.table = None
        return columns

    @property
    def frame(self) -> pd.DataFrame | None:
        """The cells as a text DataFrame with the header as written (for copying files through)."""
        if self.table is None:
            return None
        columns = {}
        for i in range(self.table.num_columns):
            codes, values = self.column(i)
            columns[i] = pc.take(values, pa.array(codes)).to_pandas()
        frame = pd.DataFrame(columns)
        frame.columns = list(self.header)
        return frame


def dictionary_parts(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Split a text column into integer codes and its distinct values (``values[codes]``).

    Parameters
    ----------
    column
        A text column, dictionary-encoded or not.

    Returns
    -------
    tuple of (ndarray, pyarrow.Array)
        The int32 codes, one per cell, and the distinct values.

    Examples
    --------
    >>> codes, values = dictionary_parts(pa.array(["b", "a", "b"]))
    >>> codes.tolist(), values.to_pylist()
    ([0, 1, 0], ['b', 'a'])
    """
    if isinstance(column, pa.ChunkedArray):
        if column.num_chunks == 0:
            return np.zeros(0, np.int32), pa.array([], pa.string())
        # Concatenating dictionary chunks unifies their dictionaries in one step.
        column = column.combine_chunks()
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    codes = column.indices.to_numpy(zero_copy_only=False)
    return codes.astype(np.int32, copy=False), column.dictionary


def _problem(label: str, rule: str, rows: tuple[int, ...] = ()) -> list[Problem]:
    return [Problem(label, None, rule, rows[:10], len(rows))]


def _header_problem(contract: FileContract | None, header: list[str]) -> str | None:
    """Why a header row cannot be a header of this file, or None.

    A file saved without its header row starts with data: then no cell of the first row is a
    column name of the file, and those cells (names, numbers, dates) must never be shown as if they
    were column names.
    """
    if contract is None:
        return None
    known = {c.lower() for c in contract.column_names}
    if not any(cell.strip().lower() in known for cell in header):
        return ("the first row holds none of this file's column names, so the file has no header "
                "row (or a wrong one); add the header row shown in the data dictionary")
    return None


def read_csv_file(path: Path, label: str, contract: FileContract | None) -> RawFile:
    """Read one CSV file as text columns, checked for the faults that stop reading altogether.

    Parameters
    ----------
    path
        The CSV file.
    label
        What messages call the file (its name).
    contract
        The file's contract, used only to recognise a file without a header row.

    Returns
    -------
    RawFile
        ``table`` is ``None`` when the file cannot be read (empty, not UTF-8, another separator,
        no header row); ``problems`` says why.

    Examples
    --------
    >>> from pathlib import Path
    >>> raw = read_csv_file(Path("data/sample/sessions.csv"), "sessions.csv", CONTRACTS["sessions"])
    >>> raw.header[:2], raw.n_rows > 0, raw.problems
    (('session_id', 'cohort_id'), True, [])
    """
    name = contract.name if contract else ""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as exc:  # no permission, a device, a file removed meanwhile
        return RawFile(name, label, None, _problem(label, _unopenable(exc)))
    if not head.lstrip(b"\xef\xbb\xbf").strip():
        return RawFile(name, label, None, _problem(label, "the file is empty (no header row)"))
    # Rows may end in \n, \r\n or a lone \r (old Mac CSV): pyarrow reads all three.
    lines = _LINE_END.split(head, maxsplit=1)
    if len(lines) == 1 and len(head) == _HEAD_BYTES:
        return RawFile(name, label, None, _problem(
            label, f"the first row is longer than {_HEAD_BYTES // 1024} KB, so it is no header "
            "row of evalkit's (or the file has no line ends); save the file again as CSV"))
    first_line = lines[0]
    if first_line.startswith(b"\xef\xbb\xbf"):
        first_line = first_line[3:]
    try:
        header_text = first_line.decode("utf-8")
    except UnicodeDecodeError:
        return RawFile(name, label, None, _problem(
            label, _NOT_UTF8))
    if "," not in header_text:
        for sep, word in ((";", "semicolons"), ("\t", "tabs")):
            if sep in header_text:
                return RawFile(name, label, None, _problem(
                    label, f"the columns are separated by {word}, not commas; save it again "
                    "as 'CSV UTF-8 (Comma delimited)' (in Excel: File, Save As)"))
    if header_text.count('"') % 2:
        return RawFile(name, label, None, _problem(
            label, "the header row (row 1) has a line break inside a column name"))
    header = next(csv.reader([header_text]), [])
    reason = _header_problem(contract, header)
    if reason:
        return RawFile(name, label, None, _problem(label, reason))
    names = [f"c{i}" for i in range(len(header))]
    if len(lines) == 1 or not lines[1].strip():
        if len(head) < _HEAD_BYTES:  # a header and nothing else
            empty = pa.table({n: pa.array([], TEXT) for n in names})
            return RawFile(name, label, empty, [], tuple(header))
    try:
        try:
            table, bad_rows = _parse(path, names), []
        except OSError as exc:  # pyarrow's ArrowInvalid is a ValueError, not an OSError
            return RawFile(name, label, None, _problem(label, _unopenable(exc)))
        except pa.ArrowInvalid as exc:
            if "columns" not in str(exc):
                raise
            # A row has too many or too few fields: read again, one thread reading the file in
            # order, so that every such row is found with its number.
            table, bad_rows = _parse_collecting(path, names)
    except pa.ArrowInvalid as exc:
        # pyarrow's message may quote a cell: only its kind is used.
        if "UTF8" in str(exc):
            rule = _NOT_UTF8
        elif "straddl" in str(exc):  # one cell longer than pyarrow's block of text
            rule = ("a cell is far too long (about a megabyte or more): evalkit takes codes, "
                    "labels and numbers, never free text; delete that text from the file")
        else:
            rule = "the file could not be read as comma-separated text; save it again as CSV"
        return RawFile(name, label, None, _problem(label, rule))
    problems: list[Problem] = []
    for longer in (True, False):
        rows = tuple(int(n) for n, fields in bad_rows if (fields > len(names)) == longer)
        if rows:
            counts = sorted({fields for n, fields in bad_rows if (fields > len(names)) == longer})
            word = "more" if longer else "fewer"
            shown = ", ".join(str(c) for c in counts[:3])
            problems += _problem(label, f"a row has {word} fields than the header "
                                 f"({shown} fields; the header has {len(names)})", rows)
    if problems:
        return RawFile(name, label, None, problems, tuple(header))
    return RawFile(name, label, table, [], tuple(header))


def _unopenable(exc: OSError) -> str:
    """Why a file could not be opened, in words (the system's message may quote a path)."""
    if isinstance(exc, PermissionError):
        return ("the file could not be opened: you do not have permission to read it; "
                "copy it into the folder again or ask whoever owns it")
    return "the file could not be opened; copy it into the folder again"


def _options(names: list[str], threads: bool, on_bad_row=None) -> dict:
    return {
        "read_options": pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=threads),
        "parse_options": pacsv.ParseOptions(newlines_in_values=True,
                                            invalid_row_handler=on_bad_row),
        "convert_options": pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, TEXT), null_values=[],
            strings_can_be_null=False, quoted_strings_can_be_null=False),
    }


def _parse(path: Path, names: list[str]) -> pa.Table:
    """Parse a file whose rows all have as many fields as its header (else ArrowInvalid)."""
    return pacsv.read_csv(path, **_options(names, threads=True))


def _parse_collecting(path: Path, names: list[str]) -> tuple[pa.Table, list[tuple[int, int]]]:
    """Parse a file skipping rows with the wrong number of fields: ``(row number, fields)``."""
    bad_rows: list[tuple[int, int]] = []

    def on_bad_row(row) -> str:
        bad_rows.append((row.number, row.actual_columns))
        return "skip"

    return pacsv.read_csv(path, **_options(names, threads=False, on_bad_row=on_bad_row)), bad_rows


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


def read_workbook(path: Path) -> Iterator[RawFile]:
    """Read every sheet of a workbook as text (a sheet per file, named like the file).

    Sheet names are matched ignoring case and surrounding spaces; dates become ``YYYY-MM-DD``
    (``YYYY-MM`` in month columns), whole-number floats lose their ``.0``, and rows blank in
    every cell are dropped, so a sheet gives the same text as the CSV file would.

    Parameters
    ----------
    path
        The ``.xlsx`` workbook.

    Yields
    ------
    RawFile
        First one for each sheet that is not an evalkit file (refused, or ignored with a
        warning), then one per known sheet in contract order.

    Raises
    ------
    EvalkitError
        When the workbook cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> book = Path(tempfile.mkdtemp()) / "programme.xlsx"
    >>> pd.read_csv("data/sample/practitioners.csv", dtype=str).to_excel(
    ...     book, sheet_name="Practitioners", index=False)
    >>> [(raw.name, raw.n_rows, raw.problems) for raw in read_workbook(book)]
    [('practitioners', 36, [])]
    """
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object, header=None, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise EvalkitError(
            f"{path.name}: the workbook could not be read ({exc.__class__.__name__}); "
            "save it again as .xlsx"
        ) from None
    keys: dict[str, list] = {}
    for sheet in sheets:
        keys.setdefault(str(sheet).strip().lower(), []).append(sheet)
    for key, same in keys.items():
        if len(same) > 1 and key in CONTRACTS:
            # Only names that equal one of evalkit's file names are shown (in quotes, so that
            # a trailing space can be seen).
            both = " and ".join(f"'{sheet}'" for sheet in same)
            yield RawFile("", f"{path.name}, sheet '{key}'", None, _problem(
                path.name, f"sheets {both} are both read as {key}: delete or rename one"))
    by_name = {key: same[0] for key, same in keys.items() if len(same) == 1}
    positions = {sheet: i for i, sheet in enumerate(sheets, start=1)}
    unknown = [s for key, s in by_name.items() if key not in CONTRACTS]
    for sheet in unknown:
        # A sheet name can be anything someone typed (a name, a phone number): it is never
        # shown, only its position.
        label = f"{path.name}, sheet {positions[sheet]}"
        hint = difflib.get_close_matches(str(sheet).strip().lower(), CONTRACTS, n=1)
        if hint:
            yield RawFile("", label, None, _problem(
                label, f"the sheet's name (not shown) is not one of evalkit's files; if it holds "
                f"{hint[0]}, rename the sheet to '{hint[0]}'"))
        else:
            yield RawFile("", label, None, [Problem(
                label, None, "sheet ignored: its name (not shown) is not one of evalkit's files",
                severity="warning")])
    if not any(key in CONTRACTS for key in keys):
        yield RawFile("", path.name, None, _problem(
            path.name, "the workbook holds none of evalkit's sheets: name each sheet after the "
            "file it holds (participants, sessions, attendance, ...; see the data dictionary)"))
    for name, contract in CONTRACTS.items():
        if name not in by_name:
            continue
        label = f"{path.name}, sheet '{by_name[name]}'"
        sheet = sheets[by_name[name]]
        if sheet.shape[0] == 0 or sheet.shape[1] == 0:
            yield RawFile(name, label, None, _problem(label, "the sheet is empty"))
            continue
        header = [_excel_cell_text(v, None).strip() for v in sheet.iloc[0]]
        reason = _header_problem(contract, header)
        if reason:
            yield RawFile(name, label, None, _problem(label, reason))
            continue
        kinds = {c.name: c.kind for c in contract.columns}
        body = sheet.iloc[1:]
        # Rows that are blank in every cell are not data (as in a CSV file).
        body = body[body.notna().any(axis=1).to_numpy()]
        columns = {}
        for i, cell in enumerate(header):
            kind = kinds.get(cell.lower())
            text = [_excel_cell_text(v, kind) for v in body.iloc[:, i]]
            columns[f"c{i}"] = pa.array(text, pa.string()).dictionary_encode()
        yield RawFile(name, label, pa.table(columns), [], tuple(header))


@dataclass
class FolderScan:
    """What a data folder holds: its known CSV files, or its workbook, and the folder's problems.

    The problems are those of the folder itself: unknown or misnamed files, CSV files beside a
    workbook, more than one workbook.

    Parameters
    ----------
    csv_files
        The known CSV files by name (``"attendance"``).
    workbook
        The folder's workbook, or None when it holds CSV files.
    problems
        The folder's problems.
    order
        Known file names in the order the folder lists them (messages follow it).

    Examples
    --------
    >>> scan = scan_folder("data/sample")
    >>> scan.csv_files["sessions"].name, scan.workbook
    ('sessions.csv', None)
    """

    csv_files: dict[str, Path]
    workbook: Path | None
    problems: list[Problem]
    order: list[str] = field(default_factory=list)


def scan_folder(data_dir: str | Path, extra: Mapping[str, FileContract] | None = None) -> FolderScan:
    """Find the files of a data folder without reading them.

    Parameters
    ----------
    data_dir
        The data folder.
    extra
        Contracts of further files (a programme's own questionnaires), by name.

    Returns
    -------
    FolderScan
        The files found and the folder's problems.

    Raises
    ------
    EvalkitError
        When the folder does not exist or is not a folder.

    Examples
    --------
    >>> from evalkit.scales.custom import find_instruments
    >>> specs, _ = find_instruments("data/sample")
    >>> scan = scan_folder("data/sample", {spec.name: spec.contract() for spec in specs})
    >>> scan.order[:2], scan.workbook, scan.problems
    (['accountability_events', 'attendance'], None, [])
    """
    folder = Path(data_dir)
    if not folder.exists():
        raise UsageError(f"data folder not found: {printable(folder)}")
    if not folder.is_dir():
        raise UsageError(f"not a folder: {printable(folder)}")
    extra = dict(extra or {})
    scan = FolderScan({}, None, [])
    try:
        entries = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
    except OSError:
        raise UsageError(f"the data folder {printable(folder)} could not be read: check that "
                         "you may open it") from None
    for entry in entries:
        if not entry.is_file() and not entry.name.startswith("~$"):
            scan.problems.append(Problem(entry.name, None, _not_a_file(entry)))
    csvs = {p.name.lower(): p for p in entries if p.suffix.lower() == ".csv" and p.is_file()}
    workbooks = [p for p in entries
                 if p.suffix.lower() == ".xlsx" and p.is_file() and not p.name.startswith("~$")]
    if csvs and workbooks:
        shown = ", ".join(printable(p.name) for p in list(csvs.values())[:5])
        more = f" and {len(csvs) - 5} more" if len(csvs) > 5 else ""
        scan.problems.append(Problem(
            folder.name, None,
            f"the folder holds a workbook ({printable(workbooks[0].name)}) and CSV files "
            f"({shown}{more}); evalkit reads either one workbook or CSV files: if the workbook "
            "holds your data, move the CSV files out of the folder, otherwise move the workbook "
            "out",
        ))
        return scan
    if len(workbooks) > 1:
        scan.problems.append(Problem(
            folder.name, None, "the folder holds more than one .xlsx workbook ("
            + ", ".join(printable(p.name) for p in workbooks[:5]) + "); keep one"))
        return scan
    if workbooks:
        scan.workbook = workbooks[0]
        return scan
    has_specs = (folder / INSTRUMENTS_FOLDER).is_dir()
    for filename, path in csvs.items():
        stem = filename[:-4]
        if stem in CONTRACTS or stem in extra:
            scan.csv_files[stem] = path
            scan.order.append(stem)
            continue
        hint = difflib.get_close_matches(stem, [*CONTRACTS, *extra], n=1, cutoff=0.75)
        if hint:
            scan.problems.append(Problem(
                path.name, None, f"unknown file name: if it holds {hint[0]}, rename it to "
                f"'{hint[0]}.csv'"))
        elif has_specs:
            scan.problems.append(Problem(
                path.name, None, f"file ignored: not one of evalkit's files, and no instrument "
                f"spec {INSTRUMENTS_FOLDER}/{stem}.toml describes it", severity="warning"))
        else:
            scan.problems.append(Problem(
                path.name, None, "file ignored: not one of evalkit's files", severity="warning"))
    if not scan.csv_files and not any(p.severity == "error" for p in scan.problems):
        scan.problems.append(Problem(
            folder.name, None, "the folder holds none of evalkit's files: put the CSV files "
            "(participants.csv, sessions.csv, attendance.csv, ...) or one .xlsx workbook in it, "
            "named as in the data dictionary"))
    return scan


def _not_a_file(entry: Path) -> str:
    """Why a name ending in .csv or .xlsx is not a file evalkit can read."""
    if entry.is_symlink() and not entry.exists():
        return "is a link to a file that does not exist (a broken shortcut): copy the file itself"
    if entry.is_dir():
        return "is a folder, not a file: give the data file itself this name"
    return "is not a regular file: copy the data file itself into the folder"


def read_raw(data_dir: str | Path,
             extra: Mapping[str, FileContract] | None = None) -> tuple[list[RawFile], list[Problem]]:
    """Read every known file of a folder as text.

    Parameters
    ----------
    data_dir
        The data folder.
    extra
        Contracts of further files to read (a programme's own questionnaires), by name.

    Returns
    -------
    tuple of (list of RawFile, list of Problem)
        The files read, and the problems of the folder itself (unknown or misnamed files).

    Examples
    --------
    >>> raws, problems = read_raw("data/sample")
    >>> [raw.name for raw in raws][:3]
    ['accountability_events', 'attendance', 'curriculum']
    """
    scan = scan_folder(data_dir, extra)
    if scan.workbook is not None:
        return list(read_workbook(scan.workbook)), scan.problems
    contracts = {**CONTRACTS, **(extra or {})}
    raws = [read_csv_file(scan.csv_files[name], scan.csv_files[name].name, contracts[name])
            for name in scan.order]
    return raws, scan.problems
