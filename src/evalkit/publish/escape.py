"""Making data-borne text safe to show: the one place text from a data folder is escaped.

Labels in a data folder (a site, a wave, a module name) are chosen by whoever made the files.
Before they reach a page they pass through :func:`markdown_text` (sentences) or :func:`html_text`
(tables, captions), and before they reach a CSV through :func:`csv_cell`, so that no label can run
as script, load remote content or run as a spreadsheet formula.
"""

from __future__ import annotations

import html
import re

# Characters with a meaning in Markdown (CommonMark punctuation that can start or end syntax).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:&])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def html_text(value: object) -> str:
    """``value`` as text that HTML shows literally (``<`` becomes ``&lt;`` and so on).

    Examples
    --------
    >>> html_text('2025<img src=x onerror=alert(1)>')
    '2025&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape(str(value), quote=True)


def markdown_text(value: object) -> str:
    """``value`` as Markdown that renders as the literal text: no emphasis, links, images or
    raw HTML can come out of it. Line breaks become spaces.

    Examples
    --------
    >>> markdown_text("![x](http://example.org/a.png)")
    '\\\\!\\\\[x\\\\]\\\\(http\\\\://example\\\\.org/a\\\\.png\\\\)'
    """
    text = " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting with ``= + - @``, a tab or a carriage
    return that is not a number gets a leading apostrophe. Numbers and other values pass as
    they are.

    Examples
    --------
    >>> csv_cell('=HYPERLINK("http://example.org")'), csv_cell("-0.25"), csv_cell(-0.25)
    ('\\'=HYPERLINK("http://example.org")', '-0.25', -0.25)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value
