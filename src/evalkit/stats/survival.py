"""Time to an event: Kaplan-Meier estimates and the log-rank test.

Both are written out here (a few lines each: pingouin has none, lifelines needs pandas < 3) and
checked against R's ``survival`` package (``survfit``, ``survdiff``) and the textbook 6-MP
example. Column names are lifelines' (``duration``, ``event``) and pingouin's ``between``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st

__all__ = ["kaplan_meier", "logrank_test"]

_KM_COLUMNS = ["time", "at_risk", "events", "survival", "ci_low", "ci_high"]


def _time_event(time, event) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(time, dtype=float).ravel()
    e = np.asarray(event).ravel()
    if t.size != e.size:
        raise ValueError(f"time and event must have the same length ({t.size} and {e.size})")
    if np.isnan(t).any():
        raise ValueError("time has missing values: drop those rows first")
    if e.dtype != bool and not np.isin(e, (0, 1)).all():
        raise ValueError("event must hold True/False or 0/1 (1 = the event happened)")
    return t, e.astype(bool)


def kaplan_meier(data: pd.DataFrame, *, duration: str, event: str,
                 confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier estimate of survival with a pointwise log-log confidence band.

    pingouin has no survival analysis, so the names are lifelines' (``duration``, ``event``), and
    the estimate is written out here (a few vectorised lines: lifelines needs pandas < 3). At
    each distinct event time ``t``: ``S(t) = prod(1 - d_i / n_i)`` over event times up to ``t``
    (``n_i`` at risk, ``d_i`` events; a time censored at ``t_i`` still counts at risk at
    ``t_i``). Greenwood's ``se(log S) = sqrt(sum(d_i / (n_i * (n_i - d_i))))``; the band is
    ``S ** exp(-/+ z * se / log S)``, i.e. symmetric on ``log(-log S)``, as R's
    ``survfit(..., conf.type = "log-log")``. Where ``S`` is 0 the band is undefined (NaN, as in
    R).

    Parameters
    ----------
    data
        One row per unit.
    duration
        Column of follow-up times.
    event
        Column that is 1 (True) if the event happened at the time, 0 (False) if censored there.
    confidence
        Coverage of the pointwise band.

    Returns
    -------
    DataFrame
        One row per distinct event time: time, at_risk, events, survival, ci_low, ci_high. With
        no events at all, one row at time 0 with survival 1 (nobody has had the event).

    Examples
    --------
    >>> units = pd.DataFrame({"weeks": [1, 2, 2, 3, 4], "left": [1, 1, 0, 1, 0]})
    >>> km = kaplan_meier(units, duration="weeks", event="left")
    >>> km[["time", "at_risk", "events", "survival"]].round(3).to_numpy().tolist()
    [[1.0, 5.0, 1.0, 0.8], [2.0, 4.0, 1.0, 0.6], [3.0, 2.0, 1.0, 0.3]]
    """
    for column in (duration, event):
        if column not in data.columns:
            raise ValueError(f"no column {column!r} in the data")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    t, e = _time_event(data[duration], data[event])
    if t.size == 0:
        return pd.DataFrame(columns=_KM_COLUMNS)
    if not e.any():
        return pd.DataFrame({"time": [0.0], "at_risk": [t.size], "events": [0],
                             "survival": [1.0], "ci_low": [1.0], "ci_high": [1.0]})
    times, events = np.unique(t[e], return_counts=True)
    # at risk at u: everyone whose time is u or later (censored at u still counts)
    at_risk = t.size - np.searchsorted(np.sort(t), times, side="left")
    survival = np.cumprod(1 - events / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        se_log = np.sqrt(np.cumsum(events / (at_risk * (at_risk - events))))
        z = _st.norm.ppf(0.5 + confidence / 2)
        log_s = np.log(survival)
        spread = z * se_log / np.abs(log_s)
        low = np.exp(-np.exp(np.log(-log_s) + spread))
        high = np.exp(-np.exp(np.log(-log_s) - spread))
    undefined = survival <= 0
    low[undefined] = np.nan
    high[undefined] = np.nan
    return pd.DataFrame({"time": times, "at_risk": at_risk, "events": events,
                         "survival": survival, "ci_low": low, "ci_high": high})


def logrank_test(data: pd.DataFrame, *, duration: str, event: str,
                 between: str) -> pd.DataFrame:
    """Log-rank test that the survival curves of the groups differ.

    At each distinct event time the events ``d`` are shared among the groups in proportion to
    the numbers at risk (expected ``E``); with ``O`` observed events per group and ``V`` the
    hypergeometric covariance summed over times, ``chi2 = (O - E)' V^- (O - E)`` on
    ``groups - 1`` df (R's ``survdiff``, rho = 0). Rows with a missing group are left out.
    Hand-written, vectorised over event times (no pingouin equivalent; lifelines needs
    pandas < 3).

    Parameters
    ----------
    data
        One row per unit.
    duration, event
        As for :func:`kaplan_meier`.
    between
        Column of the groups compared.

    Returns
    -------
    DataFrame
        One row: groups, smallest_group, chi2, df, p, note (NaN with a note when there are
        fewer than two groups or no events).

    Examples
    --------
    Site a loses someone in each of weeks 1-3; site b one in week 4 of 3 at risk. Site a
    expects 3/6 + 2/5 + 1/4 = 1.15 events against 3 observed, with variance 0.6775:
    chi2 = 1.85 ** 2 / 0.6775.

    >>> units = pd.DataFrame({"weeks": [1, 2, 3, 4, 5, 6], "left": [1, 1, 1, 1, 0, 0],
    ...                       "site": list("aaabbb")})
    >>> row = logrank_test(units, duration="weeks", event="left", between="site").iloc[0]
    >>> int(row["groups"]), round(float(row["chi2"]), 3), float(row["df"])
    (2, 5.052, 1.0)
    """
    for column in (duration, event, between):
        if column not in data.columns:
            raise ValueError(f"no column {column!r} in the data")
    rows = data[[duration, event, between]].dropna(subset=[between])
    t, e = _time_event(rows[duration], rows[event])
    labels, codes = np.unique(rows[between].astype(str).to_numpy(), return_inverse=True)
    k = labels.size
    sizes = np.bincount(codes, minlength=k)
    row = {"groups": k, "smallest_group": int(sizes.min()) if k else 0, "chi2": np.nan,
           "df": float(k - 1) if k else np.nan, "p": np.nan, "note": ""}
    if k < 2 or not e.any():
        row["note"] = "fewer than two groups or no events: no test"
        return pd.DataFrame([row])
    times = np.unique(t[e])
    # risk[i, g] at risk in group g at the i-th event time; dead[i, g] events there
    risk = np.column_stack([sizes[g] - np.searchsorted(np.sort(t[codes == g]), times, "left")
                            for g in range(k)]).astype(float)
    dead = np.zeros((times.size, k))
    np.add.at(dead, (np.searchsorted(times, t[e]), codes[e]), 1.0)
    n = risk.sum(axis=1)
    d = dead.sum(axis=1)
    share = risk / n[:, None]
    observed = dead.sum(axis=0)
    expected = (d[:, None] * share).sum(axis=0)
    # hypergeometric covariance at each time, d (n - d) / (n - 1) * (diag(share) - share share')
    weight = np.divide(d * (n - d), n - 1, out=np.zeros_like(n), where=n > 1)
    covariance = (np.diag((weight[:, None] * share).sum(axis=0))
                  - np.einsum("i,ij,ik->jk", weight, share, share))
    diff = (observed - expected)[:-1]
    chi2 = float(diff @ np.linalg.pinv(covariance[:-1, :-1]) @ diff)
    row.update(chi2=chi2, p=float(_st.chi2.sf(chi2, k - 1)))
    return pd.DataFrame([row])
