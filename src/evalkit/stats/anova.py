"""One-way repeated-measures ANOVA with sphericity checks, and its pairwise follow-up tests."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats as _st

from .multitest import holm
from .paired import wide

__all__ = ["repeated_measures_anova", "pairwise_paired"]

_ANOVA_COLUMNS = ["n", "f", "df1", "df2", "p", "epsilon_gg", "p_gg", "mauchly_w", "mauchly_p",
                  "ng2", "note"]


def _complete(data: pd.DataFrame, subject: str, within: str, dv: str,
              levels: Sequence) -> pd.DataFrame:
    levels = [str(level) for level in levels]
    if len(levels) < 2 or len(set(levels)) < len(levels):
        raise ValueError("levels must name at least two different levels")
    return wide(data, dv=dv, within=within, subject=subject, levels=levels).dropna()


def _contrasts(k: int) -> np.ndarray:
    """k - 1 orthonormal contrasts (rows), each orthogonal to the constant."""
    basis = np.linalg.qr(np.column_stack([np.ones(k), np.eye(k)[:, : k - 1]]))[0]
    return basis[:, 1:].T


def _mauchly(transformed: np.ndarray, n: int) -> tuple[float, float]:
    """Mauchly's W and its p from Anderson's expansion (R's ``mauchly.test``; see notes)."""
    pp = transformed.shape[0]
    w = np.linalg.det(transformed) / (np.trace(transformed) / pp) ** pp
    if not w > 0:
        return float(max(w, 0.0)), np.nan
    df = n - 1
    rho = 1 - (2 * pp**2 + pp + 2) / (6 * pp * df)
    z = -df * rho * np.log(w)
    f = pp * (pp + 1) / 2 - 1
    w2 = ((pp + 2) * (pp - 1) * (pp - 2) * (2 * pp**3 + 6 * pp**2 + 3 * pp + 2)
          / (288 * (df * pp * rho) ** 2))
    p1, p2 = _st.chi2.sf(z, f), _st.chi2.sf(z, f + 4)
    return float(w), float(p1 + w2 * (p2 - p1))


def repeated_measures_anova(data: pd.DataFrame, *, subject: str, within: str, dv: str,
                            levels: Sequence) -> pd.DataFrame:
    """One-way repeated-measures ANOVA on complete cases, with Greenhouse-Geisser correction.

    Only subjects with a value at every level enter (``n``). F is the usual within-subject F on
    ``(k - 1, (k - 1)(n - 1))`` df; ``epsilon_gg`` is the Greenhouse-Geisser epsilon of the
    covariance of ``k - 1`` orthonormal contrasts and ``p_gg`` the p-value with both df
    multiplied by it (report ``p_gg`` when sphericity is doubtful). ``mauchly_w`` and
    ``mauchly_p`` test sphericity; the p-value uses Anderson's second-order expansion with the
    contrast dimension ``k - 1`` throughout (R's ``mauchly.test`` writes ``3 * p`` with
    ``p = k`` in one term, which changes p slightly from four levels on; for three levels the
    term vanishes). ``ng2`` is generalised eta squared, SS_levels / (SS_levels + SS_subjects +
    SS_error). With two levels sphericity holds trivially: epsilon is 1 and Mauchly's test is
    not defined.

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    subject, within, dv
        Column names (subject, the repeated factor, the score).
    levels
        The levels of ``within`` to compare (at least two).

    Returns
    -------
    DataFrame
        One row: n, f, df1, df2, p, epsilon_gg, p_gg, mauchly_w, mauchly_p, ng2, note.

    Examples
    --------
    >>> long = pd.DataFrame({"id": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4],
    ...                      "wave": ["a", "b", "c"] * 4,
    ...                      "score": [5, 4, 4, 6, 4, 5, 7, 6, 5, 5, 5, 3]})
    >>> row = repeated_measures_anova(long, subject="id", within="wave", dv="score",
    ...                               levels=["a", "b", "c"]).iloc[0]
    >>> int(row["n"]), round(float(row["f"]), 3), float(row["df1"]), float(row["df2"])
    (4, 5.25, 2.0, 6.0)
    """
    table = _complete(data, subject, within, dv, levels)
    y = table.to_numpy()
    n, k = y.shape
    row = dict.fromkeys(_ANOVA_COLUMNS, np.nan)
    row.update(n=n, note="")
    if n < 3:
        row["note"] = "fewer than three subjects with every level: no test"
        return pd.DataFrame([row], columns=_ANOVA_COLUMNS)
    grand = y.mean()
    ss_levels = n * np.sum((y.mean(axis=0) - grand) ** 2)
    ss_subjects = k * np.sum((y.mean(axis=1) - grand) ** 2)
    ss_error = np.sum((y - grand) ** 2) - ss_levels - ss_subjects
    df1, df2 = k - 1, (k - 1) * (n - 1)
    if ss_error <= 1e-12 * max(np.sum((y - grand) ** 2), 1e-300):
        row["note"] = "no variation left within subjects: F undefined"
        return pd.DataFrame([row], columns=_ANOVA_COLUMNS)
    f = (ss_levels / df1) / (ss_error / df2)
    row.update(f=f, df1=float(df1), df2=float(df2), p=float(_st.f.sf(f, df1, df2)),
               ng2=ss_levels / (ss_levels + ss_subjects + ss_error))
    if k == 2:
        row.update(epsilon_gg=1.0, p_gg=row["p"], mauchly_w=1.0,
                   note="two levels: sphericity holds, no Mauchly test")
        return pd.DataFrame([row], columns=_ANOVA_COLUMNS)
    contrasts = _contrasts(k)
    transformed = contrasts @ np.cov(y, rowvar=False) @ contrasts.T
    eigen = np.linalg.eigvalsh(transformed)
    epsilon = eigen.sum() ** 2 / ((k - 1) * np.sum(eigen**2))
    row.update(epsilon_gg=epsilon, p_gg=float(_st.f.sf(f, epsilon * df1, epsilon * df2)))
    row["mauchly_w"], row["mauchly_p"] = _mauchly(transformed, n)
    if np.isnan(row["mauchly_p"]):
        row["note"] = "fewer subjects than levels: Mauchly's test undefined"
    return pd.DataFrame([row], columns=_ANOVA_COLUMNS)


def pairwise_paired(data: pd.DataFrame, *, subject: str, within: str, dv: str,
                    levels: Sequence) -> pd.DataFrame:
    """Paired t tests between every two levels, Holm-adjusted across the pairs.

    Uses the same complete cases as :func:`repeated_measures_anova` (subjects with every level),
    so the follow-up tests describe the people the ANOVA did. ``t`` is for ``b - a`` (the later
    level minus the earlier, in the order of ``levels``), as ``mean_change`` in
    :func:`evalkit.stats.paired.paired_change`.

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    subject, within, dv
        Column names.
    levels
        The levels, in order; pairs are (levels[i], levels[j]) for i < j.

    Returns
    -------
    DataFrame
        One row per pair: a, b, n, t, df, p, p_holm.

    Examples
    --------
    >>> long = pd.DataFrame({"id": [1, 1, 2, 2, 3, 3], "wave": ["a", "b"] * 3,
    ...                      "score": [5, 4, 6, 4, 7, 6]})
    >>> pairwise_paired(long, subject="id", within="wave", dv="score", levels=["a", "b"])[
    ...     ["a", "b", "n", "t", "df"]].to_numpy().tolist()
    [['a', 'b', 3, -4.0, 2.0]]
    """
    table = _complete(data, subject, within, dv, levels)
    n = len(table)
    rows = []
    for a, b in combinations(table.columns, 2):
        diff = (table[b] - table[a]).to_numpy()
        row = {"a": a, "b": b, "n": n, "t": np.nan, "df": np.nan, "p": np.nan}
        if n >= 2 and diff.std(ddof=1) > 0:
            t = diff.mean() / (diff.std(ddof=1) / np.sqrt(n))
            row.update(t=t, df=float(n - 1), p=float(2 * _st.t.sf(abs(t), n - 1)))
        rows.append(row)
    pairs = pd.DataFrame(rows, columns=["a", "b", "n", "t", "df", "p"])
    pairs["p_holm"] = holm(pairs["p"].to_numpy())
    return pairs
