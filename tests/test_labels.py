"""Human labels everywhere: codes become words in one place (publish.labels), used by tables
and charts alike."""

from __future__ import annotations

from html import unescape

import pandas as pd

from evalkit.analyses.tables import Col, TableSpec, interval
from evalkit.publish.formatting import WITHHELD_TEXT, format_value
from evalkit.publish.policy import Policy
from evalkit.publish.render import footnotes, table_html


def test_model_terms_and_merged_categories_read_as_words():
    spec = TableSpec("model", "Model", (
        Col("term", "label", "model term"), Col("level", "label", "category"),
        Col("n", "people", "people"),
        Col("estimate", "statistic", "difference", fmt="signed", rests_on=("n",))))
    frame = pd.DataFrame({"term": ["gender=man", "experience_band=<1|1-2", "wave=post"],
                          "level": ["man", "<1|1-2", "post"], "n": [10, 10, 10],
                          "estimate": [-3.43, 1.64, -0.001]})
    text = Policy("internal").apply(frame, spec).text
    assert text["term"].tolist() == ["gender: men", "experience (years): <1 or 1-2",
                                     "wave: after preparation"]
    assert text["level"].tolist() == ["men", "<1 or 1-2", "after preparation"]
    assert text["estimate"].tolist() == ["-3.43", "+1.64", "0.00"]   # never "-0.00"


def test_no_number_is_written_as_minus_zero():
    assert format_value(-0.004, Col("x", "statistic", "x")) == "0.00"
    assert format_value(-0.04, Col("x", "statistic", "x", decimals=1, fmt="signed")) == "0.0"
    assert format_value(-0.06, Col("x", "statistic", "x", decimals=1, fmt="signed")) == "-0.1"


def test_headers_and_statistic_names_are_words():
    spec = TableSpec("tests", "Tests", (
        Col("effect", "text", "effect size reported"), Col("d_z", "statistic", "d"),
        Col("f_df1", "statistic", "numerator df", decimals=0),
        Col("cohort_id", "label", "cohort")))
    frame = pd.DataFrame({"effect": ["hedges_g"], "d_z": [0.4], "f_df1": [3.0],
                          "cohort_id": ["c1"]})
    # the words, without the research report's italic symbols (tests/test_apa.py checks those)
    html = unescape(table_html(Policy("research").apply(frame, spec))).replace("<i>", "")
    html = html.replace("</i>", "")
    assert ">Cohen's d (z)<" in html
    assert ">F df (numerator)<" in html and ">cohort<" in html
    assert ">d z<" not in html and ">f df1<" not in html and "hedges_g" not in html
    assert "Hedges" in html


def test_counts_that_are_not_people_are_not_called_people():
    """A funder table of meetings and file rows: its notes name what is counted, never people."""
    spec = TableSpec("meetings", "Meetings", (
        Col("outcome", "label", "meetings were"), Col("meetings_held", "people", "meetings"),
        Col("rows", "people", "file rows")), unit="processes").for_funder(
        outcome="shown", meetings_held="rounded", rows="rounded")
    shown = Policy("funder").apply(pd.DataFrame({"outcome": ["a"], "meetings_held": [3],
                                                 "rows": [12]}), spec)
    assert shown.text["meetings_held"].tolist() == ["<5"] and shown.text["rows"].tolist() == [
        "\u224810"]
    notes = footnotes(shown, ["outcome", "meetings_held", "rows"])
    assert "<5: fewer than 5 meetings." in notes
    rounded = [n for n in notes if n.startswith("\u224835:")]
    assert len(rounded) == 1 and "a count of meetings and rows rounded to the nearest 5" in \
        rounded[0]
    assert not any("people" in n for n in notes)


def test_notes_say_what_a_withheld_figure_rests_on_and_mention_percentages_only_beside_them():
    spec = TableSpec("meetings", "Meetings", (
        Col("outcome", "label", "meetings were"), Col("processes", "people", "processes"),
        Col("meetings_held", "people", "meetings"),
        Col("median_days", "statistic", "median days", rests_on=("meetings_held",),
            needs=2)), unit="processes").for_funder(
        outcome="shown", processes="rounded", meetings_held="rounded", median_days="mean")
    shown = Policy("funder").apply(pd.DataFrame({
        "outcome": ["a", "b"], "processes": [12, 14], "meetings_held": [6, 30],
        "median_days": [40.0, 50.0]}), spec)
    assert shown.text["median_days"].tolist()[0] == WITHHELD_TEXT
    notes = footnotes(shown, list(shown.columns))
    withheld = [n for n in notes if "withheld" in n]
    assert len(withheld) == 1 and "fewer than 5 meetings," in withheld[0]
    rounded = [n for n in notes if n.startswith("≈35:")]
    assert rounded == ["≈35: a count of processes and meetings rounded to the nearest 5, each on "
                       "its own, so parts may not add up to a total."]

    shares = TableSpec("done", "Done", (
        Col("site", "label", "site"), Col("people", "people", "people"),
        Col("done", "people", "people who finished"),
        Col("share", "share", "share who finished", part="done", whole="people")),
        unit="participants").for_funder(site="shown", people="rounded", done="rounded",
                                        share="percent")
    shown = Policy("funder").apply(pd.DataFrame({"site": ["a"], "people": [40], "done": [20],
                                                 "share": [0.5]}), shares)
    rounded = [n for n in footnotes(shown, list(shown.columns)) if n.startswith("≈35:")]
    assert rounded[0].endswith("; percentages of people are computed from these rounded "
                               "counts.")


def test_the_interval_header_says_the_level_the_table_declares():
    spec = TableSpec("rates", "Rates", (
        Col("group", "label", "group"), Col("rate", "statistic", "rate", fmt="percent"),
        *interval("the Wilson 90% interval", fmt="percent")))
    frame = pd.DataFrame({"group": ["a"], "rate": [0.5], "ci_low": [0.4], "ci_high": [0.6]})
    html = {audience: unescape(table_html(Policy(audience).apply(frame, spec)))
            for audience in ("research", "internal", "funder")}
    # Researchers read "CI"; the team's and funders' pages say "interval" in words too.
    assert ">90% CI<" in html["research"] and "95%" not in html["research"]
    assert ">90% interval<" in html["internal"] and " CI" not in html["internal"]


def test_headers_over_numbers_are_aligned_with_them():
    spec = TableSpec("by_site", "People by site", (
        Col("site", "label", "site", funder="shown"),
        Col("people", "people", "people", funder="rounded"),
        Col("note", "text", "a note", funder="shown")))
    html = table_html(Policy("funder").apply(
        pd.DataFrame({"site": ["north", "south"], "people": [12, 42], "note": ["", "x"]}), spec))
    assert '<th scope="col">site</th>' in html
    assert '<th scope="col" class="num">people</th>' in html
    assert '<th scope="col">note</th>' in html


def test_rounded_parts_are_said_to_need_not_add_up_only_where_counts_could_be_added():
    spec = TableSpec("by_site", "People by site", (
        Col("site", "label", "site", funder="shown"),
        Col("people", "people", "people", funder="rounded")))
    two = Policy("funder").apply(pd.DataFrame({"site": ["a", "b"], "people": [17, 22]}), spec)
    one = Policy("funder").apply(pd.DataFrame({"site": ["a"], "people": [17]}), spec)
    assert two.text["people"].tolist() == ["≈15", "≈20"]  # 39 in all would read ≈40
    assert [n for n in footnotes(two, ["site", "people"]) if n.startswith("≈35")] == [
        "≈35: a count of people rounded to the nearest 5, each on its own, so parts may not "
        "add up to a total."]
    assert [n for n in footnotes(one, ["site", "people"]) if n.startswith("≈35")] == [
        "≈35: a count of people rounded to the nearest 5."]


def test_wave_comparisons_read_as_words():
    from evalkit.publish.labels import words

    assert words("follow_up_vs_intake") == "follow-up vs intake"   # not "follow up vs intake"
    assert words("post_vs_pre") == "after vs before preparation"
