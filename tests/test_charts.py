"""Charts never say what is not true: each draws only what the table beside it shows.

Every test builds a small policed table by hand (the policy's own rules decide what is shown) and
checks the drawing itself: bar widths, texts, legend entries, axis limits and alt text.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from tests.conftest import SAMPLE

from evalkit.analyses.tables import Col, TableSpec, interval
from evalkit.publish import charts
from evalkit.publish.page import Page
from evalkit.publish.policy import Policy

BANDS = TableSpec("bands", "Bands", (
    Col("wave", "label", "wave"), Col("band", "label", "band"),
    Col("n", "people", "forms in the band"), Col("scored", "people", "forms scored"),
    Col("share", "share", "share", part="n", whole="scored", split_by=("wave",)),
    *interval("the Wilson 95% interval", fmt="percent", follows="share")),
    unit="practitioners").for_funder(wave="shown", band="shown", n="rounded", scored="rounded",
                                     share="percent", ci_low="interval", ci_high="interval")

QUANTILES = TableSpec("quantiles", "Quantiles", (
    Col("factor", "label", "factor"), Col("group", "label", "group"),
    Col("n", "people", "practitioners"),
    *(Col(q, "statistic", q, decimals=0, needs=needs, rests_on=("n",))
      for q, needs in (("p10", 4), ("q1", 2), ("median", 2), ("q3", 2), ("p90", 4)))),
    unit="practitioners").for_funder(factor="shown", group="shown", n="rounded",
                                     **dict.fromkeys(("p10", "q1", "median", "q3", "p90"),
                                                     "quantile"))


def _bands(counts: dict[str, list[int]]) -> pd.DataFrame:
    rows = []
    for wave, ns in counts.items():
        for band, n in zip(("low", "mid", "high"), ns, strict=True):
            rows.append({"wave": wave, "band": band, "n": n, "scored": sum(ns),
                         "share": n / sum(ns), "ci_low": 0.0, "ci_high": 1.0})
    return pd.DataFrame(rows)


@pytest.fixture
def ax():
    figure, axes = plt.subplots(figsize=(5.2, 3.2))
    yield axes
    plt.close(figure)


def _hatched(ax):
    return [p for p in ax.patches if p.get_hatch()]


def _texts(ax):
    return [t.get_text() for t in ax.texts]


# --- band and reliable-change bars --------------------------------------------------------------


def test_a_withheld_split_is_drawn_as_withheld_beside_shown_ones(ax):
    """Wave a has a band of 3, so the policy withholds all its shares: its bar is one hatched
    segment labelled withheld, with no share made up from its rounded counts (the old chart drew
    5/25 and 15/25 as a bar the table does not show)."""
    shown = Policy("funder").apply(_bands({"a": [7, 14, 3], "b": [150, 150, 300]}), BANDS)
    assert shown.text.loc[shown.values["wave"] == "a", "share"].eq("\u2014").all()
    charts.share_bars(shown, by="wave", category="band", order=["low", "mid", "high"], ax=ax)
    texts = _texts(ax)
    # Wave b: 150, 150 and 300 of 600 are 25%, 25% and 50% (whole percents for ≈600).
    assert texts.count("25%") == 2 and texts.count("50%") == 1
    assert "withheld (small numbers)" in texts
    # Wave a (y = 0): exactly one segment, hatched, the whole bar; nothing coloured.
    wave_a = [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2) < 0.01
              and p.get_width() > 0]
    assert len(wave_a) == 1 and wave_a[0].get_hatch() and wave_a[0].get_width() == 1
    for value in ("29%", "58%", "12%", "20%", "60%", "5", "15"):
        assert value not in texts
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert "a low withheld" in ax.evalkit_alt and "b low 25%" in ax.evalkit_alt


def test_bars_of_a_table_that_shows_only_counts_draw_those_counts_not_shares(ax):
    """ProQOL-like: 25, 10 and 2 of 37. Every share is withheld; the table shows 25, 10 and <5.
    The old chart stacked 25/35 and 10/35 into a bar reaching 100% without the small band; now
    the bars are the counts the table shows and the small one is a hatched bar up to 5."""
    shown = Policy("funder").apply(_bands({"2024": [25, 10, 2]}), BANDS)
    assert shown.text["n"].tolist() == ["\u224825", "\u224810", "<5"]
    charts.share_bars(shown, by="wave", category="band", order=["low", "mid", "high"], ax=ax)
    widths = sorted(p.get_width() for p in ax.patches if p.get_width() > 0)
    assert widths == [5, 10, 25]
    assert [p.get_width() for p in _hatched(ax)] == [5]
    assert sorted(_texts(ax)) == sorted(["\u224825", "\u224810", "<5"])
    assert not any(t.endswith("%") for t in _texts(ax))
    assert "rounded to the nearest 5" in ax.get_xlabel()
    assert "practitioners" in ax.get_xlabel()
    assert "fewer than 5" in ax.evalkit_alt


def test_a_withheld_part_stays_visible_when_the_shown_shares_round_to_a_whole(ax):
    """Shown shares of 70% and 30% beside a withheld one: the bar must not read as complete."""
    table = pd.DataFrame({"wave": ["a"] * 3, "band": ["low", "mid", "high"],
                          "share": [0.7, 0.3, np.nan]})
    charts.share_bars(table, by="wave", category="band", order=["low", "mid", "high"], ax=ax)
    hatched = _hatched(ax)
    assert len(hatched) == 1 and hatched[0].get_width() > 0.02
    assert charts.WITHHELD_LABEL in [t.get_text() for t in ax.get_legend().get_texts()]


# --- box charts -------------------------------------------------------------------------------------


def _quantiles(sizes: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame([{"factor": "gender", "group": g, "n": n, "p10": 20.0, "q1": 30.0,
                          "median": 36.0 + i, "q3": 44.0, "p90": 55.0}
                         for i, (g, n) in enumerate(sizes.items())])


def test_boxes_are_drawn_from_published_quartiles_without_withheld_tails(ax):
    """15 women: quartiles shown (needs 10), tails withheld (needs 20). 25 men: everything
    shown. 3 others: nothing. The old chart drew nothing but 'withheld' for the women."""
    shown = Policy("funder").apply(_quantiles({"woman": 15, "man": 25, "non_binary": 3}),
                                   QUANTILES)
    assert shown.status.loc[0, ["p10", "q1", "median", "q3", "p90"]].tolist() == [
        "withheld", "shown", "shown", "shown", "withheld"]
    charts.distribution_by_group(shown, factor="gender", scale=(17, 85), ax=ax)
    # Every line drawn lies between published figures: for the women, between q1 and q3.
    women = [line for line in ax.lines if np.allclose(line.get_xdata(), 0, atol=0.3)]
    assert women, "the women's box was not drawn"
    y = np.concatenate([line.get_ydata() for line in women])
    assert y.min() == 30 and y.max() == 44
    men = [line for line in ax.lines if np.allclose(line.get_xdata(), 1, atol=0.3)]
    y = np.concatenate([line.get_ydata() for line in men])
    assert y.min() == 20 and y.max() == 55
    assert any("withheld" in t for t in _texts(ax))
    assert "women median 36 (quartiles 30 to 44)" in ax.evalkit_alt
    assert "non-binary withheld" in ax.evalkit_alt


def test_a_box_chart_with_no_box_is_a_sentence_on_the_page(monkeypatch):
    shown = Policy("funder").apply(_quantiles({"woman": 6, "man": 7}), QUANTILES)
    shown_page = []
    monkeypatch.setattr("IPython.display.display",
                        lambda bundle, raw, metadata: shown_page.append(bundle))
    page = Page(SAMPLE, audience="funder")
    page.chart(charts.distribution_by_group, shown, factor="gender", scale=(17, 85))
    assert "image/png" not in shown_page[0]
    assert "withheld for every group" in shown_page[0]["text/markdown"]


# --- retention -----------------------------------------------------------------------------------


def test_withheld_milestones_are_drawn_and_named(ax):
    table = pd.DataFrame({"group_by": ["site"] * 4, "group": ["north", "north", "south", "south"],
                          "week": [4, 8, 4, 8], "share": [np.nan, 0.8, np.nan, 0.7],
                          "ci_low": [np.nan, 0.6, np.nan, 0.5],
                          "ci_high": [np.nan, 0.9, np.nan, 0.85]})
    charts.retention_at_milestones(table, group_by="site", ax=ax)
    strips = [p for p in ax.patches if p.get_hatch()]
    assert sorted(p.get_x() + p.get_width() / 2 for p in strips) == pytest.approx(
        [4 - 4 / 6, 4 + 4 / 6])
    # narrow enough that the two groups' strips do not touch
    assert all(p.get_width() < 4 / 3 for p in strips)
    assert charts.WITHHELD_LABEL in [t.get_text() for t in ax.get_legend().get_texts()]
    # Points are not joined: nothing is said about the weeks in between.
    assert all(line.get_linestyle() in ("None", "none", "") for line in ax.lines)
    assert "north: after week 4 withheld, after week 8 80%" in ax.evalkit_alt


def test_retention_with_nothing_shown_is_a_sentence(ax):
    table = pd.DataFrame({"group_by": ["site"] * 2, "group": ["north", "south"], "week": [4, 4],
                          "share": [np.nan] * 2, "ci_low": [np.nan] * 2, "ci_high": [np.nan] * 2})
    charts.retention_at_milestones(table, group_by="site", ax=ax)
    assert charts.sentence(ax.figure).startswith("Retention by site is withheld")


# --- alt text, figure size, scales and levels ------------------------------------------------------


def test_each_axes_keeps_its_own_alt_text():
    """Two charts in one figure: neither overwrites the other, and a 'mean ...' label does not
    become 'the mean mean ...'."""
    table = pd.DataFrame({"wave": ["pre", "post"], "mean": [3.1, 2.6], "ci_low": [2.9, 2.3],
                          "ci_high": [3.3, 2.8]})
    figure, (left, right) = plt.subplots(1, 2)
    charts.means_by_wave(table, ylabel="mean discomfort", ax=left)
    charts.means_by_wave(table.assign(mean=[3.0, 2.5]), ylabel="confidence", ax=right)
    assert left.evalkit_alt.startswith("Chart of the mean discomfort at each wave")
    assert "3.1" in left.evalkit_alt and "3.0" not in left.evalkit_alt
    assert right.evalkit_alt.startswith("Chart of the mean confidence")
    assert left.evalkit_alt in figure.evalkit_alt and right.evalkit_alt in figure.evalkit_alt
    plt.close(figure)


SIZED = [
    (charts.share_bars, pd.DataFrame({"wave": ["a"] * 2, "band": ["x", "y"],
                                      "share": [0.4, 0.6]}), {"by": "wave", "category": "band"}),
    (charts.count_bars, pd.DataFrame({"what": ["held", "missed"], "meetings": [6, 13]}),
     {"category": "what", "count": "meetings"}),
    (charts.fidelity_by_exercise, pd.DataFrame({"module_session": [1], "exercise_title": ["a"],
                                                "full_share": [1.0], "cut_short_share": [0.0],
                                                "not_delivered_share": [0.0]}), {}),
    (charts.rate_by_group, pd.DataFrame({"factor": ["site"], "group": ["n"],
                                         "attendance_rate": [0.5], "ci_low": [0.4],
                                         "ci_high": [0.6]}), {"factor": "role"}),
]


@pytest.mark.parametrize(("plot", "table", "options"), SIZED,
                         ids=[p.__name__ for p, _, _ in SIZED])
def test_charts_never_resize_the_figure(plot, table, options):
    figure, axes = plt.subplots(figsize=(5.2, 3.2))
    plot(table, ax=axes, **options)
    assert tuple(figure.get_size_inches()) == (5.2, 3.2)
    plt.close(figure)


def test_the_attrition_flow_never_resizes_the_figure_and_asks_for_room_for_its_boxes():
    from evalkit.analyses.attrition import ANALYSIS
    flow = pd.DataFrame({"stage": ["referred", "started", "completed"], "people": [40, 30, 20],
                         "left": [10.0, 10.0, np.nan],
                         "still_in": [0.0, 0.0, np.nan], "counted": ["all", "any", "done"]})
    spec = ANALYSIS.spec("attrition_flow")
    for audience in ("funder", "internal"):
        shown = Policy(audience).apply(flow, spec)
        figure, axes = plt.subplots(figsize=(5.2, 3.2))
        charts.attrition_flow(shown, ax=axes)
        assert tuple(figure.get_size_inches()) == (5.2, 3.2)
        plt.close(figure)
    # Three stages at 0.95 in each and 0.3 in of margin; funders also get the note (0.65 in,
    # three lines of 10.5-point text) saying why the arrows are not shown.
    assert charts.figure_size(charts.attrition_flow, Policy("internal").apply(flow, spec)) == \
        (5.2, 3.15)
    assert charts.figure_size(charts.attrition_flow, Policy("funder").apply(flow, spec)) == \
        (5.2, 3.8)
    # Reasons that wrap onto four lines beside an arrow (30 characters a line) need more than
    # 0.95 in a stage: 0.35 in plus four lines of 10.5 points at 1.25 line height (0.729 in),
    # so 1.08 in a stage and 0.3 + 3 * 1.08 = 3.54 in.
    exits = pd.DataFrame({"stage": ["referred"] * 6,
                          "reason": ["withdrew", "excluded", "moved_away", "custody", "other",
                                     "not_recorded"], "people": [5, 1, 1, 1, 1, 1]})
    internal = Policy("internal")
    assert charts.figure_size(
        charts.attrition_flow, internal.apply(flow, spec),
        exits=internal.apply(exits, ANALYSIS.spec("attrition_exits"))) == (5.2, 3.54)


def test_rows_with_labels_above_get_the_height_their_labels_need():
    """Two one-line labels: 1.5 in outside the rows plus, per row, 0.2 in and one line of
    10.5-point text at 1.25 line height (0.182 in): 2.26 in. A label of 60 characters wraps
    onto two lines at 56, so each row is 0.565 in: 2.63 in."""
    assert charts.rows_above_height(["a", "b"], extra_height=1.5) == 2.26
    assert charts.rows_above_height(["a", "b " * 30], extra_height=1.5) == 2.63
    table = pd.DataFrame({"module_session": [1, 1], "exercise_title": ["a", "b"],
                          "full_share": [1.0, 1.0], "cut_short_share": [0.0, 0.0],
                          "not_delivered_share": [0.0, 0.0]})
    assert charts.figure_size(charts.fidelity_by_exercise, table) == (5.2, 2.26)


def test_the_size_a_chart_needs_is_asked_for_not_imposed():
    tall = pd.DataFrame({"what": list("abcdefghij"), "meetings": range(10)})
    assert charts.figure_size(charts.count_bars, tall, category="what", count="meetings")[1] > 4


def test_a_scale_never_cuts_off_a_figure(ax):
    """Means on a 0-32 scale drawn with the default 1-5 axis: the axis widens to show them."""
    table = pd.DataFrame({"wave": ["intake", "exit"], "mean": [13.3, 10.2],
                          "ci_low": [11.7, 8.0], "ci_high": [15.0, 12.3]})
    charts.means_by_wave(table, ax=ax)
    low, high = ax.get_ylim()
    assert low <= 1 and high >= 15


def test_the_interval_level_comes_from_the_table(ax):
    spec = TableSpec("weeks", "Weeks", (
        Col("programme_week", "number", "week"), Col("scheduled", "people", "scheduled"),
        Col("attended", "people", "attended"),
        Col("attendance_rate", "share", "rate", part="attended", whole="scheduled"),
        *interval("the Wilson 90% interval", fmt="percent", follows="attendance_rate")))
    frame = pd.DataFrame({"programme_week": [1, 2], "scheduled": [40, 40], "attended": [30, 20],
                          "attendance_rate": [0.75, 0.5], "ci_low": [0.6, 0.35],
                          "ci_high": [0.85, 0.65]})
    charts.rate_by_week(Policy("internal").apply(frame, spec), ax=ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "90% interval" in legend and not any("95%" in t for t in legend)
    assert "95%" not in ax.evalkit_alt and "90% intervals" in ax.evalkit_alt


def test_a_withheld_week_is_a_strip_over_the_whole_height_not_a_mark_at_zero(ax):
    table = pd.DataFrame({"programme_week": [1, 2, 3], "scheduled": [40, 40, 40],
                          "attendance_rate": [0.75, np.nan, 0.5], "ci_low": [0.6, np.nan, 0.35],
                          "ci_high": [0.85, np.nan, 0.65]})
    charts.rate_by_week(table, ax=ax)
    strips = [p for p in ax.patches if p.get_hatch()]
    assert [p.get_x() + p.get_width() / 2 for p in strips] == pytest.approx([2])
    assert strips[0].get_y() == 0 and strips[0].get_height() == 1
    assert not ax.collections[1:]  # the interval band only: no scatter of marks
    assert charts.WITHHELD_LABEL in [t.get_text() for t in ax.get_legend().get_texts()]


def test_a_count_below_the_threshold_is_a_hatched_bar_not_a_missing_one(ax):
    spec = TableSpec("demands", "Demands", (
        Col("outcome", "label", "outcome"), Col("demands", "people", "demands")),
        unit="processes").for_funder(outcome="shown", demands="rounded")
    shown = Policy("funder").apply(pd.DataFrame({"outcome": ["open", "met"],
                                                 "demands": [12, 3]}), spec)
    charts.count_bars(shown, category="outcome", count="demands", ax=ax)
    solid = [p for p in ax.patches if not p.get_hatch()]
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert [p.get_width() for p in solid if p.get_width() > 0] == [10]
    assert len(hatched) == 1 and hatched[0].get_width() == 5  # up to the threshold
    assert hatched[0].get_y() + hatched[0].get_height() / 2 == pytest.approx(1)
    assert "fewer than 5 (withheld)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_the_attrition_flow_draws_only_the_counts_its_audience_may_see():
    """40 referred, 30 started, 20 completed; 10 left after each of the first two stages
    (after referral: 6 withdrew, 4 excluded). The team sees every box and arrow with its
    reasons; a funder sees the boxes rounded (40, 30 and 20 are already multiples of 5, so
    each reads ≈N), centred, and no arrow out, with the sentence saying why."""
    from evalkit.analyses.attrition import ANALYSIS
    flow = pd.DataFrame({"stage": ["referred", "started", "completed"], "people": [40, 30, 20],
                         "left": [10.0, 10.0, np.nan],
                         "still_in": [0.0, 0.0, np.nan], "counted": ["all", "any", "done"]})
    exits = pd.DataFrame({"stage": ["referred", "referred", "started"],
                          "reason": ["withdrew", "excluded", "withdrew"], "people": [6, 4, 10]})
    internal = Policy("internal")
    figure, ax = plt.subplots(figsize=(5.2, 3.2))
    charts.attrition_flow(internal.apply(flow, ANALYSIS.spec("attrition_flow")), ax=ax,
                          exits=internal.apply(exits, ANALYSIS.spec("attrition_exits")))
    texts = _texts(ax)
    boxes = [t for t in ax.texts if t.get_bbox_patch()]
    assert [t.get_text() for t in boxes] == ["Referred\n40", "Started\n30", "Completed\n20"]
    assert "did not go on: 10\nwithdrew 6, excluded 4" in texts
    assert "did not go on: 10\nwithdrew 10" in texts
    assert {t.get_position()[0] for t in boxes} == {0.22}
    plt.close(figure)
    funder = Policy("funder")
    figure, ax = plt.subplots(figsize=(5.2, 3.2))
    charts.attrition_flow(funder.apply(flow, ANALYSIS.spec("attrition_flow")), ax=ax,
                          exits=funder.apply(exits, ANALYSIS.spec("attrition_exits")))
    texts = _texts(ax)
    boxes = [t for t in ax.texts if t.get_bbox_patch()]
    assert [t.get_text() for t in boxes] == ["Referred\n\u224840", "Started\n\u224830",
                                             "Completed\n\u224820"]
    assert not any("did not go on:" in t or "withdrew" in t for t in texts)
    assert {t.get_position()[0] for t in boxes} == {0.5}
    assert "not shown in this report" in " ".join(texts[-1].split())
    assert "10" not in ax.evalkit_alt
    plt.close(figure)
