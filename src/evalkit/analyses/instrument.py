"""One pipeline for every questionnaire, driven by its :class:`~evalkit.scales.spec.Instrument`.

The built-in checklists (the discomfort checklist, the STSS, the ProQOL 5) and a programme's own
outcome measures (``instruments/<name>.toml``) are scored, described and compared the same way:
forms scored (:func:`scored`), the mean of every scale at every wave (:func:`means`), paired
change between waves, Holm-adjusted within the instrument (:func:`change`), forms in each band
(:func:`bands`), Cronbach's alpha per scale and wave (:func:`consistency`), and Jacobson-Truax
reliable and clinically significant change (:func:`reliable_change_people`,
:func:`reliable_change_counts`, :func:`clinical_change_counts`). Each analysis picks the columns
it publishes and adds its own extras. Methods: ``docs/methods.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..errors import MissingDataError
from ..scales import internal_consistency, score
from ..scales.spec import Instrument
from ..stats.describe import mean_table
from ..stats.multitest import holm
from ..stats.paired import wave_changes
from ..stats.power import paired_power
from ..stats.proportions import prevalence
from ..stats.reliability import CS_CATEGORIES, RC_CATEGORIES, clinical_change, reliable_change
from ._base import ordered_waves


def answers(dataset: Dataset, spec: Instrument) -> pd.DataFrame:
    """The raw answers to ``spec``: a built-in file (``stss.csv``) or a programme's own measure.

    Parameters
    ----------
    dataset
        A loaded data folder.
    spec
        A built-in instrument or one of ``dataset.instruments``.

    Returns
    -------
    DataFrame
        A copy of the answers, one row per form.

    Raises
    ------
    MissingDataError
        When the folder has no forms of the instrument.

    Examples
    --------
    >>> import evalkit
    >>> from evalkit.scales import STSS
    >>> answers(evalkit.load("data/sample"), STSS).columns.tolist()[:4]
    ['practitioner_id', 'wave', 'response_date', 'stss01']
    """
    if not dataset.has(spec.file):
        raise MissingDataError(f"the {spec.name} analysis needs {spec.file}.csv")
    if spec.name in dataset.instruments:
        return dataset.responses(spec.name)
    return dataset.tables[spec.file]


def scored(dataset: Dataset, instrument: Instrument | str, *, prorate_min: float | None = None,
           items: bool = False, attributes: Sequence[str] = ()) -> pd.DataFrame:
    """Every form of an instrument scored, with its id and wave as text.

    The score of each scale follows the spec's missing-item rule
    (``docs/methods.md#questionnaire-scoring``).

    Parameters
    ----------
    dataset
        A loaded data folder with the instrument's answers.
    instrument
        The instrument (:data:`~evalkit.scales.STSS`, ...), or the name of one of the folder's
        own (``instruments/<name>.toml``).
    prorate_min
        Share of a scale's items that must be answered for it to be scored; ``None`` for the
        spec's own.
    items
        Also carry the item answers (as floats), for item-level tables.
    attributes
        Columns of ``practitioners.csv`` attached by ``practitioner_id`` when the file is
        present (for comparisons by group).

    Returns
    -------
    DataFrame
        The id column, wave, response_date (when given), then per scale its score,
        ``<scale>_answered`` and, for banded scales, ``<scale>_band``; then the items and the
        attributes when asked for.

    Raises
    ------
    MissingDataError
        When the folder has no forms of the instrument.

    Examples
    --------
    >>> import evalkit
    >>> forms = scored(evalkit.load("data/sample"), "partner_safety")
    >>> forms.columns.tolist()[:5]
    ['participant_id', 'wave', 'response_date', 'behaviour', 'behaviour_answered']
    """
    spec = dataset.instruments[instrument] if isinstance(instrument, str) else instrument
    responses = answers(dataset, spec)
    keep = tuple(c for c in (spec.id_column, "wave", "response_date") if c in responses)
    table = score(responses, spec, prorate_min=prorate_min, keep=keep)
    if items:
        table = pd.concat([table, responses[list(spec.items)].astype("float64")], axis=1)
    table[spec.id_column] = table[spec.id_column].astype(str)
    table["wave"] = table["wave"].astype(str)
    if attributes and dataset.has("practitioners"):
        people = dataset.practitioners[["practitioner_id", *attributes]]
        people = people.assign(practitioner_id=people["practitioner_id"].astype(str))
        table = table.merge(people, on="practitioner_id", how="left", validate="m:1")
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


def change(spec: Instrument, forms: pd.DataFrame, *,
           comparisons: Mapping[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """Paired change of every scale from the baseline wave to each later wave.

    Holm-adjusted within the instrument (over every scale and comparison); ``direction`` reads
    the interval in the scale's own direction of improvement
    (``docs/methods.md#own-outcome-measures``).

    Parameters
    ----------
    spec
        The instrument.
    forms
        Its scored forms (:func:`scored`).
    comparisons
        Name -> (earlier wave, later wave) to compare instead, each listed even without
        pairs (with a note); by default ``<later>_vs_<baseline>`` for each later wave with forms.

    Returns
    -------
    DataFrame
        instrument, scale, comparison, higher_is, n, mean_before, mean_after, mean_change,
        ci_low, ci_high, t, df, p, p_holm, d_z, d_av (each with its interval), wilcoxon_p,
        wilcoxon_method, direction, note. By default empty with fewer than two waves or no forms
        at the spec's first (baseline) wave.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> change(spec, forms)[["scale", "comparison", "n", "direction"]].head(3)
           scale      comparison   n direction
    0  behaviour  exit_vs_intake  36  improved
    1       fear  exit_vs_intake  36  improved
    2      total  exit_vs_intake  36  improved
    """
    scales = list(spec.scales)
    if comparisons is None:
        waves = _baseline_and_later(spec, forms)
        if not waves:
            return pd.DataFrame()
        comparisons = {f"{w}_vs_{waves[0]}": (waves[0], w) for w in waves[1:]}
    long = forms.assign(wave=forms["wave"].astype(str)).melt(
        id_vars=[spec.id_column, "wave"], value_vars=scales, var_name="scale",
        value_name="score")
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
                  "wilcoxon_p", "wilcoxon_method", "direction", "note"]]


#: Changes a study might want to detect, as shares of a scale's possible range (a twentieth, a
#: tenth and a fifth), when no changes in score points are given.
PLANNED_SHARES = (0.05, 0.1, 0.2)


def sample_size(spec: Instrument, forms: pd.DataFrame, *,
                changes: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
                comparisons: Mapping[str, tuple[str, str]] | None = None,
                scales: Sequence[str] | None = None, power: float = 0.8,
                alpha: float = 0.05) -> pd.DataFrame:
    """People needed to detect a change of each planned size, from the observed SD of the changes.

    For every scale, comparison and planned change: the SD of the observed changes between the
    two waves and the number of people a two-sided paired t test needs for ``power``
    (:func:`evalkit.stats.power.paired_power`, pingouin's ``power_ttest``), rounded up. The one
    piece of sample-size planning that every questionnaire analysis calls.

    Parameters
    ----------
    spec
        The instrument.
    forms
        Its scored forms (:func:`scored`).
    changes
        Changes worth detecting, in score points: one list for every scale, or scale -> list;
        by default :data:`PLANNED_SHARES` of each scale's possible range
        (:meth:`~evalkit.scales.spec.Instrument.score_range`).
    comparisons
        Name -> (earlier wave, later wave); by default ``<later>_vs_<baseline>`` for each later
        wave with forms, as :func:`change` compares.
    scales
        The scales to plan for; by default every scale of the spec.
    power, alpha
        Power wanted and two-sided significance level.

    Returns
    -------
    DataFrame
        instrument, scale, comparison, change, pairs_observed, sd_change, d (the change in SDs
        of the changes), power, alpha, n_exact, n, note. Empty when there is no comparison.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> table = sample_size(spec, scored(dataset, spec), scales=["total"],
    ...                     comparisons={"exit_vs_intake": ("intake", "exit")})
    >>> table[["scale", "change", "pairs_observed", "n"]]
       scale  change  pairs_observed     n
    0  total     1.6              36  80.0
    1  total     3.2              36  22.0
    2  total     6.4              36   7.0
    """
    columns = ["instrument", "scale", "comparison", "change", "pairs_observed", "sd_change", "d",
               "power", "alpha", "n_exact", "n", "note"]
    if comparisons is None:
        waves = _baseline_and_later(spec, forms)
        comparisons = {f"{w}_vs_{waves[0]}": (waves[0], w) for w in waves[1:]} if waves else {}
    waved = forms.assign(wave=forms["wave"].astype(str))
    rows = []
    for scale in scales if scales is not None else list(spec.scales):
        if changes is None:
            lowest, highest = spec.score_range(scale)
            planned = [share * (highest - lowest) for share in PLANNED_SHARES]
        else:
            planned = changes[scale] if isinstance(changes, Mapping) else changes
        for name, levels in comparisons.items():
            for size in planned:
                rows.append(paired_power(waved, dv=scale, within="wave", subject=spec.id_column,
                                         levels=levels, change=size, power=power,
                                         alpha=alpha).assign(instrument=spec.name, scale=scale,
                                                             comparison=name))
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.concat(rows, ignore_index=True)[columns]


def means(spec: Instrument, forms: pd.DataFrame, *, waves: Sequence[str] | None = None,
          confidence: float = 0.95) -> pd.DataFrame:
    """Mean of every scale at every wave with its t interval.

    Parameters
    ----------
    spec
        The instrument.
    forms
        Its scored forms (:func:`scored`).
    waves
        The waves to list, in order, each even without forms (n 0); by default the waves with
        forms.
    confidence
        Level of the interval.

    Returns
    -------
    DataFrame
        instrument, scale, lowest, highest (the scale's possible range), wave, n, mean, sd,
        ci_low, ci_high (NaN spread and interval with fewer than two forms).

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> means(spec, forms)[["scale", "wave", "n", "mean"]].head(2).round(3)
           scale    wave   n   mean
    0  behaviour  intake  61  5.951
    1  behaviour    exit  45  4.689
    """
    parts = []
    waves = _waves(spec, forms) if waves is None else list(waves)
    forms = forms.assign(wave=forms["wave"].astype(str))
    for scale in spec.scales:
        lowest, highest = spec.score_range(scale)
        table = mean_table(forms, dv=scale, between="wave", order=waves, confidence=confidence)
        parts.append(table.assign(instrument=spec.name, scale=scale, lowest=lowest,
                                  highest=highest))
    table = pd.concat(parts, ignore_index=True)
    return table[["instrument", "scale", "lowest", "highest", "wave", "n", "mean", "sd",
                  "ci_low", "ci_high"]]


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
    table = internal_consistency(answers(dataset, spec), spec, by="wave")
    table = table.rename(columns={"subscale": "scale"})
    table["wave"] = table["wave"].astype(str)
    table.insert(0, "instrument", spec.name)
    return table[["instrument", "scale", "wave", "items", "n", "alpha", "ci_low", "ci_high",
                  "note"]]


def reliable_change_people(spec: Instrument, forms: pd.DataFrame, dataset: Dataset | None = None,
                           *, reliability: float | None = None,
                           criterion: float = 1.96) -> pd.DataFrame:
    """Reliable change of the total from the baseline to each later wave, per person and comparison.

    Internal: it feeds the counts and the safety list. The reliability is ``reliability``, else
    the spec's, else Cronbach's alpha of the total at the baseline wave
    (``docs/methods.md#reliable-change-index``). The table is empty when the reliability is not
    in [0, 1); a comparison with fewer than two pairs, or whose baseline scores do not vary, is
    left out.

    Parameters
    ----------
    spec
        The instrument.
    forms
        Its scored forms (:func:`scored`).
    dataset
        The data folder holding its answers (for the baseline alpha); needed only when neither
        ``reliability`` nor the spec gives one.
    reliability
        Reliability to use instead of the spec's or the baseline alpha.
    criterion
        Cut-off for ``|RC|`` (1.96 for 95%); a change exactly at it is not reliable.

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
    [36, 17]
    """
    total = spec.total or next(iter(spec.scales))
    waves = _baseline_and_later(spec, forms)
    columns = [spec.id_column, "comparison", "before", "after", "rc", "category", "reliability",
               "reliability_from", "sd_before", "threshold"]
    if not waves:
        return pd.DataFrame(columns=columns)
    rel, source = spec.reliability, "the instrument's spec"
    if reliability is not None:
        rel, source = reliability, "given"
    elif rel is None:
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


def reliable_change_counts(spec: Instrument, people: pd.DataFrame, *,
                           comparisons: Sequence[str] = ()) -> pd.DataFrame:
    """People in each reliable-change category per comparison (every category listed).

    Parameters
    ----------
    spec
        The instrument.
    people
        Reliable change of each person (:func:`reliable_change_people`).
    comparisons
        Comparisons listed even when nobody could be assessed in them (n 0, share and
        reliability NaN), in this order before any others of ``people``.

    Returns
    -------
    DataFrame
        instrument, comparison, category, n, assessed, share, reliability, reliability_from,
        sd_before, threshold.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> spec = dataset.instruments["partner_safety"]
    >>> forms = scored(dataset, "partner_safety")
    >>> counts = reliable_change_counts(spec, reliable_change_people(spec, forms, dataset))
    >>> counts[["comparison", "category", "n", "assessed"]].head(3)
           comparison            category   n  assessed
    0  exit_vs_intake   reliably_improved  13        36
    1  exit_vs_intake  no_reliable_change  22        36
    2  exit_vs_intake      reliably_worse   1        36
    """
    rows = []
    listed = list(dict.fromkeys([*comparisons, *people["comparison"]]))
    for comparison in listed:
        part = people[people["comparison"] == comparison]
        counts = part["category"].astype(str).value_counts()
        first = part.iloc[0] if len(part) else pd.Series(dtype=object)
        for category in RC_CATEGORIES:
            n = int(counts.get(category, 0))
            rows.append(dict(instrument=spec.name, comparison=comparison, category=category, n=n,
                             assessed=len(part), share=n / len(part) if len(part) else np.nan,
                             reliability=first.get("reliability", np.nan),
                             reliability_from=first.get("reliability_from", np.nan),
                             sd_before=first.get("sd_before", np.nan),
                             threshold=first.get("threshold", np.nan)))
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
