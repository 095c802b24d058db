"""What a questionnaire is: its items, subscales, reversed items, scoring rule and bands."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_MIN_ANSWERED = 0.8


@dataclass(frozen=True)
class Band:
    label: str
    lowest: float
    """Smallest score in the band (inclusive)."""


@dataclass(frozen=True)
class Instrument:
    """A scale's key: which items make each subscale, which are reversed, how totals are banded."""

    name: str
    file: str
    items: tuple[str, ...]
    subscales: dict[str, tuple[int, ...]]
    reversed_items: tuple[int, ...] = ()
    item_min: int = 1
    item_max: int = 5
    method: str = "sum"  # "sum" (prorated) or "mean"
    bands: dict[str, tuple[Band, ...]] = field(default_factory=dict)
    citation: str = ""

    def column(self, item: int) -> str:
        return self.items[item - 1]

