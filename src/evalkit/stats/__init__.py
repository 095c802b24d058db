"""Generic statistics, parameterised by column names: nothing here knows about programmes.

Thin adapters over pingouin, scipy and statsmodels in pingouin's vocabulary (``data, *, dv,
within, between, subject``, ``padjust=``): the data first, options by keyword, a tidy DataFrame
back (a result the data cannot support is a row of NaN with a ``note``). Hand-written only where
no library does it, each said so in its docstring. Each is checked against R (and, where the
adapter does more than call the library, against the library called directly) in ``tests/stats``.
"""

from .anova import pairwise_paired, repeated_measures_anova
from .correlation import correlation_matrix, correlations
from .describe import mean_table
from .effect_sizes import eta_squared_interval, noncentral_t_interval, rank_biserial_interval
from .groups import compare_groups
from .models import (
    interaction_test,
    mixed_model,
    mixed_model_fit,
    ols_fit,
    ols_regression,
    ols_residuals,
)
from .multitest import holm
from .paired import by_subject, paired_change, wave_changes, wilcoxon_signed_rank
from .power import paired_power, rm_anova_power
from .proportions import cluster_rate_table, prevalence, rate_table, wilson_interval
from .reliability import (
    CS_CATEGORIES,
    RC_CATEGORIES,
    clinical_change,
    clinical_cutoffs,
    cronbach_alpha,
    reliable_change,
    reliable_change_category,
)
from .survival import kaplan_meier, logrank_test

__all__ = [
    "CS_CATEGORIES",
    "RC_CATEGORIES",
    "clinical_change",
    "clinical_cutoffs",
    "eta_squared_interval",
    "noncentral_t_interval",
    "paired_power",
    "rank_biserial_interval",
    "rm_anova_power",
    "cluster_rate_table",
    "compare_groups",
    "correlation_matrix",
    "correlations",
    "cronbach_alpha",
    "holm",
    "interaction_test",
    "kaplan_meier",
    "logrank_test",
    "mean_table",
    "mixed_model",
    "mixed_model_fit",
    "ols_fit",
    "ols_regression",
    "ols_residuals",
    "paired_change",
    "pairwise_paired",
    "prevalence",
    "rate_table",
    "reliable_change",
    "reliable_change_category",
    "repeated_measures_anova",
    "wave_changes",
    "by_subject",
    "wilcoxon_signed_rank",
    "wilson_interval",
]
