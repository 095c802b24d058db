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
