"""Regression models: a linear mixed model for repeated measures, and least squares.

The mixed model has one random intercept per subject, the model of R's
``lmer(value ~ time + (1 | subject))``. For that covariance structure everything reduces to
per-subject sums, so the REML fit, its derivatives and the Satterthwaite degrees of freedom are
written out here (a one-parameter profile likelihood and closed-form derivatives) rather than
taken from a general-purpose fitter; the results equal R's lme4/lmerTest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize as _opt
from scipy import stats as _st

__all__ = ["mixed_model", "interaction_test", "ols_regression", "readable_terms"]


def readable_terms(terms: pd.Series) -> pd.Series:
    """Model term names as a reader would write them.

    ``C(gender)[T.woman]`` becomes ``gender=woman``, ``C(wave, Treatment('pre'))[T.post]``
    becomes ``wave=post``, and an interaction's ``:`` becomes `` x ``.

    Parameters
    ----------
    terms
        Term names in patsy/statsmodels notation.

    Returns
    -------
    Series
        The readable names.

    Examples
    --------
    >>> readable_terms(pd.Series(["C(wave, Treatment('pre'))[T.post]:C(gender)[T.woman]"])).tolist()
    ['wave=post x gender=woman']
    """
    return (terms.str.replace(r"C\((\w+)(?:, Treatment\('[^']*'\))?\)\[T\.([^\]]+)\]", r"\1=\2",
                              regex=True)
            .str.replace(":", " x ", regex=False))


# --- shared helpers -------------------------------------------------------------------------------

def _independent_columns(x: np.ndarray) -> np.ndarray:
    """Indices of columns of ``x`` that are not linear combinations of earlier ones."""
    keep: list[int] = []
    for j in range(x.shape[1]):
        trial = x[:, [*keep, j]]
        if np.linalg.matrix_rank(trial, tol=1e-9 * max(1.0, np.abs(trial).max())) == len(keep) + 1:
            keep.append(j)
    return np.array(keep, dtype=int)


def _sorted_levels(values: pd.Series) -> list[str]:
    """Category order for categoricals, sorted text otherwise (R's factor default)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().astype(str))
        return [str(c) for c in values.cat.categories if str(c) in present]
    return sorted(values.dropna().astype(str).unique())


# --- the random-intercept model -------------------------------------------------------------------
#
# Within subject g (n_g rows) the covariance is V_g = s * I + tau * J (J all ones). Every matrix
# built from V, its inverse and its derivatives is a * (I - J/n_g) + b_g * J/n_g: a scalar on
# the within-subject projector and one number per subject on the subject-mean projector. Such
# "spectral" pairs multiply elementwise, and x' D z needs only X'X and the subject means.


@dataclass
class _Design:
    x: np.ndarray  # fixed-effect design (N x p)
    y: np.ndarray
    codes: np.ndarray  # subject index of each row
    names: list[str]

    def __post_init__(self) -> None:
        self.sizes = np.bincount(self.codes).astype(float)
        augmented = np.column_stack([self.x, self.y])
        sums = np.zeros((self.sizes.size, augmented.shape[1]))
        np.add.at(sums, self.codes, augmented)
        self.means = sums / self.sizes[:, None]
        self.within = augmented.T @ augmented - self.means.T @ (self.means * self.sizes[:, None])
        self.n_obs, self.p = self.x.shape
        self.n_subjects = self.sizes.size

    def quad(self, a: float, b: np.ndarray) -> np.ndarray:
        """[X y]' D [X y] for D = a * (I - J/n) + b * J/n (block per subject)."""
        return a * self.within + self.means.T @ (self.means * (b * self.sizes)[:, None])

    def trace(self, a: float, b: np.ndarray) -> float:
        return a * (self.n_obs - self.n_subjects) + float(np.sum(b))


def _gls(design: _Design, gamma: float):
    """Fixed effects and residual sum of squares for V proportional to I + gamma * J."""
    q = design.quad(1.0, 1.0 / (1.0 + design.sizes * gamma))
    p = design.p
    xtx, xty = q[:p, :p], q[:p, p]
    beta = np.linalg.solve(xtx, xty)
    rss = q[p, p] - xty @ beta
    return beta, max(rss, 0.0), xtx


def _deviance(design: _Design, theta: float, reml: bool) -> float:
    """-2 log-likelihood (REML or ML), profiled over the residual variance; gamma = theta^2."""
    gamma = theta * theta
    _, rss, xtx = _gls(design, gamma)
    log_h = float(np.sum(np.log1p(design.sizes * gamma)))
    dof = design.n_obs - design.p if reml else design.n_obs
    deviance = dof * (1 + np.log(2 * np.pi * rss / dof)) + log_h
    if reml:
        deviance += np.linalg.slogdet(xtx)[1]
    return float(deviance)


def _fit(design: _Design, reml: bool):
    """Maximise the (restricted) likelihood over theta = sd_subject / sd_residual >= 0."""
    grid = np.concatenate([[0.0], np.logspace(-3, 3, 61)])
    values = np.array([_deviance(design, t, reml) for t in grid])
    best = int(np.argmin(values))
    low = grid[max(best - 1, 0)]
    high = grid[min(best + 1, grid.size - 1)]
    result = _opt.minimize_scalar(lambda t: _deviance(design, t, reml), bounds=(low, high),
                                  method="bounded", options={"xatol": 1e-12})
    theta, deviance = float(result.x), float(result.fun)
    if values[0] <= deviance:  # the boundary: no between-subject variance
        theta, deviance = 0.0, float(values[0])
    at_edge = best == grid.size - 1
    converged = bool(result.success) and np.isfinite(deviance) and not at_edge
    gamma = theta * theta
    beta, rss, _ = _gls(design, gamma)
    s = rss / ((design.n_obs - design.p) if reml else design.n_obs)
    return {"theta": theta, "s": s, "tau": gamma * s, "beta": beta, "deviance": deviance,
            "converged": converged}


def _satterthwaite(design: _Design, tau: float, s: float, beta: np.ndarray):
    """Covariance of the fixed effects and Satterthwaite df of each, as lmerTest computes them.

    lmerTest differentiates in (theta, sigma) = (sd_subject / sd_residual, sd_residual) with
    A = 2 * inverse Hessian of the REML deviance. The same quantities are computed here exactly:
    derivatives in (tau, s) = (subject variance, residual variance), then the chain rule to
    (theta, sigma), including the gradient term that matters when theta sits at 0.
    """
    p = design.p
    u = 1.0 / (s + design.sizes * tau)  # V^-1 on the subject-mean projector
    e = (1.0 / s, u)  # V^-1
    # derivatives of V: d/dtau = J = (0, n_g); d/ds = I = (1, 1)
    dv = [(0.0, design.sizes), (1.0, np.ones_like(u))]

    def times(*pairs):
        a, b = 1.0, np.ones_like(u)
        for pa, pb in pairs:
            a, b = a * pa, b * pb
        return a, b

    def xq(pair):
        return design.quad(*pair)

    c = np.linalg.inv(xq(e)[:p, :p])
    coef = np.concatenate([-beta, [1.0]])  # r = [X y] @ coef

    def rq(pair):  # r' D r
        return float(coef @ xq(pair) @ coef)

    def rx(pair):  # r' D X
        return coef @ xq(pair)[:, :p]

    # gradient and observed Hessian of the REML log-likelihood in phi = (tau, s)
    grad = np.empty(2)
    hess = np.empty((2, 2))
    for j, vj in enumerate(dv):
        trace_pv = design.trace(*times(e, vj)) - np.trace(c @ xq(times(e, vj, e))[:p, :p])
        grad[j] = -0.5 * trace_pv + 0.5 * rq(times(e, vj, e))
        for k, vk in enumerate(dv):
            ab = times(vj, vk)
            trace_pvpv = (design.trace(*times(e, e, ab))
                          - 2 * np.trace(c @ xq(times(e, e, e, ab))[:p, :p])
                          + np.trace(c @ xq(times(e, e, vj))[:p, :p]
                                     @ c @ xq(times(e, e, vk))[:p, :p]))
            quadratic = (rq(times(e, e, e, ab))
                         - rx(times(e, e, vj)) @ c @ rx(times(e, e, vk)))
            hess[j, k] = 0.5 * trace_pvpv - quadratic
    # dC/dphi_k = C X' V^-1 V_k V^-1 X C
    dc = [c @ xq(times(e, vk, e))[:p, :p] @ c for vk in dv]
    sigma = np.sqrt(s)
    theta = np.sqrt(tau / s)
    jac = np.array([[2 * theta * s, 2 * theta**2 * sigma], [0.0, 2 * sigma]])
    hess_psi = jac.T @ hess @ jac
    hess_psi += grad[0] * np.array([[2 * s, 4 * theta * sigma], [4 * theta * sigma,
                                                                   2 * theta**2]])
    hess_psi += grad[1] * np.array([[0.0, 0.0], [0.0, 2.0]])
    # At theta = 0 the fixed-effect covariance does not move with theta (its derivative has
    # the factor theta): only sigma counts, which also avoids a zero curvature there.
    keep = [1] if theta == 0 else [0, 1]
    info = -hess_psi[np.ix_(keep, keep)]
    try:
        a = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        a = np.full_like(info, np.nan)
    positive = bool(np.all(np.linalg.eigvalsh(info) > 0)) if np.all(np.isfinite(info)) else False
    df = np.empty(p)
    for i in range(p):
        g = jac.T @ np.array([dc[0][i, i], dc[1][i, i]])
        g = g[keep]
        df[i] = 2 * c[i, i] ** 2 / float(g @ a @ g)
    return c, df, positive


_MIXED_COLUMNS = ["term", "estimate", "se", "df", "t", "p", "ci_low", "ci_high", "n_obs",
                  "n_subjects", "left_out", "subject_variance", "residual_variance", "converged",
                  "note"]


def _prepare(data: pd.DataFrame, *, value: str, subject: str, time: str, levels: Sequence,
             by: str | None, min_group: int):
    """Rows of the model, the time levels present, the groups kept and how many subjects left."""
    columns = [subject, time, value, *([by] if by else [])]
    for column in columns:
        if column not in data.columns:
            raise ValueError(f"no column {column!r} in the data")
    levels = [str(level) for level in levels]
    rows = data[columns].dropna().copy()
    rows[time] = rows[time].astype(str)
    rows = rows[rows[time].isin(levels)]
    rows[subject] = rows[subject].astype(str)
    present = [level for level in levels if level in set(rows[time])]
    groups: list[str] = []
    left_out = 0
    if by:
        order = _sorted_levels(data[by])
        rows[by] = rows[by].astype(str)
        subjects_per_group = rows.groupby(by)[subject].nunique()
        small = subjects_per_group[subjects_per_group < min_group].index
        left_out = int(rows.loc[rows[by].isin(small), subject].nunique())
        rows = rows[~rows[by].isin(small)]
        groups = [g for g in order if g in set(rows[by])]
    return rows, present, groups, left_out


def _design(rows: pd.DataFrame, *, value: str, subject: str, time: str, present: list[str],
            by: str | None, groups: list[str], interaction: bool = True) -> _Design:
    columns = {"Intercept": np.ones(len(rows))}
    time_dummies = {f"{time}={level}": (rows[time] == level).to_numpy(float)
                    for level in present[1:]}
    columns.update(time_dummies)
    if by:
        group_dummies = {f"{by}={g}": (rows[by] == g).to_numpy(float) for g in groups[1:]}
        columns.update(group_dummies)
        if interaction:
            for t_name, t_col in time_dummies.items():
                for g_name, g_col in group_dummies.items():
                    columns[f"{t_name} x {g_name}"] = t_col * g_col
    _, codes = np.unique(rows[subject].to_numpy(), return_inverse=True)
    return _Design(x=np.column_stack(list(columns.values())), y=rows[value].to_numpy(float),
                   codes=codes, names=list(columns))


def _too_few(rows, present, subject, by, groups, min_group) -> str:
    if by and len(groups) < 2:
        return f"fewer than two groups of '{by}' with at least {min_group} subjects: no model"
    if rows[subject].nunique() < 3:
        return "fewer than three subjects: no model"
    if len(present) < 2:
        return "fewer than two time points with data: no model"
    if len(rows) <= rows[subject].nunique():
        return "no subject has two observations: the subject variance cannot be separated"
    return ""


def mixed_model(data: pd.DataFrame, *, value: str, subject: str, time: str, levels: Sequence,
                by: str | None = None, min_group: int = 2,
                confidence: float = 0.95) -> pd.DataFrame:
    """Linear mixed model with a random intercept per subject, fitted by REML.

    ``value ~ time`` (treatment coding, the first of ``levels`` present as reference), or
    ``value ~ time * by`` to see whether change differs between groups. Subjects with only some
    time points still count. Fixed effects are tested with t on Satterthwaite's degrees of
    freedom, as R's ``summary(lmerTest::lmer(value ~ time + (1 | subject)))``: the variance of
    each estimate is differentiated with respect to the variance parameters and combined with
    their asymptotic covariance from the observed REML Hessian. Intervals are
    ``estimate -/+ t(df) * se``.

    The REML criterion is maximised over theta = sd_subject / sd_residual >= 0 (the residual
    variance profiled out). A between-subject variance of 0 is a valid "singular" fit, said in
    ``note`` (df then equal those of least squares). ``converged`` is False when the
    optimiser failed or theta ran to the edge of its search range (1000); read such results
    with care. Columns of the design that are linear combinations of others (a group observed
    at only some time points) are dropped and named in ``note``.

    Parameters
    ----------
    data
        Long table: one row per subject and time point.
    value, subject, time
        Column names (outcome, subject identifier, time point).
    levels
        The time points in order; rows at other time points are ignored.
    by
        Optional grouping column constant within subjects (sorted order, or category order for
        categoricals; the first group is the reference). Groups with fewer than ``min_group``
        subjects are left out; ``left_out`` counts their subjects.
    min_group
        Smallest number of subjects for a group of ``by`` to stay in.
    confidence
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per fixed-effect term (``Intercept``, ``wave=post``, ``gender=woman``,
        ``wave=post x gender=woman``): term, estimate, se, df, t, p, ci_low, ci_high, and the fit
        columns n_obs, n_subjects, left_out, subject_variance, residual_variance, converged,
        note.

    Examples
    --------
    With two time points and no missing values the time effect is the mean change and its test
    the paired t test (df = subjects - 1):

    >>> long = pd.DataFrame({"id": list("aabbccdd"), "wave": ["pre", "post"] * 4,
    ...                      "score": [3.0, 2.0, 4.0, 3.5, 5.0, 3.0, 3.0, 3.0]})
    >>> table = mixed_model(long, value="score", subject="id", time="wave",
    ...                     levels=["pre", "post"])
    >>> table[["term", "estimate", "df"]].round(3).to_numpy().tolist()
    [['Intercept', 3.75, 5.01], ['wave=post', -0.875, 3.0]]
    """
    rows, present, groups, left_out = _prepare(data, value=value, subject=subject, time=time,
                                               levels=levels, by=by, min_group=min_group)
    reason = _too_few(rows, present, subject, by, groups, min_group)
    base = {"n_obs": len(rows), "n_subjects": rows[subject].nunique(), "left_out": left_out}
    if reason:
        names = ["Intercept", *[f"{time}={level}" for level in [str(v) for v in levels][1:]]]
        table = pd.DataFrame({"term": names})
        for column in _MIXED_COLUMNS[1:]:
            table[column] = base.get(column, np.nan)
        table["converged"] = False
        table["note"] = reason
        return table[_MIXED_COLUMNS]
    design = _design(rows, value=value, subject=subject, time=time, present=present, by=by,
                     groups=groups)
    notes = []
    first = str(levels[0])
    if present[0] != first:
        notes.append(f"no rows at '{first}': '{present[0]}' is the reference")
    keep = _independent_columns(design.x)
    if keep.size < design.p:
        dropped = [design.names[j] for j in range(design.p) if j not in set(keep)]
        notes.append("not estimable from these data, left out: " + ", ".join(dropped))
        design = _Design(x=design.x[:, keep], y=design.y, codes=design.codes,
                         names=[design.names[j] for j in keep])
    fit = _fit(design, reml=True)
    cov, df, positive = _satterthwaite(design, fit["tau"], fit["s"], fit["beta"])
    if fit["theta"] == 0:
        notes.append("between-subject variance estimated as 0 (singular fit)")
    if not fit["converged"]:
        notes.append("the REML fit did not converge")
    if not positive:
        notes.append("the variance parameters' Hessian is not positive definite: "
                     "Satterthwaite df unreliable")
    se = np.sqrt(np.diag(cov))
    t = fit["beta"] / se
    quantile = _st.t.ppf(0.5 + confidence / 2, df)
    table = pd.DataFrame({"term": design.names, "estimate": fit["beta"], "se": se, "df": df,
                          "t": t, "p": 2 * _st.t.sf(np.abs(t), df),
                          "ci_low": fit["beta"] - quantile * se,
                          "ci_high": fit["beta"] + quantile * se})
    table = table.assign(**base, subject_variance=fit["tau"], residual_variance=fit["s"],
                         converged=fit["converged"], note="; ".join(notes))
    return table[_MIXED_COLUMNS]


def interaction_test(data: pd.DataFrame, *, value: str, subject: str, time: str,
                     levels: Sequence, by: str, min_group: int = 2) -> pd.DataFrame:
    """Does change over time differ between the groups of ``by``? A likelihood-ratio test.

    Compares ``value ~ time * by`` with ``value ~ time + by`` (random intercept per subject),
    both fitted by maximum likelihood (REML likelihoods of different fixed effects are not
    comparable), as R's ``anova(lmer(..., REML = FALSE), ...)``. ``chi2`` is twice the
    difference in log-likelihood on as many df as interaction terms. Groups with fewer than
    ``min_group`` subjects are left out and counted in ``left_out``.

    Parameters
    ----------
    data
        Long table: one row per subject and time point.
    value, subject, time, levels
        As for :func:`mixed_model`.
    by
        Grouping column constant within subjects. When the column is absent the row says so.
    min_group
        Smallest number of subjects for a group to stay in.

    Returns
    -------
    DataFrame
        One row: factor, n_subjects, left_out, chi2, df, p, note.

    Examples
    --------
    >>> long = pd.DataFrame({"id": list("aabbccddeeff"), "wave": ["pre", "post"] * 6,
    ...                      "group": list("xxxxxxyyyyyy"),
    ...                      "score": [3, 2, 4, 3.5, 5, 3, 3, 3, 4, 4.5, 2, 2.5]})
    >>> row = interaction_test(long, value="score", subject="id", time="wave",
    ...                        levels=["pre", "post"], by="group").iloc[0]
    >>> int(row["n_subjects"]), float(row["df"]), round(float(row["chi2"]), 3)
    (6, 1.0, 7.57)
    """
    row = {"factor": by, "n_subjects": np.nan, "left_out": np.nan, "chi2": np.nan,
           "df": np.nan, "p": np.nan, "note": ""}
    if by not in data.columns:
        row["note"] = f"no column '{by}' in the data: no test"
        return pd.DataFrame([row])
    rows, present, groups, left_out = _prepare(data, value=value, subject=subject, time=time,
                                               levels=levels, by=by, min_group=min_group)
    row.update(n_subjects=rows[subject].nunique(), left_out=left_out)
    reason = _too_few(rows, present, subject, by, groups, min_group)
    if reason:
        row["note"] = reason.replace("no model", "no test")
        return pd.DataFrame([row])
    fits = []
    for interaction in (True, False):
        design = _design(rows, value=value, subject=subject, time=time, present=present, by=by,
                         groups=groups, interaction=interaction)
        keep = _independent_columns(design.x)
        design = _Design(x=design.x[:, keep], y=design.y, codes=design.codes,
                         names=[design.names[j] for j in keep])
        fits.append((_fit(design, reml=False), design.p))
    (full, p_full), (main, p_main) = fits
    df = p_full - p_main
    if df == 0:
        row["note"] = "no interaction term is estimable from these data: no test"
        return pd.DataFrame([row])
    chi2 = max(0.0, main["deviance"] - full["deviance"])
    row.update(chi2=chi2, df=float(df), p=float(_st.chi2.sf(chi2, df)))
    if not (full["converged"] and main["converged"]):
        row["note"] = "a maximum-likelihood fit did not converge"
    return pd.DataFrame([row])


# --- least squares with small categories merged ----------------------------------------------------

_OLS_COLUMNS = ["term", "factor", "level", "reference", "n", "estimate", "se", "t", "p",
                "ci_low", "ci_high", "n_model", "r2", "adj_r2", "f", "f_df1", "f_df2", "f_p",
                "underpowered", "dropped", "merged", "note"]


def _merge_ordered(values: pd.Series, order: list[str], min_cell: int, log: list[str],
                   factor: str) -> tuple[pd.Series, bool]:
    """Merge the smallest category below ``min_cell`` with its smaller neighbour, repeatedly."""
    changed = False
    order = [c for c in order if (values == c).any()]
    while len(order) > 1:
        counts = {c: int((values == c).sum()) for c in order}
        small = [c for c in order if counts[c] < min_cell]
        if not small:
            break
        target = min(small, key=lambda c: (counts[c], order.index(c)))
        i = order.index(target)
        neighbours = [order[j] for j in (i - 1, i + 1) if 0 <= j < len(order)]
        partner = min(neighbours, key=lambda c: (counts[c], order.index(c)))
        first, second = sorted([target, partner], key=order.index)
        label = f"{first}|{second}"
        values = values.where(~values.isin([first, second]), label)
        order[order.index(first)] = label
        order.remove(second)
        log.append(f"{factor}: {first} + {second} -> {label}")
        changed = True
    return values, changed


def _merge_unordered(values: pd.Series, min_cell: int, log: list[str], factor: str):
    """Categories below ``min_cell`` become ``other``; a small ``other`` is marked for dropping."""
    counts = values.value_counts()
    small = sorted(counts[counts < min_cell].index)
    if not small:
        return values, np.zeros(len(values), dtype=bool), False
    merged = values.where(~values.isin(small), "other")
    in_other = (merged == "other").to_numpy()
    names = " + ".join(small)
    if in_other.sum() < min_cell:
        log.append(f"{factor}: {names} ({int(in_other.sum())} rows) dropped")
        return merged, in_other, True
    if small != ["other"]:
        log.append(f"{factor}: {names} -> other")
    return merged, np.zeros(len(values), dtype=bool), small != ["other"]


def ols_regression(data: pd.DataFrame, *, outcome: str, factors: Sequence[str],
                   ordered: Sequence[str] | Mapping[str, Sequence[str]] = (),
                   covariates: Sequence[str] = (), min_cell: int = 5,
                   confidence: float = 0.95) -> pd.DataFrame:
    """Least-squares regression on categorical factors (small categories merged) and covariates.

    Complete cases only (outcome, factors and covariates present). Then, repeated until a pass
    changes nothing (dropping rows can shrink other factors' categories), factor by factor in
    the order given:

    * an **ordered** factor's smallest category below ``min_cell`` merges with its smaller
      neighbour (ties: the earlier one), labels joined in order (``<1|1-2``), one merge at a
      time until no category is small;
    * in an **unordered** factor every category below ``min_cell`` merges into ``other``; if
      ``other`` still has fewer than ``min_cell`` rows they are dropped and counted
      (``dropped``).

    A factor left with one category leaves the model (``note``). Each factor is dummy-coded
    against its most frequent category (ties: alphabetical), named in ``reference``.
    ``underpowered`` is True with fewer than 10 rows per coefficient (intercept not counted).

    Parameters
    ----------
    data
        One row per person (pass one wave's forms so that nobody counts twice).
    outcome
        Numeric outcome column.
    factors
        Categorical predictor columns.
    ordered
        Which factors are ordered: names (their order is the column's categorical order) or a
        mapping name -> categories in order.
    covariates
        Numeric predictor columns.
    min_cell
        Smallest category size that stays as it is.
    confidence
        Coverage of the coefficient intervals.

    Returns
    -------
    DataFrame
        One row per coefficient: term, factor, level, reference, n (rows in that level),
        estimate, se, t, p, ci_low, ci_high, and the fit columns n_model, r2, adj_r2, f, f_df1,
        f_df2, f_p, underpowered, dropped, merged (what was merged or dropped), note.

    Examples
    --------
    >>> forms = pd.DataFrame({"total": [30, 32, 35, 40, 41, 44, 38, 36],
    ...                       "role": ["a", "a", "a", "a", "b", "b", "b", "c"]})
    >>> table = ols_regression(forms, outcome="total", factors=["role"], min_cell=4)
    >>> table[["term", "reference", "n", "estimate"]].round(3).to_numpy().tolist()
    [['Intercept', '', nan, 34.25], ['role=other', 'a', 4.0, 5.5]]
    >>> table["merged"].iloc[0]
    'role: b + c -> other'
    """
    factors = list(factors)
    covariates = list(covariates)
    orders: dict[str, list[str] | None]
    if isinstance(ordered, Mapping):
        orders = {name: [str(c) for c in levels] for name, levels in ordered.items()}
    else:
        orders = {name: None for name in ordered}
    for name in orders:
        if name not in factors:
            raise ValueError(f"ordered factor {name!r} is not among the factors")
    for column in [outcome, *factors, *covariates]:
        if column not in data.columns:
            raise ValueError(f"no column {column!r} in the data")
    for name, levels in list(orders.items()):
        if levels is None:
            if not isinstance(data[name].dtype, pd.CategoricalDtype):
                raise ValueError(f"give the order of {name!r}: make it an ordered Categorical "
                                 "or pass ordered={name: [categories in order]}")
            orders[name] = [str(c) for c in data[name].cat.categories]
    rows = data[[outcome, *factors, *covariates]].dropna()
    incomplete = len(data) - len(rows)
    rows = rows.copy()
    for factor in factors:
        rows[factor] = rows[factor].astype(str)
        if factor in orders:
            unknown = set(rows[factor]) - set(orders[factor])
            if unknown:
                raise ValueError(f"{len(unknown)} value(s) of {factor!r} are not in its order")
    log: list[str] = []
    dropped = 0
    changed = True
    while changed:
        changed = False
        for factor in factors:
            if factor in orders:
                current = [c for c in _current_order(orders[factor], rows[factor])]
                rows[factor], did = _merge_ordered(rows[factor], current, min_cell, log, factor)
            else:
                rows[factor], drop, did = _merge_unordered(rows[factor], min_cell, log, factor)
                if drop.any():
                    dropped += int(drop.sum())
                    rows = rows[~drop]
            changed = changed or did
    notes = []
    if incomplete:
        notes.append(f"{incomplete} rows with a missing value left out")
    used, references, level_lists = [], {}, {}
    for factor in factors:
        counts = rows[factor].value_counts()
        if len(counts) < 2:
            notes.append(f"{factor} has one category: left out of the model")
            continue
        used.append(factor)
        references[factor] = min(counts.index, key=lambda c: (-counts[c], c))
        if factor in orders:
            levels = _current_order(orders[factor], rows[factor])
        else:
            levels = sorted(counts.index)
        level_lists[factor] = [c for c in levels if c != references[factor]]
    names, columns, info = ["Intercept"], [np.ones(len(rows))], [("", "", "", np.nan)]
    for factor in used:
        for level in level_lists[factor]:
            indicator = (rows[factor] == level).to_numpy(float)
            names.append(f"{factor}={level}")
            columns.append(indicator)
            info.append((factor, level, references[factor], float(indicator.sum())))
    for covariate in covariates:
        names.append(covariate)
        columns.append(rows[covariate].to_numpy(float))
        info.append((covariate, "", "", float(len(rows))))
    x = np.column_stack(columns)
    y = rows[outcome].to_numpy(float)
    n, k = x.shape
    fit_columns = {"n_model": n, "r2": np.nan, "adj_r2": np.nan, "f": np.nan, "f_df1": np.nan,
                   "f_df2": np.nan, "f_p": np.nan, "underpowered": n < 10 * (k - 1),
                   "dropped": dropped, "merged": "; ".join(log)}
    table = pd.DataFrame(info, columns=["factor", "level", "reference", "n"])
    table.insert(0, "term", names)
    for column in ("estimate", "se", "t", "p", "ci_low", "ci_high"):
        table[column] = np.nan
    keep = _independent_columns(x) if n else np.arange(k)
    if keep.size < k:
        notes.append("not estimable (a combination of other terms), left out: "
                     + ", ".join(names[j] for j in range(k) if j not in set(keep)))
    if n <= keep.size:
        notes.append(f"too few complete rows ({n}) for {keep.size} coefficients: no model")
    else:
        xk = x[:, keep]
        beta, *_ = np.linalg.lstsq(xk, y, rcond=None)
        residual = y - xk @ beta
        df_resid = n - keep.size
        rss = float(residual @ residual)
        tss = float(np.sum((y - y.mean()) ** 2))
        sigma2 = rss / df_resid
        se = np.sqrt(np.diag(sigma2 * np.linalg.inv(xk.T @ xk)))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = beta / se
        quantile = _st.t.ppf(0.5 + confidence / 2, df_resid)
        table.loc[keep, "estimate"] = beta
        table.loc[keep, "se"] = se
        table.loc[keep, "t"] = t
        table.loc[keep, "p"] = 2 * _st.t.sf(np.abs(t), df_resid)
        table.loc[keep, "ci_low"] = beta - quantile * se
        table.loc[keep, "ci_high"] = beta + quantile * se
        if tss > 0:
            r2 = 1 - rss / tss
            fit_columns.update(r2=r2, adj_r2=1 - (1 - r2) * (n - 1) / df_resid)
            if keep.size > 1 and rss > 0:
                f = ((tss - rss) / (keep.size - 1)) / sigma2
                fit_columns.update(f=f, f_df1=float(keep.size - 1), f_df2=float(df_resid),
                                   f_p=float(_st.f.sf(f, keep.size - 1, df_resid)))
        else:
            notes.append("the outcome does not vary: no fit statistics")
    if fit_columns["underpowered"]:
        notes.append(f"fewer than 10 rows per coefficient ({n} rows, {k - 1} coefficients)")
    table = table.assign(**fit_columns, note="; ".join(notes))
    return table[_OLS_COLUMNS]


def _current_order(order: list[str], values: pd.Series) -> list[str]:
    """``order`` with merged labels (``a|b``) in place of their parts, present ones only."""
    present = list(dict.fromkeys(values))
    position = {}
    for label in present:
        parts = label.split("|") if label not in order else [label]
        known = [order.index(part) for part in parts if part in order]
        position[label] = min(known) if known else len(order)
    return sorted(present, key=lambda label: position[label])
