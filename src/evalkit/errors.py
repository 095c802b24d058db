"""Errors evalkit raises for the user to act on (printed without a traceback by the CLI)."""

from __future__ import annotations

from dataclasses import dataclass

ROWS_SHOWN = 10


class EvalkitError(Exception):
    """A problem the user can fix; the message says what and where, never a data value."""


@dataclass(frozen=True)
class Problem:
    """One broken rule in one file (and column), with the spreadsheet row numbers affected.

    Row numbers count the header as row 1, so they match what a spreadsheet program shows.
    """

    file: str
    column: str | None
    rule: str
    rows: tuple[int, ...] = ()
    n_rows: int = 0
    severity: str = "error"

    def describe(self) -> str:
        where = self.file if self.column is None else f"{self.file}, column '{self.column}'"
        if self.n_rows:
            shown = ", ".join(str(r) for r in self.rows[:ROWS_SHOWN])
            more = f" and {self.n_rows - ROWS_SHOWN} more" if self.n_rows > ROWS_SHOWN else ""
            noun = "row" if self.n_rows == 1 else "rows"
            where += f", {noun} {shown}{more} ({self.n_rows} in all)"
        return f"{where}: {self.rule}"


class DataValidationError(EvalkitError):
    """A data folder broke one or more rules; ``problems`` lists every one."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"{source}: {len(errors)} problem{'s' if len(errors) != 1 else ''} found"]
        lines += [f"  - {p.describe()}" for p in errors]
        super().__init__("\n".join(lines))


class UsageError(EvalkitError):
    """An option or argument the user gave cannot be used (a bad --min-cell, --period, ...)."""


class OutputFolderError(EvalkitError):
    """An output folder evalkit was asked to write could harm the user's files; nothing was
    written."""


class KeyFileError(EvalkitError):
    """A pseudonymisation key is missing, unsafe or not an evalkit key."""


class SpecError(EvalkitError):
    """An instrument spec (``instruments/<name>.toml``) contradicts itself or the data."""


class MissingDataError(EvalkitError):
    """An analysis needs files the data folder does not have."""
