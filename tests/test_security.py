"""Attacks on what evalkit writes for readers, and the bad-input corpus of the privacy commands.

Part 1 feeds hostile labels to the escaping functions and checks the result with real parsers:
Python's HTML parser (through BeautifulSoup) and mistune, the Markdown renderer nbconvert uses.
Part 2 runs ``pseudonymise``, ``keygen`` and ``report`` on broken input: every case must exit
non-zero, say what is wrong, never print a value planted in the data, print no traceback and
leave every input file byte-for-byte as it was.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import string
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from tests.conftest import ROOT, SAMPLE

from evalkit.cli import main
from evalkit.io.escape import csv_cell, html_text, markdown_text, plain_text
from evalkit.io.outfolder import REPORT_MARKER
from evalkit.io.writer import write_csv
from evalkit.privacy.keys import KEY_HEADER, write_key

MARK = "Zq7Secret"

HOSTILE = [
    "2025<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
    "![x](http://evil.example/a.png)",
    "![x][r]\n\n[r]: http://evil.example/a.png",
    "[x]: http://evil.example",
    "<http://evil.example>",
    "http://evil.example/x.png",
    "www.evil.example",
    "someone@evil.example",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "`<img src=x>`",
    "```\ncode\n```",
    "$\\href{javascript:alert(1)}{x}$",
    "$$x$$",
    "\\(x\\)",
    "\\\\(x\\\\)",
    "@@1@@",
    "line\n# heading",
    "a\r\nb\u2028c",
    "\u202eevil\u202c text",
    "zero\u200bwidth\u2060joiner\ufeff",
    "=HYPERLINK(\"http://evil.example\")",
    "*emph* _u_ ~~s~~ **b**",
    "| a | b |",
    "<!-- comment -->",
    '<iframe src="http://evil.example">',
    '<a href="http://evil.example">x</a>',
    "    indented code",
    "> quote",
    "1. list",
    "- item",
    "<style>body{display:none}</style>",
    "data:text/html;base64,PHNjcmlwdD4=",
    "nul\x00bell\x07",
    "<<script>script>alert(1)<</script>/script>",
    "x" * 5000 + "<script>",
]


def _tags(fragment: str) -> list[str]:
    return [tag.name for tag in BeautifulSoup(fragment, "html.parser").find_all(True)]


def test_plain_text_removes_invisible_and_joins_lines():
    assert plain_text("\u202eevil\u202c text") == "evil text"
    assert plain_text("zero\u200bwidth\u2060joiner\ufeff") == "zerowidthjoiner"
    assert plain_text("a\r\nb\u2028c\td") == "a b c d"
    assert plain_text("nul\x00bell\x07") == "nulbell"
    assert plain_text(2025) == "2025"


@pytest.mark.parametrize("label", HOSTILE, ids=range(len(HOSTILE)))
def test_html_text_shows_literally_in_content_and_attributes(label):
    cell = BeautifulSoup(f"<td>{html_text(label)}</td>", "html.parser").td
    assert list(cell.children) == ([] if not plain_text(label) else [plain_text(label)])
    image = BeautifulSoup(f'<img alt="{html_text(label)}">', "html.parser").img
    assert image.attrs == {"alt": plain_text(label)}
    image = BeautifulSoup(f"<img alt='{html_text(label)}'>", "html.parser").img
    assert image.attrs == {"alt": plain_text(label)}


@pytest.mark.parametrize("label", HOSTILE, ids=range(len(HOSTILE)))
def test_html_text_stays_literal_inside_markdown(label):
    page = markdown2html_mistune(f"Wave <span>{html_text(label)}</span>")
    assert _tags(page) == ["p", "span"], page
    assert BeautifulSoup(page, "html.parser").span.get_text() == plain_text(label)


@pytest.mark.parametrize("label", HOSTILE, ids=range(len(HOSTILE)))
def test_markdown_text_renders_as_the_text(label):
    page = markdown2html_mistune(markdown_text(label))
    assert _tags(page) in (["p"], []), page
    assert BeautifulSoup(page, "html.parser").get_text().strip() == plain_text(label)
    # In a sentence and in a table cell, too.
    page = markdown2html_mistune(f"Wave **{markdown_text(label)}** had 5 people.")
    assert _tags(page) == ["p", "strong"], page
    table = markdown2html_mistune(f"| wave | n |\n|---|---|\n| {markdown_text(label)} | 5 |\n")
    assert "<img" not in table and "<a " not in table and "<script" not in table


_ENTITY = re.compile(r"&(?:#\d+|amp|lt|gt);")


@pytest.mark.parametrize("label", HOSTILE + [string.punctuation], ids=range(len(HOSTILE) + 1))
def test_markdown_text_escapes_every_punctuation_mark(label):
    """Independent of any renderer: CommonMark gives no meaning to an escaped punctuation mark
    or a character reference, so an output whose every ASCII punctuation mark is one of those
    cannot form syntax. Jupyter finds mathematics before Markdown runs, so ``$``, ``@@`` and a
    doubled backslash must not appear at all."""
    text = markdown_text(label)
    rest = _ENTITY.sub("", text)
    rest = re.sub(r"\\[!-/:-@\[-`{-~]", "", rest)
    assert not any(ch in string.punctuation for ch in rest), rest
    assert "$" not in text and "@@" not in text and "\\\\" not in text
    assert "\n" not in text and "\r" not in text


def test_escaping_very_long_labels_is_fast():
    label = "<a>" * 200_000 + "\n" * 1000
    started = time.perf_counter()
    html_text(label), markdown_text(label), csv_cell("=" + label)
    assert time.perf_counter() - started < 1.0


FORMULAS = [
    '=HYPERLINK("http://evil.example","x")', "=1+1", "+cmd|' /C calc'!A0", "-1+1", "-2*3",
    "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "\n=1+1", "  =1+1", "- 1", "-",
    "+", "=", "@", "-inf", "\uff1d1+1", "\u22121+1", "-1,5", "-0.5abc",
]
HARMLESS = ["-0.5", "-1", "+5", "0.5", "-1e3", "-.5", "35-44", "55+", "<1", "10+", "north",
            "post_vs_pre", "2024-03-01", "", "'=already", "a=b", "x-1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_cell_escapes_formulas(value):
    assert csv_cell(value) == "'" + value.replace("\r", "\n")


def test_a_carriage_return_cannot_start_a_new_row(tmp_path):
    """A lone CR is not quoted by a writer that ends rows with LF; a spreadsheet would start a
    new row there, whose first cell is an unescaped formula."""
    table = pd.DataFrame({"group": ["north\r=HYPERLINK(\"http://evil.example\")", "south"],
                          "n": [5, 6]})
    path = write_csv(table, tmp_path / "t.csv")
    for newline in ("", None):  # the csv module, and a reader that splits on any line end
        with path.open(encoding="utf-8", newline=newline) as handle:
            rows = list(csv.reader(handle))
        if newline == "":
            assert len(rows) == 3 and rows[1][1] == "5"
    assert b"\r" not in path.read_bytes()


@pytest.mark.parametrize("value", HARMLESS)
def test_csv_cell_keeps_numbers_and_plain_text(value):
    assert csv_cell(value) == value


def test_csv_cell_leaves_non_text_alone():
    for value in (-0.5, -3, float("nan"), None, True, pd.NA):
        assert csv_cell(value) is value


def test_write_csv_escapes_every_text_cell_and_header(tmp_path):
    table = pd.DataFrame({
        "group": FORMULAS,
        "label": pd.array(FORMULAS, dtype="string"),
        "category": pd.Categorical(FORMULAS),
        "share": [-0.5] * len(FORMULAS),
        "n": [-3] * len(FORMULAS),
    })
    table["=cmd|' /C calc'!A0"] = "x"
    path = write_csv(table, tmp_path / "t.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-1] == "'=cmd|' /C calc'!A0"
    for row in rows[1:]:
        for cell in row[:3]:
            assert cell.startswith("'"), cell
        assert row[3] == "-0.5" and row[4] == "-3"
    back = pd.read_csv(path)
    assert back["share"].dtype.kind == "f" and back["n"].dtype.kind == "i"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no staging file left


def test_write_csv_keeps_numbers_written_as_text(tmp_path):
    table = pd.DataFrame({"value": ["-0.5", "12", "-1e3", "=1"]})
    path = write_csv(table, tmp_path / "t.csv")
    assert path.read_text().splitlines() == ["value", "-0.5", "12", "-1e3", "'=1"]


# --- part 2: the bad-input corpus ---------------------------------------------------------------


def _tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its content hash and permissions (links as targets)."""
    digest = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            digest[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            digest[rel] = (hashlib.sha256(path.read_bytes()).hexdigest()
                           + oct(path.stat().st_mode & 0o777))
        else:
            digest[rel] = "dir"
    return digest


@dataclass
class World:
    root: Path
    data: Path
    key: Path

    def edit(self, name: str, text: str) -> None:
        (self.data / name).write_text(text, encoding="utf-8")

    def key_with(self, text: str, mode: int = 0o600, name: str = "bad.key") -> Path:
        path = self.root / "keys" / name
        path.write_text(text)
        os.chmod(path, mode)
        return path


@dataclass
class Case:
    id: str
    setup: Callable[[World], list[str]]
    expect: str  # a fragment of the message that says what is wrong
    status: int = 2


ATTENDANCE_HEAD = "participant_id,session_id,status\n"


def _pseudo(world, *extra, key=None, out=None):
    return ["pseudonymise", str(world.data), str(out or world.root / "pseudo"),
            "--key-file", str(key or world.key), *map(str, extra)]


def _report(world, *extra, out=None):
    return ["report", str(world.data), "--out", str(out or world.root / "report"),
            *map(str, extra)]


def _edit_then(name, text, make_args):
    def setup(world):
        world.edit(name, text)
        return make_args(world)
    return setup


def _existing_output(world):
    out = world.root / "pseudo"
    assert main(_pseudo(world, out=out)) == 0
    return out


def _other_key_on_existing_output(world):
    _existing_output(world)
    return _pseudo(world, key=write_key(world.root / "keys" / "other.key"))


def _out_folder_with_files(world):
    folder = world.root / "Documents"
    folder.mkdir()
    (folder / "letter.txt").write_text(MARK)
    return folder


def _symlinked_key(world):
    os.chmod(world.key, 0o644)
    link = world.root / "link.key"
    link.symlink_to(world.key)
    return _pseudo(world, key=link)


def _report_out_link(world):
    target = world.root / "real-report"
    target.mkdir()
    link = world.root / "link-report"
    link.symlink_to(target)
    return _report(world, out=link)


def _file_out(world):
    path = world.root / "report.html"
    path.write_text(MARK)
    return path


CASES = [
    # pseudonymise: headers and columns
    Case("variant_header", _edit_then("attendance.csv",
         f"ParticipantID,session_id,status\n{MARK},c01-w01,attended\n", _pseudo),
         "column 'participant_id': required column is missing"),
    Case("hyphen_header", _edit_then("attendance.csv",
         f"participant-id,session_id,status\n{MARK},c01-w01,attended\n", _pseudo),
         "rename its header to exactly 'participant_id'"),
    Case("headerless", _edit_then("attendance.csv", f"{MARK},c01-w01,attended\n", _pseudo),
         "attendance.csv: the first row holds none of this file's column names, so the file has no header row"),
    Case("headerless_identifiers", _edit_then(
         "practitioners.csv", f"{MARK} Smith,07700 900123,AB123456C,SW1A 1AA,1984-03-02,x\n",
         _pseudo), "practitioners.csv: the first row holds none of this file's column names"),
    Case("repeated_id_column", _edit_then("attendance.csv",
         f"participant_id,session_id,status,Participant_ID\np1,c01-w01,attended,{MARK}\n",
         _pseudo), "appears more than once"),
    Case("missing_column", _edit_then("attendance.csv", f"participant_id,status\n{MARK},late\n",
         _pseudo), "column 'session_id': required column is missing"),
    Case("ni_number_in_label", _edit_then("sessions.csv",
         "session_id,cohort_id,site,programme_week,module,module_session,session_date,"
         f"delivery_mode,facilitator_ids,cancelled\nc1,c1,AB123456C {MARK},1,m,1,2024-01-01,"
         "group,s01,false\n", _pseudo), "column 'site', row 2"),
    Case("email_in_session_id", _edit_then("attendance.csv",
         ATTENDANCE_HEAD + f"p1,{MARK}@example.org,attended\n", _pseudo),
         "column 'session_id', row 2"),
    Case("keep_identifier_column", _edit_then("attendance.csv",
         f"participant_id,session_id,status,surname\np1,c01-w01,attended,{MARK}\n",
         lambda w: _pseudo(w, "--keep-column", "surname")), "looks like a person's name"),
    Case("keep_column_with_phone", _edit_then("attendance.csv",
         f"participant_id,session_id,status,score\np1,c01-w01,attended,07700 900123 {MARK}\n",
         lambda w: _pseudo(w, "--keep-column", "score")), "column 'score', row 2"),
    Case("keep_unknown_column", lambda w: _pseudo(w, "--keep-column", "scroe"),
         "--keep-column names no extra column"),
    Case("no_input", lambda w: ["pseudonymise", str(w.root / "absent"), str(w.root / "o"),
                                "--key-file", str(w.key)], "data folder not found"),
    Case("no_evalkit_files", lambda w: (w.root.joinpath("empty").mkdir(), [
         "pseudonymise", str(w.root / "empty"), str(w.root / "o"), "--key-file", str(w.key)])[1],
         "holds none of evalkit's files"),
    # pseudonymise: keys
    Case("missing_key", lambda w: _pseudo(w, key=w.root / "absent.key"), "key file not found"),
    Case("world_readable_key", lambda w: _pseudo(w, key=w.key_with(
         f"{KEY_HEADER}\n{os.urandom(32).hex()}\n", 0o644)), "chmod 600"),
    Case("group_readable_key", lambda w: _pseudo(w, key=w.key_with(
         f"{KEY_HEADER}\n{os.urandom(32).hex()}\n", 0o640)), "can be read or changed by other"),
    Case("key_without_header", lambda w: _pseudo(w, key=w.key_with(os.urandom(32).hex())),
         "is not an evalkit key"),
    Case("random_text_key", lambda w: _pseudo(w, key=w.key_with(f"{MARK} " * 20)),
         "is not an evalkit key"),
    Case("hand_made_key", lambda w: _pseudo(w, key=w.key_with(f"{KEY_HEADER}\n{'0' * 64}\n")),
         "is not random"),
    Case("symlink_to_readable_key", _symlinked_key, "other users"),
    Case("key_link_loop", lambda w: (w.root.joinpath("a.key").symlink_to(w.root / "b.key"),
         w.root.joinpath("b.key").symlink_to(w.root / "a.key"),
         _pseudo(w, key=w.root / "a.key"))[2], "loop of symbolic links"),
    Case("out_link_loop", lambda w: (w.root.joinpath("l1").symlink_to(w.root / "l2"),
         w.root.joinpath("l2").symlink_to(w.root / "l1"),
         _report(w, out=w.root / "l1" / "rep"))[2], "loop of symbolic links"),
    Case("key_in_data_folder", lambda w: _pseudo(w, key=write_key(w.data / "evalkit.key")),
         "lies inside"),
    Case("other_key_on_existing_output", _other_key_on_existing_output, "made with another key"),
    # pseudonymise: output folder
    Case("output_inside_input", lambda w: _pseudo(w, out=w.data / "pseudo"),
         "lies inside the input folder"),
    Case("output_is_input", lambda w: _pseudo(w, out=w.data), "it is the input folder"),
    Case("output_contains_input", lambda w: _pseudo(w, out=w.root), "contains the input folder"),
    Case("output_not_ours", lambda w: _pseudo(w, out=_out_folder_with_files(w)),
         "choose an empty or new folder"),
    Case("output_is_a_file", lambda w: _pseudo(w, out=_file_out(w)), "is a file, not a folder"),
    # report options
    Case("min_cell_1_funder", lambda w: _report(w, "--min-cell", 1), "--min-cell must be at least 3"),
    Case("min_cell_2_internal", lambda w: _report(w, "--min-cell", 2, "--audience", "internal"),
         "--min-cell must be at least 3"),
    Case("min_cell_negative", lambda w: _report(w, "--min-cell=-5"), "--min-cell"),
    Case("period_not_a_range", lambda w: _report(w, "--period", "2024"), "--period must be FROM:TO with two months"),
    Case("period_reversed", lambda w: _report(w, "--period", "2025-01:2024-01"), "FROM is after TO"),
    Case("period_bad_month", lambda w: _report(w, "--period", "2024-13:2024-14"),
         "not a real month"),
    Case("period_empty", lambda w: _report(w, "--period", ":"), "--period must be FROM:TO with two months"),
    Case("title_two_lines", lambda w: _report(w, "--title", "a\nb"), "--title must be one line"),
    Case("title_empty", lambda w: _report(w, "--title", "  "), "--title is empty"),
    Case("title_too_long", lambda w: _report(w, "--title", "x" * 500), "longer than"),
    # report --out
    Case("out_is_data", lambda w: _report(w, out=w.data), "it is the data folder"),
    Case("out_contains_data", lambda w: _report(w, out=w.root), "contains the data folder"),
    Case("out_inside_data", lambda w: _report(w, out=w.data / "rep"), "lies inside the data"),
    Case("out_is_a_file", lambda w: _report(w, out=_file_out(w)), "is a file, not a folder"),
    Case("out_not_ours", lambda w: _report(w, out=_out_folder_with_files(w)),
         "choose an empty or new folder"),
    Case("out_is_a_link", _report_out_link, "symbolic link"),
    Case("out_in_checkout", lambda w: _report(w, out=ROOT / "src" / "rep"),
         "lies inside the evalkit checkout"),
    Case("out_is_home", lambda w: _report(w, out=Path.home()), "your home folder"),
    # keygen
    Case("keygen_existing", lambda w: ["keygen", "--out", str(w.key)], "exists already"),
    Case("keygen_over_link", lambda w: (w.root.joinpath("dangling.key").symlink_to(
         w.root / "nowhere"), ["keygen", "--out", str(w.root / "dangling.key")])[1],
         "exists already"),
    Case("keygen_in_checkout", lambda w: ["keygen", "--out", str(ROOT / "keys" / "k.key")],
         "refusing to create a key inside"),
    Case("keygen_parent_is_file", lambda w: ["keygen", "--out", str(_file_out(w) / "k.key")],
         "cannot create the key file"),
]


@pytest.fixture
def world(tmp_path, tmp_path_factory, sample_copy, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    key = write_key(tmp_path / "keys" / "evalkit.key")
    return World(tmp_path, sample_copy, key)


def test_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_clearly(case: Case, world: World, capsys):
    argv = case.setup(world)
    capsys.readouterr()
    before = _tree_digest(world.root)
    status = main(argv)
    out, err = capsys.readouterr()
    text = out + err
    assert status == case.status, text
    assert case.expect in text, text
    assert MARK not in text
    assert "Traceback" not in text
    # Nothing was written, changed or deleted: not the data, the keys nor any folder.
    assert _tree_digest(world.root) == before
    assert not any(".evalkit-staging" in p.name for p in world.root.rglob("*"))


def test_report_refuses_an_unsafe_out_as_a_command(world):
    """The whole program, as a user runs it: one message, exit 2, no traceback."""
    target = _file_out(world)
    done = subprocess.run([sys.executable, "-m", "evalkit.cli", "report", str(world.data),
                           "--out", str(target)], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert done.returncode == 2
    assert "is a file, not a folder" in done.stderr and "Traceback" not in done.stderr
    assert target.read_text() == MARK


def test_unexpected_errors_hide_their_text(world, capsys, monkeypatch):
    from evalkit.privacy import pseudonymise

    def broken(*args, **kwargs):
        raise ValueError(f"could not convert {MARK!r}")

    monkeypatch.setattr(pseudonymise, "pseudonymise_folder", broken)
    assert main(_pseudo(world)) == 3
    err = capsys.readouterr().err
    assert "unexpected internal error (ValueError)" in err and "EVALKIT_DEBUG=1" in err
    assert MARK not in err and "Traceback" not in err
    monkeypatch.setenv("EVALKIT_DEBUG", "1")
    with pytest.raises(ValueError, match=MARK):
        main(_pseudo(world))


def test_options_are_checked_before_any_work(world, capsys, monkeypatch):
    from evalkit.publish import report

    monkeypatch.setattr(report, "render_report", lambda *a, **k: pytest.fail("work started"))
    assert main(_report(world, "--min-cell", "2", "--period", "2024-01:2024-12")) == 2


def test_period_and_title_reach_the_report(world, monkeypatch):
    from evalkit.publish import report

    seen = {}
    monkeypatch.setattr(report, "render_report", lambda *a, **k: seen.update(k))
    assert main(_report(world, "--period", "2024-01:2024-12", "--title", "Wave 2025")) == 0
    assert seen["period"] == "2024-01:2024-12" and seen["title"] == "Wave 2025"
    seen.clear()
    assert main(_report(world)) == 0
    assert seen["period"] is None and seen["title"] is None
    assert seen["min_cell"] == 5


def test_a_report_replaces_only_its_own_folder(world, monkeypatch, capsys):
    """End to end with a one-cell workbook: an earlier report is replaced while it holds only
    what evalkit wrote; once the user saves a file in it, it is refused and nothing changes."""
    import nbformat

    from evalkit.publish import report

    folder = world.root / "nb"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "data_dir = None\nresults_dir = None\naudience = 'x'\nmin_cell = 5",
        metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, folder / "00_data_overview.ipynb")
    monkeypatch.setattr(report, "workbook", lambda: sorted(folder.glob("*.ipynb")))
    monkeypatch.setattr(report, "notebook_dir", lambda: folder)
    out = world.root / "report"
    report.render_report(world.data, out_dir=out, show_progress=False)
    first = (out / "report.html").stat().st_ino
    report.render_report(world.data, out_dir=out, show_progress=False)
    assert (out / "report.html").stat().st_ino != first  # replaced
    assert (out / REPORT_MARKER).is_file() and (out / "results" / "codebook.csv").is_file()
    assert sorted(p.name for p in world.root.iterdir() if p.name.startswith(".")) == []
    (out / "board-notes.docx").write_text(MARK)
    before = _tree_digest(out)
    capsys.readouterr()
    assert main(_report(world)) == 2
    err = capsys.readouterr().err
    assert "board-notes.docx" in err and MARK not in err
    assert _tree_digest(out) == before


def test_pseudonymise_again_keeps_the_files_the_user_added(world, capsys):
    out = _existing_output(world)
    assert main(_pseudo(world, out=out)) == 0  # its own output, untouched: replaced
    (out / "my_analysis.R").write_text(MARK)
    (out / "reports").mkdir()
    before = _tree_digest(out)
    capsys.readouterr()
    assert main(_pseudo(world, out=out)) == 2
    err = capsys.readouterr().err
    assert "my_analysis.R" in err and "reports/" in err and "choose another OUT_DIR" in err
    assert MARK not in err
    assert _tree_digest(out) == before
    # A pseudonymised file the user edited counts as theirs too.
    (out / "my_analysis.R").unlink()
    (out / "reports").rmdir()
    with (out / "attendance.csv").open("a") as handle:
        handle.write("pa_0000000000000000,c01-w01,attended\n")
    assert main(_pseudo(world, out=out)) == 2
    assert "attendance.csv" in capsys.readouterr().err


def test_sample_input_is_never_touched():
    before = _tree_digest(SAMPLE)
    assert main(["report", str(SAMPLE), "--out", str(SAMPLE / "r")]) == 2
    assert _tree_digest(SAMPLE) == before
