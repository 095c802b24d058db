"""Errors evalkit raises for the user to act on (printed without a traceback by the CLI)."""

from __future__ import annotations

from dataclasses import dataclass

ROWS_SHOWN = 10


def printable(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with every character a terminal would act on or hide written as an escape.

    File and folder names are the user's and are shown, but a name can hold terminal escape
    sequences, zero-width or text-direction characters: printed raw they could recolour the
    terminal, hide the rest of the line or make a name look like another one.

    Parameters
    ----------
    text
        Text to show, such as a file name or a whole message.
    keep_lines
        Keep line breaks (``\\n``) as they are, for messages of several lines.

    Returns
    -------
    str
        The text, with control, format (zero-width, bidi) and other unprintable characters as
        ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN``.

    Examples
    --------
    >>> print(printable("site\x1b[31m.csv"), printable("a\u202eb"))
    site\\x1b[31m.csv a\\u202eb
    """
    out = []
    for ch in str(text):
        if ch.isprintable() or (keep_lines and ch == "\n"):
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


class EvalkitError(Exception):
    """A problem the user can fix; the message says what and where, never a data value.

    Every error evalkit raises for a user to act on is a subclass, so one ``except`` clause
    catches them all; the ``evalkit`` command prints the message without a traceback.

    Examples
    --------
    >>> import evalkit
    >>> try:
    ...     evalkit.load("no/such/folder")
    ... except EvalkitError as exc:
    ...     print(exc)
    data folder not found: no/such/folder
    """


@dataclass(frozen=True)
class Problem:
    """One broken rule in one file (and column), with the spreadsheet row numbers affected.

    Row numbers count the header as row 1, so they match what a spreadsheet program shows.

    Parameters
    ----------
    file
        The file's name, e.g. ``"attendance.csv"``.
    column
        The column the rule is about, or ``None`` for a rule about the whole file.
    rule
        What is wrong and what to do, in words; never a value from the data.
    rows
        Spreadsheet row numbers of (at most the first few) rows that break the rule.
    n_rows
        How many rows break it in all (0 when the rule is not about rows).
    severity
        ``"error"`` (the folder cannot be used) or ``"warning"`` (it can, with care).

    Examples
    --------
    >>> Problem("sessions.csv", "date", "is not a date (YYYY-MM-DD)", rows=(3, 7), n_rows=2)
    Problem(file='sessions.csv', column='date', rule='is not a date (YYYY-MM-DD)', rows=(3, 7), n_rows=2, severity='error')
    """

    file: str
    column: str | None
    rule: str
    rows: tuple[int, ...] = ()
    n_rows: int = 0
    severity: str = "error"

    def describe(self) -> str:
        """One line for people: file, column and rows (the first ten), then the rule.

        Returns
        -------
        str
            ``"<file>, column '<column>', rows <r1, r2, ...> (<n> in all): <rule>"``.

        Examples
        --------
        >>> Problem("sessions.csv", "date", "is not a date (YYYY-MM-DD)", rows=(3, 7),
        ...         n_rows=2).describe()
        "sessions.csv, column 'date', rows 3, 7 (2 in all): is not a date (YYYY-MM-DD)"
        """
        file = printable(self.file)
        where = file if self.column is None else f"{file}, column '{printable(self.column)}'"
        if self.n_rows:
            shown = ", ".join(str(r) for r in self.rows[:ROWS_SHOWN])
            more = f" and {self.n_rows - ROWS_SHOWN} more" if self.n_rows > ROWS_SHOWN else ""
            noun = "row" if self.n_rows == 1 else "rows"
            where += f", {noun} {shown}{more} ({self.n_rows} in all)"
        return f"{where}: {self.rule}"


class DataValidationError(EvalkitError):
    """A data folder broke one or more rules; ``problems`` lists every one.

    The message lists the errors (not the warnings), one per line.

    Parameters
    ----------
    source
        The data folder (or file) that was checked, as it is named in the message.
    problems
        Every problem found, errors and warnings.

    Examples
    --------
    >>> exc = DataValidationError("data/site_a", [
    ...     Problem("sessions.csv", "date", "is not a date (YYYY-MM-DD)", rows=(3,), n_rows=1)])
    >>> print(exc)
    data/site_a: 1 problem found
      - sessions.csv, column 'date', row 3 (1 in all): is not a date (YYYY-MM-DD)
    """

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"{source}: {len(errors)} problem{'s' if len(errors) != 1 else ''} found"]
        lines += [f"  - {p.describe()}" for p in errors]
        super().__init__("\n".join(lines))


class UsageError(EvalkitError):
    """An option or argument the user gave cannot be used (a bad --min-cell, --period, ...).

    Examples
    --------
    >>> from evalkit.publish.page import parse_period
    >>> try:
    ...     parse_period("2024-12:2024-01")
    ... except UsageError as exc:
    ...     print(exc)
    --period: FROM is after TO
    """


class OutputFolderError(EvalkitError):
    """An output folder could harm the user's files if written; nothing was written.

    Raised, for example, for a report folder that holds files evalkit did not make, or that
    lies inside the data folder.

    Examples
    --------
    >>> from evalkit.io.outfolder import check_report_folder
    >>> try:
    ...     check_report_folder("data/sample", data_dir="data/sample", repo_root=None)
    ... except OutputFolderError:
    ...     print("refused")
    refused
    """


class KeyFileError(EvalkitError):
    """A pseudonymisation key is missing, unsafe or not an evalkit key.

    Examples
    --------
    >>> from evalkit.privacy.keys import read_key
    >>> try:
    ...     read_key("no/such/key.txt")
    ... except KeyFileError:
    ...     print("no key")
    no key
    """


class MissingDataError(EvalkitError):
    """An analysis needs files the data folder does not have.

    Examples
    --------
    >>> import evalkit
    >>> from evalkit.analyses.delivery import session_fidelity
    >>> dataset = evalkit.load("data/sample").replace(curriculum=None)
    >>> try:
    ...     session_fidelity(dataset)
    ... except MissingDataError as exc:
    ...     print(exc)
    delivery fidelity needs sessions.csv and curriculum.csv
    """
