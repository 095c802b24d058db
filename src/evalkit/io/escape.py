"""Making data-borne text safe to show: the one place text from a data folder is escaped.

Labels in a data folder (a site, a wave, a module name) are chosen by whoever made the files.
Before they reach a page they pass through :func:`markdown_text` (sentences) or :func:`html_text`
(tables, captions), and before they reach a CSV through :func:`csv_cell`, so that no label can run
as script, load remote content, pretend to be a link or run as a spreadsheet formula.

What each function guarantees:

- :func:`plain_text` (used by both page functions): control characters and invisible format
  characters (zero-width spaces and joiners, bidirectional overrides and isolates, soft hyphens,
  byte-order marks) are removed, so a label cannot hide text or reorder what the reader sees;
  every run of whitespace, line breaks included, becomes one space.
- :func:`html_text`: the text shows literally in HTML, in element content and in quoted
  attribute values. The characters that would let it form a link, an image, code or mathematics
  or emphasis if the HTML is later embedded in Markdown (``[ ] ( ) ! : @ ` $ \\ * ~``) are
  written as character references too, as are the dot of ``www.`` and an underscore at the
  edge of a word (``sexual_respect`` stays as it is).
- :func:`markdown_text`: the text renders as itself in CommonMark, GitHub-flavoured Markdown and
  Jupyter's Markdown (which finds ``$...$`` mathematics before Markdown runs): every ASCII
  punctuation character is escaped, ``\\ $ & < >`` as character references and the rest with a
  backslash, so no emphasis, heading, list, table cell, link, image, autolink, raw HTML or
  mathematics can come out of it.
- :func:`csv_cell`: text that a spreadsheet would run as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import re
import string

# Control characters other than whitespace, and invisible format characters (Unicode category
# Cf: soft hyphen, Arabic letter mark, zero-width space/non-joiner/joiner, left-to-right and
# right-to-left marks, embeddings, overrides and isolates, word joiner, invisible operators,
# byte-order mark, interlinear annotation, tag characters).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_ENTITY = {"\\": "&#92;", "$": "&#36;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKDOWN_ESCAPES = {
    ord(ch): _ENTITY.get(ch, "\\" + ch) for ch in string.punctuation
}
_HTML_ESCAPES = {
    ord(ch): ref for ch, ref in {
        "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "`": "&#96;",
        "[": "&#91;", "]": "&#93;", "(": "&#40;", ")": "&#41;", "!": "&#33;", ":": "&#58;",
        "@": "&#64;", "$": "&#36;", "\\": "&#92;", "*": "&#42;", "~": "&#126;",
    }.items()
}
# The dot of "www." (an autolink in Markdown) and an underscore that could open or close
# emphasis (one not between two letters or digits, as in "sexual_respect").
_MARKDOWN_IN_HTML = re.compile(r"(?i)(?<=www)\.|(?<![^\W_])_|_(?![^\W_])")

# A spreadsheet runs a cell as a formula when it starts with one of these (after any spaces);
# full-width forms and the minus sign are included because some spreadsheets read them too.
_FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20\u2212\ufe62\ufe63")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def plain_text(value: object) -> str:
    """``value`` as one line of visible text: invisible characters removed, spaces collapsed.

    Control and invisible format characters are removed, whitespace runs (line breaks
    included) collapsed to one space, and the ends trimmed.

    Parameters
    ----------
    value : object
        Any value; it is converted with ``str``.

    Returns
    -------
    str
        The cleaned text.

    Examples
    --------
    >>> plain_text("north\\u202e\\u200b site\\n2")
    'north site 2'
    """
    return " ".join(_INVISIBLE.sub("", str(value)).split())


def html_text(value: object) -> str:
    """``value`` as text that HTML shows literally (``<`` becomes ``&lt;`` and so on).

    Safe in element content and in quoted attribute values; never use it to build a URL. The
    result also stays literal when the HTML is embedded in Markdown.

    Parameters
    ----------
    value : object
        Any value; it is converted with ``str`` and cleaned with :func:`plain_text`.

    Returns
    -------
    str
        The text with HTML's special characters (and Markdown's) as character references.

    Examples
    --------
    >>> html_text('2025<img src=x onerror=alert(1)>')
    '2025&lt;img src=x onerror=alert&#40;1&#41;&gt;'
    >>> html_text("35-44 sexual_respect")
    '35-44 sexual_respect'
    """
    text = plain_text(value).translate(_HTML_ESCAPES)
    return _MARKDOWN_IN_HTML.sub(lambda m: f"&#{ord(m.group())};", text)


def markdown_text(value: object) -> str:
    """``value`` as Markdown that renders as the literal text.

    No emphasis, links, images, raw HTML or mathematics can come out of it. Line breaks become
    spaces.

    Parameters
    ----------
    value : object
        Any value; it is converted with ``str`` and cleaned with :func:`plain_text`.

    Returns
    -------
    str
        The text with every ASCII punctuation character escaped.

    Examples
    --------
    >>> print(markdown_text("![x](http://example.org/a.png)"))
    \\!\\[x\\]\\(http\\:\\/\\/example\\.org\\/a\\.png\\)
    >>> print(markdown_text("<b>$x$</b>"))
    &lt;b&gt;&#36;x&#36;&lt;\\/b&gt;
    """
    return plain_text(value).translate(_MARKDOWN_ESCAPES)


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula.

    Text whose first character other than spaces is ``=``, ``+``, ``-``, ``@``, a tab, a carriage
    return or a line feed (or a full-width form of these) gets a leading apostrophe, unless the
    whole text is a plain number such as ``-0.5`` or ``+3``. Carriage returns inside the text
    become line feeds, which every CSV writer quotes, so a cell cannot break into a new row.
    Numbers, missing values and other objects pass as they are.

    Parameters
    ----------
    value : object
        One cell.

    Returns
    -------
    object
        The cell, escaped when it is risky text.

    Examples
    --------
    >>> csv_cell('=HYPERLINK("http://example.org")'), csv_cell("-0.25"), csv_cell(-0.25)
    ('\\'=HYPERLINK("http://example.org")', '-0.25', -0.25)
    >>> csv_cell("-1+1"), csv_cell(" @SUM(A1)"), csv_cell("35-44")
    ("'-1+1", "' @SUM(A1)", '35-44')
    """
    if not isinstance(value, str) or not value:
        return value
    first = value.lstrip(" ")[:1]
    if first and first in _FORMULA_START and not _NUMBER.fullmatch(value):
        value = "'" + value
    if "\r" in value:
        # A CSV writer that ends rows with "\n" leaves a lone "\r" unquoted, and spreadsheets
        # read it as the end of a row: the rest of the cell would become a new, unescaped row.
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value
