"""Data-quality summaries: what is in a folder, how complete it is, what is wrong with it.

Used by ``evalkit validate`` and by the data-overview notebook. Only counts, shares and dates are
reported: never a cell value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import Problem, printable
from ..io.contracts import CONTRACTS, PRESENT_STATUSES
from .dataset import Dataset
from .validate import validate_folder

# The columns that name whom (or which process) a row is about; files without one (sessions,
# exercises) describe no person, and count by rows.
SUBJECT_IDS = ("participant_id", "practitioner_id", "process_id")
#: Files whose rows a period selects by their own dates (the others follow them or are kept).
DATED_FILES = ("sessions", "discomfort", "stss", "proqol", "accountability_events")


def subjects(table: pd.DataFrame) -> int:
    """How many people or accountability processes the rows of a file describe.

    Parameters
    ----------
    table
        One loaded file.

    Returns
    -------
    int
        Distinct values of its first person or process id column; its rows when it has none
        (sessions, exercises).

    Examples
    --------
    >>> subjects(pd.DataFrame({"process_id": ["cp1", "cp1", "cp2"], "kind": ["a", "b", "a"]}))
    2
    """
    for column in SUBJECT_IDS:
        if column in table:
            return int(table[column].nunique())
    return len(table)


def dated_subjects(dataset: Dataset, name: str) -> int:
    """How many people or processes of a file have a date in it: those whose months it spans.

    A file's first and last month describe only the rows that carry a date: when the dates are
    optional (``response_date``), one dated form among seventy is one person's month. A file
    dated by another (the register, by its sessions) counts every subject it describes.

    Parameters
    ----------
    dataset
        A loaded data folder.
    name
        A file's name without ``.csv`` (a built-in file or one of the folder's instruments).

    Returns
    -------
    int
        Distinct subjects (:func:`subjects`) among the rows with a date; 0 for an absent file
        or one without dates.

    Examples
    --------
    >>> import evalkit
    >>> sample = evalkit.load("data/sample")
    >>> dated_subjects(sample, "stss"), dated_subjects(sample, "attendance"), dated_subjects(
    ...     sample, "curriculum")
    (36, 130, 0)
    """
    if not dataset.has(name):
        return 0
    if name in CONTRACTS:
        contract, table = CONTRACTS[name], dataset.tables.get(name)
    else:
        contract, table = dataset.instruments[name].contract(), dataset.responses(name)
    if table is None:
        return 0
    if contract.dated_by:
        other = contract.column(contract.dated_by).references[0]
        return subjects(table) if dataset.has(other) else 0
    dates = [column for column in contract.date_columns if column in table]
    if not dates:
        return 0
    return subjects(table[table[dates].notna().any(axis=1)])


def missingness(dataset: Dataset) -> pd.DataFrame:
    """Blank cells per file and column, for the columns that have any.

    Questionnaire items are summed per file (``column`` = ``items``), since a blank answer is
    expected there and per-item detail belongs to the scale analyses.

    Parameters
    ----------
    dataset
        A loaded data folder; the programme's own questionnaires are included.

    Returns
    -------
    DataFrame
        ``file, column, rows, subjects, cells, blank, blank_share`` (``subjects``: the people
        or processes the file's rows describe).

    Examples
    --------
    >>> from evalkit import load
    >>> missingness(load("data/sample")).columns.tolist()
    ['file', 'column', 'rows', 'subjects', 'cells', 'blank', 'blank_share']
    """
    rows = []
    files = [(CONTRACTS[n], dataset.tables[n]) for n in dataset.present]
    files += [(instrument.contract(), dataset.responses(n))
              for n, instrument in dataset.instruments.items() if dataset.has(n)]
    for contract, table in files:
        item_cols = [c.name for c in contract.columns if c.kind == "item"]
        other = [c.name for c in contract.columns if c.kind != "item"]
        for column in other:
            blank = int(table[column].isna().sum())
            if blank:
                rows.append((contract.filename, column, len(table), subjects(table),
                             len(table), blank))
        if item_cols:
            blank = int(table[item_cols].isna().to_numpy().sum())
            rows.append((contract.filename, "items", len(table), subjects(table),
                         table[item_cols].size, blank))
    frame = pd.DataFrame(rows, columns=["file", "column", "rows", "subjects", "cells", "blank"])
    frame["blank_share"] = (frame["blank"] / frame["cells"].where(frame["cells"] > 0)).fillna(0.0)
    return frame


def row_accounting(dataset: Dataset) -> pd.DataFrame:
    """How the register's rows add up against the sessions each participant's cohort held.

    Parameters
    ----------
    dataset
        A loaded data folder; without participants, sessions and attendance the table is empty.

    Returns
    -------
    DataFrame
        ``metric, value``: participants, sessions held and cancelled, participant-sessions expected
        (each participant x every held session of their cohort), register rows, rows on cancelled
        sessions, expected rows missing from the register, rows for another cohort's session,
        and present/absent rows.

    Examples
    --------
    >>> from evalkit import load
    >>> table = row_accounting(load("data/sample")).set_index("metric")["value"]
    >>> int(table["register_rows"])
    3001
    """
    if not dataset.has("participants", "sessions", "attendance"):
        return pd.DataFrame(columns=["metric", "value"])
    people, sessions, register = dataset.participants, dataset.sessions, dataset.attendance
    held = sessions[~sessions["cancelled"].fillna(False)]
    expected = people[["participant_id", "cohort_id"]].merge(
        held[["session_id", "cohort_id"]], on="cohort_id")
    joined = register.merge(sessions[["session_id", "cohort_id", "cancelled"]], on="session_id",
                            how="left", validate="many_to_one")
    joined = joined.merge(people[["participant_id", "cohort_id"]], on="participant_id", how="left",
                          suffixes=("", "_participant"), validate="many_to_one")
    on_cancelled = int(joined["cancelled"].fillna(False).sum())
    other_cohort = int((joined["cohort_id"] != joined["cohort_id_participant"]).sum())
    keys = pd.MultiIndex.from_frame(register[["participant_id", "session_id"]])
    missing = int((~pd.MultiIndex.from_frame(expected[["participant_id", "session_id"]])
                   .isin(keys)).sum())
    present = int(register["status"].isin(PRESENT_STATUSES).sum())
    metrics = {
        "participants": len(people),
        "sessions_held": len(held),
        "sessions_cancelled": len(sessions) - len(held),
        "participant_sessions_expected": len(expected),
        "register_rows": len(register),
        "rows_on_cancelled_sessions": on_cancelled,
        "rows_for_another_cohort": other_cohort,
        "expected_rows_missing": missing,
        "rows_present": present,
        "rows_absent": len(register) - present,
    }
    return pd.DataFrame({"metric": list(metrics), "value": list(metrics.values())})


@dataclass
class QualityReport:
    """What ``evalkit validate`` found in a data folder: the tables and every problem.

    Parameters
    ----------
    source
        The data folder, as the user named it.
    dataset
        What could be loaded (tables with errors may be absent).
    problems
        Every problem found, errors and warnings.
    period
        The first and last month the dataset was restricted to, or None.

    Examples
    --------
    >>> report = quality_report("data/sample")
    >>> report.source, len(report.errors)
    ('data/sample', 0)
    """

    source: str
    dataset: Dataset
    problems: list[Problem]
    period: tuple[pd.Period, pd.Period] | None = None

    def _absence(self, filename: str) -> str:
        """Why a file has no rows here: absent, header only, out of the period, or unreadable."""
        name = filename[:-4]
        present = self.dataset.tables.get(name) is not None or name in self.dataset.instruments
        if present:
            return "no rows in the period" if self.period is not None else "header only, no rows"
        stem = name.lower()
        own = [p for p in self.errors
               if p.file.lower() == filename.lower()
               or p.file.lower().rstrip("' ").endswith(f"sheet '{stem}")]
        if not own:
            return "absent"
        if own[0].column is None and len(own) == 1:
            return f"not read: {own[0].rule}"
        return f"not loaded: {len(own)} problem{'s' if len(own) != 1 else ''} listed below"

    @property
    def errors(self) -> list[Problem]:
        """The problems that make the folder unusable until fixed."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that do not stop the analyses (ignored columns, unknown files, ...)."""
        return [p for p in self.problems if p.severity != "error"]

    def text(self) -> str:
        """A short plain-text summary for the terminal.

        Returns
        -------
        str
            Files with their rows and dates, blank cells, the register accounting (when there
            are no errors), then the warnings and problems; never a cell value.

        Examples
        --------
        >>> print(quality_report("data/sample").text().splitlines()[2])
        Files:
        """
        lines = [f"Data folder: {printable(self.source)}", ""]
        if self.period is not None:
            lines += [f"Period: {self.period[0]} to {self.period[1]} (rows in the period)", ""]
        lines.append("Files:")
        summary = self.dataset.summary()
        for row in summary.itertuples(index=False):
            if not row.present:
                lines.append(f"  {row.file:<27} {self._absence(row.file)}")
                continue
            span = f"  {row.first_date} to {row.last_date}" if isinstance(row.first_date, str) else ""
            lines.append(f"  {row.file:<27} {row.rows:>9,} rows{span}")
        blanks = missingness(self.dataset)
        # A column with errors has cells that are not blank but could not be read: its count of
        # blank cells would mislead; the problems below say what is wrong instead.
        broken = {(p.file, p.column) for p in self.errors}
        blanks = blanks[[(f, c) not in broken
                         for f, c in zip(blanks["file"], blanks["column"], strict=True)]]
        if len(blanks):
            lines += ["", "Blank cells:"]
            for row in blanks.itertuples(index=False):
                lines.append(f"  {row.file:<27} {row.column:<16} {row.blank:>7,} of "
                             f"{row.cells:,} ({row.blank_share:.1%})")
        # Accounting joins the files on their keys, which only means something once they are valid.
        accounting = row_accounting(self.dataset) if not self.errors else pd.DataFrame()
        if len(accounting):
            lines += ["", "Register accounting:"]
            lines += [f"  {m:<32} {v:>9,}" for m, v in accounting.itertuples(index=False)]
        if self.warnings:
            lines += ["", f"Warnings ({len(self.warnings)}):"]
            lines += [f"  - {p.describe()}" for p in self.warnings]
        lines.append("")
        if self.errors:
            lines.append(f"Problems ({len(self.errors)}):")
            lines += [f"  - {p.describe()}" for p in self.errors]
            lines += ["", "Fix these in the files and run 'evalkit validate' again."]
        else:
            lines.append("No problems found.")
        return "\n".join(lines)


def quality_report(data_dir: str | Path,
                   period: tuple[pd.Period, pd.Period] | None = None) -> QualityReport:
    """Validate a folder and gather its summary (never raises for data problems).

    Parameters
    ----------
    data_dir
        The data folder (CSV files or one workbook).
    period
        First and last month of a reporting period (``--period``, read by
        :func:`evalkit.publish.page.parse_period`): the files are then described by their rows
        in it, and a period that holds no sessions, forms or events is a warning.

    Returns
    -------
    QualityReport
        The tables that could be loaded and every problem found.

    Examples
    --------
    >>> report = quality_report("data/sample")
    >>> report.errors, report.text().splitlines()[-1]
    ([], 'No problems found.')
    """
    months = period
    dataset, problems = validate_folder(data_dir)
    if months is not None:
        whole = dataset
        dataset = dataset.restrict_to_period(*months)
        if whole.present and not any(dataset.has(n) for n in DATED_FILES):
            problems = [*problems, Problem(
                Path(data_dir).name or str(data_dir), None,
                f"the period {months[0]} to {months[1]} holds no sessions, forms or events: a "
                "report on it would be empty; check --period against the dates listed without it",
                severity="warning")]
    return QualityReport(str(data_dir), dataset, problems, months)
