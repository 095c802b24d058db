"""Retention milestones: two shares shown of one group must not difference to a hidden count.

The crafted folder (worked by hand): one cohort of 30 participants at one site, 12 weekly
sessions (milestones after weeks 4, 8 and 12). 5 withdraw after week 2, ``k`` after week 6, and
the other 25 - k complete. Everyone is followed to every milestone (nobody moved away), so

* after week 4: 30 followed, 25 retained (83%), 5 have left;
* after week 8: 30 followed, 25 - k retained, 5 + k have left;
* after week 12: the same as week 8 (nobody left between).

With 83% and (25 - k) / 30 beside "about 30" followed, a reader gets 30 x (83% - share) = k
people who left between weeks 4 and 8. So the week-8 share is shown only for k >= 5: with k = 5
it is 20 / 30 = 67%; with k = 4 (21 / 30 = 70%) it is withheld. Week 12 is withheld in both:
nobody left after week 8 (0 < 5), and with k = 4 only 4 left since week 4, the last share shown.
"""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from evalkit.analyses.attendance import TABLES  # noqa: E402
from evalkit.publish import charts  # noqa: E402
from evalkit.publish.page import Page  # noqa: E402
from evalkit.publish.policy import SHOWN, WITHHELD, Policy  # noqa: E402

PARTICIPANTS = "participant_id,site,cohort_id,referral_route,age_band,start_month,exit_reason"
SESSIONS = ("session_id,cohort_id,site,programme_week,module,module_session,session_date,"
            "delivery_mode,facilitator_ids,cancelled")
WEEKS = 12
SPEC = next(s for s in TABLES if s.name == "retention_milestones")


def _retention(folder, between: int, *, early: int = 5, total: int = 30):
    folder.mkdir(parents=True)
    people, attendance, sessions = [PARTICIPANTS], ["participant_id,session_id,status"], [SESSIONS]
    start = dt.date(2024, 1, 8)
    for week in range(1, WEEKS + 1):
        sessions.append(f"c1-w{week:02d},c1,north,{week},getting_started,{week},"
                        f"{start + dt.timedelta(weeks=week - 1)},group,s01;s02,false")
    for i in range(1, total + 1):
        if i <= early:
            last, reason = 2, "withdrew"
        elif i <= early + between:
            last, reason = 6, "withdrew"
        else:
            last, reason = WEEKS, "completed"
        people.append(f"p{i:02d},north,c1,self,35-44,2024-01,{reason}")
        attendance += [f"p{i:02d},c1-w{w:02d},{'attended' if w <= last else 'absent_unnotified'}"
                       for w in range(1, WEEKS + 1)]
    for name, lines in (("participants", people), ("sessions", sessions),
                        ("attendance", attendance)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n")
    return folder


def _milestones(folder, audience="funder"):
    return Page(folder, audience=audience).run("attendance")["retention_milestones"]


# 25 and 20 of 30 still on are 83% and 67% (the rounded counts are the exact ones here).
@pytest.mark.parametrize("between, week_8", [(5, "67%"), (4, None)])
def test_consecutive_milestones_are_shown_only_min_cell_exits_apart(tmp_path, between, week_8):
    folder = _retention(tmp_path / "data", between)
    exact = _milestones(folder, "internal").where(group_by="all")
    assert exact.values["followed"].tolist() == [30, 30, 30]
    assert exact.values["retained"].tolist() == [25, 25 - between, 25 - between]
    shown = _milestones(folder).where(group_by="all")
    assert shown.text["share"].tolist() == ["83%", week_8 or "\u2014", "\u2014"]
    assert shown.status["share"].tolist() == [SHOWN, SHOWN if week_8 else WITHHELD, WITHHELD]
    # The interval and the count still on go with their share (≈20 of ≈30 would give a withheld
    # share back); the rounded count followed stays.
    assert shown.status["ci_low"].tolist() == shown.status["share"].tolist()
    assert shown.status["retained"].tolist() == shown.status["share"].tolist()
    assert shown.text["followed"].tolist() == ["\u224830"] * 3
    # Every grouping of this one-site, one-route folder is the same series, policed alike.
    for group_by in ("site", "referral_route"):
        assert _milestones(folder).where(group_by=group_by).text["share"].tolist() == \
            shown.text["share"].tolist()


def test_the_chart_draws_a_withheld_milestone_as_withheld(tmp_path):
    """Not a flat line from week 4, nor the week-4 point moved, nor a mark at 0%: a point at
    week 4 only, and a hatched strip over the whole height at weeks 8 and 12."""
    table = _milestones(_retention(tmp_path / "data", 4))
    fig, ax = plt.subplots()
    try:
        charts.retention_at_milestones(table, ax=ax)
        points = [line for line in ax.lines if line.get_marker() == "o"]
        strips = [p for p in ax.patches if p.get_hatch()]
        assert all(line.get_linestyle() in ("None", "") for line in ax.lines)  # never joined
        x, y = points[0].get_xdata(), points[0].get_ydata()
        assert list(x) == [4, 8, 12]
        assert y[0] == pytest.approx(0.83) and np.isnan(y[1]) and np.isnan(y[2])
        assert sorted(p.get_x() + p.get_width() / 2 for p in strips) == pytest.approx([8, 12])
        # from the bottom of the axes to the top: it stands at no share
        assert all(p.get_y() == 0 and p.get_height() == 1 for p in strips)
        assert "withheld (small numbers)" in [t.get_text() for t in ax.get_legend().texts]
        alt = " ".join(ax.evalkit_alt.split())
        assert "after week 4 83%, after week 8 withheld, after week 12 withheld" in alt
    finally:
        plt.close(fig)


def _frame(left: list[int], followed: list[int], group: str = "all", by: str = "all"):
    weeks = [4 * (i + 1) for i in range(len(left))]
    retained = [f - k for f, k in zip(followed, left, strict=True)]
    return pd.DataFrame({"group_by": by, "group": group, "week": weeks, "followed": followed,
                         "retained": retained, "share": np.divide(retained, followed),
                         "ci_low": 0.1, "ci_high": 0.9})


def test_the_step_is_counted_from_the_last_share_shown_not_the_last_milestone():
    """Exits by week 4, 8, 12, 16: 5, 8, 11, 12 of 40 (3 between each, then 1). Week 8 is 3 after
    week 4 (withheld); week 12 is 6 after week 4, the last shown (shown); week 16 is 1 after it."""
    shown = Policy("funder").apply(_frame([5, 8, 11, 12], [40] * 4), SPEC)
    assert shown.status["share"].tolist() == [SHOWN, WITHHELD, SHOWN, WITHHELD]
    # A share whose own rest is small stays withheld, and the next one counts from the start.
    shown = Policy("funder").apply(_frame([3, 8, 9], [40] * 3), SPEC)
    assert shown.status["share"].tolist() == [WITHHELD, SHOWN, WITHHELD]
    # min_cell 3: the same folder shows steps of 3.
    shown = Policy("funder", 3).apply(_frame([5, 8, 11, 12], [40] * 4), SPEC)
    assert shown.status["share"].tolist() == [SHOWN, SHOWN, SHOWN, WITHHELD]


def test_a_step_withheld_in_one_group_withholds_its_split_and_moves_the_others_reference():
    """Two sites of 40; exits by weeks 4, 8 and 12: north 5, 7, 12; south 5, 11, 14.
    North's week 8 is 2 after week 4 (withheld), so the split of sites at week 8 goes whole and
    south's week 8 (6 after week 4) is withheld with it. South's week 12 then counts from week 4:
    9 (shown), not 3 from its withheld week 8; north's week 12 is 7 after week 4 (shown)."""
    north = _frame([5, 7, 12], [40] * 3, "north", "site")
    south = _frame([5, 11, 14], [40] * 3, "south", "site")
    shown = Policy("funder").apply(pd.concat([north, south], ignore_index=True), SPEC)
    assert shown.status["share"].tolist() == [SHOWN, WITHHELD, SHOWN, SHOWN, WITHHELD, SHOWN]
    # South 5, 11, 13: its week 12 is 8 after week 4 (shown); north 5, 7, 9: 4 (withheld), and
    # the split at week 12 takes south's with it.
    north = _frame([5, 7, 9], [40] * 3, "north", "site")
    south = _frame([5, 11, 13], [40] * 3, "south", "site")
    shown = Policy("funder").apply(pd.concat([north, south], ignore_index=True), SPEC)
    assert shown.status["share"].tolist() == [SHOWN, WITHHELD, WITHHELD,
                                              SHOWN, WITHHELD, WITHHELD]


def test_one_site_with_every_exit_gives_no_site_share_away(tmp_path):
    """Attack: north (20 people) has all 10 exits, 5 after week 2 and 5 after week 6; south's 20
    all complete. South would read 100% at every milestone, and with everyone's share it would
    give north's away, so every site share is withheld; everyone's (40: 35 then 30 on) is shown."""
    folder = tmp_path / "data"
    folder.mkdir()
    people, attendance, sessions = [PARTICIPANTS], ["participant_id,session_id,status"], [SESSIONS]
    start = dt.date(2024, 1, 8)
    for cohort, site in (("c1", "north"), ("c2", "south")):
        for week in range(1, WEEKS + 1):
            sessions.append(f"{cohort}-w{week:02d},{cohort},{site},{week},getting_started,{week},"
                            f"{start + dt.timedelta(weeks=week - 1)},group,s01;s02,false")
    for i in range(1, 41):
        cohort, site = ("c1", "north") if i <= 20 else ("c2", "south")
        last, reason = (2, "withdrew") if i <= 5 else (6, "withdrew") if i <= 10 else (
            WEEKS, "completed")
        people.append(f"p{i:02d},{site},{cohort},self,35-44,2024-01,{reason}")
        attendance += [f"p{i:02d},{cohort}-w{w:02d},"
                       f"{'attended' if w <= last else 'absent_unnotified'}"
                       for w in range(1, WEEKS + 1)]
    for name, lines in (("participants", people), ("sessions", sessions),
                        ("attendance", attendance)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n")
    shown = _milestones(folder)
    assert shown.where(group_by="site").status["share"].eq(WITHHELD).all()
    # 35 and 30 of 40 are 87.5% (0.88 to the even hundredth) and 75%.
    assert shown.where(group_by="all").text["share"].tolist() == ["88%", "75%", "\u2014"]
