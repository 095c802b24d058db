"""Writing result tables: one CSV writer for every table evalkit writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from .escape import csv_cell

AUDIENCES = ("internal", "funder")


def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` to ``path`` as UTF-8 CSV without the index, atomically.

    Text cells a spreadsheet would run as a formula are escaped (:func:`evalkit.publish.escape.
    csv_cell`). The file is written beside its target and renamed into place, so a reader never
    sees half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(csv_cell, na_action="ignore")
    fd, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            safe.to_csv(handle, index=False, lineterminator="\n")
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return path


def write_table(table: pd.DataFrame, results_dir: str | Path | None, name: str) -> None:
    """Write ``table`` as ``<results_dir>/<name>.csv``; does nothing when ``results_dir`` is None."""
    if results_dir is None:
        return
    write_csv(table, Path(results_dir) / f"{name}.csv")
