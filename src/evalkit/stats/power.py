"""Sample-size planning: how many people would a study need to detect a change of a given size?

Thin adapters over pingouin's ``power_ttest`` (noncentral t, both rejection regions, as R's
``power.t.test(strict = TRUE)``) and ``power_rm_anova`` (noncentral F of a one-way
repeated-measures design, G*Power's formula). What evalkit adds: the standardised effect is
taken from the data (the observed SD of the changes, or the observed correlation between waves),
the answer is a one-row table, and ``n`` is rounded up to whole people.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pingouin as pg

from .paired import by_subject

__all__ = ["paired_power", "rm_anova_power"]


def _whole(n: float) -> float:
    return float(math.ceil(n - 1e-9)) if np.isfinite(n) else np.nan


def paired_power(data: pd.DataFrame, *, dv: str, within: str, subject: str, levels: Sequence,
                 change: float, n: int | None = None, power: float = 0.8,
                 alpha: float = 0.05) -> pd.DataFrame:
    """People needed (or the power reached) to detect a mean change of ``change`` points.

    The SD of the changes between ``levels[0]`` and ``levels[1]`` is estimated from the complete
    pairs of ``data``; ``d = change / sd_change`` (d_z) goes to
    ``pingouin.power_ttest(contrast="paired")``. With ``n`` given, the row gives the power with
    ``n`` people; otherwise the number needed for ``power``, rounded up (``n_exact`` unrounded).

    Parameters
    ----------
    data
        Long table: one row per subject and level (e.g. scored forms).
    dv, within, subject
        Column names: the score, the wave, the person.
    levels
        ``(earlier, later)``.
    change
        The mean change worth detecting, in score points (its sign does not matter).
    n
        Number of people planned; ``None`` to solve for it.
    power
        Power wanted when solving for ``n``.
    alpha
        Two-sided significance level.

    Returns
    -------
    DataFrame
        One row: pairs_observed, sd_change, change, d, alpha, power, n_exact, n, note.

    Examples
    --------
    Changes with SD 1 and a change of 0.5 (d = 0.5): 34 people for 80% power
    (R: ``power.t.test(delta = 0.5, sd = 1, power = 0.8, type = "paired")`` gives 33.4).

    >>> long = pd.DataFrame({"id": list("aabbccdd"), "wave": ["pre", "post"] * 4,
    ...                      "score": [3.0, 2.0, 4.0, 4.0, 5.0, 3.0, 4.0, 4.0]})
    >>> row = paired_power(long, dv="score", within="wave", subject="id", levels=["pre", "post"],
    ...                    change=0.5).iloc[0]
    >>> round(float(row["sd_change"]), 3), round(float(row["d"]), 3), int(row["n"])
    (0.957, 0.522, 31)
    """
    table = by_subject(data, dv=dv, within=within, subject=subject, levels=levels).dropna()
    before, after = (str(level) for level in levels)
    diff = (table[after] - table[before]).to_numpy()
    row = {"pairs_observed": int(diff.size), "sd_change": np.nan, "change": float(change),
           "d": np.nan, "alpha": alpha, "power": np.nan, "n_exact": np.nan, "n": np.nan,
           "note": ""}
    if diff.size < 3 or not diff.std(ddof=1) > 0:
        row["note"] = "fewer than 3 complete pairs, or changes that do not vary: no SD to plan from"
        return pd.DataFrame([row])
    row["sd_change"] = float(diff.std(ddof=1))
    row["d"] = abs(change) / row["sd_change"]
    if n is not None:
        row.update(power=float(pg.power_ttest(d=row["d"], n=n, alpha=alpha, contrast="paired")),
                   n=float(n), n_exact=float(n))
    else:
        exact = float(pg.power_ttest(d=row["d"], power=power, alpha=alpha, contrast="paired"))
        row.update(power=power, n_exact=exact, n=_whole(exact))
    return pd.DataFrame([row])


def rm_anova_power(data: pd.DataFrame, *, dv: str, within: str, subject: str, levels: Sequence,
                   eta_squared: float, n: int | None = None, power: float = 0.8,
                   alpha: float = 0.05) -> pd.DataFrame:
    """People needed (or the power reached) by a one-way repeated-measures ANOVA over ``levels``.

    The correlation between levels is the mean of the pairwise Pearson correlations among the
    complete cases of ``data``; ``pingouin.power_rm_anova`` then uses
    ``lambda = f^2 * n * m / (1 - corr)`` with ``f^2 = eta^2 / (1 - eta^2)`` (sphericity
    assumed, epsilon 1).

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    dv, within, subject
        Column names.
    levels
        The levels compared (at least two).
    eta_squared
        The (partial) eta squared of the wave effect worth detecting.
    n
        Number of people planned; ``None`` to solve for it.
    power
        Power wanted when solving for ``n``.
    alpha
        Significance level.

    Returns
    -------
    DataFrame
        One row: complete_cases, levels, corr, eta_squared, alpha, power, n_exact, n, note.

    Examples
    --------
    >>> long = pd.DataFrame({"id": np.repeat(list("abcde"), 3), "wave": ["a", "b", "c"] * 5,
    ...                      "score": [3, 2, 2, 4, 4, 3, 5, 3, 3, 2, 2, 1, 4, 3, 2.5]})
    >>> row = rm_anova_power(long, dv="score", within="wave", subject="id",
    ...                      levels=["a", "b", "c"], eta_squared=0.06).iloc[0]
    >>> round(float(row["corr"]), 3), int(row["n"])
    (0.815, 11)
    """
    table = by_subject(data, dv=dv, within=within, subject=subject, levels=levels).dropna()
    m = len(levels)
    row = {"complete_cases": len(table), "levels": m, "corr": np.nan,
           "eta_squared": eta_squared, "alpha": alpha, "power": np.nan, "n_exact": np.nan,
           "n": np.nan, "note": ""}
    if len(table) < 3 or (table.std(ddof=1) == 0).any():
        row["note"] = "fewer than 3 complete cases, or a level that does not vary: no correlation"
        return pd.DataFrame([row])
    corr = table.corr().to_numpy()
    row["corr"] = float(corr[np.triu_indices(m, 1)].mean())
    if n is not None:
        row.update(power=float(pg.power_rm_anova(eta_squared=eta_squared, m=m, n=n,
                                                 corr=row["corr"], alpha=alpha)),
                   n=float(n), n_exact=float(n))
    else:
        exact = float(pg.power_rm_anova(eta_squared=eta_squared, m=m, power=power,
                                        corr=row["corr"], alpha=alpha))
        row.update(power=power, n_exact=exact, n=_whole(exact))
    return pd.DataFrame([row])
