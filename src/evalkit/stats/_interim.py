"""INTERIM adapters giving the analyses the new statistics API while stats/ is being rewritten.
Deleted when the statistics branch is merged; nothing outside analyses/ may import it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st

from .proportions import wilson_interval
from .survival import logrank_test as _logrank


def rate_table(data, *, success, by=None):
    if by is None:
        grouped = pd.DataFrame({"trials": [len(data)], "successes": [int(data[success].sum())]})
    else:
        keys = [by] if isinstance(by, str) else list(by)
        grouped = (data.groupby(keys, observed=True, sort=True)[success]
                   .agg(trials="size", successes="sum").reset_index())
    grouped["successes"] = grouped["successes"].astype(int)
    grouped["rate"] = grouped["successes"] / grouped["trials"].where(grouped["trials"] > 0)
    grouped["ci_low"], grouped["ci_high"] = wilson_interval(grouped["successes"], grouped["trials"])
    return grouped


def cluster_rate_table(data, *, success, cluster, by=None, confidence=0.95):
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    per = (data.groupby([*keys, cluster], observed=True, sort=True)[success]
           .agg(m="size", y="sum").reset_index())
    rows = []
    groups = per.groupby(keys, observed=True, sort=True) if keys else [((), per)]
    z = _st.norm.ppf(0.5 + confidence / 2)
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        y, m = part["y"].to_numpy(float), part["m"].to_numpy(float)
        n = len(part)
        p = y.sum() / m.sum()
        row = dict(zip(keys, key, strict=False))
        row.update(clusters=n, trials=int(m.sum()), successes=int(y.sum()), rate=p)
        if n > 1 and 0 < p < 1:
            se = np.sqrt(n / (n - 1) * ((y - p * m) ** 2).sum()) / m.sum()
            logit = np.log(p / (1 - p))
            half = z * se / (p * (1 - p))
            row.update(ci_low=1 / (1 + np.exp(-(logit - half))),
                       ci_high=1 / (1 + np.exp(-(logit + half))))
        else:
            row.update(ci_low=np.nan, ci_high=np.nan)
        rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, "clusters", "trials", "successes", "rate", "ci_low",
                                       "ci_high"])


def logrank_test(data, *, time, event, group):
    result = _logrank(data[time], data[event], data[group])
    sizes = data.groupby(group, observed=True).size()
    result["smallest_group"] = int(sizes.min()) if len(sizes) else 0
    return pd.DataFrame([result])[["groups", "smallest_group", "chi2", "df", "p", "note"]]


def mixed_model(data, *, value, subject, time, levels, by=None, min_group=2):
    from .models import mixed_model as old

    frame = data.rename(columns={time: "wave"})
    try:
        fit = old(frame, value=value, subject=subject, waves=levels, by=by, min_group=min_group)
    except ValueError as reason:
        return pd.DataFrame([dict(term="", estimate=np.nan, se=np.nan, df=np.nan, t=np.nan,
                                  p=np.nan, ci_low=np.nan, ci_high=np.nan, n_obs=len(frame),
                                  n_subjects=frame[subject].nunique(), converged=False,
                                  note=str(reason))])
    table = fit.rename(columns={"coef": "estimate", "z": "t"})
    table.insert(3, "df", np.nan)
    table["n_obs"] = fit.attrs["n_forms"]
    table["n_subjects"] = fit.attrs["n_practitioners"]
    table["converged"] = True
    table["note"] = ""
    return table.reset_index(drop=True)


def interaction_test(data, *, value, subject, time, levels, by, min_group=2):
    from .models import mixed_model as old

    row = dict(factor=by, n_subjects=np.nan, smallest_group=np.nan, left_out=np.nan,
               chi2=np.nan, df=np.nan, p=np.nan, note="")
    frame = data.rename(columns={time: "wave"})
    if by not in frame.columns:
        row["note"] = f"no '{by}' for the subjects"
        return pd.DataFrame([row])
    try:
        fit = old(frame, value=value, subject=subject, waves=levels, by=by, min_group=min_group)
    except ValueError as reason:
        row["note"] = str(reason)
        return pd.DataFrame([row])
    used = frame[[subject, by]].dropna().drop_duplicates(subject)
    sizes = used.groupby(by, observed=True).size()
    sizes = sizes[sizes >= min_group]
    row.update(n_subjects=fit.attrs["n_practitioners"], smallest_group=int(sizes.min()),
               left_out=fit.attrs["left_out"], chi2=fit.attrs["lr_chi2"], df=fit.attrs["lr_df"],
               p=fit.attrs["lr_p"])
    return pd.DataFrame([row])


def ols_regression(data, *, outcome, factors, ordered=(), covariates=(), min_cell=5):
    from .models import ols_regression as old

    columns = ["term", "factor", "level", "reference", "n", "estimate", "se", "t", "p", "ci_low",
               "ci_high", "n_model", "r2", "adj_r2", "f", "f_df1", "f_df2", "f_p", "underpowered",
               "dropped", "merged", "note"]
    try:
        fit = old(data, score=outcome, factors=factors, covariates=covariates,
                  min_group=min_cell)
    except ValueError as reason:
        return pd.DataFrame([{**dict.fromkeys(columns, np.nan), "term": "", "note": str(reason),
                              "underpowered": True, "merged": "", "factor": "", "level": "",
                              "reference": ""}])[columns]
    rows = []
    used = data.dropna(subset=[outcome])
    for term, est, se, t, p, lo, hi in fit[["term", "coef", "se", "t", "p", "ci_low",
                                              "ci_high"]].itertuples(index=False):
        factor, _, level = term.partition("=")
        reference = ""
        n = len(used)
        if factor in factors:
            counts = used[factor].astype(str).value_counts()
            reference = sorted(set(used[factor].astype(str)) - {level})[0] if level else ""
            n = int(counts.get(level, 0))
        rows.append(dict(term=term, factor=factor if level else "", level=level,
                         reference=reference, n=n, estimate=est, se=se, t=t, p=p, ci_low=lo,
                         ci_high=hi))
    table = pd.DataFrame(rows)
    k = len(table)
    table["n_model"] = fit.attrs["n"]
    table["r2"], table["adj_r2"] = fit.attrs["r2"], fit.attrs["adj_r2"]
    table["f"], table["f_df1"], table["f_df2"] = np.nan, k - 1, fit.attrs["n"] - k
    table["f_p"] = fit.attrs["f_p"]
    table["underpowered"] = fit.attrs["n"] < 10 * k
    table["dropped"] = fit.attrs["dropped"]
    table["merged"] = ""
    table["note"] = ""
    return table[columns]


def correlations(data, *, columns, method="pearson", scale_of=None, confidence=0.95):
    from .correlation import scale_correlations
    from .multitest import holm

    table = scale_correlations(data, columns, method=method, confidence=confidence)
    if scale_of:
        same = [scale_of.get(x) is not None and scale_of.get(x) == scale_of.get(y)
                and ("total" in x or "total" in y) for x, y in zip(table["x"], table["y"],
                                                                strict=True)]
        table = table[~np.array(same, dtype=bool)].reset_index(drop=True)
    table["p_holm"] = holm(table["p"].to_numpy(float))
    return table
