"""Key-figure cards say no more than the tables beside them: one policy decides both.

A card shows a share of a split (partners by reliable change, practitioners by burnout band,
demands by outcome, participants by how they left). When the table of that split withholds its
shares, because one part is smaller than min-cell, the card must too: otherwise the card gives a
share the table withholds, and with the shown ones the hidden part. Each card share declares the
parts of its split (``Col(split_parts=...)``) and the policy tests every part with the one share
rule that the table's own rows pass.

Crafted folders, worked by hand:

* partners: 40 partners answer at intake and exit; 16 change from the worst answers to the best
  (reliably improved), 21 answer the same both times (no reliable change) and 3 go from the best
  to the worst (reliably worse). 3 < 5, so the table of reliable change withholds its shares;
  the card "Partners reporting reliable improvement" (16 of 40, rest 24) was shown beside it.
  With 14 the same and 10 worse (all parts and rests at least 5) both show 38%: the shares
  are of the rounded counts (≈15, ≈15, ≈10 of 40: 37.5%, 37.5%, 25%), whose floors (37, 37,
  25) leave one point for the first of the equal remainders.
* how participants left: the sample's 130 participants re-labelled 86 completed, 40 withdrew and
  4 still attending. The cards "Completed" and "Dropped out" each pass the share rule, but
  together would say how many (of about 130) did neither; the true 4 is below 5, so both are
  withheld. With 85, 40 and 5 both are shown, as shares of the rounded counts (85, 40 and 5
  of 130: 65.38%, 30.77% and 3.85%), whose floors (65, 30, 3) leave two points for the two
  largest remainders: 65% and 31%.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from tests.conftest import SAMPLE

from evalkit.publish.page import Page
from evalkit.publish.policy import SHOWN
from evalkit.publish.summary import cards

PARTICIPANTS = "participant_id,site,cohort_id,referral_route,age_band,start_month,exit_reason"
ANSWERS = "participant_id,wave,response_date,i01,i02,i03,i04,i05,i06,i07,i08"
WORST, BEST = "4,3,3,2,3,1,3,0", "0,1,0,0,1,4,0,3"  # items 6 and 8 are reversed


def _partners(folder, improved: int, same: int, worse: int):
    (folder / "instruments").mkdir(parents=True)
    shutil.copy(SAMPLE / "instruments" / "partner_safety.toml", folder / "instruments")
    n = improved + same + worse
    people = [PARTICIPANTS] + [f"p{i:02d},north,c1,self,35-44,2023-10,ongoing"
                               for i in range(1, n + 1)]
    (folder / "participants.csv").write_text("\n".join(people) + "\n")
    rows = [ANSWERS]
    for i in range(1, n + 1):
        if i <= improved:
            before, after = WORST, BEST
        elif i <= improved + same:
            before = after = f"{i % 3 + 1},2,1,{i % 2},2,2,1,2"
        else:
            before, after = BEST, WORST
        day = (i - 1) % 28 + 1
        rows += [f"p{i:02d},intake,2024-01-{day:02d},{before}",
                 f"p{i:02d},exit,2024-06-{day:02d},{after}"]
    (folder / "partner_safety.csv").write_text("\n".join(rows) + "\n")
    return folder


def _card(folder, label: str):
    found = [c for c in cards(Page(folder, audience="funder").run("key_figures"))
             if c.label == label]
    assert len(found) == 1
    return found[0]


def _rci_share(folder, audience="funder"):
    table = Page(folder, audience=audience).run("outcomes")["outcome_rci"]
    return table.where(comparison="exit_vs_intake", category="reliably_improved")


@pytest.mark.parametrize("worse, same, shown", [(3, 21, False), (10, 14, True)])
def test_a_partner_card_is_withheld_with_the_split_its_table_withholds(tmp_path, worse, same,
                                                                       shown):
    folder = _partners(tmp_path / "data", 16, same, worse)
    exact = Page(folder, audience="research").run("outcomes")["outcome_rci"]
    assert exact.values["n"].tolist() == [16, same, worse]  # the folder is as designed
    row = _rci_share(folder)
    assert (row.status["share"].iloc[0] == SHOWN) is shown
    card = _card(folder, "Partners reporting reliable improvement")
    assert card.value == ("38%" if shown else "withheld")
    assert (card.interval != "") is shown
    if shown:
        assert row.text["share"].iloc[0] == "38%"


def _leavers(folder, completed: int, withdrew: int):
    """The sample with its 130 participants' exit reasons re-labelled; the rest still attend."""
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    people = pd.read_csv(folder / "participants.csv", dtype=str, keep_default_na=False)
    assert len(people) == 130
    reasons = ["completed"] * completed + ["withdrew"] * withdrew
    people["exit_reason"] = reasons + ["ongoing"] * (len(people) - len(reasons))
    people.to_csv(folder / "participants.csv", index=False)
    return folder


@pytest.mark.parametrize("completed, ongoing, shown", [(86, 4, False), (85, 5, True)])
def test_completion_and_drop_out_are_withheld_when_the_rest_is_small(tmp_path, completed,
                                                                     ongoing, shown):
    folder = tmp_path / "data"
    folder.mkdir()
    _leavers(folder, completed, 40)
    labels = ("Completed the programme", "Dropped out")
    figures = {c.label: c for c in cards(Page(folder, audience="funder").run("key_figures"))}
    summary = Page(folder, audience="funder").run("attendance")["attendance_summary"]
    expected = {"Completed the programme": "65%", "Dropped out": "31%"}
    for label, metric in zip(labels, ("completion_rate_recorded", "dropout_rate"), strict=True):
        assert figures[label].value == (expected[label] if shown else "withheld"), label
        assert summary.figure(metric=metric).shown is shown, metric
    assert completed + 40 + ongoing == 130


def test_every_card_share_agrees_with_the_table_of_its_split():
    """On the sample: each card's share is shown exactly when its table shows it, as the same
    whole percent (the table's shares of a split add up to 100%, and so does the card's)."""
    page = Page(SAMPLE, audience="funder")
    figures = page.run("key_figures")["key_figures"]
    outcomes = page.run("outcomes")["outcome_rci"].where(comparison="exit_vs_intake",
                                                         category="reliably_improved")
    trauma = page.run("secondary_trauma")
    clinical, bands = trauma["sts_clinical"], trauma["proqol_bands"]
    latest = str(clinical.values["wave"].iloc[-1])
    burnout = bands.where(wave=latest, subscale="burnout")
    demands = page.run("accountability")["demand_outcomes"].where(outcome="met")
    summary = page.run("attendance")["attendance_summary"]
    pairs = {
        "partners_improved_share": (outcomes.status["share"].iloc[0],
                                    outcomes.values["share"].iloc[0]),
        "stss_38_share": (clinical.where(wave=latest).status["share"].iloc[0],
                          clinical.where(wave=latest).values["share"].iloc[0]),
        # The card is the moderate and high bands together: shown only with the bands' shares.
        "burnout_share": ((burnout.status["share"] == SHOWN).all() and SHOWN, None),
        "demands_met_share": (demands.status["share"].iloc[0], demands.values["share"].iloc[0]),
        "completion_rate_recorded": (summary.figure(metric="completion_rate_recorded").status,
                                     summary.figure(metric="completion_rate_recorded").value),
        "dropout_rate": (summary.figure(metric="dropout_rate").status,
                         summary.figure(metric="dropout_rate").value),
    }
    for metric, (status, value) in pairs.items():
        card = figures.figure(metric=metric)
        assert (card.status == SHOWN) == (status == SHOWN), metric
        if card.shown and value is not None:
            assert card.value == pytest.approx(value), metric
    # The sample itself: the partners' table withholds (one partner reliably worse), and so
    # does the burnout table (no practitioner in the high band); the cards follow.
    assert not figures.figure(metric="partners_improved_share").shown
    assert not figures.figure(metric="burnout_share").shown
