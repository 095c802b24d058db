"""Shared fixtures. The environment set here reaches the kernels that nbval and nbclient start."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

# Deterministic notebook outputs (DESIGN.md section 9); kernels inherit these.
os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ["TQDM_DISABLE"] = "1"
os.environ["IPYKERNEL_CELL_NAME"] = "<cell>"
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the synthetic sample (CSV files only)."""
    target = tmp_path / "data"
    target.mkdir()
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, target / path.name)
    return target
