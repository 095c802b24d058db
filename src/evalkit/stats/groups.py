"""Comparing a score between groups."""

from __future__ import annotations

import numpy as np
from scipy import stats as _st

from ._warnings import quiet_library_warnings


def compare_groups(data, dv: str, between: str, min_group: int = 2) -> dict:
    """Compare ``dv`` across the groups of ``between``: Welch test, effect size and a rank test.

    Two groups: Welch's t (unequal variances), Hedges' g and the Mann-Whitney U test with the
    rank-biserial correlation (both positive when the first group, in category order, scores
    higher). More groups: Welch's ANOVA, eta squared, and Kruskal-Wallis H with
    epsilon squared (H / (n - 1)). Groups with fewer than ``min_group`` scores cannot enter a
    variance-based test and are left out; their number is reported, never who they are.

    Returns
    -------
    dict
        factor, groups, n, groups_left_out, test, statistic, df1, df2, p, effect, effect_size,
        rank_test, rank_statistic, rank_p, rank_effect, rank_effect_size, note.
    """
    import pingouin as pg

    values = data[[dv, between]].dropna()
    sizes = values.groupby(between, observed=True)[dv].size()
    kept = sizes[sizes >= min_group].index
    values = values[values[between].isin(kept)]
    result = dict(factor=between, groups=len(kept), n=len(values),
                  groups_left_out=int((sizes < min_group).sum()), test="", statistic=np.nan,
                  df1=np.nan, df2=np.nan, p=np.nan, effect="", effect_size=np.nan, rank_test="",
                  rank_statistic=np.nan, rank_p=np.nan, rank_effect="", rank_effect_size=np.nan,
                  note="")
    if len(kept) < 2:
        result["note"] = f"fewer than two groups with at least {min_group} scores: no test"
        return result
    if values.groupby(between, observed=True)[dv].var().eq(0).all():
        result["note"] = "scores do not vary within any group: no test"
        return result
    groups = [g[dv].to_numpy(float) for _, g in values.groupby(between, observed=True)]
    if len(groups) == 2:
        a, b = groups
        welch = _st.ttest_ind(a, b, equal_var=False)
        va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
        dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
        pooled = np.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1))
                         / (a.size + b.size - 2))
        correction = 1 - 3 / (4 * (a.size + b.size) - 9)
        mwu = _st.mannwhitneyu(a, b, alternative="two-sided")
        result.update(test="Welch t", statistic=float(welch.statistic), df1=float(dof),
                      p=float(welch.pvalue), effect="hedges_g",
                      effect_size=(a.mean() - b.mean()) / pooled * correction,
                      rank_test="Mann-Whitney U", rank_statistic=float(mwu.statistic),
                      rank_p=float(mwu.pvalue), rank_effect="rank_biserial",
                      rank_effect_size=2 * mwu.statistic / (a.size * b.size) - 1)
    else:
        with quiet_library_warnings():
            welch = pg.welch_anova(data=values.astype({between: str}), dv=dv,
                                   between=between).iloc[0]
        kruskal = _st.kruskal(*groups)
        result.update(test="Welch ANOVA", statistic=float(welch["F"]), df1=float(welch["ddof1"]),
                      df2=float(welch["ddof2"]), p=float(welch["p_unc"]), effect="eta_squared",
                      effect_size=float(welch["np2"]), rank_test="Kruskal-Wallis H",
                      rank_statistic=float(kruskal.statistic), rank_p=float(kruskal.pvalue),
                      rank_effect="epsilon_squared",
                      rank_effect_size=float(kruskal.statistic) / (len(values) - 1))
    return result

