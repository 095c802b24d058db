"""Writing result tables from notebooks into a results folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

AUDIENCES = ("internal", "funder")


def write_table(table: pd.DataFrame, results_dir: str | Path | None, name: str) -> None:
    """Write ``table`` as ``<results_dir>/<name>.csv``; does nothing when ``results_dir`` is None.

    Notebooks call this for every result table so that a notebook run alone writes nothing, and a
    report run collects every table. Disclosure control is applied before this is called, by the
    notebook, through :mod:`evalkit.disclosure` for the funder audience.
    """
    if results_dir is None:
        return
    folder = Path(results_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    table.to_csv(path, index=False, lineterminator="\n")
