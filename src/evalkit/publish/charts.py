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
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .labels import words
from .policy import SHOWN, Shown

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
    """Record what the chart shows (its alt text) on the figure.

    Parameters
    ----------
    ax
        The chart's axes; the text is stored on its figure as ``evalkit_alt``.
    text
        One or two sentences saying what the chart shows, for readers who cannot see it.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> describe(ax, "Bar chart of sessions held per week.")
    >>> fig.evalkit_alt
    'Bar chart of sessions held per week.'
    >>> plt.close(fig)
    """
    ax.figure.evalkit_alt = text


def _footnote(ax, text: str) -> None:
    """A note under the whole chart (laid out with it, wrapped to the chart's width)."""

    width = int(ax.figure.get_size_inches()[0] * 13)
    ax.figure.supxlabel(textwrap.fill(text, width), fontsize=8, color="#444444", x=0.02,
                        ha="left")


def _nothing(ax, sentence: str):
    ax.set_axis_off()
    ax.text(0.5, 0.5, sentence, ha="center", va="center", fontsize=11, color="#444444",
            transform=ax.transAxes, wrap=True)
    ax.figure.set_size_inches(ax.figure.get_size_inches()[0], 1.0)
    describe(ax, sentence)
    return ax


# --- data overview -------------------------------------------------------------------------------


#: Size in points of the row labels of a chart drawn with :func:`label_rows_above`: about 10 px
#: high when a 5.2-inch figure is shown on a 390-pixel phone.
ROW_LABEL_SIZE = 10.5


def label_rows_above(ax: Axes, labels: Sequence[str], *, fontsize: float = ROW_LABEL_SIZE,
                     width: int = 56, extra_height: float = 1.2) -> None:
    """Write each row's label above its row, across the plot, and size the figure to fit.

    Long labels as y tick labels take most of a narrow figure and leave a thin plot area; above
    the rows, they leave the plot area the figure's whole width (less the axis labels) and can
    be printed large enough to read on a phone. Rows are drawn at y = 0, 1, ...; the axis is
    inverted so that the first row is at the top. Labels longer than ``width`` characters wrap.

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
    extra_height
        Inches of the figure outside the rows (title, legend, x axis).

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

    wrapped = [textwrap.fill(str(label), width) for label in labels]
    lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    ax.set_yticks(range(len(wrapped)), [""] * len(wrapped))
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(len(wrapped) - 0.5, -0.5 - 0.05 * lines)
    across = blended_transform_factory(ax.transAxes, ax.transData)
    for i, label in enumerate(wrapped):
        ax.text(0.0, i - 0.24, label, transform=across, ha="left", va="bottom",
                fontsize=fontsize, linespacing=1.1)
    row_inches = 0.2 + (fontsize / 72) * 1.25 * lines
    ax.figure.set_size_inches(ax.figure.get_size_inches()[0],
                              extra_height + row_inches * len(wrapped))


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
                        textcoords="offset points", ha="left", va="center", fontsize=8,
                        color="white")
    end = max(last)
    span = (end - start).n + 1
    step = 12 if span > 36 else 6 if span > 12 else 3
    ticks = [m for m in pd.period_range(start, end + 1, freq="M") if (m.month - 1) % step == 0]
    ax.set_xticks([m.ordinal for m in ticks],
                  [str(m.year) if step == 12 else f"{m:%b %Y}" for m in ticks], fontsize=9)
    ax.set_xlim(start.ordinal - 0.5, end.ordinal + 1.5)
    ax.set_yticks(range(len(table)), table["file"])
    ax.invert_yaxis()
    ax.set_title("Months covered by each file")
    describe(ax, "Bar chart of the months each data file covers: " + "; ".join(
        f"{f} {a} to {b}" for f, a, b in zip(table["file"], first, last, strict=True)) + ".")
    return ax


# --- attendance ----------------------------------------------------------------------------------


def rate_by_week(data: Shown | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Attendance rate per programme week with its 95% interval as a band.

    Weeks whose rate is withheld are marked, not drawn.

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
    ax.fill_between(weeks, low, high, color=BLUE, alpha=0.18, linewidth=0, label="95% interval")
    ax.plot(weeks, rate, marker="o", color=BLUE, markersize=4, label="attendance rate")
    hidden = np.isnan(rate) & (table["scheduled"].astype(str) != "0").to_numpy()
    if hidden.any():
        ax.scatter(weeks[hidden], np.full(hidden.sum(), 0.02), marker="x", color=GREY,
                   label=WITHHELD_LABEL)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PERCENT)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("programme week")
    ax.set_ylabel("participants attending")
    ax.set_title("Attendance by programme week")
    ax.legend(loc="lower left", fontsize=9)
    shown = ~np.isnan(rate)
    text = "Line chart of the share of scheduled participants attending each programme week"
    if shown.any():
        text += (f", from {np.nanmax(rate):.0%} at its highest to {np.nanmin(rate):.0%} at its "
                 f"lowest, with 95% intervals")
    describe(ax, text + ".")
    return ax


def rate_by_group(data: Shown | pd.DataFrame, *, factor: str = "site",
                  rate: str = "attendance_rate", ax: Axes | None = None) -> Axes:
    """One dot per group of ``factor`` with its 95% interval (rows of an ``*_by_group`` table).

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
        ax.annotate(WITHHELD_LABEL, (0.01, y[i]), va="center", fontsize=8, color="#555555")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PERCENT)
    ax.set_xlabel("attendance rate (95% interval)")
    ax.set_title(f"Attendance by {words(factor)}")
    describe(ax, f"Dot chart of the attendance rate by {words(factor)}: " + "; ".join(
        f"{lab} {'withheld' if np.isnan(v) else f'{v:.0%}'}"
        for lab, v in zip(labels, value, strict=True)) + ".")
    return ax


def retention_curves(data: Shown | pd.DataFrame, *, group_by: str = "all",
                     ax: Axes | None = None) -> Axes:
    """Kaplan-Meier curves (share still on the programme by week) with their 95% bands.

    One curve per group of ``group_by`` (``"all"`` for everyone). For a funder, a step is drawn
    only when at least the threshold of people left, and a curve stops when few remain.

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
        ax.legend(loc="lower left", fontsize=9)
    describe(ax, f"Step chart of the share of participants still on the programme week by week"
                 f"{'' if group_by == 'all' else ', one line per ' + words(group_by)}, "
                 f"with 95% bands.")
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
              loc="lower center", bbox_to_anchor=(0.5, 1.06), ncols=3, fontsize=9)
    describe(ax, f"Heat map of attendance: {matrix.shape[0]} participants (rows, no names) by "
                 f"programme week (columns); blue attended, beige absent, white no session.")
    return ax


# --- delivery --------------------------------------------------------------------------------------


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
    labels = [f"S{m} {t}" for m, t in zip(table["module_session"], table["exercise_title"],
                                          strict=True)]
    left = np.zeros(len(table))
    for column, colour, name in (("full_share", GREEN, "in full"),
                                 ("cut_short_share", ORANGE, "cut short"),
                                 ("not_delivered_share", VERMILION, "not delivered")):
        values = np.nan_to_num(_numbers(data, column))
        ax.barh(range(len(table)), values, left=left, color=colour, label=name, height=0.42)
        left += values
    label_rows_above(ax, labels, extra_height=1.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PERCENT)
    ax.tick_params(axis="x", labelsize=ROW_LABEL_SIZE)
    ax.set_xlabel("share of recorded sessions", fontsize=ROW_LABEL_SIZE)
    ax.set_title("How each exercise was delivered")
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


def share_bars(data: Shown | pd.DataFrame, *, by: str, category: str, share: str = "share",
               order: list[str] | None = None, title: str = "", colours: Mapping[str,
               str] | None = None, ax: Axes | None = None) -> Axes:
    """One stacked horizontal bar per group of ``by``: the share in each ``category``.

    Withheld shares are drawn together as one hatched grey segment, so every bar reaches 100%.
    When every share of a group is withheld (one of its bands is small, so the policy withholds
    the whole split), the bar is drawn from the counts the table shows, rounded to 5, out of the
    rounded whole (the share's declared ``part`` and ``whole``), marked "≈" and labelled with
    the counts: nothing the table does not already show. With ``order`` (ordered categories such
    as bands) colours run light to dark.

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
    >>> print(ax.figure.evalkit_alt)
    Stacked bar chart: for each wave, the share in each of low, moderate, high.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    if table.empty:
        return _nothing(ax, "Nothing can be shown.")
    groups = list(dict.fromkeys(table[by].astype(str)))
    categories = order or list(dict.fromkeys(table[category].astype(str)))
    if colours is None and set(categories) <= set(CHANGE_COLOURS):
        colours = CHANGE_COLOURS
    palette = colours or (ordered_colours(categories) if order else
                          dict(zip(categories, OKABE_ITO, strict=False)))
    values = _numbers(data, share)
    frame = pd.DataFrame({"g": table[by].astype(str), "c": table[category].astype(str),
                          "v": values})
    shares = frame.pivot(index="g", columns="c", values="v").reindex(index=groups,
                                                                     columns=categories)
    labels = shares.map(lambda v: "" if np.isnan(v) else f"{v:.0%}")
    approximate = _from_rounded_counts(data, share, frame, shares, labels)
    left = np.zeros(len(groups))
    for name in categories:
        part = np.nan_to_num(shares[name].to_numpy(float))
        ax.barh(range(len(groups)), part, left=left, color=palette.get(name, GREY),
                label=words(name))
        for i, v in enumerate(part):
            if v >= 0.08:
                ax.text(left[i] + v / 2, i, labels[name].iloc[i], ha="center", va="center",
                        fontsize=9, color=_text_colour(palette.get(name, GREY)))
        left += part
    rest = np.clip(1 - left, 0, 1)
    withheld = shares.isna().any(axis=1).to_numpy() & (rest > 0.005)
    if withheld.any():
        ax.barh(np.flatnonzero(withheld), rest[withheld], left=left[withheld],
                label=WITHHELD_LABEL, **WITHHELD_STYLE)
    # Long group names wrap, so the bars keep their width on a phone.
    ax.set_yticks(range(len(groups)), [textwrap.fill(words(g), 16) + (" ≈" if g in approximate
                                                                      else "") for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PERCENT)
    # The legend goes under the bars so that it never meets the title on a narrow screen.
    entries = len(categories) + int(withheld.any())
    ax.legend(ncols=min(entries, 2), loc="upper center", bbox_to_anchor=(0.5, -0.22),
              fontsize=9)
    if title:
        ax.set_title(title)
    rows = -(-entries // 2)
    ax.figure.set_size_inches(ax.figure.get_size_inches()[0],
                              1.3 + 0.45 * len(groups) + 0.3 * rows)
    notes = []
    if withheld.any():
        notes.append("Hatched: shares withheld because they, or the rest of the group, rest on "
                     "fewer people than the reporting threshold.")
    if approximate:
        notes.append("≈: drawn from counts rounded to the nearest 5 (the numbers shown), "
                     "because a share of that group is too small to show.")
    if notes:
        _footnote(ax, " ".join(notes))
    describe(ax, f"Stacked bar chart{' of ' + title if title else ''}: for each "
                 f"{words(by)}, the share in each of {', '.join(words(c) for c in categories)}"
                 f"{'; some shares withheld (small numbers)' if withheld.any() else ''}"
                 f"{'; some bars drawn from rounded counts' if approximate else ''}.")
    return ax


def _from_rounded_counts(data: Shown | pd.DataFrame, share: str, frame: pd.DataFrame,
                         shares: pd.DataFrame, labels: pd.DataFrame) -> list[str]:
    """Fill, in place, the groups whose shares are all withheld with shown count / shown whole,
    labelled with the counts' text; the groups so filled."""
    if not isinstance(data, Shown):
        return []
    col = data.spec.col(share)
    if not (col.part and col.whole):
        return []
    counts = pd.DataFrame({"g": frame["g"], "c": frame["c"],
                           "v": _numbers(data, col.part) / _numbers(data, col.whole),
                           "t": data.text[col.part].to_numpy()})
    filled = []
    for group in shares.index[shares.isna().all(axis=1)]:
        rows = counts[counts["g"] == group].set_index("c").reindex(shares.columns)
        if rows["v"].notna().any():
            # Rounded parts can add up to a little more than the rounded whole.
            shares.loc[group] = rows["v"].to_numpy(float) / max(1.0, rows["v"].sum())
            labels.loc[group] = [t if not np.isnan(v) else ""
                                 for t, v in zip(rows["t"], rows["v"], strict=True)]
            filled.append(group)
    return filled


def _text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(background)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def count_bars(data: Shown | pd.DataFrame, *, category: str, count: str, xlabel: str = "",
               title: str = "", ax: Axes | None = None) -> Axes:
    """Horizontal bars of a count per category, each labelled with its (rounded) value.

    A count below the threshold is labelled as such and not drawn.

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
    for i, (v, t) in enumerate(zip(values, texts, strict=True)):
        ax.annotate(t, (0 if np.isnan(v) else v, i), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel or words(count))
    if title:
        ax.set_title(title)
    ax.figure.set_size_inches(ax.figure.get_size_inches()[0], 1.2 + 0.4 * len(values))
    describe(ax, f"Bar chart{' of ' + title if title else ''}: " + "; ".join(
        f"{lab} {t}" for lab, t in zip(labels, texts, strict=True)) + ".")
    return ax


# --- scores --------------------------------------------------------------------------------------


def means_by_wave(data: Shown | pd.DataFrame, *, wave: str = "wave", mean: str = "mean",
                  scale: tuple[float, float] = (1, 5), ylabel: str = "", title: str = "",
                  pairs: Shown | pd.DataFrame | None = None, waves: list[str] | None = None,
                  ax: Axes | None = None) -> Axes:
    """Mean score at each wave with its 95% interval; the axis spans the whole scale.

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
        Lowest and highest possible score (the y axis).
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
    >>> ax = means_by_wave(table, ax=ax, ylabel="discomfort")
    >>> print(ax.figure.evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Chart of the mean discomfort at each wave with 95% intervals: before preparation 3.10;
    after preparation 2.60.
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
    ax.errorbar(x, value, yerr=[value - low, high - value], color=ORANGE, marker="o",
                linewidth=2.2, capsize=5, zorder=3, label="mean and 95% interval")
    ax.set_xticks(range(len(order)), [words(w) for w in order])
    ax.set_xlim(-0.4, len(order) - 0.6)
    ax.set_ylim(*scale)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", fontsize=9)
    describe(ax, f"Chart of the mean{' ' + ylabel if ylabel else ''} at each wave with 95% "
                 f"intervals: " + "; ".join(
                     f"{words(w)} {'withheld' if np.isnan(v) else f'{v:.2f}'}"
                     for w, v in zip(table[wave].astype(str), value, strict=True)) + ".")
    return ax


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
    label_rows_above(ax, labels, extra_height=1.4)
    ax.set_xlim(*scale)
    ax.tick_params(axis="x", labelsize=ROW_LABEL_SIZE)
    ax.set_xlabel(xlabel, fontsize=ROW_LABEL_SIZE)
    ax.legend(ncols=len(present), loc="lower left", bbox_to_anchor=(0.0, 1.0),
              fontsize=ROW_LABEL_SIZE)
    describe(ax, "Dot chart of the mean answer to each item at each wave, hardest first: "
                 + "; ".join(f"{lab} {wide.loc[lab, present[0]]:.1f}" for lab in labels[:3])
                 + (" ..." if len(labels) > 3 else "") + ".")
    return ax


def distribution_by_group(data: Shown | pd.DataFrame, *, factor: str,
                          scale: tuple[float, float], thresholds: Sequence[float] = (),
                          ylabel: str = "", ax: Axes | None = None) -> Axes:
    """Boxes from a quantile table: quartiles as the box, 10th to 90th percentiles as whiskers.

    The table holds factor, group, n, p10, q1, median, q3, p90, so no single person's score is
    drawn. Groups whose figures are withheld are named but not drawn.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``sts_distribution``.
    factor
        Which factor's rows to draw.
    scale
        Lowest and highest possible score (the y axis).
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
    >>> table = pd.DataFrame({"factor": ["role"] * 2, "group": ["facilitator", "supervisor"],
    ...                       "n": [24, 6], "p10": [23, 25], "q1": [31, 28], "median": [38, 30],
    ...                       "q3": [43, 32], "p90": [51, 33]})
    >>> fig, ax = plt.subplots()
    >>> ax = distribution_by_group(table, ax=ax, factor="role", scale=(17, 85), thresholds=[38])
    >>> print(ax.figure.evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Box chart of scores by role: boxes span the middle half of scores, whiskers the 10th to
    90th percentiles; facilitators median 38; supervisors median 30.
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    rows = (table["factor"] == factor).to_numpy()
    if not rows.any():
        return _nothing(ax, f"No groups of {words(factor)}.")
    names = [words(g) for g in table.loc[rows, "group"]]
    stats = []
    drawn = []
    for i in np.flatnonzero(rows):
        values = {k: _numbers(data, k)[i] for k in ("p10", "q1", "median", "q3", "p90")}
        if any(np.isnan(v) for v in values.values()):
            continue
        stats.append({"whislo": values["p10"], "q1": values["q1"], "med": values["median"],
                      "q3": values["q3"], "whishi": values["p90"], "label": words(
                          table.loc[i, "group"])})
        drawn.append(words(table.loc[i, "group"]))
    if stats:
        ax.bxp(stats, positions=[names.index(s["label"]) for s in stats], showfliers=False,
               widths=0.5, medianprops={"color": ORANGE, "linewidth": 2},
               boxprops={"color": BLUE}, whiskerprops={"color": BLUE}, capprops={"color": BLUE})
    for i, name in enumerate(names):
        if name not in drawn:
            ax.text(i, scale[0] + 0.03 * (scale[1] - scale[0]), WITHHELD_LABEL, rotation=90,
                    ha="center", va="bottom", fontsize=8, color="#555555")
    for value in thresholds:
        ax.axhline(value, color="#777777", linestyle="--", linewidth=0.8)
        ax.annotate(f"{value:g}", xy=(1.0, value), xycoords=("axes fraction", "data"),
                    fontsize=8, color="#555555", va="center")
    ax.set_xticks(range(len(names)), names, rotation=20, ha="right")
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.set_ylim(*scale)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(words(factor))
    describe(ax, f"Box chart of {ylabel or 'scores'} by {words(factor)}: boxes span the middle "
                 f"half of scores, whiskers the 10th to 90th percentiles; "
                 + "; ".join(f"{s['label']} median {s['med']:.0f}" for s in stats) + ".")
    return ax


def correlation_heatmap(data: Shown | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Correlations (x, y, r) as a matrix with the value written in each cell.

    Withheld cells are hatched.

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
    ...                       "r": [0.62, 0.18]})
    >>> fig, ax = plt.subplots()
    >>> print(correlation_heatmap(table, ax=ax).figure.evalkit_alt)  # doctest: +NORMALIZE_WHITESPACE
    Correlation matrix of 3 measures; blue negative, red positive; hatched cells withheld or
    not computed (pairs within one scale).
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    names = list(dict.fromkeys([*table["x"], *table["y"]]))
    index = {n: i for i, n in enumerate(names)}
    matrix = np.full((len(names), len(names)), np.nan)
    np.fill_diagonal(matrix, 1.0)
    r = _numbers(data, "r")
    for (x, y), value in zip(zip(table["x"], table["y"], strict=True), r, strict=True):
        matrix[index[x], index[y]] = matrix[index[y], index[x]] = value
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-1, vmax=1)
    for i in range(len(names)):
        for j in range(len(names)):
            value = matrix[i, j]
            if np.isnan(value):
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, **WITHHELD_STYLE))
            elif i != j:
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if abs(value) > 0.6 else "black")
    labels = [words(n) for n in names]
    ax.set_xticks(range(len(names)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), labels, fontsize=8)
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="correlation (r)")
    ax.figure.set_size_inches(7, 6)
    describe(ax, f"Correlation matrix of {len(names)} measures; blue negative, red positive; "
                 f"hatched cells withheld or not computed (pairs within one scale).")
    return ax


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
    ax.legend(fontsize=8, loc="upper left")
    ax.figure.set_size_inches(5.5, 5)
    describe(ax, f"Scatter of each person's score before and after ({len(table)} people); the "
                 f"grey band marks changes smaller than {threshold:.2f} points, within measurement "
                 f"error.")
    return ax


# --- outcome measures ------------------------------------------------------------------------------


def _panels(ax, count: int):
    """``count`` stacked axes in the figure of ``ax`` (one per instrument)."""
    figure = ax.figure
    if count == 1:
        return [ax]
    ax.remove()
    return list(np.atleast_1d(figure.subplots(count, 1)))


def outcome_means(data: Shown | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Mean of each scale at each wave with 95% intervals, one panel per instrument.

    Each panel's axis spans the scale's possible scores.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``outcome_means``.
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
    >>> outcome_means(table, ax=ax).get_title()
    'partner safety'
    >>> plt.close(fig)
    """
    ax = ax or plt.gca()
    table = _values(data)
    if table.empty:
        return _nothing(ax, "No outcome measure has scores to draw.")
    instruments = list(dict.fromkeys(table["instrument"]))
    panels = _panels(ax, len(instruments))
    mean, low, high = (_numbers(data, c) for c in ("mean", "ci_low", "ci_high"))
    texts = []
    for panel, name in zip(panels, instruments, strict=True):
        rows = (table["instrument"] == name).to_numpy()
        waves = list(dict.fromkeys(table.loc[rows, "wave"]))
        for colour, scale in zip(OKABE_ITO, dict.fromkeys(table.loc[rows, "scale"]),
                                 strict=False):
            part = rows & (table["scale"] == scale).to_numpy()
            x = [waves.index(w) for w in table.loc[part, "wave"]]
            panel.errorbar(x, mean[part], yerr=[mean[part] - low[part], high[part] - mean[part]],
                           marker="o", capsize=4, color=colour, label=words(scale))
            texts.append(f"{words(scale)} " + ", ".join(
                "withheld" if np.isnan(v) else f"{v:.1f}" for v in mean[part]))
        span = table.loc[rows, ["lowest", "highest"]].astype(float)
        panel.set_ylim(span["lowest"].min(), span["highest"].max())
        panel.set_xticks(range(len(waves)), [words(w) for w in waves])
        panel.set_xlim(-0.4, len(waves) - 0.6)
        panel.set_title(words(name))
        panel.set_ylabel("mean score")
        panel.legend(fontsize=8, loc="upper right")
    describe(panels[0], "Chart of mean outcome scores at each wave with 95% intervals: "
             + "; ".join(texts) + ".")
    return panels[0]


def outcome_change(data: Shown | pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Mean change of each scale from the first wave, with its 95% interval.

    One row per scale and comparison; green where the interval shows improvement, vermilion where
    it shows worsening, grey otherwise.

    Parameters
    ----------
    data
        A policed table (:class:`~evalkit.publish.policy.Shown`) or a plain DataFrame,
        shaped like ``outcome_change``.
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
    labels = [f"{words(i)}: {words(s)}, {words(c)}" for i, s, c in
              zip(table["instrument"], table["scale"], table["comparison"], strict=True)]
    change, low, high = (_numbers(data, c) for c in ("mean_change", "ci_low", "ci_high"))
    colour = {"improved": GREEN, "worsened": VERMILION}
    y = np.arange(len(table))
    for i in y:
        shade = colour.get(str(table["direction"].iloc[i]), GREY)
        ax.hlines(i, low[i], high[i], color=shade, linewidth=2)
        ax.plot(change[i], i, "o", color=shade)
        if np.isnan(change[i]):
            ax.annotate(WITHHELD_LABEL, (0, i), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=8, color="#555555")
    ax.axvline(0, color="#777777", linewidth=0.8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("mean change in score points (95% interval)")
    ax.set_title("Change from the first wave")
    ax.legend(handles=[Patch(color=GREEN, label="improved"),
                       Patch(color=VERMILION, label="worsened"),
                       Patch(color=GREY, label="no clear change")],
              fontsize=8, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.08))
    ax.figure.set_size_inches(ax.figure.get_size_inches()[0], 1.4 + 0.3 * len(table))
    describe(ax, "Chart of the mean change of each outcome scale from the first wave with 95% "
                 "intervals: " + "; ".join(
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
    ax.legend(fontsize=7, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    ax.figure.set_size_inches(9, 1.6 + 0.5 * len(lanes))
    describe(ax, f"Timeline of {len(lanes)} accountability processes, one line each, with "
                 f"messages, responses, meetings and demands marked by date.")
    return ax
