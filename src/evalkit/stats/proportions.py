"""Proportions and rates with confidence intervals.

Two kinds of interval, for two kinds of data:

* :func:`wilson_interval` (and :func:`rate_table`, :func:`prevalence`) when every trial is a
  different unit, e.g. one proportion per person or per week;
* :func:`cluster_rate_table` when trials come in clusters, e.g. the sessions of each
  participant: a rate pooled over participant-sessions must allow for people who attend
  everything or nothing, or its interval is far too narrow.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

__all__ = ["wilson_interval", "rate_table", "cluster_rate_table", "prevalence"]


def _keys(between: str | Sequence[str] | None) -> list[str]:
    if between is None:
        return []
    return [between] if isinstance(between, str) else list(between)


def _require_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"no column(s) {', '.join(map(repr, missing))} in the data")


def _boolean(values: pd.Series, name: str) -> np.ndarray:
    """0/1 or True/False as a boolean array; anything else is a programming error."""
    if values.isna().any():
        raise ValueError(f"column {name!r} has missing values: drop or fill them first")
    array = values.to_numpy()
    if array.dtype != bool and not np.isin(array, (0, 1)).all():
        raise ValueError(f"column {name!r} must hold True/False or 0/1")
    return array.astype(bool)


def wilson_interval(data: pd.DataFrame, *, successes: str, trials: str,
                    confidence: float = 0.95) -> pd.DataFrame:
    """Wilson score interval for the proportion in each row, vectorised.

    Computed by :func:`statsmodels.stats.proportion.proportion_confint` (``method="wilson"``),
    the interval R's ``prop.test(x, n, correct = FALSE)`` reports.

    Parameters
    ----------
    data
        One row per proportion.
    successes, trials
        The columns of the counts of successes and of trials.
    confidence
        Coverage of the interval, between 0 and 1.

    Returns
    -------
    DataFrame
        A copy of ``data`` with ``ci_low`` and ``ci_high`` added (or replaced); both NaN where
        ``trials`` is 0 (no interval without data).

    Examples
    --------
    >>> counts = pd.DataFrame({"k": [8, 0], "n": [10, 0]})
    >>> wilson_interval(counts, successes="k", trials="n").round(4).to_numpy().tolist()
    [[8.0, 10.0, 0.4902, 0.9433], [0.0, 0.0, nan, nan]]
    """
    from statsmodels.stats.proportion import proportion_confint

    _require_columns(data, [successes, trials])
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    k = data[successes].to_numpy(dtype=float)
    n = data[trials].to_numpy(dtype=float)
    if np.any(k < 0) or np.any(k > n):
        raise ValueError("successes must be between 0 and the trials")
    empty = n <= 0
    # proportion_confint divides by n: give it 1 where n is 0 and blank those results after.
    low, high = proportion_confint(k, np.where(empty, 1.0, n), alpha=1 - confidence,
                                   method="wilson")
    return data.assign(ci_low=np.where(empty, np.nan, low), ci_high=np.where(empty, np.nan, high))


def rate_table(data: pd.DataFrame, *, dv: str, between: str | Sequence[str] | None = None,
               confidence: float = 0.95) -> pd.DataFrame:
    """Trials, successes and rate with a Wilson interval, overall or per group.

    Use it when each row is an independent trial (per-week rates, one row per person). For
    trials clustered in people use :func:`cluster_rate_table`.

    Parameters
    ----------
    data
        One row per trial.
    dv
        Column that is True (or 1) for a success.
    between
        Grouping column(s); ``None`` for a single overall row. Groups appear in sorted order
        (category order for categoricals); empty categories are left out.
    confidence
        Coverage of the Wilson interval.

    Returns
    -------
    DataFrame
        ``between`` columns, trials, successes, rate, ci_low, ci_high.

    Examples
    --------
    >>> df = pd.DataFrame({"week": [1, 1, 2], "present": [True, False, True]})
    >>> rate_table(df, dv="present", between="week")[["week", "trials", "successes", "rate"]]
       week  trials  successes  rate
    0     1       2          1   0.5
    1     2       1          1   1.0
    """
    keys = _keys(between)
    _require_columns(data, [dv, *keys])
    flags = pd.Series(_boolean(data[dv], dv), index=data.index)
    if keys:
        grouped = (flags.groupby([data[k] for k in keys], observed=True, sort=True)
                   .agg(trials="size", successes="sum").reset_index())
    else:
        grouped = pd.DataFrame({"trials": [len(flags)], "successes": [int(flags.sum())]})
    grouped["trials"] = grouped["trials"].astype("int64")
    grouped["successes"] = grouped["successes"].astype("int64")
    grouped["rate"] = grouped["successes"] / grouped["trials"].where(grouped["trials"] > 0)
    grouped = wilson_interval(grouped, successes="successes", trials="trials",
                              confidence=confidence)
    return grouped[[*keys, "trials", "successes", "rate", "ci_low", "ci_high"]]


def cluster_rate_table(data: pd.DataFrame, *, dv: str, subject: str,
                       between: str | Sequence[str] | None = None,
                       confidence: float = 0.95) -> pd.DataFrame:
    """Rate pooled over trials that come in clusters, with a cluster-aware logit interval.

    With clusters ``i`` (e.g. participants) having ``y_i`` successes out of ``m_i`` trials
    (sessions), ``n`` clusters in the group:

    * rate ``p = sum(y) / sum(m)``;
    * standard error (linearisation, "ultimate cluster") ``SE = sqrt(n / (n - 1) *
      sum((y_i - p * m_i) ** 2)) / sum(m)``;
    * interval ``expit(logit(p) -/+ q * SE / (p * (1 - p)))``, where ``q`` is the quantile of
      **Student's t on n - 1 degrees of freedom** (not the normal 1.96).

    Hand-written (neither pingouin nor statsmodels has a cluster-robust logit interval for a
    proportion). This is R's ``survey::svyciprop(~dv, svydesign(ids = ~subject, data = rows),
    method = "logit")``, which uses ``confint(..., ddf = degf(design))``, i.e. t on
    clusters - 1 df. Each group is its own design (the group's clusters only); R's ``svyby`` on
    the whole design would instead treat groups as domains of one sample (n/(n-1) and df from
    all clusters), which gives slightly different intervals.

    The interval is NaN when the group has fewer than two clusters, or a rate of exactly 0 or 1
    (the logit is infinite there).

    Parameters
    ----------
    data
        One row per trial.
    dv
        Column that is True (or 1) for a success.
    subject
        Column identifying the cluster (e.g. ``participant_id``): the trials of one subject
        are not independent.
    between
        Grouping column(s); ``None`` for one overall row. A subject may appear in several
        groups (e.g. the modules a participant attended): their trials in each group count
        there.
    confidence
        Coverage of the interval.

    Returns
    -------
    DataFrame
        ``between`` columns, clusters, trials, successes, rate, ci_low, ci_high.

    Examples
    --------
    Three people attend 3, 1 and 2 of their 3 sessions: p = 6/9, SE = sqrt(3/2 * 2) / 9 and
    q = 4.303 (t on 2 df), so the interval is expit(log(2) -/+ 3.726).

    >>> rows = pd.DataFrame({"person": list("aaabbbccc"),
    ...                      "present": [1, 1, 1, 1, 0, 0, 1, 1, 0]})
    >>> table = cluster_rate_table(rows, dv="present", subject="person")
    >>> table[["clusters", "trials", "successes"]].to_numpy().tolist()
    [[3, 9, 6]]
    >>> round(float(table["ci_low"].iloc[0]), 3), round(float(table["ci_high"].iloc[0]), 3)
    (0.046, 0.988)
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    keys = _keys(between)
    _require_columns(data, [dv, subject, *keys])
    if data[subject].isna().any():
        raise ValueError(f"column {subject!r} has missing values: every trial needs a subject")
    flags = _boolean(data[dv], dv)
    if keys:
        grouped = data.groupby(keys, observed=True, sort=True)
        group_codes = grouped.ngroup().to_numpy()  # -1 where a key is missing
        labels = grouped.size().index.to_frame(index=False)
    else:
        group_codes = np.zeros(len(data), dtype=np.int64)
        labels = pd.DataFrame(index=range(1))
    cluster_codes, cluster_values = pd.factorize(data[subject])
    kept = group_codes >= 0
    if keys:
        cells, cell_of_row = np.unique(group_codes[kept] * len(cluster_values)
                                       + cluster_codes[kept], return_inverse=True)
    else:  # one group: the clusters are the cells, and their codes already number them
        cells, cell_of_row = np.arange(len(cluster_values)), cluster_codes
    m = np.bincount(cell_of_row).astype(float)  # trials of each cluster in each group
    y = np.bincount(cell_of_row, weights=flags[kept].astype(float))  # its successes
    group_of_cell = cells // max(len(cluster_values), 1)
    size = len(labels)
    clusters = np.bincount(group_of_cell, minlength=size)
    trials = np.bincount(group_of_cell, weights=m, minlength=size)
    successes = np.bincount(group_of_cell, weights=y, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = successes / trials
        squares = np.bincount(group_of_cell, weights=(y - rate[group_of_cell] * m) ** 2,
                              minlength=size)
        se = np.sqrt(clusters / (clusters - 1) * squares) / trials
        quantile = _st.t.ppf(0.5 + confidence / 2, clusters - 1)
        centre = np.log(rate / (1 - rate))
        half = quantile * se / (rate * (1 - rate))
        low = 1 / (1 + np.exp(-(centre - half)))
        high = 1 / (1 + np.exp(-(centre + half)))
    # One cluster leaves no between-cluster variance to estimate; at 0% or 100% the logit is
    # infinite: no interval.
    undefined = (clusters < 2) | (rate <= 0) | (rate >= 1) | ~np.isfinite(rate)
    low[undefined] = np.nan
    high[undefined] = np.nan
    table = labels.assign(clusters=clusters.astype("int64"), trials=trials.astype("int64"),
                          successes=successes.astype("int64"), rate=rate, ci_low=low,
                          ci_high=high)
    return table[[*keys, "clusters", "trials", "successes", "rate", "ci_low", "ci_high"]]


def prevalence(data: pd.DataFrame, *, dv: str, between: str | Sequence[str] | None = None,
               categories: Sequence | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Number and share of rows in each category, per group, with Wilson intervals.

    Every category is listed, also with a count of 0: those in ``categories`` if given, else the
    categories of a categorical column, else the values present (sorted). Rows with no category
    (missing) are not counted: the denominator ``total`` is the rows that have one.

    Parameters
    ----------
    data
        One row per unit (e.g. a scored form).
    dv
        Column holding the category (e.g. a score band).
    between
        Grouping column(s) (e.g. ``"wave"``); ``None`` for one overall block. Only groups with
        rows in ``data`` appear.
    categories
        Categories to list, in this order. Values outside them raise ``ValueError``.
    confidence
        Coverage of the Wilson interval.

    Returns
    -------
    DataFrame
        ``between`` columns, category, n, total, share, ci_low, ci_high.

    Examples
    --------
    >>> forms = pd.DataFrame({"wave": ["a", "a", "a", "b"], "band": ["low", "high", "low", None]})
    >>> table = prevalence(forms, dv="band", between="wave", categories=["low", "high"])
    >>> table[["wave", "category", "n", "total"]].to_numpy().tolist()
    [['a', 'low', 2, 3], ['a', 'high', 1, 3], ['b', 'low', 0, 0], ['b', 'high', 0, 0]]
    """
    keys = _keys(between)
    _require_columns(data, [dv, *keys])
    values = data[dv]
    if categories is None:
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = list(values.cat.categories)
        else:
            categories = sorted(values.dropna().unique().tolist())
    categories = list(categories)
    present = values.dropna()
    outside = ~present.isin(categories)
    if outside.any():
        raise ValueError(f"column {dv!r} has {int(outside.sum())} value(s) outside the "
                         "categories given")
    coded = pd.Categorical(values, categories=categories)
    frame = data[keys].copy()
    frame["category"] = coded
    if keys:
        group_index = frame[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
        group_index = group_index.dropna()
        counts = frame.groupby([*keys, "category"], observed=False, sort=True).size()
        full = group_index.merge(pd.DataFrame({"category": categories}), how="cross")
        full["n"] = counts.reindex(pd.MultiIndex.from_frame(full[[*keys, "category"]])
                                   ).fillna(0).to_numpy()
    else:
        counts = frame["category"].value_counts(sort=False).reindex(categories, fill_value=0)
        full = pd.DataFrame({"category": categories, "n": counts.to_numpy()})
    full["n"] = full["n"].astype("int64")
    full["total"] = (full.groupby(keys, sort=False)["n"].transform("sum") if keys
                     else full["n"].sum()).astype("int64")
    full["share"] = full["n"] / full["total"].where(full["total"] > 0)
    full = wilson_interval(full, successes="n", trials="total", confidence=confidence)
    return full[[*keys, "category", "n", "total", "share", "ci_low", "ci_high"]]
