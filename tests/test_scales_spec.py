"""Instrument specs: a hand-worked instrument scored end to end, the TOML rules and refusals, and
the data contract a spec gives its answers file.

Every expected number below is worked by hand in the comments, never taken from evalkit's output.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from evalkit.io.contracts import CONTRACTS
from evalkit.scales import (
    BUILTIN,
    DISCOMFORT,
    PROQOL,
    STSS,
    Band,
    Instrument,
    SpecInconsistency,
    find_instruments,
    internal_consistency,
    parse_instrument,
    score,
)
from evalkit.scales.custom import KEYS
from evalkit.scales.spec import file_facts
from evalkit.stats.paired import paired_change

# --- a hand-worked instrument ----------------------------------------------------------------------
#
# 5 items answered 1-4, item 2 reversed (scored 1 + 4 - answer); subscales a = items 1-3 and
# b = items 4-5; total = all 5 items (range 5-20); bands low from 5, mid from 10, high from 13.
# prorate_min 0.8: the total needs 4 of 5 answers (0.8 * 5 = 4), a needs 3 of 3 (0.8 * 3 = 2.4),
# b needs 2 of 2 (0.8 * 2 = 1.6).
HAND_TOML = """
title = "Hand-worked check"
respondent = "participant"
id_column = "participant_id"
waves = ["before", "after"]
items = 5
min = 1
max = 4
reversed = [2]
score = "sum"
higher_is = "worse"
bands = [{name = "low", from = 5}, {name = "mid", from = 10}, {name = "high", from = 13}]

[subscales]
a = [1, 2, 3]
b = [4, 5]
"""

# Raw answers (None = blank) and the keyed answers worked by hand (item 2 -> 5 - answer):
HAND_FORMS = [
    # id,  wave,     raw answers            keyed             a   b   total  band
    ("r1", "before", [2, 3, 1, 4, 2]),     # 2 2 1 4 2         5   6   11     mid
    ("r1", "after", [1, 4, 1, 2, 1]),      # 1 1 1 2 1         3   3    6     low
    ("r2", "before", [3, 1, 4, 4, 3]),     # 3 4 4 4 3        11   7   18     high
    # prorated form: 4 of 5 answered, keyed 2 2 _ 3 3 = 10 -> 10 * 5 / 4 = 12.5 -> 13 (high);
    # a has 2 of 3 answered (< 2.4): unscored; b = 6.
    ("r2", "after", [2, 3, None, 3, 3]),
    ("r3", "before", [4, 1, 3, 3, 4]),     # 4 4 3 3 4        11   7   18     high
    # unscored form: 2 of 5 answered (< 4); a has 1 of 3, b 1 of 2: nothing is scored.
    ("r3", "after", [1, None, None, 2, None]),
    ("r4", "before", [2, 2, 2, 2, 2]),     # 2 3 2 2 2         7   4   11     mid
    ("r4", "after", [1, 3, 2, 1, 2]),      # 1 2 2 1 2         5   3    8     low
]
NAN = float("nan")
HAND_SCORES = {  # (id, wave): (a, b, total, total_answered, band)
    ("r1", "before"): (5, 6, 11, 5, "mid"),
    ("r1", "after"): (3, 3, 6, 5, "low"),
    ("r2", "before"): (11, 7, 18, 5, "high"),
    ("r2", "after"): (NAN, 6, 13, 4, "high"),
    ("r3", "before"): (11, 7, 18, 5, "high"),
    ("r3", "after"): (NAN, NAN, NAN, 2, None),
    ("r4", "before"): (7, 4, 11, 5, "mid"),
    ("r4", "after"): (5, 3, 8, 5, "low"),
}


def _hand_spec(**changes) -> Instrument:
    spec, problems = parse_instrument(HAND_TOML, name="hand")
    assert problems == []
    return spec if not changes else Instrument(**{**_fields(spec), **changes})


def _fields(spec: Instrument) -> dict:
    return {f: getattr(spec, f) for f in spec.__dataclass_fields__}


def _hand_forms(spec: Instrument) -> pd.DataFrame:
    rows = [{"participant_id": pid, "wave": wave, **dict(zip(spec.items, answers, strict=True))}
            for pid, wave, answers in HAND_FORMS]
    frame = pd.DataFrame(rows)
    return frame.astype({c: "Int64" for c in spec.items})


def _same(a, b) -> bool:
    return (isinstance(a, float) and math.isnan(a) and math.isnan(b)) or a == b


def test_hand_worked_scores_and_bands():
    spec = _hand_spec()
    scored = score(_hand_forms(spec), spec)
    assert list(scored.columns) == ["participant_id", "wave", "a", "a_answered", "b",
                                    "b_answered", "total", "total_answered", "total_band"]
    for row in scored.itertuples(index=False):
        a, b, total, answered, band = HAND_SCORES[(row.participant_id, row.wave)]
        assert _same(row.a, float(a)) and _same(row.b, float(b)), row
        assert _same(row.total, float(total)) and row.total_answered == answered, row
        assert (pd.isna(row.total_band) and band is None) or row.total_band == band, row
    assert scored["total_band"].cat.ordered
    assert list(scored["total_band"].cat.categories) == ["low", "mid", "high"]


def test_hand_worked_prorating_needs_the_spec_share():
    # With every item required, r2's prorated form (4 of 5) is no longer scored.
    spec = _hand_spec(prorate_min=1.0)
    scored = score(_hand_forms(spec), spec).set_index(["participant_id", "wave"])
    assert math.isnan(scored.loc[("r2", "after"), "total"])
    assert scored.loc[("r2", "before"), "total"] == 18
    # The caller may override the spec's share: 0.4 scores r3's form of 2 answers: keyed
    # 1 _ _ 2 _ = 3 -> 3 * 5 / 2 = 7.5 -> 8 (half up).
    loose = score(_hand_forms(spec), spec, prorate_min=0.4).set_index(["participant_id", "wave"])
    assert loose.loc[("r3", "after"), "total"] == 8


def test_hand_worked_mean_scores_are_not_rounded():
    spec = _hand_spec(score_rule="mean", bands={})
    scored = score(_hand_forms(spec), spec).set_index(["participant_id", "wave"])
    assert scored.loc[("r1", "before"), "total"] == pytest.approx(11 / 5, abs=1e-12)  # 2.2
    assert scored.loc[("r2", "after"), "total"] == pytest.approx(10 / 4, abs=1e-12)   # 2.5
    assert scored.loc[("r2", "after"), "b"] == pytest.approx(3.0, abs=1e-12)


def _paired_row(before, after) -> dict:
    long = pd.concat([pd.DataFrame({"id": before.index, "wave": "before", "score": before.values}),
                      pd.DataFrame({"id": after.index, "wave": "after", "score": after.values})])
    result = paired_change(long, dv="score", within="wave", subject="id",
                           levels=["before", "after"])
    return dict(result.iloc[0])


def test_hand_worked_paired_change():
    spec = _hand_spec()
    scored = score(_hand_forms(spec), spec)
    wide = scored.pivot(index="participant_id", columns="wave", values="total")
    # Complete pairs: r1 11 -> 6, r2 18 -> 13, r4 11 -> 8 (r3 is unscored after).
    # Changes -5, -5, -3: mean -13/3; deviations -2/3, -2/3, 4/3; variance (4 + 4 + 16) / 9 / 2
    # = 4/3; sd 2 / sqrt(3); standard error 2/3; t = (-13/3) / (2/3) = -6.5 on 2 df.
    # 95% CI: -13/3 -+ 4.302653 * 2/3 (t table, 2 df) = -7.2018, -1.4649.
    # d_z = (-13/3) / (2 / sqrt(3)) = -3.7528.
    row = _paired_row(wide["before"], wide["after"])
    assert row["n"] == 3
    assert row["mean_change"] == pytest.approx(-13 / 3, abs=1e-12)
    assert row["t"] == pytest.approx(-6.5, abs=1e-9)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((-7.2018, -1.4649), abs=1e-4)
    assert row["d_z"] == pytest.approx(-3.7528, abs=1e-4)
    # Subscale b: r1 6 -> 3, r2 7 -> 6, r4 4 -> 3: changes -3, -1, -1; mean -5/3; deviations
    # -4/3, 2/3, 2/3; variance 24/9 / 2 = 4/3; standard error 2/3; t = -2.5.
    wide_b = scored.pivot(index="participant_id", columns="wave", values="b")
    row_b = _paired_row(wide_b["before"], wide_b["after"])
    assert (row_b["n"], row_b["mean_change"], row_b["t"]) == pytest.approx((3, -5 / 3, -2.5))


def test_hand_worked_reliability_turns_the_reversed_item_round():
    # Baseline forms of subscale b (items 4, 5, not reversed): r1 4 2, r2 4 3, r3 3 4, r4 2 2.
    # Item variances: item 4 (mean 13/4): (0.5625 + 0.5625 + 0.0625 + 1.5625) / 3 = 0.9167;
    # item 5 (mean 11/4): (0.5625 + 0.0625 + 1.5625 + 0.5625) / 3 = 0.9167; totals 6 7 7 4
    # (mean 6): (0 + 1 + 1 + 4) / 3 = 2. alpha = 2/1 * (1 - 1.8333 / 2) = 0.1667.
    spec = _hand_spec()
    forms = _hand_forms(spec)
    table = internal_consistency(forms[forms["wave"] == "before"], spec, by=None).set_index("subscale")
    assert table.loc["b", "n"] == 4
    assert table.loc["b", "alpha"] == pytest.approx(1 / 6, abs=1e-9)
    # Subscale a keyed (item 2 reversed): 2 2 1 / 3 4 4 / 4 4 3 / 2 3 2. Item variances 0.9167,
    # 0.9167, 1.6667 (sum 3.5); totals 5 11 11 7, variance 9; alpha = 3/2 * (1 - 3.5/9) = 0.9167.
    # Without the reversal the totals would be 6 8 8 6 and alpha negative (-2.44).
    assert table.loc["a", "alpha"] == pytest.approx(11 / 12, abs=1e-9)


# --- built-in specs ---------------------------------------------------------------------------------


def test_builtin_contracts_are_the_data_contracts_declared_once():
    """A built-in file is declared once (io/contracts.py): its spec takes its shape from there and
    hands that same contract back, so validation and scoring cannot read different files."""
    for name, spec in BUILTIN.items():
        assert spec.contract() is CONTRACTS[name], name
    # the facts as published (STSS: 17 items; ProQOL 5: 30; the checklist: 13), all answered 1-5
    assert (STSS.n_items, STSS.items[0], STSS.items[-1], STSS.waves) == (17, "stss01", "stss17",
                                                                         None)
    assert (PROQOL.n_items, PROQOL.items[-1]) == (30, "pq30")
    assert (DISCOMFORT.n_items, DISCOMFORT.items[-1], DISCOMFORT.waves) == (
        13, "d13", ("pre", "post", "follow_up"))
    assert all((s.min, s.max, s.id_column) == (1, 5, "practitioner_id") for s in BUILTIN.values())


def test_the_contract_made_from_a_builtin_spec_matches_the_declared_one():
    def columns(contract):
        return [(c.name, c.kind, c.categories, c.minimum, c.maximum, c.nullable, c.references)
                for c in contract.columns if c.name != "response_date"]

    for name, spec in BUILTIN.items():
        made = Instrument(**{**_fields(spec), "declared_contract": None}).contract()
        assert columns(made) == columns(CONTRACTS[name]), name
        assert made.key == CONTRACTS[name].key


@pytest.mark.parametrize("change", [
    {"n_items": 16}, {"item_prefix": "sts"}, {"max": 4}, {"min": 0}, {"waves": ("a", "b")},
    {"id_column": "participant_id", "respondent": "participant"}])
def test_a_spec_that_drifts_from_its_declared_contract_is_refused(change):
    with pytest.raises(SpecInconsistency, match="declared_contract"):
        Instrument(**{**_fields(STSS), **change})


def test_a_declared_contract_must_be_the_instruments_own_file():
    with pytest.raises(SpecInconsistency, match="declared_contract"):
        Instrument(**{**_fields(STSS), "declared_contract": CONTRACTS["proqol"]})


def test_file_facts_read_a_questionnaire_file_only():
    facts = file_facts(CONTRACTS["discomfort"])
    assert (facts["n_items"], facts["item_prefix"], facts["min"], facts["max"]) == (13, "d", 1, 5)
    with pytest.raises(ValueError, match="not a questionnaire"):
        file_facts(CONTRACTS["sessions"])
    gappy = replace(CONTRACTS["stss"], columns=tuple(
        c for c in CONTRACTS["stss"].columns if c.name != "stss05"))
    with pytest.raises(ValueError, match="in order"):
        file_facts(gappy)
    ranged = replace(CONTRACTS["stss"], columns=tuple(
        replace(c, maximum=4) if c.name == "stss17" else c for c in CONTRACTS["stss"].columns))
    with pytest.raises(ValueError, match="one answer range"):
        file_facts(ranged)


def test_builtin_facts():
    assert list(STSS.scales) == ["intrusion", "avoidance", "arousal", "total"]
    assert PROQOL.total is None and list(PROQOL.scales) == list(PROQOL.subscales)
    assert PROQOL.higher_is_of("compassion_satisfaction") == "better"
    assert PROQOL.higher_is_of("burnout") == "worse"
    assert STSS.score_range("total") == (17, 85) and PROQOL.score_range("burnout") == (10, 50)
    assert BUILTIN["discomfort"].score_range("discomfort") == (1, 5)
    assert BUILTIN["discomfort"].baseline == "pre" and STSS.baseline is None
    assert {s.respondent for s in BUILTIN.values()} == {"practitioner"}
    assert hash(STSS) == hash(Instrument(**_fields(STSS)))  # frozen and hashable


def test_a_spec_written_in_python_is_checked_like_a_toml_spec():
    with pytest.raises(SpecInconsistency) as caught:
        Instrument(name="x", title="X", respondent="partner", id_column="practitioner_id",
                   waves=("a", "b"), n_items=3, min=0, max=4, reversed=(4,),
                   bands={"total": (Band("low", 1), Band("high", 6))})
    keys = [key for key, _ in caught.value.issues]
    assert keys == ["id_column", "reversed", "bands"]
    assert isinstance(caught.value, ValueError)


# --- the contract of an own instrument's answers -------------------------------------------------


def test_contract_of_an_own_instrument():
    spec = _hand_spec()
    contract = spec.contract()
    assert contract.filename == "hand.csv"
    assert contract.column_names == ("participant_id", "wave", "response_date",
                                     "i01", "i02", "i03", "i04", "i05")
    assert contract.key == ("participant_id", "wave")
    person = contract.column("participant_id")
    assert (person.kind, person.references) == ("id", ("participants", "participant_id"))
    wave = contract.column("wave")
    assert (wave.kind, wave.categories) == ("category", ("before", "after"))
    date = contract.column("response_date")
    assert (date.kind, date.required, date.nullable) == ("date", False, True)
    for name in spec.items:
        item = contract.column(name)
        assert (item.kind, item.minimum, item.maximum, item.nullable) == ("item", 1, 4, True)
    practitioner = _hand_spec(respondent="practitioner", id_column="practitioner_id", waves=None)
    contract = practitioner.contract()
    assert contract.column("practitioner_id").references == ("practitioners", "practitioner_id")
    assert contract.column("wave").kind == "label"


def test_item_columns_widen_past_99_items():
    spec = _hand_spec(n_items=120, reversed=(), subscales={}, bands={})
    assert spec.items[0] == "i001" and spec.items[-1] == "i120" and spec.column(120) == "i120"


# --- TOML specs: what is accepted ----------------------------------------------------------------

BASE = {
    "title": '"Partner check"',
    "respondent": '"partner"',
    "id_column": '"participant_id"',
    "waves": '["intake", "exit", "follow_up"]',
    "items": "8",
    "min": "0",
    "max": "4",
    "reversed": "[2, 5]",
    "score": '"sum"',
    "prorate_min": "0.8",
    "higher_is": '"worse"',
    "reliability": "0.85",
    "bands": '[{name = "low", from = 0}, {name = "high", from = 16}]',
}
BASE_SUBSCALES = {"fear": "[1, 2, 3, 4]", "behaviour": "[5, 6, 7, 8]"}


def spec_text(subscales=None, **changes) -> str:
    """The base spec with keys changed (a TOML literal) or removed (None)."""
    values = {**BASE, **changes}
    lines = [f"{key} = {value}" for key, value in values.items() if value is not None]
    table = BASE_SUBSCALES if subscales is None else subscales
    if table:
        lines += ["", "[subscales]"] + [f"{key} = {value}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def parsed(text: str, name: str = "partner_check"):
    return parse_instrument(text, name=name)


def test_the_base_spec_is_accepted_as_written():
    spec, problems = parsed(spec_text())
    assert problems == []
    assert spec.name == "partner_check" and spec.respondent == "partner"
    assert spec.waves == ("intake", "exit", "follow_up") and spec.baseline == "intake"
    assert spec.items == tuple(f"i0{k}" for k in range(1, 9))
    assert (spec.min, spec.max, spec.reversed, spec.score_rule) == (0, 4, (2, 5), "sum")
    assert (spec.prorate_min, spec.higher_is, spec.reliability) == (0.8, "worse", 0.85)
    assert spec.bands == {"total": (Band("low", 0), Band("high", 16))}
    assert list(spec.scales) == ["fear", "behaviour", "total"]
    assert spec.subscales["behaviour"] == (5, 6, 7, 8)


def test_optional_keys_take_their_defaults():
    spec, problems = parsed(spec_text(subscales={}, reversed=None, prorate_min=None,
                                      reliability=None, bands=None))
    assert problems == []
    assert (spec.reversed, spec.prorate_min, spec.reliability) == ((), 0.8, None)
    assert spec.bands == {} and list(spec.scales) == ["total"]


@pytest.mark.parametrize("changes", [
    {"prorate_min": "1"}, {"prorate_min": "0.01"}, {"reliability": "0"},
    {"reliability": "0.999"}, {"min": "-3", "max": "3", "bands": '[{name = "low", from = -24}]'},
    {"bands": '[{name = "low", from = 0}, {name = "top", from = 32}]'},  # last band at the max
    {"score": '"mean"', "bands": '[{name = "low", from = 0}, {name = "high", from = 2.5}]'},
    {"waves": '["2024", "2025"]'}, {"items": "2", "reversed": "[2]", "bands": None},
    {"respondent": '"practitioner"', "id_column": '"practitioner_id"'},
    {"respondent": '"practitioner"', "id_column": '"participant_id"'},  # rating a participant
])
def test_edge_values_are_accepted(changes):
    subscales = {} if "items" in changes else None
    spec, problems = parsed(spec_text(subscales=subscales, **changes))
    assert problems == [] and spec is not None


def test_bands_may_be_written_as_an_array_of_tables():
    text = spec_text(bands=None) + (
        '\n[[bands]]\nname = "low"\nfrom = 0\n\n[[bands]]\nname = "high"\nfrom = 16\n')
    spec, problems = parsed(text)
    assert problems == [] and [b.label for b in spec.bands["total"]] == ["low", "high"]


def test_item_labels_and_citation_are_optional_and_checked():
    labels = ", ".join(f'"label {k}"' for k in range(1, 9))
    spec, problems = parsed(spec_text(item_labels=f"[{labels}]", citation='"Our own"'))
    assert problems == [] and spec.item_labels[7] == "label 8" and spec.citation == "Our own"
    _, problems = parsed(spec_text(item_labels='["only one"]'))
    assert [p.rule for p in problems] == ["key 'item_labels': must be a list of one short label "
                                          "per item"]


# --- TOML specs: what is refused, and how ----------------------------------------------------------

REFUSALS = [
    # (changes, subscales or None for the base ones, key named, words in the rule)
    ({"reverse": "[2]"}, None, None, "unknown key 'reverse'; did you mean 'reversed'?"),
    ({"prorate_minimum": "0.8"}, None, None, "did you mean 'prorate_min'?"),
    ({"higher": '"worse"'}, None, None, "did you mean 'higher_is'?"),
    ({"colour": '"red"'}, None, None, "unknown key 'colour'; known keys are title, "),
    ({"name": '"x"'}, None, None, "an instrument's name is its file name"),
    ({"bands": '[{name = "low", form = 0}]'}, None, "bands", "did you mean 'from'?"),
    ({"bands": '[{name = "low"}]'}, None, "bands", "each band needs a name in quotes and a from"),
    ({"items": '"8"'}, None, "items", "must be a whole number"),
    ({"items": "8.0"}, None, "items", "must be a whole number"),
    ({"items": "true"}, None, "items", "must be a whole number"),
    ({"min": "0.5"}, None, "min", "must be a whole number"),
    ({"title": "3"}, None, "title", "must be text in quotes"),
    ({"waves": '"intake"'}, None, "waves", "must be a list of wave labels in quotes"),
    ({"waves": "[2024, 2025]"}, None, "waves", "must be a list of wave labels in quotes"),
    ({"reversed": "2"}, None, "reversed", "must be a list of item numbers"),
    ({"reversed": '["2"]'}, None, "reversed", "must be a list of item numbers"),
    ({"prorate_min": '"80%"'}, None, "prorate_min", "must be a number such as 0.8"),
    ({"reliability": "true"}, None, "reliability", "must be a number"),
    ({"bands": '{low = 0}'}, None, "bands", "must be a list of bands"),
    ({}, {"fear": '"1-4"'}, "subscales", "each subscale must be a list of item numbers"),
    ({"items": "1", "reversed": None}, {}, "items", "must be a whole number of at least 2"),
    ({"min": "4"}, None, "max", "must be greater than min"),
    ({"min": "5"}, None, "max", "must be greater than min"),
    ({"reversed": "[9]"}, None, "reversed", "item number 9 is outside 1-8"),
    ({"reversed": "[0, 2]"}, None, "reversed", "item number 0 is outside 1-8"),
    ({"reversed": "[5, 5]"}, None, "reversed", "item 5 is listed more than once"),
    ({}, {"fear": "[1, 2, 9]"}, "subscales.fear", "item number 9 is outside 1-8"),
    ({}, {"fear": "[1, 2, 2]"}, "subscales.fear", "item 2 is listed more than once"),
    ({}, {"fear": "[1]"}, "subscales.fear", "a subscale needs at least 2 items"),
    ({}, {"fear": "[]"}, "subscales.fear", "a subscale needs at least 2 items"),
    ({}, {"total": "[1, 2]"}, "subscales.total", "this name is taken"),
    ({}, {"wave": "[1, 2]"}, "subscales.wave", "this name is taken"),
    ({}, {"fear_band": "[1, 2]"}, "subscales.fear_band", "may not end in _answered or _band"),
    ({}, {"Fear": "[1, 2]"}, "subscales", "subscale names must be lower-case"),
    ({"bands": '[{name = "high", from = 16}, {name = "low", from = 0}]'}, None, "bands",
     "bands are not in order"),
    ({"bands": '[{name = "low", from = 0}, {name = "mid", from = 8}, {name = "high", from = 8}]'},
     None, "bands", "bands overlap"),
    ({"bands": '[{name = "low", from = 0}, {name = "high", from = 33}]'}, None, "bands",
     "a band starts outside the scale's range 0-32"),
    ({"bands": '[{name = "low", from = -1}, {name = "high", from = 16}]'}, None, "bands",
     "a band starts outside the scale's range 0-32"),
    ({"bands": '[{name = "low", from = 1}, {name = "high", from = 16}]'}, None, "bands",
     "the first band must start at the lowest possible score, 0"),
    ({"bands": '[{name = "low", from = 0}, {name = "high", from = 15.5}]'}, None, "bands",
     "bands of a sum score start at whole numbers"),
    ({"score": '"mean"'}, None, "bands", "a band starts outside the scale's range 0-4"),
    ({"bands": '[{name = "low", from = 0}, {name = "low", from = 16}]'}, None, "bands",
     "two bands have the same name"),
    ({"bands": '[{name = "Low risk", from = 0}]'}, None, "bands", "band names must be"),
    ({"bands": "[]"}, None, "bands", "must be a list of bands"),
    ({"respondent": '"survivor"'}, None, "respondent", "must be one of: participant, partner, "
                                                       "practitioner"),
    ({"score": '"median"'}, None, "score", "must be one of: sum, mean"),
    ({"higher_is": '"lower"'}, None, "higher_is", "must be one of: worse, better"),
    ({"id_column": '"partner_id"'}, None, "id_column", "must be one of: participant_id, "
                                                       "practitioner_id"),
    ({"id_column": '"practitioner_id"'}, None, "id_column", "a participant's or partner's "
                                                            "answers are linked to participant_id"),
    ({"prorate_min": "0"}, None, "prorate_min", "must be a share above 0 and at most 1"),
    ({"prorate_min": "1.2"}, None, "prorate_min", "must be a share above 0 and at most 1"),
    ({"prorate_min": "-0.1"}, None, "prorate_min", "must be a share above 0 and at most 1"),
    ({"reliability": "1"}, None, "reliability", "must be at least 0 and below 1"),
    ({"reliability": "1.0"}, None, "reliability", "must be at least 0 and below 1"),
    ({"reliability": "-0.1"}, None, "reliability", "must be at least 0 and below 1"),
    ({"reliability": "nan"}, None, "reliability", "must be a number"),
    ({"waves": "[]"}, None, "waves", "must be a list of wave labels in quotes"),
    ({"waves": '["intake", "intake"]'}, None, "waves", "a wave is listed more than once"),
    ({"waves": '["Intake", "exit"]'}, None, "waves", "labels must be lower-case"),
    ({"waves": '["at intake", "exit"]'}, None, "waves", "labels must be lower-case"),
    ({"title": '""'}, None, "title", "must be a short title on one line"),
    ({"title": '"a\\nb"'}, None, "title", "must be a short title on one line"),
]


@pytest.mark.parametrize("changes,subscales,key,words", REFUSALS)
def test_refusals_name_the_file_and_the_key(changes, subscales, key, words):
    spec, problems = parsed(spec_text(subscales=subscales, **changes))
    assert spec is None
    assert len(problems) == 1, [p.describe() for p in problems]
    problem = problems[0]
    assert problem.file == "instruments/partner_check.toml"
    assert problem.severity == "error" and problem.column is None and problem.rows == ()
    prefix = "" if key is None else f"key '{key}': "
    assert problem.rule.startswith(prefix), problem.rule
    assert words in problem.rule, problem.rule


@pytest.mark.parametrize("key", [k for k, (required, _) in KEYS.items() if required])
def test_every_required_key_is_required(key):
    spec, problems = parsed(spec_text(**{key: None}))
    assert spec is None
    assert [p.rule for p in problems] == [f"key '{key}': missing (required: {KEYS[key][1]})"]


def test_every_problem_is_reported_at_once():
    text = spec_text(subscales={"fear": "[1, 12]"}, reverse="[2]", respondent='"survivor"',
                     prorate_min="2", title=None)
    _, problems = parsed(text)
    rules = [p.rule for p in problems]
    assert len(rules) == 5, rules
    assert rules[0].startswith("unknown key 'reverse'")
    assert {r.split(":")[0] for r in rules[1:]} == {
        "key 'title'", "key 'respondent'", "key 'prorate_min'", "key 'subscales.fear'"}


def test_a_key_that_cannot_be_read_does_not_bring_its_dependants_down_with_it():
    # items is unreadable: reversed, subscales and bands cannot be checked against it and are
    # not reported (fixing items reveals them, if any).
    _, problems = parsed(spec_text(items='"eight"', reversed="[99]"))
    assert [p.rule for p in problems] == ["key 'items': must be a whole number"]


@pytest.mark.parametrize("text,line,column,reason", [
    ('title = "x"\nitems = [1, 2\n', None, None, "list without its closing ']'"),
    ('title = "x"\n\nitems = 8\nitems = 9\n', 4, 10, "a key is given twice"),
    ('title = "Secret-Marker-7" x\n', 1, None, None),
    ('title = "x"\nbad line here\n', 2, None, None),
    ('title = "Secret-Marker-7\n', 1, None, "a character that is not allowed in a string"),
    ('title = "Secret-Marker-7', None, None, "text without its closing quote"),
])
def test_invalid_toml_names_the_line_and_never_repeats_the_text(text, line, column, reason):
    spec, problems = parsed(text)
    assert spec is None and len(problems) == 1
    rule = problems[0].rule
    if line is None:  # the parser reached the end of the file: the last line is named
        assert rule.startswith(f"is not valid TOML at the end of the file (line "
                               f"{len(text.rstrip().splitlines())}):"), rule
    else:
        assert rule.startswith(f"is not valid TOML at line {line}, column "), rule
    if column is not None:
        assert f"column {column}:" in rule
    if reason is not None:
        assert rule.endswith(reason)
    for secret in ("Secret", "Marker", "bad", "here"):
        assert secret not in rule


def test_unknown_keys_with_odd_characters_are_not_repeated():
    _, problems = parsed('"Secret Marker ✓" = 1\n' + spec_text())
    assert problems[0].rule.startswith("unknown key with characters a key cannot have")
    assert "Secret" not in problems[0].rule


@pytest.mark.parametrize("name,words", [
    ("stss", "taken by evalkit's own stss.csv"),
    ("participants", "taken by evalkit's own participants.csv"),
    ("Partner", "the file name must be lower-case"),
    ("partner safety", "the file name must be lower-case"),
    ("1partner", "the file name must be lower-case"),
    ("a" * 41, "the file name must be lower-case"),
])
def test_instrument_names_must_be_safe_and_not_evalkits_own(name, words):
    spec, problems = parse_instrument(spec_text(), name=name, source="x.toml")
    assert spec is None and len(problems) == 1 and words in problems[0].rule


# --- the instruments folder ------------------------------------------------------------------------


def test_a_folder_without_instruments_has_none(tmp_path):
    assert find_instruments(tmp_path) == ([], [])


def test_find_instruments_reads_every_spec_and_reports_the_rest(tmp_path):
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "zeta.toml").write_text(spec_text(), encoding="utf-8")
    (folder / "alpha.toml").write_text("\ufeff" + spec_text(), encoding="utf-8")  # with a BOM
    (folder / "broken.toml").write_text(spec_text(items="1"), encoding="utf-8")
    (folder / "latin.toml").write_bytes(spec_text(title='"Caf\xe9"').encode("latin-1"))
    (folder / "huge.toml").write_text("# " + "x" * 70_000, encoding="utf-8")
    (folder / "notes.txt").write_text("not a spec", encoding="utf-8")
    (folder / ".hidden.toml").write_text("junk = [", encoding="utf-8")
    specs, problems = find_instruments(tmp_path)
    assert [s.name for s in specs] == ["alpha", "zeta"]
    described = sorted((p.file, p.severity) for p in problems)
    assert described == [
        ("instruments/broken.toml", "error"), ("instruments/huge.toml", "error"),
        ("instruments/latin.toml", "error"), ("instruments/notes.txt", "warning"),
    ]
    assert any("is not UTF-8" in p.rule for p in problems)


def test_an_instruments_file_instead_of_a_folder_is_reported(tmp_path):
    (tmp_path / "instruments").write_text("x", encoding="utf-8")
    specs, problems = find_instruments(tmp_path)
    assert specs == [] and problems[0].file == "instruments"
    assert "is not a folder" in problems[0].rule


def test_the_sample_spec_is_valid_and_partner_reported():
    from tests.conftest import SAMPLE

    specs, problems = find_instruments(SAMPLE)
    assert problems == []
    (spec,) = specs
    assert (spec.name, spec.respondent, spec.id_column) == ("partner_safety", "partner",
                                                            "participant_id")
    assert spec.waves == ("intake", "exit", "follow_up") and spec.higher_is == "worse"
    assert set(spec.subscales) == {"fear", "behaviour"} and spec.reversed
    assert [b.label for b in spec.bands["total"]] == ["low", "moderate", "high"]
    assert len(spec.item_labels) == spec.n_items


@pytest.mark.parametrize("total,band", [(0, "low"), (7, "low"), (8, "moderate"), (15, "moderate"),
                                        (16, "high"), (32, "high")])
def test_sample_spec_bands_at_every_cut_off(total, band):
    from tests.conftest import SAMPLE

    (spec,), _ = find_instruments(SAMPLE)
    keyed = [min(4, max(0, total - 4 * i)) for i in range(8)]  # fills items 4, 4, ... then rest
    raw = [spec.min + spec.max - v if k + 1 in spec.reversed else v for k, v in enumerate(keyed)]
    scored = score(pd.DataFrame([dict(zip(spec.items, raw, strict=True))]).astype("Int64"), spec)
    assert scored["total"].iloc[0] == total and sum(keyed) == total
    assert scored["total_band"].iloc[0] == band
    assert not np.isnan(scored["fear"].iloc[0])


def test_a_share_that_floats_cannot_hold_exactly_still_needs_only_its_items():
    # 0.56 * 25 is 14.000000000000002 in floating point: 14 answers of 25 are enough all the
    # same, 13 are not. Keyed sum of 14 answers of 2 is 28 -> 28 * 25 / 14 = 50.
    assert 0.56 * 25 > 14
    spec = _hand_spec(n_items=25, reversed=(), subscales={}, bands={}, prorate_min=0.56)
    forms = pd.DataFrame([[2] * 14 + [None] * 11, [2] * 13 + [None] * 12],
                         columns=list(spec.items))
    scored = score(forms.astype("Int64"), spec)
    assert scored["total"].iloc[0] == 50 and math.isnan(scored["total"].iloc[1])


def test_the_documented_example_is_the_shipped_spec_and_every_key_is_documented():
    from tests.conftest import ROOT

    from evalkit.data.synth import PARTNER_SAFETY_TOML

    doc = (ROOT / "docs" / "instruments.md").read_text(encoding="utf-8")
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    shipped = "".join(line + "\n" for line in PARTNER_SAFETY_TOML.splitlines()
                      if not line.startswith("#"))
    assert example == shipped
    for key in KEYS:
        assert f"| `{key}`" in doc or f", `{key}` |" in doc, key
