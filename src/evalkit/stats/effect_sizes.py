"""95% intervals of standardised effect sizes.

pingouin computes the effect sizes themselves (``compute_effsize``, ``mwu``'s RBC) but its
interval for d (``compute_esci``) is a normal approximation and its printed intervals are
rounded, so the intervals are written out here from scipy's distributions:

* d (d_z, d_av, Hedges' g): the noncentral t interval (Steiger and Fouladi, 1997; Cumming,
  2012), R's ``MBESS::ci.smd`` / ``effectsize``; hand-written because no Python library
  inverts the noncentral t for a noncentrality interval;
* the rank-biserial correlation: Fisher's z with the standard error of R's
  ``effectsize::rank_biserial``;
* eta squared: the noncentral F interval of R's ``effectsize::eta_squared`` (two-sided here).

Each is checked against base R (``tools/r/effect_sizes.R``, uniroot over ``pt(ncp =)`` and
``pf(ncp =)``).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize as _opt
from scipy import stats as _st

__all__ = ["noncentral_t_interval", "rank_biserial_interval", "eta_squared_interval"]


def _check(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    return (1 - confidence) / 2


def noncentral_t_interval(t: float, df: float, *, confidence: float = 0.95) -> tuple[float, float]:
    """Interval of the noncentrality parameter of an observed t (hand-written: see module).

    The lower end is the noncentrality that puts ``t`` at the upper ``(1 - confidence) / 2``
    point of the noncentral t, the upper end the one that puts it at the lower point. Divide by
    ``sqrt(n)`` for d_z, or multiply by ``sqrt(1/n1 + 1/n2)`` for the two-sample d.

    Parameters
    ----------
    t
        Observed t statistic.
    df
        Its degrees of freedom.
    confidence
        Coverage of the interval.

    Returns
    -------
    tuple of float
        ``(low, high)``; NaN when ``t`` or ``df`` is not finite.

    Examples
    --------
    >>> low, high = noncentral_t_interval(2.0, 10)
    >>> round(low, 4), round(high, 4)
    (-0.1835, 4.1011)
    """
    tail = _check(confidence)
    if not (np.isfinite(t) and np.isfinite(df) and df > 0):
        return np.nan, np.nan

    def cdf(ncp: float) -> float:
        value = float(_st.nct.cdf(t, df, ncp))
        if np.isnan(value):  # far in a tail the series underflows: the limit is 0 or 1
            return 0.0 if ncp > t else 1.0
        return value

    def solve(p: float) -> float:
        low, high, step = t - 1.0, t + 1.0, 1.0
        while cdf(low) < p:
            step *= 2
            low = t - step
        step = 1.0
        while cdf(high) > p:
            step *= 2
            high = t + step
        return float(_opt.brentq(lambda ncp: cdf(ncp) - p, low, high, xtol=1e-13,
                                 rtol=4 * np.finfo(float).eps))

    return solve(1 - tail), solve(tail)


def rank_biserial_interval(r: float, n1: int, n2: int, *,
                           confidence: float = 0.95) -> tuple[float, float]:
    """Fisher-z interval of the two-sample rank-biserial correlation (hand-written formula).

    ``tanh(atanh(r) -/+ z * SE)`` with ``SE = sqrt((n1 + n2 + 1) / (3 * n1 * n2))``, as R's
    ``effectsize::rank_biserial``. At ``|r| = 1`` the interval is the single point ``r``.

    Parameters
    ----------
    r
        Rank-biserial correlation ``2U / (n1 * n2) - 1``.
    n1, n2
        Group sizes.
    confidence
        Coverage of the interval.

    Returns
    -------
    tuple of float
        ``(low, high)``.

    Examples
    --------
    >>> low, high = rank_biserial_interval(0.5, 10, 10)
    >>> round(low, 4), round(high, 4)
    (0.0307, 0.7887)
    """
    tail = _check(confidence)
    if not np.isfinite(r) or n1 < 1 or n2 < 1:
        return np.nan, np.nan
    se = np.sqrt((n1 + n2 + 1) / (3 * n1 * n2))
    with np.errstate(divide="ignore"):
        centre = np.arctanh(np.clip(r, -1, 1))
    half = _st.norm.ppf(1 - tail) * se
    return float(np.tanh(centre - half)), float(np.tanh(centre + half))


def eta_squared_interval(f: float, df1: float, df2: float, *,
                         confidence: float = 0.95) -> tuple[float, float]:
    """Noncentral-F interval of eta squared from a one-way F (hand-written: see module).

    Each end is a noncentrality ``lambda`` putting ``F`` at the upper or lower
    ``(1 - confidence) / 2`` point of the noncentral F (0 when even ``lambda = 0`` cannot),
    converted by ``lambda / (lambda + df1 + df2 + 1)`` as R's ``effectsize`` does.

    Parameters
    ----------
    f
        The classical one-way ANOVA F (equal variances) belonging to the eta squared.
    df1, df2
        Its degrees of freedom.
    confidence
        Coverage of the interval.

    Returns
    -------
    tuple of float
        ``(low, high)``.

    Examples
    --------
    >>> low, high = eta_squared_interval(5.0, 2, 27)
    >>> round(low, 4), round(high, 4)
    (0.0126, 0.4693)
    """
    tail = _check(confidence)
    if not (np.isfinite(f) and f >= 0 and df1 > 0 and df2 > 0):
        return np.nan, np.nan

    def solve(p: float) -> float:
        if _st.f.cdf(f, df1, df2) < p:
            return 0.0
        high = 10.0 * f * df1 + 100.0
        while _st.ncf.cdf(f, df1, df2, high) > p:
            high *= 2
        return float(_opt.brentq(lambda ncp: _st.ncf.cdf(f, df1, df2, ncp) - p, 0.0, high,
                                 xtol=1e-12, rtol=4 * np.finfo(float).eps))

    low, high = solve(1 - tail), solve(tail)
    return low / (low + df1 + df2 + 1), high / (high + df1 + df2 + 1)
