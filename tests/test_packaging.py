"""The workbook ships inside the package, and evalkit never runs notebooks from the current folder.

The slow test builds evalkit from a copy of this checkout, installs it into a fresh virtual
environment (dependencies come from the environment running the tests, so nothing is
downloaded), and renders a report from a folder that holds a notebook of its own.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from tests.conftest import ROOT, SAMPLE

from evalkit.publish import notebooks


def _planted_notebook(folder: Path, proof: Path) -> Path:
    """A notebook that looks like part of a workbook and writes ``proof`` when it runs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["evalkit"] = {"analyses": []}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Planted section"),
        nbformat.v4.new_code_cell("data_dir = None\nresults_dir = None\naudience = 'x'\n"
                                  "min_cell = 5\nperiod = None",
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(f"open({str(proof)!r}, 'w').write('ran')"),
    ]
    (folder / "notebooks").mkdir(parents=True, exist_ok=True)
    path = folder / "notebooks" / "00_x.ipynb"
    nbformat.write(nb, path)
    return path


def test_the_package_list_names_every_package():
    """pyproject.toml lists the packages (the workbook mapping needs that): none may be missing."""
    setuptools = pytest.importorskip("setuptools")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["evalkit.workbook"] == "notebooks"
    assert sorted(config["packages"]) == sorted(
        [*setuptools.find_packages(str(ROOT / "src")), "evalkit.workbook"])


def test_notebooks_in_the_current_folder_are_never_used(tmp_path, monkeypatch):
    _planted_notebook(tmp_path, tmp_path / "proof")
    monkeypatch.chdir(tmp_path)
    assert notebooks.notebook_dir() == ROOT / "notebooks"
    assert [p.parent for p in notebooks.workbook()] == [ROOT / "notebooks"] * 6


def _fresh_venv(folder: Path) -> Path:
    """A virtual environment that sees the dependencies of the one running the tests."""
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip",
                    str(folder)], check=True, timeout=120)
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # Only the folders themselves: .pth files in them (an editable evalkit) are not processed.
    Path(purelib, "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return python


@pytest.mark.slow  # about a minute: a build, an install and a one-section report
@pytest.mark.skipif(os.name == "nt", reason="the virtual environment layout is POSIX's")
def test_an_installed_evalkit_runs_its_own_workbook(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source / part)
    for part in ("src", "notebooks"):
        shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns(
            "__pycache__", "*.egg-info", ".ipynb_checkpoints"))
    python = _fresh_venv(tmp_path / "venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", str(source)],
                   check=True, env=env, cwd=tmp_path, timeout=300)
    installed = subprocess.run(
        [str(python), "-c", "from evalkit.publish.notebooks import notebook_dir; "
         "print(notebook_dir())"], check=True, capture_output=True, text=True, env=env,
        cwd=tmp_path).stdout.strip()
    assert Path(installed).parts[-2:] == ("evalkit", "workbook")
    assert "site-packages" in Path(installed).parts

    # A folder with its own notebooks/ and a small data folder (one section runs).
    work = tmp_path / "work"
    proof = tmp_path / "planted-notebook-ran"
    _planted_notebook(work, proof)
    (work / "data").mkdir()
    shutil.copy(SAMPLE / "practitioners.csv", work / "data")
    out = tmp_path / "report"  # outside the folder, so the old lookup could not refuse it
    done = subprocess.run([str(python.parent / "evalkit"), "report", "data", "--out", str(out)],
                          capture_output=True, text=True, env=env, cwd=work, timeout=600)
    assert done.returncode == 0, done.stderr
    page = (out / "report.html").read_text()
    assert 'id="about-the-data"' in page  # the workbook's own 00_data_overview ran
    assert "Planted section" not in page and not proof.exists()

    # The same from an editable install of the copy.
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", "-e", str(source)],
                   check=True, env=env, cwd=tmp_path, timeout=300)
    editable = subprocess.run(
        [str(python), "-c", "from evalkit.publish.notebooks import workbook; "
         "print('\\n'.join(str(p) for p in workbook()))"], check=True, capture_output=True,
        text=True, env=env, cwd=work).stdout.split()
    assert [Path(p).parent for p in editable] == [source / "notebooks"] * 6
