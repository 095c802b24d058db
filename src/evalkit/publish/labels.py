"""Plain words for the codes used in files and result tables (``childrens_services`` ->
"children's services"), so pages never show code-form labels. Values not listed here are labels a
programme chose (a site, a module, a survey wave) and are shown as they are, escaped."""

from __future__ import annotations

from collections.abc import Mapping

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
    """
    text = str(code)
    if ", " in text:  # a list of codes, such as the waves someone answered
        return ", ".join(words(part) for part in text.split(", "))
    return WORDS.get(text, text.replace("_", " "))


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
