"""Internal consistency (Cronbach's alpha) and reliable and clinically significant change.

Hand-written, each said so below: Feldt's interval at full precision (pingouin rounds it),
Jacobson and Truax's reliable change index, cut-offs and categories (no Python library has them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

from .paired import by_subject

__all__ = ["cronbach_alpha", "reliable_change", "reliable_change_category", "RC_CATEGORIES",
           "CS_CATEGORIES", "clinical_cutoffs", "clinical_change"]

#: The categories of :func:`reliable_change_category`, in this order.
RC_CATEGORIES = ("reliably_improved", "no_reliable_change", "reliably_worse")


def cronbach_alpha(data: pd.DataFrame, *, items: Sequence[str] | None = None,
                   confidence: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha of a block of items with Feldt's confidence interval.

    ``alpha = k / (k - 1) * (1 - sum(item variances) / variance(total))`` on the respondents
    who answered every item (listwise). Feldt's (1965) interval, at full precision, is
    ``1 - (1 - alpha) * F`` with F quantiles on ``(n - 1, (n - 1)(k - 1))`` degrees of freedom,
    as R's ``psych::alpha.ci`` (pingouin's interval is rounded to 3 decimals and not used).

    Alpha is undefined, and given as NaN with a ``note``, with fewer than two items or three
    complete respondents, or when the total score does not vary.

    Parameters
    ----------
    data
        Wide table: one row per respondent, one column per item.
    items
        The item columns; ``None`` for every column of ``data``.
    confidence
        Coverage of Feldt's interval.

    Returns
    -------
    DataFrame
        One row: items, n, alpha, ci_low, ci_high, note.

    Examples
    --------
    >>> block = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> row = cronbach_alpha(block, items=["a", "b", "c"]).iloc[0]
    >>> round(float(row["alpha"]), 3), round(float(row["ci_low"]), 3), int(row["n"])
    (0.954, 0.766, 5)
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    columns = list(data.columns) if items is None else list(items)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"no column(s) {', '.join(map(repr, missing))} in the data")
    block = data[columns].astype(float).dropna()
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


def _pairs(data: pd.DataFrame, *, dv: str, within: str, subject: str,
           levels: Sequence) -> pd.DataFrame:
    """Complete (earlier, later) pairs, one row per subject (sorted as text)."""
    if len(levels) != 2:
        raise ValueError("levels must be (earlier, later)")
    for column in (dv, within, subject):
        if column not in data.columns:
            raise ValueError(f"no column {column!r} in the data")
    pairs = by_subject(data, dv=dv, within=within, subject=subject, levels=levels)
    pairs.columns = ["before", "after"]
    return pairs.astype(float).dropna()


def reliable_change_category(data: pd.DataFrame, *, rc: str = "rc", criterion: float = 1.96,
                             higher_is: str = "worse") -> pd.DataFrame:
    """Classify reliable change indices: improved, no reliable change, or worse.

    A change is reliable when ``|RC| > criterion`` (strictly: an RC of exactly the criterion
    is not reliable). Its direction depends on the scale: with ``higher_is="worse"`` (distress,
    discomfort) a reliable fall is an improvement; with ``higher_is="better"`` a reliable rise
    is. Hand-written (Jacobson and Truax, 1991; no Python library has it).

    Parameters
    ----------
    data
        One row per person.
    rc
        The column of reliable change indices (:func:`reliable_change`); NaN stays missing.
    criterion
        Positive cut-off, 1.96 for 95% confidence.
    higher_is
        ``"worse"`` or ``"better"``: what a higher score means.

    Returns
    -------
    DataFrame
        A copy of ``data`` with ``category`` added (or replaced): a Categorical over
        :data:`RC_CATEGORIES` (``reliably_improved``, ``no_reliable_change``,
        ``reliably_worse``).

    Examples
    --------
    >>> people = pd.DataFrame({"rc": [-2.5, 1.96, 2.0, float("nan")]})
    >>> reliable_change_category(people)["category"].tolist()
    ['reliably_improved', 'no_reliable_change', 'reliably_worse', nan]
    >>> reliable_change_category(people, higher_is="better")["category"].tolist()[0]
    'reliably_worse'
    """
    if higher_is not in ("worse", "better"):
        raise ValueError("higher_is must be 'worse' or 'better'")
    if not np.isfinite(criterion) or criterion <= 0:
        raise ValueError("criterion must be a positive number")
    if rc not in data.columns:
        raise ValueError(f"no column {rc!r} in the data")
    values = data[rc].to_numpy(dtype=float)
    rises, falls = values > criterion, values < -criterion
    improved, worse = (falls, rises) if higher_is == "worse" else (rises, falls)
    labels = np.select([improved, worse], [RC_CATEGORIES[0], RC_CATEGORIES[2]],
                       RC_CATEGORIES[1]).astype(object)
    labels[np.isnan(values)] = None
    return data.assign(category=pd.Categorical(labels, categories=list(RC_CATEGORIES)))


def reliable_change(data: pd.DataFrame, *, dv: str, within: str, subject: str,
                    levels: Sequence, reliability: float, sd_pre: float | None = None,
                    criterion: float = 1.96, higher_is: str = "worse") -> pd.DataFrame:
    """Jacobson-Truax (1991) reliable change of every complete pair, with what it rests on.

    Hand-written (no Python library has it): ``SE = sd_pre * sqrt(1 - reliability)``,
    ``S_diff = sqrt(2) * SE`` and ``RC = (after - before) / S_diff``; the category follows
    :func:`reliable_change_category`. ``sd_pre`` is by default the SD of the earlier scores
    among the complete pairs. The threshold is the smallest change (in score points) that counts
    as reliable, ``criterion * S_diff`` (``docs/methods.md#reliable-change-index``). A
    reliability outside [0, 1) (a negative alpha, say), fewer than two pairs, or a baseline
    without spread gives an empty table: no change can be judged then.

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    dv, within, subject
        Column names: the score, the repeated factor (wave), the person.
    levels
        ``(earlier, later)``.
    reliability
        Reliability of the score (Cronbach's alpha, or a published figure).
    sd_pre
        Standard deviation of the earlier scores to use instead of the sample's (a published
        norm); positive.
    criterion
        ``|RC|`` above which a change is reliable.
    higher_is
        ``"worse"`` or ``"better"``: which direction of change is improvement.

    Returns
    -------
    DataFrame
        One row per complete pair (subjects sorted as text): ``subject``'s column, before,
        after, rc, category, reliability, sd_before, threshold.

    Examples
    --------
    Baselines 10, 14, 18 (SD 4), reliability 0.75: S_diff = sqrt(2) * 4 * 0.5 = 2.828, so a fall
    of 6 gives RC = -2.12 (reliably improved when lower is better) and a fall of 2 gives -0.71.

    >>> long = pd.DataFrame({"person": list("aabbcc"), "wave": ["pre", "post"] * 3,
    ...                      "score": [10.0, 4.0, 14.0, 12.0, 18.0, 18.0]})
    >>> table = reliable_change(long, dv="score", within="wave", subject="person",
    ...                         levels=["pre", "post"], reliability=0.75)
    >>> table["rc"].round(2).tolist(), table["category"].tolist()
    ([-2.12, -0.71, 0.0], ['reliably_improved', 'no_reliable_change', 'no_reliable_change'])
    >>> round(float(table["threshold"].iloc[0]), 3)
    5.544
    """
    columns = [subject, "before", "after", "rc", "category", "reliability", "sd_before",
               "threshold"]
    if sd_pre is not None and not (np.isfinite(sd_pre) and sd_pre > 0):
        raise ValueError("sd_pre must be a positive number")
    complete = _pairs(data, dv=dv, within=within, subject=subject, levels=levels)
    if len(complete) < 2 or not (np.isfinite(reliability) and 0 <= reliability < 1):
        return pd.DataFrame(columns=columns)
    sd = float(complete["before"].std(ddof=1)) if sd_pre is None else float(sd_pre)
    if not sd > 0:
        return pd.DataFrame(columns=columns)
    s_diff = np.sqrt(2) * sd * np.sqrt(1 - reliability)
    people = pd.DataFrame({subject: complete.index.astype(str),
                           "before": complete["before"].to_numpy(),
                           "after": complete["after"].to_numpy(),
                           "rc": (complete["after"] - complete["before"]).to_numpy() / s_diff})
    people = reliable_change_category(people, criterion=criterion, higher_is=higher_is)
    return people.assign(reliability=reliability, sd_before=sd,
                         threshold=criterion * s_diff)[columns]


#: The categories of :func:`clinical_change`, in this order (Jacobson and Truax, 1991).
CS_CATEGORIES = ("recovered", "improved", "unchanged", "deteriorated")


def clinical_cutoffs(data: pd.DataFrame, *, dv: str, higher_is: str = "worse",
                     functional_mean: float | None = None,
                     functional_sd: float | None = None) -> pd.DataFrame:
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
    data
        One row per person assessed, at the earlier wave.
    dv
        The column of their scores (NaN ignored).
    higher_is
        ``"worse"`` or ``"better"``.
    functional_mean, functional_sd
        Mean and SD of a functional (non-clinical) population, both or neither.

    Returns
    -------
    DataFrame
        One row: a, b, c (NaN when not available), cutoff (the criterion's value), criterion
        (``"a"`` or ``"c"``).

    Examples
    --------
    Baseline mean 30, SD 5; norms 15 (SD 4): a = 20, b = 23, c = (4 * 30 + 5 * 15) / 9 = 21.67.

    >>> baseline = pd.DataFrame({"score": [25.0, 30.0, 35.0]})
    >>> clinical_cutoffs(baseline, dv="score", functional_mean=15, functional_sd=4).round(2)
          a     b      c  cutoff criterion
    0  20.0  23.0  21.67   21.67         c
    """
    if higher_is not in ("worse", "better"):
        raise ValueError("higher_is must be 'worse' or 'better'")
    if (functional_mean is None) != (functional_sd is None):
        raise ValueError("give both the functional mean and SD, or neither")
    if dv not in data.columns:
        raise ValueError(f"no column {dv!r} in the data")
    values = data[dv].to_numpy(dtype=float)
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
    return pd.DataFrame([{"a": a, "b": b, "c": c, "cutoff": c if criterion == "c" else a,
                          "criterion": criterion}])


def clinical_change(data: pd.DataFrame, *, dv: str, within: str, subject: str,
                    levels: Sequence, reliability: float, higher_is: str = "worse",
                    functional_mean: float | None = None,
                    functional_sd: float | None = None,
                    criterion: float = 1.96) -> pd.DataFrame:
    """Clinically significant change of each person: reliable change and a crossed cut-off.

    Jacobson and Truax (1991), hand-written (no Python library has it). Each complete pair gets
    the reliable change index of :func:`reliable_change` and the cut-off of
    :func:`clinical_cutoffs` (c with norms, otherwise a), then one category:

    * ``recovered``: reliably improved, started on the dysfunctional side of the cut-off and
      ended on the functional side;
    * ``improved``: reliably improved without that crossing;
    * ``unchanged``: no reliable change;
    * ``deteriorated``: reliably worse.

    A score exactly at the cut-off has not crossed it. Empty when reliable change cannot be
    judged (see :func:`reliable_change`).

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    dv, within, subject, levels
        As for :func:`reliable_change`.
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
        ``subject``'s column, before, after, rc, cutoff, criterion, category (a Categorical
        over :data:`CS_CATEGORIES`).

    Examples
    --------
    Baselines 20, 24, 28, 32 (mean 26, SD 5.16), reliability 0.8: S_diff = 3.27 and cut-off
    a = 26 - 2 * 5.16 = 15.67. A fall from 20 to 12 is reliable and crosses it: recovered;
    28 to 20 is reliable but stays above: improved.

    >>> long = pd.DataFrame({"person": list("aabbccdd"), "wave": ["pre", "post"] * 4,
    ...                      "score": [20.0, 12.0, 24.0, 23.0, 28.0, 20.0, 32.0, 40.0]})
    >>> table = clinical_change(long, dv="score", within="wave", subject="person",
    ...                         levels=["pre", "post"], reliability=0.8)
    >>> table["category"].tolist()
    ['recovered', 'unchanged', 'improved', 'deteriorated']
    """
    columns = [subject, "before", "after", "rc", "cutoff", "criterion", "category"]
    people = reliable_change(data, dv=dv, within=within, subject=subject, levels=levels,
                             reliability=reliability, criterion=criterion, higher_is=higher_is)
    if people.empty:
        return pd.DataFrame(columns=columns)
    cut = clinical_cutoffs(people, dv="before", higher_is=higher_is,
                           functional_mean=functional_mean,
                           functional_sd=functional_sd).iloc[0]
    cutoff = float(cut["cutoff"])
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
    return people.assign(cutoff=cutoff, criterion=cut["criterion"],
                         category=pd.Categorical(labels, categories=list(CS_CATEGORIES)))[columns]
