"""Read the committed inputs (tests/fixtures/stats) and R's answers on them (tests/fixtures/r).

The R answers are written by tools/r/reference.R; the tests never run R.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def stats_input(name: str) -> pd.DataFrame:
    """An input data set (written with enough digits to read back the very same doubles)."""
    return pd.read_csv(FIXTURES / "stats" / f"{name}.csv")


def r_output(name: str) -> dict:
    """R's results for one module (JSON; null for NA)."""
    return json.loads((FIXTURES / "r" / f"{name}.json").read_text())
