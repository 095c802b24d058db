"""Scoring questionnaires: reverse keys, prorating, bands and internal consistency."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..stats.reliability import cronbach_alpha
from .spec import DEFAULT_MIN_ANSWERED, Band, Instrument

#: Short labels of the 13 discomfort situations (our own words, not the checklist's wording).



def band_of(scores: pd.Series, bands: tuple[Band, ...]) -> pd.Series:
    """Band label of each score (missing stays missing), as an ordered categorical.

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


def score(
    responses: pd.DataFrame,
    instrument: Instrument,
    min_answered: float = DEFAULT_MIN_ANSWERED,
    keep: tuple[str, ...] = ("practitioner_id", "wave"),
) -> pd.DataFrame:
    """Score every form of one instrument.

    A subscale is scored when at least ``min_answered`` of its items are answered: a "sum" scale
    scores the mean of answered items times the number of items (prorating), a "mean" scale the mean
    of answered items. Otherwise the score is missing. Reversed items are scored as
    ``item_min + item_max - answer`` before anything else.

    Parameters
    ----------
    responses
        One row per form with the instrument's item columns (nullable integers).
    instrument
        :data:`STSS`, :data:`PROQOL` or :data:`DISCOMFORT`.
    min_answered
        Share of a subscale's items that must be answered (0-1).
    keep
        Identifying columns copied to the result when present.

    Returns
    -------
    DataFrame
        ``keep`` columns, then for each subscale its score, ``<subscale>_answered`` (items
        answered) and, where the scale has cut-offs, ``<subscale>_band``.

    Examples
    --------
    >>> from evalkit.scales import STSS
    >>> forms = pd.DataFrame({f"stss{i:02d}": [3] for i in range(1, 18)})
    >>> scored = score(forms, STSS)
    >>> float(scored.loc[0, "total"]), scored.loc[0, "total_band"]
    (51.0, 'severe')
    """
    if not 0 < min_answered <= 1:
        raise ValueError("min_answered must be a share between 0 and 1")
    missing = [c for c in instrument.items if c not in responses.columns]
    if missing:
        raise KeyError(f"{instrument.name}: item columns missing: {', '.join(missing)}")
    # Reversal keeps answers in range, so range-checking the keyed answers is enough.
    answers = _keyed_array(responses, instrument)
    out_of_range = (answers < instrument.item_min) | (answers > instrument.item_max)
    if np.any(out_of_range):
        raise ValueError(f"{instrument.name}: answers outside {instrument.item_min}-"
                         f"{instrument.item_max}; load data with evalkit.load to find them")
    result = {c: responses[c].to_numpy() for c in keep if c in responses.columns}
    present = ~np.isnan(answers)
    filled = np.where(present, answers, 0.0)
    for name, items in instrument.subscales.items():
        columns = [i - 1 for i in items]
        answered = present[:, columns].sum(axis=1)
        enough = answered >= min_answered * len(items) - 1e-9
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = filled[:, columns].sum(axis=1) / answered
        value = mean if instrument.method == "mean" else mean * len(items)
        result[name] = np.where(enough, value, np.nan)
        result[f"{name}_answered"] = answered
    scored = pd.DataFrame(result, index=responses.index)
    for name, bands in instrument.bands.items():
        scored[f"{name}_band"] = band_of(scored[name], bands)
    return scored


def keyed_items(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The item columns as floats with reversed items already turned round."""
    return pd.DataFrame(_keyed_array(responses, instrument), columns=list(instrument.items),
                        index=responses.index)


def _keyed_array(responses: pd.DataFrame, instrument: Instrument) -> np.ndarray:
    answers = np.array(responses[list(instrument.items)].to_numpy(dtype=float, na_value=np.nan))
    if instrument.reversed_items:
        reversed_columns = [i - 1 for i in instrument.reversed_items]
        answers[:, reversed_columns] = (instrument.item_min + instrument.item_max
                                        - answers[:, reversed_columns])
    return answers


def reliability(responses: pd.DataFrame, instrument: Instrument, by: str | None = "wave",
                confidence: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha with Feldt's CI for every subscale, per group of ``by`` (e.g. each wave).

    Reversed items are turned round first; only forms with every item of the subscale answered
    count (``n``). Where alpha is undefined the row says why in ``note`` instead of failing.

    Returns
    -------
    DataFrame
        [by,] subscale, items, n, alpha, ci_low, ci_high, note.

    Examples
    --------
    >>> from evalkit.scales import STSS
    >>> forms = pd.DataFrame({f"stss{i:02d}": [1, 2, 3, 4] for i in range(1, 18)})
    >>> table = reliability(forms, STSS, by=None)
    >>> table.loc[0, "subscale"], float(table.loc[0, "alpha"])
    ('intrusion', 1.0)
    """
    answers = keyed_items(responses, instrument)
    groups = [(None, answers)] if by is None else answers.groupby(responses[by], observed=True,
                                                                  sort=True)
    rows = []
    for label, block in groups:
        for name, items in instrument.subscales.items():
            columns = [instrument.column(i) for i in items]
            row = {} if by is None else {by: label}
            row["subscale"] = name
            row.update(cronbach_alpha(block[columns], confidence=confidence).iloc[0].to_dict())
            rows.append(row)
    return pd.DataFrame(rows)
