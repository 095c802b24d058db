"""What a notebook shows, and the only way it shows anything.

A notebook opens a :class:`Page` from its parameters, runs analyses through it and shows what comes
back::

    page = Page(data_dir, results_dir=results_dir, audience=audience, min_cell=min_cell)
    attendance = page.run("attendance")
    page.say("{rate} of sessions were attended.",
             rate=attendance["attendance_summary"].figure(metric="attendance_rate"))
    page.table(attendance["attendance_by_group"])
    page.chart(charts.rate_by_week, attendance["attendance_by_week"])

``run`` passes every table through the audience's :class:`~evalkit.publish.policy.Policy` and
writes it, with its codebook rows, to ``results_dir``; tables, sentences and charts can only be
made from what ``run`` returns, so a notebook cannot show an unpoliced number. Outputs made here are
marked, and the report keeps only marked outputs.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import string
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from ..analyses import get
from ..analyses.tables import TableSpec
from ..data.dataset import Dataset
from ..data.validate import load
from ..errors import UsageError
from ..io.escape import markdown_text
from ..io.writer import write_csv
from . import render
from .policy import DEFAULT_MIN_CELL, OMITTED, PolicedFigure, Policy, Shown, fixed

#: Marks outputs made by a Page; the report shows nothing else.
MARK = "evalkit"

# Charts are drawn narrow (5.2 inches) with 11-point text so that, shrunk to a 390-pixel phone
# screen, their text stays about as large as a table's.
CHART_STYLE = {
    "figure.dpi": 100,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.frameon": False,
    "svg.hashsalt": "evalkit",
    # Labels come from the data (a site called "north $x$ east"): they are drawn as the text
    # they are, never read as mathtext, which would fail on them or draw something else.
    "text.parse_math": False,
}


class Published(Mapping):
    """The policed tables of one analysis run, by table name.

    Parameters
    ----------
    analysis
        The analysis's name.
    tables
        Table name -> policed table.
    note
        Why the analysis could not run on this folder ("" when it ran).

    Examples
    --------
    >>> page = Page("data/sample", audience="funder")
    >>> delivery = page.run("delivery")
    >>> list(delivery), delivery.available
    (['delivery_fidelity', 'exercise_fidelity', 'facilitator_fidelity'], True)
    >>> delivery["facilitator_fidelity"].note
    'shown in internal reports only'
    """

    def __init__(self, analysis: str, tables: dict[str, Shown], note: str = ""):
        self.analysis = analysis
        self._tables = tables
        self.note = note

    def __getitem__(self, name: str) -> Shown:
        if name not in self._tables:
            raise KeyError(f"the {self.analysis} analysis publishes no table '{name}'")
        return self._tables[name]

    def __iter__(self):
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    @property
    def available(self) -> bool:
        """Whether the analysis ran (its files are present).
        """
        return not self.note


def parse_period(period: str | None) -> tuple[pd.Period, pd.Period] | None:
    """``"2024-01:2024-12"`` as two months (both ends included); None stays None.

    Parameters
    ----------
    period
        ``FROM:TO`` with two months ``YYYY-MM``, or None.

    Returns
    -------
    tuple of Period or None
        ``(first, last)``, or None when ``period`` is None.

    Raises
    ------
    UsageError
        When the text is not two real months in order.

    Examples
    --------
    >>> parse_period("2024-01:2024-06")
    (Period('2024-01', 'M'), Period('2024-06', 'M'))
    """
    if period is None:
        return None
    parts = str(period).split(":")
    shape = re.compile(r"^\d{4}-\d{2}$")
    if len(parts) != 2 or not all(shape.match(p.strip()) for p in parts):
        raise UsageError("--period must be FROM:TO with two months, like 2024-01:2024-12")
    try:
        first, last = (pd.Period(p.strip(), freq="M") for p in parts)
    except ValueError:
        raise UsageError("--period: a month is not a real month (01 to 12)") from None
    if first > last:
        raise UsageError("--period: FROM is after TO")
    return first, last


#: Data folders already loaded in this process, newest last, keyed by the folder, the day and
#: what its files were when read. The notebooks of one report share one kernel, so each folder
#: is read and validated once per report; any change to a file (size, time, a file added or
#: removed) is a new key, so an edited folder is read again. Kept to two folders, so a long
#: JupyterLab session holds no more than that in memory.
_LOADED: OrderedDict[tuple, Dataset] = OrderedDict()
_KEEP_LOADED = 2


def _files_signature(folder: Path) -> tuple:
    """What the files of ``folder`` and of its subfolders (instrument specs) were, or ``()``."""
    seen = []
    try:
        for entry in os.scandir(folder):
            places = [entry]
            if entry.is_dir():
                places += list(os.scandir(entry.path))
            for place in places:
                info = place.stat()
                seen.append((os.path.relpath(place.path, folder), info.st_size,
                             info.st_mtime_ns, info.st_ino))
    except OSError:
        return ()
    return tuple(sorted(seen))


def load_once(data_dir: str | Path) -> Dataset:
    """Load and validate a data folder, or hand back the Dataset already loaded from it.

    A Dataset cannot be changed, so one loaded earlier in this process from the same files on
    the same day is the same Dataset :func:`evalkit.data.validate.load` would give.

    Parameters
    ----------
    data_dir
        The data folder.

    Returns
    -------
    Dataset
        The folder's typed tables.

    Raises
    ------
    DataValidationError
        As :func:`evalkit.data.validate.load`; a folder with errors is never kept.

    Examples
    --------
    >>> load_once("data/sample") is load_once("data/sample")
    True
    """
    folder = Path(data_dir).resolve()
    signature = _files_signature(folder)
    key = (str(folder), _dt.date.today(), signature)
    if signature and key in _LOADED:
        _LOADED.move_to_end(key)
        return _LOADED[key]
    dataset = load(data_dir)
    if signature:
        _LOADED[key] = dataset
        while len(_LOADED) > _KEEP_LOADED:
            _LOADED.popitem(last=False)
    return dataset


class Page:
    """A notebook's view of one data folder for one audience.

    Parameters
    ----------
    data_dir
        The data folder (checked with :func:`evalkit.load`).
    results_dir
        Where result tables and ``codebook.csv`` are written; None writes nothing.
    audience
        ``"internal"`` or ``"funder"``.
    min_cell
        Smallest count of people a funder page shows (at least 3).
    period
        ``"YYYY-MM:YYYY-MM"``: analyse only what happened in these months.
    dataset
        An already loaded dataset, instead of ``data_dir``.
    on_publish
        Called as ``on_publish(spec, exact, shown)`` for every table :meth:`run` polices, with
        the analysis's exact result and the policed table; the release ledger reads the people
        bases of a funder report this way (:class:`~evalkit.publish.ledger.PublishedCounts`).

    Examples
    --------
    >>> page = Page("data/sample", audience="funder", period="2024-01:2024-12")
    >>> page.audience, page.dataset.period
    ('funder', (Period('2024-01', 'M'), Period('2024-12', 'M')))

    Outside a notebook, what a page shows is printed as its display bundle:

    >>> page.say("Fidelity tables cover {n} sessions.",
    ...          n=page.run("delivery")["delivery_fidelity"].figure("sessions", module_session=2))
    {'text/markdown': 'Fidelity tables cover 4 sessions.'}
    """

    def __init__(self, data_dir: str | Path | None = None, *, results_dir: str | Path | None = None,
                 audience: str = "internal", min_cell: int = DEFAULT_MIN_CELL,
                 period: str | None = None, dataset: Dataset | None = None,
                 on_publish: Callable[[TableSpec, pd.DataFrame, Shown], object] | None = None):
        self.policy = Policy(audience, min_cell)
        self.on_publish = on_publish
        self.results_dir = Path(results_dir) if results_dir else None
        if dataset is None:
            dataset = load_once(data_dir)
        months = parse_period(period)
        if months is not None:
            dataset = dataset.restrict_to_period(*months)
        self.dataset = dataset

    @property
    def audience(self) -> str:
        """The audience this page is for: ``"internal"`` or ``"funder"``.
        """
        return self.policy.audience

    # -- analyses ------------------------------------------------------------------------------

    def run(self, name: str) -> Published:
        """Run analysis ``name``, police every table it publishes, write them and return them.

        The tables (and their codebook rows) are written to ``results_dir``, if any. An
        analysis whose files are absent returns tables that are not available, each saying why.

        Parameters
        ----------
        name
            An analysis name (:func:`evalkit.analyses.registry`).

        Returns
        -------
        Published
            The policed tables by name.

        Examples
        --------
        >>> page = Page("data/sample", audience="funder")
        >>> page.run("delivery")["delivery_fidelity"].text[["session_title", "sessions"]]
                session_title sessions
        0  Learning about sex       11
        1   Sexual pressuring       12
        2   Building intimacy       12
        """
        analysis = get(name)
        reason = analysis.missing(self.dataset)
        if reason:
            tables = {s.name: Shown.unavailable(s, self.policy, f"not available: {reason}")
                      for s in analysis.tables}
            return Published(name, tables, note=reason)
        computed = analysis.results(self.dataset, min_cell=self.policy.min_cell)
        tables = {}
        for spec in analysis.tables:
            result = computed.get(spec.name, "not computed for these data")
            if isinstance(result, str):
                tables[spec.name] = Shown.unavailable(spec, self.policy, f"not available: {result}")
            else:
                tables[spec.name] = self.policy.apply(result, spec)
                if self.on_publish is not None:
                    self.on_publish(spec, result, tables[spec.name])
        self._write(analysis.tables, tables)
        return Published(name, tables)

    def _write(self, specs: tuple[TableSpec, ...], tables: dict[str, Shown]) -> None:
        if self.results_dir is None:
            return
        written = [s for s in specs if tables[s.name].available]
        for spec in written:
            write_csv(tables[spec.name].csv(), self.results_dir / f"{spec.name}.csv")
        path = self.results_dir / "codebook.csv"
        rows = [s.codebook(self.audience) for s in written]
        if path.exists():
            earlier = pd.read_csv(path, dtype=str, keep_default_na=False)
            names = {s.name for s in specs}
            rows.insert(0, earlier[~earlier["table"].isin(names)])
        if rows:
            write_csv(pd.concat(rows, ignore_index=True), path)

    # -- showing -------------------------------------------------------------------------------

    def say(self, template: str, **figures: PolicedFigure) -> None:
        """Show a sentence (Markdown) made of published figures.

        ``template`` is the sentence's own words, with no digit in them: every number reaches the
        sentence as a field, so an f-string cannot slip a number past the policy. Each value put
        into a field must be a :class:`PolicedFigure`: one from a published table (a label too:
        ``shown.figure("site", ...)``), or a number of the method rather than of the data (a
        cut-off, a scale's range, an interval's level) made with :meth:`fixed`. Values are
        escaped so that they show as plain text. When a figure's table is not available
        (withheld, or its file is absent), the sentence says so instead; a sentence that uses a
        figure this audience does not see at all (a test statistic in a funder report) is not
        shown.

        Parameters
        ----------
        template
            The sentence, with ``{name}`` or ``{name:format}`` fields and no digit outside them.
        **figures
            The value of each field.

        Raises
        ------
        TypeError
            When ``template`` is not a str or a value is not a PolicedFigure.
        ValueError
            When the sentence's own words hold a digit.

        Examples
        --------
        >>> page = Page("data/sample", audience="funder")
        >>> delivery = page.run("delivery")
        >>> sessions = delivery["delivery_fidelity"].figure("sessions", module_session=1)
        >>> page.say("The first session was recorded {n} times.", n=sessions)
        {'text/markdown': 'The first session was recorded 11 times.'}
        >>> page.say("{n} sessions of at least {hours} hours", n=sessions, hours=page.fixed(2))
        {'text/markdown': '11 sessions of at least 2 hours'}
        >>> page.say("{n} sessions", n=11)
        Traceback (most recent call last):
        ...
        TypeError: say(): 'n' must be a figure of a published table (a PolicedFigure), not int
        >>> page.say("{n} sessions", n="11")
        Traceback (most recent call last):
        ...
        TypeError: say(): 'n' must be a figure of a published table (a PolicedFigure), not str
        >>> page.say(f"{11} sessions")
        Traceback (most recent call last):
        ...
        ValueError: say(): the sentence's own words hold a digit; put every number in as a field: a figure from a published table, or page.fixed(...) for a number of the method (a cut-off, a scale's range)
        """
        if not isinstance(template, str):
            raise TypeError(f"say(): the sentence must be a str, not {type(template).__name__}")
        parsed = list(string.Formatter().parse(template))
        # Only the literal words are checked: a field's format spec ("{share:.0%}") may hold
        # digits. The template itself is never echoed: it may be an f-string holding data.
        if any(ch.isdigit() for literal, _, _, _ in parsed for ch in literal):
            raise ValueError("say(): the sentence's own words hold a digit; put every number in "
                             "as a field: a figure from a published table, or page.fixed(...) "
                             "for a number of the method (a cut-off, a scale's range)")
        used = {field.split(".")[0].split("[")[0] for _, field, _, _ in parsed if field}
        if any(isinstance(figures.get(k), PolicedFigure) and figures[k].status == OMITTED
               for k in used):
            return
        missing = [figures[k].note for k in used
                   if isinstance(figures.get(k), PolicedFigure) and figures[k].note]
        if missing:
            self._show({"text/markdown": f"*{markdown_text(missing[0])}.*"}, kind="text")
            return
        safe = {}
        for key, value in figures.items():
            if not isinstance(value, PolicedFigure):
                raise TypeError(f"say(): '{key}' must be a figure of a published table (a PolicedFigure), "
                                f"not {type(value).__name__}")
            safe[key] = _Escaped(value)
        self._show({"text/markdown": template.format(**safe)}, kind="text")

    @staticmethod
    def fixed(value: str | float) -> PolicedFigure:
        """A number of the method, not of the data, for a sentence (:meth:`say`).

        A cut-off ("38 or more"), a scale's range ("1-5"), an interval's level ("95%"): the same
        for every data folder, so no policy applies to it. A number computed from the data is
        never one: it reaches a sentence only as a figure of a published table.

        Parameters
        ----------
        value
            The number, or its text (``"1-5"``, ``"95%"``).

        Returns
        -------
        PolicedFigure
            A shown figure; a number keeps its value, so a format spec applies
            (``"{cut:.0%}"`` with ``fixed(0.8)`` reads ``80%``).

        Examples
        --------
        >>> str(Page.fixed("95%")), f"{Page.fixed(0.8):.0%}", str(Page.fixed(38))
        ('95%', '80%', '38')
        """
        return fixed(value)

    def table(self, shown: Shown, columns: list[str] | None = None,
              caption: str | None = None, limit: int | None = None) -> None:
        """Show a policed table with human headers, a caption and footnotes.

        With ``limit``, only its first rows are shown, and the caption says how many there are and
        where the rest is. A funder page shows only the table's funder columns, in the body (a
        funder report has no appendix of detailed statistics), and nothing at all for a table
        that is in the research report only.

        Parameters
        ----------
        shown
            A table from :meth:`run`.
        columns
            The columns to show, in order; None for all.
        caption
            The caption; None for the table's title.
        limit
            The most rows to show; None for all.

        Examples
        --------
        >>> page = Page("data/sample", audience="funder")
        >>> delivery = page.run("delivery")
        >>> page.table(delivery["delivery_fidelity"], columns=["session_title", "sessions"])
        ... # doctest: +ELLIPSIS
        {'text/html': '<div class="table-wrap"><table class="evalkit...Delivery fidelity ...}
        """
        if self._research_only(shown.spec):
            return  # research-only detail: the front page says a research report holds it
        if limit is not None and shown.available and len(shown) > limit:
            total = "more" if self.policy.funder else f"{len(shown):,}"
            caption = (f"{caption or shown.spec.title} (the first {limit} of {total}; "
                       f"all in results/{shown.name}.csv)")
            shown = shown.head(limit)
        html = render.table_html(shown, columns, caption)
        self._show({"text/html": html, "text/plain": render.table_text(shown, columns)},
                   kind="table", table=shown.name,
                   appendix=shown.spec.appendix and not self.policy.funder,
                   caption=caption or shown.spec.title)

    def chart(self, plot: Callable, data: Shown | Mapping[str, Shown], *, alt: str | None = None,
              size: tuple[float, float] | None = None, **options: object) -> None:
        """Draw ``plot(data, ax=..., **options)`` and show it as an image with alt text.

        When the table is not available for this audience, or the chart has nothing to draw, a
        sentence says so instead.

        Parameters
        ----------
        plot
            A chart function of :mod:`evalkit.publish.charts` (or one like them, that records its
            alt text).
        data
            A table from :meth:`run`, or several by name.
        alt
            Alt text instead of the chart's own description.
        size
            Width and height in inches; None for the size the chart asks for
            (:func:`~evalkit.publish.charts.figure_size`).
        **options
            Passed on to ``plot``.

        Raises
        ------
        ValueError
            When neither ``alt`` nor the chart gives alt text.
        TypeError
            When ``data`` or an option is a plain DataFrame or Series: every table a chart draws
            must come from :meth:`run`, so that it has been through the audience's policy.

        Examples
        --------
        >>> from evalkit.publish import charts
        >>> page = Page("data/sample", audience="funder")
        >>> delivery = page.run("delivery")
        >>> page.chart(charts.fidelity_by_exercise, delivery["exercise_fidelity"])
        ... # doctest: +ELLIPSIS
        {'image/png': 'iVBORw0KGgo...', 'text/plain': 'Stacked bar chart, one bar per exercise ...'}
        """
        tables = list(data.values()) if isinstance(data, Mapping) else [data]
        unpoliced = [name for name, value in [*(("data", t) for t in tables), *options.items()]
                     if isinstance(value, pd.DataFrame | pd.Series)]
        if unpoliced:
            raise TypeError(f"chart {', '.join(unpoliced)}: pass tables from page.run(), which "
                            "have been through the audience's policy, not plain DataFrames")
        if any(self._research_only(t.spec) for t in tables):
            return  # research-only detail: the front page says a research report holds it
        missing = [t for t in tables if not t.available]
        if missing:
            self._show({"text/markdown": f"*{markdown_text(missing[0].spec.title)}: "
                                         f"{markdown_text(missing[0].note)}.*"}, kind="text")
            return
        from . import charts

        size = size or charts.figure_size(plot, data, **options)
        with mpl.rc_context(CHART_STYLE), warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module=r"matplotlib\..*")
            figure, ax = plt.subplots(figsize=size, layout="constrained")
            ax = plot(data, ax=ax, **options)
            description = alt or getattr(ax.figure, "evalkit_alt", None)
            if not description:
                raise ValueError(f"{getattr(plot, '__name__', 'chart')} gave no alt text")
            # A chart with nothing to draw is a sentence, not an empty frame.
            said = charts.sentence(ax.figure)
            image = None if said else render.png_base64(ax.figure)
            plt.close(ax.figure)
            if figure is not ax.figure:
                plt.close(figure)
        if said:
            self._show({"text/markdown": f"*{markdown_text(said)}*"}, kind="text")
            return
        self._show({"image/png": image, "text/plain": description}, kind="chart",
                   alt=description, extra={"image/png": {"alt": description}})

    def _research_only(self, spec: TableSpec) -> bool:
        """Whether ``spec`` is detail a funder page leaves out without a word: a table with no
        funder columns that the research report holds (internal-only tables still say so)."""
        return (self.policy.funder and not self.policy.sees(spec)
                and "research" in spec.shown_to)

    def _show(self, bundle: dict, *, kind: str, extra: dict | None = None, **details) -> None:
        from IPython.display import display

        metadata = {MARK: {"kind": kind, **details}, **(extra or {})}
        display(bundle, raw=True, metadata=metadata)


class _Escaped:
    """A value formatted as the policy allows, then escaped for Markdown."""

    def __init__(self, value: PolicedFigure):
        self.value = value

    def __format__(self, spec: str) -> str:
        return markdown_text(format(self.value, spec))
