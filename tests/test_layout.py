"""Page layout that loses nothing: wide tables split, phone cards, page numbers in the PDF, and
charts whose plot area and labels stay usable on a phone."""

from __future__ import annotations

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
    "max-height: 235mm"])
def test_the_page_styles_keep_captions_with_rows_wrap_in_print_and_stack_on_phones(rule):
    from evalkit.publish.document import _CSS
    assert rule in _CSS


def _chart_geometry(plot, table, **options):
    """Draw a chart as a Page does and measure it as a 390-pixel phone shows it: the plot area's
    share of the image's width, and the height in screen pixels of its smallest text."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from evalkit.publish import charts
    from evalkit.publish.page import CHART_STYLE

    with mpl.rc_context(CHART_STYLE):
        figure, ax = plt.subplots(figsize=charts.figure_size(plot, table, **options),
                                  layout="constrained")
        plot(table, ax=ax, **options)
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        image_width = figure.get_tightbbox(renderer).width * 72  # inches to points
        plot_width = ax.get_window_extent(renderer).width * 72 / figure.dpi
        texts = [t for t in [*ax.texts, *ax.get_xticklabels(), *ax.get_yticklabels(),
                             ax.xaxis.label] if t.get_text()]
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
