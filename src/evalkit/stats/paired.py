"""Change between two measurements of the same people: thin adapters over pingouin and scipy.

pingouin's ``ttest(paired=True)`` gives t, df and p; scipy gives the interval of the mean change
at full precision (pingouin rounds ``CI95`` to two decimals) and the signed-rank test
(``scipy.stats.wilcoxon``; pingouin's ``wilcoxon`` builds an n x n matrix for its CLES and cannot
take 100,000 pairs). What evalkit adds: complete pairs, a NaN row with a ``note`` instead of an
exception, rounding float noise before ranking, the exact-test rule, and the effect sizes d_z
and d_av (pingouin's paired ``cohen_d`` is neither) with noncentral-t intervals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats as _st

from .effect_sizes import noncentral_t_interval

__all__ = ["wilcoxon_signed_rank", "paired_change", "by_subject", "wave_changes"]

#: Differences are rounded to this many decimals before ranking: mean or prorated scores carry
#: floating-point noise (1.1666666666666643 vs 1.166666666666666) that would rank equal changes
#: apart and spoil the tie correction.
TIE_DECIMALS = 9
#: Largest number of non-zero differences for which the exact null distribution is used.
EXACT_MAX_N = 50

_PAIRED_COLUMNS = ["n", "mean_before", "mean_after", "mean_change", "ci_low", "ci_high", "t",
                   "df", "p", "d_z", "d_z_ci_low", "d_z_ci_high", "d_av", "d_av_ci_low",
                   "d_av_ci_high", "wilcoxon_v", "wilcoxon_p", "wilcoxon_method", "note"]


def _signed_rank(differences: np.ndarray) -> dict:
    """Signed-rank test of paired differences (see :func:`wilcoxon_signed_rank`)."""
    d = np.asarray(differences, dtype=float).ravel()
    d = np.round(d[~np.isnan(d)], TIE_DECIMALS)
    nonzero = d[d != 0]
    n = int(nonzero.size)
    if n == 0:
        return {"n_nonzero": 0, "v": np.nan, "p": np.nan, "method": ""}
    # R's V: the rank sum of the positive differences (scipy reports the smaller rank sum)
    v = float(_st.rankdata(np.abs(nonzero))[nonzero > 0].sum())
    exact = n <= EXACT_MAX_N and np.unique(np.abs(nonzero)).size == n
    p = float(_st.wilcoxon(nonzero, correction=False,
                           method="exact" if exact else "approx").pvalue)
    method = "exact" if exact else "normal approximation with tie correction"
    return {"n_nonzero": n, "v": v, "p": p, "method": method}


def wilcoxon_signed_rank(data: pd.DataFrame, *, dv: str, within: str, subject: str,
                         levels: Sequence) -> pd.DataFrame:
    """Wilcoxon signed-rank test that the change from ``levels[0]`` to ``levels[1]`` is centred on 0.

    The test is ``scipy.stats.wilcoxon`` (two-sided, no continuity correction); this adapter
    adds what R users expect and what mean scores need:

    * complete pairs only; differences (later minus earlier) are rounded to 1e-9
      (``TIE_DECIMALS``) before anything else, so that floating-point noise cannot separate
      equal changes;
    * zero differences are dropped (Wilcoxon's method); ``n_nonzero`` counts the rest;
    * ``v`` is the sum of the ranks of the positive differences (R's ``V``);
    * p is exact when at most 50 differences remain and none tie; otherwise it comes from the
      normal approximation with the tie correction of the variance. ``method`` says which.

    This equals R's ``wilcox.test(d[d != 0], exact = <rule above>, correct = FALSE)`` on the
    rounded differences. R's own default differs in two corners: it uses the normal
    approximation whenever a zero was dropped and when exactly 50 differences remain.

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    dv, within, subject
        Column names: the score, the repeated factor (wave), the person.
    levels
        ``(earlier, later)``.

    Returns
    -------
    DataFrame
        One row: n_nonzero, v, p, method (``"exact"``, ``"normal approximation with tie
        correction"``, or ``""`` with NaN p when every difference is 0).

    Examples
    --------
    Darwin's maize (Fisher 1935): cross- minus self-fertilised heights.

    >>> darwin = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
    >>> long = pd.DataFrame({"pot": list(range(15)) * 2, "kind": ["self"] * 15 + ["cross"] * 15,
    ...                      "height": [0] * 15 + darwin})
    >>> row = wilcoxon_signed_rank(long, dv="height", within="kind", subject="pot",
    ...                            levels=["self", "cross"]).iloc[0]
    >>> int(row["n_nonzero"]), float(row["v"]), round(float(row["p"]), 5), row["method"]
    (15, 96.0, 0.04126, 'exact')
    """
    table = by_subject(data, dv=dv, within=within, subject=subject, levels=levels).dropna()
    before, after = (str(level) for level in levels)
    return pd.DataFrame([_signed_rank((table[after] - table[before]).to_numpy())])


def _paired_row(x: np.ndarray, y: np.ndarray, *, confidence: float, min_pairs: int) -> dict:
    """One row of :func:`paired_change` from two aligned arrays (NaN where missing)."""
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
        return row
    row.update(mean_before=x.mean(), mean_after=y.mean(), mean_change=diff.mean())
    if n < max(min_pairs, 2):
        row["note"] = f"fewer than {max(min_pairs, 2)} complete pairs: no test"
        return row
    df = n - 1
    sd_diff = diff.std(ddof=1)
    sd_av = (x.std(ddof=1) + y.std(ddof=1)) / 2
    row["df"] = float(df)
    notes = []
    if sd_diff == 0:
        row.update(ci_low=diff.mean(), ci_high=diff.mean())
        notes.append("every pair changed by the same amount: t and d_z undefined")
    else:
        test = pg.ttest(y, x, paired=True, confidence=confidence).iloc[0]
        low, high = _st.ttest_rel(y, x).confidence_interval(confidence_level=confidence)
        t = float(test["T"])
        ncp_low, ncp_high = noncentral_t_interval(t, df, confidence=confidence)
        row.update(ci_low=float(low), ci_high=float(high), t=t, p=float(test["p_val"]),
                   d_z=t / np.sqrt(n), d_z_ci_low=ncp_low / np.sqrt(n),
                   d_z_ci_high=ncp_high / np.sqrt(n))
    if sd_av > 0:
        row["d_av"] = diff.mean() / sd_av
        if sd_diff > 0:
            # d_av = d_z * sd_diff / sd_av: the d_z interval rescaled, the ratio held fixed
            ratio = sd_diff / sd_av
            row.update(d_av_ci_low=row["d_z_ci_low"] * ratio,
                       d_av_ci_high=row["d_z_ci_high"] * ratio)
    else:
        notes.append("scores do not vary: d_av undefined")
    wilcoxon = _signed_rank(diff)
    row.update(wilcoxon_v=wilcoxon["v"], wilcoxon_p=wilcoxon["p"],
               wilcoxon_method=wilcoxon["method"])
    if wilcoxon["n_nonzero"] == 0:
        notes.append("no pair changed: no signed-rank test")
    row["note"] = "; ".join(notes)
    return row


def paired_change(data: pd.DataFrame, *, dv: str, within: str, subject: str, levels: Sequence,
                  confidence: float = 0.95, min_pairs: int = 3) -> pd.DataFrame:
    """Change from ``levels[0]`` to ``levels[1]`` over complete pairs: paired t, effect sizes, Wilcoxon.

    Subjects without both levels are dropped; ``n`` counts the complete pairs. ``t``, ``df`` and
    ``p`` are pingouin's ``ttest(paired=True)``; ``mean_change`` is later minus earlier with
    scipy's full-precision t interval (``ttest_rel(...).confidence_interval()``). Effect sizes
    are named explicitly because libraries disagree about "Cohen's d" for paired data
    (pingouin's paired ``cohen_d`` is neither of these):

    * ``d_z = mean(diff) / sd(diff)``, standardised by the spread of the changes, with the
      noncentral-t interval (``d_z_ci_low``, ``d_z_ci_high``: the noncentrality interval of t
      divided by ``sqrt(n)``, R's ``MBESS::ci.smd``);
    * ``d_av = mean(diff) / ((sd_before + sd_after) / 2)``, standardised by the average spread
      of the scores (Cumming 2012; Lakens 2013), with the d_z interval rescaled by
      ``sd(diff) / sd_av`` (the ratio treated as known, so the interval is approximate).

    The signed-rank columns are those of :func:`wilcoxon_signed_rank`.

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    dv, within, subject
        Column names: the score, the repeated factor (wave), the person.
    levels
        ``(earlier, later)``.
    confidence
        Coverage of the intervals.
    min_pairs
        Fewer complete pairs than this give the means only, with a note.

    Returns
    -------
    DataFrame
        One row: n, mean_before, mean_after, mean_change, ci_low, ci_high, t, df, p, d_z,
        d_z_ci_low, d_z_ci_high, d_av, d_av_ci_low, d_av_ci_high, wilcoxon_v, wilcoxon_p,
        wilcoxon_method, note.

    Examples
    --------
    >>> long = pd.DataFrame({"id": list("aabbccdd"), "wave": ["pre", "post"] * 4,
    ...                      "score": [3.0, 2.0, 4.0, 3.0, 5.0, 5.0, 4.0, 3.0]})
    >>> row = paired_change(long, dv="score", within="wave", subject="id",
    ...                     levels=["pre", "post"]).iloc[0]
    >>> int(row["n"]), float(row["mean_change"]), round(float(row["d_z"]), 3), float(row["df"])
    (4, -0.75, -1.5, 3.0)
    """
    table = by_subject(data, dv=dv, within=within, subject=subject, levels=levels)
    before, after = (str(level) for level in levels)
    row = _paired_row(table[before].to_numpy(), table[after].to_numpy(), confidence=confidence,
                      min_pairs=min_pairs)
    return pd.DataFrame([row], columns=_PAIRED_COLUMNS)


def by_subject(data: pd.DataFrame, *, dv: str, within: str = "wave", subject: str,
               levels: Sequence) -> pd.DataFrame:
    """Subjects (rows) x waves (columns) of one value; NaN where a wave is missing.

    Built from integer codes rather than a pivot, so 100,000 subjects take milliseconds. Rows
    whose wave is not in ``waves`` are ignored.

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    dv, within, subject
        Column names: the value, the repeated factor (wave), the person.
    levels
        The levels (waves) to return, in this column order.

    Returns
    -------
    DataFrame
        Index ``subject`` (sorted as text), one column per level.

    Raises
    ------
    ValueError
        When a column is missing (it is named), a row has no subject, or a subject has two rows
        at one level.

    Examples
    --------
    >>> forms = pd.DataFrame({"person": ["a", "a", "b"], "wave": ["pre", "post", "pre"],
    ...                       "score": [3.0, 2.0, 4.0]})
    >>> table = by_subject(forms, dv="score", subject="person", levels=["pre", "post"])
    >>> table.to_numpy().tolist()
    [[3.0, 2.0], [4.0, nan]]
    """
    missing = [c for c in (dv, within, subject) if c not in data.columns]
    if missing:
        raise ValueError(f"no column(s) {', '.join(map(repr, missing))} in the data")
    waves = [str(w) for w in levels]
    if data[subject].isna().any():
        raise ValueError(f"{subject!r} is missing in some rows: a row must say whose it is")
    people, person_codes = np.unique(data[subject].astype(str).to_numpy(), return_inverse=True)
    wave_codes = pd.Index(waves).get_indexer(data[within].astype(str))
    known = wave_codes >= 0
    cells = person_codes[known] * len(waves) + wave_codes[known]
    if np.unique(cells).size < cells.size:
        raise ValueError(f"some {subject!r} have more than one row for the same {within!r}")
    table = np.full((len(people), len(waves)), np.nan)
    table[person_codes[known], wave_codes[known]] = data[dv].to_numpy(float)[known]
    return pd.DataFrame(table, index=pd.Index(people, name=subject), columns=waves)


def wave_changes(data: pd.DataFrame, *, dv: str, within: str, subject: str,
                 comparisons: Mapping[str, tuple], between: str | Sequence[str] = (),
                 confidence: float = 0.95, min_pairs: int = 3) -> pd.DataFrame:
    """Paired change for each named comparison of two waves, overall or per group.

    Each comparison uses the subjects with both of its waves (complete pairs), so ``n`` can
    differ between comparisons. No multiple-testing adjustment is made: the comparisons of one
    instrument form a family; pass their ``p`` to :func:`evalkit.stats.multitest.holm`.

    Parameters
    ----------
    data
        Long table: one row per subject and wave.
    dv, within, subject
        Column names: the score, the wave, the person.
    comparisons
        Name -> (before_wave, after_wave), e.g. ``{"post_vs_pre": ("pre", "post")}``.
    between
        Grouping column(s) constant within a subject (e.g. ``"gender"``); ``()`` for none.
    confidence, min_pairs
        As for :func:`paired_change`.

    Returns
    -------
    DataFrame
        ``between`` columns, comparison, then the columns of :func:`paired_change`.

    Examples
    --------
    >>> forms = pd.DataFrame({"person": list("aabbcc"), "wave": ["pre", "post"] * 3,
    ...                       "score": [3.0, 2.0, 4.0, 4.0, 5.0, 3.0]})
    >>> table = wave_changes(forms, dv="score", within="wave", subject="person",
    ...                      comparisons={"post_vs_pre": ("pre", "post")})
    >>> table[["comparison", "n", "mean_change"]].to_numpy().tolist()
    [['post_vs_pre', 3, -1.0]]
    """
    keys = [between] if isinstance(between, str) else list(between)
    waves = list(dict.fromkeys(str(w) for pair in comparisons.values() for w in pair))
    if keys:
        groups = data.groupby(keys, observed=True, sort=True)
    else:
        groups = [((), data)]
    rows = []
    for label, part in groups:
        label = label if isinstance(label, tuple) else (label,)
        table = by_subject(part, dv=dv, within=within, subject=subject, levels=waves)
        for name, (before, after) in comparisons.items():
            result = _paired_row(table[str(before)].to_numpy(), table[str(after)].to_numpy(),
                                 confidence=confidence, min_pairs=min_pairs)
            rows.append({**dict(zip(keys, label, strict=True)), "comparison": name, **result})
    columns = [*keys, "comparison", *_PAIRED_COLUMNS]
    return pd.DataFrame(rows, columns=columns).astype({"n": "int64"})
