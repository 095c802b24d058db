"""What a notebook can show (Page) and what the report keeps of it (Document)."""

from __future__ import annotations

import os
import shutil

import nbformat
import pandas as pd
import pytest
from tests.conftest import ROOT, SAMPLE

from evalkit.analyses.tables import Col, TableSpec
from evalkit.publish.document import CSP, Document, FrontPage, markdown_html
from evalkit.publish.page import MARK, Page, parse_period
from evalkit.publish.policy import Policy

HOSTILE = '2025<img src=x onerror="alert(1)">![beacon](http://example.org/x.png)'
SPEC = TableSpec("waves", "Waves", (Col("wave", "label", "wave"), Col("n", "people", "n"),
                                    Col("mean", "statistic", "mean", rests_on=("n",)))
                 ).for_funder(wave="shown", n="rounded", mean="mean")


@pytest.fixture
def shown():
    frame = pd.DataFrame({"wave": [HOSTILE, "2024"], "n": [12, 3], "mean": [2.5, 3.0]})
    return Policy("funder", 5).apply(frame, SPEC)


@pytest.fixture
def outputs(monkeypatch):
    """Capture what a Page displays instead of sending it to a kernel."""
    captured = []

    def fake_display(bundle, raw, metadata):
        captured.append({"output_type": "display_data", "data": bundle, "metadata": metadata})

    monkeypatch.setattr("IPython.display.display", fake_display)
    return captured


@pytest.fixture(scope="module")
def sample_page():
    return Page(SAMPLE, audience="funder")


def test_say_refuses_plain_numbers_and_strings(sample_page, outputs):
    with pytest.raises(TypeError, match="Figure"):
        sample_page.say("{n} people", n=12)
    with pytest.raises(TypeError):
        sample_page.say("{rate}", rate=0.5)
    # A string is refused too: str(12) or a formatted number would otherwise pass as a label.
    with pytest.raises(TypeError, match="not str"):
        sample_page.say("{n} people", n="12")
    assert outputs == []


def test_say_refuses_a_sentence_whose_own_words_hold_a_digit(sample_page, outputs):
    n = sample_page.run("delivery")["delivery_fidelity"].figure("sessions", module_session=1)
    secret = 1927  # a number computed from the data, put in with an f-string
    for sentence in (f"{secret} people attended.", "In 2024 {n} sessions ran.", "{n} of 5",
                     "\u0664 people"):  # an Arabic-Indic four is a digit too
        with pytest.raises(ValueError, match="digit") as caught:
            sample_page.say(sentence, n=n)
        assert str(secret) not in str(caught.value) and "2024" not in str(caught.value)
    with pytest.raises(TypeError, match="str"):
        sample_page.say(None)
    assert outputs == []


def test_say_allows_digits_in_format_specs_and_numbers_of_the_method(sample_page, outputs):
    rate = sample_page.run("attendance")["attendance_summary"].figure(metric="attendance_rate")
    sample_page.say("{rate:.0%} attended; at least {cut:.0%} counts as complete "
                    "on the {scale} scale.", rate=rate, cut=sample_page.fixed(0.8),
                    scale=sample_page.fixed("1-5"))
    text = outputs[0]["data"]["text/markdown"]
    # the rate is the policed figure (whole percent); 0.8 reads 80%; "1-5" is escaped Markdown
    shown_rate = f"{rate.value:.0%}".replace("%", "\\%")
    assert rate.shown and text == (f"{shown_rate} attended; at least 80\\% counts as complete "
                                   "on the 1\\-5 scale.")
    assert f"{sample_page.fixed(38)}" == "38" and str(sample_page.fixed(0.25)) == "0.25"
    with pytest.raises(TypeError):
        sample_page.fixed(True)


def test_say_escapes_data_borne_text(sample_page, shown, outputs):
    sample_page.say("Wave {wave} had {n} forms.", wave=shown.figure("wave", n=10),
                    n=shown.figure("n", wave="2024"))
    html = markdown_html(outputs[0]["data"]["text/markdown"])
    assert "<img" not in html and "src=" not in html.replace("src=x", "") and "href=" not in html
    assert "&lt;img" in html and "&lt;5 forms" in html


def test_tables_escape_labels_and_show_no_nan_or_row_numbers(sample_page, shown, outputs):
    sample_page.table(shown)
    html = outputs[0]["data"]["text/html"]
    assert "<img" not in html and "&lt;img" in html
    assert "NaN" not in html and "<NA>" not in html and "None" not in html
    assert "<th scope=\"col\">wave</th>" in html and ">0<" not in html
    assert "&lt;5" in html and "\u2014" in html  # the small count and the withheld mean
    assert "withheld to protect small numbers" in html and "rounded to the nearest 5" in html


def test_every_output_is_marked_and_charts_carry_alt_text(sample_page, outputs):
    from evalkit.publish import charts

    attendance = sample_page.run("attendance")
    sample_page.chart(charts.rate_by_week, attendance["attendance_by_week"])
    sample_page.table(attendance["attendance_by_week"])
    assert all(MARK in o["metadata"] for o in outputs)
    chart = outputs[0]
    alt = chart["metadata"]["image/png"]["alt"]
    assert alt.startswith("Line chart of the share of scheduled participants")
    assert "No description" not in alt


def test_a_chart_without_alt_text_is_refused(sample_page, outputs):
    def bare(data, ax):
        return ax

    attendance = sample_page.run("attendance")
    with pytest.raises(ValueError, match="alt text"):
        sample_page.chart(bare, attendance["attendance_by_week"])


def test_a_chart_refuses_tables_that_did_not_go_through_the_policy(sample_page, outputs):
    """Per-person rows passed as an option (one line per practitioner) would bypass the funder
    policy: only tables from page.run are drawn."""
    from evalkit.publish import charts

    discomfort = sample_page.run("discomfort")
    raw = discomfort["discomfort_people"].values  # a plain DataFrame
    with pytest.raises(TypeError, match="pairs"):
        sample_page.chart(charts.means_by_wave, discomfort["discomfort_means"], pairs=raw)
    with pytest.raises(TypeError, match="data"):
        sample_page.chart(charts.means_by_wave, discomfort["discomfort_means"].values)


def test_internal_tables_say_so_for_a_funder_instead_of_drawing(sample_page, outputs):
    from evalkit.publish import charts

    attendance = sample_page.run("attendance")
    sample_page.chart(charts.attendance_heatmap, attendance["attendance_matrix"])
    assert "image/png" not in outputs[0]["data"]
    assert "internal reports only" in outputs[0]["data"]["text/markdown"]


def test_results_and_codebook_cover_every_written_table(tmp_path):
    page = Page(SAMPLE, results_dir=tmp_path, audience="funder")
    published = page.run("attendance")
    codebook = pd.read_csv(tmp_path / "codebook.csv", keep_default_na=False)
    written = sorted(p.stem for p in tmp_path.glob("*.csv") if p.stem != "codebook")
    assert written == sorted(n for n, t in published.items() if t.available)
    for name in written:
        columns = list(pd.read_csv(tmp_path / f"{name}.csv", nrows=0).columns)
        described = codebook.loc[codebook["table"] == name, "column"].unique().tolist()
        assert described == columns, name
    metrics = codebook[(codebook["table"] == "attendance_summary") & (codebook["metric"] != "")]
    assert "attendance_rate" in set(metrics["metric"])
    assert not (tmp_path / "follow_up.csv").exists()  # internal only


@pytest.mark.parametrize("bad", ["2024-01", "2024-13:2024-12", "2024-06:2024-01", "2024-1:2024-2",
                                 "x:y"])
def test_bad_periods_are_refused(bad):
    from evalkit.errors import UsageError

    with pytest.raises(UsageError):
        parse_period(bad)


# --- the document -----------------------------------------------------------------------------


def _notebook(*outputs, markdown="# Section\n\nText."):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(markdown))
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    nb.cells.append(cell)
    return nb


def _document(funder=True):
    front = FrontPage(title=HOSTILE, period="p", generated="g", version="v", audience="a",
                      rule="r", fingerprint="f")
    return Document(front, funder=funder)


def test_only_outputs_made_by_a_page_reach_the_document():
    marked = {"output_type": "display_data", "metadata": {MARK: {"kind": "text"}},
              "data": {"text/markdown": "kept sentence"}}
    stray_print = {"output_type": "stream", "name": "stdout", "text": "p0017 attended 3\n"}
    stray_value = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                   "data": {"text/plain": "secret frame", "text/html": "<table>raw</table>"}}
    unmarked = {"output_type": "display_data", "metadata": {},
                "data": {"text/html": "<b>raw display</b>"}}
    warning = {"output_type": "stream", "name": "stderr", "text": "/home/user/data.csv warning"}
    document = _document()
    document.add_notebook(_notebook(marked, stray_print, stray_value, unmarked, warning))
    html = document.html()
    assert "kept sentence" in html
    for leaked in ("p0017", "secret frame", "raw display", "/home/user"):
        assert leaked not in html


def test_the_page_forbids_scripts_and_remote_content_and_escapes_the_title():
    document = _document()
    document.add_notebook(_notebook(markdown="# S\n\n<script>alert(1)</script> ![x](http://e.org/a.png)"))
    html = document.html()
    assert f'content="{CSP}"' in html
    assert "script-src" not in CSP and "default-src 'none'" in CSP and "img-src data:" in CSP
    assert "<script" not in html and 'src="http' not in html and 'href="http' not in html
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_internal_only_cells_and_appendix_tables_for_a_funder():
    nb = _notebook({"output_type": "display_data",
                    "metadata": {MARK: {"kind": "table", "appendix": True, "table": "t",
                                        "caption": "Detailed"}},
                    "data": {"text/html": "<table class='evalkit'>stats</table>"}})
    secret = nbformat.v4.new_markdown_cell("## For the team\n\nnames of the team")
    secret.metadata["tags"] = ["internal-only"]
    nb.cells.append(secret)
    funder, internal = _document(True), _document(False)
    funder.add_notebook(nb)
    internal.add_notebook(nb)
    funder_html, internal_html = funder.html(), internal.html()
    assert "names of the team" not in funder_html and "names of the team" in internal_html
    body, appendix = funder_html.split('id="appendix"')
    assert "stats" in appendix and "stats" not in body and "Table in the appendix" in body
    assert 'id="appendix"' not in internal_html


def test_headings_are_nested_under_the_title_and_listed_in_the_contents():
    document = _document()
    document.add_notebook(_notebook(markdown="# Attendance\n\n## Weekly\n\ntext"))
    html = document.html()
    assert '<h2 id="attendance">Attendance</h2>' in html
    assert '<h3 id="weekly">Weekly</h3>' in html
    assert 'href="#attendance"' in html and 'href="#weekly"' in html
    assert html.count("<h1") == 1


def test_research_only_cells_are_left_out_of_a_funder_report_only():
    nb = _notebook()
    detail = nbformat.v4.new_markdown_cell("## For researchers\n\nthe tests below")
    detail.metadata["tags"] = ["research-only"]
    nb.cells.append(detail)
    front = FrontPage(title="t", period="p", generated="g", version="v", audience="a",
                      rule="r", fingerprint="f")
    funder, research = Document(front, funder=True), Document(front, funder=False,
                                                              internal=False)
    funder.add_notebook(nb)
    research.add_notebook(nb)
    assert "the tests below" not in funder.html() and "the tests below" in research.html()


def test_a_funder_page_shows_nothing_of_a_research_only_table_and_no_appendix(outputs):
    """The funder page of the discomfort analysis: the ANOVA (no funder columns) leaves no
    trace, and the change table (funder columns) is in the body, not an appendix."""
    page = Page(SAMPLE, audience="funder")
    discomfort = page.run("discomfort")
    page.table(discomfort["discomfort_anova"])
    assert outputs == []
    page.table(discomfort["discomfort_change"])
    (table,) = outputs
    assert not table["metadata"][MARK]["appendix"]
    html = table["data"]["text/html"]
    assert "fell by about" in html and ">t<" not in html and "d z" not in html
    page.say("t = {t}.", t=discomfort["discomfort_change"].figure("t", comparison="post_vs_pre"))
    assert len(outputs) == 1  # a sentence built on a figure a funder does not get is left out


def test_a_data_folder_is_loaded_once_until_a_file_changes(tmp_path):
    from evalkit.publish.page import load_once

    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    first = load_once(folder)
    assert load_once(folder) is first
    # An edit that keeps the size (a digit changed) still changes the file's time: read again.
    attendance = folder / "attendance.csv"
    os.utime(attendance, ns=(attendance.stat().st_atime_ns, attendance.stat().st_mtime_ns + 10**9))
    second = load_once(folder)
    assert second is not first and load_once(folder) is second
    (folder / "notes.txt").write_text("a file added", encoding="utf-8")
    assert load_once(folder) is not second


def test_a_folder_with_errors_is_never_kept(tmp_path):
    from evalkit.errors import DataValidationError
    from evalkit.publish.page import _LOADED, load_once

    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    (folder / "participants.csv").write_text("participant_id\n", encoding="utf-8")
    before = dict(_LOADED)
    for _ in range(2):  # the second call validates again and fails again
        with pytest.raises(DataValidationError):
            load_once(folder)
    assert dict(_LOADED) == before


def test_notebooks_sharing_a_kernel_see_neither_variables_nor_folder_of_the_last(tmp_path):
    from evalkit.publish.notebooks import execute, shared_kernel

    first = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"import os\nsecret = 1\nos.chdir({str(tmp_path)!r})")])
    second = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("'secret' in dir(), __import__('os').getcwd()")])
    with shared_kernel(ROOT) as kernel:
        execute(first, cwd=ROOT, kernel=kernel)
        execute(second, cwd=ROOT, kernel=kernel)
    cell = second.cells[0]
    assert cell.outputs[0]["data"]["text/plain"] == repr((False, str(ROOT.resolve())))
    assert cell.execution_count == 1


def test_min_cell_reaches_only_the_analyses_that_take_it():
    """Group comparisons need the report's smallest group; analyses comparing no groups do not
    declare the parameter and are called without it (not with a default they might ignore)."""
    from evalkit.analyses._base import Analysis

    seen = []
    comparing = Analysis(name="comparing", title="t", tables=(),
                         compute=lambda dataset, *, min_cell: seen.append(min_cell) or {})
    counting = Analysis(name="counting", title="t", tables=(),
                        compute=lambda dataset: seen.append("none") or {})
    comparing.results(None, min_cell=7)
    counting.results(None, min_cell=7)
    assert seen == [7, "none"]
