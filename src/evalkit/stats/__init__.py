"""Generic statistics, parameterised by column names: nothing here knows about programmes.

Every function takes the data first and its options by keyword, and returns a tidy DataFrame
(one row per test or estimate, fit statistics as extra columns; a result the data cannot
support is a row of NaN with a ``note``). Each is checked against R or a published example in
``tests/stats``.
"""

from .anova import pairwise_paired, repeated_measures_anova
from .correlation import correlation_matrix, correlations
from .groups import compare_groups
from .models import interaction_test, mixed_model, ols_regression, readable_terms
from .multitest import holm
from .paired import paired_change, wave_changes, wide, wilcoxon_signed_rank
from .proportions import cluster_rate_table, prevalence, rate_table, wilson_interval
from .reliability import (
    RC_CATEGORIES,
    cronbach_alpha,
    reliable_change,
    reliable_change_category,
)
from .survival import kaplan_meier, logrank_test

__all__ = [
    "RC_CATEGORIES",
    "cluster_rate_table",
    "compare_groups",
    "correlation_matrix",
    "correlations",
    "cronbach_alpha",
    "holm",
    "interaction_test",
    "kaplan_meier",
    "logrank_test",
    "mixed_model",
    "ols_regression",
    "paired_change",
    "pairwise_paired",
    "prevalence",
    "rate_table",
    "readable_terms",
    "reliable_change",
    "reliable_change_category",
    "repeated_measures_anova",
    "wave_changes",
    "wide",
    "wilcoxon_signed_rank",
    "wilson_interval",
]
