"""Progress bars for long jobs, on standard error only (never in result files or notebooks)."""

from __future__ import annotations

import os
import sys

from tqdm import tqdm


def progress(total: int, desc: str, show: bool | None = None) -> tqdm:
    """A tqdm progress bar on standard error.

    ``show=None`` shows the bar only when stderr is a terminal; ``TQDM_DISABLE=1`` (set for the
    notebook tests) hides every bar whatever ``show`` says.

    Parameters
    ----------
    total
        Number of steps the job has.
    desc
        What is being done, shown before the bar.
    show
        True to show the bar, False to hide it, None to show it on a terminal only.

    Returns
    -------
    tqdm
        The bar: call ``update()`` after each step and ``close()`` (or use it in ``with``).

    Examples
    --------
    >>> with progress(3, "scoring", show=False) as bar:
    ...     for step in range(3):
    ...         _ = bar.update()
    >>> bar.disable  # hidden: nothing was drawn
    True
    """
    visible = sys.stderr.isatty() if show is None else show
    if os.environ.get("TQDM_DISABLE"):
        visible = False
    return tqdm(total=total, desc=desc, file=sys.stderr, disable=not visible, leave=False,
                unit="step", dynamic_ncols=True)
