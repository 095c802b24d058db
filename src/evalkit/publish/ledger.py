"""The release ledger: what every funder report published, so that reports cannot be combined.

One funder report hides small counts by rounding and withholding. Two funder reports of the same
programme's data can undo that: reports for January to June and January to July whose partner
counts differ by one person give that person's scores (n times the mean of one, minus n times the
mean of the other); reports with ``--min-cell`` 5, 4 and 3 tell ``<5``, ``<4`` and a rounded 5
apart, so a count of 3 or 4 becomes exact. The ledger remembers what each funder report rested
on and refuses a new one that, together with an earlier one, would allow that.

What a release records (:class:`Release`)
------------------------------------------
- the report's date, title, period (as asked and in words), ``min_cell`` and evalkit version;
- the data's **fingerprint** (:func:`~evalkit.publish.report.input_fingerprint`: exactly these
  files) and its **lineage marks** (:func:`lineage_marks`: which records the folder holds, month
  by month), so that a later version of the same folder is recognised although its files grew;
- the **people bases**: every exact count of people of at least ``min_cell`` in every table the
  report published (:class:`PublishedCounts`), keyed by table, row and column.

When a new funder report is refused
-----------------------------------
An earlier release is about the **same data** when its fingerprint is the same or when the two
share a lineage mark. Against such a release a new report is refused (:meth:`Release.conflict`)

- when its ``min_cell`` differs (any period: undated files such as ``practitioners.csv`` are in
  every period), or
- when the two periods share a month and a count of people that both publish differs by more
  than 0 and less than ``min_cell``.

Re-rendering a release (same fingerprint, period and ``min_cell``, same counts) is allowed and
adds no entry. Research and internal reports neither check nor write the ledger: they already
hold exact figures, and they never go to readers outside the team.

The file
--------
JSON Lines: a header line ``{"evalkit": "release ledger", "version": 1, "salt": ...}``, then one
line per release. The ledger holds exact counts, so it is as sensitive as the data: it is created
readable by its owner only (mode 0600, in a folder of mode 0700) and refused when others can read
it. It is never written in place: a new version is written beside it and renamed over it, with
SIGINT and SIGTERM held back, so an interrupted run leaves the old ledger whole. A lock file
beside it (``<ledger>.lock``) keeps two reports from using the ledger at the same time. Lineage
marks and row keys are salted hashes (the salt is the ledger's own), so the ledger holds no ids
and no category names. A file that is not a ledger, or a damaged one, is refused and never
overwritten. The ledger must lie outside the evalkit checkout, the data folder and the report
folder; by default it is ``$XDG_CONFIG_HOME/evalkit/ledger.jsonl`` (``~/.config/evalkit`` when
that is not set; ``%APPDATA%\\evalkit`` on Windows).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import secrets
import stat
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..analyses import registry
from ..analyses.tables import TableSpec
from ..data.dataset import Dataset
from ..errors import EvalkitError, UsageError
from ..io.outfolder import absolute_path, is_within, resolved_path, signals_held
from .page import Page
from .policy import Policy, Shown

#: What ``--ledger`` takes to keep no ledger.
LEDGER_NONE = "none"
LEDGER_FILE_NAME = "ledger.jsonl"
LEDGER_FORMAT = "release ledger"
LEDGER_VERSION = 1
#: The sentence a funder front page carries when no ledger was kept.
NO_LEDGER_NOTE = ("No release ledger was kept for this report (--ledger none): it was not "
                  "checked against earlier funder reports of the same data, and later reports "
                  "will not be checked against it.")

_HEADER_LIMIT = 4096  # a ledger's header line is short; a longer first line is not a ledger
_KEY_KINDS = ("label", "number", "month", "flag")  # the columns that name a row
# Records that keep their month as a folder grows: (file, id column, month column; None when the
# file has no dates and is marked as a whole).
_MARKED = (
    ("participants", "participant_id", "start_month"),
    ("sessions", "session_id", "session_date"),
    ("discomfort", "practitioner_id", "response_date"),
    ("stss", "practitioner_id", "response_date"),
    ("proqol", "practitioner_id", "response_date"),
    ("accountability_events", "process_id", "event_date"),
    ("practitioners", "practitioner_id", None),
)


class LedgerError(EvalkitError):
    """The release ledger cannot be used, or refuses a report; nothing was written.

    Examples
    --------
    >>> str(LedgerError("the ledger is in use"))
    'the ledger is in use'
    """


def default_ledger_path() -> Path:
    """Where the ledger lives when ``--ledger`` is not given: the user's config folder.

    ``$XDG_CONFIG_HOME/evalkit/ledger.jsonl`` (``~/.config/evalkit/ledger.jsonl`` when the
    variable is not set or not an absolute path); on Windows ``%APPDATA%\\evalkit\\ledger.jsonl``.

    Returns
    -------
    Path
        The ledger file (it may not exist yet).

    Raises
    ------
    LedgerError
        When there is no home folder to put it in.

    Examples
    --------
    >>> path = default_ledger_path()
    >>> path.name, path.parent.name
    ('ledger.jsonl', 'evalkit')
    """
    variable = "APPDATA" if os.name == "nt" else "XDG_CONFIG_HOME"
    configured = os.environ.get(variable, "")
    if configured and Path(configured).is_absolute():
        return Path(configured) / "evalkit" / LEDGER_FILE_NAME
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):
        raise LedgerError("cannot find your home folder for the release ledger; give "
                          "--ledger FILE (a private file outside the project and the data)"
                          ) from None
    base = home / "AppData" / "Roaming" if os.name == "nt" else home / ".config"
    return base / "evalkit" / LEDGER_FILE_NAME


def _digest(salt: str, *parts: str) -> str:
    text = "\0".join((salt, *parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def lineage_marks(dataset: Dataset, salt: str) -> tuple[str, ...]:
    """Salted digests that recognise a data folder, and later versions of it, across runs.

    For each file whose records keep their month as a folder grows (participants by start
    month, sessions by date, practitioners' forms by response date, accountability processes by
    event date), the ids of each month are hashed together; practitioners are hashed as a whole.
    A folder that grows month by month keeps the marks of its earlier months, so an earlier and
    a later version share marks; unrelated folders whose ids were pseudonymised with different
    keys share none.

    Parameters
    ----------
    dataset
        The whole data folder (not restricted to a period).
    salt
        The ledger's salt: the marks mean nothing outside that ledger.

    Returns
    -------
    tuple of str
        Sorted 16-character hex digests.

    Examples
    --------
    >>> import evalkit
    >>> whole = evalkit.load("data/sample")
    >>> marks = lineage_marks(whole, "00" * 16)
    >>> later = set(lineage_marks(whole.restrict_to_period("2023-01", "2024-12"), "00" * 16))
    >>> bool(set(marks) & later), bool(set(marks) & set(lineage_marks(whole, "11" * 16)))
    (True, False)
    """
    marks = set()
    tables = dict(dataset.tables)
    for name in dataset.instruments:  # a programme's own questionnaires, by response date
        tables[f"instrument {name}"] = dataset.responses(name)
    wanted = list(_MARKED) + [(n, "participant_id", "response_date") for n in tables
                              if n.startswith("instrument ")]
    for name, id_column, month_column in wanted:
        table = tables.get(name)
        if table is None or id_column not in table or table.empty:
            continue
        ids = table[id_column].astype("string")
        if month_column is None:
            marks.add(_digest(salt, name, *sorted(ids.dropna().unique())))
            continue
        if month_column not in table:
            continue
        months = table[month_column].astype("string").str[:7]
        known = ids.notna() & months.notna()
        for month, group in ids[known].groupby(months[known], sort=True):
            marks.add(_digest(salt, name, str(month), *sorted(group.unique())))
    return tuple(sorted(marks))


class PublishedCounts:
    """Collects the exact counts of people of every table a page publishes (the people bases).

    Given to :class:`~evalkit.publish.page.Page` as ``on_publish``, it is called with each
    table's declaration, its exact result and the policed table. For every table the audience
    sees it keeps each count of people (a ``people`` column, or a metric of kind ``people``) of
    at least ``min_cell``: smaller counts are shown as ``<5`` and nothing resting on them is shown,
    so they cannot be differenced. Counts the audience does not see (a funder's view of a column
    or metric off the allow-list) are not kept either. Rows are named by a salted hash of their
    label columns.

    Parameters
    ----------
    salt
        The ledger's salt.

    Examples
    --------
    >>> from evalkit.analyses.tables import Col, TableSpec
    >>> spec = TableSpec("demo", "Demo", (Col("group", "label", "group"),
    ...                                   Col("n", "people", "people in the group"))).for_funder(
    ...     group="shown", n="rounded")
    >>> exact = pd.DataFrame({"group": ["north", "south"], "n": [3, 12]})
    >>> counts = PublishedCounts("00" * 16)
    >>> counts(spec, exact, Policy("funder").apply(exact, spec))
    >>> list(counts.bases["demo"].values())
    [12]
    """

    def __init__(self, salt: str):
        self.salt = salt
        self.bases: dict[str, dict[str, int]] = {}

    def __call__(self, spec: TableSpec, exact: pd.DataFrame, shown: Shown) -> None:
        """Record the counts of one published table.

        Parameters
        ----------
        spec
            The table's declaration.
        exact
            Its exact result, as the analysis computed it.
        shown
            The policed table: nothing is recorded when it is not available.

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> spec = TableSpec("demo", "Demo", (Col("n", "people", "people"),))
        >>> counts = PublishedCounts("00" * 16)
        >>> counts(spec, pd.DataFrame({"n": [7]}), Shown.unavailable(spec, Policy(), "withheld"))
        >>> counts.bases
        {}
        """
        if not shown.available:
            return
        frame = exact.reset_index(drop=True)
        keys = [c.name for c in spec.columns if c.kind in _KEY_KINDS]
        # Only what the report shows: a count the audience never sees cannot be differenced.
        people = [c.name for c in spec.columns if c.kind == "people" and c.name in shown.columns]
        metrics = set(spec.funder_metrics if shown.policy.funder else
                      (m.name for m in spec.metrics))
        seen: Counter[str] = Counter()
        table = {}
        for i, values in enumerate(frame[keys].astype(str).itertuples(index=False)):
            label = "|".join(f"{k}={v}" for k, v in zip(keys, values, strict=True))
            seen[label] += 1  # rows with the same labels are told apart by their order
            row = f"{label}#{seen[label]}"
            if spec.is_metric_table:
                metric = str(frame.at[i, "metric"])
                cells = [("value", frame.at[i, "value"])] if metric in metrics and spec.col(
                    metric).kind == "people" else []
            else:
                cells = [(name, frame.at[i, name]) for name in people]
            for column, value in cells:
                number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
                if pd.notna(number) and np.isfinite(number) and number >= shown.policy.min_cell:
                    table[_digest(self.salt, spec.name, row, column)] = int(round(float(number)))
        if table:
            self.bases[spec.name] = table


def published_counts(dataset: Dataset, policy: Policy, salt: str) -> dict[str, dict[str, int]]:
    """The people bases of every table a report for ``policy`` publishes from ``dataset``.

    Every analysis that can run on the folder is run through a
    :class:`~evalkit.publish.page.Page`, so each table passes the same policy as in the
    report's notebooks and only tables the audience sees are counted.

    Parameters
    ----------
    dataset
        The data, restricted to the report's period.
    policy
        The report's policy (audience and ``min_cell``).
    salt
        The ledger's salt.

    Returns
    -------
    dict
        Table name -> {salted row and column key -> exact count}.

    Raises
    ------
    EvalkitError
        When an analysis fails on the data (its message is not shown: it could quote data).

    Examples
    --------
    >>> import evalkit
    >>> bases = published_counts(evalkit.load("data/sample"), Policy("funder"), "00" * 16)
    >>> "attendance_by_group" in bases, "follow_up" in bases
    (True, False)
    """
    counts = PublishedCounts(salt)
    page = Page(dataset=dataset, audience=policy.audience, min_cell=policy.min_cell,
                on_publish=counts)
    for name, analysis in registry().items():
        if analysis.missing(dataset):
            continue
        try:
            page.run(name)
        except Exception as exc:  # its text may quote data: name the analysis only
            raise EvalkitError(
                f"the {name} analysis failed on these data ({type(exc).__name__}) while the "
                "release ledger was being checked; the report was not written. Run 'evalkit "
                "validate', and report the problem if the data are fine") from None
    return counts.bases


def _months_text(months: tuple[pd.Period, pd.Period] | None) -> list[str] | None:
    return None if months is None else [str(months[0]), str(months[1])]


@dataclass(frozen=True)
class Release:
    """What one funder report published: one line of the ledger.

    Parameters
    ----------
    date
        The day the report was made (``YYYY-MM-DD``).
    title
        The report's title.
    period
        ``--period`` as given, or None for the whole folder.
    period_text
        The period in words, as on the front page.
    months
        The first and last month the report covers (``YYYY-MM``), or None when the data have
        no dates.
    min_cell
        The report's ``min_cell``.
    fingerprint
        The data files' fingerprint.
    marks
        The data's lineage marks (:func:`lineage_marks`).
    bases
        The people bases (:func:`published_counts`).
    version
        The evalkit version that made it.
    recorded
        When it was added to the ledger (UTC, ISO 8601); "" until then.

    Examples
    --------
    >>> spring = Release("2026-03-01", "Spring", "2024-01:2024-06", "January 2024 to June 2024",
    ...                  ["2024-01", "2024-06"], 5, "abc", ["m1"], {"t": {"k": 20}}, "0.1")
    >>> summer = Release("2026-04-01", "Summer", "2024-01:2024-07", "January 2024 to July 2024",
    ...                  ["2024-01", "2024-07"], 5, "def", ["m1", "m2"], {"t": {"k": 21}}, "0.1")
    >>> summer.conflict(spring) is not None, summer.same_data(spring), summer.overlaps(spring)
    (True, True, True)
    """

    date: str
    title: str
    period: str | None
    period_text: str
    months: list[str] | None
    min_cell: int
    fingerprint: str
    marks: list[str]
    bases: dict[str, dict[str, int]]
    version: str
    recorded: str = field(default="", compare=False)

    def same_data(self, other: Release) -> bool:
        """Whether ``other`` was made from the same data, or an earlier or later version of it.

        Parameters
        ----------
        other
            An earlier release.

        Returns
        -------
        bool
            True when the fingerprints are equal or the two share a lineage mark.

        Examples
        --------
        >>> a = Release("d", "t", None, "p", None, 5, "f1", ["m1"], {}, "v")
        >>> a.same_data(Release("d", "t", None, "p", None, 5, "f2", ["m2"], {}, "v"))
        False
        """
        return self.fingerprint == other.fingerprint or bool(set(self.marks) & set(other.marks))

    def overlaps(self, other: Release) -> bool:
        """Whether the two periods share a month (a report without dates overlaps every one).

        Parameters
        ----------
        other
            An earlier release.

        Returns
        -------
        bool
            True when the periods are nested or overlap.

        Examples
        --------
        >>> a = Release("d", "t", None, "p", ["2024-01", "2024-06"], 5, "f", [], {}, "v")
        >>> a.overlaps(Release("d", "t", None, "p", ["2024-07", "2024-12"], 5, "f", [], {}, "v"))
        False
        """
        if self.months is None or other.months is None:
            return True
        return self.months[0] <= other.months[1] and other.months[0] <= self.months[1]

    def same_release(self, other: Release) -> bool:
        """Whether ``other`` is this release made again (same data, period, min_cell, counts).

        Parameters
        ----------
        other
            An earlier release.

        Returns
        -------
        bool
            True when re-rendering adds nothing to the ledger.

        Examples
        --------
        >>> a = Release("2026-01-01", "A", None, "p", None, 5, "f", [], {"t": {"k": 9}}, "v")
        >>> a.same_release(Release("2026-02-01", "B", None, "p", None, 5, "f", [],
        ...                        {"t": {"k": 9}}, "v"))
        True
        """
        return (self.fingerprint, self.period, self.min_cell, self.bases) == (
            other.fingerprint, other.period, other.min_cell, other.bases)

    def differing_tables(self, other: Release) -> list[str]:
        """Tables where a count both releases publish differs by more than 0, less than min_cell.

        Parameters
        ----------
        other
            An earlier release.

        Returns
        -------
        list of str
            Table names, sorted.

        Examples
        --------
        >>> a = Release("d", "t", None, "p", None, 5, "f", [], {"t": {"k": 20}, "u": {"k": 9}},
        ...             "v")
        >>> a.differing_tables(Release("d", "t", None, "p", None, 5, "f", [],
        ...                            {"t": {"k": 21}, "u": {"k": 14}}, "v"))
        ['t']
        """
        tables = []
        for name in sorted(set(self.bases) & set(other.bases)):
            mine, theirs = self.bases[name], other.bases[name]
            if any(0 < abs(mine[k] - theirs[k]) < self.min_cell for k in mine.keys() & theirs):
                tables.append(name)
        return tables

    def conflict(self, earlier: Release) -> str | None:
        """Why this release may not follow ``earlier``, or None when it may.

        Parameters
        ----------
        earlier
            A release already in the ledger.

        Returns
        -------
        str or None
            A sentence naming the earlier report by date, title and period, never a count.

        Examples
        --------
        >>> five = Release("2026-03-01", "Board", None, "all months", None, 5, "f", [], {}, "v")
        >>> four = Release("2026-03-02", "Board", None, "all months", None, 4, "f", [], {}, "v")
        >>> print(four.conflict(five))  # doctest: +ELLIPSIS
        the earlier funder report "Board" of 2026-03-01 (all months) used --min-cell 5 on ...
        """
        if not self.same_data(earlier):
            return None
        named = (f'the earlier funder report "{earlier.title}" of {earlier.date} '
                 f"({earlier.period_text})")
        if earlier.min_cell != self.min_cell:
            return (f"{named} used --min-cell {earlier.min_cell} on the same programme's data; "
                    "reports of the same data with different thresholds can be compared to "
                    f"give exact small counts. Use --min-cell {earlier.min_cell} again")
        if not self.overlaps(earlier):
            return None
        tables = self.differing_tables(earlier)
        if not tables:
            return None
        shown = ", ".join(tables[:3]) + (" and others" if len(tables) > 3 else "")
        return (f"{named} covers months of this report's period on the same programme's data, "
                f"and counts of people that both publish differ by fewer than {self.min_cell} "
                f"(in {shown}); a reader holding both could work out figures about those few "
                "people. Report on a period that does not overlap the earlier one")

    def line(self) -> str:
        """The release as one line of the ledger (JSON).

        Returns
        -------
        str
            A JSON object, without a line break.

        Examples
        --------
        >>> a = Release("2026-03-01", "Board", None, "all months", None, 5, "f", [], {}, "0.1")
        >>> Release.from_line(a.line()) == a
        True
        """
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"),
                          sort_keys=True)

    @classmethod
    def from_line(cls, text: str) -> Release:
        """Read one line of the ledger.

        Parameters
        ----------
        text
            One JSON object, as written by :meth:`line`.

        Returns
        -------
        Release
            The release.

        Raises
        ------
        ValueError
            When the line is not a release (the message says nothing of its content).

        Examples
        --------
        >>> Release.from_line('{"title": 1}')
        Traceback (most recent call last):
        ...
        ValueError: not a release
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("not a release") from None
        texts = ("date", "title", "period_text", "fingerprint", "version", "recorded")
        ok = (isinstance(data, dict) and set(data) == set(cls.__dataclass_fields__)
              and all(isinstance(data[k], str) for k in texts)
              and (data["period"] is None or isinstance(data["period"], str))
              and (data["months"] is None or (isinstance(data["months"], list)
                                              and len(data["months"]) == 2
                                              and all(isinstance(m, str) for m in data["months"])))
              and isinstance(data["min_cell"], int) and not isinstance(data["min_cell"], bool)
              and isinstance(data["marks"], list) and all(isinstance(m, str) for m in data["marks"])
              and isinstance(data["bases"], dict)
              and all(isinstance(t, dict) and all(isinstance(n, int) and not isinstance(n, bool)
                                                  for n in t.values())
                      for t in data["bases"].values()))
        if not ok:
            raise ValueError("not a release")
        return cls(**data)


@dataclass
class Ledger:
    """A release ledger file, read and checked; written only by :meth:`recording`.

    Open one with :meth:`open`. A missing or empty file is a new ledger.

    Parameters
    ----------
    path
        The ledger file (symbolic links resolved).
    salt
        Its salt (new for a new ledger).
    releases
        The releases recorded so far.

    Examples
    --------
    >>> import tempfile
    >>> book = Ledger.open(Path(tempfile.mkdtemp()) / "ledger.jsonl")
    >>> book.releases, len(book.salt)
    ([], 32)
    """

    path: Path
    salt: str
    releases: list[Release] = field(default_factory=list)

    @classmethod
    def open(cls, path: str | os.PathLike, *, forbidden: Sequence[tuple[Path, str]] = ()
             ) -> Ledger:
        """Read the ledger at ``path`` after checking where it lies; nothing is written.

        Parameters
        ----------
        path
            The ledger file.
        forbidden
            ``(folder, what it is)`` pairs the ledger must not lie in: the evalkit checkout, the
            data folder, the report folder.

        Returns
        -------
        Ledger
            The ledger (empty when the file does not exist yet).

        Raises
        ------
        LedgerError
            When the file lies in a forbidden folder, is a folder, can be read by other users,
            is not an evalkit ledger, is damaged or was written by a newer evalkit. The message
            never shows the file's content.

        Examples
        --------
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "notes.txt").write_text("my own notes")
        >>> Ledger.open(folder / "notes.txt")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        evalkit.publish.ledger.LedgerError: ...notes.txt is not an evalkit release ledger; ...
        >>> Ledger.open(folder / "ledger.jsonl", forbidden=[(folder, "the data folder")])
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        evalkit.publish.ledger.LedgerError: the release ledger ... lies inside the data folder ...
        """
        given = absolute_path(path)
        try:
            real = resolved_path(given)
        except EvalkitError:
            raise LedgerError(f"the release ledger {given} cannot be followed (a loop of "
                              "symbolic links?)") from None
        for folder, what in forbidden:
            place = absolute_path(folder)
            if is_within(given, place) or is_within(real, place):
                raise LedgerError(
                    f"the release ledger {given} lies inside {what} {place}: it holds exact "
                    "counts, as sensitive as the data, and must never be shared or committed "
                    "with it. Keep it in your config folder (the default) or another private "
                    "folder")
        if not os.path.lexists(real):
            return cls(real, secrets.token_hex(16))
        try:
            info = os.stat(real)
        except OSError as exc:
            raise LedgerError(f"the release ledger {given} cannot be read ({exc.strerror})"
                              ) from None
        if not stat.S_ISREG(info.st_mode):
            raise LedgerError(f"the release ledger {given} is not a file; give a file "
                              "(--ledger FILE)")
        try:
            with real.open("rb") as handle:
                first = handle.readline(_HEADER_LIMIT + 1)
                rest = handle.read() if len(first) <= _HEADER_LIMIT else b""
        except OSError as exc:
            raise LedgerError(f"the release ledger {given} cannot be read ({exc.strerror})"
                              ) from None
        if not first.strip() and not rest.strip():
            return cls(real, secrets.token_hex(16))
        foreign = LedgerError(
            f"{given} is not an evalkit release ledger; evalkit never overwrites it. Give "
            "another file with --ledger FILE, or move that file away")
        try:
            header = json.loads(first.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise foreign from None
        if not isinstance(header, dict) or header.get("evalkit") != LEDGER_FORMAT:
            raise foreign
        # POSIX permission bits; Windows keeps access in ACLs, which evalkit cannot judge.
        if os.name != "nt" and info.st_mode & 0o077:
            raise LedgerError(
                f"the release ledger {given} can be read or changed by other users "
                f"(permissions {stat.filemode(info.st_mode)}); it holds exact counts: make it "
                f"private with 'chmod 600 {real}'")
        if header.get("version") != LEDGER_VERSION:
            raise LedgerError(f"the release ledger {given} was written by another version of "
                              "evalkit (format version differs); use that version, or give "
                              "another --ledger FILE")
        salt = header.get("salt")
        if not isinstance(salt, str) or len(salt) != 32 or not _is_hex(salt):
            raise LedgerError(f"the release ledger {given} is damaged (its header line); "
                              "evalkit did not change it. Restore it from a backup")
        releases = []
        try:
            lines = rest.decode("utf-8").split("\n")
        except UnicodeDecodeError:
            raise LedgerError(f"the release ledger {given} is damaged (it is not UTF-8 text); "
                              "evalkit did not change it. Restore it from a backup") from None
        for number, text in enumerate(lines, start=2):
            if not text.strip():
                continue
            try:
                releases.append(Release.from_line(text))
            except ValueError:
                raise LedgerError(
                    f"the release ledger {given} is damaged at line {number}; evalkit did not "
                    "change it. Restore it from a backup, or remove that line by hand (the "
                    "report it describes is then no longer checked against)") from None
        return cls(real, salt, releases)

    def release(self, *, dataset: Dataset, page_dataset: Dataset, policy: Policy,
                period: str | None, months: tuple[pd.Period, pd.Period] | None,
                period_text: str, title: str, date: str, fingerprint: str,
                version: str) -> Release:
        """What a report about to be made would publish, with this ledger's salt.

        Parameters
        ----------
        dataset
            The whole data folder (for the lineage marks).
        page_dataset
            The data restricted to the report's period (for the people bases).
        policy
            The report's policy.
        period
            ``--period`` as given, or None.
        months
            The months the report covers, or None when the data have no dates.
        period_text
            The period in words.
        title
            The report's title.
        date
            Today, ``YYYY-MM-DD``.
        fingerprint
            The data files' fingerprint.
        version
            The evalkit version.

        Returns
        -------
        Release
            The release, not yet recorded.

        Examples
        --------
        >>> import tempfile, evalkit
        >>> book = Ledger.open(Path(tempfile.mkdtemp()) / "ledger.jsonl")
        >>> people = evalkit.load("data/sample").participants  # a folder of one file, for speed
        >>> whole = Dataset("participants only", {"participants": people})
        >>> release = book.release(dataset=whole, page_dataset=whole, policy=Policy("funder"),
        ...                        period=None, months=None, period_text="all", title="Sample",
        ...                        date="2026-01-01", fingerprint="f", version="0.1")
        >>> release.min_cell, bool(release.marks), bool(release.bases)
        (5, True, True)
        """
        return Release(date=date, title=title, period=period, period_text=period_text,
                       months=_months_text(months), min_cell=int(policy.min_cell),
                       fingerprint=fingerprint, marks=list(lineage_marks(dataset, self.salt)),
                       bases=published_counts(page_dataset, policy, self.salt), version=version)

    def check(self, release: Release) -> None:
        """Refuse ``release`` when, with an earlier one, it would let a hidden count be derived.

        Parameters
        ----------
        release
            The new report's release.

        Raises
        ------
        LedgerError
            Naming the first earlier report it conflicts with (date, title, period; no count).

        Examples
        --------
        >>> import tempfile
        >>> book = Ledger.open(Path(tempfile.mkdtemp()) / "ledger.jsonl")
        >>> book.releases.append(Release("2026-03-01", "Board", None, "all", None, 5, "f", [],
        ...                              {}, "v"))
        >>> book.check(Release("2026-03-02", "Board", None, "all", None, 3, "f", [], {}, "v"))
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        evalkit.publish.ledger.LedgerError: this funder report is refused: the earlier ...
        """
        for earlier in self.releases:
            reason = release.conflict(earlier)
            if reason:
                raise LedgerError(
                    f"this funder report is refused: {reason}. Nothing was written. (The "
                    f"release ledger {self.path} records every funder report; see 'The "
                    "release ledger' in docs/disclosure.md.)")

    @contextmanager
    def recording(self, release: Release) -> Iterator[None]:
        """Hold the ledger while a report is made; record ``release`` when it was made.

        On entry the ledger is locked, read again and ``release`` checked (:meth:`check`), so a
        refused report is refused before anything is written. When the block ends normally the
        release is added (unless the same release is already there) by writing a new ledger
        beside the old one and renaming it into place; when it raises, nothing is recorded.

        Parameters
        ----------
        release
            The new report's release.

        Yields
        ------
        None
            While the report is made.

        Raises
        ------
        LedgerError
            When another report holds the ledger, the ledger changed into something that is not
            a ledger, or ``release`` is refused.

        Examples
        --------
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "evalkit" / "ledger.jsonl"
        >>> book = Ledger.open(path)
        >>> release = Release("2026-03-01", "Board", None, "all", None, 5, "f", [], {}, "v")
        >>> with book.recording(release):
        ...     pass  # the report is written here
        >>> [r.title for r in Ledger.open(path).releases], oct(path.stat().st_mode & 0o777)
        (['Board'], '0o600')
        """
        lock = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise LedgerError(f"cannot use the release ledger {self.path} ({exc.strerror})"
                              ) from None
        try:
            if not _try_lock(fd):
                raise LedgerError(f"the release ledger {self.path} is in use by another "
                                  "evalkit report; wait for it to finish and run again")
            current = Ledger.open(self.path)  # another report may have been recorded meanwhile
            if current.releases and current.salt != self.salt:
                raise LedgerError(f"the release ledger {self.path} was started by another "
                                  "evalkit report while this one was being prepared; run again")
            self.releases = current.releases
            self.check(release)
            yield
            if not any(release.same_release(r) for r in self.releases):
                stamped = Release(**{**asdict(release), "recorded":
                                     _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")})
                self._write([*self.releases, stamped])
                self.releases.append(stamped)
        finally:
            os.close(fd)  # closing the file releases the lock

    def _write(self, releases: list[Release]) -> None:
        header = json.dumps({"evalkit": LEDGER_FORMAT, "version": LEDGER_VERSION,
                             "salt": self.salt}, separators=(",", ":"))
        text = "\n".join([header, *(r.line() for r in releases)]) + "\n"
        with signals_held():  # a Ctrl-C now would leave a temporary file behind
            fd, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                             dir=self.path.parent)  # mode 0600
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, self.path)
            except OSError as exc:
                with suppress(OSError):
                    os.unlink(temporary)
                raise LedgerError(f"the report was written, but the release ledger "
                                  f"{self.path} could not be updated ({exc.strerror}); it is as "
                                  "it was. Do not release this report until it is recorded: "
                                  "run the same report again") from None
            _sync_folder(self.path.parent)


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789abcdef" for ch in text)


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting; False when another process holds it."""
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); Windows cannot open a folder for this."""
    if os.name == "nt":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def open_ledger(option: str | os.PathLike | None, *, audience: str,
                forbidden: Sequence[tuple[Path, str]]) -> Ledger | None:
    """The ledger a report uses, from ``--ledger``; checked before any work starts.

    Parameters
    ----------
    option
        ``--ledger``: a file, ``"none"`` for no ledger, or None for :func:`default_ledger_path`.
    audience
        The report's audience: only funder reports use a ledger.
    forbidden
        ``(folder, what it is)`` pairs the ledger must not lie in.

    Returns
    -------
    Ledger or None
        None for ``"none"`` and for research and internal reports.

    Raises
    ------
    UsageError
        When a ledger file is given for a research or internal report.
    LedgerError
        When the ledger cannot be used (see :meth:`Ledger.open`).

    Examples
    --------
    >>> open_ledger("none", audience="funder", forbidden=()) is None
    True
    >>> open_ledger("ledger.jsonl", audience="internal", forbidden=())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    evalkit.errors.UsageError: --ledger is for funder reports: ...
    """
    none = option is not None and str(option).strip().lower() == LEDGER_NONE
    if audience != "funder":
        if option is not None and not none:
            raise UsageError("--ledger is for funder reports: research and internal reports "
                             "are neither checked against the ledger nor recorded in it")
        return None
    if none:
        return None
    if option is not None and not str(option).strip():
        raise UsageError("--ledger is empty; give a file, or 'none'")
    path = default_ledger_path() if option is None else Path(option)
    return Ledger.open(path, forbidden=forbidden)


def ledger_places(*, data_dir: Path, repo_root: Path | None, out_dir: Path
                  ) -> list[tuple[Path, str]]:
    """The folders a ledger must not lie in, as :meth:`Ledger.open` takes them.

    Parameters
    ----------
    data_dir
        The data folder.
    repo_root
        The evalkit checkout, or None.
    out_dir
        The report folder.

    Returns
    -------
    list of tuple
        ``(folder, what it is)`` pairs.

    Examples
    --------
    >>> [what for _, what in ledger_places(data_dir=Path("d"), repo_root=None, out_dir=Path("o"))]
    ['the data folder', 'the report folder']
    """
    places = [(Path(data_dir), "the data folder"), (Path(out_dir), "the report folder")]
    if repo_root is not None:
        places.append((Path(repo_root), "the evalkit checkout"))
    return places

