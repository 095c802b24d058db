"""Change between two measurements of the same people."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats as _st

__all__ = ["wilcoxon_signed_rank", "paired_change", "wide", "wave_changes"]

#: Differences are rounded to this many decimals before ranking: mean or prorated scores carry
#: floating-point noise (1.1666666666666643 vs 1.166666666666666) that would rank equal changes
#: apart and spoil the tie correction.
TIE_DECIMALS = 9
#: Largest number of non-zero differences for which the exact null distribution is used.
EXACT_MAX_N = 50

_PAIRED_COLUMNS = ["n", "mean_before", "mean_after", "mean_change", "ci_low", "ci_high", "t",
                   "df", "p", "d_z", "d_av", "wilcoxon_v", "wilcoxon_p", "wilcoxon_method",
                   "note"]


def _signed_rank_counts(n: int) -> np.ndarray:
    """Number of subsets of the ranks 1..n with each possible sum 0..n(n+1)/2 (exact null)."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for rank in range(1, n + 1):
        counts[rank:] = counts[rank:] + counts[:-rank].copy()
    return counts  # float64 holds these exactly: the largest, C(50, 25)-sized, is below 2**53


def wilcoxon_signed_rank(differences: ArrayLike) -> pd.DataFrame:
    """Wilcoxon signed-rank test that paired differences are centred on 0 (two-sided).

    * Missing differences are ignored; differences are rounded to 1e-9 (``TIE_DECIMALS``)
      before anything else, so that floating-point noise cannot separate equal changes.
    * Zero differences are dropped (Wilcoxon's method); ``n_nonzero`` counts the rest.
    * ``v`` is the sum of the ranks of the positive differences (R's ``V``).
    * p is exact when at most 50 differences remain and none tie; otherwise it comes from the
      normal approximation with the tie correction of the variance and **no** continuity
      correction. ``method`` says which.

    This equals R's ``wilcox.test(d[d != 0], exact = <rule above>, correct = FALSE)`` on the
    rounded differences. R's own default differs in two corners: it uses the normal
    approximation whenever a zero was dropped and when exactly 50 differences remain.

    Parameters
    ----------
    differences
        Paired differences (after minus before).

    Returns
    -------
    DataFrame
        One row: n_nonzero, v, p, method (``"exact"``, ``"normal approximation with tie
        correction"``, or ``""`` with NaN p when every difference is 0).

    Examples
    --------
    >>> darwin = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    >>> row = wilcoxon_signed_rank(darwin).iloc[0]
    >>> int(row["n_nonzero"]), float(row["v"]), round(float(row["p"]), 5), row["method"]
    (15, 96.0, 0.04126, 'exact')
    """
    d = np.asarray(differences, dtype=float).ravel()
    d = np.round(d[~np.isnan(d)], TIE_DECIMALS)
    nonzero = d[d != 0]
    n = int(nonzero.size)
    if n == 0:
        return pd.DataFrame({"n_nonzero": [0], "v": [np.nan], "p": [np.nan], "method": [""]})
    ranks = _st.rankdata(np.abs(nonzero))
    v = float(ranks[nonzero > 0].sum())
    _, tie_sizes = np.unique(np.abs(nonzero), return_counts=True)
    ties = bool(np.any(tie_sizes > 1))
    if n <= EXACT_MAX_N and not ties:
        counts = _signed_rank_counts(n)
        total = 2.0**n
        k = int(round(v))
        lower = counts[: k + 1].sum() / total
        upper = counts[k:].sum() / total
        p = min(1.0, 2 * min(lower, upper))
        method = "exact"
    else:
        mean = n * (n + 1) / 4
        variance = n * (n + 1) * (2 * n + 1) / 24 - np.sum(tie_sizes**3 - tie_sizes) / 48
        z = (v - mean) / np.sqrt(variance)
        p = float(2 * _st.norm.sf(abs(z)))
        method = "normal approximation with tie correction"
    return pd.DataFrame({"n_nonzero": [n], "v": [v], "p": [p], "method": [method]})


def paired_change(before: ArrayLike, after: ArrayLike, *, confidence: float = 0.95,
                  min_pairs: int = 3) -> pd.DataFrame:
    """Change from ``before`` to ``after`` over complete pairs: paired t, effect sizes, Wilcoxon.

    Pairs with either value missing are dropped; ``n`` counts the complete pairs.
    ``mean_change`` is after minus before, with a t interval on ``n - 1`` degrees of freedom.
    Effect sizes are named explicitly because libraries disagree about "Cohen's d" for paired
    data (pingouin's paired ``cohen_d`` is neither of these):

    * ``d_z = mean(diff) / sd(diff)``, standardised by the spread of the changes;
    * ``d_av = mean(diff) / ((sd_before + sd_after) / 2)``, standardised by the average spread
      of the scores (Cumming 2012; Lakens 2013).

    The signed-rank columns come from :func:`wilcoxon_signed_rank` on the differences.

    Parameters
    ----------
    before, after
        Paired values, same length (e.g. two columns of :func:`wide`).
    confidence
        Coverage of the interval of the mean change.
    min_pairs
        Fewer complete pairs than this give the means only, with a note.

    Returns
    -------
    DataFrame
        One row: n, mean_before, mean_after, mean_change, ci_low, ci_high, t, df, p, d_z, d_av,
        wilcoxon_v, wilcoxon_p, wilcoxon_method, note.

    Examples
    --------
    >>> row = paired_change([3.0, 4.0, 5.0, 4.0], [2.0, 3.0, 5.0, 3.0]).iloc[0]
    >>> int(row["n"]), float(row["mean_change"]), round(float(row["d_z"]), 3), float(row["df"])
    (4, -0.75, -1.5, 3.0)
    """
    x = np.asarray(before, dtype=float).ravel()
    y = np.asarray(after, dtype=float).ravel()
    if x.size != y.size:
        raise ValueError(f"before and after must have the same length ({x.size} and {y.size})")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    complete = ~(np.isnan(x) | np.isnan(y))
    x, y = x[complete], y[complete]
    n = int(x.size)
    diff = y - x
    row = dict.fromkeys(_PAIRED_COLUMNS, np.nan)
    row.update(n=n, wilcoxon_method="", note="")
    if n == 0:
        row["note"] = "no complete pairs"
        return pd.DataFrame([row], columns=_PAIRED_COLUMNS)
    row.update(mean_before=x.mean(), mean_after=y.mean(), mean_change=diff.mean())
    if n < max(min_pairs, 2):
        row["note"] = f"fewer than {max(min_pairs, 2)} complete pairs: no test"
        return pd.DataFrame([row], columns=_PAIRED_COLUMNS)
    df = n - 1
    sd_diff = diff.std(ddof=1)
    sd_av = (x.std(ddof=1) + y.std(ddof=1)) / 2
    half = _st.t.ppf(0.5 + confidence / 2, df) * sd_diff / np.sqrt(n)
    row.update(ci_low=diff.mean() - half, ci_high=diff.mean() + half, df=float(df))
    notes = []
    if sd_diff == 0:
        notes.append("every pair changed by the same amount: t and d_z undefined")
    else:
        t = diff.mean() / (sd_diff / np.sqrt(n))
        row.update(t=t, p=float(2 * _st.t.sf(abs(t), df)), d_z=diff.mean() / sd_diff)
    if sd_av > 0:
        row["d_av"] = diff.mean() / sd_av
    else:
        notes.append("scores do not vary: d_av undefined")
    wilcoxon = wilcoxon_signed_rank(diff).iloc[0]
    row.update(wilcoxon_v=wilcoxon["v"], wilcoxon_p=wilcoxon["p"],
               wilcoxon_method=wilcoxon["method"])
    if wilcoxon["n_nonzero"] == 0:
        notes.append("no pair changed: no signed-rank test")
    row["note"] = "; ".join(notes)
    return pd.DataFrame([row], columns=_PAIRED_COLUMNS)


def wide(data: pd.DataFrame, *, subject: str, wave: str = "wave", value: str,
         waves: Sequence) -> pd.DataFrame:
    """Subjects (rows) x waves (columns) of one value; NaN where a wave is missing.

    Built from integer codes rather than a pivot, so 100,000 subjects take milliseconds. Rows
    whose wave is not in ``waves`` are ignored.

    Parameters
    ----------
    data
        Long table: one row per subject and wave.
    subject, wave, value
        Column names.
    waves
        The waves to return, in this column order.

    Returns
    -------
    DataFrame
        Index ``subject`` (sorted as text), one column per wave.

    Examples
    --------
    >>> forms = pd.DataFrame({"person": ["a", "a", "b"], "wave": ["pre", "post", "pre"],
    ...                       "score": [3.0, 2.0, 4.0]})
    >>> wide(forms, subject="person", value="score", waves=["pre", "post"]).to_numpy().tolist()
    [[3.0, 2.0], [4.0, nan]]
    """
    waves = [str(w) for w in waves]
    if data[subject].isna().any():
        raise ValueError(f"{subject!r} is missing in some rows: a row must say whose it is")
    people, person_codes = np.unique(data[subject].astype(str).to_numpy(), return_inverse=True)
    wave_codes = pd.Index(waves).get_indexer(data[wave].astype(str))
    known = wave_codes >= 0
    cells = person_codes[known] * len(waves) + wave_codes[known]
    if np.unique(cells).size < cells.size:
        raise ValueError(f"some {subject!r} have more than one row for the same {wave!r}")
    table = np.full((len(people), len(waves)), np.nan)
    table[person_codes[known], wave_codes[known]] = data[value].to_numpy(float)[known]
    return pd.DataFrame(table, index=pd.Index(people, name=subject), columns=waves)


def wave_changes(data: pd.DataFrame, *, subject: str, wave: str, value: str,
                 comparisons: Mapping[str, tuple], by: str | Sequence[str] = (),
                 confidence: float = 0.95, min_pairs: int = 3) -> pd.DataFrame:
    """Paired change for each named comparison of two waves, overall or per group.

    Each comparison uses the subjects with both of its waves (complete pairs), so ``n`` can
    differ between comparisons. No multiple-testing adjustment is made: the comparisons of one
    instrument form a family; pass their ``p`` to :func:`evalkit.stats.multitest.holm`.

    Parameters
    ----------
    data
        Long table: one row per subject and wave.
    subject, wave, value
        Column names.
    comparisons
        Name -> (before_wave, after_wave), e.g. ``{"post_vs_pre": ("pre", "post")}``.
    by
        Grouping column(s) constant within a subject (e.g. ``"gender"``); ``()`` for none.
    confidence, min_pairs
        As for :func:`paired_change`.

    Returns
    -------
    DataFrame
        ``by`` columns, comparison, then the columns of :func:`paired_change`.

    Examples
    --------
    >>> forms = pd.DataFrame({"person": list("aabbcc"), "wave": ["pre", "post"] * 3,
    ...                       "score": [3.0, 2.0, 4.0, 4.0, 5.0, 3.0]})
    >>> table = wave_changes(forms, subject="person", wave="wave", value="score",
    ...                      comparisons={"post_vs_pre": ("pre", "post")})
    >>> table[["comparison", "n", "mean_change"]].to_numpy().tolist()
    [['post_vs_pre', 3, -1.0]]
    """
    keys = [by] if isinstance(by, str) else list(by)
    waves = list(dict.fromkeys(str(w) for pair in comparisons.values() for w in pair))
    if keys:
        groups = data.groupby(keys, observed=True, sort=True)
    else:
        groups = [((), data)]
    rows = []
    for label, part in groups:
        label = label if isinstance(label, tuple) else (label,)
        table = wide(part, subject=subject, wave=wave, value=value, waves=waves)
        for name, (before, after) in comparisons.items():
            result = paired_change(table[str(before)], table[str(after)], confidence=confidence,
                                   min_pairs=min_pairs)
            rows.append({**dict(zip(keys, label, strict=True)), "comparison": name,
                         **result.iloc[0].to_dict()})
    columns = [*keys, "comparison", *_PAIRED_COLUMNS]
    return pd.DataFrame(rows, columns=columns).astype({"n": "int64"})
