"""Plain words for the codes used in files and result tables (``childrens_services`` ->
"children's services"), so pages never show code-form labels. Values not listed here are labels a
programme chose (a site, a module, a survey wave) and are shown as they are, escaped.

This is the one place a code becomes words: table cells and headers (:func:`header`), chart
labels and the things a count counts (:func:`counted`) all come from here; how a number is
written is :mod:`evalkit.publish.formatting`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..analyses.secondary_trauma import CLINICAL_THRESHOLD

WORDS: dict[str, str] = {
    # referral routes, exits, statuses
    "court_mandated": "court mandated", "probation": "probation",
    "childrens_services": "children's services", "self": "self-referral", "other": "other",
    "completed": "completed", "withdrew": "withdrew", "excluded": "excluded",
    "moved_away": "moved away", "custody": "custody", "ongoing": "ongoing",
    "attended": "attended", "late": "late", "left_early": "left early",
    "absent_notified": "absent (notified)", "absent_unnotified": "absent (not notified)",
    # practitioners
    "woman": "women", "man": "men", "non_binary": "non-binary",
    "prefer_not_to_say": "prefer not to say", "facilitator": "facilitators",
    "supervisor": "supervisors", "partner_support": "partner support", "manager": "managers",
    "weekly": "weekly", "fortnightly": "fortnightly", "monthly": "monthly",
    "less_than_monthly": "less than monthly", "none": "none",
    "gender": "gender", "role": "role", "experience_band": "experience (years)",
    "supervision_frequency": "supervision frequency", "site": "site",
    "referral_route": "referral route", "cohort_id": "cohort", "module": "module",
    "delivery_mode": "delivery mode", "all": "all participants",
    # waves and comparisons
    "pre": "before preparation", "post": "after preparation", "follow_up": "follow-up",
    "intake": "intake", "exit": "exit",
    "post_vs_pre": "after vs before preparation", "follow_up_vs_pre": "follow-up vs before",
    # scales, subscales and bands
    "total": "total", "intrusion": "intrusion", "avoidance": "avoidance", "arousal": "arousal",
    "compassion_satisfaction": "compassion satisfaction", "burnout": "burnout",
    "secondary_traumatic_stress": "secondary traumatic stress",
    "little_or_none": "little or none", "mild": "mild", "moderate": "moderate", "high": "high",
    "severe": "severe", "low": "low",
    "reliably_improved": "reliably improved", "no_reliable_change": "no reliable change",
    "reliably_worse": "reliably worse",
    "stss_intrusion": "STSS intrusion", "stss_avoidance": "STSS avoidance",
    "stss_arousal": "STSS arousal", "stss_total": "STSS total",
    "supervision_per_month": "supervision sessions a month",
    "discomfort": "discomfort before preparation",
    # accountability
    "met": "met", "refused": "refused", "outstanding": "outstanding",
    "scheduled": "scheduled", "held": "held", "missed": "missed",
    # statistics named in result tables
    "hedges_g": "Hedges' g", "rank_biserial": "rank-biserial r", "eta_squared": "eta squared",
    "epsilon_squared": "epsilon squared", "cohens_d": "Cohen's d",
}

#: Column headers that plain words would get wrong ("d z", "f df1"); a column's own ``label``
#: comes first.
HEADERS: dict[str, str] = {
    "d_z": "Cohen's d (z)", "d_av": "Cohen's d (av)", "chi2": "chi-square",
    "df1": "df (numerator)", "df2": "df (denominator)",
    "f_df1": "F df (numerator)", "f_df2": "F df (denominator)", "p": "p", "n": "n",
    "p10": "10th percentile", "p90": "90th percentile", "q1": "lower quartile",
    "q3": "upper quartile", "sd": "SD", "sd_before": "SD before", "rc": "reliable change index",
    "n_model": "people in the model", "r": "r", "t": "t", "se": "SE",
    "stss_38": f"STSS {CLINICAL_THRESHOLD:g} or more", "stss_scored": "STSS forms scored",
    "proqol_scored": "ProQOL forms scored", "effect_size": "effect size",
    "rank_effect_size": "rank effect size", "rank_p": "rank test p", "cohort_id": "cohort",
}

#: What a count column counts when it is not the table's own unit (the policy treats these as
#: counts about people, but a page must not call them people).
COUNTED: dict[str, str] = {
    "meetings": "meetings", "demands": "demands", "messages": "messages", "rows": "rows",
    "absences": "absences", "forms": "forms", "sessions": "sessions",
    "participant_sessions": "participant-sessions", "sessions_attended": "participant-sessions",
    "unscored": "forms", "scored": "forms",
}


def words(code: object) -> str:
    """Plain words for a code; a label the programme chose keeps its words.

    Underscores in a programme's own labels are read as spaces; a list of codes joined by ", " is
    translated code by code.

    Parameters
    ----------
    code
        A code or label from a file or a result table.

    Returns
    -------
    str
        The words to show.

    Examples
    --------
    >>> words("childrens_services"), words("north"), words("sexual_respect")
    ("children's services", 'north', 'sexual respect')
    >>> words("pre, post")
    'before preparation, after preparation'
    >>> words("wave=post"), words("experience_band=<1|1-2"), words("hedges_g")
    ('wave: after preparation', 'experience (years): <1 or 1-2', "Hedges' g")
    >>> words("follow_up_vs_intake")
    'follow-up vs intake'
    """
    text = str(code)
    if text in WORDS:
        return WORDS[text]
    if ", " in text:  # a list of codes, such as the waves someone answered
        return ", ".join(words(part) for part in text.split(", "))
    if ":" in text and all("=" in part for part in text.split(":")):  # an interaction term
        return " \u00d7 ".join(words(part) for part in text.split(":"))
    if "=" in text and not text.startswith("=") and " " not in text.split("=", 1)[0]:
        factor, level = text.split("=", 1)  # a model term: gender=man
        return f"{words(factor)}: {words(level)}"
    if "_vs_" in text:  # a comparison of two waves: follow_up_vs_intake
        return " vs ".join(words(part) for part in text.split("_vs_"))
    if "|" in text:  # categories merged because they were small: <1|1-2
        return " or ".join(words(part) for part in text.split("|"))
    return text.replace("_", " ")


def instrument_titles(instruments: Mapping[str, object]) -> dict[str, str]:
    """Each instrument's title from its spec, by name, for charts and captions.

    Parameters
    ----------
    instruments
        Instrument name -> spec (``Dataset.instruments``); anything with a ``title``.

    Returns
    -------
    dict of str to str
        Name -> title.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> instrument_titles({"partner_safety": SimpleNamespace(title="Partner-reported safety")})
    {'partner_safety': 'Partner-reported safety'}
    """
    return {str(name): str(spec.title) for name, spec in instruments.items()}


def header(col: object) -> str:
    """The header a table shows for a column: its own label, else plain words for its name.

    Parameters
    ----------
    col
        A :class:`~evalkit.analyses.tables.Col` (anything with ``name`` and ``label``).

    Returns
    -------
    str
        The header.

    Examples
    --------
    >>> from evalkit.analyses.tables import Col
    >>> header(Col("d_z", "statistic", "d")), header(Col("cohort_id", "label", "cohort"))
    ("Cohen's d (z)", 'cohort')
    >>> header(Col("n", "people", "forms", label="forms scored"))
    'forms scored'
    """
    name = str(col.name)
    return getattr(col, "label", "") or HEADERS.get(name) or words(name)


def counted(name: str, unit: str) -> str:
    """What a count column counts: the table's ``unit``, or meetings, demands, rows or forms.

    A count the policy treats as being about people may still count other things.

    Parameters
    ----------
    name
        The column (or metric) name.
    unit
        The table's unit, e.g. ``"participants"``.

    Returns
    -------
    str
        The plural noun.

    Examples
    --------
    >>> counted("meetings_held", "processes"), counted("rows", "participants")
    ('meetings', 'rows')
    >>> counted("participants", "participants")
    'participants'
    """
    if name in COUNTED:
        return COUNTED[name]
    for prefix, noun in COUNTED.items():
        if name.startswith(prefix + "_"):
            return noun
    return unit


def interval_level(description: str) -> str:
    """The coverage an interval's description declares ("the Wilson 90% interval" -> "90%").

    "" when the description does not say.

    Parameters
    ----------
    description
        The codebook description of an interval bound.

    Returns
    -------
    str
        The level with its percent sign, or "".

    Examples
    --------
    >>> interval_level("lower end of the Wilson 90% interval"), interval_level("lower end")
    ('90%', '')
    """
    found = re.search(r"(\d+(?:\.\d+)?)%", description)
    return f"{found.group(1)}%" if found else ""


def note_words(text: object) -> str:
    """A note written by evalkit, with a statistic's code name in words ("Hedges' g").

    Any other text is kept exactly as written.

    Parameters
    ----------
    text
        The text of a ``text`` cell.

    Returns
    -------
    str
        The words to show.

    Examples
    --------
    >>> note_words("rank_biserial"), note_words("Welch t"), note_words("partner_safety.csv")
    ('rank-biserial r', 'Welch t', 'partner_safety.csv')
    """
    return WORDS.get(str(text), str(text))
