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
           "    t, e = _time_event(rows[time], rows[event])\n",
           "    t, e = _time_event(rows[time], rows[event])\n    e = ~e\n", "test_survival.py"),
    Mutant("KM band log-log replaced by log", "survival.py",
           "        low = np.exp(-np.exp(np.log(-log_s) + spread))\n"
           "        high = np.exp(-np.exp(np.log(-log_s) - spread))\n",
           "        low = survival * np.exp(-z * se_log)\n"
           "        high = np.minimum(1.0, survival * np.exp(z * se_log))\n", "test_survival.py"),
    Mutant("KM lower band narrowed by half", "survival.py",
           "np.log(-log_s) + spread))", "np.log(-log_s) + spread / 2))", "test_survival.py"),
    Mutant("Wilcoxon zero method wilcox -> pratt", "paired.py",
           "ranks = _st.rankdata(np.abs(nonzero))", "ranks = _st.rankdata(np.abs(d))[d != 0]",
           "test_paired.py"),
    Mutant("Wilcoxon differences not rounded before ranking", "paired.py",
           "d = np.round(d[~np.isnan(d)], TIE_DECIMALS)", "d = d[~np.isnan(d)]",
           "test_paired.py"),
    Mutant("Wilcoxon continuity correction on", "paired.py",
           "z = (v - mean) / np.sqrt(variance)", "z = (abs(v - mean) - 0.5) / np.sqrt(variance)",
           "test_paired.py"),
    Mutant("Spearman -> Kendall", "correlation.py",
           "r = float(np.corrcoef(a, b)[0, 1])",
           "r = float(_st.kendalltau(a, b).statistic if method == 'spearman' "
           "else np.corrcoef(a, b)[0, 1])", "test_correlation.py"),
    Mutant("reliable change > -> >=", "reliability.py",
           "rises, falls = values > criterion, values < -criterion",
           "rises, falls = values >= criterion, values <= -criterion", "test_reliability.py"),
    Mutant("Greenhouse-Geisser p replaced by the uncorrected p", "anova.py",
           "p_gg=float(_st.f.sf(f, epsilon * df1, epsilon * df2))",
           "p_gg=float(_st.f.sf(f, df1, df2))", "test_anova.py"),
    Mutant("mixed model REML -> ML", "models.py",
           "fit = _fit(design, reml=True)", "fit = _fit(design, reml=False)", "test_models.py"),
    Mutant("Mauchly p dropped", "anova.py",
           'row["mauchly_w"], row["mauchly_p"] = _mauchly(transformed, n)',
           'row["mauchly_w"] = _mauchly(transformed, n)[0]', "test_anova.py"),
    Mutant("Wald z instead of Satterthwaite t", "models.py",
           "    cov, df, positive = _satterthwaite(design, fit[\"tau\"], fit[\"s\"], fit[\"beta\"])\n",
           "    cov, df, positive = _satterthwaite(design, fit[\"tau\"], fit[\"s\"], fit[\"beta\"])\n"
           "    df = np.full_like(df, np.inf)\n", "test_models.py"),
    Mutant("Holm -> Bonferroni", "multitest.py",
           'multipletests(values[tested], method="holm")',
           'multipletests(values[tested], method="bonferroni")', "test_multitest.py"),
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
           "correction = 1 - 3 / (4 * (a.size + b.size) - 9)", "correction = 1",
           "test_groups.py"),
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
           "if n <= EXACT_MAX_N and not ties:", "if n < EXACT_MAX_N and not ties:",
           "test_paired.py"),
    Mutant("Wilcoxon without tie correction", "paired.py",
           " - np.sum(tie_sizes**3 - tie_sizes) / 48", "", "test_paired.py"),
    Mutant("Mann-Whitney without continuity correction", "groups.py",
           "use_continuity=True", "use_continuity=False", "test_groups.py"),
    Mutant("Mann-Whitney exact rule left to scipy", "groups.py",
           'method="exact" if exact else "asymptotic"', 'method="auto"', "test_groups.py"),
    Mutant("groups taken in data order, not category order", "groups.py",
           "grouped = values.groupby(between, observed=True, sort=True)[dv]",
           "grouped = values.groupby(between, observed=True, sort=False)[dv]", "test_groups.py"),
    Mutant("rank-biserial sign flipped", "groups.py",
           "rank_effect_size=2 * u / (a.size * b.size) - 1",
           "rank_effect_size=1 - 2 * u / (a.size * b.size)", "test_groups.py"),
    Mutant("Welch ANOVA without its denominator correction", "groups.py",
           "/ (1 + 2 * (k - 2) / (k**2 - 1) * lam)", "", "test_groups.py"),
    Mutant("epsilon squared as H / n", "groups.py",
           "rank_effect_size=h / (n - 1)", "rank_effect_size=h / n", "test_groups.py"),
    Mutant("Greenhouse-Geisser epsilon divided by k", "anova.py",
           "epsilon = eigen.sum() ** 2 / ((k - 1) * np.sum(eigen**2))",
           "epsilon = eigen.sum() ** 2 / (k * np.sum(eigen**2))", "test_anova.py"),
    Mutant("Mauchly second-order term as in R (3 * p with p = k)", "anova.py",
           "(2 * pp**3 + 6 * pp**2 + 3 * pp + 2)", "(2 * pp**3 + 6 * pp**2 + 3 * (pp + 1) + 2)",
           "test_anova.py"),
    Mutant("partial instead of generalised eta squared", "anova.py",
           "ng2=ss_levels / (ss_levels + ss_subjects + ss_error)",
           "ng2=ss_levels / (ss_levels + ss_error)", "test_anova.py"),
    Mutant("pairwise t as earlier minus later", "anova.py",
           "diff = (table[b] - table[a]).to_numpy()", "diff = (table[a] - table[b]).to_numpy()",
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
           '"underpowered": n < 10 * (k - 1),', '"underpowered": n < 10 * k,', "test_models.py"),
    Mutant("KM at risk excludes those censored at the time", "survival.py",
           'at_risk = t.size - np.searchsorted(np.sort(t), times, side="left")',
           'at_risk = t.size - np.searchsorted(np.sort(t), times, side="right") + events',
           "test_survival.py"),
    Mutant("log-rank variance without the ties factor", "survival.py",
           "weight = np.divide(d * (n - d), n - 1, out=np.zeros_like(n), where=n > 1)",
           "weight = d", "test_survival.py"),
    Mutant("Fisher interval on sqrt(n - 2)", "correlation.py",
           "half = z / np.sqrt(n - 3)", "half = z / np.sqrt(n - 2)", "test_correlation.py"),
    Mutant("subscale correlated with its own total", "correlation.py",
           "                continue\n            pair = data[[x, y]]",
           "                pass\n            pair = data[[x, y]]", "test_correlation.py"),
    Mutant("reliable change without sqrt(2)", "reliability.py",
           "s_diff = np.sqrt(2) * sd_pre * np.sqrt(1 - reliability)",
           "s_diff = sd_pre * np.sqrt(1 - reliability)", "test_reliability.py"),
    Mutant("Feldt df2 as n(k - 1)", "reliability.py",
           "df1, df2 = n - 1, (n - 1) * (k - 1)", "df1, df2 = n - 1, n * (k - 1)",
           "test_reliability.py"),
    Mutant("Holm family counts missing p-values", "multitest.py",
           "adjusted[tested] = multipletests(values[tested], method=\"holm\")[1]",
           "adjusted[tested] = multipletests(np.nan_to_num(values, nan=1.0), "
           "method=\"holm\")[1][tested]", "test_multitest.py"),
]

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
    survived = 0
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        shutil.copytree(ROOT / "tests", copy / "tests",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
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
