"""What is in a data folder: files, their periods, whether the register adds up, blank cells."""

from __future__ import annotations

import pandas as pd

from ..data.dataset import Dataset
from ..data.quality import dated_subjects, missingness, row_accounting, subjects
from ._base import Analysis
from .tables import Col, TableSpec


def data_overview(dataset: Dataset) -> pd.DataFrame:
    """``data_overview.csv``: one row per known file, with its rows and the months it covers.

    Parameters
    ----------
    dataset
        A loaded data folder.

    Returns
    -------
    DataFrame
        file, holds (what one row is), present, rows, subjects (the people or processes the rows describe; the rows
        themselves for files about sessions or exercises), dated (those of them with a date in
        the file), first_month, last_month (blank for an
        absent file or one without dates; a file dated by another, such as the register by its
        sessions, spans the months of the rows it names).

    Examples
    --------
    >>> import evalkit
    >>> data_overview(evalkit.load("data/sample")).drop(columns=["holds", "dated"]).head(3)
                   file  present  rows  subjects first_month last_month
    0  participants.csv     True   130       130     2023-01    2025-08
    1      sessions.csv     True   285       285     2023-01    2025-12
    2    attendance.csv     True  3001       130     2023-01    2025-12
    """
    summary = dataset.summary()
    months = {}
    for column in ("first_date", "last_date"):
        months[column] = summary[column].map(
            lambda d: None if d is None or pd.isna(d) else str(d)[:7]).astype(object)
    names = summary["file"].str.removesuffix(".csv")
    subjects = [_subjects(dataset, name) for name in names]
    return pd.DataFrame({
        "file": summary["file"].astype(str),
        "holds": summary["holds"].astype(str),
        "present": summary["present"].astype(bool),
        "rows": summary["rows"].where(summary["present"]).astype("Int64"),
        "subjects": pd.array(subjects, dtype="Int64"),
        "dated": pd.array([dated_subjects(dataset, name) for name in names], dtype="Int64"),
        "first_month": months["first_date"],
        "last_month": months["last_date"],
    })


def _subjects(dataset: Dataset, name: str) -> int | None:
    """How many people or processes a file's rows describe (None for an absent file)."""
    if not dataset.has(name):
        return None
    table = dataset.tables.get(name)
    return subjects(table if table is not None else dataset.responses(name))


_ACCOUNTING = (
    ("participants", "participants in participants.csv"),
    ("sessions_held", "sessions held"),
    ("sessions_cancelled", "sessions cancelled"),
    ("participant_sessions_expected", "participant-sessions expected: each participant times "
     "every held session of their cohort"),
    ("register_rows", "rows in attendance.csv"),
    ("rows_on_cancelled_sessions", "register rows on cancelled sessions"),
    ("rows_for_another_cohort", "register rows for a session of another cohort"),
    ("expected_rows_missing", "expected participant-sessions with no register row"),
    ("rows_present", "register rows marked attended, late or left early"),
    ("rows_absent", "register rows marked absent"),
)
_COUNTS = {"sessions_held", "sessions_cancelled"}

TABLES = (
    TableSpec(
        "data_overview", "Files in the data folder",
        (Col("file", "label", "file name", fmt="code"),
         Col("holds", "label", "what the file holds, from its data contract",
             label="what it holds"),
         Col("present", "flag", "the file is in the folder"),
         Col("rows", "people", "rows in the file (rounded like a count of people)",
             rests_on=("subjects",)),
         # Files about sessions or exercises describe no one: their count is of rows, and the
         # header says so rather than calling sessions people.
         Col("subjects", "people", "people or processes the rows describe (rows, for files "
             "about sessions or exercises)", label="people or processes (or rows)"),
         # Dates of a file about very few people are those people's dates; and where dates are
         # optional, the months are those of the few whose rows carry one.
         Col("dated", "people", "people or processes with a date in the file (all that the "
             "register's sessions date)", label="with dates"),
         Col("first_month", "month", "first month its dates cover (the register's: its "
             "sessions')", label="from", rests_on=("dated",), empty="none"),
         Col("last_month", "month", "last month its dates cover", label="to",
             rests_on=("dated",), empty="none")),
        unit="rows").for_funder(
        file="shown", holds="shown", present="shown", rows="rounded", subjects="rounded",
        first_month="shown",
        last_month="shown"),
    TableSpec(
        "register_accounting", "Does the attendance register add up?",
        (Col("metric", "label", "what the row counts"),
         Col("value", "statistic", "the count")),
        metrics=tuple(Col(name, "count" if name in _COUNTS else "people", text,
                          label=text.split(":")[0]) for name, text in _ACCOUNTING),
        unit="rows", appendix=True),
    TableSpec(
        "missingness", "Blank cells by file and column",
        (Col("file", "label", "file name", fmt="code"),
         Col("column", "label", "column ('items': all questionnaire answers together)",
             fmt="code"),
         Col("rows", "people", "rows in the file", rests_on=("subjects",)),
         Col("subjects", "people", "people or processes the rows describe",
             label="people or processes"),
         # Cells are rows times items, so exact counts of cells would undo the rounding of rows.
         Col("cells", "size", "cells in the column", fmt="integer"),
         Col("blank", "size", "blank cells", fmt="integer"),
         Col("blank_share", "statistic", "share of cells left blank", fmt="percent",
             label="blank", rests_on=("rows", "subjects"))),
        unit="cells", appendix=True),
)


def compute(dataset: Dataset) -> dict[str, pd.DataFrame | str]:
    """The overview tables for one data folder.

    Parameters
    ----------
    dataset
        A loaded data folder.

    Returns
    -------
    dict of str to DataFrame or str
        ``data_overview``, ``register_accounting`` (or why it cannot be made) and ``missingness``.

    Examples
    --------
    >>> import evalkit
    >>> compute(evalkit.load("data/sample").replace(attendance=None))["register_accounting"]
    'needs participants.csv, sessions.csv and attendance.csv'
    """
    accounting = row_accounting(dataset)
    return {
        "data_overview": data_overview(dataset),
        "register_accounting": accounting if len(accounting) else
        "needs participants.csv, sessions.csv and attendance.csv",
        "missingness": missingness(dataset),
    }


ANALYSIS = Analysis(name="overview", title="what is in the data folder", tables=TABLES,
                    compute=compute)
