"""Turning policed tables and charts into page content (HTML fragments and PNG images).

Everything here receives :class:`~evalkit.publish.policy.Shown` tables, never raw results, and every
data-borne string goes through :mod:`evalkit.publish.escape`.
"""

from __future__ import annotations

import base64
import io

from matplotlib.figure import Figure

from .escape import html_text
from .labels import counted, header, interval_level
from .policy import SMALL, UNDEFINED, WITHHELD, WITHHELD_TEXT, Shown

_ALIGN_RIGHT = {"people", "count", "number", "share", "statistic", "p_value"}


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
    >>> from evalkit.publish.tables import Col, TableSpec
    >>> spec = TableSpec("by_site", "People by site", (
    ...     Col("site", "label", "site", funder="shown"),
    ...     Col("people", "people", "people", funder="rounded")))
    >>> shown = Policy("funder").apply(pd.DataFrame({"site": ["north", "south"],
    ...                                              "people": [3, 42]}), spec)
    >>> footnotes(shown, ["site", "people"])
    ['<5: fewer than 5 people.', '≈35: a count of people rounded to the nearest 5; percentages are computed from the exact counts.']
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
        notes.append(f"{WITHHELD_TEXT} withheld to protect small numbers: the figure rests on fewer "
                     f"than {policy.min_cell} people, or would reveal a group that small.")
    if (status == UNDEFINED).any().any():
        notes.append("n/a: cannot be computed from these data.")
    if policy.funder and people:
        nouns = _joined(counted(c, spec.unit) for c in people)
        notes.append(f"≈35: a count of {nouns} rounded to the nearest 5; percentages are "
                     "computed from the exact counts.")
    if policy.funder and "ci_low" in columns and _has_share_interval(shown):
        notes.append("Intervals of percentages are widened to the nearest 5 points.")
    return notes


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
    >>> from evalkit.publish.tables import Col, TableSpec
    >>> spec = TableSpec("by_site", "People by site", (
    ...     Col("site", "label", "site", funder="shown"),
    ...     Col("people", "people", "people", funder="rounded")))
    >>> shown = Policy("funder").apply(pd.DataFrame({"site": ["north", "south"],
    ...                                              "people": [3, 42]}), spec)
    >>> html = table_html(shown)
    >>> html.startswith('<div class="table-wrap"><table class="evalkit"><caption>People by site')
    True
    >>> '<th scope="row">north</th><td class="num">&lt;5</td>' in html
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
    # An interval reads as one cell ("57% to 69%"), which also keeps tables narrow on a phone.
    paired = ("ci_low" in columns and "ci_high" in columns
              and columns.index("ci_high") == columns.index("ci_low") + 1)
    shown_columns = [c for c in columns if not (paired and c == "ci_high")]
    ci = f"{interval_level(spec.col('ci_low').description)} CI".strip() if paired else ""
    head = "".join(
        f'<th scope="col">{html_text(ci) if paired and c == "ci_low" else html_text(header(spec.col(c)))}'
        "</th>" for c in shown_columns)
    rows = []
    for i in range(len(shown)):
        cells = []
        for j, c in enumerate(shown_columns):
            align = ' class="num"' if spec.col(c).kind in _ALIGN_RIGHT else ""
            text = shown.text[c].iloc[i]
            if paired and c == "ci_low":
                text = _interval_text(shown, i)
            tag = "th scope=\"row\"" if j == 0 and spec.col(c).kind == "label" else "td"
            cells.append(f"<{tag}{align}>{html_text(text)}</{tag.split()[0]}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        return f'<p class="evalkit-unavailable"><strong>{html_text(caption)}</strong>: no rows.</p>'
    notes = "".join(f"<li>{html_text(n)}</li>" for n in footnotes(shown, columns))
    foot = f'<ul class="table-notes">{notes}</ul>' if notes else ""
    return (f'<div class="table-wrap"><table class="evalkit"><caption>{html_text(caption)}'
            f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"{foot}</div>")


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
    head = '<th scope="col">measure</th><th scope="col">value</th>'
    level = interval_level(spec.col("ci_low").description) if has_interval and any(
        c.name == "ci_low" for c in spec.columns) else "95%"
    head += f'<th scope="col">{f"{level} interval".strip()}</th>' if has_interval else ""
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
    return (f'<div class="table-wrap"><table class="evalkit metrics"><caption>'
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
    >>> from evalkit.publish.tables import Col, TableSpec
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
    frame = shown.text[columns]
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
