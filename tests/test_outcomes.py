"""Own outcome measures through the whole path: a spec and answers in a data folder, loaded,
analysed and published. The instrument and its scores are the hand-worked one of
``tests/test_scales_spec.py``; every expected figure below is worked by hand in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest
from tests.test_scales_spec import HAND_FORMS, HAND_TOML

import evalkit
from evalkit.analyses import instrument, outcomes
from evalkit.publish.policy import Policy

PARTICIPANTS = "participant_id,site,cohort_id,referral_route,age_band,start_month,exit_reason"


def _folder(tmp_path, *, reliability: float = 0.85, higher_is: str = "worse",
            respondent: str = "partner"):
    (tmp_path / "instruments").mkdir()
    toml = HAND_TOML.replace('respondent = "participant"', f'respondent = "{respondent}"')
    toml = toml.replace('higher_is = "worse"', f'higher_is = "{higher_is}"\n'
                        f"reliability = {reliability}")
    (tmp_path / "instruments" / "hand.toml").write_text(toml)
    people = [PARTICIPANTS] + [f"{pid},north,c1,self,25-34,2024-01,ongoing"
                               for pid in ("r1", "r2", "r3", "r4")]
    (tmp_path / "participants.csv").write_text("\n".join(people) + "\n")
    rows = ["participant_id,wave,i01,i02,i03,i04,i05"]
    for pid, wave, answers in HAND_FORMS:
        rows.append(",".join([pid, wave, *("" if a is None else str(a) for a in answers)]))
    (tmp_path / "hand.csv").write_text("\n".join(rows) + "\n")
    return evalkit.load(tmp_path)


@pytest.fixture
def hand(tmp_path):
    return _folder(tmp_path)


def test_the_spec_and_answers_are_loaded(hand):
    assert list(hand.instruments) == ["hand"]
    assert len(hand.responses("hand")) == 8
    assert outcomes.ANALYSIS.missing(hand) == ""


def test_change_from_the_baseline_by_hand(hand):
    change = outcomes.compute(hand)["outcome_change"].set_index("scale")
    # Totals: r1 11 -> 6, r2 18 -> 13, r4 11 -> 8 (r3 unscored after): changes -5, -5, -3;
    # mean -13/3, t = -6.5 on 2 df, 95% CI -7.2018 to -1.4649: lower is better, so improved.
    total = change.loc["total"]
    assert total["comparison"] == "after_vs_before"
    assert total["n"] == 3
    assert total["mean_change"] == pytest.approx(-13 / 3)
    assert total["t"] == pytest.approx(-6.5)
    assert (total["ci_low"], total["ci_high"]) == pytest.approx((-7.2018, -1.4649), abs=1e-4)
    assert total["direction"] == "improved"
    # b: 6 -> 3, 7 -> 6, 4 -> 3: changes -3, -1, -1, t = -2.5 on 2 df (CI -4.54 to 1.20
    # contains 0): no clear change.
    assert change.loc["b", "t"] == pytest.approx(-2.5)
    assert change.loc["b", "direction"] == "no_clear_change"


def test_direction_follows_the_spec(tmp_path):
    flipped = _folder(tmp_path, higher_is="better")
    change = outcomes.compute(flipped)["outcome_change"].set_index("scale")
    assert change.loc["total", "direction"] == "worsened"


def test_bands_by_hand(hand):
    bands = outcomes.compute(hand)["outcome_bands"]
    counts = {(w, b): n for w, b, n in bands[["wave", "band", "n"]].itertuples(index=False)}
    # before: r1 11 mid, r2 18 high, r3 18 high, r4 11 mid; after: r1 6 low, r2 13 high,
    # r4 8 low (r3 unscored).
    assert counts == {("before", "low"): 0, ("before", "mid"): 2, ("before", "high"): 2,
                      ("after", "low"): 2, ("after", "mid"): 0, ("after", "high"): 1}
    assert bands.loc[bands["wave"] == "after", "scored"].unique().tolist() == [3]


def test_reliable_change_by_hand(hand):
    people = instrument.reliable_change_people(hand.instruments["hand"],
                                               instrument.scored(hand, "hand"), hand)
    # Baseline totals of the three pairs 11, 18, 11: SD = sqrt(((7/3)^2 * 2 + (14/3)^2) / 2)
    # = 4.0415; with reliability 0.85, S_diff = sqrt(2) * 4.0415 * sqrt(0.15) = 2.2136 and the
    # threshold 1.96 * 2.2136 = 4.3386. RC: -5 / 2.2136 = -2.2587 (twice, reliably improved),
    # -3 / 2.2136 = -1.3553 (no reliable change).
    assert people["threshold"].iloc[0] == pytest.approx(4.3386, abs=1e-4)
    rc = dict(zip(people["participant_id"], people["rc"], strict=True))
    assert rc["r1"] == pytest.approx(-2.2587, abs=1e-4) and rc["r4"] == pytest.approx(-1.3553,
                                                                                   abs=1e-4)
    counts = outcomes.compute(hand)["outcome_rci"].set_index("category")["n"]
    assert counts.to_dict() == {"reliably_improved": 2, "no_reliable_change": 1,
                                "reliably_worse": 0}


def test_the_safety_list_names_participants_whose_partners_reports_worsened(tmp_path):
    # Higher is better: the same falls are now reliable worsening, for r1 and r2.
    flipped = _folder(tmp_path, higher_is="better")
    safety = outcomes.compute(flipped)["partner_safety_list"]
    assert sorted(safety["participant_id"]) == ["r1", "r2"]


def test_the_safety_list_shows_each_partners_latest_answer(tmp_path):
    # Higher is better, and a third wave: r1 falls 11 -> 6 (reliably worse) and is back at 11
    # later; r2 falls 18 -> 13 and the later form is unscored (2 of 5 answered), so r2's latest
    # answer stays the one that worsened. Dates: each wave a quarter apart.
    (tmp_path / "instruments").mkdir()
    toml = HAND_TOML.replace('waves = ["before", "after"]', 'waves = ["before", "after", "later"]')
    toml = toml.replace('higher_is = "worse"', 'higher_is = "better"\nreliability = 0.85')
    toml = toml.replace('respondent = "participant"', 'respondent = "partner"')
    (tmp_path / "instruments" / "hand.toml").write_text(toml)
    people = [PARTICIPANTS] + [f"{pid},north,c1,self,25-34,2024-01,ongoing"
                               for pid in ("r1", "r2", "r3", "r4")]
    (tmp_path / "participants.csv").write_text("\n".join(people) + "\n")
    dates = {"before": "2024-01-15", "after": "2024-04-15", "later": "2024-07-15"}
    forms = [*HAND_FORMS, ("r1", "later", [2, 3, 1, 4, 2]), ("r2", "later", [1, None, None, 2, None])]
    rows = ["participant_id,wave,response_date,i01,i02,i03,i04,i05"]
    for pid, wave, answers in forms:
        rows.append(",".join([pid, wave, dates[wave], *("" if a is None else str(a) for a in answers)]))
    (tmp_path / "hand.csv").write_text("\n".join(rows) + "\n")
    safety = outcomes.compute(evalkit.load(tmp_path))["partner_safety_list"]
    worsened = safety[safety["comparison"] == "after_vs_before"].set_index("participant_id")
    assert sorted(worsened.index) == ["r1", "r2"]
    assert worsened.loc["r1", ["answered", "after", "latest_answered", "latest"]].tolist() == [
        "2024-04-15", 6, "2024-07-15", 11]
    assert worsened.loc["r2", ["latest_answered", "latest"]].tolist() == ["2024-04-15", 13]


def test_nobody_on_the_safety_list_when_reports_improved(hand):
    safety = outcomes.compute(hand)["partner_safety_list"]
    assert isinstance(safety, pd.DataFrame) and safety.empty


def test_only_partner_reported_measures_have_a_safety_list(tmp_path):
    own = _folder(tmp_path, higher_is="better", respondent="participant")
    assert isinstance(outcomes.compute(own)["partner_safety_list"], str)


def test_a_funder_sees_no_partner_row_and_no_statistic_from_so_few(hand):
    computed = outcomes.compute(hand)
    funder = Policy("funder", 5)
    assert not funder.apply(computed["partner_safety_list"],
                            outcomes.ANALYSIS.spec("partner_safety_list")).available
    change = funder.apply(computed["outcome_change"], outcomes.ANALYSIS.spec("outcome_change"))
    assert change.values[["mean_change", "t", "p", "direction"]].isna().all().all()
    for name in ("outcome_means", "outcome_bands", "outcome_rci", "outcome_reliability"):
        shown = funder.apply(computed[name], outcomes.ANALYSIS.spec(name)).csv()
        assert "r1" not in shown.to_string()


def test_a_baseline_with_no_spread_gives_no_reliable_change_instead_of_an_error(tmp_path):
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "flat.toml").write_text(HAND_TOML.replace(
        'respondent = "participant"', 'respondent = "partner"'))
    people = [PARTICIPANTS] + [f"p{i},north,c1,self,25-34,2024-01,ongoing" for i in range(3)]
    (tmp_path / "participants.csv").write_text("\n".join(people) + "\n")
    rows = ["participant_id,wave,i01,i02,i03,i04,i05"]
    rows += [f"p{i},before,2,3,2,2,2" for i in range(3)]
    rows += [f"p{i},after,{1 + i},3,2,2,2" for i in range(3)]
    (tmp_path / "flat.csv").write_text("\n".join(rows) + "\n")
    dataset = evalkit.load(tmp_path)
    result = outcomes.compute(dataset)
    assert isinstance(result["outcome_rci"], str)
    assert isinstance(result["outcome_change"], pd.DataFrame)


def test_no_change_is_measured_when_the_baseline_wave_has_no_forms(tmp_path):
    """The spec's first wave is the baseline. With nobody answering there, change is not
    measured from the next wave instead (that would answer a different question unannounced);
    the means of the waves that have forms are still shown."""
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "hand.toml").write_text(HAND_TOML.replace(
        'waves = ["before", "after"]', 'waves = ["intake", "before", "after"]'))
    people = [PARTICIPANTS] + [f"{pid},north,c1,self,25-34,2024-01,ongoing"
                               for pid in ("r1", "r2", "r3", "r4")]
    (tmp_path / "participants.csv").write_text("\n".join(people) + "\n")
    rows = ["participant_id,wave,i01,i02,i03,i04,i05"]
    for pid, wave, answers in HAND_FORMS:
        rows.append(",".join([pid, wave, *("" if a is None else str(a) for a in answers)]))
    (tmp_path / "hand.csv").write_text("\n".join(rows) + "\n")
    result = outcomes.compute(evalkit.load(tmp_path))
    assert isinstance(result["outcome_change"], str)
    assert isinstance(result["outcome_rci"], str)
    means = result["outcome_means"]
    assert means.loc[means["scale"] == "total", "wave"].tolist() == ["before", "after"]


def test_partner_sample_size_equals_statsmodels_from_an_sd_computed_by_pandas():
    """An independent route: each scale's changes from a pandas pivot of the scored forms, the
    paired t test's sample size from statsmodels (not pingouin, which the analysis calls); the
    planned changes a twentieth, a tenth and a fifth of the range, worked out by hand (0-16 for
    the subscales, 0-32 for the total)."""
    import math

    from statsmodels.stats.power import TTestPower
    from tests.conftest import SAMPLE

    dataset = evalkit.load(SAMPLE)
    table = outcomes.compute(dataset)["outcome_sample_size"]
    forms = instrument.scored(dataset, "partner_safety")
    planned = {"behaviour": [0.8, 1.6, 3.2], "fear": [0.8, 1.6, 3.2], "total": [1.6, 3.2, 6.4]}
    expected = []
    for scale in ("behaviour", "fear", "total"):
        wide = forms.pivot(index="participant_id", columns="wave", values=scale)
        for later in ("exit", "follow_up"):
            changes = (wide[later] - wide["intake"]).dropna()
            for size in planned[scale]:
                n = TTestPower().solve_power(effect_size=size / changes.std(ddof=1), alpha=0.05,
                                             power=0.8, alternative="two-sided")
                expected.append([scale, f"{later}_vs_intake", size, len(changes),
                                 changes.std(ddof=1), math.ceil(n)])
    got = table[["scale", "comparison", "change", "pairs_observed", "sd_change", "n"]]
    assert len(got) == len(expected) == 18
    for row, want in zip(got.itertuples(index=False), expected, strict=True):
        assert list(row[:2]) == want[:2] and row[3] == want[3] and row[5] == want[5]
        assert row[2] == pytest.approx(want[2], rel=1e-12)
        assert row[4] == pytest.approx(want[4], rel=1e-12)
    spec = next(s for s in outcomes.TABLES if s.name == "outcome_sample_size")
    assert spec.shown_to == ("research", "internal") and not Policy("funder").sees(spec)


def test_partners_and_practitioners_plan_with_one_function(monkeypatch):
    """Discomfort and the outcome measures both call ``instrument.sample_size``: replace it
    and both tables change."""
    from tests.conftest import SAMPLE

    from evalkit.analyses import discomfort

    assert discomfort.sample_size is outcomes.sample_size is instrument.sample_size
    calls = []
    real = instrument.sample_size

    def spy(spec, forms, **options):
        calls.append(spec.name)
        return real(spec, forms, **options)

    monkeypatch.setattr(discomfort, "sample_size", spy)
    monkeypatch.setattr(outcomes, "sample_size", spy)
    assert discomfort.sample_size is spy and outcomes.sample_size is spy
    dataset = evalkit.load(SAMPLE)
    discomfort.compute(dataset)
    outcomes.compute(dataset)
    assert calls == ["discomfort", "partner_safety"]


def test_a_funder_sees_the_direction_only_where_the_change_is_shown(hand):
    # Three pairs: at the lowest threshold (3) a count of them is shown, but a change needs
    # twice the threshold, and "improved" is that change in words.
    change = outcomes.compute(hand)["outcome_change"]
    shown = Policy("funder", 3).apply(change, outcomes.ANALYSIS.spec("outcome_change"))
    total = shown.values["scale"] == "total"
    assert shown.text.loc[total, "n"].tolist() == ["≈5"]
    assert shown.values.loc[total, ["mean_change", "direction"]].isna().all().all()
