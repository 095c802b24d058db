"""Adjusting p-values for multiple tests within a family."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg

__all__ = ["holm"]


def holm(data: pd.DataFrame, *, p: str = "p") -> pd.DataFrame:
    """Holm's step-down adjustment of the p-values of one family of tests.

    Computed by :func:`pingouin.multicomp` (``method="holm"``), as R's ``p.adjust(p, "holm")``.
    Missing p-values (tests that could not be run) stay missing and do not count towards the
    family's size. Every row of ``data`` is one test of the same family.

    Parameters
    ----------
    data
        One row per test.
    p
        The column of unadjusted p-values; the adjusted ones go into ``<p>_holm``.

    Returns
    -------
    DataFrame
        A copy of ``data`` with ``<p>_holm`` added (or replaced), in the order given.

    Examples
    --------
    >>> tests = pd.DataFrame({"p": [0.01, 0.04, float("nan"), 0.03, 0.005]})
    >>> holm(tests)["p_holm"].round(3).tolist()
    [0.03, 0.06, nan, 0.06, 0.02]
    """
    if p not in data.columns:
        raise ValueError(f"no column {p!r} in the data")
    values = data[p].to_numpy(dtype=float)
    if np.any((values < 0) | (values > 1)):
        raise ValueError("p-values must lie between 0 and 1")
    adjusted = np.full(values.shape, np.nan)
    if (~np.isnan(values)).any():
        adjusted = pg.multicomp(values, method="holm")[1]
    return data.assign(**{f"{p}_holm": adjusted})
