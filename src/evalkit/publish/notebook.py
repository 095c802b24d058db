"""Notebook display settings and helpers, so every notebook renders the same way every run."""

from __future__ import annotations

import warnings

import matplotlib as mpl
import pandas as pd
from IPython.display import Markdown, display


def setup_notebook() -> None:
    """Fixed display precision, PNG figures and a quiet, deterministic output.

    PNG rather than SVG because SVG embeds dates and the matplotlib version (DESIGN.md section 9).
    """
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_rows", 60)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)
    mpl.rcParams.update({
        "figure.figsize": (8, 4),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "font.size": 10,
        "svg.hashsalt": "evalkit",
    })
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except ImportError:  # pragma: no cover - only outside IPython
        pass
    # Library warnings are handled in code; stray ones must not reach committed outputs.
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def say(text: str) -> None:
    """Show a sentence of prose whose numbers were filled in by code."""
    display(Markdown(text))


def fmt(value, spec: str = "") -> str:
    """A figure for a sentence: numbers formatted with ``spec``; a hidden count (``"<5"``) as it
    is; a withheld (missing) value as "withheld". Lets one sentence serve both audiences.

    Examples
    --------
    >>> fmt(0.4567, ".0%"), fmt("<5", ".0f"), fmt(float("nan"), ".2f"), fmt("12", ".0f")
    ('46%', '<5', 'withheld', '12')
    """
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    if value is None or pd.isna(value):
        return "withheld"
    return format(value, spec)
