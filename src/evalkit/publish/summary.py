"""The report's key-figure cards and its summary in plain words, built only from the policed
key-figures table (:mod:`evalkit.analyses.key_figures`), so they show nothing the tables do not."""

from __future__ import annotations

import pandas as pd

from ..analyses.key_figures import CARD_BASES, TABLE
from ..analyses.secondary_trauma import CLINICAL_THRESHOLD
from ..data.dataset import Dataset
from ..data.quality import dated_subjects
from .document import Card
from .formatting import capital, card_value, exact_change_words, interval_text
from .page import Published
from .policy import SHOWN, PolicedFigure, Shown


def cards(published: Published) -> list[Card]:
    """One card per key figure the folder supports: label, value, interval and base.

    Parameters
    ----------
    published
        The published ``key_figures`` analysis (``page.run("key_figures")``).

    Returns
    -------
    list of Card
        In the order of ``CARD_BASES``; empty when the table is not available.

    Examples
    --------
    >>> from evalkit.publish.page import Page
    >>> figures = Page("data/sample", audience="funder").run("key_figures")
    >>> cards(figures)[0]
    Card(label='Sessions attended', value='63%', interval='', base='≈130 participants')
    """
    table: Shown = published["key_figures"]
    if not table.available:
        return []
    present = set(table.values["metric"])
    result = []
    for metric, (base, unit) in CARD_BASES.items():
        if metric not in present:
            continue
        value = table.figure(metric=metric)
        interval = ""
        low = table.figure("ci_low", metric=metric)
        high = table.figure("ci_high", metric=metric)
        if value.shown and low.shown and high.shown:
            interval = interval_text(low.text, high.text)
        count = table.figure(metric=base)
        result.append(Card(label=TABLE.col(metric).header,
                           value=card_value(value.text, value.status),
                           interval=interval, base=f"{count.text} {unit}"))
    return result


def sentences(published: Published) -> list[str]:
    """A short summary in plain words: what the figures say, and what the data cannot show.

    Every number in it is a policed figure's text; figures withheld for small numbers are named
    as withheld.

    Parameters
    ----------
    published
        The published ``key_figures`` analysis (``page.run("key_figures")``).

    Returns
    -------
    list of str
        One sentence per item, ending with what the figures cannot show.

    Examples
    --------
    >>> from evalkit.publish.page import Page
    >>> figures = Page("data/sample", audience="funder").run("key_figures")
    >>> print(sentences(figures)[1])
    Sessions with planned exercises delivered 88% of their planned time on average.
    """
    table: Shown = published["key_figures"]
    said: list[str] = []
    if table.available:
        f = table.figures()

        def shown(*names):
            return all(n in f and f[n].shown for n in names)

        if shown("attendance_rate"):
            text = f"Participants attended {f['attendance_rate'].text} of the sessions they were "
            text += "scheduled for"
            if shown("completion_rate_recorded", "dropout_rate"):
                text += (f"; {f['completion_rate_recorded'].text} completed the programme and "
                         f"{f['dropout_rate'].text} withdrew or were excluded")
            said.append(text + ".")
        if shown("delivery_fidelity"):
            said.append(f"Sessions with planned exercises delivered "
                        f"{f['delivery_fidelity'].text} of their planned time on average.")
        if "discomfort_change" in f:
            said.append(_discomfort_sentence(table, f))
        if shown("stss_38_share"):
            said.append(f"In the latest survey, {f['stss_38_share'].text} of practitioners scored "
                        f"{CLINICAL_THRESHOLD:g} or more on the Secondary Traumatic Stress "
                        f"Scale, a level often "
                        f"reported as clinically meaningful.")
        if shown("burnout_share"):
            said.append(f"{capital(f['burnout_share'].text)} of practitioners reported moderate "
                        f"or high burnout.")
        if shown("partners_improved_share"):
            said.append(f"Of the partners who answered at both waves, "
                        f"{f['partners_improved_share'].text} reported a reliable improvement "
                        f"(less abuse or fear) by the next contact.")
        if shown("demands_met_share"):
            said.append(f"{capital(f['demands_met_share'].text)} of the survivors' demands set "
                        f"in accountability processes were met.")
        withheld = [TABLE.col(m).header.lower() for m in CARD_BASES
                    if m in f and f[m].status not in (SHOWN, "undefined")]
        if withheld:
            said.append("Withheld to protect small numbers (too few people, or a small group "
                        "they would reveal): "
                        + ", ".join(withheld) + ".")
    said.append("What these figures cannot show: there is no comparison group, so changes cannot "
                "be put down to the programme alone.")
    partners = table.available and "partners_assessed" in set(table.values["metric"])
    if partners:
        said.append("Partner reports come from the partners the programme could reach, who may "
                    "differ from those it could not.")
    else:
        said.append("Partner-reported outcomes are not in this data, so whether partners and "
                    "children are safer is not measured here.")
    return said


def _discomfort_sentence(table: Shown, f: dict[str, PolicedFigure]) -> str:
    change = f["discomfort_change"]
    if not change.shown:
        return "The change in practitioners' discomfort after preparation is withheld."
    low = table.figure("ci_low", metric="discomfort_change")
    high = table.figure("ci_high", metric="discomfort_change")
    # A funder's figure already reads in words ("fell by about 0.6"); an exact one is worded here.
    words = change.text if change.text[:1].isalpha() else exact_change_words(change.value)
    interval = f"({interval_text(low.text, high.text)})"
    if (high.shown and high.value < 0) or (low.shown and low.value > 0):
        return (f"After preparation, practitioners' discomfort {words} points on the 1-5 "
                f"scale {interval}.")
    return f"Practitioners' discomfort did not change clearly after preparation {interval}."


def period_covered(dataset: Dataset, *, min_dated: int = 0,
                   every_file: bool = False) -> tuple[pd.Period, pd.Period] | None:
    """The months the programme's sessions span, or, without sessions, every dated file's.

    Without session dates, every dated file counts except the accountability log, whose
    processes can start years before the programme. That is the period a front page names; the
    months a report's figures are drawn from (``every_file``) are every dated file's, the log
    included: the release ledger compares reports by those.

    Parameters
    ----------
    dataset
        A loaded data folder.
    min_dated
        Leave out the files in which fewer people (or processes) than this have a date
        (:func:`~evalkit.data.quality.dated_subjects`): a funder's front page never gives the
        months of a few people's answers.
    every_file
        Span every dated file, sessions or not, the accountability log included.

    Returns
    -------
    tuple of Period or None
        ``(first, last)`` months; None when no file (with enough people dated) has dates.

    Examples
    --------
    >>> import evalkit
    >>> period_covered(evalkit.load("data/sample"))
    (Period('2023-01', 'M'), Period('2025-12', 'M'))
    >>> period_covered(evalkit.load("data/sample"), min_dated=500) is None
    True
    >>> period_covered(evalkit.load("data/sample"), every_file=True)
    (Period('2016-01', 'M'), Period('2025-12', 'M'))
    """
    summary = dataset.summary()
    if min_dated > 0:
        names = summary["file"].str.removesuffix(".csv")
        summary = summary[names.map(lambda name: dated_subjects(dataset, name)) >= min_dated]
    rows = summary if every_file else summary[summary["file"] == "sessions.csv"]
    if rows.empty or rows["first_date"].isna().all():
        rows = summary[summary["file"] != "accountability_events.csv"]
    first = rows["first_date"].dropna()
    last = rows["last_date"].dropna()
    if first.empty:
        return None
    return (pd.Period(str(first.min())[:7], freq="M"), pd.Period(str(last.max())[:7], freq="M"))
