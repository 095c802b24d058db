"""One-way repeated-measures ANOVA with sphericity checks, and its pairwise follow-up tests.

Thin adapters over pingouin: ``rm_anova(correction=True, effsize="ng2")`` gives F, p, the
Greenhouse-Geisser epsilon and p, Mauchly's W and p (equal to R's ``aov``, ``mauchly.test`` and
``anova.mlm(test = "Spherical")``), and ``pairwise_tests(padjust="holm")`` the paired t tests.
What evalkit adds: complete cases in a stated level order, later-minus-earlier signs, and a NaN
row with a ``note`` where the data cannot support a test.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pingouin as pg

from ._engine import quiet
from .paired import by_subject

__all__ = ["repeated_measures_anova", "pairwise_paired"]

_ANOVA_COLUMNS = ["n", "f", "df1", "df2", "p", "epsilon_gg", "p_gg", "mauchly_w", "mauchly_p",
                  "ng2", "note"]


def _complete(data: pd.DataFrame, subject: str, within: str, dv: str,
              levels: Sequence) -> pd.DataFrame:
    """Subjects with every level, long again, ``within`` a Categorical in the order of levels."""
    levels = [str(level) for level in levels]
    if len(levels) < 2 or len(set(levels)) < len(levels):
        raise ValueError("levels must name at least two different levels")
    table = by_subject(data, dv=dv, within=within, subject=subject, levels=levels).dropna()
    long = table.rename_axis(columns=within).stack().rename(dv).reset_index()
    long[within] = pd.Categorical(long[within], categories=levels)
    return long


def repeated_measures_anova(data: pd.DataFrame, *, dv: str, within: str, subject: str,
                            levels: Sequence) -> pd.DataFrame:
    """One-way repeated-measures ANOVA on complete cases, with Greenhouse-Geisser correction.

    Only subjects with a value at every level enter (``n``). F is the within-subject F on
    ``(k - 1, (k - 1)(n - 1))`` df; ``epsilon_gg`` is the Greenhouse-Geisser epsilon and
    ``p_gg`` the p-value with both df multiplied by it (report ``p_gg`` when sphericity is
    doubtful); ``mauchly_w`` and ``mauchly_p`` test sphericity (R's ``mauchly.test``); ``ng2``
    is generalised eta squared. All from ``pingouin.rm_anova``. With two levels sphericity
    holds trivially: epsilon is 1 and Mauchly's test is not defined.

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    dv, within, subject
        Column names (the score, the repeated factor, the subject).
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
    >>> row = repeated_measures_anova(long, dv="score", within="wave", subject="id",
    ...                               levels=["a", "b", "c"]).iloc[0]
    >>> int(row["n"]), round(float(row["f"]), 3), float(row["df1"]), float(row["df2"])
    (4, 5.25, 2.0, 6.0)
    """
    long = _complete(data, subject, within, dv, levels)
    y = long.pivot(index=subject, columns=within, values=dv).to_numpy(float)
    n, k = y.shape
    row = dict.fromkeys(_ANOVA_COLUMNS, np.nan)
    row.update(n=n, note="")
    if n < 3:
        row["note"] = "fewer than three subjects with every level: no test"
        return pd.DataFrame([row], columns=_ANOVA_COLUMNS)
    # what is left after the level and subject means: nothing means F is undefined
    residual = y - y.mean(axis=0) - y.mean(axis=1, keepdims=True) + y.mean()
    if np.sum(residual**2) <= 1e-12 * max(np.sum((y - y.mean()) ** 2), 1e-300):
        row["note"] = "no variation left within subjects: F undefined"
        return pd.DataFrame([row], columns=_ANOVA_COLUMNS)
    with quiet():
        fit = pg.rm_anova(long, dv=dv, within=within, subject=subject, correction=True,
                          effsize="ng2", detailed=False).iloc[0]
    row.update(f=float(fit["F"]), df1=float(fit["ddof1"]), df2=float(fit["ddof2"]),
               p=float(fit["p_unc"]), ng2=float(fit["ng2"]))
    if k == 2:
        row.update(epsilon_gg=1.0, p_gg=row["p"], mauchly_w=1.0,
                   note="two levels: sphericity holds, no Mauchly test")
        return pd.DataFrame([row], columns=_ANOVA_COLUMNS)
    row.update(epsilon_gg=float(fit["eps"]), p_gg=float(fit["p_GG_corr"]))
    if n > k - 1:
        row.update(mauchly_w=float(fit["W_spher"]), mauchly_p=float(fit["p_spher"]))
    if not np.isfinite(row["mauchly_p"]):
        row["note"] = "fewer subjects than levels: Mauchly's test undefined"
    return pd.DataFrame([row], columns=_ANOVA_COLUMNS)


def pairwise_paired(data: pd.DataFrame, *, dv: str, within: str, subject: str,
                    levels: Sequence, padjust: str = "holm") -> pd.DataFrame:
    """Paired t tests between every two levels, adjusted across the pairs (Holm by default).

    Uses the same complete cases as :func:`repeated_measures_anova`, so the follow-up tests
    describe the people the ANOVA did. The tests are ``pingouin.pairwise_tests``; ``t`` is for
    ``b - a`` (the later level minus the earlier, in the order of ``levels``), as
    ``mean_change`` in :func:`evalkit.stats.paired.paired_change` (pingouin reports ``a - b``).

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    dv, within, subject
        Column names.
    levels
        The levels, in order; pairs are (levels[i], levels[j]) for i < j.
    padjust
        pingouin's adjustment method (``"holm"``, ``"bonf"``, ``"fdr_bh"``, ``"none"``).

    Returns
    -------
    DataFrame
        One row per pair: a, b, n, t, df, p, p_holm (the adjusted p, whatever the method).

    Examples
    --------
    >>> long = pd.DataFrame({"id": [1, 1, 2, 2, 3, 3], "wave": ["a", "b"] * 3,
    ...                      "score": [5, 4, 6, 4, 7, 6]})
    >>> pairwise_paired(long, dv="score", within="wave", subject="id", levels=["a", "b"])[
    ...     ["a", "b", "n", "t", "df"]].to_numpy().tolist()
    [['a', 'b', 3, -4.0, 2.0]]
    """
    long = _complete(data, subject, within, dv, levels)
    names = [str(level) for level in levels]
    n = long[subject].nunique()
    pairs = pd.DataFrame([(a, b) for i, a in enumerate(names) for b in names[i + 1:]],
                         columns=["a", "b"]).assign(n=n, t=np.nan, df=np.nan, p=np.nan,
                                                    p_holm=np.nan)
    y = long.pivot(index=subject, columns=within, values=dv)
    varies = all((y[b] - y[a]).std(ddof=1) > 0 for a, b in zip(pairs["a"], pairs["b"],
                                                                strict=True)) if n >= 2 else False
    if varies:
        with quiet():
            tests = pg.pairwise_tests(long, dv=dv, within=within, subject=subject,
                                      padjust=padjust)
        adjusted = "p_corr" if "p_corr" in tests.columns else "p_unc"
        pairs.update(pd.DataFrame({"t": -tests["T"].to_numpy(float),
                                   "df": tests["dof"].to_numpy(float),
                                   "p": tests["p_unc"].to_numpy(float),
                                   "p_holm": tests[adjusted].to_numpy(float)}))
    return pairs
