"""Progress bars for long jobs, on standard error only (never in result files or notebooks)."""

from __future__ import annotations

import os
import sys

from tqdm import tqdm


def progress(total: int, desc: str, show: bool | None = None) -> tqdm:
    """A tqdm bar on stderr.

    ``show=None`` shows the bar only when stderr is a terminal; ``TQDM_DISABLE=1`` (set for the
    notebook tests) hides every bar whatever ``show`` says.
    """
    visible = sys.stderr.isatty() if show is None else show
    if os.environ.get("TQDM_DISABLE"):
        visible = False
    return tqdm(total=total, desc=desc, file=sys.stderr, disable=not visible, leave=False,
                unit="step", dynamic_ncols=True)
