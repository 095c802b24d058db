"""A data-entry workbook made from the contracts: ``evalkit template --out FILE.xlsx``.

One sheet per data file, named like the file, with the exact headers of its contract and no
data; drop-down lists for every category (and true/false) column; date, month, whole-number and
length checks where the contract has them; and a read-me sheet made from the data dictionary.
A workbook filled in this way is a data folder as it is (``evalkit validate`` reads it like the
CSV files). The workbook is never written over an existing file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import openpyxl

import datetime as _dt
import os
import secrets
from pathlib import Path

from ..errors import UsageError
from ..io.contracts import CONTRACTS, ID_MAX_LENGTH, Column
from .datadict import _allowed

#: The read-me sheet's name (the reader ignores it, with a warning, as a sheet that is not a file).
README_SHEET = "read me"
#: Rows below the header that carry the checks (Excel applies them to these rows only).
ROWS = 5000
#: Excel limits a drop-down list written into the rule itself to 255 characters.
_LIST_LIMIT = 255
#: Earliest date accepted in a date column (the contracts only forbid dates in the future).
_EARLIEST = _dt.date(1990, 1, 1)

_FORMATS = {"date": "yyyy-mm-dd", "month": "yyyy-mm"}
_TEXT_KINDS = ("id", "id_list", "label", "title")


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _choices(values: tuple[str, ...]) -> str:
    text = ",".join(values)
    if len(text) + 2 > _LIST_LIMIT:  # pragma: no cover - no contract list is this long today
        raise ValueError("a category list is too long for an Excel drop-down")
    return f'"{text}"'


def _validation(col: Column):
    """The Excel data validation for one column, or None when the contract sets no check."""
    from openpyxl.worksheet.datavalidation import DataValidation

    blank = col.nullable or not col.required or col.kind == "item"
    common = dict(allow_blank=blank, showErrorMessage=True, errorStyle="stop",
                  errorTitle=col.name, showInputMessage=True, promptTitle=col.name[:32])
    if col.kind == "category":
        return DataValidation(type="list", formula1=_choices(col.categories),
                              error="Pick one of the listed values.",
                              prompt=col.description[:255], **common)
    if col.kind == "bool":
        return DataValidation(type="list", formula1=_choices(("true", "false")),
                              error="true or false.", prompt=col.description[:255], **common)
    if col.kind in ("date", "month"):
        what = "a date (YYYY-MM-DD)" if col.kind == "date" else "a month (YYYY-MM)"
        return DataValidation(type="date", operator="between",
                              formula1=f"DATE({_EARLIEST.year},{_EARLIEST.month},{_EARLIEST.day})",
                              formula2="TODAY()", error=f"Enter {what}, not in the future.",
                              prompt=f"{col.description} ({what})"[:255], **common)
    if col.kind in ("int", "item"):
        low = -(10 ** 15) if col.minimum is None else col.minimum
        high = 10 ** 15 if col.maximum is None else col.maximum
        return DataValidation(type="whole", operator="between", formula1=str(low),
                              formula2=str(high), error=f"Enter a {_allowed(col)}.",
                              prompt=f"{col.description} ({_allowed(col)})"[:255], **common)
    if col.kind == "id":
        return DataValidation(type="textLength", operator="between", formula1="1",
                              formula2=str(ID_MAX_LENGTH),
                              error=f"An id of at most {ID_MAX_LENGTH} characters, no spaces.",
                              prompt=col.description[:255], **common)
    return None


def _readme(book) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(README_SHEET, 0)
    sheet.append(["How to fill in this workbook"])
    sheet["A1"].font = Font(bold=True, size=14)
    for line in (
        "Each sheet is one of evalkit's data files: one row per record, the headers exactly as "
        "they are. Leave a sheet with only its header row when you have no such data.",
        "Use pseudonymous ids only: never names, contact details, dates of birth, national or "
        "health numbers, or notes. The drop-down lists and checks below each header follow the "
        "table on this sheet.",
        "Check the workbook with: evalkit validate FOLDER (a folder holding this workbook only).",
        "",
    ):
        sheet.append([line])
    header = ["sheet", "column", "meaning", "allowed values", "blank allowed", "must exist in"]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for contract in CONTRACTS.values():
        for col in contract.columns:
            ref = ""
            if col.references:
                ref = f"{col.references[0]} / {col.references[1]}"
            sheet.append([contract.name, col.name, col.description,
                          _allowed(col).replace("`", ""), "yes" if col.nullable else "no", ref])
    for letter, width in zip("ABCDEF", (22, 22, 60, 60, 14, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2, max_row=5):
        row[0].alignment = Alignment(wrap_text=False)


def build_template() -> openpyxl.Workbook:
    """The data-entry workbook as an openpyxl ``Workbook`` (nothing written).

    Returns
    -------
    openpyxl.Workbook
        The read-me sheet, then one sheet per data file in contract order.

    Examples
    --------
    >>> book = build_template()
    >>> book.sheetnames[:3]
    ['read me', 'participants', 'sessions']
    >>> [cell.value for cell in book["attendance"][1]]
    ['participant_id', 'session_id', 'status']
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    _readme(book)
    for contract in CONTRACTS.values():
        sheet = book.create_sheet(contract.name)
        sheet.append(list(contract.column_names))
        sheet.freeze_panes = "A2"
        for index, col in enumerate(contract.columns, start=1):
            letter = _letter(index)
            sheet[f"{letter}1"].font = Font(bold=True)
            sheet.column_dimensions[letter].width = max(12, len(col.name) + 4)
            cells = f"{letter}2:{letter}{ROWS + 1}"
            rule = _validation(col)
            if rule is not None:
                sheet.add_data_validation(rule)
                rule.add(cells)
            # Text columns stay text (an id "007" is not the number 7); dates show as dates.
            number_format = "@" if col.kind in (*_TEXT_KINDS, "category", "bool") \
                else _FORMATS.get(col.kind)
            if number_format:
                # A column style (not 5,000 styled cells): Excel gives it to every cell typed.
                sheet.column_dimensions[letter].number_format = number_format
    return book


def write_template(out: str | Path) -> Path:
    """Write the data-entry workbook to ``out``, which must not exist yet.

    The workbook is written beside ``out`` under a temporary name and then linked into place,
    so an existing file is never replaced and a failed run leaves nothing half-written.

    Parameters
    ----------
    out
        The new ``.xlsx`` file; its folder must exist.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    UsageError
        When ``out`` exists (or is a link), does not end in ``.xlsx`` or its folder is missing.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "programme.xlsx"
    >>> write_template(target).name
    'programme.xlsx'
    >>> write_template(target)
    Traceback (most recent call last):
    ...
    evalkit.errors.UsageError: --out programme.xlsx already exists: evalkit never writes over a file; choose a new name
    """
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError("--out must be a new .xlsx file")
    if out.exists() or out.is_symlink():
        raise UsageError(f"--out {out.name} already exists: evalkit never writes over a file; "
                         "choose a new name")
    if not out.parent.is_dir():
        raise UsageError("--out: its folder does not exist")
    # A new name of our own beside ``out`` (created with "x", so with the user's usual
    # permissions, unlike mkstemp's private ones).
    temporary = out.parent / f".evalkit-template-{secrets.token_hex(8)}.xlsx"
    with open(temporary, "xb"):
        pass
    try:
        build_template().save(temporary)
        try:
            # A hard link fails when the name has been taken meanwhile: nothing is replaced.
            os.link(temporary, out)
        except FileExistsError:
            raise UsageError(f"--out {out.name} already exists: evalkit never writes over a "
                             "file; choose a new name") from None
    finally:
        os.unlink(temporary)
    return out
