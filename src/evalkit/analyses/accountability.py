"""Community accountability processes: how a person who caused harm engages with a contact group.

Every measure describes the responsible person's engagement and the group's follow-through,
never the survivor. The events file is ``accountability_events.csv`` (DESIGN.md section 2).

Definitions (one place, tested against a hand-worked timeline):

* **first message**: the earliest ``message_sent`` by the contact group; **days to first
  response**: from it to the first ``response_received`` on or after it.
* **answered message**: a contact-group message followed by a response on or after its date and
  before the next contact-group message (for the last message: before the end of the record).
* **engagement**: a response, a meeting held, or a demand met or refused. The **longest
  silence** is the longest gap in days between the first message, each engagement after it and
  the end of the record (the process's closing date, or ``as_of`` when it is still open).
* **demands**: each ``demand_id`` is set, then met, refused or still outstanding; **days open**
  runs from being set to its outcome, or to the end of the record when outstanding.
* ``as_of`` defaults to the latest event in the file, so results do not change with the day
  they are computed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ENGAGEMENT = ("response_received", "meeting_held", "demand_met", "demand_refused")
DEMAND_OUTCOMES = ("met", "refused", "outstanding")
SUMMARY_METRICS = (
    "processes", "processes_with_response", "processes_closed", "median_days_to_first_response",
    "meetings_scheduled", "meetings_held", "meetings_missed", "demands_set", "demands_met",
    "demands_refused", "demands_outstanding",
)


def _events(dataset) -> pd.DataFrame:
    events = dataset.accountability_events.copy()
    events["process_id"] = events["process_id"].astype(str)
    events["event_type"] = events["event_type"].astype(str)
    events["actor"] = events["actor"].astype(str)
    # Files need not be in date order; a stable sort keeps same-day events in file order.
    return events.sort_values(["process_id", "event_date"], kind="stable", ignore_index=True)


def default_as_of(dataset) -> pd.Timestamp:
    """The latest event date in the file: the end of the record for processes still open."""
    return pd.Timestamp(dataset.accountability_events["event_date"].max())


def demands(dataset, as_of=None) -> pd.DataFrame:
    """One row per demand: when it was set, its outcome and how long it has been or was open.

    A demand whose outcome is dated before it was set, or that has an outcome but was never set,
    is kept with ``problem`` saying so and no ``days_open`` (the dates cannot both be right).

    Returns
    -------
    DataFrame
        process_id, demand_id, set_date, outcome (met, refused, outstanding), outcome_date,
        days_open, problem.
    """
    as_of = default_as_of(dataset) if as_of is None else pd.Timestamp(as_of)
    return _demand_table(_events(dataset), as_of)


def _demand_table(events: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    closed = closing_dates(events)
    demand_events = events[events["event_type"].str.startswith("demand_")]
    rows = []
    for (process, demand), group in demand_events.groupby(["process_id", "demand_id"],
                                                          sort=True, observed=True):
        set_dates = group.loc[group["event_type"] == "demand_set", "event_date"]
        outcomes = group[group["event_type"].isin(["demand_met", "demand_refused"])]
        set_date = set_dates.min() if len(set_dates) else pd.NaT
        if len(outcomes):
            first = outcomes.iloc[0]
            outcome = first["event_type"].removeprefix("demand_")
            outcome_date = first["event_date"]
        else:
            outcome, outcome_date = "outstanding", pd.NaT
        end = outcome_date if pd.notna(outcome_date) else closed.get(process, as_of)
        problem = ""
        if pd.isna(set_date):
            problem = "outcome recorded but the demand was never set"
        elif pd.notna(outcome_date) and outcome_date < set_date:
            problem = "outcome dated before the demand was set"
        days_open = (end - set_date).days if not problem else np.nan
        rows.append({"process_id": process, "demand_id": str(demand), "set_date": set_date,
                     "outcome": outcome, "outcome_date": outcome_date, "days_open": days_open,
                     "problem": problem})
    columns = ["process_id", "demand_id", "set_date", "outcome", "outcome_date", "days_open",
               "problem"]
    return pd.DataFrame(rows, columns=columns)


def closing_dates(events: pd.DataFrame) -> dict:
    """Process id -> date of its first ``process_closed`` event."""
    closed = events[events["event_type"] == "process_closed"]
    return closed.groupby("process_id")["event_date"].min().to_dict()


def _answered_share(messages: np.ndarray, responses: np.ndarray, end) -> tuple[int, int]:
    """How many messages got a response on or after their date and before the next message."""
    messages = np.sort(messages)
    answered = 0
    for i, start in enumerate(messages):
        following = messages[i + 1] if i + 1 < len(messages) else None
        if following is not None and following > start:
            hit = (responses >= start) & (responses < following)
        else:  # the last message (answered up to the end of the record), or two sent one day
            stop = np.datetime64(end, "ns") if following is None else following
            hit = (responses >= start) & (responses <= stop)
        answered += bool(hit.any())
    return answered, len(messages)


def process_measures(dataset, as_of=None) -> pd.DataFrame:
    """Per-process measures (internal audience: one row is one process).

    Returns
    -------
    DataFrame
        process_id, events, first_event, first_message, first_response, days_to_first_response,
        messages, messages_answered, answered_share, longest_silence_days, meetings_scheduled,
        meetings_held, meetings_missed, demands_set, demands_met, demands_refused,
        demands_outstanding, longest_open_demand_days, closed, closed_date, end_of_record.
    """
    as_of = default_as_of(dataset) if as_of is None else pd.Timestamp(as_of)
    events = _events(dataset)
    closed = closing_dates(events)
    demand_table = _demand_table(events, as_of)
    rows = []
    for process, group in events.groupby("process_id", sort=True):
        end = closed.get(process, as_of)
        kind = group["event_type"]
        messages = group.loc[(kind == "message_sent") & (group["actor"] == "contact_group"),
                             "event_date"].to_numpy()
        first_message = messages.min() if len(messages) else np.datetime64("NaT")
        responses = group.loc[kind == "response_received", "event_date"].to_numpy()
        after_first = responses[responses >= first_message] if len(messages) else responses[:0]
        first_response = after_first.min() if len(after_first) else np.datetime64("NaT")
        answered, sent = _answered_share(messages, responses, end)
        engaged = group.loc[kind.isin(ENGAGEMENT), "event_date"].to_numpy()
        silence = np.nan
        if len(messages):
            points = np.sort(np.r_[first_message, engaged[engaged >= first_message],
                                   np.datetime64(end, "ns")])
            silence = float(np.diff(points).max() / np.timedelta64(1, "D"))
        own = demand_table[demand_table["process_id"] == process]
        outcome_counts = own["outcome"].value_counts()
        rows.append({
            "process_id": process, "events": len(group), "first_event": group["event_date"].min(),
            "first_message": pd.Timestamp(first_message), "first_response":
                pd.Timestamp(first_response),
            "days_to_first_response": (pd.Timestamp(first_response)
                                       - pd.Timestamp(first_message)).days
            if not (np.isnat(first_message) or np.isnat(first_response)) else np.nan,
            "messages": sent, "messages_answered": answered,
            "answered_share": answered / sent if sent else np.nan,
            "longest_silence_days": silence,
            "meetings_scheduled": int((kind == "meeting_scheduled").sum()),
            "meetings_held": int((kind == "meeting_held").sum()),
            "meetings_missed": int((kind == "meeting_missed").sum()),
            "demands_set": int(own["set_date"].notna().sum()),
            **{f"demands_{o}": int(outcome_counts.get(o, 0)) for o in DEMAND_OUTCOMES},
            "longest_open_demand_days": own.loc[own["outcome"] == "outstanding",
                                                "days_open"].max(),
            "closed": process in closed, "closed_date": closed.get(process, pd.NaT),
            "end_of_record": end,
        })
    return pd.DataFrame(rows)


def accountability_summary(measures: pd.DataFrame) -> pd.DataFrame:
    """``accountability_summary.csv``: the metrics of DESIGN.md section 7 across processes.

    Returns
    -------
    DataFrame
        metric, value (in the order of ``SUMMARY_METRICS``, then extra medians).
    """
    responded = measures["days_to_first_response"].notna()
    values = {
        "processes": len(measures),
        "processes_with_response": int(responded.sum()),
        "processes_closed": int(measures["closed"].sum()),
        "median_days_to_first_response": float(measures.loc[responded,
                                                            "days_to_first_response"].median())
        if responded.any() else np.nan,
        **{m: int(measures[m].sum()) for m in SUMMARY_METRICS[4:]},
        "median_answered_share": float(measures["answered_share"].median()),
        "median_longest_silence_days": float(measures["longest_silence_days"].median()),
    }
    # object dtype keeps counts as whole numbers next to the medians
    return pd.DataFrame({"metric": list(values), "value": pd.Series(list(values.values()),
                                                                    dtype=object)})


def protect_summary(summary: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """The summary as a funder may see it (DESIGN.md section 6).

    Each process concerns one responsible person, so process counts below ``min_cell`` are
    hidden, and so is a count whose remainder (processes without a response, not closed) is. A
    median from fewer than ``min_cell`` processes is withheld. Demand outcomes add up to the
    demands set, so they get secondary suppression; meeting counts below ``min_cell`` are
    hidden.
    """
    from ..publish.disclosure import suppress

    values = dict(zip(summary["metric"], summary["value"], strict=True))
    shown: dict[str, object] = {}
    processes = pd.DataFrame({"metric": ["processes_with_response", "processes_closed"],
                              "n": [values["processes_with_response"], values["processes_closed"]],
                              "total": values["processes"]})
    for metric, n in zip(processes["metric"], suppress(processes, "n", min_cell, within="metric",
                                                       total="total")["n"], strict=True):
        shown[metric] = n
    shown["processes"] = suppress(pd.DataFrame({"n": [values["processes"]]}), "n",
                                  min_cell)["n"].iloc[0]
    few = values["processes"] < min_cell
    for median, basis in (("median_days_to_first_response", "processes_with_response"),
                          ("median_answered_share", "processes"),
                          ("median_longest_silence_days", "processes")):
        shown[median] = np.nan if values[basis] < min_cell or few else values[median]
    meetings = pd.DataFrame({"metric": ["meetings_scheduled", "meetings_held",
                                        "meetings_missed"]})
    meetings["n"] = meetings["metric"].map(values)
    shown.update(zip(meetings["metric"], suppress(meetings, "n", min_cell)["n"], strict=True))
    outcomes = pd.DataFrame({"metric": [f"demands_{o}" for o in DEMAND_OUTCOMES]})
    outcomes["n"] = outcomes["metric"].map(values)
    outcomes["total"] = values["demands_set"]
    protected = suppress(outcomes, "n", min_cell, total="total")
    shown.update(zip(protected["metric"], protected["n"], strict=True))
    shown["demands_set"] = protected["total"].iloc[0]
    if few:  # too few processes: every figure could point at one
        shown = {m: (f"<{min_cell}" if not m.startswith("median") else np.nan) for m in shown}
    return pd.DataFrame({"metric": list(summary["metric"]),
                         "value": pd.Series([shown[m] for m in summary["metric"]], dtype=object)})


def demand_outcomes(demand_table: pd.DataFrame) -> pd.DataFrame:
    """Demands by outcome (every outcome listed) with the median days open, for a funder chart.

    Returns
    -------
    DataFrame
        category, n, total, median_days_open.
    """
    counts = demand_table["outcome"].value_counts().reindex(list(DEMAND_OUTCOMES), fill_value=0)
    medians = demand_table.groupby("outcome")["days_open"].median().reindex(list(DEMAND_OUTCOMES))
    return pd.DataFrame({"category": list(DEMAND_OUTCOMES), "n": counts.to_numpy(),
                         "total": len(demand_table), "median_days_open": medians.to_numpy()})


def meeting_counts(measures: pd.DataFrame) -> pd.DataFrame:
    """Meetings scheduled, held and missed across processes (category, n), for a chart."""
    kinds = ("scheduled", "held", "missed")
    return pd.DataFrame({"category": list(kinds),
                         "n": [int(measures[f"meetings_{k}"].sum()) for k in kinds]})


def timeline(dataset) -> pd.DataFrame:
    """Events in date order with a row number per process, for the internal timeline chart.

    Returns
    -------
    DataFrame
        process_id, event_date, event_type, actor, lane (0 for the first process, 1 ...).
    """
    events = _events(dataset)
    lanes = {p: i for i, p in enumerate(sorted(events["process_id"].unique()))}
    return events.assign(lane=events["process_id"].map(lanes))[
        ["process_id", "event_date", "event_type", "actor", "lane"]]


def data_problems(dataset) -> pd.DataFrame:
    """Demand records whose dates cannot all be right, to check with whoever keeps the log
    (ids only; for the internal audience)."""
    table = demands(dataset)
    return table.loc[table["problem"] != "", ["process_id", "demand_id", "problem"]].reset_index(
        drop=True)
