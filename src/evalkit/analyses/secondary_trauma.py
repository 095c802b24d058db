"""Practitioners' secondary traumatic stress (STSS) and professional quality of life (ProQOL 5).

Scoring keys, bands and citations live in :mod:`evalkit.instruments`; this module turns scored
forms into the tables researchers and wellbeing leads ask for: how common each band is, who is
more affected, what goes with it, and whether it changed between survey waves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import scales as instruments
from ..scales import DEFAULT_MIN_ANSWERED, PROQOL, STSS, Instrument
from ..stats import models as _models
from ..stats.groups import compare_groups
from ..stats.paired import paired_change
from ..stats.proportions import band_prevalence, wilson_interval

#: Practitioner attributes that group comparisons and the regression use.
FACTORS = ("gender", "role", "experience_band", "supervision_frequency")
STSS_SUBSCALES = ("intrusion", "avoidance", "arousal", "total")
PROQOL_SUBSCALES = tuple(PROQOL.subscales)
CLINICAL_THRESHOLD = 38
"""STSS total at or above which secondary traumatic stress is often called clinically meaningful
(Bride 2007)."""


def scored_forms(dataset, instrument: Instrument = STSS,
                 min_answered: float = DEFAULT_MIN_ANSWERED) -> pd.DataFrame:
    """One row per returned form: its scores and bands, with the practitioner's attributes.

    Attributes (``FACTORS`` and ``site``) are joined from ``practitioners.csv`` when it is present.
    A subscale with too few answered items is missing (see :func:`scoring_coverage`).
    """
    responses = dataset.tables[instrument.file]
    scored = instruments.score(responses, instrument, min_answered=min_answered)
    scored.insert(2, "response_date", responses["response_date"].to_numpy())
    if dataset.has("practitioners"):
        attributes = dataset.practitioners[["practitioner_id", "site", *FACTORS]]
        scored = scored.merge(attributes, on="practitioner_id", how="left", validate="m:1")
    return scored


def scoring_coverage(forms: pd.DataFrame, subscales, by: str = "wave") -> pd.DataFrame:
    """How many forms could be scored on each subscale, and how many had too few answers.

    Returns
    -------
    DataFrame
        [by,] subscale, forms, scored, unscored.
    """
    rows = []
    for label, group in forms.groupby(by, observed=True, sort=True):
        for name in subscales:
            scored = int(group[name].notna().sum())
            rows.append({by: label, "subscale": name, "forms": len(group), "scored": scored,
                         "unscored": len(group) - scored})
    return pd.DataFrame(rows)




def sts_bands(forms: pd.DataFrame) -> pd.DataFrame:
    """``sts_bands.csv``: STSS total bands per wave (Bride 2007) with Wilson 95% intervals."""
    return band_prevalence(forms, "total_band")


def proqol_bands(forms: pd.DataFrame) -> pd.DataFrame:
    """``proqol_bands.csv``: low / moderate / high on each ProQOL subscale per wave."""
    tables = []
    for name in PROQOL_SUBSCALES:
        table = band_prevalence(forms, f"{name}_band")
        table.insert(1, "subscale", name)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def share_at_or_above(forms: pd.DataFrame, score: str = "total",
                      threshold: float = CLINICAL_THRESHOLD, by: str = "wave",
                      confidence: float = 0.95) -> pd.DataFrame:
    """Share of scored forms with ``score`` at or above ``threshold`` per group, with Wilson CI.

    Returns
    -------
    DataFrame
        [by,] scored, at_or_above, share, ci_low, ci_high.
    """
    scored = forms[forms[score].notna()]
    table = (scored.assign(_above=scored[score] >= threshold)
             .groupby(by, observed=True, sort=True)["_above"].agg(scored="size", at_or_above="sum")
             .reset_index())
    table["share"] = table["at_or_above"] / table["scored"]
    table["ci_low"], table["ci_high"] = wilson_interval(table["at_or_above"], table["scored"],
                                                        confidence)
    table[by] = table[by].astype(str)
    return table


def subscale_summary(forms: pd.DataFrame, subscales, by: str = "wave") -> pd.DataFrame:
    """Mean, SD, median and range of each subscale per group (the subscale table).

    Returns
    -------
    DataFrame
        [by,] subscale, n, mean, sd, median, q1, q3.
    """
    long = forms.melt(id_vars=[by], value_vars=list(subscales), var_name="subscale")
    long["subscale"] = pd.Categorical(long["subscale"], categories=list(subscales))
    grouped = long.dropna(subset=["value"]).groupby([by, "subscale"], observed=True, sort=True)
    table = grouped["value"].agg(n="size", mean="mean", sd="std", median="median",
                                 q1=lambda v: v.quantile(0.25), q3=lambda v: v.quantile(0.75))
    table = table.reset_index()
    table[by] = table[by].astype(str)
    table["subscale"] = table["subscale"].astype(str)
    return table


def per_scale(table_of, stss: pd.DataFrame, proqol: pd.DataFrame, *args,
              stss_subscales=STSS_SUBSCALES, **kwargs) -> pd.DataFrame:
    """``table_of(forms, subscales, ...)`` for the STSS and the ProQOL forms, stacked, with a
    ``scale`` column first.
    """
    tables = [table_of(stss, list(stss_subscales), *args, **kwargs).assign(scale="STSS"),
              table_of(proqol, list(PROQOL_SUBSCALES), *args, **kwargs).assign(scale="ProQOL 5")]
    table = pd.concat(tables, ignore_index=True)
    return table[["scale", *[c for c in table.columns if c != "scale"]]]


def latest_wave(forms: pd.DataFrame, by: str = "wave") -> pd.DataFrame:
    """The forms of the most recent wave (waves sort as text: "2024" < "2025")."""
    if forms.empty:
        return forms
    last = sorted(forms[by].astype(str).unique())[-1]
    return forms[forms[by].astype(str) == last]


def group_comparisons(forms: pd.DataFrame, score: str = "total", factors=FACTORS,
                      min_group: int = 2) -> pd.DataFrame:
    """Compare ``score`` across the groups of each factor (see :func:`evalkit.stats.compare_groups`).

    Pass one wave's forms (e.g. :func:`latest_wave`) so that no practitioner counts twice.

    Returns
    -------
    DataFrame
        One row per factor: groups, n, groups_left_out, the Welch test, its effect size, the
        rank-based test and its effect size, and a note when no test was possible.
    """
    present = [f for f in factors if f in forms.columns]
    if not present:
        raise ValueError("no practitioner attributes: practitioners.csv is needed for comparisons")
    _one_form_each(forms)
    return pd.DataFrame([compare_groups(forms, score, f, min_group=min_group) for f in present])


def _one_form_each(forms: pd.DataFrame) -> None:
    if forms["practitioner_id"].duplicated().any():
        raise ValueError("some practitioners have more than one form: pass one wave's forms")


def supervision_per_month(dataset, forms: pd.DataFrame, months: int = 12) -> pd.Series:
    """Mean supervision sessions per month (all kinds) in the ``months`` up to each form's month.

    Months without a row in ``supervision.csv`` count as 0 sessions: the file lists sessions that
    happened. Returns a Series aligned with ``forms``.
    """
    supervision = dataset.supervision
    monthly = (supervision.groupby(["practitioner_id", "month"], observed=True)["sessions"].sum()
               .reset_index())
    form_month = forms["response_date"].dt.to_period("M")
    keys = pd.DataFrame({"practitioner_id": forms["practitioner_id"].astype(str).to_numpy(),
                         "form_month": form_month.array.asi8, "row": np.arange(len(forms))})
    monthly["practitioner_id"] = monthly["practitioner_id"].astype(str)
    pairs = keys.merge(monthly, on="practitioner_id", how="inner")
    months_before = pairs["form_month"].to_numpy() - pairs["month"].array.asi8
    in_window = (months_before >= 0) & (months_before < months)
    totals = pairs[in_window].groupby("row")["sessions"].sum()
    per_month = totals.reindex(range(len(forms)), fill_value=0).astype(float) / months
    return pd.Series(per_month.to_numpy(), index=forms.index, name="supervision_per_month")








def stss_regression(forms: pd.DataFrame, score: str = "total", factors=FACTORS,
                    covariates=(), min_group: int = 1) -> pd.DataFrame:
    """OLS of the STSS total on practitioner attributes (see
    :func:`evalkit.stats.models.ols_regression`). Pass one wave's forms."""
    _one_form_each(forms)
    return _models.ols_regression(forms, score=score, factors=factors, covariates=covariates,
                                  min_group=min_group)


def wave_change(forms: pd.DataFrame, subscales, first: str, second: str) -> pd.DataFrame:
    """Paired change of each subscale between two waves for practitioners in both.

    Returns
    -------
    DataFrame
        subscale, then the columns of :func:`evalkit.stats.paired_change`.
    """
    wide = forms.assign(wave=forms["wave"].astype(str)).pivot_table(
        index="practitioner_id", columns="wave", values=list(subscales), observed=True)
    rows = []
    for name in subscales:
        if (name, first) not in wide.columns or (name, second) not in wide.columns:
            before = after = np.array([])
        else:
            before, after = wide[(name, first)], wide[(name, second)]
        rows.append({"subscale": name, **paired_change(before, after)})
    return pd.DataFrame(rows)


def scale_scores(dataset, min_answered: float = DEFAULT_MIN_ANSWERED,
                 discomfort_wave: str = "pre") -> pd.DataFrame:
    """One row per practitioner and survey wave with every scale score side by side.

    STSS and ProQOL forms of the same wave are joined; the practitioner's discomfort score at
    ``discomfort_wave`` and supervision sessions per month (:func:`supervision_per_month`) are
    added when those files are present. STSS columns are prefixed ``stss_`` so that they cannot
    be mistaken for the ProQOL subscale of the same topic. Used for correlations.
    """
    keys = ["practitioner_id", "wave"]
    parts = []
    for instrument, subscales in ((STSS, STSS_SUBSCALES), (PROQOL, PROQOL_SUBSCALES)):
        if dataset.has(instrument.file):
            forms = scored_forms(dataset, instrument, min_answered)
            if instrument is STSS:
                forms = forms.rename(columns={s: f"stss_{s}" for s in subscales})
                subscales = [f"stss_{s}" for s in subscales]
            columns = [*keys, *subscales]
            if dataset.has("supervision") and instrument is STSS:
                forms["supervision_per_month"] = supervision_per_month(dataset, forms)
                columns.append("supervision_per_month")
            parts.append(forms[columns].assign(wave=lambda f: f["wave"].astype(str),
                                               practitioner_id=lambda f: f[
                                                   "practitioner_id"].astype(str)))
    if not parts:
        raise ValueError("neither stss.csv nor proqol.csv is present")
    table = parts[0] if len(parts) == 1 else parts[0].merge(parts[1], on=keys, how="outer")
    if dataset.has("discomfort"):
        discomfort = instruments.score(dataset.discomfort, instruments.DISCOMFORT, min_answered)
        discomfort = discomfort[discomfort["wave"].astype(str) == discomfort_wave]
        discomfort = discomfort.assign(practitioner_id=discomfort["practitioner_id"].astype(str))
        table = table.merge(discomfort[["practitioner_id", "discomfort"]], on="practitioner_id",
                            how="left", validate="m:1")
    return table.sort_values(keys, ignore_index=True)
