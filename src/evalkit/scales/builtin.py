"""The built-in questionnaires as :class:`~evalkit.scales.spec.Instrument` specs.

Only item numbers, keys, cut-offs and citations are kept here: never item wording, which may be
under copyright. Item ``k`` of a scale is the column ``<prefix><kk>`` of its file (``stss03``).
What the files hold (id column, waves, item columns, answer range) is declared once, in
:mod:`evalkit.io.contracts`: each spec reads it from there (:func:`~evalkit.scales.spec.file_facts`)
and hands that contract back from :meth:`~evalkit.scales.spec.Instrument.contract`.

References
----------
Bride, B. E., Robinson, M. M., Yegidis, B., & Figley, C. R. (2004). Development and validation of
    the Secondary Traumatic Stress Scale. *Research on Social Work Practice*, 14(1), 27-35.
Bride, B. E. (2007). Prevalence of secondary traumatic stress among social workers. *Social Work*,
    52(1), 63-70. (Bands of the STSS total.)
Stamm, B. H. (2010). *The Concise ProQOL Manual* (2nd ed.). Pocatello, ID: ProQOL.org.
"""

from __future__ import annotations

from ..io.contracts import CONTRACTS
from .spec import Band, Instrument, file_facts

_STSS_BANDS = (
    Band("little_or_none", 17), Band("mild", 28), Band("moderate", 38), Band("high", 44),
    Band("severe", 49),
)

_PROQOL_BANDS = (Band("low", 10), Band("moderate", 23), Band("high", 42))

#: Short labels of the 13 discomfort situations (our own words, not the checklist's wording).
_DISCOMFORT_ITEM_LABELS = (
    "Frank talk about sex in a men's group",
    "Homophobic comments",
    "Jokes calling women 'frigid'",
    "Sexualised insults about women",
    "Attends only to restart sex; pestering",
    "Father blames his abused daughter",
    "Conviction for sexual exploitation",
    "Disclosure of own childhood sexual abuse",
    "Explicit account told for arousal",
    "BDSM and forced sex after arguments",
    "Shared explicit images of partner",
    "Child exposed to parents' sex",
    "Belief a wife cannot refuse sex",
)


STSS = Instrument(
    name="stss",
    title="Secondary Traumatic Stress Scale",
    respondent="practitioner",
    **file_facts(CONTRACTS["stss"]),  # id column, waves, items and range: the file's contract
    score_rule="sum",
    higher_is="worse",
    subscales={
        "intrusion": (2, 3, 6, 10, 13),
        "avoidance": (1, 5, 7, 9, 12, 14, 17),
        "arousal": (4, 8, 11, 15, 16),
    },
    total="total",
    bands={"total": _STSS_BANDS},
    citation="Bride, Robinson, Yegidis & Figley (2004); bands from Bride (2007)",
)


PROQOL = Instrument(
    name="proqol",
    title="Professional Quality of Life scale (ProQOL 5)",
    respondent="practitioner",
    **file_facts(CONTRACTS["proqol"]),  # id column, waves, items and range: the file's contract
    reversed=(1, 4, 15, 17, 29),
    score_rule="sum",
    higher_is="worse",
    subscale_higher_is={"compassion_satisfaction": "better"},
    subscales={
        "compassion_satisfaction": (3, 6, 12, 16, 18, 20, 22, 24, 27, 30),
        "burnout": (1, 4, 8, 10, 15, 17, 19, 21, 26, 29),
        "secondary_traumatic_stress": (2, 5, 7, 9, 11, 13, 14, 23, 25, 28),
    },
    total=None,  # the ProQOL has no total score: its subscales are read separately
    bands={
        "compassion_satisfaction": _PROQOL_BANDS,
        "burnout": _PROQOL_BANDS,
        "secondary_traumatic_stress": _PROQOL_BANDS,
    },
    citation=f"Stamm (2010), ProQOL 5; raw-sum cut-offs {_PROQOL_BANDS[1].lowest - 1} or less low, "
             f"{_PROQOL_BANDS[2].lowest} or more high",
)


DISCOMFORT = Instrument(
    name="discomfort",
    title="Practitioner discomfort checklist",
    respondent="practitioner",
    **file_facts(CONTRACTS["discomfort"]),  # id column, waves, items and range: the file's contract
    score_rule="mean",
    higher_is="worse",  # lower after preparation is the hoped-for change
    total="discomfort",
    citation="Practitioner discomfort checklist from the project's source guidelines",
    item_labels=_DISCOMFORT_ITEM_LABELS,
)


#: Item column -> short label of the discomfort checklist (from ``DISCOMFORT.item_labels``).
DISCOMFORT_LABELS: dict[str, str] = dict(zip(DISCOMFORT.items, _DISCOMFORT_ITEM_LABELS,
                                             strict=True))

#: The built-in instruments by name (their names are also data file names).
BUILTIN: dict[str, Instrument] = {i.name: i for i in (DISCOMFORT, STSS, PROQOL)}
