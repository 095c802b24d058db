"""Scoring and change benchmarks (issues 4 and 5).

* 1,000,000 STSS plus 1,000,000 ProQOL forms scored (subscales, proration, bands): target 2 s.
* Discomfort checklist for 100,000 practitioners x 3 waves: scoring plus both paired
  comparisons (t, Wilcoxon, effect sizes): target 2 s.

Forms are random answers with about 3% blanks, held as the nullable integer columns that
:func:`evalkit.load` returns, so the conversion cost is measured too. Prints time and the ratio
to the target (below 1 is within target).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from evalkit import scales as instruments
from evalkit.analyses import discomfort as change
from evalkit.analyses import instrument as pipeline

FORMS = 1_000_000
PRACTITIONERS = 100_000
TARGET_SECONDS = 2.0


def _forms(instrument, n, rng, extra=None):
    answers = rng.integers(1, 6, size=(n, len(instrument.items))).astype(float)
    answers[rng.random(answers.shape) < 0.03] = np.nan
    frame = pd.DataFrame(answers, columns=list(instrument.items)).astype("Int64")
    for name, values in (extra or {}).items():
        frame.insert(0, name, values)
    return frame


class _Forms:
    """Stands in for a loaded dataset holding only discomfort.csv."""

    instruments: dict = {}

    def __init__(self, discomfort):
        self.tables = {"discomfort": discomfort}

    def has(self, name):
        return name == "discomfort"


def _report(label, seconds):
    print(f"{label}: {seconds:.2f} s (target {TARGET_SECONDS:.0f} s, ratio "
          f"{seconds / TARGET_SECONDS:.2f})")
    return seconds <= TARGET_SECONDS


def main() -> int:
    rng = np.random.default_rng(2026)
    stss = _forms(instruments.STSS, FORMS, rng)
    proqol = _forms(instruments.PROQOL, FORMS, rng)
    start = time.perf_counter()
    scored_stss = instruments.score(stss, instruments.STSS)
    scored_proqol = instruments.score(proqol, instruments.PROQOL)
    ok = _report(f"score {FORMS:,} STSS + {FORMS:,} ProQOL forms", time.perf_counter() - start)
    print(f"  scored: STSS totals {scored_stss['total'].notna().sum():,}, ProQOL burnout "
          f"{scored_proqol['burnout'].notna().sum():,}")

    ids = np.repeat([f"p{i:06d}" for i in range(PRACTITIONERS)], 3)
    waves = np.tile(np.array(change.WAVES), PRACTITIONERS)
    discomfort = _forms(instruments.DISCOMFORT, PRACTITIONERS * 3, rng,
                        {"wave": waves, "practitioner_id": ids})
    start = time.perf_counter()
    scores = pipeline.scored(_Forms(discomfort), instruments.DISCOMFORT, items=True)
    paired = pipeline.change(instruments.DISCOMFORT, scores, comparisons=change.COMPARISONS)
    ok &= _report(f"discomfort: score {PRACTITIONERS:,} x 3 waves + paired change",
                  time.perf_counter() - start)
    print(f"  pairs: {', '.join(f'{r.comparison} n={r.n:,}' for r in paired.itertuples())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
