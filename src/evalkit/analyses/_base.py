"""What an analysis declares: the files it needs, the tables it publishes, how it computes them."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from ..data.dataset import Dataset
from ..errors import EvalkitError
from ..publish.tables import TableSpec

#: What ``compute`` returns for each declared table: the exact result, or a sentence saying why
#: the table cannot be made from this folder.
Computed = Mapping[str, "pd.DataFrame | str"]


@dataclass(frozen=True)
class Analysis:
    """One question the workbook answers.

    Parameters
    ----------
    name
        Short name (the module's), used by notebooks: ``page.run("attendance")``.
    title
        What the analysis is about, for messages.
    tables
        Every result table it can publish.
    compute
        ``compute(dataset, *, min_cell) -> {table name: DataFrame or reason}``.
    needs
        Files that must all be present.
    needs_any
        Files of which at least one must be present.
    """

    name: str
    title: str
    tables: tuple[TableSpec, ...]
    compute: Callable[..., Computed]
    needs: tuple[str, ...] = ()
    needs_any: tuple[str, ...] = ()

    def missing(self, dataset: Dataset) -> str:
        """Why the analysis cannot run on ``dataset`` ("" when it can)."""
        absent = [n for n in self.needs if not dataset.has(n)]
        if absent:
            return "needs " + " and ".join(f"{n}.csv" for n in absent)
        if self.needs_any and not any(dataset.has(n) for n in self.needs_any):
            return "needs " + " or ".join(f"{n}.csv" for n in self.needs_any)
        return ""

    def spec(self, name: str) -> TableSpec:
        for spec in self.tables:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.name} publishes no table {name!r}")


def registry() -> dict[str, Analysis]:
    """Every analysis in :mod:`evalkit.analyses`, found by module (each defines ``ANALYSIS``)."""
    from .. import analyses

    found = {}
    for info in pkgutil.iter_modules(analyses.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{analyses.__name__}.{info.name}")
        analysis = getattr(module, "ANALYSIS", None)
        if isinstance(analysis, Analysis):
            found[analysis.name] = analysis
    return found


def get(name: str) -> Analysis:
    """The analysis called ``name``."""
    analyses = registry()
    if name not in analyses:
        raise EvalkitError(f"no analysis called '{name}'; known: {', '.join(sorted(analyses))}")
    return analyses[name]
