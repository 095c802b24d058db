"""Change in practitioners' discomfort before and after preparation and supervision.

The discomfort checklist (DESIGN.md section 4) is answered before preparation (``pre``), after it
(``post``) and later (``follow_up``); lower scores mean less discomfort, the hoped-for change.
Methods are those of DESIGN.md section 5: paired change on complete pairs with explicit effect
sizes, repeated-measures ANOVA on complete cases, a mixed model on all available forms, and
Jacobson-Truax reliable change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import scales as instruments
from ..scales import DEFAULT_MIN_ANSWERED, DISCOMFORT, DISCOMFORT_LABELS
from ..stats import models as _models
from ..stats._warnings import quiet_library_warnings
from ..stats.paired import paired_change
from ..stats.paired import wide as _wide
from ..stats.reliability import reliable_change

WAVES = ("pre", "post", "follow_up")
#: comparison name -> (earlier wave, later wave), as in ``discomfort_change.csv``.
COMPARISONS = {"post_vs_pre": ("pre", "post"), "follow_up_vs_pre": ("pre", "follow_up")}
RCI_CATEGORIES = ("reliably_improved", "no_reliable_change", "reliably_worse")
SCORE = "discomfort"


def discomfort_scores(dataset, min_answered: float = DEFAULT_MIN_ANSWERED) -> pd.DataFrame:
    """One row per returned checklist: the scale score (mean of answered items when at least
    ``min_answered`` of them are answered), the item answers, and the practitioner's attributes
    when ``practitioners.csv`` is present.

    Returns
    -------
    DataFrame
        practitioner_id, wave, discomfort, discomfort_answered, d01 ... d13, [attributes].
    """
    forms = dataset.discomfort
    scored = instruments.score(forms, DISCOMFORT, min_answered=min_answered)
    items = forms[list(DISCOMFORT.items)].astype("float64")
    scored = pd.concat([scored, items], axis=1)
    scored["wave"] = pd.Categorical(scored["wave"].astype(str), categories=WAVES, ordered=True)
    if dataset.has("practitioners"):
        attributes = dataset.practitioners[["practitioner_id", "gender", "role",
                                            "experience_band", "supervision_frequency"]]
        scored = scored.merge(attributes, on="practitioner_id", how="left", validate="m:1")
    return scored




def wide(scores: pd.DataFrame, value: str = SCORE, waves=WAVES) -> pd.DataFrame:
    """Practitioners (rows) x waves (columns) of one value (see :func:`evalkit.stats.paired.wide`)."""
    return _wide(scores, subject="practitioner_id", value=value, waves=waves)


def mixed_model(scores: pd.DataFrame, by: str | None = None, value: str = SCORE,
                min_group: int = 1) -> pd.DataFrame:
    """Mixed model of the checklist score over the waves (see
    :func:`evalkit.stats.models.mixed_model`)."""
    return _models.mixed_model(scores, value=value, subject="practitioner_id", waves=WAVES, by=by,
                               min_group=min_group)


def discomfort_change(scores: pd.DataFrame, value: str = SCORE,
                      comparisons=COMPARISONS) -> pd.DataFrame:
    """``discomfort_change.csv``: paired change for each comparison (later minus earlier wave).

    Only practitioners with both waves scored count (``n``); see :func:`wave_patterns` for who
    is left out. Effect sizes d_z and d_av as defined in :func:`evalkit.stats.paired_change`.

    Returns
    -------
    DataFrame
        comparison, n, mean_before, mean_after, mean_change, ci_low, ci_high, t, p, d_z, d_av,
        wilcoxon_p, note.
    """
    table = wide(scores, value)
    rows = []
    for name, (before, after) in comparisons.items():
        result = paired_change(table[before], table[after])
        rows.append({"comparison": name, **{k: result[k] for k in (
            "n", "mean_before", "mean_after", "mean_change", "ci_low", "ci_high", "t", "p", "d_z",
            "d_av", "wilcoxon_p", "note")}})
    return pd.DataFrame(rows)


def item_change(scores: pd.DataFrame, comparison: str = "post_vs_pre") -> pd.DataFrame:
    """Paired change on each checklist item, with Holm-adjusted p across the 13 items.

    Returns
    -------
    DataFrame
        item, label, n, mean_before, mean_after, mean_change, ci_low, ci_high, p, p_holm, d_z,
        wilcoxon_p, note; ordered as the checklist.
    """
    from statsmodels.stats.multitest import multipletests

    before, after = COMPARISONS[comparison]
    rows = []
    for item in DISCOMFORT.items:
        table = wide(scores, item, waves=(before, after))
        result = paired_change(table[before], table[after])
        rows.append({"item": item, "label": DISCOMFORT_LABELS[item], **{k: result[k] for k in (
            "n", "mean_before", "mean_after", "mean_change", "ci_low", "ci_high", "p", "d_z",
            "wilcoxon_p", "note")}})
    items = pd.DataFrame(rows)
    tested = items["p"].notna()
    items["p_holm"] = np.nan
    if tested.any():
        items.loc[tested, "p_holm"] = multipletests(items.loc[tested, "p"], method="holm")[1]
    return items[["item", "label", "n", "mean_before", "mean_after", "mean_change", "ci_low",
                  "ci_high", "p", "p_holm", "d_z", "wilcoxon_p", "note"]]


def item_means(scores: pd.DataFrame) -> pd.DataFrame:
    """The item table: mean answer to each item at each wave, hardest situation (highest mean
    before preparation) first.

    Returns
    -------
    DataFrame
        item, label, then ``n_<wave>`` and ``mean_<wave>`` for each wave present.
    """
    long = scores.melt(id_vars=["wave"], value_vars=list(DISCOMFORT.items), var_name="item")
    grouped = long.dropna(subset=["value"]).groupby(["item", "wave"], observed=True)["value"]
    stats = grouped.agg(["size", "mean"]).unstack("wave")
    table = pd.DataFrame({"item": list(DISCOMFORT.items)})
    table["label"] = table["item"].map(DISCOMFORT_LABELS)
    for wave in WAVES:
        if ("mean", wave) in stats.columns:
            table[f"n_{wave}"] = table["item"].map(stats[("size", wave)]).fillna(0).astype(int)
            table[f"mean_{wave}"] = table["item"].map(stats[("mean", wave)])
    first = next((f"mean_{w}" for w in WAVES if f"mean_{w}" in table), None)
    if first is not None:
        table = table.sort_values(first, ascending=False, kind="stable")
    return table.reset_index(drop=True)


def wave_patterns(scores: pd.DataFrame, value: str = SCORE) -> pd.DataFrame:
    """How many practitioners have a scored form at each combination of waves.

    Shows who a complete-case analysis loses: only the ``pre, post, follow_up`` row enters the
    repeated-measures ANOVA, while the mixed model uses every row.

    Returns
    -------
    DataFrame
        waves (e.g. ``"pre, post"``), practitioners, in_anova (bool).
    """
    table = wide(scores, value).notna()
    labels = table.apply(lambda row: ", ".join(w for w in WAVES if row[w]) or "none scored",
                         axis=1)
    counts = labels.value_counts().rename_axis("waves").reset_index(name="practitioners")
    counts["in_anova"] = counts["waves"] == ", ".join(WAVES)
    return counts.sort_values(["in_anova", "practitioners"], ascending=False, ignore_index=True)


def repeated_measures(scores: pd.DataFrame, value: str = SCORE) -> dict:
    """Repeated-measures ANOVA over the three waves on complete cases, sphericity-corrected.

    Uses :func:`pingouin.rm_anova` (Mauchly's test; Greenhouse-Geisser epsilon and corrected p)
    and Holm-adjusted paired t-tests between the waves (:func:`pingouin.pairwise_tests`).

    Returns
    -------
    dict
        n_complete, F, df1, df2, p, epsilon, p_gg, sphericity_p, ng2, pairwise (DataFrame:
        a, b, t, p, p_holm), note.
    """
    import pingouin as pg

    table = wide(scores, value).dropna()
    result = dict(n_complete=len(table), F=np.nan, df1=np.nan, df2=np.nan, p=np.nan,
                  epsilon=np.nan, p_gg=np.nan, sphericity_p=np.nan, ng2=np.nan,
                  pairwise=pd.DataFrame(columns=["a", "b", "t", "p", "p_holm"]), note="")
    if len(table) < 3:
        result["note"] = "fewer than three practitioners with all three waves: no test"
        return result
    long = table.reset_index().melt(id_vars="practitioner_id", var_name="wave", value_name=value)
    if long[value].nunique() == 1:
        result["note"] = "scores do not vary: no test"
        return result
    with quiet_library_warnings():
        anova = pg.rm_anova(data=long, dv=value, within="wave", subject="practitioner_id",
                            correction=True).iloc[0]
        pairwise = pg.pairwise_tests(data=long, dv=value, within="wave",
                                     subject="practitioner_id", padjust="holm")
    result.update(F=float(anova["F"]), df1=float(anova["ddof1"]), df2=float(anova["ddof2"]),
                  p=float(anova["p_unc"]), epsilon=float(anova["eps"]),
                  p_gg=float(anova.get("p_GG_corr", anova["p_unc"])),
                  sphericity_p=float(anova.get("p_spher", np.nan)), ng2=float(anova["ng2"]))
    result["pairwise"] = pd.DataFrame({"a": pairwise["A"], "b": pairwise["B"],
                                       "t": pairwise["T"], "p": pairwise["p_unc"],
                                       "p_holm": pairwise["p_corr"]})
    return result




def interaction_tests(scores: pd.DataFrame, factors=("gender", "experience_band"),
                      min_group: int = 2, value: str = SCORE) -> pd.DataFrame:
    """Does change over the waves differ between the groups of each factor?

    One likelihood-ratio test per factor from :func:`mixed_model` with ``by=factor``; a factor
    with fewer than two groups of ``min_group`` practitioners gets a note instead of a test.

    Returns
    -------
    DataFrame
        factor, practitioners, left_out, chi2, df, p, note.
    """
    rows = []
    for factor in factors:
        row = {"factor": factor, "practitioners": np.nan, "left_out": np.nan, "chi2": np.nan,
               "df": np.nan, "p": np.nan, "note": ""}
        if factor not in scores.columns:
            row["note"] = f"no '{factor}' for the practitioners (is practitioners.csv present?)"
            rows.append(row)
            continue
        try:
            fitted = mixed_model(scores, by=factor, value=value, min_group=min_group)
        except ValueError as reason:
            row["note"] = str(reason)
        else:
            row.update(practitioners=fitted.attrs["n_practitioners"],
                       left_out=fitted.attrs["left_out"], chi2=fitted.attrs["lr_chi2"],
                       df=fitted.attrs["lr_df"], p=fitted.attrs["lr_p"])
        rows.append(row)
    return pd.DataFrame(rows)


def default_reliability(scores: pd.DataFrame, wave: str = "pre") -> float:
    """Cronbach's alpha of the checklist at ``wave`` (the reliability Jacobson-Truax uses by
    default). NaN when alpha is undefined there."""
    forms = scores[scores["wave"].astype(str) == wave]
    table = instruments.reliability(forms, DISCOMFORT, by=None)
    return float(table["alpha"].iloc[0])


def reliable_change_table(scores: pd.DataFrame, reliability: float | None = None,
                          before: str = "pre", after: str = "post",
                          criterion: float = 1.96) -> pd.DataFrame:
    """Jacobson-Truax reliable change for each practitioner with both waves scored.

    ``reliability`` defaults to Cronbach's alpha at ``before``; the SD is that of the scores at
    ``before`` among the practitioners with both waves. Lower discomfort is improvement, so
    RC < -criterion is ``reliably_improved`` and RC > criterion ``reliably_worse``.

    Returns
    -------
    DataFrame
        practitioner_id, before, after, rc, category; ``attrs``: reliability, sd_before,
        threshold (the smallest change in scale points that counts as reliable).
    """
    if reliability is None:
        reliability = default_reliability(scores, before)
    if not np.isfinite(reliability):
        raise ValueError(f"Cronbach's alpha is undefined at '{before}'; supply a reliability")
    table = wide(scores, waves=(before, after)).dropna()
    if len(table) < 2:
        raise ValueError("reliable change needs at least two practitioners with both waves")
    sd_before = float(table[before].std(ddof=1))
    rc = reliable_change(table[before], table[after], sd_before, reliability)
    category = np.select([rc < -criterion, rc > criterion],
                         [RCI_CATEGORIES[0], RCI_CATEGORIES[2]], RCI_CATEGORIES[1])
    result = pd.DataFrame({"practitioner_id": table.index, "before": table[before].to_numpy(),
                           "after": table[after].to_numpy(), "rc": rc,
                           "category": pd.Categorical(category, categories=RCI_CATEGORIES)})
    result.attrs.update(reliability=reliability, sd_before=sd_before,
                        threshold=criterion * np.sqrt(2) * sd_before * np.sqrt(1 - reliability))
    return result


def rci_summary(rci: pd.DataFrame) -> pd.DataFrame:
    """``discomfort_rci.csv``: how many practitioners fall in each reliable-change category
    (every category listed, zeros included), with the share of those assessed."""
    counts = rci["category"].value_counts().reindex(list(RCI_CATEGORIES), fill_value=0)
    table = counts.rename_axis("category").reset_index(name="n")
    table["assessed"] = len(rci)
    table["percent"] = table["n"] / max(len(rci), 1)
    return table
