"""Questionnaires: one spec for every instrument (built-in or from TOML), and its scoring."""

from .builtin import BUILTIN, DISCOMFORT, DISCOMFORT_LABELS, PROQOL, STSS
from .custom import find_instruments, parse_instrument
from .scoring import band_of, internal_consistency, keyed_items, round_half_up, score
from .spec import (
    DEFAULT_PRORATE_MIN,
    Band,
    Instrument,
    SpecInconsistency,
)

__all__ = ["BUILTIN", "DEFAULT_PRORATE_MIN", "DISCOMFORT",
           "DISCOMFORT_LABELS", "PROQOL", "STSS", "Band", "Instrument", "SpecInconsistency",
           "band_of", "find_instruments", "internal_consistency", "keyed_items", "parse_instrument",
           "round_half_up", "score"]
