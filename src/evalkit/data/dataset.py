"""The typed tables of one data folder."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..errors import Problem
from .contracts import CONTRACTS


@dataclass
class Dataset:
    """The typed tables of one data folder; a table is ``None`` when its file is absent.

    Attributes are named after the files (``participants``, ``attendance``, ...). ``notices``
    holds warnings that did not stop loading (ignored columns, unknown files).
    """

    source: str
    tables: dict[str, pd.DataFrame | None]
    notices: list[Problem] = field(default_factory=list)

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        tables = self.__dict__.get("tables", {})
        if name in CONTRACTS:
            return tables.get(name)
        raise AttributeError(name)

    def has(self, *names: str) -> bool:
        """True when every named file is present."""
        return all(self.tables.get(n) is not None for n in names)

    @property
    def present(self) -> list[str]:
        return [n for n in CONTRACTS if self.tables.get(n) is not None]

    def summary(self) -> pd.DataFrame:
        """One row per known file: present or not, rows, columns and the span of its dates."""
        rows = []
        for name, contract in CONTRACTS.items():
            table = self.tables.get(name)
            first = last = None
            if table is not None:
                spans = [_date_span(table[c.name]) for c in contract.columns
                         if c.kind in ("date", "month") and c.name in table]
                spans = [s for s in spans if s is not None]
                if spans:
                    first = min(s[0] for s in spans)
                    last = max(s[1] for s in spans)
            rows.append(
                {
                    "file": contract.filename,
                    "present": table is not None,
                    "rows": 0 if table is None else len(table),
                    "first_date": first,
                    "last_date": last,
                }
            )
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}={len(self.tables[n])}" for n in self.present)
        return f"Dataset({parts})"


def _date_span(series: pd.Series) -> tuple[str, str] | None:
    values = series.dropna()
    if values.empty:
        return None
    if isinstance(series.dtype, pd.PeriodDtype):
        return str(values.min()), str(values.max())
    return values.min().strftime("%Y-%m-%d"), values.max().strftime("%Y-%m-%d")

