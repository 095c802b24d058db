"""Who went how far: the attrition flow, from referral to follow-up (CONSORT/TREND style).

Stages, each a subset of the one before (``docs/methods.md``, "Attrition flow"):

- *referred*: every row of ``participants.csv`` (one row per person referred). The data hold no
  record of assessment or acceptance, so the flow has no such box;
- *started*: attended a held session (any);
- *reached <module>*: attended a held session of the module (the sexual respect
  module by default); left out when no session of it is in ``sessions.csv``;
- *completed*: recorded as having completed (``exit_reason`` ``completed``);
- *followed up*: has an answer at the last wave of an outcome measure linked to participants
  (``instruments/``); left out when there is none.

Between two stages, the people counted at the first but not the second are of two outcomes.
Those still in the programme (exit reason ``ongoing``) have not dropped out: they are counted
apart (``still_in``), not as an arrow out. The others are the arrow out (``left``), by their
recorded exit reason (a completer missing from a later stage: ``completed``; a completer with no
follow-up answer: ``not_recorded``).

Disclosure. Every stage is a count of people, rounded to 5 for funders. The arrows and those
still in the programme are not shown to funders, and the reasons are shown to researchers and the
team only. Rounded boxes and
rounded arrows cannot both be published: each arrow is exactly one box minus the next, and
independent rounding does not break that tie at its extremes. A box of 8 (shown 10: 8 to 12)
split into 4 and 4 (both shown ``<5``: 0 to 4) can only be 8 = 4 + 4. Boxes of 28, 24 and 17
(shown 30, 25 and 15) with arrows of 4 and 7 (shown ``<5`` and 5, which means 5 to 7 since 3 and
4 show as ``<5``) can only be those exact numbers: the second box is at least 28 - 4 = 24 and at
most 17 + 7 = 24. Stage counts alone constrain one another only by order (each is at most the one
before), and the rounding intervals of two shown counts are either the same or apart, so an
ordering never narrows a count to one value (``tests/test_attrition.py`` checks both by
enumeration).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ._base import Analysis
from .attendance import participant_progress, participant_sessions
from .tables import Col, TableSpec

#: The module whose reaching is a stage of the flow, unless another is asked for.
DEFAULT_MODULE = "sexual_respect"
#: Reasons for not going on, in the order tables list them.
REASONS = ("withdrew", "excluded", "moved_away", "custody", "other", "completed",
           "not_recorded")
#: The exit reason of someone still in the programme: their own outcome, never a reason for
#: not going on.
ONGOING = "ongoing"


def _follow_up_answers(dataset: Dataset) -> tuple[set[str], str]:
    """Participants with an answer at the last wave of an instrument about participants, and
    what that wave is ("" when no instrument has two waves or more)."""
    answered: set[str] = set()
    waves = []
    for name, spec in sorted(dataset.instruments.items()):
        if spec.id_column != "participant_id" or len(spec.waves) < 2:
            continue
        forms = dataset.responses(name)
        last = spec.waves[-1]
        at_last = forms[forms["wave"].astype(str) == last]
        answered |= set(at_last["participant_id"].astype(str))
        waves.append(f"{last} of {name}")
    return answered, "; ".join(waves)


def stages(dataset: Dataset, *, module: str = DEFAULT_MODULE) -> pd.DataFrame:
    """Each participant's furthest stage of the flow and exit reason.

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance (and, for the follow-up
        stage, an instrument about participants).
    module
        The module whose reaching is a stage.

    Returns
    -------
    DataFrame
        participant_id, exit_reason, then one flag column per stage of the flow (in order; each
        true only where the previous one is).

    Examples
    --------
    >>> import evalkit
    >>> flags = stages(evalkit.load("data/sample"))
    >>> flags.columns.tolist()[2:]
    ['referred', 'started', 'reached_sexual_respect', 'completed', 'followed_up']
    """
    progress = participant_progress(dataset)
    people = pd.DataFrame({"participant_id": progress["participant_id"].astype(str).to_numpy(),
                           "exit_reason": progress["exit_reason"].astype(str).to_numpy()})
    people["referred"] = True
    people["started"] = progress["attended"].to_numpy() > 0
    sessions = participant_sessions(dataset)
    in_module = sessions["module"].astype(str) == module
    if in_module.any():
        reached = set(sessions.loc[in_module & sessions["present"], "participant_id"].astype(str))
        people[f"reached_{module}"] = people["started"] & people["participant_id"].isin(reached)
    last = people.columns[-1]
    people["completed"] = people[last] & people["exit_reason"].eq("completed")
    answered, _ = _follow_up_answers(dataset)
    if answered or any(s.id_column == "participant_id" and len(s.waves) >= 2
                       for s in dataset.instruments.values()):
        people["followed_up"] = people["completed"] & people["participant_id"].isin(answered)
    return people


_COUNTED = {
    "referred": "every participant in participants.csv",
    "started": "attended any session",
    "completed": "recorded as having completed the programme",
    "followed_up": "completed, and answered at the last wave of an outcome measure",
}


def attrition_flow(people: pd.DataFrame) -> pd.DataFrame:
    """``attrition_flow.csv``: the people at each stage and how many did not go on.

    Those who did not go on are split into those who left and those still in the programme.

    Parameters
    ----------
    people
        :func:`stages`.

    Returns
    -------
    DataFrame
        stage, people, left (at this stage but not the next, and no longer in the programme),
        still_in (at this stage but not the next, and still in the programme; both NaN at the
        last stage), counted (who the stage counts).

    Examples
    --------
    >>> import evalkit
    >>> flow = attrition_flow(stages(evalkit.load("data/sample")))
    >>> flow[["stage", "people", "left", "still_in"]]
                        stage  people  left  still_in
    0                referred     130   4.0       0.0
    1                 started     126  37.0       0.0
    2  reached_sexual_respect      89  18.0      10.0
    3               completed      61  51.0       0.0
    4             followed_up      10   NaN       NaN
    """
    names = [c for c in people.columns if c not in ("participant_id", "exit_reason")]
    counts = [int(people[c].sum()) for c in names]
    ongoing = people["exit_reason"].eq(ONGOING)
    still_in = [float((people[here] & ~people[there] & ongoing).sum())
                for here, there in zip(names[:-1], names[1:], strict=True)] + [np.nan]
    left = [float(a - b) - s for a, b, s in zip(counts[:-1], counts[1:], still_in,
                                                  strict=False)] + [np.nan]
    counted = [_COUNTED.get(n, "attended any session of the "
                           f"{n.removeprefix('reached_').replace('_', ' ')} module")
               for n in names]
    return pd.DataFrame({"stage": names, "people": counts, "left": left, "still_in": still_in,
                         "counted": counted})


def attrition_exits(people: pd.DataFrame) -> pd.DataFrame:
    """``attrition_exits.csv``: who did not go on after each stage, by reason.

    Parameters
    ----------
    people
        :func:`stages`.

    Returns
    -------
    DataFrame
        stage (the last one reached), reason (the exit reason; ``completed`` for a completer
        missing from a later stage, ``not_recorded`` for a completer with no follow-up answer),
        people. Only reasons that occur are listed, in the order of :data:`REASONS`. Those still
        in the programme did not leave and are not listed (``still_in`` of
        :func:`attrition_flow`).

    Examples
    --------
    >>> import evalkit
    >>> exits = attrition_exits(stages(evalkit.load("data/sample")))
    >>> exits[exits["stage"] == "referred"]
          stage    reason  people
    0  referred  withdrew       3
    1  referred  excluded       1
    """
    names = [c for c in people.columns if c not in ("participant_id", "exit_reason")]
    rows = []
    for here, there in zip(names[:-1], names[1:], strict=True):
        gone = people[people[here] & ~people[there] & people["exit_reason"].ne(ONGOING)]
        reasons = gone["exit_reason"].where(
            ~((gone["exit_reason"] == "completed") & (there == "followed_up")), "not_recorded")
        counts = reasons.value_counts()
        rows += [{"stage": here, "reason": r, "people": int(counts[r])} for r in REASONS
                 if r in counts.index]
        rows += [{"stage": here, "reason": r, "people": int(counts[r])}
                 for r in sorted(set(counts.index) - set(REASONS))]
    return pd.DataFrame(rows, columns=["stage", "reason", "people"])


TABLES = (
    TableSpec(
        "attrition_flow", "How far participants went: referral to follow-up",
        (Col("stage", "label", "stage of the programme (each a subset of the one before)"),
         Col("people", "people", "participants who reached the stage"),
         Col("left", "size", "participants at this stage but not at the next who are no "
             "longer in the programme (they left, or completed without the next stage). Never "
             "shown to funders: beside the rounded stage counts it would give exact counts away",
             fmt="integer", label="did not go on"),
         Col("still_in", "size", "participants at this stage but not at the next who are still "
             "in the programme (exit reason ongoing): not a drop-out. Never shown to funders, "
             "like the column before", fmt="integer", label="still in the programme"),
         Col("counted", "text", "who the stage counts", label="who is counted")),
        unit="participants").for_funder(stage="shown", people="rounded", counted="shown"),
    TableSpec(
        "attrition_exits", "Who did not go on after each stage, and why",
        (Col("stage", "label", "the last stage reached"),
         Col("reason", "label", "exit reason (completed: completed without this stage's next "
             "one; not recorded: no follow-up answer). Those still in the programme are not "
             "listed: they have not left"),
         Col("people", "people", "participants")),
        unit="participants", audiences=("research", "internal")),
)


def compute(dataset: Dataset) -> dict[str, pd.DataFrame | str]:
    """The attrition flow and its exits for one data folder.

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.

    Returns
    -------
    dict of str to DataFrame
        ``attrition_flow`` and ``attrition_exits``.

    Examples
    --------
    >>> import evalkit
    >>> sorted(compute(evalkit.load("data/sample")))
    ['attrition_exits', 'attrition_flow']
    """
    people = stages(dataset)
    return {"attrition_flow": attrition_flow(people), "attrition_exits": attrition_exits(people)}


ANALYSIS = Analysis(
    name="attrition",
    title="how far participants went, from referral to follow-up",
    tables=TABLES,
    compute=compute,
    needs=("participants", "sessions", "attendance"),
)
