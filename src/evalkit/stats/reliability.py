"""Internal consistency (Cronbach's alpha) and reliable change (Jacobson & Truax)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats as _st

__all__ = ["cronbach_alpha", "reliable_change", "reliable_change_category", "RC_CATEGORIES",
           "CS_CATEGORIES", "clinical_cutoffs", "clinical_change", "reliable_change_table"]

#: The categories of :func:`reliable_change_category`, in this order.
RC_CATEGORIES = ("reliably_improved", "no_reliable_change", "reliably_worse")


def cronbach_alpha(items: pd.DataFrame | ArrayLike, *, confidence: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha of a block of items with Feldt's confidence interval.

    ``alpha = k / (k - 1) * (1 - sum(item variances) / variance(total))`` on the respondents
    who answered every item (listwise). Feldt's (1965) interval, at full precision, is
    ``1 - (1 - alpha) * F`` with F quantiles on ``(n - 1, (n - 1)(k - 1))`` degrees of freedom,
    as R's ``psych::alpha.ci`` (pingouin's interval is rounded to 3 decimals and not used).

    Alpha is undefined, and given as NaN with a ``note``, with fewer than two items or three
    complete respondents, or when the total score does not vary.

    Parameters
    ----------
    items
        Rows are respondents, columns are items (a DataFrame or 2-D array).
    confidence
        Coverage of Feldt's interval.

    Returns
    -------
    DataFrame
        One row: items, n, alpha, ci_low, ci_high, note.

    Examples
    --------
    >>> block = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> row = cronbach_alpha(block).iloc[0]
    >>> round(float(row["alpha"]), 3), round(float(row["ci_low"]), 3), int(row["n"])
    (0.954, 0.766, 5)
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    block = pd.DataFrame(items).astype(float).dropna()
    n, k = block.shape
    row = {"items": k, "n": n, "alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan,
           "note": ""}
    if k < 2 or n < 3:
        row["note"] = "fewer than two items or three complete answer sets: alpha undefined"
        return pd.DataFrame([row])
    values = block.to_numpy()
    total_variance = values.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        row["note"] = "total scores do not vary: alpha undefined"
        return pd.DataFrame([row])
    alpha = k / (k - 1) * (1 - values.var(axis=0, ddof=1).sum() / total_variance)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - confidence) / 2
    row.update(alpha=alpha,
               ci_low=1 - (1 - alpha) * _st.f.ppf(1 - tail, df1, df2),
               ci_high=1 - (1 - alpha) * _st.f.ppf(tail, df1, df2))
    return pd.DataFrame([row])


def reliable_change(pre: ArrayLike, post: ArrayLike, *, sd_pre: float,
                    reliability: float) -> np.ndarray:
    """Jacobson & Truax (1991) reliable change index of each pair.

    ``SE = sd_pre * sqrt(1 - reliability)``, ``S_diff = sqrt(2) * SE`` and
    ``RC = (post - pre) / S_diff``.

    Parameters
    ----------
    pre, post
        Scores of the same people at two times (same length); NaN gives NaN.
    sd_pre
        Standard deviation of the scores at the first time (positive).
    reliability
        Reliability of the score, at least 0 and below 1 (e.g. Cronbach's alpha).

    Returns
    -------
    ndarray
        RC of each pair.

    Examples
    --------
    >>> round(float(reliable_change([30.0], [20.0], sd_pre=7.5, reliability=0.88)[0]), 3)
    -2.722
    """
    before = np.asarray(pre, dtype=float).ravel()
    after = np.asarray(post, dtype=float).ravel()
    if before.size != after.size:
        raise ValueError(f"pre and post must have the same length ({before.size} and "
                         f"{after.size})")
    if not 0 <= reliability < 1:
        raise ValueError("reliability must be at least 0 and below 1")
    if not np.isfinite(sd_pre) or sd_pre <= 0:
        raise ValueError("sd_pre must be a positive number")
    s_diff = np.sqrt(2) * sd_pre * np.sqrt(1 - reliability)
    return (after - before) / s_diff


def reliable_change_category(rc: ArrayLike, *, criterion: float = 1.96,
                             higher_is: str = "worse") -> pd.Categorical:
    """Classify reliable change indices: improved, no reliable change, or worse.

    A change is reliable when ``|RC| > criterion`` (strictly: an RC of exactly the criterion
    is not reliable). Its direction depends on the scale: with ``higher_is="worse"`` (distress,
    discomfort) a reliable fall is an improvement; with ``higher_is="better"`` a reliable rise
    is.

    Parameters
    ----------
    rc
        Reliable change indices (:func:`reliable_change`); NaN stays missing.
    criterion
        Positive cut-off, 1.96 for 95% confidence.
    higher_is
        ``"worse"`` or ``"better"``: what a higher score means.

    Returns
    -------
    pandas.Categorical
        Categories ``reliably_improved``, ``no_reliable_change``, ``reliably_worse``.

    Examples
    --------
    >>> list(reliable_change_category([-2.5, 1.96, 2.0, float("nan")]))
    ['reliably_improved', 'no_reliable_change', 'reliably_worse', nan]
    >>> list(reliable_change_category([-2.5], higher_is="better"))
    ['reliably_worse']
    """
    if higher_is not in ("worse", "better"):
        raise ValueError("higher_is must be 'worse' or 'better'")
    if not np.isfinite(criterion) or criterion <= 0:
        raise ValueError("criterion must be a positive number")
    values = np.asarray(rc, dtype=float).ravel()
    rises, falls = values > criterion, values < -criterion
    improved, worse = (falls, rises) if higher_is == "worse" else (rises, falls)
    labels = np.select([improved, worse], [RC_CATEGORIES[0], RC_CATEGORIES[2]],
                       RC_CATEGORIES[1]).astype(object)
    labels[np.isnan(values)] = None
    return pd.Categorical(labels, categories=list(RC_CATEGORIES))


def reliable_change_table(pairs: pd.DataFrame, *, before: str, after: str, reliability: float,
                          criterion: float = 1.96, higher_is: str = "worse") -> pd.DataFrame:
    """Jacobson-Truax reliable change for every complete pair, with what it rests on.

    The SD is that of ``before`` among the complete pairs; the threshold is the smallest change
    (in score points) that counts as reliable, ``criterion * sqrt(2) * sd * sqrt(1 - r)``
    (``docs/methods.md#reliable-change-index``). A reliability outside [0, 1), fewer than two
    pairs, or a baseline without spread gives an empty table: no change can be judged then.

    Parameters
    ----------
    pairs
        One row per person (the index identifies them), with the two scores as columns.
    before, after
        The columns holding the earlier and the later score.
    reliability
        Reliability of the score (Cronbach's alpha, or a published figure).
    criterion
        ``|RC|`` above which a change is reliable.
    higher_is
        ``"worse"`` or ``"better"``: which direction of change is improvement.

    Returns
    -------
    DataFrame
        id (the index's name, or ``id``), before, after, rc, category, reliability, sd_before,
        threshold.

    Examples
    --------
    Baselines 10, 14, 18 (SD 4), reliability 0.75: S_diff = sqrt(2) * 4 * 0.5 = 2.828, so a fall
    of 6 gives RC = -2.12 (reliably improved when lower is better) and a fall of 2 gives -0.71.

    >>> pairs = pd.DataFrame({"pre": [10.0, 14.0, 18.0], "post": [4.0, 12.0, 18.0]},
    ...                      index=pd.Index(["a", "b", "c"], name="person"))
    >>> table = reliable_change_table(pairs, before="pre", after="post", reliability=0.75)
    >>> table["rc"].round(2).tolist(), table["category"].tolist()
    ([-2.12, -0.71, 0.0], ['reliably_improved', 'no_reliable_change', 'no_reliable_change'])
    >>> round(float(table["threshold"].iloc[0]), 3)
    5.544
    """
    key = pairs.index.name or "id"
    columns = [key, "before", "after", "rc", "category", "reliability", "sd_before",
               "threshold"]
    complete = pairs[[before, after]].astype(float).dropna()
    if len(complete) < 2 or not (np.isfinite(reliability) and 0 <= reliability < 1):
        return pd.DataFrame(columns=columns)
    sd = float(complete[before].std(ddof=1))
    if not sd > 0:
        return pd.DataFrame(columns=columns)
    rc = reliable_change(complete[before], complete[after], sd_pre=sd, reliability=reliability)
    return pd.DataFrame({
        key: complete.index.astype(str), "before": complete[before].to_numpy(),
        "after": complete[after].to_numpy(), "rc": rc,
        "category": reliable_change_category(rc, criterion=criterion, higher_is=higher_is),
        "reliability": reliability, "sd_before": sd,
        "threshold": criterion * np.sqrt(2) * sd * np.sqrt(1 - reliability)})


#: The categories of :func:`clinical_change`, in this order (Jacobson and Truax, 1991).
CS_CATEGORIES = ("recovered", "improved", "unchanged", "deteriorated")


def clinical_cutoffs(before: ArrayLike, *, higher_is: str = "worse",
                     functional_mean: float | None = None,
                     functional_sd: float | None = None) -> dict:
    """Jacobson and Truax's (1991) cut-offs a, b and c between dysfunction and function.

    Hand-written: no Python library computes them. The dysfunctional population is the sample at
    the earlier wave (mean ``M1``, SD ``S1``); the functional one (``M0``, ``S0``) comes from
    published norms when an instrument spec gives them. With ``higher_is="worse"``:

    * a = ``M1 - 2 * S1``: two SDs beyond the dysfunctional mean, towards function;
    * b = ``M0 + 2 * S0``: within two SDs of the functional mean (needs norms);
    * c = ``(S0 * M1 + S1 * M0) / (S0 + S1)``: where the two distributions meet (needs norms).

    With ``higher_is="better"`` the signs turn round. The criterion used is c when norms are
    given, otherwise a (Jacobson and Truax's advice); ``criterion`` says which.

    Parameters
    ----------
    before
        Scores at the earlier wave of the people assessed (NaN ignored).
    higher_is
        ``"worse"`` or ``"better"``.
    functional_mean, functional_sd
        Mean and SD of a functional (non-clinical) population, both or neither.

    Returns
    -------
    dict
        a, b, c (NaN when not available), cutoff (the criterion's value), criterion
        (``"a"`` or ``"c"``).

    Examples
    --------
    Baseline mean 30, SD 5; norms 15 (SD 4): a = 20, b = 23, c = (4 * 30 + 5 * 15) / 9 = 21.67.

    >>> cut = clinical_cutoffs([25.0, 30.0, 35.0], functional_mean=15, functional_sd=4)
    >>> round(cut["a"], 2), round(cut["b"], 2), round(cut["c"], 2), cut["criterion"]
    (20.0, 23.0, 21.67, 'c')
    """
    if higher_is not in ("worse", "better"):
        raise ValueError("higher_is must be 'worse' or 'better'")
    if (functional_mean is None) != (functional_sd is None):
        raise ValueError("give both the functional mean and SD, or neither")
    values = np.asarray(before, dtype=float).ravel()
    values = values[~np.isnan(values)]
    m1 = float(values.mean()) if values.size else np.nan
    s1 = float(values.std(ddof=1)) if values.size > 1 else np.nan
    toward = -1.0 if higher_is == "worse" else 1.0  # the direction of function
    a = m1 + toward * 2 * s1
    b = c = np.nan
    if functional_mean is not None:
        m0, s0 = float(functional_mean), float(functional_sd)
        if not s0 > 0:
            raise ValueError("the functional SD must be positive")
        b = m0 - toward * 2 * s0
        c = (s0 * m1 + s1 * m0) / (s0 + s1)
    criterion = "c" if functional_mean is not None else "a"
    return {"a": a, "b": b, "c": c, "cutoff": c if criterion == "c" else a,
            "criterion": criterion}


def clinical_change(pairs: pd.DataFrame, *, before: str, after: str, reliability: float,
                    higher_is: str = "worse", functional_mean: float | None = None,
                    functional_sd: float | None = None,
                    criterion: float = 1.96) -> pd.DataFrame:
    """Clinically significant change of each person: reliable change and a crossed cut-off.

    Jacobson and Truax (1991), hand-written (no Python library has it). Each complete pair gets
    the reliable change index of :func:`reliable_change_table` and the cut-off of
    :func:`clinical_cutoffs` (c with norms, otherwise a), then one category:

    * ``recovered``: reliably improved, started on the dysfunctional side of the cut-off and
      ended on the functional side;
    * ``improved``: reliably improved without that crossing;
    * ``unchanged``: no reliable change;
    * ``deteriorated``: reliably worse.

    A score exactly at the cut-off has not crossed it. Empty when reliable change cannot be
    judged (see :func:`reliable_change_table`).

    Parameters
    ----------
    pairs
        One row per person (the index identifies them), the two scores as columns.
    before, after
        The columns of the earlier and the later score.
    reliability
        Reliability of the score.
    higher_is
        ``"worse"`` or ``"better"``.
    functional_mean, functional_sd
        Norms of a functional population, both or neither (criterion c, else a).
    criterion
        ``|RC|`` above which a change is reliable.

    Returns
    -------
    DataFrame
        id (the index's name, or ``id``), before, after, rc, cutoff, criterion, category
        (a Categorical over :data:`CS_CATEGORIES`).

    Examples
    --------
    Baselines 20, 24, 28, 32 (mean 26, SD 5.16), reliability 0.8: S_diff = 3.27 and cut-off
    a = 26 - 2 * 5.16 = 15.67. A fall from 20 to 12 is reliable and crosses it: recovered;
    28 to 20 is reliable but stays above: improved.

    >>> pairs = pd.DataFrame({"pre": [20.0, 24.0, 28.0, 32.0], "post": [12.0, 23.0, 20.0, 40.0]},
    ...                      index=pd.Index(list("abcd"), name="person"))
    >>> table = clinical_change(pairs, before="pre", after="post", reliability=0.8)
    >>> table["category"].tolist()
    ['recovered', 'unchanged', 'improved', 'deteriorated']
    """
    key = pairs.index.name or "id"
    columns = [key, "before", "after", "rc", "cutoff", "criterion", "category"]
    people = reliable_change_table(pairs, before=before, after=after, reliability=reliability,
                                   criterion=criterion, higher_is=higher_is)
    if people.empty:
        return pd.DataFrame(columns=columns)
    cut = clinical_cutoffs(people["before"], higher_is=higher_is,
                           functional_mean=functional_mean, functional_sd=functional_sd)
    cutoff = cut["cutoff"]
    if higher_is == "worse":
        started_dysfunctional = people["before"] > cutoff
        ended_functional = people["after"] < cutoff
    else:
        started_dysfunctional = people["before"] < cutoff
        ended_functional = people["after"] > cutoff
    reliable = people["category"].astype(object)
    labels = np.select(
        [(reliable == RC_CATEGORIES[0]) & started_dysfunctional & ended_functional,
         reliable == RC_CATEGORIES[0], reliable == RC_CATEGORIES[2]],
        ["recovered", "improved", "deteriorated"], "unchanged")
    return pd.DataFrame({
        key: people[key].to_numpy(), "before": people["before"].to_numpy(),
        "after": people["after"].to_numpy(), "rc": people["rc"].to_numpy(), "cutoff": cutoff,
        "criterion": cut["criterion"],
        "category": pd.Categorical(labels, categories=list(CS_CATEGORIES))})
