"""The paired-change tables publish every column of docs/methods.md#paired-change for research.

``wellbeing_wave_change`` used to keep a fixed column list without t, df and d_av although the
method page promises them in every paired-change table. Values are checked against scipy's
paired t test on the sample folder's two latest STSS waves, not against evalkit's own output.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as st

import evalkit
from evalkit.analyses import secondary_trauma
from evalkit.analyses._base import ordered_waves
from evalkit.publish.policy import Policy
from evalkit.scales import STSS, score

PAIRED_COLUMNS = ("t", "df", "d_z", "d_z_ci_low", "d_z_ci_high", "d_av", "d_av_ci_low",
                  "d_av_ci_high")


@pytest.fixture(scope="module")
def results():
    dataset = evalkit.load("data/sample")
    return dataset, secondary_trauma.compute(dataset, min_cell=5)


def _spec(name):
    return next(s for s in secondary_trauma.TABLES if s.name == name)


def test_wellbeing_wave_change_declares_and_computes_t_df_and_d_av(results):
    _, tables = results
    spec = _spec("wellbeing_wave_change")
    declared = [c.name for c in spec.columns]
    for column in PAIRED_COLUMNS:
        assert column in declared and column in tables["wellbeing_wave_change"].columns, column
    assert list(tables["wellbeing_wave_change"].columns) == declared


def test_wellbeing_wave_change_values_equal_scipy_on_the_sample(results):
    dataset, tables = results
    forms = score(dataset.stss, STSS)
    first, last = ordered_waves(forms)[-2:]
    pairs = (forms[forms["wave"].astype(str).isin([first, last])]
             .pivot(index="practitioner_id", columns="wave", values="total").dropna())
    before, after = pairs[first].to_numpy(float), pairs[last].to_numpy(float)
    expected = st.ttest_rel(after, before)
    d = after - before
    row = tables["wellbeing_wave_change"].query("scale == 'STSS' and subscale == 'total'").iloc[0]
    assert row["n"] == len(d)
    assert row["t"] == pytest.approx(expected.statistic, rel=1e-12)
    assert row["df"] == len(d) - 1
    assert row["d_av"] == pytest.approx(d.mean() / ((before.std(ddof=1) + after.std(ddof=1)) / 2),
                                        rel=1e-12)


def test_research_audience_sees_the_paired_statistics(results):
    _, tables = results
    spec = _spec("wellbeing_wave_change")
    policy = Policy("research")
    assert policy.sees(spec)
    shown = policy.apply(tables["wellbeing_wave_change"], spec).csv()
    for column in PAIRED_COLUMNS:
        assert column in shown.columns and shown[column].notna().any(), column
    assert np.allclose(shown["t"].astype(float), tables["wellbeing_wave_change"]["t"])
