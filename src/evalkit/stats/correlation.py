"""Correlations between scores, with intervals and Holm's adjustment across the matrix.

The engine is ``scipy.stats.pearsonr`` (r, p and the Fisher-z interval at full precision, equal
to R's ``cor.test``; pingouin's ``corr`` rounds its ``CI95`` to two decimals). What evalkit adds:
pairwise complete cases, the part-whole rule, NaN rows for pairs that cannot be computed, and
one Holm family for the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

from .multitest import holm

__all__ = ["correlations", "correlation_matrix"]

_COLUMNS = ["x", "y", "n", "r", "ci_low", "ci_high", "p", "p_holm"]


def _totals_above(column: str, scale_of: Mapping[str, str]) -> set[str]:
    """The total(s) ``column`` is part of, following part -> total links (nested scales)."""
    found: set[str] = set()
    while column in scale_of and scale_of[column] not in found:
        column = scale_of[column]
        found.add(column)
    return found


def correlations(data: pd.DataFrame, *, columns: Sequence[str], method: str = "pearson",
                 scale_of: Mapping[str, str] | None = None, padjust: str = "holm",
                 confidence: float = 0.95) -> pd.DataFrame:
    """Correlation of every pair of ``columns`` on the rows where both are present.

    * ``method="pearson"``: Pearson's r, p from t on n - 2 df, Fisher's z interval
      ``tanh(atanh(r) -/+ z / sqrt(n - 3))`` (R's ``cor.test``).
    * ``method="spearman"``: Spearman's rho (Pearson's r of mid-ranks), p from the same t
      approximation (R's ``cor.test(method = "spearman", exact = FALSE)``), and the Fisher z
      interval as an approximation.

    A part is never correlated with the total it is part of: ``scale_of`` maps each subscale
    column to the column holding its scale's total (``{"stss_intrusion": "stss_total", ...}``),
    and a pair is skipped when one column is a total the other belongs to (directly or through
    nested totals). Subscales of the same total are still correlated with each other; columns
    not in ``scale_of`` are correlated with everything. Skipped pairs are not in the table and
    not in the Holm family.

    ``p_holm`` is Holm's adjustment across all pairs of the table (one family). Pairs with fewer
    than four complete rows, or a column that does not vary, get NaN.

    Parameters
    ----------
    data
        One row per person (pass one wave so that nobody counts twice).
    columns
        The score columns, in the order pairs are listed.
    method
        ``"pearson"`` or ``"spearman"``.
    scale_of
        Subscale column -> its total's column.
    padjust
        ``"holm"`` (the default) or ``"none"``: the adjustment in ``p_holm``.
    confidence
        Coverage of the interval.

    Returns
    -------
    DataFrame
        One row per pair: x, y, n, r, ci_low, ci_high, p, p_holm.

    Examples
    --------
    >>> scores = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "t": [3, 3, 7, 7, 10]})
    >>> table = correlations(scores, columns=["a", "b", "t"], method="spearman",
    ...                      scale_of={"a": "t", "b": "t"})
    >>> table[["x", "y", "n", "r"]].round(3).to_numpy().tolist()
    [['a', 'b', 5, 0.8]]
    """
    if method not in ("pearson", "spearman"):
        raise ValueError("method must be 'pearson' or 'spearman'")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if padjust not in ("holm", "none"):
        raise ValueError("padjust must be 'holm' or 'none'")
    columns = list(columns)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"no column(s) {', '.join(map(repr, missing))} in the data")
    scale_of = dict(scale_of or {})
    rows = []
    for i, x in enumerate(columns):
        for y in columns[i + 1:]:
            if y in _totals_above(x, scale_of) or x in _totals_above(y, scale_of):
                continue
            pair = data[[x, y]].astype(float).dropna()
            n = len(pair)
            row = {"x": x, "y": y, "n": n, "r": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                   "p": np.nan}
            if n >= 4 and pair[x].nunique() > 1 and pair[y].nunique() > 1:
                a, b = pair[x].to_numpy(), pair[y].to_numpy()
                if method == "spearman":  # Pearson's r of mid-ranks, R's exact = FALSE
                    a, b = _st.rankdata(a), _st.rankdata(b)
                with np.errstate(divide="ignore", invalid="ignore"):
                    result = _st.pearsonr(a, b)
                    interval = result.confidence_interval(confidence_level=confidence)
                row.update(r=float(result.statistic), p=float(result.pvalue),
                           ci_low=float(interval.low), ci_high=float(interval.high))
            rows.append(row)
    table = pd.DataFrame(rows, columns=_COLUMNS[:-1])
    if padjust == "none":
        table["p_holm"] = table["p"]
    else:
        table["p_holm"] = holm(table, p="p")["p_holm"] if len(table) else []
    return table


def correlation_matrix(data: pd.DataFrame, *, x: str = "x", y: str = "y",
                       r: str = "r") -> pd.DataFrame:
    """The pairs of :func:`correlations` as a square matrix with named columns.

    1 on the diagonal, NaN where a pair was skipped (a part and its own total) or is missing.
    A plain table, not an index: the first column ``variable`` names the row, the others are
    one per variable, in order of first appearance in ``data``.

    Parameters
    ----------
    data
        One row per pair, e.g. the output of :func:`correlations`.
    x, y
        The columns naming the two variables of each pair.
    r
        The column of correlations.

    Returns
    -------
    DataFrame
        variable, then one column per variable; symmetric.

    Examples
    --------
    >>> pairs = pd.DataFrame({"x": ["a", "a"], "y": ["b", "c"], "r": [0.5, -0.2]})
    >>> correlation_matrix(pairs)
      variable    a    b    c
    0        a  1.0  0.5 -0.2
    1        b  0.5  1.0  NaN
    2        c -0.2  NaN  1.0
    """
    missing = [c for c in (x, y, r) if c not in data.columns]
    if missing:
        raise ValueError(f"no column(s) {', '.join(map(repr, missing))} in the data")
    names = list(dict.fromkeys([*data[x].astype(str), *data[y].astype(str)]))
    position = {name: i for i, name in enumerate(names)}
    values = np.full((len(names), len(names)), np.nan)
    np.fill_diagonal(values, 1.0)
    for a, b, value in zip(data[x].astype(str), data[y].astype(str), data[r].astype(float), strict=True):
        values[position[a], position[b]] = values[position[b], position[a]] = value
    matrix = pd.DataFrame(values, columns=names)
    matrix.insert(0, "variable", names)
    return matrix
