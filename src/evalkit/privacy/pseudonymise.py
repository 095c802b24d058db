"""``evalkit pseudonymise``: copy a data folder with person ids replaced by keyed pseudonyms.

The input is read, never changed, and checked in full before anything is written:

- Every file must start with its header row. A file none of whose header cells is one of its
  columns has no header and is refused (its first row is data, so no cell of it is shown).
- Headers are matched after trimming spaces and ignoring case, and must otherwise be exact: a
  variant such as ``ParticipantID`` or ``participant-id`` is refused with a hint, because copying
  a real-id column under the wrong name would pass real ids through.
- Every required column must be present, and no column may appear twice.
- Columns that are not part of the file's contract are not copied, unless ``--keep-column NAME``
  names them *and* they pass the identifier guard (their name and every value).
- Columns that are copied as they are must pass the identifier guard (no email addresses, phone,
  NHS or NI numbers, postcodes, dates in labels, free text).
- Blank ids stay blank.

The output folder may not be, contain or lie inside the input folder or the evalkit checkout; an
existing output folder is replaced only when it is an earlier output of this command holding
exactly the files that output wrote (:mod:`evalkit.io.outfolder`). The key must
lie outside all of these. The output folder records the key's fingerprint
(``evalkit-pseudonymised.txt``); a later run with a different key into that folder, or on a folder
that is itself an output made with another key, is refused unless ``--new-key`` is given, so a
wrong key is noticed instead of producing pseudonyms that link to nothing. Pseudonymising an
output again with the same key is refused too: it would give ids that match nothing.

Neither the key nor any original id is written anywhere; every file goes through the one CSV
writer, so no cell can run as a spreadsheet formula.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataValidationError, Problem, UsageError
from ..io.contracts import CONTRACTS, PERSON_ID_COLUMNS, FileContract
from ..io.outfolder import (
    Marker,
    Protected,
    check_output_folder,
    checkout_root,
    staged_output,
)
from ..io.read import INSTRUMENTS_FOLDER, RawFile, read_raw
from ..io.writer import write_csv
from .guard import (
    LABEL_MAX_LENGTH,
    REASON_DATE,
    REASON_LONG,
    identifier_column_reason,
    identifier_rule,
    identifying_values,
)
from .keys import key_fingerprint, pseudonymise_frame, pseudonymise_series, read_key

MARKER = Marker(
    "evalkit-pseudonymised.txt",
    "# evalkit pseudonymised copy v1\n"
    "# Written by 'evalkit pseudonymise'. The fingerprint below identifies the key that made the\n"
    "# pseudonyms without revealing it: a later run with another key is refused unless --new-key\n"
    "# is given. evalkit replaces this folder when asked to write a pseudonymised copy here again,\n"
    "# but only while it holds exactly the files listed below: any other file, or a listed file\n"
    "# that was changed, is yours, and evalkit then refuses.\n",
    "pseudonymised copy",
    "# evalkit pseudonymised copy v1",
    "OUT_DIR",
)
_FINGERPRINT_LINE = re.compile(r"^key_fingerprint\s*=\s*([0-9a-f]{12})\s*$", re.M)
# Column kinds whose values are checked without the "full date" rule (ids may hold a date, and
# date columns are dates).
_NO_DATE_RULE = ("id", "id_list", "date", "month")


@dataclass
class PseudonymiseSummary:
    """What ``pseudonymise_folder`` wrote and left out (messages name columns, never values).

    Parameters
    ----------
    written
        Every file written into the output folder.
    fingerprint
        The key's fingerprint (:func:`~evalkit.privacy.keys.key_fingerprint`).
    not_copied
        One sentence per column left out (not part of a file's contract).
    ignored_files
        One sentence per file of the input folder that is not an evalkit file.

    Examples
    --------
    >>> summary = PseudonymiseSummary([Path("out/attendance.csv")], "c7d54b9bdaf6")
    >>> summary.not_copied, summary.ignored_files
    ([], [])
    """

    written: list[Path]
    fingerprint: str
    not_copied: list[str] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)


def _letter(position: int) -> str:
    """Spreadsheet column letter of a 0-based position (0 -> A, 26 -> AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _normalise(header: str) -> str:
    return str(header).strip().lower()


def _squash(header: str) -> str:
    """A header without case, spaces, punctuation or look-alike forms, for hints only."""
    text = unicodedata.normalize("NFKC", str(header)).lower()
    return re.sub(r"[^a-z0-9]", "", text)


def _safe_header(header: str) -> bool:
    """A header may be shown in a message only when it cannot itself be personal data."""
    text = str(header)
    if not text.strip() or len(text) > LABEL_MAX_LENGTH or not text.isprintable():
        return False
    found = identifying_values(pd.Series([text]))
    return not any(mask[0] for mask in found.values())


def _describe(position: int, header: str) -> str:
    if str(header).startswith("Unnamed: ") or not str(header).strip():
        return f"column {_letter(position)} (blank header)"
    if _safe_header(header):
        return f"column {_letter(position)} ('{str(header).strip()}')"
    return f"column {_letter(position)}"


def read_fingerprint(folder: str | os.PathLike) -> str | None:
    """The key fingerprint recorded in an earlier output folder of ``evalkit pseudonymise``.

    Parameters
    ----------
    folder
        A folder that may be an earlier output.

    Returns
    -------
    str or None
        The fingerprint; None when ``folder`` is not an earlier output or its record cannot be
        read; "" when the record names no fingerprint.

    Examples
    --------
    >>> import tempfile
    >>> read_fingerprint(tempfile.mkdtemp()) is None
    True
    """
    folder = Path(folder)
    if not MARKER.found_in(folder):
        return None
    try:
        text = (folder / MARKER.name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = _FINGERPRINT_LINE.search(text)
    return match.group(1) if match else ""


def _check_file(raw: RawFile, contract: FileContract, keep: set[str], problems: list[Problem],
                summary: PseudonymiseSummary, kept_seen: set[str]) -> pd.DataFrame | None:
    """The columns of one file to copy (contract names), or None when the file is refused."""
    frame = raw.frame
    headers = [str(c) for c in frame.columns]
    known = set(contract.column_names)
    normalised = [_normalise(h) for h in headers]
    # pandas renames a repeated header "x" to "x.1"; undo that to notice the repeat.
    unmangled = [re.sub(r"\.\d+$", "", n) if re.sub(r"\.\d+$", "", n) in normalised[:i] else n
                 for i, n in enumerate(normalised)]
    # A file whose first row holds none of its column names was refused by the data layer
    # (evalkit.io.read) before it got here: no cell of it is ever shown.
    ok = True
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(unmangled):
        positions.setdefault(name, []).append(i)
    for name, where in positions.items():
        if len(where) > 1 and (name in known or name in keep):
            problems.append(Problem(raw.label, name, "the column appears more than once (columns "
                                    + ", ".join(_letter(i) for i in where) + "); keep one"))
            ok = False
    unknown = [i for i, n in enumerate(unmangled) if n not in known]
    for col in contract.columns:
        if col.name in positions or not col.required:
            continue
        variants = [i for i in unknown if _squash(headers[i]) == _squash(col.name)]
        if variants:
            rule = ("required column is missing; "
                    + _describe(variants[0], headers[variants[0]])
                    + " differs only in case, spaces or punctuation: rename its header to exactly "
                    f"'{col.name}' (evalkit copies a column only under its exact name)")
        else:
            rule = "required column is missing"
        problems.append(Problem(raw.label, col.name, rule))
        ok = False

    copied: dict[str, pd.Series] = {}
    for i, name in enumerate(unmangled):
        if len(positions[name]) > 1:
            continue
        values = frame.iloc[:, i].astype("string").fillna("")
        if name in known:
            kind = contract.column(name).kind
            if name in PERSON_ID_COLUMNS:
                copied[name] = values
                continue
            column = contract.column(name)
            skip = (REASON_DATE,) if kind in _NO_DATE_RULE and not column.checked_as_label else ()
            if not _values_pass(values, raw.label, name, skip, problems):
                ok = False
            if not _typed_cells_pass(values, column, raw.label, problems):
                ok = False
            copied[name] = values
            continue
        described = _describe(i, headers[i])
        reason = identifier_column_reason(headers[i])
        if name in keep:
            kept_seen.add(name)
            if reason:
                problems.append(Problem(
                    raw.label, None, f"{described} was named by --keep-column but its name looks "
                    f"like {reason}; it cannot be copied. Delete the column"))
                ok = False
            elif _values_pass(values, raw.label, name, (), problems):
                copied[name] = values
            else:
                ok = False
            continue
        if reason:
            note = f"{described} not copied (looks like {reason})"
        else:
            # Only the letter: a header outside the contract may itself be personal data (a
            # wide export with a column per person).
            note = f"column {_letter(i)} not copied (not one of this file's columns)"
        summary.not_copied.append(f"{raw.label}: {note}")
    return pd.DataFrame(copied, index=frame.index) if ok else None


def _values_pass(values: pd.Series, label: str, column: str, skip: Iterable[str],
                 problems: list[Problem]) -> bool:
    found = identifying_values(values)
    passed = True
    for reason, mask in found.items():
        if reason in skip or not mask.any():
            continue
        rows = tuple(int(r) + 2 for r in mask.nonzero()[0])
        problems.append(Problem(label, column, identifier_rule(
            reason, "remove direct identifiers before pseudonymising"), rows, len(rows)))
        passed = False
    return passed


#: What a cell of a typed column may look like to be copied: a number, a date written with
#: digits and separators, or (for labels from a list) one of them. Free text in such a column
#: (a name typed into a date, a note in a status) is refused, whatever ``validate`` would say of
#: the value itself: the copy is what people are told is safe to work from.
_TYPED_SHAPES = {
    "int": r"[+-]?\d+(?:\.\d+)?",
    "item": r"[+-]?\d+(?:\.\d+)?",
    "date": r"[\d/.\- ]+",
    "month": r"[\d/.\- ]+",
}


def _typed_cells_pass(values: pd.Series, column, label: str, problems: list[Problem]) -> bool:
    """Whether every filled cell of a typed column has its type's shape (rows named if not)."""
    cells = values.astype(str).str.strip()
    filled = cells != ""
    if column.kind in ("category", "bool"):
        allowed = column.categories if column.kind == "category" else ("true", "false")
        bad = filled & ~cells.str.lower().isin(list(allowed))
        rule = ("holds text that is not one of this column's labels (see the data dictionary); "
                "only those are copied")
    elif column.kind in _TYPED_SHAPES:
        bad = filled & ~cells.str.fullmatch(_TYPED_SHAPES[column.kind]).fillna(False)
        rule = (f"holds text where a {'date' if column.kind in ('date', 'month') else 'number'} "
                "belongs; free text is never copied")
    else:
        return True
    if not bad.any():
        return True
    rows = tuple(int(r) + 2 for r in bad.to_numpy().nonzero()[0])
    problems.append(Problem(label, column.name, rule, rows, len(rows)))
    return False


def _recoded(frame: pd.DataFrame, contract: FileContract, key: bytes) -> pd.DataFrame:
    """Codes a programme made up itself (``Column.recoded``) replaced by keyed pseudonyms too.

    A cohort code can be built from a facilitator's name or a start date and is shown to
    funders as a group label, so it is recoded like a person id (``co_`` and 20 hex digits;
    the same key gives the same code in every file). Session ids are recoded for the same
    reason (``se_``): they are often the cohort code and a week, so a copied session id would
    keep the very code the cohort id lost.
    """
    for col in contract.columns:
        if col.recoded and col.name in frame.columns:
            frame[col.name] = pseudonymise_series(frame[col.name], key,
                                                  col.name.removesuffix("_id"))
    return frame


def _spec_text_problems(instrument) -> list[Problem]:
    """The texts of a spec that look like a direct identifier (its title, citation, labels)."""
    texts = [instrument.title, instrument.citation, *(instrument.item_labels or ())]
    found = identifying_values(pd.Series(texts, dtype=object))
    label = f"{INSTRUMENTS_FOLDER}/{instrument.name}.toml"
    return [Problem(label, None, f"its title, citation or an item label looks like {reason}; "
                    "remove it before pseudonymising")
            for reason, mask in found.items() if reason != REASON_LONG and mask.any()]


def pseudonymise_folder(in_dir: str | os.PathLike, out_dir: str | os.PathLike,
                        key_file: str | os.PathLike, *, keep_columns: Iterable[str] = (),
                        new_key: bool = False) -> PseudonymiseSummary:
    """Pseudonymise every known file of ``in_dir`` into ``out_dir``.

    The rules are in the module docstring. Nothing is written unless every check passes.

    Parameters
    ----------
    in_dir : path
        The data folder with real ids (CSV files or one workbook).
    out_dir : path
        The folder to write (CSV files and ``evalkit-pseudonymised.txt``): a new or empty folder,
        or an earlier output of this command.
    key_file : path
        A key made by ``evalkit keygen``, outside both folders.
    keep_columns : iterable of str, optional
        Extra columns to copy unchanged (matched after trimming and ignoring case); each must
        pass the identifier guard.
    new_key : bool, default False
        Accept a key whose fingerprint differs from the one recorded in ``out_dir`` or ``in_dir``.

    Returns
    -------
    PseudonymiseSummary
        The files written, the key fingerprint, and the columns and files left out.

    Raises
    ------
    KeyFileError, OutputFolderError, DataValidationError, UsageError
        As described above; messages name files, columns and rows, never values.

    Examples
    --------
    >>> import tempfile
    >>> from evalkit.privacy.keys import write_key
    >>> base = Path(tempfile.mkdtemp())
    >>> (base / "raw").mkdir()
    >>> _ = (base / "raw" / "attendance.csv").write_text(
    ...     "participant_id,session_id,status\\nA17,s1,attended\\n,s2,late\\n")
    >>> key = write_key(base / "keys" / "k.key")
    >>> summary = pseudonymise_folder(base / "raw", base / "out", key)
    >>> [p.name for p in summary.written]
    ['attendance.csv']
    >>> out = pd.read_csv(base / "out" / "attendance.csv", dtype=str, keep_default_na=False)
    >>> out["participant_id"].str[:3].tolist(), out["status"].tolist()
    (['pa_', ''], ['attended', 'late'])
    """
    in_path = Path(os.path.abspath(in_dir))
    keep = {_normalise(k) for k in keep_columns}
    if any(not k for k in keep):
        raise UsageError("--keep-column needs a column name")
    if not in_path.is_dir():
        raise UsageError(f"data folder not found: {in_dir}" if not in_path.exists()
                         else f"not a folder: {in_dir}")
    repo = checkout_root()
    protected = [Protected(in_path, "the input folder")]
    if repo is not None:
        protected.append(Protected(repo, "the evalkit checkout (real data never goes there)"))
    target = check_output_folder(out_dir, marker=MARKER, protected=protected)
    forbidden = [in_path, target] + ([repo] if repo is not None else [])
    key = read_key(key_file, forbidden=forbidden)
    fingerprint = key_fingerprint(key)

    earlier_in = read_fingerprint(in_path)
    if earlier_in == fingerprint:
        raise UsageError(
            f"{in_dir} is already a pseudonymised copy made with this key (fingerprint "
            f"{fingerprint}); pseudonymising it again would give ids that match nothing. Use it "
            "as it is, or pseudonymise the folder with the real ids.")
    if earlier_in is not None and not new_key:
        raise UsageError(
            f"{in_dir} is a pseudonymised copy made with another key (fingerprint "
            f"{earlier_in or 'unreadable'}; this key's is {fingerprint}). Check --key-file; to "
            "pseudonymise it again under this key on purpose, give --new-key.")
    earlier_out = read_fingerprint(target)
    if earlier_out is not None and earlier_out != fingerprint and not new_key:
        raise UsageError(
            f"{out_dir} holds a pseudonymised copy made with another key (fingerprint "
            f"{earlier_out or 'unreadable'}; this key's is {fingerprint}). A different key gives "
            "pseudonyms that link to nothing made before: check --key-file, or give --new-key to "
            "replace that copy with one under this key.")

    # The programme's own questionnaires: their answers are pseudonymised like any file, and
    # their specs copied, so the copy is as complete as the folder it came from.
    from ..scales.custom import find_instruments, spec_toml

    instruments, spec_problems = find_instruments(in_path)
    own = {i.name: i.contract() for i in instruments
           if i.name not in CONTRACTS and (in_path / f"{i.name}.csv").is_file()}
    contracts = {**CONTRACTS, **own}
    raws, folder_problems = read_raw(in_path, own)
    problems = [p for p in [*spec_problems, *folder_problems] if p.severity == "error"]
    summary = PseudonymiseSummary([], fingerprint)
    summary.ignored_files = [f"{p.file}: {p.rule}" for p in folder_problems
                             if p.severity != "error"]
    tables: dict[str, pd.DataFrame] = {}
    kept_seen: set[str] = set()
    for raw in raws:
        problems += [p for p in raw.problems if p.severity == "error"]
        summary.ignored_files += [f"{p.file}: {p.rule}" for p in raw.problems
                                  if p.severity != "error"]
        if raw.frame is None or raw.name not in contracts:
            continue
        table = _check_file(raw, contracts[raw.name], keep, problems, summary, kept_seen)
        if table is not None:
            tables[raw.name] = table
    for instrument in instruments:
        if instrument.name in own:
            problems += _spec_text_problems(instrument)
    if problems:
        raise DataValidationError(in_path.name, problems)
    missing = sorted(keep - kept_seen)
    if missing:
        raise UsageError("--keep-column names no extra column of the input: "
                         + ", ".join(missing) + "; nothing was written")
    if not tables:
        raise UsageError(f"{in_dir} holds none of evalkit's files; nothing was written")

    with staged_output(target, marker=MARKER, marker_extra=f"key_fingerprint = {fingerprint}\n",
                       recheck=lambda: check_output_folder(out_dir, marker=MARKER,
                                                           protected=protected)) as staging:
        for name, table in tables.items():
            write_csv(_recoded(pseudonymise_frame(table, key), contracts[name], key),
                      staging / contracts[name].filename)
            summary.written.append(target / contracts[name].filename)
        for instrument in instruments:
            if instrument.name not in tables:
                continue
            # The spec is written from what was parsed, never copied: a comment in the file
            # (which may hold a name or a phone number) does not reach the copy.
            spec = Path(INSTRUMENTS_FOLDER) / f"{instrument.name}.toml"
            (staging / INSTRUMENTS_FOLDER).mkdir(exist_ok=True)
            (staging / spec).write_text(spec_toml(instrument), encoding="utf-8")
            summary.written.append(target / spec)
    return summary
