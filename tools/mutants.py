"""Mutation testing of evalkit.stats: plant one plausible bug at a time, see which test catches it.

Each mutant replaces one exact snippet of a module in a temporary copy of ``src/`` and runs the
module's tests from ``tests/stats`` against that copy. A mutant is *killed* when a test fails.
Nothing here runs R; the tests read the committed R fixtures.

Run from the repository root (several minutes: one pytest run per mutant)::

    .venv/bin/python tools/mutants.py            # every mutant, a Markdown table on stdout
    .venv/bin/python tools/mutants.py wilcoxon   # only mutants whose name contains "wilcoxon"

Exit status 1 when a mutant survives.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATS = "src/evalkit/stats"


@dataclass(frozen=True)
class Mutant:
    name: str
    module: str  # file name in src/evalkit/stats
    old: str
    new: str
    tests: str  # test file in tests/stats
    more: tuple[tuple[str, str], ...] = ()  # further (old, new) edits of the same mutant


MUTANTS = [
    # --- asked for in the issue ------------------------------------------------------------------
    Mutant("logrank event indicator inverted", "survival.py",
           "    t, e = _time_event(rows[duration], rows[event])\n",
           "    t, e = _time_event(rows[duration], rows[event])\n    e = ~e\n", "test_survival.py"),
    Mutant("KM band log-log replaced by log", "survival.py",
           "        low = np.exp(-np.exp(np.log(-log_s) + spread))\n"
           "        high = np.exp(-np.exp(np.log(-log_s) - spread))\n",
           "        low = survival * np.exp(-z * se_log)\n"
           "        high = np.minimum(1.0, survival * np.exp(z * se_log))\n", "test_survival.py"),
    Mutant("KM lower band narrowed by half", "survival.py",
           "np.log(-log_s) + spread))", "np.log(-log_s) + spread / 2))", "test_survival.py"),
    Mutant("Wilcoxon zero method wilcox -> pratt", "paired.py",
           "v = float(_st.rankdata(np.abs(nonzero))[nonzero > 0].sum())",
           "v = float(_st.rankdata(np.abs(d))[d != 0][nonzero > 0].sum())", "test_paired.py",
           more=(("p = float(_st.wilcoxon(nonzero, correction=False,",
                  "p = float(_st.wilcoxon(d, zero_method='pratt', correction=False,"),)),
    Mutant("Wilcoxon differences not rounded before ranking", "paired.py",
           "d = np.round(d[~np.isnan(d)], TIE_DECIMALS)", "d = d[~np.isnan(d)]",
           "test_paired.py"),
    Mutant("Wilcoxon continuity correction on", "paired.py",
           "_st.wilcoxon(nonzero, correction=False,", "_st.wilcoxon(nonzero, correction=True,",
           "test_paired.py"),
    Mutant("Spearman computed as Pearson (no ranks)", "correlation.py",
           "                    a, b = _st.rankdata(a), _st.rankdata(b)\n",
           "                    pass\n", "test_correlation.py"),
    Mutant("reliable change > -> >=", "reliability.py",
           "rises, falls = values > criterion, values < -criterion",
           "rises, falls = values >= criterion, values <= -criterion", "test_reliability.py"),
    Mutant("Greenhouse-Geisser p replaced by the uncorrected p", "anova.py",
           'p_gg=float(fit["p_GG_corr"])', 'p_gg=row["p"]', "test_anova.py"),
    Mutant("mixed model REML -> ML", "models.py",
           "fit = _fit(design, reml=True)", "fit = _fit(design, reml=False)", "test_models.py"),
    Mutant("Mauchly p dropped", "anova.py",
           'mauchly_p=float(fit["p_spher"])', "mauchly_p=np.nan", "test_anova.py"),
    Mutant("Wald z instead of Satterthwaite t", "models.py",
           "    cov, df, positive = _satterthwaite(design, fit[\"tau\"], fit[\"s\"], fit[\"beta\"])\n",
           "    cov, df, positive = _satterthwaite(design, fit[\"tau\"], fit[\"s\"], fit[\"beta\"])\n"
           "    df = np.full_like(df, np.inf)\n", "test_models.py"),
    Mutant("Holm -> Bonferroni", "multitest.py",
           'pg.multicomp(values, method="holm")', 'pg.multicomp(values, method="bonf")',
           "test_multitest.py"),
    Mutant("Feldt interval rounded to 3 decimals", "reliability.py",
           "ci_low=1 - (1 - alpha) * _st.f.ppf(1 - tail, df1, df2),",
           "ci_low=round(1 - (1 - alpha) * _st.f.ppf(1 - tail, df1, df2), 3),",
           "test_reliability.py",
           more=(("ci_high=1 - (1 - alpha) * _st.f.ppf(tail, df1, df2))",
                  "ci_high=round(1 - (1 - alpha) * _st.f.ppf(tail, df1, df2), 3))"),)),
    Mutant("cluster interval replaced by Wilson", "proportions.py",
           "    low[undefined] = np.nan\n",
           "    low, high = wilson_interval(successes, trials, confidence=confidence)\n"
           "    low[undefined] = np.nan\n", "test_proportions.py"),
    Mutant("paired t on n instead of n - 1 df", "paired.py",
           "    df = n - 1\n", "    df = n\n", "test_paired.py"),
    Mutant("d_av standardised by sd_diff", "paired.py",
           'row["d_av"] = diff.mean() / sd_av', 'row["d_av"] = diff.mean() / sd_diff',
           "test_paired.py"),
    Mutant("Hedges correction dropped", "groups.py",
           'g = float(pg.compute_effsize(a, b, eftype="hedges"))',
           'g = float(pg.compute_effsize(a, b, eftype="cohen"))', "test_groups.py"),
    Mutant("mean_change sign flipped", "paired.py",
           "    diff = y - x\n", "    diff = x - y\n", "test_paired.py"),
    # --- more of our own ---------------------------------------------------------------------------
    Mutant("cluster interval on the normal quantile", "proportions.py",
           "quantile = _st.t.ppf(0.5 + confidence / 2, clusters - 1)",
           "quantile = _st.norm.ppf(0.5 + confidence / 2) + 0 * clusters",
           "test_proportions.py"),
    Mutant("cluster SE without n / (n - 1)", "proportions.py",
           "se = np.sqrt(clusters / (clusters - 1) * squares) / trials",
           "se = np.sqrt(squares) / trials",
           "test_proportions.py"),
    Mutant("Wilson ignores the confidence asked for", "proportions.py",
           "alpha=1 - confidence,", "alpha=0.05,", "test_proportions.py"),
    Mutant("Wilcoxon exact only below 50 (R's rule)", "paired.py",
           "exact = n <= EXACT_MAX_N and", "exact = n < EXACT_MAX_N and", "test_paired.py"),
    Mutant("Wilcoxon exact test even with ties", "paired.py",
           "exact = n <= EXACT_MAX_N and np.unique(np.abs(nonzero)).size == n",
           "exact = n <= EXACT_MAX_N", "test_paired.py"),
    Mutant("Mann-Whitney without continuity correction", "groups.py",
           "use_continuity=True", "use_continuity=False", "test_groups.py"),
    Mutant("Mann-Whitney exact rule left to scipy", "groups.py",
           'method="exact" if exact else "asymptotic"', 'method="auto"', "test_groups.py"),
    Mutant("groups taken in data order, not category order", "groups.py",
           "grouped = values.groupby(between, observed=True, sort=True)[dv]",
           "grouped = values.groupby(between, observed=True, sort=False)[dv]", "test_groups.py"),
    Mutant("rank-biserial sign flipped", "groups.py",
           'r = float(mwu["RBC"])', 'r = -float(mwu["RBC"])', "test_groups.py"),
    Mutant("Welch F replaced by the classic ANOVA F", "groups.py",
           'row.update(statistic=float(welch["F"]),', 'row.update(statistic=float(classic["F"]),',
           "test_groups.py"),
    Mutant("epsilon squared as H / n", "groups.py",
           "rank_effect_size=h / (len(frame) - 1))", "rank_effect_size=h / len(frame))",
           "test_groups.py"),
    Mutant("Greenhouse-Geisser epsilon times (k - 1) / k", "anova.py",
           'epsilon_gg=float(fit["eps"])', 'epsilon_gg=float(fit["eps"]) * (k - 1) / k',
           "test_anova.py"),
    Mutant("Mauchly W reported as 1 (sphericity assumed)", "anova.py",
           'mauchly_w=float(fit["W_spher"])', "mauchly_w=1.0", "test_anova.py"),
    Mutant("partial instead of generalised eta squared", "anova.py",
           'effsize="ng2", detailed=False', 'effsize="np2", detailed=False', "test_anova.py",
           more=(('ng2=float(fit["ng2"])', 'ng2=float(fit["np2"])'),)),
    Mutant("pairwise t as earlier minus later", "anova.py",
           '"t": -tests["T"].to_numpy(float)', '"t": tests["T"].to_numpy(float)',
           "test_anova.py"),
    Mutant("Satterthwaite with the expected instead of the observed Hessian", "models.py",
           "hess[j, k] = 0.5 * trace_pvpv - quadratic", "hess[j, k] = -0.5 * trace_pvpv",
           "test_models.py"),
    Mutant("likelihood-ratio test on REML fits", "models.py",
           "fits.append((_fit(design, reml=False), design.p))",
           "fits.append((_fit(design, reml=True), design.p))", "test_models.py"),
    Mutant("regression reference alphabetical", "models.py",
           "references[factor] = min(counts.index, key=lambda c: (-counts[c], c))",
           "references[factor] = min(counts.index)", "test_models.py"),
    Mutant("ordered merge with the larger neighbour", "models.py",
           "partner = min(neighbours, key=lambda c: (counts[c], order.index(c)))",
           "partner = max(neighbours, key=lambda c: (counts[c], order.index(c)))",
           "test_models.py"),
    Mutant("merging not repeated after a drop", "models.py",
           "            changed = changed or did\n", "            changed = False\n",
           "test_models.py"),
    Mutant("small other dropped at exactly min_cell", "models.py",
           "if in_other.sum() < min_cell:", "if in_other.sum() <= min_cell:", "test_models.py"),
    Mutant("underpowered counting the intercept", "models.py",
           "underpowered=n < 10 * (k - 1),", "underpowered=n < 10 * k,", "test_models.py"),
    Mutant("KM at risk excludes those censored at the time", "survival.py",
           'at_risk = t.size - np.searchsorted(np.sort(t), times, side="left")',
           'at_risk = t.size - np.searchsorted(np.sort(t), times, side="right") + events',
           "test_survival.py"),
    Mutant("log-rank variance without the ties factor", "survival.py",
           "weight = np.divide(d * (n - d), n - 1, out=np.zeros_like(n), where=n > 1)",
           "weight = d", "test_survival.py"),
    Mutant("correlation interval ignores the confidence asked for", "correlation.py",
           "result.confidence_interval(confidence_level=confidence)",
           "result.confidence_interval(confidence_level=0.95)", "test_correlation.py"),
    Mutant("subscale correlated with its own total", "correlation.py",
           "                continue\n            pair = data[[x, y]]",
           "                pass\n            pair = data[[x, y]]", "test_correlation.py"),
    Mutant("reliable change without sqrt(2)", "reliability.py",
           "s_diff = np.sqrt(2) * sd * np.sqrt(1 - reliability)",
           "s_diff = sd * np.sqrt(1 - reliability)", "test_reliability.py"),
    Mutant("Feldt df2 as n(k - 1)", "reliability.py",
           "df1, df2 = n - 1, (n - 1) * (k - 1)", "df1, df2 = n - 1, n * (k - 1)",
           "test_reliability.py"),
    Mutant("Holm family counts missing p-values", "multitest.py",
           'adjusted = pg.multicomp(values, method="holm")[1]',
           'adjusted = pg.multicomp(np.nan_to_num(values, nan=1.0), method="holm")[1]',
           "test_multitest.py"),
]

def stale(mutants: list[Mutant], root: Path = ROOT) -> list[str]:
    """The mutants whose snippets do not occur exactly once in the module, or change nothing."""
    problems = []
    for mutant in mutants:
        text = (root / STATS / mutant.module).read_text()
        for old, new in ((mutant.old, mutant.new), *mutant.more):
            count = text.count(old)
            if count != 1 or old == new:
                problems.append(f"{mutant.name!r}: snippet found {count} times in "
                                f"{mutant.module}: {old[:60]!r}")
    return problems


def _apply(copy: Path, mutant: Mutant) -> None:
    path = copy / STATS / mutant.module
    text = path.read_text()
    for old, new in ((mutant.old, mutant.new), *mutant.more):
        count = text.count(old)
        if count != 1:
            raise SystemExit(f"mutant {mutant.name!r}: snippet found {count} times in "
                             f"{mutant.module}; update tools/mutants.py")
        text = text.replace(old, new)
    path.write_text(text)


def _run(copy: Path, tests: str) -> tuple[bool, str]:
    env = dict(os.environ, PYTHONPATH=str(copy / "src"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:nbval",
         "-o", "addopts=", str(copy / "tests" / "stats" / tests)],
        cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    failed = re.findall(r"^FAILED \S+::(\S+)", result.stdout, flags=re.MULTILINE)
    return result.returncode != 0, (failed[0] if failed else result.stdout.strip()[-120:])


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTANTS if not argv or any(a.lower() in m.name.lower() for a in argv)]
    if not chosen:
        raise SystemExit(f"no mutant matches {argv}")
    problems = stale(chosen)
    if problems:  # before anything runs: a stale snippet is a failure of the tool, said loudly
        raise SystemExit("stale mutants (update tools/mutants.py):\n  " + "\n  ".join(problems))
    survived = 0
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        shutil.copytree(ROOT / "tests", copy / "tests",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
        # tests that read the synthetic sample (``tests/stats/test_published_change.py``)
        shutil.copytree(ROOT / "data" / "sample", copy / "data" / "sample")
        pristine = ROOT / "src"
        shutil.copytree(pristine, copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
        killed, detail = _run(copy, "")
        if killed:
            raise SystemExit(f"the unmutated tests fail: {detail}")
        print("| mutant | module | killed | first failing test |")
        print("|---|---|---|---|")
        for mutant in chosen:
            _apply(copy, mutant)
            try:
                killed, detail = _run(copy, mutant.tests)
            finally:  # restore the module for the next mutant
                shutil.copy(pristine / "evalkit" / "stats" / mutant.module,
                            copy / STATS / mutant.module)
            survived += not killed
            print(f"| {mutant.name} | {mutant.module} | {'yes' if killed else '**NO**'} | "
                  f"{detail if killed else ''} |", flush=True)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
