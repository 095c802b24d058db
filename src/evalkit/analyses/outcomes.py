"""A programme's own outcome measures, described in ``instruments/<name>.toml``.

Every instrument found gets the same analysis, in one set of tables for all of them: internal
consistency per scale and wave, bands with Wilson intervals, paired change from the baseline wave
to each later wave (in the instrument's direction of improvement, Holm-adjusted within the
instrument), and Jacobson-Truax reliable change on the total. Partner-reported measures are the
most sensitive data evalkit handles: their answers link only to the participant's pseudonym, and no
row about one partner is published except the internal safety list of partners whose reports
reliably worsened, for the partner support worker. The scoring and statistics are the
instrument pipeline's (:mod:`evalkit.analyses.instrument`), shared with the built-in checklists;
this module adds the safety list and declares the tables. Methods: ``docs/methods.md``; the spec:
``docs/instruments.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..scales.spec import Instrument
from ..stats.paired import by_subject
from ._base import (
    Analysis,
    alpha_cols,
    band_cols,
    effect_interval_cols,
    needs_files,
    ordered_waves,
)
from .instrument import (
    bands,
    change,
    clinical_change_counts,
    consistency,
    means,
    reliable_change_counts,
    reliable_change_people,
    sample_size,
    scored,
)
from .tables import Col, TableSpec, interval, modal, modal_counts, pairs_modal_count


def safety_list(spec: Instrument, people: pd.DataFrame,
                forms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Participants whose partner's reports reliably worsened, for the partner support worker.

    Internal, and for partner-reported instruments only. No partner is named: the row carries the
    participant's pseudonym, the date of the later answer (the one that worsened), so the worker
    knows how recent the report is, and the partner's most recent answer, so a worsening that a
    later report took back (or a newer one that is worse still) is seen on the same row.

    Parameters
    ----------
    spec
        The instrument.
    people
        Reliable change of each person (:func:`~evalkit.analyses.instrument.reliable_change_people`).
    forms
        Its scored forms (:func:`~evalkit.analyses.instrument.scored`), for the dates and the most
        recent answer; without them the dates and the latest answer are blank, and without
        ``response_date`` the dates are.

    Returns
    -------
    DataFrame
        participant_id, instrument, comparison, answered (``YYYY-MM-DD`` of the later answer),
        before, after, rc, latest_wave, latest_answered, latest (the total at the partner's
        latest wave with a total: the spec's last wave answered, the later date breaking a tie).
        The published table leaves out ``rc`` and ``latest_wave``.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> safety = safety_list(spec, reliable_change_people(spec, forms, dataset), forms)
    >>> len(safety), safety["comparison"].tolist(), safety["latest_wave"].tolist()
    (2, ['exit_vs_intake', 'follow_up_vs_intake'], ['follow_up', 'follow_up'])
    """
    worse = people[people["category"].astype(str) == "reliably_worse"]
    ids = worse[spec.id_column].astype(str).to_numpy()
    # "<later>_vs_<baseline>": the later wave is the one whose answer worsened.
    later = worse["comparison"].astype(str).str.rsplit("_vs_", n=1).str[0].to_numpy()
    answered = pd.Series([None] * len(worse), dtype=object)
    latest = pd.DataFrame(index=pd.Index(ids), columns=["latest_wave", "latest_answered", "latest"],
                          dtype=object)
    if forms is not None and len(worse):
        dates = (pd.to_datetime(forms["response_date"]).dt.strftime("%Y-%m-%d")
                 if "response_date" in forms else pd.Series(None, index=forms.index, dtype=object))
        when = dict(zip(zip(forms[spec.id_column].astype(str), forms["wave"].astype(str),
                            strict=True), dates.where(dates.notna(), None), strict=True))
        answered = pd.Series([when.get(key) for key in zip(ids, later, strict=True)],
                             dtype=object)
        latest = _latest_answers(spec, forms.assign(_answered=dates)).reindex(ids)
    return pd.DataFrame({"participant_id": ids, "instrument": spec.name,
                         "comparison": worse["comparison"].to_numpy(),
                         "answered": answered.to_numpy(),
                         "before": worse["before"].to_numpy(), "after": worse["after"].to_numpy(),
                         "rc": worse["rc"].to_numpy(),
                         "latest_wave": latest["latest_wave"].to_numpy(),
                         "latest_answered": latest["latest_answered"].to_numpy(),
                         "latest": latest["latest"].to_numpy(dtype=float, na_value=np.nan)})


def _latest_answers(spec: Instrument, forms: pd.DataFrame) -> pd.DataFrame:
    """Each person's latest wave with a total, by the spec's wave order, then by date."""
    total = spec.total or next(iter(spec.scales))
    order = {wave: i for i, wave in enumerate(spec.waves or ordered_waves(forms))}
    answered = forms[forms[total].notna()].assign(
        _order=lambda f: f["wave"].astype(str).map(order),
        _id=lambda f: f[spec.id_column].astype(str))
    last = (answered.sort_values(["_id", "_order", "_answered"], na_position="first")
            .drop_duplicates("_id", keep="last").set_index("_id"))
    return pd.DataFrame({"latest_wave": last["wave"].astype(str).astype(object),
                         "latest_answered": last["_answered"].astype(object),
                         "latest": last[total].astype(float)})


# --- published tables ------------------------------------------------------------------------------

_INSTRUMENT = Col("instrument", "label", "instrument (the name of its spec file)")
_SCALE = Col("scale", "label", "scale: a subscale or the total")


def _stat(name, text, **kw):
    return Col(name, "statistic", text, rests_on=("n",), **kw)


TABLES = (
    TableSpec(
        "outcome_change", "Change in each outcome measure from the first wave",
        (_INSTRUMENT, _SCALE,
         Col("comparison", "label", "later wave vs the baseline wave"),
         Col("higher_is", "label", "whether a higher score is better or worse"),
         Col("n", "people", "people answering at both waves"),
         _stat("mean_before", "mean at the baseline", label="mean before"),
         _stat("mean_after", "mean at the later wave", label="mean after"),
         _stat("mean_change", "mean change (later minus baseline)", fmt="signed",
               label="mean change", modal="at_mode"),
         *interval("the 95% interval of the change", fmt="signed", rests_on=("n",),
                   follows="mean_change"),
         _stat("t", "paired t"),
         Col("df", "size", "degrees of freedom", decimals=0),
         Col("p", "p_value", "paired t-test p", rests_on=("n",)),
         Col("p_holm", "p_value", "p Holm-adjusted within the instrument", rests_on=("n",),
             label="p (Holm)"),
         _stat("d_z", "mean change / SD of the changes"),
         *effect_interval_cols("d_z"),
         _stat("d_av", "mean change / mean of the two SDs"),
         *effect_interval_cols("d_av"),
         Col("wilcoxon_p", "p_value", "Wilcoxon signed-rank p", rests_on=("n",),
             label="Wilcoxon p"),
         # The direction is the change in words: it goes wherever the mean change goes, by
         # whichever rule (too few pairs, everyone alike, a subscale withheld).
         Col("direction", "label", "improved or worsened (95% interval clear of no change), or "
             "no clear change", rests_on=("n",), follows="mean_change"),
         Col("note", "text", "why a figure could not be computed"),
         modal("pairs at the most common change, earlier score or later score")),
        unit="people", appendix=True, adds_up_by=("instrument", "comparison")).for_funder(
        instrument="shown", scale="shown", comparison="shown", higher_is="shown", n="rounded",
        mean_change="change", ci_low="interval", ci_high="interval", direction="shown"),
    TableSpec(
        "outcome_means", "Mean score at each wave",
        (_INSTRUMENT, _SCALE,
         Col("lowest", "number", "lowest possible score of the scale"),
         Col("highest", "number", "highest possible score of the scale"),
         Col("wave", "label", "wave"),
         Col("n", "people", "forms scored"),
         _stat("mean", "mean score", modal="at_mode"),
         *interval("the 95% interval of the mean", rests_on=("n",), follows="mean"),
         modal("people at the most common score of the scale at the wave")),
        unit="people", adds_up_by=("instrument", "wave")).for_funder(
        instrument="shown", scale="shown", lowest="shown", highest="shown", wave="shown",
        n="rounded", mean="mean", ci_low="interval", ci_high="interval"),
    TableSpec(
        "outcome_bands", "Outcome measures by band",
        (_INSTRUMENT, _SCALE, Col("wave", "label", "wave"), Col("band", "label", "band"),
         *band_cols("instrument", "scale", "wave")),
        unit="people").for_funder(
        instrument="shown", scale="shown", wave="shown", band="shown", n="rounded",
        scored="rounded", share="percent", ci_low="interval", ci_high="interval"),
    TableSpec(
        "outcome_rci", "Reliable change in each outcome measure (total score)",
        (_INSTRUMENT, Col("comparison", "label", "later wave vs the baseline wave"),
         Col("category", "label", "reliably improved, no reliable change, reliably worse"),
         Col("n", "people", "people in the category"),
         Col("assessed", "people", "people answering at both waves"),
         Col("share", "share", "share of those assessed", part="n", whole="assessed",
             split_by=("instrument", "comparison")),
         Col("reliability", "statistic", "reliability used", rests_on=("assessed",)),
         Col("reliability_from", "text", "where the reliability comes from"),
         Col("threshold", "statistic", "smallest change that counts as reliable (score points)",
             rests_on=("assessed",))),
        unit="people").for_funder(
        instrument="shown", comparison="shown", category="shown", n="rounded",
        assessed="rounded", share="percent"),
    TableSpec(
        "outcome_clinical_change", "Clinically significant change in each outcome measure "
        "(total score)",
        (_INSTRUMENT, Col("comparison", "label", "later wave vs the baseline wave"),
         Col("category", "label", "recovered, improved, unchanged or deteriorated (Jacobson and "
             "Truax)"),
         Col("n", "people", "people in the category"),
         Col("assessed", "people", "people answering at both waves"),
         Col("share", "share", "share of those assessed", part="n", whole="assessed",
             split_by=("instrument", "comparison")),
         *interval("the Wilson 95% interval", fmt="percent", follows="share"),
         Col("cutoff", "statistic", "score dividing dysfunction from function",
             rests_on=("assessed",)),
         Col("criterion", "label", "Jacobson and Truax criterion used: c with published norms, "
             "otherwise a")),
        unit="people", appendix=True, audiences=("research", "internal")),
    TableSpec(
        "outcome_sample_size", "How many people would a study of each outcome need?",
        (_INSTRUMENT, _SCALE,
         Col("comparison", "label", "the change planned for (later wave vs the baseline wave)"),
         Col("change", "statistic", "change worth detecting, in score points (a twentieth, a "
             "tenth and a fifth of the scale's range)", label="change to detect",
             rests_on=("pairs_observed",)),
         Col("pairs_observed", "people", "people answering at both waves, whose changes give "
             "the SD", label="pairs observed"),
         Col("sd_change", "statistic", "SD of the observed changes", label="SD of changes",
             rests_on=("pairs_observed",)),
         Col("d", "statistic", "the change in SDs of the changes (d z)", label="d",
             rests_on=("pairs_observed",)),
         Col("n", "people", "people needed for 80% power in a two-sided paired t test at the "
             "5% level", label="people needed"),
         Col("note", "text", "why no number could be worked out, if so")),
        unit="people", appendix=True, audiences=("research", "internal")),
    TableSpec(
        "outcome_reliability", "Internal consistency of each outcome measure",
        (_INSTRUMENT, _SCALE, Col("wave", "label", "wave"),
         *alpha_cols("forms with every item of the scale answered")),
        unit="people", appendix=True),
    TableSpec(
        "partner_safety_list", "Partners whose reports reliably worsened (for the partner "
        "support worker)",
        (Col("participant_id", "id", "the participant's pseudonym (partners are never named)",
             label="participant"),
         _INSTRUMENT, Col("comparison", "label", "later wave vs the baseline wave",
                          label="waves compared"),
         Col("answered", "label", "date of the later answer, the one that worsened (YYYY-MM-DD; "
             "blank when the answers carry no date)", fmt="code", label="answer that worsened"),
         # Totals of a summed scale are whole points: "16", not "16.00".
         Col("before", "statistic", "total at the baseline (shown to whole points)", decimals=0,
             label="score at baseline"),
         Col("after", "statistic", "total at the later wave (shown to whole points)", decimals=0,
             label="score then"),
         # The list holds only reliable worsening (docs/methods.md); what the worker acts on is
         # the scores and how recent they are, so the index itself stays out of the table.
         Col("latest_answered", "label", "date of the partner's most recent answer with a score "
             "(YYYY-MM-DD; blank when the answers carry no date)", fmt="code",
             label="latest answer"),
         Col("latest", "statistic", "total at that most recent answer (shown to whole points)",
             decimals=0, label="latest score")),
        unit="partners", internal=True),
)


def _each(dataset: Dataset):
    for name, spec in dataset.instruments.items():
        yield spec, scored(dataset, name)


def compute(dataset: Dataset) -> dict[str, pd.DataFrame | str]:
    """One set of tables for every instrument in the folder.

    Parameters
    ----------
    dataset
        A loaded data folder with at least one instrument spec.

    Returns
    -------
    dict of str to DataFrame or str
        One entry per declared table: the instruments' rows stacked, or a sentence saying why
        no instrument could fill it.

    Examples
    --------
    >>> import evalkit
    >>> sorted(compute(evalkit.load("data/sample")))[:3]
    ['outcome_bands', 'outcome_change', 'outcome_clinical_change']
    """
    parts: dict[str, list[pd.DataFrame]] = {s.name: [] for s in TABLES}
    for spec, forms in _each(dataset):
        people = reliable_change_people(spec, forms, dataset)
        parts["outcome_change"].append(_with_modal_change(spec, forms, change(spec, forms)))
        parts["outcome_means"].append(_with_modal_means(spec, forms, means(spec, forms)))
        parts["outcome_sample_size"].append(sample_size(spec, forms))
        parts["outcome_bands"].append(bands(spec, forms))
        parts["outcome_rci"].append(reliable_change_counts(spec, people))
        parts["outcome_clinical_change"].append(clinical_change_counts(spec, forms, people))
        parts["outcome_reliability"].append(consistency(spec, dataset))
        if spec.respondent == "partner":
            parts["partner_safety_list"].append(safety_list(spec, people, forms))
    result: dict[str, pd.DataFrame | str] = {}
    for spec in TABLES:
        # A table with its columns but no rows is an answer (nobody's reports worsened); a
        # table with no columns could not be made (an instrument with one wave).
        frames = [f for f in parts[spec.name] if len(f.columns)]
        nonempty = [f for f in frames if len(f)]
        if not frames:
            result[spec.name] = "no instrument has the waves or answers it needs"
        else:
            # The pipeline's tables carry more than this analysis publishes.
            table = pd.concat(nonempty or frames[:1], ignore_index=True)
            result[spec.name] = table[[col.name for col in spec.columns]]
    return result


def _with_modal_means(spec: Instrument, forms: pd.DataFrame, table: pd.DataFrame
                      ) -> pd.DataFrame:
    """``table`` with ``at_mode``: people at the most common score of each scale and wave."""
    waves = forms.assign(wave=forms["wave"].astype(str))
    counts = {scale: modal_counts(waves, dv=scale, between="wave") for scale in spec.scales}
    return table.assign(at_mode=[int(counts[s].get(str(w), 0))
                                 for s, w in zip(table["scale"], table["wave"], strict=True)])


def _with_modal_change(spec: Instrument, forms: pd.DataFrame, table: pd.DataFrame
                       ) -> pd.DataFrame:
    """``table`` with ``at_mode``: pairs at the most common change, earlier or later score."""
    if not len(table.columns):
        return table
    at_mode = []
    for scale, comparison in zip(table["scale"], table["comparison"], strict=True):
        later, baseline = str(comparison).split("_vs_")
        pairs = by_subject(forms, dv=scale, subject=spec.id_column, levels=[baseline, later])
        at_mode.append(pairs_modal_count(pairs[baseline], pairs[later]))
    return table.assign(at_mode=at_mode)


def _missing(dataset: Dataset) -> str:
    if not dataset.instruments:
        return "needs an instrument spec in instruments/"
    if not any(dataset.has(name) for name in dataset.instruments):
        return needs_files(dataset, dataset.instruments, " or ")
    return ""


ANALYSIS = Analysis(
    name="outcomes",
    title="the programme's own outcome measures",
    tables=TABLES,
    compute=compute,
    check=_missing,
)
