"""Charts drawn from published tables.

Every function takes ``data`` (a policed :class:`~evalkit.publish.policy.Shown` table, or a plain
DataFrame of exact results for a researcher's own use) and ``ax``, draws on it and returns it; none
calls ``plt.show()``. What a funder may not see is never drawn: withheld parts of a whole are drawn
as a grey hatched segment labelled "withheld (small numbers)", so stacked bars still reach 100%.
Each chart records a short description of what it shows (alt text) on its figure.

Colours are the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .labels import interval_level, words
from .policy import OMITTED, ROUND_TO, SHOWN, SMALL, UNDEFINED, WITHHELD, Shown

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000")
BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, YELLOW, BLACK = OKABE_ITO
GREY = "#9a9a9a"
WITHHELD_LABEL = "withheld (small numbers)"
WITHHELD_STYLE = {"facecolor": "#eeeeee", "edgecolor": "#8c8c8c", "hatch": "///",
                  "linewidth": 0.6}
PERCENT = FuncFormatter(lambda v, _: f"{v:.0%}")


# --- helpers -----------------------------------------------------------------------------------


def _values(data: Shown | pd.DataFrame) -> pd.DataFrame:
    return data.values if isinstance(data, Shown) else data.reset_index(drop=True)


def _shown(data: Shown | pd.DataFrame, column: str) -> np.ndarray:
    """True where a cell may be drawn."""
    if isinstance(data, Shown):
        return (data.status[column] == SHOWN).to_numpy()
    return data[column].notna().to_numpy()


def _numbers(data: Shown | pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(_values(data)[column], errors="coerce").to_numpy(float)
    return np.where(_shown(data, column), values, np.nan)


def describe(ax: Axes, text: str) -> None:
    """Record what the chart on ``ax`` shows (its alt text).

    The text is kept on the axes, so that two charts drawn in one figure keep their own; the
    figure's ``evalkit_alt`` joins the texts of all its axes, in order.

    Parameters
    ----------
    ax
        The chart's axes; the text is stored on it as ``evalkit_alt``.
    text
        One or two sentences saying what the chart shows, for readers who cannot see it.

    Examples
    --------
    >>> fig, (left, right) = plt.subplots(1, 2)
    >>> describe(left, "Bar chart of sessions held per week.")
    >>> describe(right, "Line chart of attendance.")
    >>> left.evalkit_alt
    'Bar chart of sessions held per week.'
    >>> fig.evalkit_alt
    'Bar chart of sessions held per week. Line chart of attendance.'
    >>> plt.close(fig)
    """
    ax.evalkit_alt = text
    ax.figure.evalkit_alt = " ".join(
        a.evalkit_alt for a in ax.figure.axes if getattr(a, "evalkit_alt", ""))


def sentence(figure: Figure) -> str | None:
    """What to say instead of showing ``figure``, when none of its charts had anything to draw.

    Set when every axes of the figure holds only a sentence; None otherwise.

    Parameters
    ----------
    figure
        A figure the chart functions drew on.

    Returns
    -------
    str or None
        The sentences of its axes, joined; None when some axes drew a chart.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> sentence(distribution_by_group(pd.DataFrame({"factor": [], "group": []}), ax=ax,
    ...                                factor="role", scale=(0, 10)).figure)
    'No groups of role.'
    >>> plt.close(fig)
    """
    said = [getattr(a, "evalkit_sentence", None) for a in figure.axes]
    if said and all(said):
        return " ".join(said)
    return None


def _nothing(ax, text: str):
    """A chart with nothing to draw: the axes hold only ``text``, and :func:`sentence` tells the
    page to show the sentence instead of an empty frame."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, textwrap.fill(text, 50), ha="center", va="center", fontsize=11,
            color="#444444", transform=ax.transAxes)
    ax.evalkit_sentence = text
    describe(ax, text)
    return ax


def _texts(data: Shown | pd.DataFrame, column: str, fmt: str = "{:.1f}") -> list[str]:
    """Each row's ``column`` as the table beside the chart writes it ("withheld" where it shows
    nothing), so alt text is never more precise than the page."""
    if isinstance(data, Shown):
        return [text if status == SHOWN else ("withheld" if status != UNDEFINED else "n/a")
                for text, status in zip(data.text[column], data.status[column], strict=True)]
    return ["withheld" if np.isnan(v) else fmt.format(v) for v in _numbers(data, column)]


def _level(data: Shown | pd.DataFrame, column: str = "ci_low") -> str:
    """The coverage of the table's interval as the table declares it ("95%"), so a chart never
    states a level the data do not have; "" when the table does not say."""
    if isinstance(data, Shown):
        try:
            return interval_level(data.spec.col(column).description)
        except KeyError:
            return ""
    return "95%"


def _interval_words(data: Shown | pd.DataFrame, column: str = "ci_low") -> str:
    """"95% interval" (or "interval" when the level is not declared)."""
    level = _level(data, column)
    return f"{level} interval" if level else "interval"


def _span(values: Sequence[float], scale: tuple[float, float] | None) -> tuple[float, float]:
    """The axis limits: the scale asked for, widened to every value drawn (a chart never cuts
    one off), or the values' own whole-number range when no scale is given."""
    drawn = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if scale is None:
        if not drawn.size:
            return (0.0, 1.0)
        low, high = float(np.floor(drawn.min())), float(np.ceil(drawn.max()))
        return (low, high if high > low else low + 1)
    low, high = float(scale[0]), float(scale[1])
    if drawn.size:
        low, high = min(low, float(np.floor(drawn.min()))), max(high, float(np.ceil(drawn.max())))
    return (low, high)


#: Height in inches of a chart of ``rows`` bars (or lines), for :func:`figure_size`.
def _rows_height(rows: int, *, base: float = 1.3, per_row: float = 0.4) -> float:
    return round(base + per_row * max(rows, 1), 2)


def figure_size(plot: Callable[..., Axes], data: Shown | pd.DataFrame | Mapping, *,
                width: float = 5.2, **options: object) -> tuple[float, float]:
    """The figure size a chart needs for ``data`` (the page makes the figure this size).

    Charts draw on the axes they are given and never resize the figure themselves; a chart
    whose height grows with its rows says how tall it wants to be here.

    Parameters
    ----------
    plot
        A chart function of this module.
    data
        The table it will draw.
    width
        Width of the figure in inches.
    **options
        The options the chart will be called with.

    Returns
    -------
    tuple of float
        Width and height in inches.

    Examples
    --------
    >>> table = pd.DataFrame({"meetings_were": ["held", "missed"], "meetings": [6, 13]})
    >>> figure_size(count_bars, table, category="meetings_were", count="meetings")
    (5.2, 2.0)
    >>> figure_size(rate_by_week, table)
    (5.2, 3.2)
    """
    sizes = getattr(plot, "evalkit_size", None)
    if sizes is None or isinstance(data, Mapping):
        return (width, 3.2)
    if isinstance(data, Shown) and not data.available:
        return (width, 1.0)
    return sizes(data, width, **options)


def _sized(how):
    """Attach ``how(data, width, **options) -> (width, height)`` to a chart function."""
    def attach(plot):
        plot.evalkit_size = how
        return plot
    return attach


# --- data overview -------------------------------------------------------------------------------


#: Size in points of the smallest text of a chart (row labels drawn with
#: :func:`label_rows_above`, legends, values written beside bars and points): about 10 px high
#: when a 5.2-inch figure is shown on a 390-pixel phone. The dense internal charts (the
#: attendance heat map, the accountability timeline) are read on a wide screen and use less.
ROW_LABEL_SIZE = 10.5


#: Characters per line of a row label before it wraps (:func:`label_rows_above`).
ROW_LABEL_WIDTH = 56


def _wrapped(labels: Sequence[str], width: int = ROW_LABEL_WIDTH) -> list[str]:
    return [textwrap.fill(str(label), width) for label in labels]


def rows_above_height(labels: Sequence[str], *, extra_height: float,
                      fontsize: float = ROW_LABEL_SIZE, width: int = ROW_LABEL_WIDTH) -> float:
    """Height in inches of a chart whose row labels are written above its rows.

    The one place that says how tall such a chart is: :func:`figure_size` asks it before the
    figure is made, and :func:`label_rows_above` draws into whatever figure it is given, so a
    chart never resizes the figure it draws on.

    Parameters
    ----------
    labels
        One label per row.
    extra_height
        Inches of the figure outside the rows (title, legend, x axis).
    fontsize
        Size of the labels in points.
    width
        Characters per line before a label wraps.

    Returns
    -------
    float
        The figure's height in inches.

    Examples
    --------
    >>> rows_above_height(["Check-in", "Talk"], extra_height=1.5)
    2.26
    """
    wrapped = _wrapped(labels, width)
    lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    row_inches = 0.2 + (fontsize / 72) * 1.25 * lines
    return round(extra_height + row_inches * max(len(wrapped), 1), 2)


def label_rows_above(ax: Axes, labels: Sequence[str], *, fontsize: float = ROW_LABEL_SIZE,
                     width: int = ROW_LABEL_WIDTH) -> None:
    """Write each row's label above its row, across the plot.

    Long labels as y tick labels take most of a narrow figure and leave a thin plot area; above
    the rows, they leave the plot area the figure's whole width (less the axis labels) and can
    be printed large enough to read on a phone. Rows are drawn at y = 0, 1, ...; the axis is
    inverted so that the first row is at the top. Labels longer than ``width`` characters wrap.
    The figure is left as it is: its height comes from :func:`rows_above_height`, through
    :func:`figure_size`, before anything is drawn.

    Parameters
    ----------
    ax
        The axes, with its rows already drawn at y = 0, 1, ... (bars of height at most 0.45).
    labels
        One label per row, in row order.
    fontsize
        Size of the labels in points.
    width
        Characters per line before a label wraps.

    Examples
    --------
    >>> fig, ax = plt.subplots(figsize=(5.2, 3))
    >>> _ = ax.barh([0, 1], [0.4, 0.7], height=0.4)
    >>> label_rows_above(ax, ["Check-in", "A long name for the second exercise"])
    >>> [t.get_text() for t in ax.texts], ax.get_yticklabels()[0].get_text()
    (['Check-in', 'A long name for the second exercise'], '')
    >>> plt.close(fig)
    """
    from matplotlib.transforms import blended_transform_factory

    wrapped = _wrapped(labels, width)
    lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    ax.set_yticks(range(len(wrapped)), [""] * len(wrapped))
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(len(wrapped) - 0.5, -0.5 - 0.05 * lines)
    across = blended_transform_factory(ax.transAxes, ax.transData)
    for i, label in enumerate(wrapped):
        ax.text(0.0, i - 0.24, label, transform=across, ha="left", va="bottom",
                fontsize=fontsize, linespacing=1.1)


def data_coverage(data: Shown | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Months covered by each file (from the ``data_overview`` table).

    A file starting more than a year before all the others is drawn from the others' start, with
    its first month written beside it, so one old file does not squeeze the rest.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        with ``file, first_month, last_month``.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"file": ["sessions.csv", "stss.csv"],
    ...                       "first_month": ["2023-01", "2024-03"],
    ...                       "last_month": ["2025-04", "2025-03"]})
    >>> fig, ax = plt.subplots()
    >>> print(data_coverage(table, ax=ax).figure.evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Bar chart of the months each data file covers: sessions.csv 2023-01 to 2025-04; stss.csv
    2024-03 to 2025-03.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    table = table[table["first_month"].notna() & table["last_month"].notna()].reset_index(drop=True)
    if table.empty:
        return _nothing(ax, "No file has dates.")
    first = table["first_month"].map(lambda m: pd.Period(str(m), freq="M"))
    last = table["last_month"].map(lambda m: pd.Period(str(m), freq="M"))
    starts = sorted(first)
    start = starts[0]
    if len(starts) > 1 and (starts[1] - starts[0]).n > 12:
        start = starts[1]
    for row, (a, b) in enumerate(zip(first, last, strict=True)):
        left = max(a, start)
        ax.barh(row, (b - left).n + 1, left=left.ordinal, color=BLUE, height=0.55)
        if a < start:
            ax.annotate(f"from {a}", (left.ordinal, row), xytext=(4, 0),
                        textcoords="offset points", ha="left", va="center", fontsize=ROW_LABEL_SIZE,
                        color="white")
    end = max(last)
    span = (end - start).n + 1
    step = 12 if span > 36 else 6 if span > 12 else 3
    ticks = [m for m in pd.period_range(start, end + 1, freq="M") if (m.month - 1) % step == 0]
    ax.set_xticks([m.ordinal for m in ticks],
                  [str(m.year) if step == 12 else f"{m:%b %Y}" for m in ticks], fontsize=ROW_LABEL_SIZE)
    ax.set_xlim(start.ordinal - 0.5, end.ordinal + 1.5)
    ax.set_yticks(range(len(table)), table["file"])
    ax.invert_yaxis()
    ax.set_title("Months covered by each file")
    describe(ax, "Bar chart of the months each data file covers: " + "; ".join(
        f"{f} {a} to {b}" for f, a, b in zip(table["file"], first, last, strict=True)) + ".")
    return ax


# --- attendance ----------------------------------------------------------------------------------


def rate_by_week(data: Shown | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Attendance rate per programme week with its interval as a band.

    Weeks whose rate is withheld are hatched strips over the whole height: no point, no line.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``attendance_by_week``.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"programme_week": [1, 2, 3], "scheduled": [20, 20, 19],
    ...                       "attendance_rate": [0.9, 0.8, 0.75], "ci_low": [0.7, 0.58, 0.53],
    ...                       "ci_high": [0.97, 0.92, 0.89]})
    >>> fig, ax = plt.subplots()
    >>> print(rate_by_week(table, ax=ax).figure.evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Line chart of the share of scheduled participants attending each programme week, from
    90% at its highest to 75% at its lowest, with 95% intervals.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    weeks = table["programme_week"].to_numpy(int)
    rate = _numbers(data, "attendance_rate")
    low, high = _numbers(data, "ci_low"), _numbers(data, "ci_high")
    interval_words = _interval_words(data)
    ax.fill_between(weeks, low, high, color=BLUE, alpha=0.18, linewidth=0, label=interval_words)
    ax.plot(weeks, rate, marker="o", color=BLUE, markersize=4, label="attendance rate")
    hidden = np.isnan(rate) & (table["scheduled"].astype(str) != "0").to_numpy()
    # A withheld week has no height: a hatched strip over the whole height, never a mark at 0%.
    for i, week in enumerate(weeks[hidden]):
        ax.axvspan(week - 0.4, week + 0.4, zorder=0, label=WITHHELD_LABEL if i == 0 else None,
                   **WITHHELD_STYLE)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PERCENT)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("programme week")
    ax.set_ylabel("participants attending")
    ax.set_title("Attendance by programme week")
    ax.legend(loc="lower left", fontsize=ROW_LABEL_SIZE)
    shown = ~np.isnan(rate)
    text = "Line chart of the share of scheduled participants attending each programme week"
    if shown.any():
        text += (f", from {np.nanmax(rate):.0%} at its highest to {np.nanmin(rate):.0%} at its "
                 f"lowest, with {interval_words}s")
    describe(ax, text + ".")
    return ax


def rate_by_group(data: Shown | pd.DataFrame, *, factor: str = "site",
                  rate: str = "attendance_rate", ax: Axes | None = None) -> Axes:
    """One dot per group of ``factor`` with its interval (rows of an ``*_by_group`` table).

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``attendance_by_group``.
    factor
        Which factor's rows to draw.
    rate
        The column holding the rate.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"factor": ["site", "site"], "group": ["north", "south"],
    ...                       "attendance_rate": [0.64, 0.66], "ci_low": [0.53, 0.56],
    ...                       "ci_high": [0.73, 0.75]})
    >>> fig, ax = plt.subplots()
    >>> print(rate_by_group(table, ax=ax, factor="site").figure.evalkit_alt)
    Dot chart of the attendance rate by site: north 64%; south 66%.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    rows = (table["factor"] == factor).to_numpy()
    if not rows.any():
        return _nothing(ax, f"No groups of {words(factor)}.")
    labels = [words(g) for g in table.loc[rows, "group"]]
    value = _numbers(data, rate)[rows]
    low, high = _numbers(data, "ci_low")[rows], _numbers(data, "ci_high")[rows]
    y = np.arange(rows.sum())
    ax.hlines(y, low, high, color=BLUE, linewidth=2)
    ax.plot(value, y, "o", color=BLUE)
    hidden = np.isnan(value)
    for i in np.flatnonzero(hidden):
        ax.annotate(WITHHELD_LABEL, (0.01, y[i]), va="center", fontsize=ROW_LABEL_SIZE, color="#555555")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PERCENT)
    ax.set_xlabel(f"attendance rate ({_interval_words(data)})")
    ax.set_title(f"Attendance by {words(factor)}")
    describe(ax, f"Dot chart of the attendance rate by {words(factor)}: " + "; ".join(
        f"{lab} {'withheld' if np.isnan(v) else f'{v:.0%}'}"
        for lab, v in zip(labels, value, strict=True)) + ".")
    return ax


def retention_curves(data: Shown | pd.DataFrame, *, group_by: str = "all",
                     ax: Axes | None = None) -> Axes:
    """Kaplan-Meier curves (share still on the programme by week) with their bands.

    One curve per group of ``group_by`` (``"all"`` for everyone), every step in the week it
    happened. Exact curves are for research and internal reports; a funder sees
    :func:`retention_at_milestones`.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``retention``.
    group_by
        Which grouping's curves to draw.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"group_by": ["all", "all"], "group": ["all", "all"],
    ...                       "time": [2.0, 5.0], "survival": [0.9, 0.8],
    ...                       "ci_low": [0.8, 0.68], "ci_high": [0.95, 0.88]})
    >>> fig, ax = plt.subplots()
    >>> retention_curves(table, ax=ax).get_title()
    'Still on the programme'
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    part = table[table["group_by"] == group_by]
    if part.empty:
        return _nothing(ax, f"No retention curve by {words(group_by)} can be shown.")
    names = list(dict.fromkeys(part["group"]))
    for colour, name in zip(OKABE_ITO, names, strict=False):
        rows = (table["group_by"] == group_by).to_numpy() & (table["group"] == name).to_numpy()
        # Start at week 0 with everyone, and carry the last step on for a week so it reads as a
        # level rather than a tick.
        times = table.loc[rows, "time"].to_numpy(float)
        times = np.r_[0.0, times, (times[-1] if len(times) else 0.0) + 1]
        surv = _numbers(data, "survival")[rows]
        low, high = _numbers(data, "ci_low")[rows], _numbers(data, "ci_high")[rows]
        surv, low, high = (np.r_[1.0, v, v[-1] if len(v) else 1.0] for v in (surv, low, high))
        label = None if group_by == "all" else words(name)
        ax.step(times, surv, where="post", color=colour, label=label)
        ax.fill_between(times, low, high, step="post", color=colour, alpha=0.15, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PERCENT)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("programme week")
    ax.set_ylabel("still on the programme")
    title = "Still on the programme" + ("" if group_by == "all" else f", by {words(group_by)}")
    ax.set_title(title)
    if group_by != "all":
        ax.legend(loc="lower left", fontsize=ROW_LABEL_SIZE)
    describe(ax, f"Step chart of the share of participants still on the programme week by week"
                 f"{'' if group_by == 'all' else ', one line per ' + words(group_by)}, "
                 f"with {_level(data)} bands.".replace("with  bands", "with bands"))
    return ax


@_sized(lambda data, width, **_: (width, 3.8))
def retention_at_milestones(data: Shown | pd.DataFrame, *, group_by: str = "all",
                            ax: Axes | None = None) -> Axes:
    """Share still on the programme after each milestone week, as points with their intervals.

    One colour per group of ``group_by`` (``"all"`` for everyone). Points are not joined: the
    table says nothing about the weeks between milestones. A withheld milestone is drawn as a
    hatched strip over the whole height (it stands at no share) and named in the legend, never
    left out or moved to another week.
    With nothing shown at all, the chart is a sentence.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``retention_milestones``.
    group_by
        Which grouping to draw.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"group_by": ["all"] * 3, "group": ["all"] * 3,
    ...                       "week": [4, 8, 12], "share": [0.9, 0.8, None],
    ...                       "ci_low": [0.82, 0.7, None], "ci_high": [0.95, 0.87, None]})
    >>> fig, ax = plt.subplots()
    >>> print(retention_at_milestones(table, ax=ax).evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Chart of the share of participants still on the programme after weeks 4, 8 and 12, with 95%
    intervals: after week 4 90%, after week 8 80%, after week 12 withheld.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    rows = (table["group_by"].astype(str) == group_by).to_numpy()
    share = _numbers(data, "share")
    low, high = _numbers(data, "ci_low"), _numbers(data, "ci_high")
    what = "retention" if group_by == "all" else f"retention by {words(group_by)}"
    if not rows.any():
        return _nothing(ax, f"No {what} to show.")
    if np.isnan(share[rows]).all():
        return _nothing(ax, f"{what.capitalize()} is withheld at every milestone week: a group "
                            f"is too small, or its share would give a small group away.")
    names = list(dict.fromkeys(table.loc[rows, "group"].astype(str)))
    weeks = sorted({int(w) for w in table.loc[rows, "week"]})
    step = min(np.diff(weeks)) if len(weeks) > 1 else 4
    # Groups side by side within a milestone, never further than a third of the way to the next.
    offsets = np.linspace(-step / 6, step / 6, len(names)) if len(names) > 1 else [0.0]
    # A withheld milestone has no height to stand at: a hatched strip over the whole height
    # (never a mark at 0%, which would read as everyone gone), as narrow as its place.
    strip = (step / 3 / max(len(names) - 1, 1) if len(names) > 1 else step / 4) * 0.4
    interval_words = _interval_words(data)
    texts, withheld_any = [], False
    for colour, name, offset in zip(OKABE_ITO, names, offsets, strict=False):
        part = rows & (table["group"].astype(str) == name).to_numpy()
        x = table.loc[part, "week"].to_numpy(float) + offset
        v, lo, hi = share[part], low[part], high[part]
        label = None if group_by == "all" else words(name)
        ax.vlines(x, lo, hi, color=colour, linewidth=1.6)
        ax.plot(x, v, "o", color=colour, label=label, markersize=6)
        hidden = np.isnan(v)
        if hidden.any():
            withheld_any = True
            for centre in x[hidden]:
                ax.axvspan(centre - strip / 2, centre + strip / 2, zorder=0, **WITHHELD_STYLE)
        texts.append(("" if group_by == "all" else f"{words(name)}: ") + ", ".join(
            f"after week {int(w)} " + ("withheld" if np.isnan(value) else f"{value:.0%}")
            for w, value in zip(table.loc[part, "week"], v, strict=True)))
    handles, labels = ax.get_legend_handles_labels()
    if withheld_any:
        handles.append(Patch(**WITHHELD_STYLE))
        labels.append(WITHHELD_LABEL)
    if handles:
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  ncols=min(len(labels), 2), fontsize=ROW_LABEL_SIZE)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PERCENT)
    ax.set_xticks(weeks, [str(w) for w in weeks])
    ax.set_xlim(weeks[0] - step / 2, weeks[-1] + step / 2)
    ax.set_xlabel("after programme week")
    ax.set_ylabel("still on the programme")
    ax.set_title("Still on the programme" + ("" if group_by == "all"
                                             else f", by {words(group_by)}"))
    listed = (", ".join(str(w) for w in weeks[:-1]) + f" and {weeks[-1]}") if len(weeks) > 1 \
        else str(weeks[0])
    describe(ax, f"Chart of the share of participants still on the programme after weeks "
                 f"{listed}"
                 f"{'' if group_by == 'all' else ', one colour per ' + words(group_by)}, with "
                 f"{interval_words}s: " + "; ".join(texts) + ".")
    return ax


def attendance_heatmap(data: Shown | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Internal only: one row per participant (no ids), one column per programme week.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``attendance_matrix``.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"row": [0, 0, 1, 1], "programme_week": [1, 2, 1, 2],
    ...                       "attended": [1, 0, 1, 1]})
    >>> fig, ax = plt.subplots()
    >>> attendance_heatmap(table, ax=ax).get_ylabel().splitlines()[0]
    '2 participants'
    >>> plt.close(fig)
    """
    from matplotlib.colors import ListedColormap

    ax = ax or plt.gca()
    table = _values(data)
    if table.empty:
        return _nothing(ax, "No attendance to draw.")
    matrix = table.pivot(index="row", columns="programme_week", values="attended")
    cmap = ListedColormap(["#e8d9c5", BLUE]).with_extremes(bad="#ffffff")
    ax.imshow(matrix.to_numpy(float), aspect="auto", interpolation="nearest", cmap=cmap,
              vmin=0, vmax=1)
    ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns], fontsize=7)
    ax.set_yticks([])
    ax.set_xlabel("programme week")
    ax.set_ylabel(f"{matrix.shape[0]} participants\n(by last week attended)")
    ax.set_title("Attendance by participant and week")
    ax.legend(handles=[Patch(color=BLUE, label="attended"),
                       Patch(color="#e8d9c5", label="absent"),
                       Patch(facecolor="#ffffff", edgecolor="#999999", label="no session held")],
              loc="lower center", bbox_to_anchor=(0.5, 1.06), ncols=3, fontsize=ROW_LABEL_SIZE)
    describe(ax, f"Heat map of attendance: {matrix.shape[0]} participants (rows, no names) by "
                 f"programme week (columns); blue attended, beige absent, white no session.")
    return ax


# --- delivery --------------------------------------------------------------------------------------


def _exercise_labels(data: Shown | pd.DataFrame) -> list[str]:
    table = _values(data)
    return [f"S{m} {t}" for m, t in zip(table["module_session"], table["exercise_title"],
                                        strict=True)]


#: Inches of the exercise chart outside its rows (title, legend, x axis).
_EXERCISE_EXTRA = 1.5


@_sized(lambda data, width, **_: (width, rows_above_height(_exercise_labels(data),
                                                           extra_height=_EXERCISE_EXTRA)))
def fidelity_by_exercise(data: Shown | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Stacked bars per exercise: share of sessions delivering it in full, cut short or not at all.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``exercise_fidelity``.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"module_session": [1, 1], "exercise_title": ["Check-in", "Talk"],
    ...                       "full_share": [0.8, 0.5], "cut_short_share": [0.2, 0.3],
    ...                       "not_delivered_share": [0.0, 0.2]})
    >>> fig, ax = plt.subplots()
    >>> [label.get_text() for label in fidelity_by_exercise(table, ax=ax).texts]
    ['S1 Check-in', 'S1 Talk']
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    if table.empty:
        return _nothing(ax, "No delivery was recorded.")
    labels = _exercise_labels(data)
    left = np.zeros(len(table))
    for column, colour, name in (("full_share", GREEN, "in full"),
                                 ("cut_short_share", ORANGE, "cut short"),
                                 ("not_delivered_share", VERMILION, "not delivered")):
        values = np.nan_to_num(_numbers(data, column))
        ax.barh(range(len(table)), values, left=left, color=colour, label=name, height=0.42)
        left += values
    label_rows_above(ax, labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PERCENT)
    ax.tick_params(axis="x", labelsize=ROW_LABEL_SIZE)
    ax.set_xlabel("share of recorded sessions", fontsize=ROW_LABEL_SIZE)
    # Above the legend, which sits on top of the plot.
    ax.set_title("How each exercise was delivered", pad=ROW_LABEL_SIZE * 2.6)
    ax.legend(ncols=3, loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=ROW_LABEL_SIZE)
    describe(ax, "Stacked bar chart, one bar per exercise of the module, of the share of "
                 "sessions that delivered it in full, cut it short or left it out.")
    return ax


# --- shares of a whole -----------------------------------------------------------------------------


def ordered_colours(categories: list[str]) -> dict[str, str]:
    """Colours for ordered categories (bands from least to most), light to dark.

    A ramp of the colour-blind-safe viridis map.

    Parameters
    ----------
    categories
        The categories in order, least first.

    Returns
    -------
    dict of str to str
        Category -> hexadecimal colour.

    Examples
    --------
    >>> ordered_colours(["low", "moderate", "high"])
    {'low': '#cae11f', 'moderate': '#1f988b', 'high': '#463480'}
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    ramp = colormaps["viridis_r"]
    steps = np.linspace(0.08, 0.85, len(categories)) if len(categories) > 1 else [0.5]
    return {c: to_hex(ramp(v)) for c, v in zip(categories, steps, strict=True)}


#: Reliable-change categories: better green, no change grey, worse vermilion.
CHANGE_COLOURS = {"reliably_improved": GREEN, "no_reliable_change": "#bdbdbd",
                  "reliably_worse": VERMILION}


def _counts_instead(data: Shown | pd.DataFrame, share: str) -> bool:
    """Whether a share chart must draw counts: no share of the table is shown, but the counts
    it is made of are (the policy withholds a whole split when one part is small)."""
    if not isinstance(data, Shown) or not len(data):
        return False
    col = data.spec.col(share)
    return (not (data.status[share] == SHOWN).any() and bool(col.part)
            and (data.status[col.part] != UNDEFINED).any())


def _share_bars_size(data, width, *, by, share="share", **_):
    groups = _values(data)[by].nunique() if len(data) else 1
    if _counts_instead(data, share):
        categories = len(data) // max(groups, 1)
        return (width, _rows_height(len(data), base=1.5 + 0.12 * categories, per_row=0.24))
    return (width, _rows_height(groups, base=1.9, per_row=0.45))


@_sized(_share_bars_size)
def share_bars(data: Shown | pd.DataFrame, *, by: str, category: str, share: str = "share",
               order: list[str] | None = None, title: str = "", colours: Mapping[str,
               str] | None = None, ax: Axes | None = None) -> Axes:
    """One stacked horizontal bar per group of ``by``: the share in each ``category``.

    Only shares the table shows are drawn, each labelled as the table writes it. What is
    withheld is drawn as a grey hatched segment labelled "withheld (small numbers)": the rest of
    a bar whose other shares are shown (kept visible even when the shown shares round up to
    100%), or the whole bar of a group whose shares are all withheld.

    When the table shows no share at all but shows the counts they are made of (the funder
    policy withholds every share of a split when one part is small), the chart draws those
    counts instead: a bar per category and group, labelled with the count as the table shows
    it (rounded to 5), and a count below the threshold as a hatched bar up to the threshold,
    labelled "<5". So the chart and the table beside it show the same figures, and no bar
    reaches 100% by leaving a small category out. With ``order`` (ordered categories such as
    bands) colours run light to dark.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        with a row per group and category.
    by
        The column naming the groups (one bar each).
    category
        The column naming the categories (segments).
    share
        The column holding each segment's share.
    order
        The categories in order, for ordered colours; None keeps the table's order.
    title
        Title of the chart ("" for none).
    colours
        Category -> colour, instead of the default palette.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"wave": ["2024"] * 3, "band": ["low", "moderate", "high"],
    ...                       "share": [0.2, 0.5, 0.3]})
    >>> fig, ax = plt.subplots()
    >>> ax = share_bars(table, ax=ax, by="wave", category="band", order=["low", "moderate", "high"])
    >>> print(ax.evalkit_alt)
    Stacked bar chart: for each wave, the share in each of low, moderate, high: 2024 low 20%, moderate 50%, high 30%.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    if table.empty:
        return _nothing(ax, "Nothing can be shown.")
    groups = list(dict.fromkeys(table[by].astype(str)))
    categories = order or list(dict.fromkeys(table[category].astype(str)))
    categories = [c for c in categories if c in set(table[category].astype(str))] or categories
    if colours is None and set(categories) <= set(CHANGE_COLOURS):
        colours = CHANGE_COLOURS
    palette = colours or (ordered_colours(categories) if order else
                          dict(zip(categories, OKABE_ITO, strict=False)))
    if _counts_instead(data, share):
        return _count_bars_of_split(data, by=by, category=category, share=share,
                                    groups=groups, categories=categories, title=title, ax=ax)
    values = _numbers(data, share)
    texts = data.text[share].to_numpy() if isinstance(data, Shown) else np.array(
        ["" if np.isnan(v) else f"{v:.0%}" for v in values], dtype=object)
    frame = pd.DataFrame({"g": table[by].astype(str), "c": table[category].astype(str),
                          "v": values, "t": texts})
    shares = frame.pivot(index="g", columns="c", values="v").reindex(index=groups,
                                                                     columns=categories)
    labels = frame.pivot(index="g", columns="c", values="t").reindex(index=groups,
                                                                     columns=categories)
    left = np.zeros(len(groups))
    for name in categories:
        part = np.nan_to_num(shares[name].to_numpy(float))
        ax.barh(range(len(groups)), part, left=left, color=palette.get(name, GREY),
                label=words(name))
        for i, v in enumerate(part):
            if v >= 0.08:
                ax.text(left[i] + v / 2, i, str(labels[name].iloc[i]), ha="center",
                        va="center", fontsize=ROW_LABEL_SIZE, color=_text_colour(palette.get(name, GREY)))
        left += part
    withheld = shares.isna().any(axis=1).to_numpy()
    if withheld.any():
        # Shown shares can round up to 100% beside a withheld one: the withheld part stays
        # visible (at least 4% wide, drawn past the end if need be) and labelled.
        rest = np.maximum(1 - left, 0.04)
        ax.barh(np.flatnonzero(withheld), rest[withheld], left=left[withheld],
                label=WITHHELD_LABEL, **WITHHELD_STYLE)
        for i in np.flatnonzero(withheld & (left == 0)):
            ax.text(0.5, i, "withheld (small numbers)", ha="center", va="center", fontsize=ROW_LABEL_SIZE,
                    color="#333333")
    # Long group names wrap, so the bars keep their width on a phone.
    ax.set_yticks(range(len(groups)), [textwrap.fill(words(g), 16) for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, max(1.0, float((left + np.where(withheld, 0.04, 0)).max())))
    ax.xaxis.set_major_formatter(PERCENT)
    # The legend goes under the bars so that it never meets the title on a narrow screen.
    entries = len(categories) + int(withheld.any())
    ax.legend(ncols=min(entries, 2), loc="upper center", bbox_to_anchor=(0.5, -0.22),
              fontsize=ROW_LABEL_SIZE)
    if title:
        ax.set_title(title)
    listed = "; ".join(
        f"{words(g)} " + ", ".join(
            f"{words(c)} {'withheld' if np.isnan(shares.loc[g, c]) else labels.loc[g, c]}"
            for c in categories) for g in groups)
    describe(ax, f"Stacked bar chart{' of ' + title if title else ''}: for each "
                 f"{words(by)}, the share in each of {', '.join(words(c) for c in categories)}: "
                 f"{listed}.")
    return ax


def _count_bars_of_split(data: Shown, *, by: str, category: str, share: str, groups: list[str],
                         categories: list[str], title: str, ax: Axes) -> Axes:
    """The counts a split's table shows, when its shares are withheld (see :func:`share_bars`)."""
    col = data.spec.col(share)
    table = data.values
    counts = _numbers(data, col.part)
    status = data.status[col.part].to_numpy()
    text = data.text[col.part].to_numpy()
    small = data.policy.min_cell
    height = 0.8 / len(groups)
    y_of = {c: i for i, c in enumerate(categories)}
    listed = []
    for j, (colour, group) in enumerate(zip(OKABE_ITO, groups, strict=False)):
        rows = np.flatnonzero(table[by].astype(str).to_numpy() == group)
        said = []
        for i in rows:
            name = str(table[category].iloc[i])
            if name not in y_of:
                continue
            y = y_of[name] - 0.4 + height * (j + 0.5)
            if status[i] == SMALL:
                ax.barh(y, small, height=height * 0.9, **WITHHELD_STYLE)
                ax.annotate(text[i], (small, y), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=ROW_LABEL_SIZE, color="#333333")
            elif not np.isnan(counts[i]):
                ax.barh(y, counts[i], height=height * 0.9, color=colour)
                ax.annotate(text[i], (counts[i], y), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=ROW_LABEL_SIZE)
            said.append(f"{words(name)} {'fewer than ' + str(small) if status[i] == SMALL else text[i]}")
        listed.append(f"{words(group)}: " + ", ".join(said))
    handles = [Patch(color=c, label=words(g)) for c, g in zip(OKABE_ITO, groups, strict=False)]
    handles.append(Patch(label=f"fewer than {small} (withheld)", **WITHHELD_STYLE))
    ax.legend(handles=handles, ncols=min(len(handles), 2), loc="upper center",
              bbox_to_anchor=(0.5, -0.28), fontsize=ROW_LABEL_SIZE)
    ax.set_yticks(range(len(categories)), [textwrap.fill(words(c), 16) for c in categories])
    ax.invert_yaxis()
    # Ticks on multiples of the rounding, as the counts are.
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[ROUND_TO, 10]))
    unit = data.spec.unit
    ax.set_xlabel(f"{unit}, rounded to the nearest {ROUND_TO} (shares withheld)")
    if title:
        ax.set_title(title)
    describe(ax, f"Bar chart{' of ' + title if title else ''}: the number of {unit} in each "
                 f"{words(category)} for each {words(by)}, rounded to the nearest {ROUND_TO}; "
                 f"the shares are withheld because a {words(category)} has fewer than {small}: "
                 + "; ".join(listed) + ".")
    return ax


def _text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(background)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


@_sized(lambda data, width, **_: (width, _rows_height(len(data), base=1.2)))
def count_bars(data: Shown | pd.DataFrame, *, category: str, count: str, xlabel: str = "",
               title: str = "", ax: Axes | None = None) -> Axes:
    """Horizontal bars of a count per category, each labelled with its (rounded) value.

    A count below the threshold is a hatched bar up to the threshold, labelled as such.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        with a row per category.
    category
        The column naming the categories.
    count
        The column holding the counts.
    xlabel
        Label of the count axis ("" for the count column's words).
    title
        Title of the chart ("" for none).
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"meetings_were": ["held", "missed"], "meetings": [6, 13]})
    >>> fig, ax = plt.subplots()
    >>> print(count_bars(table, ax=ax, category="meetings_were", count="meetings").figure.evalkit_alt)
    Bar chart: held 6; missed 13.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    values = _numbers(data, count)
    labels = [words(c) for c in table[category]]
    y = np.arange(len(values))
    ax.barh(y, np.nan_to_num(values), color=BLUE)
    texts = data.text[count].tolist() if isinstance(data, Shown) else [
        f"{v:.0f}" for v in values]
    # A count below the threshold is not zero: a hatched bar up to the threshold, as elsewhere.
    small = (data.status[count] == SMALL).to_numpy() if isinstance(data, Shown) else \
        np.zeros(len(values), bool)
    if small.any():
        ax.barh(y[small], data.policy.min_cell, **WITHHELD_STYLE,
                label=f"fewer than {data.policy.min_cell} (withheld)")
        # Below the axis label: inside the plot it would sit on a long bar.
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), fontsize=ROW_LABEL_SIZE)
    for i, (v, t) in enumerate(zip(values, texts, strict=True)):
        at = data.policy.min_cell if small[i] else (0 if np.isnan(v) else v)
        ax.annotate(t, (at, i), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=ROW_LABEL_SIZE)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel or words(count))
    if title:
        ax.set_title(title)
    describe(ax, f"Bar chart{' of ' + title if title else ''}: " + "; ".join(
        f"{lab} {t}" for lab, t in zip(labels, texts, strict=True)) + ".")
    return ax


# --- scores --------------------------------------------------------------------------------------


def means_by_wave(data: Shown | pd.DataFrame, *, wave: str = "wave", mean: str = "mean",
                  scale: tuple[float, float] = (1, 5), ylabel: str = "", title: str = "",
                  pairs: Shown | pd.DataFrame | None = None, waves: list[str] | None = None,
                  ax: Axes | None = None) -> Axes:
    """Mean score at each wave with its interval; the axis spans the whole scale.

    With ``pairs`` (internal only: one row per person, a column per wave) each person's line is
    drawn in grey underneath.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        with a row per wave.
    wave
        The column naming the waves.
    mean
        The column holding the means (``ci_low`` and ``ci_high`` hold the interval).
    scale
        Lowest and highest possible score (the y axis, widened if a figure lies outside it).
    ylabel
        Label of the y axis.
    title
        Title of the chart ("" for none).
    pairs
        One row per person and a column per wave, or None.
    waves
        The waves in order; None keeps the table's order.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"wave": ["pre", "post"], "mean": [3.1, 2.6],
    ...                       "ci_low": [2.9, 2.3], "ci_high": [3.3, 2.8]})
    >>> fig, ax = plt.subplots()
    >>> ax = means_by_wave(table, ax=ax, ylabel="mean discomfort")
    >>> print(ax.figure.evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Chart of the mean discomfort at each wave with 95% intervals: before preparation 3.1;
    after preparation 2.6.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    if table.empty:
        return _nothing(ax, "No scores to draw.")
    order = waves or list(dict.fromkeys(table[wave].astype(str)))
    positions = {w: i for i, w in enumerate(order)}
    if pairs is not None and (not isinstance(pairs, Shown) or pairs.available):
        people = _values(pairs)
        cols = [w for w in order if w in people.columns]
        for _, row in people[cols].iterrows():
            ax.plot([positions[w] for w in cols], row.to_numpy(float), color="#c8c8c8",
                    linewidth=0.7, zorder=1)
    x = table[wave].astype(str).map(positions).to_numpy(float)
    value = _numbers(data, mean)
    low, high = _numbers(data, "ci_low"), _numbers(data, "ci_high")
    interval_words = _interval_words(data)
    ax.errorbar(x, value, yerr=[value - low, high - value], color=ORANGE, marker="o",
                linewidth=2.2, capsize=5, zorder=3, label=f"mean and {interval_words}")
    ax.set_xticks(range(len(order)), [words(w) for w in order])
    ax.set_xlim(-0.4, len(order) - 0.6)
    ax.set_ylim(*_span([*value, *low, *high], scale))
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", fontsize=ROW_LABEL_SIZE)
    # "mean discomfort" as the axis label must not read "the mean mean discomfort".
    subject = ylabel if ylabel.lower().startswith("mean") else f"mean {ylabel}".strip()
    describe(ax, f"Chart of the {subject or 'mean score'} at each wave with {interval_words}s: "
                 + "; ".join(f"{words(w)} {t}" for w, t in zip(
                     table[wave].astype(str), _texts(data, mean), strict=True)) + ".")
    return ax


#: Inches of the item chart outside its rows (legend, x axis).
_ITEMS_EXTRA = 1.4


@_sized(lambda data, width, **_: (width, rows_above_height(
    list(dict.fromkeys(_values(data)["label"])), extra_height=_ITEMS_EXTRA)))
def item_means(data: Shown | pd.DataFrame, *, waves: list[str],
               scale: tuple[float, float] = (1, 5), xlabel: str = "",
               ax: Axes | None = None) -> Axes:
    """Mean answer to each item at each wave, one row per item, dots joined by a line.

    Rows follow the table's order; the table is an item table in long form (item, label, wave, n,
    mean).

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``discomfort_items``.
    waves
        The waves to draw, in order.
    scale
        Lowest and highest possible answer (the x axis).
    xlabel
        Label of the x axis.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"label": ["Explicit account", "Explicit account", "Denial"],
    ...                       "wave": ["pre", "post", "pre"], "mean": [4.1, 3.4, 2.2]})
    >>> fig, ax = plt.subplots()
    >>> ax = item_means(table, ax=ax, waves=["pre", "post"])
    >>> print(ax.figure.evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Dot chart of the mean answer to each item at each wave, hardest first: Explicit account
    4.1; Denial 2.2.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    labels = list(dict.fromkeys(table["label"]))
    rows = {label: i for i, label in enumerate(labels)}
    means = _numbers(data, "mean")
    frame = pd.DataFrame({"label": table["label"], "wave": table["wave"].astype(str),
                          "mean": means})
    wide = frame.pivot(index="label", columns="wave", values="mean").reindex(labels)
    present = [w for w in waves if w in wide.columns]
    ax.hlines(range(len(labels)), wide[present].min(axis=1), wide[present].max(axis=1),
              color="#bbbbbb", linewidth=1)
    for colour, w in zip(OKABE_ITO, present, strict=False):
        ax.scatter(wide[w], [rows[lab] for lab in wide.index], color=colour, s=34, zorder=3,
                   label=words(w))
    label_rows_above(ax, labels)
    ax.set_xlim(*_span(list(means), scale))
    ax.tick_params(axis="x", labelsize=ROW_LABEL_SIZE)
    ax.set_xlabel(xlabel, fontsize=ROW_LABEL_SIZE)
    ax.legend(ncols=min(len(present), 2), loc="lower left", bbox_to_anchor=(0.0, 1.0),
              fontsize=ROW_LABEL_SIZE)
    describe(ax, "Dot chart of the mean answer to each item at each wave, hardest first: "
                 + "; ".join(f"{lab} {wide.loc[lab, present[0]]:.1f}" for lab in labels[:3])
                 + (" ..." if len(labels) > 3 else "") + ".")
    return ax


def distribution_by_group(data: Shown | pd.DataFrame, *, factor: str,
                          scale: tuple[float, float] | None = None,
                          thresholds: Sequence[float] = (), ylabel: str = "",
                          ax: Axes | None = None) -> Axes:
    """Boxes from a quantile table: quartiles as the box, 10th to 90th percentiles as whiskers.

    Whiskers are drawn only where the table shows both percentiles; the median is marked.

    The table holds factor, group, n, p10, q1, median, q3, p90, so no single person's score is
    drawn. Every box drawn is made of published figures only: a group whose quartiles are shown
    but whose tails are withheld (they need a larger group) gets a box without whiskers, and a
    group whose quartiles are withheld is named and labelled "withheld" where its box would be.
    When no group has a box, the chart is a sentence.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``sts_distribution``.
    factor
        Which factor's rows to draw.
    scale
        Lowest and highest possible score (the y axis, widened if a figure lies outside it);
        None for the figures' own range.
    thresholds
        Scores to mark with a dashed line (a clinical cut-off, say).
    ylabel
        Label of the y axis.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"factor": ["role"] * 3,
    ...                       "group": ["facilitator", "supervisor", "manager"],
    ...                       "n": [24, 12, 3], "p10": [23, None, None], "q1": [31, 28, None],
    ...                       "median": [38, 30, None], "q3": [43, 32, None],
    ...                       "p90": [51, None, None]})
    >>> fig, ax = plt.subplots()
    >>> ax = distribution_by_group(table, ax=ax, factor="role", scale=(17, 85), thresholds=[38])
    >>> print(ax.evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Box chart of scores by role: boxes span the middle half of scores (lower to upper quartile),
    whiskers the 10th to 90th percentiles where shown; facilitators median 38 (quartiles 31 to
    43, 10th to 90th percentile 23 to 51); supervisors median 30 (quartiles 28 to 32); managers
    withheld.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    rows = (table["factor"].astype(str) == factor).to_numpy() if len(table) else \
        np.zeros(0, dtype=bool)
    if not rows.any():
        return _nothing(ax, f"No groups of {words(factor)}.")
    figures = {k: _numbers(data, k)[rows] for k in ("p10", "q1", "median", "q3", "p90")}
    names = [words(g) for g in table.loc[rows, "group"]]
    boxed = ~(np.isnan(figures["q1"]) | np.isnan(figures["median"]) | np.isnan(figures["q3"]))
    if not boxed.any():
        return _nothing(ax, f"The scores by {words(factor)} are withheld for every group: "
                            f"each is too small for its quartiles to be shown.")
    whiskers = boxed & ~(np.isnan(figures["p10"]) | np.isnan(figures["p90"]))
    stats = []
    for i in np.flatnonzero(boxed):
        low = figures["p10"][i] if whiskers[i] else figures["q1"][i]
        high = figures["p90"][i] if whiskers[i] else figures["q3"][i]
        stats.append({"whislo": low, "q1": figures["q1"][i], "med": figures["median"][i],
                      "q3": figures["q3"][i], "whishi": high, "label": names[i]})
    ax.bxp(stats, positions=list(np.flatnonzero(boxed)), showfliers=False, showcaps=True,
           widths=0.5, medianprops={"color": ORANGE, "linewidth": 2},
           boxprops={"color": BLUE}, whiskerprops={"color": BLUE}, capprops={"color": BLUE})
    drawn = [v for k in figures for v in figures[k][boxed]]
    span = _span([*drawn, *thresholds], scale)
    for i in np.flatnonzero(~boxed):
        ax.text(i, span[0] + 0.04 * (span[1] - span[0]), "withheld\n(small\ngroup)",
                ha="center", va="bottom", fontsize=ROW_LABEL_SIZE, color="#555555")
    for value in thresholds:
        ax.axhline(value, color="#777777", linestyle="--", linewidth=0.8)
        ax.annotate(f"{value:g}", xy=(1.0, value), xycoords=("axes fraction", "data"),
                    fontsize=ROW_LABEL_SIZE, color="#555555", va="center")
    ax.set_xticks(range(len(names)), [textwrap.fill(n, 14) for n in names], rotation=20,
                  ha="right")
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.set_ylim(*span)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(words(factor))
    parts = []
    for i, name in enumerate(names):
        if not boxed[i]:
            parts.append(f"{name} withheld")
            continue
        text = (f"{name} median {figures['median'][i]:.0f} (quartiles {figures['q1'][i]:.0f} to "
                f"{figures['q3'][i]:.0f}")
        if whiskers[i]:
            text += (f", 10th to 90th percentile {figures['p10'][i]:.0f} to "
                     f"{figures['p90'][i]:.0f}")
        parts.append(text + ")")
    describe(ax, f"Box chart of {ylabel or 'scores'} by {words(factor)}: boxes span the middle "
                 f"half of scores (lower to upper quartile), whiskers the 10th to 90th "
                 f"percentiles where shown; " + "; ".join(parts) + ".")
    return ax


#: Size in points of every text of the correlation matrix: about 10 px high on a 390-pixel
#: phone, since the figure is no wider than the page's other charts.
_MATRIX_TEXT = 10.5


def _matrix_names(data: Shown | pd.DataFrame) -> list[str]:
    table = _values(data)
    return list(dict.fromkeys([*table["x"], *table["y"]]))


def _correlation_text(value: float) -> str:
    """A correlation to two decimals without its leading zero, with a true minus sign (APA
    style; narrow enough for a cell on a phone)."""
    text = f"{value:.2f}"
    if text.lstrip("-").startswith("0."):
        text = text.replace("0.", ".", 1)
    return text.replace("-", "\u2212")


#: Characters per line of a row name of the correlation matrix before it wraps.
_MATRIX_NAME_WIDTH = 18


def _matrix_size(data: Shown | pd.DataFrame, width: float, **_: object) -> tuple[float, float]:
    """Square cells across the width the row names leave (about 1.6 in), at most 0.45 in each;
    then the column numbers and the colour bar under them (1.4 in)."""
    cells = max(len(_matrix_names(data)), 2)
    cell = min(0.45, (width - 1.6) / (cells - 1))
    return (width, round(cell * cells + 1.4, 2))


@_sized(_matrix_size)
def correlation_heatmap(data: Shown | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Correlations (x, y, r) as a matrix with the value written in each cell.

    Each pair is drawn once, below the diagonal. The rows are named and numbered, the columns
    carry the numbers only, so that long names take no width from the cells and the values
    stay legible on a phone. Withheld cells are hatched.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        with a row per pair: ``x, y, r``.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"x": ["stss_total", "stss_total"], "y": ["burnout", "discomfort"],
    ...                       "r": [0.62, -0.18]})
    >>> fig, ax = plt.subplots()
    >>> print(correlation_heatmap(table, ax=ax).figure.evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Correlation matrix of 3 measures; blue negative, red positive; hatched cells withheld or
    not computed (pairs within one scale).
    >>> [t.get_text() for t in ax.texts], [t.get_text() for t in ax.get_xticklabels()]
    (['.62', '\u2212.18'], ['1', '2'])
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    if table.empty:
        return _nothing(ax, "No correlations to draw.")
    names = _matrix_names(data)
    index = {n: i for i, n in enumerate(names)}
    k = len(names)
    matrix = np.full((k, k), np.nan)
    r = _numbers(data, "r")
    for (x, y), value in zip(zip(table["x"], table["y"], strict=True), r, strict=True):
        matrix[index[x], index[y]] = matrix[index[y], index[x]] = value
    # Rows 1 to k, columns 1 to k - 1: the first row has no cell (its name numbers the first
    # column), the last column would have none.
    below = np.tril(np.ones((k, k), dtype=bool), -1)
    image = ax.imshow(np.where(below, matrix, np.nan)[:, :max(k - 1, 1)], cmap="RdBu_r",
                      vmin=-1, vmax=1)
    for i in range(k):
        for j in range(i):
            value = matrix[i, j]
            if np.isnan(value):
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, **WITHHELD_STYLE))
            else:
                ax.text(j, i, _correlation_text(value), ha="center", va="center",
                        fontsize=_MATRIX_TEXT, color="white" if abs(value) > 0.6 else "black")
    ax.set_xticks(range(k - 1), [str(i + 1) for i in range(k - 1)], fontsize=_MATRIX_TEXT)
    ax.set_yticks(range(k), [textwrap.fill(f"{i + 1}. {words(n)}", _MATRIX_NAME_WIDTH)
                             for i, n in enumerate(names)], fontsize=_MATRIX_TEXT)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    bar = ax.figure.colorbar(image, ax=ax, orientation="horizontal", shrink=0.7, aspect=30,
                             pad=0.04)
    bar.set_label("correlation (r)", fontsize=_MATRIX_TEXT)
    bar.ax.tick_params(labelsize=_MATRIX_TEXT)
    describe(ax, f"Correlation matrix of {k} measures; blue negative, red positive; hatched "
                 f"cells withheld or not computed (pairs within one scale).")
    return ax


@_sized(lambda data, width, **_: (5.5, 5.0))
def reliable_change_scatter(data: Shown | pd.DataFrame, *,
                            scale: tuple[float, float] = (1, 5),
                            ax: Axes | None = None) -> Axes:
    """Internal only: each person's score before (x) and after (y), and the no-change band.

    Inside the band (the table's ``threshold`` either side of no change) a change is within
    measurement error.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``discomfort_rci_people``.
    scale
        Lowest and highest possible score (both axes).
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"before": [3.9, 3.1, 2.5], "after": [2.6, 3.0, 3.4],
    ...                       "category": ["reliably_improved", "no_reliable_change",
    ...                                    "reliably_worse"], "threshold": [0.5] * 3})
    >>> fig, ax = plt.subplots()
    >>> [text.get_text() for text in reliable_change_scatter(table, ax=ax).get_legend().get_texts()]
    ['no reliable change', 'reliably improved (1)', 'reliably worse (1)']
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    if table.empty:
        return _nothing(ax, "Too few people with both waves for reliable change.")
    threshold = float(table["threshold"].iloc[0])
    colours = {"reliably_improved": GREEN, "no_reliable_change": GREY, "reliably_worse": VERMILION}
    scale = _span([*pd.to_numeric(table["before"], errors="coerce"),
                   *pd.to_numeric(table["after"], errors="coerce")], scale)
    line = np.array(scale, dtype=float)
    ax.fill_between(line, line - threshold, line + threshold, color="#e4e4e4", linewidth=0,
                    label="no reliable change")
    ax.plot(line, line, color="#888888", linewidth=0.8)
    for category, colour in colours.items():
        part = table[table["category"].astype(str) == category]
        if len(part) and category != "no_reliable_change":
            ax.scatter(part["before"], part["after"], color=colour, s=24, zorder=3,
                       label=f"{words(category)} ({len(part)})")
        elif len(part):
            ax.scatter(part["before"], part["after"], color=colour, s=18, zorder=3)
    ax.set_xlim(*scale)
    ax.set_ylim(*scale)
    ax.set_aspect("equal")
    ax.set_xlabel("before")
    ax.set_ylabel("after")
    ax.legend(fontsize=ROW_LABEL_SIZE, loc="upper left")
    describe(ax, f"Scatter of each person's score before and after ({len(table)} people); the "
                 f"grey band marks changes smaller than {threshold:.2f} points, within measurement "
                 f"error.")
    return ax



@_sized(lambda data, width, **_: (width, 3.8))
def residuals_vs_fitted(data: Shown | pd.DataFrame, *, ylabel: str = "residual",
                        xlabel: str = "fitted value", ax: Axes | None = None) -> Axes:
    """Research only: each person's residual against their fitted value, influential ones marked.

    A person whose Cook's distance is above the table's ``cooks_line`` (``4 / n``) is drawn as
    a vermilion diamond; the others as grey dots. A curve or a funnel in the cloud says the model
    misses a shape or the spread is uneven. The alt text is a summary (how many points, how
    many above the line), never the values.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame, shaped
        like ``sts_regression_residuals`` (``fitted``, ``residual``, ``cooks_d``,
        ``cooks_line``).
    ylabel, xlabel
        Axis labels.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"fitted": [30.0, 32, 35], "residual": [1.5, -2.0, 0.5],
    ...                       "cooks_d": [0.2, 1.9, 0.1], "cooks_line": [4 / 3] * 3})
    >>> fig, ax = plt.subplots()
    >>> residuals_vs_fitted(table, ax=ax).figure.evalkit_alt  # doctest: +NORMALIZE_WHITESPACE
    "Scatter of residuals against fitted values, one point per person (3 people); 1 with a
    Cook's distance above 4 / n (1.333) is marked."
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    fitted, residual = _numbers(data, "fitted"), _numbers(data, "residual")
    cooks = _numbers(data, "cooks_d")
    drawn = np.isfinite(fitted) & np.isfinite(residual)
    if not drawn.any():
        return _nothing(ax, "No regression model to show residuals for.")
    line = float(pd.to_numeric(table["cooks_line"], errors="coerce").iloc[0])
    above = drawn & (cooks > line)
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.scatter(fitted[drawn & ~above], residual[drawn & ~above], color=GREY, s=18, zorder=3,
               label=f"Cook's distance at most 4 / n ({int((drawn & ~above).sum())})")
    if above.any():
        ax.scatter(fitted[above], residual[above], color=VERMILION, marker="D", s=30, zorder=4,
                   label=f"Cook's distance above 4 / n ({int(above.sum())})")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=ROW_LABEL_SIZE, loc="best")
    describe(ax, f"Scatter of residuals against fitted values, one point per person "
                 f"({int(drawn.sum())} people); {int(above.sum())} with a Cook's distance above "
                 f"4 / n ({line:.3f}) {'is' if above.sum() == 1 else 'are'} marked.")
    return ax

# --- outcome measures ------------------------------------------------------------------------------


def _panels(ax, count: int):
    """``count`` stacked axes in the figure of ``ax`` (one per instrument)."""
    figure = ax.figure
    if count == 1:
        return [ax]
    ax.remove()
    return list(np.atleast_1d(figure.subplots(count, 1)))


@_sized(lambda data, width, **_: (width, round(0.4 + 2.6 * max(
    _values(data)['instrument'].nunique(), 1), 2)))
def outcome_means(data: Shown | pd.DataFrame, *, titles: Mapping[str, str] | None = None,
                  ax: Axes | None = None) -> Axes:
    """Mean of each scale at each wave with intervals, one panel per instrument.

    Each panel's axis spans the scale's possible scores (widened if a figure lies outside), and
    each panel has its own alt text.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``outcome_means``.
    titles
        Instrument name -> its title (:func:`~evalkit.publish.labels.instrument_titles`); None
        for the name in words.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The first panel.

    Examples
    --------
    >>> table = pd.DataFrame({"instrument": ["partner_safety"] * 2, "scale": ["total"] * 2,
    ...                       "lowest": [0, 0], "highest": [32, 32], "wave": ["intake", "exit"],
    ...                       "mean": [12.4, 9.5], "ci_low": [10.9, 7.8], "ci_high": [13.9, 11.2]})
    >>> fig, ax = plt.subplots()
    >>> outcome_means(table, ax=ax, titles={"partner_safety": "Partner-reported safety"}).get_title()
    'Partner-reported safety'
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    if table.empty:
        return _nothing(ax, "No outcome measure has scores to draw.")
    instruments = list(dict.fromkeys(table["instrument"]))
    panels = _panels(ax, len(instruments))
    mean, low, high = (_numbers(data, c) for c in ("mean", "ci_low", "ci_high"))
    shown_means = _texts(data, "mean")
    interval_words = _interval_words(data)
    for panel, name in zip(panels, instruments, strict=True):
        texts = []
        title = (titles or {}).get(str(name)) or words(name)
        rows = (table["instrument"] == name).to_numpy()
        waves = list(dict.fromkeys(table.loc[rows, "wave"]))
        for colour, scale in zip(OKABE_ITO, dict.fromkeys(table.loc[rows, "scale"]),
                                 strict=False):
            part = rows & (table["scale"] == scale).to_numpy()
            x = [waves.index(w) for w in table.loc[part, "wave"]]
            panel.errorbar(x, mean[part], yerr=[mean[part] - low[part], high[part] - mean[part]],
                           marker="o", capsize=4, color=colour, label=words(scale))
            texts.append(f"{words(scale)} " + ", ".join(
                f"{words(w)} {t}" for w, t in zip(
                    table.loc[part, "wave"], np.asarray(shown_means, dtype=object)[part],
                    strict=True)))
        span = table.loc[rows, ["lowest", "highest"]].astype(float)
        panel.set_ylim(*_span([*mean[rows], *low[rows], *high[rows]],
                              (span["lowest"].min(), span["highest"].max())))
        panel.set_xticks(range(len(waves)), [words(w) for w in waves])
        panel.set_xlim(-0.4, len(waves) - 0.6)
        panel.set_title(title)
        panel.set_ylabel("mean score")
        panel.legend(fontsize=ROW_LABEL_SIZE, loc="upper right")
        describe(panel, f"Chart of the mean {title} scores at each wave with {interval_words}s: "
                 + "; ".join(texts) + ".")
    return panels[0]


def _change_labels(data: Shown | pd.DataFrame,
                   titles: Mapping[str, str] | None = None) -> list[str]:
    """The row labels of :func:`outcome_change`: instrument title, scale and comparison."""
    table = _values(data)
    return [f"{(titles or {}).get(str(i)) or words(i)}: {words(s)}, {words(c)}" for i, s, c in
            zip(table["instrument"], table["scale"], table["comparison"], strict=True)]


#: Inches of the change chart outside its rows (title, legend, x axis and its label).
_CHANGE_EXTRA = 1.6


@_sized(lambda data, width, titles=None, **_: (width, rows_above_height(
    _change_labels(data, titles), extra_height=_CHANGE_EXTRA)))
def outcome_change(data: Shown | pd.DataFrame, *, titles: Mapping[str, str] | None = None,
                   ax: Axes | None = None) -> Axes:
    """Mean change of each scale from the first wave, with its interval.

    One row per scale and comparison; green where the interval shows improvement, vermilion where
    it shows worsening, grey otherwise.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``outcome_change``.
    titles
        Instrument name -> its title; None for the name in words.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"instrument": ["partner_safety"], "scale": ["total"],
    ...                       "comparison": ["exit_vs_intake"], "mean_change": [-2.9],
    ...                       "ci_low": [-4.3], "ci_high": [-1.4], "direction": ["improved"]})
    >>> fig, ax = plt.subplots()
    >>> print(outcome_change(table, ax=ax).figure.evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Chart of the mean change of each outcome scale from the first wave with 95% intervals:
    partner safety: total, exit vs intake -2.9.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    if table.empty:
        return _nothing(ax, "No outcome measure has two waves to compare.")
    labels = _change_labels(data, titles)
    change, low, high = (_numbers(data, c) for c in ("mean_change", "ci_low", "ci_high"))
    colour = {"improved": GREEN, "worsened": VERMILION}
    y = np.arange(len(table))
    for i in y:
        shade = colour.get(str(table["direction"].iloc[i]), GREY)
        ax.hlines(i, low[i], high[i], color=shade, linewidth=2)
        ax.plot(change[i], i, "o", color=shade)
        if np.isnan(change[i]):
            ax.annotate(WITHHELD_LABEL, (0, i), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=ROW_LABEL_SIZE, color="#555555")
    ax.axvline(0, color="#777777", linewidth=0.8)
    # Each row's label above it, so that the plot keeps the figure's width on a phone.
    label_rows_above(ax, labels)
    ax.tick_params(axis="x", labelsize=ROW_LABEL_SIZE)
    ax.set_xlabel(f"mean change in score points ({_interval_words(data)})",
                  fontsize=ROW_LABEL_SIZE)
    # Above the legend, which sits on top of the plot.
    ax.set_title("Change from the first wave", pad=ROW_LABEL_SIZE * 2.6)
    ax.legend(handles=[Patch(color=GREEN, label="improved"),
                       Patch(color=VERMILION, label="worsened"),
                       Patch(color=GREY, label="no clear change")],
              fontsize=ROW_LABEL_SIZE, ncols=3, loc="lower left", bbox_to_anchor=(0.0, 1.0))
    describe(ax, "Chart of the mean change of each outcome scale from the first wave with "
                 f"{_interval_words(data)}s: " + "; ".join(
                     f"{lab} {'withheld' if np.isnan(v) else f'{v:+.1f}'}"
                     for lab, v in zip(labels, change, strict=True)) + ".")
    return ax


# --- accountability --------------------------------------------------------------------------------

_EVENT_STYLE = {
    "message_sent": ("o", BLUE, "message from the group"),
    "response_received": ("s", GREEN, "response"),
    "meeting_scheduled": ("|", "#777777", "meeting scheduled"),
    "meeting_held": ("D", GREEN, "meeting held"),
    "meeting_missed": ("X", VERMILION, "meeting missed"),
    "demand_set": ("^", PURPLE, "demand set"),
    "demand_met": ("P", GREEN, "demand met"),
    "demand_refused": ("v", VERMILION, "demand refused"),
    "process_closed": ("*", BLACK, "process closed"),
}


@_sized(lambda data, width, **_: (9.0, _rows_height(
    _values(data)['lane'].nunique(), base=1.6, per_row=0.5)))
def process_timeline(data: Shown | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Internal only: one line per accountability process with its events as markers.

    An open process runs to the end of the record (``end_of_record``).

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``accountability_timeline``.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on.

    Examples
    --------
    >>> table = pd.DataFrame({"lane": [0, 0], "event_date": ["2024-01-10", "2024-03-02"],
    ...                       "event_type": ["message_sent", "response_received"],
    ...                       "end_of_record": ["2024-06-30", "2024-06-30"]})
    >>> fig, ax = plt.subplots()
    >>> [label.get_text() for label in process_timeline(table, ax=ax).get_yticklabels()]
    ['process 1']
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    if table.empty:
        return _nothing(ax, "No events.")
    dates = pd.to_datetime(table["event_date"])
    for lane, part in table.assign(event_date=dates).groupby("lane"):
        stop = pd.to_datetime(part["end_of_record"]).max()
        ax.plot([part["event_date"].min(), stop], [lane, lane], color="#cccccc", linewidth=1,
                zorder=1)
    for event, (marker, colour, label) in _EVENT_STYLE.items():
        rows = (table["event_type"].astype(str) == event).to_numpy()
        if rows.any():
            ax.scatter(dates[rows], table.loc[rows, "lane"], marker=marker, color=colour, s=36,
                       label=label, zorder=3, linewidths=1.5)
    lanes = sorted(table["lane"].unique())
    ax.set_yticks(lanes, [f"process {i + 1}" for i in lanes])
    ax.invert_yaxis()
    ax.legend(fontsize=ROW_LABEL_SIZE, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    describe(ax, f"Timeline of {len(lanes)} accountability processes, one line each, with "
                 f"messages, responses, meetings and demands marked by date.")
    return ax


# --- attrition flow ------------------------------------------------------------------------------


#: Sizes in points of the flow's box and side texts: 10 px or more on a 390-pixel phone.
_FLOW_BOX_TEXT = 11.0
_FLOW_SIDE_TEXT = 10.5
#: The box text when no arrows out are drawn (a funder's flow): the boxes then have the width
#: to themselves, and the text reads at 13 px on a phone.
_FLOW_BOX_TEXT_ALONE = 14.0
#: Characters per line of a stage name in its box, and of the text beside an arrow out.
_FLOW_BOX_WIDTH = 24
_FLOW_SIDE_WIDTH = 30
#: Inches of the note saying why the arrows are not shown (three lines of 10.5-point text).
_FLOW_NOTE = 0.65


def _flow_reasons(exits: Shown | None) -> dict[str, list[str]]:
    """Each stage's reasons for not going on, as "withdrew 7" (none when not shown)."""
    reasons: dict[str, list[str]] = {}
    if exits is not None and exits.available:
        for stage, reason, n in zip(exits.values["stage"], exits.values["reason"],
                                    exits.text["people"], strict=True):
            reasons.setdefault(str(stage), []).append(f"{words(reason)} {n}")
    return reasons


def _still_in(data: Shown) -> list[str | None]:
    """Each stage's count of those still in the programme, as shown (None: none, or not
    shown to this audience)."""
    if "still_in" not in data.values.columns:
        return [None] * len(data.values)
    return [text if status == SHOWN and value > 0 else None for text, status, value in zip(
        data.text["still_in"], data.status["still_in"], data.values["still_in"].fillna(0),
        strict=True)]


def _flow_sides(data: Shown, exits: Shown | None) -> list[tuple[str | None, str | None]]:
    """Beside each stage's arrow down: the text of those still in the programme and the text
    of those who did not go on (None where that arrow is not drawn)."""
    reasons = _flow_reasons(exits)
    still = _still_in(data)
    sides: list[tuple[str | None, str | None]] = []
    last = len(data.values) - 1
    for i, (stage, left, shown) in enumerate(zip(
            data.values["stage"].astype(str), data.text["left"], data.status["left"] == SHOWN,
            strict=True)):
        if i == last or not shown:
            sides.append((None, None))
            continue
        side = f"did not go on: {left}"
        if reasons.get(stage):
            side += "\n" + textwrap.fill(", ".join(reasons[stage]), _FLOW_SIDE_WIDTH)
        sides.append((f"still in the programme: {still[i]}" if still[i] else None, side))
    return sides


#: Line heights between the line of those still in the programme and the one below it.
_FLOW_GAP = 1.3


def _flow_step(sides: Sequence[tuple[str | None, str | None]]) -> float:
    """Inches from one box to the next: room for the box, its arrow and the longest text
    beside the arrows out (1.25 line heights a line)."""
    lines = max(((_FLOW_GAP if still else 0) + (left.count("\n") + 1 if left else 0)
                 for still, left in sides), default=0)
    return round(max(0.95, 0.35 + lines * 1.25 * _FLOW_SIDE_TEXT / 72), 2)


def _flow_height(data: Shown, width: float, *, exits: Shown | None = None,
                 **_: object) -> tuple[float, float]:
    """One box and arrow per stage, and room for the note when the arrows are withheld."""
    if not isinstance(data, Shown):
        return (width, 3.2)
    note = _FLOW_NOTE if data.status["left"].isin([WITHHELD, OMITTED]).any() else 0.0
    step = _flow_step(_flow_sides(data, exits if isinstance(exits, Shown) else None))
    return (width, round(0.3 + step * len(data.values) + note, 2))


@_sized(_flow_height)
def attrition_flow(data: Shown, *, exits: Shown | None = None, ax: Axes | None = None) -> Axes:
    """A CONSORT-style flow: one box per stage with its count.

    Beside each arrow down: how many did not go on (and why, when ``exits`` may be shown to the
    audience), and apart from them, how many are still in the programme: they have not left.

    Only the policed tables are drawn: a count the audience may not see is left out of its box or
    arrow, never worked out from the others.

    Parameters
    ----------
    data
        The policed ``attrition_flow`` table (columns ``stage``, ``people``, ``left``,
        ``still_in``).
    exits
        The policed ``attrition_exits`` table (``stage``, ``reason``, ``people``); its reasons
        are written beside the arrows when it is available to this audience.
    ax
        The axes to draw on; None for the current axes.

    Returns
    -------
    Axes
        The axes drawn on, with the flow described in the figure's alt text.

    Raises
    ------
    TypeError
        When ``data`` or ``exits`` is not a policed table.

    Examples
    --------
    >>> from evalkit.analyses.attrition import ANALYSIS
    >>> from evalkit.publish.policy import Policy
    >>> flow = pd.DataFrame({"stage": ["referred", "started"], "people": [12, 9],
    ...                      "left": [3.0, float("nan")], "still_in": [0.0, float("nan")],
    ...                      "counted": ["everyone", "attended"]})
    >>> shown = Policy("funder").apply(flow, ANALYSIS.spec("attrition_flow"))
    >>> fig, ax = plt.subplots()
    >>> print(attrition_flow(shown, ax=ax).figure.evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Flow of participants from stage to stage: referred ≈10, then started ≈10. How many did not go
    on after each stage is not shown in this report: beside the rounded counts it could give
    exact numbers away.
    >>> plt.close(fig)
    """
    for name, table in (("data", data), ("exits", exits)):
        if table is not None and not isinstance(table, Shown):
            raise TypeError(f"attrition_flow {name}: pass a policed table (from page.run())")
    ax = ax or plt.gca()
    stages = [str(s) for s in data.values["stage"]]
    count = data.text["people"].tolist()
    left = data.text["left"].tolist()
    left_shown = (data.status["left"] == SHOWN).tolist()
    reasons = _flow_reasons(exits)
    still = _still_in(data)
    sides = _flow_sides(data, exits)
    k = len(stages)
    ax.set_xlim(0, 1)
    ax.set_ylim(k - 0.35, -0.6)
    ax.set_axis_off()
    box = {"boxstyle": "round,pad=0.35", "facecolor": "#e8f1f8", "edgecolor": BLUE,
           "linewidth": 1}
    # One line of side text in data units (a stage is one unit high).
    line = 1.25 * _FLOW_SIDE_TEXT / 72 / _flow_step(sides)
    # The boxes sit left of the arrows out; with no arrow out to draw, in the middle.
    alone = not any(left_text for _, left_text in sides)
    x = 0.5 if alone else 0.22
    for i, (stage, n) in enumerate(zip(stages, count, strict=True)):
        name = textwrap.fill(words(stage).capitalize(), _FLOW_BOX_WIDTH)
        ax.text(x, i, f"{name}\n{n}", ha="center", va="center",
                fontsize=_FLOW_BOX_TEXT_ALONE if alone else _FLOW_BOX_TEXT,
                bbox=box, linespacing=1.15)
        if i + 1 < k:
            ax.annotate("", xy=(x, i + 0.64), xytext=(x, i + 0.36),
                        arrowprops={"arrowstyle": "-|>", "color": "#444444"})
            still_text, left_text = sides[i]
            # Those still in the programme have not left: their own arrow, in the boxes'
            # colour, above the arrow of those who did not go on.
            at = i + 0.5 - (_FLOW_GAP * line / 2 if still_text else 0)
            if still_text:
                ax.annotate("", xy=(0.44, at), xytext=(x, at),
                            arrowprops={"arrowstyle": "-|>", "color": BLUE})
                ax.text(0.46, at, still_text, ha="left", va="center",
                        fontsize=_FLOW_SIDE_TEXT)
                at += _FLOW_GAP * line
            if left_text:
                ax.annotate("", xy=(0.44, at), xytext=(x, at),
                            arrowprops={"arrowstyle": "-|>", "color": VERMILION})
                # The first line level with its arrow, the reasons under it.
                ax.text(0.46, at - line / 2, left_text, ha="left", va="top",
                        fontsize=_FLOW_SIDE_TEXT, linespacing=1.15)
    steps = [f"{words(s)} {n}" for s, n in zip(stages, count, strict=True)]
    alt = "Flow of participants from stage to stage: " + ", then ".join(steps) + "."
    out = [f"after {words(s)}, {n} did not go on"
           + (f" ({', '.join(reasons[s])})" if reasons.get(s) else "")
           + (f" and {m} {'is' if m == '1' else 'are'} still in the programme" if m else "")
           for s, n, ok, m in zip(stages, left, left_shown, still, strict=True) if ok]
    if out:
        alt += " " + "; ".join(out).capitalize() + "."
    if data.status["left"].isin([WITHHELD, OMITTED]).any():
        note = ("How many did not go on after each stage is not shown in this report: beside "
                "the rounded counts it could give exact numbers away.")
        # Under the boxes, inside this chart's own axes: the figure is the caller's.
        ax.text(0.0, -0.02, textwrap.fill(note, 60), transform=ax.transAxes, ha="left",
                va="top", fontsize=_FLOW_SIDE_TEXT, color="#444444")
        alt += " " + note
    describe(ax, alt)
    return ax
