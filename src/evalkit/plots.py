"""Charts. Each function takes ``data=`` (a result table) and ``ax=``, returns the Axes and never
calls ``plt.show()``. No chart ever labels a point, bar or axis with a person's id.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
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
