"""Kaplan-Meier and log-rank against R's survival package (survfit log-log, survdiff) and the
6-MP leukaemia example of Freireich et al. (1963) as printed by Kleinbaum & Klein (2012)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.stats.survival import kaplan_meier, logrank_test

from .reference import r_output, stats_input

R = r_output("survival")
SIXMP = stats_input("sixmp")
RETENTION = stats_input("retention_groups")


def _km(rows, **options):
    return kaplan_meier(rows, duration="time", event="event", **options)


def _units(time, event):
    return pd.DataFrame({"weeks": time, "left": event})


@pytest.mark.parametrize("name,rows", [
    ("km_6mp", SIXMP[SIXMP["group"] == "6-MP"]),
    ("km_placebo", SIXMP[SIXMP["group"] == "placebo"]),
    ("km_retention_b", RETENTION[RETENTION["group"] == "b"]),
], ids=["6-MP", "placebo (ends at 0)", "retention b (ties)"])
def test_kaplan_meier_and_log_log_band_equal_r_survfit(name, rows):
    table = _km(rows)
    expected = pd.DataFrame(R[name]).astype(float)
    assert table["time"].tolist() == expected["time"].tolist()
    assert table["at_risk"].tolist() == expected["at_risk"].tolist()
    assert table["events"].tolist() == expected["events"].tolist()
    for column in ("survival", "ci_low", "ci_high"):
        np.testing.assert_allclose(table[column].to_numpy(float), expected[column].to_numpy(),
                                   rtol=1e-10, atol=1e-14, err_msg=column)  # NaN where R has NA


def test_band_at_90_percent_equals_r():
    table = _km(SIXMP[SIXMP["group"] == "6-MP"], confidence=0.90)
    expected = pd.DataFrame(R["km_6mp_90"])
    assert table["ci_low"].to_numpy() == pytest.approx(expected["ci_low"].to_numpy(), rel=1e-10)
    assert table["ci_high"].to_numpy() == pytest.approx(expected["ci_high"].to_numpy(),
                                                        rel=1e-10)


def test_kaplan_meier_matches_the_textbook():
    table = _km(SIXMP[SIXMP["group"] == "6-MP"]).set_index("time")["survival"]
    published = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378,
                 23: 0.4482}
    for time, value in published.items():
        assert table.loc[time] == pytest.approx(value, abs=5e-5)


def test_kaplan_meier_without_events_and_with_bad_input():
    none = kaplan_meier(_units([3, 4, 5], [0, 0, 0]), duration="weeks", event="left")
    assert none[["time", "at_risk", "events", "survival"]].iloc[0].tolist() == [0, 3, 0, 1.0]
    assert kaplan_meier(_units([], []), duration="weeks", event="left").empty
    with pytest.raises(ValueError, match="0/1"):
        kaplan_meier(_units([1, 2], [1, 2]), duration="weeks", event="left")
    with pytest.raises(ValueError, match="'dropped'"):
        kaplan_meier(_units([1, 2], [1, 0]), duration="weeks", event="dropped")


def test_logrank_matches_the_textbook_and_r():
    row = logrank_test(SIXMP, duration="time", event="event", between="group").iloc[0]
    assert row["chi2"] == pytest.approx(16.79, abs=0.005)  # Kleinbaum & Klein (2012)
    reference = R["logrank_6mp"]
    assert row["chi2"] == pytest.approx(reference["chi2"], rel=1e-10)
    assert row["p"] == pytest.approx(reference["p"], rel=1e-9)
    assert (row["groups"], row["df"], row["smallest_group"]) == (2, 1.0, 21)


def test_logrank_with_three_groups_and_ties_equals_r():
    row = logrank_test(RETENTION, duration="time", event="event", between="group").iloc[0]
    reference = R["logrank_retention"]
    assert (row["groups"], row["df"], row["smallest_group"]) == (3, 2.0, 9)
    assert row["chi2"] == pytest.approx(reference["chi2"], rel=1e-10)
    assert row["p"] == pytest.approx(reference["p"], rel=1e-9)


def test_logrank_without_a_comparison_is_a_note():
    one = logrank_test(SIXMP[SIXMP["group"] == "6-MP"], duration="time", event="event",
                       between="group").iloc[0]
    assert np.isnan(one["p"]) and "fewer than two groups" in one["note"]
    quiet = SIXMP.assign(event=0)
    row = logrank_test(quiet, duration="time", event="event", between="group").iloc[0]
    assert np.isnan(row["p"])
    with pytest.raises(ValueError, match="'site'"):
        logrank_test(SIXMP, duration="time", event="event", between="site")


def test_kaplan_meier_and_logrank_equal_statsmodels():
    # second oracle: statsmodels' SurvfuncRight (Greenwood) and survdiff, called directly
    from statsmodels.duration.survfunc import SurvfuncRight, survdiff

    for name, rows in (("6-MP", SIXMP[SIXMP["group"] == "6-MP"]),
                       ("retention b", RETENTION[RETENTION["group"] == "b"])):
        direct = SurvfuncRight(rows["time"].to_numpy(float), rows["event"].to_numpy(float))
        table = _km(rows)
        assert table["time"].to_numpy() == pytest.approx(direct.surv_times), name
        assert table["survival"].to_numpy() == pytest.approx(direct.surv_prob, rel=1e-12), name
        assert table["at_risk"].to_numpy() == pytest.approx(direct.n_risk), name
    for data in (SIXMP, RETENTION):
        chi2, p = survdiff(data["time"].to_numpy(float), data["event"].to_numpy(float),
                           data["group"].to_numpy())
        row = logrank_test(data, duration="time", event="event", between="group").iloc[0]
        assert row["chi2"] == pytest.approx(chi2, rel=1e-10)
        assert row["p"] == pytest.approx(p, rel=1e-9)
