"""Describing a score: means with their intervals, per group."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st


def mean_table(data: pd.DataFrame, *, value: str, by: str | Sequence[str],
               order: Sequence | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Mean of ``value`` per group with its t interval (``docs/methods.md#summaries-of-scores``).

    Missing values are left out. With one value the SD and the interval are NaN; a group in
    ``order`` with no values gets n 0 and NaN.

    Parameters
    ----------
    data
        One row per observation.
    value
        The column to describe.
    by
        Grouping column(s).
    order
        Groups in the order wanted (only for a single ``by`` column); default: sorted.
    confidence
        Level of the interval.

    Returns
    -------
    DataFrame
        ``by`` columns, n, mean, sd, ci_low, ci_high.

    Examples
    --------
    Values 2, 4 and 6: mean 4, SD 2, half-width t(0.975, 2) * 2 / sqrt(3) = 4.303 * 1.155.

    >>> data = pd.DataFrame({"wave": ["a", "a", "a", "b"], "score": [2.0, 4.0, 6.0, 5.0]})
    >>> mean_table(data, value="score", by="wave").round(3).to_numpy().tolist()
    [['a', 3, 4.0, 2.0, -0.968, 8.968], ['b', 1, 5.0, nan, nan, nan]]
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    keys = [by] if isinstance(by, str) else list(by)
    present = data.dropna(subset=[value])
    grouped = present.groupby(keys, observed=True, sort=True)[value]
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
