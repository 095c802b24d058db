"""The attrition flow: stages from referral to follow-up, the arrows out with their reasons, what
each audience sees, and why funders see the boxes but not the arrows (worked by enumeration).
Every expected count is worked by hand in the comments.
"""

from __future__ import annotations

import itertools

import matplotlib
import pandas as pd
import pytest
from tests.test_attendance import PARTICIPANTS, SESSIONS, _write

import evalkit
from evalkit.analyses import attrition
from evalkit.analyses._base import registry
from evalkit.analyses.tables import Col, TableSpec
from evalkit.publish import charts
from evalkit.publish.page import Page
from evalkit.publish.policy import Policy, round_count

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TOML = """
title = "Hand follow-up"
respondent = "partner"
id_column = "participant_id"
waves = ["intake", "follow_up"]
items = 2
min = 0
max = 4
score = "sum"
higher_is = "worse"
"""


@pytest.fixture
def flow_folder(tmp_path):
    """One cohort (k1): weeks 1-2 module intro, weeks 3-4 sexual_respect.

    A all four, completed, answered at follow-up       -> followed up
    B all four, completed, intake answer only          -> completed (then: not recorded)
    C weeks 1-2, withdrew, answered at follow-up       -> started (then: withdrew)
    D none, excluded                                   -> referred (then: excluded)
    E weeks 1 and 3, moved away                        -> reached (then: moved away)
    F week 1, still attending                          -> started (then: ongoing)
    G week 3 only, completed, answered at follow-up    -> followed up
    H weeks 1-2, completed (never in the module)       -> started (then: completed)
    """
    _write(tmp_path, "participants", PARTICIPANTS + "\n" + "\n".join(
        f"{pid},north,k1,self,25-34,2024-01,{reason}" for pid, reason in (
            ("A", "completed"), ("B", "completed"), ("C", "withdrew"), ("D", "excluded"),
            ("E", "moved_away"), ("F", "ongoing"), ("G", "completed"), ("H", "completed"))))
    modules = {1: ("intro", 1), 2: ("intro", 2), 3: ("sexual_respect", 1),
               4: ("sexual_respect", 2)}
    _write(tmp_path, "sessions", SESSIONS + "\n" + "\n".join(
        f"k1-{w},k1,north,{w},{m},{ms},2024-01-0{w},group,f1,false"
        for w, (m, ms) in modules.items()))
    attended = {"A": {1, 2, 3, 4}, "B": {1, 2, 3, 4}, "C": {1, 2}, "D": set(), "E": {1, 3},
                "F": {1}, "G": {3}, "H": {1, 2}}
    rows = [f"{pid},k1-{w},{'attended' if w in weeks else 'absent_notified'}"
            for pid, weeks in attended.items() for w in range(1, 5)]
    _write(tmp_path, "attendance", "participant_id,session_id,status\n" + "\n".join(rows))
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "hand.toml").write_text(TOML)
    _write(tmp_path, "hand", "participant_id,wave,i01,i02\nA,follow_up,1,1\nB,intake,2,2\n"
           "C,follow_up,1,2\nG,follow_up,0,1\nA,intake,3,3")
    return evalkit.load(tmp_path)


def test_stages_and_arrows_by_hand(flow_folder):
    flow = attrition.compute(flow_folder)["attrition_flow"]
    # referred 8; started 7 (not D); reached A, B, E, G = 4; completed A, B, G = 3;
    # followed up A, G = 2 (C answered at follow-up but did not complete).
    assert flow["stage"].tolist() == ["referred", "started", "reached_sexual_respect",
                                      "completed", "followed_up"]
    assert flow["people"].tolist() == [8, 7, 4, 3, 2]
    # Of the 3 who started but did not reach the module, F is still in the programme: not a
    # drop-out, counted apart. So 1, 2 (C, H), 1 (E), 1 (B) did not go on.
    assert flow["left"].tolist()[:4] == [1, 2, 1, 1]
    assert flow["still_in"].tolist()[:4] == [0, 1, 0, 0]
    assert pd.isna(flow["left"].iloc[4]) and pd.isna(flow["still_in"].iloc[4])


def test_reasons_by_hand(flow_folder):
    exits = attrition.compute(flow_folder)["attrition_exits"]
    # After referral D (excluded); after starting C (withdrew), H (completed, never in the
    # module); after the module E (moved away); after completing B (no follow-up answer). F,
    # still in the programme, has not left: no exit reason.
    assert list(exits.itertuples(index=False, name=None)) == [
        ("referred", "excluded", 1),
        ("started", "withdrew", 1), ("started", "completed", 1),
        ("reached_sexual_respect", "moved_away", 1),
        ("completed", "not_recorded", 1)]
    # Every arrow's reasons add up to it.
    flow = attrition.compute(flow_folder)["attrition_flow"].set_index("stage")
    assert exits.groupby("stage")["people"].sum().to_dict() == \
        flow["left"].dropna().astype(int).to_dict()


def test_no_module_and_no_instrument_leave_their_boxes_out(flow_folder, tmp_path):
    flags = attrition.stages(flow_folder, module="not_in_the_data")
    assert "reached_not_in_the_data" not in flags.columns
    (tmp_path / "instruments" / "hand.toml").unlink()
    (tmp_path / "instruments").rmdir()
    (tmp_path / "hand.csv").unlink()
    assert attrition.stages(evalkit.load(tmp_path)).columns.tolist()[-1] == "completed"


def test_the_registry_finds_it_and_compute_returns_the_declared_tables(flow_folder):
    assert registry()["attrition"] is attrition.ANALYSIS
    result = attrition.compute(flow_folder)
    assert sorted(result) == sorted(s.name for s in attrition.TABLES)
    for spec in attrition.TABLES:
        spec.check(result[spec.name])


def test_what_each_audience_sees(flow_folder):
    funder = Page(dataset=flow_folder, audience="funder").run("attrition")
    # 8 -> 10; 7 -> 5; 4, 3 and 2 are below 5.
    assert funder["attrition_flow"].text["people"].tolist() == ["≈10", "≈5", "<5", "<5", "<5"]
    assert funder["attrition_flow"].values["left"].isna().all()
    assert funder["attrition_flow"].values["still_in"].isna().all()
    assert not funder["attrition_exits"].available
    research = Page(dataset=flow_folder, audience="research").run("attrition")
    assert research["attrition_flow"].text["left"].tolist()[:4] == ["1", "2", "1", "1"]
    assert research["attrition_flow"].text["still_in"].tolist()[:4] == ["0", "1", "0", "0"]
    assert research["attrition_exits"].available


def test_the_figure_is_drawn_from_the_policed_table_only(flow_folder):
    funder = Page(dataset=flow_folder, audience="funder").run("attrition")
    fig, ax = plt.subplots()
    alt = charts.attrition_flow(funder["attrition_flow"], exits=funder["attrition_exits"],
                                ax=ax).figure.evalkit_alt
    plt.close(fig)
    assert "referred ≈10, then started ≈5, then reached sexual respect <5" in alt
    assert "did not go on:" not in alt and "not shown in this report" in alt
    internal = Page(dataset=flow_folder, audience="internal").run("attrition")
    fig, ax = plt.subplots()
    alt = charts.attrition_flow(internal["attrition_flow"], exits=internal["attrition_exits"],
                                ax=ax).figure.evalkit_alt
    plt.close(fig)
    assert ("after started, 2 did not go on (withdrew 1, completed 1) and 1 is still in the "
            "programme; after reached sexual respect, 1 did not go on (moved away 1);"
            in alt.lower())
    assert "ongoing" not in alt
    # Drawn as its own arrow and text, not among the reasons for not going on.
    texts = [t.get_text() for t in ax.texts]
    assert "still in the programme: 1" in texts
    assert "did not go on: 2\nwithdrew 1, completed 1" in texts
    with pytest.raises(TypeError):
        charts.attrition_flow(attrition.compute(flow_folder)["attrition_flow"], ax=ax)


# --- why funders see the boxes and not the arrows ---------------------------------------------------

def _reader_can_infer(shown: list[tuple[str, int] | None], arrows: bool, min_cell: int = 5):
    """Every exact nested flow (boxes b0 >= b1 >= b2) consistent with what a funder sees.

    ``shown`` holds, per box then per arrow, ("small", 0), ("shown", value) or None (withheld).
    """
    def values(cell):
        if cell is None:
            return range(0, 60)
        kind, value = cell
        if kind == "small":
            return range(0, min_cell)
        return [v for v in range(min_cell, 60) if round_count(v) == value]

    boxes = [values(c) for c in shown[:3]]
    found = []
    for b in itertools.product(*boxes):
        if not b[0] >= b[1] >= b[2]:
            continue
        if arrows and not all(b[i] - b[i + 1] in values(shown[3 + i]) for i in range(2)):
            continue
        found.append(b)
    return found


def _as_funder_sees(counts: list[int], min_cell: int = 5):
    return [("small", 0) if c < min_cell else ("shown", round_count(c)) for c in counts]


@pytest.mark.parametrize("boxes", [(28, 24, 17), (12, 8, 4), (30, 27, 23)])
def test_rounded_arrows_beside_rounded_boxes_would_give_counts_away(boxes):
    # (28, 24, 17): arrows 4 (<5) and 7 (5, meaning 5 to 7): box 2 is at least 28 - 4 and at most
    # 17 + 7, so 24, and then 28 and 17. (12, 8, 4): 8 = 4 + 4, both <5, shown 10: only 8.
    arrows = [boxes[0] - boxes[1], boxes[1] - boxes[2]]
    seen = _as_funder_sees(list(boxes) + arrows)
    with_arrows = _reader_can_infer(seen, arrows=True)
    boxes_only = _reader_can_infer(seen, arrows=False)
    pinned = [i for i in range(3) if len({b[i] for b in with_arrows}) == 1]
    if boxes != (30, 27, 23):
        assert pinned, "the example should give a count away when arrows are shown"
    assert all(len({b[i] for b in boxes_only}) > 1 for i in range(3))


def test_boxes_alone_never_narrow_a_count_to_one_value():
    # Every nested flow of three boxes up to 40 people, as the funder policy shows it.
    for boxes in itertools.combinations_with_replacement(range(40, -1, -1), 3):
        found = _reader_can_infer(_as_funder_sees(list(boxes)), arrows=False)
        assert all(len({b[i] for b in found}) > 1 for i in range(3)), boxes


def test_the_funder_policy_withholds_every_arrow():
    spec = attrition.ANALYSIS.spec("attrition_flow")
    assert spec.col("left").kind == spec.col("still_in").kind == "size"
    frame = pd.DataFrame({"stage": ["referred", "started"], "people": [130, 126],
                          "left": [4.0, float("nan")], "still_in": [0.0, float("nan")],
                          "counted": ["everyone", "attended"]})
    shown = Policy("funder").apply(frame, spec)
    assert shown.status["left"].tolist()[0] == "omitted"  # not on the funder allow-list
    # A table declaring the arrows as people counts would have rounded and shown them.
    as_people = TableSpec("flow", "Flow", (Col("stage", "label", "stage"),
                                           Col("people", "people", "in the box"),
                                           Col("left", "people", "arrow"),
                                           Col("still_in", "people", "still in"),
                                           Col("counted", "text", "who"))).for_funder(
        stage="shown", people="rounded", left="rounded", counted="shown")
    assert Policy("funder").apply(frame, as_people).status["left"].tolist()[0] == "small"
