"""The typed tables of one data folder, frozen once loaded."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import Problem, UsageError
from ..io.contracts import CONTRACTS, FileContract

if TYPE_CHECKING:
    from ..scales.spec import Instrument

#: Questionnaire files whose rows are restricted to a period by ``response_date``.
_FORM_FILES = ("discomfort", "stss", "proqol")


def _shallow(table: pd.DataFrame | None) -> pd.DataFrame | None:
    # With pandas Copy-on-Write a shallow copy shares the data until either side writes to it:
    # a caller's in-place edit then copies the columns it touches, and the Dataset never changes.
    return None if table is None else table.copy(deep=False)


class _Tables(Mapping):
    """Read-only view of a Dataset's tables; every lookup hands out a copy."""

    def __init__(self, tables: Mapping[str, pd.DataFrame | None]):
        self._tables = tables

    def __getitem__(self, name: str) -> pd.DataFrame | None:
        return _shallow(self._tables[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


@dataclass(frozen=True, init=False, repr=False, eq=False)
class Dataset:
    """The typed tables of one data folder; a table is ``None`` when its file is absent.

    A Dataset cannot be changed: every table it hands out is a copy (a cheap one: with pandas
    Copy-on-Write the data are shared until someone writes), so editing a returned frame in place
    never changes what the next call sees. To analyse edited tables, make a new Dataset with
    :meth:`replace`.

    Identifiers are pandas categoricals. An id column that refers to another file shares that
    file's categories (``attendance.participant_id`` has the categories of
    ``participants.participant_id``), and ``cohort_id`` has one set of categories in
    ``participants`` and ``sessions``, so joins are integer look-ups. Categories are sorted.

    Parameters
    ----------
    source
        Where the tables came from (the data folder).
    tables
        The built-in files by name (see :data:`evalkit.io.contracts.CONTRACTS`); missing names
        are absent files.
    notices
        Warnings that did not stop loading (ignored columns, unknown files, header-only files).
    instruments
        A programme's own questionnaires by name (``instruments/<name>.toml``).
    responses
        The answers to each of ``instruments``, by name.
    period
        The reporting period ``(first, last)`` the tables were restricted to, if any.

    Examples
    --------
    >>> import evalkit
    >>> ds = evalkit.load("data/sample")
    >>> ds.has("participants", "attendance")
    True
    >>> ds.participants["participant_id"].dtype == ds.attendance["participant_id"].dtype
    True
    """

    source: str
    notices: tuple[Problem, ...]
    instruments: Mapping[str, Instrument]
    period: tuple[pd.Period, pd.Period] | None
    _tables: Mapping[str, pd.DataFrame | None]
    _responses: Mapping[str, pd.DataFrame]

    def __init__(self, source: str, tables: Mapping[str, pd.DataFrame | None],
                 notices: tuple[Problem, ...] | list[Problem] = (), *,
                 instruments: Mapping[str, Instrument] | None = None,
                 responses: Mapping[str, pd.DataFrame] | None = None,
                 period: tuple[pd.Period, pd.Period] | None = None) -> None:
        unknown = set(tables) - set(CONTRACTS)
        if unknown:
            raise ValueError(f"not evalkit files: {sorted(unknown)}")
        instruments = dict(instruments or {})
        responses = dict(responses or {})
        if set(responses) - set(instruments):
            raise ValueError("responses given for instruments that are not listed")
        stored = {name: _shallow(tables.get(name)) for name in CONTRACTS}
        set_ = object.__setattr__
        set_(self, "source", str(source))
        set_(self, "notices", tuple(notices))
        set_(self, "instruments", MappingProxyType(instruments))
        set_(self, "period", period)
        set_(self, "_tables", MappingProxyType(stored))
        set_(self, "_responses", MappingProxyType({n: _shallow(t) for n, t in responses.items()}))

    # --- the files -------------------------------------------------------------------------------

    @property
    def participants(self) -> pd.DataFrame | None:
        """``participants.csv``: one row per person referred to the programme."""
        return _shallow(self._tables["participants"])

    @property
    def sessions(self) -> pd.DataFrame | None:
        """``sessions.csv``: one row per scheduled session of a cohort."""
        return _shallow(self._tables["sessions"])

    @property
    def attendance(self) -> pd.DataFrame | None:
        """``attendance.csv``: the register, one row per participant and session."""
        return _shallow(self._tables["attendance"])

    @property
    def curriculum(self) -> pd.DataFrame | None:
        """``curriculum.csv``: the planned exercises of each module session."""
        return _shallow(self._tables["curriculum"])

    @property
    def delivery(self) -> pd.DataFrame | None:
        """``delivery.csv``: minutes delivered of each exercise in each session."""
        return _shallow(self._tables["delivery"])

    @property
    def practitioners(self) -> pd.DataFrame | None:
        """``practitioners.csv``: one row per practitioner."""
        return _shallow(self._tables["practitioners"])

    @property
    def discomfort(self) -> pd.DataFrame | None:
        """``discomfort.csv``: the practitioner discomfort checklist, one row per form."""
        return _shallow(self._tables["discomfort"])

    @property
    def stss(self) -> pd.DataFrame | None:
        """``stss.csv``: Secondary Traumatic Stress Scale forms."""
        return _shallow(self._tables["stss"])

    @property
    def proqol(self) -> pd.DataFrame | None:
        """``proqol.csv``: Professional Quality of Life forms."""
        return _shallow(self._tables["proqol"])

    @property
    def supervision(self) -> pd.DataFrame | None:
        """``supervision.csv``: supervision received per practitioner, month and kind."""
        return _shallow(self._tables["supervision"])

    @property
    def accountability_events(self) -> pd.DataFrame | None:
        """``accountability_events.csv``: events of community accountability processes."""
        return _shallow(self._tables["accountability_events"])

    @property
    def tables(self) -> Mapping[str, pd.DataFrame | None]:
        """Every built-in file by name, read-only (each lookup hands out a copy)."""
        return _Tables(self._tables)

    def responses(self, name: str) -> pd.DataFrame:
        """The answers to the programme's own questionnaire ``name`` (see ``instruments``).

        Parameters
        ----------
        name
            The instrument's name: the stem of ``instruments/<name>.toml``.

        Returns
        -------
        DataFrame
            A copy of ``<name>.csv``: the id column, ``wave``, ``response_date`` if given, and
            the items ``i01``, ``i02``, ...

        Raises
        ------
        KeyError
            When the folder has no instrument of that name.

        Examples
        --------
        >>> import evalkit
        >>> ds = evalkit.load("data/sample")
        >>> list(ds.instruments)
        ['partner_safety']
        >>> ds.responses("partner_safety").columns[:4].tolist()
        ['participant_id', 'wave', 'response_date', 'i01']
        """
        if name not in self._responses:
            raise KeyError(f"no instrument named {name!r}; known: {sorted(self._responses)}")
        return _shallow(self._responses[name])

    # --- what is there ---------------------------------------------------------------------------

    def _rows(self, name: str) -> int:
        table = self._tables.get(name) if name in CONTRACTS else self._responses.get(name)
        return 0 if table is None else len(table)

    def has(self, *names: str) -> bool:
        """True when every named file is present and has at least one row.

        A file with a header but no rows counts as absent: the analyses that need it are left
        out, as for a missing file. Names are built-in files or instrument names.

        Parameters
        ----------
        *names
            File names without ``.csv`` (``"attendance"``) or instrument names.

        Returns
        -------
        bool
            Whether every one is present with rows (True when no name is given).

        Examples
        --------
        >>> import evalkit
        >>> evalkit.load("data/sample").has("stss", "proqol")
        True
        """
        return all(self._rows(n) > 0 for n in names)

    @property
    def present(self) -> list[str]:
        """The built-in files that are present and have rows, in contract order."""
        return [n for n in CONTRACTS if self.has(n)]

    def summary(self) -> pd.DataFrame:
        """One row per known file: present or not, rows, and the span of its dates.

        Returns
        -------
        DataFrame
            ``file, holds, present, rows, first_date, last_date``; ``holds`` is what the
            file's contract says one row is. The programme's own questionnaires follow the
            built-in files. Dates are text (``YYYY-MM-DD``, or ``YYYY-MM`` for month columns); a
            file dated by another (``FileContract.dated_by``: the register by its sessions) spans
            the dates of the rows it names; blank for a file without dates.

        Examples
        --------
        >>> import evalkit
        >>> evalkit.load("data/sample").summary().drop(columns="holds").head(2)
                       file  present  rows  first_date   last_date
        0  participants.csv     True   130     2023-01     2025-08
        1      sessions.csv     True   285  2023-01-09  2025-12-31
        >>> evalkit.load("data/sample").summary()["holds"].iloc[1]
        'One row per scheduled session of a cohort'
        """
        rows = []
        contracts = [(n, c, self._tables[n]) for n, c in CONTRACTS.items()]
        contracts += [(n, self.instruments[n].contract(), t) for n, t in self._responses.items()]
        for name, contract, table in contracts:
            first = last = None
            if table is not None:
                spans = self._date_spans(contract, table)
                if spans:
                    first = min(s[0] for s in spans)
                    last = max(s[1] for s in spans)
            rows.append(
                {
                    "file": contract.filename,
                    "holds": contract.description.removesuffix("."),
                    "present": self.has(name),
                    "rows": 0 if table is None else len(table),
                    "first_date": first,
                    "last_date": last,
                }
            )
        return pd.DataFrame(rows)

    def _date_spans(self, contract: FileContract, table: pd.DataFrame) -> list[tuple[str, str]]:
        """The spans of a file's date columns; for a file dated by another, of the rows it names."""
        if contract.dated_by:
            other, key = contract.column(contract.dated_by).references
            referenced = self._tables.get(other)
            if referenced is None or contract.dated_by not in table:
                return []
            table = referenced[referenced[key].isin(table[contract.dated_by])]
            contract = CONTRACTS[other]
        spans = [_date_span(table[name]) for name in contract.date_columns if name in table]
        return [s for s in spans if s is not None]

    # --- new datasets from this one --------------------------------------------------------------

    def replace(self, **tables: pd.DataFrame | None) -> Dataset:
        """A new Dataset with some tables replaced (``None`` makes a file absent).

        The new tables are not validated: use this for what-if analyses on tables you changed.

        Parameters
        ----------
        **tables
            New tables by file name (``attendance=frame``); ``None`` makes that file absent.

        Returns
        -------
        Dataset
            A new Dataset; this one is unchanged.

        Examples
        --------
        >>> import evalkit
        >>> ds = evalkit.load("data/sample")
        >>> ds.replace(supervision=None).has("supervision")
        False
        """
        merged = {**self._tables, **tables}
        return Dataset(self.source, merged, self.notices, instruments=self.instruments,
                       responses=self._responses, period=self.period)

    def restrict_to_period(self, first: pd.Period | str, last: pd.Period | str) -> Dataset:
        """A new Dataset holding what belongs to a reporting period of whole months.

        ``first`` and ``last`` are months (``pd.Period`` with frequency ``"M"`` or ``"YYYY-MM"``),
        both included. The rules, file by file:

        - **sessions**: those whose ``session_date`` falls in the period;
        - **attendance**: register rows on those sessions;
        - **participants**: those who started on or before ``last`` and have a register row on a
          kept session; a participant with no register row at all stays when their cohort held
          (did not cancel) a kept session. Without ``sessions.csv``: those who started on or
          before ``last``;
        - **delivery**: rows on kept sessions;
        - **curriculum** and **practitioners**: unchanged;
        - **discomfort, stss, proqol** and the programme's own questionnaires: forms whose
          ``response_date`` is in the period; forms of the programme's own questionnaires without
          a ``response_date`` (the column is optional there) are kept;
        - **supervision**: months up to ``last`` (earlier months stay, because supervision in the
          12 months before a form is what the regression uses);
        - **accountability_events**: every process with an event in the period, with its events
          dated on or before ``last``.

        Categories of id columns are unchanged, so ids of people outside the period may remain as
        unused categories.

        Parameters
        ----------
        first, last
            The first and last month of the period.

        Returns
        -------
        Dataset
            With ``period`` set to ``(first, last)``.

        Raises
        ------
        UsageError
            When a month cannot be read or ``first`` is after ``last``.

        Examples
        --------
        >>> import evalkit
        >>> ds = evalkit.load("data/sample")
        >>> spring = ds.restrict_to_period("2025-03", "2025-05")
        >>> bool(spring.sessions["session_date"].dt.month.isin([3, 4, 5]).all())
        True
        """
        first, last = _month(first), _month(last)
        if first > last:
            raise UsageError(f"the period starts after it ends ({first} to {last}); "
                             "give the earlier month first")
        start, end = first.start_time, last.end_time
        t = self._tables
        out: dict[str, pd.DataFrame | None] = dict(t)

        def in_period(dates: pd.Series) -> np.ndarray:
            return (dates.ge(start) & dates.le(end)).fillna(False).to_numpy(dtype=bool)

        sessions = t["sessions"]
        kept_sessions = None
        if sessions is not None:
            keep = in_period(sessions["session_date"])
            out["sessions"] = sessions[keep]
            kept_sessions = out["sessions"]["session_id"]
        register = t["attendance"]
        if register is not None and kept_sessions is not None:
            out["attendance"] = register[_isin(register["session_id"], kept_sessions)]
        if t["delivery"] is not None and kept_sessions is not None:
            out["delivery"] = t["delivery"][_isin(t["delivery"]["session_id"], kept_sessions)]
        people = t["participants"]
        if people is not None:
            keep = people["start_month"].le(last).fillna(False).to_numpy(dtype=bool)
            if kept_sessions is not None:
                held = out["sessions"].loc[~out["sessions"]["cancelled"].fillna(False)
                                           .to_numpy(dtype=bool), "cohort_id"]
                cohort_held = _isin(people["cohort_id"], held)
                if register is not None:
                    on_kept = _isin(people["participant_id"], out["attendance"]["participant_id"])
                    no_rows = ~_isin(people["participant_id"], register["participant_id"])
                    keep = keep & (on_kept | (no_rows & cohort_held))
                else:
                    keep = keep & cohort_held
            out["participants"] = people[keep]
        for name in _FORM_FILES:
            if t[name] is not None:
                out[name] = t[name][in_period(t[name]["response_date"])]
        if t["supervision"] is not None:
            months = t["supervision"]["month"]
            out["supervision"] = t["supervision"][months.le(last).fillna(False).to_numpy(bool)]
        events = t["accountability_events"]
        if events is not None:
            active = events.loc[in_period(events["event_date"]), "process_id"]
            on_or_before = events["event_date"].le(end).fillna(False).to_numpy(dtype=bool)
            keep = _isin(events["process_id"], active) & on_or_before
            out["accountability_events"] = events[keep]
        responses = {}
        for name, table in self._responses.items():
            if "response_date" in table:
                # Undated forms (the column is optional there) cannot be placed: they stay.
                dates = table["response_date"]
                table = table[in_period(dates) | dates.isna().to_numpy(dtype=bool)]
            responses[name] = table
        return Dataset(self.source, out, self.notices, instruments=self.instruments,
                       responses=responses, period=(first, last))

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}={self._rows(n)}" for n in [*self.present, *self._responses])
        return f"Dataset({parts})"

    def __reduce__(self):
        # Read-only mappings cannot be pickled: rebuild from plain ones (for copy and pickle).
        return (_rebuild, (self.source, dict(self._tables), self.notices, dict(self.instruments),
                           dict(self._responses), self.period))


def _rebuild(source, tables, notices, instruments, responses, period) -> Dataset:
    return Dataset(source, tables, notices, instruments=instruments, responses=responses,
                   period=period)


def _month(value: Any) -> pd.Period:
    """A month from ``"YYYY-MM"``, a ``pd.Period``, a date or a timestamp."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}", value.strip()):
        raise UsageError("a period month must be written YYYY-MM (for example 2025-04)")
    try:
        month = pd.Period(value.strip() if isinstance(value, str) else value, freq="M")
    except (ValueError, TypeError):
        raise UsageError("a period month must be written YYYY-MM (for example 2025-04)") from None
    if month is pd.NaT:
        raise UsageError("a period month must be written YYYY-MM (for example 2025-04)")
    return month


def _isin(values: pd.Series, allowed: pd.Series) -> np.ndarray:
    """``values.isin(allowed)`` as a boolean array, by category codes when they are shared."""
    if (isinstance(values.dtype, pd.CategoricalDtype)
            and isinstance(allowed.dtype, pd.CategoricalDtype)
            and values.cat.categories is allowed.cat.categories):
        n = len(values.cat.categories)
        seen = np.zeros(n + 1, dtype=bool)  # the last slot stands for a blank (code -1)
        seen[allowed.cat.codes.to_numpy()] = True
        seen[-1] = False
        return seen[values.cat.codes.to_numpy()]
    return values.isin(allowed.dropna().unique()).to_numpy(dtype=bool)


def _date_span(series: pd.Series) -> tuple[str, str] | None:
    values = series.dropna()
    if values.empty:
        return None
    if isinstance(series.dtype, pd.PeriodDtype):
        return str(values.min()), str(values.max())
    return values.min().strftime("%Y-%m-%d"), values.max().strftime("%Y-%m-%d")
