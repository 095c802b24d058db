"""Proportions and rates with confidence intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st


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



def rate_table(data: pd.DataFrame, by: str | list[str] | None = None, *,
               success: str = "present") -> pd.DataFrame:
    """Count, successes and rate with a Wilson 95% interval, overall or per group.

    Parameters
    ----------
    data
        One row per trial (for attendance: :func:`participant_sessions`).
    by
        Grouping column(s); ``None`` for a single overall row.
    success
        Boolean column that counts as a success.

    Returns
    -------
    DataFrame
        ``by`` columns, ``scheduled``, ``attended``, ``attendance_rate``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> df = pd.DataFrame({"week": [1, 1, 2], "present": [True, False, True]})
    >>> rate_table(df, "week")["attendance_rate"].tolist()
    [0.5, 1.0]
    """
    if by is None:
        grouped = pd.DataFrame({"scheduled": [len(data)], "attended": [int(data[success].sum())]})
    else:
        keys = [by] if isinstance(by, str) else list(by)
        grouped = (data.groupby(keys, observed=True, sort=True)[success]
                   .agg(scheduled="size", attended="sum").reset_index())
    grouped["attended"] = grouped["attended"].astype(int)
    grouped["attendance_rate"] = grouped["attended"] / grouped["scheduled"]
    grouped["ci_low"], grouped["ci_high"] = wilson_interval(grouped["attended"],
                                                            grouped["scheduled"])
    return grouped



def band_prevalence(forms: pd.DataFrame, band: str, by: str = "wave",
                    confidence: float = 0.95) -> pd.DataFrame:
    """Number and share of scored forms in each band, per ``by`` group, with Wilson intervals.

    Every band appears, also with a count of 0. The denominator (``scored``) is the forms that
    could be scored: forms with too few answers are counted by :func:`scoring_coverage` instead.

    Returns
    -------
    DataFrame
        [by,] band, n, scored, percent (a fraction 0-1), ci_low, ci_high.
    """
    counts = (forms.groupby([by, band], observed=False, sort=True).size()
              .rename("n").reset_index().rename(columns={band: "band"}))
    counts = counts[counts[by].isin(forms[by].unique())]
    counts["scored"] = counts.groupby(by, observed=True)["n"].transform("sum")
    counts["percent"] = counts["n"] / counts["scored"].where(counts["scored"] > 0)
    counts["ci_low"], counts["ci_high"] = wilson_interval(counts["n"], counts["scored"], confidence)
    counts["band"] = counts["band"].astype(str)
    counts[by] = counts[by].astype(str)
    return counts.reset_index(drop=True)

