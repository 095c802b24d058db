"""Correlations against R's cor.test and p.adjust, with the part-whole rule by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.stats.correlation import correlation_matrix, correlations

from .reference import r_output, stats_input

R = r_output("correlation")
SCORES = stats_input("correlation_scores")
PARTS = {"stss_intrusion": "stss_total", "stss_avoidance": "stss_total",
         "stss_arousal": "stss_total"}


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_correlations_equal_r_cor_test_with_holm_across_the_matrix(method):
    table = correlations(SCORES, columns=list(SCORES.columns), method=method, scale_of=PARTS)
    expected = pd.DataFrame(R[method])
    assert table[["x", "y", "n"]].to_numpy().tolist() == expected[["x", "y", "n"]].to_numpy(
        ).tolist()
    for column in ("r", "ci_low", "ci_high", "p", "p_holm"):
        assert table[column].to_numpy() == pytest.approx(expected[column].to_numpy(),
                                                         rel=1e-9), column


def test_spearman_is_not_kendall_on_these_data():
    # so that a Kendall tau in place of Spearman's rho cannot pass the test above
    expected = pd.DataFrame(R["spearman"])
    assert np.all(np.abs(expected["r"] - expected["kendall_tau"]) > 0.05)


def test_no_subscale_is_correlated_with_its_own_total():
    table = correlations(SCORES, columns=list(SCORES.columns), scale_of=PARTS)
    pairs = set(zip(table["x"], table["y"], strict=True))
    for part in PARTS:
        assert (part, "stss_total") not in pairs
    assert ("stss_intrusion", "stss_avoidance") in pairs  # two parts of one total: kept
    assert ("stss_total", "burnout") in pairs
    assert len(table) == 15 - 3


def test_parts_of_parts_are_not_correlated_with_any_total_above_them():
    data = pd.DataFrame(np.random.default_rng(1).normal(size=(10, 4)),
                        columns=["item", "sub", "total", "other"])
    table = correlations(data, columns=list(data.columns),
                         scale_of={"item": "sub", "sub": "total"})
    assert set(zip(table["x"], table["y"], strict=True)) == {
        ("item", "other"), ("sub", "other"), ("total", "other")}


def test_too_few_pairs_or_no_variance_give_missing_values():
    data = pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan, 5.0], "b": [2.0, 1.0, 4.0, 3.0, np.nan],
                         "c": [1.0, 1.0, 1.0, 1.0, 1.0]})
    table = correlations(data, columns=["a", "b", "c"]).set_index(["x", "y"])
    assert table.loc[("a", "b"), "n"] == 3 and np.isnan(table.loc[("a", "b"), "r"])
    assert np.isnan(table.loc[("a", "c"), "r"]) and np.isnan(table["p_holm"]).all()
    with pytest.raises(ValueError, match="method"):
        correlations(data, columns=["a", "b"], method="kendall")


def test_correlation_matrix_is_symmetric_with_gaps_where_pairs_were_skipped():
    table = correlations(SCORES, columns=list(SCORES.columns), scale_of=PARTS)
    matrix = correlation_matrix(table)
    assert matrix.columns[0] == "variable" and list(matrix["variable"]) == list(matrix.columns[1:])
    matrix = matrix.set_index("variable")
    assert matrix.loc["burnout", "stss_intrusion"] == matrix.loc["stss_intrusion", "burnout"]
    assert matrix.loc["burnout", "stss_intrusion"] == pytest.approx(
        R["pearson"][2]["r"], rel=1e-9)
    assert np.isnan(matrix.loc["stss_intrusion", "stss_total"])
    assert (np.diag(matrix) == 1).all()
    with pytest.raises(ValueError, match="'r'"):
        correlation_matrix(table.drop(columns="r"))


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_correlations_equal_pingouin_pairwise_corr(method):
    # second oracle: pingouin's r and p on the same pairwise complete cases (its interval is
    # rounded to two decimals, so only r and p are compared)
    import pingouin as pg

    table = correlations(SCORES, columns=list(SCORES.columns), method=method, scale_of=PARTS)
    for row in table.itertuples():
        pair = SCORES[[row.x, row.y]].dropna()
        direct = pg.corr(pair[row.x], pair[row.y], method=method).iloc[0]
        assert row.n == direct["n"]
        assert row.r == pytest.approx(direct["r"], rel=1e-12)
        assert row.p == pytest.approx(direct["p_val"] if "p_val" in direct else direct["p-val"],
                                      rel=1e-9)


def test_the_interval_has_the_confidence_asked_for():
    """Fisher's z interval written out, at 90% and 99%: tanh(atanh(r) -/+ z_q / sqrt(n - 3)),
    with z_q the normal quantile (1.645 and 2.576), on r from numpy."""
    from scipy.stats import norm

    scores = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10],
                           "b": [2.0, 1, 4, 3, 7, 5, 6, 9, 10, 8]})
    r = np.corrcoef(scores["a"], scores["b"])[0, 1]
    for confidence in (0.90, 0.99):
        row = correlations(scores, columns=["a", "b"], confidence=confidence).iloc[0]
        half = norm.ppf(0.5 + confidence / 2) / np.sqrt(len(scores) - 3)
        assert row["r"] == pytest.approx(r, rel=1e-12)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(
            (np.tanh(np.arctanh(r) - half), np.tanh(np.arctanh(r) + half)), rel=1e-10)
