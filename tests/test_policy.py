"""The funder policy, rule by rule, from hand-worked expectations (both sides of every boundary).

Every expected value below is worked out by hand from the rule in the policy's docstring, not
taken from the code's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.analyses.tables import Col, TableSpec, metric_frame
from evalkit.errors import UsageError
from evalkit.publish import policy as policy_module
from evalkit.publish.policy import OMITTED, SHOWN, SMALL, UNDEFINED, WITHHELD, Policy, round_count

FUNDER = Policy("funder", 5)
INTERNAL = Policy("internal", 5)


def _form(col: Col) -> str:
    """The funder form a test column gets when a test does not say (none for the kinds that
    never reach a funder)."""
    if col.kind in ("size", "p_value", "modal", "id"):
        return ""
    if col.kind == "people":
        return "rounded"
    if col.kind == "share" or col.format == "percent" and not col.follows:
        return "percent"
    if col.kind == "statistic":
        if col.follows:
            return "interval"
        return "quantile" if col.needs > 1 else "mean"
    return "shown"


def _spec(*columns: Col, **options) -> TableSpec:
    """A test table whose columns reach a funder in the form of their kind (``_form``)."""
    spec = TableSpec("demo", "Demo", columns, **options)
    if spec.internal:
        return spec
    if spec.metrics:  # metric, value and the interval are a metric table's frame
        forms = {c.name: "interval" for c in columns if c.name in ("ci_low", "ci_high")}
        forms |= {m.name: _form(m) for m in spec.metrics if _form(m)}
    else:
        forms = {c.name: _form(c) for c in columns if _form(c) and not c.funder}
    return spec.for_funder(**forms)


# --- rounding and small counts ------------------------------------------------------------------


@pytest.mark.parametrize(("count", "shown"), [
    (5, 5), (6, 5), (7, 5), (8, 10), (12, 10), (13, 15), (17, 15), (18, 20), (130, 130),
    (3052, 3050), (1927, 1925), (1928, 1930),
])
def test_counts_round_to_the_nearest_five(count, shown):
    assert round_count(count) == shown


@pytest.mark.parametrize(("count", "text", "status"), [
    (0, "<5", SMALL), (1, "<5", SMALL), (4, "<5", SMALL),  # below the threshold, zero too
    (5, "5", SHOWN), (7, "5", SHOWN), (8, "10", SHOWN),     # at the threshold: shown, rounded
])
def test_people_counts_below_min_cell_are_hidden_and_others_rounded(count, text, status):
    spec = _spec(Col("group", "label", "g"), Col("n", "people", "people"))
    shown = FUNDER.apply(pd.DataFrame({"group": ["a"], "n": [count]}), spec)
    # A rounded count reads "about": ≈5.
    assert shown.text["n"].iloc[0] == (text if status == SMALL else f"≈{text}")
    assert shown.status["n"].iloc[0] == status
    assert shown.csv()["n"].iloc[0] == (text if status == SMALL else int(text))


def test_internal_audience_sees_exact_counts_and_full_precision():
    spec = _spec(Col("n", "people", "people"), Col("m", "statistic", "mean", rests_on=("n",)))
    frame = pd.DataFrame({"n": [3], "m": [2.123456]})
    shown = INTERNAL.apply(frame, spec)
    assert shown.csv()["n"].iloc[0] == 3
    assert shown.csv()["m"].iloc[0] == 2.123456


def test_a_count_describing_a_small_group_is_withheld():
    # One person's 24 sessions, 13 attended: rounded to 25 and 15 they would still tell that
    # person's attendance.
    spec = _spec(Col("participants", "people", "p"),
                 Col("scheduled", "people", "s", rests_on=("participants",)),
                 Col("attended", "people", "a", rests_on=("participants",)))
    shown = FUNDER.apply(pd.DataFrame({"participants": [1, 5], "scheduled": [24, 120],
                                       "attended": [13, 61]}), spec)
    assert shown.status.loc[0].tolist() == [SMALL, WITHHELD, WITHHELD]
    assert shown.text.loc[1].tolist() == ["≈5", "≈120", "≈60"]


# --- shares ---------------------------------------------------------------------------------------

SHARE = _spec(Col("part", "people", "part"), Col("whole", "people", "whole"),
              Col("share", "share", "share", part="part", whole="whole"),
              Col("ci_low", "statistic", "low", follows="share", fmt="percent"))


@pytest.mark.parametrize(("part", "whole", "text"), [
    (4, 40, None),      # part below 5
    (5, 40, "12%"),     # part at 5: ≈5 of ≈40, 12.5% (to the even hundredth, 0.12)
    (36, 40, None),     # the rest (4) below 5
    (35, 40, "88%"),    # the rest at 5: ≈35 of ≈40, 87.5%
    (0, 40, None),      # nobody: a share of 0% reveals that nobody did it
    (40, 40, None),     # everybody: 100% reveals that everybody did
    (5, 10, None),      # part and rest 5, but a whole of ≈10 is too small for any step
    (11, 22, None),     # ≈20: as few as 18, and a quarter of 18 is under 5 people
    (6, 23, "20%"),     # ≈5 of ≈25: the share of the rounded counts shown, not 6/23 (26%)
    (160, 350, "46%"),  # ≈160 of ≈350, 45.7%
    (301, 600, "50%"),  # ≈300 of ≈600
])
def test_share_is_withheld_when_its_part_or_the_rest_is_small(part, whole, text):
    frame = pd.DataFrame({"part": [part], "whole": [whole], "share": [part / whole],
                          "ci_low": [0.1]})
    shown = FUNDER.apply(frame, SHARE)
    status = WITHHELD if text is None else SHOWN
    assert shown.status["share"].iloc[0] == status
    # The interval bound follows its share: never shown for a withheld share.
    assert shown.status["ci_low"].iloc[0] == status
    if text is not None:
        assert shown.text["share"].iloc[0] == text


@pytest.mark.parametrize(("whole", "step"), [
    (22, None), (23, 0.25), (27, 0.25), (28, 0.20), (52, 0.20), (53, 0.10), (102, 0.10),
    (103, 0.05), (252, 0.05), (253, 0.02), (502, 0.02), (503, 0.01), (10_000, 0.01)])
def test_a_share_moves_in_steps_of_at_least_five_people_of_its_rounded_whole(whole, step):
    """Worked by hand: ≈100 (98 at the least) in steps of 5 points would be 4.9 people a step,
    so it takes steps of 10; ≈105 (103) takes 5 points (5.15 people)."""
    got = policy_module.share_step(whole)
    assert (np.isnan(got) if step is None else got == step)


def test_no_shown_share_narrows_its_part_below_a_rounded_count():
    """The outsider's route: a whole percent of a small whole beside its rounded count (≈20 is
    18 to 22) pinned the part. Every share a funder could be shown of every whole up to 400,
    with the rounded whole beside it, still leaves at least 5 parts it could stand for."""
    rows = [(k, w) for w in range(1, 401) for k in range(w + 1)]
    frame = pd.DataFrame(rows, columns=["part", "whole"])
    frame["share"] = frame["part"] / frame["whole"]
    frame["ci_low"] = 0.0
    shown = FUNDER.apply(frame, SHARE)
    seen = frame.assign(rounded=shown.text["whole"], share=shown.text["share"])[
        shown.status["share"] == SHOWN]
    assert len(seen) > 50_000
    groups = seen.assign(rest=seen["whole"] - seen["part"]).groupby(["rounded", "share"])
    parts = groups["part"].nunique()
    # Where the group holds the smallest part (or rest) ever shown, 5, the share is next to
    # the share rule's edge: there the rounded count itself (≈5: 5, 6 or 7, since fewer than
    # 5 read <5) leaves 3.
    edge = (groups["part"].min() == 5) | (groups["rest"].min() == 5)
    assert parts[~edge].min() >= 5, parts[~edge & (parts < 5)].head()
    assert parts[edge].min() >= 3, parts[edge & (parts < 3)].head()


def test_shares_and_statistics_keep_only_the_precision_shown():
    # A full-precision rate times a rounded denominator can give an exact hidden count back.
    spec = _spec(Col("part", "people", "p"), Col("whole", "people", "w"),
                 Col("share", "share", "s", part="part", whole="whole"),
                 Col("mean", "statistic", "m", rests_on=("whole",), decimals=1),
                 Col("p", "p_value", "p", rests_on=("whole",)))
    frame = pd.DataFrame({"part": [1927], "whole": [3052], "share": [1927 / 3052],
                          "mean": [3.14159], "p": [0.0123456]})
    csv = FUNDER.apply(frame, spec).csv().iloc[0]
    assert csv["share"] == 0.63
    assert csv["mean"] == 3.1
    assert "p" not in csv  # no p-value reaches a funder


# --- statistics -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "status"), [(4, WITHHELD), (9, WITHHELD), (10, SHOWN)])
def test_funder_means_need_twice_min_cell_people_and_p_values_never_show(n, status):
    spec = _spec(Col("n", "people", "n"), Col("mean", "statistic", "m", rests_on=("n",)),
                 Col("p", "p_value", "p", rests_on=("n",)))
    shown = FUNDER.apply(pd.DataFrame({"n": [n], "mean": [2.5], "p": [0.04]}), spec)
    assert shown.status["mean"].iloc[0] == status
    assert shown.status["p"].iloc[0] == OMITTED and "p" not in shown.csv()
    assert INTERNAL.apply(pd.DataFrame({"n": [n], "mean": [2.5], "p": [0.04]}),
                          spec).csv()["p"].iloc[0] == 0.04


def test_a_comparison_is_withheld_when_its_smallest_group_is_small():
    spec = _spec(Col("n", "people", "all"), Col("smallest_group", "people", "smallest"),
                 Col("difference", "statistic", "d", rests_on=("smallest_group",)))
    shown = FUNDER.apply(pd.DataFrame({"n": [40, 40], "smallest_group": [9, 10],
                                       "difference": [2.0, 2.0]}), spec)
    assert shown.status["difference"].tolist() == [WITHHELD, SHOWN]


def test_undefined_values_say_so_and_are_not_called_withheld():
    spec = _spec(Col("n", "people", "n"), Col("t", "statistic", "t", rests_on=("n",)))
    shown = FUNDER.apply(pd.DataFrame({"n": [30], "t": [np.nan]}), spec)
    assert shown.status["t"].iloc[0] == UNDEFINED
    assert shown.text["t"].iloc[0] == "n/a"


# --- whole tables ---------------------------------------------------------------------------------


def test_tables_of_single_people_are_internal_only():
    spec = _spec(Col("participant_id", "id", "id"), Col("weeks", "count", "weeks"), internal=True)
    frame = pd.DataFrame({"participant_id": ["p1"], "weeks": [3]})
    assert not FUNDER.apply(frame, spec).available
    assert FUNDER.apply(frame, spec).csv().empty
    assert INTERNAL.apply(frame, spec).available


def test_a_table_with_an_id_column_must_be_declared_internal():
    with pytest.raises(ValueError, match="internal"):
        _spec(Col("participant_id", "id", "id"))


@pytest.mark.parametrize(("processes", "available"), [(4, False), (5, True)])
def test_analyses_of_few_processes_are_not_shown(processes, available):
    spec = _spec(Col("outcome", "label", "o"), Col("processes", "people", "p"),
                 needs_at_least="processes")
    frame = pd.DataFrame({"outcome": ["met"], "processes": [processes]})
    assert FUNDER.apply(frame, spec).available is available


def test_a_frame_that_differs_from_its_declaration_is_refused():
    spec = _spec(Col("n", "people", "n"))
    with pytest.raises(ValueError, match="declared"):
        FUNDER.apply(pd.DataFrame({"n": [5], "extra": [1]}), spec)


@pytest.mark.parametrize("bad", [2, 1, 0, -5, 2.5, True, "5"])
def test_min_cell_below_three_or_not_a_whole_number_is_refused(bad):
    with pytest.raises(UsageError):
        Policy("funder", bad)


def test_three_is_the_smallest_min_cell_accepted():
    spec = _spec(Col("n", "people", "n"))
    shown = Policy("funder", 3).apply(pd.DataFrame({"n": [2, 3]}), spec)
    assert shown.text["n"].tolist() == ["<3", "≈5"]


# --- metric tables --------------------------------------------------------------------------------

METRICS = TableSpec(
    "metrics", "Metrics",
    (Col("metric", "label", "m"), Col("value", "statistic", "v"),
     Col("ci_low", "statistic", "l"), Col("ci_high", "statistic", "h")),
    metrics=(Col("people", "people", "p"), Col("done", "people", "d"),
             Col("done_rate", "share", "r", part="done", whole="people"))).for_funder(
    ci_low="interval", ci_high="interval", people="rounded", done="rounded",
    done_rate="percent")


@pytest.mark.parametrize(("done", "rate_status"), [(2, WITHHELD), (5, SHOWN), (26, WITHHELD)])
def test_metric_tables_police_each_metric_by_its_own_kind(done, rate_status):
    frame = metric_frame({"people": 30, "done": done, "done_rate": done / 30},
                         intervals={"done_rate": (0.1, 0.9)}, with_interval=True)
    shown = FUNDER.apply(frame, METRICS)
    assert shown.text["value"].tolist()[0] == "≈30"
    assert shown.status["value"].tolist()[2] == rate_status
    assert shown.status["ci_low"].tolist()[2] == (WITHHELD if rate_status == WITHHELD
                                                   else SHOWN)


# --- figures for sentences ------------------------------------------------------------------------


def test_figures_format_as_the_page_shows_and_never_finer():
    spec = _spec(Col("group", "label", "g"), Col("n", "people", "n"),
                 Col("mean", "statistic", "m", rests_on=("n",)))
    shown = FUNDER.apply(pd.DataFrame({"group": ["a", "b"], "n": [3, 23],
                                       "mean": [2.0, 3.14159]}), spec)
    small = shown.figure("n", group="a")
    assert f"{small}" == "<5" and f"{small:,.0f}" == "<5"
    assert f"{shown.figure('mean', group='a'):.2f}" == "withheld"
    assert f"{shown.figure('n', group='b'):.0f}" == "≈25"
    assert f"{shown.figure('mean', group='b'):.4f}" == "3.1000"  # a funder mean: one decimal


def test_notes_carrying_a_count_are_withheld_from_a_funder():
    spec = _spec(Col("term", "label", "t"), Col("note", "text", "n"))
    frame = pd.DataFrame({"term": ["a", "b", "c"],
                          "note": ["role: supervisor (2 rows) dropped", "merged", None]})
    shown = FUNDER.apply(frame, spec)
    assert shown.status["note"].tolist() == [WITHHELD, SHOWN, UNDEFINED]
    assert INTERNAL.apply(frame, spec).status["note"].tolist()[0] == SHOWN


def test_a_label_that_is_a_finding_is_withheld_with_its_statistics():
    spec = _spec(Col("n", "people", "n"),
                 Col("direction", "label", "improved or not", rests_on=("n",)))
    shown = FUNDER.apply(pd.DataFrame({"n": [1, 8], "direction": ["improved", "worsened"]}), spec)
    assert shown.status["direction"].tolist() == [WITHHELD, SHOWN]


# --- figures that give n away, complementary shares, percentiles, notes in words ---------------


def test_a_size_column_is_exact_inside_and_never_shown_to_a_funder():
    """Degrees of freedom next to a rounded n would undo the rounding: n = df + 1."""
    spec = _spec(Col("n", "people", "pairs"), Col("df", "size", "degrees of freedom"))
    frame = pd.DataFrame({"n": [24, 30], "df": [23.0, 29.0]})
    funder = FUNDER.apply(frame, spec)
    assert funder.status["df"].tolist() == [OMITTED, OMITTED]
    assert funder.values["df"].isna().all() and "df" not in funder.csv()
    assert INTERNAL.apply(frame, spec).values["df"].tolist() == [23.0, 29.0]
    from evalkit.publish.render import table_html
    assert "degrees of freedom" not in table_html(funder) and ">df<" not in table_html(funder)
    assert ">df<" in table_html(INTERNAL.apply(frame, spec))


BANDS = _spec(Col("wave", "label", "wave"), Col("band", "label", "band"),
              Col("n", "people", "in the band"), Col("scored", "people", "scored"),
              Col("share", "share", "share", part="n", whole="scored", split_by=("wave",)),
              Col("ci_low", "statistic", "low", follows="share"))


def _bands(wave_a, wave_b):
    rows = [("a", f"b{i}", n, sum(wave_a)) for i, n in enumerate(wave_a)]
    rows += [("b", f"b{i}", n, sum(wave_b)) for i, n in enumerate(wave_b)]
    frame = pd.DataFrame(rows, columns=["wave", "band", "n", "scored"])
    frame["share"] = frame["n"] / frame["scored"]
    frame["ci_low"] = frame["share"] / 2
    return frame


def test_one_small_band_withholds_every_share_of_its_wave_only():
    """Wave a: 6, 13, 13, 3 of 35. With three shares shown, the fourth is one minus their sum
    (3/35), so all four go; wave b (10, 10, 10, 10) is untouched."""
    shown = FUNDER.apply(_bands([6, 13, 13, 3], [10, 10, 10, 10]), BANDS)
    a, b = shown.status[shown.values["wave"] == "a"], shown.status[shown.values["wave"] == "b"]
    assert a["share"].tolist() == [WITHHELD] * 4
    assert a["ci_low"].tolist() == [WITHHELD] * 4  # bounds follow their share
    assert a["n"].tolist() == [SHOWN, SHOWN, SHOWN, SMALL]  # counts stay, rounded
    assert b["share"].tolist() == [SHOWN] * 4
    # an empty band (zero) is as small as any other
    zero = FUNDER.apply(_bands([20, 15, 0], [10, 10, 10]), BANDS)
    assert zero.status.loc[zero.values["wave"] == "a", "share"].tolist() == [WITHHELD] * 3


def test_no_shown_shares_of_a_split_add_up_to_less_than_the_whole():
    """The attack itself: in every split, either every share is shown (and they add to 1) or
    none is, so no hidden share is one minus the shown ones."""
    rng = np.random.default_rng(11)
    for _ in range(200):
        frame = _bands(list(rng.integers(0, 12, 4)), list(rng.integers(0, 12, 3)))
        frame = frame[frame["scored"] > 0]
        shown = FUNDER.apply(frame.reset_index(drop=True), BANDS)
        for _, part in shown.status.groupby(shown.values["wave"]):
            assert part["share"].isin([SHOWN]).all() or not (part["share"] == SHOWN).any()


def test_a_whole_table_split_is_one_split():
    spec = _spec(Col("outcome", "label", "outcome"), Col("n", "people", "n"),
                 Col("total", "people", "all"),
                 Col("share", "share", "share", part="n", whole="total", split_by=()))
    frame = pd.DataFrame({"outcome": ["met", "refused", "outstanding"], "n": [20, 2, 8],
                          "total": [30, 30, 30]})
    frame["share"] = frame["n"] / frame["total"]
    assert FUNDER.apply(frame, spec).status["share"].tolist() == [WITHHELD] * 3
    assert INTERNAL.apply(frame, spec).status["share"].tolist() == [SHOWN] * 3


def test_split_by_only_on_shares_and_needs_only_with_a_base():
    with pytest.raises(ValueError, match="only a share"):
        Col("n", "people", "n", split_by=("wave",))
    with pytest.raises(ValueError, match="rests_on"):
        Col("median", "statistic", "median", needs=2)


@pytest.mark.parametrize(("n", "needs", "status"), [
    (9, 2, WITHHELD), (10, 2, SHOWN),     # a median needs twice the threshold
    (19, 4, WITHHELD), (20, 4, SHOWN),    # a 10th percentile four times
    (9, 1, WITHHELD), (10, 1, SHOWN),     # a funder mean twice as well
])
def test_percentiles_need_larger_groups_than_means(n, needs, status):
    spec = _spec(Col("n", "people", "n"),
                 Col("value", "statistic", "value", rests_on=("n",), needs=needs))
    shown = FUNDER.apply(pd.DataFrame({"n": [n], "value": [30.0]}), spec)
    assert shown.status["value"].tolist() == [status]


@pytest.mark.parametrize(("note", "status"), [
    ("fewer than two items or three complete answer sets", WITHHELD),
    ("a single form at the baseline", WITHHELD),
    ("both waves blank", WITHHELD),
    ("none of the groups could be compared", WITHHELD),
    ("Fewer than 3 pairs", WITHHELD),
    ("the scores do not vary", SHOWN),
    ("someone else's groups were merged", SHOWN),  # "one" inside a word is not a number
])
def test_notes_with_numbers_in_words_are_withheld(note, status):
    spec = _spec(Col("note", "text", "note"))
    assert FUNDER.apply(pd.DataFrame({"note": [note]}), spec).status["note"].tolist() == [status]


def test_a_table_where_only_some_rows_reach_needs_at_least_is_withheld():
    spec = _spec(Col("site", "label", "site"), Col("processes", "people", "processes"),
                 unit="processes", needs_at_least="processes")
    frame = pd.DataFrame({"site": ["north", "south"], "processes": [12, 4]})
    assert not FUNDER.apply(frame, spec).available
    assert FUNDER.apply(frame.assign(processes=[12, 5]), spec).available


def test_an_interval_follows_an_estimate_hidden_because_its_count_is_small():
    spec = _spec(Col("n", "people", "n"), Col("whole", "people", "all"),
                 Col("share", "share", "share", part="n", whole="whole"),
                 Col("ci_low", "statistic", "low", follows="share"))
    frame = pd.DataFrame({"n": [3, 10], "whole": [40, 40], "share": [3 / 40, 10 / 40],
                          "ci_low": [0.02, 0.15]})
    shown = FUNDER.apply(frame, spec)
    assert shown.status["ci_low"].tolist() == [WITHHELD, SHOWN]


# The Wilson interval of the rounded counts, worked by hand (centre (p + z²/2n) / (1 + z²/n),
# half-width z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)), then outwards to 5 points: 15 of 35 is
# 0.2798 to 0.5914, 160 of 350 0.4057 to 0.5095. The exact interval given is never used.
@pytest.mark.parametrize(("n", "whole", "low", "high", "shown"), [
    (160, 350, 0.301, 0.619, (0.40, 0.55)),
    (159, 352, 0.001, 0.999, (0.40, 0.55)),   # ≈160 of ≈350 too: the same interval
    (16, 35, 0.301, 0.619, (0.25, 0.60)),     # ≈15 of ≈35
])
def test_share_intervals_are_widened_to_five_points_for_a_funder(n, whole, low, high, shown):
    """46% with 30% to 62% fits only 16 of 35: exact bounds would give the counts away, so a
    funder's interval is the Wilson interval of the rounded counts shown beside it."""
    spec = _spec(Col("n", "people", "n"), Col("whole", "people", "all"),
                 Col("share", "share", "share", part="n", whole="whole"),
                 Col("ci_low", "statistic", "low", follows="share", fmt="percent"),
                 Col("ci_high", "statistic", "high", follows="share", fmt="percent"))
    frame = pd.DataFrame({"n": [n], "whole": [whole], "share": [n / whole], "ci_low": [low],
                          "ci_high": [high]})
    funder = FUNDER.apply(frame, spec)
    assert (funder.values["ci_low"].iloc[0], funder.values["ci_high"].iloc[0]) == \
        pytest.approx(shown)
    assert INTERNAL.apply(frame, spec).values["ci_low"].iloc[0] == low


def test_metric_share_intervals_are_widened_too():
    spec = _spec(Col("metric", "label", "m"), Col("value", "statistic", "v"),
                 Col("ci_low", "statistic", "l"), Col("ci_high", "statistic", "h"),
                 metrics=(Col("part", "people", "p"), Col("whole", "people", "w"),
                          Col("rate", "share", "r", part="part", whole="whole")))
    frame = metric_frame({"part": 160, "whole": 350, "rate": 160 / 350},
                         intervals={"rate": (0.301, 0.619)}, with_interval=True)
    shown = FUNDER.apply(frame, spec)
    row = shown.values.set_index("metric").loc["rate"]
    # the Wilson interval of ≈160 of ≈350 (see above), not the exact one given
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.40, 0.55))
    assert row["value"] == pytest.approx(0.46)  # ≈160 of ≈350
    small = FUNDER.apply(metric_frame({"part": 16, "whole": 35, "rate": 16 / 35},
                                      intervals={"rate": (0.301, 0.619)}, with_interval=True),
                         spec).values.set_index("metric").loc["rate"]
    # ≈15 of ≈35: 43%, and the Wilson interval of 15 of 35 (see above)
    assert (small["value"], small["ci_low"], small["ci_high"]) == pytest.approx((0.43, 0.25, 0.6))


@pytest.mark.parametrize("p", [0.000437, 0.0012, 0.01249])
def test_no_p_value_reaches_a_funder_and_research_gets_it_exactly(p):
    spec = _spec(Col("n", "people", "n"), Col("p", "p_value", "p", rests_on=("n",)))
    shown = FUNDER.apply(pd.DataFrame({"n": [30], "p": [p]}), spec)
    assert list(shown.csv().columns) == ["n"] and shown.figure("p").status == OMITTED
    research = Policy("research", 5).apply(pd.DataFrame({"n": [30], "p": [p]}), spec)
    assert research.csv()["p"].iloc[0] == p


# --- the funder allow-list and attribute disclosure ----------------------------------------------


def test_a_column_without_a_funder_form_never_reaches_a_funder():
    """An allow-list: the SD is declared like any statistic but not for funders, so it is in
    no funder value, text, CSV or figure, while the research audience gets it exactly."""
    spec = TableSpec("demo", "Demo", (
        Col("n", "people", "n"), Col("mean", "statistic", "m", rests_on=("n",)),
        Col("sd", "statistic", "SD", rests_on=("n",)))).for_funder(n="rounded", mean="mean")
    frame = pd.DataFrame({"n": [40], "mean": [3.14159], "sd": [0.5]})
    funder = FUNDER.apply(frame, spec)
    assert funder.columns == ("n", "mean") and list(funder.csv().columns) == ["n", "mean"]
    assert funder.values["sd"].isna().all() and funder.text["sd"].tolist() == [""]
    assert funder.figure("sd").status == OMITTED
    assert Policy("research", 5).apply(frame, spec).csv()["sd"].iloc[0] == 0.5
    with pytest.raises(ValueError, match="cannot be shown to a funder"):
        Col("df", "size", "degrees of freedom", funder="shown")
    with pytest.raises(ValueError, match="no column or metric"):
        spec.for_funder(t="mean")


def test_a_table_with_no_funder_column_is_not_in_a_funder_report():
    spec = TableSpec("tests", "Tests", (Col("n", "people", "n"),
                                        Col("t", "statistic", "t", rests_on=("n",))))
    assert spec.shown_to == ("research", "internal")
    shown = FUNDER.apply(pd.DataFrame({"n": [40], "t": [2.5]}), spec)
    assert not shown.available and "research report" in shown.note


AT_MODE = TableSpec("demo", "Demo", (
    Col("n", "people", "n"), Col("mean", "statistic", "m", rests_on=("n",), modal="at_mode"),
    Col("median", "statistic", "median", rests_on=("n",), needs=2, modal="at_mode"),
    Col("ci_low", "statistic", "low", rests_on=("n",), follows="mean"),
    Col("at_mode", "modal", "people at the most common value"))).for_funder(
    n="rounded", mean="mean", median="quantile", ci_low="interval")


@pytest.mark.parametrize(("n", "at_mode", "status"), [
    (20, 20, WITHHELD),  # everyone at one value (an SD of 0): everyone's score
    (20, 16, WITHHELD),  # all but 4: the 4 others are nearly pinned down too
    (20, 15, SHOWN),     # 5 differ from the most common value
])
def test_a_mean_or_percentile_where_all_but_a_few_share_one_value_is_withheld(n, at_mode,
                                                                             status):
    frame = pd.DataFrame({"n": [n], "mean": [85.0], "median": [85.0], "ci_low": [84.0],
                          "at_mode": [at_mode]})
    shown = FUNDER.apply(frame, AT_MODE)
    assert shown.status.loc[0, ["mean", "median", "ci_low"]].tolist() == [status] * 3
    assert "at_mode" not in shown.csv()
    assert INTERNAL.apply(frame, AT_MODE).status.loc[0, "mean"] == SHOWN


def test_withheld_and_not_available_do_not_tell_one_person_from_four():
    """With one person a spread cannot be computed (n/a), with two to four it can (but is
    withheld): a funder must see the same dash for both."""
    spec = _spec(Col("n", "people", "n"), Col("mean", "statistic", "m", rests_on=("n",)))
    shown = FUNDER.apply(pd.DataFrame({"n": [1, 3, 12], "mean": [np.nan, 2.0, np.nan]}), spec)
    assert shown.text["mean"].tolist() == ["\u2014", "\u2014", "n/a"]


def test_shown_shares_of_a_split_add_up_to_100():
    """33.3% three times reads 33%, 33%, 33% (99%); the largest remainders get the missing
    point so the shown shares add up to what a reader expects."""
    spec = _spec(Col("band", "label", "b"), Col("n", "people", "n"),
                 Col("scored", "people", "all"),
                 Col("share", "share", "s", part="n", whole="scored", split_by=()))
    frame = pd.DataFrame({"band": ["a", "b", "c"], "n": [200, 200, 200], "scored": [600] * 3})
    frame["share"] = frame["n"] / frame["scored"]
    values = FUNDER.apply(frame, spec).values["share"]
    assert round(values.sum(), 6) == 1.0 and sorted(values) == [0.33, 0.33, 0.34]
    # 160/350 45.7, 130/350 37.1, 60/350 17.1: floors 45 + 37 + 17 = 99, the point goes to 45.7
    frame = pd.DataFrame({"band": ["a", "b", "c"], "n": [160, 130, 60], "scored": [350] * 3})
    frame["share"] = frame["n"] / frame["scored"]
    assert FUNDER.apply(frame, spec).values["share"].tolist() == [0.46, 0.37, 0.17]
    # 16, 13 and 6 read ≈15, ≈15 and ≈5: the shares are of those, 42.86, 42.86 and 14.29,
    # whose floors (42 + 42 + 14) leave two points for the two largest remainders.
    frame = pd.DataFrame({"band": ["a", "b", "c"], "n": [16, 13, 6], "scored": [35] * 3})
    frame["share"] = frame["n"] / frame["scored"]
    assert FUNDER.apply(frame, spec).values["share"].tolist() == [0.43, 0.43, 0.14]


def test_a_split_with_more_parts_than_its_whole_has_steps_is_withheld():
    """Five parts of 5 of 25, in the 25-point steps of a share of things: one would read 0%.
    (Shares of people are of their rounded counts and read 20% each.)"""
    spec = _spec(Col("band", "label", "b"), Col("n", "count", "n"),
                 Col("scored", "count", "all"),
                 Col("share", "share", "s", part="n", whole="scored", split_by=()))
    frame = pd.DataFrame({"band": list("abcde"), "n": [5] * 5, "scored": [25] * 5})
    frame["share"] = frame["n"] / frame["scored"]
    shown = FUNDER.apply(frame, spec)
    assert shown.status["share"].eq(WITHHELD).all() and shown.values["share"].isna().all()
    people = _spec(Col("band", "label", "b"), Col("n", "people", "n"),
                   Col("scored", "people", "all"),
                   Col("share", "share", "s", part="n", whole="scored", split_by=()))
    assert FUNDER.apply(frame, people).text["share"].tolist() == ["20%"] * 5


def test_a_funder_row_of_people_is_a_function_of_its_rounded_counts():
    """The outsider's decoder: a row's share and interval, beside its rounded counts, left
    one part and whole that fitted (≈60 of ≈130 at 50%, 35% to 60%: 61 or 62 of 130). Now
    every pair of counts with the same rounded part and whole gives the same row, so a row
    says nothing the rounded counts do not."""
    rows = [(k, w) for w in range(20, 301) for k in range(w + 1)]
    frame = pd.DataFrame(rows, columns=["part", "whole"])
    frame["share"] = frame["part"] / frame["whole"]
    frame["ci_low"], frame["ci_high"] = frame["share"] - 0.1, frame["share"] + 0.1
    spec = _spec(Col("part", "people", "part"), Col("whole", "people", "whole"),
                 Col("share", "share", "share", part="part", whole="whole"),
                 Col("ci_low", "statistic", "low", follows="share", fmt="percent"),
                 Col("ci_high", "statistic", "high", follows="share", fmt="percent"))
    shown = FUNDER.apply(frame, spec)
    seen = shown.text[shown.status["share"] == SHOWN]
    assert len(seen) > 20_000
    per_counts = seen.groupby(["part", "whole"])[["share", "ci_low", "ci_high"]].nunique()
    assert (per_counts == 1).all().all()


def test_a_change_reads_in_words_with_its_interval_rounded_outwards():
    spec = _spec(Col("n", "people", "n"),
                 Col("mean_change", "statistic", "change", rests_on=("n",), fmt="signed"),
                 Col("ci_low", "statistic", "low", follows="mean_change", fmt="signed"),
                 Col("ci_high", "statistic", "high", follows="mean_change", fmt="signed")
                 ).for_funder(mean_change="change")
    frame = pd.DataFrame({"n": [30, 30], "mean_change": [-0.4321, 0.004],
                          "ci_low": [-0.7123, -0.21], "ci_high": [-0.1567, 0.22]})
    shown = FUNDER.apply(frame, spec)
    assert shown.text["mean_change"].tolist() == ["fell by about 0.4", "about the same"]
    assert shown.values.loc[0, ["ci_low", "ci_high"]].tolist() == [-0.8, -0.1]  # outwards
    assert shown.text.loc[1, "ci_low"] == "-0.3" and shown.text.loc[1, "ci_high"] == "+0.3"


def test_scores_that_add_up_go_together_within_their_group_even_with_a_blank_key():
    spec = TableSpec("t", "T", (
        Col("scale", "label", "scale", funder="shown"), Col("wave", "label", "wave", funder="shown"),
        Col("n", "people", "people", funder="rounded"),
        Col("mean", "statistic", "mean", rests_on=("n",), funder="mean")),
        adds_up_by=("scale", "wave"))
    frame = pd.DataFrame({"scale": ["a", "a", "b", "b"], "wave": [None, None, "x", "x"],
                          "n": [20, 3, 20, 20], "mean": [1.0, 2.0, 3.0, 4.0]})
    status = Policy("funder").apply(frame, spec).status["mean"].tolist()
    # Row 1 rests on 3 people: its group (a blank wave) goes with it; group b is shown.
    assert status == [WITHHELD, WITHHELD, SHOWN, SHOWN]
    frame["n"] = 20
    assert Policy("funder").apply(frame, spec).status["mean"].tolist() == [SHOWN] * 4


def test_a_metric_table_cannot_declare_scores_that_add_up():
    with pytest.raises(ValueError, match="adds_up_by"):
        TableSpec("t", "T", (Col("metric", "label", "m"), Col("value", "statistic", "v")),
                  metrics=(Col("people", "people", "people"),), adds_up_by=("metric",))
