"""Comparing a score between the groups of one factor.

The tests are scipy's; the effect sizes and Welch's ANOVA are written out here, each in one or
two lines with its formula, and checked against R (``t.test``, ``oneway.test``,
``wilcox.test``, ``kruskal.test``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st

__all__ = ["compare_groups"]

#: Mann-Whitney p is exact when there are no ties and both groups are smaller than this (R's
#: ``wilcox.test`` rule); otherwise normal approximation with tie and continuity corrections.
EXACT_RANK_BELOW = 50

_COLUMNS = ["factor", "groups", "n", "smallest_group", "groups_left_out", "test", "statistic",
            "df1", "df2", "p", "effect", "effect_size", "rank_test", "rank_statistic", "rank_p",
            "rank_effect", "rank_effect_size", "note"]


def _ordered_groups(values: pd.DataFrame, dv: str, between: str) -> list[np.ndarray]:
    """Scores of each group in category order (categoricals) or sorted order (anything else)."""
    grouped = values.groupby(between, observed=True, sort=True)[dv]
    return [g.to_numpy(float) for _, g in grouped]


def _two_groups(a: np.ndarray, b: np.ndarray, row: dict, notes: list[str]) -> None:
    va, vb = a.var(ddof=1), b.var(ddof=1)
    row.update(test="Welch t", effect="hedges_g", rank_test="Mann-Whitney U",
               rank_effect="rank_biserial")
    se2 = va / a.size + vb / b.size
    if se2 > 0:
        t = (a.mean() - b.mean()) / np.sqrt(se2)
        # Welch-Satterthwaite degrees of freedom
        df = se2**2 / ((va / a.size) ** 2 / (a.size - 1) + (vb / b.size) ** 2 / (b.size - 1))
        row.update(statistic=t, df1=df, p=float(2 * _st.t.sf(abs(t), df)))
    else:
        notes.append("scores do not vary within either group: no t test")
    pooled = np.sqrt(((a.size - 1) * va + (b.size - 1) * vb) / (a.size + b.size - 2))
    if pooled > 0:
        # Hedges' g: Cohen's d on the pooled SD times the small-sample correction J
        correction = 1 - 3 / (4 * (a.size + b.size) - 9)
        row["effect_size"] = (a.mean() - b.mean()) / pooled * correction
    both = np.concatenate([a, b])
    if np.unique(both).size > 1:
        ties = np.unique(both).size < both.size
        exact = not ties and a.size < EXACT_RANK_BELOW and b.size < EXACT_RANK_BELOW
        mwu = _st.mannwhitneyu(a, b, alternative="two-sided", use_continuity=True,
                               method="exact" if exact else "asymptotic")
        u = float(mwu.statistic)  # U of the first group: pairs it wins, ties counting one half
        row.update(rank_statistic=u, rank_p=float(mwu.pvalue),
                   rank_effect_size=2 * u / (a.size * b.size) - 1)
    else:
        notes.append("every score is the same: no rank test")


def _several_groups(groups: list[np.ndarray], row: dict, notes: list[str]) -> None:
    row.update(test="Welch ANOVA", effect="eta_squared", rank_test="Kruskal-Wallis H",
               rank_effect="epsilon_squared")
    sizes = np.array([g.size for g in groups], dtype=float)
    means = np.array([g.mean() for g in groups])
    variances = np.array([g.var(ddof=1) for g in groups])
    everything = np.concatenate(groups)
    k, n = len(groups), everything.size
    total_ss = np.sum((everything - everything.mean()) ** 2)
    if total_ss > 0:
        row["effect_size"] = np.sum(sizes * (means - everything.mean()) ** 2) / total_ss
    if np.all(variances > 0):
        # Welch (1951): weights n/s^2, F on (k - 1, (k^2 - 1) / (3 * lambda)) df
        w = sizes / variances
        grand = np.sum(w * means) / w.sum()
        lam = np.sum((1 - w / w.sum()) ** 2 / (sizes - 1))
        f = (np.sum(w * (means - grand) ** 2) / (k - 1)) / (1 + 2 * (k - 2) / (k**2 - 1) * lam)
        df2 = (k**2 - 1) / (3 * lam)
        row.update(statistic=f, df1=float(k - 1), df2=df2, p=float(_st.f.sf(f, k - 1, df2)))
    else:
        notes.append("scores do not vary within at least one group: Welch's test is "
                     "undefined (its weights divide by each group's variance)")
    if np.unique(everything).size > 1:
        kruskal = _st.kruskal(*groups)
        h = float(kruskal.statistic)
        row.update(rank_statistic=h, rank_p=float(kruskal.pvalue), rank_effect_size=h / (n - 1))
    else:
        notes.append("every score is the same: no rank test")


def compare_groups(data: pd.DataFrame, *, dv: str, between: str,
                   min_group: int = 2) -> pd.DataFrame:
    """Compare ``dv`` across the groups of ``between``: a Welch test, a rank test, effect sizes.

    Two groups: Welch's t (unequal variances, Welch-Satterthwaite df), Hedges' g (pooled-SD d
    times ``1 - 3 / (4 * (n1 + n2) - 9)``), the Mann-Whitney U of the first group and the
    rank-biserial correlation ``2U / (n1 * n2) - 1``. The first group is the first in category
    order (sorted order for non-categorical columns); g and the rank-biserial correlation are
    positive when it scores higher. U's p is exact without ties when both groups have fewer than
    50 scores, otherwise normal with tie and continuity corrections (R's ``wilcox.test``).

    Three or more groups: Welch's ANOVA (R's ``oneway.test``), eta squared (between-group sum of
    squares over the total), Kruskal-Wallis H (tie-corrected) and epsilon squared
    ``H / (n - 1)``.

    Groups with fewer than ``min_group`` scores are left out and counted in
    ``groups_left_out``, never named. A group with no variance gives NaN for the Welch test and
    a ``note``, and the rank test is still reported.

    Parameters
    ----------
    data
        One row per person (pass one wave's forms so that nobody counts twice).
    dv
        Numeric score column.
    between
        Grouping column; rows where it or the score is missing are left out.
    min_group
        Smallest group size that can enter a test (at least 2).

    Returns
    -------
    DataFrame
        One row: factor, groups, n, smallest_group, groups_left_out, test, statistic, df1, df2,
        p, effect, effect_size, rank_test, rank_statistic, rank_p, rank_effect,
        rank_effect_size, note.

    Examples
    --------
    >>> forms = pd.DataFrame({"score": [30, 32, 35, 40, 41, 44],
    ...                       "role": ["a", "a", "a", "b", "b", "b"]})
    >>> row = compare_groups(forms, dv="score", between="role").iloc[0]
    >>> row["test"], round(float(row["statistic"]), 3), float(row["rank_statistic"])
    ('Welch t', -4.95, 0.0)
    """
    if min_group < 2:
        raise ValueError("min_group must be at least 2 (a variance needs two scores)")
    for column in (dv, between):
        if column not in data.columns:
            raise ValueError(f"no column {column!r} in the data")
    values = data[[dv, between]].dropna()
    sizes = values.groupby(between, observed=True, sort=True)[dv].size()
    kept = sizes[sizes >= min_group]
    values = values[values[between].isin(kept.index)]
    row = dict.fromkeys(_COLUMNS, np.nan)
    row.update(factor=between, groups=len(kept), n=len(values),
               smallest_group=int(kept.min()) if len(kept) else 0,
               groups_left_out=int((sizes < min_group).sum()), test="", effect="",
               rank_test="", rank_effect="", note="")
    notes: list[str] = []
    if len(kept) < 2:
        notes.append(f"fewer than two groups with at least {min_group} scores: no test")
    else:
        groups = _ordered_groups(values, dv, between)
        if len(groups) == 2:
            _two_groups(*groups, row, notes)
        else:
            _several_groups(groups, row, notes)
    row["note"] = "; ".join(notes)
    return pd.DataFrame([row], columns=_COLUMNS)
