"""Repeated-measures ANOVA against R (aov, mauchly.test, anova.mlm "Spherical") and pairwise
paired t tests against t.test + p.adjust."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.stats.anova import pairwise_paired, repeated_measures_anova

from .reference import r_output, stats_input

R = r_output("anova")
WAVES = ["pre", "post", "follow_up"]
TIMES = ["t1", "t2", "t3", "t4"]


def _anova(name, within, levels):
    data = stats_input("rm_waves" if name == "waves" else "rm_four")
    return repeated_measures_anova(data, subject="subject", within=within, dv="score",
                                   levels=levels).iloc[0]


@pytest.mark.parametrize("name,within,levels", [("waves", "wave", WAVES),
                                                ("four", "time", TIMES)])
def test_anova_sphericity_and_correction_equal_r(name, within, levels):
    row = _anova(name, within, levels)
    reference = R[name]["anova"]
    assert row["n"] == reference["n"]
    for column in ("f", "df1", "df2", "p", "epsilon_gg", "p_gg", "mauchly_w", "ng2"):
        assert row[column] == pytest.approx(reference[column], rel=1e-9), column
    assert row["mauchly_p"] == pytest.approx(reference["mauchly_p_r"], rel=1e-9)
    assert row["note"] == ""


def test_greenhouse_geisser_matters_on_these_data():
    # so that reporting the uncorrected p as p_gg (or epsilon 1) cannot pass
    row = _anova("waves", "wave", WAVES)
    assert row["p_gg"] > 4 * row["p"] and row["epsilon_gg"] < 0.75


def test_mauchly_p_of_four_levels_equals_r_mauchly_test():
    # pingouin's sphericity equals R's mauchly.test (mauchly_p_r) at four levels too; the former
    # hand-written variant (Anderson's term with k - 1 throughout) differed from it slightly.
    reference = R["four"]["anova"]
    row = _anova("four", "time", TIMES)
    assert row["mauchly_p"] == pytest.approx(reference["mauchly_p_r"], rel=1e-9)


@pytest.mark.parametrize("name,within,levels", [("waves", "wave", WAVES),
                                                ("four", "time", TIMES)])
def test_anova_adapter_equals_pingouin_called_directly(name, within, levels):
    import pingouin as pg

    data = stats_input("rm_waves" if name == "waves" else "rm_four")
    direct = pg.rm_anova(data, dv="score", within=within, subject="subject", correction=True,
                         effsize="ng2").iloc[0]
    row = _anova(name, within, levels)
    assert (row["f"], row["p_gg"], row["epsilon_gg"], row["ng2"]) == pytest.approx(
        (direct["F"], direct["p_GG_corr"], direct["eps"], direct["ng2"]), rel=1e-12)


@pytest.mark.parametrize("name,within,levels", [("waves", "wave", WAVES),
                                                ("four", "time", TIMES)])
def test_pairwise_paired_t_and_holm_equal_r(name, within, levels):
    data = stats_input("rm_waves" if name == "waves" else "rm_four")
    table = pairwise_paired(data, subject="subject", within=within, dv="score", levels=levels)
    reference = pd.DataFrame(R[name]["pairwise"])
    assert table[["a", "b", "n"]].to_numpy().tolist() == reference[["a", "b", "n"]].to_numpy(
        ).tolist()
    for column in ("t", "df", "p", "p_holm"):
        assert table[column].to_numpy() == pytest.approx(reference[column].to_numpy(),
                                                         rel=1e-9), column


def test_two_levels_reduce_to_the_paired_t_test():
    # With two levels F = t^2 of the paired t test (here t = -4 on 2 df: changes -1, -2, -1).
    long = pd.DataFrame({"id": [1, 1, 2, 2, 3, 3], "wave": ["a", "b"] * 3,
                         "score": [5, 4, 6, 4, 7, 6]})
    row = repeated_measures_anova(long, subject="id", within="wave", dv="score",
                                  levels=["a", "b"]).iloc[0]
    t = -(4 / 3) / (np.sqrt(1 / 3) / np.sqrt(3))
    assert row["f"] == pytest.approx(t**2) and (row["df1"], row["df2"]) == (1.0, 2.0)
    assert row["epsilon_gg"] == 1.0 and row["p_gg"] == row["p"] and np.isnan(row["mauchly_p"])


def test_too_few_complete_subjects_is_a_note():
    data = stats_input("rm_waves")
    few = data[data["subject"].isin(["s01", "s02", "s26"])]  # s26 lacks a wave
    row = repeated_measures_anova(few, subject="subject", within="wave", dv="score",
                                  levels=WAVES).iloc[0]
    assert row["n"] == 2 and np.isnan(row["f"]) and "fewer than three" in row["note"]
    with pytest.raises(ValueError, match="two different levels"):
        repeated_measures_anova(data, subject="subject", within="wave", dv="score",
                                levels=["pre"])


@pytest.mark.parametrize("name,within,levels", [("waves", "wave", WAVES),
                                                ("four", "time", TIMES)])
def test_pairwise_adapter_equals_pingouin_called_directly(name, within, levels):
    # second oracle: pingouin's pairwise_tests on the complete cases, pairs matched by name
    import pingouin as pg

    data = stats_input("rm_waves" if name == "waves" else "rm_four")
    table = pairwise_paired(data, subject="subject", within=within, dv="score", levels=levels)
    complete = data.groupby("subject").filter(lambda g: g[within].nunique() == len(levels))
    direct = pg.pairwise_tests(complete, dv="score", within=within, subject="subject",
                               padjust="holm")

    def column(*names):
        return next(direct[n] for n in names if n in direct.columns)

    p, p_corr = column("p_unc", "p-unc"), column("p_corr", "p-corr")
    for row in table.itertuples():
        forward = (direct["A"] == row.a) & (direct["B"] == row.b)
        backward = (direct["A"] == row.b) & (direct["B"] == row.a)
        match = forward | backward
        assert match.sum() == 1, (row.a, row.b)
        assert abs(row.t) == pytest.approx(abs(float(direct.loc[match, "T"].iloc[0])), rel=1e-12)
        assert row.p == pytest.approx(float(p[match].iloc[0]), rel=1e-12)
        assert row.p_holm == pytest.approx(float(p_corr[match].iloc[0]), rel=1e-12)
