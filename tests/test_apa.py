"""APA style in the research report: p-values and statistics bounded by 1 without a leading zero,
statistical symbols in italics; the team's and the funder's pages keep their own style."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.analyses import registry
from evalkit.analyses.tables import Col, TableSpec, interval
from evalkit.publish.formatting import format_value
from evalkit.publish.policy import Policy
from evalkit.publish.render import header_html, table_html

P = Col("p", "p_value", "p-value")
R = Col("r", "statistic", "Pearson's r", bounded=True)
D = Col("d_z", "statistic", "Cohen's d_z")


@pytest.mark.parametrize(("value", "apa", "plain"), [
    (0.000999, "< .001", "<0.001"),
    (0.001, ".001", "0.001"),     # the boundary is "below .001", not "at most"
    (0.0346, ".035", "0.035"),
    (0.5, ".500", "0.500"),
    (1.0, "1.000", "1.000"),
])
def test_p_values_in_apa_style(value, apa, plain):
    assert format_value(value, P, apa=True) == apa
    assert format_value(value, P) == plain


@pytest.mark.parametrize(("value", "col", "expected"), [
    (-0.456, R, "-.46"),
    (0.456, Col("r", "statistic", "r", fmt="signed", bounded=True), "+.46"),
    (1.0, R, "1.00"),
    (-1.0, R, "-1.00"),
    (-0.001, R, ".00"),           # never "-.00"
    (0.45, D, "0.45"),            # d can exceed 1: its leading zero stays
    (10.25, Col("t", "statistic", "t"), "10.25"),
])
def test_only_bounded_statistics_lose_their_leading_zero(value, col, expected):
    assert format_value(value, col, apa=True) == expected


def test_a_share_or_a_count_cannot_be_declared_bounded():
    with pytest.raises(ValueError, match="bounded"):
        Col("share", "share", "a share", part="a", whole="b", bounded=True)
    with pytest.raises(ValueError, match="bounded"):
        Col("n", "people", "people", bounded=True)


SPEC = TableSpec("corr", "Correlations", (
    Col("pair", "label", "the pair"), Col("n", "people", "people"),
    Col("r", "statistic", "Pearson's r", rests_on=("n",), bounded=True),
    *interval("the 95% interval", rests_on=("n",), bounded=True),
    Col("d_z", "statistic", "a d", rests_on=("n",)),
    Col("p", "p_value", "p-value", rests_on=("n",))))
FRAME = pd.DataFrame({"pair": ["a-b"], "n": [40], "r": [0.4567], "ci_low": [0.1634],
                      "ci_high": [0.6789], "d_z": [0.5], "p": [0.0031]})


def test_the_research_report_writes_its_tables_in_apa_style():
    html = table_html(Policy("research").apply(FRAME, SPEC))
    assert '<th scope="col" class="num"><i>r</i></th>' in html
    assert '<th scope="col" class="num"><i>p</i></th>' in html
    assert ">.46<" in html and ">.16 to .68<" in html and ">.003<" in html
    assert ">0.50<" in html


def test_the_team_keeps_leading_zeros_and_upright_headers():
    html = table_html(Policy("internal").apply(FRAME, SPEC))
    assert "<i>" not in html
    assert ">0.46<" in html and ">0.003<" in html


def test_header_symbols_are_italic_only_as_whole_words():
    assert header_html("SD before", apa=True) == "<i>SD</i> before"
    assert header_html("df2", apa=True) == "<i>df</i>2"
    assert header_html("Mauchly W", apa=True) == "Mauchly <i>W</i>"
    # "n" inside a word, or a word that starts with a symbol's letter, is not a symbol
    assert header_html("mean", apa=True) == "mean"
    assert header_html("people n", apa=True) == "people <i>n</i>"
    assert "<i>" not in header_html("tp", apa=True)


#: Statistics that cannot exceed 1 in size, by column name, written out here (not read from the
#: specs) so that a column that is wrongly marked, or not marked, fails.
BOUNDED = {"alpha", "epsilon_gg", "mauchly_w", "ng2", "icc", "rank_effect_size", "r2", "adj_r2",
           "r"}
NEVER_BOUNDED = {"d_z", "d_av", "effect_size", "t", "f", "mean", "mean_change", "estimate", "se",
                 "sd", "vif", "chi2", "aic", "bic"}


def test_every_statistic_bounded_by_one_is_declared_so_and_no_other():
    seen = set()
    for analysis in registry().values():
        for spec in analysis.tables:
            names = {c.name for c in spec.columns}
            for col in spec.columns:
                if col.name in BOUNDED:
                    seen.add(col.name)
                    assert col.bounded, f"{spec.name}.{col.name} is bounded by 1"
                if col.name in NEVER_BOUNDED:
                    assert not col.bounded, f"{spec.name}.{col.name} can exceed 1"
                if col.bounded and col.name not in BOUNDED:
                    # only the interval of a bounded statistic in the same table
                    estimate = col.follows or next(iter(names & BOUNDED), None)
                    assert estimate in BOUNDED and col.name.endswith(("ci_low", "ci_high")), (
                        f"{spec.name}.{col.name} is marked bounded")
    assert seen == BOUNDED


def test_a_label_column_headed_like_a_symbol_stays_upright():
    spec = TableSpec("pairs", "Pairs", (
        Col("a", "label", "first wave"), Col("b", "label", "second wave"),
        Col("n", "people", "people"), Col("t", "statistic", "t", rests_on=("n",))))
    html = table_html(Policy("research").apply(
        pd.DataFrame({"a": ["pre"], "b": ["post"], "n": [20], "t": [2.5]}), spec))
    assert ('<th scope="col">b</th>' in html
            and '<th scope="col" class="num"><i>t</i></th>' in html)
