"""Page layout that loses nothing: wide tables split, phone cards, page numbers in the PDF, and
charts whose plot area and labels stay usable on a phone."""

from __future__ import annotations

import itertools
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from evalkit.analyses import registry
from evalkit.analyses.tables import Col, TableSpec
from evalkit.publish import render
from evalkit.publish.policy import Policy


def _regression_like(rows: int = 3):
    """A table shaped like a regression: labels, coefficients, model fit repeated on every row,
    an effect size and a note on one row only (values chosen by hand)."""
    columns = (Col("term", "label", "term"), Col("level", "label", "level"),
               Col("n", "people", "people"),
               *(Col(f"est{i}", "statistic", "a coefficient statistic") for i in range(7)),
               Col("ci_low", "statistic", "lower bound", follows="est0"),
               Col("ci_high", "statistic", "upper bound", follows="est0"),
               Col("r2", "statistic", "R squared of the model"),
               Col("f_p", "p_value", "p of the model"),
               Col("d_z", "statistic", "effect size"),
               Col("note", "text", "a note"))
    frame = pd.DataFrame({
        "term": [f"t{i}" for i in range(rows)], "level": [f"l{i}" for i in range(rows)],
        "n": [40 + i for i in range(rows)],
        **{f"est{j}": [round(0.11 * (j + 1) + i, 2) for i in range(rows)] for j in range(7)},
        "ci_low": [-1.0 - i for i in range(rows)], "ci_high": [1.0 + i for i in range(rows)],
        "r2": [0.25] * rows, "f_p": [0.003] * rows, "d_z": [0.3 + i for i in range(rows)],
        "note": ["" if i else "one level merged" for i in range(rows)]})
    return TableSpec("wide", "A wide table", columns), frame


def _tables(html: str):
    return BeautifulSoup(html, "html.parser").find_all("table")


def test_a_wide_table_splits_into_parts_of_at_most_8_columns_and_loses_no_cell():
    spec, frame = _regression_like()
    shown = Policy("research").apply(frame, spec)
    html = render.table_html(shown)
    tables = _tables(html)
    assert len(tables) > 1
    for table in tables:
        assert len(table.thead.find_all("th")) <= render.MAX_COLUMNS
    text = " ".join(t.get_text(" ") for t in tables)
    for c in frame.columns:
        if c not in ("ci_high", "note"):
            for i in range(len(frame)):
                assert shown.text[c].iloc[i] in text, (c, i)
    assert "one level merged" in text
    # The row labels start every part that has one row per table row.
    for table in tables:
        rows = table.tbody.find_all("tr")
        if len(rows) == len(frame):
            assert [r.th.get_text() for r in rows] == ["t0", "t1", "t2"]


def test_model_fit_is_said_once_and_notes_only_where_there_is_one():
    spec, frame = _regression_like()
    html = render.table_html(Policy("research").apply(frame, spec))
    tables = _tables(html)
    same = [t for t in tables if render.SAME_EVERY_ROW in t.caption.get_text()]
    assert len(same) == 1 and len(same[0].tbody.find_all("tr")) == 2  # R squared and its p
    notes = [t for t in tables if t.caption.get_text().endswith("notes)")]
    assert [r.th.get_text() for r in notes[0].tbody.find_all("tr")] == ["t0"]
    effects = [t for t in tables if "effect sizes" in t.caption.get_text()]
    # d_z is headed by its plain name (publish.labels), as everywhere on the page.
    assert [h.get_text() for h in effects[0].thead.find_all("th")] == [
        "term", "level", "Cohen's d (z)"]


def test_every_declared_table_fits_in_8_columns_when_rendered():
    """Every table an analysis declares, filled with one made-up row per table, renders as
    tables of at most 8 columns (today's widest has 21)."""
    for analysis in registry().values():
        for spec in analysis.tables:
            if spec.is_metric_table:
                continue
            frame = pd.DataFrame({c.name: _value(c) for c in spec.columns}, index=[0, 1])
            for audience in ("research", "internal"):
                policy = Policy(audience)
                if not policy.sees(spec):
                    continue
                html = render.table_html(policy.apply(frame, spec))
                for table in _tables(html):
                    width = len(table.thead.find_all("th"))
                    assert width <= render.MAX_COLUMNS, (spec.name, width)


def _value(col: Col):
    return {"label": ["a", "b"], "id": ["P001", "P002"], "month": ["2024-01", "2024-02"],
            "text": ["", "x"], "flag": [True, False], "share": [0.5, 0.4],
            "p_value": [0.04, 0.5]}.get(col.kind, [10, 12])


def test_tables_over_four_columns_carry_data_labels_for_phone_cards():
    spec, frame = _regression_like()
    for table in _tables(render.table_html(Policy("research").apply(frame, spec))):
        headers = [h.get_text() for h in table.thead.find_all("th")]
        if len(headers) > render.PHONE_COLUMNS and "metrics" not in table["class"]:
            assert "stacked" in table["class"]
            for row in table.tbody.find_all("tr"):
                assert [c["data-label"] for c in row.find_all(["td", "th"])] == headers


@pytest.mark.parametrize("rule", [
    "table.evalkit caption", "break-after: avoid", "table.stacked td::before",
    "content: attr(data-label)", "table.evalkit.short", "display: table-header-group",
    "max-height: 235mm", "span.date { white-space: nowrap; }"])
def test_the_page_styles_keep_captions_with_rows_wrap_in_print_and_stack_on_phones(rule):
    from evalkit.publish.document import _CSS
    assert rule in _CSS


def test_dates_in_table_cells_never_break_at_their_hyphens(sample_reports):
    """A browser may break a line after a hyphen: "2024-" over "03-05" in a narrow column of the
    drop-out list reads as two values. Every ISO date or month in a cell of the team's report
    (where the dated lists are) sits in a span the page keeps on one line."""
    page = (sample_reports("internal") / "report.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    dates = loose = 0
    for cell in soup.select("table.evalkit td, table.evalkit th"):
        for text in cell.find_all(string=True):
            found = len(re.findall(r"\b\d{4}-\d{2}(?:-\d{2})?\b", text))
            dates += found
            loose += found if text.parent.name != "span" or "date" not in text.parent.get(
                "class", []) else 0
    assert dates > 50 and loose == 0


def _chart_geometry(plot, table, *, every_text=False, **options):
    """Draw a chart as a Page does and measure it as a 390-pixel phone shows it: the plot area's
    share of the image's width, and the height in screen pixels of its smallest text (of the
    axes' own texts and tick labels; with ``every_text``, of every text in the figure: legends,
    titles, colour bars and other panels too)."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from evalkit.publish import charts
    from evalkit.publish.page import CHART_STYLE

    with mpl.rc_context(CHART_STYLE):
        figure, ax = plt.subplots(figsize=charts.figure_size(plot, table, **options),
                                  layout="constrained")
        ax = plot(table, ax=ax, **options) or ax
        figure = ax.figure  # a chart may draw into panels of its own
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        # As render.png_base64 saves it: the tight box and the padding around it, in points.
        image_width = (figure.get_tightbbox(renderer).width
                       + 2 * mpl.rcParams["savefig.pad_inches"]) * 72
        plot_width = ax.get_window_extent(renderer).width * 72 / figure.dpi
        texts = [t for t in [*ax.texts, *ax.get_xticklabels(), *ax.get_yticklabels(),
                             ax.xaxis.label] if t.get_text()]
        if every_text:
            texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
        smallest = min(t.get_fontsize() for t in texts)
        plt.close(figure)
    phone_width = 390 - 2 * 0.7 * 15  # the page's padding on a phone
    return plot_width / image_width, smallest * phone_width / image_width


@pytest.fixture(scope="module")
def sample_page():
    from tests.conftest import SAMPLE

    from evalkit.publish.page import Page
    return Page(SAMPLE, audience="funder")


@pytest.mark.parametrize("chart", ["fidelity_by_exercise", "item_means"])
def test_named_charts_keep_half_their_width_for_the_plot_and_legible_labels_on_a_phone(
        chart, sample_page):
    from evalkit.publish import charts
    if chart == "fidelity_by_exercise":
        table = sample_page.run("delivery")["exercise_fidelity"]
        options = {}
    else:
        table = sample_page.run("discomfort")["discomfort_items"]
        options = {"waves": ["pre", "post", "follow_up"]}
    share, label_px = _chart_geometry(getattr(charts, chart), table, **options)
    assert share >= 0.5, share
    assert label_px >= 9.5, label_px


def _phone_charts(page_for):
    """The charts of issue 22's second look, each with the table it draws on the sample."""
    from evalkit.publish import charts
    from evalkit.publish.labels import instrument_titles

    funder, internal, research = (page_for(a) for a in ("funder", "internal", "research"))
    titles = instrument_titles(funder.dataset.instruments)
    flow = {a: page.run("attrition") for a, page in (("funder", funder),
                                                     ("internal", internal))}
    return {
        "outcome_change": (charts.outcome_change, funder.run("outcomes")["outcome_change"],
                           {"titles": titles}),
        "correlation_heatmap": (charts.correlation_heatmap,
                                research.run("secondary_trauma")["wellbeing_correlations"], {}),
        "attrition_flow_internal": (charts.attrition_flow, flow["internal"]["attrition_flow"],
                                    {"exits": flow["internal"]["attrition_exits"]}),
        "attrition_flow_funder": (charts.attrition_flow, flow["funder"]["attrition_flow"],
                                  {"exits": flow["funder"]["attrition_exits"]}),
    }


@pytest.fixture(scope="module")
def phone_charts():
    from tests.conftest import SAMPLE

    from evalkit.publish.page import Page
    return _phone_charts(lambda audience: Page(SAMPLE, audience=audience))


@pytest.mark.parametrize("chart", ["outcome_change", "correlation_heatmap",
                                   "attrition_flow_internal", "attrition_flow_funder"])
def test_every_text_of_these_charts_is_legible_on_a_phone(chart, phone_charts):
    """Before: the change chart's long y labels left its plot 20% of the image, in 7-pixel
    text; the matrix wrote 5-pixel values; the flow's reasons were 9.4 px. Every text of the
    figure (legends and colour bar included) must now be at least 9.5 px on a 390-px phone,
    with the plot area at least half the image's width."""
    plot, table, options = phone_charts[chart]
    share, label_px = _chart_geometry(plot, table, every_text=True, **options)
    assert share >= 0.5, share
    assert label_px >= 9.5, label_px


def test_the_flow_texts_never_overlap_one_another():
    """Long reasons beside an arrow take more lines; the flow's rows grow with them, so no text
    beside an arrow runs into the next one or into a box."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from evalkit.analyses.attrition import ANALYSIS
    from evalkit.publish import charts
    from evalkit.publish.page import CHART_STYLE

    flow = pd.DataFrame({"stage": ["referred", "started", "reached_sexual_respect",
                                   "completed"], "people": [90, 80, 60, 40],
                         "left": [10.0, 10.0, 20.0, float("nan")],
                         "still_in": [2.0, 0.0, 3.0, float("nan")], "counted": ["a"] * 4})
    reasons = ["withdrew", "excluded", "moved_away", "custody", "other", "not_recorded"]
    exits = pd.DataFrame({"stage": [s for s in flow["stage"][:3] for _ in reasons],
                          "reason": reasons * 3, "people": [5, 1, 1, 1, 1, 1] * 2 + [15] + [1] * 5})
    internal = Policy("internal")
    shown = internal.apply(flow, ANALYSIS.spec("attrition_flow"))
    shown_exits = internal.apply(exits, ANALYSIS.spec("attrition_exits"))
    with mpl.rc_context(CHART_STYLE):
        size = charts.figure_size(charts.attrition_flow, shown, exits=shown_exits)
        figure, ax = plt.subplots(figsize=size, layout="constrained")
        charts.attrition_flow(shown, exits=shown_exits, ax=ax)
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
        inside = figure.bbox
        plt.close(figure)
    # Four boxes, three texts of those who did not go on, two of those still in the programme.
    assert len(boxes) == 9
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    for box in boxes:
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1


#: Internal charts with one row per participant or per process, read on a wide screen: wide by
#: nature, they are left out of the phone rule below (they are never in a funder's report).
_WIDE_BY_NATURE = ("Heat map of attendance", "Timeline of ")


def _every_chart_on_a_phone(audience: str, results, monkeypatch) -> list[tuple[str, float, float]]:
    """Run the workbook's own code for ``audience`` in this process and measure each chart as
    the page saves it: its alt text, its smallest text in pixels on a 390-pixel phone, and the
    widest plot area's share of the image's width."""
    import matplotlib as mpl
    import nbformat
    from matplotlib.text import Text
    from tests.conftest import SAMPLE

    from evalkit.publish import page, render
    from evalkit.publish.notebooks import workbook

    measured = []
    phone_width = 390 - 2 * 0.7 * 15  # the page's padding on a phone

    def measure(figure) -> str:
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        image_width = (figure.get_tightbbox(renderer).width
                       + 2 * mpl.rcParams["savefig.pad_inches"]) * 72
        texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
        smallest = min(t.get_fontsize() for t in texts)
        plot = max(a.get_window_extent(renderer).width for a in figure.axes) * 72 / figure.dpi
        measured.append((figure.evalkit_alt, smallest * phone_width / image_width,
                         plot / image_width))
        return ""

    monkeypatch.setattr(render, "png_base64", measure)
    monkeypatch.setattr(page.Page, "_show", lambda self, *args, **kwargs: None)
    for path in workbook():
        namespace: dict = {}
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            source = cell.source
            if "parameters" in cell.metadata.get("tags", []):
                source += (f"\ndata_dir = {str(SAMPLE)!r}\nresults_dir = {str(results)!r}"
                           f"\naudience = {audience!r}")
            exec(compile(source, str(path), "exec"), namespace)  # the workbook's own code
    return measured


@pytest.mark.parametrize("audience", ["funder", "research", "internal"])
def test_every_chart_of_the_workbook_is_legible_on_a_phone(audience, tmp_path, monkeypatch):
    """Every chart every notebook draws for the audience, not a chosen few: each text of the
    figure (legends, values beside bars, panels) at least 9.5 px on a 390-px phone, and the plot
    at least half the image's width. Before: legends and values of 7 to 9 points, a 6-inch
    residual plot and three-column legends wider than their plot gave 6.7 to 8.8 px."""
    measured = _every_chart_on_a_phone(audience, tmp_path / "results", monkeypatch)
    assert len(measured) >= 15
    small = [(alt[:60], round(px, 1), round(share, 2)) for alt, px, share in measured
             if not alt.startswith(_WIDE_BY_NATURE) and (px < 9.5 or share < 0.5)]
    assert small == []
