"""How practitioners' discomfort changes after preparation and supervision.

The discomfort checklist (13 situations rated 1 comfortable to 5 very uncomfortable) is answered
before preparation (``pre``), after it (``post``) and later (``follow_up``); the score is the mean
of the answered items when enough are answered, and a lower score is the hoped-for change. Methods
(``docs/methods.md``): paired change on complete pairs with explicit effect sizes (Holm over the
two comparisons), a repeated-measures ANOVA on complete cases, a mixed model on every scored form
(Satterthwaite t-tests), and Jacobson-Truax reliable change. Scoring, means, change between waves,
alpha and reliable change are the instrument pipeline's (:mod:`evalkit.analyses.instrument`, driven
by :data:`~evalkit.scales.DISCOMFORT`); this module adds the item-level tables, the models over
all three waves and the interactions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..scales import DISCOMFORT, DISCOMFORT_LABELS
from ..stats.anova import pairwise_paired, repeated_measures_anova
from ..stats.models import interaction_test, mixed_model, mixed_model_fit
from ..stats.multitest import holm
from ..stats.paired import by_subject, paired_change
from ._base import Analysis, alpha_cols, effect_interval_cols
from .instrument import (
    change,
    consistency,
    means,
    reliable_change_counts,
    reliable_change_people,
    sample_size,
    scored,
)
from .tables import Col, TableSpec, interval, modal, modal_counts, pairs_modal_count

WAVES = DISCOMFORT.waves
#: comparison name -> (earlier wave, later wave), as in ``discomfort_change.csv``.
COMPARISONS = {"post_vs_pre": ("pre", "post"), "follow_up_vs_pre": ("pre", "follow_up")}
SCORE = "discomfort"
FACTORS = ("gender", "experience_band")
#: Columns of ``practitioners.csv`` attached to the scored checklists.
ATTRIBUTES = ("gender", "role", "experience_band", "supervision_frequency")
SCALE = (1, 5)


def by_practitioner(scores: pd.DataFrame, *, dv: str = SCORE) -> pd.DataFrame:
    """Practitioners (rows) x waves (columns) of one value (internal: a row is one person).

    Parameters
    ----------
    scores
        Scored checklists, with the items
        (:func:`~evalkit.analyses.instrument.scored` with ``items=True``).
    dv
        The column to spread: the score, or an item such as ``"d09"``.

    Returns
    -------
    DataFrame
        Indexed by practitioner_id, one column per wave; NaN where a wave is missing.

    Examples
    --------
    >>> import evalkit
    >>> scores = scored(evalkit.load("data/sample"), DISCOMFORT, items=True)
    >>> table = by_practitioner(scores)
    >>> table.columns.tolist(), table.round(3).loc["s01"].tolist()
    (['pre', 'post', 'follow_up'], [3.923, 2.583, 2.462])
    """
    return by_subject(scores, dv=dv, subject="practitioner_id", levels=WAVES)


def wave_patterns(scores: pd.DataFrame) -> pd.DataFrame:
    """``discomfort_waves.csv``: how many practitioners have a scored form at each set of waves.

    The table shows who a complete-case analysis loses.

    Parameters
    ----------
    scores
        Scored checklists, with the items
        (:func:`~evalkit.analyses.instrument.scored` with ``items=True``).

    Returns
    -------
    DataFrame
        waves (e.g. ``"pre, post"``), practitioners, in_anova (all three waves scored).

    Examples
    --------
    >>> import evalkit
    >>> scores = scored(evalkit.load("data/sample"), DISCOMFORT, items=True)
    >>> wave_patterns(scores).head(2)
                      waves  practitioners  in_anova
    0  pre, post, follow_up             23      True
    1             pre, post              7     False
    """
    table = by_practitioner(scores).notna()
    labels = table.apply(lambda row: ", ".join(w for w in WAVES if row[w]) or "none scored",
                         axis=1)
    counts = labels.value_counts().rename_axis("waves").reset_index(name="practitioners")
    counts["in_anova"] = counts["waves"] == ", ".join(WAVES)
    return counts.sort_values(["in_anova", "practitioners", "waves"], ascending=[False, False, True],
                              ignore_index=True)


def item_means(scores: pd.DataFrame) -> pd.DataFrame:
    """``discomfort_items.csv``: the mean answer to each item at each wave, hardest first.

    In long form; the hardest situation is the one with the highest mean at the first wave
    present (before preparation).

    Parameters
    ----------
    scores
        Scored checklists, with the items
        (:func:`~evalkit.analyses.instrument.scored` with ``items=True``).

    Returns
    -------
    DataFrame
        item (number), label, wave, n, mean.

    Examples
    --------
    >>> import evalkit
    >>> scores = scored(evalkit.load("data/sample"), DISCOMFORT, items=True)
    >>> item_means(scores).head(2).round(3)
       item                              label  wave   n   mean
    0     9  Explicit account told for arousal   pre  32  4.062
    1     9  Explicit account told for arousal  post  33  3.394
    """
    long = scores.melt(id_vars=["wave"], value_vars=list(DISCOMFORT.items), var_name="item")
    stats = (long.dropna(subset=["value"]).groupby(["item", "wave"], observed=True)["value"]
             .agg(n="size", mean="mean").reset_index())
    grid = pd.MultiIndex.from_product([list(DISCOMFORT.items), list(WAVES)],
                                      names=["item", "wave"]).to_frame(index=False)
    table = grid.merge(stats.assign(wave=stats["wave"].astype(str)), on=["item", "wave"],
                       how="left")
    table["n"] = table["n"].fillna(0).astype(int)
    table = table[table["wave"].isin(set(scores["wave"].astype(str)))]
    first = table[table["wave"] == table["wave"].iloc[0]].set_index("item")["mean"]
    order = {item: i for i, item in enumerate(first.sort_values(ascending=False,
                                                                kind="stable").index)}
    table["label"] = table["item"].map(DISCOMFORT_LABELS)
    table["item"] = table["item"].str.lstrip("d").astype(int)
    table = table.sort_values("item", key=lambda s: s.map(lambda i: order[f"d{i:02d}"]),
                              kind="stable", ignore_index=True)
    return table[["item", "label", "wave", "n", "mean"]]


def item_change(scores: pd.DataFrame, *, comparison: str = "post_vs_pre") -> pd.DataFrame:
    """``discomfort_item_change.csv``: paired change on each item, Holm-adjusted over the 13 items.

    Both the t-test and the Wilcoxon test p-values are adjusted.

    Parameters
    ----------
    scores
        Scored checklists, with the items
        (:func:`~evalkit.analyses.instrument.scored` with ``items=True``).
    comparison
        A key of ``COMPARISONS``: ``"post_vs_pre"`` or ``"follow_up_vs_pre"``.

    Returns
    -------
    DataFrame
        item, label, n, mean_change, ci_low, ci_high, t, p, p_holm, wilcoxon_p,
        wilcoxon_p_holm, d_z, note.

    Examples
    --------
    >>> import evalkit
    >>> scores = scored(evalkit.load("data/sample"), DISCOMFORT, items=True)
    >>> item_change(scores)[["item", "n", "mean_change"]].head(2).round(3)
       item   n  mean_change
    0     1  30       -0.333
    1     2  31       -0.742
    """
    before, after = COMPARISONS[comparison]
    rows = []
    for number, item in enumerate(DISCOMFORT.items, start=1):
        result = paired_change(scores, dv=item, within="wave", subject="practitioner_id",
                               levels=(before, after)).iloc[0].to_dict()
        rows.append({"item": number, "label": DISCOMFORT_LABELS[item], **result})
    items = pd.DataFrame(rows)
    items = holm(holm(items, p="p"), p="wilcoxon_p")
    return items[["item", "label", "n", "mean_change", "ci_low", "ci_high", "t", "p", "p_holm",
                  "wilcoxon_p", "wilcoxon_p_holm", "d_z", "d_z_ci_low", "d_z_ci_high", "note"]]


def _long_complete(scores: pd.DataFrame) -> pd.DataFrame:
    return scores[["practitioner_id", "wave", SCORE]].assign(wave=scores["wave"].astype(str))


# --- published tables ------------------------------------------------------------------------------

_N = Col("n", "people", "practitioners with both waves scored")


def _change_cols(at_mode: str | None = None) -> tuple[Col, ...]:
    rest = ("n",)
    return (
        Col("mean_change", "statistic", "mean change (later minus earlier; negative is less "
            "discomfort)", rests_on=rest, fmt="signed", label="mean change", modal=at_mode),
        *interval("the 95% interval of the change", fmt="signed", rests_on=rest,
                  follows="mean_change"),
        Col("t", "statistic", "paired t", rests_on=rest),
    )


TABLES = (
    TableSpec(
        "discomfort_waves", "Who answered at which wave",
        (Col("waves", "label", "the waves with a scored checklist"),
         Col("practitioners", "people", "practitioners with exactly these waves scored"),
         Col("in_anova", "flag", "enters the repeated-measures ANOVA (all three waves)",
             label="all three waves")),
        unit="practitioners").for_funder(
        waves="shown", practitioners="rounded", in_anova="shown"),
    TableSpec(
        "discomfort_means", "Mean discomfort at each wave",
        (Col("wave", "label", "pre (before preparation), post or follow_up"),
         Col("n", "people", "practitioners with a scored checklist"),
         Col("mean", "statistic", "mean score (1 comfortable to 5 very uncomfortable)",
             rests_on=("n",), modal="at_mode"),
         Col("sd", "statistic", "standard deviation", rests_on=("n",), label="SD"),
         *interval("the 95% interval of the mean", rests_on=("n",), follows="mean"),
         modal("practitioners at the most common score of the wave")),
        unit="practitioners").for_funder(
        wave="shown", n="rounded", mean="mean", ci_low="interval", ci_high="interval"),
    TableSpec(
        "discomfort_items", "Mean discomfort with each situation, hardest first",
        (Col("item", "number", "item number of the checklist"),
         Col("label", "label", "our short description of the situation (not the item's wording)",
             label="situation"),
         Col("wave", "label", "wave"),
         Col("n", "people", "practitioners who answered the item"),
         Col("mean", "statistic", "mean answer (1-5)", rests_on=("n",), modal="at_mode"),
         modal("practitioners at the most common answer to the item")),
        unit="practitioners").for_funder(
        item="shown", label="shown", wave="shown", n="rounded", mean="mean"),
    TableSpec(
        "discomfort_change", "Change in discomfort between waves",
        (Col("comparison", "label", "post_vs_pre or follow_up_vs_pre"),
         _N,
         Col("mean_before", "statistic", "mean at the earlier wave", rests_on=("n",),
             label="mean before"),
         Col("mean_after", "statistic", "mean at the later wave", rests_on=("n",),
             label="mean after"),
         *_change_cols("at_mode"),
         Col("df", "size", "degrees of freedom of t", decimals=0),
         Col("p", "p_value", "p-value of the paired t-test", rests_on=("n",)),
         Col("p_holm", "p_value", "p Holm-adjusted over the two comparisons", rests_on=("n",),
             label="p (Holm)"),
         Col("d_z", "statistic", "mean change / SD of the changes", rests_on=("n",)),
         *effect_interval_cols("d_z"),
         Col("d_av", "statistic", "mean change / mean of the two SDs", rests_on=("n",)),
         *effect_interval_cols("d_av"),
         Col("wilcoxon_p", "p_value", "p-value of the Wilcoxon signed-rank test",
             rests_on=("n",), label="Wilcoxon p"),
         Col("wilcoxon_method", "text", "exact, or normal approximation with tie correction "
             "and no continuity correction", label="Wilcoxon method"),
         Col("note", "text", "why a figure could not be computed"),
         modal("pairs at the most common change, earlier score or later score")),
        unit="practitioners", appendix=True).for_funder(
        comparison="shown", n="rounded", mean_change="change", ci_low="interval",
        ci_high="interval"),
    TableSpec(
        "discomfort_item_change", "Change on each situation (after vs before preparation)",
        (Col("item", "number", "item number"),
         Col("label", "label", "our short description of the situation", label="situation"),
         _N, *_change_cols(),
         Col("p", "p_value", "paired t-test p", rests_on=("n",)),
         Col("p_holm", "p_value", "t-test p Holm-adjusted over the 13 items", rests_on=("n",),
             label="p (Holm)"),
         Col("wilcoxon_p", "p_value", "Wilcoxon signed-rank p", rests_on=("n",),
             label="Wilcoxon p"),
         Col("wilcoxon_p_holm", "p_value", "Wilcoxon p Holm-adjusted over the 13 items",
             rests_on=("n",), label="Wilcoxon p (Holm)"),
         Col("d_z", "statistic", "mean change / SD of the changes", rests_on=("n",)),
         *effect_interval_cols("d_z"),
         Col("note", "text", "why a figure could not be computed")),
        unit="practitioners", appendix=True),
    TableSpec(
        "discomfort_anova", "Repeated-measures ANOVA over the three waves (complete cases)",
        (Col("n", "people", "practitioners with all three waves scored"),
         Col("f", "statistic", "F", rests_on=("n",), label="F"),
         Col("df1", "statistic", "numerator degrees of freedom", decimals=0),
         Col("df2", "size", "denominator degrees of freedom", decimals=0),
         Col("p", "p_value", "p-value (sphericity assumed)", rests_on=("n",)),
         Col("epsilon_gg", "statistic", "Greenhouse-Geisser epsilon", rests_on=("n",),
             label="GG epsilon", bounded=True),
         Col("p_gg", "p_value", "p-value with the Greenhouse-Geisser correction",
             rests_on=("n",), label="p (GG)"),
         Col("mauchly_w", "statistic", "Mauchly's W", rests_on=("n",), label="Mauchly W",
             bounded=True),
         Col("mauchly_p", "p_value", "p-value of Mauchly's test of sphericity", rests_on=("n",),
             label="Mauchly p"),
         Col("ng2", "statistic", "generalised eta squared", rests_on=("n",), label="eta² (G)",
             bounded=True),
         Col("note", "text", "why no test was possible, if so")),
        unit="practitioners", appendix=True),
    TableSpec(
        "discomfort_pairwise", "Pairwise paired t-tests between waves (Holm-adjusted)",
        (Col("a", "label", "earlier wave"), Col("b", "label", "later wave"),
         Col("n", "people", "practitioners with all three waves"),
         Col("t", "statistic", "paired t", rests_on=("n",)),
         Col("df", "size", "degrees of freedom", decimals=0),
         Col("p", "p_value", "p-value", rests_on=("n",)),
         Col("p_holm", "p_value", "p Holm-adjusted over the three pairs", rests_on=("n",),
             label="p (Holm)")),
        unit="practitioners", appendix=True),
    TableSpec(
        "discomfort_mixed_model", "Mixed model: change from before preparation, all scored forms",
        (Col("term", "label", "fixed effect (wave=post: difference from pre)"),
         Col("n_subjects", "people", "practitioners with a form the term applies to",
             label="practitioners"),
         Col("estimate", "statistic", "estimate (scale points)", rests_on=("n_subjects",),
             fmt="signed"),
         Col("se", "statistic", "standard error", rests_on=("n_subjects",), label="SE"),
         Col("df", "size", "Satterthwaite degrees of freedom", decimals=1),
         Col("t", "statistic", "t", rests_on=("n_subjects",)),
         Col("p", "p_value", "p-value (t on Satterthwaite df)", rests_on=("n_subjects",)),
         *interval("the 95% interval", fmt="signed", rests_on=("n_subjects",))),
        unit="practitioners", appendix=True, audiences=("research", "internal")),
    TableSpec(
        "discomfort_mixed_model_fit", "Mixed model: the model as a whole",
        (Col("n_obs", "people", "scored forms in the model", label="forms"),
         Col("n_subjects", "people", "practitioners in the model", label="practitioners"),
         Col("left_out", "people", "practitioners left out (groups too small)"),
         Col("subject_variance", "statistic", "variance between practitioners (random "
             "intercept)", rests_on=("n_subjects",), label="between-person variance"),
         Col("residual_variance", "statistic", "residual variance", rests_on=("n_subjects",),
             label="residual variance"),
         Col("icc", "statistic", "share of the variance that lies between practitioners",
             rests_on=("n_subjects",), label="ICC", bounded=True),
         Col("reml_criterion", "statistic", "REML criterion (-2 restricted log-likelihood)",
             rests_on=("n_subjects",), label="REML criterion"),
         Col("aic", "statistic", "AIC of the REML fit", rests_on=("n_subjects",), label="AIC"),
         Col("bic", "statistic", "BIC of the REML fit", rests_on=("n_subjects",), label="BIC"),
         Col("converged", "flag", "the fit converged"),
         Col("note", "text", "why the model could not be fitted, or how the fit went")),
        unit="practitioners", appendix=True, audiences=("research", "internal")),
    TableSpec(
        "discomfort_interactions", "Does change differ by gender or experience?",
        (Col("factor", "label", "practitioner attribute"),
         Col("n_subjects", "people", "practitioners in the model", label="practitioners"),
         Col("smallest_group", "people", "practitioners in the smallest group compared"),
         Col("left_out", "people", "practitioners in groups too small to compare"),
         Col("chi2", "statistic", "likelihood-ratio chi-square of the wave x factor interaction",
             rests_on=("smallest_group",)),
         Col("df", "statistic", "degrees of freedom", decimals=0),
         Col("p", "p_value", "p-value", rests_on=("smallest_group",)),
         Col("note", "text", "why no test was possible, if so")),
        unit="practitioners", appendix=True),
    TableSpec(
        "discomfort_reliability", "Internal consistency of the checklist at each wave",
        (Col("wave", "label", "wave"),
         *alpha_cols("checklists with every item answered")),
        unit="practitioners", appendix=True),
    TableSpec(
        "discomfort_rci", "Reliable change after preparation (Jacobson and Truax)",
        (Col("comparison", "label", "the waves compared"),
         Col("category", "label", "reliably improved, no reliable change, reliably worse"),
         Col("n", "people", "practitioners in the category"),
         Col("assessed", "people", "practitioners with both waves scored"),
         Col("share", "share", "share of those assessed", part="n", whole="assessed",
             split_by=("comparison",)),
         Col("reliability", "statistic", "reliability used (alpha before preparation)",
             rests_on=("assessed",)),
         Col("sd_before", "statistic", "SD of the scores before preparation",
             rests_on=("assessed",), label="SD before"),
         Col("threshold", "statistic", "smallest change (scale points) that counts as reliable",
             rests_on=("assessed",))),
        unit="practitioners").for_funder(
        comparison="shown", category="shown", n="rounded", assessed="rounded", share="percent"),
    TableSpec(
        "discomfort_people", "Each practitioner's score at each wave",
        (Col("practitioner_id", "id", "pseudonymous practitioner id"),
         Col("pre", "statistic", "score before preparation"),
         Col("post", "statistic", "score after preparation"),
         Col("follow_up", "statistic", "score at follow-up")),
        unit="practitioners", internal=True),
    TableSpec(
        "discomfort_rci_people", "Each practitioner's reliable change",
        (Col("practitioner_id", "id", "pseudonymous practitioner id"),
         Col("before", "statistic", "score before preparation"),
         Col("after", "statistic", "score after preparation"),
         Col("rc", "statistic", "reliable change index"),
         Col("category", "label", "reliable-change category"),
         Col("reliability", "statistic", "reliability used"),
         Col("sd_before", "statistic", "SD before"),
         Col("threshold", "statistic", "threshold in scale points")),
        unit="practitioners", internal=True),
    TableSpec(
        "discomfort_sample_size", "How many practitioners would a study need?",
        (Col("comparison", "label", "the change planned for (later vs earlier wave)"),
         Col("change", "statistic", "mean change worth detecting, in points on the 1-5 scale",
             label="change to detect", rests_on=("pairs_observed",)),
         Col("pairs_observed", "people", "practitioners with both waves, whose changes give the "
             "SD", label="pairs observed"),
         Col("sd_change", "statistic", "SD of the observed changes", label="SD of changes",
             rests_on=("pairs_observed",)),
         Col("d", "statistic", "the change in SDs of the changes (d z)", label="d",
             rests_on=("pairs_observed",)),
         Col("n", "people", "practitioners needed for 80% power in a two-sided paired t test "
             "at the 5% level", label="practitioners needed"),
         Col("note", "text", "why no number could be worked out, if so")),
        unit="practitioners", appendix=True, audiences=("research", "internal")),
)

#: Changes on the 1-5 scale a study might want to detect (a quarter, half and whole point).
PLANNED_CHANGES = (0.25, 0.5, 1.0)


def _interaction(scores: pd.DataFrame, factor: str, min_cell: int) -> pd.DataFrame:
    """The wave x factor test, with the size of the smallest group it compares (groups smaller
    than ``min_cell`` are left out of the model)."""
    frame = scores.assign(wave=scores["wave"].astype(str))
    table = interaction_test(frame, dv=SCORE, within="wave", subject="practitioner_id",
                             levels=WAVES, between=factor, min_group=min_cell)
    smallest = np.nan
    if factor in frame:
        people = frame.dropna(subset=[SCORE, factor]).drop_duplicates("practitioner_id")
        sizes = people.groupby(factor, observed=True).size()
        sizes = sizes[sizes >= min_cell]
        smallest = int(sizes.min()) if len(sizes) >= 2 else np.nan
    table.insert(2, "smallest_group", smallest)
    return table


def compute(dataset: Dataset, *, min_cell: int = 5) -> dict[str, pd.DataFrame | str]:
    """Every discomfort table for one data folder.

    Parameters
    ----------
    dataset
        A loaded data folder with ``discomfort.csv``.
    min_cell
        Groups smaller than this are left out of the interaction tests (and counted), for every
        audience.

    Returns
    -------
    dict of str to DataFrame
        One table per declared table name (see ``TABLES``).

    Examples
    --------
    >>> import evalkit
    >>> tables = compute(evalkit.load("data/sample"))
    >>> len(tables), int(tables["discomfort_anova"].loc[0, "n"])
    (15, 23)
    """
    scores = scored(dataset, DISCOMFORT, items=True, attributes=ATTRIBUTES)
    long = _long_complete(scores)
    complete = by_practitioner(scores).dropna()
    complete_long = complete.reset_index().melt(id_vars="practitioner_id", var_name="wave",
                                                value_name=SCORE)
    # Reliable change after preparation, with alpha before it.
    people = reliable_change_people(DISCOMFORT, scores, dataset)
    people = people[people["comparison"] == "post_vs_pre"].reset_index(drop=True)
    interactions = [_interaction(scores, factor, min_cell) for factor in FACTORS]
    pairwise = pairwise_paired(complete_long, subject="practitioner_id", within="wave",
                               dv=SCORE, levels=WAVES)
    # How many share the most common value, for the funder's attribute rule.
    waves = scores.assign(wave=scores["wave"].astype(str))
    wave_means = means(DISCOMFORT, scores, waves=WAVES)[["wave", "n", "mean", "sd", "ci_low",
                                                          "ci_high"]]
    wave_means["at_mode"] = wave_means["wave"].map(modal_counts(waves, dv=SCORE, between="wave"))
    items = item_means(scores)
    answers = waves.melt(id_vars=["wave"], value_vars=list(DISCOMFORT.items), var_name="item")
    answers["item"] = answers["item"].str.lstrip("d").astype(int)
    at_mode = modal_counts(answers, dv="value", between=["item", "wave"])
    items["at_mode"] = [int(at_mode.get((str(i), w), 0)) for i, w in zip(items["item"],
                                                                        items["wave"],
                                                                        strict=True)]
    paired = change(DISCOMFORT, scores, comparisons=COMPARISONS)[[
        "comparison", "n", "mean_before", "mean_after", "mean_change", "ci_low", "ci_high", "t",
        "df", "p", "p_holm", "d_z", "d_z_ci_low", "d_z_ci_high", "d_av", "d_av_ci_low",
        "d_av_ci_high", "wilcoxon_p", "wilcoxon_method", "note"]]
    per_person = by_practitioner(scores)
    paired["at_mode"] = [pairs_modal_count(per_person[earlier], per_person[later])
                         for earlier, later in (COMPARISONS[c] for c in paired["comparison"])]
    alphas = consistency(DISCOMFORT, dataset)
    return {
        "discomfort_waves": wave_patterns(scores),
        "discomfort_means": wave_means.fillna({"at_mode": 0}).astype({"at_mode": int}),
        "discomfort_items": items,
        "discomfort_change": paired,
        "discomfort_item_change": item_change(scores),
        "discomfort_anova": repeated_measures_anova(complete_long, subject="practitioner_id",
                                                    within="wave", dv=SCORE, levels=WAVES),
        "discomfort_pairwise": pairwise[["a", "b", "n", "t", "df", "p", "p_holm"]],
        "discomfort_mixed_model": mixed_model(long, dv=SCORE, within="wave",
                                              subject="practitioner_id", levels=WAVES),
        "discomfort_mixed_model_fit": mixed_model_fit(long, dv=SCORE, within="wave",
                                                      subject="practitioner_id", levels=WAVES),
        "discomfort_interactions": pd.concat(interactions, ignore_index=True),
        "discomfort_reliability": alphas[["wave", "items", "n", "alpha", "ci_low", "ci_high",
                                          "note"]],
        "discomfort_rci": reliable_change_counts(DISCOMFORT, people, comparisons=["post_vs_pre"])[
            ["comparison", "category", "n", "assessed", "share", "reliability", "sd_before",
             "threshold"]],
        "discomfort_people": by_practitioner(scores).reset_index()[
            ["practitioner_id", *WAVES]],
        "discomfort_rci_people": people[["practitioner_id", "before", "after", "rc", "category",
                                         "reliability", "sd_before", "threshold"]],
        "discomfort_sample_size": sample_size(
            DISCOMFORT, scores, changes=PLANNED_CHANGES, scales=[SCORE],
            comparisons={"post_vs_pre": COMPARISONS["post_vs_pre"]})[
            ["comparison", "change", "pairs_observed", "sd_change", "d", "n", "note"]],
    }


ANALYSIS = Analysis(
    name="discomfort",
    title="practitioners' discomfort before and after preparation",
    tables=TABLES,
    compute=compute,
    needs=("discomfort",),
)
