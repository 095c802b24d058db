"""The disclosure policy: the one place that decides what an audience may see.

Every table a reader sees passes through :meth:`Policy.apply`, which acts on the declared kind of
each column (:mod:`evalkit.analyses.tables`). Notebooks never choose what to hide.

``internal`` (the programme team): everything, exactly.

``research`` (a researcher under a data-sharing agreement): every exact figure of every table that
is not about single people.

``funder`` (anyone outside the team; the default of ``evalkit report``) is coarse by
construction. A funder sees only the columns a table declares for funders (``Col(funder=...)``,
an allow-list; see :data:`evalkit.analyses.tables.FUNDER_FORMS`), so no standard deviation, test
statistic, degree of freedom, effect size, standard error, model coefficient or p-value reaches
a funder unless someone declares it, and the declarations carry none. What is declared is
coarsened, following the practice of official statistics:

* a count of people below ``min_cell`` (zero included) is shown as ``<5`` (for ``min_cell`` 5); every
  other count of people is rounded to the nearest 5 and reads ``≈35``. A count that describes a
  group of people (the sessions they attended, the demands of some processes) is withheld when
  that group has fewer than ``min_cell`` people. Rounding every count, totals included, means
  no hidden count can be worked back by subtracting shown ones, within a table or across tables;
* a share of people is the share of the rounded counts shown (the rounded part over the
  rounded whole), in whole percent, and its interval the Wilson interval of those rounded
  counts, rounded outwards to 5 points, so a row says nothing its rounded counts do not; a
  share of other things (sessions, demands) moves in steps worth at least 5 of its whole
  (:func:`share_step`); no share is shown of a whole below about 25 (``≈25``); it is
  withheld when its whole, its part or the rest of the whole is below ``min_cell`` (so never 0% or
  100%), or when the people it rests on are; the shown shares of one split are rounded so that
  they add up to 100%;
* a mean (or mean change) is shown to one decimal, and only for groups of at least twice
  ``min_cell``; a change reads in words ("fell by about 0.4"); a median or percentile is shown in
  whole units and needs ``needs`` times ``min_cell`` people; an interval is rounded outwards (to 5
  points for a percentage, to 0.1 otherwise) and shown only where its estimate is;
* a mean, percentile or interval of a group in which all but fewer than ``min_cell`` people share
  one value (an SD of 0, everyone at a scale's maximum) is withheld (attribute disclosure);
* a share of those still in at successive points (retention after each milestone week,
  ``steps_along``) is withheld unless at least ``min_cell`` people left since the previous share
  shown of its series: two shown shares would otherwise give the few who left between them;
* shares that split one whole (the bands of a wave) are all withheld when one of them is, since
  the hidden one is one minus the others; a share declared as one part of a split
  (``split_parts``: a key-figure card beside the table of bands) is shown only when every part's
  share could be, by the same share rule;
* a value whose people are too few is withheld even when it could not have been computed, so
  "withheld" and "n/a" never tell one small group size from another;
* a note (a ``text`` column) holding a digit or a number word is withheld, so no count travels in
  words;
* a table whose rows are single people or processes (``internal``), a table with no funder
  columns, or an analysis resting on fewer than ``min_cell`` processes (``needs_at_least``), is
  not shown at all;
* ``min_cell`` below 3 is refused.

Methods are described for readers in ``docs/disclosure.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..analyses.tables import AUDIENCES, Col, TableSpec
from ..errors import UsageError
from ..stats.proportions import wilson_interval
from .formatting import (
    OMITTED,
    P_FLOOR,
    SHOWN,
    SMALL,
    UNDEFINED,
    UNDEFINED_TEXT,
    WITHHELD,
    cell_text,
    csv_cell,
    figure_text,
    plain_value,
    small_text,
)

DEFAULT_MIN_CELL = 5
SMALLEST_MIN_CELL = 3
ROUND_TO = 5
#: Funder percentage intervals are widened to multiples of this (5 percentage points).
OUTWARD_STEP = 0.05
#: The steps a funder share is shown in, finest first; each divides 100%.
SHARE_STEPS = (0.01, 0.02, 0.05, 0.10, 0.20, 0.25)
#: The policed stand-in for a funder p-value below 0.001 (shown as "<0.001").
P_BELOW = 0.0005

#: Funder means, changes and their intervals keep one decimal (groups of twice ``min_cell``).
MEAN_DECIMALS = 1
#: Funder means and changes need groups of at least this many times ``min_cell``.
MEAN_NEEDS = 2
# A digit, or a number in words ("two items", "a single form", "both waves", "none of them").
_NUMBER_IN_TEXT = (r"(?i)\d|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
                   r"|twelve|single|both|none|nobody|half|twice)\b")


def round_count(value: float) -> int:
    """A count rounded to the nearest multiple of 5 (halves cannot occur for whole counts).

    Parameters
    ----------
    value
        A whole count.

    Returns
    -------
    int
        The nearest multiple of 5.

    Examples
    --------
    >>> [round_count(v) for v in (5, 7, 8, 12, 13, 130)]
    [5, 5, 10, 10, 15, 130]
    """
    return int(math.floor(value / ROUND_TO + 0.5)) * ROUND_TO


def share_step(whole: float) -> float:
    """The step a funder share of ``whole`` is shown in: never finer than a rounded count.

    A whole percent of a whole of 22 moves by 4.5 points per person: beside the whole's
    rounded count (≈20, so 18 to 22) it would pin the part, where the part's own count is
    rounded to 5. So a share moves in the finest of :data:`SHARE_STEPS` in which one step is
    at least 5 people (:data:`ROUND_TO`) of the smallest whole the rounded count could stand
    for, and the step is chosen from that rounded count, which the page shows anyway. Where
    even a step of a quarter is finer than that, no share of the whole is shown.

    Parameters
    ----------
    whole
        The exact count the share is a part of.

    Returns
    -------
    float
        The step, as a fraction; NaN when the whole is too small for any.

    Examples
    --------
    >>> [share_step(w) for w in (600, 300, 150, 60, 30, 25)]
    [0.01, 0.02, 0.05, 0.1, 0.2, 0.25]
    >>> share_step(22)  # ≈20: 18 people at the least, a quarter of them is fewer than 5
    nan
    """
    if not whole >= 1:
        return math.nan
    least = round_count(whole) - ROUND_TO // 2
    for step in SHARE_STEPS:
        if step * least >= ROUND_TO - 1e-9:
            return step
    return math.nan


def on_step(share: float, step: float) -> float:
    """``share`` rounded to the nearest multiple of ``step``, never to 0% or 100%.

    A share shown to a funder has at least ``min_cell`` people in its part and in its rest, so
    0% and 100% would both be untrue; the nearest step inside is shown instead.

    Parameters
    ----------
    share
        The exact share, from 0 to 1.
    step
        Its step (:func:`share_step`); one of :data:`SHARE_STEPS`, or NaN.

    Returns
    -------
    float
        The share on its step; NaN when either is NaN.

    Examples
    --------
    >>> on_step(0.32, 0.25), on_step(0.9, 0.25), on_step(0.466, 0.01)
    (0.25, 0.75, 0.47)
    """
    if np.isnan(share) or np.isnan(step):
        return math.nan
    steps = round(1 / step)
    units = min(max(math.floor(share / step + 0.5 + 1e-9), 1), steps - 1)
    return round(units * step, 2)


def funder_view(col: Col) -> Col:
    """The declaration a funder's value of ``col`` is formatted and rounded with.

    Means, changes and their intervals keep one decimal; medians and percentiles whole units.

    Parameters
    ----------
    col
        A column with a funder form.

    Returns
    -------
    Col
        ``col`` with the funder's decimals.

    Examples
    --------
    >>> funder_view(Col("mean", "statistic", "mean", rests_on=("n",), funder="mean")).decimals
    1
    """
    if col.format == "percent" or col.kind == "share":
        return col
    if col.funder in ("mean", "change", "interval"):
        return replace(col, decimals=min(col.decimals, MEAN_DECIMALS))
    if col.funder == "quantile":
        return replace(col, decimals=0)
    return col


@dataclass(frozen=True)
class Policy:
    """What one audience may see.

    Parameters
    ----------
    audience
        ``"funder"``, ``"research"`` or ``"internal"``.
    min_cell
        Smallest count of people shown (funder audience); at least 3.

    Raises
    ------
    UsageError
        When the audience is unknown or ``min_cell`` is not a whole number of at least 3.

    Examples
    --------
    >>> from evalkit.analyses.tables import Col, TableSpec
    >>> spec = TableSpec("demo", "Demo", (Col("group", "label", "group", funder="shown"),
    ...                                   Col("n", "people", "people in the group",
    ...                                       funder="rounded")))
    >>> frame = pd.DataFrame({"group": ["a", "b"], "n": [3, 12]})
    >>> Policy("funder").apply(frame, spec).text["n"].tolist()
    ['<5', '≈10']
    """

    audience: str = "funder"
    min_cell: int = DEFAULT_MIN_CELL

    def __post_init__(self):
        if self.audience not in AUDIENCES:
            raise UsageError(f"audience must be one of: {', '.join(AUDIENCES)}")
        if (not isinstance(self.min_cell, (int, np.integer)) or isinstance(self.min_cell, bool)
                or self.min_cell < SMALLEST_MIN_CELL):
            raise UsageError(f"the smallest count shown (min_cell) must be a whole number of at "
                             f"least {SMALLEST_MIN_CELL}; 5 is usual")

    @property
    def funder(self) -> bool:
        """Whether this is the funder audience (the one whose figures are policed).
        """
        return self.audience == "funder"

    @property
    def internal(self) -> bool:
        """Whether this is the programme team's own view (lists of single people included).
        """
        return self.audience == "internal"

    def sees(self, spec: TableSpec) -> bool:
        """Whether this audience sees the table ``spec`` at all.

        A funder sees only tables with funder columns; no one but the team sees a table of
        single people.

        Parameters
        ----------
        spec
            A table's declaration.

        Returns
        -------
        bool
            True when ``spec.shown_to`` names this audience.

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> people = TableSpec("follow_up", "Follow-up", (Col("who", "id", "pseudonym"),),
        ...                    internal=True)
        >>> [Policy(a).sees(people) for a in AUDIENCES]
        [False, False, True]
        """
        return self.audience in spec.shown_to

    @property
    def small_text(self) -> str:
        """How a count below ``min_cell`` reads, e.g. ``"<5"``.
        """
        return small_text(self.min_cell)

    # -- whole tables --------------------------------------------------------------------------

    def apply(self, frame: pd.DataFrame, spec: TableSpec) -> Shown:
        """``frame`` (an analysis's exact result) as this audience may see it.

        The rules, column by column, are in this module's docstring and ``docs/disclosure.md``.
        A funder's table holds only the columns the spec declares for funders; the others are
        blank, with status ``omitted``, and never reach a page, a chart or a CSV.

        Parameters
        ----------
        frame
            The exact result table.
        spec
            Its declaration: the kind and funder form of each column decide what is done to it.

        Returns
        -------
        Shown
            The policed values, each cell's status and the text the page shows; not available (with
            a note saying why) when the audience may not see the table at all.

        Raises
        ------
        ValueError
            When ``frame`` does not have the columns ``spec`` declares.

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> spec = TableSpec("demo", "Demo", (
        ...     Col("group", "label", "group", funder="shown"),
        ...     Col("n", "people", "people in the group", funder="rounded"),
        ...     Col("total", "people", "everyone", funder="rounded"),
        ...     Col("share", "share", "share of everyone", part="n", whole="total",
        ...         funder="percent"),
        ...     Col("sd", "statistic", "an SD", rests_on=("n",))))
        >>> frame = pd.DataFrame({"group": ["north", "south"], "n": [3, 120], "total": [20, 400],
        ...                       "share": [0.15, 0.3], "sd": [1.2, 2.5]})
        >>> shown = Policy("funder").apply(frame, spec)
        >>> shown.text[list(shown.columns)]
           group     n total share
        0  north    <5   ≈20     —
        1  south  ≈120  ≈400   30%
        >>> Policy("internal").apply(frame, spec).text["n"].tolist()
        ['3', '120']
        """
        spec.check(frame)
        if not self.sees(spec):
            if spec.shown_to == ("internal",):
                note = "shown in internal reports only"
            elif self.funder:
                note = "in the research report only"
            else:
                note = f"not part of the {self.audience} report"
            return Shown.unavailable(spec, self, note)
        if self.funder and spec.needs_at_least and not self._enough(frame, spec):
            return Shown.unavailable(
                spec, self, f"withheld: it rests on fewer than {self.min_cell} "
                            f"{spec.unit}")
        frame = frame.reset_index(drop=True)
        if spec.is_metric_table:
            return self._apply_metrics(frame, spec)
        values, status = {}, {}
        for col in spec.columns:
            values[col.name], status[col.name] = self._column(
                frame, col, frame, share_whole=self._share_whole(spec, col))
        if self.funder:
            of_counts = self._shares_of_people(frame, spec, values, status)
            self._splits_and_steps(frame, spec, values, status)
            for col in spec.columns:
                if col.split_by is not None and col.funder:
                    values[col.name], status[col.name] = self._split_adding_up(
                        frame, col, values[col.name], status[col.name],
                        exact=of_counts.get(col.name))
            if spec.adds_up_by:
                self._scores_together(frame, spec, values, status)
            # Last, so that what follows a figure goes with it whichever rule withheld it.
            for col in spec.columns:
                if col.follows and col.funder:
                    hide = (status[col.follows] != SHOWN) & (status[col.name] == SHOWN)
                    values[col.name] = values[col.name].where(~hide)
                    status[col.name] = status[col.name].where(~hide, WITHHELD)
        return Shown.build(spec, self, pd.DataFrame(values), pd.DataFrame(status))

    @staticmethod
    def _scores_together(frame: pd.DataFrame, spec: TableSpec, values: dict,
                         status: dict) -> None:
        """Withhold (in place) every score of a group of rows that add up, when one is withheld.

        A total and its subscales in one wave (``spec.adds_up_by``) are one equation: the total
        less the parts shown gives back the part withheld, so their scores (means, medians,
        quartiles and the intervals that follow them) go together. Counts stay as they are.
        """
        scores = [c.name for c in spec.columns
                  if c.funder and c.kind == "statistic" and c.name in status]
        if not scores:
            return
        keys = [frame[k].astype(str) for k in spec.adds_up_by]
        withheld = pd.concat([status[name] == WITHHELD for name in scores], axis=1).any(axis=1)
        group_hit = withheld.groupby(keys, sort=False, dropna=False).transform("max").astype(bool)
        for name in scores:
            hide = group_hit & (status[name] == SHOWN)
            values[name] = values[name].where(~hide)
            status[name] = status[name].where(~hide, WITHHELD)

    def _enough(self, frame: pd.DataFrame, spec: TableSpec) -> bool:
        name = spec.needs_at_least
        if spec.is_metric_table:
            counts = frame.loc[frame["metric"] == name, "value"]
        else:
            counts = frame[name]
        counts = pd.to_numeric(counts, errors="coerce")
        return bool(len(counts)) and bool((counts >= self.min_cell).all())

    def _splits_and_steps(self, frame: pd.DataFrame, spec: TableSpec, values: dict,
                          status: dict) -> None:
        """Withhold (in place) whole splits and too small steps of a series of shares.

        A split is shown whole or not at all (``split_by``), and the shares of a series only in
        steps of at least ``min_cell`` people who left (``steps_along``). The rules feed each
        other: a step withheld in one group withholds its split at that point, and a split
        withheld there moves the step reference of the other groups back to their previous share
        shown. So the steps are worked out again, with the splits withheld so far (earliest point
        first), until no further split has to go.
        """
        cols = [c for c in spec.columns if c.funder and (c.split_by is not None or c.steps_along)]
        forced = {c.name: pd.Series(False, index=frame.index) for c in cols}
        while True:
            trial = {}
            for col in cols:
                state = status[col.name].where(~forced[col.name], WITHHELD)
                if col.steps_along:
                    state = state.where(~self._step_too_small(frame, col, state), WITHHELD)
                trial[col.name] = state
            more = False
            for col in cols:
                if col.split_by is not None:
                    hide = self._whole_split_hidden(frame, col, trial[col.name])
                    if col.steps_along and hide.any():
                        # The earliest point first: later steps depend on what it shows.
                        along = pd.to_numeric(frame[col.steps_along[-1]], errors="coerce")
                        hide &= along == along[hide].min()
                    if hide.any():
                        forced[col.name] |= hide
                        more = True
            if not more:
                break
        for col in cols:
            values[col.name] = values[col.name].where(trial[col.name] != WITHHELD)
            status[col.name] = trial[col.name]

    def _step_too_small(self, frame: pd.DataFrame, col: Col, status: pd.Series) -> pd.Series:
        """Shares of a series withheld because too few left since the previous one shown.

        Along each series (``col.steps_along``: the columns naming it, then the column it steps
        along), the rest of a share (whole minus part: those who have left by then) only grows.
        Two shares shown at consecutive points give the number who left between them, so a share
        is shown only when at least ``min_cell`` left since the previous share shown of its
        series (since the start, for the first: that is the share's own rest rule). Zero counts
        as small, as everywhere: "nobody left between weeks 4 and 8" is withheld too.
        """
        *series, along = col.steps_along
        rest = (pd.to_numeric(frame[col.whole], errors="coerce").astype(float)
                - pd.to_numeric(frame[col.part], errors="coerce").astype(float))
        step = pd.to_numeric(frame[along], errors="coerce").astype(float)
        keys = [frame[k].astype(str) for k in series] or [pd.Series(0, index=frame.index)]
        hide = pd.Series(False, index=frame.index)
        for _, rows in frame.groupby(keys, sort=False, dropna=False):
            before = 0.0  # those who had left by the previous share shown
            for i in step[rows.index].sort_values(kind="stable").index:
                if status[i] != SHOWN:
                    continue
                if not rest[i] - before >= self.min_cell:
                    hide[i] = True
                    continue
                before = rest[i]
        return hide

    @staticmethod
    def _whole_split_hidden(frame: pd.DataFrame, col: Col, status: pd.Series) -> pd.Series:
        """Rows of every split (rows sharing ``col.split_by``) in which a share is withheld."""
        withheld = (status == WITHHELD).astype(int)
        if not col.split_by:
            return pd.Series(bool(withheld.any()), index=frame.index) & (status == SHOWN)
        keys = [frame[k].astype(str) for k in col.split_by]
        return (withheld.groupby(keys, sort=False, dropna=False).transform("max") > 0) & (status == SHOWN)

    @staticmethod
    def _split_adding_up(frame: pd.DataFrame, col: Col, shown: pd.Series, status: pd.Series, *,
                         exact: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
        """Shares of each fully shown split, in its whole's step, that add up to 100%.

        Each share is rounded down to its step (:func:`share_step`) and the steps missing from
        100% go to the shares with the largest remainders (Hamilton's method), so every shown
        share stays within one step of its exact value and a reader adding them up finds 100%.
        A split with more parts than its whole has steps would show a part of 5 or more people
        as 0%: it is withheld whole. ``exact``: the shares to add up, when not the column's own
        (the shares of the rounded counts of a split of people, in whole percents).
        """
        of_counts = exact is not None
        if exact is None:
            exact = pd.to_numeric(frame[col.name], errors="coerce").astype(float)
        wholes = pd.to_numeric(frame[col.whole], errors="coerce").astype(float)
        keys = ([frame[k].astype(str) for k in col.split_by] if col.split_by
                else [pd.Series(0, index=frame.index)])
        result, state = shown.copy(), status.copy()
        for _, rows in exact.groupby(keys, sort=False, dropna=False):
            index = rows.index
            if not (status[index] == SHOWN).all() or abs(rows.sum() - 1) > 1e-6:
                continue
            step = 0.01 if of_counts else share_step(float(wholes[index].max()))
            parts = _adding_up(rows.to_numpy(), step)
            if (parts <= 0).any():
                result[index], state[index] = np.nan, WITHHELD
            else:
                result[index] = parts
        return result, state

    def _column(self, frame: pd.DataFrame, col: Col, bases: pd.DataFrame, *,
                share_whole: str | None = None) -> tuple[pd.Series, pd.Series]:
        """One column as this audience sees it: its values and each cell's status.

        ``share_whole`` names the count that sets the step (:func:`share_step`) of a share
        shown to a funder, or of the interval that follows one.
        """
        raw = frame[col.name]
        if self.funder and not col.funder:
            # Not on the funder allow-list: the value never leaves this function.
            return (pd.Series(np.nan, index=frame.index, dtype=object),
                    pd.Series(OMITTED, index=frame.index))
        if self.funder and col.kind == "text":
            # Notes are written by evalkit, but a note could carry a count ("1 row dropped",
            # "fewer than two items"); a count may only reach a funder through a people column,
            # so a note with a digit or a number word is withheld.
            digits = raw.astype(str).str.contains(_NUMBER_IN_TEXT, regex=True) & raw.notna()
            status = np.select([raw.isna(), digits], [UNDEFINED, WITHHELD], SHOWN)
            return raw.where(~digits), pd.Series(status, index=frame.index)
        if not self.funder or col.kind in ("label", "number", "count", "id", "month", "flag",
                                           "size", "modal"):
            status = pd.Series(np.where(pd.isna(raw), UNDEFINED, SHOWN), index=frame.index)
            if self.funder and col.rests_on:  # a label that is a finding ("improved")
                hide = self._hidden_by_bases(col, bases)
                return raw.where(~hide), status.where(~hide, WITHHELD)
            return raw, status
        numbers = pd.to_numeric(raw, errors="coerce").astype(float)
        if col.kind == "people":
            # A count resting on a group of people (sessions attended by the people of a
            # group) tells about them only when the group is large enough.
            small = numbers < self.min_cell
            group_small = self._hidden_by_bases(col, bases) & ~small
            shown = _rounded_counts(numbers)
            status = np.select([numbers.isna(), small, group_small],
                               [UNDEFINED, SMALL, WITHHELD], SHOWN)
            return shown.where(~small & ~group_small), pd.Series(status, index=frame.index)
        # A value whose people are too few is withheld whether or not it could be computed:
        # "n/a" for one person and a dash for two to four would tell the group's size.
        hide = self._hidden_by_bases(col, bases)
        view = funder_view(col)
        bound = col.name if col.funder == "interval" else None
        if share_whole is None:
            shown = numbers.map(lambda v: _rounded(view, v, bound=bound))
        else:  # a share, or its interval, in steps its whole can bear
            steps = pd.to_numeric(bases[share_whole], errors="coerce").astype(float).map(
                share_step)
            hide |= steps.isna() & numbers.notna()
            shown = pd.Series([_rounded(view, v, bound=bound, step=step)
                               for v, step in zip(numbers, steps, strict=True)],
                              index=frame.index, dtype=float)
        status = np.select([hide, numbers.isna()], [WITHHELD, UNDEFINED], SHOWN)
        return shown.where(~hide), pd.Series(status, index=frame.index)

    @staticmethod
    def _of_people(spec: TableSpec, col: Col) -> bool:
        """A funder share of people: computed from the rounded counts (:meth:`_shares_of_people`)."""
        return col.kind == "share" and bool(col.funder) and spec.col(col.whole).kind == "people"

    def _shares_of_people(self, frame: pd.DataFrame, spec: TableSpec, values: dict,
                          status: dict) -> dict[str, pd.Series]:
        """Set (in place) every funder share of people, and its interval, from the counts shown.

        A share computed from the exact counts, beside the rounded counts and an interval,
        was one more equation in them: an outsider found the one part and whole that fitted a
        row (in the sample, week 23's ≈60 of ≈130 at 50%, 35% to 60%, left only 61 or 62 of 130,
        and four rows of weeks and modules were pinned exactly). So a funder share of
        people is the rounded part over the rounded whole (over the sum of the rounded parts,
        for a split, so that its shares add up), in whole percent, and its interval is the
        Wilson interval of those rounded counts, rounded outwards to 5 points: nothing a funder
        sees is finer than the counts shown. A share whose interval allows for clustering
        (sessions within people, ``Col.clustered``) shows none. Which shares are withheld
        is decided as before, from the exact counts. Returns the shares of the rounded counts
        by column, for the adding-up of splits.
        """
        found = {}
        for col in spec.columns:
            if not self._of_people(spec, col):
                continue
            part = _rounded_counts(frame[col.part])
            whole = _rounded_counts(frame[col.whole])
            if col.split_by is not None:  # parts that add up to their whole: over their sum
                keys = ([frame[k].astype(str) for k in col.split_by] if col.split_by
                        else [pd.Series(0, index=frame.index)])
                exact = pd.to_numeric(frame[col.part], errors="coerce").astype(float)
                total = pd.to_numeric(frame[col.whole], errors="coerce").astype(float)
                adds_up = (exact.groupby(keys, sort=False, dropna=False).transform("sum")
                           - total).abs() < 1e-9
                whole = whole.where(~adds_up, part.groupby(keys, sort=False,
                                                           dropna=False).transform("sum"))
            share = part / whole.where(whole > 0)
            found[col.name] = share
            values[col.name] = share.round(2).where(status[col.name] == SHOWN)
            for other in spec.columns:
                if other.follows == col.name and other.funder == "interval":
                    values[other.name], status[other.name] = _interval_of_counts(
                        other.name, part, whole, clustered=col.clustered,
                        status=status[other.name])
        return found

    def _share_whole(self, spec: TableSpec, col: Col) -> str | None:
        """For a funder: the whole of the share ``col`` is, or whose interval it is."""
        if not self.funder or not col.funder:
            return None
        if col.kind == "share":
            return col.whole
        if col.follows and spec.col(col.follows).kind == "share":
            return spec.col(col.follows).whole
        return None

    def _hidden_by_bases(self, col: Col, bases: pd.DataFrame) -> pd.Series:
        """Rows where a value resting on ``col``'s counts must be withheld from a funder."""
        def count(name: str) -> pd.Series:
            return pd.to_numeric(bases[name], errors="coerce").astype(float)

        needs = max(col.needs, MEAN_NEEDS) if col.funder in ("mean", "change") else col.needs
        hide = pd.Series(False, index=bases.index)
        for name in col.rests_on:
            hide |= ~(count(name) >= self.min_cell * needs)
            if col.modal:  # all but a few at one value: the figure gives everyone's away
                hide |= ~(count(name) - count(col.modal) >= self.min_cell)
        if col.kind == "share":
            whole = count(col.whole)
            hide |= self._share_hidden(count(col.part), whole)
            # One part (or a union of parts) of a split: shown only when every part's share
            # could be, as the split's own table shows them (a key-figure card beside a table of
            # bands says no more than the table).
            for name in col.split_parts:
                hide |= self._share_hidden(count(name), whole)
        return hide

    def _share_hidden(self, part: pd.Series, whole: pd.Series) -> pd.Series:
        """The share rule: withheld when its part, its whole or the rest is below ``min_cell``.

        The one test every share of a funder report passes, on its own and as a part of its split.
        """
        m = self.min_cell
        return ~(part >= m) | ~(whole >= m) | ~(whole - part >= m)

    @staticmethod
    def _part_of_split(row: pd.DataFrame, col: Col, *, of_people: bool = False) -> float:
        """A shown share that is one part of a split, as the split's own table shows it: the
        shares of all its parts, in the whole's step, add up to 100%, so a card and its table
        agree (NaN where the table withholds the split for a part that would read 0%)."""
        counts = pd.to_numeric(row.iloc[0][list(col.split_parts)], errors="coerce").to_numpy(
            dtype=float)
        whole = float(pd.to_numeric(row.iloc[0][col.whole], errors="coerce"))
        if of_people:  # the parts' rounded counts, as the split's own table shows them
            rounded = np.array([round_count(c) for c in counts], dtype=float)
            if abs(counts.sum() - whole) > 1e-9 or not rounded.sum():
                return math.nan
            return float(_adding_up(rounded / rounded.sum())[list(col.split_parts).index(
                col.part)])
        step = share_step(whole)
        if not whole or abs(counts.sum() - whole) > 1e-9:
            return _rounded(funder_view(col), float(row.iloc[0][col.name]), step=step)
        parts = _adding_up(counts / whole, step)
        if (parts <= 0).any():
            return math.nan
        return float(parts[list(col.split_parts).index(col.part)])

    @staticmethod
    def _metric_step(col: Col, by_metric: pd.DataFrame) -> float | None:
        """The step of a share metric (and of its interval), from its whole's metric."""
        if col.kind != "share" or col.whole not in by_metric.columns:
            return None
        return share_step(float(pd.to_numeric(by_metric[col.whole].iloc[0], errors="coerce")))

    def _apply_metrics(self, frame: pd.DataFrame, spec: TableSpec) -> Shown:
        # One row per metric: police each metric as a column of a one-row table whose other
        # columns are the other metrics, so bases work by metric name. A funder's table keeps
        # only the metrics declared for funders.
        by_metric = pd.DataFrame([dict(zip(frame["metric"], frame["value"], strict=True))])
        if self.funder:
            frame = frame[frame["metric"].isin(spec.funder_metrics)].reset_index(drop=True)
        values = frame[["metric"]].copy()
        status = pd.DataFrame({"metric": SHOWN}, index=frame.index)
        shown_value, value_status = [], []
        counts_of: dict[str, tuple[float, float, bool]] = {}  # shares of people, as shown
        for metric in frame["metric"]:
            col = spec.col(metric)
            present = by_metric.reindex(columns=[c for c in (metric, *col.bases)])
            v, s = self._column(present, col, present,
                                share_whole=col.whole if self.funder and col.funder else None)
            people = self.funder and self._of_people(spec, col)
            if people:  # the rounded counts its share and interval are made of
                part = float(_rounded_counts(present[col.part]).iloc[0])
                parts = col.split_parts if col.part in col.split_parts else (col.whole,)
                whole = float(_rounded_counts(by_metric[list(parts)].iloc[0]).sum())
                counts_of[metric] = (part, whole, col.clustered)
            if self.funder and s.iloc[0] == SHOWN and col.part in col.split_parts:
                v = pd.Series([self._part_of_split(present, col, of_people=people)])
                if v.isna().all():
                    s = pd.Series([WITHHELD])
            elif people and s.iloc[0] == SHOWN:
                v = pd.Series([round(part / whole, 2) if whole else np.nan])
            shown_value.append(v.iloc[0])
            value_status.append(s.iloc[0])
        values["value"] = pd.Series(shown_value, index=frame.index, dtype=object)
        status["value"] = pd.Series(value_status, index=frame.index, dtype=object)
        for bound in ("ci_low", "ci_high"):
            if bound not in frame.columns:
                continue
            numbers = pd.to_numeric(frame[bound], errors="coerce").astype(float)
            if self.funder and not spec.col(bound).funder:
                values[bound], status[bound] = np.nan, OMITTED
                continue
            if self.funder:
                numbers = pd.Series([_rounded(funder_view(spec.col(m)), v, bound=bound,
                                              step=self._metric_step(spec.col(m), by_metric))
                                     for m, v in zip(frame["metric"], numbers, strict=True)],
                                    index=frame.index)
            withheld = status["value"] == WITHHELD
            values[bound] = numbers.where(~withheld)
            status[bound] = np.select([withheld, numbers.isna()], [WITHHELD, UNDEFINED], SHOWN)
            for i, metric in enumerate(frame["metric"]):
                if metric in counts_of:
                    part, whole, clustered = counts_of[metric]
                    value, state = _interval_of_counts(
                        bound, pd.Series([part]), pd.Series([whole]), clustered=clustered,
                        status=pd.Series([status[bound].iloc[i]]))
                    values.loc[i, bound] = value.iloc[0]
                    status.loc[i, bound] = state.iloc[0]
        for extra in [c for c in frame.columns if c not in values.columns]:
            values[extra], status[extra] = self._column(frame, spec.col(extra), frame)
        return Shown.build(spec, self, values, status)


def _rounded_counts(counts: pd.Series) -> pd.Series:
    """Counts as a funder reads them (rounded to 5), as floats; NaN stays NaN."""
    numbers = pd.to_numeric(counts, errors="coerce").astype(float)
    return numbers.map(lambda v: v if np.isnan(v) else float(round_count(v)))


def _interval_of_counts(bound: str, part: pd.Series, whole: pd.Series, *, clustered: bool,
                        status: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A funder's bound of a share of people: the Wilson interval of the rounded counts.

    Rounded outwards to 5 points. None (omitted) for a clustered share: a Wilson interval of
    participant-sessions would be far too narrow. ``status`` is the bound's status so far (a
    bound withheld stays withheld).
    """
    if clustered:
        return (pd.Series(np.nan, index=part.index, dtype=float),
                pd.Series(OMITTED, index=part.index, dtype=object))
    counts = pd.DataFrame({"k": part.fillna(0.0), "n": whole.fillna(0.0)})
    ci = wilson_interval(counts, successes="k", trials="n")[bound]
    view = Col(bound, "statistic", bound, fmt="percent")
    shown = pd.Series([_rounded(view, v, bound=bound) for v in ci], index=part.index,
                      dtype=float)
    state = status.where(~(shown.isna() & (status == SHOWN)), UNDEFINED)
    return shown.where(state == SHOWN), state


def _adding_up(shares: np.ndarray, step: float = 0.01) -> np.ndarray:
    """Multiples of ``step`` (as fractions) of shares adding up to 1, that add up to 100%.

    Each is rounded down and the steps missing from 100% go to the largest remainders
    (Hamilton's method), so each stays within one step of its exact value. NaN for a step
    of NaN (a whole too small for any share).

    >>> _adding_up(np.array([1, 1, 1]) / 3).tolist()
    [0.34, 0.33, 0.33]
    >>> _adding_up(np.array([0.3, 0.3, 0.4]), 0.25).tolist()
    [0.25, 0.25, 0.5]
    """
    shares = np.asarray(shares, dtype=float)
    if np.isnan(step):
        return np.full(len(shares), np.nan)
    units = shares / step
    whole = np.floor(units + 1e-9)
    missing = int(round(1 / step - whole.sum()))
    order = np.argsort(-(units - whole), kind="stable")
    whole[order[:missing]] += 1
    return np.round(whole * step, 2)


def _rounded(col: Col, value: float, *, bound: str | None = None,
             step: float | None = None) -> float:
    """A funder value kept only to the precision the page shows.

    A share of a known whole moves in that whole's ``step`` (:func:`on_step`). A bound of a
    percentage interval (``bound`` ``"ci_low"`` or ``"ci_high"``) is rounded outwards to a
    multiple of 5 points, or of the share's step where that is coarser: a share and exact bounds
    would give away its exact part and whole (only one pair of counts gives 46% with a Wilson
    interval of 30% to 62%), and rounding outwards keeps the interval at least as wide as
    computed. A bound of any other interval (a
    mean's, a change's) is rounded outwards to the decimals shown. A p-value is kept to three
    decimals (it reaches no funder table as declared).
    """
    if np.isnan(value):
        return value
    if bound is not None and (col.kind == "share" or col.format == "percent"):
        step = OUTWARD_STEP if step is None or np.isnan(step) else max(step, OUTWARD_STEP)
        scaled = value / step
        edge = math.floor(scaled + 1e-9) if bound == "ci_low" else math.ceil(scaled - 1e-9)
        return round(min(1.0, max(0.0, edge * step)), 2)
    if bound is not None:
        scaled = value * 10 ** col.decimals
        edge = math.floor(scaled + 1e-9) if bound == "ci_low" else math.ceil(scaled - 1e-9)
        return round(edge / 10 ** col.decimals, col.decimals)
    if col.kind == "share" and step is not None:
        return on_step(value, step)
    if col.kind == "share" or col.format == "percent":
        return round(value, 2)
    if col.kind == "p_value":
        # Any value below 0.001 reads "<0.001" on the page and in the CSV; this one stands in.
        return round(value, 3) if value >= P_FLOOR else P_BELOW

    return round(value, col.decimals)


@dataclass(frozen=True)
class PolicedFigure:
    """One policed value for a sentence: formats as the page shows it, never finer.

    ``format(figure, spec)`` applies ``spec`` to a shown number (``f"{fig:+.2f}"``); a small count
    reads ``<5``, a withheld value ``withheld`` and an undefined one ``not available``.

    Parameters
    ----------
    value
        The policed value (None or NaN when nothing may be shown).
    text
        What the page shows for it.
    status
        ``shown``, ``small``, ``withheld``, ``undefined`` or ``omitted`` (a column this
        audience does not see; a sentence that uses it is not shown).
    note
        Set when the figure's whole table is not available: why, in a sentence.

    Examples
    --------
    >>> share = PolicedFigure(0.3, "30%", "shown")
    >>> small, withheld = PolicedFigure(None, "<5", "small"), PolicedFigure(None, "", "withheld")
    >>> f"{share:.0%} of them", str(small), str(withheld)
    ('30% of them', '<5', 'withheld')
    """

    value: object
    text: str
    status: str
    note: str = ""
    """Set when the figure's whole table is not available: why, in a sentence."""

    def __format__(self, spec: str) -> str:
        return figure_text(self.value, self.text, self.status, spec)

    def __str__(self) -> str:
        return format(self, "")

    @property
    def shown(self) -> bool:
        """Whether the value may be shown as it is.
        """
        return self.status == SHOWN


def fixed(value: str | float) -> PolicedFigure:
    """A number of the method, not of the data, as a figure a sentence may hold.

    A cut-off, a scale's range, an interval's level: the same for every data folder, so no policy
    applies to it.

    Parameters
    ----------
    value
        The number, or its text (``"1-5"``, ``"95%"``).

    Returns
    -------
    PolicedFigure
        A shown figure whose text is ``value`` (a number written with ``:g``).

    Raises
    ------
    TypeError
        When ``value`` is neither a str nor a number.

    Examples
    --------
    >>> str(fixed("1-5")), str(fixed(38)), f"{fixed(0.8):.0%}"
    ('1-5', '38', '80%')
    """
    if isinstance(value, str):
        return PolicedFigure(value, value, SHOWN)
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return PolicedFigure(plain_value(value), f"{value:g}", SHOWN)
    raise TypeError(f"fixed(): a number or its text, not {type(value).__name__}")


@dataclass(frozen=True)
class Shown:
    """A result table as one audience may see it.

    ``values`` holds the policed numbers (NaN where nothing may be shown), ``status`` says for each
    cell whether it is shown, ``small`` (a count below the threshold), ``withheld`` or
    ``undefined``, ``text`` is what the page shows. ``note`` says why a whole table is not
    available. Make one with :meth:`Policy.apply`.

    Parameters
    ----------
    spec
        The table's declaration.
    policy
        The policy that made it.
    values
        The policed values.
    status
        The status of each cell.
    text
        The text of each cell.
    note
        Why the table is not available ("" when it is).

    Examples
    --------
    >>> from evalkit.analyses.tables import Col, TableSpec
    >>> spec = TableSpec("demo", "Demo", (
    ...     Col("group", "label", "group", funder="shown"),
    ...     Col("n", "people", "people in the group", funder="rounded"),
    ...     Col("total", "people", "everyone", funder="rounded"),
    ...     Col("share", "share", "share of everyone", part="n", whole="total",
    ...         funder="percent")))
    >>> frame = pd.DataFrame({"group": ["north", "south"], "n": [3, 120], "total": [20, 400],
    ...                       "share": [0.15, 0.3]})
    >>> shown = Policy("funder").apply(frame, spec)
    >>> shown.status.loc[0].tolist(), shown.available
    (['shown', 'small', 'shown', 'withheld'], True)
    """

    spec: TableSpec
    policy: Policy
    values: pd.DataFrame
    status: pd.DataFrame
    text: pd.DataFrame
    note: str = ""

    @classmethod
    def build(cls, spec: TableSpec, policy: Policy, values: pd.DataFrame,
              status: pd.DataFrame) -> Shown:
        """A Shown table from policed values and statuses, with the page's text made from them.

        Parameters
        ----------
        spec
            The table's declaration.
        policy
            The policy applied.
        values
            The policed values.
        status
            The status of each cell.

        Returns
        -------
        Shown
            The table with its ``text``: ``<5`` for small counts, a dash where withheld, ``n/a``
            where undefined, plain words for labels and formatted numbers otherwise; for a
            funder, ``≈10`` for a rounded count and words for a change.

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> spec = TableSpec("demo", "Demo", (Col("n", "people", "people"),))
        >>> table = Shown.build(spec, Policy(), pd.DataFrame({"n": [10.0, None]}),
        ...                     pd.DataFrame({"n": ["shown", "small"]}))
        >>> table.text["n"].tolist()
        ['≈10', '<5']
        """
        text = pd.DataFrame(index=values.index)
        for name in values.columns:
            col = _display_col(spec, name, values, funder=policy.funder)
            text[name] = [cell_text(v, col(i), status[name].iloc[i], audience=policy.audience,
                                    min_cell=policy.min_cell)
                          for i, v in enumerate(values[name])]
        return cls(spec, policy, values, status, text)

    @classmethod
    def unavailable(cls, spec: TableSpec, policy: Policy, note: str) -> Shown:
        """A table the audience may not see, with the sentence saying why.

        Parameters
        ----------
        spec
            The table's declaration.
        policy
            The policy applied.
        note
            Why the table is not shown, e.g. ``"shown in internal reports only"``.

        Returns
        -------
        Shown
            An empty table with ``note`` set.

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> spec = TableSpec("demo", "Demo", (Col("n", "people", "people"),))
        >>> table = Shown.unavailable(spec, Policy(), "shown in internal reports only")
        >>> table.available, len(table)
        (False, 0)
        """
        empty = pd.DataFrame(columns=[c.name for c in spec.columns])
        return cls(spec, policy, empty, empty.copy(), empty.copy(), note)

    @property
    def available(self) -> bool:
        """Whether the table may be shown (it has no ``note``).
        """
        return not self.note

    @property
    def name(self) -> str:
        """The table's name, as in ``results/<name>.csv``.
        """
        return self.spec.name

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns this audience sees (for a funder, the table's allow-list).

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> spec = TableSpec("demo", "Demo", (Col("n", "people", "people", funder="rounded"),
        ...                                   Col("df", "size", "degrees of freedom")))
        >>> frame = pd.DataFrame({"n": [12], "df": [11]})
        >>> Policy("funder").apply(frame, spec).columns, Policy("research").apply(frame, spec).columns
        (('n',), ('n', 'df'))
        """
        return self.spec.columns_for(self.policy.audience)

    def __len__(self) -> int:
        return len(self.values)

    def csv(self) -> pd.DataFrame:
        """What ``results/<name>.csv`` holds.

        Exact values for the internal and research audiences; for the funder audience only the
        allow-listed columns, with the policed values, ``<5`` in small counts and blank where
        withheld.

        Returns
        -------
        DataFrame
            One column per table column, as objects: counts as whole numbers, other numbers as they
            are, NaN for blanks.

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> spec = TableSpec("demo", "Demo", (
        ...     Col("group", "label", "group", funder="shown"),
        ...     Col("n", "people", "people in the group", funder="rounded"),
        ...     Col("total", "people", "everyone", funder="rounded"),
        ...     Col("share", "share", "share of everyone", part="n", whole="total",
        ...         funder="percent")))
        >>> frame = pd.DataFrame({"group": ["north", "south"], "n": [3, 120], "total": [20, 400],
        ...                       "share": [0.15, 0.3]})
        >>> shown = Policy("funder").apply(frame, spec)
        >>> shown.csv()
           group    n total share
        0  north   <5    20   NaN
        1  south  120   400   0.3
        """
        out = pd.DataFrame(index=self.values.index)
        for name in [c for c in self.values.columns if c in self.columns]:
            col = _display_col(self.spec, name, self.values)
            cells = [csv_cell(v, col(i), self.status[name].iloc[i], audience=self.policy.audience,
                              min_cell=self.policy.min_cell)
                     for i, v in enumerate(self.values[name])]
            out[name] = pd.Series(cells, index=self.values.index, dtype=object)
        return out

    def _rows_where(self, match: dict) -> np.ndarray:
        rows = np.ones(len(self.values), dtype=bool)
        for key, wanted in match.items():
            column = self.values[key]
            if isinstance(wanted, (int, float, np.number)) and not isinstance(wanted, bool):
                rows &= (pd.to_numeric(column, errors="coerce") == float(wanted)).to_numpy()
            else:
                rows &= (column.astype(str) == str(wanted)).to_numpy()
        return rows

    def figure(self, column: str = "value", **where: object) -> PolicedFigure:
        """One cell for a sentence, picked by the columns of its row.

        ``figure(metric="participants")`` in a metric table, or ``figure("share", wave="2025")``
        for the row whose columns equal ``where``.

        Parameters
        ----------
        column
            The column whose cell is wanted.
        **where
            Column -> value identifying exactly one row.

        Returns
        -------
        PolicedFigure
            The cell; undefined when no row or several rows match, and saying why when the table is
            not available.

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> spec = TableSpec("demo", "Demo", (
        ...     Col("group", "label", "group", funder="shown"),
        ...     Col("n", "people", "people in the group", funder="rounded"),
        ...     Col("total", "people", "everyone", funder="rounded"),
        ...     Col("share", "share", "share of everyone", part="n", whole="total",
        ...         funder="percent")))
        >>> frame = pd.DataFrame({"group": ["north", "south"], "n": [3, 120], "total": [20, 400],
        ...                       "share": [0.15, 0.3]})
        >>> shown = Policy("funder").apply(frame, spec)
        >>> f"{shown.figure('share', group='south'):.0%}", str(shown.figure("share", group="north"))
        ('30%', 'withheld')
        """
        if not self.available:
            return self._missing_figure()
        if column not in self.columns:
            return PolicedFigure(None, "", OMITTED)
        rows = self._rows_where(where)
        if rows.sum() != 1:
            return PolicedFigure(None, UNDEFINED_TEXT, UNDEFINED)
        i = int(np.flatnonzero(rows)[0])
        return PolicedFigure(plain_value(self.values[column].iloc[i]), self.text[column].iloc[i],
                      self.status[column].iloc[i])

    def _missing_figure(self) -> PolicedFigure:
        status = WITHHELD if self.note.startswith("withheld") or "internal" in self.note \
            else UNDEFINED
        return PolicedFigure(None, UNDEFINED_TEXT, status, note=f"{self.spec.title}: {self.note}")

    def figures(self) -> dict[str, PolicedFigure]:
        """Every metric of a metric table, by name.

        When the table is not available, every declared metric is there, each saying why.

        Returns
        -------
        dict of str to PolicedFigure
            Metric name -> its figure.

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> spec = TableSpec("counts", "Counts", (Col("metric", "label", "what"),
        ...                                       Col("value", "statistic", "figure")),
        ...                  metrics=(Col("participants", "people", "participants",
        ...                               funder="rounded"),))
        >>> figures = Policy("funder").apply(
        ...     pd.DataFrame({"metric": ["participants"], "value": [132]}), spec).figures()
        >>> str(figures["participants"])
        '≈130'
        """
        if not self.available:
            return {m.name: self._missing_figure() for m in self.spec.metrics}
        return {m: self.figure(metric=m) for m in self.values.get("metric", [])}

    def rows(self) -> list[dict[str, PolicedFigure]]:
        """Every row as figures, for one sentence per row.

        Returns
        -------
        list of dict of str to PolicedFigure
            One dict per row: column -> figure.

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> spec = TableSpec("demo", "Demo", (
        ...     Col("group", "label", "group", funder="shown"),
        ...     Col("n", "people", "people in the group", funder="rounded"),
        ...     Col("total", "people", "everyone", funder="rounded"),
        ...     Col("share", "share", "share of everyone", part="n", whole="total",
        ...         funder="percent")))
        >>> frame = pd.DataFrame({"group": ["north", "south"], "n": [3, 120], "total": [20, 400],
        ...                       "share": [0.15, 0.3]})
        >>> shown = Policy("funder").apply(frame, spec)
        >>> {name: str(figure) for name, figure in shown.rows()[1].items()}
        {'group': 'south', 'n': '≈120', 'total': '≈400', 'share': '30%'}
        """
        return [{c: PolicedFigure(plain_value(self.values[c].iloc[i]), self.text[c].iloc[i],
                           self.status[c].iloc[i]) for c in self.values.columns}
                for i in range(len(self.values))]

    def head(self, rows: int) -> Shown:
        """The first ``rows`` rows.

        Parameters
        ----------
        rows
            How many rows to keep.

        Returns
        -------
        Shown
            A new table with the same spec, policy and note.

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> spec = TableSpec("demo", "Demo", (
        ...     Col("group", "label", "group", funder="shown"),
        ...     Col("n", "people", "people in the group", funder="rounded"),
        ...     Col("total", "people", "everyone", funder="rounded"),
        ...     Col("share", "share", "share of everyone", part="n", whole="total",
        ...         funder="percent")))
        >>> frame = pd.DataFrame({"group": ["north", "south"], "n": [3, 120], "total": [20, 400],
        ...                       "share": [0.15, 0.3]})
        >>> shown = Policy("funder").apply(frame, spec)
        >>> len(shown.head(1))
        1
        """
        return Shown(self.spec, self.policy, self.values.head(rows), self.status.head(rows),
                     self.text.head(rows), self.note)

    def where(self, **match: object) -> Shown:
        """The rows whose columns equal ``match`` (for a chart or table of part of a table).

        Parameters
        ----------
        **match
            Column -> value; numbers are compared as numbers, anything else as text.

        Returns
        -------
        Shown
            A new table of the matching rows, renumbered from 0.

        Examples
        --------
        >>> from evalkit.analyses.tables import Col, TableSpec
        >>> spec = TableSpec("demo", "Demo", (
        ...     Col("group", "label", "group", funder="shown"),
        ...     Col("n", "people", "people in the group", funder="rounded"),
        ...     Col("total", "people", "everyone", funder="rounded"),
        ...     Col("share", "share", "share of everyone", part="n", whole="total",
        ...         funder="percent")))
        >>> frame = pd.DataFrame({"group": ["north", "south"], "n": [3, 120], "total": [20, 400],
        ...                       "share": [0.15, 0.3]})
        >>> shown = Policy("funder").apply(frame, spec)
        >>> shown.where(group="south").text["share"].tolist()
        ['30%']
        """
        rows = self._rows_where(match)
        pick = lambda frame: frame[rows].reset_index(drop=True)  # noqa: E731
        return Shown(self.spec, self.policy, pick(self.values), pick(self.status), pick(self.text),
                     self.note)


def _display_col(spec: TableSpec, name: str, values: pd.DataFrame, *, funder: bool = False):
    """The Col that governs cell ``i`` of column ``name`` (a metric's own, in metric tables;
    with the funder's decimals for a funder)."""
    view = funder_view if funder else (lambda col: col)
    if spec.is_metric_table and name in ("value", "ci_low", "ci_high"):
        metrics = list(values["metric"])

        def for_row(i):
            col = view(spec.col(metrics[i]))
            if name != "value" and col.kind != "share":
                return Col(col.name, "statistic", col.description, decimals=col.decimals,
                           fmt=col.fmt, bounded=col.bounded)
            return col
        return for_row
    col = view(spec.col(name)) if spec.col(name).funder or not funder else spec.col(name)
    return lambda i: col
