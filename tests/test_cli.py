"""What `evalkit <command> --help` says about an existing output folder, and that it is true.

The rule the help states: an existing folder is replaced only while it holds exactly what
evalkit wrote there. Each clause is checked on the command itself: a folder evalkit wrote is
replaced; one with a file added, or a file of evalkit's changed, is refused with nothing written.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from tests.conftest import ROOT, SAMPLE

from evalkit.cli import build_parser, main

RULE = "replaced only while it holds exactly what evalkit wrote there"


def _help(command: str) -> str:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    return " ".join(sub[command].format_help().split())


@pytest.mark.parametrize("command", ["report", "pseudonymise", "export"])
def test_help_says_an_existing_folder_is_replaced_only_while_it_holds_what_evalkit_wrote(
        command):
    text = _help(command)
    assert RULE in text
    assert "which is replaced" not in text  # the old, unconditional wording


def test_report_help_names_what_makes_evalkit_refuse():
    text = _help("report")
    assert "with any other file in it, or a file changed since, nothing is written" in text
    assert ".evalkit-report" in text


@pytest.fixture
def pseudonymised(tmp_path):
    """A one-file data folder, a key and a first pseudonymised copy of it."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SAMPLE / "participants.csv", data)
    key = tmp_path / "keys" / "key.txt"
    assert main(["keygen", "--out", str(key)]) == 0
    out = tmp_path / "copy"
    assert main(["pseudonymise", str(data), str(out), "--key-file", str(key)]) == 0
    return data, key, out


def _again(data, key, out) -> int:
    return main(["pseudonymise", str(data), str(out), "--key-file", str(key)])


def test_pseudonymise_replaces_exactly_what_it_wrote(pseudonymised, capsys):
    data, key, out = pseudonymised
    (out / "participants.csv").unlink()  # a listed file that has gone loses nothing
    assert _again(data, key, out) == 0
    assert (out / "participants.csv").is_file()


def test_pseudonymise_refuses_a_folder_with_a_file_of_the_users(pseudonymised, capsys):
    data, key, out = pseudonymised
    (out / "notes.txt").write_text("mine")
    before = (out / "participants.csv").read_bytes()
    capsys.readouterr()
    assert _again(data, key, out) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "participants.csv").read_bytes() == before


def test_pseudonymise_refuses_a_folder_whose_file_was_changed(pseudonymised, capsys):
    data, key, out = pseudonymised
    changed = (out / "participants.csv").read_text() + "\n"
    (out / "participants.csv").write_text(changed)
    capsys.readouterr()
    assert _again(data, key, out) == 2
    assert "participants.csv" in capsys.readouterr().err
    assert (out / "participants.csv").read_text() == changed


def test_the_report_command_reads_notebooks_without_the_slow_iri_checker():
    # In a process of its own, as the command runs: the checker stays out, and nbformat still
    # validates (a notebook of the workbook passes, one with a cell of an unknown type fails).
    script = (
        "import sys\n"
        "from evalkit import cli\n"
        "cli._without_the_slow_iri_checker()\n"
        "import nbformat\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "nbformat.validate(nb)\n"
        "nb.cells[0]['cell_type'] = 'unknown'\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "except nbformat.ValidationError:\n"
        "    print('invalid refused')\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'))\n")
    notebook = ROOT / "notebooks" / "00_data_overview.ipynb"
    run = subprocess.run([sys.executable, "-c", script, str(notebook)],
                         capture_output=True, text=True, check=True)
    assert run.stdout.split("\n")[:2] == ["invalid refused", "None"]


def test_the_report_command_takes_the_block_away_when_it_ends(tmp_path):
    script = ("import sys\n"
              "from evalkit.cli import main\n"
              "main(['report', '--min-cell', '2'])\n"
              "print('rfc3987_syntax' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    assert run.stdout.strip() == "False"
