"""Who attends, who drops out and when: attendance, completion, drop-out and retention.

Definitions (``docs/methods.md``, "Attendance"):

- a *participant-session* is a register row on a session that was not cancelled;
- *attended* counts ``attended``, ``late`` and ``left_early``;
- the attendance rate is attended / participant-sessions. Pooled over participants (overall, by
  site, referral route, cohort, module) its interval treats each participant's sessions as one
  cluster; per programme week each person counts once, so the week's interval is Wilson's;
- *scheduled* sessions of a participant are the held sessions of their cohort;
- completion is recorded (``exit_reason == "completed"``) or attendance-based (attended at least
  ``threshold`` of scheduled sessions, 0.8 by default); module completion means attending every
  held session of the module;
- drop-out is ``exit_reason`` in {withdrew, excluded}; retention is a Kaplan-Meier curve over
  programme weeks, time = week of the last attended session (0 if none), censored for every other
  exit reason (research and internal reports); funders see the share still on the programme
  after every fourth week (:func:`retention_milestones`), so no drop-out is moved in time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..data.dataset import Dataset
from ..errors import EvalkitError, MissingDataError
from ..io.contracts import PRESENT_STATUSES
from ..stats.proportions import cluster_rate_table, rate_table, wilson_interval
from ..stats.survival import kaplan_meier, logrank_test
from ._base import Analysis
from .tables import Col, TableSpec, interval, metric_frame

DROPOUT_REASONS = ("withdrew", "excluded")
DEFAULT_COMPLETION_THRESHOLD = 0.8
DEFAULT_FOLLOW_UP_RUN = 2


def _require(dataset: Dataset, *names: str) -> None:
    absent = [n for n in names if not dataset.has(n)]
    if absent:
        raise MissingDataError("this analysis needs " + ", ".join(f"{n}.csv" for n in absent))


def _shared(ids: pd.Series, parent_ids: pd.Series) -> bool:
    """Do two id columns share their categories (as loaded tables do)?"""
    return (isinstance(ids.dtype, pd.CategoricalDtype)
            and isinstance(parent_ids.dtype, pd.CategoricalDtype)
            and (ids.cat.categories is parent_ids.cat.categories
                 or ids.cat.categories.equals(parent_ids.cat.categories)))


def _row_of_code(parent_ids: pd.Series) -> np.ndarray:
    """Row of the parent table holding each category (-1 for none, and for code -1)."""
    codes = parent_ids.cat.codes.to_numpy()
    row_of = np.full(len(parent_ids.cat.categories) + 1, -1, dtype=np.int32)
    # Reversed, so that a repeated parent id maps to its first row, as get_indexer would.
    row_of[codes[::-1]] = np.arange(len(codes), dtype=np.int32)[::-1]
    row_of[-1] = -1
    return row_of


class _Register(dict):
    """The register on held sessions, as arrays computed on first use from one pass's masks.

    Keys: ``row`` (register row), ``session`` and ``person`` (rows of the sessions and
    participants tables), ``present`` (attended, late or left early) and ``week`` (programme
    week). Nothing outlives the call that made it, so nothing can go stale.
    """

    def __init__(self, keep, session_codes, session_row, person_codes, person_row, status_codes,
                 is_present, weeks):
        super().__init__()
        self._parts = (keep, session_codes, session_row, person_codes, person_row, status_codes,
                       is_present, weeks)

    def __missing__(self, key: str) -> np.ndarray:
        keep, session_codes, session_row, person_codes, person_row, status_codes, is_present, \
            weeks = self._parts
        if key == "row":
            value = np.flatnonzero(keep)
        elif key == "session":
            value = session_row[session_codes[keep]] if session_row is not None \
                else session_codes[keep]
        elif key == "person":
            value = person_row[person_codes[keep]] if person_row is not None \
                else person_codes[keep]
        elif key == "present":
            value = is_present[status_codes[keep]]
        elif key == "week":
            value = weeks[self["session"]]
        else:
            raise KeyError(key)
        self[key] = value
        return value

    def attended(self) -> tuple[np.ndarray, np.ndarray]:
        """``(person, week)`` of every participant-session attended, in one pass."""
        keep, session_codes, session_row, person_codes, person_row, status_codes, is_present, \
            weeks = self._parts
        mask = keep & is_present[status_codes]
        sessions = session_codes[mask]
        people = person_codes[mask]
        if session_row is not None:
            sessions = session_row[sessions]
        if person_row is not None:
            people = person_row[people]
        return people, weeks[sessions]


def _register(dataset: Dataset) -> _Register:
    """The register as integer positions into the participant and session tables, held sessions
    only. Computed afresh on every call from the Dataset's tables (there is no cache to go stale):
    loaded ids share their parent file's categories, so every step is a look-up in a small
    per-category array followed by one pass over the register, and only the arrays a caller
    asks for are made.
    """
    _require(dataset, "participants", "sessions", "attendance")
    register, sessions, people = dataset.attendance, dataset.sessions, dataset.participants
    held_session = np.append(~sessions["cancelled"].fillna(False).to_numpy(dtype=bool), False)
    weeks = sessions["programme_week"].to_numpy(dtype=np.int64, na_value=0)
    status = register["status"]
    is_present = np.zeros(len(status.cat.categories) + 1, dtype=bool)
    is_present[[i for i, c in enumerate(status.cat.categories) if c in PRESENT_STATUSES]] = True
    if _shared(register["session_id"], sessions["session_id"]):
        session_row = _row_of_code(sessions["session_id"])
        session_codes = register["session_id"].cat.codes.to_numpy()
        # Per session category: held in the sessions table? Then one pass over the register.
        keep = held_session[session_row][session_codes]
    else:
        session_row = None
        session_codes = pd.Index(sessions["session_id"]).get_indexer(register["session_id"])
        keep = held_session[session_codes] & (session_codes >= 0)
    if _shared(register["participant_id"], people["participant_id"]):
        person_row = _row_of_code(people["participant_id"])
        person_codes = register["participant_id"].cat.codes.to_numpy()
    else:
        person_row = None
        person_codes = pd.Index(people["participant_id"]).get_indexer(register["participant_id"])
    if person_row is None or (person_row[:-1] < 0).any() or (person_codes < 0).any():
        # Register rows of unknown people (only in a folder that failed its checks) are left out.
        found = (person_row[person_codes] if person_row is not None else person_codes) >= 0
        keep = keep & found
    return _Register(keep, session_codes, session_row, person_codes, person_row,
                     status.cat.codes.to_numpy(), is_present, weeks)


def _text(values: pd.Series) -> pd.Series:
    """Labels as plain text (categorical labels too), as the tables built here have always had."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        # Look the codes up in the categories with Arrow: many times faster than astype.
        codes = values.cat.codes.to_numpy()
        categories = pa.array(values.cat.categories.to_numpy(dtype=object), pa.string())
        text = pc.take(categories, pa.array(codes, mask=codes < 0))
        return pd.Series(pd.array(text, dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
                         index=values.index, name=values.name)
    return values.astype("str")


def participant_sessions(dataset: Dataset) -> pd.DataFrame:
    """The register on held sessions, with session and participant attributes attached.

    Rows on cancelled sessions are dropped (they are not participant-sessions; see
    ``docs/methods.md#attendance-definitions``). Ids keep their categorical type; labels are text.

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.

    Returns
    -------
    DataFrame
        One row per participant-session: ``participant_id, session_id, status, cohort_id, site,
        programme_week, module, module_session, delivery_mode, referral_route, present``.

    Raises
    ------
    EvalkitError
        When one of the three files is absent.

    Examples
    --------
    >>> import evalkit
    >>> rows = participant_sessions(evalkit.load("data/sample"))
    >>> len(rows), int(rows["present"].sum())
    (3001, 1886)
    """
    reg = _register(dataset)
    register, sessions, people = dataset.attendance, dataset.sessions, dataset.participants
    frame = pd.DataFrame({
        "participant_id": register["participant_id"].array.take(reg["row"]),
        "session_id": register["session_id"].array.take(reg["row"]),
        "status": _text(pd.Series(register["status"].array.take(reg["row"]))).array,
    })
    for column in ("cohort_id", "site", "programme_week", "module", "module_session",
                   "delivery_mode"):
        values = sessions[column]
        if column == "cohort_id":
            frame[column] = values.array.take(reg["session"])
        elif column in ("programme_week", "module_session"):
            frame[column] = values.to_numpy(dtype=np.int64, na_value=0)[reg["session"]]
        else:
            frame[column] = _text(values).array.take(reg["session"])
    frame["referral_route"] = _text(people["referral_route"]).array.take(reg["person"])
    frame["present"] = reg["present"]
    return frame


def _held_per_cohort(cohorts: pd.Series, session_cohorts: pd.Series,
                     held: np.ndarray) -> np.ndarray:
    """Held sessions of each person's cohort (by shared category codes when there are some)."""
    if _shared(cohorts, session_cohorts):
        codes = session_cohorts.cat.codes.to_numpy()
        keep = held & (codes >= 0)
        counts = np.bincount(codes[keep], minlength=len(cohorts.cat.categories) + 1)
        counts[-1] = 0  # a blank cohort (code -1) has no sessions
        return counts[cohorts.cat.codes.to_numpy()]
    scheduled = pd.Series(held).groupby(session_cohorts.to_numpy()).sum()
    return scheduled.reindex(cohorts.to_numpy()).fillna(0).astype(int).to_numpy()


def participant_progress(dataset: Dataset,
                         threshold: float = DEFAULT_COMPLETION_THRESHOLD) -> pd.DataFrame:
    """One row per participant: sessions scheduled and attended, completion, drop-out, last week.

    Scheduled sessions come from the cohort's held sessions, so a participant with no register
    rows is counted with 0 attended rather than left out (see ``docs/methods.md#completion`` and
    ``docs/methods.md#drop-out``).

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.
    threshold
        Share of scheduled sessions a participant must attend to count as having completed by
        attendance, above 0 and at most 1.

    Returns
    -------
    DataFrame
        ``participant_id, cohort_id, site, referral_route, exit_reason, scheduled, attended,
        attended_share, completed_recorded, completed_attendance, dropped_out,
        last_week_attended`` (0 when nothing was attended).

    Raises
    ------
    EvalkitError
        When a file is absent or ``threshold`` is not a share.

    Examples
    --------
    >>> import evalkit
    >>> progress = participant_progress(evalkit.load("data/sample"))
    >>> progress[["participant_id", "scheduled", "attended", "completed_attendance"]].head(2)
      participant_id  scheduled  attended  completed_attendance
    0          p0001         24        24                  True
    1          p0002         24        20                  True
    """
    _require(dataset, "participants", "sessions", "attendance")
    if not 0 < threshold <= 1:
        raise EvalkitError("the completion threshold must be a share between 0 and 1")
    people, sessions = dataset.participants, dataset.sessions
    held = ~sessions["cancelled"].fillna(False).to_numpy(dtype=bool)
    reg = _register(dataset)
    n_people = len(people)
    who, week = reg.attended()
    attended = np.bincount(who, minlength=n_people)
    last_week = np.zeros(n_people, dtype=np.int64)
    np.maximum.at(last_week, who, week)
    out = pd.DataFrame({
        "participant_id": people["participant_id"].array,
        "cohort_id": people["cohort_id"].array,
        "site": _text(people["site"]).array,
        "referral_route": _text(people["referral_route"]).array,
        "exit_reason": _text(people["exit_reason"]).array,
    })
    out["scheduled"] = _held_per_cohort(people["cohort_id"], sessions["cohort_id"], held)
    out["attended"] = attended
    out["attended_share"] = (out["attended"] / out["scheduled"].where(out["scheduled"] > 0))
    out["completed_recorded"] = out["exit_reason"].eq("completed").to_numpy(dtype=bool)
    out["completed_attendance"] = (out["attended_share"] >= threshold - 1e-12).to_numpy(dtype=bool)
    out["dropped_out"] = out["exit_reason"].isin(DROPOUT_REASONS).to_numpy(dtype=bool)
    out["last_week_attended"] = last_week
    return out




#: Attributes an attendance rate can be broken down by, in the order the page shows them.
GROUP_FACTORS = ("site", "referral_route", "cohort_id", "module", "delivery_mode")


def attendance_rates(sessions: pd.DataFrame, *, between: str | None = None,
                     confidence: float = 0.95) -> pd.DataFrame:
    """Attendance rate over participant-sessions, overall or per group, participants as clusters.

    The interval treats each participant's sessions as one cluster
    (``docs/methods.md#cluster-aware-interval-for-pooled-rates``).

    Parameters
    ----------
    sessions
        Participant-sessions (:func:`participant_sessions`), possibly filtered (one site's rows).
    between
        A column of ``sessions`` to group by; None for one overall row.
    confidence
        Level of the interval.

    Returns
    -------
    DataFrame
        [between,] participants, scheduled, attended, attendance_rate, ci_low, ci_high.

    Examples
    --------
    >>> rows = pd.DataFrame({"participant_id": ["a", "a", "b", "b"], "site": ["x"] * 4,
    ...                      "present": [True, False, True, True]})
    >>> attendance_rates(rows, between="site")[["participants", "attended", "attendance_rate"]]
    ...                                                                 # doctest: +NORMALIZE_WHITESPACE
       participants  attended  attendance_rate
    0             2         3             0.75
    """
    table = cluster_rate_table(sessions, dv="present", subject="participant_id", between=between,
                               confidence=confidence)
    table = table.rename(columns={"clusters": "participants", "trials": "scheduled",
                                  "successes": "attended", "rate": "attendance_rate"})
    return table.reset_index(drop=True)


def attendance_by_group(dataset: Dataset, *,
                        between: Sequence[str] = GROUP_FACTORS) -> pd.DataFrame:
    """``attendance_by_group.csv``: the attendance rate by each factor in turn.

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.
    between
        Columns of :func:`participant_sessions` to break the rate down by, one after the other.

    Returns
    -------
    DataFrame
        factor, group, participants, scheduled, attended, attendance_rate, ci_low, ci_high.

    Examples
    --------
    >>> import evalkit
    >>> table = attendance_by_group(evalkit.load("data/sample"), between=["site"])
    >>> table[["group", "participants", "scheduled", "attended"]]
         group  participants  scheduled  attended
    0  central            45       1051       628
    1    north            42        976       629
    2    south            43        974       629
    """
    sessions = participant_sessions(dataset)
    parts = []
    for factor in between:
        table = attendance_rates(sessions, between=factor).rename(columns={factor: "group"})
        table.insert(0, "factor", factor)
        table["group"] = table["group"].astype(str)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def attendance_by_week(dataset: Dataset, *, confidence: float = 0.95) -> pd.DataFrame:
    """``attendance_by_week.csv``: sessions, people scheduled and attending, per programme week.

    Per week: the sessions held and cancelled, the people scheduled and attending, and the rate
    with a Wilson interval (each person counts once a week).

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.
    confidence
        Level of the Wilson interval.

    Returns
    -------
    DataFrame
        programme_week, sessions_held, sessions_cancelled, scheduled, attended, attendance_rate,
        ci_low, ci_high. A week whose sessions were all cancelled has no rate.

    Examples
    --------
    >>> import evalkit
    >>> table = attendance_by_week(evalkit.load("data/sample"))
    >>> table[["programme_week", "sessions_held", "scheduled", "attended"]].head(2)
       programme_week  sessions_held  scheduled  attended
    0               1             12        130       108
    1               2             12        130       105
    """
    _require(dataset, "sessions")
    sessions = dataset.sessions
    cancelled = sessions["cancelled"].fillna(False).astype(bool)
    weeks = (pd.DataFrame({"programme_week": sessions["programme_week"].astype(int),
                           "held": ~cancelled, "cancelled": cancelled})
             .groupby("programme_week", sort=True)
             .agg(sessions_held=("held", "sum"), sessions_cancelled=("cancelled", "sum")))
    rates = rate_table(participant_sessions(dataset), dv="present", between="programme_week")
    rates["programme_week"] = rates["programme_week"].astype(int)
    table = weeks.join(rates.set_index("programme_week"), how="left").reset_index()
    table["trials"] = table["trials"].fillna(0).astype(int)
    table["successes"] = table["successes"].fillna(0).astype(int)
    table = wilson_interval(table, successes="successes", trials="trials",
                            confidence=confidence)
    table = table.rename(columns={"trials": "scheduled", "successes": "attended",
                                  "rate": "attendance_rate"})
    return table[["programme_week", "sessions_held", "sessions_cancelled", "scheduled",
                  "attended", "attendance_rate", "ci_low", "ci_high"]].astype(
        {"sessions_held": int, "sessions_cancelled": int})


def attendance_summary(dataset: Dataset, *, threshold: float = DEFAULT_COMPLETION_THRESHOLD,
                       confidence: float = 0.95,
                       progress: pd.DataFrame | None = None) -> pd.DataFrame:
    """``attendance_summary.csv``: the headline figures as ``metric, value, ci_low, ci_high``.

    The attendance rate's interval is the cluster-aware one (participants as clusters);
    completion and drop-out are shares of participants with Wilson intervals.

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.
    threshold
        Share of scheduled sessions that counts as completion by attendance.
    confidence
        Level of the intervals.
    progress
        :func:`participant_progress` of ``dataset`` at ``threshold`` when already computed
        (it is the costly part on a large register).

    Returns
    -------
    DataFrame
        One row per metric: participants, participant_sessions, sessions_attended,
        attendance_rate, completed_recorded, completion_rate_recorded, completed_attendance,
        completion_rate_attendance, dropped_out, dropout_rate, left_otherwise (neither
        completed nor dropped out).

    Examples
    --------
    >>> import evalkit
    >>> table = attendance_summary(evalkit.load("data/sample")).set_index("metric")
    >>> int(table.loc["sessions_attended", "value"]), int(table.loc["dropped_out", "value"])
    (1886, 39)
    """
    # The register as integer codes is enough for the pooled rate: no text columns to build.
    register = _register(dataset)
    codes = pd.DataFrame({"participant_id": register["person"], "present": register["present"]})
    overall = attendance_rates(codes, confidence=confidence)
    if progress is None:
        progress = participant_progress(dataset, threshold)
    n = len(progress)
    values = {
        "participants": n,
        "participant_sessions": int(overall["scheduled"].sum()),
        "sessions_attended": int(overall["attended"].sum()),
        "attendance_rate": float(overall["attendance_rate"].iloc[0]) if len(overall) else np.nan,
    }
    intervals = {"attendance_rate": (overall["ci_low"].iloc[0], overall["ci_high"].iloc[0])
                 if len(overall) else (np.nan, np.nan)}
    for count, rate, column in (("completed_recorded", "completion_rate_recorded",
                                 "completed_recorded"),
                                ("completed_attendance", "completion_rate_attendance",
                                 "completed_attendance"),
                                ("dropped_out", "dropout_rate", "dropped_out")):
        k = int(progress[column].sum())
        values[count] = k
        values[rate] = k / n if n else np.nan
        interval = wilson_interval(pd.DataFrame({"k": [k], "n": [n]}), successes="k",
                                   trials="n", confidence=confidence).iloc[0]
        intervals[rate] = (float(interval["ci_low"]), float(interval["ci_high"]))
    values["left_otherwise"] = n - values["completed_recorded"] - values["dropped_out"]
    return metric_frame(values, intervals=intervals, with_interval=True)


def module_completion(dataset: Dataset, *, confidence: float = 0.95) -> pd.DataFrame:
    """``module_completion.csv``: per module, the share who attended every held session of it.

    Per module (in programme order): the participants scheduled for it (everyone whose cohort
    held a session of it, register rows or not), how many attended every held session of it, and
    that share with a Wilson interval.

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.
    confidence
        Level of the Wilson interval.

    Returns
    -------
    DataFrame
        module, participants, completed, completion_rate, ci_low, ci_high.

    Examples
    --------
    >>> import evalkit
    >>> module_completion(evalkit.load("data/sample"))[["module", "completed"]].head(2)
                    module  completed
    0      getting_started         72
    1  understanding_abuse         71
    """
    _require(dataset, "participants", "sessions", "attendance")
    held = dataset.sessions[~dataset.sessions["cancelled"].fillna(False).astype(bool)]
    per_cohort = held.groupby(["cohort_id", "module"], observed=True).size().rename("held")
    sessions = participant_sessions(dataset)
    attended = (sessions[sessions["present"]]
                .groupby(["participant_id", "module"], observed=True).size()
                .rename("attended").reset_index())
    attended["participant_id"] = attended["participant_id"].astype(str)
    attended["module"] = attended["module"].astype(str)
    people = dataset.participants[["participant_id", "cohort_id"]].astype(str)
    grid = people.merge(per_cohort.reset_index().astype({"cohort_id": str, "module": str}),
                        on="cohort_id")
    grid = grid.merge(attended, on=["participant_id", "module"], how="left")
    grid["completed"] = grid["attended"].fillna(0) >= grid["held"]
    table = rate_table(grid, dv="completed", between="module", confidence=confidence)
    table = table.rename(columns={"trials": "participants", "successes": "completed",
                                  "rate": "completion_rate"})
    first_week = held.assign(module=held["module"].astype(str)).groupby("module")[
        "programme_week"].min()
    table = table.sort_values("module", key=lambda m: m.map(first_week), kind="stable",
                              ignore_index=True)
    return table[["module", "participants", "completed", "completion_rate", "ci_low", "ci_high"]]


def retention(progress: pd.DataFrame, *, between: str | None = None,
              confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier retention over programme weeks, overall or per group.

    Time is the week of the last attended session (0 if none); drop-out is the event, every
    other exit is censored (``docs/methods.md#retention-curve``).

    Parameters
    ----------
    progress
        One row per participant (:func:`participant_progress`), possibly filtered.
    between
        Column to group by (``site``, ``referral_route``); None for everyone.
    confidence
        Level of the pointwise log-log band.

    Returns
    -------
    DataFrame
        group_by, group, time, at_risk, events, survival, ci_low, ci_high (one row per week in
        which someone dropped out).

    Examples
    --------
    >>> import evalkit
    >>> curve = retention(participant_progress(evalkit.load("data/sample")))
    >>> curve[["group", "time", "at_risk", "events"]].head(2)
      group  time  at_risk  events
    0   all   0.0      130       4
    1   all   1.0      126       2
    """
    groups = [("all", progress)] if between is None else [
        (name, part) for name, part in progress.groupby(between, observed=True, sort=True)]
    parts = []
    for name, part in groups:
        curve = kaplan_meier(part, duration="last_week_attended", event="dropped_out",
                             confidence=confidence)
        curve.insert(0, "group", str(name))
        curve.insert(0, "group_by", between or "all")
        parts.append(curve)
    table = pd.concat(parts, ignore_index=True)
    return table.astype({"at_risk": int, "events": int})


#: Weeks between two retention milestones: the funder report shows retention at weeks 4, 8, ...
MILESTONE_EVERY = 4


def programme_length(dataset: Dataset) -> int:
    """The last programme week with a held session (0 when none was held).

    Parameters
    ----------
    dataset
        A loaded data folder with sessions.

    Returns
    -------
    int
        The highest ``programme_week`` of a session that was not cancelled.

    Examples
    --------
    >>> import evalkit
    >>> programme_length(evalkit.load("data/sample"))
    24
    """
    _require(dataset, "sessions")
    sessions = dataset.sessions
    held = ~sessions["cancelled"].fillna(False).to_numpy(dtype=bool)
    weeks = sessions["programme_week"].to_numpy(dtype=np.int64, na_value=0)[held]
    return int(weeks.max()) if weeks.size else 0


def retention_milestones(progress: pd.DataFrame, *, length: int,
                         between: str | None = None,
                         every: int = MILESTONE_EVERY,
                         confidence: float = 0.95) -> pd.DataFrame:
    """Share of participants still on the programme after weeks ``every``, ``2 * every``, ...

    A share of people at fixed weeks, so that the funder policy's share rules apply to it and no
    drop-out is moved in time (``docs/methods.md#retention-curve``). After week ``w``:

    - *left*: dropped out (withdrew or was excluded) with a last attended week of ``w`` or earlier;
    - *retained*: every other participant whose last attended week is ``w`` or later, and everyone
      recorded as having completed (they stayed to the end);
    - *followed*: left plus retained. Someone who moved away, went into custody or is still on an
      earlier week (last attended before ``w``, not completed) is not followed to ``w``: whether
      they would have stayed is not known, as the Kaplan-Meier curve censors them.

    Parameters
    ----------
    progress
        One row per participant (:func:`participant_progress`), possibly filtered.
    length
        The programme's length in weeks (:func:`programme_length`): milestones run up to it.
    between
        Column to group by (``site``, ``referral_route``); None for everyone.
    every
        Weeks between milestones.
    confidence
        Level of the Wilson interval.

    Returns
    -------
    DataFrame
        group_by, group, week, followed, retained, share, ci_low, ci_high: one row per group and
        milestone (NaN share where nobody is followed).

    Examples
    --------
    Five people: one withdrew after week 2, one after week 6, one completed, one moved away after
    week 3, one is still attending (last week 9). After week 4: 1 left, 3 retained (the mover is
    not followed); after week 8: 2 left, 2 retained.

    >>> people = pd.DataFrame({"last_week_attended": [2, 6, 7, 3, 9],
    ...                        "dropped_out": [True, True, False, False, False],
    ...                        "completed_recorded": [False, False, True, False, False]})
    >>> retention_milestones(people, length=8)[["week", "followed", "retained", "share"]]
       week  followed  retained  share
    0     4         4         3   0.75
    1     8         4         2   0.50
    """
    if every < 1:
        raise EvalkitError("retention milestones must be at least one week apart")
    weeks = np.arange(every, length + 1, every, dtype=np.int64)
    groups = [("all", progress)] if between is None else [
        (name, part) for name, part in progress.groupby(between, observed=True, sort=True)]
    rows = []
    for name, part in groups:
        last = part["last_week_attended"].to_numpy(dtype=np.int64)
        dropped = part["dropped_out"].to_numpy(dtype=bool)
        completed = part["completed_recorded"].to_numpy(dtype=bool)
        for week in weeks:
            left = dropped & (last <= week)
            retained = ~left & (completed | (last >= week))
            rows.append({"group_by": between or "all", "group": str(name), "week": int(week),
                         "followed": int(left.sum() + retained.sum()),
                         "retained": int(retained.sum())})
    table = pd.DataFrame(rows, columns=["group_by", "group", "week", "followed", "retained"])
    table = table.astype({"week": np.int64, "followed": np.int64, "retained": np.int64})
    table["share"] = table["retained"] / table["followed"].where(table["followed"] > 0)
    return wilson_interval(table, successes="retained", trials="followed",
                           confidence=confidence)


def logrank(progress: pd.DataFrame, *, between: str, min_group: int = 1) -> pd.DataFrame:
    """Log-rank test that retention differs between the groups of ``between``.

    Groups of fewer than ``min_group`` participants are left out (and counted), so one small group
    does not take the whole test away from a funder (``docs/methods.md#log-rank-test``).

    Parameters
    ----------
    progress
        One row per participant (:func:`participant_progress`).
    between
        Column whose groups are compared (``site``, ``referral_route``).
    min_group
        Smallest group kept in the test.

    Returns
    -------
    DataFrame
        One row: factor, groups, smallest_group, groups_left_out, chi2, df, p, note.

    Examples
    --------
    >>> import evalkit
    >>> test = logrank(participant_progress(evalkit.load("data/sample")), between="site", min_group=5)
    >>> test[["factor", "groups", "smallest_group", "groups_left_out"]]
      factor  groups  smallest_group  groups_left_out
    0   site       3              42                0
    """
    frame = progress.assign(_group=progress[between].astype(str),
                            _event=progress["dropped_out"].astype(int))
    sizes = frame["_group"].value_counts()
    kept = frame[frame["_group"].isin(sizes[sizes >= min_group].index)]
    table = logrank_test(kept, duration="last_week_attended", event="_event", between="_group")
    table.insert(0, "factor", between)
    table.insert(3, "groups_left_out", int((sizes < min_group).sum()))
    return table


def absence_summary(dataset: Dataset) -> pd.DataFrame:
    """``absences.csv``: absences on held sessions and how many were not notified in advance.

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.

    Returns
    -------
    DataFrame
        ``metric, value`` rows: participants, absences, absences_unnotified, unnotified_share
        (NaN when there were no absences).

    Examples
    --------
    >>> import evalkit
    >>> absence_summary(evalkit.load("data/sample"))
                    metric     value
    0         participants       130
    1             absences      1115
    2  absences_unnotified       611
    3     unnotified_share  0.547982
    """
    sessions = participant_sessions(dataset)
    status = sessions["status"].astype(str)
    absent = int(status.isin(("absent_notified", "absent_unnotified")).sum())
    unnotified = int((status == "absent_unnotified").sum())
    return metric_frame({"participants": int(sessions["participant_id"].nunique()),
                         "absences": absent, "absences_unnotified": unnotified,
                         "unnotified_share": unnotified / absent if absent else np.nan})


def longest_runs(flags: pd.Series, groups: pd.Series) -> pd.Series:
    """Longest run of consecutive True values within each group (rows already in order).

    Parameters
    ----------
    flags
        True where the row counts (an unnotified absence, say).
    groups
        The group of each row (a participant id), aligned with ``flags``; each group's rows must
        be together and in order.

    Returns
    -------
    Series
        The longest run per group (0 when a group has no True), indexed by group in order of
        first appearance.

    Examples
    --------
    >>> longest_runs(pd.Series([True, True, False, True]), pd.Series(["a", "a", "a", "b"])).tolist()
    [2, 1]
    """
    flags = flags.to_numpy(dtype=bool)
    group_codes, group_names = pd.factorize(groups)
    # A new run starts wherever the flag or the group changes.
    change = np.r_[True, (flags[1:] != flags[:-1]) | (group_codes[1:] != group_codes[:-1])]
    run_id = np.cumsum(change)
    lengths = pd.Series(flags.astype(int)).groupby(run_id).transform("sum").to_numpy()
    best = pd.Series(np.where(flags, lengths, 0)).groupby(group_codes).max()
    return pd.Series(best.to_numpy(), index=pd.Index(group_names[best.index], name=groups.name))


def _session_dates(dataset: Dataset) -> dict[tuple[str, int], str]:
    """``(cohort, programme week) -> "YYYY-MM-DD"`` of every session (a week is one session)."""
    sessions = dataset.sessions
    dates = pd.to_datetime(sessions["session_date"]).dt.strftime("%Y-%m-%d")
    return dict(zip(zip(sessions["cohort_id"].astype(str),
                        sessions["programme_week"].astype(int), strict=True), dates, strict=True))


def _last_attended_dates(progress: pd.DataFrame, dataset: Dataset) -> list[str | None]:
    """The date of each participant's last attended session (None when none was attended)."""
    dates = _session_dates(dataset)
    return [dates.get((str(cohort), int(week))) if week > 0 else None
            for cohort, week in zip(progress["cohort_id"], progress["last_week_attended"],
                                    strict=True)]


def _last_week(weeks: pd.Series) -> pd.Series:
    """The last programme week attended, empty (not 0) for someone who never attended: the
    page reads "never", and no week 0 stands in a CSV where a week would be."""
    weeks = weeks.astype("Int64")
    return weeks.mask(weeks <= 0)


def _dates_of_run(dates: pd.Series) -> str:
    """One run of missed sessions: its dates, or its first and last when it is longer than two
    (a list of 24 dates reads worse than "2023-03-07 to 2023-08-15")."""
    dates = [d for d in dates if d]
    return ", ".join(dates) if len(dates) <= 2 else f"{dates[0]} to {dates[-1]}"


def dropout_list(dataset: Dataset) -> pd.DataFrame:
    """``dropouts.csv`` (internal only): one row per participant who withdrew or was excluded.

    For each: where they were (cohort, site, referral route), why they left, the last programme
    week they attended and its date, and the sessions attended of those their cohort held.
    Ordered by the date of the last attended session, people who never attended first.

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.

    Returns
    -------
    DataFrame
        participant_id, cohort_id, site, referral_route, exit_reason, last_attended_week and
        last_attended_date (``YYYY-MM-DD``), both empty for someone who never attended (the page
        reads "never"), attended, scheduled.

    Examples
    --------
    >>> import evalkit
    >>> table = dropout_list(evalkit.load("data/sample"))
    >>> len(table), table["exit_reason"].value_counts().to_dict()
    (39, {'withdrew': 31, 'excluded': 8})
    """
    progress = participant_progress(dataset)
    left = progress[progress["dropped_out"]].reset_index(drop=True)
    table = pd.DataFrame({
        "participant_id": left["participant_id"].astype(str),
        "cohort_id": left["cohort_id"].astype(str),
        "site": left["site"].astype(str),
        "referral_route": left["referral_route"].astype(str),
        "exit_reason": left["exit_reason"].astype(str),
        "last_attended_week": _last_week(left["last_week_attended"]),
        "last_attended_date": pd.Series(_last_attended_dates(left, dataset), dtype=object),
        "attended": left["attended"].astype(int),
        "scheduled": left["scheduled"].astype(int),
    })
    order = table.assign(_seen=table["last_attended_date"].notna(),
                         _date=table["last_attended_date"].fillna(""))
    order = order.sort_values(["_seen", "_date", "participant_id"], kind="stable")
    return table.loc[order.index].reset_index(drop=True)


def follow_up_list(dataset: Dataset, *, min_run: int = DEFAULT_FOLLOW_UP_RUN) -> pd.DataFrame:
    """``follow_up.csv`` (internal only): participants with unnotified absences in a row.

    Participants with ``min_run`` or more consecutive unnotified absences, still-active
    participants first (``active``: exit reason ``ongoing``; they can still be reached), then by
    the length of the run (``docs/methods.md#absences-and-the-follow-up-flag``). Each row gives
    the dates of the missed sessions (those in runs of at least ``min_run``) and of the last
    session attended.

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.
    min_run
        Shortest run of unnotified absences that flags a participant.

    Returns
    -------
    DataFrame
        participant_id, cohort_id, exit_reason, last_attended_week, last_attended_date (both
        empty for someone who never attended), longest_unnotified_run, missed_dates (``YYYY-MM-DD``: a run of two as both dates, a
        longer one as "first to last"; runs joined by "; "), active.

    Examples
    --------
    >>> import evalkit
    >>> follow_up_list(evalkit.load("data/sample")).columns.tolist()[-3:]
    ['longest_unnotified_run', 'missed_dates', 'active']
    """
    sessions = participant_sessions(dataset).sort_values(["participant_id", "programme_week"],
                                                         kind="stable", ignore_index=True)
    unnotified = sessions["status"].astype(str).eq("absent_unnotified")
    ids = sessions["participant_id"].astype(str).rename("participant_id")
    runs = longest_runs(unnotified, ids)
    flagged = runs[runs >= min_run].rename("longest_unnotified_run").reset_index()
    # Each register row's run, to keep the dates of the long runs only.
    run = ((unnotified != unnotified.shift()) | (ids != ids.shift())).cumsum()
    run_length = unnotified.groupby(run).transform("size")
    missed = sessions[unnotified & (run_length >= min_run)]
    dates = _session_dates(dataset)
    missed = pd.DataFrame({"who": ids[missed.index], "run": run[missed.index], "date": [
        dates.get((str(c), int(w))) for c, w in zip(missed["cohort_id"], missed["programme_week"],
                                                    strict=True)]})
    missed_dates = (missed.groupby(["who", "run"], sort=False)["date"].agg(_dates_of_run)
                    .groupby(level="who", sort=False).agg("; ".join))
    progress = participant_progress(dataset)
    progress = progress.assign(participant_id=progress["participant_id"].astype(str),
                               last_attended_date=_last_attended_dates(progress, dataset))
    table = flagged.merge(progress[["participant_id", "cohort_id", "exit_reason",
                                    "last_week_attended", "last_attended_date"]],
                          on="participant_id", how="left")
    table["missed_dates"] = table["participant_id"].map(missed_dates)
    table["active"] = table["exit_reason"].astype(str).eq("ongoing")
    table = table.rename(columns={"last_week_attended": "last_attended_week"})
    table["last_attended_week"] = _last_week(table["last_attended_week"])
    table["cohort_id"] = table["cohort_id"].astype(str)
    table["exit_reason"] = table["exit_reason"].astype(str)
    table = table.sort_values(["active", "longest_unnotified_run", "participant_id"],
                              ascending=[False, False, True], kind="stable", ignore_index=True)
    return table[["participant_id", "cohort_id", "exit_reason", "last_attended_week",
                  "last_attended_date", "longest_unnotified_run", "missed_dates", "active"]]


def follow_up_counts(follow_up: pd.DataFrame, dropouts: pd.DataFrame) -> pd.DataFrame:
    """``follow_up_counts.csv`` (internal only): how many people each list holds.

    Parameters
    ----------
    follow_up
        :func:`follow_up_list`.
    dropouts
        :func:`dropout_list`.

    Returns
    -------
    DataFrame
        ``metric, value`` rows: follow_up_active, follow_up_left, dropouts.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> follow_up_counts(follow_up_list(dataset), dropout_list(dataset))["value"].tolist()
    [2, 40, 39]
    """
    active = int(follow_up["active"].sum())
    return metric_frame({"follow_up_active": active, "follow_up_left": len(follow_up) - active,
                         "dropouts": len(dropouts)})


def attendance_matrix(dataset: Dataset) -> pd.DataFrame:
    """Participants x programme weeks as long rows, for the heat map (internal only).

    A row of the heat map is one person, though no id is kept. Rows are numbered by the last week
    attended, drop-outs first; weeks without a held session are absent from the table.

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.

    Returns
    -------
    DataFrame
        ``row, programme_week, attended`` (1 attended, 0 absent).

    Examples
    --------
    >>> import evalkit
    >>> matrix = attendance_matrix(evalkit.load("data/sample"))
    >>> matrix.columns.tolist(), int(matrix["row"].nunique())
    (['row', 'programme_week', 'attended'], 130)
    """
    sessions = participant_sessions(dataset)
    order = participant_progress(dataset).sort_values("last_week_attended", kind="stable")
    row_of = {pid: i for i, pid in enumerate(order["participant_id"].astype(str))}
    cells = (sessions.assign(participant_id=sessions["participant_id"].astype(str))
             .groupby(["participant_id", "programme_week"], observed=True)["present"].max()
             .reset_index())
    cells["row"] = cells["participant_id"].map(row_of)
    cells["attended"] = cells["present"].astype(int)
    cells["programme_week"] = cells["programme_week"].astype(int)
    return cells.sort_values(["row", "programme_week"], ignore_index=True)[
        ["row", "programme_week", "attended"]]


# --- published tables ------------------------------------------------------------------------------

_RATE = "share of participant-sessions attended"
# Completed, dropped out, left otherwise: shares of one split (two of them give the third).
_EXITS = ("completed_recorded", "dropped_out", "left_otherwise")

TABLES = (
    TableSpec(
        "attendance_summary", "Attendance, completion and drop-out",
        (Col("metric", "label", "what the row measures"),
         Col("value", "statistic", "the figure (see the metric's own kind)"),
         *interval()),
        metrics=(
            Col("participants", "people", "participants in the data", label="participants"),
            Col("participant_sessions", "people",
                "participant-sessions held (a participant scheduled for a session not cancelled)",
                label="participant-sessions held", rests_on=("participants",)),
            Col("sessions_attended", "people", "participant-sessions attended (incl. late, left "
                "early)", label="participant-sessions attended", rests_on=("participants",)),
            Col("attendance_rate", "share", _RATE + "; interval treats each participant's "
                "sessions as a cluster", label="attendance rate", part="sessions_attended",
                whole="participant_sessions", rests_on=("participants",), clustered=True),
            Col("completed_recorded", "people", "participants recorded as having completed",
                label="completed (recorded)"),
            Col("completion_rate_recorded", "share", "share of participants recorded as having "
                "completed", label="completion (recorded)", part="completed_recorded",
                whole="participants", split_parts=_EXITS),
            Col("completed_attendance", "people", "participants who attended at least 80% of "
                "their scheduled sessions", label="attended at least 80%"),
            Col("completion_rate_attendance", "share", "share of participants who attended at "
                "least 80% of their scheduled sessions", label="completion (attendance)",
                part="completed_attendance", whole="participants"),
            Col("dropped_out", "people", "participants who withdrew or were excluded",
                label="dropped out"),
            Col("dropout_rate", "share", "share of participants who withdrew or were excluded",
                label="drop-out", part="dropped_out", whole="participants", split_parts=_EXITS),
            Col("left_otherwise", "people", "participants who neither completed nor withdrew or "
                "were excluded (still attending, moved away, in custody, other)"),
        ),
        # No participant-sessions for a funder: with one cohort they are its size times the
        # sessions it held (shown exactly elsewhere), so even rounded they gave its exact size.
        unit="participants").for_funder(
        ci_low="interval", ci_high="interval", participants="rounded", attendance_rate="percent",
        completed_recorded="rounded", completion_rate_recorded="percent",
        completed_attendance="rounded", completion_rate_attendance="percent",
        dropped_out="rounded", dropout_rate="percent"),
    TableSpec(
        "attendance_by_week", "Attendance by programme week",
        (Col("programme_week", "number", "week of the programme", label="week"),
         Col("sessions_held", "count", "sessions held that week"),
         Col("sessions_cancelled", "count", "sessions cancelled that week"),
         Col("scheduled", "people", "participants scheduled for a held session that week"),
         Col("attended", "people", "participants who attended"),
         Col("attendance_rate", "share", "share of scheduled participants who attended",
             label="attendance", part="attended", whole="scheduled"),
         *interval("the Wilson 95% interval", fmt="percent", follows="attendance_rate")),
        unit="participants").for_funder(
        programme_week="shown", sessions_held="shown", sessions_cancelled="shown",
        scheduled="rounded", attended="rounded", attendance_rate="percent", ci_low="interval",
        ci_high="interval"),
    TableSpec(
        "attendance_by_group", "Attendance rate by site, referral route, cohort, module and mode",
        (Col("factor", "label", "what the groups are"),
         Col("group", "label", "the group"),
         Col("participants", "people", "participants with at least one held session in the group"),
         Col("scheduled", "people", "participant-sessions held", rests_on=("participants",)),
         Col("attended", "people", "participant-sessions attended", rests_on=("participants",)),
         Col("attendance_rate", "share", _RATE, label="attendance", part="attended",
             whole="scheduled", rests_on=("participants",), clustered=True),
         *interval("the 95% interval (participants as clusters)", fmt="percent", follows="attendance_rate")),
        # No participant-sessions for a funder: a group's scheduled sessions are its size times
        # the sessions it held (exact, since sessions are not people), so even rounded they gave
        # each cohort's exact size, and with the total, a withheld cohort's.
        unit="participants").for_funder(
        factor="shown", group="shown", participants="rounded", attendance_rate="percent",
        ci_low="interval", ci_high="interval"),
    TableSpec(
        "module_completion", "Participants who attended every session of each module",
        (Col("module", "label", "curriculum module"),
         Col("participants", "people", "participants scheduled for the module"),
         Col("completed", "people", "participants who attended every held session of it"),
         Col("completion_rate", "share", "share who attended every held session",
             label="completed", part="completed", whole="participants"),
         *interval("the Wilson 95% interval", fmt="percent", follows="completion_rate")),
        unit="participants").for_funder(
        module="shown", participants="rounded", completed="rounded", completion_rate="percent",
        ci_low="interval", ci_high="interval"),
    TableSpec(
        "retention_milestones", "Share still on the programme after every fourth week",
        (Col("group_by", "label", "what the groups are ('all' for everyone)"),
         Col("group", "label", "the group"),
         Col("week", "number", "programme week: still on the programme after it", label="after week"),
         Col("followed", "people", "participants followed to the week: those who dropped out by "
             "then and those still on the programme (or recorded as having completed); people who "
             "left for another reason earlier are not followed", label="followed"),
         # Withheld with its share: a rounded count still on beside a rounded count followed
         # would give the withheld share back to within a few points.
         Col("retained", "people", "participants still on the programme after the week, or "
             "recorded as having completed", label="still on", follows="share"),
         # The groups of one grouping add up to everyone: if one group's share is withheld, the
         # others' would give it away with the share of everyone, so all of them go.
         # Consecutive milestones shown differ by those who left between them: at least 5.
         Col("share", "share", "share of those followed still on the programme after the week",
             label="still on the programme", part="retained", whole="followed",
             split_by=("group_by", "week"), steps_along=("group_by", "group", "week")),
         *interval("the Wilson 95% interval", fmt="percent", follows="share")),
        unit="participants").for_funder(
        group_by="shown", group="shown", week="shown", followed="rounded", retained="rounded",
        share="percent", ci_low="interval", ci_high="interval"),
    TableSpec(
        "retention", "Share still on the programme, week by week (Kaplan-Meier)",
        (Col("group_by", "label", "what the curves are grouped by ('all' for everyone)"),
         Col("group", "label", "the group"),
         Col("time", "number", "programme week (of the last session attended)", label="week"),
         Col("at_risk", "people", "participants still on the programme at the start of the week"),
         Col("events", "people", "participants who dropped out after this week", label="left"),
         Col("survival", "statistic", "estimated share still on the programme after the week",
             fmt="percent", rests_on=("at_risk",), label="still on the programme"),
         *interval("the 95% band (log-log)", fmt="percent", follows="survival", label="95% band from")),
        # Exact steps put each drop-out in its week: for researchers and the team only.
        unit="participants", audiences=("research", "internal")),
    TableSpec(
        "logrank", "Does retention differ between groups? (log-rank tests)",
        (Col("factor", "label", "what the groups are"),
         Col("groups", "count", "number of groups compared"),
         Col("smallest_group", "people", "participants in the smallest group"),
         Col("groups_left_out", "count", "groups smaller than the reporting threshold, left out"),
         Col("chi2", "statistic", "log-rank chi-square", label="chi-square",
             rests_on=("smallest_group",)),
         Col("df", "count", "degrees of freedom", label="degrees of freedom"),
         Col("p", "p_value", "p-value", rests_on=("smallest_group",)),
         Col("note", "text", "why no test was possible, if so")),
        unit="participants", appendix=True, audiences=("research", "internal")),
    TableSpec(
        "absences", "Absences and advance notice",
        (Col("metric", "label", "what the row measures"),
         Col("value", "statistic", "the figure")),
        metrics=(
            Col("participants", "people", "participants with a held session"),
            Col("absences", "people", "absences from held sessions (participant-sessions)",
                rests_on=("participants",)),
            Col("absences_unnotified", "people", "absences not notified in advance",
                label="absences not notified", rests_on=("participants",)),
            # Its counts rest on participants, so it does too (TableSpec closes rests_on over
            # part and whole): one person's absences are never a share on a funder's page.
            Col("unnotified_share", "share", "share of absences not notified in advance",
                label="not notified in advance", part="absences_unnotified", whole="absences"),
        ),
        unit="participants").for_funder(
        participants="rounded", absences="rounded", absences_unnotified="rounded",
        unnotified_share="percent"),
    TableSpec(
        "follow_up", "Participants with unnotified absences in a row (to follow up)",
        (Col("participant_id", "id", "pseudonymous participant id", label="participant"),
         Col("cohort_id", "label", "cohort", label="cohort"),
         Col("exit_reason", "label", "exit reason, or ongoing"),
         Col("last_attended_week", "number", "last programme week attended (empty: none)",
             label="last week attended", empty="never"),
         Col("last_attended_date", "label", "date of the last session attended (YYYY-MM-DD; "
             "empty: none attended)", fmt="code", label="last attended on", empty="never"),
         Col("longest_unnotified_run", "count", "longest run of unnotified absences in a row",
             label="most missed in a row"),
         Col("missed_dates", "label", "dates of the sessions missed without notice in those "
             "runs (YYYY-MM-DD; a longer run as its first and last date)", fmt="code",
             label="missed without notice on"),
         Col("active", "flag", "still on the programme (can still be reached)",
             label="still on the programme")),
        unit="participants", internal=True),
    TableSpec(
        "follow_up_counts", "People on the follow-up and drop-out lists",
        (Col("metric", "label", "what the row counts"),
         Col("value", "statistic", "the figure")),
        metrics=(
            Col("follow_up_active", "people", "people still on the programme with unnotified "
                "absences in a row", label="to follow up, still on the programme"),
            Col("follow_up_left", "people", "people who have left with unnotified absences in "
                "a row", label="to follow up, left"),
            Col("dropouts", "people", "people who withdrew or were excluded",
                label="dropped out"),
        ),
        unit="participants", internal=True),
    TableSpec(
        "dropouts", "Participants who withdrew or were excluded",
        (Col("participant_id", "id", "pseudonymous participant id", label="participant"),
         Col("cohort_id", "label", "cohort", label="cohort"),
         Col("site", "label", "delivery site"),
         Col("referral_route", "label", "how they were referred"),
         Col("exit_reason", "label", "withdrew or excluded"),
         Col("last_attended_week", "number", "last programme week attended (empty: none)",
             label="last week attended", empty="never"),
         Col("last_attended_date", "label", "date of the last session attended (YYYY-MM-DD; "
             "empty: none attended)", fmt="code", label="last attended on", empty="never"),
         Col("attended", "count", "sessions attended (incl. late, left early)"),
         Col("scheduled", "count", "sessions their cohort held", label="of scheduled")),
        unit="participants", internal=True),
    TableSpec(
        "attendance_matrix", "Attendance of each participant by week (no ids)",
        (Col("row", "number", "one participant (ordered by last week attended; no id)"),
         Col("programme_week", "number", "programme week"),
         Col("attended", "flag", "attended a held session that week")),
        unit="participants", internal=True),
)


def compute(dataset: Dataset, *, min_cell: int = 5) -> dict[str, pd.DataFrame | str]:
    """Every attendance table for one data folder.

    Parameters
    ----------
    dataset
        A loaded data folder with participants, sessions and attendance.
    min_cell
        Smallest group a report describes: smaller groups are left out of the log-rank tests.
        Nothing else is merged or dropped before publishing.

    Returns
    -------
    dict of str to DataFrame
        One table per declared table name (see ``TABLES``).

    Examples
    --------
    >>> import evalkit
    >>> sorted(compute(evalkit.load("data/sample")))[:4]
    ['absences', 'attendance_by_group', 'attendance_by_week', 'attendance_matrix']
    """
    progress = participant_progress(dataset)
    follow_up, dropouts = follow_up_list(dataset), dropout_list(dataset)
    length = programme_length(dataset)
    return {
        "attendance_summary": attendance_summary(dataset, progress=progress),
        "attendance_by_week": attendance_by_week(dataset),
        "attendance_by_group": attendance_by_group(dataset),
        "module_completion": module_completion(dataset),
        "retention_milestones": pd.concat(
            [retention_milestones(progress, length=length, between=by)
             for by in (None, "site", "referral_route")], ignore_index=True),
        "retention": pd.concat([retention(progress), retention(progress, between="site"),
                                retention(progress, between="referral_route")], ignore_index=True),
        "logrank": pd.concat([logrank(progress, between="site", min_group=min_cell),
                              logrank(progress, between="referral_route", min_group=min_cell)],
                             ignore_index=True),
        "absences": absence_summary(dataset),
        "follow_up": follow_up,
        "follow_up_counts": follow_up_counts(follow_up, dropouts),
        "dropouts": dropouts,
        "attendance_matrix": attendance_matrix(dataset),
    }


ANALYSIS = Analysis(
    name="attendance",
    title="attendance, completion, drop-out and retention",
    tables=TABLES,
    compute=compute,
    needs=("participants", "sessions", "attendance"),
)
