"""What a questionnaire is: one frozen spec for the built-in scales and a programme's own.

An :class:`Instrument` says who answers (``respondent``), which file column links the answers to a
person (``id_column``), the survey waves, how many items there are and what they may hold, which
items are scored in reverse, how scales are scored (sum or mean, with proration), which direction
is an improvement, and the bands of each scale. Only item numbers, keys, cut-offs and citations are
kept: never item wording. Item ``k`` is the column ``<item_prefix><kk>`` (``i01``, ``stss03``).

The same rules check a spec written in Python and one read from ``instruments/<name>.toml``
(:mod:`evalkit.scales.custom`): a spec that contradicts itself raises :class:`SpecInconsistency`,
which lists every broken rule by the TOML key it concerns.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..io.contracts import Column, FileContract

#: Share of a scale's items that must be answered for it to be scored, unless a spec says otherwise.
DEFAULT_PRORATE_MIN = 0.8

RESPONDENTS = ("participant", "partner", "practitioner")
SCORE_RULES = ("sum", "mean")
DIRECTIONS = ("worse", "better")
#: id column -> the file whose people it names.
ID_COLUMNS = {"participant_id": "participants", "practitioner_id": "practitioners"}
#: Respondents whose answers can only be about a participant (a partner is linked to him).
_PARTICIPANT_LINKED = ("participant", "partner")

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
"""A safe name: a file stem, a scale or a band label (lower case, digits, underscores)."""
WAVE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
"""A wave label as it is written in the responses file (read in lower case)."""
_PREFIX_PATTERN = re.compile(r"^[a-z]{1,8}$")
#: Column-name endings that scoring adds to a scale name.
_DERIVED_SUFFIXES = ("_answered", "_band")
LABEL_MAX_LENGTH = 64
TITLE_MAX_LENGTH = 80
#: Limits on every size a spec gives, so that a mistyped number (``items = 100000000``) is
#: refused with a message instead of making evalkit build columns, lists or ranges that size.
ITEMS_MAX = 200
ANSWER_LIMIT = 1000  # min and max of an answer lie within -1000..1000
WAVES_MAX = 20
SUBSCALES_MAX = 50
BANDS_MAX = 20


class SpecInconsistency(ValueError):
    """An instrument spec contradicts itself; ``issues`` lists (key, rule) for every broken rule.

    A ``ValueError``: a spec written in Python that breaks a rule is a programming error. For a
    TOML spec, :func:`evalkit.scales.custom.parse_instrument` turns the issues into problems.

    Parameters
    ----------
    name
        The instrument's name, as given.
    issues
        ``(TOML key, rule)`` for every broken rule.

    Examples
    --------
    >>> try:
    ...     Instrument(name="check", title="Check", respondent="participant",
    ...                id_column="participant_id", waves=("pre", "post"), n_items=3, min=4, max=0)
    ... except SpecInconsistency as exc:
    ...     print(exc.issues)
    [('max', 'must be greater than min')]
    """

    def __init__(self, name: str, issues: list[tuple[str, str]]):
        self.name = name
        self.issues = list(issues)
        lines = "; ".join(f"{key}: {rule}" for key, rule in self.issues)
        super().__init__(f"instrument {name!r} is inconsistent: {lines}")


class FrozenMap(Mapping):
    """A read-only, hashable mapping that keeps its order (for the spec's per-scale tables).

    Parameters
    ----------
    data
        A mapping, or ``(key, value)`` pairs.

    Examples
    --------
    >>> scales = FrozenMap({"core": (1, 2), "total": (1, 2, 3)})
    >>> list(scales), scales == {"core": (1, 2), "total": (1, 2, 3)}
    (['core', 'total'], True)
    >>> hash(scales) == hash(FrozenMap([("core", (1, 2)), ("total", (1, 2, 3))]))
    True
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping | Iterable = ()):
        self._data = dict(data)

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __eq__(self, other) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


@dataclass(frozen=True)
class Band:
    """One band of a scale: ``label`` from the score ``lowest`` (inclusive) up to the next band.

    Parameters
    ----------
    label
        The band's name (a safe name, e.g. ``"moderate"``).
    lowest
        The lowest score in the band.

    Examples
    --------
    >>> from evalkit.scales import STSS
    >>> STSS.bands["total"][0]
    Band(label='little_or_none', lowest=17)
    """

    label: str
    lowest: float


@dataclass(frozen=True)
class Instrument:
    """A questionnaire: items, keys, scoring rule, direction of improvement and bands.

    Parameters
    ----------
    name
        Safe file stem: the answers are in ``<name>.csv``.
    title
        Short title shown to readers.
    respondent
        Who answers: ``participant``, ``partner`` or ``practitioner``.
    id_column
        ``participant_id`` or ``practitioner_id``: whose answers a row holds (a partner's answers
        are linked to the participant only).
    waves
        Wave labels in order, the first being the baseline; ``None`` for free labels (years).
    n_items
        Number of items (at least 2).
    min, max
        Smallest and largest answer to an item.
    item_prefix
        Item ``k`` is column ``<item_prefix><kk>``: ``i`` for own instruments.
    reversed
        Item numbers scored as ``min + max - answer``.
    score_rule
        How a scale is scored (the TOML key ``score``): ``sum`` (prorated sums rounded half up
        to whole numbers) or ``mean`` (unrounded).
    prorate_min
        Share of a scale's items that must be answered for it to be scored, in (0, 1].
    higher_is
        ``worse`` or ``better``: which direction of the total (and subscales) is an improvement.
    reliability
        Reliability for reliable change, in [0, 1); ``None`` means the baseline's alpha.
    bands
        Scale name -> bands in increasing order; the first starts at the scale's lowest score.
    subscales
        Subscale name -> item numbers.
    total
        Name of the score over all items, or ``None`` when the instrument has no total.
    citation
        Where the keys and cut-offs come from.
    item_labels
        Short labels of our own (never item wording), one per item.
    subscale_higher_is
        Subscale name -> direction, for a subscale that runs the other way from ``higher_is``.
    functional_mean, functional_sd
        Mean and SD of the total in a functional (non-clinical) population, from published
        norms, both or neither: clinically significant change then uses Jacobson and Truax's
        criterion c; without them, criterion a (``docs/methods.md#clinically-significant-change``).
    declared_contract
        The contract of a built-in file, declared once in :mod:`evalkit.io.contracts`; a
        built-in spec takes its id column, waves, items and answer range from it
        (:func:`file_facts`), and :meth:`contract` returns it. ``None`` (own instruments): the
        contract is made from the spec.

    Examples
    --------
    >>> spec = Instrument(name="check", title="Check", respondent="participant",
    ...                   id_column="participant_id", waves=("pre", "post"), n_items=3,
    ...                   min=0, max=4, reversed=(2,), subscales={"core": (1, 2)})
    >>> spec.items, spec.baseline, dict(spec.scales)
    (('i01', 'i02', 'i03'), 'pre', {'core': (1, 2), 'total': (1, 2, 3)})
    >>> spec.score_range("total")
    (0, 12)
    """

    name: str
    title: str
    respondent: str
    id_column: str
    waves: tuple[str, ...] | None
    n_items: int
    min: int
    max: int
    item_prefix: str = "i"
    reversed: tuple[int, ...] = ()
    score_rule: str = "sum"
    prorate_min: float = DEFAULT_PRORATE_MIN
    higher_is: str = "worse"
    reliability: float | None = None
    bands: Mapping[str, tuple[Band, ...]] = field(default_factory=FrozenMap)
    subscales: Mapping[str, tuple[int, ...]] = field(default_factory=FrozenMap)
    total: str | None = "total"
    citation: str = ""
    item_labels: tuple[str, ...] | None = None
    subscale_higher_is: Mapping[str, str] = field(default_factory=FrozenMap)
    functional_mean: float | None = None
    functional_sd: float | None = None
    declared_contract: FileContract | None = None

    def __post_init__(self) -> None:
        # Normalise containers so the spec is immutable and hashable, whatever it was given.
        def setattr_(key, value):
            object.__setattr__(self, key, value)

        if self.waves is not None and not isinstance(self.waves, str):
            setattr_("waves", tuple(self.waves))
        if isinstance(self.reversed, Iterable):
            setattr_("reversed", tuple(self.reversed))
        if isinstance(self.subscales, Mapping):
            setattr_("subscales", FrozenMap(
                (k, tuple(v) if isinstance(v, Iterable) else v) for k, v in self.subscales.items()))
        if isinstance(self.bands, Mapping):
            setattr_("bands", FrozenMap(
                (k, tuple(v) if isinstance(v, Iterable) else v) for k, v in self.bands.items()))
        if isinstance(self.subscale_higher_is, Mapping):
            setattr_("subscale_higher_is", FrozenMap(self.subscale_higher_is))
        if self.item_labels is not None and not isinstance(self.item_labels, str):
            setattr_("item_labels", tuple(self.item_labels))
        issues = _inconsistencies(self)
        if issues:
            raise SpecInconsistency(str(self.name), issues)

    # --- derived facts ---------------------------------------------------------------------------

    @cached_property
    def items(self) -> tuple[str, ...]:
        """Item column names in order (item ``k`` is ``items[k - 1]``)."""
        width = max(2, len(str(self.n_items)))
        return tuple(f"{self.item_prefix}{k:0{width}d}" for k in range(1, self.n_items + 1))

    def column(self, item: int) -> str:
        """Column name of item number ``item`` (1-based).

        Parameters
        ----------
        item
            The item number, from 1 to ``n_items``.

        Returns
        -------
        str
            The column, ``<item_prefix><kk>``.

        Raises
        ------
        ValueError
            When the instrument has no such item.

        Examples
        --------
        >>> from evalkit.scales import STSS
        >>> STSS.column(3)
        'stss03'
        """
        if not 1 <= item <= self.n_items:
            raise ValueError(f"{self.name} has items 1-{self.n_items}, not {item}")
        return self.items[item - 1]

    @cached_property
    def scales(self) -> Mapping[str, tuple[int, ...]]:
        """Every scored scale, name -> item numbers: the subscales in order, then the total."""
        scales = dict(self.subscales)
        if self.total is not None:
            scales[self.total] = tuple(range(1, self.n_items + 1))
        return FrozenMap(scales)

    @property
    def baseline(self) -> str | None:
        """The first wave, against which change is measured (``None`` for free wave labels)."""
        return self.waves[0] if self.waves else None

    @property
    def parent(self) -> str:
        """The file that lists the people of ``id_column`` (``participants`` or ``practitioners``)."""
        return ID_COLUMNS[self.id_column]

    @property
    def file(self) -> str:
        """File stem of the answers (the same as ``name``)."""
        return self.name

    def score_range(self, scale: str) -> tuple[float, float]:
        """Lowest and highest possible score of a scale.

        Parameters
        ----------
        scale
            A scale of the instrument (a subscale or the total).

        Returns
        -------
        tuple of float
            ``(lowest, highest)``: the answer range for a mean score, times the scale's number
            of items for a sum.

        Examples
        --------
        >>> from evalkit.scales import STSS
        >>> STSS.score_range("total")
        (17, 85)
        """
        k = len(self.scales[scale])
        if self.score_rule == "mean":
            return self.min, self.max
        return self.min * k, self.max * k

    def band_floor(self, scale: str, label: str) -> float:
        """The lowest score of band ``label`` of ``scale``: where "``label`` or above" begins.

        A cut-off is written once, as a band boundary; a threshold elsewhere ("38 or more") is
        read from here.

        Parameters
        ----------
        scale
            A banded scale of the instrument.
        label
            One of its bands.

        Returns
        -------
        float
            The band's ``lowest`` score (inclusive).

        Raises
        ------
        KeyError
            When the scale has no band of that name.

        Examples
        --------
        >>> from evalkit.scales import PROQOL, STSS
        >>> STSS.band_floor("total", "moderate"), PROQOL.band_floor("burnout", "high")
        (38, 42)
        """
        for band in self.bands.get(scale, ()):
            if band.label == label:
                return band.lowest
        raise KeyError(f"{self.name}: the scale {scale!r} has no band {label!r}")

    def higher_is_of(self, scale: str) -> str:
        """``worse`` or ``better``: what a higher score on ``scale`` means.

        Parameters
        ----------
        scale
            A scale of the instrument.

        Returns
        -------
        str
            The scale's own direction if the spec gives one, else ``higher_is``.

        Raises
        ------
        KeyError
            When the instrument has no such scale.

        Examples
        --------
        >>> from evalkit.scales import PROQOL
        >>> PROQOL.higher_is_of("burnout"), PROQOL.higher_is_of("compassion_satisfaction")
        ('worse', 'better')
        """
        if scale not in self.scales:
            raise KeyError(f"{self.name} has no scale {scale!r}")
        return self.subscale_higher_is.get(scale, self.higher_is)

    def contract(self) -> FileContract:
        """The data contract of ``<name>.csv``: id column, wave, optional date, the items.

        Returns
        -------
        FileContract
            A built-in spec's declared contract; for an own spec, an optional file keyed by
            (id column, wave), whose waves are categories when the spec lists them, free labels
            otherwise.

        Examples
        --------
        >>> from evalkit.scales import DISCOMFORT
        >>> DISCOMFORT.contract().column_names[:4]
        ('practitioner_id', 'wave', 'response_date', 'd01')
        """
        if self.declared_contract is not None:
            return self.declared_contract
        return self._made_contract()

    def _made_contract(self) -> FileContract:
        """The contract made from the spec alone (what :meth:`contract` gives an own spec)."""
        person = "participant" if self.id_column == "participant_id" else "practitioner"
        if self.waves is None:
            wave = Column("wave", "label", "survey wave label, such as 2025")
        else:
            wave = Column("wave", "category", "survey wave, in order: " + ", ".join(self.waves),
                          self.waves)
        answered_by = {"partner": f"the {person}'s partner or ex-partner",
                       "participant": "the participant",
                       "practitioner": "the practitioner"}[self.respondent]
        items = tuple(
            Column(column, "item",
                   f"{self.title} item {k}: {self.min}-{self.max}, blank if not answered"
                   + (" (scored in reverse)" if k in self.reversed else ""),
                   minimum=self.min, maximum=self.max, nullable=True)
            for k, column in enumerate(self.items, start=1))
        return FileContract(
            self.name,
            f"{self.title}: {self.n_items} items, {self.min}-{self.max}, answered by "
            f"{answered_by}.",
            (
                Column(self.id_column, "id", f"pseudonymous {person} id",
                       references=(self.parent, self.id_column)),
                wave,
                Column("response_date", "date", "date the questionnaire was completed",
                       required=False, nullable=True),
                *items,
            ),
            key=(self.id_column, "wave"),
            optional=True,
        )


# --- the rules a spec must keep -------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _item_list(key: str, items: Any, n_items: int) -> list[tuple[str, str]]:
    if not isinstance(items, tuple) or not all(_is_int(i) for i in items):
        return [(key, "must be a list of item numbers")]
    if len(items) > n_items:
        return [(key, f"lists {len(items)} items, but the instrument has {n_items}")]
    issues = []
    outside = sorted({i for i in items if not 1 <= i <= n_items})
    if outside:
        shown = ", ".join(map(str, outside[:5])) + (" ..." if len(outside) > 5 else "")
        issues.append((key, f"item number {shown} is outside 1-{n_items}"))
    counts = Counter(items)
    repeated = sorted(i for i, n in counts.items() if n > 1)
    if repeated:
        issues.append((key, f"item {', '.join(map(str, repeated))} is listed more than once"))
    return issues


def _inconsistencies(spec: Instrument) -> list[tuple[str, str]]:
    """Every broken rule of a spec as (TOML key, rule); empty when the spec is consistent."""
    issues: list[tuple[str, str]] = []
    add = issues.append
    if not isinstance(spec.name, str) or not NAME_PATTERN.match(spec.name):
        add(("name", "must be a safe file name: lower-case letters, digits and underscores, "
                     "starting with a letter, at most 40 characters"))
    if (not isinstance(spec.title, str) or not spec.title.strip()
            or len(spec.title) > TITLE_MAX_LENGTH or any(c in spec.title for c in "\r\n")):
        add(("title", f"must be a short title on one line (at most {TITLE_MAX_LENGTH} characters)"))
    if spec.respondent not in RESPONDENTS:
        add(("respondent", "must be one of: " + ", ".join(RESPONDENTS)))
    if spec.id_column not in ID_COLUMNS:
        add(("id_column", "must be one of: " + ", ".join(ID_COLUMNS)))
    elif spec.respondent in _PARTICIPANT_LINKED and spec.id_column != "participant_id":
        add(("id_column", "a participant's or partner's answers are linked to participant_id"))
    if spec.waves is not None:
        if (not isinstance(spec.waves, tuple) or not spec.waves
                or not all(isinstance(w, str) for w in spec.waves)):
            add(("waves", "must be a list of wave labels in quotes, in order"))
        else:
            if not all(WAVE_PATTERN.match(w) for w in spec.waves):
                add(("waves", "labels must be lower-case letters, digits, '_', '-' or '.', "
                              "at most 32 characters"))
            if len(set(spec.waves)) != len(spec.waves):
                add(("waves", "a wave is listed more than once"))
    if isinstance(spec.waves, tuple) and len(spec.waves) > WAVES_MAX:
        add(("waves", f"lists {len(spec.waves)} waves; at most {WAVES_MAX} are allowed"))
    n_ok = _is_int(spec.n_items) and 2 <= spec.n_items <= ITEMS_MAX
    if not n_ok:
        add(("items", f"must be a whole number of at least 2 and at most {ITEMS_MAX} (the "
                      "number of questions)"))
    range_ok = _is_int(spec.min) and _is_int(spec.max)
    if not range_ok:
        add(("min", "min and max must be whole numbers"))
    elif not (-ANSWER_LIMIT <= spec.min <= ANSWER_LIMIT and -ANSWER_LIMIT <= spec.max <= ANSWER_LIMIT):
        range_ok = False
        add(("max", f"min and max must lie from -{ANSWER_LIMIT} to {ANSWER_LIMIT}"))
    elif spec.min >= spec.max:
        range_ok = False
        add(("max", "must be greater than min"))
    if not isinstance(spec.item_prefix, str) or not _PREFIX_PATTERN.match(spec.item_prefix):
        add(("item_prefix", "must be 1-8 lower-case letters"))
    if n_ok:
        issues += _item_list("reversed", spec.reversed, spec.n_items)
    if spec.score_rule not in SCORE_RULES:
        add(("score", "must be one of: " + ", ".join(SCORE_RULES)))
    if not _is_number(spec.prorate_min) or not 0 < spec.prorate_min <= 1:
        add(("prorate_min", "must be a share above 0 and at most 1"))
    if spec.higher_is not in DIRECTIONS:
        add(("higher_is", "must be one of: " + ", ".join(DIRECTIONS)))
    if spec.reliability is not None and (
            not _is_number(spec.reliability) or not 0 <= spec.reliability < 1):
        add(("reliability", "must be at least 0 and below 1"))
    if (spec.functional_mean is None) != (spec.functional_sd is None):
        add(("functional_mean", "give functional_mean and functional_sd together, or neither"))
    elif spec.functional_sd is not None and (
            not _is_number(spec.functional_sd) or not spec.functional_sd > 0
            or not _is_number(spec.functional_mean)):
        add(("functional_sd", "must be a positive number (and functional_mean a number)"))

    if isinstance(spec.subscales, Mapping) and len(spec.subscales) > SUBSCALES_MAX:
        add(("subscales", f"lists {len(spec.subscales)} subscales; at most {SUBSCALES_MAX} are "
                          "allowed"))
        return issues
    scale_names = []
    if spec.total is not None:
        if not isinstance(spec.total, str) or not NAME_PATTERN.match(spec.total):
            add(("total", "must be a safe name (lower-case letters, digits, underscores)"))
        scale_names.append(spec.total)
    for name, items in spec.subscales.items():
        key = f"subscales.{name}" if isinstance(name, str) and NAME_PATTERN.match(name) \
            else "subscales"
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            add(("subscales", "subscale names must be lower-case letters, digits and "
                              "underscores, starting with a letter, at most 40 characters"))
            continue
        if name == spec.total or name in ("wave", "response_date", spec.id_column):
            add((key, "this name is taken: choose another subscale name"))
            continue
        if name.endswith(_DERIVED_SUFFIXES):
            add((key, "a subscale name may not end in _answered or _band"))
            continue
        scale_names.append(name)
        if n_ok:
            found = _item_list(key, items, spec.n_items)
            issues += found
            if not found and len(items) < 2:
                add((key, "a subscale needs at least 2 items"))
    if spec.total is None and not spec.subscales:
        add(("subscales", "an instrument without a total needs at least one subscale"))

    for scale, direction in spec.subscale_higher_is.items():
        if scale not in spec.subscales or direction not in DIRECTIONS:
            add(("higher_is", "a per-subscale direction must name a subscale and be "
                              "worse or better"))

    if n_ok and range_ok:  # otherwise the scale ranges are unknown; items/min/max are reported
        issues += _band_issues(spec, scale_names)

    if spec.item_labels is not None:
        labels = spec.item_labels
        if (not isinstance(labels, tuple) or not all(isinstance(s, str) for s in labels)
                or (n_ok and len(labels) != spec.n_items)):
            add(("item_labels", "must be a list of one short label per item"))
        elif any(not s.strip() or len(s) > LABEL_MAX_LENGTH or any(c in s for c in "\r\n")
                 for s in labels):
            add(("item_labels", f"each label must be on one line, 1-{LABEL_MAX_LENGTH} "
                                "characters"))
    if not isinstance(spec.citation, str) or any(c in spec.citation for c in "\r\n"):
        add(("citation", "must be text on one line"))
    if (spec.declared_contract is not None and n_ok and range_ok
            and spec.id_column in ID_COLUMNS and spec.respondent in RESPONDENTS
            and isinstance(spec.item_prefix, str)):
        issues += _contract_issues(spec)
    return issues


def _shape(contract: FileContract) -> list[tuple]:
    """What a contract says of an instrument file's columns, response date and descriptions
    aside: the columns' names, kinds, labels, ranges, blanks and references, and the key."""
    return [(c.name, c.kind, c.categories, c.minimum, c.maximum, c.nullable, c.references)
            for c in contract.columns if c.name != "response_date"] + [contract.key]


def _contract_issues(spec: Instrument) -> list[tuple[str, str]]:
    """A declared contract that says something else than the spec of the same file."""
    declared = spec.declared_contract
    if not isinstance(declared, FileContract) or declared.name != spec.name:
        return [("declared_contract", "must be the contract of the instrument's own file")]
    if _shape(declared) != _shape(spec._made_contract()):
        return [("declared_contract", "its columns differ from the spec's id column, waves, "
                                      "items or answer range")]
    return []


def file_facts(contract: FileContract) -> dict[str, Any]:
    """What an instrument spec takes from its file's contract: id column, waves, items, range.

    A built-in questionnaire file is declared once, in :mod:`evalkit.io.contracts`; its spec
    reads these facts from there rather than typing them again.

    Parameters
    ----------
    contract
        The contract of a questionnaire file: an ``id`` column, a ``wave`` column (categories
        for fixed waves, a free label otherwise) and items ``<prefix><kk>`` sharing one range.

    Returns
    -------
    dict
        ``id_column``, ``waves``, ``n_items``, ``item_prefix``, ``min``, ``max`` and
        ``declared_contract``: keyword arguments of :class:`Instrument`.

    Raises
    ------
    ValueError
        When the contract is not of that shape.

    Examples
    --------
    >>> from evalkit.io.contracts import CONTRACTS
    >>> facts = file_facts(CONTRACTS["stss"])
    >>> facts["id_column"], facts["waves"], facts["n_items"], facts["item_prefix"]
    ('practitioner_id', None, 17, 'stss')
    >>> facts["min"], facts["max"], file_facts(CONTRACTS["discomfort"])["waves"]
    (1, 5, ('pre', 'post', 'follow_up'))
    """
    ids = [c for c in contract.columns if c.kind == "id"]
    waves = [c for c in contract.columns if c.name == "wave"]
    items = [c for c in contract.columns if c.kind == "item"]
    found = re.fullmatch(r"([a-z]+)\d+", items[0].name) if items else None
    if len(ids) != 1 or len(waves) != 1 or not found:
        raise ValueError(f"{contract.name}: not a questionnaire file (one id column, a wave "
                         "column and items)")
    prefix = found.group(1)
    width = max(2, len(str(len(items))))
    expected = [f"{prefix}{k:0{width}d}" for k in range(1, len(items) + 1)]
    if ([c.name for c in items] != expected
            or len({(c.minimum, c.maximum) for c in items}) != 1):
        raise ValueError(f"{contract.name}: items must be {prefix}01, {prefix}02, ... in order, "
                         "with one answer range")
    wave = waves[0]
    return {"id_column": ids[0].name,
            "waves": tuple(wave.categories) if wave.kind == "category" else None,
            "n_items": len(items), "item_prefix": prefix,
            "min": items[0].minimum, "max": items[0].maximum, "declared_contract": contract}


def _band_issues(spec: Instrument, scale_names: list[str]) -> list[tuple[str, str]]:
    issues: list[tuple[str, str]] = []
    for scale, bands in spec.bands.items():
        key = "bands" if scale == spec.total else f"bands.{scale}"
        if scale not in scale_names:
            issues.append((key if isinstance(scale, str) and NAME_PATTERN.match(scale)
                           else "bands", "bands must belong to a scale of the instrument"))
            continue
        if (not isinstance(bands, tuple) or not bands
                or not all(isinstance(b, Band) for b in bands)):
            issues.append((key, "must be a list of bands, each with a name and a from score"))
            continue
        if len(bands) > BANDS_MAX:
            issues.append((key, f"lists {len(bands)} bands; at most {BANDS_MAX} are allowed"))
            continue
        labels = [b.label for b in bands]
        if not all(isinstance(s, str) and NAME_PATTERN.match(s) for s in labels):
            issues.append((key, "band names must be lower-case letters, digits and underscores, "
                                "starting with a letter"))
        elif len(set(labels)) != len(labels):
            issues.append((key, "two bands have the same name"))
        lows = [b.lowest for b in bands]
        if not all(_is_number(v) for v in lows):
            issues.append((key, "each band's from must be a number"))
            continue
        k = len(spec.subscales[scale]) if scale != spec.total else spec.n_items
        lo, hi = (spec.min, spec.max) if spec.score_rule == "mean" else (spec.min * k, spec.max * k)
        if spec.score_rule == "sum" and not all(float(v).is_integer() for v in lows):
            issues.append((key, "bands of a sum score start at whole numbers (sums are rounded "
                                "to whole numbers)"))
        pairs = list(zip(lows[:-1], lows[1:], strict=True))
        if any(a == b for a, b in pairs):
            issues.append((key, "bands overlap: two bands start at the same score"))
        elif any(a > b for a, b in pairs):
            issues.append((key, "bands are not in order: list them from the lowest score up"))
        elif any(not lo <= v <= hi for v in lows):
            issues.append((key, f"a band starts outside the scale's range {_num(lo)}-{_num(hi)}"))
        elif lows[0] != lo:
            issues.append((key, f"the first band must start at the lowest possible score, "
                                f"{_num(lo)}, so that every score has a band"))
    return issues


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
