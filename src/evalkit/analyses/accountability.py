"""Community accountability processes: how a person who caused harm engages with a contact group.

Every measure describes the responsible person's engagement and the group's follow-through,
never the survivor. The events file is ``accountability_events.csv``.

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

from ..data.dataset import Dataset
from ..errors import MissingDataError
from ._base import Analysis
from .tables import Col, TableSpec, metric_frame

ENGAGEMENT = ("response_received", "meeting_held", "demand_met", "demand_refused")
DEMAND_OUTCOMES = ("met", "refused", "outstanding")
SUMMARY_METRICS = (
    "processes", "processes_with_response", "processes_closed", "median_days_to_first_response",
    "meetings_scheduled", "meetings_held", "meetings_missed", "demands_set", "demands_met",
    "demands_refused", "demands_outstanding",
)


def _events(dataset: Dataset) -> pd.DataFrame:
    if not dataset.has("accountability_events"):
        raise MissingDataError("the accountability analysis needs accountability_events.csv")
    events = dataset.accountability_events.copy()
    events["process_id"] = events["process_id"].astype(str)
    events["event_type"] = events["event_type"].astype(str)
    events["actor"] = events["actor"].astype(str)
    # Files need not be in date order; a stable sort keeps same-day events in file order.
    return events.sort_values(["process_id", "event_date"], kind="stable", ignore_index=True)


def default_as_of(dataset: Dataset) -> pd.Timestamp:
    """The latest event date in the file: the end of the record for processes still open.

    Parameters
    ----------
    dataset
        A loaded data folder with ``accountability_events.csv``.

    Returns
    -------
    Timestamp
        The date of the latest event.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> default_as_of(dataset)
    Timestamp('2025-11-19 00:00:00')
    """
    return pd.Timestamp(_events(dataset)["event_date"].max())


def demands(dataset: Dataset, *, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """One row per demand: when it was set, its outcome and how long it has been or was open.

    A demand whose outcome is dated before it was set, or that has an outcome but was never set,
    is kept with ``problem`` saying so and no ``days_open`` (the dates cannot both be right).
    See ``docs/methods.md#accountability-processes``.

    Parameters
    ----------
    dataset
        A loaded data folder with ``accountability_events.csv``.
    as_of
        End of the record for processes still open; None for :func:`default_as_of`.

    Returns
    -------
    DataFrame
        process_id, demand_id, set_date, outcome (met, refused, outstanding), outcome_date,
        days_open, problem.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> demands(dataset)[["process_id", "demand_id", "outcome", "days_open"]].head(2)
      process_id demand_id      outcome  days_open
    0        cp1        d1      refused       1392
    1        cp1        d2  outstanding       3591
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
    """Process id -> date of its first ``process_closed`` event.

    Parameters
    ----------
    events
        Accountability events with ``event_type`` as text.

    Returns
    -------
    dict
        The closing date of each closed process; open processes are not listed.

    Examples
    --------
    >>> events = pd.DataFrame({
    ...     "process_id": ["cp1", "cp1", "cp1"],
    ...     "event_date": pd.to_datetime(["2024-03-01", "2024-02-01", "2024-04-01"]),
    ...     "event_type": ["demand_set", "demand_met", "process_closed"],
    ...     "actor": ["survivor_support", "contact_group", "contact_group"],
    ...     "demand_id": ["d1", "d1", ""]})
    >>> closing_dates(events)
    {'cp1': Timestamp('2024-04-01 00:00:00')}
    """
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


def process_measures(dataset: Dataset, *,
                     as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Per-process measures (internal audience: one row is one process).

    Replies, silences, meetings and demands of each process, as defined at the top of this module
    and in ``docs/methods.md#accountability-processes``.

    Parameters
    ----------
    dataset
        A loaded data folder with ``accountability_events.csv``.
    as_of
        End of the record for processes still open; None for :func:`default_as_of`.

    Returns
    -------
    DataFrame
        process_id, events, first_event, first_message, first_response, days_to_first_response,
        messages, messages_answered, answered_share, longest_silence_days, meetings_scheduled,
        meetings_held, meetings_missed, demands_set, demands_met, demands_refused,
        demands_outstanding, longest_open_demand_days, closed, closed_date, end_of_record.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> process_measures(dataset)[["process_id", "messages", "longest_silence_days"]].head(2)
      process_id  messages  longest_silence_days
    0        cp1        10                2199.0
    1        cp2         6                 146.0
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
            # Every demand in the log counts, its set event missing or not (demand_problems
            # lists those), so met + refused + outstanding always add up to demands_set.
            "demands_set": len(own),
            **{f"demands_{o}": int(outcome_counts.get(o, 0)) for o in DEMAND_OUTCOMES},
            "longest_open_demand_days": own.loc[own["outcome"] == "outstanding",
                                                "days_open"].max(),
            "closed": process in closed, "closed_date": closed.get(process, pd.NaT),
            "end_of_record": end,
        })
    return pd.DataFrame(rows)


def accountability_summary(measures: pd.DataFrame) -> pd.DataFrame:
    """``accountability_summary.csv``: totals and medians across processes as ``metric, value``.

    Parameters
    ----------
    measures
        Per-process measures (:func:`process_measures`).

    Returns
    -------
    DataFrame
        One row per metric: processes, processes_with_response, processes_closed, the medians of
        days to a first response, of the share of messages answered and of the longest silence,
        then the meeting and demand counts.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> accountability_summary(process_measures(dataset)).head(3)
                        metric value
    0                processes     6
    1  processes_with_response     5
    2         processes_closed     1
    """
    responded = measures["days_to_first_response"].notna()
    values = {
        "processes": len(measures),
        "processes_with_response": int(responded.sum()),
        "processes_closed": int(measures["closed"].sum()),
        "median_days_to_first_response": float(measures.loc[responded,
                                                            "days_to_first_response"].median())
        if responded.any() else np.nan,
        "median_answered_share": float(measures["answered_share"].median()),
        "median_longest_silence_days": float(measures["longest_silence_days"].median()),
        **{m: int(measures[m].sum()) for m in SUMMARY_METRICS[4:]},
    }
    return metric_frame(values)


def demand_outcomes(demand_table: pd.DataFrame, processes: int) -> pd.DataFrame:
    """``demand_outcomes.csv``: demands by outcome, their share and the median days open.

    Every outcome is listed, with its share of the demands set.

    Parameters
    ----------
    demand_table
        One row per demand (:func:`demands`).
    processes
        Number of processes, repeated in a column (what the counts rest on).

    Returns
    -------
    DataFrame
        outcome, demands, demands_set, share, median_days_open, processes, outcome_processes
        (the processes with a demand of this outcome, which the median rests on).

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> demand_outcomes(demands(dataset), processes=6)[["outcome", "demands", "demands_set"]]
           outcome  demands  demands_set
    0          met        1           21
    1      refused        3           21
    2  outstanding       17           21
    """
    counts = demand_table["outcome"].value_counts().reindex(list(DEMAND_OUTCOMES), fill_value=0)
    medians = demand_table.groupby("outcome")["days_open"].median().reindex(list(DEMAND_OUTCOMES))
    dated = demand_table.dropna(subset=["days_open"])
    outcome_processes = (dated.groupby("outcome")["process_id"].nunique()
                         .reindex(list(DEMAND_OUTCOMES), fill_value=0))
    total = len(demand_table)
    return pd.DataFrame({"outcome": list(DEMAND_OUTCOMES), "demands": counts.to_numpy(),
                         "demands_set": total,
                         "share": counts.to_numpy() / total if total else np.nan,
                         "median_days_open": medians.to_numpy(), "processes": processes,
                         "outcome_processes": outcome_processes.to_numpy().astype(int)})


def meeting_counts(measures: pd.DataFrame) -> pd.DataFrame:
    """``meetings.csv``: meetings scheduled, held and missed across processes.

    Parameters
    ----------
    measures
        Per-process measures (:func:`process_measures`).

    Returns
    -------
    DataFrame
        meetings_were, meetings, processes.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> meeting_counts(process_measures(dataset))
      meetings_were  meetings  processes
    0     scheduled        19          6
    1          held         6          6
    2        missed        13          6
    """
    kinds = ("scheduled", "held", "missed")
    return pd.DataFrame({"meetings_were": list(kinds),
                         "meetings": [int(measures[f"meetings_{k}"].sum()) for k in kinds],
                         "processes": len(measures)})


def timeline(dataset: Dataset, *, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Events in date order with a lane per process and the end of its record, for the chart.

    The end of the record is the process's closing date, or ``as_of`` while it is open. For the
    internal timeline chart.

    Parameters
    ----------
    dataset
        A loaded data folder with ``accountability_events.csv``.
    as_of
        End of the record for processes still open; None for :func:`default_as_of`.

    Returns
    -------
    DataFrame
        process_id, lane, event_date, event_type, actor, end_of_record.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> timeline(dataset)[["process_id", "lane", "event_type"]].head(2)
      process_id  lane  event_type
    0        cp1     0  demand_set
    1        cp1     0  demand_set
    """
    events = _events(dataset)
    as_of = default_as_of(dataset) if as_of is None else pd.Timestamp(as_of)
    closed = closing_dates(events)
    lanes = {p: i for i, p in enumerate(sorted(events["process_id"].unique()))}
    table = events.assign(lane=events["process_id"].map(lanes),
                          end_of_record=events["process_id"].map(lambda p: closed.get(p, as_of)))
    return table[["process_id", "lane", "event_date", "event_type", "actor", "end_of_record"]]


def data_problems(dataset: Dataset) -> pd.DataFrame:
    """Demand records whose dates cannot all be right, to check with whoever keeps the log.

    Ids only; internal.

    Parameters
    ----------
    dataset
        A loaded data folder with ``accountability_events.csv``.

    Returns
    -------
    DataFrame
        process_id, demand_id, problem.

    Examples
    --------
    >>> events = pd.DataFrame({
    ...     "process_id": ["cp1", "cp1", "cp1"],
    ...     "event_date": pd.to_datetime(["2024-03-01", "2024-02-01", "2024-04-01"]),
    ...     "event_type": ["demand_set", "demand_met", "process_closed"],
    ...     "actor": ["survivor_support", "contact_group", "contact_group"],
    ...     "demand_id": ["d1", "d1", ""]})
    >>> data_problems(Dataset("log", {"accountability_events": events}))
      process_id demand_id                                  problem
    0        cp1        d1  outcome dated before the demand was set
    """
    table = demands(dataset)
    return table.loc[table["problem"] != "", ["process_id", "demand_id", "problem"]].reset_index(
        drop=True)


_PROCESSES = Col("processes", "people", "accountability processes in the data (each is about "
                 "one person)")

TABLES = (
    TableSpec(
        "accountability_summary", "Accountability processes: replies, meetings and demands",
        (Col("metric", "label", "what the row measures"), Col("value", "statistic", "the figure")),
        metrics=(
            Col("processes", "people", "processes in the data (each about one person)"),
            Col("processes_with_response", "people", "processes with any response from the "
                "person responsible", label="with any response"),
            Col("processes_closed", "people", "processes closed", label="closed"),
            Col("median_days_to_first_response", "statistic", "median days from the group's first "
                "message to the first response", rests_on=("processes_with_response",),
                needs=2, decimals=0, label="median days to a first response"),
            Col("median_answered_share", "statistic", "median share of the group's messages "
                "answered before its next message", rests_on=("processes",), needs=2, fmt="percent",
                label="median share of messages answered"),
            Col("median_longest_silence_days", "statistic", "median of each process's longest "
                "silence in days", rests_on=("processes",), needs=2, decimals=0,
                label="median longest silence (days)"),
            *(Col(name, "people", text, rests_on=("processes",)) for name, text in (
                ("meetings_scheduled", "meetings scheduled"), ("meetings_held", "meetings held"),
                ("meetings_missed", "meetings missed"), ("demands_set", "survivors' demands set"),
                ("demands_met", "demands met"), ("demands_refused", "demands refused"),
                ("demands_outstanding", "demands neither met nor refused"))),
        ),
        unit="processes", needs_at_least="processes").for_funder(
        processes="rounded", processes_with_response="rounded", processes_closed="rounded",
        median_days_to_first_response="quantile", median_answered_share="quantile",
        median_longest_silence_days="quantile", meetings_scheduled="rounded",
        meetings_held="rounded", meetings_missed="rounded", demands_set="rounded",
        demands_met="rounded", demands_refused="rounded", demands_outstanding="rounded"),
    TableSpec(
        "demand_outcomes", "Demands by outcome",
        (Col("outcome", "label", "met, refused or outstanding"),
         # The demands of one outcome describe the processes they come from: ten refusals of
         # one process are that process's story, however many processes there are in all (the
         # share, made from this count, rests on them too).
         Col("demands", "people", "demands with this outcome",
             rests_on=("processes", "outcome_processes")),
         Col("demands_set", "people", "demands set in all", label="of demands set",
             rests_on=("processes",)),
         Col("share", "share", "share of the demands set", part="demands", whole="demands_set",
             rests_on=("processes",), split_by=()),
         # A median of days rests on the processes the demands come from, not on the demands:
         # ten demands of one process give that one process's own timeline.
         Col("median_days_open", "statistic", "median days from being set to the outcome (to the "
             "end of the record while outstanding)", rests_on=("outcome_processes",), needs=2,
             decimals=0, label="median days open"),
         _PROCESSES,
         Col("outcome_processes", "people", "processes with a demand of this outcome",
             label="processes with such a demand")),
        unit="processes", needs_at_least="processes").for_funder(
        outcome="shown", demands="rounded", demands_set="rounded", share="percent",
        median_days_open="quantile", processes="rounded", outcome_processes="rounded"),
    TableSpec(
        "meetings", "Meetings scheduled, held and missed",
        (Col("meetings_were", "label", "scheduled, held or missed", label="meetings"),
         Col("meetings", "people", "meetings", label="number", rests_on=("processes",)),
         _PROCESSES),
        unit="processes", needs_at_least="processes").for_funder(
        meetings_were="shown", meetings="rounded", processes="rounded"),
    TableSpec(
        "process_measures", "Each process",
        (Col("process_id", "id", "pseudonymous process id"),
         Col("first_message", "label", "date of the group's first message", fmt="code"),
         Col("days_to_first_response", "statistic", "days to the first response", decimals=0),
         Col("messages", "count", "messages from the group"),
         Col("answered_share", "statistic", "share answered before the next message",
             fmt="percent"),
         Col("longest_silence_days", "statistic", "longest silence (days)", decimals=0),
         Col("meetings_held", "count", "meetings held"),
         Col("meetings_missed", "count", "meetings missed"),
         Col("demands_set", "count", "demands set"),
         Col("demands_met", "count", "demands met"),
         Col("demands_refused", "count", "demands refused"),
         Col("demands_outstanding", "count", "demands outstanding"),
         Col("longest_open_demand_days", "statistic", "days the longest outstanding demand has "
             "been open", decimals=0),
         Col("closed", "flag", "process closed")),
        unit="processes", internal=True),
    TableSpec(
        "accountability_timeline", "Events of each process",
        (Col("process_id", "id", "pseudonymous process id"),
         Col("lane", "number", "row of the process in the chart"),
         Col("event_date", "label", "date", fmt="code"),
         Col("event_type", "label", "what happened"),
         Col("actor", "label", "who acted"),
         Col("end_of_record", "label", "closing date, or the end of the record", fmt="code")),
        unit="processes", internal=True),
    TableSpec(
        "demand_problems", "Demand records whose dates cannot all be right",
        (Col("process_id", "id", "pseudonymous process id"),
         Col("demand_id", "id", "demand id"),
         Col("problem", "text", "what is wrong")),
        unit="processes", internal=True),
)


def _dates(frame: pd.DataFrame, columns) -> pd.DataFrame:
    return frame.assign(**{c: frame[c].map(lambda d: "" if pd.isna(d) else f"{d:%Y-%m-%d}")
                           for c in columns})


def compute(dataset: Dataset) -> dict[str, pd.DataFrame | str]:
    """Every accountability table for one data folder.

    Parameters
    ----------
    dataset
        A loaded data folder with ``accountability_events.csv``.

    Returns
    -------
    dict of str to DataFrame
        One table per declared table name (see ``TABLES``); dates are text ``YYYY-MM-DD``.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> sorted(compute(dataset))[:3]
    ['accountability_summary', 'accountability_timeline', 'demand_outcomes']
    """
    as_of = default_as_of(dataset)
    measures = process_measures(dataset, as_of=as_of)
    demand_table = demands(dataset, as_of=as_of)
    per_process = _dates(measures, ["first_message"])[[c.name for c in TABLES[3].columns]]
    return {
        "accountability_summary": accountability_summary(measures),
        "demand_outcomes": demand_outcomes(demand_table, len(measures)),
        "meetings": meeting_counts(measures),
        "process_measures": per_process,
        "accountability_timeline": _dates(timeline(dataset, as_of=as_of),
                                          ["event_date", "end_of_record"]),
        "demand_problems": data_problems(dataset),
    }


def record_end(dataset: Dataset) -> str:
    """The month the record runs to (the latest event), for sentences.

    Parameters
    ----------
    dataset
        A loaded data folder with ``accountability_events.csv``.

    Returns
    -------
    str
        Month and year, e.g. ``"November 2025"``.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> record_end(dataset)
    'November 2025'
    """
    return f"{default_as_of(dataset):%B %Y}"


ANALYSIS = Analysis(
    name="accountability",
    title="community accountability processes",
    tables=TABLES,
    compute=compute,
    needs=("accountability_events",),
)
