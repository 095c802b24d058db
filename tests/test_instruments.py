"""Scoring keys against the published keys, written out here a second time in a different form,
and the band and missing-item boundaries.

Published keys: STSS, Bride et al. (2004), Table 1 subscales; ProQOL 5, Stamm (2010) scoring page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.conftest import answers_summing_to

from evalkit import scales as instruments
from evalkit.scales import DISCOMFORT, PROQOL, STSS, score

# Item number -> subscale, one letter each (I intrusion, A avoidance, R arousal).
STSS_KEY = "A I I R A I A R A I R A I A R R A"
# Item number -> subscale (C compassion satisfaction, B burnout, S secondary traumatic stress);
# a trailing * marks an item scored in reverse.
PROQOL_KEY = ("B* S C B* S C S B S B S C S S B* C B* C B C B C S C S B C S B* C")
STSS_NAMES = {"I": "intrusion", "A": "avoidance", "R": "arousal"}
PROQOL_NAMES = {"C": "compassion_satisfaction", "B": "burnout", "S": "secondary_traumatic_stress"}


def _form(instrument, values) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(instrument.items, values, strict=True))]).astype("Int64")


def _probe(instrument, item: int):
    """Scores of a form of 3s with one item raised to 5, minus those of the all-3 form."""
    base = [3] * len(instrument.items)
    raised = list(base)
    raised[item - 1] = 5
    scored = score(pd.concat([_form(instrument, base), _form(instrument, raised)]), instrument)
    return {name: scored[name].iloc[1] - scored[name].iloc[0]
            for name in instrument.subscales}


@pytest.mark.parametrize("item,letter", list(enumerate(STSS_KEY.split(), start=1)))
def test_every_stss_item_counts_in_its_published_subscale_only(item, letter):
    change = _probe(STSS, item)
    assert change == {name: (2.0 if name == STSS_NAMES[letter] else 0.0) for name in change}


@pytest.mark.parametrize("item,code", list(enumerate(PROQOL_KEY.split(), start=1)))
def test_every_proqol_item_counts_in_its_subscale_with_its_direction(item, code):
    change = _probe(PROQOL, item)
    expected = -2.0 if code.endswith("*") else 2.0
    assert change == {name: (expected if name == PROQOL_NAMES[code[0]] else 0.0)
                      for name in change}


def test_keys_cover_every_item_once_and_totals_have_published_ranges():
    assert sorted(sum((v for k, v in STSS.subscales.items() if k != "total"), ())) == list(
        range(1, 18))
    assert sorted(sum(PROQOL.subscales.values(), ())) == list(range(1, 31))
    low = score(_form(STSS, [1] * 17), STSS)
    high = score(_form(STSS, [5] * 17), STSS)
    assert (low["total"].iloc[0], high["total"].iloc[0]) == (17.0, 85.0)
    for subscale in PROQOL.subscales:
        lowest = [1] * 30
        for item in PROQOL.reversed:  # a reversed item's lowest score is answer 5
            lowest[item - 1] = 5
        assert score(_form(PROQOL, lowest), PROQOL)[subscale].iloc[0] == 10.0


@pytest.mark.parametrize("total,band", [
    (17, "little_or_none"), (27, "little_or_none"), (28, "mild"), (37, "mild"), (38, "moderate"),
    (43, "moderate"), (44, "high"), (48, "high"), (49, "severe"), (85, "severe")])
def test_stss_bands_at_every_cut_off(total, band):
    scored = score(_form(STSS, answers_summing_to(total, 17)), STSS)
    assert scored["total"].iloc[0] == total
    assert scored["total_band"].iloc[0] == band


@pytest.mark.parametrize("subscale", list(PROQOL.subscales))
@pytest.mark.parametrize("raw,band", [(10, "low"), (22, "low"), (23, "moderate"),
                                      (41, "moderate"), (42, "high"), (50, "high")])
def test_proqol_bands_at_every_cut_off(subscale, raw, band):
    items = PROQOL.subscales[subscale]
    keyed = answers_summing_to(raw, 10)
    answers = [3] * 30
    for item, value in zip(items, keyed, strict=True):
        answers[item - 1] = 6 - value if item in PROQOL.reversed else value
    scored = score(_form(PROQOL, answers), PROQOL)
    assert scored[subscale].iloc[0] == raw
    assert scored[f"{subscale}_band"].iloc[0] == band


@pytest.mark.parametrize("instrument,subscale,needed", [
    (STSS, "total", 14), (STSS, "intrusion", 4), (STSS, "avoidance", 6), (STSS, "arousal", 4),
    (PROQOL, "burnout", 8), (DISCOMFORT, "discomfort", 11)])
def test_missing_item_threshold_is_eighty_percent_of_the_subscale(instrument, subscale, needed):
    items = instrument.scales[subscale]
    values = [4] * len(instrument.items)
    if instrument is PROQOL:  # make every keyed answer 4, including reversed ones
        values = [2 if i + 1 in instrument.reversed else 4 for i in range(30)]
    forms = []
    for answered in (needed, needed - 1):
        form = list(values)
        for item in items[answered:]:
            form[item - 1] = None
        forms.append(_form(instrument, form))
    scored = score(pd.concat(forms, ignore_index=True), instrument)
    per_item = 4.0
    expected_full = per_item if instrument.score_rule == "mean" else per_item * len(items)
    assert scored[subscale].iloc[0] == pytest.approx(expected_full)  # prorated
    assert scored[f"{subscale}_answered"].tolist() == [needed, needed - 1]
    assert np.isnan(scored[subscale].iloc[1])


def _stss_form(answered_sum: int, answered: int) -> list:
    """An STSS form with ``answered`` items answered (from item 1) adding up to ``answered_sum``."""
    return answers_summing_to(answered_sum, answered) + [None] * (17 - answered)


# Prorated STSS totals: sum * 17 / answered, worked by hand, then rounded half up.
@pytest.mark.parametrize("answered_sum,answered,prorated,total,band", [
    (41, 16, 43.5625, 44, "high"),        # above the half: up, across the 44 cut-off
    (40, 16, 42.5, 43, "moderate"),       # exactly a half: up (to even would give 42)
    (39, 16, 41.4375, 41, "moderate"),    # below the half: down
    (38, 15, 43.0667, 43, "moderate"),    # just above a whole number: down (not up to 44)
    (26, 16, 27.625, 28, "mild"),         # 27.625 would be little_or_none before rounding
    (25, 16, 26.5625, 27, "little_or_none"),
    (34, 14, 41.2857, 41, "moderate"),
    (35, 14, 42.5, 43, "moderate"),
    (42, 15, 47.6, 48, "high"),           # below the 49 cut-off once rounded
    (43, 15, 48.7333, 49, "severe"),      # across the 49 cut-off
])
def test_prorated_stss_totals_are_rounded_half_up_before_banding(answered_sum, answered, prorated,
                                                                 total, band):
    assert answered_sum * 17 / answered == pytest.approx(prorated, abs=1e-4)  # the hand working
    scored = score(pd.DataFrame([dict(zip(STSS.items, _stss_form(answered_sum, answered),
                                          strict=True))]), STSS)
    assert scored["total"].iloc[0] == total
    assert scored["total_band"].iloc[0] == band


# Prorated ProQOL burnout: keyed sum * 10 / answered, worked by hand, then rounded half up.
@pytest.mark.parametrize("keyed_sum,answered,total,band", [
    (18, 8, 23, "moderate"),   # 22.5: up to 23 (to even would give 22, "low")
    (20, 9, 22, "low"),        # 22.22: down
    (17, 8, 21, "low"),        # 21.25
    (33, 8, 41, "moderate"),   # 41.25: down, below the 42 cut-off
    (34, 8, 43, "high"),       # 42.5: up
])
def test_prorated_proqol_scores_are_rounded_half_up_before_banding(keyed_sum, answered, total,
                                                                   band):
    items = PROQOL.subscales["burnout"]
    keyed = answers_summing_to(keyed_sum, answered) + [None] * (10 - answered)
    answers = [3] * 30
    for item, value in zip(items, keyed, strict=True):
        if value is not None and item in PROQOL.reversed:
            value = 6 - value
        answers[item - 1] = value
    scored = score(_form(PROQOL, answers), PROQOL)
    assert scored["burnout"].iloc[0] == total
    assert scored["burnout_band"].iloc[0] == band


def test_mean_scores_are_not_rounded():
    # Discomfort: 12 of 13 answered, 11 fours and a five: 49 / 12 = 4.0833...
    form = [4] * 11 + [5, None]
    scored = score(_form(DISCOMFORT, form), DISCOMFORT)
    assert scored["discomfort"].iloc[0] == pytest.approx(49 / 12, abs=1e-12)


def test_answers_out_of_range_are_refused():
    with pytest.raises(ValueError, match="outside 1-5"):
        score(_form(STSS, [6] + [3] * 16), STSS)


def test_reliability_reports_undefined_alpha_instead_of_failing():
    forms = pd.concat([_form(STSS, [3] * 17)] * 4, ignore_index=True)
    table = instruments.internal_consistency(forms, STSS, by=None)
    assert table["alpha"].isna().all()
    assert table["note"].str.contains("do not vary").all()


def test_reliability_turns_reversed_items_round():
    rng = np.random.default_rng(1)
    trait = rng.normal(size=200)
    answers = {}
    for i, column in enumerate(PROQOL.items, start=1):
        raw = np.clip(np.round(3 + trait + rng.normal(scale=0.7, size=200)), 1, 5)
        answers[column] = 6 - raw if i in PROQOL.reversed else raw
    table = instruments.internal_consistency(pd.DataFrame(answers), PROQOL, by=None)
    assert table.set_index("subscale").loc["burnout", "alpha"] > 0.8
