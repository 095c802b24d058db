"""Adjusting p-values for multiple tests within a family."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["holm"]


def holm(p: ArrayLike) -> np.ndarray:
    """Holm's step-down adjustment of the p-values of one family of tests.

    Computed by :func:`statsmodels.stats.multitest.multipletests` (``method="holm"``), as R's
    ``p.adjust(p, "holm")``. Missing p-values (tests that could not be run) stay missing and do
    not count towards the family's size.

    Parameters
    ----------
    p
        The unadjusted p-values of one family (e.g. every pair of a correlation matrix).

    Returns
    -------
    ndarray
        Adjusted p-values, in the order given.

    Examples
    --------
    >>> holm([0.01, 0.04, float("nan"), 0.03, 0.005]).round(3).tolist()
    [0.03, 0.06, nan, 0.06, 0.02]
    """
    from statsmodels.stats.multitest import multipletests

    values = np.asarray(p, dtype=float).ravel()
    if np.any((values < 0) | (values > 1)):
        raise ValueError("p-values must lie between 0 and 1")
    adjusted = np.full(values.shape, np.nan)
    tested = ~np.isnan(values)
    if tested.any():
        adjusted[tested] = multipletests(values[tested], method="holm")[1]
    return adjusted
