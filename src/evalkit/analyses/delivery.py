"""Delivery fidelity: was each session delivered as planned?

Fidelity of a session = sum(min(delivered, planned)) / sum(planned) over its non-optional
exercises: running over on one exercise does not make up for cutting another. A held session of a
module with exercise detail but no row at all in ``delivery.csv`` is *not recorded* and left out of
the means (counted in ``sessions_not_recorded``); a session with some rows counts a missing
exercise as not delivered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..errors import MissingDataError
from ._base import Analysis
from .tables import Col, TableSpec


def _planned_sessions(dataset: Dataset) -> pd.DataFrame:
    """Held sessions of modules that have exercise detail, crossed with their exercises."""
    if not dataset.has("sessions", "curriculum"):
        raise MissingDataError("delivery fidelity needs sessions.csv and curriculum.csv")
    sessions = dataset.sessions[~dataset.sessions["cancelled"].fillna(False)]
    curriculum = dataset.curriculum
    grid = sessions[["session_id", "cohort_id", "module", "module_session", "facilitator_ids"]] \
        .merge(curriculum[["module", "module_session", "exercise_id", "exercise_title",
                           "planned_minutes", "optional_exercise"]],
               on=["module", "module_session"], how="inner")
    if dataset.has("delivery"):
        delivered = dataset.delivery[["session_id", "exercise_id", "delivered_minutes"]]
        grid = grid.merge(delivered, on=["session_id", "exercise_id"], how="left")
        recorded = grid.groupby("session_id")["delivered_minutes"].transform(
            lambda s: s.notna().any())
    else:
        grid["delivered_minutes"] = pd.array([pd.NA] * len(grid), dtype="Int64")
        recorded = pd.Series(False, index=grid.index)
    grid["recorded"] = recorded.astype(bool)
    grid["delivered_minutes"] = grid["delivered_minutes"].fillna(0).astype(int)
    grid["planned_minutes"] = grid["planned_minutes"].astype(int)
    grid["optional_exercise"] = grid["optional_exercise"].fillna(False).astype(bool)
    grid["credited_minutes"] = np.minimum(grid["delivered_minutes"], grid["planned_minutes"])
    return grid


def session_fidelity(dataset: Dataset) -> pd.DataFrame:
    """One row per held session of a module with exercise detail, with its fidelity.

    Fidelity is the minutes credited (each non-optional exercise up to its plan) over the minutes
    planned; it is missing when the session's delivery was not recorded (see
    ``docs/methods.md#delivery-fidelity``).

    Parameters
    ----------
    dataset
        A loaded data folder with ``sessions.csv`` and ``curriculum.csv`` (``delivery.csv`` too,
        or no session counts as recorded).

    Returns
    -------
    DataFrame
        ``session_id, cohort_id, module, module_session, facilitator_ids, recorded,
        planned_minutes, credited_minutes, fidelity``.

    Raises
    ------
    MissingDataError
        When sessions or curriculum are absent.

    Examples
    --------
    >>> import evalkit
    >>> table = session_fidelity(evalkit.load("data/sample"))
    >>> table[["session_id", "planned_minutes", "credited_minutes"]].head(2)
      session_id  planned_minutes  credited_minutes
    0    c01-w13              120               104
    1    c01-w14              110                97
    """
    grid = _planned_sessions(dataset)
    core = grid[~grid["optional_exercise"]]
    table = core.groupby(["session_id", "cohort_id", "module", "module_session",
                          "facilitator_ids"], observed=True, sort=True).agg(
        recorded=("recorded", "first"),
        planned_minutes=("planned_minutes", "sum"),
        credited_minutes=("credited_minutes", "sum"),
    ).reset_index()
    table["fidelity"] = (table["credited_minutes"] / table["planned_minutes"]).where(
        table["recorded"])
    return table


def delivery_fidelity(dataset: Dataset) -> pd.DataFrame:
    """``delivery_fidelity.csv``: the fidelity of each module session over the cohorts.

    Per module session: the sessions recorded, their mean and lowest fidelity, how many were
    delivered in full, and how many held sessions were not recorded.

    Parameters
    ----------
    dataset
        A loaded data folder, as for :func:`session_fidelity`.

    Returns
    -------
    DataFrame
        module, module_session, session_title, sessions, mean_fidelity, min_fidelity,
        sessions_full, sessions_not_recorded.

    Examples
    --------
    >>> import evalkit
    >>> table = delivery_fidelity(evalkit.load("data/sample"))
    >>> table[["module_session", "session_title", "sessions", "sessions_full"]]
       module_session       session_title  sessions  sessions_full
    0               1  Learning about sex        11              3
    1               2   Sexual pressuring        12              1
    2               3   Building intimacy        12              3
    """
    per_session = session_fidelity(dataset)
    grouped = per_session.groupby(["module", "module_session"], observed=True, sort=True)
    table = grouped.agg(
        sessions=("fidelity", "count"),
        mean_fidelity=("fidelity", "mean"),
        min_fidelity=("fidelity", "min"),
        sessions_full=("fidelity", lambda f: int((f >= 1 - 1e-12).sum())),
        sessions_not_recorded=("recorded", lambda r: int((~r).sum())),
    ).reset_index()
    titles = dataset.curriculum.drop_duplicates(["module", "module_session"])[
        ["module", "module_session", "session_title"]]
    table = table.merge(titles, on=["module", "module_session"], how="left")
    table["module"] = table["module"].astype(str)
    table["module_session"] = table["module_session"].astype(int)
    table["session_title"] = table["session_title"].astype(str)
    return table[["module", "module_session", "session_title", "sessions", "mean_fidelity",
                  "min_fidelity", "sessions_full", "sessions_not_recorded"]]


def exercise_fidelity(dataset: Dataset) -> pd.DataFrame:
    """How each exercise was delivered over the recorded sessions.

    Per exercise: how often it was delivered in full, cut short or left out, and the mean share of
    its planned time delivered (each session's share capped at 1).

    Parameters
    ----------
    dataset
        A loaded data folder, as for :func:`session_fidelity`.

    Returns
    -------
    DataFrame
        module, module_session, exercise_id, exercise_title, planned_minutes, optional_exercise,
        sessions, mean_share_delivered, full_share, cut_short_share, not_delivered_share.

    Examples
    --------
    >>> import evalkit
    >>> table = exercise_fidelity(evalkit.load("data/sample"))
    >>> len(table), float(table["full_share"].max()) <= 1
    (18, True)
    """
    grid = _planned_sessions(dataset)
    grid = grid[grid["recorded"]]
    share = grid["credited_minutes"] / grid["planned_minutes"]
    frame = grid.assign(
        full=share >= 1 - 1e-12,
        cut_short=(share < 1 - 1e-12) & (grid["delivered_minutes"] > 0),
        not_delivered=grid["delivered_minutes"] == 0,
        share=share,
    )
    table = frame.groupby(["module", "module_session", "exercise_id", "exercise_title",
                           "planned_minutes", "optional_exercise"], observed=True, sort=True).agg(
        sessions=("share", "size"),
        mean_share_delivered=("share", "mean"),
        full_share=("full", "mean"),
        cut_short_share=("cut_short", "mean"),
        not_delivered_share=("not_delivered", "mean"),
    ).reset_index()
    return table


def most_cut_short(dataset: Dataset, *, top: int = 5) -> pd.DataFrame:
    """The non-optional exercises most often cut short or left out.

    Parameters
    ----------
    dataset
        A loaded data folder, as for :func:`session_fidelity`.
    top
        How many exercises to list.

    Returns
    -------
    DataFrame
        The columns of :func:`exercise_fidelity` plus ``shortfall_share`` (cut short or left
        out), most often first; ties in exercise id order.

    Examples
    --------
    >>> import evalkit
    >>> table = most_cut_short(evalkit.load("data/sample"), top=2)
    >>> table[["exercise_id", "shortfall_share"]].round(3)
       exercise_id  shortfall_share
    0  sr2_impacts            0.417
    1      sr2_tea            0.417
    """
    table = exercise_fidelity(dataset)
    table = table[~table["optional_exercise"]].copy()
    table["shortfall_share"] = table["cut_short_share"] + table["not_delivered_share"]
    return table.sort_values(["shortfall_share", "exercise_id"], ascending=[False, True]) \
        .head(top).reset_index(drop=True)


def facilitator_pair_fidelity(dataset: Dataset) -> pd.DataFrame:
    """Mean fidelity per facilitator pair; INTERNAL ONLY, because it shows pseudonymous ids.

    Parameters
    ----------
    dataset
        A loaded data folder, as for :func:`session_fidelity`.

    Returns
    -------
    DataFrame
        ``facilitators`` (the pair's ids sorted and joined by " and ", as a reader would say
        them: ``"s01 and s07"``), ``sessions`` (recorded),
        ``mean_fidelity``.

    Examples
    --------
    >>> import evalkit
    >>> facilitator_pair_fidelity(evalkit.load("data/sample")).columns.tolist()
    ['facilitators', 'sessions', 'mean_fidelity']
    """
    per_session = session_fidelity(dataset)
    pairs = per_session["facilitator_ids"].astype(str).map(
        lambda ids: " and ".join(sorted(p.strip() for p in ids.split(";") if p.strip())))
    return (per_session.assign(facilitators=pairs)
            .groupby("facilitators", sort=True)["fidelity"]
            .agg(sessions="count", mean_fidelity="mean").reset_index())


TABLES = (
    TableSpec(
        "delivery_fidelity", "Delivery fidelity of each module session",
        (Col("module", "label", "curriculum module"),
         Col("module_session", "number", "session of the module", label="session"),
         Col("session_title", "label", "title of the session", label="title"),
         Col("sessions", "count", "held sessions whose delivery was recorded"),
         Col("mean_fidelity", "statistic", "mean share of planned minutes delivered (each "
             "exercise credited up to its plan)", fmt="percent", label="mean fidelity"),
         Col("min_fidelity", "statistic", "lowest fidelity of a session", fmt="percent",
             label="lowest"),
         Col("sessions_full", "count", "sessions delivered in full", label="in full"),
         Col("sessions_not_recorded", "count", "held sessions with no delivery record",
             label="not recorded")),
        unit="sessions").for_funder(
        module="shown", module_session="shown", session_title="shown", sessions="shown",
        mean_fidelity="percent", min_fidelity="percent", sessions_full="shown",
        sessions_not_recorded="shown"),
    TableSpec(
        "exercise_fidelity", "How each exercise was delivered",
        (Col("module", "label", "curriculum module"),
         Col("module_session", "number", "session of the module", label="session"),
         Col("exercise_title", "label", "exercise", label="exercise"),
         Col("optional_exercise", "flag", "an optional extra", label="optional"),
         Col("planned_minutes", "count", "planned minutes", label="planned (min)"),
         Col("sessions", "count", "recorded sessions"),
         Col("full_share", "statistic", "share of sessions delivering it in full",
             fmt="percent", label="in full"),
         Col("cut_short_share", "statistic", "share cutting it short", fmt="percent",
             label="cut short"),
         Col("not_delivered_share", "statistic", "share leaving it out", fmt="percent",
             label="left out"),
         Col("mean_share_delivered", "statistic", "mean share of its planned time delivered",
             fmt="percent", label="mean time delivered")),
        unit="sessions").for_funder(
        module="shown", module_session="shown", exercise_title="shown",
        optional_exercise="shown", planned_minutes="shown", sessions="shown",
        full_share="percent", cut_short_share="percent", not_delivered_share="percent",
        mean_share_delivered="percent"),
    TableSpec(
        "facilitator_fidelity", "Fidelity by facilitator pair",
        (Col("facilitators", "id", "pseudonymous ids of the facilitators"),
         Col("sessions", "count", "recorded sessions"),
         Col("mean_fidelity", "statistic", "mean fidelity", fmt="percent")),
        unit="sessions", internal=True),
)


def compute(dataset: Dataset) -> dict[str, pd.DataFrame | str]:
    """Every delivery table for one data folder.

    Parameters
    ----------
    dataset
        A loaded data folder with sessions, curriculum and delivery.

    Returns
    -------
    dict of str to DataFrame
        ``delivery_fidelity``, ``exercise_fidelity`` and ``facilitator_fidelity``.

    Examples
    --------
    >>> import evalkit
    >>> sorted(compute(evalkit.load("data/sample")))
    ['delivery_fidelity', 'exercise_fidelity', 'facilitator_fidelity']
    """
    exercises = exercise_fidelity(dataset)
    exercises["module"] = exercises["module"].astype(str)
    exercises["module_session"] = exercises["module_session"].astype(int)
    exercises["exercise_title"] = exercises["exercise_title"].astype(str)
    exercises["optional_exercise"] = exercises["optional_exercise"].astype(bool)
    exercises["planned_minutes"] = exercises["planned_minutes"].astype(int)
    return {
        "delivery_fidelity": delivery_fidelity(dataset),
        "exercise_fidelity": exercises[["module", "module_session", "exercise_title",
                                        "optional_exercise", "planned_minutes", "sessions",
                                        "full_share", "cut_short_share", "not_delivered_share",
                                        "mean_share_delivered"]],
        "facilitator_fidelity": facilitator_pair_fidelity(dataset),
    }


ANALYSIS = Analysis(
    name="delivery",
    title="delivery fidelity of module sessions",
    tables=TABLES,
    compute=compute,
    needs=("sessions", "curriculum", "delivery"),
)
