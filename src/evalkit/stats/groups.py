"""Comparing a score between the groups of one factor: thin adapters over pingouin.

The tests and effect sizes are pingouin's (``ttest(correction=True)``, ``compute_effsize``,
``mwu``, ``welch_anova``, ``anova``, ``kruskal``). What evalkit adds: ``min_group`` (small
groups left out, counted, never named), category order (the first group sets the sign), the
exact-test rule of R's ``wilcox.test``, a NaN row with a ``note`` where pingouin raises, epsilon
squared, and the effect sizes' 95% intervals (:mod:`evalkit.stats.effect_sizes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg

from ._engine import quiet
from .effect_sizes import eta_squared_interval, noncentral_t_interval, rank_biserial_interval

__all__ = ["compare_groups"]

#: Mann-Whitney p is exact when there are no ties and both groups are smaller than this (R's
#: ``wilcox.test`` rule); otherwise normal approximation with tie and continuity corrections.
EXACT_RANK_BELOW = 50

_COLUMNS = ["factor", "groups", "n", "smallest_group", "groups_left_out", "test", "statistic",
            "df1", "df2", "p", "effect", "effect_size", "effect_size_ci_low",
            "effect_size_ci_high", "rank_test", "rank_statistic", "rank_p", "rank_effect",
            "rank_effect_size", "rank_effect_size_ci_low", "rank_effect_size_ci_high", "note"]


def _ordered_groups(values: pd.DataFrame, dv: str, between: str) -> list[np.ndarray]:
    """Scores of each group in category order (categoricals) or sorted order (anything else)."""
    grouped = values.groupby(between, observed=True, sort=True)[dv]
    return [g.to_numpy(float) for _, g in grouped]


def _two_groups(a: np.ndarray, b: np.ndarray, row: dict, notes: list[str],
                confidence: float) -> None:
    row.update(test="Welch t", effect="hedges_g", rank_test="Mann-Whitney U",
               rank_effect="rank_biserial")
    if a.var(ddof=1) / a.size + b.var(ddof=1) / b.size > 0:
        test = pg.ttest(a, b, correction=True).iloc[0]
        row.update(statistic=float(test["T"]), df1=float(test["dof"]), p=float(test["p_val"]))
    else:
        notes.append("scores do not vary within either group: no t test")
    pooled = ((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / (a.size + b.size - 2)
    if pooled > 0:
        g = float(pg.compute_effsize(a, b, eftype="hedges"))
        # g = d * J: the noncentral-t interval of d (t on n1 + n2 - 2 df) times the same J
        j = 1 - 3 / (4 * (a.size + b.size) - 9)
        scale = np.sqrt(1 / a.size + 1 / b.size)
        low, high = noncentral_t_interval(g / j / scale, a.size + b.size - 2,
                                          confidence=confidence)
        row.update(effect_size=g, effect_size_ci_low=low * scale * j,
                   effect_size_ci_high=high * scale * j)
    both = np.concatenate([a, b])
    if np.unique(both).size > 1:
        ties = np.unique(both).size < both.size
        exact = not ties and a.size < EXACT_RANK_BELOW and b.size < EXACT_RANK_BELOW
        mwu = pg.mwu(a, b, method="exact" if exact else "asymptotic",
                     use_continuity=True).iloc[0]
        r = float(mwu["RBC"])  # 2U / (n1 * n2) - 1, U of the first group
        low, high = rank_biserial_interval(r, a.size, b.size, confidence=confidence)
        row.update(rank_statistic=float(mwu["U_val"]), rank_p=float(mwu["p_val"]),
                   rank_effect_size=r, rank_effect_size_ci_low=low,
                   rank_effect_size_ci_high=high)
    else:
        notes.append("every score is the same: no rank test")


def _several_groups(values: pd.DataFrame, dv: str, between: str, row: dict, notes: list[str],
                    confidence: float) -> None:
    row.update(test="Welch ANOVA", effect="eta_squared", rank_test="Kruskal-Wallis H",
               rank_effect="epsilon_squared")
    frame = values.assign(**{between: values[between].astype(str)})
    variances = frame.groupby(between)[dv].var(ddof=1)
    if frame[dv].nunique() > 1:
        # one-way: pingouin's partial eta squared is eta squared (SS_between / SS_total)
        with quiet():
            classic = pg.anova(frame, dv=dv, between=between, detailed=True).iloc[0]
        low, high = eta_squared_interval(float(classic["F"]), float(classic["DF"]),
                                         float(len(frame) - frame[between].nunique()),
                                         confidence=confidence)
        row.update(effect_size=float(classic["np2"]), effect_size_ci_low=low,
                   effect_size_ci_high=high)
    if np.all(variances > 0):
        welch = pg.welch_anova(frame, dv=dv, between=between).iloc[0]
        row.update(statistic=float(welch["F"]), df1=float(welch["ddof1"]),
                   df2=float(welch["ddof2"]), p=float(welch["p_unc"]))
    else:
        notes.append("scores do not vary within at least one group: Welch's test is "
                     "undefined (its weights divide by each group's variance)")
    if frame[dv].nunique() > 1:
        kruskal = pg.kruskal(frame, dv=dv, between=between).iloc[0]
        h = float(kruskal["H"])
        row.update(rank_statistic=h, rank_p=float(kruskal["p_unc"]),
                   rank_effect_size=h / (len(frame) - 1))
    else:
        notes.append("every score is the same: no rank test")


def compare_groups(data: pd.DataFrame, *, dv: str, between: str, min_group: int = 2,
                   confidence: float = 0.95) -> pd.DataFrame:
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

    Intervals (``confidence``): Hedges' g, the noncentral-t interval of d times the same small-
    sample factor (R's ``effectsize::hedges_g``); the rank-biserial r, Fisher's z with
    ``SE = sqrt((n1 + n2 + 1) / (3 n1 n2))`` (``effectsize::rank_biserial``); eta squared, the
    noncentral-F interval of the classical one-way F (``effectsize::eta_squared``, two-sided);
    none for epsilon squared.

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
    confidence
        Coverage of the effect sizes' intervals.

    Returns
    -------
    DataFrame
        One row: factor, groups, n, smallest_group, groups_left_out, test, statistic, df1, df2,
        p, effect, effect_size, effect_size_ci_low, effect_size_ci_high, rank_test,
        rank_statistic, rank_p, rank_effect, rank_effect_size, rank_effect_size_ci_low,
        rank_effect_size_ci_high, note.

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
            _two_groups(*groups, row, notes, confidence)
        else:
            _several_groups(values, dv, between, row, notes, confidence)
    row["note"] = "; ".join(notes)
    return pd.DataFrame([row], columns=_COLUMNS)
