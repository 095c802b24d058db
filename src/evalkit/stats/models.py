"""Regression models: a linear mixed model for repeated measures, and least squares.

The mixed model has one random intercept per subject, the model of R's
``lmer(dv ~ within + (1 | subject))``. For that covariance structure everything reduces to
per-subject sums, so the REML fit, its derivatives and the Satterthwaite degrees of freedom are
written out here (a one-parameter profile likelihood and closed-form derivatives): pingouin has
no mixed model and statsmodels' ``MixedLM`` no Satterthwaite df. The results equal R's
lme4/lmerTest. Least squares is statsmodels' ``OLS`` (R's ``lm``) with evalkit's merging of
small categories. Each model gives its coefficients and, in a separate one-row table, its
model-level statistics (``mixed_model_fit``, ``ols_fit``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize as _opt
from scipy import stats as _st

__all__ = ["mixed_model", "mixed_model_fit", "interaction_test", "ols_regression", "ols_fit",
           "ols_residuals"]


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


_COEFFICIENT_COLUMNS = ["term", "n_subjects", "estimate", "se", "df", "t", "p", "ci_low",
                        "ci_high"]
_MIXED_FIT_COLUMNS = ["n_obs", "n_subjects", "left_out", "subject_variance",
                      "residual_variance", "icc", "reml_criterion", "aic", "bic", "converged",
                      "note"]


def _prepare(data: pd.DataFrame, *, dv: str, subject: str, within: str, levels: Sequence,
             between: str | None, min_group: int):
    """Rows of the model, the levels present, the groups kept and how many subjects left."""
    columns = [subject, within, dv, *([between] if between else [])]
    for column in columns:
        if column not in data.columns:
            raise ValueError(f"no column {column!r} in the data")
    levels = [str(level) for level in levels]
    rows = data[columns].dropna().copy()
    rows[within] = rows[within].astype(str)
    rows = rows[rows[within].isin(levels)]
    rows[subject] = rows[subject].astype(str)
    present = [level for level in levels if level in set(rows[within])]
    groups: list[str] = []
    left_out = 0
    if between:
        order = _sorted_levels(data[between])
        rows[between] = rows[between].astype(str)
        subjects_per_group = rows.groupby(between)[subject].nunique()
        small = subjects_per_group[subjects_per_group < min_group].index
        left_out = int(rows.loc[rows[between].isin(small), subject].nunique())
        rows = rows[~rows[between].isin(small)]
        groups = [g for g in order if g in set(rows[between])]
    return rows, present, groups, left_out


def _design(rows: pd.DataFrame, *, dv: str, subject: str, within: str, present: list[str],
            between: str | None, groups: list[str], interaction: bool = True) -> _Design:
    columns = {"Intercept": np.ones(len(rows))}
    time_dummies = {f"{within}={level}": (rows[within] == level).to_numpy(float)
                    for level in present[1:]}
    columns.update(time_dummies)
    if between:
        group_dummies = {f"{between}={g}": (rows[between] == g).to_numpy(float)
                         for g in groups[1:]}
        columns.update(group_dummies)
        if interaction:
            for t_name, t_col in time_dummies.items():
                for g_name, g_col in group_dummies.items():
                    columns[f"{t_name} x {g_name}"] = t_col * g_col
    _, codes = np.unique(rows[subject].to_numpy(), return_inverse=True)
    return _Design(x=np.column_stack(list(columns.values())), y=rows[dv].to_numpy(float),
                   codes=codes, names=list(columns))


def _too_few(rows, present, subject, between, groups, min_group) -> str:
    if between and len(groups) < 2:
        return (f"fewer than two groups of '{between}' with at least {min_group} subjects: "
                "no model")
    if rows[subject].nunique() < 3:
        return "fewer than three subjects: no model"
    if len(present) < 2:
        return "fewer than two time points with data: no model"
    if len(rows) <= rows[subject].nunique():
        return "no subject has two observations: the subject variance cannot be separated"
    return ""


def _mixed(data: pd.DataFrame, *, dv: str, within: str, subject: str, levels: Sequence,
           between: str | None, min_group: int,
           confidence: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The coefficient table and the one-row fit table of :func:`mixed_model`."""
    rows, present, groups, left_out = _prepare(data, dv=dv, subject=subject, within=within,
                                               levels=levels, between=between,
                                               min_group=min_group)
    reason = _too_few(rows, present, subject, between, groups, min_group)
    fit_row = dict.fromkeys(_MIXED_FIT_COLUMNS, np.nan)
    fit_row.update(n_obs=len(rows), n_subjects=rows[subject].nunique(), left_out=left_out,
                   converged=False, note=reason)
    if reason:
        names = ["Intercept", *[f"{within}={level}" for level in [str(v) for v in levels][1:]]]
        table = pd.DataFrame({"term": names}).reindex(columns=_COEFFICIENT_COLUMNS)
        return table, pd.DataFrame([fit_row])[_MIXED_FIT_COLUMNS]
    design = _design(rows, dv=dv, subject=subject, within=within, present=present,
                     between=between, groups=groups)
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
    # subjects with at least one row where the term applies
    n_subjects = [np.unique(design.codes[design.x[:, j] != 0]).size for j in range(design.p)]
    table = pd.DataFrame({"term": design.names, "n_subjects": n_subjects,
                          "estimate": fit["beta"], "se": se, "df": df, "t": t,
                          "p": 2 * _st.t.sf(np.abs(t), df),
                          "ci_low": fit["beta"] - quantile * se,
                          "ci_high": fit["beta"] + quantile * se})
    parameters = design.p + 2  # fixed effects, the subject and the residual variance
    fit_row.update(subject_variance=fit["tau"], residual_variance=fit["s"],
                   icc=fit["tau"] / (fit["tau"] + fit["s"]), reml_criterion=fit["deviance"],
                   aic=fit["deviance"] + 2 * parameters,
                   bic=fit["deviance"] + np.log(design.n_obs) * parameters,
                   converged=fit["converged"], note="; ".join(notes))
    return table[_COEFFICIENT_COLUMNS], pd.DataFrame([fit_row])[_MIXED_FIT_COLUMNS]


def mixed_model(data: pd.DataFrame, *, dv: str, within: str, subject: str, levels: Sequence,
                between: str | None = None, min_group: int = 2,
                confidence: float = 0.95) -> pd.DataFrame:
    """Linear mixed model with a random intercept per subject, fitted by REML: the coefficients.

    ``dv ~ within`` (treatment coding, the first of ``levels`` present as reference), or
    ``dv ~ within * between`` to see whether change differs between groups. Subjects with only
    some levels still count. Fixed effects are tested with t on Satterthwaite's degrees of
    freedom, as R's ``summary(lmerTest::lmer(dv ~ within + (1 | subject)))``: the variance of
    each estimate is differentiated with respect to the variance parameters and combined with
    their asymptotic covariance from the observed REML Hessian. Intervals are
    ``estimate -/+ t(df) * se``. Hand-written: statsmodels' ``MixedLM`` has no Satterthwaite
    df and pingouin no mixed model (see the module's docstring).

    The REML criterion is maximised over theta = sd_subject / sd_residual >= 0 (the residual
    variance profiled out). Columns of the design that are linear combinations of others (a
    group observed at only some levels) are dropped. How the fit went (a singular fit, no
    convergence, dropped terms) and the model-level statistics are in :func:`mixed_model_fit`.

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    dv, within, subject
        Column names: the outcome, the repeated factor (time point), the subject.
    levels
        The levels of ``within`` in order; rows at other levels are ignored.
    between
        Optional grouping column constant within subjects (sorted order, or category order for
        categoricals; the first group is the reference). Groups with fewer than ``min_group``
        subjects are left out (counted in :func:`mixed_model_fit`'s ``left_out``).
    min_group
        Smallest number of subjects for a group of ``between`` to stay in.
    confidence
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per fixed-effect term (``Intercept``, ``wave=post``, ``gender=woman``,
        ``wave=post x gender=woman``): term, n_subjects (subjects with a row the term applies
        to), estimate, se, df, t, p, ci_low, ci_high. NaN estimates when no model can be fitted
        (the reason is the ``note`` of :func:`mixed_model_fit`).

    Examples
    --------
    With two time points and no missing values the time effect is the mean change and its test
    the paired t test (df = subjects - 1):

    >>> long = pd.DataFrame({"id": list("aabbccdd"), "wave": ["pre", "post"] * 4,
    ...                      "score": [3.0, 2.0, 4.0, 3.5, 5.0, 3.0, 3.0, 3.0]})
    >>> table = mixed_model(long, dv="score", within="wave", subject="id",
    ...                     levels=["pre", "post"])
    >>> table[["term", "estimate", "df"]].round(3).to_numpy().tolist()
    [['Intercept', 3.75, 5.01], ['wave=post', -0.875, 3.0]]
    """
    return _mixed(data, dv=dv, within=within, subject=subject, levels=levels, between=between,
                  min_group=min_group, confidence=confidence)[0]


def mixed_model_fit(data: pd.DataFrame, *, dv: str, within: str, subject: str,
                    levels: Sequence, between: str | None = None,
                    min_group: int = 2) -> pd.DataFrame:
    """Model-level statistics of :func:`mixed_model`, in one row.

    The same model and arguments as :func:`mixed_model`. ``reml_criterion`` is -2 times the
    restricted log-likelihood at the optimum (lme4's ``REMLcrit``); ``aic`` and ``bic`` add
    ``2 k`` and ``log(n_obs) k`` with ``k`` = fixed effects + 2 variance parameters, as
    ``AIC()`` and ``BIC()`` of a REML ``lmer`` fit (compare them only between models with the
    same fixed effects). ``icc`` is the share of the variance between subjects. A
    between-subject variance of 0 is a valid "singular" fit, said in ``note`` (the df are
    then those of least squares). ``converged`` is False when the optimiser failed or theta
    ran to the edge of its search range (1000); read such results with care.

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    dv, within, subject, levels, between, min_group
        As for :func:`mixed_model`.

    Returns
    -------
    DataFrame
        One row: n_obs, n_subjects, left_out (subjects in groups too small), subject_variance,
        residual_variance, icc, reml_criterion, aic, bic, converged, note.

    Examples
    --------
    Two waves, no gaps: the residual variance is half the variance of the changes (0.7292 / 2 =
    0.3646) and the subject variance that of the subject means less half the residual variance
    (0.4740 - 0.1823 = 0.2917), so icc = 0.2917 / 0.6562 = 0.444.

    >>> long = pd.DataFrame({"id": list("aabbccdd"), "wave": ["pre", "post"] * 4,
    ...                      "score": [3.0, 2.0, 4.0, 3.5, 5.0, 3.0, 3.0, 3.0]})
    >>> fit = mixed_model_fit(long, dv="score", within="wave", subject="id",
    ...                       levels=["pre", "post"]).iloc[0]
    >>> int(fit["n_obs"]), round(float(fit["residual_variance"]), 4), round(float(fit["icc"]), 3)
    (8, 0.3646, 0.444)
    """
    return _mixed(data, dv=dv, within=within, subject=subject, levels=levels, between=between,
                  min_group=min_group, confidence=0.95)[1]


def interaction_test(data: pd.DataFrame, *, dv: str, within: str, subject: str,
                     levels: Sequence, between: str, min_group: int = 2) -> pd.DataFrame:
    """Does change over ``within`` differ between the groups of ``between``? A likelihood-ratio test.

    Compares ``dv ~ within * between`` with ``dv ~ within + between`` (random intercept per
    subject), both fitted by maximum likelihood (REML likelihoods of different fixed effects are
    not comparable), as R's ``anova(lmer(..., REML = FALSE), ...)``. ``chi2`` is twice the
    difference in log-likelihood on as many df as interaction terms. Groups with fewer than
    ``min_group`` subjects are left out and counted in ``left_out``.

    Parameters
    ----------
    data
        Long table: one row per subject and level.
    dv, within, subject, levels
        As for :func:`mixed_model`.
    between
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
    >>> row = interaction_test(long, dv="score", within="wave", subject="id",
    ...                        levels=["pre", "post"], between="group").iloc[0]
    >>> int(row["n_subjects"]), float(row["df"]), round(float(row["chi2"]), 3)
    (6, 1.0, 7.57)
    """
    row = {"factor": between, "n_subjects": np.nan, "left_out": np.nan, "chi2": np.nan,
           "df": np.nan, "p": np.nan, "note": ""}
    if between not in data.columns:
        row["note"] = f"no column '{between}' in the data: no test"
        return pd.DataFrame([row])
    rows, present, groups, left_out = _prepare(data, dv=dv, subject=subject, within=within,
                                               levels=levels, between=between,
                                               min_group=min_group)
    row.update(n_subjects=rows[subject].nunique(), left_out=left_out)
    reason = _too_few(rows, present, subject, between, groups, min_group)
    if reason:
        row["note"] = reason.replace("no model", "no test")
        return pd.DataFrame([row])
    fits = []
    for interaction in (True, False):
        design = _design(rows, dv=dv, subject=subject, within=within, present=present,
                         between=between, groups=groups, interaction=interaction)
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
                "ci_low", "ci_high", "vif"]
_OLS_FIT_COLUMNS = ["n", "coefficients", "r2", "adj_r2", "f", "f_df1", "f_df2", "f_p", "sigma",
                    "log_likelihood", "aic", "bic", "influential", "max_cooks_d", "max_vif",
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


def _ols(data: pd.DataFrame, *, dv: str, between: Sequence[str],
         ordered: Sequence[str] | Mapping[str, Sequence[str]], covar: Sequence[str],
         min_cell: int, confidence: float) -> dict:
    """Merge, fit and diagnose; the tables and arrays of the public functions below."""
    import statsmodels.api as sm
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    factors = list(between)
    covariates = list(covar)
    orders: dict[str, list[str] | None]
    if isinstance(ordered, Mapping):
        orders = {name: [str(c) for c in levels] for name, levels in ordered.items()}
    else:
        orders = {name: None for name in ordered}
    for name in orders:
        if name not in factors:
            raise ValueError(f"ordered factor {name!r} is not among the factors")
    for column in [dv, *factors, *covariates]:
        if column not in data.columns:
            raise ValueError(f"no column {column!r} in the data")
    for name, levels in list(orders.items()):
        if levels is None:
            if not isinstance(data[name].dtype, pd.CategoricalDtype):
                raise ValueError(f"give the order of {name!r}: make it an ordered Categorical "
                                 "or pass ordered={name: [categories in order]}")
            orders[name] = [str(c) for c in data[name].cat.categories]
    rows = data[[dv, *factors, *covariates]].dropna()
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
    y = rows[dv].to_numpy(float)
    n, k = x.shape
    fit = dict.fromkeys(_OLS_FIT_COLUMNS, np.nan)
    fit.update(n=n, coefficients=k - 1, underpowered=n < 10 * (k - 1), dropped=dropped,
               merged="; ".join(log), influential=np.nan)
    table = pd.DataFrame(info, columns=["factor", "level", "reference", "n"])
    table.insert(0, "term", names)
    table = table.reindex(columns=_OLS_COLUMNS)
    keep = _independent_columns(x) if n else np.arange(k)
    result = {"coefficients": table, "fit": fit, "residuals": pd.DataFrame(
        {"fitted": [], "residual": [], "cooks_d": []}, dtype=float)}
    if keep.size < k:
        notes.append("not estimable (a combination of other terms), left out: "
                     + ", ".join(names[j] for j in range(k) if j not in set(keep)))
    if n <= keep.size:
        notes.append(f"too few complete rows ({n}) for {keep.size} coefficients: no model")
    else:
        xk = x[:, keep]
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            model = sm.OLS(y, xk, hasconst=True).fit()
            interval = model.conf_int(alpha=1 - confidence)
            cooks = model.get_influence().cooks_distance[0]
            vif = [np.nan] + [variance_inflation_factor(xk, j) for j in range(1, keep.size)]
        table.loc[keep, "estimate"] = model.params
        table.loc[keep, "se"] = model.bse
        table.loc[keep, "t"] = model.tvalues
        table.loc[keep, "p"] = model.pvalues
        table.loc[keep, "ci_low"] = interval[:, 0]
        table.loc[keep, "ci_high"] = interval[:, 1]
        table.loc[keep, "vif"] = vif
        rss = float(model.ssr)
        fit.update(coefficients=keep.size - 1, sigma=float(np.sqrt(model.scale)),
                   log_likelihood=float(model.llf),
                   # R's AIC(lm) and BIC(lm): the residual variance counts as a parameter
                   aic=-2 * model.llf + 2 * (keep.size + 1),
                   bic=-2 * model.llf + np.log(n) * (keep.size + 1),
                   influential=int(np.sum(cooks > 4 / n)),
                   max_cooks_d=float(np.nanmax(cooks)) if np.isfinite(cooks).any() else np.nan,
                   max_vif=float(np.nanmax(vif)) if keep.size > 1 else np.nan)
        result["residuals"] = pd.DataFrame({"fitted": model.fittedvalues,
                                            "residual": model.resid, "cooks_d": cooks},
                                           index=rows.index)
        if float(model.centered_tss) > 0:
            fit.update(r2=float(model.rsquared), adj_r2=float(model.rsquared_adj))
            if keep.size > 1 and rss > 0:
                fit.update(f=float(model.fvalue), f_df1=float(model.df_model),
                           f_df2=float(model.df_resid), f_p=float(model.f_pvalue))
        else:
            notes.append("the outcome does not vary: no fit statistics")
    if fit["underpowered"]:
        notes.append(f"fewer than 10 rows per coefficient ({n} rows, {k - 1} coefficients)")
    fit["note"] = "; ".join(notes)
    result["fit"] = pd.DataFrame([fit])[_OLS_FIT_COLUMNS]
    return result


def ols_regression(data: pd.DataFrame, *, dv: str, between: Sequence[str] = (),
                   ordered: Sequence[str] | Mapping[str, Sequence[str]] = (),
                   covar: Sequence[str] = (), min_cell: int = 5,
                   confidence: float = 0.95) -> pd.DataFrame:
    """Least-squares regression on categorical factors (small categories merged) and covariates.

    The names follow pingouin's ``ancova(data, dv=, between=, covar=)``: ``between`` holds the
    categorical factors, ``covar`` the numeric covariates. The fit is statsmodels' ``OLS`` (R's
    ``lm``); what evalkit adds, hand-written, is the merging of small categories. Complete cases
    only (outcome, factors and covariates present). Then, repeated until a pass changes nothing
    (dropping rows can shrink other factors' categories), factor by factor in the order given:

    * an **ordered** factor's smallest category below ``min_cell`` merges with its smaller
      neighbour (ties: the earlier one), labels joined in order (``<1|1-2``), one merge at a
      time until no category is small;
    * in an **unordered** factor every category below ``min_cell`` merges into ``other``; if
      ``other`` still has fewer than ``min_cell`` rows they are dropped and counted
      (``dropped`` in :func:`ols_fit`).

    A factor left with one category leaves the model. Each factor is dummy-coded against its
    most frequent category (ties: alphabetical), named in ``reference``. ``vif`` is the variance
    inflation factor of each coefficient's column, ``1 / (1 - R_j^2)`` from regressing it on the
    other columns (statsmodels' ``variance_inflation_factor``; above 5 to 10 the estimate is
    unstable because the term is nearly a combination of others). Model-level statistics,
    what was merged and notes are in :func:`ols_fit`.

    Parameters
    ----------
    data
        One row per person (pass one wave's forms so that nobody counts twice).
    dv
        Numeric outcome column.
    between
        Categorical predictor columns.
    ordered
        Which factors are ordered: names (their order is the column's categorical order) or a
        mapping name -> categories in order.
    covar
        Numeric predictor columns.
    min_cell
        Smallest category size that stays as it is.
    confidence
        Coverage of the coefficient intervals.

    Returns
    -------
    DataFrame
        One row per coefficient: term, factor, level, reference, n (rows in that level; every
        row of the model for a covariate, NaN for the intercept), estimate, se, t, p, ci_low,
        ci_high, vif.

    Examples
    --------
    >>> forms = pd.DataFrame({"total": [30, 32, 35, 40, 41, 44, 38, 36],
    ...                       "role": ["a", "a", "a", "a", "b", "b", "b", "c"]})
    >>> table = ols_regression(forms, dv="total", between=["role"], min_cell=4)
    >>> table[["term", "reference", "n", "estimate"]].round(3).to_numpy().tolist()
    [['Intercept', '', nan, 34.25], ['role=other', 'a', 4.0, 5.5]]
    """
    return _ols(data, dv=dv, between=between, ordered=ordered, covar=covar, min_cell=min_cell,
                confidence=confidence)["coefficients"]


def ols_fit(data: pd.DataFrame, *, dv: str, between: Sequence[str] = (),
            ordered: Sequence[str] | Mapping[str, Sequence[str]] = (),
            covar: Sequence[str] = (), min_cell: int = 5) -> pd.DataFrame:
    """Model-level statistics and diagnostics of :func:`ols_regression`, in one row.

    The same model and arguments as :func:`ols_regression`. ``r2``, ``adj_r2``, the overall F
    test, ``sigma`` (the residual standard error) and ``log_likelihood`` are statsmodels'
    (equal to R's ``summary(lm)`` and ``logLik``); ``aic`` and ``bic`` count the residual
    variance as a parameter, as R's ``AIC()`` and ``BIC()`` do (statsmodels' own ``aic`` is 2
    lower). ``influential`` counts rows whose Cook's distance is above ``4 / n`` (strictly);
    ``max_cooks_d`` is the largest (a value above 1 is a single row steering the fit);
    ``max_vif`` the largest variance inflation factor. ``underpowered`` is True with fewer than
    10 rows per coefficient (intercept not counted).

    Parameters
    ----------
    data
        One row per person.
    dv, between, ordered, covar, min_cell
        As for :func:`ols_regression`.

    Returns
    -------
    DataFrame
        One row: n, coefficients (estimable, intercept not counted), r2, adj_r2, f, f_df1,
        f_df2, f_p, sigma, log_likelihood, aic, bic, influential, max_cooks_d, max_vif,
        underpowered, dropped, merged (what was merged or dropped), note.

    Examples
    --------
    Group means 34.25 and 39.75 leave 56.75 + 36.75 = 93.5 of the 154 total squares:
    R squared = 1 - 93.5 / 154 = 0.393.

    >>> forms = pd.DataFrame({"total": [30, 32, 35, 40, 41, 44, 38, 36],
    ...                       "role": ["a", "a", "a", "a", "b", "b", "b", "c"]})
    >>> fit = ols_fit(forms, dv="total", between=["role"], min_cell=4).iloc[0]
    >>> int(fit["n"]), round(float(fit["r2"]), 3), fit["merged"]
    (8, 0.393, 'role: b + c -> other')
    """
    return _ols(data, dv=dv, between=between, ordered=ordered, covar=covar, min_cell=min_cell,
                confidence=0.95)["fit"]


def ols_residuals(data: pd.DataFrame, *, dv: str, between: Sequence[str] = (),
                  ordered: Sequence[str] | Mapping[str, Sequence[str]] = (),
                  covar: Sequence[str] = (), min_cell: int = 5) -> pd.DataFrame:
    """Fitted value, residual and Cook's distance of every row in :func:`ols_regression`'s model.

    One row per person: for the research audience's residual plot only (never a funder's).
    Cook's distance is statsmodels' ``OLSInfluence.cooks_distance`` (R's ``cooks.distance``).

    Parameters
    ----------
    data
        One row per person.
    dv, between, ordered, covar, min_cell
        As for :func:`ols_regression`.

    Returns
    -------
    DataFrame
        Indexed like the rows of ``data`` that entered the model: fitted, residual, cooks_d.
        Empty when no model can be fitted.

    Examples
    --------
    >>> forms = pd.DataFrame({"total": [30.0, 32, 35, 40, 41, 44], "role": list("aaabbb")})
    >>> ols_residuals(forms, dv="total", between=["role"], min_cell=3)["residual"].round(3).tolist()
    [-2.333, -0.333, 2.667, -1.667, -0.667, 2.333]
    """
    return _ols(data, dv=dv, between=between, ordered=ordered, covar=covar, min_cell=min_cell,
                confidence=0.95)["residuals"]


def _current_order(order: list[str], values: pd.Series) -> list[str]:
    """``order`` with merged labels (``a|b``) in place of their parts, present ones only."""
    present = list(dict.fromkeys(values))
    position = {}
    for label in present:
        parts = label.split("|") if label not in order else [label]
        known = [order.index(part) for part in parts if part in order]
        position[label] = min(known) if known else len(order)
    return sorted(present, key=lambda label: position[label])
