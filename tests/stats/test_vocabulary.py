"""One statistics vocabulary, pingouin's: ``data, *, dv, within, between, subject``.

Every public function of ``evalkit.stats`` and of the analyses (not the charts, which follow
seaborn's ``x``/``hue``/``by``) names its grouping columns ``between`` and its outcome ``dv``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import evalkit.analyses
import evalkit.stats

#: Names of the older vocabularies that pingouin's replaced.
RETIRED = {"by", "factors", "factor", "value", "outcome", "wave", "time"}


def _public_functions():
    for package in (evalkit.stats, evalkit.analyses):
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if not name.startswith("_") and function.__module__ == module.__name__:
                    yield f"{module.__name__}.{name}", function


def test_no_statistics_function_takes_a_retired_keyword():
    found = {name: sorted(RETIRED & set(inspect.signature(function).parameters))
             for name, function in _public_functions()}
    assert {name: words for name, words in found.items() if words} == {}


def test_the_renamed_helpers_take_between():
    from evalkit.analyses import attendance, secondary_trauma, tables

    for function in (attendance.attendance_rates, attendance.attendance_by_group,
                     attendance.retention, attendance.retention_milestones, attendance.logrank,
                     secondary_trauma.distribution_by_group, secondary_trauma.group_comparisons,
                     tables.modal_counts):
        parameter = inspect.signature(function).parameters["between"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, function.__name__
    assert "dv" in inspect.signature(tables.modal_counts).parameters
