"""What an analysis declares: the files it needs, the tables it publishes, how it computes them."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..errors import EvalkitError
from .tables import Col, TableSpec, interval

#: What ``compute`` returns for each declared table: the exact result, or a sentence saying why
#: the table cannot be made from this folder.
Computed = Mapping[str, "pd.DataFrame | str"]


def needs_files(dataset: Dataset, names: Iterable[str], joiner: str = " and ") -> str:
    """Why an analysis cannot run without the files ``names``, in words.

    When a reporting period left the files without rows, the sentence says so: the files are
    there, the period holds none of their rows.

    Parameters
    ----------
    dataset
        A loaded data folder, perhaps restricted to a period.
    names
        The files (or instruments) the analysis lacks.
    joiner
        ``" and "`` when every file is needed, ``" or "`` when any one would do.

    Returns
    -------
    str
        ``"needs sessions.csv"``, or ``"needs sessions.csv, which has no rows in the period
        2019-01 to 2019-12"``.

    Examples
    --------
    >>> import evalkit
    >>> dataset = evalkit.load("data/sample")
    >>> needs_files(dataset.restrict_to_period("2019-01", "2019-12"), ["sessions"])
    'needs sessions.csv, which has no rows in the period 2019-01 to 2019-12'
    """
    names = list(names)
    text = "needs " + joiner.join(f"{n}.csv" for n in names)
    in_folder = all(dataset.tables.get(n) is not None or n in dataset.instruments for n in names)
    if dataset.period is not None and in_folder:
        first, last = dataset.period
        verb = "has" if len(names) == 1 else "have"
        text += f", which {verb} no rows in the period {first} to {last}"
    return text


@dataclass(frozen=True)
class Analysis:
    """One question the workbook answers.

    Parameters
    ----------
    name
        Short name (the module's), used by notebooks: ``page.run("attendance")``.
    title
        What the analysis is about, for messages.
    tables
        Every result table it can publish.
    compute
        ``compute(dataset) -> {table name: DataFrame or reason}``; an analysis whose group
        comparisons need a smallest group also takes ``min_cell`` (see :meth:`results`).
    needs
        Files that must all be present.
    needs_any
        Files of which at least one must be present.
    check
        For needs that are not files (an instrument spec): ``check(dataset)`` says why the
        analysis cannot run, or returns "".

    Examples
    --------
    >>> analysis = get("delivery")
    >>> analysis.needs
    ('sessions', 'curriculum', 'delivery')
    >>> [spec.name for spec in analysis.tables]
    ['delivery_fidelity', 'exercise_fidelity', 'facilitator_fidelity']
    """

    name: str
    title: str
    tables: tuple[TableSpec, ...]
    compute: Callable[..., Computed]
    needs: tuple[str, ...] = ()
    needs_any: tuple[str, ...] = ()
    check: Callable[[Dataset], str] | None = None

    def missing(self, dataset: Dataset) -> str:
        """Why the analysis cannot run on ``dataset`` ("" when it can).

        Parameters
        ----------
        dataset
            A loaded data folder.

        Returns
        -------
        str
            ``"needs delivery.csv"`` and the like, or what ``check`` says; "" when nothing is
            missing.

        Examples
        --------
        >>> import evalkit
        >>> dataset = evalkit.load("data/sample")
        >>> analysis = get("delivery")
        >>> analysis.missing(dataset), analysis.missing(dataset.replace(delivery=None))
        ('', 'needs delivery.csv')
        """
        absent = [n for n in self.needs if not dataset.has(n)]
        if absent:
            return needs_files(dataset, absent)
        if self.needs_any and not any(dataset.has(n) for n in self.needs_any):
            return needs_files(dataset, self.needs_any, " or ")
        return self.check(dataset) if self.check else ""

    def results(self, dataset: Dataset, *, min_cell: int) -> Computed:
        """Every table of the analysis for ``dataset``.

        ``min_cell`` reaches ``compute`` only when it takes one: it sets the smallest group
        entering a comparison, so analyses that compare no groups are not made to declare it.

        Parameters
        ----------
        dataset
            A loaded data folder.
        min_cell
            The report's smallest count of people.

        Returns
        -------
        dict of str to DataFrame or str
            Each table by name, or why it could not be computed.

        Examples
        --------
        >>> import evalkit
        >>> dataset = evalkit.load("data/sample")
        >>> sorted(get("delivery").results(dataset, min_cell=5))
        ['delivery_fidelity', 'exercise_fidelity', 'facilitator_fidelity']
        """
        if "min_cell" in inspect.signature(self.compute).parameters:
            return self.compute(dataset, min_cell=min_cell)
        return self.compute(dataset)

    def spec(self, name: str) -> TableSpec:
        """The declaration of the table called ``name``.

        Parameters
        ----------
        name
            One of the analysis's table names.

        Returns
        -------
        TableSpec
            Its title, columns and unit.

        Raises
        ------
        KeyError
            When the analysis publishes no such table.

        Examples
        --------
        >>> get("delivery").spec("delivery_fidelity").unit
        'sessions'
        """
        for spec in self.tables:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.name} publishes no table {name!r}")


def ordered_waves(forms: pd.DataFrame) -> list[str]:
    """Survey waves with free labels (such as years) in time order.

    Waves are ordered by their median ``response_date`` (labels break ties, and waves without
    dates come last), or by label when there are no dates at all.

    Parameters
    ----------
    forms
        Questionnaire forms with ``wave`` and, ideally, ``response_date``.

    Returns
    -------
    list of str
        The wave labels, earliest first.

    Examples
    --------
    >>> forms = pd.DataFrame({"wave": ["spring 2025", "autumn 2024"],
    ...                       "response_date": pd.to_datetime(["2025-04-01", "2024-10-01"])})
    >>> ordered_waves(forms)
    ['autumn 2024', 'spring 2025']
    """
    waves = forms["wave"].astype(str)
    if "response_date" not in forms or forms["response_date"].isna().all():
        return sorted(waves.unique())
    stamps = pd.to_datetime(forms["response_date"]).astype("int64").where(
        forms["response_date"].notna())
    medians = stamps.groupby(waves).median()
    return sorted(medians.index, key=lambda w: (np.nan_to_num(medians[w], nan=np.inf), w))


def registry() -> dict[str, Analysis]:
    """Every analysis in :mod:`evalkit.analyses`, found by module (each defines ``ANALYSIS``).

    Modules whose names start with "_" are skipped.

    Returns
    -------
    dict of str to Analysis
        By analysis name, in module order.

    Examples
    --------
    >>> sorted(registry())[:3]
    ['accountability', 'attendance', 'attrition']
    """
    from .. import analyses

    found = {}
    for info in pkgutil.iter_modules(analyses.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{analyses.__name__}.{info.name}")
        analysis = getattr(module, "ANALYSIS", None)
        if isinstance(analysis, Analysis):
            found[analysis.name] = analysis
    return found


def get(name: str) -> Analysis:
    """The analysis called ``name``.

    Parameters
    ----------
    name
        An analysis name (see :func:`registry`).

    Returns
    -------
    Analysis
        Its declaration.

    Raises
    ------
    EvalkitError
        When there is no analysis of that name; the message lists the known ones.

    Examples
    --------
    >>> get("attendance").title
    'attendance, completion, drop-out and retention'
    """
    analyses = registry()
    if name not in analyses:
        raise EvalkitError(f"no analysis called '{name}'; known: {', '.join(sorted(analyses))}")
    return analyses[name]


# --- column groups that several analyses publish ----------------------------------------------------


def band_cols(*whole: str) -> tuple[Col, ...]:
    """Forms in each band, forms scored, the share and its Wilson interval.

    The bands of one ``whole`` (the columns naming a wave, a subscale...) add up to 1, so the
    funder policy withholds their shares together.

    Parameters
    ----------
    *whole
        The columns whose values name one split.

    Returns
    -------
    tuple of Col
        n, scored, share, ci_low, ci_high.

    Examples
    --------
    >>> [c.name for c in band_cols("wave")]
    ['n', 'scored', 'share', 'ci_low', 'ci_high']
    """
    return (
        Col("n", "people", "forms in the band"),
        Col("scored", "people", "forms scored that wave", label="of forms scored"),
        Col("share", "share", "share of the scored forms", part="n", whole="scored",
            split_by=whole),
        *interval("the Wilson 95% interval", fmt="percent", follows="share"),
    )


def alpha_cols(forms: str) -> tuple[Col, ...]:
    """Items, complete forms, Cronbach's alpha with Feldt's interval, and a note.

    Parameters
    ----------
    forms
        What counts as a complete form, for the codebook ("checklists with every item answered").

    Returns
    -------
    tuple of Col
        items, n, alpha, ci_low, ci_high, note.

    Examples
    --------
    >>> [c.name for c in alpha_cols("forms with every item answered")][:3]
    ['items', 'n', 'alpha']
    """
    return (
        Col("items", "count", "items"),
        Col("n", "people", forms),
        Col("alpha", "statistic", "Cronbach's alpha", rests_on=("n",), bounded=True),
        *interval("Feldt's 95% interval", rests_on=("n",), bounded=True),
        Col("note", "text", "why alpha is undefined, if so"),
    )


#: How each effect size's 95% interval is computed, for the codebook
#: (docs/methods.md#effect-size-intervals).
EFFECT_INTERVALS = {
    "d_z": "the noncentral-t 95% interval",
    "d_av": "the noncentral-t 95% interval of d_z rescaled by SD of the changes / mean SD "
            "(approximate)",
    "effect_size": "the 95% interval (noncentral t for Hedges' g, noncentral F for eta squared)",
    "rank_effect_size": "the 95% interval (Fisher z for the rank-biserial r; none for epsilon "
                        "squared)",
}
#: Effect sizes that cannot exceed 1 in size (the rank-biserial r, epsilon squared).
BOUNDED_EFFECTS = frozenset({"rank_effect_size"})


def effect_interval_cols(effect: str) -> tuple[Col, Col]:
    """The ``<effect>_ci_low`` and ``<effect>_ci_high`` columns that follow an effect size.

    They follow the effect size: wherever it is withheld, so are they.

    Parameters
    ----------
    effect
        The effect-size column (a key of :data:`EFFECT_INTERVALS`).

    Returns
    -------
    tuple of Col
        ``(<effect>_ci_low, <effect>_ci_high)``.

    Examples
    --------
    >>> [(c.name, c.follows) for c in effect_interval_cols("d_z")]
    [('d_z_ci_low', 'd_z'), ('d_z_ci_high', 'd_z')]
    """
    method = EFFECT_INTERVALS[effect]
    bounded = effect in BOUNDED_EFFECTS
    return (Col(f"{effect}_ci_low", "statistic", f"lower end of {method}",
                label="95% CI from", follows=effect, bounded=bounded),
            Col(f"{effect}_ci_high", "statistic", f"upper end of {method}", label="to",
                follows=effect, bounded=bounded))
