"""Correlations with confidence intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd


def scale_correlations(forms: pd.DataFrame, columns, method: str = "pearson",
                       confidence: float = 0.95) -> pd.DataFrame:
    """Correlation of every pair of ``columns`` on the forms where both are present.

    Pass one wave's rows so that nobody counts twice. The interval is Fisher's z interval
    (for Spearman's rho too, where it is an approximation).

    Returns
    -------
    DataFrame
        x, y, n, r, ci_low, ci_high, p (NaN where fewer than four pairs).
    """
    from scipy import stats as st

    if method not in ("pearson", "spearman"):
        raise ValueError("method must be 'pearson' or 'spearman'")
    columns = list(columns)
    rows = []
    for i, x in enumerate(columns):
        for y in columns[i + 1:]:
            pair = forms[[x, y]].astype(float).dropna()
            row = {"x": x, "y": y, "n": len(pair), "r": np.nan, "ci_low": np.nan,
                   "ci_high": np.nan, "p": np.nan}
            if len(pair) >= 4 and pair[x].nunique() > 1 and pair[y].nunique() > 1:
                test = (st.pearsonr if method == "pearson" else st.spearmanr)(pair[x], pair[y])
                r = float(test.statistic)
                half = st.norm.ppf(0.5 + confidence / 2) / np.sqrt(len(pair) - 3)
                z = np.arctanh(np.clip(r, -0.9999999, 0.9999999))
                row.update(r=r, ci_low=np.tanh(z - half), ci_high=np.tanh(z + half),
                           p=float(test.pvalue))
            rows.append(row)
    return pd.DataFrame(rows, columns=["x", "y", "n", "r", "ci_low", "ci_high", "p"])


def correlation_matrix(correlations: pd.DataFrame) -> pd.DataFrame:
    """Square matrix of ``r`` from :func:`scale_correlations` (1 on the diagonal)."""
    names = list(dict.fromkeys([*correlations["x"], *correlations["y"]]))
    matrix = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for row in correlations.itertuples():
        matrix.loc[row.x, row.y] = matrix.loc[row.y, row.x] = row.r
    return matrix

