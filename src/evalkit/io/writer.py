"""Writing result tables: one CSV writer for every table evalkit writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from .escape import csv_cell


def _safe_column(values: pd.Series) -> pd.Series:
    """A column with every text cell passed through :func:`csv_cell`; numbers keep their type."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        # Cell by cell into an object column: Series.map would infer a dtype and turn whole
        # numbers beside a blank (a withheld count) into floats, "115.0".
        return pd.Series([csv_cell(v) for v in values.astype(object)], index=values.index,
                         dtype=object)
    return values


def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` to ``path`` as UTF-8 CSV without the index, atomically.

    Every text cell, categorical cell and column name a spreadsheet would run as a formula is
    escaped (:func:`evalkit.io.escape.csv_cell`); numbers are written as numbers. The file is
    written beside its target and renamed into place, so a reader never sees half a file.

    Parameters
    ----------
    table : pandas.DataFrame
        The table; its index is not written.
    path : path
        The CSV file to write (its folder is created when missing).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_csv(pd.DataFrame({"group": ["=1+1", "-0.5"], "n": [-3, 4]}), path)
    >>> print(path.read_text(), end="")
    group,n
    '=1+1,-3
    -0.5,4
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = pd.DataFrame(
        {i: _safe_column(table.iloc[:, i]) for i in range(table.shape[1])}, index=table.index)
    safe.columns = [csv_cell(str(c) if not isinstance(c, tuple) else " ".join(map(str, c)))
                    for c in table.columns]
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
    """Write ``table`` as ``<results_dir>/<name>.csv``; does nothing when ``results_dir`` is None.

    Parameters
    ----------
    table
        The table; written with :func:`write_csv`.
    results_dir
        The results folder, or None to write nothing.
    name
        The table's name: the file stem.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_table(pd.DataFrame({"site": ["north"], "sessions": [96]}), folder, "sessions")
    >>> (folder / "sessions.csv").read_text().splitlines()
    ['site,sessions', 'north,96']
    """
    if results_dir is None:
        return
    write_csv(table, Path(results_dir) / f"{name}.csv")
