"""Project hygiene: pins agree, the data dictionary is current, the README is true."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT

from evalkit.data.datadict import render


def test_constraints_and_environment_pin_the_same_versions():
    sys.path.insert(0, str(ROOT / "tools"))
    import pins

    a = pins.parse_pins((ROOT / "constraints.txt").read_text())
    b = pins.parse_pins((ROOT / "environment.yml").read_text())
    assert a and a == b
    for direct in ("pandas", "matplotlib", "nbval", "nbclient", "jupyterlab", "numpydoc"):
        assert direct in a, direct
    assert a["pandas"].startswith("3.")


def test_data_dictionary_is_current():
    assert (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8") == render(), (
        "docs/data-dictionary.md is stale: run 'make datadict'")


def test_readme_quick_start_has_exactly_two_commands_that_exist():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [ln.split("#")[0].strip() for ln in block.strip().splitlines()]
    assert commands == ["make report", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    for target in ("report", "test", "lab", "bench", "venv"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci


def test_gitignore_keeps_data_and_reports_out():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    for line in ("reports/", "data/*", "!data/sample/", ".ipynb_checkpoints/"):
        assert line in ignored
    tracked = subprocess.run(["git", "ls-files", "data"], cwd=ROOT, capture_output=True,
                             text=True).stdout.split()
    assert all(p.startswith("data/sample/") for p in tracked)


def test_readme_python_examples_run():
    """The README's library examples are run as written (from the project folder)."""
    import os

    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert len(blocks) >= 2
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        namespace: dict = {}
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
    finally:
        os.chdir(here)
    assert namespace["pre_post"]["n"].iloc[0] == 4
    assert "text" in dir(namespace["tables"]["attendance_by_group"])


def test_readme_spec_example_is_the_sample_spec_shortened():
    import tomllib

    readme = (ROOT / "README.md").read_text()
    example = tomllib.loads(re.search(r"```toml\n(.*?)```", readme, re.S).group(1))
    shipped = tomllib.loads((ROOT / "data/sample/instruments/partner_safety.toml").read_text())
    for key, value in example.items():
        assert shipped[key] == value, key
