"""The handful of figures a funder asks for first, from whichever files the folder has.

Each figure comes with the counts it rests on, so the disclosure policy can judge it like any
other published figure; the report shows them as cards and builds its plain-language summary from
them (:mod:`evalkit.publish.summary`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..scales import DISCOMFORT, PROQOL, STSS
from ..stats.proportions import wilson_interval
from ._base import Analysis
from .secondary_trauma import CLINICAL_THRESHOLD
from .tables import Col, TableSpec, interval, metric_frame, modal, pairs_modal_count

#: ProQOL burnout at or above which it is moderate or high: where its ``moderate`` band begins.
BURNOUT_MODERATE = PROQOL.band_floor("burnout", "moderate")
_STSS_AT = f"{CLINICAL_THRESHOLD:g} or more"
_BURNOUT_BANDS = tuple(b.label for b in PROQOL.bands["burnout"])
#: The parts of the split of participants by how they left: a share of one of them is shown only
#: when each of the three could be (completion and drop-out beside each other give the third).
_EXITS = ("completed_recorded", "dropped_out", "left_otherwise")


def _share(values: dict, intervals: dict, name: str, part_name: str, whole_name: str,
           part: int, whole: int) -> None:
    values[part_name] = part
    values[whole_name] = whole
    values[name] = part / whole if whole else np.nan
    interval = wilson_interval(pd.DataFrame({"part": [part], "whole": [whole]}),
                               successes="part", trials="whole").iloc[0]
    intervals[name] = (float(interval["ci_low"]), float(interval["ci_high"]))


def key_figures(dataset: Dataset) -> pd.DataFrame:
    """``key_figures.csv``: every key figure the folder supports, with its interval.

    Each figure comes with the counts it rests on (see ``TABLE`` for the list and
    ``docs/methods.md#key-figures`` for the definitions); figures whose files are absent are
    left out.

    Parameters
    ----------
    dataset
        A loaded data folder.

    Returns
    -------
    DataFrame
        ``metric, value, ci_low, ci_high``; counts have no interval.

    Examples
    --------
    >>> import evalkit
    >>> figures = key_figures(evalkit.load("data/sample")).set_index("metric")
    >>> rate, stss_38 = figures.loc["attendance_rate", "value"], figures.loc["stss_38", "value"]
    >>> round(float(rate), 3), int(stss_38)
    (0.628, 14)
    """
    from . import accountability, attendance, delivery, discomfort, instrument, secondary_trauma

    values: dict[str, object] = {}
    intervals: dict[str, tuple] = {}
    if attendance.ANALYSIS.missing(dataset) == "":
        summary = attendance.attendance_summary(dataset)
        row = summary.set_index("metric")
        for metric in ("participants", "participant_sessions", "sessions_attended",
                       "attendance_rate", "completed_recorded", "completion_rate_recorded",
                       "dropped_out", "dropout_rate", "left_otherwise"):
            values[metric] = row.loc[metric, "value"]
            if metric in ("attendance_rate", "completion_rate_recorded", "dropout_rate"):
                intervals[metric] = (row.loc[metric, "ci_low"], row.loc[metric, "ci_high"])
    if delivery.ANALYSIS.missing(dataset) == "":
        sessions = delivery.session_fidelity(dataset)
        recorded = sessions["fidelity"].dropna()
        values["fidelity_sessions"] = len(recorded)
        values["delivery_fidelity"] = float(recorded.mean()) if len(recorded) else np.nan
    if discomfort.ANALYSIS.missing(dataset) == "":
        scores = instrument.scored(dataset, DISCOMFORT)
        change = instrument.change(DISCOMFORT, scores, comparisons=discomfort.COMPARISONS)
        row = change.set_index("comparison").loc["post_vs_pre"]
        per_person = discomfort.by_practitioner(scores)
        values["discomfort_pairs"] = int(row["n"])
        values["discomfort_pairs_at_mode"] = pairs_modal_count(per_person["pre"],
                                                               per_person["post"])
        values["discomfort_change"] = float(row["mean_change"])
        intervals["discomfort_change"] = (float(row["ci_low"]), float(row["ci_high"]))
    if dataset.has("stss"):
        forms = secondary_trauma.latest_wave(instrument.scored(dataset, STSS))
        totals = forms["total"].dropna()
        _share(values, intervals, "stss_38_share", "stss_38", "stss_scored",
               int((totals >= CLINICAL_THRESHOLD).sum()), len(totals))
    if dataset.has("proqol"):
        forms = secondary_trauma.latest_wave(instrument.scored(dataset, PROQOL))
        burnout = forms["burnout"].dropna()
        _share(values, intervals, "burnout_share", "burnout_moderate", "proqol_scored",
               int((burnout >= BURNOUT_MODERATE).sum()), len(burnout))
        # The bands of the ProQOL table (low, moderate, high): the card is a union of two.
        bands = forms.loc[forms["burnout"].notna(), "burnout_band"].astype(str).value_counts()
        for band in _BURNOUT_BANDS:
            values[f"burnout_{band}_band"] = int(bands.get(band, 0))
    partner = [spec for spec in dataset.instruments.values() if spec.respondent == "partner"]
    if partner:
        spec = partner[0]
        people = instrument.reliable_change_people(spec, instrument.scored(dataset, spec),
                                                   dataset)
        first = people[people["comparison"] == people["comparison"].iloc[0]] if len(people) \
            else people
        categories = first["category"].astype(str).value_counts()
        _share(values, intervals, "partners_improved_share", "partners_improved",
               "partners_assessed", int(categories.get("reliably_improved", 0)), len(first))
        # The other parts of the split the table of reliable change shows.
        values["partners_no_change"] = int(categories.get("no_reliable_change", 0))
        values["partners_worse"] = int(categories.get("reliably_worse", 0))
    if accountability.ANALYSIS.missing(dataset) == "":
        measures = accountability.process_measures(dataset)
        values["processes"] = len(measures)
        _share(values, intervals, "demands_met_share", "demands_met", "demands_set",
               int(measures["demands_met"].sum()), int(measures["demands_set"].sum()))
        outcomes_of = accountability.demands(dataset)["outcome"].astype(str).value_counts()
        values["demands_refused"] = int(outcomes_of.get("refused", 0))
        values["demands_outstanding"] = int(outcomes_of.get("outstanding", 0))
    return metric_frame(values, intervals=intervals, with_interval=True)


TABLE = TableSpec(
    "key_figures", "Key figures",
    (Col("metric", "label", "what the row measures"),
     Col("value", "statistic", "the figure"),
     *interval()),
    metrics=(
        Col("participants", "people", "participants in the data"),
        Col("participant_sessions", "people", "participant-sessions held",
            rests_on=("participants",)),
        Col("sessions_attended", "people", "participant-sessions attended",
            rests_on=("participants",)),
        Col("attendance_rate", "share", "share of participant-sessions attended",
            label="Sessions attended", part="sessions_attended", whole="participant_sessions",
            rests_on=("participants",), clustered=True),
        Col("completed_recorded", "people", "participants recorded as having completed"),
        Col("completion_rate_recorded", "share", "share of participants who completed",
            label="Completed the programme", part="completed_recorded", whole="participants",
            split_parts=_EXITS),
        Col("dropped_out", "people", "participants who withdrew or were excluded"),
        Col("dropout_rate", "share", "share who withdrew or were excluded",
            label="Dropped out", part="dropped_out", whole="participants", split_parts=_EXITS),
        Col("left_otherwise", "people", "participants who neither completed nor withdrew or "
            "were excluded (still attending, moved away, in custody, other)"),
        Col("fidelity_sessions", "count", "sessions of modules with exercise plans whose delivery "
            "was recorded"),
        Col("delivery_fidelity", "statistic", "mean share of planned minutes delivered in "
            "sessions with exercise plans (the sexual respect module in the sample)",
            label="Planned session time delivered", fmt="percent"),
        Col("discomfort_pairs", "people", "practitioners with the checklist before and after "
            "preparation"),
        modal("pairs at the most common change in discomfort, earlier or later score",
              name="discomfort_pairs_at_mode"),
        Col("discomfort_change", "statistic", "mean change in discomfort after preparation "
            "(1-5 scale; negative is less discomfort)", label="Change in discomfort after "
            "preparation", fmt="signed", rests_on=("discomfort_pairs",),
            modal="discomfort_pairs_at_mode"),
        Col("stss_38", "people", f"practitioners with an STSS total of {_STSS_AT} (latest wave)"),
        Col("stss_scored", "people", "practitioners with a scored STSS (latest wave)"),
        Col("stss_38_share", "share", f"share of practitioners with an STSS total of {_STSS_AT} "
            "(latest wave)", label=f"Practitioners with STSS {_STSS_AT}", part="stss_38",
            whole="stss_scored"),
        Col("burnout_moderate", "people", "practitioners with ProQOL burnout of "
            f"{BURNOUT_MODERATE:g} or more"),
        Col("proqol_scored", "people", "practitioners with a scored ProQOL (latest wave)"),
        Col("burnout_share", "share", "share of practitioners with moderate or high burnout "
            f"(ProQOL {BURNOUT_MODERATE:g} or more, latest wave)", label="Practitioners with "
            "moderate or high burnout", part="burnout_moderate", whole="proqol_scored",
            split_parts=tuple(f"burnout_{band}_band" for band in _BURNOUT_BANDS)),
        *(Col(f"burnout_{band}_band", "people", f"practitioners in the ProQOL burnout band "
              f"'{band}' (latest wave)") for band in _BURNOUT_BANDS),
        Col("partners_improved", "people", "partners whose reports reliably improved from the "
            "first wave to the next (the first partner-reported instrument)"),
        Col("partners_assessed", "people", "partners who answered at both waves"),
        Col("partners_improved_share", "share", "share of partners whose reports reliably "
            "improved (less abuse and fear, in the instrument's direction) from the first wave "
            "to the next", label="Partners reporting reliable improvement",
            part="partners_improved", whole="partners_assessed",
            split_parts=("partners_improved", "partners_no_change", "partners_worse")),
        Col("partners_no_change", "people", "partners with no reliable change"),
        Col("partners_worse", "people", "partners whose reports reliably worsened"),
        Col("processes", "people", "accountability processes"),
        Col("demands_met", "people", "survivors' demands met", rests_on=("processes",)),
        Col("demands_set", "people", "survivors' demands set", rests_on=("processes",)),
        Col("demands_met_share", "share", "share of demands set that were met",
            label="Accountability demands met", part="demands_met", whole="demands_set",
            rests_on=("processes",),
            split_parts=("demands_met", "demands_refused", "demands_outstanding")),
        Col("demands_refused", "people", "survivors' demands refused", rests_on=("processes",)),
        Col("demands_outstanding", "people", "survivors' demands still outstanding",
            rests_on=("processes",)),
    ),
    unit="people",
).for_funder(
    ci_low="interval", ci_high="interval",
    # No participant-sessions: with one cohort they are its size times its sessions.
    participants="rounded", attendance_rate="percent", completed_recorded="rounded", completion_rate_recorded="percent",
    dropped_out="rounded", dropout_rate="percent", fidelity_sessions="shown",
    delivery_fidelity="percent", discomfort_pairs="rounded", discomfort_change="change",
    stss_38="rounded", stss_scored="rounded", stss_38_share="percent",
    burnout_moderate="rounded", proqol_scored="rounded", burnout_share="percent",
    partners_improved="rounded", partners_assessed="rounded", partners_improved_share="percent",
    processes="rounded", demands_met="rounded", demands_set="rounded",
    demands_met_share="percent",
)

#: Which metric gives each card its base ("n"), and what that base counts.
CARD_BASES = {
    "attendance_rate": ("participants", "participants"),
    "completion_rate_recorded": ("participants", "participants"),
    "dropout_rate": ("participants", "participants"),
    "delivery_fidelity": ("fidelity_sessions", "sessions"),
    "discomfort_change": ("discomfort_pairs", "practitioners"),
    "stss_38_share": ("stss_scored", "practitioners"),
    "burnout_share": ("proqol_scored", "practitioners"),
    "partners_improved_share": ("partners_assessed", "partners"),
    "demands_met_share": ("demands_set", "demands"),
}


def compute(dataset: Dataset) -> dict[str, pd.DataFrame | str]:
    """The key figures table.

    Parameters
    ----------
    dataset
        A loaded data folder.

    Returns
    -------
    dict of str to DataFrame
        ``{"key_figures": table}``.

    Examples
    --------
    >>> import evalkit
    >>> list(compute(evalkit.load("data/sample").replace(stss=None, proqol=None)))
    ['key_figures']
    """
    return {"key_figures": key_figures(dataset)}


ANALYSIS = Analysis(name="key_figures", title="key figures", tables=(TABLE,), compute=compute)
