"""The report as one self-contained HTML document.

The document is assembled from executed notebooks, but only from what a notebook's
:class:`~evalkit.publish.page.Page` made: Markdown cells written by the project, and outputs that a
Page marked (sentences, policed tables, charts with alt text). Anything else a cell printed (a
stray ``print``, a bare expression, a warning) is dropped, so nothing unpoliced can reach a reader.
Markdown is rendered with raw HTML escaped, images other than embedded ones are refused, and the
page carries a Content-Security-Policy that forbids scripts and remote content.

Layout: a front page (title, period, date, version, audience and disclosure rule, a fingerprint of
the input files), key figures as cards, a short summary in plain words, the sections, and (in a
research report) an appendix with the detailed statistics. A funder report has none: its pages
never mark a table for the appendix. The programme team's report keeps such tables where they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import mistune
from nbformat import NotebookNode

from ..io.escape import html_text
from .page import MARK

CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
       "form-action 'none'")


class _SafeRenderer(mistune.HTMLRenderer):
    """Markdown to HTML that can embed nothing from elsewhere: raw HTML shows as text, images
    must be embedded, links go only to web pages or anchors. Character references (``&lt;``)
    stay what they are, so escaped labels read as their literal text."""

    def inline_html(self, html: str) -> str:
        return html_text(html)

    def block_html(self, html: str) -> str:
        return f"<p>{html_text(html)}</p>\n"

    def image(self, text: str, url: str, title=None) -> str:
        if url.startswith("data:image/png;base64,"):
            return f'<img src="{html_text(url)}" alt="{html_text(text)}">'
        return html_text(text)

    def link(self, text: str, url: str, title=None) -> str:
        if url.startswith(("#", "https://", "http://")):
            return f'<a href="{html_text(url)}">{text}</a>'
        return text


_markdown = mistune.create_markdown(escape=False, renderer=_SafeRenderer(escape=False),
                                    plugins=["table"])


def markdown_html(text: str) -> str:
    """Markdown rendered safely (raw HTML shows as text; no remote images).

    Links go only to web pages or anchors; an image must be embedded (a base64 PNG). Character
    references such as ``&lt;`` stay what they are.

    Parameters
    ----------
    text
        Markdown from a notebook cell or a Page's sentence.

    Returns
    -------
    str
        An HTML fragment.

    Examples
    --------
    >>> markdown_html("**a** <script>x</script> &lt;5")
    '<p><strong>a</strong> &lt;script&gt;x&lt;/script&gt; &lt;5</p>\\n'
    """
    return _markdown(text)


@dataclass
class FrontPage:
    """What the first page says.

    Parameters
    ----------
    title
        The report's title.
    period
        The period covered, in words.
    generated
        When the report was made.
    version
        The evalkit version that made it.
    audience
        Who it is for, in words.
    rule
        The disclosure rule applied, in a sentence.
    fingerprint
        A fingerprint of the input files, to tell which data a report was made from.
    notes
        Further sentences for the front page (files that were absent, say).

    Examples
    --------
    >>> front = FrontPage(title="Programme evaluation 2025", period="2024-01 to 2024-12",
    ...                   generated="2026-01-15", version="0.1.0", audience="funder",
    ...                   rule="Counts of people below 5 are not shown.", fingerprint="c7d54b9bdaf6")
    >>> front.notes
    []
    """

    title: str
    period: str
    generated: str
    version: str
    audience: str
    rule: str
    fingerprint: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Card:
    """One key figure: label, value, interval and base (already policed text).

    Parameters
    ----------
    label
        What the figure is.
    value
        The figure as the page shows it.
    interval
        Its interval in words ("" for none).
    base
        What it rests on, e.g. ``"of 130 participants"`` ("" for nothing).

    Examples
    --------
    >>> Card("Sessions attended", "63%", "95% interval 57% to 69%", "130 participants")
    ... # doctest: +NORMALIZE_WHITESPACE
    Card(label='Sessions attended', value='63%', interval='95% interval 57% to 69%',
         base='130 participants')
    """

    label: str
    value: str
    interval: str = ""
    base: str = ""


@dataclass
class _Section:
    html: list[str] = field(default_factory=list)


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", re.sub(r"<[^>]+>", "", text).lower()).strip("-") or "s"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


class Document:
    """Collects the parts of the report and writes them out as HTML.

    Parameters
    ----------
    front
        What the first page says.
    funder
        Whether the report is for the funder audience (``research-only`` cells are left out).
    internal
        Whether the report is the programme team's own (only then are ``internal-only`` cells
        kept, and tables marked for the appendix stay in their sections); by default, any
        report that is not for funders. In any other report they move to an appendix.

    Examples
    --------
    >>> front = FrontPage(title="Programme evaluation 2025", period="2024-01 to 2024-12",
    ...                   generated="2026-01-15", version="0.1.0", audience="funder",
    ...                   rule="Counts of people below 5 are not shown.", fingerprint="c7d54b9bdaf6")
    >>> document = Document(front, funder=True)
    >>> document.cards.append(Card("Sessions attended", "63%"))
    >>> document.summary.append("Most sessions were attended.")
    >>> html = document.html()
    >>> html.startswith("<!DOCTYPE html>"), "Content-Security-Policy" in html
    (True, True)
    """

    def __init__(self, front: FrontPage, *, funder: bool, internal: bool | None = None):
        self.front = front
        self.funder = funder
        self.internal = (not funder) if internal is None else internal
        self.cards: list[Card] = []
        self.summary: list[str] = []
        self.body: list[str] = []
        self.appendix: list[str] = []
        self._ids: set[str] = {"contents", "key-figures", "summary", "appendix", "report-title"}
        self._headings: list[tuple[int, str, str]] = []
        self._section_title = ""

    # -- adding content ------------------------------------------------------------------------

    def add_notebook(self, nb: NotebookNode) -> None:
        """Add one executed notebook's Markdown and marked outputs.

        Only Markdown cells and the outputs a :class:`~evalkit.publish.page.Page` marked are kept;
        anything else a cell printed is dropped. Cells tagged ``parameters``,
        ``injected-parameters`` or ``remove-cell`` are skipped, and so are ``internal-only``
        cells in any report but an internal one and ``research-only`` cells in a funder report.

        Parameters
        ----------
        nb
            An executed notebook read with nbformat.

        Examples
        --------
        >>> import nbformat
        >>> front = FrontPage(title="Programme evaluation 2025", period="2024-01 to 2024-12",
        ...                   generated="2026-01-15", version="0.1.0", audience="funder",
        ...                   rule="Counts of people below 5 are not shown.", fingerprint="c7d54b9bdaf6")
        >>> document = Document(front, funder=True)
        >>> nb = nbformat.v4.new_notebook(cells=[
        ...     nbformat.v4.new_markdown_cell("# Attendance"),
        ...     nbformat.v4.new_code_cell("print(3)", outputs=[nbformat.v4.new_output(
        ...         "stream", name="stdout", text="3")])])
        >>> document.add_notebook(nb)
        >>> document.body
        ['<h2 id="attendance">Attendance</h2>\\n']
        """
        for cell in nb.cells:
            tags = set(cell.metadata.get("tags", []))
            if tags & {"parameters", "injected-parameters", "remove-cell"}:
                continue
            if not self.internal and "internal-only" in tags:
                continue
            if self.funder and "research-only" in tags:  # detail a funder report leaves out
                continue
            if cell.cell_type == "markdown":
                self.body.append(self._headings_shifted(markdown_html(cell.source)))
            elif cell.cell_type == "code":
                for output in cell.get("outputs", []):
                    self._add_output(output)

    def _add_output(self, output) -> None:
        mark = output.get("metadata", {}).get(MARK)
        if output.get("output_type") != "display_data" or not mark:
            return  # not made by a Page: never shown
        data = output.get("data", {})
        kind = mark.get("kind")
        if kind == "text" and "text/markdown" in data:
            self.body.append(markdown_html(data["text/markdown"]))
        elif kind == "table" and "text/html" in data:
            if mark.get("appendix") and not self.internal:
                anchor = _slug("appendix " + mark.get("table", "table"), self._ids)
                self.appendix.append(f'<p class="from" id="{anchor}">From: '
                                     f"{html_text(self._section_title)}</p>{data['text/html']}")
                self.body.append(f'<p class="to-appendix">Table in the appendix: <a href="#'
                                 f'{anchor}">{html_text(mark.get("caption", "details"))}</a>'
                                 f"<!--see-page:{anchor}--></p>")
            else:
                self.body.append(data["text/html"])
        elif kind == "chart" and "image/png" in data:
            alt = html_text(mark.get("alt", ""))
            self.body.append(f'<figure class="chart"><img alt="{alt}" '
                             f'src="data:image/png;base64,{data["image/png"].strip()}"></figure>')

    def _headings_shifted(self, html: str) -> str:
        """Notebook headings one level down (the document's title is the only h1), with ids
        for the contents list."""
        def shift(match):
            level = min(int(match.group(1)) + 1, 6)
            text = match.group(2)
            slug = _slug(text, self._ids)
            if level == 2:
                self._section_title = re.sub(r"<[^>]+>", "", text)
            if level <= 3:
                self._headings.append((level, slug, text))
            return f'<h{level} id="{slug}">{text}</h{level}>'
        return re.sub(r"<h([1-6])>(.*?)</h\1>", shift, html, flags=re.S)

    # -- writing -------------------------------------------------------------------------------

    def html(self, page_numbers: dict[str, int] | None = None) -> str:
        """The whole report as one self-contained HTML page.

        Front page, contents, key-figure cards, the summary, the sections and (in a research
        report) the appendix, with a Content-Security-Policy that forbids scripts and remote
        content.

        Parameters
        ----------
        page_numbers
            The printed page of each heading and appendix table, by id (from a first printing,
            see :func:`evalkit.publish.pdfpages.destination_pages`): the contents and the
            references to the appendix then give them, in print only. None for none.

        Returns
        -------
        str
            The HTML document.

        Examples
        --------
        >>> front = FrontPage(title="Programme evaluation 2025", period="2024-01 to 2024-12",
        ...                   generated="2026-01-15", version="0.1.0", audience="funder",
        ...                   rule="Counts of people below 5 are not shown.", fingerprint="c7d54b9bdaf6")
        >>> html = Document(front, funder=False).html()
        >>> "<title>Programme evaluation 2025</title>" in html
        True
        >>> document = Document(front, funder=False)
        >>> document.summary.append("Most sessions were attended.")
        >>> '<span class="page-ref toc">2</span>' in document.html(page_numbers={"summary": 2})
        True
        """
        front = self.front
        rows = [("Period covered", front.period), ("Generated", front.generated),
                ("evalkit version", front.version), ("Audience", front.audience),
                ("Input fingerprint", front.fingerprint)]
        meta = "".join(f"<dt>{html_text(k)}</dt><dd>{html_text(v)}</dd>" for k, v in rows)
        notes = "".join(f'<p class="report-note">{html_text(n)}</p>' for n in front.notes)
        cover = (f'<header class="front"><h1 id="report-title">{html_text(front.title)}</h1>'
                 f'<dl class="meta">{meta}</dl><p class="rule">{html_text(front.rule)}</p>'
                 f"{notes}</header>")
        parts = [cover, self._contents()]
        if self.cards:
            cards = "".join(
                f'<div class="card"><div class="card-label">{html_text(c.label)}</div>'
                f'<div class="card-value">{html_text(c.value)}</div>'
                + (f'<div class="card-detail">{html_text(c.interval)}</div>' if c.interval else "")
                + (f'<div class="card-detail">{html_text(c.base)}</div>' if c.base else "")
                + "</div>" for c in self.cards)
            parts.append(f'<section aria-labelledby="key-figures"><h2 id="key-figures">Key figures'
                         f'</h2><div class="cards">{cards}</div></section>')
        if self.summary:
            items = "".join(f"<li>{html_text(s)}</li>" for s in self.summary)
            parts.append(f'<section aria-labelledby="summary"><h2 id="summary">In brief</h2>'
                         f"<ul class=\"summary\">{items}</ul></section>")
        parts.append('<main>' + "\n".join(self.body) + "</main>")
        if self.appendix:
            parts.append('<section class="appendix" aria-labelledby="appendix">'
                         '<h2 id="appendix">Appendix: detailed statistics</h2>'
                         "<p>Tests, models and intervals behind the figures above, for readers "
                         "who want to check them.</p>" + "\n".join(self.appendix) + "</section>")
        body = _PAGE_REF.sub(lambda m: _page_ref(m, page_numbers or {}), "\n".join(parts))
        return _PAGE.format(csp=CSP, title=html_text(front.title), css=_CSS, body=body)

    def _contents(self) -> str:
        entries = []
        if self.cards:
            entries.append('<li><a href="#key-figures">Key figures</a><!--page:key-figures--></li>')
        if self.summary:
            entries.append('<li><a href="#summary">In brief</a><!--page:summary--></li>')
        for level, slug, text in self._headings:
            cls = ' class="sub"' if level == 3 else ""
            entries.append(f'<li{cls}><a href="#{slug}">{re.sub(r"<[^>]+>", "", text)}</a>'
                           f"<!--page:{slug}--></li>")
        if self.appendix:
            entries.append('<li><a href="#appendix">Appendix: detailed statistics</a>'
                           "<!--page:appendix--></li>")
        return (f'<nav class="contents" aria-labelledby="contents"><h2 id="contents">Contents</h2>'
                f"<ul>{''.join(entries)}</ul></nav>")


#: Where a printed page number goes: after a contents entry (``page``) or a reference to the
#: appendix (``see-page``). Data-borne text is escaped, so it cannot hold an HTML comment.
_PAGE_REF = re.compile(r"<!--(page|see-page):([a-z0-9-]+)-->")


def _page_ref(match: re.Match, page_numbers: dict[str, int]) -> str:
    page = page_numbers.get(match.group(2))
    if page is None:
        return ""
    if match.group(1) == "page":
        return f'<span class="page-ref toc">{page}</span>'
    return f'<span class="page-ref"> (page {page})</span>'


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
{body}
</body>
</html>
"""

_CSS = """
:root { --ink: #1d1d1f; --muted: #555; --rule: #d0d0d0; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 52rem; padding: 1rem 1.1rem 3rem; color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.4rem; margin: 2.2rem 0 0.6rem; border-bottom: 2px solid var(--accent);
  padding-bottom: 0.2rem; }
h3 { font-size: 1.15rem; margin: 1.6rem 0 0.5rem; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
p, li { max-width: 44rem; }
.front { border-bottom: 1px solid var(--rule); padding-bottom: 1rem; }
.front dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem;
  margin: 0 0 0.8rem; }
.front dt { color: var(--muted); }
.front dd { margin: 0; }
.rule { background: #f3f6f9; border-left: 4px solid var(--accent); padding: 0.5rem 0.8rem; }
.report-note { color: var(--muted); font-size: 0.95rem; }
nav.contents ul { padding-left: 1.2rem; margin: 0.3rem 0; }
nav.contents li.sub { margin-left: 1em; font-size: 0.95em; }
a { color: var(--accent); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(13.5rem, 1fr)); gap: 0.7rem; }
.card { border: 1px solid var(--rule); border-radius: 8px; padding: 0.7rem 0.9rem;
  break-inside: avoid; page-break-inside: avoid; }
.card-label { font-size: 0.92rem; color: var(--muted); }
.card-value { font-size: 1.8rem; font-weight: 700; line-height: 1.2; margin: 0.2rem 0; }
.card-detail { font-size: 0.85rem; color: var(--muted); }
ul.summary li { margin-bottom: 0.35rem; }
figure.chart { margin: 1rem 0 1.4rem; break-inside: avoid; page-break-inside: avoid; }
figure.chart img { display: block; width: 100%; max-width: 40rem; height: auto; }
p.to-appendix { font-size: 0.9rem; color: var(--muted); }
.table-wrap { margin: 1rem 0 1.4rem; break-inside: auto; max-width: 100%; overflow-x: auto; }
.table-part + .table-part { margin-top: 1.1rem; }
table.evalkit { border-collapse: collapse; width: 100%; font-size: 0.9rem;
  font-variant-numeric: tabular-nums; }
table.evalkit caption { text-align: left; font-weight: 600; padding: 0 0 0.4rem;
  break-after: avoid; page-break-after: avoid; }
table.evalkit thead { break-inside: avoid; break-after: avoid; page-break-after: avoid; }
table.evalkit.short, .table-part:has(table.short) { break-inside: avoid; page-break-inside: avoid; }
.appendix p.from, p.to-appendix { break-after: avoid; page-break-after: avoid; }
.page-ref { display: none; }
table.evalkit th, table.evalkit td { border-bottom: 1px solid var(--rule); padding: 0.3rem 0.45rem;
  text-align: left; vertical-align: top; overflow-wrap: break-word; hyphens: auto; }
table.evalkit thead th { border-bottom: 2px solid #999; font-weight: 600; overflow-wrap: normal;
  vertical-align: bottom; }
table.evalkit .num { text-align: right; white-space: nowrap; }
span.date { white-space: nowrap; }
table.evalkit thead th.num { white-space: normal; }
table.evalkit tbody th { font-weight: normal; }
table.evalkit tr { break-inside: avoid; page-break-inside: avoid; }
ul.table-notes { margin: 0.3rem 0 0; padding-left: 1.1rem; font-size: 0.82rem; color: var(--muted); }
.evalkit-unavailable { color: var(--muted); font-style: italic; }
.appendix p.from { color: var(--muted); font-size: 0.85rem; margin: 1.4rem 0 0; }
@media (max-width: 40rem) {
  body { padding: 0.6rem 0.7rem 2rem; font-size: 15px; }
  h1 { font-size: 1.5rem; }
  table.evalkit { font-size: 0.8rem; }
  table.evalkit th, table.evalkit td { padding: 0.25rem 0.3rem; }
  .front dl.meta { grid-template-columns: 1fr; }
  .front dt { margin-top: 0.3rem; }
}
/* On a phone a table of more than four columns stacks each row as a card of label-value pairs
   (the headers travel with each cell as data-label), so nothing needs sideways scrolling. */
@media screen and (max-width: 40rem) {
  table.stacked, table.stacked tbody, table.stacked tr, table.stacked caption { display: block;
    width: 100%; }
  table.stacked thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip-path: inset(50%); white-space: nowrap; }
  table.stacked tr { border: 1px solid var(--rule); border-radius: 6px; margin: 0 0 0.55rem;
    padding: 0.2rem 0.55rem; }
  table.evalkit.stacked td, table.evalkit.stacked tbody th { display: grid;
    grid-template-columns: minmax(0, 9.5rem) minmax(0, 1fr); gap: 0.6rem; text-align: left;
    white-space: normal; padding: 0.2rem 0;
    border-bottom: 1px dotted var(--rule); overflow-wrap: anywhere; }
  table.stacked tr > :last-child { border-bottom: 0; }
  table.stacked tbody th { font-weight: 600; }
  table.stacked td::before, table.stacked tbody th::before { content: attr(data-label);
    color: var(--muted); font-weight: normal; }
}
@page { size: A4; margin: 16mm 14mm 18mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 9pt;
    color: #555; } }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav.contents { break-after: page; }
  a { color: inherit; text-decoration: none; }
  .card-value { font-size: 1.5rem; }
  table.evalkit thead { display: table-header-group; }
  /* A chart prints at about the size it was drawn (5.2 in), so its text keeps the size it was
     drawn at, and never taller than a page: it cannot break, and a taller one would be cut. */
  figure.chart img { width: auto; max-width: 140mm; max-height: 235mm; }
  /* Print has no scrolling: a wide table wraps its cells inside the margins instead. */
  .table-wrap { overflow: visible; }
  table.evalkit { table-layout: auto; }
  .page-ref { display: inline; }
  nav.contents li { display: flex; align-items: baseline; gap: 0.4rem; }
  nav.contents li::after { content: ""; order: 1; flex: 1; border-bottom: 1px dotted #999; }
  nav.contents .page-ref.toc { order: 2; font-variant-numeric: tabular-nums; }
}
"""
