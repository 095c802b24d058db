"""Result tables and what their columns mean: the contract between analyses and readers.

Every table an analysis publishes is declared once, as a :class:`TableSpec`: its name (the CSV in
``results/``), a caption, and for each column a :class:`Col` giving its *kind*. The kind is what the
disclosure policy (:mod:`evalkit.publish.policy`) acts on, what the codebook describes and what
decides how a value is formatted on the page. A table whose columns do not match its declaration
cannot be published, so a new column cannot slip past the policy undeclared.

Kinds
-----
``label``      a group or category name (data-borne text: escaped wherever it is shown)
``number``     a number that names something and describes no one (a programme week, an item)
``people``     a count of people (or of accountability processes, each about one person)
``count``      a count of things that are not people (sessions, exercises, questionnaire items)
``share``      a fraction 0-1 of a ``part`` count out of a ``whole`` count of the same row
``statistic``  an estimate, mean, interval bound, test statistic or effect size
``p_value``    a p-value
``text``       a note written by evalkit (never data-borne)
``id``         a pseudonymous id: a table holding one is for the internal audience only
``month``      a calendar month
``flag``       true or false
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

#: The three readers of a report, one per user: ``funder`` (coarse figures for anyone outside
#: the team; the default), ``research`` (exact statistics for a researcher under a data-sharing
#: agreement; no lists of people) and ``internal`` (the programme team's working view).
AUDIENCES: tuple[str, ...] = ("funder", "research", "internal")

KINDS: dict[str, str] = {
    "label": "a group or category name",
    "number": "a number that names something (a week, a session, an item); describes no one",
    "people": "a count of people",
    "count": "a count of things that are not people (sessions, items, exercises)",
    "share": "a fraction from 0 to 1",
    "statistic": "an estimate, mean, interval bound, test statistic or effect size",
    "size": "a figure that gives away exactly how many people there are (degrees of freedom, a "
            "rank sum, a count of cells); internal reports only",
    "p_value": "a p-value",
    "text": "a note written by evalkit",
    "id": "a pseudonymous id (internal reports only)",
    "month": "a calendar month (YYYY-MM)",
    "flag": "true or false",
}

#: How a kind is shown unless a column says otherwise.
DEFAULT_FORMAT = {
    "label": "text", "number": "integer", "people": "integer", "count": "integer",
    "share": "percent", "statistic": "decimal", "size": "decimal", "p_value": "p", "text": "text", "id": "text",
    "month": "text", "flag": "flag",
}
FORMATS = ("text", "code", "integer", "decimal", "signed", "percent", "p", "flag")
"""``code`` shows a label verbatim (a file or column name); ``text`` turns codes into words."""


@dataclass(frozen=True)
class Col:
    """One column of a result table (or, in a metric table, one metric).

    Parameters
    ----------
    name
        Column name in the CSV (or the metric's name).
    kind
        One of :data:`KINDS`.
    description
        Plain words for the codebook.
    label
        Header shown on the page; defaults to the name with spaces.
    rests_on
        The ``people`` columns (or metrics) of the same row that the value was computed from (for a
        count of people, the group it describes). The funder policy withholds the value when any
        of them is below the reporting threshold.
    part, whole
        For ``share``: the count columns (or metrics) it is ``part / whole`` of. The policy also
        withholds a share whose part or whose rest (whole minus part) is small.
    fmt
        How the page shows the value: one of :data:`FORMATS`; defaults by kind.
    decimals
        Decimals shown for ``decimal``/``signed`` values (and kept in funder CSVs).
    follows
        Another column of the same row: this value is withheld wherever that one is not shown
        (an interval bound follows the estimate it bounds).
    split_by
        For a ``share`` whose rows split one whole (the bands of a wave): the columns that name
        the whole (``("wave",)``; ``()`` when the whole table is one split). The shares of a split
        add up to 1, so when one is withheld all of them are.
    needs
        For a value that is close to one person's own (a median or percentile): it is shown
        only when the people it rests on number at least ``needs`` times the reporting threshold.

    Examples
    --------
    >>> col = Col("attendance_rate", "share", "share of sessions attended", part="attended",
    ...           whole="scheduled", rests_on=("participants",))
    >>> col.header, col.format, col.bases
    ('attendance rate', 'percent', ('participants', 'attended', 'scheduled'))
    """

    name: str
    kind: str
    description: str
    label: str = ""
    rests_on: tuple[str, ...] = ()
    part: str | None = None
    whole: str | None = None
    fmt: str = ""
    decimals: int = 2
    follows: str | None = None
    split_by: tuple[str, ...] | None = None
    needs: int = 1

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if self.kind == "share" and not (self.part and self.whole):
            raise ValueError(f"{self.name}: a share needs its part and whole columns")
        if self.fmt and self.fmt not in FORMATS:
            raise ValueError(f"{self.name}: unknown format {self.fmt!r}")
        if self.split_by is not None and self.kind != "share":
            raise ValueError(f"{self.name}: only a share can split a whole")
        if self.needs > 1 and not self.rests_on:
            raise ValueError(f"{self.name}: needs more people than which? give rests_on")

    @property
    def header(self) -> str:
        """Header shown on the page: ``label``, or the name with spaces.
        """
        return self.label or self.name.replace("_", " ")

    @property
    def format(self) -> str:
        """How the page shows the value: ``fmt``, or the default of the kind.
        """
        return self.fmt or DEFAULT_FORMAT[self.kind]

    @property
    def bases(self) -> tuple[str, ...]:
        """Every count the value depends on, for the policy."""
        return tuple(dict.fromkeys([*self.rests_on, *[c for c in (self.part, self.whole,
                                                                  self.follows) if c]]))


def interval(method: str = "the 95% interval", *, label: str = "95% CI from",
             **options: Any) -> tuple[Col, Col]:
    """The ``ci_low`` and ``ci_high`` columns of an interval, described and labelled alike.

    The page merges the pair into one "95% CI" column; both bounds share the estimate's
    disclosure rule (``follows`` or ``rests_on``).

    Parameters
    ----------
    method
        What the interval is, for the codebook (``"the Wilson 95% interval"``).
    label
        Header of the lower bound on the page (the upper bound's is ``"to"``).
    **options
        Passed to both :class:`Col` (``fmt``, ``decimals``, ``follows``, ``rests_on``).

    Returns
    -------
    tuple of Col
        ``(ci_low, ci_high)``.

    Examples
    --------
    >>> low, high = interval("the Wilson 95% interval", fmt="percent", follows="share")
    >>> low.description, high.header, high.follows
    ('lower end of the Wilson 95% interval', 'to', 'share')
    """
    return (Col("ci_low", "statistic", f"lower end of {method}", label=label, **options),
            Col("ci_high", "statistic", f"upper end of {method}", label="to", **options))


@dataclass(frozen=True)
class TableSpec:
    """A published result table.

    Parameters
    ----------
    name
        File stem in ``results/`` (``attendance_by_week`` -> ``attendance_by_week.csv``).
    title
        Caption on the page.
    columns
        Every column, in order. A metric table has columns ``metric`` and ``value`` (and optionally
        ``ci_low``/``ci_high``) and lists its metrics in ``metrics`` instead.
    metrics
        For a metric table: one :class:`Col` per metric (row).
    unit
        What its people counts count (``participants``, ``practitioners``, ``processes``, ...).
    internal
        Rows describe single people or processes: never shown outside the team.
    appendix
        Detailed statistics for researchers: the funder page puts them in an appendix.
    audiences
        The audiences that see the table at all (a subset of :data:`AUDIENCES`). Empty (the
        default) means every audience, or only ``internal`` when ``internal`` is set.
    needs_at_least
        A ``people`` metric or column: unless every value of it is at least the threshold, the
        whole table is withheld from the funder audience (an analysis of very few processes).

    Raises
    ------
    ValueError
        When a column is declared twice, a column rests on an undeclared one, a metric table
        does not start with ``metric, value``, or a table with an id column is not internal.

    Examples
    --------
    >>> spec = TableSpec("sessions_by_site", "Sessions held at each site",
    ...                  (Col("site", "label", "delivery site"),
    ...                   Col("sessions", "count", "sessions held")), unit="sessions")
    >>> spec.codebook()[["column", "kind"]]
         column   kind
    0      site  label
    1  sessions  count
    """

    name: str
    title: str
    columns: tuple[Col, ...]
    metrics: tuple[Col, ...] = ()
    unit: str = "people"
    internal: bool = False
    appendix: bool = False
    audiences: tuple[str, ...] = ()
    needs_at_least: str | None = None

    def __post_init__(self):
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a column is declared twice")
        known = set(names) | {m.name for m in self.metrics}
        for col in (*self.columns, *self.metrics):
            missing = [b for b in col.bases if b not in known]
            if missing:
                raise ValueError(f"{self.name}.{col.name}: rests on undeclared {missing}")
        if self.metrics and names[:2] != ["metric", "value"]:
            raise ValueError(f"{self.name}: a metric table starts with columns metric, value")
        if any(c.kind == "id" for c in self.columns) and not self.internal:
            raise ValueError(f"{self.name}: a table with an id column must be internal")
        unknown = [a for a in self.audiences if a not in AUDIENCES]
        if unknown:
            raise ValueError(f"{self.name}: unknown audiences {unknown}")
        if self.internal and set(self.audiences) - {"internal"}:
            raise ValueError(f"{self.name}: a table of single people is for the internal "
                             "audience only")

    @property
    def shown_to(self) -> tuple[str, ...]:
        """The audiences that see this table at all.

        Examples
        --------
        >>> TableSpec("t", "T", (Col("x", "label", "x"),), internal=True).shown_to
        ('internal',)
        >>> TableSpec("t", "T", (Col("x", "label", "x"),)).shown_to
        ('funder', 'research', 'internal')
        """
        if self.audiences:
            return tuple(a for a in AUDIENCES if a in self.audiences)
        return ("internal",) if self.internal else AUDIENCES

    @property
    def is_metric_table(self) -> bool:
        """Whether the table lists metrics (one row each) rather than columns of results.
        """
        return bool(self.metrics)

    def col(self, name: str) -> Col:
        """The declaration of a column or a metric.

        Parameters
        ----------
        name
            A column or metric name.

        Returns
        -------
        Col
            Its declaration.

        Raises
        ------
        KeyError
            When the table declares no such column or metric.

        Examples
        --------
        >>> spec = TableSpec("sessions_by_site", "Sessions held at each site",
        ...                  (Col("site", "label", "delivery site"),
        ...                   Col("sessions", "count", "sessions held")), unit="sessions")
        >>> spec.col("sessions").kind
        'count'
        """
        for col in (*self.columns, *self.metrics):
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column or metric {name!r}")

    def check(self, frame: pd.DataFrame) -> None:
        """Refuse a frame whose columns (or metrics) differ from the declaration.

        Parameters
        ----------
        frame
            A result table, about to be published.

        Raises
        ------
        ValueError
            When its columns are not exactly the declared ones, in order, or it has an undeclared
            metric.

        Examples
        --------
        >>> spec = TableSpec("sessions_by_site", "Sessions held at each site",
        ...                  (Col("site", "label", "delivery site"),
        ...                   Col("sessions", "count", "sessions held")), unit="sessions")
        >>> spec.check(pd.DataFrame({"site": ["north"], "sessions": [96]}))
        >>> spec.check(pd.DataFrame({"sessions": [96], "site": ["north"]}))
        Traceback (most recent call last):
        ...
        ValueError: sessions_by_site: columns ['sessions', 'site'] differ from the declared ['site', 'sessions']
        """
        declared = [c.name for c in self.columns]
        if list(frame.columns) != declared:
            raise ValueError(f"{self.name}: columns {list(frame.columns)} differ from the "
                             f"declared {declared}")
        if self.metrics:
            unknown = sorted(set(frame["metric"]) - {m.name for m in self.metrics})
            if unknown:
                raise ValueError(f"{self.name}: undeclared metrics {unknown}")

    def codebook(self) -> pd.DataFrame:
        """Rows of ``results/codebook.csv`` for this table.

        Returns
        -------
        DataFrame
            table, column, metric ("" for a column; a metric table lists each metric under
            ``value``), kind, description.

        Examples
        --------
        >>> spec = TableSpec("sessions_by_site", "Sessions held at each site",
        ...                  (Col("site", "label", "delivery site"),
        ...                   Col("sessions", "count", "sessions held")), unit="sessions")
        >>> spec.codebook().loc[1].tolist()
        ['sessions_by_site', 'sessions', '', 'count', 'sessions held']
        """
        rows = [{"table": self.name, "column": c.name, "metric": "", "kind": c.kind,
                 "description": c.description} for c in self.columns]
        rows += [{"table": self.name, "column": "value", "metric": m.name, "kind": m.kind,
                  "description": m.description} for m in self.metrics]
        return pd.DataFrame(rows, columns=["table", "column", "metric", "kind", "description"])


def metric_frame(values: dict[str, object], *,
                 intervals: dict[str, tuple[float, float]] | None = None,
                 with_interval: bool = False) -> pd.DataFrame:
    """A metric table (``metric, value`` and optionally ``ci_low, ci_high``) from a dict.

    Parameters
    ----------
    values
        Metric name -> value, in the order the rows should have.
    intervals
        Metric name -> ``(low, high)``; metrics without one get NaN bounds.
    with_interval
        Add the ``ci_low`` and ``ci_high`` columns.

    Returns
    -------
    DataFrame
        One row per metric; ``value`` holds objects, so counts stay whole numbers.

    Examples
    --------
    >>> metric_frame({"participants": 12, "attendance_rate": 0.5},
    ...              intervals={"attendance_rate": (0.4, 0.6)}, with_interval=True)
                metric value  ci_low  ci_high
    0     participants    12     NaN      NaN
    1  attendance_rate   0.5     0.4      0.6
    """
    frame = pd.DataFrame({"metric": list(values),
                          "value": pd.Series(list(values.values()), dtype=object)})
    if with_interval:
        intervals = intervals or {}
        frame["ci_low"] = [float(intervals.get(m, (float("nan"),) * 2)[0]) for m in values]
        frame["ci_high"] = [float(intervals.get(m, (float("nan"),) * 2)[1]) for m in values]
    return frame
