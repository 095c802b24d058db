"""``evalkit report``: run the workbook on a data folder and write one readable, safe report.

Steps: check the options and the output folder (before any work), load and check the data, pick
the notebooks whose analyses can run (each notebook declares its analyses; each analysis declares
the files it needs), execute them with the report's parameters, and write into a staging folder:
``report.html`` (see :mod:`evalkit.publish.document`), ``results/`` (every policed table and
``codebook.csv``), for the research audience ``exports/`` (scored questionnaires for R, SPSS and
Stata, :mod:`evalkit.publish.exports`) and, for the internal audience only, the executed
``notebooks/``. The staging
folder replaces ``--out`` in one rename (:mod:`evalkit.io.outfolder`), so a failed or killed
run leaves the old report as it was.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import shutil
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

import nbformat
import pandas as pd

from .. import __version__
from ..analyses import get
from ..data.validate import load
from ..errors import EvalkitError
from ..io.outfolder import (
    check_report_folder,
    checkout_root,
    interruption,
    report_folder,
    scratch_folder,
)
from ..io.writer import write_csv
from ..progress import progress
from . import summary
from .document import Document, FrontPage
from .exports import scored_exports, write_exports
from .ledger import NO_LEDGER_NOTE, ledger_places, open_ledger
from .notebooks import KernelPool, NotebookFailed, analyses_of, kernel_count, notebook_dir, workbook
from .page import Page, parse_period
from .pdfpages import destination_pages
from .policy import DEFAULT_MIN_CELL, Policy

#: How the front page names each audience.
AUDIENCE_TITLES = {
    "funder": "Funders and other readers outside the team",
    "research": "Researchers under a data-sharing agreement (exact statistics, no lists of people)",
    "internal": "Programme team (internal)",
}


def input_fingerprint(data_dir: Path) -> str:
    """A short fingerprint of the data files, so two readers can tell their reports share data.

    The first 12 hex digits of a SHA-256 over the names and contents of the data files (CSV,
    XLSX and instrument specs; hidden files left out).

    Parameters
    ----------
    data_dir
        The data folder.

    Returns
    -------
    str
        12 lower-case hexadecimal characters.

    Examples
    --------
    >>> import shutil, tempfile
    >>> copy = Path(tempfile.mkdtemp()) / "sample"
    >>> _ = shutil.copytree("data/sample", copy)
    >>> input_fingerprint(copy) == input_fingerprint(Path("data/sample"))
    True
    >>> _ = (copy / "notes.txt").write_text("not a data file")
    >>> input_fingerprint(copy) == input_fingerprint(Path("data/sample"))
    True
    """
    digest = hashlib.sha256()
    files = sorted(p for p in data_dir.rglob("*")
                   if p.is_file() and p.suffix.lower() in (".csv", ".xlsx", ".toml")
                   and not any(part.startswith(".") for part in p.relative_to(data_dir).parts))
    for path in files:
        digest.update(path.relative_to(data_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


def _rule(policy: Policy) -> str:
    if policy.funder:
        return (f"For readers outside the programme team. No person is named or given an id. "
                f"Counts of people are rounded to the nearest 5 (≈35), each on its own, so parts "
                f"need not add up to a rounded total; counts below "
                f"{policy.min_cell} are shown as {policy.small_text}; percentages of people, and their "
                f"intervals, are computed from those rounded counts, so they say nothing the "
                f"counts do not; means are given to one decimal for groups of "
                f"at least {2 * policy.min_cell}, changes in words, and intervals rounded "
                f"outwards. A figure that rests on fewer than {policy.min_cell} people, or that "
                f"would show what nearly everyone in a group answered, is withheld. Tests, models "
                f"and other detailed statistics are in a separate research report, made for "
                f"researchers under a data-sharing agreement.")
    if policy.internal:
        return ("For the programme team only. It holds pseudonymous ids, exact small counts and "
                "the lists of single people and processes (follow-ups, timelines, the partner "
                "safety list): treat it like the data itself and do not share it outside the "
                "team.")
    return ("For a researcher under a data-sharing agreement. It holds every exact figure, test "
            "and model, small counts included, and each person's scored questionnaires under a "
            "pseudonymous id (exports/) for re-analysis, but no lists of single people or "
            "processes, no accountability timelines and no partner safety list: keep and share "
            "it only as the agreement allows.")


def render_report(data_dir: str | Path = "data/sample", out_dir: str | Path | None = None, *,
                  audience: str = "funder", min_cell: int = DEFAULT_MIN_CELL,
                  period: str | None = None, title: str | None = None, pdf: bool = False,
                  ledger: str | Path | None = None, show_progress: bool | None = None) -> Path:
    """Execute the workbook on ``data_dir`` and write the report folder; returns its path.

    Options and the output folder are checked before any work starts; the data are loaded and
    checked before any notebook runs. Notebooks whose analyses cannot run on the folder are left
    out, and the front page says so.

    Parameters
    ----------
    data_dir
        The data folder.
    out_dir
        The report folder; None for ``reports/<data folder name>``. It must be new, empty or an
        earlier report (:func:`~evalkit.io.outfolder.check_report_folder`).
    audience
        ``"funder"`` (policed, the default) or ``"internal"`` (exact, with the executed notebooks).
    min_cell
        Smallest count of people a funder report shows; at least 3.
    period
        ``"YYYY-MM:YYYY-MM"``: report only these months.
    title
        The report's title; None for one made from the data folder's name.
    pdf
        Also write ``report.pdf`` (needs Chromium).
    ledger
        The release ledger of a funder report (:mod:`evalkit.publish.ledger`): a file, None for
        the default one in the user's config folder, or ``"none"`` to keep none (the front page
        then says so). A funder report that, with earlier ones, would let a hidden count be
        derived is refused before anything is written; one that is written is recorded.
        Research and internal reports do not use it.
    show_progress
        Show a progress bar (None: only on a terminal).

    Returns
    -------
    Path
        The report folder, holding ``report.html`` and ``results/``.

    Raises
    ------
    EvalkitError
        When an option, the output folder, the release ledger or the data cannot be used, the
        ledger refuses the report, or a notebook fails; the old report, if any, is left as it
        was.

    Examples
    --------
    A whole report takes about a minute, so it is not run here:

    >>> render_report("data/sample", "reports/sample", audience="internal")  # doctest: +SKIP
    PosixPath('reports/sample')

    Options are checked before any work starts:

    >>> render_report("data/sample", min_cell=2)
    Traceback (most recent call last):
    ...
    evalkit.errors.UsageError: the smallest count shown (min_cell) must be a whole number of at least 3; 5 is usual
    """
    policy = Policy(audience, min_cell)  # refuses a bad audience or min_cell before any work
    months = parse_period(period)
    data_dir = Path(data_dir)
    repo_root = checkout_root() or notebook_dir().parent
    out_dir = Path(out_dir) if out_dir else Path("reports") / (data_dir.resolve().name or "report")
    out_dir = check_report_folder(out_dir, data_dir=data_dir, repo_root=repo_root)
    book = open_ledger(ledger, audience=policy.audience, forbidden=ledger_places(
        data_dir=data_dir, repo_root=repo_root, out_dir=out_dir))  # None: no ledger is kept
    if pdf and chromium_path() is None:
        raise EvalkitError("--pdf needs Chromium: install it (Debian: apt-get install chromium)")

    dataset = load(data_dir)  # every data problem listed before any notebook runs
    if not dataset.present:
        raise EvalkitError(f"{data_dir.name} holds none of evalkit's files; nothing to report")
    page = Page(dataset=dataset, audience=audience, min_cell=min_cell, period=period)
    chosen, notes = [], []
    for path in workbook():
        nb = nbformat.read(path, as_version=4)
        wanted = analyses_of(nb)
        reasons = [get(a).missing(page.dataset) for a in wanted]
        if wanted and all(reasons):
            heading = next((c.source.splitlines()[0].lstrip("# ") for c in nb.cells
                            if c.cell_type == "markdown"), path.stem)
            notes.append(f"Section '{heading}' is left out: it {reasons[0]}.")
        else:
            chosen.append((path, nb))

    recording = nullcontext()
    if book is not None:  # checked before anything is written; recorded once the report is made
        # Without --period, the months of every record the figures draw on: the accountability
        # log and answers outside the sessions' months count, or a report of an earlier period
        # would never be compared with this one.
        covered = (months if months is not None
                   else summary.period_covered(page.dataset, every_file=True))
        recording = book.recording(book.release(
            dataset=dataset, page_dataset=page.dataset, policy=policy, period=period,
            months=covered, period_text=_period_text(page, months),
            title=title or _default_title(data_dir), date=_dt.date.today().isoformat(),
            fingerprint=input_fingerprint(data_dir), version=__version__))
    elif policy.funder:
        notes.append(NO_LEDGER_NOTE)

    bar = progress(total=len(chosen) + 1, desc="report", show=show_progress)
    # The kernels start, and import the library, while the output folder is prepared. The
    # ledger is consulted first: a refused report starts nothing.
    pool = KernelPool(notebook_dir(), kernel_count(len(chosen)), preload=PRELOAD)
    with (recording, scratch_folder("run") as scratch, pool,
          report_folder(out_dir, data_dir=data_dir, repo_root=repo_root) as staging):
        _write_report(staging, pool, chosen, notes, bar, data_dir=data_dir, scratch=scratch,
                      page=page, policy=policy, period=period, months=months, title=title,
                      pdf=pdf)
    print(f"report written to {out_dir / 'report.html'}", file=sys.stderr)
    if book is not None:
        print(f"checked against and kept in the release ledger {book.path}", file=sys.stderr)
    return out_dir


#: What every notebook imports first; each kernel imports them as soon as it starts.
PRELOAD = ("evalkit.publish.page", "evalkit.publish.charts", "evalkit.publish.labels")


def _write_report(staging: Path, pool: KernelPool, chosen: list, notes: list[str], bar, *,
                  data_dir: Path, scratch: Path, page: Page, policy: Policy, period: str | None,
                  months, title: str | None, pdf: bool) -> None:
    """Execute the chosen notebooks and write the report into ``staging``."""
    audience, min_cell = policy.audience, policy.min_cell
    results = staging / "results"
    results.mkdir()
    # Each notebook writes its tables into a folder of its own (the notebooks run side by
    # side); they are gathered into results/ in the workbook's order, as if run one by one.
    parts = staging / ".notebook-results"
    jobs = []
    for number, (_, nb) in enumerate(chosen):
        jobs.append((nb, {"data_dir": str(data_dir.resolve()),
                          "results_dir": str(parts / f"{number:02d}"), "audience": audience,
                          "min_cell": int(min_cell), "period": period}))

    def done(index: int, seconds: float) -> None:
        bar.update(1)
        bar.write(f"  {chosen[index][0].stem}: {seconds:.1f} s", file=sys.stderr)

    pool.submit(jobs)
    # The key figures are computed here while the kernels run the notebooks; a notebook's
    # failure is reported before theirs, as when they came after.
    try:
        figures = Page(dataset=page.dataset, results_dir=parts / "key_figures",
                       audience=audience, min_cell=min_cell).run("key_figures")
    except Exception as exc:
        figures, late = None, exc
    try:
        pool.wait(on_done=done)
    except NotebookFailed as failure:  # the kernel's error may quote data: name the cell only
        exc = failure.error
        _reraise_interruption(exc)
        path, nb = chosen[failure.index]
        cell = _failed_cell(nb)
        raise EvalkitError(
            f"notebook {path.name} failed"
            + (f" in cell {cell}" if cell is not None else "")
            + f" ({getattr(exc, 'ename', exc.__class__.__name__)}); the report was "
            "not written. Run 'evalkit validate' and open the notebook in JupyterLab "
            "to see the cell.") from None
    executed = []
    for (path, nb), (_, parameters) in zip(chosen, jobs, strict=True):
        _scrub(nb, {str(data_dir.resolve()): "DATA_DIR", parameters["results_dir"]: "RESULTS_DIR",
                    str(scratch): "SCRATCH"})
        executed.append((path, nb))
    if figures is None:
        raise late
    _gather_results([*(parts / f"{n:02d}" for n in range(len(chosen))), parts / "key_figures"],
                    results)
    shutil.rmtree(parts, ignore_errors=True)
    front = FrontPage(
        title=title or _default_title(data_dir),
        period=_period_text(page, months),
        generated=_dt.date.today().isoformat(),
        version=__version__,
        audience=AUDIENCE_TITLES[policy.audience],
        rule=_rule(policy),
        fingerprint=input_fingerprint(data_dir),
        notes=notes,
    )
    document = Document(front, funder=policy.funder, internal=policy.internal)
    document.cards = summary.cards(figures)
    document.summary = summary.sentences(figures)
    for _, nb in executed:
        document.add_notebook(nb)
    (staging / "report.html").write_text(document.html(), encoding="utf-8")
    if pdf:
        print_with_page_numbers(document, staging / "report.html", staging / "report.pdf")
    if policy.audience == "research":  # scored questionnaires for the researcher's software
        (staging / "exports").mkdir()
        write_exports(scored_exports(page.dataset), staging / "exports")
    if policy.internal:  # executed notebooks are working files, as sensitive as the data
        folder = staging / "notebooks"
        folder.mkdir()
        for path, nb in executed:
            nbformat.write(nb, folder / path.name)
    bar.update(1)
    bar.close()


def _failed_cell(nb) -> int | None:
    """The number (counting from 1, as a notebook shows them) of the first cell with an error."""
    for number, cell in enumerate(nb.cells, start=1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return number
    return None


def _reraise_interruption(exc: BaseException) -> None:
    """A signal that arrived while a kernel ran can surface as the notebook client's own error;
    raise the interruption itself so the run ends as interrupted, not as a failed notebook."""
    pending = interruption()
    if pending is not None:
        raise pending from None
    seen = exc
    while seen is not None:
        if isinstance(seen, (SystemExit, KeyboardInterrupt)):
            raise seen
        seen = seen.__cause__ or seen.__context__


def _default_title(data_dir: Path) -> str:
    name = data_dir.resolve().name.replace("_", " ").replace("-", " ").strip()
    return f"Programme evaluation: {name}" if name else "Programme evaluation"


def _period_text(page: Page, months) -> str:
    if months is not None:
        first, last = months
    else:
        # A funder's front page takes its months only from files in which enough people have
        # dates: the months of three practitioners' answers are theirs.
        policy = page.policy
        span = summary.period_covered(page.dataset,
                                      min_dated=policy.min_cell if policy.funder else 0)
        if span is None:
            if policy.funder and summary.period_covered(page.dataset) is not None:
                return f"not shown: fewer than {policy.min_cell} people have dated records"
            return "no dated records"
        first, last = span
    return f"{first:%B %Y} to {last:%B %Y}"


def _scrub(nb, replacements: dict[str, str]) -> None:
    """Remove machine paths from an executed notebook (the injected parameters name them)."""
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            for old, new in replacements.items():
                cell.source = cell.source.replace(old, new)


def _gather_results(parts: list[Path], results: Path) -> None:
    """Move the tables the notebooks wrote, each into a folder of its own, into ``results``.

    Folders are taken in the workbook's order and a later table replaces an earlier one of the
    same name, codebook rows included, so ``results`` ends as it would if each notebook had
    written there in turn (as :class:`~evalkit.publish.page.Page` does within a notebook).
    """
    codebook = None
    for part in parts:
        if not part.is_dir():
            continue
        for path in sorted(part.glob("*.csv")):
            if path.name != "codebook.csv":
                os.replace(path, results / path.name)
        path = part / "codebook.csv"
        if path.exists():
            rows = pd.read_csv(path, dtype=str, keep_default_na=False)
            if codebook is not None:
                rows = pd.concat([codebook[~codebook["table"].isin(set(rows["table"]))], rows],
                                 ignore_index=True)
            codebook = rows
    if codebook is not None:
        write_csv(codebook, results / "codebook.csv")


def chromium_path() -> str | None:
    """The system's Chromium (or Chrome) for printing PDFs, or None when there is none.

    Returns
    -------
    str or None
        The program's path, found on ``PATH``.

    Examples
    --------
    >>> found = chromium_path()
    >>> found is None or Path(found).exists()
    True
    """
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_with_page_numbers(document: Document, html_path: Path, pdf_path: Path,
                            *, tries: int = 3) -> dict[str, int]:
    """Print the report to PDF with page numbers in its contents and appendix references.

    Chromium cannot number pages by target (CSS ``target-counter()``), so the page is printed,
    the page of every anchor is read from the PDF (:mod:`evalkit.publish.pdfpages`), the
    numbers are written into the HTML (shown in print only) and the page printed again, until
    the numbers stop moving (at most ``tries`` printings).

    Parameters
    ----------
    document
        The report.
    html_path
        Its HTML file (rewritten with the page numbers).
    pdf_path
        The PDF file to write.
    tries
        The most printings.

    Returns
    -------
    dict of str to int
        The page number of each anchor, as printed.

    Examples
    --------
    Chromium is a system program, not a Python dependency, so this is not run here:

    >>> print_with_page_numbers(document, Path("reports/sample/report.html"),
    ...                         Path("reports/sample/report.pdf"))  # doctest: +SKIP
    {'key-figures': 2, 'summary': 2, ...}
    """
    numbers: dict[str, int] = {}
    make_pdf(html_path, pdf_path)
    found = destination_pages(pdf_path.read_bytes())
    for _ in range(tries - 1):
        if found == numbers:
            break
        numbers = found
        html_path.write_text(document.html(page_numbers=numbers), encoding="utf-8")
        make_pdf(html_path, pdf_path)
        found = destination_pages(pdf_path.read_bytes())
    return found


def make_pdf(html_path: Path, pdf_path: Path) -> None:
    """Print the page to an A4 PDF with page numbers, using the system's headless Chromium.

    The page's CSS sets the paper size, margins and page numbers.

    Parameters
    ----------
    html_path
        The report's HTML file.
    pdf_path
        The PDF file to write.

    Raises
    ------
    EvalkitError
        When Chromium is not installed or writes no PDF.

    Examples
    --------
    Chromium is a system program, not a Python dependency, so this is not run here:

    >>> make_pdf(Path("reports/sample/report.html"),
    ...          Path("reports/sample/report.pdf"))  # doctest: +SKIP
    """
    browser = chromium_path()
    if browser is None:
        raise EvalkitError("--pdf needs Chromium: install it (Debian: apt-get install chromium)")
    with scratch_folder("pdf") as profile:
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()],
            check=True, capture_output=True, timeout=180,
        )
    if not pdf_path.exists():
        raise EvalkitError("Chromium did not write the PDF")
