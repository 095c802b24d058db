"""Internal consistency and reliable change."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._warnings import quiet_library_warnings


def cronbach_alpha(items, confidence: float = 0.95) -> dict:
    """Cronbach's alpha of a block of items (rows = respondents) with Feldt's confidence interval.

    Only respondents who answered every item are used (``n``). Alpha is undefined, and returned
    as NaN with a ``note``, when there are fewer than two items or three respondents, or when the
    total score does not vary (everyone gave the same answers).

    Examples
    --------
    >>> import pandas as pd
    >>> block = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> round(cronbach_alpha(block)["alpha"], 3)
    0.954
    """
    import pingouin as pg

    block = pd.DataFrame(items).astype(float).dropna()
    n, k = block.shape
    result = dict(items=k, n=n, alpha=np.nan, ci_low=np.nan, ci_high=np.nan, note="")
    if k < 2 or n < 3:
        result["note"] = "too few items or complete forms for alpha"
        return result
    item_var = block.var(ddof=1)
    if block.sum(axis=1).var(ddof=1) == 0 or (item_var == 0).all():
        result["note"] = "answers do not vary: alpha undefined"
        return result
    with quiet_library_warnings():
        alpha, ci = pg.cronbach_alpha(data=block, nan_policy="listwise", ci=confidence)
    result.update(alpha=float(alpha), ci_low=float(ci[0]), ci_high=float(ci[1]))
    return result


def reliable_change(pre, post, sd_pre: float, reliability: float, criterion: float = 1.96):
    """Jacobson & Truax (1991) reliable change index for each pair.

    ``SE = sd_pre * sqrt(1 - reliability)``, ``S_diff = sqrt(2) * SE`` and
    ``RC = (post - pre) / S_diff``. Returns the RC values (NaN where a value is missing).

    Examples
    --------
    >>> round(float(reliable_change([30.0], [20.0], sd_pre=7.5, reliability=0.88)[0]), 3)
    -2.722
    """
    if not 0 <= reliability < 1:
        raise ValueError("reliability must be at least 0 and below 1")
    s_diff = np.sqrt(2) * sd_pre * np.sqrt(1 - reliability)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.asarray(post, dtype=float) - np.asarray(pre, dtype=float)) / s_diff

