"""Change between two measurements of the same people."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st


def paired_change(before, after, confidence: float = 0.95, min_pairs: int = 3) -> dict:
    """Change from ``before`` to ``after`` over complete pairs (DESIGN.md section 5).

    Pairs with either value missing are dropped (their number is returned as ``n`` of the rest).
    ``mean_change`` is after minus before. Effect sizes are defined explicitly because libraries
    disagree about the name "Cohen's d" for paired data:

    * ``d_z = mean(diff) / sd(diff)`` (standardised by the spread of the changes);
    * ``d_av = mean(diff) / ((sd_before + sd_after) / 2)`` (standardised by the average spread of
      the scores; Cumming 2012, Lakens 2013).

    With fewer than ``min_pairs`` pairs the tests are not run (``note`` says so) and only ``n`` and
    the means are given. The Wilcoxon signed-rank test drops zero changes (Wilcoxon's method).

    Returns
    -------
    dict
        n, mean_before, mean_after, mean_change, ci_low, ci_high, t, df, p, d_z, d_av,
        wilcoxon_p, note.

    Examples
    --------
    >>> r = paired_change([3.0, 4.0, 5.0, 4.0], [2.0, 3.0, 5.0, 3.0])
    >>> r["n"], float(r["mean_change"]), round(float(r["d_z"]), 3)
    (4, -0.75, -1.5)
    """
    x = np.asarray(before, dtype=float)
    y = np.asarray(after, dtype=float)
    complete = ~(np.isnan(x) | np.isnan(y))
    x, y = x[complete], y[complete]
    n = int(x.size)
    diff = y - x
    result = dict(n=n, mean_before=np.nan, mean_after=np.nan, mean_change=np.nan, ci_low=np.nan,
                  ci_high=np.nan, t=np.nan, df=np.nan, p=np.nan, d_z=np.nan, d_av=np.nan,
                  wilcoxon_p=np.nan, note="")
    if n == 0:
        result["note"] = "no complete pairs"
        return result
    result.update(mean_before=x.mean(), mean_after=y.mean(), mean_change=diff.mean())
    if n < min_pairs:
        result["note"] = f"fewer than {min_pairs} complete pairs: no test"
        return result
    sd_diff = diff.std(ddof=1)
    sd_av = (x.std(ddof=1) + y.std(ddof=1)) / 2
    df = n - 1
    half = _st.t.ppf(0.5 + confidence / 2, df) * sd_diff / np.sqrt(n)
    result.update(ci_low=diff.mean() - half, ci_high=diff.mean() + half, df=float(df))
    if sd_diff == 0:
        result["note"] = "every pair changed by the same amount: t and d_z undefined"
    else:
        t = diff.mean() / (sd_diff / np.sqrt(n))
        result.update(t=t, p=2 * _st.t.sf(abs(t), df), d_z=diff.mean() / sd_diff)
    if sd_av > 0:
        result["d_av"] = diff.mean() / sd_av
    if np.any(diff != 0):
        result["wilcoxon_p"] = float(_st.wilcoxon(diff, zero_method="wilcox").pvalue)
    return result



def wide(data: pd.DataFrame, *, subject: str, wave: str = "wave", value: str,
         waves) -> pd.DataFrame:
    """Subjects (rows) x waves (columns) of one value; NaN where a wave is missing.

    Built from integer codes rather than a pivot, so 100,000 subjects take milliseconds.

    Examples
    --------
    >>> forms = pd.DataFrame({"person": ["a", "a", "b"], "wave": ["pre", "post", "pre"],
    ...                       "score": [3.0, 2.0, 4.0]})
    >>> wide(forms, subject="person", value="score", waves=["pre", "post"]).to_numpy().tolist()
    [[3.0, 2.0], [4.0, nan]]
    """
    waves = list(waves)
    people, person_codes = np.unique(data[subject].astype(str).to_numpy(), return_inverse=True)
    wave_codes = pd.Index(waves).get_indexer(data[wave].astype(str))
    table = np.full((len(people), len(waves)), np.nan)
    known = wave_codes >= 0
    table[person_codes[known], wave_codes[known]] = data[value].to_numpy(float)[known]
    return pd.DataFrame(table, index=pd.Index(people, name=subject), columns=waves)
