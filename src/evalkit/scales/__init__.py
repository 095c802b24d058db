"""Questionnaires: scoring keys, cut-offs and scoring."""

from .builtin import DISCOMFORT, DISCOMFORT_LABELS, PROQOL, STSS
from .scoring import band_of, keyed_items, reliability, score
from .spec import DEFAULT_MIN_ANSWERED, Band, Instrument

__all__ = ["DEFAULT_MIN_ANSWERED", "DISCOMFORT", "DISCOMFORT_LABELS", "PROQOL", "STSS", "Band",
           "Instrument", "band_of", "keyed_items", "reliability", "score"]
