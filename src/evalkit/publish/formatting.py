"""How a policed value reads: the one formatter of table cells, CSV cells, sentences and cards.

The policy (:mod:`evalkit.publish.policy`) decides what an audience may see: a value and a status
for every cell. This module only writes what was decided, the same way everywhere:

* :func:`number_text` and :func:`format_value`: a number of a column, by its format and decimals,
  in APA style for the research report (``apa=True``);
* :func:`cell_text`: a cell of a page's table (``<5``, a dash where withheld, ``n/a``, ``≈35``,
  a change in words for a funder);
* :func:`csv_cell`: a cell of ``results/<name>.csv``;
* :func:`figure_text`: a figure put into a sentence, with an optional format spec;
* :func:`card_value` and :func:`interval_text`: the value and interval of a key-figure card, and of
  the summary's sentences.

Nothing here rounds for disclosure or hides a value: a funder's precision is the policy's
decision, handed over as the column's declaration (``policy.funder_view``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..analyses.tables import Col
from .labels import note_words, words

#: The status of a policed cell: shown as it is, a count below ``min_cell``, withheld, or not
#: defined. The policy decides it; :mod:`evalkit.publish.policy` exports these names.
SHOWN, SMALL, WITHHELD, UNDEFINED = "shown", "small", "withheld", "undefined"
#: A column this audience does not see at all (a funder's view of an undeclared column).
OMITTED = "omitted"
#: How a rounded count of people reads to a funder: "≈35" (about 35).
ABOUT = "≈"
WITHHELD_TEXT = "\u2014"  # an em dash, explained once in the table's footnote
UNDEFINED_TEXT = "n/a"
#: The p-value below which a p-value reads "<0.001" (``< .001`` in APA style).
P_FLOOR = 0.001


def small_text(min_cell: int) -> str:
    """How a count below ``min_cell`` reads.

    Parameters
    ----------
    min_cell
        The smallest count shown.

    Returns
    -------
    str
        ``"<5"`` for 5.

    Examples
    --------
    >>> small_text(5), small_text(10)
    ('<5', '<10')
    """
    return f"<{min_cell}"


def number_text(value: float, decimals: int, *, signed: bool = False) -> str:
    """A number to ``decimals`` places, never "-0.00": a value that rounds to zero has no sign.

    Parameters
    ----------
    value
        The number.
    decimals
        Places after the point.
    signed
        Write "+" before positive numbers.

    Returns
    -------
    str
        The text, with thousands separated by commas.

    Examples
    --------
    >>> number_text(-0.001, 2), number_text(-0.001, 2, signed=True), number_text(0.25, 1)
    ('0.00', '0.00', '0.2')
    >>> number_text(1234.5, 1), number_text(0.5, 2, signed=True)
    ('1,234.5', '+0.50')
    """
    text = f"{value:{'+' if signed else ''},.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return f"{0:.{decimals}f}"
    return text


def format_value(value: object, col: Col, *, apa: bool = False) -> str:
    """How the page shows one value of ``col`` (already policed).

    Parameters
    ----------
    value
        The value; None, NaN and ``pd.NA`` read ``n/a``.
    col
        The column it belongs to: its ``format`` and ``decimals`` decide the text.
    apa
        Write it as APA style does (the research report): a p-value as ``.034`` or ``< .001``,
        and a ``bounded`` statistic (one that cannot exceed 1) without its leading zero.

    Returns
    -------
    str
        The text, e.g. ``"30%"``, ``"+0.56"``, ``"<0.001"``, ``"1,927"``.

    Examples
    --------
    >>> from evalkit.analyses.tables import Col
    >>> format_value(0.0004, Col("p", "p_value", "p-value"))
    '<0.001'
    >>> format_value(None, Col("n", "people", "people"))
    'n/a'
    >>> format_value(0.0004, Col("p", "p_value", "p-value"), apa=True)
    '< .001'
    >>> r = Col("r", "statistic", "Pearson's r", bounded=True)
    >>> format_value(-0.456, r, apa=True), format_value(-0.456, r), format_value(1.0, r, apa=True)
    ('-.46', '-0.46', '1.00')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return UNDEFINED_TEXT
    fmt = col.format
    if fmt in ("text", "code"):
        return str(value)
    if fmt == "flag":
        return "yes" if bool(value) else "no"
    number = float(value)
    if fmt == "integer":
        return number_text(number, 0)
    if fmt == "percent":
        return f"{number:.0%}"
    if fmt == "p":
        if apa:
            return "< .001" if number < P_FLOOR else _without_leading_zero(f"{number:.3f}")
        return "<0.001" if number < P_FLOOR else f"{number:.3f}"
    text = number_text(number, col.decimals, signed=fmt == "signed")
    return _without_leading_zero(text) if apa and col.bounded else text


def _without_leading_zero(text: str) -> str:
    """``"0.45"`` as ``".45"`` (and ``"-0.45"`` as ``"-.45"``); ``"1.00"`` unchanged."""
    return re.sub(r"^([+-]?)0\.", r"\1.", text)


def change_in_words(value: float, decimals: int = 1) -> str:
    """A mean change as a funder reads it: its direction and its size, rounded.

    Parameters
    ----------
    value
        The change (later minus earlier), already rounded for the funder.
    decimals
        Decimals of the size.

    Returns
    -------
    str
        ``"fell by about 0.4"``, ``"rose by about 1.2"`` or ``"about the same"``.

    Examples
    --------
    >>> change_in_words(-0.4), change_in_words(1.25), change_in_words(-0.01)
    ('fell by about 0.4', 'rose by about 1.2', 'about the same')
    """
    size = round(abs(float(value)), decimals)
    if size == 0:
        return "about the same"
    return f"{'fell' if value < 0 else 'rose'} by about {size:.{decimals}f}"


def exact_change_words(value: float) -> str:
    """An exact mean change in words, to two decimals, for a sentence of the research report.

    Parameters
    ----------
    value
        The change (later minus earlier).

    Returns
    -------
    str
        ``"fell by 0.56"`` or ``"rose by 0.10"``.

    Examples
    --------
    >>> exact_change_words(-0.556), exact_change_words(0.1)
    ('fell by 0.56', 'rose by 0.10')
    """
    return f"{'fell' if value < 0 else 'rose'} by {abs(value):.2f}"


def cell_text(value: object, col: Col, status: str, *, audience: str = "internal",
              min_cell: int = 5) -> str:
    """The text of one policed cell of a page's table.

    Parameters
    ----------
    value
        The policed value.
    col
        The declaration that governs the cell (for a funder, with the funder's decimals).
    status
        The cell's status (``shown``, ``small``, ``withheld``, ``undefined``, ``omitted``).
    audience
        ``"funder"``, ``"research"`` (APA style) or ``"internal"``.
    min_cell
        The smallest count shown, for the text of a small count.

    Returns
    -------
    str
        ``<5`` for a small count, a dash where withheld, ``n/a`` where undefined, ``""`` where
        omitted, words for a label, and the formatted value otherwise; for a funder, ``≈10``
        for a count of people and words for a change.

    Examples
    --------
    >>> from evalkit.analyses.tables import Col
    >>> people = Col("n", "people", "people")
    >>> cell_text(10.0, people, "shown", audience="funder"), cell_text(None, people, "small")
    ('≈10', '<5')
    >>> cell_text(10.0, people, "shown"), cell_text(None, people, "withheld")
    ('10', '—')
    >>> change = Col("change", "statistic", "a change", rests_on=("n",), funder="change",
    ...              decimals=1)
    >>> cell_text(-0.4, change, "shown", audience="funder")
    'fell by about 0.4'
    """
    funder = audience == "funder"
    if status == SMALL:
        return small_text(min_cell)
    if status == WITHHELD:
        return WITHHELD_TEXT
    if status == UNDEFINED:
        return UNDEFINED_TEXT
    if status == OMITTED:
        return ""
    if col.kind == "label" and col.format != "code":
        return words(value)
    if funder and col.kind == "people":
        return ABOUT + format_value(value, col)
    if funder and col.funder == "change":
        return change_in_words(float(value), col.decimals)
    if col.kind == "text":
        return note_words(value)
    return format_value(value, col, apa=audience == "research")


def plain_value(value: object) -> object:
    """A NumPy scalar as the Python value it holds; anything else unchanged.

    Parameters
    ----------
    value
        A cell's value.

    Returns
    -------
    object
        ``np.int64(3)`` as ``3``.

    Examples
    --------
    >>> plain_value(np.int64(3)), plain_value("a")
    (3, 'a')
    """
    if isinstance(value, np.generic):
        return value.item()
    return value


def csv_cell(value: object, col: Col, status: str, *, audience: str = "internal",
             min_cell: int = 5) -> object:
    """One cell of ``results/<name>.csv``: exact values stay values, so the file can be analysed.

    Parameters
    ----------
    value
        The policed value (NaN where nothing may be shown).
    col
        The declaration that governs the cell.
    status
        The cell's status.
    audience
        The audience of the report.
    min_cell
        The smallest count shown, for the text of a small count.

    Returns
    -------
    object
        ``<5`` for a small count; for a funder, ``<0.001`` for a p-value below 0.001; a count as
        a whole number; any other value as it is (NaN for a blank).

    Examples
    --------
    >>> from evalkit.analyses.tables import Col
    >>> people = Col("n", "people", "people")
    >>> csv_cell(10.0, people, "shown"), csv_cell(float("nan"), people, "small")
    (10, '<5')
    >>> p = Col("p", "p_value", "p-value")
    >>> csv_cell(0.0005, p, "shown", audience="funder"), csv_cell(0.0005, p, "shown")
    ('<0.001', 0.0005)
    """
    if status == SMALL:
        return small_text(min_cell)
    if (audience == "funder" and col.kind == "p_value" and not pd.isna(value)
            and float(value) < P_FLOOR):
        return "<0.001"
    if col.kind in ("people", "count", "number") and not isinstance(value, str) \
            and not pd.isna(value):
        return int(value)
    return plain_value(value)


def figure_text(value: object, text: str, status: str, spec: str = "") -> str:
    """A policed figure as a sentence shows it, never finer than its table.

    Parameters
    ----------
    value
        The figure's policed value.
    text
        What its table shows for it.
    status
        Its status.
    spec
        A format spec for a shown number (``"+.2f"``, ``".0%"``); ``""`` for the table's text.

    Returns
    -------
    str
        The text; ``withheld`` for a withheld or omitted value, ``not available`` for an undefined
        one, ``<5`` for a small count. A rounded count keeps its ``≈`` under a format spec.

    Examples
    --------
    >>> figure_text(0.3, "30%", "shown", ".0%"), figure_text(None, "<5", "small")
    ('30%', '<5')
    >>> figure_text(35.0, "≈35", "shown", ".0f"), figure_text(None, "", "withheld")
    ('≈35', 'withheld')
    >>> figure_text(None, "n/a", "undefined")
    'not available'
    """
    if status == SHOWN and spec and isinstance(value, (int, float, np.number)):
        about = ABOUT if text.startswith(ABOUT) else ""
        return about + format(value, spec)
    if status in (WITHHELD, OMITTED):
        return "withheld"
    if status == UNDEFINED:
        return "not available"
    return text


def card_value(text: str, status: str) -> str:
    """The value of a key-figure card: the table's text when shown, a word otherwise.

    A card never shows ``<5``: a count too small to show is "withheld", like any other.

    Parameters
    ----------
    text
        The figure's text.
    status
        Its status.

    Returns
    -------
    str
        ``text``, ``"withheld"`` or ``"not available"``.

    Examples
    --------
    >>> card_value("63%", "shown"), card_value("<5", "small"), card_value("n/a", "undefined")
    ('63%', 'withheld', 'not available')
    """
    if status == SHOWN:
        return text
    return "withheld" if status != UNDEFINED else "not available"


def interval_text(low: str, high: str, *, level: str = "95%") -> str:
    """An interval as the cards and the summary write it.

    Parameters
    ----------
    low, high
        The texts of its bounds.
    level
        Its coverage.

    Returns
    -------
    str
        ``"95% interval 55% to 70%"``.

    Examples
    --------
    >>> interval_text("55%", "70%")
    '95% interval 55% to 70%'
    """
    return f"{level} interval {low} to {high}"


def capital(text: str) -> str:
    """``text`` with its first letter a capital, for a figure that opens a sentence.

    Parameters
    ----------
    text
        The text.

    Returns
    -------
    str
        The text, its first character upper case.

    Examples
    --------
    >>> capital("≈35 of them"), capital("about half")
    ('≈35 of them', 'About half')
    """
    return text[:1].upper() + text[1:]
