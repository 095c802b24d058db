"""A programme's own questionnaires, described in ``instruments/<name>.toml`` beside the data."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem
from .spec import Instrument


def find_instruments(data_dir: str | Path) -> tuple[list[Instrument], list[Problem]]:
    """Every instrument spec in ``<data_dir>/instruments/`` and the problems found in the specs.

    The answers of instrument ``name`` are in ``<data_dir>/<name>.csv``; the data layer checks
    them against ``instrument.contract()`` like any other file.
    """
    return [], []
