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
``size``       a figure that gives the exact number of people away (degrees of freedom)
``modal``      how many of a row's people share its most common value (for the attribute rule)

What a funder sees
------------------
A funder sees a column only when it declares a *funder form* (``Col(funder=...)``, one of
:data:`FUNDER_FORMS`): an allow-list, so a column added without one never reaches a funder. A
table with no such column is not part of a funder report at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    "modal": "how many of the row's people share its most common value; with the people count "
             "it tells whether a mean or percentile would give everyone's value away; never "
             "shown to a funder",
    "month": "a calendar month (YYYY-MM)",
    "flag": "true or false",
}

#: How a kind is shown unless a column says otherwise.
DEFAULT_FORMAT = {
    "label": "text", "number": "integer", "people": "integer", "count": "integer",
    "share": "percent", "statistic": "decimal", "size": "decimal", "p_value": "p", "text": "text", "id": "text",
    "month": "text", "flag": "flag", "modal": "integer",
}
FORMATS = ("text", "code", "integer", "decimal", "signed", "percent", "p", "flag")
"""``code`` shows a label verbatim (a file or column name); ``text`` turns codes into words."""

#: How a funder sees a column, by the form it declares (``Col(funder=...)``); a column without
#: one is not shown to a funder. The rules are applied by :mod:`evalkit.publish.policy`.
FUNDER_FORMS: dict[str, str] = {
    "shown": "as it is: a label, a number naming something, a count of things that are not "
             "people, a month, a flag, or a note without numbers in it",
    "rounded": "a count of people rounded to the nearest 5 (\u2248), or <5 below the threshold",
    "percent": "a share of people: of the rounded counts, in whole percent; of other things: "
               "in steps worth at least 5 of its whole (1 to 25 points); withheld when its "
               "part, its whole or the rest is below the threshold",
    "mean": "one decimal, only for groups of at least twice the threshold",
    "change": "a mean change in words to one decimal (\"fell by about 0.4\"), only for groups "
              "of at least twice the threshold",
    "quantile": "a median, quartile or percentile in whole units (or whole percent)",
    "interval": "an interval bound rounded outwards (to 5 points, or the share's step, for "
                "percentages, to 0.1 "
                "otherwise), shown only where its estimate is",
}
#: The kinds each funder form may be declared on. ``size``, ``modal``, ``p_value`` and ``id``
#: have none: no degrees of freedom, modal count, exact p-value or id reaches a funder.
FUNDER_KINDS: dict[str, frozenset[str]] = {
    "shown": frozenset({"label", "number", "count", "month", "flag", "text"}),
    "rounded": frozenset({"people"}),
    "percent": frozenset({"share", "statistic"}),
    "mean": frozenset({"statistic"}), "change": frozenset({"statistic"}),
    "quantile": frozenset({"statistic"}), "interval": frozenset({"statistic"}),
}


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
    funder
        How a funder sees the column: one of :data:`FUNDER_FORMS`; empty (the default) means a
        funder never sees it.
    modal
        For a mean, percentile or interval: the ``modal`` column of the same row counting the
        people at the most common value. A funder sees the value only when at least the
        reporting threshold of the people it rests on differ from that value (six
        practitioners all at a scale's maximum would otherwise show everyone's score).
    split_parts
        For a ``share`` that is one part (or a union of parts) of a split whose parts are other
        metrics or columns of the same row (a key figure beside a table of bands): the ``people``
        counts of every part. The policy shows it only when every part's share could be shown.
    steps_along
        For a ``share`` of those still in at successive points (still on the programme after
        each milestone week): the columns naming one series, then the column it steps along
        (``("group_by", "group", "week")``). Its rest (whole minus part: those who have left)
        grows along a series, and the growth between two shares shown is a count of people (who
        left between them): the policy withholds a share unless at least the reporting threshold
        left since the previous share shown of its series.
    clustered
        For a ``share`` of people's sessions whose interval allows for each person's sessions
        being alike (a cluster-aware interval): a funder sees no interval of it, since one
        computed from the rounded counts shown would be too narrow.
    bounded
        For a statistic that cannot exceed 1 in size (a correlation, Cronbach's alpha, a share
        of variance, an epsilon): the research report writes it without a leading zero
        (``.45``), as APA style does.
    empty
        What the page writes in an empty cell of this column instead of ``n/a`` (``"never"``
        for the date someone last attended, when they never did); the CSV cell stays empty.

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
    funder: str = ""
    modal: str | None = None
    split_parts: tuple[str, ...] = ()
    steps_along: tuple[str, ...] = ()
    clustered: bool = False
    bounded: bool = False
    empty: str = ""

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
        if self.funder:
            if self.funder not in FUNDER_FORMS:
                raise ValueError(f"{self.name}: unknown funder form {self.funder!r}")
            if self.kind not in FUNDER_KINDS[self.funder]:
                raise ValueError(f"{self.name}: a {self.kind} column cannot be shown to a funder "
                                 f"as {self.funder!r}")
            if self.funder == "percent" and self.kind == "statistic" and self.fmt != "percent":
                raise ValueError(f"{self.name}: only a percentage can be shown as 'percent'")
            if self.funder in ("mean", "change", "quantile") and not self.rests_on:
                raise ValueError(f"{self.name}: a funder {self.funder} needs rests_on")
            if self.funder == "quantile" and self.needs < 2:
                raise ValueError(f"{self.name}: a percentile needs at least twice the threshold")
        if self.split_parts and self.kind != "share":
            raise ValueError(f"{self.name}: only a share is part of a split")
        if self.steps_along and self.kind != "share":
            raise ValueError(f"{self.name}: only a share steps along a series")
        if self.bounded and (self.kind != "statistic" or self.format not in ("decimal", "signed")):
            raise ValueError(f"{self.name}: only a decimal statistic is bounded by 1")
        if self.modal and not self.rests_on:
            raise ValueError(f"{self.name}: a modal count of which people? give rests_on")

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
                                                                  self.follows, self.modal)
                                                      if c], *self.split_parts]))


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


def _inheriting_rests(cols: tuple[Col, ...]) -> tuple[Col, ...]:
    """``cols`` with each one's ``rests_on`` closed over the counts it is made from."""
    by_name = {c.name: c for c in cols}

    def rests(col: Col, seen: frozenset[str]) -> list[str]:
        found = list(col.rests_on)
        for name in (*col.rests_on, col.part, col.whole):
            if name in by_name and name not in seen:
                found += rests(by_name[name], seen | {name})
        return found

    out = []
    for col in cols:
        closed = tuple(dict.fromkeys(rests(col, frozenset({col.name}))))
        out.append(col if closed == col.rests_on else replace(col, rests_on=closed))
    return tuple(out)


@dataclass(frozen=True)
class TableSpec:
    """A published result table.

    A figure made from counts that rest on people rests on those people too: a column's
    ``rests_on`` gains, transitively, the ``rests_on`` of every count it is made from (its
    ``part``, ``whole`` and ``rests_on``), so a share of absences is withheld when the absences
    are those of too few participants.

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
        default) means every audience, or only ``internal`` when ``internal`` is set. Either
        way a funder sees the table only when it declares funder columns (or, in a metric
        table, funder metrics).
    needs_at_least
        A ``people`` metric or column: unless every value of it is at least the threshold, the
        whole table is withheld from the funder audience (an analysis of very few processes).
    adds_up_by
        Columns naming groups of rows whose scores add up (a total and its subscales in one
        wave): a funder sees the scores of such a group together or not at all, because a total
        less its shown parts gives back the part that was withheld.

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
    adds_up_by: tuple[str, ...] = ()

    def __post_init__(self):
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a column is declared twice")
        known = set(names) | {m.name for m in self.metrics}
        for col in (*self.columns, *self.metrics):
            missing = [b for b in col.bases if b not in known]
            if missing:
                raise ValueError(f"{self.name}.{col.name}: rests on undeclared {missing}")
        missing = [c for c in self.adds_up_by if c not in names]
        if missing:
            raise ValueError(f"{self.name}: adds up by undeclared {missing}")
        if self.adds_up_by and self.metrics:
            raise ValueError(f"{self.name}: adds_up_by groups rows of results, and a metric "
                             "table has none")
        object.__setattr__(self, "columns", _inheriting_rests(self.columns))
        object.__setattr__(self, "metrics", _inheriting_rests(self.metrics))
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
        if self.internal and any(c.funder for c in (*self.columns, *self.metrics)):
            raise ValueError(f"{self.name}: a table of single people has no funder columns")
        for col in self.columns:
            if col.funder == "interval" and not self.metrics and not col.follows:
                raise ValueError(f"{self.name}.{col.name}: a funder interval follows its "
                                 "estimate")
        for col in (*self.columns, *self.metrics):
            if col.modal and self.col(col.modal).kind != "modal":
                raise ValueError(f"{self.name}.{col.name}: {col.modal} is not a modal count")

    @property
    def shown_to(self) -> tuple[str, ...]:
        """The audiences that see this table at all.

        Examples
        --------
        >>> TableSpec("t", "T", (Col("x", "label", "x"),), internal=True).shown_to
        ('internal',)
        >>> TableSpec("t", "T", (Col("x", "label", "x", funder="shown"),)).shown_to
        ('funder', 'research', 'internal')
        >>> TableSpec("t", "T", (Col("x", "label", "x"),)).shown_to  # no funder column
        ('research', 'internal')
        """
        if self.audiences:
            audiences = tuple(a for a in AUDIENCES if a in self.audiences)
        else:
            audiences = ("internal",) if self.internal else AUDIENCES
        if not (self.funder_metrics if self.is_metric_table else self.funder_columns):
            audiences = tuple(a for a in audiences if a != "funder")
        return audiences

    def for_funder(self, **forms: str) -> TableSpec:
        """This table with what a funder sees of it declared: column (or metric) -> funder form.

        The allow-list of the table, in one place beside its declaration; every column or
        metric not named stays out of funder reports.

        Parameters
        ----------
        **forms
            Column or metric name -> one of :data:`FUNDER_FORMS`.

        Returns
        -------
        TableSpec
            A copy whose named columns carry their funder form.

        Raises
        ------
        ValueError
            When a name is not a column or metric of the table, or a form does not fit its kind.

        Examples
        --------
        >>> spec = TableSpec("by_site", "People by site", (
        ...     Col("site", "label", "site"), Col("n", "people", "people"),
        ...     Col("sd", "statistic", "SD", rests_on=("n",)))).for_funder(site="shown",
        ...                                                               n="rounded")
        >>> spec.funder_columns
        ('site', 'n')
        """
        known = {c.name for c in (*self.columns, *self.metrics)}
        unknown = sorted(set(forms) - known)
        if unknown:
            raise ValueError(f"{self.name}: no column or metric {unknown} to show a funder")

        def declared(col: Col) -> Col:
            return replace(col, funder=forms[col.name]) if col.name in forms else col

        return replace(self, columns=tuple(map(declared, self.columns)),
                       metrics=tuple(map(declared, self.metrics)))

    @property
    def funder_columns(self) -> tuple[str, ...]:
        """The columns a funder sees (the allow-list): those that declare a funder form.

        In a metric table, ``metric`` and ``value`` when any metric is for funders, and the
        interval columns when they declare a form.

        Examples
        --------
        >>> TableSpec("t", "T", (Col("site", "label", "site", funder="shown"),
        ...                      Col("n", "people", "people", funder="rounded"),
        ...                      Col("sd", "statistic", "SD", rests_on=("n",)))).funder_columns
        ('site', 'n')
        """
        if self.is_metric_table:
            if not self.funder_metrics:
                return ()
            return tuple(c.name for c in self.columns
                         if c.name in ("metric", "value") or c.funder)
        return tuple(c.name for c in self.columns if c.funder)

    @property
    def funder_metrics(self) -> tuple[str, ...]:
        """In a metric table, the metrics (rows) a funder sees.

        Examples
        --------
        >>> TableSpec("t", "T", (Col("metric", "label", "m"), Col("value", "statistic", "v")),
        ...           metrics=(Col("people", "people", "people", funder="rounded"),
        ...                    Col("rows", "people", "rows"))).funder_metrics
        ('people',)
        """
        return tuple(m.name for m in self.metrics if m.funder)

    def columns_for(self, audience: str) -> tuple[str, ...]:
        """The columns ``audience`` sees: the allow-list for a funder, every column otherwise.

        Parameters
        ----------
        audience
            One of :data:`AUDIENCES`.

        Returns
        -------
        tuple of str
            Column names, in the table's order.

        Examples
        --------
        >>> spec = TableSpec("t", "T", (Col("n", "people", "people", funder="rounded"),
        ...                             Col("df", "size", "degrees of freedom")))
        >>> spec.columns_for("funder"), spec.columns_for("research")
        (('n',), ('n', 'df'))
        """
        if audience == "funder":
            return self.funder_columns
        return tuple(c.name for c in self.columns)

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

    def codebook(self, audience: str = "internal") -> pd.DataFrame:
        """Rows of ``results/codebook.csv`` for this table.

        Parameters
        ----------
        audience
            For ``"funder"``, only the columns and metrics a funder sees, each described with
            how it was coarsened.

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
        funder = audience == "funder"

        def described(col: Col) -> str:
            if funder and col.funder != "shown":
                return f"{col.description} ({FUNDER_FORMS[col.funder]})"
            return col.description

        shown = self.columns_for(audience)
        rows = [{"table": self.name, "column": c.name, "metric": "", "kind": c.kind,
                 "description": described(c) if c.name not in ("metric", "value") or not
                 self.is_metric_table else c.description}
                for c in self.columns if c.name in shown]
        rows += [{"table": self.name, "column": "value", "metric": m.name, "kind": m.kind,
                  "description": described(m)} for m in self.metrics
                 if not funder or m.funder]
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


def modal_count(values: Any) -> int:
    """How many of ``values`` share the most common value (blanks left out; 0 when none).

    The count behind the attribute rule: a mean, percentile or interval of a group in which all
    but a few people share one value (everyone at a scale's maximum, an SD of 0) tells each of
    them their neighbours' scores, so a funder sees it only when enough people differ from the
    most common value. Values equal to nine decimals count as one.

    Parameters
    ----------
    values
        The scores (or changes) a figure is computed from.

    Returns
    -------
    int
        The number of values at the mode.

    Examples
    --------
    >>> modal_count([85, 85, 85, 80, None]), modal_count([]), modal_count([1.0, 2.0])
    (3, 0, 1)
    """
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").dropna()
    if numbers.empty:
        return 0
    return int(numbers.astype(float).round(9).value_counts().iloc[0])


def pairs_modal_count(before: Any, after: Any) -> int:
    """How many complete pairs share the most common change, earlier score or later score.

    The attribute rule of a mean change: a change shown beside the mean of one wave gives the
    mean of the other, so when all but a few of the pairs share one score at either wave, the
    change gives that score away as surely as the wave's own mean would. The largest of the three
    modal counts (:func:`modal_count`) is the one the rule needs.

    Parameters
    ----------
    before, after
        The pairs' scores at the earlier and the later wave, in the same order; a pair with a blank
        on either side is left out.

    Returns
    -------
    int
        The number of pairs at the most common change, earlier score or later score.

    Examples
    --------
    >>> pairs_modal_count([3, 4, 5, None], [5, 5, 5, 2])  # changes 2, 1, 0; all three end at 5
    3
    >>> pairs_modal_count([1, 2, 3], [2, 3, 4])  # everyone rose by one
    3
    >>> pairs_modal_count([1, 2, 3], [3, 1, 4])
    1
    """
    frame = pd.DataFrame({
        "before": pd.to_numeric(pd.Series(list(before), dtype=object), errors="coerce"),
        "after": pd.to_numeric(pd.Series(list(after), dtype=object), errors="coerce"),
    }).dropna()
    return max(modal_count(frame["after"] - frame["before"]), modal_count(frame["before"]),
               modal_count(frame["after"]))


def modal_counts(data: pd.DataFrame, *, dv: str, between: str | list[str]) -> pd.Series:
    """:func:`modal_count` of ``dv`` in each group of ``between``.

    Parameters
    ----------
    data
        Long table, one row per person (and group).
    dv
        The column whose most common value is counted.
    between
        The grouping column(s).

    Returns
    -------
    Series
        Indexed by the groups (as text); 0 for a group with no values.

    Examples
    --------
    >>> forms = pd.DataFrame({"wave": ["a", "a", "a", "b"], "score": [5, 5, 4, 3]})
    >>> modal_counts(forms, dv="score", between="wave").to_dict()
    {'a': 2, 'b': 1}
    """
    keys = [between] if isinstance(between, str) else list(between)
    frame = data.assign(**{k: data[k].astype(str) for k in keys})
    return frame.groupby(keys, sort=False, observed=True)[dv].agg(modal_count)


def modal(description: str = "people at the most common value", *,
          name: str = "at_mode") -> Col:
    """The ``modal`` column a mean or percentile names in ``Col(modal=...)``.

    Parameters
    ----------
    description
        What the most common value is of, for the codebook.
    name
        Column (or metric) name.

    Returns
    -------
    Col
        A column of kind ``modal`` (never shown to a funder).

    Examples
    --------
    >>> modal("practitioners at the most common score").kind
    'modal'
    """
    return Col(name, "modal", description, label="at the most common value")
