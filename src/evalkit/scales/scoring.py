"""Scoring any instrument spec: reverse keys, proration, rounding, bands and internal consistency.

The built-in scales and a programme's own instruments go through the same code:

* a reversed item is scored as ``min + max - answer`` before anything else;
* a scale is scored when at least ``prorate_min`` of its items are answered, otherwise it is
  missing: a ``mean`` scale is the mean of the answered items, a ``sum`` scale the mean of the
  answered items times the number of items (proration);
* sums are rounded half up to whole numbers, ``floor(x + 0.5)``, before banding and before any
  statistic, so that bands defined on whole sums are never ambiguous; means are not rounded;
* bands are ordered categoricals, the band of a score being the last whose ``lowest`` it reaches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..stats.reliability import cronbach_alpha
from .spec import Band, Instrument


def band_of(scores: pd.Series, bands: tuple[Band, ...]) -> pd.Series:
    """Band label of each score (missing stays missing), as an ordered categorical.

    Parameters
    ----------
    scores
        Scores of one scale (already rounded when they are sums).
    bands
        The scale's bands in increasing order.

    Returns
    -------
    Series
        Ordered categorical with the band labels as categories.

    Examples
    --------
    >>> from evalkit.scales import STSS
    >>> band_of(pd.Series([27.0, 28.0, 49.0]), STSS.bands["total"]).tolist()
    ['little_or_none', 'mild', 'severe']
    """
    labels = [b.label for b in bands]
    edges = [b.lowest for b in bands[1:]]
    values = scores.to_numpy(dtype=float, na_value=np.nan)
    codes = np.searchsorted(np.asarray(edges, dtype=float), values, side="right")
    codes = np.where(np.isnan(values), -1, codes)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(labels, ordered=True)),
                     index=scores.index)


def round_half_up(values: np.ndarray) -> np.ndarray:
    """Round to whole numbers with halves going up, ``floor(x + 0.5)`` (NaN stays NaN).

    Python's and numpy's ``round`` send halves to the even neighbour (12.5 -> 12); scores use
    the rule a reader expects (12.5 -> 13).

    Parameters
    ----------
    values
        Numbers (an array or anything numpy reads as one).

    Returns
    -------
    ndarray
        Whole numbers as floats, NaN where ``values`` is NaN.

    Examples
    --------
    >>> round_half_up(np.array([12.5, 13.5, 43.4375, np.nan])).tolist()
    [13.0, 14.0, 43.0, nan]
    """
    return np.floor(np.asarray(values, dtype=float) + 0.5)


def score(
    responses: pd.DataFrame,
    instrument: Instrument,
    *,
    prorate_min: float | None = None,
    keep: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Score every form of one instrument: each scale, the items it rests on and its band.

    Parameters
    ----------
    responses
        One row per form with the instrument's item columns (nullable integers, blank = not
        answered), as :func:`evalkit.load` returns them.
    instrument
        A built-in spec (:data:`~evalkit.scales.STSS`, ...) or one read from a TOML spec.
    prorate_min
        Share of a scale's items that must be answered, overriding the spec's ``prorate_min``.
    keep
        Columns copied to the result when present (default: the spec's id column and ``wave``).

    Returns
    -------
    DataFrame
        ``keep`` columns, then for each scale (subscales, then the total) its score and
        ``<scale>_answered`` (items answered), then ``<scale>_band`` for each banded scale.
        Sums are whole numbers (floats, NaN when unscored); means are unrounded.

    Raises
    ------
    KeyError
        When an item column is missing.
    ValueError
        When an answer lies outside the spec's min-max (load data with :func:`evalkit.load`,
        which names the rows) or the share is not in (0, 1].

    Examples
    --------
    >>> from evalkit.scales import STSS
    >>> forms = pd.DataFrame({f"stss{i:02d}": [3] for i in range(1, 18)})
    >>> scored = score(forms, STSS)
    >>> float(scored.loc[0, "total"]), scored.loc[0, "total_band"]
    (51.0, 'severe')

    A form with one of 17 items blank is prorated, 45 * 17 / 16 = 47.8125, and rounded to 48:

    >>> forms.loc[0, ["stss02", "stss03", "stss04"]] = 2
    >>> forms.loc[0, "stss01"] = None
    >>> float(score(forms, STSS).loc[0, "total"])
    48.0
    """
    share = instrument.prorate_min if prorate_min is None else prorate_min
    if not 0 < share <= 1:
        raise ValueError("prorate_min must be a share above 0 and at most 1")
    missing = [c for c in instrument.items if c not in responses.columns]
    if missing:
        raise KeyError(f"{instrument.name}: item columns missing: {', '.join(missing)}")
    # Reversal keeps answers in range, so range-checking the keyed answers is enough.
    answers = _keyed_array(responses, instrument)
    out_of_range = (answers < instrument.min) | (answers > instrument.max)
    if np.any(out_of_range):
        raise ValueError(f"{instrument.name}: answers outside {instrument.min}-"
                         f"{instrument.max}; load data with evalkit.load to find them")
    if keep is None:
        keep = (instrument.id_column, "wave")
    result = {c: responses[c].to_numpy() for c in keep if c in responses.columns}
    present = ~np.isnan(answers)
    filled = np.where(present, answers, 0.0)
    for name, items in instrument.scales.items():
        columns = [i - 1 for i in items]
        answered = present[:, columns].sum(axis=1)
        # The tolerance keeps 0.8 * 5 = 4.000000000000001 from needing a fifth item.
        enough = answered >= share * len(items) - 1e-9
        total = filled[:, columns].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            if instrument.score_rule == "mean":
                value = total / answered
            else:
                # One division of whole numbers: an exact half stays exact before rounding.
                value = round_half_up(total * len(items) / answered)
        result[name] = np.where(enough, value, np.nan)
        result[f"{name}_answered"] = answered
    scored = pd.DataFrame(result, index=responses.index)
    for name, bands in instrument.bands.items():
        scored[f"{name}_band"] = band_of(scored[name], bands)
    return scored


def keyed_items(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The item columns as floats with reversed items already turned round.

    Parameters
    ----------
    responses
        Forms of the instrument, with its item columns.
    instrument
        The instrument's spec.

    Returns
    -------
    DataFrame
        One column per item, in order, on the index of ``responses``; a reversed item holds
        ``min + max - answer``; blanks are NaN.

    Examples
    --------
    >>> from evalkit.scales import PROQOL
    >>> forms = pd.DataFrame({c: [1] for c in PROQOL.items})
    >>> keyed_items(forms, PROQOL)[["pq01", "pq02"]].to_numpy().tolist()
    [[5.0, 1.0]]
    """
    return pd.DataFrame(_keyed_array(responses, instrument), columns=list(instrument.items),
                        index=responses.index)


def _keyed_array(responses: pd.DataFrame, instrument: Instrument) -> np.ndarray:
    answers = np.array(responses[list(instrument.items)].to_numpy(dtype=float, na_value=np.nan))
    if instrument.reversed:
        reversed_columns = [i - 1 for i in instrument.reversed]
        answers[:, reversed_columns] = (instrument.min + instrument.max
                                        - answers[:, reversed_columns])
    return answers


def internal_consistency(responses: pd.DataFrame, instrument: Instrument, *,
                         by: str | None = "wave", confidence: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha with Feldt's CI for every scale, per group of ``by`` (e.g. each wave).

    Reversed items are turned round first; only forms with every item of the scale answered
    count (``n``). Where alpha is undefined the row says why in ``note`` instead of failing.

    Parameters
    ----------
    responses
        One row per form with the item columns (and ``by``).
    instrument
        The spec whose scales are checked (subscales, then the total).
    by
        Column to group forms by, or ``None`` for all forms together.
    confidence
        Level of the interval.

    Returns
    -------
    DataFrame
        [by,] subscale (the scale's name, the total included), items, n, alpha, ci_low, ci_high,
        note.

    Examples
    --------
    >>> from evalkit.scales import STSS
    >>> forms = pd.DataFrame({f"stss{i:02d}": [1, 2, 3, 4] for i in range(1, 18)})
    >>> table = internal_consistency(forms, STSS, by=None)
    >>> table.loc[0, "subscale"], round(float(table.loc[0, "alpha"]), 6)
    ('intrusion', 1.0)
    """
    answers = keyed_items(responses, instrument)
    groups = [(None, answers)] if by is None else answers.groupby(responses[by], observed=True,
                                                                  sort=True)
    rows = []
    for label, block in groups:
        for name, items in instrument.scales.items():
            columns = [instrument.column(i) for i in items]
            row = {} if by is None else {by: label}
            row["subscale"] = name
            row.update(cronbach_alpha(block, items=columns, confidence=confidence).iloc[0].to_dict())
            rows.append(row)
    return pd.DataFrame(rows)
