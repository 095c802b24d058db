from __future__ import annotations

import re

import pandas as pd
import pytest
from tests.conftest import ROOT, SAMPLE

from evalkit.cli import main
from evalkit.errors import EvalkitError
from evalkit.publish import report


@pytest.fixture(scope="module")
def sample_report(sample_reports):
    return sample_reports("funder")


def test_rendering_leaves_the_data_notebooks_and_project_as_they_were(sample_report,
                                                                       sample_reports):
    """No kernel socket, checkpoint or temporary file is left beside the user's files, and the
    data and the committed notebooks are not rewritten (checked around every shared render)."""
    assert sample_reports.untouched
    for before, after in sample_reports.untouched:
        assert after == before


def test_report_folder_contents(sample_report):
    assert (sample_report / "report.html").is_file()
    assert (sample_report / ".evalkit-report").is_file()
    assert (sample_report / "results" / "data_overview.csv").is_file()
    assert (sample_report / "results" / "codebook.csv").is_file()
    # Executed notebooks are working files, as sensitive as the data: never in a funder folder.
    assert not (sample_report / "notebooks").exists()
    leftovers = [p for p in sample_report.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


@pytest.fixture(scope="module")
def internal_report(sample_reports):
    return sample_reports("internal")


def test_report_is_self_contained_and_hides_code(sample_report):
    page = (sample_report / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=\"https?:", page)
    assert not re.search(r"import\(\"https?:", page)
    assert "<img" in page and "data:image/png;base64" in page
    assert "evalkit.load(" not in page  # code hidden
    assert 'nav class="contents"' in page
    for anchor in re.findall(r'<nav class="contents".*?</nav>', page, re.S)[0].split('href="#')[1:]:
        assert f'id="{anchor.split(chr(34))[0]}"' in page
    assert str(SAMPLE) not in page and "/tmp/" not in page


def test_executed_notebooks_do_not_record_machine_paths(internal_report):
    notebooks = sorted((internal_report / "notebooks").glob("*.ipynb"))
    assert [p.stem[:2] for p in notebooks] == ["00", "01", "02", "03", "04", "05"]
    for path in notebooks:
        text = path.read_text()
        assert str(SAMPLE.resolve()) not in text and str(internal_report.resolve()) not in text
        assert not re.search(r"/(tmp|home|root|work)/", text), path.name


def test_failed_notebook_leaves_no_report(tmp_path, monkeypatch):
    broken = tmp_path / "nb"
    broken.mkdir()
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("data_dir = None\nresults_dir = None\naudience = 'x'\n"
                                          "min_cell = 5\nperiod = None",
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise ValueError('Zq7Secret')")]
    nbformat.write(nb, broken / "00_data_overview.ipynb")
    monkeypatch.setattr(report, "workbook", lambda: [broken / "00_data_overview.ipynb"])
    monkeypatch.setattr(report, "notebook_dir", lambda: broken)
    out = tmp_path / "reports" / "x"
    with pytest.raises(EvalkitError, match=r"00_data_overview.ipynb failed in cell 3 "
                                           r"\(ValueError\)") as error:
        report.render_report(SAMPLE, out_dir=out)
    assert "Zq7Secret" not in str(error.value)  # the cell's message may quote data
    assert not out.exists()
    assert list((tmp_path / "reports").iterdir()) == []


def test_report_refuses_output_inside_data_or_notebooks(capsys):
    assert main(["report", str(SAMPLE), "--out", str(ROOT / "data" / "sample" / "rep")]) == 2
    assert main(["report", str(SAMPLE), "--out", str(ROOT / "notebooks" / "rep")]) == 2
    assert capsys.readouterr().err.count("choose an empty or new folder") == 2


def test_empty_folder_has_nothing_to_report(tmp_path, capsys):
    assert main(["report", str(tmp_path), "--out", str(tmp_path.parent / "o")]) == 2
    assert "holds none of evalkit's files" in capsys.readouterr().err


def test_results_are_plain_csv(sample_report):
    table = pd.read_csv(sample_report / "results" / "data_overview.csv")
    assert {"file", "rows"} <= set(table.columns)


def test_report_shows_a_progress_bar_and_time_per_notebook(tmp_path, monkeypatch, capsys):
    import nbformat

    folder = tmp_path / "nb"
    folder.mkdir()
    for name in ("00_data_overview", "01_attendance"):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(
            "data_dir = None\nresults_dir = None\naudience = 'x'\nmin_cell = 5\nperiod = None",
            metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("x = 1")]
        nbformat.write(nb, folder / f"{name}.ipynb")
    monkeypatch.setattr(report, "workbook", lambda: sorted(folder.glob("*.ipynb")))
    monkeypatch.setattr(report, "notebook_dir", lambda: folder)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    # Every step drawn, however quick: tqdm otherwise skips a redraw within 0.1 s of the last,
    # and the bar (left off the terminal when it closes) might never show its last step.
    drawn = report.progress
    monkeypatch.setattr(report, "progress",
                        lambda *a, **k: _every_step(drawn(*a, **k)))
    report.render_report(SAMPLE, out_dir=tmp_path / "out", show_progress=True)
    err = capsys.readouterr().err
    # Two notebooks, then the page itself.
    assert "report: 100%" in err and "3/3" in err
    assert re.search(r"00_data_overview: \d+\.\d s", err)
    assert re.search(r"01_attendance: \d+\.\d s", err)


def _every_step(bar):
    bar.mininterval = bar.miniters = 0
    return bar


def test_missing_folder_is_named(tmp_path, capsys):
    assert main(["report", str(tmp_path / "absent"), "--out", str(tmp_path / "o")]) == 2
    assert "data folder not found" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_folder_with_some_files_gives_the_sections_it_can(tmp_path):
    import shutil

    data = tmp_path / "data"
    data.mkdir()
    for name in ("stss", "proqol", "practitioners"):
        shutil.copy(SAMPLE / f"{name}.csv", data / f"{name}.csv")
    out = report.render_report(data, out_dir=tmp_path / "out", audience="internal",
                               show_progress=False)
    assert sorted(p.stem for p in (out / "notebooks").glob("*.ipynb")) == [
        "00_data_overview", "03_secondary_trauma"]
    page = (out / "report.html").read_text(encoding="utf-8")
    for heading in ("Attendance, drop-out and delivery", "Community accountability processes",
                    "Outcome measures"):
        assert f"Section &#x27;{heading}&#x27; is left out" in page, heading
    assert (out / "results" / "sts_bands.csv").is_file()
    assert not (out / "results" / "attendance_summary.csv").exists()


def test_a_header_only_register_leaves_its_section_out_like_an_absent_file(tmp_path):
    import shutil

    data = tmp_path / "data"
    data.mkdir()
    for name in ("participants", "sessions", "attendance"):
        shutil.copy(SAMPLE / f"{name}.csv", data / f"{name}.csv")
    header = (SAMPLE / "attendance.csv").read_text().splitlines()[0]
    (data / "attendance.csv").write_text(header + "\n")
    out = report.render_report(data, out_dir=tmp_path / "out", show_progress=False)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Section &#x27;Attendance, drop-out and delivery&#x27; is left out" in page


def test_period_and_title_reach_the_front_page_and_the_figures(tmp_path, sample_report):
    out = report.render_report(SAMPLE, out_dir=tmp_path / "out", period="2024-01:2024-06",
                               title="Spring <review>", show_progress=False)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<title>Spring &lt;review&gt;</title>" in page
    assert "January 2024 to June 2024" in page
    whole = pd.read_csv(sample_report / "results" / "attendance_summary.csv").set_index("metric")
    part = pd.read_csv(out / "results" / "attendance_summary.csv").set_index("metric")
    # (a funder sees no participant-sessions: with one cohort they give its size away)
    assert "participant_sessions" not in part.index
    assert int(part.loc["participants", "value"]) < int(whole.loc["participants", "value"])
    fingerprint = re.search(r"Input fingerprint</dt><dd>([0-9a-f]{12})<", page).group(1)
    assert fingerprint == report.input_fingerprint(SAMPLE)


def test_every_page_table_has_at_most_8_columns_and_phone_labels(sample_report):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((sample_report / "report.html").read_text(), "html.parser")
    tables = soup.select("table.evalkit")
    assert len(tables) > 20
    for table in tables:
        headers = [th.get_text() for th in table.thead.find_all("th")]
        assert len(headers) <= 8, table.caption.get_text()
        if len(headers) > 4 and "metrics" not in table["class"]:
            assert "stacked" in table["class"]
            first = table.tbody.tr.find_all(["td", "th"])
            assert [c["data-label"] for c in first] == headers


def test_research_report_carries_the_exports_and_the_funder_report_does_not(
        sample_reports, sample_report):
    out = sample_reports("research")
    names = sorted(p.name for p in (out / "exports").iterdir())
    for instrument in ("discomfort", "stss", "proqol", "partner_safety"):
        for suffix in ("csv", "parquet", "sav", "dta"):
            assert f"{instrument}.{suffix}" in names
    assert "codebook.csv" in names
    assert not (sample_report / "exports").exists()
    assert not (out / "notebooks").exists()


def test_the_funder_page_points_to_nothing_a_funder_does_not_have(sample_report, sample_reports):
    """No developer commands, repository paths or sections a funder report leaves out; the
    team's report keeps them."""
    from bs4 import BeautifulSoup

    def text(folder):
        soup = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
        return soup.get_text(" ")

    funder, internal = text(sample_report), text(sample_reports("internal"))
    for pointer in ("evalkit validate", "docs/methods.md", "docs/instruments.md", ".toml",
                    "What goes with it"):
        assert pointer not in funder, pointer
        assert pointer in internal, pointer
    assert "regression" not in funder.lower()
