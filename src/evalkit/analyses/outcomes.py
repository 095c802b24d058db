"""A programme's own outcome measures, described in ``instruments/<name>.toml``.

Every instrument found gets the same analysis, in one set of tables for all of them: internal
consistency per scale and wave, bands with Wilson intervals, paired change from the baseline wave
to each later wave (in the instrument's direction of improvement, Holm-adjusted within the
instrument), and Jacobson-Truax reliable change on the total. Partner-reported measures are the
most sensitive data evalkit handles: their answers link only to the participant's pseudonym, and no
row about one partner is published except the internal safety list of partners whose reports
reliably worsened, for the partner support worker. Methods: ``docs/methods.md``; the spec:
``docs/instruments.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..scales import reliability, score
from ..scales.spec import Instrument
from ..stats.describe import mean_table
from ..stats.multitest import holm
from ..stats.paired import wave_changes, wide
from ..stats.proportions import prevalence
from ..stats.reliability import CS_CATEGORIES, RC_CATEGORIES, clinical_change, reliable_change
from ._base import Analysis, alpha_cols, band_cols, effect_interval_cols, needs_files, ordered_waves
from .tables import Col, TableSpec, interval, modal, modal_count, modal_counts


def scored(dataset: Dataset, name: str) -> pd.DataFrame:
    """Every form of instrument ``name`` scored, with its wave as text.

    Parameters
    ----------
    dataset
        A loaded data folder with the instrument's spec and answers.
    name
        The instrument's name (``instruments/<name>.toml``).

    Returns
    -------
    DataFrame
        The id column, wave, response_date (when given), then per scale its score,
        ``<scale>_answered`` and, for banded scales, ``<scale>_band``.

    Examples
    --------
    >>> import evalkit
    >>> forms = scored(evalkit.load("data/sample"), "partner_safety")
    >>> forms.columns.tolist()[:5]
    ['participant_id', 'wave', 'response_date', 'behaviour', 'behaviour_answered']
    """
    spec = dataset.instruments[name]
    responses = dataset.responses(name)
    keep = tuple(c for c in (spec.id_column, "wave", "response_date") if c in responses)
    table = score(responses, spec, keep=keep)
    table[spec.id_column] = table[spec.id_column].astype(str)
    table["wave"] = table["wave"].astype(str)
    return table


def _waves(spec: Instrument, forms: pd.DataFrame) -> list[str]:
    present = set(forms["wave"])
    return [w for w in (spec.waves or ordered_waves(forms)) if w in present]


def _baseline_and_later(spec: Instrument, forms: pd.DataFrame) -> list[str]:
    """The baseline wave then the later waves with forms, or [] when change cannot be measured.

    The baseline is the spec's first wave: with no forms there, change is not measured at all
    rather than silently measured from a later wave.
    """
    waves = _waves(spec, forms)
    if spec.baseline is not None and (not waves or waves[0] != spec.baseline):
        return []
    return waves if len(waves) >= 2 else []


def change(spec: Instrument, forms: pd.DataFrame) -> pd.DataFrame:
    """Paired change of every scale from the baseline wave to each later wave.

    Holm-adjusted within the instrument; ``direction`` reads the interval in the scale's own
    direction of improvement (``docs/methods.md#own-outcome-measures``).

    Parameters
    ----------
    spec
        The instrument.
    forms
        Its scored forms (:func:`scored`).

    Returns
    -------
    DataFrame
        instrument, scale, comparison, higher_is, n, mean_before, mean_after, mean_change,
        ci_low, ci_high, t, df, p, p_holm, d_z, d_av, wilcoxon_p, direction, note. Empty with
        fewer than two waves or no forms at the spec's first (baseline) wave.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> change(spec, forms)[["scale", "comparison", "n", "direction"]].head(3)
           scale      comparison   n direction
    0  behaviour  exit_vs_intake  36  improved
    1       fear  exit_vs_intake  37  improved
    2      total  exit_vs_intake  37  improved
    """
    waves = _baseline_and_later(spec, forms)
    scales = list(spec.scales)
    if not waves:
        return pd.DataFrame()
    long = forms.melt(id_vars=[spec.id_column, "wave"], value_vars=scales, var_name="scale",
                      value_name="score")
    comparisons = {f"{w}_vs_{waves[0]}": (waves[0], w) for w in waves[1:]}
    table = wave_changes(long, dv="score", within="wave", subject=spec.id_column,
                         comparisons=comparisons, between="scale")
    table = holm(table, p="p")
    table["higher_is"] = table["scale"].map(spec.higher_is_of)
    better_up = table["higher_is"] == "better"
    improved = np.where(better_up, table["ci_low"] > 0, table["ci_high"] < 0)
    worsened = np.where(better_up, table["ci_high"] < 0, table["ci_low"] > 0)
    table["direction"] = np.select([improved, worsened], ["improved", "worsened"],
                                   "no_clear_change")
    table["direction"] = table["direction"].where(table["ci_low"].notna(), "")
    table.insert(0, "instrument", spec.name)
    order = {s: i for i, s in enumerate(scales)}
    table = table.sort_values(["comparison", "scale"], key=lambda c: c.map(order)
                              if c.name == "scale" else c.map(list(comparisons).index),
                              kind="stable", ignore_index=True)
    return table[["instrument", "scale", "comparison", "higher_is", "n", "mean_before",
                  "mean_after", "mean_change", "ci_low", "ci_high", "t", "df", "p", "p_holm",
                  "d_z", "d_z_ci_low", "d_z_ci_high", "d_av", "d_av_ci_low", "d_av_ci_high",
                  "wilcoxon_p", "direction", "note"]]


def means(spec: Instrument, forms: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Mean of every scale at every wave with its t interval.

    Parameters
    ----------
    spec
        The instrument.
    forms
        Its scored forms (:func:`scored`).
    confidence
        Level of the interval.

    Returns
    -------
    DataFrame
        instrument, scale, lowest, highest (the scale's possible range), wave, n, mean, ci_low,
        ci_high.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> means(spec, forms)[["scale", "wave", "n", "mean"]].head(2).round(3)
           scale    wave   n   mean
    0  behaviour  intake  61  5.951
    1  behaviour    exit  47  4.660
    """
    parts = []
    waves = _waves(spec, forms)
    for scale in spec.scales:
        lowest, highest = spec.score_range(scale)
        table = mean_table(forms, dv=scale, between="wave", order=waves, confidence=confidence)
        parts.append(table.assign(instrument=spec.name, scale=scale, lowest=lowest,
                                  highest=highest))
    table = pd.concat(parts, ignore_index=True)
    return table[["instrument", "scale", "lowest", "highest", "wave", "n", "mean", "ci_low",
                  "ci_high"]]


def bands(spec: Instrument, forms: pd.DataFrame) -> pd.DataFrame:
    """Forms in each band of every banded scale, per wave, with Wilson intervals.

    Parameters
    ----------
    spec
        The instrument.
    forms
        Its scored forms (:func:`scored`).

    Returns
    -------
    DataFrame
        instrument, scale, wave, band, n, scored, share, ci_low, ci_high. Empty when the spec has
        no bands.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> bands(spec, forms)[["scale", "wave", "band", "n", "scored"]].head(3)
       scale    wave      band   n  scored
    0  total  intake       low  14      64
    1  total  intake  moderate  27      64
    2  total  intake      high  23      64
    """
    parts = []
    order = {w: i for i, w in enumerate(_waves(spec, forms))}
    for scale, cut_offs in spec.bands.items():
        column = f"{scale}_band"
        rated = forms[forms[column].notna()]
        rated = rated.assign(**{column: rated[column].astype(str)})
        table = prevalence(rated, dv=column, between="wave",
                           categories=[b.label for b in cut_offs])
        table = table.rename(columns={"category": "band", "total": "scored"})
        table.insert(0, "scale", scale)
        parts.append(table.sort_values("wave", key=lambda w: w.map(order), kind="stable"))
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True)
    table.insert(0, "instrument", spec.name)
    return table[["instrument", "scale", "wave", "band", "n", "scored", "share", "ci_low",
                  "ci_high"]]


def consistency(spec: Instrument, dataset: Dataset) -> pd.DataFrame:
    """Cronbach's alpha (Feldt's interval) of every scale at every wave.

    Parameters
    ----------
    spec
        The instrument.
    dataset
        The data folder holding its answers.

    Returns
    -------
    DataFrame
        instrument, scale, wave, items, n, alpha, ci_low, ci_high, note.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> consistency(spec, dataset)[["scale", "wave", "items", "n", "alpha"]].head(2).round(3)
           scale    wave  items   n  alpha
    0  behaviour  intake      4  55  0.852
    1       fear  intake      4  62  0.850
    """
    table = reliability(dataset.responses(spec.name), spec, by="wave")
    table = table.rename(columns={"subscale": "scale"})
    table["wave"] = table["wave"].astype(str)
    table.insert(0, "instrument", spec.name)
    return table[["instrument", "scale", "wave", "items", "n", "alpha", "ci_low", "ci_high",
                  "note"]]


def reliable_change_people(spec: Instrument, forms: pd.DataFrame, dataset: Dataset,
                           *, criterion: float = 1.96) -> pd.DataFrame:
    """Reliable change of the total from the baseline to each later wave, per person and comparison.

    Internal: it feeds the counts and the safety list. The reliability is the spec's, or else
    Cronbach's alpha of the total at the baseline wave (``docs/methods.md#reliable-change-index``).
    A comparison with fewer than two pairs, or whose baseline scores do not vary, is left out.

    Parameters
    ----------
    spec
        The instrument.
    forms
        Its scored forms (:func:`scored`).
    dataset
        The data folder holding its answers (for the baseline alpha).
    criterion
        Cut-off for ``|RC|`` (1.96 for 95%).

    Returns
    -------
    DataFrame
        id column, comparison, before, after, rc, category, reliability, reliability_from,
        sd_before, threshold.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> people = reliable_change_people(spec, forms, dataset)
    >>> people["comparison"].value_counts().tolist()
    [37, 22]
    """
    total = spec.total or next(iter(spec.scales))
    waves = _baseline_and_later(spec, forms)
    columns = [spec.id_column, "comparison", "before", "after", "rc", "category", "reliability",
               "reliability_from", "sd_before", "threshold"]
    if not waves:
        return pd.DataFrame(columns=columns)
    rel, source = spec.reliability, "the instrument's spec"
    if rel is None:
        alphas = consistency(spec, dataset)
        at_baseline = alphas[(alphas["scale"] == total) & (alphas["wave"] == waves[0])]
        rel = float(at_baseline["alpha"].iloc[0]) if len(at_baseline) else np.nan
        source = f"Cronbach's alpha at {waves[0]}"
    if not (np.isfinite(rel) and 0 <= rel < 1):
        return pd.DataFrame(columns=columns)
    parts = []
    for later in waves[1:]:
        people = reliable_change(forms, dv=total, within="wave", subject=spec.id_column,
                                 levels=(waves[0], later), reliability=rel, criterion=criterion,
                                 higher_is=spec.higher_is_of(total))
        if len(people):
            parts.append(people.assign(comparison=f"{later}_vs_{waves[0]}",
                                       reliability_from=source)[columns])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def reliable_change_counts(spec: Instrument, people: pd.DataFrame) -> pd.DataFrame:
    """People in each reliable-change category per comparison (every category listed).

    Parameters
    ----------
    spec
        The instrument.
    people
        Reliable change of each person (:func:`reliable_change_people`).

    Returns
    -------
    DataFrame
        instrument, comparison, category, n, assessed, share, reliability, reliability_from,
        threshold.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> counts = reliable_change_counts(spec, reliable_change_people(spec, forms, dataset))
    >>> counts[["comparison", "category", "n", "assessed"]].head(3)
           comparison            category   n  assessed
    0  exit_vs_intake   reliably_improved  13        37
    1  exit_vs_intake  no_reliable_change  23        37
    2  exit_vs_intake      reliably_worse   1        37
    """
    rows = []
    for comparison, part in people.groupby("comparison", sort=False):
        counts = part["category"].astype(str).value_counts()
        for category in RC_CATEGORIES:
            n = int(counts.get(category, 0))
            rows.append(dict(instrument=spec.name, comparison=comparison, category=category, n=n,
                             assessed=len(part), share=n / len(part),
                             reliability=part["reliability"].iloc[0],
                             reliability_from=part["reliability_from"].iloc[0],
                             threshold=part["threshold"].iloc[0]))
    return pd.DataFrame(rows)


def clinical_change_counts(spec: Instrument, forms: pd.DataFrame,
                           people: pd.DataFrame) -> pd.DataFrame:
    """People recovered, improved, unchanged or deteriorated (Jacobson and Truax) per comparison.

    The total's reliable change (same reliability as ``people``) and the cut-off between
    dysfunction and function: criterion c when the spec gives ``functional_mean`` and
    ``functional_sd`` (published norms), otherwise criterion a, from the baseline of the people
    assessed (``docs/methods.md#clinically-significant-change``). Each share has a Wilson
    interval; every category is listed.

    Parameters
    ----------
    spec
        The instrument.
    forms
        Its scored forms (:func:`scored`).
    people
        Reliable change of each person (:func:`reliable_change_people`), for the reliability.

    Returns
    -------
    DataFrame
        instrument, comparison, category, n, assessed, share, ci_low, ci_high, cutoff,
        criterion.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> people = reliable_change_people(spec, forms, dataset)
    >>> table = clinical_change_counts(spec, forms, people)
    >>> table["category"].head(4).tolist(), table["criterion"].iloc[0]
    (['recovered', 'improved', 'unchanged', 'deteriorated'], 'a')
    """
    columns = ["instrument", "comparison", "category", "n", "assessed", "share", "ci_low",
               "ci_high", "cutoff", "criterion"]
    waves = _baseline_and_later(spec, forms)
    if not waves or people.empty:
        return pd.DataFrame(columns=columns)
    total = spec.total or next(iter(spec.scales))
    parts = []
    for later in waves[1:]:
        comparison = f"{later}_vs_{waves[0]}"
        rel = people.loc[people["comparison"] == comparison, "reliability"]
        if rel.empty:
            continue
        each = clinical_change(forms, dv=total, within="wave", subject=spec.id_column,
                               levels=(waves[0], later), reliability=float(rel.iloc[0]),
                               higher_is=spec.higher_is_of(total),
                               functional_mean=spec.functional_mean,
                               functional_sd=spec.functional_sd)
        if each.empty:
            continue
        counts = prevalence(each, dv="category", categories=list(CS_CATEGORIES))
        parts.append(counts.rename(columns={"total": "assessed"}).assign(
            instrument=spec.name, comparison=comparison, cutoff=each["cutoff"].iloc[0],
            criterion=each["criterion"].iloc[0]))
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def safety_list(spec: Instrument, people: pd.DataFrame,
                forms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Participants whose partner's reports reliably worsened, for the partner support worker.

    Internal, and for partner-reported instruments only. No partner is named: the row carries the
    participant's pseudonym, and the date of the later answer (the one that worsened), so the
    worker knows how recent the report is.

    Parameters
    ----------
    spec
        The instrument.
    people
        Reliable change of each person (:func:`reliable_change_people`).
    forms
        Its scored forms (:func:`scored`), for the date of the later answer; without them, or
        without ``response_date``, the date is blank.

    Returns
    -------
    DataFrame
        participant_id, instrument, comparison, answered (``YYYY-MM-DD`` of the later answer),
        before, after, rc.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> safety = safety_list(spec, reliable_change_people(spec, forms, dataset), forms)
    >>> len(safety), safety["comparison"].tolist()
    (2, ['exit_vs_intake', 'follow_up_vs_intake'])
    """
    worse = people[people["category"].astype(str) == "reliably_worse"]
    ids = worse[spec.id_column].astype(str).to_numpy()
    # "<later>_vs_<baseline>": the later wave is the one whose answer worsened.
    later = worse["comparison"].astype(str).str.rsplit("_vs_", n=1).str[0].to_numpy()
    answered = pd.Series([None] * len(worse), dtype=object)
    if forms is not None and "response_date" in forms and len(worse):
        dated = forms[forms["response_date"].notna()]
        when = dict(zip(zip(dated[spec.id_column].astype(str), dated["wave"].astype(str), strict=True),
                        pd.to_datetime(dated["response_date"]).dt.strftime("%Y-%m-%d"),
                        strict=True))
        answered = pd.Series([when.get(key) for key in zip(ids, later, strict=True)],
                             dtype=object)
    return pd.DataFrame({"participant_id": ids, "instrument": spec.name,
                         "comparison": worse["comparison"].to_numpy(),
                         "answered": answered.to_numpy(),
                         "before": worse["before"].to_numpy(), "after": worse["after"].to_numpy(),
                         "rc": worse["rc"].to_numpy()})


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
         Col("direction", "label", "improved or worsened (95% interval clear of no change), or "
             "no clear change", rests_on=("n",)),
         Col("note", "text", "why a figure could not be computed"),
         modal("people at the most common change")),
        unit="people", appendix=True).for_funder(
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
        unit="people").for_funder(
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
         Col("rc", "statistic", "reliable change index: the change divided by its standard "
             "error; beyond the threshold it is more than measurement error",
             label="reliable change index")),
        unit="partners", internal=True),
)


def _each(dataset: Dataset):
    for name, spec in dataset.instruments.items():
        yield spec, scored(dataset, name)


def compute(dataset: Dataset, *, min_cell: int = 5) -> dict[str, pd.DataFrame | str]:
    """One set of tables for every instrument in the folder.

    Parameters
    ----------
    dataset
        A loaded data folder with at least one instrument spec.
    min_cell
        Smallest group a report describes; unused here (nothing is grouped before publishing).

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
            result[spec.name] = pd.concat(nonempty or frames[:1], ignore_index=True)
    return result


def _with_modal_means(spec: Instrument, forms: pd.DataFrame, table: pd.DataFrame
                      ) -> pd.DataFrame:
    """``table`` with ``at_mode``: people at the most common score of each scale and wave."""
    waves = forms.assign(wave=forms["wave"].astype(str))
    counts = {scale: modal_counts(waves, value=scale, by="wave") for scale in spec.scales}
    return table.assign(at_mode=[int(counts[s].get(str(w), 0))
                                 for s, w in zip(table["scale"], table["wave"], strict=True)])


def _with_modal_change(spec: Instrument, forms: pd.DataFrame, table: pd.DataFrame
                       ) -> pd.DataFrame:
    """``table`` with ``at_mode``: people at the most common change of each row's pairs."""
    if not len(table.columns):
        return table
    at_mode = []
    for scale, comparison in zip(table["scale"], table["comparison"], strict=True):
        later, baseline = str(comparison).split("_vs_")
        pairs = wide(forms, dv=scale, subject=spec.id_column, levels=[baseline, later])
        at_mode.append(modal_count(pairs[later] - pairs[baseline]))
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
