"""Turning policed tables and charts into page content (HTML fragments and PNG images).

Everything here receives :class:`~evalkit.publish.policy.Shown` tables, never raw results, and every
data-borne string goes through :mod:`evalkit.io.escape`.
"""

from __future__ import annotations

import base64
import io
import re

import pandas as pd
from matplotlib.figure import Figure

from ..io.escape import html_text
from .formatting import WITHHELD_TEXT
from .labels import counted, header, interval_level
from .policy import SHOWN, SMALL, UNDEFINED, WITHHELD, Shown

_ALIGN_RIGHT = {"people", "count", "number", "share", "statistic", "size", "p_value"}


def footnotes(shown: Shown, columns: list[str]) -> list[str]:
    """The notes a table needs, each said once.

    What ``<5``, the dash and ``n/a`` mean, and that counts are rounded, for the symbols that
    appear in ``columns``.

    Parameters
    ----------
    shown
        A policed table.
    columns
        The columns that will be shown.

    Returns
    -------
    list of str
        One sentence per note, in a fixed order.

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.publish.policy import Policy
    >>> from evalkit.analyses.tables import Col, TableSpec
    >>> spec = TableSpec("by_site", "People by site", (
    ...     Col("site", "label", "site", funder="shown"),
    ...     Col("people", "people", "people", funder="rounded")))
    >>> shown = Policy("funder").apply(pd.DataFrame({"site": ["north", "south"],
    ...                                              "people": [3, 42]}), spec)
    >>> footnotes(shown, ["site", "people"])  # doctest: +NORMALIZE_WHITESPACE
    ['<5: fewer than 5 people.',
     '≈35: a count of people rounded to the nearest 5, each on its own, so parts may not add up
     to a total.']
    """
    status = shown.status[columns] if len(shown) else shown.status
    notes = []
    policy = shown.policy
    spec = shown.spec
    # What each count counts: meetings, demands, rows and forms are not people.
    if spec.is_metric_table:
        metrics = list(shown.values.get("metric", []))
        people = [m for m in metrics if spec.col(m).kind == "people"]
        small = [m for m, s in zip(metrics, status["value"] if "value" in status else [],
                                   strict=False) if s == SMALL]
    else:
        people = [c for c in columns if spec.col(c).kind == "people"]
        small = [c for c in columns if (status[c] == SMALL).any()]
    if (status == SMALL).any().any():
        nouns = _joined(counted(c, spec.unit) for c in small) or spec.unit
        notes.append(f"{policy.small_text}: fewer than {policy.min_cell} {nouns}.")
    if (status == WITHHELD).any().any():
        nouns = _joined(_resting_on(spec, _names_with(shown, columns, status, WITHHELD)))
        notes.append(f"{WITHHELD_TEXT} withheld to protect small numbers: the figure rests on fewer "
                     f"than {policy.min_cell} {nouns or 'people'}, or would reveal a group that "
                     "small.")
    if any((status[c] == UNDEFINED).any() for c in status.columns
           if spec.is_metric_table or not spec.col(c).empty):
        notes.append("n/a: cannot be computed from these data.")
    if policy.funder and people:
        nouns = _joined(counted(c, spec.unit) for c in people)
        shares = any(spec.col(c).kind == "share"
                     for c in _names_with(shown, columns, status, SHOWN))
        # Each count is rounded on its own, so rounded parts can miss their rounded total
        # (17 + 22 = 39 reads ≈15 + ≈20 beside ≈40); say so wherever counts could be added up.
        several = len(people) > 1 or (not spec.is_metric_table and len(shown) > 1)
        notes.append(f"≈35: a count of {nouns} rounded to the nearest 5"
                     + (", each on its own, so parts may not add up to a total" if several
                        else "")
                     + ("; percentages of people are computed from these rounded counts."
                        if shares else "."))
    if policy.funder and "ci_low" in columns and _has_share_interval(shown):
        notes.append("Intervals of percentages of people are computed from the rounded "
                     "counts; every interval of a percentage is widened outwards to 5 points "
                     "or more.")
    return notes


def _names_with(shown: Shown, columns: list[str], status: pd.DataFrame, state: str) -> list[str]:
    """The columns (or, in a metric table, the metrics) with at least one cell in ``state``."""
    if shown.spec.is_metric_table:
        metrics = list(shown.values.get("metric", []))
        states = status["value"] if "value" in status else []
        return [m for m, s in zip(metrics, states, strict=False) if s == state]
    return [c for c in columns if (status[c] == state).any()]


def _resting_on(spec, names: list[str]) -> list[str]:
    """What the counts that ``names`` rest on count (participants, processes, meetings)."""
    nouns = []
    for name in names:
        col = spec.col(name)
        bases = (name,) if col.kind == "people" else col.bases
        nouns += [counted(b, spec.unit) for b in bases if spec.col(b).kind == "people"]
    return nouns


def _joined(nouns) -> str:
    """``["forms", "practitioners", "forms"]`` -> ``"forms and practitioners"``."""
    unique = list(dict.fromkeys(nouns))
    return ", ".join(unique[:-1]) + (" and " if len(unique) > 1 else "") + (unique[-1] if unique
                                                                           else "")


def _has_share_interval(shown: Shown) -> bool:
    """Whether the table shows an interval around a percentage (widened for funders)."""
    spec = shown.spec
    if spec.is_metric_table:
        return any(spec.col(m).kind == "share" for m in shown.values.get("metric", []))
    low = spec.col("ci_low")
    return bool(low.follows) and spec.col(low.follows).kind == "share"


def table_html(shown: Shown, columns: list[str] | None = None, caption: str | None = None) -> str:
    """An accessible HTML table of a policed table.

    Human headers, formatted cells, no row numbers, a caption and footnotes; every text is
    escaped. An interval (``ci_low`` then ``ci_high``) shows as one cell, "57% to 69%".

    Parameters
    ----------
    shown
        A policed table.
    columns
        The columns to show, in order; None for all.
    caption
        The caption; None for the table's title.

    Returns
    -------
    str
        An HTML fragment: the table in a ``div``, or a paragraph saying why there is none.

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.publish.policy import Policy
    >>> from evalkit.analyses.tables import Col, TableSpec
    >>> spec = TableSpec("by_site", "People by site", (
    ...     Col("site", "label", "site", funder="shown"),
    ...     Col("people", "people", "people", funder="rounded")))
    >>> shown = Policy("funder").apply(pd.DataFrame({"site": ["north", "south"],
    ...                                              "people": [3, 42]}), spec)
    >>> html = table_html(shown)
    >>> html.startswith('<div class="table-wrap"><table class="evalkit short"><caption>People by')
    True
    >>> '<th scope="row" data-label="site">north</th><td class="num" data-label="people">&lt;5' in html
    True
    """
    spec = shown.spec
    caption = caption or spec.title
    if not shown.available:
        return (f'<p class="evalkit-unavailable"><strong>{html_text(caption)}</strong>: '
                f"{html_text(shown.note)}.</p>")
    if spec.is_metric_table:
        return _metric_table_html(shown, caption)
    # Only the columns this audience sees (a funder's allow-list), whatever a notebook asks for.
    columns = [c for c in (columns or shown.columns) if c in shown.columns]
    if not len(shown):
        return f'<p class="evalkit-unavailable"><strong>{html_text(caption)}</strong>: none.</p>'
    # An interval reads as one cell ("57% to 69%"), which also keeps tables narrow on a phone.
    paired = ("ci_low" in columns and "ci_high" in columns
              and columns.index("ci_high") == columns.index("ci_low") + 1)
    shown_columns = [c for c in columns if not (paired and c == "ci_high")]
    notes = "".join(f"<li>{html_text(n)}</li>" for n in footnotes(shown, columns))
    foot = f'<ul class="table-notes">{notes}</ul>' if notes else ""
    parts = column_parts(shown, shown_columns, paired=paired)
    if len(parts) == 1:
        return (f'<div class="table-wrap">{_grid_html(shown, shown_columns, caption, paired)}'
                f"{foot}</div>")
    tables = []
    for number, (role, part, rows) in enumerate(parts, start=1):
        part_caption = f"{caption} ({number} of {len(parts)}: {role})"
        if role == SAME_EVERY_ROW:
            tables.append(_same_every_row_html(shown, part, part_caption, paired))
        else:
            tables.append(_grid_html(shown, part, part_caption, paired, rows))
    return ('<div class="table-wrap table-set">'
            + "".join(f'<div class="table-part">{t}</div>' for t in tables) + f"{foot}</div>")


def cell_text(shown: Shown, column: str, row: int) -> str:
    """The text of one cell as the page shows it.

    The policed text, except that an empty cell of a column that says what empty means
    (``Col.empty``, "never") reads so instead of n/a.

    Parameters
    ----------
    shown
        A policed table.
    column
        The column's name.
    row
        The row's position.

    Returns
    -------
    str
        The cell's text.

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.publish.policy import Policy
    >>> from evalkit.analyses.tables import Col, TableSpec
    >>> spec = TableSpec("seen", "Last seen", (
    ...     Col("who", "id", "who"), Col("on", "label", "last attended", empty="never"),
    ...     Col("score", "statistic", "a score")), internal=True)
    >>> shown = Policy("internal").apply(pd.DataFrame({"who": ["a", "b"], "on": [None, "x"],
    ...                                                "score": [None, 1.0]}), spec)
    >>> [cell_text(shown, "on", i) for i in range(2)], cell_text(shown, "score", 0)
    (['never', 'x'], 'n/a')
    """
    empty = shown.spec.col(column).empty
    if empty and shown.status[column].iloc[row] == UNDEFINED:
        return empty
    return shown.text[column].iloc[row]


#: The most columns a page table has; wider tables are split (:func:`column_parts`), so that
#: nothing is cut at the margin of a printed page or hidden off the side of a screen.
MAX_COLUMNS = 8
#: A table with more columns than this stacks its rows as label-value cards on a phone.
PHONE_COLUMNS = 4
#: The role of the part of a split table that holds the columns equal on every row.
SAME_EVERY_ROW = "the same on every row"
_ROW_KEY_KINDS = {"label", "id", "number", "month"}
_EFFECT_SIZE = re.compile(r"^(d_z|d_av|g|hedges_g|ng2|eta2?|partial_eta2|omega2|rbc|"
                          r"(rank_)?effect(_size)?)$")


def column_parts(shown: Shown, columns: list[str], *,
                 paired: bool = False) -> list[tuple[str, list[str], list[int]]]:
    """How a table wider than :data:`MAX_COLUMNS` is shown as several narrower ones.

    The leading label columns (what a row is about) start every part; the other columns are
    shared out, in their order, so that no part is wider than :data:`MAX_COLUMNS`: effect
    sizes get a part of their own, columns equal on every row (a model's fit, its number of
    observations) are said once, and notes are listed only for the rows that have one. Every
    shown cell appears in some part.

    Parameters
    ----------
    shown
        A policed table.
    columns
        The columns to show, in order, with an interval given by its ``ci_low`` column only.
    paired
        Whether ``ci_low`` stands for both ends of an interval.

    Returns
    -------
    list of (str, list of str, list of int)
        For each part: what it holds (in words), its columns and its row positions. One part,
        all of ``columns``, when the table is narrow enough.

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.publish.policy import Policy
    >>> from evalkit.analyses.tables import Col, TableSpec
    >>> spec = TableSpec("fit", "Fit", (Col("term", "label", "term"),
    ...     *(Col(f"s{i}", "statistic", "a statistic") for i in range(6)),
    ...     Col("r2", "statistic", "the model's R squared"), Col("d_z", "statistic", "effect"),
    ...     Col("note", "text", "a note")))
    >>> frame = pd.DataFrame({"term": ["a", "b"], **{f"s{i}": [i, i + 1] for i in range(6)},
    ...                       "r2": [0.3, 0.3], "d_z": [0.1, 0.2], "note": ["", "few"]})
    >>> shown = Policy("research").apply(frame, spec)
    >>> for role, part, rows in column_parts(shown, list(frame.columns)):
    ...     print(role, part, rows)
    estimates ['term', 's0', 's1', 's2', 's3', 's4', 's5'] [0, 1]
    effect sizes ['term', 'd_z'] [0, 1]
    the same on every row ['r2'] [0]
    notes ['term', 'note'] [1]
    """
    if len(columns) <= MAX_COLUMNS:
        return [("all", list(columns), list(range(len(shown))))]
    spec = shown.spec
    key = []
    for c in columns:
        if spec.col(c).kind not in _ROW_KEY_KINDS or len(key) == MAX_COLUMNS // 2:
            break
        key.append(c)
    texts = {c: [(_interval_text(shown, i) if paired and c == "ci_low"
                  else cell_text(shown, c, i)) for i in range(len(shown))] for c in columns}
    rest = [c for c in columns if c not in key]
    # A note that reads the same on every row (withheld everywhere, say) is said once instead.
    notes = [c for c in rest if spec.col(c).kind == "text" and c.endswith("note")
             and len(set(texts[c])) > 1]
    effects = [c for c in rest if _EFFECT_SIZE.match(c) and c not in notes]
    same = [c for c in rest if len(shown) > 1 and c not in notes + effects
            and spec.col(c).kind != "label" and len(set(texts[c])) == 1
            and (texts[c][0] or not c.endswith("note"))]
    body = [c for c in rest if c not in notes + effects + same]
    every_row = list(range(len(shown)))
    room = MAX_COLUMNS - len(key)
    count = max(1, -(-len(body) // room))
    size = -(-len(body) // count) if body else 0
    parts = [("estimates" if i == 0 else "continued", key + body[i * size:(i + 1) * size],
              every_row) for i in range(count) if body[i * size:(i + 1) * size]]
    for i in range(0, len(effects), room):
        parts.append(("effect sizes", key + effects[i:i + room], every_row))
    if same:  # shown as one row per column, so any number of them fit
        parts.append((SAME_EVERY_ROW, same, [0]))
    noted = [i for i in every_row if any(texts[c][i] for c in notes)]
    if noted:
        parts.append(("notes", key + notes, noted))
    return parts or [("all", list(columns), every_row)]


def interval_header(shown: Shown) -> str:
    """The header of an interval column: "95% CI" for researchers, "95% interval" for others.

    Parameters
    ----------
    shown
        A policed table with ``ci_low`` and ``ci_high`` columns.

    Returns
    -------
    str
        The level, when the codebook description names one, and the audience's word.

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.publish.policy import Policy
    >>> from evalkit.analyses.tables import Col, TableSpec, interval
    >>> spec = TableSpec("m", "Mean", (Col("mean", "statistic", "mean"),
    ...                               *interval("the 90% interval of the mean")))
    >>> frame = pd.DataFrame({"mean": [2.5], "ci_low": [2.1], "ci_high": [2.9]})
    >>> [interval_header(Policy(a).apply(frame, spec)) for a in ("research", "internal")]
    ['90% CI', '90% interval']
    """
    # Researchers read "CI" at a glance; the other audiences' pages say "interval" in their
    # sentences and cards, so their headers say it too.
    word = "CI" if shown.policy.audience == "research" else "interval"
    # A metric table's rows are its columns; its interval is a 95% one unless a column says.
    level = (interval_level(shown.spec.col("ci_low").description)
             if any(c.name == "ci_low" for c in shown.spec.columns) else "95%")
    return f"{level} {word}".strip()


def _grid_html(shown: Shown, columns: list[str], caption: str, paired: bool,
               rows: list[int] | None = None) -> str:
    """One HTML table of ``columns`` (at most :data:`MAX_COLUMNS`) for the rows ``rows``."""
    spec = shown.spec
    ci = interval_header(shown) if paired else ""
    headers = [ci if paired and c == "ci_low" else header(spec.col(c)) for c in columns]
    # Symbols are italic only over numbers: a label column headed "a" or "b" names no statistic.
    apa = [shown.policy.audience == "research" and spec.col(c).kind not in ("label", "text", "id")
           for c in columns]
    # A header stands over its column's text, so a column of right-aligned numbers gets a
    # right-aligned header.
    numeric = [' class="num"' if spec.col(c).kind in _ALIGN_RIGHT else "" for c in columns]
    head = "".join(f'<th scope="col"{n}>{header_html(h, apa=a)}</th>'
                   for h, a, n in zip(headers, apa, numeric, strict=True))
    body = []
    for i in range(len(shown)) if rows is None else rows:
        cells = []
        for j, c in enumerate(columns):
            align = ' class="num"' if spec.col(c).kind in _ALIGN_RIGHT else ""
            text = _interval_text(shown, i) if paired and c == "ci_low" else cell_text(shown, c, i)
            tag = "th scope=\"row\"" if j == 0 and spec.col(c).kind == "label" else "td"
            label = f' data-label="{html_text(headers[j])}"'
            cell = html_text(text) if align else _breakable(html_text(text))
            cells.append(f"<{tag}{align}{label}>{cell}</{tag.split()[0]}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    classes = "evalkit" + (" stacked" if len(columns) > PHONE_COLUMNS else "")
    classes += " short" if len(body) <= _SHORT_ROWS else ""
    return (f'<table class="{classes}"><caption>{html_text(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


#: Statistical symbols APA style sets in italics (a digit or ² after one stays upright).
_APA_SYMBOL = re.compile(r"^(n|N|M|SD|SE|t|F|p|r|d|z|W|U|H|df|R)(\d|²)?$")


def header_html(text: str, *, apa: bool = False) -> str:
    """A column header as escaped HTML; in APA style its statistical symbols are italic.

    Parameters
    ----------
    text
        The header, e.g. ``"p (Holm)"``.
    apa
        Set the symbols (``t``, ``F``, ``p``, ``SD``, ``R²`` ...) in italics, as the research
        report does.

    Returns
    -------
    str
        Escaped HTML.

    Examples
    --------
    >>> header_html("p (Holm)", apa=True), header_html("adjusted R²", apa=True)
    ('<i>p</i> &#40;Holm&#41;', 'adjusted <i>R</i>²')
    >>> header_html("mean after", apa=True), header_html("p <b>", apa=False)
    ('mean after', 'p &lt;b&gt;')
    """
    if not apa:
        return html_text(text)
    words = []
    for word in text.split(" "):
        symbol = _APA_SYMBOL.match(word)
        words.append(f"<i>{symbol.group(1)}</i>{symbol.group(2) or ''}" if symbol
                     else html_text(word))
    return " ".join(words)


def _breakable(escaped: str) -> str:
    """Escaped text with line-break chances after ``_``, ``=``, ``|`` and ``/``, so that a long
    code such as ``supervision_frequency=weekly|fortnightly`` wraps instead of widening its
    table past the page (a table column is never narrower than its longest unbreakable word)."""
    return _unbroken_dates(re.sub(r"([_=|/])(?=\w)", r"\1<wbr>", escaped))


#: A calendar date or month written the ISO way (2024-03-05, 2024-03).
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b")


def _unbroken_dates(escaped: str) -> str:
    """Escaped text with each ISO date or month kept on one line: a browser may break a line
    after a hyphen, and "2024-" over "03-05" in a narrow column reads as two values.

    Examples
    --------
    >>> _unbroken_dates("missed 2024-03-05; last 2024-02")
    'missed <span class="date">2024-03-05</span>; last <span class="date">2024-02</span>'
    """
    return _ISO_DATE.sub(lambda m: f'<span class="date">{m.group(0)}</span>', escaped)


#: Tables with at most this many rows are kept on one printed page with their caption.
_SHORT_ROWS = 8


def _same_every_row_html(shown: Shown, columns: list[str], caption: str, paired: bool) -> str:
    """The columns that are equal on every row, said once: one row per column."""
    spec = shown.spec
    rows = []
    ci = interval_header(shown) if paired else ""
    for c in columns:
        name = ci if paired and c == "ci_low" else header(spec.col(c))
        text = html_text(_interval_text(shown, 0) if paired and c == "ci_low"
                         else cell_text(shown, c, 0))
        number = spec.col(c).kind in _ALIGN_RIGHT
        cell = f'<td class="num">{text}</td>' if number else f"<td>{_breakable(text)}</td>"
        apa = shown.policy.audience == "research"
        rows.append(f'<tr><th scope="row">{header_html(name, apa=apa)}</th>{cell}</tr>')
    rows = "".join(rows)
    return (f'<table class="evalkit metrics short"><caption>{html_text(caption)}</caption><thead>'
            f'<tr><th scope="col">measure</th><th scope="col">value</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _interval_text(shown: Shown, i: int) -> str:
    """Both ends of row ``i``'s interval as one text: "57% to 69%", a dash when withheld,
    empty when there is none."""
    low, high = shown.status["ci_low"].iloc[i], shown.status["ci_high"].iloc[i]
    if WITHHELD in (low, high):
        return WITHHELD_TEXT
    if UNDEFINED in (low, high):
        return ""
    return f"{shown.text['ci_low'].iloc[i]} to {shown.text['ci_high'].iloc[i]}"


def _metric_table_html(shown: Shown, caption: str) -> str:
    spec = shown.spec
    has_interval = "ci_low" in shown.columns
    head = '<th scope="col">measure</th><th scope="col" class="num">value</th>'
    head += f'<th scope="col" class="num">{interval_header(shown)}</th>' if has_interval else ""
    rows = []
    for i, metric in enumerate(shown.values["metric"]):
        label = header(spec.col(metric))
        cells = f'<th scope="row">{html_text(label)}</th>'
        cells += f'<td class="num">{html_text(shown.text["value"].iloc[i])}</td>'
        if has_interval:
            interval = _interval_text(shown, i)
            cells += f'<td class="num">{html_text(interval)}</td>'
        rows.append(f"<tr>{cells}</tr>")
    columns = ["value", *(["ci_low"] if has_interval else [])]
    notes = "".join(f"<li>{html_text(n)}</li>" for n in footnotes(shown, columns)
                    if not n.startswith("n/a"))
    foot = f'<ul class="table-notes">{notes}</ul>' if notes else ""
    return (f'<div class="table-wrap"><table class="evalkit metrics short"><caption>'
            f"{html_text(caption)}</caption><thead><tr>{head}</tr></thead><tbody>"
            f"{''.join(rows)}</tbody></table>{foot}</div>")


def table_text(shown: Shown, columns: list[str] | None = None) -> str:
    """A plain-text rendering (the notebook's text/plain fallback).

    Parameters
    ----------
    shown
        A policed table.
    columns
        The columns to show, in order; None for all.

    Returns
    -------
    str
        The title, then the table's text without row numbers; or the title and why it is not
        available.

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.publish.policy import Policy
    >>> from evalkit.analyses.tables import Col, TableSpec
    >>> spec = TableSpec("by_site", "People by site", (
    ...     Col("site", "label", "site", funder="shown"),
    ...     Col("people", "people", "people", funder="rounded")))
    >>> shown = Policy("funder").apply(pd.DataFrame({"site": ["north", "south"],
    ...                                              "people": [3, 42]}), spec)
    >>> print(table_text(shown))
    People by site
     site people
    north     <5
    south    ≈40
    """
    if not shown.available:
        return f"{shown.spec.title}: {shown.note}"
    columns = [c for c in (columns or shown.columns) if c in shown.columns]
    frame = pd.DataFrame({c: [cell_text(shown, c, i) for i in range(len(shown))]
                          for c in columns}, index=shown.text.index)
    return shown.spec.title + "\n" + frame.to_string(index=False)


def png_base64(figure: Figure, dpi: int = 200) -> str:
    """A matplotlib figure as base64 PNG (no timestamps or software version in the file).

    Parameters
    ----------
    figure
        The figure to save.
    dpi
        Resolution in dots per inch.

    Returns
    -------
    str
        The PNG file, base64-encoded.

    Examples
    --------
    >>> import base64
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(1, 1))
    >>> base64.b64decode(png_base64(fig, dpi=50))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    >>> plt.close(fig)
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight",
                   metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")
