"""``evalkit report``: run the workbook on a data folder and render one self-contained page.

Each notebook is executed with papermill (parameters injected, run in ``notebooks/``), the result
tables are gathered in ``results/``, and the executed notebooks are joined into ``report.html``
with code hidden, a contents list and figures embedded. Everything is written into a staging
folder and moved into place at the end, so a failed run leaves no half report.
"""

from __future__ import annotations

import copy
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from ..data.validate import load
from ..errors import EvalkitError
from ..progress import progress
from .notebooks import apply_deterministic_env, notebook_dir, workbook
from .outfolder import check_report_folder, checkout_root, report_folder

#: Files each notebook needs; a notebook whose files are all absent is left out of the report.
NOTEBOOK_NEEDS: dict[str, tuple[str, ...]] = {
    "00_data_overview": (),
    "01_attendance": ("participants", "sessions", "attendance"),
    "02_discomfort_change": ("discomfort",),
    "03_secondary_trauma": ("stss", "proqol"),
    "04_accountability": ("accountability_events",),
}

_CDN_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I)
_CDN_LINK = re.compile(r"<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>", re.I)
_REMOTE_SCRIPT_BLOCK = re.compile(
    r"<script[^>]*>(?:(?!</script>).)*?https?://(?:(?!</script>).)*?</script>", re.S | re.I)
_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->",
                            re.S)
_HEADING = re.compile(r"<h([12]) id=\"([^\"]+)\">(.*?)</h\1>", re.S)
_ANCHOR_LINK = re.compile(r"<a class=\"anchor-link\"[^>]*>.*?</a>", re.S)

_PAGE_CSS = """
<style>
  body { max-width: 60rem; margin: 0 auto; padding: 0 1rem; font-family: system-ui, sans-serif; }
  nav.contents { border: 1px solid #ccc; padding: 0.5rem 1rem; margin: 1rem 0; }
  nav.contents ul { margin: 0.2rem 0; }
  .jp-OutputArea-output img, img { max-width: 100%; height: auto; }
  .jp-RenderedHTMLCommon table, table { display: block; overflow-x: auto; max-width: 100%; }
  @media print { nav.contents { page-break-after: always; } .jp-Cell { break-inside: avoid; } }
</style>
"""


def _scrub_paths(nb, data_dir: Path, results_dir: Path) -> None:
    """Replace the machine paths papermill recorded with neutral names."""
    replacements = {str(data_dir): "DATA_DIR", str(results_dir): "RESULTS_DIR"}
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            for old, new in replacements.items():
                cell.source = cell.source.replace(old, new)
    meta = nb.metadata.get("papermill", {})
    meta.pop("input_path", None)
    meta.pop("output_path", None)
    meta["parameters"] = {k: ("DATA_DIR" if k == "data_dir" else
                              "RESULTS_DIR" if k == "results_dir" else v)
                          for k, v in meta.get("parameters", {}).items()}


def _strip_for_page(nb, audience: str = "funder"):
    """A copy of an executed notebook fit for the page: no parameters, no stderr, no errors, and
    for the funder audience no cell tagged ``internal-only`` (sections about single people or
    processes, whose code already shows nothing to a funder)."""
    page = copy.deepcopy(nb)
    dropped = {"parameters", "injected-parameters", "remove-cell"}
    if audience == "funder":
        dropped.add("internal-only")
    cells = []
    for cell in page.cells:
        tags = set(cell.metadata.get("tags", []))
        if tags & dropped:
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.get("name") == "stderr")
                            and o.output_type != "error"]
        cells.append(cell)
    page.cells = cells
    return page


def render_html(notebooks: list, title: str, notes: list[str], audience: str = "funder") -> str:
    """One self-contained HTML page from executed notebooks (code hidden, contents list)."""
    from nbconvert import HTMLExporter

    merged = nbformat.v4.new_notebook()
    merged.metadata = notebooks[0].metadata if notebooks else {}
    for nb in notebooks:
        merged.cells.extend(_strip_for_page(nb, audience).cells)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(merged, resources={"metadata": {"name": title}})
    # nbconvert's template loads MathJax and require.js from a CDN; the report must work offline.
    body = _MATHJAX_BLOCK.sub("", body)
    body = _CDN_SCRIPT.sub("", body)
    body = _REMOTE_SCRIPT_BLOCK.sub("", body)
    body = _CDN_LINK.sub("", body)
    body = _ANCHOR_LINK.sub("", body)
    entries = []
    for level, anchor, text in _HEADING.findall(body):
        label = re.sub(r"<[^>]+>", "", text).strip()
        indent = "" if level == "1" else "  "
        entries.append(f'{indent}<li class="toc-h{level}"><a href="#{anchor}">{label}</a></li>')
    notes_html = "".join(f"<p class=\"report-note\">{html.escape(n)}</p>" for n in notes)
    nav = (f'<nav class="contents" aria-label="Contents"><h2 id="contents">Contents</h2>'
           f"<ul>{''.join(entries)}</ul></nav>{notes_html}")
    head = f"<h1 id=\"report-title\">{html.escape(title)}</h1>"
    body = body.replace("</head>", _PAGE_CSS + "</head>", 1)
    body = re.sub(r"<title>.*?</title>", f"<title>{html.escape(title)}</title>", body, count=1,
                  flags=re.S)
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + head + nav, body, count=1)
    return body


def render_report(data_dir="data/sample", out_dir=None, audience: str = "funder",
                  min_cell: int = 5, pdf: bool = False, show_progress: bool | None = None) -> Path:
    """Execute the workbook on ``data_dir`` and write the report folder; returns its path."""
    import papermill

    if audience not in ("funder", "internal"):
        raise EvalkitError("audience must be 'funder' or 'internal'")
    if min_cell < 1:
        raise EvalkitError("--min-cell must be at least 1")
    data_dir = Path(data_dir)
    out_dir = (Path(out_dir) if out_dir else Path("reports") / (data_dir.resolve().name or "report"))
    # Refuse an unsafe --out before any work (outfolder.py has the rules).
    repo_root = checkout_root() or notebook_dir().parent
    out_dir = check_report_folder(out_dir, data_dir=data_dir, repo_root=repo_root)
    dataset = load(data_dir)  # fails early, with every problem listed, before any notebook runs

    chosen, notes = [], []
    for path in workbook():
        needs = NOTEBOOK_NEEDS.get(path.stem, ())
        absent = [n for n in needs if not dataset.has(n)]
        if absent:
            notes.append(f"Section '{path.stem}' left out: the data folder has no "
                         + ", ".join(f"{n}.csv" for n in absent) + ".")
        else:
            chosen.append(path)
    if not dataset.present:
        raise EvalkitError(f"{data_dir} holds none of evalkit's files; nothing to report")

    # The bar follows the user's terminal; it is made before the kernels' environment (which
    # turns tqdm off inside notebooks) is applied to this process.
    bar = progress(total=len(chosen), desc="report", show=show_progress)
    apply_deterministic_env()
    os.environ["EVALKIT_AUDIENCE"] = audience
    with report_folder(out_dir, data_dir=data_dir, repo_root=repo_root) as staging:
        results = staging / "results"
        executed_dir = staging / "notebooks"
        results.mkdir()
        executed_dir.mkdir()
        executed = []
        for path in chosen:
            started = time.perf_counter()
            target = executed_dir / path.name
            try:
                papermill.execute_notebook(
                    str(path), str(target), kernel_name="python3", cwd=str(notebook_dir()),
                    parameters={"data_dir": str(data_dir.resolve()), "results_dir": str(results),
                                "audience": audience, "min_cell": int(min_cell)},
                    progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                )
            except papermill.PapermillExecutionError as exc:
                raise EvalkitError(
                    f"notebook {path.name} failed in cell {exc.exec_count} "
                    f"({exc.ename}); the report was not written. Run 'evalkit validate' and open "
                    "the notebook in JupyterLab to see the cell."
                ) from None
            nb = nbformat.read(target, as_version=4)
            _scrub_paths(nb, data_dir.resolve(), results)
            nbformat.write(nb, target)
            executed.append(nb)
            bar.update(1)
            bar.write(f"  {path.stem}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        bar.close()
        title = ("Programme evaluation report" if audience == "funder"
                 else "Programme evaluation report (internal: contains pseudonymous ids)")
        page = render_html(executed, title, notes, audience)
        (staging / "report.html").write_text(page, encoding="utf-8")
        if pdf:
            make_pdf(staging / "report.html", staging / "report.pdf")
    print(f"report written to {out_dir}/report.html", file=sys.stderr)
    return out_dir


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def make_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print the page to PDF with the system's headless Chromium."""
    browser = chromium_path()
    if browser is None:
        raise EvalkitError("--pdf needs Chromium: install it (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    if not pdf_path.exists():
        raise EvalkitError("Chromium did not write the PDF")
