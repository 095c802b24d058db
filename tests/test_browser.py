"""Open the sample funder report in a real browser (headless Chromium from the system).

Checks what a reader would notice: every image loads and says what it shows, the console stays
free of errors (the page's Content-Security-Policy is honoured), every contents link lands on a
heading, no visible text is a NaN or a row number, the page fits a phone without sideways
scrolling, and the PDF is A4 with page numbers. Screenshots are kept under
``reports/test-artifacts/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import browser  # noqa: E402  (the project's own developer tool)

ARTIFACTS = ROOT / "reports" / "test-artifacts"
pytestmark = pytest.mark.skipif(browser.chromium() is None,
                                reason="needs Chromium (.ci/run installs it)")


@pytest.fixture(scope="module")
def rendered(sample_reports):
    return sample_reports("funder")


@pytest.fixture(scope="module")
def page(rendered):
    with browser.browser() as tools:
        tools.open((rendered / "report.html").resolve().as_uri(), 1280, 900)
        yield tools


def test_every_image_loads_and_has_real_alt_text(page):
    images = page.evaluate("[...document.images].map(i => [i.complete && i.naturalWidth > 0, "
                           "i.alt])")
    assert len(images) >= 15
    for loaded, alt in images:
        assert loaded
        assert len(alt) > 30 and "No description" not in alt


def test_no_console_errors(page):
    errors = [e for e in page.events if e.get("method") == "Log.entryAdded"
              and e["params"]["entry"]["level"] == "error"]
    assert errors == []


def test_contents_links_land_on_headings(page):
    missing = page.evaluate("[...document.querySelectorAll('nav.contents a')]"
                            ".map(a => a.getAttribute('href').slice(1))"
                            ".filter(id => !document.getElementById(id))")
    assert missing == []


def test_visible_text_has_no_nan_code_forms_or_row_numbers(page):
    text = page.evaluate("document.body.innerText")
    for bad in ("NaN", "<NA>", "None", "nan%", "_rate", "childrens_services", "Traceback"):
        assert bad not in text, bad
    first_cells = page.evaluate(
        "[...document.querySelectorAll('table')].map(t => [...t.tBodies[0].rows]"
        ".map(r => r.cells[0].innerText))")
    for cells in first_cells:
        assert cells != [str(i) for i in range(len(cells))], "a table shows row numbers"


def test_fits_a_phone_and_keeps_screenshots(page, rendered):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.open((rendered / "report.html").resolve().as_uri(), 390, 844)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    shot = page.screenshot(ARTIFACTS / "report-phone.png")
    assert shot.stat().st_size > 10_000


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="needs poppler-utils")
def test_pdf_is_a4_with_page_numbers(rendered):
    info = subprocess.run(["pdfinfo", str(rendered / "report.pdf")], capture_output=True,
                          text=True, check=True).stdout
    assert re.search(r"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages > 5
    text = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(rendered / "report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert f"Page 2 of {pages}" in text


_OVERFLOWING_TABLES = """[...document.querySelectorAll('table.evalkit')].filter(t => {
    const box = t.closest('.table-wrap') || t.parentElement;
    return t.getBoundingClientRect().right > box.getBoundingClientRect().right + 1
        || box.scrollWidth > box.clientWidth + 1;
}).map(t => t.caption ? t.caption.innerText : '?')"""


@pytest.mark.parametrize("audience", ["funder", "internal"])
def test_no_table_is_wider_than_its_box_on_a_phone_or_wider_than_8_columns(
        audience, sample_reports):
    folder = sample_reports(audience)
    with browser.browser() as tools:
        tools.open((folder / "report.html").resolve().as_uri(), 1280, 900)
        assert tools.evaluate(_OVERFLOWING_TABLES) == []
        tools.open((folder / "report.html").resolve().as_uri(), 390, 844)
        assert tools.evaluate(_OVERFLOWING_TABLES) == []
        widths = tools.evaluate("[...document.querySelectorAll('table.evalkit')]"
                                ".map(t => t.tHead.rows[0].cells.length)")
        assert widths and max(widths) <= 8
        # Tables over four columns stack as cards: each cell names its column.
        labels = tools.evaluate(
            "[...document.querySelectorAll('table.evalkit.stacked td')].slice(0, 50)"
            ".map(c => getComputedStyle(c, '::before').content)")
        assert labels and all(label not in ("none", '""', "normal") for label in labels)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tools.screenshot(ARTIFACTS / f"report-phone-{audience}.png")


@pytest.fixture(scope="module")
def rendered_research(sample_reports):
    """The research report, the one with an appendix of detailed statistics (a funder report
    has none)."""
    return sample_reports("research")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdf_contents_and_appendix_references_give_the_pages_they_point_to(rendered_research):
    pdf = rendered_research / "report.pdf"
    info = subprocess.run(["pdfinfo", "-dests", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    page_of = {m.group(2): int(m.group(1))
               for m in re.finditer(r'^\s*(\d+)\s+\[.*?\]\s+"([^"]+)"', info, re.M)}
    contents = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "2", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
    # Each entry of the contents ends with the page its heading is printed on.
    assert re.search(r"Key figures[ .]*" + str(page_of["key-figures"]) + r"\s*$", contents, re.M)
    assert re.search(r"Appendix: detailed statistics[ .]*" + str(page_of["appendix"]) + r"\s*$",
                     contents, re.M)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    references = re.findall(r"\(page (\d+)\)", text)
    assert len(references) >= 3
    appendix_pages = {p for name, p in page_of.items() if name.startswith("appendix-")}
    assert {int(p) for p in references} <= appendix_pages


def _pdf_pages(pdf) -> list[str]:
    """The text of each page of ``pdf``, its whitespace collapsed (a wrapped line joins again)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    count = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    return [" ".join(subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                                    capture_output=True, text=True, check=True).stdout.split())
            for n in range(1, count + 1)]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
@pytest.mark.parametrize("audience", ["funder", "research"])
def test_every_printed_caption_shares_its_page_with_the_first_row(sample_reports, audience):
    folder = sample_reports(audience)
    pages = _pdf_pages(folder / "report.pdf")
    soup = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
    checked, after = 0, 0
    for table in soup.select("table.evalkit"):
        first = table.select_one("tbody tr")
        if table.caption is None or first is None:
            continue
        caption = " ".join(table.caption.get_text(" ").split())
        cell = " ".join(first.find(["th", "td"]).get_text(" ").split())
        # Tables come in page order: look for each caption from the page of the one before.
        on = next((n for n in range(after, len(pages)) if caption in pages[n]), None)
        assert on is not None, f"{caption!r} is not printed as one run of text after page {after}"
        assert cell in pages[on], f"{caption!r} is printed apart from its first row"
        checked, after = checked + 1, on
    assert checked >= 15
