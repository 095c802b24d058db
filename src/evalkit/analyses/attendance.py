"""Attendance, completion, drop-out and retention (DESIGN.md section 5).

Definitions, once:

- a *participant-session* is a register row on a session that was not cancelled;
- *attended* counts ``attended``, ``late`` and ``left_early``;
- attendance rate = attended / participant-sessions, with a Wilson 95% interval;
- *scheduled* sessions of a participant are the held sessions of their cohort;
- completion is recorded (``exit_reason == "completed"``) or attendance-based (attended at least
  ``threshold`` of scheduled sessions, 0.8 by default); module completion means attending every held
  session of the module;
- drop-out is ``exit_reason`` in {withdrew, excluded}; retention is a Kaplan-Meier curve over
  programme weeks, time = week of the last attended session (0 if none), censored for every other
  exit reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..data.contracts import PRESENT_STATUSES
from ..data.dataset import Dataset
from ..errors import EvalkitError
from ..stats.proportions import rate_table
from ..stats.survival import kaplan_meier, logrank_test

DROPOUT_REASONS = ("withdrew", "excluded")
DEFAULT_COMPLETION_THRESHOLD = 0.8
DEFAULT_FOLLOW_UP_RUN = 2


def _require(dataset: Dataset, *names: str) -> None:
    absent = [n for n in names if not dataset.has(n)]
    if absent:
        raise EvalkitError("this analysis needs " + ", ".join(f"{n}.csv" for n in absent))


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

    Returns one row per participant-session: ``participant_id, session_id, status, present,
    cohort_id, site, programme_week, module, module_session, delivery_mode, referral_route``.
    Rows on cancelled sessions are dropped (they are not participant-sessions). Ids keep their
    categorical type; labels are text.
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


def attendance_by(dataset: Dataset, by: str | list[str] | None = None) -> pd.DataFrame:
    """Attendance rate overall or by any session or participant attribute.

    ``by`` may be ``programme_week``, ``module``, ``site``, ``cohort_id``, ``delivery_mode``,
    ``referral_route`` or a list of them.
    """
    return rate_table(participant_sessions(dataset), by)


def weeks_without_sessions(dataset: Dataset) -> list[int]:
    """Programme weeks in which every session was cancelled (they have no attendance rate)."""
    _require(dataset, "sessions")
    held = dataset.sessions.groupby("programme_week")["cancelled"].apply(
        lambda c: bool((~c.fillna(False)).any()))
    return [int(w) for w, any_held in held.items() if not any_held]


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
    rows is counted with 0 attended rather than left out.
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


def module_completion(dataset: Dataset) -> pd.DataFrame:
    """Per module: participants scheduled, how many attended every held session of it, the rate."""
    sessions = participant_sessions(dataset)
    held = dataset.sessions[~dataset.sessions["cancelled"].fillna(False)]
    per_cohort = held.groupby(["cohort_id", "module"], observed=True).size().rename("held")
    attended = (sessions[sessions["present"]]
                .groupby(["participant_id", "cohort_id", "module"], observed=True).size()
                .rename("attended").reset_index())
    people = dataset.participants[["participant_id", "cohort_id"]]
    grid = people.merge(per_cohort.reset_index(), on="cohort_id")
    grid = grid.merge(attended, on=["participant_id", "cohort_id", "module"], how="left")
    grid["completed"] = grid["attended"].fillna(0) >= grid["held"]
    table = rate_table(grid, "module", success="completed").rename(columns={
        "scheduled": "participants", "attended": "completed", "attendance_rate": "completion_rate"})
    # Modules in programme order (the week each first runs), not alphabetically.
    first_week = held.groupby("module", observed=True)["programme_week"].min()
    return table.sort_values("module", key=lambda m: m.map(first_week), kind="stable",
                             ignore_index=True)


def attendance_summary(dataset: Dataset,
                       threshold: float = DEFAULT_COMPLETION_THRESHOLD) -> pd.DataFrame:
    """Headline figures as ``metric, value`` (rates as fractions 0-1)."""
    present = _register(dataset)["present"]
    progress = participant_progress(dataset, threshold)
    n = len(progress)
    metrics = {
        "participants": n,
        "participant_sessions": len(present),
        "attendance_rate": present.mean() if len(present) else np.nan,
        "completion_rate_recorded": progress["completed_recorded"].mean() if n else np.nan,
        "completion_rate_attendance": progress["completed_attendance"].mean() if n else np.nan,
        "dropout_rate": progress["dropped_out"].mean() if n else np.nan,
    }
    return pd.DataFrame({"metric": list(metrics), "value": [float(v) for v in metrics.values()]})


# --- retention -------------------------------------------------------------------------------------






def retention(dataset: Dataset, by: str | None = None) -> pd.DataFrame:
    """Kaplan-Meier retention over programme weeks, overall or per group (``site``,
    ``referral_route``). Columns: ``group`` (when ``by``), then those of :func:`kaplan_meier`."""
    progress = participant_progress(dataset)
    if by is None:
        return kaplan_meier(progress["last_week_attended"], progress["dropped_out"])
    parts = []
    for group, part in progress.groupby(by, observed=True, sort=True):
        table = kaplan_meier(part["last_week_attended"], part["dropped_out"])
        table.insert(0, "group", group)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def logrank(dataset: Dataset, by: str) -> pd.DataFrame:
    """Log-rank test that retention curves differ between the groups of ``by``.

    Returns ``groups, chi2, df, p, note`` (one row); see :func:`evalkit.stats.survival.logrank_test`.
    """
    progress = participant_progress(dataset)
    result = logrank_test(progress["last_week_attended"], progress["dropped_out"], progress[by])
    return pd.DataFrame([result])


# --- absences and follow-up ------------------------------------------------------------------------


def absence_patterns(dataset: Dataset) -> pd.DataFrame:
    """Per programme week: participant-sessions, notified and unnotified absences and their shares."""
    sessions = participant_sessions(dataset)
    status = sessions["status"].astype(str)
    table = pd.DataFrame({
        "programme_week": sessions["programme_week"],
        "absent_notified": status.eq("absent_notified"),
        "absent_unnotified": status.eq("absent_unnotified"),
    }).groupby("programme_week").agg(
        participant_sessions=("absent_notified", "size"),
        absent_notified=("absent_notified", "sum"),
        absent_unnotified=("absent_unnotified", "sum"),
    ).reset_index()
    for column in ("absent_notified", "absent_unnotified"):
        table[f"{column}_share"] = table[column] / table["participant_sessions"]
    return table


def unnotified_absence_share(dataset: Dataset) -> float:
    """Share of all absences (on held sessions) that were not notified in advance."""
    table = absence_patterns(dataset)
    absences = table["absent_notified"].sum() + table["absent_unnotified"].sum()
    return float(table["absent_unnotified"].sum() / absences) if absences else float("nan")


def longest_runs(flags: pd.Series, groups: pd.Series) -> pd.Series:
    """Longest run of consecutive True values within each group (rows already in order)."""
    flags = flags.to_numpy(dtype=bool)
    group_codes, group_names = pd.factorize(groups)
    # A new run starts wherever the flag or the group changes.
    change = np.r_[True, (flags[1:] != flags[:-1]) | (group_codes[1:] != group_codes[:-1])]
    run_id = np.cumsum(change)
    lengths = pd.Series(flags.astype(int)).groupby(run_id).transform("sum").to_numpy()
    best = pd.Series(np.where(flags, lengths, 0)).groupby(group_codes).max()
    return pd.Series(best.to_numpy(), index=pd.Index(group_names[best.index], name=groups.name))


def follow_up_list(dataset: Dataset, min_run: int = DEFAULT_FOLLOW_UP_RUN) -> pd.DataFrame:
    """INTERNAL ONLY: participants with ``min_run`` or more consecutive unnotified absences.

    Participants who have already left (any exit reason other than ``ongoing`` or ``completed``)
    are listed too, flagged by ``exit_reason``, so staff can see whether contact was attempted.
    Returns ``participant_id, cohort_id, exit_reason, longest_unnotified_run``.
    """
    sessions = participant_sessions(dataset).sort_values(["participant_id", "programme_week"],
                                                         kind="stable")
    runs = longest_runs(sessions["status"].astype(str).eq("absent_unnotified"),
                        sessions["participant_id"].rename("participant_id"))
    flagged = runs[runs >= min_run].rename("longest_unnotified_run").reset_index()
    people = dataset.participants[["participant_id", "cohort_id", "exit_reason"]]
    return (flagged.merge(people, on="participant_id", how="left")
            [["participant_id", "cohort_id", "exit_reason", "longest_unnotified_run"]]
            .sort_values(["longest_unnotified_run", "participant_id"], ascending=[False, True])
            .reset_index(drop=True))


def attendance_matrix(dataset: Dataset) -> pd.DataFrame:
    """Participants x programme weeks: 1 attended, 0 absent, NaN no session held.

    Rows are ordered by the last week attended (drop-outs first) and carry no ids: the index is a
    plain row number, so the matrix can be plotted without revealing anyone.
    """
    sessions = participant_sessions(dataset)
    matrix = sessions.pivot_table(index="participant_id", columns="programme_week",
                                  values="present", aggfunc="max", observed=True).astype(float)
    order = participant_progress(dataset).set_index("participant_id")["last_week_attended"]
    matrix = matrix.reindex(order.sort_values(kind="stable").index)
    return matrix.reset_index(drop=True)
