"""Small statistical helpers shared by the analyses."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pandas as pd
from scipy import stats as _st


@contextlib.contextmanager
def quiet_library_warnings():
    """Silence deprecation notices that libraries (pingouin on pandas 3) raise about their own
    code: they say nothing about the user's data and would otherwise reach notebook outputs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", category=Warning, module=r"pingouin\..*")
        warnings.filterwarnings("ignore", message=r".*(deprecated|inplace keyword).*")
        yield


def wilson_interval(successes, n, confidence: float = 0.95):
    """Wilson score interval for a proportion, vectorised.

    Returns ``(low, high)`` arrays; where ``n`` is 0 both are NaN (no interval without data).

    Examples
    --------
    >>> low, high = wilson_interval(8, 10)
    >>> round(float(low), 4), round(float(high), 4)
    (0.4902, 0.9433)
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = _st.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    low = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return low, high


def paired_change(before, after, confidence: float = 0.95, min_pairs: int = 3) -> dict:
    """Change from ``before`` to ``after`` over complete pairs (DESIGN.md section 5).

    Pairs with either value missing are dropped (their number is returned as ``n`` of the rest).
    ``mean_change`` is after minus before. Effect sizes are defined explicitly because libraries
    disagree about the name "Cohen's d" for paired data:

    * ``d_z = mean(diff) / sd(diff)`` (standardised by the spread of the changes);
    * ``d_av = mean(diff) / ((sd_before + sd_after) / 2)`` (standardised by the average spread of
      the scores; Cumming 2012, Lakens 2013).

    With fewer than ``min_pairs`` pairs the tests are not run (``note`` says so) and only ``n`` and
    the means are given. The Wilcoxon signed-rank test drops zero changes (Wilcoxon's method).

    Returns
    -------
    dict
        n, mean_before, mean_after, mean_change, ci_low, ci_high, t, df, p, d_z, d_av,
        wilcoxon_p, note.

    Examples
    --------
    >>> r = paired_change([3.0, 4.0, 5.0, 4.0], [2.0, 3.0, 5.0, 3.0])
    >>> r["n"], float(r["mean_change"]), round(float(r["d_z"]), 3)
    (4, -0.75, -1.5)
    """
    x = np.asarray(before, dtype=float)
    y = np.asarray(after, dtype=float)
    complete = ~(np.isnan(x) | np.isnan(y))
    x, y = x[complete], y[complete]
    n = int(x.size)
    diff = y - x
    result = dict(n=n, mean_before=np.nan, mean_after=np.nan, mean_change=np.nan, ci_low=np.nan,
                  ci_high=np.nan, t=np.nan, df=np.nan, p=np.nan, d_z=np.nan, d_av=np.nan,
                  wilcoxon_p=np.nan, note="")
    if n == 0:
        result["note"] = "no complete pairs"
        return result
    result.update(mean_before=x.mean(), mean_after=y.mean(), mean_change=diff.mean())
    if n < min_pairs:
        result["note"] = f"fewer than {min_pairs} complete pairs: no test"
        return result
    sd_diff = diff.std(ddof=1)
    sd_av = (x.std(ddof=1) + y.std(ddof=1)) / 2
    df = n - 1
    half = _st.t.ppf(0.5 + confidence / 2, df) * sd_diff / np.sqrt(n)
    result.update(ci_low=diff.mean() - half, ci_high=diff.mean() + half, df=float(df))
    if sd_diff == 0:
        result["note"] = "every pair changed by the same amount: t and d_z undefined"
    else:
        t = diff.mean() / (sd_diff / np.sqrt(n))
        result.update(t=t, p=2 * _st.t.sf(abs(t), df), d_z=diff.mean() / sd_diff)
    if sd_av > 0:
        result["d_av"] = diff.mean() / sd_av
    if np.any(diff != 0):
        result["wilcoxon_p"] = float(_st.wilcoxon(diff, zero_method="wilcox").pvalue)
    return result


def cronbach_alpha(items, confidence: float = 0.95) -> dict:
    """Cronbach's alpha of a block of items (rows = respondents) with Feldt's confidence interval.

    Only respondents who answered every item are used (``n``). Alpha is undefined, and returned
    as NaN with a ``note``, when there are fewer than two items or three respondents, or when the
    total score does not vary (everyone gave the same answers).

    Examples
    --------
    >>> import pandas as pd
    >>> block = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> round(cronbach_alpha(block)["alpha"], 3)
    0.954
    """
    import pingouin as pg

    block = pd.DataFrame(items).astype(float).dropna()
    n, k = block.shape
    result = dict(items=k, n=n, alpha=np.nan, ci_low=np.nan, ci_high=np.nan, note="")
    if k < 2 or n < 3:
        result["note"] = "too few items or complete forms for alpha"
        return result
    item_var = block.var(ddof=1)
    if block.sum(axis=1).var(ddof=1) == 0 or (item_var == 0).all():
        result["note"] = "answers do not vary: alpha undefined"
        return result
    with quiet_library_warnings():
        alpha, ci = pg.cronbach_alpha(data=block, nan_policy="listwise", ci=confidence)
    result.update(alpha=float(alpha), ci_low=float(ci[0]), ci_high=float(ci[1]))
    return result


def reliable_change(pre, post, sd_pre: float, reliability: float, criterion: float = 1.96):
    """Jacobson & Truax (1991) reliable change index for each pair.

    ``SE = sd_pre * sqrt(1 - reliability)``, ``S_diff = sqrt(2) * SE`` and
    ``RC = (post - pre) / S_diff``. Returns the RC values (NaN where a value is missing).

    Examples
    --------
    >>> round(float(reliable_change([30.0], [20.0], sd_pre=7.5, reliability=0.88)[0]), 3)
    -2.722
    """
    if not 0 <= reliability < 1:
        raise ValueError("reliability must be at least 0 and below 1")
    s_diff = np.sqrt(2) * sd_pre * np.sqrt(1 - reliability)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.asarray(post, dtype=float) - np.asarray(pre, dtype=float)) / s_diff


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


def readable_terms(terms):
    """Model term names as a reader would write them: ``C(gender)[T.woman]`` becomes
    ``gender=woman``, ``C(wave, Treatment('pre'))[T.post]`` becomes ``wave=post``, and an
    interaction's ``:`` becomes `` x ``.

    Examples
    --------
    >>> import pandas as pd
    >>> readable_terms(pd.Series(["C(wave, Treatment('pre'))[T.post]:C(gender)[T.woman]"])).tolist()
    ['wave=post x gender=woman']
    """
    return (terms.str.replace(r"C\((\w+)(?:, Treatment\('[^']*'\))?\)\[T\.([^\]]+)\]", r"\1=\2",
                              regex=True)
            .str.replace(":", " x ", regex=False))
