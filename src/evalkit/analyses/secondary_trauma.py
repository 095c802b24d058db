"""How common secondary traumatic stress is among practitioners, and what goes with it.

Two questionnaires, either or both: the Secondary Traumatic Stress Scale (STSS; Bride et al.
2004), banded after Bride (2007), and the Professional Quality of Life scale (ProQOL 5; Stamm
2010). Keys, cut-offs and citations are in :mod:`evalkit.scales`; methods in ``docs/methods.md``.
Survey waves are free labels (such as a year) and are put in order by their median response date.
Comparisons, the regression and correlations use the latest wave, so nobody counts twice. Scoring,
bands, alpha and change between waves are the instrument pipeline's
(:mod:`evalkit.analyses.instrument`, driven by the two specs); this module adds the share at the
clinical cut-off, the group comparisons, the regression, the correlations and supervision.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..errors import MissingDataError
from ..scales import DISCOMFORT, PROQOL, STSS
from ..stats.correlation import correlations
from ..stats.groups import compare_groups
from ..stats.models import ols_fit, ols_regression, ols_residuals
from ..stats.multitest import holm
from ..stats.paired import by_subject
from ..stats.proportions import wilson_interval
from ._base import Analysis, alpha_cols, band_cols, effect_interval_cols, ordered_waves
from .instrument import bands, change, consistency, scored
from .tables import Col, TableSpec, interval, modal, modal_count, pairs_modal_count

#: Practitioner attributes that comparisons and the regression use (ordered ones first).
FACTORS = ("gender", "role", "experience_band", "supervision_frequency")
ORDERED_FACTORS = ("experience_band", "supervision_frequency")
#: Columns of ``practitioners.csv`` attached to the scored forms.
ATTRIBUTES = ("site", *FACTORS)
STSS_SUBSCALES = tuple(STSS.scales)
PROQOL_SUBSCALES = tuple(PROQOL.scales)
STSS_BANDS = tuple(b.label for b in STSS.bands["total"])
PROQOL_BANDS = tuple(b.label for b in PROQOL.bands["burnout"])
CLINICAL_THRESHOLD = STSS.band_floor("total", "moderate")
"""STSS total at or above which secondary traumatic stress is often called clinically meaningful
(Bride 2007): the lowest score of the STSS ``moderate`` band."""
_AT_OR_ABOVE = f"{CLINICAL_THRESHOLD:g} or more"
_PROQOL_MODERATE = PROQOL.band_floor("burnout", "moderate")
_SCALES = {"stss": ("STSS", STSS, STSS_SUBSCALES), "proqol": ("ProQOL 5", PROQOL, PROQOL_SUBSCALES)}


def latest_wave(forms: pd.DataFrame) -> pd.DataFrame:
    """The forms of the most recent wave (waves ordered by their median response date).

    Parameters
    ----------
    forms
        Scored forms (:func:`~evalkit.analyses.instrument.scored`).

    Returns
    -------
    DataFrame
        The rows of the latest wave; ``forms`` itself when it is empty.

    Examples
    --------
    >>> import evalkit
    >>> forms = scored(evalkit.load("data/sample"), STSS, attributes=ATTRIBUTES)
    >>> latest_wave(forms)["wave"].unique().tolist()
    ['2025']
    """
    if forms.empty:
        return forms
    return forms[forms["wave"] == ordered_waves(forms)[-1]]


def coverage(forms: pd.DataFrame, subscales: Sequence[str]) -> pd.DataFrame:
    """Forms returned per wave and how many could be scored on each subscale.

    Parameters
    ----------
    forms
        Scored forms (:func:`~evalkit.analyses.instrument.scored`).
    subscales
        The score columns to count.

    Returns
    -------
    DataFrame
        wave, subscale, forms, scored, unscored.

    Examples
    --------
    >>> import evalkit
    >>> forms = scored(evalkit.load("data/sample"), STSS, attributes=ATTRIBUTES)
    >>> coverage(forms, ["total"])
       wave subscale  forms  scored  unscored
    0  2024    total     36      35         1
    1  2025    total     31      31         0
    """
    rows = []
    for wave in ordered_waves(forms):
        group = forms[forms["wave"] == wave]
        for name in subscales:
            n = int(group[name].notna().sum())
            rows.append({"wave": wave, "subscale": name, "forms": len(group), "scored": n,
                         "unscored": len(group) - n})
    return pd.DataFrame(rows, columns=["wave", "subscale", "forms", "scored", "unscored"])


def share_at_or_above(forms: pd.DataFrame, *, column: str = "total",
                      threshold: float = CLINICAL_THRESHOLD,
                      confidence: float = 0.95) -> pd.DataFrame:
    """``sts_clinical.csv``: share of scored forms at or above ``threshold`` per wave.

    With a Wilson interval (``docs/methods.md#prevalence``).

    Parameters
    ----------
    forms
        Scored forms (:func:`~evalkit.analyses.instrument.scored`).
    column
        The score compared with the threshold.
    threshold
        The cut-off, included (:data:`CLINICAL_THRESHOLD` for the STSS total: where its
        ``moderate`` band begins).
    confidence
        Level of the interval.

    Returns
    -------
    DataFrame
        wave, scored, at_or_above, share, ci_low, ci_high.

    Examples
    --------
    >>> import evalkit
    >>> forms = scored(evalkit.load("data/sample"), STSS, attributes=ATTRIBUTES)
    >>> share_at_or_above(forms).round(3)
       wave  scored  at_or_above  share  ci_low  ci_high
    0  2024      35           16  0.457   0.305    0.618
    1  2025      31           14  0.452   0.292    0.622
    """
    rows = []
    for wave in ordered_waves(forms):
        values = forms.loc[forms["wave"] == wave, column].dropna()
        k, n = int((values >= threshold).sum()), len(values)
        rows.append(dict(wave=wave, scored=n, at_or_above=k, share=k / n if n else np.nan))
    table = pd.DataFrame(rows, columns=["wave", "scored", "at_or_above", "share"])
    return wilson_interval(table, successes="at_or_above", trials="scored",
                           confidence=confidence)


def subscale_summary(forms: pd.DataFrame, subscales: Sequence[str]) -> pd.DataFrame:
    """Mean, SD, median and quartiles of each subscale per wave.

    Parameters
    ----------
    forms
        Scored forms (:func:`~evalkit.analyses.instrument.scored`).
    subscales
        The score columns to summarise.

    Returns
    -------
    DataFrame
        wave, subscale, n, mean, sd, median, q1, q3.

    Examples
    --------
    >>> import evalkit
    >>> forms = scored(evalkit.load("data/sample"), STSS, attributes=ATTRIBUTES)
    >>> subscale_summary(forms, ["total"]).round(2)
       wave subscale   n   mean     sd  median    q1    q3
    0  2024    total  35  36.60   9.59    37.0  30.0  44.0
    1  2025    total  31  36.16  10.06    35.0  29.5  42.0
    """
    rows = []
    for wave in ordered_waves(forms):
        group = forms[forms["wave"] == wave]
        for name in subscales:
            v = group[name].dropna().astype(float)
            rows.append(dict(wave=wave, subscale=name, n=len(v), mean=v.mean(), sd=v.std(ddof=1),
                             median=v.median(), q1=v.quantile(0.25), q3=v.quantile(0.75)))
    return pd.DataFrame(rows)


#: Fewest scores in a group for its quartiles, and for its 10th and 90th percentiles: with
#: fewer, a quartile is (or lies next to) one person's score, and the 10th and 90th percentiles
#: of fewer than 10 scores are pulled to the lowest and highest.
QUARTILE_MIN_GROUP, TAIL_MIN_GROUP = 5, 10


def distribution_by_group(forms: pd.DataFrame, *, column: str = "total",
                          between: Sequence[str] = FACTORS) -> pd.DataFrame:
    """``sts_distribution.csv``: percentiles of a score in each group of each factor.

    For box charts that draw no single person, in every audience: a group of fewer than
    :data:`QUARTILE_MIN_GROUP` scores has no percentiles, one of fewer than
    :data:`TAIL_MIN_GROUP` no 10th and 90th. Pass one wave's forms.

    Parameters
    ----------
    forms
        Scored forms of one wave.
    column
        The score to describe.
    between
        Attribute columns; those absent from ``forms`` are skipped.

    Returns
    -------
    DataFrame
        factor, group, n, p10, q1, median, q3, p90.

    Examples
    --------
    >>> import evalkit
    >>> forms = scored(evalkit.load("data/sample"), STSS, attributes=ATTRIBUTES)
    >>> distribution_by_group(latest_wave(forms), between=["role"])[["group", "n", "median", "p90"]]
                 group   n  median   p90
    0      facilitator  24    38.0  51.4
    1       supervisor   2     NaN   NaN
    2  partner_support   5    30.0   NaN
    """
    rows = []
    for factor in [f for f in between if f in forms.columns]:
        for group, part in forms.groupby(factor, observed=True, sort=True):
            v = part[column].dropna().astype(float)
            q = v.quantile([0.1, 0.25, 0.5, 0.75, 0.9]).to_numpy(copy=True) \
                if len(v) >= QUARTILE_MIN_GROUP else np.full(5, np.nan)
            if len(v) < TAIL_MIN_GROUP:
                q[[0, 4]] = np.nan
            rows.append(dict(factor=factor, group=str(group), n=len(v), p10=q[0], q1=q[1],
                             median=q[2], q3=q[3], p90=q[4]))
    return pd.DataFrame(rows, columns=["factor", "group", "n", "p10", "q1", "median", "q3",
                                       "p90"])


def group_comparisons(forms: pd.DataFrame, *, outcomes: dict[str, str],
                      between: Sequence[str] = FACTORS,
                      min_group: int = 5) -> pd.DataFrame:
    """Each outcome compared across the groups of each factor, Holm-adjusted over the factors.

    Welch's test and a rank test per factor (``docs/methods.md#group-comparisons``); the Holm
    adjustment is over the factors of one outcome. Pass one wave's forms.

    Parameters
    ----------
    forms
        Scored forms of one wave (one form per practitioner).
    outcomes
        Label -> score column, e.g. ``{"STSS total": "total"}``.
    between
        Attribute columns to compare by; those absent from ``forms`` are skipped.
    min_group
        Groups smaller than this are left out of a comparison (and counted).

    Returns
    -------
    DataFrame
        outcome, then the columns of :func:`evalkit.stats.groups.compare_groups`, and p_holm
        after p. Empty when no factor is present.

    Raises
    ------
    ValueError
        When a practitioner has more than one form.

    Examples
    --------
    >>> import evalkit
    >>> forms = scored(evalkit.load("data/sample"), STSS, attributes=ATTRIBUTES)
    >>> table = group_comparisons(latest_wave(forms), outcomes={"STSS total": "total"},
    ...                           between=["gender"])
    >>> table[["outcome", "factor", "groups", "n", "smallest_group"]]
          outcome  factor  groups   n  smallest_group
    0  STSS total  gender       2  30              13
    """
    if forms["practitioner_id"].duplicated().any():
        raise ValueError("some practitioners have more than one form: pass one wave's forms")
    parts = []
    for label, column in outcomes.items():
        rows = [compare_groups(forms, dv=column, between=f, min_group=min_group)
                for f in between if f in forms.columns]
        if not rows:
            continue
        table = pd.concat(rows, ignore_index=True)
        table.insert(0, "outcome", label)
        parts.append(holm(table, p="p"))
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True)
    order = [c for c in table.columns if c != "p_holm"]
    order.insert(order.index("p") + 1, "p_holm")
    return table[order]


def regression_residuals(data: pd.DataFrame, **options: object) -> pd.DataFrame:
    """``sts_regression_residuals.csv``: fitted value, residual and Cook's distance per person.

    One row per practitioner in the regression (:func:`evalkit.stats.models.ols_residuals`),
    in order of the fitted value, with no id: the residual plot of the research report. A row
    is ``influential`` when its Cook's distance is above ``4 / n`` (strictly), the rule
    ``sts_regression_fit`` counts by. One point per person, so the table is declared for the
    research audience only.

    Parameters
    ----------
    data
        One row per practitioner (one wave's forms).
    **options
        As for :func:`evalkit.stats.models.ols_regression` (``dv``, ``between``, ``ordered``,
        ``covar``, ``min_cell``).

    Returns
    -------
    DataFrame
        n (practitioners in the model), fitted, residual, cooks_d, cooks_line (``4 / n``),
        influential. Empty when no model can be fitted.

    Examples
    --------
    >>> forms = pd.DataFrame({"total": [30.0, 32, 35, 40, 41, 44], "role": list("aaabbb")})
    >>> table = regression_residuals(forms, dv="total", between=["role"], min_cell=3)
    >>> table[["fitted", "residual", "influential"]].round(3).head(2)
       fitted  residual  influential
    0  32.333    -2.333        False
    1  32.333    -0.333        False
    """
    columns = ["n", "fitted", "residual", "cooks_d", "cooks_line", "influential"]
    rows = ols_residuals(data, **options)
    n = len(rows)
    if not n:
        return pd.DataFrame(columns=columns)
    table = rows.sort_values("fitted", kind="stable").reset_index(drop=True)
    table.insert(0, "n", n)
    table["cooks_line"] = 4 / n
    table["influential"] = table["cooks_d"] > table["cooks_line"]
    return table[columns]


def supervision_per_month(dataset: Dataset, forms: pd.DataFrame, *,
                          months: int = 12) -> pd.Series:
    """Mean supervision sessions a month (all kinds) in the months up to each form's month.

    The window is the ``months`` months up to and including the month of the form's
    ``response_date``. Months without a row in ``supervision.csv`` count as 0 sessions: the file
    lists sessions that happened.

    Parameters
    ----------
    dataset
        A loaded data folder with ``supervision.csv``.
    forms
        Scored forms (:func:`~evalkit.analyses.instrument.scored`), with ``response_date``.
    months
        Length of the window.

    Returns
    -------
    Series
        ``supervision_per_month``, aligned with ``forms``.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> latest = latest_wave(scored(dataset, STSS))
    >>> supervision_per_month(dataset, latest).head(2).round(3).tolist()
    [3.0, 2.5]
    """
    supervision = dataset.supervision
    monthly = (supervision.groupby(["practitioner_id", "month"], observed=True)["sessions"].sum()
               .reset_index())
    form_month = pd.to_datetime(forms["response_date"]).dt.to_period("M")
    keys = pd.DataFrame({"practitioner_id": forms["practitioner_id"].astype(str).to_numpy(),
                         "form_month": form_month.array.asi8, "row": np.arange(len(forms))})
    monthly["practitioner_id"] = monthly["practitioner_id"].astype(str)
    pairs = keys.merge(monthly, on="practitioner_id", how="inner")
    months_before = pairs["form_month"].to_numpy() - pairs["month"].array.asi8
    in_window = (months_before >= 0) & (months_before < months)
    totals = pairs[in_window].groupby("row")["sessions"].sum()
    per_month = totals.reindex(range(len(forms)), fill_value=0).astype(float) / months
    return pd.Series(per_month.to_numpy(), index=forms.index, name="supervision_per_month")


def shared_latest_wave(forms: Sequence[pd.DataFrame]) -> str | None:
    """The most recent survey wave that every questionnaire's forms have.

    Scores are only set side by side from one survey round: when the STSS was last given in
    2025 and the ProQOL in 2024, the latest round both share is used (or none).

    Parameters
    ----------
    forms
        Scored forms of each questionnaire (:func:`~evalkit.analyses.instrument.scored`).

    Returns
    -------
    str or None
        The wave, or None when the questionnaires share no wave.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> shared_latest_wave([scored(dataset, STSS), scored(dataset, PROQOL)])
    '2025'
    """
    present = [f for f in forms if not f.empty]
    if not present:
        return None
    shared = set.intersection(*(set(f["wave"].astype(str)) for f in present))
    columns = ["wave"] + (["response_date"] if all("response_date" in f for f in present) else [])
    stacked = pd.concat([f[columns].assign(wave=f["wave"].astype(str)) for f in present])
    ordered = [w for w in ordered_waves(stacked) if w in shared]
    return ordered[-1] if ordered else None


def scale_scores(dataset: Dataset) -> pd.DataFrame:
    """Scores side by side from the latest survey wave, one row per practitioner.

    STSS subscales (prefixed ``stss_``), ProQOL subscales, supervision sessions a month and the
    discomfort score before preparation, for whichever files are present. When both
    questionnaires are present, the wave is the latest one they share
    (:func:`shared_latest_wave`), so no row mixes two survey rounds.

    Parameters
    ----------
    dataset
        A loaded data folder with ``stss.csv`` or ``proqol.csv``.

    Returns
    -------
    DataFrame
        practitioner_id, then the score columns, sorted by practitioner.

    Raises
    ------
    MissingDataError
        When neither questionnaire is present.

    Examples
    --------
    >>> import evalkit
    >>> scale_scores(evalkit.load("data/sample")).columns.tolist()[:5]
    ['practitioner_id', 'stss_intrusion', 'stss_avoidance', 'stss_arousal', 'stss_total']
    """
    every = {key: scored(dataset, spec) for key, (_, spec, _) in _SCALES.items()
             if dataset.has(spec.file)}
    if not every:
        raise MissingDataError("needs stss.csv or proqol.csv")
    wave = shared_latest_wave(list(every.values()))
    if wave is None:
        raise MissingDataError("needs a survey wave that the STSS and ProQOL forms share")
    parts = []
    for key, all_forms in every.items():
        subscales = _SCALES[key][2]
        forms = all_forms[all_forms["wave"].astype(str) == wave]
        columns = {s: (f"stss_{s}" if key == "stss" else s) for s in subscales}
        table = forms[["practitioner_id", *subscales]].rename(columns=columns)
        if key == "stss" and dataset.has("supervision"):
            table["supervision_per_month"] = supervision_per_month(dataset, forms).to_numpy()
        parts.append(table)
    table = parts[0]
    for part in parts[1:]:
        table = table.merge(part, on="practitioner_id", how="outer")
    if dataset.has("discomfort"):
        pre = scored(dataset, DISCOMFORT)
        pre = pre.loc[pre["wave"].astype(str) == "pre", ["practitioner_id", "discomfort"]]
        table = table.merge(pre, on="practitioner_id", how="left", validate="1:1")
    return table.sort_values("practitioner_id", ignore_index=True)


def _scale_of(columns) -> dict[str, str]:
    """Each subscale's total, so that a subscale is never correlated with its own total (the
    ProQOL has no total)."""
    return {c: "stss_total" for c in columns if c.startswith("stss_") and c != "stss_total"}


# --- published tables ------------------------------------------------------------------------------

def _rests(*names):
    return {"rests_on": names}


_WAVE = Col("wave", "label", "survey wave")


TABLES = (
    TableSpec(
        "wellbeing_coverage", "Forms returned and scored",
        (Col("scale", "label", "questionnaire"), _WAVE,
         Col("subscale", "label", "subscale"),
         Col("forms", "people", "forms returned"),
         Col("scored", "people", "forms with enough answers to score"),
         Col("unscored", "people", "forms with too few answers")),
        unit="practitioners").for_funder(
        scale="shown", wave="shown", subscale="shown", forms="rounded", scored="rounded",
        unscored="rounded"),
    TableSpec("sts_bands", "STSS total by band (Bride 2007)",
              (_WAVE, Col("band", "label", "band of the STSS total"), *band_cols("wave")),
              unit="practitioners").for_funder(
        wave="shown", band="shown", n="rounded", scored="rounded", share="percent",
        ci_low="interval", ci_high="interval"),
    TableSpec(
        "sts_clinical", f"Practitioners with an STSS total of {_AT_OR_ABOVE}",
        (_WAVE, Col("scored", "people", "forms scored"),
         Col("at_or_above", "people", f"forms with a total of {_AT_OR_ABOVE}",
             label=_AT_OR_ABOVE),
         Col("share", "share", f"share of scored forms at {_AT_OR_ABOVE}", part="at_or_above",
             whole="scored"),
         *interval("the Wilson 95% interval", fmt="percent", follows="share")),
        unit="practitioners").for_funder(
        wave="shown", scored="rounded", at_or_above="rounded", share="percent",
        ci_low="interval", ci_high="interval"),
    TableSpec("proqol_bands", "ProQOL 5 subscales by band",
              (_WAVE, Col("subscale", "label", "ProQOL subscale"),
               Col("band", "label", f"low ({_PROQOL_MODERATE - 1:g} or less), moderate or high "
                   f"({PROQOL.band_floor('burnout', 'high'):g} or more)"),
               *band_cols("wave", "subscale")),
              unit="practitioners").for_funder(
        wave="shown", subscale="shown", band="shown", n="rounded", scored="rounded",
        share="percent", ci_low="interval", ci_high="interval"),
    TableSpec(
        "wellbeing_subscales", "Scores by subscale and wave",
        (Col("scale", "label", "questionnaire"), _WAVE, Col("subscale", "label", "subscale"),
         Col("n", "people", "forms scored"),
         Col("mean", "statistic", "mean", decimals=1, modal="at_mode", **_rests("n")),
         Col("sd", "statistic", "standard deviation", decimals=1, label="SD", **_rests("n")),
         Col("median", "statistic", "median", decimals=1, needs=2, modal="at_mode",
             **_rests("n")),
         Col("q1", "statistic", "lower quartile", decimals=1, label="lower quartile", needs=2,
             modal="at_mode", **_rests("n")),
         Col("q3", "statistic", "upper quartile", decimals=1, label="upper quartile", needs=2,
             modal="at_mode", **_rests("n")),
         modal("forms at the most common score")),
        unit="practitioners", adds_up_by=("scale", "wave")).for_funder(
        scale="shown", wave="shown", subscale="shown", n="rounded", mean="mean",
        median="quantile", q1="quantile", q3="quantile"),
    TableSpec(
        "wellbeing_reliability", "Internal consistency of each scale and subscale",
        (Col("scale", "label", "questionnaire"), _WAVE, Col("subscale", "label", "subscale"),
         *alpha_cols("forms with every item of the subscale answered")),
        unit="practitioners", appendix=True),
    TableSpec(
        "sts_distribution", "STSS total by group (latest wave)",
        (Col("factor", "label", "practitioner attribute"), Col("group", "label", "group"),
         Col("n", "people", "practitioners with a scored form"),
         # A percentile of a small group is close to one person's own score: the tails need
         # four times the reporting threshold, the quartiles and median twice.
         *(Col(q, "statistic", text, decimals=0, needs=needs, modal="at_mode", **_rests("n"))
           for q, text, needs in (
             ("p10", "10th percentile", 4), ("q1", "lower quartile", 2), ("median", "median", 2),
             ("q3", "upper quartile", 2), ("p90", "90th percentile", 4))),
         modal("practitioners at the most common total")),
        unit="practitioners").for_funder(
        factor="shown", group="shown", n="rounded", p10="quantile", q1="quantile",
        median="quantile", q3="quantile", p90="quantile"),
    TableSpec(
        "wellbeing_comparisons", "Who is more affected? Group comparisons (latest wave)",
        (Col("outcome", "label", "score compared"),
         Col("factor", "label", "practitioner attribute"),
         Col("groups", "count", "groups compared"),
         Col("n", "people", "practitioners compared"),
         Col("smallest_group", "people", "practitioners in the smallest group compared"),
         Col("groups_left_out", "count", "groups too small to compare"),
         Col("test", "text", "Welch t or Welch ANOVA"),
         Col("statistic", "statistic", "test statistic", **_rests("smallest_group")),
         Col("df1", "size", "degrees of freedom", decimals=1),
         Col("df2", "size", "second degrees of freedom (ANOVA)", decimals=1),
         Col("p", "p_value", "p-value", **_rests("smallest_group")),
         Col("p_holm", "p_value", "p Holm-adjusted over the factors of this outcome",
             label="p (Holm)", **_rests("smallest_group")),
         Col("effect", "text", "effect size reported"),
         Col("effect_size", "statistic", "effect size", **_rests("smallest_group")),
         *effect_interval_cols("effect_size"),
         Col("rank_test", "text", "rank-based test"),
         Col("rank_statistic", "size", "rank test statistic (with the effect size it gives the group sizes)"),
         Col("rank_p", "p_value", "rank test p-value", **_rests("smallest_group")),
         Col("rank_effect", "text", "rank-based effect size reported"),
         Col("rank_effect_size", "statistic", "rank-based effect size",
             **_rests("smallest_group"), bounded=True),
         *effect_interval_cols("rank_effect_size"),
         Col("note", "text", "why no test was possible, if so")),
        unit="practitioners", appendix=True),
    TableSpec(
        "sts_regression", "What goes with the STSS total? Regression (latest wave)",
        (Col("term", "label", "model term"),
         Col("factor", "label", "practitioner attribute"),
         Col("level", "label", "category compared with the reference"),
         Col("reference", "label", "reference category (the most frequent)"),
         Col("n", "people", "practitioners in the category"),
         Col("estimate", "statistic", "difference in the STSS total", fmt="signed",
             **_rests("n")),
         Col("se", "statistic", "standard error", label="SE", **_rests("n")),
         Col("t", "statistic", "t", **_rests("n")),
         Col("p", "p_value", "p-value", **_rests("n")),
         *interval("the 95% interval", **_rests("n"), fmt="signed"),
         Col("vif", "statistic", "variance inflation factor (above 5 to 10: unstable)",
             label="VIF", **_rests("n"))),
        unit="practitioners", appendix=True, audiences=("research", "internal")),
    TableSpec(
        "sts_regression_fit", "Regression of the STSS total: the model as a whole",
        (Col("n", "people", "practitioners in the model"),
         Col("coefficients", "count", "coefficients estimated (intercept not counted)"),
         Col("r2", "statistic", "R squared", label="R²", **_rests("n"), bounded=True),
         Col("adj_r2", "statistic", "adjusted R squared", label="adjusted R²", **_rests("n"),
             bounded=True),
         Col("f", "statistic", "overall F", label="F", **_rests("n")),
         Col("f_df1", "statistic", "numerator df of F", decimals=0),
         Col("f_df2", "size", "denominator df of F", decimals=0),
         Col("f_p", "p_value", "p-value of the overall F test", label="F p", **_rests("n")),
         Col("sigma", "statistic", "residual standard error", label="sigma", **_rests("n")),
         Col("log_likelihood", "statistic", "log-likelihood", **_rests("n")),
         Col("aic", "statistic", "AIC (as R's AIC(lm))", label="AIC", **_rests("n")),
         Col("bic", "statistic", "BIC (as R's BIC(lm))", label="BIC", **_rests("n")),
         Col("influential", "people", "practitioners with Cook's distance above 4 / n"),
         Col("max_cooks_d", "statistic", "largest Cook's distance", label="max Cook's D",
             **_rests("n")),
         Col("max_vif", "statistic", "largest variance inflation factor", label="max VIF",
             **_rests("n")),
         Col("underpowered", "flag", "fewer than 10 practitioners per coefficient"),
         Col("dropped", "people", "practitioners left out (a category too small even merged)"),
         Col("merged", "text", "categories merged because they were small"),
         Col("note", "text", "notes on the model")),
        unit="practitioners", appendix=True, audiences=("research", "internal")),
    TableSpec(
        "sts_regression_residuals",
        "Regression of the STSS total: residuals against fitted values",
        (Col("n", "people", "practitioners in the model"),
         Col("fitted", "statistic", "STSS total the model predicts for the practitioner",
             **_rests("n")),
         Col("residual", "statistic", "STSS total minus the fitted value", fmt="signed",
             **_rests("n")),
         Col("cooks_d", "statistic", "Cook's distance", label="Cook's D", **_rests("n")),
         Col("cooks_line", "size", "4 / n: a Cook's distance above it marks an influential "
             "practitioner", label="4 / n", decimals=3),
         Col("influential", "flag", "Cook's distance above 4 / n")),
        # One point per practitioner: a manager who knows someone's gender, role and
        # experience reads their fitted value, and fitted + residual is their STSS total.
        # Research (pseudonymous data under an agreement) only; not internal, not funder.
        unit="practitioners", appendix=True, audiences=("research",)),
    TableSpec(
        "wellbeing_correlations", "What goes with what? Correlations (latest wave)",
        (Col("x", "label", "first measure"), Col("y", "label", "second measure"),
         Col("n", "people", "practitioners with both"),
         Col("r", "statistic", "Pearson's r", **_rests("n"), bounded=True),
         *interval("the 95% interval (Fisher z)", **_rests("n"), bounded=True),
         Col("p", "p_value", "p-value", **_rests("n")),
         Col("p_holm", "p_value", "p Holm-adjusted over the matrix", label="p (Holm)",
             **_rests("n"))),
        unit="practitioners", appendix=True),
    TableSpec(
        "wellbeing_wave_change", "Change between the last two survey waves",
        (Col("scale", "label", "questionnaire"), Col("subscale", "label", "subscale"),
         Col("comparison", "label", "later wave vs earlier wave"),
         Col("n", "people", "practitioners who answered both waves"),
         Col("mean_before", "statistic", "mean at the earlier wave", decimals=1,
             label="mean before", **_rests("n")),
         Col("mean_after", "statistic", "mean at the later wave", decimals=1,
             label="mean after", **_rests("n")),
         Col("mean_change", "statistic", "mean change (later minus earlier)", fmt="signed",
             decimals=1, label="mean change", modal="at_mode", **_rests("n")),
         *interval("the 95% interval", **_rests("n"), decimals=1, fmt="signed",
                   follows="mean_change"),
         Col("t", "statistic", "paired t", **_rests("n")),
         Col("df", "size", "degrees of freedom of t", decimals=0),
         Col("p", "p_value", "paired t-test p", **_rests("n")),
         Col("p_holm", "p_value", "p Holm-adjusted over the subscales of this scale",
             label="p (Holm)", **_rests("n")),
         Col("d_z", "statistic", "mean change / SD of the changes", **_rests("n")),
         *effect_interval_cols("d_z"),
         Col("d_av", "statistic", "mean change / mean of the two SDs", **_rests("n")),
         *effect_interval_cols("d_av"),
         Col("wilcoxon_p", "p_value", "Wilcoxon signed-rank p", label="Wilcoxon p",
             **_rests("n")),
         Col("note", "text", "why a figure could not be computed"),
         modal("pairs at the most common change, earlier score or later score")),
        unit="practitioners", appendix=True, adds_up_by=("scale", "comparison")).for_funder(
        scale="shown", subscale="shown", comparison="shown", n="rounded", mean_change="change",
        ci_low="interval", ci_high="interval"),
)


def _stack(per_scale: dict[str, pd.DataFrame]) -> pd.DataFrame:
    parts = [t.assign(scale=name) for name, t in per_scale.items() if len(t)]
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True)
    return table[["scale", *[c for c in table.columns if c != "scale"]]]


def compute(dataset: Dataset, *, min_cell: int = 5) -> dict[str, pd.DataFrame | str]:
    """Every secondary-trauma table for the STSS and ProQOL files present.

    Parameters
    ----------
    dataset
        A loaded data folder with ``stss.csv``, ``proqol.csv`` or both.
    min_cell
        Groups smaller than this are left out of comparisons, and small regression categories
        merged, for every audience.

    Returns
    -------
    dict of str to DataFrame or str
        One entry per declared table: the table, or a sentence saying why it cannot be made
        (``"needs proqol.csv"``).

    Examples
    --------
    >>> import evalkit
    >>> tables = compute(evalkit.load("data/sample").replace(proqol=None))
    >>> tables["proqol_bands"], tables["sts_clinical"]["scored"].tolist()
    ('needs proqol.csv', [35, 31])
    """
    forms = {key: scored(dataset, spec, attributes=ATTRIBUTES) for key, (_, spec, _) in
             _SCALES.items() if dataset.has(spec.file)}
    stss, proqol = forms.get("stss"), forms.get("proqol")
    no_stss, no_proqol = "needs stss.csv", "needs proqol.csv"
    covered = {_SCALES[k][0]: coverage(f, ["total"] if k == "stss" else PROQOL_SUBSCALES)
               for k, f in forms.items()}
    summaries = {_SCALES[k][0]: _with_modal(f, subscale_summary(f, _SCALES[k][2]))
                 for k, f in forms.items()}
    alphas = {_SCALES[k][0]: consistency(_SCALES[k][1], dataset).rename(
        columns={"scale": "subscale"})[["wave", "subscale", "items", "n", "alpha", "ci_low",
                                        "ci_high", "note"]] for k in forms}
    band_columns = ["wave", "band", "n", "scored", "share", "ci_low", "ci_high"]
    result = {
        "wellbeing_coverage": _stack(covered),
        "wellbeing_subscales": _stack(summaries),
        "wellbeing_reliability": _stack(alphas),
        "sts_bands": bands(STSS, stss)[band_columns] if stss is not None else no_stss,
        "sts_clinical": share_at_or_above(stss) if stss is not None else no_stss,
        "proqol_bands": bands(PROQOL, proqol).rename(columns={"scale": "subscale"})[
            ["wave", "subscale", *band_columns[1:]]] if proqol is not None else no_proqol,
    }
    latest = latest_wave(stss) if stss is not None else None
    has_factors = latest is not None and dataset.has("practitioners")
    if has_factors:
        spread = distribution_by_group(latest)
        spread["at_mode"] = [modal_count(latest.loc[latest[f].astype(str) == g, "total"])
                             for f, g in zip(spread["factor"], spread["group"], strict=True)]
        result["sts_distribution"] = spread
    else:
        result["sts_distribution"] = "needs stss.csv and practitioners.csv"
    outcomes_forms = _latest_outcomes(forms)
    result["wellbeing_comparisons"] = group_comparisons(
        outcomes_forms, outcomes=_outcome_columns(forms), min_group=min_cell) \
        if dataset.has("practitioners") else "needs practitioners.csv"
    if has_factors:
        covariates = ()
        if dataset.has("supervision"):
            latest = latest.assign(supervision_per_month=supervision_per_month(dataset, latest))
            covariates = ("supervision_per_month",)
        options = dict(dv="total", between=FACTORS, ordered=ORDERED_FACTORS, covar=covariates,
                       min_cell=min_cell)
        model = ols_regression(latest, **options)
        fit = ols_fit(latest, **options)
        # The intercept rests on everyone in the model.
        model["n"] = model["n"].fillna(fit["n"].iloc[0])
        result["sts_regression"] = model
        result["sts_regression_fit"] = fit
        result["sts_regression_residuals"] = regression_residuals(latest, **options)
    else:
        for name in ("sts_regression", "sts_regression_fit", "sts_regression_residuals"):
            result[name] = "needs stss.csv and practitioners.csv"
    if shared_latest_wave(list(forms.values())) is None:
        result["wellbeing_correlations"] = "needs a survey wave that the STSS and ProQOL share"
    else:
        scores = scale_scores(dataset)
        columns = [c for c in scores.columns if c != "practitioner_id"]
        result["wellbeing_correlations"] = correlations(scores, columns=columns,
                                                        scale_of=_scale_of(columns))
    result["wellbeing_wave_change"] = _wave_change(forms)
    return result


def _outcome_columns(forms: dict) -> dict[str, str]:
    outcomes = {}
    if "stss" in forms:
        outcomes["STSS total"] = "stss_total"
    if "proqol" in forms:
        outcomes["ProQOL burnout"] = "burnout"
        outcomes["ProQOL secondary traumatic stress"] = "secondary_traumatic_stress"
    return outcomes


def _latest_outcomes(forms: dict) -> pd.DataFrame:
    """One row per practitioner of the latest wave with the compared scores and attributes
    (from ``practitioners.csv``, whichever questionnaire they answered)."""
    tables = []
    if "stss" in forms:
        tables.append(latest_wave(forms["stss"]).rename(columns={"total": "stss_total"})[
            ["practitioner_id", "stss_total"]])
    if "proqol" in forms:
        tables.append(latest_wave(forms["proqol"])[
            ["practitioner_id", "burnout", "secondary_traumatic_stress"]])
    table = tables[0]
    for other in tables[1:]:
        table = table.merge(other, on="practitioner_id", how="outer")
    attributes = pd.concat([f[["practitioner_id", *[c for c in FACTORS if c in f]]]
                            for f in forms.values()]).drop_duplicates("practitioner_id")
    return table.merge(attributes, on="practitioner_id", how="left", validate="1:1")


def _wave_change(forms: dict) -> pd.DataFrame | str:
    parts = []
    for key, f in forms.items():
        waves = ordered_waves(f)
        if len(waves) < 2:
            continue
        first, last = waves[-2], waves[-1]
        # Holm over the subscales of the questionnaire.
        table = change(_SCALES[key][1], f, comparisons={f"{last}_vs_{first}": (first, last)})
        # Subscales in alphabetical order, as this table has always listed them.
        table = table.rename(columns={"scale": "subscale"}).sort_values(
            "subscale", kind="stable", ignore_index=True)
        table.insert(0, "scale", _SCALES[key][0])
        table["at_mode"] = [
            pairs_modal_count(pairs[first], pairs[last]) for pairs in
            (by_subject(f, dv=sub, subject="practitioner_id", levels=[first, last])
             for sub in table["subscale"])]
        parts.append(table)
    if not parts:
        return "needs two survey waves"
    table = pd.concat(parts, ignore_index=True)
    return table[["scale", "subscale", "comparison", "n", "mean_before", "mean_after",
                  "mean_change", "ci_low", "ci_high", "t", "df", "p", "p_holm", "d_z",
                  "d_z_ci_low", "d_z_ci_high", "d_av", "d_av_ci_low", "d_av_ci_high",
                  "wilcoxon_p", "note", "at_mode"]]


def _with_modal(forms: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """``summary`` (:func:`subscale_summary`) with ``at_mode``: forms at the most common score
    of each wave and subscale, for the funder's attribute rule."""
    return summary.assign(at_mode=[modal_count(forms.loc[forms["wave"] == w, sub])
                                   for w, sub in zip(summary["wave"], summary["subscale"],
                                                     strict=True)])


ANALYSIS = Analysis(
    name="secondary_trauma",
    title="secondary traumatic stress and professional quality of life",
    tables=TABLES,
    compute=compute,
    needs_any=("stss", "proqol"),
)
