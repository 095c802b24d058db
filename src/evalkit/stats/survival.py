"""Time to an event: Kaplan-Meier estimates and the log-rank test."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight, survdiff


def kaplan_meier(time, event, confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier estimate with a pointwise confidence band (statsmodels ``SurvfuncRight``).

    Returns one row per distinct event time: ``time, at_risk, events, survival, ci_low, ci_high``
    (the band is the log-log transformed Greenwood interval, as R's ``conf.type = "log-log"``).
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=int)
    if time.size == 0:
        return pd.DataFrame(columns=["time", "at_risk", "events", "survival", "ci_low", "ci_high"])
    fit = SurvfuncRight(time, event)
    if fit.surv_times.size == 0:  # no events: everyone retained throughout
        return pd.DataFrame({"time": [0.0], "at_risk": [time.size], "events": [0],
                             "survival": [1.0], "ci_low": [1.0], "ci_high": [1.0]})
    low, high = _pointwise(fit, confidence)
    return pd.DataFrame({
        "time": fit.surv_times, "at_risk": fit.n_risk.astype(int), "events": fit.n_events.astype(int),
        "survival": fit.surv_prob, "ci_low": low, "ci_high": high,
    })


def _pointwise(fit: SurvfuncRight, confidence: float):
    """Log-log transformed pointwise interval from Greenwood's standard error."""
    from scipy.stats import norm

    z = norm.ppf(0.5 + confidence / 2)
    s, se = fit.surv_prob, fit.surv_prob_se
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(s)
        theta = se / (s * np.abs(log_s))
        low = np.exp(-np.exp(np.log(-log_s) + z * theta))
        high = np.exp(-np.exp(np.log(-log_s) - z * theta))
    # Where survival is 1 or 0 the transform is undefined: the interval collapses to the estimate.
    low = np.where(np.isfinite(low), low, s)
    high = np.where(np.isfinite(high), high, s)
    return low, high



def logrank_test(time, event, groups) -> dict:
    """Log-rank test that the survival curves of ``groups`` differ.

    Returns
    -------
    dict
        groups, chi2, df, p, note (p is missing, with the reason, when fewer than two groups
        or no events).
    """
    groups = pd.Series(np.asarray(groups)).astype(str)
    event = np.asarray(event, dtype=int)
    k = groups.nunique()
    if k < 2 or event.sum() == 0:
        return dict(groups=k, chi2=np.nan, df=k - 1, p=np.nan,
                    note="fewer than two groups or no events: no test")
    chi2, p = survdiff(np.asarray(time, dtype=float), event, groups.to_numpy())
    return dict(groups=k, chi2=float(chi2), df=k - 1, p=float(p), note="")
