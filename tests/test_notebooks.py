"""The committed notebooks: executed, clean, parameterised, and runnable (nbval compares outputs)."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from nbclient import NotebookClient
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
def test_notebook_executes_without_error(path, tmp_path):
    # nbval passes a cell whose %magic fails; a real execution does not.
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source += f"\nresults_dir = {str(tmp_path)!r}"
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    assert any(tmp_path.iterdir()), "the notebook wrote no result table into results_dir"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_only_narrate(path):
    """No code cell decides what an audience may see: the library's policy does. Every number
    reaches the page through a Page (tables, sentences, charts), never printed or displayed."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or "parameters" in cell["metadata"].get("tags", []):
            continue
        source = "".join(cell["source"])
        assert not re.search(r"audience\s*[!=]=|if\s+funder|withhold|protect\(|min_cell\s+if|"
                             r"print\(|display\(|\.to_csv\(|write_table", source), source
        assert not re.search(r"say\(\s*f[\"']", source), "sentences take figures, not f-strings"


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
