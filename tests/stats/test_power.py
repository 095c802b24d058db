"""Sample-size planning against base R: power.t.test(strict = TRUE) and the noncentral-F power
of a one-way repeated-measures design written out in tools/r/effect_sizes.R."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.stats.power import paired_power, rm_anova_power

from .reference import r_output

R = r_output("power")


def _pairs_with_sd(sd, n=40, seed=3):
    """Pairs whose changes have exactly SD ``sd`` (standardised noise)."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=n)
    changes = (noise - noise.mean()) / noise.std(ddof=1) * sd
    before = rng.normal(20, 4, size=n)
    ids = np.arange(n)
    return pd.DataFrame({"id": np.concatenate([ids, ids]), "wave": ["pre"] * n + ["post"] * n,
                         "score": np.concatenate([before, before + changes])})


def test_paired_power_and_sample_size_equal_r_power_t_test():
    # changes with SD 2 and a change of 1 point: d = 0.5, as R's delta = 0.5, sd = 1
    long = _pairs_with_sd(2.0)
    options = {"dv": "score", "within": "wave", "subject": "id", "levels": ["pre", "post"]}
    powered = paired_power(long, change=1.0, n=R["paired"]["n"], **options).iloc[0]
    assert powered["d"] == pytest.approx(R["paired"]["d"], rel=1e-12)
    assert powered["power"] == pytest.approx(R["paired"]["power"], rel=1e-9)
    needed = paired_power(long, change=-1.0, power=0.8, **options).iloc[0]
    assert needed["n_exact"] == pytest.approx(R["paired"]["n_for_80"], rel=1e-6)
    assert needed["n"] == 34  # 33.37 people rounded up


def test_rm_anova_power_equals_the_noncentral_f_formula_in_r():
    # three waves whose pairwise correlations average exactly 0.5 are hard to build, so the
    # adapter's correlation is checked separately and pingouin's power against R at corr = 0.5
    import pingouin as pg

    reference = R["rm_anova"]
    assert pg.power_rm_anova(eta_squared=0.06, m=3, n=25, corr=0.5) == pytest.approx(
        reference["power"], rel=1e-9)
    rng = np.random.default_rng(5)
    person = rng.normal(size=30)
    waves = {w: person + rng.normal(size=30) for w in ("a", "b", "c")}
    long = pd.DataFrame({"id": np.tile(np.arange(30), 3), "wave": np.repeat(list("abc"), 30),
                         "score": np.concatenate(list(waves.values()))})
    row = rm_anova_power(long, dv="score", within="wave", subject="id", levels=list("abc"),
                         eta_squared=0.06, n=25).iloc[0]
    r = np.corrcoef(np.vstack(list(waves.values())))
    corr = np.mean([r[0, 1], r[0, 2], r[1, 2]])
    assert row["corr"] == pytest.approx(corr, rel=1e-12)
    assert row["power"] == pytest.approx(
        pg.power_rm_anova(eta_squared=0.06, m=3, n=25, corr=corr), rel=1e-12)
    needed = pg.power_rm_anova(eta_squared=0.06, m=3, power=0.8, corr=0.5)
    assert needed == pytest.approx(reference["n_for_80"], rel=1e-6)


def test_two_sample_power_in_pingouin_equals_r():
    import pingouin as pg

    reference = R["two_sample"]
    assert pg.power_ttest(d=0.6, n=30, contrast="two-samples") == pytest.approx(
        reference["power"], rel=1e-9)


def test_no_plan_without_a_spread_to_plan_from():
    long = pd.DataFrame({"id": list("aabb"), "wave": ["pre", "post"] * 2,
                         "score": [1.0, 2.0, 3.0, 4.0]})
    row = paired_power(long, dv="score", within="wave", subject="id", levels=["pre", "post"],
                       change=1.0).iloc[0]
    assert np.isnan(row["n"]) and "no SD" in row["note"]
