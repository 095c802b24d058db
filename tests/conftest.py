"""Shared fixtures. The environment set here reaches the kernels that nbval and nbclient start."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from evalkit.publish.notebooks import DETERMINISTIC_ENV

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

# Deterministic notebook outputs: kernels started by nbval inherit the
# same environment as `make notebooks`, whichever test happens to run first.
os.environ.update(DETERMINISTIC_ENV)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the synthetic sample (CSV files only)."""
    target = tmp_path / "data"
    target.mkdir()
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, target / path.name)
    return target


def answers_summing_to(total: int, items: int) -> list[int]:
    """Answers of 1-5 to ``items`` items that add up to ``total`` (filled from the first item)."""
    if not items <= total <= 5 * items:
        raise ValueError(f"{total} cannot be the sum of {items} answers of 1-5")
    answers = [1] * items
    extra = total - items
    for i in range(items):
        step = min(4, extra)
        answers[i] += step
        extra -= step
    return answers
