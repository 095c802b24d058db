"""What every adapter over pingouin shares."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd


@contextmanager
def quiet() -> Iterator[None]:
    """Silence pandas' deprecation warnings raised inside pingouin 0.7 (``dropna(inplace=True)``).

    They concern pingouin's own code, not the data, and would otherwise print in every
    notebook that runs an ANOVA.

    Yields
    ------
    None
        Inside the block those warnings are not shown.

    Examples
    --------
    >>> import warnings
    >>> with quiet():
    ...     warnings.warn("from pingouin", pd.errors.Pandas4Warning)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        yield
