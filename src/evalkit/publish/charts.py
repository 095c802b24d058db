"""Charts. Each function takes ``data=`` (a result table) and ``ax=``, returns the Axes and never
calls ``plt.show()``. No chart ever labels a point, bar or axis with a person's id.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

PALETTE = ("#3b6ea8", "#d08c2e", "#5a9e6f", "#b0506b", "#7d6bb0", "#8c8c8c")


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def data_coverage(data: pd.DataFrame, ax=None):
    """Horizontal bars from each file's first to last date (``Dataset.summary()`` as ``data``)."""
    ax = _axes(ax)
    dated = data[data["first_date"].notna()].reset_index(drop=True)
    for row, (first, last) in enumerate(zip(dated["first_date"], dated["last_date"], strict=True)):
        # Month-resolution files ("2024-05") span to the end of their last month.
        start = pd.Period(str(first), freq="D" if len(str(first)) > 7 else "M").start_time
        end = pd.Period(str(last), freq="D" if len(str(last)) > 7 else "M").end_time
        ax.barh(row, (end - start).days + 1, left=start, color=PALETTE[0], height=0.5)
    ax.set_yticks(range(len(dated)), dated["file"])
    ax.invert_yaxis()
    ax.set_xlabel("date")
    ax.set_title("Period covered by each file")
    return ax


def attendance_heatmap(data: pd.DataFrame, ax=None):
    """Participants (rows, no ids) x programme weeks: attended, absent or no session.

    ``data`` is :func:`evalkit.attendance.attendance_matrix` (rows ordered by drop-out).
    """
    from matplotlib.colors import ListedColormap

    ax = _axes(ax)
    values = data.to_numpy(dtype=float)
    cmap = ListedColormap(["#e9e3d5", PALETTE[0]])
    cmap.set_bad("#ffffff")
    ax.imshow(values, aspect="auto", interpolation="nearest", cmap=cmap, vmin=0, vmax=1)
    ax.set_xticks(range(data.shape[1]), [str(c) for c in data.columns], fontsize=7)
    ax.set_yticks([])
    ax.set_xlabel("programme week")
    ax.set_ylabel(f"{data.shape[0]} participants\n(ordered by last week attended)")
    ax.set_title("Attendance by week (blue: attended; white: no session held)")
    ax.grid(False)
    return ax


def rate_by_week(data: pd.DataFrame, ax=None, x: str = "programme_week",
                 y: str = "attendance_rate"):
    """A rate per week as a line with its confidence interval as a ribbon."""
    ax = _axes(ax)
    ax.fill_between(data[x], data["ci_low"], data["ci_high"], color=PALETTE[0], alpha=0.2,
                    linewidth=0, label="95% interval")
    ax.plot(data[x], data[y], marker="o", color=PALETTE[0], label=y.replace("_", " "))
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel(x.replace("_", " "))
    ax.set_ylabel(y.replace("_", " "))
    ax.legend(loc="lower left", frameon=False)
    return ax


def retention_curves(data: pd.DataFrame, ax=None, group: str | None = "group"):
    """Kaplan-Meier step curves with their confidence bands, one per group."""
    ax = _axes(ax)
    groups = [(None, data)] if group is None or group not in data else list(
        data.groupby(group, sort=True, observed=True))
    for colour, (name, part) in zip(PALETTE, groups, strict=False):
        # Start every curve at week 0 with everyone retained.
        times = np.r_[0.0, part["time"].to_numpy(float)]
        surv = np.r_[1.0, part["survival"].to_numpy(float)]
        low = np.r_[1.0, part["ci_low"].to_numpy(float)]
        high = np.r_[1.0, part["ci_high"].to_numpy(float)]
        ax.step(times, surv, where="post", color=colour, label=None if name is None else str(name))
        ax.fill_between(times, low, high, step="post", color=colour, alpha=0.15, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("programme week (last session attended)")
    ax.set_ylabel("still on the programme")
    if len(groups) > 1:
        ax.legend(frameon=False, loc="lower left")
    return ax


def fidelity_by_exercise(data: pd.DataFrame, ax=None):
    """Stacked bars per exercise: delivered in full, cut short, not delivered."""
    ax = _axes(ax)
    table = data.reset_index(drop=True)
    labels = [f"S{m} {t}" for m, t in zip(table["module_session"],
                                                             table["exercise_title"], strict=True)]
    left = np.zeros(len(table))
    for column, colour, name in (("full_share", PALETTE[2], "in full"),
                                 ("cut_short_share", PALETTE[1], "cut short"),
                                 ("not_delivered_share", PALETTE[3], "not delivered")):
        ax.barh(range(len(table)), table[column], left=left, color=colour, label=name)
        left += table[column].to_numpy(float)
    ax.set_yticks(range(len(table)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("share of sessions")
    ax.legend(frameon=False, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    ax.grid(False)
    return ax


def _numeric(values) -> np.ndarray:
    """Numbers from a result column; withheld cells ("<5", blank) become NaN and are not drawn."""
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(float)


def _note_withheld(ax, withheld: bool) -> None:
    if withheld:
        ax.annotate("Parts withheld: fewer people than the reporting threshold.",
                    xy=(0, -0.22), xycoords="axes fraction", fontsize=8, color="#555555")


def band_bars(data: pd.DataFrame, ax=None, by: str = "wave", band: str = "band",
              share: str = "percent", title: str | None = None):
    """One stacked horizontal bar per ``by`` group: the share of forms in each band.

    ``data`` is a band table (:func:`evalkit.wellbeing.band_prevalence`), possibly after disclosure
    control: a withheld share leaves a gap, which is said under the chart.
    """
    ax = _axes(ax)
    groups = list(dict.fromkeys(data[by].astype(str)))
    bands = list(dict.fromkeys(data[band].astype(str)))
    colours = dict(zip(bands, ("#c9dcef", "#8fb3d9", PALETTE[1], "#c46a3a", PALETTE[3]),
                       strict=False))
    table = data.assign(**{by: data[by].astype(str), band: data[band].astype(str),
                           "_share": _numeric(data[share])})
    shares = table.pivot(index=by, columns=band, values="_share").reindex(index=groups,
                                                                          columns=bands)
    withheld = bool(shares.isna().any().any())
    left = np.zeros(len(groups))
    for name in bands:
        values = np.nan_to_num(shares[name].to_numpy(float))
        ax.barh(range(len(groups)), values, left=left, color=colours.get(name, PALETTE[5]),
                label=name.replace("_", " "))
        left += values
    ax.set_yticks(range(len(groups)), groups)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("share of scored forms")
    ax.legend(frameon=False, ncols=len(bands), loc="lower center", bbox_to_anchor=(0.5, 1.0),
              fontsize=8)
    if title:
        ax.set_title(title, pad=24)
    ax.grid(False)
    _note_withheld(ax, withheld)
    return ax


def score_by_group(data: pd.DataFrame, score: str, by: str, ax=None, thresholds=(),
                   min_group: int = 1, show_points: bool = True):
    """Distribution of ``score`` in each group of ``by``, with band thresholds as lines.

    Boxes show the quartiles and whiskers the 10th to 90th percentiles, so no single person's
    score is drawn as an outlier. Groups with fewer than ``min_group`` scores are not drawn (the
    funder report passes its ``min_cell``); ``show_points`` adds each score as a dot (internal use).
    """
    ax = _axes(ax)
    values = data[[score, by]].dropna()
    groups = [(str(name), part[score].to_numpy(float))
              for name, part in values.groupby(by, observed=True, sort=True)]
    shown = [(name, v) for name, v in groups if len(v) >= min_group]
    if shown:
        ax.boxplot([v for _, v in shown], whis=(10, 90), showfliers=False, widths=0.5,
                   medianprops={"color": PALETTE[1]}, tick_labels=[n for n, _ in shown])
    if show_points:
        jitter = np.random.default_rng(0)
        for position, (_, v) in enumerate(shown, start=1):
            ax.scatter(position + jitter.uniform(-0.12, 0.12, len(v)), v, s=12,
                       color=PALETTE[0], alpha=0.6, zorder=3)
    for value in thresholds:
        ax.axhline(value, color="#777777", linestyle="--", linewidth=0.8)
        ax.annotate(f"{value:g}", xy=(1.0, value), xycoords=("axes fraction", "data"),
                    fontsize=7, color="#555555", va="center")
    ax.set_xlabel(by.replace("_", " "))
    ax.set_ylabel(score.replace("_", " "))
    ax.tick_params(axis="x", labelrotation=20)
    _note_withheld(ax, len(shown) < len(groups))
    return ax


def correlation_heatmap(data: pd.DataFrame, ax=None):
    """A correlation matrix (:func:`evalkit.wellbeing.correlation_matrix`) with values written in."""
    ax = _axes(ax)
    labels = [str(c).replace("_", " ") for c in data.columns]
    values = data.to_numpy(float)
    image = ax.imshow(values, cmap="RdBu_r", vmin=-1, vmax=1)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if not np.isnan(values[i, j]):
                ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if abs(values[i, j]) > 0.6 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="correlation (r)")
    ax.grid(False)
    return ax


def paired_slopes(data: pd.DataFrame, before: str = "pre", after: str = "post", ax=None,
                  show_individuals: bool = True):
    """Each practitioner's score before and after as a grey line, with the means and their 95%
    intervals on top. ``data`` is :func:`evalkit.change.wide` (one row per practitioner, no ids
    drawn). With ``show_individuals=False`` (funder report) only the means are drawn."""
    from scipy import stats as st

    ax = _axes(ax)
    pairs = data[[before, after]].dropna()
    if show_individuals:
        for y0, y1 in pairs.to_numpy():
            ax.plot([0, 1], [y0, y1], color="#9a9a9a", alpha=0.5, linewidth=0.9)
    means = pairs.mean()
    half = st.t.ppf(0.975, max(len(pairs) - 1, 1)) * pairs.std(ddof=1) / np.sqrt(len(pairs))
    ax.errorbar([0, 1], means, yerr=half, color=PALETTE[1], marker="o", linewidth=2.5,
                capsize=5, label=f"mean and 95% interval (n = {len(pairs)})", zorder=3)
    ax.set_xticks([0, 1], [before.replace("_", " "), after.replace("_", " ")])
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylabel("discomfort (1 comfortable - 5 very uncomfortable)")
    ax.legend(frameon=False, loc="upper right")
    return ax


def item_dots(data: pd.DataFrame, ax=None, waves=("pre", "post", "follow_up")):
    """Mean of each checklist item at each wave as dots on one line per item, in the order of
    ``data`` (:func:`evalkit.change.item_means`: hardest situation before preparation first)."""
    ax = _axes(ax)
    rows = range(len(data))
    present = [w for w in waves if f"mean_{w}" in data]
    for colour, wave in zip(PALETTE, present, strict=False):
        ax.scatter(_numeric(data[f"mean_{wave}"]), rows, color=colour, s=36, zorder=3,
                   label=wave.replace("_", " "))
    if len(present) > 1:
        values = np.column_stack([_numeric(data[f"mean_{w}"]) for w in present])
        ax.hlines(rows, np.nanmin(values, axis=1), np.nanmax(values, axis=1), color="#bbbbbb",
                  linewidth=1)
    ax.set_yticks(list(rows), data["label"], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(1, 5)
    ax.set_xlabel("mean discomfort (1 comfortable - 5 very uncomfortable)")
    ax.legend(frameon=False, ncols=len(present), loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return ax


def reliable_change_scatter(data: pd.DataFrame, threshold: float, ax=None):
    """Score before (x) against after (y) per practitioner, with the band inside which a change
    is not reliable (``threshold`` scale points either side of no change). Internal audience:
    each dot is one person, though no id is drawn."""
    ax = _axes(ax)
    colours = {"reliably_improved": PALETTE[2], "no_reliable_change": PALETTE[5],
               "reliably_worse": PALETTE[3]}
    line = np.array([1.0, 5.0])
    ax.fill_between(line, line - threshold, line + threshold, color="#dddddd", alpha=0.6,
                    linewidth=0, label="no reliable change")
    ax.plot(line, line, color="#888888", linewidth=0.8)
    for category, colour in colours.items():
        part = data[data["category"] == category]
        # The grey band already names "no reliable change" in the legend.
        label = None if category == "no_reliable_change" else (
            f"{category.replace('_', ' ')} ({len(part)})")
        if len(part):
            ax.scatter(part["before"], part["after"], color=colour, s=24, zorder=3, label=label)
    ax.set_xlim(1, 5)
    ax.set_ylim(1, 5)
    ax.set_aspect("equal")
    ax.set_xlabel("before")
    ax.set_ylabel("after")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return ax


def category_bars(data: pd.DataFrame, category: str = "category", count: str = "n", ax=None):
    """Horizontal bars of counts per category (after disclosure control: hidden counts are not
    drawn, and the chart says so)."""
    ax = _axes(ax)
    values = _numeric(data[count])
    labels = [str(c).replace("_", " ") for c in data[category]]
    ax.barh(range(len(values)), np.nan_to_num(values), color=PALETTE[0])
    for position, value in enumerate(values):
        ax.annotate("withheld" if np.isnan(value) else f"{value:.0f}", (np.nan_to_num(value), position),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(range(len(values)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("practitioners")
    ax.grid(False)
    _note_withheld(ax, bool(np.isnan(values).any()))
    return ax


_EVENT_STYLE = {
    "message_sent": ("o", PALETTE[0], "message from the group"),
    "response_received": ("s", PALETTE[2], "response"),
    "meeting_scheduled": ("|", "#777777", "meeting scheduled"),
    "meeting_held": ("D", PALETTE[2], "meeting held"),
    "meeting_missed": ("X", PALETTE[3], "meeting missed"),
    "demand_set": ("^", PALETTE[4], "demand set"),
    "demand_met": ("P", PALETTE[2], "demand met"),
    "demand_refused": ("v", PALETTE[3], "demand refused"),
    "process_closed": ("*", "#333333", "process closed"),
}


def process_timeline(data: pd.DataFrame, ax=None, end=None):
    """One line per accountability process with its events as markers (internal audience only:
    a line is one process). ``data`` is :func:`evalkit.accountability.timeline`; ``end`` draws
    each open line up to the end of the record."""
    ax = _axes(ax)
    lanes = data.groupby("lane")["event_date"].agg(["min", "max"])
    closed = set(data.loc[data["event_type"] == "process_closed", "lane"])
    for lane, (first, last) in lanes.iterrows():
        # A closed process ends at its last event; an open one runs on to the end of the record.
        stop = last if lane in closed or end is None else end
        ax.plot([first, stop], [lane, lane], color="#cccccc", linewidth=1, zorder=1)
    for event, (marker, colour, label) in _EVENT_STYLE.items():
        part = data[data["event_type"] == event]
        if len(part):
            ax.scatter(part["event_date"], part["lane"], marker=marker, color=colour, s=36,
                       label=label, zorder=3, linewidths=1.5)
    names = data.drop_duplicates("lane").sort_values("lane")
    ax.set_yticks(names["lane"], [f"process {i + 1}" for i in names["lane"]])
    ax.invert_yaxis()
    ax.set_xlabel("date")
    ax.legend(frameon=False, fontsize=7, ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    ax.grid(axis="y", visible=False)
    return ax
