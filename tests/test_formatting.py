"""One formatter (publish.formatting) for table cells, CSV cells, sentences and cards: each rule
worked by hand, both sides of every boundary, and the page, the CSV and a sentence agreeing on
one policed table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.analyses.tables import Col, TableSpec
from evalkit.publish.formatting import (
    ABOUT,
    WITHHELD_TEXT,
    capital,
    card_value,
    cell_text,
    change_in_words,
    csv_cell,
    exact_change_words,
    figure_text,
    interval_text,
    number_text,
    plain_value,
    small_text,
)
from evalkit.publish.policy import Policy

PEOPLE = Col("n", "people", "people")
MEAN = Col("mean", "statistic", "a mean", rests_on=("n",), funder="mean")
CHANGE = Col("change", "statistic", "a change", rests_on=("n",), funder="change",
             fmt="signed")
P = Col("p", "p_value", "p-value")
SITE = Col("site", "label", "site")
CODE = Col("code", "label", "a code", fmt="code")
NOTE = Col("note", "text", "a note")


@pytest.mark.parametrize(("status", "expected"), [
    ("small", "<5"), ("withheld", WITHHELD_TEXT), ("undefined", "n/a"), ("omitted", "")])
def test_a_cell_that_is_not_shown_reads_by_its_status_whatever_its_value(status, expected):
    # the value is a real number in each case: only the status may decide the text
    for audience in ("funder", "research", "internal"):
        assert cell_text(12.0, PEOPLE, status, audience=audience) == expected


def test_a_small_count_names_the_threshold_in_force():
    assert cell_text(None, PEOPLE, "small", min_cell=10) == "<10"
    assert small_text(3) == "<3"


def test_only_a_funder_reads_counts_as_about_and_changes_in_words():
    assert cell_text(35.0, PEOPLE, "shown", audience="funder") == ABOUT + "35"
    assert cell_text(35.0, PEOPLE, "shown", audience="research") == "35"
    assert cell_text(1927.0, PEOPLE, "shown", audience="internal") == "1,927"
    change = Col("change", "statistic", "a change", rests_on=("n",), funder="change",
                 fmt="signed", decimals=1)
    assert cell_text(-0.4, change, "shown", audience="funder") == "fell by about 0.4"
    assert cell_text(-0.4, change, "shown", audience="internal") == "-0.4"
    # a column with no funder form is formatted as a number even in a funder table
    assert cell_text(0.25, Col("x", "statistic", "x"), "shown", audience="funder") == "0.25"


def test_apa_style_is_the_research_reports_only():
    assert cell_text(0.0312, P, "shown", audience="research") == ".031"
    assert cell_text(0.0312, P, "shown", audience="internal") == "0.031"
    assert cell_text(0.0312, P, "shown", audience="funder") == "0.031"


def test_labels_become_words_codes_and_notes_stay_as_written():
    assert cell_text("childrens_services", SITE, "shown") == "children's services"
    assert cell_text("childrens_services", CODE, "shown") == "childrens_services"
    assert cell_text("rank_biserial", NOTE, "shown") == "rank-biserial r"
    assert cell_text("north_east", NOTE, "shown") == "north_east"


@pytest.mark.parametrize(("value", "expected"), [
    (-0.05, "fell by about 0.1"),   # 0.05 is stored as 0.0500000000000000028: rounds up
    (-0.04, "about the same"),      # rounds to 0.0
    (0.04, "about the same"),
    (0.06, "rose by about 0.1"),
    (-1.25, "fell by about 1.2"),   # 1.25 is exact in binary: half to even
    (2.0, "rose by about 2.0"),
])
def test_a_change_in_words_says_same_only_when_it_rounds_to_zero(value, expected):
    assert change_in_words(value) == expected


def test_exact_changes_keep_two_decimals_and_their_direction():
    assert exact_change_words(-0.556) == "fell by 0.56"
    assert exact_change_words(0.004) == "rose by 0.00"
    assert exact_change_words(1.0) == "rose by 1.00"


def test_the_csv_keeps_values_as_values():
    assert csv_cell(10.0, PEOPLE, "shown") == 10 and isinstance(csv_cell(10.0, PEOPLE, "shown"),
                                                                 int)
    assert csv_cell(np.nan, PEOPLE, "small", min_cell=5) == "<5"
    assert math.isnan(csv_cell(np.nan, PEOPLE, "withheld"))
    assert csv_cell(np.float64(0.25), MEAN, "shown") == 0.25
    assert type(csv_cell(np.float64(0.25), MEAN, "shown")) is float
    assert csv_cell("north", SITE, "shown") == "north"


@pytest.mark.parametrize(("p", "funder", "other"), [
    (0.000999, "<0.001", 0.000999), (0.001, 0.001, 0.001), (0.2, 0.2, 0.2)])
def test_only_a_funder_csv_writes_a_tiny_p_value_as_below(p, funder, other):
    assert csv_cell(p, P, "shown", audience="funder") == funder
    assert csv_cell(p, P, "shown", audience="research") == other


def test_a_figure_in_a_sentence_is_never_finer_than_its_table():
    assert figure_text(0.3, "30%", "shown", ".0%") == "30%"
    assert figure_text(0.3, "30%", "shown") == "30%"
    assert figure_text(35.0, ABOUT + "35", "shown", ".0f") == ABOUT + "35"   # keeps "about"
    assert figure_text(0.3, "30%", "withheld", ".0%") == "withheld"
    assert figure_text(0.3, "", "omitted") == "withheld"
    assert figure_text(None, "n/a", "undefined", ".0%") == "not available"
    assert figure_text(None, "<5", "small", ".0f") == "<5"
    assert figure_text("north", "north", "shown", "") == "north"


def test_a_card_never_shows_a_small_count():
    assert card_value("63%", "shown") == "63%"
    assert card_value("<5", "small") == "withheld"
    assert card_value("—", "withheld") == "withheld"
    assert card_value("n/a", "undefined") == "not available"


def test_intervals_and_capitals():
    assert interval_text("55%", "70%") == "95% interval 55% to 70%"
    assert interval_text("0.1", "0.3", level="90%") == "90% interval 0.1 to 0.3"
    assert capital("about half") == "About half" and capital("") == ""


@pytest.mark.parametrize(("value", "decimals", "signed", "expected"), [
    (-0.004, 2, False, "0.00"), (-0.005001, 2, False, "-0.01"), (0.004, 2, True, "0.00"),
    (0.006, 2, True, "+0.01"), (1234567.0, 0, False, "1,234,567"), (-2.5, 1, True, "-2.5")])
def test_numbers_are_never_minus_zero_and_have_thousands_separators(value, decimals, signed,
                                                                    expected):
    assert number_text(value, decimals, signed=signed) == expected


def test_plain_value_unwraps_numpy_scalars():
    assert type(plain_value(np.int64(3))) is int and type(plain_value(np.float64(0.5))) is float
    assert plain_value(None) is None


def test_the_page_the_csv_and_a_sentence_agree_on_one_policed_table():
    spec = TableSpec("demo", "Demo", (
        Col("group", "label", "group", funder="shown"),
        Col("n", "people", "people in the group", funder="rounded"),
        Col("total", "people", "everyone", funder="rounded"),
        Col("share", "share", "share of everyone", part="n", whole="total", funder="percent")))
    frame = pd.DataFrame({"group": ["north", "south"], "n": [3, 121], "total": [20, 400],
                          "share": [0.15, 121 / 400]})
    shown = Policy("funder").apply(frame, spec)
    # 3 < 5: small; 121 rounds to 120, 20 and 400 stay; 3/20 is withheld (part below 5),
    # 121/400 (30.25%) is 30% in the 2-point steps of ≈400
    assert shown.text["n"].tolist() == ["<5", "≈120"]
    assert shown.csv()["n"].tolist() == ["<5", 120]
    assert str(shown.figure("n", group="north")) == "<5"
    assert str(shown.figure("n", group="south")) == "≈120"
    assert shown.text["share"].tolist() == [WITHHELD_TEXT, "30%"]
    assert str(shown.figure("share", group="north")) == "withheld"
    assert pd.isna(shown.csv()["share"].iloc[0]) and shown.csv()["share"].iloc[1] == 0.3
