"""Bugs found while documenting the public API (issue 15), each fixed in one line.

Each test checks against a value computed here from the textbook formula, not by evalkit.
"""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm
from tests.conftest import SAMPLE

import evalkit
from evalkit.analyses import attendance


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    # Wilson (1927): centre (p + z^2/2n) / (1 + z^2/n), half-width
    # z / (1 + z^2/n) * sqrt(p(1 - p)/n + z^2/4n^2).
    z = norm.ppf(1 - (1 - confidence) / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize("confidence", [0.5, 0.95, 0.99])
def test_module_completion_uses_the_confidence_it_is_given(confidence):
    # module_completion took `confidence` but always gave 95% intervals.
    table = attendance.module_completion(evalkit.load(SAMPLE), confidence=confidence)
    for row in table.itertuples(index=False):
        low, high = _wilson(int(row.completed), int(row.participants), confidence)
        assert row.ci_low == pytest.approx(low, abs=1e-9), row.module
        assert row.ci_high == pytest.approx(high, abs=1e-9), row.module
