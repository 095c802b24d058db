"""Regression models: mixed models for repeated measures and ordinary least squares."""

from __future__ import annotations

import pandas as pd


def readable_terms(terms):
    """Model term names as a reader would write them: ``C(gender)[T.woman]`` becomes
    ``gender=woman``, ``C(wave, Treatment('pre'))[T.post]`` becomes ``wave=post``, and an
    interaction's ``:`` becomes `` x ``.

    Examples
    --------
    >>> import pandas as pd
    >>> readable_terms(pd.Series(["C(wave, Treatment('pre'))[T.post]:C(gender)[T.woman]"])).tolist()
    ['wave=post x gender=woman']
    """
    return (terms.str.replace(r"C\((\w+)(?:, Treatment\('[^']*'\))?\)\[T\.([^\]]+)\]", r"\1=\2",
                              regex=True)
            .str.replace(":", " x ", regex=False))



def mixed_model(scores: pd.DataFrame, *, value: str, subject: str, waves, by: str | None = None,
                min_group: int = 1) -> pd.DataFrame:
    """Linear mixed model with a random intercept per practitioner, on every scored form.

    ``value ~ wave`` (pre as reference), or ``value ~ wave * by`` to ask whether change differs
    between groups (gender, experience band). Practitioners with only some waves still count.
    With ``by``, the interaction is tested by a likelihood-ratio test of models fitted by
    maximum likelihood; estimates come from the REML fit. Practitioners in a ``by`` group with
    fewer than ``min_group`` practitioners are left out (the funder report passes ``min_cell``).

    Returns
    -------
    DataFrame
        term (``wave=post``, ``wave=post x gender=woman``), coef, se, z, p, ci_low, ci_high;
        ``attrs``: n_forms, n_practitioners, left_out (practitioners in small groups) and, with
        ``by``, lr_chi2, lr_df, lr_p.
    """
    import warnings

    import statsmodels.formula.api as smf
    from scipy import stats as st
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    columns = [subject, "wave", value, *([by] if by else [])]
    data = scores[columns].dropna().copy()
    data["wave"] = data["wave"].astype(str)
    data[subject] = data[subject].astype(str)
    if data[subject].nunique() < 3 or data["wave"].nunique() < 2:
        raise ValueError("a mixed model needs at least three practitioners and two waves")
    waves = [w for w in waves if w in set(data["wave"])]
    wave_term = f"C(wave, Treatment('{waves[0]}'))"
    formula = f"{value} ~ {wave_term}"
    left_out = 0
    if by:
        data[by] = data[by].astype(str)
        group_size = data.groupby(by)[subject].transform("nunique")
        left_out = data.loc[group_size < min_group, subject].nunique()
        data = data[group_size >= min_group]
        if data[by].nunique() < 2:
            raise ValueError(f"fewer than two groups of '{by}' with at least {min_group} "
                             "practitioners: no comparison")
        formula = f"{value} ~ {wave_term} * C({by})"
    with warnings.catch_warnings():
        # Boundary fits (no between-person variance) are reported, not hidden, through se/NaN.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = smf.mixedlm(formula, data, groups=data[subject]).fit(reml=True)
        lr = {}
        if by:
            full = smf.mixedlm(formula, data, groups=data[subject]).fit(reml=False)
            main = smf.mixedlm(f"{value} ~ {wave_term} + C({by})", data,
                               groups=data[subject]).fit(reml=False)
            chi2 = max(0.0, 2 * (full.llf - main.llf))
            df = len(full.fe_params) - len(main.fe_params)
            lr = dict(lr_chi2=chi2, lr_df=df, lr_p=float(st.chi2.sf(chi2, df)))
    names = list(fit.fe_params.index)
    ci = fit.conf_int().loc[names]
    table = pd.DataFrame({"term": names, "coef": fit.fe_params.to_numpy(),
                          "se": fit.bse.loc[names].to_numpy(),
                          "z": fit.tvalues.loc[names].to_numpy(),
                          "p": fit.pvalues.loc[names].to_numpy(),
                          "ci_low": ci[0].to_numpy(), "ci_high": ci[1].to_numpy()})
    table["term"] = readable_terms(table["term"])
    table.attrs.update(n_forms=len(data), n_practitioners=data[subject].nunique(),
                       left_out=left_out, **lr)
    return table



def ols_regression(forms: pd.DataFrame, *, score: str, factors, covariates=(),
                   min_group: int = 1) -> pd.DataFrame:
    """Ordinary least squares of ``score`` on practitioner attributes (and numeric covariates).

    Each factor is dummy-coded against its first category in the data; factors with only one
    category among the forms are left out (they cannot be estimated). Forms in a category with
    fewer than ``min_group`` forms are dropped first, so that no coefficient describes fewer
    people than the reporting threshold (the funder report passes its ``min_cell``). Pass one
    wave's forms.

    Returns
    -------
    DataFrame
        term, coef, se, t, p, ci_low, ci_high; ``attrs`` holds n, r2, adj_r2, f_p, left_out
        (factors with one category) and dropped (forms in categories below ``min_group``).
    """
    import statsmodels.formula.api as smf

    columns = [score, *[f for f in factors if f in forms.columns], *covariates]
    data = forms[columns].dropna().copy()
    complete = len(data)
    for factor in factors:
        if factor in data.columns and min_group > 1:
            sizes = data.groupby(factor, observed=True)[score].transform("size")
            data = data[sizes.to_numpy() >= min_group]
    used, left_out = [], []
    for factor in factors:
        if factor not in data.columns:
            continue
        data[factor] = data[factor].astype(str)
        (used if data[factor].nunique() > 1 else left_out).append(factor)
    terms = [f"C({f})" for f in used] + list(covariates)
    if len(data) <= len(terms) + 1:
        raise ValueError(f"too few complete forms ({len(data)}) for a regression on "
                         f"{len(terms)} terms")
    model = smf.ols(f"{score} ~ " + (" + ".join(terms) or "1"), data=data).fit()
    ci = model.conf_int()
    table = pd.DataFrame({"term": model.params.index, "coef": model.params.to_numpy(),
                          "se": model.bse.to_numpy(), "t": model.tvalues.to_numpy(),
                          "p": model.pvalues.to_numpy(), "ci_low": ci[0].to_numpy(),
                          "ci_high": ci[1].to_numpy()})
    table["term"] = readable_terms(table["term"])
    table.attrs.update(n=int(model.nobs), r2=float(model.rsquared),
                       adj_r2=float(model.rsquared_adj), f_p=float(model.f_pvalue),
                       left_out=left_out, dropped=complete - len(data))
    return table

