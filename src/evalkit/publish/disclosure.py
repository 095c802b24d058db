"""Disclosure control for reports read outside the team (the funder audience, DESIGN.md section 6).

The rules, applied by every notebook to every table and chart before a funder sees it:

* **primary suppression**: a count of fewer than ``min_cell`` people (zero included) is shown as
  ``"<N"`` (``"<5"`` by default);
* **secondary suppression**: where counts add up to a total that is shown (the bands of one survey
  wave add up to the forms scored in it), a single hidden count could be worked back by
  subtraction, so the smallest other count of the same total is hidden too (shown as
  ``"[withheld]"``). A count shown with its total also reveals the remainder (those at or above
  a threshold reveal those below it): a remainder below ``min_cell`` hides the count. A total
  below ``min_cell`` hides its whole group;
* **withheld statistics**: percentages, intervals, means and test results computed from a hidden
  count are blanked;
* no pseudonymous ids (:func:`drop_ids`) and no dates finer than a month (:func:`to_month`).

Hidden cells are strings, so a result CSV says what was withheld; plots read them as missing and
draw nothing there (:func:`evalkit.plots._numeric`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.contracts import PERSON_ID_COLUMNS

DEFAULT_MIN_CELL = 5
SECONDARY = "[withheld]"


def small_label(min_cell: int) -> str:
    """The text shown instead of a count below ``min_cell``: ``"<5"`` for 5."""
    return f"<{min_cell}"


def _check_min_cell(min_cell: int) -> None:
    if not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise ValueError("min_cell must be a whole number of people, at least 1")


def hidden_cells(counts: pd.Series, groups: pd.Series | None, min_cell: int,
                 totals: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """Which counts to hide: ``(primary, secondary)`` boolean Series aligned with ``counts``.

    ``groups`` labels the rows whose counts add up to one shown total (None: no total is shown,
    so only primary suppression applies). ``totals``, when given, is that total per row; a total
    below ``min_cell`` hides every count of its group. Zero counts are hidden like other small
    counts, but a zero is never chosen for secondary suppression because hiding it protects
    nothing: the smallest non-zero count is chosen instead.
    """
    _check_min_cell(min_cell)
    values = counts.to_numpy(dtype=float)
    primary = pd.Series(values < min_cell, index=counts.index)
    if totals is not None:
        primary |= pd.Series(totals.to_numpy(dtype=float) < min_cell, index=counts.index)
    secondary = pd.Series(False, index=counts.index)
    if groups is None:
        return primary, secondary
    for _, rows in counts.groupby(groups.to_numpy(), sort=False).groups.items():
        hidden = primary.loc[rows] | secondary.loc[rows]
        n_hidden = int(hidden.sum())
        if totals is not None:
            # Counts that do not cover their total leave a remainder anyone can compute (the
            # forms below a threshold, given those at or above it): a small one counts as hidden.
            remainder = float(totals.loc[rows].iloc[0]) - float(np.nansum(values[
                counts.index.get_indexer(rows)]))
            n_hidden += int(0 < remainder < min_cell)
        # One hidden count among shown ones can be recovered from the total: hide another.
        shown = pd.Series(values, index=counts.index).loc[rows][~hidden]
        if n_hidden == 1 and len(shown):
            candidates = shown[shown > 0] if (shown > 0).any() else shown
            secondary.loc[candidates.idxmin()] = True
    return primary, secondary


def suppress(table: pd.DataFrame, count: str | list[str], min_cell: int = DEFAULT_MIN_CELL,
             within: str | list[str] | None = None, total: str | None = None,
             withhold: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy of ``table`` safe for the funder audience.

    Parameters
    ----------
    table
        A result table with one or more count columns.
    count
        The count column(s) to protect. With several, each is protected on its own.
    min_cell
        Smallest count of people that may be shown.
    within
        Column(s) whose rows add up to a shown total (e.g. ``"wave"`` for band tables): turns on
        secondary suppression within each group. None when no total is shown.
    total
        Column holding the shown total of each row's group. A total below ``min_cell`` is itself
        hidden, with every count of its group.
    withhold
        Statistics computed from each row's count (percent, intervals, means): blanked wherever
        a count of the row is hidden.

    Returns
    -------
    DataFrame
        Same rows and columns; protected counts are strings (``"12"``, ``"<5"``, ``"[withheld]"``)
        and withheld statistics are missing.

    Examples
    --------
    >>> bands = pd.DataFrame({"wave": ["2025"] * 3, "band": ["low", "mid", "high"],
    ...                       "n": [2, 9, 14], "scored": [25] * 3, "percent": [.08, .36, .56]})
    >>> suppress(bands, "n", within="wave", total="scored", withhold=["percent"])["n"].tolist()
    ['<5', '[withheld]', '14']
    """
    counts = [count] if isinstance(count, str) else list(count)
    within = [within] if isinstance(within, str) else list(within or [])
    missing = [c for c in [*counts, *within, *([total] if total else []), *withhold]
               if c not in table.columns]
    if missing:
        raise KeyError(f"columns not in the table: {', '.join(missing)}")
    groups = None
    if within and len(table):
        groups = pd.Series(pd.MultiIndex.from_frame(table[within].astype(str)).to_flat_index(),
                           index=table.index).astype(str)
    elif total is not None:
        groups = pd.Series("all", index=table.index)
    # Work by position: result tables built with pd.concat often repeat index labels.
    original_index = table.index
    table = table.reset_index(drop=True)
    if groups is not None:
        groups = groups.reset_index(drop=True)
    protected = table.copy()
    any_hidden = pd.Series(False, index=table.index)
    label = small_label(min_cell)
    for column in counts:
        totals = table[total] if total is not None else None
        primary, secondary = hidden_cells(table[column], groups, min_cell, totals)
        shown = table[column].map(lambda v: "" if pd.isna(v) else f"{int(v)}")
        shown = shown.where(~secondary, SECONDARY).where(~primary, label)
        protected[column] = shown.astype(object)
        any_hidden |= primary | secondary
    if total is not None and total not in counts:
        small_total = table[total].to_numpy(dtype=float) < min_cell
        protected[total] = table[total].map(lambda v: "" if pd.isna(v) else f"{int(v)}").where(
            ~small_total, label).astype(object)
    for column in withhold:
        protected[column] = table[column].where(~any_hidden)
    protected.index = original_index
    return protected


def drop_ids(table: pd.DataFrame) -> pd.DataFrame:
    """The table without any pseudonymous id column (participants, practitioners, processes)."""
    return table.drop(columns=[c for c in table.columns if c in PERSON_ID_COLUMNS])


def to_month(dates: pd.Series) -> pd.Series:
    """Dates (or months) coarsened to their month (``2024-03``), the finest a funder report
    shows; missing dates stay missing."""
    months = pd.to_datetime(dates.astype("string"), format="mixed").dt.to_period("M")
    return months.astype("string").where(months.notna())


def is_hidden(values: pd.Series) -> pd.Series:
    """True where a protected count column holds a hidden cell."""
    return values.astype(str).str.startswith(("<", "["))


def for_audience(table: pd.DataFrame, audience: str, min_cell: int = DEFAULT_MIN_CELL,
                 **rules) -> pd.DataFrame:
    """``table`` as the audience may see it: unchanged for ``internal``; for ``funder``, without
    ids and with :func:`suppress` applied using ``rules`` (count, within, total, withhold).

    Examples
    --------
    >>> table = pd.DataFrame({"group": ["a", "b"], "n": [3, 12]})
    >>> for_audience(table, "funder", count="n")["n"].tolist()
    ['<5', '12']
    """
    from .writer import AUDIENCES

    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}")
    if audience == "internal":
        return table
    return drop_ids(suppress(table, min_cell=min_cell, **rules) if rules else table)


def protect_metrics(table: pd.DataFrame, min_cell: int = DEFAULT_MIN_CELL, counts=(),
                    shares: dict[str, str] | None = None) -> pd.DataFrame:
    """A ``metric, value`` table as a funder may see it.

    ``counts`` are metrics counting people: hidden below ``min_cell``. ``shares`` maps a share
    metric to the count metric it is a share of: the share is withheld when that count is
    hidden, or when the number of people it implies, or the rest of them, is below ``min_cell``
    (3% of 100 people reveals a group of three).

    Examples
    --------
    >>> table = pd.DataFrame({"metric": ["participants", "dropout_rate"], "value": [100, 0.03]})
    >>> protect_metrics(table, 5, counts=["participants"],
    ...                 shares={"dropout_rate": "participants"})["value"].tolist()
    ['100', nan]
    """
    _check_min_cell(min_cell)
    values = dict(zip(table["metric"], table["value"], strict=True))
    shown = {}
    for metric, value in values.items():
        if metric in counts:
            shown[metric] = small_label(min_cell) if value < min_cell else f"{int(value)}"
        elif shares and metric in shares:
            base = values[shares[metric]]
            implied = round(float(value) * base) if pd.notna(value) else np.nan
            small = (base < min_cell or pd.isna(implied) or implied < min_cell
                     or base - implied < min_cell)
            shown[metric] = np.nan if small else value
        else:
            shown[metric] = value
    return pd.DataFrame({"metric": list(values),
                         "value": pd.Series([shown[m] for m in values], dtype=object)})


def at_risk_at_least(curve: pd.DataFrame, min_cell: int = DEFAULT_MIN_CELL,
                     at_risk: str = "at_risk", group: str | None = "group") -> pd.DataFrame:
    """A survival curve cut where fewer than ``min_cell`` people remain at risk, so that no
    step shows the exit of an identifiable few; groups that start below ``min_cell`` go."""
    kept = curve[curve[at_risk] >= min_cell]
    if group is not None and group in curve:
        starts = curve.groupby(group, observed=True)[at_risk].max()
        kept = kept[kept[group].isin(starts[starts >= min_cell].index)]
    return kept.reset_index(drop=True)


def shown_count(value, audience: str, min_cell: int = DEFAULT_MIN_CELL) -> str:
    """A count of people for a sentence: as it is for ``internal``, ``"<N"`` below ``min_cell``
    for ``funder``.

    Examples
    --------
    >>> shown_count(3, "funder"), shown_count(3, "internal"), shown_count(1200, "funder")
    ('<5', '3', '1,200')
    """
    if audience == "funder" and value < min_cell:
        return small_label(min_cell)
    return f"{int(value):,}"
