"""The committed notebooks: executed, clean, parameterised, and runnable (nbval compares outputs)."""

from __future__ import annotations

import ast
import json
import re

import nbformat
import pytest
from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PARAMETERS = ("data_dir", "results_dir", "audience", "min_cell", "period")


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_data_overview.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_is_executed_and_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    # Stripped notebooks would pass strict nbval with nothing compared: refuse them.
    assert all(c["execution_count"] is not None for c in code)
    assert sum(bool(c["outputs"]) for c in code) >= len(code) // 2
    assert "papermill" not in nb["metadata"]
    text = json.dumps([c["outputs"] for c in code])
    assert not re.search(r"/(work|root|home|tmp|Users)/", text), "an output shows a machine path"
    assert '"output_type": "error"' not in text
    assert '"name": "stderr"' not in text
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    for name in PARAMETERS:
        assert re.search(rf"^{name} = ", "".join(tagged[0]["source"]), re.M), name
    assert max(len("".join(c["source"]).splitlines()) for c in code) <= 25


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_without_error(path, sample_reports):
    # nbval passes a cell whose %magic fails; a real execution does not. The sample's internal
    # report is that execution (nbclient, which stops at the first error, on the notebook's own
    # audience), shared with the other tests that read it rather than repeated here.
    from evalkit.analyses import get

    report = sample_reports("internal")
    executed = nbformat.read(report / "notebooks" / path.name, as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert len(code) == sum(c.cell_type == "code" for c in nbformat.read(path, 4).cells) + 1
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.get("output_type") == "error"]
    source = "\n".join(c.source for c in code)
    written = {p.stem for p in (report / "results").glob("*.csv")}
    for name in re.findall(r'page\.run\("(\w+)"\)', source):
        assert written & {spec.name for spec in get(name).tables}, \
            f"{name}: the notebook wrote no result table into results_dir"


#: What a notebook cell may call: a Page, its methods, the policed tables' pickers, and the
#: library's chart and label functions. Anything else (print, display, pandas, arithmetic on
#: a value) would put a number on the page without the policy.
NOTEBOOK_CALLS = {"Page", "run", "table", "chart", "say", "fixed", "figure", "figures", "rows",
                  "where", "instrument_titles"}
#: What a notebook cell may import.
NOTEBOOK_IMPORTS = {"evalkit.publish.page", "evalkit.publish.charts", "evalkit.publish",
                    "evalkit.publish.labels"}


def narration_problems(source: str) -> list[str]:
    """Why a code cell does more than narrate (an allow-list read with ``ast``), or nothing.

    A cell may import the Page, charts and labels, assign, call the Page and the pickers of
    policed tables, loop over a literal list or a table's rows, and test ``.available``.
    A sentence's template is a literal, so no f-string or concatenation can carry a number
    past the policy; an f-string elsewhere (a chart title) may use only the names a loop over a
    literal list of labels binds.
    """
    tree = ast.parse(source)
    labels = {node.target.id for node in ast.walk(tree)
              if isinstance(node, ast.For) and isinstance(node.target, ast.Name)
              and isinstance(node.iter, ast.List | ast.Tuple)
              and all(isinstance(e, ast.Constant) for e in node.iter.elts)}
    problems = []
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            problems.append(f"{where}: import {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom) and node.module not in NOTEBOOK_IMPORTS:
            problems.append(f"{where}: imports from {node.module}")
        elif isinstance(node, ast.If) and not (isinstance(node.test, ast.Attribute)
                                               and node.test.attr == "available"):
            problems.append(f"{where}: decides with `if {ast.unparse(node.test)}`")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            on_label = (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                        and func.value.id in labels)
            if name not in NOTEBOOK_CALLS and not on_label:
                problems.append(f"{where}: calls {ast.unparse(func)}")
            if name == "say" and not (node.args and isinstance(node.args[0], ast.Constant)):
                problems.append(f"{where}: a sentence's template must be a literal string")
            if name == "fixed" and not (len(node.args) == 1 and isinstance(node.args[0],
                                                                           ast.Constant)):
                problems.append(f"{where}: a number of the method is a literal")
        elif isinstance(node, ast.JoinedStr):
            used = {n.id for v in node.values if isinstance(v, ast.FormattedValue)
                    for n in ast.walk(v.value) if isinstance(n, ast.Name)}
            if used - labels:
                problems.append(f"{where}: an f-string formats {sorted(used - labels)}")
        elif isinstance(node, ast.BinOp | ast.AugAssign | ast.Compare | ast.Subscript) and \
                not _is_table_pick(node):
            problems.append(f"{where}: computes `{ast.unparse(node)}`")
    return problems


def _is_table_pick(node: ast.AST) -> bool:
    """``results["table"]``: picking a policed table by its literal name."""
    return isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant | ast.Name)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_only_narrate(path):
    """No code cell decides what an audience may see: the library's policy does. Every number
    reaches the page through a Page (tables, sentences, charts), never printed or displayed."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or "parameters" in cell["metadata"].get("tags", []):
            continue
        assert not narration_problems("".join(cell["source"])), "".join(cell["source"])


@pytest.mark.parametrize("source", [
    "print(results['t'])",
    "import pandas as pd",
    "from evalkit.data.validate import load",
    "if audience == 'funder':\n    page.table(x)",
    "page.say(f'{n} people')",
    "page.say('{n} people ' + str(n))",
    "page.say(template, n=x)",
    "page.chart(charts.bars, x, title=f'{value} people')",
    "page.say('{n}', n=results['t'].figure('n') * 2)",
    "page.say('{n}', n=page.fixed(n))",
    "page.say('{n}', n=page.fixed(len(results)))",
    "results['t'].values.to_csv('out.csv')",
    "display(results['t'])",
])
def test_the_narration_check_refuses_cells_that_compute_or_decide(source):
    assert narration_problems(source), source


def test_the_narration_check_allows_what_the_notebooks_do():
    source = (
        "from evalkit.publish import charts\n"
        "results = page.run('attendance')\n"
        "for group in ['all', 'site']:\n"
        "    page.chart(charts.bars, results['t'].where(group_by=group), title=f'By {group}')\n"
        "if results['t'].available:\n"
        "    page.say('{n} people', n=results['t'].figure('n', group='a'))\n"
        "for row in results['t'].rows():\n"
        "    page.say('**{group}**: {n}', **row)\n"
        "page.say('{n} on the {scale} scale', scale=page.fixed('1-5'), n=page.fixed(38))\n")
    assert narration_problems(source) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_declare_analyses_that_exist(path):
    from evalkit.analyses import registry

    nb = json.loads(path.read_text(encoding="utf-8"))
    declared = nb["metadata"].get("evalkit", {}).get("analyses", [])
    known = registry()
    assert all(name in known for name in declared), declared
    source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    runs = re.findall(r'page\.run\("(\w+)"\)', source)
    assert runs, "a notebook runs at least one analysis"
    # What a notebook runs decides when the report may leave it out, so it must be declared
    # (the overview needs no particular file).
    assert set(runs) - {"overview"} == set(declared)


class _StartingManager:
    """A kernel manager whose kernel another thread is starting: stopping it fails the way
    jupyter_client's does then (its start-up future is already settled)."""

    def __init__(self, *args, **kwargs):
        self.has_kernel = True

    def shutdown_kernel(self, now=False):
        import asyncio
        raise asyncio.InvalidStateError("invalid state")


def test_an_error_that_stops_the_kernels_is_the_one_reported(monkeypatch, tmp_path):
    """A report refused or interrupted while its kernels start must end with its own error,
    never with the kernels' (a refused report once ended as an internal error)."""
    from evalkit.publish import notebooks

    monkeypatch.setattr(notebooks, "KernelManager", _StartingManager)
    pool = notebooks.KernelPool(tmp_path, 2)
    pool._context = notebooks._kernels(tmp_path, 2)
    pool.kernels = pool._context.__enter__()
    with pytest.raises(LookupError, match="refused"):
        try:
            raise LookupError("refused")
        except LookupError:
            pool.__exit__(*__import__("sys").exc_info())
            raise
    with pytest.raises(LookupError, match="refused"), notebooks._kernels(tmp_path, 1):
        raise LookupError("refused")
    # With nothing unwinding, a kernel that cannot be stopped is an error of its own.
    import asyncio
    with pytest.raises(asyncio.InvalidStateError), notebooks._kernels(tmp_path, 1):
        pass
