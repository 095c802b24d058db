"""Describing a score: means with their intervals, per group."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

__all__ = ["mean_table"]


def mean_table(data: pd.DataFrame, *, dv: str, between: str | Sequence[str],
               order: Sequence | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Mean of ``dv`` per group with its t interval (``docs/methods.md#summaries-of-scores``).

    Missing values are left out. With one value the SD and the interval are NaN; a group in
    ``order`` with no values gets n 0 and NaN.

    Parameters
    ----------
    data
        One row per observation.
    dv
        The column to describe.
    between
        Grouping column(s).
    order
        Groups in the order wanted (only for a single ``between`` column); default: sorted.
    confidence
        Level of the interval.

    Returns
    -------
    DataFrame
        ``between`` columns, n, mean, sd, ci_low, ci_high.

    Examples
    --------
    Values 2, 4 and 6: mean 4, SD 2, half-width t(0.975, 2) * 2 / sqrt(3) = 4.303 * 1.155.

    >>> data = pd.DataFrame({"wave": ["a", "a", "a", "b"], "score": [2.0, 4.0, 6.0, 5.0]})
    >>> mean_table(data, dv="score", between="wave").round(3).to_numpy().tolist()
    [['a', 3, 4.0, 2.0, -0.968, 8.968], ['b', 1, 5.0, nan, nan, nan]]
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    keys = [between] if isinstance(between, str) else list(between)
    missing = [c for c in [dv, *keys] if c not in data.columns]
    if missing:
        raise ValueError(f"no column(s) {', '.join(map(repr, missing))} in the data")
    present = data.dropna(subset=[dv])
    grouped = present.groupby(keys, observed=True, sort=True)[dv]
    table = grouped.agg(n="size", mean="mean", sd="std").reset_index()
    if order is not None:
        if len(keys) != 1:
            raise ValueError("order works with one grouping column")
        table = (pd.DataFrame({keys[0]: list(order)})
                 .merge(table.astype({keys[0]: object}), on=keys[0], how="left"))
        table["n"] = table["n"].fillna(0).astype(int)
    n = table["n"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = np.where(n > 1, _st.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
                        * table["sd"].to_numpy(float) / np.sqrt(n), np.nan)
    table["ci_low"] = table["mean"] - half
    table["ci_high"] = table["mean"] + half
    return table[[*keys, "n", "mean", "sd", "ci_low", "ci_high"]]
